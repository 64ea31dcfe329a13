//! fewest-calls policy.
