//! Task planning end to end (`/plan/tasks/generate`, `/plan/tasks/team-based`,
//! `/plan/tasks/create`, `/plan/estimate/{key}`) on every test database, against the sandbox's
//! demo project: previews write nothing, writes create the tasks and their links in the right
//! direction exactly once, a dependency cycle from the model is repaired, and bad requests get
//! their 4xx.

#![cfg(feature = "testing")]

use app::testing::TestApp;
use atlassian::models::{Issue, NewIssue};
use job_types::planning_tasks::TaskGeneration;
use serde_json::{Value, json};
use store::TestDatabase;

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

async fn issue(app: &TestApp, key: &str) -> Issue {
    app.app
        .env
        .jira
        .get_issue(key, &["summary", "issuelinks", "parent", "issuetype"], &[])
        .await
        .expect("the issue exists")
}

/// Whether `from` has a link of `type_name` whose outward issue is `to` ("from <outward> to").
fn links_outward(issue: &Issue, type_name: &str, to: &str) -> bool {
    issue.fields.issuelinks.iter().any(|link| {
        link.link_type.name == type_name
            && link
                .outward_issue
                .as_ref()
                .is_some_and(|other| other.key == to)
    })
}

fn tasks(body: &Value) -> Vec<Value> {
    body["task_details"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn the_default_request_is_a_preview_that_writes_nothing_and_returns_the_write_plan() {
    for app in TestApp::all().await {
        let label = app.label();
        let (status, body) = json_of(
            app.post(
                "/plan/tasks/generate",
                &json!({"story_keys": ["DEMO-4", "https://demo.atlassian.net/browse/DEMO-4"]}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{label}: {body}");
        assert!(
            app.sandbox().write_log().is_empty(),
            "{label}: a preview wrote {:?}",
            app.sandbox().write_log().entries()
        );
        assert_eq!(
            body["epic_key"], "DEMO-1",
            "{label}: derived from the parent"
        );
        assert_eq!(body["dry_run"], true);
        assert_eq!(body["success"], true, "{label}: {body}");
        let tasks = tasks(&body);
        assert!(tasks.len() >= 2, "{label}: {body}");
        assert_eq!(body["story_details"].as_array().map(Vec::len), Some(1));
        for task in &tasks {
            let summary = task["summary"].as_str().unwrap_or_default();
            let prefix = match task["team"].as_str() {
                Some("backend") => "[BE] ",
                Some("frontend") => "[FE] ",
                Some("qa") => "[QA] ",
                Some("devops") => "[DEVOPS] ",
                Some("mobile") => "[MOBILE] ",
                other => panic!("{label}: unknown team {other:?}"),
            };
            assert!(summary.starts_with(prefix), "{label}: {summary}");
            assert!(task["jira_key"].is_null());
            assert_eq!(task["story_key"], "DEMO-4");
            assert!(
                task["description"]
                    .as_str()
                    .is_some_and(|d| d.starts_with("**Purpose:**")),
                "{label}: {task}"
            );
        }
        let created = body["created_tickets"]["tasks"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(created.len(), tasks.len());
        assert!(
            created
                .iter()
                .all(|t| t.as_str().is_some_and(|t| t.starts_with("[DRY_RUN] ")))
        );

        // QA waits for the implementation, and every dependency is a planned Blocks link.
        let qa = tasks.iter().find(|t| t["team"] == "qa").expect("a QA task");
        assert!(
            !qa["depends_on_tasks"].as_array().is_some_and(Vec::is_empty),
            "{label}: {qa}"
        );
        assert!(!qa["blocked_by_teams"].as_array().is_some_and(Vec::is_empty));
        let dependencies: usize = tasks
            .iter()
            .map(|t| t["depends_on_tasks"].as_array().map_or(0, Vec::len))
            .sum();
        assert_eq!(
            body["relationships"].as_array().map(Vec::len),
            Some(dependencies)
        );

        // The plan: every task created under the epic, then a split link per task and a Blocks
        // link per dependency, in that order.
        let writes = body["write_plan"]["writes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let creates: Vec<&Value> = writes
            .iter()
            .filter(|w| w["action"] == "create_issue")
            .collect();
        let links: Vec<&Value> = writes
            .iter()
            .filter(|w| w["action"] == "create_link")
            .collect();
        assert_eq!(creates.len(), tasks.len(), "{label}: {writes:?}");
        assert_eq!(links.len(), tasks.len() + dependencies, "{label}");
        assert!(
            writes[..tasks.len()]
                .iter()
                .all(|w| w["action"] == "create_issue")
        );
        for create in &creates {
            assert_eq!(create["method"], "POST");
            let fields = &create["body"]["fields"];
            assert_eq!(fields["parent"]["key"], "DEMO-1", "{label}: {create}");
            assert_eq!(fields["issuetype"]["name"], "Task");
            assert_eq!(fields["description"]["type"], "doc", "ADF description");
        }
        assert!(
            links.iter().any(|l| l["target"]
                .as_str()
                .is_some_and(|t| t.starts_with("DEMO-4 split to "))),
            "{label}: {links:?}"
        );
        assert!(
            links
                .iter()
                .any(|l| l["target"].as_str().is_some_and(|t| t.contains(" blocks ")))
        );

        // The exact prompts and the usage.
        assert!(
            body["system_prompt"]
                .as_str()
                .is_some_and(|p| !p.is_empty())
        );
        assert!(
            body["user_prompt"]
                .as_str()
                .is_some_and(|p| p.contains("Guest checkout")),
            "{label}"
        );
        assert_eq!(body["usage"]["provider"], "offline");
        assert!(body["execution_time_seconds"].as_f64().is_some());
        app.stop().await;
    }
}

#[tokio::test]
async fn team_based_generation_reports_the_team_separation() {
    for app in TestApp::all().await {
        let label = app.label();
        let (status, body) = json_of(
            app.post(
                "/plan/tasks/team-based",
                &json!({"story_keys": ["DEMO-5"], "epic_key": "DEMO-1", "generate_test_cases": true,
                        "repos": ["https://bitbucket.org/acme/shop", {"url": "git@github.com:acme/shop.git", "branch": "main"}]}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{label}: {body}");
        let separation = &body["summary_stats"]["team_separation"];
        let count = |team: &str| tasks(&body).iter().filter(|t| t["team"] == team).count() as u64;
        assert_eq!(
            separation["backend_tasks"].as_u64(),
            Some(count("backend")),
            "{label}: {body}"
        );
        assert_eq!(
            separation["frontend_tasks"].as_u64(),
            Some(count("frontend"))
        );
        assert_eq!(separation["qa_tasks"].as_u64(), Some(count("qa")));
        assert!(count("qa") >= 1);
        assert!(
            body["warnings"]
                .as_array()
                .is_some_and(|w| w.iter().any(|w| w
                    .as_str()
                    .is_some_and(|w| w.contains("repos were accepted but are not used yet")))),
            "{label}: {body}"
        );
        assert!(
            tasks(&body)
                .iter()
                .any(|t| !t["test_cases"].as_array().is_some_and(Vec::is_empty))
        );
        assert!(app.sandbox().write_log().is_empty());
        app.stop().await;
    }
}

#[tokio::test]
async fn writing_creates_the_tasks_and_their_links_in_the_right_direction_exactly_once() {
    for app in TestApp::all().await {
        let label = app.label();
        let (status, accepted) = json_of(
            app.post(
                "/plan/tasks/generate",
                &json!({"story_keys": ["DEMO-4"], "dry_run": false, "async_mode": true}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{label}: {accepted}");
        assert_eq!(accepted["status"], "started");
        assert_eq!(accepted["update_jira"], true);
        assert_eq!(accepted["max_results"], 1);
        let job_id = accepted["job_id"].as_str().expect("a job id").to_owned();
        app.drain().await;
        let (_, job) = json_of(app.get(&format!("/jobs/{job_id}")).await).await;
        assert_eq!(job["status"], "completed", "{label}: {job}");
        assert_eq!(job["job_type"], "task_generation");
        assert_eq!(job["story_keys"], json!(["DEMO-4"]));
        let body = job["results"].clone();
        assert_eq!(body["success"], true, "{label}: {body}");
        assert_eq!(body["usage"]["provider"], "offline");
        let tasks = tasks(&body);
        let key_of = |task_id: &Value| {
            tasks
                .iter()
                .find(|t| &t["task_id"] == task_id)
                .and_then(|t| t["jira_key"].as_str())
                .map(str::to_owned)
                .expect("every task was created")
        };
        let story = issue(&app, "DEMO-4").await;
        for task in &tasks {
            let key = key_of(&task["task_id"]);
            let created = issue(&app, &key).await;
            assert_eq!(
                created.summary(),
                task["summary"].as_str().unwrap_or_default()
            );
            assert_eq!(
                created.parent_key(),
                Some("DEMO-1"),
                "{label}: under the epic"
            );
            assert_eq!(created.issue_type_name(), Some("Task"));
            // "DEMO-4 split to TASK": the task is split from the story.
            assert!(
                links_outward(&story, "Work item split", &key),
                "{label}: {key}"
            );
            for prerequisite in task["depends_on_tasks"]
                .as_array()
                .cloned()
                .unwrap_or_default()
            {
                let blocker = issue(&app, &key_of(&prerequisite)).await;
                assert!(
                    links_outward(&blocker, "Blocks", &key),
                    "{label}: {} should block {key}",
                    blocker.key
                );
                assert!(
                    !links_outward(&created, "Blocks", &blocker.key),
                    "{label}: reversed"
                );
            }
        }
        let dependencies: usize = tasks
            .iter()
            .map(|t| t["depends_on_tasks"].as_array().map_or(0, Vec::len))
            .sum();
        assert_eq!(
            body["relationships_created"].as_array().map(Vec::len),
            Some(tasks.len() + dependencies)
        );
        let written = app.sandbox().write_log().successful().len();
        assert_eq!(
            written,
            2 * tasks.len() + dependencies,
            "{label}: one write each"
        );

        // The same job run again (a retry after a crash): nothing is written twice.
        let payload = TaskGeneration {
            story_keys: vec!["DEMO-4".into()],
            epic_key: None,
            dry_run: false,
            split_oversized_tasks: true,
            max_task_cycle_days: 3.0,
            max_tasks_per_story: 10,
            llm_provider: None,
            llm_model: None,
            additional_context: None,
            generate_test_cases: false,
            team_separation: false,
            repos: Vec::new(),
        };
        let again = features::plan_tasks::generate_tasks(
            &app.app.env,
            &features::writes::WriteScope::unfenced(job_id.as_str()),
            &payload,
            llm::CancellationToken::new(),
        )
        .await
        .expect("the re-run succeeds");
        assert_eq!(
            app.sandbox().write_log().successful().len(),
            written,
            "{label}: duplicates"
        );
        assert!(
            again.writes.iter().all(|w| w.status == "already_written"),
            "{label}"
        );
        let again_keys: Vec<Option<String>> = again
            .task_details
            .iter()
            .map(|t| t.jira_key.clone())
            .collect();
        let first_keys: Vec<Option<String>> = tasks
            .iter()
            .map(|t| t["jira_key"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(again_keys, first_keys);
        app.stop().await;
    }
}

#[tokio::test]
async fn task_creation_previews_by_default_and_creates_under_the_story_epic() {
    for app in TestApp::all().await {
        let label = app.label();
        let (status, preview) = json_of(
            app.post("/plan/tasks/create", &json!({"story_keys": ["DEMO-6"]}))
                .await,
        )
        .await;
        assert_eq!(status, 200, "{label}: {preview}");
        assert!(preview["creation_results"].is_null());
        assert_eq!(preview["story_keys"], json!(["DEMO-6"]));
        assert!(app.sandbox().write_log().is_empty());

        let (status, body) = json_of(
            app.post(
                "/plan/tasks/create",
                &json!({"story_keys": ["DEMO-6"], "tasks_per_story": 3, "create_tickets": true}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{label}: {body}");
        assert_eq!(body["success"], true, "{label}: {body}");
        assert_eq!(body["planning_results"]["epic_key"], "DEMO-1");
        let created = body["creation_results"]["created_tasks"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(!created.is_empty());
        for key in &created {
            let task = issue(&app, key.as_str().unwrap_or_default()).await;
            assert_eq!(task.parent_key(), Some("DEMO-1"), "{label}");
        }
        assert!(!body.to_string().contains("-DERIVED"));

        let (status, accepted) = json_of(
            app.post(
                "/plan/tasks/create",
                &json!({"story_keys": ["DEMO-7"], "async_mode": true}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{label}: {accepted}");
        let fields: Vec<&String> = accepted
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        assert_eq!(
            fields,
            ["job_id", "message", "status", "status_url", "story_keys"]
        );
        app.drain().await;
        let (_, job) = json_of(
            app.get(accepted["status_url"].as_str().unwrap_or_default())
                .await,
        )
        .await;
        assert_eq!(job["job_type"], "task_creation");
        assert_eq!(job["status"], "completed", "{label}: {job}");
        app.stop().await;
    }
}

/// The story tasks a model answers with: the API waits for the UI that waits for the API, and
/// the UI task is far over the cycle-time limit.
fn cyclic_answer() -> Value {
    let task = |id: &str, team: &str, summary: &str, deps: &[&str], days: f64| {
        json!({
            "id": id, "team": team, "summary": summary,
            "purpose": "Why it matters.",
            "scopes": ["First scope", "Second scope", "Third scope"],
            "expected_outcome": ["It works."],
            "depends_on_tasks": deps, "blocked_by_teams": [],
            "estimate": {"development_days": days - 1.0, "testing_days": 0.5, "review_days": 0.25,
                         "deployment_days": 0.25, "total_days": days, "confidence": 0.7},
            "test_cases": []
        })
    };
    json!({
        "story_type": "user_workflow",
        "tasks": [
            task("T1", "backend", "Guest checkout API", &["T2"], 2.0),
            task("T2", "frontend", "Guest checkout page", &["T1"], 7.0),
            task("T3", "qa", "Test guest checkout", &["T1", "T2"], 1.5),
        ],
        "total_estimate_days": 10.5
    })
}

#[tokio::test]
async fn a_dependency_cycle_from_the_model_is_repaired_and_oversized_tasks_split() {
    for db in TestDatabase::all().await.expect("test databases") {
        let emulator = llm_emulator::spawn(llm_emulator::EmulatorState::new())
            .await
            .expect("the emulator starts");
        let url = emulator.openai_url();
        let app = TestApp::with(db, |settings| {
            settings.llm.provider = Some("openai".into());
            settings.llm.openai_api_key = Some(config::Secret::new("sk-test".to_owned()));
            settings.llm.openai_base_url = Some(url);
        })
        .await;
        let label = app.label();
        emulator
            .state
            .push(llm_emulator::Scripted::Json(cyclic_answer()));
        let (status, body) = json_of(
            app.post(
                "/plan/tasks/generate",
                &json!({"story_keys": ["DEMO-4"], "dry_run": false}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{label}: {body}");
        assert_eq!(body["usage"]["provider"], "openai", "{label}: {body}");
        let warnings = body["warnings"].to_string();
        assert!(warnings.contains("cycle repaired"), "{label}: {warnings}");
        assert!(
            warnings.contains("split into 3 parts"),
            "{label}: {warnings}"
        );
        let tasks = tasks(&body);
        let summaries: Vec<&str> = tasks.iter().filter_map(|t| t["summary"].as_str()).collect();
        assert_eq!(
            summaries,
            [
                "[BE] Guest checkout API",
                "[FE] Guest checkout page - Part 1/3",
                "[FE] Guest checkout page - Part 2/3",
                "[FE] Guest checkout page - Part 3/3",
                "[QA] Test guest checkout",
            ],
            "{label}"
        );
        // Every task only waits for tasks before it: no cycle reaches Jira.
        for (index, task) in tasks.iter().enumerate() {
            for dep in task["depends_on_tasks"]
                .as_array()
                .cloned()
                .unwrap_or_default()
            {
                let at = tasks
                    .iter()
                    .position(|t| t["task_id"] == dep)
                    .expect("known task");
                assert!(at < index, "{label}: {task}");
            }
        }
        assert!(
            tasks
                .iter()
                .all(|t| t["estimated_days"].as_f64().is_some_and(|d| d <= 3.0))
        );
        assert_eq!(body["success"], true, "{label}: {body}");
        // The repaired back edge (API waits for the page) was never written.
        let api = tasks[0]["jira_key"].as_str().expect("created").to_owned();
        for task in &tasks[1..4] {
            let part = issue(&app, task["jira_key"].as_str().unwrap_or_default()).await;
            assert!(
                !links_outward(&part, "Blocks", &api),
                "{label}: the cycle was written"
            );
        }
        app.stop().await;
    }
}

#[tokio::test]
async fn bad_requests_get_404_400_409_and_422() {
    for app in TestApp::all().await {
        let label = app.label();
        let (status, body) = json_of(
            app.post("/plan/tasks/generate", &json!({"story_keys": ["DEMO-999"]}))
                .await,
        )
        .await;
        assert_eq!(status, 404, "{label}: {body}");
        assert!(
            body["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("Story ticket DEMO-999 not found in JIRA")),
            "{label}: {body}"
        );

        let orphan = app
            .app
            .env
            .jira
            .create_issue(&NewIssue::new("DEMO", "Story", "Story without an epic"))
            .await
            .expect("created");
        app.sandbox().write_log().clear();
        let (status, body) = json_of(
            app.post("/plan/tasks/generate", &json!({"story_keys": [orphan.key]}))
                .await,
        )
        .await;
        assert_eq!(status, 400, "{label}: {body}");
        assert!(
            body["detail"].as_str().is_some_and(|d| d.starts_with(
                "Story has no parent epic in JIRA. Provide epic_key (or parent_key) explicitly."
            )),
            "{label}: {body}"
        );
        // An explicit epic makes the same story plannable.
        let (status, _) = json_of(
            app.post(
                "/plan/tasks/generate",
                &json!({"story_keys": [orphan.key], "parent_key": "DEMO-3"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{label}");
        let (status, body) = json_of(
            app.post("/plan/tasks/create", &json!({"story_keys": [orphan.key]}))
                .await,
        )
        .await;
        assert_eq!(status, 400, "{label}: {body}");

        for (request, field) in [
            (json!({"story_keys": []}), "story_keys"),
            (json!({"story_keys": ["not a key"]}), "story_keys"),
            (
                json!({"story_keys": ["DEMO-4"], "max_task_cycle_days": 12}),
                "max_task_cycle_days",
            ),
            (
                json!({"story_keys": ["DEMO-4"], "max_task_cycle_days": 0.1}),
                "max_task_cycle_days",
            ),
            (
                json!({"story_keys": ["DEMO-4"], "llm_provider": "nope"}),
                "llm_provider",
            ),
            (
                json!({"story_keys": ["DEMO-4"], "repos": ["ftp://example.com/x"]}),
                "repos",
            ),
            (
                json!({"story_keys": ["DEMO-4"], "colour": "blue"}),
                "colour",
            ),
        ] {
            let (status, body) = json_of(app.post("/plan/tasks/generate", &request).await).await;
            assert_eq!(status, 422, "{label}: {request} -> {body}");
            assert!(
                body["detail"].to_string().contains(field),
                "{label}: {body}"
            );
        }
        let (status, body) = json_of(
            app.post(
                "/plan/tasks/create",
                &json!({"story_keys": ["DEMO-4"], "tasks_per_story": 0}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 422, "{label}: {body}");

        // A story held by an active job.
        let (status, queued) = json_of(
            app.post(
                "/plan/tasks/generate",
                &json!({"story_keys": ["DEMO-5"], "async_mode": true}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{label}: {queued}");
        let response = app
            .post(
                "/plan/tasks/team-based",
                &json!({"story_keys": ["DEMO-4", "DEMO-5"]}),
            )
            .await;
        assert_eq!(response.status().as_u16(), 409, "{label}");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        assert_eq!(header("x-duplicate-stories").as_deref(), Some("DEMO-5"));
        assert_eq!(
            header("x-active-job-id"),
            queued["job_id"].as_str().map(str::to_owned)
        );
        let response = app
            .post(
                "/plan/tasks/create",
                &json!({"story_keys": ["DEMO-5"], "async_mode": true}),
            )
            .await;
        assert_eq!(response.status().as_u16(), 409, "{label}");
        app.drain().await;

        let (status, body) = json_of(app.get("/plan/estimate/DEMO-999").await).await;
        assert_eq!(status, 404, "{label}: {body}");
        assert!(
            body["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("Ticket DEMO-999 not found"))
        );
        let (status, _) = json_of(app.get("/plan/estimate/nonsense").await).await;
        assert_eq!(status, 422, "{label}");
        assert!(
            app.sandbox().write_log().is_empty(),
            "{label}: only previews ran"
        );
        app.stop().await;
    }
}

#[tokio::test]
async fn the_estimate_reads_criteria_and_subtasks() {
    for app in TestApp::all().await {
        let label = app.label();
        let (status, body) = json_of(app.get("/plan/estimate/DEMO-5").await).await;
        assert_eq!(status, 200, "{label}: {body}");
        assert_eq!(body["ticket_key"], "DEMO-5");
        let part = |name: &str| body[name].as_f64().unwrap_or(-1.0);
        let sum = part("development_days")
            + part("testing_days")
            + part("review_days")
            + part("deployment_days");
        assert!((sum - part("total_days")).abs() < 0.011, "{label}: {body}");
        assert_eq!(body["exceeds_limit"], part("total_days") > 3.0);
        let basis = body["basis"].to_string();
        assert!(basis.contains("3 acceptance criteria"), "{label}: {basis}");
        assert!(basis.contains("3 sub-tasks"), "{label}: {basis}");
        if body["exceeds_limit"] == true {
            assert!(
                body["split_recommendations"]
                    .to_string()
                    .contains("Country list"),
                "{body}"
            );
        }

        // An empty story: small, with low confidence.
        let (status, empty) = json_of(app.get("/plan/estimate/DEMO-7").await).await;
        assert_eq!(status, 200, "{label}: {empty}");
        assert!(empty["confidence_level"].as_f64() < body["confidence_level"].as_f64());
        assert!(empty["total_days"].as_f64() < body["total_days"].as_f64());
        assert!(app.sandbox().write_log().is_empty());
        app.stop().await;
    }
}
