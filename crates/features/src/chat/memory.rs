//! Conversation memory: the turns before a message, as the prompt carries them. Recent turns go
//! verbatim; when they do not fit the budget, the older ones are condensed into one summary
//! turn (each old turn's first sentence), so the model keeps the thread without the bulk.

use generation::task::ChatTurnText;
use store::{ChatStatus, ChatTaskRecord};

/// Characters of conversation a prompt carries (about 2,000 tokens).
pub(crate) const BUDGET_CHARS: usize = 8_000;
/// Characters one old turn keeps in the summary.
const SUMMARY_TURN_CHARS: usize = 160;

/// The conversation before the current message, within [`BUDGET_CHARS`].
pub(crate) fn context(earlier: &[ChatTaskRecord]) -> Vec<ChatTurnText> {
    let turns: Vec<(String, String)> = earlier
        .iter()
        .map(|task| (task.message.clone(), assistant_text(task)))
        .collect();
    // Newest first, keep whole turns while they fit.
    let mut used = 0;
    let mut kept = 0;
    for (user, assistant) in turns.iter().rev() {
        let size = user.len() + assistant.len();
        if used + size > BUDGET_CHARS && kept > 0 {
            break;
        }
        used += size;
        kept += 1;
    }
    let (older, recent) = turns.split_at(turns.len() - kept);
    let mut context = Vec::with_capacity(recent.len() * 2 + 1);
    if !older.is_empty() {
        let summary = older
            .iter()
            .map(|(user, assistant)| {
                format!(
                    "- The user asked: {} — the assistant: {}",
                    first_sentence(user),
                    first_sentence(assistant)
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        context.push(ChatTurnText {
            role: "summary".into(),
            text: format!("Earlier in this conversation:\n{summary}"),
        });
    }
    for (user, assistant) in recent {
        context.push(ChatTurnText {
            role: "user".into(),
            text: clip(user, BUDGET_CHARS / 2),
        });
        if !assistant.is_empty() {
            context.push(ChatTurnText {
                role: "assistant".into(),
                text: clip(assistant, BUDGET_CHARS / 2),
            });
        }
    }
    context
}

/// What the assistant said in a turn: its reply, its pending proposal, or why it failed.
fn assistant_text(task: &ChatTaskRecord) -> String {
    match task.status {
        ChatStatus::Completed => task.reply.clone().unwrap_or_default(),
        ChatStatus::WaitingConfirmation => {
            let summary = task
                .proposal
                .as_ref()
                .and_then(|p| p.get("ticket_summary"))
                .and_then(|s| s.as_str())
                .unwrap_or_default();
            let key = task
                .proposal
                .as_ref()
                .and_then(|p| p.get("ticket_key"))
                .and_then(|s| s.as_str());
            match key {
                Some(key) => {
                    format!("Proposed a change to {key} ({summary}), waiting for confirmation.")
                }
                None => format!("Proposed a new ticket \"{summary}\", waiting for confirmation."),
            }
        }
        ChatStatus::Failed => format!(
            "Could not answer: {}",
            task.error.as_deref().unwrap_or("unknown error")
        ),
        ChatStatus::Processing => String::new(),
    }
}

fn first_sentence(text: &str) -> String {
    let text = text.trim().trim_start_matches('#').trim();
    let end = text
        .char_indices()
        .find(|(_, c)| matches!(c, '.' | '!' | '?' | '\n'))
        .map_or(text.len(), |(i, c)| i + c.len_utf8());
    let sentence = text.get(..end).unwrap_or(text).trim();
    clip(sentence, SUMMARY_TURN_CHARS)
}

/// `text` cut to `max` characters, marked with an ellipsis when cut.
pub(crate) fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut clipped: String = text.chars().take(max).collect();
    clipped.push('…');
    clipped
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use serde_json::Value;

    fn task(seq: i64, message: &str, reply: &str) -> ChatTaskRecord {
        ChatTaskRecord {
            id: format!("t{seq}"),
            conversation_id: "c".into(),
            user_id: "u".into(),
            seq,
            message: message.into(),
            output_format: "markdown".into(),
            status: ChatStatus::Completed,
            step: "done".into(),
            state: Value::Null,
            version: 1,
            job_id: "j".into(),
            proposal: None,
            proposal_hash: None,
            expires_at: None,
            decision: None,
            result: None,
            reply: Some(reply.into()),
            error: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn short_conversations_are_carried_verbatim() {
        let context = context(&[task(1, "Find open bugs", "3 open bugs: PW-1, PW-2, PW-3.")]);
        assert_eq!(context.len(), 2);
        assert_eq!(context[0].role, "user");
        assert_eq!(context[1].text, "3 open bugs: PW-1, PW-2, PW-3.");
    }

    #[test]
    fn long_conversations_keep_recent_turns_and_summarise_older_ones() {
        let long = "x".repeat(3_000);
        let tasks: Vec<_> = (1..=6)
            .map(|i| {
                task(
                    i,
                    &format!("Question {i}. {long}"),
                    &format!("Answer {i}. {long}"),
                )
            })
            .collect();
        let context = context(&tasks);
        let total: usize = context.iter().map(|turn| turn.text.len()).sum();
        assert!(total < BUDGET_CHARS + 2_000, "{total}");
        assert_eq!(context[0].role, "summary");
        assert!(
            context[0].text.contains("Question 1."),
            "{}",
            context[0].text
        );
        assert!(!context[0].text.contains("Question 6."));
        assert!(context.last().unwrap().text.starts_with("Answer 6."));
    }
}
