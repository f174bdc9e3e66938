//! A test kit for code that uses this crate (feature `test-util`): what the
//! crate's own test suites use to test retries and back-pressure without
//! real waiting, and to run calls against the fake server.
//!
//! - [`RecordingSleeper`]: a [`Sleeper`] that records each retry wait and
//!   returns at once; give it to [`ClientBuilder::sleeper`].
//! - [`fake_server`]: the `arize-fake-server` crate (a stateful,
//!   fault-injecting fake of the API on 127.0.0.1), re-exported; start one
//!   with [`fake_server::FakeServer::start`] and point a client at it with
//!   [`client_for`].
//! - One vocabulary: [`FakeServerExt`] seeds and reads the fake's state in
//!   this crate's types ([`Grant`], [`RoleBinding`]), and `From` converts
//!   both ways between [`Grant`] and the fake's [`SeedBinding`], and
//!   between [`RoleBinding`]/[`ResourceType`] and the
//!   generated types the fake speaks.
//!
//! ```
//! use std::sync::Arc;
//!
//! use arize_role_bindings::test_util::{FakeServerExt as _, RecordingSleeper, client_for, fake_server};
//! use arize_role_bindings::{Grant, Resource, RoleId, SpaceId, UserId};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let seed = fake_server::Seed::empty().users(1).roles(1).spaces(1);
//! let server = fake_server::FakeServer::builder().seed(seed).start().await?;
//! let sleeper = Arc::new(RecordingSleeper::default());
//! let client = client_for(&server).sleeper(sleeper.clone()).build()?;
//!
//! let grant = Grant::new(
//!     UserId::new(server.users()[0].clone()),
//!     RoleId::new(server.roles()[0].clone()),
//!     Resource::Space(SpaceId::new(server.spaces()[0].clone())),
//! );
//! let seeded = server.create_grant(&grant)?;
//! assert_eq!(client.get(&seeded.id).await?, seeded);
//! assert!(sleeper.delays().is_empty(), "no retries were needed");
//! # Ok(())
//! # }
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

pub use arize_fake_server as fake_server;
use arize_fake_server::{FakeServer, Rejection, SeedBinding};

use crate::bulk::Grant;
use crate::config::{BetaWarning, ClientBuilder};
use crate::ids::{ProjectId, RoleBindingId, RoleId, SpaceId, UserId};
use crate::refs::{ResourceRef, RoleRef, UserRef};
use crate::retry::Sleeper;
use crate::types::{Resource, ResourceType, RoleBinding};

/// A [`Sleeper`] that records every delay it is asked for and returns at
/// once: retries and back-pressure pauses happen without waiting, and the
/// test asserts the waits.
#[derive(Debug, Default)]
pub struct RecordingSleeper(Mutex<Vec<Duration>>);

impl RecordingSleeper {
    /// Every delay asked for so far, in order.
    pub fn delays(&self) -> Vec<Duration> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Forgets the delays recorded so far.
    pub fn clear(&self) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

impl Sleeper for RecordingSleeper {
    fn sleep(&self, delay: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(delay);
        Box::pin(async {})
    }
}

/// A builder for a client of `server`: its base URL and API key, the beta
/// warning off. Add a sleeper, retry policy, timeouts as needed.
pub fn client_for(server: &FakeServer) -> ClientBuilder {
    crate::Client::builder()
        .api_key(server.api_key())
        .base_url(server.base_url())
        .beta_warning(BetaWarning::Off)
}

/// The fake server's state in this crate's types.
pub trait FakeServerExt {
    /// Creates the grant's binding directly (no HTTP, no faults), with the
    /// rules of `POST /v2/role-bindings`.
    ///
    /// # Errors
    ///
    /// The [`Rejection`] the API would answer with (403, 404, 409, 422).
    fn create_grant(&self, grant: &Grant) -> Result<RoleBinding, Rejection>;

    /// Every binding, in creation order.
    fn role_bindings(&self) -> Vec<RoleBinding>;

    /// One binding by ID.
    fn role_binding(&self, id: &RoleBindingId) -> Option<RoleBinding>;
}

impl FakeServerExt for FakeServer {
    fn create_grant(&self, grant: &Grant) -> Result<RoleBinding, Rejection> {
        // Names are sent as given, as a client that did not resolve them
        // would send them: the fake answers as the API does.
        let (resource_type, resource_id) = match &grant.resource {
            ResourceRef::Id(resource) => (resource.resource_type(), resource.id()),
            ResourceRef::SpaceNamed(name) => (ResourceType::Space, name.as_str()),
            ResourceRef::ProjectNamed { name, .. } => (ResourceType::Project, name.as_str()),
        };
        self.create_binding(
            grant.user.as_str(),
            grant.role.as_str(),
            resource_type.into(),
            resource_id,
        )
        .map(RoleBinding::from)
    }

    fn role_bindings(&self) -> Vec<RoleBinding> {
        self.bindings().into_iter().map(RoleBinding::from).collect()
    }

    fn role_binding(&self, id: &RoleBindingId) -> Option<RoleBinding> {
        self.binding(id.as_str()).map(RoleBinding::from)
    }
}

/// A grant given by IDs as a binding for the fake's
/// [`Seed`](fake_server::Seed); a grant with a name in it is given back in
/// [`Unresolved`] (resolve it first, e.g. with
/// [`Directory`](crate::Directory)).
impl TryFrom<Grant> for SeedBinding {
    type Error = Unresolved;

    fn try_from(grant: Grant) -> Result<Self, Unresolved> {
        match (&grant.user, &grant.role, &grant.resource) {
            (UserRef::Id(user), RoleRef::Id(role), ResourceRef::Id(resource)) => Ok(Self {
                user_id: user.as_str().to_owned(),
                role_id: role.as_str().to_owned(),
                resource_type: resource.resource_type().into(),
                resource_id: resource.id().to_owned(),
            }),
            _ => Err(Unresolved(grant)),
        }
    }
}

/// A [`Grant`] that names its user, role or resource instead of giving IDs,
/// so it cannot be seeded as a binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved(pub Grant);

impl std::fmt::Display for Unresolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the grant ({}, {}, {:?}) gives a name where a seeded binding needs IDs; \
             resolve it first (e.g. with a Directory)",
            self.0.user.as_str(),
            self.0.role.as_str(),
            self.0.resource
        )
    }
}

impl std::error::Error for Unresolved {}

/// A seeded binding as a grant (the IDs unchecked, as with `new`).
impl From<SeedBinding> for Grant {
    fn from(seed: SeedBinding) -> Self {
        let resource = match ResourceType::from(seed.resource_type) {
            ResourceType::Space => Resource::Space(SpaceId::new(seed.resource_id)),
            ResourceType::Project => Resource::Project(ProjectId::new(seed.resource_id)),
        };
        Grant::new(
            UserId::new(seed.user_id),
            RoleId::new(seed.role_id),
            resource,
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn grants_and_seed_bindings_convert_both_ways() {
        let grant = Grant::new(
            UserId::new("VXNlcjo0MjphQmNE"),
            RoleId::new("Um9sZToxOmFCY0Q="),
            Resource::Project(ProjectId::new("TW9kZWw6MTpGdmxM")),
        );
        let seed = SeedBinding::try_from(grant.clone()).unwrap();
        assert_eq!(seed.resource_id, "TW9kZWw6MTpGdmxM");
        assert_eq!(
            seed.resource_type,
            arize_api::types::RoleBindingResourceType::Project
        );
        assert_eq!(Grant::from(seed), grant);
        // A name cannot be seeded: it is given back.
        let named = Grant::new(
            "alice@example.com",
            RoleId::new("Um9sZToxOmFCY0Q="),
            SpaceId::new("U3BhY2U6MTpWNEth"),
        );
        assert_eq!(SeedBinding::try_from(named.clone()), Err(Unresolved(named)));
    }

    #[test]
    fn the_sleeper_records_and_clears() {
        let sleeper = RecordingSleeper::default();
        drop(sleeper.sleep(Duration::from_secs(2)));
        drop(sleeper.sleep(Duration::from_millis(5)));
        assert_eq!(
            sleeper.delays(),
            [Duration::from_secs(2), Duration::from_millis(5)]
        );
        sleeper.clear();
        assert!(sleeper.delays().is_empty());
    }
}
