//! Command line (clap). `trove` alone runs the server.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// trove: a single-binary ZenML artifact tracker (SQLite + OAuth2 password login).
#[derive(Debug, Parser)]
#[command(name = "trove", version, about, long_about = None)]
pub struct Cli {
    /// Configuration file (default: ./trove.toml when present). Env: TROVE_CONFIG
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data folder holding the database. Env: TROVE_DATA_DIR
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve(ServeArgs),
    /// Manage user accounts offline (works while the server runs).
    #[command(subcommand)]
    User(UserCommand),
    /// Copy the database to FILE, also while the server runs: one
    /// consistent snapshot, checked (integrity, schema version) before it
    /// replaces FILE.
    Backup {
        /// Where the copy goes (replaced when it exists).
        file: PathBuf,
    },
    /// Replace the database by a backup FILE (refused while a server runs
    /// on the data folder). FILE is checked first; an older schema version
    /// is upgraded at the next start.
    Restore {
        /// A file made by `trove backup` (or a copy of a stopped server's trove.db).
        file: PathBuf,
    },
    /// Write every project, user, artifact, run, model, … to FILE as JSON
    /// lines (docs/export-format.md), also while the server runs: one
    /// consistent snapshot. Users come without their password hashes unless
    /// asked.
    Export {
        /// Where the export goes (replaced when it exists; owner-only).
        file: PathBuf,
        /// Include the users' password hashes (they log in with the same
        /// passwords after an import).
        #[arg(long)]
        with_password_hashes: bool,
    },
    /// Add the records of an export FILE to the database, in one
    /// transaction (refused while a server runs on the data folder). Rows
    /// already there (same id) are left as they are: importing twice
    /// changes nothing.
    Import {
        /// A file made by `trove export`.
        file: PathBuf,
    },
    /// Push the data into a running ZenML 0.98 server through its REST
    /// API (projects, tags, artifacts, versions, models, model versions,
    /// pipelines; not runs, steps or users). Resumable: what the target
    /// already holds (by name) is not created again.
    Migrate(MigrateArgs),
    /// Print an example configuration with every key and its default.
    PrintConfig,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The ZenML server, e.g. http://127.0.0.1:8080 (without /api/v1).
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// An account on the ZenML server; it owns everything created.
    #[arg(long)]
    pub username: String,
    /// Its password. Env: TROVE_MIGRATE_PASSWORD
    #[arg(long, env = "TROVE_MIGRATE_PASSWORD", hide_env_values = true)]
    pub password: String,
    /// Count what would be created (and what is already there); create nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Stop after N creates (run again to continue).
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
}

#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Address and port to listen on, e.g. 127.0.0.1:8237. Env: TROVE_BIND
    #[arg(long, value_name = "HOST:PORT")]
    pub bind: Option<String>,
    /// error, warn, info, debug or trace. Env: TROVE_LOG_LEVEL
    #[arg(long, value_name = "LEVEL")]
    pub log_level: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account (prints a generated password unless --password is given).
    Add {
        name: String,
        #[arg(long)]
        password: Option<String>,
        /// Make the account an administrator.
        #[arg(long)]
        admin: bool,
    },
    /// Change an account's password (prints a generated one unless --password is given).
    Passwd {
        name: String,
        #[arg(long)]
        password: Option<String>,
    },
    /// List accounts.
    List,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_stable_interface() {
        let cli = Cli::parse_from(["trove", "serve", "--bind", "127.0.0.1:9000", "--data-dir", "/tmp/x"]);
        assert_eq!(cli.data_dir, Some(PathBuf::from("/tmp/x")));
        match cli.command {
            Some(Command::Serve(a)) => assert_eq!(a.bind.as_deref(), Some("127.0.0.1:9000")),
            other => panic!("{other:?}"),
        }
        assert!(Cli::parse_from(["trove"]).command.is_none());
        let cli = Cli::parse_from(["trove", "user", "add", "bob", "--admin"]);
        assert!(matches!(cli.command, Some(Command::User(UserCommand::Add { admin: true, .. }))));
        let cli = Cli::parse_from(["trove", "backup", "b.db"]);
        assert!(matches!(cli.command, Some(Command::Backup { file }) if file.as_os_str() == "b.db"));
        let cli = Cli::parse_from(["trove", "restore", "b.db"]);
        assert!(matches!(cli.command, Some(Command::Restore { file }) if file.as_os_str() == "b.db"));
        let cli = Cli::parse_from(["trove", "export", "e.jsonl", "--with-password-hashes"]);
        assert!(matches!(cli.command, Some(Command::Export { with_password_hashes: true, .. })));
        let cli = Cli::parse_from(["trove", "import", "e.jsonl"]);
        assert!(matches!(cli.command, Some(Command::Import { file }) if file.as_os_str() == "e.jsonl"));
        let cli = Cli::parse_from([
            "trove",
            "migrate",
            "--to",
            "http://h:1",
            "--username",
            "u",
            "--password",
            "p",
            "--dry-run",
        ]);
        assert!(matches!(cli.command, Some(Command::Migrate(MigrateArgs { dry_run: true, limit: None, .. }))));
    }
}
