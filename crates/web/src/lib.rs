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
pub mod ops;
pub mod pages;
pub mod routes;

pub use ctx::{AppState, WebConfig};
pub use routes::{router, table, RouteSpec};

use std::future::Future;
use std::net::SocketAddr;

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
