//! Bearer tokens: random secrets handed out once, stored only as SHA-256 hashes with the
//! scope they grant.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{DirectoryError, Result, StoreError};
use crate::principal::Scope;

/// Prefix of every secret this service issues, so leaked tokens are easy to grep for.
pub const TOKEN_PREFIX: &str = "sy_";
/// Shortest token accepted from configuration (`--operator-token`).
pub const MIN_CONFIGURED_TOKEN: usize = 16;

/// SHA-256 of a token secret: the key a token is stored under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash(pub [u8; 32]);

impl TokenHash {
    /// The hash of `secret`.
    pub fn of(secret: &str) -> Self {
        Self(Sha256::digest(secret.as_bytes()).into())
    }
}

/// A stored token: what it grants, never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenRecord {
    /// Token id (for listing, rebinding and revoking).
    pub id: u64,
    /// What the token grants.
    pub scope: Scope,
    /// Free-form label given at creation.
    pub label: Option<String>,
    /// Creation time, unix milliseconds.
    pub created_ms: u64,
}

/// A fresh random secret: `sy_` and 64 hex digits (256 bits).
pub fn generate_secret() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| DirectoryError::Storage(StoreError::Randomness(e)))?;
    Ok(format!("{TOKEN_PREFIX}{}", hex::encode(bytes)))
}

/// Milliseconds since the unix epoch, now.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_hashes_stable() {
        let a = generate_secret().unwrap();
        let b = generate_secret().unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX) && a.len() == 67);
        assert_eq!(TokenHash::of(&a), TokenHash::of(&a));
        assert_ne!(TokenHash::of(&a), TokenHash::of(&b));
    }
}
