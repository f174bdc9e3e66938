//! `client.projects()`: get, list and find projects by name within a space.

use std::num::NonZeroU64;
use std::sync::Arc;

use super::lookup::Kind;
use super::{DirectoryPage, LOOKUP_PAGE_SIZE, Project};
use crate::error::{Error, ValidationError};
use crate::exec::Executor;
use crate::ids::{ProjectId, SpaceId};
use crate::ops::Operation;
use crate::pagination::{self, ItemStream, ListRequest, PageStream};
use crate::refs::SpaceRef;
use crate::types::{Cursor, StreamOptions, check_limit, stream_options};

/// The stream of [`Projects::list`].
pub type ProjectStream = ItemStream<DirectoryPage<Project>>;
/// The page stream of [`Projects::pages`].
pub type ProjectPages = PageStream<DirectoryPage<Project>>;

/// What to list: projects, optionally of one space (by ID, or by a
/// case-insensitive substring of its name) and by a case-insensitive
/// substring of the project's name.
///
/// ```
/// use arize_role_bindings::SpaceId;
/// use arize_role_bindings::directory::ProjectQuery;
///
/// let query = ProjectQuery::new()
///     .space(SpaceId::new("U3BhY2U6MTpWNEth"))
///     .name("churn");
/// # let _ = query;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProjectQuery {
    pub(crate) request: ListProjects,
    pub(crate) stream: StreamOptions,
}

impl ProjectQuery {
    /// Every project the key can see.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only projects of this space (`space_id`).
    #[must_use]
    pub fn space(mut self, space: SpaceId) -> Self {
        self.request.space_id = Some(space);
        self
    }

    /// Only projects of spaces whose name contains this, ignoring case
    /// (`space_name`).
    #[must_use]
    pub fn space_name(mut self, name: impl Into<String>) -> Self {
        self.request.space_name = Some(name.into());
        self
    }

    /// Only projects whose name contains this, ignoring case.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.request.name = Some(name.into());
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
    /// or an ID error for the space.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_limit(self.request.limit)?;
        self.stream.validate()?;
        pagination::ListRequest::validate(&self.request)
    }
}

/// The projects the key can see: [`Client::projects`](crate::Client::projects).
#[derive(Clone, Debug)]
pub struct Projects {
    pub(crate) exec: Arc<Executor>,
}

impl crate::Client {
    /// The projects the key can see: get, list, find by name within a
    /// space.
    pub fn projects(&self) -> Projects {
        Projects {
            exec: self.exec.clone(),
        }
    }
}

super::reads!(
    Projects,
    send_get,
    ProjectId,
    Project,
    ProjectQuery,
    ProjectStream,
    ProjectPages,
    "project",
    "projects",
    "[`Error::Api`] with 404 (no such project) or 403; [`Error::Validation`] for an ID of another type; transport, timeout and decode errors."
);

impl Projects {
    /// The project named exactly `name` (case included) in `space` (a
    /// [`SpaceId`], or a space name resolved first with
    /// [`Spaces::by_name`](super::Spaces::by_name)). When none matches, one
    /// more listing of the space's projects finds the near names.
    ///
    /// # Errors
    ///
    /// [`Error::Lookup`] with [`LookupError::NotFound`](super::LookupError::NotFound) for the project (or
    /// the space); as [`list`](Self::list) otherwise.
    pub async fn by_name(&self, name: &str, space: impl Into<SpaceRef>) -> Result<Project, Error> {
        let space = match space.into() {
            SpaceRef::Id(id) => id,
            SpaceRef::Name(space) => {
                super::Spaces {
                    exec: self.exec.clone(),
                }
                .by_name(&space)
                .await?
                .id
            }
        };
        let base = ProjectQuery::new().space(space).limit(LOOKUP_PAGE_SIZE);
        let named = base.clone().name(name).request;
        let matches = super::lookup(&self.exec, named, |_| false).await?;
        if matches.iter().any(|p| p.name == name) {
            return pick_by_name(name, &matches).cloned();
        }
        let all = super::lookup(&self.exec, base.request, |_| false).await?;
        pick_by_name(name, &all).cloned()
    }

    /// The project named exactly `name` in whichever space has it.
    ///
    /// # Errors
    ///
    /// [`Error::Lookup`] with [`LookupError::Ambiguous`](super::LookupError::Ambiguous) when projects of
    /// that name exist in several spaces (the candidates name their
    /// spaces: use [`by_name`](Self::by_name) with one), or
    /// [`LookupError::NotFound`](super::LookupError::NotFound); as [`list`](Self::list) otherwise.
    pub async fn by_name_in_any_space(&self, name: &str) -> Result<Project, Error> {
        let query = ProjectQuery::new().name(name).limit(LOOKUP_PAGE_SIZE);
        let matches = super::lookup(&self.exec, query.request, |_| false).await?;
        pick_by_name(name, &matches).cloned()
    }
}

/// The one project of `projects` named `name`.
pub(crate) fn pick_by_name<'a>(name: &str, projects: &'a [Project]) -> Result<&'a Project, Error> {
    super::pick_one(
        Kind::Project,
        name,
        projects,
        |p| &p.name,
        |p| p.name == name,
        |p| Some(format!("in space {}", p.space_id)),
    )
}

// The wire: the two operations behind the handle, declared next to it,
// and how each is sent.

pub(crate) static LIST_PROJECTS: Operation = Operation::declare("list_projects", true);
pub(crate) static GET_PROJECT: Operation = Operation::declare("get_project", true);

/// The request of `list_projects` without its cursor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ListProjects {
    pub(crate) space_id: Option<SpaceId>,
    pub(crate) space_name: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) limit: Option<u32>,
}

impl ListRequest for ListProjects {
    type Page = DirectoryPage<Project>;

    fn validate(&self) -> Result<(), ValidationError> {
        check_limit(self.limit)?;
        if let Some(space) = &self.space_id {
            space.validate()?;
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
        let name = self.name.as_deref();
        let space_id = self.space_id.as_ref().map(SpaceId::as_wire);
        let space_name = self.space_name.as_deref();
        exec.call_until(&LIST_PROJECTS, until, move || {
            api.list_projects(cursor, limit, name, space_id, space_name)
        })
        .await
        .map(|page| DirectoryPage::from_wire(page.projects, page.pagination))
    }
}

async fn send_get(exec: &Executor, id: &ProjectId) -> Result<Project, Error> {
    id.validate()?;
    let (api, id) = (&exec.api, id.as_wire());
    exec.call(&GET_PROJECT, move || api.get_project(id))
        .await
        .map(Project::from)
}
