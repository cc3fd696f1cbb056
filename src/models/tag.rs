//! Tag responses and tag-name rules (`artifact-versions.md` §6.5).

use super::user::UserResponse;
use super::validate::Invalid;
use super::{Entity, Id, Ts};
use serde::Serialize;

pub const TAG_COLORS: &[&str] =
    &["grey", "purple", "red", "green", "yellow", "orange", "lime", "teal", "turquoise", "magenta", "blue"];

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TagBody {
    pub created: Ts,
    pub updated: Ts,
    pub user_id: Option<Id>,
    pub color: String,
    pub exclusive: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TagMetadata {
    pub tagged_count: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TagResources {
    #[schema(inline)]
    pub user: Option<UserResponse>,
}

pub type TagResponse = Entity<TagBody, TagMetadata, TagResources>;

/// A tag row as loaded by the database layer.
#[derive(Debug, Clone)]
pub struct Tag {
    pub id: Id,
    pub name: String,
    pub color: String,
    pub exclusive: bool,
    pub user_id: Option<Id>,
    pub created: Ts,
    pub updated: Ts,
}

impl Tag {
    /// The tag as nested in other resources: `metadata` and `resources` null.
    pub fn nested(&self) -> TagResponse {
        Entity::named(self.id, self.name.clone(), self.body(), None, None)
    }

    pub fn body(&self) -> TagBody {
        TagBody {
            created: self.created,
            updated: self.updated,
            user_id: self.user_id,
            color: self.color.clone(),
            exclusive: self.exclusive,
        }
    }
}

/// A tag reference in `tags` / `add_tags`: an existing tag's id, or a name
/// to get or create.
#[derive(Debug, Clone, PartialEq)]
pub enum TagRef {
    Id(Id),
    Name(String),
}

/// Classify and validate the tag strings of a request, dropping duplicates
/// while keeping the first occurrence's order.
pub fn parse_tag_refs(raw: &[String]) -> Result<Vec<TagRef>, Invalid> {
    let mut out: Vec<TagRef> = Vec::with_capacity(raw.len());
    for s in raw {
        let r = match Id::parse(s) {
            Some(id) if looks_like_uuid(s) => TagRef::Id(id),
            _ => {
                validate_tag_name(s)?;
                TagRef::Name(s.clone())
            }
        };
        if !out.contains(&r) {
            out.push(r);
        }
    }
    Ok(out)
}

/// Python's `UUID(s)` accepts hyphenated, simple, braced and urn forms.
fn looks_like_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok()
}

pub fn validate_tag_name(name: &str) -> Result<(), Invalid> {
    if name.is_empty() {
        return Err(Invalid::Rule(
            "The class `TagRequest` has no attribute `name` or it is set to `None`. Cannot validate the name.".into(),
        ));
    }
    let forbidden: Vec<String> = ['\t', '\n', '\r', '\x0b', '\x0c']
        .iter()
        .filter(|c| name.contains(**c))
        .map(|c| c.escape_default().to_string())
        .collect();
    if !forbidden.is_empty() {
        return Err(Invalid::Rule(format!(
            "The name `{name}` of the `Tag` contains the following forbidden characters: `{}`.",
            forbidden.join("")
        )));
    }
    if name.chars().count() > 255 {
        return Err(Invalid::Value(
            "1 validation error for TagRequest\nname\n  String should have at most 255 characters".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_refs_split_ids_from_names_and_collapse_duplicates() {
        let id = "2d1ed583-f197-4acc-b8d9-9c8374e862ac".to_string();
        let refs = parse_tag_refs(&["a".into(), id.clone(), "a".into()]).unwrap();
        assert_eq!(refs, vec![TagRef::Name("a".into()), TagRef::Id(Id::parse(&id).unwrap())]);
    }

    #[test]
    fn bad_tag_names_are_400_or_422() {
        assert!(matches!(validate_tag_name(""), Err(Invalid::Rule(_))));
        assert!(matches!(validate_tag_name("a\tb"), Err(Invalid::Rule(_))));
        assert!(matches!(validate_tag_name(&"x".repeat(256)), Err(Invalid::Value(_))));
        assert!(validate_tag_name(&"x".repeat(255)).is_ok());
    }
}
