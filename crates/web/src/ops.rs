//! For operators: liveness, readiness, Prometheus metrics, and the request metrics layer.
//! Metrics carry the route template (`/admin/users/{username}`), never a concrete path, so
//! no identifier of a person ends up in a time series; and only bounded labels (methods
//! other than the standard ones are `OTHER`), so a client cannot grow them.
//!
//! `/metrics` answers only with the operator's token (`metrics.token`, sent as
//! `Authorization: Bearer …`): it counts failed sign-ins and submissions, which are not for
//! the public. A token rather than a second listener, so a deployment keeps one port
//! behind one reverse proxy and Prometheus' `authorization` setting is all it takes.

use crate::ctx::{AppState, Ctx};
use crate::error::AppError;
use crate::limit::AttemptLimiter;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// Request durations, in seconds: from a cached page to a slow import.
const DURATION_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The process-wide recorder: metrics are global by nature, and several servers in one
/// test process must share it. Installed by the binary at start (and by `router` for
/// tests), so what is recorded before the first scrape is kept.
pub fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new();
        // Fails only for an empty list of buckets; then the histogram stays a summary.
        let builder = match builder
            .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), DURATION_BUCKETS)
        {
            Ok(b) => b,
            Err(_) => PrometheusBuilder::new(),
        };
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Fails only if another recorder was installed first; then ours just stays empty.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.services.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::error!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// Checks the operator's metrics token; a wrong one counts toward the address's attempts.
fn check_token(ctx: &Ctx, headers: &HeaderMap) -> Result<(), AppError> {
    let Some(expected) = ctx.state.config.metrics_token.as_deref() else {
        return Err(AppError::new(
            StatusCode::NOT_FOUND,
            "Metrics are off on this server. To turn them on, set metrics.token in the \
             configuration and scrape /metrics with Authorization: Bearer and that token.",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(given) = given else {
        return Err(AppError::unauthorized(
            "Metrics need the operator's token: send Authorization: Bearer with the metrics.token of the configuration.",
        ));
    };
    let key = AttemptLimiter::key(ctx.ip.as_deref());
    let attempt = ctx
        .state
        .attempts
        .acquire(key)
        .map_err(AppError::too_many_attempts)?;
    if service::crypto::same(given, expected) {
        attempt.held();
        Ok(())
    } else {
        Err(AppError::unauthorized(
            "The metrics token is wrong: send the metrics.token of the configuration.",
        ))
    }
}

pub async fn metrics(ctx: Ctx, headers: HeaderMap) -> Result<Response, AppError> {
    check_token(&ctx, &headers)?;
    let handle = prometheus();
    let services = &ctx.state.services;
    // Background jobs as gauges read from the database at each scrape, so they count the
    // jobs of every process, not only this one's.
    match services.job_counts_unchecked().await {
        Ok(c) => {
            for (s, n) in [
                ("pending", c.pending),
                ("running", c.running),
                ("failed", c.failed),
            ] {
                metrics::gauge!("clearinghouse_jobs", "state" => s).set(n as f64);
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: could not count background jobs"),
    }
    let pools = services.pool_sizes();
    for (pool, open, idle) in [
        ("read", pools.read_open, pools.read_idle),
        ("write", pools.write_open, pools.write_idle),
    ] {
        let busy = (open as usize).saturating_sub(idle);
        metrics::gauge!("clearinghouse_db_connections", "pool" => pool, "state" => "idle")
            .set(idle as f64);
        metrics::gauge!("clearinghouse_db_connections", "pool" => pool, "state" => "busy")
            .set(busy as f64);
    }
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response())
}

/// The method as a label: the standard ones by name, anything else `OTHER`, so that a
/// client sending made-up methods cannot add series.
fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "OTHER",
    }
}

pub async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = method_label(req.method());
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method, "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_up_methods_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::from_bytes(b"BREW").unwrap()), "OTHER");
        assert_eq!(
            method_label(&Method::from_bytes(b"X1234").unwrap()),
            "OTHER"
        );
    }
}
