//! Authentication and permissions as Jira Cloud applies them: Basic `email:api_token` and
//! Bearer tokens, with Jira's 401 answers for missing or wrong credentials and 403 for users who
//! may read but not write.
//!
//! Jira answers a request without credentials with an `ErrorCollection`, and a request with
//! wrong credentials with a plain-text body plus `X-Seraph-LoginReason: AUTHENTICATED_FAILED`;
//! both carry `WWW-Authenticate`. Confluence paths answer in Confluence's v2 error shape.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::jira::wiki::platform_suffix;
use crate::state::{SandboxState, User};

/// Default e-mail of the sandbox user.
pub const DEFAULT_EMAIL: &str = "demo@example.com";
/// Default API token of the sandbox user.
pub const DEFAULT_API_TOKEN: &str = "sandbox-token";
/// Account id of the default user.
pub const DEFAULT_ACCOUNT_ID: &str = "712020:5d1c7e8a-3b4f-4e2a-9c6d-0f1e2d3c4b5a";

/// One account that may call the API with Basic auth.
#[derive(Clone)]
pub struct ApiAccount {
    pub email: String,
    pub display_name: String,
    pub account_id: String,
    token: SecretString,
    /// Read-only accounts get 403 on every write.
    pub read_only: bool,
}

impl std::fmt::Debug for ApiAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiAccount")
            .field("email", &self.email)
            .field("account_id", &self.account_id)
            .field("read_only", &self.read_only)
            .finish_non_exhaustive()
    }
}

impl ApiAccount {
    /// The account's API token.
    pub fn api_token(&self) -> &SecretString {
        &self.token
    }

    /// The `Authorization` header value for this account.
    pub fn basic_header(&self) -> SecretString {
        let raw = format!("{}:{}", self.email, self.token.expose_secret());
        SecretString::from(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        ))
    }
}

#[derive(Clone)]
struct BearerToken {
    token: SecretString,
    account_id: String,
}

/// The credentials a sandbox accepts. The first account is the default user.
#[derive(Clone)]
pub struct Credentials {
    accounts: Vec<ApiAccount>,
    bearer: Vec<BearerToken>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("accounts", &self.accounts)
            .field("bearer_tokens", &self.bearer.len())
            .finish()
    }
}

impl Default for Credentials {
    fn default() -> Self {
        Self::new(DEFAULT_EMAIL, DEFAULT_API_TOKEN)
    }
}

fn account_id_for(email: &str, index: usize) -> String {
    if index == 0 {
        return DEFAULT_ACCOUNT_ID.to_string();
    }
    let digest: u64 = email.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    format!(
        "712020:{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        digest >> 32,
        (digest >> 16) & 0xffff,
        digest & 0xfff,
        (digest >> 20) & 0xfff,
        digest & 0xffff_ffff_ffff
    )
}

fn display_name_for(email: &str) -> String {
    let local = email.split('@').next().unwrap_or(email);
    local
        .split(['.', '_', '-'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut chars = p.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl Credentials {
    /// Credentials whose default user has this e-mail and API token.
    pub fn new(email: impl Into<String>, api_token: impl Into<String>) -> Self {
        let mut credentials = Self {
            accounts: Vec::new(),
            bearer: Vec::new(),
        };
        credentials.push_account(email.into(), api_token.into(), false);
        credentials
    }

    fn push_account(&mut self, email: String, token: String, read_only: bool) {
        let account_id = account_id_for(&email, self.accounts.len());
        self.accounts.push(ApiAccount {
            display_name: display_name_for(&email),
            email,
            account_id,
            token: SecretString::from(token),
            read_only,
        });
    }

    /// Adds another account that may read and write.
    pub fn with_user(mut self, email: impl Into<String>, api_token: impl Into<String>) -> Self {
        self.push_account(email.into(), api_token.into(), false);
        self
    }

    /// Adds an account that may read but gets 403 on writes.
    pub fn with_read_only_user(
        mut self,
        email: impl Into<String>,
        api_token: impl Into<String>,
    ) -> Self {
        self.push_account(email.into(), api_token.into(), true);
        self
    }

    /// Accepts a Bearer token (as an OAuth access token) acting as the default user.
    pub fn with_bearer_token(mut self, token: impl Into<String>) -> Self {
        let account_id = self.default_account().account_id.clone();
        self.bearer.push(BearerToken {
            token: SecretString::from(token.into()),
            account_id,
        });
        self
    }

    /// The default account (the first one).
    pub fn default_account(&self) -> &ApiAccount {
        &self.accounts[0]
    }

    /// Every Basic-auth account.
    pub fn accounts(&self) -> &[ApiAccount] {
        &self.accounts
    }

    /// The default user's e-mail.
    pub fn email(&self) -> &str {
        &self.default_account().email
    }

    /// The default user's API token.
    pub fn api_token(&self) -> &SecretString {
        self.default_account().api_token()
    }

    /// The users these credentials stand for, for seeding the store.
    pub(crate) fn users(&self) -> Vec<User> {
        self.accounts
            .iter()
            .map(|a| User {
                account_id: a.account_id.clone(),
                email: a.email.clone(),
                display_name: a.display_name.clone(),
                time_zone: "Europe/Berlin".into(),
                active: true,
            })
            .collect()
    }

    fn authenticate(&self, header: &str) -> Option<Principal> {
        if let Some(encoded) = header.strip_prefix("Basic ") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .ok()?;
            let text = String::from_utf8(decoded).ok()?;
            let (email, token) = text.split_once(':')?;
            return self
                .accounts
                .iter()
                .find(|a| {
                    a.email.eq_ignore_ascii_case(email)
                        & bool::from(a.token.expose_secret().as_bytes().ct_eq(token.as_bytes()))
                })
                .map(|a| Principal {
                    account_id: a.account_id.clone(),
                    read_only: a.read_only,
                });
        }
        if let Some(token) = header.strip_prefix("Bearer ") {
            return self
                .bearer
                .iter()
                .find(|b| {
                    bool::from(
                        b.token
                            .expose_secret()
                            .as_bytes()
                            .ct_eq(token.trim().as_bytes()),
                    )
                })
                .map(|b| Principal {
                    account_id: b.account_id.clone(),
                    read_only: false,
                });
        }
        None
    }
}

/// The authenticated caller, available to handlers as a request extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub account_id: String,
    pub read_only: bool,
}

/// Paths Jira serves without authentication.
fn is_anonymous_path(path: &str) -> bool {
    path == "/_edge/tenant_info" || platform_suffix(path) == Some("/serverInfo")
}

/// POST endpoints that only read, and so stay open to read-only users.
fn is_read_only_post(path: &str) -> bool {
    matches!(
        platform_suffix(path),
        Some(
            "/search/jql"
                | "/search/approximate-count"
                | "/issue/bulkfetch"
                | "/search"
                | "/jql/parse"
        )
    )
}

pub(crate) fn is_confluence_path(path: &str) -> bool {
    path.starts_with("/wiki/")
}

/// Middleware: authenticates every request, then enforces read-only accounts.
pub(crate) async fn require_auth(
    State(state): State<SandboxState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    if is_anonymous_path(&path) {
        return next.run(request).await;
    }
    let header = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string);
    let principal = match header {
        None => return unauthenticated(&state, &path, false),
        Some(h) => match state.credentials().authenticate(&h) {
            Some(p) => p,
            None => return unauthenticated(&state, &path, true),
        },
    };
    let writes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if principal.read_only && writes && !is_read_only_post(&path) {
        return forbidden(&path);
    }
    request.extensions_mut().insert(principal);
    next.run(request).await
}

fn unauthenticated(state: &SandboxState, path: &str, wrong_credentials: bool) -> Response {
    let realm = format!(
        "OAuth realm=\"{}\"",
        state.base_url().replace(':', "%3A").replace('/', "%2F")
    );
    let mut response = if is_confluence_path(path) {
        ApiError::confluence(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "Authentication credentials are missing or invalid.",
        )
        .into_response()
    } else if wrong_credentials {
        (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "text/plain;charset=UTF-8")],
            "Client must be authenticated to access this resource.",
        )
            .into_response()
    } else {
        ApiError::jira_message(
            StatusCode::UNAUTHORIZED,
            "You are not authenticated. Authentication required to perform this operation.",
        )
        .into_response()
    };
    if let Ok(value) = HeaderValue::from_str(&realm) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    let reason = if wrong_credentials {
        "AUTHENTICATED_FAILED"
    } else {
        "AUTHENTICATION_DENIED"
    };
    response
        .headers_mut()
        .insert("x-seraph-loginreason", HeaderValue::from_static(reason));
    response
}

fn forbidden(path: &str) -> Response {
    if is_confluence_path(path) {
        // Confluence reports a write the user may not make as "not found" (v2 spec text).
        return ApiError::confluence(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The user does not have the needed permissions to update content in this space.",
        )
        .into_response();
    }
    let platform = platform_suffix(path).unwrap_or("");
    let message = if platform == "/issue" || platform == "/issue/bulk" {
        "You do not have permission to create issues in this project."
    } else if platform.starts_with("/issue/") && path.ends_with("/comment") {
        "You do not have permission to add comments to this issue."
    } else if platform.starts_with("/issue/") {
        "You do not have permission to edit issues in this project."
    } else if path.starts_with("/rest/agile/") {
        "You do not have permission to manage sprints on this board."
    } else {
        "You do not have permission to perform this operation."
    };
    ApiError::jira_message(StatusCode::FORBIDDEN, message).into_response()
}
