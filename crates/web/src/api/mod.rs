//! The JSON API under `/api/v1`, for scripts. It calls the same use cases as the pages and
//! passes the same guard, so the policy and the audit are the same. The OpenAPI document
//! is generated from these handlers' annotations, and a test checks it lists exactly the
//! API routes of the route table.

pub mod accounts;
pub mod cases;

use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Clearinghouse API",
        description = "The JSON API of Clearinghouse. Authenticate with a personal API token: `Authorization: Bearer ch_…` (create one on your account page). A token has the access of its owner's role; every call is checked by the same policy and audited like the web interface.",
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
        cases::list,
        cases::create,
        cases::detail,
        cases::episodes,
        cases::add_episode,
        cases::poster,
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags((name = "accounts", description = "Who you are, users, organisations and tokens"), (name = "audit", description = "The tamper-evident audit log"), (name = "cases", description = "Missing-child cases: flags with their reasons, episodes, posters"))
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

/// The error body of every failed API call.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub status: u16,
    /// What was wrong and what to do.
    pub message: String,
}
