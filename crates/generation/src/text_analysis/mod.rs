//! Keyword, domain and acceptance-criteria analysis of ticket text: the facts the offline
//! generator composes its prose from.
//!
//! Everything here is a pure function of its input. Text is clipped to [`MAX_ANALYSED_CHARS`]
//! per source so a pasted 1 MB PRD still answers in milliseconds.

mod criteria;
mod entities;
mod lexicon;
mod sections;
mod summary;

pub use criteria::{Criterion, parse_criteria};
pub use entities::{Entities, extract_entities};
pub use lexicon::{Lexicon, detect_contexts, detect_domains, domain_scores};
pub use sections::{Section, SectionItem, bullet_items, split_sections};
pub use summary::{
    SummaryParts, is_base_verb, lower_first, parse_summary, third_person, upper_first,
};

use crate::task::{Domain, TechnicalContext};

/// Longest prefix of any one source text that is analysed (bytes).
pub const MAX_ANALYSED_CHARS: usize = 12_000;

/// Longest prefix of a source scanned for entities (bytes).
pub const MAX_ENTITY_SCAN_CHARS: usize = 8_000;

/// Most text analysed for one request, over all sources (bytes); later sources are dropped
/// once it is used up. The description and context come first, so they always count.
pub const MAX_TOTAL_ANALYSED_CHARS: usize = 32_000;

/// Cuts `text` to at most `max` bytes on a character boundary.
pub fn clip(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// True for descriptions that say nothing: empty, "TBD", "TODO: fill this in", "N/A".
pub fn is_placeholder(text: &str) -> bool {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return true;
    }
    if trimmed.len() > 80 {
        return false;
    }
    let lower = trimmed.to_lowercase();
    [
        "tbd",
        "todo",
        "placeholder",
        "fill this in",
        "add description",
        "n/a",
        "to be defined",
        "description",
    ]
    .iter()
    .any(|marker| lower.contains(marker))
        || lower.chars().all(|c| !c.is_alphanumeric())
}

/// Everything the offline generator knows about one ticket.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The summary split into action and object.
    pub summary: SummaryParts,
    /// The dominant business domain.
    pub domain: Domain,
    /// All domains with a meaningful score, strongest first (includes `domain`).
    pub domains: Vec<Domain>,
    /// The score of each domain in `domains`: 3 per summary keyword, 1 per body mention.
    pub domain_scores: Vec<(Domain, u32)>,
    /// Technical layers mentioned, in a stable order.
    pub contexts: Vec<TechnicalContext>,
    /// Concrete nouns: endpoints, identifiers, screens, services.
    pub entities: Entities,
    /// Acceptance criteria found in the sources.
    pub criteria: Vec<Criterion>,
    /// Who the work is for ("customer", "admin"), "user" by default.
    pub role: String,
    /// Effort multiplier from complexity signals, 0.7 (simple) to 1.6 (complex).
    pub complexity: f64,
    /// The word index of summary and sources, for further keyword questions.
    pub lexicon: Lexicon,
}

impl Analysis {
    /// Analyses a summary plus any number of further texts (description, context, documents).
    /// Explicit criteria come first in `criteria`, then those parsed from the texts.
    pub fn new(summary: &str, sources: &[&str], explicit_criteria: &[String]) -> Self {
        let summary_text = clip(summary, 1_000);
        let mut budget = MAX_TOTAL_ANALYSED_CHARS;
        let mut clipped: Vec<&str> = Vec::with_capacity(sources.len());
        for source in sources {
            if budget == 0 {
                break;
            }
            let text = clip(source, MAX_ANALYSED_CHARS.min(budget));
            budget -= text.len();
            clipped.push(text);
        }
        let lexicon = Lexicon::new(summary_text, &clipped);
        let domain_scores = lexicon::domain_scores(&lexicon);
        let domains: Vec<Domain> = domain_scores.iter().map(|(domain, _)| *domain).collect();
        let contexts = detect_contexts(&lexicon);
        let mut entities = Entities::default();
        entities.absorb(extract_entities(summary_text));
        // Entities come early in a text; the first part of each source is enough to find
        // the few that are kept, and regexes over a whole PRD would dominate latency.
        for source in &clipped {
            entities.absorb(extract_entities(clip(source, MAX_ENTITY_SCAN_CHARS)));
        }
        let mut criteria: Vec<Criterion> = explicit_criteria
            .iter()
            .flat_map(|text| parse_criteria(text, false))
            .collect();
        for source in &clipped {
            for criterion in parse_criteria(source, true) {
                if !criteria.iter().any(|known| known.text == criterion.text) {
                    criteria.push(criterion);
                }
            }
        }
        let all_text: Vec<&str> = std::iter::once(summary_text)
            .chain(clipped.iter().copied())
            .collect();
        let role = detect_role(&all_text, &lexicon);
        let complexity = complexity_factor(&lexicon, criteria.len(), contexts.len());
        Analysis {
            summary: parse_summary(summary_text),
            domain: domains.first().copied().unwrap_or(Domain::General),
            domains,
            domain_scores,
            contexts,
            entities,
            criteria,
            role,
            complexity,
            lexicon,
        }
    }

    /// True when the technical context was detected.
    pub fn has(&self, context: TechnicalContext) -> bool {
        self.contexts.contains(&context)
    }

    /// The domain's score, 0 when it did not register.
    pub fn domain_score(&self, domain: Domain) -> u32 {
        self.domain_scores
            .iter()
            .find(|(known, _)| *known == domain)
            .map_or(0, |(_, score)| *score)
    }

    /// True when the domain scored (primary or secondary).
    pub fn in_domain(&self, domain: Domain) -> bool {
        self.domains.contains(&domain)
    }
}

/// Roles named in "As a <role>" phrases win; then well-known role nouns; then "user".
fn detect_role(texts: &[&str], lexicon: &Lexicon) -> String {
    for text in texts {
        let lower = text.to_lowercase();
        // Only "As a <role>, I want" counts: "sent as a download link" names no role.
        let mut search_from = 0;
        while let Some(found) = lower[search_from..].find("as a") {
            let start = search_from + found;
            search_from = start + 4;
            let rest = &lower[start + 4..];
            let rest = rest.strip_prefix("n ").or_else(|| rest.strip_prefix(' '));
            let Some(rest) = rest else { continue };
            let Some(want_at) = rest.find("i want") else {
                continue;
            };
            let role = rest[..want_at].trim().trim_end_matches(',').trim();
            if !role.is_empty() && role.len() <= 30 && role.split_whitespace().count() <= 3 {
                return role.to_owned();
            }
        }
    }
    const ROLES: [(&str, &str); 14] = [
        ("admin*", "administrator"),
        ("shopper*", "shopper"),
        ("customer*", "customer"),
        ("merchant*", "merchant"),
        ("patient*", "patient"),
        ("clinician*", "clinician"),
        ("support agent*", "support agent"),
        ("manager*", "manager"),
        ("analyst*", "analyst"),
        ("developer*", "developer"),
        ("operator*", "operator"),
        ("seller*", "seller"),
        ("buyer*", "buyer"),
        ("subscriber*", "subscriber"),
    ];
    // A role that starts a sentence of the description is the actor ("Clinicians search the
    // patient list"); a role in the summary may be the object ("Search patients").
    for text in texts.iter().skip(1) {
        for sentence in text.split(['.', '\n', '!', '?', ';']) {
            let first = sentence
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_lowercase();
            if let Some((_, role)) = ROLES.iter().find(|(keyword, _)| {
                !keyword.contains(' ') && first.starts_with(keyword.trim_end_matches('*'))
            }) {
                return (*role).to_owned();
            }
        }
    }
    // Then a role in the summary; otherwise the role mentioned most often.
    if let Some((_, role)) = ROLES
        .iter()
        .find(|(keyword, _)| lexicon.summary_hits(keyword) > 0)
    {
        return (*role).to_owned();
    }
    let mut best: Option<(u32, &str)> = None;
    for (keyword, role) in ROLES {
        let hits = lexicon.body_hits(keyword);
        if hits > 0 && best.is_none_or(|(most, _)| hits > most) {
            best = Some((hits, role));
        }
    }
    best.map_or_else(|| "user".to_owned(), |(_, role)| role.to_owned())
}

/// Words that make work bigger or smaller than it looks. Kept as a table so the estimate is
/// explainable: each present signal multiplies the effort.
const COMPLEXITY_SIGNALS: [(&str, f64); 14] = [
    ("migrat*", 1.2),
    ("third-party", 1.15),
    ("integrat*", 1.15),
    ("external", 1.1),
    ("concurren*", 1.2),
    ("real-time", 1.2),
    ("realtime", 1.2),
    ("encrypt*", 1.15),
    ("multi-tenant", 1.2),
    ("legacy", 1.15),
    ("backfill*", 1.15),
    ("idempoten*", 1.1),
    ("compliance", 1.1),
    ("distributed", 1.2),
];

fn complexity_factor(lexicon: &Lexicon, criteria: usize, contexts: usize) -> f64 {
    let mut factor: f64 = 1.0;
    for (keyword, weight) in COMPLEXITY_SIGNALS {
        if lexicon.hits(keyword) > 0 {
            factor *= weight;
        }
    }
    if criteria > 5 {
        factor *= 1.15;
    }
    if contexts >= 4 {
        factor *= 1.1;
    }
    for simple in [
        "simple",
        "small",
        "minor",
        "typo",
        "copy change",
        "straightforward",
    ] {
        if lexicon.summary_hits(simple) > 0 {
            factor *= 0.7;
            break;
        }
    }
    factor.clamp(0.7, 1.6)
}
