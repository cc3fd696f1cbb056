//! JSON shapes of the API: typed responses (body / metadata / resources),
//! request bodies and their validation. Plain data: no SQL, no HTTP.

pub mod artifact;
pub mod artifact_version;
pub mod logs;
pub mod model;
pub mod model_version;
pub mod page;
pub mod pipeline;
pub mod project;
pub mod raw;
pub mod run;
pub mod run_metadata;
pub mod shared;
pub mod snapshot;
pub mod stack;
pub mod step;
pub mod tag;
pub mod text;
pub mod user;
pub mod validate;
pub mod version_request;

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

pub use page::Page;
pub use shared::Shared;

/// A timestamp in microseconds since the Unix epoch (UTC), as stored.
/// Serialized like Python's `datetime.isoformat()` of a naive UTC value:
/// `2026-11-28T09:54:24.864662` (no fraction when the microsecond is 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ts(pub i64);

impl Ts {
    /// The current time of this thread's clock, strictly increasing across
    /// calls (see [`crate::clock`]: a database's writes read its writer's).
    pub fn now() -> Ts {
        crate::clock::now()
    }

    pub fn iso(self) -> String {
        match text::iso_micros(self.0) {
            Some(s) => s.as_str().to_string(),
            None => self.iso_out_of_range(),
        }
    }

    /// Years Python's `datetime` cannot hold (never stored by trove itself).
    #[cold]
    fn iso_out_of_range(self) -> String {
        use chrono::{Datelike, Timelike};
        let Some(dt) = DateTime::<Utc>::from_timestamp_micros(self.0) else { return "1970-01-01T00:00:00".into() };
        let (date, micros) = (dt.date_naive(), dt.timestamp_subsec_micros());
        let mut s = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            date.year(),
            date.month(),
            date.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        );
        if micros != 0 {
            use std::fmt::Write;
            let _ = write!(s, ".{micros:06}");
        }
        s
    }
}

impl Serialize for Ts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match text::iso_micros(self.0) {
            Some(iso) => s.serialize_str(iso.as_str()),
            None => s.serialize_str(&self.iso_out_of_range()),
        }
    }
}

/// A UUID as stored (32 lowercase hex characters); serialized hyphenated.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Hex(pub String);

impl Hex {
    pub fn new_v4() -> Hex {
        Hex(uuid::Uuid::new_v4().simple().to_string())
    }

    pub fn from_uuid(u: uuid::Uuid) -> Hex {
        Hex(u.simple().to_string())
    }

    /// Accepts every form `uuid` parses (hyphenated, simple, braced, urn, any case).
    pub fn parse(s: &str) -> Option<Hex> {
        uuid::Uuid::parse_str(s.trim()).ok().map(Hex::from_uuid)
    }

    pub fn hyphenated(&self) -> String {
        text::hyphenate(&self.0).map_or_else(|| self.0.clone(), |h| h.as_str().to_string())
    }
}

impl Serialize for Hex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match text::hyphenate(&self.0) {
            Some(h) => s.serialize_str(h.as_str()),
            None => s.serialize_str(&self.0),
        }
    }
}

/// The envelope every ZenML response object shares.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Entity<B, M, R> {
    pub body: B,
    pub metadata: Option<M>,
    pub resources: Option<R>,
    pub id: Hex,
    pub permission_denied: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl<B, M, R> Entity<B, M, R> {
    pub fn named(id: Hex, name: String, body: B, metadata: Option<M>, resources: Option<R>) -> Self {
        Entity { body, metadata, resources, id, permission_denied: false, name: Some(name) }
    }

    /// The object as nested in another resource: `metadata` and `resources` null.
    pub fn into_body_only(self) -> Self {
        Entity { metadata: None, resources: None, ..self }
    }
}

/// `metadata`/`resources` slot that is always `null`.
pub type Nothing = Empty;

/// The (never present) content of a [`Nothing`] slot.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Empty {}

impl utoipa::PartialSchema for Ts {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::DateTime)))
            .description(Some("naive UTC, e.g. 2026-11-28T09:54:24.864662"))
            .into()
    }
}
impl utoipa::ToSchema for Ts {}

impl utoipa::PartialSchema for Hex {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::Custom("uuid".into())))
            .into()
    }
}
impl utoipa::ToSchema for Hex {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_look_like_python_isoformat() {
        assert_eq!(Ts(1_795_858_975_778_143).iso(), "2026-11-28T09:42:55.778143");
        assert_eq!(Ts(1_795_858_975_000_000).iso(), "2026-11-28T09:42:55");
        assert_eq!(Ts(1_795_858_975_000_001).iso(), "2026-11-28T09:42:55.000001");
    }

    #[test]
    fn now_is_strictly_increasing() {
        let a = Ts::now();
        let b = Ts::now();
        assert!(b > a);
    }

    #[test]
    fn hex_round_trips_every_uuid_form() {
        let h = Hex::parse("2D1ED583-F197-4ACC-B8D9-9C8374E862AC").unwrap();
        assert_eq!(h.0, "2d1ed583f1974accb8d99c8374e862ac");
        assert_eq!(h.hyphenated(), "2d1ed583-f197-4acc-b8d9-9c8374e862ac");
        assert_eq!(Hex::parse("2d1ed583f1974accb8d99c8374e862ac"), Some(h));
        assert_eq!(Hex::parse("not-a-uuid"), None);
    }
}
