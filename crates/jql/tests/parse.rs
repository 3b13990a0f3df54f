//! Parsing: accepted queries and their canonical form, tree shapes (precedence), and syntax
//! errors with Jira's wording and positions.

use jql::{
    Clause, Field, FunctionCall, Operand, Operator, OrderBy, Query, SortDirection, Terminal,
};

#[test]
fn accepted_queries_and_their_canonical_form() {
    let cases: &[(&str, &str)] = &[
        ("", ""),
        ("   ", ""),
        ("project = DEMO", "project = DEMO"),
        ("project=DEMO", "project = DEMO"),
        (
            "project=DEMO and status in ('To Do', \"In Progress\")",
            "project = DEMO AND status IN (\"To Do\", \"In Progress\")",
        ),
        ("a = 1 OR b = 2 AND c = 3", "a = 1 OR b = 2 AND c = 3"),
        (
            "!(a = 1 || b = 2) && c ~ x",
            "NOT (a = 1 OR b = 2) AND c ~ x",
        ),
        (
            "type = Bug & priority = High | labels = x",
            "type = Bug AND priority = High OR labels = x",
        ),
        ("assignee is empty", "assignee IS EMPTY"),
        ("assignee IS NOT NULL", "assignee IS NOT EMPTY"),
        ("assignee = null", "assignee = EMPTY"),
        ("assignee != \"EMPTY\"", "assignee != \"EMPTY\""),
        ("cf[10016] > 3", "cf[10016] > 3"),
        ("CF[10016] <= -3", "cf[10016] <= -3"),
        ("\"Story Points\" >= 5", "\"Story Points\" >= 5"),
        ("'Epic Link' = DEMO-1", "\"Epic Link\" = DEMO-1"),
        ("created >= -7d", "created >= -7d"),
        ("created > startOfDay(-1d)", "created > startOfDay(-1d)"),
        (
            "created > startOfMonth(\"+1M\")",
            "created > startOfMonth(\"+1M\")",
        ),
        (
            "updated < \"2026-01-31 14:00\"",
            "updated < \"2026-01-31 14:00\"",
        ),
        ("updated < 2026-01-31", "updated < 2026-01-31"),
        ("sprint in openSprints()", "sprint IN openSprints()"),
        (
            "sprint not in (closedSprints(), futureSprints())",
            "sprint NOT IN (closedSprints(), futureSprints())",
        ),
        (
            "assignee = currentUser() order by created desc, key",
            "assignee = currentUser() ORDER BY created DESC, key",
        ),
        ("ORDER BY rank asc", "ORDER BY rank ASC"),
        (
            r#"summary ~ "\"exact phrase\"""#,
            r#"summary ~ "\"exact phrase\"""#,
        ),
        (r"summary ~ 'it\'s'", "summary ~ \"it's\""),
        ("labels in (a, 'b c', 10)", "labels IN (a, \"b c\", 10)"),
        ("key > DEMO-5", "key > DEMO-5"),
        ("summary ~ \"log*\"", "summary ~ \"log*\""),
        (r"summary ~ log\u002a", "summary ~ \"log*\""),
        (
            "status WAS \"In Progress\" BY currentUser() AFTER -7d",
            "status WAS \"In Progress\" BY currentUser() AFTER -7d",
        ),
        (
            "status was not in (Done) during ('2026-01-01', now())",
            "status WAS NOT IN (Done) DURING (2026-01-01, now())",
        ),
        (
            "status changed from \"To Do\" to Done",
            "status CHANGED FROM \"To Do\" TO Done",
        ),
        (
            "assignee in membersOf(\"jira-devs\")",
            "assignee IN membersOf(jira-devs)",
        ),
        ("not not a = b", "NOT NOT a = b"),
        ("((a = b))", "a = b"),
        ("a = b and (c = d and e = f)", "a = b AND (c = d AND e = f)"),
        ("summary ~ \"a\\\\b\"", "summary ~ \"a\\\\b\""),
        ("summary ~ \"line\\nbreak\"", "summary ~ \"line\\nbreak\""),
    ];
    let mut failures = Vec::new();
    for (input, canonical) in cases {
        match jql::parse(input) {
            Ok(query) => {
                let shown = query.to_string();
                if shown != *canonical {
                    failures.push(format!(
                        "{input}\n   expected {canonical}\n   shown    {shown}"
                    ));
                } else if jql::parse(&shown).as_ref() != Ok(&query) {
                    failures.push(format!("{input}: canonical form parses differently"));
                }
            }
            Err(error) => failures.push(format!("{input}: {error}")),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn term(field: &str, operator: Operator, value: &str) -> Clause {
    Clause::Terminal(Terminal {
        field: Field::Name(field.into()),
        operator,
        operand: Some(Operand::String(value.into())),
        predicates: Vec::new(),
    })
}

#[test]
fn precedence_is_not_then_and_then_or() {
    let query = jql::parse("a = x OR NOT b = y AND c = z").unwrap();
    assert_eq!(
        query.clause,
        Some(Clause::Or(vec![
            term("a", Operator::Equals, "x"),
            Clause::And(vec![
                Clause::Not(Box::new(term("b", Operator::Equals, "y"))),
                term("c", Operator::Equals, "z"),
            ]),
        ]))
    );
    let grouped = jql::parse("(a = x OR b = y) AND c = z").unwrap();
    assert_eq!(
        grouped.clause,
        Some(Clause::And(vec![
            Clause::Or(vec![
                term("a", Operator::Equals, "x"),
                term("b", Operator::Equals, "y")
            ]),
            term("c", Operator::Equals, "z"),
        ]))
    );
}

#[test]
fn values_numbers_functions_and_order_by_are_typed() {
    let query = jql::parse(
        "cf[10016] IN (3, -1, \"4\", EMPTY, startOfDay(-1d, 'x')) ORDER BY key DESC, created",
    )
    .unwrap();
    assert_eq!(
        query,
        Query {
            clause: Some(Clause::Terminal(Terminal {
                field: Field::CustomId(10016),
                operator: Operator::In,
                operand: Some(Operand::List(vec![
                    Operand::Number(3),
                    Operand::Number(-1),
                    Operand::String("4".into()),
                    Operand::Empty,
                    Operand::Function(FunctionCall {
                        name: "startOfDay".into(),
                        args: vec!["-1d".into(), "x".into()]
                    }),
                ])),
                predicates: Vec::new(),
            })),
            order_by: vec![
                OrderBy {
                    field: Field::Name("key".into()),
                    direction: Some(SortDirection::Desc)
                },
                OrderBy {
                    field: Field::Name("created".into()),
                    direction: None
                },
            ],
        }
    );
}

const OPERATORS: &str = "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'.";

#[test]
fn syntax_errors_use_jira_wording() {
    let cases: Vec<(&str, String)> = vec![
        ("project foo", format!("Expecting operator but got 'foo'. {OPERATORS} (line 1, character 9)")),
        ("project", format!("Expecting operator before the end of the query. {OPERATORS}")),
        // `&` is AND, so the query ends where an operator should follow `B`.
        ("project = A & B", format!("Expecting operator before the end of the query. {OPERATORS}")),
        ("project =", "Expecting either a value, list or function before the end of the query.".into()),
        (
            "project = AND",
            "Expecting either a value, list or function but got 'AND'. You must surround 'AND' in quotation marks to use it as a value. (line 1, character 11)".into(),
        ),
        (
            "status = select",
            "'select' is a reserved JQL word. You must surround it in quotation marks to use it in a query. (line 1, character 10)".into(),
        ),
        (
            "status = End",
            "'End' is a reserved JQL word. You must surround it in quotation marks to use it in a query. (line 1, character 10)".into(),
        ),
        ("(project = A", "Expecting ')' before the end of the query.".into()),
        ("project = A)", "Expecting either 'OR' or 'AND' but got ')'. (line 1, character 12)".into()),
        ("project = A foo = B", "Expecting either 'OR' or 'AND' but got 'foo'. (line 1, character 13)".into()),
        ("project = A ORDER created", "Expecting 'by' but got 'created'. (line 1, character 19)".into()),
        ("ORDER BY", "Expecting a field name before the end of the query.".into()),
        ("ORDER BY key sideways", "Expecting either ',', 'ASC' or 'DESC' but got 'sideways'. (line 1, character 14)".into()),
        ("status in (a, b", "Expecting ')' before the end of the query.".into()),
        ("status in (a b)", "Expecting either ',' or ')' but got 'b'. (line 1, character 14)".into()),
        ("status is foo", "Expecting 'EMPTY' but got 'foo'. (line 1, character 11)".into()),
        ("status not foo", "Expecting 'IN' but got 'foo'. (line 1, character 12)".into()),
        (
            "summary ~ log*",
            "The character '*' is a reserved JQL character. You must enclose it in a string or use the escape '\\u002a' instead. (line 1, character 14)".into(),
        ),
        (
            "assignee = bob@example.com",
            "The character '@' is a reserved JQL character. You must enclose it in a string or use the escape '\\u0040' instead. (line 1, character 15)".into(),
        ),
        (
            "and = 1",
            "Expecting a field name but got 'and'. You must surround 'and' in quotation marks to use it as a field name. (line 1, character 1)".into(),
        ),
        ("project = A AND", "Expecting a field name before the end of the query.".into()),
        ("project = A AND = B", "Expecting a field name but got '='. (line 1, character 17)".into()),
        ("cf[abc] = 1", "Expecting a custom field id but got 'abc'. (line 1, character 4)".into()),
        ("cf[10 = 1", "Expecting ']' but got '='. (line 1, character 7)".into()),
        ("summary ~ \"abc", "The quoted string 'abc' has not been completed. (line 1, character 11)".into()),
        ("created > now(", "Expecting a function argument before the end of the query.".into()),
        ("project = A\nAND foo bar", format!("Expecting operator but got 'bar'. {OPERATORS} (line 2, character 9)")),
        ("summary ~ \"ünï\" AND x y", format!("Expecting operator but got 'y'. {OPERATORS} (line 1, character 23)")),
    ];
    let mut failures = Vec::new();
    for (input, expected) in &cases {
        match jql::parse(input) {
            Ok(query) => failures.push(format!("{input}: parsed as {query}")),
            Err(error) => {
                assert!(error.is_syntax());
                let shown = error.to_string();
                let wanted = format!("Error in the JQL Query: {expected}");
                if shown != wanted {
                    failures.push(format!(
                        "{input}\n   expected {wanted}\n   shown    {shown}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn error_positions_are_structured() {
    let error = jql::parse("project = A\n  AND foo bar").unwrap_err();
    let jql::JqlError::Syntax {
        position: Some(position),
        ..
    } = error
    else {
        panic!("{error:?}")
    };
    assert_eq!(
        (position.line, position.character, position.offset),
        (2, 11, 22)
    );
}
