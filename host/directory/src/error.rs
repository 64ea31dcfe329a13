//! The directory's error types: [`DirectoryError`], what went wrong, phrased for the person
//! who must act, with a stable machine-readable code and a hint (the HTTP layer maps each
//! variant to a status); and [`StoreError`], a storage backend's failure.

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

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend failed (I/O, corruption detected by the engine, ...). The message repeats
    /// the source's, since callers log the message alone.
    #[error("storage backend: {0}")]
    Backend(#[source] sled::Error),
    /// An earlier write through this store failed, so what it staged may not be on disk;
    /// reported by the next sync, which cannot vouch for it.
    #[error("an earlier write failed: what it staged may not be on disk")]
    EarlierWriteFailed,
    /// PostgreSQL refused a statement (not a lost connection: see
    /// [`StoreError::Unavailable`]).
    #[error("postgresql: {0}")]
    Postgres(#[source] tokio_postgres::Error),
    /// The database could not be reached, or did not answer within the store's timeout.
    /// Nothing of the operation was committed unless the database says otherwise later; the
    /// caller may retry.
    #[error("database unavailable: {detail}")]
    Unavailable {
        /// What failed (connecting, the timeout, a dropped connection).
        detail: String,
        /// The client's error, when there was one (not for a timeout).
        #[source]
        source: Option<tokio_postgres::Error>,
    },
    /// The system's random source failed (a token secret could not be drawn).
    #[error("no randomness from the system: {0}")]
    Randomness(#[source] getrandom::Error),
    /// A stored value could not be decoded.
    #[error("corrupt record in {tree}: {detail}")]
    Corrupt {
        /// Where.
        tree: &'static str,
        /// What.
        detail: String,
    },
    /// A unique index entry is held by another record; nothing was written.
    #[error("index {index} entry {key} is held by another record")]
    IndexConflict {
        /// The index.
        index: &'static str,
        /// The contested key, readable.
        key: String,
    },
}
