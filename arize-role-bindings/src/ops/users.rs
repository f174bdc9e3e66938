//! `list_users` and `get_user`: their declarations and how each is sent.

use std::num::NonZeroU64;

use arize_api::types as wire;

use super::Operation;
use crate::error::{Error, ValidationError};
use crate::exec::Executor;
use crate::ids::UserId;
use crate::pagination::ListRequest;
use crate::records::{DirectoryPage, User, UserStatus};
use crate::types::{Cursor, check_limit};

pub(crate) static LIST_USERS: Operation = Operation::declare("list_users", true);
pub(crate) static GET_USER: Operation = Operation::declare("get_user", true);

/// The request of `list_users` without its cursor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ListUsers {
    pub(crate) email: Option<String>,
    pub(crate) status: Vec<UserStatus>,
    pub(crate) limit: Option<u32>,
}

impl ListUsers {
    fn wire_email(&self) -> Result<Option<wire::ListUsersEmail>, ValidationError> {
        self.email
            .as_deref()
            .map(|email| {
                email
                    .parse::<wire::ListUsersEmail>()
                    .map_err(|e| ValidationError::InvalidRequest {
                        reason: format!("the e-mail filter is {e}"),
                    })
            })
            .transpose()
    }

    fn wire_status(&self) -> Result<Vec<wire::UserStatus>, ValidationError> {
        self.status
            .iter()
            .map(|s| {
                s.to_wire().ok_or_else(|| ValidationError::InvalidRequest {
                    reason: format!(
                        "the status filter `{s}` is not one the API takes (ACTIVE, INVITED, \
                         EXPIRED)"
                    ),
                })
            })
            .collect()
    }
}

impl ListRequest for ListUsers {
    type Page = DirectoryPage<User>;

    fn validate(&self) -> Result<(), ValidationError> {
        check_limit(self.limit)?;
        self.wire_email()?;
        self.wire_status()?;
        Ok(())
    }

    async fn send(
        &self,
        exec: &Executor,
        cursor: Option<&Cursor>,
        until: Option<tokio::time::Instant>,
    ) -> Result<Self::Page, Error> {
        let email = self.wire_email()?;
        let status = self.wire_status()?;
        let status = (!status.is_empty()).then_some(status);
        let limit = self.limit.and_then(|l| NonZeroU64::new(u64::from(l)));
        let (api, cursor) = (&exec.api, cursor.map(Cursor::as_str));
        let (email, status) = (email.as_ref(), status.as_ref());
        exec.call_until(&LIST_USERS, until, move || {
            api.list_users(cursor, email, limit, status)
        })
        .await
        .map(|page| DirectoryPage::from_wire(page.users, page.pagination))
    }
}

pub(crate) async fn get(exec: &Executor, id: &UserId) -> Result<User, Error> {
    id.validate()?;
    let (api, id) = (&exec.api, id.as_wire());
    exec.call(&GET_USER, move || api.get_user(id))
        .await
        .map(User::from)
}
