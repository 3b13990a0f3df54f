//! The write log: every mutating request the sandbox received (method, path, body, time and
//! the status it was answered with), so tests can assert that a preview wrote nothing or that a
//! retried job wrote once.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::Value;
use tokio::sync::Notify;

use crate::state::SandboxState;

/// Largest request body the sandbox accepts (Confluence's create limit is 5 MB).
pub(crate) const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// One mutating request.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteRecord {
    pub method: String,
    /// Path with query string.
    pub path: String,
    /// The body parsed as JSON, or as a JSON string when it is not JSON; `None` when empty.
    pub body: Option<Value>,
    pub time: DateTime<Utc>,
    /// The status the sandbox answered with.
    pub status: u16,
}

/// Shared, append-only log of mutating requests.
#[derive(Debug, Clone, Default)]
pub struct WriteLog {
    records: Arc<Mutex<Vec<WriteRecord>>>,
    appended: Arc<Notify>,
}

impl WriteLog {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<WriteRecord>> {
        self.records.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every record so far, oldest first.
    pub fn entries(&self) -> Vec<WriteRecord> {
        self.lock().clone()
    }

    /// Records whose status was 2xx (writes that took effect).
    pub fn successful(&self) -> Vec<WriteRecord> {
        self.lock()
            .iter()
            .filter(|r| (200..300).contains(&r.status))
            .cloned()
            .collect()
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Forgets every record (e.g. after seeding through the API).
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn push(&self, record: WriteRecord) {
        self.lock().push(record);
        self.appended.notify_waiters();
    }

    /// Waits until `condition` holds for the records, or `timeout` passes; returns whether it
    /// held. For tests whose writes come from background work (a job worker, a webhook
    /// handler): wait on the outcome instead of sleeping.
    pub async fn wait_for(
        &self,
        timeout: Duration,
        condition: impl Fn(&[WriteRecord]) -> bool,
    ) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Register for the next append before checking, so none slips in between.
            let appended = self.appended.notified();
            tokio::pin!(appended);
            appended.as_mut().enable();
            if condition(&self.lock()) {
                return true;
            }
            if tokio::time::timeout_at(deadline, appended).await.is_err() {
                return condition(&self.lock());
            }
        }
    }
}

/// POSTs that read rather than write; they are not logged.
fn is_read_post(path: &str) -> bool {
    matches!(
        crate::jira::wiki::platform_suffix(path),
        Some("/search/jql" | "/search/approximate-count" | "/issue/bulkfetch" | "/jql/parse")
    )
}

/// Middleware: records mutating requests with the status they got.
pub(crate) async fn record(
    State(state): State<SandboxState>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    if matches!(method, Method::GET | Method::HEAD | Method::OPTIONS)
        || is_read_post(request.uri().path())
    {
        return next.run(request).await;
    }
    let path = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| request.uri().path().to_string());
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "Request body too large").into_response();
    };
    let body_value = if bytes.is_empty() {
        None
    } else {
        Some(
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned())),
        )
    };
    let time = Utc::now();
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    state.write_log().push(WriteRecord {
        method: method.to_string(),
        path,
        body: body_value,
        time,
        status: response.status().as_u16(),
    });
    response
}
