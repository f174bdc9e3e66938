//! Shared helpers for the facade tests (`tests/tests/facade_*.rs`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use arize_api::types as wire;
use arize_role_bindings::{BetaWarning, Client, ClientBuilder, RetryPolicy};
use httpmock::MockServer;

pub const KEY: &str = "sk-facade-test-9f8e7d6c5b4a";

pub const BINDING_ID: &str = "Um9sZUJpbmRpbmc6MTphQmNE";
pub const ROLE: &str = "Um9sZToxOmFCY0Q=";
pub const OTHER_ROLE: &str = "Um9sZToyOmVGZ0g=";
pub const USER: &str = "VXNlcjo0MjphQmNE";
pub const SPACE: &str = "U3BhY2U6MTpWNEth";
pub const PROJECT: &str = "UHJvamVjdDo1OmFCY0Q=";
pub const MODEL: &str = "TW9kZWw6MTpGdmxM";
/// The seeds' invalid PROJECT resource: a Space ID.
pub const SEED_INVALID_PROJECT: &str = "U3BhY2U6MTp1Rk4x";

/// The recording sleeper of the SDK's test kit (feature `test-util`).
pub use arize_role_bindings::test_util::RecordingSleeper;

/// A builder for `server` with a recording sleeper and the beta warning off.
pub fn builder(base_url: &str, sleeper: &Arc<RecordingSleeper>) -> ClientBuilder {
    Client::builder()
        .api_key(KEY)
        .base_url(base_url)
        .beta_warning(BetaWarning::Off)
        .sleeper(sleeper.clone())
        .retry_policy(RetryPolicy::standard())
}

pub fn mock_client(server: &MockServer) -> (Client, Arc<RecordingSleeper>) {
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = builder(&server.base_url(), &sleeper).build().unwrap();
    (client, sleeper)
}

pub fn wire_binding(
    id: &str,
    role: &str,
    user: &str,
    resource_type: &str,
    resource: &str,
) -> wire::RoleBinding {
    serde_json::from_value(serde_json::json!({
        "id": id,
        "role_id": role,
        "user_id": user,
        "resource_type": resource_type,
        "resource_id": resource,
        "created_at": "2024-06-01T10:00:00Z",
        "updated_at": "2024-06-01T10:00:00Z",
    }))
    .unwrap()
}

pub fn problem(status: i64, title: &str, detail: &str) -> wire::Problem {
    wire::Problem {
        type_: Some(format!(
            "https://arize.com/docs/ax/rest-reference/errors#{}",
            title.to_lowercase().replace(' ', "-")
        )),
        title: title.to_owned(),
        status,
        detail: Some(detail.to_owned()),
        instance: None,
    }
}

pub fn page(
    bindings: Vec<wire::RoleBinding>,
    next: Option<&str>,
) -> wire::ListRoleBindingsResponse {
    wire::ListRoleBindingsResponse {
        role_bindings: bindings,
        pagination: wire::PaginationMetadata {
            has_more: next.is_some(),
            next_cursor: next.map(str::to_owned),
        },
    }
}

/// A mock that answers every request no other mock matched with 599 and
/// names it; create it last and assert it got no calls.
pub fn catch_all(server: &MockServer) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.any_request();
        then.status(599).body("no mock matched this request");
    })
}

pub fn id(s: &str) -> wire::Id {
    wire::Id(s.to_owned())
}

/// A `tracing` writer that keeps everything written, for assertions.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Installs a global subscriber that records every event and span (TRACE)
/// into the returned buffer — except httpmock's own server, which logs the
/// requests it receives (the test's server, not the client under test).
/// Call once per test binary.
pub fn capture_tracing() -> Captured {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace,httpmock=off"))
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    captured
}
