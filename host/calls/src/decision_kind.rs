//! What a decision was, in one word: ring, ring with nobody reservable, or overflow for a
//! reason. Logged, traced and counted as text (`ring`, `ring:nobody-reservable`,
//! `overflow:<reason>`), the form the API has always answered.

use std::fmt;
use std::str::FromStr;

use switchyard_runtime::OverflowReason;

use super::overflow::{REASONS, reason_name};

/// What a decision was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum DecisionKind {
    /// The policy chose agents and at least one was offered the call.
    Ring,
    /// The policy chose agents, but none could be reserved (all taken by other calls).
    NobodyReservable,
    /// The policy decided to overflow, for this reason.
    Overflow(OverflowReason),
}

impl fmt::Display for DecisionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ring => f.write_str("ring"),
            Self::NobodyReservable => f.write_str("ring:nobody-reservable"),
            Self::Overflow(reason) => write!(f, "overflow:{}", reason_name(*reason)),
        }
    }
}

/// A text that names no kind of decision.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a decision (ring, ring:nobody-reservable or overflow:<reason>)")]
pub struct UnknownDecision(String);

impl FromStr for DecisionKind {
    type Err = UnknownDecision;

    fn from_str(text: &str) -> Result<Self, UnknownDecision> {
        match text {
            "ring" => Ok(Self::Ring),
            "ring:nobody-reservable" => Ok(Self::NobodyReservable),
            _ => text
                .strip_prefix("overflow:")
                .and_then(|name| REASONS.into_iter().find(|r| reason_name(*r) == name))
                .map(Self::Overflow)
                .ok_or_else(|| UnknownDecision(text.to_owned())),
        }
    }
}

impl From<DecisionKind> for String {
    fn from(kind: DecisionKind) -> String {
        kind.to_string()
    }
}

impl TryFrom<String> for DecisionKind {
    type Error = UnknownDecision;

    fn try_from(text: String) -> Result<Self, UnknownDecision> {
        text.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_text() {
        let mut all = vec![DecisionKind::Ring, DecisionKind::NobodyReservable];
        all.extend(REASONS.into_iter().map(DecisionKind::Overflow));
        for kind in all {
            assert_eq!(kind.to_string().parse(), Ok(kind));
        }
        assert_eq!(
            DecisionKind::Overflow(OverflowReason::AllBusy).to_string(),
            "overflow:all-busy"
        );
        assert!("overflow:bored".parse::<DecisionKind>().is_err());
    }
}
