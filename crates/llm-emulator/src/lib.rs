//! An emulator of the OpenAI, Anthropic and Gemini HTTP APIs, for tests and the sandbox.
//!
//! [`router`] serves OpenAI chat completions under `/openai/v1` (with streaming SSE and tool
//! calls), Anthropic messages under `/anthropic/v1` and Gemini generateContent under
//! `/gemini/v1beta`, close enough to the real wire formats that the official SDKs work against it.
//! Answers come from a queue of [`Scripted`] entries a test pushes, or, when the queue is empty,
//! from rules: a schema-valid answer for the request's response schema (the offline generator's
//! answer for a Planwright task, else a minimal instance). Faults (429 with retry-after, 529, 500,
//! malformed JSON, truncation, quota, auth…) are scripted the same way. Every request is logged so
//! tests can assert what was sent.

mod anthropic;
mod exchange;
mod gemini;
mod instance;
mod openai;
mod script;

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::HeaderMap;
use serde_json::Value;
use tokio::sync::watch;

pub use script::{Fault, Scripted};

use exchange::Exchange;
use script::Reply;

/// Which API a request used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    OpenAi,
    Anthropic,
    Gemini,
}

/// One request as received.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedRequest {
    pub protocol: Protocol,
    /// Path below the protocol prefix, e.g. `/chat/completions`.
    pub path: String,
    pub query: Option<String>,
    /// Lower-case header names.
    pub headers: BTreeMap<String, String>,
    pub body: Value,
}

/// Requests kept in the log; older ones are dropped so a long-running sandbox stays bounded.
pub const MAX_LOGGED: usize = 10_000;

/// Shared, cloneable emulator state: the script, the request log and the settings.
#[derive(Clone)]
pub struct EmulatorState {
    inner: Arc<Inner>,
}

struct Inner {
    script: Mutex<VecDeque<Scripted>>,
    log: Mutex<VecDeque<LoggedRequest>>,
    logged: watch::Sender<usize>,
    latency: Mutex<Duration>,
    api_key: Mutex<Option<String>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    ids: AtomicU64,
}

impl Default for EmulatorState {
    fn default() -> Self {
        EmulatorState::new()
    }
}

impl std::fmt::Debug for EmulatorState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorState")
            .field("queued", &self.inner.script.lock().expect("lock").len())
            .field("requests", &self.inner.log.lock().expect("lock").len())
            .finish()
    }
}

impl EmulatorState {
    pub fn new() -> EmulatorState {
        EmulatorState {
            inner: Arc::new(Inner {
                script: Mutex::new(VecDeque::new()),
                log: Mutex::new(VecDeque::new()),
                logged: watch::Sender::new(0),
                latency: Mutex::new(Duration::ZERO),
                api_key: Mutex::new(None),
                in_flight: AtomicUsize::new(0),
                max_in_flight: AtomicUsize::new(0),
                ids: AtomicU64::new(0),
            }),
        }
    }

    /// Every answer waits this long first.
    pub fn set_latency(&self, latency: Duration) {
        *self.inner.latency.lock().expect("lock") = latency;
    }

    /// Requires this key (Bearer, `x-api-key`, `x-goog-api-key` or `?key=`) from now on; a call
    /// without it gets the provider's own authentication error: OpenAI and Anthropic HTTP 401,
    /// Gemini HTTP 400 `API_KEY_INVALID` for a wrong key and 403 `PERMISSION_DENIED` for none.
    /// Calling it again replaces the key, as a provider does when a key is rotated.
    pub fn require_api_key(&self, key: impl Into<String>) {
        *self.inner.api_key.lock().expect("lock") = Some(key.into());
    }

    /// Accepts any key (or none) again, as after [`EmulatorState::new`].
    pub fn accept_any_api_key(&self) {
        *self.inner.api_key.lock().expect("lock") = None;
    }

    /// Queues an answer or fault for the next request.
    pub fn push(&self, entry: Scripted) {
        self.inner.script.lock().expect("lock").push_back(entry);
    }

    /// Queues a fault for the next request.
    pub fn push_fault(&self, fault: Fault) {
        self.push(Scripted::Fault(fault));
    }

    /// Entries not consumed yet.
    pub fn queued(&self) -> usize {
        self.inner.script.lock().expect("lock").len()
    }

    /// The requests received so far, in order (the latest [`MAX_LOGGED`] of them).
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.inner
            .log
            .lock()
            .expect("lock")
            .iter()
            .cloned()
            .collect()
    }

    /// Waits until at least `count` requests were received in total, up to `deadline`; returns
    /// whether they were.
    pub async fn wait_for_requests(&self, count: usize, deadline: Duration) -> bool {
        let mut receiver = self.inner.logged.subscribe();
        tokio::time::timeout(deadline, receiver.wait_for(|n| *n >= count))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// The most requests that were being answered at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.inner.max_in_flight.load(Ordering::SeqCst)
    }

    fn next_id(&self) -> u64 {
        self.inner.ids.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn log(&self, request: LoggedRequest) {
        let mut log = self.inner.log.lock().expect("lock");
        if log.len() == MAX_LOGGED {
            log.pop_front();
        }
        log.push_back(request);
        drop(log);
        self.inner.logged.send_modify(|count| *count += 1);
    }

    fn authorized(&self, headers: &HeaderMap, query: Option<&str>) -> Result<(), Denied> {
        let Some(expected) = self.inner.api_key.lock().expect("lock").clone() else {
            return Ok(());
        };
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let bearer = header("authorization").and_then(|v| v.strip_prefix("Bearer "));
        let in_query = query.and_then(|q| {
            q.split('&')
                .find_map(|pair| pair.strip_prefix("key="))
                .map(str::to_owned)
        });
        let given: Vec<String> = [
            bearer.map(str::to_owned),
            header("x-api-key").map(str::to_owned),
            header("x-goog-api-key").map(str::to_owned),
            in_query,
        ]
        .into_iter()
        .flatten()
        .collect();
        if given.contains(&expected) {
            Ok(())
        } else if given.is_empty() {
            Err(Denied::Missing)
        } else {
            Err(Denied::Wrong)
        }
    }

    /// Logs the request, counts it in flight, checks the key and waits the latency. Returns the
    /// in-flight guard, or why the key was refused.
    async fn admit(
        &self,
        protocol: Protocol,
        path: String,
        query: Option<String>,
        headers: &HeaderMap,
        body: Value,
    ) -> Result<InFlight, Denied> {
        let guard = InFlight::enter(self);
        self.log(LoggedRequest {
            protocol,
            path,
            query: query.clone(),
            headers: headers
                .iter()
                .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
                .collect(),
            body,
        });
        self.authorized(headers, query.as_deref())?;
        let latency = *self.inner.latency.lock().expect("lock");
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        Ok(guard)
    }

    /// The scripted entry for this request, or the rule-based answer.
    fn reply(&self, exchange: &Exchange) -> Reply {
        let next = self.inner.script.lock().expect("lock").pop_front();
        match next {
            Some(Scripted::Text(text)) => Reply::Text {
                text,
                truncated: false,
            },
            Some(Scripted::Json(value)) => Reply::Text {
                text: value.to_string(),
                truncated: false,
            },
            Some(Scripted::ToolCall { name, arguments }) => Reply::ToolCall { name, arguments },
            Some(Scripted::Refusal(text)) => Reply::Refusal(text),
            Some(Scripted::Fault(Fault::Truncated)) => {
                let full = match exchange.rule_reply() {
                    Reply::Text { text, .. } => text,
                    Reply::ToolCall { arguments, .. } => arguments.to_string(),
                    Reply::Refusal(_) | Reply::Fault(_) => String::new(),
                };
                let half: String = full.chars().take(full.chars().count() / 2).collect();
                Reply::Text {
                    text: half,
                    truncated: true,
                }
            }
            Some(Scripted::Fault(fault)) => Reply::Fault(fault),
            None => exchange.rule_reply(),
        }
    }
}

/// Why [`EmulatorState::require_api_key`] refused a request; providers answer the two differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Denied {
    /// No key in any of the places a key may be sent.
    Missing,
    /// A key, but not the required one.
    Wrong,
}

/// Counts a request in flight until dropped.
struct InFlight {
    state: EmulatorState,
}

impl InFlight {
    fn enter(state: &EmulatorState) -> InFlight {
        let now = state.inner.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        state.inner.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight {
            state: state.clone(),
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.state.inner.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How long a [`Fault::Hang`] waits: longer than any test or client timeout.
const HANG: Duration = Duration::from_secs(3600);

/// The emulator's routes, to mount in the sandbox or serve alone.
pub fn router(state: EmulatorState) -> Router {
    Router::new()
        .nest("/openai/v1", openai::routes())
        .nest("/anthropic/v1", anthropic::routes())
        .nest("/gemini/v1beta", gemini::routes())
        .with_state(state)
}

/// A running standalone emulator.
#[derive(Debug)]
pub struct RunningEmulator {
    pub addr: SocketAddr,
    pub state: EmulatorState,
    task: tokio::task::JoinHandle<()>,
}

impl RunningEmulator {
    /// Base URL of the OpenAI API (`…/openai/v1`).
    pub fn openai_url(&self) -> String {
        format!("http://{}/openai/v1", self.addr)
    }

    /// Base URL of the Anthropic API (`…/anthropic/v1`).
    pub fn anthropic_url(&self) -> String {
        format!("http://{}/anthropic/v1", self.addr)
    }

    /// Base URL of the Gemini API (`…/gemini/v1beta`).
    pub fn gemini_url(&self) -> String {
        format!("http://{}/gemini/v1beta", self.addr)
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves the emulator on 127.0.0.1 on a random port until the returned value is dropped.
pub async fn spawn(state: EmulatorState) -> std::io::Result<RunningEmulator> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = router(state.clone());
    let task = tokio::spawn(async move {
        // The server only stops when the test drops it (abort), so its result has no reader.
        let _ = axum::serve(listener, app).await;
    });
    Ok(RunningEmulator { addr, state, task })
}

/// Token count the emulator reports: a quarter of the characters, rounded up.
fn tokens(chars: usize) -> u64 {
    (chars as u64).div_ceil(4)
}
