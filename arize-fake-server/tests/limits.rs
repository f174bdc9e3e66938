//! Slow and idle clients (issue 9, item 8): the header-read, body and idle
//! timeouts and the bound on open connections, driven by raw sockets on
//! 127.0.0.1. The server gets timeouts of a few hundred milliseconds; every
//! wait of the test is bounded (`BOUND`), and what is checked is an event
//! (the server closed the connection, a request was answered), never how
//! long it took.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use arize_fake_server::{FakeServer, FakeServerBuilder};
use common::{Api, KEY};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The longest the test waits for anything.
const BOUND: Duration = Duration::from_secs(10);
/// The short timeouts the server gets.
const SHORT: Duration = Duration::from_millis(300);
/// A timeout no check reaches.
const LONG: Duration = Duration::from_secs(60);

async fn start(builder: FakeServerBuilder) -> FakeServer {
    builder.api_key(KEY).start().await.unwrap()
}

async fn connect(server: &FakeServer) -> TcpStream {
    TcpStream::connect(server.addr()).await.unwrap()
}

fn get_request() -> String {
    format!(
        "GET /v2/role-bindings?resource_type=SPACE HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n\r\n"
    )
}

/// Reads until the server closes the connection (EOF or reset), within
/// `BOUND`; returns what arrived. Panics if the connection is still open.
async fn read_until_closed(stream: &mut TcpStream, what: &str) -> String {
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    let closed = tokio::time::timeout(BOUND, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(
        closed.is_ok(),
        "{what}: the server did not close the connection within {BOUND:?}"
    );
    String::from_utf8_lossy(&received).into_owned()
}

/// Reads one response with a `content-length` body (within `BOUND`) and
/// returns its head and body.
async fn read_response(stream: &mut TcpStream) -> (String, String) {
    tokio::time::timeout(BOUND, async {
        let mut received = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            if let Some(end) = find(&received, b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&received[..end]).into_owned();
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        let (name, value) = l.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse().unwrap())
                    })
                    .unwrap_or(0);
                if received.len() >= end + 4 + length {
                    let body =
                        String::from_utf8_lossy(&received[end + 4..end + 4 + length]).into_owned();
                    return (head, body);
                }
            }
            let n = stream.read(&mut buf).await.unwrap();
            assert!(n > 0, "connection closed mid-response: {received:?}");
            received.extend_from_slice(&buf[..n]);
        }
    })
    .await
    .expect("a response within the bound")
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Whether the connection is still open and served: a request on it gets a
/// 200.
async fn still_served(stream: &mut TcpStream) -> bool {
    if stream.write_all(get_request().as_bytes()).await.is_err() {
        return false;
    }
    let mut first = [0u8; 12];
    match tokio::time::timeout(BOUND, stream.read_exact(&mut first)).await {
        Ok(Ok(_)) => &first == b"HTTP/1.1 200",
        _ => false,
    }
}

#[tokio::test]
async fn a_partial_request_head_is_closed_after_the_header_timeout() {
    let server = start(
        FakeServer::builder()
            .header_read_timeout(SHORT)
            .idle_timeout(LONG),
    )
    .await;
    // An idle connection, opened first: the header timeout does not apply
    // to it.
    let mut idle = connect(&server).await;
    // A head that never ends.
    let mut slow = connect(&server).await;
    slow.write_all(b"GET /v2/role-bindings?resource_type=SPACE HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    read_until_closed(&mut slow, "partial head").await;
    // Trickling the head, a byte every 50 ms, does not keep it open either:
    // the timeout counts from the head's first byte.
    let mut trickle = connect(&server).await;
    let (mut reader, mut writer) = trickle.split();
    let writing = async {
        for byte in b"GET /v2/role-bindings?resource_type=SPACE HTTP/1.1\r\nX-Slow: "
            .iter()
            .chain(std::iter::repeat_n(&b'a', 1000))
        {
            if writer.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server accepted a head trickled for 50 s");
    };
    let reading = async {
        let mut buf = [0u8; 256];
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    let closed = tokio::time::timeout(BOUND, async {
        tokio::select! {
            () = writing => {}
            () = reading => {}
        }
    })
    .await;
    assert!(closed.is_ok(), "the trickled head was not cut off");
    // The idle connection, older than both, is still served.
    assert!(
        still_served(&mut idle).await,
        "the idle connection was closed"
    );
}

#[tokio::test]
async fn a_body_shorter_than_its_content_length_gets_408_after_the_body_timeout() {
    let server = start(
        FakeServer::builder()
            .body_timeout(SHORT)
            .header_read_timeout(LONG)
            .idle_timeout(LONG),
    )
    .await;
    let mut stream = connect(&server).await;
    stream
        .write_all(
            format!(
                "POST /v2/role-bindings HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\""
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let answer = read_until_closed(&mut stream, "body of 2 of 100 bytes").await;
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer:?}");
    assert!(answer.contains("application/problem+json"), "{answer:?}");
    assert!(answer.contains("\"status\":408"), "{answer:?}");
    assert!(server.bindings().is_empty());
    let record = server.requests().pop().unwrap();
    assert_eq!(record.status, Some(408));
}

#[tokio::test]
async fn idle_keep_alive_connections_are_closed_after_the_idle_timeout() {
    let server = start(
        FakeServer::builder()
            .idle_timeout(SHORT)
            .header_read_timeout(LONG),
    )
    .await;
    // One request, answered; then the connection sits idle.
    let mut used = connect(&server).await;
    used.write_all(get_request().as_bytes()).await.unwrap();
    let (head, _) = read_response(&mut used).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    // One that never sends anything.
    let mut silent = connect(&server).await;
    // One that is sending a head slowly: the idle timeout does not apply
    // once a request has begun.
    let mut slow = connect(&server).await;
    slow.write_all(b"GET /v2/role-bindings?resource_type=SPACE HTTP/1.1\r\n")
        .await
        .unwrap();
    assert_eq!(
        read_until_closed(&mut used, "idle after a response").await,
        ""
    );
    assert_eq!(read_until_closed(&mut silent, "never used").await, "");
    // Both idle ones are closed, and the slow head still completes.
    slow.write_all(format!("Host: 127.0.0.1\r\nAuthorization: Bearer {KEY}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let (head, _) = read_response(&mut slow).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_connection_bound_reached_a_request_waits_for_a_free_slot() {
    let server = start(
        FakeServer::builder()
            .max_connections(2)
            .idle_timeout(SHORT)
            .header_read_timeout(SHORT),
    )
    .await;
    // Two connections take both slots (each served one request, so both
    // were accepted) and then sit idle; three more wait behind them.
    let mut holders = Vec::new();
    for _ in 0..2 {
        let mut stream = connect(&server).await;
        stream.write_all(get_request().as_bytes()).await.unwrap();
        let (head, _) = read_response(&mut stream).await;
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        holders.push(stream);
    }
    assert_eq!(server.open_connections(), 2);
    let mut waiting = Vec::new();
    for _ in 0..3 {
        waiting.push(connect(&server).await);
    }
    // A legitimate client (reqwest) gets its answer once idle connections
    // time out and free a slot.
    let api = Api::over(server);
    let response = tokio::time::timeout(BOUND, api.get("/v2/role-bindings?resource_type=SPACE"))
        .await
        .expect("the request is answered once idle connections time out");
    assert_eq!(response.status(), 200);
    for (i, holder) in holders.iter_mut().enumerate() {
        assert_eq!(read_until_closed(holder, &format!("holder {i}")).await, "");
    }
    for (i, stream) in waiting.iter_mut().enumerate() {
        read_until_closed(stream, &format!("waiting {i}")).await;
    }
    assert_eq!(
        api.server.peak_connections(),
        2,
        "never more than the bound at once"
    );
}
