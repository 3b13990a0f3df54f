//! Black-box tests of fault injection (429 headers, 5xx, per-issue limits, quota), of the
//! write log, of graceful shutdown, and of the webhook events API writes publish.

mod support;

use reqwest::Method;
use sandbox::{FaultConfig, RateLimitReason, Seed};
use serde_json::json;
use support::start;

#[tokio::test]
async fn rate_limits_carry_jira_headers() {
    let sb = start(Seed::Demo).await;
    sb.handle
        .faults()
        .rate_limit_next(1, RateLimitReason::Burst, 0);
    let response = sb
        .request(Method::GET, "/rest/api/3/issue/DEMO-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let headers = response.headers();
    assert_eq!(headers["retry-after"], "0");
    assert_eq!(headers["ratelimit-reason"], "jira-burst-based");
    assert!(headers.contains_key("x-ratelimit-reset"));
    assert!(headers.contains_key("x-ratelimit-limit"));
    let (status, _) = sb.get("/rest/api/3/issue/DEMO-1").await;
    assert_eq!(status, 200, "only the next request was limited");
    assert_eq!(sb.handle.faults().injected_count(), 1);
}

#[tokio::test]
async fn server_errors_per_issue_limits_and_quota() {
    let sb = start(Seed::Demo).await;
    sb.handle.faults().server_error_next(2, 503);
    assert_eq!(sb.get("/rest/api/3/myself").await.0, 503);
    assert_eq!(sb.get("/rest/api/3/myself").await.0, 503);
    assert_eq!(sb.get("/rest/api/3/myself").await.0, 200);

    sb.handle
        .faults()
        .set(FaultConfig::none().per_issue_write_limit(1));
    assert_eq!(
        sb.put(
            "/rest/api/3/issue/DEMO-6",
            json!({"fields": {"summary": "a"}})
        )
        .await
        .0,
        204
    );
    let response = sb
        .request(Method::PUT, "/rest/api/3/issue/DEMO-6")
        .json(&json!({"fields": {"summary": "b"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(
        response.headers()["ratelimit-reason"],
        "jira-per-issue-on-write"
    );
    assert_eq!(
        sb.put(
            "/rest/api/3/issue/DEMO-7",
            json!({"fields": {"summary": "c"}})
        )
        .await
        .0,
        204
    );

    sb.handle.faults().set(FaultConfig::none().points_quota(2));
    let response = sb
        .request(Method::GET, "/rest/api/3/myself")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-ratelimit-remaining"], "1");
    assert_eq!(sb.get("/rest/api/3/myself").await.0, 200);
    let response = sb
        .request(Method::GET, "/rest/api/3/myself")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(
        response.headers()["ratelimit-reason"],
        "jira-quota-tenant-based"
    );
    assert_eq!(sb.handle.faults().points_remaining(), Some(0));
}

#[tokio::test]
async fn write_log_records_mutations_only() {
    let sb = start(Seed::Demo).await;
    sb.get("/rest/api/3/issue/DEMO-1").await;
    sb.post("/rest/api/3/search/jql", json!({"jql": "project = DEMO"}))
        .await;
    assert!(sb.handle.write_log().is_empty(), "reads are not writes");
    sb.post(
        "/rest/api/3/issue/DEMO-1/comment",
        json!({"body": {"type": "doc", "version": 1, "content": []}}),
    )
    .await;
    sb.put(
        "/rest/api/3/issue/DEMO-404",
        json!({"fields": {"summary": "x"}}),
    )
    .await;
    let log = sb.handle.write_log().entries();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].method, "POST");
    assert_eq!(log[0].path, "/rest/api/3/issue/DEMO-1/comment");
    assert_eq!(log[0].status, 201);
    assert_eq!(log[0].body.as_ref().unwrap()["body"]["type"], "doc");
    assert_eq!(log[1].status, 404);
    assert_eq!(sb.handle.write_log().successful().len(), 1);
}

#[tokio::test]
async fn shutdown_is_graceful() {
    let sb = start(Seed::Empty).await;
    let url = sb.url("/rest/api/3/serverInfo");
    assert_eq!(sb.client.get(&url).send().await.unwrap().status(), 200);
    sb.handle.shutdown().await.unwrap();
    assert!(sb.client.get(&url).send().await.is_err());
}

#[tokio::test]
async fn waiting_on_the_write_log_sees_writes_made_later() {
    let sb = start(Seed::Demo).await;
    let log = sb.handle.write_log().clone();
    let writer = {
        let request = sb
            .request(Method::POST, "/rest/api/3/issue/DEMO-1/comment")
            .json(&json!({"body": {"type": "doc", "version": 1, "content": []}}));
        tokio::spawn(async move { request.send().await.map(|r| r.status().as_u16()) })
    };
    let seen = log
        .wait_for(std::time::Duration::from_secs(10), |records| {
            records.iter().any(|r| r.status == 201)
        })
        .await;
    assert!(seen);
    assert_eq!(writer.await.unwrap().unwrap(), 201);
    assert!(
        !log.wait_for(std::time::Duration::from_millis(1), |records| records.len()
            > 1)
            .await
    );
}

#[tokio::test]
async fn api_writes_publish_webhook_events() {
    let sb = start(Seed::Demo).await;
    let mut events = sb.handle.state().subscribe();
    let next = |events: &mut tokio::sync::broadcast::Receiver<sandbox::WebhookEvent>| {
        let event = events.try_recv().expect("an event was published");
        (event.name.clone(), event)
    };
    sb.post(
        "/rest/api/3/issue/DEMO-6/transitions",
        json!({"transition": {"id": "21"}}),
    )
    .await;
    let (name, event) = next(&mut events);
    assert_eq!(name, "jira:issue_updated");
    assert_eq!(event.issue_key.as_deref(), Some("DEMO-6"));
    let item = &event.payload["changelog"]["items"][0];
    assert_eq!(item["field"], "status");
    assert_eq!(item["fromString"], "To Do");
    assert_eq!(item["toString"], "In Progress");
    assert_eq!(
        event.payload["issue"]["fields"]["status"]["name"],
        "In Progress"
    );
    let (_, history) = sb.get("/rest/api/3/issue/DEMO-6/changelog").await;
    assert_eq!(history["total"], 1);
    assert_eq!(history["values"][0]["items"][0]["toString"], "In Progress");
    assert_eq!(history["values"][0]["id"], event.payload["changelog"]["id"]);
    let (_, expanded) = sb
        .get("/rest/api/3/issue/DEMO-6?expand=changelog&fields=summary")
        .await;
    assert_eq!(
        expanded["changelog"]["histories"][0]["items"][0]["field"],
        "status"
    );

    sb.post(
        "/rest/api/3/issue/DEMO-6/comment",
        json!({"body": {"type": "doc", "version": 1, "content": []}}),
    )
    .await;
    assert_eq!(next(&mut events).0, "comment_created");
    let (name, event) = next(&mut events);
    assert_eq!(name, "jira:issue_updated");
    assert_eq!(event.payload["issue_event_type_name"], "issue_commented");

    sb.post("/rest/api/3/issue", json!({"fields": {"project": {"key": "DEMO"}, "issuetype": {"name": "Task"}, "summary": "new"}})).await;
    assert_eq!(next(&mut events).0, "jira:issue_created");
    sb.put("/rest/api/3/issue/DEMO-6", json!({"fields": {}}))
        .await;
    assert!(
        events.try_recv().is_err(),
        "an edit that changes nothing publishes nothing"
    );
}
