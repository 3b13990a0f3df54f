//! Jira issue keys (`PROJ-123`), parsed once at the edge so the rest of the code never re-checks them.
//!
//! Users paste keys in many forms: bare (`proj-123`), with spaces, or as a browse URL
//! (`https://acme.atlassian.net/browse/PROJ-123`, `.../issues/?selectedIssue=PROJ-123`). `parse`
//! accepts those and rejects anything that does not contain exactly one plausible key, unlike the
//! reference implementation, which passed arbitrary strings through to Jira.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Longest project key Jira allows (admin-configurable up to 255, default 10; we accept the max).
const MAX_PROJECT_KEY_LEN: usize = 255;

/// A validated Jira issue key: an upper-case project key (letter first, then letters, digits or
/// `_`) and a positive issue number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IssueKey {
    project: String,
    number: u64,
}

/// Why a string is not an issue key; the message tells the user what a valid one looks like.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueKeyError {
    #[error("issue key is empty; expected a key like PROJ-123 or a Jira issue URL")]
    Empty,
    #[error("'{0}' is not a Jira issue key; expected a key like PROJ-123 or a Jira issue URL")]
    Invalid(String),
    #[error("'{input}' names more than one issue ({first}, {second}); pass exactly one key")]
    Ambiguous {
        input: String,
        first: String,
        second: String,
    },
}

impl IssueKey {
    /// Parses a key or a URL containing one key. Lower-case keys are upper-cased, as Jira does.
    pub fn parse(input: &str) -> Result<Self, IssueKeyError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(IssueKeyError::Empty);
        }
        if let Some(key) = Self::parse_exact(trimmed) {
            return Ok(key);
        }
        if !trimmed.contains('/') && !trimmed.contains('=') {
            return Err(IssueKeyError::Invalid(shorten(trimmed)));
        }
        // A URL: look for keys in its path segments and query values, ignoring the host.
        let without_scheme = trimmed.split_once("://").map_or(trimmed, |(_, rest)| rest);
        let after_host = without_scheme.split_once('/').map_or("", |(_, rest)| rest);
        let mut found: Option<IssueKey> = None;
        for token in after_host.split(['/', '?', '&', '=', '#']) {
            if let Some(key) = Self::parse_exact(token) {
                match &found {
                    None => found = Some(key),
                    Some(first) if *first == key => {}
                    Some(first) => {
                        return Err(IssueKeyError::Ambiguous {
                            input: shorten(trimmed),
                            first: first.to_string(),
                            second: key.to_string(),
                        });
                    }
                }
            }
        }
        found.ok_or_else(|| IssueKeyError::Invalid(shorten(trimmed)))
    }

    fn parse_exact(token: &str) -> Option<Self> {
        let (project, number) = token.rsplit_once('-')?;
        if project.is_empty() || project.len() > MAX_PROJECT_KEY_LEN {
            return None;
        }
        let mut chars = project.chars();
        if !chars.next()?.is_ascii_alphabetic() {
            return None;
        }
        if !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        if number.is_empty() || number.len() > 18 || !number.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let number: u64 = number.parse().ok()?;
        if number == 0 {
            return None;
        }
        Some(Self {
            project: project.to_ascii_uppercase(),
            number,
        })
    }

    /// The project part, e.g. `PROJ`.
    pub fn project(&self) -> &str {
        &self.project
    }

    /// The issue number, e.g. `123`.
    pub fn number(&self) -> u64 {
        self.number
    }
}

fn shorten(input: &str) -> String {
    const MAX: usize = 80;
    if input.chars().count() <= MAX {
        input.to_owned()
    } else {
        let mut s: String = input.chars().take(MAX).collect();
        s.push('…');
        s
    }
}

impl fmt::Display for IssueKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.project, self.number)
    }
}

impl FromStr for IssueKey {
    type Err = IssueKeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for IssueKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IssueKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_keys_and_urls() {
        let cases = [
            ("PROJ-123", "PROJ-123"),
            ("  proj-7 ", "PROJ-7"),
            ("AB_2-1", "AB_2-1"),
            ("https://acme.atlassian.net/browse/DEMO-42", "DEMO-42"),
            (
                "https://acme.atlassian.net/browse/DEMO-42?focusedCommentId=1",
                "DEMO-42",
            ),
            (
                "https://acme.atlassian.net/jira/software/projects/DEMO/issues/?selectedIssue=DEMO-9",
                "DEMO-9",
            ),
            ("https://acme.atlassian.net/browse/DEMO-5/DEMO-5", "DEMO-5"),
        ];
        for (input, want) in cases {
            assert_eq!(IssueKey::parse(input).unwrap().to_string(), want, "{input}");
        }
    }

    #[test]
    fn rejects_non_keys() {
        for input in [
            "PROJ",
            "123",
            "PROJ-",
            "-1",
            "1PROJ-2",
            "PROJ-0",
            "PR OJ-1",
            "PROJ-1a",
            "https://x.net/",
        ] {
            assert!(
                matches!(IssueKey::parse(input), Err(IssueKeyError::Invalid(_))),
                "{input}"
            );
        }
        assert_eq!(IssueKey::parse("  "), Err(IssueKeyError::Empty));
    }

    #[test]
    fn host_names_that_look_like_keys_are_ignored() {
        let key = IssueKey::parse("https://team-1.example.com/browse/OPS-3").unwrap();
        assert_eq!(key.to_string(), "OPS-3");
    }

    #[test]
    fn two_different_keys_are_ambiguous() {
        let err = IssueKey::parse("https://x.net/browse/A-1?selectedIssue=B-2").unwrap_err();
        assert!(
            err.to_string().contains("A-1") && err.to_string().contains("B-2"),
            "{err}"
        );
    }

    #[test]
    fn serde_round_trip_validates() {
        let key: IssueKey = serde_json::from_str("\"demo-1\"").unwrap();
        assert_eq!(serde_json::to_string(&key).unwrap(), "\"DEMO-1\"");
        assert!(serde_json::from_str::<IssueKey>("\"nope\"").is_err());
    }

    #[test]
    fn parts_are_exposed() {
        let key = IssueKey::parse("ABC-10").unwrap();
        assert_eq!((key.project(), key.number()), ("ABC", 10));
    }
}
