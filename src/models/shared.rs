//! [`Shared`]: a nested object that many items of one response repeat.

use serde::{Serialize, Serializer};
use serde_json::value::RawValue;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

/// A nested object that many items of one response share: the user of every
/// version on a page, the tags they have in common. It is serialized once,
/// and its JSON text is copied for every further item. (A page of 20
/// versions by one user repeats that user 20 times; see bench/README.md,
/// "Response serialization".)
#[derive(Debug)]
pub struct Shared<T>(Arc<Inner<T>>);

#[derive(Debug)]
struct Inner<T> {
    value: T,
    json: OnceLock<Option<Box<RawValue>>>,
}

impl<T> Shared<T> {
    pub fn new(value: T) -> Self {
        Shared(Arc::new(Inner { value, json: OnceLock::new() }))
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0.value
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if Arc::strong_count(&self.0) == 1 {
            // Written once: no copy to keep.
            return self.0.value.serialize(s);
        }
        match self.0.json.get_or_init(|| serde_json::value::to_raw_value(&self.0.value).ok()) {
            Some(json) => json.serialize(s),
            None => self.0.value.serialize(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// Counts how often it is serialized.
    struct Counted<'a>(&'a Cell<u32>, &'a str);

    impl Serialize for Counted<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            self.0.set(self.0.get() + 1);
            let mut m = serde_json::Map::new();
            m.insert("name".into(), self.1.into());
            m.serialize(s)
        }
    }

    #[test]
    fn a_shared_value_is_serialized_once_and_written_everywhere() {
        let count = Cell::new(0);
        let shared = Shared::new(Counted(&count, "a \"quoted\" name"));
        let page = vec![shared.clone(), shared.clone(), shared];
        let json = serde_json::to_string(&page).unwrap();
        assert_eq!(json, r#"[{"name":"a \"quoted\" name"},{"name":"a \"quoted\" name"},{"name":"a \"quoted\" name"}]"#);
        assert_eq!(count.get(), 1);
        // serde_json's Value serializer reads the copied text back.
        assert_eq!(serde_json::to_value(&page).unwrap()[2]["name"], "a \"quoted\" name");
    }

    #[test]
    fn a_value_used_once_is_serialized_directly() {
        let count = Cell::new(0);
        let json = serde_json::to_string(&Shared::new(Counted(&count, "x"))).unwrap();
        assert_eq!(json, r#"{"name":"x"}"#);
        assert_eq!(count.get(), 1);
    }
}
