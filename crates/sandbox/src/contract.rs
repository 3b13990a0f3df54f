//! Contract checking against the official OpenAPI documents (Jira platform v3, Jira Software
//! agile, Confluence v2), behind the `contract` feature.
//!
//! The checker loads the documents from a directory, finds the operation for each request by
//! method and path template, and validates (a) the request body against the operation's
//! request schema and (b) the response body against the schema declared for its status. In
//! strict mode a non-conforming request is refused with a 400 naming the violation (so a client's
//! tests check its requests automatically); non-conforming responses, and requests in lenient
//! mode, are recorded as [`ContractViolation`]s for the test to assert on.
//!
//! The documents follow OpenAPI 3.0, which differs from JSON Schema; schemas are converted before
//! compiling: `nullable: true` becomes a union with `null`, `oneOf` becomes `anyOf` (the
//! documents use `oneOf` over overlapping object shapes without a discriminator, which no
//! instance can satisfy exactly once), and `$ref`s are resolved within the document. Formats are
//! not asserted: Jira's own timestamps (`…+0000`) are not RFC 3339 although the documents say
//! `date-time`. A few documented errata are patched (see [`apply_errata`]). Operations whose
//! response schema is missing (many in the agile document) and empty bodies are not checked.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::state::SandboxState;
use crate::write_log::MAX_BODY_BYTES;

/// The spec files, each with the URL prefix its paths are relative to.
const DOCUMENTS: [(&str, &str); 3] = [
    ("jira-platform-v3.openapi.json", ""),
    ("jira-software-agile.openapi.json", ""),
    ("confluence-v2.openapi.json", "/wiki/api/v2"),
];

/// How to check: where the documents are and whether bad requests are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractOptions {
    /// Directory holding the OpenAPI documents.
    pub spec_dir: PathBuf,
    /// Refuse non-conforming requests with 400 (true) or only record them (false).
    pub strict: bool,
}

impl ContractOptions {
    /// Strict checking with the documents in `spec_dir`.
    pub fn strict(spec_dir: impl Into<PathBuf>) -> Self {
        Self {
            spec_dir: spec_dir.into(),
            strict: true,
        }
    }

    /// Record-only checking with the documents in `spec_dir`.
    pub fn lenient(spec_dir: impl Into<PathBuf>) -> Self {
        Self {
            spec_dir: spec_dir.into(),
            strict: false,
        }
    }
}

/// Why the documents could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    /// A document is missing or unreadable: check the directory.
    #[error("cannot read the OpenAPI document {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A document is not valid JSON.
    #[error("the OpenAPI document {path} is not valid JSON: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// Whether a violation was found in what the client sent or what the sandbox answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Request,
    Response,
}

/// One mismatch between a message and the official schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractViolation {
    /// The operation id from the document, e.g. `createIssue`.
    pub operation: String,
    pub method: String,
    pub path: String,
    pub direction: Direction,
    /// The response status (for response violations).
    pub status: Option<u16>,
    /// What did not match, with the JSON pointer of the offending value.
    pub message: String,
}

struct Operation {
    document: usize,
    method: String,
    segments: Vec<String>,
    operation_id: String,
    request: Option<Value>,
    responses: BTreeMap<String, Value>,
}

/// The loaded documents and the compiled validators (compiled on first use, then cached).
pub(crate) struct ContractCheck {
    strict: bool,
    documents: Vec<Value>,
    operations: Vec<Operation>,
    validators: Mutex<HashMap<(usize, String), Arc<jsonschema::Validator>>>,
    violations: Mutex<Vec<ContractViolation>>,
}

fn read_document(path: &Path) -> Result<Value, ContractError> {
    let text = std::fs::read_to_string(path).map_err(|source| ContractError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| ContractError::Parse {
        path: path.to_path_buf(),
        source,
    })
}

/// Fixes places where the documents contradict what Jira really accepts or sends, and fills
/// in the agile document's missing response schemas (it gives only string examples for most
/// sprint and epic operations) from its own components and examples.
fn apply_errata(document: &mut Value) {
    // `PUT /issue/{key}/assignee` documents `accountId` as a string, but Jira (and its own
    // description) uses `"accountId": null` to unassign.
    if let Some(account) = document.pointer_mut("/components/schemas/User/properties/accountId")
        && let Some(map) = account.as_object_mut()
    {
        map.insert("nullable".into(), Value::Bool(true));
    }
    let sprint = json!({"$ref": "#/components/schemas/SprintBean"});
    let page_of = |items: Value| {
        json!({
            "type": "object",
            "properties": {
                "maxResults": {"type": "integer"},
                "startAt": {"type": "integer"},
                "total": {"type": "integer"},
                "isLast": {"type": "boolean"},
                "values": {"type": "array", "items": items},
            },
            "additionalProperties": false,
        })
    };
    let epic = json!({
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "key": {"type": "string"},
            "self": {"type": "string"},
            "name": {"type": "string"},
            "summary": {"type": "string"},
            "color": {"$ref": "#/components/schemas/ColorBean"},
            "done": {"type": "boolean"},
        },
        "additionalProperties": false,
    });
    let issues = json!({"$ref": "#/components/schemas/SearchResults"});
    let fills = [
        ("/rest/agile/1.0/sprint", "post", "201", sprint.clone()),
        (
            "/rest/agile/1.0/sprint/{sprintId}",
            "get",
            "200",
            sprint.clone(),
        ),
        (
            "/rest/agile/1.0/sprint/{sprintId}",
            "put",
            "200",
            sprint.clone(),
        ),
        (
            "/rest/agile/1.0/sprint/{sprintId}",
            "post",
            "200",
            sprint.clone(),
        ),
        (
            "/rest/agile/1.0/board/{boardId}/sprint",
            "get",
            "200",
            page_of(sprint),
        ),
        (
            "/rest/agile/1.0/board/{boardId}/epic",
            "get",
            "200",
            page_of(epic),
        ),
        (
            "/rest/agile/1.0/sprint/{sprintId}/issue",
            "get",
            "200",
            issues.clone(),
        ),
        (
            "/rest/agile/1.0/epic/{epicIdOrKey}/issue",
            "get",
            "200",
            issues,
        ),
    ];
    for (path, method, status, schema) in fills {
        let pointer = format!(
            "/paths/{}/{method}/responses/{status}/content/application~1json",
            path.replace('~', "~0").replace('/', "~1")
        );
        if let Some(Value::Object(content)) = document.pointer_mut(&pointer)
            && content.get("schema").is_none_or(Value::is_null)
        {
            content.insert("schema".into(), schema);
        }
    }
}

fn resolve_local<'a>(document: &'a Value, reference: &str) -> Option<&'a Value> {
    document.pointer(reference.strip_prefix('#')?)
}

impl ContractCheck {
    pub(crate) fn new(options: ContractOptions) -> Result<Self, ContractError> {
        let mut documents = Vec::new();
        let mut operations = Vec::new();
        for (index, (file, prefix)) in DOCUMENTS.iter().enumerate() {
            let mut document = read_document(&options.spec_dir.join(file))?;
            apply_errata(&mut document);
            if let Some(paths) = document.get("paths").and_then(Value::as_object) {
                for (template, item) in paths {
                    let Some(item) = item.as_object() else {
                        continue;
                    };
                    for (method, op) in item {
                        if !matches!(method.as_str(), "get" | "post" | "put" | "delete" | "patch") {
                            continue;
                        }
                        let request = op
                            .get("requestBody")
                            .map(|body| match body.get("$ref").and_then(Value::as_str) {
                                Some(r) => {
                                    resolve_local(&document, r).cloned().unwrap_or(Value::Null)
                                }
                                None => body.clone(),
                            })
                            .and_then(|body| {
                                body.pointer("/content/application~1json/schema").cloned()
                            })
                            .filter(|s| !s.is_null());
                        let responses = op
                            .get("responses")
                            .and_then(Value::as_object)
                            .map(|responses| {
                                responses
                                    .iter()
                                    .filter_map(|(status, response)| {
                                        let response =
                                            match response.get("$ref").and_then(Value::as_str) {
                                                Some(r) => resolve_local(&document, r)?,
                                                None => response,
                                            };
                                        let schema = response
                                            .pointer("/content/application~1json/schema")?;
                                        (!schema.is_null())
                                            .then(|| (status.clone(), schema.clone()))
                                    })
                                    .collect()
                            })
                            .unwrap_or_default();
                        operations.push(Operation {
                            document: index,
                            method: method.to_ascii_uppercase(),
                            segments: format!("{prefix}{template}")
                                .split('/')
                                .filter(|s| !s.is_empty())
                                .map(str::to_string)
                                .collect(),
                            operation_id: op
                                .get("operationId")
                                .and_then(Value::as_str)
                                .unwrap_or(template)
                                .to_string(),
                            request,
                            responses,
                        });
                    }
                }
            }
            documents.push(document);
        }
        Ok(Self {
            strict: options.strict,
            documents,
            operations,
            validators: Mutex::new(HashMap::new()),
            violations: Mutex::new(Vec::new()),
        })
    }

    pub(crate) fn violations(&self) -> Vec<ContractViolation> {
        self.violations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn record(&self, violation: ContractViolation) {
        tracing::warn!(?violation, "contract violation");
        self.violations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(violation);
    }

    /// The operation serving `method path`: templates match any segment, and the template
    /// with the most literal segments wins (`/issue/bulk` over `/issue/{issueIdOrKey}`).
    fn find(&self, method: &str, path: &str) -> Option<usize> {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        self.operations
            .iter()
            .enumerate()
            .filter(|(_, op)| op.method == method && op.segments.len() == segments.len())
            .filter_map(|(index, op)| {
                let mut literal = 0;
                for (template, actual) in op.segments.iter().zip(&segments) {
                    if template.starts_with('{') {
                        continue;
                    }
                    if template != actual {
                        return None;
                    }
                    literal += 1;
                }
                Some((literal, index))
            })
            .max_by_key(|(literal, _)| *literal)
            .map(|(_, index)| index)
    }

    /// A compiled validator for `schema` of operation `index` (cached under `slot`).
    fn validator(
        &self,
        index: usize,
        slot: &str,
        schema: &Value,
    ) -> Option<Arc<jsonschema::Validator>> {
        let key = (index, slot.to_string());
        if let Some(v) = self
            .validators
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return Some(v.clone());
        }
        let document = &self.documents[self.operations[index].document];
        let root = bundle(document, schema);
        let validator = match jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&root)
        {
            Ok(v) => Arc::new(v),
            Err(error) => {
                tracing::warn!(operation = %self.operations[index].operation_id, %error, "schema does not compile; not checked");
                return None;
            }
        };
        self.validators
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, validator.clone());
        Some(validator)
    }

    fn check(
        &self,
        index: usize,
        slot: &str,
        schema: &Value,
        instance: &Value,
    ) -> Result<(), String> {
        let Some(validator) = self.validator(index, slot, schema) else {
            return Ok(());
        };
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .take(5)
            .map(|e| {
                let path = e.instance_path().to_string();
                format!("{}: {e}", if path.is_empty() { "/" } else { path.as_str() })
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("; "))
        }
    }
}

/// Converts an OpenAPI 3.0 schema into JSON Schema 2020-12 (see the module docs).
fn convert(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                match key.as_str() {
                    "nullable" | "discriminator" | "example" | "xml" | "externalDocs" => {}
                    "oneOf" => {
                        out.insert("anyOf".into(), convert(value));
                    }
                    "exclusiveMinimum" | "exclusiveMaximum" if value.is_boolean() => {}
                    "properties" | "patternProperties" => {
                        let props = value
                            .as_object()
                            .map(|p| {
                                p.iter()
                                    .map(|(k, v)| (k.clone(), convert(v)))
                                    .collect::<Map<_, _>>()
                            })
                            .unwrap_or_default();
                        out.insert(key.clone(), Value::Object(props));
                    }
                    _ => {
                        out.insert(key.clone(), convert(value));
                    }
                }
            }
            if map.get("nullable").and_then(Value::as_bool) == Some(true) {
                if let Some(Value::String(t)) = out.get("type").cloned() {
                    out.insert("type".into(), json!([t, "null"]));
                    if let Some(Value::Array(values)) = out.get_mut("enum") {
                        values.push(Value::Null);
                    }
                } else {
                    return json!({ "anyOf": [Value::Object(out), { "type": "null" }] });
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(convert).collect()),
        other => other.clone(),
    }
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push(r.clone());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// A self-contained schema: the operation's schema plus every component it reaches, at the
/// same JSON pointers as in the document so `$ref`s resolve unchanged.
fn bundle(document: &Value, schema: &Value) -> Value {
    let mut components: BTreeMap<String, Value> = BTreeMap::new();
    let mut pending = Vec::new();
    collect_refs(schema, &mut pending);
    while let Some(reference) = pending.pop() {
        if components.contains_key(&reference) {
            continue;
        }
        let Some(target) = resolve_local(document, &reference) else {
            continue;
        };
        collect_refs(target, &mut pending);
        components.insert(reference, convert(target));
    }
    let mut root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "allOf": [convert(schema)],
    });
    for (reference, target) in components {
        let parts: Vec<String> = reference
            .trim_start_matches("#/")
            .split('/')
            .map(|p| p.replace("~1", "/").replace("~0", "~"))
            .collect();
        let mut node = &mut root;
        for (i, part) in parts.iter().enumerate() {
            let map = node.as_object_mut().expect("bundle nodes are objects");
            if i + 1 == parts.len() {
                map.insert(part.clone(), target.clone());
                break;
            }
            node = map.entry(part.clone()).or_insert_with(|| json!({}));
        }
    }
    root
}

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"))
}

/// Middleware: validates the request body, runs the handler, validates the response body.
pub(crate) async fn check(
    State(state): State<SandboxState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(contract) = state.inner.contract.as_ref() else {
        return next.run(request).await;
    };
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let Some(index) = contract.find(&method, &path) else {
        return next.run(request).await;
    };
    let operation = &contract.operations[index];
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    if let Some(schema) = &operation.request
        && !bytes.is_empty()
        && let Ok(instance) = serde_json::from_slice::<Value>(&bytes)
        && let Err(message) = contract.check(index, "request", schema, &instance)
    {
        let violation = ContractViolation {
            operation: operation.operation_id.clone(),
            method: method.clone(),
            path: path.clone(),
            direction: Direction::Request,
            status: None,
            message: message.clone(),
        };
        if contract.strict {
            let text = format!(
                "The request body does not match the OpenAPI schema of {}: {message}",
                operation.operation_id
            );
            return if path.starts_with("/wiki/") {
                ApiError::confluence(StatusCode::BAD_REQUEST, "INVALID_REQUEST_PARAMETER", text)
                    .into_response()
            } else {
                ApiError::bad_request(text).into_response()
            };
        }
        contract.record(violation);
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let status = response.status().as_u16();
    let schema = operation
        .responses
        .get(&status.to_string())
        .or_else(|| operation.responses.get("default"));
    let Some(schema) = schema else {
        return response;
    };
    if !is_json(response.headers()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if !bytes.is_empty() {
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(instance) => {
                if let Err(message) = contract.check(index, &status.to_string(), schema, &instance)
                {
                    contract.record(ContractViolation {
                        operation: operation.operation_id.clone(),
                        method,
                        path,
                        direction: Direction::Response,
                        status: Some(status),
                        message,
                    });
                }
            }
            Err(error) => contract.record(ContractViolation {
                operation: operation.operation_id.clone(),
                method,
                path,
                direction: Direction::Response,
                status: Some(status),
                message: format!("the response is not JSON: {error}"),
            }),
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_becomes_a_null_union() {
        let converted = convert(&json!({"type": "string", "nullable": true}));
        assert_eq!(converted, json!({"type": ["string", "null"]}));
        let converted = convert(&json!({"allOf": [{"$ref": "#/x"}], "nullable": true}));
        assert_eq!(
            converted,
            json!({"anyOf": [{"allOf": [{"$ref": "#/x"}]}, {"type": "null"}]})
        );
    }

    #[test]
    fn agile_sprint_responses_are_checked_through_the_errata() {
        let specs = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/specs");
        let check = ContractCheck::new(ContractOptions::strict(specs)).unwrap();
        let index = check.find("GET", "/rest/agile/1.0/sprint/7").unwrap();
        assert_eq!(check.operations[index].operation_id, "getSprint");
        let schema = check.operations[index].responses["200"].clone();
        let good = json!({"id": 7, "self": "http://x/rest/agile/1.0/sprint/7", "state": "future", "name": "S", "originBoardId": 1});
        assert!(check.check(index, "200", &schema, &good).is_ok());
        let bad = json!({"id": "7", "colour": "red"});
        let error = check.check(index, "200", &schema, &bad).unwrap_err();
        assert!(
            error.contains("colour") || error.contains("\"7\""),
            "{error}"
        );
        let bulk = check.find("POST", "/rest/api/3/issue/bulk").unwrap();
        assert_eq!(check.operations[bulk].operation_id, "createIssues");
    }

    #[test]
    fn bundles_reachable_components_only() {
        let document = json!({"components": {"schemas": {
            "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
            "B": {"type": "string"},
            "C": {"type": "number"}
        }}});
        let root = bundle(&document, &json!({"$ref": "#/components/schemas/A"}));
        assert!(root.pointer("/components/schemas/B").is_some());
        assert!(root.pointer("/components/schemas/C").is_none());
        let validator = jsonschema::validator_for(&root).unwrap();
        assert!(validator.is_valid(&json!({"b": "x"})));
        assert!(!validator.is_valid(&json!({"b": 1})));
    }
}
