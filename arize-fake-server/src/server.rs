//! The HTTP side: accept loop, routing, authentication, faults, handlers.
//!
//! Connections are served by hyper directly (not `axum::serve`) so that a
//! fault can close one connection on purpose: every connection has a kill
//! switch the handler can pull.

use std::convert::Infallible;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use std::collections::BTreeSet;

use arize_api::types::{
    CreateRoleBindingRequest, Id, ListProjectsResponse, ListRoleBindingsResponse,
    ListRolesResponse, ListSpacesResponse, ListUsersResponse, PaginationMetadata, Permission,
    Project, Role, RoleBinding, RoleBindingResourceType, Space, UpdateRoleBindingRequest, User,
    UserRole, UserRoleAssignment, UserStatus,
};
use axum::body::Body;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode, header};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use percent_encoding::percent_decode_str;
use serde::de::DeserializeOwned;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore, oneshot};
use tokio::task::JoinSet;

use crate::fault::{Fault, Faults, Operation, RetryAfter};
use crate::limits::{ConnTimer, ConnectionGauge, ConnectionLimits, CountingIo};
use crate::log::{Delivery, RequestLog, RequestRecord};
use crate::operation::{Resource, Routed};
use crate::problem::{
    Rejection, problem_response, problem_response_with_type, status_code, to_json_bytes,
};
use crate::store::{ListFilter, ListMode, ListParams, Store};

/// Largest request body the fake reads.
const MAX_BODY: usize = 1024 * 1024;

/// State shared by all connections.
pub(crate) struct Shared {
    pub(crate) store: Mutex<Store>,
    pub(crate) faults: Faults,
    pub(crate) log: RequestLog,
    pub(crate) api_key: String,
    pub(crate) limits: ConnectionLimits,
    pub(crate) connections: Arc<ConnectionGauge>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("store", &self.store)
            .field("faults", &self.faults)
            .field("limits", &self.limits)
            .field("api_key", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl Shared {
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Accepts connections until `shutdown` fires; then drops every connection.
/// At most `max_connections` are open at once: the loop accepts the next
/// one only when a slot is free, so the excess waits in the listen backlog.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: oneshot::Receiver<()>,
) {
    let mut connections = JoinSet::new();
    let slots = Arc::new(Semaphore::new(shared.limits.max_connections.max(1)));
    loop {
        let permit = tokio::select! {
            _ = &mut shutdown => break,
            permit = Arc::clone(&slots).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let shared = Arc::clone(&shared);
                    let open = shared.connections.enter();
                    connections.spawn(async move {
                        serve_connection(stream, shared).await;
                        drop(open);
                        drop(permit);
                    });
                }
                Err(error) => {
                    tracing::warn!(%error, "fake server: accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let limits = shared.limits;
    let kill = Arc::new(Notify::new());
    let service = {
        let kill = Arc::clone(&kill);
        service_fn(move |request: Request<Incoming>| {
            let shared = Arc::clone(&shared);
            let kill = Arc::clone(&kill);
            async move { Ok::<_, Infallible>(dispatch(&shared, &kill, request).await) }
        })
    };
    // hyper's header-read timer, per connection: idle, then header timeout
    // (see `limits`).
    let (stream, read) = CountingIo::new(stream);
    let connection = http1::Builder::new()
        .timer(ConnTimer::new(read, &limits))
        .header_read_timeout(limits.header_read_timeout)
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        result = connection => {
            if let Err(error) = result {
                tracing::debug!(%error, "fake server: connection ended with an error");
            }
        }
        () = kill.notified() => {
            tracing::debug!("fake server: connection closed by an injected fault");
        }
    }
}

/// `Authorization: Bearer <key>` with the server's key (scheme
/// case-insensitive).
fn authorized(headers: &HeaderMap, api_key: &str) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    match value.split_once(' ') {
        Some((scheme, key)) => scheme.eq_ignore_ascii_case("bearer") && key.trim() == api_key,
        None => false,
    }
}

fn redacted_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let shown = if name == header::AUTHORIZATION {
                match value.to_str().ok().and_then(|v| v.split_once(' ')) {
                    Some((scheme, _)) => format!("{scheme} <redacted>"),
                    None => "<redacted>".to_owned(),
                }
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.as_str().to_owned(), shown)
        })
        .collect()
}

/// What the handler decided.
enum Reply {
    /// Send this response.
    Send(Response<Body>),
    /// Send this response; its body is cut off mid-way.
    SendMidBody(Response<Body>),
    /// Close the connection without answering; `status` is the decision
    /// that was not delivered (for `CloseAfterApply`).
    Close { status: Option<u16> },
    /// Never answer ([`Fault::Hang`]).
    Hang,
}

async fn dispatch(shared: &Shared, kill: &Notify, request: Request<Incoming>) -> Response<Body> {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let raw_path = parts.uri.path().to_owned();
    let raw_query = parts.uri.query().map(str::to_owned);
    let route = Operation::route(parts.method.as_str(), &raw_path);
    let raw_segment = match &route {
        Routed::Op(_, segment) => segment.clone(),
        _ => None,
    };
    let binding_id = raw_segment.as_deref().and_then(|s| {
        percent_decode_str(s)
            .decode_utf8()
            .ok()
            .map(|c| c.into_owned())
    });
    let operation = match route {
        Routed::Op(op, _) => Some(op),
        _ => None,
    };
    let is_authorized = authorized(&parts.headers, &shared.api_key);

    let _in_flight = shared.log.enter();
    // The key is checked before the body is read: a request without it is
    // answered (401, or an injected fault) without reading its body. hyper
    // then drains what has already arrived or closes the connection; the
    // answer says `Connection: close` so that no client reuses it.
    let unread_body = !is_authorized && !hyper::body::Body::is_end_stream(&body);
    let body = if is_authorized {
        read_body(body, shared.limits.body_timeout).await
    } else {
        drop(body);
        Ok(Bytes::new())
    };
    let index = shared.log.push(RequestRecord {
        index: 0,
        method: parts.method.as_str().to_owned(),
        raw_path,
        raw_query: raw_query.clone(),
        operation,
        raw_binding_id: raw_segment,
        binding_id: binding_id.clone(),
        headers: redacted_headers(&parts.headers),
        body: body.as_ref().ok().and_then(|b| shared.log.logged_body(b)),
        body_len: body.as_ref().map_or(0, Bytes::len),
        authorized: is_authorized,
        fault: None,
        status: None,
        delivery: Delivery::Pending,
        elapsed: None,
    });

    let fault = match operation {
        Some(op) => {
            if let Some(delay) = shared.faults.latency(op) {
                tokio::time::sleep(delay).await;
            }
            shared.faults.pick(op)
        }
        None => None,
    };
    if fault.is_some() {
        shared.log.update(index, |r| r.fault.clone_from(&fault));
    }

    let reply = match (route, body) {
        (_, Err(BodyError::TimedOut)) => {
            let mut response = problem_response(
                408,
                format!(
                    "The request body did not arrive within {:?}",
                    shared.limits.body_timeout
                ),
            );
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            Reply::Send(response)
        }
        (_, Err(BodyError::Unreadable)) => Reply::Send(problem_response(
            400,
            "The request body could not be read or is larger than 1 MiB",
        )),
        (Routed::NotFound, _) if !is_authorized => Reply::Send(unauthorized()),
        (Routed::NotFound, _) => Reply::Send(problem_response(
            404,
            format!("No route for {} {}", parts.method, parts.uri.path()),
        )),
        (Routed::MethodNotAllowed(_), _) if !is_authorized => Reply::Send(unauthorized()),
        (Routed::MethodNotAllowed(allow), _) => {
            let mut response = problem_response(
                405,
                format!("{} is not allowed on {}", parts.method, parts.uri.path()),
            );
            if let Ok(allow) = HeaderValue::from_str(&allow) {
                response.headers_mut().insert(header::ALLOW, allow);
            }
            Reply::Send(response)
        }
        (Routed::Op(op, _), Ok(body)) => {
            let infrastructure_fault = fault.as_ref().filter(|f| {
                !f.is_pagination()
                    && **f != Fault::CloseAfterApply
                    && !matches!(f, Fault::DeleteBinding(_))
            });
            if let Some(fault) = infrastructure_fault {
                fault_reply(fault, op)
            } else if !is_authorized {
                match fault {
                    Some(Fault::CloseAfterApply) => Reply::Close { status: Some(401) },
                    _ => Reply::Send(unauthorized()),
                }
            } else {
                if let Some(Fault::DeleteBinding(id)) = &fault {
                    let _ = shared.store().delete(id);
                }
                let mode = match fault {
                    Some(Fault::RepeatedCursor) => ListMode::RepeatCursor,
                    Some(Fault::HasMoreWithoutCursor) => ListMode::HasMoreWithoutCursor,
                    Some(Fault::EndlessEmptyPages) => ListMode::EndlessEmptyPages,
                    _ => ListMode::Normal,
                };
                let response = handle(
                    shared,
                    op,
                    binding_id.as_deref(),
                    raw_query.as_deref(),
                    &parts.headers,
                    &body,
                    mode,
                );
                match fault {
                    Some(Fault::CloseAfterApply) => Reply::Close {
                        status: Some(response.status().as_u16()),
                    },
                    _ => Reply::Send(response),
                }
            }
        }
    };

    let elapsed = started.elapsed();
    match reply {
        Reply::Send(mut response) => {
            if unread_body {
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            let status = response.status().as_u16();
            shared.log.update(index, |r| {
                r.status = Some(status);
                r.delivery = Delivery::Answered;
                r.elapsed = Some(elapsed);
            });
            response
        }
        Reply::SendMidBody(response) => {
            let status = response.status().as_u16();
            shared.log.update(index, |r| {
                r.status = Some(status);
                r.delivery = Delivery::ClosedMidBody;
                r.elapsed = Some(elapsed);
            });
            response
        }
        Reply::Hang => std::future::pending::<Response<Body>>().await,
        Reply::Close { status } => {
            shared.log.update(index, |r| {
                r.status = status;
                r.delivery = Delivery::ClosedBeforeResponse;
                r.elapsed = Some(elapsed);
            });
            kill.notify_one();
            std::future::pending::<Response<Body>>().await
        }
    }
}

/// Why a request body could not be had.
enum BodyError {
    /// Not complete within the body timeout.
    TimedOut,
    /// Broken, or larger than [`MAX_BODY`].
    Unreadable,
}

/// Reads the whole body, at most [`MAX_BODY`] bytes, within `timeout` (a
/// bound on the whole body, so a client trickling bytes cannot hold the
/// request open either).
async fn read_body(body: Incoming, timeout: std::time::Duration) -> Result<Bytes, BodyError> {
    match tokio::time::timeout(timeout, axum::body::to_bytes(Body::new(body), MAX_BODY)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(_)) => Err(BodyError::Unreadable),
        Err(_) => Err(BodyError::TimedOut),
    }
}

fn unauthorized() -> Response<Body> {
    problem_response(
        401,
        "A valid API key is required (Authorization: Bearer <key>)",
    )
}

fn json_response(status: u16, body: Vec<u8>, content_type: &'static str) -> Response<Body> {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status_code(status);
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn rejection(r: Rejection) -> Response<Body> {
    r.into_response()
}

fn ok_json<T: serde::Serialize>(value: &T) -> Response<Body> {
    json_response(200, to_json_bytes(value), "application/json")
}

/// Runs the operation against the store: its handler, from the
/// operation's row of the table (`operation.rs`).
fn handle(
    shared: &Shared,
    op: Operation,
    path_id: Option<&str>,
    raw_query: Option<&str>,
    headers: &HeaderMap,
    body: &Bytes,
    mode: ListMode,
) -> Response<Body> {
    let request = Call {
        shared,
        op,
        path_id,
        raw_query,
        headers,
        body,
        mode,
    };
    (op.spec().handler)(&request).unwrap_or_else(rejection)
}

/// One request, as an operation's handler sees it. The handlers of the
/// table (`operation.rs`) are one line each: [`Call::list`] or
/// [`Call::get`] on a [`Store`] method for a read, or one of the
/// role-binding writes.
pub(crate) struct Call<'a> {
    shared: &'a Shared,
    op: Operation,
    path_id: Option<&'a str>,
    raw_query: Option<&'a str>,
    headers: &'a HeaderMap,
    body: &'a Bytes,
    mode: ListMode,
}

/// What an operation's handler answers: the response, or the problem.
pub(crate) type Handled = Result<Response<Body>, Rejection>;

impl Call<'_> {
    /// The decoded `{...}` path segment.
    fn id(&self) -> Result<&str, Rejection> {
        path_param(self.op, self.path_id)
    }

    /// A cursor-paginated list: the query parsed for the operation's
    /// resource, then `list` on the store; 200 with the page.
    pub(crate) fn list<T: serde::Serialize>(
        &self,
        list: fn(&mut Store, &ListParams, ListMode) -> Result<T, Rejection>,
    ) -> Handled {
        let params = parse_list_query(self.op, self.raw_query)?;
        list(&mut self.shared.store(), &params, self.mode).map(|page| ok_json(&page))
    }

    /// A read of one record by the path's ID; 200 with the record.
    pub(crate) fn get<T: serde::Serialize>(
        &self,
        get: fn(&Store, &str) -> Result<T, Rejection>,
    ) -> Handled {
        let id = self.id()?;
        get(&self.shared.store(), id).map(|record| ok_json(&record))
    }

    /// `create_role_binding`: 201 with the binding.
    pub(crate) fn create(&self) -> Handled {
        let request =
            parse_body::<CreateRoleBindingRequest>(self.headers, self.body, BodyKind::Create)?;
        let binding = self.shared.store().create(&request)?;
        Ok(json_response(
            201,
            to_json_bytes(&binding),
            "application/json",
        ))
    }

    /// `update_role_binding`: the body is checked (400/422) before the
    /// binding is looked up.
    pub(crate) fn update(&self) -> Handled {
        let id = self.id()?;
        let request =
            parse_body::<UpdateRoleBindingRequest>(self.headers, self.body, BodyKind::Update)?;
        let binding = self.shared.store().update(id, &request)?;
        Ok(ok_json(&binding))
    }

    /// `delete_role_binding`: 204.
    pub(crate) fn delete(&self) -> Handled {
        let id = self.id()?;
        self.shared.store().delete(id)?;
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NO_CONTENT;
        Ok(response)
    }
}

/// The decoded `{...}` path segment; 400 when it is not UTF-8.
fn path_param(op: Operation, path_id: Option<&str>) -> Result<&str, Rejection> {
    let name = op
        .path()
        .rsplit_once('{')
        .map_or("id", |(_, rest)| rest.trim_end_matches('}'));
    path_id
        .ok_or_else(|| Rejection::bad_request(format!("{name} is not valid percent-encoded UTF-8")))
}

/// Which body is being parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Create,
    Update,
}

const SYSTEM_MANAGED: &[&str] = &["id", "created_at", "updated_at"];
const CREATE_FIELDS: &[&str] = &["role_id", "user_id", "resource_type", "resource_id"];
const UPDATE_FIELDS: &[&str] = &["role_id"];
const IMMUTABLE_ON_UPDATE: &[&str] = &["user_id", "resource_type", "resource_id"];

/// Parses a JSON body. The rule: a body that is not a JSON object of the
/// right field types — unreadable JSON, another JSON value, a missing
/// required field, a wrong type or enum value — is **400**; a well-formed
/// object carrying a field the operation does not accept — a
/// system-managed field (`id`, `created_at`, `updated_at`), `user_id` or
/// the resource in an update, or any unknown field — is **422**.
fn parse_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: &Bytes,
    kind: BodyKind,
) -> Result<T, Rejection> {
    if let Some(content_type) = headers.get(header::CONTENT_TYPE) {
        let essence = content_type
            .to_str()
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if essence != "application/json" && !essence.ends_with("+json") {
            return Err(Rejection::bad_request(
                "Content-Type must be application/json",
            ));
        }
    }
    if body.is_empty() {
        return Err(Rejection::bad_request("A JSON request body is required"));
    }
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| Rejection::bad_request(format!("The request body is not valid JSON: {e}")))?;
    let Some(object) = value.as_object() else {
        return Err(Rejection::bad_request(
            "The request body must be a JSON object",
        ));
    };
    let allowed = match kind {
        BodyKind::Create => CREATE_FIELDS,
        BodyKind::Update => UPDATE_FIELDS,
    };
    for key in object.keys() {
        if SYSTEM_MANAGED.contains(&key.as_str()) {
            return Err(Rejection::unprocessable(format!(
                "`{key}` is system-managed and cannot be set"
            )));
        }
        if kind == BodyKind::Update && IMMUTABLE_ON_UPDATE.contains(&key.as_str()) {
            return Err(Rejection::unprocessable(format!(
                "Only role_id can be changed; `{key}` cannot be updated"
            )));
        }
        if !allowed.contains(&key.as_str()) {
            return Err(Rejection::unprocessable(format!("Unknown field `{key}`")));
        }
    }
    serde_json::from_value(value)
        .map_err(|e| Rejection::bad_request(format!("Invalid request body: {e}")))
}

/// The query of a list call: each known parameter's values. A parameter
/// given twice is 400 unless `repeatable` names it; unknown parameters are
/// ignored.
struct Query {
    values: std::collections::HashMap<&'static str, Vec<String>>,
}

impl Query {
    fn parse(
        raw: Option<&str>,
        known: &[&'static str],
        repeatable: &[&str],
    ) -> Result<Self, Rejection> {
        let mut values: std::collections::HashMap<&'static str, Vec<String>> =
            std::collections::HashMap::new();
        for (name, value) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let Some(known) = known.iter().copied().find(|k| *k == name) else {
                continue;
            };
            let slot = values.entry(known).or_default();
            if !slot.is_empty() && !repeatable.contains(&known) {
                return Err(Rejection::bad_request(format!(
                    "Query parameter {name} is given more than once"
                )));
            }
            slot.push(value.into_owned());
        }
        Ok(Self { values })
    }

    fn one(&self, name: &str) -> Option<String> {
        self.values.get(name).and_then(|v| v.first().cloned())
    }

    fn all(&self, name: &str) -> &[String] {
        self.values.get(name).map_or(&[], Vec::as_slice)
    }

    /// An ID filter: not empty (400).
    fn id(&self, name: &str) -> Result<Option<String>, Rejection> {
        match self.one(name) {
            Some(value) if value.is_empty() => {
                Err(Rejection::bad_request(format!("{name} must not be empty")))
            }
            other => Ok(other),
        }
    }

    /// A case-insensitive text filter, lower-cased.
    fn lower(&self, name: &str) -> Option<String> {
        self.one(name).map(|v| v.to_lowercase())
    }

    /// `limit`: an integer 1..=100, default 50.
    fn limit(&self) -> Result<usize, Rejection> {
        match self.one("limit") {
            None => Ok(50),
            Some(text) => match text.parse::<u64>() {
                Ok(n @ 1..=100) => Ok(usize::try_from(n).unwrap_or(50)),
                _ => Err(Rejection::bad_request(
                    "limit must be an integer between 1 and 100",
                )),
            },
        }
    }
}

/// Parses the query of a list operation: its filters (400 for a bad
/// value), `limit` (an integer 1..=100, default 50) and `cursor`.
fn parse_list_query(op: Operation, raw: Option<&str>) -> Result<ListParams, Rejection> {
    const PAGING: [&str; 2] = ["limit", "cursor"];
    let (known, repeatable): (&[&'static str], &[&str]) = match op.spec().resource {
        Resource::RoleBindings => (&["resource_type", "user_id"], &[]),
        Resource::Users => (&["email", "status"], &["status"]),
        Resource::Roles => (&["is_predefined"], &[]),
        Resource::Spaces => (&["org_id", "name"], &[]),
        Resource::Projects => (&["space_id", "space_name", "name"], &[]),
    };
    let all_known: Vec<&'static str> = known.iter().copied().chain(PAGING).collect();
    let query = Query::parse(raw, &all_known, repeatable)?;
    let filter = match op.spec().resource {
        Resource::RoleBindings => ListFilter::RoleBindings {
            resource_type: query
                .one("resource_type")
                .ok_or_else(|| {
                    Rejection::bad_request("resource_type is required (SPACE or PROJECT)")
                })?
                .parse()
                .map_err(|_| Rejection::bad_request("resource_type must be SPACE or PROJECT"))?,
            user_id: query.one("user_id"),
        },
        Resource::Users => {
            let email = query.one("email");
            if email.as_ref().is_some_and(|e| e.chars().count() > 255) {
                return Err(Rejection::bad_request(
                    "email must be at most 255 characters",
                ));
            }
            let given = query.all("status");
            let status: BTreeSet<UserStatus> = if given.is_empty() {
                [UserStatus::Active, UserStatus::Invited, UserStatus::Expired].into()
            } else {
                given
                    .iter()
                    .map(|s| {
                        s.parse().map_err(|_| {
                            Rejection::bad_request(format!(
                                "status must be ACTIVE, INVITED or EXPIRED, not {s:?}"
                            ))
                        })
                    })
                    .collect::<Result<_, _>>()?
            };
            ListFilter::Users {
                email: email.map(|e| e.to_lowercase()),
                status,
            }
        }
        Resource::Roles => ListFilter::Roles {
            is_predefined: match query.one("is_predefined").as_deref() {
                None => None,
                Some("true") => Some(true),
                Some("false") => Some(false),
                Some(other) => {
                    return Err(Rejection::bad_request(format!(
                        "is_predefined must be true or false, not {other:?}"
                    )));
                }
            },
        },
        Resource::Spaces => ListFilter::Spaces {
            org_id: query.id("org_id")?,
            name: query.lower("name"),
        },
        Resource::Projects => ListFilter::Projects {
            space_id: query.id("space_id")?,
            space_name: query.lower("space_name"),
            name: query.lower("name"),
        },
    };
    Ok(ListParams {
        filter,
        limit: query.limit()?,
        cursor: query.one("cursor"),
    })
}

// ----- fault answers -----

fn sample_binding() -> RoleBinding {
    let at = sample_at();
    RoleBinding {
        created_at: at,
        id: Id("Um9sZUJpbmRpbmc6MTphQmNE".into()),
        resource_id: Id("U3BhY2U6MTpWNEth".into()),
        resource_type: RoleBindingResourceType::Space,
        role_id: Id("Um9sZToxOmFCY0Q=".into()),
        updated_at: at,
        user_id: Id("VXNlcjo0MjphQmNE".into()),
    }
}

fn sample_at() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_717_236_000, 0).unwrap_or_default()
}

fn sample_user() -> User {
    User {
        created_at: sample_at(),
        email: "user1@example.com".into(),
        id: Id("VXNlcjoxMjM0NQ==".into()),
        is_developer: true,
        name: "User 1".into(),
        role: UserRoleAssignment::Predefined {
            name: UserRole::Member,
        },
        status: UserStatus::Active,
    }
}

fn sample_role() -> Role {
    Role {
        created_at: sample_at(),
        description: Some("Predefined: read access".into()),
        id: Id("Um9sZToxOmFCY0Q=".into()),
        is_predefined: true,
        name: "Read Only".into(),
        permissions: vec![Permission("SPACE_READ".into())],
        updated_at: sample_at(),
    }
}

fn sample_space() -> Space {
    Space {
        created_at: sample_at(),
        description: String::new(),
        id: Id("U3BhY2U6MTIzNDU=".into()),
        name: "space-1".into(),
    }
}

fn sample_project() -> Project {
    Project {
        created_at: sample_at(),
        id: Id("UHJvamVjdDoxMjM0NQ==".into()),
        name: "project-1".into(),
        space_id: Id("U3BhY2U6MTIzNDU=".into()),
    }
}

/// A plausible success body for `op`, built from the spec's examples: a
/// page of two, or one record, of the operation's resource.
fn sample_body(op: Operation) -> Vec<u8> {
    let pagination = || PaginationMetadata {
        has_more: false,
        next_cursor: None,
    };
    let list = op.is_list();
    match op.spec().resource {
        Resource::RoleBindings if list => to_json_bytes(&ListRoleBindingsResponse {
            pagination: pagination(),
            role_bindings: vec![sample_binding(), sample_binding()],
        }),
        Resource::RoleBindings => to_json_bytes(&sample_binding()),
        Resource::Users if list => to_json_bytes(&ListUsersResponse {
            pagination: pagination(),
            users: vec![sample_user(), sample_user()],
        }),
        Resource::Users => to_json_bytes(&sample_user()),
        Resource::Roles if list => to_json_bytes(&ListRolesResponse {
            pagination: pagination(),
            roles: vec![sample_role(), sample_role()],
        }),
        Resource::Roles => to_json_bytes(&sample_role()),
        Resource::Spaces if list => to_json_bytes(&ListSpacesResponse {
            pagination: pagination(),
            spaces: vec![sample_space(), sample_space()],
        }),
        Resource::Spaces => to_json_bytes(&sample_space()),
        Resource::Projects if list => to_json_bytes(&ListProjectsResponse {
            pagination: pagination(),
            projects: vec![sample_project(), sample_project()],
        }),
        Resource::Projects => to_json_bytes(&sample_project()),
    }
}

/// The status a body fault answers with: the success status, but 200 for
/// delete (a 204 cannot carry a body).
fn body_fault_status(op: Operation) -> u16 {
    match op {
        Operation::Delete => 200,
        other => other.success_status(),
    }
}

const HTML_PAGE: &str = "<!DOCTYPE html>\n<html>\n<head><title>{status}</title></head>\n<body>\n<center><h1>{status}</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n";

fn fault_reply(fault: &Fault, op: Operation) -> Reply {
    const DETAIL: &str = "Injected by the fake server";
    match fault {
        Fault::Status(code) => {
            let mut response = problem_response(*code, DETAIL);
            if *code == 429 {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            Reply::Send(response)
        }
        Fault::RateLimited(retry_after) => {
            let mut response = problem_response(429, "Rate limit exceeded; retry later");
            let value = match retry_after {
                RetryAfter::Seconds(s) => HeaderValue::from_str(&s.to_string()).ok(),
                RetryAfter::Missing => None,
                RetryAfter::Raw(raw) => HeaderValue::from_str(raw).ok(),
            };
            if let Some(value) = value {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            Reply::Send(response)
        }
        Fault::CloseBeforeResponse | Fault::CloseAfterApply => Reply::Close { status: None },
        Fault::CloseMidBody => {
            let full = sample_body(op);
            let half = Bytes::copy_from_slice(&full[..full.len() / 2]);
            // Half the body; then, after a pause that lets hyper flush the
            // head and that half, an error, on which hyper drops the
            // connection.
            let broken = futures::stream::once(async {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                Err::<Bytes, _>(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "injected fault: connection closed mid-body",
                ))
            });
            let chunks = futures::StreamExt::chain(
                futures::stream::iter([Ok::<_, std::io::Error>(half)]),
                broken,
            );
            let mut response = Response::new(Body::from_stream(chunks));
            *response.status_mut() = status_code(body_fault_status(op));
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(full.len()));
            Reply::SendMidBody(response)
        }
        Fault::TruncatedJson => {
            let mut full = sample_body(op);
            full.truncate(full.len() / 2);
            Reply::Send(json_response(
                body_fault_status(op),
                full,
                "application/json",
            ))
        }
        Fault::InvalidJson => Reply::Send(json_response(
            body_fault_status(op),
            b"{\"id\": \"Um9sZUJpbmRpbmc6MTphQmNE\", oops, }".to_vec(),
            "application/json",
        )),
        Fault::WrongShapeJson => Reply::Send(json_response(
            body_fault_status(op),
            b"{\"unexpected\": \"shape\", \"data\": [1, 2, 3]}".to_vec(),
            "application/json",
        )),
        Fault::HtmlErrorPage(code) => {
            let status = status_code(*code);
            let text = format!(
                "{} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("Error")
            );
            Reply::Send(json_response(
                status.as_u16(),
                HTML_PAGE.replace("{status}", &text).into_bytes(),
                "text/html; charset=utf-8",
            ))
        }
        Fault::ProblemAsTextPlain(code) => Reply::Send(problem_response_with_type(
            *code,
            DETAIL,
            "text/plain; charset=utf-8",
        )),
        Fault::EmptyBody => Reply::Send(json_response(
            body_fault_status(op),
            Vec::new(),
            "application/json",
        )),
        Fault::Hang => Reply::Hang,
        Fault::Redirect(code, location) => {
            let status = status_code(*code);
            let text = format!(
                "{} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("Redirect")
            );
            let mut response = json_response(
                status.as_u16(),
                HTML_PAGE.replace("{status}", &text).into_bytes(),
                "text/html; charset=utf-8",
            );
            if let Ok(value) = HeaderValue::from_str(location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            Reply::Send(response)
        }
        // Pagination faults and deletions never reach here (they run the
        // real operation).
        Fault::RepeatedCursor
        | Fault::HasMoreWithoutCursor
        | Fault::EndlessEmptyPages
        | Fault::DeleteBinding(_) => {
            Reply::Send(problem_response(500, "pagination fault outside list"))
        }
    }
}
