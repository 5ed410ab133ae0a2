//! Records loaded by `clearinghouse import`: reports under a stable external id, online
//! ads and missing-child cases. Every insert is "if new": importing the same data twice
//! adds nothing.

use crate::reports::NewReport;
use crate::StoreError;
use sqlx::{Any, Executor};

/// Inserts a finished report unless one with `external_id` exists; its id if inserted.
pub async fn insert_report<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    n: &NewReport<'_>,
    external_id: &str,
    received_at: i64,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO reports (source, submitted_by, submitter_org, state, incident_type, incident_at, received_at, \
         updated_at, finished_at, summary, search_text, report_json, original_xml, external_id, \
         priority_rank, score_milli, triage_json, catalogue_version, states, countries, indicator_ids, when_given) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) \
         ON CONFLICT (external_id) DO NOTHING RETURNING id",
    )
    .bind(n.source)
    .bind(n.submitted_by.map(|u| u.0))
    .bind(n.submitter_org.map(|o| o.0))
    .bind(n.state.as_str())
    .bind(n.incident_type)
    .bind(n.incident_at)
    .bind(received_at)
    .bind(n.summary)
    .bind(n.search_text)
    .bind(n.report_json)
    .bind(n.original_xml)
    .bind(external_id)
    .bind(n.assessed.priority_rank)
    .bind(n.assessed.score_milli)
    .bind(&n.assessed.triage_json)
    .bind(n.assessed.catalogue_version)
    .bind(&n.assessed.states)
    .bind(&n.assessed.countries)
    .bind(&n.assessed.indicator_ids)
    .bind(n.when_given.map(domain::tip::WhenGiven::as_str))
    .fetch_optional(ex)
    .await?)
}

/// An online ad as imported.
#[derive(Debug, Clone)]
pub struct NewAd<'a> {
    pub external_id: &'a str,
    pub site: &'a str,
    pub url: &'a str,
    pub posted_at: Option<&'a str>,
    pub city: Option<&'a str>,
    pub state: Option<&'a str>,
    pub title: &'a str,
    pub body: &'a str,
    /// A JSON array.
    pub image_hashes: &'a str,
}

/// Inserts an ad unless its external id exists; whether it did.
pub async fn insert_ad<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    a: &NewAd<'_>,
    now: i64,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "INSERT INTO ads (external_id, site, url, posted_at, city, state, title, body, image_hashes, imported_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (external_id) DO NOTHING",
    )
    .bind(a.external_id)
    .bind(a.site)
    .bind(a.url)
    .bind(a.posted_at)
    .bind(a.city)
    .bind(a.state)
    .bind(a.title)
    .bind(a.body)
    .bind(a.image_hashes)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// A missing-child case as imported.
#[derive(Debug, Clone)]
pub struct NewCase<'a> {
    pub external_id: &'a str,
    pub child_name: &'a str,
    pub missing_from_care: bool,
    pub circumstance: &'a str,
    pub episodes: i64,
    pub case_json: &'a str,
}

pub async fn insert_case<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    c: &NewCase<'_>,
    now: i64,
) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "INSERT INTO cases (external_id, child_name, missing_from_care, circumstance, episodes, case_json, imported_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (external_id) DO NOTHING",
    )
    .bind(c.external_id)
    .bind(c.child_name)
    .bind(i64::from(c.missing_from_care))
    .bind(c.circumstance)
    .bind(c.episodes)
    .bind(c.case_json)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// How many ads and cases are stored.
pub async fn counts<'e, E: Executor<'e, Database = Any> + Copy>(
    ex: E,
) -> Result<(i64, i64), StoreError> {
    let ads = sqlx::query_scalar("SELECT COUNT(*) FROM ads")
        .fetch_one(ex)
        .await?;
    let cases = sqlx::query_scalar("SELECT COUNT(*) FROM cases")
        .fetch_one(ex)
        .await?;
    Ok((ads, cases))
}
