//! Structured output: turn a model's raw text into JSON that satisfies the task's schema, or say
//! exactly why it does not.
//!
//! Mechanical repairs only — code fences, prose before or after the JSON, trailing commas, and a
//! bare array where the schema wants an object holding one array. The JSON value the schema expects
//! at the root is what gets extracted, so an array answer is never cut down to its first object.
//! Truncated answers are not repaired here: the caller retries them with a larger budget.

use serde_json::Value;

/// Errors reported back to the model at most (the rest are summarised).
const MAX_REPORTED_ERRORS: usize = 20;
/// Bracket positions tried when looking for the JSON in an answer.
const MAX_CANDIDATES: usize = 64;

/// The JSON type a schema expects at its root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RootKind {
    Object,
    Array,
    Any,
}

/// A compiled schema that checks answers.
pub struct SchemaValidator {
    schema: Value,
    validator: jsonschema::Validator,
    root: RootKind,
}

impl std::fmt::Debug for SchemaValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SchemaValidator")
            .field("schema", &self.schema)
            .finish()
    }
}

/// Why an answer was rejected; the messages are fit to show the model when re-asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub errors: Vec<String>,
}

impl SchemaValidator {
    /// Compiles a schema; an invalid schema is a programming error in the caller, reported as text.
    pub fn new(schema: &Value) -> Result<SchemaValidator, String> {
        let validator = jsonschema::validator_for(schema).map_err(|e| e.to_string())?;
        let root = match schema.get("type").and_then(Value::as_str) {
            Some("object") => RootKind::Object,
            Some("array") => RootKind::Array,
            _ => RootKind::Any,
        };
        Ok(SchemaValidator {
            schema: schema.clone(),
            validator,
            root,
        })
    }

    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// Schema violations of `value`, as `"at /path: message"` lines.
    pub fn violations(&self, value: &Value) -> Vec<String> {
        let mut errors: Vec<String> = self
            .validator
            .iter_errors(value)
            .map(|e| {
                let path = e.instance_path().as_str();
                let path = if path.is_empty() { "/" } else { path };
                format!("at {path}: {e}")
            })
            .collect();
        if errors.len() > MAX_REPORTED_ERRORS {
            let more = errors.len() - MAX_REPORTED_ERRORS;
            errors.truncate(MAX_REPORTED_ERRORS);
            errors.push(format!("… and {more} more errors"));
        }
        errors
    }

    /// Extracts, repairs and validates an answer.
    pub fn parse(&self, raw: &str) -> Result<Value, Rejection> {
        let accepts = |value: &Value| match self.root {
            RootKind::Object => {
                value.is_object() || (value.is_array() && self.wrap_target().is_some())
            }
            RootKind::Array => value.is_array(),
            RootKind::Any => true,
        };
        let value = extract_json(raw, self.root, accepts).map_err(|reason| Rejection {
            errors: vec![reason],
        })?;
        let value = self.wrap_bare_array(value);
        let errors = self.violations(&value);
        if errors.is_empty() {
            Ok(value)
        } else {
            Err(Rejection { errors })
        }
    }

    /// The only required property, when it is an array: where a bare array answer belongs.
    fn wrap_target(&self) -> Option<&str> {
        let required = self.schema.get("required")?.as_array()?;
        let [only] = required.as_slice() else {
            return None;
        };
        let only = only.as_str()?;
        let property = self.schema.get("properties")?.get(only)?;
        (property.get("type").and_then(Value::as_str) == Some("array")).then_some(only)
    }

    /// A bare array where the schema wants `{"<only required property>": [...]}` is wrapped.
    fn wrap_bare_array(&self, value: Value) -> Value {
        if self.root != RootKind::Object || !value.is_array() {
            return value;
        }
        match self.wrap_target() {
            Some(name) => {
                let mut wrapped = serde_json::Map::new();
                wrapped.insert(name.to_owned(), value);
                Value::Object(wrapped)
            }
            None => value,
        }
    }
}

/// Finds the JSON value in a model answer, applying the mechanical repairs.
fn extract_json(
    raw: &str,
    root: RootKind,
    accepts: impl Fn(&Value) -> bool,
) -> Result<Value, String> {
    let text = raw.trim().trim_start_matches('\u{feff}');
    if text.is_empty() {
        return Err("the answer is empty; answer with the JSON value only".into());
    }
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        return Ok(value);
    }
    let unfenced = strip_code_fence(text).unwrap_or(text);
    if let Ok(value) = serde_json::from_str::<Value>(unfenced.trim()) {
        return Ok(value);
    }
    // Try each `{` / `[` in order; the first span that parses and has the shape the schema accepts
    // at its root wins (an object schema also takes an array it can wrap); else the first that
    // parses, so the validation errors can say what is wrong with it.
    let mut fallback = None;
    let mut last_error = None;
    for (start, _) in unfenced.match_indices(['{', '[']).take(MAX_CANDIDATES) {
        let Some(span) = balanced_span(&unfenced[start..]) else {
            continue;
        };
        let parsed = serde_json::from_str::<Value>(span)
            .or_else(|_| serde_json::from_str::<Value>(&remove_trailing_commas(span)));
        match parsed {
            Ok(value) => {
                if accepts(&value) {
                    return Ok(value);
                }
                fallback.get_or_insert(value);
            }
            Err(e) => {
                last_error.get_or_insert(e);
            }
        }
    }
    if let Some(value) = fallback {
        return Ok(value);
    }
    Err(match last_error {
        Some(e) => format!("the answer is not valid JSON ({e}); answer with the JSON value only"),
        None => {
            let wanted = match root {
                RootKind::Object => "a JSON object",
                RootKind::Array => "a JSON array",
                RootKind::Any => "a JSON value",
            };
            format!("the answer does not contain {wanted}; answer with the JSON value only")
        }
    })
}

/// The body of the first ``` fenced block, if any.
fn strip_code_fence(text: &str) -> Option<&str> {
    let start = text.find("```")?;
    let after = &text[start + 3..];
    let body_start = after.find('\n').map(|i| i + 1).unwrap_or(0);
    let body = &after[body_start..];
    let end = body.find("```").unwrap_or(body.len());
    Some(&body[..end])
}

/// The balanced `{…}` or `[…]` that `text` starts with, skipping brackets inside strings.
fn balanced_span(text: &str) -> Option<&str> {
    let start = 0;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (offset, c) in text[start..].char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => depth += 1,
            '}' | ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&text[start..start + offset + 1]);
                }
            }
            _ => {}
        }
    }
    None
}

/// Drops commas that directly precede `}` or `]` (outside strings).
fn remove_trailing_commas(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for (i, &c) in chars.iter().enumerate() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            out.push(c);
            continue;
        }
        if c == '"' {
            in_string = true;
        }
        if c == ',' {
            let next = chars.iter().skip(i + 1).find(|n| !n.is_whitespace());
            if matches!(next, Some('}') | Some(']')) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tasks_schema() -> SchemaValidator {
        SchemaValidator::new(&json!({
            "type": "object",
            "additionalProperties": false,
            "required": ["tasks"],
            "properties": {"tasks": {"type": "array", "items": {
                "type": "object", "additionalProperties": false, "required": ["title"],
                "properties": {"title": {"type": "string"}}}}},
        }))
        .unwrap()
    }

    #[test]
    fn repairs_fences_prose_and_trailing_commas() {
        let schema = tasks_schema();
        let expected = json!({"tasks": [{"title": "a"}, {"title": "b"}]});
        for raw in [
            r#"{"tasks": [{"title": "a"}, {"title": "b"}]}"#,
            "```json\n{\"tasks\": [{\"title\": \"a\"}, {\"title\": \"b\"}]}\n```",
            "Here is the plan:\n{\"tasks\": [{\"title\": \"a\"}, {\"title\": \"b\"},],}\nHope it helps {really}.",
            "Sure!\n```\n{\"tasks\": [{\"title\": \"a\"},\n {\"title\": \"b\"},\n]}\n```",
        ] {
            assert_eq!(schema.parse(raw).unwrap(), expected, "{raw}");
        }
    }

    #[test]
    fn arrays_stay_arrays() {
        // The reference implementation took the first `{` and returned one task of two.
        let schema = tasks_schema();
        let raw = "Tasks:\n[{\"title\": \"a\"}, {\"title\": \"b\"}]";
        assert_eq!(
            schema.parse(raw).unwrap(),
            json!({"tasks": [{"title": "a"}, {"title": "b"}]})
        );
        let array_schema =
            SchemaValidator::new(&json!({"type": "array", "items": {"type": "object"}})).unwrap();
        assert_eq!(
            array_schema
                .parse("x [{\"a\": 1}, {\"b\": \"]\"}] y")
                .unwrap(),
            json!([{"a": 1}, {"b": "]"}])
        );
    }

    #[test]
    fn an_object_schema_skips_arrays_it_cannot_wrap() {
        let schema = SchemaValidator::new(&json!({
            "type": "object", "required": ["a", "b"],
            "properties": {"a": {"type": "integer"}, "b": {"type": "array"}},
        }))
        .unwrap();
        assert_eq!(
            schema
                .parse("Options [1, 2] considered; answer: {\"a\": 1, \"b\": []}")
                .unwrap(),
            json!({"a": 1, "b": []})
        );
    }

    #[test]
    fn schema_violations_are_reported_with_paths() {
        let schema = tasks_schema();
        let rejection = schema
            .parse(r#"{"tasks": [{"title": 3}], "extra": 1}"#)
            .unwrap_err();
        let joined = rejection.errors.join("\n");
        assert!(joined.contains("/tasks/0/title"), "{joined}");
        assert!(joined.contains("extra"), "{joined}");
    }

    #[test]
    fn truncated_and_empty_answers_are_rejected_not_invented() {
        let schema = tasks_schema();
        assert!(schema.parse(r#"{"tasks": [{"title": "a"}, {"tit"#).is_err());
        assert!(schema.parse("   ").is_err());
        assert!(schema.parse("I cannot help with that.").is_err());
    }

    #[test]
    fn commas_inside_strings_survive() {
        let schema = tasks_schema();
        let raw = "note: {\"tasks\": [{\"title\": \"a, ]\"},]}";
        assert_eq!(
            schema.parse(raw).unwrap(),
            json!({"tasks": [{"title": "a, ]"}]})
        );
    }

    proptest::proptest! {
        #[test]
        fn wrapped_answers_parse_back_exactly(
            titles in proptest::collection::vec("[a-z \\[\\]{},\"\\\\:]{0,12}", 0..6),
            prose in "[A-Za-z :.!]{0,30}",
            fenced in proptest::bool::ANY,
            bare in proptest::bool::ANY,
        ) {
            let schema = tasks_schema();
            let tasks: Vec<Value> = titles.iter().map(|t| json!({"title": t})).collect();
            let expected = json!({"tasks": tasks});
            let body = if bare { Value::Array(tasks).to_string() } else { expected.to_string() };
            let raw = if fenced {
                format!("{prose}\n```json\n{body}\n```\n{prose}")
            } else {
                format!("{prose}\n{body}")
            };
            proptest::prop_assert_eq!(schema.parse(&raw).unwrap(), expected);
        }
    }
}
