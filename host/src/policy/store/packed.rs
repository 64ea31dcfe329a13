//! The stored form of a component and of its precompiled artifact: LZ4-compressed behind a
//! four-byte tag. A tenant's policy is stored twice (its bytes, kept for recompiling under
//! another wasmtime, and the artifact every load uses); the artifact is mostly machine code and
//! page alignment, and compressed the pair takes about a third of the disk (BENCHMARKS.md
//! section 3). Decompressing is far cheaper than the load it precedes. Records written before
//! compression (a component starts `\0asm`, an artifact `SWYDPOL1`) are read as they are.

/// Tag of an LZ4 block with its size prepended.
const LZ4: &[u8; 4] = b"SYZ\x01";

/// Largest unpacked size accepted: a damaged size prefix must not allocate more. Artifacts of
/// the largest components (32 MiB of Python or JavaScript) are about 40 MB.
const MAX_UNPACKED: usize = 256 << 20;

/// A stored record could not be unpacked.
#[derive(Debug, thiserror::Error)]
#[error("damaged stored policy bytes: {detail}")]
pub struct Damaged {
    detail: String,
}

/// The stored form of `bytes`.
pub(super) fn pack(bytes: &[u8]) -> Vec<u8> {
    let body = lz4_flex::block::compress_prepend_size(bytes);
    let mut out = Vec::with_capacity(LZ4.len() + body.len());
    out.extend_from_slice(LZ4);
    out.extend_from_slice(&body);
    out
}

/// The bytes `stored` holds (packed by [`pack`], or stored as they are by older versions).
pub(super) fn unpack(stored: Vec<u8>) -> Result<Vec<u8>, Damaged> {
    let Some(body) = stored.strip_prefix(LZ4.as_slice()) else {
        return Ok(stored);
    };
    let size = body
        .first_chunk::<4>()
        .map(|s| u32::from_le_bytes(*s))
        .and_then(|s| usize::try_from(s).ok())
        .ok_or_else(|| Damaged {
            detail: "truncated size".into(),
        })?;
    if size > MAX_UNPACKED {
        return Err(Damaged {
            detail: format!("claims {size} bytes"),
        });
    }
    lz4_flex::block::decompress_size_prepended(body).map_err(|e| Damaged {
        detail: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn packed_bytes_come_back_and_old_records_read_as_they_are() {
        let component = b"\0asm\x0d\0\x01\0 and the rest of a component".repeat(100);
        let packed = pack(&component);
        assert!(packed.len() < component.len() / 4, "{}", packed.len());
        assert_eq!(unpack(packed).unwrap(), component);
        assert_eq!(unpack(component.clone()).unwrap(), component);
        assert_eq!(unpack(b"SWYDPOL1...".to_vec()).unwrap(), b"SWYDPOL1...");
    }

    #[test]
    fn damage_is_an_error_not_a_panic_or_a_huge_allocation() {
        let mut packed = pack(&[7u8; 10_000]);
        packed.truncate(packed.len() - 3);
        assert!(unpack(packed).is_err());
        let absurd = [LZ4.as_slice(), &u32::MAX.to_le_bytes(), b"x"].concat();
        assert!(unpack(absurd).unwrap_err().to_string().contains("claims"));
        assert!(unpack(LZ4.to_vec()).is_err());
    }
}
