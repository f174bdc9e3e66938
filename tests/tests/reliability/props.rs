//! Property tests (proptest), 10,000 cases each: typed IDs (round trip,
//! the global-ID check, never a panic on arbitrary strings and bytes),
//! response decoding (arbitrary JSON values, near-miss shapes, arbitrary
//! and mutated bytes: never a panic, `Ok` or a decode error, and what
//! decodes re-encodes to the same value), and header values with CR/LF
//! (always refused at build, the key never echoed).

use std::str::FromStr;
use std::time::Duration;

use arize_role_bindings::{
    Client, ConfigError, Error, Page, Problem, ProjectId, RoleBinding, RoleBindingId, RoleId,
    SpaceId, UserId, ValidationError,
};
use base64::Engine as _;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};

use crate::support::*;

/// Cases per property.
pub const CASES: u32 = 10_000;
/// The bound on one property.
const LIMIT: Duration = Duration::from_secs(300);

type Property = fn() -> Result<(), String>;

fn properties() -> Vec<(&'static str, Property)> {
    vec![
        ("props::ids_arbitrary_strings", ids_arbitrary_strings),
        ("props::ids_arbitrary_bytes", ids_arbitrary_bytes),
        ("props::global_id_round_trip", global_id_round_trip),
        (
            "props::decode_arbitrary_json_values",
            decode_arbitrary_json_values,
        ),
        ("props::decode_near_miss_shapes", decode_near_miss_shapes),
        ("props::decode_arbitrary_bytes", decode_arbitrary_bytes),
        (
            "props::decode_mutated_json_bytes",
            decode_mutated_json_bytes,
        ),
        (
            "props::binding_and_page_round_trip",
            binding_and_page_round_trip,
        ),
        (
            "props::header_crlf_refused_at_build",
            header_crlf_refused_at_build,
        ),
    ]
}

pub fn names() -> Vec<String> {
    properties()
        .into_iter()
        .map(|(n, _)| n.to_owned())
        .collect()
}

pub async fn run(selected: &(dyn Fn(&str) -> bool + Sync), report: &mut Report) {
    for (name, property) in properties() {
        if !selected(name) {
            continue;
        }
        let result = bounded(LIMIT, async move {
            match tokio::task::spawn_blocking(property).await {
                Ok(result) => result,
                Err(join) if join.is_panic() => {
                    PANICS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    Err("PANIC outside a case".into())
                }
                Err(join) => Err(join.to_string()),
            }
        })
        .await;
        report.bad_inputs += CASES as usize;
        report.push(name, result);
    }
}

fn runner() -> TestRunner {
    let mut config = Config::with_cases(CASES);
    config.failure_persistence = None;
    config.max_shrink_iters = 2_000;
    TestRunner::new(config)
}

/// Runs a property; a failing case (a panic included) fails it.
fn property<S: Strategy>(
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), String>,
) -> Result<(), String> {
    runner()
        .run(&strategy, |value| {
            no_panic("a property case", || test(value))
                .and_then(|r| r)
                .map_err(TestCaseError::fail)
        })
        .map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------
// Strategies.

/// Strings with the characters that matter for IDs and URLs, mixed with
/// arbitrary Unicode.
fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        proptest::string::string_regex(
            "[./?#%&=+:;@\\\\ a-zA-Z0-9_\\-\u{e9}\u{65e5}\u{1F600}\t\r\n\u{0}\u{7f}\u{202e}]{0,24}"
        )
        .unwrap(),
        Just(".".to_owned()),
        Just("..".to_owned()),
        Just(String::new()),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        proptest::string::string_regex("[a-z_]{0,10}").unwrap(),
        prop::sample::select(vec![
            "id",
            "role_id",
            "user_id",
            "resource_type",
            "resource_id",
            "created_at",
            "updated_at",
            "role_bindings",
            "pagination",
            "has_more",
            "next_cursor",
            "title",
            "status",
            "type",
            "detail",
        ])
        .prop_map(str::to_owned),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any::<String>().prop_map(Value::String),
        prop::sample::select(vec![
            "SPACE",
            "PROJECT",
            "space",
            "2024-06-01T10:00:00Z",
            "2024-13-45T99:99:99Z",
            "+275760-09-13T00:00:00Z",
            "Um9sZUJpbmRpbmc6MTphQmNE",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn binding_value() -> Value {
    serde_json::from_str(crate::raw::BINDING_JSON).unwrap()
}

fn page_value() -> Value {
    json!({
        "role_bindings": [binding_value(), binding_value()],
        "pagination": {"has_more": true, "next_cursor": "abc"}
    })
}

fn problem_value() -> Value {
    json!({"type": "https://arize.com/docs/ax/rest-reference/errors#x", "title": "Conflict",
           "status": 409, "detail": "d", "instance": "/v2/role-bindings"})
}

/// A valid document with one field removed, replaced or added, at the top
/// level or inside a binding or the pagination object.
fn near_miss() -> impl Strategy<Value = Value> {
    let fields = prop::sample::select(vec![
        "id",
        "role_id",
        "user_id",
        "resource_type",
        "resource_id",
        "created_at",
        "updated_at",
        "role_bindings",
        "pagination",
        "has_more",
        "next_cursor",
        "title",
        "status",
        "extra",
    ]);
    (
        0..3usize,
        0..3usize,
        fields,
        prop::option::of(json_value()),
        0..3usize,
    )
        .prop_map(|(doc, depth, field, value, _)| {
            let mut root = match doc {
                0 => binding_value(),
                1 => page_value(),
                _ => problem_value(),
            };
            let target: &mut Value = match (doc, depth) {
                (1, 1) => &mut root["role_bindings"][0],
                (1, 2) => &mut root["pagination"],
                _ => &mut root,
            };
            if let Value::Object(map) = target {
                match value {
                    Some(v) => {
                        map.insert(field.to_owned(), v);
                    }
                    None => {
                        map.remove(field);
                    }
                }
            }
            root
        })
}

/// Decodes `bytes` as each response type; what decodes must re-encode and
/// decode to the same value.
fn decode_all(bytes: &[u8]) -> Result<(), String> {
    fn one<T>(bytes: &[u8]) -> Result<(), String>
    where
        T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug,
    {
        if let Ok(value) = serde_json::from_slice::<T>(bytes) {
            let again = serde_json::to_vec(&value).map_err(|e| format!("re-encode: {e}"))?;
            let back: T = serde_json::from_slice(&again)
                .map_err(|e| format!("re-decode of {value:?}: {e}"))?;
            check(back == value, || {
                format!("{value:?} changed on a round trip")
            })?;
        }
        Ok(())
    }
    one::<RoleBinding>(bytes)?;
    one::<Page>(bytes)?;
    one::<Problem>(bytes)
}

fn decode_value(value: &Value) -> Result<(), String> {
    let _ = serde_json::from_value::<RoleBinding>(value.clone());
    let _ = serde_json::from_value::<Page>(value.clone());
    let _ = serde_json::from_value::<Problem>(value.clone());
    decode_all(&serde_json::to_vec(value).unwrap())
}

// ---------------------------------------------------------------------------
// Properties.

macro_rules! check_kind {
    ($kind:ty, $s:expr) => {{
        let s: &str = $s;
        let id = <$kind>::new(s);
        let shown = id.to_string();
        check(id.as_str() == s && shown == s, || {
            format!("{} changed {s:?}", stringify!($kind))
        })?;
        let json = serde_json::to_string(&id).map_err(|e| e.to_string())?;
        check(json == serde_json::to_string(s).unwrap(), || {
            format!("{} serialises {s:?} as {json}", stringify!($kind))
        })?;
        let checked = id.validate();
        // Reading an ID with serde runs the same check as parse().
        match serde_json::from_str::<$kind>(&json) {
            Ok(back) => check(back == id && checked.is_ok(), || {
                format!("serde round trip of {s:?} (validate: {checked:?})")
            })?,
            Err(e) => check(checked.is_err(), || {
                format!("serde refused {s:?} that validate accepts: {e}")
            })?,
        }
        match <$kind as FromStr>::from_str(s) {
            Ok(parsed) => check(parsed.as_str() == s && checked.is_ok(), || {
                format!("{} parse/validate disagree on {s:?}", stringify!($kind))
            })?,
            Err(e) => check(
                checked.as_ref() == Err(&e) && !e.to_string().is_empty(),
                || {
                    format!(
                        "{} parse/validate disagree on {s:?}: {e:?} vs {checked:?}",
                        stringify!($kind)
                    )
                },
            )?,
        }
        if let Some(name) = id.encoded_type() {
            check(
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                || format!("encoded type {name:?} of {s:?}"),
            )?;
        }
        checked
    }};
}

fn path_unsafe(s: &str) -> bool {
    s == "." || s == ".." || s.contains('\\')
}

fn all_kinds(s: &str) -> Result<(), String> {
    let binding = check_kind!(RoleBindingId, s);
    check_kind!(RoleId, s).ok();
    check_kind!(UserId, s).ok();
    check_kind!(SpaceId, s).ok();
    check_kind!(ProjectId, s).ok();
    // The binding ID goes into the URL path: ".", ".." and "\" are refused.
    match binding {
        Err(ValidationError::EmptyId { .. }) => check(s.is_empty(), || "EmptyId".into()),
        Err(ValidationError::NotAPathSegment { .. }) => {
            check(!s.is_empty() && path_unsafe(s), || {
                format!("{s:?} refused as a path")
            })
        }
        _ => check(s.is_empty() || !path_unsafe(s), || {
            format!("{s:?} accepted as a path")
        }),
    }
}

fn ids_arbitrary_strings() -> Result<(), String> {
    property(hostile_string(), |s| all_kinds(&s))
}

fn ids_arbitrary_bytes() -> Result<(), String> {
    property(
        (prop::collection::vec(any::<u8>(), 0..64), any::<bool>()),
        |(bytes, as_base64)| {
            let s = if as_base64 {
                base64::engine::general_purpose::STANDARD.encode(&bytes)
            } else {
                String::from_utf8_lossy(&bytes).into_owned()
            };
            all_kinds(&s)
        },
    )
}

const KNOWN: &[&str] = &["RoleBinding", "Role", "User", "Space", "Project", "Model"];

/// Base64 of `Type:n:suffix`, padded or not, decodes to `Type`; each kind
/// accepts it exactly when the type is its own or unknown to the crate.
fn global_id_round_trip() -> Result<(), String> {
    let type_name = prop_oneof![
        prop::sample::select(KNOWN.to_vec()).prop_map(str::to_owned),
        proptest::string::string_regex("[A-Za-z][A-Za-z0-9_]{0,14}").unwrap(),
    ];
    property(
        (type_name, any::<u64>(), any::<String>(), any::<bool>()),
        |(name, n, suffix, padded)| {
            let raw = format!("{name}:{n}:{suffix}");
            let id = if padded {
                base64::engine::general_purpose::STANDARD.encode(raw)
            } else {
                base64::engine::general_purpose::STANDARD_NO_PAD.encode(raw)
            };
            let decoded = RoleId::new(id.clone()).encoded_type();
            check(decoded.as_deref() == Some(name.as_str()), || {
                format!("{id} decodes to {decoded:?}, expected {name}")
            })?;
            let known = KNOWN.contains(&name.as_str());
            let accepts = |ok: bool, own: &[&str]| ok == (!known || own.contains(&name.as_str()));
            let verdicts = [
                accepts(id.parse::<RoleBindingId>().is_ok(), &["RoleBinding"]),
                accepts(id.parse::<RoleId>().is_ok(), &["Role"]),
                accepts(id.parse::<UserId>().is_ok(), &["User"]),
                accepts(id.parse::<SpaceId>().is_ok(), &["Space"]),
                accepts(id.parse::<ProjectId>().is_ok(), &["Project", "Model"]),
            ];
            check(verdicts.iter().all(|v| *v), || {
                format!("{id} ({name}): kinds accepted it wrongly: {verdicts:?}")
            })
        },
    )
}

fn decode_arbitrary_json_values() -> Result<(), String> {
    property(json_value(), |v| decode_value(&v))
}

fn decode_near_miss_shapes() -> Result<(), String> {
    property(near_miss(), |v| decode_value(&v))
}

fn decode_arbitrary_bytes() -> Result<(), String> {
    property(prop::collection::vec(any::<u8>(), 0..300), |b| {
        decode_all(&b)
    })
}

/// A valid page's bytes with a few bytes overwritten, and maybe cut.
fn decode_mutated_json_bytes() -> Result<(), String> {
    let original = serde_json::to_vec(&page_value()).unwrap();
    let len = original.len();
    property(
        (
            prop::collection::vec((0..len, any::<u8>()), 1..4),
            prop::option::of(0..len),
        ),
        move |(edits, cut)| {
            let mut bytes = original.clone();
            for (at, byte) in edits {
                bytes[at] = byte;
            }
            if let Some(cut) = cut {
                bytes.truncate(cut);
            }
            decode_all(&bytes)
        },
    )
}

/// Arbitrary valid bindings and pages survive a JSON round trip.
fn binding_and_page_round_trip() -> Result<(), String> {
    let timestamp = (-62_135_596_800i64..253_402_300_799, 0u32..1_000_000_000)
        .prop_map(|(s, n)| chrono::DateTime::from_timestamp(s, n).unwrap().to_rfc3339());
    let text = || proptest::string::string_regex("(?s).{0,16}").unwrap();
    let binding = (
        text(),
        text(),
        text(),
        any::<bool>(),
        text(),
        timestamp.clone(),
        timestamp,
    )
        .prop_map(|(id, role, user, space, resource, c, u)| {
            json!({"id": id, "role_id": role, "user_id": user,
                   "resource_type": if space { "SPACE" } else { "PROJECT" },
                   "resource_id": resource, "created_at": c, "updated_at": u})
        });
    property(
        (
            prop::collection::vec(binding, 0..4),
            any::<bool>(),
            prop::option::of(text()),
        ),
        |(bindings, has_more, cursor)| {
            // IDs are checked when read (as parse() checks them): a binding
            // with an ID that fails the check is refused, any other is read.
            let valid = |b: &Value| {
                RoleBindingId::new(b["id"].as_str().unwrap())
                    .validate()
                    .is_ok()
                    && RoleId::new(b["role_id"].as_str().unwrap())
                        .validate()
                        .is_ok()
                    && UserId::new(b["user_id"].as_str().unwrap())
                        .validate()
                        .is_ok()
            };
            let (bindings, refused): (Vec<Value>, Vec<Value>) =
                bindings.into_iter().partition(|b| valid(b));
            for b in &refused {
                check(
                    serde_json::from_value::<RoleBinding>(b.clone()).is_err(),
                    || format!("{b}: read although an ID fails the check"),
                )?;
            }
            for b in &bindings {
                let decoded: RoleBinding =
                    serde_json::from_value(b.clone()).map_err(|e| format!("{b}: {e}"))?;
                let again: RoleBinding =
                    serde_json::from_slice(&serde_json::to_vec(&decoded).unwrap())
                        .map_err(|e| format!("{decoded:?}: {e}"))?;
                check(again == decoded, || format!("{decoded:?} changed"))?;
                check(decoded.id == b["id"].as_str().unwrap(), || {
                    "id changed".into()
                })?;
            }
            let mut pagination = json!({"has_more": has_more});
            if let Some(c) = cursor {
                pagination["next_cursor"] = Value::String(c);
            }
            let page = json!({"role_bindings": bindings, "pagination": pagination});
            let decoded: Page =
                serde_json::from_value(page.clone()).map_err(|e| format!("{page}: {e}"))?;
            check(decoded.bindings().len() == bindings.len(), || {
                "page length".into()
            })?;
            decode_all(&serde_json::to_vec(&page).unwrap())
        },
    )
}

/// An API key, user agent or default header value with a CR or LF
/// anywhere is refused when the client is built, with an error that does
/// not contain the key.
fn header_crlf_refused_at_build() -> Result<(), String> {
    let breaker = prop::sample::select(vec!["\r", "\n", "\r\n", "\n\r", "\u{0}", "\u{7f}"]);
    property(
        (
            hostile_string(),
            breaker,
            0..3usize,
            any::<prop::sample::Index>(),
        ),
        |(extra, breaker, which, at)| {
            // The key, with a line break (or another control character)
            // inserted somewhere in it or in what follows.
            let mut value = format!("{KEY}{extra}");
            let boundaries: Vec<usize> = (0..=value.len())
                .filter(|i| value.is_char_boundary(*i))
                .collect();
            value.insert_str(*at.get(&boundaries), breaker);
            let builder = Client::builder()
                .api_key(KEY)
                .base_url("https://api.arize.com");
            let built = match which {
                0 => Client::builder()
                    .api_key(value.clone())
                    .base_url("https://api.arize.com")
                    .build(),
                1 => builder.user_agent(value.clone()).build(),
                _ => builder.default_header("x-team", value.clone()).build(),
            };
            let err = match built {
                Ok(_) => return Err(format!("a header value with {breaker:?} was accepted")),
                Err(e) => e,
            };
            let right_kind = matches!(
                (which, &err),
                (0, Error::Config(ConfigError::MalformedApiKey))
                    | (
                        1 | 2,
                        Error::Validation(ValidationError::InvalidHeader { .. })
                    )
            );
            check(right_kind, || format!("header {which}: {err:?}"))?;
            error_without_key(&err)
        },
    )
}
