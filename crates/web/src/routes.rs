//! The route table: every route of the server, the action it performs, and its handler.
//!
//! The router is built from this table only, and each entry gets its own
//! [`authorize`](crate::guard::authorize) layer, so a route cannot exist without a policy
//! decision. `tests/access.rs` walks [`table`] for every role and compares each decision
//! with `tests/access_table.txt`.

use crate::guard::{self, Requirement};
use crate::state::AppState;
use crate::{api, error, ispws, ops, pages};
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;
use domain::Action;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

/// One route, as the access test sees it.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub action: Action,
    pub before_second_factor: bool,
}

struct Entry {
    spec: RouteSpec,
    handler: MethodRouter<AppState>,
}

fn route<H, T>(method: Method, path: &'static str, action: Action, handler: H) -> Entry
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let filter = MethodFilter::try_from(method.clone()).unwrap_or(MethodFilter::GET);
    Entry {
        spec: RouteSpec {
            method,
            path,
            action,
            before_second_factor: false,
        },
        handler: on(filter, handler),
    }
}

/// Also reachable while the second factor is still to be passed or set up.
fn early(mut e: Entry) -> Entry {
    e.spec.before_second_factor = true;
    e
}

// One line per route reads as a table; rustfmt would break it into blocks.
#[rustfmt::skip]
fn entries() -> Vec<Entry> {
    use Action::*;
    use Method as M;
    vec![
        // Public
        route(M::GET, "/healthz", ViewPublicPages, ops::healthz),
        route(M::GET, "/readyz", ViewPublicPages, ops::readyz),
        route(M::GET, "/metrics", ViewPublicPages, ops::metrics),
        route(M::GET, "/static/{file}", ViewPublicPages, pages::assets::file),
        route(M::GET, "/login", ViewPublicPages, pages::auth::login_page),
        route(M::POST, "/login", ViewPublicPages, pages::auth::login),
        route(M::GET, "/api/v1/openapi.json", ViewPublicPages, api::openapi),
        route(M::GET, "/tip", SubmitTip, pages::tip::form),
        route(M::POST, "/tip", SubmitTip, pages::tip::submit),
        // Signing in: the second factor
        early(route(M::POST, "/logout", ManageOwnAccount, pages::auth::logout)),
        early(route(M::GET, "/login/second-factor", ManageOwnAccount, pages::auth::second_factor_page)),
        early(route(M::POST, "/login/second-factor", ManageOwnAccount, pages::auth::second_factor)),
        early(route(M::GET, "/account/second-factor", ManageOwnAccount, pages::auth::enrol_start)),
        early(route(M::POST, "/account/second-factor", ManageOwnAccount, pages::auth::enrol_confirm)),
        // Everyone signed in
        route(M::GET, "/", ViewDashboard, pages::home::dashboard),
        route(M::GET, "/account", ManageOwnAccount, pages::account::show),
        route(M::POST, "/account/password", ManageOwnAccount, pages::account::change_password),
        route(M::POST, "/account/tokens", ManageOwnAccount, pages::account::create_token),
        route(M::POST, "/account/tokens/{id}/revoke", ManageOwnAccount, pages::account::revoke_token),
        // Areas
        route(M::GET, "/reports", ViewReports, pages::queue::list),
        route(M::POST, "/reports/assign", TriageReports, pages::queue::assign_many),
        route(M::GET, "/reports/{id}", ViewReports, pages::reports::detail),
        route(M::GET, "/reports/{id}/original.xml", ViewReports, pages::reports::original),
        route(M::GET, "/reports/{id}/export.xml", ViewReports, pages::reports::export),
        route(M::GET, "/reports/{id}/files/{file_id}", DownloadReportFiles, pages::reports::file),
        route(M::POST, "/reports/{id}/status", TriageReports, pages::queue::set_status),
        route(M::POST, "/reports/{id}/assign", TriageReports, pages::queue::assign_one),
        route(M::POST, "/reports/{id}/notes", TriageReports, pages::queue::add_note),
        route(M::POST, "/reports/{id}/share", MakeAvailable, pages::queue::make_available),
        route(M::GET, "/indicators", ViewIndicators, pages::queue::indicators),
        route(M::GET, "/leads", ViewLeads, pages::queue::leads),
        route(M::GET, "/leads/{id}", ViewLeads, pages::reports::lead),
        route(M::GET, "/cases", ViewCases, pages::cases::list),
        route(M::GET, "/cases/new", ReportMissingChild, pages::cases::new_form),
        route(M::POST, "/cases", ReportMissingChild, pages::cases::create),
        route(M::GET, "/cases/{id}", ViewCases, pages::cases::detail),
        route(M::POST, "/cases/{id}/episodes", ReportMissingChild, pages::cases::add_episode),
        route(M::POST, "/cases/{id}/episodes/{episode_id}/recovery", UpdateCases, pages::cases::record_recovery),
        route(M::POST, "/cases/{id}/photos", UpdateCases, pages::cases::add_photo),
        route(M::POST, "/cases/{id}/status", ReviewCases, pages::cases::set_status),
        route(M::POST, "/cases/{id}/assign", ReviewCases, pages::cases::assign),
        route(M::POST, "/cases/{id}/share", ReviewCases, pages::cases::share),
        route(M::POST, "/cases/{id}/alerts/{alert_id}/dismiss", ManageCaseAlerts, pages::cases::dismiss_alert),
        route(M::POST, "/cases/{id}/publication", PublishPoster, pages::cases::publication),
        route(M::GET, "/cases/{id}/poster", ViewCases, pages::cases::poster),
        route(M::GET, "/cases/{id}/poster.pdf", ViewCases, pages::cases::poster_pdf),
        route(M::GET, "/links", ViewLinkAnalysis, pages::links::index),
        route(M::GET, "/links/record/{kind}/{id}", ViewLinkAnalysis, pages::links::record),
        route(M::GET, "/links/identifier/{kind}/{value}", ViewLinkAnalysis, pages::links::identifier),
        route(M::GET, "/links/cluster/{kind}/{id}", ViewLinkAnalysis, pages::links::cluster),
        route(M::GET, "/recovery", ViewRecovery, pages::home::area),
        route(M::GET, "/hope-bags", ViewHopeBags, pages::home::area),
        route(M::GET, "/families", ViewFamilySupport, pages::home::area),
        route(M::GET, "/training", ViewTraining, pages::home::area),
        route(M::GET, "/statistics", ViewStatistics, pages::home::area),
        route(M::GET, "/submissions", ViewOwnSubmissions, pages::home::area),
        // Administration
        route(M::GET, "/admin/users", ManageUsers, pages::admin::users),
        route(M::GET, "/admin/users/new", ManageUsers, pages::admin::new_user),
        route(M::POST, "/admin/users", ManageUsers, pages::admin::create_user),
        route(M::GET, "/admin/users/{username}", ManageUsers, pages::admin::user),
        route(M::POST, "/admin/users/{username}/unlock", ManageUsers, pages::admin::unlock),
        route(M::POST, "/admin/users/{username}/password", ManageUsers, pages::admin::reset_password),
        route(M::POST, "/admin/users/{username}/role", ManageUsers, pages::admin::set_role),
        route(M::POST, "/admin/users/{username}/second-factor/reset", ManageUsers, pages::admin::reset_second_factor),
        route(M::GET, "/admin/organisations", ManageOrganisations, pages::admin::orgs),
        route(M::POST, "/admin/organisations", ManageOrganisations, pages::admin::create_org),
        route(M::GET, "/admin/audit", ViewAuditLog, pages::admin::audit),
        route(M::GET, "/admin/jobs", ViewJobs, pages::jobs::jobs),
        route(M::GET, "/admin/indicators", ManageIndicators, pages::queue::edit_indicators),
        route(M::POST, "/admin/indicators", ManageIndicators, pages::queue::save_indicators),
        // CyberTipline-compatible provider API (HTTP Basic)
        route(M::GET, "/ispws/xsd", ViewPublicPages, ispws::xsd),
        route(M::GET, "/ispws/status", SubmitProviderReports, ispws::status),
        route(M::POST, "/ispws/submit", SubmitProviderReports, ispws::submit),
        route(M::POST, "/ispws/upload", SubmitProviderReports, ispws::upload),
        route(M::POST, "/ispws/fileinfo", SubmitProviderReports, ispws::fileinfo),
        route(M::POST, "/ispws/finish", SubmitProviderReports, ispws::finish),
        route(M::POST, "/ispws/retract", SubmitProviderReports, ispws::retract),
        // JSON API
        route(M::GET, "/api/v1/me", ViewDashboard, api::accounts::me),
        route(M::PUT, "/api/v1/me/password", ManageOwnAccount, api::accounts::change_own_password),
        route(M::GET, "/api/v1/users", ManageUsers, api::accounts::list_users),
        route(M::POST, "/api/v1/users", ManageUsers, api::accounts::create_user),
        route(M::GET, "/api/v1/users/{username}", ManageUsers, api::accounts::get_user),
        route(M::POST, "/api/v1/users/{username}/unlock", ManageUsers, api::accounts::unlock_user),
        route(M::PUT, "/api/v1/users/{username}/role", ManageUsers, api::accounts::set_user_role),
        route(M::PUT, "/api/v1/users/{username}/password", ManageUsers, api::accounts::reset_user_password),
        route(M::DELETE, "/api/v1/users/{username}/second-factor", ManageUsers, api::accounts::reset_user_second_factor),
        route(M::GET, "/api/v1/organisations", ManageOrganisations, api::accounts::list_orgs),
        route(M::POST, "/api/v1/organisations", ManageOrganisations, api::accounts::create_org),
        route(M::GET, "/api/v1/tokens", ManageOwnAccount, api::accounts::list_tokens),
        route(M::POST, "/api/v1/tokens", ManageOwnAccount, api::accounts::create_token),
        route(M::DELETE, "/api/v1/tokens/{id}", ManageOwnAccount, api::accounts::revoke_token),
        route(M::GET, "/api/v1/audit", ViewAuditLog, api::accounts::audit),
        route(M::GET, "/api/v1/audit/verify", ViewAuditLog, api::accounts::verify_audit),
        route(M::GET, "/api/v1/cases", ViewCases, api::cases::list),
        route(M::POST, "/api/v1/cases", ReportMissingChild, api::cases::create),
        route(M::GET, "/api/v1/cases/{id}", ViewCases, api::cases::detail),
        route(M::GET, "/api/v1/cases/{id}/episodes", ViewCases, api::cases::episodes),
        route(M::POST, "/api/v1/cases/{id}/episodes", ReportMissingChild, api::cases::add_episode),
        route(M::GET, "/api/v1/cases/{id}/poster", ViewCases, api::cases::poster),
    ]
}

/// Every route with its action, for the access test and for documentation.
pub fn table() -> Vec<RouteSpec> {
    entries().into_iter().map(|e| e.spec).collect()
}

/// Request bodies larger than this are refused before a handler sees them; the upload
/// route instead streams up to the configured file limit.
const BODY_LIMIT: usize = ispws::MAX_REPORT_BYTES + 1024 * 1024;

/// Builds the whole application.
pub fn router(state: AppState) -> Router {
    let mut router: Router<AppState> = Router::new();
    for e in entries() {
        let req = Requirement {
            action: e.spec.action,
            before_second_factor: e.spec.before_second_factor,
        };
        // Uploads stream into the blob store, which enforces the configured file limit;
        // every other route gets the general body limit.
        let limited = if e.spec.path == "/ispws/upload" {
            e.handler.layer(axum::extract::DefaultBodyLimit::disable())
        } else {
            e.handler.layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        };
        let handler = limited.layer(axum::middleware::from_fn(move |r, n| {
            guard::authorize(req, r, n)
        }));
        router = router.route(e.spec.path, handler);
    }
    router
        .fallback(|| async { error::AppError::not_found() })
        .layer(axum::middleware::from_fn(ops::track))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error::render_errors,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::identify,
        ))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                // The route template only: concrete paths and queries can name people.
                let route = req
                    .extensions()
                    .get::<axum::extract::MatchedPath>()
                    .map(|m| m.as_str().to_owned())
                    .unwrap_or_default();
                tracing::info_span!("request", method = %req.method(), route)
            }),
        )
        .layer(axum::middleware::from_fn(guard::security_headers))
        .with_state(state)
}
