//! The chat agent's tools: what it may read (issues with comments and links, Confluence pages,
//! JQL searches, a project's create metadata, users) and the ticket intelligence features it may
//! run for a reply (a description, a story's task breakdown, test cases). No tool writes: every
//! write is a proposal the user confirms (docs/chat.md).

use atlassian::SearchQuery;
use atlassian::models::Issue;
use generation::task::{
    ChatTurnText, IssueType, JqlQueryInput, StoryTasksInput, TestCasesInput, TicketDescriptionInput,
};
use job_types::FailureCode;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::memory::clip;
use crate::env::JobEnv;
use crate::failure::Failure;
use crate::tickets::description_markdown;

/// Issues a search lists at most.
pub(crate) const SEARCH_LIMIT: usize = 50;
/// Comments read per issue at most (the newest are what matter for an assessment).
const COMMENTS_READ: usize = 50;
/// Characters of a page or description carried into prompts.
const TEXT_CHARS: usize = 12_000;

/// One tool call the agent planned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "tool", rename_all = "snake_case")]
pub(crate) enum ToolCall {
    /// An issue with its comments and links.
    ReadIssue { key: String },
    /// A Confluence page by URL or id.
    ReadPage { page: String },
    /// Turn the request into JQL (a model call), validate it, then search with it.
    TranslateToJql {
        request: String,
        project_key: Option<String>,
    },
    /// Search with validated JQL.
    SearchJql { jql: String, explanation: String },
    /// The issue types, priorities and components a project's create screen allows.
    CreateMeta { project_key: String },
    /// Generate a description for an issue (read-only: shown, not written).
    GenerateDescription { key: String },
    /// Break a story into team tasks (read-only).
    BreakDownStory { key: String },
    /// Write test cases for an issue (read-only).
    WriteTestCases { key: String },
}

impl ToolCall {
    /// The tool's name, as the live view shows it.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            ToolCall::ReadIssue { .. } => "read_issue",
            ToolCall::ReadPage { .. } => "read_page",
            ToolCall::TranslateToJql { .. } => "translate_to_jql",
            ToolCall::SearchJql { .. } => "search_jql",
            ToolCall::CreateMeta { .. } => "create_meta",
            ToolCall::GenerateDescription { .. } => "generate_description",
            ToolCall::BreakDownStory { .. } => "break_down_story",
            ToolCall::WriteTestCases { .. } => "write_test_cases",
        }
    }
}

/// What a tool returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Observation {
    pub tool: String,
    /// False when the tool could not do its job (the issue does not exist, the JQL was
    /// invalid); `text` then says why, and the reply says it too.
    pub ok: bool,
    /// What the tool found, as text for prompts and replies.
    pub text: String,
    /// The same, structured.
    pub data: Value,
}

impl Observation {
    fn ok(tool: &str, text: String, data: Value) -> Self {
        Self {
            tool: tool.to_owned(),
            ok: true,
            text,
            data,
        }
    }

    fn failed(tool: &str, text: String) -> Self {
        Self {
            tool: tool.to_owned(),
            ok: false,
            text,
            data: Value::Null,
        }
    }
}

/// An issue as the agent reads it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct IssueFacts {
    pub key: String,
    pub url: String,
    pub summary: String,
    pub issue_type: String,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub assignee: Option<String>,
    pub labels: Vec<String>,
    pub components: Vec<String>,
    pub description: Option<String>,
    pub parent: Option<String>,
    /// "Author: text", oldest first.
    pub comments: Vec<String>,
    /// "blocks PROJ-2: Summary".
    pub links: Vec<String>,
    pub estimate: Option<f64>,
}

impl IssueFacts {
    /// The facts as lines of text for a prompt.
    pub(crate) fn text(&self) -> String {
        let mut lines = vec![
            format!("{} ({}): {}", self.key, self.issue_type, self.summary),
            format!(
                "Status: {}; priority: {}; assignee: {}",
                self.status.as_deref().unwrap_or("unknown"),
                self.priority.as_deref().unwrap_or("none"),
                self.assignee.as_deref().unwrap_or("unassigned")
            ),
        ];
        if !self.labels.is_empty() {
            lines.push(format!("Labels: {}", self.labels.join(", ")));
        }
        if let Some(parent) = &self.parent {
            lines.push(format!("Parent: {parent}"));
        }
        if let Some(description) = &self.description {
            lines.push(format!("Description:\n{description}"));
        }
        for link in &self.links {
            lines.push(format!("Link: {link}"));
        }
        for comment in &self.comments {
            lines.push(format!("Comment: {comment}"));
        }
        lines.join("\n")
    }
}

/// Runs `call`. A tool that cannot do its job returns a failed observation (the agent tells the
/// user); only a dependency that is down fails the step.
pub(crate) async fn run(
    env: &JobEnv,
    call: &ToolCall,
    conversation: &[ChatTurnText],
    model: &llm::ResolvedModel,
    cancel: llm::CancellationToken,
    usage: &mut job_types::UsageRecord,
) -> Result<(Observation, Vec<ToolCall>), Failure> {
    let name = call.name();
    let observed = match call {
        ToolCall::ReadIssue { key } => match read_issue_facts(env, key).await? {
            Some(facts) => {
                let data = serde_json::to_value(&facts).unwrap_or(Value::Null);
                Observation::ok(name, facts.text(), data)
            }
            None => Observation::failed(name, format!("{key} does not exist or is not visible")),
        },
        ToolCall::ReadPage { page } => read_page(env, page).await,
        ToolCall::TranslateToJql {
            request,
            project_key,
        } => {
            let input = JqlQueryInput {
                request: request.clone(),
                conversation: conversation.to_vec(),
                project_key: project_key.clone(),
            };
            let generated = env.generate(&input, model, cancel).await?;
            usage.add(&generated.usage);
            let query = generated.output;
            return Ok(match jql::validate(&query.jql) {
                Ok(_) => (
                    Observation::ok(
                        name,
                        format!("JQL: {} ({})", query.jql, query.explanation),
                        json!({ "jql": query.jql, "explanation": query.explanation }),
                    ),
                    vec![ToolCall::SearchJql {
                        jql: query.jql,
                        explanation: query.explanation,
                    }],
                ),
                Err(error) => (
                    Observation::failed(
                        name,
                        format!("the query `{}` is not valid JQL: {error}", query.jql),
                    ),
                    Vec::new(),
                ),
            });
        }
        ToolCall::SearchJql { jql, explanation } => search(env, jql, explanation).await?,
        ToolCall::CreateMeta { project_key } => create_meta(env, project_key).await?,
        ToolCall::GenerateDescription { key } => {
            let Some(issue) = read_issue(env, key).await? else {
                return Ok((missing(name, key), Vec::new()));
            };
            let input = TicketDescriptionInput {
                ticket_key: Some(issue.key.clone()),
                summary: issue.summary().to_owned(),
                issue_type: IssueType::from_name(issue.issue_type_name().unwrap_or("Task")),
                description: description_markdown(&issue),
                parent: None,
                documents: Vec::new(),
                additional_context: None,
                linked_changes: Vec::new(),
                labels: issue.fields.labels.clone(),
                components: Vec::new(),
            };
            let generated = env.generate(&input, model, cancel).await?;
            usage.add(&generated.usage);
            let markdown = generated.output.to_markdown();
            Observation::ok(
                name,
                format!("Generated description for {key}:\n{markdown}"),
                json!({ "key": key, "description": markdown }),
            )
        }
        ToolCall::BreakDownStory { key } => {
            let Some(issue) = read_issue(env, key).await? else {
                return Ok((missing(name, key), Vec::new()));
            };
            let input: StoryTasksInput = generation::parse_input(&json!({
                "story_key": issue.key,
                "summary": issue.summary(),
                "description": description_markdown(&issue),
            }))
            .map_err(|error| Failure::internal(format!("story tasks input: {error}")))?;
            let generated = env.generate(&input, model, cancel).await?;
            usage.add(&generated.usage);
            let tasks: Vec<String> = generated
                .output
                .tasks
                .iter()
                .map(|task| format!("[{:?}] {}", task.team, task.summary))
                .collect();
            Observation::ok(
                name,
                format!("Tasks for {key}:\n- {}", tasks.join("\n- ")),
                serde_json::to_value(&generated.output).unwrap_or(Value::Null),
            )
        }
        ToolCall::WriteTestCases { key } => {
            let Some(issue) = read_issue(env, key).await? else {
                return Ok((missing(name, key), Vec::new()));
            };
            let input: TestCasesInput = generation::parse_input(&json!({
                "key": issue.key,
                "summary": issue.summary(),
                "description": description_markdown(&issue),
            }))
            .map_err(|error| Failure::internal(format!("test cases input: {error}")))?;
            let generated = env.generate(&input, model, cancel).await?;
            usage.add(&generated.usage);
            let cases: Vec<String> = generated
                .output
                .test_cases
                .iter()
                .map(|case| case.title.clone())
                .collect();
            Observation::ok(
                name,
                format!("Test cases for {key}:\n- {}", cases.join("\n- ")),
                serde_json::to_value(&generated.output).unwrap_or(Value::Null),
            )
        }
    };
    Ok((observed, Vec::new()))
}

fn ref_summary(issue: &atlassian::models::IssueRef) -> &str {
    issue
        .fields
        .as_ref()
        .and_then(|fields| fields.summary.as_deref())
        .unwrap_or_default()
}

fn missing(tool: &str, key: &str) -> Observation {
    Observation::failed(tool, format!("{key} does not exist or is not visible"))
}

/// An issue, or `None` when it does not exist.
async fn read_issue(env: &JobEnv, key: &str) -> Result<Option<Issue>, Failure> {
    match crate::tickets::read_issue(env, key, "Ticket").await {
        Ok(issue) => Ok(Some(issue)),
        Err(failure) if failure.code() == FailureCode::NotFound => Ok(None),
        Err(failure) => Err(failure),
    }
}

/// An issue with its comments and links, or `None` when it does not exist.
pub(crate) async fn read_issue_facts(
    env: &JobEnv,
    key: &str,
) -> Result<Option<IssueFacts>, Failure> {
    let Some(issue) = read_issue(env, key).await? else {
        return Ok(None);
    };
    let comments = env
        .jira
        .comments(&issue.key, COMMENTS_READ)
        .await
        .map_err(|error| Failure::jira(key, error))?;
    // The man-days field when the site has one, else story points (Jira Cloud's default id).
    let resolution = env.custom_fields().resolve(&env.jira).await.ok();
    let estimate = resolution
        .as_ref()
        .and_then(|fields| fields.id(crate::custom_fields::FieldRole::Mandays))
        .and_then(|field| issue.fields.raw(field).and_then(Value::as_f64))
        .or_else(|| {
            issue
                .fields
                .raw("customfield_10016")
                .and_then(Value::as_f64)
        });
    let links = issue
        .fields
        .issuelinks
        .iter()
        .filter_map(|link| {
            if let Some(other) = &link.outward_issue {
                Some(format!(
                    "{} {}: {}",
                    link.link_type.outward,
                    other.key,
                    ref_summary(other)
                ))
            } else {
                link.inward_issue.as_ref().map(|other| {
                    format!(
                        "{} {}: {}",
                        link.link_type.inward,
                        other.key,
                        ref_summary(other)
                    )
                })
            }
        })
        .collect();
    Ok(Some(IssueFacts {
        url: env.jira.browse_url(&issue.key).to_string(),
        summary: issue.summary().to_owned(),
        issue_type: issue.issue_type_name().unwrap_or("Task").to_owned(),
        status: issue.status_name().map(str::to_owned),
        priority: issue.fields.priority.as_ref().map(|p| p.name.clone()),
        assignee: issue
            .fields
            .assignee
            .as_ref()
            .map(|user| user.display_name.clone()),
        labels: issue.fields.labels.clone(),
        components: issue
            .fields
            .raw("components")
            .and_then(Value::as_array)
            .map(|components| {
                components
                    .iter()
                    .filter_map(|c| c.get("name").and_then(Value::as_str).map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        description: description_markdown(&issue).map(|text| clip(&text, TEXT_CHARS)),
        parent: issue.parent_key().map(str::to_owned),
        comments: comments
            .iter()
            .filter_map(|comment| {
                let body = comment.body.as_ref().map(markup::adf_to_plain_text)?;
                let author = comment
                    .author
                    .as_ref()
                    .map_or("someone", |user| user.display_name.as_str());
                Some(format!("{author}: {}", body.trim()))
            })
            .collect(),
        links,
        estimate,
        key: issue.key,
    }))
}

async fn read_page(env: &JobEnv, page: &str) -> Observation {
    const NAME: &str = "read_page";
    match crate::documents::read_page(env, page).await {
        Ok((title, text)) => {
            let text = clip(&text, TEXT_CHARS);
            Observation::ok(
                NAME,
                format!("Page \"{title}\":\n{text}"),
                json!({ "title": title, "url": page, "text": text }),
            )
        }
        Err(why) => Observation::failed(NAME, format!("cannot read the page {page}: {why}")),
    }
}

async fn search(env: &JobEnv, jql: &str, explanation: &str) -> Result<Observation, Failure> {
    const NAME: &str = "search_jql";
    let query = SearchQuery::new(jql.to_owned()).with_fields([
        "summary",
        "status",
        "assignee",
        "priority",
        "issuetype",
    ]);
    let issues = match env.jira.search_all(query, SEARCH_LIMIT).await {
        Ok(issues) => issues,
        Err(error @ atlassian::Error::Validation { .. }) => {
            return Ok(Observation::failed(
                NAME,
                format!("Jira refused the query `{jql}`: {error}"),
            ));
        }
        Err(error) => return Err(Failure::jira("the search", error)),
    };
    let total = env.jira.approximate_count(jql).await.ok();
    let rows: Vec<Value> = issues
        .iter()
        .map(|issue| {
            json!({
                "key": issue.key,
                "summary": issue.summary(),
                "status": issue.status_name(),
                "issue_type": issue.issue_type_name(),
                "priority": issue.fields.priority.as_ref().map(|p| p.name.clone()),
                "assignee": issue.fields.assignee.as_ref().map(|u| u.display_name.clone()),
                "url": env.jira.browse_url(&issue.key).to_string(),
            })
        })
        .collect();
    let text = issues
        .iter()
        .map(|issue| {
            format!(
                "{} [{}] {}",
                issue.key,
                issue.status_name().unwrap_or("?"),
                issue.summary()
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    Ok(Observation::ok(
        NAME,
        format!("{} issues for `{jql}`:\n{text}", issues.len()),
        json!({
            "jql": jql,
            "explanation": explanation,
            "total": total.map(|t| t.max(issues.len() as u64)).unwrap_or(issues.len() as u64),
            "issues": rows,
        }),
    ))
}

/// Allowed values of a project's create screen.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct CreateOptions {
    pub project_key: String,
    /// Issue types that are not sub-tasks.
    pub issue_types: Vec<String>,
    pub priorities: Vec<String>,
    pub components: Vec<String>,
    /// Fields the create screen requires that the agent does not fill (a proposal would fail).
    pub required_unfilled: Vec<String>,
}

async fn create_meta(env: &JobEnv, project_key: &str) -> Result<Observation, Failure> {
    const NAME: &str = "create_meta";
    let types = match env.jira.create_meta_issue_types(project_key).await {
        Ok(types) => types,
        Err(atlassian::Error::NotFound { .. }) => {
            return Ok(Observation::failed(
                NAME,
                format!("project {project_key} does not exist or you cannot create issues in it"),
            ));
        }
        Err(error) => return Err(Failure::jira(project_key, error)),
    };
    let issue_types: Vec<_> = types.iter().filter(|t| !t.subtask).collect();
    let mut options = CreateOptions {
        project_key: project_key.to_owned(),
        issue_types: issue_types.iter().map(|t| t.name.clone()).collect(),
        ..CreateOptions::default()
    };
    // Priorities and components are the same for every type of a project in practice; the
    // first standard type's screen gives them.
    if let Some(first) = issue_types.first() {
        let fields = env
            .jira
            .create_meta_fields(project_key, &first.id)
            .await
            .map_err(|error| Failure::jira(project_key, error))?;
        for field in &fields {
            let names: Vec<String> = field
                .allowed_values
                .iter()
                .filter_map(|v| v.get("name").and_then(Value::as_str).map(str::to_owned))
                .collect();
            match field.field_id.as_str() {
                "priority" => options.priorities = names,
                "components" => options.components = names,
                "project" | "issuetype" | "summary" | "description" | "reporter" | "labels"
                | "assignee" | "parent" => {}
                other if field.required && !field.has_default_value => {
                    options
                        .required_unfilled
                        .push(format!("{} ({other})", field.name));
                }
                _ => {}
            }
        }
    }
    let text = format!(
        "Project {project_key}: issue types {}; priorities {}; components {}",
        options.issue_types.join(", "),
        if options.priorities.is_empty() {
            "(any)".to_owned()
        } else {
            options.priorities.join(", ")
        },
        if options.components.is_empty() {
            "(none)".to_owned()
        } else {
            options.components.join(", ")
        }
    );
    Ok(Observation::ok(
        NAME,
        text,
        serde_json::to_value(&options).unwrap_or(Value::Null),
    ))
}
