//! Black-box test harness: the real `planwright` binary as child processes on random ports,
//! against a fresh database per test (SQLite, and PostgreSQL when configured).

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;
pub use store::TestDatabase;

/// How long anything in these tests may take before the test fails instead of hanging.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// A `planwright` child process, killed when dropped.
pub struct Process {
    child: Child,
    pub stderr_log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Process {
    fn spawn(args: &[&str], env: &[(&str, String)], ready_prefix: &str) -> (Self, String) {
        let dir = tempfile::tempdir().unwrap();
        let stderr_log = dir.path().join("stderr.log");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_planwright"));
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("LOG_LEVEL", "warn")
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr_log).unwrap());
        for (key, value) in env {
            cmd.env(key, value);
        }
        let mut child = cmd.spawn().expect("spawn planwright");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut process = Self {
            child,
            stderr_log,
            _dir: dir,
        };
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) if line.starts_with(ready_prefix) => return (process, line),
                Ok(_) => continue,
                Err(_) => {
                    let _ = process.child.kill();
                    panic!(
                        "planwright {args:?} did not print {ready_prefix:?}; stderr:\n{}",
                        process.stderr()
                    );
                }
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_log).unwrap_or_default()
    }

    /// SIGKILL: the process gets no chance to clean up, like a power loss.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, then waits for the exit (failing the test past the deadline).
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "process ignored SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running `planwright serve`.
pub struct Server {
    pub process: Process,
    pub url: String,
    pub http: reqwest::Client,
}

impl Server {
    pub fn start(db_url: &str, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut all_args = vec!["serve", "--port", "0"];
        all_args.extend_from_slice(args);
        let mut all_env = vec![("DATABASE_URL", db_url.to_owned())];
        all_env.extend(env.iter().map(|(k, v)| (*k, (*v).to_owned())));
        let (process, line) = Process::spawn(&all_args, &all_env, "Planwright listening on ");
        let url = line
            .trim_start_matches("Planwright listening on ")
            .trim()
            .to_owned();
        Self {
            process,
            url,
            http: reqwest::Client::new(),
        }
    }

    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let response = self.http.get(self.at(path)).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Submits a probe job through the debug-only route.
    pub async fn submit_probe(&self, body: Value) -> reqwest::Response {
        self.http
            .post(self.at("/debug/probe-jobs"))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Submits a probe job that must be accepted; returns its id.
    pub async fn start_probe(&self, body: Value) -> String {
        let response = self.submit_probe(body).await;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(status, 200, "probe submission refused: {body}");
        body["job_id"].as_str().expect("job_id").to_owned()
    }

    /// Starts a probe job holding `key` that appends its id to a fresh marker file when it
    /// completes, so a test can count completions.
    pub async fn start_marked_probe(&self, key: &str, steps: u64, step_ms: u64) -> MarkedProbe {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("completions.txt");
        let job_id = self
            .start_probe(serde_json::json!({
                "lock_keys": [key], "steps": steps, "step_ms": step_ms,
                "marker_file": marker.display().to_string(),
            }))
            .await;
        MarkedProbe {
            job_id,
            marker,
            _dir: dir,
        }
    }

    pub async fn job(&self, id: &str) -> Value {
        let (status, body) = self.get_json(&format!("/jobs/{id}")).await;
        assert_eq!(status, 200, "GET /jobs/{id}: {body}");
        body
    }

    /// Polls the job until `done` holds for it, failing at the deadline with the last state.
    pub async fn wait_for_job(&self, id: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let job = self.job(id).await;
            if done(&job) {
                return job;
            }
            assert!(
                Instant::now() < deadline,
                "job {id} never {what}; last state: {job}\nserver stderr:\n{}",
                self.process.stderr()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

/// A probe job whose completions are recorded in `marker`.
pub struct MarkedProbe {
    pub job_id: String,
    pub marker: PathBuf,
    _dir: tempfile::TempDir,
}

impl MarkedProbe {
    /// The ids written by completions: exactly `[job_id]` once the job completed once.
    pub fn completions(&self) -> Vec<String> {
        marker_lines(&self.marker)
    }
}

/// A running `planwright worker`.
pub struct Worker {
    pub process: Process,
}

impl Worker {
    pub fn start(db_url: &str, env: &[(&str, &str)]) -> Self {
        let mut all_env = vec![("DATABASE_URL", db_url.to_owned())];
        all_env.extend(env.iter().map(|(k, v)| (*k, (*v).to_owned())));
        let (process, _) = Process::spawn(&["worker"], &all_env, "Planwright worker ");
        Self { process }
    }
}

pub fn status(job: &Value) -> &str {
    job["status"].as_str().unwrap_or_default()
}

pub fn processed(job: &Value) -> u64 {
    job["progress"]["processed"].as_u64().unwrap_or(0)
}

/// The lines of a marker file (absent file: none).
pub fn marker_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Every database these tests run against: SQLite always, PostgreSQL when configured.
pub async fn databases() -> Vec<TestDatabase> {
    TestDatabase::all().await.expect("test database")
}

/// How often the sandbox accepted the creation of an issue, by summary (a count above 1 is a
/// duplicate write).
pub fn created_summaries(
    sandbox: &sandbox::SandboxHandle,
) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for record in sandbox.write_log().successful() {
        if record.method == "POST" && record.path.ends_with("/rest/api/3/issue") {
            let summary = record
                .body
                .as_ref()
                .and_then(|body| body["fields"]["summary"].as_str())
                .unwrap_or_default()
                .to_owned();
            *counts.entry(summary).or_default() += 1;
        }
    }
    counts
}
