//! Property tests: the canonical text of any syntax tree parses back to the same tree, and the
//! parser never panics on arbitrary input.

use jql::{
    Clause, Field, FunctionCall, Operand, Operator, OrderBy, Predicate, PredicateKind, Query,
    SortDirection, Terminal,
};
use proptest::prelude::*;

/// Strings that stress quoting: keywords, reserved words, numbers, dates, keys, escapes.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z][a-zA-Z0-9_.:-]{0,8}",
        2 => any::<String>(),
        1 => prop::sample::select(vec![
            "", "and", "OR", "not", "empty", "NULL", "in", "is", "order", "by", "desc", "was", "changed", "cf",
            "select", "End", "-7d", "12", "-3", "1.5", "2026-01-31", "2026-01-31 14:00", "DEMO-5", "a\"b", "it's",
            "back\\slash", "tab\tnew\nline", "log*", "x@y", "(", "a,b", "\u{1}", "\u{fdd0}", "ünïcode",
        ])
        .prop_map(str::to_string),
    ]
}

fn field() -> impl Strategy<Value = Field> {
    prop_oneof![
        4 => text().prop_map(Field::Name),
        1 => any::<u64>().prop_map(Field::CustomId),
    ]
}

fn function() -> impl Strategy<Value = FunctionCall> {
    (
        prop::sample::select(vec![
            "currentUser",
            "now",
            "startOfDay",
            "endOfMonth",
            "openSprints",
            "membersOf",
        ]),
        prop::collection::vec(text(), 0..3),
    )
        .prop_map(|(name, args)| FunctionCall {
            name: name.to_string(),
            args,
        })
}

/// A single operand: what may appear alone or inside a list.
fn single() -> impl Strategy<Value = Operand> {
    prop_oneof![
        1 => Just(Operand::Empty),
        4 => text().prop_map(Operand::String),
        2 => any::<i64>().prop_map(Operand::Number),
        1 => function().prop_map(Operand::Function),
    ]
}

fn list() -> impl Strategy<Value = Operand> {
    prop_oneof![
        3 => prop::collection::vec(single(), 1..4).prop_map(Operand::List),
        1 => function().prop_map(Operand::Function),
    ]
}

fn predicates() -> impl Strategy<Value = Vec<Predicate>> {
    let kind = prop::sample::select(vec![
        PredicateKind::After,
        PredicateKind::Before,
        PredicateKind::On,
        PredicateKind::During,
        PredicateKind::By,
        PredicateKind::From,
        PredicateKind::To,
    ]);
    prop::collection::vec(
        (kind, prop_oneof![single(), list()])
            .prop_map(|(kind, operand)| Predicate { kind, operand }),
        0..3,
    )
}

fn terminal() -> impl Strategy<Value = Terminal> {
    let simple = prop::sample::select(vec![
        Operator::Equals,
        Operator::NotEquals,
        Operator::Like,
        Operator::NotLike,
        Operator::Less,
        Operator::Greater,
        Operator::LessOrEqual,
        Operator::GreaterOrEqual,
    ]);
    prop_oneof![
        4 => (field(), simple, single()).prop_map(|(field, operator, operand)| Terminal {
            field,
            operator,
            operand: Some(operand),
            predicates: Vec::new(),
        }),
        2 => (field(), prop::bool::ANY, list()).prop_map(|(field, negated, operand)| Terminal {
            field,
            operator: if negated { Operator::NotIn } else { Operator::In },
            operand: Some(operand),
            predicates: Vec::new(),
        }),
        1 => (field(), prop::bool::ANY).prop_map(|(field, negated)| Terminal {
            field,
            operator: if negated { Operator::IsNot } else { Operator::Is },
            operand: Some(Operand::Empty),
            predicates: Vec::new(),
        }),
        1 => (field(), prop::sample::select(vec![Operator::Was, Operator::WasNot]), single(), predicates())
            .prop_map(|(field, operator, operand, predicates)| Terminal { field, operator, operand: Some(operand), predicates }),
        1 => (field(), prop::sample::select(vec![Operator::WasIn, Operator::WasNotIn]), list(), predicates())
            .prop_map(|(field, operator, operand, predicates)| Terminal { field, operator, operand: Some(operand), predicates }),
        1 => (field(), predicates()).prop_map(|(field, predicates)| Terminal {
            field,
            operator: Operator::Changed,
            operand: None,
            predicates,
        }),
    ]
}

fn clause() -> impl Strategy<Value = Clause> {
    terminal()
        .prop_map(Clause::Terminal)
        .prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 2..4).prop_map(Clause::And),
                prop::collection::vec(inner.clone(), 2..4).prop_map(Clause::Or),
                inner.prop_map(|clause| Clause::Not(Box::new(clause))),
            ]
        })
}

fn query() -> impl Strategy<Value = Query> {
    let direction = prop::option::of(prop::sample::select(vec![
        SortDirection::Asc,
        SortDirection::Desc,
    ]));
    (
        prop::option::of(clause()),
        prop::collection::vec(
            (field(), direction).prop_map(|(field, direction)| OrderBy { field, direction }),
            0..3,
        ),
    )
        .prop_map(|(clause, order_by)| Query { clause, order_by })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn display_parses_back_to_the_same_tree(query in query()) {
        let text = query.to_string();
        let parsed = jql::parse(&text);
        prop_assert_eq!(parsed.as_ref(), Ok(&query), "canonical text: {}", text);
    }

    #[test]
    fn parse_display_parse_is_stable(query in query()) {
        let once = jql::parse(&query.to_string()).unwrap();
        let twice = jql::parse(&once.to_string()).unwrap();
        prop_assert_eq!(once, twice);
    }

    #[test]
    fn parsing_and_validating_arbitrary_text_never_panics(input in any::<String>()) {
        let _ = jql::parse(&input);
        let _ = jql::validate(&input);
    }

    #[test]
    fn parsing_near_valid_text_never_panics(
        words in prop::collection::vec(
            prop::sample::select(vec![
                "project", "=", "DEMO", "AND", "OR", "NOT", "(", ")", "in", "is", "empty", "~", "\"", "'", "\\",
                "order", "by", "cf", "[", "]", ",", "now(", "-7d", "!", "!=", "<=", "was", "changed", "after",
            ]),
            0..12,
        )
    ) {
        let input = words.join(" ");
        let _ = jql::parse(&input);
        let _ = jql::validate(&input);
    }
}

/// Found by the `jql` fuzz target (fuzz/): escapes can put any character into a function name,
/// and the canonical text must escape it again or it no longer parses.
#[test]
fn escaped_function_names_display_escaped() {
    for input in [
        r"e~\\()",
        r#"a = f\ \"\'\t\n\r\u0028x()"#,
        r"a in \u0021\u007b\u0001()",
    ] {
        let query = jql::parse(input).expect(input);
        let text = query.to_string();
        assert_eq!(
            jql::parse(&text).as_ref(),
            Ok(&query),
            "{input} displayed as {text}"
        );
    }
}
