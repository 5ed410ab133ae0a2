//! Watchlists (issue 24, migration 0022): watches on identifiers and records, the
//! notifications newly linked records raise, and where a watcher is told by e-mail.

use crate::links::params;
use crate::{record_kind, StoreError};
use domain::{RecordRef, UserId};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

/// A watch as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchRow {
    pub id: i64,
    pub user_id: UserId,
    pub kind: String,
    pub value: String,
    pub label: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub renewed_at: Option<i64>,
}

const WATCH_COLUMNS: &str = "id, user_id, kind, value, label, created_at, expires_at, renewed_at";

fn watch(r: &AnyRow) -> Result<WatchRow, StoreError> {
    Ok(WatchRow {
        id: r.try_get("id")?,
        user_id: UserId(r.try_get("user_id")?),
        kind: r.try_get("kind")?,
        value: r.try_get("value")?,
        label: r.try_get("label")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        renewed_at: r.try_get("renewed_at")?,
    })
}

/// Adds a watch. Returns its id.
pub async fn insert_watch<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user: UserId,
    kind: &str,
    value: &str,
    label: &str,
    now: i64,
    expires_at: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO watches (user_id, kind, value, label, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(user.0)
    .bind(kind)
    .bind(value)
    .bind(label)
    .bind(now)
    .bind(expires_at)
    .fetch_one(ex)
    .await?)
}

/// The user's watch of this kind and value that is not removed (expired or not).
pub async fn existing<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user: UserId,
    kind: &str,
    value: &str,
) -> Result<Option<WatchRow>, StoreError> {
    let sql = format!(
        "SELECT {WATCH_COLUMNS} FROM watches WHERE user_id = $1 AND kind = $2 AND value = $3 \
         AND removed_at IS NULL ORDER BY id LIMIT 1"
    );
    sqlx::query(&sql)
        .bind(user.0)
        .bind(kind)
        .bind(value)
        .fetch_optional(ex)
        .await?
        .as_ref()
        .map(watch)
        .transpose()
}

/// One of the user's watches not removed; None for another user's.
pub async fn watch_of<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user: UserId,
    id: i64,
) -> Result<Option<WatchRow>, StoreError> {
    let sql = format!(
        "SELECT {WATCH_COLUMNS} FROM watches WHERE id = $1 AND user_id = $2 AND removed_at IS NULL"
    );
    sqlx::query(&sql)
        .bind(id)
        .bind(user.0)
        .fetch_optional(ex)
        .await?
        .as_ref()
        .map(watch)
        .transpose()
}

/// The user's watches not removed, those expiring soonest first.
pub async fn watches_of<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user: UserId,
    limit: i64,
    offset: i64,
) -> Result<Vec<WatchRow>, StoreError> {
    let sql = format!(
        "SELECT {WATCH_COLUMNS} FROM watches WHERE user_id = $1 AND removed_at IS NULL \
         ORDER BY expires_at, id LIMIT $2 OFFSET $3"
    );
    sqlx::query(&sql)
        .bind(user.0)
        .bind(limit)
        .bind(offset)
        .fetch_all(ex)
        .await?
        .iter()
        .map(watch)
        .collect()
}

pub async fn count_watches_of<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user: UserId,
) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM watches WHERE user_id = $1 AND removed_at IS NULL",
        )
        .bind(user.0)
        .fetch_one(ex)
        .await?,
    )
}

/// Moves a watch's expiry. False when it is not the user's or was removed.
pub async fn renew<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user: UserId,
    id: i64,
    expires_at: i64,
    now: i64,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE watches SET expires_at = $1, renewed_at = $2 \
         WHERE id = $3 AND user_id = $4 AND removed_at IS NULL",
    )
    .bind(expires_at)
    .bind(now)
    .bind(id)
    .bind(user.0)
    .execute(ex)
    .await?
    .rows_affected()
        == 1)
}

/// Removes a watch (kept for its notifications). False when it is not the user's.
pub async fn remove<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user: UserId,
    id: i64,
    now: i64,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE watches SET removed_at = $1 WHERE id = $2 AND user_id = $3 AND removed_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(user.0)
    .execute(ex)
    .await?
    .rows_affected()
        == 1)
}

/// Watches in force at `now` of one kind on any of `values` (at most
/// [`crate::links::MAX_IN`]).
pub async fn active_on<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    kind: &str,
    values: &[String],
    now: i64,
) -> Result<Vec<WatchRow>, StoreError> {
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {WATCH_COLUMNS} FROM watches WHERE kind = $1 AND expires_at > $2 \
         AND removed_at IS NULL AND value IN ({}) ORDER BY id",
        params(3, values.len())
    );
    let mut q = sqlx::query(&sql).bind(kind).bind(now);
    for v in values {
        q = q.bind(v);
    }
    q.fetch_all(ex).await?.iter().map(watch).collect()
}

/// A notification as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRow {
    pub id: i64,
    pub user_id: UserId,
    pub watch_id: i64,
    pub record: RecordRef,
    pub reason: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
    pub emailed_at: Option<i64>,
}

const NOTE_COLUMNS: &str =
    "id, user_id, watch_id, record_kind, record_id, reason, created_at, read_at, emailed_at";

fn note(r: &AnyRow) -> Result<NotificationRow, StoreError> {
    Ok(NotificationRow {
        id: r.try_get("id")?,
        user_id: UserId(r.try_get("user_id")?),
        watch_id: r.try_get("watch_id")?,
        record: RecordRef::new(
            record_kind("notifications.record_kind", r.try_get("record_kind")?)?,
            r.try_get("record_id")?,
        ),
        reason: r.try_get("reason")?,
        created_at: r.try_get("created_at")?,
        read_at: r.try_get("read_at")?,
        emailed_at: r.try_get("emailed_at")?,
    })
}

/// Raises a notification unless this watch already has one for this record. Returns the
/// new one's id.
pub async fn insert_notification<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user: UserId,
    watch_id: i64,
    record: RecordRef,
    reason: &str,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO notifications (user_id, watch_id, record_kind, record_id, reason, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (watch_id, record_kind, record_id) DO NOTHING RETURNING id",
    )
    .bind(user.0)
    .bind(watch_id)
    .bind(record.kind.as_str())
    .bind(record.id)
    .bind(reason)
    .bind(now)
    .fetch_optional(ex)
    .await?)
}

/// The user's notifications: unread first, then the newest.
pub async fn notifications_of<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user: UserId,
    limit: i64,
    offset: i64,
) -> Result<Vec<NotificationRow>, StoreError> {
    let sql = format!(
        "SELECT {NOTE_COLUMNS} FROM notifications WHERE user_id = $1 \
         ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id DESC \
         LIMIT $2 OFFSET $3"
    );
    sqlx::query(&sql)
        .bind(user.0)
        .bind(limit)
        .bind(offset)
        .fetch_all(ex)
        .await?
        .iter()
        .map(note)
        .collect()
}

/// (all, unread) of the user's notifications.
pub async fn count_notifications_of<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user: UserId,
) -> Result<(i64, i64), StoreError> {
    let r = sqlx::query(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END), 0) \
         FROM notifications WHERE user_id = $1",
    )
    .bind(user.0)
    .fetch_one(ex)
    .await?;
    Ok((r.try_get(0)?, r.try_get(1)?))
}

/// One notification, whoever's it is.
pub async fn notification<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<Option<NotificationRow>, StoreError> {
    let sql = format!("SELECT {NOTE_COLUMNS} FROM notifications WHERE id = $1");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(ex)
        .await?
        .as_ref()
        .map(note)
        .transpose()
}

/// Marks one of the user's notifications read (once). False when it is not theirs or
/// was read already.
pub async fn mark_read<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user: UserId,
    id: i64,
    now: i64,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .bind(user.0)
    .execute(ex)
    .await?
    .rows_affected()
        == 1)
}

/// Records that the e-mail about a notification was sent. False when it was already.
pub async fn mark_emailed<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    now: i64,
) -> Result<bool, StoreError> {
    Ok(
        sqlx::query(
            "UPDATE notifications SET emailed_at = $1 WHERE id = $2 AND emailed_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(ex)
        .await?
        .rows_affected()
            == 1,
    )
}

/// Where the user is told by e-mail, if anywhere.
pub async fn address_of<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user: UserId,
) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT email FROM notification_addresses WHERE user_id = $1")
            .bind(user.0)
            .fetch_optional(ex)
            .await?,
    )
}

/// Sets (Some) or clears (None) where the user is told by e-mail.
pub async fn set_address<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user: UserId,
    email: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    match email {
        Some(e) => {
            sqlx::query(
                "INSERT INTO notification_addresses (user_id, email, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, updated_at = excluded.updated_at",
            )
            .bind(user.0)
            .bind(e)
            .bind(now)
            .execute(ex)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM notification_addresses WHERE user_id = $1")
                .bind(user.0)
                .execute(ex)
                .await?;
        }
    }
    Ok(())
}

/// The template label (`ad:N`) the ad belongs to, if template links joined it to others.
pub async fn template_of_ad<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    ad: i64,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT value FROM record_links WHERE reason = 'template' \
         AND ((a_kind = 'ad' AND a_id = $1) OR (b_kind = 'ad' AND b_id = $2)) LIMIT 1",
    )
    .bind(ad)
    .bind(ad)
    .fetch_optional(ex)
    .await?)
}
