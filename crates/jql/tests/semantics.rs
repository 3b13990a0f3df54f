//! Property tests of evaluation identities on random issues: `IN` is a disjunction of `=`,
//! `NOT IN` a conjunction of `!=`, negated operators exclude empty fields, and range operators
//! complement each other on non-empty values.

mod fixtures;

use fixtures::{ALICE, BOB, CAROL, TestIssue, context, issue};
use proptest::prelude::*;

const LABELS: [&str; 4] = ["backend", "frontend", "auth", "docs"];

fn random_issue() -> impl Strategy<Value = TestIssue> {
    (
        prop::sample::subsequence(LABELS.to_vec(), 0..=LABELS.len()),
        prop::option::of(prop::sample::select(vec![ALICE, BOB, CAROL])),
        prop::option::of(0u8..10),
    )
        .prop_map(|(labels, assignee, points)| TestIssue {
            labels: labels.into_iter().map(str::to_string).collect(),
            assignee,
            story_points: points.map(f64::from),
            ..issue(1, "Login page")
        })
}

fn label() -> impl Strategy<Value = &'static str> {
    prop::sample::select(LABELS.to_vec())
}

fn user() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![ALICE.account_id, BOB.account_id, CAROL.account_id])
}

fn matches(jql: &str, issue: &TestIssue) -> bool {
    jql::compile(jql, &context())
        .unwrap_or_else(|error| panic!("{jql}: {error}"))
        .matches(issue)
}

proptest! {
    #[test]
    fn in_is_a_disjunction_of_equals(issue in random_issue(), a in label(), b in label()) {
        prop_assert_eq!(
            matches(&format!("labels in ({a}, {b})"), &issue),
            matches(&format!("labels = {a} OR labels = {b}"), &issue)
        );
    }

    #[test]
    fn not_in_is_a_conjunction_of_not_equals(issue in random_issue(), a in label(), b in label()) {
        prop_assert_eq!(
            matches(&format!("labels not in ({a}, {b})"), &issue),
            matches(&format!("labels != {a} AND labels != {b}"), &issue)
        );
    }

    #[test]
    fn negated_operators_exclude_empty_fields(issue in random_issue(), a in label(), who in user()) {
        prop_assert_eq!(
            matches(&format!("labels != {a}"), &issue),
            matches(&format!("labels is not empty AND NOT labels = {a}"), &issue)
        );
        prop_assert_eq!(
            matches(&format!("assignee not in ({who})"), &issue),
            matches(&format!("assignee is not empty AND NOT assignee = {who}"), &issue)
        );
        prop_assert_eq!(
            matches(&format!("assignee = {who} OR assignee != {who} OR assignee is empty"), &issue),
            true
        );
    }

    #[test]
    fn ranges_complement_each_other_on_set_values(issue in random_issue(), n in 0u8..10) {
        let greater = matches(&format!("\"Story Points\" > {n}"), &issue);
        let at_most = matches(&format!("\"Story Points\" <= {n}"), &issue);
        let empty = matches("\"Story Points\" is empty", &issue);
        prop_assert_eq!(greater || at_most, !empty);
        prop_assert!(!(greater && at_most));
        prop_assert_eq!(
            matches(&format!("\"Story Points\" >= {n}"), &issue),
            greater || matches(&format!("\"Story Points\" = {n}"), &issue)
        );
    }
}
