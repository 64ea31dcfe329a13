//! Errors at the crate boundary: [`LoadError`] for policies that cannot be loaded,
//! [`RuntimeError`] for everything else. wasmtime's own error type stays inside.
//!
//! Failures of a *decision* are not errors: they produce a fallback decision with a
//! [`FailureKind`](crate::FailureKind) (see `invoke`).

/// Why a policy could not be loaded. Each message says what is wrong and, where it
/// helps, how to fix it.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoadError {
    /// The bytes are not WebAssembly at all.
    #[error(
        "not a WebAssembly component: the bytes do not start with the wasm magic `\\0asm` \
         (upload the compiled `.wasm` file)"
    )]
    NotWasm,
    /// A core module was given where a component is required.
    #[error(
        "this is a core WebAssembly module, not a component: build the policy for the \
         `wasm32-wasip2` target (`cargo build --target wasm32-wasip2`) or wrap the module \
         with `wasm-tools component new`"
    )]
    CoreModule,
    /// The component is malformed or uses features the engine does not support.
    #[error("the component failed to compile: {detail}")]
    Compile {
        /// wasmtime's explanation.
        detail: String,
    },
    /// A function of world `routing-policy` is not exported.
    #[error("the component does not implement world `routing-policy`: missing export `{export}`")]
    MissingExport {
        /// The missing export, e.g. `overflow`.
        export: String,
    },
    /// An export of world `routing-policy` exists with another signature.
    #[error(
        "the component does not implement world `routing-policy`: export `{export}` has the \
         wrong type ({detail}); rebuild it against the current `wit/policy.wit`"
    )]
    ExportType {
        /// The mismatched export, e.g. `route`.
        export: String,
        /// What wasmtime found different.
        detail: String,
    },
    /// The component imports an interface policies may not use.
    #[error(
        "the component imports `{import}`, which policies may not use: only \
         `switchyard:policy/host` and the WASI 0.2 interfaces Rust's std imports are provided"
    )]
    ForbiddenImport {
        /// The import name, e.g. `wasi:http/outgoing-handler@0.2.0`.
        import: String,
    },
    /// An allowed import has a type or version the host does not provide.
    #[error("the component's imports do not match what the host provides: {detail}")]
    ImportMismatch {
        /// wasmtime's explanation, naming the import.
        detail: String,
    },
    /// Precompiled bytes are corrupt or were made by an incompatible engine.
    #[error("precompiled policy rejected: {detail}")]
    Precompiled {
        /// What is wrong with them.
        detail: String,
    },
}

/// Errors of the runtime itself (not of a policy's decision).
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuntimeError {
    /// The engine could not be created with the given configuration.
    #[error("could not create the policy engine: {detail}")]
    Engine {
        /// wasmtime's explanation.
        detail: String,
    },
    /// A compiled policy could not be serialized.
    #[error("could not serialize policy `{name}`: {detail}")]
    Serialize {
        /// The policy's name.
        name: String,
        /// wasmtime's explanation.
        detail: String,
    },
}
