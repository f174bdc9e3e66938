//! The fault matrix: every fault (row) against every operation (column).
//!
//! Each cell starts its own fake server with a known world, injects the
//! row's fault, runs the column's operation with a recording sleeper, and
//! checks, against the cell's stated expectation: the result (value or
//! typed error), every wait the client asked for (so the number of retries
//! and whether `Retry-After` was honoured), the server's state afterwards
//! (nothing lost, nothing duplicated, applied only when expected), and that
//! no error text carries the key. `tests/README.md` holds the same table,
//! generated from [`rows`] (`cargo test -p arize-tests --test reliability --
//! --print-matrix`) and checked by the cell `matrix::readme`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use arize_api::types::RoleBindingResourceType;
use arize_fake_server::{FakeServer, Fault, FaultRule, Operation, RetryAfter, Seed};
use arize_role_bindings::{
    Client, Cursor, EnsureOutcome, Ensured, Error, ListQuery, Page, PaginationError, ReadAhead,
    Resource, ResourceType, Revoked, RoleBinding, RoleBindingId, RoleId, SpaceId, TransportPhase,
    UserId,
};
use arize_tests::reads::{DEFAULT_PAGE_SIZE, READS, Read};
use futures::TryStreamExt as _;

use crate::support::*;

/// What kind of call a column is. The rows state their expectations per
/// class, not per column: a new column declares its class (and how to call
/// it, and its fake [`Operation`]) and gets every row's expectation from
/// that.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Create,
    /// `get_role_binding`: a read of the binding a row may delete (404).
    Get,
    Update,
    Delete,
    ListPage,
    ListStream,
    Ensure,
    Revoke,
    /// A directory read (`get_user`, `list_users`, ...): one idempotent
    /// request, retried like `get` and `list_role_bindings`; it reads no
    /// binding, so a deleted binding leaves it alone. The pagination rows
    /// hit a directory list's own request (the page as served); a get
    /// makes no list request.
    DirectoryRead,
}

/// The operations, in the table's order: the SDK's role-binding calls, then
/// the directory reads of [`READS`] (every operation of the spec).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Col {
    Create,
    Get,
    Update,
    Delete,
    ListPage,
    ListStream,
    Ensure,
    Revoke,
    /// A directory read of [`READS`], by its fake operation:
    /// `client.users().get(..)`, `client.users().list_page(..)` (the first
    /// page) and the like, as the read's `facade` call says.
    Read(Operation),
}

impl Col {
    /// The role-binding columns.
    const ROLE_BINDINGS: [Col; 8] = [
        Col::Create,
        Col::Get,
        Col::Update,
        Col::Delete,
        Col::ListPage,
        Col::ListStream,
        Col::Ensure,
        Col::Revoke,
    ];

    /// Every column: the role-binding ones, then one per read of [`READS`].
    pub fn all() -> Vec<Col> {
        Col::ROLE_BINDINGS
            .into_iter()
            .chain(READS.iter().map(|r| Col::Read(r.op)))
            .collect()
    }

    /// The column's directory read, if it is one.
    fn read(self) -> Option<&'static Read> {
        match self {
            Col::Read(op) => Read::of(op),
            _ => None,
        }
    }

    pub fn key(self) -> String {
        match self {
            Col::Create => "create".into(),
            Col::Get => "get".into(),
            Col::Update => "update".into(),
            Col::Delete => "delete".into(),
            Col::ListPage => "list_page".into(),
            Col::ListStream => "list_stream".into(),
            Col::Ensure => "ensure".into(),
            Col::Revoke => "revoke".into(),
            // `users_get`, `users_list_page`, ...
            Col::Read(op) => match Read::of(op) {
                Some(read) if read.is_list() => format!("{}_list_page", read.resource()),
                Some(read) => format!("{}_get", read.resource()),
                None => op.operation_id().to_owned(),
            },
        }
    }

    fn title(self) -> String {
        self.key().replace('_', " ")
    }

    /// The column's class, which the rows' expectations are stated for.
    pub fn class(self) -> Class {
        match self {
            Col::Create => Class::Create,
            Col::Get => Class::Get,
            Col::Update => Class::Update,
            Col::Delete => Class::Delete,
            Col::ListPage => Class::ListPage,
            Col::ListStream => Class::ListStream,
            Col::Ensure => Class::Ensure,
            Col::Revoke => Class::Revoke,
            Col::Read(_) => Class::DirectoryRead,
        }
    }

    /// The fake server's operation the column's (first) request is.
    pub fn operation(self) -> Operation {
        match self {
            Col::Create | Col::Ensure => Operation::Create,
            Col::Get => Operation::Get,
            Col::Update => Operation::Update,
            Col::Delete => Operation::Delete,
            Col::ListPage | Col::ListStream | Col::Revoke => Operation::List,
            Col::Read(op) => op,
        }
    }
}

/// Filler spaces the user holds bindings on, before the target: 100, so
/// that `ensure` and `revoke` (which look the user up 100 bindings a page)
/// find the target binding on their second page.
const FILLERS: usize = 100;
/// The list-page column's page size.
const PAGE_LIMIT: u32 = 50;
/// The list-stream column's page size: 101 bindings in pages of 40, 40, 21.
const STREAM_LIMIT: u32 = 40;

/// What a cell's operation is about. The user holds role R1 on 100 filler
/// spaces, then (except for the create column) on the target space.
pub struct Ids {
    pub target: String,
    pub target_binding: String,
    pub filler_bindings: Vec<String>,
}

impl Ids {
    /// Placeholders, for describing the table.
    fn placeholder() -> Self {
        Self {
            target: "T".into(),
            target_binding: "B".into(),
            filler_bindings: (0..FILLERS).map(|i| format!("BF{i}")).collect(),
        }
    }
}

/// Client settings a row changes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Cfg {
    attempt_timeout: Option<Duration>,
    deadline: Option<Duration>,
    max_retry_after: Option<Duration>,
    max_response_body: Option<u64>,
}

/// The typed error a cell expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `Error::Api` with this status.
    Api(u16),
    /// `Error::Api` with this status and a problem detail containing this.
    ApiDetail(u16, &'static str),
    /// `Error::Api` with this status and this `Retry-After` (seconds).
    ApiRetryAfter(u16, u64),
    Transport(TransportPhase),
    Timeout,
    Deadline,
    Decode,
    TooLarge,
    RepeatedCursor,
    MissingCursor,
    TooManyEmptyPages,
    /// `Error::Redirect` with this status and this (redacted) `Location`.
    Redirect(u16, &'static str),
}

impl Kind {
    fn matches(self, err: &Error) -> bool {
        match (self, err) {
            (Kind::Api(s), Error::Api { status, .. }) => status.as_u16() == s,
            (
                Kind::ApiDetail(s, text),
                Error::Api {
                    status, problem, ..
                },
            ) => {
                status.as_u16() == s && problem.detail.as_deref().is_some_and(|d| d.contains(text))
            }
            (
                Kind::ApiRetryAfter(s, secs),
                Error::Api {
                    status,
                    retry_after,
                    ..
                },
            ) => status.as_u16() == s && *retry_after == Some(Duration::from_secs(secs)),
            (Kind::Transport(p), Error::Transport { phase, .. }) => *phase == p,
            (
                Kind::Redirect(s, to),
                Error::Redirect {
                    status, location, ..
                },
            ) => status.as_u16() == s && location.as_deref() == Some(to),
            (Kind::Timeout, Error::Timeout { .. })
            | (Kind::Deadline, Error::Deadline { .. })
            | (Kind::Decode, Error::Decode { .. })
            | (Kind::TooLarge, Error::ResponseTooLarge { .. })
            | (Kind::RepeatedCursor, Error::Pagination(PaginationError::RepeatedCursor { .. }))
            | (Kind::MissingCursor, Error::Pagination(PaginationError::MissingCursor { .. }))
            | (
                Kind::TooManyEmptyPages,
                Error::Pagination(PaginationError::TooManyEmptyPages { .. }),
            ) => true,
            _ => false,
        }
    }

    fn describe(self) -> String {
        match self {
            Kind::Api(s) | Kind::ApiDetail(s, _) => format!("`Api {s}`"),
            Kind::ApiRetryAfter(s, secs) => format!("`Api {s}` (retry_after {secs} s)"),
            Kind::Transport(TransportPhase::Connect) => "`Transport(Connect)`".into(),
            Kind::Transport(_) => "`Transport(AfterSend)`".into(),
            Kind::Timeout => "`Timeout`".into(),
            Kind::Deadline => "`Deadline`".into(),
            Kind::Decode => "`Decode`".into(),
            Kind::TooLarge => "`ResponseTooLarge`".into(),
            Kind::RepeatedCursor => "`Pagination(RepeatedCursor)`".into(),
            Kind::MissingCursor => "`Pagination(MissingCursor)`".into(),
            Kind::TooManyEmptyPages => "`Pagination(TooManyEmptyPages)`".into(),
            Kind::Redirect(s, _) => format!("`Redirect {s}`"),
        }
    }
}

/// What a successful cell returns, beyond the column's default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// The column's normal result and effect.
    Default,
    /// List page: the page as served — `len` bindings from position `from`
    /// of the user's bindings, `has_more`, and a cursor or not.
    Page {
        from: usize,
        len: usize,
        has_more: bool,
        cursor: bool,
    },
    /// Ensure: the binding was gone, so it was created again.
    EnsureCreated,
    /// Revoke: the binding was gone: `Revoked::NotFound`.
    RevokeNotFound,
    /// Delete: `Ok(())` for a 2xx answer, whose (broken) body is ignored;
    /// the fake did not apply it (a real server answering 2xx would have).
    DeleteNotApplied,
    /// Ensure: its create is not retried (it may have been applied), so
    /// ensure starts over and ends as usual (`Updated`).
    EnsureStartsOver,
    /// A list-only fault on an operation that lists nothing: the normal
    /// result, and no list request was made.
    Unaffected,
    /// A pagination fault on a directory list's page: the page as served
    /// (its records, or none for an empty page), the fault delivered on
    /// the list's request. One page is one request, so no loop guard is
    /// involved (as for the role-binding list page).
    DirectoryPage { empty: bool },
}

/// A cell's expectation.
#[derive(Clone, Debug)]
pub enum Want {
    Ok {
        sleeps: Vec<Duration>,
        shape: Shape,
        /// The call is several requests (ensure, revoke, a stream): after
        /// the first 429 with `Retry-After`, the later requests honour the
        /// client's shared pause too. With the instant test sleeper no real
        /// time passes, so each of them waits the rest of that pause: extra
        /// waits, each no longer than the first.
        gated: bool,
    },
    Err {
        kind: Kind,
        sleeps: Vec<Duration>,
        /// Whether the operation took effect on the server anyway.
        applied: bool,
    },
}

fn ok(sleeps: &[Duration]) -> Want {
    ok_shape(sleeps, Shape::Default)
}

fn ok_shape(sleeps: &[Duration], shape: Shape) -> Want {
    Want::Ok {
        sleeps: sleeps.to_vec(),
        shape,
        gated: false,
    }
}

/// Ok after waiting `retry_after` once; for calls made of several requests
/// the later ones may wait the rest of the shared pause.
fn ok_after_retry_after(col: Col, retry_after: Duration) -> Want {
    Want::Ok {
        sleeps: vec![retry_after],
        shape: Shape::Default,
        gated: matches!(
            col.class(),
            Class::ListStream | Class::Ensure | Class::Revoke
        ),
    }
}

/// The recorded waits match: exactly, or (`gated`) the expected ones first
/// and then only waits no longer than the first.
fn waits_match(actual: &[Duration], want: &[Duration], gated: bool) -> bool {
    if !gated {
        return actual == want;
    }
    actual.len() >= want.len()
        && actual[..want.len()] == *want
        && actual[want.len()..].iter().all(|d| Some(d) <= want.first())
}

fn err(kind: Kind, sleeps: &[Duration]) -> Want {
    Want::Err {
        kind,
        sleeps: sleeps.to_vec(),
        applied: false,
    }
}

fn err_applied(kind: Kind, sleeps: &[Duration]) -> Want {
    Want::Err {
        kind,
        sleeps: sleeps.to_vec(),
        applied: true,
    }
}

fn describe_sleeps(sleeps: &[Duration]) -> String {
    if sleeps.is_empty() {
        return String::new();
    }
    let retries = if sleeps.len() == 1 {
        "1 retry".to_owned()
    } else {
        format!("{} retries", sleeps.len())
    };
    let backoff = [B1, B2];
    if sleeps.iter().zip(backoff).all(|(a, b)| *a == b) {
        format!("{retries} (backoff)")
    } else {
        let waits: Vec<String> = sleeps
            .iter()
            .map(|d| format!("{} s", d.as_secs()))
            .collect();
        format!("{retries} after {}", waits.join(", "))
    }
}

impl Want {
    fn describe(&self) -> String {
        match self {
            Want::Ok {
                sleeps,
                shape,
                gated,
            } => {
                let what = match shape {
                    Shape::Default => "ok".to_owned(),
                    Shape::Page {
                        len,
                        has_more,
                        cursor,
                        ..
                    } => format!(
                        "ok: page as served ({len} bindings, has_more {has_more}, {})",
                        if *cursor { "cursor" } else { "no cursor" }
                    ),
                    Shape::EnsureCreated => "ok: `Created` again".to_owned(),
                    Shape::RevokeNotFound => "ok: `NotFound`".to_owned(),
                    Shape::DeleteNotApplied => "ok (2xx = done; body ignored)".to_owned(),
                    Shape::EnsureStartsOver => {
                        "ok (create not retried; ensure starts over)".to_owned()
                    }
                    Shape::Unaffected => "ok (no list request)".to_owned(),
                    Shape::DirectoryPage { empty: false } => "ok: page as served".to_owned(),
                    Shape::DirectoryPage { empty: true } => "ok: page as served (empty)".to_owned(),
                };
                let text = match describe_sleeps(sleeps) {
                    s if s.is_empty() => what,
                    s => format!("{what}, {s}"),
                };
                if *gated {
                    format!("{text} (+ shared pause)")
                } else {
                    text
                }
            }
            Want::Err {
                kind,
                sleeps,
                applied,
            } => {
                let mut text = kind.describe();
                if sleeps.is_empty() {
                    text.push_str(", no retry");
                } else {
                    text.push_str(&format!(", after {}", describe_sleeps(sleeps)));
                }
                if *applied {
                    text.push_str("; applied once");
                }
                text
            }
        }
    }
}

/// What one cell does and expects.
pub struct Plan {
    rules: Vec<FaultRule>,
    cfg: Cfg,
    /// Point the client at a port where nothing listens.
    refused: bool,
    /// List page only: fetch page 1 first (no faults), then the cell's call
    /// is page 2 with page 1's cursor.
    page_two: bool,
    /// A binding a "concurrent client" deletes during the cell.
    deleted: Option<String>,
    want: Want,
}

fn plan(want: Want) -> Plan {
    Plan {
        rules: Vec::new(),
        cfg: Cfg::default(),
        refused: false,
        page_two: false,
        deleted: None,
        want,
    }
}

/// The fault on the first `n` requests of the call, whatever operation
/// they are (for ensure and revoke: the first request is the create or the
/// first page of the lookup).
fn first(n: u32, fault: Fault, want: Want) -> Plan {
    Plan {
        rules: vec![FaultRule::new(fault).on_all().next(n)],
        ..plan(want)
    }
}

/// A list-only fault on every page.
/// `fault` on every page of the column's list: a directory list's own
/// operation, else `list_role_bindings` (which the role-binding columns
/// page through; the other columns make no list request).
fn every_page(col: Col, fault: Fault, want: Want) -> Plan {
    let list = match col.read() {
        Some(read) if read.is_list() => read.op,
        _ => Operation::List,
    };
    Plan {
        rules: vec![FaultRule::new(fault).on(list).always()],
        ..plan(want)
    }
}

/// Whether the column is a directory list (`users().list_page(..)` ...).
fn is_directory_list(col: Col) -> bool {
    col.read().is_some_and(Read::is_list)
}

/// One row of the matrix.
pub struct Row {
    pub key: &'static str,
    pub title: &'static str,
    pub plan: fn(Col, &Ids) -> Plan,
}

/// A fault after which the server may have applied the request (the
/// request went out and no answer came back, or a gateway answered):
/// retried except for create; ensure copes by starting over.
fn may_have_applied(col: Col, fault: Fault, create: Want) -> Plan {
    first(
        1,
        fault,
        match col.class() {
            Class::Create => create,
            Class::Ensure => ok_shape(&[], Shape::EnsureStartsOver),
            _ => ok(&[B1]),
        },
    )
}

/// A success status with a broken body.
fn broken_body(col: Col, fault: Fault) -> Plan {
    first(
        1,
        fault,
        match col.class() {
            Class::Delete => ok_shape(&[], Shape::DeleteNotApplied),
            _ => err(Kind::Decode, &[]),
        },
    )
}

const INJECTED: &str = "Injected by the fake server";

/// The rows, in the table's order.
pub fn rows() -> Vec<Row> {
    vec![
        Row {
            key: "429-retry-after",
            title: "429 with `Retry-After: 2`",
            plan: |col, _| {
                first(
                    1,
                    Fault::RateLimited(RetryAfter::Seconds(2)),
                    ok_after_retry_after(col, Duration::from_secs(2)),
                )
            },
        },
        Row {
            key: "429-no-retry-after",
            title: "429 without `Retry-After`",
            plan: |_, _| first(1, Fault::RateLimited(RetryAfter::Missing), ok(&[B1])),
        },
        Row {
            key: "429-garbage-retry-after",
            title: "429 with `Retry-After: soon`",
            plan: |_, _| {
                first(
                    1,
                    Fault::RateLimited(RetryAfter::Raw("soon".into())),
                    ok(&[B1]),
                )
            },
        },
        Row {
            key: "429-overflowing-retry-after",
            title: "429 with `Retry-After: 99999999999999999999` (overflows u64)",
            plan: |_, _| {
                first(
                    1,
                    Fault::RateLimited(RetryAfter::Raw("99999999999999999999".into())),
                    ok(&[B1]),
                )
            },
        },
        Row {
            key: "429-huge-retry-after",
            title: "429 with `Retry-After: 86400` (capped at `max_retry_after` = 5 s)",
            plan: |col, _| {
                first(
                    1,
                    Fault::RateLimited(RetryAfter::Seconds(86_400)),
                    ok_after_retry_after(col, MAX_RETRY_AFTER),
                )
            },
        },
        Row {
            key: "429-retry-after-past-deadline",
            title: "429 with `Retry-After: 86400`, `max_retry_after` 60 s, deadline 3 s: the wait would pass the deadline",
            plan: |_, _| Plan {
                cfg: Cfg {
                    deadline: Some(Duration::from_secs(3)),
                    max_retry_after: Some(Duration::from_secs(60)),
                    ..Cfg::default()
                },
                ..first(
                    1,
                    Fault::RateLimited(RetryAfter::Seconds(86_400)),
                    err(Kind::ApiRetryAfter(429, 86_400), &[]),
                )
            },
        },
        Row {
            key: "429-html",
            title: "429 as an HTML page (a documented status without a problem body)",
            plan: |_, _| first(1, Fault::HtmlErrorPage(429), ok(&[B1])),
        },
        Row {
            key: "500",
            title: "500",
            plan: |_, _| {
                first(
                    1,
                    Fault::Status(500),
                    err(Kind::ApiDetail(500, INJECTED), &[]),
                )
            },
        },
        Row {
            key: "502",
            title: "502",
            plan: |col, _| may_have_applied(col, Fault::Status(502), err(Kind::Api(502), &[])),
        },
        Row {
            key: "503",
            title: "503",
            plan: |_, _| first(1, Fault::Status(503), ok(&[B1])),
        },
        Row {
            key: "504",
            title: "504",
            plan: |col, _| may_have_applied(col, Fault::Status(504), err(Kind::Api(504), &[])),
        },
        Row {
            key: "connection-refused",
            title: "connection refused (nothing listens)",
            plan: |_, _| Plan {
                refused: true,
                ..plan(err(Kind::Transport(TransportPhase::Connect), &[B1, B2]))
            },
        },
        Row {
            key: "closed-before-response",
            title: "connection closed before the response (not applied)",
            plan: |col, _| {
                may_have_applied(
                    col,
                    Fault::CloseBeforeResponse,
                    err(Kind::Transport(TransportPhase::AfterSend), &[]),
                )
            },
        },
        Row {
            key: "closed-after-apply",
            title: "applied, then connection closed (\"the 201 was lost\")",
            plan: |col, _| {
                may_have_applied(
                    col,
                    Fault::CloseAfterApply,
                    err_applied(Kind::Transport(TransportPhase::AfterSend), &[]),
                )
            },
        },
        Row {
            key: "closed-mid-body",
            title: "connection closed mid-body (full `Content-Length`, half the body)",
            plan: |col, _| {
                may_have_applied(
                    col,
                    Fault::CloseMidBody,
                    err(Kind::Transport(TransportPhase::AfterSend), &[]),
                )
            },
        },
        Row {
            key: "attempt-timeout",
            title: "no answer to the first attempt; attempt timeout 2 s",
            plan: |col, _| Plan {
                cfg: Cfg {
                    attempt_timeout: Some(Duration::from_secs(2)),
                    ..Cfg::default()
                },
                ..may_have_applied(col, Fault::Hang, err(Kind::Timeout, &[]))
            },
        },
        Row {
            key: "deadline",
            title: "no answer to the first attempt; deadline 700 ms (attempt timeout 10 s)",
            plan: |_, _| Plan {
                cfg: Cfg {
                    deadline: Some(Duration::from_millis(700)),
                    ..Cfg::default()
                },
                ..first(1, Fault::Hang, err(Kind::Deadline, &[]))
            },
        },
        Row {
            key: "truncated-json",
            title: "success status, JSON cut in half",
            plan: |col, _| broken_body(col, Fault::TruncatedJson),
        },
        Row {
            key: "invalid-json",
            title: "success status, `application/json` that is not JSON",
            plan: |col, _| broken_body(col, Fault::InvalidJson),
        },
        Row {
            key: "wrong-shape-json",
            title: "success status, valid JSON of the wrong shape",
            plan: |col, _| broken_body(col, Fault::WrongShapeJson),
        },
        Row {
            key: "empty-body",
            title: "success status, empty body where JSON is due",
            plan: |col, _| broken_body(col, Fault::EmptyBody),
        },
        Row {
            key: "html-502",
            title: "502 as an HTML error page",
            plan: |col, _| {
                may_have_applied(col, Fault::HtmlErrorPage(502), err(Kind::Api(502), &[]))
            },
        },
        Row {
            key: "problem-as-text-plain",
            title: "500 `Problem` served as `text/plain`",
            plan: |_, _| {
                first(
                    1,
                    Fault::ProblemAsTextPlain(500),
                    err(Kind::ApiDetail(500, INJECTED), &[]),
                )
            },
        },
        Row {
            key: "body-over-cap",
            title: "response body over the cap (`max_response_body` 64 bytes)",
            plan: |col, _| Plan {
                cfg: Cfg {
                    max_response_body: Some(64),
                    ..Cfg::default()
                },
                ..plan(match col.class() {
                    Class::Create | Class::Update => err_applied(Kind::TooLarge, &[]),
                    Class::Delete => ok(&[]),
                    _ => err(Kind::TooLarge, &[]),
                })
            },
        },
        Row {
            key: "repeated-cursor",
            title: "every page: `next_cursor` repeats the cursor sent",
            plan: |col, _| {
                every_page(
                    col,
                    Fault::RepeatedCursor,
                    match col.class() {
                        _ if is_directory_list(col) => {
                            ok_shape(&[], Shape::DirectoryPage { empty: false })
                        }
                        Class::ListPage => ok_shape(&[], page(0, PAGE_LIMIT as usize, true, true)),
                        Class::ListStream => err(Kind::RepeatedCursor, &[]),
                        // The page that repeats its cursor is itself valid and
                        // holds the target binding (their second page), so
                        // ensure and revoke finish without following the loop.
                        Class::Ensure | Class::Revoke => ok(&[]),
                        _ => ok_shape(&[], Shape::Unaffected),
                    },
                )
            },
        },
        Row {
            key: "has-more-without-cursor",
            title: "every page: `has_more` without `next_cursor`",
            plan: |col, _| {
                every_page(
                    col,
                    Fault::HasMoreWithoutCursor,
                    match col.class() {
                        _ if is_directory_list(col) => {
                            ok_shape(&[], Shape::DirectoryPage { empty: false })
                        }
                        Class::ListPage => ok_shape(&[], page(0, PAGE_LIMIT as usize, true, false)),
                        Class::ListStream | Class::Ensure | Class::Revoke => {
                            err(Kind::MissingCursor, &[])
                        }
                        _ => ok_shape(&[], Shape::Unaffected),
                    },
                )
            },
        },
        Row {
            key: "endless-empty-pages",
            title: "every page: empty, `has_more`, a fresh cursor",
            plan: |col, _| {
                every_page(
                    col,
                    Fault::EndlessEmptyPages,
                    match col.class() {
                        _ if is_directory_list(col) => {
                            ok_shape(&[], Shape::DirectoryPage { empty: true })
                        }
                        Class::ListPage => ok_shape(&[], page(0, 0, true, true)),
                        Class::ListStream | Class::Ensure | Class::Revoke => {
                            err(Kind::TooManyEmptyPages, &[])
                        }
                        _ => ok_shape(&[], Shape::Unaffected),
                    },
                )
            },
        },
        Row {
            key: "deleted-between-pages",
            title: "a binding deleted by someone else between pages (single-request operations: just before the request)",
            plan: deleted_between_pages,
        },
        Row {
            key: "fail-next-2",
            title: "503 on the next 2 requests (below the budget of 3 attempts)",
            plan: |_, _| first(2, Fault::Status(503), ok(&[B1, B2])),
        },
        Row {
            key: "fail-next-4",
            title: "503 on the next 4 requests (above the budget of 3 attempts)",
            plan: |_, _| first(4, Fault::Status(503), err(Kind::Api(503), &[B1, B2])),
        },
        Row {
            key: "redirect-301",
            title: "301 to `/v2/role-bindings` (same origin)",
            plan: |_, _| redirect_plan(301),
        },
        Row {
            key: "redirect-302",
            title: "302 to `/v2/role-bindings?moved=1`",
            plan: |_, _| redirect_plan(302),
        },
        Row {
            key: "redirect-303",
            title: "303 to `/v2/role-bindings`",
            plan: |_, _| redirect_plan(303),
        },
        Row {
            key: "redirect-307",
            title: "307 to `http://user:secret@127.0.0.1:9/v2/role-bindings` (another origin, with credentials)",
            plan: |_, _| redirect_plan(307),
        },
        Row {
            key: "redirect-308",
            title: "308 to `/v2/role-bindings` (same origin)",
            plan: |_, _| redirect_plan(308),
        },
    ]
}

/// The redirect rows: status, `Location` sent, `Location` in the error.
const REDIRECTS: [(u16, &str, &str); 5] = [
    (301, "/v2/role-bindings", "/v2/role-bindings"),
    (
        302,
        "/v2/role-bindings?moved=1",
        "/v2/role-bindings?moved=1",
    ),
    (303, "/v2/role-bindings", "/v2/role-bindings"),
    (
        307,
        "http://user:secret@127.0.0.1:9/v2/role-bindings",
        "http://***@127.0.0.1:9/v2/role-bindings",
    ),
    (308, "/v2/role-bindings", "/v2/role-bindings"),
];

/// A redirect on the first request: never followed, never retried, nothing
/// applied; the error names the status and the `Location`, userinfo
/// replaced by `***`.
fn redirect_plan(status: u16) -> Plan {
    let (_, location, shown) = REDIRECTS
        .iter()
        .copied()
        .find(|r| r.0 == status)
        .unwrap_or(REDIRECTS[0]);
    first(
        1,
        Fault::Redirect(status, location.to_owned()),
        err(Kind::Redirect(status, shown), &[]),
    )
}

fn page(from: usize, len: usize, has_more: bool, cursor: bool) -> Shape {
    Shape::Page {
        from,
        len,
        has_more,
        cursor,
    }
}

fn deleted_between_pages(col: Col, ids: &Ids) -> Plan {
    let delete =
        |id: &str, op: Operation| FaultRule::new(Fault::DeleteBinding(id.to_owned())).on(op);
    let (rule, deleted, want) = match col.class() {
        // Another of the user's bindings goes: the create, and a directory
        // read (which reads no binding), are unaffected.
        Class::Create | Class::DirectoryRead => (
            delete(&ids.filler_bindings[0], col.operation()).next(1),
            &ids.filler_bindings[0],
            ok(&[]),
        ),
        Class::Get | Class::Update | Class::Delete => (
            delete(&ids.target_binding, col.operation()).next(1),
            &ids.target_binding,
            err(Kind::Api(404), &[]),
        ),
        // Page 2 is asked for with page 1's cursor after page 1's last
        // binding (the cursor's anchor) was deleted: it still starts right
        // after it, skipping and repeating nothing.
        Class::ListPage => (
            delete(&ids.filler_bindings[49], Operation::List).next(1),
            &ids.filler_bindings[49],
            ok_shape(&[], page(49, PAGE_LIMIT as usize, true, true)),
        ),
        // Deleted before page 2 (of 40): every other binding arrives once.
        Class::ListStream => (
            delete(&ids.filler_bindings[59], Operation::List).every(2),
            &ids.filler_bindings[59],
            ok(&[]),
        ),
        // The conflicting binding vanishes before the lookup's page 2.
        Class::Ensure => (
            delete(&ids.target_binding, Operation::List).every(2),
            &ids.target_binding,
            ok_shape(&[], Shape::EnsureCreated),
        ),
        Class::Revoke => (
            delete(&ids.target_binding, Operation::List).every(2),
            &ids.target_binding,
            ok_shape(&[], Shape::RevokeNotFound),
        ),
    };
    Plan {
        rules: vec![rule],
        page_two: col == Col::ListPage,
        deleted: Some(deleted.clone()),
        ..plan(want)
    }
}

// ---------------------------------------------------------------------------
// The README table.

/// The matrix as a Markdown table.
pub fn markdown() -> String {
    let ids = Ids::placeholder();
    let mut out = String::from("| fault (row key) |");
    for col in Col::all() {
        out.push_str(&format!(" {} |", col.title()));
    }
    out.push_str("\n|---|");
    for _ in Col::all() {
        out.push_str("---|");
    }
    out.push('\n');
    for row in rows() {
        out.push_str(&format!("| {} (`{}`) |", row.title, row.key));
        for col in Col::all() {
            out.push_str(&format!(" {} |", (row.plan)(col, &ids).want.describe()));
        }
        out.push('\n');
    }
    out
}

/// The README must contain the table exactly as generated.
pub fn readme_in_sync() -> Result<(), String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    check(readme.contains(&markdown()), || {
        "tests/README.md does not contain the current fault matrix; regenerate it with \
             `cargo test -p arize-tests --test reliability -- --print-matrix`"
            .to_owned()
    })
}

// ---------------------------------------------------------------------------
// Running a cell.

struct World {
    server: FakeServer,
    user: String,
    r1: String,
    r2: String,
    ids: Ids,
}

async fn world(col: Col) -> Result<World, String> {
    let server = FakeServer::builder()
        .api_key(KEY)
        .seed(
            Seed::empty()
                .users(2)
                .roles(2)
                .spaces(FILLERS + 1)
                .projects(2),
        )
        .start()
        .await
        .map_err(|e| format!("fake server: {e}"))?;
    let (users, roles, spaces) = (server.users(), server.roles(), server.spaces());
    let (user, r1, r2) = (users[0].clone(), roles[0].clone(), roles[1].clone());
    let target = spaces[0].clone();
    let bind = |space: &str| {
        server
            .create_binding(&user, &r1, RoleBindingResourceType::Space, space)
            .map(|b| b.id.0)
            .map_err(|e| format!("seeding: {e:?}"))
    };
    let filler_bindings = spaces[1..]
        .iter()
        .map(|f| bind(f))
        .collect::<Result<_, _>>()?;
    let target_binding = if col == Col::Create {
        String::new()
    } else {
        bind(&target)?
    };
    Ok(World {
        ids: Ids {
            target,
            target_binding,
            filler_bindings,
        },
        server,
        user,
        r1,
        r2,
    })
}

/// What the column's operation returned.
#[derive(Debug)]
enum Done {
    Binding(RoleBinding),
    Unit,
    Page(Page),
    List(Vec<RoleBinding>),
    Ensured(Ensured),
    Revoked(Revoked),
    /// The IDs of the records a directory read returned (a get: one).
    Records(Vec<String>),
}

fn target_resource(w: &World) -> Resource {
    Resource::Space(SpaceId::new(w.ids.target.clone()))
}

fn user_query(w: &World, limit: u32) -> ListQuery {
    ListQuery::new(ResourceType::Space)
        .user(UserId::new(w.user.clone()))
        .limit(limit)
}

async fn perform(
    col: Col,
    client: &Client,
    w: &World,
    cursor: Option<Cursor>,
) -> Result<Done, Error> {
    let user = UserId::new(w.user.clone());
    let target = RoleBindingId::new(w.ids.target_binding.clone());
    let (r1, r2) = (RoleId::new(w.r1.clone()), RoleId::new(w.r2.clone()));
    Ok(match col {
        Col::Create => Done::Binding(client.create(&user, &r1, &target_resource(w)).await?),
        Col::Get => Done::Binding(client.get(&target).await?),
        Col::Update => Done::Binding(client.update(&target, &r2).await?),
        Col::Delete => {
            client.delete(&target).await?;
            Done::Unit
        }
        Col::ListPage => {
            let mut query = user_query(w, PAGE_LIMIT);
            if let Some(cursor) = cursor {
                query = query.cursor(cursor);
            }
            Done::Page(client.list_page(&query).await?)
        }
        Col::ListStream => Done::List(
            client
                .list(user_query(w, STREAM_LIMIT).read_ahead(ReadAhead::OnePage))
                .try_collect()
                .await?,
        ),
        Col::Ensure => Done::Ensured(client.ensure(&user, &r2, &target_resource(w)).await?),
        Col::Revoke => Done::Revoked(client.revoke(&user, &target_resource(w)).await?),
        Col::Read(op) => {
            let Some(read) = Read::of(op) else {
                return Err(Error::Validation(
                    arize_role_bindings::ValidationError::InvalidRequest {
                        reason: format!("{op} is not a read of READS"),
                    },
                ));
            };
            let target = directory_target(read, w);
            Done::Records((read.facade)(client, target.as_deref()).await?)
        }
    })
}

/// What a directory read's call reads: a get, the fake's first record of
/// its kind (the world's user, R1, the target space, project 1); a list,
/// the first page.
fn directory_target(read: &Read, w: &World) -> Option<String> {
    if read.is_list() {
        None
    } else {
        (read.records)(&w.server).into_iter().next()
    }
}

/// What a directory column should return: the record's ID, or the IDs of
/// the first page at the default page size (spaces: 50 of 101).
fn directory_want(read: &Read, w: &World) -> Vec<String> {
    let records = (read.records)(&w.server);
    if read.is_list() {
        records.into_iter().take(DEFAULT_PAGE_SIZE).collect()
    } else {
        records.into_iter().take(1).collect()
    }
}

/// The server's bindings: (user, resource) -> (binding ID, role), and how
/// many bindings there are (more than the map holds = a duplicate).
type State = (BTreeMap<(String, String), (String, String)>, usize);

fn state(server: &FakeServer) -> State {
    let bindings = server.bindings();
    let count = bindings.len();
    let map = bindings
        .into_iter()
        .map(|b| ((b.user_id.0, b.resource_id.0), (b.id.0, b.role_id.0)))
        .collect();
    (map, count)
}

/// The user's SPACE bindings in listing order.
fn listing(server: &FakeServer, user: &str) -> Vec<String> {
    server
        .bindings()
        .into_iter()
        .filter(|b| b.user_id.0 == user && b.resource_type == RoleBindingResourceType::Space)
        .map(|b| b.id.0)
        .collect()
}

/// Checks the server's state: `before` minus the concurrently deleted
/// binding, with the operation's effect when `applied`. `(user, target)`
/// entries whose ID is unknown (a new binding) are compared by role only.
fn check_state(
    col: Col,
    shape: Shape,
    applied: bool,
    w: &World,
    before: &State,
    deleted: Option<&str>,
) -> Result<(), String> {
    let mut expected = before.0.clone();
    if let Some(id) = deleted {
        expected.retain(|_, (bid, _)| bid != id);
    }
    let key = (w.user.clone(), w.ids.target.clone());
    let new_id = "<new>".to_owned();
    if applied {
        match (col, shape) {
            (_, Shape::DeleteNotApplied | Shape::RevokeNotFound) => {}
            (Col::Create, _) => {
                expected.insert(key.clone(), (new_id.clone(), w.r1.clone()));
            }
            (Col::Ensure, Shape::EnsureCreated) => {
                expected.insert(key.clone(), (new_id.clone(), w.r2.clone()));
            }
            (Col::Update | Col::Ensure, _) => {
                if let Some(entry) = expected.get_mut(&key) {
                    entry.1 = w.r2.clone();
                }
            }
            (Col::Delete | Col::Revoke, _) => {
                expected.remove(&key);
            }
            _ => {}
        }
    }
    let (actual, count) = state(&w.server);
    check(count == actual.len(), || {
        format!(
            "duplicate (user, resource) bindings on the server: {count} bindings for {} pairs",
            actual.len()
        )
    })?;
    check(actual.len() == expected.len(), || {
        format!(
            "the server holds {} bindings, expected {} (lost or extra bindings)",
            actual.len(),
            expected.len()
        )
    })?;
    for (k, (id, role)) in &expected {
        let Some((aid, arole)) = actual.get(k) else {
            return Err(format!("binding for {k:?} missing on the server"));
        };
        check(arole == role && (*id == new_id || aid == id), || {
            format!("binding for {k:?} is ({aid}, {arole}), expected ({id}, {role})")
        })?;
    }
    Ok(())
}

fn check_success(
    col: Col,
    shape: Shape,
    done: &Done,
    w: &World,
    listing_before: &[String],
    deleted: Option<&str>,
) -> Result<(), String> {
    let ids: Vec<String> = listing_before
        .iter()
        .filter(|id| Some(id.as_str()) != deleted)
        .cloned()
        .collect();
    let target: &str = w.ids.target_binding.as_str();
    let bad = || format!("unexpected result {done:?}");
    match (col, shape, done) {
        (Col::Create, _, Done::Binding(b)) => check(
            b.user_id == *w.user
                && b.role_id == *w.r1
                && b.resource == target_resource(w)
                && w.server.binding(b.id.as_str()).is_some(),
            bad,
        ),
        (Col::Get, _, Done::Binding(b)) => check(b.id == *target && b.role_id == *w.r1, bad),
        (Col::Update, _, Done::Binding(b)) => check(b.id == *target && b.role_id == *w.r2, bad),
        (Col::Delete, _, Done::Unit) => Ok(()),
        (Col::ListPage, shape, Done::Page(p)) => {
            let (from, len, has_more, cursor) = match shape {
                Shape::Page {
                    from,
                    len,
                    has_more,
                    cursor,
                } => (from, len, has_more, cursor),
                _ => (0, PAGE_LIMIT as usize, true, true),
            };
            let got: Vec<&str> = p.bindings().iter().map(|b| b.id.as_str()).collect();
            let want: Vec<&str> = ids
                .iter()
                .skip(from)
                .take(len)
                .map(String::as_str)
                .collect();
            check(
                got == want && p.has_more() == has_more && p.next_cursor().is_some() == cursor,
                || {
                    format!(
                        "page: {} bindings (expected {len} from position {from}: {}), has_more {}, cursor {:?}",
                        got.len(),
                        got == want,
                        p.has_more(),
                        p.next_cursor()
                    )
                },
            )
        }
        (Col::ListStream, _, Done::List(list)) => {
            let got: Vec<&str> = list.iter().map(|b| b.id.as_str()).collect();
            let want: Vec<&str> = ids.iter().map(String::as_str).collect();
            check(got == want, || {
                format!(
                    "listed {} bindings, expected {} in creation order, each once",
                    got.len(),
                    want.len()
                )
            })
        }
        (Col::Ensure, Shape::EnsureCreated, Done::Ensured(e)) => check(
            e.outcome == EnsureOutcome::Created && e.binding.role_id == *w.r2,
            bad,
        ),
        (Col::Ensure, _, Done::Ensured(e)) => check(
            e.outcome
                == EnsureOutcome::Updated {
                    previous_role: RoleId::new(w.r1.clone()),
                }
                && e.binding.id == *target
                && e.binding.role_id == *w.r2,
            bad,
        ),
        (Col::Revoke, Shape::RevokeNotFound, Done::Revoked(r)) => {
            check(matches!(r, Revoked::NotFound), bad)
        }
        (Col::Revoke, _, Done::Revoked(r)) => {
            check(r.removed().is_some_and(|b| b.id == *target), bad)
        }
        (Col::Read(_), Shape::DirectoryPage { empty: true }, Done::Records(got)) => {
            check(got.is_empty(), bad)
        }
        (Col::Read(_), _, Done::Records(got)) => check(
            col.read()
                .is_some_and(|read| directory_want(read, w) == *got),
            bad,
        ),
        _ => Err(bad()),
    }
}

/// Runs one cell: the row's plan against the column's operation.
pub async fn run_cell(row: &Row, col: Col) -> Result<(), String> {
    let w = world(col).await?;
    let plan = (row.plan)(col, &w.ids);
    let sleeper = Arc::new(RecordingSleeper::default());
    let base = if plan.refused {
        format!("http://127.0.0.1:{}", dead_port())
    } else {
        w.server.base_url().to_owned()
    };
    let mut b = builder(&base, &sleeper);
    if let Some(t) = plan.cfg.attempt_timeout {
        b = b.attempt_timeout(t);
    }
    if let Some(d) = plan.cfg.deadline {
        b = b.deadline(d);
    }
    if let Some(m) = plan.cfg.max_retry_after {
        b = b.retry_policy(policy().max_retry_after(m));
    }
    if let Some(m) = plan.cfg.max_response_body {
        b = b.max_response_body(m);
    }
    let client = b.build().map_err(|e| format!("build: {e}"))?;
    no_key("the client's Debug", &format!("{client:?}"))?;

    let cursor = if plan.page_two {
        let first = client
            .list_page(&user_query(&w, PAGE_LIMIT))
            .await
            .map_err(|e| format!("page 1: {e}"))?;
        Some(first.next_cursor().cloned().ok_or("page 1 has no cursor")?)
    } else {
        None
    };
    let before = state(&w.server);
    let listing_before = listing(&w.server, &w.user);
    for rule in &plan.rules {
        w.server.faults().inject(rule.clone());
    }
    let result = perform(col, &client, &w, cursor).await;
    w.server.faults().clear();
    let sleeps = sleeper.delays();
    let deleted = plan.deleted.as_deref();

    match (&plan.want, result) {
        (
            Want::Ok {
                sleeps: want,
                shape,
                gated,
            },
            Ok(done),
        ) => {
            check(waits_match(&sleeps, want, *gated), || {
                format!("waits {sleeps:?}, expected {want:?} (result ok)")
            })?;
            check_success(col, *shape, &done, &w, &listing_before, deleted)?;
            if *shape == Shape::Unaffected {
                let lists = w.server.request_count(Operation::List);
                check(lists == 0, || format!("{lists} list requests"))?;
            }
            if let (Shape::DirectoryPage { .. }, Some(read)) = (shape, col.read()) {
                let faulted = w.server.requests_for(read.op);
                check(faulted.iter().any(|r| r.fault.is_some()), || {
                    format!("no fault delivered on {}: {faulted:?}", read.op)
                })?;
            }
            check_state(col, *shape, true, &w, &before, deleted)
        }
        (
            Want::Err {
                kind,
                sleeps: want,
                applied,
            },
            Err(e),
        ) => {
            error_without_key(&e)?;
            check(kind.matches(&e), || {
                format!("expected {}, got {e:?}", kind.describe())
            })?;
            check(sleeps == *want, || {
                format!("waits {sleeps:?}, expected {want:?} (error {e})")
            })?;
            check_state(col, Shape::Default, *applied, &w, &before, deleted)
        }
        (want, Ok(done)) => Err(format!(
            "expected {}, got Ok({done:?}) after waits {sleeps:?}",
            want.describe()
        )),
        (want, Err(e)) => {
            error_without_key(&e)?;
            Err(format!(
                "expected {}, got error {e:?} after waits {sleeps:?}",
                want.describe()
            ))
        }
    }
}
