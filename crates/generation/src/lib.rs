//! What Planwright asks a language model to generate, and how to answer without one.
//!
//! * [`task`] defines every generation task: its [`TaskKind`], a typed input, a typed output and
//!   the strict JSON Schema of that output ([`output_schema`]) which providers receive as their
//!   structured-output schema.
//! * [`offline`] is a deterministic generator that answers every task from the input's own words
//!   with no model at all: the default when no API key is configured, and the fallback when a
//!   provider is down.
//! * [`text_analysis`] holds the keyword, domain and acceptance-criteria analysis the offline
//!   generator is built on.

// No panics on request and worker paths (ARCHITECTURE.md, invariants); tests may unwrap.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

pub mod error;
pub mod offline;
pub mod task;
pub mod text_analysis;

pub use error::GenerationError;
pub use task::{TaskInput, TaskKind, output_schema, parse_input, parse_output};
