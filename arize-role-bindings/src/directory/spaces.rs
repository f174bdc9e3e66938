//! `client.spaces()`: get, list and find spaces by name.

use std::num::NonZeroU64;
use std::sync::Arc;

use super::lookup::Kind;
use super::{DirectoryPage, LOOKUP_PAGE_SIZE, Space};
use crate::error::{Error, ValidationError};
use crate::exec::Executor;
use crate::ids::{OrganizationId, SpaceId};
use crate::ops::Operation;
use crate::pagination::{self, ItemStream, ListRequest, PageStream};
use crate::types::{Cursor, StreamOptions, check_limit, stream_options};

/// The stream of [`Spaces::list`].
pub type SpaceStream = ItemStream<DirectoryPage<Space>>;
/// The page stream of [`Spaces::pages`].
pub type SpacePages = PageStream<DirectoryPage<Space>>;

/// What to list: spaces, optionally by name (a case-insensitive
/// substring: `prod` matches `production`) and organization.
///
/// ```
/// use arize_role_bindings::directory::SpaceQuery;
///
/// let query = SpaceQuery::new().name("prod").limit(100);
/// # let _ = query;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpaceQuery {
    pub(crate) request: ListSpaces,
    pub(crate) stream: StreamOptions,
}

impl SpaceQuery {
    /// Every space the key can see.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only spaces whose name contains this, ignoring case.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.request.name = Some(name.into());
        self
    }

    /// Only spaces of this organization.
    #[must_use]
    pub fn org(mut self, org: OrganizationId) -> Self {
        self.request.org = Some(org);
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
    /// [`ValidationError::LimitOutOfRange`], [`ValidationError::EmptyCursor`]
    /// or an ID error for the organization.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_limit(self.request.limit)?;
        self.stream.validate()?;
        pagination::ListRequest::validate(&self.request)
    }
}

/// The spaces the key can see: [`Client::spaces`](crate::Client::spaces).
#[derive(Clone, Debug)]
pub struct Spaces {
    pub(crate) exec: Arc<Executor>,
}

impl crate::Client {
    /// The spaces the key can see: get, list, find by name.
    pub fn spaces(&self) -> Spaces {
        Spaces {
            exec: self.exec.clone(),
        }
    }
}

super::reads!(
    Spaces,
    send_get,
    SpaceId,
    Space,
    SpaceQuery,
    SpaceStream,
    SpacePages,
    "space",
    "spaces",
    "[`Error::Api`] with 404 (no such space) or 403; [`Error::Validation`] for an ID of another type; transport, timeout and decode errors."
);

impl Spaces {
    /// The space named exactly `name` (case included): the server's
    /// substring filter, then an exact comparison. When none matches, one
    /// more listing of every space finds the near names for the error.
    ///
    /// # Errors
    ///
    /// [`Error::Lookup`] with [`LookupError::NotFound`](super::LookupError::NotFound) (with the closest
    /// space names) or [`LookupError::Ambiguous`](super::LookupError::Ambiguous) (two organizations each
    /// with a space of that name); as [`list`](Self::list) otherwise.
    pub async fn by_name(&self, name: &str) -> Result<Space, Error> {
        let query = SpaceQuery::new().name(name).limit(LOOKUP_PAGE_SIZE);
        let matches = super::lookup(&self.exec, query.request, |_| false).await?;
        if matches.iter().any(|s| s.name == name) {
            return pick_by_name(name, &matches).cloned();
        }
        let every = SpaceQuery::new().limit(LOOKUP_PAGE_SIZE);
        let all = super::lookup(&self.exec, every.request, |_| false).await?;
        pick_by_name(name, &all).cloned()
    }
}

/// The one space of `spaces` named `name`.
pub(crate) fn pick_by_name<'a>(name: &str, spaces: &'a [Space]) -> Result<&'a Space, Error> {
    super::pick_one(
        Kind::Space,
        name,
        spaces,
        |s| &s.name,
        |s| s.name == name,
        |_| None,
    )
}

// The wire: the two operations behind the handle, declared next to it,
// and how each is sent.

pub(crate) static LIST_SPACES: Operation = Operation::declare("list_spaces", true);
pub(crate) static GET_SPACE: Operation = Operation::declare("get_space", true);

/// The request of `list_spaces` without its cursor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ListSpaces {
    pub(crate) name: Option<String>,
    pub(crate) org: Option<OrganizationId>,
    pub(crate) limit: Option<u32>,
}

impl ListRequest for ListSpaces {
    type Page = DirectoryPage<Space>;

    fn validate(&self) -> Result<(), ValidationError> {
        check_limit(self.limit)?;
        if let Some(org) = &self.org {
            org.validate()?;
        }
        Ok(())
    }

    async fn send(
        &self,
        exec: &Executor,
        cursor: Option<&Cursor>,
        until: Option<tokio::time::Instant>,
    ) -> Result<Self::Page, Error> {
        let limit = self.limit.and_then(|l| NonZeroU64::new(u64::from(l)));
        let (api, cursor) = (&exec.api, cursor.map(Cursor::as_str));
        let (name, org) = (
            self.name.as_deref(),
            self.org.as_ref().map(OrganizationId::as_wire),
        );
        exec.call_until(&LIST_SPACES, until, move || {
            api.list_spaces(cursor, limit, name, org)
        })
        .await
        .map(|page| DirectoryPage::from_wire(page.spaces, page.pagination))
    }
}

async fn send_get(exec: &Executor, id: &SpaceId) -> Result<Space, Error> {
    id.validate()?;
    let (api, id) = (&exec.api, id.as_wire());
    exec.call(&GET_SPACE, move || api.get_space(id))
        .await
        .map(Space::from)
}
