//! The call log: one record per call, under its company, with every offer and its outcome,
//! overflow actions, durations and every policy decision (with the inputs it was given, so a
//! decision can be replayed). Records are written durably when the call finishes.

use serde::{Deserialize, Serialize};
use switchyard_directory::{AgentId, CompanyId, DepartmentId};
use switchyard_runtime::{Call, Candidate};

use super::decision_kind::DecisionKind;
use super::run_source::RunSource;
use super::trace::MemberTrace;
use crate::policy_io::{self as policy_io, ResolveError};

/// How one offer to one agent ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OfferOutcome {
    /// Still ringing (only in live views).
    Ringing,
    /// The agent answered.
    Answered,
    /// Rang out.
    NoAnswer,
    /// The agent declined.
    Declined,
    /// Another agent answered first, or the caller hung up.
    Withdrawn,
    /// No outcome arrived before the ring timeout (lost event); released by the host.
    Lapsed,
}

/// One offer of the call to one agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    /// The agent.
    pub agent_id: AgentId,
    /// Extension in this company.
    pub extension: String,
    /// Decision attempt that made the offer.
    pub attempt: u32,
    /// When it started ringing (unix ms).
    pub at_ms: u64,
    /// How long it rang.
    pub ring_ms: u64,
    /// How it ended.
    pub outcome: OfferOutcome,
}

/// An overflow decision taken for the call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverflowRecord {
    /// When (unix ms).
    pub at_ms: u64,
    /// Why nobody could take the call (`all-busy`, `queue-timeout`, ...).
    pub reason: policy_io::OverflowReason,
    /// What was done (`queue`, `voicemail`, `forward-department`, ...).
    pub action: OverflowActionKind,
    /// Detail of the action (mailbox, number, department id, max wait).
    pub detail: String,
    /// Policy answer or built-in fallback.
    pub source: RunSource,
}

/// What an overflow did with a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OverflowActionKind {
    /// Queued it.
    Queue,
    /// Sent it to another department of the company.
    ForwardDepartment,
    /// Forwarded it to an external number.
    ForwardNumber,
    /// Sent the caller to voicemail.
    Voicemail,
    /// Rejected it.
    Reject,
}

impl OverflowActionKind {
    /// The name logs and the API give it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queue => "queue",
            Self::ForwardDepartment => "forward-department",
            Self::ForwardNumber => "forward-number",
            Self::Voicemail => "voicemail",
            Self::Reject => "reject",
        }
    }
}

/// Which policy decided and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRun {
    /// Policy name (`built-in` when the company has none).
    pub name: String,
    /// Version number (0 for the built-in default).
    pub version: u32,
    /// `policy`, `built-in`, or `fallback:<failure-kind>`.
    pub source: RunSource,
    /// Time spent in the policy, microseconds.
    pub elapsed_us: u64,
}

/// The format [`DecisionRecord`]s are written in: `v` of a stored record.
///
/// - 1 (no `v`): the WIT binding types as serde spelt them (`"Monday"`, `"BusyElsewhere"`),
///   under contract 0.1 (candidates with `extension` and skill names) or 0.2 (skill bits).
/// - 2: the host's own forms ([`policy_io`]): enum values kebab-case (`"monday"`,
///   `"busy-elsewhere"`).
pub const DECISION_FORMAT: u32 = 2;

/// One routing decision with its inputs (for replay) and its trace.
///
/// Stored in the host's own forms ([`policy_io`], format [`DECISION_FORMAT`]), converted to
/// the WIT types only when a policy is run on them again ([`DecisionRecord::policy_inputs`]).
/// Older records read too (see [`DECISION_FORMAT`]): contract 0.1 skill names are interned
/// into `input_call.skills` as the host does today.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "DecisionRecordForm")]
pub struct DecisionRecord {
    /// Trace id (`GET /v1/traces/{id}`).
    pub trace_id: String,
    /// Attempt number.
    pub attempt: u32,
    /// When (unix ms).
    pub at_ms: u64,
    /// The department decided for.
    pub department_id: DepartmentId,
    /// Policy and timing.
    pub policy: PolicyRun,
    /// `ring`, `ring:nobody-reservable` or `overflow:<reason>`.
    pub decision: DecisionKind,
    /// Every member of the department: offered or why not.
    pub members: Vec<MemberTrace>,
    /// The call as given to the policy.
    pub input_call: policy_io::Call,
    /// The candidates as given to the policy.
    pub input_candidates: Vec<policy_io::Candidate>,
}

impl DecisionRecord {
    /// The call and candidates exactly as the policy was given them, to run a policy on again.
    pub fn policy_inputs(&self) -> (Call, Vec<Candidate>) {
        (
            self.input_call.clone().into(),
            self.input_candidates
                .iter()
                .cloned()
                .map(Into::into)
                .collect(),
        )
    }
}

/// A [`DecisionRecord`] as written: its fields and the format version.
#[derive(Serialize)]
struct DecisionRecordOut<'a> {
    v: u32,
    trace_id: &'a str,
    attempt: u32,
    at_ms: u64,
    department_id: DepartmentId,
    policy: &'a PolicyRun,
    decision: DecisionKind,
    members: &'a [MemberTrace],
    input_call: &'a policy_io::Call,
    input_candidates: &'a [policy_io::Candidate],
}

impl Serialize for DecisionRecord {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        DecisionRecordOut {
            v: DECISION_FORMAT,
            trace_id: &self.trace_id,
            attempt: self.attempt,
            at_ms: self.at_ms,
            department_id: self.department_id,
            policy: &self.policy,
            decision: self.decision,
            members: &self.members,
            input_call: &self.input_call,
            input_candidates: &self.input_candidates,
        }
        .serialize(serializer)
    }
}

fn format_v1() -> u32 {
    1
}

/// A stored [`DecisionRecord`] of any format (see [`DECISION_FORMAT`]).
#[derive(Deserialize)]
struct DecisionRecordForm {
    #[serde(default = "format_v1")]
    v: u32,
    trace_id: String,
    attempt: u32,
    at_ms: u64,
    department_id: DepartmentId,
    policy: PolicyRun,
    decision: DecisionKind,
    members: Vec<MemberTrace>,
    input_call: policy_io::Call,
    input_candidates: Vec<policy_io::CandidateInput>,
}

/// Why a stored decision record cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum DecisionRecordError {
    /// Written by a newer host.
    #[error("decision record {trace_id} has format v{v}; this host reads up to v{DECISION_FORMAT}")]
    NewerFormat {
        /// The record's trace id.
        trace_id: String,
        /// Its format version.
        v: u32,
    },
    /// Its inputs are not what a policy can be given.
    #[error("decision record {trace_id}: {source}")]
    Inputs {
        /// The record's trace id.
        trace_id: String,
        /// What is wrong with them.
        #[source]
        source: ResolveError,
    },
}

impl TryFrom<DecisionRecordForm> for DecisionRecord {
    type Error = DecisionRecordError;

    fn try_from(form: DecisionRecordForm) -> Result<Self, DecisionRecordError> {
        if form.v > DECISION_FORMAT {
            return Err(DecisionRecordError::NewerFormat {
                trace_id: form.trace_id,
                v: form.v,
            });
        }
        let (input_call, input_candidates) =
            policy_io::resolve(form.input_call, form.input_candidates).map_err(|source| {
                DecisionRecordError::Inputs {
                    trace_id: form.trace_id.clone(),
                    source,
                }
            })?;
        Ok(Self {
            trace_id: form.trace_id,
            attempt: form.attempt,
            at_ms: form.at_ms,
            department_id: form.department_id,
            policy: form.policy,
            decision: form.decision,
            members: form.members,
            input_call,
            input_candidates,
        })
    }
}

/// Final outcome of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallOutcome {
    /// Answered and ended normally.
    Answered,
    /// The caller hung up before anyone answered.
    Abandoned,
    /// Sent to voicemail.
    Voicemail,
    /// Forwarded to an external number.
    Forwarded,
    /// Rejected by the overflow rules.
    Rejected,
    /// Connected longer than the maximum call duration without an `ended` event: ended by
    /// the host, the agent freed.
    Expired,
    /// Ended because the telephony platform's reconciliation no longer listed it.
    Reconciled,
    /// Ended by an administrator releasing the agent (see `released_by`).
    Released,
}

impl CallOutcome {
    /// Every outcome a call can end with.
    pub const ALL: [CallOutcome; 8] = [
        CallOutcome::Answered,
        CallOutcome::Abandoned,
        CallOutcome::Voicemail,
        CallOutcome::Forwarded,
        CallOutcome::Rejected,
        CallOutcome::Expired,
        CallOutcome::Reconciled,
        CallOutcome::Released,
    ];

    /// Kebab-case name, as used in filters.
    pub fn as_str(self) -> &'static str {
        match self {
            CallOutcome::Answered => "answered",
            CallOutcome::Abandoned => "abandoned",
            CallOutcome::Voicemail => "voicemail",
            CallOutcome::Forwarded => "forwarded",
            CallOutcome::Rejected => "rejected",
            CallOutcome::Expired => "expired",
            CallOutcome::Reconciled => "reconciled",
            CallOutcome::Released => "released",
        }
    }
}

/// The log record of one call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallLog {
    /// Sequence number, unique across the service (assigned when stored).
    pub seq: u64,
    /// Telephony call id.
    pub call_id: String,
    /// Company.
    pub company_id: CompanyId,
    /// Dialled number.
    pub number: String,
    /// Caller id.
    pub caller: String,
    /// Department the call ended in.
    pub department_id: DepartmentId,
    /// When the call arrived (unix ms).
    pub started_ms: u64,
    /// When it finished (unix ms).
    pub ended_ms: u64,
    /// How it ended.
    pub outcome: CallOutcome,
    /// Who answered, with this company's extension.
    pub answered_by: Option<AgentId>,
    /// Extension of who answered.
    pub answered_extension: Option<String>,
    /// Who released the agent and so ended the call (outcome `released`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released_by: Option<String>,
    /// Time from arrival to answer (or to the end if unanswered), ms.
    pub wait_ms: u64,
    /// Total ringing time across offers, ms.
    pub ring_ms: u64,
    /// Talk time, ms.
    pub talk_ms: u64,
    /// Every offer, in order.
    pub offers: Vec<Offer>,
    /// Every overflow decision, in order.
    pub overflows: Vec<OverflowRecord>,
    /// Every routing decision, in order.
    pub decisions: Vec<DecisionRecord>,
}

impl CallLog {
    /// A copy without the decisions (the stored form of a live call keeps them apart).
    pub fn without_decisions(&self) -> CallLog {
        CallLog {
            seq: self.seq,
            call_id: self.call_id.clone(),
            company_id: self.company_id,
            number: self.number.clone(),
            caller: self.caller.clone(),
            department_id: self.department_id,
            started_ms: self.started_ms,
            ended_ms: self.ended_ms,
            outcome: self.outcome,
            answered_by: self.answered_by,
            answered_extension: self.answered_extension.clone(),
            released_by: self.released_by.clone(),
            wait_ms: self.wait_ms,
            ring_ms: self.ring_ms,
            talk_ms: self.talk_ms,
            offers: self.offers.clone(),
            overflows: self.overflows.clone(),
            decisions: Vec::new(),
        }
    }

    /// Record how the latest ringing offer to `agent` ended.
    pub fn close_offer(&mut self, agent: AgentId, outcome: OfferOutcome, now_ms: u64) {
        if let Some(offer) = self
            .offers
            .iter_mut()
            .rev()
            .find(|o| o.agent_id == agent && o.outcome == OfferOutcome::Ringing)
        {
            offer.outcome = outcome;
            offer.ring_ms = now_ms.saturating_sub(offer.at_ms);
        }
    }

    /// Whether `agent` took part in this call (offered or answered).
    pub fn involves(&self, agent: AgentId) -> bool {
        self.answered_by == Some(agent) || self.offers.iter().any(|o| o.agent_id == agent)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// A record as hosts before format 2 wrote it: WIT spellings, no `v`.
    fn unversioned(candidate: Value) -> Value {
        json!({
            "trace_id": "t-1", "attempt": 1, "at_ms": 5, "department_id": 2,
            "policy": {"name": "built-in", "version": 0, "source": "built-in", "elapsed_us": 3},
            "decision": "ring",
            "members": [{"agent_id": 7, "extension": "201", "reason": "offered",
                         "hint": "The member was offered the call.", "panel_access": true}],
            "input_call": {
                "id": "c", "company": 1, "dialled_number": "+1", "caller": "", "department": 2,
                "attempt": 1, "waited_ms": 0, "now_unix_ms": 0, "local_weekday": "Friday",
                "local_minute": 600, "seed": 9, "tried": [],
                "attributes": [{"key": "skill", "value": "hindi"}]
            },
            "input_candidates": [candidate]
        })
    }

    #[test]
    fn a_contract_0_1_record_reads_with_its_skill_names_interned() {
        let record: DecisionRecord = serde_json::from_value(unversioned(json!({
            "agent": 7, "extension": "201", "role": "Agent", "tier": 1,
            "skills": ["hindi", "sales"], "status": "Available", "take_calls": true,
            "in_schedule": true, "presence": "Idle", "idle_ms": 10, "calls_today": 0,
            "talk_ms_today": 0
        })))
        .unwrap();
        assert_eq!(record.input_call.skills, ["hindi", "sales"]);
        assert_eq!(record.input_candidates[0].skills, 0b11);
        let (call, candidates) = record.policy_inputs();
        assert_eq!(call.local_weekday, switchyard_runtime::Weekday::Friday);
        assert_eq!(candidates[0].presence, switchyard_runtime::Presence::Idle);
    }

    #[test]
    fn a_contract_0_2_record_in_rust_spellings_reads_and_is_rewritten_in_format_2() {
        let mut old = unversioned(json!({
            "agent": 7, "role": "Supervisor", "tier": 2, "skills": 1, "status": "OnBreak",
            "take_calls": true, "in_schedule": false, "presence": "BusyElsewhere",
            "idle_ms": 0, "calls_today": 4, "talk_ms_today": 60000
        }));
        old["input_call"]["skills"] = json!(["hindi"]);
        let record: DecisionRecord = serde_json::from_value(old).unwrap();
        let candidate = &record.input_candidates[0];
        assert_eq!(
            (candidate.role, candidate.status, candidate.presence),
            (
                policy_io::Role::Supervisor,
                policy_io::Status::OnBreak,
                policy_io::Presence::BusyElsewhere
            )
        );
        let written = serde_json::to_value(&record).unwrap();
        assert_eq!(written["v"], DECISION_FORMAT);
        assert_eq!(written["input_call"]["local_weekday"], "friday");
        let c = &written["input_candidates"][0];
        assert_eq!(
            (&c["role"], &c["status"], &c["presence"]),
            (
                &json!("supervisor"),
                &json!("on-break"),
                &json!("busy-elsewhere")
            )
        );
        let again: DecisionRecord = serde_json::from_value(written).unwrap();
        assert_eq!(again, record);
    }

    #[test]
    fn a_record_from_a_newer_host_or_with_unnamed_bits_is_refused_with_its_trace_id() {
        let candidate = json!({
            "agent": 7, "role": "agent", "tier": 1, "skills": 4, "status": "available",
            "take_calls": true, "in_schedule": true, "presence": "idle", "idle_ms": 0,
            "calls_today": 0, "talk_ms_today": 0
        });
        let mut newer = unversioned(candidate.clone());
        newer["v"] = json!(DECISION_FORMAT + 1);
        let err = serde_json::from_value::<DecisionRecord>(newer).unwrap_err();
        assert!(err.to_string().contains("t-1 has format v3"), "{err}");
        let err = serde_json::from_value::<DecisionRecord>(unversioned(candidate)).unwrap_err();
        assert!(
            err.to_string().contains("candidate 7 has skill bits"),
            "{err}"
        );
    }
}
