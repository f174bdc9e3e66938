//! The pre-release warning: one `warn` event per operation per process,
//! none when switched off. (Its own test binary: the flags are per process.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod facade_support;

use std::sync::Arc;

use arize_api::mock::MockServerExt as _;
use arize_role_bindings::{BetaWarning, Client, ListQuery, ResourceType, RoleBindingId};
use facade_support::*;
use httpmock::MockServer;

fn warnings(log: &str, operation: &str) -> usize {
    log.lines()
        .filter(|l| {
            l.contains("WARN")
                && l.contains("pre-release")
                && l.contains(&format!("operation=\"{operation}\""))
        })
        .count()
}

#[tokio::test]
async fn the_beta_warning_is_logged_once_per_operation_and_can_be_switched_off() {
    let captured = capture_tracing();
    let server = MockServer::start_async().await;
    server.get_role_binding(|_, then| {
        then.ok(&wire_binding(BINDING_ID, ROLE, USER, "SPACE", SPACE));
    });
    server.delete_role_binding(|_, then| {
        then.no_content();
    });
    server.list_role_bindings(|_, then| {
        then.ok(&page(vec![], None));
    });
    let sleeper = Arc::new(RecordingSleeper::default());
    let quiet = builder(&server.base_url(), &sleeper)
        .beta_warning(BetaWarning::Off)
        .build()
        .unwrap();
    let noisy = Client::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .build()
        .unwrap();
    let id = RoleBindingId::new(BINDING_ID);

    // Switched off: nothing, and the per-process flag is left alone.
    quiet.delete(&id).await.unwrap();
    quiet.get(&id).await.unwrap();
    assert_eq!(warnings(&captured.text(), "delete_role_binding"), 0);
    assert_eq!(warnings(&captured.text(), "get_role_binding"), 0);

    // On (the default): once per operation, however often it is used.
    for _ in 0..3 {
        noisy.get(&id).await.unwrap();
        noisy
            .list_page(&ListQuery::new(ResourceType::Space))
            .await
            .unwrap();
    }
    noisy.delete(&id).await.unwrap();
    noisy.clone().delete(&id).await.unwrap();
    let log = captured.text();
    assert_eq!(warnings(&log, "get_role_binding"), 1, "{log}");
    assert_eq!(warnings(&log, "list_role_bindings"), 1, "{log}");
    assert_eq!(warnings(&log, "delete_role_binding"), 1, "{log}");
    assert_eq!(warnings(&log, "create_role_binding"), 0, "{log}");
    assert!(
        log.contains("BetaWarning::Off"),
        "the warning says how to switch it off"
    );
}
