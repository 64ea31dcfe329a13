//! Who may do what in a company. Every company-scoped operation starts here: a caller with no
//! relation to the company gets "not found" (it may not learn that the company exists), a
//! caller whose role there is too low gets "forbidden".

use crate::directory::Directory;
use crate::error::{DirectoryError, Result};
use crate::model::{Company, Role};
use crate::principal::Principal;

/// What a caller may do in one company.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompanyAccess {
    /// Company admin rights: the operator, a manager of its account, its API key, or a member
    /// with the admin role.
    Admin,
    /// A member with the supervisor role: reads members, presence and logs.
    Supervisor {
        /// The member.
        agent: u64,
    },
    /// A member with the agent role: only itself.
    Member {
        /// The member.
        agent: u64,
    },
}

impl CompanyAccess {
    /// Admin rights.
    pub fn is_admin(self) -> bool {
        self == Self::Admin
    }

    /// May read the company's members, presence and logs.
    pub fn can_supervise(self) -> bool {
        matches!(self, Self::Admin | Self::Supervisor { .. })
    }

    /// The member behind the access, if it comes from a membership.
    pub fn member(self) -> Option<u64> {
        match self {
            Self::Admin => None,
            Self::Supervisor { agent } | Self::Member { agent } => Some(agent),
        }
    }
}

/// What an operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    /// Any active member (or better).
    Member,
    /// Supervisor or admin.
    Supervise,
    /// Admin.
    Admin,
}

impl Directory {
    /// What `principal` may do in `company`; `None` if it has no relation to it (pending
    /// invitations, telephony tokens and not-yet-activated agents have none).
    pub fn company_access(
        &self,
        principal: &Principal,
        company: &Company,
    ) -> Result<Option<CompanyAccess>> {
        Ok(match principal {
            Principal::Operator => Some(CompanyAccess::Admin),
            Principal::Manager { account } => {
                (company.account_id == Some(*account)).then_some(CompanyAccess::Admin)
            }
            Principal::CompanyAdmin { company: c } => {
                (*c == company.id).then_some(CompanyAccess::Admin)
            }
            Principal::Agent { agent } => match self.store.membership(company.id, *agent)? {
                Some(m) if m.is_active() => Some(match m.role {
                    Role::Admin => CompanyAccess::Admin,
                    Role::Supervisor => CompanyAccess::Supervisor { agent: *agent },
                    Role::Agent => CompanyAccess::Member { agent: *agent },
                }),
                _ => None,
            },
            Principal::InvitedAgent { .. } | Principal::Telephony { .. } => None,
        })
    }

    /// The company, if `principal` has at least `need` in it.
    pub(crate) fn company_for(
        &self,
        principal: &Principal,
        company_id: u64,
        need: Need,
    ) -> Result<(Company, CompanyAccess)> {
        if let Principal::InvitedAgent { .. } = principal {
            return Err(not_activated());
        }
        let company = self.store.company(company_id)?;
        let access = match &company {
            Some(c) => self.company_access(principal, c)?,
            None => None,
        };
        let (Some(company), Some(access)) = (company, access) else {
            return Err(DirectoryError::not_found("company", company_id));
        };
        let enough = match need {
            Need::Member => true,
            Need::Supervise => access.can_supervise(),
            Need::Admin => access.is_admin(),
        };
        if enough {
            Ok((company, access))
        } else {
            let needed = if need == Need::Admin {
                "admin"
            } else {
                "supervisor or admin"
            };
            Err(DirectoryError::forbidden(
                format!("this needs the {needed} role in company {company_id}"),
                "ask an admin of the company to do it, or to change your role",
            ))
        }
    }
}

/// Refuses anyone but the operator.
pub(crate) fn require_operator(principal: &Principal) -> Result<()> {
    match principal {
        Principal::Operator => Ok(()),
        Principal::InvitedAgent { .. } => Err(not_activated()),
        _ => Err(DirectoryError::forbidden(
            "this needs the operator token",
            "ask the platform operator",
        )),
    }
}

/// The error for an agent that has not activated its login.
pub(crate) fn not_activated() -> DirectoryError {
    DirectoryError::forbidden(
        "this agent has not activated its login yet",
        "call POST /v1/me/activate with this token first",
    )
}
