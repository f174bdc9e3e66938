//! Each rule of the facts file, observed with a raw HTTP client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use arize_api::types::{ListRoleBindingsResponse, RoleBinding};
use arize_fake_server::{FakeServer, Seed, decode_global_id, encode_global_id};
use common::{Api, KEY, assert_problem, create_body, detail};
use reqwest::{Method, StatusCode};
use serde_json::json;

fn absent(type_name: &str) -> String {
    encode_global_id(type_name, 987_654, "nOpE")
}

// ----- authentication -----

#[tokio::test]
async fn missing_or_wrong_key_is_401_on_every_operation() {
    let api = Api::start().await;
    let id = absent("RoleBinding");
    let routes = [
        (
            Method::GET,
            "/v2/role-bindings?resource_type=SPACE".to_owned(),
        ),
        (Method::POST, "/v2/role-bindings".to_owned()),
        (Method::GET, format!("/v2/role-bindings/{id}")),
        (Method::PATCH, format!("/v2/role-bindings/{id}")),
        (Method::DELETE, format!("/v2/role-bindings/{id}")),
    ];
    for (method, path) in &routes {
        let url = api.url(path);
        let missing = api.http.request(method.clone(), &url).send().await.unwrap();
        assert_eq!(missing.headers().get("www-authenticate").unwrap(), "Bearer");
        assert_problem(missing, 401).await;
        let wrong = api
            .http
            .request(method.clone(), &url)
            .bearer_auth("not-the-key")
            .send()
            .await
            .unwrap();
        assert_problem(wrong, 401).await;
        let not_bearer = api
            .http
            .request(method.clone(), &url)
            .header("authorization", format!("Basic {KEY}"))
            .send()
            .await
            .unwrap();
        assert_problem(not_bearer, 401).await;
    }
    // Nothing was created by the unauthenticated POSTs.
    assert!(api.server.bindings().is_empty());
}

#[tokio::test]
async fn default_key_and_scheme_case() {
    let server = FakeServer::start().await.unwrap();
    assert_eq!(server.api_key(), arize_fake_server::DEFAULT_API_KEY);
    let http = reqwest::Client::new();
    let response = http
        .get(format!(
            "{}/v2/role-bindings?resource_type=SPACE",
            server.base_url()
        ))
        .header("authorization", "bearer fake-api-key")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_key_never_appears_in_debug_or_the_log() {
    let api = Api::start().await;
    api.get("/v2/role-bindings?resource_type=SPACE").await;
    assert!(!format!("{:?}", api.server).contains(KEY));
    assert!(!format!("{:?}", FakeServer::builder().api_key("sekrit-123")).contains("sekrit-123"));
    let record = &api.server.requests()[0];
    assert_eq!(record.header("authorization"), Some("Bearer <redacted>"));
    assert!(record.authorized);
    assert!(!format!("{record:?}").contains(KEY));
}

// ----- create -----

#[tokio::test]
async fn create_returns_201_with_a_spec_shaped_binding() {
    let api = Api::start().await;
    let (user, role, space) = (
        api.server.users()[0].clone(),
        api.server.roles()[0].clone(),
        api.server.spaces()[0].clone(),
    );
    let response = api
        .post_json(&create_body(&user, &role, "SPACE", &space))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        response.headers().get("content-type").unwrap(),
        "application/json"
    );
    let text = response.text().await.unwrap();
    let raw: serde_json::Value = serde_json::from_str(&text).unwrap();
    let binding: RoleBinding = serde_json::from_str(&text).unwrap();
    assert_eq!(binding.user_id.0, user);
    assert_eq!(binding.role_id.0, role);
    assert_eq!(binding.resource_id.0, space);
    assert_eq!(binding.created_at, binding.updated_at);
    // RFC 3339 in UTC with a Z.
    let created = raw["created_at"].as_str().unwrap();
    assert!(created.ends_with('Z'), "{created}");
    chrono::DateTime::parse_from_rfc3339(created).unwrap();
    // The ID is Arize-style: base64 of RoleBinding:n:suffix.
    let decoded = decode_global_id(&binding.id.0).unwrap();
    let parts: Vec<&str> = decoded.split(':').collect();
    assert_eq!(parts[0], "RoleBinding");
    assert!(parts[1].parse::<u64>().is_ok());
    assert_eq!(parts[2].len(), 4);
    assert_eq!(api.server.bindings(), vec![binding]);
}

#[tokio::test]
async fn seeded_ids_have_arize_format() {
    let api = Api::with_seed(
        Seed::empty()
            .users(2)
            .roles(1)
            .spaces(1)
            .projects(1)
            .models(1),
    )
    .await;
    for (ids, type_name) in [
        (api.server.users(), "User"),
        (api.server.roles(), "Role"),
        (api.server.spaces(), "Space"),
        (api.server.projects(), "Project"),
        (api.server.models(), "Model"),
    ] {
        for id in ids {
            let text = decode_global_id(&id).unwrap();
            assert!(text.starts_with(&format!("{type_name}:")), "{text}");
        }
    }
}

#[tokio::test]
async fn second_binding_for_the_same_user_and_resource_is_409_whatever_the_role() {
    let api = Api::start().await;
    let s = &api.server;
    let (user, space) = (s.users()[0].clone(), s.spaces()[0].clone());
    api.create(&user, &s.roles()[0], "SPACE", &space).await;
    for role in [&s.roles()[0], &s.roles()[1]] {
        let response = api
            .post_json(&create_body(&user, role, "SPACE", &space))
            .await;
        assert_problem(response, 409).await;
    }
    // Another user on the same space, or the same user on another space, is fine.
    api.create(&s.users()[1], &s.roles()[0], "SPACE", &space)
        .await;
    api.create(&user, &s.roles()[0], "SPACE", &s.spaces()[1])
        .await;
    assert_eq!(s.bindings().len(), 3);
}

#[tokio::test]
async fn unknown_resource_is_403_unknown_user_or_role_is_404() {
    let api = Api::start().await;
    let s = &api.server;
    let (user, role) = (s.users()[0].clone(), s.roles()[0].clone());
    let cases = [
        (create_body(&user, &role, "SPACE", &absent("Space")), 403),
        (
            create_body(&user, &role, "PROJECT", &absent("Project")),
            403,
        ),
        (create_body(&user, &role, "PROJECT", &absent("Model")), 403),
        // Opaque (not decodable) unknown resource: also 403.
        (create_body(&user, &role, "SPACE", "opaque-space"), 403),
        (
            create_body(&absent("User"), &role, "SPACE", &s.spaces()[0]),
            404,
        ),
        (
            create_body(&user, &absent("Role"), "SPACE", &s.spaces()[0]),
            404,
        ),
        (
            create_body("opaque-user", &role, "SPACE", &s.spaces()[0]),
            404,
        ),
        // The resource is checked before the user: 403 wins.
        (
            create_body(&absent("User"), &role, "SPACE", &absent("Space")),
            403,
        ),
    ];
    for (body, status) in cases {
        let problem = assert_problem(api.post_json(&body).await, status).await;
        assert!(!detail(&problem).is_empty());
    }
    assert!(s.bindings().is_empty());
}

#[tokio::test]
async fn models_are_project_resources_and_mismatched_types_are_422() {
    let api = Api::start().await;
    let s = &api.server;
    let (user, role) = (s.users()[0].clone(), s.roles()[0].clone());
    let model = s.models()[0].clone();
    assert!(decode_global_id(&model).unwrap().starts_with("Model:"));
    let binding = api.create(&user, &role, "PROJECT", &model).await;
    assert_eq!(binding["resource_type"], "PROJECT");
    api.create(&user, &role, "PROJECT", &s.projects()[0]).await;

    let mismatches = [
        // The facts file's documented invalid example shape: a Space as PROJECT.
        create_body(&user, &role, "PROJECT", &s.spaces()[0]),
        create_body(&user, &role, "SPACE", &s.projects()[0]),
        create_body(&user, &role, "SPACE", &model),
        // Other body IDs of a definite wrong type.
        create_body(&role, &role, "SPACE", &s.spaces()[0]),
        create_body(&user, &user, "SPACE", &s.spaces()[0]),
    ];
    for body in mismatches {
        assert_problem(api.post_json(&body).await, 422).await;
    }
    let problem = assert_problem(
        api.post_json(&create_body(&user, &role, "PROJECT", "U3BhY2U6MTp1Rk4x"))
            .await,
        422,
    )
    .await;
    assert_eq!(
        detail(&problem),
        "resource_id must encode a PROJECT ID when resource_type is PROJECT"
    );
    assert_eq!(s.bindings().len(), 2);
}

#[tokio::test]
async fn malformed_bodies_are_400_and_unknown_or_system_fields_are_422() {
    let api = Api::start().await;
    let s = &api.server;
    let good = create_body(&s.users()[0], &s.roles()[0], "SPACE", &s.spaces()[0]);
    let raw = |body: &'static str| {
        api.req(Method::POST, "/v2/role-bindings")
            .header("content-type", "application/json")
            .body(body)
    };
    // 400: not JSON, not an object, missing fields, wrong types, bad enum, empty ID.
    for body in [
        "{not json",
        "",
        "[1, 2]",
        "\"a string\"",
        "{\"user_id\": \"x\"}",
        "{\"user_id\": 5, \"role_id\": \"r\", \"resource_type\": \"SPACE\", \"resource_id\": \"s\"}",
    ] {
        let response = raw(body).send().await.unwrap();
        assert_problem(response, 400).await;
    }
    let mut bad_enum = good.clone();
    bad_enum["resource_type"] = json!("ORGANIZATION");
    assert_problem(api.post_json(&bad_enum).await, 400).await;
    let mut empty_id = good.clone();
    empty_id["user_id"] = json!("");
    assert_problem(api.post_json(&empty_id).await, 400).await;
    let wrong_type = api
        .req(Method::POST, "/v2/role-bindings")
        .header("content-type", "text/plain")
        .body(good.to_string())
        .send()
        .await
        .unwrap();
    assert_problem(wrong_type, 400).await;

    // 422: system-managed fields and unknown fields on a well-formed object.
    for (field, value) in [
        ("id", json!("Um9sZUJpbmRpbmc6MTphQmNE")),
        ("created_at", json!("2024-06-01T10:00:00Z")),
        ("updated_at", json!("2024-06-01T10:00:00Z")),
        ("colour", json!("blue")),
    ] {
        let mut body = good.clone();
        body[field] = value;
        let problem = assert_problem(api.post_json(&body).await, 422).await;
        assert!(detail(&problem).contains(field), "{}", detail(&problem));
    }
    assert!(s.bindings().is_empty(), "no rejected create applied");
    // And the good body still works.
    assert_eq!(api.post_json(&good).await.status(), StatusCode::CREATED);
}

// ----- get / update / delete -----

#[tokio::test]
async fn get_update_delete_an_unknown_binding_is_404() {
    let api = Api::start().await;
    for id in [absent("RoleBinding"), "opaque".to_owned()] {
        assert_problem(api.get(&format!("/v2/role-bindings/{id}")).await, 404).await;
        let role = api.server.roles()[0].clone();
        assert_problem(api.patch_json(&id, &json!({"role_id": role})).await, 404).await;
        assert_problem(api.delete(&id).await, 404).await;
    }
}

/// IDs are opaque to the service: a `binding_id` that decodes to a Space
/// (or User) ID is just a binding that does not exist — 404 with the same
/// problem as an unknown `RoleBinding:` ID (issue 9; it used to be 400).
#[tokio::test]
async fn a_binding_id_of_another_type_is_404_like_an_unknown_binding() {
    let api = Api::start().await;
    let role = api.server.roles()[0].clone();
    let unknown = absent("RoleBinding");
    let expected_get =
        assert_problem(api.get(&format!("/v2/role-bindings/{unknown}")).await, 404).await;
    let expected_patch = assert_problem(
        api.patch_json(&unknown, &json!({"role_id": role})).await,
        404,
    )
    .await;
    let expected_delete = assert_problem(api.delete(&unknown).await, 404).await;
    for id in [
        api.server.spaces()[0].clone(),
        api.server.users()[0].clone(),
    ] {
        let get = assert_problem(api.get(&format!("/v2/role-bindings/{id}")).await, 404).await;
        assert_eq!(get, expected_get, "GET {id}");
        let patch = assert_problem(api.patch_json(&id, &json!({"role_id": role})).await, 404).await;
        assert_eq!(patch, expected_patch, "PATCH {id}");
        let delete = assert_problem(api.delete(&id).await, 404).await;
        assert_eq!(delete, expected_delete, "DELETE {id}");
    }
}

#[tokio::test]
async fn get_update_delete_round_trip() {
    let api = Api::start().await;
    let s = &api.server;
    let created = api
        .create(&s.users()[0], &s.roles()[0], "SPACE", &s.spaces()[0])
        .await;
    let id = created["id"].as_str().unwrap().to_owned();

    let got = api.get(&format!("/v2/role-bindings/{id}")).await;
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.json::<serde_json::Value>().await.unwrap(), created);

    // Update changes only role_id and updated_at.
    std::thread::sleep(std::time::Duration::from_millis(5));
    let new_role = s.roles()[2].clone();
    let updated = api.patch_json(&id, &json!({"role_id": new_role})).await;
    assert_eq!(updated.status(), StatusCode::OK);
    let updated: serde_json::Value = updated.json().await.unwrap();
    for field in [
        "id",
        "user_id",
        "resource_type",
        "resource_id",
        "created_at",
    ] {
        assert_eq!(updated[field], created[field], "{field}");
    }
    assert_eq!(updated["role_id"], json!(new_role));
    let before: RoleBinding = serde_json::from_value(created.clone()).unwrap();
    let after: RoleBinding = serde_json::from_value(updated.clone()).unwrap();
    assert!(after.updated_at > before.updated_at);

    let deleted = api.delete(&id).await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert!(deleted.bytes().await.unwrap().is_empty());
    assert_problem(api.get(&format!("/v2/role-bindings/{id}")).await, 404).await;
    assert_problem(api.delete(&id).await, 404).await;
    // The pair is free again.
    api.create(&s.users()[0], &s.roles()[1], "SPACE", &s.spaces()[0])
        .await;
}

#[tokio::test]
async fn update_rejects_other_fields_422_malformed_400_unknown_role_404() {
    let api = Api::start().await;
    let s = &api.server;
    let created = api
        .create(&s.users()[0], &s.roles()[0], "SPACE", &s.spaces()[0])
        .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let role = s.roles()[1].clone();
    for (field, value) in [
        ("user_id", json!(s.users()[1])),
        ("resource_id", json!(s.spaces()[1])),
        ("resource_type", json!("PROJECT")),
        ("id", json!(id)),
        ("created_at", json!("2024-06-01T10:00:00Z")),
        ("updated_at", json!("2024-06-01T10:00:00Z")),
        ("colour", json!("blue")),
    ] {
        let body = json!({"role_id": role, field: value});
        let problem = assert_problem(api.patch_json(&id, &body).await, 422).await;
        assert!(detail(&problem).contains(field));
    }
    assert_problem(api.patch_json(&id, &json!({})).await, 400).await;
    assert_problem(api.patch_json(&id, &json!({"role_id": 7})).await, 400).await;
    assert_problem(api.patch_json(&id, &json!({"role_id": ""})).await, 400).await;
    let garbage = api
        .req(Method::PATCH, &format!("/v2/role-bindings/{id}"))
        .header("content-type", "application/json")
        .body("{\"role_id\":")
        .send()
        .await
        .unwrap();
    assert_problem(garbage, 400).await;
    assert_problem(
        api.patch_json(&id, &json!({"role_id": absent("Role")}))
            .await,
        404,
    )
    .await;
    assert_problem(
        api.patch_json(&id, &json!({"role_id": s.spaces()[0]}))
            .await,
        422,
    )
    .await;
    // Nothing changed.
    assert_eq!(
        serde_json::to_value(s.binding(&id).unwrap()).unwrap(),
        created
    );
}

// ----- list -----

#[tokio::test]
async fn list_requires_a_valid_resource_type() {
    let api = Api::start().await;
    for query in [
        "",
        "?limit=5",
        "?resource_type=space",
        "?resource_type=MODEL",
    ] {
        let response = api.get(&format!("/v2/role-bindings{query}")).await;
        assert_problem(response, 400).await;
    }
    let twice = api
        .get("/v2/role-bindings?resource_type=SPACE&resource_type=PROJECT")
        .await;
    assert_problem(twice, 400).await;
    // Unknown parameters are ignored.
    let page = api.list("resource_type=SPACE&colour=blue").await;
    assert_eq!(page["role_bindings"], json!([]));
}

#[tokio::test]
async fn list_filters_by_resource_type_and_user() {
    let api = Api::with_seed(Seed::default().bindings(10)).await;
    let s = &api.server;
    let all = s.bindings();
    let spaces: Vec<_> = all
        .iter()
        .filter(|b| b.resource_type == arize_api::types::RoleBindingResourceType::Space)
        .map(|b| b.id.0.clone())
        .collect();
    let projects: Vec<_> = all
        .iter()
        .filter(|b| b.resource_type == arize_api::types::RoleBindingResourceType::Project)
        .map(|b| b.id.0.clone())
        .collect();
    assert!(!spaces.is_empty() && !projects.is_empty());
    assert_eq!(api.walk("resource_type=SPACE", 100).await, spaces);
    assert_eq!(api.walk("resource_type=PROJECT", 100).await, projects);

    let user = s.users()[1].clone();
    let mine: Vec<_> = all
        .iter()
        .filter(|b| b.user_id.0 == user && b.resource_type.to_string() == "SPACE")
        .map(|b| b.id.0.clone())
        .collect();
    assert!(!mine.is_empty());
    let query = format!("resource_type=SPACE&user_id={}", urlencode(&user));
    assert_eq!(api.walk(&query, 1).await, mine);
    // The page decodes as the generated type.
    let page = api.list(&query).await;
    let _: ListRoleBindingsResponse = serde_json::from_value(page).unwrap();
}

#[tokio::test]
async fn list_with_an_unknown_user_or_an_id_of_another_type_is_404() {
    let api = Api::start().await;
    let unknown = api
        .get(&format!(
            "/v2/role-bindings?resource_type=SPACE&user_id={}",
            urlencode(&absent("User"))
        ))
        .await;
    let expected = assert_problem(unknown, 404).await;
    let opaque = api
        .get("/v2/role-bindings?resource_type=SPACE&user_id=someone")
        .await;
    assert_eq!(assert_problem(opaque, 404).await, expected);
    // IDs are opaque to the service: a Space or Role ID as `user_id` is
    // just not a user of the account — the same 404 (issue 9; it used to
    // be 400).
    for not_a_user in [
        api.server.spaces()[0].clone(),
        api.server.roles()[0].clone(),
    ] {
        let response = api
            .get(&format!(
                "/v2/role-bindings?resource_type=SPACE&user_id={}",
                urlencode(&not_a_user)
            ))
            .await;
        assert_eq!(
            assert_problem(response, 404).await,
            expected,
            "{not_a_user}"
        );
    }
    // A known user without bindings: an empty list, not an error.
    let user = api.server.users()[0].clone();
    let page = api
        .list(&format!("resource_type=SPACE&user_id={}", urlencode(&user)))
        .await;
    assert_eq!(
        page,
        json!({"pagination": {"has_more": false}, "role_bindings": []})
    );
}

#[tokio::test]
async fn limit_is_1_to_100_and_defaults_to_50() {
    let api = Api::with_seed(Seed::empty().users(60).roles(1).spaces(3)).await;
    let s = &api.server;
    // 150 SPACE bindings.
    for space in s.spaces() {
        for user in s.users().iter().take(50) {
            s.create_binding(
                user,
                &s.roles()[0],
                arize_api::types::RoleBindingResourceType::Space,
                &space,
            )
            .unwrap();
        }
    }
    let default_page = api.list("resource_type=SPACE").await;
    assert_eq!(default_page["role_bindings"].as_array().unwrap().len(), 50);
    assert_eq!(default_page["pagination"]["has_more"], json!(true));
    for (limit, len) in [(1, 1), (37, 37), (100, 100)] {
        let page = api
            .list(&format!("resource_type=SPACE&limit={limit}"))
            .await;
        assert_eq!(page["role_bindings"].as_array().unwrap().len(), len);
    }
    for limit in [
        "0",
        "101",
        "-1",
        "abc",
        "1.5",
        "",
        "99999999999999999999999",
    ] {
        let response = api
            .get(&format!(
                "/v2/role-bindings?resource_type=SPACE&limit={limit}"
            ))
            .await;
        let problem = assert_problem(response, 400).await;
        assert!(detail(&problem).contains("limit"), "{limit}");
    }
    assert_eq!(api.walk("resource_type=SPACE", 100).await.len(), 150);
}

// ----- routes -----

#[tokio::test]
async fn unknown_routes_are_404_problems_and_wrong_methods_405() {
    let api = Api::start().await;
    for path in [
        "/",
        "/v1/role-bindings",
        "/v2/role-bindings/",
        "/v2/role-bindings/a/b",
        "/v2/role-bindingsX",
    ] {
        assert_problem(api.get(path).await, 404).await;
    }
    let put = api
        .req(Method::PUT, "/v2/role-bindings")
        .send()
        .await
        .unwrap();
    assert_eq!(put.headers().get("allow").unwrap(), "GET, POST");
    assert_problem(put, 405).await;
    let post_item = api
        .req(
            Method::POST,
            &format!("/v2/role-bindings/{}", absent("RoleBinding")),
        )
        .send()
        .await
        .unwrap();
    assert_problem(post_item, 405).await;
}

#[tokio::test]
async fn direct_store_access_follows_the_same_rules() {
    let api = Api::start().await;
    let s = &api.server;
    let space = arize_api::types::RoleBindingResourceType::Space;
    let b = s
        .create_binding(&s.users()[0], &s.roles()[0], space, &s.spaces()[0])
        .unwrap();
    let conflict = s
        .create_binding(&s.users()[0], &s.roles()[1], space, &s.spaces()[0])
        .unwrap_err();
    assert_eq!(conflict.status(), 409);
    let forbidden = s
        .create_binding(&s.users()[0], &s.roles()[0], space, &absent("Space"))
        .unwrap_err();
    assert_eq!(forbidden.status(), 403);
    let new_user = s.add_user();
    s.create_binding(&new_user, &s.roles()[0], space, &s.spaces()[0])
        .unwrap();
    assert_eq!(s.delete_binding(&b.id.0), Some(b.clone()));
    assert_eq!(s.delete_binding(&b.id.0), None);
    assert!(s.requests().is_empty(), "no HTTP involved");
}

#[tokio::test]
async fn seeds_from_json_and_bad_seeds_fail_to_start() {
    let seed = Seed::from_json(
        r#"{
        "users": ["VXNlcjo0MjphQmNE"],
        "roles": ["Um9sZToxOmFCY0Q="],
        "spaces": ["U3BhY2U6MTpWNEth"],
        "projects": 1,
        "models": ["TW9kZWw6MTpGdmxM"],
        "bindings": [{"user_id": "VXNlcjo0MjphQmNE", "role_id": "Um9sZToxOmFCY0Q=",
                      "resource_type": "PROJECT", "resource_id": "TW9kZWw6MTpGdmxM"}],
        "rng_seed": 3
    }"#,
    )
    .unwrap();
    let api = Api::with_seed(seed).await;
    assert_eq!(api.server.users(), vec!["VXNlcjo0MjphQmNE".to_owned()]);
    assert_eq!(api.server.projects().len(), 1);
    let bindings = api.server.bindings();
    assert_eq!(bindings.len(), 1);
    assert_eq!(bindings[0].resource_id.0, "TW9kZWw6MTpGdmxM");

    // Same rng_seed, same generated IDs.
    let a = FakeServer::builder()
        .seed(Seed::default().rng_seed(9))
        .start()
        .await
        .unwrap();
    let b = FakeServer::builder()
        .seed(Seed::default().rng_seed(9))
        .start()
        .await
        .unwrap();
    assert_eq!(a.users(), b.users());

    assert!(Seed::from_json("{\"userz\": 3}").is_err());
    let too_many = FakeServer::builder()
        .seed(Seed::empty().users(1).roles(1).spaces(1).bindings(2))
        .start()
        .await;
    assert!(matches!(
        too_many,
        Err(arize_fake_server::StartError::Seed(
            arize_fake_server::SeedError::TooManyBindings {
                wanted: 2,
                available: 1
            }
        ))
    ));
    let dangling = FakeServer::builder()
        .seed(Seed::empty().with_binding(arize_fake_server::SeedBinding {
            user_id: "VXNlcjo0MjphQmNE".into(),
            role_id: "Um9sZToxOmFCY0Q=".into(),
            resource_type: arize_api::types::RoleBindingResourceType::Space,
            resource_id: "U3BhY2U6MTpWNEth".into(),
        }))
        .start()
        .await;
    assert!(dangling.is_err());
}

fn urlencode(s: &str) -> String {
    url_escape(s)
}

/// Percent-encodes everything but unreserved characters.
fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
