//! Nesting limits: a query nested deeper than [`jql::MAX_NESTING_DEPTH`] is a syntax error, a
//! query at the limit survives every walk over its tree, and no input (however long) overflows
//! a thread's stack. Each test runs on a thread with the 2 MiB stack Rust gives spawned threads,
//! so a recursion that needs more than a normal stack fails here rather than in production.

mod fixtures;

use fixtures::{context, issues};

/// Runs `test` on a thread with a normal 2 MiB stack; a stack overflow aborts the test binary.
fn on_normal_stack(test: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(test)
        .expect("spawn test thread")
        .join()
        .expect("test thread panicked");
}

const TEN_MIB: usize = 10 * 1024 * 1024;

fn nested_too_deeply(error: &jql::JqlError) -> bool {
    error.is_syntax() && error.to_string().contains("nested too deeply")
}

#[test]
fn ten_megabytes_of_not_is_an_error_not_a_crash() {
    on_normal_stack(|| {
        for unit in ["NOT ", "!", "(", "NOT (", "!(! "] {
            let query = unit.repeat(TEN_MIB / unit.len());
            let error = jql::parse(&query).expect_err("too deep");
            assert!(nested_too_deeply(&error), "{unit:?}: {error}");
        }
    });
}

#[test]
fn the_error_names_the_limit_and_where_it_was_hit() {
    let query = format!("{}a = 1", "NOT ".repeat(jql::MAX_NESTING_DEPTH + 1));
    let error = jql::parse(&query).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "Error in the JQL Query: The query is nested too deeply at 'NOT'. At most {} levels of 'NOT' and parentheses are allowed. (line 1, character {})",
            jql::MAX_NESTING_DEPTH,
            4 * jql::MAX_NESTING_DEPTH + 1
        )
    );
}

#[test]
fn a_lexical_error_after_deep_nesting_is_still_reported_first() {
    let query = format!("{}a = b*", "(".repeat(TEN_MIB));
    let error = jql::parse(&query).unwrap_err();
    assert!(
        error.to_string().contains("reserved JQL character"),
        "{error}"
    );
}

#[test]
fn a_query_at_the_limit_parses_compiles_displays_evaluates_and_drops() {
    on_normal_stack(|| {
        let depth = jql::MAX_NESTING_DEPTH;
        // Alternate NOT and parentheses around OR/AND so every clause kind is on the path.
        let mut query = String::from("project = DEMO");
        for level in 0..depth {
            query = if level % 2 == 0 {
                format!("NOT {query}")
            } else {
                format!("(key = DEMO-1 OR {query} AND status = Done)")
            };
        }
        let parsed = jql::parse(&query).expect("at the limit");
        let shown = parsed.to_string();
        assert_eq!(jql::parse(&shown).expect("display reparses"), parsed);
        let compiled = parsed.compile(&context()).expect("compiles");
        let issues = issues();
        let _ = compiled.search(&issues);
        jql::validate(&query).expect("validates");
        drop(parsed);

        let one_more = format!("NOT {query}");
        assert!(nested_too_deeply(&jql::parse(&one_more).unwrap_err()));
    });
}

#[test]
fn parentheses_inside_value_lists_do_not_count_as_nesting() {
    let query = format!(
        "{}project in (DEMO, OPS){}",
        "(".repeat(jql::MAX_NESTING_DEPTH),
        ")".repeat(jql::MAX_NESTING_DEPTH)
    );
    jql::parse(&query).expect("value lists are not nesting");
}
