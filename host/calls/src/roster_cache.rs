//! The call flow's [`Roster`] with a read-through cache over the [`Directory`]: numbers,
//! companies, departments and who is seated where are read from sled once and kept until the
//! directory's next committed write (its generation changes), which drops everything. Calls far
//! outnumber directory writes, so a decision reads no sled at all in the steady state.
//! Time-dependent answers (inside the schedule now?) are computed from the cached memberships
//! on every call.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use switchyard_directory::{AgentId, CompanyId, DepartmentId};

use switchyard_directory::{Company, Directory, Membership};

use super::directory_adapter::{active_departments, company_info, logged, number_route, to_member};
use super::roster::{CompanyInfo, Member, NumberRoute, Roster};

/// [`Roster`] over a [`Directory`], cached per directory generation.
pub struct CachedRoster {
    directory: Arc<Directory>,
    cache: Mutex<Cache>,
}

/// Everything cached for one directory generation.
#[derive(Default)]
struct Cache {
    generation: u64,
    numbers: HashMap<String, Option<NumberRoute>>,
    companies: HashMap<CompanyId, Option<Arc<Company>>>,
    departments: HashMap<DepartmentId, Option<CompanyId>>,
    rosters: HashMap<(CompanyId, Option<DepartmentId>), Arc<Vec<Membership>>>,
    seats: HashMap<AgentId, Arc<Vec<(CompanyId, DepartmentId)>>>,
}

impl Cache {
    /// Drops what an older generation cached; `false` when `generation` is older than what
    /// is cached (a value read under it must not be stored).
    fn advance(&mut self, generation: u64) -> bool {
        if generation > self.generation {
            *self = Self {
                generation,
                ..Self::default()
            };
        }
        generation == self.generation
    }
}

impl CachedRoster {
    /// A cache over `directory`, empty.
    pub fn new(directory: Arc<Directory>) -> Self {
        Self {
            directory,
            cache: Mutex::new(Cache::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached value of `key` in the map `pick` selects, or `load`ed (outside the lock) and
    /// cached if no write happened meanwhile.
    fn get<K: Eq + Hash, V: Clone>(
        &self,
        pick: impl Fn(&mut Cache) -> &mut HashMap<K, V>,
        key: K,
        load: impl FnOnce(&Directory) -> V,
    ) -> V {
        // The generation is read before the data, so data cached under it is never older.
        let generation = self.directory.generation();
        {
            let mut cache = self.lock();
            if cache.advance(generation)
                && let Some(v) = pick(&mut cache).get(&key)
            {
                return v.clone();
            }
        }
        let value = load(&self.directory);
        let mut cache = self.lock();
        if cache.advance(generation) {
            pick(&mut cache).insert(key, value.clone());
        }
        value
    }

    fn company_record(&self, company: CompanyId) -> Option<Arc<Company>> {
        self.get(
            |c| &mut c.companies,
            company,
            |d| logged("company", d.company(company.0)).map(Arc::new),
        )
    }

    fn members(
        &self,
        company: CompanyId,
        department: Option<DepartmentId>,
        now_ms: u64,
    ) -> Vec<Member> {
        let Some(c) = self.company_record(company) else {
            return Vec::new();
        };
        let roster = self.get(
            |c| &mut c.rosters,
            (company, department),
            |d| {
                let members = match department {
                    Some(dep) => logged("department roster", d.department_roster(company.0, dep.0)),
                    None => logged("company roster", d.company_roster(company.0)),
                };
                Arc::new(members.into_iter().map(|m| m.membership).collect())
            },
        );
        let local = switchyard_directory::local_day_minute(&c.time_zone, now_ms).ok();
        roster
            .iter()
            .map(|ms| to_member(ms, department, local))
            .collect()
    }
}

impl Roster for CachedRoster {
    fn resolve_number(&self, number: &str) -> Option<NumberRoute> {
        self.get(
            |c| &mut c.numbers,
            number.to_owned(),
            |d| number_route(d, number),
        )
    }

    fn company(&self, company: CompanyId) -> Option<CompanyInfo> {
        self.company_record(company).map(|c| company_info(&c))
    }

    fn department_exists(&self, company: CompanyId, department: DepartmentId) -> bool {
        let owner = self.get(
            |c| &mut c.departments,
            department,
            |d| {
                logged("department", d.department(department.0))
                    .map(|dep| CompanyId(dep.company_id))
            },
        );
        owner == Some(company)
    }

    fn department_members(
        &self,
        company: CompanyId,
        department: DepartmentId,
        now_ms: u64,
    ) -> Vec<Member> {
        self.members(company, Some(department), now_ms)
    }

    fn company_members(&self, company: CompanyId, now_ms: u64) -> Vec<Member> {
        self.members(company, None, now_ms)
    }

    fn departments_of(&self, agent: AgentId) -> Vec<(CompanyId, DepartmentId)> {
        self.get(
            |c| &mut c.seats,
            agent,
            |d| {
                Arc::new(active_departments(&logged(
                    "memberships",
                    d.memberships_of(agent.0),
                )))
            },
        )
        .to_vec()
    }
}
