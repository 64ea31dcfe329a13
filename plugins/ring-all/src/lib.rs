//! ring-all policy.
