//! Client overhead per request, excluding the network: `JiraClient::get_issue` against a local
//! in-process HTTP server, minus a raw reqwest GET of the same bytes from the same server. The
//! difference is what the client adds: URL building, pacing/rate-limit admission, the auth
//! header, the retry loop and typed JSON decoding. Also reported: decoding alone.
//!
//! Run with `cargo bench -p atlassian --bench client_overhead`.

use std::time::{Duration, Instant};

use atlassian::models::Issue;
use atlassian::{AtlassianAuth, JiraClient, Pacing, SiteConfig, TransportConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const ROUNDS: usize = 15;
const PER_ROUND: usize = 200;
const TARGET_OVERHEAD_MICROS: f64 = 50.0;

fn issue_body() -> Vec<u8> {
    let description = serde_json::json!({"type": "doc", "version": 1, "content": (0..10).map(|i| serde_json::json!(
        {"type": "paragraph", "content": [{"type": "text", "text": format!("Paragraph {i} of a realistic description with some words in it.")}]}
    )).collect::<Vec<_>>()});
    serde_json::to_vec(&serde_json::json!({
        "expand": "renderedFields,names,schema", "id": "10002",
        "self": "http://127.0.0.1/rest/api/3/issue/10002", "key": "PW-1",
        "fields": {
            "summary": "Checkout fails for guest users", "description": description,
            "status": {"id": "3", "name": "In Progress", "statusCategory": {"id": 4, "key": "indeterminate", "name": "In Progress"}},
            "issuetype": {"id": "10001", "name": "Story", "subtask": false, "hierarchyLevel": 0},
            "parent": {"id": "10000", "key": "PW-0", "fields": {"summary": "Checkout epic"}},
            "project": {"id": "10000", "key": "PW", "name": "Planwright"},
            "labels": ["checkout", "guest"],
            "assignee": {"accountId": "712020:abc", "displayName": "Ada", "active": true},
            "priority": {"id": "3", "name": "Medium"},
            "issuelinks": [{"id": "1", "type": {"id": "10000", "name": "Blocks", "inward": "is blocked by", "outward": "blocks"},
                            "outwardIssue": {"id": "10003", "key": "PW-2", "fields": {"summary": "Other"}}}],
            "subtasks": [],
            "customfield_10016": 5, "customfield_10020": null,
            "created": "2026-01-17T12:34:00.000+0000", "updated": "2026-01-18T12:34:00.000+0000"
        }
    }))
    .unwrap()
}

/// A minimal keep-alive HTTP/1.1 server answering every GET with `body`.
async fn serve(body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let mut response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(&body);
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let response = response.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::with_capacity(4096);
                let mut chunk = [0u8; 4096];
                loop {
                    let Ok(read) = socket.read(&mut chunk).await else {
                        return;
                    };
                    if read == 0 {
                        return;
                    }
                    buffer.extend_from_slice(&chunk[..read]);
                    while let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                        buffer.drain(..end + 4);
                        if socket.write_all(&response).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    format!("http://{address}")
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    values[values.len() / 2]
}

fn micros_per(elapsed: Duration, n: usize) -> f64 {
    elapsed.as_secs_f64() * 1e6 / n as f64
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let body = issue_body();
    let base = serve(body.clone()).await;
    let raw = reqwest::Client::new();
    let raw_url = format!("{base}/rest/api/3/issue/PW-1");
    let config = TransportConfig {
        // Pacing stays on (at a rate that never waits) so its bookkeeping is measured.
        pacing: Pacing {
            requests_per_second: Some(1_000_000.0),
            burst: 1000,
        },
        ..TransportConfig::default()
    };
    let site = SiteConfig::new(&base, AtlassianAuth::basic("bench@example.com", "token")).unwrap();
    let client = JiraClient::connect(site, config).await.unwrap();

    // Warm up both paths (connection pools, allocator).
    for _ in 0..200 {
        raw.get(&raw_url)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        client.get_issue("PW-1", &[], &[]).await.unwrap();
    }

    let mut raw_rounds = Vec::new();
    let mut client_rounds = Vec::new();
    for _ in 0..ROUNDS {
        let started = Instant::now();
        for _ in 0..PER_ROUND {
            let bytes = raw
                .get(&raw_url)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            std::hint::black_box(bytes);
        }
        raw_rounds.push(micros_per(started.elapsed(), PER_ROUND));
        let started = Instant::now();
        for _ in 0..PER_ROUND {
            let issue = client.get_issue("PW-1", &[], &[]).await.unwrap();
            std::hint::black_box(issue);
        }
        client_rounds.push(micros_per(started.elapsed(), PER_ROUND));
    }
    let raw_median = median(raw_rounds);
    let client_median = median(client_rounds);
    let overhead = (client_median - raw_median).max(0.0);

    let started = Instant::now();
    let decodes = 5000;
    for _ in 0..decodes {
        let issue: Issue = serde_json::from_slice(&body).unwrap();
        std::hint::black_box(issue);
    }
    let decode = micros_per(started.elapsed(), decodes);

    println!("| metric | target | measured |");
    println!("|---|---|---|");
    println!("| raw reqwest GET (baseline, local server) | - | {raw_median:.1} µs |");
    println!("| JiraClient::get_issue (same server) | - | {client_median:.1} µs |");
    println!(
        "| client overhead per request (difference) | <= {TARGET_OVERHEAD_MICROS:.0} µs | {overhead:.1} µs |"
    );
    println!(
        "| typed Issue decode alone ({} byte body) | - | {decode:.1} µs |",
        body.len()
    );
    if overhead > TARGET_OVERHEAD_MICROS {
        println!("\nOVER TARGET: client overhead {overhead:.1} µs > {TARGET_OVERHEAD_MICROS} µs");
    }
}
