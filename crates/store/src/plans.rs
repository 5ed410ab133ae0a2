//! Recovery plans, their teams and consents, and referrals with each move of their status.
//! What a plan is and who may read it are the `recovery` crate's and the policy's; this
//! module only stores and finds. A referral's status changes only from the status the
//! caller read (`move_referral`), so two people answering at once cannot both win.

use crate::StoreError;
use domain::{OrgId, UserId};
use sqlx::{Any, Executor, Row};

/// A plan as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    pub id: i64,
    pub young_person: String,
    /// YYYY-MM-DD.
    pub date_of_birth: Option<String>,
    pub case_id: Option<i64>,
    pub episode_id: Option<i64>,
    pub report_id: Option<i64>,
    pub safety: String,
    pub next_review: Option<String>,
    pub last_reviewed: Option<String>,
    pub needs_json: String,
    pub narrative_json: String,
    pub opened_by: UserId,
    pub opened_at: i64,
    pub updated_at: i64,
    /// When, why (a `recovery::ClosingReason` code) and by whom it was closed; all `None`
    /// while it is open.
    pub closed_at: Option<i64>,
    pub closed_reason: Option<String>,
    pub closed_by: Option<UserId>,
}

/// What is written for a plan's editable part.
#[derive(Debug, Clone, Default)]
pub struct PlanEntry {
    pub young_person: String,
    pub date_of_birth: Option<String>,
    pub safety: String,
    pub next_review: Option<String>,
    /// Need domain codes (for the statistics).
    pub needs: Vec<String>,
    pub needs_json: String,
    pub narrative_json: String,
}

/// Where a new plan came from.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlanLinks {
    pub case_id: Option<i64>,
    pub episode_id: Option<i64>,
    pub report_id: Option<i64>,
}

const COLUMNS: &str = "id, young_person, date_of_birth, case_id, episode_id, report_id, safety, \
     next_review, last_reviewed, needs_json, narrative_json, opened_by, opened_at, updated_at, \
     closed_at, closed_reason, closed_by";

fn map(r: sqlx::any::AnyRow) -> Result<PlanRow, StoreError> {
    Ok(PlanRow {
        id: r.try_get("id")?,
        young_person: r.try_get("young_person")?,
        date_of_birth: r.try_get("date_of_birth")?,
        case_id: r.try_get("case_id")?,
        episode_id: r.try_get("episode_id")?,
        report_id: r.try_get("report_id")?,
        safety: r.try_get("safety")?,
        next_review: r.try_get("next_review")?,
        last_reviewed: r.try_get("last_reviewed")?,
        needs_json: r.try_get("needs_json")?,
        narrative_json: r.try_get("narrative_json")?,
        opened_by: UserId(r.try_get("opened_by")?),
        opened_at: r.try_get("opened_at")?,
        updated_at: r.try_get("updated_at")?,
        closed_at: r.try_get("closed_at")?,
        closed_reason: r.try_get("closed_reason")?,
        closed_by: r.try_get::<Option<i64>, _>("closed_by")?.map(UserId),
    })
}

fn list(items: &[String]) -> String {
    let mut s = String::from("|");
    for i in items {
        s.push_str(i);
        s.push('|');
    }
    s
}

pub async fn insert_plan<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    e: &PlanEntry,
    links: PlanLinks,
    by: UserId,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO recovery_plans (young_person, date_of_birth, case_id, episode_id, report_id, \
         safety, next_review, needs, needs_json, narrative_json, opened_by, opened_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
    )
    .bind(&e.young_person)
    .bind(&e.date_of_birth)
    .bind(links.case_id)
    .bind(links.episode_id)
    .bind(links.report_id)
    .bind(&e.safety)
    .bind(&e.next_review)
    .bind(list(&e.needs))
    .bind(&e.needs_json)
    .bind(&e.narrative_json)
    .bind(by.0)
    .bind(now)
    .fetch_one(ex)
    .await?)
}

/// Replaces a plan's editable part. `NotFound` if there is no such plan.
pub async fn update_plan<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    e: &PlanEntry,
    now: i64,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE recovery_plans SET young_person = $2, date_of_birth = $3, safety = $4, \
         next_review = $5, needs = $6, needs_json = $7, narrative_json = $8, updated_at = $9 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(&e.young_person)
    .bind(&e.date_of_birth)
    .bind(&e.safety)
    .bind(&e.next_review)
    .bind(list(&e.needs))
    .bind(&e.needs_json)
    .bind(&e.narrative_json)
    .bind(now)
    .execute(ex)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Records a review: its day, the next review's, and the narrative with its note.
pub async fn set_review<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    reviewed: &str,
    next_review: Option<&str>,
    narrative_json: &str,
    now: i64,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE recovery_plans SET last_reviewed = $2, next_review = $3, narrative_json = $4, \
         updated_at = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(reviewed)
    .bind(next_review)
    .bind(narrative_json)
    .bind(now)
    .execute(ex)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Replaces a plan's narrative (a goal added).
pub async fn set_narrative<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    narrative_json: &str,
    now: i64,
) -> Result<(), StoreError> {
    let done =
        sqlx::query("UPDATE recovery_plans SET narrative_json = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(narrative_json)
            .bind(now)
            .execute(ex)
            .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Closes an open plan: its narrative (with the closing note) is written in the same
/// statement. `false` if there is no such open plan (someone closed it first).
pub async fn close_plan<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    reason: &str,
    narrative_json: &str,
    by: UserId,
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE recovery_plans SET closed_at = $2, closed_reason = $3, closed_by = $4, \
         narrative_json = $5, updated_at = $2 WHERE id = $1 AND closed_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .bind(reason)
    .bind(by.0)
    .bind(narrative_json)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Reopens a closed plan; `false` if there is no such closed plan.
pub async fn reopen_plan<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE recovery_plans SET closed_at = NULL, closed_reason = NULL, closed_by = NULL, \
         updated_at = $2 WHERE id = $1 AND closed_at IS NOT NULL",
    )
    .bind(id)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn plan_by_id<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<Option<PlanRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM recovery_plans WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(ex)
    .await?
    .map(map)
    .transpose()
}

/// The plan opened at this episode's recovery, if any.
pub async fn plan_for_episode<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    case_id: i64,
    episode_id: i64,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM recovery_plans WHERE case_id = $1 AND episode_id = $2 ORDER BY id LIMIT 1",
    )
    .bind(case_id)
    .bind(episode_id)
    .fetch_optional(ex)
    .await?)
}

/// The plans opened at the recoveries of a case's episodes: (episode, plan), the first
/// plan of each episode.
pub async fn plans_for_case<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    case_id: i64,
) -> Result<Vec<(i64, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT episode_id, MIN(id) FROM recovery_plans \
         WHERE case_id = $1 AND episode_id IS NOT NULL GROUP BY episode_id ORDER BY episode_id",
    )
    .bind(case_id)
    .fetch_all(ex)
    .await?;
    rows.into_iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Open plans by next review (the earliest, so the overdue, first; those without a date
/// last), or with `closed` the closed ones, the latest closed first; only those whose team
/// includes `member` when given.
pub async fn caseload<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    member: Option<UserId>,
    closed: bool,
    limit: i64,
) -> Result<Vec<PlanRow>, StoreError> {
    let cols = COLUMNS
        .split(',')
        .map(|c| format!("p.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let order = if closed {
        "AND p.closed_at IS NOT NULL ORDER BY p.closed_at DESC, p.id DESC"
    } else {
        "AND p.closed_at IS NULL \
         ORDER BY CASE WHEN p.next_review IS NULL THEN 1 ELSE 0 END, p.next_review, p.id"
    };
    let rows = match member {
        Some(u) => {
            sqlx::query(&format!(
                "SELECT {cols} FROM recovery_plans p JOIN recovery_plan_team t ON t.plan_id = p.id \
                 WHERE t.user_id = $1 {order} LIMIT $2"
            ))
            .bind(u.0)
            .bind(limit)
            .fetch_all(ex)
            .await?
        }
        None => {
            sqlx::query(&format!(
                "SELECT {cols} FROM recovery_plans p WHERE 1 = 1 {order} LIMIT $1"
            ))
            .bind(limit)
            .fetch_all(ex)
            .await?
        }
    };
    rows.into_iter().map(map).collect()
}

/// A member of a plan's team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    pub user_id: UserId,
    pub display_name: String,
    pub role: String,
    pub org_name: String,
}

/// Adds someone to a plan's team; adding a member twice changes nothing.
pub async fn add_member<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    plan: i64,
    user: UserId,
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO recovery_plan_team (plan_id, user_id, added_at) VALUES ($1, $2, $3) \
         ON CONFLICT (plan_id, user_id) DO NOTHING",
    )
    .bind(plan)
    .bind(user.0)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Takes someone off a plan's team. False when they were not on it.
pub async fn remove_member<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    plan: i64,
    user: UserId,
) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM recovery_plan_team WHERE plan_id = $1 AND user_id = $2")
        .bind(plan)
        .bind(user.0)
        .execute(ex)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// How many people are on a plan's team.
pub async fn team_size<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    plan: i64,
) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM recovery_plan_team WHERE plan_id = $1")
            .bind(plan)
            .fetch_one(ex)
            .await?,
    )
}

/// Active accounts that may join a team: caseworkers, recovery specialists, supervisors.
pub async fn team_candidates<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> Result<Vec<MemberRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT u.id, u.display_name, u.role, o.name FROM users u          JOIN organisations o ON o.id = u.org_id          WHERE u.role IN ('caseworker', 'recovery-specialist', 'supervisor')          AND u.disabled_at IS NULL ORDER BY u.display_name, u.id",
    )
    .fetch_all(ex)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(MemberRow {
                user_id: UserId(r.try_get(0)?),
                display_name: r.try_get(1)?,
                role: r.try_get(2)?,
                org_name: r.try_get(3)?,
            })
        })
        .collect()
}

pub async fn team<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    plan: i64,
) -> Result<Vec<MemberRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT u.id, u.display_name, u.role, o.name FROM recovery_plan_team t \
         JOIN users u ON u.id = t.user_id JOIN organisations o ON o.id = u.org_id \
         WHERE t.plan_id = $1 ORDER BY t.added_at, u.id",
    )
    .bind(plan)
    .fetch_all(ex)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(MemberRow {
                user_id: UserId(r.try_get(0)?),
                display_name: r.try_get(1)?,
                role: r.try_get(2)?,
                org_name: r.try_get(3)?,
            })
        })
        .collect()
}

/// A consent as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRow {
    pub id: i64,
    pub with_whom: String,
    pub org_id: Option<OrgId>,
    pub what: String,
    pub given_on: String,
    pub recorded_by_name: String,
    pub recorded_at: i64,
    /// YYYY-MM-DD, when the young person withdrew it.
    pub withdrawn_on: Option<String>,
    pub withdrawn_reason: Option<String>,
    pub withdrawn_by_name: Option<String>,
}

impl ConsentRow {
    /// Still in force: it opens the plan to its organisation.
    pub fn in_force(&self) -> bool {
        self.withdrawn_on.is_none()
    }
}

/// Marks a consent of this plan withdrawn. False when there is no such consent in force
/// (already withdrawn, or another plan's).
#[allow(clippy::too_many_arguments)]
pub async fn withdraw_consent<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    plan: i64,
    consent: i64,
    on: &str,
    reason: &str,
    by: UserId,
    now: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE recovery_plan_consents SET withdrawn_on = $3, withdrawn_reason = $4, \
         withdrawn_by = $5, withdrawn_at = $6 \
         WHERE id = $2 AND plan_id = $1 AND withdrawn_at IS NULL",
    )
    .bind(plan)
    .bind(consent)
    .bind(on)
    .bind(reason)
    .bind(by.0)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() > 0)
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_consent<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    plan: i64,
    with_whom: &str,
    org: Option<OrgId>,
    what: &str,
    given_on: &str,
    by: UserId,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO recovery_plan_consents (plan_id, with_whom, org_id, what, given_on, \
         recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(plan)
    .bind(with_whom)
    .bind(org.map(|o| o.0))
    .bind(what)
    .bind(given_on)
    .bind(by.0)
    .bind(now)
    .fetch_one(ex)
    .await?)
}

pub async fn consents<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    plan: i64,
) -> Result<Vec<ConsentRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT c.id, c.with_whom, c.org_id, c.what, c.given_on, u.display_name, c.recorded_at, \
         c.withdrawn_on, c.withdrawn_reason, w.display_name \
         FROM recovery_plan_consents c JOIN users u ON u.id = c.recorded_by \
         LEFT JOIN users w ON w.id = c.withdrawn_by \
         WHERE c.plan_id = $1 ORDER BY c.id",
    )
    .bind(plan)
    .fetch_all(ex)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(ConsentRow {
                id: r.try_get(0)?,
                with_whom: r.try_get(1)?,
                org_id: r.try_get::<Option<i64>, _>(2)?.map(OrgId),
                what: r.try_get(3)?,
                given_on: r.try_get(4)?,
                recorded_by_name: r.try_get(5)?,
                recorded_at: r.try_get(6)?,
                withdrawn_on: r.try_get(7)?,
                withdrawn_reason: r.try_get(8)?,
                withdrawn_by_name: r.try_get(9)?,
            })
        })
        .collect()
}

/// A referral as stored, with its service's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralRow {
    pub id: i64,
    pub plan_id: i64,
    pub resource_id: i64,
    pub resource_name: String,
    pub need: String,
    pub status: String,
    pub shared: String,
    pub outcome: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub engaged_at: Option<i64>,
}

const REFERRAL: &str =
    "SELECT r.id, r.plan_id, r.resource_id, s.name, r.need, r.status, r.shared, \
     r.outcome, r.created_at, r.updated_at, r.engaged_at FROM referrals r \
     JOIN resources s ON s.id = r.resource_id";

fn map_referral(r: sqlx::any::AnyRow) -> Result<ReferralRow, StoreError> {
    Ok(ReferralRow {
        id: r.try_get(0)?,
        plan_id: r.try_get(1)?,
        resource_id: r.try_get(2)?,
        resource_name: r.try_get(3)?,
        need: r.try_get(4)?,
        status: r.try_get(5)?,
        shared: r.try_get(6)?,
        outcome: r.try_get(7)?,
        created_at: r.try_get(8)?,
        updated_at: r.try_get(9)?,
        engaged_at: r.try_get(10)?,
    })
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_referral<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    plan: i64,
    resource: i64,
    need: &str,
    status: &str,
    shared: &str,
    by: UserId,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO referrals (plan_id, resource_id, need, status, shared, created_by, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(plan)
    .bind(resource)
    .bind(need)
    .bind(status)
    .bind(shared)
    .bind(by.0)
    .bind(now)
    .fetch_one(ex)
    .await?)
}

pub async fn referral_by_id<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<Option<ReferralRow>, StoreError> {
    sqlx::query(&format!("{REFERRAL} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await?
        .map(map_referral)
        .transpose()
}

pub async fn referrals_for_plan<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    plan: i64,
) -> Result<Vec<ReferralRow>, StoreError> {
    sqlx::query(&format!("{REFERRAL} WHERE r.plan_id = $1 ORDER BY r.id"))
        .bind(plan)
        .fetch_all(ex)
        .await?
        .into_iter()
        .map(map_referral)
        .collect()
}

/// Moves a referral from `from` to `to` and records the move. `Conflict` when its status
/// is no longer `from` (someone else moved it).
#[allow(clippy::too_many_arguments)]
pub async fn move_referral(
    tx: &mut crate::Tx,
    id: i64,
    from: Option<&str>,
    to: &str,
    reason: &str,
    outcome: Option<&str>,
    engaged: bool,
    by: UserId,
    now: i64,
) -> Result<(), StoreError> {
    if let Some(from) = from {
        let done = sqlx::query(
            "UPDATE referrals SET status = $2, outcome = COALESCE($3, outcome), updated_at = $4, \
             engaged_at = CASE WHEN $5 = 1 THEN $4 ELSE engaged_at END \
             WHERE id = $1 AND status = $6",
        )
        .bind(id)
        .bind(to)
        .bind(outcome)
        .bind(now)
        .bind(i64::from(engaged))
        .bind(from)
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict("a newer move of this referral"));
        }
    }
    sqlx::query(
        "INSERT INTO referral_moves (referral_id, from_status, to_status, reason, by_user, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(reason)
    .bind(by.0)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One move of a referral's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveRow {
    pub from_status: Option<String>,
    pub to_status: String,
    pub reason: String,
    pub by_name: String,
    pub at: i64,
}

pub async fn moves<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    referral: i64,
) -> Result<Vec<MoveRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT m.from_status, m.to_status, m.reason, u.display_name, m.at FROM referral_moves m \
         JOIN users u ON u.id = m.by_user WHERE m.referral_id = $1 ORDER BY m.id",
    )
    .bind(referral)
    .fetch_all(ex)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(MoveRow {
                from_status: r.try_get(0)?,
                to_status: r.try_get(1)?,
                reason: r.try_get(2)?,
                by_name: r.try_get(3)?,
                at: r.try_get(4)?,
            })
        })
        .collect()
}

/// Counts for the statistics: never a list of people.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanCounts {
    pub plans: i64,
    /// (need domain, status, count).
    pub referrals: Vec<(String, String, i64)>,
    /// Microseconds from each engaged referral's creation to its engagement.
    pub engagement_delays: Vec<i64>,
    /// Dates of birth of plans (YYYY-MM-DD), to count transitions at 18.
    pub dates_of_birth: Vec<String>,
}

pub async fn counts(pool: &sqlx::AnyPool) -> Result<PlanCounts, StoreError> {
    let plans: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recovery_plans")
        .fetch_one(pool)
        .await?;
    let rows = sqlx::query(
        "SELECT need, status, COUNT(*) FROM referrals GROUP BY need, status ORDER BY need, status",
    )
    .fetch_all(pool)
    .await?;
    let referrals = rows
        .into_iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    let engagement_delays: Vec<i64> = sqlx::query_scalar(
        "SELECT engaged_at - created_at FROM referrals WHERE engaged_at IS NOT NULL",
    )
    .fetch_all(pool)
    .await?;
    let dates_of_birth: Vec<String> = sqlx::query_scalar(
        "SELECT date_of_birth FROM recovery_plans WHERE date_of_birth IS NOT NULL",
    )
    .fetch_all(pool)
    .await?;
    Ok(PlanCounts {
        plans,
        referrals,
        engagement_delays,
        dates_of_birth,
    })
}
