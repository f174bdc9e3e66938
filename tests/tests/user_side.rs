//! What a user of `arize-role-bindings` writes: a small provisioning tool
//! that reads its desired state from YAML into `Vec<Grant>`, applies it
//! with `ensure_all`, and reports each item as JSON; tested against the
//! fake server with the SDK's `test-util` kit, and a unit test of the
//! tool's own formatting that builds a `RoleBinding` by hand.
//!
//! Only public API is used, as from crates.io.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use arize_role_bindings::test_util::fake_server::{
    FakeServer, Fault, FaultRule, Operation, RetryAfter, Seed, SeedBinding,
};
use arize_role_bindings::test_util::{FakeServerExt as _, RecordingSleeper, client_for};
use arize_role_bindings::{
    Client, EnsureOutcome, Grant, Resource, RetryPolicy, RoleBinding, RoleBindingId, RoleId,
    SpaceId, UserId,
};
use futures::StreamExt as _;

// ---------------------------------------------------------------------------
// The user's tool.

mod tool {
    use super::*;

    /// The desired state: a YAML list of grants.
    pub fn load(yaml: &str) -> Result<Vec<Grant>, serde_yaml::Error> {
        serde_yaml::from_str(yaml)
    }

    /// Applies the grants; one JSON report line per grant, in input order.
    pub async fn apply(client: &Client, grants: Vec<Grant>) -> Vec<serde_json::Value> {
        let mut items: Vec<_> = client.ensure_all(grants).collect().await;
        items.sort_by_key(|item| item.index);
        items
            .iter()
            .map(|item| serde_json::to_value(item).unwrap())
            .collect()
    }

    /// One line for an audit log.
    pub fn describe(binding: &RoleBinding) -> String {
        format!(
            "{} holds {} on {} since {}",
            binding.user_id,
            binding.role_id,
            binding.resource,
            binding.created_at.format("%Y-%m-%d")
        )
    }
}

// ---------------------------------------------------------------------------
// Its tests.

const ALICE: &str = "VXNlcjo0MjphQmNE";
const BOB: &str = "VXNlcjo0MzphQmNE";
const VIEWER: &str = "Um9sZToxOmFCY0Q=";
const ADMIN: &str = "Um9sZToyOmVGZ0g=";
const SPACE: &str = "U3BhY2U6MTpWNEth";
const MODEL: &str = "TW9kZWw6MTpGdmxM";

const DESIRED: &str = "
- user_id: VXNlcjo0MjphQmNE     # alice: viewer on the space (she is admin there now)
  role_id: Um9sZToxOmFCY0Q=
  resource_type: SPACE
  resource_id: U3BhY2U6MTpWNEth
- user_id: VXNlcjo0MzphQmNE     # bob: admin on the model's project (new)
  role_id: Um9sZToyOmVGZ0g=
  resource_type: PROJECT
  resource_id: TW9kZWw6MTpGdmxM
- user_id: VXNlcjo0MzphQmNE     # bob: viewer on the space (already so)
  role_id: Um9sZToxOmFCY0Q=
  resource_type: SPACE
  resource_id: U3BhY2U6MTpWNEth
";

async fn fake() -> FakeServer {
    // The fake speaks the SDK's types: seeded from Grants.
    let existing = [
        Grant::new(
            UserId::new(ALICE),
            RoleId::new(ADMIN),
            Resource::Space(SpaceId::new(SPACE)),
        ),
        Grant::new(
            UserId::new(BOB),
            RoleId::new(VIEWER),
            Resource::Space(SpaceId::new(SPACE)),
        ),
    ];
    let mut seed = Seed::empty()
        .with_user(ALICE)
        .with_user(BOB)
        .with_role(VIEWER)
        .with_role(ADMIN)
        .with_space(SPACE)
        .with_model(MODEL);
    for grant in existing {
        seed = seed.with_binding(SeedBinding::try_from(grant).unwrap());
    }
    FakeServer::builder().seed(seed).start().await.unwrap()
}

#[tokio::test]
async fn the_desired_state_yaml_is_applied_against_the_fake_server() {
    let grants = tool::load(DESIRED).unwrap();
    assert_eq!(grants.len(), 3);
    assert_eq!(
        grants[1].resource.as_resource(),
        Some(&Resource::Project(arize_role_bindings::ProjectId::new(
            MODEL
        )))
    );

    let server = fake().await;
    // A 429 with Retry-After on the first create: the tool's run still
    // succeeds, and the SDK's recording sleeper shows the wait it made
    // instead of making it.
    server.faults().inject(
        FaultRule::new(Fault::RateLimited(RetryAfter::Seconds(3)))
            .on(Operation::Create)
            .next(1),
    );
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = client_for(&server)
        .sleeper(sleeper.clone())
        .retry_policy(RetryPolicy::standard())
        .build()
        .unwrap();

    let report = tool::apply(&client, grants.clone()).await;
    let outcomes: Vec<&str> = report
        .iter()
        .map(|line| line["ok"]["outcome"].as_str().unwrap_or("error"))
        .collect();
    assert_eq!(outcomes, ["updated", "created", "unchanged"], "{report:#?}");
    assert_eq!(report[0]["ok"]["previous_role"], ADMIN);
    assert_eq!(report[1]["input"]["resource_type"], "PROJECT");
    // The rate-limited call waited the 3 s; the 429 also paused the other
    // calls of the run (shared back-pressure), each for what was left.
    let delays = sleeper.delays();
    assert_eq!(
        delays
            .iter()
            .filter(|d| **d == Duration::from_secs(3))
            .count(),
        1,
        "{delays:?}"
    );
    assert!(
        delays.iter().all(|d| *d <= Duration::from_secs(3)),
        "{delays:?}"
    );

    // The fake's state, read back as the SDK's RoleBinding, is the desired state.
    let mut state: Vec<Grant> = server
        .role_bindings()
        .into_iter()
        .map(|b| Grant::new(b.user_id, b.role_id, b.resource))
        .collect();
    let mut want = grants;
    let key = |g: &Grant| {
        (
            g.user.as_str().to_owned(),
            g.resource.as_resource().map(|r| r.id().to_owned()),
        )
    };
    state.sort_by_key(key);
    want.sort_by_key(key);
    assert_eq!(state, want);

    // Applying again changes nothing.
    let again = tool::apply(&client, want).await;
    assert!(
        again
            .iter()
            .all(|line| line["ok"]["outcome"] == "unchanged"),
        "{again:#?}"
    );
}

#[test]
fn a_desired_state_with_a_wrong_id_is_refused_when_read() {
    // A Space ID given as a PROJECT: refused by serde exactly as parse() refuses it.
    let yaml = "- {user_id: VXNlcjo0MjphQmNE, role_id: Um9sZToxOmFCY0Q=, resource_type: PROJECT, resource_id: U3BhY2U6MTpWNEth}";
    let err = tool::load(yaml).unwrap_err().to_string();
    let parsed = SPACE.parse::<arize_role_bindings::ProjectId>().unwrap_err();
    assert!(err.contains(&parsed.to_string()), "{err}");
    // An unknown resource type names the allowed ones.
    // A Space ID given as the user: an ID by Arize's rule, so checked, and refused.
    let yaml = "- {user_id: U3BhY2U6MTpWNEth, role_id: Um9sZToxOmFCY0Q=, resource_type: SPACE, resource_id: U3BhY2U6MTpWNEth}";
    let err = tool::load(yaml).unwrap_err().to_string();
    let parsed = SPACE.parse::<UserId>().unwrap_err();
    assert!(err.contains(&parsed.to_string()), "{err}");
    // A project by name without its space: refused, saying what to add.
    let yaml = "- {user_id: alice@example.com, role_id: Member, resource_type: PROJECT, resource_id: churn}";
    let err = tool::load(yaml).unwrap_err().to_string();
    assert!(err.contains("`space`"), "{err}");
    let yaml = "- {user_id: VXNlcjo0MjphQmNE, role_id: Um9sZToxOmFCY0Q=, resource_type: ORG, resource_id: x}";
    let err = tool::load(yaml).unwrap_err().to_string();
    assert!(err.contains("SPACE") && err.contains("PROJECT"), "{err}");
}

#[test]
fn a_desired_state_may_name_users_roles_and_resources() {
    use arize_role_bindings::{ResourceRef, RoleRef, UserRef};
    let yaml = "
- {user_id: alice@example.com, role_id: Member, resource_type: SPACE, resource_id: prod}
- {user_id: VXNlcjo0MjphQmNE, role_id: Viewer, resource_type: PROJECT, resource_id: churn, space: prod}
";
    let grants = tool::load(yaml).unwrap();
    assert_eq!(grants[0].user, UserRef::email("alice@example.com"));
    assert_eq!(grants[0].role, RoleRef::name("Member"));
    assert_eq!(grants[0].resource, ResourceRef::space_named("prod"));
    assert_eq!(grants[1].user, UserRef::Id(UserId::new(ALICE)));
    assert_eq!(
        grants[1].resource,
        ResourceRef::project_named("churn", "prod")
    );
    // Written back (names in their own fields) and read again: the same.
    let json = serde_json::to_string(&grants).unwrap();
    assert_eq!(serde_json::from_str::<Vec<Grant>>(&json).unwrap(), grants);
    // By ID, the API's four fields, as before.
    let by_id = tool::load(DESIRED).unwrap();
    let value = serde_json::to_value(&by_id[0]).unwrap();
    assert_eq!(
        value,
        serde_json::json!({"user_id": ALICE, "role_id": VIEWER,
                           "resource_type": "SPACE", "resource_id": SPACE})
    );
}

#[test]
fn describe_formats_a_binding_built_by_hand() {
    let binding = RoleBinding::new(
        RoleBindingId::new("Um9sZUJpbmRpbmc6MTphQmNE"),
        UserId::new(ALICE),
        RoleId::new(VIEWER),
        Resource::Space(SpaceId::new(SPACE)),
    )
    .with_timestamps(
        "2024-06-01T10:00:00Z".parse().unwrap(),
        "2024-06-02T10:00:00Z".parse().unwrap(),
    );
    assert_eq!(
        tool::describe(&binding),
        "VXNlcjo0MjphQmNE holds Um9sZToxOmFCY0Q= on SPACE U3BhY2U6MTpWNEth since 2024-06-01"
    );
    // And the ensure result a tool would log, built by hand too.
    let ensured = arize_role_bindings::Ensured::new(
        EnsureOutcome::Updated {
            previous_role: RoleId::new(ADMIN),
        },
        binding,
    );
    let json = serde_json::to_value(&ensured).unwrap();
    assert_eq!(json["outcome"], "updated");
    assert_eq!(json["binding"]["resource_type"], "SPACE");
    let back: arize_role_bindings::Ensured = serde_json::from_value(json).unwrap();
    assert_eq!(back, ensured);
}
