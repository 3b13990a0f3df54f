//! Rule-based answers: a schema-valid JSON value for a request's response schema — the offline
//! generator's answer when the schema is one of Planwright's tasks, else a minimal valid instance.

use std::sync::OnceLock;

use generation::TaskKind;
use serde_json::{Map, Value, json};

/// The task whose output schema `schema` is, by the schema's name or by equality.
pub(crate) fn task_of(name: Option<&str>, schema: &Value) -> Option<TaskKind> {
    if let Some(kind) = name.and_then(|n| n.parse::<TaskKind>().ok()) {
        return Some(kind);
    }
    static SCHEMAS: OnceLock<Vec<(TaskKind, Value)>> = OnceLock::new();
    SCHEMAS
        .get_or_init(|| {
            TaskKind::ALL
                .into_iter()
                .map(|kind| (kind, generation::output_schema(kind)))
                .collect()
        })
        .iter()
        .find(|(_, known)| known == schema)
        .map(|(kind, _)| *kind)
}

/// An answer for a request carrying `schema`: the offline generator's for a known task (fed the
/// prompt's summary line and text, and for the chat tasks its message and ticket lines), else
/// a minimal instance.
pub(crate) fn answer_for(name: Option<&str>, schema: &Value, prompt: &str) -> Value {
    if let Some(kind) = task_of(name, schema) {
        let summary = summary_line(prompt);
        // Chat prompts put what the user wrote on a `**Message:**` (or `**Request:**`,
        // `**Requirement:**`) line; a prompt without one is answered from its summary line.
        let message = labelled_line(prompt, &["Message", "Request", "Requirement"])
            .unwrap_or_else(|| summary.clone());
        let mut input = json!({
            "summary": summary,
            "description": prompt,
            "message": message,
            "requirement": message,
            "request": message,
        });
        if let (Some(ticket), Some(object)) =
            (labelled_line(prompt, &["Ticket"]), input.as_object_mut())
        {
            object.insert("ticket_key".to_owned(), Value::String(ticket));
        }
        if let Ok(output) = generation::offline::generate(kind, &input) {
            return output;
        }
    }
    minimal_instance(schema)
}

/// The text after the first `**<label>:**` line opening of `prompt`, for the first label that
/// has a non-empty one.
fn labelled_line(prompt: &str, labels: &[&str]) -> Option<String> {
    labels.iter().find_map(|label| {
        let marker = format!("**{label}:**");
        prompt.lines().find_map(|line| {
            let rest = line.trim_start().strip_prefix(marker.as_str())?.trim();
            (!rest.is_empty()).then(|| rest.to_owned())
        })
    })
}

/// The `**Summary:** …` line of a Planwright prompt, else its first non-empty line.
fn summary_line(prompt: &str) -> String {
    let line = prompt
        .lines()
        .find_map(|l| {
            l.split_once("Summary:**")
                .map(|(_, rest)| rest.trim().to_owned())
        })
        .or_else(|| {
            prompt
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .map(|l| l.trim_start_matches('#').trim().to_owned())
        })
        .unwrap_or_default();
    if line.is_empty() {
        "Emulated request".to_owned()
    } else {
        line
    }
}

/// The smallest value valid against common JSON Schema (and Gemini OpenAPI-subset) keywords.
pub(crate) fn minimal_instance(schema: &Value) -> Value {
    let Some(object) = schema.as_object() else {
        return Value::Null;
    };
    if let Some(value) = object.get("const") {
        return value.clone();
    }
    if let Some(first) = object
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    for keyword in ["anyOf", "oneOf", "allOf"] {
        if let Some(first) = object.get(keyword).and_then(Value::as_array).and_then(|a| {
            // Prefer a non-null branch so answers look like data.
            a.iter()
                .find(|s| s.get("type").and_then(Value::as_str) != Some("null"))
                .or(a.first())
        }) {
            return minimal_instance(first);
        }
    }
    let kind = match object.get("type") {
        Some(Value::String(t)) => t.to_ascii_lowercase(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null")
            .to_owned(),
        _ if object.contains_key("properties") => "object".to_owned(),
        _ => "null".to_owned(),
    };
    match kind.as_str() {
        "object" => {
            let mut out = Map::new();
            let properties = object.get("properties").and_then(Value::as_object);
            let required: Vec<&str> = object
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(properties) = properties {
                for (name, sub) in properties {
                    if required.contains(&name.as_str()) {
                        out.insert(name.clone(), minimal_instance(sub));
                    }
                }
            }
            Value::Object(out)
        }
        "array" => {
            let count = object.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            let item = object
                .get("items")
                .map(minimal_instance)
                .unwrap_or(Value::Null);
            Value::Array((0..count).map(|_| item.clone()).collect())
        }
        "string" => {
            let length = object.get("minLength").and_then(Value::as_u64).unwrap_or(1);
            Value::String("x".repeat(length.max(1) as usize))
        }
        "integer" => json!(lower_bound(object).ceil() as i64),
        "number" => json!(lower_bound(object)),
        "boolean" => Value::Bool(false),
        _ => Value::Null,
    }
}

fn lower_bound(object: &Map<String, Value>) -> f64 {
    if let Some(min) = object.get("minimum").and_then(Value::as_f64) {
        return min;
    }
    if let Some(min) = object.get("exclusiveMinimum").and_then(Value::as_f64) {
        return min + 1.0;
    }
    0.0
}

/// Finds a JSON Schema written into a prompt (a fenced ```json block holding an object with a
/// `type`), for requests in JSON mode that carry no schema field.
pub(crate) fn schema_in_prompt(prompt: &str) -> Option<Value> {
    let mut rest = prompt;
    while let Some(start) = rest.find("```json") {
        let body = &rest[start + 7..];
        let end = body.find("```")?;
        if let Ok(value) = serde_json::from_str::<Value>(body[..end].trim())
            && value.get("type").is_some()
        {
            return Some(value);
        }
        rest = &body[end + 3..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_instances_satisfy_their_schema_keywords() {
        let schema = json!({
            "type": "object",
            "required": ["a", "b", "c", "d"],
            "properties": {
                "a": {"type": "array", "minItems": 2, "items": {"type": "integer", "minimum": 3}},
                "b": {"type": ["string", "null"], "minLength": 3},
                "c": {"enum": ["x", "y"]},
                "d": {"anyOf": [{"type": "null"}, {"type": "boolean"}]},
                "optional": {"type": "string"}
            }
        });
        assert_eq!(
            minimal_instance(&schema),
            json!({"a": [3, 3], "b": "xxx", "c": "x", "d": false})
        );
    }

    #[test]
    fn known_task_schemas_get_offline_answers() {
        let schema = generation::output_schema(TaskKind::TicketDescription);
        assert_eq!(task_of(None, &schema), Some(TaskKind::TicketDescription));
        assert_eq!(
            task_of(Some("story_tasks"), &json!({})),
            Some(TaskKind::StoryTasks)
        );
        let answer = answer_for(
            None,
            &schema,
            "**Summary:** Add password reset\n\nUsers forget passwords.",
        );
        assert!(answer.get("purpose").is_some(), "{answer}");
    }

    #[test]
    fn chat_prompts_are_answered_from_their_message_and_ticket_lines() {
        let prompt = "Classify the intent of this chat message.\n\n## Message\n**Message:** find open bugs in PAY";
        let answer = answer_for(Some("chat_intent"), &json!({}), prompt);
        assert_eq!(answer["intent"], "search", "{answer}");

        let prompt = "Write the JQL query for this request.\n\n## Request\n**Request:** open bugs in PAY assigned to me\n**Default project:** none";
        let answer = answer_for(Some("jql_query"), &json!({}), prompt);
        assert_eq!(
            answer["jql"],
            "project = PAY AND issuetype = Bug AND statusCategory != Done AND assignee = currentUser() ORDER BY updated DESC"
        );

        let prompt = "## Request\n**Message:** raise it to High\n\n## The ticket now\n**Ticket:** PAY-7\n**Summary:** PayPal checkout fails";
        let answer = answer_for(Some("ticket_update"), &json!({}), prompt);
        assert_eq!(answer["priority"], "High", "{answer}");
        assert!(
            answer["rationale"].as_str().unwrap().contains("PAY-7"),
            "{answer}"
        );

        let prompt = "## Request\n**Message:** create a bug: export button does nothing on Safari";
        let answer = answer_for(Some("ticket_draft"), &json!({}), prompt);
        assert_eq!(
            answer["summary"], "Export button does nothing on Safari",
            "{answer}"
        );
        assert_eq!(answer["issue_type"], "Bug");
    }

    #[test]
    fn labelled_lines_fall_back_in_order() {
        let prompt = "**Summary:** A\n**Request:** \n**Requirement:** users must export";
        assert_eq!(
            labelled_line(prompt, &["Message", "Request", "Requirement"]).as_deref(),
            Some("users must export")
        );
        assert_eq!(labelled_line(prompt, &["Ticket"]), None);
    }

    #[test]
    fn finds_a_schema_written_into_the_prompt() {
        let prompt = "Text\n```json\n[1]\n```\nAnswer format\n```json\n{\"type\": \"object\"}\n```";
        assert_eq!(schema_in_prompt(prompt), Some(json!({"type": "object"})));
        assert_eq!(schema_in_prompt("no schema"), None);
    }
}
