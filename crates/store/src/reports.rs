//! Reports and their files.

use crate::StoreError;
use domain::tip::WhenGiven;
use domain::{OrgId, ReportStatus, UserId};
use sqlx::{Any, Executor, Row};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportState {
    Open,
    Finished,
    Retracted,
}

impl ReportState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportState::Open => "open",
            ReportState::Finished => "finished",
            ReportState::Retracted => "retracted",
        }
    }
    fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "open" => Ok(ReportState::Open),
            "finished" => Ok(ReportState::Finished),
            "retracted" => Ok(ReportState::Retracted),
            other => Err(StoreError::Corrupt(format!("report state `{other}`"))),
        }
    }
}

/// A report as stored. `report_json` is the typed model; callers (de)serialise it.
#[derive(Debug, Clone)]
pub struct ReportRow {
    pub id: i64,
    pub source: String,
    pub submitted_by: Option<UserId>,
    pub submitter_org: Option<OrgId>,
    pub state: ReportState,
    pub incident_type: String,
    pub incident_at: Option<String>,
    pub received_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
    pub retracted_at: Option<i64>,
    pub summary: String,
    pub report_json: String,
    pub original_xml: Option<String>,
    /// 0 immediate … 3 low; 9 not yet assessed.
    pub priority_rank: i64,
    pub score_milli: i64,
    pub status: ReportStatus,
    pub assignee: Option<UserId>,
    /// Space-delimited USPS codes with a space at each end (`" CA NV "`).
    pub states: String,
    /// The assessment as JSON; empty in lists.
    pub triage_json: Option<String>,
    /// How a tip's reporter gave its date and time; None for a provider's report (and in
    /// lists).
    pub when_given: Option<WhenGiven>,
}

pub struct NewReport<'a> {
    pub source: &'a str,
    pub submitted_by: Option<UserId>,
    pub submitter_org: Option<OrgId>,
    pub state: ReportState,
    pub incident_type: &'a str,
    pub incident_at: Option<&'a str>,
    pub summary: &'a str,
    pub search_text: &'a str,
    pub report_json: &'a str,
    pub original_xml: Option<&'a str>,
    pub assessed: &'a Assessed,
    /// For a tip: how its reporter gave the date and time.
    pub when_given: Option<WhenGiven>,
}

/// A report's triage in storable form; the service computes it from the assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessed {
    pub priority_rank: i64,
    pub score_milli: i64,
    pub triage_json: String,
    pub catalogue_version: i64,
    /// Each of these three is space-delimited with a space at each end, for `LIKE '% X %'`.
    pub states: String,
    pub countries: String,
    pub indicator_ids: String,
}

impl Assessed {
    /// Not assessed yet: sorts after every assessed report.
    pub fn pending() -> Assessed {
        Assessed {
            priority_rank: 9,
            score_milli: 0,
            triage_json: String::new(),
            catalogue_version: 0,
            states: " ".into(),
            countries: " ".into(),
            indicator_ids: " ".into(),
        }
    }
}

/// Joins codes into the delimited form of the `states`, `countries` and `indicator_ids`
/// columns.
pub fn delimited<S: AsRef<str>>(items: &[S]) -> String {
    let mut s = String::from(" ");
    for i in items {
        s.push_str(i.as_ref());
        s.push(' ');
    }
    s
}

const COLUMNS: &str =
    "id, source, submitted_by, submitter_org, state, incident_type, incident_at, \
    received_at, updated_at, finished_at, retracted_at, summary, report_json, original_xml, \
    priority_rank, score_milli, status, assignee, states, triage_json, when_given";
/// For lists: everything but the large columns.
pub(crate) const LIST_COLUMNS: &str = "id, source, submitted_by, submitter_org, state, incident_type, incident_at, \
    received_at, updated_at, finished_at, retracted_at, summary, '' AS report_json, NULL AS original_xml, \
    priority_rank, score_milli, status, assignee, states, NULL AS triage_json, NULL AS when_given";

pub(crate) fn map(r: sqlx::any::AnyRow) -> Result<ReportRow, StoreError> {
    let state: String = r.try_get("state")?;
    let status: String = r.try_get("status")?;
    Ok(ReportRow {
        id: r.try_get("id")?,
        source: r.try_get("source")?,
        submitted_by: r.try_get::<Option<i64>, _>("submitted_by")?.map(UserId),
        submitter_org: r.try_get::<Option<i64>, _>("submitter_org")?.map(OrgId),
        state: ReportState::parse(&state)?,
        incident_type: r.try_get("incident_type")?,
        incident_at: r.try_get("incident_at")?,
        received_at: r.try_get("received_at")?,
        updated_at: r.try_get("updated_at")?,
        finished_at: r.try_get("finished_at")?,
        retracted_at: r.try_get("retracted_at")?,
        summary: r.try_get("summary")?,
        report_json: r.try_get("report_json")?,
        original_xml: r.try_get("original_xml")?,
        priority_rank: r.try_get("priority_rank")?,
        score_milli: r.try_get("score_milli")?,
        status: ReportStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("report status `{status}`")))?,
        assignee: r.try_get::<Option<i64>, _>("assignee")?.map(UserId),
        states: r.try_get("states")?,
        triage_json: r.try_get("triage_json")?,
        when_given: match r.try_get::<Option<String>, _>("when_given")? {
            None => None,
            Some(v) => Some(WhenGiven::parse(&v).ok_or(StoreError::UnknownValue {
                column: "reports.when_given",
                value: v,
            })?),
        },
    })
}

pub async fn insert<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    n: &NewReport<'_>,
    now: i64,
) -> Result<i64, StoreError> {
    let finished_at = (n.state == ReportState::Finished).then_some(now);
    Ok(sqlx::query_scalar(
        "INSERT INTO reports (source, submitted_by, submitter_org, state, incident_type, incident_at, received_at, \
         updated_at, finished_at, summary, search_text, report_json, original_xml, \
         priority_rank, score_milli, triage_json, catalogue_version, states, countries, indicator_ids, when_given) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING id",
    )
    .bind(n.source)
    .bind(n.submitted_by.map(|u| u.0))
    .bind(n.submitter_org.map(|o| o.0))
    .bind(n.state.as_str())
    .bind(n.incident_type)
    .bind(n.incident_at)
    .bind(now)
    .bind(finished_at)
    .bind(n.summary)
    .bind(n.search_text)
    .bind(n.report_json)
    .bind(n.original_xml)
    .bind(n.assessed.priority_rank)
    .bind(n.assessed.score_milli)
    .bind(&n.assessed.triage_json)
    .bind(n.assessed.catalogue_version)
    .bind(&n.assessed.states)
    .bind(&n.assessed.countries)
    .bind(&n.assessed.indicator_ids)
    .bind(n.when_given.map(WhenGiven::as_str))
    .fetch_one(ex)
    .await?)
}

pub async fn by_id<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<Option<ReportRow>, StoreError> {
    sqlx::query(&format!("SELECT {COLUMNS} FROM reports WHERE id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await?
        .map(map)
        .transpose()
}

/// Moves an open report to `state`, only if it is still open; returns whether it did.
pub async fn close<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    state: ReportState,
    now: i64,
) -> Result<bool, StoreError> {
    let column = match state {
        ReportState::Finished => "finished_at",
        ReportState::Retracted => "retracted_at",
        ReportState::Open => return Ok(false),
    };
    let r = sqlx::query(&format!(
        "UPDATE reports SET state = $1, {column} = $2, updated_at = $2 WHERE id = $3 AND state = 'open'"
    ))
    .bind(state.as_str())
    .bind(now)
    .bind(id)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Finished reports, newest first, optionally matching all words of `search`.
pub async fn page_finished<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    search: &[String],
    limit: i64,
    offset: i64,
) -> Result<Vec<ReportRow>, StoreError> {
    let (cond, binds) = search_condition(search, 3);
    let sql = format!(
        "SELECT {LIST_COLUMNS} FROM reports WHERE state = 'finished'{cond} ORDER BY received_at DESC, id DESC LIMIT $1 OFFSET $2"
    );
    let mut q = sqlx::query(&sql).bind(limit).bind(offset);
    for b in binds {
        q = q.bind(b);
    }
    q.fetch_all(ex).await?.into_iter().map(map).collect()
}

pub async fn count_finished<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    search: &[String],
) -> Result<i64, StoreError> {
    let (cond, binds) = search_condition(search, 1);
    let sql = format!("SELECT COUNT(*) FROM reports WHERE state = 'finished'{cond}");
    let mut q = sqlx::query_scalar(&sql);
    for b in binds {
        q = q.bind(b);
    }
    Ok(q.fetch_one(ex).await?)
}

/// `AND search_text LIKE $n` per word, with LIKE's wildcards escaped out of the words.
fn search_condition(words: &[String], first_param: usize) -> (String, Vec<String>) {
    let mut cond = String::new();
    let mut binds = Vec::new();
    for w in words.iter().take(8) {
        let w: String = w
            .to_lowercase()
            .chars()
            .filter(|c| !matches!(c, '%' | '_' | '\\'))
            .collect();
        if w.is_empty() {
            continue;
        }
        cond.push_str(&format!(
            " AND search_text LIKE ${}",
            first_param + binds.len()
        ));
        binds.push(format!("%{w}%"));
    }
    (cond, binds)
}

/// File ids received for a report, in upload order.
pub async fn file_ids<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    report_id: i64,
) -> Result<Vec<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT file_id FROM report_files WHERE report_id = $1 ORDER BY id")
            .bind(report_id)
            .fetch_all(ex)
            .await?,
    )
}

pub async fn count_all<'e, E: Executor<'e, Database = Any>>(ex: E) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM reports")
        .fetch_one(ex)
        .await?)
}

/// A file received with a report, as stored. The bytes are in the blob store under
/// `blob_key`; `details_json` is the provider's `fileDetails`, once sent.
#[derive(Debug, Clone)]
pub struct FileRow {
    pub report_id: i64,
    pub file_id: String,
    pub file_name: String,
    pub size: i64,
    pub md5: String,
    pub sha1: String,
    pub sha256: String,
    pub blob_key: String,
    pub details_json: Option<String>,
    pub uploaded_at: i64,
}

const FILE_COLUMNS: &str =
    "report_id, file_id, file_name, size, md5, sha1, sha256, blob_key, details_json, uploaded_at";

fn map_file(r: sqlx::any::AnyRow) -> Result<FileRow, StoreError> {
    Ok(FileRow {
        report_id: r.try_get("report_id")?,
        file_id: r.try_get("file_id")?,
        file_name: r.try_get("file_name")?,
        size: r.try_get("size")?,
        md5: r.try_get("md5")?,
        sha1: r.try_get("sha1")?,
        sha256: r.try_get("sha256")?,
        blob_key: r.try_get("blob_key")?,
        details_json: r.try_get("details_json")?,
        uploaded_at: r.try_get("uploaded_at")?,
    })
}

pub async fn insert_file<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    f: &FileRow,
) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO report_files ({FILE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(f.report_id)
    .bind(&f.file_id)
    .bind(&f.file_name)
    .bind(f.size)
    .bind(&f.md5)
    .bind(&f.sha1)
    .bind(&f.sha256)
    .bind(&f.blob_key)
    .bind(&f.details_json)
    .bind(f.uploaded_at)
    .execute(ex)
    .await?;
    Ok(())
}

/// Stores a file's details; false if the report has no such file.
pub async fn set_file_details<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    report_id: i64,
    file_id: &str,
    details_json: &str,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE report_files SET details_json = $1 WHERE report_id = $2 AND file_id = $3",
    )
    .bind(details_json)
    .bind(report_id)
    .bind(file_id)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The files of a report, in upload order.
pub async fn files<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    report_id: i64,
) -> Result<Vec<FileRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {FILE_COLUMNS} FROM report_files WHERE report_id = $1 ORDER BY id"
    ))
    .bind(report_id)
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(map_file)
    .collect()
}

pub async fn file<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    report_id: i64,
    file_id: &str,
) -> Result<Option<FileRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {FILE_COLUMNS} FROM report_files WHERE report_id = $1 AND file_id = $2"
    ))
    .bind(report_id)
    .bind(file_id)
    .fetch_optional(ex)
    .await?
    .map(map_file)
    .transpose()
}

/// Marks an open report as changed now (its idle expiry counts from here); false if it is
/// no longer open.
pub async fn touch<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    now: i64,
) -> Result<bool, StoreError> {
    let r = sqlx::query("UPDATE reports SET updated_at = $1 WHERE id = $2 AND state = 'open'")
        .bind(now)
        .bind(id)
        .execute(ex)
        .await?;
    Ok(r.rows_affected() == 1)
}

// Intake (issue 24): a tip's follow-up secret, the tipster's additions, and providers' own
// submissions.

/// Keeps the SHA-256 of a tip's follow-up secret (the secret itself is never stored).
pub async fn insert_followup_key<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    report_id: i64,
    secret_hash: &str,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO tip_followup_keys (report_id, secret_hash) VALUES ($1, $2)")
        .bind(report_id)
        .bind(secret_hash)
        .execute(ex)
        .await?;
    Ok(())
}

/// The stored hash of a finished tip's follow-up secret; None for a report that has none.
pub async fn followup_key<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    report_id: i64,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT k.secret_hash FROM tip_followup_keys k JOIN reports r ON r.id = k.report_id \
         WHERE k.report_id = $1 AND r.state = 'finished'",
    )
    .bind(report_id)
    .fetch_optional(ex)
    .await?)
}

/// Something a tipster added to their tip later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowupRow {
    pub id: i64,
    pub report_id: i64,
    pub body: String,
    pub received_at: i64,
}

fn map_followup(r: sqlx::any::AnyRow) -> Result<FollowupRow, StoreError> {
    Ok(FollowupRow {
        id: r.try_get("id")?,
        report_id: r.try_get("report_id")?,
        body: r.try_get("body")?,
        received_at: r.try_get("received_at")?,
    })
}

pub async fn insert_followup<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    report_id: i64,
    body: &str,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO report_followups (report_id, body, received_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(report_id)
    .bind(body)
    .bind(now)
    .fetch_one(ex)
    .await?)
}

/// The follow-ups of these reports, by report then in the order they came.
pub async fn followups_of<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    report_ids: &[i64],
) -> Result<Vec<FollowupRow>, StoreError> {
    if report_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, report_id, body, received_at FROM report_followups WHERE report_id IN ({}) \
         ORDER BY report_id, id",
        crate::links::params(1, report_ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in report_ids {
        q = q.bind(*id);
    }
    q.fetch_all(ex)
        .await?
        .into_iter()
        .map(map_followup)
        .collect()
}

/// A provider organisation's own reports through the API (every state), newest first.
pub async fn page_of_org<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    org: OrgId,
    limit: i64,
    offset: i64,
) -> Result<Vec<ReportRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {LIST_COLUMNS} FROM reports WHERE submitter_org = $1 AND source = 'provider' \
         ORDER BY received_at DESC, id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(org.0)
    .bind(limit)
    .bind(offset)
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(map)
    .collect()
}

pub async fn count_of_org<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    org: OrgId,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM reports WHERE submitter_org = $1 AND source = 'provider'",
    )
    .bind(org.0)
    .fetch_one(ex)
    .await?)
}

/// Adds a follow-up's words to what the analysts' search reads for the report.
pub async fn append_search_text<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    text: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE reports SET search_text = search_text || ' ' || $1 WHERE id = $2")
        .bind(text.to_lowercase())
        .bind(id)
        .execute(ex)
        .await?;
    Ok(())
}
