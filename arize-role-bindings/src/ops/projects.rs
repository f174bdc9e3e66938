//! `list_projects` and `get_project`: their declarations and how each is
//! sent.

use std::num::NonZeroU64;

use super::Operation;
use crate::error::{Error, ValidationError};
use crate::exec::Executor;
use crate::ids::{ProjectId, SpaceId};
use crate::pagination::ListRequest;
use crate::records::{DirectoryPage, Project};
use crate::types::{Cursor, check_limit};

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

pub(crate) async fn get(exec: &Executor, id: &ProjectId) -> Result<Project, Error> {
    id.validate()?;
    let (api, id) = (&exec.api, id.as_wire());
    exec.call(&GET_PROJECT, move || api.get_project(id))
        .await
        .map(Project::from)
}
