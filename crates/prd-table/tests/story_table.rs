//! The story table of real-looking PRD pages: which table is chosen, how rows read as stories,
//! and link write-back that changes no byte outside the cells it fills.

use prd_table::{
    LinkStatus, PrdError, RowLink, TicketSource, find_story_table, link_markup, write_links,
};

/// The sandbox's demo PRD page (crates/sandbox/src/demo.rs), verbatim.
const DEMO_PRD: &str = r#"<h1>Checkout revamp</h1>
<ac:structured-macro ac:name="info" ac:schema-version="1" ac:macro-id="8c2f6a10-1b7e-4f1c-9a52-0d3e4b5c6a71"><ac:rich-text-body><p>Status: <strong>Approved</strong>. Owner: Product. Target: end of next quarter.</p></ac:rich-text-body></ac:structured-macro>
<h2>Problem</h2>
<p>37% of shoppers who reach the payment step abandon their cart. Session recordings show three causes: a forced account creation, an address form that rejects valid international addresses, and card errors reported only after a full page reload.</p>
<h2>Goals</h2>
<ul><li><p>Guest checkout without an account.</p></li><li><p>Address entry that accepts every country we ship to, with autocomplete.</p></li><li><p>Inline, specific payment errors.</p></li></ul>
<h2>Story Ticket List</h2>
<table data-table-width="760" data-layout="default" ac:local-id="0318fde6-5c1b-4d3e-8f0a-7b2c9e4d1a56"><colgroup><col style="width: 95.0px;" /><col style="width: 300.0px;" /><col style="width: 365.0px;" /></colgroup><tbody>
<tr><th><p><strong>Ticket</strong></p></th><th><p><strong>Story</strong></p></th><th><p><strong>Notes</strong></p></th></tr>
<tr><td><p><ac:structured-macro ac:name="jira" ac:schema-version="1" ac:macro-id="4b1d2e3f-0a9c-4e8d-b7f6-1c2d3e4f5a6b"><ac:parameter ac:name="key">DEMO-4</ac:parameter><ac:parameter ac:name="server">System Jira</ac:parameter></ac:structured-macro></p></td><td><p>Guest checkout</p></td><td><p>Shoppers can pay without creating an account; offer account creation after payment.</p></td></tr>
<tr><td><p><ac:structured-macro ac:name="jira" ac:schema-version="1" ac:macro-id="5c2e3f40-1b0d-4f9e-c8a7-2d3e4f5a6b7c"><ac:parameter ac:name="key">DEMO-5</ac:parameter><ac:parameter ac:name="server">System Jira</ac:parameter></ac:structured-macro></p></td><td><p>International address form</p></td><td><p>Accept every shipping country; postcode optional where the country has none.</p></td></tr>
<tr><td><p><ac:structured-macro ac:name="jira" ac:schema-version="1" ac:macro-id="6d3f4051-2c1e-40af-d9b8-3e4f5a6b7c8d"><ac:parameter ac:name="key">DEMO-6</ac:parameter><ac:parameter ac:name="server">System Jira</ac:parameter></ac:structured-macro></p></td><td><p>Inline payment errors</p></td><td><p>Show the processor's decline reason next to the card field, without a reload.</p></td></tr>
<tr><td><p></p></td><td><p>Saved cards for returning shoppers</p></td><td><p>Not ticketed yet; needs the tokenisation decision from <a href="https://example.com/rfc-12">RFC-012</a>.</p></td></tr>
</tbody></table>
<h2>Payment error contract</h2>
<p>The front end maps processor codes to messages with this table:</p>
<ac:structured-macro ac:name="code" ac:schema-version="1" ac:macro-id="7e405162-3d2f-41b0-e0c9-4f5a6b7c8d9e"><ac:parameter ac:name="language">json</ac:parameter><ac:plain-text-body><![CDATA[{
  "card_declined": "Your bank declined the card. Try another card.",
  "expired_card": "This card has expired.",
  "incorrect_cvc": "The security code is incorrect."
}]]></ac:plain-text-body></ac:structured-macro>
<h2>Out of scope</h2>
<p>Buy now, pay later providers &amp; gift cards.</p>"#;

fn url(key: &str) -> String {
    format!("https://acme.atlassian.net/browse/{key}")
}

fn link(row: &prd_table::StoryRow, key: &str) -> RowLink {
    RowLink::new(&row.row_id, &row.title, key, &url(key))
}

#[test]
fn the_demo_prd_reads_as_four_stories_three_ticketed() {
    let table = find_story_table(DEMO_PRD).unwrap();
    assert_eq!(table.heading.as_deref(), Some("Story Ticket List"));
    assert_eq!(table.columns.ticket.as_ref().map(|c| c.index), Some(0));
    assert_eq!(
        table.columns.title.as_ref().map(|c| c.header.as_str()),
        Some("Story")
    );
    assert_eq!(
        table
            .columns
            .description
            .as_ref()
            .map(|c| c.header.as_str()),
        Some("Notes")
    );
    let titles: Vec<&str> = table.rows.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Guest checkout",
            "International address form",
            "Inline payment errors",
            "Saved cards for returning shoppers"
        ]
    );
    let keys: Vec<Option<(&str, TicketSource)>> = table
        .rows
        .iter()
        .map(|r| r.ticket.as_ref().map(|t| (t.key.as_str(), t.source)))
        .collect();
    assert_eq!(
        keys,
        [
            Some(("DEMO-4", TicketSource::JiraMacro)),
            Some(("DEMO-5", TicketSource::JiraMacro)),
            Some(("DEMO-6", TicketSource::JiraMacro)),
            None
        ]
    );
    assert!(table.rows[3].description.contains("RFC-012"));
    // Row ids are stable and distinct.
    let again = find_story_table(DEMO_PRD).unwrap();
    assert_eq!(table.rows, again.rows);
    let mut ids: Vec<&str> = table.rows.iter().map(|r| r.row_id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 4);
}

#[test]
fn writing_the_missing_link_changes_only_that_cell_and_is_idempotent() {
    let table = find_story_table(DEMO_PRD).unwrap();
    let saved = &table.rows[3];
    let links = vec![link(&table.rows[0], "DEMO-4"), link(saved, "DEMO-7")];
    let written = write_links(DEMO_PRD, &links).unwrap();
    assert!(written.changed);
    assert!(!written.added_column);
    assert_eq!(written.outcomes[0].status, LinkStatus::AlreadyLinked);
    assert_eq!(written.outcomes[1].status, LinkStatus::Written);
    let anchor = link_markup("DEMO-7", &url("DEMO-7"));
    assert!(
        written
            .page
            .contains(&format!("<tr><td><p>{anchor}</p></td><td><p>Saved cards"))
    );
    // Every byte outside the filled cell is the original's.
    assert_eq!(written.page.replacen(&anchor, "", 1), DEMO_PRD);
    // Read back: the same rows, with the new key.
    let reread = find_story_table(&written.page).unwrap();
    assert_eq!(reread.rows[3].ticket.as_ref().unwrap().key, "DEMO-7");
    assert_eq!(
        reread.rows[3].ticket.as_ref().unwrap().source,
        TicketSource::Link
    );
    assert_eq!(reread.rows[3].row_id, saved.row_id);
    // A second write changes nothing.
    let twice = write_links(&written.page, &links).unwrap();
    assert!(!twice.changed);
    assert_eq!(twice.page, written.page);
    assert!(
        twice
            .outcomes
            .iter()
            .all(|o| o.status == LinkStatus::AlreadyLinked)
    );
}

#[test]
fn a_filled_cell_is_kept_and_an_unknown_row_is_reported() {
    let table = find_story_table(DEMO_PRD).unwrap();
    let links = vec![
        link(&table.rows[0], "DEMO-99"),
        RowLink::new("no-such-row", "No such story", "DEMO-98", &url("DEMO-98")),
    ];
    let written = write_links(DEMO_PRD, &links).unwrap();
    assert!(!written.changed);
    assert_eq!(written.outcomes[0].status, LinkStatus::KeptOther);
    assert_eq!(written.outcomes[1].status, LinkStatus::RowNotFound);
}

const SEVERAL_TABLES: &str = r#"<h1>Loyalty PRD</h1>
<h2>Stakeholders</h2>
<table><tbody><tr><th>Name</th><th>Role</th></tr><tr><td>Ana</td><td>PM</td></tr></tbody></table>
<h2>Story Ticket List</h2>
<ac:layout><ac:layout-section ac:type="single"><ac:layout-cell>
<table><colgroup><col /><col /><col /></colgroup><tbody>
<tr><th><p>#</p></th><th><p>User Story</p></th><th><p>Acceptance Criteria</p></th><th><p>Importance</p></th></tr>
<tr><td><p>1</p></td><td><p>Points balance: As a member, I want to see my points balance so that I know what I can redeem.</p></td><td><ul><li><p>Given a member</p></li><li><p>When they open the account page</p></li><li><p>Then the balance is shown</p></li></ul></td><td><p><ac:structured-macro ac:name="status" ac:schema-version="1"><ac:parameter ac:name="title">Must</ac:parameter><ac:parameter ac:name="colour">Red</ac:parameter></ac:structured-macro></p></td></tr>
<tr><td colspan="4"><p><strong>Phase 2</strong></p></td></tr>
<tr><td><p>2</p></td><td><p>As an admin I want to expire points after a year</p></td><td><p>Expired points are gone; members get an e-mail</p></td></tr>
<tr><td><p>3</p></td><td colspan="2"><p>Redeem points at checkout</p></td><td><p>Should</p></td></tr>
<tr><td><p>4</p></td><td><p>Points history</p></td><td><p>Shows the last 50 changes</p></td><td><p>Could</p></td></tr>
</tbody></table>
</ac:layout-cell></ac:layout-section></ac:layout>
<h2>Appendix</h2>
<table><tbody><tr><th>Metric</th><th>Target</th></tr><tr><td>Redemption rate</td><td>15%</td></tr></tbody></table>"#;

#[test]
fn several_tables_merged_and_short_rows_gherkin_and_macros() {
    let table = find_story_table(SEVERAL_TABLES).unwrap();
    assert_eq!(table.table_index, 1);
    assert!(table.columns.ticket.is_none());
    assert_eq!(table.columns.user_story.as_ref().map(|c| c.index), Some(1));
    assert_eq!(table.rows.len(), 4, "{:?}", table.rows);
    assert_eq!(table.skipped.len(), 1);
    assert!(table.skipped[0].reason.contains("merged row"));

    let points = &table.rows[0];
    assert_eq!(points.title, "Points balance");
    assert_eq!(
        points.user_story.as_deref(),
        Some("As a member, I want to see my points balance so that I know what I can redeem.")
    );
    assert_eq!(
        points.acceptance_criteria,
        ["Given a member\nWhen they open the account page\nThen the balance is shown"]
    );
    assert_eq!(points.priority.as_deref(), Some("Must"));
    assert!(
        points
            .jira_description()
            .contains("## Acceptance Criteria\n\n- Given a member\n  When they open")
    );

    let expire = &table.rows[1];
    assert_eq!(expire.title, "Expire points after a year");
    assert_eq!(
        expire.acceptance_criteria,
        ["Expired points are gone", "members get an e-mail"]
    );
    assert_eq!(expire.priority, None);
    assert!(expire.notes.iter().any(|n| n.contains("short row")));

    // A colspan cell over the story and criteria columns is the title only.
    let redeem = &table.rows[2];
    assert_eq!(redeem.title, "Redeem points at checkout");
    assert!(redeem.acceptance_criteria.is_empty());
    assert_eq!(redeem.priority.as_deref(), Some("Should"));

    let history = &table.rows[3];
    assert_eq!(history.acceptance_criteria, ["Shows the last 50 changes"]);
    assert!(history.ticket.is_none());
}

#[test]
fn a_table_without_a_ticket_column_gets_one_and_nothing_else_changes() {
    let table = find_story_table(SEVERAL_TABLES).unwrap();
    let links: Vec<RowLink> = table
        .rows
        .iter()
        .enumerate()
        .map(|(i, row)| link(row, &format!("LOY-{}", i + 1)))
        .collect();
    let written = write_links(SEVERAL_TABLES, &links).unwrap();
    assert!(written.added_column);
    assert_eq!(written.written(), 4);
    let reread = find_story_table(&written.page).unwrap();
    assert_eq!(
        reread.columns.ticket.as_ref().map(|c| c.header.as_str()),
        Some("JIRA Ticket"),
        "{}",
        written.page
    );
    for (i, row) in reread.rows.iter().enumerate() {
        assert_eq!(
            row.ticket.as_ref().map(|t| t.key.clone()),
            Some(format!("LOY-{}", i + 1)),
            "{}",
            written.page
        );
        assert_eq!(
            row.row_id, table.rows[i].row_id,
            "ids survive the write-back"
        );
        assert_eq!(row.title, table.rows[i].title);
        assert_eq!(row.acceptance_criteria, table.rows[i].acceptance_criteria);
    }
    assert!(
        written
            .page
            .contains("<col /><col /><col /><col /></colgroup>")
    );
    assert!(written.page.contains("<th><p>JIRA Ticket</p></th></tr>"));
    // The other tables and everything outside the story table are untouched.
    let start = written.page.find("<h2>Appendix</h2>").unwrap();
    assert!(SEVERAL_TABLES.ends_with(&written.page[start..]));
    let prefix = SEVERAL_TABLES.find("<col /></colgroup>").unwrap();
    assert_eq!(&written.page[..prefix], &SEVERAL_TABLES[..prefix]);
    assert!(!write_links(&written.page, &links).unwrap().changed);
}

#[test]
fn keys_in_links_and_text_and_a_title_only_table_elsewhere() {
    let page = r#"<p>Intro</p><table><tbody>
<tr><td><p>Summary</p></td><td><p>Description</p></td><td><p>JIRA</p></td></tr>
<tr><td><p>Export orders</p></td><td><p>CSV export</p></td><td><p><a href="https://acme.atlassian.net/browse/SHOP-12">SHOP-12</a></p></td></tr>
<tr><td><p>Import orders</p></td><td><p>From CSV</p></td><td><p>see SHOP-13</p></td></tr>
<tr><td><p>Refund orders</p></td><td><p>Full and partial</p></td><td><p> SHOP-15 </p></td></tr>
<tr><td><p>Archive orders</p></td><td><p>After a year</p></td><td><p>[TEMP-6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f](placeholder)</p></td></tr>
</tbody></table>"#;
    let table = find_story_table(page).unwrap();
    assert_eq!(table.heading, None);
    let tickets: Vec<_> = table
        .rows
        .iter()
        .take(2)
        .map(|r| r.ticket.clone().unwrap())
        .collect();
    assert_eq!(tickets[0].key, "SHOP-12");
    assert_eq!(tickets[0].source, TicketSource::Link);
    assert_eq!(tickets[1].key, "SHOP-13");
    assert_eq!(tickets[1].source, TicketSource::Text);
    // A placeholder an earlier (reference) sync wrote is the row's id, and the link replaces it.
    let refund = &table.rows[2];
    assert_eq!(
        refund.ticket.as_ref().unwrap().source,
        TicketSource::BareText
    );
    // A bare key becomes a link to the same issue; one among other text is left alone.
    let upgrade = write_links(
        page,
        &[
            RowLink::new(&refund.row_id, &refund.title, "SHOP-15", &url("SHOP-15")),
            RowLink::new(
                &table.rows[1].row_id,
                "Import orders",
                "SHOP-13",
                &url("SHOP-13"),
            ),
        ],
    )
    .unwrap();
    assert_eq!(upgrade.outcomes[0].status, LinkStatus::Written);
    assert_eq!(upgrade.outcomes[1].status, LinkStatus::AlreadyLinked);
    assert!(upgrade.page.contains(&format!(
        "<td><p>{}</p></td></tr>",
        link_markup("SHOP-15", &url("SHOP-15"))
    )));
    assert!(upgrade.page.contains("<td><p>see SHOP-13</p></td>"));
    let archive = &table.rows[3];
    assert_eq!(archive.row_id, "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f");
    assert_eq!(archive.ticket, None);
    let written = write_links(
        page,
        &[RowLink::new(
            &archive.row_id,
            "renamed",
            "SHOP-14",
            &url("SHOP-14"),
        )],
    )
    .unwrap();
    assert_eq!(written.written(), 1);
    assert!(written.page.contains(&format!(
        "<td><p>{}</p></td></tr>",
        link_markup("SHOP-14", &url("SHOP-14"))
    )));
    assert!(!written.page.contains("TEMP-"));
}

#[test]
fn a_page_without_a_story_table_is_a_clear_error() {
    let page = "<h2>Stakeholders</h2><table><tbody><tr><th>Name</th><th>Role</th></tr><tr><td>Ana</td><td>PM</td></tr></tbody></table>";
    let error = find_story_table(page).unwrap_err();
    assert!(
        matches!(error, PrdError::NoStoryTable { tables: 1, .. }),
        "{error}"
    );
    let message = error.to_string();
    assert!(
        message.contains("Story Ticket List") && message.contains("[Name, Role]"),
        "{message}"
    );
    assert!(matches!(
        find_story_table("<p>no tables</p>"),
        Err(PrdError::NoStoryTable { tables: 0, .. })
    ));
    let malformed =
        "<h2>Story List</h2><table><tr><th>Title</th></tr><tr><td><p>x</td></tr></table>";
    assert!(matches!(
        find_story_table(malformed),
        Err(PrdError::Storage(_))
    ));
}

#[test]
fn a_table_read_from_another_page_is_not_trusted() {
    let other = find_story_table(SEVERAL_TABLES).unwrap();
    let table = find_story_table(DEMO_PRD).unwrap();
    let links = vec![link(&table.rows[3], "DEMO-7")];
    let direct = prd_table::write_links_to(DEMO_PRD, &table, &links).unwrap();
    let guarded = prd_table::write_links_to(DEMO_PRD, &other, &links).unwrap();
    assert_eq!(direct, write_links(DEMO_PRD, &links).unwrap());
    assert_eq!(guarded, direct);
}
