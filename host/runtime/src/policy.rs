//! [`Policy`]: a company's routing policy, compiled once and pre-linked so that each
//! decision only instantiates it. Also its on-disk form ([`Policy::serialize`] /
//! [`PolicyEngine::load_precompiled`]) for a later compilation cache, and the sharing of one
//! compiled component between several identities ([`Policy::with_identity`], [`WeakPolicy`]).

use std::sync::{Arc, Weak};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use wasmtime::component::{Component, InstancePre};

use crate::engine::PolicyEngine;
use crate::error::{LoadError, RuntimeError};
use crate::exports::Exports;
use crate::store::StoreData;

/// Magic prefix of [`Policy::serialize`] output.
const ENVELOPE_MAGIC: &[u8; 8] = b"SWYDPOL1";

/// Identity of a loaded policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyMeta {
    /// Name given at upload, e.g. `round-robin`.
    pub name: String,
    /// Version given at upload.
    pub version: String,
    /// Lower-case hex SHA-256 of the component bytes.
    pub content_hash: String,
}

/// A compiled, linked policy. Cheap to clone; usable only with the engine that
/// loaded it.
#[derive(Clone)]
pub struct Policy {
    inner: Arc<PolicyInner>,
}

struct PolicyInner {
    meta: PolicyMeta,
    /// `name@version`, for log fields.
    label: Arc<str>,
    code: Arc<Code>,
}

/// The compiled component, its pre-linked instance and where its exports are, shared by
/// every identity of the same bytes.
struct Code {
    component: Component,
    pre: InstancePre<StoreData>,
    exports: Exports,
}

/// A reference to a [`Policy`]'s compiled code that does not keep it alive: a cache of
/// loaded policies by content hash holds these, so code no company uses any more is freed.
#[derive(Clone)]
pub struct WeakPolicy {
    meta: PolicyMeta,
    code: Weak<Code>,
}

impl WeakPolicy {
    /// The policy, if some [`Policy`] sharing its code is still alive.
    pub fn upgrade(&self) -> Option<Policy> {
        let code = self.code.upgrade()?;
        Some(Policy::with_code(self.meta.clone(), code))
    }

    /// Whether some [`Policy`] sharing its code is still alive.
    pub fn is_alive(&self) -> bool {
        self.code.strong_count() > 0
    }
}

impl Policy {
    pub(crate) fn new(
        meta: PolicyMeta,
        component: Component,
        pre: InstancePre<StoreData>,
        exports: Exports,
    ) -> Self {
        Self::with_code(
            meta,
            Arc::new(Code {
                component,
                pre,
                exports,
            }),
        )
    }

    fn with_code(meta: PolicyMeta, code: Arc<Code>) -> Self {
        let label = format!("{}@{}", meta.name, meta.version).into();
        Self {
            inner: Arc::new(PolicyInner { meta, label, code }),
        }
    }

    /// The same compiled code under another name and version (the content hash stays): one
    /// component uploaded by many companies is compiled and held in memory once.
    pub fn with_identity(&self, name: &str, version: &str) -> Policy {
        let meta = PolicyMeta {
            name: name.to_owned(),
            version: version.to_owned(),
            content_hash: self.inner.meta.content_hash.clone(),
        };
        Self::with_code(meta, Arc::clone(&self.inner.code))
    }

    /// A reference to the compiled code that does not keep it alive.
    pub fn downgrade(&self) -> WeakPolicy {
        WeakPolicy {
            meta: self.inner.meta.clone(),
            code: Arc::downgrade(&self.inner.code),
        }
    }

    /// Name, version and content hash.
    pub fn meta(&self) -> &PolicyMeta {
        &self.inner.meta
    }

    /// The policy's name.
    pub fn name(&self) -> &str {
        &self.inner.meta.name
    }

    /// The policy's version.
    pub fn version(&self) -> &str {
        &self.inner.meta.version
    }

    /// Hex SHA-256 of the component bytes it was compiled from.
    pub fn content_hash(&self) -> &str {
        &self.inner.meta.content_hash
    }

    /// Bytes of the compiled image (code and metadata) this policy holds in memory, shared by
    /// every identity of the same bytes: what a cache of loaded policies weighs it by.
    pub fn code_bytes(&self) -> usize {
        let range = self.inner.code.component.image_range();
        range.end.addr().saturating_sub(range.start.addr())
    }

    pub(crate) fn label(&self) -> &Arc<str> {
        &self.inner.label
    }

    pub(crate) fn pre(&self) -> &InstancePre<StoreData> {
        &self.inner.code.pre
    }

    pub(crate) fn exports(&self) -> &Exports {
        &self.inner.code.exports
    }

    /// The compiled code with its metadata, for [`PolicyEngine::load_precompiled`]
    /// on an engine with the same configuration and wasmtime version.
    ///
    /// # Errors
    /// [`RuntimeError::Serialize`] if wasmtime cannot serialize the component.
    pub fn serialize(&self) -> Result<Vec<u8>, RuntimeError> {
        let payload =
            self.inner
                .code
                .component
                .serialize()
                .map_err(|e| RuntimeError::Serialize {
                    name: self.name().to_owned(),
                    detail: format!("{e:#}"),
                })?;
        let header = EnvelopeHeader {
            meta: self.inner.meta.clone(),
            payload_sha256: sha256_hex(&payload),
        };
        let header = serde_json::to_vec(&header).map_err(|e| RuntimeError::Serialize {
            name: self.name().to_owned(),
            detail: e.to_string(),
        })?;
        let header_len = u32::try_from(header.len()).map_err(|_| RuntimeError::Serialize {
            name: self.name().to_owned(),
            detail: "metadata too large".into(),
        })?;
        let mut out = Vec::with_capacity(12 + header.len() + payload.len());
        out.extend_from_slice(ENVELOPE_MAGIC);
        out.extend_from_slice(&header_len.to_le_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(&payload);
        Ok(out)
    }
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("meta", &self.inner.meta)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for WeakPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WeakPolicy")
            .field("meta", &self.meta)
            .field("alive", &self.is_alive())
            .finish()
    }
}

/// Metadata written ahead of the compiled code.
#[derive(Debug, Serialize, Deserialize)]
struct EnvelopeHeader {
    meta: PolicyMeta,
    payload_sha256: String,
}

impl PolicyEngine {
    /// Loads a policy from [`Policy::serialize`] output without recompiling it.
    ///
    /// The bytes must come from a store as trusted as the host binary itself (the
    /// service's own cache directory): their integrity is checked with SHA-256 and
    /// wasmtime refuses code from another wasmtime version or configuration, but
    /// deliberately forged machine code cannot be detected.
    ///
    /// # Errors
    /// [`LoadError::Precompiled`] if the bytes are corrupt or incompatible with this
    /// engine; the other [`LoadError`] variants if the component no longer matches
    /// the world.
    pub fn load_precompiled(&self, bytes: &[u8]) -> Result<Policy, LoadError> {
        let (header, payload) = open_envelope(bytes)?;
        if !matches!(
            wasmtime::Engine::detect_precompiled(payload),
            Some(wasmtime::Precompiled::Component)
        ) {
            return Err(precompiled("the payload is not a precompiled component"));
        }
        let component = deserialize_trusted(&self.inner.engine, payload)?;
        self.link(header.meta, component)
    }
}

/// Splits an envelope into its verified header and payload.
fn open_envelope(bytes: &[u8]) -> Result<(EnvelopeHeader, &[u8]), LoadError> {
    let rest = bytes
        .strip_prefix(ENVELOPE_MAGIC.as_slice())
        .ok_or_else(|| precompiled("not a serialized Switchyard policy"))?;
    let (len, rest) = rest
        .split_first_chunk::<4>()
        .ok_or_else(|| precompiled("truncated header"))?;
    let len = usize::try_from(u32::from_le_bytes(*len)).map_err(|_| precompiled("bad header"))?;
    if rest.len() < len {
        return Err(precompiled("truncated header"));
    }
    let (header, payload) = rest.split_at(len);
    let header: EnvelopeHeader =
        serde_json::from_slice(header).map_err(|e| precompiled(&format!("bad header: {e}")))?;
    if sha256_hex(payload) != header.payload_sha256 {
        return Err(precompiled("checksum mismatch (corrupt or truncated)"));
    }
    Ok((header, payload))
}

/// Deserializes precompiled component code.
///
/// This is the crate's only `unsafe`: wasmtime trusts serialized code to be its
/// own output, since it is machine code. Callers reach it only through
/// [`PolicyEngine::load_precompiled`], after the SHA-256 check of the envelope and
/// [`wasmtime::Engine::detect_precompiled`]; wasmtime itself then rejects code
/// compiled by another version or configuration.
#[allow(unsafe_code, reason = "the crate's one documented `unsafe` call")]
fn deserialize_trusted(engine: &wasmtime::Engine, payload: &[u8]) -> Result<Component, LoadError> {
    // SAFETY: `payload` passed the envelope checksum, so it is exactly what
    // `Component::serialize` produced for this service (see the trust note on
    // `load_precompiled`); wasmtime validates engine compatibility.
    unsafe { Component::deserialize(engine, payload) }.map_err(|e| precompiled(&format!("{e:#}")))
}

fn precompiled(detail: &str) -> LoadError {
    LoadError::Precompiled {
        detail: detail.to_owned(),
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The content hash [`PolicyEngine::load`] gives a policy loaded from `bytes` (lower-case hex
/// SHA-256), to recognise bytes already loaded or stored without compiling them.
pub fn content_hash(bytes: &[u8]) -> String {
    sha256_hex(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_reject_wrong_magic_truncation_and_corruption() {
        let header = serde_json::to_vec(&EnvelopeHeader {
            meta: PolicyMeta {
                name: "p".into(),
                version: "1".into(),
                content_hash: String::new(),
            },
            payload_sha256: sha256_hex(b"payload"),
        })
        .unwrap();
        let mut good = ENVELOPE_MAGIC.to_vec();
        good.extend_from_slice(&u32::try_from(header.len()).unwrap().to_le_bytes());
        good.extend_from_slice(&header);
        good.extend_from_slice(b"payload");
        let (h, payload) = open_envelope(&good).unwrap();
        assert_eq!((h.meta.name.as_str(), payload), ("p", &b"payload"[..]));

        assert!(open_envelope(b"\0asm\x01\0\0\0").is_err());
        assert!(open_envelope(&good[..good.len() - 1]).is_err());
        let mut corrupt = good.clone();
        *corrupt.last_mut().unwrap() ^= 1;
        let err = open_envelope(&corrupt).unwrap_err();
        assert!(err.to_string().contains("checksum"), "{err}");
    }
}
