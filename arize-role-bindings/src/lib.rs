//! Grant, change, audit and revoke access in [Arize](https://arize.com): an
//! idiomatic client for Arize's role-bindings REST API.
//!
//! ```no_run
//! use arize_role_bindings::{
//!     Client, EnsureOutcome, ListQuery, ProjectId, Resource, ResourceType, RoleId, UserId,
//! };
//! use futures::TryStreamExt as _;
//!
//! #[tokio::main]
//! async fn main() -> Result<(), arize_role_bindings::Error> {
//!     // ARIZE_API_KEY (and optionally ARIZE_REGION, ...) from the environment.
//!     let client = Client::from_env()?;
//!
//!     let user: UserId = "VXNlcjo0MjphQmNE".parse()?;
//!     let role: RoleId = "Um9sZToxOmFCY0Q=".parse()?;
//!     let project = Resource::Project("UHJvamVjdDo1OmFCY0Q=".parse::<ProjectId>()?);
//!
//!     // Idempotent: creates the binding, or fixes the role of the existing one.
//!     let ensured = client.ensure(&user, &role, &project).await?;
//!     match &ensured.outcome {
//!         EnsureOutcome::Created => println!("granted"),
//!         EnsureOutcome::Updated { previous_role } => println!("changed from {previous_role}"),
//!         EnsureOutcome::Unchanged => println!("already in place"),
//!     }
//!
//!     // Every binding of this user on projects, across all pages.
//!     let bindings: Vec<_> = client
//!         .list(ListQuery::new(ResourceType::Project).user(user.clone()))
//!         .try_collect()
//!         .await?;
//!     println!("{} project binding(s)", bindings.len());
//!
//!     // And take it away again.
//!     let revoked = client.revoke(&user, &project).await?;
//!     println!("removed: {}", revoked.was_removed());
//!     Ok(())
//! }
//! ```
//!
//! # What it gives you
//!
//! - **Configuration** from Arize's environment variables
//!   ([`Client::from_env`]) or a [`ClientBuilder`]: key, base URL or
//!   [`Region`], connect / attempt / overall timeouts, retry policy, headers,
//!   proxy and TLS. The key is sent as a sensitive `Authorization: Bearer`
//!   header and never appears in `Debug` output, logs or errors.
//! - **Typed IDs** ([`RoleBindingId`], [`RoleId`], [`UserId`], [`SpaceId`],
//!   [`ProjectId`]) and a [`Resource`] that is a space *or* a project, so the
//!   type and ID cannot disagree. An ID that decodes to the wrong type of
//!   Arize global ID (a Space ID given as a project) is rejected before any
//!   request is sent; opaque IDs pass through.
//! - **Operations**: [`create`](Client::create), [`get`](Client::get),
//!   [`update`](Client::update), [`delete`](Client::delete),
//!   [`list_page`](Client::list_page), lazy streams over all pages
//!   ([`list`](Client::list), [`pages`](Client::pages)) with resumable
//!   cursors, optional read-ahead and loop guards, and two conveniences no
//!   Arize SDK offers: [`ensure`](Client::ensure) (idempotent assignment)
//!   and [`revoke`](Client::revoke).
//! - **Names, not IDs**: [`Client::users`], [`roles`](Client::roles),
//!   [`spaces`](Client::spaces) and [`projects`](Client::projects) read the
//!   [`directory`] (get, lazy list streams with the API's filters, lookups
//!   by e-mail and name with [`LookupError`]s that name the closest
//!   matches), and `create`, `ensure`, `revoke` and bulk runs take a user,
//!   role or resource by name as well as by ID ([`UserRef`], [`RoleRef`],
//!   [`ResourceRef`]; see [`refs`]). A [`Directory`] loads the four lists
//!   once and resolves any number of names from memory.
//! - **Bulk work**: [`ensure_all`](Client::ensure_all) /
//!   [`revoke_all`](Client::revoke_all) (or [`bulk`](Client::bulk) to set
//!   the bound) run many of them with at most 16 in flight and stream each
//!   item's result as it completes; see [`bulk`].
//! - **Access as code** ([`access`]): a desired-state file (YAML, JSON,
//!   TOML) with a scope and a mode, [`plan`](access::plan) /
//!   [`apply`](access::apply()) like `terraform plan`/`apply`, drift checks
//!   and [`export`](access::export()).
//! - **One error type**, [`Error`], split by where a failure happened, with
//!   the API's RFC 9457 [`Problem`] and accessors such as
//!   [`Error::status`], [`Error::is_conflict`], [`Error::retry_after`].
//!
//! # Retries
//!
//! Each call makes at most [`RetryPolicy`]'s `max_attempts` attempts
//! (default 3 **in total**: one try and up to two retries; `1` means no
//! retries), all within the call's deadline. The decision is the pure
//! function [`retry::decide`]:
//!
//! - **429** and **503** are retried for every operation, after the
//!   server's `Retry-After` (capped at `max_retry_after`, default 30 s) or
//!   the backoff;
//! - **502** and **504**, an **attempt timeout** and a **connection lost
//!   after sending** are retried for get, list, update and delete — but not
//!   for create, which may have been applied (a retried create that did
//!   succeed would come back as 409);
//! - a **failure to connect** is retried for every operation: nothing was
//!   sent;
//! - nothing else is retried (400, 401, 403, 404, 409, 422, 500, bad
//!   bodies);
//! - a **delete** retried after an attempt that may have deleted the binding
//!   and answered with 404 counts as done;
//! - waits use exponential backoff with full jitter (1 s initial, doubled,
//!   capped at 20 s); a wait that would pass the deadline is not made and
//!   the last error is returned.
//!
//! A 429 with `Retry-After` also **pauses every call of the client** (and
//! of its clones: they share one pause), not only the one that got it: each
//! call waits once for what is left of the (capped) delay before its next
//! attempt, so concurrent work — a [`bulk`] run, parallel tasks — backs off
//! together instead of each call running into the rate limit. A call whose
//! deadline falls inside the pause fails at once with [`Error::Deadline`],
//! without sending.
//!
//! [`Client::ensure`] is the safe way to make an assignment idempotent: it
//! copes with 409s and with creates that may or may not have been applied.
//!
//! # Observability
//!
//! Every call runs in a `tracing` span `arize_role_bindings.call` with the
//! fields `operation`, `attempt`, `status` and `elapsed_ms`; attempts and
//! retries are `debug` events. Nothing is printed. The role-binding
//! endpoints are pre-release (beta): as Arize's SDKs do, the client logs one
//! `warn` event per operation per process on first use; switch it off with
//! [`ClientBuilder::beta_warning`]`(`[`BetaWarning::Off`]`)`.
//!
//! # Runtime
//!
//! The client needs a **Tokio 1 runtime with the IO and time drivers**:
//! `#[tokio::main]`, `#[tokio::test]`, or a runtime built with
//! `enable_all()` — a `current_thread` runtime works as well as the
//! multi-thread one. A call made outside any Tokio runtime (for example
//! under `futures::executor::block_on`) returns [`Error::NoRuntime`] without
//! sending anything; inside a runtime built without `enable_time` or
//! `enable_io`, Tokio panics with a message naming the missing call.
//!
//! Making many sequential calls? Run them on a `current_thread` runtime
//! (`#[tokio::main(flavor = "current_thread")]`) or inside
//! `tokio::spawn(..)`: directly in the `block_on` of the default
//! multi-thread runtime, each call hands its I/O across threads and costs
//! about twice the CPU (see the README's Performance section). Concurrent
//! work ([`bulk`], many tasks) is where the multi-thread runtime pays.
//!
//! # Features
//!
//! | feature | what it does |
//! |---|---|
//! | `rustls-ring` (default) | TLS by rustls with the ring provider: the fastest cold build. Installs ring as rustls' process-wide default provider if none is installed. |
//! | `rustls-aws-lc-rs` | TLS by rustls with aws-lc-rs (its C library makes a cold build take about 1.5× the CPU time of the default). |
//! | `native-tls` | TLS by the platform's library (OpenSSL on Linux, which needs `libssl-dev` to build). Wins over the rustls features. |
//! | `test-util` | [`test_util`]: a recording [`Sleeper`] and the fake server, for your tests. |
//!
//! At least one TLS feature is needed; with `default-features = false`,
//! name one. With `rustls-ring`, reqwest is compiled without a built-in
//! crypto provider: a `reqwest::Client` you build yourself before any
//! client of this crate (e.g. for [`ClientBuilder::reqwest_client`]) needs
//! [`install_crypto_provider()`] first, or reqwest panics saying a provider
//! must be installed (unless something else in your program enables
//! reqwest's own `rustls` feature).
//!
//! # Testing your code
//!
//! [`RoleBinding::new`] (and [`Ensured::new`]) build values for unit
//! tests; [`Grant`], [`Revocation`], [`RoleBinding`], [`Ensured`] and
//! [`Revoked`] serialise both ways (a desired-state file is a
//! `Vec<Grant>`), and a [`BulkItem`] serialises as a report line. With the
//! `test-util` feature, [`test_util`] runs your code against the fake
//! server without real waits.
//!
// `test_util` exists only with the `test-util` feature; without it the link goes
// to docs.rs, so `cargo doc` is clean with and without the feature.
#![cfg_attr(feature = "test-util", doc = "[`test_util`]: crate::test_util")]
#![cfg_attr(
    not(feature = "test-util"),
    doc = "[`test_util`]: <https://docs.rs/arize-role-bindings/latest/arize_role_bindings/test_util/index.html>"
)]
//!
//! # The generated client
//!
//! [`Client::api`] returns the underlying [`arize_api::Client`], generated
//! from the OpenAPI document, for anything this crate does not wrap; the
//! generated crate is re-exported as [`api`].

#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![warn(rustdoc::broken_intra_doc_links)]

pub mod access;
pub mod bulk;
mod client;
pub mod config;
pub mod directory;
mod error;
mod exec;
pub mod ids;
mod limits;
mod ops;
pub mod pagination;
mod records;
pub mod refs;
pub mod retry;
#[cfg(feature = "test-util")]
pub mod test_util;
mod tls;
mod types;

pub use arize_api as api;
pub use http::StatusCode;

pub use bulk::{Bulk, BulkItem, BulkResults, Grant, Revocation};
pub use client::{Client, MAX_LOOKUP_PAGES};
pub use config::{BetaWarning, ClientBuilder, ParseRegionError, Region};
pub use directory::{Directory, LookupError};
pub use error::{ConfigError, Error, PaginationError, Problem, TransportPhase, ValidationError};
pub use ids::{OrganizationId, ProjectId, RoleBindingId, RoleId, SpaceId, UserId};
pub use pagination::{Bindings, Pages};
pub use refs::{ResourceRef, RoleRef, SpaceRef, UserRef};
pub use retry::{Clock, Jitter, RetryPolicy, Sleeper, TokioClock, TokioSleeper};
pub use tls::install_crypto_provider;
pub use types::{
    Cursor, DEFAULT_MAX_EMPTY_PAGES, EnsureOutcome, Ensured, ListQuery, Page,
    ParseResourceTypeError, ReadAhead, Resource, ResourceType, Revoked, RoleBinding,
};
