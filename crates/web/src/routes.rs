//! The route table: every route of the server, the action it performs, and its handler.
//!
//! The router is built from this table only, and each entry gets its own
//! [`authorize`](crate::guard::authorize) layer, so a route cannot exist without a policy
//! decision. Each entry is also tagged with its [`Surface`] (page, JSON API or provider
//! API), which the guard and the error renderer read instead of guessing from the path. `tests/access.rs` walks [`table`] for every role and compares each decision
//! with `tests/access_table.txt`.

use crate::ctx::{AppState, Surface};
use crate::guard::{self, Requirement};
use crate::{api, error, ispws, ops, pages};
use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
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
    pub surface: Surface,
    /// Checks a password or a code: limited per client address (`security.attempts_*`).
    pub sign_in_attempt: bool,
}

struct Entry {
    spec: RouteSpec,
    handler: MethodRouter<AppState>,
}

fn route<H, T>(
    surface: Surface,
    method: Method,
    path: &'static str,
    action: Action,
    handler: H,
) -> Entry
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
            surface,
            sign_in_attempt: false,
        },
        handler: on(filter, handler),
    }
}

/// A page for people (or an operator's endpoint).
fn page<H: Handler<T, AppState>, T: 'static>(
    m: Method,
    path: &'static str,
    action: Action,
    h: H,
) -> Entry {
    route(Surface::Page, m, path, action, h)
}

/// A route of the JSON API.
fn api<H: Handler<T, AppState>, T: 'static>(
    m: Method,
    path: &'static str,
    action: Action,
    h: H,
) -> Entry {
    route(Surface::Api, m, path, action, h)
}

/// A route of the CyberTipline-compatible provider API.
fn provider<H: Handler<T, AppState>, T: 'static>(
    m: Method,
    path: &'static str,
    action: Action,
    h: H,
) -> Entry {
    route(Surface::Provider, m, path, action, h)
}

/// Also reachable while the second factor is still to be passed or set up.
fn early(mut e: Entry) -> Entry {
    e.spec.before_second_factor = true;
    e
}

/// A form that checks a password or a code: each address may fail it only
/// `security.attempts_per_minute` times a minute, counted before the check runs.
fn attempt(mut e: Entry) -> Entry {
    e.spec.sign_in_attempt = true;
    e
}

// One line per route reads as a table; rustfmt would break it into blocks.
#[rustfmt::skip]
fn entries() -> Vec<Entry> {
    use Action::*;
    use Method as M;
    vec![
        // Public
        page(M::GET, "/healthz", ViewPublicPages, ops::healthz),
        page(M::GET, "/readyz", ViewPublicPages, ops::readyz),
        page(M::GET, "/metrics", ViewPublicPages, ops::metrics),
        page(M::GET, "/static/{file}", ViewPublicPages, pages::assets::file),
        page(M::GET, "/login", ViewPublicPages, pages::auth::login_page),
        attempt(page(M::POST, "/login", ViewPublicPages, pages::auth::login)),
        api(M::GET, "/api/v1/openapi.json", ViewPublicPages, api::openapi),
        page(M::GET, "/tip", SubmitTip, pages::tip::form),
        page(M::POST, "/tip", SubmitTip, pages::tip::submit),
        page(M::GET, "/tip/follow-up", SubmitTip, pages::tip::followup_form),
        page(M::POST, "/tip/follow-up", SubmitTip, pages::tip::followup_submit),
        api(M::POST, "/api/v1/tips", SubmitTip, api::tips::submit),
        api(M::POST, "/api/v1/tips/follow-up", SubmitTip, api::tips::follow_up),
        // Signing in: the second factor
        early(page(M::POST, "/logout", ManageOwnAccount, pages::auth::logout)),
        early(page(M::GET, "/login/second-factor", ManageOwnAccount, pages::auth::second_factor_page)),
        attempt(early(page(M::POST, "/login/second-factor", ManageOwnAccount, pages::auth::second_factor))),
        early(page(M::GET, "/account/second-factor", ManageOwnAccount, pages::auth::enrol_start)),
        early(page(M::POST, "/account/second-factor", ManageOwnAccount, pages::auth::enrol_confirm)),
        // Everyone signed in
        page(M::GET, "/", ViewDashboard, pages::home::dashboard),
        page(M::GET, "/account", ManageOwnAccount, pages::account::show),
        page(M::POST, "/account/password", ManageOwnAccount, pages::account::change_password),
        page(M::POST, "/account/tokens", ManageOwnAccount, pages::account::create_token),
        page(M::POST, "/account/tokens/{id}/revoke", ManageOwnAccount, pages::account::revoke_token),
        // Areas
        page(M::GET, "/reports", ViewReports, pages::queue::list),
        page(M::POST, "/reports/assign", TriageReports, pages::queue::assign_many),
        page(M::GET, "/reports/{id}", ViewReports, pages::reports::detail),
        page(M::GET, "/reports/{id}/original.xml", ViewReports, pages::reports::original),
        page(M::GET, "/reports/{id}/export.xml", ViewReports, pages::reports::export),
        page(M::GET, "/reports/{id}/files/{file_id}", DownloadReportFiles, pages::reports::file),
        page(M::POST, "/reports/{id}/status", TriageReports, pages::queue::set_status),
        page(M::POST, "/reports/{id}/assign", TriageReports, pages::queue::assign_one),
        page(M::POST, "/reports/{id}/notes", TriageReports, pages::queue::add_note),
        page(M::POST, "/reports/{id}/share", MakeAvailable, pages::queue::make_available),
        page(M::GET, "/indicators", ViewIndicators, pages::queue::indicators),
        page(M::GET, "/leads", ViewLeads, pages::queue::leads),
        page(M::GET, "/leads/{id}", ViewLeads, pages::reports::lead),
        page(M::GET, "/leads/{id}/package.zip", ViewLeads, pages::leads::package),
        page(M::GET, "/leads/{id}/files/{file_id}", ViewLeads, pages::reports::file),
        page(M::POST, "/leads/{id}/acknowledge", RespondToLeads, pages::leads::acknowledge),
        page(M::POST, "/leads/{id}/outcome", RespondToLeads, pages::leads::outcome),
        page(M::POST, "/leads/{id}/notes", RespondToLeads, pages::leads::add_note),
        page(M::POST, "/leads/{id}/questions", RespondToLeads, pages::leads::ask),
        page(M::POST, "/reports/{id}/questions/{question}/answer", TriageReports, pages::leads::answer),
        page(M::GET, "/cases", ViewCases, pages::cases::list),
        page(M::GET, "/cases/new", ReportMissingChild, pages::cases::new_form),
        page(M::POST, "/cases", ReportMissingChild, pages::cases::create),
        page(M::GET, "/cases/{id}", ViewCases, pages::cases::detail),
        page(M::POST, "/cases/{id}/episodes", ReportMissingChild, pages::cases::add_episode),
        page(M::POST, "/cases/{id}/episodes/{episode_id}/recovery", UpdateCases, pages::cases::record_recovery),
        page(M::POST, "/cases/{id}/photos", UpdateCases, pages::cases::add_photo),
        page(M::GET, "/cases/{id}/photos/{photo}", ViewCases, pages::cases::photo),
        page(M::GET, "/cases/{id}/photos/{photo}/view", ViewCases, pages::cases::photo_view),
        page(M::POST, "/cases/{id}/photos/{photo}/remove", UpdateCases, pages::cases::remove_photo),
        page(M::POST, "/cases/{id}/status", ReviewCases, pages::cases::set_status),
        page(M::POST, "/cases/{id}/assign", ReviewCases, pages::cases::assign),
        page(M::POST, "/cases/{id}/share", ReviewCases, pages::cases::share),
        page(M::POST, "/cases/{id}/alerts/{alert_id}/dismiss", ManageCaseAlerts, pages::cases::dismiss_alert),
        page(M::POST, "/cases/{id}/alerts/dismiss", ManageCaseAlerts, pages::cases::dismiss_alert_group),
        page(M::POST, "/cases/{id}/publication", PublishPoster, pages::cases::publication),
        page(M::GET, "/cases/{id}/poster", ViewCases, pages::cases::poster),
        page(M::GET, "/cases/{id}/poster.pdf", ViewCases, pages::cases::poster_pdf),
        page(M::GET, "/links", ViewLinkAnalysis, pages::links::index),
        page(M::GET, "/links/record/{kind}/{id}", ViewLinkAnalysis, pages::links::record),
        page(M::GET, "/links/identifier/{kind}/{value}", ViewLinkAnalysis, pages::links::identifier),
        page(M::GET, "/links/cluster/{kind}/{id}", ViewLinkAnalysis, pages::links::cluster),
        // Link charts shared with agencies and requests for analytical support (issue 24)
        page(M::POST, "/links/cluster/{kind}/{id}/share", MakeAvailable, pages::links::share),
        page(M::GET, "/links/shared", ViewLinkAnalysis, pages::links::shared_list),
        page(M::GET, "/links/shared/{id}", ViewLinkAnalysis, pages::links::shared_chart),
        page(M::GET, "/support", ViewSupportRequests, pages::support::list),
        page(M::GET, "/support/new", RequestAnalyticalSupport, pages::support::new_form),
        page(M::POST, "/support", RequestAnalyticalSupport, pages::support::create),
        page(M::GET, "/support/{id}", ViewSupportRequests, pages::support::detail),
        page(M::POST, "/support/{id}/assign", AnswerSupportRequests, pages::support::assign),
        page(M::POST, "/support/{id}/answer", AnswerSupportRequests, pages::support::answer),
        page(M::POST, "/support/{id}/close", AnswerSupportRequests, pages::support::close),
        api(M::GET, "/api/v1/charts", ViewLinkAnalysis, api::charts::list),
        api(M::GET, "/api/v1/charts/{id}", ViewLinkAnalysis, api::charts::detail),
        api(M::GET, "/api/v1/support-requests", ViewSupportRequests, api::support::list),
        api(M::POST, "/api/v1/support-requests", RequestAnalyticalSupport, api::support::create),
        api(M::GET, "/api/v1/support-requests/{id}", ViewSupportRequests, api::support::detail),
        api(M::POST, "/api/v1/support-requests/{id}/answer", AnswerSupportRequests, api::support::answer),
        page(M::GET, "/recovery/resources", ViewResources, pages::resources::list),
        page(M::GET, "/recovery/resources/new", ManageResources, pages::resources::new_form),
        page(M::POST, "/recovery/resources", ManageResources, pages::resources::create),
        page(M::GET, "/recovery/resources/{id}", ViewResources, pages::resources::detail),
        page(M::GET, "/recovery/resources/{id}/edit", ManageResources, pages::resources::edit_form),
        page(M::POST, "/recovery/resources/{id}", ManageResources, pages::resources::update),
        // Intake (issue 24): hotline calls taken by staff; providers' own submissions.
        page(M::GET, "/calls/new", RecordHotlineCall, pages::calls::new_form),
        page(M::POST, "/calls", RecordHotlineCall, pages::calls::record),
        page(M::GET, "/submissions", ViewOwnSubmissions, pages::submissions::list),
        api(M::GET, "/api/v1/submissions", ViewOwnSubmissions, api::submissions::list),
        api(M::GET, "/api/v1/reports", ViewReports, api::reports::list),
        api(M::GET, "/api/v1/reports/{id}", ViewReports, api::reports::detail),
        api(M::PUT, "/api/v1/reports/{id}/status", TriageReports, api::reports::set_status),
        api(M::PUT, "/api/v1/reports/{id}/assignee", TriageReports, api::reports::assign),
        api(M::POST, "/api/v1/reports/{id}/notes", TriageReports, api::reports::add_note),
        api(M::POST, "/api/v1/reports/{id}/shares", MakeAvailable, api::reports::share),
        api(M::POST, "/api/v1/reports/{id}/questions/{question}/answer", TriageReports, api::reports::answer),
        api(M::GET, "/api/v1/indicators", ViewIndicators, api::reports::indicators),
        api(M::GET, "/api/v1/links/records/{kind}/{id}", ViewLinkAnalysis, api::links::record_links),
        api(M::GET, "/api/v1/links/identifiers/{kind}/{value}", ViewLinkAnalysis, api::links::identifier),
        api(M::GET, "/api/v1/links/clusters/{kind}/{id}", ViewLinkAnalysis, api::links::cluster),
        api(M::GET, "/api/v1/leads", ViewLeads, api::leads::list),
        api(M::GET, "/api/v1/leads/{id}", ViewLeads, api::leads::detail),
        api(M::POST, "/api/v1/leads/{id}/acknowledge", RespondToLeads, api::leads::acknowledge),
        api(M::PUT, "/api/v1/leads/{id}/outcome", RespondToLeads, api::leads::outcome),
        api(M::POST, "/api/v1/leads/{id}/messages", RespondToLeads, api::leads::add_message),
        api(M::GET, "/api/v1/leads/{id}/package", ViewLeads, api::leads::package),
        // Watchlists (issue 24)
        page(M::GET, "/watchlist", WatchRecords, pages::watchlists::list),
        page(M::POST, "/watchlist", WatchRecords, pages::watchlists::create),
        page(M::POST, "/watchlist/email", WatchRecords, pages::watchlists::set_address),
        page(M::POST, "/watchlist/{id}/renew", WatchRecords, pages::watchlists::renew),
        page(M::POST, "/watchlist/{id}/remove", WatchRecords, pages::watchlists::remove),
        page(M::GET, "/notifications", ReadNotifications, pages::watchlists::notifications),
        page(M::GET, "/notifications/{id}", ReadNotifications, pages::watchlists::notification),
        page(M::POST, "/notifications/{id}/read", ReadNotifications, pages::watchlists::mark_read),
        api(M::GET, "/api/v1/watches", WatchRecords, api::watchlists::list),
        api(M::POST, "/api/v1/watches", WatchRecords, api::watchlists::create),
        api(M::POST, "/api/v1/watches/{id}/renew", WatchRecords, api::watchlists::renew),
        api(M::DELETE, "/api/v1/watches/{id}", WatchRecords, api::watchlists::remove),
        api(M::GET, "/api/v1/notifications", ReadNotifications, api::watchlists::notifications),
        api(M::POST, "/api/v1/notifications/{id}/read", ReadNotifications, api::watchlists::mark_read),
        // Administration
        page(M::GET, "/admin/users", ManageUsers, pages::admin::users),
        page(M::GET, "/admin/users/new", ManageUsers, pages::admin::new_user),
        page(M::POST, "/admin/users", ManageUsers, pages::admin::create_user),
        page(M::GET, "/admin/users/{username}", ManageUsers, pages::admin::user),
        page(M::POST, "/admin/users/{username}/unlock", ManageUsers, pages::admin::unlock),
        page(M::POST, "/admin/users/{username}/password", ManageUsers, pages::admin::reset_password),
        page(M::POST, "/admin/users/{username}/role", ManageUsers, pages::admin::set_role),
        page(M::POST, "/admin/users/{username}/second-factor/reset", ManageUsers, pages::admin::reset_second_factor),
        page(M::GET, "/admin/organisations", ManageOrganisations, pages::admin::orgs),
        page(M::POST, "/admin/organisations", ManageOrganisations, pages::admin::create_org),
        page(M::GET, "/admin/audit", ViewAuditLog, pages::audit::audit),
        page(M::GET, "/admin/jobs", ViewJobs, pages::jobs::jobs),
        // Retention (issue 25)
        page(M::GET, "/admin/retention", ManageLegalHolds, pages::retention::overview),
        page(M::POST, "/admin/retention/holds", ManageLegalHolds, pages::retention::place),
        page(M::POST, "/admin/retention/holds/{id}/release", ManageLegalHolds, pages::retention::release),
        page(M::POST, "/admin/retention/purge", PurgeRecords, pages::retention::purge),
        api(M::GET, "/api/v1/legal-holds", ManageLegalHolds, api::retention::list),
        api(M::POST, "/api/v1/legal-holds", ManageLegalHolds, api::retention::create),
        api(M::POST, "/api/v1/legal-holds/{id}/release", ManageLegalHolds, api::retention::release),
        page(M::GET, "/admin/indicators", ManageIndicators, pages::queue::edit_indicators),
        page(M::POST, "/admin/indicators", ManageIndicators, pages::queue::save_indicators),
        // CyberTipline-compatible provider API (HTTP Basic)
        provider(M::GET, "/ispws/xsd", ViewPublicPages, ispws::xsd),
        provider(M::GET, "/ispws/status", SubmitProviderReports, ispws::status),
        provider(M::POST, "/ispws/submit", SubmitProviderReports, ispws::submit),
        provider(M::POST, "/ispws/upload", SubmitProviderReports, ispws::upload),
        provider(M::POST, "/ispws/fileinfo", SubmitProviderReports, ispws::fileinfo),
        provider(M::POST, "/ispws/finish", SubmitProviderReports, ispws::finish),
        provider(M::POST, "/ispws/retract", SubmitProviderReports, ispws::retract),
        // JSON API
        api(M::GET, "/api/v1/me", ViewDashboard, api::accounts::me),
        api(M::PUT, "/api/v1/me/password", ManageOwnAccount, api::accounts::change_own_password),
        api(M::GET, "/api/v1/users", ManageUsers, api::accounts::list_users),
        api(M::POST, "/api/v1/users", ManageUsers, api::accounts::create_user),
        api(M::GET, "/api/v1/users/{username}", ManageUsers, api::accounts::get_user),
        api(M::POST, "/api/v1/users/{username}/unlock", ManageUsers, api::accounts::unlock_user),
        api(M::PUT, "/api/v1/users/{username}/role", ManageUsers, api::accounts::set_user_role),
        api(M::PUT, "/api/v1/users/{username}/password", ManageUsers, api::accounts::reset_user_password),
        api(M::DELETE, "/api/v1/users/{username}/second-factor", ManageUsers, api::accounts::reset_user_second_factor),
        api(M::GET, "/api/v1/organisations", ManageOrganisations, api::accounts::list_orgs),
        api(M::POST, "/api/v1/organisations", ManageOrganisations, api::accounts::create_org),
        api(M::GET, "/api/v1/tokens", ManageOwnAccount, api::accounts::list_tokens),
        api(M::POST, "/api/v1/tokens", ManageOwnAccount, api::accounts::create_token),
        api(M::DELETE, "/api/v1/tokens/{id}", ManageOwnAccount, api::accounts::revoke_token),
        api(M::GET, "/api/v1/audit", ViewAuditLog, api::accounts::audit),
        api(M::GET, "/api/v1/audit/verify", ViewAuditLog, api::accounts::verify_audit),
        api(M::GET, "/api/v1/cases", ViewCases, api::cases::list),
        api(M::POST, "/api/v1/cases", ReportMissingChild, api::cases::create),
        api(M::GET, "/api/v1/cases/{id}", ViewCases, api::cases::detail),
        api(M::GET, "/api/v1/cases/{id}/episodes", ViewCases, api::cases::episodes),
        api(M::POST, "/api/v1/cases/{id}/episodes", ReportMissingChild, api::cases::add_episode),
        api(M::POST, "/api/v1/cases/{id}/episodes/{episode_id}/recovery", UpdateCases, api::cases::record_recovery),
        api(M::GET, "/api/v1/cases/{id}/poster", ViewCases, api::cases::poster),
        // Hope Bags
        page(M::GET, "/hope-bags", ViewHopeBags, pages::hope_bags::overview),
        page(M::GET, "/hope-bags/request", RequestHopeBags, pages::hope_bags::request_form),
        page(M::POST, "/hope-bags/requests", RequestHopeBags, pages::hope_bags::create_request),
        page(M::POST, "/hope-bags/requests/{id}/fulfil", ManageHopeBagStock, pages::hope_bags::fulfil),
        page(M::POST, "/hope-bags/requests/{id}/delivered", ViewHopeBags, pages::hope_bags::delivered),
        page(M::GET, "/hope-bags/stock", ManageHopeBagStock, pages::hope_bags::stock_forms),
        page(M::GET, "/hope-bags/catalogue", ManageHopeBagCatalogue, pages::hope_bags::catalogue_form),
        page(M::POST, "/hope-bags/catalogue", ManageHopeBagCatalogue, pages::hope_bags::save_catalogue),
        page(M::POST, "/hope-bags/receive", ManageHopeBagStock, pages::hope_bags::receive),
        page(M::POST, "/hope-bags/build", ManageHopeBagStock, pages::hope_bags::build),
        page(M::POST, "/hope-bags/locations", ManageHopeBagStock, pages::hope_bags::add_location),
        page(M::POST, "/hope-bags/transfer", ManageHopeBagStock, pages::hope_bags::transfer),
        page(M::POST, "/hope-bags/adjust", ManageHopeBagStock, pages::hope_bags::adjust),
        page(M::POST, "/hope-bags/donations", ManageHopeBagStock, pages::hope_bags::money),
        page(M::GET, "/hope-bags/locations/{id}", ManageHopeBagStock, pages::hope_bags::location),
        page(M::POST, "/hope-bags/locations/{id}/count", ManageHopeBagStock, pages::hope_bags::count),
        page(M::POST, "/hope-bags/locations/{id}/keepers", AssignHopeBagKeepers, pages::hope_bags::assign_keeper),
        page(M::POST, "/hope-bags/locations/{id}/keepers/remove", AssignHopeBagKeepers, pages::hope_bags::remove_keeper),
        page(M::GET, "/hope-bags/reports", ManageHopeBagStock, pages::hope_bags::reports),
        page(M::GET, "/hope-bags/reports/bags.csv", ManageHopeBagStock, pages::hope_bags::bags_csv),
        page(M::GET, "/hope-bags/reports/stock.csv", ManageHopeBagStock, pages::hope_bags::stock_csv),
        page(M::GET, "/hope-bags/reports/donations.csv", ManageHopeBagStock, pages::hope_bags::donations_csv),
        api(M::GET, "/api/v1/hope-bags/stock", ViewHopeBags, api::hope_bags::stock),
        api(M::GET, "/api/v1/hope-bags/catalogue", ManageHopeBagCatalogue, api::hope_bags::catalogue),
        api(M::PUT, "/api/v1/hope-bags/catalogue", ManageHopeBagCatalogue, api::hope_bags::save_catalogue),
        api(M::GET, "/api/v1/hope-bags/requests", ViewHopeBags, api::hope_bags::requests),
        api(M::POST, "/api/v1/hope-bags/requests", RequestHopeBags, api::hope_bags::create_request),
        api(M::POST, "/api/v1/hope-bags/requests/{id}/fulfil", ManageHopeBagStock, api::hope_bags::fulfil),
        api(M::GET, "/api/v1/hope-bags/items", ViewHopeBags, api::hope_bags::items),
        api(M::GET, "/api/v1/hope-bags/kits", ViewHopeBags, api::hope_bags::kits),
        api(M::GET, "/api/v1/hope-bags/locations", ViewHopeBags, api::hope_bags::locations),
        api(M::POST, "/api/v1/hope-bags/locations", ManageHopeBagStock, api::hope_bags::create_location),
        api(M::GET, "/api/v1/hope-bags/donations", ManageHopeBagStock, api::hope_bags::donations),
        api(M::POST, "/api/v1/hope-bags/donations", ManageHopeBagStock, api::hope_bags::create_donation),
        api(M::POST, "/api/v1/hope-bags/movements", ManageHopeBagStock, api::hope_bags::movement),
        api(M::GET, "/api/v1/resources", ViewResources, api::resources::list),
        api(M::POST, "/api/v1/resources", ManageResources, api::resources::create),
        api(M::POST, "/api/v1/resources/import", ManageResources, api::resources::import),
        api(M::GET, "/api/v1/resources/export", ManageResources, api::resources::export),
        api(M::GET, "/api/v1/resources/{id}", ViewResources, api::resources::detail),
        api(M::PUT, "/api/v1/resources/{id}", ManageResources, api::resources::update),
        // Recovery plans and referrals: the area, a plan (its own rule decides who reads it:
        // `plan_access`), its forms, a referral and its status moves.
        page(M::GET, "/recovery", ViewRecovery, pages::plans::caseload),
        page(M::GET, "/recovery/plans/new", ManageRecoveryPlans, pages::plans::new_form),
        page(M::POST, "/recovery/plans", ManageRecoveryPlans, pages::plans::create),
        page(M::GET, "/recovery/plans/{id}", ViewRecoveryPlan, pages::plans::show),
        page(M::GET, "/recovery/plans/{id}/print", ViewRecoveryPlan, pages::plans::print),
        page(M::GET, "/recovery/plans/{id}/edit", ManageRecoveryPlans, pages::plans::edit_form),
        page(M::POST, "/recovery/plans/{id}", ManageRecoveryPlans, pages::plans::update),
        page(M::POST, "/recovery/plans/{id}/goals", ManageRecoveryPlans, pages::plans::add_goal),
        page(M::POST, "/recovery/plans/{id}/reviews", ManageRecoveryPlans, pages::plans::review),
        page(M::POST, "/recovery/plans/{id}/close", ManageRecoveryPlans, pages::plans::close),
        page(M::POST, "/recovery/plans/{id}/reopen", ManageRecoveryPlans, pages::plans::reopen),
        page(M::POST, "/recovery/plans/{id}/team", ManageRecoveryPlans, pages::plans::add_member),
        page(M::POST, "/recovery/plans/{id}/consents", ManageRecoveryPlans, pages::plans::add_consent),
        page(M::POST, "/recovery/plans/{id}/consents/{consent_id}/withdraw", ManageRecoveryPlans, pages::plans::withdraw_consent),
        page(M::POST, "/recovery/plans/{id}/team/{user_id}/remove", ManageRecoveryPlans, pages::plans::remove_member),
        page(M::POST, "/recovery/plans/{id}/referrals", ReferToServices, pages::plans::refer),
        page(M::GET, "/recovery/referrals/{id}", ViewRecoveryPlan, pages::plans::referral),
        page(M::POST, "/recovery/referrals/{id}/status", ReferToServices, pages::plans::move_referral),
        api(M::GET, "/api/v1/recovery-plans", ViewRecovery, api::plans::list),
        api(M::POST, "/api/v1/recovery-plans", ManageRecoveryPlans, api::plans::create),
        api(M::GET, "/api/v1/recovery-plans/{id}", ViewRecoveryPlan, api::plans::detail),
        api(M::PUT, "/api/v1/recovery-plans/{id}", ManageRecoveryPlans, api::plans::update),
        api(M::POST, "/api/v1/recovery-plans/{id}/close", ManageRecoveryPlans, api::plans::close),
        api(M::POST, "/api/v1/recovery-plans/{id}/reopen", ManageRecoveryPlans, api::plans::reopen),
        api(M::GET, "/api/v1/referrals", ViewRecoveryPlan, api::plans::referrals),
        api(M::POST, "/api/v1/referrals", ReferToServices, api::plans::create_referral),
        api(M::POST, "/api/v1/referrals/{id}/status", ReferToServices, api::plans::move_referral),
        // Family advocacy and peer support (issue 21)
        page(M::GET, "/families", ViewFamilySupport, pages::families::list),
        page(M::GET, "/families/new", AdvocateFamilies, pages::families::new_form),
        page(M::POST, "/families", AdvocateFamilies, pages::families::create),
        page(M::GET, "/families/mine", ViewFamilySupport, pages::families::mine),
        page(M::GET, "/families/volunteers", ManageVolunteers, pages::families::volunteers),
        page(M::GET, "/families/volunteers/{id}", ManageVolunteers, pages::families::volunteer),
        page(M::POST, "/families/volunteers/{id}", ManageVolunteers, pages::families::save_volunteer),
        page(M::POST, "/families/volunteers/{id}/trainings", ManageVolunteers, pages::families::add_training),
        page(M::GET, "/families/{id}", ViewFamilySupport, pages::families::detail),
        page(M::GET, "/families/{id}/edit", AdvocateFamilies, pages::families::edit_form),
        page(M::POST, "/families/{id}/edit", AdvocateFamilies, pages::families::update),
        page(M::POST, "/families/{id}/contacts", ViewFamilySupport, pages::families::log_contact),
        page(M::POST, "/families/{id}/referrals", AdvocateFamilies, pages::families::refer),
        page(M::POST, "/families/{id}/match", AdvocateFamilies, pages::families::confirm_match),
        page(M::POST, "/families/{id}/close", AdvocateFamilies, pages::families::close),
        api(M::GET, "/api/v1/families", AdvocateFamilies, api::families::list),
        api(M::POST, "/api/v1/families", AdvocateFamilies, api::families::create),
        api(M::GET, "/api/v1/families/{id}", ViewFamilySupport, api::families::detail),
        api(M::PUT, "/api/v1/families/{id}", AdvocateFamilies, api::families::update),
        api(M::GET, "/api/v1/families/{id}/contacts", ViewFamilySupport, api::families::contacts),
        api(M::POST, "/api/v1/families/{id}/contacts", ViewFamilySupport, api::families::add_contact),
        api(M::GET, "/api/v1/families/{id}/matches", AdvocateFamilies, api::families::matches),
        api(M::POST, "/api/v1/families/{id}/matches", AdvocateFamilies, api::families::confirm),
        api(M::GET, "/api/v1/volunteers", ManageVolunteers, api::families::volunteers),
        api(M::POST, "/api/v1/volunteers", ManageVolunteers, api::families::save_volunteer),
        api(M::GET, "/api/v1/volunteers/{id}", ManageVolunteers, api::families::volunteer),
        api(M::POST, "/api/v1/volunteers/{id}/trainings", ManageVolunteers, api::families::add_training),
        // Awareness and partners (issue 22). Public: the poster gallery, each poster
        // (`{number}` or `{number}.pdf`, told apart by the handler), the feeds, the signs
        // of trafficking and the publications (`{id}.pdf`).
        page(M::GET, "/posters", ViewPublicPages, pages::awareness::gallery),
        page(M::GET, "/posters/feed.atom", ViewPublicPages, pages::awareness::feed_atom),
        page(M::GET, "/posters/feed.json", ViewPublicPages, pages::awareness::feed_json),
        page(M::GET, "/posters/{file}", ViewPublicPages, pages::awareness::poster),
        page(M::GET, "/awareness", ViewPublicPages, pages::awareness::awareness_page),
        page(M::GET, "/publications", ViewPublicPages, pages::awareness::publications),
        page(M::GET, "/publications/new", ManagePublications, pages::awareness::new_publication),
        page(M::POST, "/publications", ManagePublications, pages::awareness::add_publication),
        page(M::GET, "/publications/{file}", ViewPublicPages, pages::awareness::publication_pdf),
        page(M::POST, "/publications/{id}/remove", ManagePublications, pages::awareness::remove_publication),
        page(M::GET, "/partners", ViewPartners, pages::partners::list),
        page(M::GET, "/partners/new", ManagePartners, pages::partners::new_form),
        page(M::POST, "/partners", ManagePartners, pages::partners::create),
        page(M::GET, "/partners/events", ViewPartners, pages::partners::events),
        page(M::GET, "/partners/{id}", ViewPartners, pages::partners::detail),
        page(M::GET, "/partners/{id}/edit", ManagePartners, pages::partners::edit_form),
        page(M::POST, "/partners/{id}/edit", ManagePartners, pages::partners::update),
        page(M::POST, "/partners/{id}/events", ManagePartners, pages::partners::add_event),
        api(M::GET, "/api/v1/partners", ViewPartners, api::awareness::list),
        api(M::POST, "/api/v1/partners", ManagePartners, api::awareness::create),
        api(M::GET, "/api/v1/partners/{id}", ViewPartners, api::awareness::detail),
        api(M::PUT, "/api/v1/partners/{id}", ManagePartners, api::awareness::update),
        api(M::POST, "/api/v1/partners/{id}/events", ManagePartners, api::awareness::add_event),
        api(M::GET, "/api/v1/events", ViewPartners, api::awareness::events),
        // Training (issue 22): the public catalogue and certificate check; a learner's own
        // pages (`TakeTraining`, public to the policy: the `Learner` extractor requires the
        // separate learner session and sends anyone else to /training/sign-in); staff's
        // verification queue, courses and counts.
        page(M::GET, "/training", ViewPublicPages, pages::training::catalogue),
        page(M::GET, "/training/register", TakeTraining, pages::training::register_form),
        page(M::POST, "/training/register", TakeTraining, pages::training::register),
        page(M::GET, "/training/verify-email", TakeTraining, pages::training::verify_email),
        page(M::GET, "/training/sign-in", TakeTraining, pages::training::sign_in_form),
        attempt(page(M::POST, "/training/sign-in", TakeTraining, pages::training::sign_in)),
        page(M::POST, "/training/sign-out", TakeTraining, pages::training::sign_out),
        page(M::GET, "/training/courses/{slug}", TakeTraining, pages::training::course),
        page(M::GET, "/training/courses/{slug}/modules/{n}", TakeTraining, pages::training::module),
        page(M::POST, "/training/courses/{slug}/modules/{n}", TakeTraining, pages::training::submit_quiz),
        page(M::GET, "/training/courses/{slug}/images/{name}", TakeTraining, pages::training::course_image),
        page(M::GET, "/training/me", TakeTraining, pages::training::me),
        page(M::POST, "/training/me/verification", TakeTraining, pages::training::request_verification),
        page(M::GET, "/training/certificates/{code}", TakeTraining, pages::training::certificate_pdf),
        page(M::GET, "/certificates", ViewPublicPages, pages::training::check_form),
        page(M::GET, "/certificates/{code}", ViewPublicPages, pages::training::check),
        page(M::GET, "/training/verification-requests", VerifyLearners, pages::training::verification_requests),
        page(M::POST, "/training/verification-requests/{id}", VerifyLearners, pages::training::decide),
        page(M::GET, "/training/admin", ViewTraining, pages::training::admin),
        page(M::POST, "/training/admin/courses", ManageCourses, pages::training::import),
        page(M::GET, "/training/admin/courses/{slug}/file", ViewTraining, pages::training::course_file),
        page(M::GET, "/training/report.csv", ViewTraining, pages::training::report_csv),
        page(M::GET, "/training/outbox", ManageUsers, pages::training::outbox),
        api(M::GET, "/api/v1/courses", ViewTraining, api::training::courses),
        api(M::POST, "/api/v1/courses", ManageCourses, api::training::publish),
        api(M::GET, "/api/v1/enrolments", ViewTraining, api::training::enrolments),
        api(M::GET, "/api/v1/verification-requests", VerifyLearners, api::training::verification_requests),
        api(M::POST, "/api/v1/verification-requests/{id}/decision", VerifyLearners, api::training::decide),
        api(M::GET, "/api/v1/certificates/{code}", ViewPublicPages, api::training::check_certificate),
        // Public statistics (issue 23)
        page(M::GET, "/statistics", ViewPublicPages, pages::statistics::public),
        page(M::GET, "/statistics/data/{file}", ViewPublicPages, pages::statistics::data),
        page(M::GET, "/statistics/internal", ViewStatistics, pages::statistics::internal),
        page(M::GET, "/admin/statistics", ManageStatistics, pages::statistics::releases),
        page(M::POST, "/admin/statistics/release-now", ManageStatistics, pages::statistics::release_now),
        page(M::POST, "/admin/statistics/{id}/hold", ManageStatistics, pages::statistics::hold),
        page(M::POST, "/admin/statistics/{id}/resume", ManageStatistics, pages::statistics::resume),
        page(M::POST, "/admin/statistics/{id}/mode", ManageStatistics, pages::statistics::set_mode),
        api(M::GET, "/api/v1/statistics", ViewPublicPages, api::statistics::all),
        api(M::GET, "/api/v1/statistics/{table}", ViewPublicPages, api::statistics::one),
    ]
}

/// Every route with its action, for the access test and for documentation.
pub fn table() -> Vec<RouteSpec> {
    entries().into_iter().map(|e| e.spec).collect()
}

/// Request bodies larger than this are refused before a handler sees them; the upload
/// route instead streams up to the configured file limit.
const BODY_LIMIT: usize = ispws::MAX_REPORT_BYTES + 1024 * 1024;

/// The surface of a path no route matches: that of the routes sharing its first segment,
/// when they agree (`/api/v1/nope` answers as the API does), else a page.
fn surface_of_unmatched(specs: &[RouteSpec], path: &str) -> Surface {
    let first = |p: &str| {
        p.trim_start_matches('/')
            .split('/')
            .next()
            .map(str::to_owned)
    };
    let segment = first(path);
    let mut surfaces = specs
        .iter()
        .filter(|s| first(s.path) == segment)
        .map(|s| s.surface);
    match surfaces.next() {
        Some(one) if surfaces.all(|s| s == one) => one,
        _ => Surface::Page,
    }
}

/// Tags the request and its response with the route's surface: the guard reads the
/// request's, the error renderer (outside the router) the response's.
async fn tag(surface: Surface, mut req: Request, next: Next) -> Response {
    req.extensions_mut().insert(surface);
    let mut res = next.run(req).await;
    res.extensions_mut().insert(surface);
    res
}

/// Builds the whole application.
pub fn router(state: AppState) -> Router {
    // The recorder is installed before the first request, not at the first scrape: requests
    // served before anyone asked for /metrics are counted too.
    crate::ops::prometheus();
    let mut router: Router<AppState> = Router::new();
    let specs = table();
    for e in entries() {
        let req = Requirement {
            action: e.spec.action,
            before_second_factor: e.spec.before_second_factor,
            surface: e.spec.surface,
            sign_in_attempt: e.spec.sign_in_attempt,
        };
        // Uploads stream into the blob store, which enforces the configured file limit;
        // every other route gets the general body limit.
        let limited = if e.spec.path == "/ispws/upload" {
            e.handler.layer(axum::extract::DefaultBodyLimit::disable())
        } else if matches!(
            e.spec.path,
            "/publications" | "/training/admin/courses" | "/api/v1/courses"
        ) && e.spec.method == Method::POST
        {
            // Awareness (issue 22): a publication's PDF may be larger than the multipart
            // default of 2 MB, and so may a course file carrying its images (training); the
            // general limit still applies.
            e.handler
                .layer::<_, std::convert::Infallible>(axum::extract::DefaultBodyLimit::max(
                    BODY_LIMIT,
                ))
                .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        } else {
            e.handler.layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        };
        let surface = e.spec.surface;
        let handler = limited
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                move |State(s): State<AppState>, r: Request, n: Next| {
                    guard::authorize(s, req, r, n)
                },
            ))
            .layer(axum::middleware::from_fn(move |r, n| tag(surface, r, n)));
        router = router.route(e.spec.path, handler);
    }
    router
        .fallback(move |req: Request| {
            let surface = surface_of_unmatched(&specs, req.uri().path());
            async move {
                let mut res = error::AppError::not_found().into_response();
                res.extensions_mut().insert(surface);
                res
            }
        })
        .layer(axum::middleware::from_fn(ops::track))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error::render_errors,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::flash::layer,
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
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::security_headers,
        ))
        .with_state(state)
}
