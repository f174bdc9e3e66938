//! The API key never appears in `Debug`, `Display`, errors or captured
//! tracing output — not even when a server echoes it back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod facade_support;

use std::sync::Arc;
use std::time::Duration;

use arize_api::mock::MockServerExt as _;
use arize_role_bindings::{
    BetaWarning, Client, ClientBuilder, Error, ListQuery, ProjectId, Resource, ResourceType,
    RoleBindingId, RoleId, SpaceId, UserId,
};
use facade_support::*;
use futures::TryStreamExt as _;
use httpmock::MockServer;

fn assert_no_key(what: &str, text: &str) {
    assert!(!text.contains(KEY), "the key leaked into {what}: {text}");
    // Not even a recognisable part of it.
    assert!(
        !text.contains(&KEY[3..15]),
        "part of the key leaked into {what}: {text}"
    );
}

fn check_error(errors: &mut Vec<String>, err: &Error) {
    let mut text = format!("{err} | {err:?} | {err:#?}");
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!(" | {s} | {s:?}"));
        source = s.source();
    }
    assert_no_key("an error", &text);
    errors.push(text);
}

#[tokio::test]
async fn the_key_never_leaks() {
    let captured = capture_tracing();
    let mut errors = Vec::new();

    let server = MockServer::start_async().await;
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = Client::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .beta_warning(BetaWarning::Once)
        .sleeper(sleeper.clone())
        .build()
        .unwrap();
    assert_no_key("Client Debug", &format!("{client:?} {client:#?}"));

    // A server that echoes the Authorization header in its errors.
    let echo = format!("Authorization: Bearer {KEY} is not valid");
    server.get_role_binding(|when, then| {
        when.binding_id(&id(BINDING_ID));
        then.unauthorized(&problem(401, "Authentication Required", &echo));
    });
    server.mock(|when, then| {
        when.method(httpmock::Method::GET)
            .path("/v2/role-bindings/Um9sZUJpbmRpbmc6Mjp4eA==");
        then.status(500)
            .body(format!("<pre>headers: authorization=Bearer {KEY}</pre>"));
    });
    server.mock(|when, then| {
        when.method(httpmock::Method::DELETE);
        then.status(204);
    });
    server.mock(|when, then| {
        when.method(httpmock::Method::PATCH);
        then.status(200)
            .header("content-type", "application/json")
            .body(format!(r#"{{"echo":"{KEY}""#));
    });
    server.list_role_bindings(|_, then| {
        then.ok(&page(
            vec![wire_binding(BINDING_ID, ROLE, USER, "SPACE", SPACE)],
            None,
        ));
    });
    server.create_role_binding(|_, then| {
        then.too_many_requests(&problem(429, "Rate Limit Exceeded", &echo))
            .into_inner()
            .header("retry-after", "1");
    });

    let err = client
        .get(&RoleBindingId::new(BINDING_ID))
        .await
        .unwrap_err();
    assert!(
        err.problem()
            .unwrap()
            .detail
            .as_deref()
            .unwrap()
            .contains("<redacted>")
    );
    check_error(&mut errors, &err);
    let err = client
        .get(&RoleBindingId::new("Um9sZUJpbmRpbmc6Mjp4eA=="))
        .await
        .unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 500);
    check_error(&mut errors, &err);
    let err = client
        .update(&RoleBindingId::new(BINDING_ID), &RoleId::new(ROLE))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    check_error(&mut errors, &err);
    let err = client
        .create(
            &UserId::new(USER),
            &RoleId::new(ROLE),
            &Resource::Space(SpaceId::new(SPACE)),
        )
        .await
        .unwrap_err();
    check_error(&mut errors, &err);
    client
        .delete(&RoleBindingId::new(BINDING_ID))
        .await
        .unwrap();
    let listed: Vec<_> = client
        .list(ListQuery::new(ResourceType::Space))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let err = client
        .create(
            &UserId::new(USER),
            &RoleId::new(ROLE),
            &Resource::Project(ProjectId::new(SEED_INVALID_PROJECT)),
        )
        .await
        .unwrap_err();
    check_error(&mut errors, &err);

    // Transport and timeout errors.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let unreachable = builder(&format!("http://127.0.0.1:{port}"), &sleeper)
        .build()
        .unwrap();
    let err = unreachable
        .get(&RoleBindingId::new(BINDING_ID))
        .await
        .unwrap_err();
    check_error(&mut errors, &err);
    server.mock(|when, then| {
        when.method(httpmock::Method::GET)
            .path("/v2/role-bindings/slow");
        then.status(200).delay(Duration::from_secs(2));
    });
    let impatient = builder(&server.base_url(), &sleeper)
        .attempt_timeout(Duration::from_millis(100))
        .retry_policy(arize_role_bindings::RetryPolicy::none())
        .build()
        .unwrap();
    let err = impatient
        .get(&RoleBindingId::new("slow"))
        .await
        .unwrap_err();
    check_error(&mut errors, &err);

    // Configuration errors and builders.
    for builder in [
        ClientBuilder::new().api_key(format!("{KEY}\n")),
        ClientBuilder::new().api_key(KEY).base_url("nope"),
        ClientBuilder::new()
            .api_key(KEY)
            .default_header("x", "a\nb"),
        ClientBuilder::new()
            .api_key(KEY)
            .reqwest_client(reqwest::Client::new()),
    ] {
        assert_no_key("ClientBuilder Debug", &format!("{builder:?}"));
        check_error(&mut errors, &builder.build().unwrap_err());
    }
    let env = ClientBuilder::from_env_with(|name| match name {
        "ARIZE_API_KEY" => Some(KEY.to_owned()),
        "ARIZE_REGION" => Some("eu-west-1a".to_owned()),
        "ARIZE_SINGLE_HOST" => Some("h".to_owned()),
        _ => None,
    })
    .unwrap_err();
    check_error(&mut errors, &env);
    let headers = ClientBuilder::new().api_key(KEY).headers().unwrap();
    assert_no_key("the header map's Debug", &format!("{headers:?}"));

    // The tracing output saw the calls (so the check below is not vacuous)
    // but never the key.
    let log = captured.text();
    assert!(log.contains("arize_role_bindings.call"), "{log}");
    assert!(log.contains("operation=\"get_role_binding\""), "{log}");
    assert!(log.contains("attempt"), "{log}");
    assert!(log.contains("pre-release"), "{log}");
    assert_no_key("tracing output", &log);
    assert!(errors.len() >= 12);
}
