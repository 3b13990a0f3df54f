//! The timeline, its Markdown table and its SVG Gantt chart: rows and links as planned, exact
//! table text, well-formed standalone SVG with every text escaped, colours by team, arrows per
//! link and the today line.

mod common;

use common::*;
use sprint_planning::{PlanInput, Timeline, plan, render_markdown, render_svg, timeline};

fn demo() -> PlanInput {
    // Capacity 6, by critical path: API-1 (3 + 4 + 1) goes to sprint 1; API-2 (4) does not fit
    // beside it and opens sprint 2; WEB-1 (2) joins sprint 1; DOC-1 (no estimate: default 1)
    // fills sprint 1; QA-1 (1), blocked by API-2, joins it in sprint 2.
    let mut tasks = vec![
        team_task("API-1", 3.0, "api"),
        team_task("API-2", 4.0, "api"),
        team_task("WEB-1", 2.0, "web"),
        team_task("QA-1", 1.0, "qa"),
        task("DOC-1", 1.0),
    ];
    tasks[4].estimate_days = None;
    tasks[2].summary = "Login <form> & \"remember me\" it's".into();
    let mut i = input(
        tasks,
        &[("API-1", "API-2"), ("API-2", "QA-1"), ("API-1", "API-2")],
        6.0,
    );
    i.sprints = vec![sprint(31, "Sprint 1", date(2026, 1, 5), 14)];
    i
}

fn demo_timeline() -> (PlanInput, Timeline) {
    let i = demo();
    let p = plan(&i).unwrap();
    let t = timeline(&p, &i);
    (i, t)
}

#[test]
fn the_timeline_lists_rows_by_sprint_with_links_between_rows() {
    let (_, t) = demo_timeline();
    let rows: Vec<(&str, Option<usize>)> =
        t.tasks.iter().map(|r| (r.key.as_str(), r.sprint)).collect();
    assert_eq!(
        rows,
        [
            ("API-1", Some(0)),
            ("WEB-1", Some(0)),
            ("DOC-1", Some(0)),
            ("API-2", Some(1)),
            ("QA-1", Some(1)),
        ]
    );
    assert_eq!(t.sprints.len(), 2);
    assert_eq!(t.sprints[1].tasks, [3, 4]);
    assert!(!t.sprints[0].new && t.sprints[1].new);
    // The duplicate link appears once.
    let links: Vec<(usize, usize)> = t
        .dependencies
        .iter()
        .map(|d| (d.blocker, d.blocked))
        .collect();
    assert_eq!(links, [(0, 3), (3, 4)]);
    assert_eq!(t.teams, ["api", "qa", "web"]);
    assert_eq!(t.completion, Some(date(2026, 2, 1)));
    assert_eq!(t.tasks[1].summary, "Login <form> & \"remember me\" it's");
}

#[test]
fn markdown_is_a_table_of_sprints() {
    let (_, t) = demo_timeline();
    assert_eq!(
        render_markdown(&t),
        "| Sprint | Dates | Tasks | Used / capacity (days) | Utilisation |\n\
         |---|---|---|---|---|\n\
         | Sprint 1 | 2026-01-05 – 2026-01-18 | API-1, WEB-1, DOC-1 | 6 / 6 | 100 % |\n\
         | Sprint 2 (new) | 2026-01-19 – 2026-02-01 | API-2, QA-1 | 5 / 6 | 83 % |\n\
         \n\
         Estimated completion: 2026-02-01.\n"
    );
}

#[test]
fn markdown_names_unassigned_tasks_and_escapes_cells() {
    let mut i = demo();
    i.auto_create = None;
    i.sprints[0].name = "Sprint | one".into();
    let p = plan(&i).unwrap();
    let md = render_markdown(&timeline(&p, &i));
    assert!(md.contains("| Sprint \\| one |"), "{md}");
    assert!(md.contains("\nUnassigned: API-2, QA-1.\n"), "{md}");
}

#[test]
fn the_svg_is_well_formed_standalone_and_escapes_every_text() {
    let (_, t) = demo_timeline();
    let svg = render_svg(&t, date(2026, 1, 20));
    check_well_formed(&svg);
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    // Nothing external: the namespace is the only URL, links point inside the document.
    assert_eq!(svg.matches("http").count(), 1, "{svg}");
    assert!(!svg.contains("href"));
    assert!(svg.contains("Login &lt;form&gt; &amp; &quot;remember me&quot; it&apos;s"));
    assert!(!svg.contains("<form>"));
}

#[test]
fn the_svg_shows_sprints_bars_by_team_arrows_and_today() {
    let (_, t) = demo_timeline();
    let svg = render_svg(&t, date(2026, 1, 20));
    for text in [
        "Sprint 1</text>",
        "Sprint 2 (new)</text>",
        "Jan 19 – Feb 1, 2026",
        "5 / 6 d · 83 %",
        ">today</text>",
        "API-1 Summary of API-1 (3d)",
        "DOC-1 Summary of DOC-1 (1d)",
        "Login &lt;form&gt;",
        ">no team</text>",
    ] {
        assert!(svg.contains(text), "missing {text:?} in\n{svg}");
    }
    // One bar per assigned task, coloured by team: api twice in the same colour.
    let bars: Vec<&str> = svg
        .lines()
        .filter(|l| l.starts_with("<rect") && l.contains("<title>"))
        .collect();
    assert_eq!(bars.len(), 5);
    let fill = |line: &str| {
        line.split("fill=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(fill(bars[0]), fill(bars[3]), "api bars differ");
    assert_ne!(fill(bars[0]), fill(bars[1]), "api and web share a colour");
    assert_ne!(fill(bars[3]), fill(bars[4]), "api and qa share a colour");
    assert_eq!(fill(bars[2]), "#a0a0a0", "a task without a team is grey");
    // One arrow per link: API-1 → API-2 crosses sprints; API-2 → QA-1 stays in one column and
    // goes around through the row gap.
    let arrows: Vec<&str> = svg.lines().filter(|l| l.contains("marker-end")).collect();
    assert_eq!(arrows.len(), 2);
    assert_eq!(arrows[0].matches(['H', 'V']).count(), 3, "{}", arrows[0]);
    assert_eq!(arrows[1].matches(['H', 'V']).count(), 5, "{}", arrows[1]);
    // Today (Jan 20) is the second day of sprint 2: 1.5 / 14 of its column.
    let expected_x = 12.0 + 320.0 + 150.0 + 150.0 * 1.5 / 14.0;
    assert!(
        svg.contains(&format!("<line x1=\"{expected_x:.1}\"")),
        "{svg}"
    );
}

#[test]
fn the_today_line_is_left_out_when_today_is_off_the_chart() {
    let (_, t) = demo_timeline();
    for day in [date(2025, 12, 1), date(2026, 6, 1)] {
        let svg = render_svg(&t, day);
        assert!(!svg.contains(">today</text>"));
        check_well_formed(&svg);
    }
}

#[test]
fn the_svg_is_deterministic_and_handles_unassigned_and_empty_plans() {
    let (_, t) = demo_timeline();
    assert_eq!(
        render_svg(&t, date(2026, 1, 20)),
        render_svg(&t, date(2026, 1, 20))
    );

    let mut i = demo();
    i.auto_create = None;
    let p = plan(&i).unwrap();
    let svg = render_svg(&timeline(&p, &i), date(2026, 1, 6));
    check_well_formed(&svg);
    assert!(svg.contains("— unassigned</text>"));
    assert!(svg.contains("2 unassigned"));
    // Links to unassigned tasks draw no arrow.
    assert_eq!(svg.matches("marker-end").count(), 0);

    let empty = input(Vec::new(), &[], 5.0);
    let svg = render_svg(&timeline(&plan(&empty).unwrap(), &empty), date(2026, 1, 6));
    check_well_formed(&svg);
}

/// A small XML well-formedness check: balanced tags, one root, quoted attributes without `<`,
/// and every `&` starting a predefined or numeric entity.
fn check_well_formed(xml: &str) {
    fn check_entities(text: &str, context: &str) {
        assert!(!text.contains('<'), "raw < in {context}: {text:?}");
        let mut rest = text;
        while let Some(at) = rest.find('&') {
            rest = &rest[at..];
            let end = rest
                .find(';')
                .unwrap_or_else(|| panic!("bare & in {context}: {text:?}"));
            let entity = &rest[1..end];
            let ok = matches!(entity, "amp" | "lt" | "gt" | "quot" | "apos")
                || entity
                    .strip_prefix('#')
                    .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()));
            assert!(ok, "bad entity &{entity}; in {context}");
            rest = &rest[end + 1..];
        }
    }
    let mut stack: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut rest = xml;
    while !rest.is_empty() {
        match rest.find('<') {
            None => {
                assert!(rest.trim().is_empty(), "text after the root: {rest:?}");
                break;
            }
            Some(at) => {
                let text = &rest[..at];
                if stack.is_empty() {
                    assert!(text.trim().is_empty(), "text outside the root: {text:?}");
                }
                check_entities(text, "text");
                rest = &rest[at..];
            }
        }
        let end = rest.find('>').expect("unclosed tag");
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop(), Some(name.trim()), "mismatched </{name}>");
            continue;
        }
        let self_closing = tag.ends_with('/');
        let body = tag.trim_end_matches('/');
        let name = body.split_whitespace().next().expect("empty tag");
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':'),
            "{name}"
        );
        // Attributes: name="value" pairs.
        let mut attrs = body[name.len()..].trim();
        while !attrs.is_empty() {
            let eq = attrs
                .find("=\"")
                .unwrap_or_else(|| panic!("unquoted attribute in <{tag}>"));
            let value_end = attrs[eq + 2..].find('"').expect("unterminated attribute") + eq + 2;
            check_entities(&attrs[eq + 2..value_end], "an attribute");
            attrs = attrs[value_end + 1..].trim_start();
        }
        if stack.is_empty() {
            roots += 1;
            assert_eq!(name, "svg");
        }
        if !self_closing {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    assert_eq!(roots, 1);
}
