//! Bulk `ensure` / `revoke` against the stateful fake server: the bound on
//! requests in flight (the fake records the peak), shared back-pressure on
//! 429, every item reported exactly once with its own outcome, lazy input,
//! cancellation on drop.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod facade_support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use arize_api::types::RoleBindingResourceType;
use arize_fake_server::{FakeServer, Fault, FaultRule, Operation, RetryAfter, Seed};
use arize_role_bindings::{
    BulkItem, Client, EnsureOutcome, Ensured, Error, Grant, ProjectId, Resource, RetryPolicy,
    Revocation, Revoked, RoleBindingId, RoleId, SpaceId, UserId,
};
use base64::Engine as _;
use facade_support::*;
use futures::StreamExt as _;

async fn fake(
    seed: Seed,
    latency: Option<Duration>,
) -> (FakeServer, Client, Arc<RecordingSleeper>) {
    let mut server = FakeServer::builder().api_key(KEY).seed(seed);
    if let Some(latency) = latency {
        server = server.latency(None, latency);
    }
    let server = server.start().await.unwrap();
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = builder(server.base_url(), &sleeper).build().unwrap();
    (server, client, sleeper)
}

/// `n` grants of `role` on distinct (user, space) pairs, skipping the first
/// `skip` pairs.
fn grants(server: &FakeServer, skip: usize, n: usize, role: &str) -> Vec<Grant> {
    let (users, spaces) = (server.users(), server.spaces());
    let pairs: Vec<(String, String)> = users
        .iter()
        .flat_map(|u| spaces.iter().map(move |s| (u.clone(), s.clone())))
        .collect();
    assert!(pairs.len() >= skip + n, "seed too small");
    pairs[skip..skip + n]
        .iter()
        .map(|(u, s)| {
            Grant::new(
                UserId::new(u),
                RoleId::new(role),
                Resource::Space(SpaceId::new(s)),
            )
        })
        .collect()
}

/// Checks that `items` hold indices `0..n` exactly once each, with the
/// input that was given at that index; returns them in input order.
fn in_input_order<I: PartialEq + std::fmt::Debug, T>(
    mut items: Vec<BulkItem<I, T>>,
    inputs: &[I],
) -> Vec<BulkItem<I, T>> {
    let indices: Vec<usize> = items.iter().map(|i| i.index).collect();
    let unique: BTreeSet<usize> = indices.iter().copied().collect();
    assert_eq!(
        unique.len(),
        indices.len(),
        "an index was reported twice: {indices:?}"
    );
    assert_eq!(
        unique,
        (0..inputs.len()).collect::<BTreeSet<_>>(),
        "not every item was reported"
    );
    items.sort_by_key(|i| i.index);
    for item in &items {
        assert_eq!(
            item.input, inputs[item.index],
            "input of item {}",
            item.index
        );
    }
    items
}

fn created(item: &BulkItem<Grant, Ensured>) -> bool {
    matches!(
        &item.result,
        Ok(Ensured { outcome: EnsureOutcome::Created, binding, .. }) if binding.user_id == item.input.user
            && binding.role_id == item.input.role
            && binding.resource == item.input.resource
    )
}

/// `(user, role, resource)` of every binding on the server.
fn server_state(server: &FakeServer) -> BTreeSet<(String, String, String)> {
    server
        .bindings()
        .into_iter()
        .map(|b| (b.user_id.0, b.role_id.0, b.resource_id.0))
        .collect()
}

fn expected_state(grants: &[Grant]) -> BTreeSet<(String, String, String)> {
    grants
        .iter()
        .map(|g| {
            (
                g.user.as_str().to_owned(),
                g.role.as_str().to_owned(),
                g.resource.as_resource().map_or("", |r| r.id()).to_owned(),
            )
        })
        .collect()
}

fn unknown_user() -> UserId {
    UserId::new(base64::engine::general_purpose::STANDARD.encode("User:999:zzzz"))
}

#[tokio::test]
async fn never_more_than_the_bound_in_flight_and_the_bound_is_reached() {
    // Every request takes 100 ms on the server, so items overlap.
    let (server, client, sleeper) = fake(
        Seed::empty().users(10).roles(2).spaces(10),
        Some(Duration::from_millis(100)),
    )
    .await;
    let role = server.roles()[0].clone();

    // concurrency(8), 60 items.
    let first = grants(&server, 0, 60, &role);
    let items: Vec<_> = client
        .bulk()
        .concurrency(8)
        .ensure(first.clone())
        .collect()
        .await;
    let items = in_input_order(items, &first);
    assert!(items.iter().all(created), "{items:?}");
    assert_eq!(
        server.peak_in_flight(),
        8,
        "the bound of 8 was not reached or exceeded"
    );
    assert_eq!(server.request_count(Operation::Create), 60);
    assert_eq!(server.requests().len(), 60, "only creates were needed");
    assert_eq!(server_state(&server), expected_state(&first));

    // The default bound: 16.
    server.reset_peak_in_flight();
    let second = grants(&server, 60, 40, &role);
    let items: Vec<_> = client.ensure_all(second.clone()).collect().await;
    let items = in_input_order(items, &second);
    assert!(items.iter().all(created), "{items:?}");
    assert_eq!(server.peak_in_flight(), 16);
    assert_eq!(server.bindings().len(), 100);

    // concurrency(0) is taken as 1: one request at a time (a revoke is a
    // list, then a delete).
    server.reset_peak_in_flight();
    let revocations: Vec<Revocation> = first[..4]
        .iter()
        .map(|g| Revocation::new(g.user.clone(), g.resource.clone()))
        .collect();
    let items: Vec<_> = client
        .bulk()
        .concurrency(0)
        .revoke(revocations.clone())
        .collect()
        .await;
    let items = in_input_order(items, &revocations);
    assert!(
        items
            .iter()
            .all(|i| matches!(i.result, Ok(Revoked::Removed(_)))),
        "{items:?}"
    );
    assert_eq!(server.peak_in_flight(), 1);
    assert_eq!(server.bindings().len(), 96);
    assert!(sleeper.delays().is_empty(), "nothing was retried");
}

/// One 429 with `Retry-After: 10` pauses every item, not just the one that
/// got it: each item that starts after it waits (once, via the sleeper) for
/// what is left of the 10 s before sending.
#[tokio::test]
async fn a_429_pauses_every_item_once() {
    const N: usize = 40;
    const BOUND: usize = 8;
    let (server, client, sleeper) = fake(
        Seed::empty().users(8).roles(1).spaces(5),
        Some(Duration::from_millis(100)),
    )
    .await;
    server.faults().inject(
        FaultRule::new(Fault::RateLimited(RetryAfter::Seconds(10)))
            .on(Operation::Create)
            .next(1),
    );
    let all = grants(&server, 0, N, &server.roles()[0]);
    let items: Vec<_> = client
        .bulk()
        .concurrency(BOUND)
        .ensure(all.clone())
        .collect()
        .await;
    let items = in_input_order(items, &all);
    assert!(items.iter().all(created), "{items:?}");
    assert_eq!(server_state(&server), expected_state(&all));
    let statuses: Vec<Option<u16>> = server.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == Some(429)).count(), 1);
    assert_eq!(
        server.request_count(Operation::Create),
        N + 1,
        "one retry, nothing else"
    );
    assert!(server.peak_in_flight() <= BOUND);

    let delays = sleeper.delays();
    // The item that got the 429 waited the full Retry-After before its retry...
    let own: Vec<_> = delays
        .iter()
        .filter(|d| **d == Duration::from_secs(10))
        .collect();
    assert_eq!(own.len(), 1, "{delays:?}");
    // ...and every other wait is another item waiting for what is left of
    // the same pause, once each. (The sleeper returns at once, so the
    // pause lasts in real time for the whole run.)
    let shared: Vec<_> = delays
        .iter()
        .filter(|d| **d < Duration::from_secs(10))
        .collect();
    assert!(
        shared.iter().all(|d| **d > Duration::from_secs(5)),
        "{delays:?}"
    );
    // The first wave (BOUND items) was sent before the 429 came back; at
    // most BOUND - 1 more can start in the moment it takes to read it. All
    // the others waited.
    assert!(
        (N - (2 * BOUND - 1)..=N - BOUND).contains(&shared.len()),
        "{} items waited for the shared pause, expected {}..={}: {delays:?}",
        shared.len(),
        N - (2 * BOUND - 1),
        N - BOUND
    );
}

/// The pause is shared by clones and applies to every operation; a 429
/// without `Retry-After` does not pause other calls; a separately built
/// client is not paused.
#[tokio::test]
async fn the_pause_is_shared_by_clones_and_operations() {
    let (server, _, _) = fake(Seed::default(), None).await;
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = builder(server.base_url(), &sleeper)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let user = UserId::new(&server.users()[0]);
    let role = RoleId::new(&server.roles()[0]);
    let space = Resource::Space(SpaceId::new(&server.spaces()[0]));
    let binding = server
        .create_binding(
            &server.users()[1],
            &server.roles()[0],
            RoleBindingResourceType::Space,
            &server.spaces()[0],
        )
        .unwrap();
    let binding_id = RoleBindingId::new(&binding.id.0);

    // A 429 without Retry-After: not retried (one attempt), nobody paused.
    server.faults().inject(
        FaultRule::new(Fault::RateLimited(RetryAfter::Missing))
            .on(Operation::Create)
            .next(1),
    );
    let err = client.create(&user, &role, &space).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    client.get(&binding_id).await.unwrap();
    assert!(sleeper.delays().is_empty(), "{:?}", sleeper.delays());

    // A 429 with Retry-After: 5 on a create pauses a get on a clone.
    server.faults().inject(
        FaultRule::new(Fault::RateLimited(RetryAfter::Seconds(5)))
            .on(Operation::Create)
            .next(1),
    );
    let err = client.create(&user, &role, &space).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(5)));
    assert!(sleeper.delays().is_empty(), "one attempt: no retry wait");
    let gets_before = server.request_count(Operation::Get);
    client.clone().get(&binding_id).await.unwrap();
    let delays = sleeper.delays();
    assert_eq!(delays.len(), 1, "{delays:?}");
    assert!(
        delays[0] > Duration::from_secs(3) && delays[0] <= Duration::from_secs(5),
        "{delays:?}"
    );
    assert_eq!(server.request_count(Operation::Get), gets_before + 1);

    // Another client (not a clone) has its own gate.
    let other_sleeper = Arc::new(RecordingSleeper::default());
    let other = builder(server.base_url(), &other_sleeper).build().unwrap();
    other.get(&binding_id).await.unwrap();
    assert!(other_sleeper.delays().is_empty());
}

/// A call whose deadline ends inside the pause fails at once, unsent, with
/// `RateLimited` (429, what is left of the pause), not a deadline error.
#[tokio::test]
async fn a_pause_past_the_deadline_fails_the_call_without_sending() {
    let (server, _, _) = fake(Seed::default(), None).await;
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = builder(server.base_url(), &sleeper)
        .retry_policy(RetryPolicy::none())
        .deadline(Duration::from_secs(3))
        .build()
        .unwrap();
    let user = UserId::new(&server.users()[0]);
    let role = RoleId::new(&server.roles()[0]);
    let space = Resource::Space(SpaceId::new(&server.spaces()[0]));
    server.faults().inject(
        FaultRule::new(Fault::RateLimited(RetryAfter::Seconds(20)))
            .on(Operation::Create)
            .next(1),
    );
    client.create(&user, &role, &space).await.unwrap_err();
    let creates = server.request_count(Operation::Create);
    let err = client.create(&user, &role, &space).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { .. }), "{err:?}");
    assert_eq!(
        err.status(),
        Some(arize_role_bindings::StatusCode::TOO_MANY_REQUESTS)
    );
    assert!(
        err.retry_after()
            .is_some_and(|left| left > Duration::ZERO && left <= Duration::from_secs(20)),
        "{err:?}"
    );
    assert_eq!(
        server.request_count(Operation::Create),
        creates,
        "nothing sent"
    );
    assert!(sleeper.delays().is_empty(), "no wait was made");
}

/// Each item gets its own outcome; failures do not stop or hide the others.
#[tokio::test]
async fn mixed_outcomes_are_reported_per_item() {
    let (server, client, _) = fake(
        Seed::empty().users(6).roles(2).spaces(2).projects(1),
        Some(Duration::from_millis(20)),
    )
    .await;
    let (users, roles, spaces) = (server.users(), server.roles(), server.spaces());
    let user = |i: usize| UserId::new(&users[i]);
    let role = |i: usize| RoleId::new(&roles[i]);
    let space = |i: usize| Resource::Space(SpaceId::new(&spaces[i]));
    let project = Resource::Project(ProjectId::new(&server.projects()[0]));
    server
        .create_binding(
            &users[0],
            &roles[0],
            RoleBindingResourceType::Space,
            &spaces[0],
        )
        .unwrap();
    server
        .create_binding(
            &users[1],
            &roles[1],
            RoleBindingResourceType::Space,
            &spaces[0],
        )
        .unwrap();

    let inputs = vec![
        Grant::new(user(0), role(0), space(0)),        // 0: unchanged
        Grant::new(user(1), role(0), space(0)),        // 1: updated from role 1
        Grant::new(user(2), role(0), space(0)),        // 2: created
        Grant::new(unknown_user(), role(0), space(1)), // 3: 404, unknown user
        // 4: a Space ID given as a project: rejected before sending.
        Grant::new(
            user(3),
            role(0),
            Resource::Project(ProjectId::new(&spaces[1])),
        ),
        Grant::new(
            user(4),
            RoleId::new(base64::engine::general_purpose::STANDARD.encode("Role:999:zzzz")),
            space(1),
        ), // 5: 404, unknown role
        Grant::new(user(5), role(1), project.clone()), // 6: created
    ];
    let items: Vec<_> = client
        .bulk()
        .concurrency(3)
        .ensure(inputs.clone())
        .collect()
        .await;
    let items = in_input_order(items, &inputs);

    let outcome = |i: usize| match &items[i].result {
        Ok(e) => Ok(e.outcome.clone()),
        Err(e) => Err(e),
    };
    assert_eq!(outcome(0).unwrap(), EnsureOutcome::Unchanged);
    assert_eq!(
        outcome(1).unwrap(),
        EnsureOutcome::Updated {
            previous_role: role(1)
        }
    );
    assert!(created(&items[2]), "{:?}", items[2]);
    let err = outcome(3).unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let err = outcome(4).unwrap_err();
    assert!(err.is_validation(), "{err:?}");
    let err = outcome(5).unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(created(&items[6]), "{:?}", items[6]);

    // The server holds exactly what succeeded.
    let expected: BTreeSet<_> = [
        (&users[0], &roles[0], &spaces[0]),
        (&users[1], &roles[0], &spaces[0]),
        (&users[2], &roles[0], &spaces[0]),
        (&users[5], &roles[1], &server.projects()[0]),
    ]
    .into_iter()
    .map(|(u, r, s)| (u.clone(), r.clone(), s.clone()))
    .collect();
    assert_eq!(server_state(&server), expected);
    // The invalid item sent nothing.
    assert!(
        server
            .requests()
            .iter()
            .all(|r| !r.body.as_deref().unwrap_or("").contains(&users[3])),
        "the item rejected client-side reached the server"
    );
    assert!(server.peak_in_flight() <= 3);
}

#[tokio::test]
async fn revoke_all_reports_every_item() {
    let (server, client, _) = fake(
        Seed::empty().users(4).roles(1).spaces(3),
        Some(Duration::from_millis(30)),
    )
    .await;
    let (users, roles, spaces) = (server.users(), server.roles(), server.spaces());
    let mut existing = Vec::new();
    for (u, s) in [(0, 0), (1, 0), (2, 1), (3, 2)] {
        existing.push(
            server
                .create_binding(
                    &users[u],
                    &roles[0],
                    RoleBindingResourceType::Space,
                    &spaces[s],
                )
                .unwrap(),
        );
    }
    let space = |i: usize| Resource::Space(SpaceId::new(&spaces[i]));
    let inputs: Vec<Revocation> = vec![
        (UserId::new(&users[0]), space(0)).into(), // 0: removed
        (UserId::new(&users[1]), space(0)).into(), // 1: removed
        (UserId::new(&users[2]), space(0)).into(), // 2: no binding there
        (unknown_user(), space(1)).into(),         // 3: 404, unknown user
        // 4: a Space ID as a project: rejected before sending.
        (
            UserId::new(&users[3]),
            Resource::Project(ProjectId::new(&spaces[2])),
        )
            .into(),
        (UserId::new(&users[2]), space(1)).into(), // 5: removed
    ];
    let items: Vec<_> = client
        .bulk()
        .concurrency(2)
        .revoke(inputs.clone())
        .collect()
        .await;
    let items = in_input_order(items, &inputs);
    let removed_id = |i: usize| match &items[i].result {
        Ok(Revoked::Removed(b)) => b.id.as_str().to_owned(),
        other => panic!("item {i}: {other:?}"),
    };
    assert_eq!(removed_id(0), existing[0].id.0);
    assert_eq!(removed_id(1), existing[1].id.0);
    assert!(
        matches!(items[2].result, Ok(Revoked::NotFound)),
        "{:?}",
        items[2]
    );
    assert!(
        items[3].result.as_ref().unwrap_err().is_not_found(),
        "{:?}",
        items[3]
    );
    assert!(
        items[4].result.as_ref().unwrap_err().is_validation(),
        "{:?}",
        items[4]
    );
    assert_eq!(removed_id(5), existing[2].id.0);
    // Only the binding nobody revoked is left.
    let left: Vec<String> = server.bindings().into_iter().map(|b| b.id.0).collect();
    assert_eq!(left, [existing[3].id.0.clone()]);
    assert!(server.peak_in_flight() <= 2);
}

/// Items are taken from the input only when a slot is free, and results
/// come out as they complete.
#[tokio::test]
async fn the_input_is_pulled_lazily() {
    const BOUND: usize = 4;
    let (server, client, _) = fake(
        Seed::empty().users(5).roles(1).spaces(4),
        Some(Duration::from_millis(100)),
    )
    .await;
    let all = grants(&server, 0, 20, &server.roles()[0]);
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    let input = all.clone().into_iter().inspect(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let mut results = client.bulk().concurrency(BOUND).ensure(input);
    assert_eq!(
        pulled.load(Ordering::SeqCst),
        0,
        "nothing before the first poll"
    );
    let first = results.next().await.unwrap();
    assert!(created(&first), "{first:?}");
    let so_far = pulled.load(Ordering::SeqCst);
    assert!(
        (BOUND..=BOUND + 1).contains(&so_far),
        "{so_far} items taken from the input when the first result came out"
    );
    let mut rest: Vec<_> = results.collect().await;
    rest.push(first);
    let items = in_input_order(rest, &all);
    assert!(items.iter().all(created));
    assert_eq!(pulled.load(Ordering::SeqCst), 20);
}

/// Dropping the stream stops the run: no item starts afterwards.
#[tokio::test]
async fn dropping_the_stream_stops_the_run() {
    const BOUND: usize = 4;
    let (server, client, _) = fake(
        Seed::empty().users(5).roles(1).spaces(4),
        Some(Duration::from_millis(400)),
    )
    .await;
    let all = grants(&server, 0, 20, &server.roles()[0]);
    let mut results = client.bulk().concurrency(BOUND).ensure(all);
    // Poll until the first wave has reached the server (bounded), then drop.
    for _ in 0..100 {
        let _ = tokio::time::timeout(Duration::from_millis(10), results.next()).await;
        if server.request_count(Operation::Create) == BOUND {
            break;
        }
    }
    assert_eq!(server.request_count(Operation::Create), BOUND);
    drop(results);
    // Longer than the server's latency: a live run would have started the
    // next wave by now.
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(server.request_count(Operation::Create), BOUND);
    assert!(server.peak_in_flight() <= BOUND);
}
