//! Rule libraries the offline generator composes from, keyed by business domain and by
//! technical context. Templates name the ticket's own words with placeholders, filled by
//! [`Vars::fill`]: `{topic}`, `{object}`, `{role}`, `{service}`, `{endpoint}`, `{screen}`,
//! `{table}`.

use crate::task::{Domain, TechnicalContext};
use crate::text_analysis::Analysis;

/// The ticket's words that templates refer to.
#[derive(Debug, Clone)]
pub(crate) struct Vars {
    pub topic: String,
    pub object: String,
    pub role: String,
    pub service: String,
    pub endpoint: String,
    pub screen: String,
    pub table: String,
}

impl Vars {
    /// Picks the words from an analysis, with neutral defaults where the ticket names nothing.
    pub fn from_analysis(analysis: &Analysis) -> Self {
        let topic = if analysis.summary.topic.is_empty() {
            analysis.summary.clean.clone()
        } else {
            core_topic(&crate::text_analysis::lower_first(&analysis.summary.topic))
        };
        let slug = analysis.summary.slug().replace('_', "-");
        let service = analysis
            .entities
            .services
            .iter()
            .find(|s| {
                !matches!(
                    s.as_str(),
                    "PostgreSQL"
                        | "Postgres"
                        | "MySQL"
                        | "SQLite"
                        | "Redis"
                        | "Jira"
                        | "Confluence"
                )
            })
            .cloned()
            .unwrap_or_else(|| "the provider".to_owned());
        Vars {
            object: crate::text_analysis::lower_first(&analysis.summary.object),
            role: analysis.role.clone(),
            service,
            endpoint: analysis
                .entities
                .endpoints
                .first()
                .map(|e| format!("`{e}`"))
                .unwrap_or_else(|| format!("the {topic} endpoint")),
            screen: analysis
                .entities
                .screens
                .first()
                .cloned()
                .unwrap_or_else(|| format!("{topic} screen")),
            table: analysis
                .entities
                .tables
                .first()
                .map(|t| format!("`{t}`"))
                .unwrap_or_else(|| format!("the {slug} table")),
            topic,
        }
    }

    /// Replaces the placeholders in `template`.
    pub fn fill(&self, template: &str) -> String {
        let filled = template
            .replace("{topic}", &self.topic)
            .replace("{object}", &self.object)
            .replace("{role}", &self.role)
            .replace("{service}", &self.service)
            .replace("{endpoint}", &self.endpoint)
            .replace("{screen}", &self.screen)
            .replace("{table}", &self.table);
        collapse_repeated_words(&filled)
    }
}

/// Generic trailing words that name the container rather than the subject ("sales reporting
/// dashboard" is about sales reporting).
const CONTAINER_WORDS: [&str; 14] = [
    "dashboard",
    "dashboards",
    "options",
    "alternatives",
    "approaches",
    "feature",
    "features",
    "epic",
    "system",
    "module",
    "button",
    "page",
    "screen",
    "functionality",
];

/// The topic without trailing container words, unless nothing would remain.
pub(crate) fn core_topic(topic: &str) -> String {
    let mut words: Vec<&str> = topic.split_whitespace().collect();
    while words.len() > 1
        && words
            .last()
            .is_some_and(|last| CONTAINER_WORDS.contains(&last.to_lowercase().as_str()))
    {
        words.pop();
    }
    words.join(" ")
}

/// "the migration migration job" → "the migration job": a topic that already ends in the
/// word a template adds.
fn collapse_repeated_words(text: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for word in text.split(' ') {
        if let Some(previous) = out.last()
            && previous.eq_ignore_ascii_case(word)
            && word.chars().all(char::is_alphabetic)
        {
            continue;
        }
        out.push(word);
    }
    out.join(" ")
}

/// A test scenario template: title, the action (When) and the expected result (Then).
pub(crate) type Scenario = (&'static str, &'static str, &'static str);

/// A failure-mode template: trigger, impact, mitigation.
pub(crate) type Failure = (&'static str, &'static str, &'static str);

/// What the generator knows about one business domain.
pub(crate) struct DomainRules {
    /// Why users care, completing "so that ...".
    pub benefit: &'static str,
    /// What a defect in this domain costs, for bug descriptions.
    pub impact: &'static str,
    /// Scope items the domain always needs.
    pub scopes: &'static [&'static str],
    /// Observable outcomes.
    pub outcomes: &'static [&'static str],
    /// Invalid input and failing dependencies.
    pub negatives: &'static [Scenario],
    /// Boundaries and unusual valid situations.
    pub edges: &'static [Scenario],
    /// Abuse and data exposure.
    pub security: &'static [Scenario],
    /// Things that go wrong in production.
    pub failures: &'static [Failure],
    /// Likely root causes of a defect.
    pub root_causes: &'static [&'static str],
}

pub(crate) fn domain_rules(domain: Domain) -> &'static DomainRules {
    match domain {
        Domain::Authentication => &AUTHENTICATION,
        Domain::Payments => &PAYMENTS,
        Domain::Ecommerce => &ECOMMERCE,
        Domain::Healthcare => &HEALTHCARE,
        Domain::Search => &SEARCH,
        Domain::Notifications => &NOTIFICATIONS,
        Domain::Reporting => &REPORTING,
        Domain::DataMigration => &DATA_MIGRATION,
        Domain::Performance => &PERFORMANCE,
        Domain::Integration => &INTEGRATION,
        Domain::UserManagement => &USER_MANAGEMENT,
        Domain::FileHandling => &FILE_HANDLING,
        Domain::General => &GENERAL,
    }
}

static AUTHENTICATION: DomainRules = DomainRules {
    benefit: "they can get into their account securely without contacting support",
    impact: "Affected users cannot get into their accounts, which blocks everything else they came to do and drives support tickets.",
    scopes: &[
        "Rate-limit {topic} attempts per account and per IP, and answer identically whether or not the account exists",
        "Issue single-use, time-limited tokens and invalidate them after use or after a password change",
        "Record {topic} events (success, failure, lockout) in the audit log without storing secrets",
    ],
    outcomes: &[
        "Legitimate users complete {topic} on the first attempt",
        "Brute-force and enumeration attempts are throttled and logged",
    ],
    negatives: &[
        (
            "Wrong credentials are rejected",
            "the {role} submits an incorrect password",
            "the request is refused with a generic error that does not say which field was wrong",
        ),
        (
            "Expired token is rejected",
            "the {role} uses a token after it expired",
            "the request is refused, the token stays unusable and the {role} can request a new one",
        ),
    ],
    edges: &[
        (
            "Email is matched case-insensitively",
            "the {role} enters their email in a different letter case or with surrounding spaces",
            "the account is found and the flow proceeds normally",
        ),
        (
            "Token reuse is blocked",
            "the {role} opens the same link a second time",
            "the second attempt is refused and no state changes",
        ),
    ],
    security: &[
        (
            "Brute force is throttled",
            "the same account receives 10 failed attempts within a minute",
            "further attempts are rejected with 429 for the lockout window and an audit event is written",
        ),
        (
            "Account existence is not revealed",
            "{topic} is requested for an email that has no account",
            "the response is identical in body and timing to that for an existing account",
        ),
    ],
    failures: &[
        (
            "The identity store or session store is unavailable",
            "Nobody can sign in for the duration",
            "Fail closed with a clear retry message, alert on error rate, and keep existing sessions valid",
        ),
        (
            "Token secret rotated without a grace period",
            "Outstanding links and sessions stop working",
            "Support two active keys during rotation",
        ),
    ],
    root_causes: &[
        "Input normalisation differs between sign-up and sign-in (case, whitespace, encoding of characters such as '+')",
        "Session or token validation rejects values that were issued by an older code path",
    ],
};

static PAYMENTS: DomainRules = DomainRules {
    benefit: "payments are collected once, reliably, and reconcile with the books",
    impact: "Affected customers cannot pay or are charged incorrectly, which loses revenue directly and creates refunds and disputes.",
    scopes: &[
        "Make {topic} idempotent using the {service} event or idempotency key, so retries never double-charge",
        "Store amounts as integer minor units with an explicit currency; never use floating point",
        "Record every state change of a payment for audit and reconciliation",
    ],
    outcomes: &[
        "Every successful payment is recorded exactly once, even when {service} retries delivery",
        "Finance can reconcile {topic} records against {service} reports without manual fixes",
    ],
    negatives: &[
        (
            "Declined card is handled",
            "{service} declines the payment",
            "the order stays unpaid, the {role} sees the decline reason and can retry with another method",
        ),
        (
            "Duplicate delivery is ignored",
            "{service} delivers the same event twice",
            "the second delivery is acknowledged but changes nothing",
        ),
    ],
    edges: &[
        (
            "Zero-decimal and three-decimal currencies",
            "a payment is made in JPY and in KWD",
            "amounts are stored and displayed with the currency's own precision",
        ),
        (
            "Partial refund",
            "a partial refund is issued for a captured payment",
            "the remaining balance and payment status are updated correctly",
        ),
    ],
    security: &[
        (
            "Unsigned webhook is rejected",
            "a request arrives without a valid {service} signature",
            "it is rejected with 400 and nothing is recorded",
        ),
        (
            "Card data never stored",
            "a payment is processed end to end",
            "no card number or CVC appears in the database, logs or error messages",
        ),
    ],
    failures: &[
        (
            "{service} times out or returns 5xx",
            "Payments stall and customers retry, risking duplicates",
            "Retry with exponential backoff using the same idempotency key; surface a pending state",
        ),
        (
            "Events arrive out of order",
            "A refunded payment is marked paid again",
            "Apply events by their timestamp/version and ignore older ones",
        ),
    ],
    root_causes: &[
        "Non-idempotent handling of retried requests or redelivered events",
        "Rounding in floating-point amount arithmetic or a currency-precision mismatch",
    ],
};

static ECOMMERCE: DomainRules = DomainRules {
    benefit: "they can find, buy and track what they want without friction",
    impact: "Affected shoppers cannot complete their purchase, which loses sales and trust.",
    scopes: &[
        "Keep {topic} consistent with inventory: reserve stock on checkout and release it on cancellation",
        "Handle price, tax and discount changes between viewing and ordering explicitly",
    ],
    outcomes: &[
        "Shoppers see accurate stock and prices for {topic}",
        "Orders and inventory stay consistent under concurrent purchases",
    ],
    negatives: &[
        (
            "Out-of-stock item",
            "the {role} orders an item that sold out meanwhile",
            "the order is refused with a clear message and no stock goes negative",
        ),
        (
            "Invalid coupon",
            "the {role} applies an expired coupon",
            "the coupon is rejected and the total is unchanged",
        ),
    ],
    edges: &[(
        "Last item bought concurrently",
        "two {role}s order the last unit at the same moment",
        "exactly one order succeeds and the other is told the item is out of stock",
    )],
    security: &[(
        "Price cannot be tampered with",
        "the client submits a modified price",
        "the server recalculates the price and ignores the submitted one",
    )],
    failures: &[(
        "Inventory service unavailable",
        "Orders cannot be placed",
        "Queue the reservation or fail fast with a retry message; never oversell",
    )],
    root_causes: &[
        "A race between stock check and reservation",
        "Stale cached prices or inventory",
    ],
};

static HEALTHCARE: DomainRules = DomainRules {
    benefit: "care teams have the right patient information while privacy rules are respected",
    impact: "Clinicians lose access to or see wrong patient information, which risks patient safety and compliance.",
    scopes: &[
        "Restrict {topic} to authorised roles and log every access to patient data (HIPAA audit trail)",
        "Encrypt patient data in transit and at rest; keep it out of logs",
    ],
    outcomes: &["Only authorised staff can see {topic} and every access is audited"],
    negatives: &[(
        "Unauthorised role is refused",
        "a user without a care relationship opens the record",
        "access is refused and the attempt is audited",
    )],
    edges: &[(
        "Merged patient records",
        "the patient record was merged with a duplicate",
        "{topic} shows data from the surviving record only",
    )],
    security: &[(
        "No patient data in logs",
        "the flow runs with debug logging on",
        "logs contain identifiers only, never names, diagnoses or notes",
    )],
    failures: &[(
        "Audit log write fails",
        "Access happens without a trace, breaking compliance",
        "Fail the access if the audit entry cannot be written",
    )],
    root_causes: &[
        "Missing authorisation check on one code path",
        "Identifier mismatch between systems",
    ],
};

static SEARCH: DomainRules = DomainRules {
    benefit: "they find what they are looking for quickly",
    impact: "Users cannot find existing items, so they give up or create duplicates.",
    scopes: &[
        "Keep the {topic} index in sync with source data on create, update and delete",
        "Paginate results with a stable sort order and a maximum page size",
    ],
    outcomes: &[
        "Relevant results appear for typical queries, including partial words",
        "Empty and failed searches show a helpful message instead of an error page",
    ],
    negatives: &[(
        "No results",
        "the {role} searches for a term that matches nothing",
        "an empty state with suggestions is shown and no error is logged",
    )],
    edges: &[
        (
            "Special characters in query",
            "the query contains quotes, accents or operators such as `AND`",
            "the query is treated as text and returns matching results",
        ),
        (
            "Last page",
            "the {role} pages past the final result",
            "an empty last page is returned, not an error",
        ),
    ],
    security: &[(
        "Results respect permissions",
        "the {role} searches for items they may not see",
        "those items are absent from results and counts",
    )],
    failures: &[(
        "Index lags behind the database",
        "New items are missing from results",
        "Index on write via events and run a periodic reconciliation",
    )],
    root_causes: &[
        "Index not updated on one write path",
        "Analyzer or tokenizer mismatch between indexing and querying",
    ],
};

static NOTIFICATIONS: DomainRules = DomainRules {
    benefit: "they learn about what matters to them promptly, and only that",
    impact: "Users miss messages they depend on, or receive duplicates and unwanted ones.",
    scopes: &[
        "Send {topic} messages through a queue with retries, so that slowness at {service} never blocks the request",
        "Respect each user's notification preferences and include an unsubscribe link where required",
        "Render messages from versioned templates with the user's locale",
    ],
    outcomes: &[
        "{topic} messages arrive within a minute of the triggering event",
        "Users who opted out receive nothing",
    ],
    negatives: &[
        (
            "Provider rejects the message",
            "{service} returns an error for the recipient",
            "the failure is recorded, retried with backoff and surfaced after the last attempt",
        ),
        (
            "Opted-out user",
            "the event fires for a user who unsubscribed",
            "no message is sent and the skip is recorded",
        ),
    ],
    edges: &[(
        "Burst of events",
        "the same event fires several times within a minute",
        "the user receives one message, not several",
    )],
    security: &[(
        "No sensitive data in message",
        "a {topic} message is rendered",
        "it contains no passwords, tokens beyond a single-use link, or full card numbers",
    )],
    failures: &[(
        "{service} outage",
        "Messages are delayed",
        "Queue and retry with backoff; alert when the queue age exceeds the SLO",
    )],
    root_causes: &[
        "Event emitted twice or consumer not idempotent",
        "Template or preference lookup failing silently",
    ],
};

static REPORTING: DomainRules = DomainRules {
    benefit: "they can make decisions from accurate, current data without asking an engineer",
    impact: "Decisions are made on wrong or missing numbers, and people stop trusting the reports.",
    scopes: &[
        "Apply the same filters and permissions to {topic} as to the data shown on screen",
        "Stream large result sets instead of loading them into memory, with a documented row limit",
        "State the time zone and the data freshness with every result",
    ],
    outcomes: &[
        "Displayed and exported figures match the source data for the chosen period",
        "Large requests finish without timeouts and state the time zone used",
    ],
    negatives: &[
        (
            "Empty period",
            "the {role} requests {topic} for a period with no data",
            "an empty result with headers is produced, not an error",
        ),
        (
            "Invalid date range",
            "the end date is before the start date",
            "the request is rejected with a message naming the date fields",
        ),
    ],
    edges: &[
        (
            "Values needing escaping",
            "a field contains commas, quotes, line breaks or a leading '=' ",
            "values are quoted and escaped so spreadsheets show them verbatim and never run formulas",
        ),
        (
            "Daylight-saving boundary",
            "the period spans a daylight-saving change",
            "rows are bucketed by the {role}'s time zone without gaps or duplicates",
        ),
    ],
    security: &[(
        "Data limited to the requester's scope",
        "the {role} requests {topic}",
        "only records they are permitted to see are included",
    )],
    failures: &[(
        "Report query scans too much data",
        "Timeouts and load on the primary database",
        "Run on a read replica with indexes on the filter columns and a row limit",
    )],
    root_causes: &[
        "Time-zone conversion applied twice or not at all",
        "Filters applied differently in the export path than on screen",
    ],
};

static DATA_MIGRATION: DomainRules = DomainRules {
    benefit: "data moves to the new model without loss or downtime",
    impact: "Records are lost, duplicated or corrupted, and every feature reading them misbehaves.",
    scopes: &[
        "Write the {topic} migration as an idempotent, resumable job that processes rows in batches",
        "Provide a dry-run mode that reports counts and rejected rows without writing",
        "Reconcile source and target counts and checksums after each run",
        "Keep the old and new schema readable during the transition (expand, migrate, contract)",
    ],
    outcomes: &[
        "All rows are migrated, or listed with the reason they were rejected",
        "The {topic} migration can be re-run safely and resumes where it stopped",
    ],
    negatives: &[(
        "Invalid source rows",
        "source rows have nulls or malformed values in required fields",
        "they are skipped, reported with their ids and the run continues",
    )],
    edges: &[
        (
            "Re-run is idempotent",
            "the {topic} migration is run twice",
            "the second run changes nothing and reports zero new rows",
        ),
        (
            "Interrupted run resumes",
            "the job stops halfway",
            "the next run continues from the last committed batch",
        ),
    ],
    security: &[(
        "Sensitive columns stay protected",
        "personal data is migrated",
        "it stays encrypted or masked in the target and never appears in job logs",
    )],
    failures: &[
        (
            "Long-running migration locks a large table",
            "Writes block and the application times out",
            "Migrate in small batches outside peak hours, with lock timeouts",
        ),
        (
            "Migration partially applied",
            "Old and new code disagree about the data",
            "Keep both schemas readable until reconciliation passes",
        ),
    ],
    root_causes: &[
        "Mapping rule missing for a legacy value",
        "Batch boundaries skipping or repeating rows",
    ],
};

static PERFORMANCE: DomainRules = DomainRules {
    benefit: "pages and APIs stay fast under real load",
    impact: "Slow responses frustrate users, cause timeouts and raise infrastructure cost.",
    scopes: &[
        "Measure the current p50/p95 latency of {topic} and record the baseline",
        "Remove the dominant cost found by profiling (N+1 queries, missing indexes, unbounded payloads)",
        "Add a latency dashboard and an alert on the p95 target",
    ],
    outcomes: &["{topic} meets its p95 latency target under expected load"],
    negatives: &[(
        "Dependency slow",
        "a downstream dependency answers slowly",
        "the request times out at the configured limit with a clear error instead of hanging",
    )],
    edges: &[(
        "Cold cache",
        "the first request runs after a deploy",
        "it still completes within the timeout",
    )],
    security: &[],
    failures: &[(
        "Cache stampede after expiry",
        "Load spikes on the database",
        "Use request coalescing or jittered expiry",
    )],
    root_causes: &[
        "N+1 queries or a missing index",
        "Unbounded result sets or payloads",
    ],
};

static INTEGRATION: DomainRules = DomainRules {
    benefit: "data flows between systems automatically and stays consistent",
    impact: "Data stops flowing between systems and has to be fixed by hand.",
    scopes: &[
        "Verify the signature or credentials of every inbound {service} call",
        "Make processing idempotent by the external event id and store it",
        "Call {service} with timeouts and retries with backoff, honouring Retry-After",
    ],
    outcomes: &[
        "Changes propagate to and from {service} without manual steps",
        "Failed deliveries are retried and visible to operators",
    ],
    negatives: &[
        (
            "Malformed payload",
            "{service} sends a payload missing required fields",
            "it is rejected with 400, logged with its id and not retried",
        ),
        (
            "External timeout",
            "{service} does not answer within the timeout",
            "the call is retried with backoff and the item is marked pending",
        ),
    ],
    edges: &[
        (
            "Duplicate event",
            "{service} delivers the same event twice",
            "the second delivery is acknowledged and ignored",
        ),
        (
            "Out-of-order events",
            "an older event arrives after a newer one",
            "the newer state is kept",
        ),
    ],
    security: &[(
        "Invalid signature rejected",
        "a request carries a wrong or missing signature",
        "it is rejected with 401/400 and nothing is processed",
    )],
    failures: &[
        (
            "{service} is down or rate-limits us",
            "Sync stalls and a backlog builds",
            "Queue with retries, honour Retry-After and alert on backlog age",
        ),
        (
            "Credentials expire or are revoked",
            "Every call fails",
            "Alert on authentication errors and document the rotation procedure",
        ),
    ],
    root_causes: &[
        "Retries without idempotency",
        "Mapping of external fields out of date with the provider's API version",
    ],
};

static USER_MANAGEMENT: DomainRules = DomainRules {
    benefit: "the right people have the right access without manual admin work",
    impact: "People get the wrong access or are locked out, which blocks work or exposes data.",
    scopes: &[
        "Check permissions on the server for every {topic} action, not only in the UI",
        "Audit who changed which account or role, and when",
    ],
    outcomes: &[
        "{role}s can manage {topic} themselves",
        "Permission changes take effect immediately",
    ],
    negatives: &[(
        "Insufficient permission",
        "a {role} without the admin role attempts the change",
        "the server refuses with 403 and nothing changes",
    )],
    edges: &[(
        "Last administrator",
        "the only administrator removes their own admin role",
        "the change is refused so the account keeps an administrator",
    )],
    security: &[(
        "Cannot edit another tenant's users",
        "a {role} changes a user id in the request to one from another organisation",
        "the request fails with 404 and no data leaks",
    )],
    failures: &[(
        "Role cache stale after change",
        "Removed access still works for a while",
        "Invalidate cached permissions on change",
    )],
    root_causes: &[
        "Permission checked only in the UI",
        "Cached roles not invalidated",
    ],
};

static FILE_HANDLING: DomainRules = DomainRules {
    benefit: "they can move files in and out without errors or waiting",
    impact: "Users cannot get their files in or out, so work stalls or is redone by hand.",
    scopes: &[
        "Validate file type by content and enforce a size limit before processing",
        "Process large files in the background and stream them instead of buffering in memory",
    ],
    outcomes: &[
        "Files up to the documented size limit are processed successfully",
        "Rejected files come with a message saying what to fix",
    ],
    negatives: &[
        (
            "Wrong file type",
            "the {role} uploads a file of an unsupported type",
            "it is rejected with a message listing accepted types",
        ),
        (
            "File too large",
            "the file exceeds the size limit",
            "it is rejected before upload completes, with the limit stated",
        ),
    ],
    edges: &[
        (
            "Unicode file name",
            "the file name contains spaces, accents and emoji",
            "the file is stored and downloaded with its name intact",
        ),
        (
            "Empty file",
            "the file has zero bytes or only a header row",
            "the {role} is told there is nothing to process",
        ),
    ],
    security: &[
        (
            "Path traversal blocked",
            "a file name contains `../`",
            "the name is sanitised and the file stays in its storage prefix",
        ),
        (
            "Links expire",
            "a download link is shared after it expired",
            "access is refused",
        ),
    ],
    failures: &[(
        "Storage unavailable",
        "Uploads and downloads fail",
        "Retry with backoff and show a retry message; never lose an accepted upload",
    )],
    root_causes: &[
        "Encoding or delimiter mismatch",
        "Memory exhaustion on large files",
    ],
};

static GENERAL: DomainRules = DomainRules {
    benefit: "they get their work done with less effort",
    impact: "Users hit the defect in normal use and lose time working around it.",
    scopes: &[],
    outcomes: &[],
    negatives: &[(
        "Missing required input",
        "the {role} submits {topic} without a required field",
        "a validation error names the field and nothing is saved",
    )],
    edges: &[
        (
            "Maximum length input",
            "fields are filled to their maximum length",
            "the data is saved and displayed without truncation",
        ),
        (
            "Concurrent edits",
            "two {role}s change the same item at once",
            "the later save is detected as a conflict and no change is silently lost",
        ),
    ],
    security: &[(
        "Unauthenticated access refused",
        "{topic} is requested without a session",
        "the request is refused with 401 and nothing is returned",
    )],
    failures: &[(
        "Unexpected input shape from a client",
        "Requests fail with 500",
        "Validate input at the boundary and answer 400 naming the field",
    )],
    root_causes: &[
        "Unvalidated input reaching business logic",
        "A recent change to shared code",
    ],
};

/// What the generator knows about one technical context.
pub(crate) struct ContextRules {
    /// Scope items for this layer.
    pub scopes: &'static [&'static str],
    /// Failure modes of this layer.
    pub failures: &'static [Failure],
    /// Security scenarios for this layer.
    pub security: &'static [Scenario],
    /// Negative scenarios for this layer.
    pub negatives: &'static [Scenario],
}

pub(crate) fn context_rules(context: TechnicalContext) -> &'static ContextRules {
    match context {
        TechnicalContext::Api => &API,
        TechnicalContext::Database => &DATABASE,
        TechnicalContext::Ui => &UI,
        TechnicalContext::Mobile => &MOBILE,
        TechnicalContext::Cache => &CACHE,
        TechnicalContext::Queue => &QUEUE,
        TechnicalContext::ExternalService => &EXTERNAL,
        TechnicalContext::Storage => &STORAGE,
    }
}

static API: ContextRules = ContextRules {
    scopes: &[
        "Expose {endpoint} with request validation, documented error responses (400/401/403/404/409) and an OpenAPI description",
    ],
    failures: &[(
        "Clients send payloads the endpoint does not expect",
        "Requests fail with 500 instead of a clear error",
        "Validate at the boundary and answer 400 naming the field",
    )],
    security: &[
        (
            "Unauthenticated request refused",
            "{endpoint} is called without credentials",
            "it answers 401 and returns no data",
        ),
        (
            "Other users' resources hidden",
            "a {role} requests a resource id that belongs to someone else",
            "it answers 404 and reveals nothing about the resource",
        ),
    ],
    negatives: &[(
        "Invalid request body",
        "{endpoint} receives a body with a missing or malformed field",
        "it answers 400 with an error naming the field",
    )],
};

static DATABASE: ContextRules = ContextRules {
    scopes: &[
        "Keep writes to {table} transactional; ship any schema change as a reversible migration with the indexes the new queries need",
    ],
    failures: &[
        (
            "Database connection failure",
            "Requests for {topic} fail",
            "Retry transient errors with exponential backoff and return 503 with a retry hint",
        ),
        (
            "Migration fails halfway on production data",
            "Deploy is blocked or the schema is inconsistent",
            "Run the migration in a transaction (or batches), rehearse on a production-sized copy",
        ),
    ],
    security: &[],
    negatives: &[(
        "Constraint violation",
        "a write would violate a unique or foreign-key constraint",
        "the change is refused with 409 and existing data is unchanged",
    )],
};

static UI: ContextRules = ContextRules {
    scopes: &[
        "Build the {screen} with loading, empty and error states, keyboard navigation and screen-reader labels",
    ],
    failures: &[(
        "The API call behind the {screen} fails",
        "Users see a blank or frozen screen",
        "Show an inline error with a retry action and keep the user's input",
    )],
    security: &[(
        "User input is escaped",
        "a {role} enters `<script>alert(1)</script>` in a text field",
        "the text is shown literally and no script runs",
    )],
    negatives: &[(
        "Form validation",
        "the {role} submits the form with an invalid value",
        "the field is highlighted with a message and the form keeps the other values",
    )],
};

static MOBILE: ContextRules = ContextRules {
    scopes: &[
        "Implement {topic} in the iOS and Android apps, handling offline mode and app backgrounding",
    ],
    failures: &[(
        "Older app versions call the changed API",
        "Those users see errors",
        "Keep the API backward compatible until the minimum supported version moves",
    )],
    security: &[(
        "Tokens stored securely",
        "the app stores credentials",
        "they are kept in the Keychain/Keystore, never in plain preferences",
    )],
    negatives: &[(
        "Offline",
        "the device loses connectivity during {topic}",
        "the app shows an offline message and retries when back online",
    )],
};

static CACHE: ContextRules = ContextRules {
    scopes: &["Cache {topic} with an explicit TTL and invalidate entries on every write path"],
    failures: &[(
        "Stale cache entry served after an update",
        "Users see outdated data",
        "Invalidate on write and keep TTLs short for mutable data",
    )],
    security: &[(
        "Cache keys are scoped per user",
        "two users request {topic}",
        "neither sees the other's cached data",
    )],
    negatives: &[(
        "Cache unavailable",
        "the cache is unreachable",
        "requests fall back to the source of truth with higher latency, not errors",
    )],
};

static QUEUE: ContextRules = ContextRules {
    scopes: &[
        "Process {topic} in a background job with retries, exponential backoff and a dead-letter queue",
    ],
    failures: &[(
        "A message fails repeatedly (poison message)",
        "The queue backs up behind it",
        "Move it to the dead-letter queue after N attempts and alert",
    )],
    security: &[],
    negatives: &[(
        "Job failure is retried",
        "the background job fails on its first attempt",
        "it is retried with backoff and succeeds without duplicate side effects",
    )],
};

static EXTERNAL: ContextRules = ContextRules {
    scopes: &[
        "Call {service} with timeouts, retries with backoff and a circuit breaker; keep its credentials in the secret store",
    ],
    failures: &[(
        "{service} is unavailable or slow",
        "{topic} stalls",
        "Time out, retry with backoff, and degrade gracefully with a pending state",
    )],
    security: &[(
        "Credentials never logged",
        "a call to {service} fails",
        "the logged error contains no API keys or tokens",
    )],
    negatives: &[(
        "{service} error",
        "{service} answers with a 5xx error",
        "the error is retried and, if it persists, reported to the {role} without a stack trace",
    )],
};

static STORAGE: ContextRules = ContextRules {
    scopes: &[
        "Store files in object storage under a per-tenant prefix and serve them through short-lived signed URLs",
    ],
    failures: &[(
        "Object storage write fails",
        "Uploaded data is lost",
        "Confirm the write before acknowledging and retry on failure",
    )],
    security: &[(
        "Files are private by default",
        "a file URL is requested without a signature",
        "access is refused",
    )],
    negatives: &[],
};
