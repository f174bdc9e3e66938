//! `client.roles()`: get, list and find roles by name.

use std::sync::Arc;

use super::lookup::{Kind, LookupError};
use super::{DirectoryPage, LOOKUP_PAGE_SIZE, Role, RoleKind};
use crate::error::{Error, ValidationError};
use crate::exec::Executor;
use crate::ids::RoleId;
use crate::ops::roles::{self, ListRoles};
use crate::pagination::{self, ItemStream, PageStream};
use crate::types::{StreamOptions, check_limit, stream_options};

/// The stream of [`Roles::list`].
pub type RoleStream = ItemStream<DirectoryPage<Role>>;
/// The page stream of [`Roles::pages`].
pub type RolePages = PageStream<DirectoryPage<Role>>;

/// What to list: roles, optionally only predefined or only custom ones
/// (the API has no name filter).
///
/// ```
/// use arize_role_bindings::directory::{RoleKind, RoleQuery};
///
/// let custom = RoleQuery::new().kind(RoleKind::Custom).limit(100);
/// # let _ = custom;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoleQuery {
    pub(crate) request: ListRoles,
    pub(crate) stream: StreamOptions,
}

impl RoleQuery {
    /// Every role, predefined and custom.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only predefined or only custom roles (`is_predefined`).
    #[must_use]
    pub fn kind(mut self, kind: RoleKind) -> Self {
        self.request.kind = Some(kind);
        self
    }

    /// Page size, `1..=100` (the server's default is 50).
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Self {
        self.request.limit = Some(limit);
        self
    }

    stream_options!();

    /// Checks the query as a request would.
    ///
    /// # Errors
    ///
    /// [`ValidationError::LimitOutOfRange`] or [`ValidationError::EmptyCursor`].
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_limit(self.request.limit)?;
        self.stream.validate()
    }
}

/// The roles of the account: [`Client::roles`](crate::Client::roles).
#[derive(Clone, Debug)]
pub struct Roles {
    pub(crate) exec: Arc<Executor>,
}

super::reads!(
    Roles,
    roles,
    RoleId,
    Role,
    RoleQuery,
    RoleStream,
    RolePages,
    "role",
    "roles",
    "[`Error::Api`] with 404 when there is no such role; [`Error::Validation`] for an ID of another type; transport, timeout and decode errors."
);

impl Roles {
    /// The role with exactly this name (case included), predefined or
    /// custom: pages through `list_roles` (there is no server-side name
    /// filter) and stops at the page that has it.
    ///
    /// # Errors
    ///
    /// [`Error::Lookup`] with [`LookupError::NotFound`] (its `near` are the
    /// closest role names) or [`LookupError::Ambiguous`]; as
    /// [`list`](Self::list) otherwise.
    pub async fn by_name(&self, name: &str) -> Result<Role, Error> {
        self.find(name, RoleQuery::new()).await
    }

    /// As [`by_name`](Self::by_name), among predefined or custom roles only.
    ///
    /// # Errors
    ///
    /// As [`by_name`](Self::by_name).
    pub async fn by_name_of_kind(&self, name: &str, kind: RoleKind) -> Result<Role, Error> {
        self.find(name, RoleQuery::new().kind(kind)).await
    }

    async fn find(&self, name: &str, query: RoleQuery) -> Result<Role, Error> {
        let request = query.limit(LOOKUP_PAGE_SIZE).request;
        let seen = super::lookup(&self.exec, request, |r: &Role| r.name == name).await?;
        if let Some(role) = seen.iter().find(|r| r.name == name) {
            return Ok(role.clone());
        }
        Err(LookupError::not_found(Kind::Role, name, seen.iter().map(|r| r.name.as_str())).into())
    }
}
