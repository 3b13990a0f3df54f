//! `planwright sprint plan` and `planwright sprint timeline` as a user meets them: with no
//! configuration they plan the demo epic against the built-in sandbox, print the plan as a table
//! (a preview unless --apply) and write the Gantt chart with --svg.

use std::process::{Command, Output};

fn planwright(db: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_planwright"));
    // No developer environment or config.yaml: the sandbox and the offline generator.
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .current_dir(db.parent().expect("a directory"));
    cmd
}

fn succeeded(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn sprint_plan_prints_a_table_previews_by_default_and_applies_with_apply() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let db = dir.path().join("pw.db");

    let args = [
        "sprint",
        "plan",
        "DEMO-1",
        "--board",
        "1",
        "--capacity",
        "2",
        "--create-sprints",
        "--start",
        "2026-03-02",
    ];
    let text = succeeded(
        &planwright(&db)
            .args(args)
            .output()
            .expect("the binary runs"),
    );
    assert!(
        text.contains("| Task | Summary | Days | Sprint |"),
        "{text}"
    );
    assert!(
        text.contains("| DEMO-6 | Inline payment errors |"),
        "{text}"
    );
    assert!(text.contains("DEMO-7"), "{text}");
    assert!(
        text.contains("(new)"),
        "{text}: 2 days a sprint needs a new sprint"
    );
    assert!(text.contains("Preview: nothing was written"), "{text}");
    assert!(text.contains("skipped: DEMO-4 (done)"), "{text}");

    // Each run of the binary has a fresh in-process sandbox, so applying creates the sprint.
    let text = succeeded(
        &planwright(&db)
            .args(args)
            .arg("--apply")
            .output()
            .expect("the binary runs"),
    );
    // DEMO Sprint 3 is full with another epic's work: each task gets a new sprint.
    assert!(text.contains("Applied: 2 sprint(s) created"), "{text}");

    let out = planwright(&db)
        .args(["sprint", "plan", "DEMO-1", "--board", "9"])
        .output()
        .expect("the binary runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Board 9"), "{stderr}");
    let out = planwright(&db)
        .args([
            "sprint",
            "plan",
            "DEMO-1",
            "--board",
            "1",
            "--capacity",
            "0",
        ])
        .output()
        .expect("the binary runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--capacity"));
}

#[test]
fn sprint_timeline_writes_the_gantt_chart() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let db = dir.path().join("pw.db");
    let svg = dir.path().join("demo-1.svg");
    let text = succeeded(
        &planwright(&db)
            .args([
                "sprint",
                "timeline",
                "DEMO-1",
                "--board",
                "1",
                "--start",
                "2026-03-02",
            ])
            .arg("--svg")
            .arg(&svg)
            .output()
            .expect("the binary runs"),
    );
    assert!(text.contains("| Sprint | Dates |"), "{text}");
    assert!(text.contains("Gantt chart written to"), "{text}");
    let chart = std::fs::read_to_string(&svg).expect("the chart was written");
    assert!(chart.starts_with("<svg") && chart.contains("DEMO-6") && chart.contains("DEMO-7"));
}
