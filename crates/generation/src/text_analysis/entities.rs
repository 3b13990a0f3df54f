//! Concrete nouns worth repeating back: endpoints, file paths, identifiers, screens, named
//! services, HTTP status codes, tables and measured targets.

use std::sync::LazyLock;

use regex::Regex;

/// At most this many entities of one kind are kept; more is noise in generated prose.
const MAX_PER_KIND: usize = 8;

/// Concrete nouns found in ticket text, in order of first appearance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entities {
    /// HTTP endpoints, "POST /api/password-reset" or "/v1/orders/{id}".
    pub endpoints: Vec<String>,
    /// File paths, "src/api/auth.py".
    pub paths: Vec<String>,
    /// Code identifiers: `backticked`, snake_case or camelCase words.
    pub identifiers: Vec<String>,
    /// Screens and UI elements, "settings page", "checkout modal".
    pub screens: Vec<String>,
    /// Named products and services, "Stripe", "PostgreSQL".
    pub services: Vec<String>,
    /// HTTP status codes mentioned, "500".
    pub status_codes: Vec<String>,
    /// Database tables, "orders".
    pub tables: Vec<String>,
    /// Numeric targets with units, "200 ms", "10,000 rows".
    pub measures: Vec<String>,
}

impl Entities {
    /// Appends `other`'s entities that are not known yet.
    pub fn absorb(&mut self, other: Entities) {
        merge(&mut self.endpoints, other.endpoints);
        merge(&mut self.paths, other.paths);
        merge(&mut self.identifiers, other.identifiers);
        merge(&mut self.screens, other.screens);
        merge(&mut self.services, other.services);
        merge(&mut self.status_codes, other.status_codes);
        merge(&mut self.tables, other.tables);
        merge(&mut self.measures, other.measures);
    }
}

fn merge(into: &mut Vec<String>, from: Vec<String>) {
    for item in from {
        if into.len() >= MAX_PER_KIND {
            return;
        }
        if !into.iter().any(|known| known.eq_ignore_ascii_case(&item)) {
            into.push(item);
        }
    }
}

// A literal pattern; `every_pattern_compiles` compiles it in a unit test.
#[allow(clippy::expect_used)]
static ENDPOINT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(GET|POST|PUT|PATCH|DELETE)\s+(/[A-Za-z0-9_\-{}:./]*)")
        .expect("endpoint pattern compiles")
});
// A literal pattern; `every_pattern_compiles` compiles it in a unit test.
#[allow(clippy::expect_used)]
static BARE_ROUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[\s`(\x22'])(/(?:api|v\d+|webhooks?|internal|admin)(?:/[A-Za-z0-9_\-{}:.]+)+)",
    )
    .expect("route pattern compiles")
});
// A literal pattern; `every_pattern_compiles` compiles it in a unit test.
#[allow(clippy::expect_used)]
static PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)((?:[A-Za-z0-9_.\-]+/)+[A-Za-z0-9_\-]+\.(?:rs|py|ts|tsx|js|jsx|go|java|kt|rb|php|cs|sql|yaml|yml|json|toml|md|vue|swift|scala))(?-u:\b)")
        .expect("path pattern compiles")
});
// A literal pattern; `every_pattern_compiles` compiles it in a unit test.
#[allow(clippy::expect_used)]
static BACKTICKED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"`([^`\s]{2,60})`").expect("backtick pattern compiles"));
// A literal pattern; `every_pattern_compiles` compiles it in a unit test.
#[allow(clippy::expect_used)]
static SNAKE_OR_CAMEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)([a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z]+(?:[A-Z][a-z0-9]+)+)(?-u:\b)")
        .expect("identifier pattern compiles")
});
// A literal pattern; `every_pattern_compiles` compiles it in a unit test.
#[allow(clippy::expect_used)]
static STATUS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u:\b)([45]\d\d)(?-u:\b)").expect("status pattern compiles"));
// A literal pattern; `every_pattern_compiles` compiles it in a unit test.
#[allow(clippy::expect_used)]
static TABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:table\s+`?([a-z_][a-z0-9_]*)`?|`?([a-z_][a-z0-9_]*)`?\s+table)(?-u:\b)",
    )
    .expect("table pattern compiles")
});
// A literal pattern; `every_pattern_compiles` compiles it in a unit test.
#[allow(clippy::expect_used)]
static MEASURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(\d[\d,.]*\s?(?:ms|milliseconds?|seconds?|s|minutes?|rows|records|requests per second|rps|users|mb|gb|%))(?:\W|$)")
        .expect("measure pattern compiles")
});

/// Services whose names are worth repeating, with their canonical spelling.
const SERVICES: [&str; 34] = [
    "Stripe",
    "PayPal",
    "Adyen",
    "Braintree",
    "Twilio",
    "SendGrid",
    "Mailgun",
    "Slack",
    "Salesforce",
    "HubSpot",
    "Zapier",
    "PostgreSQL",
    "Postgres",
    "MySQL",
    "SQLite",
    "Redis",
    "Kafka",
    "RabbitMQ",
    "SQS",
    "S3",
    "Elasticsearch",
    "OpenSearch",
    "Okta",
    "Auth0",
    "Google",
    "GitHub",
    "Jira",
    "Confluence",
    "Firebase",
    "Segment",
    "Snowflake",
    "BigQuery",
    "Datadog",
    "Sentry",
];

/// True for product names that keep their capital letter inside a sentence ("Stripe").
pub fn is_known_name(word: &str) -> bool {
    let word = word.trim_matches(|c: char| !c.is_alphanumeric());
    SERVICES
        .iter()
        .any(|service| service.eq_ignore_ascii_case(word))
        && word.chars().next().is_some_and(char::is_uppercase)
}

/// Words that precede "page"/"form" without naming a screen.
const SCREEN_NOISE: [&str; 16] = [
    "the", "a", "an", "this", "that", "new", "same", "each", "every", "one", "web", "whole",
    "next", "previous", "first", "last",
];

/// UI nouns that name a screen when a word or two precede them.
const SCREEN_NOUNS: [&str; 10] = [
    "page",
    "screen",
    "modal",
    "dialog",
    "form",
    "tab",
    "panel",
    "widget",
    "dashboard",
    "view",
];

/// Words that end a screen name's lead-in rather than being part of it.
const SCREEN_BREAKERS: [&str; 14] = [
    "to", "on", "in", "of", "and", "or", "from", "is", "are", "with", "for", "at", "by", "via",
];

/// "the account settings page" → "account settings page": one or two words before a UI noun,
/// within one phrase. Done on words rather than with a regex because a case-insensitive
/// Unicode regex was the slowest part of analysing a long PRD.
fn screens(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for phrase in text.split(['.', ',', ';', ':', '!', '?', '(', ')', '\n', '"', '|']) {
        let words: Vec<&str> = phrase.split_whitespace().collect();
        for (index, word) in words.iter().enumerate() {
            let noun = word.to_ascii_lowercase();
            if index == 0 || !SCREEN_NOUNS.contains(&noun.as_str()) {
                continue;
            }
            let mut lead: Vec<String> = Vec::new();
            let before = words
                .get(index.saturating_sub(2)..index)
                .unwrap_or_default();
            for previous in before.iter().rev() {
                let lower = previous.to_ascii_lowercase();
                let is_word =
                    lower.len() >= 2 && lower.chars().all(|c| c.is_ascii_alphabetic() || c == '-');
                if !is_word
                    || SCREEN_BREAKERS.contains(&lower.as_str())
                    || SCREEN_NOISE.contains(&lower.as_str())
                {
                    break;
                }
                lead.insert(0, lower);
            }
            if !lead.is_empty() {
                found.push(format!("{} {noun}", lead.join(" ")));
            }
            if found.len() >= MAX_PER_KIND {
                return found;
            }
        }
    }
    found
}

/// Extracts entities from one text.
pub fn extract_entities(text: &str) -> Entities {
    let mut entities = Entities::default();
    let mut endpoints = Vec::new();
    for capture in ENDPOINT.captures_iter(text) {
        endpoints.push(format!(
            "{} {}",
            &capture[1],
            capture[2].trim_end_matches(['.', ','])
        ));
    }
    for capture in BARE_ROUTE.captures_iter(text) {
        let route = capture[1].trim_end_matches(['.', ',']).to_owned();
        if !endpoints
            .iter()
            .any(|known: &String| known.ends_with(&route))
        {
            endpoints.push(route);
        }
    }
    merge(&mut entities.endpoints, endpoints);
    merge(
        &mut entities.paths,
        PATH.captures_iter(text).map(|c| c[1].to_owned()).collect(),
    );
    let mut identifiers: Vec<String> = BACKTICKED
        .captures_iter(text)
        .map(|c| c[1].to_owned())
        .filter(|id| !id.starts_with('/') && !id.contains('.'))
        .collect();
    identifiers.extend(SNAKE_OR_CAMEL.captures_iter(text).map(|c| c[1].to_owned()));
    merge(&mut entities.identifiers, identifiers);
    merge(&mut entities.screens, screens(text));
    let words: std::collections::HashSet<String> = super::lexicon::words(text).collect();
    merge(
        &mut entities.services,
        SERVICES
            .iter()
            .filter(|service| words.contains(&service.to_ascii_lowercase()))
            .map(|service| (*service).to_owned())
            .collect(),
    );
    merge(
        &mut entities.status_codes,
        STATUS
            .captures_iter(text)
            .map(|c| c[1].to_owned())
            .collect(),
    );
    merge(
        &mut entities.tables,
        TABLE
            .captures_iter(text)
            .filter_map(|c| c.get(1).or_else(|| c.get(2)).map(|m| m.as_str().to_owned()))
            .filter(|name| {
                !matches!(
                    name.as_str(),
                    "the" | "a" | "this" | "that" | "new" | "lookup" | "join"
                )
            })
            .collect(),
    );
    merge(
        &mut entities.measures,
        MEASURE
            .captures_iter(text)
            .map(|c| c[1].trim().to_owned())
            .collect(),
    );
    entities
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_concrete_nouns() {
        let text = "Call POST /api/password-reset from the account settings page. Store \
                    `reset_token` in the password_resets table; respond within 200 ms. Emails go \
                    through SendGrid; see src/auth/reset.py. Currently returns 500.";
        let entities = extract_entities(text);
        assert_eq!(entities.endpoints, ["POST /api/password-reset"]);
        assert_eq!(entities.paths, ["src/auth/reset.py"]);
        assert!(entities.identifiers.contains(&"reset_token".to_owned()));
        assert_eq!(entities.screens, ["account settings page"]);
        assert_eq!(entities.services, ["SendGrid"]);
        assert_eq!(entities.status_codes, ["500"]);
        assert_eq!(entities.tables, ["password_resets"]);
        assert_eq!(entities.measures, ["200 ms"]);
    }

    #[test]
    fn every_pattern_compiles() {
        for pattern in [
            &ENDPOINT,
            &BARE_ROUTE,
            &PATH,
            &BACKTICKED,
            &SNAKE_OR_CAMEL,
            &STATUS,
            &TABLE,
            &MEASURE,
        ] {
            LazyLock::force(pattern);
        }
    }
}
