//! longest-idle policy.
