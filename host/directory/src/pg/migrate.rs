//! The schema, created and migrated at start-up from the numbered migrations in
//! `host/directory/migrations/` (compiled in). Nodes starting together take turns: each
//! migrates inside one transaction holding the row lock of `schema_migrations`' version 0, so a
//! migration runs once, whole or not at all. A database migrated by a newer build is refused.

use super::pool::Pg;
use crate::store::StoreError;

/// The migrations, in order: (version, name, SQL).
pub const MIGRATIONS: &[(i32, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../../migrations/0001_initial.sql"),
    ),
    (
        2,
        "record_seq_blocks",
        include_str!("../../migrations/0002_record_seq_blocks.sql"),
    ),
    (
        3,
        "cluster",
        include_str!("../../migrations/0003_cluster.sql"),
    ),
    (
        4,
        "adoption",
        include_str!("../../migrations/0004_adoption.sql"),
    ),
];

/// What [`migrate`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migrated {
    /// Versions applied now.
    pub applied: Vec<i32>,
    /// The schema's version afterwards.
    pub version: i32,
}

/// Brings the database's schema up to the newest migration.
pub fn migrate(pg: &Pg) -> Result<Migrated, StoreError> {
    let newest = MIGRATIONS.last().map_or(0, |m| m.0);
    let outcome = pg.run(async |conn| {
        let client = conn.client();
        client
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                     version INT PRIMARY KEY,
                     name TEXT NOT NULL,
                     applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                 );
                 INSERT INTO schema_migrations (version, name) VALUES (0, 'lock')
                     ON CONFLICT (version) DO NOTHING;",
            )
            .await?;
        let tx = client.transaction().await?;
        tx.query(
            "SELECT version FROM schema_migrations WHERE version = 0 FOR UPDATE",
            &[],
        )
        .await?;
        let current: i32 = tx
            .query_one("SELECT max(version) FROM schema_migrations", &[])
            .await?
            .get(0);
        if current > newest {
            return Ok(Err(current));
        }
        let mut applied = Vec::new();
        for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
            tx.batch_execute(sql).await?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                &[version, name],
            )
            .await?;
            applied.push(*version);
        }
        tx.commit().await?;
        Ok(Ok(applied))
    })?;
    match outcome {
        Ok(applied) => Ok(Migrated {
            applied,
            version: newest,
        }),
        Err(current) => Err(StoreError::Corrupt {
            tree: "schema_migrations",
            detail: format!(
                "the database's schema is at version {current}, newer than this build knows \
                 ({newest}): run the newer build, or restore a backup taken before it migrated"
            ),
        }),
    }
}
