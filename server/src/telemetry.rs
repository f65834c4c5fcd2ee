//! Log set-up. Logs carry ids (request, tenant, user), never personal-data values.

use crate::config::{Config, LogFormat};
use tracing_subscriber::EnvFilter;

/// Installs the global log subscriber; `RUST_LOG`, when set, wins over the configured level.
/// Calling it twice is harmless (tests start several servers in one process).
pub fn init(config: &Config) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&config.log_level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _already_set = match config.log_format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
