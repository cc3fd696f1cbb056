//! What each subcommand does (kept out of `main.rs` so it stays a dispatcher).

use crate::auth::password;
use crate::cli::UserCommand;
use crate::config::{ConfigError, Settings};
use crate::db::{users, write_sync, Db};
use crate::startup::{bind, prepare, Application};

/// `trove serve`: bind, prepare, announce, serve until stopped.
pub fn serve(settings: Settings) -> Result<(), ConfigError> {
    let _log_guard = crate::telemetry::init(&settings.log_level)
        .map_err(|e| ConfigError(format!("cannot start the log writer thread: {e}")))?;
    for var in Settings::unknown_env_vars() {
        tracing::warn!(%var, "unknown TROVE_* environment variable (typo?); see `trove print-config`");
    }
    let listener = bind(&settings)?;
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
