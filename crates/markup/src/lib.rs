//! Format conversion with no I/O: Markdown <-> Atlassian Document Format, and Confluence
//! storage-format tables read and edited without disturbing any other byte of the page.
//!
//! ```
//! use markup::{adf_to_markdown, markdown_to_adf, TableEditor};
//!
//! // Markdown (e.g. written by a model) to schema-valid ADF for a Jira description, and back.
//! let doc = markdown_to_adf("## Scope\n\n- **Add** keys\n- Update `webhooks`\n");
//! assert_eq!(adf_to_markdown(&doc), "## Scope\n\n- **Add** keys\n- Update `webhooks`\n");
//!
//! // Write a Jira key into a Confluence PRD table; every other byte of the page is kept.
//! let page = "<h2>Story Ticket List</h2><table><tbody>\
//!     <tr><th><p>Story</p></th><th><p>Jira Ticket</p></th></tr>\
//!     <tr><td><p>Keys</p></td><td><p>&nbsp;</p></td></tr></tbody></table>";
//! let mut editor = TableEditor::for_section(page, "story ticket list")?;
//! editor.set_cell_text(0, "Jira Ticket", "PAY-101")?;
//! let edited = editor.finish();
//! assert!(edited.contains("<td><p>PAY-101</p></td>"));
//! # Ok::<(), markup::StorageError>(())
//! ```

// No panics on request and worker paths (ARCHITECTURE.md, invariants); tests may unwrap. The
// converters index their own token and grid buffers heavily; instead of a lint, the fuzz targets
// in fuzz/ (markdown_adf, adf_markdown, storage_table) hunt their index panics.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod adf;
pub mod markdown;
pub mod plain_text;
pub mod storage;
pub mod storage_text;

pub use adf::{AdfDoc, Mark, Node};
pub use markdown::{adf_to_markdown, markdown_to_adf};
pub use plain_text::adf_to_plain_text;
pub use storage::{
    ColumnRef, StorageCell, StorageError, StorageRow, StorageTable, TableEditor,
    find_table_under_heading, jira_issue_macro, list_tables,
};
pub use storage_text::storage_to_text;
