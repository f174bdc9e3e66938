//! `client.users()`: get, list and find users by e-mail.

use std::num::NonZeroU64;
use std::sync::Arc;

use arize_api::types as wire;

use super::lookup::Kind;
use super::{DirectoryPage, LOOKUP_PAGE_SIZE, User, UserStatus};
use crate::error::{Error, ValidationError};
use crate::exec::Executor;
use crate::ids::UserId;
use crate::ops::Operation;
use crate::pagination::{self, ItemStream, ListRequest, PageStream};
use crate::types::{Cursor, StreamOptions, check_limit, stream_options};

/// The stream of [`Users::list`].
pub type UserStream = ItemStream<DirectoryPage<User>>;
/// The page stream of [`Users::pages`].
pub type UserPages = PageStream<DirectoryPage<User>>;

/// What to list: users, optionally filtered by e-mail and status.
///
/// ```
/// use arize_role_bindings::directory::{UserQuery, UserStatus};
///
/// let query = UserQuery::new()
///     .email("@example.com")
///     .status(UserStatus::Active)
///     .status(UserStatus::Invited)
///     .limit(100);
/// # let _ = query;
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserQuery {
    pub(crate) request: ListUsers,
    pub(crate) stream: StreamOptions,
}

impl UserQuery {
    /// Every user with the API's default statuses (ACTIVE, INVITED,
    /// EXPIRED).
    pub fn new() -> Self {
        Self::default()
    }

    /// Only users whose e-mail contains this (ignoring case; the server's
    /// partial match, up to 255 characters).
    #[must_use]
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.request.email = Some(email.into());
        self
    }

    /// Only users with this status; repeat for several (sent as
    /// `?status=ACTIVE&status=INVITED`).
    #[must_use]
    pub fn status(mut self, status: UserStatus) -> Self {
        self.request.status.push(status);
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
    /// [`ValidationError::LimitOutOfRange`], [`ValidationError::EmptyCursor`],
    /// or [`ValidationError::InvalidRequest`] for an e-mail filter over 255
    /// characters or a status the API does not take.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_limit(self.request.limit)?;
        self.stream.validate()?;
        pagination::ListRequest::validate(&self.request)
    }
}

/// The users of the account: [`Client::users`](crate::Client::users).
#[derive(Clone, Debug)]
pub struct Users {
    pub(crate) exec: Arc<Executor>,
}

impl crate::Client {
    /// The account's users: get, list, find by e-mail.
    pub fn users(&self) -> Users {
        Users {
            exec: self.exec.clone(),
        }
    }
}

super::reads!(
    Users,
    send_get,
    UserId,
    User,
    UserQuery,
    UserStream,
    UserPages,
    "user",
    "users",
    "[`Error::Api`] with 404 when there is no such user; [`Error::Validation`] for an ID of another type; transport, timeout and decode errors."
);

impl Users {
    /// The user with this e-mail address (any status the API lists by
    /// default: ACTIVE, INVITED, EXPIRED): the server's partial match, then
    /// an exact comparison ignoring case.
    ///
    /// # Errors
    ///
    /// [`Error::Lookup`] with [`LookupError::NotFound`](super::LookupError::NotFound) (its `near` are the
    /// closest addresses of the partial matches), or
    /// [`LookupError::Ambiguous`](super::LookupError::Ambiguous) should two users share it; as
    /// [`list`](Self::list) otherwise.
    pub async fn by_email(&self, email: &str) -> Result<User, Error> {
        self.by_email_with_status(email, []).await
    }

    /// As [`by_email`](Self::by_email), among users with one of these
    /// statuses (none given: the API's default).
    ///
    /// # Errors
    ///
    /// As [`by_email`](Self::by_email).
    pub async fn by_email_with_status(
        &self,
        email: &str,
        status: impl IntoIterator<Item = UserStatus>,
    ) -> Result<User, Error> {
        let mut query = UserQuery::new().email(email).limit(LOOKUP_PAGE_SIZE);
        for s in status {
            query = query.status(s);
        }
        let seen = super::lookup(&self.exec, query.request, |_| false).await?;
        pick_by_email(email, &seen).cloned()
    }
}

/// The one user of `users` with this e-mail, ignoring case.
pub(crate) fn pick_by_email<'a>(email: &str, users: &'a [User]) -> Result<&'a User, Error> {
    super::pick_one(
        Kind::User,
        email,
        users,
        |u| &u.email,
        |u| u.email.eq_ignore_ascii_case(email),
        |u| Some(format!("{}, {}", u.name, u.status)),
    )
}

// The wire: the two operations behind the handle, declared next to it,
// and how each is sent.

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

async fn send_get(exec: &Executor, id: &UserId) -> Result<User, Error> {
    id.validate()?;
    let (api, id) = (&exec.api, id.as_wire());
    exec.call(&GET_USER, move || api.get_user(id))
        .await
        .map(User::from)
}
