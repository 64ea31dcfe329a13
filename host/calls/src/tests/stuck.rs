//! Calls that would hold an agent forever: the maximum call duration, the platform's
//! reconciliation, an administrator's release.

use super::*;

// (6) Maximum call duration.

#[test]
fn a_connected_call_past_the_maximum_duration_is_expired_by_the_sweep() {
    let data = tempfile::tempdir().unwrap();
    let rig = open(
        data.path(),
        CallSettings {
            max_call_ms: 60_000,
        },
    );
    let account = rig.account();
    let a = rig.company(account, "A", 0, "+441610000001");
    let s = rig.hire(&a, "s@example.com", "301");
    rig.log_in(s, T + 1_000);
    rig.call("c-long", &a.number, T + 10_000);
    rig.event("c-long", CallEvent::Answered { agent_id: s }, T + 11_000);
    assert_queued(&rig.call("c-wait", &a.number, T + 12_000));

    rig.center.sweep(T + 70_999).unwrap();
    assert_eq!(rig.stage("c-long").as_deref(), Some("connected"));
    assert!(rig.logs(a.id).is_empty());

    rig.center.sweep(T + 71_000).unwrap();
    assert_eq!(rig.center.status(P, "c-long"), None);
    let log = rig.logged_once(a.id, "c-long");
    assert_eq!(log.outcome, CallOutcome::Expired);
    assert_eq!((log.answered_by, log.talk_ms), (Some(s), 60_000));
    assert!(
        rig.pushed()
            .iter()
            .any(|u| u.call_id == "c-long" && u.instruction == Instruction::Done)
    );
    // The agent is free again: the waiting call rings it.
    assert_eq!(rig.ringing("c-wait"), vec![s]);
    assert_eq!(
        rig.engagement(s).map(|e| e.call),
        Some(rig.call_ref("c-wait"))
    );

    let late = rig.center.event(P, "c-long", CallEvent::Ended, T + 72_000);
    assert!(matches!(late, Err(CallError::UnknownCall(_))), "{late:?}");
    rig.center.sweep(T + 72_000).unwrap();
    rig.logged_once(a.id, "c-long");
}

// (7) The platform's reconciliation.

#[test]
fn reconcile_ends_the_platforms_calls_it_no_longer_has_and_only_those() {
    let data = tempfile::tempdir().unwrap();
    let rig = open_default(data.path());
    let account = rig.account();
    let a = rig.company(account, "A", 0, "+441610000001");
    let a1 = rig.hire(&a, "a1@example.com", "201");
    let a2 = rig.hire(&a, "a2@example.com", "202");
    rig.log_in(a1, T + 1_000);
    rig.log_in(a2, T + 2_000);
    const OTHER: u64 = 2;

    assert_eq!(rung(&rig.call("x1", &a.number, T + 10_000))[0].0, a1);
    rig.event("x1", CallEvent::Answered { agent_id: a1 }, T + 11_000);
    assert_eq!(rung(&rig.call("x2", &a.number, T + 12_000))[0].0, a2);
    // Another platform's call with the same id: its own call, queued (everyone is busy).
    assert_queued(&rig.call_from(OTHER, "x1", &a.number, T + 13_000));
    assert_queued(&rig.call("x3", &a.number, T + 14_000));

    let ended = rig
        .center
        .reconcile(P, &["x2".to_owned()], T + 20_000)
        .unwrap();
    assert_eq!(ended, vec!["x1".to_owned(), "x3".to_owned()]);
    assert_eq!(rig.center.status(P, "x1"), None);
    assert_eq!(rig.center.status(P, "x3"), None);
    assert_eq!(
        rig.ringing("x2"),
        vec![a2],
        "still live on the platform: kept"
    );

    let logs: Vec<CallLog> = rig
        .logs(a.id)
        .into_iter()
        .filter(|l| l.outcome == CallOutcome::Reconciled)
        .collect();
    assert_eq!(logs.len(), 2);
    let connected = logs.iter().find(|l| l.answered_by == Some(a1)).unwrap();
    assert_eq!(
        (connected.call_id.as_str(), connected.talk_ms),
        ("x1", 9_000)
    );
    let queued = logs.iter().find(|l| l.answered_by.is_none()).unwrap();
    assert_eq!(queued.call_id, "x3");

    // The other platform's "x1" was not ended; a1, freed, now rings for it.
    let other = rig.center.status(OTHER, "x1").unwrap();
    assert_eq!(
        (other.stage.as_str(), other.ringing.as_slice()),
        ("ringing", &[a1][..])
    );
    assert_eq!(
        rig.engagement(a1).map(|e| e.phase),
        Some(Phase::Offered {
            expires_at_ms: T + 20_000 + OFFER_LAPSES_AFTER
        })
    );

    // Reconciling again with the same list ends nothing more.
    let again = rig
        .center
        .reconcile(P, &["x2".to_owned()], T + 21_000)
        .unwrap();
    assert!(again.is_empty());
    assert_eq!(
        rig.logs(a.id)
            .iter()
            .filter(|l| l.outcome == CallOutcome::Reconciled)
            .count(),
        2
    );
}

// (8) An administrator releases an agent.

#[test]
fn release_agent_frees_an_agent_and_logs_who_released_it() {
    let data = tempfile::tempdir().unwrap();
    let rig = open_default(data.path());
    let account = rig.account();
    let a = rig.company(account, "A", 30, "+441610000001");
    let b = rig.company(account, "B", 0, "+441610000002");
    let s = rig.hire(&a, "s@example.com", "301");
    rig.share(&b, "s@example.com", "901");
    rig.log_in(s, T + 1_000);

    rig.call("r1", &a.number, T + 10_000);
    rig.event("r1", CallEvent::Answered { agent_id: s }, T + 11_000);

    // B's administrator cannot release A's engagement.
    let by_b = rig.center.release_agent(b.id, s, "admin-b", T + 15_000);
    assert!(
        matches!(by_b, Err(CallError::NotEngaged(agent)) if agent == s),
        "{by_b:?}"
    );
    assert_eq!(rig.stage("r1").as_deref(), Some("connected"));

    let released = rig
        .center
        .release_agent(a.id, s, "admin@a", T + 20_000)
        .unwrap();
    assert_eq!(
        released,
        Released {
            agent_id: s,
            was: crate::EngagedAs::OnCall,
            call_id: Some("r1".into()),
        }
    );
    assert_eq!(rig.engagement(s), None, "freed, without wrap-up");
    assert_eq!(rig.presence(a.id, s, T + 20_000), Presence::Idle);
    assert_eq!(rig.presence(b.id, s, T + 20_000), Presence::Idle);
    assert_eq!(rig.center.status(P, "r1"), None);
    let log = rig.logged_once(a.id, "r1");
    assert_eq!(log.outcome, CallOutcome::Released);
    assert_eq!(log.released_by.as_deref(), Some("admin@a"));
    assert_eq!((log.answered_by, log.talk_ms), (Some(s), 9_000));
    assert!(
        rig.pushed()
            .iter()
            .any(|u| u.call_id == "r1" && u.instruction == Instruction::Done)
    );
    let late = rig.center.event(P, "r1", CallEvent::Ended, T + 25_000);
    assert!(matches!(late, Err(CallError::UnknownCall(_))), "{late:?}");
    rig.logged_once(a.id, "r1");

    // Released while ringing: the offer is withdrawn and the call moves on (nobody else in
    // A: voicemail).
    rig.call("r2", &a.number, T + 30_000);
    let released = rig
        .center
        .release_agent(a.id, s, "admin@a", T + 31_000)
        .unwrap();
    assert_eq!(
        (released.was.as_str(), released.call_id.as_deref()),
        ("ringing", Some("r2"))
    );
    assert_eq!(rig.engagement(s), None);
    let log = rig.logged_once(a.id, "r2");
    assert_eq!(log.outcome, CallOutcome::Voicemail);
    assert_eq!(offer_outcomes(&log), vec![(s, OfferOutcome::Withdrawn)]);
    assert_eq!(log.released_by, None);

    // Released during wrap-up: free at once; the call is already logged.
    rig.call("r3", &a.number, T + 40_000);
    rig.event("r3", CallEvent::Answered { agent_id: s }, T + 41_000);
    rig.event("r3", CallEvent::Ended, T + 50_000);
    assert!(matches!(
        rig.engagement(s).map(|e| e.phase),
        Some(Phase::WrapUp { .. })
    ));
    let released = rig
        .center
        .release_agent(a.id, s, "admin@a", T + 51_000)
        .unwrap();
    assert_eq!((released.was.as_str(), released.call_id), ("wrap_up", None));
    assert_eq!(rig.engagement(s), None);
    assert_eq!(rig.logged_once(a.id, "r3").released_by, None);
    let again = rig.center.release_agent(a.id, s, "admin@a", T + 52_000);
    assert!(matches!(again, Err(CallError::NotEngaged(_))), "{again:?}");
}
