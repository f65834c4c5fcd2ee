//! The `server` binary: parse the command line, load the configuration, run the command.

use clap::Parser;
use server::cli::{Cli, Command};
use server::config::Config;
use server::startup::{shutdown_signal, Application};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    server::telemetry::init(&config);
    match run(cli.command.unwrap_or(Command::Serve), config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => {
            let application = Application::build(&config).await?;
            let addr = application.local_addr()?;
            // Printed on stdout, unadorned, so scripts and the browser-test harness can read
            // the port chosen when `port = 0`.
            println!("Privacy Portal listening on http://{addr}");
            tracing::info!(%addr, demo_mode = config.demo_mode, "serving");
            application.run_until(shutdown_signal()).await
        }
        Command::Migrate => {
            let db = server::db::connect(&config).await?;
            let applied = server::db::migrate(&db).await?;
            println!("{applied} migration(s) applied");
            db.close().await?;
            Ok(())
        }
        Command::Config => {
            println!("{:#?}", config.redacted());
            Ok(())
        }
    }
}
