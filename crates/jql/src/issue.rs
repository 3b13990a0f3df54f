//! The [`JqlIssue`] trait: how the evaluator reads fields from an issue it did not define.

use crate::field::{FieldRef, FieldValue};

/// An issue as the JQL evaluator sees it. Implement this for the issue type of an issue store
/// (the Jira emulator's issue record); the evaluator never needs anything else from it.
///
/// `field` is called many times per query for every issue, so it should be cheap: return
/// borrowed data (`Cow::Borrowed`) and precompute anything expensive, such as the plain text of
/// an ADF description or of comments, when the issue is written rather than on every call.
///
/// Return the variant documented for each field in [`FieldRef`]'s table, and
/// [`FieldValue::Empty`] for unset fields and for custom fields the issue does not have.
///
/// ```
/// use std::borrow::Cow;
/// use jql::{FieldRef, FieldValue, IssueValue, JqlIssue, NamedValue, ProjectValue};
///
/// struct Issue { id: u64, key: String, summary: String, labels: Vec<String> }
///
/// impl JqlIssue for Issue {
///     fn field(&self, field: FieldRef) -> FieldValue<'_> {
///         match field {
///             FieldRef::Project => FieldValue::Project(ProjectValue { id: 10000, key: "DEMO", name: "Demo" }),
///             FieldRef::IssueKey => FieldValue::Issue(IssueValue { id: self.id, key: &self.key }),
///             FieldRef::Status => FieldValue::Named(NamedValue { id: "1", name: "To Do", rank: None }),
///             FieldRef::Summary => FieldValue::Text(Cow::Borrowed(&self.summary)),
///             FieldRef::Labels => FieldValue::Texts(Cow::Borrowed(&self.labels)),
///             _ => FieldValue::Empty,
///         }
///     }
/// }
///
/// let query = jql::parse("project = DEMO AND summary ~ login").unwrap();
/// let compiled = query.compile(&jql::StaticContext::offline()).unwrap();
/// let issue = Issue { id: 1, key: "DEMO-1".into(), summary: "Login page".into(), labels: vec![] };
/// assert!(compiled.matches(&issue));
/// ```
pub trait JqlIssue {
    /// The value of `field` on this issue.
    fn field(&self, field: FieldRef) -> FieldValue<'_>;
}

impl<T: JqlIssue + ?Sized> JqlIssue for &T {
    fn field(&self, field: FieldRef) -> FieldValue<'_> {
        (**self).field(field)
    }
}
