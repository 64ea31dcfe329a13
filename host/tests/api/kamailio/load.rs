//! Scenario 7: 200 calls at 20 calls per second across three companies that share their
//! agents, through Kamailio: SIPp counts no failed call, and Switchyard's call logs show no
//! agent engaged by two calls at once (across companies), every call logged once.

use std::time::Duration;

use serde_json::Value;

use super::rig::{Options, Rig, Uac, Uas, live_calls, serial, telephony_token, wait_until};
use super::sip_company;
use crate::calls_support::{Co, Person, all_logs, assert_never_double_booked, hire, log_in, share};
use crate::support::Server;

/// Calls placed, and their rate (per second, all companies together).
const CALLS: u32 = 200;
const RATE: f64 = 20.0;
/// Agents shared by the three companies.
const AGENTS: usize = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_calls_at_twenty_per_second_across_three_companies_never_double_book() {
    let _turn = serial().await;
    let server = Server::start().await;
    let account = server.operator().account("BPO").await;
    // Default overflow: all busy -> the queue (up to 2 minutes), then voicemail.
    let mut companies: Vec<Co> = Vec::new();
    for (i, name) in ["L1", "L2", "L3"].iter().enumerate() {
        let number = format!("+1555070{i}");
        let domain = format!("l{}.example", i + 1);
        companies.push(sip_company(&server, account, name, &number, &domain, None).await);
    }
    let mut agents: Vec<Person> = Vec::new();
    for i in 0..AGENTS {
        let p = hire(
            &server,
            &companies[0],
            &format!("agent{i}@example.com"),
            "agent",
            &format!("6{i:02}"),
        )
        .await;
        for (c, co) in companies.iter().enumerate().skip(1) {
            share(co, &p, "agent", &format!("{}{i:02}", 6 + c)).await;
        }
        log_in(&p, true).await;
        agents.push(p);
    }
    let numbers: Vec<&str> = companies.iter().map(|c| c.number.as_str()).collect();
    let token = telephony_token(&server, &numbers).await;
    let rig = Rig::start(&server, &token, Options::default()).await;

    // One phone per agent, registered as its extension in each company.
    let mut phones = Vec::new();
    for i in 0..AGENTS {
        phones.push(rig.phone(&format!("agent{i}"), Uas::Answer).await);
    }
    let aors: Vec<(String, usize)> = (0..AGENTS)
        .flat_map(|i| (0..3).map(move |c| (format!("{}{i:02}@l{}.example", 6 + c, c + 1), i)))
        .collect();
    let bindings: Vec<(&str, &super::rig::Phone)> = aors
        .iter()
        .map(|(aor, i)| (aor.as_str(), &phones[*i]))
        .collect();
    rig.register(&bindings).await;

    // One SIPp caller per company, a third of the rate each; every caller talks 1 s.
    let per_company = [CALLS / 3 + CALLS % 3, CALLS / 3, CALLS / 3];
    let callers: Vec<_> = companies
        .iter()
        .zip(per_company)
        .map(|(co, n)| rig.call(Uac::Talk { hold_ms: 1000 }, &co.number, n, RATE / 3.0))
        .collect();
    let mut failed = 0;
    let mut successful = 0;
    for caller in callers {
        let run = caller.finish(Duration::from_secs(600)).await;
        if run.failed > 0 || !run.exit.success() {
            eprintln!("a caller reported failures ({}):\n{}", run.exit, run.output);
        }
        failed += run.failed;
        successful += run.successful;
    }
    assert_eq!(
        (successful, failed),
        (u64::from(CALLS), 0),
        "SIPp counted failed calls\n{}",
        rig.logs()
    );
    wait_until(
        "every call to be over at Switchyard",
        Duration::from_secs(120),
        || async { live_calls(&rig.tel).await.is_empty() },
    )
    .await;

    let mut logs: Vec<Value> = Vec::new();
    for co in &companies {
        logs.extend(all_logs(&co.admin, co.id).await);
    }
    assert_eq!(logs.len(), CALLS as usize, "every call logged once");
    let mut call_ids: Vec<&str> = logs
        .iter()
        .map(|l| l["call_id"].as_str().unwrap())
        .collect();
    call_ids.sort_unstable();
    call_ids.dedup();
    assert_eq!(call_ids.len(), CALLS as usize, "a call logged twice");
    for log in &logs {
        let outcome = log["outcome"].as_str().unwrap();
        assert!(
            outcome == "answered" || outcome == "voicemail",
            "a call ended {outcome}: {log:#}"
        );
    }
    assert_never_double_booked(&logs);
    // Each company's calls stayed in that company, answered on its own extensions.
    for (c, co) in companies.iter().enumerate() {
        for log in logs.iter().filter(|l| l["company_id"] == co.id) {
            assert_eq!(log["number"], co.number);
            if let Some(ext) = log["answered_extension"].as_str() {
                assert!(ext.starts_with(&(6 + c).to_string()), "{log:#}");
            }
        }
    }
    let answered = logs.iter().filter(|l| l["outcome"] == "answered").count();
    assert!(answered > 0, "no call reached an agent");
}
