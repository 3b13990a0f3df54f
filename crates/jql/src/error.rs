//! [`JqlError`]: why a query was rejected, worded like Jira's own 400 `errorMessages` so an
//! emulator can return `error.to_string()` verbatim.

use std::fmt;

/// Where in the query text an error was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line number.
    pub line: usize,
    /// 1-based character (not byte) within the line.
    pub character: usize,
    /// 0-based byte offset into the query.
    pub offset: usize,
}

impl Position {
    /// The position of byte `offset` in `query`.
    pub(crate) fn in_query(query: &str, offset: usize) -> Position {
        let before = &query[..offset.min(query.len())];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |index| index + 1);
        let character = before[line_start..].chars().count() + 1;
        Position {
            line,
            character,
            offset,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(line {}, character {})", self.line, self.character)
    }
}

/// A rejected query. Variants say what the user must fix; `Display` gives Jira's wording.
///
/// Syntax errors come from [`crate::parse`]; the others from [`crate::validate`] (field and
/// operator rules that hold on every Jira site) or [`crate::Query::compile`] (rules that depend
/// on the site's data, such as which projects exist).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JqlError {
    /// The text is not valid JQL.
    #[error("Error in the JQL Query: {message}{}", position.map(|p| format!(" {p}")).unwrap_or_default())]
    Syntax {
        /// What was expected and what was found.
        message: String,
        /// Where, if the error is not at the end of the query.
        position: Option<Position>,
    },
    /// A field name that neither is a system field nor names a custom field.
    #[error("Field '{field}' does not exist or you do not have permission to view it.")]
    UnknownField {
        /// The field as written.
        field: String,
    },
    /// A value that does not exist for its field (a missing project, status, user…).
    #[error("The value '{value}' does not exist for the field '{field}'.")]
    UnknownValue {
        /// The field as written.
        field: String,
        /// The value as written.
        value: String,
    },
    /// An issue key that does not exist.
    #[error("An issue with key '{key}' does not exist for field '{field}'.")]
    UnknownIssue {
        /// The field as written.
        field: String,
        /// The key as written.
        key: String,
    },
    /// An operator the field does not support (`project ~ x`, `summary = x`).
    #[error("The operator '{operator}' is not supported by the '{field}' field.")]
    UnsupportedOperator {
        /// The field as written.
        field: String,
        /// The operator as JQL writes it.
        operator: String,
    },
    /// A function Jira does not know.
    #[error("Unable to find JQL function '{name}()'.")]
    UnknownFunction {
        /// The function name as written.
        name: String,
    },
    /// A function called with arguments it cannot take.
    #[error("{message}")]
    InvalidFunctionArguments {
        /// The function name as written.
        name: String,
        /// Jira's wording of the problem.
        message: String,
    },
    /// A function used with a field it does not apply to (`project = now()`).
    #[error("A value provided by the function '{name}' is invalid for the field '{field}'.")]
    FunctionNotApplicable {
        /// The function name as written.
        name: String,
        /// The field as written.
        field: String,
    },
    /// An operand of the wrong shape for its operator: a list after `=`, a single value after
    /// `IN`, `EMPTY` after `<`.
    #[error("Operator '{operator}' does not support {what} for field '{field}'.")]
    OperandNotSupported {
        /// The operator, lower-case as Jira writes it in this message.
        operator: String,
        /// What was given, e.g. `the list value '(a, b)'`.
        what: String,
        /// The field as written.
        field: String,
    },
    /// A text query Jira's index refuses, such as one starting with a wildcard.
    #[error(
        "The text query '{value}' for field '{field}' is not allowed to start with a wildcard."
    )]
    LeadingWildcard {
        /// The field as written.
        field: String,
        /// The value as written.
        value: String,
    },
    /// `summary ~ ""`: a text search for nothing.
    #[error("The field '{field}' does not support searching for an empty string.")]
    EmptyTextQuery {
        /// The field as written.
        field: String,
    },
    /// `ORDER BY` on a field that cannot be sorted (`description`, `comment`, `text`).
    #[error("Field '{field}' does not support sorting.")]
    NotSortable {
        /// The field as written.
        field: String,
    },
    /// A date literal in none of JQL's formats.
    #[error(
        "Date value '{value}' for field '{field}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."
    )]
    InvalidDate {
        /// The field as written.
        field: String,
        /// The value as written.
        value: String,
    },
    /// A value of the wrong type for its field (text for a number field).
    #[error("The value '{value}' is invalid for the field '{field}'.")]
    InvalidValue {
        /// The field as written.
        field: String,
        /// The value as written.
        value: String,
    },
    /// Valid JQL that this evaluator cannot run (history operators such as `WAS`, functions
    /// that need data it does not have). Jira would accept it; an emulator answers 400.
    #[error("{what} is not supported by this JQL implementation.")]
    Unsupported {
        /// What is not supported, e.g. `The operator 'WAS'`.
        what: String,
    },
}

impl JqlError {
    pub(crate) fn syntax(
        message: impl Into<String>,
        query: &str,
        offset: Option<usize>,
    ) -> JqlError {
        JqlError::Syntax {
            message: message.into(),
            position: offset.map(|offset| Position::in_query(query, offset)),
        }
    }

    /// True for errors in the text itself, as opposed to its meaning on a site.
    pub fn is_syntax(&self) -> bool {
        matches!(self, JqlError::Syntax { .. })
    }
}
