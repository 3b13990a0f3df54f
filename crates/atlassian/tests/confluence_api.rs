//! Confluence v2 against wiremock: storage-format reads, version + 1 updates, and re-applying an
//! edit after a 409 instead of overwriting someone else's change.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};

use atlassian::Error;
use common::confluence;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn page(version: u32, body: &str) -> Value {
    json!({
        "id": "123", "status": "current", "title": "PRD", "spaceId": "98765",
        "version": {"number": version, "message": ""},
        "body": {"storage": {"representation": "storage", "value": body}},
        "_links": {"webui": "/spaces/ENG/pages/123/PRD", "base": "https://elsewhere.example.com/wiki"}
    })
}

/// A page that someone else edits `conflicts` times while we try to save.
struct Contended {
    version: AtomicU32,
    conflicts: u32,
    puts: AtomicU32,
}

impl Respond for Contended {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if request.method.as_str() == "GET" {
            let version = self.version.load(Ordering::SeqCst);
            return ResponseTemplate::new(200)
                .set_body_json(page(version, &format!("<p>v{version}</p>")));
        }
        let body: Value = request.body_json().unwrap();
        let put = self.puts.fetch_add(1, Ordering::SeqCst) + 1;
        if put <= self.conflicts {
            // Someone else saved first.
            self.version.fetch_add(1, Ordering::SeqCst);
            return ResponseTemplate::new(409).set_body_json(json!({"errors": [
                {"status": 409, "code": "CONFLICT", "title": "Version must be incremented"}]}));
        }
        let current = self.version.load(Ordering::SeqCst);
        assert_eq!(
            body["version"]["number"],
            current + 1,
            "version + 1 of what was read"
        );
        let value = body["body"]["value"].as_str().unwrap();
        ResponseTemplate::new(200).set_body_json(page(current + 1, value))
    }
}

async fn contended_server(conflicts: u32) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/wiki/api/v2/pages/123"))
        .respond_with(Contended {
            version: AtomicU32::new(7),
            conflicts,
            puts: AtomicU32::new(0),
        })
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn get_page_reads_storage_body_and_version() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/wiki/api/v2/pages/123"))
        .and(query_param("body-format", "storage"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(7, "<p>hello</p>")))
        .mount(&server)
        .await;
    let client = confluence(&server).await;
    let read = client.get_page("123").await.unwrap();
    assert_eq!(read.version, 7);
    assert_eq!(read.body_storage, "<p>hello</p>");
    assert_eq!(read.space_id.as_deref(), Some("98765"));
    // A `base` on another host is not trusted for the web link.
    assert_eq!(
        read.web_url.as_deref(),
        Some(format!("{}/wiki/spaces/ENG/pages/123/PRD", server.uri()).as_str())
    );
}

#[tokio::test]
async fn edit_page_reapplies_the_edit_after_a_conflict() {
    let server = contended_server(2).await;
    let client = confluence(&server).await;
    let saved = client
        .edit_page("123", Some("planwright"), |body| {
            Ok::<_, std::convert::Infallible>(format!("{body}<p>added</p>"))
        })
        .await
        .unwrap();
    // Two others saved v8 and v9; our edit was applied on top of v9 and saved as v10.
    assert_eq!(saved.version, 10);
    assert_eq!(saved.body_storage, "<p>v9</p><p>added</p>");
    let requests = server.received_requests().await.unwrap();
    let last_put: Value = requests
        .iter()
        .rev()
        .find(|r| r.method.as_str() == "PUT")
        .unwrap()
        .body_json()
        .unwrap();
    assert_eq!(last_put["version"]["message"], "planwright");
    assert_eq!(last_put["title"], "PRD");
    assert_eq!(last_put["status"], "current");
}

#[tokio::test]
async fn edit_page_gives_up_instead_of_overwriting() {
    let server = contended_server(100).await;
    let client = confluence(&server).await;
    let error = client
        .edit_page("123", None, |body| {
            Ok::<_, std::convert::Infallible>(format!("{body}!"))
        })
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::EditConflict { attempts: 4, .. }),
        "{error:?}"
    );
    assert!(!error.hint().is_empty());
}

#[tokio::test]
async fn edit_page_surfaces_the_callers_refusal_and_skips_no_op_saves() {
    let server = contended_server(0).await;
    let client = confluence(&server).await;
    let error = client
        .edit_page("123", None, |_| Err::<String, _>("table not found"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::EditRejected(_)), "{error:?}");
    let unchanged = client
        .edit_page("123", None, |body| {
            Ok::<_, std::convert::Infallible>(body.to_string())
        })
        .await
        .unwrap();
    assert_eq!(unchanged.version, 7);
    let puts = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == "PUT")
        .count();
    assert_eq!(puts, 0);
}

#[tokio::test]
async fn page_urls_of_other_hosts_are_refused() {
    let server = MockServer::start().await;
    let client = confluence(&server).await;
    let own = format!("{}/wiki/spaces/ENG/pages/123/PRD", server.uri());
    assert_eq!(client.page_id_from_url(&own).unwrap(), "123");
    let error = client
        .page_id_from_url("https://evil.example.com/wiki/spaces/ENG/pages/123")
        .unwrap_err();
    assert!(matches!(error, Error::ForeignHost { .. }));
}

#[tokio::test]
async fn bearer_tokens_reach_confluence_through_the_gateway() {
    let gateway = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/ex/confluence/c-9/wiki/api/v2/pages/123"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(3, "<p>x</p>")))
        .mount(&gateway)
        .await;
    let site = atlassian::SiteConfig::new(
        "https://acme.atlassian.net",
        atlassian::AtlassianAuth::bearer("oauth-token"),
    )
    .unwrap()
    .with_cloud_id("c-9")
    .with_gateway(&gateway.uri())
    .unwrap();
    let client = atlassian::ConfluenceClient::connect(site, common::fast_config())
        .await
        .unwrap();
    assert_eq!(client.get_page("123").await.unwrap().version, 3);
    // Pasted links are checked against the site users know, not the gateway.
    assert_eq!(
        client
            .page_id_from_url("https://acme.atlassian.net/wiki/spaces/ENG/pages/123/PRD")
            .unwrap(),
        "123"
    );
    let request = &gateway.received_requests().await.unwrap()[0];
    assert_eq!(request.headers["authorization"], "Bearer oauth-token");
}

#[test]
fn the_update_preview_is_the_request_an_update_sends() {
    let page = atlassian::Page {
        id: "123".into(),
        title: "PRD".into(),
        status: String::new(),
        space_id: None,
        version: 7,
        body_storage: "<p>old</p>".into(),
        web_url: None,
    };
    let preview =
        atlassian::ConfluenceClient::preview_update_page(&page, "<p>new</p>", Some("links"));
    assert_eq!(preview.method, "PUT");
    assert_eq!(preview.path, "/wiki/api/v2/pages/123");
    assert_eq!(
        preview.body,
        json!({
            "id": "123", "status": "current", "title": "PRD",
            "body": {"representation": "storage", "value": "<p>new</p>"},
            "version": {"number": 8, "message": "links"},
        })
    );
}
