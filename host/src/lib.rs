//! Switchyard service.
