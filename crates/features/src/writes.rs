//! Writes to Jira as a plan first (ARCHITECTURE.md, "Preview by default"; docs/exactly-once.md).
//!
//! A feature lists the writes it intends as [`WriteStep`]s. [`preview`] renders them as a
//! [`WritePlan`]: the exact requests, with edits showing the current values. [`Executor`] sends
//! them, each step at most once across every attempt of the job:
//!
//! 1. the step's intent id (job id + step name) is recorded in the database before sending;
//! 2. a step whose intent is `done` is not sent again: its recorded result is reused;
//! 3. a step whose intent is `pending` may have reached Jira before a crash: a create is looked
//!    up by the marker label every created issue carries (`pw-<intent>`), a link by the issue's
//!    links; only when nothing is found is it sent again. Edits set absolute values, so
//!    re-sending one is harmless.

use std::collections::BTreeMap;
use std::sync::Arc;

use atlassian::models::{AdfDoc, IssueEdit, NewIssue};
use atlassian::models::{NewSprint, SprintState, SprintUpdate};
use atlassian::{JiraClient, KnownLinkType, RequestPreview, SearchQuery};
use job_types::{FailureCode, PlannedWrite, WriteAction, WriteOutcome, WritePlan, intent_id};
use jobs::JobContext;
use serde_json::{Value, json};
use store::{Database, IntentState, LeaseFence};

use crate::failure::Failure;

/// An issue named by a write: one that exists, or one an earlier step of the same plan creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueRef {
    Existing(String),
    Created(String),
}

impl IssueRef {
    fn resolve(&self, created: &BTreeMap<String, String>) -> Result<String, Failure> {
        match self {
            IssueRef::Existing(key) => Ok(key.clone()),
            IssueRef::Created(step) => created.get(step).cloned().ok_or_else(|| {
                Failure::new(
                    FailureCode::JiraRejected,
                    format!("step `{step}` created no issue, so its links were not made"),
                )
            }),
        }
    }

    fn display(&self, created: &BTreeMap<String, String>) -> String {
        match self {
            IssueRef::Existing(key) => key.clone(),
            IssueRef::Created(step) => created
                .get(step)
                .cloned()
                .unwrap_or_else(|| format!("{{{{created:{step}}}}}")),
        }
    }
}

/// An edit of a Confluence page's storage body that can be applied again to a newer version
/// of the page: [`Write::UpdatePage`] re-reads and re-applies it when someone saved the page
/// in between, so their change survives (the PRD link write-back is one).
pub trait PageEdit: std::fmt::Debug + Send + Sync {
    /// The new body for `body`. `key` resolves an issue the edit names to its key (`None`
    /// when the step meant to create it created nothing); `report` receives what the edit
    /// did, stored as the write's result.
    fn apply(
        &self,
        body: &str,
        key: &dyn Fn(&IssueRef) -> Option<String>,
        report: &mut serde_json::Value,
    ) -> Result<String, String>;
}

/// One intended write.
#[derive(Debug, Clone)]
pub enum Write {
    /// Create an issue; it also gets the plan's marker label.
    CreateIssue(NewIssue),
    /// Edit an issue. `current` holds the present values of the fields changed, for previews.
    EditIssue {
        key: String,
        edit: IssueEdit,
        current: Option<Value>,
    },
    /// "`inward` <outward description> `outward`", e.g. Blocks: inward blocks outward.
    CreateLink {
        link: KnownLinkType,
        inward: IssueRef,
        outward: IssueRef,
    },
    /// Edit a Confluence page: `edit` applied to the page as read now (previews apply it to
    /// `page`, the version read when planning), saved with Confluence's version check and
    /// re-applied to a re-read page on a conflict (`ConfluenceClient::edit_page`).
    UpdatePage {
        page: atlassian::Page,
        message: String,
        edit: Arc<dyn PageEdit>,
    },
    /// A Jira Software sprint write ([`SprintWrite`]).
    Sprint(SprintWrite),
    /// Add a comment to an issue. A comment carries no label, so an attempt whose outcome was
    /// lost is recognised by an existing comment with the same text.
    AddComment { key: String, body: AdfDoc },
}

/// A sprint named by a write: one that exists (its id), or one an earlier step of the same plan
/// creates (that step's name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SprintRef {
    Existing(u64),
    Created(String),
}

impl SprintRef {
    fn resolve(&self, created: &BTreeMap<String, String>) -> Result<u64, Failure> {
        match self {
            SprintRef::Existing(id) => Ok(*id),
            SprintRef::Created(step) => created
                .get(step)
                .and_then(|id| id.parse().ok())
                .ok_or_else(|| {
                    Failure::new(
                        FailureCode::JiraRejected,
                        format!("step `{step}` created no sprint, so no issue was moved into it"),
                    )
                }),
        }
    }

    fn display(&self, created: &BTreeMap<String, String>) -> String {
        match self {
            SprintRef::Existing(id) => id.to_string(),
            SprintRef::Created(step) => created
                .get(step)
                .cloned()
                .unwrap_or_else(|| format!("{{{{created:{step}}}}}")),
        }
    }
}

/// Sprint writes (Jira Software agile API). A pending create is looked up by name on its board
/// before it is sent again; moves and updates set absolute state, so re-sending them is
/// harmless.
#[derive(Debug, Clone)]
pub enum SprintWrite {
    /// Create a (future) sprint on `sprint.origin_board_id`.
    Create(NewSprint),
    /// Change the given fields of a sprint.
    Update {
        sprint_id: u64,
        update: SprintUpdate,
    },
    /// Move at most 50 issues into a sprint (one request).
    MoveToSprint {
        sprint: SprintRef,
        issues: Vec<String>,
    },
    /// Move at most 50 issues out of their sprints to the backlog (one request).
    MoveToBacklog { issues: Vec<String> },
}

impl SprintWrite {
    fn action(&self) -> WriteAction {
        match self {
            SprintWrite::Create(_) => WriteAction::CreateSprint,
            SprintWrite::Update { .. } => WriteAction::UpdateSprint,
            SprintWrite::MoveToSprint { .. } => WriteAction::MoveToSprint,
            SprintWrite::MoveToBacklog { .. } => WriteAction::MoveToBacklog,
        }
    }

    fn target(&self, created: &BTreeMap<String, String>) -> String {
        match self {
            SprintWrite::Create(sprint) => sprint.name.clone(),
            SprintWrite::Update { sprint_id, .. } => format!("sprint {sprint_id}"),
            SprintWrite::MoveToSprint { sprint, issues } => {
                format!("{} → sprint {}", issues.join(", "), sprint.display(created))
            }
            SprintWrite::MoveToBacklog { issues } => format!("{} → backlog", issues.join(", ")),
        }
    }

    fn preview(&self, jira: &JiraClient, created: &BTreeMap<String, String>) -> RequestPreview {
        match self {
            SprintWrite::Create(sprint) => jira.preview_create_sprint(sprint),
            SprintWrite::Update { sprint_id, update } => {
                jira.preview_update_sprint(&sprint_id.to_string(), update)
            }
            SprintWrite::MoveToSprint { sprint, issues } => {
                let keys: Vec<&str> = issues.iter().map(String::as_str).collect();
                jira.preview_move_issues_to_sprint(&sprint.display(created), &keys)
            }
            SprintWrite::MoveToBacklog { issues } => {
                let keys: Vec<&str> = issues.iter().map(String::as_str).collect();
                jira.preview_move_issues_to_backlog(&keys)
            }
        }
    }

    async fn send(
        &self,
        jira: &JiraClient,
        created: &BTreeMap<String, String>,
    ) -> atlassian::Result<Value> {
        match self {
            SprintWrite::Create(sprint) => {
                let made = jira.create_sprint(sprint).await?;
                Ok(json!({ "id": made.id, "name": made.name }))
            }
            SprintWrite::Update { sprint_id, update } => {
                let changed = jira.update_sprint(*sprint_id, update).await?;
                Ok(json!({ "id": changed.id, "name": changed.name }))
            }
            SprintWrite::MoveToSprint { sprint, issues } => {
                let id = sprint
                    .resolve(created)
                    .map_err(|failure| atlassian::Error::Config(failure.0.message))?;
                let keys: Vec<&str> = issues.iter().map(String::as_str).collect();
                jira.move_issues_to_sprint(id, &keys).await?;
                Ok(json!({ "sprint_id": id, "issues": issues }))
            }
            SprintWrite::MoveToBacklog { issues } => {
                let keys: Vec<&str> = issues.iter().map(String::as_str).collect();
                jira.move_issues_to_backlog(&keys).await?;
                Ok(json!({ "issues": issues }))
            }
        }
    }

    /// A sprint create that may have reached Jira: the board's open sprint of that name.
    async fn find_earlier(&self, jira: &JiraClient) -> Result<Option<Value>, Failure> {
        let SprintWrite::Create(sprint) = self else {
            return Ok(None);
        };
        let open = [SprintState::Future, SprintState::Active];
        let found = jira
            .board_sprints(sprint.origin_board_id, &open)
            .await?
            .into_iter()
            .find(|existing| existing.name == sprint.name);
        Ok(found.map(|existing| json!({ "id": existing.id, "name": existing.name })))
    }
}

impl Write {
    fn action(&self) -> WriteAction {
        match self {
            Write::CreateIssue(_) => WriteAction::CreateIssue,
            Write::EditIssue { .. } => WriteAction::EditIssue,
            Write::CreateLink { .. } => WriteAction::CreateLink,
            Write::UpdatePage { .. } => WriteAction::UpdatePage,
            Write::Sprint(write) => write.action(),
            Write::AddComment { .. } => WriteAction::AddComment,
        }
    }
}

/// A write with its step name, unique within the plan and stable across attempts
/// (e.g. `create:task_1`, `link:blocks:task_1:task_2`).
#[derive(Debug, Clone)]
pub struct WriteStep {
    pub step: String,
    pub write: Write,
}

impl WriteStep {
    pub fn new(step: impl Into<String>, write: Write) -> Self {
        Self {
            step: step.into(),
            write,
        }
    }
}

/// The label that marks an issue created by intent `intent`.
pub fn marker_label(intent: &str) -> String {
    format!("pw-{}", &intent[..intent.len().min(16)])
}

/// Renders `steps` as the plan a preview returns. `scope` is what intent ids derive from (the
/// job id); reads link types from Jira, writes nothing.
pub async fn preview(
    jira: &JiraClient,
    scope: &str,
    steps: &[WriteStep],
) -> Result<WritePlan, Failure> {
    let created = BTreeMap::new();
    let mut writes = Vec::with_capacity(steps.len());
    for step in steps {
        let intent = intent_id(scope, &step.step);
        let (target, request, current) = match &step.write {
            Write::CreateIssue(issue) => {
                let issue = with_marker(issue.clone(), &intent);
                (
                    issue.summary.clone(),
                    jira.preview_create_issue(&issue),
                    None,
                )
            }
            Write::EditIssue { key, edit, current } => (
                key.clone(),
                jira.preview_edit_issue(key, edit),
                current.clone(),
            ),
            Write::CreateLink {
                link,
                inward,
                outward,
            } => {
                let link_type = jira.known_link_type(*link).await?;
                let (inward, outward) = (inward.display(&created), outward.display(&created));
                (
                    format!("{inward} {} {outward}", link_type.outward),
                    jira.preview_create_link(&link_type, &inward, &outward),
                    None,
                )
            }
            Write::UpdatePage {
                page,
                message,
                edit,
            } => {
                let display = |issue: &IssueRef| Some(issue.display(&created));
                let mut report = Value::Null;
                let body = edit
                    .apply(&page.body_storage, &display, &mut report)
                    .map_err(|why| {
                        Failure::new(
                            FailureCode::ConfluenceFailed,
                            format!("page {}: {why}", page.id),
                        )
                    })?;
                (
                    page_target(page),
                    atlassian::ConfluenceClient::preview_update_page(page, &body, Some(message)),
                    Some(json!({ "version": page.version, "report": report })),
                )
            }
            Write::Sprint(write) => (write.target(&created), write.preview(jira, &created), None),
            Write::AddComment { key, body } => {
                (key.clone(), jira.preview_add_comment(key, body), None)
            }
        };
        writes.push(planned(
            intent,
            step.write.action(),
            target,
            request,
            current,
        ));
    }
    Ok(WritePlan { writes })
}

fn planned(
    intent_id: String,
    action: WriteAction,
    target: String,
    request: RequestPreview,
    current: Option<Value>,
) -> PlannedWrite {
    PlannedWrite {
        intent_id,
        action,
        target,
        method: request.method.to_owned(),
        path: request.path,
        body: request.body,
        current,
    }
}

/// How a page write names its page.
fn page_target(page: &atlassian::Page) -> String {
    format!("page {} \"{}\"", page.id, page.title)
}

fn with_marker(mut issue: NewIssue, intent: &str) -> NewIssue {
    let label = marker_label(intent);
    if !issue.labels.contains(&label) {
        issue.labels.push(label);
    }
    issue
}

/// Whose writes these are: the scope of their intent ids (a job id) and, for a job run, the
/// run's lease fence, so a run that lost its lease can never start a write.
#[derive(Debug, Clone)]
pub struct WriteScope {
    id: String,
    fence: Option<LeaseFence>,
}

impl WriteScope {
    /// The writes of one job run: scoped by its job id, fenced by its lease.
    pub fn of(ctx: &JobContext) -> Self {
        Self {
            id: ctx.job_id().to_string(),
            fence: Some(ctx.fence()),
        }
    }

    /// The writes of the run holding `fence`, scoped by `id`.
    pub fn fenced(id: impl Into<String>, fence: LeaseFence) -> Self {
        Self {
            id: id.into(),
            fence: Some(fence),
        }
    }

    /// Writes outside any job run (tests, tools): scoped by `id`, with no lease to check.
    pub fn unfenced(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            fence: None,
        }
    }

    /// The scope of the intent ids.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// Sends planned writes exactly once for one job.
pub struct Executor<'a> {
    jira: &'a JiraClient,
    db: &'a Database,
    scope: WriteScope,
    /// Keys created so far, by step name.
    created: BTreeMap<String, String>,
    /// For [`Write::UpdatePage`] steps.
    confluence: Option<Arc<atlassian::ConfluenceClient>>,
}

impl<'a> Executor<'a> {
    /// An executor for the writes of `scope`.
    pub fn new(jira: &'a JiraClient, db: &'a Database, scope: WriteScope) -> Self {
        Self {
            jira,
            db,
            scope,
            created: BTreeMap::new(),
            confluence: None,
        }
    }

    /// The Confluence site [`Write::UpdatePage`] steps write to.
    pub fn with_confluence(mut self, confluence: Option<Arc<atlassian::ConfluenceClient>>) -> Self {
        self.confluence = confluence;
        self
    }

    /// The key step `step` created, once it ran.
    pub fn created_key(&self, step: &str) -> Option<&str> {
        self.created.get(step).map(String::as_str)
    }

    /// Every key created so far, by step.
    pub fn created(&self) -> &BTreeMap<String, String> {
        &self.created
    }

    /// Runs every step in order; a failed step is reported and the rest go on (a link whose issue
    /// was not created fails too). Returns one outcome per step.
    pub async fn run_all(&mut self, steps: &[WriteStep]) -> Vec<WriteOutcome> {
        let mut outcomes = Vec::with_capacity(steps.len());
        for step in steps {
            outcomes.push(self.run(step).await);
        }
        outcomes
    }

    /// Runs one step at most once across attempts.
    pub async fn run(&mut self, step: &WriteStep) -> WriteOutcome {
        let intent = intent_id(&self.scope.id, &step.step);
        let action = step.write.action();
        let target = self.target_of(&step.write);
        let outcome = |status: &str, result: Option<Value>, error: Option<String>| WriteOutcome {
            intent_id: intent.clone(),
            action,
            target: target.clone(),
            status: status.to_owned(),
            result,
            error,
        };
        match self.run_inner(&intent, step, &target).await {
            Ok((status, result)) => {
                if let (Write::CreateIssue(_), Some(key)) =
                    (&step.write, result.get("key").and_then(Value::as_str))
                {
                    self.created.insert(step.step.clone(), key.to_owned());
                }
                if let (Write::Sprint(SprintWrite::Create(_)), Some(id)) =
                    (&step.write, result.get("id").and_then(Value::as_u64))
                {
                    self.created.insert(step.step.clone(), id.to_string());
                }
                outcome(status, Some(result), None)
            }
            Err(failure) => outcome("failed", None, Some(failure.0.message)),
        }
    }

    /// Like [`Self::run`], but a failed step is the [`Failure`] itself (with its code: rejected,
    /// unavailable, outcome unknown), for callers whose request fails when the write does.
    pub async fn try_run(&mut self, step: &WriteStep) -> Result<WriteOutcome, Failure> {
        let intent = intent_id(&self.scope.id, &step.step);
        let target = self.target_of(&step.write);
        let (status, result) = self.run_inner(&intent, step, &target).await?;
        if let (Write::CreateIssue(_), Some(key)) =
            (&step.write, result.get("key").and_then(Value::as_str))
        {
            self.created.insert(step.step.clone(), key.to_owned());
        }
        if let (Write::Sprint(SprintWrite::Create(_)), Some(id)) =
            (&step.write, result.get("id").and_then(Value::as_u64))
        {
            self.created.insert(step.step.clone(), id.to_string());
        }
        Ok(WriteOutcome {
            intent_id: intent,
            action: step.write.action(),
            target,
            status: status.to_owned(),
            result: Some(result),
            error: None,
        })
    }

    fn target_of(&self, write: &Write) -> String {
        match write {
            Write::CreateIssue(issue) => issue.summary.clone(),
            Write::EditIssue { key, .. } => key.clone(),
            Write::CreateLink {
                link,
                inward,
                outward,
            } => format!(
                "{} {} {}",
                inward.display(&self.created),
                link.descriptions().1,
                outward.display(&self.created)
            ),
            Write::UpdatePage { page, .. } => page_target(page),
            Write::Sprint(write) => write.target(&self.created),
            Write::AddComment { key, .. } => key.clone(),
        }
    }

    async fn run_inner(
        &self,
        intent: &str,
        step: &WriteStep,
        target: &str,
    ) -> Result<(&'static str, Value), Failure> {
        let state = self
            .db
            .begin_intent(
                intent,
                &self.scope.id,
                self.scope.fence.as_ref(),
                step.write.action().as_str(),
                target,
            )
            .await?;
        match state {
            IntentState::Done(result) => return Ok(("already_written", result)),
            IntentState::Pending => {
                if let Some(result) = self.find_earlier(intent, &step.write).await? {
                    self.db.finish_intent(intent, &result).await?;
                    return Ok(("already_written", result));
                }
            }
            IntentState::New => {}
        }
        match self.send(intent, &step.write).await {
            Ok(result) => {
                self.db.finish_intent(intent, &result).await?;
                Ok(("written", result))
            }
            Err(error) => {
                if !error.may_have_reached_jira() {
                    self.db.abandon_intent(intent).await?;
                }
                Err(Failure::jira(target, error))
            }
        }
    }

    async fn send(&self, intent: &str, write: &Write) -> atlassian::Result<Value> {
        match write {
            Write::CreateIssue(issue) => {
                let created = self
                    .jira
                    .create_issue(&with_marker(issue.clone(), intent))
                    .await?;
                Ok(json!({ "key": created.key, "id": created.id }))
            }
            Write::EditIssue { key, edit, .. } => {
                self.jira.edit_issue(key, edit).await?;
                Ok(json!({ "key": key }))
            }
            Write::CreateLink {
                link,
                inward,
                outward,
            } => {
                let (inward, outward) = self.link_ends(inward, outward)?;
                let link_type = self.jira.known_link_type(*link).await?;
                self.jira
                    .create_link(&link_type, &inward, &outward, None)
                    .await?;
                Ok(json!({ "type": link_type.name, "inward": inward, "outward": outward }))
            }
            Write::UpdatePage {
                page,
                message,
                edit,
            } => {
                let Some(confluence) = &self.confluence else {
                    return Err(atlassian::Error::Config(
                        "Confluence is not configured (set CONFLUENCE_SERVER_URL, CONFLUENCE_USERNAME, CONFLUENCE_API_TOKEN)".into(),
                    ));
                };
                let resolve = |issue: &IssueRef| issue.resolve(&self.created).ok();
                // The report of the attempt that was saved (the last one applied).
                let last = std::sync::Mutex::new((Value::Null, false));
                let saved = confluence
                    .edit_page(&page.id, Some(message), |body| {
                        let mut attempt = Value::Null;
                        let new_body = edit.apply(body, &resolve, &mut attempt)?;
                        if let Ok(mut last) = last.lock() {
                            *last = (attempt, new_body != body);
                        }
                        Ok::<_, String>(new_body)
                    })
                    .await?;
                let (report, changed) = last.into_inner().unwrap_or_else(|p| p.into_inner());
                Ok(json!({
                    "page_id": saved.id,
                    "version": saved.version,
                    "changed": changed,
                    "report": report,
                }))
            }
            Write::Sprint(write) => write.send(self.jira, &self.created).await,
            Write::AddComment { key, body } => {
                let comment = self.jira.add_comment(key, body).await?;
                Ok(json!({ "key": key, "comment_id": comment.id }))
            }
        }
    }

    fn link_ends(
        &self,
        inward: &IssueRef,
        outward: &IssueRef,
    ) -> atlassian::Result<(String, String)> {
        let resolve = |end: &IssueRef| {
            end.resolve(&self.created)
                .map_err(|failure| atlassian::Error::Config(failure.0.message))
        };
        Ok((resolve(inward)?, resolve(outward)?))
    }

    /// Looks for the effect of a write that may have reached Jira before a crash.
    async fn find_earlier(&self, intent: &str, write: &Write) -> Result<Option<Value>, Failure> {
        match write {
            Write::CreateIssue(_) => {
                let jql = format!("labels = \"{}\"", marker_label(intent));
                let found = self
                    .jira
                    .search_all(SearchQuery::new(jql).with_fields(["summary"]), 1)
                    .await?;
                Ok(found
                    .first()
                    .map(|issue| json!({ "key": issue.key, "id": issue.id })))
            }
            Write::CreateLink {
                link,
                inward,
                outward,
            } => {
                let (inward, outward) = self
                    .link_ends(inward, outward)
                    .map_err(|error| Failure::internal(error.to_string()))?;
                let link_type = self.jira.known_link_type(*link).await?;
                let issue = self.jira.get_issue(&inward, &["issuelinks"], &[]).await?;
                let exists = issue.fields.issuelinks.iter().any(|existing| {
                    existing.link_type.name == link_type.name
                        && existing
                            .outward_issue
                            .as_ref()
                            .is_some_and(|other| other.key == outward)
                });
                Ok(exists.then(
                    || json!({ "type": link_type.name, "inward": inward, "outward": outward }),
                ))
            }
            // Absolute edits are safe to repeat.
            Write::EditIssue { .. } => Ok(None),
            // A page edit re-reads the page and changes only what is still missing.
            Write::UpdatePage { .. } => Ok(None),
            Write::Sprint(write) => write.find_earlier(self.jira).await,
            Write::AddComment { key, body } => {
                let wanted = markup::adf_to_plain_text(body);
                let comments = self.jira.comments(key, 1000).await?;
                Ok(comments
                    .iter()
                    .rev()
                    .find(|comment| {
                        comment
                            .body
                            .as_ref()
                            .is_some_and(|existing| markup::adf_to_plain_text(existing) == wanted)
                    })
                    .map(|comment| json!({ "key": key, "comment_id": comment.id })))
            }
        }
    }
}
