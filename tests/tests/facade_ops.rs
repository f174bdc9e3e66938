//! The facade's operations against httpmock: exact request shapes, the
//! happy paths, every documented error status, and the ID checks that send
//! nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod facade_support;

use arize_api::mock::MockServerExt as _;
use arize_api::types::{
    CreateRoleBindingRequest, RoleBindingResourceType, UpdateRoleBindingRequest,
};
use arize_role_bindings::{
    Cursor, Error, ListQuery, ProjectId, Resource, ResourceType, RoleBindingId, RoleId, SpaceId,
    StatusCode, UserId, ValidationError,
};
use facade_support::*;
use httpmock::MockServer;

fn create_body(resource_type: RoleBindingResourceType, resource: &str) -> CreateRoleBindingRequest {
    CreateRoleBindingRequest {
        resource_id: id(resource),
        resource_type,
        role_id: id(ROLE),
        user_id: id(USER),
    }
}

#[tokio::test]
async fn create_sends_the_body_key_and_identity_headers() {
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    let created = server.create_role_binding(|when, then| {
        let when = when.body(&create_body(RoleBindingResourceType::Project, PROJECT));
        when.into_inner()
            .header("authorization", format!("Bearer {KEY}"))
            .header("sdk-language", "rust")
            .header("sdk-version", env!("CARGO_PKG_VERSION"))
            .header("sdk-package-name", "arize-role-bindings")
            .header_exists("language-version")
            .header_exists("user-agent");
        then.created(&wire_binding(BINDING_ID, ROLE, USER, "PROJECT", PROJECT));
    });
    let unmatched = catch_all(&server);

    let binding = client
        .create(
            &UserId::new(USER),
            &RoleId::new(ROLE),
            &Resource::Project(ProjectId::new(PROJECT)),
        )
        .await
        .unwrap();
    assert_eq!(binding.id, RoleBindingId::new(BINDING_ID));
    assert_eq!(binding.role_id, RoleId::new(ROLE));
    assert_eq!(binding.user_id, UserId::new(USER));
    assert_eq!(binding.resource, Resource::Project(ProjectId::new(PROJECT)));
    assert_eq!(binding.created_at.to_rfc3339(), "2024-06-01T10:00:00+00:00");
    created.assert_calls(1);
    unmatched.assert_calls(0);
}

#[tokio::test]
async fn get_update_delete_happy_paths() {
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    let get = server.get_role_binding(|when, then| {
        when.binding_id(&id(BINDING_ID));
        then.ok(&wire_binding(BINDING_ID, ROLE, USER, "SPACE", SPACE));
    });
    let update = server.update_role_binding(|when, then| {
        when.binding_id(&id(BINDING_ID))
            .body(&UpdateRoleBindingRequest {
                role_id: id(OTHER_ROLE),
            });
        then.ok(&wire_binding(BINDING_ID, OTHER_ROLE, USER, "SPACE", SPACE));
    });
    let delete = server.delete_role_binding(|when, then| {
        when.binding_id(&id(BINDING_ID));
        then.no_content();
    });
    let unmatched = catch_all(&server);

    let binding_id = RoleBindingId::new(BINDING_ID);
    let got = client.get(&binding_id).await.unwrap();
    assert_eq!(got.resource, Resource::Space(SpaceId::new(SPACE)));
    let updated = client
        .update(&binding_id, &RoleId::new(OTHER_ROLE))
        .await
        .unwrap();
    assert_eq!(updated.role_id, RoleId::new(OTHER_ROLE));
    client.delete(&binding_id).await.unwrap();
    get.assert_calls(1);
    update.assert_calls(1);
    delete.assert_calls(1);
    unmatched.assert_calls(0);
}

#[tokio::test]
async fn list_page_sends_every_filter_and_exposes_the_cursor() {
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    let list = server.list_role_bindings(|when, then| {
        when.resource_type(RoleBindingResourceType::Project)
            .user_id(&id(USER))
            .limit(std::num::NonZeroU64::new(25))
            .cursor("c-1");
        then.ok(&page(
            vec![
                wire_binding(BINDING_ID, ROLE, USER, "PROJECT", PROJECT),
                wire_binding("Um9sZUJpbmRpbmc6MjpiYg==", ROLE, USER, "PROJECT", MODEL),
            ],
            Some("c-2"),
        ));
    });
    let unmatched = catch_all(&server);
    let query = ListQuery::new(ResourceType::Project)
        .user(UserId::new(USER))
        .limit(25)
        .cursor("c-1");
    let page = client.list_page(&query).await.unwrap();
    assert_eq!(page.bindings().len(), 2);
    assert_eq!(
        page.bindings()[1].resource,
        Resource::Project(ProjectId::new(MODEL))
    );
    assert!(page.has_more());
    assert_eq!(page.next_cursor(), Some(&Cursor::new("c-2")));
    list.assert_calls(1);
    unmatched.assert_calls(0);
}

#[tokio::test]
async fn list_page_without_optional_filters_omits_them() {
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    let list = server.list_role_bindings(|when, then| {
        when.resource_type(RoleBindingResourceType::Space)
            .user_id(None)
            .limit(None)
            .cursor(None);
        then.ok(&page(vec![], None));
    });
    let unmatched = catch_all(&server);
    let page = client
        .list_page(&ListQuery::new(ResourceType::Space))
        .await
        .unwrap();
    assert!(page.bindings().is_empty());
    assert!(!page.has_more());
    assert_eq!(page.next_cursor(), None);
    list.assert_calls(1);
    unmatched.assert_calls(0);
}

/// Every documented error status of create comes back as `Error::Api`
/// with its status and problem.
#[tokio::test]
async fn documented_error_statuses_map_to_api_errors_with_the_problem() {
    for (status, title) in [
        (400u16, "Invalid Request"),
        (401, "Authentication Required"),
        (403, "Access Forbidden"),
        (404, "Resource Not Found"),
        (409, "Resource Conflict"),
        (422, "Unprocessable Entity"),
    ] {
        let server = MockServer::start_async().await;
        let (client, sleeper) = mock_client(&server);
        let detail = format!("detail for {status}");
        let p = problem(i64::from(status), title, &detail);
        let mock = server.create_role_binding(|_, then| {
            match status {
                400 => then.bad_request(&p),
                401 => then.unauthorized(&p),
                403 => then.forbidden(&p),
                404 => then.not_found(&p),
                409 => then.conflict(&p),
                _ => then.unprocessable_entity(&p),
            };
        });
        let err = client
            .create(
                &UserId::new(USER),
                &RoleId::new(ROLE),
                &Resource::Space(SpaceId::new(SPACE)),
            )
            .await
            .unwrap_err();
        match &err {
            Error::Api {
                status: s,
                problem,
                retry_after,
                ..
            } => {
                assert_eq!(s.as_u16(), status);
                assert_eq!(problem.status, status);
                assert_eq!(problem.title, title);
                assert_eq!(problem.detail.as_deref(), Some(detail.as_str()));
                assert_eq!(problem.type_, p.type_);
                assert_eq!(*retry_after, None);
            }
            other => panic!("{status}: {other:?}"),
        }
        assert_eq!(err.status(), Some(StatusCode::from_u16(status).unwrap()));
        assert_eq!(err.problem().unwrap().title, title);
        assert_eq!(err.is_conflict(), status == 409);
        assert_eq!(err.is_not_found(), status == 404);
        assert!(!err.is_retryable());
        let text = err.to_string();
        assert!(
            text.contains(&status.to_string()) && text.contains(&detail),
            "{text}"
        );
        // None of these is retried.
        mock.assert_calls(1);
        assert!(sleeper.delays().is_empty());
    }
}

/// 429 and 5xx answers (which are retried) end as `Error::Api` too once
/// the attempts are spent; a 5xx without a problem body gets one built from
/// the status line.
#[tokio::test]
async fn rate_limits_and_server_errors_map_to_api_errors() {
    // 429 with a problem and Retry-After.
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    let p = problem(429, "Rate Limit Exceeded", "slow down");
    let mock = server.get_role_binding(|_, then| {
        then.too_many_requests(&p)
            .into_inner()
            .header("retry-after", "3");
    });
    let err = client
        .get(&RoleBindingId::new(BINDING_ID))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(err.problem().unwrap().detail.as_deref(), Some("slow down"));
    assert_eq!(err.retry_after(), Some(std::time::Duration::from_secs(3)));
    assert!(err.is_retryable());
    mock.assert_calls(3);

    // 5xx with a problem+json body (not in the spec for this operation).
    for status in [500u16, 502, 503, 504] {
        let server = MockServer::start_async().await;
        let (client, _) = mock_client(&server);
        server.mock(|when, then| {
            when.any_request();
            then.status(status)
                .header("content-type", "application/problem+json")
                .body(format!(
                    r#"{{"type":"https://arize.com/docs/ax/rest-reference/errors#service-unavailable","title":"Server trouble","status":{status},"detail":"try later"}}"#
                ));
        });
        let err = client
            .get(&RoleBindingId::new(BINDING_ID))
            .await
            .unwrap_err();
        assert_eq!(err.status().unwrap().as_u16(), status);
        let p = err.problem().unwrap();
        assert_eq!(
            (p.title.as_str(), p.status, p.detail.as_deref()),
            ("Server trouble", status, Some("try later"))
        );
        assert_eq!(err.is_retryable(), status != 500);
    }

    // A bare 502 from a proxy.
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    server.mock(|when, then| {
        when.any_request();
        then.status(502)
            .header("content-type", "text/html")
            .body("<html>bad gateway</html>");
    });
    let err = client
        .get(&RoleBindingId::new(BINDING_ID))
        .await
        .unwrap_err();
    let p = err.problem().unwrap();
    assert_eq!(p.status, 502);
    assert_eq!(p.title, "Bad Gateway");
    assert_eq!(p.detail.as_deref(), Some("<html>bad gateway</html>"));
}

#[tokio::test]
async fn an_invalid_success_body_is_a_decode_error_with_an_excerpt() {
    let server = MockServer::start_async().await;
    let (client, sleeper) = mock_client(&server);
    let mock = server.mock(|when, then| {
        when.any_request();
        then.status(200)
            .header("content-type", "application/json")
            .body(r#"{"id": "truncated"#);
    });
    let err = client
        .get(&RoleBindingId::new(BINDING_ID))
        .await
        .unwrap_err();
    match &err {
        Error::Decode { excerpt, .. } => assert_eq!(excerpt, r#"{"id": "truncated"#),
        other => panic!("{other:?}"),
    }
    assert!(std::error::Error::source(&err).is_some());
    mock.assert_calls(1);
    assert!(sleeper.delays().is_empty());

    // An undocumented 2xx with a valid body is accepted.
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    server.mock(|when, then| {
        when.any_request();
        then.status(200)
            .header("content-type", "application/json")
            .json_body_obj(&wire_binding(BINDING_ID, ROLE, USER, "SPACE", SPACE));
    });
    let binding = client
        .create(
            &UserId::new(USER),
            &RoleId::new(ROLE),
            &Resource::Space(SpaceId::new(SPACE)),
        )
        .await
        .unwrap();
    assert_eq!(binding.id, RoleBindingId::new(BINDING_ID));
}

/// The seeds' invalid example — resource_type PROJECT with the Space ID
/// `U3BhY2U6MTp1Rk4x` — and other definite mismatches are rejected with no
/// request sent.
#[tokio::test]
async fn definite_id_mismatches_send_nothing() {
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    let unmatched = catch_all(&server);

    let err = client
        .create(
            &UserId::new(USER),
            &RoleId::new(ROLE),
            &Resource::Project(ProjectId::new(SEED_INVALID_PROJECT)),
        )
        .await
        .unwrap_err();
    match &err {
        Error::Validation(ValidationError::IdTypeMismatch {
            parameter,
            id,
            encoded,
            expected,
            ..
        }) => {
            assert_eq!(*parameter, "resource_id");
            assert_eq!(id, SEED_INVALID_PROJECT);
            assert_eq!(encoded, "Space");
            assert!(expected.contains("Project"), "{expected}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("no request was sent"));

    // A Project ID as a SPACE, a User ID as a role, a Role ID as a user.
    let mismatches = [
        client
            .create(
                &UserId::new(USER),
                &RoleId::new(ROLE),
                &Resource::Space(SpaceId::new(PROJECT)),
            )
            .await,
        client
            .create(
                &UserId::new(USER),
                &RoleId::new(USER),
                &Resource::Space(SpaceId::new(SPACE)),
            )
            .await,
        client
            .create(
                &UserId::new(ROLE),
                &RoleId::new(ROLE),
                &Resource::Space(SpaceId::new(SPACE)),
            )
            .await,
        client
            .ensure(
                &UserId::new(USER),
                &RoleId::new(ROLE),
                &Resource::Project(ProjectId::new(SEED_INVALID_PROJECT)),
            )
            .await
            .map(|e| e.binding),
        client.get(&RoleBindingId::new(ROLE)).await,
        client
            .update(&RoleBindingId::new(BINDING_ID), &RoleId::new(SPACE))
            .await,
    ];
    for result in mismatches {
        assert!(
            matches!(
                result,
                Err(Error::Validation(ValidationError::IdTypeMismatch { .. }))
            ),
            "{result:?}"
        );
    }
    assert!(
        client
            .delete(&RoleBindingId::new(USER))
            .await
            .unwrap_err()
            .is_validation()
    );
    assert!(
        client
            .revoke(&UserId::new(SPACE), &Resource::Space(SpaceId::new(SPACE)))
            .await
            .unwrap_err()
            .is_validation()
    );
    assert!(
        client
            .delete(&RoleBindingId::new(""))
            .await
            .unwrap_err()
            .is_validation()
    );

    // Limits outside 1..=100 and a user filter of the wrong type.
    for query in [
        ListQuery::new(ResourceType::Space).limit(0),
        ListQuery::new(ResourceType::Space).limit(101),
        ListQuery::new(ResourceType::Space).user(UserId::new(ROLE)),
        ListQuery::new(ResourceType::Space).cursor(""),
    ] {
        assert!(
            client.list_page(&query).await.unwrap_err().is_validation(),
            "{query:?}"
        );
    }
    let err = client
        .list_page(&ListQuery::new(ResourceType::Space).limit(500))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Validation(ValidationError::LimitOutOfRange { limit: 500 })
    ));

    unmatched.assert_calls(0);
}

/// Project and Model IDs are accepted for PROJECT, Space IDs for SPACE, and
/// IDs that do not decode are passed through untouched.
#[tokio::test]
async fn accepted_ids_reach_the_server_unchanged() {
    let cases = [
        (
            RoleBindingResourceType::Project,
            PROJECT,
            Resource::Project(ProjectId::new(PROJECT)),
        ),
        (
            RoleBindingResourceType::Project,
            MODEL,
            Resource::Project(ProjectId::new(MODEL)),
        ),
        (
            RoleBindingResourceType::Space,
            SPACE,
            Resource::Space(SpaceId::new(SPACE)),
        ),
        (
            RoleBindingResourceType::Project,
            "opaque project id",
            Resource::Project(ProjectId::new("opaque project id")),
        ),
        (
            RoleBindingResourceType::Space,
            "RW50aXR5OjEyMzQ1",
            Resource::Space(SpaceId::new("RW50aXR5OjEyMzQ1")),
        ),
    ];
    for (resource_type, raw, resource) in cases {
        let server = MockServer::start_async().await;
        let (client, _) = mock_client(&server);
        let rt = if resource_type == RoleBindingResourceType::Space {
            "SPACE"
        } else {
            "PROJECT"
        };
        let mock = server.create_role_binding(|when, then| {
            when.body(&create_body(resource_type, raw));
            then.created(&wire_binding(BINDING_ID, ROLE, USER, rt, raw));
        });
        let unmatched = catch_all(&server);
        let binding = client
            .create(&UserId::new(USER), &RoleId::new(ROLE), &resource)
            .await
            .unwrap();
        assert_eq!(binding.resource, resource);
        mock.assert_calls(1);
        unmatched.assert_calls(0);
    }

    // Opaque IDs everywhere else too.
    let server = MockServer::start_async().await;
    let (client, _) = mock_client(&server);
    let mock = server.get_role_binding(|when, then| {
        when.binding_id(&id("opaque-binding-id"));
        then.ok(&wire_binding("opaque-binding-id", "r", "u", "SPACE", "s"));
    });
    let got = client
        .get(&RoleBindingId::new("opaque-binding-id"))
        .await
        .unwrap();
    assert_eq!(got.id.as_str(), "opaque-binding-id");
    mock.assert_calls(1);
}
