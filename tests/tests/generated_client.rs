//! The generated client (`arize-api`) against httpmock.
//!
//! - Each operation sends exactly the documented request: method, path,
//!   query, `Authorization: Bearer <key>`, JSON body.
//! - Each documented response decodes: the five successes, and every
//!   operation/error-status pair of the facts table
//!   (`shared/reference/arize-api-facts.md`), served as
//!   `application/problem+json` the way Arize serves them, into a typed
//!   `types::Problem` inside `Error::ErrorResponse`.
//!
//! Response bodies are the examples documented in `openapi/openapi.json`,
//! served as raw JSON text (not re-serialised from our own types), and the
//! expected values are written out by hand.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod generated_support;

use std::num::NonZeroU64;

use arize_api::mock::MockServerExt;
use arize_api::types::{
    self, CreateRoleBindingRequest, ListRoleBindingsResponse, PaginationMetadata, RoleBinding,
    RoleBindingResourceType, UpdateRoleBindingRequest,
};
use arize_api::{Client, Error};
use generated_support::{
    BEARER, ErrorCase, PROBLEM_JSON, assert_error_decodes_to_problem as assert_problem, at, client,
    documented_errors, example, id, spec,
};
use httpmock::{Method, MockServer};
use serde_json::json;

const BINDING_ID: &str = "Um9sZUJpbmRpbmc6MTphQmNE";

/// The binding of the spec's RoleBinding example, written out by hand.
fn documented_binding() -> RoleBinding {
    RoleBinding {
        id: id(BINDING_ID),
        role_id: id("Um9sZToxOmFCY0Q="),
        user_id: id("VXNlcjo0MjphQmNE"),
        resource_type: RoleBindingResourceType::Space,
        resource_id: id("U3BhY2U6MTpWNEth"),
        created_at: at("2024-06-01T10:00:00Z"),
        updated_at: at("2024-06-01T10:00:00Z"),
    }
}

// ---------------------------------------------------------------------------
// Requests and successful responses, one test per operation.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn list_role_bindings_sends_every_filter_and_decodes_the_page() {
    let server = MockServer::start_async().await;
    let user = id("VXNlcjo0MjphQmNE");
    let mock = server.list_role_bindings(|when, then| {
        when.resource_type(RoleBindingResourceType::Project)
            .limit(NonZeroU64::new(25))
            .cursor("cursor_12345")
            .user_id(&user)
            .into_inner()
            .path("/v2/role-bindings")
            .header("authorization", BEARER)
            // Exactly these four query parameters, nothing else.
            .query_param_count(".*", ".*", 4)
            // No body, and nothing claiming one.
            .is_true(|request| request.body_ref().is_empty())
            .header_missing("content-type");
        then.into_inner()
            .status(200)
            .header("content-type", "application/json")
            .body(example("/v2/role-bindings", "get", 200, "application/json"));
    });

    let page = client(&server)
        .list_role_bindings(
            Some("cursor_12345"),
            NonZeroU64::new(25),
            RoleBindingResourceType::Project,
            Some(&user),
        )
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(page.status(), 200);
    assert_eq!(
        page.into_inner(),
        ListRoleBindingsResponse {
            role_bindings: vec![
                documented_binding(),
                RoleBinding {
                    id: id("Um9sZUJpbmRpbmc6MjphQmNE"),
                    role_id: id("Um9sZToyOmFCY0Q="),
                    user_id: id("VXNlcjoxMDphQmNE"),
                    resource_type: RoleBindingResourceType::Project,
                    resource_id: id("UHJvamVjdDo1OmFCY0Q="),
                    created_at: at("2024-06-02T10:00:00Z"),
                    updated_at: at("2024-06-02T10:00:00Z"),
                },
            ],
            pagination: PaginationMetadata {
                has_more: true,
                next_cursor: Some("cursor_12345".to_owned()),
            },
        }
    );
}

#[tokio::test]
async fn list_role_bindings_sends_only_the_required_filter_when_nothing_else_is_given() {
    let server = MockServer::start_async().await;
    let last_page = ListRoleBindingsResponse {
        role_bindings: vec![],
        pagination: PaginationMetadata {
            has_more: false,
            next_cursor: None,
        },
    };
    let mock = server.list_role_bindings(|when, then| {
        when.resource_type(RoleBindingResourceType::Space)
            .limit(None)
            .cursor(None)
            .user_id(None)
            .into_inner()
            .header("authorization", BEARER)
            .query_param_count(".*", ".*", 1);
        // `next_cursor` is omitted when has_more is false.
        then.into_inner()
            .status(200)
            .header("content-type", "application/json")
            .body(r#"{"role_bindings": [], "pagination": {"has_more": false}}"#);
    });

    let page = client(&server)
        .list_role_bindings(None, None, RoleBindingResourceType::Space, None)
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(page.into_inner(), last_page);
}

#[tokio::test]
async fn create_role_binding_posts_the_documented_body_and_decodes_201() {
    let server = MockServer::start_async().await;
    // The spec's valid example, as Arize documents it.
    let valid = spec()
        .pointer("/paths/~1v2~1role-bindings/post/requestBody/content/application~1json/examples/valid/value")
        .unwrap()
        .clone();
    assert_eq!(
        valid,
        json!({
            "role_id": "Um9sZToxOlY0S2E=",
            "user_id": "VXNlcjoxOmxQZzI=",
            "resource_type": "PROJECT",
            "resource_id": "TW9kZWw6MTpGdmxM"
        })
    );
    let request = CreateRoleBindingRequest {
        role_id: id("Um9sZToxOlY0S2E="),
        user_id: id("VXNlcjoxOmxQZzI="),
        resource_type: RoleBindingResourceType::Project,
        resource_id: id("TW9kZWw6MTpGdmxM"),
    };
    let mock = server.create_role_binding(|when, then| {
        when.body(&request)
            .into_inner()
            .path("/v2/role-bindings")
            .header("authorization", BEARER)
            .header("content-type", "application/json")
            .query_param_count(".*", ".*", 0)
            // The exact wire form, independent of our serde derives.
            .json_body(valid.clone());
        then.into_inner()
            .status(201)
            .header("content-type", "application/json")
            .body(example(
                "/v2/role-bindings",
                "post",
                201,
                "application/json",
            ));
    });

    let created = client(&server).create_role_binding(&request).await.unwrap();

    mock.assert_async().await;
    assert_eq!(created.status(), 201);
    assert_eq!(created.into_inner(), documented_binding());
}

#[tokio::test]
async fn get_role_binding_gets_the_binding_path_and_decodes_200() {
    let server = MockServer::start_async().await;
    let mock = server.get_role_binding(|when, then| {
        when.binding_id(&id(BINDING_ID))
            .into_inner()
            .path(format!("/v2/role-bindings/{BINDING_ID}"))
            .header("authorization", BEARER)
            .query_param_count(".*", ".*", 0)
            // No body, and nothing claiming one.
            .is_true(|request| request.body_ref().is_empty())
            .header_missing("content-type");
        then.into_inner()
            .status(200)
            .header("content-type", "application/json")
            .body(example(
                "/v2/role-bindings/{binding_id}",
                "get",
                200,
                "application/json",
            ));
    });

    let binding = client(&server)
        .get_role_binding(&id(BINDING_ID))
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(binding.status(), 200);
    assert_eq!(binding.into_inner(), documented_binding());
}

#[tokio::test]
async fn update_role_binding_patches_only_the_role_and_decodes_200() {
    let server = MockServer::start_async().await;
    let documented = spec()
        .pointer("/paths/~1v2~1role-bindings~1{binding_id}/patch/requestBody/content/application~1json/example")
        .unwrap()
        .clone();
    assert_eq!(documented, json!({"role_id": "Um9sZToyOmFCY0Q="}));
    let request = UpdateRoleBindingRequest {
        role_id: id("Um9sZToyOmFCY0Q="),
    };
    let mock = server.update_role_binding(|when, then| {
        when.binding_id(&id(BINDING_ID))
            .body(&request)
            .into_inner()
            .path(format!("/v2/role-bindings/{BINDING_ID}"))
            .header("authorization", BEARER)
            .header("content-type", "application/json")
            .query_param_count(".*", ".*", 0)
            .json_body(documented.clone());
        then.into_inner()
            .status(200)
            .header("content-type", "application/json")
            .body(example(
                "/v2/role-bindings/{binding_id}",
                "patch",
                200,
                "application/json",
            ));
    });

    let updated = client(&server)
        .update_role_binding(&id(BINDING_ID), &request)
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(updated.status(), 200);
    assert_eq!(updated.into_inner(), documented_binding());
}

#[tokio::test]
async fn delete_role_binding_deletes_the_binding_path_and_accepts_204() {
    let server = MockServer::start_async().await;
    let mock = server.delete_role_binding(|when, then| {
        when.binding_id(&id(BINDING_ID))
            .into_inner()
            .path(format!("/v2/role-bindings/{BINDING_ID}"))
            .header("authorization", BEARER)
            .query_param_count(".*", ".*", 0)
            // No body, and nothing claiming one.
            .is_true(|request| request.body_ref().is_empty())
            .header_missing("content-type");
        then.no_content();
    });

    let deleted = client(&server)
        .delete_role_binding(&id(BINDING_ID))
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(deleted.status(), 204);
    assert_eq!(deleted.into_inner(), ());
}

#[tokio::test]
async fn a_binding_id_with_base64_slash_stays_one_path_segment() {
    // Standard base64 may contain `/`, `+` and `=`; the ID must arrive as
    // one segment (`/` percent-encoded), not as two.
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(Method::GET)
                .is_true(|request| request.uri().path() == "/v2/role-bindings/ab%2Fc+d==");
            then.status(200)
                .header("content-type", "application/json")
                .body(example(
                    "/v2/role-bindings/{binding_id}",
                    "get",
                    200,
                    "application/json",
                ));
        })
        .await;

    client(&server)
        .get_role_binding(&id("ab/c+d=="))
        .await
        .unwrap();
    mock.assert_async().await;
}

// ---------------------------------------------------------------------------
// Error responses: one test per operation/status pair of the facts table.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    List,
    Create,
    Get,
    Update,
    Delete,
}

impl Op {
    const ALL: [Op; 5] = [Op::List, Op::Create, Op::Get, Op::Update, Op::Delete];

    fn name(self) -> &'static str {
        match self {
            Op::List => "list_role_bindings",
            Op::Create => "create_role_binding",
            Op::Get => "get_role_binding",
            Op::Update => "update_role_binding",
            Op::Delete => "delete_role_binding",
        }
    }

    fn spec_path(self) -> &'static str {
        match self {
            Op::List | Op::Create => "/v2/role-bindings",
            Op::Get | Op::Update | Op::Delete => "/v2/role-bindings/{binding_id}",
        }
    }

    fn request_path(self) -> String {
        self.spec_path().replace("{binding_id}", BINDING_ID)
    }

    fn spec_method(self) -> &'static str {
        match self {
            Op::List | Op::Get => "get",
            Op::Create => "post",
            Op::Update => "patch",
            Op::Delete => "delete",
        }
    }

    fn method(self) -> Method {
        match self {
            Op::List | Op::Get => Method::GET,
            Op::Create => Method::POST,
            Op::Update => Method::PATCH,
            Op::Delete => Method::DELETE,
        }
    }

    /// Calls the operation; the success value is dropped.
    async fn call(self, client: &Client) -> Result<(), Error<types::Problem>> {
        let binding = id(BINDING_ID);
        match self {
            Op::List => client
                .list_role_bindings(None, None, RoleBindingResourceType::Space, None)
                .await
                .map(drop),
            Op::Create => client
                .create_role_binding(&CreateRoleBindingRequest {
                    role_id: id("Um9sZToxOmFCY0Q="),
                    user_id: id("VXNlcjo0MjphQmNE"),
                    resource_type: RoleBindingResourceType::Space,
                    resource_id: id("U3BhY2U6MTpWNEth"),
                })
                .await
                .map(drop),
            Op::Get => client.get_role_binding(&binding).await.map(drop),
            Op::Update => client
                .update_role_binding(
                    &binding,
                    &UpdateRoleBindingRequest {
                        role_id: id("Um9sZToyOmFCY0Q="),
                    },
                )
                .await
                .map(drop),
            Op::Delete => client.delete_role_binding(&binding).await.map(drop),
        }
    }
}

/// Serves the documented problem for `op`/`status` as
/// `application/problem+json` and checks that the client returns it as a
/// typed `Problem` in `Error::ErrorResponse`.
async fn assert_error_decodes_to_problem(op: Op, status: u16) {
    let case = ErrorCase {
        name: op.name(),
        method: op.method(),
        spec_path: op.spec_path(),
        request_path: op.request_path(),
        status,
    };
    assert_problem(case, |client| async move { op.call(&client).await }).await;
}

macro_rules! error_pairs {
    ($($name:ident: $op:ident $status:literal,)*) => {
        $(
            #[tokio::test]
            async fn $name() {
                assert_error_decodes_to_problem(Op::$op, $status).await;
            }
        )*

        /// The facts table's error statuses, operation by operation.
        const ERROR_PAIRS: &[(Op, u16)] = &[$((Op::$op, $status)),*];
    };
}

error_pairs! {
    list_role_bindings_400_is_a_problem: List 400,
    list_role_bindings_401_is_a_problem: List 401,
    list_role_bindings_404_is_a_problem: List 404,
    list_role_bindings_429_is_a_problem: List 429,
    create_role_binding_400_is_a_problem: Create 400,
    create_role_binding_401_is_a_problem: Create 401,
    create_role_binding_403_is_a_problem: Create 403,
    create_role_binding_404_is_a_problem: Create 404,
    create_role_binding_409_is_a_problem: Create 409,
    create_role_binding_422_is_a_problem: Create 422,
    create_role_binding_429_is_a_problem: Create 429,
    get_role_binding_400_is_a_problem: Get 400,
    get_role_binding_401_is_a_problem: Get 401,
    get_role_binding_404_is_a_problem: Get 404,
    get_role_binding_429_is_a_problem: Get 429,
    update_role_binding_400_is_a_problem: Update 400,
    update_role_binding_401_is_a_problem: Update 401,
    update_role_binding_404_is_a_problem: Update 404,
    update_role_binding_409_is_a_problem: Update 409,
    update_role_binding_422_is_a_problem: Update 422,
    update_role_binding_429_is_a_problem: Update 429,
    delete_role_binding_400_is_a_problem: Delete 400,
    delete_role_binding_401_is_a_problem: Delete 401,
    delete_role_binding_404_is_a_problem: Delete 404,
    delete_role_binding_429_is_a_problem: Delete 429,
}

#[test]
fn the_spec_documents_exactly_the_facts_tables_error_statuses() {
    assert_eq!(ERROR_PAIRS.len(), 25);
    for op in Op::ALL {
        let documented = documented_errors(op.spec_path(), op.spec_method());
        let facts: Vec<u16> = ERROR_PAIRS
            .iter()
            .filter(|(o, _)| *o == op)
            .map(|(_, status)| *status)
            .collect();
        assert_eq!(documented, facts, "{op:?}");
    }
}

#[tokio::test]
async fn an_error_body_that_is_not_a_problem_is_not_accepted_as_one() {
    // The counter-check for the tests above: a 404 whose body lacks the
    // required `title`/`status` is an invalid payload, not a Problem.
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(Method::GET).path(Op::Get.request_path());
            then.status(404)
                .header("content-type", PROBLEM_JSON)
                .body(r#"{"message": "not found"}"#);
        })
        .await;
    let result = Op::Get.call(&client(&server)).await;
    mock.assert_async().await;
    match result {
        Err(Error::InvalidResponsePayload(..)) => {}
        other => panic!("expected InvalidResponsePayload, got {other:?}"),
    }
}

#[tokio::test]
async fn an_undocumented_status_is_an_unexpected_response() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(Method::DELETE).path(Op::Delete.request_path());
            then.status(503)
                .header("content-type", PROBLEM_JSON)
                .body(r#"{"title": "Service unavailable", "status": 503}"#);
        })
        .await;
    let result = Op::Delete.call(&client(&server)).await;
    mock.assert_async().await;
    match result {
        Err(Error::UnexpectedResponse(response)) => assert_eq!(response.status(), 503),
        other => panic!("expected UnexpectedResponse, got {other:?}"),
    }
}
