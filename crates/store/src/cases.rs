//! Missing-child cases: the case row (child, owner agency, review, priority, publication),
//! its episodes with statistics-ready columns, sharing with law-enforcement agencies, and
//! alerts raised by link analysis. The rules (who may see what, what a valid episode is)
//! are the service's; this module only stores and finds.

use crate::filter::{bind_all, bind_all_scalar, Bind};
use crate::{record_kind, StoreError};
use domain::{AssigneeFilter, CaseStatus, OrgId, RecordKind, UserId};
use sqlx::{Any, Executor, Row};

/// A case as stored. `child_json` holds the child (casework's model and identifiers);
/// it is `None` for rows imported before the case workflow existed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    pub id: i64,
    /// The external id: the imported case's id, or `CH-000123` for cases made here.
    pub case_number: String,
    pub child_name: String,
    pub missing_from_care: bool,
    /// The latest episode's circumstance (casework's id).
    pub circumstance: String,
    pub episodes: i64,
    /// The import format's record as first received (or written for cases made here).
    /// Empty in lists.
    pub case_json: String,
    pub owner_org: Option<OrgId>,
    /// `import`, `caseworker` or `hotline`.
    pub source: String,
    pub reported_by: Option<UserId>,
    pub status: CaseStatus,
    pub assignee: Option<UserId>,
    pub priority_rank: i64,
    pub score_milli: i64,
    /// Empty in lists.
    pub triage_json: Option<String>,
    /// Empty in lists.
    pub child_json: Option<String>,
    pub currently_missing: bool,
    pub missing_since: Option<String>,
    pub last_seen_state: Option<String>,
    pub published: bool,
    pub consent_given_by: Option<String>,
    pub consent_recorded_on: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Alerts not dismissed.
    pub open_alerts: i64,
}

const BASE_COLUMNS: &str = "id, external_id, child_name, missing_from_care, circumstance, episodes, \
    owner_org, source, reported_by, status, assignee, priority_rank, score_milli, currently_missing, \
    missing_since, last_seen_state, published, consent_given_by, consent_recorded_on, imported_at, updated_at, \
    (SELECT COUNT(*) FROM case_alerts a WHERE a.case_id = cases.id AND a.dismissed_at IS NULL) AS open_alerts";

fn columns(full: bool) -> String {
    if full {
        format!("{BASE_COLUMNS}, case_json, triage_json, child_json")
    } else {
        format!("{BASE_COLUMNS}, '' AS case_json, NULL AS triage_json, NULL AS child_json")
    }
}

fn map(r: sqlx::any::AnyRow) -> Result<CaseRow, StoreError> {
    let status: String = r.try_get("status")?;
    Ok(CaseRow {
        id: r.try_get("id")?,
        case_number: r.try_get("external_id")?,
        child_name: r.try_get("child_name")?,
        missing_from_care: crate::flag(r.try_get("missing_from_care")?),
        circumstance: r.try_get("circumstance")?,
        episodes: r.try_get("episodes")?,
        case_json: r.try_get("case_json")?,
        owner_org: r.try_get::<Option<i64>, _>("owner_org")?.map(OrgId),
        source: r.try_get("source")?,
        reported_by: r.try_get::<Option<i64>, _>("reported_by")?.map(UserId),
        status: CaseStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("case status `{status}`")))?,
        assignee: r.try_get::<Option<i64>, _>("assignee")?.map(UserId),
        priority_rank: r.try_get("priority_rank")?,
        score_milli: r.try_get("score_milli")?,
        triage_json: r.try_get("triage_json")?,
        child_json: r.try_get("child_json")?,
        currently_missing: crate::flag(r.try_get("currently_missing")?),
        missing_since: r.try_get("missing_since")?,
        last_seen_state: r.try_get("last_seen_state")?,
        published: crate::flag(r.try_get("published")?),
        consent_given_by: r.try_get("consent_given_by")?,
        consent_recorded_on: r.try_get("consent_recorded_on")?,
        created_at: r.try_get("imported_at")?,
        updated_at: r.try_get("updated_at")?,
        open_alerts: r.try_get("open_alerts")?,
    })
}

/// What the service derives from a case file each time it changes: the columns lists,
/// filters and sorting read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseSummary {
    pub child_name: String,
    pub missing_from_care: bool,
    pub circumstance: String,
    pub episodes: i64,
    pub child_json: String,
    pub case_json: String,
    pub search_text: String,
    pub currently_missing: bool,
    pub missing_since: Option<String>,
    pub last_seen_state: Option<String>,
    pub priority_rank: i64,
    pub score_milli: i64,
    pub triage_json: String,
    pub catalogue_version: i64,
}

/// A case made here (not imported).
#[derive(Debug, Clone)]
pub struct NewCase<'a> {
    pub owner_org: Option<OrgId>,
    pub source: &'a str,
    pub reported_by: UserId,
    pub status: CaseStatus,
    pub summary: &'a CaseSummary,
}

/// Inserts a case and gives it its number (`CH-` and the id, six digits at least).
pub async fn insert(
    tx: &mut crate::Tx,
    c: &NewCase<'_>,
    now: i64,
) -> Result<(i64, String), StoreError> {
    let s = c.summary;
    let provisional = format!("new-{now}-{}", c.reported_by.0);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO cases (external_id, child_name, missing_from_care, circumstance, episodes, case_json, imported_at, \
         owner_org, source, reported_by, status, child_json, search_text, currently_missing, missing_since, \
         last_seen_state, priority_rank, score_milli, triage_json, catalogue_version, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $7) RETURNING id",
    )
    .bind(&provisional)
    .bind(&s.child_name)
    .bind(i64::from(s.missing_from_care))
    .bind(&s.circumstance)
    .bind(s.episodes)
    .bind(&s.case_json)
    .bind(now)
    .bind(c.owner_org.map(|o| o.0))
    .bind(c.source)
    .bind(c.reported_by.0)
    .bind(c.status.as_str())
    .bind(&s.child_json)
    .bind(&s.search_text)
    .bind(i64::from(s.currently_missing))
    .bind(&s.missing_since)
    .bind(&s.last_seen_state)
    .bind(s.priority_rank)
    .bind(s.score_milli)
    .bind(&s.triage_json)
    .bind(s.catalogue_version)
    .fetch_one(&mut **tx)
    .await?;
    let number = domain::CaseId(id).number();
    sqlx::query("UPDATE cases SET external_id = $1 WHERE id = $2")
        .bind(&number)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok((id, number))
}

/// Rewrites the derived columns after the case file changed.
pub async fn set_summary<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    s: &CaseSummary,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE cases SET child_name = $1, missing_from_care = $2, circumstance = $3, episodes = $4, \
         child_json = $5, case_json = $6, search_text = $7, currently_missing = $8, missing_since = $9, \
         last_seen_state = $10, priority_rank = $11, score_milli = $12, triage_json = $13, \
         catalogue_version = $14, updated_at = $15 WHERE id = $16",
    )
    .bind(&s.child_name)
    .bind(i64::from(s.missing_from_care))
    .bind(&s.circumstance)
    .bind(s.episodes)
    .bind(&s.child_json)
    .bind(&s.case_json)
    .bind(&s.search_text)
    .bind(i64::from(s.currently_missing))
    .bind(&s.missing_since)
    .bind(&s.last_seen_state)
    .bind(s.priority_rank)
    .bind(s.score_milli)
    .bind(&s.triage_json)
    .bind(s.catalogue_version)
    .bind(now)
    .bind(id)
    .execute(ex)
    .await?;
    Ok(())
}

/// Sets the derived columns of an imported case once, if it has none yet (a second import
/// of the same case, or a concurrent backfill, leaves it as it is). Whether it did.
pub async fn fill_imported<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    s: &CaseSummary,
    owner_org: Option<OrgId>,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE cases SET child_name = $1, missing_from_care = $2, circumstance = $3, episodes = $4, \
         child_json = $5, search_text = $6, currently_missing = $7, missing_since = $8, \
         last_seen_state = $9, priority_rank = $10, score_milli = $11, triage_json = $12, \
         catalogue_version = $13, owner_org = $14, updated_at = imported_at WHERE id = $15 AND child_json IS NULL",
    )
    .bind(&s.child_name)
    .bind(i64::from(s.missing_from_care))
    .bind(&s.circumstance)
    .bind(s.episodes)
    .bind(&s.child_json)
    .bind(&s.search_text)
    .bind(i64::from(s.currently_missing))
    .bind(&s.missing_since)
    .bind(&s.last_seen_state)
    .bind(s.priority_rank)
    .bind(s.score_milli)
    .bind(&s.triage_json)
    .bind(s.catalogue_version)
    .bind(owner_org.map(|o| o.0))
    .bind(id)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn by_id<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<Option<CaseRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {} FROM cases WHERE id = $1",
        columns(true)
    ))
    .bind(id)
    .fetch_optional(ex)
    .await?
    .map(map)
    .transpose()
}

/// The id of the case with this external id.
pub async fn id_by_number<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    case_number: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM cases WHERE external_id = $1")
            .bind(case_number)
            .fetch_optional(ex)
            .await?,
    )
}

/// Ids of cases whose child is not yet stored in the case workflow's form (imported
/// before it existed), after `after`, in id order.
pub async fn unfilled_after<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    after: i64,
    limit: i64,
) -> Result<Vec<(i64, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, case_json FROM cases WHERE child_json IS NULL AND id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(ex)
    .await?;
    rows.into_iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Ids of cases in the case workflow (their child stored), after `after`, in id order.
pub async fn filled_after<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    after: i64,
    limit: i64,
) -> Result<Vec<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM cases WHERE child_json IS NOT NULL AND id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(ex)
    .await?)
}

/// Which cases a list may hold, decided by the service from the caller's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// The hotline: every case.
    #[default]
    All,
    /// A child-welfare agency's own cases.
    OwnedBy(OrgId),
    /// Cases made available to a law-enforcement agency.
    SharedWith(OrgId),
}

/// The case list's filters; every field narrows the list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub scope: Scope,
    pub status: Option<CaseStatus>,
    /// Without a status, closed cases are left out.
    pub include_closed: bool,
    pub circumstance: Option<String>,
    /// A USPS code: where the child was last seen.
    pub state: Option<String>,
    pub missing_from_care: bool,
    pub currently_missing: bool,
    pub assignee: AssigneeFilter,
    /// Only cases with alerts not yet dismissed.
    pub with_open_alerts: bool,
    pub priority_rank: Option<i64>,
    /// All of these words, in the child's name, aliases or the case number.
    pub words: Vec<String>,
    /// Only the case with this id (a case number typed in the search).
    pub id: Option<i64>,
    /// The order the list is read in.
    pub order: CaseOrder,
    /// The chosen column from its largest value down.
    pub descending: bool,
}

/// A column the case list can be ordered by; ties keep the default order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaseOrder {
    /// Children missing now first, then most urgent, then the most recent.
    #[default]
    Default,
    Priority,
    /// The case number (the id).
    Number,
    Child,
    /// In the workflow's order: needs review, open, closed.
    Status,
    /// Currently missing first, by the day they went missing.
    Missing,
    State,
    Episodes,
    Alerts,
}

/// The `ORDER BY` of the list; every expression is a fixed string of this module.
fn order_by(f: &CaseFilter) -> String {
    const DEFAULT: &str = "currently_missing DESC, priority_rank, \
         CASE WHEN missing_since IS NULL THEN 1 ELSE 0 END, missing_since DESC, \
         imported_at DESC, id DESC";
    let dir = if f.descending { "DESC" } else { "ASC" };
    let status_rank = CaseStatus::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| format!(" WHEN '{}' THEN {i}", s.as_str()))
        .collect::<String>();
    let first = match f.order {
        CaseOrder::Default => return DEFAULT.to_owned(),
        CaseOrder::Priority => format!("priority_rank {dir}"),
        CaseOrder::Number => format!("id {dir}"),
        CaseOrder::Child => format!("LOWER(child_name) {dir}"),
        CaseOrder::Status => format!("CASE status{status_rank} ELSE 9 END {dir}"),
        CaseOrder::Missing => format!(
            "currently_missing DESC, CASE WHEN missing_since IS NULL THEN 1 ELSE 0 END, missing_since {dir}"
        ),
        CaseOrder::State => format!(
            "CASE WHEN last_seen_state IS NULL OR last_seen_state = '' THEN 1 ELSE 0 END, last_seen_state {dir}"
        ),
        CaseOrder::Episodes => format!("episodes {dir}"),
        CaseOrder::Alerts => format!("open_alerts {dir}"),
    };
    format!("{first}, {DEFAULT}")
}

/// LIKE's wildcards never come from a user's filter.
fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '%' | '_' | '\\'))
        .collect()
}

fn condition(f: &CaseFilter, first: usize) -> (String, Vec<Bind>) {
    let mut cond = String::from(" WHERE 1 = 1");
    let mut binds: Vec<Bind> = Vec::new();
    let mut p = |cond: &mut String, sql: &str, b: Bind| {
        cond.push_str(&sql.replace("$?", &format!("${}", first + binds.len())));
        binds.push(b);
    };
    match f.scope {
        Scope::All => {}
        Scope::OwnedBy(o) => p(&mut cond, " AND owner_org = $?", Bind::Int(o.0)),
        Scope::SharedWith(o) => p(
            &mut cond,
            " AND id IN (SELECT case_id FROM case_shares WHERE org_id = $?)",
            Bind::Int(o.0),
        ),
    }
    match &f.status {
        Some(s) => p(&mut cond, " AND status = $?", Bind::Text(s.as_str().into())),
        None if !f.include_closed => cond.push_str(" AND status <> 'closed'"),
        None => {}
    }
    if let Some(c) = &f.circumstance {
        p(&mut cond, " AND circumstance = $?", Bind::Text(c.clone()));
    }
    if let Some(s) = &f.state {
        p(
            &mut cond,
            " AND last_seen_state = $?",
            Bind::Text(s.clone()),
        );
    }
    if f.missing_from_care {
        cond.push_str(" AND missing_from_care = 1");
    }
    if f.currently_missing {
        cond.push_str(" AND currently_missing = 1");
    }
    match f.assignee {
        AssigneeFilter::Anyone => {}
        AssigneeFilter::Unassigned => cond.push_str(" AND assignee IS NULL"),
        AssigneeFilter::User(u) => p(&mut cond, " AND assignee = $?", Bind::Int(u.0)),
    }
    if f.with_open_alerts {
        cond.push_str(
            " AND EXISTS (SELECT 1 FROM case_alerts a WHERE a.case_id = cases.id AND a.dismissed_at IS NULL)",
        );
    }
    if let Some(r) = f.priority_rank {
        p(&mut cond, " AND priority_rank = $?", Bind::Int(r));
    }
    if let Some(id) = f.id {
        p(&mut cond, " AND id = $?", Bind::Int(id));
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
    (cond, binds)
}

/// The list: by default children missing now first (a child missing since yesterday must
/// not sit below recovered ones), then most urgent, then the most recent (the latest to go
/// missing, then the latest reported); or by the chosen column, ties in that order.
/// `missing_since` is an ISO date, so it sorts as text; NULLs are put last explicitly
/// because the two backends order them differently.
pub async fn page<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    f: &CaseFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<CaseRow>, StoreError> {
    let (cond, binds) = condition(f, 3);
    let sql = format!(
        "SELECT {} FROM cases{cond} ORDER BY {} LIMIT $1 OFFSET $2",
        columns(false),
        order_by(f)
    );
    let q = bind_all(sqlx::query(&sql).bind(limit).bind(offset), binds);
    q.fetch_all(ex).await?.into_iter().map(map).collect()
}

pub async fn count<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    f: &CaseFilter,
) -> Result<i64, StoreError> {
    let (cond, binds) = condition(f, 1);
    let sql = format!("SELECT COUNT(*) FROM cases{cond}");
    Ok(bind_all_scalar(sqlx::query_scalar(&sql), binds)
        .fetch_one(ex)
        .await?)
}

/// Moves a case from `from` to `to`; false if it was no longer in `from`.
pub async fn set_status<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    from: CaseStatus,
    to: CaseStatus,
    now: i64,
) -> Result<bool, StoreError> {
    let r =
        sqlx::query("UPDATE cases SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
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
    let r = sqlx::query("UPDATE cases SET assignee = $1, updated_at = $2 WHERE id = $3")
        .bind(assignee.map(|u| u.0))
        .bind(now)
        .bind(id)
        .execute(ex)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// Marks a case for publication with the consent, or (`None`) withdraws it.
pub async fn set_publication<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    consent: Option<(&str, &str)>,
    by: UserId,
    now: i64,
) -> Result<(), StoreError> {
    let (published, given_by, on) = match consent {
        Some((g, o)) => (1i64, Some(g), Some(o)),
        None => (0, None, None),
    };
    sqlx::query(
        "UPDATE cases SET published = $1, consent_given_by = $2, consent_recorded_on = $3, published_by = $4, \
         published_at = $5, updated_at = $5 WHERE id = $6",
    )
    .bind(published)
    .bind(given_by)
    .bind(on)
    .bind(by.0)
    .bind(now)
    .bind(id)
    .execute(ex)
    .await?;
    Ok(())
}

/// One episode as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpisodeRow {
    pub id: i64,
    pub case_id: i64,
    /// casework's `Episode` as JSON.
    pub episode_json: String,
    /// The caseworker's account of the circumstances.
    pub narrative: String,
    pub created_by: Option<UserId>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An episode to store, with the columns statistics group by.
#[derive(Debug, Clone)]
pub struct NewEpisode<'a> {
    pub episode_json: &'a str,
    pub narrative: &'a str,
    pub reported_on: &'a str,
    pub year: i64,
    pub circumstance: &'a str,
    pub age_band: Option<&'a str>,
    pub state: &'a str,
    pub recovered: bool,
    pub created_by: Option<UserId>,
}

pub async fn insert_episode<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    case_id: i64,
    e: &NewEpisode<'_>,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO case_episodes (case_id, episode_json, narrative, reported_on, year, circumstance, age_band, \
         state, recovered, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
    )
    .bind(case_id)
    .bind(e.episode_json)
    .bind(e.narrative)
    .bind(e.reported_on)
    .bind(e.year)
    .bind(e.circumstance)
    .bind(e.age_band)
    .bind(e.state)
    .bind(i64::from(e.recovered))
    .bind(e.created_by.map(|u| u.0))
    .bind(now)
    .fetch_one(ex)
    .await?)
}

/// Replaces an episode (a recovery recorded); only while `expected_json` is what is stored,
/// so two people recording at once cannot overwrite each other. Whether it did.
pub async fn update_episode<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    expected_json: &str,
    e: &NewEpisode<'_>,
    now: i64,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE case_episodes SET episode_json = $1, recovered = $2, updated_at = $3 \
         WHERE id = $4 AND episode_json = $5",
    )
    .bind(e.episode_json)
    .bind(i64::from(e.recovered))
    .bind(now)
    .bind(id)
    .bind(expected_json)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// A case's episodes, oldest report first.
pub async fn episodes<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    case_id: i64,
) -> Result<Vec<EpisodeRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, case_id, episode_json, narrative, created_by, created_at, updated_at FROM case_episodes \
         WHERE case_id = $1 ORDER BY reported_on, id",
    )
    .bind(case_id)
    .fetch_all(ex)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(EpisodeRow {
                id: r.try_get(0)?,
                case_id: r.try_get(1)?,
                episode_json: r.try_get(2)?,
                narrative: r.try_get(3)?,
                created_by: r.try_get::<Option<i64>, _>(4)?.map(UserId),
                created_at: r.try_get(5)?,
                updated_at: r.try_get(6)?,
            })
        })
        .collect()
}

/// Shares a case with an agency; false if it already was.
pub async fn share<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    case_id: i64,
    org: OrgId,
    by: UserId,
    now: i64,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "INSERT INTO case_shares (case_id, org_id, shared_by, shared_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (case_id, org_id) DO NOTHING",
    )
    .bind(case_id)
    .bind(org.0)
    .bind(by.0)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// One agency a case was made available to: (org, name, by username, when).
pub async fn shares<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    case_id: i64,
) -> Result<Vec<crate::triage::ShareRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT s.org_id, o.name, u.username, s.shared_at FROM case_shares s \
         JOIN organisations o ON o.id = s.org_id JOIN users u ON u.id = s.shared_by \
         WHERE s.case_id = $1 ORDER BY s.shared_at, o.name",
    )
    .bind(case_id)
    .fetch_all(ex)
    .await?;
    rows.into_iter()
        .map(|r| crate::triage::ShareRow::from_row(&r))
        .collect()
}

/// The agencies a case was made available to.
pub async fn shared_with<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    case_id: i64,
) -> Result<Vec<OrgId>, StoreError> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT org_id FROM case_shares WHERE case_id = $1")
        .bind(case_id)
        .fetch_all(ex)
        .await?;
    Ok(ids.into_iter().map(OrgId).collect())
}

/// An alert as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRow {
    pub id: i64,
    pub case_id: i64,
    pub source_kind: RecordKind,
    pub source_id: i64,
    pub reason: String,
    pub value: String,
    pub evidence_json: String,
    pub weight_milli: i64,
    pub created_at: i64,
    pub dismissed_by: Option<String>,
    pub dismissed_at: Option<i64>,
    pub dismiss_reason: Option<String>,
}

/// An alert to raise.
#[derive(Debug, Clone)]
pub struct NewAlert<'a> {
    pub case_id: i64,
    pub source_kind: RecordKind,
    pub source_id: i64,
    pub reason: &'a str,
    pub value: &'a str,
    pub evidence_json: &'a str,
    pub weight_milli: i64,
}

/// Raises an alert unless the case already has one from this source for this reason
/// (dismissed or not); its id if new.
pub async fn insert_alert<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    a: &NewAlert<'_>,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO case_alerts (case_id, source_kind, source_id, reason, value, evidence_json, weight_milli, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (case_id, source_kind, source_id, reason) DO NOTHING RETURNING id",
    )
    .bind(a.case_id)
    .bind(a.source_kind.as_str())
    .bind(a.source_id)
    .bind(a.reason)
    .bind(a.value)
    .bind(a.evidence_json)
    .bind(a.weight_milli)
    .bind(now)
    .fetch_optional(ex)
    .await?)
}

/// Whether a case with this id exists.
pub async fn exists<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE id = $1")
        .bind(id)
        .fetch_one(ex)
        .await?;
    Ok(n > 0)
}

/// A case's alerts, open ones first, newest first.
pub async fn alerts<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    case_id: i64,
) -> Result<Vec<AlertRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT a.id, a.case_id, a.source_kind, a.source_id, a.reason, a.value, a.evidence_json, a.weight_milli, \
         a.created_at, u.username, a.dismissed_at, a.dismiss_reason FROM case_alerts a \
         LEFT JOIN users u ON u.id = a.dismissed_by WHERE a.case_id = $1 \
         ORDER BY CASE WHEN a.dismissed_at IS NULL THEN 0 ELSE 1 END, a.created_at DESC, a.id DESC",
    )
    .bind(case_id)
    .fetch_all(ex)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(AlertRow {
                id: r.try_get(0)?,
                case_id: r.try_get(1)?,
                source_kind: record_kind("case_alerts.source_kind", r.try_get(2)?)?,
                source_id: r.try_get(3)?,
                reason: r.try_get(4)?,
                value: r.try_get(5)?,
                evidence_json: r.try_get(6)?,
                weight_milli: r.try_get(7)?,
                created_at: r.try_get(8)?,
                dismissed_by: r.try_get(9)?,
                dismissed_at: r.try_get(10)?,
                dismiss_reason: r.try_get(11)?,
            })
        })
        .collect()
}

/// Dismisses an open alert of a case; false if there is none (or it was dismissed).
pub async fn dismiss_alert<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    case_id: i64,
    alert_id: i64,
    by: UserId,
    reason: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE case_alerts SET dismissed_by = $1, dismissed_at = $2, dismiss_reason = $3 \
         WHERE id = $4 AND case_id = $5 AND dismissed_at IS NULL",
    )
    .bind(by.0)
    .bind(now)
    .bind(reason)
    .bind(alert_id)
    .bind(case_id)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Dismisses a case's open alerts for one match (a link reason and its value, or every
/// value of the reason) with one reason; the ids dismissed.
pub async fn dismiss_alerts<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    case_id: i64,
    link_reason: &str,
    value: Option<&str>,
    by: UserId,
    reason: &str,
    now: i64,
) -> Result<Vec<i64>, StoreError> {
    let mut ids: Vec<i64> = sqlx::query_scalar(
        "UPDATE case_alerts SET dismissed_by = $1, dismissed_at = $2, dismiss_reason = $3 \
         WHERE case_id = $4 AND reason = $5 AND ($6 = 0 OR value = $7) AND dismissed_at IS NULL \
         RETURNING id",
    )
    .bind(by.0)
    .bind(now)
    .bind(reason)
    .bind(case_id)
    .bind(link_reason)
    .bind(i64::from(value.is_some()))
    .bind(value.unwrap_or_default())
    .fetch_all(ex)
    .await?;
    ids.sort_unstable();
    Ok(ids)
}

/// Open alerts on the cases assigned to `user`: (case id, child's name, open alerts).
pub async fn alerts_for<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user: UserId,
) -> Result<Vec<(i64, String, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT c.id, c.child_name, COUNT(*) FROM case_alerts a JOIN cases c ON c.id = a.case_id \
         WHERE c.assignee = $1 AND a.dismissed_at IS NULL GROUP BY c.id, c.child_name ORDER BY c.id",
    )
    .bind(user.0)
    .fetch_all(ex)
    .await?;
    rows.into_iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// An ad's site and title, for an alert's description.
pub async fn ad_title<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<Option<(String, String)>, StoreError> {
    let r = sqlx::query("SELECT site, title FROM ads WHERE id = $1")
        .bind(id)
        .fetch_optional(ex)
        .await?;
    r.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
}
