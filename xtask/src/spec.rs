//! `cargo xtask spec --from <path>`: cut the project's subset out of
//! Arize's full API document.
//!
//! Keeps the operations listed in `openapi/operations.txt` (chosen by
//! operationId, wherever their paths are; see [`read_operations`]), every
//! component they reference, transitively (schemas,
//! responses, parameters, request bodies, headers, examples, links,
//! callbacks, discriminator mappings, and the security schemes named by
//! security requirements), the tags they use, and every top-level member
//! that is not an operation or a component (`info`, `servers`, `security`,
//! `externalDocs`, unknown `x-` extensions). Everything else is dropped and
//! listed. The result is written in the canonical form of [`crate::json`],
//! so running the command twice, or on its own output, changes nothing.
//!
//! OpenAPI 3.1 documents are refused with a clear error: progenitor only
//! reads 3.0, and a silent down-conversion would hide real differences
//! (`type: [string, "null"]`, `examples` arrays, `webhooks`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use anyhow::{Context, bail};
use serde_json::{Map, Value};

use crate::json;
use crate::refs::{self, Target};

/// Reads the list of operations to keep (see [`parse_operations`]).
///
/// # Errors
///
/// When the file cannot be read or [`parse_operations`] refuses it.
pub fn read_operations(path: &Path) -> anyhow::Result<Vec<String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse_operations(&text)
        .with_context(|| format!("{} is not a list of operations", path.display()))
}

/// Parses a list of operations: one operationId a line, in the order
/// given; blank lines are skipped and `#` starts a comment.
///
/// # Errors
///
/// When a line holds more than one word or a character an operationId
/// cannot have, an operationId appears twice, or the list is empty; each
/// error names the line.
pub fn parse_operations(text: &str) -> anyhow::Result<Vec<String>> {
    let mut ids: Vec<String> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let line = line
            .split_once('#')
            .map_or(line, |(before, _)| before)
            .trim();
        if line.is_empty() {
            continue;
        }
        if let Some(bad) = line
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        {
            bail!(
                "line {number}: {line:?} is not an operationId (unexpected {bad:?}); write one operationId per line"
            );
        }
        if let Some(first) = ids.iter().position(|id| id == line) {
            bail!(
                "line {number}: operationId {line} is already listed (entry {})",
                first + 1
            );
        }
        ids.push(line.to_owned());
    }
    if ids.is_empty() {
        bail!("no operationId listed; write one per line");
    }
    Ok(ids)
}

/// The HTTP methods a path item may hold (OpenAPI 3.0).
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// What the extraction kept and dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The input's `openapi` version.
    pub version: String,
    /// Kept operations: (METHOD, path, operationId).
    pub kept_operations: Vec<(String, String, String)>,
    /// Dropped operations: (METHOD, path, operationId or "-").
    pub dropped_operations: Vec<(String, String, String)>,
    /// Paths left with no operation and dropped.
    pub dropped_paths: Vec<String>,
    /// Kept components by kind.
    pub kept_components: BTreeMap<String, BTreeSet<String>>,
    /// Dropped components by kind.
    pub dropped_components: BTreeMap<String, BTreeSet<String>>,
    /// Tags dropped from the top-level `tags` list.
    pub dropped_tags: Vec<String>,
    /// Top-level members dropped (e.g. `webhooks`).
    pub dropped_members: Vec<String>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "kept {} operations (OpenAPI {}):",
            self.kept_operations.len(),
            self.version
        )?;
        for (method, path, id) in &self.kept_operations {
            writeln!(f, "  {method:<6} {path}  {id}")?;
        }
        write_components(f, "kept", &self.kept_components)?;
        writeln!(
            f,
            "dropped {} operations, {} paths",
            self.dropped_operations.len(),
            self.dropped_paths.len()
        )?;
        for (method, path, id) in &self.dropped_operations {
            writeln!(f, "  {method:<6} {path}  {id}")?;
        }
        write_components(f, "dropped", &self.dropped_components)?;
        if !self.dropped_tags.is_empty() {
            writeln!(f, "dropped tags: {}", self.dropped_tags.join(", "))?;
        }
        if !self.dropped_members.is_empty() {
            writeln!(f, "dropped members: {}", self.dropped_members.join(", "))?;
        }
        Ok(())
    }
}

fn write_components(
    f: &mut fmt::Formatter<'_>,
    verb: &str,
    components: &BTreeMap<String, BTreeSet<String>>,
) -> fmt::Result {
    let total: usize = components.values().map(BTreeSet::len).sum();
    writeln!(f, "{verb} {total} components:")?;
    for (kind, names) in components {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        writeln!(f, "  {kind} ({}): {}", names.len(), names.join(", "))?;
    }
    Ok(())
}

/// Reads an OpenAPI document, JSON or YAML (by extension; anything that is
/// not `.yaml`/`.yml` is tried as JSON first, then YAML).
///
/// # Errors
///
/// When the file cannot be read or parsed.
pub fn read_document(path: &Path) -> anyhow::Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if extension == "yaml" || extension == "yml" {
        return from_yaml(&text).with_context(|| format!("{} is not valid YAML", path.display()));
    }
    match serde_json::from_str(&text) {
        Ok(value) => Ok(value),
        Err(json_error) if extension != "json" => from_yaml(&text)
            .with_context(|| format!("{} is neither JSON ({json_error}) nor YAML", path.display())),
        Err(json_error) => {
            Err(json_error).with_context(|| format!("{} is not valid JSON", path.display()))
        }
    }
}

/// Parses YAML into the JSON data model. Mapping keys that YAML reads as
/// numbers or booleans (`200:` for a status code) become strings.
///
/// # Errors
///
/// On invalid YAML, non-finite numbers, or keys that are not scalars.
pub fn from_yaml(text: &str) -> anyhow::Result<Value> {
    let mut value: serde_yaml::Value = serde_yaml::from_str(text)?;
    value.apply_merge()?;
    yaml_to_json(value, "")
}

fn yaml_to_json(value: serde_yaml::Value, at: &str) -> anyhow::Result<Value> {
    use serde_yaml::Value as Y;
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                match serde_json::Number::from_f64(f) {
                    Some(number) => Value::Number(number),
                    None => bail!("{at}: {f} cannot be represented in JSON"),
                }
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| yaml_to_json(item, &format!("{at}/{i}")))
                .collect::<anyhow::Result<_>>()?,
        ),
        Y::Mapping(mapping) => {
            let mut map = Map::new();
            for (key, item) in mapping {
                let key = match key {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".to_owned(),
                    other => bail!("{at}: mapping key {other:?} is not a scalar"),
                };
                let child_at = refs::join(at, &key);
                map.insert(key, yaml_to_json(item, &child_at)?);
            }
            Value::Object(map)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value, at)?,
    })
}

/// Checks that `doc` is OpenAPI 3.0.x and returns the version.
///
/// # Errors
///
/// A clear message for 3.1, Swagger 2.0 and anything else.
pub fn check_version(doc: &Value) -> anyhow::Result<String> {
    if doc.get("swagger").is_some() {
        bail!(
            "this is a Swagger 2.0 document; convert it to OpenAPI 3.0 first (progenitor reads OpenAPI 3.0.x only)"
        );
    }
    let Some(version) = doc.get("openapi").and_then(Value::as_str) else {
        bail!("/openapi: missing or not a string; expected an OpenAPI 3.0.x document");
    };
    if version.starts_with("3.0.") {
        return Ok(version.to_owned());
    }
    if version.starts_with("3.1") {
        bail!(
            "/openapi: this is an OpenAPI {version} document, but this project needs OpenAPI 3.0.x: \
             progenitor rejects 3.1 (nullable types as `type: [..., \"null\"]`, `examples` arrays, \
             `webhooks`). Get the 3.0 edition of Arize's document, or down-convert it with a \
             dedicated tool and review the result, then rerun `cargo xtask spec --from <file>`."
        );
    }
    bail!("/openapi: unsupported version {version:?}; expected 3.0.x")
}

/// The result of [`extract`].
#[derive(Debug, Clone)]
pub struct Extracted {
    /// The subset (keys not yet sorted; see [`json`]).
    pub document: Value,
    /// What was kept and dropped.
    pub report: Report,
}

/// Extracts the subset of a full document that holds the operations
/// `operation_ids` (operationIds, as [`read_operations`] returns them).
///
/// # Errors
///
/// When the document is not OpenAPI 3.0, an operation is missing or
/// duplicated, a reference does not resolve or is external, or the result
/// is not a valid OpenAPI 3.0 document.
pub fn extract(doc: &Value, operation_ids: &[String]) -> anyhow::Result<Extracted> {
    let version = check_version(doc)?;
    let Some(top) = doc.as_object() else {
        bail!("the document is not a JSON object");
    };
    let mut report = Report {
        version,
        ..Report::default()
    };

    // 1. Operations.
    let Some(paths) = top.get("paths").and_then(Value::as_object) else {
        bail!("/paths: missing or not an object");
    };
    let mut out_paths = Map::new();
    let mut found: BTreeMap<String, String> = BTreeMap::new();
    let mut used_tags: BTreeSet<String> = BTreeSet::new();
    let mut schemes: BTreeSet<String> = BTreeSet::new();
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            bail!("{}: path item is not an object", refs::join("/paths", path));
        };
        let mut kept_item = Map::new();
        let mut kept_any = false;
        for (key, value) in item {
            if !METHODS.contains(&key.as_str()) {
                // Path-level parameters, summary, servers, `$ref`, `x-`.
                kept_item.insert(key.clone(), value.clone());
                continue;
            }
            let id = value.get("operationId").and_then(Value::as_str);
            let method = key.to_ascii_uppercase();
            match id {
                Some(id) if operation_ids.iter().any(|wanted| wanted == id) => {
                    let here = format!("{method} {path}");
                    if let Some(previous) = found.insert(id.to_owned(), here.clone()) {
                        bail!("operationId {id} appears twice: {previous} and {here}");
                    }
                    if let Some(tags) = value.get("tags").and_then(Value::as_array) {
                        used_tags.extend(tags.iter().filter_map(Value::as_str).map(str::to_owned));
                    }
                    collect_schemes(value.get("security"), &mut schemes);
                    kept_item.insert(key.clone(), value.clone());
                    kept_any = true;
                    report
                        .kept_operations
                        .push((method, path.clone(), id.to_owned()));
                }
                _ => report.dropped_operations.push((
                    method,
                    path.clone(),
                    id.unwrap_or("-").to_owned(),
                )),
            }
        }
        if kept_any {
            out_paths.insert(path.clone(), Value::Object(kept_item));
        } else {
            report.dropped_paths.push(path.clone());
        }
    }
    let missing: Vec<&str> = operation_ids
        .iter()
        .map(String::as_str)
        .filter(|id| !found.contains_key(*id))
        .collect();
    if !missing.is_empty() {
        bail!(
            "the document has no operation with operationId {}",
            missing.join(", ")
        );
    }
    collect_schemes(top.get("security"), &mut schemes);

    // 2. The transitive closure of components.
    let empty = Map::new();
    let components = top
        .get("components")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut keep: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut queue: Vec<refs::FoundRef> = Vec::new();
    refs::collect(&Value::Object(out_paths.clone()), "/paths", &mut queue);
    for scheme in &schemes {
        queue.push(refs::FoundRef {
            at: "security requirement".to_owned(),
            target: format!("#/components/securitySchemes/{}", refs::escape(scheme)),
        });
    }
    while let Some(found_ref) = queue.pop() {
        let pointer = match refs::target(&found_ref.target) {
            Target::Local(pointer) => pointer,
            Target::External => bail!(
                "{}: external reference {} is not supported; inline it first",
                found_ref.at,
                found_ref.target
            ),
        };
        let Some((kind, name)) = refs::component(&pointer) else {
            // A reference into a kept path item is checked after assembly.
            continue;
        };
        if !keep.entry(kind.clone()).or_default().insert(name.clone()) {
            continue;
        }
        let Some(component) = components.get(&kind).and_then(|k| k.get(&name)) else {
            bail!(
                "{}: {} does not resolve (no component {kind}/{name})",
                found_ref.at,
                found_ref.target
            );
        };
        let at = format!(
            "/components/{}/{}",
            refs::escape(&kind),
            refs::escape(&name)
        );
        refs::collect(component, &at, &mut queue);
    }

    let mut out_components = Map::new();
    for (kind, members) in components {
        let Some(members) = members.as_object() else {
            // `x-` extensions of the components object.
            if kind.starts_with("x-") {
                out_components.insert(kind.clone(), members.clone());
            }
            continue;
        };
        if kind.starts_with("x-") {
            out_components.insert(kind.clone(), Value::Object(members.clone()));
            continue;
        }
        let wanted = keep.get(kind);
        let mut kept = Map::new();
        for (name, value) in members {
            if wanted.is_some_and(|w| w.contains(name)) {
                kept.insert(name.clone(), value.clone());
            } else {
                report
                    .dropped_components
                    .entry(kind.clone())
                    .or_default()
                    .insert(name.clone());
            }
        }
        if !kept.is_empty() {
            out_components.insert(kind.clone(), Value::Object(kept));
        }
    }
    report.kept_components = keep;

    // 3. Top level.
    let mut out = Map::new();
    for (key, value) in top {
        match key.as_str() {
            "paths" => {
                out.insert(key.clone(), Value::Object(out_paths.clone()));
            }
            "components" => {
                if !out_components.is_empty() {
                    out.insert(key.clone(), Value::Object(out_components.clone()));
                }
            }
            "tags" => {
                let mut kept = Vec::new();
                for tag in value.as_array().map(Vec::as_slice).unwrap_or_default() {
                    let name = tag.get("name").and_then(Value::as_str).unwrap_or_default();
                    if used_tags.contains(name) {
                        kept.push(tag.clone());
                    } else {
                        report.dropped_tags.push(name.to_owned());
                    }
                }
                if !kept.is_empty() {
                    out.insert(key.clone(), Value::Array(kept));
                }
            }
            // 3.1 only; never present in a document that passed the check.
            "webhooks" => report.dropped_members.push(key.clone()),
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    let document = Value::Object(out);

    // 4. Every reference of the result resolves inside the result.
    let mut all = Vec::new();
    refs::collect(&document, "", &mut all);
    for found_ref in all {
        let resolves = match refs::target(&found_ref.target) {
            Target::Local(pointer) => document.pointer(&pointer).is_some(),
            Target::External => false,
        };
        if !resolves {
            bail!(
                "{}: {} points outside the extracted subset",
                found_ref.at,
                found_ref.target
            );
        }
    }

    // 5. progenitor's parser accepts it.
    if let Err(finding) = crate::lint::parse_openapiv3(&document) {
        bail!("the extracted document is not usable: {finding}");
    }

    Ok(Extracted { document, report })
}

fn collect_schemes(security: Option<&Value>, into: &mut BTreeSet<String>) {
    for requirement in security.and_then(Value::as_array).into_iter().flatten() {
        if let Some(requirement) = requirement.as_object() {
            into.extend(requirement.keys().cloned());
        }
    }
}

/// What [`run`] did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// What was kept and dropped.
    pub report: Report,
    /// Whether the output file changed.
    pub changed: bool,
    /// Bytes written.
    pub bytes: usize,
}

/// Reads `from`, extracts the operations listed in `operations` (see
/// [`read_operations`]) and writes the subset canonically to `out` (only
/// when the bytes differ).
///
/// # Errors
///
/// See [`read_operations`], [`read_document`] and [`extract`]; also when
/// `out` cannot be written.
pub fn run(from: &Path, out: &Path, operations: &Path) -> anyhow::Result<Outcome> {
    let operation_ids = read_operations(operations)?;
    let doc = read_document(from)?;
    let Extracted { document, report } = extract(&doc, &operation_ids)
        .with_context(|| format!("cannot extract from {}", from.display()))?;
    let text = json::to_canonical_string(&document)?;
    let changed = std::fs::read(out).map_or(true, |old| old != text.as_bytes());
    if changed {
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(out, &text).with_context(|| format!("cannot write {}", out.display()))?;
    }
    Ok(Outcome {
        report,
        changed,
        bytes: text.len(),
    })
}
