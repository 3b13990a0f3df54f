//! Contract test: every endpoint the sandbox serves, exercised over HTTP with the contract
//! checker in strict mode, must produce no violation of the official OpenAPI documents.
//! Run with `cargo test -p sandbox --features contract --test contract`.

#![cfg(feature = "contract")]

use reqwest::{Client, Method};
use sandbox::contract::{ContractOptions, Direction};
use sandbox::{Sandbox, SandboxHandle, Seed};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

const SPECS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/specs");

struct Caller {
    handle: SandboxHandle,
    client: Client,
}

impl Caller {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let header = self.handle.credentials().default_account().basic_header();
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.handle.base_url()))
            .header("authorization", header.expose_secret());
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

fn adf(text: &str) -> Value {
    json!({"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}]})
}

#[tokio::test]
async fn every_endpoint_conforms_to_the_official_documents() {
    let handle = Sandbox::builder()
        .seed(Seed::Demo)
        .contract(ContractOptions::strict(SPECS))
        .start()
        .await
        .expect("sandbox starts with the specs loaded");
    let c = Caller {
        handle,
        client: Client::new(),
    };
    use Method as M;
    let me = c.handle.credentials().default_account().account_id.clone();
    let (_, subtask_types) = c
        .call(M::GET, "/rest/api/3/issue/createmeta/DEMO/issuetypes", None)
        .await;
    let type_id = subtask_types["issueTypes"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, spaces) = c.call(M::GET, "/wiki/api/v2/spaces", None).await;
    let space = spaces["results"][0]["id"].as_str().unwrap().to_string();
    let (_, pages) = c
        .call(M::GET, &format!("/wiki/api/v2/spaces/{space}/pages"), None)
        .await;
    let page = pages["results"][1]["id"].as_str().unwrap().to_string();

    let calls: Vec<(Method, String, Option<Value>, u16)> = vec![
        (
            M::GET,
            "/rest/api/3/issue/DEMO-1?expand=names,schema,transitions,renderedFields".into(),
            None,
            200,
        ),
        (
            M::POST,
            "/rest/api/3/issue".into(),
            Some(
                json!({"fields": {"project": {"key": "DEMO"}, "issuetype": {"name": "Task"}, "summary": "Contract", "description": adf("x"), "labels": ["c"], "customfield_10053": 2}}),
            ),
            201,
        ),
        (
            M::POST,
            "/rest/api/3/issue/bulk".into(),
            Some(
                json!({"issueUpdates": [{"fields": {"project": {"key": "DEMO"}, "issuetype": {"name": "Task"}, "summary": "B1"}}, {"fields": {"project": {"key": "DEMO"}, "issuetype": {"name": "Task"}}}]}),
            ),
            201,
        ),
        (
            M::PUT,
            "/rest/api/3/issue/DEMO-6".into(),
            Some(json!({"fields": {"summary": "Edited"}, "update": {"labels": [{"add": "x"}]}})),
            204,
        ),
        (
            M::PUT,
            "/rest/api/3/issue/DEMO-6/assignee".into(),
            Some(json!({"accountId": me})),
            204,
        ),
        (
            M::PUT,
            "/rest/api/3/issue/DEMO-6/assignee".into(),
            Some(json!({"accountId": null})),
            204,
        ),
        (
            M::GET,
            "/rest/api/3/issue/DEMO-11/comment".into(),
            None,
            200,
        ),
        (
            M::POST,
            "/rest/api/3/issue/DEMO-11/comment".into(),
            Some(json!({"body": adf("ok")})),
            201,
        ),
        (
            M::GET,
            "/rest/api/3/issue/DEMO-6/transitions?includeUnavailableTransitions=true".into(),
            None,
            200,
        ),
        (
            M::POST,
            "/rest/api/3/issue/DEMO-6/transitions".into(),
            Some(json!({"transition": {"id": "21"}})),
            204,
        ),
        (
            M::GET,
            format!("/rest/api/3/issue/createmeta/DEMO/issuetypes/{type_id}"),
            None,
            200,
        ),
        (
            M::POST,
            "/rest/api/3/issueLink".into(),
            Some(
                json!({"type": {"name": "Relates"}, "inwardIssue": {"key": "DEMO-6"}, "outwardIssue": {"key": "DEMO-7"}}),
            ),
            201,
        ),
        (M::GET, "/rest/api/3/issueLink/10000".into(), None, 200),
        (
            M::GET,
            "/rest/api/3/issue/DEMO-6?expand=changelog".into(),
            None,
            200,
        ),
        (
            M::GET,
            "/rest/api/3/issue/DEMO-6/changelog".into(),
            None,
            200,
        ),
        (M::GET, "/rest/api/3/issueLinkType".into(), None, 200),
        (
            M::GET,
            "/rest/api/3/search/jql?jql=project%3DDEMO&fields=*all&expand=names".into(),
            None,
            200,
        ),
        (
            M::POST,
            "/rest/api/3/search/jql".into(),
            Some(
                json!({"jql": "project = DEMO ORDER BY created DESC", "maxResults": 3, "fields": ["summary", "status", "parent"]}),
            ),
            200,
        ),
        (
            M::POST,
            "/rest/api/3/search/approximate-count".into(),
            Some(json!({"jql": "project = DEMO"})),
            200,
        ),
        (M::GET, "/rest/api/3/field".into(), None, 200),
        (M::GET, "/rest/api/3/myself".into(), None, 200),
        (
            M::GET,
            format!("/rest/api/3/user?accountId={me}"),
            None,
            200,
        ),
        (
            M::GET,
            "/rest/api/3/user/search?query=demo".into(),
            None,
            200,
        ),
        (M::GET, "/rest/api/3/serverInfo".into(), None, 200),
        (M::GET, "/_edge/tenant_info".into(), None, 200),
        (M::GET, "/rest/api/3/project".into(), None, 200),
        (M::GET, "/rest/api/3/project/search".into(), None, 200),
        (M::GET, "/rest/api/3/project/DEMO".into(), None, 200),
        (M::GET, "/rest/api/3/issuetype".into(), None, 200),
        (
            M::GET,
            "/rest/api/3/issuetype/project?projectId=10000".into(),
            None,
            200,
        ),
        (M::GET, "/rest/api/3/status".into(), None, 200),
        (M::GET, "/rest/api/3/priority".into(), None, 200),
        (M::GET, "/rest/agile/1.0/board".into(), None, 200),
        (M::GET, "/rest/agile/1.0/board/1".into(), None, 200),
        (M::GET, "/rest/agile/1.0/board/1/sprint".into(), None, 200),
        (M::GET, "/rest/agile/1.0/board/1/issue".into(), None, 200),
        (M::GET, "/rest/agile/1.0/board/1/backlog".into(), None, 200),
        (M::GET, "/rest/agile/1.0/board/1/epic".into(), None, 200),
        (
            M::POST,
            "/rest/agile/1.0/sprint".into(),
            Some(json!({"name": "C1", "originBoardId": 1, "goal": "g"})),
            201,
        ),
        (M::GET, "/rest/agile/1.0/sprint/4".into(), None, 200),
        (
            M::POST,
            "/rest/agile/1.0/sprint/4".into(),
            Some(json!({"name": "C2"})),
            200,
        ),
        (
            M::PUT,
            "/rest/agile/1.0/sprint/4".into(),
            Some(json!({"name": "C3", "state": "future"})),
            200,
        ),
        (
            M::POST,
            "/rest/agile/1.0/sprint/4/issue".into(),
            Some(json!({"issues": ["DEMO-7"]})),
            204,
        ),
        (M::GET, "/rest/agile/1.0/sprint/4/issue".into(), None, 200),
        (
            M::POST,
            "/rest/agile/1.0/backlog/issue".into(),
            Some(json!({"issues": ["DEMO-7"]})),
            204,
        ),
        (
            M::GET,
            "/rest/agile/1.0/epic/DEMO-1/issue".into(),
            None,
            200,
        ),
        (M::GET, "/wiki/api/v2/spaces?keys=DEMO".into(), None, 200),
        (M::GET, format!("/wiki/api/v2/spaces/{space}"), None, 200),
        (
            M::GET,
            "/wiki/api/v2/pages?body-format=storage".into(),
            None,
            200,
        ),
        (
            M::GET,
            format!("/wiki/api/v2/pages/{page}?body-format=storage"),
            None,
            200,
        ),
        (
            M::PUT,
            format!("/wiki/api/v2/pages/{page}"),
            Some(
                json!({"id": page, "status": "current", "title": "Checkout revamp PRD", "body": {"representation": "storage", "value": "<p>x</p>"}, "version": {"number": 2}}),
            ),
            200,
        ),
        (
            M::POST,
            "/wiki/api/v2/pages".into(),
            Some(
                json!({"spaceId": space, "status": "current", "title": "New", "body": {"representation": "storage", "value": "<p>n</p>"}}),
            ),
            200,
        ),
        (
            M::GET,
            format!("/wiki/rest/api/content/{page}?expand=body.storage,version"),
            None,
            200,
        ),
        (M::DELETE, "/rest/api/3/issueLink/10000".into(), None, 204),
        (
            M::GET,
            "/rest/api/3/issue/DEMO-11/comment/10000".into(),
            None,
            200,
        ),
        (
            M::PUT,
            "/rest/api/3/issue/DEMO-11/comment/10000".into(),
            Some(json!({"body": adf("edited")})),
            200,
        ),
        (
            M::DELETE,
            "/rest/api/3/issue/DEMO-11/comment/10001".into(),
            None,
            204,
        ),
        (
            M::POST,
            "/rest/api/3/issue/DEMO-6/remotelink".into(),
            Some(
                json!({"globalId": "pr-1", "relationship": "implemented by", "application": {"name": "GitHub", "type": "com.github"}, "object": {"url": "https://git.example.com/pr/1", "title": "PR 1"}}),
            ),
            201,
        ),
        (
            M::GET,
            "/rest/api/3/issue/DEMO-6/remotelink".into(),
            None,
            200,
        ),
        (
            M::GET,
            "/rest/api/3/issue/DEMO-6/remotelink/10000".into(),
            None,
            200,
        ),
        (
            M::DELETE,
            "/rest/api/3/issue/DEMO-6/remotelink/10000".into(),
            None,
            204,
        ),
        (
            M::GET,
            "/rest/api/3/issue/DEMO-6/editmeta".into(),
            None,
            200,
        ),
        (
            M::PUT,
            "/rest/agile/1.0/issue/rank".into(),
            Some(json!({"issues": ["DEMO-7"], "rankAfterIssue": "DEMO-1"})),
            204,
        ),
        (
            M::POST,
            "/rest/api/3/issue/bulkfetch".into(),
            Some(
                json!({"issueIdsOrKeys": ["DEMO-1", "DEMO-5"], "fields": ["summary", "subtasks"], "expand": ["names"]}),
            ),
            200,
        ),
        (M::DELETE, "/rest/api/3/issue/DEMO-10".into(), None, 204),
        // Error answers are checked too where the documents declare them.
        (M::GET, "/rest/api/3/issue/DEMO-999".into(), None, 404),
        (
            M::POST,
            "/rest/api/3/issue".into(),
            Some(json!({"fields": {"project": {"key": "DEMO"}}})),
            400,
        ),
    ];
    for (method, path, body, expected) in calls {
        let (status, answer) = c.call(method.clone(), &path, body).await;
        assert_eq!(status, expected, "{method} {path}: {answer}");
    }
    let violations = c.handle.contract_violations();
    assert!(violations.is_empty(), "{violations:#?}");
}

#[tokio::test]
async fn strict_mode_refuses_a_request_that_breaks_the_schema() {
    let handle = Sandbox::builder()
        .seed(Seed::Demo)
        .contract(ContractOptions::strict(SPECS))
        .start()
        .await
        .unwrap();
    let c = Caller {
        handle,
        client: Client::new(),
    };
    // `inwardIssue` must be an object per LinkIssueRequestJsonBean.
    let (status, body) = c
        .call(Method::POST, "/rest/api/3/issueLink", Some(json!({"type": {"name": "Blocks"}, "inwardIssue": "DEMO-1", "outwardIssue": {"key": "DEMO-2"}})))
        .await;
    assert_eq!(status, 400);
    assert!(
        body["errorMessages"][0]
            .as_str()
            .unwrap()
            .contains("linkIssues"),
        "{body}"
    );
    assert!(c.handle.write_log().successful().is_empty());

    let lenient = Sandbox::builder()
        .seed(Seed::Demo)
        .contract(ContractOptions::lenient(SPECS))
        .start()
        .await
        .unwrap();
    let c = Caller {
        handle: lenient,
        client: Client::new(),
    };
    let (status, _) = c
        .call(
            Method::POST,
            "/rest/agile/1.0/sprint",
            Some(json!({"name": "S", "originBoardId": 1, "colour": "red"})),
        )
        .await;
    assert_eq!(status, 201, "lenient mode lets the request through");
    let violations = c.handle.contract_violations();
    assert_eq!(violations.len(), 1);
    assert_eq!(violations[0].direction, Direction::Request);
    assert_eq!(violations[0].operation, "createSprint");
}
