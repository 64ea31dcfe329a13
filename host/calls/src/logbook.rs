//! The call log book: stores finished calls' logs (and their trace ids) durably in the record
//! store, lists a company's logs with filters, and persists companies' policy state. A company's
//! logs are keyed under its id, so a listing can only ever see that company's calls.

use std::sync::Arc;

use serde::Deserialize;
use switchyard_directory::{
    AgentId, CompanyId, DirectoryError, PageRequest, RecordStore, RecordTree, StoreError,
};
use switchyard_runtime::PolicyState;

use crate::log_codec::{self, LogCodecError};
use crate::{CallLog, CallOutcome, StateSaveError, StateSink};

/// Filters of a call log listing.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
pub struct LogFilter {
    /// Only calls this agent was offered or answered.
    pub agent: Option<AgentId>,
    /// Only calls that started at or after this time (unix ms).
    pub from: Option<u64>,
    /// Only calls that started before this time (unix ms).
    pub to: Option<u64>,
    /// Only calls with this outcome: `answered`, `abandoned`, `voicemail`, `forwarded`,
    /// `rejected`, `expired`, `reconciled` or `released` (any other is refused with 422
    /// `invalid_outcome`).
    pub outcome: Option<String>,
    /// Continue after this cursor (the `next` of the previous page).
    pub after: Option<u64>,
    /// Items per page, 1 to 200 (default 50); out of range is refused with 422
    /// `invalid_limit`, as in every list.
    pub limit: Option<u32>,
}

impl LogFilter {
    /// The page size asked for, checked as every list checks it (1 to 200, default 50).
    pub fn page_size(&self) -> Result<usize, LogError> {
        let page = PageRequest {
            after: None,
            limit: self.limit,
        };
        page.limit().map_err(LogError::Filter)
    }

    /// The outcome filtered on: every outcome a call can end with, including those of calls
    /// the host ends itself (`expired`, `reconciled`, `released`). Another name is refused,
    /// naming the ones there are.
    pub fn outcome(&self) -> Result<Option<CallOutcome>, LogError> {
        let Some(name) = self.outcome.as_deref() else {
            return Ok(None);
        };
        match CallOutcome::ALL.into_iter().find(|o| o.as_str() == name) {
            Some(outcome) => Ok(Some(outcome)),
            None => {
                let allowed: Vec<&str> = CallOutcome::ALL.iter().map(|o| o.as_str()).collect();
                let allowed = allowed.join(", ");
                Err(LogError::Filter(DirectoryError::invalid(
                    "invalid_outcome",
                    format!("outcome \"{name}\" is not one of: {allowed}"),
                    format!("filter on one of: {allowed}"),
                )))
            }
        }
    }
}

/// Why a call-log listing failed.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The filter was refused (`invalid_limit`, `invalid_outcome`): the caller's to fix.
    #[error(transparent)]
    Filter(DirectoryError),
    /// The record store failed.
    #[error("reading call logs: {0}")]
    Storage(#[from] StoreError),
    /// A stored log could not be decoded.
    #[error("decoding a call log: {0}")]
    Decode(#[from] LogCodecError),
}

/// One page of logs, newest first.
#[derive(Debug, serde::Serialize)]
pub struct LogPage {
    /// The logs.
    pub items: Vec<CallLog>,
    /// Cursor for the next page (`after=`), if there may be more.
    pub next: Option<u64>,
}

/// Call logs and policy state in a [`RecordStore`].
#[derive(Clone)]
pub struct LogBook {
    records: Arc<dyn RecordStore>,
}

/// Key of a call log: company ++ seq, so a company's logs sort together, oldest first.
pub(crate) fn log_key(company: CompanyId, seq: u64) -> Vec<u8> {
    [company.to_be_bytes(), seq.to_be_bytes()].concat()
}

/// The company and seq of a call log key.
pub(crate) fn split_key(key: &[u8]) -> Option<(CompanyId, u64)> {
    let company = u64::from_be_bytes(key.get(0..8)?.try_into().ok()?);
    let seq = u64::from_be_bytes(key.get(8..16)?.try_into().ok()?);
    Some((CompanyId(company), seq))
}

impl LogBook {
    /// A log book over `records`.
    pub fn new(records: Arc<dyn RecordStore>) -> Self {
        Self { records }
    }

    /// The underlying record store.
    pub fn records(&self) -> &Arc<dyn RecordStore> {
        &self.records
    }

    /// A page of `company`'s logs, newest first, filtered. An out-of-range `limit` or an
    /// unknown `outcome` is refused ([`LogError::Filter`]).
    pub fn list(&self, company: CompanyId, filter: &LogFilter) -> Result<LogPage, LogError> {
        let limit = filter.page_size()?;
        let outcome = filter.outcome()?;
        let prefix = company.to_be_bytes();
        let mut cursor = filter.after.map(|seq| log_key(company, seq));
        let mut items = Vec::new();
        let mut last_seq = None;
        'scan: loop {
            let batch =
                self.records
                    .scan(RecordTree::CallLogs, &prefix, cursor.as_deref(), true, 256)?;
            if batch.is_empty() {
                break;
            }
            for (key, value) in &batch {
                cursor = Some(key.clone());
                let log: CallLog = log_codec::decode(value)?;
                last_seq = Some(log.seq);
                if matches(&log, filter, outcome) {
                    items.push(log);
                    if items.len() >= limit {
                        break 'scan;
                    }
                }
            }
            if batch.len() < 256 {
                break;
            }
        }
        let next = if items.len() >= limit { last_seq } else { None };
        Ok(LogPage { items, next })
    }

    /// Stored policy state of every company (loaded at start-up).
    pub fn policy_states(&self) -> Result<Vec<(u64, PolicyState)>, StoreError> {
        let all = self
            .records
            .scan(RecordTree::PolicyState, &[], None, false, usize::MAX)?;
        let mut out = Vec::with_capacity(all.len());
        for (key, value) in all {
            let company = key
                .get(0..8)
                .and_then(|k| k.try_into().ok())
                .map(u64::from_be_bytes);
            let state = serde_json::from_slice::<PolicyState>(&value);
            match (company, state) {
                (Some(c), Ok(s)) => out.push((c, s)),
                _ => tracing::warn!("skipping an unreadable policy state record"),
            }
        }
        Ok(out)
    }
}

/// Whether `log` passes `f` (whose outcome, checked, is `outcome`).
fn matches(log: &CallLog, f: &LogFilter, outcome: Option<CallOutcome>) -> bool {
    f.agent.is_none_or(|a| log.involves(a))
        && f.from.is_none_or(|t| log.started_ms >= t)
        && f.to.is_none_or(|t| log.started_ms < t)
        && outcome.is_none_or(|o| log.outcome == o)
}

impl StateSink for LogBook {
    fn save(&self, company: CompanyId, state: &PolicyState) -> Result<(), StateSaveError> {
        let body = serde_json::to_vec(state).map_err(StateSaveError::Encode)?;
        // Lazily durable: a crash may lose the latest pointer advance (a fairness detail,
        // never a call), and an fsync here would hold the company's policy lock for it.
        self.records
            .write_lazily(&[(
                RecordTree::PolicyState,
                company.to_be_bytes().to_vec(),
                Some(body),
            )])
            .map_err(StateSaveError::Store)
    }
}
