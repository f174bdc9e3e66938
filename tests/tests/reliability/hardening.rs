//! Hardening (issue 9): what a hostile server, proxy setting or
//! configuration value must not get out of the client — redirects followed
//! to another origin, the key sent through the wrong proxy, credentials
//! echoed in configuration errors, an oversized 429 turned fatal, a shared
//! rate-limit pause reported as a deadline, a lookup that never ends.
//! (Redirect statuses × operations are rows of the fault matrix.)

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use arize_role_bindings::{
    Client, ClientBuilder, Error, PaginationError, Resource, RetryPolicy, RoleBindingId, RoleId,
    SpaceId, TransportPhase, UserId,
};

use crate::raw::{self, RawServer, Reply};
use crate::support::*;

const LIMIT: Duration = Duration::from_secs(120);

/// A binding ID the raw servers answer for.
const BINDING: &str = "Um9sZUJpbmRpbmc6MTphQmNE";
const USER: &str = "VXNlcjo0MjphQmNE";
const ROLE: &str = "Um9sZToxOmFCY0Q=";
const SPACE: &str = "U3BhY2U6MTpWNEth";

/// The proxy cases: (what, environment besides the key and base URL, base
/// URL scheme, whether the proxy must see the request).
type ProxyCase = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
    bool,
);

const PROXY: &str = "<proxy>";

const PROXY_CASES: &[ProxyCase] = &[
    (
        "https base, only HTTP_PROXY",
        &[("HTTP_PROXY", PROXY)],
        "https",
        false,
    ),
    (
        "https base, only http_proxy",
        &[("http_proxy", PROXY)],
        "https",
        false,
    ),
    (
        "https base, HTTPS_PROXY",
        &[("HTTPS_PROXY", PROXY)],
        "https",
        true,
    ),
    (
        "https base, https_proxy",
        &[("https_proxy", PROXY)],
        "https",
        true,
    ),
    (
        "https base, ALL_PROXY",
        &[("ALL_PROXY", PROXY)],
        "https",
        true,
    ),
    (
        "https base, HTTPS_PROXY, NO_PROXY=127.0.0.1",
        &[("HTTPS_PROXY", PROXY), ("NO_PROXY", "127.0.0.1")],
        "https",
        false,
    ),
    (
        "https base, ARIZE_PROXY_URL",
        &[("ARIZE_PROXY_URL", PROXY)],
        "https",
        true,
    ),
    (
        "http base, HTTP_PROXY",
        &[("HTTP_PROXY", PROXY)],
        "http",
        true,
    ),
    (
        "http base, only HTTPS_PROXY",
        &[("HTTPS_PROXY", PROXY)],
        "http",
        false,
    ),
    (
        "http base, HTTP_PROXY with REQUEST_METHOD set (CGI, httpoxy)",
        &[("HTTP_PROXY", PROXY), ("REQUEST_METHOD", "GET")],
        "http",
        false,
    ),
    (
        "http base, http_proxy with REQUEST_METHOD set",
        &[("http_proxy", PROXY), ("REQUEST_METHOD", "POST")],
        "http",
        false,
    ),
    (
        "http base, HTTP_PROXY, no_proxy=localhost,127.0.0.1",
        &[("HTTP_PROXY", PROXY), ("no_proxy", "localhost,127.0.0.1")],
        "http",
        false,
    ),
    (
        "http base, ARIZE_PROXY_URL with REQUEST_METHOD set",
        &[("ARIZE_PROXY_URL", PROXY), ("REQUEST_METHOD", "GET")],
        "http",
        true,
    ),
];

/// Configuration values carrying credentials: (variable or builder call,
/// value, the secret that must not appear).
const CREDENTIAL_CASES: &[(&str, &str, &str)] = &[
    (
        "ARIZE_PROXY_URL",
        "http://user:s3cr3t-proxy@127.0.0.1:99999",
        "s3cr3t-proxy",
    ),
    (
        "HTTPS_PROXY",
        "http://user:s3cr3t-proxy@127.0.0.1:99999",
        "s3cr3t-proxy",
    ),
    (
        "ARIZE_BASE_URL",
        "https://user:s3cr3t-pass@api.arize.com",
        "s3cr3t-pass",
    ),
    (
        "ARIZE_BASE_URL",
        "ftp://user:s3cr3t-pass@api.arize.com",
        "s3cr3t-pass",
    ),
    (
        "ARIZE_API_HOST",
        "user:s3cr3t-host@api.arize.com",
        "s3cr3t-host",
    ),
    (
        "ARIZE_API_HOST",
        "https://user:s3cr3t-host@api.arize.com",
        "s3cr3t-host",
    ),
    (
        "ClientBuilder::base_url",
        "https://user:s3cr3t-pass@api.arize.com",
        "s3cr3t-pass",
    ),
    (
        "ClientBuilder::proxy",
        "http://user:s3cr3t-proxy@127.0.0.1:99999",
        "s3cr3t-proxy",
    ),
];

pub fn names() -> Vec<String> {
    [
        "hardening::redirect_not_followed",
        "hardening::proxy_by_scheme",
        "hardening::config_errors_hide_credentials",
        "hardening::oversized_error_body_retried",
        "hardening::pause_past_deadline_is_rate_limited",
        "hardening::endless_lookup_bounded",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect()
}

pub async fn run(selected: &(dyn Fn(&str) -> bool + Sync), report: &mut Report) {
    macro_rules! case {
        ($name:literal, $cases:expr, $check:expr) => {
            if selected($name) {
                let result = bounded(LIMIT, $check).await;
                report.hardening += $cases;
                report.push($name, result);
            }
        };
    }
    case!(
        "hardening::redirect_not_followed",
        4,
        redirect_not_followed()
    );
    case!(
        "hardening::proxy_by_scheme",
        PROXY_CASES.len(),
        proxy_by_scheme()
    );
    case!(
        "hardening::config_errors_hide_credentials",
        CREDENTIAL_CASES.len(),
        config_errors_hide_credentials()
    );
    case!(
        "hardening::oversized_error_body_retried",
        4,
        oversized_error_body_retried()
    );
    case!(
        "hardening::pause_past_deadline_is_rate_limited",
        1,
        pause_past_deadline_is_rate_limited()
    );
    case!(
        "hardening::endless_lookup_bounded",
        2,
        endless_lookup_bounded()
    );
}

fn env_builder(vars: &[(&str, String)]) -> Result<ClientBuilder, Error> {
    let env: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect();
    ClientBuilder::from_env_with(|name| env.get(name).cloned())
}

fn binding_reply() -> Reply {
    Reply::Full(raw::response(
        200,
        "application/json",
        "",
        raw::BINDING_JSON.as_bytes(),
    ))
}

/// A 3xx to another origin (and a 301 to a create) is not followed: the
/// other origin receives nothing, the call fails with `Redirect` naming the
/// status and the `Location` without its credentials, and is not retried.
async fn redirect_not_followed() -> Result<(), String> {
    let elsewhere = RawServer::start(|_| binding_reply()).await;
    let target = elsewhere
        .base_url
        .replace("http://", "http://user:s3cr3t-loc@");
    for (status, op) in [
        (307u16, "get"),
        (308, "delete"),
        (302, "get"),
        (301, "create"),
    ] {
        let location = format!("{target}/v2/role-bindings");
        let shown = format!(
            "{}/v2/role-bindings",
            elsewhere.base_url.replace("http://", "http://***@")
        );
        let server = RawServer::start(move |_| {
            Reply::Full(raw::response(
                status,
                "text/html",
                &format!("location: {location}\r\n"),
                b"<html>moved</html>",
            ))
        })
        .await;
        let sleeper = Arc::new(RecordingSleeper::default());
        let client = builder(&server.base_url, &sleeper)
            .default_header("x-org-token", "org-s3cr3t")
            .build()
            .map_err(|e| e.to_string())?;
        let id = RoleBindingId::new(BINDING);
        let result = match op {
            "get" => client.get(&id).await.map(|_| ()),
            "delete" => client.delete(&id).await,
            _ => client
                .create(
                    &UserId::new(USER),
                    &RoleId::new(ROLE),
                    &Resource::Space(SpaceId::new(SPACE)),
                )
                .await
                .map(|_| ()),
        };
        let what = format!("{status} on {op}");
        match &result {
            Err(
                e @ Error::Redirect {
                    status: s,
                    location: Some(l),
                    ..
                },
            ) => {
                check(s.as_u16() == status && *l == shown, || {
                    format!("{what}: {e:?}, expected Location {shown}")
                })?;
                let text = error_text(e);
                check(
                    !text.contains("s3cr3t-loc") && text.contains(&status.to_string()),
                    || {
                        format!(
                            "{what}: the error shows the Location's credentials or no status: {text}"
                        )
                    },
                )?;
                check(e.status().map(|s| s.as_u16()) == Some(status), || {
                    format!("{what}: status() is {:?}", e.status())
                })?;
                error_without_key(e)?;
            }
            other => return Err(format!("{what}: expected Redirect, got {other:?}")),
        }
        let (asked, followed) = (
            server.requests.load(Ordering::SeqCst),
            elsewhere.requests.load(Ordering::SeqCst),
        );
        check(
            asked == 1 && followed == 0 && sleeper.delays().is_empty(),
            || {
                format!(
                    "{what}: {asked} request(s) to the server, {followed} to the Location, waits {:?}",
                    sleeper.delays()
                )
            },
        )?;
    }
    Ok(())
}

/// Which proxy variable applies when: the scheme's own (or `ALL_PROXY`),
/// never the other scheme's, `NO_PROXY` honoured, `HTTP_PROXY` ignored in
/// a CGI process, `ARIZE_PROXY_URL` for everything. The proxy is a raw
/// server that records what reaches it; the API itself is a dead port, so
/// a request that does not go through the proxy fails to connect.
async fn proxy_by_scheme() -> Result<(), String> {
    let mut failures = Vec::new();
    for &case in PROXY_CASES {
        if let Err(e) = proxy_case(case).await {
            failures.push(e);
        }
    }
    check(failures.is_empty(), || {
        format!(
            "{} of {} cases: {}",
            failures.len(),
            PROXY_CASES.len(),
            failures.join(" || ")
        )
    })
}

async fn proxy_case((what, vars, scheme, proxied): ProxyCase) -> Result<(), String> {
    let proxy = RawServer::start(|head| {
        if head.starts_with("CONNECT ") {
            Reply::Full(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n".to_vec())
        } else {
            binding_reply()
        }
    })
    .await;
    let api = format!("127.0.0.1:{}", dead_port());
    let mut env: Vec<(&str, String)> = vec![
        ("ARIZE_API_KEY", KEY.to_owned()),
        ("ARIZE_BASE_URL", format!("{scheme}://{api}")),
    ];
    for (name, value) in vars {
        let value = if *value == PROXY {
            proxy.base_url.clone()
        } else {
            (*value).to_owned()
        };
        env.push((name, value));
    }
    let client = env_builder(&env)
        .and_then(|b| b.retry_policy(RetryPolicy::none()).build())
        .map_err(|e| format!("{what}: build: {e}"))?;
    let result = client.get(&RoleBindingId::new(BINDING)).await;
    let seen = proxy.requests.load(Ordering::SeqCst);
    let head = proxy.last_head.lock().unwrap().clone();
    if !proxied {
        check(seen == 0, || {
            format!("{what}: the proxy must not be used, but it received: {head:?}")
        })?;
        check(
            matches!(
                &result,
                Err(Error::Transport {
                    phase: TransportPhase::Connect,
                    ..
                })
            ),
            || format!("{what}: expected a direct connect failure, got {result:?}"),
        )?;
        return Ok(());
    }
    let expected_start = if scheme == "https" {
        format!("CONNECT {api} ")
    } else {
        format!("GET http://{api}/v2/role-bindings/{BINDING} ")
    };
    check(seen == 1 && head.starts_with(&expected_start), || {
        format!(
            "{what}: the proxy received {seen} request(s), last {head:?}; expected {expected_start:?}"
        )
    })?;
    let ok = if scheme == "https" {
        result.is_err()
    } else {
        result.as_ref().is_ok_and(|b| b.id == BINDING)
    };
    check(ok, || format!("{what}: {result:?}"))?;
    if let Err(e) = &result {
        error_without_key(e)?;
    }
    Ok(())
}

/// A configuration value with `user:password@` gives an error that names
/// the setting and shows the value with `***` for the userinfo, in
/// `Display` and `Debug`; so does the builder's `Debug`.
async fn config_errors_hide_credentials() -> Result<(), String> {
    for &(setting, value, secret) in CREDENTIAL_CASES {
        let b = match setting {
            "ClientBuilder::base_url" => Ok(Client::builder().api_key(KEY).base_url(value)),
            "ClientBuilder::proxy" => Ok(Client::builder().api_key(KEY).proxy(value)),
            // Some values are refused by from_env already, others by build.
            _ => env_builder(&[
                ("ARIZE_API_KEY", KEY.to_owned()),
                (setting, value.to_owned()),
            ]),
        };
        let built = match b {
            Ok(b) => {
                let debug = format!("{b:?} {b:#?}");
                check(!debug.contains(secret), || {
                    format!("{setting}={value}: the builder's Debug shows the credentials: {debug}")
                })?;
                b.build()
            }
            Err(e) => Err(e),
        };
        let err = match built {
            Err(e @ Error::Config(_)) => e,
            other => {
                return Err(format!(
                    "{setting}={value}: expected a config error, got {other:?}"
                ));
            }
        };
        let text = error_text(&err);
        check(
            !text.contains(secret) && text.contains("***@") && text.contains(setting),
            || format!("{setting}={value}: {text}"),
        )?;
        error_without_key(&err)?;
    }
    Ok(())
}

/// A 429 (and a 503) whose body is over `max_response_body` — declared by
/// `Content-Length` or streamed without end — is retried after its
/// `Retry-After`, like any 429: the status and headers decide, the body
/// only gives the excerpt.
async fn oversized_error_body_retried() -> Result<(), String> {
    const FIVE_MB: u64 = 5 * 1000 * 1000;
    for (status, chunked, cap) in [
        (429u16, false, None),
        (429, true, Some(1024u64)),
        (503, false, Some(1024)),
        (503, true, None),
    ] {
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        let server = RawServer::start(move |_| {
            if counter.fetch_add(1, Ordering::SeqCst) > 0 {
                return binding_reply();
            }
            let framing = if chunked {
                "transfer-encoding: chunked".to_owned()
            } else {
                format!("content-length: {FIVE_MB}")
            };
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/problem+json\r\nretry-after: 2\r\n{framing}\r\n\r\n"
            );
            let mut start = head.into_bytes();
            let opening = br#"{"title":"Too Many Requests","status":429,"detail":""#;
            let chunk = if chunked {
                start.extend(raw::chunk(opening));
                raw::chunk(&[b'x'; 16 * 1024])
            } else {
                start.extend_from_slice(opening);
                vec![b'x'; 16 * 1024]
            };
            Reply::Stream {
                head: start,
                chunk,
                max: FIVE_MB - opening.len() as u64,
            }
        })
        .await;
        let sleeper = Arc::new(RecordingSleeper::default());
        let mut b = builder(&server.base_url, &sleeper);
        if let Some(cap) = cap {
            b = b.max_response_body(cap);
        }
        let client = b.build().map_err(|e| e.to_string())?;
        let result = client.get(&RoleBindingId::new(BINDING)).await;
        let what = format!("{status}, chunked {chunked}, cap {cap:?}");
        check(result.as_ref().is_ok_and(|b| b.id == BINDING), || {
            format!("{what}: expected Ok after one retry, got {result:?}")
        })?;
        let waits = sleeper.delays();
        check(
            waits == [Duration::from_secs(2)] && server.requests.load(Ordering::SeqCst) == 2,
            || {
                format!(
                    "{what}: waits {waits:?}, {} requests",
                    server.requests.load(Ordering::SeqCst)
                )
            },
        )?;
    }
    // Without a retry to come, the error is the status with an excerpt.
    let server = RawServer::start(|_| Reply::Stream {
        head: b"HTTP/1.1 429 X\r\ncontent-type: text/html\r\nretry-after: 7\r\ncontent-length: 5000000\r\n\r\n".to_vec(),
        chunk: vec![b'x'; 16 * 1024],
        max: FIVE_MB,
    })
    .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.base_url)
        .retry_policy(RetryPolicy::none())
        .build()
        .map_err(|e| e.to_string())?;
    match client.get(&RoleBindingId::new(BINDING)).await {
        Err(e @ Error::Api { .. })
            if e.status().map(|s| s.as_u16()) == Some(429)
                && e.retry_after() == Some(Duration::from_secs(7))
                && e.problem()
                    .and_then(|p| p.detail.as_deref())
                    .is_some_and(|d| d.starts_with("xxx") && d.chars().count() <= 257) =>
        {
            Ok(())
        }
        other => Err(format!("a 5 MB 429 without retries: {other:?}")),
    }
}

/// After a `429 Retry-After: 20` (cap 30 s), a call with a 10 s deadline
/// is not sent and fails at once with `RateLimited`: status 429,
/// `retry_after` what is left of the pause — not a `Deadline` after 0
/// attempts.
async fn pause_past_deadline_is_rate_limited() -> Result<(), String> {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let server = RawServer::start(move |_| {
        if counter.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::Full(raw::response(
                429,
                "application/problem+json",
                "retry-after: 20\r\n",
                br#"{"title":"Too Many Requests","status":429}"#,
            ))
        } else {
            binding_reply()
        }
    })
    .await;
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = builder(&server.base_url, &sleeper)
        .retry_policy(policy().max_retry_after(Duration::from_secs(30)))
        .deadline(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())?;
    let id = RoleBindingId::new(BINDING);
    let paused_at = Instant::now();
    // The 429 itself: its 20 s wait would pass the 10 s deadline.
    match client.get(&id).await {
        Err(e) if e.status().map(|s| s.as_u16()) == Some(429) => {}
        other => return Err(format!("first call: expected the 429, got {other:?}")),
    }
    // Every later call of the client (and of its clones) within the pause.
    for (n, c) in [client.clone(), client.clone()].iter().enumerate() {
        let result = c.get(&id).await;
        let elapsed = paused_at.elapsed();
        let err = match result {
            Err(e @ Error::RateLimited { .. }) => e,
            other => return Err(format!("call {n}: expected RateLimited, got {other:?}")),
        };
        let left = err.retry_after().unwrap_or_default();
        check(
            err.status().map(|s| s.as_u16()) == Some(429)
                && left <= Duration::from_secs(20)
                && left + elapsed >= Duration::from_secs(20)
                && err.is_retryable(),
            || format!("call {n}: {err:?} (retry_after {left:?}, {elapsed:?} after the 429)"),
        )?;
        let text = err.to_string();
        check(
            text.contains("rate-limited until") && text.contains('Z'),
            || text.clone(),
        )?;
        error_without_key(&err)?;
    }
    let sent = server.requests.load(Ordering::SeqCst);
    check(sent == 1 && sleeper.delays().is_empty(), || {
        format!("{sent} requests, waits {:?}", sleeper.delays())
    })
}

/// A server whose listing never ends (every page fresh: a new cursor, a
/// binding never seen before, `has_more`) stops `revoke` and `ensure` after
/// `MAX_LOOKUP_PAGES` pages with `Pagination(TooManyPages)`.
async fn endless_lookup_bounded() -> Result<(), String> {
    let pages = Arc::new(AtomicUsize::new(0));
    let counter = pages.clone();
    let server = RawServer::start(move |head| {
        if head.starts_with("POST ") {
            return Reply::Full(raw::response(
                409,
                "application/problem+json",
                "",
                br#"{"title":"Conflict","status":409,"detail":"binding exists"}"#,
            ));
        }
        let n = counter.fetch_add(1, Ordering::SeqCst);
        let body = format!(
            r#"{{"role_bindings":[{{"id":"binding-{n}","role_id":"{ROLE}","user_id":"{USER}","resource_type":"SPACE","resource_id":"other-space-{n}","created_at":"2024-06-01T10:00:00Z","updated_at":"2024-06-01T10:00:00Z"}}],"pagination":{{"has_more":true,"next_cursor":"cursor-{n}"}}}}"#
        );
        Reply::Full(raw::response(200, "application/json", "", body.as_bytes()))
    })
    .await;
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = builder(&server.base_url, &sleeper)
        .build()
        .map_err(|e| e.to_string())?;
    let (user, space) = (UserId::new(USER), Resource::Space(SpaceId::new(SPACE)));
    let limit = arize_role_bindings::MAX_LOOKUP_PAGES;
    for op in ["revoke", "ensure"] {
        pages.store(0, Ordering::SeqCst);
        let result = match op {
            "revoke" => client.revoke(&user, &space).await.map(|_| ()),
            _ => client
                .ensure(&user, &RoleId::new(ROLE), &space)
                .await
                .map(|_| ()),
        };
        let fetched = pages.load(Ordering::SeqCst) as u64;
        match &result {
            Err(e @ Error::Pagination(PaginationError::TooManyPages { pages })) => {
                check(
                    *pages == limit && (limit..=limit + 1).contains(&fetched),
                    || format!("{op}: {e} after {fetched} requests (limit {limit})"),
                )?;
            }
            other => {
                return Err(format!(
                    "{op}: expected TooManyPages after {limit} pages, got {other:?} after {fetched} requests"
                ));
            }
        }
    }
    Ok(())
}
