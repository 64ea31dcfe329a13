//! The stored form of a component and of its precompiled artifact: zstd-compressed behind a
//! four-byte tag. A tenant's policy is stored twice (its bytes, kept for recompiling under
//! another wasmtime, and the artifact every load uses); the artifact is machine code, address
//! maps and page alignment, and zstd stores the pair in about 40 % of its size (LZ4: 57 %;
//! BENCHMARKS.md section 3). Decompressing (~0.5 ms for a Rust policy's artifact) is a small
//! part of the load it precedes. Bytes without the tag (records written before compression: a
//! component starts `\0asm`, an artifact `SWYDPOL1`) are read as they are.

/// Tag of a zstd frame.
const ZSTD: &[u8; 4] = b"SYZ\x02";

/// zstd level: 3 compresses a Rust policy's artifact to ~41 % at ~300 MB/s; higher levels gain
/// a few percent for several times the upload's time.
const LEVEL: i32 = 3;

/// Largest unpacked size accepted: damaged bytes must not allocate more. Artifacts of the
/// largest components (32 MiB of Python or JavaScript) are about 40 MB.
const MAX_UNPACKED: u64 = 256 << 20;

/// A stored record could not be packed or unpacked.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// The compressed bytes are damaged or unpack beyond [`MAX_UNPACKED`].
    #[error("damaged stored policy bytes")]
    Damaged(#[source] std::io::Error),
    /// The compressor failed.
    #[error("could not compress policy bytes")]
    Compress(#[source] std::io::Error),
}

/// The stored form of `bytes`.
///
/// # Errors
/// The compressor failed.
pub fn pack(bytes: &[u8]) -> Result<Vec<u8>, PackError> {
    let mut out = ZSTD.to_vec();
    let body = zstd::bulk::compress(bytes, LEVEL).map_err(PackError::Compress)?;
    out.extend_from_slice(&body);
    Ok(out)
}

/// The bytes `stored` holds (packed by [`pack`], or stored as they are by older versions).
///
/// # Errors
/// The packed bytes are damaged.
pub fn unpack(stored: Vec<u8>) -> Result<Vec<u8>, PackError> {
    let Some(body) = stored.strip_prefix(ZSTD.as_slice()) else {
        return Ok(stored);
    };
    // The frame names its size (`pack` compresses whole): one exact allocation, one pass.
    let size = zstd::zstd_safe::get_frame_content_size(body)
        .ok()
        .flatten()
        .ok_or_else(|| PackError::Damaged(std::io::Error::other("no content size")))?;
    if size > MAX_UNPACKED {
        return Err(PackError::Damaged(std::io::Error::other(format!(
            "claims {size} bytes"
        ))));
    }
    let size = usize::try_from(size).map_err(|e| PackError::Damaged(std::io::Error::other(e)))?;
    let out = zstd::bulk::decompress(body, size).map_err(PackError::Damaged)?;
    if out.len() != size {
        return Err(PackError::Damaged(std::io::Error::other(
            "shorter than its frame says",
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn packed_bytes_come_back_and_old_records_read_as_they_are() {
        let component = b"\0asm\x0d\0\x01\0 and the rest of a component".repeat(100);
        let packed = pack(&component).unwrap();
        assert!(packed.len() < component.len() / 4, "{}", packed.len());
        assert_eq!(unpack(packed).unwrap(), component);
        assert_eq!(unpack(component.clone()).unwrap(), component);
        assert_eq!(unpack(b"SWYDPOL1...".to_vec()).unwrap(), b"SWYDPOL1...");
    }

    #[test]
    fn damage_is_an_error_not_a_panic() {
        let mut packed = pack(&[7u8; 10_000]).unwrap();
        packed.truncate(packed.len() - 3);
        assert!(unpack(packed).is_err());
        assert!(unpack([ZSTD.as_slice(), b"not zstd"].concat()).is_err());
    }
}
