//! JSON objects read shallowly: stored configurations (a snapshot's, a
//! step's) are large and answered nearly verbatim, so they are split into
//! their members as raw JSON text, one member replaced (`substitutions`),
//! and written back, without building a tree of values.

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;
use std::fmt;

/// A JSON object's members as raw JSON text, in order.
#[derive(Debug, Clone, Default)]
pub struct RawObject(pub Vec<(String, Box<RawValue>)>);

/// `text` as a raw JSON value (`null` when it is not JSON).
pub fn raw(text: String) -> Box<RawValue> {
    RawValue::from_string(text).unwrap_or_else(|_| null())
}

/// `json` (valid JSON text) without the whitespace between its tokens, as
/// a compact serializer writes it, without building its value: strings
/// (and their escapes) are copied as they are.
pub fn minified(json: &str) -> String {
    let bytes = json.as_bytes();
    let mut out = String::with_capacity(json.len());
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                // On to the closing quote, past escaped characters.
                i += 1;
                loop {
                    match memchr::memchr2(b'"', b'\\', &bytes[i..]) {
                        Some(at) if bytes[i + at] == b'\\' => i = (i + at + 2).min(bytes.len()),
                        Some(at) => {
                            i += at + 1;
                            break;
                        }
                        None => {
                            i = bytes.len();
                            break;
                        }
                    }
                }
            }
            b' ' | b'\n' | b'\r' | b'\t' => {
                // ASCII: `i` is a char boundary.
                out.push_str(&json[start..i]);
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&json[start..]);
    out
}

/// `object` (the JSON text of an object without a member `key`) with the
/// member `key: value` added at its end, as raw JSON; `{key: value}` when
/// `object` is not an object's text. Text is joined, nothing is parsed but
/// the result, once, to check it.
pub fn with_member(object: Option<&str>, key: &str, value: &str) -> Box<RawValue> {
    let key = serde_json::to_string(key).unwrap_or_default();
    let body = object.map(str::trim).and_then(|o| o.strip_prefix('{')?.strip_suffix('}')).map(str::trim);
    let text = match body {
        Some(members) if !members.is_empty() => format!("{{{members},{key}:{value}}}"),
        _ => format!("{{{key}:{value}}}"),
    };
    raw(text)
}

pub fn null() -> Box<RawValue> {
    RawValue::from_string("null".into()).expect("valid JSON")
}

impl RawObject {
    /// The object in `text`; empty when `text` is not a JSON object.
    pub fn parse(text: &str) -> RawObject {
        serde_json::from_str(text).unwrap_or_default()
    }

    pub fn get(&self, key: &str) -> Option<&RawValue> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_ref())
    }

    /// A member as an owned raw value (`null` when absent).
    pub fn get_or_null(&self, key: &str) -> Box<RawValue> {
        self.get(key).map_or_else(null, |v| v.to_owned())
    }

    /// Replace a member, or add it at the end.
    pub fn set(&mut self, key: &str, value: Box<RawValue>) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key.to_string(), value)),
        }
    }
}

impl Serialize for RawObject {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for RawObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> Visitor<'de> for Members {
            type Value = RawObject;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawObject, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(16));
                while let Some(entry) = map.next_entry::<String, Box<RawValue>>()? {
                    out.push(entry);
                }
                Ok(RawObject(out))
            }
        }
        d.deserialize_map(Members)
    }
}

impl utoipa::PartialSchema for RawObject {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new().into()
    }
}
impl utoipa::ToSchema for RawObject {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_member_adds_the_member_at_the_end() {
        let subs = r#"{"date":"d"}"#;
        assert_eq!(
            with_member(Some(r#"{"a":1,"b":{"c":[]}}"#), "substitutions", subs).get(),
            r#"{"a":1,"b":{"c":[]},"substitutions":{"date":"d"}}"#
        );
        assert_eq!(with_member(Some(" { } "), "substitutions", subs).get(), r#"{"substitutions":{"date":"d"}}"#);
        assert_eq!(with_member(None, "k\"", "1").get(), r#"{"k\"":1}"#);
        // Not an object's text: the member alone, never invalid JSON.
        assert_eq!(with_member(Some("[1]"), "k", "1").get(), r#"{"k":1}"#);
        assert_eq!(with_member(Some("{\"a\":"), "k", "1").get(), r#"{"k":1}"#);
        // Members that are not JSON: `null`, not invalid JSON.
        assert_eq!(with_member(Some("{\"a\":}"), "k", "1").get(), "null");
    }

    #[test]
    fn minified_drops_the_whitespace_between_tokens_only() {
        let text = "{ \"a\" : [1, 2.5e-05, true],\n\t\"b\": \"x y \\\" z\\\\\", \"c\": {\"\\u00e9 é \": null} }";
        let min = super::minified(text);
        assert_eq!(min, "{\"a\":[1,2.5e-05,true],\"b\":\"x y \\\" z\\\\\",\"c\":{\"\\u00e9 é \":null}}");
        let (a, b): (serde_json::Value, serde_json::Value) =
            (serde_json::from_str(text).unwrap(), serde_json::from_str(&min).unwrap());
        assert_eq!(a, b);
        // Text cut inside a string (not JSON) is copied, not a panic.
        assert_eq!(super::minified("[\"a \\"), "[\"a \\");
    }

    #[test]
    fn members_round_trip_and_one_is_replaced() {
        let mut o = RawObject::parse(r#"{"a": {"deep": [1, 2]}, "substitutions": {}, "z": "x"}"#);
        assert_eq!(o.get("a").map(RawValue::get), Some(r#"{"deep": [1, 2]}"#));
        o.set("substitutions", raw(r#"{"date":"d"}"#.into()));
        o.set("new", raw("1".into()));
        let text = serde_json::to_string(&o).unwrap();
        assert_eq!(text, r#"{"a":{"deep": [1, 2]},"substitutions":{"date":"d"},"z":"x","new":1}"#);
        assert!(RawObject::parse("[1]").0.is_empty());
        assert_eq!(o.get_or_null("missing").get(), "null");
    }
}
