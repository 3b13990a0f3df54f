//! JQL (Jira Query Language): a parser, a validator and an evaluator.
//!
//! - [`parse`] turns text into a [`Query`] syntax tree, failing with Jira's wording
//!   (`Error in the JQL Query: Expecting operator but got 'foo'. … (line 1, character 9)`).
//! - [`validate`] also checks what holds on every Jira site (operators each system field
//!   supports, known function names, date formats), for checking JQL before sending it to Jira.
//! - [`Query::compile`] resolves field names, functions and dates against an [`EvalContext`]
//!   into a [`CompiledQuery`] that matches and sorts anything implementing [`JqlIssue`].
//!
//! The crate is pure: no I/O, no clock (the context supplies "now").
//!
//! # Serving a search
//!
//! ```
//! use jql::{FieldRef, SortDirection, StaticContext};
//! # use jql::{FieldValue, IssueValue, JqlIssue};
//! # struct Issue { id: u64, key: String }
//! # impl JqlIssue for Issue {
//! #     fn field(&self, field: FieldRef) -> FieldValue<'_> {
//! #         match field {
//! #             FieldRef::IssueKey => FieldValue::Issue(IssueValue { id: self.id, key: &self.key }),
//! #             _ => FieldValue::Empty,
//! #         }
//! #     }
//! # }
//! # let store = vec![Issue { id: 10001, key: "DEMO-1".into() }, Issue { id: 10002, key: "DEMO-2".into() }];
//! let ctx = StaticContext::offline(); // an emulator implements `EvalContext` over its own data
//! match jql::compile("key >= DEMO-1 ORDER BY key DESC", &ctx) {
//!     Ok(query) => {
//!         let query = query.with_default_order(&[(FieldRef::IssueKey, SortDirection::Desc)]);
//!         let page: Vec<&Issue> = query.search(&store);
//!         assert_eq!(page[0].key, "DEMO-2");
//!     }
//!     // Jira answers 400 with {"errorMessages": [error.to_string()], "errors": {}}.
//!     Err(error) => panic!("{error}"),
//! }
//! ```

// No panics on request and worker paths (ARCHITECTURE.md, invariants); tests may unwrap.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

mod ast;
mod compile;
mod context;
mod datetime;
mod error;
mod eval;
mod field;
mod functions;
mod issue;
mod lexer;
mod parser;
mod text;

pub use ast::{
    Clause, Field, FunctionCall, Operand, Operator, OrderBy, Predicate, PredicateKind, Query,
    SortDirection, Terminal,
};
pub use compile::CompiledQuery;
pub use context::{EvalContext, SprintInfo, StaticContext};
pub use error::{JqlError, Position};
pub use field::{
    FieldRef, FieldValue, IssueValue, NamedValue, ProjectValue, SprintState, UserValue,
};
pub use issue::JqlIssue;
pub use parser::MAX_NESTING_DEPTH;

/// Parses JQL text into a syntax tree. Only syntax is checked; see [`validate`].
pub fn parse(jql: &str) -> Result<Query, JqlError> {
    parser::parse_query(jql)
}

/// Parses and checks JQL the way any Jira site would, without site data: operators each system
/// field supports, operand shapes (`IN` needs a list), function names and arities, and date
/// formats. Unknown field names are assumed to be custom fields, and valid JQL this crate cannot
/// evaluate (`WAS`, `membersOf()`) is accepted. Use it before sending JQL to a real Jira.
pub fn validate(jql: &str) -> Result<Query, JqlError> {
    let query = parse(jql)?;
    let ctx = StaticContext::offline();
    compile::Compiler::new(&ctx, compile::Mode::Validate).query(&query)?;
    Ok(query)
}

impl Query {
    /// Resolves the query against a site and user: field names, functions, relative dates (at
    /// `ctx.now()`), custom field names, and Jira's checks that named values exist.
    pub fn compile<C: EvalContext + ?Sized>(&self, ctx: &C) -> Result<CompiledQuery, JqlError> {
        compile::Compiler::new(ctx, compile::Mode::Evaluate).query(self)
    }

    /// True if the query has no condition (empty, or only `ORDER BY`), which Jira's search API
    /// rejects as unbounded.
    pub fn is_unbounded(&self) -> bool {
        self.clause.is_none()
    }
}

/// Parses and compiles in one step.
pub fn compile<C: EvalContext + ?Sized>(jql: &str, ctx: &C) -> Result<CompiledQuery, JqlError> {
    parse(jql)?.compile(ctx)
}
