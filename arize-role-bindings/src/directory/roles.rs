//! `client.roles()`: get, list and find roles by name.

use std::num::NonZeroU64;
use std::sync::Arc;

use super::lookup::{Kind, LookupError};
use super::{DirectoryPage, LOOKUP_PAGE_SIZE, Role, RoleKind};
use crate::error::{Error, ValidationError};
use crate::exec::Executor;
use crate::ids::RoleId;
use crate::ops::Operation;
use crate::pagination::{self, ItemStream, ListRequest, PageStream};
use crate::types::{Cursor, StreamOptions, check_limit, stream_options};

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

impl crate::Client {
    /// The account's roles: get, list, find by name.
    pub fn roles(&self) -> Roles {
        Roles {
            exec: self.exec.clone(),
        }
    }
}

super::reads!(
    Roles,
    send_get,
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

// The wire: the two operations behind the handle, declared next to it,
// and how each is sent.

pub(crate) static LIST_ROLES: Operation = Operation::declare("list_roles", true);
pub(crate) static GET_ROLE: Operation = Operation::declare("get_role", true);

/// The request of `list_roles` without its cursor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ListRoles {
    pub(crate) kind: Option<RoleKind>,
    pub(crate) limit: Option<u32>,
}

impl ListRequest for ListRoles {
    type Page = DirectoryPage<Role>;

    fn validate(&self) -> Result<(), ValidationError> {
        check_limit(self.limit)
    }

    async fn send(
        &self,
        exec: &Executor,
        cursor: Option<&Cursor>,
        until: Option<tokio::time::Instant>,
    ) -> Result<Self::Page, Error> {
        let is_predefined = self.kind.map(|k| k == RoleKind::Predefined);
        let limit = self.limit.and_then(|l| NonZeroU64::new(u64::from(l)));
        let (api, cursor) = (&exec.api, cursor.map(Cursor::as_str));
        exec.call_until(&LIST_ROLES, until, move || {
            api.list_roles(cursor, is_predefined, limit)
        })
        .await
        .map(|page| DirectoryPage::from_wire(page.roles, page.pagination))
    }
}

async fn send_get(exec: &Executor, id: &RoleId) -> Result<Role, Error> {
    id.validate()?;
    let (api, id) = (&exec.api, id.as_wire());
    exec.call(&GET_ROLE, move || api.get_role(id))
        .await
        .map(Role::from)
}
