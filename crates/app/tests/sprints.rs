//! Sprints end to end on every test database against the sandbox's demo board (board 1: "DEMO
//! Sprint 1" closed, "DEMO Sprint 2" active, "DEMO Sprint 3" future and undated): the read
//! routes (every page), create and update (query parameters or a body), assign and remove
//! (previews write nothing), planning the demo epic into sprints and assigning it exactly once,
//! timelines stored and served as JSON, SVG and Markdown, and the 404/409/422 answers.

#![cfg(feature = "testing")]

use app::testing::TestApp;
use atlassian::KnownLinkType;
use atlassian::models::{NewIssue, NewSprint};
use features::writes::{Executor, SprintRef, SprintWrite, Write, WriteScope, WriteStep};
use job_types::intent_id;
use job_types::sprints::{CapacitySource, EpicPlanSpec, PlanEpicSprints};
use serde_json::{Value, json};
use store::{MemberInput, MembershipInput, TeamInput};

const BOARD: u64 = 1;

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app.http.request(method, format!("{}{path}", app.base_url));
    if let Some(body) = body {
        request = request.json(&body);
    }
    json_of(request.send().await.expect("the request reaches the app")).await
}

/// The demo board's sprints by name.
async fn sprint_id(app: &TestApp, name: &str) -> u64 {
    app.app
        .env
        .jira
        .board_sprints(BOARD, &[])
        .await
        .expect("the board's sprints")
        .into_iter()
        .find(|sprint| sprint.name == name)
        .unwrap_or_else(|| panic!("sprint {name} on the demo board"))
        .id
}

async fn sprint_of(app: &TestApp, key: &str) -> Option<u64> {
    let (status, body) = json_of(
        app.get(&format!(
            "/sprint/board/{BOARD}/sprints?state=active,future"
        ))
        .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    for sprint in body.as_array().cloned().unwrap_or_default() {
        let id = sprint["id"].as_u64().expect("an id");
        let (_, issues) = json_of(app.get(&format!("/sprint/{id}/issues")).await).await;
        if issues["issues"]
            .as_array()
            .is_some_and(|issues| issues.iter().any(|issue| issue["key"] == key))
        {
            return Some(id);
        }
    }
    None
}

fn detail(body: &Value) -> String {
    body["detail"].to_string()
}

#[tokio::test]
async fn the_read_routes_list_every_page_filter_by_state_and_answer_404_for_unknown_ids() {
    for app in TestApp::all().await {
        let label = app.label();
        let (status, body) = json_of(app.get("/sprint/board/1/sprints").await).await;
        assert_eq!(status, 200, "{label}: {body}");
        let names: Vec<&str> = body
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|s| s["name"].as_str())
            .collect();
        assert_eq!(
            names,
            ["DEMO Sprint 1", "DEMO Sprint 2", "DEMO Sprint 3"],
            "{label}"
        );
        assert_eq!(body[0]["state"], "closed");
        assert_eq!(body[1]["board_id"], 1);

        let (status, body) = json_of(app.get("/sprint/board/1/sprints?state=future").await).await;
        assert_eq!(status, 200, "{label}: {body}");
        assert_eq!(body.as_array().map(Vec::len), Some(1), "{label}: {body}");
        assert_eq!(body[0]["name"], "DEMO Sprint 3");
        let (status, body) =
            json_of(app.get("/sprint/board/1/sprints?state=active,closed").await).await;
        assert_eq!(
            (status, body.as_array().map(Vec::len)),
            (200, Some(2)),
            "{label}: {body}"
        );

        let (status, body) = json_of(app.get("/sprint/board/1/sprints?state=open").await).await;
        assert_eq!(status, 422, "{label}: {body}");
        assert!(detail(&body).contains("state"), "{label}: {body}");
        let (status, body) = json_of(app.get("/sprint/board/77/sprints").await).await;
        assert_eq!(status, 404, "{label}: {body}");
        assert!(detail(&body).contains("Board 77"), "{label}: {body}");

        // More sprints than one page of Jira's (50): every page is read.
        for n in 0..57 {
            app.app
                .env
                .jira
                .create_sprint(&NewSprint {
                    name: format!("Extra {n}"),
                    origin_board_id: BOARD,
                    start_date: None,
                    end_date: None,
                    goal: None,
                })
                .await
                .expect("a sprint");
        }
        let (status, body) = json_of(app.get("/sprint/board/1/sprints").await).await;
        assert_eq!(
            (status, body.as_array().map(Vec::len)),
            (200, Some(60)),
            "{label}"
        );

        let active = sprint_id(&app, "DEMO Sprint 2").await;
        let (status, body) = json_of(app.get(&format!("/sprint/{active}")).await).await;
        assert_eq!(status, 200, "{label}: {body}");
        assert_eq!(
            (body["id"].as_u64(), body["state"].as_str()),
            (Some(active), Some("active"))
        );
        assert!(body["start_date"].as_str().is_some(), "{label}: {body}");
        let (status, body) = json_of(app.get("/sprint/9999").await).await;
        assert_eq!(status, 404, "{label}: {body}");
        assert!(detail(&body).contains("Sprint 9999"), "{label}: {body}");
        let (status, _) = json_of(app.get("/sprint/abc").await).await;
        assert_eq!(status, 422, "{label}");

        let (status, body) = json_of(app.get(&format!("/sprint/{active}/issues")).await).await;
        assert_eq!(status, 200, "{label}: {body}");
        let keys: Vec<&str> = body["issues"]
            .as_array()
            .expect("issues")
            .iter()
            .filter_map(|i| i["key"].as_str())
            .collect();
        assert_eq!(
            body["total_issues"], 6,
            "{label}: 3 issues and DEMO-5's 3 sub-tasks: {body}"
        );
        assert!(
            keys.contains(&"DEMO-5") && keys.contains(&"DEMO-8"),
            "{label}: {keys:?}"
        );
        let (status, body) = json_of(app.get("/sprint/9999/issues").await).await;
        assert_eq!(status, 404, "{label}: {body}");

        // A sprint with more issues than one page.
        let future = sprint_id(&app, "DEMO Sprint 3").await;
        let mut created = Vec::new();
        for n in 0..55 {
            let issue = app
                .app
                .env
                .jira
                .create_issue(&NewIssue::new("DEMO", "Task", format!("Paging task {n}")))
                .await
                .expect("an issue");
            created.push(issue.key);
        }
        let keys: Vec<&str> = created.iter().map(String::as_str).collect();
        app.app
            .env
            .jira
            .move_issues_to_sprint(future, &keys)
            .await
            .expect("moved");
        let (status, body) = json_of(app.get(&format!("/sprint/{future}/issues")).await).await;
        assert_eq!(
            (status, body["total_issues"].as_u64()),
            (200, Some(57)),
            "{label}"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn sprints_are_created_and_updated_from_query_parameters_or_a_body() {
    for app in TestApp::all().await {
        let label = app.label();
        // A preview (the default) sends nothing.
        let (status, body) = json_of(
            app.post("/sprint/create?name=Checkout%20A&board_id=1", &Value::Null)
                .await,
        )
        .await;
        assert_eq!(status, 200, "{label}: {body}");
        assert!(
            app.sandbox().write_log().is_empty(),
            "{label}: a preview wrote"
        );
        assert_eq!(
            body["write_plan"]["writes"][0]["path"],
            "/rest/agile/1.0/sprint"
        );
        assert_eq!(body["write_plan"]["writes"][0]["body"]["originBoardId"], 1);
        assert!(body["id"].is_null(), "{label}: {body}");

        let (status, body) = json_of(
            app.post(
                "/sprint/create?name=Checkout%20A&board_id=1&start_date=2026-01-05&end_date=2026-01-18T17:00:00Z&dry_run=false",
                &Value::Null,
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{label}: {body}");
        let id = body["id"].as_u64().expect("the new sprint's id");
        assert_eq!(
            (body["name"].as_str(), body["state"].as_str()),
            (Some("Checkout A"), Some("future"))
        );
        assert_eq!(
            body["start_date"], "2026-01-05T00:00:00Z",
            "{label}: {body}"
        );
        assert_eq!(body["writes"][0]["status"], "written");

        let (status, body) = json_of(
            app.post(
                "/sprint/create",
                &json!({"name": "Checkout B", "board_id": 1, "goal": "Ship it", "dry_run": false}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{label}: {body}");
        assert_eq!(body["goal"], "Ship it");

        for (path, body, field) in [
            ("/sprint/create?board_id=1", Value::Null, "name"),
            ("/sprint/create?name=X", Value::Null, "board_id"),
            (
                "/sprint/create?name=X&board_id=1&start_date=05.01.2026",
                Value::Null,
                "start_date",
            ),
            (
                "/sprint/create",
                json!({"name": "X", "board_id": 1, "end_date": "next week"}),
                "end_date",
            ),
        ] {
            let (status, answer) = json_of(app.post(path, &body).await).await;
            assert_eq!(status, 422, "{label}: {path}: {answer}");
            assert!(
                answer["detail"].to_string().contains(field),
                "{label}: {path}: {answer}"
            );
        }
        let (status, body) = json_of(
            app.post("/sprint/create?name=X&board_id=42", &Value::Null)
                .await,
        )
        .await;
        assert_eq!(status, 404, "{label}: {body}");
        assert!(detail(&body).contains("Board 42"), "{label}: {body}");

        let (status, body) = send(
            &app,
            reqwest::Method::PUT,
            &format!("/sprint/{id}?name=Checkout%20A2&end_date=2026-01-20&dry_run=false"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{label}: {body}");
        assert_eq!(body["name"], "Checkout A2");
        assert_eq!(body["end_date"], "2026-01-20T00:00:00Z");
        assert_eq!(
            body["start_date"], "2026-01-05T00:00:00Z",
            "{label}: unchanged"
        );
        let (status, body) = send(
            &app,
            reqwest::Method::PUT,
            &format!("/sprint/{id}"),
            Some(json!({"sprint_id": id, "goal": "New goal", "dry_run": false})),
        )
        .await;
        assert_eq!(
            (status, body["goal"].as_str()),
            (200, Some("New goal")),
            "{label}: {body}"
        );
        let (status, body) = send(
            &app,
            reqwest::Method::PUT,
            &format!("/sprint/{id}"),
            Some(json!({"sprint_id": id + 1, "name": "Other"})),
        )
        .await;
        assert_eq!(status, 422, "{label}: {body}");
        assert!(detail(&body).contains("sprint_id"), "{label}: {body}");
        let (status, body) = send(&app, reqwest::Method::PUT, "/sprint/9999?name=X", None).await;
        assert_eq!(status, 404, "{label}: {body}");
        let closed = sprint_id(&app, "DEMO Sprint 1").await;
        let (status, body) = send(
            &app,
            reqwest::Method::PUT,
            &format!("/sprint/{closed}?name=X"),
            None,
        )
        .await;
        assert_eq!(status, 422, "{label}: {body}");
        assert!(detail(&body).contains("closed"), "{label}: {body}");
        app.stop().await;
    }
}

#[tokio::test]
async fn issues_are_assigned_after_a_preview_and_removed_to_the_backlog() {
    for app in TestApp::all().await {
        let label = app.label();
        let future = sprint_id(&app, "DEMO Sprint 3").await;
        let path = format!("/sprint/{future}/assign");
        let (status, body) =
            json_of(app.post(&path, &json!({"issue_keys": ["DEMO-7"]})).await).await;
        assert_eq!(status, 200, "{label}: {body}");
        assert!(
            app.sandbox().write_log().is_empty(),
            "{label}: the default is a preview"
        );
        assert_eq!(body["assigned_in_jira"], false);
        let write = &body["write_plan"]["writes"][0];
        assert_eq!(write["method"], "POST");
        assert_eq!(
            write["path"],
            format!("/rest/agile/1.0/sprint/{future}/issue")
        );
        assert_eq!(write["body"], json!({"issues": ["DEMO-7"]}));
        assert_eq!(sprint_of(&app, "DEMO-7").await, None);

        let (status, body) = json_of(
            app.post(
                &path,
                &json!({"sprint_id": future, "issue_keys": ["DEMO-7"], "dry_run": false}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{label}: {body}");
        assert_eq!(body["assigned_in_jira"], true);
        assert_eq!(sprint_of(&app, "DEMO-7").await, Some(future), "{label}");

        let (status, body) = json_of(
            app.post(
                &path,
                &json!({"sprint_id": future + 1, "issue_keys": ["DEMO-7"]}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 422, "{label}: {body}");
        let closed = sprint_id(&app, "DEMO Sprint 1").await;
        let (status, body) = json_of(
            app.post(
                &format!("/sprint/{closed}/assign"),
                &json!({"issue_keys": ["DEMO-7"], "dry_run": false}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 422, "{label}: {body}");
        assert!(detail(&body).contains("closed"), "{label}: {body}");
        let (status, body) = json_of(
            app.post("/sprint/9999/assign", &json!({"issue_keys": ["DEMO-7"]}))
                .await,
        )
        .await;
        assert_eq!(status, 404, "{label}: {body}");
        let (status, body) =
            json_of(app.post(&path, &json!({"issue_keys": ["DEMO-999"]})).await).await;
        assert_eq!(status, 404, "{label}: {body}");
        assert!(detail(&body).contains("DEMO-999"), "{label}: {body}");
        let (status, _) = json_of(app.post(&path, &json!({"issue_keys": []})).await).await;
        assert_eq!(status, 422, "{label}");

        // Remove takes a bare array of keys.
        let writes = app.sandbox().write_log().len();
        let remove = format!("/sprint/{future}/remove");
        let (status, body) = json_of(app.post(&remove, &json!(["DEMO-7"])).await).await;
        assert_eq!(status, 200, "{label}: {body}");
        assert_eq!(
            app.sandbox().write_log().len(),
            writes,
            "{label}: a preview wrote"
        );
        assert_eq!(
            body["write_plan"]["writes"][0]["path"],
            "/rest/agile/1.0/backlog/issue"
        );
        let (status, body) = json_of(
            app.post(&format!("{remove}?dry_run=false"), &json!(["DEMO-7"]))
                .await,
        )
        .await;
        assert_eq!(
            (status, body["removed_in_jira"].as_bool()),
            (200, Some(true)),
            "{label}: {body}"
        );
        assert_eq!(sprint_of(&app, "DEMO-7").await, None, "{label}");
        let (status, _) =
            json_of(app.post(&remove, &json!({"issue_keys": ["DEMO-7"]})).await).await;
        assert_eq!(status, 422, "{label}: an object is not the bare array");
        app.stop().await;
    }
}

fn plan_request(extra: Value) -> Value {
    let mut request = json!({
        "epic_key": "DEMO-1",
        "board_id": BOARD,
        "sprint_capacity_days": 2,
        "start_date": "2026-03-02",
        "auto_create_sprints": true,
    });
    if let (Some(target), Some(extra)) = (request.as_object_mut(), extra.as_object()) {
        for (key, value) in extra {
            target.insert(key.clone(), value.clone());
        }
    }
    request
}

#[tokio::test]
async fn the_demo_epic_is_planned_previewed_then_assigned_once() {
    for app in TestApp::all().await {
        let label = app.label();
        // A dependency inside the epic: the saved-cards story waits for the payment errors.
        let jira = &app.app.env.jira;
        let blocks = jira
            .known_link_type(KnownLinkType::Blocks)
            .await
            .expect("Blocks");
        jira.create_link(&blocks, "DEMO-6", "DEMO-7", None)
            .await
            .expect("a link");
        app.sandbox().write_log().clear();

        let (status, preview) = json_of(
            app.post("/sprint/plan/epic", &plan_request(json!({})))
                .await,
        )
        .await;
        assert_eq!(status, 200, "{label}: {preview}");
        assert!(
            app.sandbox().write_log().is_empty(),
            "{label}: a preview wrote {:?}",
            app.sandbox().write_log().entries()
        );
        assert_eq!(preview["dry_run"], true);
        assert_eq!(
            preview["total_tasks"], 2,
            "{label}: DEMO-6 and DEMO-7 are open: {preview}"
        );
        let skipped: Vec<&str> = preview["skipped"]
            .as_array()
            .expect("skipped")
            .iter()
            .filter_map(|s| s["key"].as_str())
            .collect();
        assert_eq!(
            skipped,
            ["DEMO-4", "DEMO-5"],
            "{label}: done, and in the active sprint"
        );
        let sprint_of_task = |key: &str| {
            preview["assignments"]
                .as_array()
                .and_then(|a| a.iter().find(|a| a["task_key"] == key))
                .map(|a| a["sprint_name"].clone())
                .unwrap_or_else(|| panic!("{label}: {key} is planned: {preview}"))
        };
        let index_of = |name: &Value| {
            preview["sprints"]
                .as_array()
                .and_then(|s| s.iter().position(|s| &s["name"] == name))
                .expect("a planned sprint")
        };
        assert!(
            index_of(&sprint_of_task("DEMO-6")) <= index_of(&sprint_of_task("DEMO-7")),
            "{label}: a task is never before its blocker: {preview}"
        );
        for assignment in preview["assignments"].as_array().expect("assignments") {
            assert_eq!(
                assignment["estimate_source"], "cycle_time",
                "{label}: {assignment}"
            );
        }
        assert!(
            preview["warnings"].to_string().contains("no mandays"),
            "{label}: missing estimates are named: {preview}"
        );
        let created = preview["sprints_created"]
            .as_array()
            .expect("new sprints")
            .len();
        assert!(
            created >= 1,
            "{label}: 2 days a sprint needs new sprints: {preview}"
        );
        let writes = preview["write_plan"]["writes"]
            .as_array()
            .expect("a write plan");
        assert_eq!(
            writes
                .iter()
                .filter(|w| w["action"] == "create_sprint")
                .count(),
            created,
            "{label}: {preview}"
        );
        let first_create = writes
            .iter()
            .find(|w| w["action"] == "create_sprint")
            .expect("a create");
        assert_eq!(first_create["path"], "/rest/agile/1.0/sprint");
        assert_eq!(first_create["body"]["originBoardId"], 1);
        assert!(
            writes.iter().any(|w| w["action"] == "move_to_sprint"
                && w["path"].as_str().is_some_and(|p| p.contains("{{created:"))),
            "{label}: moves into new sprints name them by their create step: {preview}"
        );
        assert!(
            preview["estimated_completion_date"].as_str().is_some(),
            "{label}"
        );
        assert!(
            preview["capacity_utilization"]
                .as_object()
                .is_some_and(|u| !u.is_empty())
        );
        assert_eq!(preview["capacity"]["source"], "request");
        // DEMO Sprint 3 already holds DEMO-9 (3 mandays, another epic): full at 2 days a sprint.
        let warnings = preview["warnings"].to_string();
        assert!(
            warnings.contains("DEMO Sprint 3")
                && warnings.contains("DEMO-9")
                && warnings.contains("is full"),
            "{label}: {preview}"
        );
        assert!(
            preview["sprints"]
                .as_array()
                .expect("sprints")
                .iter()
                .all(|s| s["name"] != "DEMO Sprint 3"),
            "{label}: a full sprint takes no more work: {preview}"
        );
        // At 10 days a sprint, 7 are left in it.
        let (status, roomy) = json_of(
            app.post(
                "/sprint/plan/epic",
                &plan_request(json!({"sprint_capacity_days": 10})),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{label}: {roomy}");
        assert_eq!(
            roomy["sprints"][0]["name"], "DEMO Sprint 3",
            "{label}: {roomy}"
        );
        assert_eq!(
            roomy["sprints"][0]["capacity_days"], 7.0,
            "{label}: {roomy}"
        );
        assert_eq!(roomy["sprints_created"], json!([]), "{label}: {roomy}");

        // Assign for real.
        let (status, applied) = json_of(
            app.post(
                "/sprint/plan/epic",
                &plan_request(json!({"dry_run": false})),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{label}: {applied}");
        assert_eq!(applied["success"], true, "{label}: {applied}");
        let sprints_after = jira.board_sprints(BOARD, &[]).await.expect("sprints");
        assert_eq!(sprints_after.len(), 3 + created, "{label}: {applied}");
        for assignment in applied["assignments"].as_array().expect("assignments") {
            let key = assignment["task_key"].as_str().expect("a key");
            let id = assignment["sprint_id"]
                .as_u64()
                .expect("assigned to a real sprint");
            assert_eq!(sprint_of(&app, key).await, Some(id), "{label}: {key}");
        }

        // Planning again finds the sprints and the issues where the first run put them.
        let log = app.sandbox().write_log().len();
        let (status, again) = json_of(
            app.post(
                "/sprint/plan/epic",
                &plan_request(json!({"dry_run": false})),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{label}: {again}");
        assert_eq!(again["sprints_created"], json!([]), "{label}: {again}");
        assert_eq!(again["write_plan"]["writes"], json!([]), "{label}: {again}");
        assert_eq!(
            app.sandbox().write_log().len(),
            log,
            "{label}: nothing written twice"
        );
        assert_eq!(
            jira.board_sprints(BOARD, &[]).await.expect("sprints").len(),
            3 + created
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn rerunning_the_same_planning_job_writes_nothing_twice() {
    let app = TestApp::full().await;
    let payload = PlanEpicSprints {
        spec: EpicPlanSpec {
            epic_key: "DEMO-1".into(),
            board_id: BOARD,
            capacity: CapacitySource::Days(3.0),
            start_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date"),
            sprint_duration_days: 14,
        },
        auto_create_sprints: true,
        dry_run: false,
    };
    let scope = WriteScope::unfenced("sprint-planning-job-1");
    let env = &app.app.env;
    let first = features::sprints::planning::plan_epic(env, &scope, &payload)
        .await
        .expect("the plan runs");
    assert!(
        first.writes.iter().all(|w| w.status == "written"),
        "{:?}",
        first.writes
    );
    assert!(!first.sprints_created.is_empty());
    let sprints = env
        .jira
        .board_sprints(BOARD, &[])
        .await
        .expect("sprints")
        .len();
    let log = app.sandbox().write_log().len();
    // The same job again (a retry after a crash): its intents are done, nothing is re-sent.
    let second = features::sprints::planning::plan_epic(env, &scope, &payload)
        .await
        .expect("the plan runs again");
    assert_eq!(
        env.jira
            .board_sprints(BOARD, &[])
            .await
            .expect("sprints")
            .len(),
        sprints
    );
    assert_eq!(app.sandbox().write_log().len(), log, "{:?}", second.writes);
    app.stop().await;
}

#[tokio::test]
async fn bad_planning_requests_are_refused_with_what_to_fix() {
    for app in TestApp::all().await {
        let label = app.label();
        let jira = &app.app.env.jira;
        let post = |body: Value| {
            let app = &app;
            async move { json_of(app.post("/sprint/plan/epic", &body).await).await }
        };

        let (status, body) = post(plan_request(json!({"sprint_capacity_days": 0}))).await;
        assert_eq!(status, 422, "{label}: {body}");
        assert!(
            detail(&body).contains("sprint_capacity_days"),
            "{label}: {body}"
        );
        let (status, body) = post(plan_request(json!({"start_date": "2026/03/02"}))).await;
        assert_eq!(status, 422, "{label}: {body}");
        assert!(detail(&body).contains("start_date"), "{label}: {body}");
        let (status, body) = post(plan_request(json!({"epic_key": "DEMO-404"}))).await;
        assert_eq!(status, 404, "{label}: {body}");
        assert!(detail(&body).contains("DEMO-404"), "{label}: {body}");
        let (status, body) = post(plan_request(json!({"board_id": 31}))).await;
        assert_eq!(status, 404, "{label}: {body}");
        assert!(detail(&body).contains("Board 31"), "{label}: {body}");
        let (status, body) = post(plan_request(json!({"epic_key": "DEMO-6"}))).await;
        assert_eq!(status, 422, "{label}: not an epic: {body}");
        let (status, body) = post(plan_request(
            json!({"team_id": 12345, "sprint_capacity_days": null}),
        ))
        .await;
        assert_eq!(status, 404, "{label}: {body}");
        assert!(detail(&body).contains("Team 12345"), "{label}: {body}");

        // A cycle of Blocks links is named.
        let blocks = jira
            .known_link_type(KnownLinkType::Blocks)
            .await
            .expect("Blocks");
        jira.create_link(&blocks, "DEMO-6", "DEMO-7", None)
            .await
            .expect("a link");
        jira.create_link(&blocks, "DEMO-7", "DEMO-6", None)
            .await
            .expect("a link");
        let (status, body) = post(plan_request(json!({}))).await;
        assert_eq!(status, 422, "{label}: {body}");
        let text = detail(&body);
        assert!(
            text.contains("cycle") && text.contains("DEMO-6") && text.contains("DEMO-7"),
            "{label}: {body}"
        );

        // One planning job per epic at a time.
        let (status, queued) = post(plan_request(json!({"async_mode": true}))).await;
        assert_eq!(status, 200, "{label}: {queued}");
        assert!(queued["job_id"].as_str().is_some(), "{label}: {queued}");
        let response = app
            .post("/sprint/plan/epic", &plan_request(json!({})))
            .await;
        assert_eq!(response.status().as_u16(), 409, "{label}");
        assert!(
            response.headers().contains_key("x-active-job-id"),
            "{label}"
        );
        app.drain().await;
        app.stop().await;
    }
}

#[tokio::test]
async fn a_team_s_members_are_the_sprint_capacity() {
    for app in TestApp::all().await {
        let label = app.label();
        let db = &app.app.db;
        let team = db
            .create_team(&TeamInput {
                name: "Checkout".into(),
                description: None,
                board_ids: None,
            })
            .await
            .expect("a team");
        for (name, days) in [("Ana", 4.0), ("Ben", 3.0)] {
            db.create_member(&MemberInput {
                name: name.into(),
                email: format!("{name}@example.com"),
                level: "mid".into(),
                capacity_days_per_sprint: days,
                memberships: Some(vec![MembershipInput {
                    team_id: team.id,
                    role: Some("backend".into()),
                    capacity_allocation: 1.0,
                }]),
            })
            .await
            .expect("a member");
        }
        let (status, body) = json_of(
            app.post(
                "/sprint/plan/epic",
                &plan_request(json!({"sprint_capacity_days": null, "team_id": team.id})),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{label}: {body}");
        assert_eq!(body["capacity"]["source"], "team");
        assert_eq!(body["capacity"]["days_per_sprint"], 7.0, "{label}: {body}");
        // DEMO Sprint 3 already holds DEMO-9 (3 mandays of another epic): 4 of its 7 days left.
        assert_eq!(body["sprints"][0]["capacity_days"], 4.0, "{label}: {body}");
        app.stop().await;
    }
}

#[tokio::test]
async fn a_timeline_is_computed_stored_and_served_as_json_svg_and_markdown() {
    for app in TestApp::all().await {
        let label = app.label();
        let (status, body) = json_of(app.get("/sprint/timeline/DEMO-1?board_id=1").await).await;
        assert_eq!(status, 404, "{label}: none computed yet: {body}");
        let (status, body) = json_of(
            app.post(
                "/sprint/timeline",
                &json!({"epic_key": "DEMO-1", "board_id": 1}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 422, "{label}: start_date is required: {body}");
        assert!(detail(&body).contains("start_date"), "{label}: {body}");
        let (status, body) = json_of(
            app.post(
                "/sprint/timeline",
                &json!({"epic_key": "DEMO-1", "board_id": 1, "start_date": "March 2"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 422, "{label}: {body}");
        assert!(detail(&body).contains("start_date"), "{label}: {body}");

        let (status, computed) = json_of(
            app.post(
                "/sprint/timeline",
                &json!({"epic_key": "DEMO-1", "board_id": 1, "start_date": "2026-03-02", "team_capacity_days": 3}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{label}: {computed}");
        assert!(
            app.sandbox().write_log().is_empty(),
            "{label}: a timeline writes nothing to Jira"
        );
        assert_eq!(computed["total_tasks"], 2, "{label}: {computed}");
        assert!(
            computed["total_sprints"].as_u64().is_some_and(|n| n >= 2),
            "{label}: {computed}"
        );
        let planned: usize = computed["sprints"]
            .as_array()
            .expect("sprints")
            .iter()
            .map(|s| s["tasks"].as_array().map_or(0, Vec::len))
            .sum();
        assert_eq!(planned, 2, "{label}: {computed}");
        let completion = computed["estimated_completion_date"]
            .as_str()
            .expect("a date")
            .to_owned();

        let (status, stored) = json_of(app.get("/sprint/timeline/DEMO-1?board_id=1").await).await;
        assert_eq!(status, 200, "{label}: {stored}");
        assert_eq!(stored["estimated_completion_date"], completion);
        assert_eq!(stored["sprints"], computed["sprints"], "{label}");
        let (status, _) = json_of(app.get("/sprint/timeline/DEMO-1?board_id=2").await).await;
        assert_eq!(status, 404, "{label}: another board has none");

        let svg = app
            .get("/sprint/timeline/DEMO-1?board_id=1&format=svg")
            .await;
        assert_eq!(svg.status().as_u16(), 200);
        assert_eq!(
            svg.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("image/svg+xml")
        );
        let svg = svg.text().await.expect("a body");
        assert!(
            svg.starts_with("<svg") && svg.contains("DEMO-6") && svg.contains("DEMO-7"),
            "{label}"
        );
        let markdown = app
            .get("/sprint/timeline/DEMO-1?board_id=1&format=markdown")
            .await;
        assert!(
            markdown
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/markdown"))
        );
        let markdown = markdown.text().await.expect("a body");
        assert!(
            markdown.contains("| Sprint | Dates |") && markdown.contains(&completion),
            "{label}: {markdown}"
        );
        let (status, _) = json_of(
            app.get("/sprint/timeline/DEMO-1?board_id=1&format=pdf")
                .await,
        )
        .await;
        assert_eq!(status, 422, "{label}");
        let (status, _) = json_of(app.get("/sprint/timeline/DEMO-1").await).await;
        assert_eq!(status, 422, "{label}: board_id is required");
        app.stop().await;
    }
}

#[tokio::test]
async fn a_pending_sprint_create_is_found_on_the_board_and_moves_into_it_resolve() {
    for app in TestApp::all().await {
        let label = app.label();
        let env = &app.app.env;
        let create = WriteStep::new(
            "create-sprint:Sprint 2027-01-04",
            Write::Sprint(SprintWrite::Create(NewSprint {
                name: "Sprint 2027-01-04".into(),
                origin_board_id: BOARD,
                start_date: None,
                end_date: None,
                goal: None,
            })),
        );
        let moves = WriteStep::new(
            "plan-move:Sprint 2027-01-04:DEMO-7",
            Write::Sprint(SprintWrite::MoveToSprint {
                sprint: SprintRef::Created("create-sprint:Sprint 2027-01-04".into()),
                issues: vec!["DEMO-7".into()],
            }),
        );
        // The create reached Jira, but the crash came before its result was recorded.
        let intent = intent_id("job-crashed", &create.step);
        env.db
            .begin_intent(
                &intent,
                "job-crashed",
                None,
                "create_sprint",
                "Sprint 2027-01-04",
            )
            .await
            .expect("recorded");
        let made = env
            .jira
            .create_sprint(&NewSprint {
                name: "Sprint 2027-01-04".into(),
                origin_board_id: BOARD,
                start_date: None,
                end_date: None,
                goal: None,
            })
            .await
            .expect("created behind the ledger's back");
        let before = env
            .jira
            .board_sprints(BOARD, &[])
            .await
            .expect("sprints")
            .len();
        let mut retry = Executor::new(&env.jira, &env.db, WriteScope::unfenced("job-crashed"));
        let outcomes = retry.run_all(&[create, moves]).await;
        assert_eq!(
            outcomes[0].status, "already_written",
            "{label}: {outcomes:?}"
        );
        assert_eq!(outcomes[1].status, "written", "{label}: {outcomes:?}");
        assert_eq!(
            env.jira
                .board_sprints(BOARD, &[])
                .await
                .expect("sprints")
                .len(),
            before,
            "{label}: the sprint was created twice"
        );
        assert_eq!(sprint_of(&app, "DEMO-7").await, Some(made.id), "{label}");
        app.stop().await;
    }
}

#[tokio::test]
async fn a_team_s_capacity_per_role_is_one_pool_per_role_for_tasks_with_that_role() {
    let app = TestApp::full().await;
    let db = &app.app.db;
    let jira = &app.app.env.jira;
    let team = db
        .create_team(&TeamInput {
            name: "Orders".into(),
            description: None,
            board_ids: None,
        })
        .await
        .expect("a team");
    for (name, role, days) in [("Cy", "backend", 4.0), ("Di", "qa", 2.0)] {
        db.create_member(&MemberInput {
            name: name.into(),
            email: format!("{name}@example.com"),
            level: "senior".into(),
            capacity_days_per_sprint: days,
            memberships: Some(vec![MembershipInput {
                team_id: team.id,
                role: Some(role.into()),
                capacity_allocation: 1.0,
            }]),
        })
        .await
        .expect("a member");
    }
    // DEMO-3's open story becomes QA work; add a backend task and another QA task.
    for (summary, days) in [("[BE] Order search index", 1.0), ("[QA] Search tests", 2.0)] {
        jira.create_issue(
            &NewIssue::new("DEMO", "Task", summary)
                .with_parent("DEMO-3")
                .with_custom_field(sandbox::MANDAYS_FIELD, json!(days)),
        )
        .await
        .expect("a task");
    }
    jira.edit_issue(
        "DEMO-15",
        &atlassian::models::IssueEdit::new()
            .set_summary("[QA] Search orders by product name")
            .set_field(sandbox::MANDAYS_FIELD, json!(2.0)),
    )
    .await
    .expect("edited");
    let (status, body) = json_of(
        app.post(
            "/sprint/plan/epic",
            &json!({"epic_key": "DEMO-3", "board_id": 1, "team_id": team.id,
                    "auto_create_sprints": true, "start_date": "2026-03-02"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["capacity"]["per_role"],
        json!({"backend": 4.0, "qa": 2.0}),
        "{body}"
    );
    // Pooled, 6 days would hold all 5 days of work in one sprint; per role, the two 2-day QA
    // tasks need the QA pool of two sprints.
    let sprint_of = |key: &str| {
        body["assignments"]
            .as_array()
            .and_then(|a| a.iter().find(|a| a["task_key"] == key))
            .map(|a| a["sprint_name"].clone())
            .unwrap_or_else(|| panic!("{key} is planned: {body}"))
    };
    assert_ne!(sprint_of("DEMO-15"), sprint_of("DEMO-17"), "{body}");
    assert_eq!(body["total_sprints"], 2, "{body}");
    assert!(
        body["warnings"].to_string().contains("not deducted"),
        "{body}"
    );
    app.stop().await;
}
