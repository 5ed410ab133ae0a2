//! Link analysis over JSON (issue 24): what a record is linked to and why, who carries an
//! identifier, and the cluster around a record. The same service views as the pages, so
//! an investigator gets only records made available to their agency, and every view is
//! audited.

use super::extract::ApiPath;
use crate::ctx::Ctx;
use crate::error::{AppError, Problem};
use axum::Json;
use domain::RecordKind;
use serde::Serialize;
use service::linking::views::RecordHead;
use utoipa::ToSchema;

/// A record as lists name it.
#[derive(Serialize, ToSchema)]
pub struct RecordOut {
    /// `report`, `case` or `ad`.
    pub kind: String,
    pub id: i64,
    pub title: String,
    /// `YYYY-MM-DD`: when it happened, was posted, or the child went missing.
    pub date: Option<String>,
    pub states: Vec<String>,
    pub detail: String,
}

fn record(h: &RecordHead) -> RecordOut {
    RecordOut {
        kind: h.record.kind.as_str().to_owned(),
        id: h.record.id,
        title: h.title.clone(),
        date: h.date.clone(),
        states: h.states.clone(),
        detail: h.detail.clone(),
    }
}

/// One reason two records are linked.
#[derive(Serialize, ToSchema)]
pub struct LinkOut {
    pub other: RecordOut,
    /// `phone`, `email`, `handle`, `url`, `person`, `template`…
    pub reason: String,
    pub value: String,
    /// 0 to 1.
    pub weight: f64,
    /// The evidence in words.
    pub evidence: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct IdentifierOut {
    pub kind: String,
    pub value: String,
    /// Carried by so many records that it links nobody.
    pub hub: bool,
    /// How many records carry it; null for a reader who does not see every record.
    pub records: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct RecordLinksOut {
    pub record: RecordOut,
    pub identifiers: Vec<IdentifierOut>,
    /// Strongest first.
    pub links: Vec<LinkOut>,
}

fn kind(k: &str) -> Result<RecordKind, AppError> {
    k.parse().map_err(|_| AppError::not_found())
}

/// What a record is linked to and why. Audited.
#[utoipa::path(get, path = "/api/v1/links/records/{kind}/{id}", tag = "links",
    params(("kind" = String, Path, description = "`report`, `case` or `ad`"), ("id" = i64, Path, description = "The record's id")),
    responses((status = 200, body = RecordLinksOut), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn record_links(
    ctx: Ctx,
    ApiPath((k, id)): ApiPath<(String, i64)>,
) -> Result<Json<RecordLinksOut>, AppError> {
    let p = ctx.principal()?;
    let v = ctx
        .state
        .services
        .record_links(p, kind(&k)?, id, ctx.ip.clone())
        .await?;
    Ok(Json(RecordLinksOut {
        record: record(&v.head),
        identifiers: v
            .identifiers
            .iter()
            .map(|i| IdentifierOut {
                kind: i.kind.clone(),
                value: i.value.clone(),
                hub: i.hub,
                records: i.records,
            })
            .collect(),
        links: v
            .links
            .iter()
            .map(|l| LinkOut {
                other: record(&l.other),
                reason: l.reason.clone(),
                value: l.value.clone(),
                weight: l.weight,
                evidence: l.words.clone(),
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct IdentifierHolders {
    pub kind: String,
    /// Normalised (a phone in E.164, an email in lower case).
    pub value: String,
    /// The records carrying it that the reader may see.
    pub records: Vec<RecordOut>,
    /// How many records carry it; null for a reader who does not see every record.
    pub total: Option<i64>,
    pub hub: bool,
}

/// The records carrying an identifier. Audited.
#[utoipa::path(get, path = "/api/v1/links/identifiers/{kind}/{value}", tag = "links",
    params(("kind" = String, Path, description = "`phone`, `email`, `handle` or `url`"), ("value" = String, Path, description = "The identifier as written; it is normalised")),
    responses((status = 200, body = IdentifierHolders), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn identifier(
    ctx: Ctx,
    ApiPath((k, value)): ApiPath<(String, String)>,
) -> Result<Json<IdentifierHolders>, AppError> {
    let p = ctx.principal()?;
    let v = ctx
        .state
        .services
        .identifier_links(p, &k, &value, ctx.ip.clone())
        .await?;
    Ok(Json(IdentifierHolders {
        kind: v.kind.clone(),
        value: v.value.clone(),
        records: v.holders.iter().map(record).collect(),
        total: v.total,
        hub: v.hub,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ClusterLinkOut {
    /// Positions in `records`.
    pub a: usize,
    pub b: usize,
    /// Combined weight, 0 to 1.
    pub weight: f64,
    /// Strong enough to join the cluster.
    pub strong: bool,
    /// Each reason as `kind: value`.
    pub reasons: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ClusterOut {
    /// The record walked from first, then by distance.
    pub records: Vec<RecordOut>,
    pub links: Vec<ClusterLinkOut>,
    /// More records are connected than a chart holds.
    pub capped: bool,
    pub states: Vec<String>,
}

/// The cluster around a record, through records the reader may see. Audited.
#[utoipa::path(get, path = "/api/v1/links/clusters/{kind}/{id}", tag = "links",
    params(("kind" = String, Path, description = "`report`, `case` or `ad`"), ("id" = i64, Path, description = "The record's id")),
    responses((status = 200, body = ClusterOut), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn cluster(
    ctx: Ctx,
    ApiPath((k, id)): ApiPath<(String, i64)>,
) -> Result<Json<ClusterOut>, AppError> {
    let p = ctx.principal()?;
    let c = ctx
        .state
        .services
        .cluster(p, kind(&k)?, id, "api", ctx.ip.clone())
        .await?;
    Ok(Json(ClusterOut {
        records: c.nodes.iter().map(record).collect(),
        links: c
            .edges
            .iter()
            .map(|e| ClusterLinkOut {
                a: e.a,
                b: e.b,
                weight: e.weight,
                strong: e.strong,
                reasons: e
                    .reasons
                    .iter()
                    .map(|r| format!("{}: {}", r.reason, r.value))
                    .collect(),
            })
            .collect(),
        capped: c.capped,
        states: c.states.clone(),
    }))
}
