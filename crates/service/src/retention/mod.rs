//! Retention (issue 25): legal holds, and the purge of records past their period.
//!
//! Supervisors and administrators (`ManageLegalHolds`) see the periods in force, what is
//! due now, and the holds; they place a hold on a report, a case or a recovery plan with a
//! reason and release it with one (both audited, `retention.hold` and `retention.release`).
//! An administrator (`PurgeRecords`) or the operator (`clearinghouse admin purge`) starts
//! a purge, which is a durable job (`retention_purge`): in one transaction it deletes the
//! records `domain::retention::is_due` names, with everything that hangs off them
//! (`store::retention::delete_*`), the file rows of provider reports that will never be
//! finished (retracted or expired), and writes **one** audit entry, `retention.purge`,
//! holding only counts per record type and the SHA-256 of the sorted purged ids, never a
//! name or a narrative. Existing audit entries are not touched, so the chain verifies.
//! After the commit the files' blobs are deleted, and blobs that no row names (orphans)
//! are swept once older than [`ORPHAN_MIN_AGE`], so an upload between its file and its row
//! is never raced.

use crate::audit::{audited, By, Subject};
use crate::error::{Result, ServiceError};
use crate::{Ip, Services};
use domain::policy::permits;
use domain::retention::{self as rules, Closed, HeldKind, RecordType, RetentionPolicy};
use domain::{Action, CaseId, Principal};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::{Duration, UNIX_EPOCH};
use store::retention as q;

/// The job that runs a purge asked for (an administrator's button, the command line).
pub const PURGE_JOB: &str = "retention_purge";
/// The daily purge: runs at [`DAILY_AT`] and queues the next day's in its transaction.
pub const DAILY_JOB: &str = "retention_daily";
/// When the daily purge runs: 03:00 UTC.
const DAILY_AT: i64 = 3 * 60 * 60 * 1_000_000;
/// Who the daily purge's audit entry says asked for it.
const DAILY_BY: &str = "daily schedule";
/// Blobs that no row names are deleted only once this old: a file is written before the
/// row that names it is committed.
pub const ORPHAN_MIN_AGE: Duration = Duration::from_secs(60 * 60);
/// Holds listed on the page at most (in force; and as many released).
const HOLDS_LISTED: i64 = 500;
/// A provider's unfinished report expires this long after submission (as intake says)…
const OPEN_MAX: i64 = 24 * 60 * crate::clock::MICROS_PER_MINUTE;
/// …or this long after its last change.
const OPEN_IDLE: i64 = 60 * crate::clock::MICROS_PER_MINUTE;

/// A legal hold as the page and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HoldView {
    pub id: i64,
    pub kind: HeldKind,
    pub record_id: i64,
    /// How people name the record: `report 12`, `case CH-000003`, `recovery plan 4`.
    pub record: String,
    pub reason: String,
    pub placed_by: String,
    pub placed_at: i64,
    pub released_by: Option<String>,
    pub released_at: Option<i64>,
    pub release_reason: Option<String>,
}

/// A record named as people read it.
pub fn record_name(kind: HeldKind, id: i64) -> String {
    match kind {
        HeldKind::Report => format!("report {id}"),
        HeldKind::Case => format!("case {}", CaseId(id).number()),
        HeldKind::RecoveryPlan => format!("recovery plan {id}"),
    }
}

impl From<q::HoldRow> for HoldView {
    fn from(r: q::HoldRow) -> Self {
        HoldView {
            record: record_name(r.kind, r.record_id),
            id: r.id,
            kind: r.kind,
            record_id: r.record_id,
            reason: r.reason,
            placed_by: r.placed_by,
            placed_at: r.placed_at,
            released_by: r.released_by,
            released_at: r.released_at,
            release_reason: r.release_reason,
        }
    }
}

/// One record type on the page: its period in words and how many records are due now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypeView {
    pub record_type: RecordType,
    pub label: &'static str,
    pub period: String,
    pub days: Option<i64>,
    /// Past the period and on no hold: the next purge deletes them.
    pub due: u64,
    /// Past the period but kept by a hold.
    pub held: u64,
}

/// What `/admin/retention` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionOverview {
    pub types: Vec<TypeView>,
    pub holds: Vec<HoldView>,
    pub released: Vec<HoldView>,
    /// A purge job waits or runs.
    pub purge_waiting: bool,
}

/// What a purge deleted (or, dry, would delete): counts only.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct PurgeOutcome {
    pub dry_run: bool,
    /// Records deleted, by record type (`unsubstantiated_tips`, …); every type listed.
    pub records: BTreeMap<String, u64>,
    /// Records past their period kept by a legal hold.
    pub held: u64,
    /// Files of purged reports and photos of purged cases.
    pub record_files: u64,
    /// Files of provider reports retracted or expired unfinished.
    pub abandoned_files: u64,
    /// Stored files no row names, older than an hour.
    pub orphan_files: u64,
    /// SHA-256 (hex) of the purged records as `kind:id`, sorted by kind then number and
    /// joined by commas (`domain::retention::purged_ids_text`).
    pub ids_sha256: String,
}

impl PurgeOutcome {
    pub fn total_records(&self) -> u64 {
        self.records.values().sum()
    }
}

/// What the purge job carries: who asked, for the audit entry.
#[derive(Serialize, Deserialize)]
struct PurgePayload {
    requested_by: String,
}

/// A problem with the hold form, by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldProblem {
    pub field: &'static str,
    pub message: String,
}

#[derive(Debug)]
pub enum HoldError {
    Form(Vec<HoldProblem>),
    Service(ServiceError),
}

impl From<ServiceError> for HoldError {
    fn from(e: ServiceError) -> Self {
        HoldError::Service(e)
    }
}

impl From<store::StoreError> for HoldError {
    fn from(e: store::StoreError) -> Self {
        HoldError::Service(e.into())
    }
}

/// The hold form as typed: the kind, the record's number, the reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct HoldForm {
    pub kind: String,
    pub number: String,
    pub reason: String,
}

impl HoldForm {
    /// Checks the form into (kind, id, reason), every problem named by its field.
    pub fn check(&self) -> std::result::Result<(HeldKind, i64, String), Vec<HoldProblem>> {
        let mut problems = Vec::new();
        let kind = HeldKind::parse(self.kind.trim());
        if kind.is_none() {
            problems.push(HoldProblem {
                field: "kind",
                message: "Choose whether the hold is on a report, a case or a recovery plan".into(),
            });
        }
        let n = self.number.trim();
        let id = match kind {
            Some(HeldKind::Case) => CaseId::parse_number(n)
                .map(|c| c.0)
                .or_else(|| n.parse::<i64>().ok().filter(|v| *v > 0)),
            _ => n.parse::<i64>().ok().filter(|v| *v > 0),
        };
        if id.is_none() {
            problems.push(HoldProblem {
                field: "number",
                message: "Enter the record's number, like 12 for a report or CH-000003 for a case"
                    .into(),
            });
        }
        let reason = match rules::hold_reason(&self.reason) {
            Ok(r) => Some(r.to_owned()),
            Err(m) => {
                problems.push(HoldProblem {
                    field: "reason",
                    message: m,
                });
                None
            }
        };
        match (kind, id, reason) {
            (Some(k), Some(i), Some(r)) if problems.is_empty() => Ok((k, i, r)),
            _ => Err(problems),
        }
    }
}

/// The first 03:00 UTC after `now`.
fn next_daily_after(now: i64) -> i64 {
    let day = now.div_euclid(rules::MICROS_PER_DAY) * rules::MICROS_PER_DAY;
    let at = day + DAILY_AT;
    if at > now {
        at
    } else {
        at + rules::MICROS_PER_DAY
    }
}

fn allow(who: &Principal, action: Action) -> Result<()> {
    if permits(Some(who), action) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

fn internal(e: impl std::error::Error + Send + Sync + 'static) -> ServiceError {
    ServiceError::Internal(Box::new(e))
}

/// The blob keys of a case's photos, from its `child_json`.
fn photo_keys(child_json: &str) -> Vec<String> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(child_json) else {
        return Vec::new();
    };
    v["child"]["photos"]
        .as_array()
        .map(|photos| {
            photos
                .iter()
                .filter_map(|p| p["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The records due, decided by the domain's rule, read in the caller's transaction.
async fn due_records(
    tx: &mut store::Tx,
    policy: &RetentionPolicy,
    now: i64,
) -> Result<(Vec<q::ClosedRow>, u64)> {
    let mut due = Vec::new();
    let mut held = 0;
    for t in RecordType::ALL {
        let Some(cutoff) = policy.cutoff(t, now) else {
            continue;
        };
        for row in q::closed_before(&mut **tx, t, cutoff).await? {
            let closed = Closed {
                record_type: row.record_type,
                last_changed: row.last_changed,
                on_hold: row.on_hold,
            };
            if rules::is_due(policy, &closed, now) {
                due.push(row);
            } else if row.on_hold {
                held += 1;
            }
        }
    }
    Ok((due, held))
}

impl Services {
    /// The periods in force, what is due now, and the holds.
    pub async fn retention_overview(&self, who: &Principal) -> Result<RetentionOverview> {
        allow(who, Action::ManageLegalHolds)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut types = Vec::new();
        for t in RecordType::ALL {
            let (mut due, mut held) = (0, 0);
            if let Some(cutoff) = self.retention.cutoff(t, now) {
                for row in q::closed_before(&mut *tx, t, cutoff).await? {
                    if row.on_hold {
                        held += 1;
                    } else if rules::is_due(
                        &self.retention,
                        &Closed {
                            record_type: row.record_type,
                            last_changed: row.last_changed,
                            on_hold: false,
                        },
                        now,
                    ) {
                        due += 1;
                    }
                }
            }
            types.push(TypeView {
                record_type: t,
                label: t.label(),
                period: self.retention.describe(t),
                days: self.retention.days(t),
                due,
                held,
            });
        }
        drop(tx);
        let holds = q::holds(self.store.reader(), false, HOLDS_LISTED)
            .await?
            .into_iter()
            .map(HoldView::from)
            .collect();
        let released = q::holds(self.store.reader(), true, HOLDS_LISTED)
            .await?
            .into_iter()
            .map(HoldView::from)
            .collect();
        let purge_waiting = store::jobs::pending_of_kind(self.store.reader(), PURGE_JOB).await? > 0;
        Ok(RetentionOverview {
            types,
            holds,
            released,
            purge_waiting,
        })
    }

    /// Holds in force (or, with `released`, released ones), for the API.
    pub async fn legal_holds(&self, who: &Principal, released: bool) -> Result<Vec<HoldView>> {
        allow(who, Action::ManageLegalHolds)?;
        Ok(q::holds(self.store.reader(), released, HOLDS_LISTED)
            .await?
            .into_iter()
            .map(HoldView::from)
            .collect())
    }

    /// Places a legal hold: the record must exist and be on no hold already. Audited
    /// `retention.hold` on the record, with the reason.
    pub async fn place_legal_hold(
        &self,
        who: &Principal,
        form: &HoldForm,
        ip: Ip,
    ) -> std::result::Result<HoldView, HoldError> {
        allow(who, Action::ManageLegalHolds)?;
        let (kind, id, reason) = form.check().map_err(HoldError::Form)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !q::record_exists(&mut *tx, kind, id).await? {
            return Err(HoldError::Form(vec![HoldProblem {
                field: "number",
                message: format!(
                    "There is no {} with that number; check it on the record's page",
                    kind.label().to_lowercase()
                ),
            }]));
        }
        if q::active_hold(&mut *tx, kind, id).await?.is_some() {
            return Err(HoldError::Form(vec![HoldProblem {
                field: "number",
                message: format!("{} is already on hold", capitalise(&record_name(kind, id))),
            }]));
        }
        let hold = q::place_hold(&mut *tx, kind, id, &reason, who.user_id.0, now).await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "retention.hold",
            Subject::Other(kind.as_str().to_owned(), id.to_string()),
            Some(format!("hold {hold}: {reason}")),
        )
        .await?;
        let row = q::hold(&mut *tx, hold)
            .await?
            .ok_or(ServiceError::NotFound("the hold"))?;
        store::commit(tx).await?;
        Ok(row.into())
    }

    /// Releases a hold in force, with a reason. Audited `retention.release` on the record.
    pub async fn release_legal_hold(
        &self,
        who: &Principal,
        hold: i64,
        reason: &str,
        ip: Ip,
    ) -> std::result::Result<HoldView, HoldError> {
        allow(who, Action::ManageLegalHolds)?;
        let reason = rules::hold_reason(reason).map_err(|m| {
            HoldError::Form(vec![HoldProblem {
                field: "release_reason",
                message: m,
            }])
        })?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let row = q::hold(&mut *tx, hold)
            .await?
            .ok_or(ServiceError::NotFound("the hold"))?;
        if !q::release_hold(&mut *tx, hold, reason, who.user_id.0, now).await? {
            return Err(ServiceError::Conflict("this hold was already released".into()).into());
        }
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "retention.release",
            Subject::Other(row.kind.as_str().to_owned(), row.record_id.to_string()),
            Some(format!("hold {hold}: {reason}")),
        )
        .await?;
        let row = q::hold(&mut *tx, hold)
            .await?
            .ok_or(ServiceError::NotFound("the hold"))?;
        store::commit(tx).await?;
        Ok(row.into())
    }

    /// Queues a purge for the worker (an administrator's button). Audited
    /// `retention.purge_request`; the purge itself writes `retention.purge`.
    pub async fn request_purge(&self, who: &Principal, ip: Ip) -> Result<()> {
        allow(who, Action::PurgeRecords)?;
        let by = By::person(who, ip, self.now());
        let mut tx = self.store.begin().await?;
        self.enqueue_purge(&mut tx, &by).await?;
        store::commit(tx).await?;
        self.wake_jobs();
        Ok(())
    }

    async fn enqueue_purge(&self, tx: &mut store::Tx, by: &By) -> Result<()> {
        let payload = serde_json::to_string(&PurgePayload {
            requested_by: by.name().to_owned(),
        })
        .map_err(internal)?;
        store::jobs::enqueue(&mut **tx, PURGE_JOB, &payload, by.at(), by.at()).await?;
        audited(tx, by, "retention.purge_request", Subject::Nothing, None).await?;
        Ok(())
    }

    /// `clearinghouse admin purge`: with `dry_run`, what a purge would delete now, changing
    /// nothing; else a purge job queued and run at once by this process (the worker's
    /// path), its outcome returned. A failed run is left to the worker's retries.
    pub async fn purge_as_operator(&self, dry_run: bool) -> Result<PurgeOutcome> {
        if dry_run {
            return self.purge_plan().await;
        }
        let by = By::operator(None, self.now());
        let mut tx = self.store.begin().await?;
        let payload = serde_json::to_string(&PurgePayload {
            requested_by: by.name().to_owned(),
        })
        .map_err(internal)?;
        let now = self.now();
        let job = store::jobs::enqueue_claimed(
            &mut *tx,
            PURGE_JOB,
            &payload,
            now,
            now + i64::try_from(crate::jobs::LEASE.as_micros()).unwrap_or(i64::MAX),
        )
        .await?;
        audited(
            &mut tx,
            &by,
            "retention.purge_request",
            Subject::Nothing,
            None,
        )
        .await?;
        store::commit(tx).await?;
        match self.purge(by.name(), false).await {
            Ok(outcome) => {
                store::jobs::complete(&self.store, &job).await?;
                Ok(outcome)
            }
            Err(e) => {
                let at = self.now()
                    + i64::try_from(crate::jobs::backoff(job.attempts).as_micros())
                        .unwrap_or(i64::MAX);
                let _ = store::jobs::retry(&self.store, &job, &e.to_string(), at).await;
                Err(e)
            }
        }
    }

    /// The purge job's work.
    pub(crate) async fn run_purge_job(&self, payload: &str) -> Result<()> {
        let p: PurgePayload = serde_json::from_str(payload).map_err(|e| {
            ServiceError::Invalid(format!("the purge job's payload is not readable: {e}"))
        })?;
        self.purge(&p.requested_by, false).await.map(|_| ())
    }

    /// The daily purge's work: the purge, with the next day's queued in its transaction.
    pub(crate) async fn run_daily_purge_job(&self) -> Result<()> {
        self.purge(DAILY_BY, true).await.map(|_| ())
    }

    /// At start (`serve`, `demo`): makes sure the daily purge is queued, at the next
    /// 03:00 UTC. A deployment without periods still sweeps the files of retracted and
    /// expired provider reports and files no record names.
    pub async fn start_retention(&self) -> Result<()> {
        if store::jobs::pending_of_kind(self.store.reader(), DAILY_JOB).await? > 0 {
            return Ok(());
        }
        let now = self.now();
        let payload = serde_json::to_string(&PurgePayload {
            requested_by: DAILY_BY.to_owned(),
        })
        .map_err(internal)?;
        let mut tx = self.store.begin().await?;
        store::jobs::enqueue(&mut *tx, DAILY_JOB, &payload, next_daily_after(now), now).await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// What a purge would delete now; nothing changes and nothing is audited.
    pub async fn purge_plan(&self) -> Result<PurgeOutcome> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let (due, held) = due_records(&mut tx, &self.retention, now).await?;
        let mut outcome = PurgeOutcome {
            dry_run: true,
            held,
            ..PurgeOutcome::default()
        };
        let mut ids = Vec::new();
        for t in RecordType::ALL {
            outcome.records.insert(t.as_str().to_owned(), 0);
        }
        for row in &due {
            *outcome
                .records
                .entry(row.record_type.as_str().to_owned())
                .or_default() += 1;
            ids.push((row.record_type.held_kind(), row.id));
            outcome.record_files += match row.record_type.held_kind() {
                HeldKind::Report => q::report_blob_keys(&mut *tx, row.id).await?.len() as u64,
                HeldKind::Case => q::case_child_json(&mut *tx, row.id)
                    .await?
                    .map(|j| photo_keys(&j).len() as u64)
                    .unwrap_or(0),
                HeldKind::RecoveryPlan => 0,
            };
        }
        outcome.abandoned_files = q::abandoned_files(&mut *tx, now - OPEN_MAX, now - OPEN_IDLE)
            .await?
            .len() as u64;
        outcome.orphan_files = self.orphans(&mut tx, &[], now).await?.len() as u64;
        drop(tx);
        outcome.ids_sha256 = crate::crypto::digest(&rules::purged_ids_text(&ids));
        Ok(outcome)
    }

    /// Blob keys older than [`ORPHAN_MIN_AGE`] that no row names, except `gone` (already
    /// counted as the files of records being deleted).
    async fn orphans(&self, tx: &mut store::Tx, gone: &[String], now: i64) -> Result<Vec<String>> {
        let listed = self.files.store.list().await.map_err(internal)?;
        let limit = now - i64::try_from(ORPHAN_MIN_AGE.as_micros()).unwrap_or(i64::MAX);
        let mut out = Vec::new();
        for b in listed {
            let written = b
                .modified
                .duration_since(UNIX_EPOCH)
                .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
                .unwrap_or(0);
            if written >= limit || gone.contains(&b.key) {
                continue;
            }
            if !q::blob_referenced(tx, &b.key).await? {
                out.push(b.key);
            }
        }
        Ok(out)
    }

    /// The purge: one transaction deletes the records due and the file rows of abandoned
    /// provider reports and writes the one audit entry; then the files go.
    async fn purge(&self, requested_by: &str, daily: bool) -> Result<PurgeOutcome> {
        let now = self.now();
        let by = By::system("retention", now);
        let mut tx = self.store.begin().await?;
        let (due, held) = due_records(&mut tx, &self.retention, now).await?;
        let mut outcome = PurgeOutcome {
            held,
            ..PurgeOutcome::default()
        };
        for t in RecordType::ALL {
            outcome.records.insert(t.as_str().to_owned(), 0);
        }
        let mut ids = Vec::new();
        let mut blobs: Vec<String> = Vec::new();
        for row in &due {
            let kind = row.record_type.held_kind();
            let deleted = match kind {
                HeldKind::Report => {
                    let keys = q::report_blob_keys(&mut *tx, row.id).await?;
                    let deleted = q::delete_report(&mut tx, row.id, now).await?;
                    if deleted {
                        outcome.record_files += keys.len() as u64;
                        blobs.extend(keys);
                    }
                    deleted
                }
                HeldKind::Case => {
                    let keys = q::case_child_json(&mut *tx, row.id)
                        .await?
                        .map(|j| photo_keys(&j))
                        .unwrap_or_default();
                    let deleted = q::delete_case(&mut tx, row.id, now).await?;
                    if deleted {
                        outcome.record_files += keys.len() as u64;
                        blobs.extend(keys);
                    }
                    deleted
                }
                HeldKind::RecoveryPlan => q::delete_plan(&mut tx, row.id).await?,
            };
            if deleted {
                *outcome
                    .records
                    .entry(row.record_type.as_str().to_owned())
                    .or_default() += 1;
                ids.push((kind, row.id));
            }
        }
        for (file_row, key) in q::abandoned_files(&mut *tx, now - OPEN_MAX, now - OPEN_IDLE).await?
        {
            if q::delete_file_row(&mut tx, file_row).await? {
                outcome.abandoned_files += 1;
                blobs.push(key);
            }
        }
        let orphans = self.orphans(&mut tx, &blobs, now).await?;
        outcome.orphan_files = orphans.len() as u64;
        outcome.ids_sha256 = crate::crypto::digest(&rules::purged_ids_text(&ids));
        let detail = serde_json::json!({
            "requested_by": requested_by,
            "records": outcome.records,
            "held": outcome.held,
            "record_files": outcome.record_files,
            "abandoned_files": outcome.abandoned_files,
            "orphan_files": outcome.orphan_files,
            "ids_sha256": outcome.ids_sha256,
        });
        audited(
            &mut tx,
            &by,
            "retention.purge",
            Subject::Nothing,
            Some(detail.to_string()),
        )
        .await?;
        if daily {
            let payload = serde_json::to_string(&PurgePayload {
                requested_by: DAILY_BY.to_owned(),
            })
            .map_err(internal)?;
            store::jobs::enqueue(&mut *tx, DAILY_JOB, &payload, next_daily_after(now), now).await?;
        }
        store::commit(tx).await?;
        // The rows are gone: now the files (a file left by a failure here is an orphan the
        // next sweep removes).
        for key in blobs.iter().chain(orphans.iter()) {
            if let Err(e) = self.files.store.delete(key).await {
                tracing::warn!(error = %e, "retention: a purged file could not be deleted; the next purge sweeps it");
            }
        }
        if !ids.is_empty() {
            self.forget_linking_caches().await;
        }
        tracing::info!(
            records = outcome.total_records(),
            held = outcome.held,
            files = outcome.record_files + outcome.abandoned_files + outcome.orphan_files,
            "retention: purge done"
        );
        Ok(outcome)
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hold_form_names_each_problem() {
        let bad = HoldForm {
            kind: "ad".into(),
            number: "x".into(),
            reason: " ".into(),
        };
        let p = bad.check().unwrap_err();
        let fields: Vec<&str> = p.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["kind", "number", "reason"]);
        let ok = HoldForm {
            kind: "case".into(),
            number: "CH-000003".into(),
            reason: "Litigation".into(),
        };
        assert_eq!(
            ok.check().unwrap(),
            (HeldKind::Case, 3, "Litigation".into())
        );
        let report = HoldForm {
            kind: "report".into(),
            number: " 12 ".into(),
            reason: "Subpoena".into(),
        };
        assert_eq!(report.check().unwrap().1, 12);
    }

    #[test]
    fn the_daily_purge_runs_at_three_in_the_morning_utc() {
        let day = rules::MICROS_PER_DAY;
        let d = 20_000 * day;
        assert_eq!(next_daily_after(d), d + DAILY_AT);
        assert_eq!(next_daily_after(d + DAILY_AT - 1), d + DAILY_AT);
        assert_eq!(next_daily_after(d + DAILY_AT), d + day + DAILY_AT);
        assert_eq!(next_daily_after(d + day - 1), d + day + DAILY_AT);
    }

    #[test]
    fn photo_keys_come_from_the_child_json() {
        let j = r#"{"child":{"photos":[{"id":"aa"},{"id":"bb","taken_on":"2026-01-01"}]}}"#;
        assert_eq!(photo_keys(j), ["aa", "bb"]);
        assert!(photo_keys("{}").is_empty());
        assert!(photo_keys("not json").is_empty());
        assert_eq!(record_name(HeldKind::Case, 3), "case CH-000003");
    }
}
