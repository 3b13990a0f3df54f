//! Format conversion with no I/O: Markdown <-> Atlassian Document Format, and Confluence
//! storage-format tables read and edited without disturbing any other byte of the page.

pub mod adf;
pub mod markdown;
pub mod plain_text;
pub mod storage;

pub use adf::{AdfDoc, Mark, Node};
pub use markdown::{adf_to_markdown, markdown_to_adf};
pub use plain_text::adf_to_plain_text;
pub use storage::{
    ColumnRef, StorageCell, StorageError, StorageRow, StorageTable, TableEditor,
    find_table_under_heading, jira_issue_macro, list_tables,
};
