//! Story summaries as Jira wants them: the "As a … I want … so that …" sentence belongs in the
//! description, and a summary is at most 255 characters (reference jira_operations.py ~490 and
//! prd_story_parser's cap).

use std::sync::LazyLock;

use regex::Regex;

/// Jira's limit on a summary.
pub const SUMMARY_LIMIT: usize = 255;

// A literal pattern; `every_pattern_compiles` compiles it in a unit test.
#[allow(clippy::expect_used)]
static USER_STORY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\s*(As\s+(?:an?\s+)?.+?(?:,\s*)?I\s+want\s+[^.]*?(?:\s+so\s+that\s+[^.]*)?)(?:\.|$)",
    )
    .expect("a valid pattern")
});

// A literal pattern; `every_pattern_compiles` compiles it in a unit test.
#[allow(clippy::expect_used)]
static WANT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)I\s+want\s+(?:to\s+)?(.+?)(?:,?\s+so\s+that\s+.*)?$").expect("a valid pattern")
});

/// A story's summary and description after moving the user-story sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryText {
    pub summary: String,
    /// Markdown.
    pub description: String,
    /// Characters in `summary`.
    pub summary_length: usize,
    pub summary_was_truncated: bool,
}

/// Moves an "As a … I want … so that …" sentence from `summary` to the top of `description`
/// (unless the description already has it), then caps the summary.
pub fn story_text(summary: &str, description: &str) -> StoryText {
    let summary = summary.trim();
    let description = description.trim();
    let (summary, description) = match USER_STORY.captures(summary) {
        Some(captures) => {
            let whole = captures.get(0).map_or(0..0, |m| m.range());
            let sentence = captures.get(1).map_or("", |m| m.as_str()).trim().to_owned();
            let rest = format!("{}{}", &summary[..whole.start], &summary[whole.end..]);
            let rest = rest
                .trim()
                .trim_matches(|c: char| c == '-' || c == ':' || c == '|' || c == '–')
                .trim()
                .to_owned();
            let new_summary = if rest.is_empty() {
                want_clause(&sentence).unwrap_or_else(|| sentence.clone())
            } else {
                rest
            };
            let sentence = format!("{sentence}.");
            let description = if description.contains(sentence.trim_end_matches('.')) {
                description.to_owned()
            } else if description.is_empty() {
                sentence
            } else {
                format!("{sentence}\n\n{description}")
            };
            (new_summary, description)
        }
        None => (summary.to_owned(), description.to_owned()),
    };
    let (summary, truncated) = cap_summary(&summary);
    StoryText {
        summary_length: summary.chars().count(),
        summary,
        description,
        summary_was_truncated: truncated,
    }
}

/// "Save my card" from "As a shopper I want to save my card so that …".
fn want_clause(sentence: &str) -> Option<String> {
    let wanted = WANT.captures(sentence)?.get(1)?.as_str().trim();
    let mut chars = wanted.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}

/// Caps a summary at [`SUMMARY_LIMIT`] characters: cut at the last space when that keeps more
/// than 200 characters, else at 252, then add "…". Returns whether it was cut.
pub fn cap_summary(summary: &str) -> (String, bool) {
    if summary.chars().count() <= SUMMARY_LIMIT {
        return (summary.to_owned(), false);
    }
    let head: String = summary.chars().take(SUMMARY_LIMIT - 3).collect();
    let cut = match head.rfind(' ') {
        Some(space) if head[..space].chars().count() > 200 => head[..space].trim_end().to_owned(),
        _ => head,
    };
    (format!("{cut}…"), true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        for pattern in [&USER_STORY, &WANT] {
            LazyLock::force(pattern);
        }
    }

    #[test]
    fn user_story_sentence_moves_to_the_description() {
        let text = story_text(
            "Guest checkout - As a shopper, I want to pay without an account so that I finish quickly",
            "Acceptance: no sign-in.",
        );
        assert_eq!(text.summary, "Guest checkout");
        assert_eq!(
            text.description,
            "As a shopper, I want to pay without an account so that I finish quickly.\n\nAcceptance: no sign-in."
        );
        assert!(!text.summary_was_truncated);
    }

    #[test]
    fn a_summary_that_is_only_the_user_story_keeps_what_is_wanted() {
        let text = story_text(
            "As a shopper I want to save my card so that I pay faster.",
            "",
        );
        assert_eq!(text.summary, "Save my card");
        assert_eq!(
            text.description,
            "As a shopper I want to save my card so that I pay faster."
        );
    }

    #[test]
    fn plain_summaries_are_kept() {
        let text = story_text("Inline payment errors", "Show decline reasons.");
        assert_eq!(text.summary, "Inline payment errors");
        assert_eq!(text.description, "Show decline reasons.");
        assert_eq!(text.summary_length, 21);
    }

    #[test]
    fn long_summaries_are_cut_at_a_space_or_at_252() {
        let words = "word ".repeat(60);
        let (cut, truncated) = cap_summary(words.trim());
        assert!(truncated);
        assert!(cut.ends_with("word…"), "{cut}");
        assert!(cut.chars().count() <= SUMMARY_LIMIT);
        let solid = "x".repeat(300);
        let (cut, truncated) = cap_summary(&solid);
        assert!(truncated);
        assert_eq!(cut.chars().count(), 253);
        let spaced_early = format!("{} {}", "a".repeat(100), "b".repeat(200));
        let (cut, _) = cap_summary(&spaced_early);
        assert_eq!(cut.chars().count(), 253, "a space before 200 is not used");
        let (kept, truncated) = cap_summary(&"y".repeat(255));
        assert!(!truncated);
        assert_eq!(kept.len(), 255);
    }
}
