//! Request-body validation in the style of pydantic/FastAPI: read the fields
//! of a JSON object, collect every problem as an [`Issue`], fail once.

use crate::pycompat::repr_str;
use serde_json::{Map, Value};

/// One FastAPI-style validation problem (`{'type', 'loc', 'msg', 'input'}`).
#[derive(Debug, Clone)]
pub struct Issue {
    pub kind: &'static str,
    pub loc: Vec<String>,
    pub msg: String,
    pub input: String,
}

pub type Issues = Vec<Issue>;

impl Issue {
    pub fn new(kind: &'static str, loc: &[&str], msg: impl Into<String>, input: impl Into<String>) -> Issue {
        Issue { kind, loc: loc.iter().map(|s| s.to_string()).collect(), msg: msg.into(), input: input.into() }
    }

    /// `{'type': 'missing', 'loc': ('body', 'project'), 'msg': 'Field required', 'input': {}}`
    pub fn render(&self) -> String {
        let parts: Vec<String> = self
            .loc
            .iter()
            .map(|p| match p.parse::<u64>() {
                Ok(n) => n.to_string(),
                Err(_) => repr_str(p),
            })
            .collect();
        let loc = if parts.len() == 1 { format!("({},)", parts[0]) } else { format!("({})", parts.join(", ")) };
        format!("{{'type': '{}', 'loc': {loc}, 'msg': {}, 'input': {}}}", self.kind, repr_str(&self.msg), self.input)
    }
}

/// A short rendering of an input value for messages.
fn shown(v: &Value) -> String {
    let s = match v {
        Value::String(s) => repr_str(s),
        other => other.to_string(),
    };
    if s.chars().count() > 120 {
        format!("{}...", s.chars().take(120).collect::<String>())
    } else {
        s
    }
}

/// Reads the fields of one JSON object at `loc` (e.g. `["body"]` or `["body", "3"]`).
pub struct Fields<'a> {
    obj: &'a Map<String, Value>,
    loc: Vec<String>,
    issues: Issues,
}

impl<'a> Fields<'a> {
    pub fn new(v: &'a Value, loc: &[&str]) -> Result<Fields<'a>, Issues> {
        match v {
            Value::Object(obj) => {
                Ok(Fields { obj, loc: loc.iter().map(|s| s.to_string()).collect(), issues: Vec::new() })
            }
            other => Err(vec![Issue::new(
                "model_attributes_type",
                loc,
                "Input should be a valid dictionary or object to extract fields from",
                shown(other),
            )]),
        }
    }

    pub fn issue(&mut self, kind: &'static str, key: &[&str], msg: impl Into<String>, input: &Value) {
        let mut loc: Vec<&str> = self.loc.iter().map(String::as_str).collect();
        loc.extend_from_slice(key);
        self.issues.push(Issue::new(kind, &loc, msg, shown(input)));
    }

    /// The issue for the whole object (model validators).
    pub fn model_issue(&mut self, msg: impl Into<String>) {
        let loc: Vec<&str> = self.loc.iter().map(String::as_str).collect();
        let input = Value::Object(self.obj.clone());
        self.issues.push(Issue::new("value_error", &loc, msg, shown(&input)));
    }

    /// The value of `key`, `None` when absent or `null`.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    fn missing(&mut self, key: &str) {
        let input = Value::Object(self.obj.clone());
        self.issue("missing", &[key], "Field required", &input);
    }

    pub fn required(&mut self, key: &str) -> Option<&'a Value> {
        let v = self.get(key);
        if v.is_none() {
            self.missing(key);
        }
        v
    }

    fn check_str(&mut self, key: &str, v: &Value, min: usize, max: usize) -> Option<String> {
        let Value::String(s) = v else {
            self.issue("string_type", &[key], "Input should be a valid string", v);
            return None;
        };
        let n = s.chars().count();
        if n > max {
            self.issue("string_too_long", &[key], format!("String should have at most {max} characters"), v);
            None
        } else if n < min {
            let msg = format!("String should have at least {min} character{}", if min == 1 { "" } else { "s" });
            self.issue("string_too_short", &[key], msg, v);
            None
        } else {
            Some(s.clone())
        }
    }

    pub fn required_str(&mut self, key: &str, min: usize, max: usize) -> Option<String> {
        let v = self.required(key)?;
        self.check_str(key, v, min, max)
    }

    /// `Some(None)` when absent or null, `None` when invalid.
    pub fn optional_str(&mut self, key: &str, max: usize) -> Option<Option<String>> {
        match self.get(key) {
            None => Some(None),
            Some(v) => self.check_str(key, v, 0, max).map(Some),
        }
    }

    pub fn check_enum(&mut self, key: &[&str], v: &Value, allowed: &[&str]) -> Option<String> {
        match v {
            Value::String(s) if allowed.contains(&s.as_str()) => Some(s.clone()),
            _ => {
                let quoted: Vec<String> = allowed.iter().map(|a| format!("'{a}'")).collect();
                let (head, last) = quoted.split_at(quoted.len() - 1);
                let msg = format!("Input should be {} or {}", head.join(", "), last[0]);
                self.issue("enum", key, msg, v);
                None
            }
        }
    }

    pub fn required_enum(&mut self, key: &str, allowed: &[&str]) -> Option<String> {
        let v = self.required(key)?;
        self.check_enum(&[key], v, allowed)
    }

    fn check_uuid(&mut self, key: &str, v: &Value) -> Option<super::Id> {
        let parsed = v.as_str().and_then(super::Id::parse);
        if parsed.is_none() {
            let msg = "Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-]";
            self.issue("uuid_parsing", &[key], msg, v);
        }
        parsed
    }

    pub fn required_uuid(&mut self, key: &str) -> Option<super::Id> {
        let v = self.required(key)?;
        self.check_uuid(key, v)
    }

    pub fn optional_uuid(&mut self, key: &str) -> Option<Option<super::Id>> {
        match self.get(key) {
            None => Some(None),
            Some(v) => self.check_uuid(key, v).map(Some),
        }
    }

    pub fn optional_bool(&mut self, key: &str) -> Option<Option<bool>> {
        match self.get(key) {
            None => Some(None),
            Some(Value::Bool(b)) => Some(Some(*b)),
            Some(v) if v.as_i64() == Some(0) || v.as_i64() == Some(1) => Some(Some(v.as_i64() == Some(1))),
            Some(v) => {
                self.issue("bool_type", &[key], "Input should be a valid boolean", v);
                None
            }
        }
    }

    pub fn optional_int(&mut self, key: &str) -> Option<Option<i64>> {
        match self.get(key) {
            None => Some(None),
            Some(v) => match v {
                Value::Number(n) if n.is_i64() => n.as_i64().map(Some),
                Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0 && f.abs() < 9.2e18) => {
                    n.as_f64().map(|f| Some(f as i64))
                }
                Value::Number(_) => {
                    self.issue(
                        "int_from_float",
                        &[key],
                        "Input should be a valid integer, got a number with a fractional part",
                        v,
                    );
                    None
                }
                _ => {
                    self.issue("int_type", &[key], "Input should be a valid integer", v);
                    None
                }
            },
        }
    }

    /// A list of strings; `Some(None)` when absent or null.
    pub fn optional_str_list(&mut self, key: &str) -> Option<Option<Vec<String>>> {
        let Some(v) = self.get(key) else { return Some(None) };
        let Value::Array(items) = v else {
            self.issue("list_type", &[key], "Input should be a valid list", v);
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::String(s) => out.push(s.clone()),
                other => {
                    self.issue("string_type", &[key, &i.to_string()], "Input should be a valid string", other);
                    ok = false;
                }
            }
        }
        ok.then_some(Some(out))
    }

    /// A datetime (ISO text as Python's `datetime.fromisoformat` reads it),
    /// as microseconds; `Some(None)` when absent or null.
    pub fn optional_datetime(&mut self, key: &str) -> Option<Option<i64>> {
        let Some(v) = self.get(key) else { return Some(None) };
        match v.as_str().and_then(crate::pycompat::iso_datetime) {
            Some(micros) => Some(Some(micros)),
            None => {
                self.issue("datetime_from_date_parsing", &[key], "Input should be a valid datetime or date", v);
                None
            }
        }
    }

    pub fn required_datetime(&mut self, key: &str) -> Option<i64> {
        self.required(key)?;
        self.optional_datetime(key).flatten()
    }

    /// A JSON object; `Some(None)` when absent or null.
    pub fn optional_object(&mut self, key: &str) -> Option<Option<&'a Map<String, Value>>> {
        match self.get(key) {
            None => Some(None),
            Some(Value::Object(m)) => Some(Some(m)),
            Some(v) => {
                self.issue("dict_type", &[key], "Input should be a valid dictionary", v);
                None
            }
        }
    }

    /// `{name: [uuid, ...]}` (step inputs and outputs); empty when absent.
    pub fn uuid_lists(&mut self, key: &str) -> Option<Vec<(String, Vec<super::Id>)>> {
        let map = self.optional_object(key)?;
        let mut out = Vec::new();
        let mut ok = true;
        for (name, v) in map.into_iter().flatten() {
            let ids: Vec<&Value> = match v {
                Value::Array(items) => items.iter().collect(),
                // `Dict[str, UUID]` (loaded_artifact_versions) reads one id per name.
                Value::String(_) => vec![v],
                other => {
                    self.issue("list_type", &[key, name], "Input should be a valid list", other);
                    ok = false;
                    continue;
                }
            };
            let mut parsed = Vec::with_capacity(ids.len());
            for (i, id) in ids.into_iter().enumerate() {
                match id.as_str().and_then(super::Id::parse) {
                    Some(h) => parsed.push(h),
                    None => {
                        let msg = "Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-]";
                        self.issue("uuid_parsing", &[key, name, &i.to_string()], msg, id);
                        ok = false;
                    }
                }
            }
            out.push((name.clone(), parsed));
        }
        ok.then_some(out)
    }

    pub fn finish(self) -> Result<(), Issues> {
        if self.issues.is_empty() {
            Ok(())
        } else {
            Err(self.issues)
        }
    }

    pub fn take_issues(&mut self) -> Issues {
        std::mem::take(&mut self.issues)
    }
}

/// Why a request was refused before anything was written.
#[derive(Debug, Clone)]
pub enum Invalid {
    /// 422 shape A (schema validation).
    Schema(Issues),
    /// 422 shape B `ValueError` (a validator inside the handler).
    Value(String),
    /// 400 `ValueError` (a business rule).
    Rule(String),
}

impl From<Issues> for Invalid {
    fn from(i: Issues) -> Self {
        Invalid::Schema(i)
    }
}
