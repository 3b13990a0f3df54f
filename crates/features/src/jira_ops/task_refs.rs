//! What a `blocks` entry of a bulk task creation names: another task of the same request (by
//! its `task_id`, a UUID or `task_N`, by `task_N` as its 1-based position, or by its summary),
//! or an existing Jira issue by key. The reference resolves these only in its worker and
//! records "Could not resolve task_id …" otherwise (docs/reference-behaviour.md §5.8); here both paths share this.

use std::sync::LazyLock;

use domain::IssueKey;
use job_types::jira_ops::TaskSpec;
use regex::Regex;

// A literal pattern; `the_pattern_compiles` compiles it in a unit test.
#[allow(clippy::expect_used)]
static TASK_N: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^task[_-]?(\d+)$").expect("a valid pattern"));

/// The ticket a `blocks` entry names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockTarget {
    /// The task at this index of the request (created by the same request).
    Task(usize),
    /// An existing issue.
    Key(String),
    /// Nothing: the message says why.
    Unresolved(String),
}

/// Resolves `entry`, named by the task at `from`, against the request's `tasks`.
pub fn resolve_block(entry: &str, from: usize, tasks: &[TaskSpec]) -> BlockTarget {
    let entry = entry.trim();
    let found = tasks
        .iter()
        .position(|task| task.task_id.as_deref().map(str::trim) == Some(entry))
        .or_else(|| {
            TASK_N
                .captures(entry)
                .and_then(|captures| captures.get(1)?.as_str().parse::<usize>().ok())
                .filter(|n| (1..=tasks.len()).contains(n))
                .map(|n| n - 1)
        })
        .or_else(|| {
            tasks
                .iter()
                .position(|task| task.summary.trim().eq_ignore_ascii_case(entry))
        });
    match found {
        Some(index) if index == from => {
            BlockTarget::Unresolved(format!("Task {entry} cannot block itself"))
        }
        Some(index) => BlockTarget::Task(index),
        None if TASK_N.is_match(entry) || looks_like_uuid(entry) => BlockTarget::Unresolved(
            format!("Could not resolve task_id {entry}: no task of this request has that id"),
        ),
        None => match IssueKey::parse(entry) {
            Ok(key) => BlockTarget::Key(key.to_string()),
            Err(_) => BlockTarget::Unresolved(format!(
                "Could not resolve {entry}: not a task_id, task summary or issue key of this request"
            )),
        },
    }
}

fn looks_like_uuid(text: &str) -> bool {
    text.len() == 36
        && text.chars().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pattern_compiles() {
        LazyLock::force(&TASK_N);
    }

    fn task(task_id: Option<&str>, summary: &str) -> TaskSpec {
        TaskSpec {
            task_id: task_id.map(str::to_owned),
            parent_key: None,
            summary: summary.into(),
            description: String::new(),
            story_key: "DEMO-4".into(),
            test_cases: None,
            mandays: None,
            blocks: Vec::new(),
        }
    }

    #[test]
    fn entries_resolve_to_tasks_of_the_request_or_keys() {
        let uuid = "0b7e1c2a-3d4f-4a5b-8c6d-7e8f9a0b1c2d";
        let tasks = vec![
            task(Some(uuid), "Schema"),
            task(None, "API"),
            task(Some("task_9"), "UI"),
        ];
        assert_eq!(resolve_block(uuid, 1, &tasks), BlockTarget::Task(0));
        assert_eq!(resolve_block("task_2", 0, &tasks), BlockTarget::Task(1));
        assert_eq!(
            resolve_block("task_9", 0, &tasks),
            BlockTarget::Task(2),
            "an explicit task_id wins over a position"
        );
        assert_eq!(resolve_block("api", 0, &tasks), BlockTarget::Task(1));
        assert_eq!(
            resolve_block("demo-9", 0, &tasks),
            BlockTarget::Key("DEMO-9".into())
        );
        assert!(matches!(
            resolve_block("task_7", 0, &tasks),
            BlockTarget::Unresolved(message) if message.contains("Could not resolve task_id task_7")
        ));
        assert!(matches!(
            resolve_block("task_1", 0, &tasks),
            BlockTarget::Unresolved(message) if message.contains("itself")
        ));
        assert!(matches!(
            resolve_block("1f0e2d3c-4b5a-4697-8877-665544332211", 0, &tasks),
            BlockTarget::Unresolved(_)
        ));
    }
}
