//! Cell text to story parts: the "As a … I want … so that …" sentence split from a title,
//! acceptance criteria in Given/When/Then, bullet and plain-text forms, and the comparison form
//! of titles.

use std::sync::LazyLock;

use regex::Regex;

// A literal pattern; `patterns_compile` compiles it in a unit test.
#[allow(clippy::expect_used)]
static USER_STORY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:^|\s|[:\-–|])As\s+(?:an?\s+|the\s+)?\S.*?,?\s+I\s+(?:want|need|would\s+like|can)\s+[^.]*?(?:,?\s+so\s+that\s+[^.]*)?(?:\.|$)",
    )
    .expect("a valid pattern")
});

// A literal pattern; `patterns_compile` compiles it in a unit test.
#[allow(clippy::expect_used)]
static WANT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)I\s+(?:want|need|would\s+like|can)\s+(?:to\s+)?(.+?)(?:,?\s+so\s+that\s+.*)?$")
        .expect("a valid pattern")
});

// A literal pattern; `patterns_compile` compiles it in a unit test.
#[allow(clippy::expect_used)]
static GHERKIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(given|when|then|and|but|scenario|scenario outline)\b[:\s]?")
        .expect("a valid pattern")
});

// A literal pattern; `patterns_compile` compiles it in a unit test.
#[allow(clippy::expect_used)]
static BULLET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[-*•·▪◦–]|\d{1,3}[.)]|[a-zA-Z][.)]|\[[ xX]?\])\s+")
        .expect("a valid pattern")
});

/// The longest summary Jira accepts.
pub const SUMMARY_LIMIT: usize = 255;

/// A title split into a summary and the user-story sentence it carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitTitle {
    pub summary: String,
    /// "As a … I want … so that …", with a final full stop.
    pub user_story: Option<String>,
}

/// Splits an "As a … I want … so that …" sentence off `text`: the summary is the rest of the
/// text, or the "I want" clause when nothing else is there ("As a shopper I want to save my
/// card" → "Save my card").
pub fn split_user_story(text: &str) -> SplitTitle {
    let text = collapse(text);
    // `find` runs on the regex's DFA; capture groups would need the much slower PikeVM on
    // every title (docs/benchmarks.md, prd-table).
    let Some(found) = USER_STORY.find(&text) else {
        return SplitTitle {
            summary: cap_summary(&text),
            user_story: None,
        };
    };
    let matched = found.as_str();
    let boundary = |c: char| c.is_whitespace() || matches!(c, ':' | '-' | '–' | '|');
    let lead = matched.len() - matched.trim_start_matches(boundary).len();
    let sentence_start = found.start() + lead;
    let before = text.get(..sentence_start).unwrap_or_default();
    let after = text.get(found.end()..).unwrap_or_default();
    let sentence = text
        .get(sentence_start..found.end())
        .unwrap_or_default()
        .trim_end_matches('.');
    let rest = format!("{before} {after}");
    let rest = rest
        .trim()
        .trim_matches(|c: char| c == '-' || c == ':' || c == '|' || c == '–' || c == ',')
        .trim();
    let sentence = sentence.trim().trim_end_matches(',').to_owned();
    let summary = if rest.is_empty() {
        want_clause(&sentence).unwrap_or_else(|| sentence.clone())
    } else {
        rest.to_owned()
    };
    SplitTitle {
        summary: cap_summary(&summary),
        user_story: Some(format!("{sentence}.")),
    }
}

fn want_clause(sentence: &str) -> Option<String> {
    let clause = WANT.captures(sentence)?.get(1)?.as_str().trim();
    let mut chars = clause.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}

/// A summary of at most [`SUMMARY_LIMIT`] characters: cut at the last space when that keeps
/// more than 200 characters, with "..." appended.
pub fn cap_summary(summary: &str) -> String {
    if summary.chars().count() <= SUMMARY_LIMIT {
        return summary.to_owned();
    }
    let head: String = summary.chars().take(SUMMARY_LIMIT - 3).collect();
    let cut = match head.rfind(' ') {
        Some(space) if head.get(..space).is_some_and(|h| h.chars().count() > 200) => {
            head.get(..space).unwrap_or(&head).to_owned()
        }
        _ => head,
    };
    format!("{}...", cut.trim_end())
}

/// Whitespace collapsed to single spaces.
pub fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How titles are compared: whitespace collapsed, case folded, a final full stop dropped.
pub fn title_key(title: &str) -> String {
    collapse(title).trim_end_matches('.').trim().to_lowercase()
}

/// Acceptance criteria from a cell's text lines (as [`markup::storage_to_text`] renders a
/// cell: list items as `- ` lines, paragraphs and line breaks as lines).
///
/// - Given/When/Then: a `Given` (or `Scenario`) starts a criterion; `When`, `Then`, `And` and
///   `But` lines continue it, so each scenario is one criterion of several lines.
/// - Bullets and numbered lines: one criterion each.
/// - Plain text: one criterion per line; a single line with `;` separators is split there.
pub fn acceptance_criteria(text: &str) -> Vec<String> {
    let lines: Vec<String> = text
        .lines()
        .map(|line| collapse(&BULLET.replace(line, "")))
        .filter(|line| !line.is_empty() && !is_criteria_heading(line))
        .collect();
    if lines.iter().any(|line| starts_scenario(line)) {
        return gherkin(&lines);
    }
    // One line with `;` separators is a list; "Given … when … then …" on one line stays one.
    if let [single] = lines.as_slice()
        && single.contains(';')
    {
        return single
            .split(';')
            .map(|part| part.trim().to_owned())
            .filter(|part| !part.is_empty())
            .collect();
    }
    lines
}

fn is_criteria_heading(line: &str) -> bool {
    let words = crate::columns::words(line);
    matches!(
        words.as_str(),
        "acceptance criteria" | "ac" | "criteria" | "acceptance"
    )
}

/// Whether `line` may start with a Gherkin keyword (a cheap test before the regex).
fn may_be_step(line: &str) -> bool {
    let first: String = line
        .chars()
        .take_while(|c| c.is_alphabetic())
        .take(9)
        .collect::<String>()
        .to_lowercase();
    matches!(
        first.as_str(),
        "given" | "when" | "then" | "and" | "but" | "scenario"
    )
}

fn starts_scenario(line: &str) -> bool {
    may_be_step(line)
        && GHERKIN
            .captures(line)
            .and_then(|c| c.get(1))
            .is_some_and(|keyword| {
                let keyword = keyword.as_str().to_lowercase();
                keyword == "given" || keyword.starts_with("scenario")
            })
}

fn gherkin(lines: &[String]) -> Vec<String> {
    let mut criteria: Vec<String> = Vec::new();
    // Whether the current criterion opened with "Scenario:", so its "Given" continues it.
    let mut in_scenario = false;
    for line in lines {
        let keyword = may_be_step(line)
            .then(|| GHERKIN.captures(line))
            .flatten()
            .and_then(|c| c.get(1))
            .map(|k| k.as_str().to_lowercase());
        let starts = match keyword.as_deref() {
            Some(k) if k.starts_with("scenario") => {
                in_scenario = true;
                true
            }
            Some("given") if in_scenario => {
                in_scenario = false;
                false
            }
            Some("given") => true,
            Some(_) => false,
            // A line outside any step is a criterion of its own.
            None => {
                in_scenario = false;
                true
            }
        };
        match criteria.last_mut() {
            Some(current) if !starts => {
                current.push('\n');
                current.push_str(line);
            }
            _ => criteria.push(line.clone()),
        }
    }
    criteria
}

/// A UUID-shaped id (version 8, "custom") from `input`: two FNV-1a 64-bit hashes with
/// different offsets. Stable across runs, processes and releases, which is all a row id needs.
pub fn stable_uuid(input: &str) -> String {
    let fnv = |offset: u64| {
        input.bytes().fold(offset, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    let high = fnv(0xcbf2_9ce4_8422_2325);
    let low = fnv(0x6c62_272e_07bb_0142);
    let high = (high & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_8000;
    let low = (low & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        high & 0xffff,
        low >> 48,
        low & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        LazyLock::force(&USER_STORY);
        LazyLock::force(&WANT);
        LazyLock::force(&GHERKIN);
        LazyLock::force(&BULLET);
    }

    #[test]
    fn user_story_sentences_are_split_from_titles() {
        let split = split_user_story(
            "Saved cards: As a returning shopper, I want to save my card so that I pay faster.",
        );
        assert_eq!(split.summary, "Saved cards");
        assert_eq!(
            split.user_story.as_deref(),
            Some("As a returning shopper, I want to save my card so that I pay faster.")
        );
        let only = split_user_story("As an admin I want to export orders so that I can audit");
        assert_eq!(only.summary, "Export orders");
        assert!(only.user_story.is_some());
        let plain = split_user_story("Guest checkout");
        assert_eq!(plain.summary, "Guest checkout");
        assert_eq!(plain.user_story, None);
        // "As" inside a word or a plain title is not a user story.
        assert_eq!(split_user_story("Aliases as tags").user_story, None);
    }

    #[test]
    fn long_summaries_are_capped() {
        let long = "word ".repeat(80);
        let capped = cap_summary(long.trim());
        assert!(capped.chars().count() <= SUMMARY_LIMIT, "{}", capped.len());
        assert!(capped.ends_with("..."));
    }

    #[test]
    fn criteria_in_gherkin_bullet_and_plain_forms() {
        let gwt = "Given a guest at payment\nWhen they pay\nThen no account is needed\nGiven a member\nWhen they pay\nThen they are signed in";
        assert_eq!(
            acceptance_criteria(gwt),
            [
                "Given a guest at payment\nWhen they pay\nThen no account is needed",
                "Given a member\nWhen they pay\nThen they are signed in"
            ]
        );
        let scenario = "Scenario: guest\nGiven a guest\nThen no login\nScenario: member\nGiven a member\nThen signed in";
        assert_eq!(acceptance_criteria(scenario).len(), 2);
        assert_eq!(
            acceptance_criteria("- One\n- Two\n1. Three\n* Four"),
            ["One", "Two", "Three", "Four"]
        );
        assert_eq!(
            acceptance_criteria("Postcode optional; every country listed"),
            ["Postcode optional", "every country listed"]
        );
        assert_eq!(
            acceptance_criteria("Acceptance criteria:\nShown inline"),
            ["Shown inline"]
        );
        assert!(acceptance_criteria("  \n ").is_empty());
    }

    #[test]
    fn stable_uuids_are_uuid_shaped_and_distinct() {
        let a = stable_uuid("guest checkout");
        assert_eq!(a, stable_uuid("guest checkout"));
        assert_ne!(a, stable_uuid("guest checkout\u{0}1"));
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'8');
        assert_eq!(title_key("  Guest   Checkout. "), "guest checkout");
    }
}
