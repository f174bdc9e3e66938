//! No leaks: `Debug`/`Display` of the builder, the client and every error
//! variant never contain the key, not even when a server echoes it back.
//! (Every error of the fault matrix and of the hostile-input checks is
//! checked the same way, and all tracing output of the run is scanned at
//! the end: `leaks::tracing`.)

use std::sync::Arc;
use std::time::Duration;

use arize_role_bindings::{
    Client, ClientBuilder, ConfigError, Error, ListQuery, ProjectId, Resource, ResourceType,
    RetryPolicy, RoleBindingId, RoleId, SpaceId, UserId, ValidationError,
};
use futures::StreamExt as _;

use crate::raw::{self, RawServer, Reply};
use crate::support::*;

const LIMIT: Duration = Duration::from_secs(60);

pub fn names() -> Vec<String> {
    ["leaks::debug_and_errors", "leaks::echoing_server"]
        .into_iter()
        .map(str::to_owned)
        .collect()
}

pub async fn run(selected: &(dyn Fn(&str) -> bool + Sync), report: &mut Report) {
    if selected("leaks::debug_and_errors") {
        report.push(
            "leaks::debug_and_errors",
            bounded(LIMIT, debug_and_errors()).await,
        );
    }
    if selected("leaks::echoing_server") {
        report.push(
            "leaks::echoing_server",
            bounded(LIMIT, echoing_server()).await,
        );
    }
}

fn debug_text<T: std::fmt::Debug>(value: &T) -> String {
    format!("{value:?} {value:#?}")
}

/// Checks an error (of the expected shape) for the key.
fn checked(
    what: &str,
    result: Result<Client, Error>,
    shape: fn(&Error) -> bool,
) -> Result<(), String> {
    let err = result.err().ok_or_else(|| format!("{what}: built"))?;
    error_without_key(&err)?;
    check(shape(&err), || format!("{what}: {err:?}"))
}

async fn debug_and_errors() -> Result<(), String> {
    // The builder and the client, with every setting that could show it.
    let full = || {
        Client::builder()
            .api_key(KEY)
            .base_url("http://127.0.0.1:9")
            .default_header("x-team", "platform")
            .user_agent("reliability-suite")
            .retry_policy(RetryPolicy::standard())
            .deadline(Duration::from_secs(5))
    };
    no_key("ClientBuilder Debug", &debug_text(&full()))?;
    let client = full().build().map_err(|e| e.to_string())?;
    no_key("Client Debug", &debug_text(&client))?;
    no_key("Client clone Debug", &debug_text(&client.clone()))?;
    no_key(
        "headers Debug",
        &debug_text(&full().headers().map_err(|e| e.to_string())?),
    )?;
    let env =
        ClientBuilder::from_env_with(|name| (name == "ARIZE_API_KEY").then(|| KEY.to_owned()))
            .map_err(|e| e.to_string())?;
    no_key("ClientBuilder::from_env_with Debug", &debug_text(&env))?;
    no_key(
        "from_env client Debug",
        &debug_text(&env.build().map_err(|e| e.to_string())?),
    )?;
    let pages = client.pages(ListQuery::new(ResourceType::Space));
    no_key("Pages Debug", &debug_text(&pages))?;
    no_key(
        "Bindings Debug",
        &debug_text(&client.list(ListQuery::new(ResourceType::Project))),
    )?;

    // Every configuration error.
    let base = || {
        Client::builder()
            .api_key(KEY)
            .base_url("https://api.arize.com")
    };
    checked("no key", ClientBuilder::new().build(), |e| {
        matches!(e, Error::Config(ConfigError::MissingApiKey))
    })?;
    for bad_key in [
        format!("{KEY}\n"),
        format!("{KEY}\r\nX-Evil: 1"),
        format!("\0{KEY}"),
    ] {
        checked(
            "key with CR/LF",
            Client::builder().api_key(bad_key).build(),
            |e| matches!(e, Error::Config(ConfigError::MalformedApiKey)),
        )?;
    }
    checked(
        "reqwest_client and api_key",
        base().reqwest_client(reqwest::Client::new()).build(),
        |e| matches!(e, Error::Config(ConfigError::Conflict { .. })),
    )?;
    checked("bad base URL", base().base_url("not a url").build(), |e| {
        matches!(e, Error::Config(ConfigError::Malformed { .. }))
    })?;
    checked(
        "zero attempts",
        base()
            .retry_policy(RetryPolicy::standard().max_attempts(0))
            .build(),
        |e| matches!(e, Error::Config(ConfigError::Malformed { .. })),
    )?;
    checked(
        "missing CA bundle",
        base().ca_bundle("/nonexistent/ca.pem").build(),
        |e| matches!(e, Error::Config(ConfigError::File { .. })),
    )?;
    checked(
        "plain http",
        base().base_url("http://api.arize.com").build(),
        |e| matches!(e, Error::Config(ConfigError::InsecureHttp { .. })),
    )?;
    for builder in [
        base().default_header("x-echo", format!("{KEY}\r\nInjected: 1")),
        base().default_header("authorization", format!("Bearer {KEY}")),
        base().user_agent(format!("{KEY}\n")),
    ] {
        // A header's name is shown in the error (it is not secret), its
        // value never.
        let err = builder.build().err().ok_or("a bad header was accepted")?;
        no_key("an InvalidHeader error", &error_text(&err))?;
        check(
            matches!(
                err,
                Error::Validation(ValidationError::InvalidHeader { .. })
            ),
            || format!("{err:?}"),
        )?;
    }

    // Every validation error of a call (nothing is sent: the port is dead).
    let client = Client::builder()
        .api_key(KEY)
        .base_url(format!("http://127.0.0.1:{}", dead_port()))
        .retry_policy(RetryPolicy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let space = Resource::Space(SpaceId::new("U3BhY2U6MTpWNEth"));
    let errors = [
        client
            .create(&UserId::new(""), &RoleId::new("r"), &space)
            .await
            .err(),
        client
            .create(
                &UserId::new("VXNlcjo0MjphQmNE"),
                &RoleId::new("r"),
                &Resource::Project(ProjectId::new("U3BhY2U6MTp1Rk4x")),
            )
            .await
            .err(),
        client
            .list_page(&ListQuery::new(ResourceType::Space).limit(0))
            .await
            .err(),
        client
            .list_page(&ListQuery::new(ResourceType::Space).cursor(""))
            .await
            .err(),
        client.get(&RoleBindingId::new("..")).await.err(),
        // And a transport error.
        client.get(&RoleBindingId::new("x")).await.err(),
    ];
    for err in errors {
        let err = err.ok_or("a bad call succeeded")?;
        error_without_key(&err)?;
    }
    Ok(())
}

/// A server that echoes the request head — `Authorization: Bearer <key>`
/// included — in every kind of answer.
async fn echoing_server() -> Result<(), String> {
    let server = RawServer::start(|head| {
        let path = head.split_whitespace().nth(1).unwrap_or_default().to_owned();
        let echo = head.replace('"', "'").replace("\r\n", " | ");
        let problem = |status: u16| {
            format!(r#"{{"title":"Echo {echo}","status":{status},"detail":"{echo}","instance":"{echo}","type":"{echo}"}}"#)
        };
        let (status, content_type, body) = match path.rsplit('/').next().unwrap_or_default() {
            "p401" => (401, "application/problem+json", problem(401)),
            "p404" => (404, "application/problem+json", problem(404)),
            "t500" => (500, "text/plain", echo.clone()),
            "h429" => (429, "text/html", format!("<html>{echo}</html>")),
            "p400" => (400, "application/problem+json", problem(400)),
            _ => (200, "application/json", format!("{{not json {echo}")),
        };
        Reply::Full(raw::response(status, content_type, "", body.as_bytes()))
    })
    .await;
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = builder(&server.base_url, &sleeper)
        .build()
        .map_err(|e| e.to_string())?;
    let mut seen = 0;
    for id in ["p401", "p404", "t500", "h429", "p400", "decode"] {
        let err = client
            .get(&RoleBindingId::new(id))
            .await
            .err()
            .ok_or_else(|| format!("{id}: succeeded"))?;
        // The server did receive the key, and echoed it.
        let head = server.last_head.lock().unwrap().clone();
        check(head.contains(&format!("Bearer {KEY}")), || {
            format!("the request did not carry the key: {head}")
        })?;
        error_without_key(&err)?;
        check(
            err.status().is_some() || matches!(err, Error::Decode { .. }),
            || format!("{id}: {err:?}"),
        )?;
        seen += 1;
    }
    // The same through a listing stream.
    let mut stream = client.list(ListQuery::new(ResourceType::Space));
    while let Some(item) = stream.next().await {
        if let Err(err) = item {
            error_without_key(&err)?;
            seen += 1;
        }
    }
    check(seen == 7, || format!("{seen} errors checked"))
}
