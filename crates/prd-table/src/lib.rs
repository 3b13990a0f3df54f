//! PRD story tables, with no I/O: find the story table of a Confluence storage-format page,
//! read its rows as stories, and write Jira links back into it without changing any other byte
//! of the page.
//!
//! ```
//! use prd_table::{RowLink, find_story_table, write_links};
//!
//! let page = "<h2>Story Ticket List</h2><table><tbody>\
//!     <tr><th><p>Title</p></th><th><p>Acceptance Criteria</p></th></tr>\
//!     <tr><td><p>Guest checkout</p></td><td><ul><li>Given a guest, when paying, then no login</li></ul></td></tr>\
//!     </tbody></table>";
//! let table = find_story_table(page)?;
//! let row = &table.rows[0];
//! assert_eq!(row.title, "Guest checkout");
//! assert_eq!(row.acceptance_criteria, ["Given a guest, when paying, then no login"]);
//!
//! let link = RowLink::new(&row.row_id, &row.title, "SHOP-7", "https://acme.atlassian.net/browse/SHOP-7");
//! let written = write_links(page, &[link])?;
//! // The table had no ticket column: a "JIRA Ticket" column was added, with the link.
//! assert!(written.page.contains("<th><p>JIRA Ticket</p></th>"));
//! assert!(written.page.contains(r#"<a href="https://acme.atlassian.net/browse/SHOP-7">SHOP-7</a>"#));
//! assert_eq!(find_story_table(&written.page)?.rows[0].ticket.as_ref().map(|t| t.key.as_str()), Some("SHOP-7"));
//! # Ok::<(), prd_table::PrdError>(())
//! ```
//!
//! Module map: [`columns`] classifies header cells, [`text`] turns cell text into summaries,
//! user-story sentences and acceptance criteria, [`rows`] finds the table and reads its rows,
//! [`write_back`] plans the link cells.

// No panics on request and worker paths (ARCHITECTURE.md, invariants); tests may unwrap.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

pub mod columns;
pub mod rows;
mod scan;
pub mod text;
pub mod write_back;

pub use columns::{Column, ColumnMap, ColumnRole};
pub use rows::{
    SkippedRow, StoryRow, StoryTable, TicketRef, TicketSource, find_story_table, row_id_for,
};
pub use write_back::{
    LinkOutcome, LinkStatus, RowLink, TICKET_COLUMN, WriteBack, link_markup, write_links,
    write_links_to,
};

/// Why a page cannot be read or edited as a PRD story table; each names the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrdError {
    /// The page is not well-formed storage format.
    #[error("the PRD page is not well-formed Confluence storage format: {0}")]
    Storage(#[from] markup::StorageError),
    /// No table on the page looks like a story table.
    #[error(
        "the PRD page has no story table ({tables} table(s) on the page{}): add a table under a heading \"Story Ticket List\" whose header row has a Title (or Summary, Name, Story, User Story) column",
        headings_note(.headings)
    )]
    NoStoryTable {
        tables: usize,
        /// The headers of every table found, for the message.
        headings: Vec<String>,
    },
}

fn headings_note(headers: &[String]) -> String {
    if headers.is_empty() {
        String::new()
    } else {
        format!("; their headers: {}", headers.join(" / "))
    }
}
