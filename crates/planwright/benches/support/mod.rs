//! What the end-to-end benchmarks share: starting `serve` against the sandbox on a free loopback
//! port, waiting for it to answer,
//! reading a process's memory, and stopping it as an operator would (SIGTERM).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A loopback port nobody listens on.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a port")
        .local_addr()
        .expect("bound")
        .port()
}

/// `planwright serve` on `port` as an operator starts it against the sandbox's Jira: a fresh
/// SQLite database in `dir`, errors logged only, nothing else from the environment. Benchmarks
/// add their own settings before spawning it.
pub fn serve_command(
    sandbox: &sandbox::SandboxHandle,
    dir: &std::path::Path,
    port: u16,
) -> Command {
    let account = sandbox.credentials().default_account();
    let mut command = Command::new(env!("CARGO_BIN_EXE_planwright"));
    command
        .args(["serve", "--port", &port.to_string()])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.join("bench.db").display()),
        )
        .env("LOG_LEVEL", "error")
        .env("JIRA_SERVER_URL", sandbox.base_url())
        .env("JIRA_USERNAME", &account.email)
        .env("JIRA_API_TOKEN", sandbox::DEFAULT_API_TOKEN)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    command
}

/// Waits (up to 30 s) until `serve` on `port` answers `/health` (200, or 503 while a dependency
/// is still starting).
pub async fn wait_for_health(client: &reqwest::Client, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(response) = client
            .get(format!("http://127.0.0.1:{port}/health"))
            .send()
            .await
            && (response.status().is_success() || response.status().as_u16() == 503)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("serve did not answer /health");
}

/// A `/proc/PID/status` field in kB (`VmRSS:`, `VmHWM:`), 0 when unreadable.
pub fn status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Stops `child` with SIGTERM and waits for it.
pub fn stop_child(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}
