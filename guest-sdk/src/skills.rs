//! Skills by name: the department's skill names arrive once, in `call.skills`,
//! and each candidate's `skills` is a [`SkillSet`] bitmask over them. These
//! helpers hide the bits: [`Candidate::has_skill`], [`Call::skill_set`] and, for
//! several requirements checked against many candidates, [`RequiredSkills`].
//!
//! Names compare case-insensitively (ASCII) and ignoring surrounding spaces.
//!
//! ```
//! use switchyard_sdk::{Candidate, RequiredSkills, testing};
//!
//! let mut call = testing::call();
//! let asha = Candidate { skills: testing::skills(&mut call, &["Hindi", "billing"]), ..testing::candidate(1) };
//! let ben = Candidate { skills: testing::skills(&mut call, &["billing"]), ..testing::candidate(2) };
//! assert!(asha.has_skill(&call, "hindi"));
//! assert!(!ben.has_skill(&call, "hindi"));
//! assert!(!ben.has_skill(&call, "a skill nobody in the department has"));
//!
//! let required = RequiredSkills::new(&call, ["billing", "hindi"]);
//! assert!(required.is_met_by(&asha) && !required.is_met_by(&ben));
//! assert_eq!(asha.skill_names(&call).collect::<Vec<_>>(), ["Hindi", "billing"]);
//! ```

use crate::{Call, Candidate, SkillSet};

/// Most skill names a call carries (the bits of a [`SkillSet`]).
pub const MAX_SKILLS: usize = 64;

/// Whether two skill names are the same skill.
fn same_skill(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

impl Call {
    /// The bits standing for skill `name` in candidates' `skills`; `0` when no
    /// member of the department has it. Usually one bit; more if the company
    /// spelt the skill in several cases.
    pub fn skill_set(&self, name: &str) -> SkillSet {
        self.skills
            .iter()
            .take(MAX_SKILLS)
            .enumerate()
            .filter(|(_, skill)| same_skill(skill, name))
            .fold(0, |set, (bit, _)| set | 1 << bit)
    }
}

impl Candidate {
    /// Whether this candidate has skill `name` in the call's department.
    pub fn has_skill(&self, call: &Call, name: &str) -> bool {
        self.skills & call.skill_set(name) != 0
    }

    /// This candidate's skill names, as the company spelt them.
    pub fn skill_names<'a>(&self, call: &'a Call) -> impl Iterator<Item = &'a str> + 'a {
        let set = self.skills;
        call.skills
            .iter()
            .take(MAX_SKILLS)
            .enumerate()
            .filter(move |(bit, _)| set & (1 << bit) != 0)
            .map(|(_, name)| name.as_str())
    }
}

/// Skills a candidate must all have, looked up once in a call so that checking
/// each candidate is a few bit tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequiredSkills {
    /// One set per required name; a candidate needs a bit of each. An empty
    /// set means nobody in the department has that skill.
    each: Vec<SkillSet>,
}

impl RequiredSkills {
    /// The requirement of every name in `names` (blank names are ignored).
    pub fn new<'a>(call: &Call, names: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            each: names
                .into_iter()
                .filter(|name| !name.trim().is_empty())
                .map(|name| call.skill_set(name))
                .collect(),
        }
    }

    /// Whether nothing is required.
    pub fn is_empty(&self) -> bool {
        self.each.is_empty()
    }

    /// Whether `candidate` has every required skill.
    pub fn is_met_by(&self, candidate: &Candidate) -> bool {
        self.each.iter().all(|set| candidate.skills & set != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{call, candidate, skills};

    #[test]
    fn names_match_ignoring_case_and_spaces() {
        let mut c = call();
        c.skills = vec!["billing".into(), " Billing ".into(), "french".into()];
        assert_eq!(c.skill_set("BILLING"), 0b011);
        assert_eq!(c.skill_set(" french"), 0b100);
        assert_eq!(c.skill_set("german"), 0);
        let agent = Candidate {
            skills: 0b010,
            ..candidate(1)
        };
        assert!(agent.has_skill(&c, "billing"));
        assert!(!agent.has_skill(&c, "french"));
    }

    #[test]
    fn bits_past_the_names_mean_nothing() {
        let mut c = call();
        let set = skills(&mut c, &["sales"]);
        let agent = Candidate {
            skills: set | 1 << 40,
            ..candidate(1)
        };
        assert_eq!(agent.skill_names(&c).collect::<Vec<_>>(), ["sales"]);
    }

    #[test]
    fn required_skills_need_every_name() {
        let mut c = call();
        let both = Candidate {
            skills: skills(&mut c, &["billing", "french"]),
            ..candidate(1)
        };
        let one = Candidate {
            skills: skills(&mut c, &["billing"]),
            ..candidate(2)
        };
        let required = RequiredSkills::new(&c, ["billing", " ", "French"]);
        assert!(required.is_met_by(&both));
        assert!(!required.is_met_by(&one));
        assert!(RequiredSkills::new(&c, []).is_met_by(&one));
        assert!(RequiredSkills::new(&c, [""]).is_empty());
        assert!(!RequiredSkills::new(&c, ["german"]).is_met_by(&both));
    }
}
