//! What arrived: the request log, per-operation counts, peak concurrency.

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
    /// For get/update/delete: the `{binding_id}` segment as received
    /// (percent-encoded) ...
    pub raw_binding_id: Option<String>,
    /// ... and percent-decoded (`None` when it is not UTF-8).
    pub binding_id: Option<String>,
    /// Request headers in arrival order; `authorization` is redacted to
    /// `Bearer <redacted>` (or `<redacted>`).
    pub headers: Vec<(String, String)>,
    /// The request body as text (lossy UTF-8), `None` when empty.
    pub body: Option<String>,
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

/// The request log and the concurrency gauge.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    inner: Mutex<LogInner>,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
}

#[derive(Debug, Default)]
struct LogInner {
    records: Vec<RequestRecord>,
    /// Records dropped by `clear`, so that indices stay unique.
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

    /// Appends a record and returns its index.
    pub(crate) fn push(&self, mut record: RequestRecord) -> usize {
        let mut inner = self.lock();
        record.index = inner.offset + inner.records.len();
        let index = record.index;
        inner.records.push(record);
        index
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
        self.lock().records.clone()
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
