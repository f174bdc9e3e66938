//! Arize global IDs: standard base64 of `TypeName:n:suffix`.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use rand::Rng;
use rand::distr::Alphanumeric;

/// Standard alphabet, padding optional on decode ("sometimes padded").
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The type names the fake knows. An ID that decodes to one of these is of a
/// *definite* type; anything else is opaque.
pub(crate) const KNOWN_TYPES: &[&str] = &[
    "User",
    "Role",
    "Space",
    "Project",
    "Model",
    "RoleBinding",
    "Organization",
    "Account",
];

/// Encodes `TypeName:n:suffix` as standard, padded base64 (Arize's format).
///
/// ```
/// assert_eq!(
///     arize_fake_server::encode_global_id("User", 42, "aBcD"),
///     "VXNlcjo0MjphQmNE"
/// );
/// assert_eq!(
///     arize_fake_server::encode_global_id("Role", 1, "aBcD"),
///     "Um9sZToxOmFCY0Q="
/// );
/// ```
#[must_use]
pub fn encode_global_id(type_name: &str, n: u64, suffix: &str) -> String {
    STANDARD.encode(format!("{type_name}:{n}:{suffix}"))
}

/// Decodes a global ID to its text (`TypeName:...`), accepting padded and
/// unpadded base64. Returns `None` when the ID is not base64 of UTF-8 text
/// containing a `:` — such IDs are opaque, not invalid.
///
/// ```
/// assert_eq!(
///     arize_fake_server::decode_global_id("TW9kZWw6MTpGdmxM").as_deref(),
///     Some("Model:1:FvlL")
/// );
/// assert_eq!(arize_fake_server::decode_global_id("not base64!"), None);
/// ```
#[must_use]
pub fn decode_global_id(id: &str) -> Option<String> {
    let bytes = LENIENT.decode(id).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.contains(':').then_some(text)
}

/// The type name of an ID when it decodes to one of the known types
/// (`User`, `Role`, `Space`, `Project`, `Model`, `RoleBinding`, ...).
pub(crate) fn definite_type(id: &str) -> Option<&'static str> {
    let text = decode_global_id(id)?;
    let name = text.split(':').next()?;
    KNOWN_TYPES.iter().copied().find(|known| *known == name)
}

/// A random suffix of four ASCII letters or digits, like `aBcD`.
pub(crate) fn random_suffix<R: Rng + ?Sized>(rng: &mut R) -> String {
    (0..4)
        .map(|_| char::from(rng.sample(Alphanumeric)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_table_round_trips() {
        let table = [
            ("Um9sZUJpbmRpbmc6MTphQmNE", "RoleBinding:1:aBcD"),
            ("Um9sZToxOmFCY0Q=", "Role:1:aBcD"),
            ("VXNlcjo0MjphQmNE", "User:42:aBcD"),
            ("U3BhY2U6MTpWNEth", "Space:1:V4Ka"),
            ("UHJvamVjdDo1OmFCY0Q=", "Project:5:aBcD"),
            ("TW9kZWw6MTpGdmxM", "Model:1:FvlL"),
            ("U3BhY2U6MTp1Rk4x", "Space:1:uFN1"),
            ("RW50aXR5OjEyMzQ1", "Entity:12345"),
        ];
        for (id, text) in table {
            assert_eq!(decode_global_id(id).as_deref(), Some(text), "{id}");
        }
        assert_eq!(encode_global_id("RoleBinding", 1, "aBcD"), table[0].0);
        assert_eq!(encode_global_id("Project", 5, "aBcD"), table[4].0);
        // Unpadded form of a padded ID still decodes.
        assert_eq!(
            decode_global_id("Um9sZToxOmFCY0Q").as_deref(),
            Some("Role:1:aBcD")
        );
    }

    #[test]
    fn definite_types() {
        assert_eq!(definite_type("TW9kZWw6MTpGdmxM"), Some("Model"));
        assert_eq!(definite_type("RW50aXR5OjEyMzQ1"), None); // Entity: unknown type
        assert_eq!(definite_type("a/b"), None);
        assert_eq!(definite_type(""), None);
    }

    #[test]
    fn suffix_shape() {
        let mut rng = rand::rng();
        let s = random_suffix(&mut rng);
        assert_eq!(s.len(), 4);
        assert!(s.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}
