//! Offline `ticket_update`: reads the changes a message asks for ("raise PROJ-7 to High, add
//! the label payments and comment: deployed") into the fields of a ticket update. The message
//! is cut into commands where a command verb starts a clause; a comment or a description runs
//! to the end of the message, since its text may itself contain "and" or verbs. Anything not
//! recognised stays untouched, and a message with no recognised change says so, so the agent
//! asks the user instead of guessing.

use super::OfflineTask;
use super::chat_text::{
    Word, issue_key, label, lower_at, phrase_at, priority_level, priority_name, words,
};
use crate::task::{TicketUpdate, TicketUpdateInput};

impl OfflineTask for TicketUpdateInput {
    fn generate_offline(&self) -> TicketUpdate {
        let message = self.message.trim();
        let words = words(message);
        let mut update = Draft::default();
        for (start, end) in commands(message, &words) {
            apply(self, message, &words, start, end, &mut update);
        }
        update.finish(self)
    }
}

/// What the message asks for, gathered command by command.
#[derive(Default)]
struct Draft {
    summary: Option<String>,
    description: Option<(String, bool)>,
    priority: Option<String>,
    add: Vec<String>,
    remove: Vec<String>,
    missing_labels: Vec<String>,
    comment: Option<String>,
}

impl Draft {
    fn finish(self, input: &TicketUpdateInput) -> TicketUpdate {
        let key = input.ticket_key.trim();
        let mut changes: Vec<String> = Vec::new();
        if let Some(priority) = &self.priority {
            changes.push(match input.priority.as_deref() {
                Some(old) if !old.trim().is_empty() => {
                    format!("sets the priority to {priority} (was {})", old.trim())
                }
                _ => format!("sets the priority to {priority}"),
            });
        }
        if let Some(summary) = &self.summary {
            changes.push(format!("renames it to \u{201c}{summary}\u{201d}"));
        }
        let description = self.description.map(|(text, appended)| {
            if appended {
                changes.push("appends the requested text to the description".to_owned());
                match input.description.as_deref().map(str::trim_end) {
                    Some(old) if !old.trim().is_empty() => format!("{old}\n\n{text}"),
                    _ => text,
                }
            } else {
                changes.push("replaces the description".to_owned());
                text
            }
        });
        if !self.add.is_empty() {
            changes.push(format!(
                "adds the label{} {}",
                plural(self.add.len()),
                self.add.join(", ")
            ));
        }
        if !self.remove.is_empty() {
            changes.push(format!(
                "removes the label{} {}",
                plural(self.remove.len()),
                self.remove.join(", ")
            ));
        }
        if self.comment.is_some() {
            changes.push("adds a comment".to_owned());
        }
        let mut rationale = if changes.is_empty() {
            format!(
                "No change to {key} was understood from the request; ask which field to change and to what"
            )
        } else {
            format!("The request {} on {key}", join(&changes))
        };
        if !self.missing_labels.is_empty() {
            rationale.push_str(&format!(
                " ({} not on the ticket, so not removed)",
                self.missing_labels.join(", ")
            ));
        }
        rationale.push('.');
        TicketUpdate {
            summary: self.summary,
            description,
            priority: self.priority,
            labels_to_add: self.add,
            labels_to_remove: self.remove,
            comment: self.comment,
            rationale,
        }
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

fn join(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Verbs that start a command.
const COMMAND_VERBS: &[&str] = &[
    "add",
    "remove",
    "drop",
    "delete",
    "set",
    "change",
    "raise",
    "lower",
    "bump",
    "increase",
    "decrease",
    "rename",
    "retitle",
    "comment",
    "append",
    "replace",
    "update",
    "make",
    "label",
    "tag",
    "untag",
    "leave",
    "post",
    "write",
    "put",
    "prioritize",
    "prioritise",
    "deprioritize",
    "deprioritise",
    "escalate",
    "downgrade",
    "upgrade",
    "mark",
];

/// The word ranges of the commands in a message.
fn commands(message: &str, words: &[Word]) -> Vec<(usize, usize)> {
    let mut starts = Vec::new();
    let mut runs_to_end = false;
    for (at, word) in words.iter().enumerate() {
        if runs_to_end {
            break;
        }
        let previous = if at == 0 { "" } else { lower_at(words, at - 1) };
        let begins_clause = at == 0
            || matches!(
                previous,
                "and" | "then" | "also" | "please" | "pls" | "you" | "just" | "to"
            )
            || starts.is_empty()
            || words.get(at.wrapping_sub(1)).is_some_and(|before| {
                message
                    .get(before.end..word.start)
                    .is_some_and(|gap| gap.contains([',', ';', '.', ':', '\n']))
            });
        if COMMAND_VERBS.contains(&word.lower.as_str()) && begins_clause {
            // "add label x to PROJ-1 and to the backlog": "to" only starts a clause after
            // "want/like/need to".
            if previous == "to"
                && !matches!(
                    lower_at(words, at.saturating_sub(2)),
                    "want" | "like" | "need" | "going"
                )
            {
                continue;
            }
            starts.push(at);
            let window: Vec<&str> = (at..at + 5).map(|i| lower_at(words, i)).collect();
            runs_to_end = window
                .iter()
                .any(|w| matches!(*w, "comment" | "description" | "comments"));
        }
    }
    if starts.is_empty() && !words.is_empty() {
        // "priority: High", "new title: Foo": a field named without a verb.
        starts.push(0);
    }
    let mut ranges = Vec::new();
    for (index, start) in starts.iter().enumerate() {
        let end = starts.get(index + 1).copied().unwrap_or(words.len());
        ranges.push((*start, end));
    }
    ranges
}

/// The original text of words `from..end`, without a trailing "and"/"then" or punctuation.
fn segment_text<'a>(message: &'a str, words: &[Word], from: usize, end: usize) -> &'a str {
    let Some(first) = words.get(from) else {
        return "";
    };
    let stop = words.get(end).map_or(message.len(), |word| word.start);
    let mut text = message.get(first.start..stop).unwrap_or("").trim_end();
    loop {
        let before = text;
        for tail in [" and", " then", " also", ",", ";", " please"] {
            if let Some(stripped) = text.strip_suffix(tail) {
                text = stripped.trim_end();
            }
        }
        if text == before {
            return text;
        }
    }
}

/// A payload as written: without leading ":"/"-", surrounding quotes, or a final full stop.
fn clean_payload(text: &str, keep_stop: bool) -> String {
    let mut text = text
        .trim()
        .trim_start_matches([':', '-', '\u{2014}'])
        .trim();
    for (open, close) in [
        ('"', '"'),
        ('\'', '\''),
        ('\u{201c}', '\u{201d}'),
        ('`', '`'),
    ] {
        let inner = text
            .strip_prefix(open)
            .and_then(|rest| rest.strip_suffix(close));
        if let Some(inner) = inner
            && !inner.contains(close)
        {
            text = inner;
        }
    }
    // A quote left unpaired because the payload started after its opening quote.
    for quote in ['"', '\'', '\u{201d}', '\u{201c}', '`'] {
        if text.matches(quote).count() % 2 == 1 {
            text = text.trim_start_matches(quote).trim_end_matches(quote);
        }
    }
    let text = text.trim();
    if keep_stop {
        text.to_owned()
    } else {
        text.trim_end_matches('.').trim().to_owned()
    }
}

/// The text after the first `:` of `segment`, or after the word at `after` (skipping
/// "to"/"as"/"with"/"saying"/"that" and the ticket key).
fn payload(message: &str, words: &[Word], after: usize, end: usize) -> String {
    let whole = segment_text(message, words, after, end);
    if let Some((_, rest)) = whole.split_once(':')
        && !rest.trim().is_empty()
    {
        return rest.to_owned();
    }
    let mut from = after + 1;
    while from < end
        && (matches!(
            lower_at(words, from),
            "to" | "as"
                | "with"
                | "saying"
                | "that"
                | "reading"
                | "of"
                | "on"
                | "it"
                | "this"
                | "the"
                | "ticket"
                | "issue"
                | "a"
                | "new"
                | "be"
                | "say"
                | "says"
        ) || issue_key(lower_at(words, from)).is_some())
    {
        from += 1;
    }
    segment_text(message, words, from, end).to_owned()
}

fn position(words: &[Word], start: usize, end: usize, candidates: &[&str]) -> Option<usize> {
    (start..end).find(|&at| candidates.contains(&lower_at(words, at)))
}

fn apply(
    input: &TicketUpdateInput,
    message: &str,
    words: &[Word],
    start: usize,
    end: usize,
    draft: &mut Draft,
) {
    let verb = lower_at(words, start);
    // Comments and descriptions first: their text may mention any other field.
    if let Some(at) = position(words, start, (start + 5).min(end), &["comment", "comments"])
        .or_else(|| (verb == "comment").then_some(start))
    {
        let text = clean_payload(&payload(message, words, at, end), true);
        if !text.is_empty() {
            draft.comment = Some(text);
        }
        return;
    }
    if let Some(at) = position(words, start, end, &["description"]) {
        let appends = matches!(verb, "append" | "add")
            || phrase_at(words, start, "add to")
            || (start..at).any(|i| lower_at(words, i) == "append");
        // "add 'Retry once' to the description": the text sits before the field.
        let before = segment_text(message, words, start + 1, at);
        let before = before
            .trim_end()
            .trim_end_matches(" the")
            .trim_end_matches(" to")
            .trim_end_matches(" of");
        let text =
            if appends && verb != "append" && !before.trim().is_empty() && !before.contains(':') {
                clean_payload(before.trim_end_matches(" to the"), true)
            } else {
                clean_payload(&payload(message, words, at, end), true)
            };
        if !text.is_empty() && !text.eq_ignore_ascii_case("the") {
            draft.description = Some((text, appends));
        }
        return;
    }
    if matches!(verb, "rename" | "retitle")
        || position(words, start, (start + 4).min(end), &["summary", "title"]).is_some()
    {
        let at = position(words, start, end, &["summary", "title"]).unwrap_or(start);
        let text = clean_payload(&payload(message, words, at, end), false);
        if !text.is_empty() {
            draft.summary = Some(super::chat_text::one_line(
                &crate::text_analysis::upper_first(&text),
                255,
            ));
        }
        return;
    }
    if let Some(at) = position(words, start, end, &["label", "labels", "tag", "tags"])
        .or_else(|| matches!(verb, "untag").then_some(start))
    {
        let removing = matches!(verb, "remove" | "drop" | "delete" | "untag")
            || (start..at).any(|i| matches!(lower_at(words, i), "remove" | "without"));
        let names = label_list(message, words, at, end);
        for name in names {
            if removing {
                match input.labels.iter().find(|have| {
                    have.eq_ignore_ascii_case(&name)
                        || label(have).as_deref() == Some(name.as_str())
                }) {
                    Some(have) if !draft.remove.contains(have) => draft.remove.push(have.clone()),
                    Some(_) => {}
                    None => draft.missing_labels.push(name),
                }
            } else if !input
                .labels
                .iter()
                .any(|have| have.eq_ignore_ascii_case(&name))
                && !draft.add.contains(&name)
            {
                draft.add.push(name);
            }
        }
        return;
    }
    if let Some(priority) = wanted_priority(input, words, start, end) {
        draft.priority = Some(priority);
    }
}

/// "label(s) a, b and c" / "tag it x": the label names after `at`, as Jira labels.
fn label_list(message: &str, words: &[Word], at: usize, end: usize) -> Vec<String> {
    let text = payload(message, words, at, end);
    text.split([',', ';'])
        .flat_map(|part| part.split(" and "))
        .map(|part| {
            let part = part.trim().trim_start_matches("the ");
            let part = part
                .strip_suffix(" label")
                .or_else(|| part.strip_suffix(" labels"))
                .unwrap_or(part);
            // "from PROJ-3" / "to it" name the ticket, not a label.
            let part = ["from ", "to ", "on "]
                .iter()
                .find_map(|cut| part.find(cut).map(|index| &part[..index]))
                .unwrap_or(part);
            clean_payload(part, false)
        })
        .filter_map(|part| label(&part))
        .filter(|name| issue_key(name).is_none())
        .collect()
}

/// The priority asked for, as an allowed name: a named level ("to High", "a blocker", "P2"),
/// or one step up or down from the current priority for "raise/lower the priority".
fn wanted_priority(
    input: &TicketUpdateInput,
    words: &[Word],
    start: usize,
    end: usize,
) -> Option<String> {
    let verb = lower_at(words, start);
    let mentions_priority = (start..end).any(|i| {
        matches!(lower_at(words, i), "priority" | "prio" | "priorities")
            || lower_at(words, i).ends_with("-priority")
    });
    let priority_verb = matches!(
        verb,
        "raise"
            | "lower"
            | "bump"
            | "increase"
            | "decrease"
            | "set"
            | "change"
            | "make"
            | "prioritize"
            | "prioritise"
            | "deprioritize"
            | "deprioritise"
            | "escalate"
            | "downgrade"
            | "upgrade"
            | "mark"
            | "update"
    );
    if !mentions_priority && !priority_verb {
        return None;
    }
    // Allowed names first ("set to Major" on a Blocker/Major/Minor site), then the usual words.
    for at in start..end {
        let original = words.get(at).map_or("", |w| w.lower.as_str());
        if let Some(allowed) = input
            .priorities
            .iter()
            .find(|name| name.eq_ignore_ascii_case(original))
        {
            return Some(allowed.trim().to_owned());
        }
        for part in original.split('-') {
            if let Some(level) = priority_level(part) {
                // "important" and "asap" only count next to "priority".
                let plain = matches!(part, "important" | "asap" | "urgent");
                if !plain || mentions_priority || verb == "make" || verb == "mark" {
                    return priority_name(level, &input.priorities);
                }
            }
        }
    }
    let raising = matches!(
        verb,
        "raise" | "bump" | "increase" | "escalate" | "upgrade" | "prioritize" | "prioritise"
    );
    let lowering = matches!(
        verb,
        "lower" | "decrease" | "downgrade" | "deprioritize" | "deprioritise"
    );
    // Jira lists a site's priorities highest first: one step is the neighbouring name.
    if (raising || lowering)
        && (mentions_priority
            || !matches!(verb, "raise" | "lower" | "bump" | "increase" | "decrease"))
        && let Some(index) = input.priority.as_deref().and_then(|current| {
            input
                .priorities
                .iter()
                .position(|name| name.trim().eq_ignore_ascii_case(current.trim()))
        })
    {
        let next = if raising {
            index.saturating_sub(1)
        } else {
            (index + 1).min(input.priorities.len().saturating_sub(1))
        };
        return input
            .priorities
            .get(next)
            .map(|name| name.trim().to_owned());
    }
    let current = input
        .priority
        .as_deref()
        .and_then(|name| {
            name.split(|c: char| !c.is_alphanumeric())
                .find_map(priority_level)
        })
        .unwrap_or(2);
    let level = match verb {
        "raise" | "bump" | "increase" | "escalate" | "upgrade" | "prioritize" | "prioritise"
            if mentions_priority || matches!(verb, "escalate" | "prioritize" | "prioritise") =>
        {
            current.saturating_sub(1)
        }
        "lower" | "decrease" | "downgrade" | "deprioritize" | "deprioritise"
            if mentions_priority || verb.starts_with("deprior") =>
        {
            (current + 1).min(4)
        }
        _ => return None,
    };
    priority_name(level, &input.priorities)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::ChatTurnText;

    fn input(message: &str) -> TicketUpdateInput {
        TicketUpdateInput {
            message: message.to_owned(),
            conversation: Vec::<ChatTurnText>::new(),
            ticket_key: "PROJ-7".to_owned(),
            summary: "Checkout fails for PayPal".to_owned(),
            description: Some("PayPal orders fail at the last step.".to_owned()),
            priority: Some("Medium".to_owned()),
            labels: vec!["checkout".to_owned(), "Payments-Team".to_owned()],
            priorities: Vec::new(),
        }
    }

    #[test]
    fn several_changes_in_one_message() {
        let out =
            input("raise PROJ-7 to High and add the labels paypal, Hot Fix").generate_offline();
        assert_eq!(out.priority.as_deref(), Some("High"));
        assert_eq!(out.labels_to_add, vec!["paypal", "hot-fix"]);
        assert!(out.summary.is_none() && out.comment.is_none() && out.description.is_none());
        assert!(
            out.rationale.contains("High (was Medium)"),
            "{}",
            out.rationale
        );
    }

    #[test]
    fn raise_without_a_level_steps_up_once_within_the_allowed_names() {
        let mut request = input("please raise the priority");
        request.priorities = vec!["Blocker".into(), "Major".into(), "Minor".into()];
        request.priority = Some("Minor".into());
        assert_eq!(
            request.generate_offline().priority.as_deref(),
            Some("Major")
        );
        let mut request = input("set priority to critical");
        request.priorities = vec!["P1 - Critical".into(), "P2 - Normal".into()];
        assert_eq!(
            request.generate_offline().priority.as_deref(),
            Some("P1 - Critical")
        );
        assert_eq!(
            input("lower the priority")
                .generate_offline()
                .priority
                .as_deref(),
            Some("Low")
        );
    }

    #[test]
    fn rename_and_summary() {
        let out = input("rename it to 'PayPal checkout fails on the last step'").generate_offline();
        assert_eq!(
            out.summary.as_deref(),
            Some("PayPal checkout fails on the last step")
        );
        let out = input("change the summary to: checkout times out.").generate_offline();
        assert_eq!(out.summary.as_deref(), Some("Checkout times out"));
    }

    #[test]
    fn only_labels_the_ticket_has_are_removed() {
        let out = input("remove the labels payments-team and legacy").generate_offline();
        assert_eq!(out.labels_to_remove, vec!["Payments-Team"]);
        assert!(
            out.rationale.contains("legacy not on the ticket"),
            "{}",
            out.rationale
        );
    }

    #[test]
    fn comments_run_to_the_end_of_the_message() {
        let out =
            input("add a comment: deployed to staging and set the flag to on").generate_offline();
        assert_eq!(
            out.comment.as_deref(),
            Some("deployed to staging and set the flag to on")
        );
        assert!(out.priority.is_none());
        let out =
            input("set priority to low and comment that QA found no issues").generate_offline();
        assert_eq!(out.priority.as_deref(), Some("Low"));
        assert_eq!(out.comment.as_deref(), Some("QA found no issues"));
    }

    #[test]
    fn descriptions_are_replaced_or_appended_whole() {
        let out =
            input("set the description to: PayPal fails with error 10486.").generate_offline();
        assert_eq!(
            out.description.as_deref(),
            Some("PayPal fails with error 10486.")
        );
        let out = input("append to the description: Happens only in EUR.").generate_offline();
        assert_eq!(
            out.description.as_deref(),
            Some("PayPal orders fail at the last step.\n\nHappens only in EUR.")
        );
    }

    #[test]
    fn nothing_understood_changes_nothing() {
        let out = input("hmm, not sure about this one").generate_offline();
        assert_eq!(out.summary, None);
        assert_eq!(out.priority, None);
        assert!(out.labels_to_add.is_empty() && out.labels_to_remove.is_empty());
        assert!(
            out.rationale.starts_with("No change to PROJ-7"),
            "{}",
            out.rationale
        );
    }
}
