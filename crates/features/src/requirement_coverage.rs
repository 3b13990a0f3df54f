//! Which requirements of an epic's PRD/RFC its stories cover, as pure functions tested with data:
//! requirement lines read from a Confluence page (list items, story-table rows, the sentences
//! of proposal/requirement sections), the salient words of a text, story coverage by word
//! overlap (or by the Jira key a PRD table row names), and the completeness checks of a story
//! description (acceptance criteria, placeholder text).

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

/// One requirement found in a planning document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub text: String,
    /// The heading it sits under.
    pub section: Option<String>,
    /// The Jira key a PRD table row names for it (the story that implements it).
    pub ticket: Option<String>,
}

/// A story as coverage sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryText {
    pub key: String,
    pub summary: String,
    /// The description as Markdown (empty when none).
    pub description: String,
}

/// How well the best story covers a requirement.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    /// The best-matching story, if any shares a salient word.
    pub story: Option<String>,
    /// Share of the requirement's salient words found in that story, 0 to 1 (1 for a row that
    /// names the story's key).
    pub overlap: f64,
    pub covered: bool,
}

/// Headings whose content states no requirement.
const SKIPPED_SECTIONS: &[&str] = &[
    "out of scope",
    "non-goal",
    "non goal",
    "not in scope",
    "question",
    "risk",
    "background",
    "context",
    "problem",
    "alternative",
    "appendix",
    "reference",
    "glossary",
    "timeline",
    "milestone",
    "stakeholder",
    "metric",
    "change log",
];

/// Headings whose paragraphs (not only their lists) are requirements.
const REQUIREMENT_SECTIONS: &[&str] = &[
    "requirement",
    "proposal",
    "proposed",
    "solution",
    "design",
    "scope",
    "goal",
    "feature",
    "approach",
    "functional",
    "acceptance",
    "user stor",
];

/// Table headers naming the column that holds the requirement.
const REQUIREMENT_COLUMNS: &[&str] = &[
    "story",
    "requirement",
    "feature",
    "title",
    "summary",
    "capability",
    "user story",
    "item",
    "name",
];

/// Words that carry no meaning for matching.
const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "been", "by", "can", "could", "do", "does", "each",
    "every", "for", "from", "has", "have", "how", "i", "if", "in", "into", "is", "it", "its",
    "let", "may", "me", "must", "my", "need", "needs", "new", "no", "not", "of", "on", "only",
    "or", "our", "out", "over", "per", "shall", "should", "so", "some", "such", "than", "that",
    "the", "their", "them", "then", "there", "these", "they", "this", "those", "to", "up", "us",
    "use", "user", "users", "via", "want", "was", "way", "we", "were", "what", "when", "where",
    "which", "while", "who", "will", "with", "within", "without", "would", "you", "your", "able",
    "also", "all", "any", "both", "more", "most", "other", "same",
];

// A literal pattern; `every_pattern_compiles` compiles it in a unit test.
#[allow(clippy::expect_used)]
static JIRA_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Z][A-Z0-9_]+-[0-9]+$").expect("a valid pattern"));

// A literal pattern; `every_pattern_compiles` compiles it in a unit test.
#[allow(clippy::expect_used)]
static CODE_MACRO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?s)<ac:structured-macro[^>]*ac:name="(?:code|noformat)"[^>]*>.*?</ac:structured-macro>"#)
        .expect("a valid pattern")
});

// A literal pattern; `every_pattern_compiles` compiles it in a unit test.
#[allow(clippy::expect_used)]
static TABLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?is)<table\b.*?</table>").expect("a valid pattern"));

/// The lowercase stem of `word`: plurals and `-ing`/`-ed` endings removed, so "shipping" and
/// "ship", "addresses" and "address" match.
pub fn stem(word: &str) -> String {
    let word = word.to_lowercase();
    // Every suffix cut below is ASCII, so the cut ends on a character boundary.
    let cut = |end: usize| {
        word.get(..word.len().saturating_sub(end))
            .unwrap_or(&word)
            .to_owned()
    };
    let stemmed = if word.len() > 5 && word.ends_with("ing") {
        cut(3)
    } else if word.len() > 4 && word.ends_with("ied") {
        format!("{}y", cut(3))
    } else if word.len() > 4 && word.ends_with("ed") && !word.ends_with("eed") {
        cut(2)
    } else if word.len() > 4 && word.ends_with("ies") {
        format!("{}y", cut(3))
    } else if word.len() > 4 && (word.ends_with("sses") || word.ends_with("xes")) {
        cut(2)
    } else if word.len() > 3
        && word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        cut(1)
    } else {
        word.clone()
    };
    // "shipping" -> "shipp" -> "ship"; "stopped" -> "stopp" -> "stop". Only an ASCII letter
    // doubles: a multibyte character whose last two bytes are equal is not a doubled letter.
    let mut last_two = stemmed.chars().rev();
    let doubled = match (last_two.next(), last_two.next()) {
        (Some(last), Some(before)) => {
            last.is_ascii() && last == before && !matches!(last, 'l' | 's' | 'z' | 'e' | 'o')
        }
        _ => false,
    };
    if stemmed.len() > 3 && doubled && stemmed != word {
        let mut stemmed = stemmed;
        stemmed.pop();
        stemmed
    } else {
        stemmed
    }
}

/// The salient words of `text`: stems of words of three or more letters that are not stop
/// words or numbers.
pub fn salient_words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.chars().count() >= 3)
        .filter(|word| !word.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_lowercase)
        .filter(|word| !STOPWORDS.contains(&word.as_str()))
        .map(|word| stem(&word))
        .collect()
}

fn heading_matches(heading: &str, topics: &[&str]) -> bool {
    let lower = heading.to_lowercase();
    topics.iter().any(|topic| lower.contains(topic))
}

fn is_skipped(section: Option<&str>) -> bool {
    section.is_some_and(|heading| heading_matches(heading, SKIPPED_SECTIONS))
}

/// Trims list markers, checkboxes and trailing punctuation.
fn clean_line(line: &str) -> String {
    let line = line.trim();
    let line = line
        .trim_start_matches(['-', '*', '•'])
        .trim_start()
        .trim_start_matches("[ ]")
        .trim_start_matches("[x]")
        .trim();
    let line = match line.split_once(". ") {
        Some((number, rest))
            if !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()) =>
        {
            rest
        }
        _ => line,
    };
    line.trim_end_matches(['.', ';', ':', ','])
        .trim()
        .to_owned()
}

/// Whether a line reads like prose worth matching (not a code fragment or a bare label).
fn is_prose(text: &str) -> bool {
    let words = text.split_whitespace().count();
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    words >= 2 && letters * 2 >= text.chars().count() && !text.contains('{') && !text.contains('}')
}

/// Sentences of a paragraph.
fn sentences(paragraph: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = paragraph.chars().collect();
    for (index, c) in chars.iter().enumerate() {
        current.push(*c);
        let at_end = matches!(c, '.' | '!' | '?')
            && chars.get(index + 1).is_none_or(|next| next.is_whitespace());
        if at_end {
            out.push(std::mem::take(&mut current));
        }
    }
    out.push(current);
    out.into_iter()
        .map(|sentence| clean_line(&sentence))
        .filter(|sentence| !sentence.is_empty())
        .collect()
}

/// The requirements of a Confluence page in storage format: rows of its story/requirement
/// tables, list items, and the sentences of requirement and proposal sections. Sections such
/// as "Out of scope", "Problem", "Alternatives" and code blocks are left out; duplicates are
/// kept once.
pub fn requirements_from_storage(storage: &str) -> Vec<Requirement> {
    let mut found = Vec::new();
    for table in markup::list_tables(storage).unwrap_or_default() {
        if is_skipped(table.heading.as_deref()) {
            continue;
        }
        found.extend(table_requirements(&table));
    }
    let without_tables = TABLE.replace_all(storage, "\n");
    let without_code = CODE_MACRO.replace_all(&without_tables, "\n");
    found.extend(requirements_from_text(&markup::storage_to_text(
        &without_code,
    )));
    dedupe(found)
}

fn table_requirements(table: &markup::StorageTable) -> Vec<Requirement> {
    let headers: Vec<String> = table.headers().iter().map(|h| h.to_lowercase()).collect();
    let rows = table.row_texts();
    let column = REQUIREMENT_COLUMNS
        .iter()
        .find_map(|wanted| headers.iter().position(|header| header.contains(wanted)))
        .or_else(|| {
            // No telling header: the first column holding prose rather than keys.
            (0..table.column_count()).find(|column| {
                rows.iter()
                    .filter_map(|row| row.get(*column))
                    .any(|cell| is_prose(cell) && !JIRA_KEY.is_match(cell.trim()))
            })
        });
    let Some(column) = column else {
        return Vec::new();
    };
    rows.iter()
        .filter_map(|row| {
            let text = clean_line(row.get(column)?);
            if text.is_empty() || JIRA_KEY.is_match(&text) {
                return None;
            }
            let ticket = row
                .iter()
                .map(|cell| cell.trim())
                .find(|cell| JIRA_KEY.is_match(cell))
                .map(str::to_owned);
            Some(Requirement {
                text,
                section: table.heading.clone(),
                ticket,
            })
        })
        .collect()
}

/// The requirements of Markdown-ish text (`#` headings, `- ` items, paragraphs).
pub fn requirements_from_text(text: &str) -> Vec<Requirement> {
    let mut found = Vec::new();
    let mut section: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(heading) = trimmed.strip_prefix('#') {
            section = Some(heading.trim_start_matches('#').trim().to_owned());
            continue;
        }
        // Text before the first heading is the page's status banner or preamble.
        let Some(heading) = section.as_deref() else {
            continue;
        };
        if is_skipped(Some(heading)) {
            continue;
        }
        let is_item = trimmed.starts_with("- ")
            || trimmed.starts_with("* ")
            || trimmed
                .split_once(". ")
                .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        let texts = if is_item {
            vec![clean_line(trimmed)]
        } else if heading_matches(heading, REQUIREMENT_SECTIONS) {
            sentences(trimmed)
        } else {
            Vec::new()
        };
        found.extend(
            texts
                .into_iter()
                .filter(|text| is_prose(text))
                .map(|text| Requirement {
                    text,
                    section: section.clone(),
                    ticket: None,
                }),
        );
    }
    found
}

fn dedupe(requirements: Vec<Requirement>) -> Vec<Requirement> {
    let mut seen = BTreeSet::new();
    requirements
        .into_iter()
        .filter(|requirement| seen.insert(requirement.text.to_lowercase()))
        .collect()
}

/// The least share of a requirement's salient words a story must contain to cover it.
pub const COVERAGE_THRESHOLD: f64 = 0.5;

/// How well `stories` cover `requirement`. A story covers it when the requirement's row names
/// the story's key, when every salient word of the story's summary is in the requirement (a
/// row "Guest checkout without an account" and a story "Guest checkout"), or when the story's
/// summary and description hold at least half of the requirement's salient words and two or
/// more of them.
pub fn coverage(requirement: &Requirement, stories: &[StoryText]) -> Coverage {
    if let Some(ticket) = &requirement.ticket
        && let Some(story) = stories.iter().find(|story| &story.key == ticket)
    {
        return Coverage {
            story: Some(story.key.clone()),
            overlap: 1.0,
            covered: true,
        };
    }
    let wanted = salient_words(&requirement.text);
    let mut best = Coverage {
        story: None,
        overlap: 0.0,
        covered: false,
    };
    if wanted.is_empty() {
        return best;
    }
    for story in stories {
        let summary = salient_words(&story.summary);
        let mut words = summary.clone();
        words.extend(salient_words(&story.description));
        let shared = wanted.intersection(&words).count();
        if shared == 0 {
            continue;
        }
        let overlap = shared as f64 / wanted.len() as f64;
        let summary_inside = !summary.is_empty() && summary.is_subset(&wanted);
        let covered = summary_inside || (overlap >= COVERAGE_THRESHOLD && shared >= 2);
        // Covering beats not covering; then the larger overlap wins; ties keep the first story.
        if (covered, overlap) > (best.covered, best.overlap) || best.story.is_none() {
            best = Coverage {
                story: Some(story.key.clone()),
                overlap,
                covered,
            };
        }
    }
    best
}

/// Acceptance criteria in a story description: the items under an "Acceptance criteria"
/// heading or label, and every Given/When/Then line.
pub fn acceptance_criteria(description: &str) -> Vec<String> {
    let mut criteria = Vec::new();
    let mut in_section = false;
    for line in description.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let lower = trimmed
            .trim_start_matches('#')
            .trim_matches(|c: char| c == '*' || c == '_' || c.is_whitespace())
            .to_lowercase();
        let is_heading = trimmed.starts_with('#')
            || (trimmed.starts_with("**") && trimmed.trim_end_matches(':').ends_with("**"))
            || lower.ends_with(':') && !trimmed.starts_with('-') && !trimmed.starts_with('*');
        if is_heading {
            in_section = lower.contains("acceptance criteria") || lower.starts_with("acceptance");
            continue;
        }
        let item = trimmed.starts_with("- ")
            || trimmed.starts_with("* ")
            || trimmed
                .split_once(". ")
                .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        let gherkin = ["given ", "when ", "then "]
            .iter()
            .any(|word| clean_line(trimmed).to_lowercase().starts_with(word));
        if (in_section && item) || gherkin {
            let text = clean_line(trimmed);
            if !text.is_empty() {
                criteria.push(text);
            }
        }
    }
    criteria
}

/// Markers of a description nobody has written yet.
const PLACEHOLDERS: &[&str] = &[
    "tbd",
    "todo",
    "to do",
    "placeholder",
    "fill this in",
    "add description",
    "lorem ipsum",
];

/// Whether a description is missing or only a placeholder: fewer than five words, or a short
/// text (under 30 words) that says "TBD", "TODO", "placeholder" and the like.
pub fn is_placeholder_description(description: &str) -> bool {
    let words: Vec<String> = description
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.len() < 5 {
        return true;
    }
    let joined = format!(" {} ", words.join(" "));
    words.len() < 30
        && PLACEHOLDERS
            .iter()
            .any(|marker| joined.contains(&format!(" {marker} ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles() {
        for pattern in [&JIRA_KEY, &CODE_MACRO, &TABLE] {
            LazyLock::force(pattern);
        }
    }

    fn story(key: &str, summary: &str, description: &str) -> StoryText {
        StoryText {
            key: key.into(),
            summary: summary.into(),
            description: description.into(),
        }
    }

    fn requirement(text: &str) -> Requirement {
        Requirement {
            text: text.into(),
            section: None,
            ticket: None,
        }
    }

    #[test]
    fn stems_match_inflected_forms() {
        assert_eq!(stem("shipping"), stem("ship"));
        assert_eq!(stem("addresses"), stem("address"));
        assert_eq!(stem("errors"), "error");
        assert_eq!(stem("accepts"), "accept");
        assert_eq!(stem("stories"), "story");
        assert_eq!(stem("status"), "status");
        let words = salient_words("The shopper can pay without an account, 24 hours");
        assert_eq!(
            words.into_iter().collect::<Vec<_>>(),
            ["account", "hour", "pay", "shopper"]
        );
    }

    #[test]
    fn stems_of_words_ending_in_a_multibyte_character_are_not_cut_inside_it() {
        // U+4E38 is E4 B8 B8 in UTF-8: its last two bytes are equal, as a doubled final
        // consonant's are, but the character is not one.
        assert_eq!(stem("a\u{4e38}s"), "a\u{4e38}");
        assert_eq!(stem("a\u{4e38}ed"), "a\u{4e38}");
        assert_eq!(stem("caf\u{e9}\u{e9}s"), "caf\u{e9}\u{e9}");
        assert!(salient_words("Ship \u{4e38}\u{4e38}s").contains("ship"));
    }

    #[test]
    fn a_story_whose_summary_is_inside_the_requirement_covers_it() {
        let stories = [
            story("PW-4", "Guest checkout", ""),
            story("PW-6", "Inline payment errors", ""),
        ];
        let found = coverage(&requirement("Guest checkout without an account."), &stories);
        assert!(found.covered);
        assert_eq!(found.story.as_deref(), Some("PW-4"));
        let found = coverage(&requirement("Inline, specific payment errors"), &stories);
        assert_eq!(
            (found.covered, found.story.as_deref()),
            (true, Some("PW-6"))
        );
    }

    #[test]
    fn description_words_cover_a_requirement_phrased_differently() {
        let stories = [story(
            "PW-5",
            "International address form",
            "As a shopper abroad I want to enter my address.\n- Every shipping country is selectable.\n- Address autocomplete suggests matches.",
        )];
        let found = coverage(
            &requirement("Address entry that accepts every country we ship to, with autocomplete"),
            &stories,
        );
        assert!(found.covered, "{found:?}");
        assert!(found.overlap >= COVERAGE_THRESHOLD);
    }

    #[test]
    fn an_unrelated_requirement_is_missing_and_names_the_closest_story() {
        let stories = [
            story("PW-4", "Guest checkout", "Pay without an account"),
            story("PW-5", "Saved cards", "Returning shoppers reuse a card"),
        ];
        let found = coverage(
            &requirement("Order confirmation e-mail with a PDF receipt"),
            &stories,
        );
        assert!(!found.covered);
        assert_eq!(found.story, None);
        let found = coverage(
            &requirement("Gift cards at checkout for returning shoppers"),
            &stories,
        );
        assert!(!found.covered || found.story.is_some());
    }

    #[test]
    fn a_table_row_naming_a_key_is_covered_by_that_story() {
        let row = Requirement {
            text: "Something phrased nothing like the story".into(),
            section: Some("Story Ticket List".into()),
            ticket: Some("PW-9".into()),
        };
        let found = coverage(&row, &[story("PW-9", "Other words", "")]);
        assert_eq!((found.covered, found.overlap), (true, 1.0));
        // A key that is not one of the epic's stories falls back to the words.
        let found = coverage(&row, &[story("PW-1", "Unrelated", "")]);
        assert!(!found.covered);
    }

    #[test]
    fn requirements_come_from_lists_tables_and_proposals_but_not_out_of_scope() {
        let page = r#"<h1>Checkout</h1><p>Status: approved</p>
<h2>Problem</h2><p>Shoppers abandon carts at the payment step.</p>
<h2>Goals</h2><ul><li><p>Guest checkout without an account.</p></li><li><p>Inline payment errors.</p></li></ul>
<h2>Story Ticket List</h2><table><tbody>
<tr><th><p>Ticket</p></th><th><p>Story</p></th><th><p>Notes</p></th></tr>
<tr><td><p><ac:structured-macro ac:name="jira"><ac:parameter ac:name="key">PW-4</ac:parameter></ac:structured-macro></p></td><td><p>Guest checkout</p></td><td><p>No account.</p></td></tr>
<tr><td><p></p></td><td><p>Saved cards for returning shoppers</p></td><td><p>Later.</p></td></tr>
</tbody></table>
<h2>Proposal</h2><p>Every payment request carries an Idempotency-Key header. The service replays stored responses.</p>
<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[CREATE TABLE keys (key TEXT PRIMARY KEY);]]></ac:plain-text-body></ac:structured-macro>
<h2>Out of scope</h2><ul><li><p>Gift cards and vouchers.</p></li></ul>"#;
        let found = requirements_from_storage(page);
        let texts: Vec<&str> = found.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Guest checkout",
                "Saved cards for returning shoppers",
                "Guest checkout without an account",
                "Inline payment errors",
                "Every payment request carries an Idempotency-Key header",
                "The service replays stored responses",
            ]
        );
        assert_eq!(found[0].ticket.as_deref(), Some("PW-4"));
        assert_eq!(found[1].ticket, None);
        assert_eq!(found[2].section.as_deref(), Some("Goals"));
    }

    #[test]
    fn acceptance_criteria_are_found_under_their_heading_and_as_gherkin() {
        let description = "### Goal\nPay quickly.\n- not a criterion\n### Acceptance criteria\n- The payment step is reachable.\n- One click account creation.\n### Notes\n- also not";
        assert_eq!(
            acceptance_criteria(description),
            [
                "The payment step is reachable",
                "One click account creation"
            ]
        );
        let gherkin = "Given a guest\nWhen they pay\nThen they get a receipt";
        assert_eq!(acceptance_criteria(gherkin).len(), 3);
        let labelled = "**Acceptance Criteria:**\n1. Works offline\n2. Syncs later";
        assert_eq!(
            acceptance_criteria(labelled),
            ["Works offline", "Syncs later"]
        );
        assert!(acceptance_criteria("Just a paragraph about the story.").is_empty());
    }

    #[test]
    fn placeholders_are_recognised_but_real_text_mentioning_todo_lists_is_not() {
        assert!(is_placeholder_description(""));
        assert!(is_placeholder_description("TBD"));
        assert!(is_placeholder_description(
            "Description: TODO, fill this in later please ok"
        ));
        assert!(!is_placeholder_description(
            "Shoppers can keep a todo list of products they want to buy, sorted by the date they added them, shared with family members, synced across devices, and exported as a printable checklist for the store visit on weekends."
        ));
        assert!(!is_placeholder_description(
            "As a shopper I want to pay without an account."
        ));
    }
}
