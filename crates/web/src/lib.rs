//! The HTTP face of Clearinghouse: pages for people, a JSON API for scripts, health and
//! metrics for operators.
//!
//! Architecture invariants:
//! - Every route is declared in [`routes::table`] with the [`domain::Action`] it performs;
//!   the router is built from that table only, and each route passes through
//!   [`guard::authorize`] (the policy, the second-factor gate and CSRF) before its handler.
//! - Errors become responses in one place ([`error`]), by the route's [`ctx::Surface`]
//!   (tagged in the route table): pages, RFC 9457 problem documents for the API, CyberTipline
//!   documents for the provider API. Internal causes are logged, never rendered.
//! - Handlers call the `service` crate and nothing below it, except read-only row types.

pub mod api;
pub mod ctx;
pub mod error;
pub mod flash;
pub mod guard;
pub mod ispws;
pub mod layout;
pub mod limit;
pub mod ops;
pub mod pages;
pub mod routes;

pub use ctx::{AppState, ServerKey, WebConfig};
pub use routes::{router, table, RouteSpec};

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Limits on connections, against clients that open many and send slowly.
#[derive(Debug, Clone, Copy)]
pub struct ServeLimits {
    /// A connection whose request headers have not all arrived this long after it began
    /// sending them is closed.
    pub header_read_timeout: Duration,
    /// A request body from which nothing arrives for this long is abandoned: the handler's
    /// read fails, the request is refused as unreadable and the connection is closed. The clock restarts with
    /// each piece received, so a large upload on a slow line still goes through.
    pub body_read_timeout: Duration,
    /// Connections served at once; further ones wait in the listener's backlog until one
    /// closes.
    pub max_connections: usize,
}

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            max_connections: 1024,
        }
    }
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
///
/// The accept loop is ours rather than `axum::serve`'s because that one sets no timer on
/// hyper, so a client sending half a request held its connection for ever, and it accepts
/// without bound (issue 25, finding 8).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;

    let app = router(state);
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let body_timeout = limits.body_read_timeout;
        let svc = app.clone().map_request(
            move |mut req: axum::extract::Request<hyper::body::Incoming>| {
                req.extensions_mut()
                    .insert(axum::extract::ConnectInfo::<SocketAddr>(peer));
                req.map(|body| {
                    axum::body::Body::new(tower_http::timeout::TimeoutBody::new(body_timeout, body))
                })
            },
        );
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .serve_connection(
                TokioIo::new(stream),
                hyper_util::service::TowerToHyperService::new(svc),
            );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
