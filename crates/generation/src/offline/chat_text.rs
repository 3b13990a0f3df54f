//! Word-level reading of chat messages shared by the offline chat tasks (intent, ticket draft,
//! ticket update, JQL): Jira keys, lower-cased word sequences with their byte offsets, the
//! conversation's most recent ticket, and mapping a wanted priority or issue type onto the
//! names a Jira site allows.

use crate::task::ChatTurnText;

/// One word of a message: lower-cased for matching, with where it sits in the original text so
/// that the original casing can be cut out ("assign to Alice Smith").
#[derive(Debug, Clone)]
pub(super) struct Word {
    pub lower: String,
    pub start: usize,
    pub end: usize,
}

/// The words of `text`: runs of letters, digits and the joiners `-`, `_`, `'`, `@`, `.` inside
/// a word (so "PROJ-12", "high-priority", "what's" and "alice@example.com" stay whole).
pub(super) fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (index, &(at, c)) in chars.iter().enumerate() {
        let next_is_word = chars
            .get(index + 1)
            .is_some_and(|&(_, next)| next.is_alphanumeric());
        let joiner = matches!(c, '-' | '_' | '\'' | '’' | '@' | '.' | '+') && next_is_word;
        let in_word = c.is_alphanumeric() || (start.is_some() && joiner);
        match (in_word, start) {
            (true, None) => start = Some(at),
            (false, Some(from)) => {
                out.push(word(text, from, at));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        out.push(word(text, from, text.len()));
    }
    out
}

fn word(text: &str, start: usize, end: usize) -> Word {
    let raw = text.get(start..end).unwrap_or("");
    Word {
        lower: raw.to_lowercase().replace('’', "'"),
        start,
        end,
    }
}

/// Things that look like Jira keys but are standards and versions ("UTF-8", "ISO-8601").
const NOT_KEYS: &[&str] = &[
    "UTF", "ISO", "SHA", "COVID", "RFC", "X86", "ARM", "MP", "IPV", "HTTP", "TLS", "SSL", "GPT",
    "P",
];

/// The issue key `word` names, upper-cased: `[A-Z][A-Z0-9_]+-\d+`, whatever its case.
pub(super) fn issue_key(word: &str) -> Option<String> {
    let word = word.trim_end_matches(['.', ',', ':', ';', '?', '!', ')']);
    let (project, number) = word.split_once('-')?;
    let mut letters = project.chars();
    let first = letters.next()?;
    let project_ok = first.is_ascii_alphabetic()
        && project.len() >= 2
        && project
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    let number_ok = !number.is_empty() && number.chars().all(|c| c.is_ascii_digit());
    let project = project.to_ascii_uppercase();
    (project_ok && number_ok && !NOT_KEYS.contains(&project.as_str()))
        .then(|| format!("{project}-{number}"))
}

/// The issue keys in `text`, upper-cased, in order of mention, without repeats.
pub(super) fn issue_keys(text: &str) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for word in words(text) {
        if let Some(key) = issue_key(&word.lower)
            && !keys.contains(&key)
        {
            keys.push(key);
        }
    }
    keys
}

/// The most recently mentioned issue key of the conversation and the index of its turn.
pub(super) fn latest_conversation_key(conversation: &[ChatTurnText]) -> Option<(usize, String)> {
    conversation
        .iter()
        .enumerate()
        .rev()
        .find_map(|(index, turn)| issue_keys(&turn.text).pop().map(|key| (index, key)))
}

/// The parent a message names: "in epic PROJ-1", "under PROJ-1", "children of PROJ-1",
/// "parent PROJ-1", "part of PROJ-1".
pub(super) fn parent_key(words: &[Word]) -> Option<String> {
    words.iter().enumerate().find_map(|(at, word)| {
        let key = issue_key(&word.lower)?;
        let before = |back: usize| {
            at.checked_sub(back)
                .map_or("", |index| lower_at(words, index))
        };
        let introduced = match before(1) {
            "epic" | "parent" | "under" => true,
            "of" => matches!(before(2), "children" | "child" | "part"),
            // "parent: PROJ-1" loses its colon to the word split.
            _ => false,
        };
        introduced.then_some(key)
    })
}

/// True when the words starting at `at` are `phrase` (space-separated, lower-case).
pub(super) fn phrase_at(words: &[Word], at: usize, phrase: &str) -> bool {
    let mut index = at;
    for part in phrase.split(' ') {
        match words.get(index) {
            Some(word) if word.lower == part => index += 1,
            _ => return false,
        }
    }
    true
}

/// Where `phrase` first starts among `words`.
pub(super) fn find_phrase(words: &[Word], phrase: &str) -> Option<usize> {
    (0..words.len()).find(|&at| phrase_at(words, at, phrase))
}

/// True when any of `phrases` occurs among `words`.
pub(super) fn has_any(words: &[Word], phrases: &[&str]) -> bool {
    phrases
        .iter()
        .any(|phrase| find_phrase(words, phrase).is_some())
}

/// The lower-case word at `at`, or "".
pub(super) fn lower_at(words: &[Word], at: usize) -> &str {
    words.get(at).map_or("", |word| word.lower.as_str())
}

/// Nouns that name a Jira ticket, singular and plural.
pub(super) const TICKET_NOUNS: &[&str] = &[
    "ticket",
    "tickets",
    "issue",
    "issues",
    "bug",
    "bugs",
    "story",
    "stories",
    "task",
    "tasks",
    "epic",
    "epics",
    "subtask",
    "subtasks",
    "sub-task",
    "sub-tasks",
    "spike",
    "spikes",
    "defect",
    "defects",
    "jira",
    "jiras",
    "item",
    "items",
    "incident",
    "incidents",
];

/// Priority levels on Jira's default scale: 0 Highest … 4 Lowest.
pub(super) const PRIORITY_NAMES: [&str; 5] = ["Highest", "High", "Medium", "Low", "Lowest"];

/// The level (0 Highest … 4 Lowest) a priority word names, on any common scheme (Jira's
/// default, Blocker/Critical/Major/Minor/Trivial, P0–P4).
pub(super) fn priority_level(word: &str) -> Option<usize> {
    let level = match word.trim().to_lowercase().as_str() {
        "highest" | "blocker" | "blocking" | "showstopper" | "critical" | "p0" | "p1" => 0,
        "high" | "urgent" | "major" | "asap" | "important" => 1,
        "medium" | "normal" | "moderate" | "p2" => 2,
        "low" | "minor" | "p3" => 3,
        "lowest" | "trivial" | "p4" => 4,
        _ => return None,
    };
    Some(level)
}

/// The level of a site's priority name ("P1 - Critical" → 0, "Major" → 1), from its words.
fn allowed_priority_level(name: &str) -> Option<usize> {
    words(name)
        .iter()
        .flat_map(|word| {
            word.lower
                .split(['-', '_'])
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .find_map(|word| priority_level(&word))
}

/// The priority name to use for `level`: Jira's default name when `allowed` is empty, else the
/// allowed name of the closest level (the first on a tie).
pub(super) fn priority_name(level: usize, allowed: &[String]) -> Option<String> {
    if allowed.is_empty() {
        return PRIORITY_NAMES.get(level).map(|name| (*name).to_owned());
    }
    let wanted = PRIORITY_NAMES.get(level).copied().unwrap_or("Medium");
    if let Some(exact) = allowed
        .iter()
        .find(|name| name.eq_ignore_ascii_case(wanted))
    {
        return Some(exact.trim().to_owned());
    }
    allowed
        .iter()
        .filter_map(|name| allowed_priority_level(name).map(|known| (known.abs_diff(level), name)))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name.trim().to_owned())
}

/// An allowed name equal to `wanted` ignoring case, spaces and hyphens ("sub-task" = "Subtask").
pub(super) fn allowed_match(wanted: &str, allowed: &[String]) -> Option<String> {
    let key = squash(wanted);
    allowed
        .iter()
        .find(|name| squash(name) == key)
        .map(|name| name.trim().to_owned())
}

/// Lower-case letters and digits only.
pub(super) fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A Jira label from free text: lower-case, words joined by hyphens, nothing else.
pub(super) fn label(text: &str) -> Option<String> {
    let parts: Vec<String> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|part| !part.is_empty())
        .map(str::to_lowercase)
        .collect();
    let label = parts.join("-");
    (!label.is_empty() && label.len() <= 255).then_some(label)
}

/// Cuts `text` at `max` characters on a word boundary, for one-line titles.
pub(super) fn one_line(text: &str, max: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        return line;
    }
    let mut out = String::new();
    for word in line.split(' ') {
        if out.chars().count() + word.chars().count() + 1 > max.saturating_sub(1) {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        out = line.chars().take(max.saturating_sub(1)).collect();
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_in_any_case_and_standards_are_not_keys() {
        assert_eq!(
            issue_keys("is proj-12 ready? see ABC_2-7, UTF-8 and PROJ-12."),
            vec!["PROJ-12", "ABC_2-7"]
        );
        assert_eq!(issue_key("e-mail"), None);
        assert_eq!(issue_key("P-1"), None);
    }

    #[test]
    fn words_keep_joined_tokens_and_offsets() {
        let text = "Assign to alice@example.com, high-priority!";
        let found = words(text);
        let lower: Vec<&str> = found.iter().map(|w| w.lower.as_str()).collect();
        assert_eq!(
            lower,
            ["assign", "to", "alice@example.com", "high-priority"]
        );
        assert_eq!(&text[found[2].start..found[2].end], "alice@example.com");
    }

    #[test]
    fn priorities_map_onto_the_allowed_scheme() {
        let scheme: Vec<String> = ["Blocker", "Critical", "Major", "Minor", "Trivial"]
            .map(String::from)
            .to_vec();
        assert_eq!(priority_name(1, &scheme).as_deref(), Some("Major"));
        assert_eq!(priority_name(3, &scheme).as_deref(), Some("Minor"));
        assert_eq!(priority_name(0, &[]).as_deref(), Some("Highest"));
        let numbered = vec!["P1 - Critical".to_owned(), "P3 - Low".to_owned()];
        assert_eq!(priority_name(4, &numbered).as_deref(), Some("P3 - Low"));
    }

    #[test]
    fn labels_and_titles_are_cleaned() {
        assert_eq!(
            label("Production Blocker").as_deref(),
            Some("production-blocker")
        );
        assert_eq!(label("  ").as_deref(), None);
        let long = "word ".repeat(100);
        assert!(one_line(&long, 255).chars().count() <= 255);
    }

    proptest::proptest! {
        /// Whatever the user types, the four chat generators answer without panicking.
        #[test]
        fn any_message_is_answered(message in "\\PC{1,120}", other in "[a-zA-Z İß:,.\"'’-]{0,60}") {
            use crate::offline::OfflineTask;
            use crate::task::{ChatIntentInput, JqlQueryInput, TicketDraftInput, TicketUpdateInput};
            let conversation = vec![ChatTurnText { role: "user".into(), text: format!("create a bug: {other}") }];
            let text = format!("{message} {other}");
            let _ = ChatIntentInput { message: text.clone(), conversation: conversation.clone() }.generate_offline();
            let _ = TicketDraftInput {
                message: text.clone(),
                conversation: conversation.clone(),
                project_key: None,
                issue_types: vec![other.clone()],
                priorities: vec![other.clone()],
                components: vec![other.clone()],
            }
            .generate_offline();
            let _ = TicketUpdateInput {
                message: text.clone(),
                conversation: conversation.clone(),
                ticket_key: "PROJ-1".into(),
                summary: "Summary".into(),
                description: Some(other.clone()),
                priority: Some(other.clone()),
                labels: vec![other.clone()],
                priorities: vec![other.clone()],
            }
            .generate_offline();
            let query = JqlQueryInput { request: text, conversation, project_key: Some(other) }.generate_offline();
            proptest::prop_assert!(jql::validate(&query.jql).is_ok(), "{}", query.jql);
        }
    }
}
