//! The stored form of a call log: JSON compressed with LZ4 behind a one-byte format tag.
//! A log carries every decision's inputs and a trace line per member, so a department of 60
//! agents makes tens of kilobytes of repetitive JSON; compressed, it is several times smaller,
//! which is what the database copies, splits and syncs on every finished call. Records written
//! before compression (plain JSON) are still read.

use super::CallLog;

/// Format tag of an LZ4-compressed JSON record.
const LZ4_JSON: u8 = 1;
/// Largest decompressed record accepted (a corrupted size prefix must not allocate more).
const MAX_DECODED: usize = 64 * 1024 * 1024;

/// Why a stored record could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum LogCodecError {
    /// The record is not JSON, nor a known compressed format.
    #[error("unknown call log format (first byte {0:#04x})")]
    UnknownFormat(u8),
    /// The record is empty.
    #[error("empty call log record")]
    Empty,
    /// The compressed body is damaged or claims an absurd size.
    #[error("damaged compressed call log: {0}")]
    Damaged(String),
    /// The JSON inside does not describe a call log.
    #[error("call log JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// The stored bytes of `log`.
pub fn encode(log: &CallLog) -> Result<Vec<u8>, LogCodecError> {
    encode_json(log)
}

/// The call log stored as `bytes`.
pub fn decode(bytes: &[u8]) -> Result<CallLog, LogCodecError> {
    decode_json(bytes)
}

/// Any record as LZ4-compressed JSON behind the format tag (live calls and their decisions
/// are stored this way too).
pub fn encode_json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, LogCodecError> {
    let json = serde_json::to_vec(value)?;
    let mut out = Vec::with_capacity(1 + 4 + json.len() / 3);
    out.push(LZ4_JSON);
    out.extend_from_slice(&lz4_flex::block::compress_prepend_size(&json));
    Ok(out)
}

/// A record stored by [`encode_json`] (or as plain JSON).
pub fn decode_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, LogCodecError> {
    match bytes.first() {
        None => Err(LogCodecError::Empty),
        Some(b'{') => Ok(serde_json::from_slice(bytes)?),
        Some(&LZ4_JSON) => {
            let body = &bytes[1..];
            let size = body
                .get(0..4)
                .and_then(|s| s.try_into().ok())
                .map(u32::from_le_bytes)
                .ok_or_else(|| LogCodecError::Damaged("missing size".into()))?;
            if usize::try_from(size).map_or(true, |s| s > MAX_DECODED) {
                return Err(LogCodecError::Damaged(format!("claims {size} bytes")));
            }
            let json = lz4_flex::block::decompress_size_prepended(body)
                .map_err(|e| LogCodecError::Damaged(e.to_string()))?;
            Ok(serde_json::from_slice(&json)?)
        }
        Some(&other) => Err(LogCodecError::UnknownFormat(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CallLog {
        serde_json::from_value(serde_json::json!({
            "seq": 7, "call_id": "c-1", "company_id": 3, "department_id": 4,
            "number": "+14155550100", "caller": "+14155550199",
            "started_ms": 1, "ended_ms": 2, "outcome": "answered", "answered_by": 9,
            "answered_extension": "201", "wait_ms": 5, "ring_ms": 5, "talk_ms": 60000,
            "offers": [], "overflows": [], "decisions": []
        }))
        .unwrap()
    }

    #[test]
    fn round_trips_and_reads_plain_json() {
        let log = sample();
        let stored = encode(&log).unwrap();
        assert_eq!(stored[0], LZ4_JSON);
        assert_eq!(decode(&stored).unwrap(), log);
        let plain = serde_json::to_vec(&log).unwrap();
        assert_eq!(decode(&plain).unwrap(), log);
    }

    #[test]
    fn damaged_records_are_errors_not_panics() {
        assert!(matches!(decode(&[]), Err(LogCodecError::Empty)));
        assert!(matches!(
            decode(&[9, 1]),
            Err(LogCodecError::UnknownFormat(9))
        ));
        assert!(decode(&[LZ4_JSON, 0xff, 0xff, 0xff, 0x7f, 1, 2]).is_err());
        assert!(decode(&[LZ4_JSON, 1]).is_err());
        let mut stored = encode(&sample()).unwrap();
        stored.truncate(stored.len() / 2);
        assert!(decode(&stored).is_err());
    }
}
