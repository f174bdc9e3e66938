//! Memory stays bounded (issue 9, item 7): the key is checked before the
//! body is read, and the request log is a ring. The long-run checks run the
//! `arize-fake-server` binary as a child, as users do, and read its
//! resident set from `/proc/<pid>/status`; they print the figures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout
)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use arize_fake_server::{DEFAULT_REQUEST_LOG, FakeServer, Seed};
use common::{Api, KEY};
use futures::StreamExt as _;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const MIB: usize = 1024 * 1024;

struct Running {
    child: Child,
    base_url: String,
    bindings: Vec<String>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_binary(args: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_arize-fake-server"))
        .args(args)
        .env("ARIZE_FAKE_API_KEY", KEY)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    Running {
        base_url: info["base_url"].as_str().unwrap().to_owned(),
        bindings: info["bindings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].as_str().unwrap().to_owned())
            .collect(),
        child,
    }
}

/// The child's resident set (`VmRSS`), in bytes.
fn rss(child: &Child) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    let kib: usize = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .map(|v| v.trim().parse().unwrap())
        .expect("VmRSS in /proc/<pid>/status");
    kib * 1024
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / MIB as f64
}

/// Sends `n` cheap authorised GETs (one seeded binding each), 16 at a time
/// over keep-alive connections; every answer must be 200.
async fn drive(http: &reqwest::Client, urls: &Arc<Vec<String>>, n: usize) {
    let results: Vec<u16> = futures::stream::iter(0..n)
        .map(|i| {
            let http = http.clone();
            let urls = Arc::clone(urls);
            async move {
                http.get(&urls[i % urls.len()])
                    .bearer_auth(KEY)
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0)
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let bad = results.iter().filter(|s| **s != 200).count();
    assert_eq!(bad, 0, "{bad} of {n} requests were not answered 200");
}

/// 100,000 requests against the binary with its default request log: the
/// resident set after 100,000 is about what it was after 10,000 (the log
/// keeps the last 10,000; before, every request stayed in memory, ~735 B
/// each: +60 MB here).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_run_of_100_000_requests_keeps_the_binary_flat() {
    let running = start_binary(&["--users", "4", "--spaces", "2", "--bindings", "8"]);
    let urls: Arc<Vec<String>> = Arc::new(
        running
            .bindings
            .iter()
            .map(|id| format!("{}/v2/role-bindings/{id}", running.base_url))
            .collect(),
    );
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .pool_max_idle_per_host(16)
        .build()
        .unwrap();
    let start = rss(&running.child);
    drive(&http, &urls, 10_000).await;
    let at_10k = rss(&running.child);
    drive(&http, &urls, 90_000).await;
    let at_100k = rss(&running.child);
    println!(
        "fake server RSS: {:.1} MiB at start, {:.1} MiB after 10,000 requests, {:.1} MiB after 100,000 (growth 10k -> 100k: {:+.1} MiB; request log {DEFAULT_REQUEST_LOG} entries)",
        mib(start),
        mib(at_10k),
        mib(at_100k),
        mib(at_100k) - mib(at_10k),
    );
    // The 90,000 requests after the first 10,000 add nothing to the log;
    // allow allocator noise, far below the ~60 MB the unbounded log added.
    assert!(
        at_100k < at_10k + 8 * MIB,
        "RSS grew from {:.1} MiB to {:.1} MiB",
        mib(at_10k),
        mib(at_100k)
    );
}

/// Sends one `POST` with a body of `len` bytes and no key on a raw socket;
/// returns the status line (empty if the server closed before answering,
/// which it may do since it does not read the body).
async fn unauthenticated_post(addr: &str, len: usize, body: Arc<Vec<u8>>) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /v2/role-bindings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    // Write the body while reading the answer: the server answers before
    // reading it, then closes (writes may then fail; that is expected).
    let writing = tokio::spawn(async move {
        let _ = writer.write_all(&body[..len]).await;
    });
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    writing.abort();
    let text = String::from_utf8_lossy(&received);
    text.lines().next().unwrap_or_default().to_owned()
}

/// 300 unauthenticated 1 MiB POSTs: answered 401 without reading the body,
/// so the binary's resident set does not grow by their size (it grew by
/// ~300 MB when each body was read and logged).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unauthenticated_one_mib_posts_do_not_grow_memory() {
    let running = start_binary(&[]);
    let addr = running.base_url.strip_prefix("http://").unwrap().to_owned();
    let body = Arc::new(vec![b'x'; MIB]);
    let before = rss(&running.child);
    let statuses: Vec<String> = futures::stream::iter(0..300)
        .map(|_| unauthenticated_post(&addr, MIB, Arc::clone(&body)))
        .buffer_unordered(30)
        .collect()
        .await;
    let after = rss(&running.child);
    let answered_401 = statuses
        .iter()
        .filter(|s| s.starts_with("HTTP/1.1 401"))
        .count();
    println!(
        "fake server RSS: {:.1} MiB before, {:.1} MiB after 300 unauthenticated 1 MiB POSTs ({answered_401} read a 401 before the close)",
        mib(before),
        mib(after)
    );
    assert!(
        statuses
            .iter()
            .all(|s| s.is_empty() || s.starts_with("HTTP/1.1 401")),
        "{statuses:?}"
    );
    assert!(answered_401 > 0, "no POST read its 401: {statuses:?}");
    assert!(
        after < before + 32 * MIB,
        "RSS grew from {:.1} MiB to {:.1} MiB",
        mib(before),
        mib(after)
    );
}

/// The library: a request without the key is logged without its body (it
/// was never read), one with the key with it.
#[tokio::test]
async fn the_body_of_a_request_without_the_key_is_not_read() {
    let api = Api::start().await;
    let body = serde_json::json!({"user_id": "x", "role_id": "y", "resource_type": "SPACE", "resource_id": "z"});
    let response = api
        .http
        .post(api.url("/v2/role-bindings"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    // The unread body makes the connection unusable: the answer says so.
    assert_eq!(response.headers().get("connection").unwrap(), "close");
    let record = api.server.requests().pop().unwrap();
    assert!(!record.authorized);
    assert_eq!(record.body, None, "the body was read");
    assert_eq!(record.body_len, 0);

    let response = api.post_json(&body).await;
    assert_eq!(
        response.status(),
        403,
        "unknown resource, but the key is right"
    );
    let record = api.server.requests().pop().unwrap();
    assert_eq!(record.body.as_deref(), Some(body.to_string().as_str()));
    assert_eq!(record.body_len, body.to_string().len());
}

/// The library: the log keeps the last N requests (indices keep counting),
/// bodies are kept up to the limit, and `clear_requests` empties it.
#[tokio::test]
async fn the_request_log_is_a_ring_of_the_last_n_requests() {
    let server = FakeServer::builder()
        .api_key(KEY)
        .seed(Seed::default())
        .request_log(100)
        .logged_body_limit(10)
        .start()
        .await
        .unwrap();
    let api = Api::over(server);
    for _ in 0..1_000 {
        assert_eq!(
            api.get("/v2/role-bindings?resource_type=SPACE")
                .await
                .status(),
            200
        );
    }
    let log = api.server.requests();
    assert_eq!(log.len(), 100);
    assert_eq!(api.server.request_log_len(), 100);
    assert_eq!(api.server.total_requests(), 1_000);
    let indices: Vec<usize> = log.iter().map(|r| r.index).collect();
    assert_eq!(indices, (900..1_000).collect::<Vec<_>>());

    let body = serde_json::json!({"role_id": "a-role-id-longer-than-ten-bytes"});
    api.patch_json("some-binding", &body).await;
    let record = api.server.requests().pop().unwrap();
    assert_eq!(record.index, 1_000);
    assert_eq!(record.body.as_deref(), Some(&body.to_string()[..10]));
    assert_eq!(record.body_len, body.to_string().len());

    api.server.clear_requests();
    assert!(api.server.requests().is_empty());
    assert_eq!(api.server.total_requests(), 1_001);
    api.get("/v2/role-bindings?resource_type=SPACE").await;
    assert_eq!(api.server.requests()[0].index, 1_001);
}
