//! The JSON API under `/api/v1`, for scripts. It calls the same use cases as the pages and
//! passes the same guard, so the policy and the audit are the same. The OpenAPI document
//! is generated from these handlers' annotations, and a test checks it lists exactly the
//! API routes of the route table.

pub mod accounts;
pub mod cases;
pub mod extract;
pub mod families;
pub mod hope_bags;
pub mod plans;
pub mod resources;
// Intake (issue 24)
pub mod leads;
pub mod links;
pub mod reports;
pub mod submissions;
pub mod tips;
// Shared link charts and requests for analytical support (issue 24)
pub mod charts;
pub mod support;
// Awareness and partners (issue 22)
pub mod awareness;
// Training (issue 22)
pub mod training;
// Public statistics
pub mod statistics;
// Watchlists (issue 24)
pub mod watchlists;
// Retention: legal holds (issue 25)
pub mod retention;

use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Clearinghouse API",
        description = "The JSON API of Clearinghouse. Authenticate with a personal API token: `Authorization: Bearer ch_…` (create one on your account page). A token has the access of its owner's role; every call is checked by the same policy and audited like the web interface.\n\n**Times** are RFC 3339 in UTC (`2026-10-01T14:03:07.412Z`); dates without a time are `YYYY-MM-DD`.\n\n**Errors** are RFC 9457 problem documents (`Content-Type: application/problem+json`): `type` (always `about:blank`), `title` (the status's name), `status`, `detail` (what was wrong and what to do) and, when the request was refused for its content, `errors`: one `{\"field\", \"detail\"}` per field that was wrong (a JSON member's path such as `child.name`, or a query or path parameter; a JSON syntax error also gives `line` and `column`). 400: the request could not be read (bad JSON, a bad path parameter); 401: no valid token; 403: your role may not do this; 404: not found or not yours to see; 409: it changed or exists already; 415: the body is not JSON; 422: the content breaks a rule.",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(
        accounts::me,
        accounts::change_own_password,
        accounts::list_users,
        accounts::create_user,
        accounts::get_user,
        accounts::unlock_user,
        accounts::set_user_role,
        accounts::reset_user_password,
        accounts::reset_user_second_factor,
        accounts::list_orgs,
        accounts::create_org,
        accounts::list_tokens,
        accounts::create_token,
        accounts::revoke_token,
        accounts::audit,
        accounts::verify_audit,
        tips::submit,
        tips::follow_up,
        cases::list,
        cases::create,
        cases::detail,
        cases::episodes,
        cases::add_episode,
        cases::record_recovery,
        cases::poster,
        hope_bags::stock,
        hope_bags::catalogue,
        hope_bags::save_catalogue,
        hope_bags::requests,
        hope_bags::create_request,
        hope_bags::fulfil,
        hope_bags::items,
        hope_bags::kits,
        hope_bags::locations,
        hope_bags::create_location,
        hope_bags::donations,
        hope_bags::create_donation,
        hope_bags::movement,
        resources::list,
        resources::create,
        resources::detail,
        resources::update,
        resources::import,
        resources::export,
        plans::list,
        plans::create,
        plans::detail,
        plans::update,
        plans::close,
        plans::reopen,
        plans::referrals,
        plans::create_referral,
        plans::move_referral,
        families::list,
        families::create,
        families::detail,
        families::update,
        families::contacts,
        families::add_contact,
        families::matches,
        families::confirm,
        families::volunteers,
        families::save_volunteer,
        families::volunteer,
        families::add_training,
        // Awareness and partners (issue 22)
        awareness::list,
        awareness::create,
        awareness::detail,
        awareness::update,
        awareness::add_event,
        awareness::events,
        // Training (issue 22)
        training::courses,
        training::publish,
        training::enrolments,
        training::verification_requests,
        training::decide,
        training::check_certificate,
        // Public statistics
        statistics::all,
        statistics::one,
        // Intake (issue 24)
        submissions::list,
        // The hotline's reports and the indicator catalogue (issue 24)
        reports::list,
        reports::detail,
        reports::set_status,
        reports::assign,
        reports::add_note,
        reports::share,
        reports::answer,
        reports::indicators,
        // Link analysis (issue 24)
        links::record_links,
        links::identifier,
        links::cluster,
        // Investigators' leads (issue 24)
        leads::list,
        leads::detail,
        leads::acknowledge,
        leads::outcome,
        leads::add_message,
        leads::package,
        // Watchlists (issue 24)
        watchlists::list,
        watchlists::create,
        watchlists::renew,
        watchlists::remove,
        watchlists::notifications,
        watchlists::mark_read,
        retention::list,
        retention::create,
        retention::release,
        // Shared link charts and analytical support (issue 24)
        charts::list,
        charts::detail,
        support::list,
        support::create,
        support::detail,
        support::answer,
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags((name = "accounts", description = "Who you are, users, organisations and tokens"), (name = "audit", description = "The tamper-evident audit log"), (name = "cases", description = "Missing-child cases: flags with their reasons, episodes, posters"), (name = "hope-bags", description = "Hope Bags: the catalogue (items, kits, tiers), locations, stock and its movements, donations of money, responders' requests, fulfilment"), (name = "resources", description = "The recovery resource directory (Open Referral HSDS services)"), (name = "recovery", description = "Recovery plans and referrals to the directory's services"), (name = "families", description = "Family advocacy and peer support: family cases, contacts, volunteer matching, volunteers' records"), (name = "partners", description = "Partner organisations (clubs, companies, schools): contacts, states, poster-feed subscriptions and awareness events"), (name = "training", description = "Training: the course catalogue and course files, enrolment counts, law-enforcement learners' verification, the public certificate check"), (name = "statistics", description = "Public statistics, without sign-in: the latest monthly release's protected tables (suppressed numbers are null)"), (name = "tips", description = "Tips from the public, without an account and anonymous unless the tipster says who they are; more information later with the tip's number and secret"), (name = "submissions", description = "A provider organisation's own CyberTipline reports with their status and dates"), (name = "reports", description = "The hotline's queue of reports with its filters, one report's priority and evidence, and the work on it; the indicator catalogue"), (name = "links", description = "Link analysis: a record's links and why, who carries an identifier, the cluster around a record (an investigator sees only what was made available to their agency)"), (name = "leads", description = "Reports made available to an investigator's agency: acknowledgement, outcome, notes, questions to the hotline, the lead package"), (name = "charts", description = "Link charts made available to law-enforcement agencies: only the records made available to the caller's agency, and how many are left out"), (name = "support", description = "Requests for analytical support: law enforcement asks, the hotline's analysts answer with a link chart"), (name = "watchlists", description = "Your watches on identifiers, cases, persons and ad templates, and the notifications new records raise"), (name = "retention", description = "Legal holds: records no purge deletes while a hold is in force"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn openapi() -> Response {
    Json(ApiDoc::openapi()).into_response()
}

/// A time stored as UTC microseconds, for the API's RFC 3339 fields. Stored times are
/// always in range; a corrupt one shows as the epoch rather than failing the whole answer.
/// A stored priority rank as the API names it (`immediate`, `high`, `normal`, `low`), or
/// `not_assessed`.
pub fn priority_name(rank: i64) -> &'static str {
    triage::Priority::ALL
        .iter()
        .find(|p| i64::from(p.rank()) == rank)
        .map_or("not_assessed", |p| p.as_str())
}

pub fn utc(micros: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}
