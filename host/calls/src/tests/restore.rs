//! Restoring live state: every stage comes back, deadlines that passed while down are acted
//! on, and records a crash left apart are reconciled.

use super::*;

// (4) Restore.

#[test]
fn restore_brings_back_every_stage_and_an_ended_call_is_logged_once() {
    let data = tempfile::tempdir().unwrap();
    let (a, [a1, a2, a3], before, queue_place, pre_trace) = {
        let rig = open_default(data.path());
        let account = rig.account();
        let a = rig.company(account, "A", 60, "+441610000001");
        let a1 = rig.hire(&a, "a1@example.com", "201");
        let a2 = rig.hire(&a, "a2@example.com", "202");
        let a3 = rig.hire(&a, "a3@example.com", "203");
        rig.log_in(a3, T + 1_000);
        rig.log_in(a2, T + 2_000);
        rig.log_in(a1, T + 3_000);
        // a3: a call answered and ended, in wrap-up until 80 s.
        assert_eq!(rung(&rig.call("c-wrap", &a.number, T + 10_000))[0].0, a3);
        rig.event("c-wrap", CallEvent::Answered { agent_id: a3 }, T + 11_000);
        rig.event("c-wrap", CallEvent::Ended, T + 20_000);
        // a2: connected.
        assert_eq!(rung(&rig.call("c-conn", &a.number, T + 21_000))[0].0, a2);
        rig.event("c-conn", CallEvent::Answered { agent_id: a2 }, T + 22_000);
        // a1: ringing.
        assert_eq!(rung(&rig.call("c-ring", &a.number, T + 23_000))[0].0, a1);
        // Nobody left: queued.
        assert_queued(&rig.call("c-queue", &a.number, T + 24_000));
        let before: Vec<_> = ["c-conn", "c-ring", "c-queue"]
            .map(|id| rig.center.status(P, id).unwrap())
            .to_vec();
        let queue_place = lock_call(&rig.center.live(P, "c-queue").unwrap()).waiting;
        let pre_trace = before[0].trace_id.clone().unwrap();
        rig.logged_once(a.id, "c-wrap");
        // Dropped without a clean shutdown.
        (a, [a1, a2, a3], before, queue_place, pre_trace)
    };

    let rig = open_default(data.path());
    assert_eq!(rig.center.live_count(), 0);
    let restored = rig.center.restore(T + 30_000).unwrap();
    assert_eq!(
        restored,
        Restored {
            agents: 3,
            calls: 3,
            repaired: 0
        }
    );
    let after: Vec<_> = ["c-conn", "c-ring", "c-queue"]
        .map(|id| rig.center.status(P, id).unwrap())
        .to_vec();
    assert_eq!(
        after, before,
        "same stages, offers, trace ids and start times"
    );
    assert_eq!(
        lock_call(&rig.center.live(P, "c-queue").unwrap()).waiting,
        queue_place,
        "same queue place, priority and time waited"
    );
    for agent in [a1, a2, a3] {
        assert!(
            rig.center.registry().get(agent).logged_in,
            "{agent} stays logged in"
        );
    }
    let c_ring = rig.call_ref("c-ring");
    let c_conn = rig.call_ref("c-conn");
    assert_eq!(
        rig.engagement(a1),
        offered(a.id, c_ring, T + 23_000 + OFFER_LAPSES_AFTER)
    );
    assert_eq!(rig.engagement(a2), on_call(a.id, c_conn, T + 22_000));
    assert_eq!(
        rig.engagement(a3).map(|e| e.phase),
        Some(Phase::WrapUp {
            until_ms: T + 80_000
        })
    );
    assert_eq!(rig.presence(a.id, a3, T + 30_000), Presence::WrapUp);
    let day = local_time("UTC", T).day;
    assert_eq!(rig.center.registry().day_stats(a.id, a3, day).calls, 1);

    // The connected call ends after the restart: logged once, talk time from its answer.
    let done = rig.event("c-conn", CallEvent::Ended, T + 40_000);
    assert_eq!(done.instruction, Instruction::Done);
    let log = rig.logged_once(a.id, "c-conn");
    assert_eq!(log.outcome, CallOutcome::Answered);
    assert_eq!((log.answered_by, log.talk_ms), (Some(a2), 18_000));
    assert!(log.decisions.iter().any(|d| d.trace_id == pre_trace));
    assert!(rig.center.trace(&pre_trace).is_some());
    let again = rig.center.event(P, "c-conn", CallEvent::Ended, T + 41_000);
    assert!(matches!(again, Err(CallError::UnknownCall(_))), "{again:?}");
    rig.logged_once(a.id, "c-conn");
    rig.logged_once(a.id, "c-wrap");
    let stats = rig.center.registry().day_stats(a.id, a2, day);
    assert_eq!((stats.calls, stats.talk_ms), (1, 18_000));

    // The ringing call's offer is still open and can be answered.
    rig.event("c-ring", CallEvent::Answered { agent_id: a1 }, T + 41_000);
    assert_eq!(
        rig.center.status(P, "c-ring").unwrap().connected_to,
        Some(a1)
    );

    // The wrap-up ends at its original time and the queued call is served then.
    rig.center.sweep(T + 79_999).unwrap();
    assert_eq!(rig.stage("c-queue").as_deref(), Some("queued"));
    rig.center.sweep(T + 80_000).unwrap();
    assert_eq!(rig.ringing("c-queue"), vec![a3]);
    assert!(
        rig.pushed()
            .iter()
            .any(|u| u.call_id == "c-queue" && rung(u)[0].0 == a3)
    );
}

#[test]
fn deadlines_passed_while_down_are_acted_on_at_restore() {
    let data = tempfile::tempdir().unwrap();
    let (a, a1, a2) = {
        let rig = open_default(data.path());
        let account = rig.account();
        let a = rig.company(account, "A", 60, "+441610000001");
        let a1 = rig.hire(&a, "a1@example.com", "201");
        let a2 = rig.hire(&a, "a2@example.com", "202");
        rig.log_in(a2, T + 1_000);
        rig.log_in(a1, T + 2_000);
        // a2 wraps up until 80 s.
        rig.call("c-done", &a.number, T + 10_000);
        rig.event("c-done", CallEvent::Answered { agent_id: a2 }, T + 11_000);
        rig.event("c-done", CallEvent::Ended, T + 20_000);
        // a1 rings until its offer lapses at 46 s; nobody else to ring in the plan.
        assert_eq!(
            rung(&rig.call("c-ring", &a.number, T + 21_000)),
            vec![(a1, "201".to_owned())]
        );
        assert_queued(&rig.call("c-queue", &a.number, T + 22_000));
        (a, a1, a2)
    };

    // Down from 22 s to 90 s: the offer lapsed (46 s) and the wrap-up ended (80 s).
    let rig = open_default(data.path());
    rig.center.restore(T + 90_000).unwrap();
    let c_ring = rig.call_ref("c-ring");
    let c_queue = rig.call_ref("c-queue");
    {
        let call = rig.center.live(P, "c-ring").unwrap();
        let call = lock_call(&call);
        assert_eq!(call.log.offers[0].agent_id, a1);
        assert_eq!(call.log.offers[0].outcome, OfferOutcome::Lapsed);
    }
    // The lapsed call is decided again and rings a2, free since its wrap-up ended; a1, freed
    // by the lapse, serves the waiting call.
    assert_eq!(rig.ringing("c-ring"), vec![a2]);
    assert_eq!(rig.ringing("c-queue"), vec![a1]);
    assert_eq!(
        rig.engagement(a2),
        offered(a.id, c_ring, T + 90_000 + OFFER_LAPSES_AFTER)
    );
    assert_eq!(
        rig.engagement(a1),
        offered(a.id, c_queue, T + 90_000 + OFFER_LAPSES_AFTER)
    );
    // Both decisions are pushed to the platform's stream.
    let pushed = rig.pushed();
    let ring_of = |id: &str| {
        pushed
            .iter()
            .filter(|u| u.call_id == id)
            .map(|u| rung(u)[0].0)
            .collect::<Vec<_>>()
    };
    assert_eq!(ring_of("c-ring"), vec![a2]);
    assert_eq!(ring_of("c-queue"), vec![a1]);
}

#[test]
fn a_queue_wait_that_ran_out_while_down_overflows_at_restore() {
    let data = tempfile::tempdir().unwrap();
    let (a, s) = {
        let rig = open_default(data.path());
        let account = rig.account();
        let a = rig.company(account, "A", 0, "+441610000001");
        let s = rig.hire(&a, "s@example.com", "301");
        rig.log_in(s, T + 1_000);
        rig.call("c-conn", &a.number, T + 10_000);
        rig.event("c-conn", CallEvent::Answered { agent_id: s }, T + 11_000);
        assert_queued(&rig.call("c-queue", &a.number, T + 12_000));
        (a, s)
    };
    let rig = open_default(data.path());
    let back = T + 12_000 + QUEUE_WAIT + 1_000;
    rig.center.restore(back).unwrap();
    assert_eq!(rig.center.status(P, "c-queue"), None);
    let log = rig.logged_once(a.id, "c-queue");
    assert_eq!(log.outcome, CallOutcome::Voicemail);
    let overflows: Vec<_> = log
        .overflows
        .iter()
        .map(|o| (o.reason.as_str(), o.action.as_str()))
        .collect();
    assert_eq!(
        overflows,
        vec![("all-busy", "queue"), ("queue-timeout", "voicemail")]
    );
    assert!(
        rig.pushed()
            .iter()
            .any(|u| u.call_id == "c-queue"
                && matches!(u.instruction, Instruction::Voicemail { .. }))
    );
    // The connected call is untouched.
    assert_eq!(
        rig.center.status(P, "c-conn").unwrap().connected_to,
        Some(s)
    );
}

// (5) Restore reconciles records a crash left inconsistent.

#[test]
fn restore_repairs_agent_and_call_records_a_crash_left_apart() {
    let data = tempfile::tempdir().unwrap();
    let (a, [a1, a2, a3, a4, a5]) = {
        let rig = open_default(data.path());
        let account = rig.account();
        let a = rig.company(account, "A", 0, "+441610000001");
        let agents =
            [1, 2, 3, 4, 5].map(|i| rig.hire(&a, &format!("a{i}@example.com"), &format!("20{i}")));
        let [a1, a2, a3, a4, a5] = agents;
        // Longest idle first: a4, a2, a3, a1, a5.
        for (i, agent) in [a4, a2, a3, a1, a5].into_iter().enumerate() {
            rig.log_in(agent, T + 1_000 * (i as u64 + 1));
        }
        assert_eq!(
            rung(&rig.call("c-answered", &a.number, T + 10_000))[0].0,
            a4
        );
        assert_eq!(rung(&rig.call("c-lost", &a.number, T + 11_000))[0].0, a2);
        let c_answered = rig.call_ref("c-answered");
        let live = |free_since_ms, engagement| AgentLive {
            logged_in: true,
            free_since_ms,
            engagement,
        };
        rig.stage_raw(vec![
            // a4 answered c-answered; the crash came before the call's own record.
            LiveChange::Agent(a4, live(T + 1_000, on_call(a.id, c_answered, T + 12_000))),
            // a2's offer of c-lost ended; the call's record still lists it ringing.
            LiveChange::Agent(a2, live(T + 11_500, None)),
            // Engaged with calls that are not live (their logs were written, or they never
            // were): on a call, and offered one.
            LiveChange::Agent(
                a1,
                live(T + 4_000, on_call(a.id, CallRef(9_999_999), T + 5_000)),
            ),
            LiveChange::Agent(
                a5,
                live(T + 5_000, offered(a.id, CallRef(9_999_998), T + 60_000)),
            ),
        ]);
        (a, agents)
    };

    let rig = open_default(data.path());
    let restored = rig.center.restore(T + 13_000).unwrap();
    assert_eq!(restored.calls, 2);
    assert_eq!(restored.repaired, 4, "two calls and two agents");

    // Agents engaged with calls that are not live are freed, and stay logged in.
    for agent in [a1, a5] {
        assert_eq!(rig.engagement(agent), None, "{agent}");
        assert!(rig.center.registry().get(agent).logged_in);
        assert_eq!(rig.presence(a.id, agent, T + 13_000), Presence::Idle);
    }

    // The call whose agent's record says it answered is connected to it.
    let status = rig.center.status(P, "c-answered").unwrap();
    assert_eq!(
        (status.stage.as_str(), status.connected_to),
        ("connected", Some(a4))
    );
    assert!(status.ringing.is_empty());
    assert_eq!(
        rig.engagement(a4),
        on_call(a.id, rig.call_ref("c-answered"), T + 12_000)
    );

    // The call listing a ringing agent whose record says otherwise drops it and moves on
    // along its plan.
    assert_eq!(rig.engagement(a2), None);
    assert_eq!(rig.ringing("c-lost"), vec![a3]);
    assert_eq!(
        rig.engagement(a3),
        offered(
            a.id,
            rig.call_ref("c-lost"),
            T + 13_000 + OFFER_LAPSES_AFTER
        )
    );
    {
        let call = rig.center.live(P, "c-lost").unwrap();
        let call = lock_call(&call);
        assert_eq!(
            offer_outcomes(&call.log),
            vec![(a2, OfferOutcome::Lapsed), (a3, OfferOutcome::Ringing)]
        );
    }
    assert!(
        rig.pushed()
            .iter()
            .any(|u| u.call_id == "c-lost" && rung(u)[0].0 == a3)
    );

    // The repaired connected call ends normally, its talk time from the agent's answer.
    rig.event("c-answered", CallEvent::Ended, T + 20_000);
    let log = rig.logged_once(a.id, "c-answered");
    assert_eq!(log.outcome, CallOutcome::Answered);
    assert_eq!((log.answered_by, log.talk_ms), (Some(a4), 8_000));
    assert_eq!(offer_outcomes(&log), vec![(a4, OfferOutcome::Answered)]);
    assert_eq!(log.answered_extension.as_deref(), Some("204"));
}

// Probes of the crash window between an agent's end of call and the call's log.

/// A connected call, and a crash after its agent's `end` (wrap-up, counters) was recorded but
/// before the call's log: the journal holds the call as connected and the agent in wrap-up for
/// it (its counters hold the 60 s of talk). Returns the company and the agent.
fn crash_after_agent_ended(data: &Path, max_call_ms: u64) -> (Co, AgentId) {
    let rig = open(data, CallSettings { max_call_ms });
    let account = rig.account();
    let a = rig.company(account, "A", 30, "+441610000001");
    let s = rig.hire(&a, "s@example.com", "301");
    rig.log_in(s, T + 1_000);
    rig.call("c-end", &a.number, T + 10_000);
    rig.event("c-end", CallEvent::Answered { agent_id: s }, T + 11_000);
    let call = rig.call_ref("c-end");
    let day = local_time("UTC", T).day;
    rig.stage_raw(vec![
        LiveChange::Agent(
            s,
            AgentLive {
                logged_in: true,
                free_since_ms: T + 1_000,
                engagement: Some(Engagement {
                    company: a.id,
                    call,
                    phase: Phase::WrapUp {
                        until_ms: T + 71_000 + 30_000,
                    },
                }),
            },
        ),
        LiveChange::Stats(
            a.id,
            s,
            crate::DayStats {
                day,
                calls: 1,
                talk_ms: 60_000,
            },
        ),
    ]);
    (a, s)
}

/// The crash fell between the agent's end of the call and its log: restore logs the call.
#[test]
fn a_restored_connected_call_whose_agent_already_wrapped_up_is_logged_at_restore() {
    let data = tempfile::tempdir().unwrap();
    let (a, _s) = crash_after_agent_ended(data.path(), 3_600_000);
    let rig = open(
        data.path(),
        CallSettings {
            max_call_ms: 3_600_000,
        },
    );
    rig.center.restore(T + 200_000).unwrap();
    // Far past answered + max_call_ms, with no `ended` from the platform.
    rig.center.sweep(T + 11_000 + 3_600_000 + 1).unwrap();
    rig.center.sweep(T + 11_000 + 2 * 3_600_000).unwrap();
    assert_eq!(
        rig.center.status(P, "c-end"),
        None,
        "a connected call must not outlive the maximum call duration"
    );
    rig.logged_once(a.id, "c-end");
}

/// After that crash the call is logged with the talk time the counters have, once; the
/// platform's retried `ended` finds it over.
#[test]
fn a_retried_ended_after_that_crash_logs_the_talk_time_the_counters_have() {
    let data = tempfile::tempdir().unwrap();
    let (a, s) = crash_after_agent_ended(data.path(), DEFAULT_MAX_CALL_MS);
    let rig = open_default(data.path());
    rig.center.restore(T + 200_000).unwrap();
    // The platform never got an answer to its `ended` (the crash came first): it retries.
    let retried = rig.center.event(P, "c-end", CallEvent::Ended, T + 201_000);
    assert!(
        matches!(retried, Err(CallError::UnknownCall(_))),
        "{retried:?}"
    );
    let log = rig.logged_once(a.id, "c-end");
    let stats = rig
        .center
        .registry()
        .day_stats(a.id, s, local_time("UTC", T).day);
    assert_eq!((stats.calls, stats.talk_ms), (1, 60_000));
    assert_eq!(log.talk_ms, stats.talk_ms, "one talk time for one call");
}

#[test]
fn a_queued_calls_reservation_lost_in_a_crash_frees_the_agent_and_the_call_keeps_its_place() {
    let data = tempfile::tempdir().unwrap();
    let s = {
        let rig = open_default(data.path());
        let account = rig.account();
        let a = rig.company(account, "A", 0, "+441610000001");
        let s = rig.hire(&a, "s@example.com", "301");
        rig.log_in(s, T + 1_000);
        rig.call("c-conn", &a.number, T + 10_000);
        rig.event("c-conn", CallEvent::Answered { agent_id: s }, T + 11_000);
        assert_queued(&rig.call("c-queue", &a.number, T + 12_000));
        let queued: StoredCall = rig
            .journal
            .load()
            .unwrap()
            .calls
            .into_iter()
            .map(|(c, _)| c)
            .find(|c| c.call_id == "c-queue")
            .unwrap();
        // The call ends and the agent is reserved for the waiting call...
        rig.event("c-conn", CallEvent::Ended, T + 20_000);
        assert_eq!(rig.ringing("c-queue"), vec![s]);
        // ...but the crash came after the agent's record and before the waiting call's.
        rig.stage_raw(vec![LiveChange::Call(Box::new(queued))]);
        s
    };
    let rig = open_default(data.path());
    let restored = rig.center.restore(T + 21_000).unwrap();
    assert_eq!((restored.calls, restored.repaired), (1, 1));
    // The offer the waiting call does not know of is undone, and restore offers the call
    // again at once, from the place it kept.
    assert!(rig.center.registry().get(s).logged_in);
    assert_eq!(rig.ringing("c-queue"), vec![s]);
    let log = lock_call(&rig.center.live(P, "c-queue").unwrap())
        .log
        .clone();
    assert_eq!(log.started_ms, T + 12_000);
}
