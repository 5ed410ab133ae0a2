//! Awareness and partners (migration 0018): partner organisations, their awareness events,
//! publications, and the live list of public posters (read from `cases` at each request,
//! never kept). What a partner holds is the `awareness` crate's (stored as JSON); who may
//! do what is the service's. This module stores and finds.

use crate::StoreError;
use awareness::{Audience, PartnerKind};
use domain::UserId;
use sqlx::{Any, Executor, Row};

/// A case whose poster is public right now: published with consent and currently missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicPosterRow {
    pub id: i64,
    pub last_seen_state: Option<String>,
    pub missing_since: Option<String>,
    pub updated_at: i64,
    /// The case file (the child), to build the poster from.
    pub child_json: Option<String>,
    pub consent_given_by: Option<String>,
    pub consent_recorded_on: Option<String>,
}

/// The condition that makes a poster public. One definition for the gallery, the feeds and
/// the poster's own page, so none of them can show what the others would not.
const PUBLIC: &str = "published = 1 AND currently_missing = 1 AND child_json IS NOT NULL";

fn poster(r: sqlx::any::AnyRow) -> Result<PublicPosterRow, StoreError> {
    Ok(PublicPosterRow {
        id: r.try_get("id")?,
        last_seen_state: r.try_get("last_seen_state")?,
        missing_since: r.try_get("missing_since")?,
        updated_at: r.try_get("updated_at")?,
        child_json: r.try_get("child_json")?,
        consent_given_by: r.try_get("consent_given_by")?,
        consent_recorded_on: r.try_get("consent_recorded_on")?,
    })
}

const POSTER_COLUMNS: &str = "id, last_seen_state, missing_since, updated_at, child_json, \
    consent_given_by, consent_recorded_on";

/// Public posters, most recently missing first, narrowed to a state (`None`: all).
pub async fn public_posters<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    state: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<PublicPosterRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {POSTER_COLUMNS} FROM cases WHERE {PUBLIC} AND ($1 = '' OR last_seen_state = $1) \
         ORDER BY missing_since DESC, id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(state.unwrap_or(""))
    .bind(limit)
    .bind(offset)
    .fetch_all(ex)
    .await?;
    rows.into_iter().map(poster).collect()
}

/// How many posters are public, narrowed to a state (`None`: all).
pub async fn count_public_posters<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    state: Option<&str>,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM cases WHERE {PUBLIC} AND ($1 = '' OR last_seen_state = $1)"
    ))
    .bind(state.unwrap_or(""))
    .fetch_one(ex)
    .await?)
}

/// The states that have at least one public poster, with how many, by code.
pub async fn public_poster_states<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> Result<Vec<(String, i64)>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT last_seen_state, COUNT(*) AS n FROM cases WHERE {PUBLIC} AND last_seen_state IS NOT NULL \
         GROUP BY last_seen_state ORDER BY last_seen_state"
    ))
    .fetch_all(ex)
    .await?;
    rows.into_iter()
        .map(|r| Ok((r.try_get("last_seen_state")?, r.try_get("n")?)))
        .collect()
}

/// One case's poster, if it is public right now.
pub async fn public_poster<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<Option<PublicPosterRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {POSTER_COLUMNS} FROM cases WHERE id = $1 AND {PUBLIC}"
    ))
    .bind(id)
    .fetch_optional(ex)
    .await?
    .map(poster)
    .transpose()
}

/// A partner organisation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerRow {
    pub id: i64,
    pub name: String,
    pub kind: PartnerKind,
    /// `awareness::Partner` as JSON.
    pub partner_json: String,
    pub events: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const PARTNER: &str = "SELECT p.id, p.name, p.kind, p.partner_json, p.created_at, p.updated_at, \
    (SELECT COUNT(*) FROM partner_events e WHERE e.partner_id = p.id) AS events FROM partners p";

fn partner(r: sqlx::any::AnyRow) -> Result<PartnerRow, StoreError> {
    let kind: String = r.try_get("kind")?;
    Ok(PartnerRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        kind: PartnerKind::parse(&kind).ok_or(StoreError::UnknownValue {
            column: "partners.kind",
            value: kind,
        })?,
        partner_json: r.try_get("partner_json")?,
        events: r.try_get("events")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Codes as the `states` and `feed_states` columns keep them: ` TX OK `.
fn spaced(codes: &[String]) -> String {
    format!(" {} ", codes.join(" "))
}

/// What is written for a partner (new or changed).
pub struct PartnerWrite<'a> {
    pub name: &'a str,
    pub kind: PartnerKind,
    pub partner_json: &'a str,
    pub states: &'a [String],
    pub feed_states: &'a [String],
}

pub async fn insert_partner<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    p: &PartnerWrite<'_>,
    by: UserId,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO partners (name, kind, partner_json, states, feed_states, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(p.name)
    .bind(p.kind.code())
    .bind(p.partner_json)
    .bind(spaced(p.states))
    .bind(spaced(p.feed_states))
    .bind(by.0)
    .bind(now)
    .fetch_one(ex)
    .await?)
}

pub async fn update_partner<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    p: &PartnerWrite<'_>,
    now: i64,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE partners SET name = $2, kind = $3, partner_json = $4, states = $5, feed_states = $6, \
         updated_at = $7 WHERE id = $1",
    )
    .bind(id)
    .bind(p.name)
    .bind(p.kind.code())
    .bind(p.partner_json)
    .bind(spaced(p.states))
    .bind(spaced(p.feed_states))
    .bind(now)
    .execute(ex)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn partner_by_id<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<Option<PartnerRow>, StoreError> {
    sqlx::query(&format!("{PARTNER} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await?
        .map(partner)
        .transpose()
}

/// Which partners a list shows.
#[derive(Debug, Clone, Default)]
pub struct PartnerFilter {
    /// Words of the name, lower case.
    pub name: String,
    /// A state code the partner covers.
    pub state: Option<String>,
    pub kind: Option<PartnerKind>,
    /// Only partners taking this state's feed.
    pub feed_state: Option<String>,
}

fn partner_where(f: &PartnerFilter) -> (String, Vec<String>) {
    let mut cond = Vec::new();
    let mut binds = Vec::new();
    let mut n = 0;
    let mut next = |v: String, binds: &mut Vec<String>| {
        n += 1;
        binds.push(v);
        format!("${n}")
    };
    if !f.name.trim().is_empty() {
        let p = next(format!("%{}%", f.name.trim().to_lowercase()), &mut binds);
        cond.push(format!("LOWER(p.name) LIKE {p}"));
    }
    if let Some(s) = &f.state {
        let p = next(format!("% {s} %"), &mut binds);
        cond.push(format!("p.states LIKE {p}"));
    }
    if let Some(s) = &f.feed_state {
        let p = next(format!("% {s} %"), &mut binds);
        cond.push(format!("p.feed_states LIKE {p}"));
    }
    if let Some(k) = f.kind {
        let p = next(k.code().to_owned(), &mut binds);
        cond.push(format!("p.kind = {p}"));
    }
    let sql = if cond.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", cond.join(" AND "))
    };
    (sql, binds)
}

/// A page of partners by name.
pub async fn partners<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    f: &PartnerFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<PartnerRow>, StoreError> {
    let (cond, binds) = partner_where(f);
    let n = binds.len();
    let sql = format!(
        "{PARTNER}{cond} ORDER BY LOWER(p.name), p.id LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let mut q = sqlx::query(&sql);
    for b in binds {
        q = q.bind(b);
    }
    let rows = q.bind(limit).bind(offset).fetch_all(ex).await?;
    rows.into_iter().map(partner).collect()
}

pub async fn count_partners<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    f: &PartnerFilter,
) -> Result<i64, StoreError> {
    let (cond, binds) = partner_where(f);
    let sql = format!("SELECT COUNT(*) FROM partners p{cond}");
    let mut q = sqlx::query_scalar(&sql);
    for b in binds {
        q = q.bind(b);
    }
    Ok(q.fetch_one(ex).await?)
}

/// An awareness event as stored, with its partner's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub id: i64,
    pub partner_id: i64,
    pub partner_name: String,
    pub held_on: String,
    pub place: String,
    pub audience: String,
    pub materials: String,
    pub created_at: i64,
}

const EVENT: &str =
    "SELECT e.id, e.partner_id, p.name AS partner_name, e.held_on, e.place, e.audience, \
    e.materials, e.created_at FROM partner_events e JOIN partners p ON p.id = e.partner_id";

fn event(r: sqlx::any::AnyRow) -> Result<EventRow, StoreError> {
    Ok(EventRow {
        id: r.try_get("id")?,
        partner_id: r.try_get("partner_id")?,
        partner_name: r.try_get("partner_name")?,
        held_on: r.try_get("held_on")?,
        place: r.try_get("place")?,
        audience: r.try_get("audience")?,
        materials: r.try_get("materials")?,
        created_at: r.try_get("created_at")?,
    })
}

/// What is written for an event.
pub struct NewEvent<'a> {
    pub partner_id: i64,
    /// `YYYY-MM-DD`
    pub held_on: &'a str,
    pub place: &'a str,
    pub audience: &'a str,
    pub materials: &'a str,
}

pub async fn insert_event<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    e: &NewEvent<'_>,
    by: UserId,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO partner_events (partner_id, held_on, place, audience, materials, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(e.partner_id)
    .bind(e.held_on)
    .bind(e.place)
    .bind(e.audience)
    .bind(e.materials)
    .bind(by.0)
    .bind(now)
    .fetch_one(ex)
    .await?)
}

/// Events, latest first: one partner's (`Some`) or everyone's, from a date on (`YYYY-MM-DD`).
pub async fn events<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    partner: Option<i64>,
    from: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<EventRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "{EVENT} WHERE ($1 = 0 OR e.partner_id = $2) AND e.held_on >= $3 \
         ORDER BY e.held_on DESC, e.id DESC LIMIT $4 OFFSET $5"
    ))
    .bind(i64::from(partner.is_some()))
    .bind(partner.unwrap_or(0))
    .bind(from.unwrap_or(""))
    .bind(limit)
    .bind(offset)
    .fetch_all(ex)
    .await?;
    rows.into_iter().map(event).collect()
}

/// A publication as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicationRow {
    pub id: i64,
    pub title: String,
    pub audience: Audience,
    pub published_on: String,
    pub blob_key: String,
    pub size_bytes: i64,
    pub uploaded_at: i64,
}

fn publication(r: sqlx::any::AnyRow) -> Result<PublicationRow, StoreError> {
    let audience: String = r.try_get("audience")?;
    Ok(PublicationRow {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        audience: Audience::parse(&audience).ok_or(StoreError::UnknownValue {
            column: "publications.audience",
            value: audience,
        })?,
        published_on: r.try_get("published_on")?,
        blob_key: r.try_get("blob_key")?,
        size_bytes: r.try_get("size_bytes")?,
        uploaded_at: r.try_get("uploaded_at")?,
    })
}

const PUBLICATION: &str =
    "SELECT id, title, audience, published_on, blob_key, size_bytes, uploaded_at FROM publications";

/// What is written for a publication.
pub struct NewPublication<'a> {
    pub title: &'a str,
    pub audience: Audience,
    pub published_on: &'a str,
    pub blob_key: &'a str,
    pub size_bytes: i64,
}

pub async fn insert_publication<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    p: &NewPublication<'_>,
    by: UserId,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO publications (title, audience, published_on, blob_key, size_bytes, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(p.title)
    .bind(p.audience.code())
    .bind(p.published_on)
    .bind(p.blob_key)
    .bind(p.size_bytes)
    .bind(by.0)
    .bind(now)
    .fetch_one(ex)
    .await?)
}

/// Publications, newest first, narrowed to an audience (`None`: all).
pub async fn publications<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    audience: Option<Audience>,
) -> Result<Vec<PublicationRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "{PUBLICATION} WHERE ($1 = '' OR audience = $1) ORDER BY published_on DESC, id DESC"
    ))
    .bind(audience.map_or("", Audience::code))
    .fetch_all(ex)
    .await?;
    rows.into_iter().map(publication).collect()
}

pub async fn publication_by_id<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<Option<PublicationRow>, StoreError> {
    sqlx::query(&format!("{PUBLICATION} WHERE id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await?
        .map(publication)
        .transpose()
}

/// Removes a publication's row; the caller removes its file after the commit.
pub async fn delete_publication<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<(), StoreError> {
    let done = sqlx::query("DELETE FROM publications WHERE id = $1")
        .bind(id)
        .execute(ex)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
