//! `switchyard` binary: parses the command line and runs the service.

use clap::Parser;
use switchyard::config::{Cli, Command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Serve(config) => {
            switchyard::telemetry::init(config.log_format);
            switchyard::server::serve(config, switchyard::server::shutdown_signal()).await?;
        }
    }
    Ok(())
}
