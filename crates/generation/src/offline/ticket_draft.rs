//! Offline `ticket_draft`: drafts a new ticket from a chat request. The summary is the request
//! without its command ("Create a high-priority bug ticket: …") and without the instructions
//! about the ticket itself (assignee, epic, priority, labels), which go to their own fields.
//! The description's sections fit the issue type: a bug report (description, impact, steps,
//! expected and actual behaviour, each only when the words support it) or purpose, scope and
//! acceptance criteria for other work. A follow-up such as "make it a bug" or "same but for
//! iOS" re-drafts the latest create request of the conversation with the change applied.

use super::chat_intent::{is_modifier, latest_create_request};
use super::chat_text::{
    TICKET_NOUNS, Word, allowed_match, issue_key, label, lower_at, one_line, parent_key, phrase_at,
    priority_level, priority_name, squash, words,
};
use super::phrasebook::domain_rules;
use super::{OfflineTask, benefit_for, capability, push_unique, sentence, success_outcome};
use crate::task::{Domain, TicketDraft, TicketDraftInput};
use crate::text_analysis::{Analysis, Lexicon, lower_first, upper_first};

/// Jira's limit for a summary.
const MAX_SUMMARY_CHARS: usize = 255;
/// Labels beyond five stop helping anyone filter.
const MAX_LABELS: usize = 5;

impl OfflineTask for TicketDraftInput {
    fn generate_offline(&self) -> TicketDraft {
        let message = self.message.trim();
        let own = Request::read(message);
        let follow_up = own.subject.is_none() || is_modifier(&words(message));
        let base = follow_up
            .then(|| latest_create_request(&self.conversation))
            .flatten()
            .map(|(_, text)| Request::read(text));
        // The message's own words decide first; the request it follows up fills the gaps.
        let requests: Vec<&Request> = std::iter::once(&own).chain(base.as_ref()).collect();

        let mut summary = match &base {
            Some(base) => base.subject.clone().unwrap_or_default(),
            None => own.subject.clone().unwrap_or_else(|| message.to_owned()),
        };
        if base.is_some() {
            if let Some(renamed) = renamed_to(message, &own.words) {
                summary = renamed;
            } else if let Some(target) = retarget(message, &own.words) {
                summary = apply_target(&summary, &target);
            }
        }
        let summary = one_line(&upper_first(summary.trim()), MAX_SUMMARY_CHARS);

        let mut details: Vec<String> = Vec::new();
        for request in requests.iter().rev() {
            for detail in &request.details {
                push_unique(&mut details, detail.clone());
            }
        }
        let all_text: String = requests
            .iter()
            .map(|request| request.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let lexicon = Said::new(&summary, &all_text);

        let kind = requests
            .iter()
            .find_map(|request| explicit_type(&request.words))
            .unwrap_or_else(|| inferred_type(&summary, &lexicon));
        let issue_type = allowed_type(kind, &self.issue_types);
        let priority = requests
            .iter()
            .find_map(|request| wanted_priority(&request.words))
            .and_then(|(level, word)| {
                // "critical" on a Blocker/Critical/Major site is Critical, not the first
                // name of the same level.
                allowed_match(&word, &self.priorities)
                    .or_else(|| priority_name(level, &self.priorities))
            });
        let labels = labels(&requests, &lexicon);
        let components = components(&all_text, &self.components);
        let assignee = requests.iter().find_map(|request| assignee(request));
        let parent_key = requests
            .iter()
            .find_map(|request| parent_key(&request.words));

        let details_text = details.join("\n");
        let analysis = Analysis::new(&summary, &[details_text.as_str()], &[]);
        let description = match kind {
            Kind::Bug => bug_description(&summary, &details, &analysis, &lexicon),
            _ => work_description(kind, &details, &analysis),
        };
        TicketDraft {
            summary,
            description,
            issue_type,
            priority,
            labels,
            components,
            assignee,
            parent_key,
        }
    }
}

/// Keyword look-ups over a draft's text: words and two-word phrases through the [`Lexicon`]
/// (with its `*` prefixes), longer phrases on the spaced-out text.
struct Said {
    lexicon: Lexicon,
    spaced: String,
}

impl Said {
    fn new(summary: &str, text: &str) -> Self {
        Said {
            lexicon: Lexicon::new(summary, &[text]),
            spaced: format!(" {} {} ", spaced(summary), spaced(text)),
        }
    }

    fn any(&self, keywords: &[&str]) -> bool {
        keywords.iter().any(|keyword| {
            if keyword.split(' ').count() > 2 {
                self.spaced.contains(&format!(" {} ", spaced(keyword)))
            } else {
                self.lexicon.any(&[keyword])
            }
        })
    }

    fn hits(&self, keyword: &str) -> u32 {
        self.lexicon.hits(keyword)
    }
}

/// One request as written: its words, its subject, and its further sentences.
struct Request {
    text: String,
    words: Vec<Word>,
    /// The ticket's subject: the first sentence without command and instructions.
    subject: Option<String>,
    /// The other sentences, instructions removed.
    details: Vec<String>,
}

impl Request {
    fn read(text: &str) -> Self {
        let text = text.trim();
        let words = words(text);
        let (first, rest) = split_first_sentence(text);
        let subject = subject_of(first);
        let details = rest
            .iter()
            .map(|line| cut_instructions(line))
            .filter(|line| line.split_whitespace().count() >= 2)
            .collect();
        Request {
            text: text.to_owned(),
            words,
            subject,
            details,
        }
    }
}

/// The first sentence (or line), and the other sentences of `text`.
fn split_first_sentence(text: &str) -> (&str, Vec<String>) {
    let (first_line, other_lines) = text.split_once('\n').unwrap_or((text, ""));
    // The first ". " that ends a sentence (not "e.g. " or "v2. ").
    let cut = first_line.match_indices(". ").find(|(at, _)| {
        let before = first_line.get(..*at).unwrap_or("");
        let last_word = before.rsplit(' ').next().unwrap_or("");
        last_word.len() > 2 && !last_word.contains('.')
    });
    let (first, tail) = match cut {
        Some((at, _)) => (
            first_line.get(..at).unwrap_or(first_line),
            first_line.get(at + 2..).unwrap_or(""),
        ),
        None => (first_line, ""),
    };
    let mut rest: Vec<String> = Vec::new();
    for part in std::iter::once(tail).chain(other_lines.lines()) {
        let part = part.trim();
        if !part.is_empty() {
            rest.push(part.to_owned());
        }
    }
    (first, rest)
}

/// Words that may sit between a create verb and the ticket noun ("a new high-priority bug").
fn is_modifier_word(word: &str) -> bool {
    matches!(
        word,
        "a" | "an"
            | "new"
            | "another"
            | "the"
            | "one"
            | "quick"
            | "small"
            | "separate"
            | "jira"
            | "high"
            | "low"
            | "urgent"
            | "critical"
            | "blocker"
            | "p0"
            | "p1"
            | "p2"
            | "p3"
            | "user"
            | "priority"
            | "medium"
            | "major"
            | "minor"
            | "tech"
            | "technical"
            | "follow-up"
            | "followup"
    ) || word.ends_with("-priority")
        || priority_level(word).is_some()
}

/// The subject of a request's first sentence: "Create a high-priority bug ticket: login fails
/// on Safari" → "login fails on Safari".
fn subject_of(sentence: &str) -> Option<String> {
    let words = words(sentence);
    let mut at = 0;
    // Politeness and the command verb.
    loop {
        let before = at;
        for filler in [
            "please",
            "pls",
            "hey",
            "hi",
            "ok",
            "okay",
            "can you",
            "could you",
            "would you",
            "will you",
            "i'd like you to",
            "i want you to",
            "i need you to",
            "i'd like to",
            "i would like to",
            "we",
            "i",
            "let's",
            "lets",
            "go ahead and",
            "help me",
            "quickly",
            "also",
            "and",
        ] {
            if phrase_at(&words, at, filler) {
                at += filler.split(' ').count();
            }
        }
        if at == before {
            break;
        }
    }
    let verb = lower_at(&words, at);
    let is_verb = matches!(
        verb,
        "create"
            | "open"
            | "file"
            | "log"
            | "raise"
            | "add"
            | "make"
            | "write"
            | "draft"
            | "submit"
            | "report"
            | "new"
            | "put"
            | "start"
            | "need"
            | "want"
    );
    let mut consumed = false;
    if is_verb {
        let mut index = at + usize::from(verb != "new");
        if lower_at(&words, index) == "up" {
            index += 1;
        }
        let mut noun_at = None;
        let mut probe = index;
        while probe < words.len() && probe < index + 6 {
            let word = lower_at(&words, probe);
            if TICKET_NOUNS.contains(&word) {
                noun_at = Some(probe);
            } else if noun_at.is_some() || !is_modifier_word(word) {
                // The noun phrase ends at its noun, or at a word no modifier would be.
                break;
            }
            probe += 1;
        }
        if let Some(noun) = noun_at {
            // "a bug ticket": every ticket noun in a row belongs to the command.
            let mut after = noun + 1;
            while TICKET_NOUNS.contains(&lower_at(&words, after)) {
                after += 1;
            }
            at = after;
            consumed = true;
        } else if verb == "new" {
            at += 1;
        }
    }
    let start_offset = words.get(at).map_or(sentence.len(), |word| word.start);
    let mut rest = sentence.get(start_offset..).unwrap_or("");
    // What joins the command to its subject.
    if consumed || at > 0 {
        let gap_start = if at == 0 {
            0
        } else {
            words.get(at - 1).map_or(0, |word| word.end)
        };
        let gap = sentence.get(gap_start..start_offset).unwrap_or("");
        if !gap.contains([':', '-', '\u{2014}']) {
            let lead = super::chat_text::words(rest);
            let mut skip = 0;
            while matches!(
                lower_at(&lead, skip),
                "for"
                    | "about"
                    | "to"
                    | "that"
                    | "saying"
                    | "where"
                    | "regarding"
                    | "on"
                    | "titled"
                    | "called"
                    | "named"
                    | "because"
                    | "since"
                    | "which"
            ) && skip < 2
            {
                skip += 1;
            }
            if let Some(word) = lead.get(skip) {
                rest = rest.get(word.start..).unwrap_or("");
            } else {
                rest = "";
            }
        }
    }
    let subject = cut_instructions(rest);
    let subject = subject
        .trim()
        .trim_start_matches([':', '-', '\u{2014}'])
        .trim()
        .trim_matches(['"', '\'', '\u{201c}', '\u{201d}'])
        .trim_end_matches(['.', '!', ',', ';'])
        .trim();
    (subject.split_whitespace().count() >= 2
        || (subject.len() >= 4 && !is_instruction_only(subject)))
    .then(|| upper_first(&imperative(subject)))
}

/// "Exporting invoices to PDF" → "Export invoices to PDF": a title reads as an action.
fn imperative(subject: &str) -> String {
    let (first, rest) = subject.split_once(' ').unwrap_or((subject, ""));
    let Some(stem) = first.to_lowercase().strip_suffix("ing").map(str::to_owned) else {
        return subject.to_owned();
    };
    let undoubled = stem
        .chars()
        .last()
        .filter(|last| stem.len() > 2 && stem.ends_with(&format!("{last}{last}")))
        .and_then(|last| stem.strip_suffix(last))
        .map(str::to_owned);
    let candidates = [Some(stem.clone()), undoubled, Some(format!("{stem}e"))];
    match candidates
        .into_iter()
        .flatten()
        .find(|verb| verb.len() >= 2 && crate::text_analysis::is_base_verb(verb))
    {
        Some(verb) if rest.is_empty() => verb,
        Some(verb) => format!("{verb} {rest}"),
        None => subject.to_owned(),
    }
}

fn is_instruction_only(text: &str) -> bool {
    let lower = text.to_lowercase();
    priority_level(&lower).is_some() || TICKET_NOUNS.contains(&lower.as_str())
}

/// `text` up to the first instruction about the ticket itself ("…, assign it to Alice").
fn cut_instructions(text: &str) -> String {
    const MARKERS: &[&str] = &[
        ", assign",
        " and assign",
        "; assign",
        " - assign",
        ". assign",
        " assign it",
        " assign to",
        " assigned to",
        ", under ",
        " under epic",
        " under the epic",
        " in epic",
        " in the epic",
        " as part of epic",
        " as part of the epic",
        " for epic",
        " with parent",
        ", parent",
        " parent:",
        ", high priority",
        ", low priority",
        ", priority",
        " with high priority",
        " with low priority",
        " with highest priority",
        " with priority",
        " priority:",
        " (priority",
        " (high priority",
        " (low priority",
        ", label",
        " and label",
        " with label",
        " with the label",
        " labelled",
        " labeled",
        ", tag",
        " tag it",
        " and tag",
        " make it",
        ", make it",
    ];
    let lower = text.to_lowercase();
    let cut = MARKERS
        .iter()
        .filter_map(|marker| lower.find(marker))
        .min()
        .unwrap_or(text.len());
    let starts_with_instruction = [
        "assign ",
        "label ",
        "tag ",
        "priority",
        "make it",
        "under epic",
    ]
    .iter()
    .any(|start| lower.trim_start().starts_with(start));
    if starts_with_instruction {
        return String::new();
    }
    text.get(..cut).unwrap_or(text).trim().to_owned()
}

/// "call it X", "rename it to X", "title: X" in a follow-up.
fn renamed_to(message: &str, words: &[Word]) -> Option<String> {
    for (phrase, skip) in [
        ("call it", 2),
        ("rename it to", 3),
        ("rename it", 2),
        ("title it", 2),
        ("change the title to", 4),
        ("change the summary to", 4),
    ] {
        if let Some(at) = (0..words.len()).find(|&at| phrase_at(words, at, phrase))
            && let Some(word) = words.get(at + skip)
        {
            let text = message.get(word.start..).unwrap_or("");
            let text = text
                .trim()
                .trim_matches(['"', '\'', '\u{201c}', '\u{201d}'])
                .trim_end_matches('.');
            if !text.is_empty() {
                return Some(text.to_owned());
            }
        }
    }
    None
}

/// "same but for iOS", "for Android instead", "on the web too": the new target.
fn retarget(message: &str, words: &[Word]) -> Option<String> {
    let at = (0..words.len()).find(|&at| matches!(lower_at(words, at), "for" | "on" | "in"))?;
    let first = words.get(at + 1)?;
    let mut end = at + 1;
    while let Some(word) = words.get(end)
        && !matches!(
            word.lower.as_str(),
            "instead" | "too" | "as" | "and" | "please" | "also"
        )
        && end < at + 4
    {
        end += 1;
    }
    let last = words.get(end - 1)?;
    let target = message.get(first.start..last.end)?.trim();
    let target = target.strip_prefix("the ").unwrap_or(target);
    (!target.is_empty()).then(|| target.to_owned())
}

/// Platforms one ticket is usually about at a time.
const PLATFORMS: &[&str] = &[
    "ios", "android", "web", "desktop", "mobile", "safari", "chrome", "firefox", "edge", "windows",
    "macos", "linux", "ipad", "iphone",
];

/// The summary moved to `target`: its platform replaced when it names one, else suffixed.
fn apply_target(summary: &str, target: &str) -> String {
    let summary_words = words(summary);
    if PLATFORMS.contains(&target.to_lowercase().as_str())
        && let Some(old) = summary_words
            .iter()
            .find(|word| PLATFORMS.contains(&word.lower.as_str()))
    {
        return format!(
            "{}{target}{}",
            summary.get(..old.start).unwrap_or(""),
            summary.get(old.end..).unwrap_or("")
        );
    }
    let preposition = if PLATFORMS.contains(&target.to_lowercase().as_str()) {
        "on"
    } else {
        "for"
    };
    format!("{summary} {preposition} {target}")
}

/// The kinds of ticket a request can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bug,
    Story,
    Task,
    Epic,
    Spike,
    Subtask,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Bug => "Bug",
            Kind::Story => "Story",
            Kind::Task => "Task",
            Kind::Epic => "Epic",
            Kind::Spike => "Spike",
            Kind::Subtask => "Sub-task",
        }
    }

    /// Names sites use for the same kind, closest first.
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Kind::Bug => &["Defect", "Problem", "Incident", "Bug Report"],
            Kind::Story => &["User Story", "New Feature", "Feature", "Improvement"],
            Kind::Task => &["Chore", "Technical Task", "Work Item"],
            Kind::Epic => &["Initiative", "Feature"],
            Kind::Spike => &["Research", "Investigation", "Task"],
            Kind::Subtask => &["Subtask", "Sub Task", "Technical Task"],
        }
    }
}

/// The ticket type a request names: "a bug", "user story", "an epic for …".
fn explicit_type(words: &[Word]) -> Option<Kind> {
    words
        .iter()
        .enumerate()
        .find_map(|(at, word)| match word.lower.as_str() {
            "bug" | "bugs" | "defect" => Some(Kind::Bug),
            "story" | "stories" => Some(Kind::Story),
            "task" | "tasks" | "chore" => Some(Kind::Task),
            "subtask" | "sub-task" => Some(Kind::Subtask),
            "spike" => Some(Kind::Spike),
            // "under epic PROJ-1" names the parent.
            "epic" if issue_key(lower_at(words, at + 1)).is_none() => Some(Kind::Epic),
            _ => None,
        })
}

/// The type a request implies without naming one.
fn inferred_type(summary: &str, lexicon: &Said) -> Kind {
    let symptoms = [
        "fail*",
        "broken",
        "crash*",
        "error*",
        "exception*",
        "not working",
        "doesn't work",
        "does not work",
        "can't",
        "cannot",
        "wrong",
        "500",
        "404",
        "regression",
        "freez*",
        "hang*",
    ];
    let story = lexicon.any(&["as a", "as an"]) && lexicon.any(&["i want", "i need"]);
    if lexicon.any(&symptoms) && !story {
        return Kind::Bug;
    }
    if story || summary.to_lowercase().starts_with("allow ") {
        return Kind::Story;
    }
    if lexicon.any(&["investigate", "research", "evaluate options", "spike"]) {
        return Kind::Spike;
    }
    Kind::Task
}

/// The allowed type closest to `kind`: its name, a synonym, a name containing it, else Task,
/// else the first allowed type.
fn allowed_type(kind: Kind, allowed: &[String]) -> String {
    let allowed: Vec<String> = allowed
        .iter()
        .filter(|name| !name.trim().is_empty())
        .cloned()
        .collect();
    if allowed.is_empty() {
        return kind.name().to_owned();
    }
    if let Some(name) = allowed_match(kind.name(), &allowed) {
        return name;
    }
    if let Some(name) = kind
        .synonyms()
        .iter()
        .find_map(|synonym| allowed_match(synonym, &allowed))
    {
        return name;
    }
    let wanted = squash(kind.name());
    if let Some(name) = allowed.iter().find(|name| squash(name).contains(&wanted)) {
        return name.trim().to_owned();
    }
    allowed_match("Task", &allowed)
        .or_else(|| allowed.first().map(|name| name.trim().to_owned()))
        .unwrap_or_else(|| kind.name().to_owned())
}

/// The priority level a request implies, with the word that said it: "high priority", "P1",
/// "critical", "urgent", "blocking production".
fn wanted_priority(words: &[Word]) -> Option<(usize, String)> {
    for (at, word) in words.iter().enumerate() {
        let w = word.lower.as_str();
        if let Some(level) = w
            .strip_suffix("-priority")
            .or_else(|| w.strip_suffix("-prio"))
            .and_then(priority_level)
        {
            return Some((level, w.split('-').next().unwrap_or(w).to_owned()));
        }
        let near_priority = matches!(lower_at(words, at + 1), "priority" | "prio" | "severity")
            || (at > 0 && matches!(lower_at(words, at - 1), "priority" | "prio" | "severity"))
            || (at > 1
                && matches!(lower_at(words, at - 1), "to" | "is" | "as")
                && matches!(lower_at(words, at - 2), "priority" | "prio" | "severity"));
        let standalone = matches!(
            w,
            "critical"
                | "blocker"
                | "urgent"
                | "asap"
                | "highest"
                | "lowest"
                | "showstopper"
                | "p0"
                | "p1"
                | "p2"
                | "p3"
                | "p4"
        );
        if (near_priority || standalone)
            && let Some(level) = priority_level(w)
        {
            return Some((level, w.to_owned()));
        }
        if w == "blocking" && matches!(lower_at(words, at + 1), "production" | "prod" | "release") {
            return Some((0, "highest".to_owned()));
        }
    }
    None
}

/// Labels the domain words suggest, in a fixed order.
const DOMAIN_LABELS: &[(&[&str], &str)] = &[
    (
        &[
            "login",
            "log in",
            "logins",
            "sign in",
            "signin",
            "password*",
            "sso",
            "mfa",
            "2fa",
            "oauth",
            "auth",
            "authentication",
            "session*",
        ],
        "authentication",
    ),
    (
        &[
            "payment*",
            "checkout",
            "billing",
            "invoice*",
            "refund*",
            "stripe",
            "paypal",
            "subscription*",
        ],
        "payments",
    ),
    (&["search*", "autocomplete"], "search"),
    (
        &["export*", "report*", "dashboard*", "analytics"],
        "reporting",
    ),
    (
        &["notification*", "email*", "push notification*", "sms"],
        "notifications",
    ),
    (&["ios", "iphone", "ipad"], "ios"),
    (&["android"], "android"),
    (&["safari", "chrome", "firefox", "browser*"], "browser"),
    (
        &["slow*", "performance", "latency", "timeout*", "times out"],
        "performance",
    ),
    (
        &[
            "security",
            "xss",
            "csrf",
            "vulnerab*",
            "injection",
            "exploit*",
        ],
        "security",
    ),
    (
        &["accessibility", "a11y", "screen reader*", "contrast"],
        "accessibility",
    ),
    (&["migrat*", "backfill*"], "data-migration"),
    (&["import*", "upload*", "csv"], "data-import"),
    (&["api", "endpoint*", "webhook*"], "api"),
];

fn labels(requests: &[&Request], lexicon: &Said) -> Vec<String> {
    let mut labels: Vec<String> = Vec::new();
    for request in requests {
        for name in explicit_labels(&request.text, &request.words) {
            push_unique(&mut labels, name);
        }
    }
    if lexicon.any(&[
        "blocking production",
        "blocks production",
        "blocking prod",
        "production is down",
        "prod is down",
        "production down",
        "production blocker",
        "blocker in production",
        "down in production",
    ]) {
        push_unique(&mut labels, "production-blocker".to_owned());
    }
    if lexicon.any(&[
        "regression",
        "since the last release",
        "after the release",
        "after the deploy",
        "since the deploy",
        "used to work",
    ]) {
        push_unique(&mut labels, "regression".to_owned());
    }
    for (keywords, name) in DOMAIN_LABELS {
        if lexicon.any(keywords) {
            push_unique(&mut labels, (*name).to_owned());
        }
    }
    labels.truncate(MAX_LABELS);
    labels
}

/// "label it X", "labels a, b", "with the label X", "tag it X".
fn explicit_labels(text: &str, words: &[Word]) -> Vec<String> {
    let mut found = Vec::new();
    for (at, word) in words.iter().enumerate() {
        if !matches!(
            word.lower.as_str(),
            "label" | "labels" | "labelled" | "labeled" | "tag" | "tagged"
        ) {
            continue;
        }
        let mut from = at + 1;
        while matches!(lower_at(words, from), "it" | "this" | "as" | "with" | "the") {
            from += 1;
        }
        // Labels run to a comma; a list ends at a word that starts another instruction.
        let mut current: Vec<&str> = Vec::new();
        let mut index = from;
        while let Some(word) = words.get(index) {
            if matches!(
                word.lower.as_str(),
                "and"
                    | "assign"
                    | "assigned"
                    | "under"
                    | "in"
                    | "for"
                    | "with"
                    | "priority"
                    | "to"
                    | "please"
            ) || issue_key(&word.lower).is_some()
                || current.len() >= 3
            {
                break;
            }
            current.push(text.get(word.start..word.end).unwrap_or(""));
            let gap = text
                .get(word.end..words.get(index + 1).map_or(text.len(), |next| next.start))
                .unwrap_or("");
            if gap.contains(',') {
                found.extend(label(&current.join(" ")));
                current.clear();
            } else if gap.contains(['.', ';', '!', '?', '\n']) {
                break;
            }
            index += 1;
        }
        found.extend(label(&current.join(" ")));
    }
    found
}

/// The allowed components the text mentions, in the order they are allowed.
fn components(text: &str, allowed: &[String]) -> Vec<String> {
    let haystack = format!(" {} ", spaced(text));
    let mut found = Vec::new();
    for name in allowed {
        let needle = spaced(name);
        if needle.is_empty() {
            continue;
        }
        // "iOS App" is also mentioned as "iOS"; generic words alone are not.
        let short = needle
            .rsplit_once(' ')
            .filter(|(_, last)| {
                matches!(
                    *last,
                    "app" | "service" | "module" | "team" | "backend" | "frontend" | "client"
                )
            })
            .map(|(head, _)| head.to_owned())
            .filter(|head| head.len() >= 3);
        let mentioned = haystack.contains(&format!(" {needle} "))
            || short.is_some_and(|short| haystack.contains(&format!(" {short} ")));
        if mentioned && !found.contains(name) {
            found.push(name.trim().to_owned());
        }
    }
    found
}

/// Lower-case words separated by single spaces.
fn spaced(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// "assign it to Alice Smith", "assigned to bob", "for alice@example.com".
fn assignee(request: &Request) -> Option<String> {
    let words = &request.words;
    for (at, word) in words.iter().enumerate() {
        let w = word.lower.as_str();
        let mut from = match w {
            "assign" | "assigned" | "reassign" | "owner" => at + 1,
            "for" | "to" if lower_at(words, at + 1).contains('@') => at + 1,
            _ => continue,
        };
        while matches!(
            lower_at(words, from),
            "it" | "this" | "that" | "the" | "ticket" | "bug" | "story" | "task" | "to" | "is"
        ) && from < at + 4
        {
            from += 1;
        }
        let first = words.get(from)?;
        if first.lower.contains('@') {
            return Some(first.lower.trim_end_matches('.').to_owned());
        }
        let original = |word: &Word| request.text.get(word.start..word.end).unwrap_or("");
        if original(first).starts_with(|c: char| c.is_uppercase()) {
            let mut end = from;
            while let Some(word) = words.get(end)
                && original(word).starts_with(|c: char| c.is_uppercase())
                && end < from + 3
                && issue_key(&word.lower).is_none()
            {
                end += 1;
            }
            let last = words.get(end.saturating_sub(1))?;
            return request.text.get(first.start..last.end).map(str::to_owned);
        }
        let name = first.lower.as_str();
        let generic = matches!(
            name,
            "a" | "an"
                | "someone"
                | "somebody"
                | "anyone"
                | "team"
                | "our"
                | "my"
                | "whoever"
                | "nobody"
                | "epic"
                | "under"
                | "and"
                | "with"
                | "in"
        ) || issue_key(name).is_some();
        if !generic && name.chars().all(char::is_alphabetic) {
            return Some(original(first).to_owned());
        }
    }
    None
}

fn bug_description(
    summary: &str,
    details: &[String],
    analysis: &Analysis,
    lexicon: &Said,
) -> String {
    let parts = &analysis.summary;
    let subject = parts
        .failing_subject
        .clone()
        .unwrap_or_else(|| upper_first(&analysis.summary.topic));
    let mut out = String::from("## Bug Description\n");
    out.push_str(&sentence(summary));
    let (steps, expected, actual, prose) = bug_details(details);
    for line in &prose {
        out.push(' ');
        out.push_str(&sentence(line));
    }
    out.push('\n');

    let mut impact: Vec<String> = Vec::new();
    if lexicon.any(&[
        "blocking production",
        "blocks production",
        "blocking prod",
        "production is down",
        "prod is down",
        "production down",
        "production blocker",
    ]) {
        impact.push(
            "It blocks production: users cannot complete the affected flow until it is fixed."
                .to_owned(),
        );
    }
    if analysis.domain != Domain::General {
        impact.push(domain_rules(analysis.domain).impact.to_owned());
    }
    let platforms: Vec<&str> = PLATFORM_NAMES
        .iter()
        .filter(|(keyword, _)| lexicon.hits(keyword) > 0)
        .map(|(_, name)| *name)
        .collect();
    if !platforms.is_empty() {
        impact.push(format!("Reported on {}.", platforms.join(", ")));
    }
    if !impact.is_empty() {
        out.push_str(&format!("\n## Impact\n{}\n", impact.join(" ")));
    }

    // The word that joined the trigger in the summary ("when", "for", "with") keeps the
    // generated sentences grammatical.
    let connector = parts.trigger.as_ref().map(|trigger| {
        let lower = summary.to_lowercase();
        lower
            .find(&trigger.to_lowercase())
            .and_then(|at| lower.get(..at))
            .and_then(|before| before.split_whitespace().last())
            .filter(|word| word.chars().all(char::is_alphabetic))
            .unwrap_or("when")
            .to_owned()
    });
    let condition = parts
        .trigger
        .as_ref()
        .zip(connector.as_ref())
        .map(|(trigger, connector)| format!(" {connector} {}", trigger.trim_end_matches('.')));
    let steps = if steps.is_empty() {
        parts
            .trigger
            .as_ref()
            .zip(connector.as_deref())
            .map(|(trigger, connector)| {
                let trigger = trigger.trim_end_matches('.');
                let mut steps = vec![if matches!(connector, "when" | "if" | "after" | "while") {
                    format!("Set up the case where {trigger}.")
                } else {
                    format!("Set up {trigger}.")
                }];
                let problem = parts.problem.as_deref().unwrap_or("");
                let platform = platforms
                    .first()
                    .filter(|platform| {
                        !problem.to_lowercase().contains(&platform.to_lowercase())
                            && !trigger.to_lowercase().contains(&platform.to_lowercase())
                    })
                    .map(|platform| format!(" on {platform}"))
                    .unwrap_or_default();
                steps.push(format!("Use {}{platform}.", lower_first(&subject)));
                steps.push(match &parts.problem {
                    Some(problem) => format!("Observe that it {problem}."),
                    None => "Observe the failure.".to_owned(),
                });
                steps
            })
            .unwrap_or_default()
    } else {
        steps
    };
    if !steps.is_empty() {
        out.push_str("\n## Steps to Reproduce\n");
        for (index, step) in steps.iter().enumerate() {
            out.push_str(&format!("{}. {}\n", index + 1, sentence(step)));
        }
    }
    let expected = expected.or_else(|| {
        parts.problem.as_ref().map(|_| {
            format!(
                "{subject} works normally{}.",
                condition.as_deref().unwrap_or("")
            )
        })
    });
    if let Some(expected) = expected {
        out.push_str(&format!(
            "\n## Expected Behavior\n{}\n",
            sentence(&expected)
        ));
    }
    let actual = actual.or_else(|| {
        parts
            .problem
            .as_ref()
            .map(|problem| format!("{subject} {problem}{}.", condition.as_deref().unwrap_or("")))
    });
    if let Some(actual) = actual {
        out.push_str(&format!("\n## Actual Behavior\n{}\n", sentence(&actual)));
    }
    out.trim_end().to_owned()
}

/// Platform keywords and how to name them.
const PLATFORM_NAMES: &[(&str, &str)] = &[
    ("ios", "iOS"),
    ("android", "Android"),
    ("safari", "Safari"),
    ("chrome", "Chrome"),
    ("firefox", "Firefox"),
    ("edge", "Edge"),
    ("windows", "Windows"),
    ("macos", "macOS"),
];

/// The bug report's own steps ("1. …", "steps: …"), "expected: …", "actual: …" lines, and the
/// remaining prose.
fn bug_details(details: &[String]) -> (Vec<String>, Option<String>, Option<String>, Vec<String>) {
    let mut steps = Vec::new();
    let mut expected = None;
    let mut actual = None;
    let mut prose = Vec::new();
    for line in details {
        let trimmed = line.trim();
        let lower = trimmed.to_lowercase();
        let numbered = trimmed.split_once(['.', ')']).is_some_and(|(number, _)| {
            !number.is_empty() && number.chars().all(|c| c.is_ascii_digit())
        });
        if let Some(rest) = strip_label(
            trimmed,
            &lower,
            &["expected behavior", "expected behaviour", "expected"],
        ) {
            expected = Some(rest);
        } else if let Some(rest) = strip_label(
            trimmed,
            &lower,
            &["actual behavior", "actual behaviour", "actual", "instead"],
        ) {
            actual = Some(rest);
        } else if let Some(rest) =
            strip_label(trimmed, &lower, &["steps to reproduce", "steps", "repro"])
        {
            steps.extend(
                rest.split(['\n', ';'])
                    .flat_map(|part| part.split(", then "))
                    .map(|step| {
                        step.trim()
                            .trim_start_matches(|c: char| {
                                c.is_ascii_digit() || c == '.' || c == ')'
                            })
                            .trim()
                            .to_owned()
                    })
                    .filter(|step| !step.is_empty()),
            );
        } else if numbered || trimmed.starts_with(['-', '*']) {
            let step = trimmed
                .trim_start_matches(|c: char| {
                    c.is_ascii_digit() || matches!(c, '.' | ')' | '-' | '*')
                })
                .trim();
            if !step.is_empty() {
                steps.push(step.to_owned());
            }
        } else if lower.starts_with("it should ") || lower.starts_with("should ") {
            expected = Some(trimmed.to_owned());
        } else {
            prose.push(trimmed.to_owned());
        }
    }
    (steps, expected, actual, prose)
}

/// The text after "label:" when `lower` starts with one of `labels` and a colon.
fn strip_label(original: &str, lower: &str, labels: &[&str]) -> Option<String> {
    labels.iter().find_map(|label| {
        let rest = lower.strip_prefix(label)?;
        let rest = rest.trim_start();
        rest.strip_prefix(':')?;
        // Lower-casing can change byte lengths outside ASCII; such lines are simply not split.
        let cut = original.len().checked_sub(rest.len())? + 1;
        let text = original.get(cut..)?.trim();
        (!text.is_empty()).then(|| text.to_owned())
    })
}

/// What the ticket does, as a verb phrase: the parsed action, or the summary itself when it
/// starts with a verb the parser does not know ("Rotate the API keys": a word followed by a
/// determiner is a verb), else "deliver <summary>".
fn action_of(analysis: &Analysis) -> String {
    let parts = &analysis.summary;
    if parts.verb.is_some() {
        return parts.action_phrase();
    }
    let summary_words: Vec<&str> = parts.clean.split_whitespace().collect();
    let leads_a_phrase = summary_words.get(1).is_some_and(|second| {
        matches!(
            second.to_lowercase().as_str(),
            "the" | "a" | "an" | "all" | "our" | "each" | "every" | "its" | "their" | "old"
        )
    });
    if leads_a_phrase {
        lower_first(&parts.clean)
    } else {
        parts.action_phrase()
    }
}

/// "the password reset flow", or "the affected flows" when the topic is a long phrase.
fn topic_phrase(topic: &str) -> String {
    if topic.split_whitespace().count() <= 4 {
        format!("{} behaviour", lower_first(topic))
    } else {
        "behaviour of the affected flows".to_owned()
    }
}

fn work_description(kind: Kind, details: &[String], analysis: &Analysis) -> String {
    let parts = &analysis.summary;
    let action = action_of(analysis);
    let rules = domain_rules(analysis.domain);
    let benefit = parts
        .benefit
        .clone()
        .unwrap_or_else(|| rules.benefit.to_owned());
    let capability = capability(parts);
    let role = capability
        .role
        .clone()
        .unwrap_or_else(|| analysis.role.clone());
    let purpose = match kind {
        Kind::Story | Kind::Epic => format!(
            "As {} {role}, I want to {} so that {}.",
            super::indefinite_article(&role),
            lower_first(&capability.phrase),
            benefit.trim_end_matches('.')
        ),
        Kind::Spike => format!(
            "Find out how to {} and recommend an approach, so that the team can plan the work with known risks.",
            lower_first(&action)
        ),
        _ => format!(
            "{} so that {}.",
            upper_first(&action),
            benefit_for(&role, benefit.trim_end_matches('.'))
        ),
    };
    let mut out = format!("## Purpose\n{purpose}\n");
    for detail in details
        .iter()
        .filter(|detail| !detail.trim_start().starts_with(['-', '*']))
    {
        out.push_str(&format!("\n{}\n", sentence(detail)));
    }

    let mut scope: Vec<String> = details
        .iter()
        .filter_map(|detail| {
            let item = detail.trim_start().strip_prefix(['-', '*'])?;
            Some(sentence(item.trim()))
        })
        .collect();
    if scope.is_empty() {
        scope.push(sentence(&upper_first(&action)));
    }
    for context in &analysis.contexts {
        let item = match context {
            crate::task::TechnicalContext::Api if !analysis.entities.endpoints.is_empty() => {
                "API changes are documented"
            }
            crate::task::TechnicalContext::Database
                if super::changes_storage(&analysis.lexicon) =>
            {
                "Data changes ship with a reversible migration"
            }
            crate::task::TechnicalContext::Ui => "The UI change follows the design system",
            crate::task::TechnicalContext::Mobile => "The change ships in the iOS and Android apps",
            _ => continue,
        };
        push_unique(&mut scope, sentence(item));
    }
    push_unique(
        &mut scope,
        "Automated tests cover the new behaviour.".to_owned(),
    );
    out.push_str("\n## Scope\n");
    for item in &scope {
        out.push_str(&format!("- {item}\n"));
    }

    let mut criteria: Vec<String> = analysis
        .criteria
        .iter()
        .map(|criterion| sentence(&criterion.text))
        .collect();
    if criteria.is_empty() {
        match kind {
            Kind::Story | Kind::Epic => {
                criteria.push(format!(
                    "Given {} {role}, when they {}, then {}.",
                    super::indefinite_article(&role),
                    lower_first(&capability.phrase),
                    success_outcome(capability.verb.as_deref())
                ));
            }
            Kind::Spike => {
                criteria.push(
                    "A written recommendation names the chosen approach, its trade-offs and an estimate.".to_owned(),
                );
            }
            _ if parts.verb.is_some() => criteria.push(sentence(&format!(
                "{} is in place and verified",
                upper_first(&lower_first(&parts.object))
            ))),
            _ => criteria.push(format!(
                "Done when the team can confirm on staging: {}.",
                lower_first(&action)
            )),
        }
        criteria.push(format!(
            "Existing {} keeps working; no regressions in related flows.",
            topic_phrase(&parts.topic)
        ));
    }
    out.push_str("\n## Acceptance Criteria\n");
    for criterion in &criteria {
        out.push_str(&format!("- {criterion}\n"));
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::ChatTurnText;

    fn draft(message: &str) -> TicketDraft {
        request(message).generate_offline()
    }

    fn request(message: &str) -> TicketDraftInput {
        TicketDraftInput {
            message: message.to_owned(),
            conversation: Vec::new(),
            project_key: Some("WEB".to_owned()),
            issue_types: Vec::new(),
            priorities: Vec::new(),
            components: Vec::new(),
        }
    }

    #[test]
    fn a_bug_request_becomes_a_bug_report() {
        let out = draft(
            "Create a high-priority bug ticket: login fails on Safari when the password contains an emoji. It's blocking production.",
        );
        assert_eq!(
            out.summary,
            "Login fails on Safari when the password contains an emoji"
        );
        assert_eq!(out.issue_type, "Bug");
        assert_eq!(out.priority.as_deref(), Some("High"));
        assert!(
            out.labels.contains(&"authentication".to_owned()),
            "{:?}",
            out.labels
        );
        assert!(
            out.labels.contains(&"production-blocker".to_owned()),
            "{:?}",
            out.labels
        );
        for heading in [
            "## Bug Description",
            "## Impact",
            "## Steps to Reproduce",
            "## Expected Behavior",
            "## Actual Behavior",
        ] {
            assert!(
                out.description.contains(heading),
                "{heading}\n{}",
                out.description
            );
        }
    }

    #[test]
    fn a_story_gets_purpose_scope_and_criteria() {
        let out = draft(
            "please open a new story for exporting invoices to PDF, assign it to Alice Smith, under epic PROJ-1",
        );
        assert_eq!(out.summary, "Export invoices to PDF");
        assert_eq!(out.issue_type, "Story");
        assert_eq!(out.assignee.as_deref(), Some("Alice Smith"));
        assert_eq!(out.parent_key.as_deref(), Some("PROJ-1"));
        assert_eq!(out.priority, None);
        for heading in ["## Purpose", "## Scope", "## Acceptance Criteria"] {
            assert!(out.description.contains(heading), "{}", out.description);
        }
    }

    #[test]
    fn allowed_values_restrict_type_priority_and_components() {
        let mut input = request(
            "file a critical bug for the iOS app: checkout crashes when paying with Apple Pay, for bob@example.com",
        );
        input.issue_types = vec!["Story".into(), "Defect".into(), "Chore".into()];
        input.priorities = vec!["Blocker".into(), "Major".into(), "Minor".into()];
        input.components = vec!["iOS App".into(), "Android App".into(), "Checkout".into()];
        let out = input.generate_offline();
        assert_eq!(out.issue_type, "Defect");
        assert_eq!(out.priority.as_deref(), Some("Blocker"));
        assert_eq!(out.components, vec!["iOS App", "Checkout"]);
        assert_eq!(out.assignee.as_deref(), Some("bob@example.com"));
        let mut input = request("create a task to rotate the API keys");
        input.issue_types = vec!["Bug".into(), "Chore".into()];
        assert_eq!(input.generate_offline().issue_type, "Chore");
        input.issue_types = vec!["Improvement".into(), "Bug".into()];
        assert_eq!(input.generate_offline().issue_type, "Improvement");
    }

    #[test]
    fn follow_ups_redraft_the_latest_create_request() {
        let conversation = vec![
            ChatTurnText {
                role: "user".into(),
                text: "Create a story: dark mode toggle on the Android settings screen".into(),
            },
            ChatTurnText {
                role: "assistant".into(),
                text: "Here is the draft story.".into(),
            },
        ];
        let mut input = request("make it a bug");
        input.conversation = conversation.clone();
        let out = input.generate_offline();
        assert_eq!(
            out.summary,
            "Dark mode toggle on the Android settings screen"
        );
        assert_eq!(out.issue_type, "Bug");
        let mut input = request("same but for iOS");
        input.conversation = conversation;
        let out = input.generate_offline();
        assert_eq!(out.summary, "Dark mode toggle on the iOS settings screen");
        assert_eq!(out.issue_type, "Story");
        assert!(out.labels.contains(&"ios".to_owned()), "{:?}", out.labels);
    }

    #[test]
    fn explicit_labels_come_first_and_are_capped() {
        let out = draft(
            "create a task to add search to the payments export API, labels Q3 Roadmap, tech-debt",
        );
        assert_eq!(out.labels[..2], ["q3-roadmap", "tech-debt"]);
        assert!(out.labels.len() <= 5);
        assert!(
            out.labels
                .iter()
                .all(|l| l == &l.to_lowercase() && !l.contains(' '))
        );
    }

    #[test]
    fn summaries_are_one_capitalised_line_within_the_limit() {
        let long = format!(
            "create a task: {}",
            "migrate the legacy billing tables ".repeat(20)
        );
        let out = draft(&long);
        assert!(out.summary.chars().count() <= 255);
        assert!(!out.summary.contains('\n'));
        assert!(out.summary.starts_with('M'));
    }
}
