//! Search benchmark: 10,000 issues, a typical multi-clause JQL query.
//!
//! Measures twice: through the state (`Store::search`: parse, compile, match and sort) and over
//! HTTP (`POST /rest/api/3/search/jql` on loopback, first page of 50 with three fields, which adds
//! routing, auth, rendering and JSON). Client and server share one current-thread runtime, so
//! the HTTP figure measures the sandbox's work rather than cross-thread wake-ups on a busy
//! machine. Run with `cargo bench -p sandbox --bench search`.

use std::time::{Duration, Instant};

use sandbox::{NewIssue, Sandbox, Seed};
use secrecy::ExposeSecret;
use serde_json::json;

const ISSUES: usize = 10_000;
const ROUNDS: usize = 200;
const JQL: &str = "project = DEMO AND issuetype in (Story, Task) AND status != Done \
                   AND labels = backend AND (assignee = currentUser() OR assignee is EMPTY) \
                   AND created >= -30d ORDER BY priority DESC, key ASC";

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[index]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let sandbox = Sandbox::builder()
        .seed(Seed::Empty)
        .start()
        .await
        .expect("sandbox starts");
    let me = sandbox.credentials().default_account().account_id.clone();
    {
        let mut store = sandbox.state().write();
        let now = chrono::Utc::now();
        let types = ["Story", "Task", "Bug"];
        let statuses = ["To Do", "In Progress", "In Review", "Done"];
        let priorities = ["Highest", "High", "Medium", "Low", "Lowest"];
        let labels = ["backend", "frontend", "infra", "docs"];
        for n in 0..ISSUES {
            let mut issue = NewIssue::new(
                "DEMO",
                types[n % 3],
                format!("Issue number {n} about checkout"),
            )
            .status(statuses[n % 4])
            .priority(priorities[n % 5])
            .labels([labels[n % 4], labels[(n / 4) % 4]]);
            if n % 2 == 0 {
                issue = issue.assignee(me.clone());
            }
            let created = now - chrono::Duration::days((n % 60) as i64);
            store
                .create_issue(issue, &me, created)
                .expect("valid issue");
        }
    }

    let mut state_samples = Vec::with_capacity(ROUNDS);
    let mut matched = 0;
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let store = sandbox.state().read();
        let found = store
            .search(JQL, Some(&me), chrono::Utc::now())
            .expect("valid JQL");
        matched = found.len();
        drop(store);
        state_samples.push(started.elapsed());
    }

    let client = reqwest::Client::new();
    let url = format!("{}/rest/api/3/search/jql", sandbox.base_url());
    let header = sandbox.credentials().default_account().basic_header();
    let body = json!({"jql": JQL, "maxResults": 50, "fields": ["summary", "status", "assignee"]});
    let mut http_samples = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let response = client
            .post(&url)
            .header("authorization", header.expose_secret())
            .json(&body)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200);
        let _ = response.bytes().await.expect("body");
        http_samples.push(started.elapsed());
    }

    println!("Search over {ISSUES} issues, {matched} matching, {ROUNDS} rounds each.\n");
    println!("| metric | target | measured |");
    println!("|---|---|---|");
    println!(
        "| state search p50 (parse+compile+match+sort) | <= 5 ms | {} |",
        ms(percentile(&mut state_samples, 0.5))
    );
    println!(
        "| state search p95 | - | {} |",
        ms(percentile(&mut state_samples, 0.95))
    );
    println!(
        "| HTTP search p50 (page of 50, 3 fields) | <= 5 ms | {} |",
        ms(percentile(&mut http_samples, 0.5))
    );
    println!(
        "| HTTP search p95 | - | {} |",
        ms(percentile(&mut http_samples, 0.95))
    );
    sandbox.shutdown().await.expect("clean shutdown");
}
