//! `story_coverage`, `coverage_task_update` and `coverage_task_creation`: how well a story's
//! tasks (its children and the issues split from it) cover its requirements, with suggestions
//! whose `ready_to_submit` bodies the two follow-up routes accept as is (docs/reference-behaviour.md §1.7, §5.7).
//!
//! With the offline provider the analysis is [`crate::coverage_analysis`] (deterministic
//! requirement matching); with a model it is one structured call on [`coverage_schema`], whose
//! prompts [`coverage_prompts`] renders (also used by `/prompt/resubmit`). Updates and creations
//! write only with their explicit flag, through [`crate::writes`].

use atlassian::KnownLinkType;
use atlassian::models::{Issue, IssueEdit, NewIssue};
use job_types::story_coverage::{
    AnalyzeStoryCoverage, CoverageGap, CoverageTask, CreateCoverageTask, CreateTaskResponse,
    CreateTaskSubmission, NewTaskSuggestion, StoryCoverageResponse, TaskUpdateSuggestion,
    UpdateCoverageTask, UpdateTaskResponse, UpdateTaskSubmission,
};
use job_types::{UsageRecord, WriteOutcome};
use jobs::JobContext;
use llm::{ProviderId, ResolvedModel, StructuredCall};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::coverage_analysis::{Requirement, TaskText, analyze, extract_requirements};
use crate::custom_fields::FieldRole;
use crate::env::JobEnv;
use crate::failure::Failure;
use crate::job::BackgroundJob;
use crate::test_generation::field_markdown;
use crate::tickets::{description_markdown, is_epic, read_issue};
use crate::writes::{self, Executor, IssueRef, Write, WriteScope, WriteStep};

/// Most tasks one analysis reads.
pub const MAX_STORY_TASKS: usize = 200;

const NO_TEST_FIELD: &str = "This Jira site has no test-case field; set JIRA_TEST_CASE_CUSTOM_FIELD or add a field named \"Test cases\"";

/// A story and its tasks as read from Jira.
#[derive(Debug, Clone)]
pub struct StoryWithTasks {
    pub story: Issue,
    pub description: Option<String>,
    pub tasks: Vec<TaskText>,
}

async fn test_field_id(env: &JobEnv) -> Result<Option<String>, Failure> {
    let resolution = env.custom_fields().resolve(&env.jira).await?;
    Ok(resolution.id(FieldRole::TestCases).map(str::to_owned))
}

fn is_story_or_epic(issue_type: &str) -> bool {
    use generation::task::IssueType;
    matches!(
        IssueType::from_name(issue_type),
        IssueType::Story | IssueType::Epic
    )
}

/// Reads `story_key` and its tasks: children (`parent = story`) and issues linked to it by a
/// "split" link that are not stories or epics.
pub async fn read_story_tasks(
    env: &JobEnv,
    story_key: &str,
    include_test_cases: bool,
) -> Result<StoryWithTasks, Failure> {
    let story = read_issue(env, story_key, "Story").await?;
    let field = if include_test_cases {
        test_field_id(env).await?
    } else {
        None
    };
    let mut fields = vec!["summary", "description", "issuetype", "parent"];
    if let Some(field) = &field {
        fields.push(field);
    }
    let mut keys: Vec<String> = Vec::new();
    for link in &story.fields.issuelinks {
        if !link.link_type.name.to_lowercase().contains("split") {
            continue;
        }
        for other in [&link.inward_issue, &link.outward_issue]
            .into_iter()
            .flatten()
        {
            let kind = other
                .fields
                .as_ref()
                .and_then(|f| f.issuetype.as_ref())
                .map(|t| t.name.as_str())
                .unwrap_or("Task");
            if other.key != story.key && !is_story_or_epic(kind) && !keys.contains(&other.key) {
                keys.push(other.key.clone());
            }
        }
    }
    let quoted = atlassian::jira::quote_jql(&story.key);
    let jql = if keys.is_empty() {
        format!("parent = {quoted} ORDER BY key ASC")
    } else {
        let linked: Vec<String> = keys.iter().map(|k| atlassian::jira::quote_jql(k)).collect();
        format!(
            "parent = {quoted} OR key in ({}) ORDER BY key ASC",
            linked.join(", ")
        )
    };
    let found = env
        .jira
        .search_all(
            atlassian::SearchQuery::new(jql).with_fields(fields.iter().copied()),
            MAX_STORY_TASKS,
        )
        .await
        .map_err(|e| Failure::jira(story_key, e))?;
    let tasks = found
        .iter()
        .filter(|issue| !is_epic(issue))
        .map(|issue| TaskText {
            key: issue.key.clone(),
            summary: issue.summary().to_owned(),
            description: description_markdown(issue).unwrap_or_default(),
            test_cases: field.as_deref().and_then(|f| field_markdown(issue, f)),
        })
        .collect();
    Ok(StoryWithTasks {
        description: description_markdown(&story),
        story,
        tasks,
    })
}

/// The JSON Schema of a model's coverage answer.
pub fn coverage_schema() -> Value {
    let text = json!({"type": "string"});
    let nullable_text = json!({"type": ["string", "null"]});
    let object = |properties: Value| {
        let required: Vec<String> = properties
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        json!({
            "type": "object",
            "additionalProperties": false,
            "required": required,
            "properties": properties,
        })
    };
    object(json!({
        "coverage_percentage": {"type": "number"},
        "overall_assessment": text,
        "covered_requirements": {"type": "array", "items": text},
        "gaps": {"type": "array", "items": object(json!({
            "requirement": text,
            "severity": {"type": "string", "enum": ["critical", "important", "minor"]},
            "suggestion": text,
        }))},
        "suggestions_for_updates": {"type": "array", "items": object(json!({
            "task_key": text,
            "description": text,
            "test_cases": nullable_text,
        }))},
        "suggestions_for_new_tasks": {"type": "array", "items": object(json!({
            "summary": text,
            "description": text,
            "test_cases": nullable_text,
            "gap_addressed": text,
        }))},
    }))
}

/// The default system prompt of the coverage analysis.
pub const COVERAGE_SYSTEM_PROMPT: &str = "You are a senior QA lead who reviews Jira stories. You compare a user story's requirements and acceptance criteria with the tasks planned for it (their descriptions and test cases) and report what is not covered. Be specific and concise; never invent tasks that are not listed. Answer with one JSON object that matches the given schema.";

/// The default user prompt of the coverage analysis of `story`.
pub fn coverage_user_prompt(
    story: &StoryWithTasks,
    requirements: &[Requirement],
    additional_context: Option<&str>,
) -> String {
    let mut prompt = format!(
        "Analyse how well the tasks of story {} cover it.\n\n## Story {}: {}\n\n{}\n\n## Requirements found in the story\n\n",
        story.story.key,
        story.story.key,
        story.story.summary(),
        story.description.as_deref().unwrap_or("(no description)")
    );
    for requirement in requirements {
        prompt.push_str(&format!("- {}\n", requirement.text));
    }
    prompt.push_str("\n## Tasks\n\n");
    if story.tasks.is_empty() {
        prompt.push_str("(the story has no tasks)\n");
    }
    for task in &story.tasks {
        prompt.push_str(&format!(
            "### {}: {}\n\n{}\n",
            task.key,
            task.summary,
            if task.description.is_empty() {
                "(no description)"
            } else {
                &task.description
            }
        ));
        if let Some(tests) = &task.test_cases {
            prompt.push_str(&format!("\nTest cases:\n{tests}\n"));
        }
        prompt.push('\n');
    }
    if let Some(context) = additional_context.filter(|c| !c.trim().is_empty()) {
        prompt.push_str(&format!("## Additional context\n\n{context}\n\n"));
    }
    prompt.push_str(
        "## Answer\n\nReturn: coverage_percentage (0-100, the share of requirements the tasks cover), overall_assessment (two or three sentences), covered_requirements, gaps (requirement, severity critical|important|minor, suggestion), suggestions_for_updates (task_key of a listed task, its full new description in Markdown, its full new test cases or null) and suggestions_for_new_tasks (summary, description with **Purpose:**, **Scopes:** and **Expected Outcome:** sections, test cases as Given/When/Then bullets, gap_addressed).\n",
    );
    prompt
}

/// A model's coverage answer.
#[derive(Debug, Clone, Deserialize)]
pub struct ModelCoverage {
    pub coverage_percentage: f64,
    pub overall_assessment: String,
    #[serde(default)]
    pub covered_requirements: Vec<String>,
    #[serde(default)]
    pub gaps: Vec<ModelGap>,
    #[serde(default)]
    pub suggestions_for_updates: Vec<ModelUpdate>,
    #[serde(default)]
    pub suggestions_for_new_tasks: Vec<ModelNewTask>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ModelGap {
    pub requirement: String,
    pub severity: String,
    pub suggestion: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ModelUpdate {
    pub task_key: String,
    pub description: String,
    pub test_cases: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ModelNewTask {
    pub summary: String,
    pub description: String,
    pub test_cases: Option<String>,
    pub gap_addressed: String,
}

/// What a model's coverage call produced.
pub struct ModelRun {
    pub coverage: ModelCoverage,
    pub output: Value,
    pub system_prompt: String,
    pub user_prompt: String,
    pub usage: UsageRecord,
}

/// Runs the coverage analysis on a model with the given prompts.
pub async fn run_coverage_model(
    env: &JobEnv,
    model: &ResolvedModel,
    system_prompt: String,
    user_prompt: String,
    cancel: llm::CancellationToken,
) -> Result<ModelRun, Failure> {
    let generation = env
        .llm
        .complete_structured(StructuredCall {
            model: model.clone(),
            system_prompt,
            user_prompt,
            schema_name: "story_coverage".to_owned(),
            schema: coverage_schema(),
            cancel,
        })
        .await?;
    let coverage: ModelCoverage =
        serde_json::from_value(generation.output.clone()).map_err(|error| {
            Failure::new(
                job_types::FailureCode::ModelInvalidOutput,
                format!("the model's coverage answer does not fit: {error}"),
            )
        })?;
    Ok(ModelRun {
        coverage,
        output: generation.output,
        system_prompt: generation.system_prompt,
        user_prompt: generation.user_prompt,
        usage: UsageRecord {
            provider: generation.provider.to_string(),
            model: generation.model,
            calls: generation.attempts,
            input_tokens: generation.usage.input_tokens,
            output_tokens: generation.usage.output_tokens,
            cost_usd: generation.cost_usd,
        },
    })
}

/// Turns a model's answer into the response's gaps and suggestions; suggestions for tasks that
/// are not the story's are dropped with a warning.
fn apply_model(
    response: &mut StoryCoverageResponse,
    story_key: &str,
    tasks: &[TaskText],
    coverage: ModelCoverage,
) {
    response.coverage_percentage =
        (coverage.coverage_percentage.clamp(0.0, 100.0) * 10.0).round() / 10.0;
    response.overall_assessment = coverage.overall_assessment;
    response.covered_requirements = coverage.covered_requirements;
    response.gaps = coverage
        .gaps
        .into_iter()
        .map(|gap| CoverageGap {
            requirement: gap.requirement,
            severity: match gap.severity.to_lowercase().as_str() {
                "critical" | "high" => "critical",
                "minor" | "low" => "minor",
                _ => "important",
            }
            .to_owned(),
            suggestion: gap.suggestion,
            affected_files: None,
            implementation_status: None,
        })
        .collect();
    response.suggestions_for_updates = Vec::new();
    for update in coverage.suggestions_for_updates {
        let Some(task) = tasks.iter().find(|t| t.key == update.task_key) else {
            response.warnings.push(format!(
                "The model suggested an update to {}, which is not a task of {story_key}; ignored",
                update.task_key
            ));
            continue;
        };
        response.suggestions_for_updates.push(TaskUpdateSuggestion {
            task_key: task.key.clone(),
            current_description: task.description.clone(),
            suggested_description: update.description.clone(),
            suggested_test_cases: update.test_cases.clone(),
            ready_to_submit: UpdateTaskSubmission {
                task_key: task.key.clone(),
                updated_description: update.description,
                updated_test_cases: update.test_cases,
                update_jira: false,
            },
        });
    }
    response.suggestions_for_new_tasks = coverage
        .suggestions_for_new_tasks
        .into_iter()
        .map(|new| NewTaskSuggestion {
            ready_to_submit: CreateTaskSubmission {
                story_key: story_key.to_owned(),
                task_summary: new.summary.clone(),
                task_description: new.description.clone(),
                test_cases: new.test_cases.clone(),
                create_ticket: false,
            },
            summary: new.summary,
            description: new.description,
            test_cases: new.test_cases,
            gap_addressed: new.gap_addressed,
        })
        .collect();
}

/// The deterministic analysis as a response.
pub fn deterministic_response(
    story: &StoryWithTasks,
    requirements: &[Requirement],
) -> StoryCoverageResponse {
    let analysis = analyze(
        &story.story.key,
        story.story.summary(),
        requirements,
        &story.tasks,
    );
    StoryCoverageResponse {
        success: true,
        story_key: story.story.key.clone(),
        story_description: story.description.clone().unwrap_or_default(),
        tasks: story
            .tasks
            .iter()
            .map(|task| CoverageTask {
                task_key: task.key.clone(),
                summary: task.summary.clone(),
                description: task.description.clone(),
                test_cases: task.test_cases.clone(),
            })
            .collect(),
        coverage_percentage: analysis.coverage_percentage,
        gaps: analysis.gaps,
        overall_assessment: analysis.overall_assessment,
        covered_requirements: analysis.covered_requirements,
        requirements: analysis.requirements,
        suggestions_for_updates: analysis.suggestions_for_updates,
        suggestions_for_new_tasks: analysis.suggestions_for_new_tasks,
        analysis_method: "requirement_matching".to_owned(),
        ..StoryCoverageResponse::default()
    }
}

impl BackgroundJob for AnalyzeStoryCoverage {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<StoryCoverageResponse, Failure> {
        let model = env.resolve_model(self.llm_provider.as_deref(), self.llm_model.as_deref())?;
        let story = read_story_tasks(env, &self.story_key, self.include_test_cases).await?;
        let requirements =
            extract_requirements(story.story.summary(), story.description.as_deref());
        let mut response = deterministic_response(&story, &requirements);
        response.additional_context = self.additional_context.clone();
        if is_epic(&story.story) {
            response.warnings.push(format!(
                "{} is an epic; its direct children were analysed as its tasks",
                story.story.key
            ));
        }
        if model.provider == ProviderId::Offline {
            response.llm_provider = Some(model.provider.to_string());
            response.llm_model = Some(model.model.clone());
            response.usage = Some(UsageRecord {
                provider: model.provider.to_string(),
                model: model.model.clone(),
                calls: 0,
                input_tokens: 0,
                output_tokens: 0,
                cost_usd: Some(0.0),
            });
            return Ok(response);
        }
        let user_prompt =
            coverage_user_prompt(&story, &requirements, self.additional_context.as_deref());
        let run = run_coverage_model(
            env,
            &model,
            COVERAGE_SYSTEM_PROMPT.to_owned(),
            user_prompt,
            ctx.cancellation().clone(),
        )
        .await?;
        apply_model(&mut response, &story.story.key, &story.tasks, run.coverage);
        response.analysis_method = "model".to_owned();
        response.system_prompt = Some(run.system_prompt);
        response.user_prompt = Some(run.user_prompt);
        response.llm_provider = Some(run.usage.provider.clone());
        response.llm_model = Some(run.usage.model.clone());
        response.usage = Some(run.usage);
        Ok(response)
    }
}

fn succeeded(outcomes: &[WriteOutcome]) -> bool {
    !outcomes.is_empty()
        && outcomes
            .iter()
            .all(|o| o.status == "written" || o.status == "already_written")
}

fn first_error(outcomes: &[WriteOutcome]) -> Option<String> {
    outcomes
        .iter()
        .find_map(|o| o.error.as_ref().map(|e| format!("{}: {e}", o.target)))
}

impl BackgroundJob for UpdateCoverageTask {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<UpdateTaskResponse, Failure> {
        let task = read_issue(env, &self.task_key, "Task").await?;
        let current_description = description_markdown(&task);
        let mut edit =
            IssueEdit::new().set_description(markup::markdown_to_adf(&self.updated_description));
        let mut current = serde_json::Map::new();
        current.insert("description".into(), json!(current_description));
        let mut current_test_cases = None;
        let mut notes = Vec::new();
        if let Some(tests) = &self.updated_test_cases {
            match test_field_id(env).await? {
                Some(field) => {
                    current_test_cases = field_markdown(&task, &field);
                    current.insert(field.clone(), json!(current_test_cases));
                    edit = edit.set_rich_text(field, markup::markdown_to_adf(tests));
                }
                None if self.update_jira => return Err(Failure::invalid(NO_TEST_FIELD)),
                None => notes.push(format!(
                    "{NO_TEST_FIELD}; the test cases cannot be written."
                )),
            }
        }
        let step = WriteStep::new(
            format!("coverage-update:{}", task.key),
            Write::EditIssue {
                key: task.key.clone(),
                edit,
                current: Some(Value::Object(current)),
            },
        );
        let steps = std::slice::from_ref(&step);
        let scope = WriteScope::of(ctx);
        let plan = writes::preview(&env.jira, scope.id(), steps).await?;
        let outcomes = if self.update_jira {
            Executor::new(&env.jira, &env.db, scope)
                .run_all(steps)
                .await
        } else {
            Vec::new()
        };
        let updated = succeeded(&outcomes);
        let error = first_error(&outcomes);
        let mut message = if !self.update_jira {
            format!(
                "Preview: task {} would be updated. Set update_jira=true to commit.",
                task.key
            )
        } else if updated {
            format!("Task {} updated in Jira", task.key)
        } else {
            format!("Task {} was not updated", task.key)
        };
        for note in notes {
            message.push(' ');
            message.push_str(&note);
        }
        Ok(UpdateTaskResponse {
            success: error.is_none(),
            task_key: task.key.clone(),
            updated_in_jira: updated,
            preview_description: Some(self.updated_description),
            preview_test_cases: self.updated_test_cases,
            current_description,
            current_test_cases,
            message,
            error,
            write_plan: Some(plan),
            writes: outcomes,
        })
    }
}

impl BackgroundJob for CreateCoverageTask {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<CreateTaskResponse, Failure> {
        let story = read_issue(env, &self.story_key, "Story").await?;
        let mut warnings = Vec::new();
        let epic_key = match story.parent_key() {
            Some(parent_key) => {
                let parent = read_issue(env, parent_key, "Epic").await?;
                if is_epic(&parent) {
                    Some(parent.key)
                } else {
                    warnings.push(format!(
                        "{}'s parent {parent_key} is not an epic; the task is created without a parent",
                        story.key
                    ));
                    None
                }
            }
            None => {
                warnings.push(format!(
                    "{} has no parent epic; the task is created without a parent",
                    story.key
                ));
                None
            }
        };
        let project = story.key.split('-').next().unwrap_or_default().to_owned();
        let mut description = self.task_description.clone();
        let mut issue = NewIssue::new(project, "Task", self.task_summary.clone());
        if let Some(tests) = &self.test_cases {
            match test_field_id(env).await? {
                Some(field) => {
                    issue =
                        issue.with_custom_field(field, markup::markdown_to_adf(tests).to_json());
                }
                None => {
                    warnings.push(format!(
                        "{NO_TEST_FIELD}; the test cases are added to the description instead"
                    ));
                    description =
                        format!("{}\n\n**Test cases:**\n\n{tests}\n", description.trim_end());
                }
            }
        }
        issue = issue.with_description(markup::markdown_to_adf(&description));
        if let Some(epic) = &epic_key {
            issue = issue.with_parent(epic.clone());
        }
        let link = match env.jira.known_link_type(KnownLinkType::WorkItemSplit).await {
            Ok(_) => KnownLinkType::WorkItemSplit,
            Err(atlassian::Error::LinkTypeNotFound { .. } | atlassian::Error::NotFound { .. }) => {
                warnings.push(
                    "This Jira site has no \"Work item split\" link type; the task is linked with \"Relates\"".to_owned(),
                );
                KnownLinkType::Relates
            }
            Err(error) => return Err(Failure::jira("link types", error)),
        };
        let link_name = env
            .jira
            .known_link_type(link)
            .await
            .map(|t| t.name)
            .unwrap_or_else(|_| link.name().to_owned());
        // The story "split to" the new task: the task reads "split from <story>".
        let steps = vec![
            WriteStep::new("create:task", Write::CreateIssue(issue)),
            WriteStep::new(
                "link:story",
                Write::CreateLink {
                    link,
                    inward: IssueRef::Existing(story.key.clone()),
                    outward: IssueRef::Created("create:task".to_owned()),
                },
            ),
        ];
        let scope = WriteScope::of(ctx);
        let plan = writes::preview(&env.jira, scope.id(), &steps).await?;
        let (outcomes, task_key) = if self.create_ticket {
            let mut executor = Executor::new(&env.jira, &env.db, scope);
            let outcomes = executor.run_all(&steps).await;
            let key = executor.created_key("create:task").map(str::to_owned);
            (outcomes, key)
        } else {
            (Vec::new(), None)
        };
        let created = task_key.is_some();
        let error = first_error(&outcomes);
        let message = match (&task_key, self.create_ticket) {
            (_, false) => format!(
                "Preview: a task would be created under {} and linked to {} ({link_name}). Set create_ticket=true to commit.",
                epic_key.as_deref().unwrap_or("no epic"),
                story.key
            ),
            (Some(key), true) => format!("Task {key} created and linked to {}", story.key),
            (None, true) => format!("The task for {} was not created", story.key),
        };
        Ok(CreateTaskResponse {
            success: error.is_none(),
            story_key: story.key.clone(),
            task_key,
            created_in_jira: created,
            preview_summary: Some(self.task_summary),
            preview_description: Some(description),
            preview_test_cases: self.test_cases,
            epic_key,
            link_type: Some(link_name),
            message,
            error,
            warnings,
            write_plan: Some(plan),
            writes: outcomes,
        })
    }
}
