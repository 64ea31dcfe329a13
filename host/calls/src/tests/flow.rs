//! The call flow's main paths: a sequential ring, one live call per agent across companies,
//! serving waiting calls, presence, abandon and duplicate ids.

use super::*;

// (1) The sequential ring, answered, ended, logged once, wrap-up.

#[test]
fn a_sequential_ring_moves_on_connects_and_is_logged_once_with_wrap_up() {
    let data = tempfile::tempdir().unwrap();
    let rig = open_default(data.path());
    let account = rig.account();
    let a = rig.company(account, "A", 30, "+441610000001");
    let a1 = rig.hire(&a, "a1@example.com", "201");
    let a2 = rig.hire(&a, "a2@example.com", "202");
    // a1 logged in first: the longest idle, rung first.
    rig.log_in(a1, T + 1_000);
    rig.log_in(a2, T + 2_000);

    let first = rig.call("c1", &a.number, T + 10_000);
    assert_eq!(rung(&first), vec![(a1, "201".to_owned())]);
    assert_eq!((first.company_id, first.department_id), (a.id, a.dept));
    assert!(first.trace_id.is_some());
    let c1 = rig.call_ref("c1");
    assert_eq!(rig.stage("c1").as_deref(), Some("ringing"));
    assert_eq!(rig.ringing("c1"), vec![a1]);
    assert_eq!(
        rig.engagement(a1),
        offered(a.id, c1, T + 10_000 + OFFER_LAPSES_AFTER)
    );
    assert_eq!(rig.presence(a.id, a1, T + 10_000), Presence::Ringing);
    assert_eq!(rig.presence(a.id, a2, T + 10_000), Presence::Idle);

    // No answer: the next target of the plan.
    let next = rig.event("c1", CallEvent::NoAnswer { agent_id: a1 }, T + 15_000);
    assert_eq!(rung(&next), vec![(a2, "202".to_owned())]);
    assert_eq!(rig.engagement(a1), None);
    assert_eq!(rig.presence(a.id, a1, T + 15_000), Presence::Idle);
    assert_eq!(rig.ringing("c1"), vec![a2]);

    // A late outcome for the offer that already ended is refused.
    let late = rig
        .center
        .event(P, "c1", CallEvent::Answered { agent_id: a1 }, T + 15_500);
    assert!(matches!(late, Err(CallError::Conflict(_))), "{late:?}");

    let connected = rig.event("c1", CallEvent::Answered { agent_id: a2 }, T + 17_000);
    assert_eq!(
        connected.instruction,
        Instruction::Connected {
            agent_id: a2,
            extension: "202".into(),
            withdraw: Vec::new(),
        }
    );
    let status = rig.center.status(P, "c1").unwrap();
    assert_eq!(status.stage.as_str(), "connected");
    assert_eq!(status.connected_to, Some(a2));
    assert!(status.ringing.is_empty());
    assert_eq!(rig.engagement(a2), on_call(a.id, c1, T + 17_000));
    assert_eq!(rig.presence(a.id, a2, T + 20_000), Presence::OnCall);
    assert!(
        rig.logs(a.id).is_empty(),
        "nothing is logged before the end"
    );

    let done = rig.event("c1", CallEvent::Ended, T + 77_000);
    assert_eq!(done.instruction, Instruction::Done);
    assert_eq!(rig.center.status(P, "c1"), None);
    assert_eq!(rig.center.live_count(), 0);

    let log = rig.logged_once(a.id, "c1");
    assert_eq!(log.outcome, CallOutcome::Answered);
    assert_eq!(log.answered_by, Some(a2));
    assert_eq!(log.answered_extension.as_deref(), Some("202"));
    assert_eq!(log.talk_ms, 60_000);
    assert_eq!(log.wait_ms, 7_000);
    assert_eq!(log.ring_ms, 5_000 + 2_000);
    assert_eq!(
        offer_outcomes(&log),
        vec![(a1, OfferOutcome::NoAnswer), (a2, OfferOutcome::Answered)]
    );
    assert!(!log.decisions.is_empty());
    let day = local_time("UTC", T + 77_000).day;
    let stats = rig.center.registry().day_stats(a.id, a2, day);
    assert_eq!((stats.calls, stats.talk_ms), (1, 60_000));

    // Wrap-up of the company (30 s) from the end of the call.
    let wrap_until = T + 77_000 + 30_000;
    assert_eq!(
        rig.engagement(a2).map(|e| e.phase),
        Some(Phase::WrapUp {
            until_ms: wrap_until
        })
    );
    assert_eq!(rig.presence(a.id, a2, wrap_until - 1), Presence::WrapUp);
    rig.center.sweep(wrap_until - 1).unwrap();
    assert!(rig.engagement(a2).is_some(), "still wrapping up");
    rig.center.sweep(wrap_until).unwrap();
    assert_eq!(rig.engagement(a2), None);
    assert_eq!(rig.presence(a.id, a2, wrap_until), Presence::Idle);
    assert!(rig.center.registry().get(a2).logged_in);

    // A duplicate `ended` is refused and logs nothing more.
    let again = rig.center.event(P, "c1", CallEvent::Ended, T + 200_000);
    assert!(matches!(again, Err(CallError::UnknownCall(_))), "{again:?}");
    rig.logged_once(a.id, "c1");
}

// (2) One live call per agent across companies.

#[test]
fn an_agent_ringing_for_one_company_is_busy_elsewhere_for_another_whose_call_queues() {
    let data = tempfile::tempdir().unwrap();
    let rig = open_default(data.path());
    let account = rig.account();
    let a = rig.company(account, "A", 0, "+441610000001");
    let b = rig.company(account, "B", 0, "+441610000002");
    let s = rig.hire(&a, "s@example.com", "301");
    assert_eq!(rig.share(&b, "s@example.com", "901"), s);
    rig.log_in(s, T + 1_000);

    let for_a = rig.call("a-1", &a.number, T + 10_000);
    assert_eq!(rung(&for_a), vec![(s, "301".to_owned())]);
    assert_eq!(rig.presence(a.id, s, T + 10_500), Presence::Ringing);
    assert_eq!(rig.presence(b.id, s, T + 10_500), Presence::BusyElsewhere);

    let for_b = rig.call("b-1", &b.number, T + 11_000);
    assert_queued(&for_b);
    assert_eq!(rig.stage("b-1").as_deref(), Some("queued"));
    assert_eq!(rig.ringing("a-1"), vec![s], "A's offer is untouched");
    {
        let call = rig.center.live(P, "b-1").unwrap();
        let call = lock_call(&call);
        assert_eq!(call.log.decisions.len(), 1);
        assert_eq!(
            call.log.decisions[0].decision.to_string(),
            "overflow:all-busy"
        );
        let candidates = &call.log.decisions[0].input_candidates;
        assert_eq!(candidates.len(), 1);
        assert_eq!(
            candidates[0].presence,
            crate::policy_io::Presence::BusyElsewhere
        );
        let overflow = &call.log.overflows[0];
        assert_eq!(
            (overflow.reason.as_str(), overflow.action.as_str()),
            ("all-busy", "queue")
        );
        assert!(call.log.offers.is_empty(), "nobody was offered B's call");
    }

    // Connected in A: still busy elsewhere for B, and B's call still waits.
    rig.event("a-1", CallEvent::Answered { agent_id: s }, T + 12_000);
    assert_eq!(rig.presence(b.id, s, T + 12_500), Presence::BusyElsewhere);
    assert_eq!(rig.stage("b-1").as_deref(), Some("queued"));

    // A's call ends (no wrap-up in A): B's waiting call rings the agent, with B's extension.
    rig.event("a-1", CallEvent::Ended, T + 20_000);
    assert_eq!(rig.stage("b-1").as_deref(), Some("ringing"));
    assert_eq!(rig.ringing("b-1"), vec![s]);
    assert_eq!(rig.presence(a.id, s, T + 20_000), Presence::BusyElsewhere);
    assert_eq!(rig.presence(b.id, s, T + 20_000), Presence::Ringing);
    let pushed = rig.pushed();
    let served = pushed.iter().find(|u| u.call_id == "b-1").unwrap();
    assert_eq!(served.company_id, b.id);
    assert_eq!(rung(served), vec![(s, "901".to_owned())]);
    assert_eq!(rig.logged_once(a.id, "a-1").outcome, CallOutcome::Answered);
    assert!(
        rig.logged(b.id, "a-1").is_empty(),
        "A's call is not in B's log"
    );
}

// (3) Waiting calls are served when the agent frees up, in serving order.

#[test]
fn waiting_calls_are_served_oldest_first_across_companies_as_the_agent_frees_up() {
    let data = tempfile::tempdir().unwrap();
    let rig = open_default(data.path());
    let account = rig.account();
    let a = rig.company(account, "A", 0, "+441610000001");
    let b = rig.company(account, "B", 0, "+441610000002");
    let s = rig.hire(&a, "s@example.com", "301");
    rig.share(&b, "s@example.com", "901");
    rig.log_in(s, T + 1_000);

    rig.call("a-0", &a.number, T + 10_000);
    rig.event("a-0", CallEvent::Answered { agent_id: s }, T + 10_500);
    assert_queued(&rig.call("b-1", &b.number, T + 11_000));
    assert_queued(&rig.call("a-2", &a.number, T + 12_000));
    assert_queued(&rig.call("b-3", &b.number, T + 13_000));
    let lengths = rig.center.queues().lengths();
    assert_eq!(lengths.get(&(a.id, a.dept)), Some(&1));
    assert_eq!(lengths.get(&(b.id, b.dept)), Some(&2));

    // Each time the agent frees up, the oldest waiting call it can take rings it, whichever
    // company it belongs to.
    let mut now = T + 20_000;
    rig.event("a-0", CallEvent::Ended, now);
    for (served, waiting) in [("b-1", &["a-2", "b-3"][..]), ("a-2", &["b-3"][..])] {
        assert_eq!(rig.ringing(served), vec![s], "{served} is served next");
        for w in waiting.iter().copied() {
            assert_eq!(rig.stage(w).as_deref(), Some("queued"), "{w} still waits");
        }
        rig.event(served, CallEvent::Answered { agent_id: s }, now + 1_000);
        now += 10_000;
        rig.event(served, CallEvent::Ended, now);
    }
    assert_eq!(rig.ringing("b-3"), vec![s]);
    assert!(rig.center.queues().all().is_empty());
    for (company, id) in [(b.id, "b-1"), (a.id, "a-2")] {
        let log = rig.logged_once(company, id);
        assert_eq!(log.outcome, CallOutcome::Answered);
        assert_eq!(log.overflows.len(), 1);
        assert_eq!(log.overflows[0].action.as_str(), "queue");
    }
    // Waited from arrival to answer: b-1 arrived at 11 s and was answered at 21 s.
    assert_eq!(rig.logged_once(b.id, "b-1").wait_ms, 10_000);
}

#[test]
fn a_higher_priority_waiting_call_is_served_before_an_older_one_and_keeps_its_place_across_restore()
{
    let data = tempfile::tempdir().unwrap();
    let (a, s) = {
        let rig = open_default(data.path());
        let account = rig.account();
        let a = rig.company(account, "A", 0, "+441610000001");
        let s = rig.hire(&a, "s@example.com", "301");
        rig.log_in(s, T + 1_000);
        rig.call("a-0", &a.number, T + 10_000);
        rig.event("a-0", CallEvent::Answered { agent_id: s }, T + 10_500);
        assert_queued(&rig.call("q-old", &a.number, T + 11_000));
        assert_queued(&rig.call("q-new", &a.number, T + 12_000));
        // The built-in default always queues with priority 0; a company policy's queue spec
        // may give more. Give the newer call priority 5 in its stored record, as such a
        // policy's decision would have stored it.
        let snapshot = rig.journal.load().unwrap();
        let mut stored: StoredCall = snapshot
            .calls
            .into_iter()
            .map(|(c, _)| c)
            .find(|c| c.call_id == "q-new")
            .unwrap();
        stored.waiting.as_mut().unwrap().priority = 5;
        rig.stage_raw(vec![LiveChange::Call(Box::new(stored))]);
        (a, s)
    };
    let rig = open_default(data.path());
    rig.center.restore(T + 15_000).unwrap();
    let waiting = |id: &str| lock_call(&rig.center.live(P, id).unwrap()).waiting.unwrap();
    let (old, new) = (waiting("q-old"), waiting("q-new"));
    assert_eq!((old.priority, old.since_ms), (0, T + 11_000));
    assert_eq!((new.priority, new.since_ms), (5, T + 12_000));
    assert_eq!(new.deadline_ms, T + 12_000 + QUEUE_WAIT);
    let order: Vec<CallRef> = rig.center.queues().all().iter().map(|w| w.call).collect();
    assert_eq!(order, vec![rig.call_ref("q-new"), rig.call_ref("q-old")]);

    rig.event("a-0", CallEvent::Ended, T + 20_000);
    assert_eq!(rig.ringing("q-new"), vec![s], "priority first");
    assert_eq!(rig.stage("q-old").as_deref(), Some("queued"));
    rig.event("q-new", CallEvent::Answered { agent_id: s }, T + 21_000);
    rig.event("q-new", CallEvent::Ended, T + 30_000);
    assert_eq!(rig.ringing("q-old"), vec![s]);
    assert_eq!(rig.logged_once(a.id, "q-new").wait_ms, 9_000);
}

// Presence, abandon and duplicate ids.

#[test]
fn logging_out_abandoning_and_logging_in_move_calls_on() {
    let data = tempfile::tempdir().unwrap();
    let rig = open_default(data.path());
    let account = rig.account();
    let a = rig.company(account, "A", 0, "+441610000001");
    let a1 = rig.hire(&a, "a1@example.com", "201");
    let a2 = rig.hire(&a, "a2@example.com", "202");
    let late = rig.hire(&a, "late@example.com", "203");
    rig.log_in(a1, T + 1_000);
    rig.log_in(a2, T + 2_000);

    // Logging out while ringing withdraws the offer; the call rings the next agent.
    assert_eq!(rung(&rig.call("c", &a.number, T + 10_000))[0].0, a1);
    let view = rig.center.set_presence(a1, false, T + 12_000).unwrap();
    assert!(!view.logged_in && !view.busy);
    assert_eq!(rig.ringing("c"), vec![a2]);
    assert!(
        rig.pushed()
            .iter()
            .any(|u| u.call_id == "c" && rung(u)[0].0 == a2)
    );
    assert_eq!(rig.presence(a.id, a1, T + 12_000), Presence::LoggedOut);

    // The same platform cannot post a second live call with the same id.
    let dup = rig.center.incoming(
        IncomingCall {
            platform: P,
            call_id: "c".into(),
            number: a.number.clone(),
            caller: String::new(),
            attributes: Vec::new(),
            max_targets: None,
        },
        T + 12_500,
    );
    assert!(matches!(dup, Err(CallError::DuplicateCall(_))), "{dup:?}");

    // The caller hangs up while ringing: logged abandoned, the agent free again.
    assert_eq!(
        rig.event("c", CallEvent::Abandoned, T + 13_000).instruction,
        Instruction::Done
    );
    assert_eq!(rig.engagement(a2), None);
    let log = rig.logged_once(a.id, "c");
    assert_eq!(log.outcome, CallOutcome::Abandoned);
    assert_eq!(
        offer_outcomes(&log),
        vec![(a1, OfferOutcome::Withdrawn), (a2, OfferOutcome::Withdrawn)]
    );
    assert_eq!(log.wait_ms, 3_000);

    // a2 on a call, a third member logged out: callers wait (someone available is busy).
    rig.call("busy", &a.number, T + 20_000);
    rig.event("busy", CallEvent::Answered { agent_id: a2 }, T + 21_000);
    assert_queued(&rig.call("w1", &a.number, T + 22_000));
    assert_queued(&rig.call("w2", &a.number, T + 23_000));
    // One waiting caller hangs up: logged abandoned, out of the queue.
    rig.event("w2", CallEvent::Abandoned, T + 24_000);
    assert_eq!(rig.logged_once(a.id, "w2").outcome, CallOutcome::Abandoned);
    assert_eq!(rig.center.queues().all().len(), 1);
    // A member logging in serves the waiting call at once.
    let view = rig.center.set_presence(late, true, T + 25_000).unwrap();
    assert!(
        view.logged_in && view.busy,
        "offered the waiting call at log-in"
    );
    assert_eq!(rig.ringing("w1"), vec![late]);
    assert!(rig.center.queues().all().is_empty());
}
