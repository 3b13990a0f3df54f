//! Logging setup: human-readable or JSON lines, filtered by `RUST_LOG` or `logging.level`.
//!
//! Secrets cannot reach the log through configuration: they are `config::Secret`, whose `Debug`
//! is redacted, and no code logs request bodies or provider prompts at `info`.

use std::io::IsTerminal;

use config::{LogFormat, LoggingSettings};
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. Logs go to stderr so stdout stays for command output.
pub fn init(settings: &LoggingSettings) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let result = match settings.format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.with_target(false).try_init(),
    };
    // A second init (tests, or a command that already logged) keeps the first subscriber.
    drop(result);
}
