//! Offline `requirement_analysis`: the analysis a senior business analyst writes from a
//! requirement's own words. The capabilities the requirement names (export, filters,
//! scheduling, notifications, payments …, see [`super::requirement_rules`]) become functional
//! requirements, in the order the requirement mentions them, with the details the requirement
//! gives (formats, frequencies, channels); each capability brings the qualities, dependencies,
//! risks and questions that come with it. Documents and the conversation add context (named
//! services, regulations, questions already asked) but do not add capabilities: the analysis
//! is of the requirement.

use super::requirement_rules::{
    CAPABILITIES, CHANNELS, CapabilityRule, FORMATS, FREQUENCIES, PAYMENT_METHODS, QUALITY_RULES,
    VERB_NOUNS,
};
use super::ticket_assessment::{VagueTerm, vague_terms};
use super::{OfflineTask, describe_document, push_unique, sentence};
use crate::task::{
    FunctionalRequirement, NonFunctionalRequirement, RequirementAnalysis, RequirementAnalysisInput,
    Risk, RiskLevel,
};
use crate::text_analysis::{Analysis, Lexicon, MAX_ANALYSED_CHARS, clip, upper_first};

/// Most entries of each list; a longer analysis stops being read.
const MAX_FUNCTIONAL: usize = 8;
const MAX_NFRS: usize = 10;
const MAX_CRITERIA: usize = 10;
const MAX_RISKS: usize = 8;
const MAX_QUESTIONS: usize = 8;
const MAX_RECOMMENDATIONS: usize = 5;

/// The order non-functional categories are listed in.
const CATEGORY_ORDER: [&str; 8] = [
    "Performance",
    "Scalability",
    "Security",
    "Reliability",
    "Usability",
    "Compliance",
    "Observability",
    "Maintainability",
];

/// Capabilities other capabilities run on, in the order they should be built.
const FOUNDATIONS: [&str; 7] = [
    "async",
    "payments",
    "authentication",
    "integration",
    "import",
    "export",
    "access",
];

impl OfflineTask for RequirementAnalysisInput {
    fn generate_offline(&self) -> RequirementAnalysis {
        let requirement = clip(self.requirement.trim(), MAX_ANALYSED_CHARS);
        let mut context: Vec<&str> = self
            .documents
            .iter()
            .map(|document| clip(document.content.as_str(), MAX_ANALYSED_CHARS))
            .collect();
        context.extend(
            self.conversation
                .iter()
                .filter(|turn| turn.role != "assistant")
                .map(|turn| clip(turn.text.as_str(), MAX_ANALYSED_CHARS)),
        );
        let first = sentences(requirement)
            .into_iter()
            .next()
            .unwrap_or_default();
        let mut sources = vec![requirement];
        sources.extend(context.iter().copied());
        let analysis = Analysis::new(&first, &sources, &[]);
        let words = Words::new(requirement);
        let found = detect(&words);
        let analyst = Analyst {
            input: self,
            requirement,
            first,
            context,
            words,
            role: analysis.role.clone(),
            services: analysis.entities.services.clone(),
            context_lexicon: analysis.lexicon,
            found,
        };
        analyst.analyse()
    }
}

/// The lower-cased words of a text, in order, for "where is it first mentioned" questions.
struct Words(Vec<String>);

impl Words {
    fn new(text: &str) -> Self {
        Words(
            text.split(|c: char| !c.is_alphanumeric())
                .filter(|word| !word.is_empty())
                .map(str::to_lowercase)
                .collect(),
        )
    }

    /// Index of the first occurrence of `keyword` (lexicon syntax: `*` prefix, spaces or
    /// hyphens between the words of a phrase).
    fn first(&self, keyword: &str) -> Option<usize> {
        let (stem, prefix) = match keyword.strip_suffix('*') {
            Some(stem) => (stem, true),
            None => (keyword, false),
        };
        let parts: Vec<String> = stem
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .map(str::to_lowercase)
            .collect();
        if parts.is_empty() {
            return None;
        }
        let last = parts.len() - 1;
        (0..self.0.len()).find(|start| {
            parts.iter().enumerate().all(|(offset, part)| {
                self.0.get(start + offset).is_some_and(|word| {
                    if prefix && offset == last {
                        word.starts_with(part.as_str())
                    } else {
                        word == part
                    }
                })
            })
        })
    }

    /// True when the word at `at` names where something is shown ("on the dashboard")
    /// rather than what is built.
    fn is_placement(&self, at: usize) -> bool {
        let before = |back: usize| {
            at.checked_sub(back)
                .and_then(|index| self.0.get(index))
                .map(String::as_str)
        };
        matches!(
            before(1),
            Some("the" | "a" | "their" | "our" | "your" | "my")
        ) && matches!(before(2), Some("on" | "in" | "to" | "from" | "into"))
    }

    fn has(&self, keyword: &str) -> bool {
        self.first(keyword).is_some()
    }

    fn any(&self, keywords: &[&str]) -> bool {
        keywords.iter().any(|keyword| self.has(keyword))
    }

    /// The display names of `table` entries the text mentions, in the order mentioned.
    fn named(&self, table: &[(&str, &'static str)]) -> Vec<&'static str> {
        let mut hits: Vec<(usize, &'static str)> = table
            .iter()
            .filter_map(|(keyword, name)| self.first(keyword).map(|at| (at, *name)))
            .collect();
        hits.sort_by_key(|(at, _)| *at);
        let mut names: Vec<&'static str> = Vec::new();
        for (_, name) in hits {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }
}

/// The capabilities a requirement mentions, in the order it first mentions them.
fn detect(words: &Words) -> Vec<&'static CapabilityRule> {
    let mut found: Vec<(usize, &'static CapabilityRule)> = CAPABILITIES
        .iter()
        .filter_map(|rule| {
            let at = rule
                .triggers
                .iter()
                .filter_map(|trigger| words.first(trigger))
                .filter(|at| rule.id != "reporting" || !words.is_placement(*at))
                .min()?;
            // "customer email" is a field, not a notification: a channel word counts only
            // when something is sent or received.
            let notifies = rule.id != "notifications"
                || words.any(&["notif*", "alert*", "remind*"])
                || words.any(&["send*", "sent", "receiv*", "deliver*", "get an", "gets an"]);
            notifies.then_some((at, rule))
        })
        .collect();
    found.sort_by_key(|(at, _)| *at);
    found.into_iter().map(|(_, rule)| rule).collect()
}

struct Analyst<'a> {
    input: &'a RequirementAnalysisInput,
    requirement: &'a str,
    /// The requirement's first sentence.
    first: String,
    /// Documents and the user's earlier turns.
    context: Vec<&'a str>,
    words: Words,
    role: String,
    services: Vec<String>,
    /// Requirement, documents and conversation together, for regulations and vague words.
    context_lexicon: Lexicon,
    found: Vec<&'static CapabilityRule>,
}

impl Analyst<'_> {
    fn analyse(&self) -> RequirementAnalysis {
        let functional = self.functional_requirements();
        let dependencies = self.dependencies();
        let risks = self.risks(&functional);
        let open_questions = self.open_questions();
        let title = self.title();
        RequirementAnalysis {
            summary: self.summary(&functional, &dependencies, &risks, &open_questions),
            recommendations: self.recommendations(&functional, &open_questions),
            non_functional_requirements: self.non_functional(),
            acceptance_criteria: self.acceptance_criteria(),
            functional_requirements: functional,
            dependencies,
            risks,
            open_questions,
            title,
        }
    }

    /// Fills the placeholders of `template`; `None` when one of them has no value here.
    fn fill(&self, template: &str) -> Option<String> {
        let role_title = upper_first(&self.role);
        let mut text = template
            .replace("{Role}", &role_title)
            .replace("{role}", &self.role);
        let values = [
            ("{formats}", list(&self.words.named(FORMATS))),
            ("{frequencies}", list(&self.words.named(FREQUENCIES))),
            ("{channels}", list(&self.channels())),
            ("{methods}", list(&self.words.named(PAYMENT_METHODS))),
            ("{event}", self.notification_event().unwrap_or_default()),
        ];
        for (placeholder, value) in values {
            if text.contains(placeholder) {
                if value.is_empty() {
                    return None;
                }
                text = text.replace(placeholder, &value);
            }
        }
        Some(text)
    }

    fn channels(&self) -> Vec<&'static str> {
        let table: Vec<(&str, &'static str)> = CHANNELS
            .iter()
            .map(|(keyword, name, _)| (*keyword, *name))
            .collect();
        self.words.named(&table)
    }

    /// "when complete" from "... receive email notifications when complete.": when the
    /// requirement says a message is sent.
    fn notification_event(&self) -> Option<String> {
        for text in sentences(self.requirement) {
            let lower = text.to_lowercase();
            if !["notif", "email", "e-mail", "sms", "alert", "push"]
                .iter()
                .any(|word| lower.contains(word))
            {
                continue;
            }
            for marker in [" when ", " once ", " after ", " if ", " as soon as "] {
                if let Some(at) = lower.find(marker) {
                    let rest = text.get(at + 1..).unwrap_or("");
                    let end = rest.find([',', ';', '.', '!', '?']).unwrap_or(rest.len());
                    let clause = rest.get(..end).unwrap_or(rest).trim();
                    if clause.split_whitespace().count() >= 2 {
                        return Some(clause.to_owned());
                    }
                }
            }
        }
        None
    }

    fn name(&self, rule: &CapabilityRule) -> String {
        match rule.id {
            "export" => match self.words.named(FORMATS).as_slice() {
                [] => rule.name.to_owned(),
                [format] => format!("{format} Export"),
                _ => "Multi-format Export".to_owned(),
            },
            "filters" if self.words.any(&["customis*"]) => "Customisable Filters".to_owned(),
            "filters" if self.words.any(&["customiz*", "custom", "configurabl*"]) => {
                "Customizable Filters".to_owned()
            }
            "scheduling" if self.words.any(&["scheduling option*", "schedule option*"]) => {
                "Scheduling Options".to_owned()
            }
            "notifications" => match self.channels().as_slice() {
                ["email"] => "Email Notifications".to_owned(),
                ["SMS"] => "SMS Notifications".to_owned(),
                ["push"] => "Push Notifications".to_owned(),
                ["Slack"] => "Slack Notifications".to_owned(),
                ["in-app"] => "In-app Notifications".to_owned(),
                _ => rule.name.to_owned(),
            },
            "import" if !self.words.has("import*") => "File Uploads".to_owned(),
            "billing" if self.words.has("subscription*") => {
                "Subscriptions and Invoicing".to_owned()
            }
            _ => rule.name.to_owned(),
        }
    }

    fn functional_requirements(&self) -> Vec<FunctionalRequirement> {
        let mut requirements: Vec<FunctionalRequirement> = self
            .found
            .iter()
            .take(MAX_FUNCTIONAL)
            .map(|rule| FunctionalRequirement {
                name: self.name(rule),
                details: rule
                    .details
                    .iter()
                    .filter_map(|template| self.fill(template))
                    .map(|text| sentence(&text))
                    .collect(),
            })
            .collect();
        if requirements.is_empty() {
            // Nothing from the rule tables: the requirement's own statements are the
            // requirement, one per clause.
            let mut details: Vec<String> = Vec::new();
            for text in sentences(self.requirement) {
                if !text.ends_with('?') {
                    push_unique(&mut details, sentence(&text));
                }
            }
            details.truncate(6);
            details.push(
                "Behaviour for invalid input, missing data and failures is specified, not left to the implementation."
                    .to_owned(),
            );
            requirements.push(FunctionalRequirement {
                name: self.title(),
                details,
            });
        }
        requirements
    }

    fn non_functional(&self) -> Vec<NonFunctionalRequirement> {
        let mut entries: Vec<(&'static str, String)> = Vec::new();
        let push =
            |entries: &mut Vec<(&'static str, String)>, category: &'static str, text: String| {
                if !entries.iter().any(|(_, known)| *known == text) {
                    entries.push((category, text));
                }
            };
        for rule in &self.found {
            for (category, template) in rule.nfrs {
                if let Some(text) = self.fill(template) {
                    push(&mut entries, category, sentence(&text));
                }
            }
        }
        for (keywords, category, text, _) in QUALITY_RULES {
            if self.context_lexicon.any(keywords) {
                push(&mut entries, category, sentence(text));
            }
        }
        if entries.is_empty() {
            // Every feature has these two, and a requirement that names no capability
            // says nothing more specific.
            push(
                &mut entries,
                "Usability",
                format!(
                    "{}s can complete the main flow without help, on desktop and mobile browsers.",
                    upper_first(&self.role)
                ),
            );
            push(
                &mut entries,
                "Observability",
                "Errors are logged with enough context to diagnose them, and failures raise an alert."
                    .to_owned(),
            );
        }
        entries.sort_by_key(|(category, _)| {
            CATEGORY_ORDER
                .iter()
                .position(|known| known == category)
                .unwrap_or(CATEGORY_ORDER.len())
        });
        entries
            .into_iter()
            .take(MAX_NFRS)
            .map(|(category, requirement)| NonFunctionalRequirement {
                category: category.to_owned(),
                requirement,
            })
            .collect()
    }

    fn dependencies(&self) -> Vec<String> {
        let mut dependencies = Vec::new();
        for service in &self.services {
            if !matches!(service.as_str(), "Jira" | "Confluence") {
                push_unique(
                    &mut dependencies,
                    format!("{service} (named in the requirement or its context)"),
                );
            }
        }
        for rule in &self.found {
            for dependency in rule.dependencies {
                if let Some(text) = self.fill(dependency) {
                    push_unique(&mut dependencies, text);
                }
            }
            if rule.id == "notifications" {
                for channel in self.channels() {
                    if let Some((_, _, dependency)) =
                        CHANNELS.iter().find(|(_, name, _)| *name == channel)
                    {
                        push_unique(&mut dependencies, (*dependency).to_owned());
                    }
                }
            }
        }
        for document in &self.input.documents {
            push_unique(
                &mut dependencies,
                format!(
                    "Agreement of the owner of the {} on the scope",
                    describe_document(document)
                ),
            );
        }
        dependencies
    }

    fn acceptance_criteria(&self) -> Vec<String> {
        let mut criteria = Vec::new();
        // The requirement's own measurable statements are criteria as written.
        for text in sentences(self.requirement) {
            if has_number(&text) && !text.ends_with('?') {
                push_unique(&mut criteria, sentence(&text));
            }
        }
        for rule in &self.found {
            for template in rule.criteria {
                if let Some(text) = self.fill(template) {
                    push_unique(&mut criteria, sentence(&text));
                }
            }
        }
        if self.found.is_empty() {
            let title = self.title();
            criteria.push(format!(
                "A {} can use {title} end to end in a demo on production-like data, as the requirement describes.",
                self.role
            ));
            criteria.push(format!(
                "Every statement of the requirement is covered by at least one automated test of {title}."
            ));
        }
        criteria.truncate(MAX_CRITERIA);
        criteria
    }

    fn risks(&self, functional: &[FunctionalRequirement]) -> Vec<Risk> {
        let mut risks: Vec<Risk> = Vec::new();
        let push =
            |risks: &mut Vec<Risk>, level: RiskLevel, description: String, mitigation: String| {
                if !risks.iter().any(|known| known.description == description) {
                    risks.push(Risk {
                        level,
                        description,
                        mitigation,
                    });
                }
            };
        for (keywords, _, _, risk) in QUALITY_RULES {
            if let Some((level, description, mitigation)) = risk
                && self.context_lexicon.any(keywords)
            {
                push(
                    &mut risks,
                    *level,
                    sentence(description),
                    sentence(mitigation),
                );
            }
        }
        for rule in &self.found {
            for (level, description, mitigation) in rule.risks {
                if let (Some(description), Some(mitigation)) =
                    (self.fill(description), self.fill(mitigation))
                {
                    push(
                        &mut risks,
                        *level,
                        sentence(&description),
                        sentence(&mitigation),
                    );
                }
            }
            if rule.id == "notifications" && self.channels().contains(&"email") {
                push(
                    &mut risks,
                    RiskLevel::Medium,
                    "Emails land in spam or bounce, so users never learn the outcome.".to_owned(),
                    "Send from a verified domain (SPF, DKIM, DMARC), handle bounces, and show the outcome in the app as well.".to_owned(),
                );
            }
        }
        let vague = self.vague();
        if let Some(term) = vague.first() {
            push(
                &mut risks,
                RiskLevel::Medium,
                format!(
                    "Ambiguous wording (“{}”) means different people expect different results, which leads to rework.",
                    term.word
                ),
                "Agree measurable targets and complete lists with the requester before development starts.".to_owned(),
            );
        }
        if functional.len() >= 4 {
            let names: Vec<&str> = functional.iter().map(|f| f.name.as_str()).collect();
            push(
                &mut risks,
                RiskLevel::Medium,
                format!(
                    "Broad scope: {} capabilities in one requirement delay the first usable release.",
                    functional.len()
                ),
                format!(
                    "Release in slices: {} first, then {}.",
                    names.first().copied().unwrap_or_default(),
                    list(names.get(1..).unwrap_or_default())
                ),
            );
        }
        if risks.is_empty() {
            push(
                &mut risks,
                RiskLevel::Medium,
                "The requirement is short, so the team fills the gaps with assumptions that may not match the requester's intent.".to_owned(),
                "Review the open questions with the requester and write the answers into the stories.".to_owned(),
            );
        }
        let rank = |level: RiskLevel| match level {
            RiskLevel::High => 0,
            RiskLevel::Medium => 1,
            RiskLevel::Low => 2,
        };
        risks.sort_by_key(|risk| rank(risk.level));
        risks.truncate(MAX_RISKS);
        risks
    }

    fn vague(&self) -> Vec<VagueTerm> {
        vague_terms(&Lexicon::new(self.requirement, &[]))
    }

    fn open_questions(&self) -> Vec<String> {
        let mut questions = Vec::new();
        // Questions already asked in the requirement, its documents or the conversation.
        for text in std::iter::once(self.requirement).chain(self.context.iter().copied()) {
            for asked in sentences(text) {
                if asked.ends_with('?') && asked.split_whitespace().count() >= 3 {
                    push_unique(&mut questions, upper_first(&asked));
                }
            }
        }
        for term in self.vague() {
            push_unique(
                &mut questions,
                format!(
                    "The requirement says “{}”: {}",
                    term.word,
                    term.kind.question()
                ),
            );
        }
        let limits_asked = self
            .found
            .iter()
            .any(|rule| matches!(rule.id, "export" | "import" | "realtime" | "search"));
        for rule in &self.found {
            for template in rule.questions {
                if let Some(text) = self.fill(template) {
                    push_unique(&mut questions, text);
                }
            }
        }
        if !self.found.iter().any(|rule| rule.id == "access") {
            push_unique(
                &mut questions,
                format!(
                    "Who may use {}: every {}, or only some roles (and who must not)?",
                    self.title(),
                    self.role
                ),
            );
        }
        if self.found.is_empty() || self.requirement.split_whitespace().count() < 12 {
            push_unique(
                &mut questions,
                "Which screens, users and cases does it cover, and what is explicitly out of scope?"
                    .to_owned(),
            );
        }
        if !self.found.is_empty() && !limits_asked && !has_number(self.requirement) {
            push_unique(
                &mut questions,
                "What volumes must it handle at launch and in a year (records, users, requests per minute)?"
                    .to_owned(),
            );
        }
        let lower = self.requirement.to_lowercase();
        if !["so that", "in order to", "because", "goal", "so they"]
            .iter()
            .any(|marker| lower.contains(marker))
        {
            push_unique(
                &mut questions,
                "Why is it needed now, and which metric shows it worked after launch?".to_owned(),
            );
        }
        questions.truncate(MAX_QUESTIONS);
        questions
    }

    fn recommendations(
        &self,
        functional: &[FunctionalRequirement],
        questions: &[String],
    ) -> Vec<String> {
        let mut recommendations = Vec::new();
        if functional.len() >= 2 {
            let first = FOUNDATIONS
                .iter()
                .find_map(|id| {
                    self.found
                        .iter()
                        .find(|rule| rule.id == *id)
                        .map(|rule| self.name(rule))
                })
                .or_else(|| functional.first().map(|f| f.name.clone()))
                .unwrap_or_default();
            recommendations.push(format!(
                "Split the work into one story per functional requirement and start with {first}, which the others build on."
            ));
        }
        let regulations: Vec<&str> = QUALITY_RULES
            .iter()
            .filter(|(keywords, category, _, _)| {
                *category == "Compliance" && self.context_lexicon.any(keywords)
            })
            .filter_map(|(keywords, _, _, _)| keywords.first().copied())
            .map(|keyword| keyword.trim_end_matches('*'))
            .collect();
        if !regulations.is_empty() {
            let names: Vec<String> = regulations.iter().map(|r| r.to_uppercase()).collect();
            recommendations.push(format!(
                "Book a compliance review ({}) of the design before implementation starts; it can change the architecture.",
                names.join(", ")
            ));
        }
        for rule in &self.found {
            for template in rule.recommendations {
                if let Some(text) = self.fill(template) {
                    push_unique(&mut recommendations, sentence(&text));
                }
            }
        }
        if questions.len() >= 3 {
            recommendations.push(format!(
                "Answer the {} open questions with the requester before estimating; several of them change scope or effort.",
                questions.len()
            ));
        }
        if let Some(document) = self.input.documents.first() {
            recommendations.push(format!(
                "Keep the {} as the source of truth and link every story to it.",
                describe_document(document)
            ));
        }
        if self.found.is_empty() {
            recommendations.push(format!(
                "Write two or three concrete scenarios of a {} using {} with the requester, then turn each into a story with Given/When/Then criteria.",
                self.role,
                self.title()
            ));
        }
        recommendations.truncate(MAX_RECOMMENDATIONS);
        recommendations
    }

    fn summary(
        &self,
        functional: &[FunctionalRequirement],
        dependencies: &[String],
        risks: &[Risk],
        questions: &[String],
    ) -> String {
        let who = format!("{}s", upper_first(&self.role));
        let mut text = if self.found.is_empty() {
            format!(
                "{who} ask for {}: “{}”.",
                self.title(),
                self.first.trim_end_matches(['.', '!'])
            )
        } else {
            let names: Vec<String> = functional
                .iter()
                .map(|f| {
                    let name = f.name.to_lowercase().replace("pdf", "PDF");
                    match (f.name.as_str(), self.words.named(FORMATS).as_slice()) {
                        ("Multi-format Export", formats) => {
                            format!("{name} ({})", formats.join(", "))
                        }
                        _ => name,
                    }
                })
                .collect();
            format!("{who} need {}.", list(&names))
        };
        if let Some(risk) = risks.iter().find(|risk| risk.level == RiskLevel::High) {
            text.push_str(&format!(
                " The highest risk: {}",
                lower_initial(&risk.description)
            ));
        } else if !dependencies.is_empty() {
            let first: Vec<String> = dependencies
                .iter()
                .take(3)
                .map(|d| lower_initial(d.split(" (").next().unwrap_or(d)))
                .collect();
            text.push_str(&format!(" It depends on {}.", list(&first)));
        }
        if !questions.is_empty() {
            text.push_str(&format!(
                " {} open question{} should be answered before estimating.",
                upper_first(&number_word(questions.len())),
                if questions.len() == 1 { "" } else { "s" }
            ));
        }
        text
    }

    /// A short feature name: the object of the requirement's main verb with the verb's noun
    /// ("export their data" → "Data Export"), or the first sentence's topic.
    fn title(&self) -> String {
        let lower = self.first.to_lowercase();
        let words: Vec<&str> = self.first.split_whitespace().collect();
        let lower_words: Vec<String> = lower
            .split_whitespace()
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_owned())
            .collect();
        const MARKERS: [&str; 9] = [
            "to", "should", "must", "can", "shall", "will", "need", "needs", "want",
        ];
        for (index, word) in lower_words.iter().enumerate() {
            if !MARKERS.contains(&word.as_str()) || index == 0 {
                continue;
            }
            let mut verb_at = index + 1;
            // "should be able to export": skip to the verb.
            while lower_words
                .get(verb_at)
                .is_some_and(|w| matches!(w.as_str(), "be" | "able" | "to" | "also" | "now"))
            {
                verb_at += 1;
            }
            let Some(verb) = lower_words.get(verb_at) else {
                continue;
            };
            if !crate::text_analysis::is_base_verb(verb)
                && !VERB_NOUNS.iter().any(|(known, _)| known == verb)
                && !matches!(verb.as_str(), "accept" | "see" | "receive" | "view" | "get")
            {
                continue;
            }
            let object = object_words(words.get(verb_at + 1..).unwrap_or_default());
            let noun = VERB_NOUNS
                .iter()
                .find(|(known, _)| known == verb)
                .map(|(_, noun)| *noun);
            let title = match (object.is_empty(), noun) {
                (false, Some(noun)) => format!("{} {noun}", title_case(&object)),
                (false, None) => title_case(&object),
                (true, Some(noun)) => noun.to_owned(),
                (true, None) => continue,
            };
            return title;
        }
        if let Some(rule) = self.found.first() {
            return self.name(rule);
        }
        let stripped = strip_request_phrase(&self.first);
        let parts = crate::text_analysis::parse_summary(&stripped);
        let topic = if parts.topic.is_empty() {
            parts.clean
        } else {
            parts.topic
        };
        let topic: Vec<&str> = topic.split_whitespace().take(5).collect();
        title_case(&topic.join(" "))
    }
}

/// "their data in multiple formats" → "data": the object noun phrase, without determiners,
/// up to the first preposition or conjunction, at most three words.
fn object_words(words: &[&str]) -> String {
    const SKIP: [&str; 12] = [
        "their", "the", "a", "an", "his", "her", "our", "my", "your", "its", "all", "any",
    ];
    const STOP: [&str; 19] = [
        "in", "with", "to", "for", "via", "by", "from", "and", "or", "on", "at", "when", "so",
        "as", "into", "using", "through", "that", "which",
    ];
    let mut object = Vec::new();
    for word in words {
        let bare = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
        let lower = bare.to_lowercase();
        if object.is_empty() && SKIP.contains(&lower.as_str()) {
            continue;
        }
        if STOP.contains(&lower.as_str()) || bare.is_empty() {
            break;
        }
        object.push(bare.to_owned());
        if object.len() == 3 || word.ends_with([',', '.', ';', ':', ')']) {
            break;
        }
    }
    object.join(" ")
}

/// "We need SSO for admins" → "SSO for admins": the request phrasing before the subject.
fn strip_request_phrase(text: &str) -> String {
    const PHRASES: [&str; 12] = [
        "we need to ",
        "we need ",
        "we want to ",
        "we want ",
        "i want to ",
        "i want ",
        "i need ",
        "please ",
        "there should be ",
        "it should be possible to ",
        "can we ",
        "could we ",
    ];
    let lower = text.to_lowercase();
    for phrase in PHRASES {
        if lower.starts_with(phrase) {
            return text.get(phrase.len()..).unwrap_or(text).to_owned();
        }
    }
    text.to_owned()
}

/// "data export" → "Data Export"; acronyms and names keep their capitals.
fn title_case(text: &str) -> String {
    text.split_whitespace()
        .map(upper_first)
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches(['.', ',', ':', ';', '!', '?'])
        .to_owned()
}

/// Lower-cases the first letter unless the first word is an acronym ("SMS", "API").
fn lower_initial(text: &str) -> String {
    let first = text.split_whitespace().next().unwrap_or("");
    let acronym = first.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && first
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase);
    if acronym {
        text.to_owned()
    } else {
        crate::text_analysis::lower_first(text)
    }
}

/// "a, b and c".
fn list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => format!(
            "{} and {}",
            init.iter()
                .map(AsRef::as_ref)
                .collect::<Vec<_>>()
                .join(", "),
            last.as_ref()
        ),
    }
}

/// True when `text` has a number ("30 days", "50,000 rows"), not only digits inside a name
/// ("3D Secure", "PSD2").
fn has_number(text: &str) -> bool {
    text.split_whitespace().any(|word| {
        let word = word.trim_matches(|c: char| !c.is_alphanumeric());
        word.chars().any(|c| c.is_ascii_digit())
            && word
                .chars()
                .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
    })
}

fn number_word(n: usize) -> String {
    const WORDS: [&str; 11] = [
        "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    WORDS
        .get(n)
        .map_or_else(|| n.to_string(), |word| (*word).to_owned())
}

/// Sentences and list items of `text`, trimmed, keeping a final `?` (questions are found by
/// it) and dropping other final punctuation.
pub(super) fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line
            .trim()
            .trim_start_matches(['-', '*', '•', '+', '#'])
            .trim();
        let mut current = String::new();
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            current.push(c);
            let boundary = matches!(c, '.' | '!' | '?')
                && chars.peek().is_none_or(|next| next.is_whitespace());
            if boundary {
                push_sentence(&mut out, &current);
                current.clear();
            }
        }
        push_sentence(&mut out, &current);
    }
    out
}

fn push_sentence(out: &mut Vec<String>, text: &str) {
    let text = text.trim();
    let text = if text.ends_with('?') {
        text
    } else {
        text.trim_end_matches(['.', '!', ';', ':'])
    };
    if text.chars().any(char::is_alphanumeric) {
        out.push(text.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::SourceDocument;

    fn analyse(requirement: &str) -> RequirementAnalysis {
        RequirementAnalysisInput {
            requirement: requirement.to_owned(),
            conversation: Vec::new(),
            documents: Vec::new(),
        }
        .generate_offline()
    }

    const EXPORT: &str = "Users should be able to export their data in multiple formats (PDF, CSV, JSON) with customizable filters and scheduling options. The export should happen asynchronously and users should receive email notifications when complete.";

    #[test]
    fn the_export_requirement_yields_its_five_capabilities() {
        let analysis = analyse(EXPORT);
        assert_eq!(analysis.title, "Data Export");
        let names: Vec<&str> = analysis
            .functional_requirements
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "Multi-format Export",
                "Customizable Filters",
                "Scheduling Options",
                "Async Processing",
                "Email Notifications"
            ]
        );
        let export = &analysis.functional_requirements[0];
        assert!(
            export.details[0].contains("PDF, CSV and JSON"),
            "{:?}",
            export.details
        );
        let email = &analysis.functional_requirements[4];
        assert!(email.details.iter().any(|d| d == "Sent when complete."));
        let categories: Vec<&str> = analysis
            .non_functional_requirements
            .iter()
            .map(|n| n.category.as_str())
            .collect();
        for category in ["Performance", "Scalability", "Security", "Reliability"] {
            assert!(categories.contains(&category), "{categories:?}");
        }
        let dependencies = analysis.dependencies.join("\n");
        assert!(dependencies.contains("background job system"));
        assert!(dependencies.contains("email service"));
        assert!(dependencies.contains("File storage"));
        assert!(
            analysis
                .open_questions
                .iter()
                .any(|q| q.contains("largest export")),
            "{:?}",
            analysis.open_questions
        );
        assert!(
            analysis
                .risks
                .iter()
                .any(|r| r.description.contains("spam"))
        );
    }

    #[test]
    fn compliance_words_bring_compliance_requirements_and_high_risks() {
        let analysis = analyse(
            "Merchants must be able to accept card payments and Apple Pay at checkout. Card data must never touch our servers (PCI DSS).",
        );
        assert_eq!(analysis.title, "Card Payments");
        assert!(
            analysis
                .non_functional_requirements
                .iter()
                .any(|n| n.category == "Compliance" && n.requirement.contains("PCI DSS"))
        );
        assert_eq!(analysis.risks[0].level, RiskLevel::High);
        let payment = &analysis.functional_requirements[0];
        assert_eq!(payment.name, "Payment Processing");
        assert!(payment.details[0].contains("cards and Apple Pay"));
    }

    #[test]
    fn an_unknown_requirement_is_restated_not_invented() {
        let analysis = analyse("Dark mode for the web app.");
        assert_eq!(analysis.functional_requirements.len(), 1);
        assert_eq!(
            analysis.functional_requirements[0].details[0],
            "Dark mode for the web app."
        );
        assert!(
            !analysis
                .dependencies
                .iter()
                .any(|d| d.contains("payment") || d.contains("email"))
        );
        assert!(!analysis.open_questions.is_empty());
    }

    #[test]
    fn documents_add_context_and_their_questions() {
        let input = RequirementAnalysisInput {
            requirement:
                "Clinicians need to see lab results on the patient dashboard in real time."
                    .to_owned(),
            conversation: Vec::new(),
            documents: vec![SourceDocument {
                kind: Default::default(),
                title: Some("Lab results PRD".to_owned()),
                url: None,
                content: "Results contain PHI under HIPAA. Which labs send HL7 feeds?".to_owned(),
            }],
        };
        let analysis = input.generate_offline();
        assert!(
            analysis
                .open_questions
                .contains(&"Which labs send HL7 feeds?".to_owned())
        );
        assert!(
            analysis
                .non_functional_requirements
                .iter()
                .any(|n| n.requirement.contains("HIPAA"))
        );
    }

    #[test]
    fn first_mentions_follow_word_boundaries() {
        let words = Words::new("Real-time dashboards; e-mail alerts.");
        assert_eq!(words.first("real-time"), Some(0));
        assert_eq!(words.first("e-mail*"), Some(3));
        assert_eq!(words.first("mail"), Some(4));
        assert_eq!(words.first("dash"), None);
    }
}
