//! Unit tests of the registry: one call per agent across companies, the phases of an
//! engagement, sweeps and concurrent reservations.

use super::*;

impl Registry {
    /// An empty registry whose changes are kept nowhere.
    fn new() -> Self {
        Self::with_journal(Arc::new(super::super::journal::Volatile::default()))
    }
}

const A: CompanyId = CompanyId(1);
const B: CompanyId = CompanyId(2);

fn registry_with(agents: &[AgentId]) -> Registry {
    let r = Registry::new();
    for a in agents {
        r.set_logged_in(*a, true, 0);
    }
    r
}

#[test]
fn an_agent_is_reserved_by_one_call_only() {
    let r = registry_with(&[AgentId(7)]);
    assert_eq!(
        r.reserve(A, CallRef(100), &[AgentId(7)], 10, &[1_000])
            .agents,
        vec![AgentId(7)]
    );
    assert!(
        r.reserve(B, CallRef(200), &[AgentId(7)], 11, &[1_000])
            .agents
            .is_empty()
    );
    assert_eq!(r.presence(A, AgentId(7), 12).0, Presence::Ringing);
    assert_eq!(r.presence(B, AgentId(7), 12).0, Presence::BusyElsewhere);
}

#[test]
fn logged_out_agents_are_not_reserved() {
    let r = registry_with(&[]);
    assert!(
        r.reserve(A, CallRef(1), &[AgentId(9)], 0, &[10])
            .agents
            .is_empty()
    );
    assert_eq!(r.presence(A, AgentId(9), 0).0, Presence::LoggedOut);
}

#[test]
fn answer_end_and_wrap_up_then_free() {
    let r = registry_with(&[AgentId(7)]);
    r.reserve(A, CallRef(100), &[AgentId(7)], 0, &[20_000]);
    r.connect(AgentId(7), CallRef(100), 1_000).unwrap();
    assert_eq!(r.presence(B, AgentId(7), 1_500).0, Presence::BusyElsewhere);
    assert_eq!(
        r.end(AgentId(7), CallRef(100), 61_000, 5_000, 3).unwrap(),
        60_000
    );
    assert_eq!(r.presence(A, AgentId(7), 62_000).0, Presence::WrapUp);
    assert_eq!(r.presence(B, AgentId(7), 62_000).0, Presence::BusyElsewhere);
    assert!(
        r.reserve(B, CallRef(200), &[AgentId(7)], 62_000, &[70_000])
            .agents
            .is_empty()
    );
    // Wrap-up over: free for either company.
    assert_eq!(r.presence(B, AgentId(7), 66_000).0, Presence::Idle);
    assert_eq!(
        r.reserve(B, CallRef(200), &[AgentId(7)], 66_000, &[90_000])
            .agents,
        vec![AgentId(7)]
    );
    let stats = r.day_stats(A, AgentId(7), 3);
    assert_eq!((stats.calls, stats.talk_ms), (1, 60_000));
    assert_eq!(
        r.day_stats(A, AgentId(7), 4).calls,
        0,
        "a new day starts from zero"
    );
    assert_eq!(
        r.day_stats(B, AgentId(7), 3).calls,
        0,
        "B's counters are B's own"
    );
}

#[test]
fn a_late_answer_for_a_released_offer_is_refused() {
    let r = registry_with(&[AgentId(7)]);
    r.reserve(A, CallRef(100), &[AgentId(7)], 0, &[20_000]);
    assert!(r.release(AgentId(7), CallRef(100), 5));
    assert_eq!(
        r.connect(AgentId(7), CallRef(100), 6),
        Err(RegistryError::NotOffered(AgentId(7)))
    );
    assert!(
        !r.release(AgentId(7), CallRef(100), 7),
        "releasing twice is a no-op"
    );
}

#[test]
fn a_change_with_an_earlier_clock_reading_is_stamped_after_the_previous_one() {
    let r = registry_with(&[AgentId(7)]);
    r.reserve(A, CallRef(100), &[AgentId(7)], 1_000, &[20_000]);
    r.connect(AgentId(7), CallRef(100), 1_010).unwrap();
    // The call ends at 1 020; another request read the clock at 1 015 before it got the
    // lock: its offer is stamped 1 020, not before the end of the previous call.
    r.end(AgentId(7), CallRef(100), 1_020, 0, 3).unwrap();
    let next = r.reserve(B, CallRef(200), &[AgentId(7)], 1_015, &[30_000]);
    assert_eq!(next.agents, vec![AgentId(7)]);
    assert_eq!(next.at_ms, 1_020);
}

#[test]
fn lapsed_offers_are_swept() {
    let r = registry_with(&[AgentId(7), AgentId(8)]);
    r.reserve(
        A,
        CallRef(100),
        &[AgentId(7), AgentId(8)],
        0,
        &[1_000, 5_000],
    );
    let sweep = r.sweep(2_000, u64::MAX);
    assert_eq!(sweep.lapsed_offers, vec![(AgentId(7), CallRef(100))]);
    assert_eq!(r.presence(A, AgentId(7), 2_000).0, Presence::Idle);
    assert_eq!(r.presence(A, AgentId(8), 2_000).0, Presence::Ringing);
}

#[test]
fn logging_out_releases_an_offer_but_not_a_call() {
    let r = registry_with(&[AgentId(7), AgentId(8)]);
    r.reserve(A, CallRef(100), &[AgentId(7)], 0, &[10_000]);
    assert_eq!(r.set_logged_in(AgentId(7), false, 1), Some(CallRef(100)));
    r.reserve(A, CallRef(101), &[AgentId(8)], 0, &[10_000]);
    r.connect(AgentId(8), CallRef(101), 1).unwrap();
    assert_eq!(r.set_logged_in(AgentId(8), false, 2), None);
    assert_eq!(r.presence(A, AgentId(8), 3).0, Presence::OnCall);
}

#[test]
fn concurrent_reservations_never_double_book() {
    use std::sync::Arc;
    let r = Arc::new(registry_with(&(1..=5).map(AgentId).collect::<Vec<_>>()));
    let handles: Vec<_> = (0..8u64)
        .map(|t| {
            let r = Arc::clone(&r);
            std::thread::spawn(move || {
                let mut won = Vec::new();
                for i in 0..200u64 {
                    let call = CallRef(t * 1_000 + i);
                    let got = r
                        .reserve(
                            CompanyId(t % 3),
                            call,
                            &[AgentId(1), AgentId(2), AgentId(3), AgentId(4), AgentId(5)],
                            0,
                            &[u64::MAX; 5],
                        )
                        .agents;
                    for a in &got {
                        assert!(r.release(*a, call, 0));
                    }
                    won.extend(got.into_iter().map(|a| (a, call)));
                }
                won
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    for a in (1..=5).map(AgentId) {
        assert_eq!(r.get(a).engagement, None);
    }
}
