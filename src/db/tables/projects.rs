//! `GET /projects`: the projects table as the query language sees it.

use crate::filter::spec::{col, sk, Param, ParamKind as K, ResourceSpec};

/// `GET /projects` (alias `p` = `projects`).
pub static PROJECTS: ResourceSpec = table! {
    filter_name: "ProjectFilter",
    alias: "p",
    table: "projects",
    py: ("project", "ProjectSchema"),
    params: &[
        Param { name: "name", kind: K::Str(col("p.name", "ProjectSchema.name")) },
        Param { name: "display_name", kind: K::Str(col("p.display_name", "ProjectSchema.display_name")) },
    ],
    custom_order: &[],
    sorts: &[
        sk("name", "p.name"),
        sk("display_name", "p.display_name"),
    ],
    no_sort: &[],
    narrowings: &[],
};
