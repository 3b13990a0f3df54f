//! The Jira operation routes end to end (docs/reference-behaviour.md §1.8; docs/reference-behaviour.md §1.8, §5.8), on
//! every test database, against the sandbox's demo project: previews write nothing and return
//! the plan; writes land once, with links in the right direction; bulk creation resolves
//! `task_N` blocks; a re-run job creates nothing twice; bad input gets the right 4xx.

#![cfg(feature = "testing")]

use app::testing::TestApp;
use serde_json::{Value, json};

/// `(link type, source key, target key)` of every link touching `key`: "source <outward> target".
fn links_of(app: &TestApp, key: &str) -> Vec<(String, String, String)> {
    let store = app.sandbox().state().read();
    let id = store
        .issue(key)
        .map(|issue| issue.id.clone())
        .unwrap_or_default();
    let key_of = |id: &str| store.issue(id).map(|i| i.key.clone()).unwrap_or_default();
    store
        .links_of(&id)
        .map(|link| {
            (
                store
                    .link_type(&link.type_id)
                    .map(|t| t.name.clone())
                    .unwrap_or_default(),
                key_of(&link.source_issue_id),
                key_of(&link.target_issue_id),
            )
        })
        .collect()
}

fn has_link(app: &TestApp, kind: &str, source: &str, target: &str) -> bool {
    links_of(app, source)
        .iter()
        .any(|(t, s, o)| t == kind && s == source && o == target)
}

fn issue_field(app: &TestApp, key: &str, field: &str) -> Option<Value> {
    let store = app.sandbox().state().read();
    store
        .issue(key)
        .and_then(|i| i.custom_fields.get(field).cloned())
}

fn summary_of(app: &TestApp, key: &str) -> String {
    let store = app.sandbox().state().read();
    store
        .issue(key)
        .map(|i| i.summary.clone())
        .unwrap_or_default()
}

fn parent_of(app: &TestApp, key: &str) -> Option<String> {
    let store = app.sandbox().state().read();
    let parent = store.issue(key)?.parent_id.clone()?;
    store.issue(&parent).map(|p| p.key.clone())
}

fn type_of(app: &TestApp, key: &str) -> String {
    let store = app.sandbox().state().read();
    let issue = store.issue(key).expect("the issue exists");
    store
        .issue_type(&issue.issue_type_id)
        .map(|t| t.name.clone())
        .unwrap_or_default()
}

fn issue_count(app: &TestApp) -> usize {
    app.sandbox().state().read().issue_count()
}

/// Successful `POST …/issue` requests (creations) in the write log.
fn creations(app: &TestApp) -> usize {
    app.sandbox()
        .write_log()
        .successful()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/issue"))
        .count()
}

async fn ok_json(response: reqwest::Response, label: &str) -> Value {
    let status = response.status();
    let body: Value = response.json().await.expect("a JSON body");
    assert_eq!(status, 200, "{label}: {body}");
    body
}

async fn status_and_body(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

#[tokio::test]
async fn every_route_previews_by_default_writes_nothing_and_returns_the_plan() {
    for app in TestApp::all().await {
        let db = app.label();
        app.sandbox().write_log().clear();
        let issues_before = issue_count(&app);

        let body = ok_json(
            app.post(
                "/jira/update-ticket",
                &json!({"ticket_key": "DEMO-8", "summary": "Create the idempotency_keys table",
                    "mandays": 2.5, "test_cases": "- table exists",
                    "links": [{"link_type": "Blocks", "target_key": "DEMO-10"}]}),
            )
            .await,
            db,
        )
        .await;
        assert_eq!(body["success"], true, "{db}: {body}");
        assert_eq!(body["updated_in_jira"], false);
        assert_eq!(
            body["message"],
            "Preview: Ticket DEMO-8 would be updated. Set update_jira=true to commit."
        );
        let preview = &body["preview"];
        assert_eq!(preview["current_summary"], "Create idempotency_keys table");
        assert_eq!(preview["new_summary"], "Create the idempotency_keys table");
        assert_eq!(preview["new_mandays"], 2.5);
        assert_eq!(preview["current_mandays"], 1.0);
        assert_eq!(body["updates_applied"]["mandays"], true);
        let writes = preview["write_plan"]["writes"].as_array().expect("a plan");
        assert_eq!(writes.len(), 2, "{db}: {writes:?}");
        assert_eq!(writes[0]["method"], "PUT");
        assert!(text(&writes[0]["path"]).ends_with("/issue/DEMO-8"));
        let fields = &writes[0]["body"]["fields"];
        assert_eq!(fields["summary"], "Create the idempotency_keys table");
        assert_eq!(
            fields[sandbox::MANDAYS_FIELD],
            2.5,
            "mandays go to the field found by name"
        );
        assert_eq!(
            fields[sandbox::TEST_CASES_FIELD]["type"],
            "doc",
            "test cases as ADF"
        );
        assert_eq!(
            writes[0]["current"]["summary"],
            "Create idempotency_keys table"
        );
        assert_eq!(writes[1]["method"], "POST");
        assert_eq!(
            writes[1]["body"]["inwardIssue"]["key"], "DEMO-8",
            "DEMO-8 blocks DEMO-10"
        );
        assert_eq!(writes[1]["body"]["outwardIssue"]["key"], "DEMO-10");
        assert_eq!(preview["links_to_create"][0]["target_key"], "DEMO-10");

        let body = ok_json(
            app.post(
                "/jira/update-story-ticket",
                &json!({"story_key": "DEMO-15", "summary": "Search past orders", "parent_key": "DEMO-1"}),
            )
            .await,
            db,
        )
        .await;
        assert_eq!(
            body["preview"]["current_parent_key"], "DEMO-3",
            "{db}: {body}"
        );
        assert_eq!(body["preview"]["new_parent_key"], "DEMO-1");
        assert_eq!(body["preview"]["story_key"], "DEMO-15");
        assert_eq!(
            body["preview"]["write_plan"]["writes"][0]["body"]["fields"]["parent"]["key"],
            "DEMO-1"
        );
        assert!(text(&body["message"]).starts_with("Preview: Story ticket DEMO-15"));

        let body = ok_json(
            app.post(
                "/jira/create-ticket",
                &json!({"summary": "Validate postcodes", "description": "Per-country **rules**.",
                    "story_key": "DEMO-5", "mandays": 1.5, "blocks": ["DEMO-6"]}),
            )
            .await,
            db,
        )
        .await;
        assert_eq!(body["success"], true, "{db}: {body}");
        assert_eq!(body["ticket_key"], Value::Null);
        assert_eq!(body["created_in_jira"], false);
        assert_eq!(body["preview"]["parent_key"], "DEMO-1", "the story's epic");
        let writes = body["preview"]["write_plan"]["writes"]
            .as_array()
            .expect("a plan");
        assert_eq!(writes.len(), 3, "create, split, blocks: {writes:?}");
        assert_eq!(writes[0]["body"]["fields"]["issuetype"]["name"], "Task");
        assert_eq!(writes[0]["body"]["fields"]["parent"]["key"], "DEMO-1");
        assert_eq!(
            writes[1]["body"]["inwardIssue"]["key"], "DEMO-5",
            "story split to task"
        );
        assert_eq!(
            writes[1]["body"]["outwardIssue"]["key"],
            "{{created:create:task}}"
        );
        assert_eq!(
            writes[2]["body"]["inwardIssue"]["key"],
            "{{created:create:task}}"
        );
        assert_eq!(
            writes[2]["body"]["outwardIssue"]["key"], "DEMO-6",
            "the task blocks DEMO-6"
        );

        let long = format!("Saved cards {}", "and more words ".repeat(25));
        let body = ok_json(
            app.post(
                "/jira/create-story-ticket",
                &json!({"parent_key": "DEMO-1", "summary": long, "description": "", "prd_row_uuid": "row-1"}),
            )
            .await,
            db,
        )
        .await;
        assert_eq!(
            body["preview"]["summary_was_truncated"], true,
            "{db}: {body}"
        );
        assert!(body["preview"]["summary_length"].as_u64().unwrap_or(999) <= 255);
        assert_eq!(body["prd_row_uuid"], "row-1");
        assert_eq!(
            body["preview"]["write_plan"]["writes"][0]["body"]["fields"]["issuetype"]["name"],
            "Story"
        );

        let body = ok_json(
            app.post(
                "/jira/bulk-update-stories",
                &json!({"stories": [{"story_key": "DEMO-4", "summary": "Guest checkout v2"},
                    {"story_key": "DEMO-6", "description": "Decline reasons inline."}]}),
            )
            .await,
            db,
        )
        .await;
        assert_eq!(body["successful"], 2, "{db}: {body}");
        assert_eq!(
            body["message"],
            "Preview: 2 stories would be updated, 0 failed. Set dry_run=false to commit."
        );
        assert_eq!(
            body["results"][0]["preview"]["new_summary"],
            "Guest checkout v2"
        );

        let body = ok_json(
            app.post(
                "/jira/bulk-create-tasks",
                &json!({"tasks": [
                    {"summary": "Schema", "description": "d", "story_key": "DEMO-5"},
                    {"summary": "API", "description": "d", "story_key": "DEMO-5", "blocks": ["task_1"]},
                    {"summary": "UI", "description": "d", "story_key": "DEMO-6"}]}),
            )
            .await,
            db,
        )
        .await;
        assert_eq!(
            body["message"],
            "Preview: 3 task tickets would be created. Set create_tickets=true to commit.",
            "{db}: {body}"
        );
        assert_eq!(
            body["write_plan"]["writes"].as_array().map(Vec::len),
            Some(7),
            "3 creates, 3 splits, 1 block"
        );

        let body = ok_json(
            app.post(
                "/jira/bulk-create-stories",
                &json!({"stories": [{"parent_key": "DEMO-3", "summary": "Filter orders by date", "description": "d"}]}),
            )
            .await,
            db,
        )
        .await;
        assert_eq!(
            body["message"],
            "Preview: 1 story tickets would be created. Set create_tickets=true to commit.",
            "{db}: {body}"
        );

        assert!(
            app.sandbox().write_log().is_empty(),
            "{db}: previews wrote {:?}",
            app.sandbox().write_log().entries()
        );
        assert_eq!(issue_count(&app), issues_before);
        app.stop().await;
    }
}

#[tokio::test]
async fn update_ticket_writes_once_with_links_in_the_right_direction() {
    for app in TestApp::all().await {
        let db = app.label();
        let body = ok_json(
            app.post(
                "/jira/update-ticket",
                &json!({"ticket_key": "DEMO-9", "description": "Replay the **stored** response.",
                    "test_cases": "- a duplicate key replays", "mandays": 2.5, "update_jira": true,
                    "links": [{"link_type": "Blocks", "target_key": "DEMO-11", "direction": "outward"},
                              {"link_type": "relates", "target_key": "DEMO-4", "direction": "inward"}]}),
            )
            .await,
            db,
        )
        .await;
        assert_eq!(body["success"], true, "{db}: {body}");
        assert_eq!(body["updated_in_jira"], true);
        assert_eq!(body["message"], "Successfully updated ticket DEMO-9");
        assert_eq!(body["links_created"][0]["status"], "created");
        assert_eq!(
            body["links_created"][1]["link_type"], "Relates",
            "the site's spelling"
        );
        assert_eq!(
            issue_field(&app, "DEMO-9", sandbox::MANDAYS_FIELD),
            Some(json!(2.5))
        );
        let tests = issue_field(&app, "DEMO-9", sandbox::TEST_CASES_FIELD).expect("test cases");
        assert!(
            tests.to_string().contains("a duplicate key replays"),
            "{tests}"
        );
        assert!(
            has_link(&app, "Blocks", "DEMO-9", "DEMO-11"),
            "{:?}",
            links_of(&app, "DEMO-9")
        );
        assert!(
            has_link(&app, "Relates", "DEMO-4", "DEMO-9"),
            "inward: DEMO-4 relates to DEMO-9"
        );
        let log = app.sandbox().write_log().successful();
        assert_eq!(
            log.iter().filter(|r| r.method == "PUT").count(),
            1,
            "{db}: one edit"
        );
        assert_eq!(
            log.iter()
                .filter(|r| r.path.ends_with("/issueLink"))
                .count(),
            2
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn create_ticket_makes_a_task_under_the_epic_split_from_its_story_and_blocking() {
    for app in TestApp::all().await {
        let db = app.label();
        let body = ok_json(
            app.post(
                "/jira/create-ticket",
                &json!({"summary": "Validate postcodes", "description": "Per-country rules.",
                    "story_key": "DEMO-5", "test_cases": "- UK postcode accepted", "mandays": 1.5,
                    "blocks": ["DEMO-6"], "create_ticket": true}),
            )
            .await,
            db,
        )
        .await;
        assert_eq!(body["success"], true, "{db}: {body}");
        assert_eq!(body["created_in_jira"], true);
        let key = body["ticket_key"].as_str().expect("a key").to_owned();
        assert_eq!(body["message"], format!("Successfully created task {key}"));
        assert_eq!(type_of(&app, &key), "Task");
        assert_eq!(parent_of(&app, &key).as_deref(), Some("DEMO-1"));
        assert_eq!(
            issue_field(&app, &key, sandbox::MANDAYS_FIELD),
            Some(json!(1.5))
        );
        assert!(
            has_link(&app, "Work item split", "DEMO-5", &key),
            "{:?}",
            links_of(&app, &key)
        );
        assert!(has_link(&app, "Blocks", &key, "DEMO-6"));
        let links = body["links_created"].as_array().expect("links");
        assert_eq!(links[0]["source_key"], "DEMO-5");
        assert_eq!(links[0]["target_key"], key.as_str());
        assert_eq!(links[1]["source_key"], key.as_str());
        assert_eq!(links[1]["target_key"], "DEMO-6");
        assert_eq!(creations(&app), 1, "{db}: created once");

        // A story without an epic: nothing to put the task under.
        let orphan = app
            .sandbox()
            .state()
            .create_issue(sandbox::NewIssue::new("DEMO", "Story", "Orphan story"))
            .expect("seeded");
        let (status, body) = status_and_body(
            app.post(
                "/jira/create-ticket",
                &json!({"summary": "x", "description": "y", "story_key": orphan, "create_ticket": true}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 400, "{db}: {body}");
        assert!(text(&body["detail"]).starts_with("Could not derive epic"));
        let (status, body) = status_and_body(
            app.post(
                "/jira/create-ticket",
                &json!({"summary": "x", "description": "y", "story_key": "DEMO-999"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 404, "{db}: {body}");
        assert_eq!(creations(&app), 1, "{db}: refusals create nothing");
        app.stop().await;
    }
}

#[tokio::test]
async fn create_story_ticket_moves_the_user_story_into_the_description() {
    for app in TestApp::all().await {
        let db = app.label();
        let body = ok_json(
            app.post(
                "/jira/create-story-ticket",
                &json!({"parent_key": "DEMO-3",
                    "summary": "Order filters - As a shopper I want to filter orders by date so that I find old ones",
                    "description": "Dates are inclusive.", "create_ticket": true, "prd_row_uuid": "u-1"}),
            )
            .await,
            db,
        )
        .await;
        assert_eq!(body["success"], true, "{db}: {body}");
        let key = body["ticket_key"].as_str().expect("a key").to_owned();
        assert_eq!(body["prd_row_uuid"], "u-1");
        assert_eq!(summary_of(&app, &key), "Order filters");
        assert_eq!(type_of(&app, &key), "Story");
        assert_eq!(parent_of(&app, &key).as_deref(), Some("DEMO-3"));
        let description = {
            let store = app.sandbox().state().read();
            store
                .issue(&key)
                .and_then(|i| i.description.clone())
                .expect("a description")
        };
        assert!(
            description
                .to_string()
                .contains("As a shopper I want to filter orders by date"),
            "{description}"
        );

        let (status, body) = status_and_body(
            app.post(
                "/jira/create-story-ticket",
                &json!({"parent_key": "DEMO-4", "summary": "s", "description": "d"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 400, "{db}: a story is no epic: {body}");
        app.stop().await;
    }
}

#[tokio::test]
async fn update_story_ticket_refuses_other_tickets_and_moves_stories() {
    for app in TestApp::all().await {
        let db = app.label();
        let (status, body) = status_and_body(
            app.post(
                "/jira/update-story-ticket",
                &json!({"story_key": "DEMO-8", "summary": "x"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 400, "{db}: {body}");
        assert!(
            text(&body["detail"]).starts_with("Ticket DEMO-8 is not a Story ticket (type: Task)"),
            "{body}"
        );
        let (status, body) = status_and_body(
            app.post(
                "/jira/update-story-ticket",
                &json!({"story_key": "DEMO-999", "summary": "x"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 404, "{db}: {body}");
        assert!(text(&body["detail"]).contains("DEMO-999"));
        let (status, body) = status_and_body(
            app.post(
                "/jira/update-story-ticket",
                &json!({"story_key": "DEMO-15", "links": [{"link_type": "Frobnicates", "target_key": "DEMO-4"}]}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 422, "{db}: {body}");
        let issue = &body["detail"][0];
        assert_eq!(issue["loc"], json!(["body", "links", 0, "link_type"]));
        let msg = text(&issue["msg"]);
        assert!(
            msg.contains("Frobnicates")
                && msg.contains("Blocks")
                && msg.contains("Work item split"),
            "{msg}"
        );
        let (status, _) = status_and_body(
            app.post(
                "/jira/update-ticket",
                &json!({"ticket_key": "DEMO-8", "links": [{"link_type": "Nope", "target_key": "DEMO-4"}]}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 422, "{db}: unknown link type on update-ticket");
        let (status, _) = status_and_body(
            app.post("/jira/update-ticket", &json!({"ticket_key": "DEMO-8"}))
                .await,
        )
        .await;
        assert_eq!(status, 422, "{db}: nothing to update");
        assert!(
            app.sandbox().write_log().is_empty(),
            "{db}: refusals write nothing"
        );

        let body = ok_json(
            app.post(
                "/jira/update-story-ticket",
                &json!({"story_key": "DEMO-15", "parent_key": "DEMO-1", "summary": "Search past orders",
                    "links": [{"link_type": "Work item split", "target_key": "DEMO-10", "direction": "inward"}],
                    "update_jira": true}),
            )
            .await,
            db,
        )
        .await;
        assert_eq!(body["success"], true, "{db}: {body}");
        assert_eq!(parent_of(&app, "DEMO-15").as_deref(), Some("DEMO-1"));
        assert_eq!(summary_of(&app, "DEMO-15"), "Search past orders");
        assert!(
            has_link(&app, "Work item split", "DEMO-15", "DEMO-10"),
            "the story is split to the task whatever the direction: {:?}",
            links_of(&app, "DEMO-15")
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn bulk_limits_and_empty_lists_are_422() {
    for app in TestApp::all().await {
        let db = app.label();
        let task = json!({"summary": "t", "description": "d", "story_key": "DEMO-5"});
        let tasks: Vec<Value> = (0..51).map(|_| task.clone()).collect();
        let (status, body) = status_and_body(
            app.post("/jira/bulk-create-tasks", &json!({"tasks": tasks}))
                .await,
        )
        .await;
        assert_eq!(status, 422, "{db}: {body}");
        assert_eq!(body["detail"][0]["loc"], json!(["body", "tasks"]));
        assert!(text(&body["detail"][0]["msg"]).contains("Maximum 50 tasks"));

        let stories: Vec<Value> = (0..101)
            .map(|_| json!({"story_key": "DEMO-4", "summary": "s"}))
            .collect();
        let (status, body) = status_and_body(
            app.post("/jira/bulk-update-stories", &json!({"stories": stories}))
                .await,
        )
        .await;
        assert_eq!(status, 422, "{db}: {body}");
        assert!(text(&body["detail"][0]["msg"]).contains("Maximum 100 stories"));

        let stories: Vec<Value> = (0..51)
            .map(|_| json!({"parent_key": "DEMO-1", "summary": "s", "description": "d"}))
            .collect();
        let (status, _) = status_and_body(
            app.post("/jira/bulk-create-stories", &json!({"stories": stories}))
                .await,
        )
        .await;
        assert_eq!(status, 422, "{db}");
        let (status, _) = status_and_body(
            app.post("/jira/bulk-update-stories", &json!({"stories": []}))
                .await,
        )
        .await;
        assert_eq!(status, 422, "{db}");
        let (status, body) = status_and_body(
            app.post(
                "/jira/bulk-create-tasks",
                &json!({"tasks": [task], "create_tickets": true, "extra": 1}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 422, "{db}: unknown fields are refused: {body}");
        assert!(app.sandbox().write_log().is_empty());
        app.stop().await;
    }
}

#[tokio::test]
async fn bulk_update_stories_reports_each_story_and_one_failure_never_fails_the_batch() {
    for app in TestApp::all().await {
        let db = app.label();
        let body = ok_json(
            app.post(
                "/jira/bulk-update-stories",
                &json!({"stories": [
                    {"story_key": "DEMO-4", "summary": "Guest checkout without an account"},
                    {"story_key": "DEMO-8", "summary": "not a story"},
                    {"story_key": "DEMO-999", "summary": "missing"},
                    {"story_key": "DEMO-6", "links": [{"link_type": "Blocks", "target_key": "DEMO-7"}]}],
                    "dry_run": false}),
            )
            .await,
            db,
        )
        .await;
        assert_eq!(body["total_stories"], 4, "{db}: {body}");
        assert_eq!(body["successful"], 2);
        assert_eq!(body["failed"], 2);
        assert_eq!(
            body["message"],
            "Bulk update completed: 2 successful, 2 failed"
        );
        assert!(text(&body["results"][1]["error"]).contains("is not a Story ticket"));
        assert!(text(&body["results"][2]["error"]).contains("DEMO-999 not found"));
        assert_eq!(
            summary_of(&app, "DEMO-4"),
            "Guest checkout without an account"
        );
        assert_eq!(summary_of(&app, "DEMO-8"), "Create idempotency_keys table");
        assert!(has_link(&app, "Blocks", "DEMO-6", "DEMO-7"));

        // The same work queued: a `bulk_story_update` job that counts every story.
        let accepted = ok_json(
            app.post(
                "/jira/bulk-update-stories",
                &json!({"stories": [{"story_key": "DEMO-5", "summary": "Address form for every country"},
                    {"story_key": "DEMO-8", "summary": "x"}], "dry_run": false, "async_mode": true}),
            )
            .await,
            db,
        )
        .await;
        assert_eq!(accepted["status"], "started", "{db}: {accepted}");
        assert_eq!(accepted["max_results"], 2);
        assert_eq!(accepted["update_jira"], true);
        app.drain().await;
        let job = ok_json(app.get(text(&accepted["status_url"])).await, db).await;
        assert_eq!(job["job_type"], "bulk_story_update");
        assert_eq!(job["status"], "completed", "{db}: {job}");
        assert_eq!(job["processed_tickets"], 2);
        assert_eq!(job["successful_tickets"], 1);
        assert_eq!(job["failed_tickets"], 1);
        assert_eq!(job["results"]["successful"], 1);
        assert_eq!(summary_of(&app, "DEMO-5"), "Address form for every country");
        app.stop().await;
    }
}

fn three_tasks(uuid: &str) -> Value {
    json!([
        {"task_id": uuid, "summary": "Schema for saved cards", "description": "Table `cards`.",
         "story_key": "DEMO-7", "mandays": 1},
        {"summary": "Card vault API", "description": "Store tokens.", "story_key": "DEMO-7",
         "blocks": ["task_3"], "test_cases": "- token stored"},
        {"summary": "Saved cards UI", "description": "List cards.", "story_key": "DEMO-7",
         "parent_key": "DEMO-1", "blocks": [uuid, "DEMO-6", "task_9"]}
    ])
}

#[tokio::test]
async fn bulk_create_tasks_creates_everything_then_links_task_references() {
    for app in TestApp::all().await {
        let db = app.label();
        let uuid = "0b7e1c2a-3d4f-4a5b-8c6d-7e8f9a0b1c2d";
        let body = ok_json(
            app.post(
                "/jira/bulk-create-tasks",
                &json!({"tasks": three_tasks(uuid), "create_tickets": true}),
            )
            .await,
            db,
        )
        .await;
        assert_eq!(body["successful"], 3, "{db}: {body}");
        assert_eq!(
            body["message"],
            "Bulk creation completed: 3 successful, 0 failed"
        );
        let keys: Vec<String> = body["created_tickets"]
            .as_array()
            .expect("keys")
            .iter()
            .filter_map(|k| k.as_str().map(str::to_owned))
            .collect();
        assert_eq!(keys.len(), 3);
        for (index, key) in keys.iter().enumerate() {
            assert_eq!(body["results"][index]["ticket_key"], key.as_str());
            assert_eq!(type_of(&app, key), "Task");
            assert_eq!(
                parent_of(&app, key).as_deref(),
                Some("DEMO-1"),
                "the story's epic"
            );
            assert!(has_link(&app, "Work item split", "DEMO-7", key));
        }
        assert_eq!(body["results"][0]["task_id"], uuid);
        assert!(
            has_link(&app, "Blocks", &keys[1], &keys[2]),
            "task_3 is the third task: {:?}",
            links_of(&app, &keys[1])
        );
        assert!(
            has_link(&app, "Blocks", &keys[2], &keys[0]),
            "the uuid names the first task"
        );
        assert!(has_link(&app, "Blocks", &keys[2], "DEMO-6"));
        let third = &body["results"][2]["links_created"];
        assert_eq!(third[1]["target_key"], keys[0].as_str(), "{third}");
        assert_eq!(third[3]["status"], "failed");
        assert!(text(&third[3]["error"]).contains("Could not resolve task_id task_9"));
        let tests = issue_field(&app, &keys[1], sandbox::TEST_CASES_FIELD).expect("test cases");
        assert!(tests.to_string().contains("token stored"));
        assert_eq!(creations(&app), 3);

        // Every creation precedes every link (two phases).
        let log = app.sandbox().write_log().successful();
        let last_create = log
            .iter()
            .rposition(|r| r.path.ends_with("/issue"))
            .unwrap_or(0);
        let first_link = log
            .iter()
            .position(|r| r.path.ends_with("/issueLink"))
            .unwrap_or(0);
        assert!(last_create < first_link, "{db}: creations then links");
        app.stop().await;
    }
}

#[tokio::test]
async fn running_the_same_bulk_job_again_creates_nothing_twice() {
    for app in TestApp::all().await {
        let db = app.label();
        let uuid = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d";
        let accepted = ok_json(
            app.post(
                "/jira/bulk-create-tasks",
                &json!({"tasks": three_tasks(uuid), "create_tickets": true, "async_mode": true}),
            )
            .await,
            db,
        )
        .await;
        assert_eq!(
            accepted["safety_note"],
            "JIRA will only be updated if create_tickets is true"
        );
        app.drain().await;
        let job_id = accepted["job_id"].as_str().expect("a job id").to_owned();
        let job = ok_json(app.get(&format!("/jobs/{job_id}")).await, db).await;
        assert_eq!(job["job_type"], "bulk_task_creation");
        assert_eq!(job["status"], "completed", "{db}: {job}");
        assert_eq!(job["processed_tickets"], 3);
        let first: Vec<Value> = job["results"]["created_tickets"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(first.len(), 3);
        let issues = issue_count(&app);
        let writes = app.sandbox().write_log().successful().len();

        // The worker dies after the writes and the job runs again under the same id.
        let record = app
            .app
            .db
            .get(job_id.parse().expect("a job id"))
            .await
            .expect("the database answers")
            .expect("the job exists");
        let payload: job_types::jira_ops::BulkCreateTasks =
            serde_json::from_value(record.payload.clone()).expect("the payload");
        let again = features::jira_ops::bulk_create_tasks(
            &app.app.env,
            &features::writes::WriteScope::unfenced(job_id.as_str()),
            &payload,
            None,
        )
        .await
        .expect("the re-run succeeds");
        let again_keys: Vec<Value> = again.created_tickets.iter().map(|k| json!(k)).collect();
        assert_eq!(again_keys, first, "{db}: the same tickets, found again");
        assert!(
            again.writes.iter().all(|w| w.status == "already_written"),
            "{:?}",
            again.writes
        );
        assert_eq!(issue_count(&app), issues, "{db}: no ticket created twice");
        assert_eq!(
            app.sandbox().write_log().successful().len(),
            writes,
            "{db}: no write repeated"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn bulk_create_stories_creates_each_story_and_keeps_prd_rows() {
    for app in TestApp::all().await {
        let db = app.label();
        let body = ok_json(
            app.post(
                "/jira/bulk-create-stories",
                &json!({"stories": [
                    {"parent_key": "DEMO-3", "summary": "Filter orders by date", "description": "d", "prd_row_uuid": "r-1"},
                    {"parent_key": "DEMO-999", "summary": "Lost", "description": "d"},
                    {"parent_key": "DEMO-3", "summary": "Export orders", "description": "d", "test_cases": "- CSV opens"}],
                    "create_tickets": true}),
            )
            .await,
            db,
        )
        .await;
        assert_eq!(body["successful"], 2, "{db}: {body}");
        assert_eq!(body["failed"], 1);
        assert_eq!(body["results"][0]["prd_row_uuid"], "r-1");
        assert!(text(&body["results"][1]["error"]).contains("DEMO-999"));
        for key in body["created_tickets"].as_array().expect("keys") {
            let key = key.as_str().unwrap_or_default();
            assert_eq!(type_of(&app, key), "Story");
            assert_eq!(parent_of(&app, key).as_deref(), Some("DEMO-3"));
        }
        assert_eq!(creations(&app), 2);
        app.stop().await;
    }
}

#[tokio::test]
async fn a_task_that_cannot_be_created_fails_alone_and_links_to_it_fail() {
    for app in TestApp::all().await {
        let db = app.label();
        let body = ok_json(
            app.post(
                "/jira/bulk-create-tasks",
                &json!({"tasks": [
                    {"task_id": "task_1", "summary": "Lost", "description": "d", "story_key": "DEMO-999"},
                    {"summary": "Kept", "description": "d", "story_key": "DEMO-6", "blocks": ["task_1"]}],
                    "create_tickets": true}),
            )
            .await,
            db,
        )
        .await;
        assert_eq!(body["successful"], 1, "{db}: {body}");
        assert_eq!(body["failed"], 1);
        assert_eq!(body["results"][0]["success"], false);
        assert!(text(&body["results"][0]["error"]).contains("Story DEMO-999 not found"));
        let kept = text(&body["results"][1]["ticket_key"]).to_owned();
        assert!(has_link(&app, "Work item split", "DEMO-6", &kept));
        let block = &body["results"][1]["links_created"][1];
        assert_eq!(block["status"], "failed", "{block}");
        assert!(text(&block["error"]).contains("The blocked task was not created"));
        assert_eq!(creations(&app), 1);
        app.stop().await;
    }
}
