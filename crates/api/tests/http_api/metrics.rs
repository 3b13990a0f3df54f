//! `GET /metrics`: request counters by route template and the queue gauges.

use api::ApiSettings;

use crate::support::{TestApp, databases, enqueue_single};

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_report_the_queue() {
    for fixture in databases().await {
        let app = TestApp::spawn(fixture, ApiSettings::default()).await;
        let job = enqueue_single(app.db(), "PROJ-40").await;
        assert_eq!(app.get(&format!("/jobs/{}", job.id)).await.status(), 200);
        assert_eq!(app.get("/jobs").await.status(), 200);
        assert_eq!(app.get("/no/such/path").await.status(), 404);

        let response = app.get("/metrics").await;
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        let text = response.text().await.unwrap();
        assert!(
            text.lines()
                .any(|line| line.starts_with("http_requests_total{")
                    && line.contains("path=\"/jobs/{job_id}\"")
                    && line.contains("status=\"200\"")
                    && line.contains("method=\"GET\"")),
            "{text}"
        );
        assert!(text.contains("path=\"unmatched\""), "{text}");
        assert!(
            !text.contains(&job.id.to_string()),
            "ids must not become labels"
        );
        assert!(
            text.contains("http_request_duration_seconds_bucket"),
            "{text}"
        );
        assert!(
            text.lines()
                .any(|line| line == "planwright_job_queue_depth 1"),
            "{text}"
        );
        assert!(
            text.lines().any(|line| line == "planwright_live_workers 0"),
            "{text}"
        );
        app.finish().await;
    }
}

#[tokio::test]
async fn unknown_methods_and_raw_paths_never_become_labels() {
    let fixture = databases().await.remove(0);
    let app = TestApp::spawn(fixture, ApiSettings::default()).await;
    for index in 0..5 {
        let method = reqwest::Method::from_bytes(format!("FOO{index}").as_bytes()).unwrap();
        for path in ["/jobs", &format!("/probe-{index}")] {
            let response = app
                .client
                .request(method.clone(), app.url(path))
                .send()
                .await
                .expect("request");
            assert!(response.status().is_client_error(), "{path}");
        }
    }
    assert_eq!(app.get("/probe-raw-path").await.status(), 404);

    let text = app.get("/metrics").await.text().await.unwrap();
    let series: Vec<&str> = text
        .lines()
        .filter(|line| line.starts_with("http_requests_total{"))
        .collect();
    assert!(
        series
            .iter()
            .any(|line| line.contains("method=\"other\"") && line.contains("path=\"/jobs\"")),
        "{text}"
    );
    assert!(
        !text.contains("FOO"),
        "raw methods must not be labels: {text}"
    );
    assert!(
        !text.contains("probe-"),
        "raw paths must not be labels: {text}"
    );
    // FOO0..FOO4 on two paths collapse to (other, /jobs) and (other, unmatched).
    assert_eq!(
        series
            .iter()
            .filter(|line| line.contains("method=\"other\""))
            .count(),
        2,
        "{text}"
    );
    app.finish().await;
}
