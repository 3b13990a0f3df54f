//! The rule tables behind the offline `requirement_analysis`: which capabilities a requirement's
//! words name, and what a senior business analyst knows about each (the qualities it needs,
//! what it depends on, how it fails, what its author usually forgot to say).
//!
//! Templates may name the requirement's own words with placeholders, filled by
//! `requirement_analysis`: `{role}`, `{formats}`, `{frequencies}`, `{channels}`, `{methods}`,
//! `{event}`. A template whose placeholder has no value in the requirement is left out rather
//! than filled with a guess; the matching open question asks for it instead.

use crate::task::RiskLevel;

/// One capability a requirement may ask for.
pub(super) struct CapabilityRule {
    /// A stable identifier, for the few names and details computed in code.
    pub id: &'static str,
    /// The requirement name when no variant in code applies.
    pub name: &'static str,
    /// Words that name the capability (lexicon syntax: `*` is a prefix, spaces a phrase).
    pub triggers: &'static [&'static str],
    pub details: &'static [&'static str],
    /// (category, requirement).
    pub nfrs: &'static [(&'static str, &'static str)],
    pub dependencies: &'static [&'static str],
    pub criteria: &'static [&'static str],
    /// (level, description, mitigation).
    pub risks: &'static [(RiskLevel, &'static str, &'static str)],
    pub questions: &'static [&'static str],
    pub recommendations: &'static [&'static str],
}

use RiskLevel::{High, Low, Medium};

/// Capabilities in the order their rules are tried; the analysis orders the ones found by
/// where the requirement first mentions them.
pub(super) const CAPABILITIES: &[CapabilityRule] = &[
    CapabilityRule {
        id: "export",
        name: "Data Export",
        triggers: &["export*", "download*"],
        details: &[
            "Formats: {formats}, each produced from the same query so the files agree with each other",
            "{Role}s choose what to export (records and fields) before the export starts",
            "Each file states what it contains and when it was created, in its name and header",
            "An export that matches no records tells the {role} so instead of producing an empty file",
        ],
        nfrs: &[
            (
                "Performance",
                "Exports of large data volumes stream rows in batches instead of loading everything into memory",
            ),
            (
                "Scalability",
                "Concurrent exports are queued and capped per {role}, so one large export cannot starve the others",
            ),
            (
                "Security",
                "A {role} can only export data they are allowed to see; download links are signed and expire",
            ),
        ],
        dependencies: &[
            "File storage for generated files (object storage with expiring download links)",
        ],
        criteria: &[
            "Each supported format opens without errors in a standard tool and contains exactly the records and fields of the chosen scope, checked against a reference data set",
            "An export of the largest agreed size completes within the agreed time without the service running out of memory",
        ],
        risks: &[
            (
                Medium,
                "Large exports exhaust memory or time out",
                "Stream rows in batches, ideally from a read replica, and enforce a maximum size per export",
            ),
            (
                Medium,
                "Exported files leak personal data when links are forwarded or never expire",
                "Signed, expiring links; files deleted after a retention period; every export audit-logged",
            ),
        ],
        questions: &[
            "What is the largest export we must support (rows or megabytes), and what happens beyond that limit?",
            "How long are generated files kept, and who may download them?",
            "Which fields does each export contain, and are any of them personal or financial data?",
        ],
        recommendations: &[
            "Build one export pipeline and ship the most-used format first; add the other formats as renderers on the same data",
        ],
    },
    CapabilityRule {
        id: "import",
        name: "Data Import",
        triggers: &["import*", "upload*", "attach*", "bulk upload*"],
        details: &[
            "Accepted file types: {formats}",
            "Files are validated before processing; invalid rows are reported with their line number and reason",
            "Files above the size limit are refused with a message that states the limit",
        ],
        nfrs: &[
            (
                "Security",
                "Uploaded files are type-checked, scanned for malware and stored outside the web root",
            ),
            (
                "Reliability",
                "Re-uploading the same file creates no duplicates",
            ),
        ],
        dependencies: &["File storage for uploaded files"],
        criteria: &[
            "A file with some invalid rows imports the valid ones and reports every invalid row with its line number and reason",
        ],
        risks: &[(
            Medium,
            "Malformed or very large files crash or stall the import",
            "Check type and size up front, parse as a stream and process in a background job",
        )],
        questions: &[
            "What is the maximum file size, and is a file with errors rejected whole or imported partially?",
        ],
        recommendations: &[],
    },
    CapabilityRule {
        id: "filters",
        name: "Filtering",
        triggers: &["filter*"],
        details: &[
            "{Role}s combine filters (for example date range, status, owner) to narrow the records",
            "The filters in effect are shown before running and recorded with the result",
            "Invalid filter values are rejected with a message naming the field",
        ],
        nfrs: &[(
            "Performance",
            "Filters run on indexed fields, so a filtered query is no slower than an unfiltered one",
        )],
        dependencies: &[],
        criteria: &[
            "Given a filter on one field, the result contains only the records that match it, checked against a reference data set",
            "Given filters that match nothing, the {role} is told that no records match",
        ],
        risks: &[(
            Low,
            "Free-form filters produce slow queries on large tables",
            "Offer a fixed set of indexed filter fields first and add more when usage shows the need",
        )],
        questions: &["Which fields must be filterable, and can filter sets be saved and reused?"],
        recommendations: &[],
    },
    CapabilityRule {
        id: "search",
        name: "Search",
        triggers: &["search*"],
        details: &[
            "Search matches the fields {role}s look things up by, including partial words",
            "Results are ranked by relevance and paginated",
        ],
        nfrs: &[(
            "Performance",
            "Search answers typical queries in under one second at the expected data volume",
        )],
        dependencies: &["A search index kept in sync with the source data"],
        criteria: &[
            "A search for a known record by each searchable field returns it on the first page",
        ],
        risks: &[(
            Low,
            "The search index drifts from the source data",
            "Re-index on change events plus a periodic consistency check",
        )],
        questions: &["Which fields are searchable, and how should results be ranked?"],
        recommendations: &[],
    },
    CapabilityRule {
        id: "scheduling",
        name: "Scheduling",
        triggers: &["schedul*", "recurring", "recurrence", "cron"],
        details: &[
            "Frequencies: {frequencies}",
            "{Role}s create, pause, edit and delete their schedules",
            "Schedules run in the {role}'s time zone, including across daylight-saving changes",
            "Every run is recorded with its start time and outcome",
        ],
        nfrs: &[(
            "Reliability",
            "A scheduled run starts within a few minutes of its due time and never runs twice for the same slot",
        )],
        dependencies: &[
            "A scheduler that survives restarts (schedules persisted, not held in memory)",
        ],
        criteria: &[
            "A schedule set for a given time runs exactly once at that time in the {role}'s time zone, including on daylight-saving change days",
        ],
        risks: &[(
            Medium,
            "Runs are missed or duplicated after a deploy or an outage",
            "Persist schedules, claim each run with a lock and make runs idempotent",
        )],
        questions: &[
            "Which frequencies are needed, and what happens to the schedules of a {role} who leaves or loses access?",
        ],
        recommendations: &[],
    },
    CapabilityRule {
        id: "async",
        name: "Async Processing",
        triggers: &["asynchronous*", "async", "background", "queue*", "batch*"],
        details: &[
            "The request is acknowledged at once with a job reference; the work runs in a background job",
            "{Role}s can see the job's state (queued, running, done, failed) and its progress",
            "Failed jobs are retried with backoff and end in a visible failed state with a reason",
        ],
        nfrs: &[
            (
                "Reliability",
                "Jobs are retried on transient failures and are idempotent, so a retry never duplicates output",
            ),
            (
                "Observability",
                "Queue depth, job duration and failure rate are monitored, with alerts on stuck or failing jobs",
            ),
        ],
        dependencies: &["A background job system (queue and workers)"],
        criteria: &[
            "Requesting the work returns a job reference in under one second, whatever the size of the job",
            "A job interrupted mid-run is retried and finishes without duplicate output",
        ],
        risks: &[(
            Medium,
            "Jobs get stuck or fail silently and users wait indefinitely",
            "A timeout per job, a dead-letter queue and alerts on failures and on the age of the oldest job",
        )],
        questions: &[
            "How long may a job run before it counts as failed, and can {role}s cancel it?",
        ],
        recommendations: &[
            "Agree the job states and the progress shown to users before building the UI, so the API and the screen match",
        ],
    },
    CapabilityRule {
        id: "notifications",
        name: "Notifications",
        triggers: &[
            "email*",
            "e-mail*",
            "notif*",
            "sms",
            "text message*",
            "push",
            "alert*",
        ],
        details: &[
            "Channels: {channels}",
            "Sent {event}",
            "The message says what happened, links to the result and, on failure, says what to do next",
        ],
        nfrs: &[
            (
                "Reliability",
                "Messages go through a provider with delivery tracking; bounces and failures are logged and retried",
            ),
            (
                "Security",
                "Messages carry no sensitive data themselves; they link to it behind sign-in",
            ),
        ],
        dependencies: &[],
        criteria: &[
            "The notification reaches the right recipient within one minute of the event and links to the result",
        ],
        risks: &[],
        questions: &[
            "Who receives the notification (only the requester, or others too), and can they opt out?",
        ],
        recommendations: &[],
    },
    CapabilityRule {
        id: "payments",
        name: "Payment Processing",
        triggers: &[
            "payment*",
            "pay",
            "checkout",
            "card",
            "cards",
            "charge*",
            "apple pay",
            "google pay",
            "paypal",
        ],
        details: &[
            "Payment methods: {methods}",
            "Every payment attempt is recorded with the provider's reference and its outcome",
            "Declined or failed payments tell the {role} what to do next and leave the order unpaid",
            "Every charge carries an idempotency key so a retried request never charges twice",
        ],
        nfrs: &[
            (
                "Security",
                "Card data is entered in the provider's hosted fields or SDK and never touches our servers or logs",
            ),
            (
                "Reliability",
                "Payment state follows the provider's webhooks, so a lost response never leaves an order in an unknown state",
            ),
        ],
        dependencies: &["A payment provider account with sandbox credentials and webhook delivery"],
        criteria: &[
            "A successful sandbox payment marks the order paid exactly once, even when the provider delivers the confirmation twice",
            "A declined test card shows a decline message and leaves the order unpaid",
        ],
        risks: &[(
            High,
            "Double charges, or orders marked paid without the money arriving",
            "Idempotency keys on every charge, state driven by webhooks, and a daily reconciliation against the provider's report",
        )],
        questions: &[
            "Which currencies are needed at launch, and which further payment methods are planned?",
            "Who handles disputes and chargebacks, and how quickly?",
        ],
        recommendations: &[
            "Run the whole flow against the provider's sandbox, including webhooks and declines, before any production credentials exist",
        ],
    },
    CapabilityRule {
        id: "refunds",
        name: "Refunds",
        triggers: &["refund*"],
        details: &[
            "A refund references the original payment and can never exceed the amount still refundable",
            "Who issued each refund, when and why is recorded",
        ],
        nfrs: &[(
            "Security",
            "Only authorised roles can issue refunds, and every refund is audit-logged",
        )],
        dependencies: &[],
        criteria: &[
            "A partial refund leaves the correct refundable balance, and a refund above it is refused",
        ],
        risks: &[(
            Medium,
            "Refunds issued twice or above the amount paid",
            "Server-side limits, an idempotency key per refund and daily reconciliation",
        )],
        questions: &[
            "Are partial refunds needed, who may issue refunds, and up to which amount without approval?",
        ],
        recommendations: &[],
    },
    CapabilityRule {
        id: "payouts",
        name: "Merchant Payouts",
        triggers: &["payout*", "settlement*", "disburse*"],
        details: &[
            "Payout schedule: {frequencies}",
            "Each payout lists the payments, refunds and fees it covers",
            "Failed payouts are retried, and the {role} is told what to fix",
        ],
        nfrs: &[(
            "Security",
            "Changes to bank details require re-verification, and payouts pause until it succeeds",
        )],
        dependencies: &[
            "Payout support from the payment provider (connected accounts for each {role})",
        ],
        criteria: &[
            "Each payout amount equals the payments minus refunds and fees of its period, checked against the provider's report",
        ],
        risks: &[(
            High,
            "Money is paid out to the wrong bank account after an account takeover",
            "Re-verify bank details on change and hold the next payout for review",
        )],
        questions: &[
            "Which fees are deducted, and in which currency and on which day are payouts made?",
        ],
        recommendations: &[],
    },
    CapabilityRule {
        id: "billing",
        name: "Billing and Invoicing",
        triggers: &["subscription*", "invoice*", "billing", "recurring billing"],
        details: &[
            "Every billing event produces an invoice the customer can download",
            "Invoices are numbered without gaps and show tax as the customer's country requires",
        ],
        nfrs: &[(
            "Compliance",
            "Invoices meet the tax and retention rules of every country billed",
        )],
        dependencies: &[],
        criteria: &[
            "A test customer in each supported country receives an invoice with the correct tax lines and a unique sequential number",
        ],
        risks: &[(
            Medium,
            "Tax or invoice errors create legal and financial exposure",
            "Use the provider's tax and invoicing features and have finance review sample invoices before launch",
        )],
        questions: &["Which tax rules apply (VAT, sales tax), and who owns invoice numbering?"],
        recommendations: &[],
    },
    CapabilityRule {
        id: "authentication",
        name: "Authentication",
        triggers: &[
            "login",
            "log in",
            "sign in",
            "sso",
            "saml",
            "oauth",
            "mfa",
            "2fa",
            "two-factor",
            "password*",
        ],
        details: &[
            "Sessions expire after inactivity and can be revoked",
            "Failed attempts are rate-limited per account and per IP address",
        ],
        nfrs: &[(
            "Security",
            "Credentials and tokens are never logged; passwords are hashed with a memory-hard algorithm",
        )],
        dependencies: &["The identity provider or user store"],
        criteria: &[
            "Repeated failed attempts are throttled, and a throttled attempt tells the user when to try again",
        ],
        risks: &[(
            High,
            "Account takeover through weak authentication",
            "Rate limiting, MFA for privileged users and checks against breached passwords",
        )],
        questions: &[
            "Which sign-in methods are required (password, SSO, MFA), and for which users?",
        ],
        recommendations: &[],
    },
    CapabilityRule {
        id: "access",
        name: "Access Control",
        triggers: &[
            "role*",
            "permission*",
            "admin*",
            "administrator*",
            "access control",
            "authori*",
            "only the",
            "only admins",
            "only managers",
            "allowed to",
            "restrict*",
            "may open",
            "may view",
            "may access",
        ],
        details: &[
            "What each role may see and do is defined explicitly",
            "Permissions are checked on the server for every request; the UI only hides what the server refuses",
        ],
        nfrs: &[(
            "Security",
            "Authorisation is enforced server-side on every endpoint and tested for each role",
        )],
        dependencies: &[],
        criteria: &[
            "A user without the required role gets 403 from the API and does not see the action in the UI",
        ],
        risks: &[(
            High,
            "Data exposed across roles or customers",
            "Deny by default, with automated tests for every role and action",
        )],
        questions: &["Which roles exist, and what exactly may each of them do?"],
        recommendations: &[],
    },
    CapabilityRule {
        id: "audit",
        name: "Audit Trail",
        triggers: &["audit*", "track changes", "change log"],
        details: &[
            "Each change records who made it, when, and the previous and new values",
            "Audit entries cannot be edited or deleted by users",
        ],
        nfrs: &[(
            "Compliance",
            "Audit records are append-only and kept for the required retention period",
        )],
        dependencies: &[],
        criteria: &[
            "Every change appears in the audit trail with actor, time and before and after values",
        ],
        risks: &[(
            Low,
            "Audit data grows without bound",
            "Partition by month and archive according to the retention policy",
        )],
        questions: &["How long must audit records be kept, and who may read them?"],
        recommendations: &[],
    },
    CapabilityRule {
        id: "reporting",
        name: "Reporting and Dashboards",
        triggers: &[
            "report*",
            "dashboard*",
            "chart*",
            "analytics",
            "metric*",
            "kpi*",
        ],
        details: &[
            "Every figure states its definition and the period it covers",
            "The time the data was last updated is shown",
        ],
        nfrs: &[(
            "Performance",
            "Reports load within a few seconds for the largest account, using pre-aggregated data where needed",
        )],
        dependencies: &[],
        criteria: &["Every figure matches a reference query run on the same data set"],
        risks: &[(
            Medium,
            "Figures disagree with other reports and users stop trusting them",
            "Agree metric definitions up front and test every figure against a reference query",
        )],
        questions: &[
            "Which metrics are needed, how is each defined, and how fresh must the data be?",
        ],
        recommendations: &[],
    },
    CapabilityRule {
        id: "approval",
        name: "Approval Workflow",
        triggers: &["approv*", "sign-off", "sign off"],
        details: &[
            "Requests move through explicit states (draft, pending, approved, rejected)",
            "Approvers are notified and approve or reject with a comment",
            "Nobody approves their own request",
        ],
        nfrs: &[(
            "Compliance",
            "Every decision is recorded with approver, time and comment",
        )],
        dependencies: &[],
        criteria: &[
            "A rejected request cannot proceed, and its requester sees who rejected it and why",
        ],
        risks: &[(
            Medium,
            "Requests stall while approvers are absent",
            "Delegation, reminders after an agreed time and an escalation path",
        )],
        questions: &[
            "Who approves, is more than one approval needed, and what happens when an approver is absent?",
        ],
        recommendations: &[],
    },
    CapabilityRule {
        id: "integration",
        name: "API and Integrations",
        triggers: &[
            "api",
            "apis",
            "webhook*",
            "integrat*",
            "sync*",
            "third-party",
            "third party",
        ],
        details: &[
            "Calls in both directions are versioned and documented",
            "Outbound webhooks are signed and retried with backoff",
        ],
        nfrs: &[(
            "Reliability",
            "Calls to external systems have timeouts, retries with backoff and a circuit breaker",
        )],
        dependencies: &["API access, credentials and a sandbox for each external system"],
        criteria: &[
            "When the external system is unavailable, requests are retried and the user sees a pending state rather than an error",
        ],
        risks: &[(
            Medium,
            "The external API changes or rate-limits us",
            "Contract tests, monitoring of error rates and rate-limit-aware clients",
        )],
        questions: &[
            "Which external system is involved, who owns it, and what are its rate limits?",
        ],
        recommendations: &[],
    },
    CapabilityRule {
        id: "realtime",
        name: "Real-time Updates",
        triggers: &["real-time", "realtime", "live", "instant*"],
        details: &["Changes appear for other users without reloading the page"],
        nfrs: &[(
            "Performance",
            "Updates reach connected clients within two seconds",
        )],
        dependencies: &[
            "A push channel (WebSockets or server-sent events) that passes the load balancer",
        ],
        criteria: &[
            "A change made by one user appears for a second connected user within two seconds",
        ],
        risks: &[(
            Medium,
            "Connections drop behind proxies or under load",
            "Reconnect with backoff and fall back to polling",
        )],
        questions: &[
            "How fresh must updates be (seconds or minutes), and how many users are connected at peak?",
        ],
        recommendations: &[],
    },
    CapabilityRule {
        id: "localisation",
        name: "Localisation",
        triggers: &[
            "language*",
            "locali*",
            "translat*",
            "i18n",
            "multi-currency",
            "currencies",
            "time zone*",
            "timezone*",
        ],
        details: &[
            "Texts come from translation files, not from code",
            "Dates, numbers and currencies follow the user's locale",
        ],
        nfrs: &[(
            "Usability",
            "Every supported locale is complete: no untranslated strings and no truncated labels",
        )],
        dependencies: &[],
        criteria: &[
            "Switching the locale changes every text, date and amount on the affected screens",
        ],
        risks: &[],
        questions: &["Which languages, locales and currencies are needed at launch?"],
        recommendations: &[],
    },
    CapabilityRule {
        id: "retention",
        name: "Data Deletion and Retention",
        triggers: &["delet*", "retention", "purge*", "erase*", "erasure"],
        details: &[
            "What is deleted, when, and whether it can be restored is defined per kind of data",
        ],
        nfrs: &[(
            "Compliance",
            "Deleted personal data is also removed from derived stores and backups within the retention policy",
        )],
        dependencies: &[],
        criteria: &["After deletion the data is no longer returned by any screen, export or API"],
        risks: &[(
            Medium,
            "Data deleted by mistake cannot be recovered",
            "Soft delete with a restore window before the final purge",
        )],
        questions: &["Is deletion restorable for a while or final, and how long is data kept?"],
        recommendations: &[],
    },
];

/// Regulations and quality words: (keywords, category, requirement, risk).
pub(super) type QualityRule = (
    &'static [&'static str],
    &'static str,
    &'static str,
    Option<(RiskLevel, &'static str, &'static str)>,
);

/// Qualities the requirement names itself: regulations, accessibility, encryption.
pub(super) const QUALITY_RULES: &[QualityRule] = &[
    (
        &["pci*"],
        "Compliance",
        "Stay within the smallest PCI DSS scope: card data only in the provider's hosted fields, never stored, logged or transmitted by our systems",
        Some((
            High,
            "Card data reaches our logs or database and widens the PCI DSS scope",
            "Hosted fields or tokenisation only, automated log scanning for card numbers, and a review of the flow by the compliance owner",
        )),
    ),
    (
        &["gdpr", "personal data", "data protection"],
        "Compliance",
        "Personal data has a lawful basis, can be exported and erased on request, and is processed only in approved regions (GDPR)",
        Some((
            High,
            "Personal data processed without a lawful basis or an erasure path",
            "A data-protection review before build, a record of processing, and export and erasure implemented with the feature",
        )),
    ),
    (
        &["hipaa", "phi", "health information"],
        "Compliance",
        "Protected health information is encrypted at rest and in transit, every access is logged, and it is shared only with vendors under a business associate agreement (HIPAA)",
        Some((
            High,
            "Protected health information exposed or shared with an uncovered vendor",
            "Access logging, encryption and a vendor check before any data leaves our systems",
        )),
    ),
    (
        &[
            "psd2",
            "sca",
            "3d secure",
            "3ds",
            "strong customer authentication",
        ],
        "Compliance",
        "EU card payments use strong customer authentication (3-D Secure 2) where PSD2 requires it",
        Some((
            Medium,
            "Payments declined by issuers for missing strong customer authentication",
            "Use the provider's 3-D Secure flow and test the challenge and frictionless paths",
        )),
    ),
    (
        &["kyc", "aml", "anti-money laundering", "know your customer"],
        "Compliance",
        "Identity checks (KYC) and anti-money-laundering screening run before funds move",
        Some((
            High,
            "Funds move for unverified or sanctioned parties",
            "Block payouts until checks pass, with a manual review queue for matches",
        )),
    ),
    (
        &["soc 2", "soc2", "iso 27001"],
        "Compliance",
        "Access and changes are logged and reviewable for the security audit (SOC 2 / ISO 27001)",
        None,
    ),
    (
        &["accessib*", "wcag", "a11y", "screen reader*"],
        "Usability",
        "Meets WCAG 2.1 AA: keyboard operable, labelled controls, sufficient contrast",
        None,
    ),
    (
        &["encrypt*"],
        "Security",
        "Data is encrypted in transit (TLS 1.2+) and at rest, with keys managed outside the application",
        None,
    ),
    (
        &["mobile", "ios", "android", "responsive"],
        "Usability",
        "Works on current iOS and Android devices and on small screens without horizontal scrolling",
        None,
    ),
];

/// File formats named in requirements, with how they are written.
pub(super) const FORMATS: &[(&str, &str)] = &[
    ("pdf", "PDF"),
    ("csv", "CSV"),
    ("json", "JSON"),
    ("xlsx", "XLSX"),
    ("xls", "XLS"),
    ("excel", "Excel"),
    ("xml", "XML"),
    ("tsv", "TSV"),
    ("parquet", "Parquet"),
    ("html", "HTML"),
    ("docx", "DOCX"),
    ("zip", "ZIP"),
    ("ics", "ICS"),
    ("txt", "TXT"),
];

/// Schedule frequencies.
pub(super) const FREQUENCIES: &[(&str, &str)] = &[
    ("hourly", "hourly"),
    ("daily", "daily"),
    ("nightly", "nightly"),
    ("weekly", "weekly"),
    ("monthly", "monthly"),
    ("quarterly", "quarterly"),
    ("yearly", "yearly"),
    ("annually", "yearly"),
];

/// Notification channels: (keyword, name, dependency).
pub(super) const CHANNELS: &[(&str, &str, &str)] = &[
    (
        "email*",
        "email",
        "An email service (a transactional provider with a verified sending domain: SPF, DKIM, DMARC)",
    ),
    (
        "e-mail*",
        "email",
        "An email service (a transactional provider with a verified sending domain: SPF, DKIM, DMARC)",
    ),
    (
        "sms",
        "SMS",
        "An SMS provider with sender registration for each country",
    ),
    (
        "text message*",
        "SMS",
        "An SMS provider with sender registration for each country",
    ),
    (
        "push",
        "push",
        "Push notification services (APNs and FCM) and device token storage",
    ),
    (
        "slack",
        "Slack",
        "A Slack app with permission to post to the chosen channels",
    ),
    ("in-app", "in-app", "An in-app notification centre"),
    (
        "webhook*",
        "webhook",
        "Webhook delivery with signing and retries",
    ),
];

/// Payment methods.
pub(super) const PAYMENT_METHODS: &[(&str, &str)] = &[
    ("card", "cards"),
    ("cards", "cards"),
    ("credit card*", "cards"),
    ("apple pay", "Apple Pay"),
    ("google pay", "Google Pay"),
    ("paypal", "PayPal"),
    ("sepa", "SEPA Direct Debit"),
    ("bank transfer*", "bank transfer"),
    ("ach", "ACH"),
    ("klarna", "Klarna"),
    ("ideal", "iDEAL"),
];

/// Nouns for the title when the requirement's main verb names the feature ("export their data"
/// → "Data Export").
pub(super) const VERB_NOUNS: &[(&str, &str)] = &[
    ("export", "Export"),
    ("import", "Import"),
    ("search", "Search"),
    ("schedule", "Scheduling"),
    ("manage", "Management"),
    ("track", "Tracking"),
    ("reset", "Reset"),
    ("share", "Sharing"),
    ("approve", "Approval"),
    ("upload", "Upload"),
    ("sync", "Sync"),
    ("download", "Download"),
    ("filter", "Filtering"),
    ("invite", "Invitations"),
    ("refund", "Refunds"),
    ("migrate", "Migration"),
    ("report", "Reporting"),
    ("book", "Booking"),
    ("compare", "Comparison"),
];
