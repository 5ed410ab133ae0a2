//! Organisations.

use crate::error::conflict;
use crate::StoreError;
use domain::{OrgId, OrgKind};
use sqlx::{Any, Executor, Row};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRow {
    pub id: OrgId,
    pub name: String,
    pub kind: OrgKind,
    pub created_at: i64,
    /// For law-enforcement agencies: the states and countries covered, space-delimited
    /// with a space at each end (`" CA NV "`).
    pub jurisdiction: String,
}

fn map(r: sqlx::any::AnyRow) -> Result<OrgRow, StoreError> {
    let kind: String = r.try_get("kind")?;
    Ok(OrgRow {
        id: OrgId(r.try_get("id")?),
        name: r.try_get("name")?,
        kind: kind
            .parse()
            .map_err(|e: domain::DomainError| StoreError::Corrupt(e.to_string()))?,
        created_at: r.try_get("created_at")?,
        jurisdiction: r.try_get("jurisdiction")?,
    })
}

pub async fn insert<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    name: &str,
    kind: OrgKind,
    now: i64,
) -> Result<OrgId, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO organisations (name, kind, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(name)
    .bind(kind.as_str())
    .bind(now)
    .fetch_one(ex)
    .await
    .map_err(conflict("an organisation with that name"))?;
    Ok(OrgId(id))
}

pub async fn by_name<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    name: &str,
) -> Result<Option<OrgRow>, StoreError> {
    sqlx::query(
        "SELECT id, name, kind, created_at, jurisdiction FROM organisations WHERE name = $1",
    )
    .bind(name)
    .fetch_optional(ex)
    .await?
    .map(map)
    .transpose()
}

pub async fn by_id<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: OrgId,
) -> Result<Option<OrgRow>, StoreError> {
    sqlx::query("SELECT id, name, kind, created_at, jurisdiction FROM organisations WHERE id = $1")
        .bind(id.0)
        .fetch_optional(ex)
        .await?
        .map(map)
        .transpose()
}

pub async fn list<'e, E: Executor<'e, Database = Any>>(ex: E) -> Result<Vec<OrgRow>, StoreError> {
    sqlx::query("SELECT id, name, kind, created_at, jurisdiction FROM organisations ORDER BY name")
        .fetch_all(ex)
        .await?
        .into_iter()
        .map(map)
        .collect()
}
