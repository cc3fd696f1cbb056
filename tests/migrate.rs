//! `trove migrate` into a REAL ZenML 0.98 server (started by
//! `tests/migrate/start_zenml.sh`, which builds its virtualenv when needed):
//! a dry run creates nothing, a run stopped by `--limit` resumes, the target
//! then lists the same versions (compared field by field), and a rerun
//! creates nothing.
//!
//! `SKIP_MIGRATE_TEST=1` skips it in fast local loops (CI never sets it).

#[path = "common/process.rs"]
mod process;
#[path = "migrate/support.rs"]
mod support;

use process::Server;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};
use support::{text, Api, Zenml};

const TROVE_PASSWORD: &str = "migrate-admin-123";
const ZENML_PASSWORD: &str = "admin-pass-123";

/// `trove migrate … ARGS` on `data_dir`; its stdout (the command must succeed).
fn migrate(data_dir: &std::path::Path, zenml: &Zenml, args: &[&str]) -> String {
    let out = Command::new(process::BIN)
        .args(["migrate", "--to", &zenml.url(), "--username", "admin"])
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env("TROVE_MIGRATE_PASSWORD", ZENML_PASSWORD)
        .output()
        .expect("run trove migrate");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "trove migrate {args:?} failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

/// The summary line of `label`, e.g. `artifact versions: 3 created, 1 already there`.
fn line<'a>(report: &'a str, label: &str) -> &'a str {
    let prefix = format!("{label}: ");
    report.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("no `{label}` line in:\n{report}"))
}

const MATERIALIZER: &str = "zenml.materializers.built_in_materializer.BuiltInMaterializer";

/// The `model` artifact's version `v`, also created on the target beforehand.
fn model_version_body(project: &str, version: Value) -> Value {
    json!({
        "project": project, "artifact_name": "model", "version": version, "type": "ModelArtifact",
        "uri": format!("s3://bucket/model/{}", version.to_string().trim_matches('"')), "save_type": "step_output",
        "materializer": MATERIALIZER,
        "data_type": {"module": "sklearn.tree", "attribute": "DecisionTreeClassifier", "type": "distribution_package", "package_name": "scikit-learn"},
        "content_hash": format!("hash-{}", version.to_string().trim_matches('"')), "tags": ["nightly"],
    })
}

/// 11 versions in 2 projects (auto and explicit numbers, tags, metadata,
/// visualizations, later run metadata), a model with 2 versions, a pipeline.
fn seed(trove: &Api) {
    let default = trove.project_id("default");
    let team = trove.post("/projects", json!({"name": "team-b", "display_name": "Team B", "description": "second"}));
    let store = trove.get("/components?type=artifact_store")["items"][0]["id"].clone();
    let mut first = String::new();
    for i in 1..=5 {
        let v = trove.post(
            "/artifact_versions",
            json!({
                "project": default, "artifact_name": "data", "type": "DataArtifact", "uri": format!("/data/{i}"),
                "save_type": "manual", "materializer": MATERIALIZER, "artifact_store_id": store,
                "data_type": {"module": "pandas.core.frame", "attribute": "DataFrame", "type": "distribution_package"},
                "tags": ["nightly", format!("batch-{}", i % 2)], "item_count": i * 100,
                "metadata": {"rows": i * 10, "source": "s3", "score": 0.5 + i as f64, "ok": i % 2 == 0,
                             "cols": ["a", "b"], "cfg": {"k": i}},
                "visualizations": if i < 3 { json!([{"type": "markdown", "uri": format!("/vis/{i}.md")},
                                                   {"type": "html", "uri": format!("/vis/{i}.html")}]) } else { json!(null) },
            }),
        );
        if i == 1 {
            first = text(&v["id"]);
        }
    }
    let mut newest = String::new();
    for version in [json!("007"), json!("v1"), json!(10), json!(null)] {
        newest = text(&trove.post("/artifact_versions", model_version_body(&default, version))["id"]);
    }
    for _ in 0..2 {
        let body = json!({"project": team["id"], "artifact_name": "data", "type": "DataArtifact", "uri": "/team/data",
                          "save_type": "preexisting", "materializer": MATERIALIZER,
                          "data_type": {"module": "builtins", "attribute": "str", "type": "builtin"}});
        trove.post("/artifact_versions", body);
    }
    // Later entries: the newest value of a key wins, objects are merged.
    trove.post(
        "/run-metadata",
        json!({"project": default, "resources": [{"id": first, "type": "artifact_version"}],
               "values": {"rows": 999, "cfg": {"extra": true}}, "types": {"rows": "int", "cfg": "dict"}}),
    );
    let model = trove.post(
        "/models",
        json!({"project": default, "name": "clf", "license": "MIT", "description": "a classifier", "tags": ["nightly"]}),
    );
    let mv = trove.post(
        "/model_versions",
        json!({"project": default, "model": model["id"], "name": "first", "stage": "staging"}),
    );
    for (values, types) in [
        (json!({"accuracy": 0.91, "dataset": "s3://bucket/d"}), json!({"accuracy": "float", "dataset": "Uri"})),
        (json!({"accuracy": 0.95}), json!({"accuracy": "float"})),
    ] {
        let resources = json!([{"id": mv["id"], "type": "model_version"}]);
        trove.post(
            "/run-metadata",
            json!({"project": default, "resources": resources, "values": values, "types": types}),
        );
    }
    for id in [&first, &newest] {
        trove.post("/model_version_artifacts", json!({"model_version": mv["id"], "artifact_version": id}));
    }
    // Deleted: trove's versions are numbered 1 and 3, ZenML numbers them 1 and 2.
    let gone = trove.post("/model_versions", json!({"project": default, "model": model["id"], "name": "gone"}));
    trove.post(
        "/model_versions",
        json!({"project": default, "model": model["id"], "name": "second", "description": "d"}),
    );
    trove.delete(&format!("/model_versions/{}", text(&gone["id"])));
    trove
        .post("/pipelines", json!({"project": default, "name": "train", "description": "trains", "tags": ["batch-0"]}));
}

/// Tags on the `data` artifact (`nightly` and the exclusive `gold`), and
/// `gold` on version `10` of `model`:
/// trove's API sets neither (no tag create or artifact update), so straight
/// into the database (WAL: beside the running server).
fn exclusive_and_artifact_tags(db: &std::path::Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn.execute_batch(
        "INSERT INTO tags (id, name, color, exclusive, created, updated)
             VALUES ('0badc0de0badc0de0badc0de0badc0de', 'gold', 'yellow', 1, 0, 0);
         INSERT INTO artifact_tags SELECT a.pk, t.pk FROM artifacts a JOIN projects p ON p.pk = a.project_pk, tags t
             WHERE p.name = 'default' AND a.name = 'data' AND t.name IN ('gold', 'nightly');
         INSERT INTO artifact_version_tags (version_pk, tag_pk, artifact_pk, created)
             SELECT v.pk, t.pk, v.artifact_pk, v.created FROM artifact_versions v JOIN artifacts a ON a.pk = v.artifact_pk, tags t
             WHERE a.name = 'model' AND v.version = '10' AND t.name = 'gold';",
    )
    .unwrap();
}

/// What a migrated version must keep, from a hydrated version response.
fn kept(v: &Value) -> Value {
    let b = &v["body"];
    let mut tags: Vec<Value> = v["resources"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| json!([t["name"], t["body"]["color"], t["body"]["exclusive"]]))
        .collect();
    tags.sort_by_key(|t| t.to_string());
    let vis: Vec<Value> = v["metadata"]["visualizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| json!([x["body"]["type"], x["body"]["uri"]]))
        .collect();
    json!({
        "uri": b["uri"], "type": b["type"], "materializer": b["materializer"], "data_type": b["data_type"],
        "save_type": b["save_type"], "content_hash": b["content_hash"], "item_count": b["item_count"],
        "has_artifact_store": !b["artifact_store_id"].is_null(), "tags": tags,
        "run_metadata": v["metadata"]["run_metadata"], "visualizations": vis,
    })
}

/// The newest version (by `created`) of each artifact of a project.
fn latest(api: &Api, project: &str) -> BTreeMap<String, String> {
    let id = api.project_id(project);
    let page = api.get(&format!("/artifact_versions?project={id}&sort_by=desc:created&size=1000"));
    let mut out = BTreeMap::new();
    for v in page["items"].as_array().unwrap() {
        out.entry(text(&v["body"]["artifact"]["name"])).or_insert_with(|| text(&v["body"]["version"]));
    }
    out
}

#[test]
fn migrate_into_a_real_zenml_server() {
    if std::env::var("SKIP_MIGRATE_TEST").is_ok_and(|v| v == "1") {
        let _ = writeln!(std::io::stderr(), "migrate_into_a_real_zenml_server: SKIPPED (SKIP_MIGRATE_TEST=1)");
        return;
    }
    let started = Instant::now();
    let zenml = Zenml::start();
    let _ = writeln!(std::io::stderr(), "ZenML 0.98 up at {} in {:.1} s", zenml.url(), started.elapsed().as_secs_f64());
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), &[("TROVE_ADMIN_PASSWORD", TROVE_PASSWORD)]);
    let trove = Api::login(&format!("http://127.0.0.1:{}", server.port), TROVE_PASSWORD);
    let target = Api::login(&zenml.url(), ZENML_PASSWORD);
    seed(&trove);
    exclusive_and_artifact_tags(&dir.path().join("trove.db"));
    // Part of the data is on the target already: looked up by name, not created again.
    let nightly = &trove.get("/tags?name=nightly")["items"][0];
    target.post("/tags", json!({"name": "nightly", "color": nightly["body"]["color"]}));
    target.post("/artifact_versions", model_version_body(&target.project_id("default"), json!("v1")));

    // The migration reads a snapshot: trove keeps serving meanwhile.
    let dry = migrate(dir.path(), &zenml, &["--dry-run"]);
    assert_eq!(line(&dry, "projects"), "projects: 1 to create, 1 already there", "{dry}");
    assert_eq!(line(&dry, "tags"), "tags: 3 to create, 1 already there", "{dry}");
    assert_eq!(line(&dry, "artifacts"), "artifacts: 2 to create, 1 already there", "{dry}");
    assert_eq!(line(&dry, "artifact versions"), "artifact versions: 10 to create, 1 already there", "{dry}");
    assert_eq!(line(&dry, "models"), "models: 1 to create, 0 already there", "{dry}");
    assert_eq!(line(&dry, "model versions"), "model versions: 2 to create, 0 already there", "{dry}");
    assert_eq!(line(&dry, "model version metadata keys"), "model version metadata keys: 2 to create, 0 already there");
    assert_eq!(
        line(&dry, "model version artifact links"),
        "model version artifact links: 2 to create, 0 already there"
    );
    assert_eq!(line(&dry, "pipelines"), "pipelines: 1 to create, 0 already there", "{dry}");
    assert!(line(&dry, "users").contains("skipped (not migrated"), "{dry}");
    assert!(dry.contains("dry run: nothing was created"), "{dry}");
    assert_eq!(target.versions("default").len(), 1, "the dry run created versions");
    assert!(target.get("/projects?name=team-b")["items"].as_array().unwrap().is_empty());

    // Interrupted: 1 project + 3 tags + 2 artifacts, then 1 version.
    let cut = migrate(dir.path(), &zenml, &["--limit", "7"]);
    assert!(cut.contains("stopped after 7 creates"), "{cut}");
    let first_cut = cut.clone();
    assert_eq!(line(&cut, "artifact versions"), "artifact versions: 1 created, 1 already there", "{cut}");
    assert_eq!(target.versions("default").len(), 2);
    // Interrupted again: the other 9 versions (one batch), the model, one
    // model version, before that version's metadata.
    let cut = migrate(dir.path(), &zenml, &["--limit", "11"]);
    assert!(cut.contains("stopped after 11 creates"), "{cut}");
    assert_eq!(line(&cut, "artifact versions"), "artifact versions: 9 created, 2 already there", "{cut}");
    assert_eq!(line(&cut, "models"), "models: 1 created, 0 already there", "{cut}");
    assert_eq!(line(&cut, "model versions"), "model versions: 1 created, 0 already there", "{cut}");
    assert_eq!(line(&cut, "model version metadata keys"), "model version metadata keys: 0 created, 0 already there");

    let full = migrate(dir.path(), &zenml, &[]);
    assert_eq!(line(&full, "projects"), "projects: 0 created, 2 already there", "{full}");
    assert_eq!(line(&full, "tags"), "tags: 0 created, 4 already there", "{full}");
    assert_eq!(line(&full, "artifacts"), "artifacts: 0 created, 3 already there", "{full}");
    assert_eq!(line(&full, "artifact versions"), "artifact versions: 0 created, 11 already there", "{full}");
    assert_eq!(line(&full, "models"), "models: 0 created, 1 already there", "{full}");
    assert_eq!(line(&full, "model versions"), "model versions: 1 created, 1 already there", "{full}");
    assert_eq!(line(&full, "pipelines"), "pipelines: 1 created, 0 already there", "{full}");
    assert_eq!(line(&full, "model version metadata keys"), "model version metadata keys: 2 created, 0 already there");
    assert_eq!(line(&full, "model version artifact links"), "model version artifact links: 2 created, 0 already there");
    assert!(full.contains("note: model version clf/second has number 2 on the target (trove: 3)"), "{full}");
    assert!(!full.contains("clf/first"), "{full}");

    // The target lists the same versions, field by field.
    for project in ["default", "team-b"] {
        let (ours, theirs) = (trove.versions(project), target.versions(project));
        assert_eq!(ours.keys().collect::<Vec<_>>(), theirs.keys().collect::<Vec<_>>(), "versions of {project}");
        for (key, v) in &ours {
            assert_eq!(kept(v), kept(&theirs[key]), "{project} {key:?}");
        }
        assert_eq!(latest(&trove, project), latest(&target, project), "newest version per artifact in {project}");
    }
    let data_1 = &target.versions("default")[&("data".to_string(), "1".to_string())];
    assert_eq!(data_1["metadata"]["run_metadata"]["rows"], json!(999), "the newest value of a key");
    assert_eq!(data_1["metadata"]["run_metadata"]["cfg"], json!({"k": 1, "extra": true}), "merged objects");
    let gold = &target.get("/tags?name=gold")["items"][0];
    assert_eq!((&gold["body"]["color"], &gold["body"]["exclusive"]), (&json!("yellow"), &json!(true)));
    let data = target.get(&format!("/artifacts/{}", text(&data_1["body"]["artifact"]["id"])));
    let artifact_tags: Vec<&Value> = data["resources"]["tags"].as_array().unwrap().iter().map(|t| &t["name"]).collect();
    assert_eq!(artifact_tags, vec![&json!("nightly")], "the artifact's own tags, but the exclusive one");
    assert!(first_cut.contains("note: the exclusive tag gold is not attached to the artifact data"), "{first_cut}");
    let team = target.get("/projects/team-b");
    assert_eq!((&team["body"]["display_name"], &team["metadata"]["description"]), (&json!("Team B"), &json!("second")));
    let models = target.get(&format!("/models?project={}&hydrate=true", target.project_id("default")));
    let clf = &models["items"][0];
    assert_eq!((&clf["name"], &clf["metadata"]["license"]), (&json!("clf"), &json!("MIT")));
    let versions = target.get(&format!("/models/{}/model_versions?sort_by=number", clf["id"].as_str().unwrap()));
    let shown: Vec<Value> = versions["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| json!([v["name"], v["body"]["number"], v["body"]["stage"]]))
        .collect();
    assert_eq!(shown, vec![json!(["first", 1, "staging"]), json!(["second", 2, null])]);
    let first_id = text(&versions["items"][0]["id"]);
    let first = target.get(&format!("/model_versions/{first_id}"));
    assert_eq!(first["metadata"]["run_metadata"], json!({"accuracy": 0.95, "dataset": "s3://bucket/d"}));
    let links = target.get(&format!("/model_version_artifacts?model_version_id={first_id}"));
    let mut linked: Vec<Value> = links["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            json!([
                l["body"]["artifact_version"]["body"]["artifact"]["name"],
                l["body"]["artifact_version"]["body"]["version"]
            ])
        })
        .collect();
    linked.sort_by_key(|l| l.to_string());
    assert_eq!(linked, vec![json!(["data", "1"]), json!(["model", "11"])]);
    let pipelines = target.get(&format!("/pipelines?project={}", target.project_id("default")));
    assert_eq!(pipelines["items"][0]["name"], json!("train"));

    let again = migrate(dir.path(), &zenml, &[]);
    assert!(again.contains("nothing to create"), "{again}");
    assert_eq!(line(&again, "artifact versions"), "artifact versions: 0 created, 11 already there", "{again}");
    assert_eq!(line(&again, "model version metadata keys"), "model version metadata keys: 0 created, 2 already there");
    assert_eq!(
        line(&again, "model version artifact links"),
        "model version artifact links: 0 created, 2 already there"
    );
    assert_eq!(target.versions("default").len(), 9);
    drop(server);
    let _ = writeln!(std::io::stderr(), "migrate test done in {:.1} s", started.elapsed().as_secs_f64());
}

/// Refusals that need no ZenML server: exit status 1 and a message naming
/// the problem, nothing read or sent beyond it.
#[test]
fn migrate_refuses_a_missing_database_and_an_unreachable_server() {
    let dir = tempfile::tempdir().unwrap();
    let run = |data_dir: &std::path::Path, to: &str| {
        let out = Command::new(process::BIN)
            .args(["migrate", "--to", to, "--username", "admin", "--password", "x", "--data-dir"])
            .arg(data_dir)
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).to_string())
    };
    let (code, err) = run(&dir.path().join("nothing-here"), "http://127.0.0.1:9");
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("there is no database at"), "{err}");

    let mut server = Server::start_with(dir.path(), &[("TROVE_ADMIN_PASSWORD", TROVE_PASSWORD)]);
    // A closed port: the login fails, named with the server's address.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (code, err) = run(dir.path(), &format!("http://127.0.0.1:{closed}"));
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains(&format!("http://127.0.0.1:{closed}: POST /login")), "{err}");
    // A wrong password on a server that answers (trove's own login): its 401.
    let (code, err) = run(dir.path(), &format!("http://127.0.0.1:{}", server.port));
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("POST /login: HTTP 401"), "{err}");
    server.stop();
}
