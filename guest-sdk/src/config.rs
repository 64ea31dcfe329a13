//! Reading a policy's configuration string into a typed config.
//!
//! Configs are JSON objects; an empty or blank string means "all defaults".
//! Declare the config type with
//! `#[serde(deny_unknown_fields, default)]` and implement [`Default`], so a
//! misspelt field is an error and a missing one takes its default:
//!
//! ```
//! use serde::Deserialize;
//!
//! #[derive(Debug, Default, Deserialize)]
//! #[serde(deny_unknown_fields, default)]
//! struct Config {
//!     max_targets: Option<u32>,
//! }
//!
//! assert_eq!(switchyard_sdk::config::parse::<Config>("").unwrap().max_targets, None);
//! let err = switchyard_sdk::config::parse::<Config>(r#"{"max_target": 2}"#).unwrap_err();
//! assert!(err.to_string().contains("unknown field `max_target`"));
//! ```

use std::fmt;

use serde::de::DeserializeOwned;

use crate::{Level, host::Host};

/// Why a config was refused: it did not parse as the policy's config type (the message
/// names the offending field and suggests a fix), or the policy's own check refused it.
///
/// Build one from a message with [`ConfigError::new`] (or `"...".into()`), or from a serde
/// error with `?` / [`From`]. At the export it becomes the `check-config` error string the
/// person editing the config reads.
///
/// ```
/// use switchyard_sdk::config::ConfigError;
///
/// fn check_hours(open: u16, close: u16) -> Result<(), ConfigError> {
///     if close <= open {
///         return Err(ConfigError::new("`close` must be after `open`"));
///     }
///     Ok(())
/// }
/// assert_eq!(
///     check_hours(17, 9).unwrap_err().to_string(),
///     "invalid policy config: `close` must be after `open`"
/// );
/// ```
#[derive(Debug)]
pub struct ConfigError {
    path: String,
    cause: Cause,
}

/// What a [`ConfigError`] is made of.
#[derive(Debug)]
enum Cause {
    /// The JSON did not match the config type.
    Json(serde_json::Error),
    /// The policy's own explanation.
    Message(String),
}

impl ConfigError {
    /// The policy's own refusal, for the config as a whole.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            path: ".".into(),
            cause: Cause::Message(message.into()),
        }
    }

    /// A serde error found at `path` (`.` for the top level).
    fn json(path: impl Into<String>, source: serde_json::Error) -> Self {
        Self {
            path: path.into(),
            cause: Cause::Json(source),
        }
    }

    /// Where in the config the problem is, e.g. `hours[0].open`; `.` for the
    /// top level.
    pub fn path(&self) -> &str {
        &self.path
    }

    fn hint(&self) -> Option<&'static str> {
        use serde_json::error::Category;
        let Cause::Json(source) = &self.cause else {
            return None;
        };
        Some(match source.classify() {
            Category::Syntax | Category::Eof | Category::Io => {
                "write a JSON object such as {}, or leave the config empty for the defaults"
            }
            Category::Data if source.to_string().starts_with("unknown field") => {
                "fix the field's spelling or remove it"
            }
            Category::Data if self.path == "." => "the config must be a JSON object such as {}",
            Category::Data => "check the value against the policy's documented config",
        })
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what: &dyn fmt::Display = match &self.cause {
            Cause::Json(source) => source,
            Cause::Message(message) => message,
        };
        if self.path == "." {
            write!(f, "invalid policy config: {what}")?;
        } else {
            write!(f, "invalid policy config field `{}`: {what}", self.path)?;
        }
        if let Some(hint) = self.hint() {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.cause {
            Cause::Json(source) => Some(source),
            Cause::Message(_) => None,
        }
    }
}

/// Equal when they name the same place with the same message (handy in tests).
impl PartialEq for ConfigError {
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path && self.to_string() == other.to_string()
    }
}

impl From<serde_json::Error> for ConfigError {
    fn from(source: serde_json::Error) -> Self {
        Self::json(".", source)
    }
}

impl From<String> for ConfigError {
    fn from(message: String) -> Self {
        Self::new(message)
    }
}

impl From<&str> for ConfigError {
    fn from(message: &str) -> Self {
        Self::new(message)
    }
}

/// Parses `config` as `C`; an empty or blank string gives `C::default()`.
///
/// # Errors
/// [`ConfigError`] if `config` is not valid JSON or does not match `C`.
pub fn parse<C: DeserializeOwned + Default>(config: &str) -> Result<C, ConfigError> {
    if config.trim().is_empty() {
        return Ok(C::default());
    }
    if !config.trim_start().starts_with('{') {
        // serde would otherwise read a JSON array positionally into a struct.
        return Err(ConfigError::json(
            ".",
            serde::de::Error::custom("expected a JSON object"),
        ));
    }
    let mut de = serde_json::Deserializer::from_str(config);
    let value = serde_path_to_error::deserialize(&mut de)
        .map_err(|err| ConfigError::json(err.path().to_string(), err.into_inner()))?;
    de.end()?;
    Ok(value)
}

/// [`parse`] for [`Policy::check_config`](crate::Policy::check_config): `Ok`
/// or why the config does not parse as `C`.
///
/// # Errors
/// The [`ConfigError`] if `config` does not parse as `C`.
pub fn check<C: DeserializeOwned + Default>(config: &str) -> Result<(), ConfigError> {
    parse::<C>(config).map(drop)
}

/// Whether `config` is empty or any valid JSON value: the check of policies
/// without a config type.
///
/// # Errors
/// The [`ConfigError`] if `config` is not valid JSON.
pub fn check_json(config: &str) -> Result<(), ConfigError> {
    if config.trim().is_empty() {
        return Ok(());
    }
    serde_json::from_str::<serde::de::IgnoredAny>(config)?;
    Ok(())
}

/// [`parse`] for use while routing: a config that does not parse is logged at
/// error level and replaced by `C::default()`, so calls keep flowing.
///
/// The host checks configs with `check-config` before storing them, so this
/// only happens if a stored config predates a stricter policy version.
pub fn load<C: DeserializeOwned + Default>(host: &mut dyn Host, config: &str) -> C {
    parse(config).unwrap_or_else(|err| {
        host.log(Level::Error, &format!("{err}; using the default config"));
        C::default()
    })
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;
    use crate::MemoryHost;

    #[derive(Debug, Default, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields, default)]
    struct Config {
        name: String,
        inner: Inner,
    }

    #[derive(Debug, Default, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields, default)]
    struct Inner {
        count: u32,
    }

    #[test]
    fn empty_and_blank_mean_default() {
        assert_eq!(parse::<Config>("").unwrap(), Config::default());
        assert_eq!(parse::<Config>(" \n\t").unwrap(), Config::default());
        assert_eq!(parse::<Config>("{}").unwrap(), Config::default());
    }

    #[test]
    fn parses_nested_fields() {
        let c: Config = parse(r#"{"name": "x", "inner": {"count": 3}}"#).unwrap();
        assert_eq!(c.name, "x");
        assert_eq!(c.inner.count, 3);
    }

    #[test]
    fn type_error_names_the_nested_field() {
        let err = parse::<Config>(r#"{"inner": {"count": "three"}}"#).unwrap_err();
        assert_eq!(err.path(), "inner.count");
        let msg = err.to_string();
        assert!(msg.contains("`inner.count`"), "{msg}");
        assert!(msg.contains("invalid type"), "{msg}");
        assert!(msg.contains("hint:"), "{msg}");
    }

    #[test]
    fn unknown_field_is_named() {
        let msg = parse::<Config>(r#"{"nmae": "x"}"#).unwrap_err().to_string();
        assert!(msg.contains("unknown field `nmae`"), "{msg}");
        assert!(msg.contains("spelling"), "{msg}");
    }

    #[test]
    fn syntax_and_trailing_garbage_are_errors() {
        let msg = parse::<Config>("{").unwrap_err().to_string();
        assert!(msg.contains("JSON object"), "{msg}");
        assert!(parse::<Config>("{} {}").is_err());
        let msg = parse::<Config>("[]").unwrap_err().to_string();
        assert!(msg.contains("expected a JSON object"), "{msg}");
        assert!(parse::<Config>("3").is_err());
    }

    #[test]
    fn check_json_accepts_any_json_or_nothing() {
        assert_eq!(check_json(""), Ok(()));
        assert_eq!(check_json(r#"{"anything": [1, 2]}"#), Ok(()));
        assert_eq!(check_json("[]"), Ok(()));
        assert!(
            check_json("{")
                .unwrap_err()
                .to_string()
                .contains("invalid policy config")
        );
    }

    #[test]
    fn check_reports_the_message() {
        assert_eq!(check::<Config>(""), Ok(()));
        assert!(
            check::<Config>(r#"{"name": 1}"#)
                .unwrap_err()
                .to_string()
                .contains("`name`")
        );
    }

    #[test]
    fn a_policy_message_has_no_serde_hint() {
        let err = ConfigError::from("hours overlap");
        assert_eq!(err.path(), ".");
        assert_eq!(err.to_string(), "invalid policy config: hours overlap");
        assert!(std::error::Error::source(&err).is_none());
        let err = ConfigError::from(serde_json::from_str::<u8>("x").unwrap_err());
        assert!(err.to_string().contains("(hint:"), "{err}");
        assert!(std::error::Error::source(&err).is_some());
    }

    #[test]
    fn load_logs_and_falls_back_to_default() {
        let mut host = MemoryHost::new();
        let c: Config = load(&mut host, r#"{"name": 1}"#);
        assert_eq!(c, Config::default());
        assert_eq!(host.logs().len(), 1);
        assert_eq!(host.logs()[0].0, Level::Error);
    }
}
