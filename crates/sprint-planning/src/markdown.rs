//! A timeline as a Markdown table: one row per sprint with its dates, tasks, load and
//! utilisation, then the completion date and any unassigned tasks.

use std::fmt::Write;

use crate::timeline::Timeline;

/// Renders `timeline` as Markdown (a table and a short summary).
pub fn render_markdown(timeline: &Timeline) -> String {
    let mut out = String::new();
    out.push_str("| Sprint | Dates | Tasks | Used / capacity (days) | Utilisation |\n");
    out.push_str("|---|---|---|---|---|\n");
    for sprint in &timeline.sprints {
        let keys: Vec<&str> = sprint
            .tasks
            .iter()
            .filter_map(|&row| timeline.tasks.get(row))
            .map(|task| task.key.as_str())
            .collect();
        let _ = writeln!(
            out,
            "| {}{} | {} – {} | {} | {} / {} | {} |",
            cell(&sprint.name),
            if sprint.new { " (new)" } else { "" },
            sprint.start.format("%Y-%m-%d"),
            sprint.end.format("%Y-%m-%d"),
            if keys.is_empty() {
                "—".to_owned()
            } else {
                cell(&keys.join(", "))
            },
            days(sprint.used_days),
            days(sprint.capacity_days),
            percent(sprint.utilisation),
        );
    }
    out.push('\n');
    match timeline.completion {
        Some(date) => {
            let _ = writeln!(out, "Estimated completion: {}.", date.format("%Y-%m-%d"));
        }
        None => out.push_str("Estimated completion: nothing is planned.\n"),
    }
    let unassigned: Vec<&str> = timeline
        .tasks
        .iter()
        .filter(|task| task.sprint.is_none())
        .map(|task| task.key.as_str())
        .collect();
    if !unassigned.is_empty() {
        let _ = writeln!(out, "\nUnassigned: {}.", cell(&unassigned.join(", ")));
    }
    out
}

/// Text safe inside a table cell: no pipe, line break or HTML.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `12.5`, `40` (one decimal, no trailing `.0`).
pub(crate) fn days(value: f64) -> String {
    let text = format!("{value:.1}");
    text.strip_suffix(".0").map_or(text.clone(), str::to_owned)
}

pub(crate) fn percent(ratio: f64) -> String {
    format!("{:.0} %", ratio * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_table_syntax_and_html() {
        assert_eq!(cell("a|b\n<c>&"), "a\\|b &lt;c&gt;&amp;");
        assert_eq!(days(12.0), "12");
        assert_eq!(days(2.26), "2.3");
        assert_eq!(percent(0.784), "78 %");
    }
}
