//! Fuzz target: arbitrary UTF-8 as JQL. Parsing never panics; a syntax error's position lies
//! inside the text; a parsed query's canonical text (`Display`) parses back to the same tree and
//! is itself canonical; validating the canonical text gives the same verdict as the original;
//! compiling and evaluating against a small issue set never panics. Nesting past
//! `jql::MAX_NESTING_DEPTH` must be a clean syntax error (a stack overflow aborts the fuzzer).

#![no_main]

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate};
use jql::{
    FieldRef, FieldValue, IssueValue, JqlError, JqlIssue, NamedValue, ProjectValue, StaticContext,
    UserValue,
};
use libfuzzer_sys::fuzz_target;

/// An issue with every system field set (or empty), so each comparison path is taken.
struct Issue {
    id: u64,
    key: &'static str,
    summary: &'static str,
    labels: Vec<String>,
    sprints: Vec<u64>,
    assigned: bool,
}

impl JqlIssue for Issue {
    fn field(&self, field: FieldRef) -> FieldValue<'_> {
        let user = UserValue {
            account_id: "acc-alice",
            display_name: "Alice Anders",
            email: Some("alice@example.com"),
        };
        match field {
            FieldRef::Project => FieldValue::Project(ProjectValue {
                id: 10000,
                key: "DEMO",
                name: "Demo",
            }),
            FieldRef::IssueKey => FieldValue::Issue(IssueValue {
                id: self.id,
                key: self.key,
            }),
            FieldRef::IssueType => FieldValue::Named(NamedValue {
                id: "10001",
                name: "Story",
                rank: None,
            }),
            FieldRef::Status | FieldRef::StatusCategory => FieldValue::Named(NamedValue {
                id: "3",
                name: "Done",
                rank: None,
            }),
            FieldRef::Priority => FieldValue::Named(NamedValue {
                id: "2",
                name: "High",
                rank: Some(4),
            }),
            FieldRef::Resolution => FieldValue::Empty,
            FieldRef::Summary => FieldValue::Text(Cow::Borrowed(self.summary)),
            FieldRef::Description | FieldRef::Environment => {
                FieldValue::Text(Cow::Borrowed("Login fails with a 500 on Safari"))
            }
            FieldRef::Comment | FieldRef::Labels | FieldRef::Component => {
                FieldValue::Texts(Cow::Borrowed(&self.labels))
            }
            FieldRef::FixVersion | FieldRef::AffectedVersion => FieldValue::Empty,
            FieldRef::Assignee | FieldRef::Reporter | FieldRef::Creator => {
                if self.assigned {
                    FieldValue::User(user)
                } else {
                    FieldValue::Empty
                }
            }
            FieldRef::Parent => FieldValue::Issue(IssueValue {
                id: 1,
                key: "DEMO-1",
            }),
            FieldRef::Created | FieldRef::Updated | FieldRef::Resolved => {
                FieldValue::DateTime(DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default())
            }
            FieldRef::DueDate => {
                FieldValue::Date(NaiveDate::from_ymd_opt(2026, 2, 28).unwrap_or_default())
            }
            FieldRef::Sprint => FieldValue::Ids(Cow::Borrowed(&self.sprints)),
            FieldRef::Custom(id) if id % 2 == 0 => FieldValue::Number(id as f64 / 3.0),
            FieldRef::Custom(_) => FieldValue::Empty,
        }
    }
}

fn issues() -> Vec<Issue> {
    vec![
        Issue {
            id: 10001,
            key: "DEMO-1",
            summary: "Login page",
            labels: vec!["backend".into(), "auth".into()],
            sprints: vec![1, 2],
            assigned: true,
        },
        Issue {
            id: 10002,
            key: "DEMO-2",
            summary: "",
            labels: Vec::new(),
            sprints: Vec::new(),
            assigned: false,
        },
        Issue {
            id: 10003,
            key: "DEMO-10",
            summary: "Export to CSV 100%",
            labels: vec!["".into()],
            sprints: vec![3],
            assigned: true,
        },
    ]
}

/// The verdict of `validate`, without the tree (which differs only by spelling).
fn verdict(jql: &str) -> Result<(), JqlError> {
    jql::validate(jql).map(drop)
}

fuzz_target!(|text: &str| {
    let query = match jql::parse(text) {
        Ok(query) => query,
        Err(error) => {
            if let JqlError::Syntax {
                position: Some(position),
                ..
            } = &error
            {
                assert!(
                    position.offset <= text.len() && text.is_char_boundary(position.offset),
                    "syntax error position {position:?} is not a character boundary of the input"
                );
            }
            let _ = error.to_string();
            assert_eq!(verdict(text), Err(error), "validate disagrees with parse");
            return;
        }
    };

    let shown = query.to_string();
    let reparsed = jql::parse(&shown)
        .unwrap_or_else(|error| panic!("display {shown:?} does not parse: {error}"));
    assert_eq!(
        reparsed, query,
        "display {shown:?} parses to a different tree"
    );
    assert_eq!(reparsed.to_string(), shown, "display is not canonical");
    assert_eq!(
        verdict(text),
        verdict(&shown),
        "validate depends on spelling"
    );
    let _ = query.is_unbounded();

    let ctx = StaticContext::at(DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default());
    if let Ok(compiled) = query.compile(&ctx) {
        let issues = issues();
        let mut found: Vec<&Issue> = compiled.search(&issues);
        compiled.sort(&mut found);
        for a in &issues {
            let _ = compiled.matches(a);
            for b in &issues {
                assert_eq!(
                    compiled.compare(a, b),
                    compiled.compare(b, a).reverse(),
                    "ORDER BY is not antisymmetric for {} and {}",
                    a.key,
                    b.key
                );
            }
        }
    }
});
