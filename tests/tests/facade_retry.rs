//! Retries against httpmock and raw sockets, with a recording sleeper so no
//! test waits for a backoff. (The timeout tests wait a few hundred
//! milliseconds of real time: reqwest does not work with tokio's paused
//! clock.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod facade_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use arize_api::mock::MockServerExt as _;
use arize_role_bindings::{
    Error, Resource, RetryPolicy, RoleBindingId, RoleId, SpaceId, TransportPhase, UserId,
};
use facade_support::*;
use httpmock::MockServer;
use tokio::io::AsyncReadExt as _;

fn space() -> Resource {
    Resource::Space(SpaceId::new(SPACE))
}

async fn create(
    client: &arize_role_bindings::Client,
) -> Result<arize_role_bindings::RoleBinding, Error> {
    client
        .create(&UserId::new(USER), &RoleId::new(ROLE), &space())
        .await
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = MockServer::start_async().await;
    let (client, sleeper) = mock_client(&server);
    let limited = server.get_role_binding(|_, then| {
        then.too_many_requests(&problem(429, "Rate Limit Exceeded", "slow down"))
            .into_inner()
            .header("retry-after", "2")
            .up_to_n_times(1);
    });
    let ok = server.get_role_binding(|_, then| {
        then.ok(&wire_binding(BINDING_ID, ROLE, USER, "SPACE", SPACE));
    });
    client.get(&RoleBindingId::new(BINDING_ID)).await.unwrap();
    assert_eq!(sleeper.delays(), [Duration::from_secs(2)]);
    limited.assert_calls(1);
    ok.assert_calls(1);
}

#[tokio::test]
async fn retry_after_is_capped() {
    let server = MockServer::start_async().await;
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = builder(&server.base_url(), &sleeper)
        .retry_policy(RetryPolicy::standard().max_retry_after(Duration::from_secs(5)))
        .build()
        .unwrap();
    server.create_role_binding(|_, then| {
        then.too_many_requests(&problem(429, "Rate Limit Exceeded", "slow down"))
            .into_inner()
            .header("retry-after", "3600")
            .up_to_n_times(1);
    });
    server.create_role_binding(|_, then| {
        then.created(&wire_binding(BINDING_ID, ROLE, USER, "SPACE", SPACE));
    });
    create(&client).await.unwrap();
    assert_eq!(sleeper.delays(), [Duration::from_secs(5)]);
}

#[tokio::test]
async fn a_wait_past_the_deadline_is_not_made() {
    let server = MockServer::start_async().await;
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = builder(&server.base_url(), &sleeper)
        .retry_policy(RetryPolicy::standard().max_retry_after(Duration::from_secs(600)))
        .deadline(Duration::from_secs(10))
        .build()
        .unwrap();
    let mock = server.get_role_binding(|_, then| {
        then.too_many_requests(&problem(429, "Rate Limit Exceeded", "slow down"))
            .into_inner()
            .header("retry-after", "60");
    });
    let err = client
        .get(&RoleBindingId::new(BINDING_ID))
        .await
        .unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(60)));
    assert!(sleeper.delays().is_empty());
    mock.assert_calls(1);
}

#[tokio::test]
async fn a_create_is_retried_when_it_cannot_have_been_applied() {
    for (status, retry_after) in [(429u16, Some("1")), (503, None), (503, Some("4"))] {
        let server = MockServer::start_async().await;
        let (client, sleeper) = mock_client(&server);
        let first = server.mock(|when, then| {
            when.method(httpmock::Method::POST)
                .path("/v2/role-bindings");
            let then = then
                .status(status)
                .header("content-type", "application/problem+json")
                .body(format!(r#"{{"title":"busy","status":{status}}}"#))
                .up_to_n_times(1);
            if let Some(secs) = retry_after {
                then.header("retry-after", secs);
            }
        });
        let ok = server.create_role_binding(|_, then| {
            then.created(&wire_binding(BINDING_ID, ROLE, USER, "SPACE", SPACE));
        });
        create(&client).await.unwrap();
        first.assert_calls(1);
        ok.assert_calls(1);
        let delays = sleeper.delays();
        assert_eq!(delays.len(), 1);
        match retry_after {
            Some(secs) => assert_eq!(delays[0], Duration::from_secs(secs.parse().unwrap())),
            None => assert!(delays[0] <= Duration::from_secs(1), "{delays:?}"),
        }
    }
}

/// Answers that may mean the create was applied are never retried.
#[tokio::test]
async fn a_create_is_not_retried_after_an_answer_that_may_have_been_applied() {
    for status in [500u16, 502, 504] {
        let server = MockServer::start_async().await;
        let (client, sleeper) = mock_client(&server);
        let mock = server.mock(|when, then| {
            when.method(httpmock::Method::POST);
            then.status(status).body("gateway trouble");
        });
        let err = create(&client).await.unwrap_err();
        assert_eq!(err.status().unwrap().as_u16(), status);
        mock.assert_calls(1);
        assert!(sleeper.delays().is_empty(), "{status}");
    }
}

#[tokio::test]
async fn a_create_is_not_retried_after_an_attempt_timeout_but_a_get_is() {
    let server = MockServer::start_async().await;
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = builder(&server.base_url(), &sleeper)
        .attempt_timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    let slow_create = server.create_role_binding(|_, then| {
        then.created(&wire_binding(BINDING_ID, ROLE, USER, "SPACE", SPACE))
            .into_inner()
            .delay(Duration::from_secs(3));
    });
    let err = create(&client).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                operation: "create_role_binding",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("may have been applied"));
    slow_create.assert_calls(1);
    assert!(sleeper.delays().is_empty());

    let slow_get = server.get_role_binding(|_, then| {
        then.ok(&wire_binding(BINDING_ID, ROLE, USER, "SPACE", SPACE))
            .into_inner()
            .delay(Duration::from_secs(3));
    });
    let err = client
        .get(&RoleBindingId::new(BINDING_ID))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    slow_get.assert_calls(3);
    assert_eq!(sleeper.delays().len(), 2);
}

/// A server that reads each request and drops the connection without an
/// answer: the request was sent, the outcome is unknown.
async fn hang_up_server() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let mut buf = vec![0u8; 8192];
            let _ = tokio::time::timeout(Duration::from_secs(2), socket.read(&mut buf)).await;
            drop(socket);
        }
    });
    (format!("http://{addr}"), accepted)
}

#[tokio::test]
async fn a_dropped_connection_after_sending_is_retried_except_for_create() {
    let (url, accepted) = hang_up_server().await;
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = builder(&url, &sleeper).build().unwrap();

    let err = create(&client).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                phase: TransportPhase::AfterSend,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
    assert!(sleeper.delays().is_empty());

    let err = client
        .get(&RoleBindingId::new(BINDING_ID))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                phase: TransportPhase::AfterSend,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(accepted.load(Ordering::SeqCst), 1 + 3);
    assert_eq!(sleeper.delays().len(), 2);
}

#[tokio::test]
async fn a_failure_to_connect_is_retried_for_every_operation() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = builder(&format!("http://127.0.0.1:{port}"), &sleeper)
        .build()
        .unwrap();
    let err = create(&client).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                phase: TransportPhase::Connect,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert!(err.to_string().contains("not sent"), "{err}");
    // Three attempts: two waits, each within the jittered backoff bound.
    let delays = sleeper.delays();
    assert_eq!(delays.len(), 2, "{delays:?}");
    assert!(
        delays[0] <= Duration::from_secs(1) && delays[1] <= Duration::from_secs(2),
        "{delays:?}"
    );
}

#[tokio::test]
async fn a_retried_delete_that_finds_nothing_is_done() {
    let server = MockServer::start_async().await;
    let (client, sleeper) = mock_client(&server);
    let gateway = server.mock(|when, then| {
        when.method(httpmock::Method::DELETE);
        then.status(502).body("bad gateway").up_to_n_times(1);
    });
    let gone = server.delete_role_binding(|_, then| {
        then.not_found(&problem(404, "Resource Not Found", "no binding"));
    });
    client
        .delete(&RoleBindingId::new(BINDING_ID))
        .await
        .unwrap();
    gateway.assert_calls(1);
    gone.assert_calls(1);
    assert_eq!(sleeper.delays().len(), 1);
}

#[tokio::test]
async fn a_delete_404_after_an_attempt_that_was_not_applied_is_not_found() {
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    server.delete_role_binding(|_, then| {
        then.too_many_requests(&problem(429, "Rate Limit Exceeded", "slow down"))
            .into_inner()
            .up_to_n_times(1);
    });
    server.delete_role_binding(|_, then| {
        then.not_found(&problem(404, "Resource Not Found", "no binding"));
    });
    let err = client
        .delete(&RoleBindingId::new(BINDING_ID))
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    // And without any retry a 404 is simply not found.
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    server.delete_role_binding(|_, then| {
        then.not_found(&problem(404, "Resource Not Found", "no binding"));
    });
    assert!(
        client
            .delete(&RoleBindingId::new(BINDING_ID))
            .await
            .unwrap_err()
            .is_not_found()
    );
}

#[tokio::test]
async fn attempts_are_bounded_by_the_policy() {
    let server = MockServer::start_async().await;
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = builder(&server.base_url(), &sleeper)
        .retry_policy(
            RetryPolicy::standard()
                .max_attempts(5)
                .initial_backoff(Duration::from_millis(100))
                .max_backoff(Duration::from_millis(300)),
        )
        .build()
        .unwrap();
    let mock = server.mock(|when, then| {
        when.any_request();
        then.status(503).body("unavailable");
    });
    let err = client
        .get(&RoleBindingId::new(BINDING_ID))
        .await
        .unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 503);
    mock.assert_calls(5);
    let delays = sleeper.delays();
    assert_eq!(delays.len(), 4);
    for (delay, ceiling) in delays.iter().zip([100u64, 200, 300, 300]) {
        assert!(*delay <= Duration::from_millis(ceiling), "{delays:?}");
    }

    // One attempt: no retries at all.
    let server = MockServer::start_async().await;
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = builder(&server.base_url(), &sleeper)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let mock = server.mock(|when, then| {
        when.any_request();
        then.status(503).body("unavailable");
    });
    client
        .get(&RoleBindingId::new(BINDING_ID))
        .await
        .unwrap_err();
    mock.assert_calls(1);
    assert!(sleeper.delays().is_empty());
}

#[tokio::test]
async fn the_deadline_bounds_the_whole_call() {
    let server = MockServer::start_async().await;
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = builder(&server.base_url(), &sleeper)
        .attempt_timeout(Duration::from_secs(10))
        .deadline(Duration::from_millis(300))
        .build()
        .unwrap();
    server.get_role_binding(|_, then| {
        then.ok(&wire_binding(BINDING_ID, ROLE, USER, "SPACE", SPACE))
            .into_inner()
            .delay(Duration::from_secs(3));
    });
    let started = std::time::Instant::now();
    let err = client
        .get(&RoleBindingId::new(BINDING_ID))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    match err {
        Error::Deadline {
            operation,
            deadline,
            attempts,
            ..
        } => {
            assert_eq!(operation, "get_role_binding");
            assert_eq!(deadline, Duration::from_millis(300));
            assert_eq!(attempts, 1);
        }
        other => panic!("{other:?}"),
    }
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
}

/// A test clock that moves only when [`AdvancingSleeper`] sleeps.
#[derive(Debug)]
struct ManualClock(std::sync::Mutex<tokio::time::Instant>);

impl arize_role_bindings::Clock for ManualClock {
    fn now(&self) -> tokio::time::Instant {
        *self.0.lock().unwrap()
    }
}

/// Records every delay, returns at once and advances the clock by it.
#[derive(Debug)]
struct AdvancingSleeper {
    clock: Arc<ManualClock>,
    delays: std::sync::Mutex<Vec<Duration>>,
}

impl arize_role_bindings::Sleeper for AdvancingSleeper {
    fn sleep(
        &self,
        delay: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'static>> {
        self.delays.lock().unwrap().push(delay);
        *self.clock.0.lock().unwrap() += delay;
        Box::pin(async {})
    }
}

#[tokio::test]
async fn waits_made_by_an_instant_sleeper_count_against_the_deadline_through_the_clock() {
    // 503 with Retry-After 2 s for ever, 10 attempts allowed, a 5 s
    // deadline: waits at t=0 and t=2 fit, the one at t=4 would end at 6 s,
    // past the deadline. With the clock the sleeper advances, the call
    // stops after 3 attempts, although no real time passes.
    let server = MockServer::start_async().await;
    let clock = Arc::new(ManualClock(std::sync::Mutex::new(
        tokio::time::Instant::now(),
    )));
    let sleeper = Arc::new(AdvancingSleeper {
        clock: clock.clone(),
        delays: Default::default(),
    });
    let client = arize_role_bindings::Client::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .beta_warning(arize_role_bindings::BetaWarning::Off)
        .retry_policy(RetryPolicy::standard().max_attempts(10))
        .deadline(Duration::from_secs(5))
        .sleeper(sleeper.clone())
        .clock(clock)
        .build()
        .unwrap();
    let unavailable = server.get_role_binding(|_, then| {
        then.into_inner()
            .status(503)
            .header("retry-after", "2")
            .body("unavailable");
    });
    let err = client
        .get(&RoleBindingId::new(BINDING_ID))
        .await
        .unwrap_err();
    assert_eq!(err.status().unwrap().as_u16(), 503, "{err}");
    assert_eq!(
        *sleeper.delays.lock().unwrap(),
        [Duration::from_secs(2), Duration::from_secs(2)]
    );
    unavailable.assert_calls(3);
}
