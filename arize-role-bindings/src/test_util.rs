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
        self.create_binding(
            grant.user.as_str(),
            grant.role.as_str(),
            grant.resource.resource_type().into(),
            grant.resource.id(),
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

/// A grant as a binding for the fake's [`Seed`](fake_server::Seed).
impl From<Grant> for SeedBinding {
    fn from(grant: Grant) -> Self {
        Self {
            user_id: grant.user.into_string(),
            role_id: grant.role.into_string(),
            resource_type: grant.resource.resource_type().into(),
            resource_id: grant.resource.id().to_owned(),
        }
    }
}

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
        let seed = SeedBinding::from(grant.clone());
        assert_eq!(seed.resource_id, "TW9kZWw6MTpGdmxM");
        assert_eq!(
            seed.resource_type,
            arize_api::types::RoleBindingResourceType::Project
        );
        assert_eq!(Grant::from(seed), grant);
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
