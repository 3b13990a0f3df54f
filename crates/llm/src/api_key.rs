//! Where a provider's API key comes from: a fixed value (`OPENAI_API_KEY`, …) or a file
//! (`OPENAI_API_KEY_FILE`, …) that is re-read when it changes, so a rotated key is used without a
//! restart.
//!
//! A key file is checked on every request with one `metadata` call: modification time, length
//! and, on Unix, device and inode (so an atomic rename or a Kubernetes secret's symlink swap counts
//! as a change). It is read again only when those differ from the last good read; a stat costs
//! microseconds, so no background watcher is needed. A re-read that fails (file missing,
//! unreadable, empty) keeps the last good key and logs one warning — the variable, the path and the
//! reason, never the key — until a read succeeds again.
//!
//! Metadata can miss a rotation (same length, written within the file system's timestamp
//! granularity, or a timestamp deliberately kept). So when the provider rejects a key
//! ([`ApiKeySource::reload_after_rejection`]), the file is read again regardless, and the service
//! retries the call once if the file now holds another key.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use secrecy::{ExposeSecret, SecretString};

/// The largest key file read: API keys are at most a few hundred bytes, so a bigger file is the
/// wrong file (and is not pulled into memory whole).
pub const MAX_KEY_FILE_BYTES: u64 = 16 * 1024;

/// A provider's API key: fixed for the process, or read from a file that may be rotated.
pub enum ApiKeySource {
    /// From `X_API_KEY` (or configuration): never changes.
    Static(SecretString),
    /// From the file named by `X_API_KEY_FILE`.
    File(KeyFile),
}

impl std::fmt::Debug for ApiKeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiKeySource::Static(_) => f.write_str("Static([redacted])"),
            ApiKeySource::File(file) => f
                .debug_struct("File")
                .field("variable", &file.variable)
                .field("path", &file.path)
                .finish(),
        }
    }
}

impl From<SecretString> for ApiKeySource {
    fn from(key: SecretString) -> Self {
        ApiKeySource::Static(key)
    }
}

impl ApiKeySource {
    /// Reads the key file once, so a missing, unreadable or empty file is a configuration error
    /// at startup (naming `variable` and the path) rather than a failure at the first call.
    pub fn from_file(
        variable: &str,
        path: impl Into<PathBuf>,
    ) -> Result<ApiKeySource, KeyFileError> {
        let path = path.into();
        let (key, stamp) = read_key_file(&path).map_err(|problem| KeyFileError {
            variable: variable.to_owned(),
            path: path.clone(),
            problem,
        })?;
        Ok(ApiKeySource::File(KeyFile {
            variable: variable.to_owned(),
            path,
            cached: Mutex::new(Cached {
                key,
                stamp: Some(stamp),
                warned: false,
            }),
        }))
    }

    /// The key to send now: a file is re-read first when its metadata changed since the last read.
    pub fn current(&self) -> SecretString {
        match self {
            ApiKeySource::Static(key) => key.clone(),
            ApiKeySource::File(file) => file.current(),
        }
    }

    /// After the provider rejected `rejected`: reads a key file again whatever its metadata says,
    /// and tells whether the key to use now differs from the rejected one (then one more try is
    /// worth it). Always `false` for a static key, which cannot change.
    pub fn reload_after_rejection(&self, rejected: &SecretString) -> bool {
        match self {
            ApiKeySource::Static(_) => false,
            ApiKeySource::File(file) => {
                let mut cached = file.lock();
                file.refresh(&mut cached);
                cached.key.expose_secret() != rejected.expose_secret()
            }
        }
    }

    /// The key file's path, when the key comes from one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            ApiKeySource::Static(_) => None,
            ApiKeySource::File(file) => Some(&file.path),
        }
    }
}

/// A key read from a file, cached with the file's metadata at the time of the read.
pub struct KeyFile {
    /// `OPENAI_API_KEY_FILE`, …: what the log and errors call it.
    variable: String,
    path: PathBuf,
    cached: Mutex<Cached>,
}

struct Cached {
    /// The last key read successfully.
    key: SecretString,
    /// The file's metadata before that read; `None` forces the next request to read again.
    stamp: Option<Stamp>,
    /// A failed re-read was logged; reset by the next successful read so each outage logs once.
    warned: bool,
}

/// What the per-request check compares: any difference means the file may hold another key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    /// Device and inode: a file replaced by rename has another inode even with equal time and size.
    file_id: Option<(u64, u64)>,
}

impl Stamp {
    fn of(metadata: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        let file_id = {
            use std::os::unix::fs::MetadataExt;
            Some((metadata.dev(), metadata.ino()))
        };
        #[cfg(not(unix))]
        let file_id = None;
        Stamp {
            modified: metadata.modified().ok(),
            len: metadata.len(),
            file_id,
        }
    }
}

impl KeyFile {
    fn lock(&self) -> std::sync::MutexGuard<'_, Cached> {
        self.cached.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn current(&self) -> SecretString {
        let mut cached = self.lock();
        let unchanged = std::fs::metadata(&self.path)
            .ok()
            .map(|metadata| Stamp::of(&metadata))
            .is_some_and(|stamp| cached.stamp == Some(stamp));
        if !unchanged {
            self.refresh(&mut cached);
        }
        cached.key.clone()
    }

    /// Reads the file into the cache; on failure keeps the last good key and warns once.
    fn refresh(&self, cached: &mut Cached) {
        match read_key_file(&self.path) {
            Ok((key, stamp)) => {
                if key.expose_secret() != cached.key.expose_secret() {
                    tracing::info!(
                        variable = %self.variable,
                        path = %self.path.display(),
                        "read a new API key from the key file"
                    );
                }
                *cached = Cached {
                    key,
                    stamp: Some(stamp),
                    warned: false,
                };
            }
            Err(problem) => {
                if !cached.warned {
                    tracing::warn!(
                        variable = %self.variable,
                        path = %self.path.display(),
                        error = %problem,
                        "cannot re-read the API key file; the last key read stays in use"
                    );
                    cached.warned = true;
                }
            }
        }
    }
}

/// Reads and trims a key file, with the file's metadata taken before the read: a write that lands
/// during the read then shows up as a change at the next check instead of being missed.
fn read_key_file(path: &Path) -> Result<(SecretString, Stamp), KeyFileProblem> {
    let unreadable = |e: std::io::Error| KeyFileProblem::Unreadable(e.to_string());
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let metadata = file.metadata().map_err(unreadable)?;
    if !metadata.is_file() {
        return Err(KeyFileProblem::NotAFile);
    }
    let stamp = Stamp::of(&metadata);
    let mut bytes = Vec::new();
    file.take(MAX_KEY_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_KEY_FILE_BYTES {
        return Err(KeyFileProblem::TooLarge);
    }
    let text = String::from_utf8(bytes).map_err(|_| KeyFileProblem::NotText)?;
    // The text is moved into the secret at once so the key never lingers in a plain `String`.
    let secret = SecretString::from(text);
    let key = secret.expose_secret().trim();
    if key.is_empty() {
        return Err(KeyFileProblem::Empty);
    }
    // A line break inside would make an invalid header: most likely a file of several lines.
    if key.chars().any(char::is_control) {
        return Err(KeyFileProblem::Malformed);
    }
    Ok((SecretString::from(key.to_owned()), stamp))
}

/// A key file that cannot be used, naming its variable and path (never its content).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}={}: {problem}", path.display())]
pub struct KeyFileError {
    pub variable: String,
    pub path: PathBuf,
    pub problem: KeyFileProblem,
}

/// What is wrong with a key file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyFileProblem {
    #[error("cannot read the key file: {0}")]
    Unreadable(String),
    #[error("the path is not a regular file; point the variable at the file holding the key")]
    NotAFile,
    #[error("the key file is empty; write the API key into it")]
    Empty,
    #[error("the key file is larger than {MAX_KEY_FILE_BYTES} bytes; it must hold only the key")]
    TooLarge,
    #[error("the key file is not UTF-8 text")]
    NotText,
    #[error(
        "the key file holds a line break or control character inside the key; it must hold only the key"
    )]
    Malformed,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn the_key_is_trimmed_and_errors_name_the_variable_and_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        write(&path, "  sk-one\n");
        let source = ApiKeySource::from_file("OPENAI_API_KEY_FILE", &path).unwrap();
        assert_eq!(source.current().expose_secret(), "sk-one");
        assert!(!format!("{source:?}").contains("sk-one"));
        assert_eq!(source.path(), Some(path.as_path()));

        let cases: [(&str, Option<&[u8]>, KeyFileProblem); 5] = [
            ("empty", Some(b" \n\t\n"), KeyFileProblem::Empty),
            ("lines", Some(b"sk-a\nsk-b\n"), KeyFileProblem::Malformed),
            ("binary", Some(&[0xff, 0xfe, 0x00]), KeyFileProblem::NotText),
            (
                "huge",
                Some(&[b'k'; MAX_KEY_FILE_BYTES as usize + 1]),
                KeyFileProblem::TooLarge,
            ),
            ("missing", None, KeyFileProblem::Unreadable(String::new())),
        ];
        for (name, content, expected) in cases {
            let path = dir.path().join(name);
            if let Some(content) = content {
                std::fs::write(&path, content).unwrap();
            }
            let err = ApiKeySource::from_file("GOOGLE_API_KEY_FILE", &path).unwrap_err();
            match (&err.problem, &expected) {
                (KeyFileProblem::Unreadable(_), KeyFileProblem::Unreadable(_)) => {}
                (got, want) => assert_eq!(got, want, "{name}"),
            }
            let text = err.to_string();
            assert!(text.starts_with("GOOGLE_API_KEY_FILE="), "{text}");
            assert!(text.contains(&path.display().to_string()), "{text}");
        }
        let err = ApiKeySource::from_file("GOOGLE_API_KEY_FILE", dir.path()).unwrap_err();
        assert_eq!(err.problem, KeyFileProblem::NotAFile);
    }

    #[test]
    fn a_changed_file_is_read_again_and_a_failed_read_keeps_the_last_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        write(&path, "sk-one");
        let source = ApiKeySource::from_file("ANTHROPIC_API_KEY_FILE", &path).unwrap();
        // A different length is a metadata change whatever the timestamp granularity.
        write(&path, "sk-second\n");
        assert_eq!(source.current().expose_secret(), "sk-second");
        std::fs::remove_file(&path).unwrap();
        assert_eq!(source.current().expose_secret(), "sk-second");
        write(&path, "");
        assert_eq!(source.current().expose_secret(), "sk-second");
        write(&path, "sk-third");
        assert_eq!(source.current().expose_secret(), "sk-third");
    }

    /// Collects formatted log lines.
    #[derive(Clone, Default)]
    struct Logs(std::sync::Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Logs {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failing_file_warns_once_per_outage_with_the_path_and_never_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        write(&path, "sk-secret-one");
        let source = ApiKeySource::from_file("MOONSHOT_API_KEY_FILE", &path).unwrap();
        let logs = Logs::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            std::fs::remove_file(&path).unwrap();
            for _ in 0..3 {
                assert_eq!(source.current().expose_secret(), "sk-secret-one");
            }
            write(&path, "sk-secret-second");
            assert_eq!(source.current().expose_secret(), "sk-secret-second");
            write(&path, "\n");
            assert_eq!(source.current().expose_secret(), "sk-secret-second");
            assert_eq!(source.current().expose_secret(), "sk-secret-second");
        });
        let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
        let warnings: Vec<&str> = text.lines().filter(|l| l.contains("WARN")).collect();
        assert_eq!(warnings.len(), 2, "one per outage: {text}");
        assert!(warnings[0].contains("cannot read the key file"), "{text}");
        assert!(warnings[1].contains("empty"), "{text}");
        for line in &warnings {
            assert!(line.contains("MOONSHOT_API_KEY_FILE"), "{text}");
            assert!(line.contains(&path.display().to_string()), "{text}");
        }
        assert!(!text.contains("sk-secret"), "the key leaked: {text}");
    }

    #[test]
    fn a_rejection_forces_a_read_that_metadata_would_skip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        write(&path, "sk-aaaa");
        let source = ApiKeySource::from_file("OPENAI_API_KEY_FILE", &path).unwrap();
        let used = source.current();
        // Same length, same modification time, same inode: the cheap check cannot see it.
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        std::io::Write::write_all(&mut &file, b"sk-bbbb").unwrap();
        file.set_modified(modified).unwrap();
        drop(file);
        assert_eq!(
            source.current().expose_secret(),
            "sk-aaaa",
            "metadata unchanged"
        );
        assert!(source.reload_after_rejection(&used));
        assert_eq!(source.current().expose_secret(), "sk-bbbb");
        // The file still holds the rejected key: nothing to retry with.
        assert!(!source.reload_after_rejection(&source.current()));
        let fixed = ApiKeySource::from(SecretString::from("sk-static"));
        assert!(!fixed.reload_after_rejection(&fixed.current()));
        assert_eq!(fixed.path(), None);
        assert_eq!(format!("{fixed:?}"), "Static([redacted])");
    }
}
