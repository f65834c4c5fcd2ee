//! The command line: `server` (serve, the default), `server migrate`, `server config`.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Privacy Portal server.
#[derive(Debug, Parser)]
#[command(name = "server", version, about)]
pub struct Cli {
    /// TOML configuration file; `PORTAL_*` environment variables override it.
    #[arg(long, short, env = "PORTAL_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the portal (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the effective configuration (secrets masked) and exit.
    Config,
}
