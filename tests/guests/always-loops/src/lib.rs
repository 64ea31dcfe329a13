//! `always-loops`: a test-only policy whose every `route` spins until the host's deadline, so
//! an upload of it fails the smoke decision. Never shipped.

use switchyard_sdk::{Call, Candidate, Decision, Host, Policy};

/// Never answers.
pub struct AlwaysLoops;

impl Policy for AlwaysLoops {
    fn route(
        _host: &mut dyn Host,
        _call: &Call,
        _candidates: &[Candidate],
        _config: &str,
    ) -> Decision {
        let mut n: u64 = 0;
        loop {
            n = std::hint::black_box(n.wrapping_add(1));
        }
    }
}

switchyard_sdk::export_policy!(AlwaysLoops);
