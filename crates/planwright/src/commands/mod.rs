//! One module per subcommand, and what they share: loading configuration (exit code 2 when it is
//! invalid), starting the async runtime, and connecting to the database.

mod generate;
mod hash_password;
mod job_runner;
mod migrate;
mod plan_stories;
mod plan_tasks;
mod plan_tests;
mod sandbox;
mod serve;
mod show_config;
mod sprint;
mod worker;

use std::process::ExitCode;

use anyhow::Context;
use config::Settings;

use crate::cli::{Cli, Command, ConfigArgs, PlanCommand};
use crate::telemetry;

/// Exit code for invalid configuration, distinct from runtime failures (1) as the issue asks.
const EXIT_CONFIG: u8 = 2;

/// Runs the parsed command line and maps the outcome to an exit code, printing a failure once.
pub fn run(cli: Cli) -> ExitCode {
    config::load_dotenv();
    let result = match cli.command {
        Command::HashPassword => hash_password::run(),
        Command::Config(args) => match load_settings(&args).and_then(|s| {
            language_models(&s)?;
            Ok(s)
        }) {
            Ok(settings) => {
                show_config::run(&settings);
                block_on(async {
                    show_config::custom_fields(&settings).await;
                    Ok(())
                })
            }
            Err(code) => return code,
        },
        Command::Sandbox(args) => {
            telemetry::init(&Settings::default().logging);
            block_on(sandbox::run(args))
        }
        Command::Migrate(args) => match load_settings(&args) {
            Ok(settings) => block_on(migrate::run(settings)),
            Err(code) => return code,
        },
        Command::Serve(args) => match load_settings(&args.config).and_then(|s| {
            let llm = language_models(&s)?;
            Ok((s, llm))
        }) {
            Ok((settings, llm)) => block_on(serve::run(settings, llm, args)),
            Err(code) => return code,
        },
        Command::Plan(PlanCommand::Tasks(args)) => match load_settings(&args.config).and_then(|s| {
            let llm = language_models(&s)?;
            Ok((s, llm))
        }) {
            Ok((settings, llm)) => block_on(plan_tasks::run(settings, llm, args)),
            Err(code) => return code,
        },
        Command::Generate(command) => {
            let config = match &command {
                crate::cli::GenerateCommand::Single(args) => &args.config,
                crate::cli::GenerateCommand::Batch(args) => &args.config,
            };
            match load_settings(config).and_then(|s| {
                let llm = language_models(&s)?;
                Ok((s, llm))
            }) {
                Ok((settings, llm)) => block_on(generate::run(settings, llm, command)),
                Err(code) => return code,
            }
        }
        Command::Plan(crate::cli::PlanCommand::Stories(args)) => {
            match load_settings(&args.config).and_then(|s| {
                let llm = language_models(&s)?;
                Ok((s, llm))
            }) {
                Ok((settings, llm)) => block_on(plan_stories::run(settings, llm, args)),
                Err(code) => return code,
            }
        }
        Command::Plan(PlanCommand::Tests(args)) => match load_settings(&args.config).and_then(|s| {
            let llm = language_models(&s)?;
            Ok((s, llm))
        }) {
            Ok((settings, llm)) => block_on(plan_tests::run(settings, llm, args)),
            Err(code) => return code,
        },
        Command::Sprint(command) => {
            let config = match &command {
                crate::cli::SprintCommand::Plan(args) => &args.config,
                crate::cli::SprintCommand::Timeline(args) => &args.config,
            };
            match load_settings(config).and_then(|s| {
                let llm = language_models(&s)?;
                Ok((s, llm))
            }) {
                Ok((settings, llm)) => block_on(sprint::run(settings, llm, command)),
                Err(code) => return code,
            }
        }
        Command::Worker(args) => match load_settings(&args.config).and_then(|s| {
            let llm = language_models(&s)?;
            Ok((s, llm))
        }) {
            Ok((settings, llm)) => block_on(worker::run(settings, llm, args)),
            Err(code) => return code,
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn block_on<Fut: Future<Output = anyhow::Result<()>>>(fut: Fut) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?
        .block_on(fut)
}

/// Loads and validates configuration and sets up logging; on failure prints the problem (naming
/// the key) and returns the configuration exit code.
fn load_settings(args: &ConfigArgs) -> Result<Settings, ExitCode> {
    let file = config::config_file(args.config.as_deref());
    let settings = config::load(file.as_deref()).map_err(|error| {
        eprintln!("error: {error}");
        ExitCode::from(EXIT_CONFIG)
    })?;
    telemetry::init(&settings.logging);
    Ok(settings)
}

/// Builds the language-model layer. Its settings only fail on configuration (a provider without
/// its key, a model the provider does not have), so a failure exits like invalid configuration.
fn language_models(settings: &Settings) -> Result<llm::LlmService, ExitCode> {
    llm::LlmService::from_settings(app::wiring::llm_settings(settings)).map_err(|error| {
        eprintln!("error: invalid language-model configuration: {error}");
        ExitCode::from(EXIT_CONFIG)
    })
}

/// Connects to the configured database and applies migrations.
async fn connect_database(settings: &Settings) -> anyhow::Result<store::Database> {
    Ok(app::connect_database(settings).await?)
}

/// Resolves on SIGTERM or Ctrl-C (SIGINT).
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
