//! Prompt templates: markdown files (minijinja) embedded in the binary, overridable file by file
//! from a directory (`PROMPTS_DIR`).
//!
//! Each task has `<task>.system.md` and `<task>.user.md`; `reask.user.md` asks again after a
//! validation failure; `_context.md` is the shared context partial. Every template documents its
//! variables in a leading `{# … #}` comment, which does not reach the model. System prompts take no
//! per-call variables, so a system prompt is never altered for one call.

use std::collections::BTreeMap;
use std::path::Path;

use minijinja::Environment;
use serde::Serialize;

/// The embedded templates, by file name.
pub const EMBEDDED: [(&str, &str); 26] = [
    ("_context.md", include_str!("../prompts/_context.md")),
    ("reask.user.md", include_str!("../prompts/reask.user.md")),
    (
        "ticket_description.system.md",
        include_str!("../prompts/ticket_description.system.md"),
    ),
    (
        "ticket_description.user.md",
        include_str!("../prompts/ticket_description.user.md"),
    ),
    (
        "epic_stories.system.md",
        include_str!("../prompts/epic_stories.system.md"),
    ),
    (
        "epic_stories.user.md",
        include_str!("../prompts/epic_stories.user.md"),
    ),
    (
        "story_tasks.system.md",
        include_str!("../prompts/story_tasks.system.md"),
    ),
    (
        "story_tasks.user.md",
        include_str!("../prompts/story_tasks.user.md"),
    ),
    (
        "test_cases.system.md",
        include_str!("../prompts/test_cases.system.md"),
    ),
    (
        "test_cases.user.md",
        include_str!("../prompts/test_cases.user.md"),
    ),
    (
        "draft_pr_plan.system.md",
        include_str!("../prompts/draft_pr_plan.system.md"),
    ),
    (
        "draft_pr_plan.user.md",
        include_str!("../prompts/draft_pr_plan.user.md"),
    ),
    (
        "chat_intent.system.md",
        include_str!("../prompts/chat_intent.system.md"),
    ),
    (
        "chat_intent.user.md",
        include_str!("../prompts/chat_intent.user.md"),
    ),
    (
        "requirement_analysis.system.md",
        include_str!("../prompts/requirement_analysis.system.md"),
    ),
    (
        "requirement_analysis.user.md",
        include_str!("../prompts/requirement_analysis.user.md"),
    ),
    (
        "ticket_draft.system.md",
        include_str!("../prompts/ticket_draft.system.md"),
    ),
    (
        "ticket_draft.user.md",
        include_str!("../prompts/ticket_draft.user.md"),
    ),
    (
        "ticket_assessment.system.md",
        include_str!("../prompts/ticket_assessment.system.md"),
    ),
    (
        "ticket_assessment.user.md",
        include_str!("../prompts/ticket_assessment.user.md"),
    ),
    (
        "ticket_update.system.md",
        include_str!("../prompts/ticket_update.system.md"),
    ),
    (
        "ticket_update.user.md",
        include_str!("../prompts/ticket_update.user.md"),
    ),
    (
        "jql_query.system.md",
        include_str!("../prompts/jql_query.system.md"),
    ),
    (
        "jql_query.user.md",
        include_str!("../prompts/jql_query.user.md"),
    ),
    (
        "chat_answer.system.md",
        include_str!("../prompts/chat_answer.system.md"),
    ),
    (
        "chat_answer.user.md",
        include_str!("../prompts/chat_answer.user.md"),
    ),
];

/// A template that cannot be loaded or rendered.
#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    #[error("cannot read prompt override {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("prompt override {file} does not replace any template; known templates: {known}")]
    UnknownTemplate { file: String, known: String },
    #[error("prompt template {name} is invalid: {message}")]
    Template { name: String, message: String },
}

/// The prompt templates in use: embedded ones with any overrides applied.
#[derive(Debug)]
pub struct PromptLibrary {
    env: Environment<'static>,
    overridden: Vec<String>,
}

impl PromptLibrary {
    /// The templates shipped with the binary (that they compile is tested, so this does not fail).
    pub fn embedded() -> Result<PromptLibrary, PromptError> {
        PromptLibrary::with_sources(BTreeMap::new())
    }

    /// The embedded templates, each replaced by the file of the same name in `dir` if there is one.
    /// A file that matches no template is an error (a typo would otherwise go unnoticed).
    pub fn with_overrides(dir: &Path) -> Result<PromptLibrary, PromptError> {
        let read_error = |source| PromptError::Read {
            path: dir.display().to_string(),
            source,
        };
        let mut overrides = BTreeMap::new();
        for entry in std::fs::read_dir(dir).map_err(read_error)? {
            let path = entry.map_err(read_error)?.path();
            let is_readme = path.file_name().is_some_and(|f| f == "README.md");
            if path.extension().and_then(|e| e.to_str()) != Some("md")
                || !path.is_file()
                || is_readme
            {
                continue;
            }
            let file = path
                .file_name()
                .and_then(|f| f.to_str())
                .unwrap_or_default()
                .to_owned();
            if !EMBEDDED.iter().any(|(name, _)| *name == file) {
                return Err(PromptError::UnknownTemplate {
                    file,
                    known: EMBEDDED.map(|(name, _)| name).join(", "),
                });
            }
            let text = std::fs::read_to_string(&path).map_err(|source| PromptError::Read {
                path: path.display().to_string(),
                source,
            })?;
            overrides.insert(file, text);
        }
        PromptLibrary::with_sources(overrides)
    }

    /// Loads overrides when a directory is configured.
    pub fn load(dir: Option<&Path>) -> Result<PromptLibrary, PromptError> {
        match dir {
            Some(dir) => PromptLibrary::with_overrides(dir),
            None => PromptLibrary::embedded(),
        }
    }

    fn with_sources(overrides: BTreeMap<String, String>) -> Result<PromptLibrary, PromptError> {
        let mut env = Environment::new();
        let overridden = overrides.keys().cloned().collect();
        // An operator's override is compiled here, so a broken one stops start-up. The embedded
        // templates are compiled on first use instead (that they compile is tested): compiling
        // all of them in every idle `serve` held memory and ran the template compiler for
        // prompts a server without language-model work never renders (docs/benchmarks.md, idle
        // resident memory). The loader is only asked for names not added here.
        for (name, source) in overrides {
            env.add_template_owned(name.clone(), source)
                .map_err(|e| PromptError::Template {
                    name,
                    message: describe(&e),
                })?;
        }
        env.set_loader(|name| {
            Ok(EMBEDDED
                .iter()
                .find(|(embedded, _)| *embedded == name)
                .map(|(_, source)| (*source).to_owned()))
        });
        Ok(PromptLibrary { env, overridden })
    }

    /// File names replaced from the override directory.
    pub fn overridden(&self) -> &[String] {
        &self.overridden
    }

    /// Renders one template; the result is trimmed.
    pub fn render(&self, name: &str, context: impl Serialize) -> Result<String, PromptError> {
        let template = self
            .env
            .get_template(name)
            .map_err(|e| PromptError::Template {
                name: name.to_owned(),
                message: describe(&e),
            })?;
        let text = template
            .render(minijinja::value::Serde(context))
            .map_err(|e| PromptError::Template {
                name: name.to_owned(),
                message: describe(&e),
            })?;
        Ok(text.trim().to_owned())
    }
}

fn describe(error: &minijinja::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_prompt_file_is_embedded() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/prompts");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name != "README.md")
            .collect();
        files.sort();
        let mut embedded: Vec<String> = EMBEDDED.iter().map(|(n, _)| (*n).to_owned()).collect();
        embedded.sort();
        assert_eq!(files, embedded);
    }

    /// Embedded templates are compiled on first use, so this is where a broken one fails.
    #[test]
    fn every_embedded_template_compiles() {
        let library = PromptLibrary::embedded().unwrap();
        for (name, _) in EMBEDDED {
            library.env.get_template(name).unwrap();
        }
        let missing = library.render("no_such_template.md", json!({}));
        assert!(matches!(missing, Err(PromptError::Template { .. })));
    }

    #[test]
    fn template_comments_do_not_reach_the_model() {
        let library = PromptLibrary::embedded().unwrap();
        let text = library
            .render(
                "reask.user.md",
                json!({"errors": ["at /a: bad"], "attempt": 1}),
            )
            .unwrap();
        assert!(
            text.starts_with("Your previous answer cannot be used."),
            "{text}"
        );
        assert!(text.contains("- at /a: bad"));
        assert!(!text.contains("Variables"));
    }

    #[test]
    fn overrides_replace_templates_by_file_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("reask.user.md"),
            "Fix: {{ errors | join('; ') }}",
        )
        .unwrap();
        std::fs::write(dir.path().join("notes.txt"), "ignored: not markdown").unwrap();
        let library = PromptLibrary::with_overrides(dir.path()).unwrap();
        assert_eq!(library.overridden(), ["reask.user.md"]);
        let text = library
            .render("reask.user.md", json!({"errors": ["a", "b"]}))
            .unwrap();
        assert_eq!(text, "Fix: a; b");
    }

    #[test]
    fn unknown_or_broken_overrides_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ticket_descripton.user.md"), "x").unwrap();
        let err = PromptLibrary::with_overrides(dir.path()).unwrap_err();
        assert!(matches!(err, PromptError::UnknownTemplate { .. }), "{err}");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("reask.user.md"), "{% if %}").unwrap();
        let err = PromptLibrary::with_overrides(dir.path()).unwrap_err();
        assert!(err.to_string().contains("reask.user.md"), "{err}");
    }
}
