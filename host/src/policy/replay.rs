//! Replay: run a candidate policy version over a company's last logged decisions, with the
//! inputs recorded for them, next to the company's active policy on the same inputs, and report
//! where they differ. Nothing changes: both work on copies of the company's policy state, and
//! nothing is logged.

use serde::Serialize;
use switchyard_directory::CompanyId;
use switchyard_runtime::{Decision, PolicyState, fallback};

use crate::calls::{CallCenter, DecisionKind};
use crate::logbook::{LogBook, LogError, LogFilter};
use crate::policy::{PolicyError, PolicyStore};

/// Why a replay could not run.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// A policy (the candidate version, or the active one) could not be loaded.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// The company's call logs could not be read.
    #[error(transparent)]
    Logs(#[from] LogError),
}

/// What a replay reads: the uploaded versions, the call flow (its active policies and their
/// state) and the call logs.
pub struct ReplaySources<'a> {
    /// Uploaded policy versions.
    pub store: &'a PolicyStore,
    /// The call flow in service.
    pub calls: &'a CallCenter,
    /// Stored call logs.
    pub logbook: &'a LogBook,
}

/// One replayed decision.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReplayRow {
    /// The call.
    pub call_id: String,
    /// The recorded decision's trace id.
    pub trace_id: String,
    /// What the active policy decides on the recorded inputs.
    pub active: String,
    /// What the candidate version decides on them.
    pub candidate: String,
    /// Whether the two differ.
    pub differs: bool,
}

/// The replay report.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReplayReport {
    /// Calls replayed.
    pub calls: usize,
    /// Decisions replayed (a call may have several).
    pub decisions: usize,
    /// Decisions where the candidate differs from the active policy.
    pub differences: usize,
    /// Name and version of the active policy (`built-in` when none).
    pub active_policy: String,
    /// Every decision, oldest first.
    pub rows: Vec<ReplayRow>,
}

/// A decision in one line: `ring:sequential:2,1` or `overflow:all-busy`.
pub fn summary(decision: &Decision) -> String {
    match decision {
        Decision::Ring(plan) => {
            let mode = match plan.mode {
                switchyard_runtime::RingMode::Simultaneous => "simultaneous",
                switchyard_runtime::RingMode::Sequential => "sequential",
            };
            let agents: Vec<String> = plan.targets.iter().map(|t| t.agent.to_string()).collect();
            format!("ring:{mode}:{}", agents.join(","))
        }
        Decision::Overflow(reason) => DecisionKind::Overflow(*reason).to_string(),
    }
}

/// Replay `version` (with `config`) over the company's last `last` calls.
pub fn replay(
    sources: ReplaySources<'_>,
    company: CompanyId,
    version: u32,
    config: &str,
    last: usize,
) -> Result<ReplayReport, ReplayError> {
    let candidate = sources.store.load_version(company.0, version)?;
    let policies = sources.calls.policies();
    let engine = policies.engine();
    let active = match policies.active(company) {
        Some(a) => Some((
            policies
                .compiled(company, &a)
                .map_err(PolicyError::Unloadable)?,
            a,
        )),
        None => None,
    };
    let filter = LogFilter {
        limit: Some(u32::try_from(last).unwrap_or(u32::MAX).clamp(1, 200)),
        ..LogFilter::default()
    };
    let mut logs = sources.logbook.list(company, &filter)?.items;
    logs.reverse();
    let mut active_state: PolicyState = policies.state_snapshot(company);
    let mut candidate_state = active_state.clone();
    let mut rows = Vec::new();
    for log in &logs {
        for record in &log.decisions {
            let (call, candidates) = record.policy_inputs();
            let theirs = match &active {
                Some((policy, a)) => {
                    engine
                        .route(
                            policy,
                            company.0,
                            &call,
                            &candidates,
                            &a.config,
                            &mut active_state,
                        )
                        .value
                }
                None => fallback::route(&call, &candidates),
            };
            let ours = engine
                .route(
                    &candidate,
                    company.0,
                    &call,
                    &candidates,
                    config,
                    &mut candidate_state,
                )
                .value;
            let (active, candidate) = (summary(&theirs), summary(&ours));
            rows.push(ReplayRow {
                call_id: log.call_id.clone(),
                trace_id: record.trace_id.clone(),
                differs: active != candidate,
                active,
                candidate,
            });
        }
    }
    Ok(ReplayReport {
        calls: logs.len(),
        decisions: rows.len(),
        differences: rows.iter().filter(|r| r.differs).count(),
        active_policy: active
            .map(|(_, a)| format!("{}@{}", a.name, a.version))
            .unwrap_or_else(|| "built-in".to_owned()),
        rows,
    })
}
