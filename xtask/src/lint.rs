//! `cargo xtask lint`: the project's rules for `openapi/openapi.json`.
//!
//! 1. The document parses as OpenAPI 3.0 (`openapi: 3.0.x`, and the
//!    `openapiv3` crate that progenitor uses accepts it).
//! 2. Every `$ref` resolves inside the document.
//! 3. Every operation has a unique operationId.
//! 4. Every 4xx/5xx response is `application/problem+json` (and nothing
//!    else) with the schema `#/components/schemas/Problem`.
//! 5. Every integer query parameter has a `minimum` and a `maximum` (list
//!    parameters have bounds).
//! 6. Every 429 response declares the `Retry-After` header.
//! 7. The operations are exactly those listed in `openapi/operations.txt`
//!    (the list `cargo xtask spec --from` keeps): none missing, none extra.
//!
//! Each finding names the JSON pointer (RFC 6901) of the member that is
//! wrong.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde_json::Value;

use crate::refs::{self, Target};
use crate::spec::METHODS;

/// The media type of error bodies.
pub const PROBLEM_JSON: &str = arize_codegen::PROBLEM_JSON;
/// The schema every error body must use.
pub const PROBLEM_REF: &str = "#/components/schemas/Problem";

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// JSON pointer of the offending member (`""` is the whole document).
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "(document)"
        } else {
            &self.pointer
        };
        write!(f, "{pointer}: {}", self.message)
    }
}

/// What a clean run checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Operations seen.
    pub operations: usize,
    /// Responses seen (one per operation and status).
    pub responses: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "lint: ok ({} operations, {} responses checked)",
            self.operations, self.responses
        )
    }
}

/// The operations a spec must hold: the operationIds of a list file (see
/// [`crate::spec::read_operations`]) and how to name that file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operations {
    /// The operationIds, in the list's order.
    pub ids: Vec<String>,
    /// The list file as messages name it (e.g. `openapi/operations.txt`).
    pub label: String,
}

/// Reads the list of operations at `operations` and lints the spec at
/// `path` against it.
///
/// # Errors
///
/// The findings (a read or parse failure of either file is one finding at
/// `""`).
pub fn lint_file(path: &Path, operations: &Path, label: &str) -> Result<Summary, Vec<Finding>> {
    let whole = |error: anyhow::Error| {
        vec![Finding {
            pointer: String::new(),
            message: format!("{error:#}"),
        }]
    };
    let ids = crate::spec::read_operations(operations).map_err(whole)?;
    let doc = crate::spec::read_document(path).map_err(whole)?;
    lint(
        &doc,
        &Operations {
            ids,
            label: label.to_owned(),
        },
    )
}

/// Lints a parsed document; its operations must be exactly `operations`.
///
/// # Errors
///
/// Every finding, in document order, without duplicates.
pub fn lint(doc: &Value, operations: &Operations) -> Result<Summary, Vec<Finding>> {
    let mut lint = Lint {
        doc,
        findings: Vec::new(),
    };
    lint.version();
    lint.openapiv3();
    lint.references();
    let summary = lint.operations(operations);
    if lint.findings.is_empty() {
        Ok(summary)
    } else {
        Err(lint.findings)
    }
}

/// Converts a serde_path_to_error path to a JSON pointer.
pub fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } => pointer = refs::join(&pointer, key),
            Segment::Enum { variant } => pointer = refs::join(&pointer, variant),
            Segment::Unknown => {}
        }
    }
    pointer
}

/// Parses one part of a document; on failure, the JSON pointer inside the
/// part and the message.
type PartParser = fn(&Value) -> Result<(), (String, String)>;

/// Parses `doc` with openapiv3, the parser progenitor uses.
///
/// openapiv3 flattens extensions into most objects, which hides where an
/// error is; so on failure each part (component, path item, operation,
/// parameter, request body, response) is parsed on its own, innermost
/// first, to find the JSON pointer of the part that is wrong.
///
/// # Errors
///
/// One finding at the innermost part that does not parse.
pub fn parse_openapiv3(doc: &Value) -> Result<openapiv3::OpenAPI, Finding> {
    use openapiv3::{
        Callback, Example, Header, Link, Operation, Parameter, PathItem, ReferenceOr, RequestBody,
        Response, Schema, SecurityScheme,
    };
    let error = match serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(doc.clone()) {
        Ok(openapi) => return Ok(openapi),
        Err(error) => error,
    };
    let mut parts: Vec<(String, &Value, PartParser)> = Vec::new();
    fn check<T: serde::de::DeserializeOwned>(value: &Value) -> Result<(), (String, String)> {
        serde_path_to_error::deserialize::<_, T>(value.clone())
            .map(drop)
            .map_err(|e| (pointer_of(e.path()), e.inner().to_string()))
    }
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let item_at = refs::join("/paths", path);
            for method in METHODS {
                let Some(operation) = item.get(method) else {
                    continue;
                };
                let op_at = refs::join(&item_at, method);
                for (index, parameter) in operation
                    .get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    parts.push((
                        format!("{op_at}/parameters/{index}"),
                        parameter,
                        check::<ReferenceOr<Parameter>>,
                    ));
                }
                if let Some(body) = operation.get("requestBody") {
                    parts.push((
                        refs::join(&op_at, "requestBody"),
                        body,
                        check::<ReferenceOr<RequestBody>>,
                    ));
                }
                for (status, response) in operation
                    .get("responses")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    parts.push((
                        refs::join(&refs::join(&op_at, "responses"), status),
                        response,
                        check::<ReferenceOr<Response>>,
                    ));
                }
                parts.push((op_at, operation, check::<Operation>));
            }
            for (index, parameter) in item
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                parts.push((
                    format!("{item_at}/parameters/{index}"),
                    parameter,
                    check::<ReferenceOr<Parameter>>,
                ));
            }
            parts.push((item_at, item, check::<ReferenceOr<PathItem>>));
        }
    }
    if let Some(components) = doc.get("components").and_then(Value::as_object) {
        for (kind, members) in components {
            let parse: PartParser = match kind.as_str() {
                "schemas" => check::<ReferenceOr<Schema>>,
                "responses" => check::<ReferenceOr<Response>>,
                "parameters" => check::<ReferenceOr<Parameter>>,
                "examples" => check::<ReferenceOr<Example>>,
                "requestBodies" => check::<ReferenceOr<RequestBody>>,
                "headers" => check::<ReferenceOr<Header>>,
                "securitySchemes" => check::<ReferenceOr<SecurityScheme>>,
                "links" => check::<ReferenceOr<Link>>,
                "callbacks" => check::<ReferenceOr<Callback>>,
                _ => continue,
            };
            let kind_at = refs::join("/components", kind);
            for (name, member) in members.as_object().into_iter().flatten() {
                parts.push((refs::join(&kind_at, name), member, parse));
            }
        }
    }
    for (at, value, parse) in parts {
        if let Err((inner, message)) = parse(value) {
            return Err(Finding {
                pointer: format!("{at}{inner}"),
                message: format!("not a valid OpenAPI 3.0 document: {message}"),
            });
        }
    }
    Err(Finding {
        pointer: pointer_of(error.path()),
        message: format!("not a valid OpenAPI 3.0 document: {}", error.inner()),
    })
}

struct Lint<'a> {
    doc: &'a Value,
    findings: Vec<Finding>,
}

impl<'a> Lint<'a> {
    fn report(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        let finding = Finding {
            pointer: pointer.into(),
            message: message.into(),
        };
        if !self.findings.contains(&finding) {
            self.findings.push(finding);
        }
    }

    fn version(&mut self) {
        match self.doc.get("openapi").and_then(Value::as_str) {
            Some(version) if version.starts_with("3.0.") => {}
            Some(version) => self.report(
                "/openapi",
                format!("version {version:?} is not OpenAPI 3.0.x (progenitor reads 3.0 only)"),
            ),
            None => self.report("/openapi", "missing; expected \"3.0.x\""),
        }
    }

    fn openapiv3(&mut self) {
        if let Err(finding) = parse_openapiv3(self.doc) {
            self.findings.push(finding);
        }
    }

    fn references(&mut self) {
        let mut found = Vec::new();
        refs::collect(self.doc, "", &mut found);
        for found_ref in found {
            match refs::target(&found_ref.target) {
                Target::Local(pointer) => {
                    if self.doc.pointer(&pointer).is_none() {
                        self.report(
                            found_ref.at,
                            format!("$ref {} does not resolve", found_ref.target),
                        );
                    }
                }
                Target::External => self.report(
                    found_ref.at,
                    format!(
                        "$ref {} points to another document; the spec must be self-contained",
                        found_ref.target
                    ),
                ),
            }
        }
    }

    fn operations(&mut self, listed: &Operations) -> Summary {
        let mut summary = Summary {
            operations: 0,
            responses: 0,
        };
        let Some(paths) = self.doc.get("paths").and_then(Value::as_object) else {
            self.report("/paths", "missing or not an object");
            return summary;
        };
        let mut ids: BTreeMap<&str, String> = BTreeMap::new();
        for (path, item) in paths {
            let item_at = refs::join("/paths", path);
            let Some(item) = item.as_object() else {
                continue;
            };
            for method in METHODS {
                let Some(operation) = item.get(method) else {
                    continue;
                };
                summary.operations += 1;
                let op_at = refs::join(&item_at, method);
                match operation.get("operationId").and_then(Value::as_str) {
                    Some(id) if !id.is_empty() => {
                        let id_at = refs::join(&op_at, "operationId");
                        if !listed.ids.iter().any(|wanted| wanted == id) {
                            self.report(
                                id_at.clone(),
                                format!(
                                    "operationId {id} is not listed in {}; list it there or remove the operation",
                                    listed.label
                                ),
                            );
                        }
                        if let Some(first) = ids.insert(id, id_at.clone()) {
                            self.report(
                                id_at,
                                format!("operationId {id} is already used at {first}"),
                            );
                        }
                    }
                    _ => self.report(op_at.clone(), "operation has no operationId"),
                }
                self.parameters(item.get("parameters"), &refs::join(&item_at, "parameters"));
                self.parameters(
                    operation.get("parameters"),
                    &refs::join(&op_at, "parameters"),
                );
                if let Some(responses) = operation.get("responses").and_then(Value::as_object) {
                    let responses_at = refs::join(&op_at, "responses");
                    for (status, response) in responses {
                        summary.responses += 1;
                        self.response(status, response, &refs::join(&responses_at, status));
                    }
                }
            }
        }
        for id in &listed.ids {
            if !ids.contains_key(id.as_str()) {
                self.report(
                    "/paths",
                    format!(
                        "no operation has operationId {id}, which {} lists; add the operation (`cargo xtask spec --from <Arize's document>`) or unlist it",
                        listed.label
                    ),
                );
            }
        }
        summary
    }

    fn parameters(&mut self, parameters: Option<&'a Value>, at: &str) {
        let Some(parameters) = parameters.and_then(Value::as_array) else {
            return;
        };
        for (index, parameter) in parameters.iter().enumerate() {
            let Some((parameter, parameter_at)) =
                refs::resolve(self.doc, parameter, &format!("{at}/{index}"))
            else {
                continue; // reported by `references`
            };
            if parameter.get("in").and_then(Value::as_str) != Some("query") {
                continue;
            }
            let name = parameter.get("name").and_then(Value::as_str).unwrap_or("?");
            let Some(schema) = parameter.get("schema") else {
                continue;
            };
            let Some((schema, schema_at)) =
                refs::resolve(self.doc, schema, &refs::join(&parameter_at, "schema"))
            else {
                continue;
            };
            if schema.get("type").and_then(Value::as_str) != Some("integer") {
                continue;
            }
            for bound in ["minimum", "maximum"] {
                if !schema.get(bound).is_some_and(Value::is_number) {
                    self.report(
                        schema_at.clone(),
                        format!("integer query parameter {name} has no {bound}"),
                    );
                }
            }
        }
    }

    fn response(&mut self, status: &str, response: &'a Value, at: &str) {
        let is_error = status.starts_with('4') || status.starts_with('5');
        let is_429 = status == "429";
        if !is_error {
            return;
        }
        let Some((response, response_at)) = refs::resolve(self.doc, response, at) else {
            return; // reported by `references`
        };
        let content_at = refs::join(&response_at, "content");
        match response.get("content").and_then(Value::as_object) {
            None => self.report(
                response_at.clone(),
                format!("{status} response has no content; errors must be {PROBLEM_JSON}"),
            ),
            Some(content) => {
                for media_type in content.keys().filter(|m| m.as_str() != PROBLEM_JSON) {
                    self.report(
                        refs::join(&content_at, media_type),
                        format!(
                            "{status} response is {media_type}; errors must be {PROBLEM_JSON} only"
                        ),
                    );
                }
                match content.get(PROBLEM_JSON) {
                    None => self.report(
                        content_at.clone(),
                        format!("{status} response has no {PROBLEM_JSON} body"),
                    ),
                    Some(media) => {
                        let schema_ref = media
                            .get("schema")
                            .and_then(|s| s.get("$ref"))
                            .and_then(Value::as_str);
                        if schema_ref != Some(PROBLEM_REF) {
                            self.report(
                                refs::join(&refs::join(&content_at, PROBLEM_JSON), "schema"),
                                format!("{status} response schema must be {{\"$ref\": \"{PROBLEM_REF}\"}}"),
                            );
                        }
                    }
                }
            }
        }
        if is_429 {
            let has_retry_after = response
                .get("headers")
                .and_then(Value::as_object)
                .is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case("retry-after")));
            if !has_retry_after {
                self.report(
                    refs::join(&response_at, "headers"),
                    "429 response does not declare the Retry-After header",
                );
            }
        }
    }
}
