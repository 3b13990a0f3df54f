//! Webhook events: what Jira would deliver to a registered webhook after each write made
//! through the API (`jira:issue_created`, `jira:issue_updated` with its changelog,
//! `jira:issue_deleted`, `comment_created`, `issuelink_created`, `sprint_started`,
//! `sprint_closed`).
//!
//! The sandbox does not call out over the network; it publishes the events on a channel
//! ([`crate::SandboxState::subscribe`]) so the embedding program can deliver them to its own
//! webhook handler, and tests can assert on them. Writes made directly on the store (seeding)
//! publish nothing.

use chrono::Utc;
use serde_json::{Value, json};

use crate::jira::render::{FieldSelection, Renderer};
use crate::state::{Comment, Issue, SandboxState, Store, adf_plain_text};

/// One event, with the JSON body Jira would POST to a webhook.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    /// The `webhookEvent` value, e.g. `jira:issue_updated`.
    pub name: String,
    /// The issue the event is about, when there is one.
    pub issue_key: Option<String>,
    /// The full payload (`timestamp`, `webhookEvent`, `user`, `issue`, `changelog`, …).
    pub payload: Value,
}

fn envelope(store: &Store, base: &str, name: &str, actor: &str) -> serde_json::Map<String, Value> {
    let renderer = Renderer::new(store, base);
    let mut payload = serde_json::Map::new();
    payload.insert("timestamp".into(), json!(Utc::now().timestamp_millis()));
    payload.insert("webhookEvent".into(), json!(name));
    if let Some(user) = store.user(actor) {
        payload.insert("user".into(), renderer.user(user));
    }
    payload
}

fn issue_json(store: &Store, base: &str, issue: &Issue) -> Value {
    let renderer = Renderer::new(store, base);
    let selection = FieldSelection::parse(store, &[], "*navigable");
    renderer.issue(issue, &selection, &Default::default())
}

fn publish(
    state: &SandboxState,
    name: &str,
    issue_key: Option<&str>,
    payload: serde_json::Map<String, Value>,
) {
    state.publish(WebhookEvent {
        name: name.to_string(),
        issue_key: issue_key.map(str::to_string),
        payload: Value::Object(payload),
    });
}

/// `jira:issue_created`
pub(crate) fn issue_created(state: &SandboxState, store: &Store, issue_id: &str, actor: &str) {
    let Some(issue) = store.issue(issue_id) else {
        return;
    };
    let base = state.base_url();
    let mut payload = envelope(store, &base, "jira:issue_created", actor);
    payload.insert("issue_event_type_name".into(), json!("issue_created"));
    payload.insert("issue".into(), issue_json(store, &base, issue));
    publish(state, "jira:issue_created", Some(&issue.key), payload);
}

/// `jira:issue_deleted`, from the issue as it was.
pub(crate) fn issue_deleted(state: &SandboxState, store: &Store, before: &Issue, actor: &str) {
    let base = state.base_url();
    let mut payload = envelope(store, &base, "jira:issue_deleted", actor);
    payload.insert("issue_event_type_name".into(), json!("issue_deleted"));
    payload.insert(
        "issue".into(),
        json!({"id": before.id, "key": before.key, "self": format!("{base}/rest/api/3/issue/{}", before.id)}),
    );
    publish(state, "jira:issue_deleted", Some(&before.key), payload);
}

/// Records the change between `before` and the issue now in its history, and publishes
/// `jira:issue_updated` with that changelog; with a comment it is the update Jira sends
/// alongside `comment_created`. Nothing happens when nothing changed.
pub(crate) fn issue_updated(
    state: &SandboxState,
    store: &mut Store,
    before: &Issue,
    actor: &str,
    comment: Option<&Comment>,
) {
    let Some(after) = store.issue(&before.id) else {
        return;
    };
    let items = changelog_items(store, before, after);
    if items.is_empty() && comment.is_none() {
        return;
    }
    let history_id = if items.is_empty() {
        None
    } else {
        store
            .record_history(&before.id, actor, items.clone(), Utc::now())
            .ok()
    };
    let store: &Store = store;
    let Some(after) = store.issue(&before.id) else {
        return;
    };
    let base = state.base_url();
    let renderer = Renderer::new(store, &base);
    let mut payload = envelope(store, &base, "jira:issue_updated", actor);
    let kind = match (
        comment,
        items.iter().any(|i| i["field"] == "status"),
        items.iter().any(|i| i["field"] == "assignee"),
    ) {
        (Some(_), _, _) => "issue_commented",
        (None, true, _) => "issue_generic",
        (None, false, true) => "issue_assigned",
        _ => "issue_updated",
    };
    payload.insert("issue_event_type_name".into(), json!(kind));
    payload.insert("issue".into(), issue_json(store, &base, after));
    if let Some(history_id) = history_id {
        payload.insert(
            "changelog".into(),
            json!({"id": history_id, "items": items}),
        );
    }
    if let Some(comment) = comment {
        payload.insert("comment".into(), renderer.comment(after, comment));
    }
    publish(state, "jira:issue_updated", Some(&after.key), payload);
}

/// `comment_created` (Jira also sends a `jira:issue_updated`; see [`issue_updated`]).
pub(crate) fn comment_created(
    state: &SandboxState,
    store: &Store,
    issue_id: &str,
    comment: &Comment,
    actor: &str,
) {
    let Some(issue) = store.issue(issue_id) else {
        return;
    };
    let base = state.base_url();
    let renderer = Renderer::new(store, &base);
    let mut payload = envelope(store, &base, "comment_created", actor);
    payload.insert("comment".into(), renderer.comment(issue, comment));
    payload.insert("issue".into(), renderer.linked_issue(issue));
    publish(state, "comment_created", Some(&issue.key), payload);
}

/// `issuelink_created`
pub(crate) fn link_created(state: &SandboxState, store: &Store, link_id: &str, actor: &str) {
    let Some(link) = store.link(link_id) else {
        return;
    };
    let base = state.base_url();
    let mut payload = envelope(store, &base, "issuelink_created", actor);
    payload.insert(
        "issueLink".into(),
        json!({
            "id": link.id.parse::<u64>().unwrap_or(0),
            "sourceIssueId": link.source_issue_id.parse::<u64>().unwrap_or(0),
            "destinationIssueId": link.target_issue_id.parse::<u64>().unwrap_or(0),
            "issueLinkType": store.link_type(&link.type_id).map(|t| json!({
                "id": t.id.parse::<u64>().unwrap_or(0), "name": t.name,
                "outwardName": t.outward, "inwardName": t.inward,
            })),
            "systemLink": false,
        }),
    );
    let key = store.issue(&link.source_issue_id).map(|i| i.key.clone());
    publish(state, "issuelink_created", key.as_deref(), payload);
}

/// `sprint_started` / `sprint_closed`, when a sprint changed state.
pub(crate) fn sprint_changed(
    state: &SandboxState,
    store: &Store,
    sprint_id: u64,
    before: crate::state::SprintState,
    actor: &str,
) {
    let Some(sprint) = store.sprint(sprint_id) else {
        return;
    };
    let name = match (before, sprint.state) {
        (crate::state::SprintState::Future, crate::state::SprintState::Active) => "sprint_started",
        (crate::state::SprintState::Active, crate::state::SprintState::Closed) => "sprint_closed",
        _ => "sprint_updated",
    };
    let base = state.base_url();
    let renderer = Renderer::new(store, &base);
    let mut payload = envelope(store, &base, name, actor);
    payload.insert("sprint".into(), renderer.agile_sprint(sprint));
    publish(state, name, None, payload);
}

/// One `ChangeDetails` item; empty sides are left out (the schema types them as strings).
fn item(
    field: &str,
    field_id: &str,
    custom: bool,
    from: (Option<String>, Option<String>),
    to: (Option<String>, Option<String>),
) -> Value {
    let mut value = serde_json::Map::new();
    value.insert("field".into(), json!(field));
    value.insert(
        "fieldtype".into(),
        json!(if custom { "custom" } else { "jira" }),
    );
    value.insert("fieldId".into(), json!(field_id));
    for (key, text) in [
        ("from", from.0),
        ("fromString", from.1),
        ("to", to.0),
        ("toString", to.1),
    ] {
        if let Some(text) = text {
            value.insert(key.into(), json!(text));
        }
    }
    Value::Object(value)
}

fn user_pair(store: &Store, account: Option<&str>) -> (Option<String>, Option<String>) {
    (
        account.map(str::to_string),
        account
            .and_then(|a| store.user(a))
            .map(|u| u.display_name.clone()),
    )
}

/// The `changelog.items` between two versions of an issue, in Jira's `ChangeDetails` shape.
fn changelog_items(store: &Store, before: &Issue, after: &Issue) -> Vec<Value> {
    let mut items = Vec::new();
    if before.status_id != after.status_id {
        let name = |id: &str| store.status(id).map(|s| s.name.clone());
        items.push(item(
            "status",
            "status",
            false,
            (Some(before.status_id.clone()), name(&before.status_id)),
            (Some(after.status_id.clone()), name(&after.status_id)),
        ));
    }
    if before.resolution != after.resolution {
        let pair = |r: &Option<String>| (r.as_ref().map(|_| "10000".to_string()), r.clone());
        items.push(item(
            "resolution",
            "resolution",
            false,
            pair(&before.resolution),
            pair(&after.resolution),
        ));
    }
    if before.summary != after.summary {
        items.push(item(
            "summary",
            "summary",
            false,
            (None, Some(before.summary.clone())),
            (None, Some(after.summary.clone())),
        ));
    }
    if before.description != after.description {
        let text = |d: &Option<Value>| d.as_ref().map(adf_plain_text);
        items.push(item(
            "description",
            "description",
            false,
            (None, text(&before.description)),
            (None, text(&after.description)),
        ));
    }
    if before.assignee != after.assignee {
        items.push(item(
            "assignee",
            "assignee",
            false,
            user_pair(store, before.assignee.as_deref()),
            user_pair(store, after.assignee.as_deref()),
        ));
    }
    if before.reporter != after.reporter {
        items.push(item(
            "reporter",
            "reporter",
            false,
            user_pair(store, before.reporter.as_deref()),
            user_pair(store, after.reporter.as_deref()),
        ));
    }
    if before.labels != after.labels {
        items.push(item(
            "labels",
            "labels",
            false,
            (None, Some(before.labels.join(" "))),
            (None, Some(after.labels.join(" "))),
        ));
    }
    if before.priority_id != after.priority_id {
        let pair = |p: &Option<String>| {
            (
                p.clone(),
                p.as_deref()
                    .and_then(|p| store.priority(p))
                    .map(|p| p.name.clone()),
            )
        };
        items.push(item(
            "priority",
            "priority",
            false,
            pair(&before.priority_id),
            pair(&after.priority_id),
        ));
    }
    if before.parent_id != after.parent_id {
        let pair = |p: &Option<String>| {
            (
                p.clone(),
                p.as_deref()
                    .and_then(|p| store.issue(p))
                    .map(|i| i.key.clone()),
            )
        };
        items.push(item(
            "IssueParentAssociation",
            "parent",
            false,
            pair(&before.parent_id),
            pair(&after.parent_id),
        ));
    }
    if before.due_date != after.due_date {
        items.push(item(
            "duedate",
            "duedate",
            false,
            (before.due_date.clone(), before.due_date.clone()),
            (after.due_date.clone(), after.due_date.clone()),
        ));
    }
    if before.sprint_id != after.sprint_id {
        let pair = |s: Option<u64>| {
            (
                s.map(|s| s.to_string()),
                s.and_then(|s| store.sprint(s)).map(|s| s.name.clone()),
            )
        };
        items.push(item(
            "Sprint",
            crate::state::SPRINT_FIELD,
            true,
            pair(before.sprint_id),
            pair(after.sprint_id),
        ));
    }
    let keys: std::collections::BTreeSet<&String> = before
        .custom_fields
        .keys()
        .chain(after.custom_fields.keys())
        .collect();
    for key in keys {
        let (old, new) = (before.custom_fields.get(key), after.custom_fields.get(key));
        if old != new {
            let name = store
                .fields()
                .iter()
                .find(|f| &f.id == key)
                .map(|f| f.name.clone())
                .unwrap_or_else(|| key.clone());
            let text = |v: Option<&Value>| {
                v.map(|v| match v {
                    Value::String(s) => s.clone(),
                    Value::Object(_) => adf_plain_text(v),
                    other => other.to_string(),
                })
            };
            items.push(item(&name, key, true, (None, text(old)), (None, text(new))));
        }
    }
    items
}
