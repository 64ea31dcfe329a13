//! What operations return beyond plain records: a member with its agent, the result of adding
//! a member, an agent's companies, issued tokens, and "who am I".

use serde::Serialize;

use crate::model::{Agent, Company, Membership};
use crate::token::TokenRecord;

/// A member of a company: the person and its membership there (never its other companies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    /// The person.
    pub agent: Agent,
    /// Its membership in this company.
    pub membership: Membership,
}

/// What adding a person to a company did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AddOutcome {
    /// A new agent was created (state `invited`) with its token.
    Created,
    /// An existing agent of the same owner became a member at once.
    Added,
    /// An existing agent of another main account was invited; the membership stays `pending`
    /// until the agent accepts.
    Invited,
}

/// The result of adding a person to a company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddedMember {
    /// What happened.
    pub outcome: AddOutcome,
    /// The person.
    pub agent: Agent,
    /// The new membership.
    pub membership: Membership,
    /// The new agent's bearer token, shown only this once (`created` only). The agent activates
    /// its login with `POST /v1/me/activate`.
    pub agent_token: Option<String>,
}

/// One entry of an agent's organisation switcher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyCompany {
    /// The company.
    pub company: Company,
    /// The agent's membership there (`pending` = an invitation to accept).
    pub membership: Membership,
}

/// A newly issued token: the secret is shown only this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedToken {
    /// The bearer secret.
    pub token: String,
    /// What it grants.
    pub record: TokenRecord,
}

/// Who the caller is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Whoami {
    /// `operator`, `manager`, `company_admin`, `agent`, `invited_agent` or `telephony`.
    pub kind: String,
    /// The manager's main account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<u64>,
    /// The company of a company-admin key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_id: Option<u64>,
    /// The agent's profile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<Agent>,
    /// The numbers of a telephony token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numbers: Option<Vec<String>>,
}
