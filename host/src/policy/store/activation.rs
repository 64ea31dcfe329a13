//! Activating a company's policy versions: activate with a configuration the policy checks
//! itself, roll back to the previous activation, deactivate, delete an inactive version (never
//! the one a rollback returns to). Each reads and writes under the company's lock, and the
//! caller's in-memory copy is updated inside it.

use switchyard_directory::RecordTree;
use switchyard_runtime::PolicyState;

use super::{PolicyStore, storage, version_key};
use crate::calls::{Activated, ActivePolicy};
use crate::policy::{Activation, PolicyError};

impl PolicyStore {
    /// Make `version` active with `config` (checked by the policy's own `check-config`).
    /// `apply` gets the loaded policy once the activation is written, still under the
    /// company's lock, so the in-memory copy follows the store in the same order.
    pub fn activate(
        &self,
        company: u64,
        version: u32,
        config: String,
        by: &str,
        now_ms: u64,
        apply: impl FnOnce(Option<Activated>),
    ) -> Result<Activation, PolicyError> {
        self.locks.with(company, || {
            let (activation, active) =
                self.activate_as(company, version, config, by, now_ms, "activate")?;
            apply(Some(active));
            Ok(activation)
        })
    }

    /// Return to the activation before the current one (its version and configuration);
    /// `apply` as for [`Self::activate`].
    pub fn rollback(
        &self,
        company: u64,
        by: &str,
        now_ms: u64,
        apply: impl FnOnce(Option<Activated>),
    ) -> Result<Activation, PolicyError> {
        self.locks.with(company, || {
            let previous = self
                .activation(company)?
                .and_then(|a| a.previous)
                .ok_or(PolicyError::NothingToRollBack)?;
            let (activation, active) = self.activate_as(
                company,
                previous.version,
                previous.config,
                by,
                now_ms,
                "rollback",
            )?;
            apply(Some(active));
            Ok(activation)
        })
    }

    /// An activation, written; the caller holds the company's lock.
    fn activate_as(
        &self,
        company: u64,
        version: u32,
        config: String,
        by: &str,
        now_ms: u64,
        action: &str,
    ) -> Result<(Activation, Activated), PolicyError> {
        let record = self
            .versions(company)?
            .into_iter()
            .find(|v| v.version == version)
            .ok_or(PolicyError::UnknownVersion { company, version })?;
        if !config.trim().is_empty() {
            serde_json::from_str::<serde_json::Value>(&config)
                .map_err(|e| PolicyError::Config(format!("not JSON: {e}")))?;
        }
        let policy = self.load(&record)?;
        let checked =
            self.engine
                .check_config(&policy, company, &config, &mut PolicyState::default());
        if let Err(rejected) = checked.value {
            return Err(PolicyError::Config(rejected.to_string()));
        }
        let current = self.activation(company)?.map(|mut a| {
            // Keep one step of history per activation: a rollback goes back one step.
            a.previous = None;
            Box::new(a)
        });
        let from = current.as_ref().map(|a| a.version);
        let activation = Activation {
            company_id: company,
            version,
            name: record.name.clone(),
            config: config.clone(),
            activated_ms: now_ms,
            by: by.to_owned(),
            previous: current,
        };
        self.records
            .write(&[
                (
                    RecordTree::PolicyActive,
                    company.to_be_bytes().to_vec(),
                    Some(serde_json::to_vec(&activation).map_err(storage)?),
                ),
                self.change(company, by, now_ms, action, from, Some(version))?,
            ])
            .map_err(storage)?;
        let active = Activated {
            active: ActivePolicy {
                name: record.name,
                version,
                config,
            },
            policy,
        };
        Ok((activation, active))
    }

    /// Remove the company's activation: the built-in default decides again. `apply` gets
    /// `None` once that is written, under the company's lock.
    pub fn deactivate(
        &self,
        company: u64,
        by: &str,
        now_ms: u64,
        apply: impl FnOnce(Option<Activated>),
    ) -> Result<(), PolicyError> {
        self.locks.with(company, || {
            let from = self.activation(company)?.map(|a| a.version);
            self.records
                .write(&[
                    (
                        RecordTree::PolicyActive,
                        company.to_be_bytes().to_vec(),
                        None,
                    ),
                    self.change(company, by, now_ms, "deactivate", from, None)?,
                ])
                .map_err(storage)?;
            apply(None);
            Ok(())
        })
    }

    /// Delete a version that is neither active nor what a rollback returns to (its component
    /// stays stored while other versions, of any company, may share the same bytes).
    pub fn delete_version(
        &self,
        company: u64,
        version: u32,
        by: &str,
        now_ms: u64,
    ) -> Result<(), PolicyError> {
        self.locks.with(company, || {
            if !self.versions(company)?.iter().any(|v| v.version == version) {
                return Err(PolicyError::UnknownVersion { company, version });
            }
            if let Some(active) = self.activation(company)? {
                if active.version == version {
                    return Err(PolicyError::VersionActive(version));
                }
                if active.previous.is_some_and(|p| p.version == version) {
                    return Err(PolicyError::VersionNeededForRollback(version));
                }
            }
            self.records
                .write(&[
                    (
                        RecordTree::PolicyVersions,
                        version_key(company, version),
                        None,
                    ),
                    self.change(company, by, now_ms, "delete", None, Some(version))?,
                ])
                .map_err(storage)
        })
    }
}
