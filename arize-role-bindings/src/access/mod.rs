//! Access as code: keep who-has-what in a reviewed file, see what would
//! change, apply it, detect drift, and export today's access.
//!
//! - [`DesiredState`]: grants (user, role, space or project — each by ID,
//!   or by name/e-mail), a [`Scope`] (which spaces and projects the file
//!   manages, and whether it manages every user there or only those it
//!   lists) and a [`Mode`] (additive: never revokes; authoritative: revokes
//!   what the file does not list, inside the scope). Read from YAML, JSON
//!   or TOML; every problem of a file is reported at once, each with its
//!   file, line and field ([`FileError`]).
//! - [`plan`]: resolves names through a [`Resolver`] (one load, each kind
//!   in one pass), reads the scope's bindings (all pages, spaces and
//!   projects concurrently, one page read ahead) and returns a [`Plan`]:
//!   creates, role changes, revocations and what is unchanged, with IDs and
//!   the names known. It costs the listing pages, nothing per grant. A plan
//!   is serde (save it, review it, apply it later) and prints like
//!   `terraform plan`; [`Plan::in_sync`] is the drift check for CI.
//! - [`apply()`]: runs a plan, one request per change, with bounded
//!   concurrency and the client's shared back-pressure, streaming each
//!   change's [`Outcome`] as it completes. A change whose binding moved
//!   since the plan is re-checked, and either done safely or reported
//!   [`Outcome::Drifted`] — never forced ([`Recheck`]).
//! - [`export()`]: every binding of a scope (default: the account) joined
//!   with the directory, written as CSV, NDJSON or JSON as it streams, or
//!   collected into a desired state that reproduces today's access exactly.
//!
//! Names need a directory to be looked up in. The [`Client`](crate::Client)
//! is a [`Resolver`]: it lists the directory's kinds a plan or export asks
//! for, each in one pass (all pages, read-ahead, the kinds concurrently),
//! so a plan costs the bindings' pages + the directory's pages. A loaded
//! [`Directory`](crate::directory::Directory) is a resolver without
//! requests. [`IdsOnly`] resolves IDs only (a name is then reported as
//! needing the directory); a [`Catalog`] (what any [`Resolver`] loads)
//! resolves names by Arize's rules.
//!
//! ```no_run
//! use arize_role_bindings::Client;
//! use arize_role_bindings::access::{self, DesiredState};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::from_env()?;
//! let state = DesiredState::from_path("access.yaml")?; // e-mails and names
//!
//! // Names resolve through the directory: the client is the resolver.
//! let plan = access::plan(&client, &state, &client).await?;
//! println!("{plan}"); // + create, ~ change, - revoke, then a summary line
//!
//! let summary = access::apply(&client, &plan).concurrency(32).start().await?.summarize().await;
//! println!("{summary}");
//!
//! // Converged: a new plan of the same file is empty.
//! assert!(access::plan(&client, &state, &client).await?.in_sync());
//! # Ok(()) }
//! ```

mod apply;
mod export;
mod file;
mod locate;
mod plan;
mod resolve;

pub use apply::{
    Applied, Apply, ApplyResults, ApplySummary, DEFAULT_CONCURRENCY, Drift, Outcome, Recheck, apply,
};
pub use export::{Export, ExportError, ExportRow, ExportScope, export};
pub use file::{
    DesiredState, Diagnostic, DiagnosticKind, FileError, Format, GrantSpec, Mode, ProjectRef,
    Scope, UsersScope,
};
pub use locate::Position;
pub use plan::{
    Change, Create, Existing, NamedResource, PLAN_VERSION, Plan, PlanError, PlanScope, RoleChange,
    plan, plan_with_progress,
};
pub use resolve::{
    Catalog, IdsOnly, Kinds, LoadFuture, Named, ProjectEntry, Resolver, RoleEntry, SpaceEntry,
    Unresolved, UserEntry,
};
