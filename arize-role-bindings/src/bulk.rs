//! Many [`ensure`](Client::ensure) or [`revoke`](Client::revoke) calls at
//! once, with a bounded number in flight.
//!
//! [`Client::ensure_all`] and [`Client::revoke_all`] (or
//! [`Client::bulk`]`().concurrency(n)` for another bound) return a
//! [`BulkResults`] stream that
//!
//! - pulls items from your iterator **lazily**, only when a slot is free, so
//!   the input may be long or computed on the fly;
//! - keeps **at most the bound** ([`DEFAULT_CONCURRENCY`] = 16) items in
//!   flight; each item is one `ensure` or `revoke`, which sends its requests
//!   one after the other, so there are never more requests in flight than
//!   the bound either;
//! - yields each item's [`BulkItem`] **as it completes** (not in input
//!   order): its index in the input, the input itself and its own
//!   `Result` — every item exactly once, a failure never stops the others;
//! - when **dropped**, cancels the items in flight and starts no more.
//!
//! Every call keeps the client's retry policy, timeouts and deadline. A 429
//! with `Retry-After` seen by any item pauses **all** calls of the client
//! (the other items included) for that delay, instead of each item running
//! into the rate limit on its own; see the [crate docs](crate#retries).
//!
//! ```no_run
//! use arize_role_bindings::{Client, Grant, Resource, RoleId, SpaceId, UserId};
//! use futures::StreamExt as _;
//!
//! # async fn demo(client: Client, users: Vec<UserId>) -> Result<(), arize_role_bindings::Error> {
//! let role: RoleId = "Um9sZToxOmFCY0Q=".parse()?;
//! let space = Resource::Space("U3BhY2U6MTpWNEth".parse::<SpaceId>()?);
//! let grants = users
//!     .into_iter()
//!     .map(|user| Grant::new(user, role.clone(), space.clone()));
//!
//! let mut results = client.bulk().concurrency(32).ensure(grants);
//! let mut failed = Vec::new();
//! while let Some(item) = results.next().await {
//!     match &item.result {
//!         Ok(ensured) => println!("#{} {}: {:?}", item.index, item.input.user, ensured.outcome),
//!         Err(error) => failed.push((item.index, error.to_string())),
//!     }
//! }
//! println!("{} failed", failed.len());
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::{Stream, StreamExt as _};
use tracing::Instrument as _;

use std::sync::Arc;

use crate::client::Client;
use crate::directory::Directory;
use crate::error::Error;
use crate::refs::{ResourceRef, RoleRef, UserRef};
use crate::types::{Ensured, Revoked};

/// The default number of items in flight: 16.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// One assignment for [`Client::ensure_all`]: `user` should hold `role` on
/// `resource`. Each is given by ID or by name ([`UserRef`], [`RoleRef`],
/// [`ResourceRef`]; typed IDs and strings convert into them).
///
/// Also built from a `(user, role, resource)` tuple of anything that
/// converts, e.g. `(UserId, RoleId, Resource)` or
/// `("alice@example.com", "Member", ResourceRef::space_named("prod"))`.
///
/// Reads and writes the API's field names, so a desired-state file is a
/// list of these. Each value is a plain string, an ID or a name by Arize's
/// rule ([`looks_like_id`](crate::ids::looks_like_id)); an ID is checked as
/// `parse()` checks it (a Space ID given as the user is refused). A
/// project by name also needs its `space` (see [`ResourceRef`]):
///
/// ```
/// use arize_role_bindings::{Grant, Resource, ResourceRef, RoleRef, UserRef};
///
/// let grants: Vec<Grant> = serde_json::from_str(r#"[
///   {"user_id": "VXNlcjo0MjphQmNE", "role_id": "Um9sZToxOmFCY0Q=",
///    "resource_type": "SPACE", "resource_id": "U3BhY2U6MTpWNEth"},
///   {"user_id": "alice@example.com", "role_id": "Member",
///    "resource_type": "PROJECT", "resource_id": "churn", "space": "prod"}
/// ]"#)?;
/// assert!(matches!(grants[0].resource, ResourceRef::Id(Resource::Space(_))));
/// assert_eq!(grants[1].user, UserRef::email("alice@example.com"));
/// assert_eq!(grants[1].role, RoleRef::name("Member"));
/// assert_eq!(grants[1].resource, ResourceRef::project_named("churn", "prod"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Grant {
    /// The user (`user_id`).
    #[serde(rename = "user_id")]
    pub user: UserRef,
    /// The role they should hold (`role_id`).
    #[serde(rename = "role_id")]
    pub role: RoleRef,
    /// Where: `resource_type` and `resource_id` (see [`ResourceRef`]).
    #[serde(flatten)]
    pub resource: ResourceRef,
}

impl Grant {
    /// `user` should hold `role` on `resource`.
    pub fn new(
        user: impl Into<UserRef>,
        role: impl Into<RoleRef>,
        resource: impl Into<ResourceRef>,
    ) -> Self {
        Self {
            user: user.into(),
            role: role.into(),
            resource: resource.into(),
        }
    }
}

impl<U, R, S> From<(U, R, S)> for Grant
where
    U: Into<UserRef>,
    R: Into<RoleRef>,
    S: Into<ResourceRef>,
{
    fn from((user, role, resource): (U, R, S)) -> Self {
        Self::new(user, role, resource)
    }
}

/// One removal for [`Client::revoke_all`]: `user`'s binding on `resource`
/// should not exist. Each by ID or by name, as in [`Grant`].
///
/// Also built from a `(user, resource)` tuple. Serialises as
/// `{"user_id", "resource_type", "resource_id"}`, like [`Grant`], and reads
/// names by the same rule.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct Revocation {
    /// The user (`user_id`).
    #[serde(rename = "user_id")]
    pub user: UserRef,
    /// Where: `resource_type` and `resource_id` (see [`ResourceRef`]).
    #[serde(flatten)]
    pub resource: ResourceRef,
}

impl Revocation {
    /// `user`'s binding on `resource` should not exist.
    pub fn new(user: impl Into<UserRef>, resource: impl Into<ResourceRef>) -> Self {
        Self {
            user: user.into(),
            resource: resource.into(),
        }
    }
}

impl<U, S> From<(U, S)> for Revocation
where
    U: Into<UserRef>,
    S: Into<ResourceRef>,
{
    fn from((user, resource): (U, S)) -> Self {
        Self::new(user, resource)
    }
}

/// The result of one item of a bulk run, with the item it belongs to.
#[derive(Debug)]
#[non_exhaustive]
pub struct BulkItem<I, T> {
    /// The item's position in the input (0-based).
    pub index: usize,
    /// The item, as given ([`Grant`] or [`Revocation`]).
    pub input: I,
    /// What the call returned: as [`Client::ensure`] or
    /// [`Client::revoke`].
    pub result: Result<T, Error>,
}

/// A bulk run's report line: `{"index", "input", "ok": ...}` or
/// `{"index", "input", "error": {"message", "status"}}` (the error as its
/// message and HTTP status, if any; it cannot be read back into an
/// [`Error`], so there is no `Deserialize`).
impl<I: serde::Serialize, T: serde::Serialize> serde::Serialize for BulkItem<I, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        #[derive(serde::Serialize)]
        struct ErrorJson {
            message: String,
            status: Option<u16>,
        }
        let mut s = serializer.serialize_struct("BulkItem", 3)?;
        s.serialize_field("index", &self.index)?;
        s.serialize_field("input", &self.input)?;
        match &self.result {
            Ok(value) => s.serialize_field("ok", value)?,
            Err(error) => s.serialize_field(
                "error",
                &ErrorJson {
                    message: error.to_string(),
                    status: error.status().map(|s| s.as_u16()),
                },
            )?,
        }
        s.end()
    }
}

impl<I, T> BulkItem<I, T> {
    /// Whether the item succeeded.
    pub fn is_ok(&self) -> bool {
        self.result.is_ok()
    }

    /// The result alone.
    ///
    /// # Errors
    ///
    /// The item's error, as [`Client::ensure`] or [`Client::revoke`]
    /// returned it.
    pub fn into_result(self) -> Result<T, Error> {
        self.result
    }
}

/// Settings of a bulk run: the client and the bound on items in flight.
/// From [`Client::bulk`].
#[derive(Clone, Debug)]
pub struct Bulk {
    client: Client,
    concurrency: usize,
    directory: Option<Arc<Directory>>,
}

impl Bulk {
    /// At most `limit` items in flight (default [`DEFAULT_CONCURRENCY`]).
    /// Zero is taken as 1 — a run always makes progress.
    #[must_use]
    pub fn concurrency(mut self, limit: usize) -> Self {
        self.concurrency = limit.max(1);
        self
    }

    /// The bound on items in flight.
    pub fn max_in_flight(&self) -> usize {
        self.concurrency
    }

    /// Resolves the items' names from `directory` (loaded once with
    /// [`Directory::load`]) instead of one lookup per name: a run of any
    /// size then sends only its role-binding requests. A name the
    /// directory does not have fails its item with [`Error::Lookup`].
    #[must_use]
    pub fn directory(mut self, directory: impl Into<Arc<Directory>>) -> Self {
        self.directory = Some(directory.into());
        self
    }

    /// [`ensure`](Client::ensure)s every grant; see the
    /// [module docs](self). Nothing is sent until the stream is polled.
    pub fn ensure<'a, I>(&self, grants: I) -> BulkResults<'a, Grant, Ensured>
    where
        I: IntoIterator,
        I::Item: Into<Grant>,
        I::IntoIter: Send + 'a,
    {
        let directory = self.directory.clone();
        self.run(grants.into_iter(), move |client, grant: Grant| {
            let directory = directory.clone();
            async move {
                let result = match directory {
                    Some(directory) => match directory.resolve_grant(&grant) {
                        // Every name replaced by its ID: no lookups.
                        Ok(ids) => client.ensure(&ids.user, &ids.role, &ids.resource).await,
                        Err(e) => Err(e.into()),
                    },
                    None => {
                        client
                            .ensure(&grant.user, &grant.role, &grant.resource)
                            .await
                    }
                };
                (grant, result)
            }
        })
    }

    /// [`revoke`](Client::revoke)s every item; see the
    /// [module docs](self). Nothing is sent until the stream is polled.
    pub fn revoke<'a, I>(&self, revocations: I) -> BulkResults<'a, Revocation, Revoked>
    where
        I: IntoIterator,
        I::Item: Into<Revocation>,
        I::IntoIter: Send + 'a,
    {
        self.run(revocations.into_iter(), {
            let directory = self.directory.clone();
            move |client, item: Revocation| {
                let directory = directory.clone();
                async move {
                    let result = match directory {
                        Some(directory) => match directory.resolve_revocation(&item) {
                            Ok(ids) => client.revoke(&ids.user, &ids.resource).await,
                            Err(e) => Err(e.into()),
                        },
                        None => client.revoke(&item.user, &item.resource).await,
                    };
                    (item, result)
                }
            }
        })
    }

    fn run<'a, In, T, It, F, Fut>(&self, items: It, call: F) -> BulkResults<'a, In, T>
    where
        It: Iterator + Send + 'a,
        It::Item: Into<In>,
        In: Send + 'a,
        T: Send + 'a,
        F: Fn(Client, In) -> Fut + Send + 'a,
        Fut: Future<Output = (In, Result<T, Error>)> + Send + 'a,
    {
        let client = self.client.clone();
        let stream = futures::stream::iter(items.enumerate())
            .map(move |(index, item)| {
                let future = call(client.clone(), item.into());
                async move {
                    let (input, result) = future.await;
                    BulkItem {
                        index,
                        input,
                        result,
                    }
                }
                .instrument(tracing::debug_span!("arize_role_bindings.bulk_item", index))
            })
            .buffer_unordered(self.concurrency);
        BulkResults {
            stream: Box::pin(stream),
            concurrency: self.concurrency,
        }
    }
}

/// The stream of a bulk run: one [`BulkItem`] per input item, in the order
/// they complete. See the [module docs](self).
///
/// `Send` and `Unpin`; `'static` when the input iterator is. Dropping it
/// cancels the items in flight.
#[must_use = "streams do nothing unless polled"]
pub struct BulkResults<'a, I, T> {
    stream: Pin<Box<dyn Stream<Item = BulkItem<I, T>> + Send + 'a>>,
    concurrency: usize,
}

impl<I, T> BulkResults<'_, I, T> {
    /// The bound on items in flight.
    pub fn max_in_flight(&self) -> usize {
        self.concurrency
    }
}

impl<I, T> Stream for BulkResults<'_, I, T> {
    type Item = BulkItem<I, T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.stream.as_mut().poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.stream.size_hint()
    }
}

impl<I, T> fmt::Debug for BulkResults<'_, I, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BulkResults")
            .field("max_in_flight", &self.concurrency)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Settings for a bulk run ([`DEFAULT_CONCURRENCY`] items in flight);
    /// see the [`bulk`](crate::bulk) module.
    ///
    /// ```no_run
    /// # use arize_role_bindings::{Client, Grant};
    /// # fn demo(client: Client, grants: Vec<Grant>) {
    /// let results = client.bulk().concurrency(32).ensure(grants);
    /// # drop(results);
    /// # }
    /// ```
    pub fn bulk(&self) -> Bulk {
        Bulk {
            client: self.clone(),
            concurrency: DEFAULT_CONCURRENCY,
            directory: None,
        }
    }

    /// [`ensure`](Self::ensure)s every grant, [`DEFAULT_CONCURRENCY`] at a
    /// time, yielding each item's result as it completes. Same as
    /// `self.bulk().ensure(grants)`; see the [`bulk`](crate::bulk) module.
    ///
    /// ```no_run
    /// use arize_role_bindings::{Client, Grant};
    /// use futures::StreamExt as _;
    ///
    /// # async fn demo(client: Client, grants: Vec<Grant>) {
    /// let items: Vec<_> = client.ensure_all(grants).collect().await;
    /// let failed = items.iter().filter(|item| !item.is_ok()).count();
    /// # let _ = failed;
    /// # }
    /// ```
    pub fn ensure_all<'a, I>(&self, grants: I) -> BulkResults<'a, Grant, Ensured>
    where
        I: IntoIterator,
        I::Item: Into<Grant>,
        I::IntoIter: Send + 'a,
    {
        self.bulk().ensure(grants)
    }

    /// [`revoke`](Self::revoke)s every item, [`DEFAULT_CONCURRENCY`] at a
    /// time, yielding each item's result as it completes. Same as
    /// `self.bulk().revoke(revocations)`; see the [`bulk`](crate::bulk)
    /// module.
    pub fn revoke_all<'a, I>(&self, revocations: I) -> BulkResults<'a, Revocation, Revoked>
    where
        I: IntoIterator,
        I::Item: Into<Revocation>,
        I::IntoIter: Send + 'a,
    {
        self.bulk().revoke(revocations)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::{Resource, RoleId, SpaceId, UserId};

    fn send_unpin_static<T: Send + Unpin + 'static>(_: &T) {}

    fn client() -> Client {
        Client::builder().api_key("k").build().unwrap()
    }

    #[test]
    fn concurrency_defaults_to_16_and_zero_means_one() {
        let client = client();
        assert_eq!(client.bulk().max_in_flight(), DEFAULT_CONCURRENCY);
        assert_eq!(client.bulk().concurrency(0).max_in_flight(), 1);
        assert_eq!(client.bulk().concurrency(32).max_in_flight(), 32);
        let results = client.bulk().concurrency(0).ensure(Vec::<Grant>::new());
        assert_eq!(results.max_in_flight(), 1);
    }

    #[test]
    fn streams_are_send_unpin_and_static_for_owned_input() {
        let client = client();
        let space = Resource::Space(SpaceId::new("s"));
        let grants = vec![(UserId::new("u"), RoleId::new("r"), space.clone())];
        send_unpin_static(&client.ensure_all(grants));
        send_unpin_static(&client.revoke_all(vec![(UserId::new("u"), space)]));
        // Borrowed input works too, for as long as it lives.
        let owned = [Grant::new(
            UserId::new("u"),
            RoleId::new("r"),
            Resource::Space(SpaceId::new("s")),
        )];
        let results = client.ensure_all(owned.iter().cloned());
        assert_eq!(results.size_hint(), (1, Some(1)));
    }

    #[tokio::test]
    async fn invalid_items_fail_alone_without_a_request() {
        // No server at all: an item that fails validation never sends, and
        // an empty input ends at once.
        let client = client();
        let bad = Grant::new(
            UserId::new(""),
            RoleId::new("r"),
            Resource::Space(SpaceId::new("s")),
        );
        let items: Vec<_> = client.ensure_all([bad.clone()]).collect().await;
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].index, 0);
        assert_eq!(items[0].input, bad);
        assert!(items[0].result.as_ref().unwrap_err().is_validation());
        let none: Vec<_> = client.revoke_all(Vec::<Revocation>::new()).collect().await;
        assert!(none.is_empty());
    }
}
