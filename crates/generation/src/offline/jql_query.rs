//! Offline `jql_query`: turns a question about tickets into JQL clause by clause — project,
//! issue types, status category, assignee, priority, time window, labels, sprint, parent epic
//! and a text search — each read from the request's own words, then an `ORDER BY` that fits the
//! question (newest first for "created …", priority for "most urgent", else last updated). Every
//! value is quoted where JQL needs it, so the query parses with the `jql` crate.

use super::OfflineTask;
use super::chat_text::{Word, issue_key, lower_at, parent_key, phrase_at, words};
use crate::task::{JqlQuery, JqlQueryInput};

impl OfflineTask for JqlQueryInput {
    fn generate_offline(&self) -> JqlQuery {
        build(&self.request, self.project_key.as_deref())
    }
}

/// Upper-case words that are not project keys.
const NOT_PROJECTS: &[&str] = &[
    "I", "A", "API", "UI", "UX", "CSV", "PDF", "SQL", "JQL", "URL", "SSO", "MFA", "HTTP", "JSON",
    "AND", "OR", "NOT", "ASAP", "ETA", "ID", "IT", "OK", "QA", "PR", "PRS", "MR", "CI", "CD",
    "AWS", "GCP", "SLA", "SMS", "IOS", "ME", "MY", "ALL", "P0", "P1", "P2", "P3", "P4",
];

/// The clauses and their plain-words counterparts, in reading order.
#[derive(Default)]
struct Parts {
    clauses: Vec<String>,
    /// "bugs", "stories and tasks"; "issues" when no type is named.
    noun: Option<String>,
    /// "open", "done", "in-progress".
    status: Option<&'static str>,
    /// Qualifiers after the noun: "in PROJ", "assigned to you", …
    qualifiers: Vec<String>,
}

fn build(request: &str, default_project: Option<&str>) -> JqlQuery {
    let words = words(request);
    let mut parts = Parts::default();

    let parent = parent_key(&words);
    let project = named_project(request, &words).or_else(|| {
        default_project
            .map(str::trim)
            .filter(|key| is_project_key(key))
            .map(str::to_owned)
    });
    if let Some(project) = &project {
        parts.clauses.push(format!("project = {project}"));
        parts.qualifiers.push(format!("in {project}"));
    }
    issue_types(&words, parent.is_some(), &mut parts);
    status(&words, &mut parts);
    people(&words, &mut parts);
    priority(&words, &mut parts);
    let time_field = time_window(&words, &mut parts);
    labels(request, &words, &mut parts);
    sprint(&words, &mut parts);
    if let Some(parent) = &parent {
        parts.clauses.push(format!("parent = {parent}"));
        parts.qualifiers.push(format!("under {parent}"));
    }
    text_search(request, &words, &mut parts);

    if parts.clauses.is_empty() {
        // Jira rejects a query with no condition as unbounded; a recent window keeps it usable.
        parts.clauses.push("updated >= -30d".to_owned());
        parts
            .qualifiers
            .push("updated in the last 30 days (the request named no filter)".to_owned());
    }
    let (order, order_words) = order_by(&words, time_field);
    let jql = format!("{} ORDER BY {order}", parts.clauses.join(" AND "));
    let noun = parts.noun.clone().unwrap_or_else(|| "issues".to_owned());
    let subject = match parts.status {
        Some(status) => format!("{status} {noun}"),
        None => noun,
    };
    let mut explanation = crate::text_analysis::upper_first(&subject);
    for qualifier in &parts.qualifiers {
        explanation.push(' ');
        explanation.push_str(qualifier);
    }
    explanation.push_str(&format!(", {order_words}."));
    JqlQuery { jql, explanation }
}

/// `[A-Z][A-Z0-9_]+`: a project key as written.
fn is_project_key(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && word.len() >= 2
        && word.len() <= 10
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && !NOT_PROJECTS.contains(&word)
}

/// A project key the request names: "in PROJ", "project PROJ", "PROJ tickets".
fn named_project(request: &str, words: &[Word]) -> Option<String> {
    for (at, word) in words.iter().enumerate() {
        let original = request.get(word.start..word.end).unwrap_or("");
        if !is_project_key(original) {
            continue;
        }
        let before = if at == 0 { "" } else { lower_at(words, at - 1) };
        let after = lower_at(words, at + 1);
        let introduced = matches!(before, "in" | "project" | "for" | "from" | "of" | "within");
        let names_tickets = super::chat_text::TICKET_NOUNS.contains(&after) || after == "project";
        if introduced || names_tickets {
            return Some(original.to_owned());
        }
    }
    None
}

fn issue_types(words: &[Word], has_parent: bool, parts: &mut Parts) {
    let mut types: Vec<(&str, &str)> = Vec::new();
    for (at, word) in words.iter().enumerate() {
        let found = match word.lower.as_str() {
            "bug" | "bugs" | "defect" | "defects" => Some(("Bug", "bugs")),
            "story" | "stories" => Some(("Story", "stories")),
            "task" | "tasks" => Some(("Task", "tasks")),
            "subtask" | "subtasks" | "sub-task" | "sub-tasks" => Some(("Sub-task", "sub-tasks")),
            // "in epic PROJ-1" names the parent, not the type.
            "epic" | "epics" if !(has_parent && issue_key(lower_at(words, at + 1)).is_some()) => {
                Some(("Epic", "epics"))
            }
            _ => None,
        };
        if let Some(found) = found
            && !types.contains(&found)
        {
            types.push(found);
        }
    }
    let names: Vec<String> = types
        .iter()
        .map(|(name, _)| {
            if name.contains('-') {
                format!("\"{name}\"")
            } else {
                (*name).to_owned()
            }
        })
        .collect();
    match names.as_slice() {
        [] => return,
        [one] => parts.clauses.push(format!("issuetype = {one}")),
        many => parts
            .clauses
            .push(format!("issuetype in ({})", many.join(", "))),
    }
    let plurals: Vec<&str> = types.iter().map(|(_, plural)| *plural).collect();
    parts.noun = Some(join_words(&plurals));
}

/// "a", "a and b", "a, b and c".
fn join_words(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn status(words: &[Word], parts: &mut Parts) {
    let has = |phrase: &str| (0..words.len()).any(|at| phrase_at(words, at, phrase));
    let (clause, label) = if has("in progress") || has("in-progress") || has("being worked") {
        ("status = \"In Progress\"", "in-progress")
    } else if has("to do") || has("todo") || has("not started") {
        ("statusCategory = \"To Do\"", "not-started")
    } else if [
        "done",
        "closed",
        "resolved",
        "completed",
        "finished",
        "fixed",
    ]
    .iter()
    .any(|word| has(word))
        && !has("not done")
    {
        ("statusCategory = Done", "done")
    } else if [
        "open",
        "unresolved",
        "outstanding",
        "pending",
        "active",
        "remaining",
        "not done",
    ]
    .iter()
    .any(|word| has(word))
        || has("overdue")
    {
        ("statusCategory != Done", "open")
    } else {
        return;
    };
    parts.clauses.push(clause.to_owned());
    parts.status = Some(label);
}

fn people(words: &[Word], parts: &mut Parts) {
    let has = |phrase: &str| (0..words.len()).any(|at| phrase_at(words, at, phrase));
    if has("unassigned")
        || has("assigned to nobody")
        || has("assigned to no one")
        || has("no assignee")
    {
        parts.clauses.push("assignee is EMPTY".to_owned());
        parts.qualifiers.push("with no assignee".to_owned());
    } else if has("assigned to me")
        || has("my")
        || has("mine")
        || has("am i working on")
        || has("i'm working on")
        || has("i am working on")
    {
        parts.clauses.push("assignee = currentUser()".to_owned());
        parts.qualifiers.push("assigned to you".to_owned());
    }
    if has("reported by me")
        || has("i reported")
        || has("i created")
        || has("i filed")
        || has("i opened")
        || has("i raised")
    {
        parts.clauses.push("reporter = currentUser()".to_owned());
        parts.qualifiers.push("reported by you".to_owned());
    }
}

fn priority(words: &[Word], parts: &mut Parts) {
    let has = |phrase: &str| (0..words.len()).any(|at| phrase_at(words, at, phrase));
    let most_urgent = has("most urgent") || has("most important");
    if has("highest priority") || has("critical") || has("blocker") || has("blockers") || has("p0")
    {
        parts.clauses.push("priority = Highest".to_owned());
        parts.qualifiers.push("with Highest priority".to_owned());
    } else if has("high priority")
        || has("high-priority")
        || has("high prio")
        || (has("urgent") && !most_urgent)
        || (has("important") && !most_urgent)
    {
        parts.clauses.push("priority in (Highest, High)".to_owned());
        parts
            .qualifiers
            .push("with High or Highest priority".to_owned());
    } else if has("low priority") || has("low-priority") || has("low prio") {
        parts.clauses.push("priority in (Low, Lowest)".to_owned());
        parts
            .qualifiers
            .push("with Low or Lowest priority".to_owned());
    }
}

/// The date field the request is about: `created`, `updated` or `resolved`.
fn time_field(words: &[Word], at: usize) -> &'static str {
    // The nearest field word before the time phrase decides ("updated last week").
    for back in 1..=3 {
        let Some(index) = at.checked_sub(back) else {
            break;
        };
        if let Some(field) = field_word(lower_at(words, index)) {
            return field;
        }
    }
    words
        .iter()
        .find_map(|word| field_word(&word.lower))
        .unwrap_or("created")
}

fn field_word(word: &str) -> Option<&'static str> {
    match word {
        "created" | "new" | "opened" | "reported" | "filed" | "raised" | "logged" | "added" => {
            Some("created")
        }
        "updated" | "changed" | "touched" | "modified" | "edited" | "active" => Some("updated"),
        "resolved" | "closed" | "fixed" | "completed" | "finished" | "done" => Some("resolved"),
        _ => None,
    }
}

/// Adds the time clause; returns the field it filtered on.
fn time_window(words: &[Word], parts: &mut Parts) -> Option<&'static str> {
    for (at, word) in words.iter().enumerate() {
        let w = word.lower.as_str();
        let next = lower_at(words, at + 1);
        let (value, said): (String, String) = match (w, next) {
            ("today", _) => ("startOfDay()".to_owned(), "today".to_owned()),
            ("yesterday", _) => ("-1d".to_owned(), "since yesterday".to_owned()),
            ("this" | "current", "week") => ("startOfWeek()".to_owned(), "this week".to_owned()),
            ("this" | "current", "month") => ("startOfMonth()".to_owned(), "this month".to_owned()),
            ("this" | "current", "year") => ("startOfYear()".to_owned(), "this year".to_owned()),
            ("last" | "past" | "previous", "week") => {
                ("-7d".to_owned(), "in the last 7 days".to_owned())
            }
            ("last" | "past" | "previous", "month") => {
                ("-30d".to_owned(), "in the last 30 days".to_owned())
            }
            ("last" | "past" | "previous" | "recent", _) => {
                let Ok(count) = next.parse::<u32>() else {
                    continue;
                };
                let unit = lower_at(words, at + 2);
                let (letter, name) = match unit.trim_end_matches('s') {
                    "day" => ("d", "days"),
                    "week" => ("w", "weeks"),
                    "hour" => ("h", "hours"),
                    "month" => {
                        let days = count.saturating_mul(30);
                        let field = time_field(words, at);
                        parts.clauses.push(format!("{field} >= -{days}d"));
                        parts
                            .qualifiers
                            .push(format!("{} in the last {count} months", said_field(field)));
                        return Some(field);
                    }
                    _ => continue,
                };
                (
                    format!("-{count}{letter}"),
                    format!("in the last {count} {name}"),
                )
            }
            _ => continue,
        };
        let field = time_field(words, at);
        parts.clauses.push(format!("{field} >= {value}"));
        parts
            .qualifiers
            .push(format!("{} {said}", said_field(field)));
        return Some(field);
    }
    if (0..words.len()).any(|at| phrase_at(words, at, "overdue")) {
        parts.clauses.push("duedate < now()".to_owned());
        parts.qualifiers.push("past their due date".to_owned());
    }
    // "not updated in 14 days", "stale for 30 days".
    for (at, word) in words.iter().enumerate() {
        if matches!(word.lower.as_str(), "stale" | "untouched")
            || (word.lower == "not" && lower_at(words, at + 1) == "updated")
        {
            let count = (at + 1..at + 7)
                .find_map(|index| lower_at(words, index).parse::<u32>().ok())
                .unwrap_or(30);
            parts.clauses.push(format!("updated <= -{count}d"));
            parts
                .qualifiers
                .push(format!("not updated for {count} days"));
            return Some("updated");
        }
    }
    None
}

fn said_field(field: &str) -> &'static str {
    match field {
        "updated" => "updated",
        "resolved" => "resolved",
        _ => "created",
    }
}

/// "labelled payments", "with label x", "tagged a, b".
fn labels(request: &str, words: &[Word], parts: &mut Parts) {
    for (at, word) in words.iter().enumerate() {
        let w = word.lower.as_str();
        let mut from = at + 1;
        let cue = matches!(w, "labelled" | "labeled" | "tagged")
            || (matches!(w, "label" | "labels" | "tag") && at > 0 && {
                let before = lower_at(words, at - 1);
                matches!(before, "with" | "the" | "a" | "having" | "has")
            });
        if !cue {
            continue;
        }
        if matches!(lower_at(words, from), "as" | "with") {
            from += 1;
        }
        let mut found: Vec<String> = Vec::new();
        let mut index = from;
        while let Some(word) = words.get(index) {
            let original = request.get(word.start..word.end).unwrap_or("");
            if is_stop_word(&word.lower) || original.is_empty() {
                break;
            }
            found.push(original.trim_matches(['"', '\'']).to_owned());
            // Lists continue with "," / "and" / "or" between labels.
            let gap = request
                .get(word.end..words.get(index + 1).map_or(word.end, |next| next.start))
                .unwrap_or("");
            let joiner = lower_at(words, index + 1);
            if gap.contains(',') {
                index += 1;
            } else if matches!(joiner, "and" | "or") && words.get(index + 2).is_some() {
                index += 2;
            } else {
                break;
            }
        }
        if found.is_empty() {
            continue;
        }
        let quoted: Vec<String> = found.iter().map(|label| quote(label)).collect();
        let clause = match quoted.as_slice() {
            [one] => format!("labels = {one}"),
            many => format!("labels in ({})", many.join(", ")),
        };
        parts.clauses.push(clause);
        let names: Vec<&str> = found.iter().map(String::as_str).collect();
        parts
            .qualifiers
            .push(format!("labelled {}", join_words(&names)));
        return;
    }
}

/// Words that end a label or a searched phrase.
fn is_stop_word(word: &str) -> bool {
    matches!(
        word,
        "created"
            | "updated"
            | "resolved"
            | "assigned"
            | "in"
            | "from"
            | "last"
            | "this"
            | "with"
            | "labelled"
            | "labeled"
            | "that"
            | "which"
            | "sorted"
            | "order"
            | "ordered"
            | "by"
            | "since"
            | "during"
            | "for"
            | "and"
            | "or"
            | "on"
            | "is"
            | "are"
            | "were"
            | "was"
            | "reported"
            | "closed"
            | "opened"
            | "under"
            | "past"
            | "today"
            | "yesterday"
            | "please"
            | "newest"
            | "oldest"
            | "first"
            | "most"
            | "mentioning"
            | "about"
    ) || issue_key(word).is_some()
}

fn sprint(words: &[Word], parts: &mut Parts) {
    let has = |phrase: &str| (0..words.len()).any(|at| phrase_at(words, at, phrase));
    if has("current sprint") || has("this sprint") || has("active sprint") || has("open sprint") {
        parts.clauses.push("sprint in openSprints()".to_owned());
        parts.qualifiers.push("in the current sprint".to_owned());
    } else if has("backlog") {
        parts.clauses.push("sprint is EMPTY".to_owned());
        parts
            .qualifiers
            .push("in the backlog (no sprint)".to_owned());
    }
}

/// "about X", "mentioning X", "related to X", or a quoted phrase.
fn text_search(request: &str, words: &[Word], parts: &mut Parts) {
    let phrase = quoted_phrase(request).or_else(|| {
        words.iter().enumerate().find_map(|(at, word)| {
            let from = match word.lower.as_str() {
                "about" | "mentioning" | "mention" | "mentions" | "regarding" | "containing"
                | "concerning" => at + 1,
                "related" if lower_at(words, at + 1) == "to" => at + 2,
                _ => return None,
            };
            let mut end = from;
            while words
                .get(end)
                .is_some_and(|word| !is_stop_word(&word.lower))
            {
                end += 1;
            }
            let first = words.get(from)?;
            let last = words.get(end.checked_sub(1)?)?;
            (end > from).then(|| request.get(first.start..last.end).unwrap_or("").to_owned())
        })
    });
    let Some(phrase) = phrase.filter(|phrase| !phrase.trim().is_empty()) else {
        return;
    };
    // "?" and "*" are wildcards to Jira's text search, which refuses them at a word's start;
    // in a question they are punctuation.
    let phrase = phrase
        .replace(['*', '?'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if !phrase.chars().any(char::is_alphanumeric) {
        return;
    }
    parts.clauses.push(format!("text ~ {}", quote(&phrase)));
    parts
        .qualifiers
        .push(format!("mentioning \u{201c}{phrase}\u{201d}"));
}

/// The first "double-quoted" or “curly-quoted” phrase of the request (whichever opens first,
/// so quotes inside curly quotes stay part of the phrase).
fn quoted_phrase(request: &str) -> Option<String> {
    let (open_at, close) = [('"', '"'), ('\u{201c}', '\u{201d}')]
        .into_iter()
        .filter_map(|(open, close)| request.find(open).map(|at| (at + open.len_utf8(), close)))
        .min_by_key(|(at, _)| *at)?;
    let rest = request.get(open_at..)?;
    let inside = rest.get(..rest.find(close)?)?;
    (!inside.trim().is_empty()).then(|| inside.to_owned())
}

/// A JQL string literal: double quotes, with `"` and `\` escaped.
fn quote(value: &str) -> String {
    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

fn order_by(words: &[Word], time_field: Option<&str>) -> (&'static str, &'static str) {
    let has = |phrase: &str| (0..words.len()).any(|at| phrase_at(words, at, phrase));
    if has("most urgent")
        || has("most important")
        || has("by priority")
        || has("highest priority first")
    {
        ("priority DESC, updated DESC", "most urgent first")
    } else if has("oldest") {
        ("created ASC", "oldest first")
    } else if has("newest")
        || has("latest")
        || has("recently created")
        || time_field == Some("created")
    {
        ("created DESC", "newest first")
    } else if time_field == Some("resolved") {
        ("resolved DESC", "most recently resolved first")
    } else {
        ("updated DESC", "most recently updated first")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(request: &str, project: Option<&str>) -> JqlQuery {
        let out = build(request, project);
        if let Err(err) = jql::validate(&out.jql) {
            panic!("{request}: {} does not validate: {err}", out.jql);
        }
        out
    }

    #[test]
    fn open_bugs_in_a_named_project() {
        let out = query("find open bugs in PAY", Some("PROJ"));
        assert_eq!(
            out.jql,
            "project = PAY AND issuetype = Bug AND statusCategory != Done ORDER BY updated DESC"
        );
        assert_eq!(
            out.explanation,
            "Open bugs in PAY, most recently updated first."
        );
    }

    #[test]
    fn my_recent_creations_sort_by_creation() {
        let out = query("tickets assigned to me created last week", Some("WEB"));
        assert_eq!(
            out.jql,
            "project = WEB AND assignee = currentUser() AND created >= -7d ORDER BY created DESC"
        );
    }

    #[test]
    fn every_clause_kind_validates() {
        let requests = [
            "unassigned high priority stories and tasks updated in the last 14 days",
            "show resolved bugs this month",
            "what's in progress in the current sprint?",
            "the 5 most urgent issues in OPS",
            "stories in epic PROJ-1 labelled payments, checkout",
            "issues mentioning \"say \\\"hi\\\"\" please",
            "bugs about password reset on Safari",
            "show me everything",
            "stale tasks not updated in 21 days",
            "overdue sub-tasks I reported",
            "critical incidents from today",
            "epics with the label q3-roadmap or growth",
        ];
        for request in requests {
            let out = query(request, None);
            assert!(out.jql.contains(" ORDER BY "), "{}", out.jql);
            assert!(!out.explanation.is_empty());
        }
    }

    #[test]
    fn quotes_in_searched_text_are_escaped() {
        let out = query("issues mentioning \u{201c}the \"Pay\" button\u{201d}", None);
        assert!(
            out.jql.contains(r#"text ~ "the \"Pay\" button""#),
            "{}",
            out.jql
        );
    }

    #[test]
    fn parent_epic_is_not_an_issue_type() {
        let out = query("stories in epic PROJ-1", None);
        assert_eq!(
            out.jql,
            "issuetype = Story AND parent = PROJ-1 ORDER BY updated DESC"
        );
    }

    #[test]
    fn urgency_orders_by_priority() {
        let out = query("the most urgent bugs in OPS", None);
        assert!(
            out.jql.ends_with("ORDER BY priority DESC, updated DESC"),
            "{}",
            out.jql
        );
        assert!(!out.jql.contains("priority in"), "{}", out.jql);
        let out = query("high priority bugs", None);
        assert!(
            out.jql.contains("priority in (Highest, High)"),
            "{}",
            out.jql
        );
    }

    #[test]
    fn time_windows() {
        assert!(
            query("bugs created in the last 3 days", None)
                .jql
                .contains("created >= -3d")
        );
        assert!(
            query("issues updated this month", None)
                .jql
                .contains("updated >= startOfMonth()")
        );
        assert!(
            query("bugs closed last week", None)
                .jql
                .contains("resolved >= -7d")
        );
    }

    #[test]
    fn labels_and_unbounded_requests() {
        let out = query("tasks with label tech-debt", None);
        assert!(out.jql.contains("labels = \"tech-debt\""), "{}", out.jql);
        let out = query("show me everything", None);
        assert!(out.jql.starts_with("updated >= -30d"), "{}", out.jql);
    }
}
