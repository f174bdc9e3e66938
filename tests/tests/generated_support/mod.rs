//! Shared helpers for the generated-client tests
//! (`tests/tests/generated_*.rs`): the committed spec and its documented
//! examples, a client that sends the API key as the facade does, and the
//! check that a documented error status decodes into a typed `Problem`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::future::Future;
use std::sync::OnceLock;

use arize_api::types::{self, Id};
use arize_api::{Client, Error};
use chrono::{DateTime, Utc};
use httpmock::{Method, MockServer};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use serde_json::{Value, json};

pub const BEARER: &str = "Bearer ak-test-2f8e1c";
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The committed spec.
pub fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    })
}

/// The JSON pointer of `method path` in the spec.
pub fn operation_pointer(path: &str, method: &str) -> String {
    format!(
        "/paths/{}/{method}",
        path.replace('~', "~0").replace('/', "~1")
    )
}

/// The documented response object of `method path` for `status`, with a
/// `$ref` to `components/responses` followed.
pub fn response(path: &str, method: &str, status: u16) -> &'static Value {
    let pointer = format!("{}/responses/{status}", operation_pointer(path, method));
    let response = spec()
        .pointer(&pointer)
        .unwrap_or_else(|| panic!("the spec documents {pointer}"));
    match response.get("$ref").and_then(Value::as_str) {
        Some(target) => spec().pointer(target.trim_start_matches('#')).unwrap(),
        None => response,
    }
}

/// The documented example body of `method path` answering `status`.
pub fn example(path: &str, method: &str, status: u16, media_type: &str) -> String {
    response(path, method, status)["content"][media_type]["example"].to_string()
}

/// The documented error statuses (4xx/5xx) of `method path`, in order.
pub fn documented_errors(path: &str, method: &str) -> Vec<u16> {
    spec()
        .pointer(&format!("{}/responses", operation_pointer(path, method)))
        .unwrap()
        .as_object()
        .unwrap()
        .keys()
        .map(|status| status.parse().unwrap())
        .filter(|status| *status >= 400)
        .collect()
}

/// A client whose every request carries the API key, as the facade builds
/// it: a reqwest client with a default (sensitive) Authorization header.
pub fn client(server: &MockServer) -> Client {
    let mut auth = HeaderValue::from_static(BEARER);
    auth.set_sensitive(true);
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, auth);
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    Client::new_with_client(&server.base_url(), http)
}

pub fn id(value: &str) -> Id {
    Id(value.to_owned())
}

pub fn at(timestamp: &str) -> DateTime<Utc> {
    timestamp.parse().unwrap()
}

/// One documented error response to check: the operation (`name`, its
/// `method`, its `spec_path` and the `request_path` the call requests) and
/// the status.
#[derive(Debug)]
pub struct ErrorCase {
    pub name: &'static str,
    pub method: Method,
    pub spec_path: &'static str,
    pub request_path: String,
    pub status: u16,
}

/// Serves the documented problem of `case` as `application/problem+json`
/// (with `Retry-After: 7` on 429) and checks that `call` returns it as a
/// typed `Problem` in `Error::ErrorResponse`, every field as documented.
pub async fn assert_error_decodes_to_problem<F, Fut>(case: ErrorCase, call: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = Result<(), Error<types::Problem>>>,
{
    let ErrorCase {
        name,
        method,
        spec_path,
        request_path,
        status,
    } = case;
    let spec_method = method.to_string().to_ascii_lowercase();
    let documented: Value =
        serde_json::from_str(&example(spec_path, &spec_method, status, PROBLEM_JSON)).unwrap();
    assert_eq!(
        documented["status"], status,
        "the spec's example for {name} {status}"
    );
    // The documented example plus the optional `instance`, so every field
    // of Problem is exercised.
    let instance = format!("/errors/{name}-{status}");
    let mut body = documented.clone();
    body["instance"] = json!(instance);

    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(method)
                .path(request_path)
                .header("authorization", BEARER);
            let then = then
                .status(status)
                .header("content-type", PROBLEM_JSON)
                .body(body.to_string());
            if status == 429 {
                then.header("retry-after", "7");
            }
        })
        .await;

    let result = call(client(&server)).await;
    mock.assert_async().await;

    let response = match result {
        Err(Error::ErrorResponse(response)) => response,
        Err(other) => panic!("{name} {status}: expected Error::ErrorResponse, got {other:?}"),
        Ok(()) => panic!("{name} {status}: expected an error, got success"),
    };
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(response.headers()["content-type"], PROBLEM_JSON);
    if status == 429 {
        let retry_after: u64 = response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(retry_after, 7);
    }
    let text = |key: &str| documented[key].as_str().unwrap().to_owned();
    let problem: types::Problem = response.into_inner();
    assert_eq!(
        problem,
        types::Problem {
            type_: Some(text("type")),
            title: text("title"),
            status: i64::from(status),
            detail: Some(text("detail")),
            instance: Some(instance),
        }
    );
}
