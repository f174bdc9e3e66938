//! Where a field of a desired-state file is: its line and column.
//!
//! None of the three parsers (serde_yaml, serde_json, toml) hands out the
//! position of a value, but each attaches the position of the value being
//! read to an error raised while reading it. So to find `grants[3].user`,
//! the text is read again with a [`DeserializeSeed`] that walks to that
//! path, skips everything else, and raises an error *at* the value: the
//! error's position is the value's. One extra parse per problem reported;
//! files are small and problems few.

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::file::Format;

/// One step of a path into a document: a map key or a sequence index.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Seg {
    /// A map key.
    Key(String),
    /// A sequence index (0-based).
    Index(usize),
}

/// A path into a document, e.g. `grants[3].user`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct FieldPath(pub(crate) Vec<Seg>);

impl FieldPath {
    pub(crate) fn key(&self, key: impl Into<String>) -> Self {
        let mut segs = self.0.clone();
        segs.push(Seg::Key(key.into()));
        Self(segs)
    }

    pub(crate) fn index(&self, index: usize) -> Self {
        let mut segs = self.0.clone();
        segs.push(Seg::Index(index));
        Self(segs)
    }

    /// Appends the path serde_path_to_error recorded inside this value.
    pub(crate) fn join(&self, inner: &serde_path_to_error::Path) -> Self {
        let mut segs = self.0.clone();
        for seg in inner.iter() {
            match seg {
                serde_path_to_error::Segment::Seq { index } => segs.push(Seg::Index(*index)),
                serde_path_to_error::Segment::Map { key } => segs.push(Seg::Key(key.clone())),
                serde_path_to_error::Segment::Enum { variant } => {
                    segs.push(Seg::Key(variant.clone()));
                }
                serde_path_to_error::Segment::Unknown => {}
            }
        }
        Self(segs)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(top level)");
        }
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(key) if i == 0 => f.write_str(key)?,
                Seg::Key(key) => write!(f, ".{key}")?,
                Seg::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// A position in a file, 1-based.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Position {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1.
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// The marker message of the error raised at the value looked for.
const FOUND: &str = "\u{0}arize-located\u{0}";

/// Walks to `path` and fails there.
struct Locator<'p>(&'p [Seg]);

impl<'de> DeserializeSeed<'de> for Locator<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Locator<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((first, rest)) = self.0.split_first() else {
            return Err(de::Error::custom(FOUND));
        };
        while let Some(key) = map.next_key::<KeyText>()? {
            match first {
                Seg::Key(wanted) if key.0 == *wanted => {
                    return map.next_value_seed(Locator(rest));
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some((first, rest)) = self.0.split_first() else {
            return Err(de::Error::custom(FOUND));
        };
        let mut i = 0;
        loop {
            match first {
                Seg::Index(wanted) if i == *wanted => {
                    return seq.next_element_seed(Locator(rest)).map(|_| ());
                }
                _ => {
                    if seq.next_element::<IgnoredAny>()?.is_none() {
                        return Ok(());
                    }
                }
            }
            i += 1;
        }
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.leaf()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.leaf()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.leaf()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.leaf()
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.leaf()
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.leaf()
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.leaf()
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl Locator<'_> {
    fn leaf<E: de::Error>(&self) -> Result<(), E> {
        if self.0.is_empty() {
            Err(E::custom(FOUND))
        } else {
            Ok(())
        }
    }
}

/// A map key read as text (numbers and booleans as YAML may write them).
struct KeyText(String);

impl<'de> de::Deserialize<'de> for KeyText {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = KeyText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyText, E> {
                Ok(KeyText(v.to_owned()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<KeyText, E> {
                Ok(KeyText(String::new()))
            }
        }
        d.deserialize_any(V)
    }
}

/// The line and column of a byte offset in `text`.
pub(crate) fn position_of_offset(text: &str, offset: usize) -> Position {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(before.chars().count(), |nl| {
        before[nl + 1..].chars().count()
    }) + 1;
    Position { line, column }
}

/// The position of the value at `path` in `text`, if it is there.
pub(crate) fn locate(text: &str, format: Format, path: &FieldPath) -> Option<Position> {
    let seed = Locator(&path.0);
    match format {
        Format::Yaml => {
            let de = serde_yaml::Deserializer::from_str(text);
            let err = seed.deserialize(de).err()?;
            if !err.to_string().contains(FOUND) {
                return None;
            }
            let loc = err.location()?;
            Some(Position {
                line: loc.line(),
                column: loc.column(),
            })
        }
        Format::Json => {
            let mut de = serde_json::Deserializer::from_str(text);
            let err = seed.deserialize(&mut de).err()?;
            if !err.to_string().contains(FOUND) || err.line() == 0 {
                return None;
            }
            // serde_json reports the position just after the value.
            Some(Position {
                line: err.line(),
                column: err.column(),
            })
        }
        Format::Toml => {
            let de = toml::Deserializer::parse(text).ok()?;
            let err = seed.deserialize(de).err()?;
            if !err.message().contains(FOUND) {
                return None;
            }
            let span = err.span()?;
            Some(position_of_offset(text, span.start))
        }
    }
}

/// The position a parser's own error points at.
pub(crate) fn yaml_error_position(err: &serde_yaml::Error) -> Option<Position> {
    err.location().map(|loc| Position {
        line: loc.line(),
        column: loc.column(),
    })
}

pub(crate) fn json_error_position(err: &serde_json::Error) -> Option<Position> {
    (err.line() > 0).then(|| Position {
        line: err.line(),
        column: err.column(),
    })
}

pub(crate) fn toml_error_position(text: &str, err: &toml::de::Error) -> Option<Position> {
    err.span().map(|span| position_of_offset(text, span.start))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn path(segs: &[Seg]) -> FieldPath {
        FieldPath(segs.to_vec())
    }

    #[test]
    fn finds_values_in_all_three_formats() {
        let yaml = "mode: additive\ngrants:\n  - user: a\n    role: r\n  - user: b\n    role: s\n";
        let p = path(&[
            Seg::Key("grants".into()),
            Seg::Index(1),
            Seg::Key("role".into()),
        ]);
        assert_eq!(
            locate(yaml, Format::Yaml, &p),
            Some(Position {
                line: 6,
                column: 11
            })
        );
        let json = "{\n  \"grants\": [\n    {\"user\": \"a\"},\n    {\"user\": \"b\", \"role\": \"s\"}\n  ]\n}";
        let pos = locate(json, Format::Json, &p).unwrap();
        assert_eq!(pos.line, 4);
        let toml = "mode = \"additive\"\n\n[[grants]]\nuser = \"a\"\n\n[[grants]]\nuser = \"b\"\nrole = \"s\"\n";
        assert_eq!(
            locate(toml, Format::Toml, &p),
            Some(Position { line: 8, column: 8 })
        );
        // A path that is not there has no position.
        let missing = path(&[Seg::Key("grants".into()), Seg::Index(7)]);
        assert_eq!(locate(yaml, Format::Yaml, &missing), None);
        assert_eq!(locate(json, Format::Json, &missing), None);
        assert_eq!(locate(toml, Format::Toml, &missing), None);
    }

    #[test]
    fn paths_display_like_field_access() {
        let p = path(&[
            Seg::Key("grants".into()),
            Seg::Index(3),
            Seg::Key("user".into()),
        ]);
        assert_eq!(p.to_string(), "grants[3].user");
        assert_eq!(FieldPath::default().to_string(), "(top level)");
        assert_eq!(
            position_of_offset("ab\ncd", 4),
            Position { line: 2, column: 2 }
        );
    }
}
