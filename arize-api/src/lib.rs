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
//!   operation, in [`mock`].
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
}
