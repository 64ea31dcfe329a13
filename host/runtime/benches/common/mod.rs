//! Inputs shared by the policy benches: a call and a realistic department of N candidates, in
//! the host's types and in the SDK's (guest-side) types for the native runs.

#![allow(dead_code)]

use switchyard_runtime::{Call, Candidate, Presence, Role, Status, Weekday};

pub const SIZES: [usize; 3] = [10, 100, 1000];

pub fn call() -> Call {
    Call {
        id: "bench-call".into(),
        company: 1,
        dialled_number: "+442071234567".into(),
        caller: "+447700900123".into(),
        department: 10,
        attempt: 1,
        waited_ms: 0,
        now_unix_ms: 1_700_000_000_000,
        local_weekday: Weekday::Tuesday,
        local_minute: 600,
        seed: 7,
        tried: vec![],
        attributes: vec![],
        skills: vec!["english".into(), "billing".into()],
    }
}

/// A realistic department: mostly idle agents, some on calls, on break or off
/// schedule, with a couple of skills each.
pub fn candidates(n: usize) -> Vec<Candidate> {
    (0..n as u64)
        .map(|i| Candidate {
            agent: 1_000 + i,
            role: Role::Agent,
            tier: 1 + (i % 3) as u8,
            // Both of the call's skills, `english` and `billing`.
            skills: 0b11,
            status: if i % 7 == 0 {
                Status::OnBreak
            } else {
                Status::Available
            },
            take_calls: true,
            in_schedule: i % 11 != 0,
            presence: if i % 5 == 0 {
                Presence::OnCall
            } else {
                Presence::Idle
            },
            idle_ms: (i * 7_919) % 600_000,
            calls_today: (i % 40) as u32,
            talk_ms_today: i * 1_000,
        })
        .collect()
}

/// The same inputs as the SDK's (guest-side) types.
pub mod sdk {
    use switchyard_sdk as s;

    pub fn call(c: &switchyard_runtime::Call) -> s::Call {
        s::Call {
            id: c.id.clone(),
            company: c.company,
            dialled_number: c.dialled_number.clone(),
            caller: c.caller.clone(),
            department: c.department,
            attempt: c.attempt,
            waited_ms: c.waited_ms,
            now_unix_ms: c.now_unix_ms,
            local_weekday: s::Weekday::Tuesday,
            local_minute: c.local_minute,
            seed: c.seed,
            tried: c.tried.clone(),
            attributes: vec![],
            skills: c.skills.clone(),
        }
    }

    pub fn candidate(c: &switchyard_runtime::Candidate) -> s::Candidate {
        use switchyard_runtime::{Presence as P, Status as S};
        s::Candidate {
            agent: c.agent,
            role: s::Role::Agent,
            tier: c.tier,
            skills: c.skills,
            status: match c.status {
                S::Available => s::Status::Available,
                S::Unavailable => s::Status::Unavailable,
                S::OnBreak => s::Status::OnBreak,
            },
            take_calls: c.take_calls,
            in_schedule: c.in_schedule,
            presence: match c.presence {
                P::LoggedOut => s::Presence::LoggedOut,
                P::Idle => s::Presence::Idle,
                P::Ringing => s::Presence::Ringing,
                P::OnCall => s::Presence::OnCall,
                P::WrapUp => s::Presence::WrapUp,
                P::BusyElsewhere => s::Presence::BusyElsewhere,
            },
            idle_ms: c.idle_ms,
            calls_today: c.calls_today,
            talk_ms_today: c.talk_ms_today,
        }
    }
}
