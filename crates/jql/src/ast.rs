//! The syntax tree of a JQL query and its canonical text form.
//!
//! `Display` re-emits valid JQL that parses back to the same tree: keywords upper-case, values
//! and field names quoted only when they must be, nested AND/OR groups parenthesised. The tree
//! keeps field names and values as written; meaning is given to them by
//! [`Query::compile`](crate::Query::compile).

use std::fmt;

use crate::lexer::{is_control_char, is_unquoted_char};

/// A parsed query: an optional condition and an optional sort.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The condition; `None` for an empty query or one with only `ORDER BY` (an unbounded
    /// query, which Jira's search API rejects).
    pub clause: Option<Clause>,
    /// The `ORDER BY` list, in order of significance.
    pub order_by: Vec<OrderBy>,
}

/// A condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    /// All of two or more clauses.
    And(Vec<Clause>),
    /// Any of two or more clauses.
    Or(Vec<Clause>),
    /// The negation of a clause (`NOT` or `!`).
    Not(Box<Clause>),
    /// A single `field operator operand` test.
    Terminal(Terminal),
}

/// A `field operator operand` test, with history predicates for `WAS` and `CHANGED`.
#[derive(Debug, Clone, PartialEq)]
pub struct Terminal {
    /// The field as written.
    pub field: Field,
    /// The operator.
    pub operator: Operator,
    /// The operand; `None` only for `CHANGED`.
    pub operand: Option<Operand>,
    /// `AFTER`, `BEFORE`, `ON`, `DURING`, `BY`, `FROM`, `TO` predicates of `WAS` / `CHANGED`.
    pub predicates: Vec<Predicate>,
}

/// A field as written in a query.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Field {
    /// A name, quoted or not: `status`, `"Story Points"`.
    Name(String),
    /// A custom field by id: `cf[10016]`.
    CustomId(u64),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `=`
    Equals,
    /// `!=`
    NotEquals,
    /// `~` (text contains)
    Like,
    /// `!~` (text does not contain)
    NotLike,
    /// `<`
    Less,
    /// `>`
    Greater,
    /// `<=`
    LessOrEqual,
    /// `>=`
    GreaterOrEqual,
    /// `IN`
    In,
    /// `NOT IN`
    NotIn,
    /// `IS`
    Is,
    /// `IS NOT`
    IsNot,
    /// `WAS`
    Was,
    /// `WAS NOT`
    WasNot,
    /// `WAS IN`
    WasIn,
    /// `WAS NOT IN`
    WasNotIn,
    /// `CHANGED`
    Changed,
}

impl Operator {
    /// The operator as JQL writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Equals => "=",
            Operator::NotEquals => "!=",
            Operator::Like => "~",
            Operator::NotLike => "!~",
            Operator::Less => "<",
            Operator::Greater => ">",
            Operator::LessOrEqual => "<=",
            Operator::GreaterOrEqual => ">=",
            Operator::In => "IN",
            Operator::NotIn => "NOT IN",
            Operator::Is => "IS",
            Operator::IsNot => "IS NOT",
            Operator::Was => "WAS",
            Operator::WasNot => "WAS NOT",
            Operator::WasIn => "WAS IN",
            Operator::WasNotIn => "WAS NOT IN",
            Operator::Changed => "CHANGED",
        }
    }

    /// True for the history operators (`WAS…`, `CHANGED`), which take predicates.
    pub fn is_history(self) -> bool {
        matches!(
            self,
            Operator::Was
                | Operator::WasNot
                | Operator::WasIn
                | Operator::WasNotIn
                | Operator::Changed
        )
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The right-hand side of a test.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// `EMPTY` or `NULL`.
    Empty,
    /// A string, quoted or not (`Done`, `"In Progress"`, `-7d`, `DEMO-5`).
    String(String),
    /// An unquoted integer (`10000`, `-3`).
    Number(i64),
    /// A parenthesised list: `(a, "b", currentUser())`.
    List(Vec<Operand>),
    /// A function call: `currentUser()`, `startOfDay(-1d)`.
    Function(FunctionCall),
}

/// A function call in a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionCall {
    /// The name as written (matched case-insensitively).
    pub name: String,
    /// The arguments, which JQL treats as strings.
    pub args: Vec<String>,
}

/// A history predicate: `AFTER "2026-01-01"`, `BY currentUser()`, `DURING (a, b)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Predicate {
    /// Which predicate.
    pub kind: PredicateKind,
    /// Its operand.
    pub operand: Operand,
}

/// The history predicate keywords.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PredicateKind {
    /// `AFTER`
    After,
    /// `BEFORE`
    Before,
    /// `ON`
    On,
    /// `DURING`
    During,
    /// `BY`
    By,
    /// `FROM`
    From,
    /// `TO`
    To,
}

impl PredicateKind {
    /// The keyword as JQL writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            PredicateKind::After => "AFTER",
            PredicateKind::Before => "BEFORE",
            PredicateKind::On => "ON",
            PredicateKind::During => "DURING",
            PredicateKind::By => "BY",
            PredicateKind::From => "FROM",
            PredicateKind::To => "TO",
        }
    }

    /// The predicate for a keyword (case-insensitive).
    pub(crate) fn from_word(word: &str) -> Option<PredicateKind> {
        let kind = match word.to_ascii_lowercase().as_str() {
            "after" => PredicateKind::After,
            "before" => PredicateKind::Before,
            "on" => PredicateKind::On,
            "during" => PredicateKind::During,
            "by" => PredicateKind::By,
            "from" => PredicateKind::From,
            "to" => PredicateKind::To,
            _ => return None,
        };
        Some(kind)
    }
}

/// One `ORDER BY` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderBy {
    /// The field to sort by.
    pub field: Field,
    /// The direction if written; `None` sorts ascending.
    pub direction: Option<SortDirection>,
}

/// A sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortDirection {
    /// Ascending (`ASC`), the default.
    Asc,
    /// Descending (`DESC`).
    Desc,
}

/// Words with a grammatical role in JQL; as values or field names they must be quoted.
pub(crate) const KEYWORDS: &[&str] = &[
    "and", "or", "not", "empty", "null", "in", "is", "was", "changed", "order", "by", "asc",
    "desc", "before", "after", "from", "to", "on", "during", "cf",
];

/// Words Jira reserves for future use; as values or field names they must be quoted.
pub(crate) const RESERVED_WORDS: &[&str] = &[
    "abort",
    "access",
    "add",
    "alias",
    "alter",
    "any",
    "as",
    "audit",
    "avg",
    "begin",
    "between",
    "boolean",
    "break",
    "byte",
    "catch",
    "char",
    "character",
    "check",
    "checkpoint",
    "collate",
    "collation",
    "column",
    "commit",
    "connect",
    "continue",
    "count",
    "create",
    "current",
    "date",
    "decimal",
    "declare",
    "decrement",
    "default",
    "defaults",
    "define",
    "delete",
    "delimiter",
    "difference",
    "distinct",
    "divide",
    "do",
    "double",
    "drop",
    "else",
    "encoding",
    "end",
    "equals",
    "escape",
    "exclusive",
    "exec",
    "execute",
    "exists",
    "explain",
    "false",
    "fetch",
    "file",
    "field",
    "first",
    "float",
    "for",
    "function",
    "go",
    "goto",
    "grant",
    "greater",
    "group",
    "having",
    "identified",
    "if",
    "immediate",
    "increment",
    "index",
    "initial",
    "inner",
    "inout",
    "input",
    "insert",
    "int",
    "integer",
    "intersect",
    "intersection",
    "into",
    "isempty",
    "isnull",
    "join",
    "last",
    "left",
    "less",
    "like",
    "limit",
    "lock",
    "long",
    "max",
    "min",
    "minus",
    "mode",
    "modify",
    "modulo",
    "more",
    "multiply",
    "next",
    "noaudit",
    "notin",
    "nowait",
    "number",
    "object",
    "of",
    "option",
    "outer",
    "output",
    "power",
    "previous",
    "prior",
    "privileges",
    "public",
    "raise",
    "raw",
    "remainder",
    "rename",
    "resource",
    "return",
    "returns",
    "revoke",
    "right",
    "row",
    "rowid",
    "rownum",
    "rows",
    "select",
    "session",
    "set",
    "share",
    "size",
    "sqrt",
    "start",
    "strict",
    "string",
    "subtract",
    "sum",
    "synonym",
    "table",
    "then",
    "trans",
    "transaction",
    "trigger",
    "true",
    "uid",
    "union",
    "unique",
    "update",
    "user",
    "validate",
    "values",
    "view",
    "when",
    "whenever",
    "where",
    "while",
    "with",
];

/// True if `word` is a JQL keyword (case-insensitive).
pub(crate) fn is_keyword(word: &str) -> bool {
    KEYWORDS
        .iter()
        .any(|keyword| keyword.eq_ignore_ascii_case(word))
}

/// True if `word` is a reserved word (case-insensitive).
pub(crate) fn is_reserved_word(word: &str) -> bool {
    RESERVED_WORDS
        .iter()
        .any(|reserved| reserved.eq_ignore_ascii_case(word))
}

/// True if `text` reads as an integer token (`12`, `-3`) when unquoted.
pub(crate) fn looks_numeric(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// True if `text` can be written without quotes and reads back as the same string.
fn can_be_bare(text: &str) -> bool {
    !text.is_empty()
        && text.chars().all(is_unquoted_char)
        && !looks_numeric(text)
        && !is_keyword(text)
        && !is_reserved_word(text)
}

/// Writes `text` as a JQL string: bare when that is unambiguous, otherwise double-quoted.
pub(crate) fn write_string(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    if can_be_bare(text) {
        return f.write_str(text);
    }
    f.write_str("\"")?;
    for c in text.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if is_control_char(c) => write!(f, "\\u{:04x}", c as u32)?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(clause) = &self.clause {
            write!(f, "{clause}")?;
            if !self.order_by.is_empty() {
                f.write_str(" ")?;
            }
        }
        if !self.order_by.is_empty() {
            f.write_str("ORDER BY ")?;
            for (index, order) in self.order_by.iter().enumerate() {
                if index > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{}", order.field)?;
                match order.direction {
                    Some(SortDirection::Asc) => f.write_str(" ASC")?,
                    Some(SortDirection::Desc) => f.write_str(" DESC")?,
                    None => {}
                }
            }
        }
        Ok(())
    }
}

impl fmt::Display for Clause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Clause::And(children) => {
                for (index, child) in children.iter().enumerate() {
                    if index > 0 {
                        f.write_str(" AND ")?;
                    }
                    // Any compound child keeps its parentheses so the tree shape survives.
                    match child {
                        Clause::And(_) | Clause::Or(_) => write!(f, "({child})")?,
                        _ => write!(f, "{child}")?,
                    }
                }
                Ok(())
            }
            Clause::Or(children) => {
                for (index, child) in children.iter().enumerate() {
                    if index > 0 {
                        f.write_str(" OR ")?;
                    }
                    match child {
                        Clause::Or(_) => write!(f, "({child})")?,
                        _ => write!(f, "{child}")?,
                    }
                }
                Ok(())
            }
            Clause::Not(inner) => match inner.as_ref() {
                Clause::And(_) | Clause::Or(_) => write!(f, "NOT ({inner})"),
                _ => write!(f, "NOT {inner}"),
            },
            Clause::Terminal(terminal) => write!(f, "{terminal}"),
        }
    }
}

impl fmt::Display for Terminal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.operator)?;
        if let Some(operand) = &self.operand {
            write!(f, " {operand}")?;
        }
        for predicate in &self.predicates {
            write!(f, " {} {}", predicate.kind.as_str(), predicate.operand)?;
        }
        Ok(())
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Name(name) => write_string(f, name),
            Field::CustomId(id) => write!(f, "cf[{id}]"),
        }
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Empty => f.write_str("EMPTY"),
            Operand::String(text) => write_string(f, text),
            Operand::Number(number) => write!(f, "{number}"),
            Operand::List(items) => {
                f.write_str("(")?;
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str(")")
            }
            Operand::Function(call) => write!(f, "{call}"),
        }
    }
}

/// Writes `text` as one unquoted word that lexes back to the same text: a function name is
/// always a bare word (quoting it would make it a string operand), and escapes in the query may
/// have put any character into it.
fn write_word(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    for c in text.chars() {
        match c {
            c if is_unquoted_char(c) => write!(f, "{c}")?,
            '"' | '\'' | '\\' | ' ' => write!(f, "\\{c}")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            // Every other character a bare word cannot hold is in the Basic Multilingual Plane.
            c => write!(f, "\\u{:04x}", c as u32)?,
        }
    }
    Ok(())
}

impl fmt::Display for FunctionCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_word(f, &self.name)?;
        f.write_str("(")?;
        for (index, arg) in self.args.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write_string(f, arg)?;
        }
        f.write_str(")")
    }
}
