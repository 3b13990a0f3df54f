//! Chaos: one worker process loses the database for longer than its lease while it runs jobs that
//! create Jira issues. Its connections go through a TCP proxy that the test pauses (PostgreSQL
//! itself is shared with the rest of the suite and is never stopped). A second worker takes the
//! jobs over; then the first worker's database comes back. Afterwards every job has finished once
//! and every issue exists exactly once: the lapsed run was fenced out of every write
//! (ARCHITECTURE.md, "A run that lost its lease cannot write"; docs/exactly-once.md).

mod support;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

const JOBS: usize = 3;
const TASKS: usize = 8;

/// A TCP proxy whose traffic can be frozen: while paused, no byte moves in either direction and
/// new connections wait, exactly like a network partition that drops nothing.
struct PausableProxy {
    addr: SocketAddr,
    paused: watch::Sender<bool>,
}

impl PausableProxy {
    async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let addr = listener.local_addr().expect("bound");
        let (paused, _) = watch::channel(false);
        let gate = paused.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let gate = gate.subscribe();
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    let mut open = gate.clone();
                    wait_open(&mut open).await;
                    let Ok(server) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let (client_read, client_write) = client.into_split();
                    let (server_read, server_write) = server.into_split();
                    tokio::join!(
                        pump(client_read, server_write, gate.clone()),
                        pump(server_read, client_write, gate),
                    );
                });
            }
        });
        Self { addr, paused }
    }

    fn set_paused(&self, paused: bool) {
        self.paused.send_replace(paused);
    }
}

async fn wait_open(gate: &mut watch::Receiver<bool>) {
    // An error means the proxy is gone; then nothing is held back any more.
    let _ = gate.wait_for(|paused| !paused).await;
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut gate: watch::Receiver<bool>,
) {
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        wait_open(&mut gate).await;
        if to.write_all(&buffer[..read]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

/// The `host:port` the database URL points at.
fn upstream_of(url: &str) -> String {
    let parsed = url::Url::parse(url).expect("a database URL");
    format!(
        "{}:{}",
        parsed.host_str().expect("a host"),
        parsed.port().unwrap_or(5432)
    )
}

/// The database URL with its host and port replaced by the proxy's.
fn through(url: &str, proxy: SocketAddr) -> String {
    let mut parsed = url::Url::parse(url).expect("a database URL");
    parsed.set_host(Some("127.0.0.1")).expect("a host");
    parsed.set_port(Some(proxy.port())).expect("a port");
    parsed.to_string()
}

/// The tasks of job `job` (1-based), under a story of its own: jobs on one story would be
/// refused as duplicates (409) while another is active.
/// Every link the sandbox accepted, by (type, inward, outward), with how often it was sent.
fn created_links(sandbox: &sandbox::SandboxHandle) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for record in sandbox.write_log().successful() {
        if record.method == "POST" && record.path.ends_with("/rest/api/3/issueLink") {
            let body = record.body.clone().unwrap_or_default();
            let link = format!(
                "{} {} {}",
                body["type"]["name"], body["inwardIssue"]["key"], body["outwardIssue"]["key"]
            );
            *counts.entry(link).or_default() += 1;
        }
    }
    counts
}

fn tasks_of(job: usize) -> Vec<Value> {
    let story = ["DEMO-4", "DEMO-5", "DEMO-6"][job - 1];
    (1..=TASKS)
        .map(|n| {
            json!({
                "task_id": format!("task_{n}"),
                "summary": format!("[BE] Chaos job {job} task {n}"),
                "description": format!("Part {n} of chaos job {job}."),
                "story_key": story,
                "blocks": if n > 1 { vec![format!("task_{}", n - 1)] } else { Vec::new() },
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_cut_off_from_the_database_past_its_lease_never_doubles_a_write() {
    let Some(db) = TestDatabase::postgres().await.expect("the test database") else {
        eprintln!("skipped: set PLANWRIGHT_TEST_POSTGRES_URL to run the chaos test");
        return;
    };
    let proxy = PausableProxy::start(upstream_of(db.url())).await;
    let proxied_url = through(db.url(), proxy.addr);

    let sandbox = sandbox::Sandbox::builder()
        .seed(sandbox::Seed::Demo)
        .start()
        .await
        .expect("the sandbox starts");
    // Slow Jira down so the partition lands in the middle of the jobs.
    sandbox.faults().set_latency(Duration::from_millis(80));
    let account = sandbox.credentials().default_account();
    let base = sandbox.base_url();
    let env = [
        ("JIRA_SERVER_URL", base.as_str()),
        ("JIRA_USERNAME", account.email.as_str()),
        ("JIRA_API_TOKEN", sandbox::DEFAULT_API_TOKEN),
        ("JIRA_REQUESTS_PER_SECOND", "1000"),
        ("WORKER_LEASE_SECS", "2"),
        ("WORKER_SHUTDOWN_GRACE", "5"),
    ];
    let server = Server::start(db.url(), &["--no-worker"], &env);
    let mut cut_off = Worker::start(&proxied_url, &env);

    let mut job_ids = Vec::new();
    for job in 1..=JOBS {
        let response = server
            .http
            .post(server.at("/jira/bulk-create-tasks"))
            .json(&json!({"tasks": tasks_of(job), "create_tickets": true, "async_mode": true}))
            .send()
            .await
            .expect("the request is answered");
        assert_eq!(response.status(), 200);
        let accepted: Value = response.json().await.expect("JSON");
        job_ids.push(accepted["job_id"].as_str().expect("a job id").to_owned());
    }

    // Partition the first worker once it has created some, but not all, issues.
    let deadline = Instant::now() + DEADLINE;
    while created_summaries(&sandbox).len() < 3 {
        assert!(
            Instant::now() < deadline,
            "the first worker never created issues"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    proxy.set_paused(true);
    let before = created_summaries(&sandbox).len();
    assert!(
        before < JOBS * TASKS,
        "the partition came too late to test anything"
    );

    // Another worker takes the jobs over once their leases lapse, and finishes them.
    let mut rescuer = Worker::start(db.url(), &env);
    for id in &job_ids {
        let job = server
            .wait_for_job(id, "completed after the takeover", |j| {
                matches!(status(j), "completed" | "failed")
            })
            .await;
        assert_eq!(status(&job), "completed", "{job}");
    }

    // The first worker's database comes back: its lapsed runs must notice and write nothing.
    proxy.set_paused(false);
    let exit = cut_off.process.terminate();
    assert!(exit.success(), "the cut-off worker exits cleanly: {exit}");
    rescuer.process.terminate();

    let created = created_summaries(&sandbox);
    assert_eq!(created.len(), JOBS * TASKS, "{created:?}");
    let doubled: Vec<_> = created.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubled.is_empty(), "created twice: {doubled:?}");
    // Each task is linked to its story, and each but the first blocks the one before.
    let links = created_links(&sandbox);
    assert_eq!(links.len(), JOBS * (2 * TASKS - 1), "{links:?}");
    let doubled: Vec<_> = links.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubled.is_empty(), "linked twice: {doubled:?}");
    {
        let store = sandbox.state().read();
        for job in 1..=JOBS {
            for n in 1..=TASKS {
                let summary = format!("[BE] Chaos job {job} task {n}");
                let issues = store.issues().filter(|i| i.summary == summary).count();
                assert_eq!(issues, 1, "{summary}");
            }
        }
    }
    // Every job finished once, and at least one was taken over (else nothing was tested).
    let mut taken_over = 0;
    for id in &job_ids {
        let job = server.job(id).await;
        assert_eq!(status(&job), "completed", "{job}");
        let created = job["results"]["created_tickets"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(created, TASKS, "{job}");
        let record = db
            .db()
            .get(id.parse().expect("a job id"))
            .await
            .expect("the database answers")
            .expect("the job exists");
        if record.attempts > 1 {
            taken_over += 1;
        }
    }
    assert!(
        taken_over > 0,
        "no job was taken over from the cut-off worker"
    );
    sandbox.shutdown().await.ok();
    db.cleanup().await;
}
