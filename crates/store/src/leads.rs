//! Investigators' hand-off: what an agency did with a report made available to it (its
//! acknowledgement and outcome), its notes, its questions to the hotline and the answers,
//! and whether the report's files were made available with it.

use crate::StoreError;
use domain::{OrgId, UserId};
use sqlx::{Any, Executor, Row};

/// What one agency did with one lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseRow {
    pub org_id: OrgId,
    pub org_name: String,
    pub acknowledged_by: Option<String>,
    pub acknowledged_at: Option<i64>,
    pub outcome: Option<String>,
    pub outcome_reason: Option<String>,
    pub outcome_by: Option<String>,
    pub outcome_at: Option<i64>,
}

const RESPONSE_COLUMNS: &str = "r.org_id, o.name, ua.username, r.acknowledged_at, r.outcome, \
     r.outcome_reason, uo.username, r.outcome_at";
const RESPONSE_FROM: &str = "lead_responses r JOIN organisations o ON o.id = r.org_id \
     LEFT JOIN users ua ON ua.id = r.acknowledged_by LEFT JOIN users uo ON uo.id = r.outcome_by";

fn response(r: &sqlx::any::AnyRow) -> Result<ResponseRow, StoreError> {
    Ok(ResponseRow {
        org_id: OrgId(r.try_get(0)?),
        org_name: r.try_get(1)?,
        acknowledged_by: r.try_get(2)?,
        acknowledged_at: r.try_get(3)?,
        outcome: r.try_get(4)?,
        outcome_reason: r.try_get(5)?,
        outcome_by: r.try_get(6)?,
        outcome_at: r.try_get(7)?,
    })
}

/// Marks the report's files as made available to the agency too (the report already is).
pub async fn include_files<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    report_id: i64,
    org: OrgId,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE report_shares SET files_included = 1 \
         WHERE report_id = $1 AND org_id = $2 AND files_included = 0",
    )
    .bind(report_id)
    .bind(org.0)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Whether the report was made available to the agency (`None`: it was not), and with
/// its files.
pub async fn files_included<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    report_id: i64,
    org: OrgId,
) -> Result<Option<bool>, StoreError> {
    let v: Option<i64> = sqlx::query_scalar(
        "SELECT files_included FROM report_shares WHERE report_id = $1 AND org_id = $2",
    )
    .bind(report_id)
    .bind(org.0)
    .fetch_optional(ex)
    .await?;
    Ok(v.map(|v| v != 0))
}

/// One agency's response to a lead, if it has acted on it.
pub async fn response_of<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    report_id: i64,
    org: OrgId,
) -> Result<Option<ResponseRow>, StoreError> {
    let sql = format!(
        "SELECT {RESPONSE_COLUMNS} FROM {RESPONSE_FROM} WHERE r.report_id = $1 AND r.org_id = $2"
    );
    sqlx::query(&sql)
        .bind(report_id)
        .bind(org.0)
        .fetch_optional(ex)
        .await?
        .as_ref()
        .map(response)
        .transpose()
}

/// Every agency's response to a report, for the hotline.
pub async fn responses<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    report_id: i64,
) -> Result<Vec<ResponseRow>, StoreError> {
    let sql = format!(
        "SELECT {RESPONSE_COLUMNS} FROM {RESPONSE_FROM} WHERE r.report_id = $1 ORDER BY o.name"
    );
    sqlx::query(&sql)
        .bind(report_id)
        .fetch_all(ex)
        .await?
        .iter()
        .map(response)
        .collect()
}

/// The agency acknowledges the lead; a second acknowledgement changes nothing. Returns
/// whether this one was the first.
pub async fn acknowledge<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    report_id: i64,
    org: OrgId,
    by: UserId,
    now: i64,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "INSERT INTO lead_responses (report_id, org_id, acknowledged_by, acknowledged_at) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (report_id, org_id) DO UPDATE SET acknowledged_by = excluded.acknowledged_by, \
         acknowledged_at = excluded.acknowledged_at WHERE lead_responses.acknowledged_at IS NULL",
    )
    .bind(report_id)
    .bind(org.0)
    .bind(by.0)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Records (or replaces) the agency's outcome; an outcome acknowledges the lead too.
pub async fn set_outcome<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    report_id: i64,
    org: OrgId,
    by: UserId,
    outcome: &str,
    reason: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO lead_responses (report_id, org_id, acknowledged_by, acknowledged_at, \
         outcome, outcome_reason, outcome_by, outcome_at) VALUES ($1, $2, $3, $4, $5, $6, $3, $4) \
         ON CONFLICT (report_id, org_id) DO UPDATE SET outcome = excluded.outcome, \
         outcome_reason = excluded.outcome_reason, outcome_by = excluded.outcome_by, \
         outcome_at = excluded.outcome_at, \
         acknowledged_by = COALESCE(lead_responses.acknowledged_by, excluded.acknowledged_by), \
         acknowledged_at = COALESCE(lead_responses.acknowledged_at, excluded.acknowledged_at)",
    )
    .bind(report_id)
    .bind(org.0)
    .bind(by.0)
    .bind(now)
    .bind(outcome)
    .bind(reason)
    .execute(ex)
    .await?;
    Ok(())
}

/// For a page of leads: the agency's acknowledgement time and outcome of each.
pub async fn states<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    org: OrgId,
    report_ids: &[i64],
) -> Result<Vec<(i64, Option<i64>, Option<String>)>, StoreError> {
    if report_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..report_ids.len())
        .map(|i| format!("${}", i + 2))
        .collect();
    let sql = format!(
        "SELECT report_id, acknowledged_at, outcome FROM lead_responses \
         WHERE org_id = $1 AND report_id IN ({})",
        marks.join(", ")
    );
    let mut q = sqlx::query(&sql).bind(org.0);
    for id in report_ids {
        q = q.bind(*id);
    }
    q.fetch_all(ex)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// (outcome, recorded at) of every lead response with an outcome, for the statistics;
/// only one agency's when `org` is given.
pub async fn outcome_facts<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    org: Option<OrgId>,
) -> Result<Vec<(String, i64)>, StoreError> {
    let sql = format!(
        "SELECT outcome, outcome_at FROM lead_responses WHERE outcome IS NOT NULL{} \
         ORDER BY report_id, org_id",
        if org.is_some() {
            " AND org_id = $1"
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

/// A note, a question or an answer on a lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRow {
    pub id: i64,
    pub report_id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    /// The author's username and name.
    pub author: String,
    pub author_name: String,
    /// `note`, `question` or `answer`.
    pub kind: String,
    pub answers: Option<i64>,
    pub body: String,
    pub created_at: i64,
}

#[allow(clippy::too_many_arguments)]
pub async fn add_message<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    report_id: i64,
    org: OrgId,
    author: UserId,
    kind: &str,
    answers: Option<i64>,
    body: &str,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO lead_messages (report_id, org_id, author, kind, answers, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(report_id)
    .bind(org.0)
    .bind(author.0)
    .bind(kind)
    .bind(answers)
    .bind(body)
    .bind(now)
    .fetch_one(ex)
    .await?)
}

const MESSAGE_SELECT: &str = "SELECT m.id, m.report_id, m.org_id, o.name, u.username, \
     u.display_name, m.kind, m.answers, m.body, m.created_at FROM lead_messages m \
     JOIN organisations o ON o.id = m.org_id JOIN users u ON u.id = m.author";

fn message(r: &sqlx::any::AnyRow) -> Result<MessageRow, StoreError> {
    Ok(MessageRow {
        id: r.try_get(0)?,
        report_id: r.try_get(1)?,
        org_id: OrgId(r.try_get(2)?),
        org_name: r.try_get(3)?,
        author: r.try_get(4)?,
        author_name: r.try_get(5)?,
        kind: r.try_get(6)?,
        answers: r.try_get(7)?,
        body: r.try_get(8)?,
        created_at: r.try_get(9)?,
    })
}

/// An agency's messages on a lead, oldest first: with `include_notes` false, only the
/// questions and answers (what the hotline sees of every agency).
pub async fn messages<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    report_id: i64,
    org: Option<OrgId>,
    include_notes: bool,
) -> Result<Vec<MessageRow>, StoreError> {
    let sql = format!(
        "{MESSAGE_SELECT} WHERE m.report_id = $1 AND ($2 = 0 OR m.org_id = $2) \
         AND ($3 = 1 OR m.kind <> 'note') ORDER BY m.id"
    );
    sqlx::query(&sql)
        .bind(report_id)
        .bind(org.map(|o| o.0).unwrap_or(0))
        .bind(i64::from(include_notes))
        .fetch_all(ex)
        .await?
        .iter()
        .map(message)
        .collect()
}

pub async fn message_by_id<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<Option<MessageRow>, StoreError> {
    let sql = format!("{MESSAGE_SELECT} WHERE m.id = $1");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(ex)
        .await?
        .as_ref()
        .map(message)
        .transpose()
}
