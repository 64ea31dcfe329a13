//! A decision's inputs as people write them (simulation scenarios) and as older call logs
//! hold them, turned into exactly what a policy is given.
//!
//! The policy sees `call.skills` (the department's skill names) and, per candidate, a bitmask
//! over them. In these forms a candidate's `skills` may instead be a list of names (the
//! friendly scenario form, and contract 0.1), which [`resolve`] interns into `call.skills`; a
//! call may omit `skills`; a 0.1 candidate's `extension` is ignored (the host adds extensions
//! itself).

use serde::{Deserialize, Deserializer};
use switchyard_runtime::skills::{MAX_SKILLS, SkillTable};
use switchyard_runtime::{Attribute, Call, Candidate, Presence, Role, SkillSet, Status, Weekday};

/// A call whose `skills` may be absent (then empty).
#[derive(Deserialize)]
#[serde(remote = "Call")]
struct CallForm {
    id: String,
    company: u64,
    dialled_number: String,
    caller: String,
    department: u64,
    attempt: u32,
    waited_ms: u64,
    now_unix_ms: u64,
    local_weekday: Weekday,
    local_minute: u16,
    seed: u64,
    tried: Vec<u64>,
    attributes: Vec<Attribute>,
    #[serde(default)]
    skills: Vec<String>,
}

/// Deserializes a [`Call`] whose `skills` may be absent.
pub fn call<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Call, D::Error> {
    CallForm::deserialize(deserializer)
}

/// A candidate's skills: a bitmask over `call.skills`, or names.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum SkillsForm {
    /// Bits over `call.skills`, as the policy sees them.
    Set(SkillSet),
    /// Skill names, interned into `call.skills` by [`resolve`].
    Names(Vec<String>),
}

impl Default for SkillsForm {
    fn default() -> Self {
        Self::Set(0)
    }
}

/// A candidate whose `skills` may be names (see the module docs).
#[derive(Debug, Clone, Deserialize)]
pub struct CandidateForm {
    agent: u64,
    role: Role,
    tier: u8,
    #[serde(default)]
    skills: SkillsForm,
    status: Status,
    take_calls: bool,
    in_schedule: bool,
    presence: Presence,
    idle_ms: u64,
    calls_today: u32,
    talk_ms_today: u64,
}

/// The call and candidates a policy is given: candidates' skill names are added to
/// `call.skills` (after the names it already lists) and replaced by their bits.
///
/// # Errors
/// A message if more than [`MAX_SKILLS`] names would be needed, or a candidate's bitmask
/// has a bit with no name in `call.skills`.
pub fn resolve(
    mut call: Call,
    candidates: Vec<CandidateForm>,
) -> Result<(Call, Vec<Candidate>), String> {
    let listed = call.skills.len().min(MAX_SKILLS);
    let mut table = SkillTable::with_names(std::mem::take(&mut call.skills));
    let mut resolved = Vec::with_capacity(candidates.len());
    for c in candidates {
        let skills = match c.skills {
            SkillsForm::Set(set) => {
                if listed < MAX_SKILLS && set >> listed != 0 {
                    return Err(format!(
                        "candidate {} has skill bits {set:#b} but the call lists {listed} skill names",
                        c.agent
                    ));
                }
                set
            }
            SkillsForm::Names(names) => table.set(names.iter().map(String::as_str)),
        };
        resolved.push(Candidate {
            agent: c.agent,
            role: c.role,
            tier: c.tier,
            skills,
            status: c.status,
            take_calls: c.take_calls,
            in_schedule: c.in_schedule,
            presence: c.presence,
            idle_ms: c.idle_ms,
            calls_today: c.calls_today,
            talk_ms_today: c.talk_ms_today,
        });
    }
    if table.dropped() > 0 {
        return Err(format!(
            "the call and its candidates name more than {MAX_SKILLS} distinct skills"
        ));
    }
    call.skills = table.into_names();
    Ok((call, resolved))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn form(skills: serde_json::Value) -> CandidateForm {
        serde_json::from_value(json!({
            "agent": 1, "extension": "201", "role": "Agent", "tier": 1, "skills": skills,
            "status": "Available", "take_calls": true, "in_schedule": true, "presence": "Idle",
            "idle_ms": 0, "calls_today": 0, "talk_ms_today": 0
        }))
        .unwrap()
    }

    #[derive(Deserialize)]
    struct Wrapped {
        #[serde(deserialize_with = "call")]
        call: Call,
    }

    fn bare_call() -> Call {
        let value = json!({"call": {
            "id": "c", "company": 1, "dialled_number": "+1", "caller": "", "department": 2,
            "attempt": 1, "waited_ms": 0, "now_unix_ms": 0, "local_weekday": "Monday",
            "local_minute": 0, "seed": 0, "tried": [], "attributes": []
        }});
        serde_json::from_value::<Wrapped>(value).unwrap().call
    }

    #[test]
    fn names_are_interned_after_the_calls_own() {
        let mut call = bare_call();
        assert!(call.skills.is_empty());
        call.skills = vec!["sales".into()];
        let (call, candidates) = resolve(
            call,
            vec![
                form(json!(["hindi", "sales"])),
                form(json!(1)),
                form(json!(["billing"])),
            ],
        )
        .unwrap();
        assert_eq!(call.skills, ["sales", "hindi", "billing"]);
        let sets: Vec<u64> = candidates.iter().map(|c| c.skills).collect();
        assert_eq!(sets, [0b011, 0b001, 0b100]);
    }

    #[test]
    fn bits_without_names_are_refused() {
        let err = resolve(bare_call(), vec![form(json!(2))]).unwrap_err();
        assert!(err.contains("lists 0 skill names"), "{err}");
        let many: Vec<String> = (0..=MAX_SKILLS).map(|i| format!("s{i}")).collect();
        let err = resolve(bare_call(), vec![form(json!(many))]).unwrap_err();
        assert!(err.contains("more than 64"), "{err}");
    }
}
