//! Loaded policies, bounded: at most `capacity` company versions hold a compiled policy in
//! memory, and their compiled images together at most `budget` bytes (a Python or JavaScript
//! policy weighs ~35 MB, a Rust one ~0.5 MB), the least recently used evicted first. An evicted one is loaded again from its
//! [`PolicySource`] (the policy store: its precompiled artifact, no compiling) on its next
//! decision. Concurrent decisions that miss the same version wait for one load. A load that
//! fails is remembered for [`RETRY_LOAD_AFTER`], so a broken policy is not reloaded (and logged)
//! on every call.
//!
//! A version number names one component for ever (the store never reuses one), so an entry
//! never goes stale; versions that no longer decide simply age out.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use switchyard_directory::CompanyId;

use switchyard_runtime::Policy;

/// Company versions kept loaded by default. A compiled Rust policy takes ~1–1.5 MiB resident
/// (its code and pre-linked instance), so this bounds a cache of Rust policies near 300 MiB.
pub const DEFAULT_POLICY_CACHE: usize = 256;

/// Compiled images kept loaded by default, bytes: bounds a cache of Python or JavaScript
/// policies (~35 MB each) too.
pub const DEFAULT_POLICY_CACHE_BYTES: usize = 512 << 20;

/// How long a failed load is remembered before a decision tries again.
pub const RETRY_LOAD_AFTER: Duration = Duration::from_secs(10);

/// Where policies are loaded from (the policy store).
pub trait PolicySource: Send + Sync + 'static {
    /// The compiled policy of `company`'s stored `version`.
    fn load(&self, company: CompanyId, version: u32) -> Result<Policy, LoadFailed>;
}

/// A stored policy version could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("version {version} of company {company}'s policy could not be loaded")]
pub struct LoadFailed {
    /// The company.
    pub company: CompanyId,
    /// The version.
    pub version: u32,
    /// Why.
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

/// A cache key: a company's version.
type Key = (CompanyId, u32);

/// What a load gave: the policy, or the failure and when it happened.
type Loaded = Result<Policy, (Instant, Arc<LoadFailed>)>;

/// Counts since start, for `/metrics`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// Decisions that found their policy loaded (or being loaded).
    pub hits: u64,
    /// Decisions that had to load it.
    pub misses: u64,
    /// Policies dropped to stay within the bound.
    pub evictions: u64,
    /// Loads that failed.
    pub load_failures: u64,
    /// Company versions in the cache now.
    pub entries: u64,
    /// The bound on entries.
    pub capacity: u64,
    /// Bytes of the compiled images of the loaded entries now.
    pub bytes: u64,
    /// The bound on bytes.
    pub budget: u64,
}

/// Loaded policies by company version, least recently used evicted first.
pub struct PolicyCache {
    source: Arc<dyn PolicySource>,
    capacity: usize,
    budget: usize,
    lru: Mutex<Lru>,
    hits: AtomicU64,
    misses: AtomicU64,
    evictions: AtomicU64,
    load_failures: AtomicU64,
}

/// The entries and their recency.
#[derive(Default)]
struct Lru {
    entries: HashMap<Key, Entry>,
    /// Recency tick → key; the first is the least recently used.
    order: BTreeMap<u64, Key>,
    tick: u64,
    /// Sum of the entries' weights.
    bytes: usize,
}

struct Entry {
    tick: u64,
    /// Bytes of its compiled image, once loaded (0 before, or when the load failed).
    weight: usize,
    /// Set once by the first decision that needs it; the others wait for it.
    slot: Arc<OnceLock<Loaded>>,
}

impl PolicyCache {
    /// At most `capacity` company versions loaded from `source`, their compiled images at most
    /// `budget` bytes together (the most recently used one is kept whatever its size).
    pub fn new(source: Arc<dyn PolicySource>, capacity: usize, budget: usize) -> Self {
        Self {
            source,
            capacity: capacity.max(1),
            budget,
            lru: Mutex::default(),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            evictions: AtomicU64::new(0),
            load_failures: AtomicU64::new(0),
        }
    }

    /// The compiled policy of `company`'s `version`: from memory, else loaded now (once, however
    /// many decisions ask at the same time).
    ///
    /// # Errors
    /// Why it could not be loaded (remembered for [`RETRY_LOAD_AFTER`]).
    pub fn get(&self, company: CompanyId, version: u32) -> Result<Policy, Arc<LoadFailed>> {
        let key = (company, version);
        let slot = self.slot(key, Instant::now());
        let mut loaded_here = false;
        let loaded = slot.get_or_init(|| {
            loaded_here = true;
            self.source
                .load(company, version)
                .map_err(|e| (Instant::now(), Arc::new(e)))
        });
        match loaded {
            Ok(policy) => {
                if loaded_here {
                    self.weigh(key, &slot, policy.code_bytes());
                }
                Ok(policy.clone())
            }
            Err((_, failed)) => {
                if loaded_here {
                    self.load_failures.fetch_add(1, Ordering::Relaxed);
                    tracing::error!(
                        %company,
                        version,
                        error = %failed,
                        cause = ?std::error::Error::source(failed.as_ref()),
                        retry_after_s = RETRY_LOAD_AFTER.as_secs(),
                        "cannot load the policy: its decisions get the built-in fallback"
                    );
                }
                Err(Arc::clone(failed))
            }
        }
    }

    /// Puts an already loaded policy in (an activation: its first decision does not load it).
    pub fn insert(&self, company: CompanyId, version: u32, policy: Policy) {
        let weight = policy.code_bytes();
        let mut lru = self.lock();
        let slot = Arc::new(OnceLock::from(Ok(policy)));
        lru.put((company, version), Arc::clone(&slot));
        lru.set_weight((company, version), &slot, weight);
        self.evict(&mut lru);
    }

    /// Records the weight of a policy just loaded into `slot` (if its entry is still the
    /// cache's), then evicts down to the bounds.
    fn weigh(&self, key: Key, slot: &Arc<OnceLock<Loaded>>, weight: usize) {
        let mut lru = self.lock();
        lru.set_weight(key, slot, weight);
        self.evict(&mut lru);
    }

    /// Counts since start and the size now.
    pub fn stats(&self) -> CacheStats {
        let (entries, bytes) = {
            let lru = self.lock();
            (lru.entries.len(), lru.bytes)
        };
        let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            evictions: self.evictions.load(Ordering::Relaxed),
            load_failures: self.load_failures.load(Ordering::Relaxed),
            entries: count(entries),
            capacity: count(self.capacity),
            bytes: count(bytes),
            budget: count(self.budget),
        }
    }

    /// The entry of `key`, marked most recently used; a new empty one (to be loaded by the
    /// caller) when it is absent or holds a failure older than [`RETRY_LOAD_AFTER`].
    fn slot(&self, key: Key, now: Instant) -> Arc<OnceLock<Loaded>> {
        let mut lru = self.lock();
        let usable = lru.entries.get(&key).is_some_and(|e| match e.slot.get() {
            Some(Err((at, _))) => now.saturating_duration_since(*at) < RETRY_LOAD_AFTER,
            _ => true,
        });
        if usable {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return lru.touch(key);
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let slot = Arc::new(OnceLock::new());
        lru.put(key, Arc::clone(&slot));
        self.evict(&mut lru);
        slot
    }

    /// Drops the least recently used entries beyond the bounds, keeping the most recent one.
    /// A decision already holding an evicted policy finishes with it; the memory goes with the
    /// last holder.
    fn evict(&self, lru: &mut Lru) {
        while lru.entries.len() > 1
            && (lru.entries.len() > self.capacity || lru.bytes > self.budget)
        {
            let Some((_, key)) = lru.order.pop_first() else {
                break;
            };
            if let Some(entry) = lru.entries.remove(&key) {
                lru.bytes = lru.bytes.saturating_sub(entry.weight);
            }
            self.evictions.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Lru> {
        self.lru.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Lru {
    /// Marks `key` (present) most recently used and returns its slot.
    fn touch(&mut self, key: Key) -> Arc<OnceLock<Loaded>> {
        self.tick += 1;
        let tick = self.tick;
        let Some(entry) = self.entries.get_mut(&key) else {
            return Arc::new(OnceLock::new());
        };
        self.order.remove(&entry.tick);
        entry.tick = tick;
        self.order.insert(tick, key);
        Arc::clone(&entry.slot)
    }

    /// Sets `key` to `slot` (weight 0 until loaded), most recently used.
    fn put(&mut self, key: Key, slot: Arc<OnceLock<Loaded>>) {
        self.tick += 1;
        let tick = self.tick;
        let entry = Entry {
            tick,
            weight: 0,
            slot,
        };
        if let Some(old) = self.entries.insert(key, entry) {
            self.order.remove(&old.tick);
            self.bytes = self.bytes.saturating_sub(old.weight);
        }
        self.order.insert(tick, key);
    }

    /// Gives `key`'s entry its weight, if the entry still holds `slot`.
    fn set_weight(&mut self, key: Key, slot: &Arc<OnceLock<Loaded>>, weight: usize) {
        if let Some(entry) = self.entries.get_mut(&key)
            && Arc::ptr_eq(&entry.slot, slot)
        {
            self.bytes = self.bytes.saturating_sub(entry.weight) + weight;
            entry.weight = weight;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::atomic::AtomicUsize;

    use switchyard_runtime::{EngineConfig, PolicyEngine};

    use super::*;

    /// Loads longest-idle for every company but 9 (which fails); counts loads per key.
    struct Source {
        engine: PolicyEngine,
        bytes: Vec<u8>,
        loads: Mutex<HashMap<Key, usize>>,
        total: AtomicUsize,
    }

    impl PolicySource for Source {
        fn load(&self, company: CompanyId, version: u32) -> Result<Policy, LoadFailed> {
            *self
                .loads
                .lock()
                .unwrap()
                .entry((company, version))
                .or_default() += 1;
            self.total.fetch_add(1, Ordering::SeqCst);
            let failed = |source: Box<dyn std::error::Error + Send + Sync>| LoadFailed {
                company,
                version,
                source,
            };
            if company == CompanyId(9) {
                return Err(failed("no such component".into()));
            }
            self.engine
                .load(&format!("p{company}"), &version.to_string(), &self.bytes)
                .map_err(|e| failed(Box::new(e)))
        }
    }

    fn source() -> Arc<Source> {
        Arc::new(Source {
            engine: PolicyEngine::new(EngineConfig::default()).unwrap(),
            bytes: std::fs::read(switchyard_artifacts::LONGEST_IDLE).unwrap(),
            loads: Mutex::default(),
            total: AtomicUsize::new(0),
        })
    }

    #[test]
    fn the_least_recently_used_is_evicted_and_comes_back_on_its_next_use() {
        let source = source();
        let cache = PolicyCache::new(source.clone(), 2, usize::MAX);
        assert_eq!(cache.get(CompanyId(1), 1).unwrap().name(), "p1");
        assert_eq!(cache.get(CompanyId(2), 1).unwrap().name(), "p2");
        cache.get(CompanyId(1), 1).unwrap(); // 2 is now the least recently used
        assert_eq!(cache.get(CompanyId(3), 1).unwrap().name(), "p3");
        let stats = cache.stats();
        assert_eq!((stats.entries, stats.evictions), (2, 1));
        assert_eq!((stats.hits, stats.misses), (1, 3));
        cache.get(CompanyId(1), 1).unwrap();
        assert_eq!(source.total.load(Ordering::SeqCst), 3, "1 stayed loaded");
        assert_eq!(
            cache.get(CompanyId(2), 1).unwrap().name(),
            "p2",
            "2 was reloaded"
        );
        assert_eq!(source.loads.lock().unwrap()[&(CompanyId(2), 1)], 2);
    }

    #[test]
    fn the_byte_budget_bounds_the_cache_but_keeps_the_most_recent() {
        let source = source();
        let one = source.load(CompanyId(1), 1).unwrap().code_bytes();
        assert!(one > 0);
        // Room for two images by bytes, ten by count.
        let cache = PolicyCache::new(source.clone(), 10, 2 * one + one / 2);
        for company in (1..=4).map(CompanyId) {
            cache.get(company, 1).unwrap();
        }
        let stats = cache.stats();
        assert_eq!((stats.entries, stats.evictions), (2, 2), "{stats:?}");
        assert_eq!(stats.bytes, 2 * u64::try_from(one).unwrap());
        // A budget below one image still keeps the policy deciding now.
        let tiny = PolicyCache::new(source.clone(), 10, 1);
        assert_eq!(tiny.get(CompanyId(5), 1).unwrap().name(), "p5");
        assert_eq!(tiny.get(CompanyId(6), 1).unwrap().name(), "p6");
        assert_eq!(tiny.stats().entries, 1);
    }

    #[test]
    fn an_inserted_policy_is_not_loaded_again() {
        let source = source();
        let cache = PolicyCache::new(source.clone(), 4, usize::MAX);
        let policy = source.load(CompanyId(5), 2).unwrap();
        cache.insert(CompanyId(5), 2, policy);
        assert_eq!(cache.get(CompanyId(5), 2).unwrap().version(), "2");
        assert_eq!(source.total.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_failed_load_is_remembered_and_does_not_repeat_at_once() {
        let source = source();
        let cache = PolicyCache::new(source.clone(), 4, usize::MAX);
        assert!(cache.get(CompanyId(9), 1).is_err());
        assert!(cache.get(CompanyId(9), 1).is_err());
        assert_eq!(source.total.load(Ordering::SeqCst), 1);
        assert_eq!(cache.stats().load_failures, 1);
    }

    #[test]
    fn concurrent_misses_of_one_version_load_it_once() {
        let source = source();
        let cache = PolicyCache::new(source.clone(), 4, usize::MAX);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| cache.get(CompanyId(7), 1).unwrap());
            }
        });
        assert_eq!(source.loads.lock().unwrap()[&(CompanyId(7), 1)], 1);
    }
}
