#![cfg(feature = "testing")]
//! End to end: `/team-members`, `/teams` and `/boards` on every test database: CRUD round trips,
//! soft delete, the role and level lists (reachable, unlike the reference), capacity per role and
//! per team, and the 404/409/422 answers.

use app::testing::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

async fn call(app: &TestApp, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = app
        .http
        .request(method.clone(), format!("{}{path}", app.base_url));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the request reaches the app");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    assert_ne!(status, 500, "{method} {path} answered 500: {body:#}");
    (status, body)
}

async fn get(app: &TestApp, path: &str) -> (u16, Value) {
    call(app, Method::GET, path, None).await
}

async fn post(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    call(app, Method::POST, path, Some(body)).await
}

async fn put(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    call(app, Method::PUT, path, Some(body)).await
}

async fn delete(app: &TestApp, path: &str) -> (u16, Value) {
    call(app, Method::DELETE, path, None).await
}

/// Creates a team and returns its id.
async fn team(app: &TestApp, name: &str) -> i64 {
    let (status, body) = post(app, "/teams", json!({ "name": name })).await;
    assert_eq!(status, 200, "{body:#}");
    body["id"].as_i64().expect("an id")
}

/// The `msg` of the 422 issue at `loc`.
fn issue_at<'a>(body: &'a Value, loc: &Value) -> &'a str {
    body["detail"]
        .as_array()
        .and_then(|issues| issues.iter().find(|issue| &issue["loc"] == loc))
        .and_then(|issue| issue["msg"].as_str())
        .unwrap_or_else(|| panic!("no issue at {loc}: {body:#}"))
}

#[tokio::test]
async fn members_round_trip_with_their_teams_and_are_soft_deleted() {
    for app in TestApp::all().await {
        let label = app.label();
        let backend = team(&app, "Backend").await;
        let payments = team(&app, "Payments").await;
        let (status, ada) = post(
            &app,
            "/team-members",
            json!({
                "name": "Ada Lovelace",
                "email": "ada@example.com",
                "level": "Senior",
                "capacity_days_per_sprint": 8,
                "team_ids": [backend, payments],
                "roles": { payments.to_string(): "QA" }
            }),
        )
        .await;
        assert_eq!(status, 200, "{label}: {ada:#}");
        let id = ada["id"].as_i64().unwrap();
        assert_eq!(ada["level"], "senior");
        assert_eq!(ada["is_active"], true);
        assert_eq!(ada["capacity_days_per_sprint"], 8.0);
        // Two teams without shares split the capacity; the role comes from `roles`, or from the
        // team's name.
        let teams: Vec<(i64, &str, f64)> = ada["teams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["id"].as_i64().unwrap(),
                    t["role"].as_str().unwrap(),
                    t["capacity_allocation"].as_f64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            teams,
            vec![(backend, "backend", 0.5), (payments, "qa", 0.5)],
            "{label}"
        );
        let (status, read) = get(&app, &format!("/team-members/{id}")).await;
        assert_eq!((status, &read), (200, &ada), "{label}");

        // PUT answers the teams as they are after the change (the reference's were stale), and
        // keeps what it does not name.
        let (status, updated) = put(
            &app,
            &format!("/team-members/{id}"),
            json!({ "teams": [{ "team_id": payments, "role": "backend", "capacity_allocation": 0.8 }] }),
        )
        .await;
        assert_eq!(status, 200, "{label}: {updated:#}");
        assert_eq!(updated["name"], "Ada Lovelace");
        assert_eq!(updated["email"], "ada@example.com");
        assert_eq!(updated["teams"].as_array().unwrap().len(), 1);
        assert_eq!(updated["teams"][0]["id"], payments);
        assert_eq!(updated["teams"][0]["capacity_days"], 6.4);
        let (_, renamed) = put(
            &app,
            &format!("/team-members/{id}"),
            json!({ "name": "Ada L.", "capacity_days_per_sprint": 6.5 }),
        )
        .await;
        assert_eq!(renamed["name"], "Ada L.");
        assert_eq!(renamed["teams"][0]["id"], payments, "memberships kept");

        // Filters.
        let (_, in_backend) = get(&app, &format!("/team-members?team_id={backend}")).await;
        assert_eq!(in_backend, json!([]), "{label}");
        let (_, in_payments) = get(&app, &format!("/team-members?team_id={payments}")).await;
        assert_eq!(in_payments.as_array().unwrap().len(), 1);
        let (_, juniors) = get(&app, "/team-members?level=junior").await;
        assert_eq!(juniors, json!([]));
        let (_, seniors) = get(&app, "/team-members?level=SENIOR").await;
        assert_eq!(seniors.as_array().unwrap().len(), 1);

        // Soft delete.
        let (status, deleted) = delete(&app, &format!("/team-members/{id}")).await;
        assert_eq!(status, 200, "{deleted:#}");
        assert_eq!(deleted["success"], true);
        let (status, gone) = get(&app, &format!("/team-members/{id}")).await;
        assert_eq!(status, 200);
        assert_eq!(gone["is_active"], false, "{label}");
        assert!(gone["deleted_at"].is_string());
        let (_, active) = get(&app, "/team-members").await;
        assert_eq!(active, json!([]), "{label}");
        let (_, all) = get(&app, "/team-members?active_only=false").await;
        assert_eq!(all.as_array().unwrap().len(), 1);
        let (status, again) = delete(&app, &format!("/team-members/{id}")).await;
        assert_eq!(status, 404, "{again:#}");
        assert_eq!(again["detail"], format!("Team member {id} not found"));
        let (status, _) = put(
            &app,
            &format!("/team-members/{id}"),
            json!({ "name": "Back" }),
        )
        .await;
        assert_eq!(status, 404, "{label}: a deleted member cannot be changed");
        app.stop().await;
    }
}

#[tokio::test]
async fn roles_and_levels_are_reachable() {
    let app = TestApp::full().await;
    let (status, roles) = get(&app, "/team-members/roles").await;
    assert_eq!(status, 200, "{roles:#}");
    let names: Vec<&str> = roles
        .as_array()
        .unwrap()
        .iter()
        .map(|role| role["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["backend", "frontend", "qa", "mobile", "devops", "fullstack"]
    );
    assert_eq!(roles[0]["id"], 1);
    let (status, levels) = get(&app, "/team-members/levels").await;
    assert_eq!(status, 200, "{levels:#}");
    assert_eq!(
        levels["levels"],
        json!([
            "intern",
            "junior",
            "mid",
            "senior",
            "staff",
            "lead",
            "principal"
        ])
    );
    // The documented paths are the reachable ones.
    let (_, document) = get(&app, "/openapi.json").await;
    for path in [
        "/team-members",
        "/team-members/{member_id}",
        "/team-members/roles",
        "/team-members/levels",
        "/team-members/role/{role_id}/capacity",
        "/teams",
        "/teams/{team_id}",
        "/teams/{team_id}/capacity",
        "/boards",
        "/boards/{board_id}",
    ] {
        assert!(
            document["paths"][path].is_object(),
            "{path} is not documented"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn duplicates_are_conflicts_and_deleted_values_are_free_again() {
    for app in TestApp::all().await {
        let label = app.label();
        let member = json!({ "name": "Bo", "email": "bo@example.com", "level": "mid" });
        let (status, first) = post(&app, "/team-members", member.clone()).await;
        assert_eq!(status, 200, "{first:#}");
        let (status, conflict) = post(
            &app,
            "/team-members",
            json!({ "name": "Bo 2", "email": "BO@Example.com", "level": "mid" }),
        )
        .await;
        assert_eq!(status, 409, "{label}: {conflict:#}");
        assert_eq!(
            conflict["detail"],
            "Member with email BO@Example.com already exists"
        );
        let (status, other) = post(
            &app,
            "/team-members",
            json!({ "name": "Cy", "email": "cy@example.com", "level": "mid" }),
        )
        .await;
        assert_eq!(status, 200);
        let (status, _) = put(
            &app,
            &format!("/team-members/{}", other["id"]),
            json!({ "email": "bo@example.com" }),
        )
        .await;
        assert_eq!(status, 409, "{label}: taking another's address by PUT");
        delete(&app, &format!("/team-members/{}", first["id"])).await;
        let (status, reused) = post(&app, "/team-members", member).await;
        assert_eq!(status, 200, "{label}: a deleted member's address is free");
        assert_ne!(reused["id"], first["id"]);

        team(&app, "Web").await;
        let (status, conflict) = post(&app, "/teams", json!({ "name": " web " })).await;
        assert_eq!(status, 409, "{conflict:#}");
        assert_eq!(conflict["detail"], "Team with name web already exists");

        let board = json!({ "name": "Demo", "jira_board_id": 1, "project_key": "demo" });
        let (status, created) = post(&app, "/boards", board.clone()).await;
        assert_eq!(status, 200, "{created:#}");
        assert_eq!(created["project_key"], "DEMO");
        let (status, conflict) = post(&app, "/boards", board).await;
        assert_eq!(status, 409);
        assert_eq!(
            conflict["detail"],
            "Board with jira_board_id 1 already exists"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn invalid_fields_are_422s_naming_them() {
    let app = TestApp::full().await;
    let known = team(&app, "Known").await;
    let (status, body) = post(
        &app,
        "/team-members",
        json!({
            "name": "  ",
            "email": "not-an-address",
            "level": "wizard",
            "capacity_days_per_sprint": 0
        }),
    )
    .await;
    assert_eq!(status, 422, "{body:#}");
    assert!(issue_at(&body, &json!(["body", "name"])).contains("at least 1 character"));
    assert!(issue_at(&body, &json!(["body", "email"])).contains("not a valid e-mail"));
    assert!(issue_at(&body, &json!(["body", "level"])).contains("junior"));
    assert!(issue_at(&body, &json!(["body", "capacity_days_per_sprint"])).contains("greater"));

    let (status, body) = post(&app, "/team-members", json!({})).await;
    assert_eq!(status, 422);
    for field in ["name", "email", "level"] {
        assert_eq!(issue_at(&body, &json!(["body", field])), "Field required");
    }

    let base = |extra: Value| {
        let mut member = json!({ "name": "X", "email": "x@example.com", "level": "mid" });
        member
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        member
    };
    let (status, body) = post(
        &app,
        "/team-members",
        base(json!({ "capacity_days_per_sprint": 100 })),
    )
    .await;
    assert_eq!(status, 422);
    assert!(issue_at(&body, &json!(["body", "capacity_days_per_sprint"])).contains("at most 31"));

    // Unknown team ids: every one named, nothing created.
    let (status, body) = post(
        &app,
        "/team-members",
        base(json!({ "team_ids": [999, known, 998] })),
    )
    .await;
    assert_eq!(status, 422, "{body:#}");
    assert_eq!(
        issue_at(&body, &json!(["body", "team_ids"])),
        "Unknown team ids: 998, 999; create them with POST /teams or remove them"
    );
    let (_, all) = get(&app, "/team-members?active_only=false").await;
    assert_eq!(all, json!([]));

    let (status, body) = post(
        &app,
        "/team-members",
        base(json!({ "teams": [{ "team_id": known, "capacity_allocation": 1.5 }] })),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        issue_at(&body, &json!(["body", "teams", 0, "capacity_allocation"])).contains("at most 1")
    );
    let (status, body) = post(
        &app,
        "/team-members",
        base(json!({ "teams": [{ "team_id": known, "capacity_allocation": 0 }] })),
    )
    .await;
    assert_eq!(status, 422, "{body:#}");
    let (status, body) = post(
        &app,
        "/team-members",
        base(json!({ "team_ids": [known], "roles": { known.to_string(): "chef" } })),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        issue_at(&body, &json!(["body", "roles", known.to_string()])).contains("backend, frontend")
    );
    let (status, body) = post(
        &app,
        "/team-members",
        base(json!({ "team_ids": [known, known] })),
    )
    .await;
    assert_eq!(status, 422);
    assert!(issue_at(&body, &json!(["body", "team_ids", 1])).contains("twice"));
    let (status, body) = post(
        &app,
        "/team-members",
        base(json!({ "capacity_days_per_sprint": "many" })),
    )
    .await;
    assert_eq!(status, 422, "{body:#}");
    let (status, body) = post(&app, "/team-members", base(json!({ "nickname": "x" }))).await;
    assert_eq!(status, 422);
    assert_eq!(body["detail"][0]["type"], "extra_forbidden");

    let (status, body) = get(&app, "/team-members/abc").await;
    assert_eq!(status, 422, "{body:#}");
    let (status, body) = get(&app, "/team-members?level=wizard").await;
    assert_eq!(status, 422);
    assert!(issue_at(&body, &json!(["query", "level"])).contains("junior"));

    let (status, body) = post(&app, "/teams", json!({ "name": "New", "board_ids": [42] })).await;
    assert_eq!(status, 422);
    assert!(issue_at(&body, &json!(["body", "board_ids"])).contains("42"));
    let (status, body) = post(
        &app,
        "/boards",
        json!({ "name": "B", "jira_board_id": 0, "board_type": "weird", "project_key": "1X" }),
    )
    .await;
    assert_eq!(status, 422, "{body:#}");
    for field in ["jira_board_id", "board_type", "project_key"] {
        issue_at(&body, &json!(["body", field]));
    }
    let (status, body) = post(
        &app,
        "/boards",
        json!({ "name": "B", "jira_board_id": 5, "team_ids": [77] }),
    )
    .await;
    assert_eq!(status, 422);
    assert!(issue_at(&body, &json!(["body", "team_ids"])).contains("77"));
    app.stop().await;
}

#[tokio::test]
async fn unknown_ids_are_404s_naming_them() {
    let app = TestApp::full().await;
    for (path, detail) in [
        ("/team-members/12345", "Team member 12345 not found"),
        ("/teams/77", "Team 77 not found"),
        ("/boards/88", "Board 88 not found"),
        ("/teams/77/capacity", "Team 77 not found"),
        ("/team-members?team_id=77", "Team 77 not found"),
    ] {
        let (status, body) = get(&app, path).await;
        assert_eq!(
            (status, body["detail"].as_str()),
            (404, Some(detail)),
            "{path}"
        );
    }
    for path in ["/team-members/12345", "/teams/77", "/boards/88"] {
        let (status, body) = put(&app, path, json!({ "name": "x" })).await;
        assert_eq!(status, 404, "PUT {path}: {body:#}");
        let (status, _) = delete(&app, path).await;
        assert_eq!(status, 404, "DELETE {path}");
    }
    let (status, body) = get(&app, "/team-members/role/chef/capacity").await;
    assert_eq!(status, 404);
    assert!(body["detail"].as_str().unwrap().contains("backend (1)"));
    let (status, body) = get(&app, "/team-members/role/backend/capacity?board_id=9").await;
    assert_eq!(status, 404);
    assert!(body["detail"].as_str().unwrap().contains("jira_board_id 9"));
    app.stop().await;
}

#[tokio::test]
async fn capacity_per_role_and_per_team_follows_members_boards_and_deletes() {
    for app in TestApp::all().await {
        let label = app.label();
        let squad = team(&app, "Squad").await;
        let mobile = team(&app, "Mobile").await;
        let (status, board) = post(
            &app,
            "/boards",
            json!({ "name": "Demo board", "jira_board_id": 1, "project_key": "DEMO", "board_type": "scrum", "team_ids": [squad] }),
        )
        .await;
        assert_eq!(status, 200, "{board:#}");
        assert_eq!(board["teams"], json!([{ "id": squad, "name": "Squad" }]));
        let board_id = board["id"].as_i64().unwrap();
        let mut ids = Vec::new();
        for (name, days, teams) in [
            (
                "be",
                8.0,
                json!([{ "team_id": squad, "role": "backend", "capacity_allocation": 0.5 }, { "team_id": mobile, "capacity_allocation": 0.5 }]),
            ),
            ("fe", 5.0, json!([{ "team_id": squad, "role": "FE" }])),
            (
                "qa",
                10.0,
                json!([{ "team_id": squad, "role": "3", "capacity_allocation": 0.25 }]),
            ),
        ] {
            let (status, member) = post(
                &app,
                "/team-members",
                json!({ "name": name, "email": format!("{name}@example.com"), "level": "mid", "capacity_days_per_sprint": days, "teams": teams }),
            )
            .await;
            assert_eq!(status, 200, "{member:#}");
            ids.push(member["id"].as_i64().unwrap());
        }

        let (_, team_body) = get(&app, &format!("/teams/{squad}")).await;
        assert_eq!(
            team_body["capacity"],
            json!({ "total_days": 11.5, "active_members": 3, "per_role": { "backend": 4.0, "frontend": 5.0, "qa": 2.5 } }),
            "{label}"
        );
        assert_eq!(team_body["boards"][0]["jira_board_id"], 1);
        assert_eq!(team_body["members"].as_array().unwrap().len(), 3);
        let (_, mobile_body) = get(&app, &format!("/teams/{mobile}")).await;
        assert_eq!(
            mobile_body["capacity"]["per_role"],
            json!({ "mobile": 4.0 }),
            "{label}: the role the team's name names"
        );

        let (status, capacity) = get(&app, &format!("/teams/{squad}/capacity?board_id=1")).await;
        assert_eq!(status, 200);
        assert_eq!(capacity["total_days"], 11.5);
        assert_eq!(capacity["board_linked"], true);
        let (_, capacity) = get(&app, &format!("/teams/{mobile}/capacity?board_id=1")).await;
        assert_eq!(capacity["board_linked"], false, "{label}");
        assert_eq!(capacity["total_days"], 4.0);

        let (status, role) = get(&app, "/team-members/role/backend/capacity").await;
        assert_eq!(status, 200, "{role:#}");
        assert_eq!(role["role_id"], 1);
        assert_eq!(role["total_capacity_days"], 4.0);
        assert_eq!(role["active_members"], 1);
        let (_, role) = get(&app, "/team-members/role/4/capacity").await;
        assert_eq!(role["role_name"], "mobile");
        assert_eq!(role["total_capacity_days"], 4.0);
        let (_, role) = get(&app, "/team-members/role/mobile/capacity?board_id=1").await;
        assert_eq!(
            role["total_capacity_days"], 0.0,
            "{label}: the Mobile team is not on board 1"
        );
        assert_eq!(role["board_id"], 1);

        // Linking the board to both teams from the board side.
        let (status, relinked) = put(
            &app,
            &format!("/boards/{board_id}"),
            json!({ "team_ids": [squad, mobile] }),
        )
        .await;
        assert_eq!(status, 200, "{relinked:#}");
        assert_eq!(relinked["teams"].as_array().unwrap().len(), 2);
        assert_eq!(relinked["project_key"], "DEMO", "kept");
        let (_, role) = get(&app, "/team-members/role/mobile/capacity?board_id=1").await;
        assert_eq!(role["total_capacity_days"], 4.0);

        // Deleting a member, then the team.
        delete(&app, &format!("/team-members/{}", ids[2])).await;
        let (_, team_body) = get(&app, &format!("/teams/{squad}")).await;
        assert_eq!(team_body["capacity"]["total_days"], 9.0, "{label}");
        assert!(team_body["capacity"]["per_role"].get("qa").is_none());
        let (status, _) = delete(&app, &format!("/teams/{squad}")).await;
        assert_eq!(status, 200);
        let (status, _) = get(&app, &format!("/teams/{squad}/capacity")).await;
        assert_eq!(status, 404);
        let (_, teams) = get(&app, "/teams").await;
        assert_eq!(teams.as_array().unwrap().len(), 1, "{label}");
        let (_, teams) = get(&app, "/teams?active_only=false").await;
        assert_eq!(teams.as_array().unwrap().len(), 2);
        let (_, board) = get(&app, &format!("/boards/{board_id}")).await;
        assert_eq!(board["teams"], json!([{ "id": mobile, "name": "Mobile" }]));
        let (_, be) = get(&app, &format!("/team-members/{}", ids[0])).await;
        let squad_seat = be["teams"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == squad)
            .cloned()
            .unwrap();
        assert_eq!(squad_seat["is_active"], false, "{label}");

        // Boards: soft delete frees the Jira id.
        let (status, _) = delete(&app, &format!("/boards/{board_id}")).await;
        assert_eq!(status, 200);
        let (_, boards) = get(&app, "/boards").await;
        assert_eq!(boards, json!([]));
        let (status, _) = post(
            &app,
            "/boards",
            json!({ "name": "Again", "jira_board_id": 1 }),
        )
        .await;
        assert_eq!(status, 200, "{label}");
        app.stop().await;
    }
}

#[tokio::test]
async fn teams_round_trip_and_relink_boards() {
    for app in TestApp::all().await {
        let label = app.label();
        let (_, b1) = post(
            &app,
            "/boards",
            json!({ "name": "One", "jira_board_id": 11 }),
        )
        .await;
        let (_, b2) = post(
            &app,
            "/boards",
            json!({ "name": "Two", "jira_board_id": 12 }),
        )
        .await;
        let (status, created) = post(
            &app,
            "/teams",
            json!({ "name": "Platform", "description": "Infra", "board_ids": [b1["id"]] }),
        )
        .await;
        assert_eq!(status, 200, "{created:#}");
        let id = created["id"].as_i64().unwrap();
        assert_eq!(created["description"], "Infra");
        assert_eq!(created["capacity"]["total_days"], 0.0);
        let (status, updated) = put(
            &app,
            &format!("/teams/{id}"),
            json!({ "name": "Platform team", "board_ids": [b2["id"]] }),
        )
        .await;
        assert_eq!(status, 200, "{updated:#}");
        assert_eq!(updated["name"], "Platform team");
        assert_eq!(updated["description"], "Infra", "{label}: kept");
        assert_eq!(
            updated["boards"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b["jira_board_id"].as_u64().unwrap())
                .collect::<Vec<_>>(),
            vec![12]
        );
        let (_, read) = get(&app, &format!("/teams/{id}")).await;
        assert_eq!(read, updated, "{label}");
        let (_, one) = get(&app, &format!("/boards/{}", b1["id"])).await;
        assert_eq!(one["teams"], json!([]));
        let (status, cleared) =
            put(&app, &format!("/teams/{id}"), json!({ "description": "" })).await;
        assert_eq!(status, 200);
        assert_eq!(cleared["description"], Value::Null);
        app.stop().await;
    }
}

/// Asserts that `document` lists `status` for `method path` and that `body` validates against
/// the schema it gives.
fn assert_documented(document: &Value, method: &str, path: &str, status: u16, body: &Value) {
    let response = &document["paths"][path][method]["responses"][status.to_string()];
    assert!(
        response.is_object(),
        "{method} {path} answered {status}, which its document does not list: {body:#}"
    );
    let schema = &response["content"]["application/json"]["schema"];
    let root = json!({ "allOf": [schema], "components": document["components"] });
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&root)
        .expect("the documented schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {status} does not match its documented schema: {errors:?}\n{body:#}"
    );
}

/// Every route's answers, the errors included, are what `/openapi.json` says.
#[tokio::test]
async fn answers_match_the_document() {
    let app = TestApp::full().await;
    let (_, document) = get(&app, "/openapi.json").await;
    let squad = team(&app, "Squad").await;
    let (status, board) = post(
        &app,
        "/boards",
        json!({ "name": "B", "jira_board_id": 3, "team_ids": [squad] }),
    )
    .await;
    assert_documented(&document, "post", "/boards", status, &board);
    let member =
        json!({ "name": "M", "email": "m@example.com", "level": "lead", "team_ids": [squad] });
    let (status, created) = post(&app, "/team-members", member.clone()).await;
    assert_documented(&document, "post", "/team-members", status, &created);
    let (status, body) = post(&app, "/team-members", member).await;
    assert_eq!(status, 409);
    assert_documented(&document, "post", "/team-members", status, &body);
    let (status, body) = post(&app, "/team-members", json!({ "email": "x" })).await;
    assert_documented(&document, "post", "/team-members", status, &body);
    let id = created["id"].as_i64().unwrap();
    let member_path = format!("/team-members/{id}");
    let answers = [
        ("get", "/team-members", get(&app, "/team-members").await),
        (
            "get",
            "/team-members/{member_id}",
            get(&app, &member_path).await,
        ),
        (
            "get",
            "/team-members/{member_id}",
            get(&app, "/team-members/0").await,
        ),
        (
            "get",
            "/team-members/{member_id}",
            get(&app, "/team-members/x").await,
        ),
        (
            "get",
            "/team-members/roles",
            get(&app, "/team-members/roles").await,
        ),
        (
            "get",
            "/team-members/levels",
            get(&app, "/team-members/levels").await,
        ),
        (
            "get",
            "/team-members/role/{role_id}/capacity",
            get(&app, "/team-members/role/backend/capacity?board_id=3").await,
        ),
        ("get", "/teams", get(&app, "/teams").await),
        (
            "get",
            "/teams/{team_id}",
            get(&app, &format!("/teams/{squad}")).await,
        ),
        (
            "get",
            "/teams/{team_id}/capacity",
            get(&app, &format!("/teams/{squad}/capacity?board_id=3")).await,
        ),
        ("get", "/boards", get(&app, "/boards").await),
        (
            "get",
            "/boards/{board_id}",
            get(&app, &format!("/boards/{}", board["id"])).await,
        ),
        (
            "put",
            "/team-members/{member_id}",
            put(&app, &member_path, json!({ "level": "staff" })).await,
        ),
        (
            "put",
            "/teams/{team_id}",
            put(
                &app,
                &format!("/teams/{squad}"),
                json!({ "description": "d" }),
            )
            .await,
        ),
        (
            "put",
            "/boards/{board_id}",
            put(
                &app,
                &format!("/boards/{}", board["id"]),
                json!({ "board_type": "kanban" }),
            )
            .await,
        ),
        (
            "delete",
            "/team-members/{member_id}",
            delete(&app, &member_path).await,
        ),
        (
            "delete",
            "/boards/{board_id}",
            delete(&app, &format!("/boards/{}", board["id"])).await,
        ),
        (
            "delete",
            "/teams/{team_id}",
            delete(&app, &format!("/teams/{squad}")).await,
        ),
        (
            "delete",
            "/teams/{team_id}",
            delete(&app, &format!("/teams/{squad}")).await,
        ),
    ];
    for (method, path, (status, body)) in answers {
        assert_documented(&document, method, path, status, &body);
    }
    app.stop().await;
}
