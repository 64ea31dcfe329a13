//! The scenarios 1 to 6, one call flow each, through Kamailio and SIPp.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};

use super::rig::{Options, Rig, Uac, Uas, live_calls, serial, telephony_token, wait_until};
use super::{busy_to_voicemail, only_log, sip_company};
use crate::calls_support::{all_logs, hire, log_in, offers, share};
use crate::support::Server;

/// A SIPp caller finishes its calls within this (a queued call waits for its agent).
const CALL_WITHIN: Duration = Duration::from_secs(180);
/// Switchyard reaches a state the test waits for within this.
const STATE_WITHIN: Duration = Duration::from_secs(60);

/// (agent, outcome) of every offer, as a set (ring-all offers have no order).
fn offer_set(log: &Value) -> BTreeSet<(u64, String)> {
    offers(log).into_iter().collect()
}

/// Waits until Switchyard holds a live call of the SIP server for which `pred` holds.
async fn wait_for_call(rig: &Rig, what: &str, pred: impl Fn(&Value) -> bool) {
    wait_until(what, STATE_WITHIN, || async {
        live_calls(&rig.tel).await.iter().any(&pred)
    })
    .await;
}

/// Waits until Switchyard holds no live call of the SIP server (every outcome reported).
async fn wait_for_no_calls(rig: &Rig) {
    wait_until("every call to be over", STATE_WITHIN, || async {
        live_calls(&rig.tel).await.is_empty()
    })
    .await;
}

/// Scenario 1: a call to company A rings Asha on A's extension; she answers; the caller hangs
/// up; the call is logged in A only, with its talk time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_to_a_rings_asha_on_a_extension_and_is_logged_in_a_only_with_talk_time() {
    let _turn = serial().await;
    let server = Server::start().await;
    let account = server.operator().account("BPO").await;
    let a = sip_company(&server, account, "A", "+15550101", "a.example", None).await;
    let b = sip_company(&server, account, "B", "+15550102", "b.example", None).await;
    let asha = hire(&server, &a, "asha@example.com", "agent", "221").await;
    share(&b, &asha, "agent", "305").await;
    log_in(&asha, true).await;
    let token = telephony_token(&server, &[&a.number, &b.number]).await;
    let rig = Rig::start(&server, &token, Options::default()).await;
    let phone = rig.phone("asha", Uas::Answer).await;
    // One phone, her extension in each company.
    rig.register(&[("221@a.example", &phone), ("305@b.example", &phone)])
        .await;

    rig.call(Uac::Talk { hold_ms: 1500 }, &a.number, 1, 1.0)
        .finish(CALL_WITHIN)
        .await
        .assert_all_succeeded(1);
    wait_for_no_calls(&rig).await;

    let a_logs = all_logs(&a.admin, a.id).await;
    assert_eq!(a_logs.len(), 1, "{a_logs:#?}");
    let log = &a_logs[0];
    assert_eq!(log["outcome"], "answered", "{log:#}");
    assert_eq!(log["answered_by"], asha.id);
    assert_eq!(log["answered_extension"], "221");
    assert_eq!(log["number"], a.number);
    assert!(
        log["talk_ms"].as_u64().unwrap() > 0,
        "no talk time: {log:#}"
    );
    assert_eq!(offers(log), vec![(asha.id, "answered".to_owned())]);
    assert!(all_logs(&b.admin, b.id).await.is_empty(), "logged in B");
    // Her phone rang once, through Kamailio, and the BYE reached it through Kamailio too.
    assert_eq!(phone.received("INVITE", &phone.contact()), 1);
    assert_eq!(phone.received("BYE", ""), 1, "{}", phone.messages());
}

/// Scenario 2: while Asha talks on A's call, a call to company B (whose rule sends callers to
/// voicemail when every member is busy) does not ring her and reaches the voicemail server,
/// in B's mailbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_asha_is_on_a_call_a_b_call_follows_b_overflow_to_voicemail() {
    let _turn = serial().await;
    let server = Server::start().await;
    let account = server.operator().account("BPO").await;
    let a = sip_company(&server, account, "A", "+15550201", "a.example", None).await;
    let b = sip_company(
        &server,
        account,
        "B",
        "+15550202",
        "b.example",
        Some(busy_to_voicemail("b-desk")),
    )
    .await;
    let asha = hire(&server, &a, "asha@example.com", "agent", "221").await;
    share(&b, &asha, "agent", "305").await;
    log_in(&asha, true).await;
    let token = telephony_token(&server, &[&a.number, &b.number]).await;
    let rig = Rig::start(&server, &token, Options::default()).await;
    let phone = rig.phone("asha", Uas::Answer).await;
    rig.register(&[("221@a.example", &phone), ("305@b.example", &phone)])
        .await;

    let a_call = rig.call(Uac::Talk { hold_ms: 10_000 }, &a.number, 1, 1.0);
    wait_for_call(&rig, "A's call to be connected to Asha", |c| {
        c["connected_to"] == asha.id
    })
    .await;
    rig.call(Uac::Talk { hold_ms: 500 }, &b.number, 1, 1.0)
        .finish(CALL_WITHIN)
        .await
        .assert_all_succeeded(1);
    a_call.finish(CALL_WITHIN).await.assert_all_succeeded(1);
    wait_for_no_calls(&rig).await;

    let b_log = all_logs(&b.admin, b.id).await;
    let b_log = only_log(&b_log, "voicemail");
    assert!(offers(b_log).is_empty(), "B rang someone: {b_log:#}");
    assert_eq!(b_log["overflows"][0]["reason"], "all-busy", "{b_log:#}");
    assert_eq!(b_log["overflows"][0]["action"], "voicemail");
    let a_logs = all_logs(&a.admin, a.id).await;
    let a_log = only_log(&a_logs, "answered");
    assert_eq!(a_log["answered_by"], asha.id);
    assert!(
        b_log["started_ms"].as_u64() < a_log["ended_ms"].as_u64(),
        "B's call came after A's ended (the machine stalled for 10 s?)"
    );
    // The voicemail server got B's call in B's mailbox; Asha's phone rang only for A.
    assert_eq!(
        rig.voicemail.received("INVITE", "sip:b-desk@"),
        1,
        "{}",
        rig.voicemail.messages()
    );
    assert_eq!(phone.received("INVITE", ""), 1);
}

/// Scenario 3: agents who cannot take the call are passed over one after another as the
/// policy orders them: Uma's phone is not registered (no-answer at once), Xavi's rings out
/// (Kamailio's ring timeout from Switchyard's plan), Yara declines (486), Zed answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_agent_rings_when_one_does_not_answer() {
    let _turn = serial().await;
    let server = Server::start().await;
    let account = server.operator().account("Solo").await;
    let c = sip_company(
        &server,
        account,
        "C",
        "+15550301",
        "c.example",
        Some(json!({ "ring": "sequential", "ring_timeout_ms": 3000 })),
    )
    .await;
    let mut people = Vec::new();
    for (name, ext) in [
        ("uma", "401"),
        ("xavi", "402"),
        ("yara", "403"),
        ("zed", "404"),
    ] {
        let p = hire(&server, &c, &format!("{name}@example.com"), "agent", ext).await;
        // Logged in in this order: the first idles longest and is rung first.
        log_in(&p, true).await;
        people.push(p);
    }
    let token = telephony_token(&server, &[&c.number]).await;
    let rig = Rig::start(&server, &token, Options::default()).await;
    let xavi = rig.phone("xavi", Uas::NoAnswer).await;
    let yara = rig.phone("yara", Uas::Decline).await;
    let zed = rig.phone("zed", Uas::Answer).await;
    rig.register(&[
        ("402@c.example", &xavi),
        ("403@c.example", &yara),
        ("404@c.example", &zed),
    ])
    .await;

    rig.call(Uac::Talk { hold_ms: 1000 }, &c.number, 1, 1.0)
        .finish(CALL_WITHIN)
        .await
        .assert_all_succeeded(1);
    wait_for_no_calls(&rig).await;

    let logs = all_logs(&c.admin, c.id).await;
    let log = only_log(&logs, "answered");
    assert_eq!(
        offers(log),
        vec![
            (people[0].id, "no-answer".to_owned()),
            (people[1].id, "no-answer".to_owned()),
            (people[2].id, "declined".to_owned()),
            (people[3].id, "answered".to_owned()),
        ],
        "{log:#}\n{}",
        rig.logs()
    );
    assert_eq!(log["answered_by"], people[3].id);
    assert_eq!(log["answered_extension"], "404");
    // Xavi's phone rang until Kamailio's ring timeout cancelled it.
    assert_eq!(xavi.received("INVITE", ""), 1);
    assert_eq!(xavi.received("CANCEL", ""), 1, "{}", xavi.messages());
    assert_eq!(yara.received("INVITE", ""), 1);
}

/// Scenario 4: ring-all forks one branch per agent; the first 200 wins, Kamailio CANCELs the
/// other branches and Switchyard knows who answered. With five eligible agents and a fork
/// limit of 3 (Kamailio's max_branches), only three are offered and rung; the other two stay
/// free and ring for another call that comes in meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ring_all_forks_the_first_answer_wins_and_agents_past_the_fork_limit_stay_free() {
    let _turn = serial().await;
    let server = Server::start().await;
    let account = server.operator().account("Solo").await;
    let r = sip_company(
        &server,
        account,
        "R",
        "+15550401",
        "r.example",
        Some(json!({ "ring": "simultaneous", "ring_timeout_ms": 30000 })),
    )
    .await;
    let mut people = Vec::new();
    for i in 0..5 {
        let p = hire(
            &server,
            &r,
            &format!("p{i}@example.com"),
            "agent",
            &format!("50{i}"),
        )
        .await;
        log_in(&p, true).await;
        people.push(p);
    }
    let token = telephony_token(&server, &[&r.number]).await;
    let options = Options {
        max_branches: 3,
        ..Options::default()
    };
    let rig = Rig::start(&server, &token, options).await;
    // p0..p2 idle longest: the three offered. p1 answers (after 8 s of ringing).
    let behaviours = [
        Uas::NoAnswer,
        Uas::AnswerSlowly,
        Uas::NoAnswer,
        Uas::NoAnswer,
        Uas::NoAnswer,
    ];
    let mut phones = Vec::new();
    for (i, uas) in behaviours.into_iter().enumerate() {
        phones.push(rig.phone(&format!("p{i}"), uas).await);
    }
    let aors: Vec<String> = (0..5).map(|i| format!("50{i}@r.example")).collect();
    let bindings: Vec<(&str, &super::rig::Phone)> =
        aors.iter().map(String::as_str).zip(phones.iter()).collect();
    rig.register(&bindings).await;

    let first = rig.call(Uac::Talk { hold_ms: 1000 }, &r.number, 1, 1.0);
    wait_for_call(&rig, "the first call to ring three agents", |c| {
        c["ringing"].as_array().is_some_and(|r| r.len() == 3)
    })
    .await;
    // Meanwhile another caller: it rings the two agents the first call could not fork to,
    // then hangs up.
    rig.call(Uac::Cancel, &r.number, 1, 1.0)
        .finish(CALL_WITHIN)
        .await
        .assert_all_succeeded(1);
    first.finish(CALL_WITHIN).await.assert_all_succeeded(1);
    wait_for_no_calls(&rig).await;

    let logs = all_logs(&r.admin, r.id).await;
    let answered = only_log(&logs, "answered");
    let ids: Vec<u64> = people.iter().map(|p| p.id).collect();
    assert_eq!(answered["answered_by"], ids[1], "{answered:#}");
    let expected: BTreeSet<(u64, String)> = [
        (ids[0], "withdrawn".to_owned()),
        (ids[1], "answered".to_owned()),
        (ids[2], "withdrawn".to_owned()),
    ]
    .into();
    assert_eq!(offer_set(answered), expected, "{answered:#}");
    // The two past the limit were traced as such, never offered the first call...
    let members = answered["decisions"][0]["members"].as_array().unwrap();
    for p in &ids[3..] {
        let line = members
            .iter()
            .find(|m| m["agent_id"] == *p)
            .unwrap_or_else(|| panic!("agent {p} not in the decision: {answered:#}"));
        assert_eq!(line["reason"], "over-fork-limit", "{answered:#}");
    }
    // ...and rang for the second call.
    let abandoned = only_log(&logs, "abandoned");
    let second: BTreeSet<u64> = offers(abandoned).into_iter().map(|(a, _)| a).collect();
    assert!(
        second.contains(&ids[3]) && second.contains(&ids[4]),
        "the agents past the fork limit did not ring for the second call: {abandoned:#}"
    );
    // On the SIP side: three branches for the first call, the two losers CANCELled.
    for i in [0, 2] {
        assert_eq!(
            phones[i].received("CANCEL", ""),
            1,
            "p{i}: {}",
            phones[i].messages()
        );
    }
    assert_eq!(phones[1].received("CANCEL", ""), 0);
    for i in [3, 4] {
        assert_eq!(phones[i].received("INVITE", ""), 1, "p{i}");
    }
}

/// Scenario 5: the caller hangs up while an agent's phone rings, and while queued (the only
/// agent is on another call): both are logged `abandoned`, the ringing offer withdrawn.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_who_hangs_up_while_ringing_or_queued_is_logged_abandoned() {
    let _turn = serial().await;
    let server = Server::start().await;
    let account = server.operator().account("Solo").await;
    let e = sip_company(&server, account, "E", "+15550501", "e.example", None).await;
    let asha = hire(&server, &e, "asha@example.com", "agent", "221").await;
    log_in(&asha, true).await;
    let token = telephony_token(&server, &[&e.number]).await;
    let rig = Rig::start(&server, &token, Options::default()).await;
    let phone = rig.phone("asha", Uas::AnswerSlowly).await;
    rig.register(&[("221@e.example", &phone)]).await;

    // While her phone rings (it would answer after 8 s).
    rig.call(Uac::Cancel, &e.number, 1, 1.0)
        .finish(CALL_WITHIN)
        .await
        .assert_all_succeeded(1);
    wait_for_no_calls(&rig).await;
    let logs = all_logs(&e.admin, e.id).await;
    let log = only_log(&logs, "abandoned");
    assert_eq!(offers(log), vec![(asha.id, "withdrawn".to_owned())]);
    assert_eq!(phone.received("CANCEL", ""), 1, "{}", phone.messages());

    // While queued: she takes a call, another caller waits, then hangs up.
    let talk = rig.call(Uac::Talk { hold_ms: 6000 }, &e.number, 1, 1.0);
    wait_for_call(&rig, "the call to be connected to Asha", |c| {
        c["connected_to"] == asha.id
    })
    .await;
    let cancel = rig.call(Uac::Cancel, &e.number, 1, 1.0);
    wait_for_call(&rig, "the second call to queue", |c| c["stage"] == "queued").await;
    cancel.finish(CALL_WITHIN).await.assert_all_succeeded(1);
    talk.finish(CALL_WITHIN).await.assert_all_succeeded(1);
    wait_for_no_calls(&rig).await;
    let logs = all_logs(&e.admin, e.id).await;
    let abandoned: Vec<&Value> = logs
        .iter()
        .filter(|l| l["outcome"] == "abandoned")
        .collect();
    assert_eq!(abandoned.len(), 2, "{logs:#?}");
    let queued = abandoned
        .iter()
        .find(|l| offers(l).is_empty())
        .unwrap_or_else(|| panic!("no abandoned call without offers: {logs:#?}"));
    assert_eq!(queued["overflows"][0]["action"], "queue", "{queued:#}");
    assert_eq!(only_log(&logs, "answered")["answered_by"], asha.id);
    // Her phone never rang for the queued caller.
    assert_eq!(phone.received("INVITE", ""), 2);
}

/// Scenario 6: the only agent is busy, the caller queues (hearing ringing) with no SIP worker
/// held: Kamailio runs ONE worker here, and another call is served while the first waits.
/// When the agent's call ends, the queued call is offered to her and connected, even though
/// the bridge was down at that moment (a new bridge replays what Switchyard retained). An
/// update of an earlier step, delivered late, does not resume the waiting call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_caller_is_connected_when_the_agent_frees_up_without_holding_a_worker() {
    let _turn = serial().await;
    let server = Server::start().await;
    let account = server.operator().account("Solo").await;
    let q = sip_company(&server, account, "Q", "+15550601", "q.example", None).await;
    // Nobody of V is logged in: its calls go straight to voicemail.
    let v = sip_company(&server, account, "V", "+15550602", "v.example", None).await;
    let asha = hire(&server, &q, "asha@example.com", "agent", "221").await;
    log_in(&asha, true).await;
    let token = telephony_token(&server, &[&q.number, &v.number]).await;
    let options = Options {
        workers: 1,
        ..Options::default()
    };
    let mut rig = Rig::start(&server, &token, options).await;
    let phone = rig.phone("asha", Uas::Answer).await;
    rig.register(&[("221@q.example", &phone)]).await;

    let first = rig.call(Uac::Talk { hold_ms: 12_000 }, &q.number, 1, 1.0);
    wait_for_call(&rig, "the first call to be connected", |c| {
        c["connected_to"] == asha.id
    })
    .await;
    let queued = rig.call(Uac::Queued { hold_ms: 1000 }, &q.number, 1, 1.0);
    wait_for_call(&rig, "the second call to queue", |c| c["stage"] == "queued").await;
    // An update decided before the queue answer (step 1, the call's first instruction) and
    // delivered late must not resume the call: Kamailio drops it.
    let waiting = live_calls(&rig.tel)
        .await
        .into_iter()
        .find(|c| c["stage"] == "queued")
        .unwrap();
    let stale = json!({
        "version": "1.0", "call_id": waiting["call_id"], "company_id": q.id,
        "domain": "q.example", "trace_id": null, "step": 1, "seq": 1, "action": "ring",
        "routing": "serial", "count": 1, "agents": asha.id.to_string(),
        "routes": [{ "uri": "sip:221@q.example", "agent_id": asha.id, "extension": "221",
                     "fr_inv_timer": 20000 }],
    });
    rig.push_to_kamailio(&stale).await;
    wait_until("Kamailio to drop the stale update", CALL_WITHIN, || {
        let log = rig.kamailio_log();
        async move { log.contains("sy: stale update (step 1)") }
    })
    .await;
    // The one SIP worker is free while the caller waits: another call goes through.
    rig.call(Uac::Talk { hold_ms: 200 }, &v.number, 1, 1.0)
        .finish(CALL_WITHIN)
        .await
        .assert_all_succeeded(1);
    assert!(
        live_calls(&rig.tel)
            .await
            .iter()
            .any(|c| c["stage"] == "queued"),
        "the queued call was no longer waiting when the other call ended (12 s later?)"
    );
    // The bridge is down when Switchyard offers the queued call to Asha (her first call
    // ends): a new bridge replays what Switchyard retained, and the call is connected.
    rig.stop_bridge();
    first.finish(CALL_WITHIN).await.assert_all_succeeded(1);
    wait_for_call(&rig, "the queued call to be offered to Asha", |c| {
        c["stage"] == "ringing"
    })
    .await;
    rig.start_bridge().await;
    queued.finish(CALL_WITHIN).await.assert_all_succeeded(1);
    wait_for_no_calls(&rig).await;

    let logs = all_logs(&q.admin, q.id).await;
    assert_eq!(logs.len(), 2, "{logs:#?}");
    let waited = logs
        .iter()
        .find(|l| !l["overflows"].as_array().unwrap().is_empty())
        .unwrap_or_else(|| panic!("no queued call in {logs:#?}"));
    assert_eq!(waited["outcome"], "answered", "{waited:#}\n{}", rig.logs());
    assert_eq!(waited["answered_by"], asha.id);
    assert_eq!(waited["overflows"][0]["reason"], "all-busy");
    assert_eq!(waited["overflows"][0]["action"], "queue");
    assert_eq!(offers(waited), vec![(asha.id, "answered".to_owned())]);
    assert!(waited["talk_ms"].as_u64().unwrap() > 0);
    let v_logs = all_logs(&v.admin, v.id).await;
    assert_eq!(only_log(&v_logs, "voicemail")["company_id"], v.id);
    assert_eq!(phone.received("INVITE", ""), 2);
}

/// The other instructions Kamailio follows: a rule that forwards unanswered calls to a number
/// sends the caller through the gateway (an agent's phone answered 480 first: `no-answer`),
/// and a rule that rejects calls when nobody can take them answers the caller with the SIP
/// status of its reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unanswered_calls_are_forwarded_through_the_gateway_and_rejections_keep_their_status() {
    let _turn = serial().await;
    let server = Server::start().await;
    let account = server.operator().account("Solo").await;
    let f = sip_company(
        &server,
        account,
        "F",
        "+15550701",
        "f.example",
        Some(json!({ "no_answer": { "forward_number": "+15559990000" } })),
    )
    .await;
    let j = sip_company(
        &server,
        account,
        "J",
        "+15550702",
        "j.example",
        Some(json!({ "none_available": { "reject": "486 Busy Here" } })),
    )
    .await;
    let fay = hire(&server, &f, "fay@example.com", "agent", "801").await;
    log_in(&fay, true).await;
    // J's only agent is logged out: nobody available.
    hire(&server, &j, "jo@example.com", "agent", "901").await;
    let token = telephony_token(&server, &[&f.number, &j.number]).await;
    let rig = Rig::start(&server, &token, Options::default()).await;
    let phone = rig.phone("fay", Uas::Unavailable).await;
    rig.register(&[("801@f.example", &phone)]).await;

    rig.call(Uac::Talk { hold_ms: 500 }, &f.number, 1, 1.0)
        .finish(CALL_WITHIN)
        .await
        .assert_all_succeeded(1);
    rig.call(Uac::Busy, &j.number, 1, 1.0)
        .finish(CALL_WITHIN)
        .await
        .assert_all_succeeded(1);
    wait_for_no_calls(&rig).await;

    let f_logs = all_logs(&f.admin, f.id).await;
    let forwarded = only_log(&f_logs, "forwarded");
    assert_eq!(offers(forwarded), vec![(fay.id, "no-answer".to_owned())]);
    assert_eq!(
        rig.gateway.received("INVITE", "sip:+15559990000@"),
        1,
        "{}",
        rig.gateway.messages()
    );
    let j_logs = all_logs(&j.admin, j.id).await;
    assert_eq!(only_log(&j_logs, "rejected")["company_id"], j.id);
}

/// Overload, reproduced: Switchyard moves on from an offer (here the SIP server's own token
/// reports `no-answer` while the phone still rings, as a lapsed offer would) and queues the
/// call; Kamailio's own `no-answer` then arrives late and is refused, leaving it no next
/// step. The caller gets the failure (408) and Kamailio reports the call over, so Switchyard
/// does not keep it queued (and would have for 120 s).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_late_outcome_ends_the_call_on_both_sides() {
    let _turn = serial().await;
    let server = Server::start().await;
    let account = server.operator().account("Solo").await;
    let z = sip_company(
        &server,
        account,
        "Z",
        "+15550801",
        "z.example",
        Some(json!({
            "ring_timeout_ms": 3000,
            "no_answer": { "queue": 120_000 },
            "queue_timeout": { "voicemail": "late" },
        })),
    )
    .await;
    let zed = hire(&server, &z, "zed@example.com", "agent", "301").await;
    log_in(&zed, true).await;
    let token = telephony_token(&server, &[&z.number]).await;
    let rig = Rig::start(&server, &token, Options::default()).await;
    let phone = rig.phone("zed", Uas::NoAnswer).await;
    rig.register(&[("301@z.example", &phone)]).await;

    let caller = rig.call(Uac::TimedOut, &z.number, 1, 1.0);
    wait_for_call(&rig, "Zed's phone to ring", |c| c["stage"] == "ringing").await;
    let ringing = live_calls(&rig.tel).await;
    let moved_on = rig
        .tel
        .post(
            "/v1/kamailio/events",
            json!({ "call_id": ringing[0]["call_id"], "type": "no-answer", "agent_id": zed.id }),
        )
        .await
        .expect(200);
    assert_eq!(moved_on["action"], "queue", "{moved_on}");

    caller.finish(CALL_WITHIN).await.assert_all_succeeded(1);
    wait_for_no_calls(&rig).await;
    let logs = all_logs(&z.admin, z.id).await;
    let log = only_log(&logs, "abandoned");
    assert_eq!(
        offers(log),
        vec![(zed.id, "no-answer".to_owned())],
        "{}",
        rig.logs()
    );
    assert!(
        rig.kamailio_log()
            .contains("no next instruction from Switchyard"),
        "{}",
        rig.logs()
    );
}

/// A call can queue after ringing: Xavi declines, the rule queues unanswered calls for 3 s
/// (Kamailio suspends the INVITE from its failure route; Xavi, already tried, is not offered it
/// again), and when the queue times out Switchyard's overflow reaches Kamailio over the bridge
/// and the caller lands in voicemail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_call_waits_in_the_queue_then_overflows_to_voicemail() {
    let _turn = serial().await;
    let server = Server::start().await;
    let account = server.operator().account("Solo").await;
    let d = sip_company(
        &server,
        account,
        "D",
        "+15550801",
        "d.example",
        Some(json!({
            "no_answer": { "queue": 3000 },
            "queue_timeout": { "voicemail": "d-desk" },
        })),
    )
    .await;
    let xavi = hire(&server, &d, "xavi@example.com", "agent", "501").await;
    log_in(&xavi, true).await;
    let token = telephony_token(&server, &[&d.number]).await;
    let rig = Rig::start(&server, &token, Options::default()).await;
    let phone = rig.phone("xavi", Uas::Decline).await;
    rig.register(&[("501@d.example", &phone)]).await;

    rig.call(Uac::Queued { hold_ms: 500 }, &d.number, 1, 1.0)
        .finish(CALL_WITHIN)
        .await
        .assert_all_succeeded(1);
    wait_for_no_calls(&rig).await;

    let logs = all_logs(&d.admin, d.id).await;
    let log = only_log(&logs, "voicemail");
    assert_eq!(offers(log), vec![(xavi.id, "declined".to_owned())]);
    let overflows: Vec<(&str, &str)> = log["overflows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["reason"].as_str().unwrap(), o["action"].as_str().unwrap()))
        .collect();
    assert_eq!(
        overflows,
        vec![("no-answer", "queue"), ("queue-timeout", "voicemail")],
        "{log:#}\n{}",
        rig.logs()
    );
    assert_eq!(rig.voicemail.received("INVITE", "sip:d-desk@"), 1);
    assert_eq!(phone.received("INVITE", ""), 1);
}
