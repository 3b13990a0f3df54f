//! Evaluation semantics on a fixed set of issues at a fixed instant: equality, the empty-field
//! rules of `!=` / `NOT IN` / `!~`, multi-valued fields, text search, dates and date
//! functions, keys, ranks, sprints, custom fields, precedence, and ORDER BY.

mod fixtures;

use chrono::FixedOffset;
use fixtures::{context, issues, search, search_in};

fn check(cases: &[(&str, &[&str])]) {
    let mut failures = Vec::new();
    for (jql, expected) in cases {
        let found = search(jql);
        if found != *expected {
            failures.push(format!(
                "{jql}\n   expected {expected:?}\n   found    {found:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

const ALL: &[&str] = &["DEMO-1", "DEMO-2", "DEMO-3", "DEMO-4", "DEMO-10", "OPS-1"];

#[test]
fn projects_keys_and_named_values() {
    check(&[
        ("", ALL),
        (
            "project = DEMO",
            &["DEMO-1", "DEMO-2", "DEMO-3", "DEMO-4", "DEMO-10"],
        ),
        (
            "PROJECT = demo",
            &["DEMO-1", "DEMO-2", "DEMO-3", "DEMO-4", "DEMO-10"],
        ),
        ("project = 10001", &["OPS-1"]),
        ("project = \"Operations\"", &["OPS-1"]),
        ("project != DEMO", &["OPS-1"]),
        ("project in (OPS, 10000)", ALL),
        ("status = \"in progress\"", &["DEMO-2", "DEMO-4"]),
        (
            "status IN (\"To Do\", 'In Progress')",
            &["DEMO-1", "DEMO-2", "DEMO-4", "DEMO-10", "OPS-1"],
        ),
        ("status not in (\"To Do\", Done)", &["DEMO-2", "DEMO-4"]),
        ("statusCategory = Done", &["DEMO-3"]),
        ("statusCategory = new", &["DEMO-1", "DEMO-10", "OPS-1"]),
        ("statusCategory = 4", &["DEMO-2", "DEMO-4"]),
        (
            "statusCategory != \"To Do\"",
            &["DEMO-2", "DEMO-3", "DEMO-4"],
        ),
        ("type = Bug", &["DEMO-2", "OPS-1"]),
        ("issuetype in (Story, epic)", &["DEMO-1", "DEMO-10"]),
        ("key = demo-2", &["DEMO-2"]),
        ("issuekey in (DEMO-1, OPS-1)", &["DEMO-1", "OPS-1"]),
        ("id = 10002", &["DEMO-2"]),
        ("key > DEMO-3", &["DEMO-4", "DEMO-10"]),
        ("key <= DEMO-2", &["DEMO-1", "DEMO-2"]),
        (
            "key != DEMO-1 AND project = DEMO",
            &["DEMO-2", "DEMO-3", "DEMO-4", "DEMO-10"],
        ),
        ("parent = DEMO-1", &["DEMO-4"]),
        ("\"Epic Link\" = DEMO-10", &["DEMO-3"]),
        ("parent is EMPTY", &["DEMO-1", "DEMO-2", "DEMO-10", "OPS-1"]),
        ("resolution = Done", &["DEMO-3"]),
        (
            "resolution is empty",
            &["DEMO-1", "DEMO-2", "DEMO-4", "DEMO-10", "OPS-1"],
        ),
        ("component = web", &["DEMO-1"]),
    ]);
}

#[test]
fn users_and_the_empty_field_rules() {
    check(&[
        ("assignee = currentUser()", &["DEMO-1", "DEMO-4", "DEMO-10"]),
        // Jira: `!=` does not return issues whose field is empty.
        ("assignee != currentUser()", &["DEMO-2", "OPS-1"]),
        (
            "assignee != currentUser() OR assignee IS EMPTY",
            &["DEMO-2", "DEMO-3", "OPS-1"],
        ),
        ("assignee is empty", &["DEMO-3"]),
        ("assignee = null", &["DEMO-3"]),
        (
            "assignee IS NOT NULL",
            &["DEMO-1", "DEMO-2", "DEMO-4", "DEMO-10", "OPS-1"],
        ),
        (
            "assignee != EMPTY",
            &["DEMO-1", "DEMO-2", "DEMO-4", "DEMO-10", "OPS-1"],
        ),
        ("assignee in (EMPTY, acc-bob)", &["DEMO-2", "DEMO-3"]),
        (
            "assignee not in (acc-bob)",
            &["DEMO-1", "DEMO-4", "DEMO-10", "OPS-1"],
        ),
        (
            "assignee not in (EMPTY, acc-bob)",
            &["DEMO-1", "DEMO-4", "DEMO-10", "OPS-1"],
        ),
        (
            "assignee = \"ALICE@example.com\"",
            &["DEMO-1", "DEMO-4", "DEMO-10"],
        ),
        ("assignee = \"bob brown\"", &["DEMO-2"]),
        (
            "assignee in (currentUser(), acc-carol)",
            &["DEMO-1", "DEMO-4", "DEMO-10", "OPS-1"],
        ),
        (
            "reporter = acc-alice AND assignee != acc-alice",
            &["DEMO-2"],
        ),
        // NOT negates the whole clause, so it does include empty fields.
        (
            "NOT assignee = currentUser()",
            &["DEMO-2", "DEMO-3", "OPS-1"],
        ),
    ]);
}

#[test]
fn anonymous_current_user_matches_nobody() {
    let mut ctx = context();
    ctx.current_user = None;
    assert!(search_in("assignee = currentUser()", &ctx).is_empty());
    assert_eq!(
        search_in("assignee != currentUser()", &ctx),
        ["DEMO-1", "DEMO-2", "DEMO-4", "DEMO-10", "OPS-1"]
    );
}

#[test]
fn multi_valued_fields() {
    check(&[
        ("labels = backend", &["DEMO-1", "DEMO-4", "OPS-1"]),
        ("labels = BACKEND", &["DEMO-1", "DEMO-4", "OPS-1"]),
        ("labels != backend", &["DEMO-2", "DEMO-10"]),
        (
            "labels in (frontend, auth)",
            &["DEMO-1", "DEMO-2", "DEMO-10"],
        ),
        ("labels not in (backend, auth)", &["DEMO-2"]),
        ("labels is empty", &["DEMO-3"]),
        ("NOT labels = backend", &["DEMO-2", "DEMO-3", "DEMO-10"]),
        ("labels = backend AND labels = auth", &["DEMO-1"]),
    ]);
}

#[test]
fn text_search() {
    check(&[
        ("summary ~ login", &["DEMO-1", "DEMO-4", "OPS-1"]),
        ("summary ~ \"LOGIN\"", &["DEMO-1", "DEMO-4", "OPS-1"]),
        (
            "summary ~ \"log*\"",
            &["DEMO-1", "DEMO-2", "DEMO-4", "OPS-1"],
        ),
        ("summary ~ \"log\"", &[]),
        ("summary !~ login", &["DEMO-2", "DEMO-3", "DEMO-10"]),
        ("summary ~ \"login page\"", &["DEMO-1"]),
        ("summary ~ \"page login\"", &["DEMO-1"]),
        ("summary ~ \"\\\"page login\\\"\"", &[]),
        ("summary ~ \"\\\"login page\\\"\"", &["DEMO-1"]),
        ("text ~ login", &["DEMO-1", "DEMO-2", "DEMO-4", "OPS-1"]),
        ("text ~ staging", &["DEMO-3"]),
        ("description ~ upgrade", &["DEMO-1"]),
        // Only DEMO-1 and DEMO-10 have descriptions; `!~` skips the empty ones.
        ("description !~ upgrade", &["DEMO-10"]),
        (
            "description is empty",
            &["DEMO-2", "DEMO-3", "DEMO-4", "OPS-1"],
        ),
        ("comment ~ reproduced", &["DEMO-2"]),
        ("comment ~ \"fixed build\"", &["DEMO-2"]),
        ("environment is not empty", &["DEMO-3"]),
    ]);
}

#[test]
fn dates_relative_to_a_fixed_now() {
    // now() is Wednesday 2026-01-14 15:30 UTC.
    check(&[
        ("created >= -7d", &["DEMO-1", "DEMO-4", "OPS-1"]),
        ("created >= \"-1w\"", &["DEMO-1", "DEMO-4", "OPS-1"]),
        ("created < -30d", &["DEMO-3"]),
        (
            "createdDate > -2w AND created < -5d",
            &["DEMO-2", "DEMO-10"],
        ),
        ("created >= startOfDay()", &["DEMO-4"]),
        ("created > startOfDay()", &[]),
        ("created >= startOfDay(-1d)", &["DEMO-1", "DEMO-4"]),
        ("created >= startOfDay(-1)", &["DEMO-1", "DEMO-4"]),
        // Weeks start on Sunday the 11th; OPS-1 was created that afternoon.
        ("created >= startOfWeek()", &["DEMO-1", "DEMO-4", "OPS-1"]),
        (
            "created >= startOfMonth()",
            &["DEMO-1", "DEMO-2", "DEMO-4", "DEMO-10", "OPS-1"],
        ),
        ("created < startOfMonth(-1)", &[]),
        (
            "created >= startOfMonth(-1) AND created < startOfMonth()",
            &["DEMO-3"],
        ),
        ("created < startOfYear()", &["DEMO-3"]),
        ("created <= endOfDay()", ALL),
        ("created = \"2026-01-01\"", &["DEMO-10"]),
        ("created = \"2026/01/01\"", &["DEMO-10"]),
        ("created < \"2026-01-01\"", &["DEMO-3"]),
        ("created <= \"2026-01-01 09:00\"", &["DEMO-3", "DEMO-10"]),
        ("created < \"2026-01-01 09:00\"", &["DEMO-3"]),
        (
            "created in (\"2026-01-01\", \"2026-01-14\")",
            &["DEMO-4", "DEMO-10"],
        ),
        ("updated >= -2h", &["DEMO-2"]),
        ("updatedDate >= \"-90m\"", &["DEMO-2"]),
        ("resolved is not empty", &["DEMO-3"]),
        ("resolved >= -7d", &["DEMO-3"]),
        ("resolved < -7d", &[]),
        ("duedate <= \"2026-01-14\"", &["DEMO-4"]),
        ("duedate = \"2026-01-20\"", &["DEMO-1"]),
        ("duedate >= now()", &["DEMO-1", "DEMO-4"]),
        ("due < endOfWeek()", &["DEMO-4"]),
        ("due > endOfWeek()", &["DEMO-1"]),
        (
            "duedate is empty",
            &["DEMO-2", "DEMO-3", "DEMO-10", "OPS-1"],
        ),
    ]);
}

#[test]
fn day_boundaries_follow_the_user_time_zone() {
    let mut ctx = context();
    // At 15:30 UTC it is already 2026-01-15 01:30 in UTC+10.
    ctx.time_zone = FixedOffset::east_opt(10 * 3_600).unwrap();
    assert_eq!(
        search_in("created >= startOfDay()", &ctx),
        Vec::<String>::new()
    );
    assert_eq!(
        search_in("created >= startOfDay(-1d)", &ctx),
        ["DEMO-1", "DEMO-4"]
    );
    // "2026-01-14" is midnight in UTC+10, i.e. 2026-01-13 14:00 UTC.
    assert_eq!(
        search_in("created >= \"2026-01-14\"", &ctx),
        ["DEMO-1", "DEMO-4"]
    );
}

#[test]
fn week_start_comes_from_the_context() {
    let mut ctx = context();
    ctx.week_start = chrono::Weekday::Mon;
    // The week now starts on Monday the 12th, so OPS-1 (Sunday the 11th) falls out of it.
    assert_eq!(
        search_in("created >= startOfWeek()", &ctx),
        ["DEMO-1", "DEMO-4"]
    );
    assert_eq!(
        search_in("created >= startOfWeek(-2d)", &ctx),
        ["DEMO-1", "DEMO-4", "OPS-1"]
    );
}

#[test]
fn priorities_sprints_and_custom_fields() {
    check(&[
        ("priority = High", &["DEMO-2"]),
        ("priority >= High", &["DEMO-2", "DEMO-10"]),
        ("priority < Medium", &["DEMO-3", "DEMO-4"]),
        ("priority in (low, lowest)", &["DEMO-3", "DEMO-4"]),
        ("sprint in openSprints()", &["DEMO-1", "DEMO-2"]),
        ("sprint in futureSprints()", &["DEMO-2", "DEMO-4"]),
        ("sprint in closedSprints()", &["DEMO-3"]),
        ("sprint not in openSprints()", &["DEMO-3", "DEMO-4"]),
        ("sprint = \"demo sprint 1\"", &["DEMO-1", "DEMO-2"]),
        ("sprint = 2", &["DEMO-2", "DEMO-4"]),
        ("sprint in (1, 3)", &["DEMO-1", "DEMO-2", "DEMO-3"]),
        ("sprint is empty", &["DEMO-10", "OPS-1"]),
        ("\"Story Points\" > 3", &["DEMO-2"]),
        ("\"story points\" = 3", &["DEMO-1"]),
        ("cf[10016] >= 3", &["DEMO-1", "DEMO-2"]),
        ("cf[10016] != 3", &["DEMO-2"]),
        (
            "\"Story Points\" is empty",
            &["DEMO-3", "DEMO-4", "DEMO-10", "OPS-1"],
        ),
    ]);
}

#[test]
fn precedence_not_and_or() {
    check(&[
        (
            "project = OPS OR labels = auth AND type = Epic",
            &["DEMO-10", "OPS-1"],
        ),
        (
            "(project = OPS OR labels = auth) AND type = Epic",
            &["DEMO-10"],
        ),
        ("NOT project = DEMO OR type = Epic", &["DEMO-10", "OPS-1"]),
        ("NOT (project = DEMO OR type = Epic)", &["OPS-1"]),
        ("!(type = Bug) && labels = backend", &["DEMO-1", "DEMO-4"]),
        (
            "type = Bug || type = Epic & priority = Highest",
            &["DEMO-2", "DEMO-10", "OPS-1"],
        ),
        ("not not project = OPS", &["OPS-1"]),
    ]);
}

#[test]
fn order_by() {
    check(&[
        (
            "project = DEMO ORDER BY priority DESC",
            &["DEMO-10", "DEMO-2", "DEMO-1", "DEMO-3", "DEMO-4"],
        ),
        (
            "ORDER BY created ASC",
            &["DEMO-3", "DEMO-10", "DEMO-2", "OPS-1", "DEMO-1", "DEMO-4"],
        ),
        (
            "order by created desc",
            &["DEMO-4", "DEMO-1", "OPS-1", "DEMO-2", "DEMO-10", "DEMO-3"],
        ),
        // Keys sort by number within a project, not as text.
        (
            "ORDER BY key DESC",
            &["OPS-1", "DEMO-10", "DEMO-4", "DEMO-3", "DEMO-2", "DEMO-1"],
        ),
        // Empty values last ascending…
        (
            "ORDER BY assignee ASC, key DESC",
            &["DEMO-10", "DEMO-4", "DEMO-1", "DEMO-2", "OPS-1", "DEMO-3"],
        ),
        // …and first descending; ties keep the incoming order.
        (
            "ORDER BY assignee DESC",
            &["DEMO-3", "OPS-1", "DEMO-2", "DEMO-1", "DEMO-4", "DEMO-10"],
        ),
        (
            "ORDER BY \"Story Points\" DESC, key",
            &["DEMO-3", "DEMO-4", "DEMO-10", "OPS-1", "DEMO-2", "DEMO-1"],
        ),
        (
            "ORDER BY status, summary",
            &["DEMO-3", "DEMO-2", "DEMO-4", "DEMO-10", "DEMO-1", "OPS-1"],
        ),
        (
            "labels = backend ORDER BY duedate",
            &["DEMO-4", "DEMO-1", "OPS-1"],
        ),
    ]);
}

#[test]
fn compare_is_equal_without_order_by_and_the_query_reports_boundedness() {
    let ctx = context();
    let issues = issues();
    let unordered = jql::compile("project = DEMO", &ctx).unwrap();
    assert!(!unordered.is_unbounded());
    assert_eq!(
        unordered.compare(&issues[0], &issues[1]),
        std::cmp::Ordering::Equal
    );
    let ordered = jql::compile("ORDER BY key DESC", &ctx).unwrap();
    assert!(ordered.is_unbounded());
    assert_eq!(
        ordered.compare(&issues[0], &issues[1]),
        std::cmp::Ordering::Greater
    );
    assert_eq!(
        ordered.order_by(),
        [(jql::FieldRef::IssueKey, jql::SortDirection::Desc)]
    );
    assert!(jql::parse("ORDER BY key").unwrap().is_unbounded());
}

#[test]
fn default_order_applies_only_without_order_by() {
    let ctx = context();
    let issues = issues();
    let by_key_desc = [(jql::FieldRef::IssueKey, jql::SortDirection::Desc)];
    let keys = |jql: &str| -> Vec<String> {
        let compiled = jql::compile(jql, &ctx)
            .unwrap()
            .with_default_order(&by_key_desc);
        compiled
            .search(&issues)
            .into_iter()
            .map(|issue| issue.key.clone())
            .collect()
    };
    assert_eq!(keys("labels = backend"), ["OPS-1", "DEMO-4", "DEMO-1"]);
    assert_eq!(
        keys("labels = backend ORDER BY created"),
        ["OPS-1", "DEMO-1", "DEMO-4"]
    );
}
