//! Low-level client for Arize's REST API v2: the role-binding operations and
//! the directory reads (users, roles, spaces, projects).
//!
//! Everything in this crate is generated at build time by
//! [progenitor](https://github.com/oxidecomputer/progenitor) from
//! `openapi/openapi.json` (see `build.rs` and the `arize-codegen` crate). The
//! one piece of hand-written logic is an optional cap on response bodies
//! that also records the last response's status
//! ([`with_response_body_limit`]). Most users want the idiomatic facade,
//! `arize-role-bindings`, which adds typed IDs, errors, retries and
//! pagination streams on top of this client.
//!
//! Error bodies are typed: every 4xx answer decodes into
//! [`types::Problem`] (RFC 9457), although Arize serves them as
//! `application/problem+json`; see `arize-codegen` for the normalisation
//! that makes this possible.
//!
//! A reviewable snapshot of the generated code is committed under
//! `arize-api/generated/` and checked by `cargo xtask codegen --check`.
//!
//! # Features
//!
//! - `mock`: typed [httpmock](https://docs.rs/httpmock) helpers for every
//!   operation, in [`mock`], plus the hand-written `mock::RetryAfterExt`
//!   (a 429 with `Retry-After`).
//! - TLS, one of: `rustls-aws-lc-rs` (the default: rustls with aws-lc-rs,
//!   [`Client::new`] works as is), `rustls-ring` (rustls with ring; install
//!   the provider first with
//!   `rustls::crypto::ring::default_provider().install_default()`, or
//!   reqwest panics in `Client::new`), `native-tls` (the platform's TLS;
//!   wins when enabled with a rustls one). `arize-role-bindings` picks one
//!   for you.
//!
// `mock` exists only with the `mock` feature; without it the link goes
// to docs.rs, so `cargo doc` is clean with and without the feature.
#![cfg_attr(feature = "mock", doc = "[`mock`]: crate::mock")]
#![cfg_attr(
    not(feature = "mock"),
    doc = "[`mock`]: <https://docs.rs/arize-api/latest/arize_api/mock/index.html>"
)]
//!
//! # Runtime
//!
//! Requests run on reqwest, so they need a Tokio 1 runtime with the IO and
//! time drivers (`#[tokio::main]`, or a runtime built with `enable_all()`).
//!
//! ```no_run
//! # async fn demo() -> Result<(), arize_api::Error<arize_api::types::Problem>> {
//! use std::num::NonZeroU64;
//!
//! use arize_api::{types::RoleBindingResourceType, Client};
//!
//! let client = Client::new("https://api.arize.com");
//! let page = client
//!     .list_role_bindings(None, NonZeroU64::new(10), RoleBindingResourceType::Space, None)
//!     .await?;
//! for binding in &page.role_bindings {
//!     println!("{} has {} on {}", *binding.user_id, *binding.role_id, *binding.resource_id);
//! }
//! # Ok(())
//! # }
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

mod generated {
    #![allow(
        missing_docs,
        missing_debug_implementations,
        unused_imports,
        irrefutable_let_patterns,
        clippy::all,
        clippy::pedantic,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        rust_2018_idioms
    )]
    include!(concat!(env!("OUT_DIR"), "/client.rs"));
}

pub use generated::*;
pub use progenitor_client::{ByteStream, Error, ResponseValue};

mod body_limit;
pub use body_limit::{Observed, ResponseTooLarge, with_response_body_limit};

/// Typed httpmock helpers generated from the spec: one `When`/`Then` pair
/// per operation and the [`mock::MockServerExt`] trait.
///
/// ```
/// use arize_api::mock::MockServerExt;
/// use httpmock::MockServer;
///
/// let server = MockServer::start();
/// let mock = server.delete_role_binding(|when, then| {
///     when.binding_id(&arize_api::types::Id("Um9sZUJpbmRpbmc6MTphQmNE".into()));
///     then.no_content();
/// });
/// # let _ = mock;
/// ```
#[cfg(feature = "mock")]
pub mod mock {
    #![allow(
        missing_docs,
        missing_debug_implementations,
        clippy::all,
        clippy::pedantic,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        rust_2018_idioms
    )]
    include!(concat!(env!("OUT_DIR"), "/httpmock.rs"));

    mod retry_after;
    pub use retry_after::RetryAfterExt;
}
