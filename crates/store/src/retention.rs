//! Retention (issue 25, migration 0025): legal holds, the closed records a purge considers,
//! deleting a record with everything that hangs off it, and the files a sweep removes.
//!
//! Deleting never touches `audit_log`: entries about a purged record keep naming it by
//! kind and number, so the chain stays whole.

use crate::{StoreError, Tx};
use domain::retention::{HeldKind, RecordType};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

/// Sources of reports that are tips: the public form and calls to the hotline.
const TIP_SOURCES: &str = "('public', 'hotline-call')";

/// A legal hold, with the usernames of who placed and released it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldRow {
    pub id: i64,
    pub kind: HeldKind,
    pub record_id: i64,
    pub reason: String,
    pub placed_by: String,
    pub placed_at: i64,
    pub released_by: Option<String>,
    pub released_at: Option<i64>,
    pub release_reason: Option<String>,
}

const HOLD_COLUMNS: &str = "h.id, h.record_kind, h.record_id, h.reason, p.username AS placed_by, \
     h.placed_at, r.username AS released_by, h.released_at, h.release_reason \
     FROM legal_holds h JOIN users p ON p.id = h.placed_by LEFT JOIN users r ON r.id = h.released_by";

fn held_kind(value: String) -> Result<HeldKind, StoreError> {
    HeldKind::parse(&value).ok_or(StoreError::UnknownValue {
        column: "legal_holds.record_kind",
        value,
    })
}

fn hold_row(r: &AnyRow) -> Result<HoldRow, StoreError> {
    Ok(HoldRow {
        id: r.try_get("id")?,
        kind: held_kind(r.try_get("record_kind")?)?,
        record_id: r.try_get("record_id")?,
        reason: r.try_get("reason")?,
        placed_by: r.try_get("placed_by")?,
        placed_at: r.try_get("placed_at")?,
        released_by: r.try_get("released_by")?,
        released_at: r.try_get("released_at")?,
        release_reason: r.try_get("release_reason")?,
    })
}

/// Whether the record exists (a hold may only be placed on one that does).
pub async fn record_exists<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    kind: HeldKind,
    id: i64,
) -> Result<bool, StoreError> {
    let sql = match kind {
        HeldKind::Report => "SELECT COUNT(*) FROM reports WHERE id = $1 AND state = 'finished'",
        HeldKind::Case => "SELECT COUNT(*) FROM cases WHERE id = $1",
        HeldKind::RecoveryPlan => "SELECT COUNT(*) FROM recovery_plans WHERE id = $1",
    };
    let n: i64 = sqlx::query_scalar(sql).bind(id).fetch_one(ex).await?;
    Ok(n > 0)
}

/// The hold in force on a record, if any.
pub async fn active_hold<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    kind: HeldKind,
    id: i64,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM legal_holds WHERE record_kind = $1 AND record_id = $2 \
         AND released_at IS NULL ORDER BY id LIMIT 1",
    )
    .bind(kind.as_str())
    .bind(id)
    .fetch_optional(ex)
    .await?)
}

pub async fn place_hold<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    kind: HeldKind,
    id: i64,
    reason: &str,
    by: i64,
    at: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO legal_holds (record_kind, record_id, reason, placed_by, placed_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(kind.as_str())
    .bind(id)
    .bind(reason)
    .bind(by)
    .bind(at)
    .fetch_one(ex)
    .await?)
}

/// Releases a hold still in force; false if there is none by that id, or it was released.
pub async fn release_hold<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    hold: i64,
    reason: &str,
    by: i64,
    at: i64,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE legal_holds SET released_by = $1, released_at = $2, release_reason = $3 \
         WHERE id = $4 AND released_at IS NULL",
    )
    .bind(by)
    .bind(at)
    .bind(reason)
    .bind(hold)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn hold<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<Option<HoldRow>, StoreError> {
    let sql = format!("SELECT {HOLD_COLUMNS} WHERE h.id = $1");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(ex)
        .await?
        .as_ref()
        .map(hold_row)
        .transpose()
}

/// Holds in force, oldest first; with `released`, the latest released ones instead.
pub async fn holds<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    released: bool,
    limit: i64,
) -> Result<Vec<HoldRow>, StoreError> {
    let sql = if released {
        format!("SELECT {HOLD_COLUMNS} WHERE h.released_at IS NOT NULL ORDER BY h.released_at DESC, h.id DESC LIMIT $1")
    } else {
        format!(
            "SELECT {HOLD_COLUMNS} WHERE h.released_at IS NULL ORDER BY h.placed_at, h.id LIMIT $1"
        )
    };
    sqlx::query(&sql)
        .bind(limit)
        .fetch_all(ex)
        .await?
        .iter()
        .map(hold_row)
        .collect()
}

/// A closed record of one retention type, last changed before the cutoff asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClosedRow {
    pub record_type: RecordType,
    pub id: i64,
    pub last_changed: i64,
    pub on_hold: bool,
}

fn held_sql(kind: HeldKind, id_column: &str) -> String {
    format!(
        "CAST(CASE WHEN EXISTS (SELECT 1 FROM legal_holds h WHERE h.record_kind = '{}' \
         AND h.record_id = {id_column} AND h.released_at IS NULL) THEN 1 ELSE 0 END AS BIGINT) AS on_hold",
        kind.as_str()
    )
}

/// The closed records of `t` last changed before `cutoff` (UTC microseconds), held or not,
/// by id. The purge decides with `domain::retention::is_due`.
pub async fn closed_before<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    t: RecordType,
    cutoff: i64,
) -> Result<Vec<ClosedRow>, StoreError> {
    let held = held_sql(t.held_kind(), "x.id");
    let shared = "EXISTS (SELECT 1 FROM report_shares s WHERE s.report_id = x.id)";
    let sql = match t {
        RecordType::UnsubstantiatedTip => format!(
            "SELECT x.id, x.updated_at AS last_changed, {held} FROM reports x \
             WHERE x.state = 'finished' AND x.status = 'closed' AND x.source IN {TIP_SOURCES} \
             AND NOT {shared} AND x.updated_at < $1 ORDER BY x.id"
        ),
        RecordType::ClosedReport => format!(
            "SELECT x.id, x.updated_at AS last_changed, {held} FROM reports x \
             WHERE x.state = 'finished' AND x.status = 'closed' \
             AND (x.source NOT IN {TIP_SOURCES} OR {shared}) AND x.updated_at < $1 ORDER BY x.id"
        ),
        RecordType::ClosedCase => format!(
            "SELECT x.id, x.updated_at AS last_changed, {held} FROM cases x \
             WHERE x.status = 'closed' AND x.updated_at < $1 ORDER BY x.id"
        ),
        RecordType::ClosedPlan => format!(
            "SELECT x.id, x.closed_at AS last_changed, {held} FROM recovery_plans x \
             WHERE x.closed_at IS NOT NULL AND x.closed_at < $1 ORDER BY x.id"
        ),
    };
    sqlx::query(&sql)
        .bind(cutoff)
        .fetch_all(ex)
        .await?
        .iter()
        .map(|r| {
            Ok(ClosedRow {
                record_type: t,
                id: r.try_get("id")?,
                last_changed: r.try_get("last_changed")?,
                on_hold: r.try_get::<i64, _>("on_hold")? != 0,
            })
        })
        .collect()
}

/// The blob keys of a report's files.
pub async fn report_blob_keys<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    report: i64,
) -> Result<Vec<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT blob_key FROM report_files WHERE report_id = $1 ORDER BY id")
            .bind(report)
            .fetch_all(ex)
            .await?,
    )
}

/// A case's `child_json` (where its photos are named), if the case exists.
pub async fn case_child_json<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    case: i64,
) -> Result<Option<String>, StoreError> {
    let row: Option<Option<String>> =
        sqlx::query_scalar("SELECT child_json FROM cases WHERE id = $1")
            .bind(case)
            .fetch_optional(ex)
            .await?;
    Ok(row.flatten())
}

async fn run(tx: &mut Tx, sql: &str, id: i64) -> Result<u64, StoreError> {
    Ok(sqlx::query(sql)
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

/// What records of a kind leave behind in link analysis, watchlists and holds.
async fn forget_record(tx: &mut Tx, kind: &str, id: i64, now: i64) -> Result<(), StoreError> {
    for sql in [
        format!("DELETE FROM record_identifiers WHERE record_kind = '{kind}' AND record_id = $1"),
        format!(
            "DELETE FROM record_links WHERE (a_kind = '{kind}' AND a_id = $1) OR (b_kind = '{kind}' AND b_id = $1)"
        ),
        format!("DELETE FROM case_alerts WHERE source_kind = '{kind}' AND source_id = $1"),
        format!("DELETE FROM notifications WHERE record_kind = '{kind}' AND record_id = $1"),
        format!("DELETE FROM shared_chart_records WHERE record_kind = '{kind}' AND record_id = $1"),
    ] {
        run(tx, &sql, id).await?;
    }
    // A watch of the person named in the record, or of the case, watches nothing now.
    sqlx::query(
        "UPDATE watches SET removed_at = $1 WHERE removed_at IS NULL AND kind = 'person' AND value = $2",
    )
    .bind(now)
    .bind(format!("{kind}:{id}"))
    .execute(&mut **tx)
    .await?;
    if kind == "case" {
        sqlx::query(
            "UPDATE watches SET removed_at = $1 WHERE removed_at IS NULL AND kind = 'case' AND value = $2",
        )
        .bind(now)
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Deletes a report and everything that hangs off it (files' rows, notes, shares, leads'
/// responses and messages, a tipster's follow-ups and key, identifiers, links, alerts and
/// notifications it raised, released holds). A recovery plan or family case that named
/// it keeps its own record and loses the reference. The caller deletes the files' blobs
/// after the commit. True if the report was there.
pub async fn delete_report(tx: &mut Tx, id: i64, now: i64) -> Result<bool, StoreError> {
    for sql in [
        "DELETE FROM lead_messages WHERE report_id = $1 AND answers IS NOT NULL",
        "DELETE FROM lead_messages WHERE report_id = $1",
        "DELETE FROM lead_responses WHERE report_id = $1",
        "DELETE FROM report_followups WHERE report_id = $1",
        "DELETE FROM tip_followup_keys WHERE report_id = $1",
        "DELETE FROM report_notes WHERE report_id = $1",
        "DELETE FROM report_shares WHERE report_id = $1",
        "DELETE FROM report_files WHERE report_id = $1",
        "UPDATE recovery_plans SET report_id = NULL WHERE report_id = $1",
        "UPDATE family_cases SET report_id = NULL WHERE report_id = $1",
        "DELETE FROM legal_holds WHERE record_kind = 'report' AND record_id = $1",
    ] {
        run(tx, sql, id).await?;
    }
    forget_record(tx, "report", id, now).await?;
    Ok(run(tx, "DELETE FROM reports WHERE id = $1", id).await? == 1)
}

/// Deletes a missing-child case and everything that hangs off it (episodes, shares, its
/// alerts and those it raised elsewhere, identifiers, links, notifications, watches of
/// it, released holds). A recovery plan, family case or Hope Bag request that named it
/// keeps its own record and loses the reference. The caller deletes the photos' blobs
/// after the commit. True if the case was there.
pub async fn delete_case(tx: &mut Tx, id: i64, now: i64) -> Result<bool, StoreError> {
    for sql in [
        "DELETE FROM case_alerts WHERE case_id = $1",
        "DELETE FROM case_shares WHERE case_id = $1",
        "UPDATE recovery_plans SET case_id = NULL, episode_id = NULL WHERE case_id = $1",
        "UPDATE family_cases SET case_id = NULL WHERE case_id = $1",
        "UPDATE hope_requests SET case_id = NULL WHERE case_id = $1",
        "DELETE FROM case_episodes WHERE case_id = $1",
        "DELETE FROM legal_holds WHERE record_kind = 'case' AND record_id = $1",
    ] {
        run(tx, sql, id).await?;
    }
    forget_record(tx, "case", id, now).await?;
    Ok(run(tx, "DELETE FROM cases WHERE id = $1", id).await? == 1)
}

/// Deletes a recovery plan with its team, consents, referrals and their moves, and its
/// released holds. True if the plan was there.
pub async fn delete_plan(tx: &mut Tx, id: i64) -> Result<bool, StoreError> {
    for sql in [
        "DELETE FROM referral_moves WHERE referral_id IN (SELECT id FROM referrals WHERE plan_id = $1)",
        "DELETE FROM referrals WHERE plan_id = $1",
        "DELETE FROM recovery_plan_consents WHERE plan_id = $1",
        "DELETE FROM recovery_plan_team WHERE plan_id = $1",
        "DELETE FROM legal_holds WHERE record_kind = 'recovery_plan' AND record_id = $1",
    ] {
        run(tx, sql, id).await?;
    }
    Ok(run(tx, "DELETE FROM recovery_plans WHERE id = $1", id).await? == 1)
}

/// The files of provider reports that will never be finished: retracted, or still open
/// past their expiry (`open_before`: received before it; `idle_before`: unchanged since).
/// Each as (file row id, blob key).
pub async fn abandoned_files<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    open_before: i64,
    idle_before: i64,
) -> Result<Vec<(i64, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT f.id, f.blob_key FROM report_files f JOIN reports r ON r.id = f.report_id \
         WHERE r.source = 'provider' AND (r.state = 'retracted' \
         OR (r.state = 'open' AND (r.received_at < $1 OR r.updated_at < $2))) ORDER BY f.id",
    )
    .bind(open_before)
    .bind(idle_before)
    .fetch_all(ex)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("blob_key")?)))
        .collect()
}

/// Deletes one file row (its blob goes after the commit).
pub async fn delete_file_row(tx: &mut Tx, file_row: i64) -> Result<bool, StoreError> {
    Ok(run(tx, "DELETE FROM report_files WHERE id = $1", file_row).await? == 1)
}

/// Whether any row names blob `key`: a report's file, a publication, a case's photo.
pub async fn blob_referenced(tx: &mut Tx, key: &str) -> Result<bool, StoreError> {
    for sql in [
        "SELECT COUNT(*) FROM report_files WHERE blob_key = $1",
        "SELECT COUNT(*) FROM publications WHERE blob_key = $1",
    ] {
        let n: i64 = sqlx::query_scalar(sql)
            .bind(key)
            .fetch_one(&mut **tx)
            .await?;
        if n > 0 {
            return Ok(true);
        }
    }
    // A case photo is named in the child's JSON; keys are hexadecimal, so the pattern
    // needs no escaping.
    let pattern = format!("%\"{key}\"%");
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM cases WHERE child_json LIKE $1 OR case_json LIKE $1",
    )
    .bind(&pattern)
    .fetch_one(&mut **tx)
    .await?;
    Ok(n > 0)
}

/// Counts rows still naming a record, for the conformance tests.
pub async fn rows_naming(tx: &mut Tx, kind: &str, id: i64) -> Result<i64, StoreError> {
    let mut total = 0;
    let sqls: Vec<String> = match kind {
        "report" => [
            "report_files",
            "report_notes",
            "report_shares",
            "report_followups",
            "tip_followup_keys",
            "lead_responses",
            "lead_messages",
        ]
        .iter()
        .map(|t| format!("SELECT COUNT(*) FROM {t} WHERE report_id = $1"))
        .chain(["SELECT COUNT(*) FROM reports WHERE id = $1".to_owned()])
        .collect(),
        "case" => ["case_episodes", "case_shares", "case_alerts"]
            .iter()
            .map(|t| format!("SELECT COUNT(*) FROM {t} WHERE case_id = $1"))
            .chain(["SELECT COUNT(*) FROM cases WHERE id = $1".to_owned()])
            .collect(),
        _ => vec![],
    };
    for sql in sqls.iter().map(String::as_str).chain([
        "SELECT COUNT(*) FROM record_identifiers WHERE record_kind = $2 AND record_id = $1",
        "SELECT COUNT(*) FROM record_links WHERE (a_kind = $2 AND a_id = $1) OR (b_kind = $2 AND b_id = $1)",
        "SELECT COUNT(*) FROM case_alerts WHERE source_kind = $2 AND source_id = $1",
    ]) {
        let q = sqlx::query_scalar::<_, i64>(sql).bind(id);
        let q = if sql.contains("$2") { q.bind(kind) } else { q };
        total += q.fetch_one(&mut **tx).await?;
    }
    Ok(total)
}
