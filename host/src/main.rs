//! `switchyard` binary: parses the command line and runs the service.

use clap::Parser;
use switchyard::config::{Cli, Command};

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
        Command::Policy(command) => Ok(switchyard::policy_cli::run(command).into()),
    }
}
