//! Connection limits: header-read, idle and body timeouts, and the bound on
//! open connections.
//!
//! The header and idle timeouts both run on hyper's own header-read timer
//! (`http1::Builder::header_read_timeout` with a [`Timer`]). hyper (1.x)
//! starts that timer when it begins waiting for a request head — on a new
//! connection, and on a keep-alive connection once the previous response is
//! written — so by itself it cannot tell an idle connection from one
//! trickling a head. [`ConnTimer`] is hyper's `Timer` for one connection:
//! it lets the wait last `idle_timeout` until the first byte of the next
//! request arrives (counted by [`CountingIo`]), then `header_read_timeout`
//! from that byte, as Go's and Envoy's servers do. When it fires, hyper
//! closes the connection. The body timeout bounds reading a whole request
//! body (see `server::dispatch`); the connection bound is a semaphore in
//! the accept loop.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::rt::{Sleep, Timer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Default time a client has to send a complete request head, from its
/// first byte.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time a complete request body may take to arrive.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time a connection may sit without a request (after accept, or
/// after its previous response) before it is closed.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Default bound on open connections; more wait in the listen backlog
/// until one closes.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// The connection limits of a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ConnectionLimits {
    pub(crate) header_read_timeout: Duration,
    pub(crate) body_timeout: Duration,
    pub(crate) idle_timeout: Duration,
    pub(crate) max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// Open connections now, and the most at once.
#[derive(Debug, Default)]
pub(crate) struct ConnectionGauge {
    open: AtomicUsize,
    peak: AtomicUsize,
}

/// Counts one open connection until dropped.
#[derive(Debug)]
pub(crate) struct OpenConnection(Arc<ConnectionGauge>);

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

impl ConnectionGauge {
    pub(crate) fn enter(self: &Arc<Self>) -> OpenConnection {
        let now = self.open.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        OpenConnection(Arc::clone(self))
    }
    pub(crate) fn open(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }
    pub(crate) fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }
}

/// A stream that counts the bytes read from it.
#[derive(Debug)]
pub(crate) struct CountingIo<S> {
    inner: S,
    read: Arc<AtomicU64>,
}

impl<S> CountingIo<S> {
    pub(crate) fn new(inner: S) -> (Self, Arc<AtomicU64>) {
        let read = Arc::new(AtomicU64::new(0));
        (
            Self {
                inner,
                read: Arc::clone(&read),
            },
            read,
        )
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for CountingIo<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = buf.filled().len().saturating_sub(before);
        if n > 0 {
            self.read.fetch_add(n as u64, Ordering::Relaxed);
        }
        result
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for CountingIo<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// hyper's timer for one connection. hyper uses it only for the
/// header-read timeout, which it sets to `header`: each wait for a request
/// head ends `idle` after it starts if no byte arrives, else `header` after
/// the first byte.
#[derive(Debug, Clone)]
pub(crate) struct ConnTimer {
    read: Arc<AtomicU64>,
    idle: Duration,
    header: Duration,
}

impl ConnTimer {
    pub(crate) fn new(read: Arc<AtomicU64>, limits: &ConnectionLimits) -> Self {
        Self {
            read,
            idle: limits.idle_timeout,
            header: limits.header_read_timeout,
        }
    }

    /// hyper asks for `now + header`; the wait started at `now`.
    fn started(&self, deadline: Instant) -> Instant {
        deadline
            .checked_sub(self.header)
            .unwrap_or_else(Instant::now)
    }

    fn head_wait(&self, deadline: Instant) -> HeadWait {
        let start = self.started(deadline);
        HeadWait {
            read: Arc::clone(&self.read),
            read_at_start: self.read.load(Ordering::Relaxed),
            first_byte: false,
            header: self.header,
            sleep: Box::pin(tokio::time::sleep_until(tokio::time::Instant::from_std(
                start + self.idle,
            ))),
        }
    }
}

impl Timer for ConnTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        Box::pin(PlainSleep(Box::pin(tokio::time::sleep(duration))))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        Box::pin(self.head_wait(deadline))
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn Sleep>>, new_deadline: Instant) {
        if let Some(mut wait) = sleep.as_mut().downcast_mut_pin::<HeadWait>() {
            *wait = self.head_wait(new_deadline);
        } else {
            *sleep = self.sleep_until(new_deadline);
        }
    }
}

/// A plain sleep (hyper asks for none on an HTTP/1 server connection; here
/// for completeness of [`Timer`]).
struct PlainSleep(Pin<Box<tokio::time::Sleep>>);

impl Future for PlainSleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.as_mut().poll(cx)
    }
}

impl Sleep for PlainSleep {}

/// One wait for a request head: `idle` from its start until the first
/// byte arrives, then `header` from that byte. hyper polls it every time
/// the head is still incomplete, so it sees the first byte right after it
/// is read.
struct HeadWait {
    read: Arc<AtomicU64>,
    read_at_start: u64,
    first_byte: bool,
    header: Duration,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl Future for HeadWait {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if !self.first_byte && self.read.load(Ordering::Relaxed) != self.read_at_start {
            self.first_byte = true;
            let deadline = tokio::time::Instant::now() + self.header;
            self.sleep.as_mut().reset(deadline);
        }
        self.sleep.as_mut().poll(cx)
    }
}

impl Sleep for HeadWait {}
