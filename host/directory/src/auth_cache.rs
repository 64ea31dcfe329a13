//! [`PrincipalCache`]: recently authenticated tokens and the principal each stands for, so a
//! request does not read its token (and agent) from the store again while the directory has
//! not changed. Any committed directory write moves the directory's generation and empties the
//! cache before its next use, so a revoked token, a rotated one or a deactivated agent is
//! refused at once. Unknown secrets are never cached.

use std::collections::HashMap;

use crate::principal::Principal;
use crate::token::TokenHash;

/// Most principals kept; past it the cache starts over.
const CAPACITY: usize = 16_384;

/// Principals by token hash, valid for one directory generation.
#[derive(Debug, Default)]
pub(crate) struct PrincipalCache {
    generation: u64,
    principals: HashMap<TokenHash, Principal>,
}

impl PrincipalCache {
    /// The cached principal of `hash`, if cached at `generation`.
    pub(crate) fn get(&self, generation: u64, hash: &TokenHash) -> Option<Principal> {
        if self.generation != generation {
            return None;
        }
        self.principals.get(hash).cloned()
    }

    /// Remembers `principal` read at `generation` (the generation read before the store was).
    /// A read from before a newer generation is dropped.
    pub(crate) fn put(&mut self, generation: u64, hash: TokenHash, principal: Principal) {
        if generation > self.generation {
            self.principals.clear();
            self.generation = generation;
        }
        if generation < self.generation {
            return;
        }
        if self.principals.len() >= CAPACITY {
            self.principals.clear();
        }
        self.principals.insert(hash, principal);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_generation_empties_the_cache_and_stale_reads_are_dropped() {
        let mut cache = PrincipalCache::default();
        let hash = TokenHash::of("sy_secret");
        cache.put(1, hash, Principal::Operator);
        assert_eq!(cache.get(1, &hash), Some(Principal::Operator));
        assert_eq!(cache.get(2, &hash), None);
        cache.put(2, TokenHash::of("sy_other"), Principal::Operator);
        assert_eq!(cache.get(2, &hash), None, "emptied by the newer generation");
        cache.put(1, hash, Principal::Operator);
        assert_eq!(
            cache.get(2, &hash),
            None,
            "a read from an older generation is dropped"
        );
    }
}
