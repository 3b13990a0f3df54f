//! The command line: subcommands and their flags, as clap derives them.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Planwright: language models on your Jira and Confluence, writing nothing you did not ask for.
///
/// With no configuration, `planwright serve` runs the embedded quick start: a SQLite database
/// under ./data/, the worker inside the server, and the offline generator.
#[derive(Debug, Parser)]
#[command(
    name = "planwright",
    version,
    about,
    long_about,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API, with an in-process worker pool unless --no-worker.
    Serve(ServeArgs),
    /// Run workers only, claiming jobs from the same database as the servers.
    Worker(WorkerArgs),
    /// Apply database migrations and exit (serve and worker also migrate on start).
    Migrate(ConfigArgs),
    /// Read a password (stdin, or a hidden prompt on a terminal) and print an argon2 hash for
    /// AUTH_PASSWORD_HASH. The password is never taken from the command line.
    HashPassword,
    /// Print the effective configuration with every secret redacted; exit 2 if it is invalid.
    Config(ConfigArgs),
    /// Run the Jira Cloud + Confluence emulator on its own, for demos and for pointing other
    /// Jira clients at.
    Sandbox(SandboxArgs),
    /// Generate ticket descriptions (preview unless --update-jira).
    #[command(subcommand)]
    Generate(GenerateCommand),
    /// Plan work from the terminal: stories for an epic, team tasks for stories (a preview
    /// unless told to write).
    #[command(subcommand)]
    Plan(PlanCommand),
    /// Sprints: plan an epic's work into the board's sprints, draw its timeline as a Gantt chart.
    #[command(subcommand)]
    Sprint(SprintCommand),
}

#[derive(Debug, Subcommand)]
pub enum SprintCommand {
    /// Plan an epic's open work into the board's future sprints by capacity and "Blocks" links
    /// and print the plan as a table; --apply creates the sprints and moves the issues.
    Plan(SprintPlanArgs),
    /// The epic's timeline (sprint dates, tasks per sprint, completion date), stored for
    /// `GET /sprint/timeline/{epic}`; --svg writes the Gantt chart.
    Timeline(SprintTimelineArgs),
}

#[derive(Debug, Args)]
pub struct SprintPlanArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The epic's key (PROJ-100) or its browse URL.
    pub epic: String,
    /// The Jira board's id.
    #[arg(long, value_name = "N")]
    pub board: u64,
    /// Create the sprints the plan needs and move the issues in Jira (default: preview).
    #[arg(long)]
    pub apply: bool,
    /// Person-days per sprint (default: the team's capacity with --team, else 10).
    #[arg(long, value_name = "DAYS")]
    pub capacity: Option<f64>,
    /// The team whose members' capacity is the sprint capacity.
    #[arg(long, value_name = "ID")]
    pub team: Option<i64>,
    /// Add sprints after the board's future ones when the work needs them.
    #[arg(long)]
    pub create_sprints: bool,
    /// The first day new sprints may start (YYYY-MM-DD; default today).
    #[arg(long, value_name = "DATE")]
    pub start: Option<String>,
    /// Days per new sprint (1 to 90).
    #[arg(long, default_value_t = 14)]
    pub sprint_days: u32,
    /// Print the API's JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SprintTimelineArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The epic's key (PROJ-100) or its browse URL.
    pub epic: String,
    /// The Jira board's id.
    #[arg(long, value_name = "N")]
    pub board: u64,
    /// Write the Gantt chart (SVG) to this file.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// The first day of the timeline (YYYY-MM-DD; default today).
    #[arg(long, value_name = "DATE")]
    pub start: Option<String>,
    /// Person-days per sprint (default: the team's capacity with --team, else 10).
    #[arg(long, value_name = "DAYS")]
    pub capacity: Option<f64>,
    /// The team whose members' capacity is the sprint capacity.
    #[arg(long, value_name = "ID")]
    pub team: Option<i64>,
    /// Days per sprint (1 to 90).
    #[arg(long, default_value_t = 14)]
    pub sprint_days: u32,
}

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Team tasks (Backend, Frontend, QA, ...) for stories, with dependencies and estimates;
    /// `--create` creates them under the epic with their "Blocks" and split links.
    Tasks(PlanTasksArgs),
    /// User stories for an epic from its description and PRD/RFC pages, with acceptance
    /// criteria; stories an existing one already covers are skipped. Created under the epic with
    /// --create.
    Stories(PlanStoriesArgs),
    /// Generate a story's test cases (a preview unless --update-jira).
    Tests(PlanTestsArgs),
}

#[derive(Debug, Args)]
pub struct PlanTasksArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Story keys or Jira browse URLs.
    #[arg(required = true, value_name = "STORY")]
    pub stories: Vec<String>,
    /// The epic the tasks go under (default: each story's parent epic).
    #[arg(long, value_name = "KEY")]
    pub epic: Option<String>,
    /// Create the tasks and their links in Jira (default: preview, nothing is written).
    #[arg(long)]
    pub create: bool,
    /// Print the full result as JSON (the API's response) instead of a summary.
    #[arg(long)]
    pub json: bool,
    /// Split tasks longer than this many man-days (0.5 to 10).
    #[arg(long, default_value_t = 3.0)]
    pub max_task_cycle_days: f64,
    /// Language-model provider (see `GET /models`).
    #[arg(long)]
    pub llm_provider: Option<String>,
    /// Model of that provider.
    #[arg(long)]
    pub llm_model: Option<String>,
}

#[derive(Debug, Args)]
pub struct PlanStoriesArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The epic's key (PROJ-100) or its browse URL.
    pub epic_key: String,
    /// Create the stories in Jira (each once, even if the command is run again).
    #[arg(long)]
    pub create: bool,
    /// At most this many stories (1 to 50).
    #[arg(long, default_value_t = 8)]
    pub max_stories: u32,
    /// Also generate test cases for each story.
    #[arg(long)]
    pub test_cases: bool,
    /// Print the API's JSON instead of Markdown.
    #[arg(long)]
    pub json: bool,
    /// A provider listed by `GET /models` (openai, claude, gemini, kimi, offline, ...).
    #[arg(long)]
    pub llm_provider: Option<String>,
    /// A model of that provider.
    #[arg(long)]
    pub llm_model: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum GenerateCommand {
    /// One ticket's description: printed, and written with --update-jira when the current one is
    /// empty or a placeholder.
    Single(GenerateSingleArgs),
    /// Descriptions for every ticket a JQL query finds, with a progress bar on a terminal.
    Batch(GenerateBatchArgs),
}

#[derive(Debug, Args)]
pub struct GenerateSingleArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// An issue key (PROJ-123) or its browse URL.
    pub ticket_key: String,
    /// Write the description to Jira.
    #[arg(long)]
    pub update_jira: bool,
    /// Print the API's JSON instead of Markdown.
    #[arg(long)]
    pub json: bool,
    /// Free text for the model ("focus on the auth module").
    #[arg(long)]
    pub context: Option<String>,
    /// A provider listed by `GET /models` (openai, claude, gemini, kimi, offline, ...).
    #[arg(long)]
    pub llm_provider: Option<String>,
    /// A model of that provider.
    #[arg(long)]
    pub llm_model: Option<String>,
}

#[derive(Debug, Args)]
pub struct GenerateBatchArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Which tickets, e.g. 'project = PROJ AND description is EMPTY'.
    #[arg(long)]
    pub jql: String,
    /// At most this many tickets (1 to 1000).
    #[arg(long, default_value_t = 100)]
    pub max_results: u32,
    /// Write descriptions to Jira (only where the current one is empty or a placeholder).
    #[arg(long)]
    pub update_jira: bool,
    /// Print the API's JSON instead of Markdown.
    #[arg(long)]
    pub json: bool,
    #[arg(long)]
    pub llm_provider: Option<String>,
    #[arg(long)]
    pub llm_model: Option<String>,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Configuration file (YAML). Default: ./config.yaml if it exists.
    #[arg(long, env = "PLANWRIGHT_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Address to listen on. Anything but loopback with auth disabled prints a warning.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Port to listen on (0 picks a free one and prints it).
    #[arg(long, env = "PORT", default_value_t = 8000)]
    pub port: u16,
    /// Do not run workers in this process (run `planwright worker` elsewhere).
    #[arg(long)]
    pub no_worker: bool,
    /// Wire the service to an in-process Jira + Confluence emulator with a demo project, so the
    /// whole product runs with no accounts. Implied when no Jira is configured.
    #[arg(long)]
    pub sandbox: bool,
}

#[derive(Debug, Args)]
pub struct WorkerArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Concurrent jobs in this process (default: worker.max_jobs / WORKER_MAX_JOBS).
    #[arg(long)]
    pub concurrency: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SandboxSeed {
    /// Project DEMO with epics, stories, tasks, sprints and Confluence PRD/RFC pages.
    Demo,
    /// No issues or pages; only the users, issue types and workflows.
    Empty,
}

/// The sandbox listens on loopback only: it accepts well-known demo credentials.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Port to listen on, on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Which dataset to start with.
    #[arg(long, value_enum, default_value_t = SandboxSeed::Demo)]
    pub seed: SandboxSeed,
}

/// How thorough a test suite is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CoverageArg {
    /// 1-2 tests: the happy path.
    Minimal,
    /// 2-4 tests: happy path and basic errors.
    Basic,
    /// 3-6 tests: errors and edge cases too.
    Standard,
    /// 5-10 tests, including performance and security.
    Comprehensive,
}

#[derive(Debug, Args)]
pub struct PlanTestsArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The story's key (PROJ-123) or browse URL.
    #[arg(value_name = "STORY")]
    pub story: String,
    /// Coverage level.
    #[arg(long, value_enum, default_value_t = CoverageArg::Standard)]
    pub coverage: CoverageArg,
    /// Business domain to tailor the tests to (financial, healthcare, ecommerce, security, ...).
    #[arg(long)]
    pub domain: Option<String>,
    /// Technical context to tailor the tests to (api, database, ui, microservice, ...).
    #[arg(long)]
    pub technical: Option<String>,
    /// Do not give the epic's PRD/RFC pages to the generator.
    #[arg(long)]
    pub no_documents: bool,
    /// A provider listed by `GET /models` (openai, claude, gemini, kimi, offline, ...).
    #[arg(long)]
    pub llm_provider: Option<String>,
    /// A model of that provider.
    #[arg(long)]
    pub llm_model: Option<String>,
    /// Write the tests to the story's test-case field.
    #[arg(long)]
    pub update_jira: bool,
    /// Print the API's JSON response instead of Markdown.
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn plan_tests_takes_a_story_and_a_coverage_level() {
        let cli = Cli::try_parse_from([
            "planwright",
            "plan",
            "tests",
            "DEMO-4",
            "--coverage",
            "comprehensive",
            "--json",
        ])
        .expect("valid arguments");
        let Command::Plan(PlanCommand::Tests(args)) = cli.command else {
            panic!("expected plan tests");
        };
        assert_eq!(args.story, "DEMO-4");
        assert_eq!(args.coverage, CoverageArg::Comprehensive);
        assert!(args.json && !args.update_jira);
        assert!(
            Cli::try_parse_from([
                "planwright",
                "plan",
                "tests",
                "DEMO-4",
                "--coverage",
                "extreme"
            ])
            .is_err()
        );
    }
}
