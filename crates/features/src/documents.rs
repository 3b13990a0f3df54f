//! An epic's planning documents for prompts: the PRD and RFC pages its custom fields link to,
//! read from Confluence and cut to the sections that matter (PRD: target population, user
//! problems, business value, solutions; RFC: overview, technical design, security and
//! performance, rollout, concerns), within a size budget. The result says which sources were
//! used, and why any was not.

use atlassian::models::Issue;
use generation::task::{DocumentType, SourceDocument};
use serde::Serialize;
use serde_json::Value;

use crate::custom_fields::FieldRole;
use crate::env::JobEnv;

/// The most characters of one document put into a prompt; the LLM layer fits the whole prompt
/// to the model's window, this keeps one huge page from crowding out the ticket itself.
pub const MAX_DOCUMENT_CHARS: usize = 12_000;

/// One document used (or not) as context.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentSource {
    /// `PRD` or `RFC`.
    pub kind: &'static str,
    pub url: String,
    pub title: Option<String>,
    /// The sections put into the prompt (empty: the whole page, cut to size).
    pub sections: Vec<String>,
    pub chars: usize,
    /// Why the document was not used, when it was not.
    pub skipped: Option<String>,
}

/// The documents of one epic.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EpicDocuments {
    pub documents: Vec<SourceDocument>,
    pub sources: Vec<DocumentSource>,
}

impl EpicDocuments {
    /// `["PRD: <url>", ...]` for responses' `context_sources`.
    pub fn source_names(&self) -> Vec<String> {
        self.sources
            .iter()
            .filter(|source| source.skipped.is_none())
            .map(|source| format!("{}: {}", source.kind, source.url))
            .collect()
    }

    /// Warnings for documents that could not be used.
    pub fn warnings(&self) -> Vec<String> {
        self.sources
            .iter()
            .filter_map(|source| {
                source
                    .skipped
                    .as_ref()
                    .map(|why| format!("{} {} not used: {why}", source.kind, source.url))
            })
            .collect()
    }
}

/// The field ids to request when reading an epic for [`epic_documents`].
pub async fn document_field_ids(env: &JobEnv) -> Vec<String> {
    match env.custom_fields().resolve(&env.jira).await {
        Ok(resolution) => [FieldRole::Prd, FieldRole::Rfc]
            .into_iter()
            .filter_map(|role| resolution.id(role).map(str::to_owned))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Reads the PRD and RFC pages `epic` links to. Never fails: a page that cannot be read is
/// reported in `sources` with the reason, and the job goes on without it.
pub async fn epic_documents(env: &JobEnv, epic: &Issue) -> EpicDocuments {
    let mut result = EpicDocuments::default();
    let Ok(resolution) = env.custom_fields().resolve(&env.jira).await else {
        return result;
    };
    for (role, kind) in [
        (FieldRole::Prd, DocumentType::Prd),
        (FieldRole::Rfc, DocumentType::Rfc),
    ] {
        let Some(url) = resolution
            .id(role)
            .and_then(|id| epic.fields.raw(id))
            .and_then(link_in_field)
        else {
            continue;
        };
        let mut source = DocumentSource {
            kind: kind.label(),
            url: url.clone(),
            title: None,
            sections: Vec::new(),
            chars: 0,
            skipped: None,
        };
        match read_page(env, &url).await {
            Ok((title, text)) => {
                let (content, sections) = relevant_sections(&text, kind);
                source.title = Some(title.clone());
                source.sections = sections;
                source.chars = content.chars().count();
                if content.trim().is_empty() {
                    source.skipped = Some("the page is empty".into());
                } else {
                    result.documents.push(SourceDocument {
                        kind,
                        title: Some(title),
                        url: Some(url),
                        content,
                    });
                }
            }
            Err(why) => source.skipped = Some(why),
        }
        result.sources.push(source);
    }
    result
}

/// A page's title and plain text, or why it cannot be read (not configured, no such page).
pub(crate) async fn read_page(env: &JobEnv, url: &str) -> Result<(String, String), String> {
    let Some(confluence) = &env.confluence else {
        return Err("Confluence is not configured (set CONFLUENCE_SERVER_URL, CONFLUENCE_USERNAME, CONFLUENCE_API_TOKEN)".into());
    };
    let id = confluence
        .page_id_from_url(url)
        .map_err(|error| error.to_string())?;
    let page = confluence
        .get_page(&id)
        .await
        .map_err(|error| format!("{error} ({})", error.hint()))?;
    Ok((page.title, markup::storage_to_text(&page.body_storage)))
}

/// The page address in a custom field's value: a URL string, or the first link of a rich-text
/// value.
pub fn link_in_field(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => text
            .split_whitespace()
            .find(|word| word.starts_with("http://") || word.starts_with("https://"))
            .map(str::to_owned)
            .or_else(|| {
                let text = text.trim();
                (!text.is_empty() && text.chars().all(|c| c.is_ascii_digit()))
                    .then(|| text.to_owned())
            }),
        Value::Object(object) => object
            .get("href")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| object.values().find_map(link_in_field)),
        Value::Array(items) => items.iter().find_map(link_in_field),
        _ => None,
    }
}

/// Keeps the sections of `text` whose headings match `kind`'s topics (all of it when no heading
/// matches), cut to [`MAX_DOCUMENT_CHARS`]. Returns the content and the headings kept.
pub fn relevant_sections(text: &str, kind: DocumentType) -> (String, Vec<String>) {
    let topics: &[&str] = match kind {
        DocumentType::Prd => &[
            "target",
            "population",
            "persona",
            "user",
            "problem",
            "business",
            "value",
            "goal",
            "solution",
            "requirement",
            "scope",
            "story",
            "stories",
            "success",
            "metric",
        ],
        DocumentType::Rfc => &[
            "overview",
            "summary",
            "technical",
            "design",
            "architecture",
            "security",
            "performance",
            "rollout",
            "migration",
            "concern",
            "risk",
            "alternative",
            "api",
            "data model",
        ],
    };
    let mut kept = String::new();
    let mut headings = Vec::new();
    let mut keep = false;
    let mut preamble = String::new();
    let mut seen_heading = false;
    for line in text.lines() {
        if let Some(heading) = line.strip_prefix('#') {
            seen_heading = true;
            let heading = heading.trim_start_matches('#').trim();
            let lower = heading.to_lowercase();
            keep = topics.iter().any(|topic| lower.contains(topic));
            if keep {
                headings.push(heading.to_owned());
            }
        } else if !seen_heading {
            preamble.push_str(line);
            preamble.push('\n');
            continue;
        }
        if keep {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    let content = if headings.is_empty() {
        text.to_owned()
    } else {
        format!("{preamble}{kept}")
    };
    (cut(&content, MAX_DOCUMENT_CHARS), headings)
}

fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.trim().to_owned(),
        Some((end, _)) => {
            let head = &text[..end];
            let end = head.rfind('\n').unwrap_or(end);
            format!("{}\n…", text[..end].trim())
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn links_are_found_in_strings_and_rich_text() {
        assert_eq!(
            link_in_field(&json!(
                "see https://x.atlassian.net/wiki/spaces/D/pages/1/P"
            )),
            Some("https://x.atlassian.net/wiki/spaces/D/pages/1/P".into())
        );
        let adf = json!({"type": "doc", "content": [{"type": "paragraph", "content": [
            {"type": "text", "text": "PRD", "marks": [{"type": "link", "attrs": {"href": "https://x/wiki/p/2"}}]}]}]});
        assert_eq!(link_in_field(&adf), Some("https://x/wiki/p/2".into()));
        assert_eq!(link_in_field(&json!("12345")), Some("12345".into()));
        assert_eq!(link_in_field(&json!("nothing here")), None);
    }

    #[test]
    fn prd_keeps_the_sections_that_matter() {
        let text = "Intro line\n# Target Population\nShoppers on mobile\n# Appendix\nTrivia\n# Proposed Solution\nOne-page checkout\n";
        let (content, headings) = relevant_sections(text, DocumentType::Prd);
        assert_eq!(headings, ["Target Population", "Proposed Solution"]);
        assert!(content.contains("Shoppers on mobile") && content.contains("One-page checkout"));
        assert!(content.contains("Intro line"));
        assert!(!content.contains("Trivia"));
        let (all, none) = relevant_sections("just text", DocumentType::Rfc);
        assert_eq!((all.as_str(), none.len()), ("just text", 0));
    }
}
