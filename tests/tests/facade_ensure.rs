//! `ensure` and `revoke`, and behaviour against the stateful fake server:
//! concurrency, long listings, resuming, and faults that may have applied a
//! create.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod facade_support;

use std::sync::Arc;
use std::time::Duration;

use arize_api::mock::MockServerExt as _;
use arize_api::types::RoleBindingResourceType;
use arize_fake_server::{FakeServer, Fault, FaultRule, Operation, Seed};
use arize_role_bindings::{
    Client, EnsureOutcome, Error, ListQuery, ProjectId, ReadAhead, Resource, ResourceType, Revoked,
    RoleId, SpaceId, TransportPhase, UserId,
};
use facade_support::*;
use futures::TryStreamExt as _;
use httpmock::MockServer;

async fn fake(seed: Seed) -> (FakeServer, Client, Arc<RecordingSleeper>) {
    let server = FakeServer::builder()
        .api_key(KEY)
        .seed(seed)
        .start()
        .await
        .unwrap();
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = builder(server.base_url(), &sleeper).build().unwrap();
    (server, client, sleeper)
}

fn bindings_of(
    server: &FakeServer,
    user: &str,
    resource: &str,
) -> Vec<arize_api::types::RoleBinding> {
    server
        .bindings()
        .into_iter()
        .filter(|b| b.user_id.0 == user && b.resource_id.0 == resource)
        .collect()
}

#[tokio::test]
async fn ensure_creates_then_leaves_unchanged_then_updates() {
    let (server, client, _) = fake(Seed::default()).await;
    let user = UserId::new(&server.users()[0]);
    let role = RoleId::new(&server.roles()[0]);
    let other_role = RoleId::new(&server.roles()[1]);
    let project = Resource::Project(ProjectId::new(&server.projects()[0]));

    let created = client.ensure(&user, &role, &project).await.unwrap();
    assert_eq!(created.outcome, EnsureOutcome::Created);
    assert!(created.changed());
    assert_eq!(created.binding.role_id, role);
    assert_eq!(created.binding.resource, project);

    let unchanged = client.ensure(&user, &role, &project).await.unwrap();
    assert_eq!(unchanged.outcome, EnsureOutcome::Unchanged);
    assert!(!unchanged.changed());
    assert_eq!(unchanged.binding.id, created.binding.id);

    let updated = client.ensure(&user, &other_role, &project).await.unwrap();
    assert_eq!(
        updated.outcome,
        EnsureOutcome::Updated {
            previous_role: role.clone()
        }
    );
    assert_eq!(updated.binding.id, created.binding.id);
    assert_eq!(updated.binding.role_id, other_role);
    assert_eq!(updated.binding.created_at, created.binding.created_at);

    let on_server = bindings_of(&server, user.as_str(), project.id());
    assert_eq!(on_server.len(), 1);
    assert_eq!(on_server[0].role_id.0, other_role.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_concurrent_ensures_leave_exactly_one_binding() {
    let (server, client, _) = fake(Seed::default()).await;
    let user = UserId::new(&server.users()[1]);
    let role = RoleId::new(&server.roles()[2]);
    let space = Resource::Space(SpaceId::new(&server.spaces()[0]));

    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (client, user, role, space) =
                (client.clone(), user.clone(), role.clone(), space.clone());
            tokio::spawn(async move { client.ensure(&user, &role, &space).await })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap().unwrap());
    }
    let created = outcomes
        .iter()
        .filter(|e| e.outcome == EnsureOutcome::Created)
        .count();
    let unchanged = outcomes
        .iter()
        .filter(|e| e.outcome == EnsureOutcome::Unchanged)
        .count();
    assert_eq!((created, unchanged), (1, 15));
    let id = &outcomes[0].binding.id;
    assert!(
        outcomes
            .iter()
            .all(|e| &e.binding.id == id && e.binding.role_id == role)
    );

    let on_server = bindings_of(&server, user.as_str(), space.id());
    assert_eq!(on_server.len(), 1);
    assert_eq!(on_server[0].role_id.0, role.as_str());
    assert_eq!(server.request_count(Operation::Create), 16);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_ensures_with_different_roles_still_leave_one_binding() {
    let (server, client, _) = fake(Seed::default()).await;
    let user = UserId::new(&server.users()[2]);
    let roles: Vec<RoleId> = server.roles().iter().map(RoleId::new).collect();
    let project = Resource::Project(ProjectId::new(&server.models()[0]));
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let (client, user, role, project) = (
                client.clone(),
                user.clone(),
                roles[i % roles.len()].clone(),
                project.clone(),
            );
            tokio::spawn(async move { client.ensure(&user, &role, &project).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(bindings_of(&server, user.as_str(), project.id()).len(), 1);
}

#[tokio::test]
async fn revoke_removes_the_binding_once() {
    let (server, client, _) = fake(Seed::default()).await;
    let user = UserId::new(&server.users()[0]);
    let role = RoleId::new(&server.roles()[0]);
    let space = Resource::Space(SpaceId::new(&server.spaces()[1]));
    // Another binding of the same user that must survive.
    let other = Resource::Space(SpaceId::new(&server.spaces()[0]));
    client.create(&user, &role, &other).await.unwrap();
    let binding = client.create(&user, &role, &space).await.unwrap();

    match client.revoke(&user, &space).await.unwrap() {
        Revoked::Removed(removed) => assert_eq!(removed.id, binding.id),
        Revoked::NotFound => panic!("nothing removed"),
    }
    assert!(bindings_of(&server, user.as_str(), space.id()).is_empty());
    assert_eq!(bindings_of(&server, user.as_str(), other.id()).len(), 1);
    assert_eq!(
        client.revoke(&user, &space).await.unwrap(),
        Revoked::NotFound
    );
}

/// A create whose 201 was lost (applied, then the connection dropped) is
/// not retried by `create`, and `ensure` recovers from it.
#[tokio::test]
async fn a_lost_create_answer_is_not_retried_and_ensure_recovers() {
    let (server, client, sleeper) = fake(Seed::default()).await;
    let user = UserId::new(&server.users()[0]);
    let role = RoleId::new(&server.roles()[0]);
    let space = Resource::Space(SpaceId::new(&server.spaces()[0]));

    server.faults().inject(
        FaultRule::new(Fault::CloseAfterApply)
            .on(Operation::Create)
            .next(1),
    );
    let err = client.create(&user, &role, &space).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                phase: TransportPhase::AfterSend,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.request_count(Operation::Create), 1);
    assert!(sleeper.delays().is_empty());
    assert_eq!(bindings_of(&server, user.as_str(), space.id()).len(), 1);

    let other_space = Resource::Space(SpaceId::new(&server.spaces()[1]));
    server.faults().inject(
        FaultRule::new(Fault::CloseAfterApply)
            .on(Operation::Create)
            .next(1),
    );
    let ensured = client.ensure(&user, &role, &other_space).await.unwrap();
    // The first round's create was applied without an answer; the second
    // round finds the binding.
    assert_eq!(ensured.outcome, EnsureOutcome::Unchanged);
    assert_eq!(
        bindings_of(&server, user.as_str(), other_space.id()).len(),
        1
    );
}

#[tokio::test]
async fn faults_before_the_operation_are_retried() {
    let (server, client, sleeper) = fake(Seed::default()).await;
    let user = UserId::new(&server.users()[0]);
    let role = RoleId::new(&server.roles()[0]);
    let space = Resource::Space(SpaceId::new(&server.spaces()[0]));
    server.faults().inject(
        FaultRule::new(Fault::Status(503))
            .on(Operation::Create)
            .next(2),
    );
    client.create(&user, &role, &space).await.unwrap();
    assert_eq!(server.request_count(Operation::Create), 3);
    assert_eq!(sleeper.delays().len(), 2);

    // A proxy's HTML 502 on a read is retried too, and the problem is built
    // from the status line when the attempts run out.
    server
        .faults()
        .inject(FaultRule::new(Fault::HtmlErrorPage(502)).on(Operation::List));
    let err = client
        .list_page(&ListQuery::new(ResourceType::Space))
        .await
        .unwrap_err();
    assert_eq!(err.problem().unwrap().title, "Bad Gateway");
    assert_eq!(server.request_count(Operation::List), 3);
}

#[tokio::test]
async fn the_fake_server_lists_across_60_pages_and_resumes() {
    let seed = Seed::empty().users(60).roles(1).spaces(1).bindings(60);
    let (server, client, _) = fake(seed).await;
    let query = ListQuery::new(ResourceType::Space)
        .limit(1)
        .read_ahead(ReadAhead::OnePage);
    let all: Vec<_> = client.list(query.clone()).try_collect().await.unwrap();
    assert_eq!(all.len(), 60);
    let expected: Vec<String> = server.bindings().into_iter().map(|b| b.id.0).collect();
    let got: Vec<String> = all.iter().map(|b| b.id.to_string()).collect();
    assert_eq!(got, expected);
    // Read-ahead never had more than the current request and one more in
    // flight (here: one, the stream is the only client).
    assert!(server.peak_in_flight() <= 2, "{}", server.peak_in_flight());

    // Stop after 25 pages, keep the cursor, resume.
    let mut pages = client.pages(query.clone().read_ahead(ReadAhead::Off));
    let mut first = Vec::new();
    let mut saved = None;
    while let Some(page) = pages.try_next().await.unwrap() {
        first.extend(page.bindings().iter().map(|b| b.id.to_string()));
        saved = page.next_cursor().cloned();
        if pages.pages_received() == 25 {
            break;
        }
    }
    drop(pages);
    let rest: Vec<_> = client
        .list(query.cursor(saved.unwrap()))
        .try_collect()
        .await
        .unwrap();
    first.extend(rest.iter().map(|b| b.id.to_string()));
    assert_eq!(first, expected);
}

#[tokio::test]
async fn the_fake_servers_guards_faults_end_streams() {
    let (server, client, _) = fake(Seed::default().bindings(4)).await;
    for (fault, check) in [
        (Fault::RepeatedCursor, "RepeatedCursor"),
        (Fault::HasMoreWithoutCursor, "MissingCursor"),
        (Fault::EndlessEmptyPages, "TooManyEmptyPages"),
    ] {
        server.faults().clear();
        server
            .faults()
            .inject(FaultRule::new(fault).on(Operation::List));
        let err = client
            .list(ListQuery::new(ResourceType::Space))
            .try_collect::<Vec<_>>()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Pagination(_)), "{err:?}");
        assert!(format!("{err:?}").contains(check), "{err:?}");
    }
}

/// The binding seen in the 409 disappears before the lookup: `ensure`
/// creates again.
#[tokio::test]
async fn ensure_creates_again_when_the_conflicting_binding_vanishes() {
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    let conflict = server.create_role_binding(|_, then| {
        then.conflict(&problem(409, "Resource Conflict", "exists"))
            .into_inner()
            .up_to_n_times(1);
    });
    let lookup = server.list_role_bindings(|when, then| {
        when.resource_type(RoleBindingResourceType::Space)
            .user_id(&id(USER));
        then.ok(&page(
            vec![wire_binding(
                BINDING_ID,
                ROLE,
                USER,
                "SPACE",
                "another-space",
            )],
            None,
        ));
    });
    let created = server.create_role_binding(|_, then| {
        then.created(&wire_binding(BINDING_ID, ROLE, USER, "SPACE", SPACE));
    });
    let unmatched = catch_all(&server);
    let ensured = client
        .ensure(
            &UserId::new(USER),
            &RoleId::new(ROLE),
            &Resource::Space(SpaceId::new(SPACE)),
        )
        .await
        .unwrap();
    assert_eq!(ensured.outcome, EnsureOutcome::Created);
    conflict.assert_calls(1);
    lookup.assert_calls(1);
    created.assert_calls(1);
    unmatched.assert_calls(0);
}

/// The binding is deleted between the lookup and the update: `ensure`
/// starts over; a binding that keeps conflicting ends in the 409 after a
/// bounded number of rounds.
#[tokio::test]
async fn ensure_is_bounded_when_bindings_keep_vanishing() {
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    let conflict = server.create_role_binding(|_, then| {
        then.conflict(&problem(409, "Resource Conflict", "exists"));
    });
    let lookup = server.list_role_bindings(|_, then| {
        then.ok(&page(vec![], None));
    });
    let err = client
        .ensure(
            &UserId::new(USER),
            &RoleId::new(ROLE),
            &Resource::Space(SpaceId::new(SPACE)),
        )
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err:?}");
    conflict.assert_calls(4);
    lookup.assert_calls(4);

    // Deleted between lookup and update.
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    server.create_role_binding(|_, then| {
        then.conflict(&problem(409, "Resource Conflict", "exists"))
            .into_inner()
            .up_to_n_times(1);
    });
    server.list_role_bindings(|_, then| {
        then.ok(&page(
            vec![wire_binding(BINDING_ID, OTHER_ROLE, USER, "SPACE", SPACE)],
            None,
        ));
    });
    let update = server.update_role_binding(|_, then| {
        then.not_found(&problem(404, "Resource Not Found", "gone"));
    });
    let created = server.create_role_binding(|_, then| {
        then.created(&wire_binding(
            "Um9sZUJpbmRpbmc6OTp6eg==",
            ROLE,
            USER,
            "SPACE",
            SPACE,
        ));
    });
    let ensured = client
        .ensure(
            &UserId::new(USER),
            &RoleId::new(ROLE),
            &Resource::Space(SpaceId::new(SPACE)),
        )
        .await
        .unwrap();
    assert_eq!(ensured.outcome, EnsureOutcome::Created);
    update.assert_calls(1);
    created.assert_calls(1);
}

#[tokio::test]
async fn revoke_treats_a_concurrent_delete_as_not_found() {
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    server.list_role_bindings(|_, then| {
        then.ok(&page(
            vec![wire_binding(BINDING_ID, ROLE, USER, "SPACE", SPACE)],
            None,
        ));
    });
    let delete = server.delete_role_binding(|_, then| {
        then.not_found(&problem(404, "Resource Not Found", "gone"));
    });
    let revoked = client
        .revoke(&UserId::new(USER), &Resource::Space(SpaceId::new(SPACE)))
        .await
        .unwrap();
    assert_eq!(revoked, Revoked::NotFound);
    delete.assert_calls(1);
}

#[tokio::test]
async fn timeouts_against_the_fake_server() {
    let (server, _, _) = fake(Seed::default()).await;
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = builder(server.base_url(), &sleeper)
        .attempt_timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    server
        .faults()
        .set_latency(Some(Operation::Get), Duration::from_secs(2));
    let err = client
        .get(&arize_role_bindings::RoleBindingId::new(
            "Um9sZUJpbmRpbmc6MTphQmNE",
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_eq!(server.request_count(Operation::Get), 3);
}

#[tokio::test]
async fn a_problem_served_as_text_plain_is_still_a_problem() {
    let (server, client, sleeper) = fake(Seed::default()).await;
    let user = UserId::new(&server.users()[0]);
    let role = RoleId::new(&server.roles()[0]);
    let space = Resource::Space(SpaceId::new(&server.spaces()[0]));
    server.faults().inject(
        FaultRule::new(Fault::ProblemAsTextPlain(409))
            .on(Operation::Create)
            .next(1),
    );
    let err = client.create(&user, &role, &space).await.unwrap_err();
    assert!(err.is_conflict(), "{err:?}");
    assert_eq!(err.problem().unwrap().status, 409);
    server.faults().inject(
        FaultRule::new(Fault::ProblemAsTextPlain(503))
            .on(Operation::Create)
            .next(1),
    );
    client.create(&user, &role, &space).await.unwrap();
    assert_eq!(sleeper.delays().len(), 1);
}
