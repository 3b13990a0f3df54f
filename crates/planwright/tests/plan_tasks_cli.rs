//! `planwright plan tasks` as a user meets it: with no configuration it plans against the
//! built-in sandbox with the offline generator, previews by default and creates with `--create`.

use std::process::{Command, Output};

use serde_json::Value;

fn planwright(db: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_planwright"));
    // No developer environment or config.yaml: the sandbox and the offline generator.
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .current_dir(db.parent().expect("a directory"));
    cmd
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|error| {
        panic!(
            "stdout is JSON ({error}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn plan_tasks_previews_by_default_and_creates_with_create() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let db = dir.path().join("pw.db");

    let out = planwright(&db)
        .args(["plan", "tasks", "DEMO-4", "--json"])
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let preview = json(&out);
    assert_eq!(preview["dry_run"], true);
    assert_eq!(preview["epic_key"], "DEMO-1");
    let tasks = preview["task_details"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(tasks.len() >= 2, "{preview}");
    assert!(tasks.iter().all(|t| t["jira_key"].is_null()));
    assert!(preview["summary_stats"]["team_separation"]["qa_tasks"].as_u64() >= Some(1));

    let out = planwright(&db)
        .args(["plan", "tasks", "DEMO-6", "--create"])
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("DEMO-6 Inline payment errors (epic DEMO-1)"),
        "{text}"
    );
    assert!(text.contains("Created "), "{text}");
    assert!(text.contains("[QA] "), "{text}");

    let out = planwright(&db)
        .args(["plan", "tasks", "not-a-key"])
        .output()
        .expect("the binary runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not-a-key"));
}
