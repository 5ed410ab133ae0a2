//! Family advocacy and peer support (migration 0015): family support cases with their
//! deadlines, the contact log, referrals to the recovery directory, and peer volunteers'
//! profiles. What a family or a volunteer profile holds is the `families` crate's (stored
//! as JSON); who may see what is the service's. This module stores and finds.

use crate::StoreError;
use domain::{OrgId, UserId};
use families::model::{Coded, ContactKind, CrisisLevel, Experience};
use sqlx::{Any, Executor, Row};

fn coded<T: Coded>(column: &'static str, value: String) -> Result<T, StoreError> {
    T::parse(&value).ok_or(StoreError::UnknownValue { column, value })
}

/// A family's support case as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyRow {
    pub id: i64,
    pub org_id: OrgId,
    pub advocate_id: UserId,
    pub advocate_name: String,
    pub case_id: Option<i64>,
    pub report_id: Option<i64>,
    pub family_name: String,
    pub crisis: CrisisLevel,
    pub experience: Experience,
    /// `families::FamilyProfile` as JSON.
    pub profile_json: String,
    pub volunteer_id: Option<UserId>,
    pub volunteer_name: Option<String>,
    pub matched_at: Option<i64>,
    pub opened_at: i64,
    pub first_contact_due: i64,
    pub first_contact_at: Option<i64>,
    pub next_due: Option<i64>,
    pub closed_at: Option<i64>,
    pub close_reason: Option<String>,
    pub updated_at: i64,
}

const FAMILY: &str = "SELECT f.id, f.org_id, f.advocate_id, a.display_name AS advocate_name, f.case_id, \
    f.report_id, f.family_name, f.crisis, f.experience, f.profile_json, f.volunteer_id, \
    v.display_name AS volunteer_name, f.matched_at, f.opened_at, f.first_contact_due, \
    f.first_contact_at, f.next_due, f.closed_at, f.close_reason, f.updated_at \
    FROM family_cases f JOIN users a ON a.id = f.advocate_id LEFT JOIN users v ON v.id = f.volunteer_id";

fn family(r: sqlx::any::AnyRow) -> Result<FamilyRow, StoreError> {
    Ok(FamilyRow {
        id: r.try_get("id")?,
        org_id: OrgId(r.try_get("org_id")?),
        advocate_id: UserId(r.try_get("advocate_id")?),
        advocate_name: r.try_get("advocate_name")?,
        case_id: r.try_get("case_id")?,
        report_id: r.try_get("report_id")?,
        family_name: r.try_get("family_name")?,
        crisis: coded("family_cases.crisis", r.try_get("crisis")?)?,
        experience: coded("family_cases.experience", r.try_get("experience")?)?,
        profile_json: r.try_get("profile_json")?,
        volunteer_id: r.try_get::<Option<i64>, _>("volunteer_id")?.map(UserId),
        volunteer_name: r.try_get("volunteer_name")?,
        matched_at: r.try_get("matched_at")?,
        opened_at: r.try_get("opened_at")?,
        first_contact_due: r.try_get("first_contact_due")?,
        first_contact_at: r.try_get("first_contact_at")?,
        next_due: r.try_get("next_due")?,
        closed_at: r.try_get("closed_at")?,
        close_reason: r.try_get("close_reason")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// What is written for a new family case.
pub struct NewFamily<'a> {
    pub org_id: OrgId,
    pub advocate_id: UserId,
    pub case_id: Option<i64>,
    pub report_id: Option<i64>,
    pub family_name: &'a str,
    pub crisis: CrisisLevel,
    pub experience: Experience,
    pub profile_json: &'a str,
    pub first_contact_due: i64,
}

pub async fn insert_family<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    f: &NewFamily<'_>,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO family_cases (org_id, advocate_id, case_id, report_id, family_name, crisis, \
         experience, profile_json, opened_at, first_contact_due, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9) RETURNING id",
    )
    .bind(f.org_id.0)
    .bind(f.advocate_id.0)
    .bind(f.case_id)
    .bind(f.report_id)
    .bind(f.family_name)
    .bind(f.crisis.code())
    .bind(f.experience.code())
    .bind(f.profile_json)
    .bind(now)
    .bind(f.first_contact_due)
    .fetch_one(ex)
    .await?)
}

/// Replaces what the family told us. The first-contact deadline follows a new crisis level
/// while no first contact has been made.
pub async fn update_family<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    family_name: &str,
    crisis: CrisisLevel,
    experience: Experience,
    profile_json: &str,
    now: i64,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE family_cases SET family_name = $2, crisis = $3, experience = $4, profile_json = $5, \
         first_contact_due = CASE WHEN first_contact_at IS NULL THEN opened_at + $6 ELSE first_contact_due END, \
         updated_at = $7 WHERE id = $1",
    )
    .bind(id)
    .bind(family_name)
    .bind(crisis.code())
    .bind(experience.code())
    .bind(profile_json)
    .bind(crisis.first_contact_due(0))
    .bind(now)
    .execute(ex)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn family_by_id<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<Option<FamilyRow>, StoreError> {
    sqlx::query(&format!("{FAMILY} WHERE f.id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await?
        .map(family)
        .transpose()
}

/// Open (or all) family cases of one organisation, or of every organisation (`None`);
/// first contacts due soonest first, then follow-ups due soonest.
pub async fn families<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    org: Option<OrgId>,
    open_only: bool,
) -> Result<Vec<FamilyRow>, StoreError> {
    let mut sql = format!("{FAMILY} WHERE ($1 = 0 OR f.org_id = $2)");
    if open_only {
        sql.push_str(" AND f.closed_at IS NULL");
    }
    sql.push_str(
        " ORDER BY CASE WHEN f.first_contact_at IS NULL THEN 0 ELSE 1 END, \
         CASE WHEN f.first_contact_at IS NULL THEN f.first_contact_due ELSE COALESCE(f.next_due, 9223372036854775807) END, f.id",
    );
    let rows = sqlx::query(&sql)
        .bind(i64::from(org.is_some()))
        .bind(org.map_or(0, |o| o.0))
        .fetch_all(ex)
        .await?;
    rows.into_iter().map(family).collect()
}

/// The open families a volunteer is matched with.
pub async fn families_of_volunteer<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    volunteer: UserId,
) -> Result<Vec<FamilyRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "{FAMILY} WHERE f.volunteer_id = $1 AND f.closed_at IS NULL ORDER BY COALESCE(f.next_due, 9223372036854775807), f.id"
    ))
    .bind(volunteer.0)
    .fetch_all(ex)
    .await?;
    rows.into_iter().map(family).collect()
}

/// Family cases opened for a missing-child case.
pub async fn families_of_case<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    case_id: i64,
) -> Result<Vec<FamilyRow>, StoreError> {
    let rows = sqlx::query(&format!("{FAMILY} WHERE f.case_id = $1 ORDER BY f.id"))
        .bind(case_id)
        .fetch_all(ex)
        .await?;
    rows.into_iter().map(family).collect()
}

/// Confirms a volunteer for a family (replacing any earlier one).
pub async fn set_volunteer<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    volunteer: UserId,
    by: UserId,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE family_cases SET volunteer_id = $2, matched_by = $3, matched_at = $4, updated_at = $4 \
         WHERE id = $1 AND closed_at IS NULL",
    )
    .bind(id)
    .bind(volunteer.0)
    .bind(by.0)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Closes a case with its reason and the family's survey answer, if any.
pub async fn close<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    reason: &str,
    helpfulness: Option<u8>,
    now: i64,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE family_cases SET closed_at = $2, close_reason = $3, helpfulness = $4, updated_at = $2 \
         WHERE id = $1 AND closed_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .bind(reason)
    .bind(helpfulness.map(i64::from))
    .execute(ex)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// One entry of a family's contact log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRow {
    pub id: i64,
    pub family_id: i64,
    pub by_user: UserId,
    pub by_name: String,
    pub kind: ContactKind,
    pub at: i64,
    pub with_whom: String,
    pub summary: String,
    pub next_step: String,
    pub next_due: Option<i64>,
}

pub struct NewContact<'a> {
    pub family_id: i64,
    pub by_user: UserId,
    pub kind: ContactKind,
    pub at: i64,
    pub with_whom: &'a str,
    pub summary: &'a str,
    pub next_step: &'a str,
    pub next_due: Option<i64>,
}

/// Logs a contact; the first one marks the first contact made, one naming a next step sets
/// the case's next step due, and one made at or after that time without a new next step
/// was the follow-up, so nothing is due any more. (NULLs sort first on SQLite and last on
/// PostgreSQL, so lists order by `COALESCE`.)
pub async fn insert_contact(
    tx: &mut crate::Tx,
    c: &NewContact<'_>,
    now: i64,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO family_contacts (family_id, by_user, kind, at, with_whom, summary, next_step, \
         next_due, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(c.family_id)
    .bind(c.by_user.0)
    .bind(c.kind.code())
    .bind(c.at)
    .bind(c.with_whom)
    .bind(c.summary)
    .bind(c.next_step)
    .bind(c.next_due)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE family_cases SET \
         first_contact_at = CASE WHEN first_contact_at IS NULL OR first_contact_at > $2 THEN $2 ELSE first_contact_at END, \
         next_due = CASE WHEN $3 = 1 THEN $4 WHEN next_due <= $2 THEN NULL ELSE next_due END, updated_at = $5 WHERE id = $1",
    )
    .bind(c.family_id)
    .bind(c.at)
    .bind(i64::from(c.next_due.is_some()))
    .bind(c.next_due)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// A family's contact log, latest first; `only_by` narrows it to one person's entries.
pub async fn contacts<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    family_id: i64,
    only_by: Option<UserId>,
) -> Result<Vec<ContactRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT c.id, c.family_id, c.by_user, u.display_name, c.kind, c.at, c.with_whom, c.summary, \
         c.next_step, c.next_due FROM family_contacts c JOIN users u ON u.id = c.by_user \
         WHERE c.family_id = $1 AND ($2 = 0 OR c.by_user = $3) ORDER BY c.at DESC, c.id DESC",
    )
    .bind(family_id)
    .bind(i64::from(only_by.is_some()))
    .bind(only_by.map_or(0, |u| u.0))
    .fetch_all(ex)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(ContactRow {
                id: r.try_get("id")?,
                family_id: r.try_get("family_id")?,
                by_user: UserId(r.try_get("by_user")?),
                by_name: r.try_get("display_name")?,
                kind: coded("family_contacts.kind", r.try_get("kind")?)?,
                at: r.try_get("at")?,
                with_whom: r.try_get("with_whom")?,
                summary: r.try_get("summary")?,
                next_step: r.try_get("next_step")?,
                next_due: r.try_get("next_due")?,
            })
        })
        .collect()
}

/// A referral to a service of the recovery directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralRow {
    pub id: i64,
    pub resource_id: i64,
    pub resource_name: String,
    pub note: String,
    pub by_name: String,
    pub created_at: i64,
}

pub async fn insert_referral<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    family_id: i64,
    resource_id: i64,
    note: &str,
    by: UserId,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO family_referrals (family_id, resource_id, note, by_user, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(family_id)
    .bind(resource_id)
    .bind(note)
    .bind(by.0)
    .bind(now)
    .fetch_one(ex)
    .await?)
}

pub async fn referrals<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    family_id: i64,
) -> Result<Vec<ReferralRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT f.id, f.resource_id, r.name, f.note, u.display_name, f.created_at \
         FROM family_referrals f JOIN resources r ON r.id = f.resource_id \
         JOIN users u ON u.id = f.by_user WHERE f.family_id = $1 ORDER BY f.created_at, f.id",
    )
    .bind(family_id)
    .fetch_all(ex)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(ReferralRow {
                id: r.try_get("id")?,
                resource_id: r.try_get("resource_id")?,
                resource_name: r.try_get("name")?,
                note: r.try_get("note")?,
                by_name: r.try_get("display_name")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// A volunteer account with its profile (None: no profile recorded yet) and how many
/// open families it supports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolunteerRow {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub org_id: OrgId,
    pub profile_json: Option<String>,
    pub load: i64,
}

const VOLUNTEER: &str = "SELECT u.id, u.username, u.display_name, u.org_id, p.profile_json, \
    (SELECT COUNT(*) FROM family_cases f WHERE f.volunteer_id = u.id AND f.closed_at IS NULL) AS family_load \
    FROM users u LEFT JOIN volunteer_profiles p ON p.user_id = u.id \
    WHERE u.role = 'volunteer' AND u.disabled_at IS NULL";

fn volunteer(r: sqlx::any::AnyRow) -> Result<VolunteerRow, StoreError> {
    Ok(VolunteerRow {
        user_id: UserId(r.try_get("id")?),
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        org_id: OrgId(r.try_get("org_id")?),
        profile_json: r.try_get("profile_json")?,
        load: r.try_get("family_load")?,
    })
}

/// Every volunteer account, by name.
pub async fn volunteers<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> Result<Vec<VolunteerRow>, StoreError> {
    let rows = sqlx::query(&format!("{VOLUNTEER} ORDER BY u.display_name, u.id"))
        .fetch_all(ex)
        .await?;
    rows.into_iter().map(volunteer).collect()
}

pub async fn volunteer_by_id<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user: UserId,
) -> Result<Option<VolunteerRow>, StoreError> {
    sqlx::query(&format!("{VOLUNTEER} AND u.id = $1"))
        .bind(user.0)
        .fetch_optional(ex)
        .await?
        .map(volunteer)
        .transpose()
}

/// Writes a volunteer's profile (added or replaced).
pub async fn save_volunteer<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user: UserId,
    profile_json: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO volunteer_profiles (user_id, profile_json, created_at, updated_at) \
         VALUES ($1, $2, $3, $3) ON CONFLICT (user_id) DO UPDATE SET profile_json = $2, updated_at = $3",
    )
    .bind(user.0)
    .bind(profile_json)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// What the statistics count: never a list of families.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FamilyCounts {
    pub opened: i64,
    pub closed: i64,
    /// Minutes from opening to the first contact, for each case with one (for the median).
    pub first_contact_minutes: Vec<i64>,
    pub surveys: i64,
    pub helpfulness_sum: i64,
}

pub async fn counts<'e, E: Executor<'e, Database = Any> + Copy>(
    ex: E,
) -> Result<FamilyCounts, StoreError> {
    let r = sqlx::query(
        "SELECT COUNT(*) AS opened, COUNT(closed_at) AS closed, COUNT(helpfulness) AS surveys, \
         CAST(COALESCE(SUM(helpfulness), 0) AS BIGINT) AS helpfulness_sum FROM family_cases",
    )
    .fetch_one(ex)
    .await?;
    let first_contact_minutes: Vec<i64> = sqlx::query_scalar(
        "SELECT (first_contact_at - opened_at) / 60000000 FROM family_cases \
         WHERE first_contact_at IS NOT NULL ORDER BY 1",
    )
    .fetch_all(ex)
    .await?;
    Ok(FamilyCounts {
        opened: r.try_get("opened")?,
        closed: r.try_get("closed")?,
        first_contact_minutes,
        surveys: r.try_get("surveys")?,
        helpfulness_sum: r.try_get("helpfulness_sum")?,
    })
}
