//! How a cluster node learns that another node changed the directory or an activation, and
//! what each way costs (#11): a revision read before every decision (what the service does:
//! `host/src/cluster/revision.rs`) against LISTEN/NOTIFY (what it could do instead). Measured
//! on a PostgreSQL database given on the command line, through the service's own client
//! (`switchyard_directory::pg::Pg`), in alternating rounds:
//!
//! - `select 1`: the floor, one round trip of the client;
//! - `revision read`: the statement a decision runs (`SELECT n FROM cluster_revision`), i.e.
//!   what a decision pays for always seeing the latest change;
//! - `notify → listener`: from sending a change's `NOTIFY` to another connection's listener
//!   receiving it, i.e. the window in which a decision on another node would still use the old
//!   directory if the service relied on notifications (and the statement itself).
//!
//! Run: `cargo bench -p switchyard --bench invalidation -- postgres://USER@HOST:PORT/DB`
//! (a database of its own: it is migrated to the service's schema). Options after the URL:
//! `--rounds N` (default 5), `--per-round N` (default 2000). Every loop is bounded in count.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use switchyard_directory::pg::{self, Pg, PgSettings};

/// One kind of measurement: its name and its samples.
struct Kind {
    name: &'static str,
    samples: Vec<Duration>,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn us(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e6)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let url = args
        .iter()
        .find(|a| a.starts_with("postgres"))
        .expect("give the database: cargo bench -p switchyard --bench invalidation -- postgres://…")
        .clone();
    let option = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let rounds = option("--rounds", 5);
    let per_round = option("--per-round", 2000);

    let pg = Pg::new(&url, &PgSettings::default()).expect("database");
    pg::migrate(&pg).expect("migrating the bench database");
    let (_listening, mut notified) = pg.listen("switchyard_bench").expect("listening");

    let mut kinds = [
        Kind {
            name: "select 1",
            samples: Vec::new(),
        },
        Kind {
            name: "revision read",
            samples: Vec::new(),
        },
        Kind {
            name: "notify → listener",
            samples: Vec::new(),
        },
    ];
    // Warm-up: connections made and statements prepared.
    for _ in 0..100 {
        select_one(&pg);
        revision(&pg);
    }
    for round in 0..rounds {
        for _ in 0..per_round {
            let t = Instant::now();
            select_one(&pg);
            kinds[0].samples.push(t.elapsed());
            let t = Instant::now();
            revision(&pg);
            kinds[1].samples.push(t.elapsed());
            let t = Instant::now();
            notify(&pg);
            notified
                .blocking_recv()
                .expect("the listener's connection ended");
            kinds[2].samples.push(t.elapsed());
        }
        eprintln!("round {} of {rounds} done", round + 1);
    }
    println!("| what | median µs | p90 µs | p99 µs | samples |");
    println!("|---|---|---|---|---|");
    for kind in &mut kinds {
        kind.samples.sort_unstable();
        println!(
            "| {} | {} | {} | {} | {} |",
            kind.name,
            us(percentile(&kind.samples, 0.5)),
            us(percentile(&kind.samples, 0.9)),
            us(percentile(&kind.samples, 0.99)),
            kind.samples.len()
        );
    }
}

fn select_one(pg: &Pg) {
    pg.run(async |conn| conn.client().simple_query("SELECT 1").await.map(|_| ()))
        .expect("select 1");
}

fn revision(pg: &Pg) {
    pg.run(async |conn| {
        let st = conn
            .prepared("SELECT n FROM cluster_revision WHERE id = 1")
            .await?;
        conn.client().query_one(&st, &[]).await.map(|_| ())
    })
    .expect("revision read");
}

fn notify(pg: &Pg) {
    pg.run(async |conn| {
        let st = conn
            .prepared("SELECT pg_notify('switchyard_bench', '')")
            .await?;
        conn.client().execute(&st, &[]).await.map(|_| ())
    })
    .expect("notify");
}
