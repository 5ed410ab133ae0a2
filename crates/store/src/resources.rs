//! The recovery resource directory: one row per service, keyed by its HSDS id so that a
//! re-import updates rather than duplicates, with the lists its search reads. What a
//! service is, and what is valid, is the `recovery` crate's and the service layer's; this
//! module only stores and finds.

use crate::error::conflict;
use crate::filter::{bind_all, bind_all_scalar, Bind};
use crate::StoreError;
use domain::UserId;
use sqlx::{Any, Executor, Row};

/// A service as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceRow {
    pub id: i64,
    pub hsds_id: String,
    pub name: String,
    pub organisation: String,
    /// The service (the `recovery` crate's model) as JSON.
    pub service_json: String,
    /// YYYY-MM-DD, or `None` when never verified.
    pub last_verified: Option<String>,
    pub created_by: Option<UserId>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What is written for a service: the service and the columns derived from it.
#[derive(Debug, Clone, Default)]
pub struct ResourceEntry {
    pub hsds_id: String,
    pub name: String,
    pub organisation: String,
    pub service_json: String,
    /// Need codes.
    pub needs: Vec<String>,
    pub states: Vec<String>,
    pub counties: Vec<String>,
    pub languages: Vec<String>,
    pub min_age: Option<i64>,
    pub max_age: Option<i64>,
    /// Name, organisation and description, searched by the text filter.
    pub search_text: String,
    pub last_verified: Option<String>,
}

/// What a list is narrowed to; `None` matches all. Texts are compared case-insensitively,
/// lists (need, state, county, language) by a whole entry.
#[derive(Debug, Clone, Default)]
pub struct ResourceFilter {
    pub need: Option<String>,
    pub state: Option<String>,
    pub county: Option<String>,
    /// Services whose ages admit this age.
    pub age: Option<i64>,
    pub language: Option<String>,
    /// Words in the name, organisation or description.
    pub text: Option<String>,
}

const COLUMNS: &str =
    "id, hsds_id, name, organisation, service_json, last_verified, created_by, created_at, updated_at";

fn map(r: sqlx::any::AnyRow) -> Result<ResourceRow, StoreError> {
    Ok(ResourceRow {
        id: r.try_get("id")?,
        hsds_id: r.try_get("hsds_id")?,
        name: r.try_get("name")?,
        organisation: r.try_get("organisation")?,
        service_json: r.try_get("service_json")?,
        last_verified: r.try_get("last_verified")?,
        created_by: r.try_get::<Option<i64>, _>("created_by")?.map(UserId),
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// `|a|b|`, lower case, for `LIKE '%|a|%'`.
fn list(items: &[String]) -> String {
    let mut s = String::from("|");
    for i in items {
        let v = i.trim().to_lowercase().replace('|', " ");
        if !v.is_empty() {
            s.push_str(&v);
            s.push('|');
        }
    }
    s
}

/// Escapes LIKE's wildcards (the pattern is written with `ESCAPE '\'`).
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn condition(f: &ResourceFilter, first: usize) -> (String, Vec<Bind>) {
    let mut parts: Vec<String> = Vec::new();
    let mut binds = Vec::new();
    let mut n = first;
    let mut entry = |col: &str, v: &Option<String>, parts: &mut Vec<String>| {
        if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            parts.push(format!("{col} LIKE ${n} ESCAPE '\\'"));
            n += 1;
            binds.push(Bind::Text(format!(
                "%|{}|%",
                like_escape(&v.to_lowercase().replace('|', " "))
            )));
        }
    };
    entry("needs", &f.need, &mut parts);
    entry("states", &f.state, &mut parts);
    entry("counties", &f.county, &mut parts);
    entry("languages", &f.language, &mut parts);
    if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        parts.push(format!("search_text LIKE ${n} ESCAPE '\\'"));
        n += 1;
        binds.push(Bind::Text(format!("%{}%", like_escape(&t.to_lowercase()))));
    }
    if let Some(age) = f.age {
        parts.push(format!(
            "(min_age IS NULL OR min_age <= ${n}) AND (max_age IS NULL OR max_age >= ${n})"
        ));
        binds.push(Bind::Int(age));
    }
    if parts.is_empty() {
        (String::new(), binds)
    } else {
        (format!(" WHERE {}", parts.join(" AND ")), binds)
    }
}

/// Adds a service, or updates the one with the same HSDS id. Returns its id and whether
/// it was added.
pub async fn upsert(
    tx: &mut crate::Tx,
    e: &ResourceEntry,
    by: Option<UserId>,
    now: i64,
) -> Result<(i64, bool), StoreError> {
    let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM resources WHERE hsds_id = $1")
        .bind(&e.hsds_id)
        .fetch_optional(&mut **tx)
        .await?;
    match existing {
        Some(id) => {
            update(&mut **tx, id, e, now).await?;
            Ok((id, false))
        }
        None => Ok((insert(&mut **tx, e, by, now).await?, true)),
    }
}

/// Adds a service; an HSDS id already in the directory is a conflict.
pub async fn insert<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    e: &ResourceEntry,
    by: Option<UserId>,
    now: i64,
) -> Result<i64, StoreError> {
    sqlx::query_scalar(
        "INSERT INTO resources (hsds_id, name, organisation, service_json, needs, states, counties, \
         languages, min_age, max_age, search_text, last_verified, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
    )
    .bind(&e.hsds_id)
    .bind(&e.name)
    .bind(&e.organisation)
    .bind(&e.service_json)
    .bind(list(&e.needs))
    .bind(list(&e.states))
    .bind(list(&e.counties))
    .bind(list(&e.languages))
    .bind(e.min_age)
    .bind(e.max_age)
    .bind(e.search_text.to_lowercase())
    .bind(&e.last_verified)
    .bind(by.map(|u| u.0))
    .bind(now)
    .fetch_one(ex)
    .await
    .map_err(conflict("a service with that HSDS id"))
}

/// Replaces a service's content (its HSDS id included). `NotFound` if there is no such row.
pub async fn update<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
    e: &ResourceEntry,
    now: i64,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE resources SET hsds_id = $2, name = $3, organisation = $4, service_json = $5, needs = $6, \
         states = $7, counties = $8, languages = $9, min_age = $10, max_age = $11, search_text = $12, \
         last_verified = $13, updated_at = $14 WHERE id = $1",
    )
    .bind(id)
    .bind(&e.hsds_id)
    .bind(&e.name)
    .bind(&e.organisation)
    .bind(&e.service_json)
    .bind(list(&e.needs))
    .bind(list(&e.states))
    .bind(list(&e.counties))
    .bind(list(&e.languages))
    .bind(e.min_age)
    .bind(e.max_age)
    .bind(e.search_text.to_lowercase())
    .bind(&e.last_verified)
    .bind(now)
    .execute(ex)
    .await
    .map_err(conflict("a service with that HSDS id"))?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn by_id<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<Option<ResourceRow>, StoreError> {
    sqlx::query(&format!("SELECT {COLUMNS} FROM resources WHERE id = $1"))
        .bind(id)
        .fetch_optional(ex)
        .await?
        .map(map)
        .transpose()
}

/// A page of the services matching `f`, by name.
pub async fn page<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    f: &ResourceFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<ResourceRow>, StoreError> {
    let (cond, binds) = condition(f, 3);
    let sql = format!("SELECT {COLUMNS} FROM resources{cond} ORDER BY name, id LIMIT $1 OFFSET $2");
    let q = bind_all(sqlx::query(&sql).bind(limit).bind(offset), binds);
    q.fetch_all(ex).await?.into_iter().map(map).collect()
}

/// How many services match `f`.
pub async fn count<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    f: &ResourceFilter,
) -> Result<i64, StoreError> {
    let (cond, binds) = condition(f, 1);
    let sql = format!("SELECT COUNT(*) FROM resources{cond}");
    Ok(bind_all_scalar(sqlx::query_scalar(&sql), binds)
        .fetch_one(ex)
        .await?)
}

/// Every service, by id, for an export.
pub async fn all<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> Result<Vec<ResourceRow>, StoreError> {
    sqlx::query(&format!("SELECT {COLUMNS} FROM resources ORDER BY id"))
        .fetch_all(ex)
        .await?
        .into_iter()
        .map(map)
        .collect()
}

/// The states services are given in, for the search form's choices.
pub async fn states<'e, E: Executor<'e, Database = Any>>(ex: E) -> Result<Vec<String>, StoreError> {
    let rows: Vec<String> = sqlx::query_scalar("SELECT DISTINCT states FROM resources")
        .fetch_all(ex)
        .await?;
    let mut v: Vec<String> = rows
        .iter()
        .flat_map(|s| s.split('|'))
        .filter(|s| !s.is_empty())
        .map(str::to_uppercase)
        .collect();
    v.sort();
    v.dedup();
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_patterns_escape_what_would_match_too_much() {
        assert_eq!(list(&["TX".into(), " a|b ".into(), "".into()]), "|tx|a b|");
        assert_eq!(like_escape("50%_\\"), "50\\%\\_\\\\");
        let (cond, binds) = condition(
            &ResourceFilter {
                need: Some("legal".into()),
                age: Some(15),
                ..Default::default()
            },
            3,
        );
        assert_eq!(
            cond,
            " WHERE needs LIKE $3 ESCAPE '\\' AND (min_age IS NULL OR min_age <= $4) AND (max_age IS NULL OR max_age >= $4)"
        );
        assert_eq!(binds.len(), 2);
    }
}
