//! Per-decision guest logs: lines from `host.log`, stdout and stderr, kept within a
//! budget (at most [`MAX_LOG_LINES`] lines and [`MAX_LOG_BYTES`] bytes) so a chatty or
//! hostile policy cannot flood the host. When something is dropped a final marker
//! line says how much.

use serde::{Deserialize, Serialize};

use crate::bindings::Level;

/// Most guest lines kept per decision (the truncation marker comes on top).
pub const MAX_LOG_LINES: usize = 64;
/// Most bytes of guest text kept per decision.
pub const MAX_LOG_BYTES: usize = 8 * 1024;

/// Where a log line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogSource {
    /// The policy called `host.log`.
    Log,
    /// The policy wrote to stdout.
    Stdout,
    /// The policy wrote to stderr (panic messages land here).
    Stderr,
    /// The host itself (the truncation marker).
    Host,
}

/// One captured line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestLog {
    /// Severity (stdout lines are `info`, stderr lines `warn`).
    pub level: Level,
    /// Where the line came from.
    pub source: LogSource,
    /// The text, possibly cut short to fit the budget.
    pub message: String,
}

/// Collects lines within the budget and counts what it had to drop.
#[derive(Debug, Default)]
pub(crate) struct LogBuffer {
    lines: Vec<GuestLog>,
    bytes: usize,
    dropped_lines: usize,
    dropped_bytes: usize,
}

impl LogBuffer {
    /// Adds a line if the budget allows, cutting it at a char boundary if only part
    /// of it fits.
    pub(crate) fn push(&mut self, level: Level, source: LogSource, message: &str) {
        let room = MAX_LOG_BYTES - self.bytes;
        if self.lines.len() >= MAX_LOG_LINES || room == 0 {
            self.dropped_lines += 1;
            self.dropped_bytes += message.len();
            return;
        }
        let kept = floor_char_boundary(message, room);
        self.dropped_bytes += message.len() - kept.len();
        self.bytes += kept.len();
        self.lines.push(GuestLog {
            level,
            source,
            message: kept.to_owned(),
        });
    }

    /// Adds captured stdout/stderr bytes, one entry per line. `lost` is how many
    /// bytes the capture pipe itself had to drop.
    pub(crate) fn push_output(
        &mut self,
        level: Level,
        source: LogSource,
        text: &[u8],
        lost: usize,
    ) {
        let text = String::from_utf8_lossy(text);
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            self.push(level, source, line);
        }
        self.dropped_bytes += lost;
    }

    /// The kept lines, plus a marker line if anything was dropped.
    pub(crate) fn finish(mut self) -> Vec<GuestLog> {
        if self.dropped_lines > 0 || self.dropped_bytes > 0 {
            self.lines.push(GuestLog {
                level: Level::Warn,
                source: LogSource::Host,
                message: format!(
                    "log truncated: {} line(s) and {} byte(s) dropped (limit {} lines, {} bytes)",
                    self.dropped_lines, self.dropped_bytes, MAX_LOG_LINES, MAX_LOG_BYTES
                ),
            });
        }
        self.lines
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a char boundary.
pub(crate) fn floor_char_boundary(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_over_the_budget_are_dropped_and_marked() {
        let mut logs = LogBuffer::default();
        for i in 0..MAX_LOG_LINES + 5 {
            logs.push(Level::Info, LogSource::Log, &format!("line {i}"));
        }
        let lines = logs.finish();
        assert_eq!(lines.len(), MAX_LOG_LINES + 1);
        let marker = lines.last().unwrap();
        assert_eq!(marker.source, LogSource::Host);
        assert!(marker.message.contains("5 line(s)"), "{}", marker.message);
    }

    #[test]
    fn bytes_over_the_budget_are_cut_at_a_char_boundary() {
        let mut logs = LogBuffer::default();
        logs.push(Level::Info, LogSource::Log, &"é".repeat(MAX_LOG_BYTES));
        let lines = logs.finish();
        assert_eq!(lines[0].message.len(), MAX_LOG_BYTES);
        assert!(lines[1].message.contains("byte(s) dropped"));
    }

    #[test]
    fn output_is_split_into_lines_and_blank_lines_skipped() {
        let mut logs = LogBuffer::default();
        logs.push_output(Level::Warn, LogSource::Stderr, b"a\n\nb\n", 0);
        let lines = logs.finish();
        let text: Vec<_> = lines.iter().map(|l| l.message.as_str()).collect();
        assert_eq!(text, ["a", "b"]);
    }
}
