//! The clients against the sandbox emulator of Jira Cloud and Confluence, with its contract
//! checker in strict mode: every request we send is validated against the official OpenAPI
//! documents, and every response we parse comes from a peer held to them.

use std::time::Duration;

use atlassian::models::{
    AdfDoc, BulkItemOutcome, IssueEdit, NewIssue, NewSprint, SprintState, SprintUpdate,
};
use atlassian::{
    AtlassianAuth, ConfluenceClient, Error, JiraClient, Pacing, RetryPolicy, SearchQuery,
    SiteConfig, TransportConfig,
};
use sandbox::contract::ContractOptions;
use sandbox::{FaultConfig, RateLimitReason, Sandbox, SandboxHandle, Seed};

const SPECS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/specs");

fn config() -> TransportConfig {
    TransportConfig {
        pacing: Pacing {
            requests_per_second: None,
            burst: 1,
        },
        retry: RetryPolicy {
            max_attempts: 4,
            max_total_wait: Duration::from_secs(10),
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            retry_after_floor: Duration::from_millis(50),
            ..RetryPolicy::default()
        },
        ..TransportConfig::default()
    }
}

async fn start(faults: FaultConfig) -> SandboxHandle {
    Sandbox::builder()
        .seed(Seed::Demo)
        .faults(faults)
        .contract(ContractOptions::strict(SPECS))
        .start()
        .await
        .expect("sandbox starts")
}

fn site(sandbox: &SandboxHandle) -> SiteConfig {
    SiteConfig::new(
        &sandbox.base_url(),
        AtlassianAuth::basic(sandbox::DEFAULT_EMAIL, sandbox::DEFAULT_API_TOKEN),
    )
    .unwrap()
}

async fn jira(sandbox: &SandboxHandle) -> JiraClient {
    JiraClient::connect(site(sandbox), config()).await.unwrap()
}

fn doc(text: &str) -> AdfDoc {
    AdfDoc::paragraph_text(text)
}

fn assert_no_violations(sandbox: &SandboxHandle) {
    let violations = sandbox.contract_violations();
    assert!(
        violations.is_empty(),
        "contract violations: {violations:#?}"
    );
}

#[tokio::test]
async fn issue_lifecycle_create_get_edit_comment_transition_link() {
    let sandbox = start(FaultConfig::none()).await;
    let client = jira(&sandbox).await;
    assert_eq!(
        client.myself().await.unwrap().email_address.as_deref(),
        Some(sandbox::DEFAULT_EMAIL)
    );

    let created = client
        .create_issue(
            &NewIssue::new("DEMO", "Story", "Pay with a gift card")
                .with_parent("DEMO-1")
                .with_description(doc("Shoppers redeem a gift card at checkout."))
                .with_labels(["payments"])
                .with_custom_field(sandbox::STORY_POINTS_FIELD, serde_json::json!(3)),
        )
        .await
        .unwrap();
    let issue = client
        .get_issue(&created.key, &[], &["names"])
        .await
        .unwrap();
    assert_eq!(issue.summary(), "Pay with a gift card");
    assert_eq!(issue.parent_key(), Some("DEMO-1"));
    assert_eq!(
        issue.fields.description,
        Some(doc("Shoppers redeem a gift card at checkout."))
    );
    assert_eq!(
        issue
            .fields
            .raw(sandbox::STORY_POINTS_FIELD)
            .and_then(|v| v.as_f64()),
        Some(3.0)
    );

    let edit = IssueEdit::new()
        .set_summary("Pay with a gift card or voucher")
        .add_label("triaged")
        .set_description(doc("Gift cards and vouchers."));
    client.edit_issue(&created.key, &edit).await.unwrap();
    let edited = client
        .get_issue(&created.key, &["summary", "labels", "description"], &[])
        .await
        .unwrap();
    assert_eq!(edited.summary(), "Pay with a gift card or voucher");
    assert!(edited.fields.labels.contains(&"triaged".to_string()));
    assert!(edited.fields.labels.contains(&"payments".to_string()));

    let comment = client
        .add_comment(&created.key, &doc("Planned by Planwright."))
        .await
        .unwrap();
    assert_eq!(comment.body, Some(doc("Planned by Planwright.")));

    let used = client
        .transition_to_status(&created.key, "In Progress")
        .await
        .unwrap();
    assert_eq!(used.to.map(|s| s.name).as_deref(), Some("In Progress"));
    let moved = client
        .get_issue(&created.key, &["status"], &[])
        .await
        .unwrap();
    assert_eq!(moved.status_name(), Some("In Progress"));
    let error = client
        .transition_to_status(&created.key, "No such status")
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::TransitionUnavailable { ref available, .. } if !available.is_empty())
    );

    // "new issue blocks DEMO-4": on the new issue this reads as an outward link to DEMO-4.
    client.link_blocks(&created.key, "DEMO-4").await.unwrap();
    let linked = client
        .get_issue(&created.key, &["issuelinks"], &[])
        .await
        .unwrap();
    let link = linked
        .fields
        .issuelinks
        .iter()
        .find(|l| l.link_type.name == "Blocks")
        .expect("the Blocks link");
    assert_eq!(
        link.outward_issue.as_ref().map(|i| i.key.as_str()),
        Some("DEMO-4")
    );
    assert_eq!(link.link_type.outward, "blocks");

    client.assign(&created.key, None).await.unwrap();
    assert_no_violations(&sandbox);
}

#[tokio::test]
async fn bulk_create_maps_each_element() {
    let sandbox = start(FaultConfig::none()).await;
    let client = jira(&sandbox).await;
    let issues = vec![
        NewIssue::new("DEMO", "Task", "First"),
        NewIssue::new("DEMO", "No such type", "Broken"),
        NewIssue::new("DEMO", "Task", "Third"),
    ];
    let outcome = client.create_issues(&issues).await.unwrap();
    let BulkItemOutcome::Created(first) = &outcome.items[0] else {
        panic!("{:?}", outcome.items)
    };
    assert!(
        matches!(outcome.items[1], BulkItemOutcome::Rejected(_)),
        "{:?}",
        outcome.items[1]
    );
    let BulkItemOutcome::Created(third) = &outcome.items[2] else {
        panic!("{:?}", outcome.items)
    };
    assert_eq!(
        client
            .get_issue(&first.key, &["summary"], &[])
            .await
            .unwrap()
            .summary(),
        "First"
    );
    assert_eq!(
        client
            .get_issue(&third.key, &["summary"], &[])
            .await
            .unwrap()
            .summary(),
        "Third"
    );
    assert_no_violations(&sandbox);
}

#[tokio::test]
async fn search_pages_through_the_demo_project() {
    let sandbox = start(FaultConfig::none()).await;
    let client = jira(&sandbox).await;
    let query = SearchQuery::new("project = DEMO ORDER BY key ASC")
        .with_fields(["summary", "status", "issuetype", "parent"])
        .with_page_size(3);
    let all = client.search_all(query.clone(), 1000).await.unwrap();
    let count = client.approximate_count("project = DEMO").await.unwrap();
    assert!(all.len() > 3, "the demo has more than one page");
    assert_eq!(all.len() as u64, count);
    let mut pager = client.search_pages(query, 1000);
    let first = pager.next_page().await.unwrap().unwrap();
    assert!(first.len() <= 3);
    let children = client
        .epic_children("DEMO-1", &["summary"], 100)
        .await
        .unwrap();
    assert!(children.iter().all(|c| c.key != "DEMO-1"));
    assert!(!children.is_empty());
    let writes = sandbox.write_log().len();
    assert_eq!(writes, 0, "searches write nothing");
    assert_no_violations(&sandbox);
}

#[tokio::test]
async fn fields_and_create_metadata() {
    let sandbox = start(FaultConfig::none()).await;
    let client = jira(&sandbox).await;
    let fields = client.fields().await.unwrap();
    let points = fields
        .iter()
        .find(|f| f.id == sandbox::STORY_POINTS_FIELD)
        .expect("story points field");
    assert_eq!(
        client.field_id(&points.name).await.unwrap(),
        sandbox::STORY_POINTS_FIELD
    );
    let types = client.create_meta_issue_types("DEMO").await.unwrap();
    let story = types
        .iter()
        .find(|t| t.name == "Story")
        .expect("Story type");
    let meta = client.create_meta_fields("DEMO", &story.id).await.unwrap();
    assert!(meta.iter().any(|f| f.field_id == "summary" && f.required));
    let types = client.link_types().await.unwrap();
    assert!(types.iter().any(|t| t.name == "Blocks"));
    client
        .known_link_type(atlassian::KnownLinkType::WorkItemSplit)
        .await
        .unwrap();
    assert_no_violations(&sandbox);
}

#[tokio::test]
async fn sprints_boards_and_moves() {
    let sandbox = start(FaultConfig::none()).await;
    let client = jira(&sandbox).await;
    let boards = client.boards_for_project("DEMO").await.unwrap();
    let board = boards.first().expect("the DEMO board");
    let sprints = client.board_sprints(board.id, &[]).await.unwrap();
    assert!(sprints.len() >= 3);
    let open = client
        .board_sprints(board.id, &[SprintState::Future, SprintState::Active])
        .await
        .unwrap();
    assert!(open.iter().all(|s| s.state != SprintState::Closed));

    let start = chrono::Utc::now();
    let created = client
        .create_sprint(&NewSprint {
            name: "Planwright sprint".into(),
            origin_board_id: board.id,
            start_date: Some(start),
            end_date: Some(start + chrono::Duration::days(14)),
            goal: None,
        })
        .await
        .unwrap();
    assert_eq!(created.state, SprintState::Future);
    let updated = client
        .update_sprint(
            created.id,
            &SprintUpdate {
                goal: Some("Gift cards".into()),
                ..SprintUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.goal.as_deref(), Some("Gift cards"));
    assert_eq!(updated.name, "Planwright sprint");

    client
        .move_issues_to_sprint(created.id, &["DEMO-4", "DEMO-5"])
        .await
        .unwrap();
    let in_sprint = client
        .sprint_issues(created.id, &["summary"], 100)
        .await
        .unwrap();
    let keys: Vec<&str> = in_sprint.iter().map(|i| i.key.as_str()).collect();
    assert!(
        keys.contains(&"DEMO-4") && keys.contains(&"DEMO-5"),
        "{keys:?}"
    );
    client.move_issues_to_backlog(&["DEMO-5"]).await.unwrap();
    let after = client
        .sprint_issues(created.id, &["summary"], 100)
        .await
        .unwrap();
    assert!(after.iter().all(|i| i.key != "DEMO-5"));
    assert_no_violations(&sandbox);
}

#[tokio::test]
async fn rate_limits_and_server_errors_from_the_emulator() {
    let sandbox = start(FaultConfig::none().rate_limit_next(2, RateLimitReason::Burst, 0)).await;
    let client = jira(&sandbox).await;
    client.get_issue("DEMO-1", &["summary"], &[]).await.unwrap();
    assert_eq!(client.stats().rate_limited, 2);

    sandbox.faults().server_error_next(1, 500);
    let before = sandbox.write_log().len();
    let error = client
        .create_issue(&NewIssue::new("DEMO", "Task", "Must not be duplicated"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Server { status: 500, .. }),
        "{error:?}"
    );
    assert_eq!(
        sandbox.write_log().len(),
        before + 1,
        "the create was sent once"
    );
}

#[tokio::test]
async fn confluence_page_read_edit_and_stale_version_conflict() {
    let sandbox = start(FaultConfig::none()).await;
    let client = jira(&sandbox).await;
    let epic = client
        .get_issue("DEMO-1", &[sandbox::PRD_URL_FIELD], &[])
        .await
        .unwrap();
    let prd_url = epic
        .fields
        .raw(sandbox::PRD_URL_FIELD)
        .and_then(|v| v.as_str())
        .expect("the demo epic links its PRD")
        .to_string();
    let wiki = ConfluenceClient::connect(site(&sandbox), config())
        .await
        .unwrap();
    let page_id = wiki.page_id_from_url(&prd_url).unwrap();
    let page = wiki.get_page(&page_id).await.unwrap();
    assert!(page.body_storage.contains("<table"));

    let saved = wiki
        .edit_page(&page_id, Some("Planwright sync"), |body| {
            Ok::<_, std::convert::Infallible>(format!("{body}<p>Synced.</p>"))
        })
        .await
        .unwrap();
    assert_eq!(saved.version, page.version + 1);
    let reread = wiki.get_page(&page_id).await.unwrap();
    assert!(reread.body_storage.ends_with("<p>Synced.</p>"));
    assert_eq!(reread.version, page.version + 1);

    // Saving from the stale read must not overwrite the newer version.
    let error = wiki
        .update_page(&page, "<p>stale</p>", None)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Conflict { .. }), "{error:?}");
    assert!(
        wiki.get_page(&page_id)
            .await
            .unwrap()
            .body_storage
            .ends_with("<p>Synced.</p>")
    );
    assert_no_violations(&sandbox);
}
