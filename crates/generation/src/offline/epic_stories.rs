//! Offline `epic_stories`: turns the requirement lists of an epic and its PRD (bullets, table
//! rows, "As a ..." lines) into user stories with acceptance criteria, skipping sections such
//! as "Out of scope" and "Open questions". An epic with no list at all is decomposed with the
//! domain's typical story map.

use super::facts::Facts;
use super::phrasebook::{Phrase, Presumes, Vars, domain_rules, p};
use super::test_cases::shorten;
use super::{OfflineTask, describe_document, push_unique, sentence, success_outcome, with_article};
use crate::task::{Domain, EpicStories, EpicStoriesInput, Priority, StoryDraft};
use crate::text_analysis::{
    Analysis, Lexicon, detect_contexts, detect_domains, lower_first, parse_summary, split_sections,
    upper_first,
};

/// Headings whose items are not requirements.
const SKIPPED_HEADINGS: [&str; 18] = [
    "out of scope",
    "non-goal",
    "non goal",
    "question",
    "risk",
    "background",
    "context",
    "metric",
    "success",
    "appendix",
    "reference",
    "glossary",
    "timeline",
    "milestone",
    "stakeholder",
    "problem",
    "assumption",
    "dependenc",
];

/// Words that make a line a statement about the system rather than an action
/// ("Reset links expire after 30 minutes").
const STATEMENT_MARKERS: [&str; 12] = [
    " is ",
    " are ",
    " expire ",
    " expires ",
    " never ",
    " always ",
    " only ",
    " within ",
    " at most ",
    " at least ",
    " no more than ",
    " up to ",
];

/// Requirements beyond this many are not read: an epic yields at most 50 stories, and the
/// constraint matching below is quadratic.
const MAX_CANDIDATES: usize = 120;

/// A requirement found in the sources.
struct Candidate {
    text: String,
    children: Vec<String>,
    note: Option<String>,
    source: String,
    heading: String,
    /// See [`Candidate::classify_constraint`].
    constraint: bool,
}

impl Candidate {
    fn new(
        text: String,
        children: Vec<String>,
        note: Option<String>,
        source: String,
        heading: String,
    ) -> Self {
        let mut candidate = Candidate {
            text,
            children,
            note,
            source,
            heading,
            constraint: false,
        };
        candidate.constraint = candidate.classify_constraint();
        candidate
    }

    fn is_constraint(&self) -> bool {
        self.constraint
    }

    /// A line such as "Reset links expire after 30 minutes": no user story, no modal verb and
    /// no leading action, so it constrains a story rather than being one.
    fn classify_constraint(&self) -> bool {
        let text = format!(" {} ", strip_moscow(&self.text).to_ascii_lowercase());
        let declarative = STATEMENT_MARKERS.iter().any(|marker| text.contains(marker));
        let requirement_like = text.starts_with(" as a ")
            || text.starts_with(" as an ")
            || MODALS.iter().any(|modal| text.contains(modal));
        !requirement_like
            && (declarative || parse_summary(&text).verb.is_none())
            && self.note.is_none()
    }
}

impl OfflineTask for EpicStoriesInput {
    fn generate_offline(&self) -> EpicStories {
        let mut texts: Vec<&str> = Vec::new();
        texts.extend(super::clipped(self.description.as_deref()));
        texts.extend(super::clipped(self.additional_context.as_deref()));
        texts.extend(
            self.documents
                .iter()
                .filter_map(|d| super::clipped(Some(d.content.as_str()))),
        );
        let epic = Analysis::new(&self.summary, &texts, &[]);
        let mut candidates = Vec::new();
        if let Some(description) = &self.description {
            collect(description, "Epic description", &mut candidates);
        }
        for document in &self.documents {
            collect(
                &document.content,
                &describe_document(document),
                &mut candidates,
            );
        }
        if candidates.is_empty() {
            candidates = template_candidates(&epic);
        }
        // A PRD that repeats a requirement (in a table and in a list) yields one story.
        let mut seen = std::collections::HashSet::new();
        candidates.retain(|candidate| seen.insert(candidate.text.trim().to_ascii_lowercase()));
        candidates.truncate(MAX_CANDIDATES);
        attach_constraints(&mut candidates);
        let epic_label = match &self.epic_key {
            Some(key) => format!("{key} “{}”", self.summary.trim()),
            None => format!("“{}”", self.summary.trim()),
        };
        let mut stories: Vec<StoryDraft> = Vec::new();
        let mut last_role = epic.role.clone();
        for (position, candidate) in candidates.iter().enumerate() {
            if stories.len() >= self.max_stories as usize {
                break;
            }
            let (story, role) = draft(candidate, position, &epic, &epic_label, &last_role);
            last_role = role;
            let key = story.summary.to_ascii_lowercase();
            if !stories
                .iter()
                .any(|known| known.summary.to_ascii_lowercase() == key)
            {
                stories.push(story);
            }
        }
        EpicStories { stories }
    }
}

fn collect(text: &str, label: &str, candidates: &mut Vec<Candidate>) {
    let clipped = crate::text_analysis::clip(text, crate::text_analysis::MAX_ANALYSED_CHARS);
    for section in split_sections(clipped) {
        let heading = section.heading.to_ascii_lowercase();
        if SKIPPED_HEADINGS.iter().any(|word| heading.contains(word)) {
            continue;
        }
        let source = if section.heading.is_empty() {
            label.to_owned()
        } else {
            format!("{label} § {}", section.heading)
        };
        // "As a ..." lines are whole stories; they lead, and the list items may refine them.
        for line in section.prose {
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("as a ") || lower.starts_with("as an ") {
                candidates.push(Candidate::new(
                    line,
                    Vec::new(),
                    None,
                    source.clone(),
                    heading.clone(),
                ));
            }
        }
        for item in section.items {
            if item.text.split_whitespace().count() < 2 {
                continue;
            }
            candidates.push(Candidate::new(
                item.text,
                item.children,
                item.note,
                source.clone(),
                heading.clone(),
            ));
        }
    }
}

/// The usual story map of an epic's domain, used when the epic lists no requirements. Each
/// entry is said only when the epic shows it applies: an epic called "Self-serve refunds"
/// gets the refund story, not "pay with a card". With nothing to go on, the epic becomes
/// one story rather than a map of guesses.
fn template_candidates(epic: &Analysis) -> Vec<Candidate> {
    const PROVIDERS: &[&str] = &["stripe", "paypal", "adyen", "braintree", "webhook*"];
    let templates: &[Phrase] = match epic.domain {
        Domain::DataMigration => &[
            p("Inventory and map the {topic} source data to the target model"),
            p("Build the {topic} job with a dry-run mode"),
            p("Backfill existing records in resumable batches"),
            p("Reconcile source and target after the {topic}"),
            p("Switch reads to the new store and retire the old one"),
        ],
        Domain::Payments => &[
            p("Pay for {topic} with a card").only_if(&["pay", "checkout", "card*", "purchas*"]),
            p("Handle {service} webhooks idempotently").only_if(PROVIDERS),
            p("Issue full and partial refunds").only_if(&["refund*"]),
            p("Reconcile payments with {service} reports").only_if(PROVIDERS),
        ],
        Domain::Authentication => &[
            p("Sign in with {topic}").only_if(&["sso", "saml", "oauth", "google", "okta"]),
            p("Recover access when credentials are lost").only_if(&[
                "password*",
                "credential*",
                "login",
                "sign in",
                "account*",
            ]),
            p("Protect {topic} against brute-force attempts").only_if(&[
                "login",
                "sign in",
                "password*",
                "otp",
                "mfa",
                "2fa",
            ]),
            p("Audit {topic} events for security review"),
        ],
        Domain::Reporting => &[
            p("View {topic} on a dashboard"),
            p("Filter {topic} by date range and segment")
                .only_if(&["date*", "period*", "day*", "filter*", "segment*"]),
            p("Export {topic} to CSV").only_if(&["export*", "csv", "download*"]),
            p("Schedule {topic} delivery by email").only_if(&["schedul*", "email*"]),
        ],
        Domain::Notifications => &[
            p("Send {topic} when the triggering event happens"),
            p("Choose which {topic} to receive").presumes(Presumes::OPTIONAL_MESSAGES),
            p("Track delivery and retry failed {topic}"),
        ],
        Domain::Search => &[
            p("Search {topic} by keyword"),
            p("Filter and sort {topic} results"),
            p("Keep the {topic} index up to date"),
        ],
        Domain::Integration => &[
            p("Connect an account to {service}").only_if(PROVIDERS),
            p("Sync {topic} from {service} automatically").only_if(PROVIDERS),
            p("See sync status and errors").only_if(&["sync*"]),
            p("Disconnect {service} and clean up synced data").only_if(PROVIDERS),
        ],
        _ => &[
            p("{object}"),
            p("Validate input and explain errors for {topic}").presumes(Presumes::TEXT_INPUT),
            p("Configure {topic} as an administrator").only_if(&["admin*", "config*", "setting*"]),
            p("Track usage of {topic}").only_if(&["usage", "analytics", "metric*", "adoption"]),
        ],
    };
    let vars = Vars::from_analysis(epic);
    let mut stories: Vec<String> = templates
        .iter()
        // Without a named provider a "{service}" story is a guess, not a story.
        .filter(|template| vars.named_service || !template.text.contains("{service}"))
        .filter(|template| template.gate.admits(&vars.facts, &epic.lexicon))
        .map(|template| vars.fill(template.text))
        .collect();
    if stories.is_empty() {
        stories.push(vars.object.clone());
    }
    stories
        .into_iter()
        .map(|story| {
            Candidate::new(
                upper_first(&story),
                Vec::new(),
                None,
                "Epic summary (the epic lists no requirements; typical story map)".to_owned(),
                String::new(),
            )
        })
        .collect()
}

/// Modal openings of requirement sentences and whether they name the role before them.
const MODALS: [&str; 9] = [
    " should be able to ",
    " must be able to ",
    " can ",
    " should ",
    " must ",
    " shall ",
    " will be able to ",
    " will ",
    " need to ",
];

/// Moves constraint lines into the acceptance criteria of the story they share most words
/// with (the first story on a tie).
fn attach_constraints(candidates: &mut Vec<Candidate>) {
    if candidates.iter().all(Candidate::is_constraint) {
        return;
    }
    let mut index = 0;
    while let Some(candidate) = candidates.get(index) {
        if !candidate.is_constraint() {
            index += 1;
            continue;
        }
        let constraint = candidates.remove(index);
        let words: Vec<String> = Lexicon::new(&constraint.text, &[])
            .summary_words()
            .into_iter()
            .filter(|word| word.len() >= 4)
            .collect();
        let best = candidates
            .iter()
            .enumerate()
            .filter(|(_, candidate)| !candidate.is_constraint())
            .max_by_key(|(position, candidate)| {
                let lower = candidate.text.to_ascii_lowercase();
                let overlap = words
                    .iter()
                    .filter(|word| lower.contains(word.as_str()))
                    .count();
                (overlap, std::cmp::Reverse(*position))
            })
            .map(|(position, _)| position);
        if let Some(best) = best.and_then(|best| candidates.get_mut(best)) {
            best.children.push(constraint.text);
        }
    }
}

/// "Must: ..." / "Could - ..." prefixes are priorities, not part of the requirement.
fn strip_moscow(text: &str) -> &str {
    let lower = text.to_ascii_lowercase();
    for prefix in [
        "must have",
        "should have",
        "could have",
        "won't have",
        "must",
        "should",
        "could",
        "won't",
        "nice to have",
    ] {
        if lower.starts_with(prefix) {
            let rest = &text[prefix.len()..];
            if let Some(rest) = rest.trim_start().strip_prefix([':', '-', '–']) {
                return rest.trim();
            }
        }
    }
    text
}

fn article(word: &str) -> &'static str {
    super::indefinite_article(word)
}

/// Drafts one story; returns it with the role it is written for.
fn draft(
    candidate: &Candidate,
    position: usize,
    epic: &Analysis,
    epic_label: &str,
    default_role: &str,
) -> (StoryDraft, String) {
    let text = strip_moscow(candidate.text.trim()).trim_end_matches('.');
    let item = Lexicon::new(text, &[]);
    let item_domain = detect_domains(&item)
        .first()
        .copied()
        .unwrap_or(epic.domain);
    let requirement = split_requirement(text, default_role);
    let role = requirement.role.clone();
    // Each story is its own ticket: "reset a forgotten password" has a signed-out user even
    // when its epic is about account security in general.
    let facts = Facts::from_lexicon(&item);
    let given = facts.given_user(&role);
    let want = lower_first(requirement.want.trim_end_matches('.'));
    let parts = parse_summary(&want);
    let verb_led = parts.verb.is_some() || requirement.from_user_story;
    let (summary_text, wish, phrase) = if requirement.system_subject {
        (
            want.clone(),
            format!("the system to {want}"),
            format!("see that the system can {want}"),
        )
    } else if verb_led {
        (
            want.clone(),
            format!("to {}", first_person(&want)),
            want.clone(),
        )
    } else {
        let thing = with_article(&lower_first(&want));
        (want.clone(), thing.clone(), format!("use {thing}"))
    };
    let summary = shorten(&upper_first(&strip_possessives(&summary_text)), 80);
    let benefit = requirement
        .benefit
        .unwrap_or_else(|| first_person_benefit(domain_rules(item_domain).benefit));
    let user_story = format!(
        "As {} {role}, I want {wish}, so that {benefit}.",
        article(&role)
    );
    let mut acceptance_criteria: Vec<String> = candidate
        .children
        .iter()
        .map(|child| {
            sentence(child.trim_end_matches('.'))
                .trim_end_matches('.')
                .to_owned()
        })
        .collect();
    let read_only = matches!(
        parts.verb.as_deref(),
        Some(
            "see"
                | "view"
                | "compare"
                | "filter"
                | "search"
                | "find"
                | "track"
                | "get"
                | "review"
                | "list"
                | "sort"
                | "group"
                | "access"
        )
    );
    if acceptance_criteria.len() < 2 {
        let criterion = if requirement.system_subject {
            format!(
                "Given normal operation, when the system {}, then the result is visible to the {role} and every failure is logged with a reason",
                third_person_phrase(&want)
            )
        } else {
            format!(
                "{given}, when they {}, then {}",
                first_person_free(&phrase),
                success_outcome(parts.verb.as_deref())
            )
        };
        push_unique(&mut acceptance_criteria, criterion);
    }
    if acceptance_criteria.len() < 3 && read_only {
        push_unique(
            &mut acceptance_criteria,
            format!(
                "{given}, when there is nothing to show, then an empty state explains why instead of an error"
            ),
        );
    } else if acceptance_criteria.len() < 3 && !requirement.system_subject {
        let vars = Vars {
            // "my password" is the requester speaking; scenarios are in the third person.
            topic: strip_possessives(&format!(" {}", lower_first(&parts.topic)))
                .trim()
                .to_owned(),
            object: lower_first(&parts.object),
            role: role.clone(),
            facts,
            ..Vars::from_analysis(epic)
        };
        let negatives = domain_rules(item_domain).negatives;
        if let Some(scenario) = vars.scenarios(&item, negatives).next() {
            push_unique(
                &mut acceptance_criteria,
                format!(
                    "{given}, when {}, then {}",
                    vars.fill(scenario.when),
                    vars.fill(scenario.then)
                ),
            );
        }
    }
    let contexts = detect_contexts(&Lexicon::new(text, &[&candidate.children.join("\n")]));
    let layers: Vec<String> = contexts
        .iter()
        .filter_map(|context| serde_json::to_value(context).ok())
        .filter_map(|value| value.as_str().map(|name| name.replace('_', " ")))
        .collect();
    let mut description = match &candidate.note {
        Some(note) => sentence(note),
        None if requirement.system_subject => format!("The system must {want}."),
        None => format!(
            "{}s need to {}.",
            upper_first(&role),
            first_person_free(&phrase)
        ),
    };
    description.push_str(&format!(
        " This story delivers that slice of the epic {epic_label} and can be released on its own."
    ));
    description.push_str(&format!(
        "\n\nDerived from {}: “{}”.",
        candidate.source,
        candidate.text.trim().trim_end_matches('.')
    ));
    if !layers.is_empty() {
        description.push_str(&format!("\nLikely touches: {}.", layers.join(", ")));
    }
    let priority = priority(
        &format!(
            "{} {}",
            candidate.heading,
            candidate.text.to_ascii_lowercase()
        ),
        position,
    );
    let size = 1.0 + contexts.len() as f64 + acceptance_criteria.len() as f64 / 2.0;
    let story = StoryDraft {
        summary,
        user_story,
        description,
        acceptance_criteria,
        priority,
        story_points: fibonacci(size * epic.complexity),
        source: Some(candidate.source.clone()),
    };
    (story, role)
}

/// A requirement split into who wants what and why.
struct Requirement {
    role: String,
    want: String,
    benefit: Option<String>,
    /// "The system shall ...": the role wants the system to do it.
    system_subject: bool,
    /// Taken from an "As a ..., I want to ..." line, so `want` starts with a verb.
    from_user_story: bool,
}

/// "Admins must be able to schedule exports so that ..." → admin / "schedule exports".
fn split_requirement(text: &str, default_role: &str) -> Requirement {
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("as a ") || lower.starts_with("as an ") {
        let parts = parse_summary(text);
        let head = lower.split(',').next().unwrap_or("");
        let head = head.split(" i want").next().unwrap_or(head);
        let role = head
            .trim_start_matches("as an ")
            .trim_start_matches("as a ")
            .trim()
            .to_owned();
        let want = match &parts.verb {
            Some(verb) => format!("{verb} {}", parts.object),
            None => parts.object.clone(),
        };
        let role = if role.is_empty() || role.len() > 30 {
            default_role.to_owned()
        } else {
            role
        };
        return Requirement {
            role,
            want,
            benefit: parts.benefit.map(|b| b.trim_end_matches('.').to_owned()),
            system_subject: false,
            from_user_story: true,
        };
    }
    let (body, benefit) = match lower.find(" so that ") {
        Some(at) => (
            &text[..at],
            Some(text[at + " so that ".len()..].trim().to_owned()),
        ),
        None => (text, None),
    };
    let body_lower = body.to_ascii_lowercase();
    for modal in MODALS {
        if let Some(at) = body_lower.find(modal) {
            let subject = body[..at].trim().to_ascii_lowercase();
            let subject = subject
                .trim_start_matches("the ")
                .trim_start_matches("all ");
            let want = body[at + modal.len()..].trim().to_owned();
            if want.is_empty() {
                continue;
            }
            let system_subject = matches!(
                subject,
                "system"
                    | "platform"
                    | "app"
                    | "application"
                    | "service"
                    | "it"
                    | "we"
                    | "backend"
                    | "api"
            );
            let role = if !system_subject
                && !subject.is_empty()
                && subject.split_whitespace().count() <= 2
            {
                singular(subject)
            } else {
                default_role.to_owned()
            };
            return Requirement {
                role,
                want,
                benefit,
                system_subject,
                from_user_story: false,
            };
        }
    }
    let want = [
        "ability to ",
        "support for ",
        "allow users to ",
        "enable users to ",
    ]
    .iter()
    .find_map(|prefix| {
        body_lower
            .starts_with(prefix)
            .then(|| body[prefix.len()..].to_owned())
    })
    .unwrap_or_else(|| body.to_owned());
    Requirement {
        role: default_role.to_owned(),
        want,
        benefit,
        system_subject: false,
        from_user_story: false,
    }
}

fn singular(word: &str) -> String {
    match word.strip_suffix('s') {
        Some(stem) if !word.ends_with("ss") => stem.to_owned(),
        _ => word.to_owned(),
    }
}

fn strip_possessives(text: &str) -> String {
    let mut out = text.to_owned();
    for possessive in [" their ", " my ", " his or her ", " his ", " her ", " our "] {
        out = out.replace(possessive, " ");
    }
    out
}

fn first_person(phrase: &str) -> String {
    format!(" {phrase} ")
        .replace(" their ", " my ")
        .replace(" they ", " I ")
        .trim()
        .to_owned()
}

/// "reset my password" → "reset their password", for sentences about the role.
fn first_person_free(phrase: &str) -> String {
    format!(" {phrase} ")
        .replace(" my ", " their ")
        .replace(" me ", " them ")
        .trim()
        .to_owned()
}

/// "migrate records nightly" → "migrates records nightly".
fn third_person_phrase(phrase: &str) -> String {
    match phrase.split_once(' ') {
        Some((verb, rest)) => format!("{} {rest}", crate::text_analysis::third_person(verb)),
        None => crate::text_analysis::third_person(phrase),
    }
}

fn first_person_benefit(benefit: &str) -> String {
    format!(" {benefit} ")
        .replace(" they are ", " I am ")
        .replace(" they can ", " I can ")
        .replace(" they ", " I ")
        .replace(" their ", " my ")
        .replace(" them ", " me ")
        .trim()
        .to_owned()
}

/// MoSCoW words decide; otherwise the first requirements listed are the core ones.
fn priority(text: &str, position: usize) -> Priority {
    let has = |words: &[&str]| words.iter().any(|word| text.contains(word));
    if has(&[
        "could",
        "nice to have",
        "optional",
        "phase 2",
        "p2",
        "stretch",
        "won't",
    ]) {
        Priority::Low
    } else if has(&["must", "p0", "critical", "mvp", "required"]) {
        Priority::High
    } else if has(&["should", "p1"]) {
        Priority::Medium
    } else if position < 2 {
        Priority::High
    } else {
        Priority::Medium
    }
}

fn fibonacci(size: f64) -> u32 {
    [1, 2, 3, 5, 8, 13]
        .into_iter()
        .find(|points| f64::from(*points) >= size)
        .unwrap_or(13)
}
