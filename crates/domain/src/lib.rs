//! Pure domain types shared by every Planwright crate: issue keys, job statuses, job kinds. No I/O.

// No panics on request and worker paths (ARCHITECTURE.md, invariants); tests may unwrap.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

pub mod issue_key;
pub mod job;

pub use issue_key::{IssueKey, IssueKeyError};
