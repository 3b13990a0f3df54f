//! Checks over the chat request fixtures that snapshots alone would not catch: every JQL the
//! offline generator writes parses and validates with the `jql` crate, and the intent
//! fixtures cover every intent at least twice.

mod fixtures;

use std::collections::BTreeMap;

use generation::{TaskKind, offline};

#[test]
fn every_fixture_jql_validates() {
    let mut checked = 0;
    for fixture in fixtures::all()
        .into_iter()
        .filter(|fixture| fixture.kind == TaskKind::JqlQuery)
    {
        let output = offline::generate(fixture.kind, &fixture.input).expect("generates");
        let jql = output["jql"].as_str().expect("jql is a string");
        if let Err(error) = jql::validate(jql) {
            panic!("{}: {jql}: {error}", fixture.name);
        }
        assert!(jql.contains(" ORDER BY "), "{}: {jql}", fixture.name);
        let query = jql::parse(jql).expect("parses");
        assert!(!query.is_unbounded(), "{}: {jql}", fixture.name);
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} JQL fixtures");
}

#[test]
fn intent_fixtures_cover_every_intent_twice() {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for fixture in fixtures::all()
        .into_iter()
        .filter(|fixture| fixture.kind == TaskKind::ChatIntent)
    {
        let output = offline::generate(fixture.kind, &fixture.input).expect("generates");
        let intent = output["intent"].as_str().expect("intent").to_owned();
        *counts.entry(intent).or_default() += 1;
    }
    for intent in [
        "requirement_analysis",
        "create_ticket",
        "assess_ticket",
        "update_ticket",
        "search",
        "general_query",
    ] {
        assert!(
            counts.get(intent).copied().unwrap_or(0) >= 2,
            "{intent}: {counts:?}"
        );
    }
}
