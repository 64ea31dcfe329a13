//! round-robin policy.
