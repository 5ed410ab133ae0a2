//! Group commit for provider submissions. Parsing and validating a report runs in the
//! request's own task, on any core; the write goes to one writer task that takes every
//! submission waiting (up to [`MAX_BATCH`]) and commits them in one transaction, so one
//! sync to disk covers many reports. Each caller is answered only after that commit: a
//! returned report id still means the report is durable.
//!
//! If a batch fails, its reports are retried one by one, so one bad row never costs the
//! others their place.

use crate::audit::By;
use crate::clock::Clock;
use crate::error::ServiceError;
use domain::{OrgId, UserId};
use std::sync::{Arc, OnceLock};
use store::reports::{self, NewReport, ReportState};
use store::{audit, Store};
use tokio::sync::{mpsc, oneshot};

/// The most submissions one transaction holds: enough to amortise the sync, few enough
/// that the first caller of a batch does not wait long.
pub const MAX_BATCH: usize = 256;

/// A validated provider report waiting to be written.
pub(crate) struct Pending {
    pub submitted_by: UserId,
    pub submitter_org: OrgId,
    pub username: String,
    pub ip: Option<String>,
    pub incident_type: &'static str,
    pub incident_at: String,
    pub summary: String,
    pub search_text: String,
    pub report_json: String,
    pub original_xml: String,
    pub assessed: store::reports::Assessed,
    pub reply: oneshot::Sender<Result<i64, ServiceError>>,
}

/// The most bytes of reports waiting for the writer, in KiB: a report of 10 MiB is held
/// three times (XML, JSON, search text), so a count of reports alone would not bound memory.
const MAX_QUEUED_KIB: usize = 256 * 1024;

/// The queue in front of the writer task, shared by every clone of `Services`; the task
/// starts on first use (inside the runtime).
#[derive(Clone)]
pub struct SubmitQueue {
    sender: Arc<OnceLock<mpsc::Sender<Pending>>>,
    budget: Arc<tokio::sync::Semaphore>,
}

impl Default for SubmitQueue {
    fn default() -> Self {
        SubmitQueue {
            sender: Arc::default(),
            budget: Arc::new(tokio::sync::Semaphore::new(MAX_QUEUED_KIB)),
        }
    }
}

impl SubmitQueue {
    /// Waits until `bytes` more fit in the queue; the room is given back when the permit
    /// is dropped (after the caller's answer).
    pub(crate) async fn room(
        &self,
        bytes: usize,
    ) -> Result<tokio::sync::OwnedSemaphorePermit, ServiceError> {
        let kib = u32::try_from(bytes / 1024 + 1)
            .unwrap_or(u32::MAX)
            .min(u32::try_from(MAX_QUEUED_KIB).unwrap_or(u32::MAX));
        self.budget
            .clone()
            .acquire_many_owned(kib)
            .await
            .map_err(|_| ServiceError::Internal("the report queue is closed".into()))
    }

    pub(crate) fn sender(&self, store: &Store, clock: &Clock) -> mpsc::Sender<Pending> {
        self.sender
            .get_or_init(|| {
                let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
                tokio::spawn(writer(store.clone(), clock.clone(), rx));
                tx
            })
            .clone()
    }
}

async fn writer(store: Store, clock: Clock, mut rx: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let now = clock.now_micros();
        match write(&store, &batch, now).await {
            Ok(ids) => {
                for (p, id) in batch.drain(..).zip(ids) {
                    // A caller that went away is not answered; its report is committed.
                    let _ = p.reply.send(Ok(id));
                }
            }
            Err(Failed::AtCommit(e)) => {
                // The commit may or may not have reached the disk: writing the reports again
                // could store them twice. Each caller gets a server error and may resend.
                tracing::error!(error = %e, size = batch.len(), "committing a batch of submissions failed");
                for p in batch.drain(..) {
                    let _ = p.reply.send(Err(ServiceError::Internal(
                        "the report could not be committed; send it again".into(),
                    )));
                }
            }
            Err(Failed::Before(e)) => {
                tracing::warn!(error = %e, size = batch.len(), "a batch of submissions failed; writing them one by one");
                for p in batch.drain(..) {
                    let one = write(&store, std::slice::from_ref(&p), now)
                        .await
                        .map_err(Failed::into_inner)
                        .and_then(|ids| {
                            ids.first()
                                .copied()
                                .ok_or_else(|| ServiceError::Internal("empty write".into()))
                        });
                    let _ = p.reply.send(one);
                }
            }
        }
    }
}

/// Where a batch failed: before the commit nothing was stored, so each report can be
/// retried alone; at the commit the outcome is unknown.
enum Failed {
    Before(ServiceError),
    AtCommit(ServiceError),
}

impl Failed {
    fn into_inner(self) -> ServiceError {
        match self {
            Failed::Before(e) | Failed::AtCommit(e) => e,
        }
    }
}

impl<E: Into<ServiceError>> From<E> for Failed {
    fn from(e: E) -> Self {
        Failed::Before(e.into())
    }
}

async fn write(store: &Store, batch: &[Pending], now: i64) -> Result<Vec<i64>, Failed> {
    let mut tx = store.begin().await?;
    let mut ids = Vec::with_capacity(batch.len());
    let mut entries = Vec::with_capacity(batch.len());
    for p in batch {
        let id = reports::insert(
            &mut *tx,
            &NewReport {
                source: "provider",
                submitted_by: Some(p.submitted_by),
                submitter_org: Some(p.submitter_org),
                state: ReportState::Open,
                incident_type: p.incident_type,
                incident_at: Some(&p.incident_at),
                summary: &p.summary,
                search_text: &p.search_text,
                report_json: &p.report_json,
                original_xml: Some(&p.original_xml),
                assessed: &p.assessed,
                when_given: None,
            },
            now,
        )
        .await?;
        entries.push(
            By::account(p.username.as_str(), p.submitted_by, p.ip.clone(), now).entry(
                "report.submit",
                domain::RecordRef::report(id),
                None,
            ),
        );
        ids.push(id);
    }
    audit::append_many(&mut tx, entries, now).await?;
    store::commit(tx)
        .await
        .map_err(|e| Failed::AtCommit(e.into()))?;
    Ok(ids)
}
