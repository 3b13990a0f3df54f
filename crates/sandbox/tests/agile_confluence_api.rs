//! Black-box tests of the agile endpoints (boards, sprint paging and state rules, moving
//! issues) and of Confluence pages (versions and the 409 on a stale version).

mod support;

use sandbox::Seed;
use serde_json::json;
use support::start;

#[tokio::test]
async fn boards_and_sprint_paging() {
    let sb = start(Seed::Demo).await;
    let (_, boards) = sb.get("/rest/agile/1.0/board?projectKeyOrId=DEMO").await;
    assert_eq!(boards["values"][0]["location"]["projectKey"], "DEMO");
    let board = boards["values"][0]["id"].as_u64().unwrap();
    let (_, first) = sb
        .get(&format!(
            "/rest/agile/1.0/board/{board}/sprint?maxResults=2"
        ))
        .await;
    assert_eq!(first["isLast"], false);
    let states: Vec<&str> = first["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["closed", "active"]);
    let (_, rest) = sb
        .get(&format!(
            "/rest/agile/1.0/board/{board}/sprint?startAt=2&maxResults=2"
        ))
        .await;
    assert_eq!(rest["isLast"], true);
    assert_eq!(rest["values"][0]["state"], "future");
    let (_, active) = sb
        .get(&format!(
            "/rest/agile/1.0/board/{board}/sprint?state=active"
        ))
        .await;
    assert_eq!(active["values"].as_array().unwrap().len(), 1);
    let (status, _) = sb.get("/rest/agile/1.0/board/999").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn sprint_state_rules() {
    let sb = start(Seed::Demo).await;
    let (status, sprint) = sb
        .post(
            "/rest/agile/1.0/sprint",
            json!({"name": "  Sprint X ", "originBoardId": 1}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(sprint["state"], "future");
    assert_eq!(sprint["name"], "Sprint X");
    let id = sprint["id"].as_u64().unwrap();
    let path = format!("/rest/agile/1.0/sprint/{id}");
    let (status, error) = sb.post(&path, json!({"state": "active"})).await;
    assert_eq!(status, 400, "no dates: {error}");
    let (status, error) = sb
        .post(&path, json!({"state": "active", "startDate": "2026-01-05T09:00:00.000+01:00", "endDate": "2026-01-19T17:00:00.000+01:00"}))
        .await;
    assert_eq!(status, 400, "another sprint is active: {error}");
    assert!(
        error["errorMessages"][0]
            .as_str()
            .unwrap()
            .contains("active")
    );
    let (status, _) = sb.post(&path, json!({"state": "closed"})).await;
    assert_eq!(status, 400, "future cannot jump to closed");

    // Close the active sprint, then start this one.
    let (_, active) = sb.get("/rest/agile/1.0/board/1/sprint?state=active").await;
    let active_id = active["values"][0]["id"].as_u64().unwrap();
    let (status, closed) = sb
        .post(
            &format!("/rest/agile/1.0/sprint/{active_id}"),
            json!({"state": "closed"}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(closed["completeDate"].is_string());
    let (status, error) = sb
        .post(
            &format!("/rest/agile/1.0/sprint/{active_id}"),
            json!({"name": "again"}),
        )
        .await;
    assert_eq!(status, 400, "closed is final: {error}");
    let (status, started) = sb
        .put(&path, json!({"name": "Sprint X", "state": "active", "startDate": "2026-01-05T09:00:00.000+01:00", "endDate": "2026-01-19T17:00:00.000+01:00", "goal": "ship"}))
        .await;
    assert_eq!(status, 200, "{started}");
    assert_eq!(started["state"], "active");
}

#[tokio::test]
async fn moving_issues_between_sprints_and_backlog() {
    let sb = start(Seed::Demo).await;
    let (status, _) = sb
        .post(
            "/rest/agile/1.0/sprint/3/issue",
            json!({"issues": ["DEMO-7", "DEMO-10"]}),
        )
        .await;
    assert_eq!(status, 204);
    let (_, issues) = sb.get("/rest/agile/1.0/sprint/3/issue?maxResults=1").await;
    assert_eq!(issues["total"], 4);
    assert_eq!(issues["issues"].as_array().unwrap().len(), 1);
    let (_, issue) = sb
        .get("/rest/api/3/issue/DEMO-7?fields=customfield_10020")
        .await;
    assert_eq!(issue["fields"]["customfield_10020"][0]["id"], 3);
    let (status, _) = sb
        .post(
            "/rest/agile/1.0/backlog/issue",
            json!({"issues": ["DEMO-7"]}),
        )
        .await;
    assert_eq!(status, 204);
    let (_, backlog) = sb
        .get("/rest/agile/1.0/board/1/backlog?maxResults=100")
        .await;
    assert!(
        backlog["issues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["key"] == "DEMO-7")
    );
    let too_many: Vec<String> = (1..=51).map(|n| format!("DEMO-{n}")).collect();
    let (status, _) = sb
        .post(
            "/rest/agile/1.0/sprint/3/issue",
            json!({"issues": too_many}),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = sb
        .post(
            "/rest/agile/1.0/sprint/1/issue",
            json!({"issues": ["DEMO-7"]}),
        )
        .await;
    assert_eq!(status, 400, "closed sprints take no issues");
    let (_, in_sprint) = sb
        .post(
            "/rest/api/3/search/jql",
            json!({"jql": "sprint in openSprints() AND project = DEMO", "fields": ["summary"]}),
        )
        .await;
    // The active sprint's three issues and DEMO-5's three sub-tasks, which follow their parent
    // into its sprint as in Jira Software.
    assert_eq!(in_sprint["issues"].as_array().unwrap().len(), 6);
    let (status, _) = sb
        .post(
            "/rest/agile/1.0/sprint/3/issue",
            json!({"issues": ["DEMO-12"]}),
        )
        .await;
    assert_eq!(status, 400, "a sub-task does not move without its parent");
}

#[tokio::test]
async fn confluence_pages_and_version_conflicts() {
    let sb = start(Seed::Demo).await;
    let (_, spaces) = sb.get("/wiki/api/v2/spaces?keys=DEMO").await;
    let space = spaces["results"][0]["id"].as_str().unwrap().to_string();
    let (_, pages) = sb
        .get(&format!(
            "/wiki/api/v2/spaces/{space}/pages?title=Checkout%20revamp%20PRD"
        ))
        .await;
    let id = pages["results"][0]["id"].as_str().unwrap().to_string();
    let (status, page) = sb
        .get(&format!("/wiki/api/v2/pages/{id}?body-format=storage"))
        .await;
    assert_eq!(status, 200);
    let storage = page["body"]["storage"]["value"].as_str().unwrap();
    assert!(
        storage.contains("Story Ticket List")
            && storage.contains("<![CDATA[")
            && storage.contains("ac:name=\"jira\"")
    );
    assert_eq!(page["version"]["number"], 1);

    let update = |n: u64| json!({"id": id, "status": "current", "title": "Checkout revamp PRD", "body": {"representation": "storage", "value": "<p>v2</p>"}, "version": {"number": n, "message": "edit"}});
    let (status, error) = sb.put(&format!("/wiki/api/v2/pages/{id}"), update(1)).await;
    assert_eq!(status, 409);
    assert_eq!(error["errors"][0]["code"], "CONFLICT");
    let (status, updated) = sb.put(&format!("/wiki/api/v2/pages/{id}"), update(2)).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["version"]["number"], 2);
    let (status, _) = sb.put(&format!("/wiki/api/v2/pages/{id}"), update(2)).await;
    assert_eq!(status, 409, "stale after the update");
    let (_, old) = sb
        .get(&format!(
            "/wiki/api/v2/pages/{id}?body-format=storage&version=1"
        ))
        .await;
    assert!(
        old["body"]["storage"]["value"]
            .as_str()
            .unwrap()
            .contains("Story Ticket List")
    );
    let (status, v1) = sb
        .get(&format!(
            "/wiki/rest/api/content/{id}?expand=body.storage,version"
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(v1["version"]["number"], 2);
    assert_eq!(v1["body"]["storage"]["value"], "<p>v2</p>");
    let v1 = |n: u64| json!({"type": "page", "title": "Checkout revamp PRD", "version": {"number": n}, "body": {"storage": {"value": "<p>v3</p>", "representation": "storage"}}});
    let (status, error) = sb.put(&format!("/wiki/rest/api/content/{id}"), v1(2)).await;
    assert_eq!(status, 409);
    assert_eq!(error["statusCode"], 409);
    let (status, saved) = sb.put(&format!("/wiki/rest/api/content/{id}"), v1(3)).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["version"]["number"], 3);
    let (status, found) = sb
        .get("/wiki/rest/api/content?spaceKey=DEMO&title=Checkout%20revamp%20PRD&expand=body.storage,version")
        .await;
    assert_eq!(status, 200);
    assert_eq!(found["size"], 1);
    assert_eq!(found["results"][0]["version"]["number"], 3);
    let (status, error) = sb.get("/wiki/api/v2/pages/1").await;
    assert_eq!(status, 404);
    assert_eq!(error["errors"][0]["status"], 404);
}
