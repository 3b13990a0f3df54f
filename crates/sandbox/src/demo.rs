//! Starting data: the site every sandbox has (project `DEMO`, its scrum board, the Confluence
//! space `DEMO`) and the demo dataset (epics, stories, tasks, sub-tasks, links, sprints, PRD and
//! RFC pages) used by `planwright serve --sandbox` and by tests that want realistic content.
//!
//! The demo tells one story: a team revamping an online shop's checkout. `DEMO-1` is the
//! checkout epic whose PRD lives in Confluence (linked through the "PRD URL" field), `DEMO-2`
//! is a payments epic with an RFC, and `DEMO-3` an order-history epic with no documents yet.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::auth::DEFAULT_ACCOUNT_ID;
use crate::state::{
    MANDAYS_FIELD, NewIssue, NewPage, PRD_URL_FIELD, RFC_URL_FIELD, STORY_POINTS_FIELD,
    SprintChanges, SprintState, Store, TEST_CASES_FIELD, User,
};

/// Key of the demo project and space.
pub const DEMO_KEY: &str = "DEMO";

/// Creates project `DEMO`, its board and the Confluence space `DEMO`.
pub(crate) fn seed_site(store: &mut Store, now: DateTime<Utc>) {
    let lead = store
        .users()
        .first()
        .map(|u| u.account_id.clone())
        .unwrap_or_else(|| DEFAULT_ACCOUNT_ID.to_string());
    let project = store.add_project(DEMO_KEY, "Demo project", &lead);
    store.set_project_description(
        &project,
        "Planwright's demo project: an online shop's checkout revamp, planned in Jira.",
    );
    store.add_board("DEMO board", &project);
    store.add_space(
        DEMO_KEY,
        "Demo space",
        "Product requirements and RFCs for the demo project.",
        &lead,
        now,
    );
}

fn text(t: &str) -> Value {
    json!({"type": "text", "text": t})
}

fn paragraph(t: &str) -> Value {
    json!({"type": "paragraph", "content": [text(t)]})
}

fn heading(level: u8, t: &str) -> Value {
    json!({"type": "heading", "attrs": {"level": level}, "content": [text(t)]})
}

fn bullets(items: &[&str]) -> Value {
    json!({"type": "bulletList", "content": items.iter().map(|i| json!({"type": "listItem", "content": [paragraph(i)]})).collect::<Vec<_>>()})
}

fn doc(content: Vec<Value>) -> Value {
    json!({"type": "doc", "version": 1, "content": content})
}

fn story_description(goal: &str, criteria: &[&str]) -> Value {
    doc(vec![
        heading(3, "Goal"),
        paragraph(goal),
        heading(3, "Acceptance criteria"),
        bullets(criteria),
    ])
}

const PRD_STORAGE: &str = r#"<h1>Checkout revamp</h1>
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

const RFC_STORAGE: &str = r#"<h1>RFC-012: Idempotent payment requests</h1>
<ac:structured-macro ac:name="info" ac:schema-version="1" ac:macro-id="9a617384-5f4b-43d2-a2eb-6b7c8d9e0f1a"><ac:rich-text-body><p>Status: <strong>In review</strong>. Reviewers: Payments, SRE.</p></ac:rich-text-body></ac:structured-macro>
<h2>Context</h2>
<p>Retries after network timeouts occasionally charge a shopper twice (14 incidents last quarter).</p>
<h2>Proposal</h2>
<p>Every payment request carries an <code>Idempotency-Key</code> header derived from the order id and attempt number. The payment service stores the first response per key for 24 hours and replays it for duplicates.</p>
<ac:structured-macro ac:name="code" ac:schema-version="1" ac:macro-id="ab728495-6a5c-44e3-b3fc-7c8d9e0f1a2b"><ac:parameter ac:name="language">sql</ac:parameter><ac:plain-text-body><![CDATA[CREATE TABLE idempotency_keys (
  key        TEXT PRIMARY KEY,
  response   JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);]]></ac:plain-text-body></ac:structured-macro>
<h2>Alternatives</h2>
<ul><li><p>Deduplicate on the processor side: not supported by two of our three processors.</p></li></ul>"#;

/// Adds the demo dataset on top of [`seed_site`]. `base_url` is where the sandbox is served,
/// so the PRD and RFC links point at its own Confluence pages.
pub(crate) fn seed_demo(store: &mut Store, base_url: &str, now: DateTime<Utc>) {
    let me = store
        .users()
        .first()
        .map(|u| u.account_id.clone())
        .unwrap_or_else(|| DEFAULT_ACCOUNT_ID.to_string());
    let priya = "712020:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d".to_string();
    let marco = "712020:1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e".to_string();
    for (id, email, name) in [
        (&priya, "priya.raman@example.com", "Priya Raman"),
        (&marco, "marco.rossi@example.com", "Marco Rossi"),
    ] {
        store.add_user(User {
            account_id: id.clone(),
            email: email.into(),
            display_name: name.into(),
            time_zone: "Europe/Berlin".into(),
            active: true,
        });
    }

    let space = store
        .space(DEMO_KEY)
        .map(|s| s.id.clone())
        .expect("seed_site ran");
    let created = now - Duration::days(40);
    let home = store
        .create_page(
            NewPage {
                space_id: space.clone(),
                parent_id: None,
                title: "Demo space home".into(),
                storage: "<p>Welcome to the demo space. Requirements live under <strong>Product</strong>, designs under <strong>Engineering</strong>.</p>".into(),
            },
            &me,
            created,
        )
        .expect("space exists");
    let prd = store
        .create_page(
            NewPage {
                space_id: space.clone(),
                parent_id: Some(home.clone()),
                title: "Checkout revamp PRD".into(),
                storage: PRD_STORAGE.into(),
            },
            &priya,
            created,
        )
        .expect("space exists");
    let rfc = store
        .create_page(
            NewPage {
                space_id: space,
                parent_id: Some(home),
                title: "RFC-012 Idempotent payment requests".into(),
                storage: RFC_STORAGE.into(),
            },
            &marco,
            created,
        )
        .expect("space exists");
    let page_url =
        |id: &str, slug: &str| format!("{base_url}/wiki/spaces/{DEMO_KEY}/pages/{id}/{slug}");

    let create = |store: &mut Store, issue: NewIssue, days_ago: i64| -> String {
        let id = store
            .create_issue(issue, &me, now - Duration::days(days_ago))
            .expect("demo issues are valid");
        store.issue(&id).expect("created").key.clone()
    };

    // Epics.
    let checkout = create(
        store,
        NewIssue::new(DEMO_KEY, "Epic", "Checkout revamp")
            .description(doc(vec![paragraph("Cut cart abandonment at the payment step from 37% to 25%. Requirements are in the PRD.")]))
            .custom(PRD_URL_FIELD, json!(page_url(&prd, "Checkout+revamp+PRD")))
            .assignee(&priya)
            .status("In Progress")
            .labels(["checkout", "q3"]),
        35,
    );
    let payments = create(
        store,
        NewIssue::new(DEMO_KEY, "Epic", "Payment service idempotency")
            .description(doc(vec![paragraph(
                "Stop double charges on retried payment requests.",
            )]))
            .custom(
                RFC_URL_FIELD,
                json!(page_url(&rfc, "RFC-012+Idempotent+payment+requests")),
            )
            .assignee(&marco)
            .status("To Do")
            .labels(["payments"]),
        34,
    );
    let history = create(
        store,
        NewIssue::new(DEMO_KEY, "Epic", "Order history search").status("To Do"),
        33,
    );

    // Stories of the checkout epic (DEMO-4..DEMO-6 are the PRD's ticketed stories).
    let guest = create(
        store,
        NewIssue::new(DEMO_KEY, "Story", "Guest checkout")
            .parent(&checkout)
            .description(story_description(
                "As a first-time shopper I want to pay without creating an account, so that I can finish my purchase quickly.",
                &["The payment step is reachable without signing in.", "An e-mail address is the only required identity field.", "After payment the shopper is offered to create an account with one click."],
            ))
            .custom(STORY_POINTS_FIELD, json!(5))
            .custom(MANDAYS_FIELD, json!(4))
            .custom(TEST_CASES_FIELD, doc(vec![bullets(&["Guest pays with a valid card and receives a confirmation e-mail.", "Guest with an e-mail that already has an account is offered to sign in but may continue."])]))
            .assignee(&me)
            .status("Done")
            .labels(["checkout"]),
        30,
    );
    let address = create(
        store,
        NewIssue::new(DEMO_KEY, "Story", "International address form")
            .parent(&checkout)
            .description(story_description(
                "As a shopper abroad I want to enter my address the way my country writes it.",
                &[
                    "Every shipping country is selectable.",
                    "Postcode is optional for countries without postcodes.",
                    "Address autocomplete suggests matches after three characters.",
                ],
            ))
            .custom(STORY_POINTS_FIELD, json!(8))
            .assignee(&priya)
            .status("In Progress")
            .labels(["checkout", "i18n"]),
        29,
    );
    let errors = create(
        store,
        NewIssue::new(DEMO_KEY, "Story", "Inline payment errors")
            .parent(&checkout)
            .custom(STORY_POINTS_FIELD, json!(3))
            .status("To Do")
            .labels(["checkout"]),
        28,
    );
    let saved = create(
        store,
        NewIssue::new(DEMO_KEY, "Story", "Saved cards for returning shoppers")
            .parent(&checkout)
            .status("To Do"),
        27,
    );
    let _ = saved;

    // Payments work: tasks with blocking links and a bug.
    let table = create(
        store,
        NewIssue::new(DEMO_KEY, "Task", "Create idempotency_keys table")
            .parent(&payments)
            .description(doc(vec![paragraph(
                "Add the table from RFC-012 with a 24-hour expiry job.",
            )]))
            .custom(MANDAYS_FIELD, json!(1))
            .assignee(&marco)
            .status("In Review"),
        26,
    );
    let middleware = create(
        store,
        NewIssue::new(
            DEMO_KEY,
            "Task",
            "Replay stored responses for duplicate keys",
        )
        .parent(&payments)
        .custom(MANDAYS_FIELD, json!(3))
        .status("To Do"),
        25,
    );
    let client = create(
        store,
        NewIssue::new(
            DEMO_KEY,
            "Task",
            "Send Idempotency-Key from the checkout client",
        )
        .parent(&payments)
        .status("To Do"),
        25,
    );
    let bug = create(
        store,
        NewIssue::new(DEMO_KEY, "Bug", "Shopper charged twice after a gateway timeout")
            .parent(&payments)
            .description(doc(vec![
                paragraph("Order 88412 was charged twice: the first request timed out after 30 s, the retry succeeded, and the first one completed later."),
                heading(3, "Steps to reproduce"),
                bullets(&["Throttle the payment gateway to 35 s.", "Pay for any order.", "Observe two captures in the processor dashboard."]),
            ]))
            .priority("High")
            .assignee(&marco)
            .status("In Progress"),
        20,
    );
    store
        .link_issues("Blocks", &table, &middleware)
        .expect("valid link");
    store
        .link_issues("Blocks", &middleware, &client)
        .expect("valid link");
    store
        .link_issues("Relates", &bug, &payments)
        .expect("valid link");

    // Sub-tasks of the address story.
    for (summary, status) in [
        ("Country list from the shipping service", "Done"),
        ("Postcode rules per country", "In Progress"),
        ("Autocomplete provider integration", "To Do"),
    ] {
        create(
            store,
            NewIssue::new(DEMO_KEY, "Subtask", summary)
                .parent(&address)
                .status(status),
            24,
        );
    }

    // Order history: a story without description, awaiting refinement.
    let search = create(
        store,
        NewIssue::new(DEMO_KEY, "Story", "Search orders by product name")
            .parent(&history)
            .status("To Do"),
        10,
    );
    let _ = search;

    // Sprints: one closed, one active, one future.
    let board = store.boards().first().map(|b| b.id).expect("seed_site ran");
    let s1_start = now - Duration::days(21);
    let s1 = store
        .create_sprint(
            "DEMO Sprint 1",
            board,
            Some(s1_start),
            Some(s1_start + Duration::days(14)),
            Some("Guest checkout end to end".into()),
            s1_start - Duration::days(2),
        )
        .expect("valid sprint");
    store
        .move_to_sprint(s1, std::slice::from_ref(&guest), s1_start)
        .expect("open sprint");
    start_sprint(store, s1, s1_start);
    store
        .update_sprint(
            s1,
            SprintChanges {
                state: Some(SprintState::Closed),
                ..Default::default()
            },
            s1_start + Duration::days(14),
        )
        .expect("active sprint closes");

    let s2_start = now - Duration::days(7);
    let s2 = store
        .create_sprint(
            "DEMO Sprint 2",
            board,
            Some(s2_start),
            Some(s2_start + Duration::days(14)),
            Some("International addresses and the double-charge fix".into()),
            s2_start - Duration::days(1),
        )
        .expect("valid sprint");
    store
        .move_to_sprint(s2, &[address.clone(), table.clone(), bug.clone()], s2_start)
        .expect("open sprint");
    start_sprint(store, s2, s2_start);

    let s3 = store
        .create_sprint(
            "DEMO Sprint 3",
            board,
            None,
            None,
            None,
            now - Duration::days(1),
        )
        .expect("valid sprint");
    store
        .move_to_sprint(s3, &[errors.clone(), middleware.clone()], now)
        .expect("open sprint");

    // A short discussion on the bug.
    let _ = store.add_comment(&bug, &priya, doc(vec![paragraph("Support has two more reports from this week. Can we get a hotfix before the RFC lands?")]), None, now - Duration::days(3));
    let _ = store.add_comment(&bug, &marco, doc(vec![paragraph("Hotfix: we now cancel the first authorisation when a retry succeeds. The real fix is DEMO-9.")]), None, now - Duration::days(2));
}

fn start_sprint(store: &mut Store, id: u64, at: DateTime<Utc>) {
    store
        .update_sprint(
            id,
            SprintChanges {
                state: Some(SprintState::Active),
                ..Default::default()
            },
            at,
        )
        .expect("sprint has dates and the board has no other active sprint");
}
