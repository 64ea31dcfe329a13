//! Candidates' skills into what a policy is given. The policy sees `call.skills` (the
//! department's skill names) and, per candidate, a bitmask over them; a scenario (and a
//! contract 0.1 log) may instead give a candidate's skills as names, which [`resolve`] interns
//! into `call.skills`.

use switchyard_runtime::skills::{MAX_SKILLS, SkillTable};

use super::{Call, Candidate, CandidateInput, Skills};

/// Why a call and its candidates cannot be given to a policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// A candidate's bitmask has a bit with no name in `call.skills`.
    #[error(
        "candidate {agent} has skill bits {bits:#b} but the call lists {listed} skill names \
         (give the candidate's skills as names, or list them in call.skills)"
    )]
    UnnamedBits {
        /// The candidate.
        agent: u64,
        /// Its bitmask.
        bits: u64,
        /// How many names `call.skills` lists.
        listed: usize,
    },
    /// More distinct skill names than a bitmask holds.
    #[error("the call and its candidates name more than {MAX_SKILLS} distinct skills")]
    TooManySkills,
}

/// The call and candidates a policy is given: candidates' skill names are added to
/// `call.skills` (after the names it already lists) and replaced by their bits.
///
/// # Errors
/// [`ResolveError::TooManySkills`] if more than [`MAX_SKILLS`] names would be needed,
/// [`ResolveError::UnnamedBits`] if a candidate's bitmask has a bit with no name in
/// `call.skills`.
pub fn resolve(
    mut call: Call,
    candidates: Vec<CandidateInput>,
) -> Result<(Call, Vec<Candidate>), ResolveError> {
    let listed = call.skills.len().min(MAX_SKILLS);
    let mut table = SkillTable::with_names(std::mem::take(&mut call.skills));
    let mut resolved = Vec::with_capacity(candidates.len());
    for mut c in candidates {
        let skills = match std::mem::take(&mut c.skills) {
            Skills::Set(bits) => {
                if listed < MAX_SKILLS && bits >> listed != 0 {
                    return Err(ResolveError::UnnamedBits {
                        agent: c.agent,
                        bits,
                        listed,
                    });
                }
                bits
            }
            Skills::Names(names) => table.set(names.iter().map(String::as_str)),
        };
        resolved.push(c.with_skills(skills));
    }
    if table.dropped() > 0 {
        return Err(ResolveError::TooManySkills);
    }
    call.skills = table.into_names();
    Ok((call, resolved))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::policy_io::{Presence, Role, Status, Weekday};

    fn form(skills: serde_json::Value) -> CandidateInput {
        serde_json::from_value(json!({
            "agent": 1, "extension": "201", "role": "agent", "tier": 1, "skills": skills,
            "status": "available", "take_calls": true, "in_schedule": true, "presence": "idle",
            "idle_ms": 0, "calls_today": 0, "talk_ms_today": 0
        }))
        .unwrap()
    }

    fn bare_call() -> Call {
        serde_json::from_value(json!({
            "id": "c", "company": 1, "dialled_number": "+1", "caller": "", "department": 2,
            "attempt": 1, "waited_ms": 0, "now_unix_ms": 0, "local_weekday": "monday",
            "local_minute": 0, "seed": 0, "tried": [], "attributes": []
        }))
        .unwrap()
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
        assert_eq!(
            err,
            ResolveError::UnnamedBits {
                agent: 1,
                bits: 2,
                listed: 0
            }
        );
        assert!(err.to_string().contains("lists 0 skill names"), "{err}");
        let many: Vec<String> = (0..=MAX_SKILLS).map(|i| format!("s{i}")).collect();
        let err = resolve(bare_call(), vec![form(json!(many))]).unwrap_err();
        assert_eq!(err, ResolveError::TooManySkills);
        assert!(err.to_string().contains("more than 64"), "{err}");
    }

    #[test]
    fn old_rust_spellings_still_read_and_the_new_ones_are_written() {
        let old: CandidateInput = serde_json::from_value(json!({
            "agent": 3, "role": "Supervisor", "tier": 2, "skills": [], "status": "OnBreak",
            "take_calls": true, "in_schedule": true, "presence": "BusyElsewhere",
            "idle_ms": 0, "calls_today": 0, "talk_ms_today": 0
        }))
        .unwrap();
        assert_eq!(
            (old.role, old.status, old.presence),
            (Role::Supervisor, Status::OnBreak, Presence::BusyElsewhere)
        );
        let written = serde_json::to_value(old.with_skills(0u64)).unwrap();
        assert_eq!(written["role"], "supervisor");
        assert_eq!(written["status"], "on-break");
        assert_eq!(written["presence"], "busy-elsewhere");
        let day: Weekday = serde_json::from_value(json!("Sunday")).unwrap();
        assert_eq!(serde_json::to_value(day).unwrap(), "sunday");
        let mut call = serde_json::to_value(bare_call()).unwrap();
        call["surprise"] = json!(1);
        let err = serde_json::from_value::<Call>(call).unwrap_err();
        assert!(
            err.to_string().contains("unknown field `surprise`"),
            "{err}"
        );
    }

    #[test]
    fn forms_convert_to_the_wit_types_and_back() {
        let (call, candidates) = resolve(bare_call(), vec![form(json!(["hindi"]))]).unwrap();
        let wit_call = switchyard_runtime::Call::from(call.clone());
        assert_eq!(wit_call.local_weekday, switchyard_runtime::Weekday::Monday);
        assert_eq!(Call::from(wit_call), call);
        let wit_candidate = switchyard_runtime::Candidate::from(candidates[0].clone());
        assert_eq!(wit_candidate.presence, switchyard_runtime::Presence::Idle);
        assert_eq!(Candidate::from(wit_candidate), candidates[0]);
    }
}
