//! The call executor: everything between "send this operation" and its
//! typed result, for every operation alike.
//!
//! [`Executor::call`] runs one generated-client call under the client's
//! settings: the pre-release warning, the `tracing` span, the shared pause
//! ([`pause`]), attempts bounded by the attempt timeout and the call's
//! deadline, the response-body cap, retries as [`retry::decide`] says, and
//! the mapping of the result into [`Error`] with the key redacted
//! ([`response`]). Time is read from the injected
//! [`Clock`](crate::retry::Clock) and waited through the injected
//! [`Sleeper`](crate::Sleeper).
//!
//! Dependencies flow one way: `config` (settings) → `exec` (running calls)
//! → `ops` and `pagination` (what to send) → `client` (the public API).

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;
use tokio::time::Instant;
use tracing::Instrument as _;

use crate::config::{ApiKey, BetaWarning, Config};
use crate::error::Error;
use crate::ops::Operation;
use crate::retry::{self, Clock, Decision, Delay, Outcome, RetryPolicy, Sleeper};

mod pause;
mod response;

pub(crate) use response::ApiResult;

use pause::{PauseGate, Waited};
use response::DecodeBody;

/// Runs calls; one per client, shared by its clones.
pub(crate) struct Executor {
    /// The generated client calls are made with.
    pub(crate) api: arize_api::Client,
    pub(crate) base_url: String,
    pub(crate) api_key: Option<ApiKey>,
    pub(crate) attempt_timeout: Duration,
    pub(crate) deadline: Duration,
    pub(crate) retry_policy: RetryPolicy,
    pub(crate) sleeper: Arc<dyn Sleeper>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) beta_warning: BetaWarning,
    pub(crate) max_response_body: u64,
    /// Shared back-pressure: paused until, after a 429 with `Retry-After`.
    pause: PauseGate,
}

impl fmt::Debug for Executor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("attempt_timeout", &self.attempt_timeout)
            .field("deadline", &self.deadline)
            .field("retry_policy", &self.retry_policy)
            .field("beta_warning", &self.beta_warning)
            .field("max_response_body", &self.max_response_body)
            .finish_non_exhaustive()
    }
}

/// What [`Executor::wait_for_pause`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PauseWait {
    /// The gate was open (or already waited out): no wait.
    Open,
    /// Waited for the pause.
    Waited,
    /// Did not wait: the pause lasts past the call's deadline; this much
    /// of it is left.
    PastDeadline(Duration),
}

/// How a call's 2xx body is read.
struct Body<T> {
    /// A 2xx status the document does not list.
    decode: DecodeBody<T>,
    /// The value of a call that finds the resource gone (404) after an
    /// earlier attempt that may have removed it; `None`: a 404 is an error.
    gone: Option<fn() -> T>,
}

impl Executor {
    /// The executor of a client built with `config`.
    pub(crate) fn new(config: Config) -> Self {
        Self {
            api: arize_api::Client::new_with_client(&config.base_url, config.http),
            base_url: config.base_url,
            api_key: config.api_key,
            attempt_timeout: config.attempt_timeout,
            deadline: config.deadline,
            retry_policy: config.retry_policy,
            sleeper: config.sleeper,
            clock: config.clock,
            beta_warning: config.beta_warning,
            max_response_body: config.max_response_body,
            pause: PauseGate::default(),
        }
    }

    /// Runs `send` (one call of the generated client for `op`) and decodes
    /// its JSON body.
    pub(crate) async fn call<T, F, Fut>(&self, op: &'static Operation, send: F) -> Result<T, Error>
    where
        T: serde::de::DeserializeOwned,
        F: FnMut() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        self.call_until(op, None, send).await
    }

    /// [`call`](Self::call), with the call's deadline at `until` (when
    /// given) instead of the client's deadline from now: a request that is
    /// part of a larger call, such as one page of a lookup.
    pub(crate) async fn call_until<T, F, Fut>(
        &self,
        op: &'static Operation,
        until: Option<Instant>,
        send: F,
    ) -> Result<T, Error>
    where
        T: serde::de::DeserializeOwned,
        F: FnMut() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        let body = Body {
            decode: |bytes| serde_json::from_slice(bytes),
            gone: None,
        };
        self.execute(op, until, send, body).await
    }

    /// Runs `send` for an operation without content (a DELETE): any 2xx
    /// body is ignored, and a 404 after an earlier attempt that may have
    /// been applied counts as done (that attempt removed it).
    pub(crate) async fn call_no_content<F, Fut>(
        &self,
        op: &'static Operation,
        send: F,
    ) -> Result<(), Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = ApiResult<()>>,
    {
        let body = Body {
            decode: |_| Ok(()),
            gone: Some(|| ()),
        };
        self.execute(op, None, send, body).await
    }

    /// Logs the pre-release warning the first time `op` is used in this
    /// process, unless switched off.
    fn warn_beta(&self, op: &Operation) {
        if self.beta_warning != BetaWarning::Off && op.first_beta_use() {
            tracing::warn!(
                operation = op.id(),
                "the Arize role-bindings API is pre-release (beta) and may change without \
                 notice; switch this warning off with ClientBuilder::beta_warning(BetaWarning::Off)"
            );
        }
    }

    async fn execute<T, F, Fut>(
        &self,
        op: &'static Operation,
        until: Option<Instant>,
        send: F,
        body: Body<T>,
    ) -> Result<T, Error>
    where
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
            operation = op.id(),
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        if span.is_disabled() {
            // Nobody listens: entering the span on every poll is wasted.
            self.run(op, until, send, body, &span).await
        } else {
            self.run(op, until, send, body, &span)
                .instrument(span.clone())
                .await
        }
    }

    /// The call's attempts; `span` is the call's span (entered by the
    /// caller when enabled), where the last attempt is recorded; `until`
    /// the call's deadline when it is not the client's deadline from now.
    async fn run<T, F, Fut>(
        &self,
        op: &'static Operation,
        until: Option<Instant>,
        mut send: F,
        body: Body<T>,
        span: &tracing::Span,
    ) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        let started = self.clock.now();
        let deadline_at = until.or_else(|| started.checked_add(self.deadline));
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
                        operation: op.id(),
                        until: wall_clock_in(left),
                        retry_after: left,
                        deadline: self.deadline,
                    });
                }
                // Nothing happened since the call started.
                PauseWait::Open if attempt == 0 => started,
                PauseWait::Open | PauseWait::Waited => self.clock.now(),
            };
            attempt += 1;
            let remaining = deadline_at.map(|at| at.saturating_duration_since(now));
            if remaining == Some(Duration::ZERO) {
                return Err(self.deadline_error(op, attempt - 1, started));
            }
            let (limit, cut_by_deadline) = match remaining {
                Some(r) if r < self.attempt_timeout => (r, true),
                _ => (self.attempt_timeout, false),
            };
            span.record("attempt", attempt);
            let result = match tokio::time::timeout(
                limit,
                self.attempt(Box::pin(send()), body.decode),
            )
            .await
            {
                Ok(result) => result,
                Err(_) if cut_by_deadline => {
                    return Err(self.deadline_error(op, attempt, started));
                }
                Err(_) => Err(Error::Timeout {
                    operation: op.id(),
                    timeout: self.attempt_timeout,
                }),
            };
            // Timings are only read when someone looks at them.
            if !span.is_disabled() || tracing::enabled!(tracing::Level::DEBUG) {
                let finished = self.clock.now();
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
                && let Some(gone) = body.gone
            {
                tracing::debug!(
                    attempt,
                    "404 after an earlier attempt that may have removed it: done"
                );
                return Ok(gone());
            }
            let outcome = Outcome::of(&error);
            let after = self.clock.now();
            self.pause.observe(after, &outcome, &self.retry_policy);
            let delay = match retry::decide(op.method(), &outcome, attempt, &self.retry_policy) {
                Decision::Stop(reason) => {
                    tracing::debug!(attempt, ?reason, "not retrying");
                    return Err(error);
                }
                Decision::Retry(Delay::RetryAfter(d)) => d,
                Decision::Retry(_) => self.retry_policy.backoff(attempt, rand::random::<f64>()),
            };
            if let Some(at) = deadline_at
                && after.checked_add(delay).is_none_or(|wake| wake >= at)
            {
                tracing::debug!(
                    attempt,
                    delay_ms = millis(delay),
                    "not retrying: the wait would pass the call's deadline"
                );
                return Err(error);
            }
            earlier_may_have_applied |= outcome.may_have_been_applied();
            tracing::debug!(attempt, delay_ms = millis(delay), error = %error, "retrying");
            waited.sleeping(after, delay);
            self.sleeper.sleep(delay).await;
        }
    }

    /// Waits (once) for the client's shared pause before an attempt.
    /// Returns [`PauseWait::PastDeadline`] (with what is left of the pause)
    /// without waiting when the pause would last past `deadline_at`: the
    /// call cannot be made in time.
    async fn wait_for_pause(&self, waited: &mut Waited, deadline_at: Option<Instant>) -> PauseWait {
        let now = self.clock.now();
        let Some(wait) = self.pause.wait(now, waited) else {
            return PauseWait::Open;
        };
        if let Some(at) = deadline_at
            && now.checked_add(wait).is_none_or(|wake| wake >= at)
        {
            tracing::debug!(
                wait_ms = millis(wait),
                "not sending: the client is paused (429 Retry-After) past the call's deadline"
            );
            return PauseWait::PastDeadline(wait);
        }
        tracing::debug!(
            wait_ms = millis(wait),
            "waiting: the server asked this client to slow down (429 Retry-After)"
        );
        self.sleeper.sleep(wait).await;
        PauseWait::Waited
    }

    fn deadline_error(&self, op: &Operation, attempts: u32, started: Instant) -> Error {
        tracing::debug!(
            attempts,
            elapsed_ms = millis(self.clock.now().saturating_duration_since(started)),
            "deadline passed"
        );
        Error::Deadline {
            operation: op.id(),
            deadline: self.deadline,
            attempts,
        }
    }

    /// One attempt: the request (its response body capped) and the mapping
    /// of its result.
    async fn attempt<T, Fut: Future<Output = ApiResult<T>>>(
        &self,
        fut: Fut,
        decode: DecodeBody<T>,
    ) -> Result<(T, StatusCode), Error> {
        let observed = arize_api::with_response_body_limit(self.max_response_body, fut).await;
        match observed.output {
            Ok(value) => {
                let status = value.status();
                Ok((value.into_inner(), status))
            }
            Err(error) => {
                response::map_error(
                    error,
                    observed.status,
                    observed.error_headers,
                    self.api_key.as_ref(),
                    decode,
                )
                .await
            }
        }
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
