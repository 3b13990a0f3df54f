//! [`TestApp`]: the whole application in one test process: a fresh database (SQLite, or
//! PostgreSQL through [`TestApp::all`]), the sandbox as Jira, Confluence and model provider, the
//! HTTP API on a loopback port, and no worker pool: tests run queued jobs with
//! [`TestApp::drain`], which fails when jobs are left over.

use std::net::SocketAddr;

use config::Settings;
use sandbox::SandboxHandle;
use store::TestDatabase;
use tokio::task::JoinHandle;

use crate::{AppOptions, Application};

/// A running application for one test.
pub struct TestApp {
    pub app: Application,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    pub http: reqwest::Client,
    db: Option<TestDatabase>,
    server: JoinHandle<()>,
}

impl TestApp {
    /// The application on a fresh SQLite database with default settings (offline generator,
    /// sandbox as Jira).
    pub async fn full() -> Self {
        Self::with(
            TestDatabase::sqlite()
                .await
                .expect("a SQLite test database"),
            |_| {},
        )
        .await
    }

    /// One application per test database: SQLite, and PostgreSQL when
    /// `PLANWRIGHT_TEST_POSTGRES_URL` is set.
    pub async fn all() -> Vec<Self> {
        let mut apps = Vec::new();
        for db in TestDatabase::all().await.expect("test databases") {
            apps.push(Self::with(db, |_| {}).await);
        }
        apps
    }

    /// The application on `db`, with `configure` applied to the default settings.
    pub async fn with(db: TestDatabase, configure: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = Settings::default();
        settings.database.url = config::Secret::new(db.url());
        settings.server.request_timeout_secs = 60;
        configure(&mut settings);
        let llm = llm::LlmService::from_settings(crate::wiring::llm_settings(&settings))
            .expect("language-model settings");
        let options = AppOptions {
            force_sandbox: settings.jira.server_url.is_none(),
            no_worker: true,
            worker_concurrency: None,
        };
        let app = Application::build_with_database(settings, llm, options, db.db().clone())
            .await
            .expect("the application starts");
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("a loopback port");
        let base_url = format!("http://{}", listener.local_addr().expect("bound"));
        let router = app.router();
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.ok();
        });
        Self {
            app,
            base_url,
            http: reqwest::Client::new(),
            db: Some(db),
            server,
        }
    }

    /// The in-process sandbox (Jira, Confluence and the model providers' emulator).
    pub fn sandbox(&self) -> &SandboxHandle {
        self.app
            .sandbox()
            .expect("TestApp runs against the sandbox")
    }

    /// `sqlite` or `postgres`, for assertion messages.
    pub fn label(&self) -> &'static str {
        self.app.db.backend().as_str()
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base_url))
            .json(body)
            .send()
            .await
            .expect("the request reaches the app")
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base_url))
            .send()
            .await
            .expect("the request reaches the app")
    }

    /// Runs every queued job to its end; panics if any is left over.
    pub async fn drain(&self) -> jobs::DrainReport {
        let report = jobs::drain(&self.app.db, &self.app.registry)
            .await
            .expect("the queue drains");
        assert!(report.is_clean(), "jobs left over: {:?}", report.leftovers);
        report
    }

    /// Stops the application as a crashed or restarted process would leave it (its database
    /// kept) and starts a new one on the same database and settings: a fresh sandbox, a fresh
    /// process state, the durable state (jobs, chat checkpoints) as it was.
    pub async fn restart(mut self) -> Self {
        self.server.abort();
        let db = self.db.take().expect("the test database");
        let settings = self.app.settings.clone();
        let Self { app, .. } = self;
        app.shutdown(std::time::Duration::from_secs(1)).await;
        let db = TestDatabase::reopen(db).await;
        Self::with(db, move |fresh| *fresh = settings).await
    }

    /// Stops the server and the application and drops the database.
    pub async fn stop(mut self) {
        self.server.abort();
        let db = self.db.take();
        self.app.shutdown(std::time::Duration::from_secs(1)).await;
        if let Some(db) = db {
            db.cleanup().await;
        }
    }
}
