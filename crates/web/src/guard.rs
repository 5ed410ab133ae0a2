//! Who is asking, and may they? Three middlewares that every request passes:
//! [`identify`] (session cookie or API token), [`authorize`] (the policy, the second-factor
//! gate and CSRF, per route), and [`security_headers`].

use crate::ctx::{AppState, ClientIp, Identity};
use crate::error::AppError;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use domain::Action;
use service::auth::SecondFactor;
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "ch_session";
/// Double-submit token for forms used before signing in (the sign-in form itself).
pub const PRE_SESSION_COOKIE: &str = "ch_csrf";
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Forms are small; a larger body on a form route is refused before it is read.
// Room for a public tip's free text in any script (up to 9 bytes a character encoded).
const FORM_LIMIT: usize = 1024 * 1024;

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if state.config.secure_cookies {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn client_ip(state: &AppState, req: &Request) -> Option<String> {
    if state.config.trust_forwarded_for {
        if let Some(first) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
        {
            let first = first.trim();
            if first.parse::<std::net::IpAddr>().is_ok() {
                return Some(first.to_owned());
            }
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
}

/// Establishes the caller from an API token or a session cookie.
pub async fn identify(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let ip = client_ip(&state, &req);
    let headers = req.headers();
    let mut set_cookies = Vec::new();

    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bearer = authorization
        .as_deref()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let ispws = req.uri().path().starts_with("/ispws");
    // Basic credentials count only on the provider API: anywhere else they would pass
    // neither a second factor nor CSRF, and browsers replay them on their own.
    let basic = authorization
        .as_deref()
        .filter(|_| ispws)
        .and_then(|v| v.strip_prefix("Basic "))
        .map(decode_basic);
    let identity = if let Some(credentials) = basic {
        let Some((user, password)) = credentials else {
            return crate::ispws::unauthorized("Authentication failed: the Basic credentials are not valid base64 of user:password");
        };
        match state
            .services
            .authenticate_basic(&user, &password, ip.clone())
            .await
        {
            Ok(p) => Identity::Token(p),
            Err(
                e @ (service::ServiceError::InvalidCredentials | service::ServiceError::Locked),
            ) => {
                let msg = format!("Authentication failed: {e}");
                return if ispws {
                    crate::ispws::unauthorized(&msg)
                } else {
                    AppError::unauthorized(msg).json_response()
                };
            }
            Err(e) => return AppError::from(e).json_response(),
        }
    } else if let Some(token) = bearer {
        match state.services.authenticate_token(token.trim()).await {
            Ok(Some(p)) => Identity::Token(p),
            // This layer runs outside `render_errors`, so it renders its own answer.
            Ok(None) => return AppError::unauthorized(
                "the API token is not valid or was revoked; create a new one on your account page",
            )
            .json_response(),
            Err(e) => return AppError::from(e).json_response(),
        }
    } else {
        let session = match cookie(headers, SESSION_COOKIE) {
            Some(token) => match state.services.session(token).await {
                Ok(Some(s)) => Some(s),
                Ok(None) => {
                    set_cookies.push(set_cookie(&state, SESSION_COOKIE, "", Some(0)));
                    None
                }
                Err(e) => return AppError::from(e).into_response(),
            },
            None => None,
        };
        match session {
            Some(s) => Identity::Session(Box::new(s)),
            None => {
                let csrf = match cookie(headers, PRE_SESSION_COOKIE) {
                    Some(c) if c.len() >= 32 && c.len() <= 64 => c.to_owned(),
                    _ => {
                        let c = service::crypto::random_token();
                        set_cookies.push(set_cookie(&state, PRE_SESSION_COOKIE, &c, None));
                        c
                    }
                };
                Identity::Anonymous { csrf }
            }
        }
    };
    req.extensions_mut().insert(identity);
    req.extensions_mut().insert(ClientIp(ip));
    let mut res = next.run(req).await;
    for c in set_cookies {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

/// Decodes `base64(user:password)`; None if it is not.
fn decode_basic(b64: &str) -> Option<(String, String)> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (u, p) = text.split_once(':')?;
    Some((u.to_owned(), p.to_owned()))
}

/// What a route requires, captured by its `authorize` layer.
#[derive(Clone, Copy, Debug)]
pub struct Requirement {
    pub action: Action,
    /// Reachable while a session still has to pass (or set up) its second factor.
    pub before_second_factor: bool,
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// The per-route gate: the policy decides, the second factor must be done, and a
/// state-changing request must carry its CSRF token.
pub async fn authorize(req_for: Requirement, req: Request, next: Next) -> Response {
    let Some(identity) = req.extensions().get::<Identity>().cloned() else {
        return AppError::internal_msg("identity layer missing").into_response();
    };
    let path = req.uri().path().to_owned();
    let api = is_api(&path);
    let ispws = path.starts_with("/ispws");

    if !matches!(
        domain::policy::access(req_for.action),
        domain::policy::Access::Public
    ) {
        let Some(principal) = identity.principal() else {
            if ispws {
                return crate::ispws::unauthorized("Authentication required: send HTTP Basic credentials of a provider API account");
            }
            if api {
                return AppError::unauthorized(
                    "sign in or send an API token: Authorization: Bearer ch_…",
                )
                .into_response();
            }
            let next_url = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let target = format!(
                "/login?next={}",
                url::form_urlencoded::byte_serialize(next_url.as_bytes()).collect::<String>()
            );
            return Redirect::to(&target).into_response();
        };
        if let Identity::Session(s) = &identity {
            if !req_for.before_second_factor && s.second_factor != SecondFactor::Done {
                if api {
                    return AppError::unauthorized(
                        "finish signing in with your second factor first",
                    )
                    .into_response();
                }
                let to = match s.second_factor {
                    SecondFactor::Enrol => "/account/second-factor",
                    _ => "/login/second-factor",
                };
                return Redirect::to(to).into_response();
            }
        }
        if !domain::policy::permits(Some(principal), req_for.action) {
            tracing::info!(action = ?req_for.action, role = %principal.role, "access denied");
            if ispws {
                return crate::ispws::forbidden(&path);
            }
            return AppError::forbidden().into_response();
        }
    }

    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let req = match check_csrf(&identity, req).await {
        Ok(req) => req,
        Err(e) => return e.into_response(),
    };
    next.run(req).await
}

/// Checks the CSRF token of a state-changing request: from the `X-CSRF-Token` header, or
/// the `csrf_token` field of a URL-encoded form (the body is buffered, bounded, and put back).
async fn check_csrf(identity: &Identity, req: Request) -> Result<Request, AppError> {
    let expected = match identity {
        // A bearer token cannot be sent by a browser on its own: no CSRF risk.
        Identity::Token(_) => return Ok(req),
        Identity::Anonymous { csrf } => csrf.clone(),
        Identity::Session(s) => s.csrf_token.clone(),
    };
    if let Some(h) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return if service::crypto::same(h, &expected) {
            Ok(req)
        } else {
            Err(AppError::csrf())
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(AppError::csrf());
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, FORM_LIMIT)
        .await
        .map_err(|_| AppError::bad_request("the form is too large"))?;
    let given = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.into_owned());
    match given {
        Some(t) if service::crypto::same(&t, &expected) => {
            Ok(Request::from_parts(parts, Body::from(bytes)))
        }
        _ => Err(AppError::csrf()),
    }
}

/// Headers on every response: a strict CSP (no inline script), no sniffing, no framing,
/// no referrer, and no caching of pages that may hold personal data.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !is_static && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
