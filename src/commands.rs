//! What each subcommand does (kept out of `main.rs` so it stays a dispatcher).

use crate::auth::password;
use crate::cli::UserCommand;
use crate::config::{ConfigError, Settings};
use crate::db::{users, write_sync, Db};
use crate::files::{lock_data_dir, DataDirLock, LockError};
use crate::startup::{bind, prepare, Application};
use std::path::{Path, PathBuf};

pub mod dump;

/// `trove serve`: bind, prepare, announce, serve until stopped.
pub fn serve(settings: Settings) -> Result<(), ConfigError> {
    let _log_guard = crate::telemetry::init(&settings.log_level)
        .map_err(|e| ConfigError(format!("cannot start the log writer thread: {e}")))?;
    for var in Settings::unknown_env_vars() {
        tracing::warn!(%var, "unknown TROVE_* environment variable (typo?); see `trove print-config`");
    }
    let listener = bind(&settings)?;
    // Held until the server exits: `trove restore` refuses to run meanwhile.
    let _lock = lock_for_serve(&settings.data_dir)?;
    let prepared = prepare(&settings)?;
    if let Some(pw) = &prepared.generated_admin_password {
        let shown = say(&[
            &format!("trove: created the account `admin` with password: {pw}"),
            "trove: this is shown only once; change it with `trove user passwd admin`",
        ]);
        if shown {
            prepared.password_was_shown()?;
        }
    } else if let Some(name) = &prepared.unshown_password_of {
        say(&[
            &format!("trove: the account `{name}` has a generated password that was never shown;"),
            &format!("trove: set one with `trove user passwd {name}`"),
        ]);
    }
    let app = Application::build_on(&prepared, listener)?;
    let url = format!("http://{}:{}", settings.bind_addr()?.ip(), app.port());
    tracing::info!(%url, data_dir = %settings.data_dir.display(), "trove {} listening", env!("CARGO_PKG_VERSION"));
    actix_web::rt::System::new()
        .block_on(app.run_until_signalled())
        .map_err(|e| ConfigError(format!("server error: {e}")))
}

/// The data folder's lock for `trove serve` (creating the folder); a second
/// server on the same folder is refused.
fn lock_for_serve(dir: &Path) -> Result<DataDirLock, ConfigError> {
    crate::files::create_private_dir(dir).map_err(|e| {
        ConfigError(format!(
            "cannot create the data directory {}: {e}; choose a writable folder with --data-dir",
            dir.display()
        ))
    })?;
    lock_data_dir(dir).map_err(|e| match e {
        LockError::Held(pid) => ConfigError(format!(
            "another trove server{} is running on the data directory {}; stop it or choose another --data-dir",
            pid.map(|p| format!(" (pid {p})")).unwrap_or_default(),
            dir.display()
        )),
        LockError::Io(e) => ConfigError(format!("cannot lock {}: {e}", dir.join(crate::files::LOCK_FILE).display())),
    })
}

/// `trove backup FILE`: a checked copy of the database, also while the
/// server runs (see [`crate::db::backup`]).
pub fn backup(settings: &Settings, file: &Path) -> Result<(), ConfigError> {
    let db_path = settings.db_path();
    if !db_path.is_file() {
        return Err(ConfigError(format!("there is no database at {} (check --data-dir)", db_path.display())));
    }
    if same_file(&db_path, file) {
        return Err(ConfigError(format!("{} is the database itself; back up to another file", file.display())));
    }
    let started = std::time::Instant::now();
    let checked = crate::db::backup::backup(&db_path, file)
        .map_err(|e| ConfigError(format!("backup of {} failed: {e}", db_path.display())))?;
    println!(
        "backed up {} to {} ({}, schema version {}, integrity ok) in {:.1} s",
        db_path.display(),
        file.display(),
        size(checked.bytes),
        checked.schema_version,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `trove restore FILE`: replace the database of a stopped server by a
/// checked copy of FILE.
pub fn restore(settings: &Settings, file: &Path) -> Result<(), ConfigError> {
    let dir = &settings.data_dir;
    crate::files::create_private_dir(dir)
        .map_err(|e| ConfigError(format!("cannot create the data directory {}: {e}", dir.display())))?;
    // Held while the database is replaced: no server starts meanwhile.
    let _lock = lock_offline(dir, "restoring")?;
    let db_path = settings.db_path();
    if same_file(&db_path, file) {
        return Err(ConfigError(format!("{} is the database itself; nothing to restore", file.display())));
    }
    let checked = crate::db::backup::restore(file, &db_path)
        .map_err(|e| ConfigError(format!("cannot restore {}: {e}", file.display())))?;
    let note = if checked.is_older() {
        format!(" (older than this trove's {}: upgraded at the next start)", crate::db::migrate::SCHEMA_VERSION)
    } else {
        String::new()
    };
    println!(
        "restored {} to {} ({}, schema version {}{note}, integrity ok)",
        file.display(),
        db_path.display(),
        size(checked.bytes),
        checked.schema_version
    );
    Ok(())
}

/// The data folder's lock for a command that must not run beside a server
/// (`doing`: "restoring", "importing").
fn lock_offline(dir: &Path, doing: &str) -> Result<DataDirLock, ConfigError> {
    lock_data_dir(dir).map_err(|e| match e {
        LockError::Held(pid) => ConfigError(format!(
            "a trove server{} is running on the data directory {}; stop it before {doing} (nothing was changed)",
            pid.map(|p| format!(" (pid {p})")).unwrap_or_default(),
            dir.display()
        )),
        LockError::Io(e) => ConfigError(format!("cannot lock {}: {e}", dir.join(crate::files::LOCK_FILE).display())),
    })
}

/// `trove migrate --to URL`: see [`crate::migrate`].
pub fn migrate(settings: &Settings, args: &crate::cli::MigrateArgs) -> Result<(), ConfigError> {
    let opts = crate::migrate::Options {
        url: &args.to,
        username: &args.username,
        password: &args.password,
        dry_run: args.dry_run,
        limit: args.limit,
    };
    crate::migrate::run(&settings.db_path(), &opts)
}

/// Do `a` and `b` name the same file (`b` need not exist)?
fn same_file(a: &Path, b: &Path) -> bool {
    let resolve = |p: &Path| -> Option<PathBuf> {
        if let Ok(p) = std::fs::canonicalize(p) {
            return Some(p);
        }
        let parent = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        Some(std::fs::canonicalize(parent).ok()?.join(p.file_name()?))
    };
    matches!((resolve(a), resolve(b)), (Some(a), Some(b)) if a == b)
}

/// Bytes for people: `512 B`, `3.4 MiB`.
fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Print lines on stdout; false when they could not be written (a closed
/// pipe must not stop the server, as `println!` would).
fn say(lines: &[&str]) -> bool {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    lines.iter().all(|l| writeln!(out, "{l}").is_ok()) && out.flush().is_ok()
}

/// `trove user add|passwd|list`, straight on the database.
pub fn user(settings: &Settings, cmd: &UserCommand) -> Result<(), ConfigError> {
    let fail = |e: crate::db::DbError| ConfigError(e.to_string());
    crate::files::create_private_dir(&settings.data_dir).map_err(|e| ConfigError(e.to_string()))?;
    let db = Db::open(&settings.db_path(), 1).map_err(fail)?;
    let mut conn = db.conn().map_err(fail)?;
    match cmd {
        UserCommand::Add { name, password: pw, admin } => {
            let (pw, shown) = pw.clone().map(|p| (p, false)).unwrap_or_else(|| (password::generate(), true));
            write_sync(&mut conn, |tx| users::insert(tx, name, &password::hash(&pw), *admin)).map_err(fail)?;
            println!("created user {name}");
            if shown {
                println!("password: {pw}");
            }
        }
        UserCommand::Passwd { name, password: pw } => {
            let (pw, shown) = pw.clone().map(|p| (p, false)).unwrap_or_else(|| (password::generate(), true));
            write_sync(&mut conn, |tx| {
                users::set_password(tx, name, &password::hash(&pw))?;
                crate::db::bootstrap::password_shown(tx, name)
            })
            .map_err(fail)?;
            println!("changed the password of {name}; tokens issued before now are no longer accepted");
            if shown {
                println!("new password: {pw}");
            }
        }
        UserCommand::List => {
            for u in users::all(&conn).map_err(fail)? {
                let role = if u.is_admin { "admin" } else { "user" };
                let state = if u.active { "active" } else { "inactive" };
                println!("{}\t{}\t{role}\t{state}", u.name, u.id.hyphenated());
            }
        }
    }
    Ok(())
}
