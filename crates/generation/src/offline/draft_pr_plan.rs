//! Offline `draft_pr_plan`: a PlanSpec whose files come from the repository listing and scope
//! hints when they match the story's words, and otherwise follow the conventions of the
//! repository's language; failure modes, tests and rollback follow the technical layers the
//! story touches. A revision request keeps the previous plan and folds each concern into it.

use super::phrasebook::{Scenario, Vars, context_rules, domain_rules};
use super::test_cases::shorten;
use super::{OfflineTask, capability, push_unique, sentence};
use crate::task::{
    CrossRepoImpact, Domain, DraftPrPlanInput, FailureMode, FileChange, PlanFile, PlanRevision,
    PlanScope, PlanSpec, PlanTest, PlanTestType, TechnicalContext,
};
use crate::text_analysis::{Analysis, upper_first};

/// Words too general to pick files by.
const STOPWORDS: [&str; 12] = [
    "with", "from", "that", "this", "when", "then", "into", "also", "should", "must", "does",
    "file",
];

/// At most this many existing files are picked from a listing; a plan touching more is
/// rarely a Draft PR.
const MAX_MATCHED_FILES: usize = 5;

/// At most this many distinct description words are used to match files.
const MAX_DESCRIPTION_KEYWORDS: usize = 40;

impl OfflineTask for DraftPrPlanInput {
    fn generate_offline(&self) -> PlanSpec {
        let mut texts: Vec<&str> = Vec::new();
        texts.extend(super::clipped(self.description.as_deref()));
        texts.extend(super::clipped(self.additional_context.as_deref()));
        let analysis = Analysis::new(&self.summary, &texts, &self.acceptance_criteria);
        let layout = Layout::detect(self);
        let planner = Planner {
            input: self,
            vars: Vars::from_analysis(&analysis),
            analysis: &analysis,
            layout,
        };
        match &self.revision {
            Some(revision) => planner.revise(revision),
            None => planner.plan(),
        }
    }
}

/// Where files of each kind live in the repository's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Language {
    Python,
    Rust,
    TypeScript,
    Go,
    Java,
}

struct Layout {
    language: Language,
    /// Directories the change must stay in (`scope.files` entries ending in `/`).
    scope_dirs: Vec<String>,
    /// Files named in `scope.files`.
    scope_files: Vec<String>,
}

impl Layout {
    fn detect(input: &DraftPrPlanInput) -> Self {
        let scope: Vec<String> = input
            .scope
            .as_ref()
            .map(|s| s.files.clone())
            .unwrap_or_default();
        let (scope_files, scope_dirs): (Vec<String>, Vec<String>) = scope
            .into_iter()
            .map(|entry| entry.trim().trim_start_matches("./").to_owned())
            .filter(|entry| !entry.is_empty())
            .partition(|entry| {
                !entry.ends_with('/')
                    && entry
                        .rsplit('/')
                        .next()
                        .is_some_and(|name| name.contains('.'))
            });
        let scope_dirs = scope_dirs
            .into_iter()
            .map(|dir| {
                if dir.ends_with('/') {
                    dir
                } else {
                    format!("{dir}/")
                }
            })
            .collect();
        // Files per language; on a tie the language listed first wins.
        let mut counts = [
            (Language::Python, 0usize),
            (Language::Rust, 0),
            (Language::TypeScript, 0),
            (Language::Go, 0),
            (Language::Java, 0),
        ];
        for path in input.repo_files.iter().chain(&scope_files) {
            let language = match path.rsplit('.').next().unwrap_or("") {
                "py" => Language::Python,
                "rs" => Language::Rust,
                "ts" | "tsx" | "js" | "jsx" => Language::TypeScript,
                "go" => Language::Go,
                "java" | "kt" => Language::Java,
                _ => continue,
            };
            if let Some((_, count)) = counts.iter_mut().find(|(of, _)| *of == language) {
                *count += 1;
            }
        }
        // Python when nothing is known: the convention of seed 000's examples.
        let language = counts
            .iter()
            .enumerate()
            .max_by(|(a, (_, a_count)), (b, (_, b_count))| a_count.cmp(b_count).then(b.cmp(a)))
            .filter(|(_, (_, count))| *count > 0)
            .map_or(Language::Python, |(_, (language, _))| *language);
        Layout {
            language,
            scope_dirs,
            scope_files,
        }
    }

    /// Path of a new source module for `area` ("api", "jobs", ...) named `slug`.
    fn module(&self, area: &str, slug: &str) -> String {
        let path = match self.language {
            Language::Python => format!("src/{area}/{slug}.py"),
            Language::Rust => format!("src/{area}/{slug}.rs"),
            Language::TypeScript => format!("src/{area}/{}.ts", camel(slug)),
            Language::Go => format!("internal/{area}/{slug}.go"),
            Language::Java => format!("src/main/java/{area}/{}.java", pascal(slug)),
        };
        self.within_scope(path, false)
    }

    /// Path of the test file for a module named `slug`.
    fn test(&self, slug: &str) -> String {
        let path = match self.language {
            Language::Python => format!("tests/test_{slug}.py"),
            Language::Rust => format!("tests/{slug}.rs"),
            Language::TypeScript => format!("src/__tests__/{}.test.ts", camel(slug)),
            Language::Go => format!("internal/{slug}/{slug}_test.go"),
            Language::Java => format!("src/test/java/{slug}/{}Test.java", pascal(slug)),
        };
        self.within_scope(path, true)
    }

    fn migration(&self, slug: &str) -> String {
        let path = match self.language {
            Language::Python => format!("migrations/versions/add_{slug}.py"),
            Language::Java => format!("src/main/resources/db/migration/V2__add_{slug}.sql"),
            _ => format!("migrations/add_{slug}.sql"),
        };
        self.within_scope(path, false)
    }

    fn component(&self, slug: &str) -> String {
        self.within_scope(format!("src/components/{}.tsx", pascal(slug)), false)
    }

    /// Moves a guessed path under the request's scope directories when it is outside them:
    /// tests under a test directory in scope, everything else under the first other one.
    fn within_scope(&self, path: String, is_test: bool) -> String {
        if self.scope_dirs.is_empty()
            || self
                .scope_dirs
                .iter()
                .any(|dir| path.starts_with(dir.as_str()))
        {
            return path;
        }
        let file_name = path.rsplit('/').next().unwrap_or(&path).to_owned();
        let is_test_dir = |dir: &&String| dir.contains("test") || dir.contains("spec");
        let target = if is_test {
            self.scope_dirs
                .iter()
                .find(is_test_dir)
                .or(self.scope_dirs.first())
        } else {
            self.scope_dirs
                .iter()
                .find(|dir| !is_test_dir(dir))
                .or(self.scope_dirs.first())
        };
        match target {
            Some(dir) => format!("{dir}{file_name}"),
            None => path,
        }
    }

    fn in_scope(&self, path: &str) -> bool {
        (self.scope_dirs.is_empty() && self.scope_files.is_empty())
            || self
                .scope_dirs
                .iter()
                .any(|dir| path.starts_with(dir.as_str()))
            || self.scope_files.iter().any(|file| file == path)
    }
}

fn camel(slug: &str) -> String {
    let pascal = pascal(slug);
    crate::text_analysis::lower_first(&pascal)
        .chars()
        .enumerate()
        .map(|(index, c)| {
            if index == 0 {
                c.to_ascii_lowercase()
            } else {
                c
            }
        })
        .collect()
}

fn pascal(slug: &str) -> String {
    slug.split('_').map(upper_first).collect()
}

struct Planner<'a> {
    input: &'a DraftPrPlanInput,
    analysis: &'a Analysis,
    vars: Vars,
    layout: Layout,
}

impl Planner<'_> {
    fn plan(&self) -> PlanSpec {
        let files = self.files();
        PlanSpec {
            summary: self.summary(&files),
            implementation_steps: self.steps(&files),
            happy_paths: self.happy_paths(),
            edge_cases: self.edge_cases(),
            failure_modes: self.failure_modes(),
            assumptions: self.assumptions(),
            unknowns: self.unknowns(),
            tests: self.tests(),
            rollback: self.rollback(),
            cross_repo_impacts: self.cross_repo_impacts(),
            scope: PlanScope { files },
        }
    }

    /// Words that identify the story's files, weighted: summary words 2, the domain's and
    /// layer's usual file names 2, description words 1.
    fn file_keywords(&self) -> Vec<(String, usize)> {
        let mut keywords: Vec<(String, usize)> = Vec::new();
        // Returns whether the word was new.
        let mut add = |word: &str, weight: usize| -> bool {
            let word = word.to_lowercase();
            if word.len() < 4 || STOPWORDS.contains(&word.as_str()) {
                return false;
            }
            if keywords.iter().any(|(known, _)| *known == word) {
                return false;
            }
            keywords.push((word, weight));
            true
        };
        for word in path_tokens(&self.analysis.summary.object) {
            add(&word, 2);
        }
        let extra: &[&str] = match self.analysis.domain {
            Domain::Authentication => &["auth", "login", "session"],
            Domain::Payments => &["payment", "billing", "webhook"],
            Domain::Notifications => &["notification", "email", "mailer"],
            Domain::Reporting => &["report", "export"],
            Domain::Search => &["search", "index"],
            Domain::DataMigration => &["migration"],
            Domain::Integration => &["webhook", "integration", "client"],
            _ => &[],
        };
        for word in extra {
            add(word, 2);
        }
        if self.analysis.has(TechnicalContext::Api) {
            for word in ["routes", "router", "urls", "handlers"] {
                add(word, 1);
            }
        }
        let mut description_words = 0;
        for text in self
            .input
            .description
            .iter()
            .chain(self.input.acceptance_criteria.iter())
        {
            let text = crate::text_analysis::clip(text, crate::text_analysis::MAX_ANALYSED_CHARS);
            for word in path_tokens(text) {
                // The first words of a long description say enough; more only adds noise.
                if description_words >= MAX_DESCRIPTION_KEYWORDS {
                    break;
                }
                if add(&word, 1) {
                    description_words += 1;
                }
            }
        }
        keywords
    }

    fn matched_repo_files(&self) -> Vec<(String, bool)> {
        let keywords = self.file_keywords();
        let mut scored: Vec<(usize, &String)> = self
            .input
            .repo_files
            .iter()
            .filter(|path| self.layout.in_scope(path))
            .filter_map(|path| {
                let tokens = path_tokens(path);
                let score: usize = keywords
                    .iter()
                    .filter(|(keyword, _)| {
                        tokens.iter().any(|token| {
                            token.len() >= 4
                                && (token.starts_with(keyword.as_str())
                                    || keyword.starts_with(token.as_str()))
                        })
                    })
                    .map(|(_, weight)| *weight)
                    .sum();
                (score > 0).then_some((score, path))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        let mut matched: Vec<(String, bool)> = scored
            .into_iter()
            .take(MAX_MATCHED_FILES)
            .map(|(_, path)| (path.clone(), is_test_path(path)))
            .collect();
        // Sources before their tests, keeping the relevance order within each group.
        matched.sort_by_key(|(_, is_test)| *is_test);
        matched
    }

    fn files(&self) -> Vec<PlanFile> {
        let slug = self.analysis.summary.slug();
        let topic = &self.vars.topic;
        let mut files: Vec<PlanFile> = Vec::new();
        for path in &self.layout.scope_files {
            add_file(
                &mut files,
                path.clone(),
                FileChange::Modified,
                format!("Named in the requested scope; holds part of the {topic} change"),
            );
        }
        for path in self
            .analysis
            .entities
            .paths
            .iter()
            .filter(|p| self.layout.in_scope(p))
        {
            add_file(
                &mut files,
                path.clone(),
                FileChange::Modified,
                "Named in the story".to_owned(),
            );
        }
        let matched = self.matched_repo_files();
        // A source file counts as the story's home only when its name carries the topic;
        // otherwise the change gets a module of its own next to the matched files.
        let topic_words: Vec<String> = path_tokens(&self.analysis.summary.topic)
            .into_iter()
            .filter(|word| word.len() >= 4)
            .collect();
        let has_source = matched.iter().any(|(path, test)| {
            !test
                && path_tokens(path).iter().any(|token| {
                    topic_words
                        .iter()
                        .any(|word| token.starts_with(word.as_str()))
                })
        });
        let has_test = matched.iter().any(|(_, test)| *test);
        for (path, is_test) in &matched {
            let reason = if *is_test {
                format!("Existing tests of the code that {topic} changes; extend them")
            } else {
                existing_file_reason(path, topic)
            };
            add_file(&mut files, path.clone(), FileChange::Modified, reason);
        }
        if self.analysis.has(TechnicalContext::Database) {
            add_file(
                &mut files,
                self.layout.migration(&slug),
                FileChange::Added,
                format!("Reversible schema migration for {}", self.vars.table),
            );
        }
        // A client-side UI change lives in its component; it needs no separate module.
        let client_ui =
            self.analysis.has(TechnicalContext::Ui) && self.layout.language == Language::TypeScript;
        if !has_source && !client_ui {
            let area = if self.analysis.has(TechnicalContext::Api) {
                "api"
            } else if self.analysis.has(TechnicalContext::Queue) {
                "jobs"
            } else {
                "services"
            };
            add_file(
                &mut files,
                self.layout.module(area, &slug),
                FileChange::Added,
                format!("Core logic of {topic}"),
            );
        }
        if self.analysis.has(TechnicalContext::ExternalService) && self.vars.named_service {
            let service = self.vars.service.to_lowercase();
            if !files
                .iter()
                .any(|file| file.path.to_lowercase().contains(&service))
            {
                add_file(
                    &mut files,
                    self.layout
                        .module("integrations", &format!("{service}_client")),
                    FileChange::Added,
                    format!(
                        "{} client with timeouts, retries and signature verification",
                        self.vars.service
                    ),
                );
            }
        }
        if self.analysis.has(TechnicalContext::Ui) && self.layout.language == Language::TypeScript {
            add_file(
                &mut files,
                self.layout.component(&slug),
                FileChange::Added,
                format!("UI for {topic} with loading, empty and error states"),
            );
        }
        if !has_test {
            add_file(
                &mut files,
                self.layout.test(&slug),
                FileChange::Added,
                format!("Unit and integration tests for {topic}"),
            );
        }
        if let Some(changelog) = self
            .input
            .repo_files
            .iter()
            .find(|p| p.eq_ignore_ascii_case("CHANGELOG.md"))
        {
            add_file(
                &mut files,
                changelog.clone(),
                FileChange::Modified,
                "Record the user-visible change".to_owned(),
            );
        }
        files
    }

    fn summary(&self, files: &[PlanFile]) -> String {
        let action = upper_first(&self.analysis.summary.action_phrase());
        let key = self
            .input
            .story_key
            .as_deref()
            .map(|k| format!(" ({k})"))
            .unwrap_or_default();
        let repo = self
            .input
            .repos
            .first()
            .map(|r| format!(" in {}", r.name()))
            .unwrap_or_default();
        let layers: Vec<&str> = self
            .analysis
            .contexts
            .iter()
            .map(|context| match context {
                TechnicalContext::Api => "API",
                TechnicalContext::Database => "database",
                TechnicalContext::Ui => "UI",
                TechnicalContext::Mobile => "mobile",
                TechnicalContext::Cache => "cache",
                TechnicalContext::Queue => "background jobs",
                TechnicalContext::ExternalService => "external service",
                TechnicalContext::Storage => "storage",
            })
            .collect();
        let across = if layers.is_empty() {
            String::new()
        } else {
            format!(" across {}", layers.join(", "))
        };
        format!(
            "{action}{key}{repo}: {} files{across}, with tests.",
            files.len()
        )
    }

    fn steps(&self, files: &[PlanFile]) -> Vec<String> {
        let mut steps = Vec::new();
        let existing: Vec<String> = files
            .iter()
            .filter(|f| f.change == FileChange::Modified)
            .map(|f| format!("`{}`", f.path))
            .collect();
        if !existing.is_empty() {
            steps.push(format!(
                "Read {} and follow their existing patterns for errors, logging and tests",
                existing.join(", ")
            ));
        }
        for file in files.iter().filter(|f| f.change == FileChange::Added) {
            steps.push(format!(
                "Create `{}`: {}",
                file.path,
                lower_reason(&file.reason)
            ));
        }
        for criterion in self.analysis.criteria.iter().take(3) {
            steps.push(format!("Implement and test: {}", criterion.text));
        }
        steps.push("Run the test suite, linter and build locally; fix every finding".to_owned());
        steps.push(
            "Keep the diff within the files listed in scope; anything else needs a plan revision"
                .to_owned(),
        );
        steps
    }

    fn happy_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self
            .analysis
            .criteria
            .iter()
            .take(4)
            .map(|c| c.text.clone())
            .collect();
        if paths.is_empty() {
            let capability = capability(&self.analysis.summary);
            paths.push(format!(
                "A {} can {} with valid input",
                self.vars.role, capability.phrase
            ));
        }
        let lexicon = &self.analysis.lexicon;
        let outcomes = domain_rules(self.analysis.domain).outcomes;
        for outcome in self.vars.phrases(lexicon, outcomes).into_iter().take(1) {
            push_unique(&mut paths, outcome);
        }
        paths
    }

    fn edge_cases(&self) -> Vec<String> {
        let mut cases = Vec::new();
        let lexicon = &self.analysis.lexicon;
        let mut describe = |scenario: &Scenario| {
            push_unique(
                &mut cases,
                format!(
                    "{}: {}",
                    self.vars.fill(scenario.title),
                    self.vars.fill(scenario.when)
                ),
            );
        };
        for domain in self.analysis.domains.iter().take(2) {
            let rules = domain_rules(*domain);
            self.vars
                .scenarios(lexicon, rules.edges)
                .chain(self.vars.scenarios(lexicon, rules.negatives))
                .for_each(&mut describe);
        }
        for context in &self.analysis.contexts {
            self.vars
                .scenarios(lexicon, context_rules(*context).negatives)
                .for_each(&mut describe);
        }
        // Two libraries may describe the same situation under different titles.
        let mut seen_situations: Vec<String> = Vec::new();
        cases.retain(|case| {
            let situation = case
                .split_once(": ")
                .map_or(case.as_str(), |(_, when)| when)
                .to_lowercase();
            let fresh = !seen_situations.contains(&situation);
            seen_situations.push(situation);
            fresh
        });
        for scenario in self
            .vars
            .scenarios(lexicon, domain_rules(Domain::General).edges)
        {
            if cases.len() >= 2 {
                break;
            }
            push_unique(
                &mut cases,
                format!(
                    "{}: {}",
                    self.vars.fill(scenario.title),
                    self.vars.fill(scenario.when)
                ),
            );
        }
        cases.truncate(6);
        cases
    }

    fn failure_modes(&self) -> Vec<FailureMode> {
        let mut templates = Vec::new();
        for context in &self.analysis.contexts {
            templates.extend(context_rules(*context).failures.iter().copied());
        }
        templates.extend(
            domain_rules(self.analysis.domain)
                .failures
                .iter()
                .take(2)
                .copied(),
        );
        if templates.is_empty() {
            templates.extend(domain_rules(Domain::General).failures.iter().copied());
        }
        let mut modes: Vec<FailureMode> = Vec::new();
        for (trigger, impact, mitigation) in templates {
            let trigger = self.vars.fill(trigger);
            if !modes.iter().any(|mode| mode.trigger == trigger) {
                modes.push(FailureMode {
                    trigger,
                    impact: self.vars.fill(impact),
                    mitigation: self.vars.fill(mitigation),
                });
            }
        }
        modes.truncate(5);
        modes
    }

    fn assumptions(&self) -> Vec<String> {
        let mut assumptions =
            vec!["The base branch builds and its tests pass before the change".to_owned()];
        if let Some(repo) = self.input.repos.first() {
            let branch = repo.branch.as_deref().unwrap_or("the default branch");
            assumptions.push(format!("Work is based on {branch} of {}", repo.name()));
        }
        if self.analysis.has(TechnicalContext::Database) {
            assumptions.push(
                "Migrations run automatically on deploy, before the new code serves traffic"
                    .to_owned(),
            );
        }
        if self.analysis.has(TechnicalContext::ExternalService) {
            assumptions.push(format!(
                "Sandbox credentials for {} are available to CI through the secret store",
                self.vars.service
            ));
        }
        let client_only =
            self.analysis.has(TechnicalContext::Ui) && self.layout.language == Language::TypeScript;
        if self.analysis.has(TechnicalContext::Api) && !client_only {
            assumptions
                .push("Existing authentication middleware protects the new routes".to_owned());
        }
        assumptions
    }

    fn unknowns(&self) -> Vec<String> {
        let mut unknowns = Vec::new();
        if self.input.repo_files.is_empty() && self.layout.scope_files.is_empty() {
            unknowns.push("No repository listing was provided: new file paths follow common conventions and must be confirmed against the repository".to_owned());
        }
        if self.analysis.has(TechnicalContext::Api) && self.analysis.entities.endpoints.is_empty() {
            unknowns.push(format!(
                "The story names no route; the exact path and payload of {} must be confirmed",
                self.vars.endpoint
            ));
        }
        if self.analysis.has(TechnicalContext::Database) && self.analysis.entities.tables.is_empty()
        {
            unknowns.push("Database connection and schema details need verification: the story names no table".to_owned());
        }
        if self.analysis.has(TechnicalContext::ExternalService) && !self.vars.named_service {
            unknowns.push("External API credentials and endpoints need verification: the provider is not named".to_owned());
        }
        if self.analysis.criteria.is_empty() {
            unknowns.push("The story has no acceptance criteria; the happy paths above are inferred from its summary".to_owned());
        }
        if let Some(description) = &self.input.description {
            for line in description
                .lines()
                .map(str::trim)
                .filter(|l| l.ends_with('?'))
            {
                push_unique(
                    &mut unknowns,
                    crate::text_analysis::bullet_items(line)
                        .pop()
                        .unwrap_or_else(|| line.to_owned()),
                );
            }
        }
        unknowns
    }

    fn tests(&self) -> Vec<PlanTest> {
        let topic = &self.vars.topic;
        let mut tests = vec![PlanTest {
            test_type: PlanTestType::Unit,
            target: format!("{topic} logic: valid input, invalid input and boundaries"),
        }];
        if self.analysis.has(TechnicalContext::Api) || self.analysis.has(TechnicalContext::Database)
        {
            tests.push(PlanTest {
                test_type: PlanTestType::Integration,
                target: format!(
                    "{} request, response codes and persistence",
                    self.vars.endpoint
                ),
            });
        }
        if self.analysis.has(TechnicalContext::ExternalService) {
            tests.push(PlanTest {
                test_type: PlanTestType::Integration,
                target: format!(
                    "{} client against a local stub: success, timeout, 5xx and duplicate delivery",
                    self.vars.service
                ),
            });
        }
        if self.analysis.has(TechnicalContext::Ui) || self.analysis.has(TechnicalContext::Mobile) {
            tests.push(PlanTest {
                test_type: PlanTestType::E2e,
                target: format!("A {} completes {topic} through the UI", self.vars.role),
            });
        }
        for criterion in self.analysis.criteria.iter().take(2) {
            tests.push(PlanTest {
                test_type: PlanTestType::Integration,
                target: format!("Acceptance: {}", criterion.text),
            });
        }
        tests
    }

    fn rollback(&self) -> Vec<String> {
        let mut steps =
            vec!["Revert the PR's merge commit and redeploy the previous release".to_owned()];
        if self.analysis.has(TechnicalContext::Database) {
            steps.push(format!(
                "Run the down migration for {}; export rows written since the release first if it drops data",
                self.vars.table
            ));
        }
        if self.analysis.has(TechnicalContext::Queue) {
            steps.push("Pause the worker and drain its queue before reverting, so no message is handled by both versions".to_owned());
        }
        if self.analysis.has(TechnicalContext::ExternalService) {
            steps.push(format!(
                "Disable any webhook or subscription registered with {}",
                self.vars.service
            ));
        }
        if self.analysis.has(TechnicalContext::Cache) {
            steps.push(format!(
                "Flush cached {} entries written by the new code",
                self.vars.topic
            ));
        }
        steps
    }

    fn cross_repo_impacts(&self) -> Vec<CrossRepoImpact> {
        self.input
            .repos
            .iter()
            .skip(1)
            .map(|repo| {
                let name = repo.name().to_lowercase();
                let client = ["front", "web", "ui", "app", "mobile", "ios", "android", "client"]
                    .iter()
                    .any(|word| name.contains(word));
                let inbound_webhook = self.analysis.lexicon.hits("webhook*") > 0;
                let reason = if client && self.analysis.has(TechnicalContext::Api) && !inbound_webhook {
                    format!("Consumes {}; update its API client and types once this PR merges", self.vars.endpoint)
                } else {
                    format!("May depend on the changed {} behaviour; run its integration tests against this branch", self.vars.topic)
                };
                CrossRepoImpact {
                    repo: repo.name().to_owned(),
                    reason,
                }
            })
            .collect()
    }

    /// Keeps the previous plan and folds every concern into it: known concerns (rate
    /// limiting, error handling, logging, tests, rollback) add concrete files, cases and
    /// tests; every concern also becomes an implementation step so none is lost.
    fn revise(&self, revision: &PlanRevision) -> PlanSpec {
        let mut plan = revision.previous_plan.clone();
        let mut concerns: Vec<String> = Vec::new();
        if !revision.feedback.trim().is_empty() {
            concerns.push(revision.feedback.trim().to_owned());
        }
        concerns.extend(
            revision
                .specific_concerns
                .iter()
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty()),
        );
        if let Some(changes) = revision
            .requested_changes
            .as_deref()
            .filter(|c| !c.trim().is_empty())
        {
            concerns.push(changes.trim().to_owned());
        }
        let slug = self.analysis.summary.slug();
        for concern in &concerns {
            let lower = concern.to_lowercase();
            push_unique(
                &mut plan.implementation_steps,
                format!("Review feedback: {}", sentence(concern)),
            );
            if lower.contains("rate limit")
                || lower.contains("rate-limit")
                || lower.contains("throttl")
            {
                let path = self.layout.module("middleware", "rate_limit");
                if !plan.scope.files.iter().any(|f| f.path == path) {
                    plan.scope.files.push(PlanFile {
                        path,
                        change: FileChange::Added,
                        reason: format!(
                            "Rate limiting for {} requested in review",
                            self.vars.topic
                        ),
                    });
                }
                push_unique(&mut plan.edge_cases, "A client exceeds the rate limit: answer 429 with Retry-After and process nothing".to_owned());
                push_test(&mut plan.tests, PlanTestType::Unit, "Rate limiter: allows the limit, rejects the next request, resets after the window".to_owned());
            }
            if lower.contains("error") || lower.contains("invalid") || lower.contains("exception") {
                push_unique(
                    &mut plan.edge_cases,
                    format!(
                        "Invalid or expired input to {}: documented 4xx error, no partial writes",
                        self.vars.topic
                    ),
                );
                if !plan
                    .failure_modes
                    .iter()
                    .any(|m| m.trigger.starts_with("Unhandled error"))
                {
                    plan.failure_modes.push(FailureMode {
                        trigger: format!("Unhandled error in the {} path", self.vars.topic),
                        impact: "The client receives a 500 and no actionable message".to_owned(),
                        mitigation: "Map every known error to a documented status and log unknown ones with context".to_owned(),
                    });
                }
            }
            if lower.contains("log")
                || lower.contains("metric")
                || lower.contains("monitor")
                || lower.contains("observab")
            {
                push_unique(
                    &mut plan.implementation_steps,
                    format!(
                        "Add structured logs and metrics (count, latency, errors) for {}",
                        self.vars.topic
                    ),
                );
            }
            if lower.contains("test") || lower.contains("coverage") {
                push_test(
                    &mut plan.tests,
                    PlanTestType::Integration,
                    format!("{}: {}", self.vars.topic, shorten(concern, 100)),
                );
                let test_path = self.layout.test(&slug);
                if !plan.scope.files.iter().any(|f| f.path == test_path) {
                    plan.scope.files.push(PlanFile {
                        path: test_path,
                        change: FileChange::Added,
                        reason: "Tests requested in review".to_owned(),
                    });
                }
            }
            if lower.contains("rollback") || lower.contains("revert") {
                push_unique(
                    &mut plan.rollback,
                    "Rehearse the rollback on staging before the release".to_owned(),
                );
            }
        }
        let headline = shorten(
            concerns.first().map_or("review feedback", String::as_str),
            80,
        );
        let base = plan
            .summary
            .split(" (revised: ")
            .next()
            .unwrap_or(&plan.summary)
            .to_owned();
        plan.summary = format!("{base} (revised: {headline})");
        plan
    }
}

/// Why an existing file that matches the story changes, from what its name says it is.
fn existing_file_reason(path: &str, topic: &str) -> String {
    let tokens = path_tokens(path);
    let has = |words: &[&str]| tokens.iter().any(|token| words.contains(&token.as_str()));
    if has(&[
        "page",
        "pages",
        "screen",
        "screens",
        "view",
        "views",
        "component",
        "components",
    ]) {
        format!("Screen that hosts {topic}; wire the new UI into it")
    } else if has(&["route", "routes", "router", "urls", "handlers"]) {
        format!("Route table; register the {topic} handler")
    } else if has(&["api", "client", "clients"]) {
        format!("API module {topic} goes through; add the new call or route")
    } else if has(&["model", "models", "schema", "schemas", "entity", "entities"]) {
        format!("Data model {topic} reads and writes; extend it")
    } else if has(&["service", "services", "email", "mailer", "notifications"]) {
        format!("Service {topic} builds on; call or extend it")
    } else {
        format!("Existing code for {topic}; the change extends it")
    }
}

/// Adds a test unless one with the same target is already planned.
fn push_test(tests: &mut Vec<PlanTest>, test_type: PlanTestType, target: String) {
    if !tests.iter().any(|test| test.target == target) {
        tests.push(PlanTest { test_type, target });
    }
}

/// Adds a file to the scope unless the path is already there.
fn add_file(files: &mut Vec<PlanFile>, path: String, change: FileChange, reason: String) {
    if !files.iter().any(|file| file.path == path) {
        files.push(PlanFile {
            path,
            change,
            reason,
        });
    }
}

/// Lower-cased words of a path or sentence, splitting camelCase too ("OrdersPage.tsx" →
/// "orders", "page", "tsx").
fn path_tokens(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    for chunk in text.split(|c: char| !c.is_alphanumeric()) {
        let mut current = String::new();
        let mut previous_lower = false;
        for c in chunk.chars() {
            if c.is_uppercase() && previous_lower && !current.is_empty() {
                tokens.push(std::mem::take(&mut current).to_lowercase());
            }
            previous_lower = c.is_lowercase() || c.is_ascii_digit();
            current.push(c);
        }
        if !current.is_empty() {
            tokens.push(current.to_lowercase());
        }
    }
    tokens
}

fn is_test_path(path: &str) -> bool {
    let lower = path.to_lowercase();
    lower.contains("test") || lower.contains("spec")
}

fn lower_reason(reason: &str) -> String {
    crate::text_analysis::lower_first(reason)
}
