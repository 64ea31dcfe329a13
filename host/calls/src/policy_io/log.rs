//! A line a policy logged during a decision, as simulation answers show it.

use serde::{Deserialize, Serialize};
use switchyard_runtime::{self as wit, LogSource};

/// Log severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Trace.
    #[serde(alias = "Trace")]
    Trace,
    /// Debug.
    #[serde(alias = "Debug")]
    Debug,
    /// Info.
    #[serde(alias = "Info")]
    Info,
    /// Warning.
    #[serde(alias = "Warn")]
    Warn,
    /// Error.
    #[serde(alias = "Error")]
    Error,
}

twin_enum!(
    Level,
    wit::Level {
        Trace,
        Debug,
        Info,
        Warn,
        Error
    }
);

/// One captured line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestLog {
    /// Severity (stdout lines are `info`, stderr lines `warn`).
    pub level: Level,
    /// Where the line came from (`log`, `stdout`, `stderr`, `host`).
    pub source: LogSource,
    /// The text, possibly cut short.
    pub message: String,
}

impl From<wit::GuestLog> for GuestLog {
    fn from(l: wit::GuestLog) -> Self {
        Self {
            level: l.level.into(),
            source: l.source,
            message: l.message,
        }
    }
}
