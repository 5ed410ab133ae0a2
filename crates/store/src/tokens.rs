//! Personal API tokens. Shown once at creation; only a SHA-256 of the token is stored.

use crate::StoreError;
use domain::UserId;
use sqlx::{Any, Executor, Row};

#[derive(Debug, Clone)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: UserId,
    pub name: String,
    /// The first characters of the token, to tell tokens apart in a list.
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub expires_at: Option<i64>,
}

const COLUMNS: &str = "id, user_id, name, prefix, created_at, last_used_at, revoked_at, expires_at";

fn map(r: sqlx::any::AnyRow) -> Result<TokenRow, StoreError> {
    Ok(TokenRow {
        id: r.try_get("id")?,
        user_id: UserId(r.try_get("user_id")?),
        name: r.try_get("name")?,
        prefix: r.try_get("prefix")?,
        created_at: r.try_get("created_at")?,
        last_used_at: r.try_get("last_used_at")?,
        revoked_at: r.try_get("revoked_at")?,
        expires_at: r.try_get("expires_at")?,
    })
}

pub async fn insert<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user: UserId,
    name: &str,
    token_hash: &str,
    prefix: &str,
    now: i64,
    expires_at: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(user.0)
    .bind(name)
    .bind(token_hash)
    .bind(prefix)
    .bind(now)
    .bind(expires_at)
    .fetch_one(ex)
    .await?)
}

/// The live (neither revoked nor expired at `now`) token with this hash.
pub async fn live_by_hash<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    token_hash: &str,
    now: i64,
) -> Result<Option<TokenRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)"
    ))
    .bind(token_hash)
    .bind(now)
    .fetch_optional(ex)
    .await?
    .map(map)
    .transpose()
}

pub async fn list_for_user<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user: UserId,
) -> Result<Vec<TokenRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC"
    ))
    .bind(user.0)
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(map)
    .collect()
}

/// Revokes one of the user's own tokens. Returns false if it was not theirs or not live.
pub async fn revoke<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user: UserId,
    id: i64,
    now: i64,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(user.0)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Revokes every live token of the user (a password reset, a second-factor reset, a
/// lock). Returns how many.
pub async fn revoke_all_for_user<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user: UserId,
    now: i64,
) -> Result<u64, StoreError> {
    let r = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(user.0)
    .execute(ex)
    .await?;
    Ok(r.rows_affected())
}

pub async fn touch<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}
