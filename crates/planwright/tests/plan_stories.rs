//! `planwright plan stories EPIC` as a user meets it: with no Jira configured the built-in
//! sandbox is the site, so the demo epics are planned offline.

use std::process::{Command, Output};

fn planwright() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_planwright"));
    // No developer environment, no config.yaml: a fresh SQLite database in a temporary directory.
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .current_dir(tempfile::tempdir().expect("a temporary directory").keep());
    cmd
}

fn run(cmd: &mut Command) -> (Output, String) {
    let out = cmd.output().expect("the binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (out, stdout)
}

#[test]
fn plan_stories_previews_markdown_and_json_and_creates_with_create() {
    let (out, text) = run(planwright().args(["plan", "stories", "DEMO-1"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.starts_with("# Stories for DEMO-1"), "{text}");
    assert!(text.contains("DEMO-4 already covers it"), "{text}");

    let (out, text) = run(planwright().args(["plan", "stories", "DEMO-3", "--json"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: serde_json::Value = serde_json::from_str(&text).expect("JSON on stdout");
    assert_eq!(plan["dry_run"], true);
    assert_eq!(plan["created_tickets"]["stories"], serde_json::json!([]));
    let new = plan["story_details"]
        .as_array()
        .expect("stories")
        .iter()
        .filter(|story| story["action_taken"].is_null())
        .count();
    assert!(new >= 1, "{plan}");
    assert!(
        !plan["write_plan"]["writes"]
            .as_array()
            .expect("a plan")
            .is_empty()
    );

    let (out, text) = run(planwright().args(["plan", "stories", "DEMO-3", "--create", "--json"]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created: serde_json::Value = serde_json::from_str(&text).expect("JSON on stdout");
    assert_eq!(
        created["created_tickets"]["stories"]
            .as_array()
            .map(Vec::len),
        Some(new),
        "{created}"
    );

    let (out, _) = run(planwright().args(["plan", "stories", "not a key"]));
    assert!(!out.status.success());
}
