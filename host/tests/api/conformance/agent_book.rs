//! The `AgentBook` suite: the one-live-call rule and the phases of an engagement, checked on
//! the in-memory book of one node (`LocalAgents`) and on the book a cluster shares in
//! PostgreSQL (`SharedAgents`), from the same bodies. Times are real unix milliseconds (a
//! shared book keeps them in the database), every check starting at its own `T`.

use std::sync::Arc;

use switchyard::calls::{
    AgentBook, AgentId, CallRef, CompanyId, DayStats, Engagement, LocalAgents, Phase,
    RegistryError, Volatile,
};
use switchyard::cluster::{SharedAgents, Standing};
use switchyard_runtime::Presence;

use super::{Backend, Place, pool};

/// Declares one `#[test]` per (check, book): `check: local, shared;`.
macro_rules! agent_book {
    ($($check:ident: $($book:ident),+;)+) => {
        $(
            mod $check {
                $(
                    #[test]
                    fn $book() {
                        let book = super::Book::$book();
                        super::$check(&*book.book, book.name);
                    }
                )+
            }
        )+
    };
}

agent_book! {
    an_agent_holds_one_call_across_companies: local, shared;
    a_logged_out_agent_is_never_offered_a_call: local, shared;
    an_answered_call_ends_in_wrap_up_then_frees_the_agent: local, shared;
    a_withdrawn_offer_cannot_be_answered: local, shared;
    a_reservation_is_never_dated_before_the_agents_last_change: local, shared;
    a_sweep_lapses_offers_ends_wrap_ups_and_reports_long_calls: local, shared;
    logging_out_withdraws_an_offer_but_not_a_call: local, shared;
    an_administrator_frees_only_the_call_named: local, shared;
    the_snapshot_holds_what_the_book_holds: local, shared;
    concurrent_reservations_never_book_an_agent_twice: local, shared;
}

const A: CompanyId = CompanyId(1);
const B: CompanyId = CompanyId(2);
const SEVEN: AgentId = AgentId(7);
const EIGHT: AgentId = AgentId(8);

/// A book under test and what keeps it alive.
struct Book {
    name: &'static str,
    book: Arc<dyn AgentBook>,
    /// The shared book's database (dropped after the book).
    _store: Option<Backend>,
}

impl Book {
    /// One node's book in memory, its changes kept nowhere.
    fn local() -> Self {
        Self {
            name: "local",
            book: Arc::new(LocalAgents::with_journal(Arc::new(Volatile::default()))),
            _store: None,
        }
    }

    /// A cluster node's book in a fresh PostgreSQL database.
    fn shared() -> Self {
        let store = Backend::postgres();
        let Place::Postgres { url, .. } = &store.place else {
            unreachable!("a PostgreSQL backend")
        };
        let pg = Arc::new(pool(url));
        let lazy = Arc::new(
            pg.with_session_options("-c synchronous_commit=off")
                .unwrap(),
        );
        let node = switchyard::cluster::members::new_id(&pg).unwrap();
        let standing = Arc::new(Standing::default());
        standing.renewed(std::time::Instant::now());
        Self {
            name: "shared",
            book: Arc::new(SharedAgents::new(pg, lazy, node, standing)),
            _store: Some(store),
        }
    }
}

/// Now, in unix milliseconds: where a check's clock starts.
fn start() -> u64 {
    switchyard_directory::now_ms()
}

/// `agents` logged in at `at`.
fn logged_in(book: &dyn AgentBook, agents: &[AgentId], at: u64) {
    for a in agents {
        book.set_logged_in(*a, true, at);
    }
}

/// How `company` sees `agent` at `at`.
fn seen(book: &dyn AgentBook, company: CompanyId, agent: AgentId, at: u64) -> Presence {
    book.presence(company, agent, at).0
}

fn an_agent_holds_one_call_across_companies(book: &dyn AgentBook, name: &str) {
    let t = start();
    logged_in(book, &[SEVEN], t);
    let first = book.reserve(A, CallRef(100), &[SEVEN], t + 10, &[t + 20_000]);
    assert_eq!(first.agents, vec![SEVEN], "{name}");
    let second = book.reserve(B, CallRef(200), &[SEVEN], t + 11, &[t + 20_000]);
    assert!(second.agents.is_empty(), "{name}: booked twice");
    assert_eq!(seen(book, A, SEVEN, t + 12), Presence::Ringing, "{name}");
    assert_eq!(
        seen(book, B, SEVEN, t + 12),
        Presence::BusyElsewhere,
        "{name}"
    );
    let engagement = book.get(SEVEN).engagement.expect("engaged");
    assert_eq!(
        (engagement.company, engagement.call),
        (A, CallRef(100)),
        "{name}"
    );
}

fn a_logged_out_agent_is_never_offered_a_call(book: &dyn AgentBook, name: &str) {
    let t = start();
    let reserved = book.reserve(A, CallRef(1), &[AgentId(9)], t, &[t + 10_000]);
    assert!(reserved.agents.is_empty(), "{name}");
    assert_eq!(seen(book, A, AgentId(9), t), Presence::LoggedOut, "{name}");
    logged_in(book, &[AgentId(9)], t + 1);
    book.set_logged_in(AgentId(9), false, t + 2);
    let reserved = book.reserve(A, CallRef(2), &[AgentId(9)], t + 3, &[t + 10_000]);
    assert!(reserved.agents.is_empty(), "{name}: logged out again");
}

fn an_answered_call_ends_in_wrap_up_then_frees_the_agent(book: &dyn AgentBook, name: &str) {
    let t = start();
    let day = 3;
    logged_in(book, &[SEVEN], t);
    book.reserve(A, CallRef(100), &[SEVEN], t, &[t + 20_000]);
    book.connect(SEVEN, CallRef(100), t + 1_000).unwrap();
    assert_eq!(seen(book, A, SEVEN, t + 1_500), Presence::OnCall, "{name}");
    assert_eq!(
        seen(book, B, SEVEN, t + 1_500),
        Presence::BusyElsewhere,
        "{name}"
    );
    let talk = book
        .end(SEVEN, CallRef(100), t + 61_000, 5_000, day)
        .unwrap();
    assert_eq!(talk, 60_000, "{name}: talk time");
    assert_eq!(seen(book, A, SEVEN, t + 62_000), Presence::WrapUp, "{name}");
    assert_eq!(
        seen(book, B, SEVEN, t + 62_000),
        Presence::BusyElsewhere,
        "{name}"
    );
    let during = book.reserve(B, CallRef(200), &[SEVEN], t + 62_000, &[t + 90_000]);
    assert!(during.agents.is_empty(), "{name}: offered during wrap-up");
    assert_eq!(seen(book, B, SEVEN, t + 66_000), Presence::Idle, "{name}");
    let after = book.reserve(B, CallRef(200), &[SEVEN], t + 66_000, &[t + 90_000]);
    assert_eq!(after.agents, vec![SEVEN], "{name}: free after wrap-up");
    let stats = book.day_stats(A, SEVEN, day);
    assert_eq!((stats.calls, stats.talk_ms), (1, 60_000), "{name}");
    assert_eq!(
        book.day_stats(A, SEVEN, day + 1).calls,
        0,
        "{name}: a new day"
    );
    assert_eq!(
        book.day_stats(B, SEVEN, day).calls,
        0,
        "{name}: B's own counters"
    );
}

fn a_withdrawn_offer_cannot_be_answered(book: &dyn AgentBook, name: &str) {
    let t = start();
    logged_in(book, &[SEVEN], t);
    book.reserve(A, CallRef(100), &[SEVEN], t, &[t + 20_000]);
    assert!(book.release(SEVEN, CallRef(100), t + 5), "{name}");
    assert_eq!(
        book.connect(SEVEN, CallRef(100), t + 6),
        Err(RegistryError::NotOffered(SEVEN)),
        "{name}"
    );
    assert!(!book.release(SEVEN, CallRef(100), t + 7), "{name}: twice");
    assert_eq!(
        book.end(SEVEN, CallRef(100), t + 8, 0, 1),
        Err(RegistryError::NotOnCall(SEVEN)),
        "{name}"
    );
}

fn a_reservation_is_never_dated_before_the_agents_last_change(book: &dyn AgentBook, name: &str) {
    let t = start();
    logged_in(book, &[SEVEN], t);
    book.reserve(A, CallRef(100), &[SEVEN], t + 1_000, &[t + 20_000]);
    book.connect(SEVEN, CallRef(100), t + 1_010).unwrap();
    book.end(SEVEN, CallRef(100), t + 1_020, 0, 3).unwrap();
    // A request that read its clock before the call ended reserves the agent afterwards.
    let next = book.reserve(B, CallRef(200), &[SEVEN], t + 1_015, &[t + 30_000]);
    assert_eq!(next.agents, vec![SEVEN], "{name}");
    assert!(
        next.at_ms >= t + 1_020,
        "{name}: reserved at {} ",
        next.at_ms - t
    );
}

fn a_sweep_lapses_offers_ends_wrap_ups_and_reports_long_calls(book: &dyn AgentBook, name: &str) {
    let t = start();
    logged_in(book, &[SEVEN, EIGHT, AgentId(9)], t);
    book.reserve(A, CallRef(100), &[SEVEN, EIGHT], t, &[t + 1_000, t + 5_000]);
    book.reserve(B, CallRef(300), &[AgentId(9)], t, &[t + 5_000]);
    book.connect(AgentId(9), CallRef(300), t + 10).unwrap();
    let swept = book.sweep(t + 2_000, 1_000);
    assert_eq!(swept.lapsed_offers, vec![(SEVEN, CallRef(100))], "{name}");
    assert_eq!(swept.overdue, vec![(AgentId(9), CallRef(300))], "{name}");
    assert_eq!(seen(book, A, SEVEN, t + 2_000), Presence::Idle, "{name}");
    assert_eq!(seen(book, A, EIGHT, t + 2_000), Presence::Ringing, "{name}");
    assert_eq!(
        seen(book, B, AgentId(9), t + 2_000),
        Presence::OnCall,
        "{name}: still on it"
    );
    book.end(AgentId(9), CallRef(300), t + 3_000, 2_000, 1)
        .unwrap();
    let swept = book.sweep(t + 5_500, 3_600_000);
    assert_eq!(swept.freed, vec![AgentId(9)], "{name}: wrap-up over");
    assert_eq!(swept.lapsed_offers, vec![(EIGHT, CallRef(100))], "{name}");
}

fn logging_out_withdraws_an_offer_but_not_a_call(book: &dyn AgentBook, name: &str) {
    let t = start();
    logged_in(book, &[SEVEN, EIGHT], t);
    book.reserve(A, CallRef(100), &[SEVEN], t, &[t + 10_000]);
    assert_eq!(
        book.set_logged_in(SEVEN, false, t + 1),
        Some(CallRef(100)),
        "{name}"
    );
    assert_eq!(book.get(SEVEN).engagement, None, "{name}");
    book.reserve(A, CallRef(101), &[EIGHT], t, &[t + 10_000]);
    book.connect(EIGHT, CallRef(101), t + 1).unwrap();
    assert_eq!(book.set_logged_in(EIGHT, false, t + 2), None, "{name}");
    assert_eq!(seen(book, A, EIGHT, t + 3), Presence::OnCall, "{name}");
}

fn an_administrator_frees_only_the_call_named(book: &dyn AgentBook, name: &str) {
    let t = start();
    logged_in(book, &[SEVEN], t);
    book.reserve(A, CallRef(100), &[SEVEN], t, &[t + 10_000]);
    book.connect(SEVEN, CallRef(100), t + 1).unwrap();
    let other = book.force_release(SEVEN, A, CallRef(999), t + 2);
    assert_eq!(other, None, "{name}: another call");
    let freed = book.force_release(SEVEN, A, CallRef(100), t + 3);
    let phase = freed.map(|e| e.phase);
    assert_eq!(phase, Some(Phase::OnCall { since_ms: t + 1 }), "{name}");
    assert_eq!(book.get(SEVEN).engagement, None, "{name}");
    let again = book.reserve(B, CallRef(200), &[SEVEN], t + 4, &[t + 10_000]);
    assert_eq!(again.agents, vec![SEVEN], "{name}: free again");
}

fn the_snapshot_holds_what_the_book_holds(book: &dyn AgentBook, name: &str) {
    let t = start();
    logged_in(book, &[SEVEN, EIGHT], t);
    book.reserve(A, CallRef(100), &[SEVEN], t, &[t + 10_000]);
    book.connect(SEVEN, CallRef(100), t + 1).unwrap();
    let live = book.get(SEVEN);
    let on_call = Engagement {
        company: A,
        call: CallRef(100),
        phase: Phase::OnCall { since_ms: t + 1 },
    };
    assert_eq!(live.engagement, Some(on_call), "{name}");
    assert!(live.logged_in, "{name}");
    assert!(
        book.snapshot().contains(&(SEVEN, live)),
        "{name}: engaged agent"
    );
    // Restoring puts an engagement back without checks; freeing it dates the agent free.
    book.set_engagement(SEVEN, None, t + 5);
    let freed = book.get(SEVEN);
    assert_eq!(
        (freed.engagement, freed.free_since_ms),
        (None, t + 5),
        "{name}"
    );
    let offered = Engagement {
        company: B,
        call: CallRef(200),
        phase: Phase::Offered {
            expires_at_ms: t + 9_000,
        },
    };
    book.set_engagement(SEVEN, Some(offered), t + 6);
    assert_eq!(book.get(SEVEN).engagement, Some(offered), "{name}");
    assert_eq!(seen(book, B, SEVEN, t + 7), Presence::Ringing, "{name}");
    let stats = DayStats {
        day: 4,
        calls: 0,
        talk_ms: 0,
    };
    assert_eq!(book.day_stats(A, EIGHT, 4), stats, "{name}: no calls yet");
}

fn concurrent_reservations_never_book_an_agent_twice(book: &dyn AgentBook, name: &str) {
    let t = start();
    let agents: Vec<AgentId> = (1..=5).map(AgentId).collect();
    logged_in(book, &agents, t);
    std::thread::scope(|s| {
        for thread in 0..8u64 {
            let agents = &agents;
            s.spawn(move || {
                for i in 0..40u64 {
                    let call = CallRef(thread * 1_000 + i);
                    let company = CompanyId(thread % 3);
                    let got = book
                        .reserve(company, call, agents, t, &[u64::MAX; 5])
                        .agents;
                    for a in &got {
                        // Held by this call alone: releasing it finds this call's offer.
                        assert!(book.release(*a, call, t), "{name}: {a} double booked");
                    }
                }
            });
        }
    });
    for a in agents {
        assert_eq!(book.get(a).engagement, None, "{name}");
    }
}
