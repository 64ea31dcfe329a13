//! Measures what "a 2xx means on disk" costs: writes per second through [`Directory`] with a
//! flush per write (under the write lock) versus group commit (flush after the lock, so
//! concurrent writers share fsyncs), for 1 and 8 concurrent writers. Prints a table; asserts
//! nothing.
//!
//! Run: `cargo run --release -p switchyard-directory --example flush_modes [DIR]` (the
//! databases go to temp dirs inside `DIR`, default the system temp dir).

use std::sync::Arc;
use std::time::Instant;

use switchyard_directory::input::{NewAccount, NewCompany, NewDepartment};
use switchyard_directory::{Directory, Durability, Principal, SledStore};

const WRITES: usize = 400;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "{:<16} {:>8} {:>10} {:>12}",
        "mode", "writers", "writes/s", "ms/write"
    );
    for durability in [Durability::FlushEachWrite, Durability::GroupCommit] {
        for writers in [1usize, 8] {
            let temp = match std::env::args().nth(1) {
                Some(dir) => tempfile::tempdir_in(dir)?,
                None => tempfile::tempdir()?,
            };
            let store = Arc::new(SledStore::open(&temp.path().join("db"))?);
            let directory = Arc::new(Directory::new(store, durability));
            let op = Principal::Operator;
            let account = directory.create_account(
                &op,
                NewAccount {
                    name: "bench".into(),
                },
            )?;
            let company = directory.create_company(
                &op,
                NewCompany {
                    name: "bench".into(),
                    time_zone: "UTC".into(),
                    account_id: Some(account.id),
                    wrap_up_secs: None,
                    identity_policy: None,
                    sip_domain: None,
                },
            )?;
            let started = Instant::now();
            let threads: Vec<_> = (0..writers)
                .map(|w| {
                    let directory = Arc::clone(&directory);
                    std::thread::spawn(move || {
                        for i in 0..WRITES / writers {
                            let name = format!("dept {w}-{i}");
                            if let Err(e) = directory.create_department(
                                &Principal::Operator,
                                company.id,
                                NewDepartment { name },
                            ) {
                                eprintln!("write failed: {e}");
                            }
                        }
                    })
                })
                .collect();
            for t in threads {
                t.join().map_err(|_| "writer panicked")?;
            }
            let secs = started.elapsed().as_secs_f64();
            println!(
                "{:<16} {:>8} {:>10.0} {:>12.2}",
                format!("{durability:?}"),
                writers,
                WRITES as f64 / secs,
                secs * 1000.0 * writers as f64 / WRITES as f64
            );
        }
    }
    Ok(())
}
