//! Watchlists over JSON (issue 24): the caller's watches (list, create, renew, remove) and
//! notifications (list unread first, mark read), the same use cases as `/watchlist` and
//! `/notifications`, scoped by the service to the caller.

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::utc;
use crate::ctx::Ctx;
use crate::error::{AppError, Problem};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use service::watchlists::{NewWatch, Notification, Watch};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

/// One of your watches.
#[derive(Serialize, ToSchema)]
pub struct WatchOut {
    pub id: i64,
    /// `phone`, `email`, `handle`, `case`, `person` or `template`.
    pub kind: String,
    /// The normalised identifier, or the record watched ("CH-000003", "Report #12", "the
    /// template of ad #5").
    pub value: String,
    /// The watched record for a case, person or template watch: `report`, `case` or `ad`.
    pub record_kind: Option<String>,
    pub record_id: Option<i64>,
    /// Your note.
    pub label: String,
    /// RFC 3339, UTC.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// RFC 3339, UTC. After it the watch notifies nothing until renewed.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: OffsetDateTime,
    /// RFC 3339, UTC; null unless renewed.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub renewed_at: Option<OffsetDateTime>,
    pub expired: bool,
}

fn watch_out(w: &Watch) -> WatchOut {
    WatchOut {
        id: w.id,
        kind: w.kind.as_str().to_owned(),
        value: w.value.clone(),
        record_kind: w.record.map(|r| r.kind.as_str().to_owned()),
        record_id: w.record.map(|r| r.id),
        label: w.label.clone(),
        created_at: utc(w.created_at),
        expires_at: utc(w.expires_at),
        renewed_at: w.renewed_at.map(utc),
        expired: w.expired,
    }
}

#[derive(Serialize, ToSchema)]
pub struct WatchList {
    pub watches: Vec<WatchOut>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct PageQuery {
    /// 1-based; 50 a page.
    page: Option<i64>,
}

/// A watch to add.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWatchIn {
    /// `phone`, `email`, `handle`, `case`, `person` or `template`.
    pub kind: String,
    /// A phone number, email address or handle as written; a case number (`CH-000151`);
    /// for a person, a report (`report 12`) or case number; for a template, an ad's number.
    pub value: String,
    /// Your note (at most 200 characters).
    #[serde(default)]
    pub label: String,
    /// Days until it expires (1–365); the deployment's default (90) when absent.
    #[serde(default)]
    pub days: Option<i64>,
}

/// How long to renew for.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields, default)]
pub struct RenewIn {
    /// Days from now (1–365); the deployment's default when absent.
    pub days: Option<i64>,
}

/// Your watches, those expiring soonest first.
#[utoipa::path(get, path = "/api/v1/watches", tag = "watchlists", params(PageQuery),
    responses((status = 200, body = WatchList), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(ctx: Ctx, ApiQuery(q): ApiQuery<PageQuery>) -> Result<Json<WatchList>, AppError> {
    let p = ctx.principal()?;
    let page = ctx
        .state
        .services
        .watches(p, q.page.unwrap_or(1), crate::pages::watchlists::PER_PAGE)
        .await?;
    Ok(Json(WatchList {
        watches: page.items.iter().map(watch_out).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// Adds a watch. Records you may not see cannot be watched (answered as not readable).
#[utoipa::path(post, path = "/api/v1/watches", tag = "watchlists", request_body = NewWatchIn,
    responses((status = 201, body = WatchOut), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    ctx: Ctx,
    ApiJson(w): ApiJson<NewWatchIn>,
) -> Result<(StatusCode, Json<WatchOut>), AppError> {
    let p = ctx.principal()?.clone();
    let created = ctx
        .state
        .services
        .create_watch(
            &p,
            ctx.ip.clone(),
            &NewWatch {
                kind: w.kind,
                value: w.value,
                label: w.label,
                days: w.days,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(watch_out(&created))))
}

/// Renews one of your watches from now.
#[utoipa::path(post, path = "/api/v1/watches/{id}/renew", tag = "watchlists", params(("id" = i64, Path, description = "Watch id")), request_body = RenewIn,
    responses((status = 200, body = WatchOut), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn renew(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<RenewIn>,
) -> Result<Json<WatchOut>, AppError> {
    let p = ctx.principal()?.clone();
    let w = ctx
        .state
        .services
        .renew_watch(&p, ctx.ip.clone(), id, r.days)
        .await?;
    Ok(Json(watch_out(&w)))
}

/// Removes one of your watches; its notifications stay.
#[utoipa::path(delete, path = "/api/v1/watches/{id}", tag = "watchlists", params(("id" = i64, Path, description = "Watch id")),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn remove(ctx: Ctx, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, AppError> {
    let p = ctx.principal()?.clone();
    ctx.state
        .services
        .remove_watch(&p, ctx.ip.clone(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A record that matched one of your watches.
#[derive(Serialize, ToSchema)]
pub struct NotificationOut {
    pub id: i64,
    pub watch_id: i64,
    /// `report`, `case` or `ad`.
    pub record_kind: String,
    pub record_id: i64,
    /// Why, in words.
    pub reason: String,
    /// The record's page in link analysis.
    pub href: String,
    /// RFC 3339, UTC.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// RFC 3339, UTC; null while unread.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub read_at: Option<OffsetDateTime>,
}

fn notification_out(n: &Notification) -> NotificationOut {
    NotificationOut {
        id: n.id,
        watch_id: n.watch_id,
        record_kind: n.record.kind.as_str().to_owned(),
        record_id: n.record.id,
        reason: n.reason.clone(),
        href: crate::pages::watchlists::record_link(n),
        created_at: utc(n.created_at),
        read_at: n.read_at.map(utc),
    }
}

#[derive(Serialize, ToSchema)]
pub struct NotificationList {
    pub notifications: Vec<NotificationOut>,
    pub unread: i64,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

/// Your notifications, unread first, then the newest.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "watchlists", params(PageQuery),
    responses((status = 200, body = NotificationList), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn notifications(
    ctx: Ctx,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<NotificationList>, AppError> {
    let p = ctx.principal()?;
    let n = ctx
        .state
        .services
        .notifications(p, q.page.unwrap_or(1), crate::pages::watchlists::PER_PAGE)
        .await?;
    Ok(Json(NotificationList {
        notifications: n.page.items.iter().map(notification_out).collect(),
        unread: n.unread,
        total: n.page.total,
        page: n.page.page,
        per_page: n.page.per_page,
    }))
}

/// Marks one of your notifications read (again: no change).
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "watchlists", params(("id" = i64, Path, description = "Notification id")),
    responses((status = 200, body = NotificationOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn mark_read(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<NotificationOut>, AppError> {
    let p = ctx.principal()?.clone();
    let n = ctx
        .state
        .services
        .mark_notification_read(&p, ctx.ip.clone(), id)
        .await?;
    Ok(Json(notification_out(&n)))
}
