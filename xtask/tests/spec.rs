//! `cargo xtask spec --from`: the subset of a full document that holds the
//! operations of `openapi/operations.txt`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;
use support::{Run, fixture, root, xtask};

fn spec(from: &Path, out: &Path) -> Run {
    xtask(&[
        "spec".as_ref(),
        "--from".as_ref(),
        from.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ])
}

fn names(value: &Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// What the synthetic document's closure of the 13 listed operations is,
/// worked out by hand from `fixtures/full.yaml` (not from the tool's
/// output).
fn assert_is_the_closure(doc: &Value) {
    assert_eq!(
        names(&doc["paths"]),
        set(&[
            "/v2/role-bindings",
            "/v2/role-bindings/{binding_id}",
            "/v2/users",
            "/v2/users/{user_id}",
            "/v2/roles",
            "/v2/roles/{role_id}",
            "/v2/spaces",
            "/v2/spaces/{space_id}",
            "/v2/projects",
            "/v2/projects/{project_id}",
        ])
    );
    // Dropped next to kept ones on the same path: create_user,
    // create_space, delete_project; list_datasets' path goes entirely.
    for (path, methods) in [
        ("/v2/users", &["get"][..]),
        ("/v2/spaces", &["get"][..]),
        ("/v2/projects/{project_id}", &["get"][..]),
    ] {
        assert_eq!(names(&doc["paths"][path]), set(methods), "{path}");
    }
    assert_eq!(
        names(&doc["paths"]["/v2/role-bindings"]),
        set(&["get", "post"])
    );
    // `put` (replace_role_binding) is dropped; the path-level parameter stays.
    assert_eq!(
        names(&doc["paths"]["/v2/role-bindings/{binding_id}"]),
        set(&["parameters", "get", "patch", "delete"])
    );
    let components = &doc["components"];
    assert_eq!(
        names(components),
        set(&[
            "schemas",
            "responses",
            "parameters",
            "requestBodies",
            "headers",
            "examples",
            "securitySchemes",
            "x-arize-components-note",
        ])
    );
    assert_eq!(
        names(&components["schemas"]),
        set(&[
            "Id",
            "Timestamp",
            // RoleBinding -> allOf AuditFields -> Timestamp: the chain.
            "AuditFields",
            "RoleBindingResourceType",
            "RoleBinding",
            // Reached through oneOf and the discriminator mapping only
            // (ModelRef is named by a bare mapping value, nothing else).
            "ResourceRef",
            "SpaceRef",
            "ProjectRef",
            "ModelRef",
            // ListRoleBindingsResponse -> PaginationMetadata -> Cursor.
            "Cursor",
            "PaginationMetadata",
            "ListRoleBindingsResponse",
            "CreateRoleBindingRequest",
            "UpdateRoleBindingRequest",
            "Problem",
            // The directory reads: list_users -> UserList -> User,
            // list_roles -> Role -> Permission, Space, Project.
            "User",
            "UserList",
            "Role",
            "Permission",
            "Space",
            "Project",
        ])
    );
    assert_eq!(
        names(&components["responses"]),
        set(&[
            "BadRequest",
            "Unauthorized",
            "Forbidden",
            "NotFound",
            "Conflict",
            "UnprocessableEntity",
            "TooManyRequests",
            // Only list_users answers 500.
            "ServerError",
        ])
    );
    assert_eq!(
        names(&components["parameters"]),
        set(&["BindingId", "Limit", "UserFilter"])
    );
    assert_eq!(
        names(&components["headers"]),
        set(&["RetryAfter", "XRequestId"])
    );
    assert_eq!(
        names(&components["examples"]),
        set(&["ValidCreate", "InvalidCreate", "UserExample"])
    );
    // The dropped create_user's request body goes, though its schema (User)
    // stays for list_users.
    assert_eq!(
        names(&components["requestBodies"]),
        set(&["CreateRoleBinding"])
    );
    // bearerAuth is required by the top-level security; apiKeyHeader only
    // by the dropped create_user.
    assert_eq!(names(&components["securitySchemes"]), set(&["bearerAuth"]));
    // Tags: only those the kept operations use, in the input's order.
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tag| tag["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        tags,
        ["Users", "Role Bindings", "Spaces", "Roles", "Projects"]
    );
    assert_eq!(
        doc["tags"][1],
        serde_json::json!({"name": "Role Bindings", "description": "Assign and manage role bindings."})
    );
    // Extensions are kept wherever they are.
    assert_eq!(doc["x-arize-generated-by"], "synthetic");
    assert_eq!(doc["x-tagGroups"][0]["name"], "Access");
    assert_eq!(doc["info"]["x-arize-audience"], "public");
    assert_eq!(components["x-arize-components-note"], "kept verbatim");
    assert_eq!(
        doc["paths"]["/v2/role-bindings"]["get"]["x-arize-beta"],
        true
    );
    assert_eq!(components["schemas"]["RoleBinding"]["x-arize-beta"], true);
    // Top-level members other than paths and components are kept as is.
    assert_eq!(doc["openapi"], "3.0.3");
    assert_eq!(doc["servers"][0]["url"], "https://api.arize.com");
    assert_eq!(doc["security"], serde_json::json!([{"bearerAuth": []}]));
}

#[test]
fn json_input_gives_exactly_the_closure_and_is_stable() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("openapi.json");

    let first = spec(&fixture("full.json"), &out);
    assert!(first.success(), "{first:?}");
    let bytes = std::fs::read(&out).unwrap();
    let doc: Value = serde_json::from_slice(&bytes).unwrap();
    assert_is_the_closure(&doc);
    // The reviewed golden output, byte for byte.
    assert_eq!(
        String::from_utf8(bytes.clone()).unwrap(),
        std::fs::read_to_string(fixture("full.expected.json")).unwrap()
    );
    // The run says what it kept and dropped.
    for expected in [
        "kept 13 operations",
        "dropped 5 operations, 1 paths",
        "PUT    /v2/role-bindings/{binding_id}  replace_role_binding",
        "POST   /v2/users  create_user",
        "POST   /v2/spaces  create_space",
        "DELETE /v2/projects/{project_id}  delete_project",
        "GET    /v2/datasets  list_datasets",
        "requestBodies (1): CreateUser",
        "schemas (4): CreateSpaceRequest, Dataset, ReplaceRoleBindingRequest, Unused",
        "securitySchemes (1): apiKeyHeader",
        "dropped tags: Datasets",
        "spec: wrote",
    ] {
        assert!(
            first.stdout.contains(expected),
            "missing {expected:?} in:\n{}",
            first.stdout
        );
    }

    // A second run is a byte-identical no-op.
    let second = spec(&fixture("full.json"), &out);
    assert!(second.success(), "{second:?}");
    assert!(
        second.stdout.contains("spec: unchanged"),
        "{}",
        second.stdout
    );
    assert_eq!(std::fs::read(&out).unwrap(), bytes);

    // The output is a fixed point: extracting from it changes nothing.
    let again = dir.path().join("again.json");
    let third = spec(&out, &again);
    assert!(third.success(), "{third:?}");
    assert_eq!(std::fs::read(&again).unwrap(), bytes);
}

#[test]
fn yaml_input_gives_the_same_bytes_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let from_yaml = dir.path().join("from-yaml.json");
    let run = spec(&fixture("full.yaml"), &from_yaml);
    assert!(run.success(), "{run:?}");
    let doc: Value = serde_json::from_slice(&std::fs::read(&from_yaml).unwrap()).unwrap();
    assert_is_the_closure(&doc);
    // YAML's integer status keys (`200:`) became strings.
    assert!(doc["paths"]["/v2/role-bindings"]["get"]["responses"]["200"].is_object());
    assert_eq!(
        std::fs::read_to_string(&from_yaml).unwrap(),
        std::fs::read_to_string(fixture("full.expected.json")).unwrap()
    );
}

#[test]
fn the_committed_spec_is_a_fixed_point() {
    // `cargo xtask spec --from openapi/openapi.json` must be a no-op: the
    // committed file is already the canonical subset of the listed
    // operations.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("openapi.json");
    let committed = root().join("openapi/openapi.json");
    let run = spec(&committed, &out);
    assert!(run.success(), "{run:?}");
    assert!(
        run.stdout.contains("dropped 0 operations, 0 paths"),
        "{}",
        run.stdout
    );
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(&committed).unwrap()
    );
}

#[test]
fn openapi_31_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        (
            "full-3.1.json",
            std::fs::read_to_string(fixture("full.json"))
                .unwrap()
                .replacen("\"openapi\": \"3.0.3\"", "\"openapi\": \"3.1.0\"", 1),
        ),
        (
            "full-3.1.yaml",
            std::fs::read_to_string(fixture("full.yaml"))
                .unwrap()
                .replacen("openapi: 3.0.3", "openapi: 3.1.0", 1),
        ),
    ] {
        assert!(text.contains("3.1.0"));
        let input = dir.path().join(name);
        std::fs::write(&input, text).unwrap();
        let out = dir.path().join("out.json");
        let run = spec(&input, &out);
        assert_eq!(run.code, Some(1), "{run:?}");
        assert!(
            run.stderr.contains("OpenAPI 3.1.0 document")
                && run.stderr.contains("needs OpenAPI 3.0.x"),
            "{}",
            run.stderr
        );
        assert!(!out.exists(), "nothing is written on error");
    }
}

#[test]
fn a_dangling_reference_in_the_closure_is_named() {
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("full.json")).unwrap()).unwrap();
    doc["components"]["schemas"]
        .as_object_mut()
        .unwrap()
        .remove("Cursor")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("broken.json");
    std::fs::write(&input, serde_json::to_string(&doc).unwrap()).unwrap();
    let run = spec(&input, &dir.path().join("out.json"));
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains(
            "/components/schemas/PaginationMetadata/properties/next_cursor/$ref: #/components/schemas/Cursor does not resolve"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_operation_is_an_error() {
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("full.json")).unwrap()).unwrap();
    doc["paths"]["/v2/role-bindings/{binding_id}"]
        .as_object_mut()
        .unwrap()
        .remove("delete")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("partial.json");
    std::fs::write(&input, serde_json::to_string(&doc).unwrap()).unwrap();
    let run = spec(&input, &dir.path().join("out.json"));
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr
            .contains("the document has no operation with operationId delete_role_binding"),
        "{}",
        run.stderr
    );
}

fn spec_with_operations(from: &Path, out: &Path, operations: &Path) -> Run {
    xtask(&[
        "spec".as_ref(),
        "--from".as_ref(),
        from.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--operations".as_ref(),
        operations.as_os_str(),
    ])
}

#[test]
fn the_operations_to_keep_come_from_the_list_file() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("operations.txt");
    std::fs::write(
        &list,
        "# only the users\nlist_users   # with a comment\n\n  get_user\n",
    )
    .unwrap();
    let out = dir.path().join("openapi.json");
    let run = spec_with_operations(&fixture("full.yaml"), &out, &list);
    assert!(run.success(), "{run:?}");
    assert!(run.stdout.contains("kept 2 operations"), "{}", run.stdout);
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(
        names(&doc["paths"]),
        set(&["/v2/users", "/v2/users/{user_id}"])
    );
    assert_eq!(names(&doc["paths"]["/v2/users"]), set(&["get"]));
    assert_eq!(
        names(&doc["components"]["schemas"]),
        set(&["Id", "User", "UserList", "Problem"])
    );
}

#[test]
fn a_bad_list_file_is_refused_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    for (text, expected) in [
        (
            "list_users\nget_user\nlist_users\n",
            "line 3: operationId list_users is already listed (entry 1)",
        ),
        (
            "list_users get_user\n",
            "line 1: \"list_users get_user\" is not an operationId",
        ),
        ("# nothing\n\n", "no operationId listed"),
    ] {
        let list = dir.path().join("operations.txt");
        std::fs::write(&list, text).unwrap();
        let out = dir.path().join("out.json");
        let run = spec_with_operations(&fixture("full.json"), &out, &list);
        assert_eq!(run.code, Some(1), "{run:?}");
        assert!(
            run.stderr.contains("is not a list of operations") && run.stderr.contains(expected),
            "{expected:?} not in {}",
            run.stderr
        );
        assert!(!out.exists(), "nothing is written on error");
    }
}
