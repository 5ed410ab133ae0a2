//! Durable background work. A job is inserted in the transaction of the record that needs
//! it, so the two commit or vanish together; workers then claim jobs one at a time for a
//! lease. A claim is identified by the attempt count it set: finishing, retrying, failing
//! or releasing a job names that count, so a worker whose lease ran out (and whose job was
//! claimed again by another) changes nothing, and each works once per claim (the first
//! clears the claim).
//!
//! Claiming differs by backend only in its locking clause: PostgreSQL skips rows another
//! transaction holds (`FOR UPDATE SKIP LOCKED`), so many workers never wait on each other;
//! SQLite has a single writer, and the claim is one `UPDATE … RETURNING` statement on the
//! store's one write connection, so it is atomic there without it.

use crate::{Backend, Store, StoreError};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

/// A job as its worker holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    /// This claim's number: 1 for the first run, 2 for the first retry, …
    pub attempts: i64,
}

/// A job as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub state: String,
    pub attempts: i64,
    pub run_after: i64,
    pub claimed_until: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub failed_at: Option<i64>,
}

/// How many jobs are waiting, being run, and failed for good.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounts {
    /// Pending and not held by a live claim (due now or waiting for their backoff).
    pub pending: i64,
    /// Held by a claim whose lease has not run out.
    pub running: i64,
    pub failed: i64,
}

fn claimed(r: &AnyRow) -> Result<Claimed, StoreError> {
    Ok(Claimed {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        payload: r.try_get("payload")?,
        attempts: r.try_get("attempts")?,
    })
}

/// Adds a job, due at `run_after` (microseconds). Call it in the transaction of the
/// record the job is about.
pub async fn enqueue<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    kind: &str,
    payload: &str,
    run_after: i64,
    now: i64,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO jobs (kind, payload, state, attempts, run_after, created_at) \
         VALUES ($1, $2, 'pending', 0, $3, $4) RETURNING id",
    )
    .bind(kind)
    .bind(payload)
    .bind(run_after)
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(id)
}

/// Adds a job already claimed by the caller until `lease_until`: for work the caller
/// runs itself right after the commit. Should the process die first, any worker claims
/// the job once the lease has passed.
pub async fn enqueue_claimed<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    kind: &str,
    payload: &str,
    now: i64,
    lease_until: i64,
) -> Result<Claimed, StoreError> {
    let row = sqlx::query(
        "INSERT INTO jobs (kind, payload, state, attempts, run_after, claimed_until, created_at) \
         VALUES ($1, $2, 'pending', 1, $3, $4, $3) RETURNING id, kind, payload, attempts",
    )
    .bind(kind)
    .bind(payload)
    .bind(now)
    .bind(lease_until)
    .fetch_one(ex)
    .await?;
    claimed(&row)
}

/// Claims the job due longest ago (pending, its backoff over, not held by a live claim)
/// until `lease_until`. None when nothing is due.
pub async fn claim(
    store: &Store,
    now: i64,
    lease_until: i64,
) -> Result<Option<Claimed>, StoreError> {
    let lock = match store.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE jobs SET attempts = attempts + 1, claimed_until = $1 \
         WHERE id = (SELECT id FROM jobs WHERE state = 'pending' AND run_after <= $2 \
                     AND (claimed_until IS NULL OR claimed_until <= $2) \
                     ORDER BY run_after, id LIMIT 1{lock}) \
         RETURNING id, kind, payload, attempts"
    );
    let row = sqlx::query(&sql)
        .bind(lease_until)
        .bind(now)
        .fetch_optional(&store.write)
        .await?;
    row.as_ref().map(claimed).transpose()
}

/// The job is done: it is deleted. False when the claim was lost (its lease ran out and
/// another worker claimed the job), in which case nothing changed.
pub async fn complete(store: &Store, job: &Claimed) -> Result<bool, StoreError> {
    let r = sqlx::query("DELETE FROM jobs WHERE id = $1 AND attempts = $2 AND state = 'pending' AND claimed_until IS NOT NULL")
        .bind(job.id)
        .bind(job.attempts)
        .execute(&store.write)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// The attempt failed; the job is tried again from `run_after`. False when the claim was
/// lost.
pub async fn retry(
    store: &Store,
    job: &Claimed,
    error: &str,
    run_after: i64,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE jobs SET claimed_until = NULL, run_after = $1, last_error = $2 \
         WHERE id = $3 AND attempts = $4 AND state = 'pending' AND claimed_until IS NOT NULL",
    )
    .bind(run_after)
    .bind(error)
    .bind(job.id)
    .bind(job.attempts)
    .execute(&store.write)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The job failed for good: kept, with its last error, for an administrator. False when
/// the claim was lost.
pub async fn fail(store: &Store, job: &Claimed, error: &str, now: i64) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE jobs SET state = 'failed', claimed_until = NULL, last_error = $1, failed_at = $2 \
         WHERE id = $3 AND attempts = $4 AND state = 'pending' AND claimed_until IS NOT NULL",
    )
    .bind(error)
    .bind(now)
    .bind(job.id)
    .bind(job.attempts)
    .execute(&store.write)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Gives a claimed job back unrun (the process is stopping): it is due again at once, and
/// this claim does not count as an attempt. False when the claim was lost.
pub async fn release(store: &Store, job: &Claimed) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE jobs SET claimed_until = NULL, attempts = attempts - 1 \
         WHERE id = $1 AND attempts = $2 AND state = 'pending' AND claimed_until IS NOT NULL",
    )
    .bind(job.id)
    .bind(job.attempts)
    .execute(&store.write)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Counts by state at `now` (a claim whose lease has passed counts as pending).
pub async fn counts<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    now: i64,
) -> Result<JobCounts, StoreError> {
    let row = sqlx::query(
        "SELECT \
           COALESCE(SUM(CASE WHEN state = 'pending' AND (claimed_until IS NULL OR claimed_until <= $1) THEN 1 ELSE 0 END), 0) AS pending, \
           COALESCE(SUM(CASE WHEN state = 'pending' AND claimed_until > $1 THEN 1 ELSE 0 END), 0) AS running, \
           COALESCE(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0) AS failed \
         FROM jobs",
    )
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(JobCounts {
        pending: row.try_get("pending")?,
        running: row.try_get("running")?,
        failed: row.try_get("failed")?,
    })
}

fn job_row(r: &AnyRow) -> Result<JobRow, StoreError> {
    Ok(JobRow {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        payload: r.try_get("payload")?,
        state: r.try_get("state")?,
        attempts: r.try_get("attempts")?,
        run_after: r.try_get("run_after")?,
        claimed_until: r.try_get("claimed_until")?,
        last_error: r.try_get("last_error")?,
        created_at: r.try_get("created_at")?,
        failed_at: r.try_get("failed_at")?,
    })
}

const COLUMNS: &str =
    "id, kind, payload, state, attempts, run_after, claimed_until, last_error, created_at, failed_at";

/// Jobs of one kind waiting or running (not failed): whether a purge is queued.
pub async fn pending_of_kind<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    kind: &str,
) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = $1 AND state = 'pending'")
            .bind(kind)
            .fetch_one(ex)
            .await?,
    )
}

/// Failed jobs, the most recent failure first.
pub async fn failed<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    limit: i64,
) -> Result<Vec<JobRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM jobs WHERE state = 'failed' ORDER BY failed_at DESC, id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(ex)
    .await?;
    rows.iter().map(job_row).collect()
}

/// One job, in whatever state.
pub async fn by_id<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<Option<JobRow>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM jobs WHERE id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await?;
    row.as_ref().map(job_row).transpose()
}
