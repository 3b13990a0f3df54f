//! Provider keys read from files (`OPENAI_API_KEY_FILE`, …) and rotated while the service runs,
//! over real HTTP to the emulator, which is told which key is valid: a rotated file is used by the
//! next call, a rejection forces one re-read, and a key the file still holds fails once.

mod support;

use std::path::{Path, PathBuf};

use llm::{
    LlmError, LlmService, LlmSettings, ModelCatalog, PromptLibrary, ProviderError, ProviderId,
};
use llm_emulator::{LoggedRequest, Protocol, RunningEmulator};
use support::{request, settings_for};

/// The public provider name and the emulator protocol it speaks.
const PROVIDERS: [(&str, ProviderId, Protocol); 3] = [
    ("openai", ProviderId::OpenAi, Protocol::OpenAi),
    ("claude", ProviderId::Claude, Protocol::Anthropic),
    ("gemini", ProviderId::Gemini, Protocol::Gemini),
];

/// An emulator accepting only `key`, and a service whose `provider` reads its key from `file`.
async fn setup_with_key_file(
    provider: ProviderId,
    file: &Path,
    key: &str,
) -> (RunningEmulator, LlmService) {
    let state = llm_emulator::EmulatorState::new();
    state.require_api_key(key);
    let emulator = llm_emulator::spawn(state).await.unwrap();
    let mut settings = settings_for(&emulator);
    let keyed = settings.provider_mut(provider).unwrap();
    keyed.api_key = None;
    keyed.api_key_file = Some(file.to_path_buf());
    let service = service(settings).unwrap();
    (emulator, service)
}

fn service(settings: LlmSettings) -> Result<LlmService, LlmError> {
    LlmService::new(
        settings,
        ModelCatalog::builtin().unwrap(),
        PromptLibrary::embedded().unwrap(),
    )
}

/// The key a logged request carried, in whichever header its protocol uses.
fn key_sent(request: &LoggedRequest) -> &str {
    let header = |name: &str| request.headers.get(name).map(String::as_str);
    match request.protocol {
        Protocol::OpenAi => header("authorization")
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap(),
        Protocol::Anthropic => header("x-api-key").unwrap(),
        Protocol::Gemini => header("x-goog-api-key").unwrap(),
    }
}

/// Overwrites the key file in place with a key of the same length and puts its modification time
/// back: length, time and inode are unchanged, so the per-request metadata check cannot see it.
fn rotate_unseen(path: &Path, key: &str) {
    let before = std::fs::metadata(path).unwrap();
    assert_eq!(before.len(), key.len() as u64, "the same length");
    let file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    std::io::Write::write_all(&mut &file, key.as_bytes()).unwrap();
    file.set_modified(before.modified().unwrap()).unwrap();
    drop(file);
    let after = std::fs::metadata(path).unwrap();
    assert_eq!(
        (after.len(), after.modified().unwrap()),
        (before.len(), before.modified().unwrap())
    );
}

fn key_file(dir: &tempfile::TempDir, name: &str, key: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, key).unwrap();
    path
}

#[tokio::test]
async fn a_rotated_key_file_is_used_by_the_next_call_without_rebuilding_the_service() {
    for (name, id, protocol) in PROVIDERS {
        let dir = tempfile::tempdir().unwrap();
        let path = key_file(&dir, "key", "key-one\n");
        let (emulator, service) = setup_with_key_file(id, &path, "key-one").await;
        service
            .generate(request(&service, name, None))
            .await
            .unwrap();

        // The provider now only accepts the new key, and the file is rewritten to hold it.
        emulator.state.require_api_key("key-two-rotated");
        std::fs::write(&path, "key-two-rotated\n").unwrap();
        let second = service
            .generate(request(&service, name, None))
            .await
            .unwrap();
        assert_eq!(second.history.len(), 1, "{name}: no rejected attempt");

        // A file that cannot be read keeps the last good key.
        std::fs::remove_file(&path).unwrap();
        service
            .generate(request(&service, name, None))
            .await
            .unwrap();

        let requests = emulator.state.requests();
        let sent: Vec<&str> = requests.iter().map(key_sent).collect();
        assert_eq!(
            sent,
            ["key-one", "key-two-rotated", "key-two-rotated"],
            "{name}"
        );
        assert!(requests.iter().all(|r| r.protocol == protocol));
    }
}

#[tokio::test]
async fn a_rejected_stale_key_forces_one_re_read_and_the_call_succeeds() {
    for (name, id, _) in PROVIDERS {
        let dir = tempfile::tempdir().unwrap();
        let path = key_file(&dir, "key", "key-aaaa");
        let (emulator, service) = setup_with_key_file(id, &path, "key-aaaa").await;
        service
            .generate(request(&service, name, None))
            .await
            .unwrap();

        emulator.state.require_api_key("key-bbbb");
        rotate_unseen(&path, "key-bbbb");
        let generation = service
            .generate(request(&service, name, None))
            .await
            .unwrap();

        let requests = emulator.state.requests();
        let sent: Vec<&str> = requests.iter().map(key_sent).collect();
        assert_eq!(
            sent,
            ["key-aaaa", "key-aaaa", "key-bbbb"],
            "{name}: the cached key went first (the metadata check missed the rotation), then the re-read one"
        );
        let history = &generation.history;
        assert_eq!(history.len(), 2, "{name}: {history:?}");
        assert!(
            history[0].outcome.contains("rejected the credentials"),
            "{name}: {history:?}"
        );
        assert_eq!(history[0].waited_ms, Some(0), "retried at once");
        assert_eq!(history[1].outcome, "stop");
        assert!(
            history
                .iter()
                .all(|a| !a.outcome.contains("key-aaaa") && !a.outcome.contains("key-bbbb"))
        );
    }
}

#[tokio::test]
async fn a_rejected_key_the_file_still_holds_fails_once_with_the_providers_auth_error() {
    for (name, id, _) in PROVIDERS {
        let dir = tempfile::tempdir().unwrap();
        let path = key_file(&dir, "key", "key-aaaa");
        let (emulator, service) = setup_with_key_file(id, &path, "key-zzzz").await;
        let err = service
            .generate(request(&service, name, None))
            .await
            .unwrap_err();
        // Gemini refuses a wrong key with 400 API_KEY_INVALID, the others with 401.
        let status = if id == ProviderId::Gemini { 400 } else { 401 };
        assert!(
            matches!(
                &err,
                LlmError::Provider {
                    error: ProviderError::Authentication { status: s, .. },
                    http_attempts: 1,
                    ..
                } if *s == status
            ),
            "{name}: {err:?}"
        );
        assert!(err.to_string().contains("check the API key"), "{err}");
        assert!(!err.to_string().contains("key-aaaa"), "{err}");
        assert_eq!(emulator.state.requests().len(), 1, "{name}: not retried");

        // The file changes to another key that is rejected too: one re-read, one retry, no loop.
        rotate_unseen(&path, "key-bbbb");
        let err = service
            .generate(request(&service, name, None))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                LlmError::Provider {
                    error: ProviderError::Authentication { .. },
                    http_attempts: 2,
                    ..
                }
            ),
            "{name}: {err:?}"
        );
        let requests = emulator.state.requests();
        let sent: Vec<&str> = requests.iter().map(key_sent).collect();
        assert_eq!(sent, ["key-aaaa", "key-aaaa", "key-bbbb"], "{name}");
    }
}

#[tokio::test]
async fn a_static_key_that_is_rejected_is_not_retried() {
    let (emulator, service) = support::setup(|s| {
        s.anthropic.api_key = Some(secrecy::SecretString::from("wrong-key"));
    })
    .await;
    let err = service
        .generate(request(&service, "claude", None))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            LlmError::Provider {
                error: ProviderError::Authentication { status: 401, .. },
                http_attempts: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(emulator.state.requests().len(), 1);
}

#[tokio::test]
async fn a_bad_key_file_or_both_forms_fail_the_service_at_startup_naming_the_variable() {
    let emulator = support::emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let empty = key_file(&dir, "empty", "  \n");
    let good = key_file(&dir, "good", "sk-good");
    for (id, file, keep_key, expected) in [
        (
            ProviderId::OpenAi,
            &missing,
            false,
            vec!["OPENAI_API_KEY_FILE=", "cannot read the key file"],
        ),
        (
            ProviderId::Kimi,
            &empty,
            false,
            vec!["MOONSHOT_API_KEY_FILE=", "empty"],
        ),
        (
            ProviderId::Claude,
            &good,
            true,
            vec!["ANTHROPIC_API_KEY and ANTHROPIC_API_KEY_FILE"],
        ),
    ] {
        let mut settings = settings_for(&emulator);
        let provider = settings.provider_mut(id).unwrap();
        if !keep_key {
            provider.api_key = None;
        }
        provider.api_key_file = Some(file.clone());
        let err = service(settings).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, LlmError::Configuration(_)), "{text}");
        for part in expected {
            assert!(text.contains(part), "{id}: {text}");
        }
        if !keep_key {
            assert!(text.contains(&file.display().to_string()), "{text}");
        }
        assert!(
            !text.contains("sk-good") && !text.contains(support::KEY),
            "{text}"
        );
    }
}
