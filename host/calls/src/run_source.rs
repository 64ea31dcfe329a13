//! Where a decision came from: the company's policy, the built-in default (no policy), or the
//! built-in fallback in place of a policy that failed, and why. Logged and traced as text
//! (`policy`, `built-in`, `fallback:<why>`), the form the API has always answered.

use std::fmt;
use std::str::FromStr;

use switchyard_runtime::FailureKind;

/// Where a decision came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum RunSource {
    /// The company's policy answered.
    Policy,
    /// The company has no policy: the built-in default answered.
    BuiltIn,
    /// The built-in fallback answered in place of the company's policy.
    Fallback(FallbackCause),
}

/// Why the fallback answered in place of a company's policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FallbackCause {
    /// The policy ran and failed.
    Failed(FailureKind),
    /// The policy failed too often lately and is quarantined for a while.
    Quarantined,
    /// The policy could not be loaded.
    Unloadable,
}

impl RunSource {
    /// Whether the fallback answered in place of a policy.
    pub fn is_fallback(self) -> bool {
        matches!(self, Self::Fallback(_))
    }
}

impl fmt::Display for RunSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Policy => f.write_str("policy"),
            Self::BuiltIn => f.write_str("built-in"),
            Self::Fallback(FallbackCause::Failed(kind)) => write!(f, "fallback:{}", kind.as_str()),
            Self::Fallback(FallbackCause::Quarantined) => f.write_str("fallback:quarantined"),
            Self::Fallback(FallbackCause::Unloadable) => f.write_str("fallback:unloadable"),
        }
    }
}

/// A text that names no source a decision can have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a decision's source (policy, built-in or fallback:<why>)")]
pub struct UnknownSource(String);

impl FromStr for RunSource {
    type Err = UnknownSource;

    fn from_str(text: &str) -> Result<Self, UnknownSource> {
        let cause = match text {
            "policy" => return Ok(Self::Policy),
            "built-in" => return Ok(Self::BuiltIn),
            "fallback:quarantined" => FallbackCause::Quarantined,
            "fallback:unloadable" => FallbackCause::Unloadable,
            _ => {
                let kind = text
                    .strip_prefix("fallback:")
                    .and_then(|why| FailureKind::ALL.into_iter().find(|k| k.as_str() == why));
                FallbackCause::Failed(kind.ok_or_else(|| UnknownSource(text.to_owned()))?)
            }
        };
        Ok(Self::Fallback(cause))
    }
}

impl From<RunSource> for String {
    fn from(source: RunSource) -> String {
        source.to_string()
    }
}

impl TryFrom<String> for RunSource {
    type Error = UnknownSource;

    fn try_from(text: String) -> Result<Self, UnknownSource> {
        text.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_reads_back_from_its_text() {
        let mut all = vec![
            RunSource::Policy,
            RunSource::BuiltIn,
            RunSource::Fallback(FallbackCause::Quarantined),
            RunSource::Fallback(FallbackCause::Unloadable),
        ];
        all.extend(
            FailureKind::ALL
                .into_iter()
                .map(|k| RunSource::Fallback(FallbackCause::Failed(k))),
        );
        for source in all {
            assert_eq!(source.to_string().parse(), Ok(source));
        }
        assert_eq!(
            RunSource::Fallback(FallbackCause::Failed(FailureKind::Deadline)).to_string(),
            "fallback:deadline"
        );
        assert!("fallback:nonsense".parse::<RunSource>().is_err());
        assert!("Policy".parse::<RunSource>().is_err());
    }
}
