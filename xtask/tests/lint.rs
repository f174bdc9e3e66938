//! `cargo xtask lint` on the committed spec and on deliberately broken
//! copies of it: each breakage is reported at the right JSON pointer and the
//! command exits non-zero.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;

use serde_json::{Value, json};
use support::{Run, root, xtask};

fn committed() -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join("openapi/openapi.json")).unwrap())
        .unwrap()
}

fn lint(doc: &Value) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openapi.json");
    std::fs::write(&path, serde_json::to_string_pretty(doc).unwrap()).unwrap();
    xtask(&["lint".as_ref(), "--spec".as_ref(), path.as_os_str()])
}

/// The pointers of every `lint: error at <pointer>: <message>` line.
fn pointers(run: &Run) -> BTreeSet<String> {
    run.stderr
        .lines()
        .filter_map(|line| line.strip_prefix("lint: error at "))
        .map(|rest| rest.split_once(": ").unwrap().0.to_owned())
        .collect()
}

/// Breaks the committed spec with `mutate` and checks that lint fails with
/// exactly `expected` pointers, the first (as given) of which carries
/// `message`.
fn assert_lint_fails(mutate: impl FnOnce(&mut Value), expected: &[&str], message: &str) {
    let mut doc = committed();
    mutate(&mut doc);
    let run = lint(&doc);
    assert_eq!(run.code, Some(1), "lint must fail: {run:?}");
    let first = expected[0];
    let expected: BTreeSet<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(pointers(&run), expected, "{}", run.stderr);
    let line = format!("lint: error at {first}: ");
    assert!(
        run.stderr
            .lines()
            .any(|l| l.starts_with(&line) && l.contains(message)),
        "no line {line}...{message} in:\n{}",
        run.stderr
    );
    assert!(!run.stdout.contains("lint: ok"), "{}", run.stdout);
}

const LIST: &str = "/paths/~1v2~1role-bindings/get";
const GET: &str = "/paths/~1v2~1role-bindings~1{binding_id}/get";

fn at<'a>(doc: &'a mut Value, pointer: &str) -> &'a mut Value {
    doc.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer} exists in the committed spec"))
}

#[test]
fn the_committed_spec_passes() {
    let run = xtask(&["lint"]);
    assert!(run.success(), "{run:?}");
    // 13 operations; 13 successes + the 25 error pairs of the role-binding
    // facts table + the 35 of the directory facts table.
    assert_eq!(
        run.stdout.trim(),
        "lint: ok (13 operations, 73 responses checked)"
    );
}

#[test]
fn a_ref_that_does_not_resolve() {
    assert_lint_fails(
        |doc| {
            *at(doc, &format!("{LIST}/responses/400/$ref")) =
                json!("#/components/responses/BadReqest")
        },
        &["/paths/~1v2~1role-bindings/get/responses/400/$ref"],
        "$ref #/components/responses/BadReqest does not resolve",
    );
}

#[test]
fn a_schema_ref_that_does_not_resolve() {
    assert_lint_fails(
        |doc| {
            *at(
                doc,
                "/components/schemas/RoleBinding/properties/user_id/$ref",
            ) = json!("#/components/schemas/UserId");
        },
        &["/components/schemas/RoleBinding/properties/user_id/$ref"],
        "does not resolve",
    );
}

#[test]
fn an_external_ref() {
    assert_lint_fails(
        |doc| {
            *at(
                doc,
                "/components/schemas/ListRoleBindingsResponse/properties/pagination/$ref",
            ) = json!("common.yaml#/components/schemas/PaginationMetadata");
        },
        &["/components/schemas/ListRoleBindingsResponse/properties/pagination/$ref"],
        "points to another document",
    );
}

#[test]
fn an_operation_without_operation_id() {
    assert_lint_fails(
        |doc| {
            at(doc, GET).as_object_mut().unwrap().remove("operationId");
        },
        // And get_role_binding, listed, is now missing.
        &[GET, "/paths"],
        "operation has no operationId",
    );
}

#[test]
fn an_operation_that_is_not_listed() {
    assert_lint_fails(
        |doc| *at(doc, &format!("{GET}/operationId")) = json!("fetch_role_binding"),
        &[&format!("{GET}/operationId"), "/paths"],
        "operationId fetch_role_binding is not listed in openapi/operations.txt; list it there or remove the operation",
    );
}

#[test]
fn a_listed_operation_that_is_missing() {
    assert_lint_fails(
        |doc| {
            doc["paths"]
                .as_object_mut()
                .unwrap()
                .remove("/v2/users/{user_id}");
        },
        &["/paths"],
        "no operation has operationId get_user, which openapi/operations.txt lists",
    );
    // Against a list without it, the same document passes.
    let mut doc = committed();
    doc["paths"]
        .as_object_mut()
        .unwrap()
        .remove("/v2/users/{user_id}");
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("openapi.json");
    std::fs::write(&spec, serde_json::to_string(&doc).unwrap()).unwrap();
    let list = dir.path().join("operations.txt");
    let committed_list = std::fs::read_to_string(root().join("openapi/operations.txt")).unwrap();
    assert!(committed_list.contains("\nget_user\n"));
    std::fs::write(&list, committed_list.replace("\nget_user\n", "\n")).unwrap();
    let run = xtask(&[
        "lint".as_ref(),
        "--spec".as_ref(),
        spec.as_os_str(),
        "--operations".as_ref(),
        list.as_os_str(),
    ]);
    assert!(run.success(), "{run:?}");
    assert!(
        run.stdout.contains("lint: ok (12 operations"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_duplicate_operation_id() {
    assert_lint_fails(
        |doc| *at(doc, &format!("{GET}/operationId")) = json!("list_role_bindings"),
        // And get_role_binding, listed, is now missing.
        &[
            "/paths/~1v2~1role-bindings~1{binding_id}/get/operationId",
            "/paths",
        ],
        "operationId list_role_bindings is already used at /paths/~1v2~1role-bindings/get/operationId",
    );
}

#[test]
fn an_error_response_that_is_not_problem_json() {
    assert_lint_fails(
        |doc| {
            let content = at(doc, "/components/responses/NotFound/content")
                .as_object_mut()
                .unwrap();
            let media = content.remove("application/problem+json").unwrap();
            content.insert("application/json".into(), media);
        },
        &[
            "/components/responses/NotFound/content",
            "/components/responses/NotFound/content/application~1json",
        ],
        "404 response has no application/problem+json body",
    );
}

#[test]
fn an_inline_error_response_with_an_extra_media_type() {
    assert_lint_fails(
        |doc| {
            *at(doc, &format!("{GET}/responses/429")) = json!({
                "description": "Too many requests",
                "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                "content": {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}},
                    "text/plain": {"schema": {"type": "string"}}
                }
            });
        },
        &["/paths/~1v2~1role-bindings~1{binding_id}/get/responses/429/content/text~1plain"],
        "429 response is text/plain; errors must be application/problem+json only",
    );
}

#[test]
fn an_error_response_whose_schema_is_not_problem() {
    assert_lint_fails(
        |doc| {
            *at(
                doc,
                "/components/responses/Conflict/content/application~1problem+json/schema",
            ) = json!({"type": "object"});
        },
        &["/components/responses/Conflict/content/application~1problem+json/schema"],
        "409 response schema must be {\"$ref\": \"#/components/schemas/Problem\"}",
    );
}

#[test]
fn an_error_response_without_content() {
    assert_lint_fails(
        |doc| *at(doc, &format!("{GET}/responses/400")) = json!({"description": "Bad"}),
        &["/paths/~1v2~1role-bindings~1{binding_id}/get/responses/400"],
        "400 response has no content",
    );
}

#[test]
fn an_integer_query_parameter_without_maximum() {
    assert_lint_fails(
        |doc| {
            at(doc, &format!("{LIST}/parameters/0/schema"))
                .as_object_mut()
                .unwrap()
                .remove("maximum")
                .unwrap();
        },
        &["/paths/~1v2~1role-bindings/get/parameters/0/schema"],
        "integer query parameter limit has no maximum",
    );
}

#[test]
fn an_integer_query_parameter_without_minimum_behind_a_ref() {
    // The bound is checked where the schema really is, through $refs.
    assert_lint_fails(
        |doc| {
            let schema = at(doc, &format!("{LIST}/parameters/0/schema")).take();
            at(doc, "/components/schemas")
                .as_object_mut()
                .unwrap()
                .insert("Limit".into(), schema);
            at(doc, "/components/schemas/Limit")
                .as_object_mut()
                .unwrap()
                .remove("minimum")
                .unwrap();
            *at(doc, &format!("{LIST}/parameters/0/schema")) =
                json!({"$ref": "#/components/schemas/Limit"});
        },
        &["/components/schemas/Limit"],
        "integer query parameter limit has no minimum",
    );
}

#[test]
fn a_429_without_retry_after() {
    assert_lint_fails(
        |doc| {
            at(doc, "/components/responses/TooManyRequests")
                .as_object_mut()
                .unwrap()
                .remove("headers")
                .unwrap();
        },
        &["/components/responses/TooManyRequests/headers"],
        "429 response does not declare the Retry-After header",
    );
}

#[test]
fn an_openapi_31_document() {
    assert_lint_fails(
        |doc| *at(doc, "/openapi") = json!("3.1.0"),
        &["/openapi"],
        "version \"3.1.0\" is not OpenAPI 3.0.x",
    );
}

#[test]
fn a_document_openapiv3_rejects() {
    // `in: body` is Swagger 2.0; openapiv3 (progenitor's parser) refuses it.
    assert_lint_fails(
        |doc| *at(doc, &format!("{LIST}/parameters/1/in")) = json!("body"),
        &["/paths/~1v2~1role-bindings/get/parameters/1"],
        "not a valid OpenAPI 3.0 document",
    );
}

#[test]
fn several_breakages_are_all_reported() {
    let mut doc = committed();
    at(&mut doc, GET)
        .as_object_mut()
        .unwrap()
        .remove("operationId");
    *at(&mut doc, &format!("{LIST}/responses/401/$ref")) = json!("#/components/responses/Nope");
    let run = lint(&doc);
    assert_eq!(run.code, Some(1));
    assert_eq!(
        pointers(&run),
        [
            GET.to_owned(),
            format!("{LIST}/responses/401/$ref"),
            "/paths".to_owned()
        ]
        .into_iter()
        .collect()
    );
    assert!(run.stderr.contains("lint: 3 error(s)"), "{}", run.stderr);
}

#[test]
fn an_unreadable_spec() {
    let run = xtask(&["lint", "--spec", "/nonexistent/openapi.json"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains("cannot read /nonexistent/openapi.json"),
        "{}",
        run.stderr
    );
}
