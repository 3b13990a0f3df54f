//! Pure domain types shared by every Planwright crate: issue keys, job statuses, job kinds. No I/O.

pub mod issue_key;
pub mod job;

pub use issue_key::{IssueKey, IssueKeyError};
