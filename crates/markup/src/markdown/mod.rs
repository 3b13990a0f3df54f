//! Conversion between Markdown and the Atlassian Document Format.
//!
//! [`markdown_to_adf`] turns LLM- or user-written Markdown into schema-valid ADF for Jira and
//! Confluence; [`adf_to_markdown`] turns ADF fetched from them back into Markdown that parses to
//! the same ADF (`markdown -> ADF -> markdown -> ADF` is a fixed point), degrading nodes that
//! Markdown cannot express to readable text.

mod parse;
mod render;

pub use parse::markdown_to_adf;
pub use render::adf_to_markdown;
