//! Cross-origin resource sharing, as seed 000 "CORS Configuration" describes it.
//!
//! Development (`ENVIRONMENT=development`) allows any origin but without credentials — a wildcard
//! with credentials would let any web page act as the logged-in user. Production allows only the
//! configured origins, with credentials, so a browser console on those origins can send Basic auth.

use axum::http::{HeaderName, HeaderValue, Method};
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, Any, CorsLayer};

use crate::settings::{CorsSettings, SettingsError};

/// Response headers a browser script may read (job ids of 409s, the request id).
const EXPOSED_HEADERS: [&str; 5] = [
    "x-request-id",
    "x-active-job-id",
    "x-active-job-status-url",
    "x-duplicate-stories",
    "www-authenticate",
];

/// Checks that every configured origin is a usable `Origin` header value.
pub(crate) fn validate(settings: &CorsSettings) -> Result<(), SettingsError> {
    parse_origins(settings).map(|_| ())
}

fn parse_origins(settings: &CorsSettings) -> Result<Vec<HeaderValue>, SettingsError> {
    settings
        .allowed_origins
        .iter()
        .map(|origin| {
            let trimmed = origin.trim().trim_end_matches('/');
            let invalid = |reason| SettingsError::InvalidCorsOrigin {
                origin: origin.clone(),
                reason,
            };
            if trimmed == "*" {
                if settings.development {
                    // Development allows every origin anyway.
                    return HeaderValue::from_str(trimmed).map_err(|_| invalid("not a header value"));
                }
                return Err(invalid(
                    "a wildcard cannot be combined with credentials; list the origins, or use ENVIRONMENT=development",
                ));
            }
            let Some(host) = trimmed
                .strip_prefix("https://")
                .or_else(|| trimmed.strip_prefix("http://"))
            else {
                return Err(invalid("expected scheme://host[:port], e.g. https://planning.example.com"));
            };
            if host.is_empty() || host.contains('/') {
                return Err(invalid("an origin is scheme://host[:port] with no path"));
            }
            HeaderValue::from_str(trimmed).map_err(|_| invalid("contains characters not allowed in a header"))
        })
        .collect()
}

/// The CORS layer for the settings (which [`validate`] has accepted).
pub(crate) fn layer(settings: &CorsSettings) -> CorsLayer {
    let exposed: Vec<HeaderName> = EXPOSED_HEADERS
        .iter()
        .map(|name| HeaderName::from_static(name))
        .collect();
    if settings.development {
        return CorsLayer::new()
            .allow_origin(Any)
            .allow_methods(Any)
            .allow_headers(Any)
            .expose_headers(exposed);
    }
    let origins = parse_origins(settings).unwrap_or_default();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_credentials(true)
        .allow_methods(AllowMethods::list([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ]))
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers(exposed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn production(origins: &[&str]) -> CorsSettings {
        CorsSettings {
            development: false,
            allowed_origins: origins.iter().map(|o| (*o).to_owned()).collect(),
        }
    }

    #[test]
    fn accepts_origins_and_rejects_wildcards_paths_and_bare_hosts() {
        assert!(
            validate(&production(&[
                "http://localhost:5173",
                "https://example.com/"
            ]))
            .is_ok()
        );
        assert!(validate(&production(&["*"])).is_err());
        assert!(validate(&production(&["example.com"])).is_err());
        assert!(validate(&production(&["https://example.com/app"])).is_err());
        assert!(
            validate(&CorsSettings {
                development: true,
                allowed_origins: vec!["*".into()]
            })
            .is_ok()
        );
    }
}
