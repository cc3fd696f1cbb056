//! `trove export` / `trove import` with the real binary: a server seeded
//! over HTTP (versions with tags, metadata and visualizations, a pipeline
//! run with steps, logs and metadata, a model with versions and links) is
//! exported, imported into an empty data folder, and the list endpoints of
//! a server started there answer exactly what the first one did; a second
//! import changes nothing; a bad line rolls everything back naming it; the
//! password hashes come along only on request.

#[path = "common/process.rs"]
mod process;
#[path = "export/seed.rs"]
mod seed;

use process::{trove, Server};
use seed::{lists, seed, Api};
use serde_json::{json, Value};
use std::path::Path;

const PASSWORD: &str = "export-password-123";

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    actix_web::rt::System::new().block_on(f)
}

/// A command that succeeded quietly (no progress bar off a terminal); its stdout.
fn ok(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "wrote to stderr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn failed(out: &std::process::Output) -> String {
    assert!(!out.status.success(), "succeeded: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A seeded, stopped server's data folder; what its lists answered.
fn seeded(dir: &Path) -> Vec<(String, Value)> {
    let mut server = Server::start_with(dir, &[("TROVE_ADMIN_PASSWORD", PASSWORD)]);
    let port = server.port;
    let before = block_on(async move {
        let api = Api::login(port, PASSWORD).await;
        seed(&api).await;
        lists(&api).await
    });
    server.stop();
    before
}

/// Count the rows of every table of a stopped server's database.
fn row_counts(db: &Path) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name <> 'server_settings' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|t| (t.clone(), conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap()))
        .collect()
}

#[test]
fn export_then_import_into_an_empty_data_folder_answers_the_same_lists() {
    let tmp = tempfile::tempdir().unwrap();
    let (source, target) = (tmp.path().join("source"), tmp.path().join("target"));
    let before = seeded(&source);
    let file = tmp.path().join("export.jsonl");
    let said = ok(&trove(&source, &["export", file.to_str().unwrap(), "--with-password-hashes"]));
    assert!(said.contains("exported") && said.contains("with password hashes"), "{said}");
    #[cfg(unix)]
    assert_eq!(process::mode(&file), 0o600);
    let text = std::fs::read_to_string(&file).unwrap();
    let header: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(
        (&header["format"], &header["version"], &header["password_hashes"]),
        (&json!("trove-export"), &json!(1), &json!(true))
    );
    let kinds: std::collections::BTreeSet<String> = text
        .lines()
        .skip(1)
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["kind"].as_str().unwrap().to_string())
        .collect();
    for kind in [
        "artifact_version_tag",
        "artifact_version_metadata",
        "visualization",
        "step_parent",
        "step_artifact",
        "log",
        "run_step_metadata",
        "model_version_run",
        "model_version_metadata",
        "end",
    ] {
        assert!(kinds.contains(kind), "no {kind} record in the export: {kinds:?}");
    }

    let said = ok(&trove(&target, &["import", file.to_str().unwrap()]));
    assert!(said.contains("imported") && said.contains(" 0 already there"), "{said}");
    let counts = row_counts(&target.join("trove.db"));
    assert_eq!(counts, row_counts(&source.join("trove.db")), "every table holds as many rows");
    // Columns the file leaves out are taken from the configuration again.
    let snapshot_keys = |db: &Path| -> Vec<(Option<String>, Option<String>)> {
        let conn = rusqlite::Connection::open(db).unwrap();
        let mut stmt = conn.prepare("SELECT execution_mode, substitutions FROM snapshots ORDER BY id").unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
    };
    let keys = snapshot_keys(&source.join("trove.db"));
    assert!(keys.iter().any(|k| k.0.is_some()), "the seed has an execution mode: {keys:?}");
    assert_eq!(snapshot_keys(&target.join("trove.db")), keys);
    // So are the parts of a step configuration that SQLite takes out itself.
    let step_parts = |db: &Path| -> Vec<(Option<String>, Option<String>)> {
        let conn = rusqlite::Connection::open(db).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT c.spec, c.step_config FROM snapshot_steps c JOIN snapshots s ON s.pk = c.snapshot_pk
                 ORDER BY s.id, c.name",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
    };
    let parts = step_parts(&source.join("trove.db"));
    assert!(parts.iter().any(|p| p.0.is_some() && p.1.is_some()), "the seed configures its steps: {parts:?}");
    assert_eq!(step_parts(&target.join("trove.db")), parts);
    let mut server = Server::start(&target);
    let port = server.port;
    let after = block_on(async move { lists(&Api::login(port, PASSWORD).await).await });
    server.stop();
    assert_eq!(before.len(), after.len());
    for ((list, a), (_, b)) in before.iter().zip(&after) {
        assert_eq!(a, b, "{list} differs after export and import");
    }

    // A second import adds nothing and changes nothing.
    let said = ok(&trove(&target, &["import", file.to_str().unwrap()]));
    assert!(said.contains(" 0 added"), "{said}");
    assert_eq!(row_counts(&target.join("trove.db")), counts);
    let mut server = Server::start(&target);
    let port = server.port;
    let again = block_on(async move { lists(&Api::login(port, PASSWORD).await).await });
    server.stop();
    assert_eq!(again, after);
}

/// Each bad file is refused with the number of its bad line and a non-zero
/// exit, and leaves the database as it was (one transaction), whether the
/// import would have created it or added to it.
#[test]
fn a_bad_line_rolls_the_whole_import_back_and_names_it() {
    let tmp = tempfile::tempdir().unwrap();
    let source = tmp.path().join("source");
    seeded(&source);
    let file = tmp.path().join("export.jsonl");
    ok(&trove(&source, &["export", file.to_str().unwrap()]));
    let lines: Vec<String> = std::fs::read_to_string(&file).unwrap().lines().map(String::from).collect();
    let first = |kind: &str| lines.iter().position(|l| l.starts_with(&format!("{{\"kind\":\"{kind}\""))).unwrap();
    let (artifact, version) = (first("artifact"), first("artifact_version"));
    let artifact_id = serde_json::from_str::<Value>(&lines[artifact]).unwrap()["id"].as_str().unwrap().to_string();
    // The first version of the removed artifact, one line up once it is gone.
    let orphan =
        lines.iter().position(|l| l.contains("\"kind\":\"artifact_version\"") && l.contains(&artifact_id)).unwrap();
    let mut newer: Value = serde_json::from_str(&lines[0]).unwrap();
    newer["version"] = json!(2);
    type Edit = Box<dyn Fn(&mut Vec<String>)>;
    let cases: Vec<(&str, Edit, String)> = vec![
        (
            "bad JSON",
            Box::new(move |l| l[version + 1] = "{\"kind\": \"tag\",".into()),
            format!("line {}: not a JSON object", version + 2),
        ),
        (
            "an unknown kind",
            Box::new(|l| l.insert(3, r#"{"kind":"widget","id":"x"}"#.into())),
            "line 4: unknown kind `widget`".into(),
        ),
        (
            "an unknown field",
            Box::new(move |l| l[version] = l[version].replacen("{", "{\"colour\":1,", 1)),
            format!("line {}: artifact_version has no field `colour`", version + 1),
        ),
        (
            "a newer format version",
            Box::new(move |l| l[0] = newer.to_string()),
            "line 1: format version 2 is newer".into(),
        ),
        (
            "a missing referenced row",
            Box::new(move |l| drop(l.remove(artifact))),
            format!("line {orphan}: artifact_version.artifact refers to {artifact_id}"),
        ),
        ("no end line", Box::new(|l| drop(l.pop())), "without its `end` line".into()),
        ("a line left out", Box::new(|l| drop(l.remove(l.len() - 2))), "the `end` line counts".into()),
        ("not an export", Box::new(|l| l[0] = "hello".into()), "line 1: not a trove export".into()),
    ];
    // A database holding one account, to which nothing may be added.
    let existing = tmp.path().join("existing");
    ok(&trove(&existing, &["user", "add", "bob", "--password", "bob-password-1"]));
    let rows = row_counts(&existing.join("trove.db"));
    for (what, edit, expected) in cases {
        let mut edited = lines.clone();
        edit(&mut edited);
        let bad = tmp.path().join("bad.jsonl");
        std::fs::write(&bad, edited.join("\n") + "\n").unwrap();
        let fresh = tmp.path().join("fresh");
        let err = failed(&trove(&fresh, &["import", bad.to_str().unwrap()]));
        assert!(err.contains(&expected) && err.contains("nothing was imported"), "{what}: {err}");
        assert!(!fresh.join("trove.db").exists(), "{what}: a failed import left the database it created");
        let err = failed(&trove(&existing, &["import", bad.to_str().unwrap()]));
        assert!(err.contains(&expected), "{what}: {err}");
        assert_eq!(row_counts(&existing.join("trove.db")), rows, "{what}: the failed import changed the database");
    }
    // The whole file adds to it; a bootstrapped server's own `default`
    // project (another id) is a clear conflict.
    let said = ok(&trove(&existing, &["import", file.to_str().unwrap()]));
    assert!(said.contains(" 0 already there"), "{said}");
    let served = tmp.path().join("served");
    Server::start_with(&served, &[("TROVE_ADMIN_PASSWORD", PASSWORD)]).stop();
    let err = failed(&trove(&served, &["import", file.to_str().unwrap()]));
    assert!(err.contains("UNIQUE") && err.contains("another id"), "{err}");
}

/// Password hashes are exported only with `--with-password-hashes`: without
/// them the accounts cannot log in until `trove user passwd`; with them the
/// old password works. Tokens are not carried (the new folder has its own
/// secret), and an import is refused while a server runs on the folder.
#[test]
fn password_hashes_come_along_only_on_request() {
    let tmp = tempfile::tempdir().unwrap();
    let source = tmp.path().join("source");
    seeded(&source);
    let mut server = Server::start(&source);
    let port = server.port;
    let token = block_on(async move { Api::login(port, PASSWORD).await.token });
    let key = create_api_key(port, &token);
    assert_eq!(api_key_login(port, &key), 200);
    // Exports read beside a running server.
    let (plain, hashed) = (tmp.path().join("plain.jsonl"), tmp.path().join("hashed.jsonl"));
    ok(&trove(&source, &["export", plain.to_str().unwrap()]));
    ok(&trove(&source, &["export", hashed.to_str().unwrap(), "--with-password-hashes"]));
    server.stop();
    let users = |file: &Path| -> Vec<Value> {
        let text = std::fs::read_to_string(file).unwrap();
        text.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()).filter(|r| r["kind"] == "user").collect()
    };
    assert!(users(&plain).iter().all(|u| u["password_hash"].is_null()), "a hash without the flag");
    // Service accounts have no password; every other user carries its hash.
    let people: Vec<Value> = users(&hashed).into_iter().filter(|u| u["is_service_account"] != 1).collect();
    assert!(!people.is_empty() && people.len() < users(&hashed).len(), "{people:?}");
    assert!(people.iter().all(|u| u["password_hash"].as_str().is_some_and(|h| h.starts_with("$argon2"))));

    let without = tmp.path().join("without");
    let said = ok(&trove(&without, &["import", plain.to_str().unwrap()]));
    assert!(said.contains("admin") && said.contains("trove user passwd"), "{said}");
    let server = Server::start(&without);
    assert_eq!(process::login(server.port, PASSWORD), 401);
    assert_eq!(api_key_login(server.port, &key), 401, "an API key came along without the flag");
    drop(server);
    ok(&trove(&without, &["user", "passwd", "admin", "--password", "a-new-password-1"]));
    let server = Server::start(&without);
    assert_eq!(process::login(server.port, "a-new-password-1"), 200);
    drop(server);

    let with = tmp.path().join("with");
    let said = ok(&trove(&with, &["import", hashed.to_str().unwrap()]));
    assert!(!said.contains("trove user passwd"), "{said}");
    let server = Server::start(&with);
    let port = server.port;
    assert_eq!(process::login(port, PASSWORD), 200);
    assert_eq!(api_key_login(port, &key), 200, "the service account's key came along with the flag");
    let status = block_on(async move {
        let resp = reqwest::Client::new()
            .get(format!("http://127.0.0.1:{port}/api/v1/current-user"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        resp.status().as_u16()
    });
    assert_eq!(status, 401, "a token of the source server was accepted");
    let err = failed(&trove(&with, &["import", hashed.to_str().unwrap()]));
    assert!(err.contains("is running") && err.contains("stop it before importing"), "{err}");
}

/// A service account with one API key, created over HTTP; the key.
fn create_api_key(port: u16, token: &str) -> String {
    let token = token.to_string();
    block_on(async move {
        let client = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}/api/v1/service_accounts");
        let post = |url: String, body: Value| {
            let request = client.post(url).bearer_auth(&token).json(&body);
            async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
        };
        let sa = post(base.clone(), json!({"name": "ci-bot", "active": true})).await;
        let key = post(format!("{base}/{}/api_keys", sa["id"].as_str().unwrap()), json!({"name": "default"})).await;
        key["body"]["key"].as_str().expect("the new key's secret").to_string()
    })
}

/// The status of a `zenml-api-key` login with `key`.
fn api_key_login(port: u16, key: &str) -> u16 {
    let key = key.to_string();
    block_on(async move {
        let form = [("grant_type", "zenml-api-key"), ("password", key.as_str())];
        let resp = reqwest::Client::new()
            .post(format!("http://127.0.0.1:{port}/api/v1/login"))
            .form(&form)
            .send()
            .await
            .unwrap();
        resp.status().as_u16()
    })
}
