//! Assembling the service over an opened store: the policy engine, the uploaded and active
//! policies with their state, and the call flow (one node's, or a cluster node's with its
//! shared agents, journal and feed).

use std::sync::Arc;
use switchyard_directory::CompanyId;

use switchyard_directory::RecordStore;
use switchyard_runtime::{EngineConfig, PolicyEngine};

use super::ServerError;
use crate::app::AppState;
use crate::backend::Opened;
use crate::calls::{ActivePolicy, CallCenter, CallSettings, Policies, PolicyCache, Roster};
use crate::cluster::ClusterNode;
use crate::cluster::feed::Outbox;
use crate::config::ServeConfig;
use crate::journal_store::RecordJournal;
use crate::logbook::LogBook;
use crate::policy::PolicyStore;
use crate::policy::store::PolicyFiles;

/// What `serve` sets of the policies and the call flow.
struct Settings {
    engine: EngineConfig,
    max_policy_bytes: usize,
    policy_cache: usize,
    policy_cache_bytes: usize,
    volatile_live_state: bool,
    max_call_ms: u64,
}

impl Settings {
    /// The settings `config` gives.
    fn of(config: &ServeConfig) -> Self {
        Self {
            engine: EngineConfig {
                deadline: std::time::Duration::from_millis(config.policy_deadline_ms),
                memory_limit_bytes: config.policy_memory_mib << 20,
                fuel_per_call: config.policy_fuel,
                ..EngineConfig::default()
            },
            max_policy_bytes: config.max_policy_bytes,
            policy_cache: config.policy_cache,
            policy_cache_bytes: config.policy_cache_mib.saturating_mul(1 << 20),
            volatile_live_state: config.volatile_live_state,
            max_call_ms: config.max_call_secs.saturating_mul(1_000),
        }
    }
}

/// Builds the engine, the call centre and the stores, and restores active policies (loaded
/// lazily) and their state; on a cluster node, also the outbox of its pushed updates.
pub(super) async fn assemble(
    config: &ServeConfig,
    opened: Opened,
) -> Result<(AppState, Option<Outbox>), ServerError> {
    let settings = Settings::of(config);
    let Opened {
        directory,
        records,
        files,
        cluster,
        ..
    } = opened;
    tokio::task::spawn_blocking(move || {
        let (logbook, store, policies) = policies(&settings, records, files)?;
        let directory = Arc::new(directory);
        let roster: Arc<dyn Roster> =
            Arc::new(crate::calls::CachedRoster::new(Arc::clone(&directory)));
        let journal = Arc::new(RecordJournal::new(
            Arc::clone(logbook.records()),
            !settings.volatile_live_state,
        ));
        let calls_settings = CallSettings {
            max_call_ms: settings.max_call_ms,
        };
        let (calls, outbox) = match cluster {
            None => {
                let calls = CallCenter::new(roster, journal, policies, calls_settings);
                (calls, None)
            }
            Some(node) => {
                let parts = (roster, journal, policies, calls_settings);
                let (calls, outbox) = clustered(&node, &logbook, parts);
                (calls, Some(outbox))
            }
        };
        let state = AppState::new(directory, Arc::new(calls), logbook, store);
        Ok((state, outbox))
    })
    .await
    .map_err(|e| ServerError::Task(e.to_string()))?
}

/// The call logs, the policy store, and the active policies with their stored state.
fn policies(
    settings: &Settings,
    records: Arc<dyn RecordStore>,
    files: Option<PolicyFiles>,
) -> Result<(LogBook, PolicyStore, Policies), ServerError> {
    let engine = PolicyEngine::new(settings.engine.clone())
        .map_err(|e| ServerError::Policies(e.to_string()))?;
    let logbook = LogBook::new(Arc::clone(&records));
    let store = PolicyStore::new(
        records,
        files.map(Arc::new),
        engine.clone(),
        settings.max_policy_bytes,
    );
    let cache = PolicyCache::new(
        Arc::new(store.clone()),
        settings.policy_cache,
        settings.policy_cache_bytes,
    );
    let policies = Policies::new(engine, Arc::new(logbook.clone()), cache);
    for (company, state) in logbook.policy_states().map_err(ServerError::PolicyState)? {
        policies.load_state(CompanyId(company), state);
    }
    let activations = store
        .activations()
        .map_err(|e| ServerError::Policies(e.to_string()))?;
    tracing::info!(
        policies = activations.len(),
        "restored active policies (each loaded on its first decision)"
    );
    policies.restore(activations.into_iter().map(|a| {
        let active = ActivePolicy {
            name: a.name,
            version: a.version,
            config: a.config,
        };
        (CompanyId(a.company_id), active)
    }));
    Ok((logbook, store, policies))
}

/// A cluster node's call flow: agents' live state shared in the database, a journal that
/// claims its calls, and pushed updates through the cluster's feed (whose outbox it returns).
fn clustered(
    node: &ClusterNode,
    logbook: &LogBook,
    (roster, journal, policies, settings): (
        Arc<dyn Roster>,
        Arc<RecordJournal>,
        Policies,
        CallSettings,
    ),
) -> (CallCenter, Outbox) {
    let journal = Arc::new(crate::cluster::ClusterJournal::new(
        journal,
        Arc::clone(logbook.records()),
        node.owners.clone(),
        node.queue.clone(),
    ));
    let agents = Arc::new(crate::cluster::SharedAgents::new(
        Arc::clone(&node.pg),
        Arc::clone(&node.lazy),
        node.id,
        Arc::clone(&node.standing),
    ));
    let (feed, outbox) = crate::cluster::feed::PushFeed::new();
    let calls = CallCenter::clustered(roster, journal, policies, settings, agents, Arc::new(feed));
    (calls, outbox)
}
