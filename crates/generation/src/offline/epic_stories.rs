//! Offline `epic_stories`: turns the requirement lists of an epic and its PRD (bullets, table
//! rows, "As a ..." lines) into user stories with acceptance criteria, skipping sections such
//! as "Out of scope" and "Open questions". An epic with no list at all is decomposed with the
//! domain's typical story map.

use super::phrasebook::{Vars, domain_rules};
use super::test_cases::shorten;
use super::{OfflineTask, capability, describe_document, push_unique, sentence};
use crate::task::{Domain, EpicStories, EpicStoriesInput, Priority, StoryDraft};
use crate::text_analysis::{
    Analysis, Lexicon, detect_contexts, detect_domains, lower_first, parse_summary, split_sections,
    upper_first,
};

/// Headings whose items are not requirements.
const SKIPPED_HEADINGS: [&str; 18] = [
    "out of scope", "non-goal", "non goal", "question", "risk", "background", "context",
    "metric", "success", "appendix", "reference", "glossary", "timeline", "milestone",
    "stakeholder", "problem", "assumption", "dependenc",
];

/// A requirement found in the sources.
struct Candidate {
    text: String,
    children: Vec<String>,
    source: String,
    heading: String,
}

impl OfflineTask for EpicStoriesInput {
    fn generate_offline(&self) -> EpicStories {
        let mut texts: Vec<&str> = Vec::new();
        texts.extend(self.description.as_deref());
        texts.extend(self.additional_context.as_deref());
        texts.extend(self.documents.iter().map(|d| d.content.as_str()));
        let epic = Analysis::new(&self.summary, &texts, &[]);
        let mut candidates = Vec::new();
        if let Some(description) = &self.description {
            collect(description, "Epic description", &mut candidates);
        }
        for document in &self.documents {
            collect(&document.content, &describe_document(document), &mut candidates);
        }
        if candidates.is_empty() {
            candidates = template_candidates(&epic);
        }
        let epic_label = match &self.epic_key {
            Some(key) => format!("{key} “{}”", self.summary.trim()),
            None => format!("“{}”", self.summary.trim()),
        };
        let mut stories: Vec<StoryDraft> = Vec::new();
        for (position, candidate) in candidates.iter().enumerate() {
            if stories.len() >= self.max_stories as usize {
                break;
            }
            let story = draft(candidate, position, &epic, &epic_label);
            let key = story.summary.to_lowercase();
            if !stories.iter().any(|known| known.summary.to_lowercase() == key) {
                stories.push(story);
            }
        }
        EpicStories { stories }
    }
}

fn collect(text: &str, label: &str, candidates: &mut Vec<Candidate>) {
    let clipped = crate::text_analysis::clip(text, crate::text_analysis::MAX_ANALYSED_CHARS);
    for section in split_sections(clipped) {
        let heading = section.heading.to_lowercase();
        if SKIPPED_HEADINGS.iter().any(|word| heading.contains(word)) {
            continue;
        }
        let source = if section.heading.is_empty() {
            label.to_owned()
        } else {
            format!("{label} § {}", section.heading)
        };
        for item in section.items {
            if item.text.split_whitespace().count() < 2 {
                continue;
            }
            candidates.push(Candidate {
                text: item.text,
                children: item.children,
                source: source.clone(),
                heading: heading.clone(),
            });
        }
        for line in section.prose {
            let lower = line.to_lowercase();
            if lower.starts_with("as a ") || lower.starts_with("as an ") {
                candidates.push(Candidate {
                    text: line,
                    children: Vec::new(),
                    source: source.clone(),
                    heading: heading.clone(),
                });
            }
        }
    }
}

/// The usual story map of an epic's domain, used when the epic lists no requirements.
fn template_candidates(epic: &Analysis) -> Vec<Candidate> {
    let templates: &[&str] = match epic.domain {
        Domain::DataMigration => &[
            "Inventory and map the {topic} source data to the target model",
            "Build the {topic} job with a dry-run mode",
            "Backfill existing records in resumable batches",
            "Reconcile source and target after the {topic}",
            "Switch reads to the new store and retire the old one",
        ],
        Domain::Payments => &[
            "Pay for {topic} with a card",
            "Handle {service} webhooks idempotently",
            "Issue full and partial refunds",
            "Reconcile payments with {service} reports",
        ],
        Domain::Authentication => &[
            "Sign in with {topic}",
            "Recover access when credentials are lost",
            "Protect {topic} against brute-force attempts",
            "Audit {topic} events for security review",
        ],
        Domain::Reporting => &[
            "View {topic} on a dashboard",
            "Filter {topic} by date range and segment",
            "Export {topic} to CSV",
            "Schedule {topic} delivery by email",
        ],
        Domain::Notifications => &[
            "Send {topic} when the triggering event happens",
            "Choose which {topic} to receive",
            "Track delivery and retry failed {topic}",
        ],
        Domain::Search => &[
            "Search {topic} by keyword",
            "Filter and sort {topic} results",
            "Keep the {topic} index up to date",
        ],
        Domain::Integration => &[
            "Connect an account to {service}",
            "Sync {topic} from {service} automatically",
            "See sync status and errors",
            "Disconnect {service} and clean up synced data",
        ],
        _ => &[
            "{object}",
            "Validate input and explain errors for {topic}",
            "Configure {topic} as an administrator",
            "Track usage of {topic}",
        ],
    };
    let vars = Vars::from_analysis(epic);
    templates
        .iter()
        .map(|template| Candidate {
            text: upper_first(&vars.fill(template)),
            children: Vec::new(),
            source: "Epic summary (the epic lists no requirements; typical story map)".to_owned(),
            heading: String::new(),
        })
        .collect()
}

/// Modal openings of requirement sentences and whether they name the role before them.
const MODALS: [&str; 9] = [
    " should be able to ", " must be able to ", " can ", " should ", " must ", " shall ",
    " will be able to ", " will ", " need to ",
];

fn draft(candidate: &Candidate, position: usize, epic: &Analysis, epic_label: &str) -> StoryDraft {
    let text = candidate.text.trim().trim_end_matches('.');
    let item = Lexicon::new(text, &[]);
    let item_domain = detect_domains(&item).first().copied().unwrap_or(epic.domain);
    let (role, want, benefit) = split_requirement(text, &epic.role);
    let parts = parse_summary(&want);
    let phrase = {
        let capability = capability(&parts);
        capability.phrase
    };
    let summary_text = match phrase.strip_prefix("use ") {
        Some(object) => object.to_owned(),
        None => phrase.clone(),
    };
    let summary = shorten(&upper_first(&strip_possessives(&summary_text)), 80);
    let first_person = first_person(&phrase);
    let benefit = benefit.unwrap_or_else(|| first_person_benefit(domain_rules(item_domain).benefit));
    let user_story = format!("As a {role}, I want to {first_person}, so that {benefit}.");
    let mut acceptance_criteria: Vec<String> = candidate
        .children
        .iter()
        .map(|child| sentence(child.trim_end_matches('.')).trim_end_matches('.').to_owned())
        .collect();
    if acceptance_criteria.len() < 2 {
        acceptance_criteria.push(format!(
            "Given a signed-in {role}, when they {phrase}, then the result is confirmed and saved"
        ));
        let vars = Vars {
            topic: lower_first(&parts.topic),
            object: lower_first(&parts.object),
            role: role.clone(),
            ..Vars::from_analysis(epic)
        };
        if let Some((_, when, then)) = domain_rules(item_domain).negatives.first() {
            push_unique(
                &mut acceptance_criteria,
                format!("Given a signed-in {role}, when {}, then {}", vars.fill(when), vars.fill(then)),
            );
        }
    }
    let contexts = detect_contexts(&Lexicon::new(text, &[&candidate.children.join("\n")]));
    let layers: Vec<String> = contexts
        .iter()
        .filter_map(|context| serde_json::to_value(context).ok())
        .filter_map(|value| value.as_str().map(|name| name.replace('_', " ")))
        .collect();
    let mut description = format!(
        "{}s need to {phrase}. This story delivers that slice of the epic {epic_label} on its own, releasable behind the epic's feature flag if needed.",
        upper_first(&role)
    );
    description.push_str(&format!("\n\nDerived from {}: “{text}”.", candidate.source));
    if !layers.is_empty() {
        description.push_str(&format!("\nLikely touches: {}.", layers.join(", ")));
    }
    let priority = priority(&format!("{} {}", candidate.heading, text.to_lowercase()), position);
    let size = 1.0 + contexts.len() as f64 + acceptance_criteria.len() as f64 / 2.0;
    StoryDraft {
        summary,
        user_story,
        description,
        acceptance_criteria,
        priority,
        story_points: fibonacci(size * epic.complexity),
        source: Some(candidate.source.clone()),
    }
}

/// "Admins must be able to schedule exports so that ..." → ("admin", "schedule exports", ...).
fn split_requirement(text: &str, default_role: &str) -> (String, String, Option<String>) {
    let lower = text.to_lowercase();
    if lower.starts_with("as a ") || lower.starts_with("as an ") {
        let parts = parse_summary(text);
        let head = lower.split(',').next().unwrap_or("");
        let head = head.split(" i want").next().unwrap_or(head);
        let role = head.trim_start_matches("as an ").trim_start_matches("as a ").trim().to_owned();
        let want = parts.action_phrase();
        let role = if role.is_empty() || role.len() > 30 { default_role.to_owned() } else { role };
        return (role, want, parts.benefit.map(|b| b.trim_end_matches('.').to_owned()));
    }
    let (body, benefit) = match lower.find(" so that ") {
        Some(at) => (&text[..at], Some(text[at + " so that ".len()..].trim().to_owned())),
        None => (text, None),
    };
    let body_lower = body.to_lowercase();
    for modal in MODALS {
        if let Some(at) = body_lower.find(modal) {
            let subject = body[..at].trim().to_lowercase();
            let subject = subject.trim_start_matches("the ").trim_start_matches("all ");
            let want = body[at + modal.len()..].trim().to_owned();
            let role = match subject {
                "system" | "platform" | "app" | "application" | "service" | "it" | "we" => default_role.to_owned(),
                s if s.split_whitespace().count() <= 2 && !s.is_empty() => singular(s),
                _ => default_role.to_owned(),
            };
            if !want.is_empty() {
                return (role, want, benefit);
            }
        }
    }
    let body = ["ability to ", "support for ", "allow users to ", "enable users to "]
        .iter()
        .find_map(|prefix| body_lower.starts_with(prefix).then(|| body[prefix.len()..].to_owned()))
        .unwrap_or_else(|| body.to_owned());
    (default_role.to_owned(), body, benefit)
}

fn singular(word: &str) -> String {
    match word.strip_suffix('s') {
        Some(stem) if !word.ends_with("ss") => stem.to_owned(),
        _ => word.to_owned(),
    }
}

fn strip_possessives(text: &str) -> String {
    let mut out = text.to_owned();
    for possessive in [" their ", " my ", " his or her ", " his ", " her ", " our "] {
        out = out.replace(possessive, " ");
    }
    out
}

fn first_person(phrase: &str) -> String {
    format!(" {phrase} ")
        .replace(" their ", " my ")
        .replace(" they ", " I ")
        .trim()
        .to_owned()
}

fn first_person_benefit(benefit: &str) -> String {
    format!(" {benefit} ")
        .replace(" they can ", " I can ")
        .replace(" they ", " I ")
        .replace(" their ", " my ")
        .replace(" them ", " me ")
        .trim()
        .to_owned()
}

/// MoSCoW words decide; otherwise the first requirements listed are the core ones.
fn priority(text: &str, position: usize) -> Priority {
    let has = |words: &[&str]| words.iter().any(|word| text.contains(word));
    if has(&["could", "nice to have", "optional", "later", "phase 2", "p2", "stretch", "future"]) {
        Priority::Low
    } else if has(&["must", "p0", "critical", "mvp", "required"]) {
        Priority::High
    } else if has(&["should", "p1"]) {
        Priority::Medium
    } else if position < 2 {
        Priority::High
    } else {
        Priority::Medium
    }
}

fn fibonacci(size: f64) -> u32 {
    [1, 2, 3, 5, 8, 13]
        .into_iter()
        .find(|points| f64::from(*points) >= size)
        .unwrap_or(13)
}
