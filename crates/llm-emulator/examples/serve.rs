//! Serves the emulator standalone, for trying SDKs or the service against it by hand:
//! `cargo run -p llm-emulator --example serve -- 127.0.0.1:8089`, then point an SDK at
//! `http://127.0.0.1:8089/openai/v1`, `…/anthropic` (the Anthropic SDK adds `/v1`) or
//! `…/gemini` (the Gemini SDK adds `/v1beta`).

use llm_emulator::{EmulatorState, router};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8089".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!(
        "LLM emulator listening on http://{}",
        listener.local_addr()?
    );
    axum::serve(listener, router(EmulatorState::new())).await
}
