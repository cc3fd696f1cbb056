//! `GET /projects`: the projects table as the query language sees it.

use crate::filter::spec::{col, sk, Param, ParamKind as K, ResourceSpec};

/// `GET /projects` (alias `p` = `projects`).
pub static PROJECTS: ResourceSpec = ResourceSpec {
    filter_name: "ProjectFilter",
    alias: "p",
    table: "projects",
    params: &[
        Param { name: "id", kind: K::Uuid(col("p.id", "project.id")) },
        Param { name: "created", kind: K::Datetime(col("p.created", "ProjectSchema.created")) },
        Param { name: "updated", kind: K::Datetime(col("p.updated", "ProjectSchema.updated")) },
        Param { name: "name", kind: K::Str(col("p.name", "ProjectSchema.name")) },
        Param { name: "display_name", kind: K::Str(col("p.display_name", "ProjectSchema.display_name")) },
    ],
    custom_order: &[],
    sorts: &[
        sk("id", "p.id"),
        sk("created", "p.created"),
        sk("updated", "p.updated"),
        sk("name", "p.name"),
        sk("display_name", "p.display_name"),
    ],
    no_sort: &[],
    narrowings: &[],
};
