//! The role-binding operations: their declarations and how each is sent.

use std::num::NonZeroU64;

use arize_api::types as wire;

use super::Operation;
use crate::error::{Error, ValidationError};
use crate::exec::Executor;
use crate::ids::{RoleBindingId, RoleId, UserId};
use crate::pagination::{CursorPage, ListRequest, sealed};
use crate::types::{Cursor, ListRoleBindings, Page, Resource, RoleBinding};

pub(crate) static LIST: Operation = Operation::declare("list_role_bindings", true);
pub(crate) static CREATE: Operation = Operation::declare("create_role_binding", true);
pub(crate) static GET: Operation = Operation::declare("get_role_binding", true);
pub(crate) static UPDATE: Operation = Operation::declare("update_role_binding", true);
pub(crate) static DELETE: Operation = Operation::declare("delete_role_binding", true);

pub(crate) async fn create(
    exec: &Executor,
    user: &UserId,
    role: &RoleId,
    resource: &Resource,
) -> Result<RoleBinding, Error> {
    user.validate()?;
    role.validate()?;
    resource.validate()?;
    let body = wire::CreateRoleBindingRequest {
        resource_id: resource.wire_id().clone(),
        resource_type: resource.resource_type().to_wire(),
        role_id: role.as_wire().clone(),
        user_id: user.as_wire().clone(),
    };
    let (api, body) = (&exec.api, &body);
    exec.call(&CREATE, move || api.create_role_binding(body))
        .await
        .map(RoleBinding::from)
}

pub(crate) async fn get(exec: &Executor, id: &RoleBindingId) -> Result<RoleBinding, Error> {
    id.validate()?;
    let (api, id) = (&exec.api, id.as_wire());
    exec.call(&GET, move || api.get_role_binding(id))
        .await
        .map(RoleBinding::from)
}

pub(crate) async fn update(
    exec: &Executor,
    id: &RoleBindingId,
    role: &RoleId,
) -> Result<RoleBinding, Error> {
    id.validate()?;
    role.validate()?;
    let body = wire::UpdateRoleBindingRequest {
        role_id: role.as_wire().clone(),
    };
    let (api, id, body) = (&exec.api, id.as_wire(), &body);
    exec.call(&UPDATE, move || api.update_role_binding(id, body))
        .await
        .map(RoleBinding::from)
}

pub(crate) async fn delete(exec: &Executor, id: &RoleBindingId) -> Result<(), Error> {
    id.validate()?;
    let (api, id) = (&exec.api, id.as_wire());
    exec.call_no_content(&DELETE, move || api.delete_role_binding(id))
        .await
}

impl ListRequest for ListRoleBindings {
    type Page = Page;

    fn validate(&self) -> Result<(), ValidationError> {
        ListRoleBindings::validate(self)
    }

    async fn send(
        &self,
        exec: &Executor,
        cursor: Option<&Cursor>,
        until: Option<tokio::time::Instant>,
    ) -> Result<Page, Error> {
        let limit = self.limit.and_then(|l| NonZeroU64::new(u64::from(l)));
        let user = self.user.as_ref().map(UserId::as_wire);
        let cursor = cursor.map(Cursor::as_str);
        let resource_type = self.resource_type.to_wire();
        let api = &exec.api;
        exec.call_until(&LIST, until, move || {
            api.list_role_bindings(cursor, limit, resource_type, user)
        })
        .await
        .map(Page::from_wire)
    }
}

impl sealed::Sealed for Page {}

impl CursorPage for Page {
    type Item = RoleBinding;

    fn items(&self) -> &[Self::Item] {
        &self.bindings
    }

    fn into_items(self) -> Vec<Self::Item> {
        self.bindings
    }

    fn next_cursor(&self) -> Option<&Cursor> {
        self.next_cursor.as_ref()
    }

    fn has_more(&self) -> bool {
        self.has_more
    }

    fn item_key(item: &Self::Item) -> &str {
        item.id.as_str()
    }
}
