//! JSON pointers and `$ref`s in an OpenAPI document.

use serde_json::Value;

/// Escapes one JSON pointer reference token (RFC 6901).
pub fn escape(token: &str) -> String {
    arize_codegen::escape(token)
}

/// Unescapes one JSON pointer reference token (RFC 6901).
pub fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Appends `token` to the JSON pointer `base`.
pub fn join(base: &str, token: &str) -> String {
    format!("{base}/{}", escape(token))
}

/// A `$ref` found in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundRef {
    /// JSON pointer of the member that holds the reference (e.g.
    /// `/paths/~1v2~1role-bindings/get/responses/400/$ref`).
    pub at: String,
    /// The reference as written (`#/components/schemas/Problem`).
    pub target: String,
}

/// Where a reference points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Inside this document: the decoded JSON pointer (`/components/...`).
    Local(String),
    /// Another document (`other.yaml#/...`, `https://...`).
    External,
}

/// Classifies a reference; the URI fragment is percent-decoded.
pub fn target(reference: &str) -> Target {
    match reference.strip_prefix('#') {
        Some(fragment) => Target::Local(
            percent_encoding::percent_decode_str(fragment)
                .decode_utf8_lossy()
                .into_owned(),
        ),
        None => Target::External,
    }
}

/// If `pointer` is inside a component (`/components/<kind>/<name>[/...]`),
/// returns the kind and the (unescaped) name.
pub fn component(pointer: &str) -> Option<(String, String)> {
    let rest = pointer.strip_prefix("/components/")?;
    let mut tokens = rest.split('/');
    let kind = tokens.next()?;
    let name = tokens.next()?;
    Some((unescape(kind), unescape(name)))
}

/// Collects every `$ref` under `value` (whose own pointer is `at`), in
/// document order. A discriminator's `mapping` values count as references
/// too (a bare name means `#/components/schemas/<name>`).
pub fn collect(value: &Value, at: &str, out: &mut Vec<FoundRef>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_at = join(at, key);
                match (key.as_str(), child) {
                    ("$ref", Value::String(target)) => out.push(FoundRef {
                        at: child_at,
                        target: target.clone(),
                    }),
                    ("discriminator", Value::Object(discriminator)) => {
                        if let Some(Value::Object(mapping)) = discriminator.get("mapping") {
                            let mapping_at = join(&child_at, "mapping");
                            for (name, target) in mapping {
                                if let Value::String(target) = target {
                                    let target = if target.contains('#') || target.contains('/') {
                                        target.clone()
                                    } else {
                                        format!("#/components/schemas/{}", escape(target))
                                    };
                                    out.push(FoundRef {
                                        at: join(&mapping_at, name),
                                        target,
                                    });
                                }
                            }
                        }
                        collect(child, &child_at, out);
                    }
                    _ => collect(child, &child_at, out),
                }
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                collect(child, &format!("{at}/{index}"), out);
            }
        }
        _ => {}
    }
}

/// Follows `$ref`s from `value` (at `at`) until a non-reference object,
/// returning it with its pointer. `None` when a reference does not resolve,
/// is external, or the chain is longer than 32 links (a cycle).
pub fn resolve<'a>(doc: &'a Value, value: &'a Value, at: &str) -> Option<(&'a Value, String)> {
    let mut current = value;
    let mut pointer = at.to_owned();
    for _ in 0..32 {
        match current.get("$ref").and_then(Value::as_str) {
            None => return Some((current, pointer)),
            Some(reference) => match target(reference) {
                Target::Local(next) => {
                    current = doc.pointer(&next)?;
                    pointer = next;
                }
                Target::External => return None,
            },
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_round_trip() {
        assert_eq!(join("/paths", "/v2/a~b"), "/paths/~1v2~1a~0b");
        assert_eq!(unescape("~1v2~1a~0b"), "/v2/a~b");
        assert_eq!(
            component("/components/schemas/A~1B/properties/x"),
            Some(("schemas".into(), "A/B".into()))
        );
        assert_eq!(component("/paths/x"), None);
        assert_eq!(
            target("#/components/schemas/A%20B"),
            Target::Local("/components/schemas/A B".into())
        );
        assert_eq!(target("other.yaml#/x"), Target::External);
    }
}
