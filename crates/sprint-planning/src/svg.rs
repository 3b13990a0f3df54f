//! A timeline as a Gantt chart in standalone SVG: sprints as columns (name, dates, load), one
//! row per task with its key, summary and estimate, a bar in its sprint's column coloured by
//! team, arrows from each blocker to the tasks it blocks, and a line at today's date. Every
//! piece of text is XML-escaped; the document references nothing outside itself.

use std::fmt::Write;

use chrono::NaiveDate;

use crate::markdown::{days, percent};
use crate::timeline::Timeline;

const MARGIN: f64 = 12.0;
const TITLE_H: f64 = 26.0;
const HEADER_H: f64 = 58.0;
const LABEL_W: f64 = 320.0;
const COL_W: f64 = 150.0;
const ROW_H: f64 = 22.0;
const BAR_H: f64 = 14.0;
const BAR_PAD: f64 = 8.0;
const LEGEND_H: f64 = 34.0;
/// Longest task label (characters) before it is cut with "…".
const LABEL_CHARS: usize = 44;
const SPRINT_NAME_CHARS: usize = 20;

/// Colour-blind-friendly team colours (Tableau 10 without its grey), by the team's position
/// in [`Timeline::teams`]; tasks without a team are grey.
const PALETTE: [&str; 9] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f",
];
const NO_TEAM: &str = "#a0a0a0";
const OVER: &str = "#c0392b";

/// Renders `timeline` as an SVG Gantt chart with a line at `today`.
pub fn render_svg(timeline: &Timeline, today: NaiveDate) -> String {
    let columns = timeline.sprints.len();
    let rows = timeline.tasks.len();
    let grid_left = MARGIN + LABEL_W;
    let grid_top = MARGIN + TITLE_H + HEADER_H;
    let grid_right = grid_left + COL_W * columns as f64;
    let grid_bottom = grid_top + ROW_H * rows as f64;
    let width = grid_right + MARGIN;
    let height = grid_bottom + LEGEND_H + MARGIN;
    let column_x = |sprint: usize| grid_left + COL_W * sprint as f64;
    let row_y = |row: usize| grid_top + ROW_H * row as f64;

    let mut out = String::with_capacity(512 + rows * 420 + timeline.dependencies.len() * 160);
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"Helvetica, Arial, sans-serif\" \
         font-size=\"12\">"
    );
    out.push_str("<title>Sprint plan</title>\n");
    out.push_str(
        "<defs><marker id=\"arrow\" viewBox=\"0 0 6 6\" refX=\"6\" refY=\"3\" markerWidth=\"6\" \
         markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0 L6,3 L0,6 z\" fill=\"#4a4a4a\"/>\
         </marker></defs>\n",
    );
    let _ = writeln!(
        out,
        "<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>"
    );

    // Title.
    let used = timeline
        .sprints
        .iter()
        .filter(|s| !s.tasks.is_empty())
        .count();
    let unassigned = timeline.tasks.iter().filter(|t| t.sprint.is_none()).count();
    let mut title = format!("Sprint plan: {rows} tasks in {used} sprints");
    if let Some(date) = timeline.completion {
        let _ = write!(title, ", estimated completion {}", date.format("%Y-%m-%d"));
    }
    if unassigned > 0 {
        let _ = write!(title, ", {unassigned} unassigned");
    }
    let _ = writeln!(
        out,
        "<text x=\"{MARGIN}\" y=\"{}\" font-size=\"15\" font-weight=\"bold\" fill=\"#1b1f23\">{}</text>",
        MARGIN + 17.0,
        escape(&title)
    );

    // Sprint columns: background, header, separators.
    let header_top = MARGIN + TITLE_H;
    for (i, sprint) in timeline.sprints.iter().enumerate() {
        let x = column_x(i);
        let shade = if i % 2 == 0 { "#f6f8fa" } else { "#ffffff" };
        let _ = writeln!(
            out,
            "<rect x=\"{x}\" y=\"{header_top}\" width=\"{COL_W}\" height=\"{}\" fill=\"{shade}\"/>",
            grid_bottom - header_top
        );
        let mut name = truncate(&sprint.name, SPRINT_NAME_CHARS);
        if sprint.new {
            name.push_str(" (new)");
        }
        let over = sprint.utilisation > 1.0 + 1e-9;
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" font-weight=\"bold\" fill=\"#1b1f23\">{}</text>\
             <text x=\"{}\" y=\"{}\" fill=\"#57606a\">{} – {}</text>\
             <text x=\"{}\" y=\"{}\" fill=\"{}\">{} / {} d · {}</text>",
            x + 6.0,
            header_top + 16.0,
            escape(&name),
            x + 6.0,
            header_top + 32.0,
            sprint.start.format("%b %-d"),
            sprint.end.format("%b %-d, %Y"),
            x + 6.0,
            header_top + 48.0,
            if over { OVER } else { "#57606a" },
            days(sprint.used_days),
            days(sprint.capacity_days),
            escape(&percent(sprint.utilisation)),
        );
        let _ = writeln!(
            out,
            "<line x1=\"{x}\" y1=\"{header_top}\" x2=\"{x}\" y2=\"{grid_bottom}\" stroke=\"#d0d7de\"/>"
        );
    }
    let _ = writeln!(
        out,
        "<line x1=\"{grid_right}\" y1=\"{header_top}\" x2=\"{grid_right}\" y2=\"{grid_bottom}\" \
         stroke=\"#d0d7de\"/><line x1=\"{MARGIN}\" y1=\"{grid_top}\" x2=\"{grid_right}\" \
         y2=\"{grid_top}\" stroke=\"#8c959f\"/>"
    );

    // Task rows: label, row rule, bar.
    for (row, task) in timeline.tasks.iter().enumerate() {
        let y = row_y(row);
        let mut label = format!("{} {}", task.key, task.summary.trim());
        label = truncate(&label, LABEL_CHARS);
        let _ = write!(label, " ({}d)", days(task.estimate_days));
        let (style, suffix) = match task.sprint {
            Some(_) => ("fill=\"#1b1f23\"", ""),
            None => ("fill=\"#8c959f\" font-style=\"italic\"", " — unassigned"),
        };
        let _ = writeln!(
            out,
            "<text x=\"{MARGIN}\" y=\"{}\" {style}>{}{suffix}</text>\
             <line x1=\"{MARGIN}\" y1=\"{}\" x2=\"{grid_right}\" y2=\"{}\" stroke=\"#eaeef2\"/>",
            y + ROW_H / 2.0 + 4.0,
            escape(&label),
            y + ROW_H,
            y + ROW_H,
        );
        if let Some(sprint) = task.sprint {
            let stroke = if task.oversized {
                format!(" stroke=\"{OVER}\" stroke-width=\"2\"")
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{BAR_H}\" rx=\"3\" fill=\"{}\"{stroke}>\
                 <title>{}</title></rect>",
                column_x(sprint) + BAR_PAD,
                y + (ROW_H - BAR_H) / 2.0,
                COL_W - 2.0 * BAR_PAD,
                colour(timeline, task.team.as_deref()),
                escape(&format!(
                    "{} {} — {} days{}{}",
                    task.key,
                    task.summary,
                    days(task.estimate_days),
                    task.team
                        .as_deref()
                        .map_or(String::new(), |team| format!(", team {team}")),
                    if task.oversized {
                        ", larger than the sprint"
                    } else {
                        ""
                    }
                )),
            );
        }
    }

    // Dependency arrows, finish to start: right from the blocker's bar, down the column gap,
    // then into the blocked bar from its left (around the row gap when both share a column).
    out.push_str(
        "<g fill=\"none\" stroke=\"#4a4a4a\" stroke-opacity=\"0.7\" stroke-width=\"1\">\n",
    );
    for dep in &timeline.dependencies {
        let (Some(from), Some(to)) = (
            timeline.tasks.get(dep.blocker),
            timeline.tasks.get(dep.blocked),
        ) else {
            continue;
        };
        let (Some(a), Some(b)) = (from.sprint, to.sprint) else {
            continue;
        };
        let x1 = column_x(a) + COL_W - BAR_PAD;
        let y1 = row_y(dep.blocker) + ROW_H / 2.0;
        let x2 = column_x(b) + BAR_PAD;
        let y2 = row_y(dep.blocked) + ROW_H / 2.0;
        let turn = x1 + BAR_PAD / 2.0;
        if x2 > turn {
            let _ = writeln!(
                out,
                "<path d=\"M{x1} {y1} H{turn} V{y2} H{x2}\" marker-end=\"url(#arrow)\"/>"
            );
        } else {
            let gap = row_y(dep.blocked);
            let back = x2 - BAR_PAD / 2.0;
            let _ = writeln!(
                out,
                "<path d=\"M{x1} {y1} H{turn} V{gap} H{back} V{y2} H{x2}\" marker-end=\"url(#arrow)\"/>"
            );
        }
    }
    out.push_str("</g>\n");

    // Today.
    if let Some(x) = date_x(timeline, today, &column_x) {
        let _ = writeln!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{grid_top}\" x2=\"{x:.1}\" y2=\"{grid_bottom}\" \
             stroke=\"{OVER}\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>\
             <text x=\"{:.1}\" y=\"{}\" fill=\"{OVER}\" font-size=\"11\">today</text>",
            x + 3.0,
            grid_bottom + 12.0
        );
    }

    // Legend.
    let legend_y = grid_bottom + LEGEND_H - 8.0;
    let mut x = MARGIN;
    let mut entries: Vec<(Option<&str>, &str)> = timeline
        .teams
        .iter()
        .map(|team| (Some(team.as_str()), colour(timeline, Some(team))))
        .collect();
    if timeline.tasks.iter().any(|t| t.team.is_none()) {
        entries.push((None, NO_TEAM));
    }
    for (team, fill) in entries {
        let text = team.map_or_else(|| "no team".to_owned(), |team| truncate(team, 24));
        let _ = writeln!(
            out,
            "<rect x=\"{x}\" y=\"{}\" width=\"12\" height=\"12\" rx=\"2\" fill=\"{fill}\"/>\
             <text x=\"{}\" y=\"{legend_y}\" fill=\"#1b1f23\">{}</text>",
            legend_y - 10.0,
            x + 16.0,
            escape(&text)
        );
        x += 16.0 + 7.0 * text.chars().count() as f64 + 18.0;
    }
    out.push_str("</svg>\n");
    out
}

fn colour<'a>(timeline: &'a Timeline, team: Option<&str>) -> &'a str {
    team.and_then(|team| {
        timeline
            .teams
            .binary_search_by(|t| t.as_str().cmp(team))
            .ok()
    })
    .and_then(|i| PALETTE.get(i % PALETTE.len()))
    .copied()
    .unwrap_or(NO_TEAM)
}

/// Where `date` falls on the sprint axis (each column spans its sprint's days); a date between
/// two sprints sits on the later one's left edge; `None` outside the chart.
fn date_x(timeline: &Timeline, date: NaiveDate, column_x: &dyn Fn(usize) -> f64) -> Option<f64> {
    for (i, sprint) in timeline.sprints.iter().enumerate() {
        if date < sprint.start {
            return (i > 0).then(|| column_x(i));
        }
        if date <= sprint.end {
            let length = (sprint.end - sprint.start).num_days() as f64 + 1.0;
            let offset = (date - sprint.start).num_days() as f64;
            return Some(column_x(i) + COL_W * (offset + 0.5) / length);
        }
    }
    None
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// Text and attribute values safe in XML.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters other than tab and line breaks are not allowed in XML 1.0.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            '\u{FFFE}' | '\u{FFFF}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_xml_and_strips_control_characters() {
        assert_eq!(
            escape("<a href=\"x\">&'\u{7}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos; "
        );
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
