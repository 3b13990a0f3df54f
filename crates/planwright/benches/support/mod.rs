//! What the end-to-end benchmarks share: a free loopback port, waiting for `serve` to answer,
//! reading a process's memory, and stopping it as an operator would (SIGTERM).

use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// A loopback port nobody listens on.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a port")
        .local_addr()
        .expect("bound")
        .port()
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
