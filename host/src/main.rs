//! `switchyard` binary: parses the command line and runs the service.

use clap::Parser;
use switchyard::config::{Cli, Command};

/// mimalloc instead of the system allocator: a decision allocates many small short-lived
/// buffers across worker and blocking threads, where glibc's malloc showed up as ~13% of the
/// end-to-end profile (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<std::process::ExitCode> {
    match Cli::parse().command {
        Command::Serve(config) => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                switchyard::telemetry::init(config.log_format);
                switchyard::server::serve(config, switchyard::server::shutdown_signal()).await
            })?;
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Store(switchyard::config::StoreCommand::Copy { from, to }) => {
            let copied = switchyard::store_copy::copy(&from, &to)?;
            println!(
                "copied {} into {}:",
                from.display(),
                switchyard_directory::pg::redact(&to)
            );
            for (what, n) in copied.counts {
                println!("  {what:<24} {n}");
            }
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Policy(command) => Ok(switchyard::commands::run(command).into()),
        Command::KamailioBridge(config) => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                switchyard::telemetry::init(config.log_format);
                switchyard::kamailio_bridge::run(config, switchyard::server::shutdown_signal())
                    .await;
            });
            Ok(std::process::ExitCode::SUCCESS)
        }
    }
}
