//! Loading a policy from component bytes: recognise the format, compile, and check
//! that the component implements world `routing-policy` and imports nothing it may
//! not use. Every refusal is a [`LoadError`] that names what is wrong.

use wasmtime::component::Component;
use wasmtime::component::types::ComponentItem;

use crate::bindings::RoutingPolicyPre;
use crate::engine::PolicyEngine;
use crate::error::LoadError;
use crate::exports::Exports;
use crate::policy::{Policy, PolicyMeta, sha256_hex};
use crate::sandbox::ALLOWED_WASI_PACKAGES;

/// The functions world `routing-policy` exports.
const EXPORTS: [&str; 4] = ["route", "overflow", "visibility", "check-config"];

/// Our own interfaces a policy may import.
const OWN_IMPORTS: [&str; 2] = ["switchyard:policy/host", "switchyard:policy/types"];

/// What the first bytes say a blob is.
#[derive(Debug, PartialEq, Eq)]
enum Format {
    Component,
    CoreModule,
    Text,
    Unknown,
}

fn sniff(bytes: &[u8]) -> Format {
    match bytes {
        [0, b'a', b's', b'm', _, _, 1, 0, ..] => Format::Component,
        [0, b'a', b's', b'm', _, _, 0, 0, ..] => Format::CoreModule,
        _ if std::str::from_utf8(bytes).is_ok_and(|t| t.trim_start().starts_with('(')) => {
            Format::Text
        }
        _ => Format::Unknown,
    }
}

impl PolicyEngine {
    /// Compiles and links a policy from component bytes (binary, or WebAssembly
    /// text for tests).
    ///
    /// # Errors
    /// A [`LoadError`] naming the problem: not wasm, a core module, a compile
    /// error, a missing or mistyped export, or a forbidden import.
    pub fn load(&self, name: &str, version: &str, bytes: &[u8]) -> Result<Policy, LoadError> {
        let engine = &self.inner.engine;
        let compile = || {
            Component::new(engine, bytes).map_err(|e| LoadError::Compile {
                detail: format!("{e:#}"),
            })
        };
        let component = match sniff(bytes) {
            Format::Component => compile()?,
            Format::CoreModule => return Err(LoadError::CoreModule),
            Format::Text if is_core_module_text(bytes) => return Err(LoadError::CoreModule),
            Format::Text => compile()?,
            Format::Unknown => return Err(LoadError::NotWasm),
        };
        let meta = PolicyMeta {
            name: name.to_owned(),
            version: version.to_owned(),
            content_hash: sha256_hex(bytes),
        };
        self.link(meta, component)
    }

    /// Checks `component` against the world and pre-links it.
    pub(crate) fn link(&self, meta: PolicyMeta, component: Component) -> Result<Policy, LoadError> {
        let engine = &self.inner.engine;
        let ty = component.component_type();
        for (import, _) in ty.imports(engine) {
            if !import_allowed(import) {
                return Err(LoadError::ForbiddenImport {
                    import: import.to_owned(),
                });
            }
        }
        for export in EXPORTS {
            match component.get_export(None, export) {
                None => {
                    return Err(LoadError::MissingExport {
                        export: export.to_owned(),
                    });
                }
                Some((ComponentItem::ComponentFunc(_), _)) => {}
                Some(_) => {
                    return Err(LoadError::ExportType {
                        export: export.to_owned(),
                        detail: "it is not a function".into(),
                    });
                }
            }
        }
        let instance_pre = self.inner.linker.instantiate_pre(&component).map_err(|e| {
            LoadError::ImportMismatch {
                detail: format!("{e:#}"),
            }
        })?;
        // Type-checks every export against the world once, here; a decision then
        // checks only the export it calls (see `exports`).
        RoutingPolicyPre::new(instance_pre.clone()).map_err(|e| {
            // bindgen's context is "type-checking export func `<name>`".
            let context = e.to_string();
            let export = EXPORTS
                .into_iter()
                .find(|name| context.contains(&format!("`{name}`")))
                .unwrap_or("?");
            LoadError::ExportType {
                export: export.to_owned(),
                detail: e.root_cause().to_string(),
            }
        })?;
        let exports = Exports::find(&component)?;
        let policy = Policy::new(meta, component, instance_pre, exports);
        self.warm_up(&policy);
        Ok(policy)
    }

    /// Instantiates `policy` once without calling it, so the first decision does not pay
    /// for what wasmtime does lazily on a module's first instantiation (building its
    /// copy-on-write memory image: 20–30 ms for a Python or JavaScript component, over the
    /// 10 ms deadline; BENCHMARKS.md section 1). A failure here is left to the decision
    /// (and, for an upload, to the smoke test) to report.
    fn warm_up(&self, policy: &Policy) {
        if let Err(failure) = self.try_instantiate(policy) {
            tracing::debug!(
                policy = %policy.label(),
                kind = failure.kind.as_str(),
                "warm-up instantiation failed"
            );
        }
    }
}

/// Whether `text` is WebAssembly text for a core module rather than a component.
fn is_core_module_text(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|t| {
        t.trim_start()
            .strip_prefix('(')
            .is_some_and(|rest| rest.trim_start().starts_with("module"))
    })
}

/// Whether a component may import `name` (`namespace:package/interface@version`).
fn import_allowed(name: &str) -> bool {
    let (path, version) = name.split_once('@').unwrap_or((name, ""));
    if OWN_IMPORTS.contains(&path) {
        return true;
    }
    let Some(rest) = path.strip_prefix("wasi:") else {
        return false;
    };
    let package = rest.split('/').next().unwrap_or_default();
    ALLOWED_WASI_PACKAGES.contains(&package) && version.starts_with("0.2.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_apart_by_their_header() {
        assert_eq!(sniff(b"\0asm\x0d\0\x01\0"), Format::Component);
        assert_eq!(sniff(b"\0asm\x01\0\0\0"), Format::CoreModule);
        assert_eq!(sniff(b"  (component)"), Format::Text);
        assert_eq!(sniff(b"PK\x03\x04"), Format::Unknown);
        assert_eq!(sniff(b""), Format::Unknown);
        assert!(is_core_module_text(b"( module $m)"));
        assert!(!is_core_module_text(b"(component)"));
    }

    #[test]
    fn only_our_host_and_wasi_0_2_may_be_imported() {
        assert!(import_allowed("switchyard:policy/host@0.2.0"));
        assert!(import_allowed("switchyard:policy/types@0.2.0"));
        assert!(import_allowed("wasi:cli/environment@0.2.3"));
        assert!(import_allowed("wasi:io/streams@0.2.12"));
        assert!(!import_allowed("wasi:http/outgoing-handler@0.2.0"));
        assert!(!import_allowed("wasi:cli/environment@0.3.0"));
        assert!(!import_allowed("acme:evil/exfiltrate"));
        assert!(!import_allowed("switchyard:policy/admin@0.2.0"));
    }
}
