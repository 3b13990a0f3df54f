//! `POST /plan/stories/sync-from-prd` end to end on every test database, against the sandbox's
//! demo PRD (epic DEMO-1, a "Story Ticket List" with three ticketed rows and "Saved cards for
//! returning shoppers", whose story DEMO-7 exists but is not linked): dry runs write nothing,
//! real runs create and link exactly once, only the ticket cells of the page change, a person's
//! concurrent edit survives, and bad input is a 4xx naming the problem. Also the write-back of
//! `/jira/create-story-ticket`, `/jira/update-story-ticket` and `/jira/bulk-create-stories` with
//! `prd_row_uuid`.

#![cfg(feature = "testing")]

use app::testing::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A row the demo PRD does not have, added by [`add_prd_row`]; no story has its title.
const NEW_ROW: &str = "Express checkout with Apple Pay";

fn prd_page_id(app: &TestApp) -> String {
    let store = app.sandbox().state().read();
    store
        .pages()
        .find(|page| page.current().title == "Checkout revamp PRD")
        .expect("the demo PRD page")
        .id
        .clone()
}

fn prd_body(app: &TestApp) -> String {
    let id = prd_page_id(app);
    let store = app.sandbox().state().read();
    store.page(&id).expect("exists").current().storage.clone()
}

fn prd_version(app: &TestApp) -> u32 {
    let id = prd_page_id(app);
    let store = app.sandbox().state().read();
    store.page(&id).expect("exists").current().number
}

/// Replaces the PRD body as a person would (a new version).
fn set_prd_body(app: &TestApp, body: String) {
    let id = prd_page_id(app);
    let state = app.sandbox().state();
    let mut store = state.write();
    let page = store.page(&id).expect("exists");
    let (number, title, author) = (
        page.current().number,
        page.current().title.clone(),
        page.author_id.clone(),
    );
    store
        .update_page(
            &id,
            &title,
            body,
            number + 1,
            "test edit".into(),
            &author,
            chrono::Utc::now(),
        )
        .expect("the page updates");
}

/// Adds an unticketed row with acceptance criteria in the notes to the story table.
fn add_prd_row(app: &TestApp) {
    let body = prd_body(app);
    let end = "</tbody></table>\n<h2>Payment error contract</h2>";
    assert!(body.contains(end), "the demo PRD changed");
    let row = format!(
        "<tr><td><p></p></td><td><p>{NEW_ROW}</p></td><td><p>One tap on supported devices.</p></td></tr>\n"
    );
    set_prd_body(app, body.replace(end, &format!("{row}{end}")));
}

async fn sync(app: &TestApp, body: Value) -> (StatusCode, Value) {
    let response = app.post("/plan/stories/sync-from-prd", &body).await;
    let status = response.status();
    (status, response.json::<Value>().await.expect("a JSON body"))
}

fn detail<'a>(body: &'a Value, summary: &str) -> &'a Value {
    body["story_details"]
        .as_array()
        .expect("story_details")
        .iter()
        .find(|d| d["summary"] == summary)
        .unwrap_or_else(|| panic!("no row {summary}: {body}"))
}

/// `edited` with every link the sync writes (`<a href=".../browse/KEY">KEY</a>`) removed.
fn without_links(edited: &str) -> String {
    let mut out = String::with_capacity(edited.len());
    let mut rest = edited;
    while let Some(start) = rest.find("<a href=\"") {
        let candidate = &rest[start..];
        let end = candidate.find("</a>").map(|e| e + 4);
        match end {
            Some(end) if candidate[..end].contains("/browse/") => {
                out.push_str(&rest[..start]);
                rest = &candidate[end..];
            }
            _ => {
                out.push_str(&rest[..start + 1]);
                rest = &rest[start + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn children_named(app: &TestApp, summary: &str) -> Vec<String> {
    let store = app.sandbox().state().read();
    let epic = store.issue("DEMO-1").expect("the epic").id.clone();
    store
        .issues()
        .filter(|i| i.parent_id.as_deref() == Some(epic.as_str()) && i.summary == summary)
        .map(|i| i.key.clone())
        .collect()
}

#[tokio::test]
async fn the_demo_prd_syncs_once_and_a_second_run_changes_nothing() {
    for app in TestApp::all().await {
        let label = app.label();
        add_prd_row(&app);
        let before = prd_body(&app);
        let log = app.sandbox().write_log();
        log.clear();

        // Dry run (the default): the plan, and nothing written anywhere.
        let (status, plan) = sync(&app, json!({"epic_key": "DEMO-1"})).await;
        assert_eq!(status, StatusCode::OK, "{label}: {plan}");
        assert!(log.is_empty(), "{label}: {:?}", log.entries());
        assert_eq!(plan["dry_run"], true);
        assert_eq!(plan["table"]["heading"], "Story Ticket List");
        assert_eq!(plan["table"]["columns"]["ticket"], "Ticket");
        for (summary, key) in [
            ("Guest checkout", "DEMO-4"),
            ("International address form", "DEMO-5"),
            ("Inline payment errors", "DEMO-6"),
        ] {
            let row = detail(&plan, summary);
            assert_eq!(row["jira_key"], key, "{label}");
            assert_eq!(row["action_taken"], "skipped", "{label}");
            assert_eq!(row["ticket_source"], "prd_table", "{label}");
            assert_eq!(row["page_link"], "already_linked", "{label}");
        }
        // The unticketed "Saved cards" row has a story with its title: linked, not duplicated.
        let saved = detail(&plan, "Saved cards for returning shoppers");
        assert_eq!(saved["jira_key"], "DEMO-7", "{label}: {saved}");
        assert_eq!(saved["ticket_source"], "jira_api");
        assert_eq!(saved["page_link"], "link");
        let new = detail(&plan, NEW_ROW);
        assert_eq!(new["action_taken"], "would_create", "{label}: {new}");
        assert_eq!(new["ticket_source"], "newly_created");
        assert!(
            new["prd_row_uuid"]
                .as_str()
                .is_some_and(|id| id.len() == 36)
        );
        assert_eq!(
            plan["created_tickets"]["stories"],
            json!([format!("[DRY_RUN] {NEW_ROW}")])
        );
        let actions: Vec<&str> = plan["write_plan"]["writes"]
            .as_array()
            .expect("writes")
            .iter()
            .map(|w| w["action"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(actions, ["create_issue", "update_page"], "{label}");
        let page_write = &plan["write_plan"]["writes"][1];
        assert_eq!(page_write["method"], "PUT");
        let planned_body = page_write["body"]["body"]["value"]
            .as_str()
            .expect("a body");
        assert!(
            planned_body.contains("/browse/DEMO-7\">DEMO-7</a>"),
            "{label}"
        );
        assert!(planned_body.contains("{{created:prd:create:"), "{label}");

        // The real run: one story created, one page update, only the ticket cells changed.
        let (status, done) = sync(&app, json!({"epic_key": "DEMO-1", "dry_run": false})).await;
        assert_eq!(status, StatusCode::OK, "{label}: {done}");
        assert_eq!(done["success"], true, "{label}: {done}");
        let created = children_named(&app, NEW_ROW);
        assert_eq!(created.len(), 1, "{label}");
        let new = detail(&done, NEW_ROW);
        assert_eq!(new["action_taken"], "created");
        assert_eq!(new["jira_key"], created[0].as_str());
        assert_eq!(done["created_tickets"]["stories"], json!([created[0]]));
        let writes: Vec<(String, String, u16)> = log
            .entries()
            .iter()
            .map(|w| (w.method.clone(), w.path.clone(), w.status))
            .collect();
        assert_eq!(writes.len(), 2, "{label}: {writes:?}");
        assert_eq!(writes[0].0, "POST");
        assert!(writes[0].1.ends_with("/rest/api/3/issue"), "{writes:?}");
        assert_eq!(writes[1].0, "PUT");
        assert!(writes[1].1.contains("/wiki/api/v2/pages/"), "{writes:?}");
        let after = prd_body(&app);
        assert_ne!(after, before);
        assert_eq!(
            without_links(&after),
            before,
            "{label}: only the ticket cells change"
        );
        assert!(after.contains("/browse/DEMO-7\">DEMO-7</a></p></td><td><p>Saved cards"));
        assert!(after.contains(&format!(
            "/browse/{0}\">{0}</a></p></td><td><p>{NEW_ROW}",
            created[0]
        )));
        // The new story's description is the row's notes.
        let description = {
            let store = app.sandbox().state().read();
            let issue = store.issue(&created[0]).expect("created");
            issue
                .description
                .as_ref()
                .map(|d| d.to_string())
                .unwrap_or_default()
        };
        assert!(
            description.contains("One tap on supported devices."),
            "{label}: {description}"
        );

        // Again: nothing to do, nothing written.
        let version = prd_version(&app);
        log.clear();
        let (status, again) = sync(&app, json!({"epic_key": "DEMO-1", "dry_run": false})).await;
        assert_eq!(status, StatusCode::OK, "{label}: {again}");
        assert!(log.is_empty(), "{label}: {:?}", log.entries());
        assert_eq!(prd_version(&app), version);
        assert_eq!(prd_body(&app), after);
        assert_eq!(again["write_plan"]["writes"], json!([]));
        let new = detail(&again, NEW_ROW);
        assert_eq!(new["action_taken"], "skipped");
        assert_eq!(new["ticket_source"], "prd_table");
        assert_eq!(new["page_link"], "already_linked");
        assert_eq!(children_named(&app, NEW_ROW).len(), 1);
        app.drain().await;
    }
}

#[tokio::test]
async fn update_edits_only_what_differs_and_error_refuses_naming_the_rows() {
    for app in TestApp::all().await {
        let label = app.label();
        let before = prd_body(&app);
        let log = app.sandbox().write_log();
        log.clear();

        let (status, body) = sync(
            &app,
            json!({"epic_key": "DEMO-1", "existing_ticket_action": "error"}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{label}: {body}");
        let detail_text = body.to_string();
        assert!(
            detail_text.contains("existing_ticket_action=error")
                && detail_text.contains("Guest checkout")
                && detail_text.contains("DEMO-7"),
            "{label}: {body}"
        );
        assert!(log.is_empty(), "{label}");

        let (status, plan) = sync(
            &app,
            json!({"epic_key": "DEMO-1", "existing_ticket_action": "update"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{label}: {plan}");
        let guest = detail(&plan, "Guest checkout");
        assert_eq!(guest["action_taken"], "would_update", "{label}: {guest}");
        assert_eq!(guest["changed_fields"], json!(["description"]));
        assert!(log.is_empty(), "{label}: a dry run writes nothing");

        let (status, done) = sync(
            &app,
            json!({"epic_key": "DEMO-1", "existing_ticket_action": "update", "dry_run": false}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{label}: {done}");
        assert_eq!(detail(&done, "Guest checkout")["action_taken"], "updated");
        let edits = log
            .entries()
            .iter()
            .filter(|w| w.method == "PUT" && w.path.contains("/rest/api/3/issue/"))
            .count();
        assert_eq!(edits, 4, "{label}: DEMO-4..7 get the row's notes");
        let guest_description = {
            let store = app.sandbox().state().read();
            let issue = store.issue("DEMO-4").expect("exists");
            issue
                .description
                .as_ref()
                .map(|d| d.to_string())
                .unwrap_or_default()
        };
        assert!(guest_description.contains("offer account creation after payment"));
        // Only the "Saved cards" ticket cell was added to the page.
        assert_eq!(without_links(&prd_body(&app)), before, "{label}");

        // The stories now match their rows: nothing to update.
        log.clear();
        let (status, again) = sync(
            &app,
            json!({"epic_key": "DEMO-1", "existing_ticket_action": "update", "dry_run": false}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{label}: {again}");
        assert!(log.is_empty(), "{label}: {:?}", log.entries());
        for row in again["story_details"].as_array().expect("rows") {
            assert_eq!(row["action_taken"], "unchanged", "{label}: {row}");
        }
        app.drain().await;
    }
}

#[tokio::test]
async fn a_concurrent_edit_of_the_page_survives_the_write_back() {
    for app in TestApp::all().await {
        let label = app.label();
        let before = prd_body(&app);
        let human = "<p>Added by Priya while the sync ran.</p>";
        app.sandbox()
            .state()
            .edit_before_next_page_update(prd_page_id(&app), move |body: &str| {
                body.replace(
                    "<h2>Out of scope</h2>",
                    &format!("<h2>Out of scope</h2>{human}"),
                )
            });
        let log = app.sandbox().write_log();
        log.clear();
        let (status, done) = sync(&app, json!({"epic_key": "DEMO-1", "dry_run": false})).await;
        assert_eq!(status, StatusCode::OK, "{label}: {done}");
        assert_eq!(done["success"], true, "{label}: {done}");
        let after = prd_body(&app);
        assert!(after.contains(human), "{label}: the person's edit was lost");
        assert!(
            after.contains("/browse/DEMO-7\">DEMO-7</a>"),
            "{label}: the link is missing"
        );
        let expected = before.replace(
            "<h2>Out of scope</h2>",
            &format!("<h2>Out of scope</h2>{human}"),
        );
        assert_eq!(without_links(&after), expected, "{label}");
        let puts: Vec<u16> = log
            .entries()
            .iter()
            .filter(|w| w.method == "PUT")
            .map(|w| w.status)
            .collect();
        assert_eq!(
            puts,
            [409, 200],
            "{label}: a conflict, then the re-applied edit"
        );
        app.drain().await;
    }
}

#[tokio::test]
async fn bad_input_is_a_clear_4xx_and_async_mode_queues_one_job_per_epic() {
    for app in TestApp::all().await {
        let label = app.label();
        let rfc_url = {
            let store = app.sandbox().state().read();
            store
                .pages()
                .find(|p| p.current().title.starts_with("RFC-012"))
                .expect("the demo RFC")
                .id
                .clone()
        };
        let cases = [
            (
                json!({"prd_url": "https://x.atlassian.net/wiki/spaces/D/pages/1/P"}),
                422,
                "epic_key is required",
            ),
            (json!({}), 422, "epic_key"),
            (
                json!({"epic_key": "DEMO-1", "existing_ticket_action": "overwrite"}),
                422,
                "skip, update, error",
            ),
            (json!({"epic_key": "not a key"}), 422, "epic_key"),
            (json!({"epic_key": "DEMO-999"}), 404, "DEMO-999"),
            (json!({"epic_key": "DEMO-3"}), 422, "PRD"),
            (json!({"epic_key": "DEMO-4"}), 422, "not an epic"),
            (
                json!({"epic_key": "DEMO-1", "prd_url": rfc_url}),
                422,
                "no story table",
            ),
        ];
        for (request, status, needle) in cases {
            let (got, body) = sync(&app, request.clone()).await;
            assert_eq!(got.as_u16(), status, "{label}: {request} -> {body}");
            assert!(
                body.to_string().contains(needle),
                "{label}: {request} -> {body} (wanted {needle:?})"
            );
        }
        assert!(app.sandbox().write_log().is_empty(), "{label}");

        // async_mode queues the job; a second sync of the epic meanwhile is a 409.
        let (status, queued) = sync(&app, json!({"epic_key": "DEMO-1", "async_mode": true})).await;
        assert_eq!(status, StatusCode::OK, "{label}: {queued}");
        assert!(queued["job_id"].as_str().is_some(), "{label}: {queued}");
        let (status, duplicate) = sync(&app, json!({"epic_key": "DEMO-1"})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{label}: {duplicate}");
        assert!(
            duplicate.to_string().contains("DEMO-1"),
            "{label}: {duplicate}"
        );
        let report = app.drain().await;
        assert_eq!(report.completed, 1, "{label}: {report:?}");
        assert!(
            app.sandbox().write_log().is_empty(),
            "{label}: a queued dry run writes nothing"
        );
    }
}

#[tokio::test]
async fn create_and_update_story_ticket_link_their_prd_row() {
    for app in TestApp::all().await {
        let label = app.label();
        add_prd_row(&app);
        let (status, plan) = sync(&app, json!({"epic_key": "DEMO-1"})).await;
        assert_eq!(status, StatusCode::OK, "{label}: {plan}");
        let row_id = detail(&plan, NEW_ROW)["prd_row_uuid"]
            .as_str()
            .expect("an id")
            .to_owned();
        let saved_id = detail(&plan, "Saved cards for returning shoppers")["prd_row_uuid"]
            .as_str()
            .expect("an id")
            .to_owned();

        // A preview links nothing.
        let response = app
            .post(
                "/jira/create-story-ticket",
                &json!({"parent_key": "DEMO-1", "summary": NEW_ROW, "description": "One tap.", "prd_row_uuid": row_id}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{label}");
        assert!(app.sandbox().write_log().is_empty(), "{label}");

        let response = app
            .post(
                "/jira/create-story-ticket",
                &json!({"parent_key": "DEMO-1", "summary": NEW_ROW, "description": "One tap.", "prd_row_uuid": row_id, "create_ticket": true}),
            )
            .await;
        let body: Value = response.json().await.expect("json");
        let key = body["ticket_key"]
            .as_str()
            .unwrap_or_else(|| panic!("{label}: {body}"))
            .to_owned();
        assert_eq!(body["prd_row_uuid"], row_id.as_str());
        assert!(
            body["warnings"].as_array().is_some_and(|w| w.is_empty()),
            "{label}: {body}"
        );
        let page = prd_body(&app);
        assert!(
            page.contains(&format!(
                "/browse/{key}\">{key}</a></p></td><td><p>{NEW_ROW}"
            )),
            "{label}: {page}"
        );

        let response = app
            .post(
                "/jira/update-story-ticket",
                &json!({"story_key": "DEMO-7", "summary": "Saved cards for returning shoppers", "update_jira": true, "prd_row_uuid": saved_id}),
            )
            .await;
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["success"], true, "{label}: {body}");
        assert!(
            prd_body(&app).contains("/browse/DEMO-7\">DEMO-7</a></p></td><td><p>Saved cards"),
            "{label}: {body}"
        );

        // Bulk story creation links its rows too: empty the row's ticket cell again first.
        let mut page = prd_body(&app);
        let link_end = format!("/browse/{key}\">{key}</a>");
        let end = page.find(&link_end).expect("the row's link") + link_end.len();
        let start = page[..end].rfind("<a href=\"").expect("the link's start");
        page.replace_range(start..end, "");
        set_prd_body(&app, page);
        let request = json!({"stories": [{"parent_key": "DEMO-1", "summary": format!("{NEW_ROW} again"), "description": "One tap.", "prd_row_uuid": row_id}], "create_tickets": true});
        let response = app.post("/jira/bulk-create-stories", &request).await;
        let body: Value = response.json().await.expect("json");
        let bulk_key = body["results"][0]["ticket_key"]
            .as_str()
            .unwrap_or_else(|| panic!("{label}: {body}"))
            .to_owned();
        assert!(
            body["results"][0]["warnings"]
                .as_array()
                .is_some_and(|w| w.is_empty()),
            "{label}: {body}"
        );
        assert!(
            prd_body(&app).contains(&format!(
                "/browse/{bulk_key}\">{bulk_key}</a></p></td><td><p>{NEW_ROW}"
            )),
            "{label}: {body}"
        );
        assert!(
            body["writes"]
                .as_array()
                .is_some_and(|w| w.iter().any(|w| w["action"] == "update_page")),
            "{label}: {body}"
        );

        // An unknown row is a warning, not a failure.
        let response = app
            .post(
                "/jira/update-story-ticket",
                &json!({"story_key": "DEMO-6", "summary": "Inline payment errors", "update_jira": true, "prd_row_uuid": "00000000-0000-8000-8000-000000000000"}),
            )
            .await;
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["success"], true, "{label}: {body}");
        assert!(
            body["warnings"].to_string().contains("prd_row_uuid"),
            "{label}: {body}"
        );
        app.drain().await;
    }
}
