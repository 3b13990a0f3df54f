//! `test_generation`: test cases for one story, one task (plain or with its story and the epic's
//! documents as context), or every story and task of an epic, at a coverage level, tailored to
//! the business domain and technical context (docs/reference-behaviour.md §1.6, §5.3; docs/reference-behaviour.md §5.3).
//!
//! The reference always wrote the tests to Jira; here the test-case field is written only with
//! `update_jira=true`, through [`crate::writes`], and a preview returns the write plan with the
//! field's current value beside the new one.

use std::time::Instant;

use atlassian::models::{Issue, IssueEdit};
use futures::StreamExt;
use generation::task::{
    CoverageLevel as GenLevel, Domain, ParentContext, SourceDocument, TechnicalContext, TestCase,
    TestCasesInput, TestSuite, TestTarget,
};
use job_types::test_generation::{
    ComprehensiveTestSuiteResponse, CoverageLevel, GenerateTests, StoryTests, TaskTests,
    TestCaseModel, TestGenerationOutput, TestGenerationResponse, TestScope, TestStatistics,
};
use job_types::{UsageRecord, WriteOutcome, WritePlan};
use jobs::JobContext;
use llm::{ProviderId, ResolvedModel};
use serde_json::{Value, json};

use crate::custom_fields::FieldRole;
use crate::documents::{EpicDocuments, epic_documents};
use crate::env::JobEnv;
use crate::failure::Failure;
use crate::job::BackgroundJob;
use crate::test_levels::{SourcedCase, fit_to_level};
use crate::tickets::{description_markdown, is_epic, load_ticket, parent_context, read_issue};
use crate::writes::{self, Executor, Write, WriteScope, WriteStep};

/// Most stories and tasks one comprehensive suite covers; the rest are named in a warning.
pub const MAX_SUITE_ITEMS: usize = 60;

impl BackgroundJob for GenerateTests {
    async fn run(self, env: &JobEnv, ctx: &JobContext) -> Result<TestGenerationOutput, Failure> {
        let model = env.resolve_model(self.llm_provider.as_deref(), self.llm_model.as_deref())?;
        match self.test_type {
            TestScope::Comprehensive => comprehensive(&self, env, ctx, &model)
                .await
                .map(TestGenerationOutput::Suite),
            _ => single(&self, env, ctx, &model)
                .await
                .map(TestGenerationOutput::Single),
        }
    }
}

/// The generator's coverage level for the API's.
pub fn generation_level(level: CoverageLevel) -> GenLevel {
    match level {
        CoverageLevel::Minimal => GenLevel::Minimal,
        CoverageLevel::Basic => GenLevel::Basic,
        CoverageLevel::Standard => GenLevel::Standard,
        CoverageLevel::Comprehensive => GenLevel::Comprehensive,
    }
}

/// The canonical name of a requested business domain, and what to test for it.
pub fn domain_guidance(domain: &str) -> (String, String) {
    let lower = domain.trim().to_lowercase();
    let has = |words: &[&str]| words.iter().any(|word| lower.contains(word));
    if has(&["financ", "payment", "bank", "billing", "fintech", "money"]) {
        (
            "financial".into(),
            "Financial domain: test monetary calculations and rounding, currency handling, idempotent payment transactions (no double charge on retry), refunds, audit trail entries and compliance (PCI DSS).".into(),
        )
    } else if has(&["health", "medical", "patient", "clinic", "hipaa"]) {
        (
            "healthcare".into(),
            "Healthcare domain: test HIPAA compliance, privacy and access control of patient data, audit logging of record access, and accuracy of clinical data.".into(),
        )
    } else if has(&["commerce", "shop", "retail", "cart", "order"]) {
        (
            "ecommerce".into(),
            "E-commerce domain: test cart and order totals, inventory reservation and stock limits, payment processing, promotions and order confirmation.".into(),
        )
    } else if has(&["secur", "auth", "login", "permission", "identity"]) {
        (
            "security".into(),
            "Security domain: test authentication, authorisation and role checks, session expiry, encryption of sensitive data, and input validation against injection.".into(),
        )
    } else {
        let name = domain.trim().to_owned();
        let text = format!("Domain: {name}; tailor the tests to its rules and risks.");
        (name, text)
    }
}

/// The canonical name of a requested technical context, and what to test for it.
pub fn technical_guidance(context: &str) -> (String, String) {
    let lower = context.trim().to_lowercase();
    let has = |words: &[&str]| words.iter().any(|word| lower.contains(word));
    if has(&["microservice", "service mesh", "distributed"]) {
        (
            "microservice".into(),
            "Microservice context: test service-to-service contracts, timeouts and retries, fault tolerance when a dependency is down, and eventual consistency.".into(),
        )
    } else if has(&["api", "endpoint", "rest", "graphql", "http"]) {
        (
            "api".into(),
            "API context: test endpoint contracts, request validation, status and error codes, pagination and rate limits.".into(),
        )
    } else if has(&["database", "sql", "db", "table", "query", "persistence"]) {
        (
            "database".into(),
            "Database context: test data integrity and constraints, transactions and rollback, migrations, and query performance.".into(),
        )
    } else if has(&[
        "ui",
        "frontend",
        "front-end",
        "interface",
        "web",
        "page",
        "component",
    ]) {
        (
            "ui".into(),
            "UI context: test user interactions, form validation messages, accessibility (keyboard, screen reader) and browser compatibility.".into(),
        )
    } else {
        let name = context.trim().to_owned();
        let text = format!("Technical context: {name}; test its interfaces and failure modes.");
        (name, text)
    }
}

/// The domain name a detected domain is reported as.
fn detected_domain(domain: Domain) -> Option<String> {
    let name = match domain {
        Domain::Payments => "financial",
        Domain::Healthcare => "healthcare",
        Domain::Ecommerce => "ecommerce",
        Domain::Authentication => "security",
        Domain::General => return None,
        other => {
            return serde_json::to_value(other)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned));
        }
    };
    Some(name.to_owned())
}

/// The technical context detected contexts are reported as.
fn detected_contexts(contexts: &[TechnicalContext]) -> Option<String> {
    let mut names: Vec<&str> = Vec::new();
    for context in contexts {
        let name = match context {
            TechnicalContext::Api => "api",
            TechnicalContext::Database => "database",
            TechnicalContext::Ui => "ui",
            TechnicalContext::Queue | TechnicalContext::ExternalService => "microservice",
            TechnicalContext::Mobile => "mobile",
            TechnicalContext::Cache => "cache",
            TechnicalContext::Storage => "storage",
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    (!names.is_empty()).then(|| names.join(", "))
}

/// The guidance text given to the generator for the requested contexts, and their names.
struct Tailoring {
    domain: Option<String>,
    technical: Option<String>,
    guidance: Option<String>,
}

fn tailoring(request: &GenerateTests) -> Tailoring {
    let domain = request
        .domain_context
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map(domain_guidance);
    let technical = request
        .technical_context
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(technical_guidance);
    let guidance: Vec<String> = [&domain, &technical]
        .into_iter()
        .flatten()
        .map(|(_, text)| text.clone())
        .collect();
    Tailoring {
        domain: domain.map(|(name, _)| name),
        technical: technical.map(|(name, _)| name),
        guidance: (!guidance.is_empty()).then(|| guidance.join("\n")),
    }
}

/// One generated, level-fitted suite for an item.
struct ItemTests {
    cases: Vec<TestCaseModel>,
    duplicates_removed: usize,
    suite: TestSuite,
    system_prompt: String,
    user_prompt: String,
    usage: UsageRecord,
}

/// Generates tests for `input` with `model` and fits them to the level.
async fn generate_item(
    env: &JobEnv,
    ctx: &JobContext,
    model: &ResolvedModel,
    input: &TestCasesInput,
) -> Result<ItemTests, Failure> {
    let generated = env
        .generate(input, model, ctx.cancellation().clone())
        .await?;
    let offline = model.provider == ProviderId::Offline;
    // The offline suite of the same item tops up a model's answer that falls short of the level.
    let fallback: Vec<TestCase> = if offline {
        Vec::new()
    } else {
        generation::offline::generate_typed(input)
            .map(|suite| suite.test_cases)
            .unwrap_or_default()
    };
    let source = if offline { "offline" } else { "llm_ai" };
    let fitted = fit_to_level(
        generated.output.test_cases.clone(),
        source,
        &fallback,
        input.coverage_level,
        &input.summary,
    );
    Ok(ItemTests {
        cases: fitted.cases.iter().map(test_case_model).collect(),
        duplicates_removed: fitted.duplicates_removed,
        suite: generated.output,
        system_prompt: generated.system_prompt,
        user_prompt: generated.user_prompt,
        usage: generated.usage,
    })
}

/// A generated test as the API shows it.
pub fn test_case_model(sourced: &SourcedCase) -> TestCaseModel {
    let case = &sourced.case;
    let name = |value: Value| value.as_str().unwrap_or_default().to_owned();
    TestCaseModel {
        title: case.title.clone(),
        test_type: name(json!(case.test_type)),
        description: case.description.clone(),
        expected_result: case.expected_result.clone(),
        priority: Some(name(json!(case.priority))),
        traceability: case.covers.clone(),
        precondition: (!case.preconditions.is_empty()).then(|| case.preconditions.join("; ")),
        test_steps: (!case.test_steps.is_empty()).then(|| case.test_steps.join("\n")),
        source: Some(sourced.source.to_owned()),
    }
}

/// The tests as the test-case field holds them (Markdown).
pub fn test_cases_markdown(cases: &[TestCaseModel]) -> String {
    let mut out = String::new();
    for (index, case) in cases.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        out.push_str(&format!("### TC-{:02}: {}\n\n", index + 1, case.title));
        let priority = case.priority.as_deref().unwrap_or("P1");
        out.push_str(&format!(
            "**Type:** {} · **Priority:** {priority}\n\n",
            case.test_type
        ));
        out.push_str(case.description.trim());
        out.push_str("\n\n");
        if let Some(precondition) = &case.precondition {
            out.push_str(&format!("**Preconditions:** {precondition}\n\n"));
        }
        if let Some(steps) = &case.test_steps {
            out.push_str("**Steps:**\n\n");
            for step in steps.lines().filter(|line| !line.trim().is_empty()) {
                out.push_str(&format!("- {}\n", step.trim()));
            }
            out.push('\n');
        }
        out.push_str(&format!(
            "**Expected result:** {}\n",
            case.expected_result.trim()
        ));
    }
    out
}

/// The value of a rich-text (or plain) field as Markdown.
pub fn field_markdown(issue: &Issue, field_id: &str) -> Option<String> {
    let value = issue.fields.raw(field_id)?;
    let text = match value {
        Value::String(text) => text.clone(),
        Value::Object(_) => markup::AdfDoc::from_json(value.clone())
            .map(|doc| markup::adf_to_markdown(&doc))
            .ok()?,
        other => other.to_string(),
    };
    let text = text.trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// The edit writing `markdown` to `issue`'s test-case field, with the current value.
pub fn test_field_edit(issue: &Issue, field_id: &str, markdown: &str) -> Write {
    let current = field_markdown(issue, field_id);
    Write::EditIssue {
        key: issue.key.clone(),
        edit: IssueEdit::new().set_rich_text(field_id, markup::markdown_to_adf(markdown)),
        current: Some(json!({ field_id: current })),
    }
}

/// The test-case field's id, or why there is none.
async fn test_field(env: &JobEnv) -> Result<Option<String>, Failure> {
    let resolution = env.custom_fields().resolve(&env.jira).await?;
    Ok(resolution.id(FieldRole::TestCases).map(str::to_owned))
}

const NO_TEST_FIELD: &str = "This Jira site has no test-case field; set JIRA_TEST_CASE_CUSTOM_FIELD or add a field named \"Test cases\" to write tests to Jira";

/// Previews `steps` and, with `update_jira`, executes them once.
async fn plan_and_write(
    env: &JobEnv,
    ctx: &JobContext,
    steps: &[WriteStep],
    update_jira: bool,
) -> Result<(WritePlan, Vec<WriteOutcome>), Failure> {
    let scope = WriteScope::of(ctx);
    let plan = writes::preview(&env.jira, scope.id(), steps).await?;
    let outcomes = if update_jira {
        Executor::new(&env.jira, &env.db, scope)
            .run_all(steps)
            .await
    } else {
        Vec::new()
    };
    Ok((plan, outcomes))
}

fn written(outcomes: &[WriteOutcome]) -> bool {
    !outcomes.is_empty()
        && outcomes
            .iter()
            .all(|o| o.status == "written" || o.status == "already_written")
}

fn failed_writes(outcomes: &[WriteOutcome]) -> Vec<String> {
    outcomes
        .iter()
        .filter(|o| o.status == "failed")
        .map(|o| {
            format!(
                "Writing the tests of {} failed: {}",
                o.target,
                o.error.as_deref().unwrap_or("unknown error")
            )
        })
        .collect()
}

/// The story a task belongs to: its parent when that is a story, else a story linked by a
/// "split" link.
async fn story_of(env: &JobEnv, task: &Issue, parent: Option<&Issue>) -> Option<Issue> {
    if let Some(parent) = parent
        && is_story(parent)
    {
        return Some(parent.clone());
    }
    for link in &task.fields.issuelinks {
        if !link.link_type.name.to_lowercase().contains("split") {
            continue;
        }
        let Some(other) = link.inward_issue.as_ref().or(link.outward_issue.as_ref()) else {
            continue;
        };
        let linked_is_story = other
            .fields
            .as_ref()
            .and_then(|fields| fields.issuetype.as_ref())
            .is_some_and(|kind| is_story_type(&kind.name));
        if linked_is_story && let Ok(story) = read_issue(env, &other.key, "Story").await {
            return Some(story);
        }
    }
    None
}

fn is_story_type(name: &str) -> bool {
    generation::task::IssueType::from_name(name) == generation::task::IssueType::Story
}

fn is_story(issue: &Issue) -> bool {
    issue.issue_type_name().is_some_and(is_story_type)
}

fn story_context_text(story: &Issue) -> String {
    match description_markdown(story) {
        Some(description) => format!("{}: {}\n\n{description}", story.key, story.summary()),
        None => format!("{}: {}", story.key, story.summary()),
    }
}

fn document_context_text(documents: &EpicDocuments) -> Option<String> {
    let used: Vec<String> = documents
        .sources
        .iter()
        .filter(|source| source.skipped.is_none())
        .map(|source| {
            let title = source.title.as_deref().unwrap_or(&source.url);
            if source.sections.is_empty() {
                format!("{} \"{title}\" ({} chars)", source.kind, source.chars)
            } else {
                format!(
                    "{} \"{title}\": {} ({} chars)",
                    source.kind,
                    source.sections.join(", "),
                    source.chars
                )
            }
        })
        .collect();
    (!used.is_empty()).then(|| used.join("; "))
}

async fn single(
    request: &GenerateTests,
    env: &JobEnv,
    ctx: &JobContext,
    model: &ResolvedModel,
) -> Result<TestGenerationResponse, Failure> {
    let started = Instant::now();
    let (key, target) = match request.test_type {
        TestScope::Story => (request.story_key.as_deref(), TestTarget::Story),
        _ => (request.task_key.as_deref(), TestTarget::Task),
    };
    let key = key.ok_or_else(|| Failure::invalid("the request names no story or task"))?;
    let context_aware = request.test_type == TestScope::TaskContextAware;
    let with_documents = request.include_documents || context_aware;
    let ticket = load_ticket(env, key, with_documents).await?;
    let mut warnings = ticket.documents.warnings();
    let mut context_sources = Vec::new();
    let story = if target == TestTarget::Task {
        story_of(env, &ticket.issue, ticket.parent.as_ref()).await
    } else {
        None
    };
    if target == TestTarget::Story && !is_story(&ticket.issue) {
        warnings.push(format!(
            "{key} is a {}, not a story; its tests are written as story tests",
            ticket.issue_type_name
        ));
    }
    // Plain task tests see the task's parent; context-aware ones the story the task belongs to.
    let parent: Option<ParentContext> = match (&story, context_aware) {
        (Some(story), true) => Some(parent_context(story)),
        _ => ticket.parent_context(),
    };
    let story_context = match (&story, context_aware) {
        (Some(story), true) => {
            context_sources.push(format!("story: {}", story.key));
            Some(story_context_text(story))
        }
        (None, true) => {
            warnings.push(format!(
                "{key} has no parent story and no \"split\" link to one; tests use the task and its epic only"
            ));
            None
        }
        _ => None,
    };
    let documents: Vec<SourceDocument> = if with_documents {
        context_sources.extend(ticket.documents.source_names());
        ticket.documents.documents.clone()
    } else {
        Vec::new()
    };
    let tailoring = tailoring(request);
    let input = TestCasesInput {
        target,
        key: Some(ticket.key.clone()),
        summary: ticket.summary.clone(),
        description: ticket.description.clone(),
        acceptance_criteria: Vec::new(),
        team: None,
        parent,
        documents,
        additional_context: tailoring.guidance.clone(),
        coverage_level: generation_level(request.coverage_level),
    };
    let tests = generate_item(env, ctx, model, &input).await?;
    let text = test_cases_markdown(&tests.cases);
    let field = test_field(env).await?;
    let mut errors = Vec::new();
    let steps: Vec<WriteStep> = match &field {
        Some(field) => vec![WriteStep::new(
            format!("tests:{}", ticket.key),
            test_field_edit(&ticket.issue, field, &text),
        )],
        None if request.update_jira => {
            return Err(Failure::invalid(NO_TEST_FIELD.to_owned()));
        }
        None => {
            warnings.push(NO_TEST_FIELD.to_owned());
            Vec::new()
        }
    };
    let (plan, outcomes) = plan_and_write(env, ctx, &steps, request.update_jira).await?;
    errors.extend(failed_writes(&outcomes));
    let epic_key = ticket.epic.as_ref().map(|epic| epic.key.clone());
    let (story_key, task_key) = match target {
        TestTarget::Story => (Some(ticket.key.clone()), None),
        TestTarget::Task => (
            story.as_ref().map(|s| s.key.clone()),
            Some(ticket.key.clone()),
        ),
    };
    Ok(TestGenerationResponse {
        success: errors.is_empty(),
        coverage_level: request.coverage_level,
        epic_key,
        story_key,
        task_key,
        test_count: tests.cases.len(),
        domain_context: tailoring
            .domain
            .or_else(|| detected_domain(tests.suite.domain)),
        technical_context: tailoring
            .technical
            .or_else(|| detected_contexts(&tests.suite.technical_contexts)),
        story_context,
        document_context: if with_documents {
            document_context_text(&ticket.documents)
        } else {
            None
        },
        context_sources,
        errors,
        warnings,
        execution_time_seconds: started.elapsed().as_secs_f64(),
        duplicates_removed: tests.duplicates_removed,
        current_test_cases: field
            .as_deref()
            .and_then(|field| field_markdown(&ticket.issue, field)),
        test_cases_text: text,
        updated_in_jira: written(&outcomes),
        write_plan: Some(plan),
        writes: outcomes,
        llm_provider: Some(model.provider.to_string()),
        llm_model: Some(model.model.clone()),
        system_prompt: Some(tests.system_prompt),
        user_prompt: Some(tests.user_prompt),
        usage: Some(tests.usage),
        test_cases: tests.cases,
    })
}

/// A story or task of the epic, with what its tests are generated from.
struct SuiteItem {
    issue: Issue,
    target: TestTarget,
    parent_story: Option<String>,
    parent: Option<ParentContext>,
}

async fn comprehensive(
    request: &GenerateTests,
    env: &JobEnv,
    ctx: &JobContext,
    model: &ResolvedModel,
) -> Result<ComprehensiveTestSuiteResponse, Failure> {
    let started = Instant::now();
    let epic_key = match (&request.epic_key, &request.story_key) {
        (Some(epic), _) => epic.clone(),
        (None, Some(story_key)) => {
            let story = read_issue(env, story_key, "Story").await?;
            let parent = story.parent_key().ok_or_else(|| {
                Failure::invalid(format!(
                    "Story {story_key} has no parent epic; send epic_key"
                ))
            })?;
            parent.to_owned()
        }
        (None, None) => return Err(Failure::invalid("send epic_key or story_key")),
    };
    let epic = read_issue(env, &epic_key, "Epic").await?;
    if !is_epic(&epic) {
        return Err(Failure::invalid(format!(
            "{epic_key} is a {}, not an epic; send the epic's key as epic_key",
            epic.issue_type_name().unwrap_or("ticket")
        )));
    }
    let field = test_field(env).await?;
    if field.is_none() && request.update_jira {
        return Err(Failure::invalid(NO_TEST_FIELD.to_owned()));
    }
    let documents = if request.include_documents {
        epic_documents(env, &epic).await
    } else {
        EpicDocuments::default()
    };
    let mut warnings = documents.warnings();
    if field.is_none() {
        warnings.push(NO_TEST_FIELD.to_owned());
    }
    let mut fields: Vec<&str> = vec![
        "summary",
        "description",
        "issuetype",
        "parent",
        "issuelinks",
        "status",
    ];
    if let Some(field) = &field {
        fields.push(field);
    }
    let children = env
        .jira
        .epic_children(&epic_key, &fields, MAX_SUITE_ITEMS + 1)
        .await
        .map_err(|e| Failure::jira(&epic_key, e))?;
    let epic_context = parent_context(&epic);
    let mut items: Vec<SuiteItem> = Vec::new();
    let stories: Vec<&Issue> = children.iter().filter(|issue| is_story(issue)).collect();
    for story in &stories {
        items.push(SuiteItem {
            issue: (*story).clone(),
            target: TestTarget::Story,
            parent_story: None,
            parent: Some(epic_context.clone()),
        });
    }
    for task in children
        .iter()
        .filter(|issue| !is_story(issue) && !is_epic(issue))
    {
        let story = split_story_key(task);
        items.push(SuiteItem {
            issue: task.clone(),
            target: TestTarget::Task,
            parent_story: story,
            parent: Some(epic_context.clone()),
        });
    }
    if !stories.is_empty() {
        let keys: Vec<String> = stories
            .iter()
            .map(|story| atlassian::jira::quote_jql(&story.key))
            .collect();
        let query = atlassian::SearchQuery::new(format!(
            "parent in ({}) ORDER BY key ASC",
            keys.join(", ")
        ))
        .with_fields(fields.iter().copied());
        let subtasks = env
            .jira
            .search_all(query, MAX_SUITE_ITEMS + 1)
            .await
            .map_err(|e| Failure::jira(&epic_key, e))?;
        for subtask in subtasks {
            let story = stories
                .iter()
                .find(|story| Some(story.key.as_str()) == subtask.parent_key());
            items.push(SuiteItem {
                parent_story: story.map(|story| story.key.clone()),
                parent: story.map(|story| parent_context(story)),
                issue: subtask,
                target: TestTarget::Task,
            });
        }
    }
    if items.len() > MAX_SUITE_ITEMS {
        let left: Vec<String> = items
            .iter()
            .skip(MAX_SUITE_ITEMS)
            .map(|item| item.issue.key.clone())
            .collect();
        warnings.push(format!(
            "{epic_key} has more than {MAX_SUITE_ITEMS} stories and tasks; no tests for {}",
            left.join(", ")
        ));
        items.truncate(MAX_SUITE_ITEMS);
    }
    if items.is_empty() {
        warnings.push(format!("{epic_key} has no stories or tasks to test"));
    }
    let tailoring = tailoring(request);
    let level = generation_level(request.coverage_level);
    let inputs: Vec<TestCasesInput> = items
        .iter()
        .map(|item| TestCasesInput {
            target: item.target,
            key: Some(item.issue.key.clone()),
            summary: item.issue.summary().to_owned(),
            description: description_markdown(&item.issue),
            acceptance_criteria: Vec::new(),
            team: None,
            parent: item.parent.clone(),
            documents: documents.documents.clone(),
            additional_context: tailoring.guidance.clone(),
            coverage_level: level,
        })
        .collect();
    let concurrency = env.batch_concurrency.max(1);
    let pending: Vec<_> = inputs
        .iter()
        .map(|input| generate_item(env, ctx, model, input))
        .collect();
    let results: Vec<Result<ItemTests, Failure>> = futures::stream::iter(pending)
        .buffered(concurrency)
        .collect()
        .await;
    let mut response = ComprehensiveTestSuiteResponse {
        epic_key: epic_key.clone(),
        coverage_level: request.coverage_level,
        context_sources: documents.source_names(),
        llm_provider: Some(model.provider.to_string()),
        llm_model: Some(model.model.clone()),
        domain_context: tailoring.domain.clone(),
        technical_context: tailoring.technical.clone(),
        ..Default::default()
    };
    let mut usage = UsageRecord::default();
    let mut steps = Vec::new();
    let mut stats = TestStatistics::default();
    for (item, result) in items.iter().zip(results) {
        if ctx.cancellation().is_cancelled() {
            return Err(Failure::internal("cancelled"));
        }
        let tests = match result {
            Ok(tests) => tests,
            Err(failure) => {
                response
                    .errors
                    .push(format!("{}: {}", item.issue.key, failure.0.message));
                continue;
            }
        };
        usage.add(&tests.usage);
        if response.system_prompt.is_none() {
            response.system_prompt = Some(tests.system_prompt.clone());
        }
        if response.domain_context.is_none() {
            response.domain_context = detected_domain(tests.suite.domain);
        }
        if response.technical_context.is_none() {
            response.technical_context = detected_contexts(&tests.suite.technical_contexts);
        }
        stats.duplicates_removed += tests.duplicates_removed;
        for case in &tests.cases {
            *stats.by_type.entry(case.test_type.clone()).or_default() += 1;
            let priority = case.priority.clone().unwrap_or_else(|| "P1".into());
            *stats.by_priority.entry(priority).or_default() += 1;
        }
        if let Some(field) = &field {
            steps.push(WriteStep::new(
                format!("tests:{}", item.issue.key),
                test_field_edit(&item.issue, field, &test_cases_markdown(&tests.cases)),
            ));
        }
        response.total_test_cases += tests.cases.len();
        match item.target {
            TestTarget::Story => {
                stats.stories += 1;
                response.story_tests.insert(
                    item.issue.key.clone(),
                    StoryTests {
                        story_summary: item.issue.summary().to_owned(),
                        test_count: tests.cases.len(),
                        test_cases: tests.cases,
                        coverage_level: request.coverage_level,
                        user_prompt: Some(tests.user_prompt),
                    },
                );
            }
            TestTarget::Task => {
                stats.tasks += 1;
                response.task_tests.insert(
                    item.issue.key.clone(),
                    TaskTests {
                        task_summary: item.issue.summary().to_owned(),
                        parent_story: item.parent_story.clone(),
                        test_count: tests.cases.len(),
                        test_cases: tests.cases,
                        coverage_level: request.coverage_level,
                        user_prompt: Some(tests.user_prompt),
                    },
                );
            }
        }
    }
    let items_done = stats.stories + stats.tasks;
    stats.average_per_item = if items_done == 0 {
        0.0
    } else {
        (response.total_test_cases as f64 / items_done as f64 * 10.0).round() / 10.0
    };
    let (plan, outcomes) = plan_and_write(env, ctx, &steps, request.update_jira).await?;
    response.errors.extend(failed_writes(&outcomes));
    response.updated_in_jira = written(&outcomes);
    response.write_plan = Some(plan);
    response.writes = outcomes;
    response.test_statistics = stats;
    response.usage = (usage.calls > 0).then_some(usage);
    response.warnings = warnings;
    response.success = response.errors.is_empty();
    response.execution_time_seconds = started.elapsed().as_secs_f64();
    Ok(response)
}

/// The story a task of the epic was split from, by its "split" link.
fn split_story_key(task: &Issue) -> Option<String> {
    task.fields
        .issuelinks
        .iter()
        .filter(|link| link.link_type.name.to_lowercase().contains("split"))
        .filter_map(|link| link.inward_issue.as_ref().or(link.outward_issue.as_ref()))
        .find(|other| {
            other
                .fields
                .as_ref()
                .and_then(|fields| fields.issuetype.as_ref())
                .is_some_and(|kind| is_story_type(&kind.name))
        })
        .map(|other| other.key.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requested_contexts_are_named_canonically() {
        assert_eq!(domain_guidance("Payments").0, "financial");
        assert_eq!(domain_guidance("HIPAA records").0, "healthcare");
        assert_eq!(domain_guidance("e-commerce").0, "ecommerce");
        assert_eq!(domain_guidance("auth").0, "security");
        assert_eq!(domain_guidance("logistics").0, "logistics");
        assert_eq!(technical_guidance("REST API").0, "api");
        assert_eq!(technical_guidance("PostgreSQL database").0, "database");
        assert_eq!(technical_guidance("React UI").0, "ui");
        assert_eq!(technical_guidance("microservices").0, "microservice");
    }

    #[test]
    fn markdown_lists_every_test_with_its_steps() {
        let case = TestCaseModel {
            title: "Guest pays".into(),
            test_type: "acceptance".into(),
            description: "A guest completes payment.".into(),
            expected_result: "Order confirmed.".into(),
            priority: Some("P0".into()),
            traceability: None,
            precondition: Some("Cart has items".into()),
            test_steps: Some(
                "Given a cart\nWhen the guest pays\nThen the order is confirmed".into(),
            ),
            source: Some("offline".into()),
        };
        let text = test_cases_markdown(&[case.clone(), case]);
        assert!(text.starts_with("### TC-01: Guest pays"));
        assert!(text.contains("### TC-02: Guest pays"));
        assert!(text.contains("- When the guest pays"));
        assert!(text.contains("**Expected result:** Order confirmed."));
    }
}
