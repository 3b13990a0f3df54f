//! The product's own work, measured end to end on the optimised binary against the sandbox
//! (Jira, Confluence and an OpenAI-compatible model emulator on loopback, in this process):
//!
//! - `POST /generate/single` previews from 64 concurrent clients, model latency 200 ms;
//! - `POST /generate/batch` of 1,000 tickets with `update_jira=true`, model latency 200 ms,
//!   16 tickets at a time, the sandbox limited to 100 requests/s and injecting 429s: time against
//!   the ideal, failed tickets, duplicate writes, and the peak resident memory of `serve`;
//! - `POST /plan/tasks/team-based` for one story with the offline generator: latency.
//!
//! Run: `cargo bench -p planwright --bench features`. Prints a markdown table: metric | target |
//! measured. The serve process runs the configuration of the README's quick start plus what an
//! operator sets for such a site: the model provider (`OPENAI_BASE_URL`, `LLM_MAX_CONCURRENCY`),
//! the Jira pacing (`JIRA_REQUESTS_PER_SECOND`) and `WORKER_BATCH_CONCURRENCY`.

use std::collections::BTreeMap;
mod support;

use std::process::Child;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sandbox::{FaultConfig, RateLimitReason, Sandbox, Seed};
use serde_json::{Value, json};
use support::{free_port, serve_command, status_kb, stop_child, wait_for_health};

const TICKETS: usize = 1000;
const MODEL_LATENCY: Duration = Duration::from_millis(200);
const CLIENTS: usize = 64;
const SINGLE_SECONDS: u64 = 10;
const BATCH_CONCURRENCY: usize = 16;
const SITE_RATE: f64 = 100.0;
const TEAM_RUNS: usize = 100;

/// Summaries shaped like a real backlog, so the offline generator does real work.
const SUMMARIES: [&str; 8] = [
    "Add CSV export to the orders page",
    "Login button does nothing on Safari",
    "Rotate the TLS certificates of the payment gateway",
    "Show the processor's decline reason next to the card field",
    "Audit log for patient record access",
    "Dark mode toggle in account settings",
    "Send a security e-mail when the password changes",
    "Search orders by customer e-mail",
];

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let mut rows = Vec::new();
    runtime.block_on(async {
        single_previews(&mut rows).await;
        batch_write(&mut rows).await;
    });
    println!("| metric | target | measured |");
    println!("|---|---|---|");
    for row in rows {
        println!("{row}");
    }
}

async fn sandbox_with_tickets() -> sandbox::SandboxHandle {
    let sandbox = Sandbox::builder()
        .seed(Seed::Demo)
        .start()
        .await
        .expect("the sandbox starts");
    for n in 0..TICKETS {
        let summary = format!("{} ({n})", SUMMARIES[n % SUMMARIES.len()]);
        sandbox
            .state()
            .create_issue(sandbox::NewIssue::new("DEMO", "Task", &summary).labels(["bench"]))
            .expect("a bench ticket");
    }
    sandbox.llm().set_latency(MODEL_LATENCY);
    sandbox
}

fn serve(sandbox: &sandbox::SandboxHandle, dir: &std::path::Path, jira_rate: f64) -> (Child, u16) {
    let port = free_port();
    let account = sandbox.credentials().default_account();
    let child = serve_command(sandbox, dir, port)
        .env("CONFLUENCE_SERVER_URL", sandbox.base_url())
        .env("CONFLUENCE_USERNAME", &account.email)
        .env("CONFLUENCE_API_TOKEN", sandbox::DEFAULT_API_TOKEN)
        .env("JIRA_REQUESTS_PER_SECOND", jira_rate.to_string())
        .env("LLM_PROVIDER", "openai")
        .env("OPENAI_API_KEY", "bench-key")
        .env("OPENAI_BASE_URL", sandbox.openai_url())
        .env("LLM_MAX_CONCURRENCY", CLIENTS.to_string())
        .env("WORKER_BATCH_CONCURRENCY", BATCH_CONCURRENCY.to_string())
        .spawn()
        .expect("spawn the planwright binary");
    (child, port)
}

async fn single_previews(rows: &mut Vec<String>) {
    let sandbox = sandbox_with_tickets().await;
    let dir = tempfile::tempdir().expect("a temp dir");
    // No site limit here: the pacing is set well above what 64 clients need.
    let (child, port) = serve(&sandbox, dir.path(), 1000.0);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .expect("a client");
    wait_for_health(&client, port).await;
    let url = format!("http://127.0.0.1:{port}/generate/single");
    // Warm-up: field list, link types, connection pools.
    let warm = client
        .post(&url)
        .json(&json!({"ticket_key": "DEMO-20"}))
        .send()
        .await;
    assert!(
        warm.is_ok_and(|r| r.status().is_success()),
        "a preview works"
    );
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let model_calls = Arc::new(AtomicU64::new(0));
    let first_key = 20; // the demo dataset's own issues come first
    // CPU seconds of `serve` and of this process (sandbox, model emulator, clients), so a rate
    // below the ideal can be told apart: CPU-bound (the two add up to the cores) or waiting.
    let serve_pid = child.id();
    let (serve_cpu_before, bench_cpu_before) = (cpu_seconds(Some(serve_pid)), cpu_seconds(None));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..CLIENTS {
        let (client, url, stop, done, failed, model_calls) = (
            client.clone(),
            url.clone(),
            stop.clone(),
            done.clone(),
            failed.clone(),
            model_calls.clone(),
        );
        tasks.push(tokio::spawn(async move {
            // Each client cycles through its own tickets: two requests for one ticket at the same
            // time would rightly be a 409.
            let own = TICKETS / CLIENTS;
            let mut n = 0;
            let mut latencies = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let key = format!("DEMO-{}", first_key + worker * own + n % own);
                n += 1;
                let began = Instant::now();
                match client
                    .post(&url)
                    .json(&json!({"ticket_key": key}))
                    .send()
                    .await
                {
                    Ok(response) if response.status().is_success() => {
                        let answer: Value = response.json().await.unwrap_or(Value::Null);
                        let calls = answer["usage"]["calls"].as_u64().unwrap_or(0);
                        model_calls.fetch_add(calls, Ordering::Relaxed);
                        done.fetch_add(1, Ordering::Relaxed);
                        latencies.push(began.elapsed());
                    }
                    _ => {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            latencies
        }));
    }
    tokio::time::sleep(Duration::from_secs(SINGLE_SECONDS)).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap_or_default());
    }
    latencies.sort();
    let latency = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let elapsed = started.elapsed().as_secs_f64();
    let requests = done.load(Ordering::Relaxed).max(1) as f64;
    let serve_cpu = cpu_seconds(Some(serve_pid)) - serve_cpu_before;
    let bench_cpu = cpu_seconds(None) - bench_cpu_before;
    let rate = done.load(Ordering::Relaxed) as f64 / elapsed;
    let ideal = CLIENTS as f64 / MODEL_LATENCY.as_secs_f64();
    rows.push(format!(
        "| `POST /generate/single` preview, {CLIENTS} clients, model latency 200 ms | ≥ 90 % of {ideal:.0} req/s | {rate:.0} req/s ({:.0} %), {} failed, writes {} |",
        rate / ideal * 100.0,
        failed.load(Ordering::Relaxed),
        sandbox.write_log().len()
    ));
    rows.push(format!(
        "| same previews: CPU per request of `serve` / of the sandbox, emulator and clients | — | {:.2} ms / {:.2} ms ({:.0} % of 2 cores busy) |",
        serve_cpu / requests * 1000.0,
        bench_cpu / requests * 1000.0,
        (serve_cpu + bench_cpu) / elapsed / 2.0 * 100.0
    ));
    rows.push(format!(
        "| same previews: latency p50 / p90 / p99 / max (the model alone takes 200 ms); model calls per request | — | {:.0} / {:.0} / {:.0} / {:.0} ms; {:.2} |",
        latency(0.5),
        latency(0.9),
        latency(0.99),
        latency(1.0),
        model_calls.load(Ordering::Relaxed) as f64 / requests
    ));
    // Team tasks for a story with the offline generator, one request at a time.
    let url = format!("http://127.0.0.1:{port}/plan/tasks/team-based");
    let body = json!({"story_keys": ["DEMO-5"], "llm_provider": "offline"});
    let mut times = Vec::with_capacity(TEAM_RUNS);
    for _ in 0..TEAM_RUNS {
        let began = Instant::now();
        let response = client
            .post(&url)
            .json(&body)
            .send()
            .await
            .expect("answered");
        assert!(response.status().is_success(), "team-based planning works");
        let _ = response.bytes().await;
        times.push(began.elapsed());
    }
    times.sort();
    rows.push(format!(
        "| `POST /plan/tasks/team-based` for a story, offline provider, end to end (p50 of {TEAM_RUNS}) | ≤ 10 ms | {:.1} ms (p90 {:.1} ms) |",
        times[TEAM_RUNS / 2].as_secs_f64() * 1000.0,
        times[TEAM_RUNS * 9 / 10].as_secs_f64() * 1000.0
    ));
    stop_child(child);
    sandbox.shutdown().await.ok();
}

async fn batch_write(rows: &mut Vec<String>) {
    let sandbox = sandbox_with_tickets().await;
    sandbox.faults().set(
        FaultConfig::none()
            .requests_per_second(SITE_RATE)
            .rate_limit_rate(0.01, RateLimitReason::Burst, 1)
            .seed(7),
    );
    let dir = tempfile::tempdir().expect("a temp dir");
    let (child, port) = serve(&sandbox, dir.path(), SITE_RATE);
    let pid = child.id();
    let client = reqwest::Client::new();
    wait_for_health(&client, port).await;
    let started = Instant::now();
    let accepted: Value = client
        .post(format!("http://127.0.0.1:{port}/generate/batch"))
        .json(&json!({"jql": "project = DEMO AND labels = bench", "max_results": TICKETS, "update_jira": true}))
        .send()
        .await
        .expect("the batch is accepted")
        .json()
        .await
        .expect("JSON");
    let job_url = format!(
        "http://127.0.0.1:{port}/jobs/{}",
        accepted["job_id"].as_str().expect("a job id")
    );
    let mut peak_kb = 0u64;
    let job = loop {
        peak_kb = peak_kb.max(status_kb(pid, "VmHWM:"));
        let job: Value = client
            .get(&job_url)
            .send()
            .await
            .expect("status")
            .json()
            .await
            .expect("JSON");
        if matches!(
            job["status"].as_str(),
            Some("completed" | "failed" | "cancelled")
        ) {
            break job;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let elapsed = started.elapsed().as_secs_f64();
    peak_kb = peak_kb.max(status_kb(pid, "VmHWM:"));
    let mut puts: BTreeMap<String, u32> = BTreeMap::new();
    for record in sandbox.write_log().successful() {
        if record.method == "PUT" {
            *puts.entry(record.path.clone()).or_default() += 1;
        }
    }
    let duplicates = puts.values().filter(|n| **n > 1).count();
    // The ideal: the larger of the model's share (every ticket waits 200 ms, 16 at a time) and
    // Jira's (one write per ticket plus the search pages, at the site's rate).
    let model_bound = TICKETS as f64 * MODEL_LATENCY.as_secs_f64() / BATCH_CONCURRENCY as f64;
    let jira_bound = (TICKETS as f64 + (TICKETS as f64 / 100.0).ceil()) / SITE_RATE;
    let ideal = model_bound.max(jira_bound);
    // Each injected 429 asks the whole site to wait its Retry-After (1 s) before the next request;
    // an ideal client obeys that too.
    let demanded = sandbox.faults().injected_count() as f64;
    let ideal_obeying = model_bound.max(jira_bound + demanded);
    rows.push(format!(
        "| `POST /generate/batch`, {TICKETS} tickets, `update_jira`, model 200 ms, 16 at a time, site 100 req/s with 429s: time | ≤ 1.15 × ideal | {elapsed:.1} s: {:.2} × the ideal with no 429 ({ideal:.1} s), {:.2} × the ideal that waits the {demanded:.0} s of `Retry-After` the site demanded ({ideal_obeying:.1} s); status {} |",
        elapsed / ideal,
        elapsed / ideal_obeying,
        job["status"]
    ));
    rows.push(format!(
        "| same batch: failed tickets, duplicate writes, 429s injected | 0, 0 | {}, {duplicates}, {} ({} tickets written) |",
        job["failed_tickets"],
        sandbox.faults().injected_count(),
        puts.len()
    ));
    rows.push(format!(
        "| same batch: peak resident memory of `serve` (VmHWM) | ≤ 100 MB | {:.1} MB |",
        peak_kb as f64 / 1024.0
    ));
    stop_child(child);
    sandbox.shutdown().await.ok();
}

/// User plus system CPU seconds of process `pid` (this process when `None`), from `/proc`.
fn cpu_seconds(pid: Option<u32>) -> f64 {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/stat"),
        None => "/proc/self/stat".to_owned(),
    };
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at the last ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i)?.parse::<f64>().ok())
        .sum();
    ticks / 100.0 // USER_HZ is 100 on Linux
}
