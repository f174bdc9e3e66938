//! Hostile input over the wire: hostile binding and user IDs reach the fake
//! server as one path segment or one query value (its request log shows
//! what arrived); arbitrary response bodies; plain http to other hosts; the
//! response-body cap.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use arize_fake_server::{FakeServer, Operation, Seed};
use arize_role_bindings::{
    Client, ClientBuilder, ConfigError, Error, ListQuery, ProjectId, Resource, ResourceType,
    RetryPolicy, RoleBindingId, RoleId, SpaceId, UserId, ValidationError,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::raw::{self, RawServer, Reply};
use crate::support::*;

/// Hand-picked IDs: every character class the issue names, and the ones a
/// URL parser treats specially.
pub const HOSTILE_IDS: &[&str] = &[
    "a/b",
    "/",
    "//",
    "../../etc/passwd",
    "..%2F..%2Fv2",
    "%2e%2e",
    ".%2e",
    "?",
    "id?resource_type=PROJECT",
    "#frag",
    "id#x?y",
    "%",
    "%25",
    "%2F",
    "100%",
    " ",
    " leading and trailing ",
    "tab\there",
    "new\nline",
    "cr\rlf\r\n",
    "nul\0byte",
    "ünïcødé",
    "日本語/テスト",
    "emoji😀/🔥",
    "\u{202e}rtl-override",
    "a&b=c",
    "a+b",
    "semi;colon",
    "@at:colon",
    "quote\"'`<>{}|^[]",
    "Um9sZUJpbmRpbmc6MTphQmNE/../x",
];

/// IDs a URL would not keep as one path segment: refused before sending.
pub const UNSENDABLE_BINDING_IDS: &[&str] = &[".", "..", "\\", "a\\b", "..\\x", "\\..\\"];

const PROP_BINDING_CASES: u32 = 2_000;
const PROP_USER_CASES: u32 = 1_000;
const PROP_BODY_CASES: u32 = 300;
const LIMIT: Duration = Duration::from_secs(240);

pub fn names() -> Vec<String> {
    [
        "hostile::binding_ids_one_segment",
        "hostile::unsendable_binding_ids_refused",
        "hostile::user_ids_one_query_value",
        "hostile::user_ids_in_bodies",
        "hostile::prop_binding_ids_one_segment",
        "hostile::prop_user_ids_one_query_value",
        "hostile::prop_arbitrary_success_bodies",
        "hostile::prop_arbitrary_error_bodies",
        "hostile::plain_http_refused",
        "hostile::body_cap_content_length",
        "hostile::body_cap_streamed",
        "hostile::body_cap_boundaries",
        "hostile::body_cap_default",
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
                report.bad_inputs += $cases;
                report.push($name, result);
            }
        };
    }
    case!(
        "hostile::binding_ids_one_segment",
        HOSTILE_IDS.len() * 3,
        binding_ids_one_segment()
    );
    case!(
        "hostile::unsendable_binding_ids_refused",
        UNSENDABLE_BINDING_IDS.len() * 3,
        unsendable_binding_ids_refused()
    );
    case!(
        "hostile::user_ids_one_query_value",
        HOSTILE_IDS.len() * 2,
        user_ids_one_query_value()
    );
    case!(
        "hostile::user_ids_in_bodies",
        HOSTILE_IDS.len() * 2,
        user_ids_in_bodies()
    );
    case!(
        "hostile::prop_binding_ids_one_segment",
        PROP_BINDING_CASES as usize,
        blocking(prop_binding_ids_one_segment)
    );
    case!(
        "hostile::prop_user_ids_one_query_value",
        PROP_USER_CASES as usize,
        blocking(prop_user_ids_one_query_value)
    );
    case!(
        "hostile::prop_arbitrary_success_bodies",
        PROP_BODY_CASES as usize * 2,
        blocking(prop_arbitrary_success_bodies)
    );
    case!(
        "hostile::prop_arbitrary_error_bodies",
        PROP_BODY_CASES as usize,
        blocking(prop_arbitrary_error_bodies)
    );
    case!("hostile::plain_http_refused", 20, plain_http_refused());
    case!(
        "hostile::body_cap_content_length",
        3,
        body_cap_content_length()
    );
    case!("hostile::body_cap_streamed", 2, body_cap_streamed());
    case!("hostile::body_cap_boundaries", 4, body_cap_boundaries());
    case!("hostile::body_cap_default", 2, body_cap_default());
}

/// Runs a property that drives async code on a blocking thread.
async fn blocking(f: fn(tokio::runtime::Handle) -> Result<(), String>) -> Result<(), String> {
    let handle = tokio::runtime::Handle::current();
    match tokio::task::spawn_blocking(move || f(handle)).await {
        Ok(result) => result,
        Err(join) if join.is_panic() => {
            PANICS.fetch_add(1, Ordering::SeqCst);
            Err("PANIC outside a case".into())
        }
        Err(join) => Err(join.to_string()),
    }
}

fn runner(cases: u32) -> TestRunner {
    let mut config = Config::with_cases(cases);
    config.failure_persistence = None;
    config.max_shrink_iters = 500;
    TestRunner::new(config)
}

fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::string::string_regex(
            "[./?#%&=+:;@\\\\ a-zA-Z0-9_\\-\u{e9}\u{65e5}\u{1F600}\t\r\n\u{0}\u{7f}]{0,24}"
        )
        .unwrap(),
    ]
}

async fn fake() -> Result<FakeServer, String> {
    FakeServer::builder()
        .api_key(KEY)
        .seed(Seed::default())
        .start()
        .await
        .map_err(|e| e.to_string())
}

fn client_for(base_url: &str) -> Result<(Client, Arc<RecordingSleeper>), String> {
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = builder(base_url, &sleeper)
        .build()
        .map_err(|e| e.to_string())?;
    Ok((client, sleeper))
}

/// Sends get, update and delete for `id` and checks that each arrived as
/// exactly one request to `/v2/role-bindings/{one encoded segment}` that
/// decodes to `id`, and failed with a typed error.
async fn one_segment(client: &Client, server: &FakeServer, id: &str) -> Result<(), String> {
    let role = RoleId::new(server.roles()[0].clone());
    let binding = RoleBindingId::new(id);
    for op in [Operation::Get, Operation::Update, Operation::Delete] {
        server.clear_requests();
        let result = match op {
            Operation::Get => client.get(&binding).await.map(|_| ()),
            Operation::Update => client.update(&binding, &role).await.map(|_| ()),
            _ => client.delete(&binding).await,
        };
        let arrived = server.requests();
        let err = match result {
            Ok(()) => return Err(format!("{op:?} of {id:?} succeeded")),
            Err(e) => e,
        };
        error_without_key(&err)?;
        if let Error::Validation(ValidationError::IdTypeMismatch { .. }) = err {
            check(arrived.is_empty(), || {
                format!("{id:?} was refused but sent")
            })?;
            continue;
        }
        check(
            matches!(&err, Error::Api { status, .. } if matches!(status.as_u16(), 400 | 404)),
            || format!("{op:?} of {id:?}: expected Api 404 (or 400), got {err:?}"),
        )?;
        check(arrived.len() == 1, || {
            format!("{op:?} of {id:?}: {} requests arrived", arrived.len())
        })?;
        let r = &arrived[0];
        let raw = r.raw_binding_id.as_deref().unwrap_or_default();
        check(
            r.operation == Some(op)
                && r.binding_id.as_deref() == Some(id)
                && !raw.contains('/')
                && r.raw_path == format!("/v2/role-bindings/{raw}")
                && r.raw_query.is_none(),
            || {
                format!(
                    "{op:?} of {id:?} arrived as {} {}?{:?} (operation {:?}, decoded {:?})",
                    r.method, r.raw_path, r.raw_query, r.operation, r.binding_id
                )
            },
        )?;
    }
    Ok(())
}

async fn binding_ids_one_segment() -> Result<(), String> {
    let server = fake().await?;
    let (client, _) = client_for(server.base_url())?;
    for id in HOSTILE_IDS {
        one_segment(&client, &server, id).await?;
    }
    Ok(())
}

async fn unsendable_binding_ids_refused() -> Result<(), String> {
    let server = fake().await?;
    let (client, _) = client_for(server.base_url())?;
    let role = RoleId::new(server.roles()[0].clone());
    for id in UNSENDABLE_BINDING_IDS {
        let binding = RoleBindingId::new(*id);
        for result in [
            client.get(&binding).await.map(|_| ()),
            client.update(&binding, &role).await.map(|_| ()),
            client.delete(&binding).await,
        ] {
            match result {
                Err(Error::Validation(ValidationError::NotAPathSegment { parameter, id: got }))
                    if parameter == "binding_id" && got == *id => {}
                other => return Err(format!("{id:?}: expected NotAPathSegment, got {other:?}")),
            }
        }
    }
    check(server.requests().is_empty(), || {
        format!("{} requests were sent", server.requests().len())
    })
}

/// Lists with `id` as the user filter; the request carries exactly the
/// parameters the client set, `user_id` decoding to `id`.
async fn one_query_value(
    client: &Client,
    server: &FakeServer,
    id: &str,
    cursor_first: bool,
) -> Result<(), String> {
    server.clear_requests();
    let mut query = ListQuery::new(ResourceType::Project)
        .user(UserId::new(id))
        .limit(7);
    if cursor_first {
        // A hostile cursor too: it must travel as one value.
        query = query.cursor(format!("c{id}"));
    }
    let result = client.list_page(&query).await;
    let arrived = server.requests();
    let err = match result {
        Ok(page) => return Err(format!("listing for {id:?} succeeded: {page:?}")),
        Err(e) => e,
    };
    error_without_key(&err)?;
    if matches!(
        err,
        Error::Validation(ValidationError::IdTypeMismatch { .. } | ValidationError::EmptyId { .. })
    ) {
        return check(arrived.is_empty(), || format!("{id:?} refused but sent"));
    }
    check(
        matches!(&err, Error::Api { status, .. } if matches!(status.as_u16(), 400 | 404)),
        || format!("list for {id:?}: expected Api 404/400, got {err:?}"),
    )?;
    check(arrived.len() == 1, || {
        format!("{} requests for {id:?}", arrived.len())
    })?;
    let r = &arrived[0];
    let query = r.raw_query.clone().unwrap_or_default();
    let url = reqwest::Url::parse(&format!("http://x/?{query}")).map_err(|e| e.to_string())?;
    let mut pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    pairs.sort();
    let mut want = vec![
        ("limit".to_owned(), "7".to_owned()),
        ("resource_type".to_owned(), "PROJECT".to_owned()),
        ("user_id".to_owned(), id.to_owned()),
    ];
    if cursor_first {
        want.push(("cursor".to_owned(), format!("c{id}")));
    }
    want.sort();
    check(
        r.operation == Some(Operation::List) && r.raw_path == "/v2/role-bindings" && pairs == want,
        || {
            format!(
                "list for {id:?} arrived as {}?{query} (operation {:?}): {pairs:?}",
                r.raw_path, r.operation
            )
        },
    )
}

async fn user_ids_one_query_value() -> Result<(), String> {
    let server = fake().await?;
    let (client, _) = client_for(server.base_url())?;
    for id in HOSTILE_IDS.iter().chain(UNSENDABLE_BINDING_IDS) {
        one_query_value(&client, &server, id, false).await?;
        one_query_value(&client, &server, id, true).await?;
    }
    Ok(())
}

/// Hostile user and resource IDs in a create (through `ensure`) travel in
/// the JSON body, intact; the answer is a typed error.
async fn user_ids_in_bodies() -> Result<(), String> {
    let server = fake().await?;
    let (client, _) = client_for(server.base_url())?;
    let role = RoleId::new(server.roles()[0].clone());
    let space = SpaceId::new(server.spaces()[0].clone());
    for id in HOSTILE_IDS {
        for (user, resource) in [
            (UserId::new(*id), Resource::Space(space.clone())),
            (
                UserId::new(server.users()[0].clone()),
                Resource::Project(ProjectId::new(*id)),
            ),
        ] {
            server.clear_requests();
            let result = client.ensure(&user, &role, &resource).await;
            let arrived = server.requests();
            let err = match result {
                Ok(e) => return Err(format!("ensure with {id:?} succeeded: {e:?}")),
                Err(e) => e,
            };
            error_without_key(&err)?;
            check(
                matches!(&err, Error::Api { status, .. } if matches!(status.as_u16(), 403 | 404 | 422)),
                || format!("ensure with {id:?}: {err:?}"),
            )?;
            check(arrived.len() == 1, || format!("{} requests", arrived.len()))?;
            let body: serde_json::Value =
                serde_json::from_str(arrived[0].body.as_deref().unwrap_or_default())
                    .map_err(|e| format!("body: {e}"))?;
            check(
                body["user_id"] == user.as_str() && body["resource_id"] == resource.id(),
                || format!("body for {id:?}: {body}"),
            )?;
        }
    }
    Ok(())
}

fn prop_binding_ids_one_segment(handle: tokio::runtime::Handle) -> Result<(), String> {
    let (server, client) = handle.block_on(async {
        let server = fake().await?;
        let (client, _) = client_for(server.base_url())?;
        Ok::<_, String>((server, client))
    })?;
    runner(PROP_BINDING_CASES)
        .run(&hostile_string(), |id| {
            handle
                .block_on(async {
                    let binding = RoleBindingId::new(id.clone());
                    if binding.validate().is_err() {
                        // Refused before sending: nothing may arrive.
                        server.clear_requests();
                        let result = client.get(&binding).await;
                        check(matches!(result, Err(Error::Validation(_))), || {
                            format!("{id:?}: {result:?}")
                        })?;
                        return check(server.requests().is_empty(), || {
                            format!("{id:?} refused but sent")
                        });
                    }
                    one_segment(&client, &server, &id).await
                })
                .map_err(TestCaseError::fail)
        })
        .map_err(|e| e.to_string())
}

fn prop_user_ids_one_query_value(handle: tokio::runtime::Handle) -> Result<(), String> {
    let (server, client) = handle.block_on(async {
        let server = fake().await?;
        let (client, _) = client_for(server.base_url())?;
        Ok::<_, String>((server, client))
    })?;
    runner(PROP_USER_CASES)
        .run(&(hostile_string(), any::<bool>()), |(id, cursor)| {
            handle
                .block_on(one_query_value(&client, &server, &id, cursor))
                .map_err(TestCaseError::fail)
        })
        .map_err(|e| e.to_string())
}

/// Arbitrary bytes and arbitrary JSON as a 200 body of get and list:
/// always `Ok` or `Error::Decode`, never anything else, never a panic.
fn prop_arbitrary_success_bodies(handle: tokio::runtime::Handle) -> Result<(), String> {
    let body = Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
    let served = body.clone();
    let (server, client) = handle.block_on(async move {
        let server = RawServer::start(move |_| {
            Reply::Full(raw::response(
                200,
                "application/json",
                "",
                &served.lock().unwrap(),
            ))
        })
        .await;
        let (client, _) = client_for(&server.base_url)?;
        Ok::<_, String>((server, client))
    })?;
    let bytes = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        any::<String>().prop_map(String::into_bytes),
        Just(raw::BINDING_JSON.as_bytes().to_vec()),
    ];
    let result = runner(PROP_BODY_CASES)
        .run(&bytes, |b| {
            *body.lock().unwrap() = b.clone();
            handle
                .block_on(async {
                    let get = client
                        .get(&RoleBindingId::new("Um9sZUJpbmRpbmc6MTphQmNE"))
                        .await;
                    let list = client.list_page(&ListQuery::new(ResourceType::Space)).await;
                    for (what, err) in [("get", get.err()), ("list", list.err())] {
                        if let Some(err) = err {
                            error_without_key(&err)?;
                            check(matches!(err, Error::Decode { .. }), || {
                                format!("{what} of {:?}: {err:?}", String::from_utf8_lossy(&b))
                            })?;
                        }
                    }
                    Ok::<_, String>(())
                })
                .map_err(TestCaseError::fail)
        })
        .map_err(|e| e.to_string());
    drop(server);
    result
}

/// Arbitrary bytes with an error status: always `Error::Api` with that
/// status (the body becomes the problem's detail at most).
fn prop_arbitrary_error_bodies(handle: tokio::runtime::Handle) -> Result<(), String> {
    let state = Arc::new(std::sync::Mutex::new((500u16, Vec::<u8>::new())));
    let served = state.clone();
    let (server, client) = handle.block_on(async move {
        let server = RawServer::start(move |_| {
            let (status, body) = served.lock().unwrap().clone();
            Reply::Full(raw::response(status, "text/html", "", &body))
        })
        .await;
        let client = Client::builder()
            .api_key(KEY)
            .base_url(&server.base_url)
            .retry_policy(RetryPolicy::none())
            .build()
            .map_err(|e| e.to_string())?;
        Ok::<_, String>((server, client))
    })?;
    let statuses = prop::sample::select(vec![
        400u16, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504,
    ]);
    let result = runner(PROP_BODY_CASES)
        .run(
            &(statuses, prop::collection::vec(any::<u8>(), 0..200)),
            |(status, b)| {
                *state.lock().unwrap() = (status, b.clone());
                handle
                    .block_on(async {
                        let err = match client
                            .get(&RoleBindingId::new("Um9sZUJpbmRpbmc6MTphQmNE"))
                            .await
                        {
                            Ok(v) => return Err(format!("{status}: Ok({v:?})")),
                            Err(e) => e,
                        };
                        error_without_key(&err)?;
                        check(
                            err.status().map(|s| s.as_u16()) == Some(status)
                                && matches!(err, Error::Api { .. }),
                            || format!("{status} with {:?}: {err:?}", String::from_utf8_lossy(&b)),
                        )
                    })
                    .map_err(TestCaseError::fail)
            },
        )
        .map_err(|e| e.to_string());
    drop(server);
    result
}

async fn plain_http_refused() -> Result<(), String> {
    let refused = [
        "http://api.arize.com",
        "http://api.eu-west-1a.arize.com:8080",
        "http://10.0.0.7:4010",
        "http://[2001:db8::1]",
        "http://localhost.example.com",
        "http://127.0.0.1.nip.io",
        "http://0.0.0.0:4010",
    ];
    for url in refused {
        match Client::builder().api_key(KEY).base_url(url).build() {
            Err(Error::Config(ConfigError::InsecureHttp { url: got, .. })) => {
                check(
                    got.trim_end_matches('/') == url.trim_end_matches('/'),
                    || got.clone(),
                )?;
            }
            other => return Err(format!("{url}: expected InsecureHttp, got {other:?}")),
        }
        let err = Client::builder()
            .api_key(KEY)
            .base_url(url)
            .build()
            .err()
            .ok_or("accepted")?;
        error_without_key(&err)?;
        check(err.to_string().contains("allow_insecure_http"), || {
            err.to_string()
        })?;
        // Opting in explicitly works.
        Client::builder()
            .api_key(KEY)
            .base_url(url)
            .allow_insecure_http()
            .build()
            .map_err(|e| format!("{url} with allow_insecure_http: {e}"))?;
    }
    for url in [
        "http://127.0.0.1:1",
        "http://127.1.2.3",
        "http://localhost:8080",
        "http://[::1]:4010",
        "https://api.arize.com",
        "https://10.0.0.7",
    ] {
        Client::builder()
            .api_key(KEY)
            .base_url(url)
            .build()
            .map_err(|e| format!("{url}: {e}"))?;
    }
    // The environment: a plain-http ARIZE_BASE_URL is refused; choosing
    // ARIZE_API_SCHEME=http is the explicit opt-in; the default is https.
    let env = |vars: &'static [(&'static str, &'static str)]| {
        ClientBuilder::from_env_with(move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
        .and_then(ClientBuilder::build)
    };
    match env(&[
        ("ARIZE_API_KEY", KEY),
        ("ARIZE_BASE_URL", "http://gateway.corp"),
    ]) {
        Err(Error::Config(ConfigError::InsecureHttp { setting, .. })) => {
            check(setting == "ARIZE_BASE_URL", || setting.to_owned())?
        }
        other => return Err(format!("ARIZE_BASE_URL=http://gateway.corp: {other:?}")),
    }
    let client = env(&[
        ("ARIZE_API_KEY", KEY),
        ("ARIZE_API_HOST", "gateway.corp"),
        ("ARIZE_API_SCHEME", "http"),
    ])
    .map_err(|e| e.to_string())?;
    check(client.base_url() == "http://gateway.corp", || {
        client.base_url().to_owned()
    })?;
    let client = env(&[("ARIZE_API_KEY", KEY)]).map_err(|e| e.to_string())?;
    check(client.base_url().starts_with("https://"), || {
        client.base_url().to_owned()
    })
}

/// A body whose `Content-Length` is over the cap is refused at once: the
/// client does not read it (the server cannot even hand it all to the
/// socket before the client hangs up). An error status with such a body is
/// that status (the body cut at the cap, for the excerpt), not a refusal.
async fn body_cap_content_length() -> Result<(), String> {
    const DECLARED: u64 = 256 * 1024 * 1024;
    let head = |status: u16| {
        format!(
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {DECLARED}\r\n\r\n"
        )
        .into_bytes()
    };
    for (status, want_status) in [(200u16, 200u16), (404, 404)] {
        let server = RawServer::start(move |_| Reply::Stream {
            head: head(status),
            chunk: vec![b' '; 64 * 1024],
            max: DECLARED,
        })
        .await;
        let sleeper = Arc::new(RecordingSleeper::default());
        let client = builder(&server.base_url, &sleeper)
            .max_response_body(1024 * 1024)
            .build()
            .map_err(|e| e.to_string())?;
        let result = client
            .get(&RoleBindingId::new("Um9sZUJpbmRpbmc6MTphQmNE"))
            .await;
        match &result {
            Err(Error::ResponseTooLarge { status, limit, .. }) if want_status == 200 => check(
                status.map(|s| s.as_u16()) == Some(want_status) && *limit == 1024 * 1024,
                || format!("{result:?}"),
            )?,
            Err(Error::Api { status, .. }) if want_status == 404 => {
                check(status.as_u16() == 404, || format!("{result:?}"))?
            }
            other => {
                return Err(format!(
                    "status {status}: expected ResponseTooLarge (200) or Api 404, got {other:?}"
                ));
            }
        }
        check(
            sleeper.delays().is_empty() && server.requests.load(Ordering::SeqCst) == 1,
            || "retried".into(),
        )?;
        // Give the server a moment to notice the closed connection.
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let streamed = server.streamed.load(Ordering::SeqCst);
        check(streamed < DECLARED / 4, || {
            format!("the server wrote {streamed} of {DECLARED} bytes: the body was read")
        })?;
    }
    // An undocumented error status with a huge body: the status decides.
    let server = RawServer::start(move |_| Reply::Stream {
        head: format!(
            "HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\ncontent-length: {DECLARED}\r\n\r\n"
        )
        .into_bytes(),
        chunk: vec![b'x'; 64 * 1024],
        max: DECLARED,
    })
    .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.base_url)
        .retry_policy(RetryPolicy::none())
        .build()
        .map_err(|e| e.to_string())?;
    match client
        .get(&RoleBindingId::new("Um9sZUJpbmRpbmc6MTphQmNE"))
        .await
    {
        Err(Error::Api { status, .. }) if status.as_u16() == 502 => Ok(()),
        other => Err(format!("502 with a huge body: {other:?}")),
    }
}

/// A chunked body that never ends is cut off at the cap.
async fn body_cap_streamed() -> Result<(), String> {
    for limit in [64 * 1024u64, 1024 * 1024] {
        let server = RawServer::start(|_| Reply::Stream {
            head: b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_vec(),
            chunk: raw::chunk(&[b' '; 16 * 1024]),
            max: u64::MAX,
        })
        .await;
        let client = Client::builder()
            .api_key(KEY)
            .base_url(&server.base_url)
            .max_response_body(limit)
            .build()
            .map_err(|e| e.to_string())?;
        let result = client.list_page(&ListQuery::new(ResourceType::Space)).await;
        check(
            matches!(result, Err(Error::ResponseTooLarge { limit: l, .. }) if l == limit),
            || format!("endless body with cap {limit}: {result:?}"),
        )?;
        check(server.requests.load(Ordering::SeqCst) == 1, || {
            "retried".into()
        })?;
    }
    Ok(())
}

/// Exactly at the cap is accepted; one byte more is refused — with and
/// without `Content-Length`.
async fn body_cap_boundaries() -> Result<(), String> {
    let exact = raw::BINDING_JSON.len() as u64;
    for chunked in [false, true] {
        let server = RawServer::start(move |_| {
            if chunked {
                let mut bytes = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
                let (a, b) = raw::BINDING_JSON.as_bytes().split_at(40);
                bytes.extend(raw::chunk(a));
                bytes.extend(raw::chunk(b));
                bytes.extend(b"0\r\n\r\n");
                Reply::Full(bytes)
            } else {
                Reply::Full(raw::response(200, "application/json", "", raw::BINDING_JSON.as_bytes()))
            }
        })
        .await;
        for (limit, fits) in [(exact, true), (exact - 1, false)] {
            let client = Client::builder()
                .api_key(KEY)
                .base_url(&server.base_url)
                .max_response_body(limit)
                .build()
                .map_err(|e| e.to_string())?;
            let result = client
                .get(&RoleBindingId::new("Um9sZUJpbmRpbmc6MTphQmNE"))
                .await;
            let ok = match &result {
                Ok(b) => b.id == "Um9sZUJpbmRpbmc6MTphQmNE",
                Err(Error::ResponseTooLarge { limit: l, .. }) => !fits && *l == limit,
                Err(_) => false,
            };
            check(ok && result.is_ok() == fits, || {
                format!("chunked {chunked}, limit {limit} (body {exact}): {result:?}")
            })?;
        }
    }
    Ok(())
}

/// The default cap is 4 MiB: a 5 MiB answer is refused, a normal one is
/// not; zero is not a valid cap.
async fn body_cap_default() -> Result<(), String> {
    let server = RawServer::start(|_| Reply::Stream {
        head: b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_vec(),
        chunk: raw::chunk(&[b' '; 64 * 1024]),
        max: 5 * 1024 * 1024,
    })
    .await;
    let (client, _) = client_for(&server.base_url)?;
    let result = client.list_page(&ListQuery::new(ResourceType::Space)).await;
    check(
        matches!(result, Err(Error::ResponseTooLarge { limit, .. }) if limit == arize_role_bindings::config::DEFAULT_MAX_RESPONSE_BODY && limit == 4 * 1024 * 1024),
        || format!("5 MiB with the default cap: {result:?}"),
    )?;
    match Client::builder().api_key(KEY).max_response_body(0).build() {
        Err(Error::Config(ConfigError::Malformed {
            setting: "ClientBuilder::max_response_body",
            ..
        })) => Ok(()),
        other => Err(format!("max_response_body(0): {other:?}")),
    }
}
