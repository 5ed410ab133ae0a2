//! The one place where errors become responses.
//!
//! Handlers and guards return [`AppError`]; its `IntoResponse` only marks the response.
//! [`render_errors`], which knows whether the request was for a page or the API and who
//! is signed in, then renders the friendly page or the JSON body. Internal causes are
//! logged here and never reach the client.

use crate::ctx::{AppState, Identity, MissingIdentity, NotSignedIn};
use crate::layout::Layout;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use service::ServiceError;

#[derive(Debug, Clone)]
pub struct AppError {
    pub status: StatusCode,
    /// Safe to show: says what was wrong and what to do.
    pub message: String,
}

impl AppError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        AppError {
            status,
            message: message.into(),
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

impl From<ServiceError> for AppError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Forbidden => AppError::forbidden(),
            ServiceError::NotFound(what) => {
                AppError::new(StatusCode::NOT_FOUND, format!("{what} was not found"))
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

impl AppError {
    /// The JSON error body of the API, with the challenge a 401 needs.
    pub fn json_response(&self) -> Response {
        let body = serde_json::json!({ "error": { "status": self.status.as_u16(), "message": self.message } });
        let mut res = (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

/// Marks a response as an error for [`render_errors`].
#[derive(Clone, Debug)]
struct ErrorMark(AppError);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut res = (self.status, self.message.clone()).into_response();
        res.extensions_mut().insert(ErrorMark(self));
        res
    }
}

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
        400 | 422 => "That did not work",
        401 => "Please sign in",
        403 => "You do not have access to this",
        404 => "Page not found",
        405 => "That action is not available here",
        409 => "That already exists",
        413 => "That is too large",
        429 => "Too many requests",
        _ => "Something went wrong",
    }
}

/// Renders marked errors, and the bare errors axum produces itself (404, 405, 413, …).
pub async fn render_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let ispws = req.uri().path().starts_with("/ispws");
    let identity = req.extensions().get::<Identity>().cloned();
    let path = req.uri().path().to_owned();
    let res = next.run(req).await;
    let mark = res.extensions().get::<ErrorMark>().cloned();
    let err = match mark {
        Some(ErrorMark(e)) => e,
        // A response that renders its own error (a form shown again with its message, a
        // provider API document) keeps it; only the bare text errors of axum's extractors
        // and fallbacks are replaced.
        None if (res.status().is_client_error() || res.status().is_server_error())
            && res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_none_or(|ct| ct.starts_with("text/plain")) =>
        {
            // Errors from axum's own extractors: keep their (safe) text for 4xx.
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
    let mut out = if ispws {
        let code = if err.status == StatusCode::NOT_FOUND {
            cybertip::ResponseCode::ResourceNotFound
        } else if err.status == StatusCode::PAYLOAD_TOO_LARGE {
            // A document over the body limit, refused before the handler read it.
            cybertip::ResponseCode::MalformedXml
        } else {
            cybertip::ResponseCode::InvalidRequest
        };
        crate::ispws::response(
            code,
            &format!("{}: {}", code.description(), err.message),
            None,
        )
    } else if api {
        err.json_response()
    } else {
        let anon = Identity::Anonymous {
            csrf: String::new(),
        };
        let identity = identity.as_ref().unwrap_or(&anon);
        let page = ErrorPage {
            layout: Layout::new(&state, identity, heading(err.status), &path),
            status: err.status.as_u16(),
            heading: heading(err.status),
            message: err.message.clone(),
        };
        match page.render() {
            Ok(html) => (err.status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "error page template");
                (err.status, err.message).into_response()
            }
        }
    };
    // Keep the headers the handler or guard set (cookies, challenges); the body is new.
    for (k, v) in res.headers().iter() {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            out.headers_mut().append(k.clone(), v.clone());
        }
    }
    out
}
