//! When to retry, how long to wait, and how waiting is done.
//!
//! The rules are one pure function, [`decide`], of the HTTP method, the
//! outcome of an attempt and the number of attempts made so far:
//!
//! | outcome | GET / PATCH / DELETE | POST (create) |
//! |---|---|---|
//! | 429 Too Many Requests | retry after `Retry-After` (capped) or backoff | same |
//! | 503 Service Unavailable | retry after `Retry-After` (capped) or backoff | same |
//! | 502 Bad Gateway, 504 Gateway Timeout | retry with backoff | **stop**: may have been applied |
//! | could not connect | retry with backoff | same (nothing was sent) |
//! | attempt timed out | retry with backoff | **stop**: may have been applied |
//! | connection lost after sending | retry with backoff | **stop**: may have been applied |
//! | anything else (2xx, 4xx, 500, decode errors, ...) | stop | stop |
//!
//! A create that did succeed turns into a 409 on a retry, so a create is
//! retried only when it cannot have been applied; use
//! [`Client::ensure`](crate::Client::ensure) to make an assignment
//! idempotent. A DELETE that is retried after an attempt that may have been
//! applied, and then gets a 404, succeeds: the earlier attempt deleted it.
//!
//! Waiting uses exponential backoff with full jitter: before retry *n* (after
//! attempt *n*) the client sleeps a uniformly random time in
//! `[0, min(max_backoff, initial_backoff × 2ⁿ⁻¹)]`. A `Retry-After` from the
//! server is used instead, capped at `max_retry_after`. No wait ever runs
//! past the call's deadline: when it would, the last error is returned.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use http::{Method, StatusCode};

/// How a client retries (see the [module docs](self) for the rules).
///
/// `max_attempts` counts **all** attempts, the first included: the default
/// 3 means one try and up to two retries; 1 (or [`RetryPolicy::none`])
/// means no retries. Zero is rejected when the client is built.
///
/// ```
/// use std::time::Duration;
/// use arize_role_bindings::RetryPolicy;
///
/// let policy = RetryPolicy::standard()
///     .max_attempts(5)
///     .initial_backoff(Duration::from_millis(200))
///     .max_backoff(Duration::from_secs(5));
/// assert_eq!(policy.attempts(), 5);
/// assert_eq!(RetryPolicy::none().attempts(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    jitter: Jitter,
}

/// How the backoff delay is randomised.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Jitter {
    /// A uniformly random delay between zero and the exponential delay
    /// ("full jitter"): spreads out clients that failed together. The
    /// default.
    #[default]
    Full,
    /// Exactly the exponential delay (useful in tests).
    None,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::standard()
    }
}

impl RetryPolicy {
    /// 3 attempts in total, 1 s initial backoff, 20 s maximum backoff,
    /// `Retry-After` honoured up to 30 s, full jitter.
    pub fn standard() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(30),
            jitter: Jitter::Full,
        }
    }

    /// A single attempt: never retry.
    pub fn none() -> Self {
        Self::standard().max_attempts(1)
    }

    /// Attempts in total, the first included (1 = no retries). Zero is
    /// rejected by [`ClientBuilder::build`](crate::ClientBuilder::build).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// The backoff before the first retry, doubled for each further retry.
    #[must_use]
    pub fn initial_backoff(mut self, delay: Duration) -> Self {
        self.initial_backoff = delay;
        self
    }

    /// The cap on the exponential backoff.
    #[must_use]
    pub fn max_backoff(mut self, delay: Duration) -> Self {
        self.max_backoff = delay;
        self
    }

    /// The longest `Retry-After` the client waits; a longer one is cut to
    /// this (and the final error still carries the server's value).
    #[must_use]
    pub fn max_retry_after(mut self, delay: Duration) -> Self {
        self.max_retry_after = delay;
        self
    }

    /// How the backoff is randomised.
    #[must_use]
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// Attempts in total, the first included.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The backoff before the retry that follows attempt `attempt`
    /// (1-based), given `unit`, a random number in `[0, 1)` (ignored without
    /// jitter). Pure: the caller supplies the randomness.
    pub fn backoff(&self, attempt: u32, unit: f64) -> Duration {
        let exponent = attempt.saturating_sub(1).min(31);
        let exponential = self
            .initial_backoff
            .checked_mul(1u32 << exponent)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff);
        match self.jitter {
            Jitter::None => exponential,
            Jitter::Full => exponential.mul_f64(unit.clamp(0.0, 1.0)),
        }
    }

    /// A `Retry-After` delay as the client will wait it: capped at
    /// `max_retry_after`.
    pub fn capped_retry_after(&self, retry_after: Duration) -> Duration {
        retry_after.min(self.max_retry_after)
    }
}

/// What happened to one attempt, as far as retrying is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The server answered with this status (and maybe `Retry-After`).
    Response {
        /// The status.
        status: StatusCode,
        /// The parsed `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// No connection could be made: nothing was sent.
    ConnectFailed,
    /// The attempt timed out; the request may have been sent.
    TimedOut,
    /// The connection failed after the request was sent.
    ConnectionLost,
    /// A failure that retrying cannot fix (a bad body, a local error).
    Fatal,
}

impl Outcome {
    /// How an error counts for the retry decision.
    pub(crate) fn of(error: &crate::Error) -> Self {
        use crate::Error;
        match error {
            Error::Api {
                status,
                retry_after,
                ..
            } => Self::Response {
                status: *status,
                retry_after: *retry_after,
            },
            Error::Transport {
                phase: crate::TransportPhase::Connect,
                ..
            } => Self::ConnectFailed,
            Error::Transport { .. } => Self::ConnectionLost,
            // A deadline that cut an attempt short is a timeout for this
            // purpose (one that stopped a call before sending is not an
            // attempt outcome at all: the executor returns it at once).
            Error::Timeout { .. } | Error::Deadline { .. } => Self::TimedOut,
            _ => Self::Fatal,
        }
    }

    /// **The** rule for "may this request have been applied without the
    /// client learning the result?" — used by the retry decision (a POST is
    /// not repeated after such an attempt), by the executor (a DELETE
    /// retried after such an attempt that then gets 404 is done) and by
    /// [`Client::ensure`](crate::Client::ensure) (it starts over after such
    /// a create), and reported by [`Error::may_have_been_applied`](crate::Error::may_have_been_applied).
    ///
    /// | outcome | may have been applied? |
    /// |---|---|
    /// | timed out; connection lost after sending | **yes**: sent, no answer |
    /// | 502, 504 (a gateway's answer) | **yes**: the origin may have processed it |
    /// | could not connect | no: nothing was sent |
    /// | 429, 503 | no: the server did not process it |
    /// | any other status (2xx, 3xx, 4xx, 500, ...) | no: the origin answered, and its answer is the result |
    /// | a response that could not be read (`Fatal`: decode errors, a body over the cap) | no: an answer arrived; the error reports it |
    ///
    /// A 500 is the origin's own answer that it failed; this API's handlers
    /// do not half-apply a request, so a 500 does not make a create unsafe
    /// to repeat (but it is not retried either: see [`decide`]).
    ///
    /// ```
    /// use arize_role_bindings::retry::Outcome;
    /// use http::StatusCode;
    ///
    /// let answer = |code| Outcome::Response { status: StatusCode::from_u16(code).unwrap(), retry_after: None };
    /// assert!(answer(504).may_have_been_applied());
    /// assert!(!answer(500).may_have_been_applied());
    /// assert!(Outcome::TimedOut.may_have_been_applied());
    /// assert!(!Outcome::ConnectFailed.may_have_been_applied());
    /// ```
    pub fn may_have_been_applied(&self) -> bool {
        match self {
            Self::Response { status, .. } => matches!(status.as_u16(), 502 | 504),
            Self::TimedOut | Self::ConnectionLost => true,
            Self::ConnectFailed | Self::Fatal => false,
        }
    }
}

/// How long to wait before a retry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Delay {
    /// The exponential backoff ([`RetryPolicy::backoff`]).
    Backoff,
    /// The server's `Retry-After`, already capped.
    RetryAfter(Duration),
}

/// Why no retry follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stop {
    /// The outcome was a success, or an error retrying cannot fix.
    NotRetryable,
    /// A POST that may have been applied: retrying could create twice (the
    /// second attempt would see 409).
    MayHaveBeenApplied,
    /// `max_attempts` attempts were made.
    AttemptsExhausted,
}

/// The decision after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// Retry after this delay.
    Retry(Delay),
    /// Do not retry.
    Stop(Stop),
}

/// Whether a request with this method is safe to repeat after it may have
/// been applied. Everything but POST is, in this API: GET reads, PATCH sets
/// the role to a value, DELETE of a deleted binding is a 404 handled as done.
fn idempotent(method: &Method) -> bool {
    *method != Method::POST
}

/// The retry decision after attempt number `attempt` (1-based) of a
/// request with `method` ended with `outcome`. Pure; see the
/// [module docs](self) for the table.
///
/// ```
/// use std::time::Duration;
/// use arize_role_bindings::retry::{decide, Decision, Delay, Outcome, Stop};
/// use arize_role_bindings::RetryPolicy;
/// use http::{Method, StatusCode};
///
/// let policy = RetryPolicy::standard();
/// let bad_gateway = Outcome::Response { status: StatusCode::BAD_GATEWAY, retry_after: None };
/// assert_eq!(decide(&Method::GET, &bad_gateway, 1, &policy), Decision::Retry(Delay::Backoff));
/// assert_eq!(
///     decide(&Method::POST, &bad_gateway, 1, &policy),
///     Decision::Stop(Stop::MayHaveBeenApplied)
/// );
/// ```
pub fn decide(method: &Method, outcome: &Outcome, attempt: u32, policy: &RetryPolicy) -> Decision {
    let retryable = match *outcome {
        // Not processed: safe for every method.
        Outcome::Response {
            status,
            retry_after: Some(after),
        } if matches!(status.as_u16(), 429 | 503) => {
            Ok(Delay::RetryAfter(policy.capped_retry_after(after)))
        }
        Outcome::Response { status, .. } if matches!(status.as_u16(), 429 | 503) => {
            Ok(Delay::Backoff)
        }
        // Nothing was sent: safe for every method.
        Outcome::ConnectFailed => Ok(Delay::Backoff),
        // Sent, the result unknown (a gateway failure, a timeout, a lost
        // connection): repeat only what is safe to repeat.
        _ if outcome.may_have_been_applied() && idempotent(method) => Ok(Delay::Backoff),
        _ if outcome.may_have_been_applied() => Err(Stop::MayHaveBeenApplied),
        // An answer (2xx, 4xx, 500, ...) or an error retrying cannot fix.
        _ => Err(Stop::NotRetryable),
    };
    match retryable {
        Err(stop) => Decision::Stop(stop),
        Ok(_) if attempt >= policy.max_attempts => Decision::Stop(Stop::AttemptsExhausted),
        Ok(delay) => Decision::Retry(delay),
    }
}

/// Waits between attempts. The default, [`TokioSleeper`], uses
/// `tokio::time::sleep`; tests inject one that records the delays and
/// returns at once.
///
/// ```
/// use std::{future::Future, pin::Pin, sync::{Arc, Mutex}, time::Duration};
/// use arize_role_bindings::retry::Sleeper;
///
/// #[derive(Debug, Default)]
/// struct Recording(Mutex<Vec<Duration>>);
///
/// impl Sleeper for Recording {
///     fn sleep(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
///         self.0.lock().unwrap().push(delay);
///         Box::pin(async {})
///     }
/// }
///
/// let sleeper = Arc::new(Recording::default());
/// let client = arize_role_bindings::Client::builder()
///     .api_key("key")
///     .sleeper(sleeper.clone())
///     .build()?;
/// # let _ = client;
/// # Ok::<(), arize_role_bindings::Error>(())
/// ```
pub trait Sleeper: fmt::Debug + Send + Sync + 'static {
    /// A future that completes after `delay`.
    fn sleep(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>>;
}

/// Tells the time for the client's deadline, timings and shared pause, next
/// to the [`Sleeper`] that waits. The default, [`TokioClock`], reads
/// `tokio::time::Instant::now()` (so tokio's paused test clock applies);
/// tests that inject a sleeper returning at once inject a clock that the
/// sleeper advances, so that waits "take" the time they stand for.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use std::{future::Future, pin::Pin, time::Duration};
/// use arize_role_bindings::retry::{Clock, Sleeper};
/// use tokio::time::Instant;
///
/// /// A test clock: time moves only when the sleeper sleeps.
/// #[derive(Debug)]
/// struct Manual(Mutex<Instant>);
///
/// impl Clock for Manual {
///     fn now(&self) -> Instant {
///         *self.0.lock().unwrap()
///     }
/// }
///
/// #[derive(Debug)]
/// struct Advancing(Arc<Manual>);
///
/// impl Sleeper for Advancing {
///     fn sleep(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
///         *self.0.0.lock().unwrap() += delay;
///         Box::pin(async {})
///     }
/// }
///
/// let clock = Arc::new(Manual(Mutex::new(Instant::now())));
/// let client = arize_role_bindings::Client::builder()
///     .api_key("key")
///     .clock(clock.clone())
///     .sleeper(Arc::new(Advancing(clock)))
///     .build()?;
/// # let _ = client;
/// # Ok::<(), arize_role_bindings::Error>(())
/// ```
pub trait Clock: fmt::Debug + Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> tokio::time::Instant;
}

/// The default [`Clock`]: `tokio::time::Instant::now()`.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    fn now(&self) -> tokio::time::Instant {
        tokio::time::Instant::now()
    }
}

/// The default [`Sleeper`]: `tokio::time::sleep`.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        Box::pin(tokio::time::sleep(delay))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn status(code: u16, retry_after: Option<u64>) -> Outcome {
        Outcome::Response {
            status: StatusCode::from_u16(code).unwrap(),
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    const RETRY: Decision = Decision::Retry(Delay::Backoff);
    const NOT: Decision = Decision::Stop(Stop::NotRetryable);
    const APPLIED: Decision = Decision::Stop(Stop::MayHaveBeenApplied);
    const EXHAUSTED: Decision = Decision::Stop(Stop::AttemptsExhausted);

    fn after(secs: u64) -> Decision {
        Decision::Retry(Delay::RetryAfter(Duration::from_secs(secs)))
    }

    #[test]
    fn decision_table() {
        let policy = RetryPolicy::standard(); // 3 attempts, Retry-After cap 30 s
        let get = Method::GET;
        let post = Method::POST;
        let patch = Method::PATCH;
        let delete = Method::DELETE;
        #[rustfmt::skip]
        let table: Vec<(&Method, Outcome, u32, Decision)> = vec![
            // 429: every method, Retry-After honoured and capped.
            (&get, status(429, None), 1, RETRY),
            (&post, status(429, None), 1, RETRY),
            (&post, status(429, Some(2)), 1, after(2)),
            (&delete, status(429, Some(2)), 2, after(2)),
            (&get, status(429, Some(3600)), 1, after(30)),
            (&get, status(429, Some(2)), 3, EXHAUSTED),
            // 503: every method, it was not processed.
            (&get, status(503, None), 1, RETRY),
            (&post, status(503, None), 1, RETRY),
            (&post, status(503, Some(5)), 2, after(5)),
            (&post, status(503, None), 3, EXHAUSTED),
            // 502 / 504: not for POST.
            (&get, status(502, None), 1, RETRY),
            (&patch, status(504, None), 2, RETRY),
            (&delete, status(502, None), 1, RETRY),
            (&post, status(502, None), 1, APPLIED),
            (&post, status(504, None), 1, APPLIED),
            (&get, status(504, None), 3, EXHAUSTED),
            // 500 and other errors: never.
            (&get, status(500, None), 1, NOT),
            (&post, status(500, None), 1, NOT),
            (&get, status(400, None), 1, NOT),
            (&get, status(401, None), 1, NOT),
            (&post, status(403, None), 1, NOT),
            (&get, status(404, None), 1, NOT),
            (&post, status(409, None), 1, NOT),
            (&patch, status(422, None), 1, NOT),
            (&get, status(408, None), 1, NOT),
            (&get, status(200, None), 1, NOT),
            // Could not connect: nothing was sent, every method.
            (&get, Outcome::ConnectFailed, 1, RETRY),
            (&post, Outcome::ConnectFailed, 1, RETRY),
            (&post, Outcome::ConnectFailed, 2, RETRY),
            (&post, Outcome::ConnectFailed, 3, EXHAUSTED),
            // Timed out / lost after sending: never for POST.
            (&get, Outcome::TimedOut, 1, RETRY),
            (&patch, Outcome::TimedOut, 1, RETRY),
            (&delete, Outcome::ConnectionLost, 1, RETRY),
            (&post, Outcome::TimedOut, 1, APPLIED),
            (&post, Outcome::ConnectionLost, 1, APPLIED),
            (&post, Outcome::ConnectionLost, 3, APPLIED),
            // Fatal: never.
            (&get, Outcome::Fatal, 1, NOT),
        ];
        for (method, outcome, attempt, expected) in table {
            assert_eq!(
                decide(method, &outcome, attempt, &policy),
                expected,
                "{method} {outcome:?} attempt {attempt}"
            );
        }
    }

    #[test]
    fn one_attempt_means_no_retry() {
        let policy = RetryPolicy::none();
        for outcome in [
            status(429, None),
            status(503, Some(1)),
            Outcome::ConnectFailed,
            Outcome::TimedOut,
        ] {
            assert_eq!(
                decide(&Method::GET, &outcome, 1, &policy),
                EXHAUSTED,
                "{outcome:?}"
            );
        }
        // A policy with more attempts keeps going until the count is reached.
        let five = RetryPolicy::standard().max_attempts(5);
        assert_eq!(
            decide(&Method::GET, &Outcome::ConnectFailed, 4, &five),
            RETRY
        );
        assert_eq!(
            decide(&Method::GET, &Outcome::ConnectFailed, 5, &five),
            EXHAUSTED
        );
    }

    #[test]
    fn backoff_is_exponential_and_capped() {
        let policy = RetryPolicy::standard()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_secs(1))
            .jitter(Jitter::None);
        let ms = |attempt| policy.backoff(attempt, 0.5).as_millis();
        assert_eq!(
            [ms(1), ms(2), ms(3), ms(4), ms(5), ms(6)],
            [100, 200, 400, 800, 1000, 1000]
        );
        // No overflow for absurd attempt numbers.
        assert_eq!(policy.backoff(u32::MAX, 0.5), Duration::from_secs(1));
    }

    #[test]
    fn full_jitter_stays_within_bounds() {
        let policy = RetryPolicy::standard()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(800));
        for attempt in 1..=10 {
            let ceiling = Duration::from_millis(100 * (1u64 << (attempt - 1)))
                .min(Duration::from_millis(800));
            assert_eq!(policy.backoff(attempt, 0.0), Duration::ZERO);
            assert!(policy.backoff(attempt, 0.999_999) <= ceiling);
            assert_eq!(policy.backoff(attempt, 0.5), ceiling / 2);
            // Out-of-range randomness is clamped, never exceeds the ceiling.
            assert_eq!(policy.backoff(attempt, 7.0), ceiling);
            assert_eq!(policy.backoff(attempt, -1.0), Duration::ZERO);
            for _ in 0..100 {
                let d = policy.backoff(attempt, rand::random::<f64>());
                assert!(d <= ceiling, "{d:?} > {ceiling:?}");
            }
        }
    }

    #[test]
    fn retry_after_is_capped() {
        let policy = RetryPolicy::standard().max_retry_after(Duration::from_secs(10));
        assert_eq!(
            policy.capped_retry_after(Duration::from_secs(3)),
            Duration::from_secs(3)
        );
        assert_eq!(
            policy.capped_retry_after(Duration::from_secs(300)),
            Duration::from_secs(10)
        );
    }

    #[test]
    fn which_outcomes_may_have_been_applied() {
        // The one rule: sent without a usable answer.
        assert!(status(502, None).may_have_been_applied());
        assert!(status(504, None).may_have_been_applied());
        assert!(Outcome::TimedOut.may_have_been_applied());
        assert!(Outcome::ConnectionLost.may_have_been_applied());
        // Not sent, not processed, or answered.
        assert!(!Outcome::ConnectFailed.may_have_been_applied());
        for code in [200, 201, 204, 400, 404, 409, 429, 500, 503] {
            assert!(!status(code, None).may_have_been_applied(), "{code}");
        }
        assert!(!Outcome::Fatal.may_have_been_applied());
    }

    #[test]
    fn a_post_stops_exactly_where_the_rule_says_it_may_have_been_applied() {
        let policy = RetryPolicy::standard();
        let mut outcomes: Vec<Outcome> = (200..=599).map(|code| status(code, None)).collect();
        outcomes.extend([
            Outcome::ConnectFailed,
            Outcome::TimedOut,
            Outcome::ConnectionLost,
            Outcome::Fatal,
        ]);
        for outcome in outcomes {
            let post = decide(&Method::POST, &outcome, 1, &policy);
            assert_eq!(
                post == APPLIED,
                outcome.may_have_been_applied(),
                "{outcome:?}: {post:?}"
            );
            // Idempotent methods are retried after exactly those outcomes.
            if outcome.may_have_been_applied() {
                assert_eq!(decide(&Method::DELETE, &outcome, 1, &policy), RETRY);
            }
        }
    }

    #[test]
    fn errors_report_the_same_rule() {
        use crate::{Error, Problem, TransportPhase};
        let api = |code: u16| {
            Error::api(
                StatusCode::from_u16(code).unwrap(),
                Problem::new(code, "x"),
                None,
            )
        };
        assert!(api(502).may_have_been_applied());
        assert!(!api(500).may_have_been_applied());
        assert!(!api(409).may_have_been_applied());
        let lost = Error::Transport {
            phase: TransportPhase::AfterSend,
            source: "lost".into(),
        };
        assert!(lost.may_have_been_applied());
        let refused = Error::Transport {
            phase: TransportPhase::Connect,
            source: "refused".into(),
        };
        assert!(!refused.may_have_been_applied());
        let timeout = Error::Timeout {
            operation: "create_role_binding",
            timeout: Duration::from_secs(1),
        };
        assert!(timeout.may_have_been_applied());
        let decode = Error::Decode {
            status: Some(StatusCode::CREATED),
            excerpt: String::new(),
            source: "bad".into(),
        };
        assert!(!decode.may_have_been_applied());
    }
}
