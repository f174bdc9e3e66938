//! What arrived on the wire: IDs with reserved and non-ASCII characters
//! reach the server as ONE percent-encoded path segment, and the log shows
//! both the raw segment and its decoded value.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use arize_fake_server::Operation;
use common::{Api, assert_problem};

/// Percent-encodes everything but RFC 3986 unreserved characters, as a
/// client must for a path segment.
fn encode_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn awkward_ids_arrive_as_one_segment() {
    let api = Api::start().await;
    let ids = [
        "a/b",
        "../../v2/role-bindings",
        "what?resource_type=SPACE",
        "frag#ment",
        "100%",
        "with space",
        "Ünïcödé-ß-漢字",
        "a+b=",
        "Um9sZUJpbmRpbmc6MTphQmNE/../x",
    ];
    for (i, id) in ids.iter().enumerate() {
        let segment = encode_segment(id);
        let response = api.get(&format!("/v2/role-bindings/{segment}")).await;
        // Unknown binding: 404 from the get handler, not another route.
        assert_problem(response, 404).await;
        let record = api.server.requests().pop().unwrap();
        assert_eq!(record.index, i);
        assert_eq!(record.operation, Some(Operation::Get), "{id}");
        assert_eq!(record.raw_path, format!("/v2/role-bindings/{segment}"));
        assert_eq!(record.raw_binding_id.as_deref(), Some(segment.as_str()));
        assert_eq!(record.binding_id.as_deref(), Some(*id));
        assert_eq!(record.raw_query, None);
    }
    // The same for update and delete.
    let role = api.server.roles()[0].clone();
    let segment = encode_segment("a/b?c#d");
    let response = api
        .req(
            reqwest::Method::PATCH,
            &format!("/v2/role-bindings/{segment}"),
        )
        .json(&serde_json::json!({"role_id": role}))
        .send()
        .await
        .unwrap();
    assert_problem(response, 404).await;
    let response = api
        .req(
            reqwest::Method::DELETE,
            &format!("/v2/role-bindings/{segment}"),
        )
        .send()
        .await
        .unwrap();
    assert_problem(response, 404).await;
    let log = api.server.requests();
    let n = log.len();
    assert_eq!(log[n - 2].operation, Some(Operation::Update));
    assert_eq!(log[n - 1].operation, Some(Operation::Delete));
    assert_eq!(log[n - 1].binding_id.as_deref(), Some("a/b?c#d"));
}

#[tokio::test]
async fn an_unencoded_slash_is_another_route() {
    let api = Api::start().await;
    assert_problem(api.get("/v2/role-bindings/a/b").await, 404).await;
    let record = api.server.requests().pop().unwrap();
    assert_eq!(record.operation, None);
    assert_eq!(record.binding_id, None);
}

#[tokio::test]
async fn a_real_binding_is_found_through_its_encoded_id() {
    let api = Api::start().await;
    let s = &api.server;
    let b = api
        .create(&s.users()[0], &s.roles()[0], "SPACE", &s.spaces()[0])
        .await;
    let id = b["id"].as_str().unwrap();
    // Padding '=' may be sent encoded or not: both decode to the same ID.
    let response = api
        .get(&format!("/v2/role-bindings/{}", encode_segment(id)))
        .await;
    assert_eq!(response.status(), 200);
    let response = api.get(&format!("/v2/role-bindings/{id}")).await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_segment_that_is_not_utf8_is_400() {
    let api = Api::start().await;
    assert_problem(api.get("/v2/role-bindings/%FF%FE").await, 400).await;
    let record = api.server.requests().pop().unwrap();
    assert_eq!(record.raw_binding_id.as_deref(), Some("%FF%FE"));
    assert_eq!(record.binding_id, None);
}

#[tokio::test]
async fn the_raw_query_and_headers_are_logged() {
    let api = Api::start().await;
    let user = api.server.users()[0].clone();
    let response = api
        .req(reqwest::Method::GET, "/v2/role-bindings")
        .query(&[
            ("resource_type", "SPACE"),
            ("user_id", user.as_str()),
            ("limit", "5"),
        ])
        .header("sdk-language", "rust")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let record = api.server.requests().pop().unwrap();
    let query = record.raw_query.clone().unwrap();
    assert!(query.starts_with("resource_type=SPACE&user_id="), "{query}");
    assert!(query.ends_with("&limit=5"));
    assert_eq!(record.header("SDK-Language"), Some("rust"));
    assert_eq!(record.method, "GET");
}
