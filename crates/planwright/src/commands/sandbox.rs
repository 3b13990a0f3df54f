//! `planwright sandbox`: an emulator of Jira Cloud and Confluence with the demo project, on a
//! loopback port, for trying Planwright and for tests of other tools.

use anyhow::Context;
use sandbox::{Sandbox, Seed};

use crate::cli::{SandboxArgs, SandboxSeed};

pub async fn run(args: SandboxArgs) -> anyhow::Result<()> {
    let seed = match args.seed {
        SandboxSeed::Demo => Seed::Demo,
        SandboxSeed::Empty => Seed::Empty,
    };
    let sandbox = Sandbox::builder()
        .seed(seed)
        .port(args.port)
        .start()
        .await
        .with_context(|| format!("starting the sandbox on port {}", args.port))?;
    let account = sandbox.credentials().default_account();
    println!(
        "Planwright sandbox (Jira Cloud + Confluence emulator) listening on {}",
        sandbox.base_url()
    );
    println!("  Jira site:       {}", sandbox.base_url());
    println!("  Confluence:      {}/wiki", sandbox.base_url());
    println!("  user (email):    {}", account.email);
    println!("  API token:       {}", sandbox::DEFAULT_API_TOKEN);
    println!("  OpenAI API:      {}", sandbox.openai_url());
    println!("  Anthropic API:   {}", sandbox.anthropic_url());
    println!("  Gemini API:      {}", sandbox.gemini_url());
    println!(
        "  try: curl -u {}:{} {}/rest/api/3/search/jql?jql=project=DEMO",
        account.email,
        sandbox::DEFAULT_API_TOKEN,
        sandbox.base_url()
    );
    super::shutdown_signal().await;
    sandbox.shutdown().await.context("stopping the sandbox")?;
    Ok(())
}
