//! A word index over ticket text, and the keyword tables that turn it into domains and
//! technical contexts.
//!
//! Matching is by whole words (so "ui" does not match "build", a known flaw of the reference
//! implementation); a keyword ending in `*` matches any word starting with it, and a keyword of
//! several words matches them in sequence ("third-party" is the phrase "third party").

use std::borrow::Cow;
use std::collections::HashMap;

use crate::task::{Domain, TechnicalContext};

/// Word and phrase counts (1- and 2-grams) of a summary and of its supporting text, kept
/// apart because a word in the summary says more about a ticket than the same word in a PRD.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    summary: GramIndex,
    body: GramIndex,
}

/// Gram counts for exact look-ups, plus the grams in sorted order for prefix look-ups.
#[derive(Debug, Clone, Default)]
struct GramIndex {
    counts: HashMap<String, u32>,
    sorted: Vec<String>,
}

impl Lexicon {
    /// Indexes a summary and further texts.
    pub fn new(summary: &str, sources: &[&str]) -> Self {
        let mut lexicon = Lexicon::default();
        index_into(&mut lexicon.summary.counts, summary);
        for source in sources {
            index_into(&mut lexicon.body.counts, source);
        }
        for index in [&mut lexicon.summary, &mut lexicon.body] {
            index.sorted = index.counts.keys().cloned().collect();
            index.sorted.sort_unstable();
        }
        lexicon
    }

    /// Occurrences of `keyword` in the summary.
    pub fn summary_hits(&self, keyword: &str) -> u32 {
        count(&self.summary, keyword)
    }

    /// Occurrences of `keyword` in the supporting text.
    pub fn body_hits(&self, keyword: &str) -> u32 {
        count(&self.body, keyword)
    }

    /// Occurrences of `keyword` anywhere.
    pub fn hits(&self, keyword: &str) -> u32 {
        self.summary_hits(keyword) + self.body_hits(keyword)
    }

    /// The distinct single words of the summary, in sorted order.
    pub fn summary_words(&self) -> Vec<String> {
        self.summary
            .sorted
            .iter()
            .filter(|gram| !gram.contains(' '))
            .cloned()
            .collect()
    }

    /// True when any of `keywords` occurs anywhere.
    pub fn any(&self, keywords: &[&str]) -> bool {
        // Asked for every template the generator considers, so it stops at the first gram
        // found instead of counting them all.
        keywords
            .iter()
            .any(|keyword| occurs(&self.summary, keyword) || occurs(&self.body, keyword))
    }

    /// A relevance score: a summary mention counts 3, each body mention 1 (at most 3).
    pub fn score(&self, keywords: &[&str]) -> u32 {
        keywords
            .iter()
            .map(|keyword| 3 * self.summary_hits(keyword).min(1) + self.body_hits(keyword).min(3))
            .sum()
    }
}

/// Lower-cased words of `text`, split at anything that is not a letter or digit.
pub(crate) fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
}

fn index_into(index: &mut HashMap<String, u32>, text: &str) {
    // Lower-case once and slice: only grams not seen before allocate, which matters for long
    // PRDs where most words repeat.
    let lower = text.to_lowercase();
    let tokens: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect();
    let mut bigram = String::new();
    for (position, token) in tokens.iter().enumerate() {
        bump(index, token);
        if let Some(next) = tokens.get(position + 1) {
            bigram.clear();
            bigram.push_str(token);
            bigram.push(' ');
            bigram.push_str(next);
            bump(index, &bigram);
        }
    }
}

fn bump(index: &mut HashMap<String, u32>, gram: &str) {
    match index.get_mut(gram) {
        Some(count) => *count += 1,
        None => {
            index.insert(gram.to_owned(), 1);
        }
    }
}

/// `stem` as the index spells grams: lower-case words joined by single spaces. Keywords in
/// the tables are already written that way, so the common case borrows instead of
/// allocating.
fn normalise(stem: &str) -> Cow<'_, str> {
    let plain = !stem.is_empty()
        && !stem.starts_with(' ')
        && !stem.ends_with(' ')
        && !stem.contains("  ")
        && stem
            .chars()
            .all(|c| c == ' ' || (c.is_alphanumeric() && !c.is_uppercase()));
    if plain {
        Cow::Borrowed(stem)
    } else {
        Cow::Owned(words(stem).collect::<Vec<_>>().join(" "))
    }
}

/// True when `keyword` occurs at least once in `index`.
fn occurs(index: &GramIndex, keyword: &str) -> bool {
    let (stem, prefix) = match keyword.strip_suffix('*') {
        Some(stem) => (stem, true),
        None => (keyword, false),
    };
    let normalised = normalise(stem);
    if normalised.is_empty() {
        return false;
    }
    if !prefix {
        return index.counts.contains_key(normalised.as_ref());
    }
    let spaces = normalised.matches(' ').count();
    let start = index
        .sorted
        .partition_point(|gram| gram.as_str() < normalised.as_ref());
    index
        .sorted
        .iter()
        .skip(start)
        .take_while(|gram| gram.starts_with(normalised.as_ref()))
        .any(|gram| gram.matches(' ').count() == spaces)
}

fn count(index: &GramIndex, keyword: &str) -> u32 {
    let (stem, prefix) = match keyword.strip_suffix('*') {
        Some(stem) => (stem, true),
        None => (keyword, false),
    };
    let normalised = normalise(stem);
    if normalised.is_empty() {
        return 0;
    }
    if !prefix {
        return index.counts.get(normalised.as_ref()).copied().unwrap_or(0);
    }
    // A prefix match must stay within the same number of words as the keyword.
    let spaces = normalised.matches(' ').count();
    let start = index
        .sorted
        .partition_point(|gram| gram.as_str() < normalised.as_ref());
    index
        .sorted
        .iter()
        .skip(start)
        .take_while(|gram| gram.starts_with(normalised.as_ref()))
        .filter(|gram| gram.matches(' ').count() == spaces)
        .map(|gram| index.counts.get(gram).copied().unwrap_or(0))
        .sum()
}

/// Keywords per business domain.
const DOMAIN_KEYWORDS: [(Domain, &[&str]); 12] = [
    (
        Domain::Authentication,
        &[
            "login",
            "log in",
            "logged in",
            "sign in",
            "signin",
            "sign up",
            "signup",
            "password*",
            "auth",
            "authenticat*",
            "oauth",
            "sso",
            "saml",
            "mfa",
            "2fa",
            "two-factor",
            "otp",
            "session*",
            "logout",
            "log out",
            "credential*",
            "jwt",
        ],
    ),
    (
        Domain::Payments,
        &[
            "payment*",
            "checkout",
            "billing",
            "invoice*",
            "refund*",
            "charge*",
            "stripe",
            "paypal",
            "adyen",
            "braintree",
            "subscription*",
            "payout*",
            "credit card*",
            "currency",
            "currencies",
            "chargeback*",
        ],
    ),
    (
        Domain::Ecommerce,
        &[
            "cart*",
            "purchase*",
            "order fulfil*",
            "product*",
            "catalog*",
            "catalogue*",
            "inventory",
            "sku*",
            "shop*",
            "basket*",
            "coupon*",
            "discount*",
            "shipping",
            "storefront",
        ],
    ),
    (
        Domain::Healthcare,
        &[
            "patient*",
            "medical",
            "clinical",
            "clinician*",
            "hipaa",
            "diagnos*",
            "prescription*",
            "ehr",
            "appointment*",
            "healthcare",
        ],
    ),
    (
        Domain::Search,
        &[
            "search*",
            "autocomplete",
            "typeahead",
            "filter*",
            "facet*",
            "elasticsearch",
            "opensearch",
            "relevance",
            "ranking",
            "fuzzy",
        ],
    ),
    (
        Domain::Notifications,
        &[
            "notif*",
            "email*",
            "e mail",
            "sms",
            "push notification*",
            "reminder*",
            "alert*",
            "digest*",
            "sendgrid",
            "twilio",
            "mailgun",
            "unsubscribe*",
        ],
    ),
    (
        Domain::Reporting,
        &[
            "report*",
            "dashboard*",
            "analytics",
            "metric*",
            "chart*",
            "kpi*",
            "export*",
            "csv",
            "xlsx",
            "insight*",
        ],
    ),
    (
        Domain::DataMigration,
        &[
            "migrat*",
            "backfill*",
            "etl",
            "schema change*",
            "legacy data",
            "cutover",
            "data transfer",
            "decommission*",
            "re-platform*",
        ],
    ),
    (
        Domain::Performance,
        &[
            "performance",
            "latency",
            "slow*",
            "timeout*",
            "throughput",
            "p95",
            "p99",
            "optimi*",
            "load time*",
            "speed up",
            "faster",
        ],
    ),
    (
        Domain::Integration,
        &[
            "webhook*",
            "integrat*",
            "third-party",
            "third party",
            "sync*",
            "api key*",
            "external",
            "connector*",
            "salesforce",
            "hubspot",
            "slack",
            "zapier",
        ],
    ),
    (
        Domain::UserManagement,
        &[
            "profile*",
            "account*",
            "role*",
            "permission*",
            "invit*",
            "onboard*",
            "user management",
            "team member*",
            "rbac",
            "deactivat*",
        ],
    ),
    (
        Domain::FileHandling,
        &[
            "upload*",
            "download*",
            "attachment*",
            "file*",
            "pdf*",
            "image*",
            "s3",
            "bucket*",
            "import*",
        ],
    ),
];

/// Domains with a score of at least 2 and at least half the leader's, strongest first; ties
/// keep the table order. A domain far weaker than the leader is noise.
pub fn domain_scores(lexicon: &Lexicon) -> Vec<(Domain, u32)> {
    let mut scored: Vec<(u32, usize, Domain)> = DOMAIN_KEYWORDS
        .iter()
        .enumerate()
        .map(|(order, (domain, keywords))| (lexicon.score(keywords), order, *domain))
        .filter(|(score, _, _)| *score >= 2)
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let top = scored.first().map_or(0, |(score, _, _)| *score);
    scored
        .into_iter()
        .filter(|(score, _, _)| score * 2 >= top)
        .map(|(score, _, domain)| (domain, score))
        .collect()
}

/// The domains of [`domain_scores`], without their scores.
pub fn detect_domains(lexicon: &Lexicon) -> Vec<Domain> {
    domain_scores(lexicon)
        .into_iter()
        .map(|(domain, _)| domain)
        .collect()
}

/// Keywords per technical context.
const CONTEXT_KEYWORDS: [(TechnicalContext, &[&str]); 8] = [
    (
        TechnicalContext::Api,
        &[
            "api",
            "apis",
            "endpoint*",
            "rest",
            "restful",
            "graphql",
            "http",
            "grpc",
            "webhook*",
            "openapi",
        ],
    ),
    (
        TechnicalContext::Database,
        &[
            "database*",
            "db",
            "sql",
            "postgres*",
            "mysql",
            "sqlite",
            "table*",
            "column*",
            "schema*",
            "migrat*",
            "query",
            "queries",
            "persist*",
            "backfill*",
        ],
    ),
    (
        TechnicalContext::Ui,
        &[
            "ui",
            "page*",
            "screen*",
            "form*",
            "button*",
            "modal*",
            "dialog*",
            "component*",
            "frontend",
            "front end",
            "toggle*",
            "tab",
            "tabs",
            "layout*",
            "css",
            "react",
            "vue",
            "angular",
            "browser*",
            "dashboard*",
            "web app",
            "dark mode",
        ],
    ),
    (
        TechnicalContext::Mobile,
        &[
            "mobile",
            "ios",
            "android",
            "iphone",
            "ipad",
            "tablet*",
            "react native",
            "flutter",
            "app store",
        ],
    ),
    (
        TechnicalContext::Cache,
        &["cache*", "caching", "memcache*", "ttl", "cdn"],
    ),
    (
        TechnicalContext::Queue,
        &[
            "queue*",
            "kafka",
            "rabbitmq",
            "sqs",
            "pubsub",
            "background job*",
            "worker*",
            "cron",
            "consumer*",
            "scheduled job*",
            "batch job*",
        ],
    ),
    (
        TechnicalContext::ExternalService,
        &[
            "stripe",
            "paypal",
            "adyen",
            "twilio",
            "sendgrid",
            "mailgun",
            "salesforce",
            "hubspot",
            "slack",
            "third-party",
            "third party",
            "external",
            "webhook*",
            "oauth",
            "provider*",
        ],
    ),
    (
        TechnicalContext::Storage,
        &[
            "s3",
            "bucket*",
            "blob*",
            "file storage",
            "upload*",
            "attachment*",
            "object storage",
            "gcs",
        ],
    ),
];

/// Technical contexts with at least one mention, in enum order.
pub fn detect_contexts(lexicon: &Lexicon) -> Vec<TechnicalContext> {
    CONTEXT_KEYWORDS
        .iter()
        .filter(|(_, keywords)| lexicon.any(keywords))
        .map(|(context, _)| *context)
        .collect()
}
