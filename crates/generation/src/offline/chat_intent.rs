//! Offline `chat_intent`: classifies a chat message by the command cues it contains ("create a
//! bug", "assess PROJ-12", "raise it to High", "find open bugs", "analyse the following
//! requirement"). Every cue found is placed where it starts in the message and the earliest
//! one wins, so "find tickets created last week" is a search (the search verb comes first) and
//! "create a ticket to find the leak" a creation. Questions about how things work ("what is a
//! ticket?", "how do I create an epic?") are general queries even though they name tickets.

use super::OfflineTask;
use super::chat_text::{
    TICKET_NOUNS, Word, find_phrase, has_any, issue_key, issue_keys, latest_conversation_key,
    lower_at, phrase_at, words,
};
use crate::task::{ChatIntent, ChatIntentInput, ChatIntentKind, ChatTurnText};

impl OfflineTask for ChatIntentInput {
    fn generate_offline(&self) -> ChatIntent {
        classify(&self.message, &self.conversation)
    }
}

/// A command cue: which intent, where it starts, how clear it is, and what it was.
#[derive(Debug, Clone)]
struct Cue {
    intent: ChatIntentKind,
    at: usize,
    confidence: f64,
    reason: String,
}

fn cue(intent: ChatIntentKind, at: usize, confidence: f64, reason: impl Into<String>) -> Cue {
    Cue {
        intent,
        at,
        confidence,
        reason: reason.into(),
    }
}

/// Classifies `message` with the conversation so far.
pub(super) fn classify(message: &str, conversation: &[ChatTurnText]) -> ChatIntent {
    let words = words(message);
    let keys = issue_keys(message);
    let context = Context::of(conversation);
    let refers = refers_to_a_ticket(&words);

    if let Some(question) = how_to_question(&words)
        && keys.is_empty()
    {
        return ChatIntent {
            intent: ChatIntentKind::GeneralQuery,
            confidence: 0.75,
            ticket_keys: Vec::new(),
            reasoning: format!(
                "The message is a question about how something works (\u{201c}{question}\u{201d}), not a request to act on tickets."
            ),
        };
    }

    let has_target = !keys.is_empty() || refers || context.ticket.is_some();
    let mut cues = Vec::new();
    cues.extend(requirement_cues(&words));
    cues.extend(create_cues(&words));
    cues.extend(search_cues(&words, &keys));
    if has_target {
        cues.extend(assess_cues(&words));
    }
    cues.extend(update_cues(&words, !keys.is_empty() || refers));
    let best = cues
        .into_iter()
        .min_by(|a, b| a.at.cmp(&b.at).then(b.confidence.total_cmp(&a.confidence)));

    let Some(mut best) = best else {
        if let Some(cue) = weak_requirement(message, &words) {
            return finish(cue, keys, &context, refers);
        }
        if context.draft_is_latest() && is_modifier(&words) {
            return finish(
                cue(
                    ChatIntentKind::CreateTicket,
                    0,
                    0.7,
                    "The message adjusts the ticket drafted earlier in the conversation",
                ),
                keys,
                &context,
                refers,
            );
        }
        let reason = if keys.is_empty() {
            "No request to analyse, create, assess, change or find tickets was found".to_owned()
        } else {
            format!(
                "The message asks about {} without a command to change or assess it",
                keys.join(", ")
            )
        };
        return finish(
            cue(ChatIntentKind::GeneralQuery, 0, 0.5, reason),
            keys,
            &context,
            refers,
        );
    };

    // A change asked for after a draft, with no ticket created since, changes the draft.
    if best.intent == ChatIntentKind::UpdateTicket && keys.is_empty() && context.draft_is_latest() {
        best = cue(
            ChatIntentKind::CreateTicket,
            best.at,
            0.75,
            format!(
                "{}, and the ticket it refers to is the draft still being written",
                best.reason
            ),
        );
    }
    finish(best, keys, &context, refers)
}

fn finish(cue: Cue, mut keys: Vec<String>, context: &Context, refers: bool) -> ChatIntent {
    let acts_on_ticket = matches!(
        cue.intent,
        ChatIntentKind::AssessTicket | ChatIntentKind::UpdateTicket
    );
    let mut confidence = cue.confidence;
    let mut reasoning = cue.reason;
    if keys.is_empty()
        && acts_on_ticket
        && let Some(key) = &context.ticket
    {
        keys.push(key.clone());
        reasoning.push_str(&format!(
            "; {} is {key}, the ticket last mentioned in the conversation",
            if refers {
                "\u{201c}it\u{201d}"
            } else {
                "the ticket"
            }
        ));
    } else if keys.is_empty() && acts_on_ticket {
        // Which ticket is unknown: the agent has to ask.
        confidence = confidence.min(0.6);
        reasoning.push_str("; no ticket key was named");
    }
    ChatIntent {
        intent: cue.intent,
        confidence,
        ticket_keys: keys,
        reasoning: format!("{}.", crate::text_analysis::upper_first(&reasoning)),
    }
}

/// What the conversation says about the ticket being discussed.
struct Context {
    /// The most recently mentioned key and its turn.
    ticket: Option<String>,
    ticket_turn: Option<usize>,
    /// The latest user turn that asked to create a ticket.
    draft_turn: Option<usize>,
}

impl Context {
    fn of(conversation: &[ChatTurnText]) -> Self {
        let latest = latest_conversation_key(conversation);
        let draft_turn = latest_create_request(conversation).map(|(index, _)| index);
        // A key named inside the create request itself ("under epic PROJ-1") is the new
        // ticket's parent, not the ticket being discussed.
        let ticket_turn = latest.as_ref().map(|(index, _)| *index);
        let ticket = match (ticket_turn, draft_turn) {
            (Some(key_turn), Some(draft)) if key_turn <= draft => None,
            _ => latest.map(|(_, key)| key),
        };
        Context {
            ticket,
            ticket_turn,
            draft_turn,
        }
    }

    /// True when a ticket is being drafted and no ticket has been named since.
    fn draft_is_latest(&self) -> bool {
        match (self.draft_turn, self.ticket_turn) {
            (Some(draft), Some(key)) => key <= draft,
            (Some(_), None) => true,
            _ => false,
        }
    }
}

/// The latest user turn of `conversation` that asks to create a ticket, with its text.
pub(super) fn latest_create_request(conversation: &[ChatTurnText]) -> Option<(usize, &str)> {
    conversation
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, turn)| turn.role.eq_ignore_ascii_case("user"))
        .find(|(_, turn)| {
            let intent = classify(&turn.text, &[]);
            intent.intent == ChatIntentKind::CreateTicket && !is_modifier(&words(&turn.text))
        })
        .map(|(index, turn)| (index, turn.text.as_str()))
}

/// "it", "this ticket", "that one": the message points at a ticket without naming it.
fn refers_to_a_ticket(words: &[Word]) -> bool {
    const POINTERS: &[&str] = &["it", "its", "it's", "this", "that", "same", "the"];
    words.iter().enumerate().any(|(at, word)| {
        let pointer = POINTERS.contains(&word.lower.as_str());
        let next = lower_at(words, at + 1);
        match word.lower.as_str() {
            "it" | "its" => true,
            "the" => matches!(next, "ticket" | "issue" | "story" | "bug" | "task" | "epic"),
            _ => pointer && (TICKET_NOUNS.contains(&next) || next == "one"),
        }
    })
}

/// Openings of questions about how things work.
fn how_to_question(words: &[Word]) -> Option<String> {
    const OPENINGS: &[&str] = &[
        "how do",
        "how does",
        "how can i",
        "how can we",
        "how should i",
        "how should we",
        "how to",
        "what is a",
        "what is an",
        "what's a",
        "what's an",
        "what is the difference",
        "what's the difference",
        "what does",
        "what do",
        "explain",
        "define",
        "why",
        "when should",
        "should i",
        "can you explain",
        "tell me about",
    ];
    let start = skip_politeness(words);
    OPENINGS
        .iter()
        .find(|opening| phrase_at(words, start, opening))
        .map(|opening| (*opening).to_owned())
}

/// Index of the first word after "please", "hey", "can you", "could you" ...
fn skip_politeness(words: &[Word]) -> usize {
    let mut at = 0;
    loop {
        let before = at;
        for filler in [
            "please",
            "pls",
            "hey",
            "hi",
            "hello",
            "ok",
            "okay",
            "so",
            "now",
            "also",
            "then",
            "and",
            "could you",
            "can you",
            "would you",
            "will you",
            "i'd like you to",
            "i want you to",
            "i need you to",
            "help me",
            "let's",
            "lets",
            "go ahead and",
        ] {
            if phrase_at(words, at, filler) {
                at += filler.split(' ').count();
            }
        }
        if at == before {
            return at;
        }
    }
}

fn requirement_cues(words: &[Word]) -> Vec<Cue> {
    let mut cues = Vec::new();
    for (at, word) in words.iter().enumerate() {
        let w = word.lower.as_str();
        if matches!(
            w,
            "analyze" | "analyse" | "analysis" | "analysing" | "analyzing"
        ) {
            cues.push(cue(
                ChatIntentKind::RequirementAnalysis,
                at,
                0.9,
                format!("\u{201c}{w}\u{201d} asks for a requirement analysis"),
            ));
        }
        if matches!(w, "what" | "what're" | "list")
            && let Some(aspect) = ["are the", "are", "is the"].iter().find_map(|glue| {
                let after = at + 1 + glue.split(' ').count();
                (phrase_at(words, at + 1, glue)
                    && matches!(
                        lower_at(words, after),
                        "requirements"
                            | "risks"
                            | "dependencies"
                            | "edge"
                            | "acceptance"
                            | "non-functional"
                            | "scope"
                    ))
                .then(|| lower_at(words, after).to_owned())
            })
        {
            cues.push(cue(
                ChatIntentKind::RequirementAnalysis,
                at,
                0.85,
                format!("the message asks for the {aspect} of a requirement"),
            ));
        }
        if phrase_at(words, at, "break down") || phrase_at(words, at, "requirements for") {
            let next = lower_at(words, at + 2);
            if !TICKET_NOUNS.contains(&next) {
                cues.push(cue(
                    ChatIntentKind::RequirementAnalysis,
                    at,
                    0.75,
                    "the message asks to break a requirement down",
                ));
            }
        }
    }
    cues
}

/// A long text written as requirements ("users must ...", "the system should ...").
fn weak_requirement(message: &str, words: &[Word]) -> Option<Cue> {
    let modals = words
        .iter()
        .enumerate()
        .filter(|(at, word)| {
            matches!(word.lower.as_str(), "should" | "must" | "shall")
                || (matches!(word.lower.as_str(), "need" | "needs" | "has")
                    && lower_at(words, at + 1) == "to")
        })
        .count();
    let story = has_any(words, &["as a", "as an"]) && has_any(words, &["i want", "i need"]);
    if story {
        return Some(cue(
            ChatIntentKind::RequirementAnalysis,
            0,
            0.7,
            "The message is a user story (\u{201c}as a \u{2026} I want\u{201d})",
        ));
    }
    (words.len() >= 20 && modals >= 2 && !message.trim_end().ends_with('?')).then(|| {
        cue(
            ChatIntentKind::RequirementAnalysis,
            0,
            0.65,
            format!("The message is a requirement text with {modals} should/must statements"),
        )
    })
}

/// Verbs that create a ticket only when an article follows ("open a bug", not "open bugs").
const CREATE_VERBS_WITH_ARTICLE: &[&str] = &[
    "open", "file", "log", "raise", "add", "make", "submit", "report", "write", "put", "start",
];
/// Verbs that create whatever ticket noun follows.
const CREATE_VERBS: &[&str] = &["create", "draft", "new", "need", "want"];

fn create_cues(words: &[Word]) -> Vec<Cue> {
    let mut cues = Vec::new();
    for (at, word) in words.iter().enumerate() {
        let verb = word.lower.as_str();
        let direct = CREATE_VERBS.contains(&verb);
        let with_article = CREATE_VERBS_WITH_ARTICLE.contains(&verb);
        if !direct && !with_article {
            continue;
        }
        let mut next = at + 1;
        if lower_at(words, next) == "up" {
            next += 1; // "write up a ticket"
        }
        let article = matches!(
            lower_at(words, next),
            "a" | "an" | "another" | "one" | "new" | "some"
        );
        if with_article && !article {
            continue;
        }
        // "need"/"want" only with an article: "we need a ticket for", not "tickets I need".
        if matches!(verb, "need" | "want") && !article {
            continue;
        }
        // The ticket noun within the next few modifiers, before any preposition.
        let noun = (next..next + 5)
            .take_while(|&i| {
                !matches!(
                    lower_at(words, i),
                    "for"
                        | "about"
                        | "to"
                        | "that"
                        | "which"
                        | "on"
                        | "in"
                        | "with"
                        | "where"
                        | "when"
                        | "from"
                        | "of"
                        | ""
                ) || i == next
            })
            .find(|&i| TICKET_NOUNS.contains(&lower_at(words, i)))
            .map(|i| lower_at(words, i).to_owned());
        match noun {
            Some(noun) => cues.push(cue(
                ChatIntentKind::CreateTicket,
                at,
                if verb == "new" { 0.85 } else { 0.9 },
                format!("\u{201c}{verb} \u{2026} {noun}\u{201d} asks for a new ticket"),
            )),
            // "Create a dashboard for ticket metrics": a bare creation command still most
            // likely wants a ticket for it, but less surely.
            None if matches!(verb, "create" | "draft") && at <= skip_politeness(words) => {
                cues.push(cue(
                    ChatIntentKind::CreateTicket,
                    at,
                    0.6,
                    format!(
                        "the message starts with \u{201c}{verb}\u{201d} but names no ticket type"
                    ),
                ));
            }
            None => {}
        }
    }
    cues
}

fn assess_cues(words: &[Word]) -> Vec<Cue> {
    let mut cues = Vec::new();
    for (at, word) in words.iter().enumerate() {
        let w = word.lower.as_str();
        let strong = matches!(
            w,
            "assess"
                | "review"
                | "evaluate"
                | "rate"
                | "score"
                | "grade"
                | "critique"
                | "audit"
                | "assessment"
                | "evaluation"
        );
        if strong {
            cues.push(cue(
                ChatIntentKind::AssessTicket,
                at,
                0.9,
                format!("\u{201c}{w}\u{201d} asks for a quality assessment of a ticket"),
            ));
        }
        if phrase_at(words, at, "quality of") || phrase_at(words, at, "how good is") {
            cues.push(cue(
                ChatIntentKind::AssessTicket,
                at,
                0.85,
                "the message asks about a ticket's quality",
            ));
        }
        if matches!(w, "ready" | "well-written" | "well-defined" | "estimable")
            && words.first().is_some_and(|first| first.lower == "is")
        {
            cues.push(cue(
                ChatIntentKind::AssessTicket,
                0,
                0.8,
                format!(
                    "\u{201c}is \u{2026} {w}\u{201d} asks whether a ticket is ready to work on"
                ),
            ));
        }
        if matches!(w, "improve" | "improved") && at > 0 {
            cues.push(cue(
                ChatIntentKind::AssessTicket,
                at,
                0.7,
                "the message asks how a ticket could be improved",
            ));
        }
    }
    cues
}

/// The ticket fields an update can name.
const FIELDS: &[&str] = &[
    "priority",
    "summary",
    "title",
    "description",
    "label",
    "labels",
    "comment",
    "assignee",
    "status",
    "estimate",
    "points",
    "component",
    "components",
];

fn update_cues(words: &[Word], names_ticket: bool) -> Vec<Cue> {
    let mut cues = Vec::new();
    for (at, word) in words.iter().enumerate() {
        let w = word.lower.as_str();
        let verb = matches!(
            w,
            "change"
                | "set"
                | "raise"
                | "lower"
                | "update"
                | "rename"
                | "retitle"
                | "edit"
                | "modify"
                | "bump"
                | "increase"
                | "decrease"
                | "downgrade"
                | "upgrade"
                | "append"
                | "assign"
                | "reassign"
                | "move"
                | "mark"
                | "close"
                | "reopen"
                | "prioritize"
                | "prioritise"
                | "deprioritize"
                | "deprioritise"
                | "tag"
                | "relabel"
                | "make"
                | "add"
                | "remove"
                | "comment"
                | "escalate"
        );
        if !verb {
            continue;
        }
        let window: Vec<&str> = (at + 1..at + 6).map(|i| lower_at(words, i)).collect();
        let names_field = window.iter().any(|next| FIELDS.contains(next));
        let names_key = window.iter().any(|next| issue_key(next).is_some());
        let points_at_it = window
            .first()
            .is_some_and(|next| matches!(*next, "it" | "this" | "that"));
        let priority_word = window.iter().any(|next| {
            super::chat_text::priority_level(next.split('-').next().unwrap_or("")).is_some()
        });
        let ok = match w {
            // "add"/"remove" change a ticket only through a label, comment or description.
            "add" | "remove" => names_field,
            // "make it high priority", "make PROJ-3 a blocker".
            "make" => (points_at_it || names_key) && (priority_word || names_field),
            "comment" => lower_at(words, at + 1) == "on" || names_key || points_at_it,
            _ => names_field || names_key || points_at_it || (names_ticket && priority_word),
        };
        if !ok {
            continue;
        }
        let confidence = if names_key || names_ticket { 0.9 } else { 0.7 };
        cues.push(cue(
            ChatIntentKind::UpdateTicket,
            at,
            confidence,
            format!("\u{201c}{w}\u{201d} asks to change an existing ticket"),
        ));
    }
    cues
}

const SEARCH_VERBS: &[&str] = &[
    "find", "show", "list", "search", "lookup", "display", "fetch", "get", "query", "give",
];

fn search_cues(words: &[Word], keys: &[String]) -> Vec<Cue> {
    let mut cues = Vec::new();
    for (at, word) in words.iter().enumerate() {
        let w = word.lower.as_str();
        let verb = SEARCH_VERBS.contains(&w)
            || phrase_at(words, at, "look up")
            || phrase_at(words, at, "pull up");
        if verb {
            // "show me PROJ-12" reads one ticket: a question about it, not a search.
            let next_is_key = (at + 1..at + 3).any(|i| issue_key(lower_at(words, i)).is_some());
            let target = (at + 1..at + 7).find(|&i| {
                let next = lower_at(words, i);
                TICKET_NOUNS.contains(&next)
                    || matches!(
                        next,
                        "everything"
                            | "anything"
                            | "open"
                            | "unresolved"
                            | "unassigned"
                            | "assigned"
                            | "overdue"
                            | "blocked"
                            | "blockers"
                            | "work"
                    )
            });
            if let Some(target) = target
                && !next_is_key
            {
                cues.push(cue(
                    ChatIntentKind::Search,
                    at,
                    0.9,
                    format!(
                        "\u{201c}{w} \u{2026} {}\u{201d} asks to find tickets",
                        lower_at(words, target)
                    ),
                ));
            } else if !next_is_key
                && keys.is_empty()
                && SEARCH_VERBS.contains(&w)
                && at <= skip_politeness(words)
            {
                cues.push(cue(
                    ChatIntentKind::Search,
                    at,
                    0.6,
                    format!("the message starts with \u{201c}{w}\u{201d}"),
                ));
            }
        }
        let asks_which = matches!(w, "which" | "any")
            || phrase_at(words, at, "how many")
            || phrase_at(words, at, "are there")
            || phrase_at(words, at, "is there");
        if asks_which && (at + 1..at + 4).any(|i| TICKET_NOUNS.contains(&lower_at(words, i))) {
            cues.push(cue(
                ChatIntentKind::Search,
                at,
                0.85,
                "the message asks which tickets match",
            ));
        }
        for phrase in [
            "what's open",
            "what is open",
            "whats open",
            "what's in progress",
            "what is in progress",
            "what's assigned",
            "what is assigned",
            "assigned to me",
            "my open",
            "my tickets",
            "my issues",
            "my bugs",
            "my tasks",
            "what am i working on",
            "on my plate",
        ] {
            if phrase_at(words, at, phrase) {
                cues.push(cue(
                    ChatIntentKind::Search,
                    at,
                    0.8,
                    format!("\u{201c}{phrase}\u{201d} asks for a list of tickets"),
                ));
            }
        }
    }
    // "Open bugs in PROJ", "high priority bugs": a bare noun phrase naming tickets.
    let start = skip_politeness(words);
    let opening: Vec<&str> = (start..start + 4).map(|i| lower_at(words, i)).collect();
    let qualifier = |w: &str| {
        matches!(
            w,
            "open"
                | "all"
                | "unresolved"
                | "unassigned"
                | "recent"
                | "closed"
                | "blocked"
                | "high"
                | "critical"
                | "overdue"
                | "stale"
                | "my"
                | "our"
        ) || w.ends_with("-priority")
    };
    if opening.first().is_some_and(|w| qualifier(w))
        && opening
            .iter()
            .skip(1)
            .any(|w| TICKET_NOUNS.contains(w) && w.ends_with('s'))
        && keys.is_empty()
    {
        cues.push(cue(
            ChatIntentKind::Search,
            start,
            0.7,
            "the message names a set of tickets",
        ));
    }
    cues
}

/// A follow-up that only adjusts what came before ("make it a bug", "same but for iOS").
pub(super) fn is_modifier(words: &[Word]) -> bool {
    let start = skip_politeness(words);
    const OPENINGS: &[&str] = &[
        "make it",
        "make this",
        "make that",
        "change it",
        "change that",
        "change this",
        "same",
        "but",
        "actually",
        "instead",
        "it should",
        "set it",
        "and",
        "also",
        "assign it",
        "put it",
        "add it",
        "label it",
        "tag it",
        "mark it",
    ];
    OPENINGS
        .iter()
        .any(|opening| phrase_at(words, start, opening))
        || find_phrase(words, "same but").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(role: &str, text: &str) -> ChatTurnText {
        ChatTurnText {
            role: role.to_owned(),
            text: text.to_owned(),
        }
    }

    fn intent(message: &str) -> ChatIntent {
        classify(message, &[])
    }

    #[track_caller]
    fn assert_intent(message: &str, expected: ChatIntentKind) {
        let got = intent(message);
        assert_eq!(got.intent, expected, "{message}: {got:?}");
    }

    #[test]
    fn every_intent_has_its_cues() {
        use ChatIntentKind::*;
        let cases = [
            (
                "Analyze the following requirement: users must export invoices",
                RequirementAnalysis,
            ),
            (
                "What are the risks of moving billing to Stripe?",
                RequirementAnalysis,
            ),
            (
                "Create a high-priority bug ticket: login fails on Safari",
                CreateTicket,
            ),
            ("please open a new story for dark mode", CreateTicket),
            ("log a bug: the export button does nothing", CreateTicket),
            (
                "New ticket for the broken password reset link",
                CreateTicket,
            ),
            ("Assess PROJ-12", AssessTicket),
            ("can you review the quality of web-88?", AssessTicket),
            ("Is PROJ-12 ready for development?", AssessTicket),
            (
                "raise PROJ-7 to High and add the label payments",
                UpdateTicket,
            ),
            ("add a comment to PROJ-3: deployed to staging", UpdateTicket),
            (
                "rename PROJ-9 to 'Checkout times out on slow networks'",
                UpdateTicket,
            ),
            ("find open bugs in PROJ", Search),
            ("which tickets are assigned to me?", Search),
            ("what's open in PAY", Search),
            ("hello there", GeneralQuery),
            ("what is a ticket?", GeneralQuery),
            ("How do I create an epic in Jira?", GeneralQuery),
        ];
        for (message, expected) in cases {
            assert_intent(message, expected);
        }
    }

    #[test]
    fn create_inside_a_search_is_a_search() {
        let got = intent("find tickets created last week");
        assert_eq!(got.intent, ChatIntentKind::Search);
        assert_eq!(got.confidence, 0.9);
        assert_intent("list open bugs", ChatIntentKind::Search);
        assert_intent("show me bugs I opened yesterday", ChatIntentKind::Search);
    }

    #[test]
    fn search_inside_a_creation_is_a_creation() {
        assert_intent(
            "create a task to find the memory leak in the importer",
            ChatIntentKind::CreateTicket,
        );
    }

    #[test]
    fn keys_are_normalised_and_in_order() {
        let got = intent("compare proj-2 and ABC-10, then assess proj-2");
        assert_eq!(got.ticket_keys, vec!["PROJ-2", "ABC-10"]);
    }

    #[test]
    fn it_refers_to_the_latest_ticket_of_the_conversation() {
        let conversation = [
            turn("user", "assess PROJ-4"),
            turn("assistant", "PROJ-4 scores 6/10. PROJ-9 is related."),
        ];
        let got = classify("make it high priority", &conversation);
        assert_eq!(got.intent, ChatIntentKind::UpdateTicket);
        assert_eq!(got.ticket_keys, vec!["PROJ-9"]);
        assert!(got.reasoning.contains("PROJ-9"), "{}", got.reasoning);
        let got = classify("is it ready for the sprint?", &conversation);
        assert_eq!(got.intent, ChatIntentKind::AssessTicket);
        assert_eq!(got.ticket_keys, vec!["PROJ-9"]);
    }

    #[test]
    fn a_change_after_a_draft_adjusts_the_draft() {
        let conversation = [
            turn("user", "create a story under epic PROJ-1 for CSV export"),
            turn("assistant", "Here is the draft: Export orders to CSV."),
        ];
        let got = classify("make it high priority", &conversation);
        assert_eq!(got.intent, ChatIntentKind::CreateTicket, "{got:?}");
        assert!(got.ticket_keys.is_empty());
        let got = classify("same but for iOS", &conversation);
        assert_eq!(got.intent, ChatIntentKind::CreateTicket, "{got:?}");
    }

    #[test]
    fn an_update_without_any_ticket_is_unsure() {
        let got = intent("change the priority to low");
        assert_eq!(got.intent, ChatIntentKind::UpdateTicket);
        assert!(got.confidence <= 0.6);
        assert!(got.ticket_keys.is_empty());
    }

    #[test]
    fn confidence_follows_the_clarity_of_the_cue() {
        assert_eq!(intent("Create a bug for the login crash").confidence, 0.9);
        assert_eq!(
            intent("create a dashboard for ticket metrics").confidence,
            0.6
        );
        assert_eq!(intent("good morning").confidence, 0.5);
    }

    #[test]
    fn long_requirement_text_is_a_requirement() {
        let text = "The checkout must accept PayPal. Customers should see the PayPal button \
                    next to the card form, and refunds must flow back to PayPal within a day.";
        assert_intent(text, ChatIntentKind::RequirementAnalysis);
        assert_intent(
            "As a merchant I want to export orders so that I can reconcile sales",
            ChatIntentKind::RequirementAnalysis,
        );
    }

    #[test]
    fn questions_about_a_named_ticket_are_general_queries_with_its_key() {
        let got = intent("what is PROJ-5 about?");
        assert_eq!(got.intent, ChatIntentKind::GeneralQuery);
        assert_eq!(got.ticket_keys, vec!["PROJ-5"]);
    }
}
