//! Link charts shared with law-enforcement agencies and requests for analytical support
//! (issue 24, migration 0024). A shared chart keeps the records it held when it was
//! shared (`shared_chart_records`); a support request its urgency, status, assignee and
//! answer, with the chart the answer shared.

use crate::{record_kind, StoreError};
use domain::support::{SupportStatus, Urgency};
use domain::{OrgId, RecordRef, UserId};
use sqlx::{Any, Executor, Row};

/// A chart to share: the record its cluster was walked from, what the agency reads about
/// it, and its records.
#[derive(Debug, Clone)]
pub struct NewChart<'a> {
    pub start: RecordRef,
    pub title: &'a str,
    pub note: &'a str,
    pub org_id: OrgId,
    pub shared_by: UserId,
    pub records: &'a [RecordRef],
}

/// A shared chart, with the names of its agency and of who shared it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartRow {
    pub id: i64,
    pub start: RecordRef,
    pub title: String,
    pub note: String,
    pub org_id: OrgId,
    pub org_name: String,
    pub shared_by: String,
    pub shared_at: i64,
    /// How many records it held when shared.
    pub size: i64,
}

const CHART_COLUMNS: &str =
    "c.id, c.start_kind, c.start_id, c.title, c.note, c.org_id, o.name AS org_name, \
     u.username AS shared_by, c.shared_at, \
     (SELECT COUNT(*) FROM shared_chart_records r WHERE r.chart_id = c.id) AS size";
const CHART_FROM: &str = "shared_charts c JOIN organisations o ON o.id = c.org_id \
     JOIN users u ON u.id = c.shared_by";

fn map_chart(r: sqlx::any::AnyRow) -> Result<ChartRow, StoreError> {
    Ok(ChartRow {
        id: r.try_get("id")?,
        start: RecordRef::new(
            record_kind("shared_charts.start_kind", r.try_get("start_kind")?)?,
            r.try_get("start_id")?,
        ),
        title: r.try_get("title")?,
        note: r.try_get("note")?,
        org_id: OrgId(r.try_get("org_id")?),
        org_name: r.try_get("org_name")?,
        shared_by: r.try_get("shared_by")?,
        shared_at: r.try_get("shared_at")?,
        size: r.try_get("size")?,
    })
}

/// Stores a shared chart and its records; returns its id.
pub async fn insert_chart(
    tx: &mut crate::Tx,
    c: &NewChart<'_>,
    now: i64,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO shared_charts (start_kind, start_id, title, note, org_id, shared_by, shared_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(c.start.kind.as_str())
    .bind(c.start.id)
    .bind(c.title)
    .bind(c.note)
    .bind(c.org_id.0)
    .bind(c.shared_by.0)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    for (i, r) in c.records.iter().enumerate() {
        sqlx::query(
            "INSERT INTO shared_chart_records (chart_id, position, record_kind, record_id) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(i as i64)
        .bind(r.kind.as_str())
        .bind(r.id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

pub async fn chart<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<Option<ChartRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {CHART_COLUMNS} FROM {CHART_FROM} WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(ex)
    .await?
    .map(map_chart)
    .transpose()
}

/// The records of a chart, in its order.
pub async fn chart_records<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<Vec<RecordRef>, StoreError> {
    sqlx::query(
        "SELECT record_kind, record_id FROM shared_chart_records WHERE chart_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(|r| {
        Ok(RecordRef::new(
            record_kind("shared_chart_records.record_kind", r.try_get(0)?)?,
            r.try_get(1)?,
        ))
    })
    .collect()
}

/// Charts shared with `org` (every chart for `None`), newest first.
pub async fn charts<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    org: Option<OrgId>,
    limit: i64,
    offset: i64,
) -> Result<Vec<ChartRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {CHART_COLUMNS} FROM {CHART_FROM} WHERE ($1 = 0 OR c.org_id = $1) \
         ORDER BY c.shared_at DESC, c.id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(org.map_or(0, |o| o.0))
    .bind(limit)
    .bind(offset)
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(map_chart)
    .collect()
}

pub async fn count_charts<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    org: Option<OrgId>,
) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM shared_charts WHERE ($1 = 0 OR org_id = $1)")
            .bind(org.map_or(0, |o| o.0))
            .fetch_one(ex)
            .await?,
    )
}

/// Charts shared from the cluster walked from `start`, newest first (for its page).
pub async fn charts_from<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    start: RecordRef,
) -> Result<Vec<ChartRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {CHART_COLUMNS} FROM {CHART_FROM} WHERE c.start_kind = $1 AND c.start_id = $2 \
         ORDER BY c.shared_at DESC, c.id DESC"
    ))
    .bind(start.kind.as_str())
    .bind(start.id)
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(map_chart)
    .collect()
}

// ---------------------------------------------------------------------------------------
// Requests for analytical support

#[derive(Debug, Clone)]
pub struct NewSupportRequest<'a> {
    pub requested_by: UserId,
    pub org_id: OrgId,
    pub need: &'a str,
    pub identifiers: &'a str,
    pub urgency: Urgency,
}

/// A request with the names of its requester, agency, assignee and answerer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportRow {
    pub id: i64,
    pub requested_by: UserId,
    pub requester: String,
    pub org_id: OrgId,
    pub org_name: String,
    pub need: String,
    pub identifiers: String,
    pub urgency: Urgency,
    pub status: SupportStatus,
    pub assignee: Option<UserId>,
    pub assignee_name: Option<String>,
    pub answer: Option<String>,
    pub answer_chart: Option<i64>,
    pub answered_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub answered_at: Option<i64>,
    pub closed_at: Option<i64>,
}

const SUPPORT_COLUMNS: &str = "s.id, s.requested_by, r.username AS requester, s.org_id, o.name AS org_name, \
     s.need, s.identifiers, s.urgency, s.status, s.assignee, a.username AS assignee_name, s.answer, \
     s.answer_chart, b.username AS answered_by, s.created_at, s.updated_at, s.answered_at, s.closed_at";
const SUPPORT_FROM: &str = "support_requests s JOIN users r ON r.id = s.requested_by \
     JOIN organisations o ON o.id = s.org_id LEFT JOIN users a ON a.id = s.assignee \
     LEFT JOIN users b ON b.id = s.answered_by";

fn unknown(column: &'static str, value: String) -> StoreError {
    StoreError::UnknownValue { column, value }
}

fn map_support(r: sqlx::any::AnyRow) -> Result<SupportRow, StoreError> {
    let urgency: String = r.try_get("urgency")?;
    let status: String = r.try_get("status")?;
    Ok(SupportRow {
        id: r.try_get("id")?,
        requested_by: UserId(r.try_get("requested_by")?),
        requester: r.try_get("requester")?,
        org_id: OrgId(r.try_get("org_id")?),
        org_name: r.try_get("org_name")?,
        need: r.try_get("need")?,
        identifiers: r.try_get("identifiers")?,
        urgency: urgency
            .parse()
            .map_err(|_| unknown("support_requests.urgency", urgency))?,
        status: status
            .parse()
            .map_err(|_| unknown("support_requests.status", status))?,
        assignee: r.try_get::<Option<i64>, _>("assignee")?.map(UserId),
        assignee_name: r.try_get("assignee_name")?,
        answer: r.try_get("answer")?,
        answer_chart: r.try_get("answer_chart")?,
        answered_by: r.try_get("answered_by")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        answered_at: r.try_get("answered_at")?,
        closed_at: r.try_get("closed_at")?,
    })
}

pub async fn insert_support_request<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    n: &NewSupportRequest<'_>,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO support_requests (requested_by, org_id, need, identifiers, urgency, urgency_rank, \
         status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $7) RETURNING id",
    )
    .bind(n.requested_by.0)
    .bind(n.org_id.0)
    .bind(n.need)
    .bind(n.identifiers)
    .bind(n.urgency.as_str())
    .bind(n.urgency.rank())
    .bind(now)
    .fetch_one(ex)
    .await?)
}

pub async fn support_request<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<Option<SupportRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {SUPPORT_COLUMNS} FROM {SUPPORT_FROM} WHERE s.id = $1"
    ))
    .bind(id)
    .fetch_optional(ex)
    .await?
    .map(map_support)
    .transpose()
}

/// Which requests a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct SupportFilter {
    /// Only one agency's (an investigator's list).
    pub org: Option<OrgId>,
    /// Only requests in this status; without one, closed requests are left out.
    pub status: Option<SupportStatus>,
    /// Closed ones too, when no status is chosen.
    pub include_closed: bool,
}

/// The filter's `WHERE`: `$1` the agency (0: all), `$2` the status ('' : any), `$3` 1 to keep
/// closed ones when no status is chosen.
const SUPPORT_WHERE: &str =
    "($1 = 0 OR s.org_id = $1) AND ($2 = '' OR s.status = $2) AND ($3 = 1 OR $2 <> '' OR s.status <> 'closed')";

/// Requests, the most urgent first, then the oldest.
pub async fn support_requests<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    f: &SupportFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<SupportRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {SUPPORT_COLUMNS} FROM {SUPPORT_FROM} WHERE {SUPPORT_WHERE} \
         ORDER BY s.urgency_rank, s.created_at, s.id LIMIT $4 OFFSET $5"
    ))
    .bind(f.org.map_or(0, |o| o.0))
    .bind(f.status.map_or("", |s| s.as_str()))
    .bind(i64::from(f.include_closed))
    .bind(limit)
    .bind(offset)
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(map_support)
    .collect()
}

pub async fn count_support_requests<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    f: &SupportFilter,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM support_requests s WHERE {SUPPORT_WHERE}"
    ))
    .bind(f.org.map_or(0, |o| o.0))
    .bind(f.status.map_or("", |s| s.as_str()))
    .bind(i64::from(f.include_closed))
    .fetch_one(ex)
    .await?)
}

/// Assigns a request still `from` to `to`, moving it to in progress. False if it had moved.
pub async fn assign_support_request(
    tx: &mut crate::Tx,
    id: i64,
    from: SupportStatus,
    to: UserId,
    now: i64,
) -> Result<bool, StoreError> {
    let n = sqlx::query(
        "UPDATE support_requests SET assignee = $3, status = 'in_progress', updated_at = $4 \
         WHERE id = $1 AND status = $2",
    )
    .bind(id)
    .bind(from.as_str())
    .bind(to.0)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Answers a request still `from`. False if it had moved.
#[allow(clippy::too_many_arguments)]
pub async fn answer_support_request(
    tx: &mut crate::Tx,
    id: i64,
    from: SupportStatus,
    by: UserId,
    answer: &str,
    chart: Option<i64>,
    now: i64,
) -> Result<bool, StoreError> {
    let n = sqlx::query(
        "UPDATE support_requests SET status = 'answered', answer = $3, answer_chart = COALESCE($4, answer_chart), \
         answered_by = $5, assignee = COALESCE(assignee, $5), answered_at = $6, updated_at = $6 \
         WHERE id = $1 AND status = $2",
    )
    .bind(id)
    .bind(from.as_str())
    .bind(answer)
    .bind(chart)
    .bind(by.0)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Closes a request still `from`. False if it had moved.
pub async fn close_support_request(
    tx: &mut crate::Tx,
    id: i64,
    from: SupportStatus,
    now: i64,
) -> Result<bool, StoreError> {
    let n = sqlx::query(
        "UPDATE support_requests SET status = 'closed', closed_at = $3, updated_at = $3 \
         WHERE id = $1 AND status = $2",
    )
    .bind(id)
    .bind(from.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}
