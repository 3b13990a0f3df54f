//! The command line as a user meets it: help texts, `config`, `hash-password`, `migrate`.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn planwright() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_planwright"));
    // Tests must not pick up the developer's environment or a config.yaml in the cwd.
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .current_dir(tempfile::tempdir().unwrap().keep());
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn help_lists_every_command_and_each_command_has_help() {
    let out = run(planwright().arg("--help"));
    assert!(out.status.success());
    let text = stdout(&out);
    let commands = [
        "serve",
        "worker",
        "migrate",
        "hash-password",
        "config",
        "sandbox",
    ];
    for command in commands {
        assert!(text.contains(command), "--help lacks {command}:\n{text}");
    }
    let flags: &[(&str, &[&str])] = &[
        (
            "serve",
            &[
                "--host",
                "--port",
                "--config",
                "--no-worker",
                "--sandbox",
                "PORT",
            ],
        ),
        ("worker", &["--config", "--concurrency"]),
        ("migrate", &["--config"]),
        ("hash-password", &["stdin"]),
        ("config", &["--config", "redacted"]),
        ("sandbox", &["--port", "--seed", "demo"]),
    ];
    for (command, expected) in flags {
        let out = run(planwright().args([command, "--help"]));
        assert!(out.status.success(), "{command} --help failed");
        let text = stdout(&out);
        for flag in *expected {
            assert!(
                text.contains(flag),
                "`{command} --help` lacks {flag}:\n{text}"
            );
        }
    }
}

#[test]
fn unknown_command_is_a_usage_error() {
    let out = run(planwright().arg("frobnicate"));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("frobnicate"));
}

#[test]
fn config_prints_the_effective_configuration_with_secrets_redacted() {
    let out = run(planwright()
        .arg("config")
        .env("JIRA_SERVER_URL", "https://acme.atlassian.net")
        .env("JIRA_USERNAME", "bot@acme.com")
        .env("JIRA_API_TOKEN", "jira-token-value")
        .env("OPENAI_API_KEY", "sk-openai-value")
        .env("WORKER_MAX_JOBS", "7"));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("max_jobs: 7"), "{text}");
    assert!(text.contains("https://acme.atlassian.net"), "{text}");
    for secret in ["jira-token-value", "sk-openai-value"] {
        assert!(
            !text.contains(secret) && !stderr(&out).contains(secret),
            "{text}"
        );
    }
    assert!(text.contains("[redacted]"));
}

#[test]
fn invalid_configuration_exits_2_naming_the_key() {
    let out = run(planwright().arg("config").env("WORKER_MAX_JOBS", "many"));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("worker.max_jobs"), "{}", stderr(&out));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.yaml");
    std::fs::write(&file, "auth:\n  enabled: true\n").unwrap();
    let out = run(planwright().arg("config").arg("--config").arg(&file));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("auth.password_hash"),
        "{}",
        stderr(&out)
    );

    let out = run(planwright()
        .args(["config", "--config"])
        .arg(dir.path().join("missing.yaml")));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing.yaml"), "{}", stderr(&out));
}

#[test]
fn a_provider_without_its_key_is_a_configuration_error() {
    let out = run(planwright().arg("config").env("LLM_PROVIDER", "openai"));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("OPENAI_API_KEY"), "{}", stderr(&out));

    let out = run(planwright()
        .arg("config")
        .env("LLM_PROVIDER", "openai")
        .env("OPENAI_API_KEY", "sk-test"));
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_config_file_in_the_working_directory_is_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.yaml"),
        "worker:\n  max_jobs: ${MAX:3}\n",
    )
    .unwrap();
    let out = run(planwright().arg("config").current_dir(dir.path()));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("max_jobs: 3"));
}

#[test]
fn hash_password_reads_stdin_and_prints_a_verifiable_argon2_hash() {
    use argon2::{Argon2, PasswordHash, PasswordVerifier};

    let mut child = planwright()
        .arg("hash-password")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"correct horse battery\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let hash = stdout(&out).trim().to_owned();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("correct horse"));
    let parsed = PasswordHash::new(&hash).unwrap();
    assert!(
        Argon2::default()
            .verify_password(b"correct horse battery", &parsed)
            .is_ok()
    );
    assert!(
        Argon2::default()
            .verify_password(b"wrong", &parsed)
            .is_err()
    );
}

#[test]
fn hash_password_refuses_an_empty_password_and_takes_no_argument() {
    let out = planwright()
        .arg("hash-password")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("empty"), "{}", stderr(&out));

    let out = run(planwright().args(["hash-password", "secret"]));
    assert_eq!(
        out.status.code(),
        Some(2),
        "a password on argv is a usage error"
    );
}

#[test]
fn migrate_creates_and_migrates_a_fresh_sqlite_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nested/dir/pw.db");
    let url = format!("sqlite://{}", db.display());
    let out = run(planwright().arg("migrate").env("DATABASE_URL", &url));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(db.exists());
    // Idempotent.
    let out = run(planwright().arg("migrate").env("DATABASE_URL", &url));
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn migrate_reports_an_unreachable_database_clearly() {
    let out = run(planwright()
        .arg("migrate")
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none"));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.to_lowercase().contains("database"), "{err}");
}

#[tokio::test]
async fn sandbox_prints_its_url_and_credentials_and_serves_jira() {
    use std::io::BufRead;
    let mut child = planwright()
        .args(["sandbox", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let lines: Vec<String> = std::io::BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .take_while(|line| !line.contains("try:"))
        .collect();
    let text = lines.join("\n");
    assert!(
        text.contains("demo@example.com") && text.contains("sandbox-token"),
        "{text}"
    );
    assert!(text.contains("/openai/v1"), "{text}");
    let url = lines[0].rsplit(' ').next().unwrap().to_owned();
    let me: serde_json::Value = reqwest::Client::new()
        .get(format!("{url}/rest/api/3/myself"))
        .basic_auth("demo@example.com", Some("sandbox-token"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["emailAddress"], "demo@example.com", "{me}");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_half_configured_jira_exits_2_instead_of_serving_the_sandbox() {
    let out = run(planwright()
        .args(["serve", "--port", "0"])
        .env("JIRA_SERVER_URL", "https://acme.atlassian.net")
        .env("JIRA_API_TOKEN", "jira-token-value"));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(text.contains("JIRA_USERNAME"), "{text}");
    assert!(!text.contains("jira-token-value"), "{text}");
}

#[test]
fn config_shows_the_custom_fields_resolved_on_the_site() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sandbox = runtime
        .block_on(sandbox::Sandbox::builder().start())
        .expect("the sandbox starts");
    let account = sandbox.credentials().default_account().clone();
    let out = run(planwright()
        .arg("config")
        .env("JIRA_SERVER_URL", sandbox.base_url())
        .env("JIRA_USERNAME", &account.email)
        .env("JIRA_API_TOKEN", sandbox::DEFAULT_API_TOKEN));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    // The default PRD id (customfield_10001) does not exist there; the field is found by name.
    assert!(
        text.contains("JIRA_PRD_CUSTOM_FIELD: customfield_10050 (\"PRD URL\", by name)"),
        "{text}"
    );
    assert!(
        text.contains("# warning: JIRA_PRD_CUSTOM_FIELD is set to customfield_10001"),
        "{text}"
    );
    assert!(
        text.contains("JIRA_MANDAYS_CUSTOM_FIELD: customfield_10053"),
        "{text}"
    );
    runtime.block_on(sandbox.shutdown()).ok();
}
