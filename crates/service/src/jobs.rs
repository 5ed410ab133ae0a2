//! Durable background work: what must happen after a record is stored (linking it, which
//! raises the alerts on missing-child cases) is written as a job in the record's own
//! transaction, so a crash between the commit and the work cannot lose it.
//!
//! A finished provider report or a public tip is answered at once and linked by the
//! worker (`run_job_worker`, started by `clearinghouse serve` and `demo`), woken as soon as
//! the job is committed. A case made or changed in the product and each import batch are
//! linked by the caller right after the commit, as before, through a job the caller claims
//! in the same transaction: if the process dies first, a worker claims it once the lease
//! has passed. Jobs are idempotent (linking a record twice stores the same links and raises
//! no alert twice), so a job run twice after a crash does no harm.
//!
//! A failed attempt is retried with exponential backoff; after [`MAX_ATTEMPTS`] the job is
//! kept as failed with its last error, which administrators see at `/admin/jobs` and in
//! `/metrics`. Tests run jobs explicitly with [`Services::run_pending_jobs`].

use crate::error::{Result, ServiceError};
use crate::Services;
use domain::{Action, Principal};
use domain::{JobId, RecordKind, RecordRef};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use store::jobs::{self as q, Claimed};
use tokio::sync::Notify;

/// Link these records against everything stored.
pub const LINK: &str = "link";
/// A claim holds a job this long; a job whose worker died is claimed again after it.
/// Linking one import batch takes seconds.
pub const LEASE: Duration = Duration::from_secs(5 * 60);
/// Attempts before a job is recorded as failed for good.
pub const MAX_ATTEMPTS: i64 = 8;
/// The wait after the first failed attempt, doubled after each further one...
pub const FIRST_BACKOFF: Duration = Duration::from_secs(10);
/// ...up to this.
pub const MAX_BACKOFF: Duration = Duration::from_secs(60 * 60);
/// An idle worker looks for due jobs this often (retries whose backoff has passed, jobs
/// of another process) even when nobody wakes it.
const IDLE_POLL: Duration = Duration::from_secs(5);
/// On shutdown a job being run gets this long to finish; after that it is given back.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// Failed jobs listed for administrators at most.
const FAILED_LISTED: i64 = 200;

/// The process's handle on background work: wakes the worker when a job is committed.
#[derive(Clone, Default)]
pub struct Jobs {
    wake: Arc<Notify>,
}

/// What a `link` job carries.
#[derive(Serialize, Deserialize)]
struct LinkPayload {
    /// (kind, id) of each record.
    records: Vec<(RecordKind, i64)>,
}

/// Jobs by state, for administrators and metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounts {
    pub pending: i64,
    pub running: i64,
    pub failed: i64,
}

/// A job that failed for good, as an administrator sees it.
#[derive(Debug, Clone)]
pub struct FailedJob {
    pub id: JobId,
    pub kind: String,
    /// What it was about, in words ("link report 12, case 3").
    pub about: String,
    pub attempts: i64,
    pub created_at: i64,
    pub failed_at: i64,
    pub last_error: String,
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// The wait before attempt `attempts + 1`.
pub fn backoff(attempts: i64) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    FIRST_BACKOFF
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(MAX_BACKOFF)
}

fn link_payload(records: &[RecordRef]) -> Result<String> {
    serde_json::to_string(&LinkPayload {
        records: records.iter().map(|r| (r.kind, r.id)).collect(),
    })
    .map_err(|e| ServiceError::Internal(Box::new(e)))
}

/// An error with its causes, for the job's record (administrators read it).
fn describe(e: &ServiceError) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn about(kind: &str, payload: &str) -> String {
    if kind != LINK {
        return kind.to_owned();
    }
    match serde_json::from_str::<LinkPayload>(payload) {
        Ok(p) => {
            let shown: Vec<String> = p
                .records
                .iter()
                .take(5)
                .map(|(k, id)| format!("{k} {id}"))
                .collect();
            let more = p.records.len().saturating_sub(shown.len());
            let mut text = format!("link {}", shown.join(", "));
            if more > 0 {
                text.push_str(&format!(" and {more} more"));
            }
            text
        }
        Err(_) => "link (unreadable payload)".to_owned(),
    }
}

impl Services {
    /// In the caller's transaction: a job to link `records`, run by the worker. Call
    /// [`Services::wake_jobs`] after the commit.
    pub async fn enqueue_linking(&self, tx: &mut store::Tx, records: &[RecordRef]) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        let now = self.now();
        q::enqueue(&mut **tx, LINK, &link_payload(records)?, now, now).await?;
        Ok(())
    }

    /// In the caller's transaction: a job to link `records` that the caller runs itself
    /// right after the commit with [`Services::run_claimed`]. None when there is nothing
    /// to link.
    pub async fn enqueue_linking_claimed(
        &self,
        tx: &mut store::Tx,
        records: &[RecordRef],
    ) -> Result<Option<Claimed>> {
        if records.is_empty() {
            return Ok(None);
        }
        let now = self.now();
        let job = q::enqueue_claimed(
            &mut **tx,
            LINK,
            &link_payload(records)?,
            now,
            now + micros(LEASE),
        )
        .await?;
        Ok(Some(job))
    }

    /// Tells this process's worker that a job was committed.
    pub fn wake_jobs(&self) {
        self.jobs.wake.notify_one();
    }

    /// Runs a job the caller holds and records the outcome: done (deleted), retried after
    /// a backoff, or failed for good. A failure is logged, never returned: the record the
    /// job is about is committed and its caller answered. True when the job is done.
    pub async fn run_claimed(&self, job: Claimed) -> bool {
        let outcome = if job.attempts > MAX_ATTEMPTS {
            // Claimed again and again and never finished: each process running it stopped.
            Err(format!(
                "claimed {} times without finishing: the process running it stopped each time",
                job.attempts
            ))
        } else {
            self.perform(&job).await.map_err(|e| describe(&e))
        };
        let recorded = match &outcome {
            Ok(()) => q::complete(&self.store, &job).await,
            Err(error) if job.attempts >= MAX_ATTEMPTS => {
                tracing::error!(job = job.id, kind = %job.kind, attempts = job.attempts, %error,
                    "a background job failed for good; administrators see it at /admin/jobs");
                let now = self.now();
                q::fail(&self.store, &job, error, now).await
            }
            Err(error) => {
                let wait = backoff(job.attempts);
                tracing::warn!(job = job.id, kind = %job.kind, attempts = job.attempts, %error,
                    retry_in_secs = wait.as_secs(), "a background job failed; it will be retried");
                let at = self.now() + micros(wait);
                q::retry(&self.store, &job, error, at).await
            }
        };
        match &recorded {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                job = job.id,
                "a background job's lease ran out while it ran; another worker has it"
            ),
            Err(e) => tracing::warn!(job = job.id, error = %e,
                "could not record a background job's outcome; it runs again after its lease"),
        }
        let kind = match job.kind.as_str() {
            LINK => LINK,
            crate::statistics::RELEASE_JOB => crate::statistics::RELEASE_JOB,
            crate::watchlists::mail::MAIL_JOB => crate::watchlists::mail::MAIL_JOB,
            crate::retention::PURGE_JOB => crate::retention::PURGE_JOB,
            crate::retention::DAILY_JOB => crate::retention::DAILY_JOB,
            _ => "other",
        };
        let result = match &outcome {
            Ok(()) => "done",
            Err(_) if job.attempts >= MAX_ATTEMPTS => "failed",
            Err(_) => "retried",
        };
        metrics::counter!("clearinghouse_jobs_run_total", "kind" => kind, "outcome" => result)
            .increment(1);
        outcome.is_ok() && matches!(recorded, Ok(true))
    }

    async fn perform(&self, job: &Claimed) -> Result<()> {
        match job.kind.as_str() {
            LINK => {
                let payload: LinkPayload = serde_json::from_str(&job.payload)
                    .map_err(|e| ServiceError::Invalid(format!("the job's records are not readable: {e}")))?;
                let records: Vec<RecordRef> = payload
                    .records
                    .iter()
                    .map(|(k, id)| RecordRef::new(*k, *id))
                    .collect();
                self.link_records(&records).await?;
                Ok(())
            }
            // Public statistics
            crate::statistics::RELEASE_JOB => self.run_statistics_job(&job.payload).await,
            // Watchlists (issue 24)
            crate::watchlists::mail::MAIL_JOB => self.run_mail_job(&job.payload).await,
            // Retention (issue 25)
            crate::retention::PURGE_JOB => self.run_purge_job(&job.payload).await,
            crate::retention::DAILY_JOB => self.run_daily_purge_job().await,
            other => Err(ServiceError::Invalid(format!(
                "no worker knows jobs of kind {other:?}; this build is older than the one that wrote it"
            ))),
        }
    }

    /// Claims the next due job and runs it. False when nothing was due.
    pub async fn run_next_job(&self) -> Result<bool> {
        let now = self.now();
        match q::claim(&self.store, now, now + micros(LEASE)).await? {
            Some(job) => {
                self.run_claimed(job).await;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Runs due jobs until none is left; returns how many ran. For tests and commands,
    /// which run jobs explicitly instead of waiting for a worker.
    pub async fn run_pending_jobs(&self) -> Result<usize> {
        let mut n = 0;
        while self.run_next_job().await? {
            n += 1;
        }
        Ok(n)
    }

    /// The worker: runs due jobs, one at a time, until `stop` turns true (or its sender
    /// is dropped). Then the job in hand gets [`SHUTDOWN_GRACE`] to finish, and is given
    /// back unrun after that.
    pub async fn run_job_worker(&self, mut stop: tokio::sync::watch::Receiver<bool>) {
        tracing::info!("background jobs: worker started");
        while !*stop.borrow() {
            let now = self.now();
            let claimed = match q::claim(&self.store, now, now + micros(LEASE)).await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "background jobs: could not claim a job");
                    None
                }
            };
            let Some(job) = claimed else {
                tokio::select! {
                    _ = self.jobs.wake.notified() => {}
                    _ = tokio::time::sleep(IDLE_POLL) => {}
                    changed = stop.changed() => {
                        // A dropped sender can never say stop: stop now rather than spin.
                        if changed.is_err() {
                            break;
                        }
                    }
                }
                continue;
            };
            let mut run = Box::pin(self.run_claimed(job.clone()));
            tokio::select! {
                _ = &mut run => continue,
                _ = stop.changed() => {}
            }
            if tokio::time::timeout(SHUTDOWN_GRACE, &mut run)
                .await
                .is_err()
            {
                // Dropping the run rolls back its open transaction; what it committed
                // stays, and running the job again is harmless (jobs are idempotent).
                drop(run);
                match q::release(&self.store, &job).await {
                    Ok(_) => {
                        tracing::info!(job = job.id, "background jobs: gave back an unfinished job")
                    }
                    Err(e) => tracing::warn!(job = job.id, error = %e,
                        "background jobs: could not give back a job; it runs again after its lease"),
                }
            }
            break;
        }
        tracing::info!("background jobs: worker stopped");
    }

    /// Jobs by state. Administrators only.
    pub async fn job_counts(&self, who: &Principal) -> Result<JobCounts> {
        if !domain::policy::permits(Some(who), Action::ViewJobs) {
            return Err(ServiceError::Forbidden);
        }
        self.job_counts_unchecked().await
    }

    /// Jobs by state, for the operators' metrics (counts only, nothing about a person).
    /// The database pools' connections, for the operators' metrics (no authority needed:
    /// numbers about the server, not about anyone).
    pub fn pool_sizes(&self) -> store::PoolSizes {
        self.store.pool_sizes()
    }

    pub async fn job_counts_unchecked(&self) -> Result<JobCounts> {
        let c = q::counts(self.store.reader(), self.now()).await?;
        Ok(JobCounts {
            pending: c.pending,
            running: c.running,
            failed: c.failed,
        })
    }

    /// Failed jobs, the latest first. Administrators only.
    pub async fn failed_jobs(&self, who: &Principal) -> Result<Vec<FailedJob>> {
        if !domain::policy::permits(Some(who), Action::ViewJobs) {
            return Err(ServiceError::Forbidden);
        }
        Ok(q::failed(self.store.reader(), FAILED_LISTED)
            .await?
            .into_iter()
            .map(|r| FailedJob {
                about: about(&r.kind, &r.payload),
                id: JobId(r.id),
                kind: r.kind,
                attempts: r.attempts,
                created_at: r.created_at,
                failed_at: r.failed_at.unwrap_or(r.created_at),
                last_error: r.last_error.unwrap_or_default(),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_first_wait_up_to_the_cap() {
        assert_eq!(backoff(1), FIRST_BACKOFF);
        assert_eq!(backoff(2), FIRST_BACKOFF * 2);
        assert_eq!(backoff(4), FIRST_BACKOFF * 8);
        assert_eq!(backoff(MAX_ATTEMPTS + 100), MAX_BACKOFF);
        assert_eq!(backoff(0), FIRST_BACKOFF);
        assert_eq!(backoff(i64::MAX), MAX_BACKOFF);
    }

    #[test]
    fn a_link_job_is_described_by_its_records() {
        let payload = link_payload(&[RecordRef::report(12), RecordRef::case(3)]).unwrap();
        assert_eq!(about(LINK, &payload), "link report 12, case 3");
        let many: Vec<RecordRef> = (1..=8).map(RecordRef::ad).collect();
        assert_eq!(
            about(LINK, &link_payload(&many).unwrap()),
            "link ad 1, ad 2, ad 3, ad 4, ad 5 and 3 more"
        );
        assert_eq!(about(LINK, "{"), "link (unreadable payload)");
        assert_eq!(about("other", "{}"), "other");
    }

    /// Jobs queued before the kinds were typed must still run, and an unknown kind must
    /// fail the job rather than link some other record.
    #[test]
    fn the_link_payload_keeps_its_stored_form() {
        let payload = link_payload(&[RecordRef::report(12), RecordRef::ad(3)]).unwrap();
        assert_eq!(payload, r#"{"records":[["report",12],["ad",3]]}"#);
        let read: LinkPayload = serde_json::from_str(r#"{"records":[["case",5]]}"#).unwrap();
        assert_eq!(read.records, vec![(RecordKind::Case, 5)]);
        assert!(serde_json::from_str::<LinkPayload>(r#"{"records":[["tip",5]]}"#).is_err());
    }
}
