//! The `planwright` binary: parses the command line and hands off to one command module.

mod cli;
mod commands;
mod telemetry;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    commands::run(cli)
}
