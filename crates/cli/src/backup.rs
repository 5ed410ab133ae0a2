//! `clearinghouse backup` and `clearinghouse restore`: a consistent online copy of the
//! database and the uploaded files with a manifest of hashes, and a restore that refuses a
//! backup whose hashes do not match and checks what it restored.
//!
//! The database is copied first and the files after it. A file row is committed only once
//! its file is stored, so every file the copied database names is already on disk when the
//! files are copied; a file stored after the database copy is an orphan, which is harmless.
//! The file key is never in a backup: a backup and its key kept together protect nothing.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::Exit;
use service::audit::AuditCheck;

const FORMAT: &str = "clearinghouse-backup/1";
const MANIFEST: &str = "manifest.json";
const SQLITE_FILE: &str = "database.sqlite";
const PG_FILE: &str = "database.pgdump";
const FILES: &str = "files";

#[derive(Args)]
pub struct BackupArgs {
    /// The directory to write the backup into: new, or empty.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Print the result as JSON on standard output, for scripts.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// The backup directory (written by `clearinghouse backup`).
    #[arg(long, value_name = "DIR")]
    pub from: PathBuf,
    /// Print the result as JSON on standard output, for scripts.
    #[arg(long)]
    pub json: bool,
}

/// What a backup holds, written last: a backup without its manifest is unfinished.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub created_at: String,
    pub product_version: String,
    /// `sqlite` or `postgres`: a backup restores onto the same kind of database.
    pub backend: String,
    /// The newest migration the database had.
    pub schema_version: i64,
    /// The fingerprint of the file key the files are encrypted under (not the key).
    pub file_key_fingerprint: Option<String>,
    pub audit_entries: u64,
    /// Whether the audit chain verified when the backup was taken.
    pub audit_intact: bool,
    /// Rows per table, as copied.
    pub tables: BTreeMap<String, i64>,
    /// Every file of the backup but the manifest, by path relative to the backup.
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

fn backend_name(b: store::Backend) -> &'static str {
    match b {
        store::Backend::Sqlite => "sqlite",
        store::Backend::Postgres => "postgres",
    }
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// SHA-256 and length of a file, streamed.
fn hash_file(path: &Path) -> Result<(u64, String)> {
    let mut f = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut h = Sha256::new();
    let n = std::io::copy(&mut f, &mut h).with_context(|| format!("reading {}", path.display()))?;
    Ok((n, hex::encode(h.finalize())))
}

#[cfg(unix)]
fn private_dir(path: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .with_context(|| format!("creating {}", path.display()))
}

#[cfg(not(unix))]
fn private_dir(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).with_context(|| format!("creating {}", path.display()))
}

/// Copies `from` to `to` (a new file, owner-only), synced to disk.
fn copy_private(from: &Path, to: &Path) -> Result<u64> {
    let mut src =
        std::fs::File::open(from).with_context(|| format!("reading {}", from.display()))?;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut dst = opts
        .open(to)
        .with_context(|| format!("creating {}", to.display()))?;
    let n = std::io::copy(&mut src, &mut dst)
        .with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    dst.sync_all()?;
    Ok(n)
}

/// Every regular file under `root`, relative to it, sorted; the file store's directory of
/// unfinished uploads is left out.
fn files_under(root: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if !root.exists() {
        return Ok(out);
    }
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))?
        {
            let entry = entry?;
            let path = entry.path();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                if dir == root && entry.file_name() == blob::TEMP_DIR {
                    continue;
                }
                stack.push(path);
            } else if kind.is_file() {
                out.push(path.strip_prefix(root)?.to_path_buf());
            }
        }
    }
    out.sort();
    Ok(out)
}

fn is_empty_dir(path: &Path) -> Result<bool> {
    if !path.exists() {
        return Ok(true);
    }
    Ok(files_under(path)?.is_empty())
}

/// Runs a PostgreSQL client tool to its end (on a blocking thread: it may take long).
async fn run_tool(mut cmd: std::process::Command, what: &'static str) -> Result<()> {
    let status = tokio::task::spawn_blocking(move || cmd.status())
        .await
        .context("waiting for a PostgreSQL client tool")?
        .with_context(|| {
            format!("running {what}: install PostgreSQL's client tools (the server's version or newer) and put {what} on PATH")
        })?;
    if !status.success() {
        bail!("{what} failed ({status}); its message is above");
    }
    Ok(())
}

async fn pg_dump(url: String, snapshot: String, out: PathBuf) -> Result<()> {
    let mut cmd = std::process::Command::new("pg_dump");
    cmd.args(["--format=custom", "--no-owner", "--no-privileges"])
        .arg(format!("--snapshot={snapshot}"))
        .arg("--file")
        .arg(&out)
        .arg("--dbname")
        .arg(&url);
    run_tool(cmd, "pg_dump").await
}

/// Backup and restore copy a files.dir store; a bucket is backed up with its own tools.
fn refuse_bucket(config: &Config) -> Result<()> {
    if config.files.backend == crate::config::FileBackend::S3 {
        return Err(Exit::BadInput(
            "files.backend is \"s3\": this command copies the evidence files of a files.dir \
             store and cannot yet copy a bucket's; back the bucket up with the object store's \
             own tools (versioning or replication) and the database with its own"
                .into(),
        )
        .into());
    }
    Ok(())
}

pub async fn backup(config: &Config, args: &BackupArgs) -> Result<()> {
    refuse_bucket(config)?;
    let out = &args.out;
    if !is_empty_dir(out)? {
        return Err(Exit::BadInput(format!(
            "{} is not empty: give a new or empty directory for the backup",
            out.display()
        ))
        .into());
    }
    private_dir(out)?;
    let services = crate::connect(config).await?;
    let store = &services.store;
    let backend = store.backend();
    let (audit_entries, audit_intact) = match services.verify_audit().await? {
        AuditCheck::Intact { entries } => (entries, true),
        AuditCheck::Broken(b) => {
            // A backup is most needed when something is wrong: take it, and say so.
            eprintln!("warning: the audit log is broken ({b}); the backup copies it as it is");
            (0, false)
        }
    };
    eprintln!("Copying the database…");
    let (db_file, counts) = match backend {
        store::Backend::Sqlite => {
            let path = out.join(SQLITE_FILE);
            let counts = store.sqlite_snapshot(&path).await?;
            #[cfg(unix)]
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
            (SQLITE_FILE, counts)
        }
        store::Backend::Postgres => {
            let url = config.database_url()?;
            let path = out.join(PG_FILE);
            let (counts, dumped) = store
                .with_postgres_snapshot(move |snapshot| Box::pin(pg_dump(url, snapshot, path)))
                .await?;
            dumped?;
            (PG_FILE, counts)
        }
    };

    let files_dir = config.files_dir();
    let blobs = files_under(&files_dir)?;
    let bar = crate::linkcmd::count_bar(blobs.len() as u64, "copying files");
    let mut files = Vec::with_capacity(blobs.len() + 1);
    let (bytes, sha256) = hash_file(&out.join(db_file))?;
    files.push(FileEntry {
        path: db_file.to_owned(),
        bytes,
        sha256,
    });
    for rel in &blobs {
        let to = out.join(FILES).join(rel);
        if let Some(parent) = to.parent() {
            private_dir(parent)?;
        }
        copy_private(&files_dir.join(rel), &to)?;
        let (bytes, sha256) = hash_file(&to)?;
        files.push(FileEntry {
            path: format!("{FILES}/{}", rel.to_string_lossy().replace('\\', "/")),
            bytes,
            sha256,
        });
        bar.inc(1);
    }
    bar.finish_and_clear();
    let manifest = Manifest {
        format: FORMAT.into(),
        created_at: now_rfc3339(),
        product_version: env!("CARGO_PKG_VERSION").into(),
        backend: backend_name(backend).into(),
        schema_version: store.migration_versions().last().map_or(0, |(v, _)| *v),
        file_key_fingerprint: config.existing_key()?.map(|k| k.fingerprint()),
        audit_entries,
        audit_intact,
        tables: counts.into_iter().collect(),
        files,
    };
    let path = out.join(MANIFEST);
    let mut f =
        std::fs::File::create(&path).with_context(|| format!("writing {}", path.display()))?;
    f.write_all(serde_json::to_string_pretty(&manifest)?.as_bytes())?;
    f.sync_all()?;
    services.store.close().await;

    let rows: i64 = manifest.tables.values().sum();
    let total: u64 = manifest.files.iter().map(|f| f.bytes).sum();
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "backup": out.display().to_string(),
                "backend": manifest.backend,
                "rows": rows,
                "files": blobs.len(),
                "bytes": total,
                "audit_entries": audit_entries,
                "file_key_fingerprint": manifest.file_key_fingerprint,
            })
        );
    } else {
        println!(
            "Backed up {rows} rows in {} tables and {} files ({total} bytes) to {}.",
            manifest.tables.len(),
            blobs.len(),
            out.display()
        );
    }
    eprintln!(
        "The file key is not in the backup. Keep a copy of it apart from the backup (the \
         files.key secret, or {}); without it the files cannot be read.",
        config.data_dir.join("file.key").display()
    );
    Ok(())
}

/// Reads the manifest and checks every file against it: nothing missing, nothing added,
/// nothing changed.
fn verified_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Exit::BadInput(format!(
            "{} has no readable manifest ({e}): it is not a finished backup",
            dir.display()
        ))
    })?;
    let m: Manifest = serde_json::from_str(&text).map_err(|e| {
        Exit::BadInput(format!("the manifest {} is not valid: {e}", path.display()))
    })?;
    if m.format != FORMAT {
        return Err(Exit::BadInput(format!(
            "the backup's format is {:?}; this version restores {FORMAT:?}",
            m.format
        ))
        .into());
    }
    let listed: std::collections::BTreeSet<&str> =
        m.files.iter().map(|f| f.path.as_str()).collect();
    for rel in files_under(dir)? {
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel != MANIFEST && !listed.contains(rel.as_str()) {
            return Err(Exit::BadInput(format!(
                "the backup holds {rel}, which its manifest does not list: it was changed after it was written; refusing to restore it"
            ))
            .into());
        }
    }
    let bar = crate::linkcmd::count_bar(m.files.len() as u64, "checking hashes");
    for f in &m.files {
        if f.path.split('/').any(|p| p == ".." || p.is_empty()) {
            return Err(Exit::BadInput(format!(
                "the manifest names {:?}, which is not a path inside the backup",
                f.path
            ))
            .into());
        }
        let (bytes, sha256) = hash_file(&dir.join(&f.path)).map_err(|e| {
            Exit::BadInput(format!(
                "{} is missing from the backup ({e:#}); refusing to restore it",
                f.path
            ))
        })?;
        if bytes != f.bytes || sha256 != f.sha256 {
            return Err(Exit::BadInput(format!(
                "{} does not match the manifest (its SHA-256 is {sha256}, the manifest says {}): the backup is damaged or was changed; refusing to restore it",
                f.path, f.sha256
            ))
            .into());
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(m)
}

/// The SQLite database file the configuration names.
fn sqlite_path(config: &Config) -> Result<PathBuf> {
    match &config.database_url {
        None => Ok(config.data_dir.join("clearinghouse.db")),
        Some(url) => {
            let rest = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .context("the database URL is not a SQLite one")?;
            Ok(PathBuf::from(rest.split('?').next().unwrap_or(rest)))
        }
    }
}

async fn pg_restore(url: &str, file: &Path) -> Result<()> {
    let mut cmd = std::process::Command::new("pg_restore");
    cmd.args([
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
    ])
    .arg("--dbname")
    .arg(url)
    .arg(file);
    // One transaction: a failed restore leaves the database as it was.
    run_tool(cmd, "pg_restore").await
}

pub async fn restore(config: &Config, args: &RestoreArgs) -> Result<()> {
    refuse_bucket(config)?;
    let dir = &args.from;
    let m = verified_manifest(dir)?;
    // Not config.database_url(): for SQLite it would create the database file.
    let backend = match &config.database_url {
        None => store::Backend::Sqlite,
        Some(url) => store::Backend::from_url(url)?,
    };
    if backend_name(backend) != m.backend {
        return Err(Exit::BadInput(format!(
            "the backup is of a {} database and the configuration names a {} one: restore onto the same kind (then move the data with your own tools)",
            m.backend,
            backend_name(backend)
        ))
        .into());
    }
    let has_files = m.files.iter().any(|f| f.path.starts_with("files/"));
    if let Some(want) = &m.file_key_fingerprint {
        match config.existing_key()? {
            Some(k) if &k.fingerprint() == want => {}
            Some(k) => {
                return Err(Exit::BadInput(format!(
                    "the configured file key (fingerprint {}) is not the one the backup's files are encrypted under ({want}): configure that key (files.key, or file.key in the data directory) and try again",
                    k.fingerprint()
                ))
                .into())
            }
            None if has_files => {
                return Err(Exit::BadInput(format!(
                    "the backup's files need their key (fingerprint {want}), and none is configured: put the key from your separate key backup in {} or set files.key, then try again",
                    config.data_dir.join("file.key").display()
                ))
                .into())
            }
            None => {}
        }
    }
    let files_dir = config.files_dir();
    if !is_empty_dir(&files_dir)? {
        return Err(Exit::BadInput(format!(
            "the file store {} is not empty: restore into a fresh data directory",
            files_dir.display()
        ))
        .into());
    }
    eprintln!("Restoring the database…");
    match backend {
        store::Backend::Sqlite => {
            let target = sqlite_path(config)?;
            // An empty file is what an earlier start left, not a database.
            if std::fs::metadata(&target).is_ok_and(|m| m.len() > 0) {
                return Err(Exit::BadInput(format!(
                    "{} exists: restore into a fresh data directory (a restore never overwrites a database)",
                    target.display()
                ))
                .into());
            }
            if let Some(parent) = target.parent() {
                private_dir(parent)?;
            }
            let part = target.with_extension("db.restoring");
            let _ = std::fs::remove_file(&part);
            copy_private(&dir.join(SQLITE_FILE), &part)?;
            std::fs::rename(&part, &target)?;
            for stale in ["-wal", "-shm"] {
                let mut p = target.clone().into_os_string();
                p.push(stale);
                let _ = std::fs::remove_file(p);
            }
        }
        store::Backend::Postgres => {
            let url = config.database_url()?;
            let store = store::Store::connect(&url).await.with_context(|| {
                format!("opening the database at {}", config.redacted_database_url())
            })?;
            let empty = store.is_empty().await?;
            store.close().await;
            if !empty {
                return Err(Exit::BadInput(format!(
                    "the database at {} is not empty: restore into a new, empty database",
                    config.redacted_database_url()
                ))
                .into());
            }
            pg_restore(&url, &dir.join(PG_FILE)).await?;
        }
    }
    let blobs: Vec<&FileEntry> = m
        .files
        .iter()
        .filter(|f| f.path.starts_with("files/"))
        .collect();
    let bar = crate::linkcmd::count_bar(blobs.len() as u64, "restoring files");
    for f in &blobs {
        let rel = &f.path["files/".len()..];
        let to = files_dir.join(rel);
        if let Some(parent) = to.parent() {
            private_dir(parent)?;
        }
        copy_private(&dir.join(&f.path), &to)?;
        bar.inc(1);
    }
    bar.finish_and_clear();

    // What was restored, checked: the rows, the audit chain, every file a row names.
    let services = crate::connect(config).await?;
    let counts: BTreeMap<String, i64> = services.store.table_counts().await?.into_iter().collect();
    for (table, want) in &m.tables {
        let got = counts.get(table).copied().unwrap_or(0);
        if got != *want {
            bail!("after the restore, {table} holds {got} rows and the backup {want}: the restore is not complete; do not use this database");
        }
    }
    let audit = match services.verify_audit().await? {
        AuditCheck::Intact { entries } => entries,
        AuditCheck::Broken(b) => {
            return Err(Exit::AuditBroken(format!("the restored audit log is broken: {b}")).into())
        }
    };
    let mut missing = 0;
    for key in services.store.blob_keys().await? {
        if !blob::relative_path(&key).is_ok_and(|rel| files_dir.join(rel).exists()) {
            missing += 1;
        }
    }
    services.store.close().await;
    if missing > 0 {
        bail!("{missing} files the restored database names are not in the file store: the backup was taken without them; the records restored, their files did not");
    }
    let rows: i64 = m.tables.values().sum();
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "restored": dir.display().to_string(),
                "backup_created_at": m.created_at,
                "rows": rows,
                "files": blobs.len(),
                "audit_entries": audit,
            })
        );
    } else {
        println!(
            "Restored {rows} rows and {} files from the backup of {}; the audit log is intact ({audit} entries).",
            blobs.len(),
            m.created_at
        );
    }
    Ok(())
}
