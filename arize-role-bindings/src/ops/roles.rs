//! `list_roles` and `get_role`: their declarations and how each is sent.

use std::num::NonZeroU64;

use super::Operation;
use crate::error::{Error, ValidationError};
use crate::exec::Executor;
use crate::ids::RoleId;
use crate::pagination::ListRequest;
use crate::records::{DirectoryPage, Role, RoleKind};
use crate::types::{Cursor, check_limit};

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

pub(crate) async fn get(exec: &Executor, id: &RoleId) -> Result<Role, Error> {
    id.validate()?;
    let (api, id) = (&exec.api, id.as_wire());
    exec.call(&GET_ROLE, move || api.get_role(id))
        .await
        .map(Role::from)
}
