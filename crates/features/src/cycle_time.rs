//! The cycle-time estimate of one ticket (`GET /plan/estimate/{key}`), as pure code: man-days of
//! development, testing, review and deployment from what the ticket says about itself.
//!
//! The reference (docs/reference-behaviour.md §5.9) looks at the summary only and always answers "medium". Here
//! the size comes from the work the ticket lists (acceptance criteria, sub-tasks, description
//! length), the complexity from signals in its text (each counted once, compounding up to a
//! cap), and the confidence from how much the ticket says: an empty ticket gets a low one.
//! A ticket above the limit gets split suggestions built from its own sub-tasks or criteria.

/// What the estimate reads from a ticket.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketFacts {
    pub summary: String,
    /// The description as Markdown, without the acceptance criteria section or not.
    pub description: Option<String>,
    /// Acceptance criteria, one line each.
    pub acceptance_criteria: Vec<String>,
    /// Summaries of the ticket's sub-tasks.
    pub subtasks: Vec<String>,
}

/// The estimate, in man-days.
#[derive(Debug, Clone, PartialEq)]
pub struct CycleTime {
    pub development_days: f64,
    pub testing_days: f64,
    pub review_days: f64,
    pub deployment_days: f64,
    pub total_days: f64,
    pub confidence_level: f64,
    pub exceeds_limit: bool,
    pub split_recommendations: Option<Vec<String>>,
    /// What the numbers rest on, for the response.
    pub basis: Vec<String>,
}

/// Complexity signals: (words, multiplier of development and testing, what it means).
const SIGNALS: [(&[&str], f64, &str); 8] = [
    (
        &["migration", "migrate", "backfill", "schema change"],
        1.4,
        "data migration",
    ),
    (
        &[
            "integration",
            "third-party",
            "third party",
            "external",
            "webhook",
            "gateway",
            "provider",
        ],
        1.3,
        "external integration",
    ),
    (
        &[
            "security",
            "auth",
            "permission",
            "encrypt",
            "pci",
            "gdpr",
            "token",
        ],
        1.25,
        "security",
    ),
    (
        &["database", "table", "index", "query"],
        1.2,
        "database work",
    ),
    (
        &["performance", "latency", "scale", "cache", "concurren"],
        1.2,
        "performance",
    ),
    (
        &["idempot", "retry", "race", "transaction", "consisten"],
        1.2,
        "consistency",
    ),
    (&["api", "endpoint", "service"], 1.1, "API change"),
    (
        &["ui", "page", "form", "screen", "component", "autocomplete"],
        1.1,
        "user interface",
    ),
];

/// Words that make a ticket smaller than its length suggests.
const SIMPLE_SIGNALS: [&str; 7] = [
    "typo",
    "copy change",
    "rename",
    "documentation",
    "readme",
    "config value",
    "bump",
];

/// Highest combined complexity multiplier.
const MAX_COMPLEXITY: f64 = 2.0;

/// Estimates `facts`; `exceeds_limit` is `total_days > max_cycle_days`.
pub fn estimate_cycle_time(facts: &TicketFacts, max_cycle_days: f64) -> CycleTime {
    let text = format!(
        "{}\n{}\n{}",
        facts.summary,
        facts.description.as_deref().unwrap_or_default(),
        facts.acceptance_criteria.join("\n")
    )
    .to_lowercase();
    let words = facts
        .description
        .as_deref()
        .map(|d| d.split_whitespace().count())
        .unwrap_or(0);
    let criteria = facts.acceptance_criteria.len();
    let subtasks = facts.subtasks.len();
    let mut basis = Vec::new();

    // Size: a small change is a day; each listed unit of work adds to it.
    let mut development = 1.0;
    if criteria > 0 {
        development += 0.25 * criteria.min(12) as f64;
        basis.push(format!("{criteria} acceptance criteria"));
    }
    if subtasks > 0 {
        // Sub-tasks break the same work down, so they count when they say more than criteria.
        let by_subtasks = 0.5 * subtasks.min(10) as f64;
        let by_criteria = 0.25 * criteria.min(12) as f64;
        if by_subtasks > by_criteria {
            development += by_subtasks - by_criteria;
        }
        basis.push(format!("{subtasks} sub-tasks"));
    }
    if words > 250 {
        development += 0.5;
        basis.push(format!("a long description ({words} words)"));
    }

    let mut complexity = 1.0;
    for (keywords, factor, meaning) in SIGNALS {
        if keywords.iter().any(|keyword| contains_word(&text, keyword)) {
            complexity *= factor;
            basis.push(format!("{meaning} (x{factor})"));
        }
    }
    let complexity = complexity.min(MAX_COMPLEXITY);
    let simple = SIMPLE_SIGNALS.iter().any(|word| text.contains(word));
    let simplicity = if simple && criteria <= 2 && subtasks == 0 {
        basis.push("a simple change (x0.6)".to_owned());
        0.6
    } else {
        1.0
    };

    let development_days = quarter(development * complexity * simplicity);
    let testing_days = quarter((0.25 + 0.15 * criteria.min(12) as f64) * complexity * simplicity);
    let review_days = quarter((0.25 + 0.1 * development_days).min(1.0));
    let deploys_data = [
        "migration",
        "migrate",
        "backfill",
        "infrastructure",
        "feature flag",
    ]
    .iter()
    .any(|word| text.contains(word));
    let deployment_days = if deploys_data { 0.5 } else { 0.25 };
    let total_days = round2(development_days + testing_days + review_days + deployment_days);

    let mut confidence: f64 = 0.4;
    if words >= 30 {
        confidence += 0.15;
    }
    if criteria > 0 {
        confidence += 0.2;
    }
    if subtasks > 0 {
        confidence += 0.1;
    }
    if words == 0 && criteria == 0 {
        confidence = 0.3;
        basis.push("no description: the estimate rests on the summary alone".to_owned());
    }
    let confidence_level = round2(confidence.min(0.9));

    let exceeds_limit = total_days > max_cycle_days;
    let split_recommendations =
        exceeds_limit.then(|| split_suggestions(facts, total_days, max_cycle_days));
    CycleTime {
        development_days,
        testing_days,
        review_days,
        deployment_days,
        total_days,
        confidence_level,
        exceeds_limit,
        split_recommendations,
        basis,
    }
}

/// How to cut a ticket into pieces under the limit: along its sub-tasks, else its criteria,
/// else the " and " of its summary, else design / build / verify.
fn split_suggestions(facts: &TicketFacts, total_days: f64, max_cycle_days: f64) -> Vec<String> {
    let pieces = ((total_days / max_cycle_days.max(0.5)).ceil() as usize).clamp(2, 6);
    let grouped = |items: &[String], noun: &str| -> Vec<String> {
        let size = items.len().div_ceil(pieces);
        items
            .chunks(size.max(1))
            .enumerate()
            .map(|(index, chunk)| format!("Part {}: {noun} {}", index + 1, chunk.join("; ")))
            .collect()
    };
    if facts.subtasks.len() >= 2 {
        return grouped(&facts.subtasks, "deliver");
    }
    if facts.acceptance_criteria.len() >= 2 {
        return grouped(&facts.acceptance_criteria, "satisfy");
    }
    let parts: Vec<&str> = facts
        .summary
        .split(" and ")
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect();
    if parts.len() >= 2 {
        return parts
            .iter()
            .enumerate()
            .map(|(index, part)| format!("Part {}: {part}", index + 1))
            .collect();
    }
    vec![
        format!("Part 1: design and spike for \"{}\"", facts.summary),
        "Part 2: implement the core behaviour behind a flag".to_owned(),
        "Part 3: edge cases, tests and rollout".to_owned(),
    ]
}

/// `keyword` in `text` at the start of a word (so "ui" does not match "build").
fn contains_word(text: &str, keyword: &str) -> bool {
    text.match_indices(keyword).any(|(at, _)| {
        text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    })
}

fn quarter(days: f64) -> f64 {
    (days * 4.0).round() / 4.0
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(summary: &str) -> TicketFacts {
        TicketFacts {
            summary: summary.to_owned(),
            ..TicketFacts::default()
        }
    }

    #[test]
    fn an_empty_ticket_is_small_with_low_confidence() {
        let estimate = estimate_cycle_time(&facts("Tweak footer"), 3.0);
        assert_eq!(estimate.development_days, 1.0);
        assert_eq!(estimate.testing_days, 0.25);
        assert_eq!(estimate.review_days, 0.25);
        assert_eq!(estimate.deployment_days, 0.25);
        assert_eq!(estimate.total_days, 1.75);
        assert_eq!(estimate.confidence_level, 0.3);
        assert!(!estimate.exceeds_limit);
        assert_eq!(estimate.split_recommendations, None);
    }

    #[test]
    fn criteria_and_signals_grow_the_estimate_and_confidence() {
        let ticket = TicketFacts {
            summary: "Idempotent payment API".into(),
            description: Some(
                "Store each idempotency key in a new database table and replay the stored response when a client retries the same request against the payment gateway within 24 hours."
                    .into(),
            ),
            acceptance_criteria: vec![
                "A retried request returns the stored response".into(),
                "Keys expire after 24 hours".into(),
                "Concurrent requests with one key charge once".into(),
                "Unknown keys are processed normally".into(),
            ],
            subtasks: Vec::new(),
        };
        let estimate = estimate_cycle_time(&ticket, 3.0);
        assert!(estimate.development_days > 2.0, "{estimate:?}");
        assert!(estimate.exceeds_limit);
        assert_eq!(estimate.confidence_level, 0.6);
        let parts = estimate.split_recommendations.expect("split suggested");
        assert!(parts.len() >= 2);
        assert!(
            parts[0].starts_with("Part 1: satisfy A retried request"),
            "{parts:?}"
        );
        assert!(
            estimate
                .basis
                .iter()
                .any(|b| b.contains("external integration"))
        );
        assert!(
            estimate
                .basis
                .iter()
                .any(|b| b.contains("4 acceptance criteria"))
        );
    }

    #[test]
    fn subtasks_decide_the_split_and_words_match_at_word_starts() {
        let ticket = TicketFacts {
            summary: "Build the address form".into(),
            description: None,
            acceptance_criteria: vec!["Every country".into()],
            subtasks: vec![
                "Country list".into(),
                "Postcode rules".into(),
                "Autocomplete".into(),
                "Validation".into(),
            ],
        };
        let estimate = estimate_cycle_time(&ticket, 1.5);
        // "build" must not count as a UI signal; "form" does.
        assert_eq!(
            estimate
                .basis
                .iter()
                .filter(|b| b.contains("user interface"))
                .count(),
            1
        );
        assert!(estimate.exceeds_limit);
        let parts = estimate.split_recommendations.expect("split suggested");
        assert!(parts[0].contains("Country list"), "{parts:?}");
        assert!(!contains_word("build", "ui"));
        assert!(contains_word("new ui page", "ui"));
    }

    #[test]
    fn simple_changes_shrink_and_summaries_with_and_split_on_it() {
        let simple = estimate_cycle_time(&facts("Fix typo in checkout copy"), 3.0);
        assert!(simple.development_days < 1.0);
        let big = TicketFacts {
            summary: "Migrate orders to the new schema and backfill the search index".into(),
            description: Some("word ".repeat(300)),
            ..TicketFacts::default()
        };
        let estimate = estimate_cycle_time(&big, 1.0);
        assert!(estimate.exceeds_limit);
        assert_eq!(estimate.deployment_days, 0.5);
        assert_eq!(
            estimate.split_recommendations.expect("split")[0],
            "Part 1: Migrate orders to the new schema"
        );
        assert!(estimate.total_days <= 10.0);
    }
}
