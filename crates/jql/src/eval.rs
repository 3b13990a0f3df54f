//! Running a [`CompiledQuery`]: matching issues and ordering them.
//!
//! The empty-field rules follow Jira: `!=`, `NOT IN`, `!~` and range comparisons never match an
//! issue whose field is empty; `IS EMPTY` (or `= EMPTY`, or `EMPTY` in an `IN` list) does. A
//! multi-valued field (labels, sprints) matches `=` / `IN` when any value matches and
//! `!=` / `NOT IN` when none does. `NOT (clause)` is plain negation and so does include
//! empty fields.

use std::cmp::Ordering;

use crate::ast::SortDirection;
use crate::compile::{
    Check, CompiledQuery, Fields, Literal, Node, RangeOperator, TEXT_FIELDS, Test, ValueLiteral,
};
use crate::field::{FieldRef, FieldValue, IssueValue};
use crate::issue::JqlIssue;

impl CompiledQuery {
    /// True if `issue` satisfies the query's condition (always true without one).
    pub fn matches<I: JqlIssue + ?Sized>(&self, issue: &I) -> bool {
        self.filter
            .as_ref()
            .is_none_or(|node| node_matches(node, issue))
    }

    /// True if the query has no condition (empty, or only `ORDER BY`). Jira's search API
    /// rejects such unbounded queries.
    pub fn is_unbounded(&self) -> bool {
        self.filter.is_none()
    }

    /// The resolved `ORDER BY` list, most significant first.
    pub fn order_by(&self) -> &[(FieldRef, SortDirection)] {
        &self.order
    }

    /// Sorts by `default` when the query has no `ORDER BY` of its own; the default order of
    /// an unsorted search is the caller's choice (Jira's varies by endpoint and screen), e.g.
    /// `&[(FieldRef::IssueKey, SortDirection::Desc)]`.
    pub fn with_default_order(mut self, default: &[(FieldRef, SortDirection)]) -> Self {
        if self.order.is_empty() {
            self.order = default.to_vec();
        }
        self
    }

    /// Compares two issues by the `ORDER BY` list. Issues equal under it (or all issues, when
    /// there is no `ORDER BY`) compare `Equal`, so a caller chains its own default order with
    /// [`Ordering::then_with`]. Empty values sort last ascending and first descending, as in Jira.
    pub fn compare<I: JqlIssue + ?Sized>(&self, a: &I, b: &I) -> Ordering {
        for &(field, direction) in &self.order {
            let ordering = compare_with_empty(&a.field(field), &b.field(field));
            let ordering = match direction {
                SortDirection::Asc => ordering,
                SortDirection::Desc => ordering.reverse(),
            };
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        Ordering::Equal
    }

    /// Sorts issues by the `ORDER BY` list, stably, so the incoming order is the tie-break
    /// (and the whole order when there is no `ORDER BY`). Each issue's sort fields are read
    /// once, not once per comparison.
    pub fn sort<'a, I: JqlIssue + ?Sized>(&self, issues: &mut [&'a I]) {
        if self.order.is_empty() {
            return;
        }
        let mut keyed: Vec<(Vec<FieldValue<'a>>, &'a I)> = issues
            .iter()
            .map(|&issue| {
                (
                    self.order
                        .iter()
                        .map(|&(field, _)| issue.field(field))
                        .collect(),
                    issue,
                )
            })
            .collect();
        keyed.sort_by(|(a, _), (b, _)| {
            for ((a, b), &(_, direction)) in a.iter().zip(b).zip(&self.order) {
                let ordering = compare_with_empty(a, b);
                let ordering = match direction {
                    SortDirection::Asc => ordering,
                    SortDirection::Desc => ordering.reverse(),
                };
                if ordering != Ordering::Equal {
                    return ordering;
                }
            }
            Ordering::Equal
        });
        for (slot, (_, issue)) in issues.iter_mut().zip(keyed) {
            *slot = issue;
        }
    }

    /// The matching issues, sorted by [`sort`](Self::sort). Pass the issues in the default
    /// order wanted when the query has no `ORDER BY`.
    pub fn search<'a, I: JqlIssue + ?Sized + 'a>(
        &self,
        issues: impl IntoIterator<Item = &'a I>,
    ) -> Vec<&'a I> {
        let mut found: Vec<&'a I> = issues
            .into_iter()
            .filter(|issue| self.matches(*issue))
            .collect();
        self.sort(&mut found);
        found
    }
}

fn node_matches<I: JqlIssue + ?Sized>(node: &Node, issue: &I) -> bool {
    match node {
        Node::And(children) => children.iter().all(|child| node_matches(child, issue)),
        Node::Or(children) => children.iter().any(|child| node_matches(child, issue)),
        Node::Not(inner) => !node_matches(inner, issue),
        Node::Test(test) => test_matches(test, issue),
    }
}

fn test_matches<I: JqlIssue + ?Sized>(test: &Test, issue: &I) -> bool {
    match test.fields {
        Fields::One(field) => value_matches(&test.check, &issue.field(field)),
        Fields::AllText => {
            let values = TEXT_FIELDS.map(|field| issue.field(field));
            let all_empty = values.iter().all(FieldValue::is_empty);
            match &test.check {
                Check::Empty { negate } => all_empty != *negate,
                Check::Text { query, negate } => {
                    !all_empty && query.matches(values.iter().flat_map(texts_of)) != *negate
                }
                Check::Equals { .. } | Check::Range { .. } | Check::Nothing => false,
            }
        }
    }
}

fn value_matches(check: &Check, value: &FieldValue<'_>) -> bool {
    match check {
        Check::Empty { negate } => value.is_empty() != *negate,
        Check::Equals {
            literals,
            include_empty,
            negate,
        } => {
            if value.is_empty() {
                return *include_empty && !*negate;
            }
            literals.iter().any(|literal| equals(value, literal)) != *negate
        }
        Check::Range { operator, literal } => {
            !value.is_empty() && in_range(value, *operator, literal)
        }
        Check::Text { query, negate } => {
            !value.is_empty() && query.matches(texts_of(value)) != *negate
        }
        Check::Nothing => false,
    }
}

/// The searchable text of a value.
fn texts_of<'v>(value: &'v FieldValue<'_>) -> TextsOf<'v> {
    match value {
        FieldValue::Text(text) => TextsOf::One(Some(text)),
        FieldValue::Texts(texts) => TextsOf::Many(texts.iter()),
        FieldValue::Named(named) => TextsOf::One(Some(named.name)),
        FieldValue::User(user) => TextsOf::One(Some(user.display_name)),
        FieldValue::Project(project) => TextsOf::One(Some(project.name)),
        FieldValue::Issue(issue) => TextsOf::One(Some(issue.key)),
        _ => TextsOf::One(None),
    }
}

/// An allocation-free iterator over the texts of one value.
#[derive(Clone)]
enum TextsOf<'v> {
    One(Option<&'v str>),
    Many(std::slice::Iter<'v, String>),
}

impl<'v> Iterator for TextsOf<'v> {
    type Item = &'v str;
    fn next(&mut self) -> Option<&'v str> {
        match self {
            TextsOf::One(text) => text.take(),
            TextsOf::Many(texts) => texts.next().map(String::as_str),
        }
    }
}

/// Case-insensitive equality of `text` with an already lower-cased `lower`.
fn eq_lower(text: &str, lower: &str) -> bool {
    if text.is_ascii() {
        text.eq_ignore_ascii_case(lower)
    } else {
        text.chars().flat_map(char::to_lowercase).eq(lower.chars())
    }
}

fn eq_value(text: &str, literal: &ValueLiteral) -> bool {
    eq_lower(text, &literal.lower) || literal.aliases.iter().any(|alias| eq_lower(text, alias))
}

fn equals(value: &FieldValue<'_>, literal: &Literal) -> bool {
    match literal {
        Literal::CurrentUser(None) => false,
        Literal::CurrentUser(Some(account_id)) => match value {
            FieldValue::User(user) => user.account_id == account_id,
            FieldValue::Text(text) => text.as_ref() == account_id,
            FieldValue::Texts(texts) => texts.iter().any(|text| text == account_id),
            _ => false,
        },
        Literal::SprintIds(ids) => match value {
            FieldValue::Ids(values) => values.iter().any(|id| ids.contains(id)),
            _ => false,
        },
        Literal::Date(span) => match value {
            FieldValue::DateTime(at) => span.contains(*at),
            FieldValue::Date(day) => *day == span.day,
            _ => false,
        },
        Literal::Value(literal) => match value {
            FieldValue::Empty => false,
            FieldValue::Text(text) => eq_value(text, literal),
            FieldValue::Texts(texts) => texts.iter().any(|text| eq_value(text, literal)),
            FieldValue::Number(number) => literal.number == Some(*number),
            FieldValue::DateTime(at) => literal.date.is_some_and(|span| span.contains(*at)),
            FieldValue::Date(day) => literal.date.is_some_and(|span| span.day == *day),
            FieldValue::User(user) => {
                eq_value(user.account_id, literal)
                    || eq_value(user.display_name, literal)
                    || user.email.is_some_and(|email| eq_value(email, literal))
            }
            FieldValue::Project(project) => {
                eq_value(project.key, literal)
                    || eq_value(project.name, literal)
                    || literal.id == Some(project.id)
            }
            FieldValue::Issue(issue) => {
                eq_value(issue.key, literal) || literal.id == Some(issue.id)
            }
            FieldValue::Named(named) => {
                eq_value(named.name, literal)
                    || named.id == literal.raw.trim()
                    || literal.aliases.iter().any(|alias| alias == named.id)
            }
            FieldValue::Ids(ids) => ids
                .iter()
                .any(|id| literal.id == Some(*id) || literal.sprint_ids.contains(id)),
        },
    }
}

fn in_range(value: &FieldValue<'_>, operator: RangeOperator, literal: &Literal) -> bool {
    let holds = |ordering: Option<Ordering>| match (ordering, operator) {
        (None, _) => false,
        (Some(ordering), RangeOperator::Less) => ordering == Ordering::Less,
        (Some(ordering), RangeOperator::LessOrEqual) => ordering != Ordering::Greater,
        (Some(ordering), RangeOperator::Greater) => ordering == Ordering::Greater,
        (Some(ordering), RangeOperator::GreaterOrEqual) => ordering != Ordering::Less,
    };
    match value {
        FieldValue::Ids(ids) => match literal {
            Literal::Value(literal) => ids
                .iter()
                .any(|id| holds(literal.id.map(|wanted| id.cmp(&wanted)))),
            _ => false,
        },
        single => holds(order_against(single, literal)),
    }
}

/// How a single value orders against a literal, if they are comparable.
fn order_against(value: &FieldValue<'_>, literal: &Literal) -> Option<Ordering> {
    match literal {
        Literal::Date(span) => match value {
            FieldValue::DateTime(at) => Some(at.cmp(&span.start)),
            FieldValue::Date(day) => Some(day.cmp(&span.day)),
            _ => None,
        },
        Literal::Value(literal) => match value {
            FieldValue::Number(number) => literal
                .number
                .and_then(|wanted| number.partial_cmp(&wanted)),
            FieldValue::DateTime(at) => literal.date.map(|span| at.cmp(&span.start)),
            FieldValue::Date(day) => literal.date.map(|span| day.cmp(&span.day)),
            FieldValue::Issue(issue) => order_issue(issue, literal),
            FieldValue::Named(named) => match (named.rank, literal.rank) {
                (Some(rank), Some(wanted)) => Some(rank.cmp(&wanted)),
                _ => None,
            },
            _ => None,
        },
        Literal::CurrentUser(_) | Literal::SprintIds(_) => None,
    }
}

/// `key > DEMO-5`: issue numbers compare within one project; other projects never match.
fn order_issue(issue: &IssueValue<'_>, literal: &ValueLiteral) -> Option<Ordering> {
    if let Some((project, number)) = &literal.issue_key {
        let (issue_project, issue_number) = split_key(issue.key)?;
        return eq_lower(issue_project, project).then(|| issue_number.cmp(number));
    }
    literal.id.map(|id| issue.id.cmp(&id))
}

/// Splits `DEMO-12` into `("DEMO", 12)`.
fn split_key(key: &str) -> Option<(&str, u64)> {
    let (project, number) = key.rsplit_once('-')?;
    Some((project, number.parse().ok()?))
}

/// Orders two values with empty values greatest (last ascending, first descending).
fn compare_with_empty(a: &FieldValue<'_>, b: &FieldValue<'_>) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => compare_values(a, b),
    }
}

/// Case-insensitive text order without allocating.
fn compare_text(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        a.bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
    } else {
        a.chars()
            .flat_map(char::to_lowercase)
            .cmp(b.chars().flat_map(char::to_lowercase))
    }
}

/// Orders two non-empty values of a field.
fn compare_values(a: &FieldValue<'_>, b: &FieldValue<'_>) -> Ordering {
    use FieldValue as V;
    match (a, b) {
        (V::Text(a), V::Text(b)) => compare_text(a, b),
        (V::Texts(a), V::Texts(b)) => {
            let by_items = a
                .iter()
                .zip(b.iter())
                .map(|(x, y)| compare_text(x, y))
                .find(|o| o.is_ne());
            by_items.unwrap_or_else(|| a.len().cmp(&b.len()))
        }
        (V::Number(a), V::Number(b)) => a.total_cmp(b),
        (V::DateTime(a), V::DateTime(b)) => a.cmp(b),
        (V::Date(a), V::Date(b)) => a.cmp(b),
        (V::User(a), V::User(b)) => compare_text(a.display_name, b.display_name)
            .then_with(|| a.account_id.cmp(b.account_id)),
        (V::Project(a), V::Project(b)) => {
            compare_text(a.name, b.name).then_with(|| compare_text(a.key, b.key))
        }
        (V::Issue(a), V::Issue(b)) => match (split_key(a.key), split_key(b.key)) {
            (Some((project_a, number_a)), Some((project_b, number_b))) => {
                compare_text(project_a, project_b).then(number_a.cmp(&number_b))
            }
            _ => compare_text(a.key, b.key),
        }
        .then(a.id.cmp(&b.id)),
        (V::Named(a), V::Named(b)) => match (a.rank, b.rank) {
            (Some(rank_a), Some(rank_b)) => rank_a.cmp(&rank_b),
            _ => compare_text(a.name, b.name),
        },
        (V::Ids(a), V::Ids(b)) => a.iter().cmp(b.iter()),
        _ => variant_rank(a).cmp(&variant_rank(b)),
    }
}

/// A fixed order between different kinds of value, so mixed data still sorts consistently.
fn variant_rank(value: &FieldValue<'_>) -> u8 {
    match value {
        FieldValue::Empty => 0,
        FieldValue::Text(_) => 1,
        FieldValue::Texts(_) => 2,
        FieldValue::Number(_) => 3,
        FieldValue::DateTime(_) => 4,
        FieldValue::Date(_) => 5,
        FieldValue::User(_) => 6,
        FieldValue::Project(_) => 7,
        FieldValue::Issue(_) => 8,
        FieldValue::Named(_) => 9,
        FieldValue::Ids(_) => 10,
    }
}
