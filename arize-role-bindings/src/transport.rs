//! Running one call: attempts with per-attempt timeouts, retries within the
//! deadline, the mapping of the generated client's errors into [`Error`],
//! tracing and the pre-release warning.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use arize_api::types as wire;
use http::{HeaderMap, Method, StatusCode};
use tokio::time::Instant;
use tracing::Instrument as _;

use crate::backpressure::{PauseWait, Waited};
use crate::client::Client;
use crate::config::{ApiKey, BetaWarning};
use crate::error::{Error, Problem, TransportPhase, ValidationError};
use crate::retry::{self, Decision, Delay, Outcome};

/// The most of an unexpected error body read to look for a problem. (A
/// success body is read whole: the client's `max_response_body` cap, applied
/// to every response by `arize_api::with_response_body_limit`, bounds it.)
const ERROR_BODY_LIMIT: usize = 64 * 1024;
/// The length of a body excerpt in an error, in characters.
const EXCERPT_CHARS: usize = 256;

/// The API's operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    List,
    Create,
    Get,
    Update,
    Delete,
}

impl Op {
    /// The operation ID in the API document.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::List => "list_role_bindings",
            Self::Create => "create_role_binding",
            Self::Get => "get_role_binding",
            Self::Update => "update_role_binding",
            Self::Delete => "delete_role_binding",
        }
    }

    fn method(self) -> Method {
        match self {
            Self::List | Self::Get => Method::GET,
            Self::Create => Method::POST,
            Self::Update => Method::PATCH,
            Self::Delete => Method::DELETE,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One flag per operation: has the pre-release warning been logged in this
/// process?
static BETA_WARNED: [AtomicBool; 5] = [const { AtomicBool::new(false) }; 5];

/// A successful response body, as the generated client returns it.
pub(crate) trait Payload: Sized {
    /// Decodes a body that came with a 2xx status the API document does not
    /// list (e.g. 200 instead of 201).
    fn from_body(body: &[u8]) -> Result<Self, serde_json::Error>;

    /// The value of a DELETE that found the resource already gone after an
    /// earlier attempt that may have deleted it.
    fn already_deleted() -> Option<Self> {
        None
    }
}

impl Payload for wire::RoleBinding {
    fn from_body(body: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(body)
    }
}

impl Payload for wire::ListRoleBindingsResponse {
    fn from_body(body: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(body)
    }
}

impl Payload for () {
    fn from_body(_: &[u8]) -> Result<Self, serde_json::Error> {
        Ok(())
    }

    fn already_deleted() -> Option<Self> {
        Some(())
    }
}

type ApiResult<T> = Result<arize_api::ResponseValue<T>, arize_api::Error<wire::Problem>>;

impl Client {
    /// Logs the pre-release warning the first time `op` is used in this
    /// process, unless switched off.
    pub(crate) fn warn_beta(&self, op: Op) {
        if self.inner.beta_warning == BetaWarning::Off {
            return;
        }
        let flag = &BETA_WARNED[op.index()];
        if !flag.load(Ordering::Relaxed) && !flag.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                operation = op.name(),
                "the Arize role-bindings API is pre-release (beta) and may change without \
                 notice; switch this warning off with ClientBuilder::beta_warning(BetaWarning::Off)"
            );
        }
    }

    /// Runs `send` (one call of the generated client) under the retry
    /// policy, the attempt timeout and the deadline.
    pub(crate) async fn execute<T, F, Fut>(&self, op: Op, send: F) -> Result<T, Error>
    where
        T: Payload,
        F: FnMut() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        self.execute_until(op, None, send).await
    }

    /// [`execute`](Self::execute), with the call's deadline at `until`
    /// instead of the client's deadline from now (a request that is part
    /// of a larger call, such as one page of a lookup).
    pub(crate) async fn execute_until<T, F, Fut>(
        &self,
        op: Op,
        until: Option<Instant>,
        send: F,
    ) -> Result<T, Error>
    where
        T: Payload,
        F: FnMut() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        // Without a runtime, reqwest and tokio's timers would panic.
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(Error::NoRuntime);
        }
        self.warn_beta(op);
        let span = tracing::info_span!(
            "arize_role_bindings.call",
            operation = op.name(),
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        if span.is_disabled() {
            // Nobody listens: entering the span on every poll is wasted.
            self.run(op, until, send, &span).await
        } else {
            self.run(op, until, send, &span)
                .instrument(span.clone())
                .await
        }
    }

    /// The call's attempts; `span` is the call's span (entered by the
    /// caller when enabled), where the last attempt is recorded; `until`
    /// the call's deadline when it is not the client's deadline from now.
    async fn run<T, F, Fut>(
        &self,
        op: Op,
        until: Option<Instant>,
        mut send: F,
        span: &tracing::Span,
    ) -> Result<T, Error>
    where
        T: Payload,
        F: FnMut() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        let inner = &*self.inner;
        let started = Instant::now();
        let deadline_at = until.or_else(|| started.checked_add(inner.deadline));
        let method = op.method();
        let mut attempt: u32 = 0;
        let mut earlier_may_have_applied = false;
        let mut waited = Waited::default();
        loop {
            // Shared back-pressure: wait out a 429 pause, once.
            let now = match self.wait_for_pause(&mut waited, deadline_at).await {
                PauseWait::PastDeadline(left) => {
                    tracing::debug!(
                        attempts = attempt,
                        wait_ms = millis(left),
                        "not sending: rate-limited past the call's deadline"
                    );
                    return Err(Error::RateLimited {
                        operation: op.name(),
                        until: wall_clock_in(left),
                        retry_after: left,
                        deadline: inner.deadline,
                    });
                }
                // Nothing happened since the call started.
                PauseWait::Open if attempt == 0 => started,
                PauseWait::Open | PauseWait::Waited => Instant::now(),
            };
            attempt += 1;
            let remaining = deadline_at.map(|at| at.saturating_duration_since(now));
            if remaining == Some(Duration::ZERO) {
                return Err(self.deadline_error(op, attempt - 1, started));
            }
            let (limit, cut_by_deadline) = match remaining {
                Some(r) if r < inner.attempt_timeout => (r, true),
                _ => (inner.attempt_timeout, false),
            };
            span.record("attempt", attempt);
            let expires = now.checked_add(limit).unwrap_or_else(|| far_future(now));
            let result = match tokio::time::timeout_at(
                expires,
                self.attempt::<T, _>(Box::pin(send())),
            )
            .await
            {
                Ok(result) => result,
                Err(_) if cut_by_deadline => {
                    return Err(self.deadline_error(op, attempt, started));
                }
                Err(_) => Err(Error::Timeout {
                    operation: op.name(),
                    timeout: inner.attempt_timeout,
                }),
            };
            // Timings are only read when someone looks at them.
            if !span.is_disabled() || tracing::enabled!(tracing::Level::DEBUG) {
                let finished = Instant::now();
                let status = match &result {
                    Ok((_, status)) => Some(*status),
                    Err(e) => e.status(),
                };
                if let Some(status) = status {
                    span.record("status", status.as_u16());
                }
                span.record("elapsed_ms", millis(finished - started));
                tracing::debug!(
                    attempt,
                    status = status.map(|s| s.as_u16()),
                    elapsed_ms = millis(finished - now),
                    "attempt finished"
                );
            }
            let error = match result {
                Ok((value, _)) => return Ok(value),
                Err(error) => error,
            };
            if error.is_not_found()
                && earlier_may_have_applied
                && let Some(done) = T::already_deleted()
            {
                tracing::debug!(
                    attempt,
                    "404 after an earlier attempt that may have deleted it: done"
                );
                return Ok(done);
            }
            let outcome = outcome_of(&error);
            inner.pause.observe(&outcome, &inner.retry_policy);
            let delay = match retry::decide(&method, &outcome, attempt, &inner.retry_policy) {
                Decision::Stop(reason) => {
                    tracing::debug!(attempt, ?reason, "not retrying");
                    return Err(error);
                }
                Decision::Retry(Delay::RetryAfter(d)) => d,
                Decision::Retry(_) => inner.retry_policy.backoff(attempt, rand::random::<f64>()),
            };
            if let Some(at) = deadline_at
                && Instant::now()
                    .checked_add(delay)
                    .is_none_or(|wake| wake >= at)
            {
                tracing::debug!(
                    attempt,
                    delay_ms = millis(delay),
                    "not retrying: the wait would pass the call's deadline"
                );
                return Err(error);
            }
            earlier_may_have_applied |= retry::may_have_applied(&outcome);
            tracing::debug!(attempt, delay_ms = millis(delay), error = %error, "retrying");
            waited.sleeping(delay);
            inner.sleeper.sleep(delay).await;
        }
    }

    fn deadline_error(&self, op: Op, attempts: u32, started: Instant) -> Error {
        tracing::debug!(
            attempts,
            elapsed_ms = elapsed_ms(started),
            "deadline passed"
        );
        Error::Deadline {
            operation: op.name(),
            deadline: self.inner.deadline,
            attempts,
        }
    }

    /// One attempt: the request (its response body capped) and the mapping
    /// of its result.
    async fn attempt<T: Payload, Fut: Future<Output = ApiResult<T>>>(
        &self,
        fut: Fut,
    ) -> Result<(T, StatusCode), Error> {
        let observed = arize_api::with_response_body_limit(self.inner.max_response_body, fut).await;
        match observed.output {
            Ok(value) => {
                let status = value.status();
                Ok((value.into_inner(), status))
            }
            Err(error) => {
                self.map_error::<T>(error, observed.status, observed.error_headers)
                    .await
            }
        }
    }

    /// Maps the generated client's error. An undocumented 2xx is decoded
    /// into `T` (hence `Ok`).
    /// `status` is the status of the response, when one arrived, and
    /// `error_headers` its headers when that status is not a success.
    async fn map_error<T: Payload>(
        &self,
        error: arize_api::Error<wire::Problem>,
        status: Option<StatusCode>,
        error_headers: Option<HeaderMap>,
    ) -> Result<(T, StatusCode), Error> {
        let key = self.inner.api_key.as_ref();
        Err(match error {
            arize_api::Error::ErrorResponse(value) => {
                let status = value.status();
                let retry_after = parse_retry_after(value.headers());
                Error::api(
                    status,
                    problem_from_wire(value.into_inner(), status, key),
                    retry_after,
                )
            }
            arize_api::Error::UnexpectedResponse(response) => {
                return unexpected_response::<T>(response, key).await;
            }
            arize_api::Error::CommunicationError(e) => from_reqwest(e),
            arize_api::Error::ResponseBodyError(e) => crate::limits::body_error(e),
            arize_api::Error::InvalidUpgrade(e) => Error::Transport {
                phase: TransportPhase::AfterSend,
                source: Box::new(e),
            },
            arize_api::Error::InvalidResponsePayload(body, e) => match status {
                // An error status whose body is not a problem document (a
                // proxy's HTML page, an empty 429): the status decides, so
                // that it is seen and retried as such.
                Some(status) if !status.is_success() => Error::api(
                    status,
                    status_line_problem(status, &body, key),
                    error_headers.as_ref().and_then(parse_retry_after),
                ),
                status => Error::Decode {
                    status,
                    excerpt: excerpt(&body, key),
                    source: Box::new(e),
                },
            },
            arize_api::Error::InvalidRequest(reason) | arize_api::Error::Custom(reason) => {
                ValidationError::InvalidRequest { reason }.into()
            }
        })
    }
}

/// Maps a `reqwest` error from sending a request.
fn from_reqwest(e: reqwest::Error) -> Error {
    if e.is_builder() {
        return ValidationError::InvalidRequest {
            reason: e.to_string(),
        }
        .into();
    }
    let phase = if e.is_connect() {
        TransportPhase::Connect
    } else {
        TransportPhase::AfterSend
    };
    Error::Transport {
        phase,
        source: Box::new(e),
    }
}

/// A status the API document does not list for the operation (any 5xx,
/// 408, an unexpected 2xx...).
async fn unexpected_response<T: Payload>(
    mut response: reqwest::Response,
    key: Option<&ApiKey>,
) -> Result<(T, StatusCode), Error> {
    let status = response.status();
    if status.is_success() {
        let body = response.bytes().await.map_err(crate::limits::body_error)?;
        return T::from_body(&body)
            .map(|value| (value, status))
            .map_err(|e| Error::Decode {
                status: Some(status),
                excerpt: excerpt(&body, key),
                source: Box::new(e),
            });
    }
    if status.is_redirection() {
        return Err(redirect(status, response.headers()));
    }
    let retry_after = parse_retry_after(response.headers());
    let mut body = Vec::new();
    // The status is known; a broken error body ends the read, nothing more.
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = ERROR_BODY_LIMIT - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= ERROR_BODY_LIMIT {
            break;
        }
    }
    let problem = match serde_json::from_slice::<Problem>(&body) {
        Ok(p) if !p.title.is_empty() => redact_problem(p, key),
        _ => status_line_problem(status, &body, key),
    };
    Err(Error::api(status, problem, retry_after))
}

/// A 3xx answer: never followed (the HTTP client's redirect policy is
/// "none"), reported with its `Location` (credentials removed).
fn redirect(status: StatusCode, headers: &HeaderMap) -> Error {
    let location = headers
        .get(http::header::LOCATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .map(|l| crate::limits::without_userinfo(&l).into_owned());
    Error::Redirect { status, location }
}

/// A problem built from the status line, with the start of a body that is
/// not a problem document as its detail.
fn status_line_problem(status: StatusCode, body: &[u8], key: Option<&ApiKey>) -> Problem {
    let title = status.canonical_reason().unwrap_or("HTTP error").to_owned();
    let mut problem = Problem::new(status.as_u16(), title);
    let text = excerpt(body, key);
    if !text.trim().is_empty() {
        problem.detail = Some(text);
    }
    problem
}

fn problem_from_wire(p: wire::Problem, status: StatusCode, key: Option<&ApiKey>) -> Problem {
    redact_problem(
        Problem {
            type_: p.type_,
            title: p.title,
            status: u16::try_from(p.status).unwrap_or(status.as_u16()),
            detail: p.detail,
            instance: p.instance,
        },
        key,
    )
}

fn redact_problem(mut p: Problem, key: Option<&ApiKey>) -> Problem {
    if let Some(key) = key {
        p.title = redact(p.title, key);
        p.type_ = p.type_.map(|s| redact(s, key));
        p.detail = p.detail.map(|s| redact(s, key));
        p.instance = p.instance.map(|s| redact(s, key));
    }
    p
}

/// Removes the API key from text that came from the network (a server that
/// echoes request headers must not leak the key into an error message).
fn redact(text: String, key: &ApiKey) -> String {
    let secret = key.expose();
    if secret.is_empty() || !text.contains(secret) {
        return text;
    }
    text.replace(secret, "<redacted>")
}

/// The start of a body, for an error message: at most [`EXCERPT_CHARS`]
/// characters, the key redacted.
pub(crate) fn excerpt(body: &[u8], key: Option<&ApiKey>) -> String {
    let text = String::from_utf8_lossy(body).into_owned();
    let text = match key {
        Some(key) => redact(text, key),
        None => text,
    };
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// `Retry-After` as a number of seconds (the form Arize uses).
fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// How an error counts for the retry decision.
fn outcome_of(error: &Error) -> Outcome {
    match error {
        Error::Api {
            status,
            retry_after,
            ..
        } => Outcome::Response {
            status: *status,
            retry_after: *retry_after,
        },
        Error::Transport {
            phase: TransportPhase::Connect,
            ..
        } => Outcome::ConnectFailed,
        Error::Transport { .. } => Outcome::ConnectionLost,
        Error::Timeout { .. } => Outcome::TimedOut,
        _ => Outcome::Fatal,
    }
}

/// The wall-clock time `after` from now (now, should that overflow).
fn wall_clock_in(after: Duration) -> std::time::SystemTime {
    let now = std::time::SystemTime::now();
    now.checked_add(after).unwrap_or(now)
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn elapsed_ms(since: Instant) -> u64 {
    millis(since.elapsed())
}

/// An instant no attempt reaches, for an attempt timeout too long to add to
/// `now` (as `tokio::time::timeout` does).
fn far_future(now: Instant) -> Instant {
    now.checked_add(Duration::from_secs(86_400 * 365 * 30))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn retry_after_is_parsed_as_seconds() {
        let mut h = HeaderMap::new();
        assert_eq!(parse_retry_after(&h), None);
        h.insert(http::header::RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(parse_retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(http::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(parse_retry_after(&h), None);
    }

    #[test]
    fn excerpts_are_short_and_redacted() {
        let key = ApiKey::new("sekret-key-123".into());
        let body = format!("{{\"echo\":\"Bearer sekret-key-123\"}}{}", "x".repeat(1000));
        let text = excerpt(body.as_bytes(), Some(&key));
        assert!(!text.contains("sekret-key-123"), "{text}");
        assert!(text.contains("<redacted>"));
        assert!(text.chars().count() <= EXCERPT_CHARS + 1);
        // Invalid UTF-8 does not panic.
        assert_eq!(excerpt(&[0xff, b'a'], None), "\u{fffd}a");
    }
}
