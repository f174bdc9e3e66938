//! Handling each kind of error: what happened, and what to do about it.
//!
//! `cargo run -p arize-role-bindings --example errors`
#![allow(clippy::print_stdout)]

mod common;

use std::time::Duration;

use arize_fake_server::{Fault, FaultRule, Operation, RetryAfter, Seed};
use arize_role_bindings::{
    Client, ClientBuilder, Error, ListQuery, PaginationError, ProjectId, Resource, ResourceType,
    RetryPolicy, RoleBindingId, RoleId, SpaceId, TransportPhase, UserId, ValidationError,
};

/// How an application might react to each kind of error.
fn advice(error: &Error) -> &'static str {
    match error {
        Error::Validation(ValidationError::IdTypeMismatch { .. }) => {
            "fix the input: an ID of the wrong kind"
        }
        Error::Validation(_) => "fix the input; nothing was sent",
        Error::Config(_) => "fix the configuration (the message names the setting)",
        Error::Api { .. } if error.is_conflict() => {
            "already assigned: use ensure(), or update the binding"
        }
        Error::Api { .. } if error.is_not_found() => "gone, or not visible to this key",
        Error::Api { status, .. } if status.as_u16() == 401 => "check ARIZE_API_KEY",
        Error::Api { .. } if error.retry_after().is_some() => {
            "rate limited: wait retry_after, then retry"
        }
        Error::Api { .. } if error.is_retryable() => "transient: retry later",
        Error::Api { .. } => "the API refused: see the problem details",
        Error::Transport {
            phase: TransportPhase::Connect,
            ..
        } => "cannot reach Arize: network, proxy, base URL",
        Error::Transport { .. } => "connection lost after sending: the outcome is unknown",
        Error::Timeout { .. } => "too slow: the request may have been applied",
        Error::Deadline { .. } => "the call ran out of time across its retries",
        Error::Decode { .. } => "unexpected response body: upgrade or report",
        Error::Pagination(PaginationError::RepeatedCursor { .. }) => {
            "the listing looped: keep the pages so far"
        }
        Error::Pagination(_) => "the listing stopped early: keep the pages so far",
        _ => "unexpected error kind",
    }
}

/// Prints the error of `result` and returns it (an `Ok` is a failure of the example).
fn show(label: &str, result: Result<impl std::fmt::Debug, Error>) -> Result<Error, String> {
    match result {
        Ok(value) => Err(format!("{label}: expected an error, got {value:?}")),
        Err(error) => {
            println!("{label}\n  error:  {error}\n  advice: {}", advice(&error));
            if let Some(problem) = error.problem() {
                println!(
                    "  problem: status {} type {:?}",
                    problem.status, problem.type_
                );
            }
            Ok(error)
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (server, client) = common::fake(Seed::default()).await?;
    let user: UserId = server.users()[0].parse()?;
    let role: RoleId = server.roles()[0].parse()?;
    let space = Resource::Space(server.spaces()[0].parse::<SpaceId>()?);
    let no_retries = |c: ClientBuilder| c.retry_policy(RetryPolicy::none());
    let quick = no_retries(
        Client::builder()
            .api_key("example-key")
            .base_url(server.base_url()),
    )
    .build()?;

    // Rejected before sending: a Space ID given as a project (the seeds' invalid example).
    let e = show(
        "validation",
        client
            .create(
                &user,
                &role,
                &Resource::Project(ProjectId::new("U3BhY2U6MTp1Rk4x")),
            )
            .await,
    )?;
    assert!(matches!(e, Error::Validation(_)));
    let e = show(
        "limit",
        client
            .list_page(&ListQuery::new(ResourceType::Space).limit(500))
            .await,
    )?;
    assert!(e.is_validation());

    // Configuration.
    let e = show(
        "config",
        ClientBuilder::from_env_with(|name| match name {
            "ARIZE_API_KEY" => Some("k".into()),
            "ARIZE_REGION" => Some("eu-west-1a".into()),
            "ARIZE_BASE_DOMAIN" => Some("corp.example".into()),
            _ => None,
        }),
    )?;
    assert!(matches!(e, Error::Config(_)));

    // The API's answers.
    client.create(&user, &role, &space).await?;
    assert!(show("conflict", client.create(&user, &role, &space).await)?.is_conflict());
    assert!(
        show(
            "not found",
            client
                .get(&RoleBindingId::new("Um9sZUJpbmRpbmc6OTk5OnVua24="))
                .await
        )?
        .is_not_found()
    );
    let wrong_key = Client::builder()
        .api_key("wrong")
        .base_url(server.base_url())
        .build()?;
    let e = show(
        "unauthorized",
        wrong_key.get(&RoleBindingId::new("x")).await,
    )?;
    assert_eq!(e.status().map(|s| s.as_u16()), Some(401));
    server
        .faults()
        .inject(FaultRule::new(Fault::RateLimited(RetryAfter::Seconds(7))).next(1));
    let e = show(
        "rate limited",
        quick.list_page(&ListQuery::new(ResourceType::Space)).await,
    )?;
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
    server
        .faults()
        .inject(FaultRule::new(Fault::Status(503)).next(1));
    assert!(
        show(
            "unavailable",
            quick.list_page(&ListQuery::new(ResourceType::Space)).await
        )?
        .is_retryable()
    );

    // Transport, timeout, deadline.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let nowhere = no_retries(
        Client::builder()
            .api_key("k")
            .base_url(format!("http://127.0.0.1:{port}")),
    )
    .build()?;
    let e = show(
        "connect",
        nowhere
            .list_page(&ListQuery::new(ResourceType::Space))
            .await,
    )?;
    assert!(matches!(
        e,
        Error::Transport {
            phase: TransportPhase::Connect,
            ..
        }
    ));
    server.faults().inject(
        FaultRule::new(Fault::CloseAfterApply)
            .on(Operation::Delete)
            .next(1),
    );
    let other = Resource::Space(server.spaces()[1].parse::<SpaceId>()?);
    let binding = client.create(&user, &role, &other).await?;
    let e = show("connection lost", quick.delete(&binding.id).await)?;
    assert!(matches!(
        e,
        Error::Transport {
            phase: TransportPhase::AfterSend,
            ..
        }
    ));
    server
        .faults()
        .set_latency(Some(Operation::List), Duration::from_millis(500));
    let impatient = no_retries(
        Client::builder()
            .api_key("example-key")
            .base_url(server.base_url())
            .attempt_timeout(Duration::from_millis(100)),
    )
    .build()?;
    assert!(matches!(
        show(
            "timeout",
            impatient
                .list_page(&ListQuery::new(ResourceType::Space))
                .await
        )?,
        Error::Timeout { .. }
    ));
    let hurried = Client::builder()
        .api_key("example-key")
        .base_url(server.base_url())
        .deadline(Duration::from_millis(100))
        .build()?;
    assert!(matches!(
        show(
            "deadline",
            hurried
                .list_page(&ListQuery::new(ResourceType::Space))
                .await
        )?,
        Error::Deadline { .. }
    ));
    server.faults().clear_latency();

    // A broken body, and a listing that would loop.
    server.faults().inject(
        FaultRule::new(Fault::TruncatedJson)
            .on(Operation::List)
            .next(1),
    );
    assert!(matches!(
        show(
            "decode",
            quick.list_page(&ListQuery::new(ResourceType::Space)).await
        )?,
        Error::Decode { .. }
    ));
    server
        .faults()
        .inject(FaultRule::new(Fault::RepeatedCursor).on(Operation::List));
    let mut pages = client.pages(ListQuery::new(ResourceType::Space));
    let mut last = Ok(());
    while let Some(page) = futures::StreamExt::next(&mut pages).await {
        if let Err(e) = page {
            last = Err(e);
        }
    }
    assert!(matches!(show("pagination", last)?, Error::Pagination(_)));
    server.faults().clear();

    println!("every error kind shown");
    server.shutdown().await;
    Ok(())
}
