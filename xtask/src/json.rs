//! The canonical JSON form of `openapi/openapi.json`.
//!
//! Keys sorted, two-space indentation, a trailing newline: byte for byte what
//! Python's `json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False)`
//! writes (plus the newline), so the committed file can be produced by either
//! tool and a refresh is a reviewable diff. The one place where serde_json
//! and Python disagree, the spelling of floats (`1e16` versus `1e+16`), is
//! handled by [`PythonFormatter::write_f64`].

use std::io;

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};
use serde_json::{Map, Value};

/// Returns `value` with the keys of every object in sorted order (by code
/// point, as Python's `sort_keys`), whatever map type serde_json was built
/// with.
pub fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let mut out = Map::new();
            for (key, value) in entries {
                out.insert(key.clone(), sorted(value));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Serialises `value` canonically: sorted keys, two-space indentation, a
/// trailing newline.
///
/// # Errors
///
/// Never in practice (writing to memory); the signature keeps serde's error.
pub fn to_canonical_string(value: &Value) -> Result<String, serde_json::Error> {
    let mut out = Vec::new();
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut out, PythonFormatter::default());
    sorted(value).serialize(&mut serializer)?;
    out.push(b'\n');
    // serde_json only writes valid UTF-8.
    String::from_utf8(out)
        .map_err(|error| serde_json::Error::io(io::Error::new(io::ErrorKind::InvalidData, error)))
}

/// serde_json's pretty printer with Python's spelling of floats.
#[derive(Debug, Default)]
pub struct PythonFormatter {
    pretty: PrettyFormatter<'static>,
}

impl Formatter for PythonFormatter {
    fn begin_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_array(writer)
    }
    fn end_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_array(writer)
    }
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_array_value(writer, first)
    }
    fn end_array_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_array_value(writer)
    }
    fn begin_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_object(writer)
    }
    fn end_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object(writer)
    }
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_object_key(writer, first)
    }
    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_object_value(writer)
    }
    fn end_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object_value(writer)
    }
    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        writer.write_all(python_float(value).as_bytes())
    }
}

/// Python's `repr(float)`: the shortest round-tripping digits, fixed
/// notation for exponents -4..=15, otherwise `d.ddde±XX`.
pub fn python_float(value: f64) -> String {
    // Rust's `{:e}` gives the same shortest digits: "-1.5e-7", "1e16", "0e0".
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific
        .split_once('e')
        .unwrap_or((scientific.as_str(), "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let body = if (-4..=15).contains(&exponent) {
        // The decimal point sits `exponent + 1` digits from the left.
        let point = exponent + 1;
        if point <= 0 {
            format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
        } else {
            let point = point.unsigned_abs() as usize;
            if point >= digits.len() {
                format!("{digits}{}.0", "0".repeat(point - digits.len()))
            } else {
                format!("{}.{}", &digits[..point], &digits[point..])
            }
        }
    } else {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let fraction = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        format!(
            "{first}{fraction}e{exponent_sign}{:02}",
            exponent.unsigned_abs()
        )
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn floats_are_spelled_as_python_repr() {
        // Values and spellings taken from CPython 3 `repr`.
        let cases = [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (2.5, "2.5"),
            (0.1, "0.1"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (123.456, "123.456"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (-3.25e100, "-3.25e+100"),
        ];
        for (value, expected) in cases {
            assert_eq!(python_float(value), expected, "{value:?}");
        }
    }

    #[test]
    fn canonical_form_sorts_keys_and_keeps_unicode() {
        let value: Value =
            serde_json::from_str(r#"{"b": [], "a": {"z": 1, "é": "—\n\"", "y": {}}, "c": 1.0}"#)
                .unwrap();
        let text = to_canonical_string(&value).unwrap();
        assert_eq!(
            text,
            "{\n  \"a\": {\n    \"y\": {},\n    \"z\": 1,\n    \"é\": \"—\\n\\\"\"\n  },\n  \"b\": [],\n  \"c\": 1.0\n}\n"
        );
    }
}
