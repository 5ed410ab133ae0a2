//! The one place where errors become responses, with one mapping per kind of route.
//!
//! Handlers, extractors and guards return [`AppError`]: a status that says what kind of
//! error it is (each `ServiceError` variant has one), a message that is safe to show, and,
//! for a request refused for its content, the fields that were wrong. Its `IntoResponse`
//! only marks the response. [`render_errors`] reads the route's [`Surface`] (tagged in the
//! route table, never guessed from the path) and renders the marked error, or the bare
//! error axum produced itself: a friendly page for people, an RFC 9457 problem document for
//! the JSON API, a CyberTipline response document for the provider API. Internal causes are
//! logged here and never reach the client.

use crate::ctx::{AppState, Identity, MissingIdentity, NotSignedIn, Surface};
use crate::layout::Layout;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use casework::FormErrors;
use cybertip::{response_xml, ResponseCode};
use serde::Serialize;
use service::cases::CaseError;
use service::intake::IntakeError;
use service::ServiceError;
use utoipa::ToSchema;

#[derive(Debug, Clone)]
pub struct AppError {
    /// The kind of error; the same on every surface.
    pub status: StatusCode,
    /// Safe to show: says what was wrong and what to do.
    pub message: String,
    /// The fields that were wrong, when the request was refused for its content.
    pub fields: Vec<FieldProblem>,
    /// The provider API's exact answer, when the error came from its lifecycle.
    provider: Option<ProviderAnswer>,
    /// Seconds to wait before trying again (`Retry-After`), when refused for going too fast.
    retry_after: Option<u64>,
}

/// One field of a request that was wrong, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldProblem {
    /// The field as the request named it: a JSON member's path (`child.name`,
    /// `guardians[1].phone`), a query or path parameter, or a form field.
    pub field: String,
    /// What is wrong with it and what to send instead.
    pub detail: String,
    /// Where in the body a JSON syntax error was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl FieldProblem {
    pub fn new(field: impl Into<String>, detail: impl Into<String>) -> Self {
        FieldProblem {
            field: field.into(),
            detail: detail.into(),
            line: None,
            column: None,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct ProviderAnswer {
    code: ResponseCode,
    report_id: Option<i64>,
}

impl AppError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        AppError {
            status,
            message: message.into(),
            fields: Vec::new(),
            provider: None,
            retry_after: None,
        }
    }
    /// Too many failed attempts to sign in from one address (429 with `Retry-After`).
    pub fn too_many_attempts(wait: std::time::Duration) -> Self {
        let secs = crate::limit::retry_after_secs(wait);
        let plural = if secs == 1 { "" } else { "s" };
        AppError {
            retry_after: Some(secs),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("Too many failed attempts to sign in from your network address. Wait {secs} second{plural}, then try again."),
            )
        }
    }
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "Your role does not give access to this page. If you need it for your work, ask your supervisor or an administrator.")
    }
    pub fn csrf() -> Self {
        Self::new(StatusCode::FORBIDDEN, "The form had expired or did not come from this site. Go back, reload the page and try again.")
    }
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "There is no page at this address. Check the address, or go back to the dashboard.",
        )
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    /// A request refused for its content (422), naming what was wrong.
    pub fn invalid(message: impl Into<String>, fields: Vec<FieldProblem>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message).with_fields(fields)
    }
    /// A provider API answer with its code; the description is shown as it is.
    pub fn provider(
        code: ResponseCode,
        description: impl Into<String>,
        report_id: Option<i64>,
    ) -> Self {
        AppError {
            provider: Some(ProviderAnswer { code, report_id }),
            ..Self::new(StatusCode::BAD_REQUEST, description)
        }
    }
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }
    pub fn with_fields(mut self, fields: Vec<FieldProblem>) -> Self {
        self.fields = fields;
        self
    }
    pub fn internal_msg(cause: &str) -> Self {
        tracing::error!(cause, "internal error");
        Self::internal()
    }
    fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong on our side and nothing was changed. Try again; if it keeps happening, tell your administrator the time it happened.",
        )
    }
}

/// The one mapping of the use cases' errors; each surface renders the status its own way.
impl From<ServiceError> for AppError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Forbidden => AppError::forbidden(),
            ServiceError::ForbiddenHere(m) => AppError::new(StatusCode::FORBIDDEN, m),
            ServiceError::NotFound(what) => {
                // Said the same whether the record does not exist or is out of the reader's
                // reach, so that a 404 does not reveal which records exist.
                let mut what = what.to_owned();
                if let Some(first) = what.get(..1) {
                    what.replace_range(..1, &first.to_uppercase());
                }
                AppError::new(
                    StatusCode::NOT_FOUND,
                    format!("{what} was not found, or it is not one you can open. Check the number or the link, or look for it in its list."),
                )
            }
            ServiceError::Invalid(m) => AppError::new(StatusCode::UNPROCESSABLE_ENTITY, m),
            ServiceError::Conflict(m) => AppError::new(StatusCode::CONFLICT, m),
            ServiceError::InvalidCredentials | ServiceError::Locked | ServiceError::InvalidCode => {
                AppError::new(StatusCode::UNAUTHORIZED, e.to_string())
            }
            ServiceError::Internal(cause) => {
                tracing::error!(error = %cause, source = ?cause.source(), "internal error");
                AppError::internal()
            }
        }
    }
}

/// A form refused field by field. Pages that re-render their form with the errors do so
/// themselves; this is for the API and for forms that have no page to show again.
impl From<FormErrors> for AppError {
    fn from(errs: FormErrors) -> Self {
        let message = errs
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        let fields = errs
            .0
            .into_iter()
            .map(|e| FieldProblem::new(e.field, e.message))
            .collect();
        AppError::invalid(message, fields)
    }
}

impl From<CaseError> for AppError {
    fn from(e: CaseError) -> Self {
        match e {
            CaseError::Form(errs) => errs.into(),
            CaseError::Service(e) => e.into(),
        }
    }
}

impl AppError {
    /// A provider API lifecycle error, answered with its own code; `report_id` is echoed
    /// back as the API does.
    pub fn intake(e: IntakeError, report_id: Option<i64>) -> Self {
        if let IntakeError::Service(ServiceError::Internal(cause)) = &e {
            tracing::error!(error = %cause, "provider API internal error");
            return AppError::provider(
                ResponseCode::ServerError,
                "Server error: the report was not saved; try again later",
                report_id,
            );
        }
        let description = match &e {
            IntakeError::Xml(x) => match x.path() {
                Some(path) => format!("{}: {} at {path}", x.code().description(), x.message()),
                None => format!("{}: {}", x.code().description(), x.message()),
            },
            other => other.to_string(),
        };
        AppError::provider(e.code(), description, report_id)
    }
}

impl From<NotSignedIn> for AppError {
    fn from(_: NotSignedIn) -> Self {
        AppError::unauthorized("sign in first")
    }
}

impl IntoResponse for MissingIdentity {
    fn into_response(self) -> Response {
        AppError::internal_msg("identity layer missing").into_response()
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        tracing::error!(error = %e, "template error");
        AppError::internal()
    }
}

/// Marks a response as an error for [`render_errors`].
#[derive(Clone, Debug)]
struct ErrorMark(AppError);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut res = (self.status, self.message.clone()).into_response();
        if let Some(secs) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res.extensions_mut().insert(ErrorMark(self));
        res
    }
}

/// Renders marked errors, and the bare errors axum produces itself (404, 405, 413,
/// rejected form bodies …), as the route's surface answers them. A response that renders
/// its own error (a form shown again with its message) keeps it.
pub async fn render_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let identity = req.extensions().get::<Identity>().cloned();
    let path = req.uri().path().to_owned();
    let res = next.run(req).await;
    let mark = res.extensions().get::<ErrorMark>().cloned();
    let err = match mark {
        Some(ErrorMark(e)) => e,
        None if (res.status().is_client_error() || res.status().is_server_error())
            && res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_none_or(|ct| ct.starts_with("text/plain")) =>
        {
            if res.status().is_server_error() {
                AppError::internal()
            } else if res.status() == StatusCode::NOT_FOUND {
                AppError::not_found()
            } else {
                AppError::new(res.status(), heading(res.status()))
            }
        }
        None => return res,
    };
    // Every route and the fallback tag their response; an untagged one is a page.
    let surface = res
        .extensions()
        .get::<Surface>()
        .copied()
        .unwrap_or(Surface::Page);
    let mut out = match surface {
        Surface::Page => page(&state, identity.as_ref(), &path, &err),
        Surface::Api => problem(&err),
        Surface::Provider => provider(&err, &path),
    };
    // Keep the headers the handler or guard set (cookies, challenges); the body is new.
    for (k, v) in res.headers().iter() {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            out.headers_mut().append(k.clone(), v.clone());
        }
    }
    out
}

// Pages --------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    status: u16,
    heading: &'static str,
    message: String,
}

fn heading(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 409 | 422 => "That did not work",
        401 => "Please sign in",
        403 => "You do not have access to this",
        404 => "Page not found",
        405 => "That action is not available here",
        413 => "That is too large",
        429 => "Too many requests",
        _ => "Something went wrong",
    }
}

fn page(state: &AppState, identity: Option<&Identity>, path: &str, err: &AppError) -> Response {
    let anon = Identity::Anonymous {
        csrf: String::new(),
    };
    let identity = identity.unwrap_or(&anon);
    let page = ErrorPage {
        layout: Layout::new(state, identity, heading(err.status), path),
        status: err.status.as_u16(),
        heading: heading(err.status),
        message: err.message.clone(),
    };
    match page.render() {
        Ok(html) => (err.status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "error page template");
            (err.status, err.message.clone()).into_response()
        }
    }
}

// The JSON API --------------------------------------------------------------------------

/// An RFC 9457 problem document: every failed API call answers with one, as
/// `application/problem+json`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    #[schema(example = "about:blank")]
    pub problem_type: &'static str,
    /// The status's name, e.g. `Unprocessable Entity`.
    pub title: String,
    pub status: u16,
    /// What was wrong and what to do.
    pub detail: String,
    /// The fields that were wrong, when the request was refused for its content.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
}

pub const PROBLEM_JSON: &str = "application/problem+json";

fn problem(err: &AppError) -> Response {
    let body = Problem {
        problem_type: "about:blank",
        title: err.status.canonical_reason().unwrap_or("Error").to_owned(),
        status: err.status.as_u16(),
        detail: err.message.clone(),
        errors: err.fields.clone(),
    };
    let json = serde_json::to_string(&body).unwrap_or_default();
    let mut res = (err.status, [(header::CONTENT_TYPE, PROBLEM_JSON)], json).into_response();
    if err.status == StatusCode::UNAUTHORIZED {
        res.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    res
}

// The provider API ----------------------------------------------------------------------

fn xml(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

/// A provider API `<reportResponse>` on HTTP 200, as the real service answers both success
/// and application errors. The description is never empty.
pub fn provider_document(
    code: ResponseCode,
    description: &str,
    report_id: Option<i64>,
) -> Response {
    let description = if code == ResponseCode::Success && description.is_empty() {
        "Success"
    } else {
        description
    };
    xml(
        StatusCode::OK,
        response_xml(code, description, report_id, None),
    )
}

/// Any other XML document of the provider API, on HTTP 200.
pub fn provider_xml(body: String) -> Response {
    xml(StatusCode::OK, body)
}

fn provider(err: &AppError, path: &str) -> Response {
    if let Some(a) = err.provider {
        return provider_document(a.code, &err.message, a.report_id);
    }
    match err.status {
        // Only a missing or wrong login is an HTTP error, with the Basic challenge.
        StatusCode::UNAUTHORIZED => {
            let mut res = xml(
                StatusCode::UNAUTHORIZED,
                response_xml(
                    ResponseCode::AuthenticationRequired,
                    &err.message,
                    None,
                    None,
                ),
            );
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"Clearinghouse reporting API\""),
            );
            res
        }
        // Too many failed logins from the address: an HTTP error a client can back off on
        // (`Retry-After`), not an application error on 200 that it would retry at once.
        StatusCode::TOO_MANY_REQUESTS => xml(
            StatusCode::TOO_MANY_REQUESTS,
            response_xml(
                ResponseCode::AuthenticationRequired,
                &err.message,
                None,
                None,
            ),
        ),
        // A signed-in account whose role may not use the provider API.
        StatusCode::FORBIDDEN => {
            let code = match path {
                "/ispws/submit" => ResponseCode::NotAuthorizedToSubmit,
                "/ispws/finish" | "/ispws/retract" | "/ispws/upload" | "/ispws/fileinfo" => {
                    ResponseCode::NotAuthorizedToUpdate
                }
                _ => ResponseCode::NotAuthorizedForAction,
            };
            provider_document(
                code,
                &format!("{}: use a provider API account", code.description()),
                None,
            )
        }
        status => {
            let code = match status {
                StatusCode::NOT_FOUND => ResponseCode::ResourceNotFound,
                // A document over the body limit, refused before the handler read it.
                StatusCode::PAYLOAD_TOO_LARGE => ResponseCode::MalformedXml,
                s if s.is_server_error() => ResponseCode::ServerError,
                _ => ResponseCode::InvalidRequest,
            };
            provider_document(
                code,
                &format!("{}: {}", code.description(), err.message),
                None,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_service_error_has_one_status() {
        let cases = [
            (ServiceError::Invalid("x".into()), 422),
            (ServiceError::Conflict("x".into()), 409),
            (ServiceError::NotFound("the case"), 404),
            (ServiceError::Forbidden, 403),
            (ServiceError::ForbiddenHere("x".into()), 403),
            (ServiceError::Locked, 401),
            (ServiceError::Internal("boom".into()), 500),
        ];
        for (e, status) in cases {
            assert_eq!(AppError::from(e).status.as_u16(), status);
        }
    }

    #[test]
    fn internal_causes_never_reach_a_problem_document() {
        let res = problem(&AppError::from(ServiceError::Internal(
            "secret database detail".into(),
        )));
        assert_eq!(res.status(), 500);
        assert_eq!(
            res.headers()
                .get(header::CONTENT_TYPE)
                .map(|v| v.as_bytes()),
            Some(PROBLEM_JSON.as_bytes())
        );
    }
}
