//! Helpers shared by the fake server's tests: a raw reqwest client and
//! problem assertions. Deliberately not the facade: these tests look at the
//! wire.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use arize_fake_server::{FakeServer, Seed};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

pub const KEY: &str = "test-key";

pub struct Api {
    pub server: FakeServer,
    pub http: reqwest::Client,
}

impl Api {
    pub async fn start() -> Self {
        Self::with_seed(Seed::default()).await
    }

    pub async fn with_seed(seed: Seed) -> Self {
        let server = FakeServer::builder()
            .api_key(KEY)
            .seed(seed)
            .start()
            .await
            .expect("fake server starts");
        Self::over(server)
    }

    pub fn over(server: FakeServer) -> Self {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .unwrap();
        Self { server, http }
    }

    pub fn url(&self, path_and_query: &str) -> String {
        format!("{}{}", self.server.base_url(), path_and_query)
    }

    /// A request with the right key.
    pub fn req(&self, method: Method, path_and_query: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path_and_query))
            .bearer_auth(KEY)
    }

    pub async fn get(&self, path_and_query: &str) -> Response {
        self.req(Method::GET, path_and_query).send().await.unwrap()
    }

    pub async fn post_json(&self, body: &Value) -> Response {
        self.req(Method::POST, "/v2/role-bindings")
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn patch_json(&self, id: &str, body: &Value) -> Response {
        self.req(Method::PATCH, &format!("/v2/role-bindings/{id}"))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, id: &str) -> Response {
        self.req(Method::DELETE, &format!("/v2/role-bindings/{id}"))
            .send()
            .await
            .unwrap()
    }

    /// Creates a binding over HTTP and returns its JSON (asserts 201).
    pub async fn create(&self, user: &str, role: &str, rt: &str, resource: &str) -> Value {
        let response = self.post_json(&create_body(user, role, rt, resource)).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.unwrap()
    }

    /// Lists one page (asserts 200) and returns the JSON.
    pub async fn list(&self, query: &str) -> Value {
        let response = self.get(&format!("/v2/role-bindings?{query}")).await;
        assert_eq!(response.status(), StatusCode::OK, "list {query}");
        response.json().await.unwrap()
    }

    /// Walks every page of a listing and returns the binding IDs in order.
    pub async fn walk(&self, query: &str, limit: u32) -> Vec<String> {
        let mut ids = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..10_000 {
            let mut q = format!("{query}&limit={limit}");
            if let Some(c) = &cursor {
                q.push_str(&format!("&cursor={c}"));
            }
            let page = self.list(&q).await;
            ids.extend(binding_ids(&page));
            if page["pagination"]["has_more"] == json!(true) {
                cursor = Some(
                    page["pagination"]["next_cursor"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                );
            } else {
                assert!(page["pagination"].get("next_cursor").is_none());
                return ids;
            }
        }
        panic!("walk did not end");
    }
}

pub fn binding_ids(page: &Value) -> Vec<String> {
    page["role_bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_owned())
        .collect()
}

pub fn create_body(user: &str, role: &str, rt: &str, resource: &str) -> Value {
    json!({"user_id": user, "role_id": role, "resource_type": rt, "resource_id": resource})
}

/// Asserts a problem answer: status, `application/problem+json`, and a body
/// with `type` (Arize's URI for the status), `title`, `status` and
/// `detail`. Returns the body.
pub async fn assert_problem(response: Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], json!(status));
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(body["detail"].as_str().is_some_and(|t| !t.is_empty()));
    let slug = match status {
        400 => "invalid-request",
        401 => "authentication-required",
        403 => "access-forbidden",
        404 => "resource-not-found",
        409 => "resource-conflict",
        422 => "unprocessable-entity",
        429 => "rate-limit-exceeded",
        503 => "service-unavailable",
        _ => "",
    };
    if !slug.is_empty() {
        assert_eq!(
            body["type"],
            json!(format!(
                "https://arize.com/docs/ax/rest-reference/errors#{slug}"
            ))
        );
    }
    // The problem decodes as the generated type.
    let _: arize_api::types::Problem = serde_json::from_value(body.clone()).unwrap();
    body
}

/// The detail of a problem, for error messages in assertions.
pub fn detail(problem: &Value) -> &str {
    problem["detail"].as_str().unwrap_or_default()
}
