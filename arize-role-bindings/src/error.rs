//! The one error type of this crate, split by where a failure happened.
//!
//! | variant | where | retried by the client? |
//! |---|---|---|
//! | [`Error::Api`] | the API answered with an error status (with its RFC 9457 [`Problem`]) | 429, 503 always; 502/504 except for `create` |
//! | [`Error::Validation`] | checked in this process; **no request was sent** | never |
//! | [`Error::Config`] | building the client (builder or environment) | — |
//! | [`Error::Transport`] | connecting, or the connection failed after sending | connect failures always; after sending except for `create` |
//! | [`Error::Timeout`] | one attempt took longer than the attempt timeout | except for `create` |
//! | [`Error::Deadline`] | the whole call (all attempts and waits) ran out of time | never |
//! | [`Error::RateLimited`] | not sent: the client is paused by an earlier 429 past the call's deadline | never |
//! | [`Error::Redirect`] | the server answered with a redirect (3xx), which the client never follows | never |
//! | [`Error::Decode`] | the response could not be understood | never |
//! | [`Error::ResponseTooLarge`] | the response body was larger than the client's limit | never |
//! | [`Error::Pagination`] | a listing stream stopped on a guard | never |
//! | [`Error::NoRuntime`] | the call was made outside a Tokio runtime; nothing was sent | never |
//! | [`Error::Lookup`] | a name (e-mail, role, space or project name) did not resolve to exactly one record | never |

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::directory::LookupError;
use crate::types::Cursor;

/// A boxed error from a dependency, reachable through
/// [`std::error::Error::source`] but never part of the public signature.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An RFC 9457 problem details object: the body of every error answer of
/// the API.
///
/// When a server or proxy answers with an error status but without a
/// problem body (a bare 502 from a load balancer, say), the client builds a
/// problem from the status line so that [`Error::Api`] always carries one.
///
/// ```
/// use arize_role_bindings::Problem;
///
/// let p: Problem = serde_json::from_str(
///     r#"{"type":"https://arize.com/docs/ax/rest-reference/errors#resource-conflict",
///         "title":"Conflict","status":409,"detail":"binding exists"}"#,
/// )?;
/// assert_eq!(p.status, 409);
/// assert_eq!(p.detail.as_deref(), Some("binding exists"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Problem {
    /// A URI reference identifying the problem type, e.g.
    /// `https://arize.com/docs/ax/rest-reference/errors#resource-conflict`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// A short, human-readable summary of the problem type.
    pub title: String,
    /// The HTTP status code the origin server generated.
    pub status: u16,
    /// An explanation specific to this occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A URI reference identifying this occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
}

impl Problem {
    /// A problem with only a status and a title.
    pub fn new(status: u16, title: impl Into<String>) -> Self {
        Self {
            type_: None,
            title: title.into(),
            status,
            detail: None,
            instance: None,
        }
    }

    /// Sets [`detail`](Self::detail).
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Sets [`type_`](Self::type_).
    #[must_use]
    pub fn with_type(mut self, type_: impl Into<String>) -> Self {
        self.type_ = Some(type_.into());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.title)?;
        if let Some(detail) = self.detail.as_deref().filter(|d| !d.is_empty()) {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

/// Where a transport failure happened, which decides whether a request may
/// have reached the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportPhase {
    /// No connection could be made (DNS, refused, TLS handshake, connect
    /// timeout). The request was **not** sent, so it is safe to retry.
    Connect,
    /// The connection failed after the request was sent, or while the
    /// response was read. The server **may** have applied the request.
    AfterSend,
}

/// Which listing guard stopped a stream (see [`Error::Pagination`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PaginationError {
    /// The server returned a cursor that this stream had already used; the
    /// listing would loop for ever.
    RepeatedCursor {
        /// The repeated cursor.
        cursor: Cursor,
        /// Pages received before the guard fired.
        pages: u64,
    },
    /// The server said `has_more: true` but sent no `next_cursor`.
    MissingCursor {
        /// Pages received before the guard fired.
        pages: u64,
    },
    /// A page started with an item that already started an earlier page:
    /// the server is serving the same pages again (for example a fresh
    /// cursor that points back to the first page). The repeated page is
    /// not handed out, so no item is yielded twice.
    RepeatedPage {
        /// The key (ID) of the first item of the repeated page, e.g. a
        /// role binding's ID.
        key: String,
        /// Pages received (and handed out) before the guard fired.
        pages: u64,
    },
    /// More consecutive empty pages with `has_more: true` than the query
    /// allows (see [`ListQuery::max_empty_pages`](crate::ListQuery::max_empty_pages)).
    TooManyEmptyPages {
        /// Consecutive empty pages received.
        empty_pages: u32,
        /// Pages received before the guard fired.
        pages: u64,
    },
    /// A lookup of [`Client::ensure`](crate::Client::ensure) or
    /// [`Client::revoke`](crate::Client::revoke) read its page limit of
    /// pages (100 bindings each) without finding the binding and without
    /// reaching the end: the server kept handing out fresh cursors.
    TooManyPages {
        /// Pages received (the limit).
        pages: u64,
    },
}

impl std::error::Error for PaginationError {}

impl fmt::Display for PaginationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RepeatedCursor { cursor, pages } => write!(
                f,
                "listing stopped after {pages} page(s): the server returned cursor `{cursor}` \
                 a second time, which would loop for ever; the pages received so far are valid, \
                 report the cursor to Arize support"
            ),
            Self::MissingCursor { pages } => write!(
                f,
                "listing stopped after {pages} page(s): the server said there are more results \
                 but sent no next_cursor; the pages received so far are valid"
            ),
            Self::RepeatedPage { key, pages } => write!(
                f,
                "listing stopped after {pages} page(s): the next page started with `{key}`, \
                 which already started an earlier page, so the server is serving the same pages \
                 again; the pages received so far are valid"
            ),
            Self::TooManyEmptyPages { empty_pages, pages } => write!(
                f,
                "listing stopped after {pages} page(s): {empty_pages} consecutive empty pages \
                 still claimed more results; raise ListQuery::max_empty_pages if this is expected"
            ),
            Self::TooManyPages { pages } => write!(
                f,
                "lookup stopped after {pages} page(s) without reaching the end of the user's \
                 bindings: that is more than any account holds, so the server is likely handing \
                 out cursors without end; list the bindings yourself (Client::pages) to see what \
                 it sends"
            ),
        }
    }
}

/// A request that was rejected in this process, before anything was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValidationError {
    /// An ID is a global ID of a different, known type — for example a
    /// Space ID given as a PROJECT resource, or a User ID given as a role.
    IdTypeMismatch {
        /// The API parameter the ID was given for (`resource_id`, `role_id`,
        /// `user_id`, `binding_id`).
        parameter: &'static str,
        /// The ID as given.
        id: String,
        /// What the parameter accepts, e.g. `a Project or Model`.
        expected: &'static str,
        /// The type name the ID encodes, e.g. `Space`.
        encoded: String,
    },
    /// An ID is empty.
    EmptyId {
        /// The API parameter the ID was given for.
        parameter: &'static str,
    },
    /// A list `limit` outside `1..=100`.
    LimitOutOfRange {
        /// The limit as given.
        limit: u32,
    },
    /// A header name or value that cannot be sent (for example a value with
    /// CR or LF, or a header the client manages itself).
    InvalidHeader {
        /// The header name as given.
        name: String,
        /// Why it was rejected.
        reason: Cow<'static, str>,
    },
    /// An ID that cannot be sent as one URL path segment: `.` or `..`
    /// (which a URL reads as "this" or "the parent" directory) or one with a
    /// backslash (which a URL reads as `/`). Arize IDs never look like this.
    NotAPathSegment {
        /// The API parameter the ID was given for (`binding_id`).
        parameter: &'static str,
        /// The ID as given.
        id: String,
    },
    /// An empty pagination cursor.
    EmptyCursor,
    /// The HTTP request could not be built from the given values.
    InvalidRequest {
        /// Why.
        reason: String,
    },
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::IdTypeMismatch {
                parameter,
                id,
                expected,
                encoded,
            } => write!(
                f,
                "{parameter} `{id}` is a {encoded} ID, but {expected} ID is required here; \
                 no request was sent — check that the ID and the resource kind match"
            ),
            Self::EmptyId { parameter } => {
                write!(
                    f,
                    "{parameter} is empty; no request was sent — pass a non-empty ID"
                )
            }
            Self::LimitOutOfRange { limit } => write!(
                f,
                "list limit {limit} is outside 1..=100; no request was sent — choose a limit \
                 between 1 and 100"
            ),
            Self::InvalidHeader { name, reason } => {
                write!(f, "header `{name}` cannot be used: {reason}")
            }
            Self::NotAPathSegment { parameter, id } => write!(
                f,
                "{parameter} `{id}` cannot be sent as one URL path segment (`.`, `..` and `\\` \
                 would change the request's path); no request was sent — check the ID"
            ),
            Self::EmptyCursor => f.write_str(
                "the pagination cursor is empty; no request was sent — pass a next_cursor \
                 from a previous page, or no cursor to start at the beginning",
            ),
            Self::InvalidRequest { reason } => {
                write!(
                    f,
                    "the request could not be built: {reason}; no request was sent"
                )
            }
        }
    }
}

impl std::error::Error for ValidationError {}

/// A client that could not be configured.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigError {
    /// No API key was given (builder) or `ARIZE_API_KEY` is unset or empty.
    MissingApiKey,
    /// The API key cannot be sent in an HTTP header (it contains control
    /// characters such as a newline). The key itself is not shown.
    MalformedApiKey,
    /// Settings that exclude each other were given together, for example
    /// `ARIZE_REGION` and `ARIZE_SINGLE_HOST`.
    Conflict {
        /// The settings (environment variables or builder methods) involved.
        settings: Vec<&'static str>,
        /// What to do instead.
        hint: &'static str,
    },
    /// A setting has a value that cannot be used.
    Malformed {
        /// The environment variable or builder method.
        setting: &'static str,
        /// The value as given.
        value: String,
        /// What is expected.
        expected: Cow<'static, str>,
    },
    /// A file named by a setting (a CA bundle) could not be read or parsed.
    File {
        /// The environment variable or builder method.
        setting: &'static str,
        /// The path.
        path: PathBuf,
        /// The cause.
        source: BoxError,
    },
    /// The base URL is plain `http://` to a host other than this machine
    /// (loopback: `localhost`, `127.0.0.0/8`, `::1`), which would send the
    /// API key unencrypted. Use `https://`, or opt in with
    /// [`ClientBuilder::allow_insecure_http`](crate::ClientBuilder::allow_insecure_http)
    /// (or `ARIZE_API_SCHEME=http`).
    InsecureHttp {
        /// The environment variable or builder method the URL came from.
        setting: &'static str,
        /// The base URL.
        url: String,
    },
    /// The HTTP client could not be built.
    HttpClient {
        /// The cause.
        source: BoxError,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingApiKey => f.write_str(
                "no API key: set ARIZE_API_KEY or call ClientBuilder::api_key \
                 (create a key in Arize under Settings > API Keys)",
            ),
            Self::MalformedApiKey => f.write_str(
                "the API key contains characters that cannot be sent in a header \
                 (e.g. a trailing newline); check ARIZE_API_KEY or the value given to api_key",
            ),
            Self::Conflict { settings, hint } => {
                write!(
                    f,
                    "conflicting settings: {} are all set; {hint}",
                    settings.join(", ")
                )
            }
            Self::Malformed {
                setting,
                value,
                expected,
            } => write!(f, "{setting} has the value `{value}`, but {expected}"),
            Self::File { setting, path, .. } => write!(
                f,
                "{setting} names `{}`, which could not be read as a PEM bundle",
                path.display()
            ),
            Self::InsecureHttp { setting, url } => write!(
                f,
                "{setting} is `{url}`: plain http to a host other than this machine would send \
                 the API key unencrypted; use https, or call ClientBuilder::allow_insecure_http \
                 (or set ARIZE_API_SCHEME=http) if this is intended"
            ),
            Self::HttpClient { .. } => f.write_str("the HTTP client could not be built"),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::File { source, .. } | Self::HttpClient { source } => Some(source.as_ref()),
            _ => None,
        }
    }
}

/// Every error this crate returns.
///
/// Match on the variant to see where the failure happened, or use the
/// accessors ([`status`](Self::status), [`problem`](Self::problem),
/// [`retry_after`](Self::retry_after), [`is_conflict`](Self::is_conflict),
/// [`is_not_found`](Self::is_not_found), [`is_retryable`](Self::is_retryable)).
/// `Display` says what happened and what to do; the API key never appears in
/// it, nor in `Debug`.
///
/// ```
/// # async fn demo(client: arize_role_bindings::Client, id: arize_role_bindings::RoleBindingId)
/// # -> Result<(), arize_role_bindings::Error> {
/// use arize_role_bindings::Error;
///
/// match client.get(&id).await {
///     Ok(binding) => println!("{} holds {}", binding.user_id, binding.role_id),
///     Err(e) if e.is_not_found() => println!("no such binding"),
///     Err(Error::Api { status, problem, .. }) => println!("{status}: {}", problem.title),
///     Err(e) => return Err(e),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status: 400, 401, 403, 404, 409, 422,
    /// 429 or a 5xx, with its problem details.
    #[error("{}", api_message(*.status, .problem, *.retry_after))]
    #[non_exhaustive]
    Api {
        /// The HTTP status.
        status: StatusCode,
        /// The problem details from the body (or built from the status line
        /// when the body had none).
        problem: Box<Problem>,
        /// The parsed `Retry-After` header, on 429 and 503: a number of
        /// seconds, the form Arize sends (an HTTP-date is ignored and the
        /// backoff applies instead).
        retry_after: Option<Duration>,
    },

    /// The request was rejected before anything was sent.
    #[error("{0}")]
    Validation(#[from] ValidationError),

    /// The client could not be configured.
    #[error("invalid client configuration: {0}")]
    Config(#[from] ConfigError),

    /// The connection failed.
    #[error("{}", transport_message(*.phase, .source))]
    #[non_exhaustive]
    Transport {
        /// Before or after the request was sent.
        phase: TransportPhase,
        /// The underlying I/O or HTTP error.
        #[source]
        source: BoxError,
    },

    /// One attempt took longer than the attempt timeout
    /// ([`ClientBuilder::attempt_timeout`](crate::ClientBuilder::attempt_timeout)).
    /// The request may have been applied.
    #[error(
        "{operation}: no response within the attempt timeout of {timeout:?}; the request may \
         have been applied — check the network, or raise ClientBuilder::attempt_timeout"
    )]
    #[non_exhaustive]
    Timeout {
        /// The operation (`create_role_binding`, ...).
        operation: &'static str,
        /// The attempt timeout that elapsed.
        timeout: Duration,
    },

    /// The call as a whole (all attempts and the waits between them) ran
    /// past its deadline ([`ClientBuilder::deadline`](crate::ClientBuilder::deadline)).
    #[error(
        "{operation}: gave up after {attempts} attempt(s) because the call deadline of \
         {deadline:?} passed; raise ClientBuilder::deadline or retry later"
    )]
    #[non_exhaustive]
    Deadline {
        /// The operation (`create_role_binding`, ...).
        operation: &'static str,
        /// The deadline that passed.
        deadline: Duration,
        /// Attempts started.
        attempts: u32,
    },

    /// The call was not sent (or not sent again): an earlier 429 with
    /// `Retry-After` paused the client (every clone shares the pause, see
    /// [`RetryPolicy`](crate::RetryPolicy)) until after the call's
    /// deadline. [`status`](Self::status) is 429 and
    /// [`retry_after`](Self::retry_after) what is left of the pause when
    /// the call gave up.
    #[error(
        "{operation}: not sent: the client is rate-limited until {} ({retry_after:?} from \
         now; the API answered 429 with Retry-After), past the call deadline of {deadline:?}; \
         retry after that time, or raise ClientBuilder::deadline",
        utc(*.until)
    )]
    #[non_exhaustive]
    RateLimited {
        /// The operation (`create_role_binding`, ...).
        operation: &'static str,
        /// When the pause ends (wall-clock time).
        until: std::time::SystemTime,
        /// What was left of the pause when the call gave up.
        retry_after: Duration,
        /// The call's deadline.
        deadline: Duration,
    },

    /// The server answered with a redirect (a 3xx status). The Arize API
    /// does not redirect, and the client never follows one: following it
    /// would send the request body and headers to wherever `Location`
    /// points, possibly in plain http, and a `301`/`302`/`303` would turn a
    /// create into a GET. Not retried.
    #[error(
        "the server answered {status} (a redirect) to {}; the client does not follow \
         redirects (the Arize API never redirects) — check the base URL (scheme, host and \
         path) and any proxy or load balancer in front of the API",
        location.as_deref().map_or_else(|| "nowhere (no Location header)".to_owned(), |l| format!("`{l}`"))
    )]
    #[non_exhaustive]
    Redirect {
        /// The 3xx status.
        status: StatusCode,
        /// The `Location` header, when the server sent one, with any
        /// userinfo (`user:password@`) replaced by `***`.
        location: Option<String>,
    },

    /// A response could not be decoded.
    #[error(
        "the response{} could not be decoded ({source}); body starts with: {excerpt:?} — \
         the API may have changed, upgrade arize-role-bindings or report it",
        status_suffix(*.status)
    )]
    #[non_exhaustive]
    Decode {
        /// The status of the response, when known. It is `None` when a
        /// status the API documents (a 2xx, or a 4xx that should carry a
        /// problem) came with a body that does not parse: the generated
        /// client does not report the status in that case.
        status: Option<StatusCode>,
        /// The start of the body (at most 256 characters, the API key
        /// redacted).
        excerpt: String,
        /// The parse error.
        #[source]
        source: BoxError,
    },

    /// A listing stream stopped on a guard instead of looping.
    #[error("{0}")]
    Pagination(#[from] PaginationError),

    /// A name did not resolve to exactly one record: nothing matched it
    /// ([`LookupError::NotFound`], with the closest names) or several did
    /// ([`LookupError::Ambiguous`]). No request using it was sent.
    #[error("{0}")]
    Lookup(#[from] LookupError),

    /// The response body was larger than the client's limit
    /// ([`ClientBuilder::max_response_body`](crate::ClientBuilder::max_response_body));
    /// it was refused without being read into memory (at once when its
    /// `Content-Length` said so, otherwise as soon as it passed the limit).
    #[error(
        "the response{} was refused: its body is larger than the limit of {limit} bytes — \
         the API never sends that much; check the base URL and any proxy, or raise \
         ClientBuilder::max_response_body",
        status_suffix(*.status)
    )]
    #[non_exhaustive]
    ResponseTooLarge {
        /// The status of the response.
        status: Option<StatusCode>,
        /// The limit in bytes.
        limit: u64,
    },
    /// The call was made outside a Tokio runtime (for example under
    /// `futures::executor::block_on`); nothing was sent. The client needs a
    /// Tokio 1 runtime with its IO and time drivers.
    #[error(
        "no Tokio runtime: arize-role-bindings needs a Tokio 1 runtime with the IO and time \
         drivers; call it from #[tokio::main], #[tokio::test] or Runtime::block_on on a runtime \
         built with enable_all(), not from another executor"
    )]
    NoRuntime,
}

/// A wall-clock time as RFC 3339 in UTC, to the millisecond.
fn utc(time: std::time::SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(time).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn status_suffix(status: Option<StatusCode>) -> String {
    status.map_or_else(String::new, |s| format!(" ({s})"))
}

fn api_message(status: StatusCode, problem: &Problem, retry_after: Option<Duration>) -> String {
    let what = match status.as_u16() {
        400 => "the API rejected the request as invalid",
        401 => "the API key was not accepted",
        403 => "the API key may not do this",
        404 => "not found",
        409 => "conflict",
        422 => "the API could not process the request",
        429 => "rate limited by the API",
        500..=599 => "Arize had a server error",
        _ => "the API answered with an error",
    };
    let todo: Cow<'static, str> = match status.as_u16() {
        400 | 422 => "check the IDs and parameters".into(),
        401 => "check ARIZE_API_KEY (or the key given to the builder) and that it is not revoked"
            .into(),
        403 => "the key lacks the permission on this resource, or the resource does not exist or \
                belongs to another account"
            .into(),
        404 => "the binding, user or role does not exist or is not visible to this key".into(),
        409 => "the user already has a binding on this resource; use Client::ensure to assign \
                a role idempotently, or update the existing binding"
            .into(),
        429 => match retry_after {
            Some(d) => format!("wait {}s before retrying", d.as_secs()).into(),
            None => "slow down and retry later".into(),
        },
        500..=599 => "retry later; if it persists, contact Arize support".into(),
        _ => "see the problem details".into(),
    };
    format!("{what} ({status}): {problem} — {todo}")
}

fn transport_message(phase: TransportPhase, source: &BoxError) -> String {
    let cause = root_cause(source.as_ref());
    match phase {
        TransportPhase::Connect => format!(
            "could not connect to the Arize API ({cause}); the request was not sent — check the \
             base URL or region, the network and any proxy settings"
        ),
        TransportPhase::AfterSend => format!(
            "the connection failed after the request was sent ({cause}); the request may have \
             been applied — for a create, use Client::ensure or list to find out"
        ),
    }
}

/// The top error and its innermost cause ("error sending request for url
/// (...): Connection refused (os error 111)").
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut innermost = error;
    while let Some(next) = innermost.source() {
        innermost = next;
    }
    if std::ptr::addr_eq(innermost, error) {
        error.to_string()
    } else {
        format!("{error}: {innermost}")
    }
}

impl Error {
    /// The HTTP status of an [`Error::Api`] answer or an
    /// [`Error::Redirect`] (or of an undecodable response, when known); 429
    /// for [`Error::RateLimited`].
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api { status, .. } | Self::Redirect { status, .. } => Some(*status),
            Self::RateLimited { .. } => Some(StatusCode::TOO_MANY_REQUESTS),
            Self::Decode { status, .. } | Self::ResponseTooLarge { status, .. } => *status,
            _ => None,
        }
    }

    /// The problem details of an [`Error::Api`] answer.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            Self::Api { problem, .. } => Some(problem),
            _ => None,
        }
    }

    /// The server's `Retry-After` delay, when it sent one; for
    /// [`Error::RateLimited`], what was left of the client's pause.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Api { retry_after, .. } => *retry_after,
            Self::RateLimited { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }

    /// `true` for a 409: the user already has a binding on the resource.
    pub fn is_conflict(&self) -> bool {
        self.status() == Some(StatusCode::CONFLICT)
    }

    /// `true` for a 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// `true` for a 401: the API key is missing, wrong or expired.
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(StatusCode::UNAUTHORIZED)
    }

    /// `true` for a 403: the key is valid but may not do this.
    pub fn is_forbidden(&self) -> bool {
        self.status() == Some(StatusCode::FORBIDDEN)
    }

    /// `true` for a 429 (after the client's own retries);
    /// [`retry_after`](Self::retry_after) says how long the API asked to wait.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// `true` when trying again later may succeed: 429, 502, 503, 504,
    /// connection failures, timeouts and [`Error::RateLimited`]. (The client already retried as far
    /// as its [`RetryPolicy`](crate::RetryPolicy) and deadline allowed.)
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api { status, .. } => matches!(status.as_u16(), 429 | 502 | 503 | 504),
            Self::Transport { .. }
            | Self::Timeout { .. }
            | Self::Deadline { .. }
            | Self::RateLimited { .. } => true,
            _ => false,
        }
    }

    /// `true` when the request may have been applied by the server although
    /// the call failed: an attempt timed out (or was cut short by the
    /// deadline), the connection was lost after sending, or a gateway
    /// answered 502/504. This is the rule the client itself follows (see
    /// [`Outcome::may_have_been_applied`](crate::retry::Outcome::may_have_been_applied)):
    /// after such a failure a create is not repeated, and
    /// [`Client::ensure`](crate::Client::ensure) checks what happened.
    /// Any answer of the API itself — a 4xx, a 500 — and a failure to
    /// connect or a validation error mean it was not applied.
    pub fn may_have_been_applied(&self) -> bool {
        crate::retry::Outcome::of(self).may_have_been_applied()
    }

    /// The lookup error of an [`Error::Lookup`]: which name did not
    /// resolve, and why.
    pub fn lookup(&self) -> Option<&LookupError> {
        match self {
            Self::Lookup(e) => Some(e),
            _ => None,
        }
    }

    /// `true` for [`Error::Validation`]: nothing was sent.
    pub fn is_validation(&self) -> bool {
        matches!(self, Self::Validation(_))
    }

    pub(crate) fn api(status: StatusCode, problem: Problem, retry_after: Option<Duration>) -> Self {
        Self::Api {
            status,
            problem: Box::new(problem),
            retry_after,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn error_stays_small() {
        assert!(
            std::mem::size_of::<Error>() <= 128,
            "{}",
            std::mem::size_of::<Error>()
        );
    }

    #[test]
    fn display_says_what_happened_and_what_to_do() {
        let conflict = Error::api(
            StatusCode::CONFLICT,
            Problem::new(409, "Conflict").with_detail("binding exists"),
            None,
        );
        let text = conflict.to_string();
        assert!(text.contains("409"), "{text}");
        assert!(text.contains("binding exists"), "{text}");
        assert!(text.contains("ensure"), "{text}");
        assert!(conflict.is_conflict() && !conflict.is_not_found() && !conflict.is_retryable());

        let limited = Error::api(
            StatusCode::TOO_MANY_REQUESTS,
            Problem::new(429, "Too Many Requests"),
            Some(Duration::from_secs(7)),
        );
        assert!(limited.to_string().contains("wait 7s"), "{limited}");
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(7)));
        assert!(limited.is_retryable());

        let unauthorized = Error::api(
            StatusCode::UNAUTHORIZED,
            Problem::new(401, "Unauthorized"),
            None,
        );
        assert!(unauthorized.to_string().contains("ARIZE_API_KEY"));

        let mismatch: Error = ValidationError::IdTypeMismatch {
            parameter: "resource_id",
            id: "U3BhY2U6MTp1Rk4x".into(),
            expected: "a Project or Model (resource_type PROJECT)",
            encoded: "Space".into(),
        }
        .into();
        let text = mismatch.to_string();
        assert!(text.contains("no request was sent"), "{text}");
        assert!(text.contains("is a Space ID"), "{text}");
        assert!(mismatch.is_validation());

        let conflict_cfg: Error = ConfigError::Conflict {
            settings: vec!["ARIZE_REGION", "ARIZE_SINGLE_HOST"],
            hint: "set only one",
        }
        .into();
        let text = conflict_cfg.to_string();
        assert!(
            text.contains("ARIZE_REGION") && text.contains("ARIZE_SINGLE_HOST"),
            "{text}"
        );

        let guard: Error = PaginationError::MissingCursor { pages: 3 }.into();
        assert!(guard.to_string().contains("next_cursor"));

        let deadline = Error::Deadline {
            operation: "get_role_binding",
            deadline: Duration::from_secs(2),
            attempts: 2,
        };
        assert!(deadline.to_string().contains("ClientBuilder::deadline"));
    }

    #[test]
    fn problem_round_trips_rfc9457_json() {
        let json = r#"{"type":"https://arize.com/docs/ax/rest-reference/errors#resource-not-found","title":"Not Found","status":404,"detail":"no binding","instance":"/v2/role-bindings/x"}"#;
        let p: Problem = serde_json::from_str(json).unwrap();
        assert_eq!(
            p.type_.as_deref(),
            Some("https://arize.com/docs/ax/rest-reference/errors#resource-not-found")
        );
        let back: serde_json::Value = serde_json::to_value(&p).unwrap();
        let orig: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(back, orig);
        assert_eq!(p.to_string(), "Not Found: no binding");
    }
}
