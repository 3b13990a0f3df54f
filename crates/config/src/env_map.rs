//! Which environment variables override which configuration keys.
//!
//! The seed documents flat names (`JIRA_SERVER_URL`, `WORKER_MAX_JOBS`, ...), so they are listed
//! explicitly here; a later feature adds its variables by adding rows. Any key without a seed name
//! can still be set as `PLANWRIGHT_<SECTION>__<KEY>` (double underscore between path parts).

/// `(environment variable, dotted configuration path)`.
pub const ENV_KEYS: &[(&str, &str)] = &[
    ("DATABASE_URL", "database.url"),
    ("ENVIRONMENT", "environment"),
    ("LOG_FORMAT", "logging.format"),
    ("LOG_LEVEL", "logging.level"),
    ("AUTH_ENABLED", "auth.enabled"),
    ("AUTH_USERNAME", "auth.username"),
    ("AUTH_PASSWORD_HASH", "auth.password_hash"),
    ("AUTH_API_KEY_HASHES", "auth.api_key_hashes"),
    ("CORS_ALLOWED_ORIGINS", "cors.allowed_origins"),
    ("WORKER_MAX_JOBS", "worker.max_jobs"),
    ("WORKER_BATCH_CONCURRENCY", "worker.batch_concurrency"),
    ("WORKER_JOB_TIMEOUT", "worker.job_timeout"),
    ("WORKER_KEEP_RESULT", "worker.keep_result"),
    ("WORKER_SHUTDOWN_GRACE", "worker.shutdown_grace"),
    ("WORKER_LEASE_SECS", "worker.lease_secs"),
    ("JIRA_SERVER_URL", "jira.server_url"),
    ("JIRA_USERNAME", "jira.username"),
    ("JIRA_API_TOKEN", "jira.api_token"),
    ("JIRA_PRD_CUSTOM_FIELD", "jira.prd_custom_field"),
    ("JIRA_RFC_CUSTOM_FIELD", "jira.rfc_custom_field"),
    ("JIRA_TEST_CASE_CUSTOM_FIELD", "jira.test_case_custom_field"),
    ("JIRA_MANDAYS_CUSTOM_FIELD", "jira.mandays_custom_field"),
    ("JIRA_REQUESTS_PER_SECOND", "jira.requests_per_second"),
    ("JIRA_PROJECT_KEY", "jira.project_key"),
    (
        "CHAT_CONFIRMATION_EXPIRY_SECS",
        "chat.confirmation_expiry_secs",
    ),
    (
        "CHAT_MAX_ACTIVE_TASKS_PER_USER",
        "chat.max_active_tasks_per_user",
    ),
    ("JIRA_MAX_RESPONSE_BYTES", "jira.max_response_bytes"),
    ("CONFLUENCE_SERVER_URL", "confluence.server_url"),
    ("CONFLUENCE_USERNAME", "confluence.username"),
    ("CONFLUENCE_API_TOKEN", "confluence.api_token"),
    ("LLM_PROVIDER", "llm.provider"),
    ("LLM_TEMPERATURE", "llm.temperature"),
    ("LLM_MAX_TOKENS", "llm.max_tokens"),
    ("OPENAI_API_KEY", "llm.openai_api_key"),
    ("OPENAI_API_KEY_FILE", "llm.openai_api_key_file"),
    ("OPENAI_MODEL", "llm.openai_model"),
    ("OPENAI_BASE_URL", "llm.openai_base_url"),
    ("ANTHROPIC_API_KEY", "llm.anthropic_api_key"),
    ("ANTHROPIC_API_KEY_FILE", "llm.anthropic_api_key_file"),
    ("ANTHROPIC_MODEL", "llm.anthropic_model"),
    ("ANTHROPIC_BASE_URL", "llm.anthropic_base_url"),
    ("GOOGLE_API_KEY", "llm.google_api_key"),
    ("GOOGLE_API_KEY_FILE", "llm.google_api_key_file"),
    ("GOOGLE_MODEL", "llm.google_model"),
    ("GOOGLE_BASE_URL", "llm.google_base_url"),
    ("MOONSHOT_API_KEY", "llm.moonshot_api_key"),
    ("MOONSHOT_API_KEY_FILE", "llm.moonshot_api_key_file"),
    ("MOONSHOT_MODEL", "llm.moonshot_model"),
    ("MOONSHOT_BASE_URL", "llm.moonshot_base_url"),
    (
        "OPENAI_COMPATIBLE_BASE_URL",
        "llm.openai_compatible_base_url",
    ),
    ("OPENAI_COMPATIBLE_API_KEY", "llm.openai_compatible_api_key"),
    (
        "OPENAI_COMPATIBLE_API_KEY_FILE",
        "llm.openai_compatible_api_key_file",
    ),
    ("OPENAI_COMPATIBLE_MODEL", "llm.openai_compatible_model"),
    ("PROMPTS_DIR", "llm.prompts_dir"),
    ("LLM_MODEL_CATALOG", "llm.model_catalog"),
    ("LLM_REQUEST_TIMEOUT_SECS", "llm.request_timeout_secs"),
    ("LLM_MAX_CONCURRENCY", "llm.max_concurrency"),
    ("LLM_MAX_RESPONSE_BYTES", "llm.max_response_bytes"),
];

/// Prefix for the generic `PLANWRIGHT_SECTION__KEY` form.
pub const GENERIC_PREFIX: &str = "PLANWRIGHT_";

/// Maps one environment variable to its configuration path, if it is one of ours.
pub fn path_for(name: &str) -> Option<String> {
    if let Some((_, path)) = ENV_KEYS.iter().find(|(env, _)| *env == name) {
        return Some((*path).to_owned());
    }
    let rest = name.strip_prefix(GENERIC_PREFIX)?;
    if rest.is_empty() {
        return None;
    }
    Some(
        rest.split("__")
            .map(str::to_ascii_lowercase)
            .collect::<Vec<_>>()
            .join("."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_seed_names_and_the_generic_form() {
        assert_eq!(
            path_for("JIRA_SERVER_URL").as_deref(),
            Some("jira.server_url")
        );
        assert_eq!(
            path_for("PLANWRIGHT_SERVER__BODY_LIMIT_BYTES").as_deref(),
            Some("server.body_limit_bytes")
        );
        assert_eq!(path_for("HOME"), None);
        assert_eq!(path_for("PLANWRIGHT_"), None);
    }

    #[test]
    fn no_two_variables_share_a_path() {
        let mut paths: Vec<_> = ENV_KEYS.iter().map(|(_, p)| *p).collect();
        paths.sort_unstable();
        let before = paths.len();
        paths.dedup();
        assert_eq!(before, paths.len());
    }
}
