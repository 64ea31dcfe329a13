//! What a PostgreSQL database holds, counted: rows per directory table and entries per record
//! tree (for `switchyard store copy`, which refuses a non-empty target and verifies the copy),
//! and raising the id sequences past ids handed out elsewhere.

use super::pool::Pg;
use crate::records::RecordTree;
use crate::store::StoreError;

/// The directory's tables.
pub const TABLES: [&str; 8] = [
    "accounts",
    "companies",
    "agents",
    "agent_identities",
    "memberships",
    "departments",
    "numbers",
    "tokens",
];

/// Rows per directory table, then entries per record tree (by the tree's name).
pub fn counts(pg: &Pg) -> Result<Vec<(&'static str, u64)>, StoreError> {
    let tables: Vec<i64> = pg.run(async |conn| {
        let mut out = Vec::new();
        for table in TABLES {
            let row = conn
                .client()
                .query_one(&format!("SELECT count(*) FROM {table}"), &[])
                .await?;
            out.push(row.try_get(0)?);
        }
        Ok(out)
    })?;
    let trees: Vec<(i16, i64)> = pg.run(async |conn| {
        let rows = conn
            .client()
            .query("SELECT tree, count(*) FROM records GROUP BY tree", &[])
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    })?;
    let mut out: Vec<(&'static str, u64)> = TABLES
        .iter()
        .zip(tables)
        .map(|(t, n)| (*t, u64::try_from(n).unwrap_or(0)))
        .collect();
    for tree in RecordTree::ALL {
        let n = trees
            .iter()
            .find(|(t, _)| usize::try_from(*t).ok() == Some(tree.index()))
            .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0));
        out.push((tree.name(), n));
    }
    Ok(out)
}

/// Makes both id sequences hand out only ids above `used`.
pub fn raise_sequences(pg: &Pg, used: u64) -> Result<(), StoreError> {
    let used = i64::try_from(used).unwrap_or(i64::MAX);
    pg.run(async |conn| {
        for sequence in ["directory_ids", "record_seqs"] {
            conn.client()
                .execute(
                    &format!(
                        "SELECT setval('{sequence}', GREATEST($1, (SELECT last_value FROM {sequence})))"
                    ),
                    &[&used],
                )
                .await?;
        }
        Ok(())
    })
}
