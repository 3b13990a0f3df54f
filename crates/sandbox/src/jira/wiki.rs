//! Jira REST v2 compatibility: v2 carries rich text (description, comments, text-area custom
//! fields) as wiki markup strings where v3 carries ADF. The store keeps ADF; these conversions
//! cover the common markup (paragraphs, headings, lists, code blocks, bold/italic/code/links)
//! so v2 clients read and write sensible text.

use serde_json::{Value, json};

/// Which REST version a request used; chosen by its path (`/rest/api/2/…` or `/rest/api/3/…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ApiVersion {
    V2,
    V3,
}

impl ApiVersion {
    /// The version of a request path.
    pub fn of_path(path: &str) -> Self {
        if path.starts_with("/rest/api/2/") {
            Self::V2
        } else {
            Self::V3
        }
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ApiVersion {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self::of_path(parts.uri.path()))
    }
}

/// The part of a platform REST path after its version prefix (`/rest/api/3/issue` →
/// `/issue`), or `None` for other paths.
pub(crate) fn platform_suffix(path: &str) -> Option<&str> {
    path.strip_prefix("/rest/api/3")
        .or_else(|| path.strip_prefix("/rest/api/2"))
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
}

fn inline_to_wiki(node: &Value, out: &mut String) {
    match node.get("type").and_then(Value::as_str).unwrap_or("") {
        "text" => {
            let mut text = node
                .get("text")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            for mark in node
                .get("marks")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                text = match mark.get("type").and_then(Value::as_str).unwrap_or("") {
                    "strong" => format!("*{text}*"),
                    "em" => format!("_{text}_"),
                    "code" => format!("{{{{{text}}}}}"),
                    "strike" => format!("-{text}-"),
                    "link" => match mark.pointer("/attrs/href").and_then(Value::as_str) {
                        Some(href) => format!("[{text}|{href}]"),
                        None => text,
                    },
                    _ => text,
                };
            }
            out.push_str(&text);
        }
        "hardBreak" => out.push('\n'),
        "inlineCard" => {
            if let Some(url) = node.pointer("/attrs/url").and_then(Value::as_str) {
                out.push_str(&format!("[{url}]"));
            }
        }
        "mention" => {
            let text = node
                .pointer("/attrs/text")
                .and_then(Value::as_str)
                .unwrap_or("");
            out.push_str(text);
        }
        _ => children_inline(node, out),
    }
}

fn children_inline(node: &Value, out: &mut String) {
    for child in node
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        inline_to_wiki(child, out);
    }
}

fn block_to_wiki(node: &Value, list_prefix: &str, blocks: &mut Vec<String>) {
    let kind = node.get("type").and_then(Value::as_str).unwrap_or("");
    match kind {
        "paragraph" => {
            let mut text = String::new();
            children_inline(node, &mut text);
            blocks.push(text);
        }
        "heading" => {
            let level = node
                .pointer("/attrs/level")
                .and_then(Value::as_u64)
                .unwrap_or(1);
            let mut text = String::new();
            children_inline(node, &mut text);
            blocks.push(format!("h{level}. {text}"));
        }
        "bulletList" | "orderedList" => {
            let marker = if kind == "bulletList" { "*" } else { "#" };
            let prefix = format!("{list_prefix}{marker}");
            let mut lines = Vec::new();
            for item in node
                .get("content")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                for child in item
                    .get("content")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let child_kind = child.get("type").and_then(Value::as_str).unwrap_or("");
                    if child_kind == "bulletList" || child_kind == "orderedList" {
                        let mut nested = Vec::new();
                        block_to_wiki(child, &prefix, &mut nested);
                        lines.extend(nested);
                    } else {
                        let mut text = String::new();
                        children_inline(child, &mut text);
                        lines.push(format!("{prefix} {text}"));
                    }
                }
            }
            blocks.push(lines.join("\n"));
        }
        "codeBlock" => {
            let mut text = String::new();
            children_inline(node, &mut text);
            match node.pointer("/attrs/language").and_then(Value::as_str) {
                Some(language) => blocks.push(format!("{{code:{language}}}\n{text}\n{{code}}")),
                None => blocks.push(format!("{{code}}\n{text}\n{{code}}")),
            }
        }
        "blockquote" => {
            let mut inner = Vec::new();
            for child in node
                .get("content")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                block_to_wiki(child, list_prefix, &mut inner);
            }
            blocks.push(format!("{{quote}}\n{}\n{{quote}}", inner.join("\n\n")));
        }
        "rule" => blocks.push("----".into()),
        _ => {
            for child in node
                .get("content")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                block_to_wiki(child, list_prefix, blocks);
            }
        }
    }
}

/// ADF document → wiki markup.
pub(crate) fn adf_to_wiki(doc: &Value) -> String {
    let mut blocks = Vec::new();
    for node in doc
        .get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        block_to_wiki(node, "", &mut blocks);
    }
    blocks.join("\n\n")
}

fn text_node(text: &str) -> Value {
    json!({"type": "text", "text": text})
}

fn paragraph(lines: &[&str]) -> Value {
    let mut content = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            content.push(json!({"type": "hardBreak"}));
        }
        if !line.is_empty() {
            content.push(text_node(line));
        }
    }
    json!({"type": "paragraph", "content": content})
}

/// Wiki markup → ADF document: headings (`h1.`–`h6.`), bullet and numbered lists, `{code}`
/// blocks and paragraphs; inline markup is kept as text.
pub(crate) fn wiki_to_adf(text: &str) -> Value {
    let mut content = Vec::new();
    let mut paragraph_lines: Vec<&str> = Vec::new();
    let mut list: Option<(&str, Vec<Value>)> = None;
    let mut code: Option<(Option<String>, Vec<&str>)> = None;
    let flush_paragraph = |lines: &mut Vec<&str>, content: &mut Vec<Value>| {
        if !lines.is_empty() {
            content.push(paragraph(lines));
            lines.clear();
        }
    };
    let flush_list = |list: &mut Option<(&str, Vec<Value>)>, content: &mut Vec<Value>| {
        if let Some((kind, items)) = list.take() {
            content.push(json!({"type": kind, "content": items}));
        }
    };
    for line in text.lines() {
        if let Some((language, body)) = code.as_mut() {
            if line.trim() == "{code}" {
                let mut node =
                    json!({"type": "codeBlock", "content": [text_node(&body.join("\n"))]});
                if let Some(language) = language {
                    node["attrs"] = json!({"language": language});
                }
                content.push(node);
                code = None;
            } else {
                body.push(line);
            }
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with("{code") {
            flush_paragraph(&mut paragraph_lines, &mut content);
            flush_list(&mut list, &mut content);
            let language = trimmed
                .trim_start_matches("{code")
                .trim_start_matches(':')
                .trim_end_matches('}')
                .split('|')
                .next()
                .filter(|l| !l.is_empty())
                .map(str::to_string);
            code = Some((language, Vec::new()));
            continue;
        }
        let heading = (1..=6).find_map(|level| {
            trimmed
                .strip_prefix(&format!("h{level}. "))
                .map(|rest| (level, rest))
        });
        let item = trimmed
            .strip_prefix("* ")
            .map(|rest| ("bulletList", rest))
            .or_else(|| trimmed.strip_prefix("- ").map(|rest| ("bulletList", rest)))
            .or_else(|| trimmed.strip_prefix("# ").map(|rest| ("orderedList", rest)));
        if let Some((level, rest)) = heading {
            flush_paragraph(&mut paragraph_lines, &mut content);
            flush_list(&mut list, &mut content);
            content.push(
                json!({"type": "heading", "attrs": {"level": level}, "content": [text_node(rest)]}),
            );
        } else if let Some((kind, rest)) = item {
            flush_paragraph(&mut paragraph_lines, &mut content);
            if list.as_ref().is_some_and(|(k, _)| *k != kind) {
                flush_list(&mut list, &mut content);
            }
            let entry = json!({"type": "listItem", "content": [paragraph(&[rest])]});
            list.get_or_insert((kind, Vec::new())).1.push(entry);
        } else if trimmed.is_empty() {
            flush_paragraph(&mut paragraph_lines, &mut content);
            flush_list(&mut list, &mut content);
        } else {
            flush_list(&mut list, &mut content);
            paragraph_lines.push(line);
        }
    }
    if let Some((language, body)) = code {
        let mut node = json!({"type": "codeBlock", "content": [text_node(&body.join("\n"))]});
        if let Some(language) = language {
            node["attrs"] = json!({"language": language});
        }
        content.push(node);
    }
    flush_paragraph(&mut paragraph_lines, &mut content);
    flush_list(&mut list, &mut content);
    json!({"type": "doc", "version": 1, "content": content})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wiki_round_trips_through_adf() {
        let wiki = "h3. Goal\n\nPay as a guest.\nNo account needed.\n\n* one\n* two\n\n{code:json}\n{\"a\": 1}\n{code}";
        let adf = wiki_to_adf(wiki);
        assert_eq!(adf["content"][0]["type"], "heading");
        assert_eq!(adf["content"][2]["type"], "bulletList");
        assert_eq!(adf["content"][3]["attrs"]["language"], "json");
        assert_eq!(adf_to_wiki(&adf), wiki);
    }

    #[test]
    fn marks_become_wiki_markup() {
        let adf = json!({"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [
            {"type": "text", "text": "bold", "marks": [{"type": "strong"}]},
            {"type": "text", "text": " and "},
            {"type": "text", "text": "site", "marks": [{"type": "link", "attrs": {"href": "https://x.test"}}]}
        ]}]});
        assert_eq!(adf_to_wiki(&adf), "*bold* and [site|https://x.test]");
    }
}
