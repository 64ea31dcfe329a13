//! business-hours policy.
