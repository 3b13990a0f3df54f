//! Authentication of API callers: HTTP Basic (argon2 or the reference's legacy SHA-256 hash) and
//! API keys sent as `Authorization: Bearer <key>`.
//!
//! argon2 verification costs tens of milliseconds of CPU, so it runs on the blocking pool and a
//! successful verification is remembered for a short while, keyed by a keyed SHA-256 of the
//! credentials (never the credentials themselves). API keys are compared by their SHA-256 digest in
//! constant time, so they need no cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::settings::{AuthSettings, SettingsError, is_sha256_hex};
use crate::state::AppState;

/// How long a successful Basic verification is remembered.
const VERIFIED_TTL: Duration = Duration::from_secs(60);
/// Upper bound on remembered verifications; the cache is emptied when it is reached, which only
/// costs a re-verification.
const VERIFIED_CAPACITY: usize = 1024;

/// The caller a request was authenticated as, available to handlers as a request extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// Authentication is disabled (`AUTH_ENABLED=false`).
    Anonymous,
    /// HTTP Basic with the configured username.
    User(String),
    /// A configured API key; the number is its position in the configured list, never the key.
    ApiKey(usize),
}

/// Hashes a password into an argon2id PHC string for `AUTH_PASSWORD_HASH`
/// (used by `planwright hash-password`).
pub fn hash_password(password: &SecretString) -> Result<String, argon2::password_hash::Error> {
    argon2::Argon2::default()
        .hash_password(password.expose_secret().as_bytes())
        .map(|hash| hash.to_string())
}

/// The SHA-256 hex digest of an API key, the form in which keys are configured.
pub fn api_key_hash(key: &SecretString) -> String {
    hex::encode(Sha256::digest(key.expose_secret().as_bytes()))
}

/// How the configured password is checked.
enum PasswordCheck {
    /// An argon2 PHC string; verified on the blocking pool.
    Argon2(Arc<SecretString>),
    /// The reference's unsalted SHA-256 digest; compared in constant time.
    LegacySha256([u8; 32]),
}

/// Validated authentication settings plus the verification cache.
pub(crate) struct Authenticator {
    enabled: bool,
    username: String,
    password: Option<PasswordCheck>,
    api_key_digests: Vec<[u8; 32]>,
    /// Random per-process key mixed into cache keys so a memory dump reveals no crackable
    /// digest of the password.
    cache_key: [u8; 32],
    verified: Mutex<HashMap<[u8; 32], Instant>>,
    /// Bounds concurrent argon2 verifications so a flood of wrong passwords cannot occupy the
    /// whole blocking pool (argon2 also needs ~19 MiB of memory per verification).
    verifying: tokio::sync::Semaphore,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("enabled", &self.enabled)
            .field("username", &self.username)
            .field("api_keys", &self.api_key_digests.len())
            .finish_non_exhaustive()
    }
}

impl Authenticator {
    pub(crate) fn new(settings: &AuthSettings) -> Result<Self, SettingsError> {
        let password = match &settings.password_hash {
            None => None,
            Some(hash) => {
                let trimmed = hash.expose_secret().trim();
                if is_sha256_hex(trimmed) {
                    let mut digest = [0u8; 32];
                    hex::decode_to_slice(trimmed.to_ascii_lowercase(), &mut digest)
                        .map_err(|_| SettingsError::InvalidPasswordHash)?;
                    Some(PasswordCheck::LegacySha256(digest))
                } else if PasswordHash::new(trimmed).is_ok() {
                    Some(PasswordCheck::Argon2(Arc::new(SecretString::from(
                        trimmed.to_owned(),
                    ))))
                } else {
                    return Err(SettingsError::InvalidPasswordHash);
                }
            }
        };
        let mut api_key_digests = Vec::with_capacity(settings.api_key_hashes.len());
        for (index, hash) in settings.api_key_hashes.iter().enumerate() {
            let hash = hash.trim();
            let mut digest = [0u8; 32];
            if !is_sha256_hex(hash) || hex::decode_to_slice(hash, &mut digest).is_err() {
                return Err(SettingsError::InvalidApiKeyHash { index });
            }
            api_key_digests.push(digest);
        }
        if settings.enabled {
            if password.is_none() && api_key_digests.is_empty() {
                return Err(SettingsError::AuthWithoutCredentials);
            }
            if password.is_some() && settings.username.trim().is_empty() {
                return Err(SettingsError::EmptyUsername);
            }
        }
        Ok(Self {
            enabled: settings.enabled,
            username: settings.username.clone(),
            password,
            api_key_digests,
            cache_key: rand::random(),
            verified: Mutex::new(HashMap::new()),
            verifying: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            ),
        })
    }

    pub(crate) fn enabled(&self) -> bool {
        self.enabled
    }

    /// Decides who sent a request from its `Authorization` header value.
    pub(crate) async fn authenticate(
        &self,
        authorization: Option<&[u8]>,
    ) -> Result<Caller, ApiError> {
        if !self.enabled {
            return Ok(Caller::Anonymous);
        }
        let Some(value) = authorization else {
            return Err(ApiError::Unauthorized(NOT_AUTHENTICATED));
        };
        let value = std::str::from_utf8(value).map_err(|_| ApiError::Unauthorized(INVALID))?;
        let (scheme, credentials) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
        let credentials = credentials.trim();
        if scheme.eq_ignore_ascii_case("basic") {
            self.check_basic(credentials).await
        } else if scheme.eq_ignore_ascii_case("bearer") {
            self.check_api_key(credentials)
        } else {
            Err(ApiError::Unauthorized(NOT_AUTHENTICATED))
        }
    }

    fn check_api_key(&self, key: &str) -> Result<Caller, ApiError> {
        if key.is_empty() {
            return Err(ApiError::Unauthorized(NOT_AUTHENTICATED));
        }
        let digest: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        // Compare against every configured key so timing does not reveal which one matched.
        let mut matched = None;
        for (index, configured) in self.api_key_digests.iter().enumerate() {
            if bool::from(configured.ct_eq(&digest)) {
                matched = Some(index);
            }
        }
        matched
            .map(Caller::ApiKey)
            .ok_or(ApiError::Unauthorized(INVALID))
    }

    async fn check_basic(&self, encoded: &str) -> Result<Caller, ApiError> {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| ApiError::Unauthorized(INVALID))?;
        let decoded = String::from_utf8(decoded).map_err(|_| ApiError::Unauthorized(INVALID))?;
        let Some((username, password)) = decoded.split_once(':') else {
            return Err(ApiError::Unauthorized(INVALID));
        };
        let Some(check) = &self.password else {
            return Err(ApiError::Unauthorized(INVALID));
        };
        let username_ok = bool::from(username.as_bytes().ct_eq(self.username.as_bytes()));
        let password_ok = match check {
            PasswordCheck::LegacySha256(expected) => {
                let digest: [u8; 32] = Sha256::digest(password.as_bytes()).into();
                bool::from(expected.ct_eq(&digest))
            }
            PasswordCheck::Argon2(phc) => {
                let key = self.cache_entry_key(username, password);
                if self.recently_verified(&key) {
                    true
                } else {
                    let _permit =
                        self.verifying.acquire().await.map_err(|_| {
                            ApiError::internal("argon2 verification semaphore closed")
                        })?;
                    let ok = verify_argon2(Arc::clone(phc), SecretString::from(password)).await?;
                    if ok {
                        self.remember(key);
                    }
                    ok
                }
            }
        };
        if username_ok && password_ok {
            Ok(Caller::User(self.username.clone()))
        } else {
            Err(ApiError::Unauthorized(INVALID))
        }
    }

    fn cache_entry_key(&self, username: &str, password: &str) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(self.cache_key);
        hasher.update((username.len() as u64).to_be_bytes());
        hasher.update(username.as_bytes());
        hasher.update(password.as_bytes());
        hasher.finalize().into()
    }

    fn recently_verified(&self, key: &[u8; 32]) -> bool {
        let verified = self
            .verified
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        verified
            .get(key)
            .is_some_and(|at| at.elapsed() < VERIFIED_TTL)
    }

    fn remember(&self, key: [u8; 32]) {
        let mut verified = self
            .verified
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if verified.len() >= VERIFIED_CAPACITY {
            verified.retain(|_, at| at.elapsed() < VERIFIED_TTL);
            if verified.len() >= VERIFIED_CAPACITY {
                verified.clear();
            }
        }
        verified.insert(key, Instant::now());
    }
}

/// Verifies an argon2 hash on the blocking pool so the async workers stay responsive.
async fn verify_argon2(phc: Arc<SecretString>, password: SecretString) -> Result<bool, ApiError> {
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(phc.expose_secret()) else {
            return false;
        };
        argon2::Argon2::default()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .map_err(|join| ApiError::internal(format!("argon2 verification task failed: {join}")))
}

const NOT_AUTHENTICATED: &str = "Not authenticated";
const INVALID: &str = "Invalid authentication credentials";

/// Middleware guarding every non-public route: rejects with 401 or records the [`Caller`].
pub(crate) async fn require_caller(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let header = request
        .headers()
        .get(AUTHORIZATION)
        .map(|value| value.as_bytes().to_vec());
    let caller = state
        .authenticator()
        .authenticate(header.as_deref())
        .await?;
    request.extensions_mut().insert(caller);
    Ok(next.run(request).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(hash: Option<&str>, keys: &[&str]) -> AuthSettings {
        AuthSettings {
            enabled: true,
            username: "admin".into(),
            password_hash: hash.map(|h| SecretString::from(h.to_owned())),
            api_key_hashes: keys.iter().map(|k| (*k).to_owned()).collect(),
        }
    }

    fn basic(user: &str, password: &str) -> Vec<u8> {
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        format!("Basic {encoded}").into_bytes()
    }

    fn detail(result: Result<Caller, ApiError>) -> String {
        match result {
            Err(ApiError::Unauthorized(detail)) => detail.to_owned(),
            other => panic!("expected 401, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn argon2_password_verifies_and_is_cached() {
        let hash = hash_password(&SecretString::from("s3cret")).expect("hash");
        let auth = Authenticator::new(&settings(Some(&hash), &[])).expect("valid");
        let header = basic("admin", "s3cret");
        assert_eq!(
            auth.authenticate(Some(&header)).await.expect("ok"),
            Caller::User("admin".into())
        );
        let key = auth.cache_entry_key("admin", "s3cret");
        assert!(auth.recently_verified(&key));
        assert_eq!(
            detail(auth.authenticate(Some(&basic("admin", "wrong"))).await),
            INVALID
        );
        assert_eq!(
            detail(auth.authenticate(Some(&basic("root", "s3cret"))).await),
            INVALID
        );
        assert!(!auth.recently_verified(&auth.cache_entry_key("admin", "wrong")));
    }

    #[tokio::test]
    async fn legacy_sha256_and_api_keys() {
        let legacy = hex::encode(Sha256::digest(b"pw"));
        let key_hash = api_key_hash(&SecretString::from("key-1"));
        let auth = Authenticator::new(&settings(Some(&legacy.to_uppercase()), &[&key_hash]))
            .expect("valid");
        assert!(settings(Some(&legacy), &[]).is_legacy_sha256());
        assert_eq!(
            auth.authenticate(Some(&basic("admin", "pw")))
                .await
                .expect("ok"),
            Caller::User("admin".into())
        );
        assert_eq!(
            auth.authenticate(Some(b"Bearer key-1")).await.expect("ok"),
            Caller::ApiKey(0)
        );
        assert_eq!(
            detail(auth.authenticate(Some(b"Bearer key-2")).await),
            INVALID
        );
        assert_eq!(detail(auth.authenticate(None).await), NOT_AUTHENTICATED);
        assert_eq!(
            detail(auth.authenticate(Some(b"Digest abc")).await),
            NOT_AUTHENTICATED
        );
        assert_eq!(detail(auth.authenticate(Some(b"Basic !!!")).await), INVALID);
    }

    #[test]
    fn invalid_settings_are_rejected() {
        assert!(matches!(
            Authenticator::new(&settings(None, &[])),
            Err(SettingsError::AuthWithoutCredentials)
        ));
        assert!(matches!(
            Authenticator::new(&settings(Some("plaintext"), &[])),
            Err(SettingsError::InvalidPasswordHash)
        ));
        assert!(matches!(
            Authenticator::new(&settings(None, &["abc"])),
            Err(SettingsError::InvalidApiKeyHash { index: 0 })
        ));
        let disabled = AuthSettings::default();
        assert!(!Authenticator::new(&disabled).expect("valid").enabled());
    }
}
