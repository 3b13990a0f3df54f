//! Errors beyond syntax: what `validate` rejects on any site, what `compile` rejects on a
//! particular site, and what validation accepts although this crate cannot evaluate it.

mod fixtures;

use fixtures::context;
use jql::JqlError;

#[test]
fn validate_rejects_what_every_jira_site_rejects() {
    let cases: &[(&str, &str)] = &[
        (
            "project ~ DEMO",
            "The operator '~' is not supported by the 'project' field.",
        ),
        (
            "summary = x",
            "The operator '=' is not supported by the 'summary' field.",
        ),
        (
            "text = login",
            "The operator '=' is not supported by the 'text' field.",
        ),
        (
            "labels ~ backend",
            "The operator '~' is not supported by the 'labels' field.",
        ),
        (
            "status > Done",
            "The operator '>' is not supported by the 'status' field.",
        ),
        (
            "key is empty",
            "The operator 'IS' is not supported by the 'key' field.",
        ),
        (
            "labels WAS x",
            "The operator 'WAS' is not supported by the 'labels' field.",
        ),
        (
            "status = (a, b)",
            "Operator '=' does not support the list value '(a, b)' for field 'status'.",
        ),
        (
            "status in Done",
            "Operator 'in' does not support the non-list value 'Done' for field 'status'.",
        ),
        (
            "status not in EMPTY",
            "Operator 'not in' does not support the non-list value 'EMPTY' for field 'status'.",
        ),
        (
            "created < EMPTY",
            "Operator '<' does not support searching for EMPTY values for field 'created'.",
        ),
        ("assignee = foo()", "Unable to find JQL function 'foo()'."),
        (
            "assignee in (bob, nosuch())",
            "Unable to find JQL function 'nosuch()'.",
        ),
        (
            "project = currentUser()",
            "A value provided by the function 'currentUser' is invalid for the field 'project'.",
        ),
        (
            "sprint = now()",
            "A value provided by the function 'now' is invalid for the field 'sprint'.",
        ),
        (
            "summary ~ now()",
            "A value provided by the function 'now' is invalid for the field 'summary'.",
        ),
        (
            "created > startOfDay(1, 2)",
            "Function 'startOfDay' expected between '0' and '1' arguments but received '2'.",
        ),
        (
            "assignee = currentUser(x)",
            "Function 'currentUser' expected '0' arguments but received '1'.",
        ),
        (
            "created > startOfDay(yesterday)",
            "The argument 'yesterday' of function 'startOfDay' is not a valid date increment, e.g. '-1d' or '+2w'.",
        ),
        (
            "created > yesterday",
            "Date value 'yesterday' for field 'created' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.",
        ),
        (
            "duedate = \"31/01/2026\"",
            "Date value '31/01/2026' for field 'duedate' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.",
        ),
        (
            "summary ~ \"*gin\"",
            "The text query '*gin' for field 'summary' is not allowed to start with a wildcard.",
        ),
        (
            "summary ~ \"\"",
            "The field 'summary' does not support searching for an empty string.",
        ),
        (
            "text !~ \" \"",
            "The field 'text' does not support searching for an empty string.",
        ),
        (
            "key > foo",
            "The value 'foo' is invalid for the field 'key'.",
        ),
        (
            "statusCategory = Blocked",
            "The value 'Blocked' does not exist for the field 'statusCategory'.",
        ),
        (
            "ORDER BY description",
            "Field 'description' does not support sorting.",
        ),
        (
            "project = A ORDER BY text",
            "Field 'text' does not support sorting.",
        ),
    ];
    let mut failures = Vec::new();
    for (input, expected) in cases {
        match jql::validate(input) {
            Ok(_) => failures.push(format!("{input}: accepted")),
            Err(error) => {
                assert!(!error.is_syntax(), "{input}: {error}");
                if error.to_string() != *expected {
                    failures.push(format!(
                        "{input}\n   expected {expected}\n   shown    {error}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn validate_accepts_valid_jql_it_cannot_evaluate() {
    let cases = [
        "status WAS Done",
        "status WAS NOT IN (Done, \"To Do\") BY currentUser() DURING (\"2026-01-01\", now())",
        "assignee CHANGED FROM acc-bob TO currentUser() AFTER -7d",
        "assignee in membersOf(\"jira-developers\")",
        "issue in linkedIssues(DEMO-1, \"blocks\")",
        "fixVersion in unreleasedVersions(DEMO)",
        "\"Some Custom Field\" > 3 AND Team = Platform",
        "cf[99999] ~ anything",
        "fixVersion > \"1.0\"",
        "priority > High",
        "project = NOPE",
        "ORDER BY key",
        "",
    ];
    for input in cases {
        let validated = jql::validate(input);
        assert!(validated.is_ok(), "{input}: {validated:?}");
    }
}

#[test]
fn compile_rejects_what_this_site_does_not_have() {
    let ctx = context();
    let cases: &[(&str, &str)] = &[
        (
            "xyz = 1",
            "Field 'xyz' does not exist or you do not have permission to view it.",
        ),
        (
            "\"Team Name\" = a",
            "Field 'Team Name' does not exist or you do not have permission to view it.",
        ),
        (
            "cf[99] = 1",
            "Field 'cf[99]' does not exist or you do not have permission to view it.",
        ),
        (
            "project = DEMO ORDER BY nosuch",
            "Field 'nosuch' does not exist or you do not have permission to view it.",
        ),
        (
            "project = NOPE",
            "The value 'NOPE' does not exist for the field 'project'.",
        ),
        (
            "project in (DEMO, NOPE)",
            "The value 'NOPE' does not exist for the field 'project'.",
        ),
        (
            "status != Blocked",
            "The value 'Blocked' does not exist for the field 'status'.",
        ),
        (
            "key = DEMO-999",
            "An issue with key 'DEMO-999' does not exist for field 'key'.",
        ),
        (
            "issuekey in (DEMO-1, DEMO-999)",
            "An issue with key 'DEMO-999' does not exist for field 'issuekey'.",
        ),
        (
            "status WAS Done",
            "The operator 'WAS' is not supported by this JQL implementation.",
        ),
        (
            "assignee in membersOf(devs)",
            "The function 'membersOf()' is not supported by this JQL implementation.",
        ),
        (
            "fixVersion > \"1.0\"",
            "Comparing versions of 'fixVersion' with '>' is not supported by this JQL implementation.",
        ),
    ];
    let mut failures = Vec::new();
    for (input, expected) in cases {
        match jql::compile(input, &ctx) {
            Ok(_) => failures.push(format!("{input}: compiled")),
            Err(error) => {
                if error.to_string() != *expected {
                    failures.push(format!(
                        "{input}\n   expected {expected}\n   shown    {error}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn priority_ranges_need_a_configured_order() {
    let mut ctx = context();
    assert!(jql::compile("priority > High", &ctx).is_ok());
    ctx.ranks.clear();
    let error = jql::compile("priority > High", &ctx).unwrap_err();
    assert!(matches!(error, JqlError::Unsupported { .. }), "{error:?}");
}

#[test]
fn errors_are_classified() {
    let ctx = context();
    assert!(
        matches!(jql::compile("xyz = 1", &ctx), Err(JqlError::UnknownField { field }) if field == "xyz")
    );
    assert!(matches!(
        jql::compile("project = NOPE", &ctx),
        Err(JqlError::UnknownValue { field, value }) if field == "project" && value == "NOPE"
    ));
    assert!(matches!(
        jql::parse("project foo"),
        Err(JqlError::Syntax {
            position: Some(_),
            ..
        })
    ));
    assert!(matches!(
        jql::validate("summary = x"),
        Err(JqlError::UnsupportedOperator { .. })
    ));
}

#[test]
fn compiled_queries_can_be_shared_across_threads() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<jql::CompiledQuery>();
    shareable::<jql::Query>();
    shareable::<JqlError>();
}
