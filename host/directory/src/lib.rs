//! Tenant directory stored in sled.
