//! Storage errors. Callers learn whether a conflict (a unique name taken) or a missing row
//! is the user's to fix; everything else is ours, and its cause is logged, not shown.

use domain::RecordKind;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("the database URL must start with sqlite: or postgres://")]
    UnsupportedUrl,
    #[error("could not connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("could not apply database migrations: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("not found")]
    NotFound,
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    /// A column holding one of a fixed set of values holds another: written by a newer
    /// version, or damaged. Read as an error, never as a default.
    #[error(
        "stored data is not valid: {column} holds {value:?}, which this version does not know; \
         run the version that wrote it, or restore the database from a backup"
    )]
    UnknownValue { column: &'static str, value: String },
    #[error("database error: {0}")]
    Db(#[source] sqlx::Error),
    /// Asked of a backend that cannot do it.
    #[error("{0}")]
    Unsupported(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            other => StoreError::Db(other),
        }
    }
}

/// Maps a unique-constraint violation to a conflict the caller can explain.
pub(crate) fn conflict(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::from(e),
    }
}

/// Decodes a stored record kind; `column` names where it was read, for the error.
pub(crate) fn record_kind(column: &'static str, value: String) -> Result<RecordKind, StoreError> {
    value
        .parse()
        .map_err(|_| StoreError::UnknownValue { column, value })
}
