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
//!
//! Give candidates skills with [`skills`], which adds the names to the call's
//! department skills and returns the candidate's bits:
//!
//! ```
//! use switchyard_sdk::{Candidate, testing};
//! let mut call = testing::call();
//! let asha = Candidate { skills: testing::skills(&mut call, &["hindi"]), ..testing::candidate(1) };
//! assert!(asha.has_skill(&call, "hindi"));
//! ```

use crate::{Call, Candidate, Presence, Role, SkillSet, Status, Weekday, skills::MAX_SKILLS};

/// A first-attempt call on a Wednesday at 10:00 company time, to department
/// 10 of company 1, nobody tried yet, no attributes, no department skills.
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
        skills: Vec::new(),
    }
}

/// An eligible first-tier agent: available, taking calls, in schedule, idle
/// for 0 ms, no calls and no talk time today, no skills.
pub fn candidate(agent: u64) -> Candidate {
    Candidate {
        agent,
        role: Role::Agent,
        tier: 1,
        skills: 0,
        status: Status::Available,
        take_calls: true,
        in_schedule: true,
        presence: Presence::Idle,
        idle_ms: 0,
        calls_today: 0,
        talk_ms_today: 0,
    }
}

/// The skill set of `names` in `call`: names the call's department does not
/// list yet are added to `call.skills` (as the host does for the members of a
/// department), so candidates built for one call share its bits.
///
/// # Panics
/// If the call would list more than [`MAX_SKILLS`] names.
pub fn skills(call: &mut Call, names: &[&str]) -> SkillSet {
    names.iter().fold(0, |set, name| {
        let bit = match call.skills.iter().position(|s| s == name) {
            Some(bit) => bit,
            None => {
                call.skills.push((*name).to_owned());
                call.skills.len() - 1
            }
        };
        assert!(bit < MAX_SKILLS, "a call lists at most {MAX_SKILLS} skills");
        set | 1 << bit
    })
}
