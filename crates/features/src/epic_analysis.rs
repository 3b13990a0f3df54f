//! `epic_analysis` and `epic_validation` (docs/reference-behaviour.md §1.4 `GET /plan/epic/{key}/analyze`, §1.5
//! `GET /plan/validate/{key}`): read an epic, its children and its PRD/RFC pages, then compare
//! them. The reference's analysis always came back empty (docs/reference-behaviour.md §9 B6); this one lists the
//! requirements of the documents, which of them no story covers, the stories that are not ready
//! (no description, a placeholder, no acceptance criteria), the tasks no story links to, and
//! structural problems such as open children under a closed epic.
//!
//! Reading is here; the comparison is pure ([`analyze_children`], [`validate_children`]) and
//! tested with data.

use atlassian::models::Issue;
use generation::task::IssueType;
use job_types::epic_planning::{
    AnalyzedStory, EpicAnalysis, EpicAnalysisResult, EpicAnalysisSummary, EpicValidation,
    EpicValidationResult, EpicValidationResults, MissingStory, ValidationIssueDetail,
};
use jobs::JobContext;

use crate::custom_fields::FieldRole;
use crate::documents::link_in_field;
use crate::env::JobEnv;
use crate::failure::Failure;
use crate::job::BackgroundJob;
use crate::requirement_coverage::{
    Requirement, StoryText, acceptance_criteria, coverage, is_placeholder_description,
    requirements_from_storage,
};
use crate::tickets::{description_markdown, is_epic, read_issue};

/// The most children read for one epic.
pub const MAX_CHILDREN: usize = 1000;

/// What a child of an epic is, for planning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildKind {
    Story,
    Task,
    /// Bugs, spikes and anything else: counted, never orphaned.
    Other,
}

/// One child of an epic, reduced to what the checks need.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildFacts {
    pub key: String,
    pub summary: String,
    pub kind: ChildKind,
    pub status: Option<String>,
    pub done: bool,
    /// Markdown; empty when there is none.
    pub description: String,
    /// Keys of issues linked to this one (either direction).
    pub linked: Vec<String>,
    /// Sub-tasks: key and whether they are done.
    pub subtasks: Vec<(String, bool)>,
}

impl ChildFacts {
    /// Reads the facts off a Jira issue.
    pub fn from_issue(issue: &Issue) -> Self {
        let kind = match issue.issue_type_name().map(IssueType::from_name) {
            Some(IssueType::Story) => ChildKind::Story,
            Some(IssueType::Task | IssueType::Subtask) => ChildKind::Task,
            _ => ChildKind::Other,
        };
        let linked = issue
            .fields
            .issuelinks
            .iter()
            .filter_map(|link| link.outward_issue.as_ref().or(link.inward_issue.as_ref()))
            .map(|other| other.key.clone())
            .collect();
        let subtasks = issue
            .fields
            .subtasks
            .iter()
            .map(|subtask| {
                let done = subtask
                    .fields
                    .as_ref()
                    .and_then(|fields| fields.status.as_ref())
                    .is_some_and(|status| status.is_done());
                (subtask.key.clone(), done)
            })
            .collect();
        Self {
            key: issue.key.clone(),
            summary: issue.summary().to_owned(),
            kind,
            status: issue.status_name().map(str::to_owned),
            done: issue
                .fields
                .status
                .as_ref()
                .is_some_and(|status| status.is_done()),
            description: description_markdown(issue).unwrap_or_default(),
            linked,
            subtasks,
        }
    }
}

/// Why a story is not ready, in words (empty when it is).
pub fn story_problems(story: &ChildFacts) -> Vec<String> {
    let mut problems = Vec::new();
    if story.description.trim().is_empty() {
        problems.push("no description".to_owned());
    } else if is_placeholder_description(&story.description) {
        problems.push("placeholder description".to_owned());
    }
    if acceptance_criteria(&story.description).is_empty() {
        problems.push("no acceptance criteria".to_owned());
    }
    problems
}

/// Tasks under the epic, or sub-tasks, that belong to `story`.
fn story_task_count(story: &ChildFacts, children: &[ChildFacts]) -> usize {
    let linked_tasks = children
        .iter()
        .filter(|child| child.kind == ChildKind::Task)
        .filter(|task| story.linked.contains(&task.key) || task.linked.contains(&story.key))
        .count();
    story.subtasks.len() + linked_tasks
}

/// Tasks directly under the epic that no story links to.
pub fn orphaned_tasks(children: &[ChildFacts]) -> Vec<String> {
    let stories: Vec<&ChildFacts> = children
        .iter()
        .filter(|child| child.kind == ChildKind::Story)
        .collect();
    children
        .iter()
        .filter(|child| child.kind == ChildKind::Task)
        .filter(|task| {
            !stories
                .iter()
                .any(|story| task.linked.contains(&story.key) || story.linked.contains(&task.key))
        })
        .map(|task| task.key.clone())
        .collect()
}

fn missing(
    requirements: &[Requirement],
    document: &str,
    stories: &[StoryText],
) -> Vec<MissingStory> {
    requirements
        .iter()
        .filter_map(|requirement| {
            let found = coverage(requirement, stories);
            (!found.covered).then(|| MissingStory {
                requirement: requirement.text.clone(),
                document: document.to_owned(),
                section: requirement.section.clone(),
                closest_story: found.story,
                overlap: (found.overlap * 100.0).round() / 100.0,
            })
        })
        .collect()
}

/// The gap analysis of an epic's children against its PRD and RFC requirements.
pub fn analyze_children(
    epic_key: &str,
    children: &[ChildFacts],
    prd: &[Requirement],
    rfc: &[Requirement],
) -> EpicAnalysisResult {
    let stories: Vec<&ChildFacts> = children
        .iter()
        .filter(|child| child.kind == ChildKind::Story)
        .collect();
    let story_texts: Vec<StoryText> = stories
        .iter()
        .map(|story| StoryText {
            key: story.key.clone(),
            summary: story.summary.clone(),
            description: story.description.clone(),
        })
        .collect();
    let story_details: Vec<AnalyzedStory> = stories
        .iter()
        .map(|story| AnalyzedStory {
            key: story.key.clone(),
            summary: story.summary.clone(),
            status: story.status.clone(),
            acceptance_criteria: acceptance_criteria(&story.description).len(),
            task_count: story_task_count(story, children),
            problems: story_problems(story),
        })
        .collect();
    let mut missing_story_details = missing(prd, "PRD", &story_texts);
    missing_story_details.extend(missing(rfc, "RFC", &story_texts));
    let incomplete_stories: Vec<String> = story_details
        .iter()
        .filter(|story| !story.problems.is_empty())
        .map(|story| story.key.clone())
        .collect();
    // A finished story needs no new tasks.
    let stories_without_tasks: Vec<String> = stories
        .iter()
        .zip(&story_details)
        .filter(|(story, detail)| detail.task_count == 0 && !story.done)
        .map(|(story, _)| story.key.clone())
        .collect();
    let orphaned = orphaned_tasks(children);
    let requirements = prd.len() + rfc.len();
    let covered = requirements - missing_story_details.len();
    let complete_stories = stories.len() - incomplete_stories.len();
    let measured = requirements + stories.len();
    let completion_percentage = if measured == 0 {
        0.0
    } else {
        ((covered + complete_stories) as f64 * 1000.0 / measured as f64).round() / 10.0
    };
    let needs_stories = stories.is_empty() || !missing_story_details.is_empty();
    let needs_tasks = !stories_without_tasks.is_empty();
    EpicAnalysisResult {
        epic_key: epic_key.to_owned(),
        existing_stories: stories.iter().map(|story| story.key.clone()).collect(),
        missing_stories: missing_story_details
            .iter()
            .map(|missing| missing.requirement.clone())
            .collect(),
        is_complete: !needs_stories
            && !needs_tasks
            && incomplete_stories.is_empty()
            && orphaned.is_empty(),
        summary: EpicAnalysisSummary {
            total_existing_stories: stories.len(),
            total_missing_stories: missing_story_details.len(),
            total_incomplete_stories: incomplete_stories.len(),
            total_orphaned_tasks: orphaned.len(),
            completion_percentage,
        },
        incomplete_stories,
        orphaned_tasks: orphaned,
        prd_requirements: prd.iter().map(|r| r.text.clone()).collect(),
        rfc_requirements: rfc.iter().map(|r| r.text.clone()).collect(),
        needs_stories,
        needs_tasks,
        story_details,
        missing_story_details,
        stories_without_tasks,
        context_sources: Vec::new(),
        warnings: Vec::new(),
    }
}

fn finding(key: &str, severity: &str, code: &str, message: String) -> ValidationIssueDetail {
    ValidationIssueDetail {
        key: key.to_owned(),
        severity: severity.to_owned(),
        code: code.to_owned(),
        message,
    }
}

/// Structural checks of an epic (`epic_done`: its status is in the done category) and its
/// children. Errors make the epic invalid; warnings are advice.
pub fn validate_children(
    epic_key: &str,
    epic_done: bool,
    children: &[ChildFacts],
) -> EpicValidationResults {
    let mut details = Vec::new();
    let stories: Vec<&ChildFacts> = children
        .iter()
        .filter(|child| child.kind == ChildKind::Story)
        .collect();
    if stories.is_empty() {
        details.push(finding(
            epic_key,
            "error",
            "epic_without_stories",
            format!(
                "Epic {epic_key} has no stories; generate them with POST /plan/stories/generate"
            ),
        ));
    }
    for story in &stories {
        let problems = story_problems(story);
        if problems.iter().any(|p| p.contains("description"))
            && let Some(first) = problems.first()
        {
            details.push(finding(
                &story.key,
                "error",
                "story_without_description",
                format!("Story {} ({}) has {first}", story.key, story.summary),
            ));
        }
        if problems.iter().any(|p| p == "no acceptance criteria") {
            details.push(finding(
                &story.key,
                "error",
                "story_without_acceptance_criteria",
                format!(
                    "Story {} ({}) has no acceptance criteria; add an \"Acceptance criteria\" list to its description",
                    story.key, story.summary
                ),
            ));
        }
        if !story.done && story_task_count(story, children) == 0 {
            details.push(finding(
                &story.key,
                "warning",
                "story_without_tasks",
                format!("Story {} ({}) has no tasks yet", story.key, story.summary),
            ));
        }
        if story.done {
            for (subtask, done) in &story.subtasks {
                if !done {
                    details.push(finding(
                        subtask,
                        "error",
                        "open_subtask_under_done_story",
                        format!(
                            "Sub-task {subtask} is open although its story {} is done",
                            story.key
                        ),
                    ));
                }
            }
        }
    }
    let orphaned = orphaned_tasks(children);
    for task in &orphaned {
        details.push(finding(
            task,
            "warning",
            "task_without_story",
            format!("Task {task} is under epic {epic_key} but linked to none of its stories"),
        ));
    }
    if epic_done {
        for child in children.iter().filter(|child| !child.done) {
            details.push(finding(
                &child.key,
                "error",
                "open_child_under_done_epic",
                format!(
                    "{} is {} although epic {epic_key} is done",
                    child.key,
                    child.status.as_deref().unwrap_or("open")
                ),
            ));
        }
    } else if !children.is_empty() && children.iter().all(|child| child.done) {
        details.push(finding(
            epic_key,
            "warning",
            "epic_ready_to_close",
            format!("Every child of epic {epic_key} is done; the epic can be closed"),
        ));
    }
    EpicValidationResults {
        epic_key: epic_key.to_owned(),
        valid: !details.iter().any(|detail| detail.severity == "error"),
        issues: details
            .iter()
            .map(|detail| detail.message.clone())
            .collect(),
        story_count: stories.len(),
        task_count: children
            .iter()
            .filter(|child| child.kind == ChildKind::Task)
            .count()
            + stories
                .iter()
                .map(|story| story.subtasks.len())
                .sum::<usize>(),
        orphaned_tasks: orphaned,
        details,
    }
}

/// Reads `key` and checks it is an epic: a missing issue is a 404, another type a 422.
pub async fn read_epic(env: &JobEnv, key: &str) -> Result<Issue, Failure> {
    let epic = read_issue(env, key, "Epic").await?;
    if !is_epic(&epic) {
        return Err(Failure::invalid(format!(
            "{key} is a {}, not an epic; send the key of an epic",
            epic.issue_type_name().unwrap_or("issue")
        )));
    }
    Ok(epic)
}

/// The children of an epic (`parent = KEY`) with what planning reads.
pub async fn read_children(env: &JobEnv, epic_key: &str) -> Result<Vec<Issue>, Failure> {
    env.jira
        .epic_children(
            epic_key,
            &[
                "summary",
                "description",
                "status",
                "issuetype",
                "issuelinks",
                "subtasks",
                "parent",
                "labels",
            ],
            MAX_CHILDREN,
        )
        .await
        .map_err(|error| Failure::jira(epic_key, error))
}

/// An epic's PRD and RFC pages, whole (storage format), for requirement extraction.
#[derive(Debug, Clone, Default)]
pub struct PlanningPages {
    pub prd: Vec<Requirement>,
    pub rfc: Vec<Requirement>,
    pub sources: Vec<String>,
    pub warnings: Vec<String>,
}

/// Reads the epic's PRD and RFC pages and extracts their requirements. A page that cannot be
/// read becomes a warning.
pub async fn planning_pages(env: &JobEnv, epic: &Issue) -> PlanningPages {
    let mut pages = PlanningPages::default();
    let resolution = match env.custom_fields().resolve(&env.jira).await {
        Ok(resolution) => resolution,
        Err(failure) => {
            pages
                .warnings
                .push(format!("PRD/RFC fields not resolved: {failure}"));
            return pages;
        }
    };
    for (role, label) in [(FieldRole::Prd, "PRD"), (FieldRole::Rfc, "RFC")] {
        let Some(url) = resolution
            .id(role)
            .and_then(|id| epic.fields.raw(id))
            .and_then(link_in_field)
        else {
            continue;
        };
        let Some(confluence) = &env.confluence else {
            pages.warnings.push(format!(
                "{label} {url} not read: Confluence is not configured (set CONFLUENCE_SERVER_URL, CONFLUENCE_USERNAME, CONFLUENCE_API_TOKEN)"
            ));
            continue;
        };
        let page = match confluence.page_id_from_url(&url) {
            Ok(id) => confluence.get_page(&id).await,
            Err(error) => Err(error),
        };
        match page {
            Ok(page) => {
                let requirements = requirements_from_storage(&page.body_storage);
                pages.sources.push(format!("{label}: {url}"));
                match role {
                    FieldRole::Rfc => pages.rfc = requirements,
                    _ => pages.prd = requirements,
                }
            }
            Err(error) => pages.warnings.push(format!(
                "{label} {url} not read: {error} ({})",
                error.hint()
            )),
        }
    }
    pages
}

impl BackgroundJob for EpicAnalysis {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<EpicAnalysisResult, Failure> {
        let epic = read_epic(env, &self.epic_key).await?;
        ctx.message(format!("Reading the stories and tasks of {}", epic.key))
            .await
            .map_err(|_| Failure::internal("cancelled"))?;
        let children = read_children(env, &epic.key).await?;
        let pages = planning_pages(env, &epic).await;
        let facts: Vec<ChildFacts> = children.iter().map(ChildFacts::from_issue).collect();
        let mut result = analyze_children(&epic.key, &facts, &pages.prd, &pages.rfc);
        result.context_sources = pages.sources;
        result.warnings = pages.warnings;
        Ok(result)
    }
}

impl BackgroundJob for EpicValidation {
    async fn run(self, env: &JobEnv, _ctx: &JobContext) -> Result<EpicValidationResult, Failure> {
        let epic = read_epic(env, &self.epic_key).await?;
        let children = read_children(env, &epic.key).await?;
        let facts: Vec<ChildFacts> = children.iter().map(ChildFacts::from_issue).collect();
        let epic_done = epic
            .fields
            .status
            .as_ref()
            .is_some_and(|status| status.is_done());
        let validation_results = validate_children(&epic.key, epic_done, &facts);
        Ok(EpicValidationResult {
            epic_key: epic.key.clone(),
            validation_results,
            success: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn child(key: &str, kind: ChildKind, summary: &str, description: &str) -> ChildFacts {
        ChildFacts {
            key: key.into(),
            summary: summary.into(),
            kind,
            status: Some("To Do".into()),
            done: false,
            description: description.into(),
            linked: Vec::new(),
            subtasks: Vec::new(),
        }
    }

    const READY: &str = "As a shopper I want to pay as a guest quickly.\n### Acceptance criteria\n- Payment works without signing in.";

    fn requirement(text: &str) -> Requirement {
        Requirement {
            text: text.into(),
            section: Some("Goals".into()),
            ticket: None,
        }
    }

    #[test]
    fn analysis_finds_missing_incomplete_and_orphaned_work() {
        let mut guest = child("PW-4", ChildKind::Story, "Guest checkout", READY);
        guest.linked = vec!["PW-8".into()];
        let bare = child("PW-6", ChildKind::Story, "Inline payment errors", "");
        let linked_task = child("PW-8", ChildKind::Task, "[BE] Guest session", "");
        let orphan = child("PW-9", ChildKind::Task, "Replay stored responses", "");
        let bug = child("PW-10", ChildKind::Other, "Double charge", "");
        let children = [guest, bare, linked_task, orphan, bug];
        let prd = [
            requirement("Guest checkout without an account"),
            requirement("Inline, specific payment errors"),
            requirement("Saved cards for returning shoppers"),
        ];
        let result = analyze_children("PW-1", &children, &prd, &[]);
        assert_eq!(result.existing_stories, ["PW-4", "PW-6"]);
        assert_eq!(
            result.missing_stories,
            ["Saved cards for returning shoppers"]
        );
        assert_eq!(result.incomplete_stories, ["PW-6"]);
        assert_eq!(result.orphaned_tasks, ["PW-9"]);
        assert_eq!(result.stories_without_tasks, ["PW-6"]);
        assert_eq!(
            result.story_details[1].problems,
            ["no description", "no acceptance criteria"]
        );
        assert!(result.needs_stories && result.needs_tasks && !result.is_complete);
        // 2 of 3 requirements covered, 1 of 2 stories complete.
        assert_eq!(result.summary.completion_percentage, 60.0);
        assert_eq!(result.summary.total_missing_stories, 1);
    }

    #[test]
    fn a_covered_epic_with_ready_stories_and_tasks_is_complete() {
        let mut guest = child("PW-4", ChildKind::Story, "Guest checkout", READY);
        guest.subtasks = vec![("PW-5".into(), false)];
        let result = analyze_children(
            "PW-1",
            &[guest],
            &[requirement("Guest checkout without an account")],
            &[],
        );
        assert!(result.is_complete, "{result:?}");
        assert_eq!(result.summary.completion_percentage, 100.0);
    }

    #[test]
    fn validation_reports_errors_and_warnings() {
        let mut done_story = child("PW-4", ChildKind::Story, "Guest checkout", READY);
        done_story.done = true;
        done_story.subtasks = vec![("PW-12".into(), false), ("PW-13".into(), true)];
        let bare = child("PW-6", ChildKind::Story, "Inline payment errors", "TBD");
        let orphan = child("PW-9", ChildKind::Task, "Replay", "");
        let results = validate_children("PW-1", false, &[done_story, bare, orphan]);
        assert!(!results.valid);
        let codes: Vec<&str> = results.details.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "open_subtask_under_done_story",
                "story_without_description",
                "story_without_acceptance_criteria",
                "story_without_tasks",
                "task_without_story",
            ]
        );
        assert_eq!(results.story_count, 2);
        assert_eq!(results.task_count, 3);
        assert_eq!(results.orphaned_tasks, ["PW-9"]);
        assert_eq!(results.issues.len(), results.details.len());

        let mut open = child("PW-4", ChildKind::Story, "Guest checkout", READY);
        open.subtasks = vec![("PW-5".into(), true)];
        let results = validate_children("PW-1", true, &[open]);
        assert_eq!(results.details[0].code, "open_child_under_done_epic");
        let results = validate_children("PW-1", false, &[]);
        assert_eq!(results.details[0].code, "epic_without_stories");
    }
}
