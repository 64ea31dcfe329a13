//! The host's own JSON forms of what a policy is given and what it answers: the format of
//! simulation scenarios and answers, of logged decisions' inputs and of the trace endpoint.
//!
//! The WIT binding types (`switchyard_runtime::{Call, Candidate, Decision, ...}`) are the
//! contract with policies; these are the contract with people and with storage. They convert
//! to and from the WIT types at the edge (`From` both ways), so a change of the WIT contract
//! changes a conversion here, not the stored or the public format.
//!
//! Spelling: fields are snake_case (`now_unix_ms`), enum values kebab-case like the rest of the
//! call flow's JSON (`busy-elsewhere`, `no-answer`, `forward-department`, `sequential`). The
//! Rust spellings the host wrote before (`"BusyElsewhere"`, `"Ring"`, `"Monday"`) still read.
//!
//! - `call`: [`Call`], [`Attribute`], [`Weekday`].
//! - `candidate`: [`Candidate`] (skills as bits) and [`CandidateInput`] (skills as bits or
//!   names), [`Role`], [`Status`], [`Presence`].
//! - `decision`: the answer to `route`: [`Decision`], [`RingPlan`], [`RingTarget`],
//!   [`RingMode`], [`OverflowReason`].
//! - `overflow`: the answer to `overflow`: [`OverflowAction`], [`QueueSpec`].
//! - `log`: a line the policy logged ([`GuestLog`], [`Level`]).
//! - `skills`: [`resolve`], candidates' skill names into the bits a policy is given.

/// `From` both ways between a fieldless enum of this module and its WIT twin with the same
/// case names.
macro_rules! twin_enum {
    ($ours:ident, $wit:ty { $($case:ident),+ $(,)? }) => {
        impl From<$wit> for $ours {
            fn from(value: $wit) -> Self {
                match value {
                    $(<$wit>::$case => Self::$case,)+
                }
            }
        }

        impl From<$ours> for $wit {
            fn from(value: $ours) -> Self {
                match value {
                    $($ours::$case => Self::$case,)+
                }
            }
        }
    };
}

mod call;
mod candidate;
mod decision;
mod log;
mod overflow;
mod skills;

pub use call::{Attribute, Call, Weekday};
pub use candidate::{Candidate, CandidateInput, Presence, Role, Skills, Status};
pub use decision::{Decision, OverflowReason, RingMode, RingPlan, RingTarget};
pub use log::{GuestLog, Level};
pub use overflow::{OverflowAction, QueueSpec};
pub use skills::{ResolveError, resolve};
