//! What callers send: the inputs of the directory's operations (also the HTTP request bodies).
//! Every struct refuses unknown fields, so a typo is an error rather than a silently ignored
//! setting. In patches an absent field means "unchanged"; where `null` has a meaning (clear the
//! schedule, drop an identity) the field says so.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

use crate::model::{IdentityPolicy, MemberStatus, Role, Seat};
use crate::schedule::Schedule;

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A new main account.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    /// Display name.
    pub name: String,
}

/// Changes to a main account.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AccountPatch {
    /// New display name.
    pub name: Option<String>,
}

/// A new company.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCompany {
    /// Display name.
    pub name: String,
    /// IANA time zone, e.g. `Asia/Kolkata`.
    pub time_zone: String,
    /// Main account; a manager's own account by default; omit (operator) for a standalone
    /// company.
    pub account_id: Option<u64>,
    /// After-call wrap-up, seconds (default 0, at most 3600).
    pub wrap_up_secs: Option<u32>,
    /// `shared` (default) or `exclusive`.
    pub identity_policy: Option<IdentityPolicy>,
    /// SIP domain its agents' phones register in, e.g. `acme.sip.example` (unique).
    pub sip_domain: Option<String>,
}

/// Changes to a company's settings.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CompanyPatch {
    /// New display name.
    pub name: Option<String>,
    /// New IANA time zone.
    pub time_zone: Option<String>,
    /// New wrap-up, seconds.
    pub wrap_up_secs: Option<u32>,
    /// New identity policy.
    pub identity_policy: Option<IdentityPolicy>,
    /// New SIP domain (unique among companies); `null` removes it.
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub sip_domain: Option<Option<String>>,
}

/// Adding a person to a company: a new agent, or an existing one found by e-mail or phone.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    /// Name (required when the person is new to Switchyard).
    pub name: Option<String>,
    /// E-mail identity.
    pub email: Option<String>,
    /// Mobile identity, E.164.
    pub phone: Option<String>,
    /// Role here (default `agent`).
    pub role: Option<Role>,
    /// Extension here (default: the lowest free one from 100).
    pub extension: Option<String>,
    /// Departments of this company, by id.
    pub departments: Option<BTreeMap<u64, Seat>>,
    /// Weekly availability in the company's time zone (default: always).
    pub schedule: Option<Schedule>,
    /// Take Calls (default on).
    pub take_calls: Option<bool>,
    /// Panel Access (default on).
    pub panel_access: Option<bool>,
    /// App notifications (default on).
    pub notifications: Option<bool>,
    /// Status (default `available`).
    pub status: Option<MemberStatus>,
}

/// Changes to a membership, by an admin of the company.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    /// New role.
    pub role: Option<Role>,
    /// New extension.
    pub extension: Option<String>,
    /// Replaces all department seats.
    pub departments: Option<BTreeMap<u64, Seat>>,
    /// New schedule; `null` means always available.
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Schedule>))]
    pub schedule: Option<Option<Schedule>>,
    /// Take Calls.
    pub take_calls: Option<bool>,
    /// Panel Access.
    pub panel_access: Option<bool>,
    /// App notifications.
    pub notifications: Option<bool>,
    /// Status.
    pub status: Option<MemberStatus>,
}

/// Changes an agent makes to its own membership in one company.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SelfPatch {
    /// Status in this company.
    pub status: Option<MemberStatus>,
    /// Take Calls in this company.
    pub take_calls: Option<bool>,
    /// App notifications for this company.
    pub notifications: Option<bool>,
}

/// Changes an agent makes to its own profile.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    /// New name.
    pub name: Option<String>,
    /// New e-mail; `null` drops it (a phone must remain).
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub email: Option<Option<String>>,
    /// New phone (E.164); `null` drops it (an e-mail must remain).
    #[serde(default, deserialize_with = "present")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub phone: Option<Option<String>>,
}

/// A new department.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDepartment {
    /// Display name.
    pub name: String,
}

/// Changes to a department.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DepartmentPatch {
    /// New display name.
    pub name: Option<String>,
}

/// Where a number's calls go.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NumberTarget {
    /// Entry department (of the same company).
    pub department_id: u64,
}

/// Sharing an activated agent with sub-accounts of the same main account.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShareRequest {
    /// Companies of the account to add the agent to (1 to 100).
    pub companies: Vec<u64>,
    /// Role in each (default `agent`).
    pub role: Option<Role>,
}

/// A token to issue.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What it grants.
    pub scope: NewTokenScope,
    /// Free-form label (who holds it).
    pub label: Option<String>,
}

/// The scopes that can be issued directly (agent tokens come with the agent). Every variant
/// refuses unknown fields; `operator` is an empty struct variant, not a unit one, because serde
/// does not apply `deny_unknown_fields` to unit variants of an internally tagged enum (its JSON
/// is still `{"kind": "operator"}`).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum NewTokenScope {
    /// Another operator token (operator only).
    Operator {},
    /// A manager of a main account (operator, or a manager of that account).
    Manager {
        /// The main account.
        account_id: u64,
    },
    /// An admin API key for one company (operator, or a manager of its account).
    CompanyAdmin {
        /// The company.
        company_id: u64,
    },
    /// A telephony platform bound to numbers (operator only).
    Telephony {
        /// E.164 numbers.
        numbers: Vec<String>,
    },
}

/// The numbers a telephony token is bound to.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TelephonyNumbers {
    /// E.164 numbers (replaces the current set).
    pub numbers: Vec<String>,
}
