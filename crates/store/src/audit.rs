//! The audit log: appended in the caller's transaction, never updated or deleted.

use crate::{StoreError, Tx};
use domain::audit::{AuditEntry, NewAuditEntry};
use sqlx::{Any, Executor, Row};

pub type AuditRow = AuditEntry;

const COLUMNS: &str =
    "seq, at, actor_user_id, actor, action, record_type, record_id, ip, detail, prev_hash, hash";

fn map(r: sqlx::any::AnyRow) -> Result<AuditRow, StoreError> {
    Ok(AuditEntry {
        seq: r.try_get("seq")?,
        at_micros: r.try_get("at")?,
        actor_user_id: r.try_get("actor_user_id")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        record_type: r.try_get("record_type")?,
        record_id: r.try_get("record_id")?,
        ip: r.try_get("ip")?,
        detail: r.try_get("detail")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

/// Appends an entry inside `tx`. Claiming the head row first serialises concurrent appends,
/// so the chain never forks.
pub async fn append(tx: &mut Tx, entry: NewAuditEntry, now: i64) -> Result<i64, StoreError> {
    let row = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut **tx)
        .await?;
    let seq: i64 = row.try_get("seq")?;
    let prev: String = row.try_get("hash")?;
    let e = entry.chain(seq, now, &prev);
    sqlx::query(&format!(
        "INSERT INTO audit_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ))
    .bind(e.seq)
    .bind(e.at_micros)
    .bind(e.actor_user_id)
    .bind(&e.actor)
    .bind(&e.action)
    .bind(&e.record_type)
    .bind(&e.record_id)
    .bind(&e.ip)
    .bind(&e.detail)
    .bind(&e.prev_hash)
    .bind(&e.hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&e.hash)
        .execute(&mut **tx)
        .await?;
    Ok(seq)
}

/// Appends several entries in order with one claim of the head: the same chain as
/// appending them one by one, in fewer statements (for batched writes).
pub async fn append_many(
    tx: &mut Tx,
    entries: Vec<NewAuditEntry>,
    now: i64,
) -> Result<(), StoreError> {
    let n = i64::try_from(entries.len()).unwrap_or(i64::MAX);
    if n == 0 {
        return Ok(());
    }
    let row = sqlx::query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
        .bind(n)
        .fetch_one(&mut **tx)
        .await?;
    let last: i64 = row.try_get("seq")?;
    let mut prev: String = row.try_get("hash")?;
    for (i, entry) in entries.into_iter().enumerate() {
        let seq = last - n + 1 + i64::try_from(i).unwrap_or(0);
        let e = entry.chain(seq, now, &prev);
        sqlx::query(&format!(
            "INSERT INTO audit_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ))
        .bind(e.seq)
        .bind(e.at_micros)
        .bind(e.actor_user_id)
        .bind(&e.actor)
        .bind(&e.action)
        .bind(&e.record_type)
        .bind(&e.record_id)
        .bind(&e.ip)
        .bind(&e.detail)
        .bind(&e.prev_hash)
        .bind(&e.hash)
        .execute(&mut **tx)
        .await?;
        prev = e.hash;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&prev)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Entries with `seq` greater than `after`, oldest first; for verification in batches.
pub async fn batch_after<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    after: i64,
    limit: i64,
) -> Result<Vec<AuditRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
    ))
    .bind(after)
    .bind(limit)
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(map)
    .collect()
}

/// The newest entries first, optionally for one record or one actor.
pub async fn page<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    actor: Option<&str>,
    before_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM audit_log WHERE ($1 = '' OR actor = $1) AND seq < $2 ORDER BY seq DESC LIMIT $3"
    ))
    .bind(actor.unwrap_or(""))
    .bind(before_seq.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(map)
    .collect()
}

/// What the audit page is narrowed to; every part is optional.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter<'a> {
    /// Entries by this username.
    pub actor: Option<&'a str>,
    /// Entries about this record and its parts: kind `report` and id `12` also match
    /// `report_links 12`, `report_cluster_view 12` and `report_file 12/…`.
    pub record: Option<(&'a str, &'a str)>,
    /// One action (`report.note`), or every action under a prefix given as `report.*`.
    pub action: Option<&'a str>,
    /// From this time (UTC microseconds), inclusive.
    pub from: Option<i64>,
    /// Before this time (UTC microseconds), exclusive.
    pub until: Option<i64>,
}

/// `LIKE` patterns match `_` and `%` as wildcards; a value compared literally escapes them.
fn like_literal(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The newest entries first that match `f`, older than `before_seq`.
pub async fn search<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    f: &AuditFilter<'_>,
    before_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditRow>, StoreError> {
    let (kind, id) = f.record.unwrap_or(("", ""));
    let (action, action_prefix) = match f.action {
        Some(a) => match a.strip_suffix(".*") {
            Some(prefix) => ("", format!("{}.%", like_literal(prefix))),
            None => (a, String::new()),
        },
        None => ("", String::new()),
    };
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM audit_log WHERE seq < $1 \
         AND ($2 = '' OR actor = $2) \
         AND ($3 = '' OR record_type = $3 OR record_type LIKE $4 ESCAPE '\\') \
         AND ($5 = '' OR record_id = $5 OR record_id LIKE $6 ESCAPE '\\') \
         AND ($7 = '' OR action = $7) \
         AND ($8 = '' OR action LIKE $8 ESCAPE '\\') \
         AND at >= $9 AND at < $10 \
         ORDER BY seq DESC LIMIT $11"
    ))
    .bind(before_seq.unwrap_or(i64::MAX))
    .bind(f.actor.unwrap_or(""))
    .bind(kind)
    .bind(format!("{}\\_%", like_literal(kind)))
    .bind(id)
    .bind(format!("{}/%", like_literal(id)))
    .bind(action)
    .bind(action_prefix)
    .bind(f.from.unwrap_or(i64::MIN))
    .bind(f.until.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(map)
    .collect()
}

pub async fn head<'e, E: Executor<'e, Database = Any>>(ex: E) -> Result<(i64, String), StoreError> {
    let r = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(ex)
        .await?;
    Ok((r.try_get("seq")?, r.try_get("hash")?))
}
