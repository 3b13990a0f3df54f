//! Settings the HTTP edge needs, independent of how they were loaded.
//!
//! The binary maps its configuration (files, environment) into these structs, so this crate never
//! reads the environment itself and tests can build any combination directly.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

/// Everything [`crate::router`] needs besides the database.
#[derive(Debug, Clone)]
pub struct ApiSettings {
    /// The version reported by `GET /` and in the OpenAPI document.
    pub version: String,
    /// Who may call the non-public routes.
    pub auth: AuthSettings,
    /// Which browser origins may call the API.
    pub cors: CorsSettings,
    /// Largest accepted request body; bigger bodies get a 413.
    pub body_limit_bytes: usize,
    /// How long a request may take before it is answered with a 504.
    pub request_timeout: Duration,
    /// Serve `GET /metrics` without authentication (for scrapers that cannot send credentials).
    /// When false, `/metrics` requires the same credentials as the API.
    pub metrics_public: bool,
    /// A worker whose last heartbeat is older than this is not counted as live by `/health` and
    /// `/metrics`. Keep it a few times the workers' heartbeat interval.
    pub worker_stale_after: Duration,
    /// Chat tasks one user may have processing at once; one more is a 429.
    pub chat_max_active_per_user: u32,
}

impl Default for ApiSettings {
    fn default() -> Self {
        Self {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            auth: AuthSettings::default(),
            cors: CorsSettings::default(),
            body_limit_bytes: 2 * 1024 * 1024,
            request_timeout: Duration::from_secs(60),
            metrics_public: false,
            worker_stale_after: Duration::from_secs(60),
            chat_max_active_per_user: 4,
        }
    }
}

/// HTTP Basic and API-key authentication (seed 000 "Authentication").
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// `AUTH_ENABLED`: when false every route is open and the caller is `anonymous`.
    pub enabled: bool,
    /// `AUTH_USERNAME`.
    pub username: String,
    /// `AUTH_PASSWORD_HASH`: an argon2 PHC string (`$argon2id$...`), or — for deployments
    /// migrated from the reference implementation — the unsalted SHA-256 hex of the password.
    pub password_hash: Option<SecretString>,
    /// SHA-256 hex digests of the API keys accepted as `Authorization: Bearer <key>`.
    pub api_key_hashes: Vec<String>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            username: "admin".to_owned(),
            password_hash: None,
            api_key_hashes: Vec::new(),
        }
    }
}

impl AuthSettings {
    /// True when the configured password hash is the reference's unsalted SHA-256 hex, which the
    /// binary should warn about at startup (`planwright hash-password` makes an argon2 hash).
    pub fn is_legacy_sha256(&self) -> bool {
        self.password_hash
            .as_ref()
            .is_some_and(|hash| is_sha256_hex(hash.expose_secret().trim()))
    }
}

/// Cross-origin settings (seed 000 "CORS Configuration").
#[derive(Debug, Clone, Default)]
pub struct CorsSettings {
    /// `ENVIRONMENT=development`: any origin may call the API, without credentials.
    pub development: bool,
    /// Origins allowed in production (with credentials), e.g. `https://planning.example.com`.
    pub allowed_origins: Vec<String>,
}

/// Settings that cannot work; returned by [`crate::AppState::new`] so the binary fails at startup
/// with a message naming the setting, instead of failing requests later.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(
        "AUTH_ENABLED is true but neither AUTH_PASSWORD_HASH nor an API key hash is set; \
         set AUTH_PASSWORD_HASH (see `planwright hash-password`) or configure API keys"
    )]
    AuthWithoutCredentials,
    #[error("AUTH_USERNAME is empty; set the username clients send with HTTP Basic")]
    EmptyUsername,
    #[error(
        "AUTH_PASSWORD_HASH is neither an argon2 PHC string ($argon2id$...) nor a 64-character \
         SHA-256 hex digest; generate one with `planwright hash-password`"
    )]
    InvalidPasswordHash,
    #[error("API key hash #{index} is not a 64-character SHA-256 hex digest")]
    InvalidApiKeyHash { index: usize },
    #[error("CORS origin '{origin}' is not valid: {reason}")]
    InvalidCorsOrigin {
        origin: String,
        reason: &'static str,
    },
    #[error("the language-model layer cannot start: {0}")]
    Llm(String),
}

/// A 64-character hex string: the shape of a SHA-256 digest.
pub(crate) fn is_sha256_hex(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}
