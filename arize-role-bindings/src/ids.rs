//! Typed identifiers and the decoding of Arize global IDs.
//!
//! Every Arize ID is an opaque string. Most are *global IDs*: standard
//! base64 (sometimes padded) of `TypeName:...`, for example
//! `U3BhY2U6MTpWNEth` decodes to `Space:1:V4Ka`. This module gives each kind
//! of ID its own type, so a user ID cannot be passed where a role ID is
//! expected, and uses the decoding to catch a *definite* mismatch (an ID
//! that decodes to a different, known type) before any request is sent.
//!
//! An ID that does not decode, or decodes to a type name this crate does not
//! know, is passed through untouched: the service treats IDs as opaque and
//! so does this crate, apart from that one early check.
//!
//! ```
//! use arize_role_bindings::{ProjectId, SpaceId};
//!
//! // A project resource accepts Project and Model IDs ...
//! assert!("UHJvamVjdDo1OmFCY0Q=".parse::<ProjectId>().is_ok());
//! assert!("TW9kZWw6MTpGdmxM".parse::<ProjectId>().is_ok());
//! // ... and opaque IDs that do not decode at all ...
//! assert!("not-a-global-id".parse::<ProjectId>().is_ok());
//! // ... but not a Space ID.
//! let err = "U3BhY2U6MTp1Rk4x".parse::<ProjectId>().unwrap_err();
//! assert!(err.to_string().contains("Space"));
//!
//! let space = SpaceId::new("U3BhY2U6MTpWNEth");
//! assert_eq!(space.encoded_type().as_deref(), Some("Space"));
//! ```

use std::fmt;
use std::str::FromStr;

use arize_api::types as wire;
use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::error::ValidationError;

/// Standard alphabet, padding optional, lenient about trailing bits: IDs are
/// opaque, so decoding is a best-effort hint, never a gate.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Longest type name this crate looks for, in bytes. Decoding only ever
/// looks at the first few bytes of an ID, on the stack.
const PREFIX_BYTES: usize = 24;
/// Base64 characters that decode to [`PREFIX_BYTES`] bytes.
const PREFIX_CHARS: usize = PREFIX_BYTES / 3 * 4;

/// Base64 characters decoded for the quick check of [`encodes_accepted`]:
/// 12 bytes, enough for the longest known type name and its colon.
const QUICK_CHARS: usize = 16;
/// Bytes the [`QUICK_CHARS`] decode to.
const QUICK_BYTES: usize = QUICK_CHARS / 4 * 3;

/// Type names this crate knows. An ID that decodes to one of these names but
/// not to a name the parameter accepts is a definite mismatch.
const KNOWN_TYPES: &[&str] = &["RoleBinding", "Role", "User", "Space", "Project", "Model"];

/// Decodes the type name of a global ID into `buf`, without allocating.
///
/// Returns `None` when `id` is not base64 of `TypeName:...` with a type name
/// of ASCII letters, digits or underscores starting with a letter.
fn decode_type_name<'b>(id: &str, buf: &'b mut [u8; PREFIX_BYTES]) -> Option<&'b str> {
    let bytes = id.as_bytes();
    let len = if bytes.len() > PREFIX_CHARS {
        PREFIX_CHARS
    } else {
        bytes.len()
    };
    let written = LENIENT.decode_slice(&bytes[..len], &mut buf[..]).ok()?;
    let decoded = &buf[..written];
    let colon = decoded.iter().position(|&b| b == b':')?;
    let name = &decoded[..colon];
    let first = *name.first()?;
    if !first.is_ascii_alphabetic() || !name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
    {
        return None;
    }
    std::str::from_utf8(name).ok()
}

/// `Name:` in base64, for the known names whose `Name:` fills whole 3-byte
/// groups: an ID that starts with one of these decodes to that name, or
/// does not decode at all.
const WHOLE_GROUP_PREFIXES: &[(&str, &str)] = &[
    ("RoleBinding", "Um9sZUJpbmRpbmc6"),
    ("Space", "U3BhY2U6"),
    ("Model", "TW9kZWw6"),
];

/// Whether `id` is a global ID of one of the `accepted` types: whether it
/// starts with the base64 of `Name:` (for the names in
/// [`WHOLE_GROUP_PREFIXES`]) or its first [`QUICK_CHARS`] characters decode
/// to `Name:`, with `Name` in `accepted`. Such an ID passes [`check`]
/// whatever follows (the longer decode of [`decode_type_name`] either fails
/// or finds the same name), so the usual case costs a comparison or one
/// short decode.
fn encodes_accepted(id: &str, accepted: &[&str]) -> bool {
    if accepted.iter().any(|name| {
        WHOLE_GROUP_PREFIXES
            .iter()
            .any(|(known, prefix)| known == name && id.starts_with(prefix))
    }) {
        return true;
    }
    let bytes = id.as_bytes();
    let mut buf = [0u8; QUICK_BYTES];
    let len = bytes.len().min(QUICK_CHARS);
    let Ok(written) = LENIENT.decode_slice(&bytes[..len], &mut buf[..]) else {
        return false;
    };
    let decoded = &buf[..written];
    accepted
        .iter()
        .any(|name| decoded.get(name.len()) == Some(&b':') && decoded.starts_with(name.as_bytes()))
}

/// The type name `id` encodes, if it is a global ID.
pub(crate) fn encoded_type_of(id: &str) -> Option<String> {
    let mut buf = [0u8; PREFIX_BYTES];
    decode_type_name(id, &mut buf).map(str::to_owned)
}

/// Arize's rule for telling an ID from a name (the rule of its Python SDK):
/// a value is an ID when it decodes as standard base64 (padding optional) to
/// UTF-8 text containing `:` — `U3BhY2U6MTpiRnVM` is `Space:1:bFuL`, an ID;
/// `prod`, `Member` and `alice@example.com` are names.
///
/// ```
/// use arize_role_bindings::ids::looks_like_id;
///
/// assert!(looks_like_id("U3BhY2U6MTpiRnVM"));
/// assert!(looks_like_id("Um9sZToxOmFCY0Q")); // padding optional
/// assert!(!looks_like_id("prod"));
/// assert!(!looks_like_id("Member"));
/// assert!(!looks_like_id("alice@example.com"));
/// ```
pub fn looks_like_id(value: &str) -> bool {
    LENIENT
        .decode(value.as_bytes())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .is_some_and(|text| text.contains(':'))
}

/// Checks `id`, given as `parameter`, against the type names it may encode.
///
/// Rejects an empty ID and an ID that decodes to a known type name not in
/// `accepted`; passes everything else through.
pub(crate) fn check(
    parameter: &'static str,
    id: &str,
    accepted: &'static [&'static str],
    expected: &'static str,
) -> Result<(), ValidationError> {
    if id.is_empty() {
        return Err(ValidationError::EmptyId { parameter });
    }
    // The binding ID is the one ID sent in the URL path. The path encoding
    // escapes `/`, `?`, `#`, `%`, spaces and non-ASCII, but a URL still reads
    // `.` and `..` as directories and `\` as `/`: the request would go to
    // another path.
    if parameter == "binding_id" && (id == "." || id == ".." || id.contains('\\')) {
        return Err(ValidationError::NotAPathSegment {
            parameter,
            id: id.to_owned(),
        });
    }
    if encodes_accepted(id, accepted) {
        return Ok(());
    }
    let mut buf = [0u8; PREFIX_BYTES];
    if let Some(name) = decode_type_name(id, &mut buf)
        && KNOWN_TYPES.contains(&name)
        && !accepted.contains(&name)
    {
        return Err(ValidationError::IdTypeMismatch {
            parameter,
            id: id.to_owned(),
            expected,
            encoded: name.to_owned(),
        });
    }
    Ok(())
}

macro_rules! typed_id {
    (
        $(#[$meta:meta])*
        $name:ident,
        parameter = $parameter:literal,
        accepted = [$($accepted:literal),+],
        expected = $expected:literal,
        example = $example:literal $(,)?
    ) => {
        $(#[$meta])*
        ///
        /// The field is private: build one with [`new`](Self::new) (unchecked,
        /// the ID is checked when a request is made) or by parsing
        /// ([`FromStr`], which runs the same check at once). It serialises as
        /// a plain JSON string; deserialising runs the same check as
        /// [`FromStr`], so an ID read from a file is refused exactly when
        /// `parse()` would refuse it (the error names the parameter and
        /// what was wrong).
        ///
        /// ```
        #[doc = concat!("use arize_role_bindings::", stringify!($name), ";")]
        ///
        #[doc = concat!("let id: ", stringify!($name), " = \"", $example, "\".parse()?;")]
        #[doc = concat!("assert_eq!(id.as_str(), \"", $example, "\");")]
        #[doc = concat!("assert_eq!(id.to_string(), \"", $example, "\");")]
        /// # Ok::<(), arize_role_bindings::ValidationError>(())
        /// ```
        // The generated client's ID inside, so that requests borrow it
        // instead of copying it.
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
        #[serde(transparent)]
        pub struct $name(wire::Id);

        impl<'de> serde::Deserialize<'de> for $name {
            /// Reads a string and checks it as [`FromStr`] does.
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let id = Self::new(<String as serde::Deserialize>::deserialize(deserializer)?);
                id.validate().map_err(serde::de::Error::custom)?;
                Ok(id)
            }
        }

        impl $name {
            /// Wraps an ID without checking it; it is checked before any
            /// request that uses it is sent.
            pub fn new(id: impl Into<String>) -> Self {
                Self(wire::Id(id.into()))
            }

            /// The ID as sent to the API.
            pub fn as_str(&self) -> &str {
                &self.0.0
            }

            /// Returns the inner string.
            pub fn into_string(self) -> String {
                self.0.0
            }

            /// The ID as the generated client takes it.
            pub(crate) fn as_wire(&self) -> &wire::Id {
                &self.0
            }

            /// The type name this ID encodes, if it is a global ID
            /// (`"Space"` for `U3BhY2U6MTpWNEth`), or `None` for an opaque ID.
            pub fn encoded_type(&self) -> Option<String> {
                encoded_type_of(self.as_str())
            }

            /// Checks the ID: not empty, and not a global ID of a different,
            /// known type.
            ///
            /// # Errors
            ///
            /// [`ValidationError::EmptyId`] or
            /// [`ValidationError::IdTypeMismatch`].
            pub fn validate(&self) -> Result<(), ValidationError> {
                check($parameter, self.as_str(), &[$($accepted),+], $expected)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.as_str()).finish()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ValidationError;

            /// Parses and checks an ID (see [`validate`](Self::validate)).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let id = Self::new(s);
                id.validate()?;
                Ok(id)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self::new(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self::new(id)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.into_string()
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

typed_id! {
    /// The ID of a role binding (a global ID of type `RoleBinding`).
    RoleBindingId,
    parameter = "binding_id",
    accepted = ["RoleBinding"],
    expected = "a RoleBinding",
    example = "Um9sZUJpbmRpbmc6MTphQmNE",
}

typed_id! {
    /// The ID of a role (a global ID of type `Role`).
    RoleId,
    parameter = "role_id",
    accepted = ["Role"],
    expected = "a Role",
    example = "Um9sZToxOmFCY0Q=",
}

typed_id! {
    /// The ID of a user (a global ID of type `User`); for a service key,
    /// the key's bot user.
    UserId,
    parameter = "user_id",
    accepted = ["User"],
    expected = "a User",
    example = "VXNlcjo0MjphQmNE",
}

typed_id! {
    /// The ID of a space (a global ID of type `Space`).
    SpaceId,
    parameter = "resource_id",
    accepted = ["Space"],
    expected = "a Space (resource_type SPACE)",
    example = "U3BhY2U6MTpWNEth",
}

typed_id! {
    /// The ID of an organization (a global ID of type `Organization`), as
    /// the `org_id` filter of [`SpaceQuery`](crate::directory::SpaceQuery)
    /// takes it.
    OrganizationId,
    parameter = "org_id",
    accepted = ["Organization"],
    expected = "an Organization",
    example = "T3JnYW5pemF0aW9uOjEyMzQ1",
}

typed_id! {
    /// The ID of a project. Arize accepts both `Project` and `Model` global
    /// IDs as a PROJECT resource.
    ProjectId,
    parameter = "resource_id",
    accepted = ["Project", "Model"],
    expected = "a Project or Model (resource_type PROJECT)",
    example = "UHJvamVjdDo1OmFCY0Q=",
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn decodes_the_documented_examples() {
        let cases = [
            ("Um9sZUJpbmRpbmc6MTphQmNE", Some("RoleBinding")),
            ("Um9sZToxOmFCY0Q=", Some("Role")),
            ("Um9sZToxOmFCY0Q", Some("Role")),
            ("VXNlcjo0MjphQmNE", Some("User")),
            ("U3BhY2U6MTpWNEth", Some("Space")),
            ("UHJvamVjdDo1OmFCY0Q=", Some("Project")),
            ("TW9kZWw6MTpGdmxM", Some("Model")),
            ("U3BhY2U6MTp1Rk4x", Some("Space")),
            ("RW50aXR5OjEyMzQ1", Some("Entity")),
            ("", None),
            ("not base64!", None),
            ("aGVsbG8gd29ybGQ=", None), // "hello world": no colon
            ("OmFiYw==", None),         // ":abc": empty type name
            ("MTIzOmFiYw==", None),     // "123:abc": not a type name
        ];
        for (id, expected) in cases {
            assert_eq!(encoded_type_of(id).as_deref(), expected, "{id}");
        }
    }

    #[test]
    fn decodes_long_ids_from_their_prefix() {
        use base64::engine::general_purpose::STANDARD;
        let long = STANDARD.encode(format!("Project:7:{}", "x".repeat(500)));
        assert_eq!(encoded_type_of(&long).as_deref(), Some("Project"));
        // A type name longer than the prefix is not decoded (passed through).
        let huge = STANDARD.encode(format!("{}:1", "A".repeat(40)));
        assert_eq!(encoded_type_of(&huge), None);
    }

    #[test]
    fn whole_group_prefixes_are_the_base64_of_known_names() {
        use base64::engine::general_purpose::STANDARD;
        for (name, prefix) in WHOLE_GROUP_PREFIXES {
            assert!(KNOWN_TYPES.contains(name), "{name}");
            assert_eq!((name.len() + 1) % 3, 0, "{name}");
            assert_eq!(STANDARD.encode(format!("{name}:")), *prefix);
        }
    }

    #[test]
    fn the_quick_check_agrees_with_the_full_decode() {
        use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
        // Every known name and its colon fit in the quick decode.
        for name in KNOWN_TYPES {
            assert!(name.len() < QUICK_BYTES, "{name}");
        }
        let mut ids: Vec<String> = Vec::new();
        for name in KNOWN_TYPES.iter().chain(&["Entity", "Rol", "RoleBindings"]) {
            for rest in [
                "",
                "1",
                "1:",
                "1:aBcD",
                "42:x",
                "7:abcdefghijklmnopqrstuvwxyz",
            ] {
                let raw = format!("{name}:{rest}");
                ids.push(STANDARD.encode(&raw));
                ids.push(STANDARD_NO_PAD.encode(&raw));
                // Not base64 after the prefix, at several places.
                let encoded = STANDARD_NO_PAD.encode(&raw);
                for cut in [14, 15, 16, 17, 20, 31, 32, 33] {
                    if cut <= encoded.len() {
                        ids.push(format!("{}!{}", &encoded[..cut], &encoded[cut..]));
                        ids.push(format!("{}={}", &encoded[..cut], &encoded[cut..]));
                    }
                }
            }
        }
        ids.extend(
            [
                "",
                "a",
                "Um9s",
                "Um9sZQ",
                "Um9sZTo",
                "Um9sZTo=",
                "Um9sZToxOmFCY0Q=xyz",
            ]
            .map(String::from),
        );
        let kinds: [&[&str]; 5] = [
            &["RoleBinding"],
            &["Role"],
            &["User"],
            &["Space"],
            &["Project", "Model"],
        ];
        let mut quick = 0;
        for id in &ids {
            for accepted in kinds {
                let mut buf = [0u8; PREFIX_BYTES];
                let full = decode_type_name(id, &mut buf);
                let full_passes = full
                    .is_none_or(|name| !KNOWN_TYPES.contains(&name) || accepted.contains(&name));
                if encodes_accepted(id, accepted) {
                    quick += 1;
                    assert!(
                        full_passes,
                        "{id} {accepted:?}: quick accepts, full decode rejects"
                    );
                    assert!(
                        full.is_none_or(|name| accepted.contains(&name)),
                        "{id} {accepted:?}: {full:?}"
                    );
                }
                let checked = check("resource_id", id, accepted, "x");
                assert_eq!(
                    checked.is_ok(),
                    full_passes && !id.is_empty(),
                    "{id} {accepted:?}"
                );
            }
        }
        // The quick path is taken for every known kind's own IDs.
        assert!(quick > 100, "{quick}");
        assert!(encodes_accepted(
            "Um9sZUJpbmRpbmc6MTphQmNE",
            &["RoleBinding"]
        ));
        assert!(encodes_accepted("Um9sZToxOmFCY0Q=", &["Role"]));
        assert!(!encodes_accepted("Um9sZUJpbmRpbmc6MTphQmNE", &["Role"]));
    }

    #[test]
    fn project_accepts_project_model_and_opaque_ids() {
        for id in [
            "UHJvamVjdDo1OmFCY0Q=",
            "TW9kZWw6MTpGdmxM",
            "opaque-id",
            "RW50aXR5OjEyMzQ1",
        ] {
            assert!(id.parse::<ProjectId>().is_ok(), "{id}");
        }
    }

    #[test]
    fn project_rejects_the_seed_invalid_example() {
        let err = "U3BhY2U6MTp1Rk4x".parse::<ProjectId>().unwrap_err();
        match &err {
            ValidationError::IdTypeMismatch {
                parameter,
                id,
                expected,
                encoded,
            } => {
                assert_eq!(*parameter, "resource_id");
                assert_eq!(id, "U3BhY2U6MTp1Rk4x");
                assert!(expected.contains("Project"));
                assert_eq!(encoded, "Space");
            }
            other => panic!("unexpected {other:?}"),
        }
        let text = err.to_string();
        assert!(text.contains("Space") && text.contains("Project"), "{text}");
    }

    #[test]
    fn every_kind_checks_its_own_type() {
        assert!("U3BhY2U6MTpWNEth".parse::<SpaceId>().is_ok());
        assert!("UHJvamVjdDo1OmFCY0Q=".parse::<SpaceId>().is_err());
        assert!("Um9sZToxOmFCY0Q=".parse::<RoleId>().is_ok());
        assert!("VXNlcjo0MjphQmNE".parse::<RoleId>().is_err());
        assert!("VXNlcjo0MjphQmNE".parse::<UserId>().is_ok());
        assert!("Um9sZToxOmFCY0Q=".parse::<UserId>().is_err());
        assert!("Um9sZUJpbmRpbmc6MTphQmNE".parse::<RoleBindingId>().is_ok());
        assert!("Um9sZToxOmFCY0Q=".parse::<RoleBindingId>().is_err());
        assert!(matches!(
            "".parse::<UserId>(),
            Err(ValidationError::EmptyId {
                parameter: "user_id"
            })
        ));
    }

    #[test]
    fn new_is_unchecked_and_serde_is_transparent() {
        let id = ProjectId::new("U3BhY2U6MTp1Rk4x");
        assert!(id.validate().is_err());
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"U3BhY2U6MTp1Rk4x\"");
        assert_eq!(format!("{id:?}"), "ProjectId(\"U3BhY2U6MTp1Rk4x\")");
        assert_eq!(String::from(id), "U3BhY2U6MTp1Rk4x");
        let good = ProjectId::new("TW9kZWw6MTpGdmxM");
        let back: ProjectId = serde_json::from_str(&serde_json::to_string(&good).unwrap()).unwrap();
        assert_eq!(back, good);
        assert_eq!(back, "TW9kZWw6MTpGdmxM");
    }

    #[test]
    fn serde_checks_as_from_str_does() {
        for json in ["\"U3BhY2U6MTp1Rk4x\"", "\"\""] {
            let parsed = serde_json::from_str::<String>(json)
                .unwrap()
                .parse::<ProjectId>()
                .unwrap_err();
            let read = serde_json::from_str::<ProjectId>(json).unwrap_err();
            assert!(
                read.to_string().starts_with(&parsed.to_string()),
                "{read} vs {parsed}"
            );
        }
        // Opaque IDs pass both ways.
        assert!(serde_json::from_str::<UserId>("\"not-a-global-id\"").is_ok());
        assert!("not-a-global-id".parse::<UserId>().is_ok());
    }
}
