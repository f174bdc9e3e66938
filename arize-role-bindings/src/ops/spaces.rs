//! `list_spaces` and `get_space`: their declarations and how each is sent.

use std::num::NonZeroU64;

use super::Operation;
use crate::error::{Error, ValidationError};
use crate::exec::Executor;
use crate::ids::{OrganizationId, SpaceId};
use crate::pagination::ListRequest;
use crate::records::{DirectoryPage, Space};
use crate::types::{Cursor, check_limit};

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

pub(crate) async fn get(exec: &Executor, id: &SpaceId) -> Result<Space, Error> {
    id.validate()?;
    let (api, id) = (&exec.api, id.as_wire());
    exec.call(&GET_SPACE, move || api.get_space(id))
        .await
        .map(Space::from)
}
