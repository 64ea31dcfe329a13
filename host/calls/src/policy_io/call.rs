//! The call being decided, as the host writes and reads it.

use serde::{Deserialize, Serialize};
use switchyard_runtime as wit;

/// Day of the week in the company's own time zone (`monday` ... `sunday`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Weekday {
    /// Monday.
    #[serde(alias = "Monday")]
    Monday,
    /// Tuesday.
    #[serde(alias = "Tuesday")]
    Tuesday,
    /// Wednesday.
    #[serde(alias = "Wednesday")]
    Wednesday,
    /// Thursday.
    #[serde(alias = "Thursday")]
    Thursday,
    /// Friday.
    #[serde(alias = "Friday")]
    Friday,
    /// Saturday.
    #[serde(alias = "Saturday")]
    Saturday,
    /// Sunday.
    #[serde(alias = "Sunday")]
    Sunday,
}

twin_enum!(
    Weekday,
    wit::Weekday {
        Monday,
        Tuesday,
        Wednesday,
        Thursday,
        Friday,
        Saturday,
        Sunday
    }
);

/// A free-form key/value pair sent by the telephony platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
}

impl From<wit::Attribute> for Attribute {
    fn from(a: wit::Attribute) -> Self {
        Self {
            key: a.key,
            value: a.value,
        }
    }
}

impl From<Attribute> for wit::Attribute {
    fn from(a: Attribute) -> Self {
        Self {
            key: a.key,
            value: a.value,
        }
    }
}

/// The call being decided (the WIT `call` record; see `wit/policy.wit` for each field).
/// `skills` may be absent (then empty); other fields are refused (every contract's call had
/// only these).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Call {
    /// Telephony platform's call id.
    pub id: String,
    /// Company.
    pub company: u64,
    /// E.164 number the caller dialled.
    pub dialled_number: String,
    /// Caller id as given by the platform (may be empty).
    pub caller: String,
    /// Department the number (or a forward) points at.
    pub department: u64,
    /// 1 for the first decision; +1 each time every target failed.
    pub attempt: u32,
    /// Milliseconds the caller has waited so far.
    pub waited_ms: u64,
    /// Current time, unix milliseconds.
    pub now_unix_ms: u64,
    /// Company-local weekday.
    pub local_weekday: Weekday,
    /// Company-local minute of the day, 0..=1439.
    pub local_minute: u16,
    /// Per-call random seed.
    pub seed: u64,
    /// Agents already offered this call in earlier attempts.
    pub tried: Vec<u64>,
    /// Free-form attributes from the telephony platform.
    pub attributes: Vec<Attribute>,
    /// Skill names of the target department: bit `i` of a candidate's skills is `skills[i]`.
    #[serde(default)]
    pub skills: Vec<String>,
}

impl From<wit::Call> for Call {
    fn from(c: wit::Call) -> Self {
        Self {
            id: c.id,
            company: c.company,
            dialled_number: c.dialled_number,
            caller: c.caller,
            department: c.department,
            attempt: c.attempt,
            waited_ms: c.waited_ms,
            now_unix_ms: c.now_unix_ms,
            local_weekday: c.local_weekday.into(),
            local_minute: c.local_minute,
            seed: c.seed,
            tried: c.tried,
            attributes: c.attributes.into_iter().map(Into::into).collect(),
            skills: c.skills,
        }
    }
}

impl From<Call> for wit::Call {
    fn from(c: Call) -> Self {
        Self {
            id: c.id,
            company: c.company,
            dialled_number: c.dialled_number,
            caller: c.caller,
            department: c.department,
            attempt: c.attempt,
            waited_ms: c.waited_ms,
            now_unix_ms: c.now_unix_ms,
            local_weekday: c.local_weekday.into(),
            local_minute: c.local_minute,
            seed: c.seed,
            tried: c.tried,
            attributes: c.attributes.into_iter().map(Into::into).collect(),
            skills: c.skills,
        }
    }
}
