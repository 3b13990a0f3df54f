//! Compiling a [`Query`] against an [`EvalContext`]: field names become [`FieldRef`]s, values are
//! parsed once into every form a comparison may need (lower-case text, number, id, date span,
//! issue key, rank, sprint ids), functions and relative dates are resolved against the
//! context's clock, and every rule Jira enforces on operators and operands is checked.
//!
//! The same walk serves [`crate::validate`] in a lenient mode: unknown field names are taken to
//! be custom fields and valid-but-unevaluable JQL (`WAS`, `membersOf()`) is accepted.

use chrono::{DateTime, FixedOffset, Utc};

use crate::ast::{Clause, Field, Operand, Operator, Query, SortDirection, Terminal};
use crate::context::EvalContext;
use crate::datetime::{DateSpan, parse_date_literal};
use crate::error::JqlError;
use crate::field::FieldRef;
use crate::functions::{JqlFunction, arity_message};
use crate::text::{TextQuery, TextQueryError};

/// A query ready to run: matches issues and orders them. Build it with [`Query::compile`].
#[derive(Debug, Clone)]
pub struct CompiledQuery {
    pub(crate) filter: Option<Node>,
    pub(crate) order: Vec<(FieldRef, SortDirection)>,
}

/// A compiled condition.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Test(Test),
}

/// One compiled `field operator operand` test.
#[derive(Debug, Clone)]
pub(crate) struct Test {
    pub fields: Fields,
    pub check: Check,
}

/// Which fields a test reads.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Fields {
    One(FieldRef),
    /// The `text` pseudo-field: summary, description, environment and comments.
    AllText,
}

/// The fields `text ~` searches.
pub(crate) const TEXT_FIELDS: [FieldRef; 4] = [
    FieldRef::Summary,
    FieldRef::Description,
    FieldRef::Environment,
    FieldRef::Comment,
];

/// What a test checks.
#[derive(Debug, Clone)]
pub(crate) enum Check {
    /// `IS EMPTY` (`negate: false`) or `IS NOT EMPTY`.
    Empty { negate: bool },
    /// `=` / `IN` (`negate: false`) or `!=` / `NOT IN`. `include_empty` when `EMPTY` is one of
    /// the values. Negated tests never match empty fields.
    Equals {
        literals: Vec<Literal>,
        include_empty: bool,
        negate: bool,
    },
    /// `<`, `<=`, `>`, `>=`.
    Range {
        operator: RangeOperator,
        literal: Box<Literal>,
    },
    /// `~` (`negate: false`) or `!~`. Negated tests never match empty fields.
    Text { query: TextQuery, negate: bool },
    /// A test that never holds: what validation compiles clauses to that it accepts but
    /// cannot evaluate (`WAS`, `membersOf()`); such a query is never run.
    Nothing,
}

/// A range comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RangeOperator {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// A value to compare with, resolved at compile time.
#[derive(Debug, Clone)]
pub(crate) enum Literal {
    /// A value written in the query.
    Value(ValueLiteral),
    /// `currentUser()`: the account id, or `None` when anonymous (matches nobody).
    CurrentUser(Option<String>),
    /// `openSprints()` and friends.
    SprintIds(Vec<u64>),
    /// A date function's result.
    Date(DateSpan),
}

/// A written value in every form a comparison may need.
#[derive(Debug, Clone)]
pub(crate) struct ValueLiteral {
    /// As written.
    pub raw: String,
    /// Lower-cased, for case-insensitive comparison with names, keys and labels.
    pub lower: String,
    /// Other lower-case spellings that mean the same (status category keys and ids).
    pub aliases: Vec<String>,
    /// As a number, if it is one.
    pub number: Option<f64>,
    /// As a numeric id, if it is one.
    pub id: Option<u64>,
    /// As a date, for date fields (and custom fields, where it parses).
    pub date: Option<DateSpan>,
    /// As an issue key: lower-case project key and issue number.
    pub issue_key: Option<(String, u64)>,
    /// Its rank in the field's order, for `priority >= High`.
    pub rank: Option<i64>,
    /// Sprint ids with this name, for sprint fields.
    pub sprint_ids: Vec<u64>,
}

/// How strictly to compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// For evaluation: everything must resolve and be evaluable.
    Evaluate,
    /// For validation without site data: unknown names are custom fields, and valid JQL this
    /// crate cannot evaluate is accepted.
    Validate,
}

/// The families of fields that share operator rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// summary, description, environment, comment, and the `text` pseudo-field.
    Text,
    /// labels, components.
    Multi,
    /// fixVersion, affectedVersion.
    Version,
    /// project, issuetype, status, statusCategory, resolution.
    Entity,
    Priority,
    User,
    IssueKey,
    Parent,
    DateTime,
    Date,
    Sprint,
    Custom,
}

fn kind_of(fields: Fields) -> Kind {
    let field = match fields {
        Fields::AllText => return Kind::Text,
        Fields::One(field) => field,
    };
    match field {
        FieldRef::Summary | FieldRef::Description | FieldRef::Environment | FieldRef::Comment => {
            Kind::Text
        }
        FieldRef::Labels | FieldRef::Component => Kind::Multi,
        FieldRef::FixVersion | FieldRef::AffectedVersion => Kind::Version,
        FieldRef::Project
        | FieldRef::IssueType
        | FieldRef::Status
        | FieldRef::StatusCategory
        | FieldRef::Resolution => Kind::Entity,
        FieldRef::Priority => Kind::Priority,
        FieldRef::Assignee | FieldRef::Reporter | FieldRef::Creator => Kind::User,
        FieldRef::IssueKey => Kind::IssueKey,
        FieldRef::Parent => Kind::Parent,
        FieldRef::Created | FieldRef::Updated | FieldRef::Resolved => Kind::DateTime,
        FieldRef::DueDate => Kind::Date,
        FieldRef::Sprint => Kind::Sprint,
        FieldRef::Custom(_) => Kind::Custom,
    }
}

/// Whether Jira supports `operator` on fields of `kind` (`field` refines history support).
fn supports(kind: Kind, fields: Fields, operator: Operator) -> bool {
    use Operator::*;
    if operator.is_history() {
        // Jira records history for these fields only.
        return matches!(
            fields,
            Fields::One(
                FieldRef::Assignee
                    | FieldRef::Reporter
                    | FieldRef::Status
                    | FieldRef::Resolution
                    | FieldRef::Priority
                    | FieldRef::FixVersion
                    | FieldRef::Custom(_)
            )
        );
    }
    let equality = matches!(operator, Equals | NotEquals | In | NotIn);
    let emptiness = matches!(operator, Is | IsNot);
    let range = matches!(operator, Less | LessOrEqual | Greater | GreaterOrEqual);
    let text = matches!(operator, Like | NotLike);
    match kind {
        Kind::Text => text || (emptiness && !matches!(fields, Fields::AllText)),
        Kind::Multi | Kind::Entity | Kind::User | Kind::Parent | Kind::Sprint => {
            equality || emptiness
        }
        Kind::Version | Kind::Priority | Kind::DateTime | Kind::Date => {
            equality || emptiness || range
        }
        Kind::IssueKey => equality || range,
        Kind::Custom => true,
    }
}

/// The name of the field as the user wrote it, for messages.
fn written_name(field: &Field) -> String {
    match field {
        Field::Name(name) => name.clone(),
        Field::CustomId(id) => format!("cf[{id}]"),
    }
}

/// Lower-case operator spelling used in Jira's operand messages.
fn operator_word(operator: Operator) -> String {
    operator.as_str().to_lowercase()
}

/// One compilation: the context, how strict to be, and the clock read once so every date in
/// the query is relative to the same instant.
pub(crate) struct Compiler<'c, C: EvalContext + ?Sized> {
    ctx: &'c C,
    mode: Mode,
    now: DateTime<Utc>,
    zone: FixedOffset,
}

impl<'c, C: EvalContext + ?Sized> Compiler<'c, C> {
    pub fn new(ctx: &'c C, mode: Mode) -> Self {
        Compiler {
            ctx,
            mode,
            now: ctx.now(),
            zone: ctx.time_zone(),
        }
    }

    pub fn query(&self, query: &Query) -> Result<CompiledQuery, JqlError> {
        let filter = query
            .clause
            .as_ref()
            .map(|clause| self.clause(clause))
            .transpose()?;
        let mut order = Vec::with_capacity(query.order_by.len());
        for entry in &query.order_by {
            let fields = self.resolve_field(&entry.field)?;
            let field = match fields {
                Fields::One(FieldRef::Description | FieldRef::Environment | FieldRef::Comment)
                | Fields::AllText => {
                    return Err(JqlError::NotSortable {
                        field: written_name(&entry.field),
                    });
                }
                Fields::One(field) => field,
            };
            order.push((field, entry.direction.unwrap_or(SortDirection::Asc)));
        }
        Ok(CompiledQuery { filter, order })
    }

    fn clause(&self, clause: &Clause) -> Result<Node, JqlError> {
        Ok(match clause {
            Clause::And(children) => Node::And(
                children
                    .iter()
                    .map(|c| self.clause(c))
                    .collect::<Result<_, _>>()?,
            ),
            Clause::Or(children) => Node::Or(
                children
                    .iter()
                    .map(|c| self.clause(c))
                    .collect::<Result<_, _>>()?,
            ),
            Clause::Not(inner) => Node::Not(Box::new(self.clause(inner)?)),
            Clause::Terminal(terminal) => Node::Test(self.terminal(terminal)?),
        })
    }

    fn resolve_field(&self, field: &Field) -> Result<Fields, JqlError> {
        match field {
            Field::Name(name) => {
                if name.trim().eq_ignore_ascii_case("text") {
                    return Ok(Fields::AllText);
                }
                if let Some(field) = FieldRef::system(name) {
                    return Ok(Fields::One(field));
                }
                if let Some(id) = self.ctx.custom_field_id(name.trim()) {
                    return Ok(Fields::One(FieldRef::Custom(id)));
                }
                match self.mode {
                    // Any other name may be a custom field on the real site.
                    Mode::Validate => Ok(Fields::One(FieldRef::Custom(0))),
                    Mode::Evaluate => Err(JqlError::UnknownField {
                        field: name.clone(),
                    }),
                }
            }
            Field::CustomId(id) => {
                if self.mode == Mode::Validate || self.ctx.custom_field_exists(*id) {
                    Ok(Fields::One(FieldRef::Custom(*id)))
                } else {
                    Err(JqlError::UnknownField {
                        field: written_name(field),
                    })
                }
            }
        }
    }

    fn unsupported(&self, what: String) -> Result<Test, JqlError> {
        match self.mode {
            Mode::Evaluate => Err(JqlError::Unsupported { what }),
            Mode::Validate => Ok(Test {
                fields: Fields::AllText,
                check: Check::Nothing,
            }),
        }
    }

    fn terminal(&self, terminal: &Terminal) -> Result<Test, JqlError> {
        let name = written_name(&terminal.field);
        let fields = self.resolve_field(&terminal.field)?;
        let kind = kind_of(fields);
        let operator = terminal.operator;
        if !supports(kind, fields, operator) {
            return Err(JqlError::UnsupportedOperator {
                field: name,
                operator: operator.as_str().to_string(),
            });
        }
        // Operand shape and functions are checked before deciding evaluability, so validation
        // reports them too.
        if let Some(operand) = &terminal.operand {
            self.check_operand_shape(&name, operator, operand)?;
            self.check_functions(&name, kind, operand)?;
        }
        for predicate in &terminal.predicates {
            self.check_functions(&name, Kind::Custom, &predicate.operand)?;
        }
        if operator.is_history() {
            return self.unsupported(format!("The operator '{}'", operator.as_str()));
        }
        if kind == Kind::Version
            && !matches!(
                operator,
                Operator::Is
                    | Operator::IsNot
                    | Operator::Equals
                    | Operator::NotEquals
                    | Operator::In
                    | Operator::NotIn
            )
        {
            return self.unsupported(format!(
                "Comparing versions of '{name}' with '{}'",
                operator.as_str()
            ));
        }
        let Some(operand) = terminal.operand.as_ref() else {
            // Only CHANGED has no operand, and it is handled above.
            return self.unsupported(format!("'{}' without a value", operator.as_str()));
        };
        if self.mode == Mode::Validate && operand_uses_unevaluated_function(operand) {
            return Ok(Test {
                fields,
                check: Check::Nothing,
            });
        }
        let check = match operator {
            Operator::Is => Check::Empty { negate: false },
            Operator::IsNot => Check::Empty { negate: true },
            Operator::Like | Operator::NotLike => {
                let negate = operator == Operator::NotLike;
                match operand {
                    Operand::Empty => Check::Empty { negate },
                    Operand::String(text) => self.text_check(&name, text, negate)?,
                    Operand::Number(number) => {
                        self.text_check(&name, &number.to_string(), negate)?
                    }
                    Operand::Function(call) => {
                        return Err(JqlError::FunctionNotApplicable {
                            name: call.name.clone(),
                            field: name,
                        });
                    }
                    Operand::List(_) => unreachable!("rejected by check_operand_shape"),
                }
            }
            Operator::Equals | Operator::NotEquals | Operator::In | Operator::NotIn => {
                let negate = matches!(operator, Operator::NotEquals | Operator::NotIn);
                let items: &[Operand] = match operand {
                    Operand::List(items) => items,
                    single => std::slice::from_ref(single),
                };
                let mut literals = Vec::with_capacity(items.len());
                let mut include_empty = false;
                for item in items {
                    match item {
                        Operand::Empty => include_empty = true,
                        // Jira's `resolution = Unresolved` means no resolution.
                        Operand::String(text)
                            if matches!(fields, Fields::One(FieldRef::Resolution))
                                && text.trim().eq_ignore_ascii_case("unresolved") =>
                        {
                            include_empty = true;
                        }
                        other => literals.push(self.literal(&name, fields, kind, other, true)?),
                    }
                }
                Check::Equals {
                    literals,
                    include_empty,
                    negate,
                }
            }
            Operator::Less
            | Operator::LessOrEqual
            | Operator::Greater
            | Operator::GreaterOrEqual => {
                let range = match operator {
                    Operator::Less => RangeOperator::Less,
                    Operator::LessOrEqual => RangeOperator::LessOrEqual,
                    Operator::Greater => RangeOperator::Greater,
                    _ => RangeOperator::GreaterOrEqual,
                };
                let literal = self.literal(&name, fields, kind, operand, false)?;
                self.check_range_literal(&name, kind, operator, operand, &literal)?;
                Check::Range {
                    operator: range,
                    literal: Box::new(literal),
                }
            }
            Operator::Was
            | Operator::WasNot
            | Operator::WasIn
            | Operator::WasNotIn
            | Operator::Changed => {
                unreachable!("history operators returned above")
            }
        };
        Ok(Test { fields, check })
    }

    fn text_check(&self, name: &str, text: &str, negate: bool) -> Result<Check, JqlError> {
        if text.trim().is_empty() {
            return Err(JqlError::EmptyTextQuery {
                field: name.to_string(),
            });
        }
        match TextQuery::parse(text) {
            Ok(query) => Ok(Check::Text { query, negate }),
            Err(TextQueryError::LeadingWildcard) => Err(JqlError::LeadingWildcard {
                field: name.to_string(),
                value: text.to_string(),
            }),
        }
    }

    fn check_operand_shape(
        &self,
        name: &str,
        operator: Operator,
        operand: &Operand,
    ) -> Result<(), JqlError> {
        let list_operator = matches!(
            operator,
            Operator::In | Operator::NotIn | Operator::WasIn | Operator::WasNotIn
        );
        let error = |what: String| JqlError::OperandNotSupported {
            operator: operator_word(operator),
            what,
            field: name.to_string(),
        };
        match operand {
            Operand::List(_) if !list_operator => Err(error(format!("the list value '{operand}'"))),
            Operand::String(_) | Operand::Number(_) | Operand::Empty if list_operator => {
                Err(error(format!("the non-list value '{operand}'")))
            }
            Operand::Empty
                if matches!(
                    operator,
                    Operator::Less
                        | Operator::LessOrEqual
                        | Operator::Greater
                        | Operator::GreaterOrEqual
                ) =>
            {
                Err(error("searching for EMPTY values".to_string()))
            }
            _ => Ok(()),
        }
    }

    /// Checks every function in `operand`: known to Jira, right arity, applicable to the field.
    fn check_functions(&self, name: &str, kind: Kind, operand: &Operand) -> Result<(), JqlError> {
        match operand {
            Operand::List(items) => items
                .iter()
                .try_for_each(|item| self.check_functions(name, kind, item)),
            Operand::Function(call) => {
                let function = JqlFunction::from_name(&call.name).ok_or_else(|| {
                    JqlError::UnknownFunction {
                        name: call.name.clone(),
                    }
                })?;
                if let Some(max) = function.max_args()
                    && call.args.len() > max
                {
                    return Err(JqlError::InvalidFunctionArguments {
                        name: call.name.clone(),
                        message: arity_message(&call.name, max, call.args.len()),
                    });
                }
                let applicable = match function {
                    JqlFunction::CurrentUser => matches!(kind, Kind::User | Kind::Custom),
                    JqlFunction::Date(_) => {
                        matches!(kind, Kind::DateTime | Kind::Date | Kind::Custom)
                    }
                    JqlFunction::Sprints(_) => matches!(kind, Kind::Sprint | Kind::Custom),
                    JqlFunction::Unevaluated => true,
                };
                if !applicable {
                    return Err(JqlError::FunctionNotApplicable {
                        name: call.name.clone(),
                        field: name.to_string(),
                    });
                }
                if let JqlFunction::Date(date) = function
                    && let Some(arg) = call.args.first()
                    && date.increment(arg).is_none()
                {
                    return Err(JqlError::InvalidFunctionArguments {
                        name: call.name.clone(),
                        message: format!(
                            "The argument '{arg}' of function '{}' is not a valid date increment, e.g. '-1d' or '+2w'.",
                            call.name
                        ),
                    });
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Resolves one operand (not a list, not EMPTY) to a literal. `equality` says whether the
    /// literal will be tested for equality, where Jira checks that the value exists.
    fn literal(
        &self,
        name: &str,
        fields: Fields,
        kind: Kind,
        operand: &Operand,
        equality: bool,
    ) -> Result<Literal, JqlError> {
        let field = match fields {
            Fields::One(field) => field,
            Fields::AllText => unreachable!("text only supports ~"),
        };
        let raw = match operand {
            Operand::String(text) => text.clone(),
            Operand::Number(number) => number.to_string(),
            Operand::Function(call) => return self.function_literal(name, call),
            Operand::Empty | Operand::List(_) => unreachable!("handled by the caller"),
        };
        if equality {
            self.check_exists(name, field, kind, &raw)?;
        }
        let lower = raw.to_lowercase();
        let trimmed = raw.trim();
        let mut literal = ValueLiteral {
            number: trimmed.parse::<f64>().ok().filter(|n| n.is_finite()),
            id: trimmed.parse::<u64>().ok(),
            aliases: Vec::new(),
            date: None,
            issue_key: None,
            rank: None,
            sprint_ids: Vec::new(),
            lower,
            raw,
        };
        match kind {
            Kind::DateTime | Kind::Date => {
                literal.date = parse_date_literal(&literal.raw, self.now, self.zone);
                if literal.date.is_none() {
                    return Err(JqlError::InvalidDate {
                        field: name.to_string(),
                        value: literal.raw,
                    });
                }
            }
            Kind::IssueKey | Kind::Parent => literal.issue_key = parse_issue_key(&literal.lower),
            Kind::Priority => literal.rank = self.ctx.rank_of(field, &literal.raw),
            Kind::Sprint if literal.id.is_none() => {
                literal.sprint_ids = self.ctx.sprint_ids_named(&literal.raw)
            }
            Kind::Entity if field == FieldRef::StatusCategory => {
                let Some((canonical, aliases)) = status_category(&literal.lower) else {
                    return Err(JqlError::UnknownValue {
                        field: name.to_string(),
                        value: literal.raw,
                    });
                };
                literal.lower = canonical.to_string();
                literal.aliases = aliases.iter().map(|alias| alias.to_string()).collect();
            }
            Kind::Custom => {
                literal.date = parse_date_literal(&literal.raw, self.now, self.zone);
                literal.issue_key = parse_issue_key(&literal.lower);
                literal.rank = self.ctx.rank_of(field, &literal.raw);
                if literal.id.is_none() {
                    literal.sprint_ids = self.ctx.sprint_ids_named(&literal.raw);
                }
            }
            _ => {}
        }
        Ok(Literal::Value(literal))
    }

    /// Jira's existence check for values of fields with a fixed set of values.
    fn check_exists(
        &self,
        name: &str,
        field: FieldRef,
        kind: Kind,
        raw: &str,
    ) -> Result<(), JqlError> {
        let checked = matches!(
            kind,
            Kind::Entity
                | Kind::Priority
                | Kind::User
                | Kind::IssueKey
                | Kind::Parent
                | Kind::Sprint
        ) && field != FieldRef::StatusCategory;
        if !checked || self.ctx.value_exists(field, raw) {
            return Ok(());
        }
        if matches!(kind, Kind::IssueKey | Kind::Parent) {
            return Err(JqlError::UnknownIssue {
                field: name.to_string(),
                key: raw.to_string(),
            });
        }
        Err(JqlError::UnknownValue {
            field: name.to_string(),
            value: raw.to_string(),
        })
    }

    fn function_literal(
        &self,
        name: &str,
        call: &crate::ast::FunctionCall,
    ) -> Result<Literal, JqlError> {
        let function =
            JqlFunction::from_name(&call.name).ok_or_else(|| JqlError::UnknownFunction {
                name: call.name.clone(),
            })?;
        Ok(match function {
            JqlFunction::CurrentUser => {
                Literal::CurrentUser(self.ctx.current_user().map(str::to_string))
            }
            JqlFunction::Sprints(state) => Literal::SprintIds(self.ctx.sprint_ids(state)),
            JqlFunction::Date(date) => {
                let increment = call.args.first().and_then(|arg| date.increment(arg));
                let span = date
                    .evaluate(increment, self.now, self.zone, self.ctx.week_start())
                    .ok_or_else(|| JqlError::FunctionNotApplicable {
                        name: call.name.clone(),
                        field: name.to_string(),
                    })?;
                Literal::Date(span)
            }
            JqlFunction::Unevaluated => {
                return Err(JqlError::Unsupported {
                    what: format!("The function '{}()'", call.name),
                });
            }
        })
    }

    /// Range comparisons need a value that orders: a key, a ranked priority, a number or a date.
    fn check_range_literal(
        &self,
        name: &str,
        kind: Kind,
        operator: Operator,
        operand: &Operand,
        literal: &Literal,
    ) -> Result<(), JqlError> {
        let Literal::Value(value) = literal else {
            return Ok(());
        };
        match kind {
            Kind::IssueKey if value.issue_key.is_none() && value.id.is_none() => {
                Err(JqlError::InvalidValue {
                    field: name.to_string(),
                    value: operand.to_string(),
                })
            }
            // Priority order is site data; without it only evaluation is impossible.
            Kind::Priority if value.rank.is_none() && self.mode == Mode::Evaluate => {
                Err(JqlError::Unsupported {
                    what: format!(
                        "Comparing '{name}' with '{}' without a configured order for '{}'",
                        operator.as_str(),
                        value.raw
                    ),
                })
            }
            _ => Ok(()),
        }
    }
}

/// Whether the operand calls a function this crate cannot evaluate.
fn operand_uses_unevaluated_function(operand: &Operand) -> bool {
    match operand {
        Operand::List(items) => items.iter().any(operand_uses_unevaluated_function),
        Operand::Function(call) => {
            JqlFunction::from_name(&call.name) == Some(JqlFunction::Unevaluated)
        }
        _ => false,
    }
}

/// Splits a lower-case issue key `demo-12` into `("demo", 12)`.
pub(crate) fn parse_issue_key(lower: &str) -> Option<(String, u64)> {
    let (project, number) = lower.trim().rsplit_once('-')?;
    let valid_project = !project.is_empty()
        && project.chars().next().is_some_and(char::is_alphabetic)
        && project.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !valid_project || number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((project.to_string(), number.parse().ok()?))
}

/// The canonical lower-case name and the other spellings of a status category.
fn status_category(lower: &str) -> Option<(&'static str, &'static [&'static str])> {
    const CATEGORIES: [(&str, &[&str]); 4] = [
        ("to do", &["new", "2"]),
        ("in progress", &["indeterminate", "4"]),
        ("done", &["3"]),
        ("no category", &["undefined", "1"]),
    ];
    let lower = lower.trim();
    CATEGORIES
        .into_iter()
        .find(|(name, aliases)| *name == lower || aliases.contains(&lower))
}
