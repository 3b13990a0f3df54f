//! The deterministic offline generator: answers every generation task from the input's own
//! words, with no model. It is the default when no API key is configured and the fallback
//! when a provider is down.
//!
//! Same input, same output: no clock, no randomness, and every list is built in a fixed order.
//! Each task module composes its answer from [`crate::text_analysis::Analysis`] (what the
//! ticket is about) and the rule libraries in [`phrasebook`] (what competent engineers write
//! about such tickets).

mod chat_answer;
mod chat_intent;
mod chat_text;
mod draft_pr_plan;
mod epic_stories;
mod facts;
mod jql_query;
mod phrasebook;
mod requirement_analysis;
mod requirement_rules;
mod story_tasks;
mod test_cases;
mod ticket_assessment;
mod ticket_description;
mod ticket_draft;
mod ticket_update;

use serde_json::Value;

use crate::error::GenerationError;
use crate::task::{
    ChatAnswerInput, ChatIntentInput, DraftPrPlanInput, EpicStoriesInput, JqlQueryInput,
    ParentContext, RequirementAnalysisInput, SourceDocument, StoryTasksInput, TaskInput, TaskKind,
    TestCasesInput, TicketAssessmentInput, TicketDescriptionInput, TicketDraftInput,
    TicketUpdateInput, parse_input,
};

/// A task input the offline generator can answer.
pub trait OfflineTask: TaskInput {
    /// Produces the output for an already validated input.
    fn generate_offline(&self) -> Self::Output;
}

/// Validates `input` and answers it offline.
pub fn generate_typed<I: OfflineTask>(input: &I) -> Result<I::Output, GenerationError> {
    input.validate()?;
    Ok(input.generate_offline())
}

/// Parses `input` as `kind`'s input and answers it offline, as JSON that validates against
/// [`crate::output_schema`]`(kind)`.
pub fn generate(kind: TaskKind, input: &Value) -> Result<Value, GenerationError> {
    match kind {
        TaskKind::TicketDescription => run::<TicketDescriptionInput>(input),
        TaskKind::EpicStories => run::<EpicStoriesInput>(input),
        TaskKind::StoryTasks => run::<StoryTasksInput>(input),
        TaskKind::TestCases => run::<TestCasesInput>(input),
        TaskKind::DraftPrPlan => run::<DraftPrPlanInput>(input),
        TaskKind::ChatIntent => run::<ChatIntentInput>(input),
        TaskKind::RequirementAnalysis => run::<RequirementAnalysisInput>(input),
        TaskKind::TicketDraft => run::<TicketDraftInput>(input),
        TaskKind::TicketAssessment => run::<TicketAssessmentInput>(input),
        TaskKind::TicketUpdate => run::<TicketUpdateInput>(input),
        TaskKind::JqlQuery => run::<JqlQueryInput>(input),
        TaskKind::ChatAnswer => run::<ChatAnswerInput>(input),
    }
}

fn run<I: OfflineTask>(input: &Value) -> Result<Value, GenerationError> {
    let parsed: I = parse_input(input)?;
    let output = parsed.generate_offline();
    serde_json::to_value(output).map_err(|err| GenerationError::InvalidOutput {
        kind: I::KIND,
        path: ".".to_owned(),
        reason: err.to_string(),
    })
}

/// The supporting texts of a request, in the order they matter, each clipped so that a
/// pasted book still answers in milliseconds.
fn supporting_texts<'a>(
    description: Option<&'a str>,
    parent: Option<&'a ParentContext>,
    documents: &'a [SourceDocument],
    additional_context: Option<&'a str>,
) -> Vec<&'a str> {
    let mut texts = Vec::new();
    texts.extend(clipped(meaningful(description)));
    texts.extend(clipped(meaningful(additional_context)));
    if let Some(parent) = parent {
        texts.extend(clipped(Some(parent.summary.as_str())));
        texts.extend(clipped(meaningful(parent.description.as_deref())));
    }
    texts.extend(
        documents
            .iter()
            .filter_map(|document| clipped(Some(document.content.as_str()))),
    );
    texts
}

/// `text` unless it says nothing: "TBD", "N/A", or Jira's empty template ("h2. Description
/// h2. Acceptance Criteria" with no line under either heading). An empty template's heading
/// words would otherwise read as the ticket's subject.
fn meaningful(text: Option<&str>) -> Option<&str> {
    let text = text?;
    // Placeholders are short: stop reading as soon as the content is longer than any of
    // them, so a pasted PRD costs one pass over its first lines, not a copy.
    let mut content = String::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || is_heading(line) {
            continue;
        }
        if content.len() + line.len() > 80 {
            return Some(text);
        }
        content.push_str(line);
        content.push('\n');
    }
    (!crate::text_analysis::is_placeholder(&content)).then_some(text)
}

/// A Jira ("h2. Title") or Markdown ("## Title") heading line.
fn is_heading(line: &str) -> bool {
    let jira = matches!(line.as_bytes(), [b'h', level, b'.', b' ', ..] if level.is_ascii_digit());
    jira || line.starts_with('#')
}

/// `text` cut to [`crate::text_analysis::MAX_ANALYSED_CHARS`].
fn clipped(text: Option<&str>) -> Option<&str> {
    text.map(|text| crate::text_analysis::clip(text, crate::text_analysis::MAX_ANALYSED_CHARS))
}

/// True when the text says stored data changes shape or gains data (a schema task, a
/// migration), not merely that a table is read or written.
fn changes_storage(lexicon: &crate::text_analysis::Lexicon) -> bool {
    lexicon.any(&[
        "schema*",
        "migrat*",
        "column*",
        "new table",
        "store",
        "stored",
        "persist*",
        "backfill*",
        "data model",
    ])
}

/// Appends `item` unless an entry with the same words (ignoring case) is already there.
fn push_unique(list: &mut Vec<String>, item: String) {
    let key = item.trim().to_lowercase();
    if key.is_empty() {
        return;
    }
    if !list.iter().any(|known| known.trim().to_lowercase() == key) {
        list.push(item);
    }
}

/// Ends `text` with a full stop unless it already ends in punctuation.
fn sentence(text: &str) -> String {
    let text = crate::text_analysis::upper_first(text.trim());
    if text.ends_with(['.', '!', '?']) {
        text
    } else {
        format!("{text}.")
    }
}

/// `parent` as "PROJ-1 “Summary”" for references.
fn describe_parent(parent: &ParentContext) -> String {
    match &parent.key {
        Some(key) => format!("{key} “{}”", parent.summary.trim()),
        None => format!("“{}”", parent.summary.trim()),
    }
}

/// `document` as "PRD “Title” (url)" for references.
fn describe_document(document: &SourceDocument) -> String {
    let mut text = document.kind.label().to_owned();
    if let Some(title) = document.title.as_deref().filter(|t| !t.trim().is_empty()) {
        text.push_str(&format!(" “{}”", title.trim()));
    }
    if let Some(url) = document.url.as_deref().filter(|u| !u.trim().is_empty()) {
        text.push_str(&format!(" ({})", url.trim()));
    }
    text
}

/// What a story lets its user do, read from the summary.
#[derive(Debug, Clone)]
struct Capability {
    /// A role named in the summary ("Allow admins to ..."), singular.
    role: Option<String>,
    /// What the role can do, starting with a verb: "export order history to CSV".
    phrase: String,
    /// For summaries that name a thing to build ("Add a dark mode toggle"): the thing, with
    /// an article where one fits.
    offering: Option<String>,
    /// The leading verb, when the summary has one.
    verb: Option<String>,
}

/// Verbs that describe something a user does themselves.
const USER_ACTION_VERBS: &[&str] = &[
    "export",
    "import",
    "view",
    "see",
    "filter",
    "search",
    "save",
    "download",
    "upload",
    "share",
    "edit",
    "manage",
    "invite",
    "reset",
    "cancel",
    "approve",
    "subscribe",
    "compare",
    "review",
    "access",
    "choose",
    "select",
    "change",
    "connect",
    "sign in",
    "sign up",
    "log in",
    "opt out",
    "check out",
    "pay",
    "receive",
    "find",
    "get",
    "track",
    "undo",
    "restore",
    "schedule",
    "send",
    "delete",
    "remove",
    "archive",
    "bulk",
    "configure",
    "use",
    "keep",
    "refund",
    "charge",
    "apply",
    "book",
    "buy",
    "sell",
    "list",
    "sort",
    "group",
    "request",
    "submit",
    "open",
    "close",
    "lock",
    "unlock",
];

/// Verbs that describe building something for users.
const BUILD_VERBS: &[&str] = &[
    "add",
    "implement",
    "build",
    "create",
    "introduce",
    "support",
    "provide",
    "launch",
    "design",
    "develop",
    "set up",
    "expose",
    "enable",
    "write",
    "define",
    "generate",
];

fn capability(summary: &crate::text_analysis::SummaryParts) -> Capability {
    // "Export CSV button" is a label and keeps its capitals; "Dark mode toggle" is prose.
    let is_label = summary
        .object
        .split_whitespace()
        .nth(1)
        .is_some_and(|second| second.starts_with(|c: char| c.is_ascii_uppercase()));
    let object = if is_label {
        summary.object.clone()
    } else {
        crate::text_analysis::lower_first(&summary.object)
    };
    let Some(verb) = summary.verb.as_deref() else {
        let offering = with_article(&object);
        return Capability {
            role: None,
            phrase: format!("use {}", with_definite_article(&object)),
            offering: Some(offering),
            verb: None,
        };
    };
    let verb_owned = Some(verb.to_owned());
    // "Let customers reset their password" names the role and its action without a "to".
    if verb == "let"
        && let Some((role, action)) = object.split_once(' ')
        && action
            .split_whitespace()
            .next()
            .is_some_and(crate::text_analysis::is_base_verb)
    {
        let role = role.strip_suffix('s').unwrap_or(role);
        return Capability {
            role: Some(role.to_owned()),
            phrase: action.to_owned(),
            offering: None,
            verb: action.split_whitespace().next().map(str::to_lowercase),
        };
    }
    if matches!(verb, "allow" | "let" | "enable") {
        let lower = object.to_ascii_lowercase();
        if let Some(at) = lower.find(" to ") {
            let role = object[..at].trim();
            let role = role.strip_suffix('s').unwrap_or(role);
            let role = role.trim_start_matches("the ").to_owned();
            let phrase = object[at + 4..].trim().to_owned();
            let verb = phrase.split_whitespace().next().map(str::to_lowercase);
            return Capability {
                role: (!role.is_empty() && role.split_whitespace().count() <= 3).then_some(role),
                phrase,
                offering: None,
                verb,
            };
        }
    }
    // "Send a security alert when a new device signs in": the system sends, the user
    // receives; "let users send ..." would invert who does what.
    if matches!(
        verb,
        "send" | "notify" | "email" | "alert" | "remind" | "push"
    ) {
        let object = object.strip_prefix("users ").unwrap_or(&object);
        return Capability {
            role: None,
            phrase: format!("receive {}", with_article(object)),
            offering: None,
            verb: Some("receive".to_owned()),
        };
    }
    if USER_ACTION_VERBS.contains(&verb) {
        return Capability {
            role: None,
            phrase: format!("{verb} {object}"),
            offering: None,
            verb: verb_owned,
        };
    }
    if BUILD_VERBS.contains(&verb) {
        // "Add an Export CSV button to the orders page": the thing is added *to* the page
        // but used *on* it, so "use the button to the page" would be ungrammatical.
        let object = placed_on(&object);
        // What the built thing lets users do decides what success looks like: an "Export
        // CSV button" succeeds when a file downloads.
        let action = object
            .split_whitespace()
            .map(str::to_lowercase)
            .find(|word| USER_ACTION_VERBS.contains(&word.as_str()));
        return Capability {
            role: None,
            phrase: format!("use {}", with_definite_article(&object)),
            offering: Some(with_article(&object)),
            verb: action.or(verb_owned),
        };
    }
    Capability {
        role: None,
        phrase: format!("rely on {object} being {}", past_participle(verb)),
        offering: None,
        verb: verb_owned,
    }
}

/// "toggle to the settings page" → "toggle on the settings page": where a built thing ends
/// up, said as where it is. Only a "to" followed by a determiner and ending in a place noun
/// is a location; "a way to export" keeps its "to".
fn placed_on(object: &str) -> String {
    const PLACES: [&str; 12] = [
        "page",
        "screen",
        "view",
        "header",
        "footer",
        "menu",
        "toolbar",
        "sidebar",
        "modal",
        "dialog",
        "dashboard",
        "list",
    ];
    let lower = object.to_ascii_lowercase();
    for marker in [" to the ", " to a ", " to each ", " to every ", " to our "] {
        if let Some(at) = lower.find(marker) {
            let place = &lower[at + marker.len()..];
            let last = place.split_whitespace().last().unwrap_or("");
            if PLACES.contains(&last.trim_end_matches('s')) {
                return format!("{} on{}", &object[..at], &object[at + 3..]);
            }
        }
    }
    object.to_owned()
}

const DETERMINERS: [&str; 10] = [
    "a ", "an ", "the ", "my ", "their ", "our ", "your ", "this ", "these ", "each ",
];

fn has_determiner(phrase: &str) -> bool {
    let lower = phrase.to_ascii_lowercase();
    DETERMINERS.iter().any(|d| lower.starts_with(d))
}

/// "dark mode toggle" → "a dark mode toggle"; plurals and determined phrases stay as they are.
fn with_article(phrase: &str) -> String {
    let head = phrase
        .split([' '])
        .take_while(|w| !matches!(*w, "on" | "in" | "for" | "to" | "via" | "with" | "from"))
        .last()
        .unwrap_or("");
    if phrase.is_empty() || has_determiner(phrase) || (head.ends_with('s') && !head.ends_with("ss"))
    {
        return phrase.to_owned();
    }
    format!("{} {phrase}", indefinite_article(phrase))
}

/// "a" or "an" for `word` by its sound: "an export", "a user", "an SMS" is not attempted
/// (initialisms are rare in filled slots and "a" reads acceptably).
pub(crate) fn indefinite_article(word: &str) -> &'static str {
    let lower = word.trim_start().to_ascii_lowercase();
    // Vowel letters that sound like a consonant: "a user", "a unique", "a one-off".
    let consonant_sound = ["us", "uni", "uti", "eu", "one", "once"]
        .iter()
        .any(|prefix| lower.starts_with(prefix));
    let silent_h = ["hour", "honest", "honor", "honour"]
        .iter()
        .any(|prefix| lower.starts_with(prefix));
    let vowel = lower.starts_with(['a', 'e', 'i', 'o', 'u']);
    if (vowel && !consonant_sound) || silent_h {
        "an"
    } else {
        "a"
    }
}

/// "dark mode toggle" → "the dark mode toggle".
fn with_definite_article(phrase: &str) -> String {
    if phrase.is_empty() || has_determiner(phrase) {
        phrase.to_owned()
    } else {
        format!("the {phrase}")
    }
}

/// What a user sees when the action of `verb` succeeds, for generated acceptance criteria.
fn success_outcome(verb: Option<&str>) -> &'static str {
    match verb.unwrap_or("") {
        "receive" => "the message arrives within a minute and names what happened",
        "see" | "view" | "compare" | "filter" | "search" | "find" | "track" | "get" | "access"
        | "review" | "list" | "sort" | "group" => "the matching data is shown within a few seconds",
        "export" | "download" => "a file with the expected data downloads",
        "upload" | "import" => {
            "the file is accepted and every row is imported or reported as rejected"
        }
        "send" | "share" | "invite" | "notify" => {
            "the recipient receives it and a confirmation is shown"
        }
        "delete" | "remove" | "archive" | "cancel" => {
            "the item is gone from every list and a confirmation is shown"
        }
        _ => "the change is saved and confirmed on screen",
    }
}

/// Puts the role into a benefit written about "they": "they can pay" → "customers can pay".
fn benefit_for(role: &str, benefit: &str) -> String {
    match benefit.strip_prefix("they ") {
        Some(rest) => format!("{role}s {rest}"),
        None => benefit.to_owned(),
    }
}

/// Imperative sentences and clauses of prose ("Verify the signature, mark the order paid and
/// enqueue the receipt email."): the requester's own scope items when they wrote no list.
fn imperative_statements(text: &str) -> Vec<String> {
    let mut statements = Vec::new();
    for section in crate::text_analysis::split_sections(text) {
        let heading = section.heading.to_lowercase();
        if NOT_SCOPE.iter().any(|word| heading.contains(word)) {
            continue;
        }
        for line in &section.prose {
            for sentence in line.split(". ").flat_map(|part| part.split("; ")) {
                let sentence = sentence.trim().trim_end_matches('.');
                let mut clauses: Vec<String> = Vec::new();
                // Cheap test first: most prose sentences do not start with a verb, and full
                // summary parsing of every clause of a long PRD would dominate latency.
                let starts_with_verb = |text: &str| {
                    text.split_whitespace()
                        .next()
                        .is_some_and(crate::text_analysis::is_base_verb)
                };
                for piece in sentence.split(", ") {
                    let piece = piece.trim();
                    let bare = piece.strip_prefix("and ").unwrap_or(piece);
                    if starts_with_verb(bare) || clauses.is_empty() {
                        clauses.push(bare.to_owned());
                    } else if let Some(last) = clauses.last_mut() {
                        last.push_str(", ");
                        last.push_str(piece);
                    }
                }
                for clause in clauses {
                    if !starts_with_verb(&clause) {
                        continue;
                    }
                    let parts = crate::text_analysis::parse_summary(&clause);
                    // Imperative only: "Verify ..." counts, "imported ..." and "Verifies ..." do not.
                    let first_word = clause
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_lowercase();
                    let imperative = parts
                        .verb
                        .as_deref()
                        .is_some_and(|verb| verb.split(' ').next() == Some(first_word.as_str()));
                    if imperative && clause.split_whitespace().count() >= 3 && clause.len() <= 200 {
                        statements.push(crate::text_analysis::upper_first(&clause));
                    }
                }
            }
        }
    }
    statements
}

/// Headings whose items are not scope.
const NOT_SCOPE: [&str; 10] = [
    "acceptance",
    "out of scope",
    "non-goal",
    "non goal",
    "steps",
    "expected",
    "actual",
    "question",
    "risk",
    "reproduc",
];

/// "improve" → "improved", "fix" → "fixed", "set up" → "set up".
fn past_participle(verb: &str) -> String {
    let (head, tail) = match verb.split_once(' ') {
        Some((head, tail)) => (head, format!(" {tail}")),
        None => (verb, String::new()),
    };
    let irregular = match head {
        "set" | "cut" | "put" => Some(head.to_owned()),
        "make" => Some("made".to_owned()),
        "rebuild" | "build" => Some(format!("{}t", &head[..head.len() - 1])),
        "write" | "rewrite" => Some(format!("{}ten", &head[..head.len() - 1])),
        _ => None,
    };
    let inflected = irregular.unwrap_or_else(|| {
        if head.ends_with('e') {
            format!("{head}d")
        } else if head.ends_with('y') && !head.ends_with("ay") && !head.ends_with("ey") {
            format!("{}ied", &head[..head.len() - 1])
        } else {
            format!("{head}ed")
        }
    });
    format!("{inflected}{tail}")
}

/// Items of the description's lists, skipping sections that are not scope (acceptance
/// criteria, out of scope, steps, questions, notes).
fn description_scope_items(description: &str) -> Vec<String> {
    let mut items: Vec<String> = crate::text_analysis::split_sections(description)
        .into_iter()
        .filter(|section| {
            let heading = section.heading.to_lowercase();
            !NOT_SCOPE.iter().any(|word| heading.contains(word))
        })
        .flat_map(|section| section.items.into_iter().map(|item| item.text))
        .filter(|item| {
            let lower = item.to_lowercase();
            !(lower.starts_with("given ")
                || lower.starts_with("when ")
                || lower.starts_with("then "))
        })
        .collect();
    for statement in imperative_statements(description) {
        push_unique(&mut items, statement);
    }
    items
}

/// Items of the description's sections whose heading contains one of `words`.
fn description_section_items(description: &str, words: &[&str]) -> Vec<String> {
    crate::text_analysis::split_sections(description)
        .into_iter()
        .filter(|section| {
            let heading = section.heading.to_lowercase();
            words.iter().any(|word| heading.contains(word))
        })
        .flat_map(|section| {
            let items: Vec<String> = section.items.into_iter().map(|item| item.text).collect();
            if items.is_empty() {
                section.prose
            } else {
                items
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text_analysis::parse_summary;

    #[test]
    fn capability_reads_the_kind_of_verb() {
        let export = capability(&parse_summary("Export order history to CSV"));
        assert_eq!(export.phrase, "export order history to CSV");
        assert_eq!(export.offering, None);
        let build = capability(&parse_summary("Add dark mode toggle to the settings page"));
        assert_eq!(
            build.offering.as_deref(),
            Some("a dark mode toggle on the settings page")
        );
        assert_eq!(
            build.phrase,
            "use the dark mode toggle on the settings page"
        );
        let button = capability(&parse_summary("Add Export CSV button to the orders page"));
        assert_eq!(
            button.phrase,
            "use the Export CSV button on the orders page"
        );
        let let_role = capability(&parse_summary(
            "Let customers reset their password by email",
        ));
        assert_eq!(let_role.role.as_deref(), Some("customer"));
        assert_eq!(let_role.phrase, "reset their password by email");
        let allow = capability(&parse_summary("Allow admins to schedule exports"));
        assert_eq!(allow.role.as_deref(), Some("admin"));
        assert_eq!(allow.phrase, "schedule exports");
        let other = capability(&parse_summary("Improve search relevance"));
        assert_eq!(other.phrase, "rely on search relevance being improved");
    }

    #[test]
    fn imperative_statements_split_clauses_and_skip_prose() {
        let text = "Users reach this from checkout. Verify the signature, mark the order paid and \
                    enqueue the receipt email; rows are imported in the background.";
        assert_eq!(
            imperative_statements(text),
            [
                "Verify the signature",
                "Mark the order paid and enqueue the receipt email"
            ]
        );
    }

    #[test]
    fn benefits_get_their_subject() {
        assert_eq!(benefit_for("merchant", "they can pay"), "merchants can pay");
        assert_eq!(
            benefit_for("merchant", "payments reconcile"),
            "payments reconcile"
        );
        assert_eq!(with_article("push notifications"), "push notifications");
        assert_eq!(with_article("orders export"), "an orders export");
        assert_eq!(with_article("invoice"), "an invoice");
    }
}
