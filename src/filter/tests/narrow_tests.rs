//! Property tests of the artifact + tag narrowing (`Narrowing`, declared by
//! `db::tables::artifact_versions`): every AND of an artifact and tags, with
//! or without one more random filter, selects exactly what the reference
//! semantics select, and exactly what the same description without its
//! narrowings (the general path) selects.

use proptest::prelude::*;

use super::prop_tests::{filter, load, rows, select, select_with, ARTIFACTS, TAGS};
use super::reference_eval::eval;
use crate::db::tables::ARTIFACT_VERSIONS;
use crate::filter::ResourceSpec;

/// The filters of an artifact (by name, `equals:` name, or id) AND some tags.
fn artifact_and_tags(artifact: usize, form: usize, tags: &[&str]) -> Vec<(String, String)> {
    let (name, id) = ARTIFACTS[artifact];
    let artifact_value = match form {
        0 => name.to_string(),
        1 => format!("equals:{name}"),
        _ => id.to_string(),
    };
    let mut filters = vec![("artifact".to_string(), artifact_value)];
    filters.extend(tags.iter().map(|t| ("tags".to_string(), t.to_string())));
    filters
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn artifact_and_tag_conjunctions_match_reference_semantics(
        rows in rows(),
        artifact in 0..ARTIFACTS.len(),
        artifact_form in 0..3usize,
        tags in proptest::sample::subsequence(TAGS, 1..3),
        extra in proptest::option::of(filter()),
    ) {
        let conn = load(&rows);
        let mut filters = artifact_and_tags(artifact, artifact_form, &tags);
        filters.extend(extra);
        let expected: Result<Vec<i64>, ()> = (|| {
            let mut out = Vec::new();
            for (i, r) in rows.iter().enumerate() {
                let all: Vec<bool> = filters.iter().map(|(p, v)| eval(r, p, v)).collect::<Result<_, _>>()?;
                if all.iter().all(|b| *b) {
                    out.push(i as i64 + 1);
                }
            }
            Ok(out)
        })();
        match (select(&conn, &filters), expected) {
            (Ok(mut got), Ok(want)) => {
                got.sort_unstable();
                prop_assert_eq!(got, want, "filters {:?}", filters);
            }
            (Err(super::super::FilterError::BadRequest(_)), Err(())) => {}
            (got, want) => prop_assert!(false, "filters {:?}: got {:?}, want {:?}", filters, got, want),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    /// The fast path (narrowed) against the general path (the same
    /// description, no narrowings): the same rows in the same order, or the
    /// same error.
    #[test]
    fn narrowed_conjunctions_select_what_the_unnarrowed_ones_select(
        rows in rows(),
        artifact in 0..ARTIFACTS.len(),
        artifact_form in 0..3usize,
        tags in proptest::sample::subsequence(TAGS, 1..3),
        extra in proptest::option::of(filter()),
        sort in proptest::sample::select(&["desc:created", "asc:created", "version", "desc:tags"][..]),
    ) {
        let conn = load(&rows);
        let unnarrowed = ResourceSpec { narrowings: &[], ..ARTIFACT_VERSIONS };
        let mut filters = artifact_and_tags(artifact, artifact_form, &tags);
        filters.extend(extra);
        filters.push(("sort_by".to_string(), sort.to_string()));
        let fast = select(&conn, &filters).map_err(|e| format!("{e:?}"));
        let general = select_with(&conn, &unnarrowed, &filters).map_err(|e| format!("{e:?}"));
        prop_assert_eq!(fast, general, "filters {:?}", filters);
    }
}

fn sql_of(params: &[(&str, &str)]) -> String {
    let params: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    super::super::parse(&crate::db::tables::ARTIFACT_VERSIONS, &params)
        .unwrap()
        .where_sql(&crate::db::tables::ARTIFACT_VERSIONS)
        .unwrap()
        .sql
}

/// The rewrite applies exactly to an AND with an artifact equality.
#[test]
fn only_an_artifact_equality_in_an_and_narrows_the_tags() {
    let narrowed = "f_l.artifact_pk IN";
    assert!(sql_of(&[("artifact", "alpha"), ("tags", "red")]).contains(narrowed));
    assert!(sql_of(&[("tags", "red"), ("artifact", "a1a1a1a1-0000-4000-8000-000000000001")]).contains(narrowed));
    assert!(sql_of(&[("artifact", "oneof:[\"alpha\",\"beta\"]"), ("tags", "red")]).contains(narrowed));
    assert!(!sql_of(&[("artifact", "contains:al"), ("tags", "red")]).contains(narrowed));
    assert!(!sql_of(&[("artifact", "alpha"), ("tags", "red"), ("logical_operator", "or")]).contains(narrowed));
    assert!(!sql_of(&[("tags", "red")]).contains(narrowed));
}
