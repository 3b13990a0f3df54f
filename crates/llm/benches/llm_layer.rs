//! Benchmarks of the language-model layer, printed as a markdown table:
//! * the layer's own overhead per call (prompt render, schema validation, parse) <= 1 ms;
//! * 200 concurrent calls against the emulator at 200 ms latency with a concurrency limit of 64
//!   finish within 1.1 x the ideal ceil(200/64) x 200 ms = 800 ms;
//! * the offline provider answers any task in <= 5 ms.
//!
//! Run with `cargo bench -p llm --bench llm_layer`.

use std::time::{Duration, Instant};

use generation::TaskKind;
use llm::structured::SchemaValidator;
use llm::{
    CancellationToken, GenerationRequest, LlmService, LlmSettings, ModelCatalog, PromptLibrary,
};
use llm_emulator::{EmulatorState, Scripted};
use secrecy::SecretString;
use serde_json::{Value, json};

fn inputs() -> Vec<(TaskKind, Value)> {
    let documents = json!([{"kind": "prd", "title": "Account recovery PRD", "content":
        "Users must be able to reset their password by email. Links expire after one hour. \
         Rate-limit reset requests per account. Audit every reset."}]);
    vec![
        (
            TaskKind::TicketDescription,
            json!({"ticket_key": "PROJ-123", "summary": "Add password reset via emailed link",
                   "issue_type": "story", "documents": documents}),
        ),
        (
            TaskKind::EpicStories,
            json!({"summary": "Self-service account recovery", "documents": documents}),
        ),
        (
            TaskKind::StoryTasks,
            json!({"summary": "Reset password via emailed link", "include_test_cases": true,
                   "acceptance_criteria": ["Given a registered email, when I request a reset, then I receive a link"],
                   "documents": documents}),
        ),
        (
            TaskKind::TestCases,
            json!({"summary": "Reset password via emailed link", "target": "story",
                   "acceptance_criteria": ["Links expire after one hour"]}),
        ),
        (
            TaskKind::DraftPrPlan,
            json!({"summary": "Add a password reset endpoint", "scope": {"files": ["src/auth/"]},
                   "repo_files": ["src/auth/reset.rs", "src/auth/mod.rs"]}),
        ),
    ]
}

fn request(
    service: &LlmService,
    provider: &str,
    task: TaskKind,
    input: Value,
) -> GenerationRequest {
    GenerationRequest {
        task,
        input,
        model: service
            .resolve(Some(provider), None)
            .expect("model resolves"),
        additional_context: Some("Keep the audit log requirements in mind. ".repeat(20)),
        cancel: CancellationToken::new(),
    }
}

fn mean(total: Duration, n: u32) -> Duration {
    total / n
}

/// Prompt render (with context budgeting) + schema validation + parse of a typical answer, for
/// the slowest task.
fn layer_overhead(service: &LlmService) -> Duration {
    const ROUNDS: u32 = 300;
    let mut worst = Duration::ZERO;
    for (task, input) in inputs() {
        let req = request(service, "openai", task, input.clone());
        let answer = generation::offline::generate(task, &input).expect("offline answers");
        let raw = format!("Here you go:\n```json\n{answer}\n```");
        let validator = SchemaValidator::new(&generation::output_schema(task)).unwrap();
        let started = Instant::now();
        for _ in 0..ROUNDS {
            let prepared = service.prepare(&req).expect("prompts render");
            std::hint::black_box(&prepared);
            let parsed = validator.parse(&raw).expect("the answer validates");
            std::hint::black_box(parsed);
        }
        worst = worst.max(mean(started.elapsed(), ROUNDS));
    }
    worst
}

fn offline_latency(service: &LlmService, runtime: &tokio::runtime::Runtime) -> Duration {
    const ROUNDS: u32 = 50;
    let mut worst = Duration::ZERO;
    for (task, input) in inputs() {
        let started = Instant::now();
        for _ in 0..ROUNDS {
            let generation = runtime
                .block_on(service.generate(request(service, "offline", task, input.clone())))
                .expect("offline answers");
            std::hint::black_box(generation);
        }
        worst = worst.max(mean(started.elapsed(), ROUNDS));
    }
    worst
}

fn concurrent_calls(runtime: &tokio::runtime::Runtime) -> Duration {
    runtime.block_on(async {
        let state = EmulatorState::new();
        state.set_latency(Duration::from_millis(200));
        let emulator = llm_emulator::spawn(state).await.expect("emulator starts");
        let mut settings = LlmSettings::default();
        settings.openai.api_key = Some(SecretString::from("bench"));
        settings.openai.base_url = Some(emulator.openai_url());
        settings.max_concurrency_per_provider = 64;
        let service = LlmService::new(
            settings,
            ModelCatalog::builtin().unwrap(),
            PromptLibrary::embedded().unwrap(),
        )
        .unwrap();
        let (task, input) = inputs().remove(0);
        // Canned answers, so the emulator's own answer generation does not count against the layer.
        let answer = generation::offline::generate(task, &input).expect("offline answers");
        for _ in 0..201 {
            emulator.state.push(Scripted::Json(answer.clone()));
        }
        // Warm the connection pool and the emulator once.
        service
            .generate(request(&service, "openai", task, input.clone()))
            .await
            .unwrap();
        let started = Instant::now();
        let calls =
            (0..200).map(|_| service.generate(request(&service, "openai", task, input.clone())));
        let results = futures::future::join_all(calls).await;
        let elapsed = started.elapsed();
        assert!(results.iter().all(Result::is_ok), "every call succeeds");
        assert!(emulator.state.max_in_flight() <= 64, "the limit holds");
        elapsed
    })
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut settings = LlmSettings::default();
    settings.openai.api_key = Some(SecretString::from("bench"));
    let service = LlmService::new(
        settings,
        ModelCatalog::builtin().unwrap(),
        PromptLibrary::embedded().unwrap(),
    )
    .unwrap();

    let overhead = layer_overhead(&service);
    let offline = offline_latency(&service, &runtime);
    let concurrent = concurrent_calls(&runtime);
    let ideal = Duration::from_millis(200) * 200u32.div_ceil(64);

    println!("| metric | target | measured |");
    println!("|---|---|---|");
    println!(
        "| layer overhead per call (render + validate + parse, slowest task) | <= 1 ms | {:.3} ms |",
        overhead.as_secs_f64() * 1e3
    );
    println!(
        "| 200 concurrent calls, 200 ms latency, limit 64 | <= {:.0} ms (1.1 x {} ms) | {:.0} ms ({:.3} x ideal) |",
        ideal.as_secs_f64() * 1.1e3,
        ideal.as_millis(),
        concurrent.as_secs_f64() * 1e3,
        concurrent.as_secs_f64() / ideal.as_secs_f64()
    );
    println!(
        "| offline provider, slowest task (prompts + generation) | <= 5 ms | {:.3} ms |",
        offline.as_secs_f64() * 1e3
    );
}
