//! The directory's records, as stored and as shown by the API: main accounts, companies,
//! agents, memberships (agent × company), departments and number mappings. Ids are `u64`,
//! never 0, shared with the policy contract (`wit/policy.wit`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::schedule::Schedule;

/// A main account: the owner of several companies (sub-accounts) and of their agent pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Account {
    /// Account id.
    pub id: u64,
    /// Display name.
    pub name: String,
}

/// Whether a person already working for another company may be added to this one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IdentityPolicy {
    /// The same person (same e-mail or phone) may work here and elsewhere.
    #[default]
    Shared,
    /// A person who already works for another company is refused with "already in use".
    Exclusive,
}

/// A company (tenant): a sub-account of a main account, or standalone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Company {
    /// Company id.
    pub id: u64,
    /// Main account owning the company; `null` for a standalone company.
    pub account_id: Option<u64>,
    /// Display name.
    pub name: String,
    /// IANA time zone; schedules and business hours are read in it.
    pub time_zone: String,
    /// After-call wrap-up, seconds.
    pub wrap_up_secs: u32,
    /// Whether agents of other companies may be added.
    pub identity_policy: IdentityPolicy,
    /// The company's SIP domain (lower case, unique among companies): its agents' phones
    /// register as `sip:<extension>@<sip_domain>` with the SIP server. Unset: SIP-facing
    /// answers use `company-<id>.invalid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sip_domain: Option<String>,
}

impl Company {
    /// The SIP domain its agents register in: [`Company::sip_domain`], or a placeholder that
    /// names the company when it has none.
    pub fn sip_domain_or_default(&self) -> String {
        self.sip_domain
            .clone()
            .unwrap_or_else(|| format!("company-{}.invalid", self.id))
    }

    /// Who owns the company: its main account, or the company itself when standalone. Two
    /// companies with the same owner share agents without a consent step.
    pub fn owner(&self) -> Owner {
        match self.account_id {
            Some(account) => Owner::Account(account),
            None => Owner::Standalone(self.id),
        }
    }
}

/// The owner of a company, see [`Company::owner`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// A main account.
    Account(u64),
    /// A standalone company owns itself.
    Standalone(u64),
}

/// Whether an agent has taken up its login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AgentState {
    /// Created by an admin; its token only allows `GET /v1/me` and `POST /v1/me/activate`.
    Invited,
    /// The agent activated its login; it can work and be shared.
    Activated,
}

/// One person with one login, possibly working for several companies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agent {
    /// Agent id.
    pub id: u64,
    /// Display name.
    pub name: String,
    /// E-mail identity (lower-case), unique across agents.
    pub email: Option<String>,
    /// Mobile identity (E.164), unique across agents.
    pub phone: Option<String>,
    /// Invited or activated.
    pub state: AgentState,
}

impl Agent {
    /// The identities that map to this agent.
    pub fn identities(&self) -> Vec<Identity> {
        let mut ids = Vec::with_capacity(2);
        if let Some(email) = &self.email {
            ids.push(Identity::Email(email.clone()));
        }
        if let Some(phone) = &self.phone {
            ids.push(Identity::Phone(phone.clone()));
        }
        ids
    }
}

/// A login identity: each maps to at most one agent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Identity {
    /// A lower-cased e-mail address.
    Email(String),
    /// An E.164 mobile number.
    Phone(String),
}

impl Identity {
    /// The index key of this identity.
    pub fn key(&self) -> Vec<u8> {
        match self {
            Self::Email(e) => [b"email:".as_slice(), e.as_bytes()].concat(),
            Self::Phone(p) => [b"phone:".as_slice(), p.as_bytes()].concat(),
        }
    }
}

impl std::fmt::Display for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Email(e) => write!(f, "e-mail {e}"),
            Self::Phone(p) => write!(f, "phone {p}"),
        }
    }
}

/// A member's role in one company.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Takes calls; sees only itself.
    #[default]
    Agent,
    /// Also reads the company's members, presence and logs.
    Supervisor,
    /// Company admin rights in this company.
    Admin,
}

/// The status a member sets for itself, per company.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    /// Ready for calls.
    #[default]
    Available,
    /// Not taking calls.
    Unavailable,
    /// On a break.
    Break,
}

/// Whether a membership is in force.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MemberState {
    /// In force.
    #[default]
    Active,
    /// An invitation across main accounts awaiting the agent's consent
    /// (`POST /v1/me/companies/{company_id}/accept`).
    Pending,
}

/// A member's place in one department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Seat {
    /// Tier (level); 1 is the first line.
    pub tier: u8,
    /// Skills in this department.
    #[serde(default)]
    pub skills: Vec<String>,
}

/// An agent's membership in one company. Every field is independent of the agent's
/// memberships elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Membership {
    /// The company.
    pub company_id: u64,
    /// The agent.
    pub agent_id: u64,
    /// Role in this company.
    pub role: Role,
    /// Extension, unique inside the company.
    pub extension: String,
    /// Departments of this company the member belongs to, by department id.
    pub departments: BTreeMap<u64, Seat>,
    /// Weekly availability in the company's time zone; `null` means always available.
    pub schedule: Option<Schedule>,
    /// Take Calls switch.
    pub take_calls: bool,
    /// Panel Access switch (the agent's panel for this company).
    pub panel_access: bool,
    /// App notifications for this company.
    pub notifications: bool,
    /// Status the agent set in this company.
    pub status: MemberStatus,
    /// Active, or pending the agent's consent.
    pub state: MemberState,
}

impl Membership {
    /// Whether the member is inside its schedule at company-local `day` and `minute`
    /// (always true without a schedule).
    pub fn in_schedule(&self, day: crate::schedule::Day, minute: u16) -> bool {
        self.schedule
            .as_ref()
            .is_none_or(|s| s.contains(day, minute))
    }

    /// Whether the membership is in force.
    pub fn is_active(&self) -> bool {
        self.state == MemberState::Active
    }
}

/// A department of one company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Department {
    /// Department id.
    pub id: u64,
    /// The company.
    pub company_id: u64,
    /// Display name.
    pub name: String,
}

/// An E.164 number held by one company, pointing at the entry department of its call flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NumberMapping {
    /// The number, E.164.
    pub number: String,
    /// The company holding it.
    pub company_id: u64,
    /// The department calls to it go to.
    pub department_id: u64,
}
