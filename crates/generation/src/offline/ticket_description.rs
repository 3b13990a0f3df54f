//! Offline `ticket_description`: Purpose / Scopes / Expected Outcome composed from the
//! ticket's own words, with sections chosen by issue type (reproduction, root-cause hypotheses
//! and verification for bugs; acceptance criteria for stories; questions for spikes).

use super::phrasebook::{Vars, context_rules, domain_rules};
use super::{
    OfflineTask, benefit_for, capability, describe_document, describe_parent,
    description_scope_items, description_section_items, push_unique, sentence, success_outcome,
    supporting_texts,
};
use crate::task::{
    DescriptionSection, IssueType, TechnicalContext, TicketDescription, TicketDescriptionInput,
};
use crate::text_analysis::{Analysis, lower_first, upper_first};

/// Most scope or outcome bullets a description gets; longer lists stop being read.
const MAX_ITEMS: usize = 7;

impl OfflineTask for TicketDescriptionInput {
    fn generate_offline(&self) -> TicketDescription {
        let description = super::clipped(super::meaningful(self.description.as_deref()));
        let changes = self.linked_changes.join("\n");
        let mut texts = supporting_texts(
            description,
            self.parent.as_ref(),
            &self.documents,
            self.additional_context.as_deref(),
        );
        texts.push(&changes);
        let analysis = Analysis::new(&self.summary, &texts, &[]);
        let writer = Writer {
            input: self,
            description,
            vars: Vars::from_analysis(&analysis),
            analysis,
        };
        let mut output = match self.issue_type {
            IssueType::Bug => writer.bug(),
            IssueType::Spike => writer.spike(),
            IssueType::Epic => writer.epic(),
            IssueType::Story => writer.story(),
            IssueType::Task | IssueType::Subtask => writer.task(),
        };
        if let Some(references) = writer.references() {
            output.additional_sections.push(references);
        }
        output
    }
}

struct Writer<'a> {
    input: &'a TicketDescriptionInput,
    description: Option<&'a str>,
    analysis: Analysis,
    vars: Vars,
}

impl Writer<'_> {
    fn story(&self) -> TicketDescription {
        let capability = capability(&self.analysis.summary);
        let role = capability
            .role
            .clone()
            .unwrap_or_else(|| self.vars.role.clone());
        let benefit = self.benefit();
        let purpose = match &capability.offering {
            Some(offering) => format!(
                "Give {role}s {offering} so that {benefit}.{}",
                self.context_sentence()
            ),
            None => format!(
                "Let {role}s {} so that {benefit}.{}",
                capability.phrase,
                self.context_sentence()
            ),
        };
        let mut scopes = self.user_scopes();
        self.push_layer_scopes(&mut scopes);
        self.push_domain_scopes(&mut scopes);
        push_unique(
            &mut scopes,
            "Cover every acceptance criterion with an automated test".to_owned(),
        );
        let mut outcome = vec![sentence(&format!(
            "{}s can {}",
            upper_first(&role),
            capability.phrase
        ))];
        for criterion in self.analysis.criteria.iter().take(3) {
            if let Some(then) = &criterion.then {
                push_unique(&mut outcome, sentence(then));
            }
        }
        self.push_domain_outcomes(&mut outcome);
        push_unique(
            &mut outcome,
            format!(
                "Existing {} behaviour keeps working; no regressions in related flows.",
                self.vars.topic
            ),
        );
        let criteria =
            self.acceptance_criteria(&role, &capability.phrase, capability.verb.as_deref());
        let mut sections = vec![DescriptionSection {
            heading: "Acceptance Criteria".to_owned(),
            items: criteria,
        }];
        sections.extend(self.out_of_scope());
        TicketDescription {
            purpose,
            scopes: cap(scopes),
            expected_outcome: cap(outcome),
            additional_sections: sections,
        }
    }

    fn task(&self) -> TicketDescription {
        let summary = &self.analysis.summary;
        let purpose = format!(
            "This task {} so that {}.{}",
            summary.action_phrase_third_person(),
            benefit_for(&self.vars.role, &self.benefit()),
            self.context_sentence()
        );
        let mut scopes = self.user_scopes();
        self.push_layer_scopes(&mut scopes);
        self.push_domain_scopes(&mut scopes);
        push_unique(
            &mut scopes,
            format!(
                "Add unit and integration tests for {} and update the affected documentation",
                self.vars.topic
            ),
        );
        let mut outcome = vec![sentence(&format!(
            "{} is in place and covered by automated tests",
            upper_first(&lower_first(&summary.object))
        ))];
        if self.analysis.has(TechnicalContext::Api) {
            push_unique(
                &mut outcome,
                format!(
                    "{} is documented and answers the documented error responses.",
                    upper_first(&self.vars.endpoint)
                ),
            );
        }
        if self.analysis.has(TechnicalContext::Database)
            && super::changes_storage(&self.analysis.lexicon)
        {
            push_unique(
                &mut outcome,
                "The migration applies and rolls back cleanly on a production-sized copy."
                    .to_owned(),
            );
        }
        self.push_domain_outcomes(&mut outcome);
        let mut sections = Vec::new();
        sections.extend(self.technical_notes());
        sections.extend(self.out_of_scope());
        TicketDescription {
            purpose,
            scopes: cap(scopes),
            expected_outcome: cap(outcome),
            additional_sections: sections,
        }
    }

    fn bug(&self) -> TicketDescription {
        let summary = &self.analysis.summary;
        let rules = domain_rules(self.analysis.domain);
        let subject = summary
            .failing_subject
            .clone()
            .unwrap_or_else(|| upper_first(&self.vars.topic));
        let first = match &summary.verb {
            Some(_) => sentence(&summary.action_phrase()),
            None => format!("Fix the defect where {}.", lower_first(&summary.clean)),
        };
        let purpose = format!("{first} {}", rules.impact);
        let trigger = summary.trigger.as_deref();
        let problem = summary.problem.as_deref();
        let mut scopes = vec![match trigger {
            Some(trigger) => {
                format!("Reproduce the failure in an automated test: {subject} when {trigger}")
            }
            None => format!(
                "Reproduce the failure of {} in an automated test",
                lower_first(&subject)
            ),
        }];
        scopes.push(format!(
            "Find and fix the root cause in the {} code path rather than masking the symptom",
            lower_first(&subject)
        ));
        if let Some(trigger) = trigger {
            scopes.push(format!(
                "Check other code paths that handle the same input ({trigger}) for the same flaw"
            ));
        }
        for item in self.user_scopes().into_iter().take(3) {
            push_unique(&mut scopes, item);
        }
        if let Some(code) = self.analysis.entities.status_codes.first() {
            scopes.push(format!(
                "Return a meaningful error instead of {code} for invalid input, and log the failure with request context"
            ));
        }
        let mut outcome = vec![match (trigger, problem) {
            (Some(trigger), Some(problem)) => format!(
                "{subject} works when {trigger}; it no longer {}.",
                problem.trim_start_matches("is ").trim()
            ),
            (None, Some(problem)) => format!("{subject} no longer {problem}."),
            _ => format!("{subject} behaves as specified in the reported scenario."),
        }];
        outcome.push(
            "A regression test reproduces the original failure and passes with the fix.".to_owned(),
        );
        outcome.push(format!(
            "No increase in errors for {} after release.",
            lower_first(&subject)
        ));
        let mut sections = vec![
            DescriptionSection {
                heading: "Steps to Reproduce".to_owned(),
                items: self.reproduction_steps(&subject),
            },
            DescriptionSection {
                heading: "Expected vs. Actual".to_owned(),
                items: self.expected_vs_actual(&subject),
            },
            DescriptionSection {
                heading: "Root Cause Hypotheses".to_owned(),
                items: self.root_causes(),
            },
            DescriptionSection {
                heading: "Verification".to_owned(),
                items: vec![
                    "The new regression test fails on the old code and passes on the fix."
                        .to_owned(),
                    "Follow the steps to reproduce on staging and confirm the expected behaviour."
                        .to_owned(),
                    format!(
                        "Watch logs and error rates for {} for 24 hours after release.",
                        lower_first(&subject)
                    ),
                ],
            },
        ];
        sections.extend(self.technical_notes());
        TicketDescription {
            purpose,
            scopes: cap(scopes),
            expected_outcome: outcome,
            additional_sections: sections,
        }
    }

    fn spike(&self) -> TicketDescription {
        let summary = &self.analysis.summary;
        let question = match summary.verb.as_deref() {
            Some("investigate" | "research" | "explore" | "evaluate") | None => {
                lower_first(&summary.object)
            }
            Some(_) => format!("how to {}", summary.action_phrase()),
        };
        let purpose = format!(
            "Investigate {question} within a fixed time box and recommend an approach, so the team can plan the implementation with known risks and estimates.{}",
            self.context_sentence()
        );
        let topic = &self.vars.topic;
        let mut scopes = vec![
            format!(
                "Document the current state and the constraints any {topic} option must meet (scale, budget, team skills)"
            ),
            format!("Compare at least two {topic} options on effort, risk, performance and cost"),
            "Prototype the riskiest part to validate the recommended option".to_owned(),
        ];
        for item in self.user_scopes().into_iter().take(3) {
            push_unique(&mut scopes, item);
        }
        push_unique(
            &mut scopes,
            "Estimate the recommended option and list the follow-up stories".to_owned(),
        );
        let mut questions = self
            .description
            .map(|text| {
                text.lines()
                    .map(|line| {
                        crate::text_analysis::bullet_items(line)
                            .pop()
                            .unwrap_or_else(|| line.trim().to_owned())
                    })
                    .filter(|line| line.ends_with('?'))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        if questions.is_empty() {
            questions = vec![
                format!("Which {topic} option fits our architecture and constraints?"),
                "What are the risks (security, performance, cost, maintenance) of each option?"
                    .to_owned(),
                "How much effort does the recommended option take, split into stories?".to_owned(),
            ];
        }
        TicketDescription {
            purpose,
            scopes: cap(scopes),
            expected_outcome: vec![
                "A written recommendation naming the chosen option, its trade-offs and open risks."
                    .to_owned(),
                "An estimate and a list of follow-up stories ready for refinement.".to_owned(),
                "Prototype code, if any, is documented and not merged into production code."
                    .to_owned(),
            ],
            additional_sections: vec![DescriptionSection {
                heading: "Questions to Answer".to_owned(),
                items: questions,
            }],
        }
    }

    fn epic(&self) -> TicketDescription {
        let summary = &self.analysis.summary;
        let action = match summary.verb.as_deref() {
            Some("add" | "implement" | "build" | "create" | "deliver" | "launch" | "introduce")
            | None => {
                format!("Deliver {}", lower_first(&summary.object))
            }
            Some(_) => upper_first(&summary.action_phrase()),
        };
        let purpose = format!(
            "{action} end to end so that {}.{}",
            benefit_for(&self.vars.role, &self.benefit()),
            self.context_sentence()
        );
        let mut scopes = self.user_scopes();
        self.push_domain_scopes(&mut scopes);
        self.push_layer_scopes(&mut scopes);
        push_unique(
            &mut scopes,
            format!(
                "Split {} into stories that can be released independently",
                self.vars.topic
            ),
        );
        let mut outcome = Vec::new();
        self.push_domain_outcomes(&mut outcome);
        push_unique(
            &mut outcome,
            "All stories of the epic are delivered and accepted.".to_owned(),
        );
        let topic = &self.vars.topic;
        let mut metrics = match self.analysis.domain {
            crate::task::Domain::DataMigration => vec![
                "Completeness: every source record is migrated or listed with a rejection reason"
                    .to_owned(),
                "Reconciliation: counts and checksums match between source and target".to_owned(),
                "Availability: no read downtime during cutover".to_owned(),
            ],
            crate::task::Domain::Performance => vec![
                format!("Latency: p95 of {topic} meets the agreed target under peak load"),
                "Cost: no increase in infrastructure cost per request".to_owned(),
            ],
            _ => vec![
                format!(
                    "Adoption: share of {}s using {topic} within 30 days of launch",
                    self.vars.role
                ),
                format!("Support: fewer tickets about {topic} than before launch"),
            ],
        };
        metrics.push("Quality: no open P1 defects at launch".to_owned());
        let mut sections = vec![DescriptionSection {
            heading: "Success Metrics".to_owned(),
            items: metrics,
        }];
        sections.extend(self.out_of_scope());
        TicketDescription {
            purpose,
            scopes: cap(scopes),
            expected_outcome: cap(outcome),
            additional_sections: sections,
        }
    }

    /// The "so that" part: the summary's own benefit, one from the description, or the
    /// domain's.
    fn benefit(&self) -> String {
        if let Some(benefit) = &self.analysis.summary.benefit {
            return benefit.trim_end_matches('.').to_owned();
        }
        if let Some(description) = self.description {
            let lower = description.to_ascii_lowercase();
            if let Some(at) = lower.find("so that ") {
                let rest = &description[at + "so that ".len()..];
                let end = rest.find(['.', '\n']).unwrap_or(rest.len());
                let benefit = rest[..end].trim();
                if !benefit.is_empty() && benefit.len() < 160 {
                    return benefit.to_owned();
                }
            }
        }
        domain_rules(self.analysis.domain).benefit.to_owned()
    }

    /// " It is part of PROJ-1 “…”." or " Requirements come from the PRD “…”.", or nothing.
    fn context_sentence(&self) -> String {
        if let Some(parent) = &self.input.parent {
            return format!(" It is part of {}.", describe_parent(parent));
        }
        if let Some(document) = self.input.documents.first() {
            return format!(
                " Requirements come from the {}.",
                describe_document(document)
            );
        }
        String::new()
    }

    /// The description's own list items: the requester's words come first.
    fn user_scopes(&self) -> Vec<String> {
        self.description
            .map(description_scope_items)
            .unwrap_or_default()
            .into_iter()
            .map(|item| upper_first(item.trim_end_matches('.')))
            .take(4)
            .collect()
    }

    fn push_layer_scopes(&self, scopes: &mut Vec<String>) {
        use TechnicalContext::*;
        for context in [
            Database,
            Api,
            Queue,
            ExternalService,
            Cache,
            Storage,
            Ui,
            Mobile,
        ] {
            // The requester's own line about an endpoint beats the generic one.
            let endpoint_covered = context == Api
                && self.analysis.entities.endpoints.iter().any(|endpoint| {
                    let path = endpoint.rsplit(' ').next().unwrap_or(endpoint);
                    scopes.iter().any(|scope| scope.contains(path))
                });
            if self.analysis.has(context) && !endpoint_covered {
                for scope in self
                    .vars
                    .phrases(&self.analysis.lexicon, context_rules(context).scopes)
                {
                    push_unique(scopes, scope);
                }
            }
        }
    }

    fn push_domain_scopes(&self, scopes: &mut Vec<String>) {
        let lexicon = &self.analysis.lexicon;
        for domain in self.analysis.domains.iter().take(2) {
            let templates = domain_rules(*domain).scopes;
            for scope in self.vars.phrases(lexicon, templates).into_iter().take(2) {
                push_unique(scopes, scope);
            }
        }
        if scopes.len() < 2 {
            push_unique(
                scopes,
                format!(
                    "Implement {} following the existing patterns of the affected module",
                    self.vars.object
                ),
            );
            // Only something users type into has input to validate.
            let failures = if self.vars.facts.text_input {
                "Validate input and handle failures with messages that say what to do"
            } else {
                "Handle failures with messages that say what to do"
            };
            push_unique(scopes, failures.to_owned());
        }
    }

    fn push_domain_outcomes(&self, outcome: &mut Vec<String>) {
        let lexicon = &self.analysis.lexicon;
        for domain in self.analysis.domains.iter().take(2) {
            for text in self.vars.phrases(lexicon, domain_rules(*domain).outcomes) {
                push_unique(outcome, sentence(&text));
            }
        }
    }

    fn acceptance_criteria(&self, role: &str, capability: &str, verb: Option<&str>) -> Vec<String> {
        if !self.analysis.criteria.is_empty() {
            return self
                .analysis
                .criteria
                .iter()
                .map(|c| c.text.clone())
                .take(10)
                .collect();
        }
        let given = self.vars.facts.given_user(role);
        let mut criteria = vec![format!(
            "{given}, when they {capability}, then {}",
            success_outcome(verb)
        )];
        if self.analysis.domain == crate::task::Domain::General {
            // Without a domain, persistence is the criterion every story shares.
            criteria.push(format!(
                "Given a {role} who has just done so, when they reload the page or sign in on another device, then the result is still in effect"
            ));
            return criteria;
        }
        let rules = domain_rules(self.analysis.domain);
        let lexicon = &self.analysis.lexicon;
        let negative = self.vars.scenarios(lexicon, rules.negatives).next();
        let edge = self.vars.scenarios(lexicon, rules.edges).next();
        for scenario in negative.into_iter().chain(edge) {
            criteria.push(format!(
                "{given}, when {}, then {}",
                self.vars.fill(scenario.when),
                self.vars.fill(scenario.then)
            ));
        }
        criteria
    }

    fn reproduction_steps(&self, subject: &str) -> Vec<String> {
        if let Some(description) = self.description {
            let steps = description_section_items(description, &["steps", "reproduc"]);
            if !steps.is_empty() {
                return steps;
            }
        }
        let summary = &self.analysis.summary;
        let mut steps = vec![format!(
            "Prepare a test environment and a {} account matching the report.",
            self.vars.role
        )];
        if let Some(screen) = self.analysis.entities.screens.first() {
            steps.push(format!("Open the {screen}."));
        } else if let Some(endpoint) = self.analysis.entities.endpoints.first() {
            steps.push(format!("Call `{endpoint}`."));
        }
        match &summary.trigger {
            Some(trigger) => steps.push(format!(
                "Trigger the reported scenario: {} when {trigger}.",
                lower_first(subject)
            )),
            None => steps.push(format!(
                "Use {} as in normal operation.",
                lower_first(subject)
            )),
        }
        steps.push(match &summary.problem {
            Some(problem) => format!("Observe that it {problem}."),
            None => "Observe the faulty behaviour described in the summary.".to_owned(),
        });
        steps
    }

    fn expected_vs_actual(&self, subject: &str) -> Vec<String> {
        if let Some(description) = self.description {
            let explicit: Vec<String> = description
                .lines()
                .map(str::trim)
                .filter(|line| {
                    let lower = line.to_lowercase();
                    lower.starts_with("expected") || lower.starts_with("actual")
                })
                .map(str::to_owned)
                .collect();
            if explicit.len() >= 2 {
                return explicit;
            }
        }
        let summary = &self.analysis.summary;
        let actual = match (&summary.problem, &summary.trigger) {
            (Some(problem), Some(trigger)) => {
                format!("Actual: {subject} {problem} when {trigger}.")
            }
            (Some(problem), None) => format!("Actual: {subject} {problem}."),
            _ => format!("Actual: {}.", summary.clean),
        };
        vec![
            format!(
                "Expected: {subject} completes normally for valid input and explains any rejection."
            ),
            actual,
        ]
    }

    fn root_causes(&self) -> Vec<String> {
        let lexicon = &self.analysis.lexicon;
        let mut causes = Vec::new();
        if self
            .analysis
            .entities
            .status_codes
            .iter()
            .any(|code| code.starts_with('5'))
        {
            causes.push("An unhandled exception on the server path; the stack trace logged for the failing request shows where.".to_owned());
        }
        if lexicon.any(&[
            "plus",
            "special character*",
            "unicode",
            "apostrophe*",
            "emoji*",
            "accent*",
            "encoding",
            "space*",
        ]) {
            causes.push("Special characters are not encoded or normalised consistently (for example '+' decoded as a space in a query string).".to_owned());
        }
        if lexicon.any(&["timeout*", "times out", "slow*", "hang*"]) {
            causes.push(
                "A slow query or an external call without a timeout holds the request.".to_owned(),
            );
        }
        if lexicon.any(&[
            "sometimes",
            "intermittent*",
            "random*",
            "occasionally",
            "flaky",
        ]) {
            causes.push("A race condition or a dependency on timing or ordering.".to_owned());
        }
        if lexicon.any(&[
            "since",
            "after deploy*",
            "after releas*",
            "after upgrad*",
            "regression",
        ]) {
            causes.push("A regression from a recent change; bisect between the last good and the first bad release.".to_owned());
        }
        if lexicon.any(&["safari", "firefox", "chrome", "ios", "android", "browser*"]) {
            causes.push("Platform- or browser-specific behaviour not covered by tests.".to_owned());
        }
        for cause in domain_rules(self.analysis.domain).root_causes {
            push_unique(&mut causes, sentence(cause));
        }
        causes.truncate(4);
        causes
    }

    fn technical_notes(&self) -> Option<DescriptionSection> {
        let entities = &self.analysis.entities;
        let mut notes = Vec::new();
        if !entities.endpoints.is_empty() {
            notes.push(format!("Endpoints: {}", code_list(&entities.endpoints)));
        }
        if !entities.tables.is_empty() {
            notes.push(format!("Tables: {}", code_list(&entities.tables)));
        }
        if !entities.identifiers.is_empty() {
            notes.push(format!("Identifiers: {}", code_list(&entities.identifiers)));
        }
        if !entities.paths.is_empty() {
            notes.push(format!("Files: {}", code_list(&entities.paths)));
        }
        if !entities.services.is_empty() {
            notes.push(format!("Services: {}", entities.services.join(", ")));
        }
        if !entities.measures.is_empty() {
            notes.push(format!("Targets: {}", entities.measures.join(", ")));
        }
        (!notes.is_empty()).then(|| DescriptionSection {
            heading: "Technical Notes".to_owned(),
            items: notes,
        })
    }

    fn out_of_scope(&self) -> Option<DescriptionSection> {
        let items =
            description_section_items(self.description?, &["out of scope", "non-goal", "non goal"]);
        (!items.is_empty()).then(|| DescriptionSection {
            heading: "Out of Scope".to_owned(),
            items,
        })
    }

    fn references(&self) -> Option<DescriptionSection> {
        let mut items = Vec::new();
        if let Some(parent) = &self.input.parent {
            items.push(format!("Parent: {}", describe_parent(parent)));
        }
        for document in &self.input.documents {
            items.push(describe_document(document));
        }
        for change in &self.input.linked_changes {
            items.push(format!("Linked change: {}", change.trim()));
        }
        (!items.is_empty()).then(|| DescriptionSection {
            heading: "References".to_owned(),
            items,
        })
    }
}

fn code_list(items: &[String]) -> String {
    items
        .iter()
        .map(|item| format!("`{item}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn cap(mut items: Vec<String>) -> Vec<String> {
    items.truncate(MAX_ITEMS);
    items
}
