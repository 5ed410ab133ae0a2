//! Browser sessions. The cookie holds a random token; only its SHA-256 is stored, so a
//! copy of the database does not let anyone sign in as anyone.

use crate::{flag, StoreError};
use domain::UserId;
use sqlx::{Any, Executor, Row};

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id_hash: String,
    pub user_id: UserId,
    pub csrf_token: String,
    pub second_factor_done: bool,
    pub created_at: i64,
    pub last_seen_at: i64,
}

pub async fn insert<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    s: &SessionRow,
    ip: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, second_factor_done, created_at, last_seen_at, ip) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&s.id_hash)
    .bind(s.user_id.0)
    .bind(&s.csrf_token)
    .bind(i64::from(s.second_factor_done))
    .bind(s.created_at)
    .bind(s.last_seen_at)
    .bind(ip)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn by_hash<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id_hash: &str,
) -> Result<Option<SessionRow>, StoreError> {
    let row = sqlx::query(
        "SELECT id_hash, user_id, csrf_token, second_factor_done, created_at, last_seen_at \
         FROM sessions WHERE id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(ex)
    .await?;
    row.map(|r| {
        Ok(SessionRow {
            id_hash: r.try_get("id_hash")?,
            user_id: UserId(r.try_get("user_id")?),
            csrf_token: r.try_get("csrf_token")?,
            second_factor_done: flag(r.try_get("second_factor_done")?),
            created_at: r.try_get("created_at")?,
            last_seen_at: r.try_get("last_seen_at")?,
        })
    })
    .transpose()
}

pub async fn touch<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id_hash: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(now)
        .bind(id_hash)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn mark_second_factor_done<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id_hash: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET second_factor_done = 1 WHERE id_hash = $1")
        .bind(id_hash)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn delete<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id_hash: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(ex)
        .await?;
    Ok(())
}

/// Ends every session of a user (on a change of password or role, on lock).
pub async fn delete_for_user<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user: UserId,
) -> Result<u64, StoreError> {
    let r = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user.0)
        .execute(ex)
        .await?;
    Ok(r.rows_affected())
}

/// Removes sessions that can no longer be used.
pub async fn delete_expired<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    idle_before: i64,
    created_before: i64,
) -> Result<u64, StoreError> {
    let r = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
        .bind(idle_before)
        .bind(created_before)
        .execute(ex)
        .await?;
    Ok(r.rows_affected())
}
