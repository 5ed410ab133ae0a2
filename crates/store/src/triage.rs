//! Triage: the analysts' queue (filters, paging), status and assignment, notes, sharing
//! with law-enforcement agencies, stored assessments and the indicator catalogue's
//! versions.

use crate::filter::{bind_all, bind_all_scalar, Bind};
use crate::reports::{map, Assessed, ReportRow, LIST_COLUMNS};
use crate::StoreError;
use domain::{AssigneeFilter, OrgId, ReportStatus, UserId};
use sqlx::{Any, Executor, Row};

/// The queue's filters; every field narrows the list.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub incident_type: Option<String>,
    /// A USPS code.
    pub state: Option<String>,
    pub status: Option<ReportStatus>,
    /// Without a status, closed reports are left out.
    pub include_closed: bool,
    pub assignee: AssigneeFilter,
    /// An indicator id from the catalogue.
    pub indicator: Option<String>,
    /// 0 immediate … 3 low.
    pub priority_rank: Option<i64>,
    /// All of these words, in the report's text.
    pub words: Vec<String>,
    /// Only reports linked to something (the link tables answer it).
    pub has_link: bool,
    /// The order the queue is read in.
    pub order: QueueOrder,
    /// The chosen column from its largest value down.
    pub descending: bool,
}

/// A column the queue can be ordered by; ties keep the queue's order (most urgent first,
/// then the longest waiting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueOrder {
    /// By rank: ascending is the most urgent first, the queue's own order.
    #[default]
    Priority,
    /// The report's number.
    Report,
    /// By how long a report has waited: ascending is the shortest wait first.
    Waiting,
    IncidentType,
    /// In the workflow's order: new, triaged, in review, made available, closed.
    Status,
}

/// The `ORDER BY` of the queue; every expression is a fixed string of this module.
fn order_by(f: &QueueFilter) -> String {
    const DEFAULT: &str = "priority_rank, received_at, id";
    let dir = if f.descending { "DESC" } else { "ASC" };
    let status_rank = ReportStatus::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| format!(" WHEN '{}' THEN {i}", s.as_str()))
        .collect::<String>();
    let first = match f.order {
        QueueOrder::Priority if !f.descending => return DEFAULT.to_owned(),
        QueueOrder::Priority => "priority_rank DESC".to_owned(),
        QueueOrder::Report => format!("id {dir}"),
        // A longer wait is an earlier receipt.
        QueueOrder::Waiting => format!("received_at {}", if f.descending { "ASC" } else { "DESC" }),
        QueueOrder::IncidentType => format!("incident_type {dir}"),
        QueueOrder::Status => format!("CASE status{status_rank} ELSE 9 END {dir}"),
    };
    format!("{first}, {DEFAULT}")
}

/// Builds `WHERE …` for the filter, numbering parameters from `first`.
fn condition(f: &QueueFilter, first: usize) -> (String, Vec<Bind>) {
    let mut cond = String::from(" WHERE state = 'finished'");
    let mut binds: Vec<Bind> = Vec::new();
    let mut p = |cond: &mut String, sql: &str, b: Bind| {
        cond.push_str(&sql.replace("$?", &format!("${}", first + binds.len())));
        binds.push(b);
    };
    if let Some(t) = &f.incident_type {
        p(&mut cond, " AND incident_type = $?", Bind::Text(t.clone()));
    }
    if let Some(s) = &f.state {
        p(
            &mut cond,
            " AND states LIKE $?",
            Bind::Text(format!("% {} %", clean(s))),
        );
    }
    match f.status {
        Some(s) => p(&mut cond, " AND status = $?", Bind::Text(s.as_str().into())),
        None if !f.include_closed => cond.push_str(" AND status <> 'closed'"),
        None => {}
    }
    match f.assignee {
        AssigneeFilter::Anyone => {}
        AssigneeFilter::Unassigned => cond.push_str(" AND assignee IS NULL"),
        AssigneeFilter::User(u) => p(&mut cond, " AND assignee = $?", Bind::Int(u.0)),
    }
    if let Some(i) = &f.indicator {
        p(
            &mut cond,
            " AND indicator_ids LIKE $?",
            Bind::Text(format!("% {} %", clean(i))),
        );
    }
    if let Some(r) = f.priority_rank {
        p(&mut cond, " AND priority_rank = $?", Bind::Int(r));
    }
    for w in f.words.iter().take(8) {
        let w = clean(&w.to_lowercase());
        if !w.is_empty() {
            p(
                &mut cond,
                " AND search_text LIKE $?",
                Bind::Text(format!("%{w}%")),
            );
        }
    }
    if f.has_link {
        cond.push_str(
            " AND EXISTS (SELECT 1 FROM record_links l WHERE (l.a_kind = 'report' AND l.a_id = reports.id) \
             OR (l.b_kind = 'report' AND l.b_id = reports.id))",
        );
    }
    (cond, binds)
}

/// LIKE's wildcards and the delimiter never come from a user's filter.
fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '%' | '_' | '\\' | ' '))
        .collect()
}

/// The queue: most urgent first, and within a priority the longest waiting first; or by
/// the chosen column, ties in that order.
pub async fn queue_page<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    f: &QueueFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<ReportRow>, StoreError> {
    let (cond, binds) = condition(f, 3);
    let sql = format!(
        "SELECT {LIST_COLUMNS} FROM reports{cond} ORDER BY {} LIMIT $1 OFFSET $2",
        order_by(f)
    );
    let q = bind_all(sqlx::query(&sql).bind(limit).bind(offset), binds);
    q.fetch_all(ex).await?.into_iter().map(map).collect()
}

pub async fn queue_count<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    f: &QueueFilter,
) -> Result<i64, StoreError> {
    let (cond, binds) = condition(f, 1);
    let sql = format!("SELECT COUNT(*) FROM reports{cond}");
    Ok(bind_all_scalar(sqlx::query_scalar(&sql), binds)
        .fetch_one(ex)
        .await?)
}

/// Reports made available to `org`, most urgent first.
pub async fn leads_page<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    org: OrgId,
    limit: i64,
    offset: i64,
) -> Result<Vec<ReportRow>, StoreError> {
    let sql = format!(
        "SELECT {LIST_COLUMNS} FROM reports WHERE state = 'finished' AND id IN \
         (SELECT report_id FROM report_shares WHERE org_id = $1) \
         ORDER BY priority_rank, received_at, id LIMIT $2 OFFSET $3"
    );
    sqlx::query(&sql)
        .bind(org.0)
        .bind(limit)
        .bind(offset)
        .fetch_all(ex)
        .await?
        .into_iter()
        .map(map)
        .collect()
}

pub async fn leads_count<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    org: OrgId,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM reports WHERE state = 'finished' AND id IN \
         (SELECT report_id FROM report_shares WHERE org_id = $1)",
    )
    .bind(org.0)
    .fetch_one(ex)
    .await?)
}

/// Moves a report from `from` to `to`; false if it was no longer in `from` (a colleague
/// moved it first).
pub async fn set_status<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    from: ReportStatus,
    to: ReportStatus,
    now: i64,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE reports SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4 AND state = 'finished'",
    )
    .bind(to.as_str())
    .bind(now)
    .bind(id)
    .bind(from.as_str())
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn assign<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    assignee: Option<UserId>,
    now: i64,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE reports SET assignee = $1, updated_at = $2 WHERE id = $3 AND state = 'finished'",
    )
    .bind(assignee.map(|u| u.0))
    .bind(now)
    .bind(id)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Replaces a report's assessment (after the catalogue changed).
pub async fn set_assessment<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    a: &Assessed,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE reports SET priority_rank = $1, score_milli = $2, triage_json = $3, catalogue_version = $4, \
         states = $5, countries = $6, indicator_ids = $7 WHERE id = $8",
    )
    .bind(a.priority_rank)
    .bind(a.score_milli)
    .bind(&a.triage_json)
    .bind(a.catalogue_version)
    .bind(&a.states)
    .bind(&a.countries)
    .bind(&a.indicator_ids)
    .bind(id)
    .execute(ex)
    .await?;
    Ok(())
}

/// `(id, report_json)` of reports after `after_id`, in id order, for recomputation.
pub async fn report_json_after<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    after_id: i64,
    limit: i64,
) -> Result<Vec<(i64, String)>, StoreError> {
    let rows =
        sqlx::query("SELECT id, report_json FROM reports WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after_id)
            .bind(limit)
            .fetch_all(ex)
            .await?;
    rows.into_iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("report_json")?)))
        .collect()
}

/// Shares a report with an agency; false if it already was.
pub async fn share<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    report_id: i64,
    org: OrgId,
    by: UserId,
    now: i64,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "INSERT INTO report_shares (report_id, org_id, shared_by, shared_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (report_id, org_id) DO NOTHING",
    )
    .bind(report_id)
    .bind(org.0)
    .bind(by.0)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// One agency a report was made available to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareRow {
    pub org_id: OrgId,
    pub org_name: String,
    pub shared_by: String,
    pub shared_at: i64,
}

impl ShareRow {
    /// From a row of `org_id, org name, shared_by, shared_at` (reports' and cases' shares).
    pub(crate) fn from_row(r: &sqlx::any::AnyRow) -> Result<ShareRow, StoreError> {
        Ok(ShareRow {
            org_id: OrgId(r.try_get(0)?),
            org_name: r.try_get(1)?,
            shared_by: r.try_get(2)?,
            shared_at: r.try_get(3)?,
        })
    }
}

pub async fn shares<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    report_id: i64,
) -> Result<Vec<ShareRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT s.org_id, o.name, u.username, s.shared_at FROM report_shares s \
         JOIN organisations o ON o.id = s.org_id JOIN users u ON u.id = s.shared_by \
         WHERE s.report_id = $1 ORDER BY s.shared_at, o.name",
    )
    .bind(report_id)
    .fetch_all(ex)
    .await?;
    rows.into_iter().map(|r| ShareRow::from_row(&r)).collect()
}

/// The agencies a report was made available to.
pub async fn shared_with<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    report_id: i64,
) -> Result<Vec<OrgId>, StoreError> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT org_id FROM report_shares WHERE report_id = $1")
        .bind(report_id)
        .fetch_all(ex)
        .await?;
    Ok(ids.into_iter().map(OrgId).collect())
}

/// One analyst's note on a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteRow {
    pub id: i64,
    pub author: String,
    pub body: String,
    pub created_at: i64,
}

pub async fn add_note<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    report_id: i64,
    author: UserId,
    body: &str,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO report_notes (report_id, author, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(report_id)
    .bind(author.0)
    .bind(body)
    .bind(now)
    .fetch_one(ex)
    .await?)
}

pub async fn notes<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    report_id: i64,
) -> Result<Vec<NoteRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT n.id, u.username, n.body, n.created_at FROM report_notes n JOIN users u ON u.id = n.author \
         WHERE n.report_id = $1 ORDER BY n.id",
    )
    .bind(report_id)
    .fetch_all(ex)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(NoteRow {
                id: r.try_get(0)?,
                author: r.try_get(1)?,
                body: r.try_get(2)?,
                created_at: r.try_get(3)?,
            })
        })
        .collect()
}

/// One version of the indicator catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueRow {
    pub version: i64,
    pub body: String,
    pub edited_by: Option<String>,
    pub edited_at: i64,
    pub comment: String,
}

const CATALOGUE_COLUMNS: &str = "c.version, c.body, u.username, c.edited_at, c.comment";

fn map_catalogue(r: sqlx::any::AnyRow) -> Result<CatalogueRow, StoreError> {
    Ok(CatalogueRow {
        version: r.try_get(0)?,
        body: r.try_get(1)?,
        edited_by: r.try_get(2)?,
        edited_at: r.try_get(3)?,
        comment: r.try_get(4)?,
    })
}

/// The catalogue in force: the highest version.
pub async fn current_catalogue<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> Result<Option<CatalogueRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {CATALOGUE_COLUMNS} FROM indicator_catalogues c LEFT JOIN users u ON u.id = c.edited_by \
         ORDER BY c.version DESC LIMIT 1"
    ))
    .fetch_optional(ex)
    .await?
    .map(map_catalogue)
    .transpose()
}

/// Every version, newest first, without bodies.
pub async fn catalogue_history<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> Result<Vec<CatalogueRow>, StoreError> {
    sqlx::query(
        "SELECT c.version, '' AS body, u.username, c.edited_at, c.comment FROM indicator_catalogues c \
         LEFT JOIN users u ON u.id = c.edited_by ORDER BY c.version DESC",
    )
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(map_catalogue)
    .collect()
}

/// Stores a new version; a conflict means someone else saved that version first.
pub async fn insert_catalogue<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    version: i64,
    body: &str,
    by: Option<UserId>,
    now: i64,
    comment: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO indicator_catalogues (version, body, edited_by, edited_at, comment) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(version)
    .bind(body)
    .bind(by.map(|u| u.0))
    .bind(now)
    .bind(comment)
    .execute(ex)
    .await
    .map_err(crate::error::conflict("that catalogue version"))?;
    Ok(())
}

/// Sets the states and countries a law-enforcement agency covers.
pub async fn set_jurisdiction<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    org: OrgId,
    delimited: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE organisations SET jurisdiction = $1 WHERE id = $2")
        .bind(delimited)
        .bind(org.0)
        .execute(ex)
        .await?;
    Ok(())
}

/// Law-enforcement agencies whose jurisdiction includes any of `codes`.
pub async fn agencies_covering<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    codes: &[String],
) -> Result<Vec<(OrgId, String, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, name, jurisdiction FROM organisations WHERE kind = $1 ORDER BY name",
    )
    .bind(domain::OrgKind::LawEnforcement.as_str())
    .fetch_all(ex)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let j: String = r.try_get(2)?;
        if codes.is_empty() || codes.iter().any(|c| j.contains(&format!(" {c} "))) {
            out.push((OrgId(r.try_get(0)?), r.try_get(1)?, j));
        }
    }
    Ok(out)
}

/// Accounts that can be given reports: analysts and supervisors, by username.
pub async fn assignable_users<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> Result<Vec<(UserId, String, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, username, display_name FROM users WHERE role IN ('analyst', 'supervisor') ORDER BY username",
    )
    .fetch_all(ex)
    .await?;
    rows.into_iter()
        .map(|r| Ok((UserId(r.try_get(0)?), r.try_get(1)?, r.try_get(2)?)))
        .collect()
}
