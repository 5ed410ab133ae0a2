//! Accounts: credentials, second factor, lockout state and recovery codes.

use crate::error::conflict;
use crate::{flag, StoreError};
use domain::{OrgId, OrgKind, Role, UserId, Username};
use sqlx::{Any, Executor, Row};

#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: UserId,
    pub org_id: OrgId,
    pub org_name: String,
    pub org_kind: OrgKind,
    pub username: Username,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub totp_last_step: i64,
    pub locked_at: Option<i64>,
    pub disabled_at: Option<i64>,
    pub created_at: i64,
    pub password_changed_at: i64,
}

pub struct NewUser<'a> {
    pub org_id: OrgId,
    pub username: &'a Username,
    pub display_name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
}

const COLUMNS: &str = "u.id, u.org_id, o.name AS org_name, o.kind AS org_kind, u.username, \
    u.display_name, u.role, u.password_hash, u.totp_secret, u.totp_enabled, u.totp_last_step, \
    u.locked_at, u.disabled_at, u.created_at, u.password_changed_at \
    FROM users u JOIN organisations o ON o.id = u.org_id";

fn corrupt(e: domain::DomainError) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn map(r: sqlx::any::AnyRow) -> Result<UserRow, StoreError> {
    let role: String = r.try_get("role")?;
    let kind: String = r.try_get("org_kind")?;
    let username: String = r.try_get("username")?;
    Ok(UserRow {
        id: UserId(r.try_get("id")?),
        org_id: OrgId(r.try_get("org_id")?),
        org_name: r.try_get("org_name")?,
        org_kind: kind.parse().map_err(corrupt)?,
        username: Username::parse(&username).map_err(corrupt)?,
        display_name: r.try_get("display_name")?,
        role: role.parse().map_err(corrupt)?,
        password_hash: r.try_get("password_hash")?,
        totp_secret: r.try_get("totp_secret")?,
        totp_enabled: flag(r.try_get("totp_enabled")?),
        totp_last_step: r.try_get("totp_last_step")?,
        locked_at: r.try_get("locked_at")?,
        disabled_at: r.try_get("disabled_at")?,
        created_at: r.try_get("created_at")?,
        password_changed_at: r.try_get("password_changed_at")?,
    })
}

pub async fn insert<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    u: NewUser<'_>,
    now: i64,
) -> Result<UserId, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (org_id, username, display_name, role, password_hash, created_at, password_changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(u.org_id.0)
    .bind(u.username.as_str())
    .bind(u.display_name)
    .bind(u.role.as_str())
    .bind(u.password_hash)
    .bind(now)
    .fetch_one(ex)
    .await
    .map_err(conflict("a user with that username"))?;
    Ok(UserId(id))
}

pub async fn by_username<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    username: &str,
) -> Result<Option<UserRow>, StoreError> {
    sqlx::query(&format!("SELECT {COLUMNS} WHERE u.username = $1"))
        .bind(username)
        .fetch_optional(ex)
        .await?
        .map(map)
        .transpose()
}

pub async fn by_id<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: UserId,
) -> Result<Option<UserRow>, StoreError> {
    sqlx::query(&format!("SELECT {COLUMNS} WHERE u.id = $1"))
        .bind(id.0)
        .fetch_optional(ex)
        .await?
        .map(map)
        .transpose()
}

/// One page of users, ordered by username, optionally filtered by a substring.
pub async fn list<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    search: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<UserRow>, StoreError> {
    let pattern = format!(
        "%{}%",
        search.unwrap_or("").to_lowercase().replace(['%', '_'], "")
    );
    sqlx::query(&format!(
        "SELECT {COLUMNS} WHERE (lower(u.username) LIKE $1 OR lower(u.display_name) LIKE $1 OR lower(o.name) LIKE $1) \
         ORDER BY u.username LIMIT $2 OFFSET $3"
    ))
    .bind(pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(map)
    .collect()
}

pub async fn count<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    search: Option<&str>,
) -> Result<i64, StoreError> {
    let pattern = format!(
        "%{}%",
        search.unwrap_or("").to_lowercase().replace(['%', '_'], "")
    );
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM users u JOIN organisations o ON o.id = u.org_id \
         WHERE (lower(u.username) LIKE $1 OR lower(u.display_name) LIKE $1 OR lower(o.name) LIKE $1)",
    )
    .bind(pattern)
    .fetch_one(ex)
    .await?)
}

/// Sets a new password hash. Callers also end the user's sessions in the same transaction.
pub async fn set_password<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: UserId,
    hash: &str,
    now: i64,
) -> Result<(), StoreError> {
    let r =
        sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
            .bind(hash)
            .bind(now)
            .bind(id.0)
            .execute(ex)
            .await?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn set_role<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: UserId,
    role: Role,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
        .bind(role.as_str())
        .bind(id.0)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn set_locked<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: UserId,
    locked_at: Option<i64>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET locked_at = $1 WHERE id = $2")
        .bind(locked_at)
        .bind(id.0)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn record_failure<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: UserId,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO login_failures (user_id, at) VALUES ($1, $2)")
        .bind(id.0)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn failures_since<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: UserId,
    since: i64,
) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE user_id = $1 AND at >= $2")
            .bind(id.0)
            .bind(since)
            .fetch_one(ex)
            .await?,
    )
}

pub async fn clear_failures<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: UserId,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM login_failures WHERE user_id = $1")
        .bind(id.0)
        .execute(ex)
        .await?;
    Ok(())
}

/// Stores a TOTP secret (not yet enabled: enrolment confirms it with a first code).
pub async fn set_totp<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: UserId,
    secret: Option<&str>,
    enabled: bool,
    last_step: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE users SET totp_secret = $1, totp_enabled = $2, totp_last_step = $3 WHERE id = $4",
    )
    .bind(secret)
    .bind(i64::from(enabled))
    .bind(last_step)
    .bind(id.0)
    .execute(ex)
    .await?;
    Ok(())
}

/// Second-factor secrets not sealed under the key with id `key_id`: stored plain by an
/// older version, or sealed under a previous key (a rotation re-seals them).
pub async fn totp_secrets_not_under<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    key_id: &str,
) -> Result<Vec<(UserId, String)>, StoreError> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL \
         AND totp_secret NOT LIKE $1 ORDER BY id",
    )
    .bind(format!("sealed:v1:{key_id}:%"))
    .fetch_all(ex)
    .await?;
    Ok(rows.into_iter().map(|(id, s)| (UserId(id), s)).collect())
}

/// Replaces a secret with its sealed form, only if it still holds `was`.
pub async fn reseal_totp_secret<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: UserId,
    was: &str,
    sealed: &str,
) -> Result<bool, StoreError> {
    let r = sqlx::query("UPDATE users SET totp_secret = $1 WHERE id = $2 AND totp_secret = $3")
        .bind(sealed)
        .bind(id.0)
        .bind(was)
        .execute(ex)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Records the time step of an accepted code, only if it is newer than the last one, so a
/// code can be used once. Returns false when another request used this step first.
pub async fn advance_totp_step<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: UserId,
    step: i64,
) -> Result<bool, StoreError> {
    let r =
        sqlx::query("UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1")
            .bind(step)
            .bind(id.0)
            .execute(ex)
            .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn replace_recovery_codes(
    tx: &mut crate::Tx,
    id: UserId,
    hashes: &[String],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    for h in hashes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(id.0)
            .bind(h)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Marks an unused recovery code as used. Returns whether one matched.
pub async fn use_recovery_code<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: UserId,
    hash: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(now)
    .bind(id.0)
    .bind(hash)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn unused_recovery_codes<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: UserId,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(id.0)
    .fetch_one(ex)
    .await?)
}

pub async fn count_all<'e, E: Executor<'e, Database = Any>>(ex: E) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(ex)
        .await?)
}
