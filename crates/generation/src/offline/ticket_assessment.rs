//! Offline `ticket_assessment`: scores a ticket area by area from evidence in its own text —
//! vague words, a missing or placeholder description, the presence and form of acceptance
//! criteria, measurable numbers, steps to reproduce for bugs, issue links and dependency
//! mentions, unanswered questions in comments, and the size of the scope — and turns each
//! weakness into a concrete fix. Every finding quotes or names what it is about, so a reader
//! can check it against the ticket.

use super::phrasebook::{Vars, domain_rules};
use super::{
    OfflineTask, capability, description_section_items, push_unique, sentence, success_outcome,
};
use crate::task::{
    AreaAssessment, AssessmentArea, Domain, IssueType, TechnicalContext, TicketAssessment,
    TicketAssessmentInput,
};
use crate::text_analysis::{Analysis, Lexicon, lower_first, upper_first};

/// What kind of vagueness a word carries, which decides the fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum VagueKind {
    /// "fast", "slow": a speed without a number.
    Speed,
    /// "user-friendly", "intuitive", "properly": a quality nobody can check.
    Quality,
    /// "etc.": an open-ended list.
    List,
    /// "some", "various": an unstated quantity or selection.
    Quantity,
    /// "TBD": a decision not taken.
    Undecided,
    /// "ASAP": a deadline without a date.
    Deadline,
    /// "better", "scalable": a comparison without a baseline.
    Comparison,
}

impl VagueKind {
    /// The question to ask its author, completing "The requirement says “fast”: ".
    pub(super) fn question(self) -> &'static str {
        match self {
            VagueKind::Speed => "what is the measurable target (for example a p95 latency)?",
            VagueKind::Quality => "which observable behaviour shows it is met?",
            VagueKind::List => "what is the complete list?",
            VagueKind::Quantity => "which ones, or how many, exactly?",
            VagueKind::Undecided => "who decides it, and by when?",
            VagueKind::Deadline => "what is the date, and what depends on it?",
            VagueKind::Comparison => "what is the current value and the target?",
        }
    }

    /// A concrete edit replacing `word`.
    fn fix(self, word: &str) -> String {
        match self {
            VagueKind::Speed => format!(
                "Replace “{word}” with a measurable target, e.g. “p95 < 300 ms with production-sized data”."
            ),
            VagueKind::Quality => format!(
                "Replace “{word}” with an observable behaviour, e.g. “a first-time user completes the flow without help in under 2 minutes”."
            ),
            VagueKind::List => {
                format!("Replace “{word}” with the complete list of items in scope.")
            }
            VagueKind::Quantity => {
                format!("Replace “{word}” with the exact items or a number.")
            }
            VagueKind::Undecided => format!(
                "Resolve “{word}”: take the decision, or turn it into an open question with an owner and a date."
            ),
            VagueKind::Deadline => format!("Replace “{word}” with a date and the reason for it."),
            VagueKind::Comparison => format!(
                "Replace “{word}” with the current value and the target value (e.g. “from 4 s to under 1 s”)."
            ),
        }
    }

    fn blocks_testing(self) -> bool {
        matches!(
            self,
            VagueKind::Speed | VagueKind::Quality | VagueKind::Comparison
        )
    }
}

/// A vague word found in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct VagueTerm {
    /// As it is quoted back.
    pub word: &'static str,
    pub kind: VagueKind,
}

/// Words that make a ticket untestable or open-ended: (keyword in lexicon syntax, quoted as,
/// kind).
const VAGUE_TERMS: &[(&str, &str, VagueKind)] = &[
    ("fast", "fast", VagueKind::Speed),
    ("faster", "faster", VagueKind::Speed),
    ("quick", "quick", VagueKind::Speed),
    ("quickly", "quickly", VagueKind::Speed),
    ("slow", "slow", VagueKind::Speed),
    ("performant", "performant", VagueKind::Speed),
    ("snappy", "snappy", VagueKind::Speed),
    ("user-friendly", "user-friendly", VagueKind::Quality),
    ("intuitive", "intuitive", VagueKind::Quality),
    ("easy", "easy", VagueKind::Quality),
    ("easily", "easily", VagueKind::Quality),
    ("seamless*", "seamless", VagueKind::Quality),
    ("nice", "nice", VagueKind::Quality),
    ("modern", "modern", VagueKind::Quality),
    ("clean", "clean", VagueKind::Quality),
    ("properly", "properly", VagueKind::Quality),
    ("correctly", "correctly", VagueKind::Quality),
    ("as needed", "as needed", VagueKind::Quality),
    ("appropriate", "appropriate", VagueKind::Quality),
    ("robust", "robust", VagueKind::Quality),
    ("etc", "etc.", VagueKind::List),
    ("and so on", "and so on", VagueKind::List),
    ("some", "some", VagueKind::Quantity),
    ("various", "various", VagueKind::Quantity),
    ("several", "several", VagueKind::Quantity),
    ("a lot", "a lot", VagueKind::Quantity),
    ("lots of", "lots of", VagueKind::Quantity),
    ("tbd", "TBD", VagueKind::Undecided),
    ("tbc", "TBC", VagueKind::Undecided),
    ("todo", "TODO", VagueKind::Undecided),
    ("to be decided", "to be decided", VagueKind::Undecided),
    ("to be defined", "to be defined", VagueKind::Undecided),
    ("asap", "ASAP", VagueKind::Deadline),
    ("soon", "soon", VagueKind::Deadline),
    ("better", "better", VagueKind::Comparison),
    ("scalable", "scalable", VagueKind::Comparison),
    ("optimal", "optimal", VagueKind::Comparison),
];

/// The vague words `lexicon` contains, each once, in table order.
pub(super) fn vague_terms(lexicon: &Lexicon) -> Vec<VagueTerm> {
    VAGUE_TERMS
        .iter()
        .filter(|(keyword, _, _)| lexicon.hits(keyword) > 0)
        .map(|(_, word, kind)| VagueTerm { word, kind: *kind })
        .collect()
}

/// Story-point values teams use.
const FIBONACCI: [f64; 6] = [1.0, 2.0, 3.0, 5.0, 8.0, 13.0];

/// Areas' weights in the overall score: what makes a ticket startable counts most.
const WEIGHTS: [(AssessmentArea, f64); 6] = [
    (AssessmentArea::Clarity, 0.2),
    (AssessmentArea::Completeness, 0.2),
    (AssessmentArea::AcceptanceCriteria, 0.2),
    (AssessmentArea::Testability, 0.15),
    (AssessmentArea::Estimability, 0.15),
    (AssessmentArea::Dependencies, 0.1),
];

impl OfflineTask for TicketAssessmentInput {
    fn generate_offline(&self) -> TicketAssessment {
        let evidence = Evidence::gather(self);
        let areas = vec![
            evidence.clarity(),
            evidence.completeness(),
            evidence.acceptance_criteria(),
            evidence.testability(),
            evidence.estimability(),
            evidence.dependencies(),
        ];
        let weighted: f64 = areas
            .iter()
            .map(|area| {
                let weight = WEIGHTS
                    .iter()
                    .find(|(known, _)| *known == area.area)
                    .map_or(0.0, |(_, weight)| *weight);
                weight * f64::from(area.score)
            })
            .sum();
        let score = clamp_score(weighted.round() as i32);
        let estimability = areas
            .iter()
            .find(|area| area.area == AssessmentArea::Estimability)
            .map_or(1, |area| area.score);
        let (estimate_points, estimate_rationale) = evidence.estimate(estimability);
        TicketAssessment {
            summary: evidence.verdict(score, &areas),
            fixes: evidence.fixes(estimate_points),
            suggested_acceptance_criteria: evidence.suggested_criteria(),
            estimate_points,
            estimate_rationale,
            areas,
            score,
        }
    }
}

/// Everything the assessment is based on, read once from the ticket.
struct Evidence<'a> {
    input: &'a TicketAssessmentInput,
    /// The description when it says something.
    description: Option<&'a str>,
    /// The description is there but says nothing ("TBD", an empty template).
    placeholder: bool,
    description_words: usize,
    analysis: Analysis,
    vague: Vec<VagueTerm>,
    /// Criteria written as Given/When/Then.
    gherkin: Vec<String>,
    /// Criteria written as plain statements.
    plain: Vec<String>,
    /// "should"/"must" lines of a description without a criteria section.
    should_lines: Vec<String>,
    /// Criteria that use a vague word, with the word.
    vague_criteria: Vec<(String, &'static str)>,
    measures: Vec<String>,
    steps: Vec<String>,
    expected_actual: bool,
    environment: bool,
    /// Issue keys written in the text that are not linked.
    unlinked_keys: Vec<String>,
    /// "depends on …" phrases in the text.
    dependency_phrases: Vec<String>,
    blockers: Vec<String>,
    /// Questions in comments that no later comment follows.
    open_comment_questions: Vec<String>,
}

impl<'a> Evidence<'a> {
    fn gather(input: &'a TicketAssessmentInput) -> Self {
        let raw = input
            .description
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty());
        let description = super::clipped(super::meaningful(raw));
        let placeholder = raw.is_some() && description.is_none();
        let texts: Vec<&str> = description.into_iter().collect();
        let analysis = Analysis::new(&input.summary, &texts, &[]);
        let vague = vague_terms(&analysis.lexicon);
        let (gherkin, plain): (Vec<_>, Vec<_>) = analysis
            .criteria
            .iter()
            .partition(|criterion| criterion.is_gherkin());
        let gherkin: Vec<String> = gherkin.into_iter().map(|c| c.text.clone()).collect();
        let plain: Vec<String> = plain.into_iter().map(|c| c.text.clone()).collect();
        let should_lines = if analysis.criteria.is_empty() {
            description.map(should_lines).unwrap_or_default()
        } else {
            Vec::new()
        };
        let vague_criteria = gherkin
            .iter()
            .chain(&plain)
            .chain(&should_lines)
            .filter_map(|criterion| {
                vague_terms(&Lexicon::new(criterion, &[]))
                    .first()
                    .map(|term| (criterion.clone(), term.word))
            })
            .collect();
        let mut measures = analysis.entities.measures.clone();
        for criterion in gherkin.iter().chain(&plain) {
            if criterion.chars().any(|c| c.is_ascii_digit()) && measures.is_empty() {
                measures.push(criterion.clone());
            }
        }
        let steps = description
            .map(|text| description_section_items(text, &["steps", "reproduc"]))
            .unwrap_or_default();
        let expected_actual = description.is_some_and(|text| {
            let lower = text.to_lowercase();
            lower.contains("expected") && (lower.contains("actual") || lower.contains("instead"))
        });
        let environment = analysis.lexicon.any(&[
            "browser*",
            "chrome",
            "safari",
            "firefox",
            "ios",
            "android",
            "version*",
            "release",
            "environment",
            "staging",
            "production",
            "prod",
        ]);
        let linked = input.links.join(" ").to_uppercase();
        let mut unlinked_keys = Vec::new();
        for key in description.map(issue_keys).unwrap_or_default() {
            if key != input.ticket_key.trim().to_uppercase() && !linked.contains(&key) {
                push_unique(&mut unlinked_keys, key);
            }
        }
        let dependency_phrases = description.map(dependency_phrases).unwrap_or_default();
        let blockers = input
            .links
            .iter()
            .filter(|link| {
                let lower = link.to_lowercase();
                lower.contains("blocked by") || lower.contains("depends on")
            })
            .cloned()
            .collect();
        let open_comment_questions = open_questions(&input.comments);
        Evidence {
            input,
            description,
            placeholder,
            description_words: description.map_or(0, |text| text.split_whitespace().count()),
            analysis,
            vague,
            gherkin,
            plain,
            should_lines,
            vague_criteria,
            measures,
            steps,
            expected_actual,
            environment,
            unlinked_keys,
            dependency_phrases,
            blockers,
            open_comment_questions,
        }
    }

    fn is_bug(&self) -> bool {
        self.input.issue_type == IssueType::Bug
    }

    fn criteria_count(&self) -> usize {
        self.gherkin.len() + self.plain.len()
    }

    fn quoted_vague(&self) -> String {
        self.vague
            .iter()
            .map(|term| format!("“{}”", term.word))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn missing_description_finding(&self) -> Option<String> {
        if self.placeholder {
            let raw = self.input.description.as_deref().unwrap_or("").trim();
            Some(format!(
                "The description is a placeholder (“{}”).",
                clip_quote(raw, 40)
            ))
        } else if self.description.is_none() {
            Some("There is no description; the summary alone has to carry the intent.".to_owned())
        } else {
            None
        }
    }

    fn clarity(&self) -> AreaAssessment {
        let mut score = 10;
        let mut findings = Vec::new();
        let summary = self.input.summary.trim();
        let summary_words = summary.split_whitespace().count();
        if summary_words < 4 {
            score -= 2;
            findings.push(format!(
                "The summary “{summary}” has {summary_words} word{}; it does not say what changes for whom.",
                if summary_words == 1 { "" } else { "s" }
            ));
        } else if let Some(verb) = &self.analysis.summary.verb {
            findings.push(format!(
                "The summary names an action (“{verb}”) and its object (“{}”).",
                self.analysis.summary.object
            ));
        } else if self.is_bug() && self.analysis.summary.problem.is_some() {
            findings.push("The summary names the failing behaviour.".to_owned());
        }
        if !self.vague.is_empty() {
            score -= self.vague.len().min(5) as i32;
            findings.push(format!(
                "Vague wording: {}; each needs a number, a list or a decision.",
                self.quoted_vague()
            ));
        }
        if let Some(finding) = self.missing_description_finding() {
            score -= 3;
            findings.push(finding);
        }
        area(AssessmentArea::Clarity, score, findings)
    }

    fn completeness(&self) -> AreaAssessment {
        let mut findings = Vec::new();
        if let Some(finding) = self.missing_description_finding() {
            findings.push(finding);
            if self.input.priority.is_none() {
                findings.push("No priority is set.".to_owned());
            }
            return area(AssessmentArea::Completeness, 2, findings);
        }
        let mut score = 10;
        if self.description_words < 15 {
            score -= 4;
            findings.push(format!(
                "The description has only {} words.",
                self.description_words
            ));
        } else if self.description_words < 40 {
            score -= 2;
            findings.push(format!(
                "The description is short ({} words); context and constraints are missing.",
                self.description_words
            ));
        } else {
            findings.push(format!(
                "The description has {} words of context.",
                self.description_words
            ));
        }
        if self.is_bug() {
            if self.steps.is_empty() {
                score -= 3;
                findings.push("No steps to reproduce.".to_owned());
            } else {
                findings.push(format!("{} steps to reproduce.", self.steps.len()));
            }
            if !self.expected_actual {
                score -= 2;
                findings.push("No expected vs. actual result.".to_owned());
            }
            if !self.environment {
                score -= 1;
                findings.push(
                    "No environment is named (browser or app version, release, account type)."
                        .to_owned(),
                );
            }
        } else if self.input.issue_type == IssueType::Story {
            let lower = self.description.unwrap_or("").to_lowercase();
            if !["so that", "because", "in order to", "as a "]
                .iter()
                .any(|marker| lower.contains(marker))
            {
                score -= 1;
                findings.push("The description does not say who benefits or why.".to_owned());
            }
        }
        if self.input.priority.is_none() {
            score -= 1;
            findings.push("No priority is set.".to_owned());
        }
        area(AssessmentArea::Completeness, score, findings)
    }

    fn acceptance_criteria(&self) -> AreaAssessment {
        let mut findings = Vec::new();
        let count = self.criteria_count();
        let mut score;
        if count == 0 {
            if !self.should_lines.is_empty() {
                score = 4 + self.should_lines.len().min(2) as i32;
                findings.push(format!(
                    "No acceptance criteria section; {} “should/must” line{} in the description could become criteria (e.g. “{}”).",
                    self.should_lines.len(),
                    if self.should_lines.len() == 1 { "" } else { "s" },
                    clip_quote(self.should_lines.first().map_or("", String::as_str), 80)
                ));
            } else if self.is_bug() && self.expected_actual {
                score = 4;
                findings.push(
                    "No acceptance criteria; the expected result is the only definition of done."
                        .to_owned(),
                );
            } else {
                score = 2;
                findings.push("No acceptance criteria: nobody can say when it is done.".to_owned());
            }
        } else {
            score = 5 + count.min(3) as i32 + if self.gherkin.is_empty() { 0 } else { 2 };
            findings.push(format!(
                "{count} acceptance criteri{}, {} in Given/When/Then form.",
                if count == 1 { "on" } else { "a" },
                self.gherkin.len()
            ));
            if self.gherkin.is_empty() {
                findings.push("The criteria are plain statements; Given/When/Then would name the starting state and the action.".to_owned());
            }
        }
        for (criterion, word) in self.vague_criteria.iter().take(2) {
            score -= 1;
            findings.push(format!(
                "“{}” uses “{word}” and cannot be checked as written.",
                clip_quote(criterion, 80)
            ));
        }
        area(AssessmentArea::AcceptanceCriteria, score, findings)
    }

    fn testability(&self) -> AreaAssessment {
        let mut findings = Vec::new();
        if self.description.is_none() && self.criteria_count() == 0 {
            findings.push(
                "Nothing observable to test against: no description and no criteria.".to_owned(),
            );
            return area(AssessmentArea::Testability, 2, findings);
        }
        let mut score = 4;
        if !self.gherkin.is_empty() {
            score += 3;
            findings.push("Given/When/Then criteria translate directly into tests.".to_owned());
        } else if self.criteria_count() + self.should_lines.len() > 0 {
            score += 2;
            findings.push(
                "Criteria exist but need a starting state and an action to become tests."
                    .to_owned(),
            );
        }
        if !self.measures.is_empty() {
            score += 2;
            findings.push(format!(
                "Measurable values: {}.",
                self.measures
                    .iter()
                    .take(3)
                    .map(|m| clip_quote(m, 60))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let untestable: Vec<&VagueTerm> = self
            .vague
            .iter()
            .filter(|term| term.kind.blocks_testing())
            .collect();
        if let Some(term) = untestable.first()
            && self.measures.is_empty()
        {
            score -= 2;
            findings.push(format!(
                "“{}” has no number, so no test can pass or fail on it.",
                term.word
            ));
        }
        if self.is_bug() {
            if !self.steps.is_empty() && self.expected_actual {
                score += 3;
                findings.push(
                    "The steps and the expected result give a ready regression test.".to_owned(),
                );
            } else {
                score -= 1;
                findings.push("Without steps and an expected result, the fix cannot be verified against the report.".to_owned());
            }
        }
        area(AssessmentArea::Testability, score, findings)
    }

    fn estimability(&self) -> AreaAssessment {
        let mut findings = Vec::new();
        if self.description.is_none() {
            findings.push(
                "Too little information to size: the work behind the summary is unknown."
                    .to_owned(),
            );
            return area(AssessmentArea::Estimability, 2, findings);
        }
        match self.input.issue_type {
            IssueType::Spike => {
                findings.push("A spike is time-boxed rather than estimated in points.".to_owned());
                return area(AssessmentArea::Estimability, 5, findings);
            }
            IssueType::Epic => {
                findings.push(
                    "An epic is sized through its stories; estimate those instead.".to_owned(),
                );
                return area(AssessmentArea::Estimability, 4, findings);
            }
            _ => {}
        }
        let mut score = 6;
        if self.criteria_count() > 0 || (self.is_bug() && !self.steps.is_empty()) {
            score += 2;
            findings
                .push("The definition of done is written down, which bounds the work.".to_owned());
        }
        if !self.vague.is_empty() {
            score -= self.vague.len().min(2) as i32;
            findings.push(format!(
                "{} {} the size open.",
                upper_first(&self.quoted_vague()),
                if self.vague.len() == 1 {
                    "leaves"
                } else {
                    "leave"
                }
            ));
        }
        if self.is_bug() && self.steps.is_empty() {
            score -= 2;
            findings.push(
                "Without steps to reproduce the cause is unknown, so the effort cannot be bounded."
                    .to_owned(),
            );
        }
        if !self.open_comment_questions.is_empty() {
            score -= 1;
            findings.push("Open questions in the comments can change the scope.".to_owned());
        }
        if self.is_large() {
            score -= 2;
            findings.push(format!(
                "The scope looks larger than one sprint item: {} criteria across {}.",
                self.criteria_count(),
                self.layers()
            ));
        }
        area(AssessmentArea::Estimability, score, findings)
    }

    fn dependencies(&self) -> AreaAssessment {
        let mut findings = Vec::new();
        let mut score = 8;
        if !self.input.links.is_empty() {
            score = 9;
            findings.push(format!(
                "Linked: {}.",
                self.input
                    .links
                    .iter()
                    .take(3)
                    .map(|link| link.trim().to_owned())
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
        for blocker in self.blockers.iter().take(2) {
            score = score.min(6);
            findings.push(format!(
                "“{}”: confirm it is done before the work starts.",
                blocker.trim()
            ));
        }
        if !self.unlinked_keys.is_empty() {
            score = score.min(5);
            findings.push(format!(
                "The text mentions {} but the ticket has no link to {}.",
                self.unlinked_keys.join(", "),
                if self.unlinked_keys.len() == 1 {
                    "it"
                } else {
                    "them"
                }
            ));
        }
        if let Some(phrase) = self.dependency_phrases.first()
            && self.input.links.is_empty()
            && self.unlinked_keys.is_empty()
        {
            score = score.min(5);
            findings.push(format!(
                "The description says “{phrase}” but links no issue."
            ));
        }
        let services: Vec<&String> = self
            .analysis
            .entities
            .services
            .iter()
            .filter(|s| !matches!(s.as_str(), "Jira" | "Confluence"))
            .collect();
        if let Some(service) = services.first() {
            if self.input.links.is_empty() {
                score = score.min(7);
            }
            findings.push(format!(
                "Relies on {service}: access, credentials and a test environment must be ready."
            ));
        }
        if findings.is_empty() {
            if self.description.is_none() {
                score = 5;
                findings.push("Cannot tell: no description and no links.".to_owned());
            } else {
                findings.push(
                    "No dependencies are mentioned or linked; confirm there are none.".to_owned(),
                );
            }
        }
        area(AssessmentArea::Dependencies, score, findings)
    }

    fn is_large(&self) -> bool {
        self.criteria_count() > 8
            || self.analysis.contexts.len() >= 4
            || self.description_words > 400
    }

    fn layers(&self) -> String {
        let names: Vec<&str> = self
            .analysis
            .contexts
            .iter()
            .map(|context| layer_name(*context))
            .collect();
        if names.is_empty() {
            "no named layer".to_owned()
        } else {
            names.join(", ")
        }
    }

    fn verdict(&self, score: u8, areas: &[AreaAssessment]) -> String {
        let state = match score {
            8..=10 => "ready to start",
            6..=7 => "workable, but a few gaps will cost time during the sprint",
            4..=5 => "not ready: it needs refinement before it can be estimated",
            _ => "not ready: it cannot be built or tested as written",
        };
        let key = self.input.ticket_key.trim();
        let mut sorted: Vec<&AreaAssessment> = areas.iter().collect();
        sorted.sort_by_key(|area| area.score);
        let weakest: Vec<String> = sorted
            .iter()
            .take(2)
            .filter(|area| area.score < 8)
            .map(|area| format!("{} ({}/10)", area_name(area.area), area.score))
            .collect();
        let second = match weakest.as_slice() {
            [] => "Every area scores 8 or more; only minor edits remain.".to_owned(),
            [one] => format!("The weakest area is {one}; the first fix below addresses it."),
            [one, two, ..] => format!(
                "The weakest areas are {one} and {two}; the fixes below are ordered by value."
            ),
        };
        format!("{key} scores {score}/10 and is {state}. {second}")
    }

    fn fixes(&self, estimate: Option<f64>) -> Vec<String> {
        let mut fixes = Vec::new();
        if self.description.is_none() {
            fixes.push(if self.is_bug() {
                "Write the description: steps to reproduce, expected and actual result, environment and how often it happens.".to_owned()
            } else {
                "Write the description: the current behaviour, the change wanted, who benefits and why.".to_owned()
            });
        }
        if self.is_bug() && self.description.is_some() {
            if self.steps.is_empty() {
                fixes.push("Add numbered steps to reproduce, starting from a clean state, with the environment (browser or app version, account type).".to_owned());
            }
            if !self.expected_actual {
                fixes.push(
                    "Add “Expected:” and “Actual:” lines so the fix can be verified.".to_owned(),
                );
            }
        }
        if self.criteria_count() == 0 {
            fixes.push(if self.should_lines.is_empty() {
                "Add acceptance criteria in Given/When/Then form (suggestions below).".to_owned()
            } else {
                "Move the “should/must” lines into an “Acceptance Criteria” section and write each as Given/When/Then (suggestions below).".to_owned()
            });
        } else if self.gherkin.is_empty() {
            fixes.push("Rewrite the acceptance criteria as Given/When/Then so each one is a test (suggestions below).".to_owned());
        }
        // One fix per kind of vagueness, quoting every word of that kind.
        let mut kinds: Vec<VagueKind> = Vec::new();
        for term in &self.vague {
            if !kinds.contains(&term.kind) {
                kinds.push(term.kind);
            }
        }
        for kind in kinds.into_iter().take(4) {
            let words: Vec<&str> = self
                .vague
                .iter()
                .filter(|term| term.kind == kind)
                .map(|term| term.word)
                .collect();
            fixes.push(kind.fix(&words.join("”, “")));
        }
        for key in &self.unlinked_keys {
            fixes.push(format!(
                "Link {key} (“is blocked by” or “relates to”) so the board shows the dependency."
            ));
        }
        if self.unlinked_keys.is_empty()
            && self.input.links.is_empty()
            && let Some(phrase) = self.dependency_phrases.first()
        {
            fixes.push(format!(
                "Link the issue behind “{phrase}” with “is blocked by”, or create it."
            ));
        }
        for blocker in self.blockers.iter().take(1) {
            fixes.push(format!(
                "Check the blocker (“{}”) is resolved, or plan around it, before the sprint starts.",
                blocker.trim()
            ));
        }
        for question in self.open_comment_questions.iter().take(2) {
            fixes.push(format!(
                "Answer the question from the comments (“{}”) and write the answer into the description.",
                clip_quote(question, 100)
            ));
        }
        if self.input.priority.is_none() {
            fixes
                .push("Set a priority so the ticket can be ordered against other work.".to_owned());
        }
        if self.is_large() {
            fixes.push(format!(
                "Split it into smaller tickets, e.g. one per layer ({}) or per group of criteria.",
                self.layers()
            ));
        }
        if let (Some(current), Some(points)) = (self.input.estimate, estimate)
            && fib_distance(current, points) >= 2
        {
            fixes.push(format!(
                "Re-estimate in refinement: the scope suggests about {} points, the ticket says {}.",
                number(points),
                number(current)
            ));
        }
        fixes.truncate(8);
        fixes
    }

    /// Given/When/Then criteria derived from the summary and description, when the ticket has
    /// none in that form.
    fn suggested_criteria(&self) -> Vec<String> {
        if !self.gherkin.is_empty() {
            return Vec::new();
        }
        let summary = &self.analysis.summary;
        let vars = Vars::from_analysis(&self.analysis);
        let given = vars.facts.given_user(&self.analysis.role);
        let mut criteria = Vec::new();
        if self.is_bug() {
            let subject = summary
                .failing_subject
                .clone()
                .unwrap_or_else(|| vars.topic.clone());
            let subject = lower_first(&subject);
            let when = match &summary.trigger {
                Some(trigger) => format!("Given that {trigger}"),
                None => "Given the situation described in the report".to_owned(),
            };
            let then = match &summary.problem {
                Some(problem) => format!(
                    "it no longer {} and the expected result is shown",
                    problem.trim_start_matches("is ").trim()
                ),
                None => "it behaves as expected and no error is logged".to_owned(),
            };
            criteria.push(format!("{when}, when the user uses {subject}, then {then}"));
            criteria.push(
                "Given the fix is deployed, when the steps to reproduce are followed, then the reported problem does not occur and a regression test covers it".to_owned(),
            );
            return criteria;
        }
        if self.input.issue_type == IssueType::Spike {
            let topic = lower_first(&summary.clean);
            criteria.push(format!(
                "Given the time box has ended, when the spike is reviewed, then a written recommendation on {topic} compares at least two options on effort, risk and cost and names the chosen one"
            ));
            criteria.push(
                "Given the recommendation, when the team refines it, then follow-up stories with estimates exist for the chosen option".to_owned(),
            );
            return criteria;
        }
        let speed = self.vague.iter().any(|term| term.kind == VagueKind::Speed)
            || self.analysis.domain == Domain::Performance;
        if speed && self.measures.is_empty() {
            let subject = improved_subject(&summary.object);
            criteria.push(format!(
                "Given {subject} with production-sized data, when a user opens it, then it is ready within an agreed target (for example p95 under 2 seconds), measured the same way before and after the change"
            ));
            criteria.push(format!(
                "Given the change is deployed, when the existing tests of {subject} run, then they pass and the data shown is unchanged"
            ));
            return criteria;
        }
        let capability = capability(summary);
        let phrase = if summary.clean.split_whitespace().count() <= 2 {
            // Two words are a name, not a sentence: "Search engine" is no action.
            format!("use the {}", lower_first(&summary.clean))
        } else if capability.phrase.starts_with("rely on ") {
            format!("use {}", vars.topic)
        } else {
            capability.phrase.clone()
        };
        let role = capability
            .role
            .clone()
            .unwrap_or_else(|| self.analysis.role.clone());
        let given = if capability.role.is_some() {
            vars.facts.given_user(&role)
        } else {
            given
        };
        // The ticket's own statements come first, put into Given/When/Then.
        for statement in self.plain.iter().chain(&self.should_lines).take(3) {
            criteria.push(format!(
                "{given}, when they {phrase}, then {}",
                lower_first(statement.trim_end_matches('.'))
            ));
        }
        if criteria.is_empty() {
            criteria.push(format!(
                "{given}, when they {phrase}, then {}",
                success_outcome(capability.verb.as_deref())
            ));
            let rules = domain_rules(self.analysis.domain);
            let lexicon = &self.analysis.lexicon;
            let negative = vars.scenarios(lexicon, rules.negatives).next();
            let edge = vars.scenarios(lexicon, rules.edges).next();
            for scenario in negative.into_iter().chain(edge) {
                criteria.push(format!(
                    "{given}, when {}, then {}",
                    vars.fill(scenario.when),
                    vars.fill(scenario.then)
                ));
            }
        }
        criteria
    }

    fn estimate(&self, estimability: u8) -> (Option<f64>, String) {
        let existing = self
            .input
            .estimate
            .map(|current| format!(" The ticket's current estimate is {}.", number(current)));
        let refuse = |reason: &str| {
            let mut text = reason.to_owned();
            if let Some(current) = self.input.estimate {
                text.push_str(&format!(
                    " The current estimate of {} rests on information the ticket does not contain yet.",
                    number(current)
                ));
            }
            (None, text)
        };
        match self.input.issue_type {
            IssueType::Spike => {
                return refuse(
                    "No points: a spike is time-boxed instead (typically one to three days) and ends with a recommendation.",
                );
            }
            IssueType::Epic => {
                return refuse("No points: an epic is estimated as the sum of its stories.");
            }
            _ => {}
        }
        if estimability < 4 {
            return refuse(
                "Not estimable yet: the ticket does not say enough about the work for a team to size it; apply the fixes first.",
            );
        }
        let base = if self.is_bug() { 1.0 } else { 1.5 };
        let criteria = self.criteria_count().min(6) as f64 * 0.5;
        let layers = self.analysis.contexts.len() as f64 * 0.75;
        let length = if self.description_words > 150 {
            1.0
        } else {
            0.0
        };
        let size = (base + criteria + layers + length) * self.analysis.complexity;
        let points = FIBONACCI
            .iter()
            .copied()
            .find(|points| size <= *points + 0.5)
            .unwrap_or(13.0);
        let mut rationale = format!(
            "About {} point{}: {} acceptance criteri{}, touching {}",
            number(points),
            if points == 1.0 { "" } else { "s" },
            self.criteria_count(),
            if self.criteria_count() == 1 {
                "on"
            } else {
                "a"
            },
            self.layers()
        );
        if self.analysis.complexity > 1.05 {
            rationale.push_str(", with complexity signals in the text (integrations, migrations, concurrency or compliance)");
        } else if self.analysis.complexity < 0.95 {
            rationale.push_str(", described as a small change");
        }
        rationale.push('.');
        if let Some(current) = self.input.estimate {
            let comment = match fib_distance(current, points) {
                0 => format!(" The ticket's estimate of {} agrees.", number(current)),
                1 => format!(
                    " The ticket's estimate of {} is within one step of this.",
                    number(current)
                ),
                _ if current > points => format!(
                    " The ticket's estimate of {} looks high for this scope; check for work the ticket does not describe.",
                    number(current)
                ),
                _ => format!(
                    " The ticket's estimate of {} looks low for this scope; discuss it in refinement.",
                    number(current)
                ),
            };
            rationale.push_str(&comment);
        } else if let Some(existing) = existing {
            rationale.push_str(&existing);
        }
        (Some(points), rationale)
    }
}

fn area(area: AssessmentArea, score: i32, findings: Vec<String>) -> AreaAssessment {
    AreaAssessment {
        area,
        score: clamp_score(score),
        findings: findings.into_iter().map(|f| sentence(&f)).collect(),
    }
}

fn clamp_score(score: i32) -> u8 {
    u8::try_from(score.clamp(1, 10)).unwrap_or(1)
}

fn area_name(area: AssessmentArea) -> &'static str {
    match area {
        AssessmentArea::Clarity => "clarity",
        AssessmentArea::Completeness => "completeness",
        AssessmentArea::AcceptanceCriteria => "acceptance criteria",
        AssessmentArea::Testability => "testability",
        AssessmentArea::Estimability => "estimability",
        AssessmentArea::Dependencies => "dependencies",
    }
}

fn layer_name(context: TechnicalContext) -> &'static str {
    match context {
        TechnicalContext::Api => "API",
        TechnicalContext::Database => "database",
        TechnicalContext::Ui => "UI",
        TechnicalContext::Mobile => "mobile",
        TechnicalContext::Cache => "cache",
        TechnicalContext::Queue => "queue",
        TechnicalContext::ExternalService => "external service",
        TechnicalContext::Storage => "storage",
    }
}

/// How many steps apart two estimates are on the Fibonacci scale.
fn fib_distance(a: f64, b: f64) -> usize {
    let position = |value: f64| {
        FIBONACCI
            .iter()
            .position(|points| value <= *points + 0.5)
            .unwrap_or(FIBONACCI.len())
    };
    position(a).abs_diff(position(b))
}

/// "3" for whole numbers, "2.5" otherwise.
fn number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

/// `text` cut to `max` characters with an ellipsis.
fn clip_quote(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{}…", cut.trim_end())
}

/// "the dashboard faster" → "the dashboard": what a "make it faster" ticket improves.
fn improved_subject(object: &str) -> String {
    const COMPARATIVES: [&str; 10] = [
        "faster",
        "quicker",
        "better",
        "more",
        "less",
        "snappier",
        "responsive",
        "fast",
        "quick",
        "load",
    ];
    let words: Vec<&str> = object
        .split_whitespace()
        .take_while(|word| !COMPARATIVES.contains(&word.to_lowercase().as_str()))
        .collect();
    let subject = words.join(" ");
    let subject = lower_first(subject.trim());
    if subject.is_empty() {
        "the feature".to_owned()
    } else if subject.starts_with("the ") || subject.starts_with("our ") {
        subject
    } else {
        format!("the {subject}")
    }
}

/// Lines of a description that state a requirement ("should", "must") without a criteria
/// section around them.
fn should_lines(description: &str) -> Vec<String> {
    description
        .lines()
        .map(|line| line.trim().trim_start_matches(['-', '*', '•', '+']).trim())
        .filter(|line| {
            let lower = format!(" {} ", line.to_lowercase());
            (lower.contains(" should ") || lower.contains(" must ")) && line.len() <= 200
        })
        .map(|line| line.trim_end_matches('.').to_owned())
        .take(5)
        .collect()
}

/// Jira issue keys ("PROJ-12") in `text`, upper-case, in order.
pub(super) fn issue_keys(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
        let Some((project, number)) = word.split_once('-') else {
            continue;
        };
        let is_key = project.len() >= 2
            && project
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && project.starts_with(|c: char| c.is_ascii_uppercase())
            && !number.is_empty()
            && number.chars().all(|c| c.is_ascii_digit());
        if is_key {
            push_unique(&mut keys, word.to_owned());
        }
    }
    keys
}

/// "depends on the billing API", "blocked by the SSO rollout": the dependency as written.
fn dependency_phrases(text: &str) -> Vec<String> {
    const MARKERS: [&str; 6] = [
        "depends on",
        "blocked by",
        "waiting for",
        "waiting on",
        "requires",
        "dependent on",
    ];
    let lower = text.to_lowercase();
    let mut phrases = Vec::new();
    for marker in MARKERS {
        if let Some(at) = lower.find(marker) {
            let rest = text.get(at..).unwrap_or("");
            let end = rest.find(['.', ',', ';', '\n']).unwrap_or(rest.len());
            let phrase = rest.get(..end).unwrap_or(rest).trim();
            let mut words: Vec<&str> = phrase.split_whitespace().take(8).collect();
            while words.len() > 2
                && words.last().is_some_and(|last| {
                    matches!(
                        last.to_lowercase().as_str(),
                        "in" | "on"
                            | "the"
                            | "a"
                            | "an"
                            | "of"
                            | "for"
                            | "to"
                            | "from"
                            | "by"
                            | "with"
                            | "and"
                    )
                })
            {
                words.pop();
            }
            push_unique(&mut phrases, words.join(" "));
        }
    }
    phrases
}

/// Questions asked in comments that no later comment follows, so nobody answered them in the
/// thread.
fn open_questions(comments: &[String]) -> Vec<String> {
    let Some(last) = comments.iter().rev().find(|c| !c.trim().is_empty()) else {
        return Vec::new();
    };
    let mut questions = Vec::new();
    for text in super::requirement_analysis::sentences(last) {
        if text.ends_with('?') && text.split_whitespace().count() >= 3 {
            push_unique(&mut questions, text);
        }
    }
    questions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(
        summary: &str,
        issue_type: IssueType,
        description: Option<&str>,
    ) -> TicketAssessmentInput {
        TicketAssessmentInput {
            ticket_key: "PROJ-1".to_owned(),
            summary: summary.to_owned(),
            issue_type,
            description: description.map(str::to_owned),
            status: None,
            priority: Some("Medium".to_owned()),
            labels: Vec::new(),
            components: Vec::new(),
            comments: Vec::new(),
            links: Vec::new(),
            estimate: None,
        }
    }

    fn score_of(assessment: &TicketAssessment, area: AssessmentArea) -> u8 {
        assessment
            .areas
            .iter()
            .find(|a| a.area == area)
            .map(|a| a.score)
            .unwrap()
    }

    const GOOD: &str = "As a merchant, I want to download my orders as CSV so that my accountant can reconcile sales.\n\n## Acceptance Criteria\n- Given a merchant with orders, when they click Export CSV on the orders page, then a CSV with order id, date, total and status downloads within 10 seconds\n- Given more than 50,000 orders, when they export, then the file is emailed as a download link\n- Given no orders in the chosen range, when they export, then they are told there is nothing to export";

    #[test]
    fn a_vague_ticket_scores_lower_than_a_well_written_one() {
        let good =
            ticket("Export order history to CSV", IssueType::Story, Some(GOOD)).generate_offline();
        let vague = ticket(
            "Make the dashboard faster",
            IssueType::Task,
            Some("The dashboard is slow for some customers, make it fast and user-friendly etc."),
        )
        .generate_offline();
        assert!(good.score >= 8, "{good:#?}");
        assert!(
            score_of(&vague, AssessmentArea::AcceptanceCriteria)
                < score_of(&good, AssessmentArea::AcceptanceCriteria)
        );
        assert!(
            score_of(&vague, AssessmentArea::Clarity) < score_of(&good, AssessmentArea::Clarity)
        );
        assert!(vague.score <= 5, "{vague:#?}");
        let areas: Vec<AssessmentArea> = vague.areas.iter().map(|a| a.area).collect();
        assert_eq!(
            areas,
            [
                AssessmentArea::Clarity,
                AssessmentArea::Completeness,
                AssessmentArea::AcceptanceCriteria,
                AssessmentArea::Testability,
                AssessmentArea::Estimability,
                AssessmentArea::Dependencies
            ]
        );
        let clarity = &vague.areas[0].findings.join(" ");
        for word in ["“fast”", "“some”", "“user-friendly”", "“etc.”"] {
            assert!(clarity.contains(word), "{clarity}");
        }
        assert!(
            vague
                .fixes
                .iter()
                .any(|f| f.starts_with("Replace “fast”, “faster”, “slow” with a measurable target")),
            "{:?}",
            vague.fixes
        );
        assert!(vague.suggested_acceptance_criteria[0].starts_with("Given the dashboard"));
        assert!(good.suggested_acceptance_criteria.is_empty());
        assert!(good.estimate_points.is_some());
    }

    #[test]
    fn a_bug_without_steps_is_told_to_add_them() {
        let bug = ticket(
            "Checkout fails with 500 when the cart has a gift card",
            IssueType::Bug,
            Some("Customers report errors at checkout since yesterday. Please fix ASAP."),
        )
        .generate_offline();
        let completeness = &bug.areas[1];
        assert!(
            completeness
                .findings
                .iter()
                .any(|f| f == "No steps to reproduce.")
        );
        assert!(bug.fixes.iter().any(|f| f.contains("steps to reproduce")));
        assert!(bug.fixes.iter().any(|f| f.contains("“ASAP”")));
        assert!(
            bug.suggested_acceptance_criteria[0].starts_with("Given that the cart has a gift card"),
            "{:?}",
            bug.suggested_acceptance_criteria
        );
    }

    #[test]
    fn a_missing_description_is_not_estimable() {
        let mut input = ticket("Dashboard", IssueType::Task, Some("TBD"));
        input.estimate = Some(8.0);
        let assessment = input.generate_offline();
        assert!(assessment.score <= 3, "{assessment:#?}");
        assert_eq!(assessment.estimate_points, None);
        assert!(
            assessment
                .estimate_rationale
                .contains("current estimate of 8")
        );
        assert!(
            assessment.areas[0]
                .findings
                .iter()
                .any(|f| f.contains("placeholder (“TBD”)"))
        );
    }

    #[test]
    fn dependencies_come_from_links_and_mentions() {
        let mut input = ticket(
            "Show invoices in the customer portal",
            IssueType::Story,
            Some("Customers see their invoices. This depends on BILL-7 exposing the invoice API."),
        );
        let assessment = input.clone().generate_offline();
        let dependencies = &assessment.areas[5];
        assert!(dependencies.score <= 5);
        assert!(dependencies.findings.iter().any(|f| f.contains("BILL-7")));
        input.links = vec!["is blocked by BILL-7: Invoice API".to_owned()];
        let linked = input.generate_offline();
        assert!(
            linked.areas[5]
                .findings
                .iter()
                .any(|f| f.starts_with("Linked:"))
        );
        assert!(
            !linked.areas[5]
                .findings
                .iter()
                .any(|f| f.contains("no link"))
        );
    }

    #[test]
    fn an_existing_estimate_is_commented_on() {
        let mut input = ticket("Export order history to CSV", IssueType::Story, Some(GOOD));
        input.estimate = Some(13.0);
        let assessment = input.generate_offline();
        assert!(
            assessment
                .estimate_rationale
                .contains("estimate of 13 looks high"),
            "{}",
            assessment.estimate_rationale
        );
    }

    #[test]
    fn unanswered_comment_questions_become_fixes() {
        let mut input = ticket("Export order history to CSV", IssueType::Story, Some(GOOD));
        input.comments = vec![
            "Looks good.".to_owned(),
            "Should refunds be included too?".to_owned(),
        ];
        let assessment = input.generate_offline();
        assert!(
            assessment
                .fixes
                .iter()
                .any(|f| f.contains("Should refunds be included too?"))
        );
    }
}
