//! The directory through the facade, against the stateful fake server:
//! `client.users()`, `roles()`, `spaces()`, `projects()` (get, list, every
//! filter), the lookups by e-mail and name (not found with near names,
//! ambiguous projects), names in `create` / `ensure` / `revoke` / bulk, the
//! [`Directory`] that resolves 1,000 grants for the pages of the four lists,
//! and retries on a directory call.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout
)]

mod facade_support;

use std::sync::Arc;

use arize_fake_server::{
    FakeServer, Fault, FaultRule, Operation, Seed, SeedProject, SeedRole, SeedSpace, SeedUser,
};
use arize_role_bindings::directory::{
    Directory, Kind, LookupError, ProjectQuery, RoleKind, RoleQuery, SpaceQuery, UserQuery,
    UserStatus,
};
use arize_role_bindings::{
    Client, EnsureOutcome, Error, Grant, OrganizationId, Resource, ResourceRef, Revocation,
    Revoked, RoleRef, SpaceId, SpaceRef, UserId, UserRef,
};
use facade_support::*;
use futures::{StreamExt as _, TryStreamExt as _};

const DIRECTORY_LISTS: [Operation; 4] = [
    Operation::ListUsers,
    Operation::ListRoles,
    Operation::ListSpaces,
    Operation::ListProjects,
];

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

/// Named users, roles, spaces and projects: "shared" exists in two spaces;
/// "prod" and "production" share a prefix.
fn named_seed() -> Seed {
    Seed::empty()
        .users(3)
        .roles(2)
        .with_user(SeedUser::default().email("alice@example.com").name("Alice"))
        .with_user(
            SeedUser::default()
                .email("malice@example.com")
                .name("Mallory"),
        )
        .with_user(
            SeedUser::default()
                .email("bob@example.com")
                .status(arize_api::types::UserStatus::Invited),
        )
        .with_user(
            SeedUser::default()
                .email("carol@example.com")
                .status(arize_api::types::UserStatus::Expired),
        )
        .with_role(SeedRole::default().name("Auditor"))
        .with_space(SeedSpace::default().name("prod").description("production"))
        .with_space(SeedSpace::default().name("production"))
        .with_space(SeedSpace::default().name("staging"))
        .with_project(SeedProject::default().name("shared").space("prod"))
        .with_project(SeedProject::default().name("shared").space("staging"))
        .with_project(SeedProject::default().name("churn").space("prod"))
}

fn lookup(error: Error) -> LookupError {
    match error {
        Error::Lookup(e) => e,
        other => panic!("expected a lookup error, got {other:?}"),
    }
}

fn last_query(server: &FakeServer, op: Operation) -> String {
    server
        .requests_for(op)
        .last()
        .and_then(|r| r.raw_query.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn get_and_list_each_kind_as_typed_records() {
    let (server, client, _) = fake(named_seed()).await;
    let dir = server.directory();

    // Users: every page (limit 2), in the server's order, as typed records
    // whose JSON is the API's.
    let users: Vec<_> = client
        .users()
        .list(UserQuery::new().limit(2))
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
    let expected: Vec<&str> = dir.users.iter().map(|u| u.id.0.as_str()).collect();
    assert_eq!(ids, expected);
    assert!(server.request_count(Operation::ListUsers) >= 4);
    let alice = client.users().get(&users[0].id).await.unwrap();
    assert_eq!(alice, users[0]);
    assert_eq!(alice.email, "alice@example.com");
    assert_eq!(alice.status, UserStatus::Active);
    assert_eq!(
        serde_json::to_value(&alice).unwrap(),
        serde_json::to_value(&dir.users[0]).unwrap(),
        "a User serialises as the API's JSON"
    );
    let back: arize_role_bindings::directory::User =
        serde_json::from_value(serde_json::to_value(&dir.users[0]).unwrap()).unwrap();
    assert_eq!(back, alice);

    // Roles.
    let roles: Vec<_> = client
        .roles()
        .list(RoleQuery::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(roles.len(), dir.roles.len());
    let member = roles.iter().find(|r| r.name == "Member").unwrap();
    assert!(member.is_predefined && member.kind() == RoleKind::Predefined);
    assert_eq!(client.roles().get(&member.id).await.unwrap(), *member);

    // Spaces and projects.
    let spaces: Vec<_> = client
        .spaces()
        .list(SpaceQuery::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(spaces.len(), dir.spaces.len());
    let prod = spaces.iter().find(|s| s.name == "prod").unwrap();
    assert_eq!(prod.description, "production");
    assert_eq!(client.spaces().get(&prod.id).await.unwrap(), *prod);
    let projects: Vec<_> = client
        .projects()
        .list(ProjectQuery::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(projects.len(), dir.projects.len());
    assert_eq!(
        client.projects().get(&projects[0].id).await.unwrap(),
        projects[0]
    );

    // A get of an unknown ID is the API's 404.
    let missing = client
        .users()
        .get(&UserId::new("VXNlcjo5OTk5OTpub3Bl"))
        .await
        .unwrap_err();
    assert!(missing.is_not_found(), "{missing}");
    // An ID of another type is refused before sending.
    let before = server.total_requests();
    let wrong = client
        .spaces()
        .get(&SpaceId::new(projects[0].id.as_str()))
        .await
        .unwrap_err();
    assert!(wrong.is_validation(), "{wrong}");
    assert!(
        client
            .roles()
            .get(&arize_role_bindings::RoleId::new(alice.id.as_str()))
            .await
            .unwrap_err()
            .is_validation()
    );
    assert_eq!(server.total_requests(), before);
}

#[tokio::test]
async fn every_filter_is_sent_and_applied() {
    let (server, client, _) = fake(named_seed()).await;

    // users: email (partial, case-insensitive), status (repeatable).
    let found: Vec<_> = client
        .users()
        .list(UserQuery::new().email("ALICE@"))
        .try_collect()
        .await
        .unwrap();
    let emails: Vec<&str> = found.iter().map(|u| u.email.as_str()).collect();
    assert_eq!(emails, ["alice@example.com", "malice@example.com"]);
    let gone: Vec<_> = client
        .users()
        .list(
            UserQuery::new()
                .status(UserStatus::Invited)
                .status(UserStatus::Expired),
        )
        .try_collect()
        .await
        .unwrap();
    let emails: Vec<&str> = gone.iter().map(|u| u.email.as_str()).collect();
    assert_eq!(emails, ["bob@example.com", "carol@example.com"]);
    assert_eq!(
        last_query(&server, Operation::ListUsers),
        "status=INVITED&status=EXPIRED"
    );

    // roles: is_predefined.
    let custom: Vec<_> = client
        .roles()
        .list(RoleQuery::new().kind(RoleKind::Custom))
        .try_collect()
        .await
        .unwrap();
    assert!(!custom.is_empty() && custom.iter().all(|r| !r.is_predefined));
    assert_eq!(
        last_query(&server, Operation::ListRoles),
        "is_predefined=false"
    );
    let predefined: Vec<_> = client
        .roles()
        .list(RoleQuery::new().kind(RoleKind::Predefined))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(predefined.len(), 4);

    // spaces: name (substring), org_id (sent).
    let named: Vec<_> = client
        .spaces()
        .list(SpaceQuery::new().name("PROD"))
        .try_collect()
        .await
        .unwrap();
    let names: Vec<&str> = named.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["prod", "production"]);
    let _ = client
        .spaces()
        .list_page(&SpaceQuery::new().org(OrganizationId::new("T3JnYW5pemF0aW9uOjEyMzQ1")))
        .await;
    assert!(
        last_query(&server, Operation::ListSpaces).contains("org_id=T3JnYW5pemF0aW9uOjEyMzQ1"),
        "{}",
        last_query(&server, Operation::ListSpaces)
    );

    // projects: space_id, space_name, name.
    let prod = server.directory().space_named("prod").unwrap().id.0.clone();
    let in_prod: Vec<_> = client
        .projects()
        .list(ProjectQuery::new().space(SpaceId::new(&prod)))
        .try_collect()
        .await
        .unwrap();
    let names: Vec<&str> = in_prod.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["shared", "churn"]);
    let staging: Vec<_> = client
        .projects()
        .list(ProjectQuery::new().space_name("stag").name("SHA"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(staging.len(), 1);
    assert_eq!(staging[0].name, "shared");
    assert_ne!(staging[0].space_id.as_str(), prod);
    let query = last_query(&server, Operation::ListProjects);
    assert!(
        query.contains("space_name=stag") && query.contains("name=SHA"),
        "{query}"
    );

    // Checked before sending: a limit out of range, a status the API does
    // not take.
    let before = server.total_requests();
    let bad = client
        .users()
        .list_page(&UserQuery::new().limit(0))
        .await
        .unwrap_err();
    assert!(bad.is_validation(), "{bad}");
    let bad = client
        .users()
        .list_page(&UserQuery::new().status(UserStatus::Other("DELETED".into())))
        .await
        .unwrap_err();
    assert!(bad.to_string().contains("DELETED"), "{bad}");
    assert_eq!(server.total_requests(), before);
}

#[tokio::test]
async fn users_by_email_exact_ignoring_case_with_status() {
    let (server, client, _) = fake(named_seed()).await;
    // The server's partial match finds alice@ and malice@; the exact
    // comparison (ignoring case) picks one.
    let alice = client.users().by_email("ALICE@example.COM").await.unwrap();
    assert_eq!(alice.email, "alice@example.com");
    assert_eq!(
        last_query(&server, Operation::ListUsers),
        "email=ALICE%40example.COM&limit=100"
    );

    // Not found: the near names are the partial matches the lookup saw.
    let e = lookup(
        client
            .users()
            .by_email("lice@example.com")
            .await
            .unwrap_err(),
    );
    match &e {
        LookupError::NotFound { kind, name, near } => {
            assert_eq!(*kind, Kind::User);
            assert_eq!(name, "lice@example.com");
            assert_eq!(near, &["alice@example.com", "malice@example.com"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        e.to_string().contains("did you mean `alice@example.com`"),
        "{e}"
    );

    // Status: carol is EXPIRED; only ACTIVE users do not have her.
    let carol = client.users().by_email("carol@example.com").await.unwrap();
    assert_eq!(carol.status, UserStatus::Expired);
    let e = lookup(
        client
            .users()
            .by_email_with_status("carol@example.com", [UserStatus::Active])
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(e, LookupError::NotFound { ref near, .. } if near.is_empty()),
        "{e:?}"
    );
}

#[tokio::test]
async fn roles_by_exact_name_predefined_or_custom() {
    let (server, client, _) = fake(named_seed().roles(150)).await;
    let dir = server.directory();
    assert!(dir.roles.len() > 100);
    // The page (of 100) on which the server lists a role.
    let page_of = |name: &str| dir.roles.iter().position(|r| r.name == name).unwrap() / 100 + 1;
    let member = client.roles().by_name("Member").await.unwrap();
    assert!(member.is_predefined);
    // The lookup pages up to the page that has it, and stops there.
    let mut pages = page_of("Member");
    assert_eq!(server.request_count(Operation::ListRoles), pages);

    let auditor = client.roles().by_name("Auditor").await.unwrap();
    assert!(!auditor.is_predefined);
    pages += page_of("Auditor");
    // A custom role past the first page of 100: paged to.
    let far = dir
        .roles
        .iter()
        .skip(100)
        .find(|r| !r.is_predefined)
        .unwrap()
        .name
        .clone();
    let last = client.roles().by_name(&far).await.unwrap();
    assert_eq!(last.kind(), RoleKind::Custom);
    pages += page_of(&far);
    assert_eq!(page_of(&far), 2);
    assert_eq!(server.request_count(Operation::ListRoles), pages);

    // Exact, case included; near names from every role seen.
    let e = lookup(client.roles().by_name("member").await.unwrap_err());
    let LookupError::NotFound { kind, near, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(*kind, Kind::Role);
    assert_eq!(near.first().map(String::as_str), Some("Member"));
    let e = lookup(client.roles().by_name("Membr").await.unwrap_err());
    assert!(e.to_string().contains("did you mean `Member`"), "{e}");

    // Of a kind: "Member" is not a custom role.
    assert!(
        client
            .roles()
            .by_name_of_kind("Member", RoleKind::Custom)
            .await
            .is_err()
    );
    assert_eq!(
        client
            .roles()
            .by_name_of_kind("Auditor", RoleKind::Custom)
            .await
            .unwrap(),
        auditor
    );
}

#[tokio::test]
async fn spaces_and_projects_by_exact_name() {
    let (server, client, _) = fake(named_seed()).await;
    // "prod" also matches "production" on the server: compared exactly.
    let prod = client.spaces().by_name("prod").await.unwrap();
    assert_eq!(prod.name, "prod");
    let e = lookup(client.spaces().by_name("prd").await.unwrap_err());
    let LookupError::NotFound { kind, near, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(*kind, Kind::Space);
    assert_eq!(near.first().map(String::as_str), Some("prod"));

    // A project within a space given by ID or by name.
    let by_id = client
        .projects()
        .by_name("shared", prod.id.clone())
        .await
        .unwrap();
    assert_eq!(by_id.space_id, prod.id);
    let by_name = client
        .projects()
        .by_name("shared", SpaceRef::name("staging"))
        .await
        .unwrap();
    assert_ne!(by_name.space_id, prod.id);
    assert_eq!(by_name.name, "shared");
    let e = lookup(
        client
            .projects()
            .by_name("chrn", SpaceRef::name("prod"))
            .await
            .unwrap_err(),
    );
    assert!(e.to_string().contains("did you mean `churn`"), "{e}");
    // The space itself may be what is missing.
    let e = lookup(client.projects().by_name("shared", "qa").await.unwrap_err());
    assert_eq!(e.kind(), Kind::Space);

    // A project name alone that exists in two spaces is ambiguous.
    let e = lookup(
        client
            .projects()
            .by_name_in_any_space("shared")
            .await
            .unwrap_err(),
    );
    let LookupError::Ambiguous {
        kind, candidates, ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(*kind, Kind::Project);
    let ids: Vec<&str> = candidates.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, [by_id.id.as_str(), by_name.id.as_str()]);
    assert!(e.to_string().contains("name the space too"), "{e}");
    assert_eq!(
        client
            .projects()
            .by_name_in_any_space("churn")
            .await
            .unwrap()
            .space_id,
        prod.id
    );
    let _ = server;
}

#[tokio::test]
async fn names_in_create_ensure_revoke_and_bulk() {
    let (server, client, _) = fake(named_seed()).await;
    let dir = server.directory();
    let alice = dir.user_by_email("alice@example.com").unwrap().id.0.clone();
    let member = dir.role_named("Member").unwrap().id.0.clone();
    let admin = dir.role_named("Admin").unwrap().id.0.clone();
    let prod = dir.space_named("prod").unwrap().id.0.clone();
    let churn = dir.project_named("prod", "churn").unwrap().id.0.clone();

    // create by names: resolved first, the binding has the IDs.
    let binding = client
        .create(
            UserRef::email("Alice@Example.com"),
            RoleRef::name("Member"),
            ResourceRef::space_named("prod"),
        )
        .await
        .unwrap();
    assert_eq!(binding.user_id.as_str(), alice);
    assert_eq!(binding.role_id.as_str(), member);
    assert_eq!(binding.resource, Resource::Space(SpaceId::new(&prod)));

    // ensure with plain strings (Arize's rule: an ID or a name) and a
    // project by name within a space by name.
    let ensured = client
        .ensure("alice@example.com", "Admin", ResourceRef::space("prod"))
        .await
        .unwrap();
    assert!(matches!(ensured.outcome, EnsureOutcome::Updated { .. }));
    assert_eq!(ensured.binding.role_id.as_str(), admin);
    let ensured = client
        .ensure(
            alice.as_str(),
            member.as_str(),
            ResourceRef::project_named("churn", "prod"),
        )
        .await
        .unwrap();
    assert_eq!(ensured.outcome, EnsureOutcome::Created);
    assert_eq!(ensured.binding.resource.id(), churn);

    // revoke by names.
    let revoked = client
        .revoke(
            UserRef::email("alice@example.com"),
            ResourceRef::project_named("churn", SpaceId::new(&prod)),
        )
        .await
        .unwrap();
    assert!(matches!(revoked, Revoked::Removed(ref b) if b.resource.id() == churn));

    // A name that does not resolve: typed error, nothing created.
    let creates = server.request_count(Operation::Create);
    let e = client
        .create(
            "alice@example.com",
            "Membr",
            ResourceRef::space_named("prod"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            e.lookup(),
            Some(LookupError::NotFound {
                kind: Kind::Role,
                ..
            })
        ),
        "{e}"
    );
    let e = client
        .ensure(
            "alice@example.com",
            "Member",
            ResourceRef::project_named("shared", "nope"),
        )
        .await
        .unwrap_err();
    assert_eq!(e.lookup().map(LookupError::kind), Some(Kind::Space), "{e}");
    assert_eq!(server.request_count(Operation::Create), creates);

    // bulk, with one lookup per name, and with a loaded directory.
    let grants = vec![
        Grant::new(
            "bob@example.com",
            "Member",
            ResourceRef::space_named("staging"),
        ),
        Grant::new(
            "carol@example.com",
            "Auditor",
            ResourceRef::project_named("shared", "staging"),
        ),
        Grant::new(
            "nobody@example.com",
            "Member",
            ResourceRef::space_named("prod"),
        ),
    ];
    let mut items: Vec<_> = client.ensure_all(grants.clone()).collect().await;
    items.sort_by_key(|i| i.index);
    assert!(items[0].is_ok() && items[1].is_ok(), "{items:?}");
    assert_eq!(items[1].input, grants[1], "the input comes back as given");
    assert!(matches!(items[2].result, Err(Error::Lookup(_))));

    let directory = Directory::load(&client).await.unwrap();
    let before = DIRECTORY_LISTS.map(|op| server.request_count(op));
    let mut items: Vec<_> = client
        .bulk()
        .directory(directory.clone())
        .ensure(grants.clone())
        .collect()
        .await;
    items.sort_by_key(|i| i.index);
    assert!(
        items[..2].iter().all(|i| matches!(
            i.result,
            Ok(ref e) if e.outcome == EnsureOutcome::Unchanged
        )),
        "{items:?}"
    );
    assert!(matches!(items[2].result, Err(Error::Lookup(_))));
    let revocations = vec![Revocation::new(
        "bob@example.com",
        ResourceRef::space_named("staging"),
    )];
    let items: Vec<_> = client
        .bulk()
        .directory(directory)
        .revoke(revocations)
        .collect()
        .await;
    assert!(matches!(items[0].result, Ok(Revoked::Removed(_))));
    assert_eq!(
        DIRECTORY_LISTS.map(|op| server.request_count(op)),
        before,
        "with a directory, bulk sends no lookups"
    );

    // Existing ID calls compile and work unchanged.
    let user = UserId::new(&alice);
    let role = arize_role_bindings::RoleId::new(&member);
    let space = Resource::Space(SpaceId::new(&prod));
    let ensured = client.ensure(&user, &role, &space).await.unwrap();
    assert!(ensured.binding.user_id == user);
}

#[test]
fn arizes_rule_tells_ids_from_names() {
    assert_eq!(
        UserRef::from("VXNlcjo0MjphQmNE"),
        UserRef::Id(UserId::new("VXNlcjo0MjphQmNE"))
    );
    assert_eq!(
        UserRef::from("alice@example.com"),
        UserRef::email("alice@example.com")
    );
    assert_eq!(RoleRef::from("Member"), RoleRef::name("Member"));
    assert!(matches!(RoleRef::from("Um9sZToxOmFCY0Q"), RoleRef::Id(_)));
    assert_eq!(ResourceRef::space("prod"), ResourceRef::space_named("prod"));
    assert!(matches!(
        ResourceRef::space("U3BhY2U6MTpiRnVM"),
        ResourceRef::Id(Resource::Space(_))
    ));
    // Base64 of text without a colon is a name.
    assert_eq!(SpaceRef::from("aGVsbG8="), SpaceRef::name("aGVsbG8="));
}

/// 1,000 grants over 50 custom roles (plus the 4 predefined), 500 users
/// and 20 spaces: loading the directory costs exactly the pages of the four
/// lists, and resolving (and ensuring) every grant adds no directory
/// request.
#[tokio::test]
async fn a_thousand_names_cost_the_pages_of_the_lists() {
    let (server, client, _) = fake(Seed::empty().users(500).roles(50).spaces(20)).await;
    let dir = server.directory();
    let pages = |n: usize| n.div_ceil(100).max(1);
    let expected = pages(dir.users.len())
        + pages(dir.roles.len())
        + pages(dir.spaces.len())
        + pages(dir.projects.len());
    assert_eq!(dir.users.len(), 500);
    assert_eq!(dir.roles.len(), 54);

    let grants: Vec<Grant> = (0..1000)
        .map(|i| {
            let user = &dir.users[i % 500].email;
            let role = &dir.roles[i % dir.roles.len()].name;
            let space = &dir.spaces[(i % 20 + i / 500) % 20].name;
            Grant::new(
                user.as_str(),
                RoleRef::name(role),
                ResourceRef::space_named(space),
            )
        })
        .collect();

    let directory = Directory::load(&client).await.unwrap();
    let resolved: Vec<Grant> = grants
        .iter()
        .map(|g| directory.resolve_grant(g).unwrap())
        .collect();
    let requests = server.total_requests();
    println!(
        "resolved {} grants ({} users, {} roles, {} spaces) with {requests} requests = {expected} pages",
        resolved.len(),
        dir.users.len(),
        dir.roles.len(),
        dir.spaces.len()
    );
    assert_eq!(requests, expected);
    assert!(resolved.iter().all(|g| g.user.as_id().is_some()
        && g.role.as_id().is_some()
        && g.resource.as_resource().is_some()));

    // Ensuring them all through the directory: one create each, no lookup.
    let results: Vec<_> = client
        .bulk()
        .directory(directory)
        .ensure(grants)
        .collect()
        .await;
    assert!(results.iter().all(|r| r.is_ok()));
    assert_eq!(server.bindings().len(), 1000);
    let lists: usize = DIRECTORY_LISTS
        .iter()
        .map(|op| server.request_count(*op))
        .sum();
    assert_eq!(lists, expected);
    assert_eq!(server.total_requests(), expected + 1000);
}

#[tokio::test]
async fn directory_serde_round_trips() {
    let (_server, client, _) = fake(named_seed()).await;
    let directory = Directory::load(&client).await.unwrap();
    let json = serde_json::to_string(&directory).unwrap();
    let back: Directory = serde_json::from_str(&json).unwrap();
    assert_eq!(back, directory);
    assert_eq!(
        back.project_named("shared", "staging").unwrap(),
        directory.project_named("shared", "staging").unwrap()
    );
}

#[tokio::test]
async fn directory_calls_retry_through_the_shared_executor() {
    let (server, client, sleeper) = fake(named_seed()).await;
    server.faults().inject(
        FaultRule::new(Fault::Status(503))
            .on(Operation::ListUsers)
            .next(1),
    );
    let alice = client.users().by_email("alice@example.com").await.unwrap();
    assert_eq!(alice.email, "alice@example.com");
    assert_eq!(server.request_count(Operation::ListUsers), 2);
    assert_eq!(sleeper.delays().len(), 1);

    server.faults().inject(
        FaultRule::new(Fault::Status(503))
            .on(Operation::GetRole)
            .next(1),
    );
    let role = client.roles().by_name("Member").await.unwrap();
    assert_eq!(client.roles().get(&role.id).await.unwrap(), role);
    assert_eq!(server.request_count(Operation::GetRole), 2);

    // A 403 is not retried, and surfaces as the API's answer.
    server.faults().inject(
        FaultRule::new(Fault::Status(403))
            .on(Operation::ListSpaces)
            .next(1),
    );
    let e = Directory::load(&client).await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(403), "{e}");
    assert_eq!(sleeper.delays().len(), 2);
}
