//! The one data-access layer of Clearinghouse, on SQLite (default, embedded) and PostgreSQL.
//!
//! Architecture invariant: this is the only crate that contains SQL. Queries are written
//! once, in the subset both databases share (`$n` parameters, `RETURNING`, `ON CONFLICT`),
//! and run through sqlx's `Any` driver; only the DDL differs, in two migration folders
//! with the same version numbers (a test keeps them in step). Values cross the boundary as
//! plain integers and strings: times are UTC microseconds, flags are 0/1, so that both
//! backends decode identically.
//!
//! Durability: on SQLite the database runs in WAL mode with `synchronous=FULL`, so a
//! committed transaction survives power loss, and with foreign keys on. SQLite has a
//! single writer, so writes go through a one-connection pool (no `SQLITE_BUSY` races
//! between writers) while reads use a pool of their own.

pub mod audit;
// Backup and restore (issue 25)
mod backup;
pub mod cases;
// Shared link charts and requests for analytical support (issue 24)
pub mod charts;
mod error;
pub mod families;
mod filter;
pub mod hope_bags;
pub mod imports;
pub mod jobs;
pub mod leads;
pub mod links;
pub mod orgs;
pub mod plans;
pub mod reports;
pub mod resources;
// Retention: legal holds and purges (issue 25)
pub mod retention;
pub mod sessions;
pub mod tokens;
pub mod triage;
pub mod users;
// Watchlists (issue 24)
pub mod watchlists;
// Awareness and partners (issue 22)
pub mod awareness;
// Training (issue 22)
pub mod training;
// Public statistics
pub mod statistics;

pub use audit::AuditRow;
pub(crate) use error::record_kind;
pub use error::StoreError;
pub use orgs::OrgRow;
pub use sessions::SessionRow;
pub use tokens::TokenRow;
pub use users::{NewUser, UserRow};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

/// Which database the store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }
}

/// A write transaction. Everything that changes data, and the audit entries for it,
/// happens inside one, so they commit or vanish together.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// The database pools' connections, for the operators' metrics.
#[derive(Debug, Clone, Copy, Default)]
pub struct PoolSizes {
    pub read_open: u32,
    pub read_idle: usize,
    pub write_open: u32,
    pub write_idle: usize,
}

/// Installs the process's TLS provider (aws-lc-rs) if none is yet. Two crates of the build
/// enable different rustls providers (sqlx aws-lc-rs, object_store's HTTP client ring), and
/// with both rustls refuses to choose: TLS to PostgreSQL, SMTP or a test's browser driver
/// would panic. Called before connecting and at the program's start; idempotent.
pub fn install_tls_provider() {
    // Err only when a provider is installed already, which is what we want.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

#[derive(Clone, Debug)]
pub struct Store {
    read: AnyPool,
    write: AnyPool,
    backend: Backend,
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Connects to `url` (`sqlite://PATH?mode=rwc` or `postgres://…`). Does not migrate.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        install_tls_provider();
        let backend = Backend::from_url(url)?;
        let opts = AnyConnectOptions::from_str(url).map_err(StoreError::Connect)?;
        match backend {
            Backend::Sqlite => {
                let pragmas = sqlite_pragmas;
                let write = AnyPoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(pragmas)
                    .connect_with(opts.clone())
                    .await
                    .map_err(StoreError::Connect)?;
                let read = AnyPoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(pragmas)
                    .connect_with(opts)
                    .await
                    .map_err(StoreError::Connect)?;
                Ok(Store {
                    read,
                    write,
                    backend,
                })
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(opts)
                    .await
                    .map_err(StoreError::Connect)?;
                Ok(Store {
                    read: pool.clone(),
                    write: pool,
                    backend,
                })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies pending migrations. Safe to run at every start.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        };
        migrator.run(&self.write).await.map_err(StoreError::Migrate)
    }

    /// Applies the migrations up to and including `version`, for tests that put a row into
    /// an older schema and then watch a later migration repair it.
    #[doc(hidden)]
    pub async fn migrate_to_for_tests(&self, version: i64) -> Result<(), StoreError> {
        let all = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        };
        let older = sqlx::migrate::Migrator {
            migrations: all
                .iter()
                .filter(|m| m.version <= version)
                .cloned()
                .collect::<Vec<_>>()
                .into(),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        older.run(&self.write).await.map_err(StoreError::Migrate)
    }

    /// The versions of the migrations this build ships, for `clearinghouse migrate`.
    pub fn migration_versions(&self) -> Vec<(i64, String)> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        };
        migrator
            .iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect()
    }

    /// Connections open in the read and the write pool, and how many of each are idle.
    pub fn pool_sizes(&self) -> PoolSizes {
        PoolSizes {
            read_open: self.read.size(),
            read_idle: self.read.num_idle(),
            write_open: self.write.size(),
            write_idle: self.write.num_idle(),
        }
    }

    /// The pool for reads, to pass to the query functions of this crate's modules.
    pub fn reader(&self) -> &AnyPool {
        &self.read
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(self.write.begin().await?)
    }

    /// For readiness checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }

    /// Executes raw SQL against the writer. Only for tests that play an attacker with
    /// direct database access (the audit tamper test); the application never calls it.
    #[doc(hidden)]
    pub async fn execute_raw_for_tests(&self, sql: &str) -> Result<u64, StoreError> {
        let mut conn = self.write.acquire().await?;
        let r = conn.execute(sql).await?;
        Ok(r.rows_affected())
    }
}

/// Run on every new SQLite connection: these settings are per connection (except WAL).
/// `secure_delete` overwrites what is deleted or replaced with zeros, so a purged record
/// or a secret sealed in place leaves no readable copy in the file's free pages.
fn sqlite_pragmas(
    conn: &mut sqlx::AnyConnection,
    _meta: sqlx::pool::PoolConnectionMetadata,
) -> futures_util::future::BoxFuture<'_, Result<(), sqlx::Error>> {
    Box::pin(async move {
        conn.execute(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
             PRAGMA secure_delete = ON;",
        )
        .await?;
        Ok(())
    })
}

/// Converts a 0/1 column.
pub(crate) fn flag(v: i64) -> bool {
    v != 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn migration_folders_are_in_step() {
        let list = |dir: &str| {
            let mut v: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        let base = env!("CARGO_MANIFEST_DIR");
        let sqlite = list(&format!("{base}/migrations/sqlite"));
        let pg = list(&format!("{base}/migrations/postgres"));
        assert_eq!(
            sqlite, pg,
            "every migration must exist for both backends, with the same version and name"
        );
    }
}

#[cfg(feature = "testing")]
pub mod testing;

/// Commits a write transaction. Once this returns Ok the change is durable.
pub async fn commit(tx: Tx) -> Result<(), StoreError> {
    Ok(tx.commit().await?)
}
