//! The directory's error type: what went wrong, phrased for the person who must act, with a
//! stable machine-readable code and a hint. The HTTP layer maps each variant to a status.

use crate::store::StoreError;

/// Why a directory operation failed.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// The input is malformed or breaks a rule (bad E.164, unknown time zone, overlapping
    /// schedule windows, ...).
    #[error("{message}")]
    Invalid {
        /// Stable code, e.g. `invalid_number`.
        code: &'static str,
        /// What was wrong.
        message: String,
        /// How to fix it.
        hint: String,
    },
    /// The record does not exist, or the caller may not know that it exists.
    #[error("{what} {id} not found")]
    NotFound {
        /// Kind of record (`company`, `agent`, ...).
        what: &'static str,
        /// The id that was asked for.
        id: String,
    },
    /// The caller is known but its token does not allow this.
    #[error("{message}")]
    Forbidden {
        /// What was refused.
        message: String,
        /// Which token would be allowed, or what to do instead.
        hint: String,
    },
    /// The change conflicts with existing data (identity already in use, extension taken,
    /// number held by another company, ...).
    #[error("{message}")]
    Conflict {
        /// Stable code, e.g. `already_in_use`.
        code: &'static str,
        /// What conflicts with what.
        message: String,
        /// How to resolve it.
        hint: String,
    },
    /// The storage backend failed; details are logged, not shown to clients.
    #[error("storage failed")]
    Storage(#[from] StoreError),
}

impl DirectoryError {
    /// An [`DirectoryError::Invalid`] error.
    pub fn invalid(
        code: &'static str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Self::Invalid {
            code,
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// A [`DirectoryError::Conflict`] error.
    pub fn conflict(
        code: &'static str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// A [`DirectoryError::Forbidden`] error.
    pub fn forbidden(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self::Forbidden {
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// A [`DirectoryError::NotFound`] error.
    pub fn not_found(what: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            what,
            id: id.to_string(),
        }
    }

    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid { code, .. } | Self::Conflict { code, .. } => code,
            Self::NotFound { .. } => "not_found",
            Self::Forbidden { .. } => "forbidden",
            Self::Storage(_) => "internal",
        }
    }

    /// What to do about this error.
    pub fn hint(&self) -> String {
        match self {
            Self::Invalid { hint, .. }
            | Self::Conflict { hint, .. }
            | Self::Forbidden { hint, .. } => hint.clone(),
            Self::NotFound { what, .. } => {
                format!(
                    "check the {what} id; records of other tenants are not visible to this token"
                )
            }
            Self::Storage(_) => "retry later; the service log has the details".to_owned(),
        }
    }
}

/// Result of a directory operation.
pub type Result<T, E = DirectoryError> = std::result::Result<T, E>;
