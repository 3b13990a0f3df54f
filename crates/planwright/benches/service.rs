//! The service as an operator meets it, measured on the optimised binary: process start to
//! `/health` answering, idle resident memory, and `GET /jobs/{id}` throughput and latency under
//! 64 connections (load from `wrk`, a separate process) — for the quick start's `serve` (worker
//! included) and, for comparison, the API alone.
//!
//! Run: `cargo bench -p planwright --bench service` (needs `wrk`: `apt-get install wrk`).
//! Prints a markdown table: configuration | metric | target | measured.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const STARTUP_RUNS: usize = 10;

/// The configurations measured: the quick start as the README runs it (the worker in the same
/// process), then the API alone (`--no-worker`), which earlier versions of this benchmark measured
/// and reported as if it were the product.
const CONFIGURATIONS: [(&str, &[&str]); 2] = [
    ("quick start: `serve`", &[]),
    ("`serve --no-worker`", &["--no-worker"]),
];

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    println!("| configuration | metric | target | measured |");
    println!("|---|---|---|---|");
    for (name, args) in CONFIGURATIONS {
        for (metric, target, measured) in measure(&runtime, args) {
            println!("| {name} | {metric} | {target} | {measured} |");
        }
    }
}

/// Start-up, idle memory and `GET /jobs/{id}` load for `serve` with extra `args`.
fn measure(runtime: &tokio::runtime::Runtime, args: &[&str]) -> Vec<(String, String, String)> {
    let mut rows = Vec::new();
    let mut startup = Vec::new();
    let mut idle_rss = 0.0;
    for run in 0..STARTUP_RUNS {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        let port = free_port();
        let began = Instant::now();
        let mut child = serve(&url, port, dir.path(), args);
        wait_for_health(port, &mut child);
        startup.push(began.elapsed());
        if run == 0 {
            // Idle: start-up allocations settled, no requests in flight.
            std::thread::sleep(Duration::from_secs(3));
            idle_rss = rss_mb(child.id());
        }
        stop(child);
    }
    startup.sort();
    rows.push((
        format!("process start → `/health` answers (fresh SQLite, p50 of {STARTUP_RUNS})"),
        "≤ 200 ms".to_owned(),
        format!(
            "{} ms (worst {} ms)",
            startup[STARTUP_RUNS / 2].as_millis(),
            startup[STARTUP_RUNS - 1].as_millis()
        ),
    ));
    rows.push((
        "idle resident memory (VmRSS 3 s after start)".to_owned(),
        "≤ 30 MB".to_owned(),
        format!("{idle_rss:.1} MB"),
    ));

    // GET /jobs/{id} against an existing job of a kind no worker runs, so it stays queued and
    // every request reads the same row, with the worker (if any) polling beside the load.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let job_id = runtime.block_on(async {
        let db = store::Database::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        let job = store::NewJob::new("bench", serde_json::json!({"ticket": "DEMO-1"}))
            .with_ticket_key("DEMO-1")
            .with_lock_keys(["DEMO-1"]);
        let record = db.enqueue(job).await.unwrap();
        db.close().await;
        record.id.to_string()
    });
    let port = free_port();
    let mut child = serve(&url, port, dir.path(), args);
    wait_for_health(port, &mut child);
    match wrk(port, &format!("/jobs/{job_id}")) {
        Ok((rps, p99_ms, non_2xx)) => {
            assert_eq!(non_2xx, 0, "every request must succeed");
            rows.push((
                "`GET /jobs/{id}`, 64 connections, 10 s (SQLite)".to_owned(),
                "≥ 10,000 req/s".to_owned(),
                format!("{rps:.0} req/s"),
            ));
            rows.push((
                "`GET /jobs/{id}` p99 latency, same run".to_owned(),
                "< 10 ms".to_owned(),
                format!("{p99_ms:.2} ms"),
            ));
        }
        Err(why) => rows.push((
            "`GET /jobs/{id}`".to_owned(),
            "≥ 10,000 req/s".to_owned(),
            format!("not run: {why}"),
        )),
    }
    stop(child);
    rows
}

fn serve(db_url: &str, port: u16, dir: &std::path::Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_planwright"))
        .args(["serve", "--port", &port.to_string()])
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DATABASE_URL", db_url)
        // The quick start as a new user runs it: no Jira configured, so `serve` also starts the
        // in-process sandbox with its demo project, and `/health` probes it.
        .env("LOG_LEVEL", "error")
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the planwright binary")
}

fn stop(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Polls `/health` over a raw socket (no client start-up cost in the measurement).
fn wait_for_health(port: u16, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
            let request = "GET /health HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n";
            if stream.write_all(request.as_bytes()).is_ok() {
                let mut response = String::new();
                if stream.read_to_string(&mut response).is_ok()
                    && (response.starts_with("HTTP/1.1 200")
                        || response.starts_with("HTTP/1.1 503"))
                {
                    return;
                }
            }
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "serve exited during start-up"
        );
        assert!(Instant::now() < deadline, "serve did not answer /health");
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Runs wrk; returns (requests/s, p99 ms, non-2xx responses).
fn wrk(port: u16, path: &str) -> Result<(f64, f64, u64), String> {
    let output = Command::new("wrk")
        .args(["-t2", "-c64", "-d10s", "--latency"])
        .arg(format!("http://127.0.0.1:{port}{path}"))
        .output()
        .map_err(|e| format!("wrk is not installed ({e}); apt-get install wrk"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let rps = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("unexpected wrk output: {text}"))?;
    let p99 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .map(|v| parse_latency(v.trim()))
        .ok_or_else(|| format!("no p99 in wrk output: {text}"))?;
    let non_2xx = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Non-2xx or 3xx responses:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    Ok((rps, p99, non_2xx))
}

fn parse_latency(value: &str) -> f64 {
    let (number, factor) = if let Some(v) = value.strip_suffix("us") {
        (v, 0.001)
    } else if let Some(v) = value.strip_suffix("ms") {
        (v, 1.0)
    } else if let Some(v) = value.strip_suffix('s') {
        (v, 1000.0)
    } else {
        (value, 1.0)
    };
    number.parse::<f64>().unwrap_or(f64::NAN) * factor
}
