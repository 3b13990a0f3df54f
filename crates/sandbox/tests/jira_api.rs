//! Black-box tests of the Jira platform endpoints over HTTP: auth, issue CRUD and rules,
//! links, metadata, and JQL search with paging.

mod support;

use reqwest::Method;
use sandbox::{Credentials, Sandbox, Seed};
use serde_json::{Value, json};
use support::{send, start};

fn adf(text: &str) -> Value {
    json!({"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}]})
}

#[tokio::test]
async fn missing_and_wrong_credentials_get_jira_401s() {
    let sb = start(Seed::Empty).await;
    let response = sb
        .client
        .get(sb.url("/rest/api/3/myself"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert!(response.headers().contains_key("www-authenticate"));
    let body: Value = response.json().await.unwrap();
    assert!(
        body["errorMessages"][0]
            .as_str()
            .unwrap()
            .contains("not authenticated")
    );

    let response = sb
        .client
        .get(sb.url("/rest/api/3/myself"))
        .basic_auth("demo@example.com", Some("wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["x-seraph-loginreason"],
        "AUTHENTICATED_FAILED"
    );

    let (status, me) = sb.get("/rest/api/3/myself").await;
    assert_eq!(status, 200);
    assert_eq!(me["emailAddress"], "demo@example.com");

    let (status, tenant) = send(sb.client.get(sb.url("/_edge/tenant_info"))).await;
    assert_eq!(status, 200);
    assert!(tenant["cloudId"].as_str().is_some());
}

#[tokio::test]
async fn bearer_tokens_and_read_only_users() {
    let credentials = Credentials::default()
        .with_bearer_token("oauth-access")
        .with_read_only_user("viewer@example.com", "view-token");
    let handle = Sandbox::builder()
        .seed(Seed::Demo)
        .credentials(credentials)
        .start()
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let base = handle.base_url();
    let (status, _) = send(
        client
            .get(format!("{base}/rest/api/3/issue/DEMO-1"))
            .bearer_auth("oauth-access"),
    )
    .await;
    assert_eq!(status, 200);
    let viewer = || {
        client
            .request(Method::PUT, format!("{base}/rest/api/3/issue/DEMO-1"))
            .basic_auth("viewer@example.com", Some("view-token"))
    };
    let (status, body) = send(viewer().json(&json!({"fields": {"summary": "x"}}))).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["errorMessages"][0]
            .as_str()
            .unwrap()
            .contains("permission")
    );
    let (status, _) = send(
        client
            .post(format!("{base}/rest/api/3/search/jql"))
            .basic_auth("viewer@example.com", Some("view-token"))
            .json(&json!({"jql": "project = DEMO"})),
    )
    .await;
    assert_eq!(status, 200, "read-only users may search");
    assert_eq!(
        handle.state().read().issue("DEMO-1").unwrap().summary,
        "Checkout revamp"
    );
}

#[tokio::test]
async fn create_get_edit_and_comment_an_issue() {
    let sb = start(Seed::Empty).await;
    let (status, created) = sb
        .post(
            "/rest/api/3/issue",
            json!({"fields": {"project": {"key": "DEMO"}, "issuetype": {"name": "Story"}, "summary": "First story", "description": adf("Hello"), "labels": ["a"], "customfield_10016": 3}}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["key"], "DEMO-1");
    assert!(
        created["self"]
            .as_str()
            .unwrap()
            .starts_with(&sb.handle.base_url())
    );

    let (status, issue) = sb.get("/rest/api/3/issue/demo-1?expand=names").await;
    assert_eq!(status, 200);
    assert_eq!(issue["fields"]["summary"], "First story");
    assert_eq!(issue["fields"]["status"]["name"], "To Do");
    assert_eq!(issue["fields"]["customfield_10016"], 3);
    assert_eq!(issue["names"]["customfield_10016"], "Story Points");

    let (_, trimmed) = sb
        .get("/rest/api/3/issue/DEMO-1?fields=-comment,-description")
        .await;
    assert!(trimmed["fields"].get("comment").is_none());
    assert!(trimmed["fields"].get("summary").is_some());
    let (status, only) = sb
        .get("/rest/api/3/issue/DEMO-1?fields=summary,labels")
        .await;
    assert_eq!(status, 200);
    assert_eq!(only["fields"].as_object().unwrap().len(), 2);

    let (status, _) = sb
        .put(
            "/rest/api/3/issue/DEMO-1",
            json!({"fields": {"summary": "Renamed"}, "update": {"labels": [{"add": "b"}, {"remove": "a"}]}}),
        )
        .await;
    assert_eq!(status, 204);
    let (_, issue) = sb.get("/rest/api/3/issue/DEMO-1").await;
    assert_eq!(issue["fields"]["summary"], "Renamed");
    assert_eq!(issue["fields"]["labels"], json!(["b"]));

    let account = sb.handle.credentials().default_account().account_id.clone();
    let (status, _) = sb
        .put(
            "/rest/api/3/issue/DEMO-1/assignee",
            json!({"accountId": account}),
        )
        .await;
    assert_eq!(status, 204);
    let (status, comment) = sb
        .post(
            "/rest/api/3/issue/DEMO-1/comment",
            json!({"body": adf("Looks good")}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(comment["author"]["accountId"], account);
    let (_, comments) = sb.get("/rest/api/3/issue/DEMO-1/comment").await;
    assert_eq!(comments["total"], 1);

    let (status, error) = sb.get("/rest/api/3/issue/DEMO-99").await;
    assert_eq!(status, 404);
    assert_eq!(
        error["errorMessages"][0],
        "Issue does not exist or you do not have permission to see it."
    );
}

#[tokio::test]
async fn create_validation_and_hierarchy_rules() {
    let sb = start(Seed::Demo).await;
    let (status, error) = sb
        .post(
            "/rest/api/3/issue",
            json!({"fields": {"project": {"key": "DEMO"}, "issuetype": {"name": "Story"}}}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        error["errors"]["summary"],
        "You must specify a summary of the issue."
    );

    let (status, error) = sb
        .post("/rest/api/3/issue", json!({"fields": {"project": {"key": "DEMO"}, "issuetype": {"name": "Subtask"}, "summary": "orphan"}}))
        .await;
    assert_eq!(status, 400);
    assert!(error["errors"]["parent"].is_string());

    let (status, error) = sb
        .post("/rest/api/3/issue", json!({"fields": {"project": {"key": "DEMO"}, "issuetype": {"name": "Story"}, "summary": "s", "parent": {"key": "DEMO-4"}}}))
        .await;
    assert_eq!(status, 400, "a story's parent must be an epic");
    assert!(
        error["errors"]["parent"]
            .as_str()
            .unwrap()
            .contains("hierarchy")
    );

    let (status, error) = sb
        .post("/rest/api/3/issue", json!({"fields": {"project": {"key": "DEMO"}, "issuetype": {"name": "Story"}, "summary": "s", "description": "plain"}}))
        .await;
    assert_eq!(status, 400);
    assert!(error["errors"]["description"].is_string());

    let (status, bulk) = sb
        .post(
            "/rest/api/3/issue/bulk",
            json!({"issueUpdates": [
                {"fields": {"project": {"key": "DEMO"}, "issuetype": {"name": "Task"}, "summary": "ok", "parent": {"key": "DEMO-2"}}},
                {"fields": {"project": {"key": "NOPE"}, "issuetype": {"name": "Task"}, "summary": "bad"}}
            ]}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(bulk["issues"].as_array().unwrap().len(), 1);
    assert_eq!(bulk["errors"][0]["failedElementNumber"], 1);
    assert!(bulk["errors"][0]["elementErrors"]["errors"]["project"].is_string());
}

#[tokio::test]
async fn transitions_follow_the_workflow() {
    let sb = start(Seed::Demo).await;
    // DEMO-6 is To Do: Done is not reachable directly.
    let (_, list) = sb.get("/rest/api/3/issue/DEMO-6/transitions").await;
    let names: Vec<&str> = list["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["In Progress"]);
    let (status, error) = sb
        .post(
            "/rest/api/3/issue/DEMO-6/transitions",
            json!({"transition": {"id": "41"}}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        error["errorMessages"][0],
        "Transition id '41' is not valid for this issue."
    );
    for id in ["21", "31", "41"] {
        let (status, body) = sb
            .post("/rest/api/3/issue/DEMO-6/transitions", json!({"transition": {"id": id}, "update": {"comment": [{"add": {"body": adf("moving")}}]}}))
            .await;
        assert_eq!(status, 204, "{body}");
    }
    let (_, issue) = sb.get("/rest/api/3/issue/DEMO-6").await;
    assert_eq!(issue["fields"]["status"]["statusCategory"]["key"], "done");
    assert_eq!(issue["fields"]["resolution"]["name"], "Done");
    assert_eq!(issue["fields"]["comment"]["total"], 3);

    // DEMO-5 has open sub-tasks, so it cannot be done.
    let (_, list) = sb.get("/rest/api/3/issue/DEMO-5/transitions").await;
    assert!(
        list["transitions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["name"] != "Done")
    );
}

#[tokio::test]
async fn links_read_from_both_ends() {
    let sb = start(Seed::Demo).await;
    let (_, types) = sb.get("/rest/api/3/issueLinkType").await;
    let names: Vec<&str> = types["issueLinkTypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for wanted in ["Blocks", "Work item split", "Relates", "Cloners"] {
        assert!(names.contains(&wanted));
    }
    let response = sb
        .request(Method::POST, "/rest/api/3/issueLink")
        .json(&json!({"type": {"name": "Blocks"}, "inwardIssue": {"key": "DEMO-6"}, "outwardIssue": {"key": "DEMO-7"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert!(response.text().await.unwrap().is_empty());
    let (_, a) = sb.get("/rest/api/3/issue/DEMO-6?fields=issuelinks").await;
    let (_, b) = sb.get("/rest/api/3/issue/DEMO-7?fields=issuelinks").await;
    assert_eq!(
        a["fields"]["issuelinks"][0]["outwardIssue"]["key"],
        "DEMO-7"
    );
    assert_eq!(b["fields"]["issuelinks"][0]["inwardIssue"]["key"], "DEMO-6");
    let link_id = a["fields"]["issuelinks"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, link) = sb.get(&format!("/rest/api/3/issueLink/{link_id}")).await;
    assert_eq!(status, 200);
    assert_eq!(link["inwardIssue"]["key"], "DEMO-6");
}

#[tokio::test]
async fn metadata_endpoints() {
    let sb = start(Seed::Demo).await;
    let (_, fields) = sb.get("/rest/api/3/field").await;
    let names: Vec<&str> = fields
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    for wanted in [
        "PRD URL",
        "RFC URL",
        "Test cases",
        "Mandays",
        "Story Points",
        "Sprint",
    ] {
        assert!(names.contains(&wanted), "{wanted}");
    }
    let (_, types) = sb.get("/rest/api/3/issue/createmeta/DEMO/issuetypes").await;
    let subtask = types["issueTypes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["subtask"] == true)
        .unwrap();
    let (_, meta) = sb
        .get(&format!(
            "/rest/api/3/issue/createmeta/DEMO/issuetypes/{}",
            subtask["id"].as_str().unwrap()
        ))
        .await;
    let parent = meta["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["fieldId"] == "parent")
        .unwrap();
    assert_eq!(parent["required"], true);
    let (_, epic) = sb.get("/rest/api/3/issue/DEMO-1").await;
    assert!(
        epic["fields"]["customfield_10050"]
            .as_str()
            .unwrap()
            .contains("/wiki/spaces/DEMO/pages/")
    );
    let (status, projects) = sb.get("/rest/api/3/project/search").await;
    assert_eq!(status, 200);
    assert_eq!(projects["values"][0]["key"], "DEMO");
    let (status, users) = sb.get("/rest/api/3/user/search?query=priya").await;
    assert_eq!(status, 200);
    assert_eq!(users[0]["displayName"], "Priya Raman");
}

#[tokio::test]
async fn search_pages_with_tokens_and_selects_fields() {
    let sb = start(Seed::Demo).await;
    let jql = "project = DEMO ORDER BY key ASC";
    let mut keys = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"jql": jql, "maxResults": 4, "fields": ["summary", "status"]});
        if let Some(t) = &token {
            body["nextPageToken"] = json!(t);
        }
        let (status, page) = sb.post("/rest/api/3/search/jql", body).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.get("total").is_none());
        for issue in page["issues"].as_array().unwrap() {
            assert_eq!(issue["fields"].as_object().unwrap().len(), 2);
            keys.push(issue["key"].as_str().unwrap().to_string());
        }
        if page["isLast"] == true {
            assert!(page.get("nextPageToken").is_none());
            break;
        }
        token = Some(page["nextPageToken"].as_str().unwrap().to_string());
    }
    let total = sb.handle.state().read().issue_count();
    assert_eq!(keys.len(), total);
    assert_eq!(keys[0], "DEMO-1");

    let (_, count) = sb
        .post(
            "/rest/api/3/search/approximate-count",
            json!({"jql": "parent = DEMO-1"}),
        )
        .await;
    assert_eq!(count["count"], 4);
    let (status, page) = sb
        .get("/rest/api/3/search/jql?jql=parent%20%3D%20DEMO-1")
        .await;
    assert_eq!(status, 200);
    assert!(
        page["issues"][0].get("fields").is_none(),
        "default fields is id only"
    );

    let (status, error) = sb
        .post("/rest/api/3/search/jql", json!({"jql": "order by key"}))
        .await;
    assert_eq!(status, 400);
    assert!(
        error["errorMessages"][0]
            .as_str()
            .unwrap()
            .starts_with("Unbounded JQL")
    );
    let (status, error) = sb
        .post("/rest/api/3/search/jql", json!({"jql": "project = "}))
        .await;
    assert_eq!(status, 400);
    assert!(
        error["errorMessages"][0]
            .as_str()
            .unwrap()
            .contains("Error in the JQL Query")
    );
    let (status, ranked) = sb
        .post(
            "/rest/api/3/search/jql",
            json!({"jql": "project = DEMO ORDER BY Rank DESC", "fields": ["customfield_10019"]}),
        )
        .await;
    assert_eq!(status, 200, "{ranked}");
    assert_eq!(ranked["issues"][0]["key"], format!("DEMO-{total}"));
    assert!(
        ranked["issues"][0]["fields"]["customfield_10019"]
            .as_str()
            .unwrap()
            .starts_with("0|i")
    );
    let (status, _) = sb.get("/rest/api/3/search?jql=project%3DDEMO").await;
    assert_eq!(status, 410);
}

#[tokio::test]
async fn gateway_form_serves_the_same_site() {
    let sb = start(Seed::Demo).await;
    let cloud = sb.handle.state().read().cloud_id().to_string();
    let (status, issue) = sb
        .get(&format!(
            "/ex/jira/{cloud}/rest/api/3/issue/DEMO-1?fields=summary"
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(issue["fields"]["summary"], "Checkout revamp");
    let (status, spaces) = sb
        .get(&format!("/ex/confluence/{cloud}/wiki/api/v2/spaces"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(spaces["results"][0]["key"], "DEMO");
    let (status, _) = sb
        .get("/ex/jira/not-my-cloud/rest/api/3/issue/DEMO-1")
        .await;
    assert_eq!(status, 404);
    let response = sb
        .client
        .get(sb.url(&format!("/ex/jira/{cloud}/rest/api/3/myself")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        401,
        "the gateway form is authenticated too"
    );
}

#[tokio::test]
async fn seeding_through_state_bulk_fetch_and_delete() {
    let sb = start(Seed::Empty).await;
    let epic = sb
        .handle
        .state()
        .create_issue(sandbox::NewIssue::new("DEMO", "Epic", "Seeded epic"))
        .unwrap();
    let story = sb
        .handle
        .state()
        .create_issue(sandbox::NewIssue::new("DEMO", "Story", "Seeded story").parent(&epic))
        .unwrap();
    let sub = sb
        .handle
        .state()
        .create_issue(sandbox::NewIssue::new("DEMO", "Subtask", "Seeded sub-task").parent(&story))
        .unwrap();
    assert!(
        sb.handle.write_log().is_empty(),
        "seeding through the state is not an HTTP write"
    );
    let (status, fetched) = sb
        .post(
            "/rest/api/3/issue/bulkfetch",
            json!({"issueIdsOrKeys": [epic, story, "DEMO-99"], "fields": ["summary", "parent"]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(fetched["issues"].as_array().unwrap().len(), 2);
    assert_eq!(fetched["issues"][1]["fields"]["parent"]["key"], epic);

    let (status, error) = sb
        .send_json(
            Method::DELETE,
            &format!("/rest/api/3/issue/{story}"),
            json!({}),
        )
        .await;
    assert_eq!(status, 400, "{error}");
    let (status, _) = sb
        .send_json(
            Method::DELETE,
            &format!("/rest/api/3/issue/{story}?deleteSubtasks=true"),
            json!({}),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(sb.get(&format!("/rest/api/3/issue/{sub}")).await.0, 404);
    let (_, count) = sb
        .post(
            "/rest/api/3/search/approximate-count",
            json!({"jql": "project = DEMO"}),
        )
        .await;
    assert_eq!(count["count"], 1);
}

#[tokio::test]
async fn comment_edits_remote_links_and_editmeta() {
    let sb = start(Seed::Demo).await;
    let (_, comment) = sb
        .post(
            "/rest/api/3/issue/DEMO-6/comment",
            json!({"body": adf("draft plan")}),
        )
        .await;
    let id = comment["id"].as_str().unwrap().to_string();
    let path = format!("/rest/api/3/issue/DEMO-6/comment/{id}");
    let (status, updated) = sb.put(&path, json!({"body": adf("final plan")})).await;
    assert_eq!(status, 200);
    assert_eq!(
        updated["body"]["content"][0]["content"][0]["text"],
        "final plan"
    );
    let (_, fetched) = sb.get(&path).await;
    assert_eq!(fetched["id"], id.as_str());
    let (status, _) = sb.send_json(Method::DELETE, &path, json!({})).await;
    assert_eq!(status, 204);
    assert_eq!(sb.get(&path).await.0, 404);

    let link = json!({"globalId": "pr-42", "relationship": "implemented by", "object": {"url": "https://git.example.com/pr/42", "title": "PR #42"}});
    let (status, created) = sb
        .post("/rest/api/3/issue/DEMO-6/remotelink", link.clone())
        .await;
    assert_eq!(status, 201);
    let mut again = link.clone();
    again["object"]["title"] = json!("PR #42 (draft)");
    let (status, same) = sb.post("/rest/api/3/issue/DEMO-6/remotelink", again).await;
    assert_eq!(status, 200, "same globalId updates");
    assert_eq!(same["id"], created["id"]);
    let (_, links) = sb.get("/rest/api/3/issue/DEMO-6/remotelink").await;
    assert_eq!(links.as_array().unwrap().len(), 1);
    assert_eq!(links[0]["object"]["title"], "PR #42 (draft)");
    let (status, error) = sb
        .post(
            "/rest/api/3/issue/DEMO-6/remotelink",
            json!({"object": {"title": "no url"}}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(error["errors"]["url"].is_string());

    let (status, meta) = sb.get("/rest/api/3/issue/DEMO-12/editmeta").await;
    assert_eq!(status, 200);
    assert_eq!(
        meta["fields"]["parent"]["required"], true,
        "DEMO-12 is a sub-task"
    );
    assert!(meta["fields"].get("project").is_none());
}

#[tokio::test]
async fn rest_v2_clients_use_wiki_markup_for_rich_text() {
    let sb = start(Seed::Demo).await;
    let (status, created) = sb
        .post(
            "/rest/api/2/issue",
            json!({"fields": {"project": {"key": "DEMO"}, "issuetype": {"name": "Task"}, "summary": "From a v2 client", "description": "h3. Why\n\nBecause.\n\n* a\n* b"}}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let key = created["key"].as_str().unwrap().to_string();
    let (_, v3) = sb
        .get(&format!("/rest/api/3/issue/{key}?fields=description"))
        .await;
    assert_eq!(v3["fields"]["description"]["content"][0]["type"], "heading");
    let (_, v2) = sb
        .get(&format!("/rest/api/2/issue/{key}?fields=description"))
        .await;
    assert_eq!(
        v2["fields"]["description"],
        "h3. Why\n\nBecause.\n\n* a\n* b"
    );
    let (status, comment) = sb
        .post(
            &format!("/rest/api/2/issue/{key}/comment"),
            json!({"body": "*done*"}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(comment["body"], "*done*");
    let (_, v3_comments) = sb.get(&format!("/rest/api/3/issue/{key}/comment")).await;
    assert_eq!(v3_comments["comments"][0]["body"]["type"], "doc");
    let (status, page) = sb
        .post(
            "/rest/api/2/search/jql",
            json!({"jql": format!("key = {key}"), "fields": ["description"]}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(page["issues"][0]["fields"]["description"].is_string());
    assert_eq!(
        sb.post(
            "/rest/api/2/issue/DEMO-6/transitions",
            json!({"transition": {"id": "21"}})
        )
        .await
        .0,
        204
    );
    assert_eq!(sb.get("/rest/api/2/search?jql=project%3DDEMO").await.0, 410);
    assert_eq!(sb.get("/rest/api/2/serverInfo").await.0, 200);
}
