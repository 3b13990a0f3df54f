//! Offline `test_cases`: positive, negative, edge, security and performance cases chosen by
//! coverage level, built from the acceptance criteria (Given/When/Then or bullets) and from
//! the domain's and technical layers' scenario libraries.

use super::facts::{Actor, Facts};
use super::phrasebook::{Scenario, Vars, context_rules, domain_rules};
use super::{OfflineTask, capability, push_unique, sentence, supporting_texts};
use crate::task::{
    CoverageLevel, Domain, Team, TechnicalContext, TestCase, TestCasesInput, TestCategory,
    TestPriority, TestSuite, TestTarget, TestType,
};
use crate::text_analysis::{Analysis, Criterion, upper_first};

impl OfflineTask for TestCasesInput {
    fn generate_offline(&self) -> TestSuite {
        let texts = supporting_texts(
            self.description.as_deref(),
            self.parent.as_ref(),
            &self.documents,
            self.additional_context.as_deref(),
        );
        let analysis = Analysis::new(&self.summary, &texts, &self.acceptance_criteria);
        let request = SuiteRequest {
            target: self.target,
            team: self.team,
            level: self.coverage_level,
            ticket: None,
        };
        TestSuite {
            coverage_level: self.coverage_level,
            domain: analysis.domain,
            technical_contexts: analysis.contexts.clone(),
            test_cases: build_cases(&analysis, &request),
        }
    }
}

/// What kind of suite to build.
pub(super) struct SuiteRequest<'a> {
    pub target: TestTarget,
    pub team: Option<Team>,
    pub level: CoverageLevel,
    /// The ticket the suite belongs to and its facts, when the analysed text is not the
    /// ticket itself (a team task's generated scopes): what the ticket is decides which
    /// scenarios are true. The facts are read once per ticket, not once per task.
    pub ticket: Option<(&'a Analysis, Facts)>,
}

/// A test case before it gets an id.
struct Draft {
    title: String,
    test_type: TestType,
    category: TestCategory,
    priority: TestPriority,
    description: String,
    extra_preconditions: Vec<String>,
    steps: Vec<String>,
    expected: String,
    covers: Option<String>,
}

/// Builds the test cases for an analysed story or task.
pub(super) fn build_cases(analysis: &Analysis, request: &SuiteRequest) -> Vec<TestCase> {
    let mut vars = Vars::from_analysis(analysis);
    let ticket = match request.ticket {
        Some((ticket, facts)) => {
            vars.facts = facts;
            ticket
        }
        None => analysis,
    };
    let builder = Builder {
        analysis,
        ticket,
        request,
        vars,
    };
    let (positives, negatives, edges, security, performance) = match request.level {
        CoverageLevel::Minimal => (2, 0, 0, 0, 0),
        CoverageLevel::Basic => (2, 2, 0, 0, 0),
        CoverageLevel::Standard => (3, 2, 1, 0, 0),
        CoverageLevel::Comprehensive => (3, 3, 2, 2, 1),
    };
    let mut drafts: Vec<Draft> = Vec::new();
    drafts.extend(builder.positives().into_iter().take(positives));
    drafts.extend(builder.negatives().into_iter().take(negatives));
    drafts.extend(builder.edges().into_iter().take(edges));
    drafts.extend(builder.security().into_iter().take(security));
    if performance > 0 {
        drafts.push(builder.performance());
    }
    let mut seen = Vec::new();
    drafts.retain(|draft| {
        let key = draft.title.to_lowercase();
        let fresh = !seen.contains(&key);
        seen.push(key);
        fresh
    });
    let (_, max) = request.level.test_count_range();
    drafts.truncate(max);
    builder.ensure_required_types(&mut drafts);
    let preconditions = builder.preconditions();
    drafts
        .into_iter()
        .enumerate()
        .map(|(index, draft)| {
            let mut all = preconditions.clone();
            for extra in draft.extra_preconditions {
                push_unique(&mut all, extra);
            }
            TestCase {
                id: format!("TC-{:02}", index + 1),
                title: draft.title,
                test_type: draft.test_type,
                category: draft.category,
                priority: draft.priority,
                description: draft.description,
                preconditions: all,
                test_steps: draft.steps,
                expected_result: draft.expected,
                covers: draft.covers,
            }
        })
        .collect()
}

struct Builder<'a> {
    analysis: &'a Analysis,
    /// The ticket itself, whose words and facts gate the scenario libraries.
    ticket: &'a Analysis,
    request: &'a SuiteRequest<'a>,
    vars: Vars,
}

impl Builder<'_> {
    fn is_story(&self) -> bool {
        self.request.target == TestTarget::Story
    }

    /// The type of a test that exercises the main behaviour of a task.
    fn task_main_type(&self) -> TestType {
        match self.request.team {
            Some(Team::Frontend | Team::Mobile) => TestType::Ui,
            Some(Team::Qa) => TestType::E2e,
            _ => TestType::Unit,
        }
    }

    fn positives(&self) -> Vec<Draft> {
        let role = &self.vars.role;
        let capability = capability(&self.analysis.summary);
        let mut drafts: Vec<Draft> = self
            .analysis
            .criteria
            .iter()
            .take(4)
            .enumerate()
            .map(|(index, criterion)| {
                self.case_from_criterion(index, criterion, &capability.phrase)
            })
            .collect();
        let text_input = self.vars.facts.text_input;
        if drafts.is_empty() && !self.is_story() {
            // "Valid input" only means something where users type.
            let claim = if text_input {
                "accepts valid input"
            } else {
                "returns the expected result"
            };
            drafts.push(Draft {
                title: shorten(
                    &format!("{} {claim}", upper_first(&self.unit_subject())),
                    90,
                ),
                test_type: self.task_main_type(),
                category: TestCategory::Positive,
                priority: TestPriority::P0,
                description: format!(
                    "Exercises {} in isolation{}.",
                    self.unit_subject(),
                    if text_input { " with valid input" } else { "" }
                ),
                extra_preconditions: Vec::new(),
                steps: vec![
                    self.given_line(),
                    if text_input {
                        format!("When {} runs with valid input", self.unit_subject())
                    } else {
                        format!("When {} runs", self.unit_subject())
                    },
                    "Then it returns the expected result".to_owned(),
                    "And it has no side effects beyond the documented ones".to_owned(),
                ],
                expected: "The documented result for valid input, with no unexpected side effects."
                    .to_owned(),
                covers: None,
            });
        }
        if drafts.is_empty() {
            drafts.push(Draft {
                title: shorten(&format!("Happy path: {}", capability.phrase), 90),
                test_type: if self.is_story() {
                    TestType::Acceptance
                } else {
                    self.task_main_type()
                },
                category: TestCategory::Positive,
                priority: TestPriority::P0,
                description: format!(
                    "Checks that a {role} can {}{} and sees the result.",
                    capability.phrase,
                    if text_input { " with valid input" } else { "" }
                ),
                extra_preconditions: Vec::new(),
                steps: vec![
                    self.vars.facts.given_user(role),
                    format!("When they {}", capability.phrase),
                    "Then the operation succeeds and the result is shown".to_owned(),
                    "And the change is persisted and visible after a reload".to_owned(),
                ],
                expected: format!(
                    "The {role} can {} and the result persists.",
                    capability.phrase
                ),
                covers: None,
            });
        }
        if self.is_story() {
            let signed_in = self.vars.facts.actor == Actor::SignedIn;
            let mut steps = vec![if signed_in {
                format!("Given a {role} signs in on staging")
            } else {
                format!("{} on staging", self.vars.facts.given_user(role))
            }];
            if let Some(screen) = self.analysis.entities.screens.first() {
                steps.push(format!("When they open the {screen}"));
                steps.push(format!("And they {}", capability.phrase));
            } else {
                steps.push(format!(
                    "When they {} through the user interface",
                    capability.phrase
                ));
            }
            steps.push("Then they see a confirmation".to_owned());
            // Signing out and in again only proves durability for someone who was signed in.
            if signed_in {
                steps.push(
                    "And the result is still there after signing out and in again".to_owned(),
                );
            }
            drafts.insert(
                1.min(drafts.len()),
                Draft {
                    title: shorten(&format!("End-to-end: {role} can {}", capability.phrase), 90),
                    test_type: TestType::E2e,
                    category: TestCategory::Positive,
                    priority: TestPriority::P0,
                    description: format!(
                        "Walks the whole journey through the deployed system: {} from start to confirmation.",
                        capability.phrase
                    ),
                    extra_preconditions: vec!["A staging environment with all dependent services running".to_owned()],
                    steps,
                    expected: "The journey completes without errors and its result is durable.".to_owned(),
                    covers: None,
                },
            );
        } else if self.analysis.has(TechnicalContext::Api)
            || self.analysis.has(TechnicalContext::Database)
        {
            drafts.insert(
                1.min(drafts.len()),
                Draft {
                    title: match self.analysis.entities.endpoints.first() {
                        Some(endpoint) => shorten(&format!("Integration: {endpoint} handles a valid request end to end"), 90),
                        None => shorten(&format!("Integration: {} persists through the real request path", self.vars.topic), 90),
                    },
                    test_type: TestType::Integration,
                    category: TestCategory::Positive,
                    priority: TestPriority::P0,
                    description: "Runs the real request path against a test database to check wiring, serialisation and persistence.".to_owned(),
                    extra_preconditions: Vec::new(),
                    steps: vec![
                        "Given the service runs against a migrated test database".to_owned(),
                        format!("When the request is sent to {}", self.vars.endpoint),
                        "Then the response has the documented status and body".to_owned(),
                        "And the stored record matches the request".to_owned(),
                    ],
                    expected: "Documented response; the database holds exactly the expected record.".to_owned(),
                    covers: None,
                },
            );
        }
        drafts
    }

    fn case_from_criterion(&self, index: usize, criterion: &Criterion, capability: &str) -> Draft {
        let role = &self.vars.role;
        let steps = match (&criterion.given, &criterion.when, &criterion.then) {
            (Some(given), Some(when), Some(then)) => vec![
                format!("Given {given}"),
                format!("When {when}"),
                format!("Then {then}"),
            ],
            (Some(given), None, Some(then)) => vec![
                format!("Given {given}"),
                format!("When the {role} {}", third_person_phrase(capability)),
                format!("Then {then}"),
            ],
            _ => vec![
                self.vars.facts.given_user(role),
                format!("When they {capability}"),
                format!("Then {}", lowercase_start(&criterion.text)),
            ],
        };
        // "An expired code is rejected" is a criterion about a failure: its test is negative
        // however the criterion is worded.
        let category = if describes_failure(criterion.then.as_deref().unwrap_or(&criterion.text)) {
            TestCategory::Negative
        } else {
            TestCategory::Positive
        };
        let expected = sentence(criterion.then.as_deref().unwrap_or(&criterion.text));
        let test_type = match (self.is_story(), self.request.team) {
            (true, _) => TestType::Acceptance,
            // A criterion is observable behaviour: on the server that means the real request
            // path, not a unit in isolation.
            (false, Some(Team::Backend) | None) => TestType::Integration,
            (false, _) => self.task_main_type(),
        };
        Draft {
            title: shorten(
                &format!(
                    "AC{}: {}",
                    index + 1,
                    criterion.then.as_deref().unwrap_or(&criterion.text)
                ),
                90,
            ),
            test_type,
            category,
            priority: if index < 2 {
                TestPriority::P0
            } else {
                TestPriority::P1
            },
            description: format!(
                "Verifies acceptance criterion {}: {}",
                index + 1,
                sentence(&criterion.text)
            ),
            extra_preconditions: Vec::new(),
            steps,
            expected,
            covers: Some(criterion.text.clone()),
        }
    }

    /// The scenarios of `list` that are true of the ticket.
    fn admitted(&self, list: &'static [Scenario], into: &mut Vec<Scenario>) {
        into.extend(self.vars.scenarios(&self.ticket.lexicon, list).copied());
    }

    fn negatives(&self) -> Vec<Draft> {
        let mut scenarios: Vec<Scenario> = Vec::new();
        for domain in &self.analysis.domains {
            self.admitted(domain_rules(*domain).negatives, &mut scenarios);
        }
        for context in &self.analysis.contexts {
            self.admitted(context_rules(*context).negatives, &mut scenarios);
        }
        self.admitted(domain_rules(Domain::General).negatives, &mut scenarios);
        let ui = self.analysis.has(TechnicalContext::Ui);
        scenarios
            .into_iter()
            .enumerate()
            .map(|(index, scenario)| {
                let test_type = if index == 0 || !ui {
                    if self.is_story() || self.request.team != Some(Team::Frontend) {
                        TestType::Integration
                    } else {
                        TestType::Ui
                    }
                } else {
                    TestType::Ui
                };
                self.case_from_scenario(
                    scenario,
                    TestCategory::Negative,
                    test_type,
                    TestPriority::P1,
                )
            })
            .collect()
    }

    fn edges(&self) -> Vec<Draft> {
        let mut scenarios: Vec<Scenario> = Vec::new();
        for domain in &self.analysis.domains {
            self.admitted(domain_rules(*domain).edges, &mut scenarios);
        }
        self.admitted(domain_rules(Domain::General).edges, &mut scenarios);
        let test_type = if self.is_story() {
            TestType::Integration
        } else {
            self.task_main_type()
        };
        scenarios
            .into_iter()
            .map(|scenario| {
                self.case_from_scenario(scenario, TestCategory::Edge, test_type, TestPriority::P2)
            })
            .collect()
    }

    fn security(&self) -> Vec<Draft> {
        let mut scenarios: Vec<Scenario> = Vec::new();
        for domain in &self.analysis.domains {
            self.admitted(domain_rules(*domain).security, &mut scenarios);
        }
        for context in &self.analysis.contexts {
            self.admitted(context_rules(*context).security, &mut scenarios);
        }
        self.admitted(domain_rules(Domain::General).security, &mut scenarios);
        scenarios
            .into_iter()
            .map(|scenario| {
                self.case_from_scenario(
                    scenario,
                    TestCategory::Security,
                    TestType::Security,
                    TestPriority::P0,
                )
            })
            .collect()
    }

    fn performance(&self) -> Draft {
        let target = self
            .analysis
            .entities
            .measures
            .iter()
            .find(|m| m.ends_with("ms") || m.contains("second"))
            .cloned()
            .unwrap_or_else(|| "500 ms".to_owned());
        let volume = self
            .analysis
            .entities
            .measures
            .iter()
            .find(|m| m.contains("rows") || m.contains("records") || m.contains("users"))
            .cloned();
        let load = match &volume {
            Some(volume) => format!("with {volume}"),
            None => format!("with 50 concurrent {}s", self.vars.role),
        };
        Draft {
            title: shorten(
                &format!(
                    "Performance: {} stays within {target} at p95",
                    self.vars.topic
                ),
                90,
            ),
            test_type: TestType::Performance,
            category: TestCategory::Performance,
            priority: TestPriority::P1,
            description: format!(
                "Measures latency and error rate of {} under expected peak load.",
                self.vars.topic
            ),
            extra_preconditions: vec![
                "A production-sized data set in the load-test environment".to_owned(),
            ],
            steps: vec![
                format!("Given the load-test environment {load}"),
                format!(
                    "When {} is exercised for 10 minutes at expected peak rate",
                    self.vars.topic
                ),
                format!("Then p95 latency stays under {target}"),
                "And the error rate stays below 0.1%".to_owned(),
            ],
            expected: format!(
                "p95 latency under {target}, error rate below 0.1%, no resource exhaustion."
            ),
            covers: None,
        }
    }

    fn case_from_scenario(
        &self,
        scenario: Scenario,
        category: TestCategory,
        test_type: TestType,
        priority: TestPriority,
    ) -> Draft {
        let title = upper_first(&self.vars.fill(scenario.title));
        let when = self.vars.fill(scenario.when);
        let then = self.vars.fill(scenario.then);
        // A library scenario that does not name the ticket's subject says which subject it
        // is about, so a reader sees why it belongs to this ticket.
        let names_subject = [&title, &when, &then]
            .iter()
            .any(|text| mentions_summary(text, self.ticket));
        let description = if names_subject {
            format!("Checks that when {when}, {then}.")
        } else {
            format!("For {}: checks that when {when}, {then}.", self.vars.topic)
        };
        Draft {
            title: shorten(&title, 90),
            test_type,
            category,
            priority,
            description,
            extra_preconditions: Vec::new(),
            steps: vec![
                self.given_line(),
                format!("When {when}"),
                format!("Then {then}"),
            ],
            expected: sentence(&then),
            covers: None,
        }
    }

    /// Makes sure the types the coverage level promises are present, converting the best
    /// candidate rather than padding with empty stubs.
    fn ensure_required_types(&self, drafts: &mut Vec<Draft>) {
        use TestType::*;
        let required: &[TestType] = match (self.request.target, self.request.level) {
            (TestTarget::Story, CoverageLevel::Minimal) => &[Acceptance],
            (TestTarget::Story, CoverageLevel::Basic) => &[Acceptance, Integration],
            (TestTarget::Story, CoverageLevel::Standard) => &[Acceptance, Integration, E2e],
            (TestTarget::Story, CoverageLevel::Comprehensive) => {
                &[Acceptance, Integration, E2e, Performance, Security]
            }
            (TestTarget::Task, CoverageLevel::Minimal) => &[],
            (TestTarget::Task, CoverageLevel::Basic | CoverageLevel::Standard) => &[Integration],
            (TestTarget::Task, CoverageLevel::Comprehensive) => &[Integration, Performance],
        };
        for wanted in required {
            if drafts.iter().any(|draft| draft.test_type == *wanted) {
                continue;
            }
            // Convert the last draft whose type occurs more than once.
            let convertible = drafts.iter().rposition(|draft| {
                drafts
                    .iter()
                    .filter(|other| other.test_type == draft.test_type)
                    .count()
                    > 1
            });
            if let Some(draft) = convertible.and_then(|index| drafts.get_mut(index)) {
                draft.test_type = *wanted;
            }
        }
        let (min, _) = self.request.level.test_count_range();
        while drafts.len() < min {
            let n = drafts.len() + 1;
            drafts.push(Draft {
                title: format!(
                    "Regression {n}: existing {} behaviour is unchanged",
                    self.vars.topic
                ),
                test_type: if self.is_story() { Integration } else { Unit },
                category: TestCategory::Positive,
                priority: TestPriority::P2,
                description: format!(
                    "Re-runs the existing flows around {} to catch regressions.",
                    self.vars.topic
                ),
                extra_preconditions: Vec::new(),
                steps: vec![
                    format!("Given the existing {} test data", self.vars.topic),
                    "When the pre-existing flows are exercised".to_owned(),
                    "Then their results match the previous release".to_owned(),
                ],
                expected: "No behaviour change outside the scope of this ticket.".to_owned(),
                covers: None,
            });
        }
    }

    /// What a unit test exercises: "the `POST /x` handler" or "the password reset logic".
    fn unit_subject(&self) -> String {
        let topic = &self.vars.topic;
        if topic.starts_with('/')
            || topic
                .split_whitespace()
                .next()
                .is_some_and(|w| ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&w))
        {
            format!("the `{topic}` handler")
        } else {
            format!("the {topic} logic")
        }
    }

    /// The opening Given of scenario tests: a user for stories, the running code for tasks.
    fn given_line(&self) -> String {
        if self.is_story()
            || matches!(
                self.request.team,
                Some(Team::Frontend | Team::Mobile | Team::Qa)
            )
        {
            self.vars.facts.given_user(&self.vars.role)
        } else if self.analysis.has(TechnicalContext::Api)
            || self.analysis.has(TechnicalContext::Database)
        {
            "Given the service runs against a migrated test database".to_owned()
        } else {
            format!(
                "Given the {} code with its external dependencies stubbed",
                self.vars.topic
            )
        }
    }

    fn preconditions(&self) -> Vec<String> {
        let role = &self.vars.role;
        let mut list = Vec::new();
        if self.is_story()
            || matches!(
                self.request.team,
                Some(Team::Frontend | Team::Mobile | Team::Qa)
            )
        {
            // A sign-up starts from no account; everyone else needs one.
            if self.vars.facts.actor == Actor::Visitor {
                list.push("No account exists yet for the test email address".to_owned());
            } else {
                list.push(format!("A test {role} account exists"));
            }
        }
        if self.analysis.has(TechnicalContext::Database) {
            list.push("The test database is migrated to the latest schema and seeded".to_owned());
        }
        if self.analysis.has(TechnicalContext::ExternalService) {
            list.push(format!(
                "{} is reachable in sandbox mode or replaced by a stub that answers like it",
                upper_first(&self.vars.service)
            ));
        }
        if self.analysis.has(TechnicalContext::Queue) {
            list.push("A background worker is running against the test queue".to_owned());
        }
        if self.analysis.in_domain(Domain::Payments) {
            list.push("The payment provider is in test mode with its test cards".to_owned());
        }
        if self.analysis.in_domain(Domain::DataMigration) {
            list.push("A production-like copy of the source data is available".to_owned());
        }
        if list.is_empty() {
            list.push(format!(
                "{} is deployed to the test environment",
                upper_first(&self.vars.topic)
            ));
        }
        list
    }
}

/// True when `text` describes something being refused or failing, which makes its test a
/// negative one.
fn describes_failure(text: &str) -> bool {
    const FAILURE_WORDS: [&str; 14] = [
        "expired",
        "invalid",
        "rejected",
        "declined",
        "refused",
        "denied",
        "wrong",
        "unauthorised",
        "unauthorized",
        "forbidden",
        "cannot",
        "can't",
        "not allowed",
        "blocked",
    ];
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|word| !word.is_empty())
        .collect();
    FAILURE_WORDS
        .iter()
        .any(|failure| match failure.split_once(' ') {
            Some((first, second)) => words.windows(2).any(|pair| pair == [first, second]),
            None => words.contains(failure),
        })
}

/// True when `text` repeats a distinctive word of the ticket's summary.
fn mentions_summary(text: &str, ticket: &Analysis) -> bool {
    const COMMON: [&str; 26] = [
        "with", "from", "into", "when", "that", "this", "their", "users", "user", "page", "flow",
        "button", "does", "nothing", "have", "should", "must", "will", "every", "each", "after",
        "before", "only", "other", "allow", "shows",
    ];
    let lower = text.to_lowercase();
    ticket
        .summary
        .clean
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.len() >= 4 && !COMMON.contains(word))
        .any(|word| {
            // "refunds" in the summary matches "refund" in the text.
            let stem = word.strip_suffix('s').unwrap_or(word);
            lower.contains(stem)
        })
}

/// "save my cart" → "saves my cart".
fn third_person_phrase(phrase: &str) -> String {
    match phrase.split_once(' ') {
        Some((verb, rest)) => format!("{} {rest}", crate::text_analysis::third_person(verb)),
        None => crate::text_analysis::third_person(phrase),
    }
}

fn lowercase_start(text: &str) -> String {
    crate::text_analysis::lower_first(text.trim_end_matches('.'))
}

/// Cuts `text` at a word boundary to at most `max` bytes, marking the cut with "…".
pub(super) fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = &text[..end];
    let cut = cut.rfind(' ').map_or(cut, |space| &cut[..space]);
    format!("{}…", cut.trim_end_matches([',', ';', ':']))
}
