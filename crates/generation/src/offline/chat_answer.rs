//! Offline `chat_answer`: an honest reply without a model. It answers from the facts the
//! agent's tools returned when they address the question (an issue's status or assignee, a
//! list of search results), explains what the agent can do when asked for help, and otherwise
//! says plainly that it cannot reason about open questions and points to the closest thing it
//! can do. It never states anything that is not in the facts or the conversation.

use super::OfflineTask;
use super::ticket_assessment::issue_keys;
use crate::task::{ChatAnswer, ChatAnswerInput};

/// Most facts quoted in one answer; the rest are counted.
const MAX_FACTS: usize = 5;
/// Longest quoted fact, in characters.
const MAX_FACT_CHARS: usize = 300;
const MAX_FOLLOW_UPS: usize = 3;

/// Words that ask for help with the agent itself.
const HELP_PHRASES: [&str; 10] = [
    "what can you do",
    "what do you do",
    "how do i use",
    "how does this work",
    "how can you help",
    "what are you",
    "who are you",
    "what can i ask",
    "capabilities",
    "commands",
];

/// Short messages that need no answer beyond a greeting.
const GREETINGS: [&str; 7] = [
    "hi",
    "hello",
    "hey",
    "good morning",
    "good afternoon",
    "good evening",
    "yo",
];
const THANKS: [&str; 4] = ["thanks", "thank you", "thx", "cheers"];

/// Fields a question may ask about: (question words, field names as facts write them, noun).
const FIELDS: [(&[&str], &[&str], &str); 9] = [
    (
        &[
            "status", "state", "progress", "done", "resolved", "closed", "open",
        ],
        &["status"],
        "status",
    ),
    (
        &["who", "assignee", "assigned", "owner", "owns", "working on"],
        &["assignee", "owner"],
        "assignee",
    ),
    (&["priority", "urgent"], &["priority"], "priority"),
    (
        &["reporter", "reported", "created by", "raised"],
        &["reporter", "created by"],
        "reporter",
    ),
    (
        &["due", "deadline", "when"],
        &["due date", "due", "fix version", "sprint"],
        "due date",
    ),
    (
        &["estimate", "points", "how big"],
        &["story points", "estimate", "points"],
        "estimate",
    ),
    (&["sprint"], &["sprint"], "sprint"),
    (
        &["label", "labels", "tagged"],
        &["labels", "label"],
        "labels",
    ),
    (
        &["updated", "last change", "changed"],
        &["updated", "last updated"],
        "last update",
    ),
];

/// Words that carry no topic.
const STOPWORDS: &[&str] = &[
    "what", "whats", "what's", "when", "who", "whom", "how", "why", "which", "where", "does",
    "did", "the", "and", "for", "with", "this", "that", "these", "those", "are", "can", "you",
    "your", "our", "about", "tell", "me", "please", "should", "would", "could", "there", "any",
    "all", "have", "has", "was", "were", "will", "from", "into", "its", "it's", "ticket",
    "tickets", "issue", "issues", "show", "give", "know", "need", "want", "explain", "think", "is",
    "do", "a", "an", "of", "on", "in", "to", "it", "use", "using", "new", "make", "get", "we",
    "or", "not", "still", "been", "being", "just",
];

impl OfflineTask for ChatAnswerInput {
    fn generate_offline(&self) -> ChatAnswer {
        let message = self.message.trim();
        let lower = message.to_lowercase();
        let words = words(&lower);
        let keys = self.keys(&words);
        let relevant = self.relevant_facts(&words, &keys);
        let (answer, follow_ups) = if is_help(&lower, &words) {
            (help_answer(), help_follow_ups(&keys))
        } else if !relevant.is_empty() {
            self.facts_answer(&lower, &words, &keys, &relevant)
        } else if let Some(reply) = small_talk(&lower, &words) {
            (reply, help_follow_ups(&keys))
        } else {
            self.cannot_answer(&words, &keys)
        };
        let mut unique: Vec<String> = Vec::new();
        for follow_up in follow_ups {
            if !unique.contains(&follow_up) {
                unique.push(follow_up);
            }
        }
        unique.truncate(MAX_FOLLOW_UPS);
        ChatAnswer {
            answer,
            follow_ups: unique,
        }
    }
}

impl ChatAnswerInput {
    /// Issue keys the message names, or for "it"/"this ticket", the latest ones of the
    /// conversation.
    fn keys(&self, words: &[String]) -> Vec<String> {
        let keys = issue_keys(&self.message.to_uppercase());
        if !keys.is_empty() {
            return keys;
        }
        let refers = words
            .iter()
            .any(|w| matches!(w.as_str(), "it" | "this" | "that" | "its" | "them" | "they"));
        if refers {
            for turn in self.conversation.iter().rev() {
                let keys = issue_keys(&turn.text);
                if !keys.is_empty() {
                    return keys;
                }
            }
        }
        Vec::new()
    }

    /// The facts that address the message: those naming its issue keys or sharing its topic
    /// words, best first; when none match but the message asks about "it" or a field, all of
    /// them (the tools fetched them for this message).
    fn relevant_facts(&self, words: &[String], keys: &[String]) -> Vec<&str> {
        let topic = topic_words(words);
        let mut scored: Vec<(usize, &str)> = self
            .facts
            .iter()
            .map(|fact| fact.trim())
            .filter(|fact| !fact.is_empty())
            .filter_map(|fact| {
                let upper = fact.to_uppercase();
                let fact_words = self::words(&fact.to_lowercase());
                let key_hits = keys
                    .iter()
                    .filter(|key| upper.contains(key.as_str()))
                    .count();
                let topic_hits = topic
                    .iter()
                    .filter(|word| fact_words.iter().any(|fw| same_word(fw, word)))
                    .count();
                let score = key_hits * 5 + topic_hits;
                (score > 0).then_some((score, fact))
            })
            .collect();
        if scored.is_empty() {
            let asks_field = asked_fields(words).next().is_some();
            let refers = !keys.is_empty()
                || words.iter().any(|w| {
                    matches!(
                        w.as_str(),
                        "it" | "this" | "that" | "them" | "they" | "these" | "results" | "found"
                    )
                });
            if asks_field || refers || words.iter().any(|w| w == "many") {
                return self
                    .facts
                    .iter()
                    .map(|fact| fact.trim())
                    .filter(|fact| !fact.is_empty())
                    .collect();
            }
            return Vec::new();
        }
        // Best first; ties keep the tools' order.
        scored.sort_by_key(|entry| std::cmp::Reverse(entry.0));
        scored.into_iter().map(|(_, fact)| fact).collect()
    }

    fn facts_answer(
        &self,
        lower: &str,
        words: &[String],
        keys: &[String],
        relevant: &[&str],
    ) -> (String, Vec<String>) {
        let fields: Vec<(&[&str], &str)> = asked_fields(words)
            .map(|(_, names, noun)| (*names, *noun))
            .collect();
        let mut lines = Vec::new();
        let mut missing = Vec::new();
        if !fields.is_empty() {
            for fact in relevant.iter().take(MAX_FACTS) {
                let mut values = Vec::new();
                for (names, noun) in &fields {
                    match field_value(fact, names) {
                        Some(value) => values.push(format!("{noun} **{value}**")),
                        None => missing.push((*noun, headline(fact))),
                    }
                }
                if !values.is_empty() {
                    lines.push(format!("- {}: {}", headline(fact), values.join(", ")));
                }
            }
        }
        let mut answer = String::new();
        if lines.is_empty() && !fields.is_empty() {
            let nouns: Vec<&str> = fields.iter().map(|(_, noun)| *noun).collect();
            answer.push_str(&format!(
                "What I read does not include the {} you asked about. ",
                nouns.join(" or ")
            ));
        }
        if lines.is_empty() {
            // No field asked (or none found): quote what was read.
            let intro = if lower.contains("how many") {
                format!(
                    "I found **{}** matching item{}:",
                    relevant.len(),
                    if relevant.len() == 1 { "" } else { "s" }
                )
            } else {
                "Here is what I read that addresses your question:".to_owned()
            };
            answer.push_str(&intro);
            answer.push('\n');
            for fact in relevant.iter().take(MAX_FACTS) {
                answer.push_str(&format!("\n- {}", clip(&one_line(fact), MAX_FACT_CHARS)));
            }
        } else {
            if lower.contains("how many") {
                answer.push_str(&format!(
                    "I read **{}** item{}:\n\n",
                    relevant.len(),
                    if relevant.len() == 1 { "" } else { "s" }
                ));
            }
            answer.push_str(&lines.join("\n"));
        }
        if relevant.len() > MAX_FACTS {
            answer.push_str(&format!(
                "\n\n…and {} more not shown.",
                relevant.len() - MAX_FACTS
            ));
        }
        if !lines.is_empty() {
            for (noun, headline) in missing.iter().take(2) {
                answer.push_str(&format!(
                    "\n\nWhat I read about {headline} does not include its {noun}."
                ));
            }
        }
        answer.push_str("\n\nThis is quoted from what I read in Jira for this message; I have not added anything to it.");
        let mut follow_ups = Vec::new();
        let mut fact_keys: Vec<String> = keys.to_vec();
        for fact in relevant {
            for key in issue_keys(fact) {
                if !fact_keys.contains(&key) {
                    fact_keys.push(key);
                }
            }
        }
        if let Some(key) = fact_keys.first() {
            follow_ups.push(format!("Assess {key}"));
            follow_ups.push(format!("Find tickets linked to {key}"));
        }
        if let Some(key) = fact_keys.get(1) {
            follow_ups.push(format!("Assess {key}"));
        }
        (answer, follow_ups)
    }

    fn cannot_answer(&self, words: &[String], keys: &[String]) -> (String, Vec<String>) {
        let mut answer = "I'm running without a language model right now, so I can't reason about open questions like this one, and I won't guess.".to_owned();
        if !self.facts.is_empty() {
            answer.push_str(" What I read in Jira for this message does not address it.");
        }
        let topic = topic_words(words);
        let topic_text = topic
            .iter()
            .take(3)
            .map(|word| original_case(&self.message, word))
            .collect::<Vec<_>>()
            .join(" ");
        let mentions_tickets = words.iter().any(|w| {
            matches!(
                w.as_str(),
                "ticket"
                    | "tickets"
                    | "issue"
                    | "issues"
                    | "bug"
                    | "bugs"
                    | "story"
                    | "stories"
                    | "epic"
                    | "epics"
                    | "sprint"
                    | "backlog"
                    | "task"
                    | "tasks"
            )
        });
        let sounds_like_requirement = !self.message.trim_end().ends_with('?')
            && words.iter().any(|w| {
                matches!(
                    w.as_str(),
                    "should" | "must" | "requirement" | "feature" | "users" | "customers"
                )
            });
        let mut follow_ups = Vec::new();
        if let Some(key) = keys.first() {
            answer.push_str(&format!(
                "\n\nWhat I can do for **{key}**: assess its quality (a score per area with concrete fixes), propose an update that you confirm before it is saved, or tell you its status and assignee."
            ));
            follow_ups.push(format!("Assess {key}"));
            follow_ups.push(format!("What is the status of {key}?"));
            follow_ups.push(format!("Find tickets linked to {key}"));
        } else if mentions_tickets && !topic_text.is_empty() {
            answer.push_str(&format!(
                "\n\nThe closest thing I can do is **search tickets**: ask in plain words, for example “open tickets about {topic_text}”, and I'll turn it into a Jira query."
            ));
            follow_ups.push(format!("Find open tickets about {topic_text}"));
        } else if sounds_like_requirement {
            answer.push_str("\n\nIf this is a requirement, send it as “Analyse this requirement: …” and I'll list its functional and non-functional requirements, dependencies, risks and open questions.");
            follow_ups.push("Analyse this requirement".to_owned());
        } else {
            answer.push_str("\n\nWhat I can do: analyse a requirement, create a ticket (after you confirm), assess a ticket, update a ticket (shown as a diff first) and search tickets in plain words.");
        }
        if !topic_text.is_empty() && follow_ups.len() < MAX_FOLLOW_UPS {
            follow_ups.push(format!("Find tickets about {topic_text}"));
        }
        follow_ups.push("What can you do?".to_owned());
        (answer, follow_ups)
    }
}

fn is_help(lower: &str, words: &[String]) -> bool {
    HELP_PHRASES.iter().any(|phrase| lower.contains(phrase))
        || (words.iter().any(|w| w == "help") && words.len() <= 8)
}

fn help_answer() -> String {
    [
        "I'm the Planwright assistant. I work on your Jira project from plain-language requests:",
        "",
        "- **Analyse a requirement**: paste a requirement and I list its functional and non-functional requirements, dependencies, risks, acceptance criteria and open questions.",
        "- **Create a ticket**: describe the work (“Create a bug: login fails on Safari”) and I draft the summary, description, type and priority. Nothing is created until you confirm.",
        "- **Assess a ticket**: name it (“Assess PROJ-12”) and I score clarity, completeness, acceptance criteria, testability, estimability and dependencies, with concrete fixes.",
        "- **Update a ticket**: say what to change (“Raise PROJ-7 to High and add the label payments”). I show the change as a diff and save it only after you confirm.",
        "- **Search tickets**: ask in plain words (“open bugs assigned to me”) and I turn it into a Jira query.",
        "",
        "I only state what I read in Jira or in this conversation.",
    ]
    .join("\n")
}

fn help_follow_ups(keys: &[String]) -> Vec<String> {
    let mut follow_ups: Vec<String> = keys
        .iter()
        .take(1)
        .map(|key| format!("Assess {key}"))
        .collect();
    follow_ups.push("Find the open bugs assigned to me".to_owned());
    follow_ups.push("Analyse this requirement".to_owned());
    follow_ups.push("Create a ticket".to_owned());
    follow_ups
}

fn small_talk(lower: &str, words: &[String]) -> Option<String> {
    if words.len() > 5 {
        return None;
    }
    let text = lower.trim_matches(|c: char| !c.is_alphanumeric());
    if THANKS.iter().any(|thanks| text.starts_with(thanks)) {
        return Some("You're welcome. Tell me when you need a ticket analysed, created, assessed, updated or found.".to_owned());
    }
    if GREETINGS
        .iter()
        .any(|greeting| text == *greeting || text.starts_with(&format!("{greeting} ")))
    {
        return Some("Hello! I can analyse a requirement, create, assess or update a ticket, and search tickets in plain words. What do you need?".to_owned());
    }
    None
}

/// The fields the message asks about, in table order.
fn asked_fields(
    words: &[String],
) -> impl Iterator<
    Item = &'static (
        &'static [&'static str],
        &'static [&'static str],
        &'static str,
    ),
> + '_ {
    let text = format!(" {} ", words.join(" "));
    FIELDS
        .iter()
        .filter(move |(asks, _, _)| asks.iter().any(|ask| text.contains(&format!(" {ask} "))))
}

/// The value after "Status:" (or "status =") in a fact, up to the next separator.
fn field_value(fact: &str, names: &[&str]) -> Option<String> {
    let lower = fact.to_lowercase();
    for name in names {
        let mut from = 0;
        while let Some(found) = lower.get(from..).and_then(|rest| rest.find(name)) {
            let start = from + found;
            from = start + name.len();
            // A whole word: "status" but not "statuses", and not in the middle of another.
            let before_ok = lower
                .get(..start)
                .and_then(|before| before.chars().next_back())
                .is_none_or(|c| !c.is_alphanumeric() && c != '-');
            let rest = lower.get(from..).unwrap_or("");
            let rest_trimmed = rest.trim_start();
            let Some(after) = rest_trimmed
                .strip_prefix(':')
                .or_else(|| rest_trimmed.strip_prefix('='))
            else {
                continue;
            };
            if !before_ok {
                continue;
            }
            let offset = fact.len() - after.len();
            let original = fact.get(offset..).unwrap_or("");
            let end = original
                .find([',', ';', '\n', '|'])
                .unwrap_or(original.len());
            let value = original
                .get(..end)
                .unwrap_or("")
                .trim()
                .trim_end_matches('.');
            if !value.is_empty() {
                return Some(value.to_owned());
            }
        }
    }
    None
}

/// A fact's first segment, which names the issue: "PROJ-12 Fix login on Safari".
fn headline(fact: &str) -> String {
    let first = fact.lines().next().unwrap_or(fact);
    let end = first.find(['|', ';']).unwrap_or(first.len());
    let mut text = first.get(..end).unwrap_or(first).trim().to_owned();
    // "PROJ-12: Fix login, status: Done" → drop the first "field:" segment onwards.
    if let Some(comma) = text.find(", ")
        && text.get(comma..).is_some_and(|rest| rest.contains(':'))
    {
        text.truncate(comma);
    }
    clip(&text, 120)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{}…", cut.trim_end())
}

/// Lower-case words, keeping inner apostrophes and hyphens.
fn words(lower: &str) -> Vec<String> {
    lower
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
        .map(|word| word.trim_matches(['\'', '-']))
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The message's content words: what it is about.
fn topic_words(words: &[String]) -> Vec<String> {
    let mut topic: Vec<String> = Vec::new();
    for word in words {
        let is_key = word.contains('-') && word.chars().any(|c| c.is_ascii_digit());
        let is_field = FIELDS
            .iter()
            .any(|(asks, _, _)| asks.contains(&word.as_str()));
        if word.chars().count() >= 3
            && !STOPWORDS.contains(&word.as_str())
            && !is_key
            && !is_field
            && !topic.contains(word)
        {
            topic.push(word.clone());
        }
    }
    topic
}

/// `word` as the message spells it ("RabbitMQ" for "rabbitmq").
fn original_case(message: &str, word: &str) -> String {
    message
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
        .map(|token| token.trim_matches(['\'', '-']))
        .find(|token| token.to_lowercase() == word)
        .unwrap_or(word)
        .to_owned()
}

/// "bugs" and "bug", "exports" and "export": the same word for matching facts.
fn same_word(a: &str, b: &str) -> bool {
    let stem = |w: &str| w.trim_end_matches('s').to_owned();
    a == b || stem(a) == stem(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::ChatTurnText;

    fn answer(message: &str, facts: &[&str]) -> ChatAnswer {
        ChatAnswerInput {
            message: message.to_owned(),
            conversation: Vec::new(),
            facts: facts.iter().map(|f| (*f).to_owned()).collect(),
        }
        .generate_offline()
    }

    #[test]
    fn help_lists_what_the_agent_does() {
        let reply = answer("What can you do?", &[]);
        for intent in [
            "Analyse a requirement",
            "Create a ticket",
            "Assess a ticket",
            "Update a ticket",
            "Search tickets",
        ] {
            assert!(reply.answer.contains(intent), "{}", reply.answer);
        }
        assert!(reply.answer.contains("confirm"));
        assert!(!reply.follow_ups.is_empty() && reply.follow_ups.len() <= 3);
    }

    #[test]
    fn facts_answer_the_question_and_nothing_is_invented() {
        let facts = [
            "PROJ-12 Fix login on Safari | Status: In Progress | Assignee: Alice Smith | Priority: High",
            "PROJ-15 Export orders to CSV | Status: To Do | Assignee: Unassigned",
        ];
        let reply = answer("Who is working on PROJ-12 and what's its status?", &facts);
        assert!(
            reply.answer.contains("assignee **Alice Smith**"),
            "{}",
            reply.answer
        );
        assert!(reply.answer.contains("status **In Progress**"));
        assert!(!reply.answer.contains("PROJ-15"), "{}", reply.answer);
        assert_eq!(reply.follow_ups[0], "Assess PROJ-12");
        // Every bold value in the answer is a value from the facts.
        for value in reply.answer.split("**").skip(1).step_by(2) {
            assert!(facts.iter().any(|f| f.contains(value)), "{value}");
        }
    }

    #[test]
    fn a_missing_field_is_said_to_be_missing() {
        let reply = answer(
            "What is the priority of PROJ-15?",
            &["PROJ-15 Export orders to CSV | Status: To Do"],
        );
        assert!(!reply.answer.contains("**"), "{}", reply.answer);
        assert!(reply.answer.contains("PROJ-15 Export orders to CSV"));
    }

    #[test]
    fn open_questions_are_declined_with_the_closest_capability() {
        let reply = answer("Should we use Kafka or RabbitMQ for the event bus?", &[]);
        assert!(reply.answer.contains("can't reason about open questions"));
        assert!(!reply.answer.to_lowercase().contains("kafka is"));
        assert!(reply.follow_ups.len() <= 3);
    }

    #[test]
    fn it_refers_to_the_conversation_key() {
        let reply = ChatAnswerInput {
            message: "What's its status?".to_owned(),
            conversation: vec![ChatTurnText {
                role: "user".to_owned(),
                text: "Assess PAY-7 please".to_owned(),
            }],
            facts: vec!["PAY-7 Refund API | Status: Done".to_owned()],
        }
        .generate_offline();
        assert!(reply.answer.contains("status **Done**"), "{}", reply.answer);
    }

    #[test]
    fn field_values_are_read_as_whole_words() {
        assert_eq!(
            field_value("Statuses: many | Status: Done", &["status"]).as_deref(),
            Some("Done")
        );
        assert_eq!(field_value("Sub-status: x", &["status"]), None);
    }
}
