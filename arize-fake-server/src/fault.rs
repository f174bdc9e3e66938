//! Fault and latency injection.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

pub use crate::operation::Operation;

/// The text did not name an operation or a fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(String);

impl ParseError {
    pub(crate) fn new(message: String) -> Self {
        Self(message)
    }
}

/// The `Retry-After` header of an injected 429.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryAfter {
    /// `Retry-After: <n>` — what Arize sends.
    Seconds(u64),
    /// No `Retry-After` header at all.
    Missing,
    /// This exact header value: garbage (`"soon"`), an HTTP date, a negative
    /// or a huge number (`"99999999999999999999"`).
    Raw(String),
}

impl FromStr for RetryAfter {
    type Err = ParseError;
    /// A number of seconds, `none`/`missing`, or anything else as a raw
    /// value.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "none" | "missing" => RetryAfter::Missing,
            _ => s
                .parse()
                .map_or_else(|_| RetryAfter::Raw(s.to_owned()), RetryAfter::Seconds),
        })
    }
}

/// What an injected fault does to one request.
///
/// Unless stated otherwise the operation is **not applied**: a 503 on a
/// create creates nothing, a truncated body on a delete deletes nothing.
/// [`Fault::CloseAfterApply`] is the one exception. Body faults answer with
/// the operation's success status (`201` for create, `200` otherwise — also
/// for delete, whose real 204 carries no body) and a synthetic body built
/// from the spec's examples. The pagination faults apply to the list
/// operations only ([`Operation::is_list`]: role bindings, users, roles,
/// spaces, projects), run the real listing (after authentication) and only
/// distort its pagination.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// A `Problem` with this status (500, 502, 503, 504, or any other code,
    /// e.g. 409 on update). A 429 carries `Retry-After: 1`.
    Status(u16),
    /// 429 with the given `Retry-After`.
    RateLimited(RetryAfter),
    /// Close the connection without sending anything.
    CloseBeforeResponse,
    /// Apply the operation (with all its checks), then close the connection
    /// without answering: "the create succeeded but its 201 was lost".
    CloseAfterApply,
    /// Send the head with a `Content-Length` of the full body, then half of
    /// the body, then close the connection.
    CloseMidBody,
    /// A complete HTTP answer whose JSON body is cut in half
    /// (`Content-Length` matches the truncated body).
    TruncatedJson,
    /// `Content-Type: application/json` with a body that is not JSON.
    InvalidJson,
    /// Valid JSON of the wrong shape (`{"unexpected": ...}`).
    WrongShapeJson,
    /// An HTML error page (`text/html`) with this status, as a proxy in
    /// front of the API would send.
    HtmlErrorPage(u16),
    /// A `Problem` with this status served as `text/plain`.
    ProblemAsTextPlain(u16),
    /// The success status with `Content-Type: application/json` and an
    /// empty body.
    EmptyBody,
    /// Lists only: the answer's `next_cursor` repeats the request's cursor
    /// (the first page, which has none to repeat, hands out a real next
    /// cursor), with `has_more: true`.
    RepeatedCursor,
    /// Lists only: a real page with `has_more: true` and no `next_cursor`.
    HasMoreWithoutCursor,
    /// Lists only: empty pages with `has_more: true` and a fresh cursor each
    /// time, forever.
    EndlessEmptyPages,
    /// A redirect: this 3xx status with this `Location` (sent as given:
    /// relative, absolute, with userinfo...) and a short HTML body. The
    /// operation is not applied. (The Arize API never redirects; a proxy or
    /// load balancer in front of it might.)
    Redirect(u16, String),
    /// Never answer (and never apply the operation): the request hangs
    /// until the client gives up or the server shuts down — an attempt or
    /// call timeout, deterministically.
    Hang,
    /// Not a failure: a concurrent client deletes this binding (if it still
    /// exists) just before the request is handled; the request itself then
    /// runs normally (after authentication). With
    /// `.on(Operation::List).every(2)` it models "a binding deleted between
    /// pages".
    DeleteBinding(String),
}

impl Fault {
    /// Whether the fault is one of the pagination faults (lists only).
    #[must_use]
    pub fn is_pagination(&self) -> bool {
        matches!(
            self,
            Fault::RepeatedCursor | Fault::HasMoreWithoutCursor | Fault::EndlessEmptyPages
        )
    }

    fn applies_to(&self, op: Operation) -> bool {
        !self.is_pagination() || op.is_list()
    }
}

impl FromStr for Fault {
    type Err = ParseError;
    /// A status code (`503`), `429`, `close-before`, `close-after-apply`,
    /// `close-mid-body`, `truncated-json`, `invalid-json`, `wrong-shape`,
    /// `html[:STATUS]` (default 502), `text-plain-problem[:STATUS]` (default
    /// 500), `empty-body`, `repeated-cursor`, `has-more-without-cursor`,
    /// `endless-empty-pages`, `hang`, `redirect[:STATUS[:LOCATION]]`
    /// (default 307 to `/`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, arg) = match s.split_once(':') {
            Some((n, a)) => (n, Some(a)),
            None => (s, None),
        };
        let status_arg = |default: u16| -> Result<u16, ParseError> {
            arg.map_or(Ok(default), |a| {
                a.parse()
                    .map_err(|_| ParseError(format!("invalid status {a:?} in fault {s:?}")))
            })
        };
        Ok(match name {
            "close-before" | "close-before-response" => Fault::CloseBeforeResponse,
            "close-after-apply" => Fault::CloseAfterApply,
            "close-mid-body" => Fault::CloseMidBody,
            "truncated-json" => Fault::TruncatedJson,
            "invalid-json" => Fault::InvalidJson,
            "wrong-shape" | "wrong-shape-json" => Fault::WrongShapeJson,
            "html" => Fault::HtmlErrorPage(status_arg(502)?),
            "text-plain-problem" => Fault::ProblemAsTextPlain(status_arg(500)?),
            "empty-body" => Fault::EmptyBody,
            "repeated-cursor" => Fault::RepeatedCursor,
            "has-more-without-cursor" => Fault::HasMoreWithoutCursor,
            "endless-empty-pages" => Fault::EndlessEmptyPages,
            "hang" => Fault::Hang,
            "redirect" => {
                let (status, location) = match arg.map(|a| a.split_once(':').unwrap_or((a, "/"))) {
                    Some((status, location)) => (
                        status.parse().map_err(|_| {
                            ParseError(format!("invalid status {status:?} in fault {s:?}"))
                        })?,
                        location,
                    ),
                    None => (307, "/"),
                };
                Fault::Redirect(status, location.to_owned())
            }
            _ => match name.parse::<u16>() {
                Ok(code) if (100..=999).contains(&code) => Fault::Status(code),
                _ => return Err(ParseError(format!("unknown fault {s:?}"))),
            },
        })
    }
}

/// When a [`FaultRule`] fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// On every matching call.
    Always,
    /// On the next `n` matching calls, then the rule is spent.
    Next(u32),
    /// On every `k`-th matching call (the `k`-th, `2k`-th, ... since the
    /// rule was injected).
    Every(u32),
}

/// A fault, the operation(s) it targets and its schedule.
///
/// ```
/// use arize_fake_server::{Fault, FaultRule, Operation};
///
/// // The next two creates answer 503 (and create nothing).
/// let rule = FaultRule::new(Fault::Status(503)).on(Operation::Create).next(2);
/// // Every 5th call of any operation answers 429 with Retry-After: 7.
/// let other = FaultRule::new(Fault::RateLimited(arize_fake_server::RetryAfter::Seconds(7))).every(5);
/// # let _ = (rule, other);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    fault: Fault,
    operation: Option<Operation>,
    schedule: Schedule,
}

impl FaultRule {
    /// The fault on every call of every operation (pagination faults: of
    /// the lists only).
    #[must_use]
    pub fn new(fault: Fault) -> Self {
        Self {
            fault,
            operation: None,
            schedule: Schedule::Always,
        }
    }
    /// Only calls of this operation match.
    #[must_use]
    pub fn on(mut self, operation: Operation) -> Self {
        self.operation = Some(operation);
        self
    }
    /// Matching calls of any operation (the default).
    #[must_use]
    pub fn on_all(mut self) -> Self {
        self.operation = None;
        self
    }
    /// Fire on the next `n` matching calls only.
    #[must_use]
    pub fn next(mut self, n: u32) -> Self {
        self.schedule = Schedule::Next(n);
        self
    }
    /// Fire on every `k`-th matching call (`k` = 0 is treated as 1).
    #[must_use]
    pub fn every(mut self, k: u32) -> Self {
        self.schedule = Schedule::Every(k.max(1));
        self
    }
    /// Fire on every matching call (the default).
    #[must_use]
    pub fn always(mut self) -> Self {
        self.schedule = Schedule::Always;
        self
    }
    /// The fault.
    #[must_use]
    pub fn fault(&self) -> &Fault {
        &self.fault
    }
    /// The targeted operation, `None` for all.
    #[must_use]
    pub fn operation(&self) -> Option<Operation> {
        self.operation
    }
    /// The schedule.
    #[must_use]
    pub fn schedule(&self) -> Schedule {
        self.schedule
    }

    fn matches(&self, op: Operation) -> bool {
        self.fault.applies_to(op) && self.operation.is_none_or(|o| o == op)
    }
}

#[derive(Debug)]
struct ActiveRule {
    rule: FaultRule,
    seen: u64,
    remaining: u32,
}

#[derive(Debug, Default)]
struct FaultState {
    rules: Vec<ActiveRule>,
    latency_all: Option<Duration>,
    latency: HashMap<Operation, Duration>,
}

/// The server's fault and latency settings; reach it with
/// [`FakeServer::faults`](crate::FakeServer::faults). Changes apply to the
/// next request.
#[derive(Debug, Default)]
pub struct Faults {
    state: Mutex<FaultState>,
}

impl Faults {
    fn lock(&self) -> std::sync::MutexGuard<'_, FaultState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds a rule. Rules are tried in the order they were added; the first
    /// that fires decides the request's fault. [`Schedule::Every`] rules
    /// count every matching call, also those another rule took.
    pub fn inject(&self, rule: FaultRule) {
        let remaining = match rule.schedule {
            Schedule::Next(n) => n,
            _ => 0,
        };
        self.lock().rules.push(ActiveRule {
            rule,
            seen: 0,
            remaining,
        });
    }

    /// Removes every rule (latency settings stay).
    pub fn clear(&self) {
        self.lock().rules.clear();
    }

    /// The rules still active (spent `next(n)` rules are gone).
    #[must_use]
    pub fn rules(&self) -> Vec<FaultRule> {
        self.lock().rules.iter().map(|r| r.rule.clone()).collect()
    }

    /// Delays every call of `operation` (`None`: of every operation without
    /// its own setting) by `delay` before it is handled.
    pub fn set_latency(&self, operation: Option<Operation>, delay: Duration) {
        let mut state = self.lock();
        match operation {
            Some(op) => {
                state.latency.insert(op, delay);
            }
            None => state.latency_all = Some(delay),
        }
    }

    /// Removes all latency settings.
    pub fn clear_latency(&self) {
        let mut state = self.lock();
        state.latency.clear();
        state.latency_all = None;
    }

    pub(crate) fn latency(&self, op: Operation) -> Option<Duration> {
        let state = self.lock();
        state.latency.get(&op).copied().or(state.latency_all)
    }

    /// Decides the fault for one call of `op`, advancing the schedules.
    pub(crate) fn pick(&self, op: Operation) -> Option<Fault> {
        let mut state = self.lock();
        let mut chosen = None;
        for active in state.rules.iter_mut().filter(|a| a.rule.matches(op)) {
            active.seen += 1;
            let fires = match active.rule.schedule {
                Schedule::Always => true,
                Schedule::Next(_) => active.remaining > 0,
                Schedule::Every(k) => active.seen % u64::from(k.max(1)) == 0,
            };
            if fires && chosen.is_none() {
                if let Schedule::Next(_) = active.rule.schedule {
                    active.remaining -= 1;
                }
                chosen = Some(active.rule.fault.clone());
            }
        }
        state
            .rules
            .retain(|a| !matches!(a.rule.schedule, Schedule::Next(_)) || a.remaining > 0);
        chosen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_n_then_spent() {
        let faults = Faults::default();
        faults.inject(
            FaultRule::new(Fault::Status(503))
                .on(Operation::Create)
                .next(2),
        );
        assert_eq!(faults.pick(Operation::Get), None);
        assert_eq!(faults.pick(Operation::Create), Some(Fault::Status(503)));
        assert_eq!(faults.pick(Operation::Create), Some(Fault::Status(503)));
        assert_eq!(faults.pick(Operation::Create), None);
        assert!(faults.rules().is_empty());
    }

    #[test]
    fn every_k() {
        let faults = Faults::default();
        faults.inject(FaultRule::new(Fault::Status(500)).every(3));
        let fired: Vec<bool> = (0..7)
            .map(|_| faults.pick(Operation::List).is_some())
            .collect();
        assert_eq!(fired, [false, false, true, false, false, true, false]);
    }

    #[test]
    fn first_firing_rule_wins_and_next_n_not_consumed_by_others() {
        let faults = Faults::default();
        faults.inject(FaultRule::new(Fault::Status(500)).every(2));
        faults.inject(FaultRule::new(Fault::Status(503)).next(1));
        assert_eq!(faults.pick(Operation::Get), Some(Fault::Status(503)));
        assert_eq!(faults.pick(Operation::Get), Some(Fault::Status(500)));
        assert_eq!(faults.pick(Operation::Get), None);
    }

    #[test]
    fn pagination_faults_only_on_list() {
        let faults = Faults::default();
        faults.inject(FaultRule::new(Fault::EndlessEmptyPages));
        assert_eq!(faults.pick(Operation::Get), None);
        assert_eq!(faults.pick(Operation::List), Some(Fault::EndlessEmptyPages));
        assert_eq!(faults.pick(Operation::GetUser), None);
        assert_eq!(
            faults.pick(Operation::ListUsers),
            Some(Fault::EndlessEmptyPages)
        );
    }

    #[test]
    fn parse() {
        assert_eq!("503".parse(), Ok(Fault::Status(503)));
        assert_eq!("html".parse(), Ok(Fault::HtmlErrorPage(502)));
        assert_eq!("redirect".parse(), Ok(Fault::Redirect(307, "/".into())));
        assert_eq!(
            "redirect:301:http://h:1/x".parse(),
            Ok(Fault::Redirect(301, "http://h:1/x".into()))
        );
        assert_eq!("redirect:308".parse(), Ok(Fault::Redirect(308, "/".into())));
        assert_eq!("html:503".parse(), Ok(Fault::HtmlErrorPage(503)));
        assert_eq!("close-after-apply".parse(), Ok(Fault::CloseAfterApply));
        assert!("nonsense".parse::<Fault>().is_err());
        assert_eq!("create".parse(), Ok(Operation::Create));
        assert_eq!("list_role_bindings".parse(), Ok(Operation::List));
        assert_eq!("list_users".parse(), Ok(Operation::ListUsers));
        assert_eq!("get-project".parse(), Ok(Operation::GetProject));
        assert!("patch".parse::<Operation>().is_err());
        assert_eq!("5".parse(), Ok(RetryAfter::Seconds(5)));
        assert_eq!("none".parse(), Ok(RetryAfter::Missing));
        assert_eq!("soon".parse(), Ok(RetryAfter::Raw("soon".into())));
    }
}
