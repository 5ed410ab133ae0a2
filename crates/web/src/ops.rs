//! For operators: liveness, readiness, Prometheus metrics, and the request metrics layer.
//! Metrics carry the route template (`/admin/users/{username}`), never a concrete path, so
//! no identifier of a person ends up in a time series.

use crate::ctx::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// The process-wide recorder: metrics are global by nature, and several servers in one
/// test process must share it.
pub fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
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

pub async fn metrics(State(state): State<AppState>) -> Response {
    let handle = prometheus();
    // Background jobs as gauges read from the database at each scrape, so they count the
    // jobs of every process, not only this one's.
    match state.services.job_counts_unchecked().await {
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
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response()
}

pub async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = req.method().to_string();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    res
}
