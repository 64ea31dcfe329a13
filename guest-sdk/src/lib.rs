//! Switchyard guest SDK.
