//! Link analysis in storage: the identifiers each record carries and the links between
//! records, each with its reason and evidence. The engine that finds them is the pure
//! `link` crate; `service::linking` decides what to store.

use crate::{record_kind, StoreError};
use domain::{RecordKind, RecordRef};
use sqlx::{Any, Executor, Row};

/// One stored link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRow {
    pub id: i64,
    pub a: RecordRef,
    pub b: RecordRef,
    pub reason: String,
    pub value: String,
    pub weight_milli: i64,
    pub evidence_json: String,
    pub created_at: i64,
}

fn map(r: sqlx::any::AnyRow) -> Result<LinkRow, StoreError> {
    Ok(LinkRow {
        id: r.try_get("id")?,
        a: RecordRef::new(
            record_kind("record_links.a_kind", r.try_get("a_kind")?)?,
            r.try_get("a_id")?,
        ),
        b: RecordRef::new(
            record_kind("record_links.b_kind", r.try_get("b_kind")?)?,
            r.try_get("b_id")?,
        ),
        reason: r.try_get("reason")?,
        value: r.try_get("value")?,
        weight_milli: r.try_get("weight_milli")?,
        evidence_json: r.try_get("evidence_json")?,
        created_at: r.try_get("created_at")?,
    })
}

const COLUMNS: &str =
    "id, a_kind, a_id, b_kind, b_id, reason, value, weight_milli, evidence_json, created_at";

/// Records that `record` carries identifier `(kind, value)`; false if already known.
pub async fn add_identifier<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    kind: &str,
    value: &str,
    record: &RecordRef,
    seen_at: Option<i64>,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "INSERT INTO record_identifiers (kind, value, record_kind, record_id, seen_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (kind, value, record_kind, record_id) DO NOTHING",
    )
    .bind(kind)
    .bind(value)
    .bind(record.kind.as_str())
    .bind(record.id)
    .bind(seen_at)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The records carrying identifier `(kind, value)`, at most `limit` of them (callers ask
/// for one more than the hub cap to learn whether it is a hub).
pub async fn records_with<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    kind: &str,
    value: &str,
    limit: i64,
) -> Result<Vec<(RecordRef, Option<i64>)>, StoreError> {
    let rows = sqlx::query(
        "SELECT record_kind, record_id, seen_at FROM record_identifiers WHERE kind = $1 AND value = $2 \
         ORDER BY record_kind, record_id LIMIT $3",
    )
    .bind(kind)
    .bind(value)
    .bind(limit)
    .fetch_all(ex)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok((
                RecordRef::new(
                    record_kind("record_identifiers.record_kind", r.try_get(0)?)?,
                    r.try_get(1)?,
                ),
                r.try_get(2)?,
            ))
        })
        .collect()
}

pub async fn count_with<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    kind: &str,
    value: &str,
) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM record_identifiers WHERE kind = $1 AND value = $2",
        )
        .bind(kind)
        .bind(value)
        .fetch_one(ex)
        .await?,
    )
}

/// The identifiers a record carries: `(kind, value)`.
pub async fn identifiers_of<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    record: &RecordRef,
) -> Result<Vec<(String, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT kind, value FROM record_identifiers WHERE record_kind = $1 AND record_id = $2 ORDER BY kind, value",
    )
    .bind(record.kind.as_str())
    .bind(record.id)
    .fetch_all(ex)
    .await?;
    rows.into_iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// A new link between two records; the pair is put in order here. False if it existed.
#[allow(clippy::too_many_arguments)]
pub async fn add_link<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    x: &RecordRef,
    y: &RecordRef,
    reason: &str,
    value: &str,
    weight_milli: i64,
    evidence_json: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let (a, b) = if x <= y { (x, y) } else { (y, x) };
    let r = sqlx::query(
        "INSERT INTO record_links (a_kind, a_id, b_kind, b_id, reason, value, weight_milli, evidence_json, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (a_kind, a_id, b_kind, b_id, reason, value) DO NOTHING",
    )
    .bind(a.kind.as_str())
    .bind(a.id)
    .bind(b.kind.as_str())
    .bind(b.id)
    .bind(reason)
    .bind(value)
    .bind(weight_milli)
    .bind(evidence_json)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Removes every link made through one identifier (it turned out to be a hub).
pub async fn remove_links_through<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    reason: &str,
    value: &str,
) -> Result<u64, StoreError> {
    Ok(
        sqlx::query("DELETE FROM record_links WHERE reason = $1 AND value = $2")
            .bind(reason)
            .bind(value)
            .execute(ex)
            .await?
            .rows_affected(),
    )
}

/// Every link touching `record`.
pub async fn links_of<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    record: &RecordRef,
) -> Result<Vec<LinkRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM record_links WHERE (a_kind = $1 AND a_id = $2) OR (b_kind = $1 AND b_id = $2) \
         ORDER BY weight_milli DESC, id"
    ))
    .bind(record.kind.as_str())
    .bind(record.id)
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(map)
    .collect()
}

/// Links made through one identifier.
pub async fn links_through<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    reason: &str,
    value: &str,
    limit: i64,
) -> Result<Vec<LinkRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM record_links WHERE reason = $1 AND value = $2 ORDER BY id LIMIT $3"
    ))
    .bind(reason)
    .bind(value)
    .bind(limit)
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(map)
    .collect()
}

/// Forgets all links and identifiers (before `clearinghouse link` recomputes them).
pub async fn clear<'e, E: Executor<'e, Database = Any>>(ex: E) -> Result<(), StoreError> {
    ex.execute("DELETE FROM record_links; DELETE FROM record_identifiers")
        .await?;
    Ok(())
}

/// Most values one query binds in an `IN (…)` list or a multi-row insert; callers split
/// longer lists (SQLite and PostgreSQL both cap the parameters of one statement).
pub const MAX_IN: usize = 400;

/// `$from, $from+1, …` for `n` values.
pub(crate) fn params(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One sighting of an identifier on a record, for [`add_identifiers`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdentifierRow {
    pub kind: String,
    pub value: String,
    pub record: RecordRef,
    pub seen_at: Option<i64>,
}

/// Stores many sightings in one statement (at most [`MAX_IN`] / 5 rows); known ones are
/// skipped. Returns how many were new.
pub async fn add_identifiers<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    rows: &[IdentifierRow],
) -> Result<u64, StoreError> {
    if rows.is_empty() {
        return Ok(0);
    }
    let values: Vec<String> = (0..rows.len())
        .map(|i| format!("({})", params(i * 5 + 1, 5)))
        .collect();
    let sql = format!(
        "INSERT INTO record_identifiers (kind, value, record_kind, record_id, seen_at) VALUES {} \
         ON CONFLICT (kind, value, record_kind, record_id) DO NOTHING",
        values.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for r in rows {
        q = q
            .bind(&r.kind)
            .bind(&r.value)
            .bind(r.record.kind.as_str())
            .bind(r.record.id)
            .bind(r.seen_at);
    }
    Ok(q.execute(ex).await?.rows_affected())
}

/// How many records carry each of `values` of one kind (values carried by none are left
/// out). At most [`MAX_IN`] values.
pub async fn counts_for<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    kind: &str,
    values: &[String],
) -> Result<Vec<(String, i64)>, StoreError> {
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT value, COUNT(*) FROM record_identifiers WHERE kind = $1 AND value IN ({}) GROUP BY value",
        params(2, values.len())
    );
    let mut q = sqlx::query(&sql).bind(kind);
    for v in values {
        q = q.bind(v);
    }
    q.fetch_all(ex)
        .await?
        .into_iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Every record carrying one of `values` of one kind, with when it was seen. Callers ask
/// only for values they know to be carried by few records. At most [`MAX_IN`] values.
pub async fn holders_for<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    kind: &str,
    values: &[String],
) -> Result<Vec<(String, RecordRef, Option<i64>)>, StoreError> {
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT value, record_kind, record_id, seen_at FROM record_identifiers \
         WHERE kind = $1 AND value IN ({}) ORDER BY value, record_kind, record_id",
        params(2, values.len())
    );
    let mut q = sqlx::query(&sql).bind(kind);
    for v in values {
        q = q.bind(v);
    }
    q.fetch_all(ex)
        .await?
        .into_iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                RecordRef::new(
                    record_kind("record_identifiers.record_kind", r.try_get(1)?)?,
                    r.try_get(2)?,
                ),
                r.try_get(3)?,
            ))
        })
        .collect()
}

/// A link to store with [`add_links`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLink {
    pub x: RecordRef,
    pub y: RecordRef,
    pub reason: String,
    pub value: String,
    pub weight_milli: i64,
    pub evidence_json: String,
}

/// Stores many links in one statement (at most [`MAX_IN`] / 9); each pair is put in
/// order, existing links are left as they are. Returns how many were new.
pub async fn add_links<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    links: &[NewLink],
    now: i64,
) -> Result<u64, StoreError> {
    if links.is_empty() {
        return Ok(0);
    }
    let values: Vec<String> = (0..links.len())
        .map(|i| format!("({})", params(i * 9 + 1, 9)))
        .collect();
    let sql = format!(
        "INSERT INTO record_links (a_kind, a_id, b_kind, b_id, reason, value, weight_milli, evidence_json, created_at) \
         VALUES {} ON CONFLICT (a_kind, a_id, b_kind, b_id, reason, value) DO NOTHING",
        values.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for l in links {
        let (a, b) = if l.x <= l.y {
            (&l.x, &l.y)
        } else {
            (&l.y, &l.x)
        };
        q = q
            .bind(a.kind.as_str())
            .bind(a.id)
            .bind(b.kind.as_str())
            .bind(b.id)
            .bind(&l.reason)
            .bind(&l.value)
            .bind(l.weight_milli)
            .bind(&l.evidence_json)
            .bind(now);
    }
    Ok(q.execute(ex).await?.rows_affected())
}

/// Sets the weight of every link made through one identifier (it became more common).
pub async fn set_weight_through<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    reason: &str,
    value: &str,
    weight_milli: i64,
) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "UPDATE record_links SET weight_milli = $1 WHERE reason = $2 AND value = $3 AND weight_milli <> $1",
    )
    .bind(weight_milli)
    .bind(reason)
    .bind(value)
    .execute(ex)
    .await?
    .rows_affected())
}

/// Every link touching one of `ids` of one kind. At most [`MAX_IN`] / 2 ids.
pub async fn links_touching<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    kind: RecordKind,
    ids: &[i64],
) -> Result<Vec<LinkRow>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let n = ids.len();
    // A UNION of two index lookups, rather than one OR that may scan the table.
    let sql = format!(
        "SELECT {COLUMNS} FROM record_links WHERE a_kind = $1 AND a_id IN ({}) \
         UNION SELECT {COLUMNS} FROM record_links WHERE b_kind = $1 AND b_id IN ({})",
        params(2, n),
        params(2 + n, n)
    );
    let mut q = sqlx::query(&sql).bind(kind.as_str());
    for id in ids.iter().chain(ids) {
        q = q.bind(*id);
    }
    q.fetch_all(ex).await?.into_iter().map(map).collect()
}

/// The template labels of `ids` (ads): `(ad id, label)` for each template link of each
/// ad, in the order the links were made. At most [`MAX_IN`] / 2 ids.
pub async fn template_labels<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let n = ids.len();
    // Only the pair and the label: an ad of a busy template also has dozens of phone
    // links, and reading their evidence for every batch of an import cost more than
    // everything else that links it.
    let sql = format!(
        "SELECT id, a_id, value FROM record_links WHERE a_kind = 'ad' AND a_id IN ({}) AND reason = 'template' \
         UNION ALL SELECT id, b_id, value FROM record_links WHERE b_kind = 'ad' AND b_id IN ({}) AND reason = 'template' \
         ORDER BY 1",
        params(1, n),
        params(1 + n, n)
    );
    let mut q = sqlx::query(&sql);
    for id in ids.iter().chain(ids) {
        q = q.bind(*id);
    }
    q.fetch_all(ex)
        .await?
        .into_iter()
        .map(|r| Ok((r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// One link without its evidence, for computing clusters over the whole graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub a: RecordRef,
    pub b: RecordRef,
    pub weight_milli: i64,
}

impl Edge {
    /// From a row of `a_kind, a_id, b_kind, b_id, weight_milli`.
    fn from_row(r: &sqlx::any::AnyRow) -> Result<Edge, StoreError> {
        Ok(Edge {
            a: RecordRef::new(
                record_kind("record_links.a_kind", r.try_get(0)?)?,
                r.try_get(1)?,
            ),
            b: RecordRef::new(
                record_kind("record_links.b_kind", r.try_get(2)?)?,
                r.try_get(3)?,
            ),
            weight_milli: r.try_get(4)?,
        })
    }
}

/// Every link's pair and weight.
pub async fn all_edges<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> Result<Vec<Edge>, StoreError> {
    sqlx::query("SELECT a_kind, a_id, b_kind, b_id, weight_milli FROM record_links")
        .fetch_all(ex)
        .await?
        .into_iter()
        .map(|r| Edge::from_row(&r))
        .collect()
}

/// Changes whenever a link is added or removed: (count, highest id).
pub async fn fingerprint<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> Result<(i64, i64), StoreError> {
    let r = sqlx::query("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM record_links")
        .fetch_one(ex)
        .await?;
    Ok((r.try_get(0)?, r.try_get(1)?))
}

/// The table of each record kind.
fn table(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Report => "reports",
        RecordKind::Ad => "ads",
        RecordKind::Case => "cases",
    }
}

/// The ids of records of one kind with these external ids, optionally only those added
/// at `added_at` (reports: received, ads and cases: imported). At most [`MAX_IN`].
pub async fn ids_by_external<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    kind: RecordKind,
    externals: &[String],
    added_at: Option<i64>,
) -> Result<Vec<i64>, StoreError> {
    if externals.is_empty() {
        return Ok(Vec::new());
    }
    let t = table(kind);
    let (time, state) = match kind {
        RecordKind::Report => ("received_at", " AND state = 'finished'"),
        RecordKind::Ad | RecordKind::Case => ("imported_at", ""),
    };
    let when = if added_at.is_some() {
        format!(" AND {time} = ${}", externals.len() + 1)
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT id FROM {t} WHERE external_id IN ({}){state}{when} ORDER BY id",
        params(1, externals.len())
    );
    let mut q = sqlx::query_scalar(&sql);
    for e in externals {
        q = q.bind(e);
    }
    if let Some(at) = added_at {
        q = q.bind(at);
    }
    Ok(q.fetch_all(ex).await?)
}

/// A finished report as linking reads it.
#[derive(Debug, Clone)]
pub struct ReportForLinking {
    pub id: i64,
    pub source: String,
    pub received_at: i64,
    pub incident_type: String,
    pub incident_at: Option<String>,
    pub summary: String,
    /// Space-delimited USPS codes with a space at each end.
    pub states: String,
    /// Empty in [`report_heads`].
    pub report_json: String,
}

fn map_report(r: sqlx::any::AnyRow) -> Result<ReportForLinking, StoreError> {
    Ok(ReportForLinking {
        id: r.try_get("id")?,
        source: r.try_get("source")?,
        received_at: r.try_get("received_at")?,
        incident_type: r.try_get("incident_type")?,
        incident_at: r.try_get("incident_at")?,
        summary: r.try_get("summary")?,
        states: r.try_get("states")?,
        report_json: r.try_get("report_json")?,
    })
}

const REPORT_COLUMNS: &str =
    "id, source, received_at, incident_type, incident_at, summary, states, report_json";
const REPORT_HEAD_COLUMNS: &str =
    "id, source, received_at, incident_type, incident_at, summary, states, '' AS report_json";

/// Finished reports after `after`, in id order, `limit` at most.
pub async fn reports_after<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    after: i64,
    limit: i64,
) -> Result<Vec<ReportForLinking>, StoreError> {
    sqlx::query(&format!(
        "SELECT {REPORT_COLUMNS} FROM reports WHERE state = 'finished' AND id > $1 ORDER BY id LIMIT $2"
    ))
    .bind(after)
    .bind(limit)
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(map_report)
    .collect()
}

/// Finished reports among `ids`, with their content (`heads_only`: without it).
/// At most [`MAX_IN`] ids.
pub async fn reports_by_ids<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    ids: &[i64],
    heads_only: bool,
) -> Result<Vec<ReportForLinking>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let cols = if heads_only {
        REPORT_HEAD_COLUMNS
    } else {
        REPORT_COLUMNS
    };
    let sql = format!(
        "SELECT {cols} FROM reports WHERE state = 'finished' AND id IN ({}) ORDER BY id",
        params(1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(ex).await?.into_iter().map(map_report).collect()
}

/// An online ad as linking reads it.
#[derive(Debug, Clone)]
pub struct AdForLinking {
    pub id: i64,
    pub site: String,
    pub url: String,
    pub posted_at: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub title: String,
    pub body: String,
}

const AD_COLUMNS: &str = "id, site, url, posted_at, city, state, title, body";

fn map_ad(r: sqlx::any::AnyRow) -> Result<AdForLinking, StoreError> {
    Ok(AdForLinking {
        id: r.try_get("id")?,
        site: r.try_get("site")?,
        url: r.try_get("url")?,
        posted_at: r.try_get("posted_at")?,
        city: r.try_get("city")?,
        state: r.try_get("state")?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
    })
}

pub async fn ads_after<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    after: i64,
    limit: i64,
) -> Result<Vec<AdForLinking>, StoreError> {
    sqlx::query(&format!(
        "SELECT {AD_COLUMNS} FROM ads WHERE id > $1 ORDER BY id LIMIT $2"
    ))
    .bind(after)
    .bind(limit)
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(map_ad)
    .collect()
}

/// At most [`MAX_IN`] ids.
pub async fn ads_by_ids<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    ids: &[i64],
) -> Result<Vec<AdForLinking>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {AD_COLUMNS} FROM ads WHERE id IN ({}) ORDER BY id",
        params(1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(ex).await?.into_iter().map(map_ad).collect()
}

/// A missing-child case as linking reads it.
#[derive(Debug, Clone)]
pub struct CaseForLinking {
    pub id: i64,
    pub child_name: String,
    pub case_json: String,
}

fn map_case(r: sqlx::any::AnyRow) -> Result<CaseForLinking, StoreError> {
    Ok(CaseForLinking {
        id: r.try_get("id")?,
        child_name: r.try_get("child_name")?,
        case_json: r.try_get("case_json")?,
    })
}

pub async fn cases_after<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    after: i64,
    limit: i64,
) -> Result<Vec<CaseForLinking>, StoreError> {
    sqlx::query("SELECT id, child_name, case_json FROM cases WHERE id > $1 ORDER BY id LIMIT $2")
        .bind(after)
        .bind(limit)
        .fetch_all(ex)
        .await?
        .into_iter()
        .map(map_case)
        .collect()
}

/// At most [`MAX_IN`] ids.
pub async fn cases_by_ids<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    ids: &[i64],
) -> Result<Vec<CaseForLinking>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, child_name, case_json FROM cases WHERE id IN ({}) ORDER BY id",
        params(1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(ex).await?.into_iter().map(map_case).collect()
}

/// How many records linking covers: (finished reports, ads, cases).
pub async fn record_counts<'e, E: Executor<'e, Database = Any> + Copy>(
    ex: E,
) -> Result<(i64, i64, i64), StoreError> {
    let reports = sqlx::query_scalar("SELECT COUNT(*) FROM reports WHERE state = 'finished'")
        .fetch_one(ex)
        .await?;
    let ads = sqlx::query_scalar("SELECT COUNT(*) FROM ads")
        .fetch_one(ex)
        .await?;
    let cases = sqlx::query_scalar("SELECT COUNT(*) FROM cases")
        .fetch_one(ex)
        .await?;
    Ok((reports, ads, cases))
}

/// The reports among `ids` made available to `org` (what an investigator of that agency
/// may see). At most [`MAX_IN`] ids.
pub async fn shared_among<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    org: i64,
    ids: &[i64],
) -> Result<Vec<i64>, StoreError> {
    made_available_among(ex, "report_shares", "report_id", org, ids).await
}

/// The cases among `ids` made available to `org`. At most [`MAX_IN`] ids.
pub async fn cases_shared_among<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    org: i64,
    ids: &[i64],
) -> Result<Vec<i64>, StoreError> {
    made_available_among(ex, "case_shares", "case_id", org, ids).await
}

/// The ids among `ids` that a share table (`report_shares`, `case_shares`; names of ours,
/// never input) lists for `org`.
async fn made_available_among<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    table: &str,
    column: &str,
    org: i64,
    ids: &[i64],
) -> Result<Vec<i64>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {column} FROM {table} WHERE org_id = $1 AND {column} IN ({}) ORDER BY {column}",
        params(2, ids.len())
    );
    let mut q = sqlx::query_scalar(&sql).bind(org);
    for id in ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(ex).await?)
}

/// Every report made available to `org`.
pub async fn shared_with_org<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    org: i64,
) -> Result<Vec<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT report_id FROM report_shares WHERE org_id = $1 ORDER BY report_id",
    )
    .bind(org)
    .fetch_all(ex)
    .await?)
}

/// Links among reports that are all made available to `org`: the investigator's graph.
pub async fn edges_shared_with<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    org: i64,
) -> Result<Vec<Edge>, StoreError> {
    sqlx::query(
        "SELECT l.a_kind, l.a_id, l.b_kind, l.b_id, l.weight_milli FROM record_links l \
         JOIN report_shares sa ON sa.report_id = l.a_id AND sa.org_id = $1 \
         JOIN report_shares sb ON sb.report_id = l.b_id AND sb.org_id = $1 \
         WHERE l.a_kind = 'report' AND l.b_kind = 'report'",
    )
    .bind(org)
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(|r| Edge::from_row(&r))
    .collect()
}

/// The values of one kind carried by records of one kind: `(record id, value)`. At most
/// [`MAX_IN`] ids.
pub async fn values_of<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    kind: &str,
    record_kind: RecordKind,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT record_id, value FROM record_identifiers WHERE kind = $1 AND record_kind = $2 \
         AND record_id IN ({}) ORDER BY record_id, value",
        params(3, ids.len())
    );
    let mut q = sqlx::query(&sql).bind(kind).bind(record_kind.as_str());
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(ex)
        .await?
        .into_iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// The ads joined by template links under one template label.
pub async fn template_members<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    label: &str,
) -> Result<Vec<i64>, StoreError> {
    // The kinds are checked here, not in SQL: with `a_kind = 'ad'` in the WHERE clause,
    // SQLite (without statistics) walks the pair index over every ad's links instead of
    // the reason index, and settling templates during an import slowed to a crawl.
    let rows = sqlx::query(
        "SELECT a_kind, a_id, b_kind, b_id FROM record_links WHERE reason = 'template' AND value = $1",
    )
    .bind(label)
    .fetch_all(ex)
    .await?;
    let mut ids = Vec::with_capacity(rows.len() * 2);
    for r in rows {
        let a_kind = record_kind("record_links.a_kind", r.try_get(0)?)?;
        let b_kind = record_kind("record_links.b_kind", r.try_get(2)?)?;
        if (a_kind, b_kind) == (RecordKind::Ad, RecordKind::Ad) {
            ids.push(r.try_get(1)?);
            ids.push(r.try_get(3)?);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}
