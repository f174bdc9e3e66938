//! A tiny HTTP/1.1 server on 127.0.0.1 that answers with exactly the bytes
//! a test gives it: arbitrary bodies, bodies that never end, and answers
//! that echo the request (to prove that echoed keys are redacted).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// What to send for one request.
pub enum Reply {
    /// These bytes (a complete response, head and body); the connection
    /// stays open for the next request.
    Full(Vec<u8>),
    /// `head`, then `chunk` over and over, up to `max` bytes after the head
    /// (or until the client goes away); then the connection is closed.
    Stream {
        head: Vec<u8>,
        chunk: Vec<u8>,
        max: u64,
    },
}

type Handler = dyn Fn(&str) -> Reply + Send + Sync;

/// A running raw server; it stops when dropped.
pub struct RawServer {
    pub base_url: String,
    /// Requests received.
    pub requests: Arc<AtomicUsize>,
    /// Bytes of `Reply::Stream` bodies handed to the socket.
    pub streamed: Arc<AtomicU64>,
    /// The last request head received.
    pub last_head: Arc<Mutex<String>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RawServer {
    pub async fn start(handler: impl Fn(&str) -> Reply + Send + Sync + 'static) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let handler: Arc<Handler> = Arc::new(handler);
        let requests = Arc::new(AtomicUsize::new(0));
        let streamed = Arc::new(AtomicU64::new(0));
        let last_head = Arc::new(Mutex::new(String::new()));
        let (r, s, l) = (requests.clone(), streamed.clone(), last_head.clone());
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((socket, _)) = listener.accept().await {
                connections.spawn(serve(
                    socket,
                    handler.clone(),
                    r.clone(),
                    s.clone(),
                    l.clone(),
                ));
            }
        });
        RawServer {
            base_url: format!("http://{addr}"),
            requests,
            streamed,
            last_head,
            task,
        }
    }
}

async fn serve(
    mut socket: TcpStream,
    handler: Arc<Handler>,
    requests: Arc<AtomicUsize>,
    streamed: Arc<AtomicU64>,
    last_head: Arc<Mutex<String>>,
) {
    let mut buf = Vec::new();
    loop {
        // Read one request head (and skip its body).
        let head_end = loop {
            if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break pos + 4;
            }
            if buf.len() > 256 * 1024 {
                return;
            }
            let mut chunk = [0u8; 8192];
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let body_len = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())
                    .flatten()
            })
            .unwrap_or(0);
        while buf.len() < head_end + body_len {
            let mut chunk = [0u8; 8192];
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        buf.drain(..head_end + body_len);
        requests.fetch_add(1, Ordering::SeqCst);
        *last_head.lock().unwrap() = head.clone();
        match handler(&head) {
            Reply::Full(bytes) => {
                if socket.write_all(&bytes).await.is_err() {
                    return;
                }
            }
            Reply::Stream { head, chunk, max } => {
                if socket.write_all(&head).await.is_err() {
                    return;
                }
                let mut sent = 0u64;
                while sent < max {
                    if socket.write_all(&chunk).await.is_err() {
                        return;
                    }
                    sent += chunk.len() as u64;
                    streamed.fetch_add(chunk.len() as u64, Ordering::SeqCst);
                }
                return;
            }
        }
    }
}

/// A complete response with a `Content-Length`.
pub fn response(status: u16, content_type: &str, extra_headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} Status\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n{extra_headers}\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// One chunk of `Transfer-Encoding: chunked`.
pub fn chunk(data: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    out
}

/// A valid `RoleBinding` body.
pub const BINDING_JSON: &str = r#"{"id":"Um9sZUJpbmRpbmc6MTphQmNE","role_id":"Um9sZToxOmFCY0Q=","user_id":"VXNlcjo0MjphQmNE","resource_type":"SPACE","resource_id":"U3BhY2U6MTpWNEth","created_at":"2024-06-01T10:00:00Z","updated_at":"2024-06-01T10:00:00Z"}"#;
