//! Ready-made inputs for native unit tests of policies.
//!
//! Start from [`call`] and [`candidate`] and change what the test is about
//! with struct update syntax:
//!
//! ```
//! use switchyard_sdk::{Candidate, testing};
//! let busy = Candidate { idle_ms: 0, ..testing::candidate(7) };
//! assert_eq!(busy.agent, 7);
//! ```

use crate::{Call, Candidate, Presence, Role, Status, Weekday};

/// A first-attempt call on a Wednesday at 10:00 company time, to department
/// 10 of company 1, nobody tried yet, no attributes.
pub fn call() -> Call {
    Call {
        id: "call-1".into(),
        company: 1,
        dialled_number: "+15550100".into(),
        caller: "+15550199".into(),
        department: 10,
        attempt: 1,
        waited_ms: 0,
        now_unix_ms: 1_700_000_000_000,
        local_weekday: Weekday::Wednesday,
        local_minute: 10 * 60,
        seed: 42,
        tried: Vec::new(),
        attributes: Vec::new(),
    }
}

/// An eligible first-tier agent: available, taking calls, in schedule, idle
/// for 0 ms, no calls and no talk time today, no skills.
pub fn candidate(agent: u64) -> Candidate {
    Candidate {
        agent,
        extension: format!("{}", 100 + agent),
        role: Role::Agent,
        tier: 1,
        skills: Vec::new(),
        status: Status::Available,
        take_calls: true,
        in_schedule: true,
        presence: Presence::Idle,
        idle_ms: 0,
        calls_today: 0,
        talk_ms_today: 0,
    }
}
