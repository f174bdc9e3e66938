//! Code generation shared by `arize-api/build.rs` and `cargo xtask codegen`.
//!
//! Both paths must produce byte-identical Rust from the same OpenAPI
//! document, so the whole pipeline lives here once:
//!
//! 1. [`load_spec`] reads `openapi/openapi.json` as JSON.
//! 2. [`normalise`] rewrites the document *in memory* so that progenitor can
//!    type it (see below). The committed spec is never edited.
//! 3. [`generate`] runs progenitor's client and httpmock generators with the
//!    project's [`settings`], adds the optional `schemars` derive
//!    ([`add_schemars_derive`]), formats the result with prettyplease, and
//!    appends [`operations`]: a table of every operation's ID, method and
//!    path, which the facade's operation declarations are checked against
//!    at compile time.
//!
//! # Why a normalisation step
//!
//! progenitor (0.15, `progenitor-impl/src/method.rs`) only types response
//! bodies whose media type is `application/json`; any other media type
//! becomes an untyped byte stream. Arize serves every error as
//! `application/problem+json` (RFC 9457). Without this step every error of
//! the generated client would be `Error<ByteStream>` instead of
//! `Error<types::Problem>`. [`normalise`] therefore renames the
//! `application/problem+json` media type of each *response* to
//! `application/json` when that response has no `application/json` entry of
//! its own. The schema is unchanged, and progenitor's client decodes the body
//! without looking at the `Content-Type` header, so the generated client
//! accepts the real service's answers. Upstream: oxidecomputer/progenitor
//! PR #1415 (typed non-JSON responses) is still open; when it lands this step
//! can go.
//!
//! # Why the httpmock helpers see array query parameters as one item
//!
//! progenitor's httpmock generator (0.15) writes
//! `query_param(name, value.to_string())` for every query parameter, which
//! does not compile for an array (`Vec<T>` is not `Display`; upstream
//! issue oxidecomputer/progenitor#1260, fix PR #1261 still open). So the
//! helpers are generated from a second in-memory copy, [`normalise_for_httpmock`],
//! in which an array query parameter (such as `list_users`' `status`) takes
//! its item schema. The helper then matches one value, `.status(x)`, and is
//! called once per expected value, `.status(a).status(b)` for
//! `?status=a&status=b`; the client itself keeps the array.

//!
//! # Why the `schemars` derive is added after generation
//!
//! `arize-api`'s `schemars` feature (off by default, so the default build
//! does not compile schemars and its syn 2 proc macro) makes every type in
//! `arize_api::types` implement `schemars::JsonSchema`. progenitor's
//! `GenerationSettings::with_derive` adds a derive unconditionally, so
//! [`add_schemars_derive`] walks the generated `types` module instead and
//! puts `#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]`
//! after the serde derive of each type. schemars reads the `#[serde(...)]`
//! attributes typify emits (`transparent`, `tag`, `rename`,
//! `deny_unknown_fields`, `skip_serializing_if`), so the schema describes the
//! JSON the type reads and writes, including for a constrained string such
//! as `ListUsersEmail`, whose `Deserialize` is written by hand but which is
//! `#[serde(transparent)]` over a `String`.

#![deny(missing_docs)]

use std::path::Path;

use serde_json::Value;

/// The media type Arize uses for error bodies.
pub const PROBLEM_JSON: &str = "application/problem+json";
/// The media type progenitor types.
pub const JSON: &str = "application/json";

/// What can go wrong while generating.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The spec file could not be read.
    #[error("cannot read the OpenAPI document {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The spec is not valid JSON.
    #[error("the OpenAPI document {path} is not valid JSON: {source}")]
    Json {
        /// The file.
        path: String,
        /// The parse error.
        source: serde_json::Error,
    },
    /// The spec is JSON but not an OpenAPI 3.0 document openapiv3 accepts.
    #[error("the OpenAPI document is not a valid OpenAPI 3.0 document: {0}")]
    OpenApi(serde_json::Error),
    /// progenitor refused the document.
    #[error("progenitor could not generate a client: {0}")]
    Progenitor(#[from] progenitor::Error),
    /// progenitor produced tokens that are not a Rust file.
    #[error("generated code does not parse as Rust: {0}")]
    Syntax(#[from] syn::Error),
}

/// The generated Rust sources, formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// The client: `Client`, `types`, `builder` and friends.
    pub client: String,
    /// The typed httpmock helpers (`mock` module body).
    pub httpmock: String,
}

/// Reads the OpenAPI document at `path` as a JSON value.
///
/// # Errors
///
/// [`Error::Read`] or [`Error::Json`].
pub fn load_spec(path: &Path) -> Result<Value, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.display().to_string(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| Error::Json {
        path: path.display().to_string(),
        source,
    })
}

/// Rewrites `application/problem+json` response media types to
/// `application/json` (see the crate docs for why). Returns the JSON
/// pointers of the responses it changed, in document order.
pub fn normalise(spec: &mut Value) -> Vec<String> {
    let mut changed = Vec::new();
    // Responses live under components/responses and under each operation.
    if let Some(responses) = spec
        .pointer_mut("/components/responses")
        .and_then(Value::as_object_mut)
    {
        for (name, response) in responses.iter_mut() {
            if rename_problem(response) {
                changed.push(format!("/components/responses/{}", escape(name)));
            }
        }
    }
    if let Some(paths) = spec.pointer_mut("/paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, op) in item.iter_mut() {
                let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                    continue;
                };
                for (status, response) in responses.iter_mut() {
                    if rename_problem(response) {
                        changed.push(format!(
                            "/paths/{}/{}/responses/{}",
                            escape(path),
                            method,
                            status
                        ));
                    }
                }
            }
        }
    }
    changed
}

fn rename_problem(response: &mut Value) -> bool {
    let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) else {
        return false;
    };
    if content.contains_key(JSON) {
        return false;
    }
    match content.remove(PROBLEM_JSON) {
        Some(media) => {
            content.insert(JSON.to_owned(), media);
            true
        }
        None => false,
    }
}

/// Rewrites, for the httpmock generator only, every array query parameter
/// to take its item schema (see the crate docs for why). Returns the JSON
/// pointers of the parameters it changed, in the order of the (sorted)
/// JSON maps.
pub fn normalise_for_httpmock(spec: &mut Value) -> Vec<String> {
    let original = spec.clone();
    let mut changed = Vec::new();
    let mut rewrite = |parameters: Option<&mut Value>, at: String| {
        let Some(parameters) = parameters.and_then(Value::as_array_mut) else {
            return;
        };
        for (index, parameter) in parameters.iter_mut().enumerate() {
            if parameter.get("in").and_then(Value::as_str) != Some("query") {
                continue;
            }
            let Some(schema) = parameter.get_mut("schema") else {
                continue;
            };
            // The schema itself, or the component a local `$ref` names.
            let resolved = match schema.get("$ref").and_then(Value::as_str) {
                Some(target) => target
                    .strip_prefix('#')
                    .and_then(|pointer| original.pointer(pointer)),
                None => Some(&*schema),
            };
            let items = resolved
                .filter(|s| s.get("type").and_then(Value::as_str) == Some("array"))
                .and_then(|s| s.get("items"))
                .cloned();
            if let Some(items) = items {
                *schema = items;
                changed.push(format!("{at}/parameters/{index}"));
            }
        }
    };
    if let Some(paths) = spec.pointer_mut("/paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            let item_at = format!("/paths/{}", escape(path));
            for (key, value) in item.iter_mut() {
                if key == "parameters" {
                    rewrite(Some(value), item_at.clone());
                } else if let Some(operation) = value.as_object_mut() {
                    rewrite(operation.get_mut("parameters"), format!("{item_at}/{key}"));
                }
            }
        }
    }
    changed
}

/// Escapes a JSON pointer reference token (RFC 6901).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The progenitor settings of this project.
///
/// Positional interface (one method per operation, arguments in order),
/// and the derives users need beyond typify's defaults.
pub fn settings() -> progenitor::GenerationSettings {
    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Positional)
        .with_derive("PartialEq");
    settings
}

/// Generates the client and the httpmock helpers from a (raw, committed)
/// spec value: normalises a copy (and, for the helpers, a second one; see
/// [`normalise_for_httpmock`]), runs progenitor, formats with prettyplease.
///
/// # Errors
///
/// When the document is not OpenAPI 3.0 or progenitor rejects it.
pub fn generate(spec: &Value) -> Result<Generated, Error> {
    let mut spec = spec.clone();
    normalise(&mut spec);
    let mut mock_spec = spec.clone();
    normalise_for_httpmock(&mut mock_spec);
    let openapi: openapiv3::OpenAPI = serde_json::from_value(spec).map_err(Error::OpenApi)?;
    let mock_openapi: openapiv3::OpenAPI =
        serde_json::from_value(mock_spec).map_err(Error::OpenApi)?;
    let mut generator = progenitor::Generator::new(&settings());
    let client = generator.generate_tokens(&openapi)?;
    let mock = generator.httpmock(&mock_openapi, "crate")?;
    let mut file: syn::File = syn::parse2(client)?;
    add_schemars_derive(&mut file);
    let mut client = prettyplease::unparse(&file);
    client.push_str(&operations(&openapi));
    Ok(Generated {
        client,
        httpmock: format(mock)?,
    })
}

/// The table of the document's operations, as Rust source appended to the
/// client: `OperationSpec` and `OPERATIONS`, one row per operation with an
/// `operationId`, sorted by ID.
pub fn operations(openapi: &openapiv3::OpenAPI) -> String {
    let mut rows: Vec<(String, String, String)> = Vec::new();
    for (path, item) in &openapi.paths.paths {
        let Some(item) = item.as_item() else {
            continue;
        };
        for (method, op) in item.iter() {
            if let Some(id) = &op.operation_id {
                let method = method.to_ascii_uppercase();
                rows.push((id.clone(), method, path.clone()));
            }
        }
    }
    rows.sort();
    let mut out = String::from(
        "/// One operation of the API document: what the facade's operation\n\
         /// declarations are checked against.\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq)]\n\
         pub struct OperationSpec {\n    \
         /// The `operationId`.\n    pub id: &'static str,\n    \
         /// The HTTP method, upper case.\n    pub method: &'static str,\n    \
         /// The path template.\n    pub path: &'static str,\n}\n\
         /// Every operation of the API document, sorted by ID.\n\
         pub const OPERATIONS: &[OperationSpec] = &[\n",
    );
    for (id, method, path) in rows {
        out.push_str(&format!(
            "    OperationSpec {{\n        id: {id:?},\n        method: {method:?},\n        path: {path:?},\n    }},\n"
        ));
    }
    out.push_str("];\n");
    out
}

/// The cargo feature of `arize-api` that turns the `JsonSchema` derive on.
pub const SCHEMARS_FEATURE: &str = "schemars";

/// Adds `#[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]`
/// to every struct and enum of the generated `types` module that derives
/// `serde::Serialize` (all of typify's types; not `error::ConversionError`),
/// right after that derive (see the crate docs). Returns the names of the
/// types it changed, in file order.
pub fn add_schemars_derive(file: &mut syn::File) -> Vec<String> {
    let mut changed = Vec::new();
    for item in &mut file.items {
        let syn::Item::Mod(module) = item else {
            continue;
        };
        if module.ident != "types" {
            continue;
        }
        let Some((_, items)) = module.content.as_mut() else {
            continue;
        };
        for item in items {
            let (ident, attrs) = match item {
                syn::Item::Struct(item) => (&item.ident, &mut item.attrs),
                syn::Item::Enum(item) => (&item.ident, &mut item.attrs),
                _ => continue,
            };
            let Some(at) = attrs.iter().position(derives_serialize) else {
                continue;
            };
            let feature = SCHEMARS_FEATURE;
            attrs.insert(
                at + 1,
                syn::parse_quote!(
                    #[cfg_attr(feature = #feature, derive(::schemars::JsonSchema))]
                ),
            );
            changed.push(ident.to_string());
        }
    }
    changed
}

/// Whether `attr` is a `#[derive(...)]` naming `Serialize` (by any path).
fn derives_serialize(attr: &syn::Attribute) -> bool {
    if !attr.path().is_ident("derive") {
        return false;
    }
    let Ok(paths) = attr.parse_args_with(
        syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
    ) else {
        return false;
    };
    paths.iter().any(|path| {
        path.segments
            .last()
            .is_some_and(|segment| segment.ident == "Serialize")
    })
}

fn format(tokens: proc_macro2::TokenStream) -> Result<String, Error> {
    let file: syn::File = syn::parse2(tokens)?;
    Ok(prettyplease::unparse(&file))
}
