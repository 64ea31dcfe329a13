//! Who is calling: the scopes a token can carry ([`Scope`], stored) and the authenticated
//! caller ([`Principal`], resolved per request).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// What a stored token grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    /// The platform operator: everything.
    Operator,
    /// A manager of one main account: all its companies, sharing agents between them.
    Manager {
        /// The main account.
        account_id: u64,
    },
    /// An API key with admin rights in one company.
    CompanyAdmin {
        /// The company.
        company_id: u64,
    },
    /// One agent, in all its companies (powers follow its role in each).
    Agent {
        /// The agent.
        agent_id: u64,
    },
    /// A telephony platform posting call events for a set of numbers.
    Telephony {
        /// E.164 numbers it may post for.
        numbers: BTreeSet<String>,
    },
}

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// The platform operator.
    Operator,
    /// A manager of a main account.
    Manager {
        /// The main account.
        account: u64,
    },
    /// An API key for one company.
    CompanyAdmin {
        /// The company.
        company: u64,
    },
    /// An activated agent; its powers in each company follow its membership role there.
    Agent {
        /// The agent.
        agent: u64,
    },
    /// An agent that has not activated its login yet: may only read `GET /v1/me` and call
    /// `POST /v1/me/activate`.
    InvitedAgent {
        /// The agent.
        agent: u64,
    },
    /// A telephony platform bound to a set of numbers.
    Telephony {
        /// The token's id (for rebinding).
        token: u64,
        /// E.164 numbers it may post for.
        numbers: BTreeSet<String>,
    },
}

impl Principal {
    /// Whether this caller may post call events for `number` (E.164): the operator always, a
    /// telephony token when bound to the number, nobody else.
    pub fn can_post_for(&self, number: &str) -> bool {
        match self {
            Self::Operator => true,
            Self::Telephony { numbers, .. } => numbers.contains(number),
            _ => false,
        }
    }

    /// Short name of the scope, for logs and `GET /v1/me`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Operator => "operator",
            Self::Manager { .. } => "manager",
            Self::CompanyAdmin { .. } => "company_admin",
            Self::Agent { .. } => "agent",
            Self::InvitedAgent { .. } => "invited_agent",
            Self::Telephony { .. } => "telephony",
        }
    }

    /// The agent behind the token, if it is an agent's (activated or not).
    pub fn agent_id(&self) -> Option<u64> {
        match self {
            Self::Agent { agent } | Self::InvitedAgent { agent } => Some(*agent),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bound_numbers_may_be_posted_for() {
        let p = Principal::Telephony {
            token: 7,
            numbers: BTreeSet::from(["+911111111111".to_owned()]),
        };
        assert!(p.can_post_for("+911111111111"));
        assert!(!p.can_post_for("+912222222222"));
        assert!(Principal::Operator.can_post_for("+912222222222"));
        assert!(!Principal::CompanyAdmin { company: 1 }.can_post_for("+911111111111"));
    }
}
