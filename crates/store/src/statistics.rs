//! Public statistics (migration 0019): the releases of the published tables, and the
//! counts they are computed from (read by the release job, never by a public page).

use crate::StoreError;
use domain::{OrgId, UserId};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

/// Where a release is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseStatus {
    Scheduled,
    Held,
    Published,
}

impl ReleaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReleaseStatus::Scheduled => "scheduled",
            ReleaseStatus::Held => "held",
            ReleaseStatus::Published => "published",
        }
    }

    fn parse(value: String) -> Result<Self, StoreError> {
        match value.as_str() {
            "scheduled" => Ok(ReleaseStatus::Scheduled),
            "held" => Ok(ReleaseStatus::Held),
            "published" => Ok(ReleaseStatus::Published),
            _ => Err(StoreError::UnknownValue {
                column: "statistics_releases.status",
                value,
            }),
        }
    }
}

/// A release as stored. `payload` is only read by [`latest_published`] and [`by_id`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseRow {
    pub id: i64,
    pub period: String,
    pub scheduled_for: i64,
    pub status: ReleaseStatus,
    /// `suppressed` or `dp`.
    pub mode: String,
    pub epsilon_milli: Option<i64>,
    pub computed_at: Option<i64>,
    pub published_at: Option<i64>,
    pub payload: Option<String>,
    pub changed_by: Option<UserId>,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, period, scheduled_for, status, mode, epsilon_milli, computed_at, \
    published_at, changed_by, updated_at";

fn row(r: &AnyRow, payload: bool) -> Result<ReleaseRow, StoreError> {
    Ok(ReleaseRow {
        id: r.try_get("id")?,
        period: r.try_get("period")?,
        scheduled_for: r.try_get("scheduled_for")?,
        status: ReleaseStatus::parse(r.try_get("status")?)?,
        mode: r.try_get("mode")?,
        epsilon_milli: r.try_get("epsilon_milli")?,
        computed_at: r.try_get("computed_at")?,
        published_at: r.try_get("published_at")?,
        payload: if payload { r.try_get("payload")? } else { None },
        changed_by: r.try_get::<Option<i64>, _>("changed_by")?.map(UserId),
        updated_at: r.try_get("updated_at")?,
    })
}

/// Schedules a release (status `scheduled`). Returns its id.
pub async fn schedule<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    period: &str,
    scheduled_for: i64,
    mode: &str,
    epsilon_milli: Option<i64>,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO statistics_releases (period, scheduled_for, status, mode, epsilon_milli, updated_at) \
         VALUES ($1, $2, 'scheduled', $3, $4, $5) RETURNING id",
    )
    .bind(period)
    .bind(scheduled_for)
    .bind(mode)
    .bind(epsilon_milli)
    .bind(now)
    .fetch_one(ex)
    .await?)
}

/// The next release not yet published (scheduled or held), the earliest first.
pub async fn next_unpublished<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> Result<Option<ReleaseRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM statistics_releases WHERE status <> 'published' \
         ORDER BY scheduled_for, id LIMIT 1"
    );
    sqlx::query(&sql)
        .fetch_optional(ex)
        .await?
        .map(|r| row(&r, false))
        .transpose()
}

/// The id of the latest published release: what the public pages' cache compares.
pub async fn latest_published_id<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM statistics_releases WHERE status = 'published' \
         ORDER BY published_at DESC, id DESC LIMIT 1",
    )
    .fetch_optional(ex)
    .await?)
}

pub async fn by_id<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<Option<ReleaseRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS}, payload FROM statistics_releases WHERE id = $1");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(ex)
        .await?
        .map(|r| row(&r, true))
        .transpose()
}

/// Releases, the latest scheduled first, without their payloads.
pub async fn history<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    limit: i64,
) -> Result<Vec<ReleaseRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM statistics_releases ORDER BY scheduled_for DESC, id DESC LIMIT $1"
    );
    sqlx::query(&sql)
        .bind(limit)
        .fetch_all(ex)
        .await?
        .iter()
        .map(|r| row(r, false))
        .collect()
}

/// Holds a scheduled release or lets a held one go again. False when the release was not
/// in `from` (published meanwhile, or changed by someone else).
pub async fn set_status<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    from: ReleaseStatus,
    to: ReleaseStatus,
    by: UserId,
    now: i64,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE statistics_releases SET status = $1, changed_by = $2, updated_at = $3 \
         WHERE id = $4 AND status = $5",
    )
    .bind(to.as_str())
    .bind(by.0)
    .bind(now)
    .bind(id)
    .bind(from.as_str())
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Sets how an unpublished release will be computed.
pub async fn set_mode<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    mode: &str,
    epsilon_milli: Option<i64>,
    by: UserId,
    now: i64,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE statistics_releases SET mode = $1, epsilon_milli = $2, changed_by = $3, \
         updated_at = $4 WHERE id = $5 AND status <> 'published'",
    )
    .bind(mode)
    .bind(epsilon_milli)
    .bind(by.0)
    .bind(now)
    .bind(id)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Publishes a release with its protected tables, from status `from` only (the job
/// publishes scheduled ones; "release now" a held or scheduled one). False otherwise.
pub async fn publish<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    from: ReleaseStatus,
    payload: &str,
    computed_at: i64,
    by: Option<UserId>,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE statistics_releases SET status = 'published', payload = $1, computed_at = $2, \
         published_at = $2, updated_at = $2, changed_by = COALESCE($3, changed_by) \
         WHERE id = $4 AND status = $5",
    )
    .bind(payload)
    .bind(computed_at)
    .bind(by.map(|u| u.0))
    .bind(id)
    .bind(from.as_str())
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// One missing episode, as the statistics count it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpisodeFact {
    pub case_id: i64,
    pub year: i64,
    pub circumstance: String,
    pub age_band: Option<String>,
    pub state: String,
    pub recovered: bool,
    /// casework's episode (for the recovery date).
    pub episode_json: String,
}

/// Every episode, or those of cases `org` owns.
pub async fn episode_facts<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    org: Option<OrgId>,
) -> Result<Vec<EpisodeFact>, StoreError> {
    let sql = format!(
        "SELECT e.case_id, e.year, e.circumstance, e.age_band, e.state, e.recovered, e.episode_json \
         FROM case_episodes e JOIN cases c ON c.id = e.case_id{} ORDER BY e.id",
        if org.is_some() { " WHERE c.owner_org = $1" } else { "" }
    );
    let mut q = sqlx::query(&sql);
    if let Some(o) = org {
        q = q.bind(o.0);
    }
    q.fetch_all(ex)
        .await?
        .iter()
        .map(|r| {
            Ok(EpisodeFact {
                case_id: r.try_get("case_id")?,
                year: r.try_get("year")?,
                circumstance: r.try_get("circumstance")?,
                age_band: r.try_get("age_band")?,
                state: r.try_get("state")?,
                recovered: crate::flag(r.try_get("recovered")?),
                episode_json: r.try_get("episode_json")?,
            })
        })
        .collect()
}

/// Cases with an alert (not dismissed) tying them to a report of incident type `incident`
/// (compared ignoring case): what the statistics call likely trafficking victims.
pub async fn cases_linked_to_incident<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    incident: &str,
) -> Result<Vec<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT a.case_id FROM case_alerts a JOIN reports r ON r.id = a.source_id \
         WHERE a.source_kind = 'report' AND a.dismissed_at IS NULL \
         AND LOWER(r.incident_type) = LOWER($1) ORDER BY a.case_id",
    )
    .bind(incident)
    .fetch_all(ex)
    .await?)
}

/// (incident type, received at) of every finished report.
pub async fn report_facts<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT incident_type, received_at FROM reports WHERE state = 'finished'")
            .fetch_all(ex)
            .await?,
    )
}

/// (need domain code, when first sent) of every referral from a recovery plan that was
/// sent to its service, or of those from plans opened by `org`'s people. A referral only
/// proposed, or withdrawn before it was sent, was never made and is not counted.
pub async fn referral_facts<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    org: Option<OrgId>,
) -> Result<Vec<(String, i64)>, StoreError> {
    let sql = format!(
        "SELECT r.need, MIN(m.at) FROM referrals r \
         JOIN referral_moves m ON m.referral_id = r.id AND m.to_status = 'sent'{} \
         GROUP BY r.id, r.need ORDER BY r.id",
        if org.is_some() {
            " JOIN recovery_plans p ON p.id = r.plan_id \
             JOIN users u ON u.id = p.opened_by WHERE u.org_id = $1"
        } else {
            ""
        }
    );
    let mut q = sqlx::query_as(&sql);
    if let Some(o) = org {
        q = q.bind(o.0);
    }
    Ok(q.fetch_all(ex).await?)
}

/// (course audience code, completed at) of every certificate given: a course completed.
pub async fn training_facts<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT c.audience, k.completed_at FROM certificates k \
         JOIN enrolments e ON e.id = k.enrolment_id JOIN courses c ON c.id = e.course_id \
         ORDER BY k.code",
    )
    .fetch_all(ex)
    .await?)
}
