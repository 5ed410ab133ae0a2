//! The use cases of public statistics: reading the published release (anyone), the staff's
//! own organisation's counts, and the administrator's schedule (hold, let go, release now,
//! choose the mode), with the job that publishes a scheduled release.

use std::collections::BTreeSet;
use std::sync::Arc;

use domain::{Action, Principal};
use serde::{Deserialize, Serialize};
use stats::Mode;
use store::statistics::{self as q, ReleaseRow, ReleaseStatus};

use super::compute::{self, Facts, StatTable, TRAFFICKING_INCIDENT};
use super::{month_of, next_release_after, PublishedRelease, DEFAULT_EPSILON, RELEASE_JOB};
use crate::audit::{audited, By, Subject};
use crate::error::{Result, ServiceError};
use crate::{Ip, Services};

/// A release as the administrator sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseView {
    pub id: i64,
    pub period: String,
    pub scheduled_for: i64,
    /// scheduled | held | published
    pub status: &'static str,
    pub mode: String,
    pub epsilon: Option<f64>,
    pub computed_at: Option<i64>,
}

/// The administrator's page: the next release and the ones before.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleasesOverview {
    pub next: Option<ReleaseView>,
    pub history: Vec<ReleaseView>,
}

#[derive(Serialize, Deserialize)]
struct JobPayload {
    release: i64,
}

fn view(r: &ReleaseRow) -> ReleaseView {
    ReleaseView {
        id: r.id,
        period: r.period.clone(),
        scheduled_for: r.scheduled_for,
        status: r.status.as_str(),
        mode: r.mode.clone(),
        epsilon: r.epsilon_milli.map(|m| m as f64 / 1000.0),
        computed_at: r.computed_at,
    }
}

fn mode_of(r: &ReleaseRow) -> Mode {
    match (r.mode.as_str(), r.epsilon_milli) {
        ("dp", Some(m)) if m > 0 => Mode::DifferentiallyPrivate {
            epsilon_per_table: m as f64 / 1000.0 / compute::TABLES as f64,
        },
        _ => Mode::Suppressed,
    }
}

fn internal(e: impl std::error::Error + Send + Sync + 'static) -> ServiceError {
    ServiceError::Internal(Box::new(e))
}

fn subject(id: i64) -> Subject {
    Subject::Other("statistics release".into(), id.to_string())
}

impl Services {
    /// The latest published release, from memory; None until one is published. Anyone.
    pub async fn public_statistics(&self) -> Result<Option<Arc<PublishedRelease>>> {
        if let Some(r) = self.statistics.fresh() {
            return Ok(Some(r));
        }
        let Some(id) = q::latest_published_id(self.store.reader()).await? else {
            return Ok(None);
        };
        if let Some(r) = self.statistics.current().filter(|r| r.id == id) {
            self.statistics.put(r.clone());
            return Ok(Some(r));
        }
        let Some(row) = q::by_id(self.store.reader(), id).await? else {
            return Ok(None);
        };
        let mut release: PublishedRelease =
            serde_json::from_str(row.payload.as_deref().unwrap_or("")).map_err(internal)?;
        release.id = row.id;
        let release = Arc::new(release);
        self.statistics.put(release.clone());
        Ok(Some(release))
    }

    async fn facts(&self, org: Option<domain::OrgId>) -> Result<Facts> {
        let episodes = q::episode_facts(self.store.reader(), org).await?;
        let trafficking_cases: BTreeSet<i64> =
            q::cases_linked_to_incident(self.store.reader(), TRAFFICKING_INCIDENT)
                .await?
                .into_iter()
                .collect();
        let reports = if org.is_some() {
            vec![]
        } else {
            q::report_facts(self.store.reader())
                .await?
                .into_iter()
                .map(|(kind, at)| (kind, crate::cases::day_of(at).year()))
                .collect()
        };
        // Hope Bags are the hotline's programme, not an organisation's records.
        let bags = if org.is_some() {
            vec![]
        } else {
            store::hope_bags::bags_given(self.store.reader())
                .await?
                .into_iter()
                .map(|(at, _, band)| (crate::cases::day_of(at).year(), band.label().to_owned()))
                .collect()
        };
        let referrals = q::referral_facts(self.store.reader(), org)
            .await?
            .into_iter()
            .map(|(need, at)| {
                let need = recovery::PlanDomain::parse(&need)
                    .map_or_else(|_| need.replace('_', " "), |d| d.label().to_owned());
                (crate::cases::day_of(at).year(), need)
            })
            .collect();
        // Training is the hotline's programme too.
        let trainings = if org.is_some() {
            vec![]
        } else {
            q::training_facts(self.store.reader())
                .await?
                .into_iter()
                .map(|(audience, at)| {
                    let audience = training::Audience::parse(&audience)
                        .map_or(audience, |a| a.label().to_owned());
                    (crate::cases::day_of(at).year(), audience)
                })
                .collect()
        };
        // An agency's own outcomes; the hotline's staff every agency's.
        let lead_outcomes = store::leads::outcome_facts(self.store.reader(), org)
            .await?
            .into_iter()
            .map(|(outcome, at)| {
                let outcome =
                    domain::LeadOutcome::parse(&outcome).map_or(outcome, |o| o.label().to_owned());
                (crate::cases::day_of(at).year(), outcome)
            })
            .collect();
        Ok(Facts {
            episodes,
            trafficking_cases,
            reports,
            bags,
            referrals,
            trainings,
            lead_outcomes,
        })
    }

    /// The tables for the viewer's own organisation's cases, exact (nothing suppressed):
    /// staff read their own records' counts (the hotline's staff every case it holds).
    /// Computed when asked.
    pub async fn internal_statistics(&self, who: &Principal) -> Result<Vec<StatTable>> {
        crate::families::allow(who, Action::ViewStatistics)?;
        // The hotline holds every case (its own and imported ones); an agency its own.
        let scope = (who.org_kind != domain::OrgKind::Hotline).then_some(who.org_id);
        let facts = self.facts(scope).await?;
        Ok(compute::unprotected(&facts))
    }

    /// The next release and the history. Administrators.
    pub async fn statistics_releases(&self, who: &Principal) -> Result<ReleasesOverview> {
        crate::families::allow(who, Action::ManageStatistics)?;
        let next = q::next_unpublished(self.store.reader()).await?;
        let history = q::history(self.store.reader(), 50).await?;
        Ok(ReleasesOverview {
            next: next.as_ref().map(view),
            history: history
                .iter()
                .filter(|r| r.status == ReleaseStatus::Published)
                .map(view)
                .collect(),
        })
    }

    /// Holds a scheduled release: its job publishes nothing until it is let go.
    pub async fn hold_statistics_release(&self, who: &Principal, ip: Ip, id: i64) -> Result<()> {
        crate::families::allow(who, Action::ManageStatistics)?;
        let by = By::person(who, ip, self.now());
        let mut tx = self.store.begin().await?;
        if !q::set_status(
            &mut *tx,
            id,
            ReleaseStatus::Scheduled,
            ReleaseStatus::Held,
            who.user_id,
            by.at(),
        )
        .await?
        {
            return Err(ServiceError::Conflict(
                "this release is no longer scheduled (it was published or held meanwhile)".into(),
            ));
        }
        audited(&mut tx, &by, "statistics.hold", subject(id), None).await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Lets a held release go: it is published at its scheduled time, or at once if that
    /// has passed.
    pub async fn resume_statistics_release(&self, who: &Principal, ip: Ip, id: i64) -> Result<()> {
        crate::families::allow(who, Action::ManageStatistics)?;
        let by = By::person(who, ip, self.now());
        let mut tx = self.store.begin().await?;
        if !q::set_status(
            &mut *tx,
            id,
            ReleaseStatus::Held,
            ReleaseStatus::Scheduled,
            who.user_id,
            by.at(),
        )
        .await?
        {
            return Err(ServiceError::Conflict("this release is not held".into()));
        }
        let row = q::by_id(&mut *tx, id)
            .await?
            .ok_or(ServiceError::NotFound("the release"))?;
        let payload = serde_json::to_string(&JobPayload { release: id }).map_err(internal)?;
        store::jobs::enqueue(
            &mut *tx,
            RELEASE_JOB,
            &payload,
            row.scheduled_for.max(by.at()),
            by.at(),
        )
        .await?;
        audited(&mut tx, &by, "statistics.resume", subject(id), None).await?;
        store::commit(tx).await?;
        self.wake_jobs();
        Ok(())
    }

    /// Chooses how an unpublished release is computed: exact counts with suppression, or
    /// differentially private counts with the whole budget `epsilon`.
    pub async fn set_statistics_mode(
        &self,
        who: &Principal,
        ip: Ip,
        id: i64,
        dp: bool,
        epsilon: Option<f64>,
    ) -> Result<()> {
        crate::families::allow(who, Action::ManageStatistics)?;
        let eps = if dp {
            let e = epsilon.unwrap_or(DEFAULT_EPSILON);
            if !(e.is_finite() && (0.1..=50.0).contains(&e)) {
                return Err(ServiceError::Invalid(
                    "Enter a privacy budget (epsilon) from 0.1 to 50, like 7".into(),
                ));
            }
            Some((e * 1000.0).round() as i64)
        } else {
            None
        };
        let mode = if dp { "dp" } else { "suppressed" };
        let by = By::person(who, ip, self.now());
        let mut tx = self.store.begin().await?;
        if !q::set_mode(&mut *tx, id, mode, eps, who.user_id, by.at()).await? {
            return Err(ServiceError::Conflict(
                "this release was published already".into(),
            ));
        }
        let detail = match eps {
            Some(m) => format!("mode dp, epsilon {}", m as f64 / 1000.0),
            None => "mode suppressed".into(),
        };
        audited(&mut tx, &by, "statistics.mode", subject(id), Some(detail)).await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Publishes a release now (besides the scheduled ones), in the mode of the next
    /// scheduled release. Returns its id.
    pub async fn release_statistics_now(&self, who: &Principal, ip: Ip) -> Result<i64> {
        crate::families::allow(who, Action::ManageStatistics)?;
        let by = By::person(who, ip, self.now());
        self.publish_now(&by).await
    }

    /// At start: schedules the next release if none is, and (for the demo) publishes one
    /// now when none was ever published, so the public page has numbers.
    pub async fn start_statistics(&self, publish_if_none: bool) -> Result<()> {
        self.ensure_statistics_schedule().await?;
        if publish_if_none && q::latest_published_id(self.store.reader()).await?.is_none() {
            let by = By::system("statistics schedule", self.now());
            self.publish_now(&by).await?;
        }
        Ok(())
    }

    /// Makes sure the next monthly release is scheduled, with the job that publishes it.
    pub async fn ensure_statistics_schedule(&self) -> Result<()> {
        if q::next_unpublished(self.store.reader()).await?.is_some() {
            return Ok(());
        }
        let by = By::system("statistics schedule", self.now());
        let mut tx = self.store.begin().await?;
        self.schedule_next(&mut tx, &by, "suppressed", None).await?;
        store::commit(tx).await?;
        self.wake_jobs();
        Ok(())
    }

    async fn schedule_next(
        &self,
        tx: &mut store::Tx,
        by: &By,
        mode: &str,
        epsilon_milli: Option<i64>,
    ) -> Result<i64> {
        let (period, at) = next_release_after(by.at());
        let id = q::schedule(&mut **tx, &period, at, mode, epsilon_milli, by.at()).await?;
        let payload = serde_json::to_string(&JobPayload { release: id }).map_err(internal)?;
        store::jobs::enqueue(&mut **tx, RELEASE_JOB, &payload, at, by.at()).await?;
        audited(
            tx,
            by,
            "statistics.schedule",
            subject(id),
            Some(format!("for {period}")),
        )
        .await?;
        Ok(id)
    }

    async fn compute(&self, row: &ReleaseRow, at: i64) -> Result<PublishedRelease> {
        let facts = self.facts(None).await?;
        let mode = mode_of(row);
        let mut rng = rand::rngs::OsRng;
        let tables = compute::tables(&facts, mode, &mut rng)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        Ok(PublishedRelease {
            id: row.id,
            period: row.period.clone(),
            computed_at: at,
            mode: mode.id().to_owned(),
            mode_label: mode.label(),
            epsilon: row
                .epsilon_milli
                .filter(|_| row.mode == "dp")
                .map(|m| m as f64 / 1000.0),
            tables,
        })
    }

    async fn publish_now(&self, by: &By) -> Result<i64> {
        let next = q::next_unpublished(self.store.reader()).await?;
        let (mode, eps) = next.as_ref().map_or(("suppressed".to_owned(), None), |n| {
            (n.mode.clone(), n.epsilon_milli)
        });
        // Computed before the write transaction, so the single writer is not held meanwhile.
        let draft = ReleaseRow {
            id: 0,
            period: month_of(by.at()),
            scheduled_for: by.at(),
            status: ReleaseStatus::Scheduled,
            mode: mode.clone(),
            epsilon_milli: eps,
            computed_at: None,
            published_at: None,
            payload: None,
            changed_by: None,
            updated_at: by.at(),
        };
        let mut release = self.compute(&draft, by.at()).await?;
        let mut tx = self.store.begin().await?;
        let id = q::schedule(&mut *tx, &draft.period, by.at(), &mode, eps, by.at()).await?;
        release.id = id;
        let payload = serde_json::to_string(&release).map_err(internal)?;
        q::publish(
            &mut *tx,
            id,
            ReleaseStatus::Scheduled,
            &payload,
            by.at(),
            by.user_id(),
        )
        .await?;
        audited(
            &mut tx,
            by,
            "statistics.publish",
            subject(id),
            Some(format!("now, {mode}")),
        )
        .await?;
        store::commit(tx).await?;
        self.statistics.put(Arc::new(release));
        Ok(id)
    }

    /// The job: publishes the release if it is still scheduled and due; a held or
    /// published release is left as it is. Then schedules the next.
    pub(crate) async fn run_statistics_job(&self, payload: &str) -> Result<()> {
        let p: JobPayload = serde_json::from_str(payload).map_err(|e| {
            ServiceError::Invalid(format!("the job's release is not readable: {e}"))
        })?;
        let Some(row) = q::by_id(self.store.reader(), p.release).await? else {
            return Ok(());
        };
        let now = self.now();
        if row.status != ReleaseStatus::Scheduled {
            return Ok(());
        }
        if row.scheduled_for > now {
            return Err(ServiceError::Invalid("the release is not due yet".into()));
        }
        let by = By::system("statistics schedule", now);
        let release = self.compute(&row, now).await?;
        let json = serde_json::to_string(&release).map_err(internal)?;
        let mut tx = self.store.begin().await?;
        if !q::publish(&mut *tx, row.id, ReleaseStatus::Scheduled, &json, now, None).await? {
            // Held or published meanwhile.
            return Ok(());
        }
        audited(
            &mut tx,
            &by,
            "statistics.publish",
            subject(row.id),
            Some(format!("scheduled, {}", row.mode)),
        )
        .await?;
        if q::next_unpublished(&mut *tx).await?.is_none() {
            self.schedule_next(&mut tx, &by, &row.mode, row.epsilon_milli)
                .await?;
        }
        store::commit(tx).await?;
        self.statistics.put(Arc::new(release));
        self.wake_jobs();
        Ok(())
    }
}
