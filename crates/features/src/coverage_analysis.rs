//! Story coverage without a model: the story's requirements (its acceptance criteria, else the
//! bullets or sentences of its description, else its summary) matched against each task's
//! summary, description and test cases by salient terms. A requirement is covered when one task
//! mentions most of its salient terms, partial when a task mentions some, missing otherwise;
//! partial requirements become update suggestions for the best task, missing ones new-task
//! suggestions, each with a body the follow-up routes accept as is.
//!
//! Pure functions of text, so the analysis works with the offline provider and is tested with
//! data only.

use std::collections::{BTreeMap, BTreeSet};

use generation::text_analysis::{Criterion, bullet_items, parse_criteria};
use job_types::story_coverage::{
    CoverageGap, CreateTaskSubmission, NewTaskSuggestion, RequirementCoverage,
    TaskUpdateSuggestion, UpdateTaskSubmission,
};

use crate::test_dedupe::stem;

/// Share of a requirement's salient terms one task must mention to cover it.
pub const COVERED_SCORE: f64 = 0.6;
/// Share (with at least one shared term) that makes a requirement partially covered.
pub const PARTIAL_SCORE: f64 = 0.15;
/// Most requirements taken from a description without acceptance criteria.
const MAX_DESCRIPTION_REQUIREMENTS: usize = 12;

/// Words that carry no requirement: function words, modal verbs, generic actors.
const STOP_WORDS: [&str; 58] = [
    "a", "an", "the", "and", "or", "but", "of", "to", "for", "in", "on", "at", "by", "with",
    "without", "from", "into", "is", "are", "be", "been", "being", "was", "were", "can", "could",
    "should", "must", "will", "would", "may", "might", "shall", "it", "its", "this", "that",
    "these", "those", "as", "i", "we", "they", "them", "their", "our", "every", "each", "all",
    "any", "only", "so", "after", "before", "user", "users", "system", "able",
];

/// Where a requirement was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequirementSource {
    AcceptanceCriteria,
    Description,
    Summary,
}

impl RequirementSource {
    pub fn as_str(self) -> &'static str {
        match self {
            RequirementSource::AcceptanceCriteria => "acceptance_criteria",
            RequirementSource::Description => "description",
            RequirementSource::Summary => "summary",
        }
    }
}

/// One requirement of the story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub text: String,
    pub source: RequirementSource,
    /// Given/When/Then parts when the criterion was written that way.
    pub criterion: Option<Criterion>,
}

/// A task as the analysis sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskText {
    pub key: String,
    pub summary: String,
    pub description: String,
    pub test_cases: Option<String>,
}

/// The analysis of one story.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageAnalysis {
    pub requirements: Vec<RequirementCoverage>,
    pub coverage_percentage: f64,
    pub covered_requirements: Vec<String>,
    pub gaps: Vec<CoverageGap>,
    pub suggestions_for_updates: Vec<TaskUpdateSuggestion>,
    pub suggestions_for_new_tasks: Vec<NewTaskSuggestion>,
    pub overall_assessment: String,
}

/// The salient term stems of a text.
pub fn salient_terms(text: &str) -> BTreeSet<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.chars().count() >= 2 && !STOP_WORDS.contains(word))
        .filter(|word| !word.chars().all(|c| c.is_ascii_digit()))
        .map(stem)
        .collect()
}

/// The story's requirements: acceptance criteria first; without any, the description's bullets
/// or sentences; without a description, the summary.
pub fn extract_requirements(summary: &str, description: Option<&str>) -> Vec<Requirement> {
    let description = description.map(str::trim).filter(|text| !text.is_empty());
    let mut requirements: Vec<Requirement> = Vec::new();
    if let Some(description) = description {
        for criterion in parse_criteria(description, true) {
            let text = criterion.text.clone();
            push_requirement(
                &mut requirements,
                &text,
                RequirementSource::AcceptanceCriteria,
                Some(criterion),
            );
        }
        if requirements.is_empty() {
            let bullets = bullet_items(description);
            let items: Vec<String> = if bullets.is_empty() {
                sentences(description)
            } else {
                bullets
            };
            for item in items.iter().take(MAX_DESCRIPTION_REQUIREMENTS) {
                push_requirement(
                    &mut requirements,
                    item,
                    RequirementSource::Description,
                    None,
                );
            }
        }
    }
    if requirements.is_empty() {
        push_requirement(&mut requirements, summary, RequirementSource::Summary, None);
    }
    requirements
}

/// Adds a requirement unless it is empty of salient words or already known.
fn push_requirement(
    requirements: &mut Vec<Requirement>,
    text: &str,
    source: RequirementSource,
    criterion: Option<Criterion>,
) {
    let text = text.trim().trim_end_matches(['.', ';']).trim().to_owned();
    if text.chars().count() >= 3
        && !salient_terms(&text).is_empty()
        && !requirements.iter().any(|known| known.text == text)
    {
        requirements.push(Requirement {
            text,
            source,
            criterion,
        });
    }
}

/// Sentences of prose, headings dropped.
fn sentences(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.starts_with('#'))
        .flat_map(|line| line.split(['.', '!', '?']))
        .map(|sentence| {
            sentence
                .trim()
                .trim_start_matches(['-', '*'])
                .trim()
                .to_owned()
        })
        .filter(|sentence| sentence.chars().count() >= 12)
        .collect()
}

/// How well each task covers a requirement: (task index, score), best first.
fn scores(requirement: &BTreeSet<String>, tasks: &[BTreeSet<String>]) -> Vec<(usize, f64)> {
    let mut scored: Vec<(usize, f64)> = tasks
        .iter()
        .enumerate()
        .filter_map(|(index, terms)| {
            let shared = requirement.intersection(terms).count();
            (shared > 0).then(|| (index, shared as f64 / requirement.len().max(1) as f64))
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored
}

/// Analyses the coverage of story `story_key` (`story_summary`, `requirements`) by `tasks`.
pub fn analyze(
    story_key: &str,
    story_summary: &str,
    requirements: &[Requirement],
    tasks: &[TaskText],
) -> CoverageAnalysis {
    let task_terms: Vec<BTreeSet<String>> = tasks
        .iter()
        .map(|task| {
            salient_terms(&format!(
                "{}\n{}\n{}",
                task.summary,
                task.description,
                task.test_cases.as_deref().unwrap_or_default()
            ))
        })
        .collect();
    let mut table = Vec::with_capacity(requirements.len());
    let mut covered_requirements = Vec::new();
    let mut gaps = Vec::new();
    let mut partial_by_task: BTreeMap<usize, Vec<&Requirement>> = BTreeMap::new();
    let mut missing: Vec<&Requirement> = Vec::new();
    let mut credit = 0.0;
    for requirement in requirements {
        let terms = salient_terms(&requirement.text);
        let ranked = scores(&terms, &task_terms);
        let best = ranked.first().copied();
        let score = best.map_or(0.0, |(_, score)| score);
        let status = if score >= COVERED_SCORE {
            credit += 1.0;
            covered_requirements.push(requirement.text.clone());
            "covered"
        } else if score >= PARTIAL_SCORE {
            credit += 0.5;
            "partial"
        } else {
            "missing"
        };
        let acceptance = requirement.source == RequirementSource::AcceptanceCriteria;
        let best_task = best.and_then(|(index, _)| Some((index, tasks.get(index)?)));
        match (status, best_task) {
            ("partial", Some((index, task))) => {
                partial_by_task.entry(index).or_default().push(requirement);
                gaps.push(CoverageGap {
                    requirement: requirement.text.clone(),
                    severity: if acceptance { "important" } else { "minor" }.to_owned(),
                    suggestion: format!(
                        "{} only partly covers this; extend its description and tests (see suggestions_for_updates).",
                        task.key
                    ),
                    affected_files: None,
                    implementation_status: Some("partial".to_owned()),
                });
            }
            ("missing", _) => {
                missing.push(requirement);
                gaps.push(CoverageGap {
                    requirement: requirement.text.clone(),
                    severity: if acceptance { "critical" } else { "important" }.to_owned(),
                    suggestion: "No task covers this; create one (see suggestions_for_new_tasks)."
                        .to_owned(),
                    affected_files: None,
                    implementation_status: Some("missing".to_owned()),
                });
            }
            _ => {}
        }
        table.push(RequirementCoverage {
            requirement: requirement.text.clone(),
            source: requirement.source.as_str().to_owned(),
            status: status.to_owned(),
            covered_by: ranked
                .iter()
                .filter(|(_, score)| *score >= PARTIAL_SCORE)
                .filter_map(|(index, _)| tasks.get(*index))
                .map(|task| task.key.clone())
                .collect(),
            score: (score * 100.0).round() / 100.0,
        });
    }
    let coverage_percentage = if requirements.is_empty() {
        0.0
    } else {
        (credit / requirements.len() as f64 * 1000.0).round() / 10.0
    };
    let suggestions_for_updates = partial_by_task
        .into_iter()
        .filter_map(|(index, partial)| {
            Some(update_suggestion(story_key, tasks.get(index)?, &partial))
        })
        .collect();
    let suggestions_for_new_tasks = missing
        .iter()
        .map(|requirement| new_task_suggestion(story_key, story_summary, requirement))
        .collect();
    let overall_assessment = assessment(
        story_key,
        requirements.len(),
        &table,
        tasks.len(),
        coverage_percentage,
    );
    CoverageAnalysis {
        requirements: table,
        coverage_percentage,
        covered_requirements,
        gaps,
        suggestions_for_updates,
        suggestions_for_new_tasks,
        overall_assessment,
    }
}

fn assessment(
    story_key: &str,
    total: usize,
    table: &[RequirementCoverage],
    task_count: usize,
    percentage: f64,
) -> String {
    let count = |status: &str| table.iter().filter(|row| row.status == status).count();
    let (covered, partial, missing) = (count("covered"), count("partial"), count("missing"));
    if task_count == 0 {
        return format!(
            "{story_key} has no tasks yet, so none of its {total} requirement(s) is covered ({percentage}%). Create the suggested tasks to cover them."
        );
    }
    let verdict = if missing == 0 && partial == 0 {
        "Every requirement is covered."
    } else if missing == 0 {
        "No requirement is missing, but some are only partly covered."
    } else {
        "Some requirements have no task."
    };
    format!(
        "{task_count} task(s) cover {covered} of {total} requirement(s) of {story_key} fully and {partial} partly; {missing} have no task ({percentage}%). {verdict}"
    )
}

/// The Gherkin test for a requirement, as a Markdown bullet.
fn gherkin_for(requirement: &Requirement) -> String {
    match &requirement.criterion {
        Some(Criterion {
            given: Some(given),
            when: Some(when),
            then: Some(then),
            ..
        }) => format!("- Given {given}, when {when}, then {then}"),
        _ => format!(
            "- Given the change is deployed, when the behaviour is exercised, then {}",
            lower_first(&requirement.text)
        ),
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        // Keep acronyms ("API") and proper nouns ("UK") as they are.
        Some(first) if chars.clone().next().is_some_and(char::is_lowercase) => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => text.to_owned(),
    }
}

fn update_suggestion(
    story_key: &str,
    task: &TaskText,
    partial: &[&Requirement],
) -> TaskUpdateSuggestion {
    let mut description = task.description.trim_end().to_owned();
    if !description.is_empty() {
        description.push_str("\n\n");
    }
    description.push_str(&format!("**Also covers ({story_key}):**\n"));
    for requirement in partial {
        description.push_str(&format!("- {}\n", requirement.text));
    }
    let mut tests = task
        .test_cases
        .as_deref()
        .map(str::trim_end)
        .unwrap_or_default()
        .to_owned();
    for requirement in partial {
        if !tests.is_empty() {
            tests.push('\n');
        }
        tests.push_str(&gherkin_for(requirement));
    }
    TaskUpdateSuggestion {
        task_key: task.key.clone(),
        current_description: task.description.clone(),
        suggested_description: description.clone(),
        suggested_test_cases: Some(tests.clone()),
        ready_to_submit: UpdateTaskSubmission {
            task_key: task.key.clone(),
            updated_description: description,
            updated_test_cases: Some(tests),
            update_jira: false,
        },
    }
}

/// At most `max` characters, cut at a word boundary.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > max / 2 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

fn new_task_suggestion(
    story_key: &str,
    story_summary: &str,
    requirement: &Requirement,
) -> NewTaskSuggestion {
    let summary = shorten(
        &format!("{}: {}", story_summary.trim(), requirement.text),
        120,
    );
    let description = format!(
        "**Purpose:** Make {story_key} meet its requirement: {}.\n\n**Scopes:**\n- Implement: {}\n- Add automated tests that prove it\n\n**Expected Outcome:**\n- {}\n- The tests pass in CI\n",
        lower_first(&requirement.text),
        requirement.text,
        requirement.text,
    );
    let tests = gherkin_for(requirement);
    NewTaskSuggestion {
        summary: summary.clone(),
        description: description.clone(),
        test_cases: Some(tests.clone()),
        gap_addressed: requirement.text.clone(),
        ready_to_submit: CreateTaskSubmission {
            story_key: story_key.to_owned(),
            task_summary: summary,
            task_description: description,
            test_cases: Some(tests),
            create_ticket: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADDRESS_STORY: &str = "### Goal\n\nAs a shopper abroad I want to enter my address the way my country writes it.\n\n### Acceptance criteria\n\n- Every shipping country is selectable.\n- Postcode is optional for countries without postcodes.\n- Address autocomplete suggests matches after three characters.\n";

    fn task(key: &str, summary: &str) -> TaskText {
        TaskText {
            key: key.into(),
            summary: summary.into(),
            description: String::new(),
            test_cases: None,
        }
    }

    #[test]
    fn acceptance_criteria_are_the_requirements() {
        let requirements = extract_requirements("International address form", Some(ADDRESS_STORY));
        let texts: Vec<&str> = requirements.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "Every shipping country is selectable",
                "Postcode is optional for countries without postcodes",
                "Address autocomplete suggests matches after three characters",
            ]
        );
        assert!(
            requirements
                .iter()
                .all(|r| r.source == RequirementSource::AcceptanceCriteria)
        );
    }

    #[test]
    fn without_criteria_bullets_then_sentences_then_the_summary_count() {
        let bullets = extract_requirements(
            "Export",
            Some("Scope:\n- CSV export of orders\n- PDF receipts"),
        );
        assert_eq!(bullets.len(), 2);
        assert_eq!(bullets[0].source, RequirementSource::Description);
        let prose = extract_requirements(
            "Export",
            Some("Shoppers download their orders as CSV. Admins schedule weekly exports."),
        );
        assert_eq!(prose.len(), 2);
        let bare = extract_requirements("Search orders by product name", None);
        assert_eq!(bare.len(), 1);
        assert_eq!(bare[0].source, RequirementSource::Summary);
    }

    #[test]
    fn matching_marks_covered_partial_and_missing() {
        let requirements = extract_requirements("International address form", Some(ADDRESS_STORY));
        let tasks = vec![
            task("DEMO-12", "Country list from the shipping service"),
            task("DEMO-13", "Postcode rules per country"),
            task("DEMO-14", "Autocomplete provider integration"),
        ];
        let analysis = analyze(
            "DEMO-5",
            "International address form",
            &requirements,
            &tasks,
        );
        let statuses: Vec<&str> = analysis
            .requirements
            .iter()
            .map(|r| r.status.as_str())
            .collect();
        assert_eq!(statuses, vec!["covered", "covered", "partial"]);
        assert_eq!(analysis.coverage_percentage, 83.3);
        // Best task first; a task that mentions some of the terms follows.
        assert_eq!(analysis.requirements[0].covered_by[0], "DEMO-12");
        assert_eq!(analysis.gaps.len(), 1);
        assert_eq!(analysis.gaps[0].severity, "important");
        assert_eq!(analysis.suggestions_for_updates.len(), 1);
        let update = &analysis.suggestions_for_updates[0];
        assert_eq!(update.task_key, "DEMO-14");
        assert!(
            update
                .ready_to_submit
                .updated_description
                .contains("Address autocomplete suggests matches")
        );
        assert!(!update.ready_to_submit.update_jira);
        assert!(analysis.suggestions_for_new_tasks.is_empty());
    }

    #[test]
    fn a_story_without_tasks_gets_a_new_task_per_requirement() {
        let requirements = extract_requirements("International address form", Some(ADDRESS_STORY));
        let analysis = analyze("DEMO-5", "International address form", &requirements, &[]);
        assert_eq!(analysis.coverage_percentage, 0.0);
        assert_eq!(analysis.gaps.len(), 3);
        assert!(analysis.gaps.iter().all(|gap| gap.severity == "critical"));
        assert_eq!(analysis.suggestions_for_new_tasks.len(), 3);
        let first = &analysis.suggestions_for_new_tasks[0];
        assert_eq!(first.ready_to_submit.story_key, "DEMO-5");
        assert!(!first.ready_to_submit.create_ticket);
        assert!(
            first
                .ready_to_submit
                .task_description
                .starts_with("**Purpose:**")
        );
        assert!(first.summary.chars().count() <= 121);
        assert!(analysis.overall_assessment.contains("no tasks"));
    }

    #[test]
    fn test_cases_count_as_task_text() {
        let requirements = extract_requirements(
            "Guest checkout",
            Some(
                "### Acceptance criteria\n- An e-mail address is the only required identity field.",
            ),
        );
        let mut with_tests = task("DEMO-20", "Checkout form");
        with_tests.test_cases =
            Some("- Only the e-mail address is required as identity field".into());
        let covered = analyze(
            "DEMO-4",
            "Guest checkout",
            &requirements,
            &[with_tests.clone()],
        );
        assert_eq!(covered.requirements[0].status, "covered");
        with_tests.test_cases = None;
        let uncovered = analyze("DEMO-4", "Guest checkout", &requirements, &[with_tests]);
        assert_ne!(uncovered.requirements[0].status, "covered");
    }
}
