//! Skill names interned for one decision: the department's names travel once, in
//! `call.skills`, and each candidate carries a [`SkillSet`] bitmask over them (so a
//! candidate is plain scalars and crosses into the policy without allocations).

use std::collections::HashMap;

use crate::bindings::SkillSet;

/// Most skill names one decision can carry (the bits of a [`SkillSet`]).
pub const MAX_SKILLS: usize = 64;

/// Skill names in bit order, and the bit of each.
#[derive(Debug, Default, Clone)]
pub struct SkillTable {
    names: Vec<String>,
    bits: HashMap<String, u8>,
    dropped: usize,
}

impl SkillTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// A table that starts with `names` in that order (e.g. a call's `skills`);
    /// repeated names keep their first bit, names past [`MAX_SKILLS`] are dropped.
    pub fn with_names(names: impl IntoIterator<Item = String>) -> Self {
        let mut table = Self::new();
        for name in names {
            table.intern(&name);
        }
        table
    }

    /// The bit of `name`, adding it if it is new; `None` (and counted as dropped)
    /// when the table is full.
    pub fn intern(&mut self, name: &str) -> Option<SkillSet> {
        if let Some(&bit) = self.bits.get(name) {
            return Some(1 << bit);
        }
        let Ok(bit) = u8::try_from(self.names.len()) else {
            self.dropped += 1;
            return None;
        };
        if usize::from(bit) >= MAX_SKILLS {
            self.dropped += 1;
            return None;
        }
        self.names.push(name.to_owned());
        self.bits.insert(name.to_owned(), bit);
        Some(1 << bit)
    }

    /// The set of `names`, adding new ones (see [`SkillTable::intern`]).
    pub fn set<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) -> SkillSet {
        names
            .into_iter()
            .filter_map(|name| self.intern(name))
            .fold(0, |set, bit| set | bit)
    }

    /// The set of `names` among those already in the table (unknown ones are ignored).
    pub fn lookup<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> SkillSet {
        names
            .into_iter()
            .filter_map(|name| self.bits.get(name))
            .fold(0, |set, &bit| set | 1 << bit)
    }

    /// How many names did not fit (each occurrence counted).
    pub fn dropped(&self) -> usize {
        self.dropped
    }

    /// The names in bit order: what goes into `call.skills`.
    pub fn into_names(self) -> Vec<String> {
        self.names
    }
}

/// The names in `set`, in bit order, given the call's skill `names`.
pub fn names_of(names: &[String], set: SkillSet) -> impl Iterator<Item = &str> {
    names
        .iter()
        .take(MAX_SKILLS)
        .enumerate()
        .filter(move |(i, _)| set & (1 << i) != 0)
        .map(|(_, name)| name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_in_first_seen_order_and_reuses_bits() {
        let mut table = SkillTable::with_names(["hindi".to_owned()]);
        assert_eq!(table.set(["billing", "hindi"]), 0b11);
        assert_eq!(table.set(["billing"]), 0b10);
        assert_eq!(table.lookup(["billing", "german"]), 0b10);
        let names = table.into_names();
        assert_eq!(names, ["hindi", "billing"]);
        assert_eq!(names_of(&names, 0b10).collect::<Vec<_>>(), ["billing"]);
    }

    #[test]
    fn names_past_the_limit_are_dropped_and_counted() {
        let mut table = SkillTable::new();
        for i in 0..MAX_SKILLS {
            assert_eq!(table.intern(&format!("s{i}")), Some(1 << i));
        }
        assert_eq!(table.intern("one-more"), None);
        assert_eq!(table.intern("s63"), Some(1 << 63));
        assert_eq!(table.dropped(), 1);
        assert_eq!(table.into_names().len(), MAX_SKILLS);
    }
}
