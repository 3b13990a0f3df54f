//! Shared test plumbing: a started sandbox plus an HTTP client that authenticates as the
//! default user.

#![allow(dead_code)]

use reqwest::{Client, Method, RequestBuilder};
use sandbox::{Sandbox, SandboxHandle, Seed};
use secrecy::ExposeSecret;
use serde_json::Value;

pub struct TestSandbox {
    pub handle: SandboxHandle,
    pub client: Client,
}

pub async fn start(seed: Seed) -> TestSandbox {
    let handle = Sandbox::builder()
        .seed(seed)
        .start()
        .await
        .expect("sandbox starts");
    TestSandbox {
        handle,
        client: Client::new(),
    }
}

impl TestSandbox {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.handle.base_url(), path)
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let account = self.handle.credentials().default_account();
        self.client
            .request(method, self.url(path))
            .header("authorization", account.basic_header().expose_secret())
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        send(self.request(Method::GET, path)).await
    }

    pub async fn send_json(&self, method: Method, path: &str, body: Value) -> (u16, Value) {
        send(self.request(method, path).json(&body)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send_json(Method::POST, path, body).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.send_json(Method::PUT, path, body).await
    }
}

pub async fn send(request: RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("request reaches the sandbox");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body is readable");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}
