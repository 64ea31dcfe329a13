//! Real SIP calls through Kamailio (issue 12): Switchyard (the server on a loopback port),
//! Kamailio running `integrations/kamailio/kamailio.cfg`, `switchyard kamailio-bridge`, agents'
//! phones and a voicemail server played by SIPp UAS, callers by SIPp UAC. What each call did is
//! read back from Switchyard's API (call logs, offers, outcomes, traces), not only from SIPp's
//! exit codes; the phones' message traces show what Kamailio sent them (INVITE, CANCEL).
//!
//! Kamailio and SIPp must be installed: a missing one fails these tests with the apt-get line
//! (`.ci/run` installs them). One Kamailio test runs at a time ([`rig::serial`]).

mod calls;
mod load;
pub mod local;
mod rig;

use serde_json::{Value, json};

use crate::calls_support::{Co, company};
use crate::support::Server;

/// A company of `account` (UTC, wrap-up 0, shared identities) whose department answers
/// `number`, with SIP domain `domain` and, if given, the `overflow-rules` test policy with
/// `config`.
pub async fn sip_company(
    server: &Server,
    account: u64,
    name: &str,
    number: &str,
    domain: &str,
    rules: Option<Value>,
) -> Co {
    let co = company(server, account, name, number).await;
    rig::set_sip_domain(server, co.id, domain).await;
    if let Some(config) = rules {
        crate::calls_policies::activate(
            &co,
            switchyard_artifacts::OVERFLOW_RULES,
            "overflow-rules",
            config,
        )
        .await;
    }
    co
}

/// The single call log of `company` with `outcome` (fails unless exactly one).
pub fn only_log<'a>(logs: &'a [Value], outcome: &str) -> &'a Value {
    let found: Vec<&Value> = logs.iter().filter(|l| l["outcome"] == outcome).collect();
    assert_eq!(found.len(), 1, "one {outcome} log expected in {logs:#?}");
    found[0]
}

/// The rules of a company whose callers go to voicemail box `mailbox` when every member is
/// busy.
pub fn busy_to_voicemail(mailbox: &str) -> Value {
    json!({ "all_busy": { "voicemail": mailbox } })
}
