//! The [`Client`] and its operations.

use std::fmt;
use std::sync::Arc;

use futures::StreamExt as _;

use crate::config::ClientBuilder;
#[cfg(doc)]
use crate::error::{ConfigError, ValidationError};
use crate::error::{Error, PaginationError};
use crate::exec::Executor;
use crate::ids::{RoleBindingId, RoleId, UserId};
use crate::ops::role_bindings;
use crate::pagination::{self, Bindings, Pages};
use crate::refs::{ResourceRef, RoleRef, UserRef};
use crate::types::{EnsureOutcome, Ensured, ListQuery, Page, Resource, Revoked, RoleBinding};

/// How many times [`Client::ensure`] starts over when the binding it saw in
/// a 409 disappears before it can be read or updated (a concurrent revoke),
/// or a create may have been applied without an answer.
const ENSURE_ROUNDS: u32 = 4;

/// The page size `ensure` and `revoke` use to look up a user's bindings.
const LOOKUP_PAGE_SIZE: u32 = 100;

/// The most pages one lookup of `ensure` or `revoke` reads: 100,000 of the
/// user's bindings on resources of one type, far more than any account
/// holds. A server that keeps handing out fresh cursors with fresh pages
/// stops there with [`PaginationError::TooManyPages`].
pub const MAX_LOOKUP_PAGES: u64 = 1_000;

/// A client for Arize's role bindings.
///
/// Cheap to clone (an `Arc` inside) and `Send + Sync`: build one and share
/// it. Every call sends the API key as a bearer token, retries as its
/// [`RetryPolicy`](crate::RetryPolicy) allows, and is bounded by the attempt timeout and the
/// call's deadline (see [`ClientBuilder`]).
///
/// ```no_run
/// use arize_role_bindings::{Client, ProjectId, Resource, RoleId, UserId};
///
/// # async fn demo() -> Result<(), arize_role_bindings::Error> {
/// let client = Client::from_env()?;
/// let ensured = client
///     .ensure(
///         &UserId::new("VXNlcjo0MjphQmNE"),
///         &RoleId::new("Um9sZToxOmFCY0Q="),
///         &Resource::Project(ProjectId::new("UHJvamVjdDo1OmFCY0Q=")),
///     )
///     .await?;
/// println!("{:?}: {}", ensured.outcome, ensured.binding.id);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) exec: Arc<Executor>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The executor's Debug reads "Client { .. }" and redacts the key.
        self.exec.fmt(f)
    }
}

impl ClientBuilder {
    /// Builds the client. Never panics.
    ///
    /// # Errors
    ///
    /// - [`ConfigError::MissingApiKey`] / [`ConfigError::MalformedApiKey`];
    /// - [`ConfigError::Malformed`] for a bad base URL, proxy, zero timeout,
    ///   `max_attempts(0)` or `max_response_body(0)`;
    /// - [`ConfigError::InsecureHttp`] for a plain `http://` base URL to a
    ///   host other than this machine, unless
    ///   [`allow_insecure_http`](Self::allow_insecure_http);
    /// - [`ConfigError::Conflict`] for [`reqwest_client`](Self::reqwest_client)
    ///   combined with settings it cannot take;
    /// - [`ConfigError::File`] for an unreadable CA bundle;
    /// - [`ValidationError::InvalidHeader`] for a bad default header or user
    ///   agent;
    /// - [`ConfigError::HttpClient`] when reqwest cannot build its client.
    pub fn build(self) -> Result<Client, Error> {
        let config = self.finish()?;
        Ok(Client {
            exec: Arc::new(Executor::new(config)),
        })
    }
}

impl Client {
    /// A [`ClientBuilder`] with every default.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from Arize's environment variables (see
    /// [`ClientBuilder::from_env`]).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when `ARIZE_API_KEY` is missing, endpoint variables
    /// conflict or a value is malformed (the message names the variables).
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env()?.build()
    }

    /// The base URL requests go to, e.g. `https://api.arize.com`.
    pub fn base_url(&self) -> &str {
        &self.exec.base_url
    }

    /// The generated low-level client, for anything this facade does not
    /// cover. Calls made through it get the headers (key, identity) but no
    /// retries, timeouts beyond the connect timeout, or typed errors.
    pub fn api(&self) -> &arize_api::Client {
        &self.exec.api
    }

    /// Grants `role` to `user` on `resource`.
    ///
    /// Each may be given by ID or by name ([`UserRef`], [`RoleRef`],
    /// [`ResourceRef`]; a typed ID converts into them); names are resolved
    /// first, by one lookup each (see [`crate::refs`]).
    ///
    /// A create is retried only when it cannot have been applied (429, 503,
    /// a failure to connect). To assign a role whether or not the user
    /// already has a binding, use [`ensure`](Self::ensure).
    ///
    /// # Errors
    ///
    /// - [`Error::Validation`] (nothing sent) when an ID encodes the wrong
    ///   type, e.g. a Space ID given as a project;
    /// - [`Error::Lookup`] (nothing created) when a name does not resolve;
    /// - [`Error::Api`] with 409 when the user already has a binding on the
    ///   resource (whatever its role), 403 when the key may not create
    ///   bindings there (or the resource does not exist), 404 when the user
    ///   or role is not in the account, 400/401/422/429/5xx otherwise;
    /// - [`Error::Transport`], [`Error::Timeout`], [`Error::Deadline`],
    ///   [`Error::Decode`].
    pub async fn create(
        &self,
        user: impl Into<UserRef>,
        role: impl Into<RoleRef>,
        resource: impl Into<ResourceRef>,
    ) -> Result<RoleBinding, Error> {
        let (user, role, resource) = self
            .resolve(user.into(), role.into(), resource.into())
            .await?;
        role_bindings::create(&self.exec, &user, &role, &resource).await
    }

    /// Resolves the names among a user, role and resource (the IDs pass
    /// through without a request).
    async fn resolve(
        &self,
        user: UserRef,
        role: RoleRef,
        resource: ResourceRef,
    ) -> Result<(UserId, RoleId, Resource), Error> {
        Ok((
            self.resolve_user(user).await?,
            self.resolve_role(role).await?,
            self.resolve_resource(resource).await?,
        ))
    }

    /// Reads a binding.
    ///
    /// # Errors
    ///
    /// [`Error::Api`] with 404 when the binding does not exist or is not
    /// visible to the key; [`Error::Validation`] for an ID of another type;
    /// transport, timeout and decode errors.
    pub async fn get(&self, id: &RoleBindingId) -> Result<RoleBinding, Error> {
        role_bindings::get(&self.exec, id).await
    }

    /// Changes the role of a binding (the only field that can change).
    ///
    /// # Errors
    ///
    /// [`Error::Api`] with 404 (no such binding), 409, 422 or others;
    /// [`Error::Validation`] for IDs of another type; transport, timeout and
    /// decode errors.
    pub async fn update(&self, id: &RoleBindingId, role: &RoleId) -> Result<RoleBinding, Error> {
        role_bindings::update(&self.exec, id, role).await
    }

    /// Deletes a binding.
    ///
    /// When an attempt that may have deleted the binding (a timeout, a lost
    /// connection, a 502/504) is retried and the retry finds no binding
    /// (404), the delete counts as done.
    ///
    /// # Errors
    ///
    /// [`Error::Api`] with 404 when the binding does not exist (on the first
    /// attempt); [`Error::Validation`]; transport, timeout errors.
    pub async fn delete(&self, id: &RoleBindingId) -> Result<(), Error> {
        role_bindings::delete(&self.exec, id).await
    }

    /// Fetches one page of bindings.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] (nothing sent) for a limit outside `1..=100`,
    /// an empty cursor or a user filter of another ID type; [`Error::Api`]
    /// with 404 when the user filter names a user outside the account,
    /// 400/401/429 otherwise; transport, timeout and decode errors.
    pub async fn list_page(&self, query: &ListQuery) -> Result<Page, Error> {
        pagination::one_page(&self.exec, &query.request, &query.stream).await
    }

    /// A lazy stream of every binding matching `query`, across pages.
    ///
    /// Pages are fetched as the stream is polled (with
    /// [`ReadAhead::OnePage`](crate::ReadAhead::OnePage), one page ahead).
    /// Every filter is sent with every page. The stream ends after the last
    /// page, or after its first error. Use [`pages`](Self::pages) to see page
    /// boundaries and cursors.
    ///
    /// ```no_run
    /// use futures::TryStreamExt as _;
    /// use arize_role_bindings::{Client, ListQuery, ResourceType};
    ///
    /// # async fn demo(client: Client) -> Result<(), arize_role_bindings::Error> {
    /// let all: Vec<_> = client.list(ListQuery::new(ResourceType::Space)).try_collect().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self, query: ListQuery) -> Bindings {
        Bindings::new(self.pages(query))
    }

    /// A lazy stream of pages matching `query`. Each page carries its
    /// `next_cursor`: save it to resume later with
    /// [`ListQuery::cursor`]. Stops with an
    /// [`Error::Pagination`] on a repeated cursor, on `has_more` without a
    /// cursor, or after too many consecutive empty pages.
    pub fn pages(&self, query: ListQuery) -> Pages {
        Pages::new(self.exec.clone(), query.request, query.stream)
    }

    /// Makes sure `user` holds `role` on `resource`, whatever the current
    /// state: creates the binding; on 409 finds the user's existing binding
    /// on the resource and changes its role if it differs.
    ///
    /// Safe to repeat and to run concurrently: two callers racing for the
    /// same user and resource end with one binding. If the binding vanishes
    /// between the 409 and the lookup (a concurrent revoke), or a create may
    /// have been applied without an answer (a timeout, a lost connection, a
    /// 502/504), `ensure` starts over, a bounded number of times. (When a
    /// create of this very call was applied without an answer, the next
    /// round finds the binding and reports [`EnsureOutcome::Unchanged`].)
    ///
    /// The user, role and resource may be given by name (see
    /// [`create`](Self::create)); they are resolved once, before the first
    /// request.
    ///
    /// # Errors
    ///
    /// As [`create`](Self::create), [`list`](Self::list) and
    /// [`update`](Self::update); after the bounded number of rounds, the last
    /// error (a 409 when bindings kept appearing and disappearing).
    ///
    /// The lookup after a 409 is bounded as a whole: its pages share one
    /// deadline (the client's, from the lookup's start: [`Error::Deadline`]
    /// when it passes), and it reads at most [`MAX_LOOKUP_PAGES`] pages
    /// ([`PaginationError::TooManyPages`] after that), so a server that
    /// keeps handing out fresh cursors cannot keep it running.
    pub async fn ensure(
        &self,
        user: impl Into<UserRef>,
        role: impl Into<RoleRef>,
        resource: impl Into<ResourceRef>,
    ) -> Result<Ensured, Error> {
        let (user, role, resource) = self
            .resolve(user.into(), role.into(), resource.into())
            .await?;
        self.ensure_ids(&user, &role, &resource).await
    }

    pub(crate) async fn ensure_ids(
        &self,
        user: &UserId,
        role: &RoleId,
        resource: &Resource,
    ) -> Result<Ensured, Error> {
        user.validate()?;
        role.validate()?;
        resource.validate()?;
        let mut round = 0;
        loop {
            round += 1;
            let last_round = round >= ENSURE_ROUNDS;
            let error = match role_bindings::create(&self.exec, user, role, resource).await {
                Ok(binding) => {
                    return Ok(Ensured {
                        outcome: EnsureOutcome::Created,
                        binding,
                    });
                }
                Err(e) => e,
            };
            // The create may have been applied without an answer: the next
            // round finds out (its create gets 409 and the lookup finds the
            // binding). The deadline is a budget, not a reason to go on.
            if error.may_have_been_applied()
                && !matches!(error, Error::Deadline { .. })
                && !last_round
            {
                tracing::debug!(round, error = %error, "ensure: the create may have been applied; checking");
                continue;
            }
            if !error.is_conflict() {
                return Err(error);
            }
            let Some(existing) = self.find(user, resource).await? else {
                if last_round {
                    return Err(error);
                }
                tracing::debug!(
                    round,
                    "ensure: the conflicting binding is gone; creating again"
                );
                continue;
            };
            if existing.role_id == *role {
                return Ok(Ensured {
                    outcome: EnsureOutcome::Unchanged,
                    binding: existing,
                });
            }
            match self.update(&existing.id, role).await {
                Ok(binding) => {
                    return Ok(Ensured {
                        outcome: EnsureOutcome::Updated {
                            previous_role: existing.role_id,
                        },
                        binding,
                    });
                }
                Err(e) if e.is_not_found() && !last_round => {
                    tracing::debug!(
                        round,
                        "ensure: the binding was deleted before the update; creating again"
                    );
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Removes `user`'s binding on `resource`, if there is one. Both may be
    /// given by name (see [`create`](Self::create)).
    ///
    /// # Errors
    ///
    /// As [`list`](Self::list) and [`delete`](Self::delete);
    /// [`Error::Lookup`] when a name does not resolve. A binding that
    /// is deleted by someone else between the lookup and the delete gives
    /// [`Revoked::NotFound`], not an error. The lookup is bounded as a whole,
    /// as for [`ensure`](Self::ensure): one deadline for all its pages, and
    /// at most [`MAX_LOOKUP_PAGES`] pages ([`PaginationError::TooManyPages`]).
    pub async fn revoke(
        &self,
        user: impl Into<UserRef>,
        resource: impl Into<ResourceRef>,
    ) -> Result<Revoked, Error> {
        let user = self.resolve_user(user.into()).await?;
        let resource = self.resolve_resource(resource.into()).await?;
        self.revoke_ids(&user, &resource).await
    }

    pub(crate) async fn revoke_ids(
        &self,
        user: &UserId,
        resource: &Resource,
    ) -> Result<Revoked, Error> {
        user.validate()?;
        resource.validate()?;
        let Some(binding) = self.find(user, resource).await? else {
            return Ok(Revoked::NotFound);
        };
        match self.delete(&binding.id).await {
            Ok(()) => Ok(Revoked::Removed(binding)),
            Err(e) if e.is_not_found() => Ok(Revoked::NotFound),
            Err(e) => Err(e),
        }
    }

    /// The user's binding on the resource, looked up by listing the user's
    /// bindings on resources of that type: bounded as a whole by the
    /// client's deadline (from the start of the lookup) and by
    /// [`MAX_LOOKUP_PAGES`].
    async fn find(&self, user: &UserId, resource: &Resource) -> Result<Option<RoleBinding>, Error> {
        let mut query = ListQuery::new(resource.resource_type())
            .user(user.clone())
            .limit(LOOKUP_PAGE_SIZE);
        query.stream.until = self.exec.clock.now().checked_add(self.exec.deadline);
        let mut pages = self.pages(query);
        while let Some(page) = pages.next().await {
            if let Some(found) = page?
                .into_iter()
                .find(|b| b.resource == *resource && b.user_id == *user)
            {
                return Ok(Some(found));
            }
            if pages.pages_received() >= MAX_LOOKUP_PAGES && !pages.is_done() {
                return Err(PaginationError::TooManyPages {
                    pages: pages.pages_received(),
                }
                .into());
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn send_sync_clone<T: Send + Sync + Clone + fmt::Debug + 'static>() {}
    fn stream<T: futures::Stream + Send + Unpin + fmt::Debug + 'static>() {}
    fn error<T: std::error::Error + Send + Sync + 'static>() {}
    fn send<T: Send>(_: &T) {}

    #[test]
    fn public_types_have_the_promised_bounds() {
        send_sync_clone::<Client>();
        stream::<Pages>();
        stream::<Bindings>();
        error::<Error>();
        error::<crate::ValidationError>();
        error::<crate::ConfigError>();
        error::<crate::PaginationError>();
    }

    #[test]
    fn operation_futures_are_send() {
        let client = ClientBuilder::new().api_key("k").build().unwrap();
        let user = UserId::new("u");
        let role = RoleId::new("r");
        let resource = Resource::Space(crate::SpaceId::new("s"));
        let id = RoleBindingId::new("b");
        let query = ListQuery::new(crate::ResourceType::Space);
        // Built, never polled: only the types are checked.
        send(&client.create(&user, &role, &resource));
        send(&client.get(&id));
        send(&client.update(&id, &role));
        send(&client.delete(&id));
        send(&client.list_page(&query));
        send(&client.ensure(&user, &role, &resource));
        send(&client.revoke(&user, &resource));
    }
}
