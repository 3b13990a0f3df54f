//! Offline `story_tasks`: decides which teams a story needs from its words (no Frontend task
//! for a pure backend story), plans their tasks in dependency order (infrastructure and schema,
//! then the API contract, then implementation, then client integration, then QA), estimates
//! each in man-days scaled by complexity signals, and splits tasks longer than the cycle-time
//! limit.

use super::facts::Facts;
use super::phrasebook::{Vars, context_rules, domain_rules};
use super::test_cases::{SuiteRequest, build_cases, shorten};
use super::{OfflineTask, capability, imperative_statements, push_unique, supporting_texts};
use crate::task::{
    CycleTimeEstimate, Domain, StoryTasks, StoryTasksInput, StoryType, Team, TeamTask,
    TechnicalContext, TestTarget,
};
use crate::text_analysis::{Analysis, Lexicon, upper_first};

impl OfflineTask for StoryTasksInput {
    fn generate_offline(&self) -> StoryTasks {
        let texts = supporting_texts(
            self.description.as_deref(),
            self.parent.as_ref(),
            &self.documents,
            self.additional_context.as_deref(),
        );
        let analysis = Analysis::new(&self.summary, &texts, &self.acceptance_criteria);
        let story_facts = Facts::of(&analysis);
        let story_type = story_type(&analysis.lexicon);
        let teams = required_teams(&analysis, story_type);
        let statements = super::clipped(self.description.as_deref())
            .map(imperative_statements)
            .unwrap_or_default();
        let planner = Planner {
            vars: Vars::from_analysis(&analysis),
            analysis: &analysis,
            teams,
            statements,
        };
        let mut planned = planner.plan(story_type);
        planned = split_oversized(planned, self.max_task_cycle_days);
        planned = limit(planned, self.max_tasks as usize);
        let tasks: Vec<TeamTask> = planned
            .iter()
            .enumerate()
            .map(|(index, task)| {
                let test_cases = if self.include_test_cases {
                    let scope_text = task.scopes.join("\n");
                    // Only the tasks that deliver the story's behaviour trace its criteria;
                    // the others are tested against their own scope.
                    let criteria: Vec<String> = if task.carries_criteria {
                        analysis.criteria.iter().map(|c| c.text.clone()).collect()
                    } else {
                        Vec::new()
                    };
                    // The story's summary keeps the tests about what users do; the task's
                    // scopes add its technical context.
                    let mut task_analysis =
                        Analysis::new(&self.summary, &[&scope_text, &task.summary], &criteria);
                    task_analysis.role = analysis.role.clone();
                    let request = SuiteRequest {
                        target: TestTarget::Task,
                        team: Some(task.team),
                        level: self.coverage_level,
                        ticket: Some((&analysis, story_facts)),
                    };
                    build_cases(&task_analysis, &request)
                } else {
                    Vec::new()
                };
                let mut blocked_by_teams: Vec<Team> = task
                    .depends_on
                    .iter()
                    .filter_map(|dep| planned.get(*dep).map(|dep| dep.team))
                    .filter(|team| *team != task.team)
                    .collect();
                blocked_by_teams.sort();
                blocked_by_teams.dedup();
                TeamTask {
                    id: task_id(index),
                    team: task.team,
                    summary: task.summary.clone(),
                    purpose: task.purpose.clone(),
                    scopes: task.scopes.clone(),
                    expected_outcome: task.outcome.clone(),
                    depends_on_tasks: task.depends_on.iter().map(|dep| task_id(*dep)).collect(),
                    blocked_by_teams,
                    estimate: task.effort.estimate(),
                    test_cases,
                }
            })
            .collect();
        let total = tasks
            .iter()
            .map(|task| task.estimate.total_days)
            .sum::<f64>();
        StoryTasks {
            story_type,
            tasks,
            total_estimate_days: round_quarter(total),
        }
    }
}

fn task_id(index: usize) -> String {
    format!("T{}", index + 1)
}

/// Story type by the reference implementation's keyword rules, first match wins; the summary
/// is consulted before the description so a stray word in a long PRD does not decide.
fn story_type(lexicon: &Lexicon) -> StoryType {
    const RULES: [(StoryType, &[&str]); 6] = [
        (
            StoryType::DataFeature,
            &[
                "analytics",
                "processing pipeline",
                "data processing",
                "pipeline*",
                "migrat*",
                "import*",
                "export*",
                "etl",
                "backfill*",
            ],
        ),
        (
            StoryType::ApiFeature,
            &[
                "api",
                "apis",
                "endpoint*",
                "service*",
                "backend",
                "database*",
                "webhook*",
            ],
        ),
        (
            StoryType::UiFeature,
            &[
                "ui",
                "interface",
                "component*",
                "page*",
                "screen*",
                "view*",
                "frontend",
                "user interface",
                "toggle*",
                "form*",
            ],
        ),
        (
            StoryType::Integration,
            &[
                "integrat*",
                "connect*",
                "sync*",
                "third-party",
                "third party",
                "external",
            ],
        ),
        (
            StoryType::AdminFeature,
            &["admin*", "configuration", "settings", "management"],
        ),
        (
            StoryType::Reporting,
            &["report*", "dashboard*", "analytics", "metric*"],
        ),
    ];
    RULES
        .iter()
        .find(|(_, keywords)| keywords.iter().any(|k| lexicon.summary_hits(k) > 0))
        .or_else(|| RULES.iter().find(|(_, keywords)| lexicon.any(keywords)))
        .map_or(StoryType::UserWorkflow, |(story_type, _)| *story_type)
}

const BACKEND_SIGNALS: &[&str] = &[
    "api",
    "apis",
    "endpoint*",
    "backend",
    "back end",
    "database*",
    "db",
    "server*",
    "rest",
    "graphql",
    "webhook*",
    "queue*",
    "job",
    "jobs",
    "cron",
    "migrat*",
    "schema*",
    "table*",
    "persist*",
    "store",
    "stored",
    "save*",
    "email*",
    "sms",
    "notif*",
    "payment*",
    "integrat*",
    "sync*",
    "import*",
    "export*",
    "cache*",
    "auth*",
    "token*",
    "permission*",
    "service",
];
const FRONTEND_SIGNALS: &[&str] = &[
    "ui",
    "frontend",
    "front end",
    "page*",
    "screen*",
    "form*",
    "button*",
    "modal*",
    "dialog*",
    "component*",
    "web app",
    "browser*",
    "react",
    "vue",
    "angular",
    "css",
    "dashboard*",
    "toggle*",
    "layout*",
    "user interface",
    "dark mode",
    "link*",
    "switch*",
    "header",
    "footer",
    "menu*",
    "navbar",
    "sidebar",
    "tooltip*",
    "checkbox*",
    "dropdown*",
    "theme*",
];
const MOBILE_SIGNALS: &[&str] = &[
    "mobile",
    "ios",
    "android",
    "iphone",
    "ipad",
    "tablet*",
    "react native",
    "flutter",
];
const PROVISION_SIGNALS: &[&str] = &[
    "provision*",
    "terraform",
    "infrastructure",
    "kubernetes",
    "k8s",
    "helm",
    "cluster*",
    "dns",
    "certificate*",
    "bucket*",
    "load balancer*",
];
const ROLLOUT_SIGNALS: &[&str] = &[
    "deploy*",
    "monitor*",
    "alert*",
    "ci",
    "cd",
    "feature flag*",
    "rollout",
    "roll out",
    "canary",
    "observability",
];

/// The teams whose work the story needs, QA included whenever anything is built.
fn required_teams(analysis: &Analysis, story_type: StoryType) -> Vec<Team> {
    let lexicon = &analysis.lexicon;
    let mut teams = Vec::new();
    let backend = lexicon.score(BACKEND_SIGNALS) >= 2
        || matches!(
            story_type,
            StoryType::ApiFeature | StoryType::DataFeature | StoryType::Integration
        );
    let frontend = lexicon.score(FRONTEND_SIGNALS) >= 2 || story_type == StoryType::UiFeature;
    let mobile = lexicon.score(MOBILE_SIGNALS) >= 2;
    if backend || !(frontend || mobile) {
        teams.push(Team::Backend);
    }
    if frontend {
        teams.push(Team::Frontend);
    }
    if mobile {
        teams.push(Team::Mobile);
    }
    if lexicon.score(PROVISION_SIGNALS) >= 2 || lexicon.score(ROLLOUT_SIGNALS) >= 3 {
        teams.push(Team::Devops);
    }
    teams.push(Team::Qa);
    teams
}

/// Effort of a planned task before rounding.
#[derive(Debug, Clone, Copy)]
struct Effort {
    development: f64,
    testing: f64,
    review: f64,
    deployment: f64,
    confidence: f64,
}

impl Effort {
    /// Team baselines (development, testing, review, deployment), scaled by the story's
    /// complexity. The reference implementation's baselines (Backend 2/0.5/0.5/0.5) exceed
    /// the default 3-day cycle limit on their own, so every backend task would be split; these
    /// are tuned so that an average task fits the limit and only complex ones split.
    fn for_team(team: Team, complexity: f64) -> Self {
        let (development, testing, review, deployment) = match team {
            Team::Backend => (1.5, 0.5, 0.5, 0.25),
            Team::Frontend => (1.5, 0.5, 0.5, 0.25),
            Team::Mobile => (1.75, 0.5, 0.5, 0.25),
            Team::Qa => (0.5, 1.5, 0.25, 0.25),
            Team::Devops => (1.0, 0.5, 0.25, 0.5),
        };
        Effort {
            development: development * complexity,
            testing: testing * complexity,
            review,
            deployment,
            confidence: (0.8 / complexity.sqrt()).clamp(0.5, 0.85),
        }
    }

    fn fixed(development: f64, testing: f64, review: f64, deployment: f64) -> Self {
        Effort {
            development,
            testing,
            review,
            deployment,
            confidence: 0.8,
        }
    }

    fn total(&self) -> f64 {
        round_quarter(self.development)
            + round_quarter(self.testing)
            + round_quarter(self.review)
            + round_quarter(self.deployment)
    }

    fn scaled(&self, factor: f64) -> Self {
        Effort {
            development: self.development * factor,
            testing: self.testing * factor,
            review: (self.review * factor).max(0.25),
            deployment: self.deployment * factor,
            confidence: self.confidence,
        }
    }

    fn estimate(&self) -> CycleTimeEstimate {
        CycleTimeEstimate {
            development_days: round_quarter(self.development),
            testing_days: round_quarter(self.testing),
            review_days: round_quarter(self.review),
            deployment_days: round_quarter(self.deployment),
            total_days: self.total(),
            confidence: (self.confidence * 100.0).round() / 100.0,
        }
    }
}

fn round_quarter(days: f64) -> f64 {
    (days * 4.0).round() / 4.0
}

/// A task while planning; dependencies are indices into the plan.
#[derive(Debug, Clone)]
struct Planned {
    team: Team,
    summary: String,
    purpose: String,
    scopes: Vec<String>,
    outcome: Vec<String>,
    depends_on: Vec<usize>,
    effort: Effort,
    /// Contracts and provisioning are small by nature and never split.
    splittable: bool,
    /// Whether the task delivers the story's behaviour, so its tests trace the story's
    /// acceptance criteria.
    carries_criteria: bool,
}

struct Planner<'a> {
    analysis: &'a Analysis,
    vars: Vars,
    teams: Vec<Team>,
    /// Imperative sentences from the description: the requester's own scope items.
    statements: Vec<String>,
}

impl Planner<'_> {
    /// True for stories that read data out (export, download) without writing any in.
    fn is_export(&self) -> bool {
        let lexicon = &self.analysis.lexicon;
        lexicon.any(&["export*", "download*"])
            && !lexicon.any(&["import*", "migrat*", "backfill*", "upload*"])
    }

    /// The first scope template of `context` that is true of the story, filled.
    fn layer_scope(&self, context: TechnicalContext) -> Option<String> {
        self.vars
            .phrases(&self.analysis.lexicon, context_rules(context).scopes)
            .into_iter()
            .next()
    }

    fn needs(&self, team: Team) -> bool {
        self.teams.contains(&team)
    }

    fn plan(&self, story_type: StoryType) -> Vec<Planned> {
        let topic = self.vars.topic.clone();
        let complexity = self.analysis.complexity;
        let lexicon = &self.analysis.lexicon;
        let clients = self.needs(Team::Frontend) || self.needs(Team::Mobile);
        let mut plan: Vec<Planned> = Vec::new();
        let mut foundations = Vec::new();

        if self.needs(Team::Devops) && lexicon.score(PROVISION_SIGNALS) >= 2 {
            foundations.push(plan.len());
            plan.push(Planned {
                team: Team::Devops,
                summary: format!("[DEVOPS] Provision infrastructure for {topic}"),
                purpose: format!("Create the infrastructure {topic} runs on, as code, before the services that need it are deployed."),
                scopes: self.statements_about(PROVISION_SIGNALS).into_iter().chain([
                    "Define the resources in infrastructure-as-code and review the plan output".to_owned(),
                    "Create them in staging first, then production, with least-privilege access".to_owned(),
                    "Expose connection settings to services through the secret store".to_owned(),
                ]).collect(),
                outcome: vec!["Staging and production resources exist, are reproducible from code and reachable by the service.".to_owned()],
                depends_on: Vec::new(),
                effort: Effort::for_team(Team::Devops, complexity),
                splittable: false,
                carries_criteria: false,
            });
        }
        if self.needs(Team::Backend) && clients {
            foundations.push(plan.len());
            let endpoints = if self.analysis.entities.endpoints.is_empty() {
                format!("the {topic} endpoints")
            } else {
                self.analysis
                    .entities
                    .endpoints
                    .iter()
                    .map(|e| format!("`{e}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let client_teams = [Team::Frontend, Team::Mobile]
                .into_iter()
                .filter(|team| self.needs(*team))
                .map(Team::name)
                .collect::<Vec<_>>()
                .join(" and ");
            plan.push(Planned {
                team: Team::Backend,
                summary: format!("[BE] Define the API contract for {topic}"),
                purpose: format!("Agree the request and response shapes of {topic} first, so {client_teams} and Backend can build against the same contract in parallel."),
                scopes: vec![
                    format!("Specify request and response schemas and error codes for {endpoints} in OpenAPI"),
                    format!("Review the contract with {client_teams} and publish example payloads"),
                    "Provide fixtures or a mock server so client work can start before the implementation lands".to_owned(),
                ],
                outcome: vec!["The contract is merged and both sides have signed it off.".to_owned()],
                depends_on: Vec::new(),
                effort: Effort::fixed(0.5, 0.0, 0.25, 0.0),
                splittable: false,
                carries_criteria: false,
            });
        }
        let mut schema = None;
        let changes_storage = super::changes_storage(lexicon);
        if self.needs(Team::Backend)
            && self.analysis.has(TechnicalContext::Database)
            && changes_storage
        {
            schema = Some(plan.len());
            let mut scopes: Vec<String> = self
                .layer_scope(TechnicalContext::Database)
                .into_iter()
                .collect();
            if story_type == StoryType::DataFeature
                || self.analysis.in_domain(Domain::DataMigration)
            {
                scopes.push("Backfill existing rows in batches with a dry-run mode and a reconciliation report".to_owned());
            }
            scopes.push(
                "Rehearse the migration and its rollback on a production-sized copy".to_owned(),
            );
            plan.push(Planned {
                team: Team::Backend,
                summary: format!("[BE] Add the data model and migration for {topic}"),
                purpose: format!("Prepare the storage {topic} needs as a migration that can be applied and rolled back safely."),
                scopes,
                outcome: vec!["The migration applies and rolls back cleanly; queries for the story use indexes.".to_owned()],
                depends_on: foundations.iter().copied().filter(|i| is_team(&plan, *i, Team::Devops)).collect(),
                effort: Effort::fixed(1.0, 0.5, 0.25, 0.25).scaled(complexity),
                splittable: true,
                carries_criteria: false,
            });
        }
        let mut implementation = Vec::new();
        let mut backend_done: Vec<usize> = Vec::new();
        if self.needs(Team::Backend) {
            let core = plan.len();
            let mut depends_on = foundations.clone();
            depends_on.extend(schema);
            plan.push(self.backend_core(story_type, depends_on));
            implementation.push(core);
            backend_done.push(core);
            if let Some(extra) = self.backend_extra(vec![core]) {
                implementation.push(plan.len());
                plan.push(extra);
            }
        }
        if self.needs(Team::Frontend) {
            let mut depends_on = foundations
                .iter()
                .copied()
                .filter(|i| is_team(&plan, *i, Team::Backend))
                .collect::<Vec<_>>();
            depends_on.extend(backend_done.iter().copied());
            implementation.push(plan.len());
            plan.push(self.client(Team::Frontend, depends_on));
        }
        if self.needs(Team::Mobile) {
            let mut depends_on = foundations
                .iter()
                .copied()
                .filter(|i| is_team(&plan, *i, Team::Backend))
                .collect::<Vec<_>>();
            depends_on.extend(backend_done.iter().copied());
            implementation.push(plan.len());
            plan.push(self.client(Team::Mobile, depends_on));
        }
        if self.needs(Team::Devops) && lexicon.score(ROLLOUT_SIGNALS) >= 3 {
            let depends_on = implementation.clone();
            implementation.push(plan.len());
            plan.push(Planned {
                team: Team::Devops,
                summary: format!("[DEVOPS] Configure rollout and monitoring for {topic}"),
                purpose: format!("Release {topic} gradually and see problems before users report them."),
                scopes: self.statements_about(ROLLOUT_SIGNALS).into_iter().chain([
                    format!("Put {topic} behind a feature flag and plan a staged rollout"),
                    "Add dashboards for throughput, error rate and latency, and alerts on the SLO".to_owned(),
                    "Document the rollback procedure in the runbook".to_owned(),
                ]).collect(),
                outcome: vec!["The rollout can be paused or reverted in minutes, and alerts fire on regressions.".to_owned()],
                depends_on,
                effort: Effort::for_team(Team::Devops, complexity),
                splittable: true,
                carries_criteria: false,
            });
        }
        if self.needs(Team::Qa) {
            // QA is blocked by every implementation task, of every team.
            plan.push(self.qa(implementation.clone()));
        }
        plan
    }

    fn backend_core(&self, story_type: StoryType, depends_on: Vec<usize>) -> Planned {
        let topic = &self.vars.topic;
        let complexity = self.analysis.complexity;
        let action = upper_first(&self.analysis.summary.action_phrase());
        let endpoint = self.analysis.entities.endpoints.first();
        let (summary, purpose, mut scopes) = match (story_type, endpoint) {
            (StoryType::Integration, _) if self.vars.named_service => (
                format!("[BE] Integrate with {} for {topic}", self.vars.service),
                format!(
                    "Exchange {topic} data with {} safely and idempotently.",
                    self.vars.service
                ),
                self.vars.phrases(
                    &self.analysis.lexicon,
                    domain_rules(Domain::Integration).scopes,
                ),
            ),
            (_, Some(endpoint)) => (
                format!("[BE] Implement `{endpoint}`"),
                self.server_purpose(),
                Vec::new(),
            ),
            // An export only reads: no dry run, no rejected rows, and the user waits for a file.
            (StoryType::DataFeature, None) if self.is_export() => (
                format!("[BE] Generate the {topic} file"),
                format!(
                    "Produce the file behind {topic} with the right rows, even at production volume."
                ),
                vec![
                    "Stream rows in batches instead of loading them into memory".to_owned(),
                    "Quote and escape every value so spreadsheets show it verbatim".to_owned(),
                    "Send large files as a download link instead of making the user wait"
                        .to_owned(),
                ],
            ),
            (StoryType::DataFeature, None) => (
                format!("[BE] {action} as a background job"),
                format!(
                    "Move or transform the data behind {topic} reliably, at production volume."
                ),
                vec![
                    "Process rows in batches, idempotently (keyed by a natural id) and resumably"
                        .to_owned(),
                    "Provide a dry-run mode that reports counts and rejected rows without writing"
                        .to_owned(),
                    "Report progress and every rejected row with its reason".to_owned(),
                ],
            ),
            _ => (format!("[BE] {action}"), self.server_purpose(), Vec::new()),
        };
        let mut own: Vec<String> = self.backend_statements().into_iter().take(3).collect();
        own.append(&mut scopes);
        let mut scopes = own;
        // Only a story that names a route or an endpoint adds one; "rate-limit all /v1
        // endpoints" changes existing ones.
        let names_endpoint = !self.analysis.entities.endpoints.is_empty()
            || self.analysis.lexicon.summary_hits("endpoint*") > 0;
        for context in [
            TechnicalContext::Api,
            TechnicalContext::Queue,
            TechnicalContext::Cache,
            TechnicalContext::ExternalService,
        ] {
            let skip = (context == TechnicalContext::Api && !names_endpoint)
                || (story_type == StoryType::Integration
                    && context == TechnicalContext::ExternalService);
            if self.analysis.has(context)
                && !skip
                && let Some(scope) = self.layer_scope(context)
            {
                push_unique(&mut scopes, scope);
            }
        }
        let domain_scopes = domain_rules(self.analysis.domain).scopes;
        for scope in self
            .vars
            .phrases(&self.analysis.lexicon, domain_scopes)
            .into_iter()
            .take(2)
        {
            push_unique(&mut scopes, scope);
        }
        for criterion in self.analysis.criteria.iter().take(3) {
            push_unique(&mut scopes, format!("Enforce: {}", criterion.text));
        }
        scopes.truncate(6);
        push_unique(
            &mut scopes,
            format!("Unit and integration tests for {topic}, including failure paths"),
        );
        Planned {
            team: Team::Backend,
            summary: shorten(&summary, 100),
            purpose,
            scopes,
            outcome: vec![
                format!(
                    "The server side of {topic} works end to end and is covered by automated tests."
                ),
                "Errors are answered with documented codes and logged with request context."
                    .to_owned(),
            ],
            depends_on,
            effort: Effort::for_team(Team::Backend, complexity),
            splittable: true,
            carries_criteria: true,
        }
    }

    fn server_purpose(&self) -> String {
        format!(
            "Implement the server side of “{}” so that {}.",
            self.analysis.summary.clean,
            super::benefit_for(&self.vars.role, domain_rules(self.analysis.domain).benefit)
        )
    }

    /// The requester's own imperative sentences that are about the server: not about the
    /// interface, and not infrastructure or rollout work when DevOps has a task.
    fn backend_statements(&self) -> Vec<String> {
        self.statements
            .iter()
            .filter(|statement| {
                let lexicon = Lexicon::new(statement, &[]);
                lexicon.score(FRONTEND_SIGNALS) < 3
                    && !(self.needs(Team::Devops)
                        && (lexicon.score(PROVISION_SIGNALS) >= 3
                            || lexicon.score(ROLLOUT_SIGNALS) >= 3))
            })
            .cloned()
            .collect()
    }

    /// The requester's own imperative sentences matching `signals`.
    fn statements_about(&self, signals: &[&str]) -> Vec<String> {
        self.statements
            .iter()
            .filter(|statement| Lexicon::new(statement, &[]).score(signals) >= 3)
            .cloned()
            .collect()
    }

    /// The requester's own imperative sentences that are about the interface.
    fn frontend_statements(&self) -> Vec<String> {
        self.statements
            .iter()
            .filter(|statement| Lexicon::new(statement, &[]).score(FRONTEND_SIGNALS) >= 3)
            .cloned()
            .collect()
    }

    /// A second backend task when the story spans a second domain that is work of its own
    /// (sending the reset email of a password-reset story).
    fn backend_extra(&self, depends_on: Vec<usize>) -> Option<Planned> {
        let topic = &self.vars.topic;
        // Only a domain the story clearly names (in its summary, or three times in its text)
        // is work of its own.
        let secondary = self
            .analysis
            .domains
            .iter()
            .skip(1)
            .copied()
            .find(|domain| {
                matches!(
                    domain,
                    Domain::Notifications | Domain::Payments | Domain::Search
                ) && self.analysis.domain_score(*domain) >= 3
            })?;
        let (summary, purpose) = match secondary {
            Domain::Notifications => (
                format!("[BE] Send {topic} notifications"),
                format!(
                    "Tell {}s about {topic} promptly through the right channel.",
                    self.vars.role
                ),
            ),
            Domain::Payments => (
                format!("[BE] Handle payments for {topic}"),
                "Collect and record payments for the story exactly once.".to_owned(),
            ),
            Domain::Search => (
                format!("[BE] Index {topic} for search"),
                format!("Make {topic} findable as soon as it changes."),
            ),
            _ => (
                format!("[BE] Expose {topic} data for reporting"),
                format!(
                    "Make {topic} data available to reports with correct filters and time zones."
                ),
            ),
        };
        Some(Planned {
            team: Team::Backend,
            summary,
            purpose,
            scopes: self
                .vars
                .phrases(&self.analysis.lexicon, domain_rules(secondary).scopes),
            outcome: self
                .vars
                .phrases(&self.analysis.lexicon, domain_rules(secondary).outcomes)
                .iter()
                .map(|outcome| super::sentence(outcome))
                .collect(),
            depends_on,
            effort: Effort::for_team(Team::Backend, self.analysis.complexity).scaled(0.6),
            splittable: true,
            carries_criteria: false,
        })
    }

    fn client(&self, team: Team, depends_on: Vec<usize>) -> Planned {
        let capability = capability(&self.analysis.summary);
        let role = capability
            .role
            .clone()
            .unwrap_or_else(|| self.vars.role.clone());
        let topic = &self.vars.topic;
        let screen = &self.vars.screen;
        let has_backend = self.needs(Team::Backend);
        // A control is added to a screen that exists, or built on its own; a screen is built.
        let named_screen = self.analysis.entities.screens.first();
        let web_summary = match (self.vars.facts.control, named_screen) {
            (true, Some(screen)) => format!("[FE] Add the {} to the {screen}", self.vars.control),
            (true, None) => format!("[FE] Build the {}", self.vars.control),
            (false, _) => format!("[FE] Build the {screen} for {topic}"),
        };
        let (summary, mut scopes) = if team == Team::Frontend {
            (
                web_summary,
                self.layer_scope(TechnicalContext::Ui).into_iter().collect(),
            )
        } else {
            (
                format!("[MOBILE] Implement {topic} in the iOS and Android apps"),
                self.layer_scope(TechnicalContext::Mobile)
                    .into_iter()
                    .collect(),
            )
        };
        for statement in self.frontend_statements().into_iter().take(2) {
            push_unique(&mut scopes, statement);
        }
        if has_backend {
            scopes.push(format!(
                "Call {} per the agreed contract and show its errors in words the {role} understands",
                self.vars.endpoint
            ));
            // Only something users type into has input to validate.
            if self.vars.facts.text_input {
                scopes.push(
                    "Validate input on the client with the same rules as the server".to_owned(),
                );
            }
        } else {
            scopes.push(format!(
                "Keep {topic} state on the client and restore it after a reload"
            ));
        }
        for criterion in self.analysis.criteria.iter().take(2) {
            push_unique(&mut scopes, format!("Satisfy: {}", criterion.text));
        }
        scopes.push(if team == Team::Frontend {
            "Component tests for each state, plus an accessibility check".to_owned()
        } else {
            "UI tests on both platforms, plus a VoiceOver and TalkBack check".to_owned()
        });
        Planned {
            team,
            summary: shorten(&summary, 100),
            purpose: format!(
                "Let {role}s {} from the {}.",
                capability.phrase,
                if team == Team::Frontend {
                    "web app"
                } else {
                    "mobile apps"
                }
            ),
            scopes,
            outcome: vec![
                format!(
                    "{}s can {} and see clear feedback for success and failure.",
                    upper_first(&role),
                    capability.phrase
                ),
                if team == Team::Frontend {
                    "The interface works with keyboard and screen reader.".to_owned()
                } else {
                    "The feature works on the oldest supported iOS and Android versions.".to_owned()
                },
            ],
            depends_on,
            effort: Effort::for_team(team, self.analysis.complexity),
            splittable: true,
            carries_criteria: false,
        }
    }

    fn qa(&self, depends_on: Vec<usize>) -> Planned {
        let topic = &self.vars.topic;
        let criteria = self.analysis.criteria.len();
        let mut scopes = vec![if criteria > 0 {
            format!("Write a test case for each of the {criteria} acceptance criteria")
        } else {
            format!("Derive acceptance tests for {topic} with the product owner")
        }];
        let rules = domain_rules(self.analysis.domain);
        // The domain's failure cases first, then those of the layers the story touches.
        let mut negatives: Vec<String> = Vec::new();
        let lexicon = &self.analysis.lexicon;
        let layer_negatives = self.analysis.contexts.iter().flat_map(|context| {
            self.vars
                .scenarios(lexicon, context_rules(*context).negatives)
        });
        for scenario in self
            .vars
            .scenarios(lexicon, rules.negatives)
            .chain(layer_negatives)
        {
            push_unique(
                &mut negatives,
                self.vars.fill(scenario.title).to_lowercase(),
            );
        }
        negatives.truncate(4);
        if !negatives.is_empty() {
            scopes.push(format!("Cover negative cases: {}", negatives.join("; ")));
        }
        let edges: Vec<String> = self
            .vars
            .scenarios(lexicon, rules.edges)
            .map(|scenario| self.vars.fill(scenario.title).to_lowercase())
            .collect();
        if !edges.is_empty() {
            scopes.push(format!("Cover edge cases: {}", edges.join("; ")));
        }
        if let Some(security) = self.vars.scenarios(lexicon, rules.security).next() {
            scopes.push(format!(
                "Security checks: {}",
                self.vars.fill(security.title).to_lowercase()
            ));
        }
        scopes.push(format!(
            "Automate the {topic} happy path end to end and add it to the regression suite"
        ));
        if self.needs(Team::Frontend) || self.needs(Team::Mobile) {
            scopes.push(if self.vars.facts.control {
                format!(
                    "Check the {} in each of its states, by keyboard and screen reader, and after a reload",
                    self.vars.control
                )
            } else {
                format!(
                    "Check every state of the {}: loading, empty, error, and after a reload",
                    self.vars.screen
                )
            });
            scopes.push(
                "Exploratory session on staging across supported browsers and devices".to_owned(),
            );
        } else {
            scopes.push("Exploratory session on staging against production-like data".to_owned());
        }
        let mut effort = Effort::for_team(Team::Qa, self.analysis.complexity);
        effort.testing += 0.25 * criteria.saturating_sub(3).min(8) as f64;
        Planned {
            team: Team::Qa,
            summary: shorten(&format!("[QA] Test plan and automated tests for {topic}"), 100),
            purpose: "Prove the story meets its acceptance criteria and breaks nothing else before release.".to_owned(),
            scopes,
            outcome: vec![
                "Every acceptance criterion has a passing test case linked to the story.".to_owned(),
                "The happy path runs in the automated regression suite.".to_owned(),
            ],
            depends_on,
            effort,
            splittable: true,
            carries_criteria: true,
        }
    }
}

/// Whether the planned task at `index` belongs to `team`.
fn is_team(plan: &[Planned], index: usize, team: Team) -> bool {
    plan.get(index).is_some_and(|task| task.team == team)
}

/// Splits tasks longer than `max_days` into parts: one per group of scopes when there are
/// several, otherwise design and implementation. Later parts depend on earlier ones and
/// whatever depended on the whole task depends on its last part.
fn split_oversized(plan: Vec<Planned>, max_days: f64) -> Vec<Planned> {
    let mut result: Vec<Planned> = Vec::new();
    let mut new_index: Vec<usize> = Vec::with_capacity(plan.len());
    for task in plan {
        let depends_on: Vec<usize> = task
            .depends_on
            .iter()
            .filter_map(|dep| new_index.get(*dep).copied())
            .collect();
        let total = task.effort.total();
        if !task.splittable || total <= max_days {
            result.push(Planned { depends_on, ..task });
            new_index.push(result.len() - 1);
            continue;
        }
        let parts = ((total / max_days).ceil() as usize).clamp(2, 4);
        let share = 1.0 / parts as f64;
        let groups = scope_groups(&task.scopes, parts);
        let mut previous: Option<usize> = None;
        for (part, scopes) in groups.into_iter().enumerate() {
            let label = if task.scopes.len() >= parts {
                format!("Part {}/{}", part + 1, parts)
            } else if part == 0 {
                "Design".to_owned()
            } else {
                format!("Implementation {part}")
            };
            // The first part waits for the task's dependencies; later parts only for the
            // part before them.
            let part_depends = match previous {
                Some(previous) => vec![previous],
                None => depends_on.clone(),
            };
            result.push(Planned {
                team: task.team,
                summary: format!("{} - {label}", task.summary),
                purpose: task.purpose.clone(),
                scopes,
                outcome: task.outcome.clone(),
                depends_on: part_depends,
                effort: task.effort.scaled(share),
                splittable: false,
                carries_criteria: task.carries_criteria,
            });
            previous = Some(result.len() - 1);
        }
        new_index.push(result.len() - 1);
    }
    result
}

fn scope_groups(scopes: &[String], parts: usize) -> Vec<Vec<String>> {
    if scopes.len() >= parts {
        let size = scopes.len().div_ceil(parts);
        let mut groups: Vec<Vec<String>> = scopes.chunks(size).map(<[String]>::to_vec).collect();
        while groups.len() < parts {
            groups.push(vec![
                "Hardening, review feedback and documentation".to_owned(),
            ]);
        }
        return groups;
    }
    let mut groups = vec![vec![
        "Technical design and task breakdown, reviewed by the team".to_owned(),
    ]];
    for _ in 1..parts {
        groups.push(scopes.to_vec());
    }
    groups
}

/// Keeps at most `max` tasks, keeping QA last when there is room for it, and drops
/// dependencies on tasks that were cut.
fn limit(plan: Vec<Planned>, max: usize) -> Vec<Planned> {
    if plan.len() <= max {
        return plan;
    }
    let qa = plan.iter().rposition(|task| task.team == Team::Qa);
    let mut keep: Vec<usize> = (0..plan.len())
        .filter(|i| Some(*i) != qa)
        .take(max.saturating_sub(usize::from(qa.is_some() && max >= 2)))
        .collect();
    if let Some(qa) = qa
        && max >= 2
    {
        keep.push(qa);
    }
    let position = |old: usize| keep.iter().position(|kept| *kept == old);
    keep.iter()
        .filter_map(|old| plan.get(*old))
        .map(|task| Planned {
            depends_on: task
                .depends_on
                .iter()
                .filter_map(|dep| position(*dep))
                .collect(),
            ..task.clone()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(team: Team, summary: &str, depends_on: Vec<usize>, development: f64) -> Planned {
        Planned {
            team,
            summary: summary.to_owned(),
            purpose: String::new(),
            scopes: vec![
                "a".to_owned(),
                "b".to_owned(),
                "c".to_owned(),
                "d".to_owned(),
            ],
            outcome: Vec::new(),
            depends_on,
            effort: Effort::fixed(development, 0.5, 0.5, 0.0),
            splittable: true,
            carries_criteria: false,
        }
    }

    #[test]
    fn oversized_tasks_split_into_a_chain_and_dependents_wait_for_the_last_part() {
        let plan = vec![
            planned(Team::Backend, "[BE] API", Vec::new(), 4.0),
            planned(Team::Qa, "[QA] Tests", vec![0], 1.0),
        ];
        let split = split_oversized(plan, 3.0);
        let summaries: Vec<&str> = split.iter().map(|t| t.summary.as_str()).collect();
        assert_eq!(
            summaries,
            ["[BE] API - Part 1/2", "[BE] API - Part 2/2", "[QA] Tests"]
        );
        assert!(split[0].depends_on.is_empty());
        assert_eq!(split[1].depends_on, [0]);
        assert_eq!(split[2].depends_on, [1]);
        assert!(split.iter().all(|t| t.effort.total() <= 3.0));
    }

    #[test]
    fn limiting_keeps_qa_and_drops_dangling_dependencies() {
        let plan = vec![
            planned(Team::Backend, "contract", Vec::new(), 1.0),
            planned(Team::Backend, "api", vec![0], 1.0),
            planned(Team::Frontend, "ui", vec![0, 1], 1.0),
            planned(Team::Qa, "qa", vec![1, 2], 1.0),
        ];
        let limited = limit(plan, 3);
        let summaries: Vec<&str> = limited.iter().map(|t| t.summary.as_str()).collect();
        assert_eq!(summaries, ["contract", "api", "qa"]);
        assert_eq!(limited[2].depends_on, [1]);
    }

    #[test]
    fn story_type_prefers_the_summary() {
        let lexicon = Lexicon::new(
            "Add dark mode toggle to the settings page",
            &["Stored via the API"],
        );
        assert_eq!(story_type(&lexicon), StoryType::UiFeature);
        let lexicon = Lexicon::new("Nightly export of invoices", &[]);
        assert_eq!(story_type(&lexicon), StoryType::DataFeature);
        let lexicon = Lexicon::new("Build a better onboarding flow", &[]);
        assert_eq!(
            story_type(&lexicon),
            StoryType::UserWorkflow,
            "\"ui\" inside \"build\" must not count"
        );
    }
}
