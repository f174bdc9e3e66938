//! Shared back-pressure: a 429 with `Retry-After` seen by one call pauses
//! every call of the client (and of its clones) until the server's delay has
//! passed, instead of each call finding the rate limit on its own.
//!
//! The gate holds one instant, "paused until". A 429 with `Retry-After`
//! (capped at the policy's `max_retry_after`) moves it to
//! `max(paused until, now + delay)`. Before each attempt a call asks the gate
//! how long to wait and waits that long **once**, through the client's
//! [`Sleeper`](crate::Sleeper); a call remembers the pause it has waited out
//! (its own retry wait counts), so it never waits twice for the same pause
//! and never loops on the gate. Time is read from the client's
//! [`Clock`](crate::retry::Clock).

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use http::StatusCode;
use tokio::time::Instant;

use crate::retry::{Outcome, RetryPolicy};

/// "Paused until": shared by every clone of a client.
#[derive(Debug, Default)]
pub(crate) struct PauseGate {
    until: Mutex<Option<Instant>>,
}

/// The latest instant one call has already waited until (its own retry
/// waits and the gate waits it made).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Waited(Option<Instant>);

impl Waited {
    /// Notes that the call has waited (or is about to wait) until `at`.
    pub(crate) fn through(&mut self, at: Instant) {
        self.0 = self.0.max(Some(at));
    }

    /// Notes a wait of `delay` starting at `now`.
    pub(crate) fn sleeping(&mut self, now: Instant, delay: Duration) {
        if let Some(at) = now.checked_add(delay) {
            self.through(at);
        }
    }
}

impl PauseGate {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Instant>> {
        self.until.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Pauses every call for `delay` from `now`, unless already paused for
    /// longer. Returns the instant the gate opens.
    pub(crate) fn pause_for(&self, now: Instant, delay: Duration) -> Option<Instant> {
        let at = now.checked_add(delay)?;
        let mut until = self.lock();
        let opens = until.map_or(at, |u| u.max(at));
        *until = Some(opens);
        Some(opens)
    }

    /// Applies an attempt's outcome at `now`: a 429 with `Retry-After`
    /// pauses everyone for that delay, capped by `policy`. Other outcomes (a
    /// 429 without `Retry-After`, a 503) leave the gate alone: they are
    /// retried with the calling task's own backoff.
    pub(crate) fn observe(&self, now: Instant, outcome: &Outcome, policy: &RetryPolicy) {
        if let Outcome::Response {
            status: StatusCode::TOO_MANY_REQUESTS,
            retry_after: Some(after),
        } = *outcome
        {
            let delay = policy.capped_retry_after(after);
            if !delay.is_zero() {
                self.pause_for(now, delay);
            }
        }
    }

    /// How long a call that has waited until `waited` must still wait at
    /// `now` before its next attempt; `None` when the gate is open or the
    /// call has already waited for this pause. Marks the wait as made.
    pub(crate) fn wait(&self, now: Instant, waited: &mut Waited) -> Option<Duration> {
        let until = (*self.lock())?;
        if waited.0.is_some_and(|w| w >= until) {
            return None;
        }
        let wait = until.checked_duration_since(now)?;
        if wait.is_zero() {
            return None;
        }
        waited.through(until);
        Some(wait)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn too_many(secs: Option<u64>) -> Outcome {
        Outcome::Response {
            status: StatusCode::TOO_MANY_REQUESTS,
            retry_after: secs.map(Duration::from_secs),
        }
    }

    #[test]
    fn an_open_gate_asks_for_no_wait() {
        let gate = PauseGate::default();
        assert_eq!(gate.wait(Instant::now(), &mut Waited::default()), None);
    }

    #[test]
    fn a_429_with_retry_after_pauses_everyone_once() {
        let gate = PauseGate::default();
        let policy = RetryPolicy::standard();
        let t0 = Instant::now();
        gate.observe(t0, &too_many(Some(2)), &policy);
        let (mut a, mut b) = (Waited::default(), Waited::default());
        assert_eq!(gate.wait(t0, &mut a), Some(Duration::from_secs(2)));
        // Once per pause: asking again gives nothing.
        assert_eq!(gate.wait(t0, &mut a), None);
        let t1 = t0 + Duration::from_millis(500);
        // Another call waits what is left.
        assert_eq!(gate.wait(t1, &mut b), Some(Duration::from_millis(1500)));
        // A later, longer pause is waited for again.
        gate.observe(t1, &too_many(Some(3)), &policy);
        assert_eq!(gate.wait(t1, &mut a), Some(Duration::from_secs(3)));
        // A shorter one does not shorten it.
        gate.observe(t1, &too_many(Some(1)), &policy);
        assert_eq!(
            gate.wait(t1, &mut Waited::default()),
            Some(Duration::from_secs(3))
        );
        // Once the time has passed, the gate is open.
        let t2 = t1 + Duration::from_secs(3);
        assert_eq!(gate.wait(t2, &mut Waited::default()), None);
    }

    #[test]
    fn a_calls_own_retry_wait_covers_the_pause() {
        let gate = PauseGate::default();
        let t0 = Instant::now();
        gate.observe(t0, &too_many(Some(2)), &RetryPolicy::standard());
        let mut own = Waited::default();
        own.sleeping(t0, Duration::from_secs(2));
        assert_eq!(gate.wait(t0, &mut own), None);
    }

    #[test]
    fn the_pause_is_capped_and_only_429_with_retry_after_counts() {
        let gate = PauseGate::default();
        let t0 = Instant::now();
        let policy = RetryPolicy::standard().max_retry_after(Duration::from_millis(50));
        gate.observe(t0, &too_many(None), &policy);
        gate.observe(
            t0,
            &Outcome::Response {
                status: StatusCode::SERVICE_UNAVAILABLE,
                retry_after: Some(Duration::from_secs(5)),
            },
            &policy,
        );
        gate.observe(t0, &Outcome::ConnectFailed, &policy);
        assert_eq!(gate.wait(t0, &mut Waited::default()), None);
        gate.observe(t0, &too_many(Some(3600)), &policy);
        assert_eq!(
            gate.wait(t0, &mut Waited::default()),
            Some(Duration::from_millis(50))
        );
        // An absurd Retry-After with an absurd cap does not overflow.
        let unbounded = RetryPolicy::standard().max_retry_after(Duration::MAX);
        gate.observe(t0, &too_many(Some(u64::MAX)), &unbounded);
        assert_eq!(
            gate.wait(t0, &mut Waited::default()),
            Some(Duration::from_millis(50))
        );
    }
}
