//! The boundaries of ARCHITECTURE.md that a test can check, from the workspace's manifests
//! (normal dependencies only, followed through workspace crates; tests may use anything):
//! - the pure crates (`domain`, `markup`, `jql`, `generation`, `job-types`, `sprint-planning`,
//!   `prd-table`) pull in no runtime, HTTP client or database;
//! - `api` (the HTTP edge) never depends on the Jira client, the features or the sandbox, so a
//!   handler cannot call Jira;
//! - only `atlassian` (and the sandbox that emulates it) depend on the markup of Jira, and only
//!   `llm` talks to providers.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

/// Workspace crate → names of its normal (non-dev, non-build) dependencies, transitively through
/// workspace crates (external crates are leaves: `--no-deps` needs no download).
fn normal_dependency_closure() -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("metadata is JSON");
    let direct: BTreeMap<String, BTreeSet<String>> = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|package| {
            let deps = package["dependencies"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|dep| dep["kind"].is_null())
                .filter_map(|dep| dep["name"].as_str().map(str::to_owned))
                .collect();
            (
                package["name"].as_str().unwrap_or_default().to_owned(),
                deps,
            )
        })
        .collect();
    let mut closure = BTreeMap::new();
    for name in direct.keys() {
        let mut seen = BTreeSet::new();
        let mut stack = vec![name.clone()];
        while let Some(next) = stack.pop() {
            for dep in direct.get(&next).into_iter().flatten() {
                if seen.insert(dep.clone()) {
                    stack.push(dep.clone());
                }
            }
        }
        closure.insert(name.clone(), seen);
    }
    closure
}

#[test]
fn the_crate_boundaries_of_architecture_md_hold() {
    let closure = normal_dependency_closure();
    let forbidden_in_pure = ["tokio", "reqwest", "sqlx", "hyper", "axum"];
    for pure in [
        "domain",
        "markup",
        "jql",
        "generation",
        "job-types",
        "sprint-planning",
        "prd-table",
    ] {
        let deps = &closure[pure];
        for io in forbidden_in_pure {
            assert!(
                !deps.contains(io),
                "`{pure}` must do no I/O but depends on `{io}`"
            );
        }
    }
    for edge_forbidden in ["atlassian", "features", "sandbox", "llm-emulator", "app"] {
        assert!(
            !closure["api"].contains(edge_forbidden),
            "`api` must not depend on `{edge_forbidden}`: handlers never call Jira"
        );
    }
    for crate_name in ["features", "jobs", "store"] {
        assert!(
            !closure[crate_name].contains("sandbox"),
            "`{crate_name}` must not depend on the sandbox outside tests"
        );
    }
    assert!(
        !closure["features"].contains("axum"),
        "features know nothing of HTTP serving"
    );
}
