//! An agent's live state as the shared tables hold it (`agent_live`): an engagement as columns
//! (company, call, phase, the phase's time; phase 0 offered, 1 on the call, 2 wrap-up) and back.

use tokio_postgres::Row;

use super::{db, id};
use crate::calls::registry::{AgentLive, Engagement, Phase};

/// An engagement's columns: company, call, phase and its time.
pub(super) fn columns_of(
    e: Option<Engagement>,
) -> (Option<i64>, Option<i64>, Option<i16>, Option<i64>) {
    let Some(e) = e else {
        return (None, None, None, None);
    };
    let (phase, at) = match e.phase {
        Phase::Offered { expires_at_ms } => (0, expires_at_ms),
        Phase::OnCall { since_ms } => (1, since_ms),
        Phase::WrapUp { until_ms } => (2, until_ms),
    };
    (
        Some(db(e.company)),
        Some(db(e.call)),
        Some(phase),
        Some(db(at)),
    )
}

/// The engagement in columns `at..at + 4` (company, call, phase, its time) of `row`.
pub(super) fn engagement_of(
    row: &Row,
    at: usize,
) -> Result<Option<Engagement>, tokio_postgres::Error> {
    let company: Option<i64> = row.try_get(at)?;
    let call: Option<i64> = row.try_get(at + 1)?;
    let phase: Option<i16> = row.try_get(at + 2)?;
    let phase_ms: Option<i64> = row.try_get(at + 3)?;
    let (Some(company), Some(call), Some(phase), Some(ms)) = (company, call, phase, phase_ms)
    else {
        return Ok(None);
    };
    let ms = id(ms);
    let phase = match phase {
        0 => Phase::Offered { expires_at_ms: ms },
        1 => Phase::OnCall { since_ms: ms },
        _ => Phase::WrapUp { until_ms: ms },
    };
    Ok(Some(Engagement {
        company: id(company),
        call: id(call),
        phase,
    }))
}

/// The agent's live state in columns `at..` of `row` (logged_in, free_since_ms, company,
/// call_ref, phase, phase_ms).
pub(super) fn live_of(row: &Row, at: usize) -> Result<AgentLive, tokio_postgres::Error> {
    Ok(AgentLive {
        logged_in: row.try_get(at)?,
        free_since_ms: id(row.try_get(at + 1)?),
        engagement: engagement_of(row, at + 2)?,
    })
}
