//! JSON shapes of the API: typed responses (body / metadata / resources),
//! request bodies and their validation. Plain data: no SQL, no HTTP.

pub mod api_key;
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
pub mod service_account;
pub mod shared;
pub mod snapshot;
pub mod stack;
pub mod step;
pub mod step_parts;
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

/// A resource id: a UUID, stored as 32 lowercase hex characters (SQL
/// TEXT) and serialized hyphenated, as ZenML shows ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(pub uuid::Uuid);

impl Id {
    pub fn new_v4() -> Id {
        Id(uuid::Uuid::new_v4())
    }

    /// The nil id (`00000000-…`), for rows that have none.
    pub const fn nil() -> Id {
        Id(uuid::Uuid::nil())
    }

    /// Accepts every form `uuid` parses (hyphenated, simple, braced, urn, any case).
    pub fn parse(s: &str) -> Option<Id> {
        uuid::Uuid::parse_str(s.trim()).ok().map(Id)
    }

    /// The stored form: 32 lowercase hex characters.
    pub fn simple(&self) -> String {
        self.0.simple().to_string()
    }

    pub fn hyphenated(&self) -> String {
        self.0.hyphenated().to_string()
    }
}

impl std::fmt::Display for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = uuid::Uuid::encode_buffer();
        s.serialize_str(self.0.hyphenated().encode_lower(&mut buf))
    }
}

impl rusqlite::ToSql for Id {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::Owned(rusqlite::types::Value::Text(self.simple())))
    }
}

impl rusqlite::types::FromSql for Id {
    fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let bytes = v.as_bytes()?;
        uuid::Uuid::try_parse_ascii(bytes).map(Id).map_err(|e| rusqlite::types::FromSqlError::Other(Box::new(e)))
    }
}

/// The envelope every ZenML response object shares.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Entity<B, M, R> {
    pub body: B,
    pub metadata: Option<M>,
    pub resources: Option<R>,
    pub id: Id,
    pub permission_denied: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl<B, M, R> Entity<B, M, R> {
    pub fn named(id: Id, name: String, body: B, metadata: Option<M>, resources: Option<R>) -> Self {
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
            // Not `date-time`: RFC 3339 needs an offset, and ZenML's are naive.
            .pattern(Some(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?$"))
            .description(Some("naive UTC, e.g. 2026-11-28T09:54:24.864662"))
            .into()
    }
}
impl utoipa::ToSchema for Ts {}

impl utoipa::PartialSchema for Id {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::Custom("uuid".into())))
            .into()
    }
}
impl utoipa::ToSchema for Id {}

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
    fn ids_parse_every_uuid_form_store_simple_and_show_hyphenated() {
        let id = Id::parse("2D1ED583-F197-4ACC-B8D9-9C8374E862AC").unwrap();
        assert_eq!(id.simple(), "2d1ed583f1974accb8d99c8374e862ac");
        assert_eq!(id.hyphenated(), "2d1ed583-f197-4acc-b8d9-9c8374e862ac");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"2d1ed583-f197-4acc-b8d9-9c8374e862ac\"");
        assert_eq!(Id::parse("2d1ed583f1974accb8d99c8374e862ac"), Some(id));
        assert_eq!(Id::parse("not-a-uuid"), None);
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let stored: String = conn.query_row("SELECT ?1", [id], |r| r.get(0)).unwrap();
        assert_eq!(stored, "2d1ed583f1974accb8d99c8374e862ac");
        let back: Id = conn.query_row("SELECT ?1", [stored], |r| r.get(0)).unwrap();
        assert_eq!(back, id);
        assert!(conn.query_row("SELECT 'x'", [], |r| r.get::<_, Id>(0)).is_err());
    }
}
