//! The presence board of one company: what a viewer may see of each member, decided by the
//! company's `visibility` policy. Full detail covers activity in this company only; work for
//! another company is only ever "busy".

use serde::Serialize;
use switchyard_directory::{AgentId, CompanyId};
use switchyard_runtime::{Presence, Role, Status, Subject, View, Viewer};

use super::center::CallCenter;
use super::clock::local_time;
use super::roster::Member;

/// One member on the board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoardEntry {
    /// The agent.
    pub agent_id: AgentId,
    /// This company's extension.
    pub extension: String,
    /// `coarse` or `full`.
    pub view: BoardView,
    /// `available`, `busy` or `offline`.
    pub status: BoardStatus,
    /// Shown with a full view only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<BoardDetail>,
}

/// Full detail of a member's activity in this company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoardDetail {
    /// Role in this company.
    pub role: &'static str,
    /// The status the member set here (`available`, `unavailable`, `break`).
    pub member_status: &'static str,
    /// Take Calls here.
    pub take_calls: bool,
    /// `idle`, `ringing`, `on-call`, `wrap-up` (this company), `busy` (elsewhere, no detail),
    /// or `logged-out`.
    pub activity: Activity,
    /// Calls answered today here.
    pub calls_today: u32,
    /// Talk time today here, ms.
    pub talk_ms_today: u64,
}

/// Who is looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardViewer {
    /// A member of the company (its role there decides the default view).
    Member(AgentId),
    /// A company admin key, a manager or the operator: sees like an admin.
    Administrator,
}

/// Why the board cannot be shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoardError {
    /// The viewer is not an active member of the company.
    #[error("not a member of company {0}")]
    NotMember(CompanyId),
    /// The viewer's Panel Access is off in this company (id, name).
    #[error("Panel Access is OFF in company {1} (id {0})")]
    PanelAccessOff(CompanyId, String),
}

impl CallCenter {
    /// The board of `company` as `viewer` may see it at `now_ms`.
    pub fn board(
        &self,
        company: CompanyId,
        viewer: BoardViewer,
        now_ms: u64,
    ) -> Result<Vec<BoardEntry>, BoardError> {
        let members = self.roster.company_members(company, now_ms);
        let viewer = self.viewer(company, viewer, &members)?;
        let day = self
            .roster
            .company(company)
            .map(|c| local_time(&c.time_zone, now_ms).day)
            .unwrap_or(0);
        let active: Vec<_> = members.iter().filter(|m| m.active).collect();
        let ids: Vec<AgentId> = active.iter().map(|m| m.agent).collect();
        // Every member's presence and counters in one read (one statement on a cluster).
        let views = self.registry.views(company, &ids, now_ms, day);
        let mut board = Vec::with_capacity(active.len());
        for (m, seen) in active.into_iter().zip(views) {
            let presence = seen.presence;
            let subject = Subject {
                agent: m.agent.0,
                role: m.role,
                status: m.status,
                presence,
            };
            let view = self.policies.visibility(company, &viewer, &subject).value;
            let coarse = coarse_status(presence, m.status);
            let entry = match view {
                View::Hidden => continue,
                View::Coarse => BoardEntry {
                    agent_id: m.agent,
                    extension: m.extension.clone(),
                    view: BoardView::Coarse,
                    status: coarse,
                    detail: None,
                },
                View::Full => {
                    let stats = seen.stats;
                    BoardEntry {
                        agent_id: m.agent,
                        extension: m.extension.clone(),
                        view: BoardView::Full,
                        status: coarse,
                        detail: Some(BoardDetail {
                            role: role_name(m.role),
                            member_status: status_name(m.status),
                            take_calls: m.take_calls,
                            activity: activity_of(presence),
                            calls_today: stats.calls,
                            talk_ms_today: stats.talk_ms,
                        }),
                    }
                }
            };
            board.push(entry);
        }
        Ok(board)
    }

    /// How the company's visibility policy sees `viewer`: a member with panel access, as
    /// its role there, or an administrator.
    fn viewer(
        &self,
        company: CompanyId,
        viewer: BoardViewer,
        members: &[Member],
    ) -> Result<Viewer, BoardError> {
        match viewer {
            BoardViewer::Member(agent) => {
                let me = members
                    .iter()
                    .find(|m| m.agent == agent && m.active)
                    .ok_or(BoardError::NotMember(company))?;
                if !me.panel_access {
                    let name = self
                        .roster
                        .company(company)
                        .map(|c| c.name)
                        .unwrap_or_default();
                    return Err(BoardError::PanelAccessOff(company, name));
                }
                Ok(Viewer {
                    agent: agent.0,
                    role: me.role,
                })
            }
            BoardViewer::Administrator => Ok(Viewer {
                agent: 0,
                role: Role::Admin,
            }),
        }
    }
}

/// How much of a member a viewer sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BoardView {
    /// Available, busy or offline, nothing more.
    Coarse,
    /// With the member's role, status, activity and counters here.
    Full,
}

/// A member's status as everyone who sees it may see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BoardStatus {
    /// Idle and available: a call may ring them.
    Available,
    /// Working (here or for another company), or on a break.
    Busy,
    /// Logged out, or unavailable here.
    Offline,
}

/// What a member is doing, as this company sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Activity {
    /// Logged out of the agent app.
    LoggedOut,
    /// Waiting for a call.
    Idle,
    /// Offered one of this company's calls.
    Ringing,
    /// On one of this company's calls.
    OnCall,
    /// After-call work for this company.
    WrapUp,
    /// Working for another company (no detail).
    Busy,
}

/// What everyone may see of a member with `presence` and `status` here.
fn coarse_status(presence: Presence, status: Status) -> BoardStatus {
    match (presence, status) {
        (Presence::LoggedOut, _) | (_, Status::Unavailable) => BoardStatus::Offline,
        (Presence::Idle, Status::Available) => BoardStatus::Available,
        _ => BoardStatus::Busy,
    }
}

/// What a member with `presence` here is doing.
fn activity_of(presence: Presence) -> Activity {
    match presence {
        Presence::LoggedOut => Activity::LoggedOut,
        Presence::Idle => Activity::Idle,
        Presence::Ringing => Activity::Ringing,
        Presence::OnCall => Activity::OnCall,
        Presence::WrapUp => Activity::WrapUp,
        Presence::BusyElsewhere => Activity::Busy,
    }
}

/// Kebab-case role name.
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Agent => "agent",
        Role::Supervisor => "supervisor",
        Role::Admin => "admin",
    }
}

/// Kebab-case member status name.
pub fn status_name(status: Status) -> &'static str {
    match status {
        Status::Available => "available",
        Status::Unavailable => "unavailable",
        Status::OnBreak => "break",
    }
}
