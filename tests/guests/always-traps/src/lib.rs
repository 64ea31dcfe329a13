//! `always-traps`: a test-only policy whose every `route` panics, so an upload of it fails the
//! smoke decision. Never shipped.

use switchyard_sdk::{Call, Candidate, Decision, Host, Policy};

/// Panics on every call.
pub struct AlwaysTraps;

impl Policy for AlwaysTraps {
    fn route(
        _host: &mut dyn Host,
        _call: &Call,
        _candidates: &[Candidate],
        _config: &str,
    ) -> Decision {
        panic!("always-traps: this policy fails every decision")
    }
}

switchyard_sdk::export_policy!(AlwaysTraps);
