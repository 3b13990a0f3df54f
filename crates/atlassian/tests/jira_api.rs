//! Jira operations against wiremock: request shapes, paging, chunking, bulk-create index mapping,
//! transitions, link types and metadata — and that the removed `/rest/api/3/search` is never used.

mod common;

use atlassian::models::{BulkItemOutcome, IssueEdit, NewIssue, NewSprint, SprintState};
use atlassian::{Error, KnownLinkType, SearchQuery};
use common::{issue_json, jira};
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Bulk create that rejects every element whose summary contains "bad", numbering created
/// issues by their global position so the test can check the mapping.
struct BulkResponder;

impl Respond for BulkResponder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = request.body_json().unwrap();
        let updates = body["issueUpdates"].as_array().unwrap();
        assert!(
            updates.len() <= 50,
            "a bulk call carried {} issues",
            updates.len()
        );
        let mut issues = Vec::new();
        let mut errors = Vec::new();
        for (index, update) in updates.iter().enumerate() {
            let summary = update["fields"]["summary"].as_str().unwrap();
            if summary.contains("bad") {
                errors.push(json!({"status": 400, "failedElementNumber": index,
                    "elementErrors": {"errorMessages": [], "errors": {"summary": format!("rejected {summary}")}}}));
            } else {
                let n = summary.trim_start_matches("item ");
                issues.push(json!({"id": n, "key": format!("PW-{n}"), "self": "x"}));
            }
        }
        let status = if issues.is_empty() { 400 } else { 201 };
        ResponseTemplate::new(status).set_body_json(json!({"issues": issues, "errors": errors}))
    }
}

#[tokio::test]
async fn bulk_create_chunks_by_50_and_maps_element_errors_to_input_indices() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue/bulk"))
        .respond_with(BulkResponder)
        .expect(3)
        .mount(&server)
        .await;
    let client = jira(&server).await;
    let bad = [1usize, 49, 50, 77, 119];
    let issues: Vec<NewIssue> = (0..120)
        .map(|i| {
            let summary = if bad.contains(&i) {
                format!("bad {i}")
            } else {
                format!("item {i}")
            };
            NewIssue::new("PW", "Task", summary)
        })
        .collect();
    let outcome = client.create_issues(&issues).await.unwrap();
    assert_eq!(outcome.items.len(), 120);
    for (index, item) in outcome.items.iter().enumerate() {
        match item {
            BulkItemOutcome::Created(created) => {
                assert!(!bad.contains(&index));
                assert_eq!(created.key, format!("PW-{index}"));
            }
            BulkItemOutcome::Rejected(error) => {
                assert!(bad.contains(&index), "{index} rejected");
                assert_eq!(error.errors["summary"], format!("rejected bad {index}"));
            }
            other => panic!("{index}: {other:?}"),
        }
    }
    assert_eq!(outcome.created().count(), 115);
}

#[tokio::test]
async fn bulk_create_where_every_element_fails_reports_each() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue/bulk"))
        .respond_with(BulkResponder)
        .mount(&server)
        .await;
    let client = jira(&server).await;
    let issues = vec![
        NewIssue::new("PW", "Task", "bad a"),
        NewIssue::new("PW", "Task", "bad b"),
    ];
    let outcome = client.create_issues(&issues).await.unwrap();
    assert!(
        outcome
            .items
            .iter()
            .all(|item| matches!(item, BulkItemOutcome::Rejected(_)))
    );
}

#[tokio::test]
async fn bulk_create_after_a_server_error_marks_unknown_and_not_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue/bulk"))
        .respond_with(BulkResponder)
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue/bulk"))
        .respond_with(ResponseTemplate::new(500))
        .with_priority(2)
        .mount(&server)
        .await;
    let client = jira(&server).await;
    let issues: Vec<NewIssue> = (0..120)
        .map(|i| NewIssue::new("PW", "Task", format!("item {i}")))
        .collect();
    let outcome = client.create_issues(&issues).await.unwrap();
    assert!(matches!(outcome.items[49], BulkItemOutcome::Created(_)));
    assert!(matches!(outcome.items[50], BulkItemOutcome::Unknown(_)));
    assert!(matches!(outcome.items[119], BulkItemOutcome::NotSent));
    // The failed create was not retried.
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn search_pages_with_tokens_and_never_calls_the_removed_endpoint() {
    let server = MockServer::start().await;
    Mock::given(path("/rest/api/3/search"))
        .respond_with(ResponseTemplate::new(410))
        .expect(0)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/search/jql"))
        .and(query_param("jql", "project = PW"))
        .and(query_param("fields", "summary,status"))
        .and(query_param_is_missing("nextPageToken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "issues": [issue_json("PW-1"), issue_json("PW-2")],
            "nextPageToken": "page-2", "isLast": false
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/search/jql"))
        .and(query_param("nextPageToken", "page-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "issues": [issue_json("PW-3")], "isLast": true
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/search/approximate-count"))
        .and(body_partial_json(json!({"jql": "project = PW"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"count": 3})))
        .mount(&server)
        .await;
    let client = jira(&server).await;
    let query = SearchQuery::new("project = PW").with_fields(["summary", "status"]);
    let all = client.search_all(query.clone(), 100).await.unwrap();
    let keys: Vec<&str> = all.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys, ["PW-1", "PW-2", "PW-3"]);
    assert_eq!(all[2].summary(), "Summary of PW-3");

    let capped = client.search_all(query.clone(), 2).await.unwrap();
    assert_eq!(capped.len(), 2);
    let mut pager = client.search_pages(query, 10);
    assert_eq!(pager.next_page().await.unwrap().unwrap().len(), 2);
    assert_eq!(pager.next_page().await.unwrap().unwrap().len(), 1);
    assert!(pager.next_page().await.unwrap().is_none());

    assert_eq!(client.approximate_count("project = PW").await.unwrap(), 3);
    for request in server.received_requests().await.unwrap() {
        assert_ne!(request.url.path(), "/rest/api/3/search");
    }
}

#[tokio::test]
async fn long_jql_is_searched_by_post() {
    let server = MockServer::start().await;
    let jql = format!("key in ({})", vec!["PW-1"; 400].join(","));
    Mock::given(method("POST"))
        .and(path("/rest/api/3/search/jql"))
        .and(body_partial_json(
            json!({"jql": jql, "fields": ["summary"]}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"issues": [issue_json("PW-1")]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = jira(&server).await;
    let found = client
        .search_all(SearchQuery::new(jql).with_fields(["summary"]), 10)
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
}

#[tokio::test]
async fn epic_children_search_by_parent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/search/jql"))
        .and(query_param("jql", "parent = \"PW-1\" ORDER BY rank ASC"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "issues": [issue_json("PW-2")], "isLast": true
        })))
        .mount(&server)
        .await;
    let client = jira(&server).await;
    let children = client
        .epic_children("PW-1", &["summary"], 50)
        .await
        .unwrap();
    assert_eq!(children[0].key, "PW-2");
}

#[tokio::test]
async fn board_sprints_page_by_offset_until_is_last() {
    let server = MockServer::start().await;
    let sprint = |id: u64| {
        json!({"id": id, "name": format!("S{id}"), "state": "future",
                                   "startDate": "2026-01-05T09:00:00.000Z", "originBoardId": 7})
    };
    let first: Vec<Value> = (1..=50).map(sprint).collect();
    Mock::given(method("GET"))
        .and(path("/rest/agile/1.0/board/7/sprint"))
        .and(query_param("startAt", "0"))
        .and(query_param("state", "active,future"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"startAt": 0, "maxResults": 50, "isLast": false, "values": first}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/agile/1.0/board/7/sprint"))
        .and(query_param("startAt", "50"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"startAt": 50, "maxResults": 50, "isLast": true, "values": [sprint(51)]}),
        ))
        .mount(&server)
        .await;
    let client = jira(&server).await;
    let sprints = client
        .board_sprints(7, &[SprintState::Active, SprintState::Future])
        .await
        .unwrap();
    assert_eq!(sprints.len(), 51);
    assert_eq!(sprints[50].id, 51);
    assert_eq!(sprints[0].state, SprintState::Future);
    assert!(sprints[0].start_date.is_some());
}

#[tokio::test]
async fn sprint_writes_use_partial_update_and_chunks_of_50() {
    let server = MockServer::start().await;
    let sprint = json!({"id": 9, "name": "S9", "state": "future", "originBoardId": 7});
    Mock::given(method("POST"))
        .and(path("/rest/agile/1.0/sprint"))
        .and(body_partial_json(json!({"name": "S9", "originBoardId": 7})))
        .respond_with(ResponseTemplate::new(201).set_body_json(sprint.clone()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/agile/1.0/sprint/9"))
        .and(body_partial_json(json!({"goal": "Ship"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(sprint))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/agile/1.0/sprint/9/issue"))
        .respond_with(ResponseTemplate::new(204))
        .expect(3)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/agile/1.0/backlog/issue"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let client = jira(&server).await;
    let created = client
        .create_sprint(&NewSprint {
            name: "S9".into(),
            origin_board_id: 7,
            start_date: None,
            end_date: None,
            goal: None,
        })
        .await
        .unwrap();
    assert_eq!(created.id, 9);
    let update = atlassian::models::SprintUpdate {
        goal: Some("Ship".into()),
        ..Default::default()
    };
    client.update_sprint(9, &update).await.unwrap();
    let keys: Vec<String> = (0..120).map(|i| format!("PW-{i}")).collect();
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    client.move_issues_to_sprint(9, &keys).await.unwrap();
    client.move_issues_to_backlog(&keys[..3]).await.unwrap();
    let moves: Vec<usize> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/rest/agile/1.0/sprint/9/issue")
        .map(|r| {
            r.body_json::<Value>().unwrap()["issues"]
                .as_array()
                .unwrap()
                .len()
        })
        .collect();
    assert_eq!(moves, [50, 50, 20]);
}

#[tokio::test]
async fn sprint_issues_page_with_total() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/agile/1.0/sprint/9/issue"))
        .and(query_param("startAt", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "startAt": 0, "maxResults": 2, "total": 3, "issues": [issue_json("PW-1"), issue_json("PW-2")]
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/agile/1.0/sprint/9/issue"))
        .and(query_param("startAt", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "startAt": 2, "maxResults": 2, "total": 3, "issues": [issue_json("PW-3")]
        })))
        .mount(&server)
        .await;
    let client = jira(&server).await;
    let issues = client.sprint_issues(9, &["summary"], 100).await.unwrap();
    assert_eq!(issues.len(), 3);
}

#[tokio::test]
async fn transition_to_status_resolves_the_id_or_lists_the_options() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/PW-1/transitions"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"transitions": [
                {"id": "11", "name": "Start progress", "to": {"id": "3", "name": "In Progress"}},
                {"id": "31", "name": "Done", "to": {"id": "4", "name": "Done"}}
            ]})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue/PW-1/transitions"))
        .and(body_partial_json(json!({"transition": {"id": "11"}})))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let client = jira(&server).await;
    let used = client
        .transition_to_status("PW-1", "in progress")
        .await
        .unwrap();
    assert_eq!(used.id, "11");
    let error = client
        .transition_to_status("PW-1", "Review")
        .await
        .unwrap_err();
    let Error::TransitionUnavailable { available, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        available,
        &["Start progress -> In Progress", "Done -> Done"]
    );
    assert!(error.to_string().contains("Start progress -> In Progress"));
}

#[tokio::test]
async fn links_resolve_renamed_types_and_send_both_ends() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issueLinkType"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"issueLinkTypes": [
            {"id": "10000", "name": "Dependency", "inward": "is blocked by", "outward": "blocks"},
            {"id": "10006", "name": "Work item split", "inward": "split from", "outward": "split to"}
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issueLink"))
        .respond_with(ResponseTemplate::new(201))
        .expect(2)
        .mount(&server)
        .await;
    let client = jira(&server).await;
    client.link_blocks("PW-1", "PW-2").await.unwrap();
    client.link_split("PW-3", "PW-4").await.unwrap();
    assert_eq!(
        client
            .known_link_type(KnownLinkType::Blocks)
            .await
            .unwrap()
            .id,
        "10000"
    );
    assert!(matches!(
        client.link_type_by_name("Relates").await,
        Err(Error::LinkTypeNotFound { .. })
    ));
    let bodies: Vec<Value> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/rest/api/3/issueLink")
        .map(|r| r.body_json().unwrap())
        .collect();
    assert_eq!(
        bodies[0],
        json!({"type": {"id": "10000"}, "inwardIssue": {"key": "PW-1"}, "outwardIssue": {"key": "PW-2"}})
    );
    assert_eq!(bodies[1]["type"], json!({"id": "10006"}));
}

#[tokio::test]
async fn fields_are_cached_and_create_meta_is_paged() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/field"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"id": "customfield_10016", "name": "Story point estimate", "custom": true,
             "schema": {"type": "number", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:float", "customId": 10016}}
        ])))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/createmeta/PW/issuetypes"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "issueTypes": [{"id": "10001", "name": "Story", "subtask": false}],
            "startAt": 0, "maxResults": 50, "total": 1
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/createmeta/PW/issuetypes/10001"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "fields": [
                {"fieldId": "summary", "key": "summary", "name": "Summary", "required": true, "operations": ["set"], "schema": {"type": "string", "system": "summary"}},
                {"fieldId": "customfield_10016", "name": "Story point estimate", "required": false, "hasDefaultValue": false}
            ],
            "startAt": 0, "maxResults": 50, "total": 2
        })))
        .mount(&server)
        .await;
    let client = jira(&server).await;
    assert_eq!(
        client.field_id("story point estimate").await.unwrap(),
        "customfield_10016"
    );
    assert_eq!(
        client.field_id("Story point estimate").await.unwrap(),
        "customfield_10016"
    );
    let types = client.create_meta_issue_types("PW").await.unwrap();
    assert_eq!(types[0].name, "Story");
    let fields = client.create_meta_fields("PW", "10001").await.unwrap();
    let required: Vec<&str> = fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.field_id.as_str())
        .collect();
    assert_eq!(required, ["summary"]);
}

#[tokio::test]
async fn create_edit_assign_comment_send_jira_shapes() {
    let server = MockServer::start().await;
    let adf = json!({"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": "hi"}]}]});
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue"))
        .and(body_partial_json(json!({"fields": {
            "project": {"key": "PW"}, "issuetype": {"name": "Story"}, "summary": "Checkout",
            "parent": {"key": "PW-1"}, "description": adf, "customfield_10016": 5}})))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"id": "10002", "key": "PW-2", "self": "x"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/rest/api/3/issue/PW-2"))
        .and(body_partial_json(
            json!({"fields": {"summary": "Checkout v2"},
                                      "update": {"labels": [{"add": "triaged"}]}}),
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/rest/api/3/issue/PW-2/assignee"))
        .and(body_partial_json(json!({"accountId": null})))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue/PW-2/comment"))
        .and(body_partial_json(json!({"body": adf})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": "100", "body": adf, "created": "2021-01-17T12:34:00.000+0000"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = jira(&server).await;
    let doc = atlassian::models::AdfDoc::from_json(adf.clone()).unwrap();
    let created = client
        .create_issue(
            &NewIssue::new("PW", "Story", "Checkout")
                .with_parent("PW-1")
                .with_description(doc.clone())
                .with_custom_field("customfield_10016", json!(5)),
        )
        .await
        .unwrap();
    assert_eq!(created.key, "PW-2");
    let edit = IssueEdit::new()
        .set_summary("Checkout v2")
        .add_label("triaged");
    client.edit_issue("PW-2", &edit).await.unwrap();
    client.assign("PW-2", None).await.unwrap();
    let comment = client.add_comment("PW-2", &doc).await.unwrap();
    assert_eq!(comment.id, "100");
    assert!(comment.created.is_some());
}

#[tokio::test]
async fn users_are_looked_up_and_searched() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/user/search"))
        .and(query_param("query", "ada"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"accountId": "a-1", "displayName": "Ada", "active": true}])))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/user"))
        .and(query_param("accountId", "a-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(
            {"accountId": "a-1", "displayName": "Ada", "active": true})))
        .mount(&server)
        .await;
    let client = jira(&server).await;
    let found = client.search_users("ada", 10).await.unwrap();
    assert_eq!(found[0].display_name, "Ada");
    assert_eq!(client.user("a-1").await.unwrap().account_id, "a-1");
}

#[tokio::test]
async fn a_repeated_page_token_ends_the_search_instead_of_looping() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/search/jql"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "issues": [issue_json("PW-1")], "nextPageToken": "same", "isLast": false
        })))
        .mount(&server)
        .await;
    let client = jira(&server).await;
    let found = client
        .search_all(SearchQuery::new("project = PW"), 1000)
        .await
        .unwrap();
    assert_eq!(
        found.len(),
        2,
        "first page, then the page for `same`, then stop"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}
