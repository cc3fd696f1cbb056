//! The two parts of a stored step configuration (`{"spec", "config",
//! "step_config_overrides"}` text, a few KB) that step creates and step
//! responses read, taken out once when a snapshot is created
//! (`snapshot_steps.spec` and `.step_config`; bench/README.md, "Snapshot
//! steps"). The upgrade to schema version 10 and an import fill those
//! columns with the same rules in SQL ([`SPEC_SQL`], [`STEP_CONFIG_SQL`]; the
//! upgrade takes them from the macros they are made with).

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// [`StepParts::spec`] in SQL, of the column `$config`, as a string
/// literal (the upgrade to version 10 is one).
macro_rules! spec_sql {
    ($config:literal) => {
        concat!(
            "CASE WHEN json_valid(",
            $config,
            ") AND json_type(",
            $config,
            ", '$.spec') <> 'null' THEN ",
            $config,
            " -> '$.spec' END"
        )
    };
}
/// [`StepParts::step_config`] in SQL, as [`spec_sql`].
macro_rules! step_config_sql {
    ($config:literal) => {
        concat!(
            "CASE WHEN json_valid(",
            $config,
            ") AND json_type(",
            $config,
            ", '$.config') = 'object' ",
            "THEN json_remove(",
            $config,
            " -> '$.config', '$.substitutions') END"
        )
    };
}
pub(crate) use {spec_sql, step_config_sql};

/// The parts of a column `{config}` (the dump's placeholder) in SQL.
pub const SPEC_SQL: &str = spec_sql!("{config}");
pub const STEP_CONFIG_SQL: &str = step_config_sql!("{config}");

#[derive(Debug, Default, PartialEq, Eq)]
pub struct StepParts {
    /// The JSON text of `spec`, when present and not `null`.
    pub spec: Option<String>,
    /// `config` without its `substitutions` (a response puts the run's in),
    /// when it is an object.
    pub step_config: Option<String>,
}

impl StepParts {
    /// The parts of `text` (compact JSON text of a step configuration); the
    /// members are copied as raw text, never built into values.
    pub fn of(text: &str) -> StepParts {
        #[derive(Deserialize, Default)]
        #[serde(default)]
        struct Parts<'a> {
            #[serde(borrow)]
            spec: Option<&'a RawValue>,
            #[serde(borrow)]
            config: Option<&'a RawValue>,
        }
        if !text.trim_start().starts_with('{') {
            // (A struct also reads from an array.)
            return StepParts::default();
        }
        let parts: Parts = serde_json::from_str(text).unwrap_or_default();
        StepParts {
            spec: parts.spec.map(|s| s.get().to_string()),
            step_config: parts.config.and_then(|c| serde_json::from_str::<Members>(c.get()).ok()).map(|m| m.0),
        }
    }
}

/// An object's text rebuilt from its members, without `substitutions`.
struct Members(String);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Without;
        impl<'de> Visitor<'de> for Without {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut out = String::with_capacity(1024);
                out.push('{');
                while let Some(Key(key)) = map.next_key::<Key>()? {
                    if key == "substitutions" {
                        map.next_value::<IgnoredAny>()?;
                        continue;
                    }
                    let value = map.next_value::<&RawValue>()?;
                    if out.len() > 1 {
                        out.push(',');
                    }
                    match key {
                        // Borrowed: the text had no escapes, so it is its own JSON.
                        Cow::Borrowed(k) => {
                            out.push('"');
                            out.push_str(k);
                            out.push('"');
                        }
                        Cow::Owned(k) => out.push_str(&serde_json::to_string(&k).map_err(serde::de::Error::custom)?),
                    }
                    out.push(':');
                    out.push_str(value.get());
                }
                out.push('}');
                Ok(Members(out))
            }
        }
        d.deserialize_map(Without)
    }
}

/// A member's key: borrowed from the text when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Text;
        impl<'de> Visitor<'de> for Text {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(Text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASES: &[&str] = &[
        r#"{"spec":{"upstream_steps":["load"],"inputs":{}},"config":{"a":1.0,"substitutions":{"x":"y"},"b":"\u00e9","c":[1,2e5]},"step_config_overrides":{"a":2}}"#,
        r#"{"config":{"substitutions":{}},"spec":"s"}"#,
        r#"{"config":{"a\"b":null}}"#,
        r#"{"spec":null,"config":"not an object"}"#,
        r#"{"spec":{},"config":[1]}"#,
        r#"{}"#,
        r#"[1]"#,
        r#"{"spec":"#,
    ];

    #[test]
    fn the_parts_are_spec_and_config_without_substitutions() {
        let some = |s: &str| Some(s.to_string());
        let parts: Vec<StepParts> = CASES.iter().map(|c| StepParts::of(c)).collect();
        assert_eq!(
            parts[0],
            StepParts {
                spec: some(r#"{"upstream_steps":["load"],"inputs":{}}"#),
                step_config: some(r#"{"a":1.0,"b":"\u00e9","c":[1,2e5]}"#)
            }
        );
        assert_eq!(parts[1], StepParts { spec: some(r#""s""#), step_config: some("{}") });
        assert_eq!(parts[2], StepParts { spec: None, step_config: some(r#"{"a\"b":null}"#) });
        assert_eq!(parts[3], StepParts::default());
        assert_eq!(parts[4], StepParts { spec: some("{}"), step_config: None });
        for empty in &parts[5..] {
            assert_eq!(*empty, StepParts::default());
        }
    }

    /// The SQL the upgrade and an import use gives what [`StepParts::of`] gives.
    #[test]
    fn the_sql_rules_give_the_same_parts() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let sql =
            format!("SELECT {}, {}", SPEC_SQL.replace("{config}", "?1"), STEP_CONFIG_SQL.replace("{config}", "?1"));
        for case in CASES {
            let (spec, step_config) = conn.query_row(&sql, [case], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
            assert_eq!(StepParts { spec, step_config }, StepParts::of(case), "{case}");
        }
    }
}
