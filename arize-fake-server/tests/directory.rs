//! The eight directory reads: users, roles, spaces, projects — records,
//! filters, pagination, limits, errors, faults, seeds, and binding creation
//! checked against the directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use arize_api::types::{
    ListProjectsResponse, ListRolesResponse, ListSpacesResponse, ListUsersResponse, Project, Role,
    Space, User, UserRole, UserRoleAssignment, UserStatus,
};
use arize_fake_server::{
    FakeServer, Fault, FaultRule, Operation, RetryAfter, Seed, SeedProject, SeedRole, SeedSpace,
    SeedUser,
};
use chrono::{DateTime, Utc};
use common::{Api, assert_problem, create_body, detail};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The four list paths, with the field holding the items.
const LISTS: [(&str, &str); 4] = [
    ("/v2/users", "users"),
    ("/v2/roles", "roles"),
    ("/v2/spaces", "spaces"),
    ("/v2/projects", "projects"),
];

async fn get_json(api: &Api, path_and_query: &str) -> Value {
    let response = api.get(path_and_query).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path_and_query}");
    response.json().await.unwrap()
}

fn names(page: &Value, field: &str, key: &str) -> Vec<String> {
    page[field]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[key].as_str().unwrap().to_owned())
        .collect()
}

/// Walks every page of `path?query` with `limit`; returns the items' IDs in
/// order and the number of pages.
async fn walk(api: &Api, path: &str, field: &str, query: &str, limit: u32) -> (Vec<String>, usize) {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for pages in 1..1000 {
        let mut q = format!("{path}?limit={limit}&{query}");
        if let Some(c) = &cursor {
            q.push_str(&format!("&cursor={c}"));
        }
        let page = get_json(api, &q).await;
        ids.extend(names(&page, field, "id"));
        if page["pagination"]["has_more"] == json!(true) {
            cursor = Some(
                page["pagination"]["next_cursor"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        } else {
            assert!(page["pagination"].get("next_cursor").is_none());
            return (ids, pages);
        }
    }
    panic!("walk did not end");
}

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_750_000_000 + seconds, 0).unwrap()
}

#[tokio::test]
async fn the_default_seed_has_readable_names_and_arizes_predefined_roles() {
    let api = Api::start().await;
    let dir = api.server.directory();

    let users: Vec<(&str, &str)> = dir
        .users
        .iter()
        .map(|u| (u.name.as_str(), u.email.as_str()))
        .collect();
    assert_eq!(
        users,
        [
            ("User 1", "user1@example.com"),
            ("User 2", "user2@example.com"),
            ("User 3", "user3@example.com"),
        ]
    );
    for user in &dir.users {
        assert_eq!(user.status, UserStatus::Active);
        assert_eq!(
            user.role,
            UserRoleAssignment::Predefined {
                name: UserRole::Member
            }
        );
        assert!(user.is_developer);
        // "User n" has the ID User:n:…
        let n = user.name.trim_start_matches("User ");
        let text = arize_fake_server::decode_global_id(&user.id).unwrap();
        assert!(text.starts_with(&format!("User:{n}:")), "{text}");
    }
    let roles: Vec<(&str, bool)> = dir
        .roles
        .iter()
        .map(|r| (r.name.as_str(), r.is_predefined))
        .collect();
    assert_eq!(
        roles,
        [
            ("Custom Role 1", false),
            ("Custom Role 2", false),
            ("Custom Role 3", false),
            ("Admin", true),
            ("Member", true),
            ("Read Only", true),
            ("Annotator", true),
        ]
    );
    // The predefined roles have the same IDs on every server.
    let admin = arize_fake_server::decode_global_id(&dir.roles[3].id).unwrap();
    assert_eq!(admin, "Role:0:ADMIN");
    assert!(dir.roles.iter().all(|r| !r.permissions.is_empty()));
    let spaces: Vec<&str> = dir.spaces.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(spaces, ["space-1", "space-2"]);
    // Projects go to the spaces in turn.
    let projects: Vec<(&str, &str)> = dir
        .projects
        .iter()
        .map(|p| (p.name.as_str(), p.space_id.0.as_str()))
        .collect();
    assert_eq!(
        projects,
        [
            ("project-1", dir.spaces[0].id.0.as_str()),
            ("project-2", dir.spaces[1].id.0.as_str()),
        ]
    );
    // The ID accessors agree with the records.
    let ids = |v: Vec<String>| v;
    assert_eq!(
        ids(api.server.users()),
        dir.users.iter().map(|u| u.id.0.clone()).collect::<Vec<_>>()
    );
    assert_eq!(
        api.server.roles(),
        dir.roles.iter().map(|r| r.id.0.clone()).collect::<Vec<_>>()
    );
    assert_eq!(
        dir.user_by_email("USER2@example.com").unwrap().name,
        "User 2"
    );
    assert!(dir.role_named("Read Only").unwrap().is_predefined);
    assert_eq!(dir.space_named("space-2").unwrap().id, dir.spaces[1].id);
    assert_eq!(
        dir.project_named("space-1", "project-1").unwrap().id,
        dir.projects[0].id
    );
}

#[tokio::test]
async fn each_read_serves_the_generated_wire_types() {
    let api = Api::start().await;
    let dir = api.server.directory();

    let users: ListUsersResponse =
        serde_json::from_value(get_json(&api, "/v2/users").await).unwrap();
    assert_eq!(users.users, dir.users);
    assert!(!users.pagination.has_more);
    let roles: ListRolesResponse =
        serde_json::from_value(get_json(&api, "/v2/roles").await).unwrap();
    assert_eq!(roles.roles, dir.roles);
    let spaces: ListSpacesResponse =
        serde_json::from_value(get_json(&api, "/v2/spaces").await).unwrap();
    assert_eq!(spaces.spaces, dir.spaces);
    let projects: ListProjectsResponse =
        serde_json::from_value(get_json(&api, "/v2/projects").await).unwrap();
    assert_eq!(projects.projects, dir.projects);

    let user: User =
        serde_json::from_value(get_json(&api, &format!("/v2/users/{}", dir.users[1].id)).await)
            .unwrap();
    assert_eq!(user, dir.users[1]);
    let role: Role =
        serde_json::from_value(get_json(&api, &format!("/v2/roles/{}", dir.roles[4].id)).await)
            .unwrap();
    assert_eq!(role, dir.roles[4]);
    let space: Space =
        serde_json::from_value(get_json(&api, &format!("/v2/spaces/{}", dir.spaces[0].id)).await)
            .unwrap();
    assert_eq!(space, dir.spaces[0]);
    let project: Project = serde_json::from_value(
        get_json(&api, &format!("/v2/projects/{}", dir.projects[1].id)).await,
    )
    .unwrap();
    assert_eq!(project, dir.projects[1]);
    assert_eq!(
        api.server.user(&dir.users[1].id),
        Some(dir.users[1].clone())
    );

    for op in [
        Operation::ListUsers,
        Operation::GetUser,
        Operation::ListRoles,
        Operation::GetRole,
        Operation::ListSpaces,
        Operation::GetSpace,
        Operation::ListProjects,
        Operation::GetProject,
    ] {
        assert_eq!(api.server.request_count(op), 1, "{op}");
    }
}

#[tokio::test]
async fn unknown_ids_are_404_and_every_read_needs_the_key() {
    let api = Api::start().await;
    let dir = api.server.directory();
    // Unknown IDs of the right type, IDs of another type, and opaque text.
    let absent_user = arize_fake_server::encode_global_id("User", 999, "zzzz");
    let cases = [
        ("/v2/users", absent_user.as_str()),
        ("/v2/users", dir.spaces[0].id.0.as_str()),
        ("/v2/roles", "not-a-role"),
        ("/v2/roles", dir.users[0].id.0.as_str()),
        ("/v2/spaces", dir.projects[0].id.0.as_str()),
        ("/v2/spaces", "U3BhY2U6OTk5Onp6eno="),
        ("/v2/projects", dir.spaces[0].id.0.as_str()),
        ("/v2/projects", "UHJvamVjdDo5OTk6enp6eg=="),
    ];
    for (path, id) in cases {
        let body = assert_problem(api.get(&format!("{path}/{id}")).await, 404).await;
        assert!(detail(&body).contains("not found"), "{path}/{id}: {body}");
    }

    let http = reqwest::Client::new();
    for (path, _) in LISTS {
        for url in [path.to_owned(), format!("{path}/{}", dir.users[0].id)] {
            let response = http.get(api.url(&url)).send().await.unwrap();
            assert_problem(response, 401).await;
            let response = http
                .get(api.url(&url))
                .bearer_auth("wrong")
                .send()
                .await
                .unwrap();
            assert_problem(response, 401).await;
        }
    }
    // Only GET is routed on the directory paths.
    let response = api
        .req(reqwest::Method::POST, "/v2/users")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "GET");
    let response = api
        .req(
            reqwest::Method::DELETE,
            &format!("/v2/roles/{}", dir.roles[0].id),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_problem(api.get("/v2/users/a/b").await, 404).await;
}

fn people() -> Seed {
    Seed::empty()
        .with_user(
            SeedUser::default()
                .email("Alice.Smith@Example.com")
                .name("Alice Smith"),
        )
        .with_user(
            SeedUser::default()
                .email("bob@example.org")
                .status(UserStatus::Invited),
        )
        .with_user(
            SeedUser::default()
                .email("carol@example.com")
                .status(UserStatus::Expired)
                .role(UserRoleAssignment::Predefined {
                    name: UserRole::Admin,
                }),
        )
        .users(2)
}

#[tokio::test]
async fn users_email_is_a_case_insensitive_partial_match() {
    let api = Api::with_seed(people()).await;
    let emails = |page: &Value| names(page, "users", "email");
    let page = get_json(&api, "/v2/users?email=alice.smith%40EXAMPLE.COM").await;
    assert_eq!(emails(&page), ["Alice.Smith@Example.com"]);
    let page = get_json(&api, "/v2/users?email=SMITH").await;
    assert_eq!(emails(&page), ["Alice.Smith@Example.com"]);
    let page = get_json(&api, "/v2/users?email=example.com").await;
    assert_eq!(
        emails(&page),
        [
            "Alice.Smith@Example.com",
            "carol@example.com",
            "user4@example.com",
            "user5@example.com",
        ]
    );
    let page = get_json(&api, "/v2/users?email=nobody").await;
    assert!(emails(&page).is_empty());
    // At most 255 characters.
    let long = "a".repeat(256);
    assert_problem(api.get(&format!("/v2/users?email={long}")).await, 400).await;
    let ok = "a".repeat(255);
    get_json(&api, &format!("/v2/users?email={ok}")).await;
}

#[tokio::test]
async fn users_status_is_repeatable_and_defaults_to_all_three() {
    let api = Api::with_seed(people()).await;
    let emails = |page: &Value| names(page, "users", "email");
    let all = [
        "Alice.Smith@Example.com",
        "bob@example.org",
        "carol@example.com",
        "user4@example.com",
        "user5@example.com",
    ];
    assert_eq!(emails(&get_json(&api, "/v2/users").await), all);
    assert_eq!(
        emails(
            &get_json(
                &api,
                "/v2/users?status=ACTIVE&status=INVITED&status=EXPIRED"
            )
            .await
        ),
        all
    );
    assert_eq!(
        emails(&get_json(&api, "/v2/users?status=ACTIVE&status=INVITED").await),
        [
            "Alice.Smith@Example.com",
            "bob@example.org",
            "user4@example.com",
            "user5@example.com",
        ]
    );
    assert_eq!(
        emails(&get_json(&api, "/v2/users?status=EXPIRED").await),
        ["carol@example.com"]
    );
    assert_eq!(
        emails(&get_json(&api, "/v2/users?status=INVITED&email=EXAMPLE.ORG").await),
        ["bob@example.org"]
    );
    let carol = &get_json(&api, "/v2/users?status=EXPIRED").await["users"][0];
    assert_eq!(
        carol["role"],
        json!({"type": "PREDEFINED", "name": "ADMIN"})
    );
    for bad in ["active", "DELETED", ""] {
        let body = assert_problem(api.get(&format!("/v2/users?status={bad}")).await, 400).await;
        assert!(detail(&body).contains("status"), "{body}");
    }
    // Other parameters may not repeat.
    assert_problem(api.get("/v2/users?email=a&email=b").await, 400).await;
}

#[tokio::test]
async fn users_are_listed_oldest_first() {
    let api = Api::with_seed(
        Seed::empty()
            .with_user(
                SeedUser::default()
                    .email("late@example.com")
                    .created_at(at(30)),
            )
            .with_user(
                SeedUser::default()
                    .email("early@example.com")
                    .created_at(at(10)),
            )
            .with_user(
                SeedUser::default()
                    .email("middle@example.com")
                    .created_at(at(20)),
            ),
    )
    .await;
    let page = get_json(&api, "/v2/users").await;
    assert_eq!(
        names(&page, "users", "email"),
        [
            "early@example.com",
            "middle@example.com",
            "late@example.com"
        ]
    );
    // Page by page, the same order.
    let (ids, pages) = walk(&api, "/v2/users", "users", "", 1).await;
    assert_eq!(pages, 3);
    assert_eq!(ids, names(&page, "users", "id"));
}

#[tokio::test]
async fn roles_filter_by_is_predefined() {
    let api = Api::with_seed(
        Seed::empty()
            .with_role(
                SeedRole::default()
                    .name("Auditor")
                    .description("Reads bindings")
                    .permissions(vec![
                        "ROLE_BINDING_READ".to_owned(),
                        "SOME_NEW_PERMISSION".to_owned(),
                    ]),
            )
            .roles(1),
    )
    .await;
    let role_names = |page: &Value| names(page, "roles", "name");
    assert_eq!(
        role_names(&get_json(&api, "/v2/roles").await),
        [
            "Auditor",
            "Custom Role 1",
            "Admin",
            "Member",
            "Read Only",
            "Annotator"
        ]
    );
    assert_eq!(
        role_names(&get_json(&api, "/v2/roles?is_predefined=true").await),
        ["Admin", "Member", "Read Only", "Annotator"]
    );
    let custom = get_json(&api, "/v2/roles?is_predefined=false").await;
    assert_eq!(role_names(&custom), ["Auditor", "Custom Role 1"]);
    assert_eq!(custom["roles"][0]["description"], "Reads bindings");
    assert_eq!(
        custom["roles"][0]["permissions"],
        json!(["ROLE_BINDING_READ", "SOME_NEW_PERMISSION"])
    );
    assert_eq!(custom["roles"][0]["is_predefined"], json!(false));
    for bad in ["yes", "1", "TRUE", ""] {
        assert_problem(
            api.get(&format!("/v2/roles?is_predefined={bad}")).await,
            400,
        )
        .await;
    }

    // Without the predefined roles.
    let bare = Api::with_seed(Seed::empty().predefined_roles(false).roles(2)).await;
    assert_eq!(
        role_names(&get_json(&bare, "/v2/roles").await),
        ["Custom Role 1", "Custom Role 2"]
    );
}

#[tokio::test]
async fn spaces_name_is_a_case_insensitive_substring_and_org_id_is_accepted() {
    let api = Api::with_seed(
        Seed::empty()
            .with_space(
                SeedSpace::default()
                    .name("Production")
                    .description("Prod models"),
            )
            .with_space(SeedSpace::default().name("staging"))
            .with_space(SeedSpace::default().name("pre-prod")),
    )
    .await;
    let space_names = |page: &Value| names(page, "spaces", "name");
    assert_eq!(
        space_names(&get_json(&api, "/v2/spaces?name=prod").await),
        ["Production", "pre-prod"]
    );
    assert_eq!(
        space_names(&get_json(&api, "/v2/spaces?name=PROD").await),
        ["Production", "pre-prod"]
    );
    assert_eq!(
        space_names(&get_json(&api, "/v2/spaces?name=Staging").await),
        ["staging"]
    );
    let page = get_json(&api, "/v2/spaces?name=duct").await;
    assert_eq!(space_names(&page), ["Production"]);
    assert_eq!(page["spaces"][0]["description"], "Prod models");
    assert_eq!(
        space_names(&get_json(&api, "/v2/spaces?org_id=T3JnYW5pemF0aW9uOjEyMzQ1").await).len(),
        3
    );
    assert_problem(api.get("/v2/spaces?org_id=").await, 400).await;
    assert_problem(api.get("/v2/spaces?name=a&name=b").await, 400).await;
}

#[tokio::test]
async fn projects_filter_by_space_and_name_and_may_share_a_name_across_spaces() {
    let api = Api::with_seed(
        Seed::empty()
            .with_space(SeedSpace::default().name("prod"))
            .with_space(SeedSpace::default().name("dev"))
            .with_project(SeedProject::default().name("fraud-model").space("prod"))
            .with_project(SeedProject::default().name("fraud-model").space("dev"))
            .with_project(SeedProject::default().name("churn").space("prod")),
    )
    .await;
    let dir = api.server.directory();
    let (prod, dev) = (&dir.spaces[0].id.0, &dir.spaces[1].id.0);
    let same = dir.projects_named("fraud-model");
    assert_eq!(same.len(), 2);
    assert_ne!(same[0].space_id, same[1].space_id);
    assert_ne!(same[0].id, same[1].id);
    assert_eq!(
        dir.project_named("dev", "fraud-model").unwrap().id,
        same[1].id
    );

    let listed = |page: &Value| -> Vec<(String, String)> {
        page["projects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["name"].as_str().unwrap().to_owned(),
                    p["space_id"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let pair = |name: &str, space: &String| (name.to_owned(), space.clone());
    assert_eq!(
        listed(&get_json(&api, "/v2/projects?name=FRAUD").await),
        [pair("fraud-model", prod), pair("fraud-model", dev)]
    );
    assert_eq!(
        listed(&get_json(&api, &format!("/v2/projects?space_id={prod}")).await),
        [pair("fraud-model", prod), pair("churn", prod)]
    );
    assert_eq!(
        listed(&get_json(&api, &format!("/v2/projects?space_id={dev}&name=fraud")).await),
        [pair("fraud-model", dev)]
    );
    assert_eq!(
        listed(&get_json(&api, "/v2/projects?space_name=DEV").await),
        [pair("fraud-model", dev)]
    );
    assert_eq!(
        listed(&get_json(&api, "/v2/projects?space_name=pro&name=urn").await),
        [pair("churn", prod)]
    );
    // An unknown space is 404 (a `Project:` ID too: it is not a space).
    let unknown = arize_fake_server::encode_global_id("Space", 99, "zzzz");
    let body = assert_problem(
        api.get(&format!("/v2/projects?space_id={unknown}")).await,
        404,
    )
    .await;
    assert!(detail(&body).contains("Space"), "{body}");
    assert_problem(
        api.get(&format!("/v2/projects?space_id={}", same[0].id))
            .await,
        404,
    )
    .await;
    assert_problem(api.get("/v2/projects?space_id=").await, 400).await;

    // A same-named project in the same space is refused; in another, fine.
    let again = api
        .server
        .insert_project(SeedProject::default().name("churn").space("prod"));
    assert_eq!(again.unwrap_err().status(), 409);
    let other = api
        .server
        .insert_project(SeedProject::default().name("churn").space(dev.clone()))
        .unwrap();
    assert_eq!(other.space_id.0, *dev);
    assert_eq!(
        api.server
            .insert_project(SeedProject::default().space("nowhere"))
            .unwrap_err()
            .status(),
        404
    );
}

#[tokio::test]
async fn every_list_pages_with_the_role_binding_cursor_guarantees() {
    let api = Api::with_seed(Seed::empty().users(7).roles(3).spaces(5).projects(6)).await;
    let dir = api.server.directory();
    let expected: [Vec<String>; 4] = [
        dir.users.iter().map(|r| r.id.0.clone()).collect(),
        dir.roles.iter().map(|r| r.id.0.clone()).collect(),
        dir.spaces.iter().map(|r| r.id.0.clone()).collect(),
        dir.projects.iter().map(|r| r.id.0.clone()).collect(),
    ];
    for ((path, field), expected) in LISTS.into_iter().zip(&expected) {
        for limit in [1, 2, 3, 100] {
            let (ids, pages) = walk(&api, path, field, "", limit).await;
            assert_eq!(&ids, expected, "{path} limit {limit}");
            let want_pages = expected.len().div_ceil(limit as usize).max(1);
            assert_eq!(pages, want_pages, "{path} limit {limit}");
        }
        // A page exactly at the end has has_more false and no cursor.
        let page = get_json(&api, &format!("{path}?limit={}", expected.len())).await;
        assert_eq!(page["pagination"], json!({"has_more": false}));
    }

    // Records added between pages come at the end; none is skipped or
    // repeated.
    let first = get_json(&api, "/v2/users?limit=3").await;
    let cursor = first["pagination"]["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let added = api.server.add_user();
    let mut seen = names(&first, "users", "id");
    let mut next = Some(cursor);
    while let Some(c) = next {
        let page = get_json(&api, &format!("/v2/users?limit=3&cursor={c}")).await;
        seen.extend(names(&page, "users", "id"));
        next = page["pagination"]["next_cursor"]
            .as_str()
            .map(str::to_owned);
    }
    let mut want = expected[0].clone();
    want.push(added);
    assert_eq!(seen, want);
}

#[tokio::test]
async fn cursors_are_bound_to_their_list_and_filters() {
    let api = Api::with_seed(Seed::default().users(5).spaces(4)).await;
    let users = get_json(&api, "/v2/users?limit=1&email=example").await;
    let cursor = users["pagination"]["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    // Same filters (and limit may change): fine.
    get_json(
        &api,
        &format!("/v2/users?limit=2&email=EXAMPLE&cursor={cursor}"),
    )
    .await;
    // Other filters, another list, the bindings list: 400.
    for path in [
        format!("/v2/users?email=user&cursor={cursor}"),
        format!("/v2/users?cursor={cursor}"),
        format!("/v2/users?email=example&status=ACTIVE&cursor={cursor}"),
        format!("/v2/spaces?cursor={cursor}"),
        format!("/v2/roles?cursor={cursor}"),
        format!("/v2/projects?cursor={cursor}"),
        format!("/v2/role-bindings?resource_type=SPACE&cursor={cursor}"),
        "/v2/users?cursor=forged".to_owned(),
    ] {
        let body = assert_problem(api.get(&path).await, 400).await;
        assert!(detail(&body).contains("cursor"), "{path}: {body}");
    }
    // A bindings cursor is no directory cursor either.
    for (user, space) in api.server.users().iter().zip(api.server.spaces()) {
        api.create(user, &api.server.roles()[0], "SPACE", &space)
            .await;
    }
    let bindings = api.list("resource_type=SPACE&limit=1").await;
    let cursor = bindings["pagination"]["next_cursor"].as_str().unwrap();
    assert_problem(api.get(&format!("/v2/spaces?cursor={cursor}")).await, 400).await;
    // Explicit default statuses are the default: the cursor still fits.
    let page = get_json(&api, "/v2/users?limit=1").await;
    let cursor = page["pagination"]["next_cursor"].as_str().unwrap();
    get_json(
        &api,
        &format!("/v2/users?status=EXPIRED&status=ACTIVE&status=INVITED&cursor={cursor}"),
    )
    .await;
}

#[tokio::test]
async fn limits_are_1_to_100_default_50_on_every_list() {
    let api = Api::with_seed(Seed::empty().users(120).roles(60).spaces(55).projects(51)).await;
    for (path, field) in LISTS {
        for bad in ["0", "101", "-1", "abc", "1.5", ""] {
            let body = assert_problem(api.get(&format!("{path}?limit={bad}")).await, 400).await;
            assert!(detail(&body).contains("limit"), "{path} {bad}: {body}");
        }
        assert_problem(api.get(&format!("{path}?limit=1&limit=2")).await, 400).await;
        let page = get_json(&api, path).await;
        assert_eq!(page[field].as_array().unwrap().len(), 50, "{path}");
        assert_eq!(page["pagination"]["has_more"], json!(true));
        let page = get_json(&api, &format!("{path}?limit=100")).await;
        let total = match field {
            "users" => 120,
            "roles" => 64,
            "spaces" => 55,
            _ => 51,
        };
        assert_eq!(
            page[field].as_array().unwrap().len(),
            total.min(100),
            "{path}"
        );
        // Unknown parameters are ignored.
        get_json(&api, &format!("{path}?unknown=1")).await;
    }
}

#[tokio::test]
async fn faults_and_the_request_log_cover_the_directory_reads() {
    let api = Api::start().await;
    let dir = api.server.directory();
    let faults = api.server.faults();

    // A 403 on list_users, as a missing USER_READ would answer; other
    // operations are not touched, and the next call is fine again.
    faults.inject(
        FaultRule::new(Fault::Status(403))
            .on(Operation::ListUsers)
            .next(1),
    );
    get_json(&api, "/v2/spaces").await;
    assert_problem(api.get("/v2/users").await, 403).await;
    get_json(&api, "/v2/users").await;

    // 429 with Retry-After on get_role.
    faults.inject(
        FaultRule::new(Fault::RateLimited(RetryAfter::Seconds(7)))
            .on(Operation::GetRole)
            .next(1),
    );
    let response = api.get(&format!("/v2/roles/{}", dir.roles[0].id)).await;
    assert_eq!(response.headers()["retry-after"], "7");
    assert_problem(response, 429).await;

    // 403 and 404 on get_space / get_project from faults.
    faults.inject(
        FaultRule::new(Fault::Status(403))
            .on(Operation::GetSpace)
            .next(1),
    );
    assert_problem(
        api.get(&format!("/v2/spaces/{}", dir.spaces[0].id)).await,
        403,
    )
    .await;

    // Body faults answer with a body of the operation's type, cut short.
    faults.inject(
        FaultRule::new(Fault::TruncatedJson)
            .on(Operation::GetProject)
            .next(1),
    );
    let response = api
        .get(&format!("/v2/projects/{}", dir.projects[0].id))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    assert!(text.starts_with("{\"created_at\""), "{text}");
    assert!(serde_json::from_str::<Value>(&text).is_err());

    // Pagination faults apply to the directory lists too.
    faults.inject(
        FaultRule::new(Fault::HasMoreWithoutCursor)
            .on(Operation::ListProjects)
            .next(1),
    );
    let page = get_json(&api, "/v2/projects").await;
    assert_eq!(page["pagination"], json!({"has_more": true}));
    assert_eq!(page["projects"].as_array().unwrap().len(), 2);
    faults.inject(
        FaultRule::new(Fault::EndlessEmptyPages)
            .on(Operation::ListRoles)
            .next(2),
    );
    let page = get_json(&api, "/v2/roles").await;
    assert!(page["roles"].as_array().unwrap().is_empty());
    let cursor = page["pagination"]["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = get_json(&api, &format!("/v2/roles?cursor={cursor}")).await;
    assert!(page["roles"].as_array().unwrap().is_empty());
    // The rule is spent: the cursor resumes at the start.
    let page = get_json(&api, &format!("/v2/roles?cursor={cursor}")).await;
    assert_eq!(page["roles"].as_array().unwrap().len(), 7);
    // A fault on every operation hits the directory reads too.
    faults.inject(FaultRule::new(Fault::Status(503)).next(1));
    assert_problem(api.get("/v2/users").await, 503).await;
    // A fault decided before authentication, as for role bindings.
    faults.inject(
        FaultRule::new(Fault::Status(503))
            .on(Operation::GetUser)
            .next(1),
    );
    let response = reqwest::Client::new()
        .get(api.url(&format!("/v2/users/{}", dir.users[0].id)))
        .send()
        .await
        .unwrap();
    assert_problem(response, 503).await;

    // The log names the operation and the path ID.
    let records = api.server.requests_for(Operation::GetUser);
    let last = records.last().unwrap();
    assert_eq!(last.binding_id.as_deref(), Some(dir.users[0].id.0.as_str()));
    assert_eq!(last.status, Some(503));
    assert_eq!(api.server.request_count(Operation::ListUsers), 3);
    assert_eq!(api.server.request_count(Operation::ListRoles), 3);
}

#[tokio::test]
async fn binding_creation_is_checked_against_the_directory() {
    let api = Api::start().await;
    let server = &api.server;
    let alice = server
        .insert_user(SeedUser::default().email("alice@example.com").name("Alice"))
        .unwrap();
    let auditor = server
        .insert_role(SeedRole::default().name("Auditor"))
        .unwrap();
    let prod = server
        .insert_space(SeedSpace::default().name("prod"))
        .unwrap();
    let model = server
        .insert_project(SeedProject::default().name("fraud").space("prod"))
        .unwrap();
    assert_eq!(model.space_id, prod.id);
    let dir = server.directory();
    assert_eq!(dir.user_by_email("ALICE@example.com").unwrap().id, alice.id);
    let member = dir.role_named("Member").unwrap().id.0.clone();

    // New records and predefined roles are accepted.
    api.create(&alice.id, &auditor.id, "SPACE", &prod.id).await;
    api.create(&alice.id, &member, "PROJECT", &model.id).await;
    let user1 = dir.users[0].id.0.clone();
    api.create(&user1, &member, "SPACE", &prod.id).await;
    // Unknown ones are refused as before: resource 403, user and role 404.
    let absent = |t: &str| arize_fake_server::encode_global_id(t, 999, "zzzz");
    let cases = [
        (
            create_body(&alice.id, &member, "SPACE", &absent("Space")),
            403,
        ),
        (
            create_body(&absent("User"), &member, "SPACE", &dir.spaces[1].id),
            404,
        ),
        (
            create_body(&alice.id, &absent("Role"), "SPACE", &dir.spaces[1].id),
            404,
        ),
        (
            create_body(&alice.id, &member, "PROJECT", &absent("Project")),
            403,
        ),
    ];
    for (body, status) in cases {
        assert_problem(api.post_json(&body).await, status).await;
    }
    // Updates check the role against the directory too.
    let binding = server.bindings()[0].id.0.clone();
    let response = api
        .patch_json(
            &binding,
            &json!({"role_id": dir.role_named("Read Only").unwrap().id}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_problem(
        api.patch_json(&binding, &json!({"role_id": absent("Role")}))
            .await,
        404,
    )
    .await;

    // Seeded bindings still come out of the seed, over the new records.
    let seeded = Api::with_seed(Seed::default().bindings(5)).await;
    let bindings = seeded.server.bindings();
    assert_eq!(bindings.len(), 5);
    let dir = seeded.server.directory();
    for b in &bindings {
        assert!(dir.users.iter().any(|u| u.id == b.user_id));
        assert!(dir.roles.iter().any(|r| r.id == b.role_id));
    }
}

#[tokio::test]
async fn directory_records_refuse_duplicates() {
    let api = Api::start().await;
    let server = &api.server;
    assert_eq!(
        server
            .insert_user(SeedUser::default().email("USER1@example.com"))
            .unwrap_err()
            .status(),
        409
    );
    assert_eq!(
        server
            .insert_role(SeedRole::default().name("Admin"))
            .unwrap_err()
            .status(),
        409
    );
    assert_eq!(
        server
            .insert_space(SeedSpace::default().name("space-1"))
            .unwrap_err()
            .status(),
        409
    );
    let taken = server.users()[0].clone();
    assert_eq!(server.insert_user(taken).unwrap_err().status(), 409);
    // A generated record skips taken names.
    server
        .insert_space(SeedSpace::default().name("space-3"))
        .unwrap();
    let id = server.add_space();
    assert_eq!(server.space(&id).unwrap().name, "space-4");

    let seed = Seed::empty()
        .with_role(SeedRole::default().name("Twin"))
        .with_role(SeedRole::default().name("Twin"));
    let started = FakeServer::builder().seed(seed).start().await;
    assert!(matches!(
        started,
        Err(arize_fake_server::StartError::Seed(
            arize_fake_server::SeedError::Invalid(_)
        ))
    ));
}

#[tokio::test]
async fn a_seed_file_names_users_roles_spaces_and_projects() {
    let seed = Seed::from_json(
        r#"{
            "users": [
                "VXNlcjo0MjphQmNE",
                {"email": "alice@example.com", "name": "Alice", "status": "INVITED", "role": "ADMIN", "is_developer": false},
                {"email": "bob@example.com", "role": {"type": "CUSTOM", "id": "Um9sZTo5Onpaeno="}}
            ],
            "roles": [{"name": "Auditor", "permissions": ["ROLE_BINDING_READ"]}],
            "predefined_roles": true,
            "spaces": ["U3BhY2U6MTpWNEth", {"name": "prod", "description": "Production"}],
            "projects": [
                {"name": "shared", "space": "prod"},
                {"name": "shared", "space": "U3BhY2U6MTpWNEth"},
                "UHJvamVjdDo1OmFCY0Q="
            ],
            "rng_seed": 3
        }"#,
    )
    .unwrap();
    let api = Api::with_seed(seed).await;
    let dir = api.server.directory();
    assert_eq!(dir.users[0].id.0, "VXNlcjo0MjphQmNE");
    // An explicit `User:42:…` ID is "User 42".
    assert_eq!(dir.users[0].name, "User 42");
    assert_eq!(dir.users[0].email, "user42@example.com");
    let alice = dir.user_by_email("alice@example.com").unwrap();
    assert_eq!(
        (alice.name.as_str(), alice.status, alice.is_developer),
        ("Alice", UserStatus::Invited, false)
    );
    assert_eq!(
        alice.role,
        UserRoleAssignment::Predefined {
            name: UserRole::Admin
        }
    );
    let bob = &get_json(&api, "/v2/users?email=bob").await["users"][0];
    assert_eq!(
        bob["role"],
        json!({"type": "CUSTOM", "id": "Um9sZTo5Onpaeno="})
    );
    assert_eq!(dir.roles.len(), 5);
    assert_eq!(dir.role_named("Auditor").unwrap().permissions.len(), 1);
    assert_eq!(dir.spaces[0].name, "space-1");
    assert_eq!(dir.space_named("prod").unwrap().description, "Production");
    let shared = dir.projects_named("shared");
    assert_eq!(shared.len(), 2);
    assert_eq!(shared[1].space_id.0, "U3BhY2U6MTpWNEth");
    assert_eq!(dir.projects[2].id.0, "UHJvamVjdDo1OmFCY0Q=");
    assert_eq!(dir.projects[2].name, "project-5"); // Project:5:aBcD

    assert!(Seed::from_json(r#"{"users": [{"emial": "x@example.com"}]}"#).is_err());
    let dangling = FakeServer::builder()
        .seed(Seed::from_json(r#"{"projects": [{"space": "nowhere"}]}"#).unwrap())
        .start()
        .await;
    assert!(dangling.is_err());
}

#[tokio::test]
async fn projects_seeded_without_a_space_get_a_default_space() {
    let api = Api::with_seed(Seed::empty().users(2).projects(2).bindings(4)).await;
    let dir = api.server.directory();
    assert_eq!(dir.spaces.len(), 1);
    assert_eq!(dir.spaces[0].name, "default");
    assert!(dir.projects.iter().all(|p| p.space_id == dir.spaces[0].id));
    // Generated bindings stay on the projects (as before the directory).
    assert!(
        api.server
            .bindings()
            .iter()
            .all(|b| b.resource_type == arize_api::types::RoleBindingResourceType::Project)
    );
}

/// The directory changes neither the IDs a given `rng_seed` generates nor
/// the clock readings of seeded bindings: the IDs below are what the fake
/// generated for this seed before its directory had names (they are in
/// `arize-access`'s snapshots), and seeded records are dated 2020-01-01.
#[tokio::test]
async fn an_rng_seed_generates_the_same_ids_and_seeding_reads_no_clock() {
    let ticks = std::sync::atomic::AtomicI64::new(0);
    let server = FakeServer::builder()
        .seed(Seed::default().bindings(6).rng_seed(7))
        .clock(move || {
            let n = ticks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            DateTime::from_timestamp(1_767_258_000 + n, 0).unwrap()
        })
        .start()
        .await
        .unwrap();
    assert_eq!(server.users()[0], "VXNlcjoxOmFCSlQ=");
    assert_eq!(server.users()[2], "VXNlcjozOm5Sdjg=");
    assert_eq!(
        &server.roles()[..3],
        ["Um9sZToxOm1MdlE=", "Um9sZToyOmVJWXU=", "Um9sZTozOmdvWkI="]
    );
    assert_eq!(server.spaces(), ["U3BhY2U6MTpGRlVY", "U3BhY2U6MjpTb3k0"]);
    let bindings = server.bindings();
    assert_eq!(bindings[0].id.0, "Um9sZUJpbmRpbmc6MTpBZVh5");
    assert_eq!(bindings[0].role_id.0, "Um9sZToxOm1MdlE=");
    assert_eq!(
        bindings[0].created_at,
        DateTime::from_timestamp(1_767_258_000, 0).unwrap()
    );
    let dir = server.directory();
    assert_eq!(
        dir.users[0].created_at,
        DateTime::from_timestamp(1_577_836_800, 0).unwrap()
    );
    assert!(
        dir.users
            .windows(2)
            .all(|w| w[0].created_at < w[1].created_at)
    );
    // Added later: the clock's time, so after every seeded record.
    let added = server.insert_space(SeedSpace::default()).unwrap();
    assert_eq!(added.name, "space-3");
    assert!(added.created_at > dir.spaces[1].created_at);
}
