//! The chat agent measured end to end on the optimised binary in the README's configuration
//! (SQLite, the offline generator, its worker in the same process) against the sandbox:
//!
//! - `POST /chat/send` latency from 64 concurrent clients, each sending a search and polling
//!   `GET /chat/result` every 100 ms until it completes before sending the next (the seed's
//!   client loop, which polls every 2 s), with no pause (the server saturated) and with a
//!   person's pause of a second, and how many chats complete per second;
//! - the resident memory that 1,000 conversations waiting for confirmation add to `serve`.
//!
//! Run: `cargo bench -p planwright --bench chat`. Prints a markdown table: metric | target |
//! measured (docs/benchmarks.md).

mod support;

use std::process::Child;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sandbox::{Sandbox, Seed};
use serde_json::{Value, json};
use support::{free_port, serve_command, status_kb, stop_child, wait_for_health};

const CLIENTS: usize = 64;
const SECONDS: u64 = 10;
const WAITING: usize = 1000;
/// How often a client polls a result: 20 times faster than the seed's example client (2 s).
const POLL: Duration = Duration::from_millis(100);
/// A person's pause between reading an answer and sending the next message.
const THINK: Duration = Duration::from_secs(1);
const SEARCH: &str = "Find open bugs in DEMO";
const CREATE: &str =
    "Create a bug ticket in DEMO: checkout shows a blank page when the cart has more than 50 items";

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let rows = runtime.block_on(run());
    println!("| metric | target | measured |");
    println!("|---|---|---|");
    for row in rows {
        println!("{row}");
    }
}

async fn run() -> Vec<String> {
    let mut rows = Vec::new();
    let sandbox = Sandbox::builder()
        .seed(Seed::Demo)
        .start()
        .await
        .expect("the sandbox starts");
    let dir = tempfile::tempdir().expect("a temp dir");
    let (child, port) = serve(&sandbox, dir.path());
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .expect("a client");
    let base = format!("http://127.0.0.1:{port}");
    wait_for_health(&client, port).await;
    // Warm-up: one chat of each kind measured below.
    for message in [SEARCH, CREATE] {
        let task = send(&client, &base, "warm-up", message)
            .await
            .expect("sent")
            .0;
        wait_for(
            &client,
            &base,
            &task,
            &["completed", "waiting_confirmation"],
        )
        .await;
    }

    // Send latency under the seed's client loop: with no pause (64 bots, the server saturated)
    // and with a person's pause of a second between reading an answer and sending again.
    for think in [Duration::ZERO, THINK] {
        let phase = send_phase(&client, &base, think).await;
        let mut latencies = phase.latencies;
        latencies.sort();
        let at = |q: f64| {
            latencies
                .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        rows.push(format!(
            "| `POST /chat/send` latency p99, {CLIENTS} clients each sending a search, polling every 100 ms until it completes, then pausing {} s | < 20 ms | {:.1} ms (p50 {:.1}, max {:.1}; {} sends, {} refused) |",
            think.as_secs(),
            at(0.99),
            at(0.5),
            at(1.0),
            latencies.len(),
            phase.refused
        ));
        rows.push(format!(
            "| same: chats completed (classify, JQL, Jira search, answer) | — | {:.0} per second |",
            phase.completed as f64 / phase.elapsed
        ));
    }

    // Memory of conversations waiting for confirmation.
    let pid = child.id();
    let before = status_kb(pid, "VmRSS:");
    let mut senders = Vec::new();
    for n in 0..CLIENTS {
        let (client, base) = (client.clone(), base.clone());
        senders.push(tokio::spawn(async move {
            let mut tasks = Vec::new();
            for i in (n..WAITING).step_by(CLIENTS) {
                let user = format!("waiting-{i}@example.com");
                if let Some((task, _)) = send(&client, &base, &user, CREATE).await {
                    wait_for(&client, &base, &task, &["waiting_confirmation"]).await;
                    tasks.push(task);
                }
            }
            tasks
        }));
    }
    let mut waiting = 0;
    for sender in senders {
        waiting += sender.await.map(|tasks| tasks.len()).unwrap_or(0);
    }
    let after = status_kb(pid, "VmRSS:");
    rows.push(format!(
        "| resident memory added by {WAITING} conversations waiting for confirmation | ≤ 5 MB | {:.1} MB ({waiting} waiting; {:.1} → {:.1} MB) |",
        (after as f64 - before as f64) / 1024.0,
        before as f64 / 1024.0,
        after as f64 / 1024.0
    ));
    assert!(
        sandbox.write_log().is_empty(),
        "nothing is written without confirmation"
    );
    stop_child(child);
    sandbox.shutdown().await.ok();
    rows
}

/// What one send phase saw.
struct Phase {
    latencies: Vec<Duration>,
    completed: u64,
    refused: u64,
    elapsed: f64,
}

/// [`CLIENTS`] clients for [`SECONDS`]: send, poll until completed, pause `think`, again.
async fn send_phase(client: &reqwest::Client, base: &str, think: Duration) -> Phase {
    let stop = Arc::new(AtomicBool::new(false));
    let completed = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut clients = Vec::new();
    for n in 0..CLIENTS {
        let (client, base, stop, completed, refused) = (
            client.clone(),
            base.to_owned(),
            stop.clone(),
            completed.clone(),
            refused.clone(),
        );
        clients.push(tokio::spawn(async move {
            let user = format!("user-{n}-{}@example.com", think.as_millis());
            let mut latencies = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                match send(&client, &base, &user, SEARCH).await {
                    Some((task, took)) => {
                        latencies.push(took);
                        wait_for(&client, &base, &task, &["completed"]).await;
                        completed.fetch_add(1, Ordering::Relaxed);
                    }
                    None => {
                        refused.fetch_add(1, Ordering::Relaxed);
                    }
                }
                tokio::time::sleep(think).await;
            }
            latencies
        }));
    }
    tokio::time::sleep(Duration::from_secs(SECONDS)).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for client in clients {
        latencies.extend(client.await.unwrap_or_default());
    }
    Phase {
        latencies,
        completed: completed.load(Ordering::Relaxed),
        refused: refused.load(Ordering::Relaxed),
        elapsed: started.elapsed().as_secs_f64(),
    }
}

/// Sends a message; the task id and how long the send took, or `None` when refused.
async fn send(
    client: &reqwest::Client,
    base: &str,
    user: &str,
    message: &str,
) -> Option<(String, Duration)> {
    let began = Instant::now();
    let response = client
        .post(format!("{base}/chat/send"))
        .json(&json!({"message": message, "user_id": user}))
        .send()
        .await
        .ok()?;
    let took = began.elapsed();
    if response.status() != 202 {
        return None;
    }
    let body: Value = response.json().await.ok()?;
    Some((body["task_id"].as_str()?.to_owned(), took))
}

/// Polls a task until its status is one of `statuses` (a bench client's loop, not a test).
async fn wait_for(client: &reqwest::Client, base: &str, task: &str, statuses: &[&str]) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if let Ok(response) = client
            .get(format!("{base}/chat/result/{task}"))
            .send()
            .await
            && let Ok(body) = response.json::<Value>().await
        {
            let status = body["status"].as_str().unwrap_or_default();
            if statuses.contains(&status) {
                return;
            }
            assert_ne!(status, "failed", "the chat failed: {body}");
        }
        tokio::time::sleep(POLL).await;
    }
    panic!("task {task} did not reach {statuses:?}");
}

fn serve(sandbox: &sandbox::SandboxHandle, dir: &std::path::Path) -> (Child, u16) {
    let port = free_port();
    let child = serve_command(sandbox, dir, port)
        .env("JIRA_REQUESTS_PER_SECOND", "1000")
        .spawn()
        .expect("spawn the planwright binary");
    (child, port)
}
