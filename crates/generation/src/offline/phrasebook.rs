//! Rule libraries the offline generator composes from, keyed by business domain and by
//! technical context. Templates name the ticket's own words with placeholders, filled by
//! [`Vars::fill`]: `{topic}`, `{object}`, `{role}`, `{service}`, `{endpoint}`, `{screen}`,
//! `{table}`.
//!
//! Each scenario and phrase also carries a [`Gate`]: the words a ticket must use and the
//! [`Facts`] that must hold for the template to be true of it. Callers take templates only
//! through [`Vars::scenarios`] and [`Vars::phrases`], which apply the gate, so a template
//! written for a typical ticket of its domain is never said about a ticket it contradicts.

use super::facts::Facts;
use crate::task::{Domain, TechnicalContext};
use crate::text_analysis::{Analysis, Lexicon};

/// The ticket's words that templates refer to.
#[derive(Debug, Clone)]
pub(crate) struct Vars {
    pub topic: String,
    pub object: String,
    pub role: String,
    pub service: String,
    /// Whether `service` is a name from the ticket rather than a description.
    pub named_service: bool,
    pub endpoint: String,
    pub screen: String,
    /// The control a ticket builds ("Export CSV button"), with its noun and capitals.
    pub control: String,
    pub table: String,
    /// What the ticket is, which decides the templates that may be said about it.
    pub facts: Facts,
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
            .cloned();
        let named_service = service.is_some();
        // Without a named service, say which kind of provider it is rather than a bare
        // "the provider" that reads like an unfilled slot.
        let service = service.unwrap_or_else(|| {
            match analysis.domain {
                Domain::Payments => "the payment provider",
                // A password-reset story's provider is the one that sends its e-mail.
                _ if analysis.in_domain(Domain::Notifications) => "the messaging provider",
                Domain::Authentication => "the identity provider",
                Domain::Search => "the search service",
                _ => "the external service",
            }
            .to_owned()
        });
        Vars {
            named_service,
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
            control: control_name(&analysis.summary.topic),
            table: analysis
                .entities
                .tables
                .first()
                .map(|t| format!("`{t}`"))
                .unwrap_or_else(|| format!("the {slug} table")),
            topic,
            facts: Facts::of(analysis),
        }
    }

    /// The scenarios of `list` that are true of the ticket indexed by `lexicon`.
    pub fn scenarios<'s>(
        &self,
        lexicon: &Lexicon,
        list: &'s [Scenario],
    ) -> impl Iterator<Item = &'s Scenario> {
        let facts = self.facts;
        list.iter()
            .filter(move |scenario| scenario.gate.admits(&facts, lexicon))
    }

    /// The phrases of `list` that are true of the ticket indexed by `lexicon`, filled.
    pub fn phrases(&self, lexicon: &Lexicon, list: &[Phrase]) -> Vec<String> {
        list.iter()
            .filter(|phrase| phrase.gate.admits(&self.facts, lexicon))
            .map(|phrase| self.fill(phrase.text))
            .collect()
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
            .replace("{control}", &self.control)
            .replace("{table}", &self.table);
        fix_articles(&collapse_repeated_words(&filled))
    }
}

/// Generic trailing words that name the container rather than the subject ("sales reporting
/// dashboard" is about sales reporting).
const CONTAINER_WORDS: [&str; 15] = [
    "flow",
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

/// "an Export CSV button to the orders page" → "Export CSV button": the control without
/// where it goes. Labels keep their capitals; prose is lower-cased.
fn control_name(topic: &str) -> String {
    let lower = topic.to_ascii_lowercase();
    let end = [" to ", " on ", " in ", " at "]
        .iter()
        .filter_map(|marker| lower.find(marker))
        .min()
        .unwrap_or(topic.len());
    let name = topic[..end].trim();
    let name = ["a ", "an ", "the ", "A ", "An ", "The "]
        .iter()
        .find_map(|article| name.strip_prefix(article))
        .unwrap_or(name);
    let is_label = name
        .split_whitespace()
        .nth(1)
        .is_some_and(|second| second.starts_with(|c: char| c.is_ascii_uppercase()));
    if is_label {
        name.to_owned()
    } else {
        crate::text_analysis::lower_first(name)
    }
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

/// "a alerting message" → "an alerting message": a slot filled after a fixed "a"/"an" may
/// start with either kind of sound. Decided by the first letter, which is right for the
/// lower-case words templates are filled with; upper-case initialisms keep what they have.
fn fix_articles(text: &str) -> String {
    const POSSESSIVES: [&str; 8] = ["my", "your", "their", "our", "his", "her", "its", "the"];
    let words: Vec<&str> = text.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for (index, word) in words.iter().enumerate() {
        // "a {topic} token" with the topic "my password" reads "my password token".
        if matches!(*word, "a" | "an" | "the")
            && words
                .get(index + 1)
                .is_some_and(|next| POSSESSIVES.contains(next))
        {
            continue;
        }
        let next_word = words.get(index + 1).copied();
        let next = next_word.and_then(|next| next.chars().next());
        let fixed = match (*word, next_word, next) {
            ("a" | "A" | "an" | "An", Some(next_word), Some(c)) if c.is_ascii_lowercase() => {
                let article = super::indefinite_article(next_word);
                if word.starts_with('A') {
                    crate::text_analysis::upper_first(article)
                } else {
                    article.to_owned()
                }
            }
            _ => (*word).to_owned(),
        };
        out.push(fixed);
    }
    out.join(" ")
}

/// A test scenario template: title, the action (When) and the expected result (Then), said
/// only when its [`Gate`] admits the ticket.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scenario {
    pub title: &'static str,
    pub when: &'static str,
    pub then: &'static str,
    pub gate: Gate,
}

/// A scope or outcome template, said only when its [`Gate`] admits the ticket.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Phrase {
    pub text: &'static str,
    pub gate: Gate,
}

/// When a template is true of a ticket. A domain's templates are written for the typical
/// ticket of that domain; on a thin ticket that only shares a keyword with it they can be
/// wrong in substance (a "wrong password" case for a password *reset*), so each template
/// names what it presumes and is left out when the ticket does not show it: saying less
/// beats saying something false.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Gate {
    /// The ticket must mention one of these keywords (lexicon syntax); empty: no condition.
    pub mentions: &'static [&'static str],
    /// What the template takes for granted about the ticket.
    pub presumes: Presumes,
}

/// Facts a template takes for granted, as a set of flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Presumes(u8);

impl Presumes {
    /// Nothing.
    pub const NOTHING: Presumes = Presumes(0);
    /// Something the user types into: lengths, required fields, escaping.
    pub const TEXT_INPUT: Presumes = Presumes(1);
    /// The user is already signed in (a 401 without a session means something).
    pub const SIGNED_IN: Presumes = Presumes(2);
    /// Messages are optional, so preferences and unsubscribe links apply; false for
    /// security and other transactional mail.
    pub const OPTIONAL_MESSAGES: Presumes = Presumes(4);
    /// Answering 404 for someone else's resource is right; false where the ticket must not
    /// reveal whether an account exists.
    pub const MAY_REVEAL_EXISTENCE: Presumes = Presumes(8);
    /// The ticket must answer identically whether or not an account exists.
    pub const HIDES_ACCOUNTS: Presumes = Presumes(16);
    /// The ticket builds a single control (toggle, button), not a screen.
    pub const CONTROL: Presumes = Presumes(32);
    /// The ticket builds or changes a screen, which has loading, empty and error states.
    pub const SCREEN: Presumes = Presumes(64);

    pub(crate) const fn with(self, other: Presumes) -> Presumes {
        Presumes(self.0 | other.0)
    }

    pub(crate) fn contains(self, other: Presumes) -> bool {
        self.0 & other.0 == other.0
    }
}

impl Gate {
    const OPEN: Gate = Gate {
        mentions: &[],
        presumes: Presumes::NOTHING,
    };

    /// True when the template may be said about the ticket.
    pub fn admits(&self, facts: &Facts, lexicon: &Lexicon) -> bool {
        (self.mentions.is_empty() || lexicon.any(self.mentions))
            && facts.presumptions().contains(self.presumes)
    }
}

/// A scenario that fits every ticket of its domain.
const fn sc(title: &'static str, when: &'static str, then: &'static str) -> Scenario {
    Scenario {
        title,
        when,
        then,
        gate: Gate::OPEN,
    }
}

/// A phrase that fits every ticket of its domain.
pub(crate) const fn p(text: &'static str) -> Phrase {
    Phrase {
        text,
        gate: Gate::OPEN,
    }
}

impl Scenario {
    /// Only for tickets mentioning one of `keywords`.
    const fn only_if(mut self, keywords: &'static [&'static str]) -> Self {
        self.gate.mentions = keywords;
        self
    }

    /// Only for tickets of which `facts` hold.
    const fn presumes(mut self, facts: Presumes) -> Self {
        self.gate.presumes = self.gate.presumes.with(facts);
        self
    }
}

impl Phrase {
    /// Only for tickets mentioning one of `keywords`.
    pub(crate) const fn only_if(mut self, keywords: &'static [&'static str]) -> Self {
        self.gate.mentions = keywords;
        self
    }

    /// Only for tickets of which `facts` hold.
    pub(crate) const fn presumes(mut self, facts: Presumes) -> Self {
        self.gate.presumes = self.gate.presumes.with(facts);
        self
    }
}

/// Tickets where someone names an account to get in: sign-in, sign-up, reset, codes.
const ACCOUNT_LOOKUP: &[&str] = &[
    "login",
    "log in",
    "sign in",
    "signin",
    "sign up",
    "signup",
    "password*",
    "forgot*",
    "reset*",
    "register*",
    "otp",
    "mfa",
    "2fa",
    "two-factor",
    "multi-factor",
    "totp",
    "code",
    "codes",
    "magic link*",
];
/// Tickets that hand out single-use links, tokens or codes.
const TOKENS: &[&str] = &[
    "reset*", "token*", "link*", "verif*", "invit*", "magic", "otp", "code", "codes", "forgot*",
];
/// Tickets about uploading files.
const UPLOADS: &[&str] = &["upload*", "import*", "attach*"];
/// Tickets with calendar dates.
const DATES: &[&str] = &[
    "date*",
    "period*",
    "range*",
    "day*",
    "daily",
    "week*",
    "month*",
    "time zone*",
    "timezone*",
    "history",
    "hour*",
];
/// Tickets about inbound events from another system.
const INBOUND_EVENTS: &[&str] = &["webhook*", "event*", "callback*", "sync*", "deliver*"];

/// A failure-mode template: trigger, impact, mitigation.
pub(crate) type Failure = (&'static str, &'static str, &'static str);

/// What the generator knows about one business domain.
pub(crate) struct DomainRules {
    /// Why users care, completing "so that ...".
    pub benefit: &'static str,
    /// What a defect in this domain costs, for bug descriptions.
    pub impact: &'static str,
    /// Scope items the domain always needs.
    pub scopes: &'static [Phrase],
    /// Observable outcomes.
    pub outcomes: &'static [Phrase],
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
        p("Rate-limit {topic} attempts per account and per IP").only_if(ACCOUNT_LOOKUP),
        p("Answer identically whether or not the account exists, so {topic} cannot be used to find accounts").presumes(Presumes::HIDES_ACCOUNTS),
        p("Issue single-use, time-limited tokens and invalidate them after use or after a password change").only_if(TOKENS),
        p("Record {topic} events (success and failure) in the audit log without storing secrets"),
    ],
    outcomes: &[
        p("Legitimate users complete {topic} on the first attempt").only_if(ACCOUNT_LOOKUP),
        p("Brute-force and enumeration attempts are throttled and logged").presumes(Presumes::HIDES_ACCOUNTS),
    ],
    negatives: &[
        sc("Expired session is refused", "the {role} acts after their session expired", "they are asked to sign in again and nothing is changed").only_if(&["session*", "timeout*", "idle"]),
        sc("Wrong credentials are rejected", "the {role} submits an incorrect password", "the request is refused with a generic error that does not say which field was wrong").only_if(&["login", "log in", "sign in", "signin", "credential*"]),
        sc("Expired token is rejected", "the {role} uses a {topic} token after it expired", "the request is refused, the token stays unusable and the {role} can request a new one").only_if(TOKENS),
    ],
    edges: &[
        sc("Activity keeps the session alive", "the {role} is active shortly before the timeout", "the session stays valid and the timeout restarts").only_if(&["idle", "inactiv*"]),
        sc("Email is matched case-insensitively", "the {role} enters their email in a different letter case or with surrounding spaces", "the account is found and the flow proceeds normally").only_if(&["email*", "e-mail*", "login", "log in", "sign in", "signin", "sign up", "signup", "register*", "forgot*", "reset*", "invit*"]).presumes(Presumes::TEXT_INPUT),
        sc("Token reuse is blocked", "the {role} opens the same {topic} link a second time", "the second attempt is refused and no state changes").only_if(TOKENS),
    ],
    security: &[
        sc("Brute force is throttled", "the same account receives 10 failed {topic} attempts within a minute", "further attempts are rejected with 429 for the lockout window and an audit event is written").only_if(ACCOUNT_LOOKUP),
        sc("Account existence is not revealed", "{topic} is requested for an email that has no account", "the response is identical in body and timing to that for an existing account").presumes(Presumes::HIDES_ACCOUNTS),
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
        p("Make {topic} idempotent using the {service} event or idempotency key, so retries never double-charge"),
        p("Store amounts as integer minor units with an explicit currency; never use floating point"),
        p("Record every state change of a payment for audit and reconciliation"),
    ],
    outcomes: &[
        p("Every successful payment is recorded exactly once, even when {service} retries delivery"),
        p("Finance can reconcile {topic} records against {service} reports without manual fixes"),
    ],
    negatives: &[
        sc("Declined card is handled", "{service} declines the payment", "the order stays unpaid, the {role} sees the decline reason and can retry with another method").only_if(&["card*", "declin*", "checkout", "pay", "payment*", "charge*"]),
        sc("Duplicate delivery is ignored", "{service} delivers the same event twice", "the second delivery is acknowledged but changes nothing").only_if(INBOUND_EVENTS),
    ],
    edges: &[
        sc("Zero-decimal and three-decimal currencies", "a payment is made in JPY and in KWD", "amounts are stored and displayed with the currency's own precision").only_if(&["currenc*", "multi-currency", "jpy", "kwd", "eur", "usd", "price*"]),
        sc("Partial refund", "a partial refund is issued for a captured payment", "the remaining balance and payment status are updated correctly").only_if(&["refund*"]),
    ],
    security: &[
        sc("Unsigned webhook is rejected", "a request arrives without a valid {service} signature", "it is rejected with 400 and nothing is recorded").only_if(&["webhook*"]),
        sc("Card data never stored", "a payment is processed end to end", "no card number or CVC appears in the database, logs or error messages").only_if(&["card*", "checkout", "payment*"]),
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
        p("Keep {topic} consistent with inventory: reserve stock on checkout and release it on cancellation").only_if(&["stock", "inventory", "cart*", "checkout", "order*", "purchas*", "buy*"]),
        p("Handle price, tax and discount changes between viewing and ordering explicitly").only_if(&["price*", "tax*", "discount*", "checkout", "cart*"]),
    ],
    outcomes: &[
        p("Shoppers see accurate stock and prices for {topic}"),
        p("Orders and inventory stay consistent under concurrent purchases"),
    ],
    negatives: &[
        sc("Out-of-stock item", "the {role} orders an item that sold out meanwhile", "the order is refused with a clear message and no stock goes negative").only_if(&["stock", "inventory", "cart*", "checkout", "order*", "purchas*", "buy*"]),
        sc("Invalid coupon", "the {role} applies an expired coupon", "the coupon is rejected and the total is unchanged").only_if(&["coupon*", "discount*", "promo*", "voucher*"]),
    ],
    edges: &[sc("Last item bought concurrently", "two {role}s order the last unit at the same moment", "exactly one order succeeds and the other is told the item is out of stock").only_if(&["stock", "inventory", "cart*", "checkout", "purchas*", "buy*"])],
    security: &[sc("Price cannot be tampered with", "the client submits a modified price", "the server recalculates the price and ignores the submitted one").only_if(&["price*", "cart*", "checkout", "order*", "purchas*"])],
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
        p(
            "Restrict {topic} to authorised roles and log every access to patient data (HIPAA audit trail)",
        ),
        p("Encrypt patient data in transit and at rest; keep it out of logs"),
    ],
    outcomes: &[p(
        "Only authorised staff can see {topic} and every access is audited",
    )],
    negatives: &[sc(
        "Unauthorised role is refused",
        "a user without a care relationship opens the record",
        "access is refused and the attempt is audited",
    )],
    edges: &[sc(
        "Merged patient records",
        "the patient record was merged with a duplicate",
        "{topic} shows data from the surviving record only",
    )
    .only_if(&["patient*", "record*", "chart*"])],
    security: &[sc(
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
        p("Keep the {topic} index in sync with source data on create, update and delete"),
        p("Paginate results with a stable sort order and a maximum page size")
            .only_if(&["page*", "pagina*", "results", "list*"]),
    ],
    outcomes: &[
        p("Relevant results appear for typical queries, including partial words"),
        p("Empty and failed searches show a helpful message instead of an error page"),
    ],
    negatives: &[sc(
        "No results",
        "the {role} searches for a term that matches nothing",
        "an empty state with suggestions is shown and no error is logged",
    )],
    edges: &[
        sc(
            "Special characters in query",
            "the query contains quotes, accents or operators such as `AND`",
            "the query is treated as text and returns matching results",
        ),
        sc(
            "Last page",
            "the {role} pages past the final result",
            "an empty last page is returned, not an error",
        )
        .only_if(&["page*", "pagina*", "results", "list*"]),
    ],
    security: &[sc(
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
        p("Send {topic} messages through a queue with retries, so that slowness at {service} never blocks the request"),
        p("Respect each user's notification preferences and include an unsubscribe link where required").presumes(Presumes::OPTIONAL_MESSAGES),
        p("Render messages from versioned templates with the user's locale").only_if(&["email*", "e-mail*", "mail", "sms", "message*", "template*", "push", "notification*"]),
    ],
    outcomes: &[
        p("{topic} messages arrive within a minute of the triggering event"),
        p("Users who opted out receive nothing").presumes(Presumes::OPTIONAL_MESSAGES),
    ],
    negatives: &[
        sc("Provider rejects the message", "{service} returns an error for the recipient", "the failure is recorded, retried with backoff and surfaced after the last attempt"),
        sc("Opted-out user", "the event fires for a user who unsubscribed", "no message is sent and the skip is recorded").presumes(Presumes::OPTIONAL_MESSAGES),
    ],
    edges: &[sc("Burst of events", "the same event fires several times within a minute", "the user receives one message, not several")],
    security: &[sc("No sensitive data in message", "a {topic} message is rendered", "it contains no passwords, tokens beyond a single-use link, or full card numbers")],
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
        p("Apply the same filters and permissions to {topic} as to the data shown on screen"),
        p("Stream large result sets instead of loading them into memory, with a documented row limit"),
        p("State the time zone and the data freshness with every result").only_if(DATES),
    ],
    outcomes: &[
        p("Displayed and exported figures match the source data for the chosen period").only_if(DATES),
        p("Figures in {topic} match the source data they are drawn from"),
        p("Large requests finish without timeouts and state the time zone used").only_if(DATES),
    ],
    negatives: &[
        sc("Empty period", "the {role} requests {topic} for a period with no data", "an empty result with headers is produced, not an error").only_if(DATES),
        sc("Invalid date range", "the end date is before the start date", "the request is rejected with a message naming the date fields").only_if(&["date*", "range*", "period*"]).presumes(Presumes::TEXT_INPUT),
    ],
    edges: &[
        sc("Values needing escaping", "a field contains commas, quotes, line breaks or a leading `=`", "values are quoted and escaped so spreadsheets show them verbatim and never run formulas").only_if(&["csv", "export*", "spreadsheet*", "excel"]),
        sc("Daylight-saving boundary", "the period spans a daylight-saving change", "rows are bucketed by the {role}'s time zone without gaps or duplicates").only_if(DATES),
    ],
    security: &[sc("Data limited to the requester's scope", "the {role} requests {topic}", "only records they are permitted to see are included")],
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
        p(
            "Write the {topic} migration as an idempotent, resumable job that processes rows in batches",
        ),
        p("Provide a dry-run mode that reports counts and rejected rows without writing"),
        p("Reconcile source and target counts and checksums after each run"),
        p("Keep the old and new schema readable during the transition (expand, migrate, contract)"),
    ],
    outcomes: &[
        p("All rows are migrated, or listed with the reason they were rejected"),
        p("The {topic} migration can be re-run safely and resumes where it stopped"),
    ],
    negatives: &[sc(
        "Invalid source rows",
        "source rows have nulls or malformed values in required fields",
        "they are skipped, reported with their ids and the run continues",
    )
    .only_if(&[
        "row*",
        "record*",
        "data",
        "import*",
        "migrat*",
        "backfill*",
        "csv",
    ])],
    edges: &[
        sc(
            "Re-run is idempotent",
            "the {topic} migration is run twice",
            "the second run changes nothing and reports zero new rows",
        )
        .only_if(&["migrat*", "backfill*", "import*", "job*", "batch*"]),
        sc(
            "Interrupted run resumes",
            "the job stops halfway",
            "the next run continues from the last committed batch",
        )
        .only_if(&["migrat*", "backfill*", "import*", "job*", "batch*"]),
    ],
    security: &[sc(
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
        p("Measure the current p50/p95 latency of {topic} and record the baseline"),
        p(
            "Remove the dominant cost found by profiling (N+1 queries, missing indexes, unbounded payloads)",
        ),
        p("Add a latency dashboard and an alert on the p95 target"),
    ],
    outcomes: &[p(
        "{topic} meets its p95 latency target under expected load",
    )],
    negatives: &[sc(
        "Dependency slow",
        "a downstream dependency answers slowly",
        "the request times out at the configured limit with a clear error instead of hanging",
    )],
    edges: &[sc(
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
        p("Verify the signature or credentials of every inbound {service} call"),
        p("Make processing idempotent by the external event id and store it"),
        p("Call {service} with timeouts and retries with backoff, honouring Retry-After"),
    ],
    outcomes: &[
        p("Changes propagate to and from {service} without manual steps"),
        p("Failed deliveries are retried and visible to operators"),
    ],
    negatives: &[
        sc(
            "Malformed payload",
            "{service} sends a payload missing required fields",
            "it is rejected with 400, logged with its id and not retried",
        )
        .only_if(&[
            "webhook*",
            "payload*",
            "event*",
            "callback*",
            "sync*",
            "import*",
        ]),
        sc(
            "External timeout",
            "{service} does not answer within the timeout",
            "the call is retried with backoff and the item is marked pending",
        ),
    ],
    edges: &[
        sc(
            "Duplicate event",
            "{service} delivers the same event twice",
            "the second delivery is acknowledged and ignored",
        )
        .only_if(INBOUND_EVENTS),
        sc(
            "Out-of-order events",
            "an older event arrives after a newer one",
            "the newer state is kept",
        )
        .only_if(INBOUND_EVENTS),
    ],
    security: &[sc(
        "Invalid signature rejected",
        "a request carries a wrong or missing signature",
        "it is rejected with 401/400 and nothing is processed",
    )
    .only_if(&["webhook*", "callback*", "signature*", "inbound"])],
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
        p("Check permissions on the server for every {topic} action, not only in the UI"),
        p("Audit who changed which account or role, and when"),
    ],
    outcomes: &[
        p("{role}s can manage {topic} themselves"),
        p("Permission changes take effect immediately"),
    ],
    negatives: &[sc(
        "Insufficient permission",
        "a {role} without the admin role attempts the change",
        "the server refuses with 403 and nothing changes",
    )
    .only_if(&[
        "role*",
        "permission*",
        "admin*",
        "access",
        "invit*",
        "team*",
        "member*",
    ])],
    edges: &[sc(
        "Last administrator",
        "the only administrator removes their own admin role",
        "the change is refused so the account keeps an administrator",
    )
    .only_if(&["admin*", "role*"])],
    security: &[sc(
        "Cannot edit another tenant's users",
        "a {role} changes a user id in the request to one from another organisation",
        "the request fails with 404 and no data leaks",
    )
    .only_if(&["tenant*", "organi*", "team*", "account*", "user*"])
    .presumes(Presumes::MAY_REVEAL_EXISTENCE)],
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
        p("Validate file type by content and enforce a size limit before processing")
            .only_if(UPLOADS),
        p("Process large files in the background and stream them instead of buffering in memory"),
    ],
    outcomes: &[
        p("Files up to the documented size limit are processed successfully").only_if(UPLOADS),
        p("Rejected files come with a message saying what to fix").only_if(UPLOADS),
    ],
    negatives: &[
        sc(
            "Wrong file type",
            "the {role} uploads a file of an unsupported type",
            "it is rejected with a message listing accepted types",
        )
        .only_if(UPLOADS),
        sc(
            "File too large",
            "the file exceeds the size limit",
            "it is rejected before upload completes, with the limit stated",
        )
        .only_if(UPLOADS),
    ],
    edges: &[
        sc(
            "Unicode file name",
            "the file name contains spaces, accents and emoji",
            "the file is stored and downloaded with its name intact",
        )
        .only_if(&["upload*", "file name*", "filename*", "attach*", "download*"]),
        sc(
            "Empty file",
            "the file has zero bytes or only a header row",
            "the {role} is told there is nothing to process",
        )
        .only_if(UPLOADS),
    ],
    security: &[
        sc(
            "Path traversal blocked",
            "a file name contains `../`",
            "the name is sanitised and the file stays in its storage prefix",
        )
        .only_if(&["upload*", "file name*", "filename*", "attach*"]),
        sc(
            "Links expire",
            "a download link is shared after it expired",
            "access is refused",
        )
        .only_if(&["link*", "download*", "share*"]),
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
    negatives: &[sc(
        "Missing required input",
        "the {role} submits {topic} without a required field",
        "a validation error names the field and nothing is saved",
    )
    .presumes(Presumes::TEXT_INPUT)],
    edges: &[
        sc(
            "Maximum length input",
            "fields are filled to their maximum length",
            "the data is saved and displayed without truncation",
        )
        .presumes(Presumes::TEXT_INPUT),
        sc(
            "Concurrent edits",
            "two {role}s change the same item at once",
            "the later save is detected as a conflict and no change is silently lost",
        )
        .only_if(&[
            "edit*",
            "updat*",
            "modif*",
            "shared",
            "collaborat*",
            "record*",
            "profile*",
        ]),
    ],
    security: &[sc(
        "Unauthenticated access refused",
        "someone without a session tries to use {topic}",
        "the request is refused with 401 and nothing is returned",
    )
    .presumes(Presumes::SIGNED_IN)],
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
    pub scopes: &'static [Phrase],
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
        p("Expose {endpoint} with request validation, documented error responses (400/401/403/404/409) and an OpenAPI description").presumes(Presumes::MAY_REVEAL_EXISTENCE),
        p("Expose {endpoint} with request validation, documented error responses and an OpenAPI description, answering the same for unknown accounts as for known ones").presumes(Presumes::HIDES_ACCOUNTS),
    ],
    failures: &[(
        "Clients send payloads the endpoint does not expect",
        "Requests fail with 500 instead of a clear error",
        "Validate at the boundary and answer 400 naming the field",
    )],
    security: &[
        sc("Unauthenticated request refused", "{endpoint} is called without credentials", "it answers 401 and returns no data").presumes(Presumes::SIGNED_IN),
        sc("Other users' resources hidden", "a {role} requests a resource id that belongs to someone else", "it answers 404 and reveals nothing about the resource").presumes(Presumes::SIGNED_IN.with(Presumes::MAY_REVEAL_EXISTENCE)),
    ],
    negatives: &[sc("Invalid request body", "{endpoint} receives a body with a missing or malformed field", "it answers 400 with an error naming the field")],
};

static DATABASE: ContextRules = ContextRules {
    scopes: &[p(
        "Keep writes to {table} transactional; ship any schema change as a reversible migration with the indexes the new queries need",
    )],
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
    negatives: &[sc(
        "Constraint violation",
        "a write would violate a unique or foreign-key constraint",
        "the change is refused with 409 and existing data is unchanged",
    )],
};

static UI: ContextRules = ContextRules {
    scopes: &[p(
        "Build the {screen} with loading, empty and error states, keyboard navigation and screen-reader labels",
    ).presumes(Presumes::SCREEN),
    p(
        "Build the {control} with its default, focused and disabled states, keyboard operation and a screen-reader label",
    )
    .presumes(Presumes::CONTROL)],
    failures: &[(
        "The API call behind the {screen} fails",
        "Users see a blank or frozen screen",
        "Show an inline error with a retry action and keep the user's input",
    )],
    security: &[sc(
        "User input is escaped",
        "a {role} enters `<script>alert(1)</script>` in a text field",
        "the text is shown literally and no script runs",
    )
    .presumes(Presumes::TEXT_INPUT)],
    negatives: &[
        sc(
            "Failed save keeps the previous state",
            "saving {topic} fails on the server",
            "an inline error is shown and the previous state is kept",
        )
        .only_if(&[
            "toggle*", "switch*", "setting*", "preference*", "save*", "edit*", "mode",
            "profile*", "theme*",
        ]),
        sc(
            "Failed request shows an error",
            "the request behind {topic} fails on the server",
            "an inline error with a retry action is shown and nothing else changes",
        ),
        sc(
            "Form validation",
            "the {role} submits the form with an invalid value",
            "the field is highlighted with a message and the form keeps the other values",
        )
        .presumes(Presumes::TEXT_INPUT),
    ],
};

static MOBILE: ContextRules = ContextRules {
    scopes: &[p(
        "Implement {topic} in the iOS and Android apps, handling offline mode and app backgrounding",
    )],
    failures: &[(
        "Older app versions call the changed API",
        "Those users see errors",
        "Keep the API backward compatible until the minimum supported version moves",
    )],
    security: &[sc(
        "Tokens stored securely",
        "the app stores credentials",
        "they are kept in the Keychain/Keystore, never in plain preferences",
    )],
    negatives: &[sc(
        "Offline",
        "the device loses connectivity during {topic}",
        "the app shows an offline message and retries when back online",
    )],
};

static CACHE: ContextRules = ContextRules {
    scopes: &[p(
        "Cache {topic} with an explicit TTL and invalidate entries on every write path",
    )],
    failures: &[(
        "Stale cache entry served after an update",
        "Users see outdated data",
        "Invalidate on write and keep TTLs short for mutable data",
    )],
    security: &[sc(
        "Cache keys are scoped per user",
        "two users request {topic}",
        "neither sees the other's cached data",
    )],
    negatives: &[sc(
        "Cache unavailable",
        "the cache is unreachable",
        "requests fall back to the source of truth with higher latency, not errors",
    )],
};

static QUEUE: ContextRules = ContextRules {
    scopes: &[p(
        "Process {topic} in a background job with retries, exponential backoff and a dead-letter queue",
    )],
    failures: &[(
        "A message fails repeatedly (poison message)",
        "The queue backs up behind it",
        "Move it to the dead-letter queue after N attempts and alert",
    )],
    security: &[],
    negatives: &[sc(
        "Job failure is retried",
        "the background job fails on its first attempt",
        "it is retried with backoff and succeeds without duplicate side effects",
    )],
};

static EXTERNAL: ContextRules = ContextRules {
    scopes: &[p(
        "Call {service} with timeouts, retries with backoff and a circuit breaker; keep its credentials in the secret store",
    )],
    failures: &[(
        "{service} is unavailable or slow",
        "{topic} stalls",
        "Time out, retry with backoff, and degrade gracefully with a pending state",
    )],
    security: &[sc(
        "Credentials never logged",
        "a call to {service} fails",
        "the logged error contains no API keys or tokens",
    )],
    negatives: &[sc(
        "{service} error",
        "{service} answers with a 5xx error",
        "the error is retried and, if it persists, reported to the {role} without a stack trace",
    )],
};

static STORAGE: ContextRules = ContextRules {
    scopes: &[p(
        "Store files in object storage under a per-tenant prefix and serve them through short-lived signed URLs",
    )],
    failures: &[(
        "Object storage write fails",
        "Uploaded data is lost",
        "Confirm the write before acknowledging and retry on failure",
    )],
    security: &[sc(
        "Files are private by default",
        "a file URL is requested without a signature",
        "access is refused",
    )],
    negatives: &[],
};
