//! PRD parse and edit speed: a generated 1 MB Confluence page (sections of prose, lists, info
//! and code macros with CDATA and a metrics table each, and a 300-row story table whose cells
//! hold Jira macros, links, bullet lists and Given/When/Then criteria), read as stories and
//! edited with a link in every unticketed row; then the same with a 1,500-row story table (most
//! of the page), to show how the cost grows with the table. Prints a markdown table.
//!
//! Run with `cargo bench -p prd-table --bench prd_sync`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use prd_table::{RowLink, find_story_table, write_links, write_links_to};

const TARGET_BYTES: usize = 1_000_000;
const STORY_ROWS: usize = 300;
const BIG_STORY_ROWS: usize = 1_500;
const RUNS: usize = 30;

fn section(index: usize) -> String {
    format!(
        "<h2>Section {index}: checkout &amp; payments</h2>\
<ac:structured-macro ac:name=\"info\" ac:schema-version=\"1\" ac:macro-id=\"m-{index}\"><ac:rich-text-body><p>Status: <strong>Approved</strong>. Owner: <ac:link><ri:user ri:account-id=\"712020:{index}\" /></ac:link>.</p></ac:rich-text-body></ac:structured-macro>\
<p>{prose}</p><p>{prose}</p>\
<ul><li><p>Guest checkout without an account &mdash; see <a href=\"https://example.com/rfc-{index}\">RFC-{index}</a>.</p></li><li><p>Address entry for every country.</p></li><li><p>Inline errors &lt;no reload&gt;.</p></li></ul>\
<ac:structured-macro ac:name=\"code\" ac:schema-version=\"1\"><ac:parameter ac:name=\"language\">json</ac:parameter><ac:plain-text-body><![CDATA[{{\"card_declined\": \"<b>Declined</b> & retry\", \"section\": {index}}}]]></ac:plain-text-body></ac:structured-macro>\
<h3>Metrics {index}</h3><table><tbody><tr><th><p>Metric</p></th><th><p>Target</p></th></tr><tr><td><p>Abandonment</p></td><td><p>25%</p></td></tr><tr><td><p>Errors</p></td><td><p>&lt; 1%</p></td></tr></tbody></table>\n",
        prose = "Shoppers who reach the payment step abandon their cart when an account is forced, when the address form rejects valid international addresses, or when card errors appear only after a reload. ".repeat(3),
    )
}

fn story_row(index: usize) -> String {
    let ticket = match index % 4 {
        0 => format!(
            "<p><ac:structured-macro ac:name=\"jira\" ac:schema-version=\"1\" ac:macro-id=\"j-{index}\"><ac:parameter ac:name=\"key\">SHOP-{index}</ac:parameter><ac:parameter ac:name=\"server\">System Jira</ac:parameter></ac:structured-macro></p>"
        ),
        1 => format!(
            "<p><a href=\"https://acme.atlassian.net/browse/SHOP-{index}\">SHOP-{index}</a></p>"
        ),
        _ => "<p></p>".to_owned(),
    };
    let criteria = if index.is_multiple_of(2) {
        "<ul><li><p>Given a guest at the payment step</p></li><li><p>When they pay with a valid card</p></li><li><p>Then the order is confirmed without an account</p></li></ul>".to_owned()
    } else {
        "<ol><li><p>Every shipping country is selectable.</p></li><li><p>Postcode optional where the country has none.</p></li></ol>".to_owned()
    };
    format!(
        "<tr><td>{ticket}</td><td><p>Story {index}: As a shopper, I want to pay in one step so that I finish faster.</p></td><td><p>Details for story {index} with <strong>bold</strong> and <code>code</code>.</p></td><td>{criteria}</td><td><p><ac:structured-macro ac:name=\"status\" ac:schema-version=\"1\"><ac:parameter ac:name=\"title\">High</ac:parameter></ac:structured-macro></p></td></tr>\n"
    )
}

fn generated_page(story_rows: usize) -> String {
    let mut page = String::with_capacity(TARGET_BYTES + 100_000);
    page.push_str("<h1>Checkout revamp PRD</h1>\n");
    let mut index = 0;
    while page.len() < TARGET_BYTES / 2 {
        page.push_str(&section(index));
        index += 1;
    }
    page.push_str("<h2>Story Ticket List</h2>\n<table data-layout=\"default\"><colgroup><col /><col /><col /><col /><col /></colgroup><tbody>\n<tr><th><p><strong>JIRA Ticket</strong></p></th><th><p><strong>User Story</strong></p></th><th><p><strong>Description</strong></p></th><th><p><strong>Acceptance Criteria</strong></p></th><th><p><strong>Priority</strong></p></th></tr>\n");
    for row in 0..story_rows {
        page.push_str(&story_row(row));
    }
    page.push_str("</tbody></table>\n");
    while page.len() < TARGET_BYTES {
        page.push_str(&section(index));
        index += 1;
    }
    page
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Vec<Duration> {
    let mut timings: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            black_box(f());
            started.elapsed()
        })
        .collect();
    timings.sort();
    timings
}

fn millis(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn links_for(page: &str) -> Vec<RowLink> {
    find_story_table(page)
        .expect("the page has a story table")
        .rows
        .iter()
        .filter(|row| row.ticket.is_none())
        .map(|row| {
            let key = format!("NEW-{}", row.row);
            let url = format!("https://acme.atlassian.net/browse/{key}");
            RowLink::new(&row.row_id, &row.title, &key, &url)
        })
        .collect()
}

fn main() {
    let page = generated_page(STORY_ROWS);
    let table = find_story_table(&page).expect("the page has a story table");
    let links: Vec<RowLink> = table
        .rows
        .iter()
        .filter(|row| row.ticket.is_none())
        .map(|row| {
            let key = format!("NEW-{}", row.row);
            let url = format!("https://acme.atlassian.net/browse/{key}");
            RowLink::new(&row.row_id, &row.title, &key, &url)
        })
        .collect();
    let tables = page.matches("<table").count();
    println!(
        "page of {} KB: {} tables, story table of {} rows, {} links to write\n",
        page.len() / 1024,
        tables,
        table.rows.len(),
        links.len()
    );
    println!("| metric | target | measured |");
    println!("|---|---|---|");

    let tree = time(RUNS, || markup::list_tables(&page).expect("parses"));
    println!(
        "| for comparison: markup::list_tables, a full parse of the whole page, p50 of {RUNS} | - | {} |",
        millis(percentile(&tree, 0.5))
    );
    let parse = time(RUNS, || find_story_table(&page).expect("parses"));
    println!(
        "| parse: find the story table and read {} rows of a {} KB page, p50 of {RUNS} | - | {} |",
        table.rows.len(),
        page.len() / 1024,
        millis(percentile(&parse, 0.5))
    );
    let edit = time(RUNS, || write_links(&page, &links).expect("edits"));
    let written = write_links(&page, &links).expect("edits");
    println!(
        "| edit: write {} links (re-reads the table, splices the cells), p50 of {RUNS} | - | {} |",
        written.written(),
        millis(percentile(&edit, 0.5))
    );
    let both = time(RUNS, || {
        let story = find_story_table(&page).expect("parses");
        let links: Vec<RowLink> = story
            .rows
            .iter()
            .filter(|row| row.ticket.is_none())
            .map(|row| {
                let key = format!("NEW-{}", row.row);
                RowLink::new(
                    &row.row_id,
                    &row.title,
                    &key,
                    &format!("https://acme.atlassian.net/browse/{key}"),
                )
            })
            .collect();
        write_links_to(&page, &story, &links).expect("edits")
    });
    println!(
        "| parse + edit of the {} KB page (read the stories, write the links into the table read), p50 of {RUNS} | ≤ 20 ms | {} |",
        page.len() / 1024,
        millis(percentile(&both, 0.5))
    );
    println!(
        "| same, fastest of {RUNS} (least disturbed by other processes) | - | {} |",
        millis(percentile(&both, 0.0))
    );
    println!(
        "| same, slowest of {RUNS} | - | {} |",
        millis(percentile(&both, 1.0))
    );
    let again = time(RUNS, || write_links(&written.page, &links).expect("edits"));
    println!(
        "| second sync: re-read the edited page, nothing to write, p50 of {RUNS} | - | {} |",
        millis(percentile(&again, 0.5))
    );

    let big = generated_page(BIG_STORY_ROWS);
    let big_links = links_for(&big);
    let timings = time(RUNS, || {
        let story = find_story_table(&big).expect("parses");
        write_links_to(&big, &story, &big_links).expect("edits")
    });
    println!(
        "| parse + edit, {} KB page whose story table has {BIG_STORY_ROWS} rows ({} links), p50 of {RUNS} | - | {} |",
        big.len() / 1024,
        big_links.len(),
        millis(percentile(&timings, 0.5))
    );
}
