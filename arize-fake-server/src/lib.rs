//! A stateful, fault-injecting fake of Arize's role-bindings REST API
//! (`/v2/role-bindings`) and of the directory a binding points into
//! (`/v2/users`, `/v2/roles`, `/v2/spaces`, `/v2/projects`), for tests and
//! the quickstart.
//!
//! The fake keeps users, roles, spaces, projects, models and role bindings
//! in memory and answers all thirteen operations of `openapi/openapi.json`
//! ([`Operation::ALL`]): the five role-binding operations and the eight
//! directory reads (`list_users`, `get_user`, `list_roles`, `get_role`,
//! `list_spaces`, `get_space`, `list_projects`, `get_project`), with the
//! wire types generated in [`arize_api::types`], following the rules in
//! the project's facts files: one binding per (user, resource) (409), 403
//! for an unknown resource on create, 404 for an unknown user, role,
//! binding or `user_id` filter, 401 without the bearer key, opaque cursors,
//! `limit` 1..=100 (default 50). Every error is an RFC 9457 `Problem`
//! served as `application/problem+json`.
//!
//! ```
//! use arize_fake_server::{FakeServer, Fault, FaultRule, Operation, Seed};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = FakeServer::builder()
//!     .api_key("test-key")
//!     .seed(Seed::default().bindings(2))
//!     .start()
//!     .await?;
//! let user = &server.users()[0];
//! let space = &server.spaces()[0];
//! assert_eq!(server.bindings().len(), 2);
//! // The directory has readable names: GET /v2/users?email=user1 finds it.
//! let directory = server.directory();
//! assert_eq!(directory.users[0].email, "user1@example.com");
//! assert_eq!(directory.spaces[0].name, "space-1");
//! assert!(directory.role_named("Member").is_some_and(|r| r.is_predefined));
//!
//! // The next create answers 503 and creates nothing.
//! server
//!     .faults()
//!     .inject(FaultRule::new(Fault::Status(503)).on(Operation::Create).next(1));
//!
//! // ... point the client under test at `server.base_url()` ...
//! println!("{} has users {user} and space {space}", server.base_url());
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Rules the fake applies
//!
//! - **Authentication** first: `Authorization: Bearer <key>` with the
//!   configured key (default [`DEFAULT_API_KEY`]), else 401 with
//!   `WWW-Authenticate: Bearer`. Injected faults act like infrastructure in
//!   front of the API and are decided *before* authentication.
//! - **Bodies** (create, update): not a JSON object with the right field
//!   types (unparseable, not an object, a required field missing, a wrong
//!   type or enum value, an empty ID, a non-JSON `Content-Type`) → **400**;
//!   a well-formed object with a field the operation does not accept
//!   (`id`, `created_at`, `updated_at`, `user_id`/`resource_*` in an update,
//!   any unknown field) → **422**.
//! - **IDs are opaque**, except that an ID in a create or update *body*
//!   that decodes to a *known* type name (`User`, `Role`, `Space`,
//!   `Project`, `Model`, `RoleBinding`, ...) of the wrong kind is a
//!   definite mismatch → 422 (e.g. a `Space:` ID given as a `PROJECT`
//!   resource, as Arize documents). In a path or query parameter
//!   (`binding_id`, `user_id`) an ID of another type is just looked up like
//!   any other: a `Space:` ID as `binding_id` is a binding that does not
//!   exist, as `user_id` a user that does not exist → 404, the same problem
//!   as for an unknown ID of the right type. IDs that do not decode are
//!   looked up too: unknown → 403 (resource on create) or 404.
//! - **Models** are `PROJECT` resources: seed them with [`Seed::models`];
//!   a `Model:` ID of a seeded model is accepted with `resource_type =
//!   PROJECT`, like Arize's own valid example.
//! - **Create** checks, in order: body (400/422), resource type (422),
//!   resource exists (403), user (404), role (404), existing binding for
//!   (user, resource), whatever its role (409).
//! - **Update** checks the body (400/422), the binding (404), then the
//!   role (422/404), and changes only `role_id` and `updated_at`.
//! - **List** (bindings): `resource_type` required, `limit` 1..=100 (400 otherwise,
//!   also when not an integer), default 50, `user_id` of an unknown user →
//!   404, a parameter given twice → 400, unknown parameters ignored.
//!   Bindings come in creation order; a cursor is a random token the server
//!   remembers with the position (the creation sequence number of the last
//!   binding returned) and the filters. A cursor that is unknown, forged,
//!   expired or used with other filters → 400. Resuming "after sequence
//!   s" means no binding that exists throughout a walk is skipped or
//!   repeated, whatever is created or deleted between pages.
//! - **Directory reads**: `get_*` of an unknown ID (or one of another
//!   type) → 404. Every list pages like the bindings list (same cursor
//!   rules, limits, "given twice" 400), in creation order (`created_at`,
//!   then insertion; users "oldest first"). `list_users`: `email` a
//!   case-insensitive partial match (at most 255 characters), `status`
//!   repeatable (`?status=ACTIVE&status=INVITED`; default all three; an
//!   unknown value → 400). `list_roles`: `is_predefined` (`true`/`false`,
//!   else 400); no name filter. `list_spaces`: `name` a case-insensitive
//!   substring, `org_id` accepted (the fake has one organization).
//!   `list_projects`: `space_id` (an unknown space → 404), `space_name`
//!   and `name` case-insensitive substrings, all combined. The statuses the
//!   spec documents but the fake's rules never produce (403 on the lists,
//!   `get_space`, `get_project`; 429) come from [`Fault`]s. See [`Seed`]
//!   for the seeded records and their names, [`FakeServer::directory`] to
//!   read them.
//! - Unknown routes → 404 problem; a wrong method → 405 problem with
//!   `Allow`.
//!
//! # Faults
//!
//! See [`Fault`], [`FaultRule`] and [`Faults`]. A fault that fires does not
//! apply the operation, except [`Fault::CloseAfterApply`].
//!
//! # Observability
//!
//! [`FakeServer::requests`] returns a [`RequestRecord`] per request (raw
//! and decoded path, raw query, headers with the key redacted, body,
//! status, fault, delivery) for the last [`DEFAULT_REQUEST_LOG`] requests
//! (a ring; [`FakeServerBuilder::request_log`] sets the size,
//! [`FakeServer::clear_requests`] empties it, [`FakeServer::total_requests`]
//! counts every request); [`FakeServer::peak_in_flight`] the highest
//! number of requests handled at once.
//!
//! # Limits
//!
//! So that a long-running server (the binary in someone's test setup)
//! stays flat in memory and cannot be held open by slow or idle clients:
//!
//! - the key is checked **before** the body is read: a request without it
//!   is answered without reading its body;
//! - the request log is a ring of the last [`DEFAULT_REQUEST_LOG`]
//!   requests, each keeping at most [`DEFAULT_LOGGED_BODY`] bytes of body;
//!   bodies over 1 MiB are refused (400);
//! - a connection waiting for a request is closed after
//!   [`DEFAULT_IDLE_TIMEOUT`] without one; a request head must be complete
//!   [`DEFAULT_HEADER_READ_TIMEOUT`] after its first byte (else the
//!   connection is closed), a body within [`DEFAULT_BODY_TIMEOUT`] (else
//!   408 and the connection is closed);
//! - at most [`DEFAULT_MAX_CONNECTIONS`] connections are served at once;
//!   more wait in the listen backlog.
//!
//! Each is settable on the [`FakeServerBuilder`] and as a flag of the
//! binary.
#![deny(missing_docs)]

mod directory;
mod fault;
mod ids;
mod limits;
mod log;
mod operation;
mod problem;
mod seed;
mod server;
mod store;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use arize_api::types::{
    CreateRoleBindingRequest, Id, Project, Role, RoleBinding, RoleBindingResourceType, Space, User,
};
use chrono::{DateTime, Utc};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use directory::Directory;
pub use fault::{Fault, FaultRule, Faults, ParseError, RetryAfter, Schedule};
pub use ids::{decode_global_id, encode_global_id};
pub use limits::{
    DEFAULT_BODY_TIMEOUT, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
};
pub use log::{DEFAULT_LOGGED_BODY, DEFAULT_REQUEST_LOG, Delivery, RequestRecord};
pub use operation::Operation;
pub use problem::{PROBLEM_JSON, Rejection};
pub use seed::{Seed, SeedBinding, SeedError, SeedProject, SeedRole, SeedSpace, SeedUser};

use limits::ConnectionLimits;
use log::LogLimits;
use server::Shared;
use store::{Clock, Store};

/// The API key the fake accepts unless told otherwise.
pub const DEFAULT_API_KEY: &str = "fake-api-key";

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The seed is inconsistent.
    #[error(transparent)]
    Seed(#[from] SeedError),
    /// The listening socket could not be opened.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for (0 = any).
        port: u16,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// Configures and starts a [`FakeServer`].
pub struct FakeServerBuilder {
    api_key: String,
    seed: Seed,
    port: u16,
    clock: Option<Clock>,
    max_cursors: usize,
    rules: Vec<FaultRule>,
    latency: Vec<(Option<Operation>, std::time::Duration)>,
    log: LogLimits,
    limits: ConnectionLimits,
}

impl std::fmt::Debug for FakeServerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeServerBuilder")
            .field("api_key", &"<redacted>")
            .field("seed", &self.seed)
            .field("port", &self.port)
            .field("max_cursors", &self.max_cursors)
            .field("rules", &self.rules)
            .field("latency", &self.latency)
            .field("log", &self.log)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl Default for FakeServerBuilder {
    fn default() -> Self {
        Self {
            api_key: DEFAULT_API_KEY.to_owned(),
            seed: Seed::default(),
            port: 0,
            clock: None,
            max_cursors: store::DEFAULT_MAX_CURSORS,
            rules: Vec::new(),
            latency: Vec::new(),
            log: LogLimits::default(),
            limits: ConnectionLimits::default(),
        }
    }
}

impl FakeServerBuilder {
    /// The bearer key the server accepts (default [`DEFAULT_API_KEY`]).
    #[must_use]
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = key.into();
        self
    }
    /// The initial content (default [`Seed::default`]).
    #[must_use]
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }
    /// The port on 127.0.0.1 (default 0: an ephemeral port).
    #[must_use]
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }
    /// The clock for `created_at`/`updated_at` (default: now, to the
    /// millisecond).
    #[must_use]
    pub fn clock(mut self, clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }
    /// How many cursors the server remembers; older ones are forgotten and
    /// then answer 400 (default 100 000).
    #[must_use]
    pub fn max_cursors(mut self, n: usize) -> Self {
        self.max_cursors = n;
        self
    }
    /// A fault rule active from the start (see [`Faults::inject`]).
    #[must_use]
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.rules.push(rule);
        self
    }
    /// Latency from the start (see [`Faults::set_latency`]).
    #[must_use]
    pub fn latency(mut self, operation: Option<Operation>, delay: std::time::Duration) -> Self {
        self.latency.push((operation, delay));
        self
    }

    /// How many requests the log keeps: the last `n` (default
    /// [`DEFAULT_REQUEST_LOG`]); older ones are dropped, so a long-running
    /// server's memory stays flat. 0 keeps none ([`FakeServer::total_requests`]
    /// still counts them).
    #[must_use]
    pub fn request_log(mut self, n: usize) -> Self {
        self.log.capacity = n;
        self
    }
    /// How many bytes of each request body the log keeps (default
    /// [`DEFAULT_LOGGED_BODY`]); [`RequestRecord::body_len`] has the full
    /// length.
    #[must_use]
    pub fn logged_body_limit(mut self, bytes: usize) -> Self {
        self.log.max_body = bytes;
        self
    }
    /// How long a client has to send a complete request head, from its
    /// first byte (default [`DEFAULT_HEADER_READ_TIMEOUT`]); then the
    /// connection is closed.
    #[must_use]
    pub fn header_read_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.limits.header_read_timeout = timeout;
        self
    }
    /// How long a request body may take to arrive in full (default
    /// [`DEFAULT_BODY_TIMEOUT`]); then the answer is a 408 problem and the
    /// connection is closed.
    #[must_use]
    pub fn body_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.limits.body_timeout = timeout;
        self
    }
    /// How long a connection may wait for a request — after it is
    /// accepted, or after its previous response — before it is closed
    /// (default [`DEFAULT_IDLE_TIMEOUT`]). Once a request's first byte
    /// arrives, [`header_read_timeout`](Self::header_read_timeout) applies.
    #[must_use]
    pub fn idle_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.limits.idle_timeout = timeout;
        self
    }
    /// How many connections are served at once (default
    /// [`DEFAULT_MAX_CONNECTIONS`], at least 1). Further connections wait,
    /// unaccepted, in the listen backlog until one closes.
    #[must_use]
    pub fn max_connections(mut self, n: usize) -> Self {
        self.limits.max_connections = n;
        self
    }

    /// Seeds the store, binds 127.0.0.1 and starts serving on the current
    /// tokio runtime.
    ///
    /// # Errors
    ///
    /// [`StartError::Seed`] for an inconsistent seed, [`StartError::Bind`]
    /// when the port cannot be bound.
    pub async fn start(self) -> Result<FakeServer, StartError> {
        let clock = self.clock.unwrap_or_else(store::system_clock);
        let store = Store::new(&self.seed, clock, self.max_cursors)?;
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .map_err(|source| StartError::Bind {
                port: self.port,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            port: self.port,
            source,
        })?;
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            faults: Faults::default(),
            log: log::RequestLog::new(self.log),
            api_key: self.api_key,
            limits: self.limits,
            connections: Arc::default(),
        });
        for rule in self.rules {
            shared.faults.inject(rule);
        }
        for (operation, delay) in self.latency {
            shared.faults.set_latency(operation, delay);
        }
        let (shutdown_tx, shutdown_rx) = oneshot::channel();
        let task = tokio::spawn(server::accept_loop(
            listener,
            Arc::clone(&shared),
            shutdown_rx,
        ));
        Ok(FakeServer {
            addr,
            base_url: format!("http://{addr}"),
            shared,
            shutdown: Some(shutdown_tx),
            task: Some(task),
        })
    }
}

/// A running fake server on 127.0.0.1. Stops on [`FakeServer::shutdown`]
/// or when dropped.
pub struct FakeServer {
    addr: SocketAddr,
    base_url: String,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for FakeServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeServer")
            .field("base_url", &self.base_url)
            .field("shared", &self.shared)
            .finish_non_exhaustive()
    }
}

impl FakeServer {
    /// A builder with the defaults: key [`DEFAULT_API_KEY`],
    /// [`Seed::default`], an ephemeral port.
    #[must_use]
    pub fn builder() -> FakeServerBuilder {
        FakeServerBuilder::default()
    }

    /// Starts a server with the defaults.
    ///
    /// # Errors
    ///
    /// See [`FakeServerBuilder::start`].
    pub async fn start() -> Result<Self, StartError> {
        Self::builder().start().await
    }

    /// `http://127.0.0.1:<port>` — the base URL for a client (paths start
    /// with `/v2`).
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The listening address.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bearer key the server accepts.
    #[must_use]
    pub fn api_key(&self) -> &str {
        &self.shared.api_key
    }

    /// Global IDs of the users, in seeding order (the records:
    /// [`FakeServer::directory`]).
    #[must_use]
    pub fn users(&self) -> Vec<String> {
        self.shared.store().users()
    }
    /// Global IDs of the roles: the custom ones in seeding order, then the
    /// predefined ones.
    #[must_use]
    pub fn roles(&self) -> Vec<String> {
        self.shared.store().roles()
    }
    /// Global IDs of the spaces (`SPACE` resources).
    #[must_use]
    pub fn spaces(&self) -> Vec<String> {
        self.shared.store().spaces()
    }
    /// Global IDs of the projects (`PROJECT` resources).
    #[must_use]
    pub fn projects(&self) -> Vec<String> {
        self.shared.store().projects()
    }
    /// Global IDs of the models (`Model:` IDs, also `PROJECT` resources).
    #[must_use]
    pub fn models(&self) -> Vec<String> {
        self.shared.store().models()
    }
    /// A snapshot of the directory: every user, role, space and project
    /// as the API serves it, in seeding order, with lookups by e-mail and
    /// name.
    #[must_use]
    pub fn directory(&self) -> Directory {
        let store = self.shared.store();
        Directory {
            users: store.user_records(),
            roles: store.role_records(),
            spaces: store.space_records(),
            projects: store.project_records(),
        }
    }
    /// One user by ID.
    #[must_use]
    pub fn user(&self, id: &str) -> Option<User> {
        self.shared.store().get_user(id).ok()
    }
    /// One role by ID.
    #[must_use]
    pub fn role(&self, id: &str) -> Option<Role> {
        self.shared.store().get_role(id).ok()
    }
    /// One space by ID.
    #[must_use]
    pub fn space(&self, id: &str) -> Option<Space> {
        self.shared.store().get_space(id).ok()
    }
    /// One project by ID.
    #[must_use]
    pub fn project(&self, id: &str) -> Option<Project> {
        self.shared.store().get_project(id).ok()
    }
    /// A snapshot of every binding, in creation order.
    #[must_use]
    pub fn bindings(&self) -> Vec<RoleBinding> {
        self.shared.store().bindings()
    }
    /// One binding by ID.
    #[must_use]
    pub fn binding(&self, id: &str) -> Option<RoleBinding> {
        self.shared.store().binding(id)
    }
    /// How many cursors the server currently remembers.
    #[must_use]
    pub fn cursor_count(&self) -> usize {
        self.shared.store().cursor_count()
    }

    /// Adds a generated user ("User n", `usern@example.com`) and returns
    /// its ID.
    pub fn add_user(&self) -> String {
        self.shared.store().add_user()
    }
    /// Adds a generated custom role and returns its ID.
    pub fn add_role(&self) -> String {
        self.shared.store().add_role()
    }
    /// Adds a generated space (`space-n`) and returns its ID.
    pub fn add_space(&self) -> String {
        self.shared.store().add_space()
    }
    /// Adds a generated project (`project-n`, in the spaces in turn) and
    /// returns its ID.
    pub fn add_project(&self) -> String {
        self.shared.store().add_project()
    }
    /// Adds a user as described (what `user` leaves out is generated) and
    /// returns it, with the same rules as a seed.
    ///
    /// # Errors
    ///
    /// 409 when its ID or e-mail address (ignoring case) is taken, 400 for
    /// an empty ID or e-mail.
    pub fn insert_user(&self, user: impl Into<SeedUser>) -> Result<User, Rejection> {
        self.shared.store().insert_user(&user.into())
    }
    /// Adds a custom role as described and returns it.
    ///
    /// # Errors
    ///
    /// 409 when its ID or name is taken, 400 for an empty ID or name.
    pub fn insert_role(&self, role: impl Into<SeedRole>) -> Result<Role, Rejection> {
        self.shared.store().insert_role(&role.into())
    }
    /// Adds a space as described and returns it.
    ///
    /// # Errors
    ///
    /// 409 when its ID or name is taken, 400 for an empty ID or name.
    pub fn insert_space(&self, space: impl Into<SeedSpace>) -> Result<Space, Rejection> {
        self.shared.store().insert_space(&space.into())
    }
    /// Adds a project as described and returns it.
    ///
    /// # Errors
    ///
    /// 404 when its space (by ID or name) does not exist, 409 when its ID
    /// or its name within the space is taken, 400 for an empty ID or name.
    pub fn insert_project(&self, project: impl Into<SeedProject>) -> Result<Project, Rejection> {
        self.shared.store().insert_project(&project.into())
    }
    /// Adds a model and returns its ID.
    pub fn add_model(&self) -> String {
        self.shared.store().add_model()
    }

    /// Creates a binding directly (no HTTP, no faults), with the same rules
    /// as `POST /v2/role-bindings`.
    ///
    /// # Errors
    ///
    /// The [`Rejection`] the API would answer with (403, 404, 409, 422,
    /// 400).
    pub fn create_binding(
        &self,
        user_id: &str,
        role_id: &str,
        resource_type: RoleBindingResourceType,
        resource_id: &str,
    ) -> Result<RoleBinding, Rejection> {
        self.shared.store().create(&CreateRoleBindingRequest {
            resource_id: Id(resource_id.to_owned()),
            resource_type,
            role_id: Id(role_id.to_owned()),
            user_id: Id(user_id.to_owned()),
        })
    }

    /// Deletes a binding directly; returns it, or `None` if unknown.
    pub fn delete_binding(&self, id: &str) -> Option<RoleBinding> {
        self.shared.store().delete(id).ok()
    }

    /// Fault and latency injection.
    #[must_use]
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// The requests in the log, oldest first: every request since start
    /// (or the last [`FakeServer::clear_requests`]), at most the last
    /// [`FakeServerBuilder::request_log`] (default [`DEFAULT_REQUEST_LOG`]).
    #[must_use]
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.log.snapshot()
    }
    /// How many requests the log holds now (`requests().len()` without the
    /// copy).
    #[must_use]
    pub fn request_log_len(&self) -> usize {
        self.shared.log.len()
    }
    /// How many requests arrived since start, also those the log has
    /// dropped or [`FakeServer::clear_requests`] cleared.
    #[must_use]
    pub fn total_requests(&self) -> usize {
        self.shared.log.total()
    }
    /// Requests in the log that matched `operation`.
    #[must_use]
    pub fn requests_for(&self, operation: Operation) -> Vec<RequestRecord> {
        self.requests()
            .into_iter()
            .filter(|r| r.operation == Some(operation))
            .collect()
    }
    /// How many requests in the log matched `operation`.
    #[must_use]
    pub fn request_count(&self, operation: Operation) -> usize {
        self.requests_for(operation).len()
    }
    /// Empties the request log.
    pub fn clear_requests(&self) {
        self.shared.log.clear();
    }
    /// Requests being handled right now.
    #[must_use]
    pub fn in_flight(&self) -> usize {
        self.shared.log.in_flight()
    }
    /// The most requests handled at the same time since start or the last
    /// [`FakeServer::reset_peak_in_flight`]. A request counts from arrival
    /// (including injected latency) until its answer is handed over.
    #[must_use]
    pub fn peak_in_flight(&self) -> usize {
        self.shared.log.peak()
    }
    /// Connections open right now (at most
    /// [`FakeServerBuilder::max_connections`]).
    #[must_use]
    pub fn open_connections(&self) -> usize {
        self.shared.connections.open()
    }
    /// The most connections open at the same time since start.
    #[must_use]
    pub fn peak_connections(&self) -> usize {
        self.shared.connections.peak()
    }
    /// Resets the peak to the current in-flight count.
    pub fn reset_peak_in_flight(&self) {
        self.shared.log.reset_peak();
    }

    /// Stops accepting, closes every connection and waits for the server
    /// task to end.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
