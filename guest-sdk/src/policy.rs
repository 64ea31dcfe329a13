//! The [`Policy`] trait: what a routing policy implements.

use crate::{
    Call, Candidate, Decision, OverflowAction, OverflowReason, Subject, View, Viewer, config,
    defaults, host::Host,
};

/// A company's routing policy.
///
/// Implement it on a unit struct and pass that struct to
/// [`export_policy!`](crate::export_policy). Every function receives the
/// company's configuration string (JSON, possibly empty) and, where the host
/// offers it, a [`Host`] for logging and persistent state.
///
/// Only [`Policy::route`] is required; the others default to [`defaults`] and a
/// plain JSON syntax check.
pub trait Policy {
    /// Whom to ring for `call`, given one candidate per member of the target
    /// department.
    fn route(host: &mut dyn Host, call: &Call, candidates: &[Candidate], config: &str) -> Decision;

    /// What to do when nobody can take the call.
    fn overflow(
        host: &mut dyn Host,
        call: &Call,
        reason: OverflowReason,
        config: &str,
    ) -> OverflowAction {
        let _ = (host, config);
        defaults::overflow(call, reason)
    }

    /// What `viewer` may see of `subject` on the company's presence board.
    fn visibility(host: &mut dyn Host, viewer: &Viewer, subject: &Subject, config: &str) -> View {
        let _ = (host, config);
        defaults::visibility(viewer, subject)
    }

    /// Checks a configuration before the host stores it.
    ///
    /// The default accepts an empty string or any valid JSON. Policies with a
    /// config type should override it with [`config::check`]; a rule serde cannot express
    /// refuses with [`ConfigError::new`](config::ConfigError::new). The host shows the
    /// error's message to the person editing the config.
    fn check_config(config: &str) -> Result<(), config::ConfigError> {
        config::check_json(config)
    }
}
