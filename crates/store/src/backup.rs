//! What a backup and a restore need from the database: a consistent copy of a SQLite
//! database that is in use, a PostgreSQL snapshot that `pg_dump` and the row counts share,
//! whether a database is empty (a restore writes only into an empty one), and the row
//! count of every table, which a restored database is checked against.

use crate::{Backend, Store, StoreError};
use sqlx::{Any, Connection, Executor, Row};
use std::path::Path;

/// Every table of the schema (not sqlx's own), sorted.
async fn tables<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    backend: Backend,
) -> Result<Vec<String>, StoreError> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::TEXT FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name NOT LIKE '\\_sqlx%' ORDER BY table_name"
        }
    };
    Ok(sqlx::query_scalar(sql).fetch_all(ex).await?)
}

/// The row count of every table, read in one transaction so that they agree.
async fn counts_in(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<Vec<(String, i64)>, StoreError> {
    let names = tables(&mut *conn, backend).await?;
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        // Names come from the catalogue, not from input; quoted all the same.
        let n: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM \"{name}\""))
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        out.push((name, n));
    }
    Ok(out)
}

impl Store {
    /// Writes a consistent copy of this SQLite database to `path` (which must not exist)
    /// while it stays in use, and returns the copy's row counts.
    pub async fn sqlite_snapshot(&self, path: &Path) -> Result<Vec<(String, i64)>, StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Unsupported(
                "a SQLite snapshot of a PostgreSQL database: use pg_dump".into(),
            ));
        }
        let target = path.to_str().ok_or_else(|| {
            StoreError::Unsupported(format!("{} is not a UTF-8 path", path.display()))
        })?;
        // VACUUM INTO reads one snapshot of the database and writes it compactly.
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.read)
            .await?;
        let url = format!("sqlite://{target}?mode=ro");
        crate::install_tls_provider();
        let mut conn = sqlx::AnyConnection::connect(&url).await?;
        let counts = counts_in(&mut conn, Backend::Sqlite).await?;
        conn.close().await?;
        Ok(counts)
    }

    /// Runs `dump` while a PostgreSQL snapshot is held open, passing it the snapshot's
    /// name (for `pg_dump --snapshot`), and returns the row counts in that same snapshot,
    /// so the counts describe exactly what was dumped.
    pub async fn with_postgres_snapshot<F, T, E>(
        &self,
        dump: F,
    ) -> Result<(Vec<(String, i64)>, Result<T, E>), StoreError>
    where
        F: FnOnce(String) -> futures_util::future::BoxFuture<'static, Result<T, E>>,
    {
        if self.backend != Backend::Postgres {
            return Err(StoreError::Unsupported(
                "a PostgreSQL snapshot of a SQLite database".into(),
            ));
        }
        let mut conn = self.read.acquire().await?;
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .await?;
        let outcome = async {
            let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
                .fetch_one(&mut *conn)
                .await?;
            let counts = counts_in(&mut conn, Backend::Postgres).await?;
            let dumped = dump(snapshot).await;
            Ok::<_, StoreError>((counts, dumped))
        }
        .await;
        conn.execute("COMMIT").await?;
        outcome
    }

    /// Whether the database has no table of ours yet (a restore's target).
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(tables(&self.read, self.backend).await?.is_empty())
    }

    /// The row count of every table.
    pub async fn table_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let mut conn = self.read.acquire().await?;
        if self.backend == Backend::Postgres {
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .await?;
        } else {
            conn.execute("BEGIN").await?;
        }
        let counts = counts_in(&mut conn, self.backend).await;
        conn.execute("COMMIT").await?;
        counts
    }

    /// The blob keys the database names (provider files and publications): each must be
    /// in the file store.
    pub async fn blob_keys(&self) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT blob_key FROM report_files UNION SELECT blob_key FROM publications",
        )
        .fetch_all(&self.read)
        .await?)
    }
}
