//! Typed records of what Jira and Confluence return and accept, tolerant of fields Atlassian adds.

mod agile;
mod issue;
mod meta;
pub mod time;

pub use agile::{Board, BoardLocation, NewSprint, Sprint, SprintState, SprintUpdate};
pub use issue::{
    BulkCreateOutcome, BulkItemOutcome, Comment, CreatedIssue, EditValue, ElementError,
    FieldOperation, Issue, IssueEdit, IssueFields, IssueLink, IssueRef, IssueRefFields, IssueType,
    IssueTypeRef, LinkType, NewIssue, Priority, Project, ProjectRef, Status, StatusCategory,
    Transition, User,
};
pub use meta::{CreateMetaField, CreateMetaIssueType, Field, FieldSchema};

/// An Atlassian Document Format document (descriptions, comments, textarea custom fields).
pub use markup::AdfDoc;
