//! The site configuration every sandbox starts with, demo or empty: issue types, the workflow,
//! priorities, field definitions (system and custom) and issue link types.
//!
//! Ids follow the shapes Jira Cloud uses (`10001`, `customfield_10020`, transition `21`) so that
//! clients which mistakenly hard-code them behave here as they would on a real site.

use super::model::{
    FieldDef, FieldKind, IssueType, LinkType, Priority, Status, StatusCategory, Transition,
};

/// Id of the Sprint custom field.
pub const SPRINT_FIELD: &str = "customfield_10020";
/// Id of the story points custom field.
pub const STORY_POINTS_FIELD: &str = "customfield_10016";
/// Id of the "PRD URL" custom field.
pub const PRD_URL_FIELD: &str = "customfield_10050";
/// Id of the "RFC URL" custom field.
pub const RFC_URL_FIELD: &str = "customfield_10051";
/// Id of the "Test cases" custom field (rich text).
pub const TEST_CASES_FIELD: &str = "customfield_10052";
/// Id of the "Mandays" custom field.
pub const MANDAYS_FIELD: &str = "customfield_10053";
/// Id of the Rank custom field.
pub const RANK_FIELD: &str = "customfield_10019";

/// Status ids of the default workflow.
pub const STATUS_TODO: &str = "10000";
pub const STATUS_IN_PROGRESS: &str = "3";
pub const STATUS_IN_REVIEW: &str = "10001";
pub const STATUS_DONE: &str = "10002";

/// Issue type ids.
pub const TYPE_EPIC: &str = "10000";
pub const TYPE_STORY: &str = "10001";
pub const TYPE_TASK: &str = "10002";
pub const TYPE_BUG: &str = "10003";
pub const TYPE_SUBTASK: &str = "10004";

pub(crate) fn issue_types() -> Vec<IssueType> {
    let t = |id: &str, name: &str, description: &str, hierarchy_level| IssueType {
        id: id.into(),
        name: name.into(),
        description: description.into(),
        hierarchy_level,
    };
    vec![
        t(
            TYPE_EPIC,
            "Epic",
            "A big user story that needs to be broken down.",
            1,
        ),
        t(
            TYPE_STORY,
            "Story",
            "Functionality or a feature expressed as a user goal.",
            0,
        ),
        t(TYPE_TASK, "Task", "A small, distinct piece of work.", 0),
        t(TYPE_BUG, "Bug", "A problem or error.", 0),
        t(
            TYPE_SUBTASK,
            "Subtask",
            "A small piece of work that's part of a larger task.",
            -1,
        ),
    ]
}

pub(crate) fn statuses() -> Vec<Status> {
    let s = |id: &str, name: &str, description: &str, category| Status {
        id: id.into(),
        name: name.into(),
        description: description.into(),
        category,
    };
    vec![
        s(
            STATUS_TODO,
            "To Do",
            "Work that has not been started.",
            StatusCategory::ToDo,
        ),
        s(
            STATUS_IN_PROGRESS,
            "In Progress",
            "This work item is being actively worked on at the moment by the assignee.",
            StatusCategory::InProgress,
        ),
        s(
            STATUS_IN_REVIEW,
            "In Review",
            "The work is done and waiting for review.",
            StatusCategory::InProgress,
        ),
        s(
            STATUS_DONE,
            "Done",
            "Work that is complete.",
            StatusCategory::Done,
        ),
    ]
}

/// The workflow: To Do -> In Progress -> In Review -> Done, with the usual ways back.
pub(crate) fn transitions() -> Vec<Transition> {
    let t = |id: &str, name: &str, from: &[&str], to: &str| Transition {
        id: id.into(),
        name: name.into(),
        from: from.iter().map(|s| s.to_string()).collect(),
        to: to.into(),
    };
    vec![
        t(
            "11",
            "To Do",
            &[STATUS_IN_PROGRESS, STATUS_IN_REVIEW, STATUS_DONE],
            STATUS_TODO,
        ),
        t(
            "21",
            "In Progress",
            &[STATUS_TODO, STATUS_IN_REVIEW],
            STATUS_IN_PROGRESS,
        ),
        t("31", "In Review", &[STATUS_IN_PROGRESS], STATUS_IN_REVIEW),
        t(
            "41",
            "Done",
            &[STATUS_IN_PROGRESS, STATUS_IN_REVIEW],
            STATUS_DONE,
        ),
    ]
}

pub(crate) fn priorities() -> Vec<Priority> {
    let p = |id: &str, name: &str, color: &str, is_default| Priority {
        id: id.into(),
        name: name.into(),
        status_color: color.into(),
        is_default,
    };
    vec![
        p("1", "Highest", "#d04437", false),
        p("2", "High", "#f15C75", false),
        p("3", "Medium", "#f79232", true),
        p("4", "Low", "#707070", false),
        p("5", "Lowest", "#999999", false),
    ]
}

pub(crate) fn link_types() -> Vec<LinkType> {
    let l = |id: &str, name: &str, inward: &str, outward: &str| LinkType {
        id: id.into(),
        name: name.into(),
        inward: inward.into(),
        outward: outward.into(),
    };
    vec![
        l("10000", "Blocks", "is blocked by", "blocks"),
        l("10001", "Cloners", "is cloned by", "clones"),
        l("10002", "Duplicate", "is duplicated by", "duplicates"),
        l("10003", "Relates", "relates to", "relates to"),
        l("10006", "Work item split", "split from", "split to"),
    ]
}

pub(crate) fn fields() -> Vec<FieldDef> {
    let system =
        |id: &str, name: &str, schema_type: &str, items: Option<&str>, navigable| FieldDef {
            id: id.into(),
            name: name.into(),
            custom: false,
            kind: FieldKind::System,
            schema_type: schema_type.into(),
            schema_items: items.map(str::to_string),
            schema_source: id.into(),
            navigable,
            orderable: true,
            searchable: true,
        };
    let custom =
        |id: &str, name: &str, kind, schema_type: &str, items: Option<&str>, plugin: &str| {
            FieldDef {
                id: id.into(),
                name: name.into(),
                custom: true,
                kind,
                schema_type: schema_type.into(),
                schema_items: items.map(str::to_string),
                schema_source: plugin.into(),
                navigable: true,
                orderable: true,
                searchable: true,
            }
        };
    let mut fields = vec![
        system("summary", "Summary", "string", None, true),
        system("description", "Description", "string", None, true),
        system("issuetype", "Work Type", "issuetype", None, true),
        system("project", "Project", "project", None, true),
        system("status", "Status", "status", None, true),
        system("priority", "Priority", "priority", None, true),
        system("assignee", "Assignee", "user", None, true),
        system("reporter", "Reporter", "user", None, true),
        system("creator", "Creator", "user", None, true),
        system("labels", "Labels", "array", Some("string"), true),
        system("parent", "Parent", "issuelink", None, true),
        system("subtasks", "Sub-tasks", "array", Some("issuelinks"), true),
        system(
            "issuelinks",
            "Linked Work items",
            "array",
            Some("issuelinks"),
            true,
        ),
        system("created", "Created", "datetime", None, true),
        system("updated", "Updated", "datetime", None, true),
        system(
            "statuscategorychangedate",
            "Status Category Changed",
            "datetime",
            None,
            true,
        ),
        system("resolution", "Resolution", "resolution", None, true),
        system("resolutiondate", "Resolved", "datetime", None, true),
        system("duedate", "Due date", "date", None, true),
        system("comment", "Comment", "comments-page", None, false),
    ];
    for field in &mut fields {
        if field.id == "description" {
            field.kind = FieldKind::Adf;
        }
        if matches!(
            field.id.as_str(),
            "subtasks" | "creator" | "created" | "updated" | "statuscategorychangedate"
        ) {
            field.orderable = false;
        }
    }
    fields.extend([
        custom(
            SPRINT_FIELD,
            "Sprint",
            FieldKind::Sprint,
            "array",
            Some("json"),
            "com.pyxis.greenhopper.jira:gh-sprint",
        ),
        custom(
            RANK_FIELD,
            "Rank",
            FieldKind::Rank,
            "any",
            None,
            "com.pyxis.greenhopper.jira:gh-lexo-rank",
        ),
        custom(
            STORY_POINTS_FIELD,
            "Story Points",
            FieldKind::Number,
            "number",
            None,
            "com.atlassian.jira.plugin.system.customfieldtypes:float",
        ),
        custom(
            PRD_URL_FIELD,
            "PRD URL",
            FieldKind::Url,
            "string",
            None,
            "com.atlassian.jira.plugin.system.customfieldtypes:url",
        ),
        custom(
            RFC_URL_FIELD,
            "RFC URL",
            FieldKind::Url,
            "string",
            None,
            "com.atlassian.jira.plugin.system.customfieldtypes:url",
        ),
        custom(
            TEST_CASES_FIELD,
            "Test cases",
            FieldKind::Adf,
            "string",
            None,
            "com.atlassian.jira.plugin.system.customfieldtypes:textarea",
        ),
        custom(
            MANDAYS_FIELD,
            "Mandays",
            FieldKind::Number,
            "number",
            None,
            "com.atlassian.jira.plugin.system.customfieldtypes:float",
        ),
    ]);
    fields
}
