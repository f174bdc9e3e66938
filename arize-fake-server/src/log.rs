//! What arrived: the request log, per-operation counts, peak concurrency.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::fault::{Fault, Operation};

/// How far the answer to a request got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Still being handled (e.g. sleeping an injected latency), or the
    /// client went away before the server answered.
    Pending,
    /// A complete answer was handed to the connection.
    Answered,
    /// The connection was closed before anything was sent
    /// ([`Fault::CloseBeforeResponse`], [`Fault::CloseAfterApply`]).
    ClosedBeforeResponse,
    /// The head and part of the body were sent, then the connection was
    /// closed ([`Fault::CloseMidBody`]).
    ClosedMidBody,
}

/// One request as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestRecord {
    /// Position in the log, from 0.
    pub index: usize,
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path exactly as received, still percent-encoded.
    pub raw_path: String,
    /// The query exactly as received (without `?`), if any.
    pub raw_query: Option<String>,
    /// The operation the route matched, `None` for unknown routes.
    pub operation: Option<Operation>,
    /// For an operation with an ID in its path (get/update/delete of a
    /// binding, and `get_user`, `get_role`, `get_space`, `get_project`,
    /// despite the field's name): the `{..._id}` segment as received
    /// (percent-encoded) ...
    pub raw_binding_id: Option<String>,
    /// ... and percent-decoded (`None` when it is not UTF-8).
    pub binding_id: Option<String>,
    /// Request headers in arrival order; `authorization` is redacted to
    /// `Bearer <redacted>` (or `<redacted>`).
    pub headers: Vec<(String, String)>,
    /// The request body as text (lossy UTF-8), `None` when empty or not
    /// read (a request without the right key: its body is never read). At
    /// most the builder's
    /// [`logged_body_limit`](crate::FakeServerBuilder::logged_body_limit)
    /// bytes are kept (default [`DEFAULT_LOGGED_BODY`]).
    pub body: Option<String>,
    /// The length in bytes of the body as received (0 when not read), also
    /// when `body` keeps only its start.
    pub body_len: usize,
    /// Whether the bearer key was the server's key.
    pub authorized: bool,
    /// The injected fault that decided this request, if any.
    pub fault: Option<Fault>,
    /// The status the server decided on (for [`Fault::CloseAfterApply`]:
    /// the status of the applied operation, which was never sent). `None`
    /// while pending or when the connection was closed before any
    /// decision.
    pub status: Option<u16>,
    /// How far the answer got.
    pub delivery: Delivery,
    /// Time from arrival until the answer was decided, including injected
    /// latency (server-side measurement).
    pub elapsed: Option<Duration>,
}

impl RequestRecord {
    /// The value of the first header with this (case-insensitive) name.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How many requests the log keeps by default (the last ones; older ones
/// are dropped). About 1 KiB each for this API's requests, so a
/// long-running server holds at most ~10 MB of log.
pub const DEFAULT_REQUEST_LOG: usize = 10_000;

/// How much of a request body the log keeps by default; the API's bodies
/// are a few hundred bytes.
pub const DEFAULT_LOGGED_BODY: usize = 16 * 1024;

/// How big the request log may get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LogLimits {
    /// Records kept (the most recent); 0 keeps none.
    pub(crate) capacity: usize,
    /// Bytes of each body kept.
    pub(crate) max_body: usize,
}

impl Default for LogLimits {
    fn default() -> Self {
        Self {
            capacity: DEFAULT_REQUEST_LOG,
            max_body: DEFAULT_LOGGED_BODY,
        }
    }
}

/// The request log — a ring of the last `capacity` requests — and the
/// concurrency gauge.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    inner: Mutex<LogInner>,
    limits: LogLimits,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
}

#[derive(Debug, Default)]
struct LogInner {
    records: VecDeque<RequestRecord>,
    /// Index of `records[0]`: records dropped from the front (by the ring
    /// or by `clear`), so that indices stay unique.
    offset: usize,
}

/// Decrements the in-flight gauge when the request's handling ends, also
/// when its future is dropped.
#[derive(Debug)]
pub(crate) struct InFlight<'a>(&'a RequestLog);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl RequestLog {
    fn lock(&self) -> std::sync::MutexGuard<'_, LogInner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn enter(&self) -> InFlight<'_> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        InFlight(self)
    }

    pub(crate) fn new(limits: LogLimits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// The body as the log keeps it: lossy UTF-8, cut to `max_body` bytes
    /// (on a character boundary).
    pub(crate) fn logged_body(&self, body: &[u8]) -> Option<String> {
        if body.is_empty() {
            return None;
        }
        let kept = &body[..body.len().min(self.limits.max_body)];
        let mut text = String::from_utf8_lossy(kept).into_owned();
        if text.len() > self.limits.max_body {
            let mut cut = self.limits.max_body;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
        }
        Some(text)
    }

    /// Appends a record, dropping the oldest beyond the capacity, and
    /// returns its index.
    pub(crate) fn push(&self, mut record: RequestRecord) -> usize {
        let mut inner = self.lock();
        record.index = inner.offset + inner.records.len();
        let index = record.index;
        if self.limits.capacity == 0 {
            inner.offset += 1;
            return index;
        }
        while inner.records.len() >= self.limits.capacity {
            inner.records.pop_front();
            inner.offset += 1;
        }
        inner.records.push_back(record);
        index
    }

    /// Requests received since start (also those dropped from the log).
    pub(crate) fn total(&self) -> usize {
        let inner = self.lock();
        inner.offset + inner.records.len()
    }

    pub(crate) fn len(&self) -> usize {
        self.lock().records.len()
    }

    pub(crate) fn update(&self, index: usize, f: impl FnOnce(&mut RequestRecord)) {
        let mut inner = self.lock();
        let offset = inner.offset;
        if let Some(record) = index
            .checked_sub(offset)
            .and_then(|i| inner.records.get_mut(i))
        {
            f(record);
        }
    }

    pub(crate) fn snapshot(&self) -> Vec<RequestRecord> {
        self.lock().records.iter().cloned().collect()
    }

    pub(crate) fn clear(&self) {
        let mut inner = self.lock();
        inner.offset += inner.records.len();
        inner.records.clear();
    }

    pub(crate) fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    pub(crate) fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    pub(crate) fn reset_peak(&self) {
        self.peak.store(self.in_flight(), Ordering::SeqCst);
    }
}
