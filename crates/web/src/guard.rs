//! Who is asking, and may they? Three middlewares that every request passes:
//! [`identify`] (session cookie or API token), [`authorize`] (per route: Basic credentials
//! on the provider API, the policy, the second-factor gate and CSRF, answered as the route's
//! [`Surface`] answers), and [`security_headers`].

use crate::ctx::{AppState, ClientIp, Identity, Surface};
use crate::error::AppError;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use domain::Action;
use service::accounts::auth::SecondFactor;
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "ch_session";
/// Double-submit token for forms used before signing in (the sign-in form itself).
pub const PRE_SESSION_COOKIE: &str = "ch_csrf";
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Forms are small; a larger body on a form route is refused before it is read.
// Room for a public tip's free text in any script (up to 9 bytes a character encoded).
const FORM_LIMIT: usize = 1024 * 1024;
/// The largest multipart form whose CSRF field is read: a case photo and its fields.
const MULTIPART_LIMIT: usize = service::cases::PHOTO_MAX_BYTES + 1024 * 1024;

/// The name a cookie goes by: with secure cookies, `__Host-` before it, which browsers
/// take only from this very host over HTTPS, with `Path=/` and no `Domain`, so a
/// neighbouring subdomain cannot plant one (a CSRF token of its choosing, a session).
pub fn cookie_name(state: &AppState, name: &str) -> String {
    if state.config.secure_cookies {
        format!("__Host-{name}")
    } else {
        name.to_owned()
    }
}

pub(crate) fn cookie<'a>(state: &AppState, headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let name = cookie_name(state, name);
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
    let name = cookie_name(state, name);
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
        let hops = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok());
        if let Some(ip) = forwarded_client(hops, &state.config.trusted_proxies) {
            return Some(ip.to_string());
        }
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
}

/// The client's address from `X-Forwarded-For` values (in header order): the right-most
/// hop that is not a trusted proxy. Each proxy appends the address it was reached from,
/// so everything left of the last proxy we trust was written by the client and may be
/// anything; the left-most is where a client puts the address it wants to be seen as.
fn forwarded_client<'a>(
    values: impl Iterator<Item = &'a str>,
    trusted: &[std::net::IpAddr],
) -> Option<std::net::IpAddr> {
    let hops: Vec<&str> = values.flat_map(|v| v.split(',')).map(str::trim).collect();
    for hop in hops.iter().rev() {
        let ip = hop.parse::<std::net::IpAddr>().ok()?;
        if !trusted.contains(&ip) {
            return Some(ip);
        }
    }
    None
}

/// Credentials that were sent but did not hold. `identify` runs before routing, so it does
/// not know the route's surface; it leaves the refusal to `authorize`, which answers it as
/// the route's surface does.
#[derive(Clone, Debug)]
struct AuthFailure(AppError);

/// Establishes the caller from an API token or a session cookie. HTTP Basic credentials
/// are read by `authorize`, and only on the provider API's routes.
pub async fn identify(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let ip = client_ip(&state, &req);
    let headers = req.headers();
    let mut set_cookies = Vec::new();
    let mut failure = None;

    // `/metrics` takes the operator's token, which is not an account's: its handler checks it.
    let bearer = headers
        .get(header::AUTHORIZATION)
        .filter(|_| req.uri().path() != "/metrics")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let attempt_key = crate::limit::AttemptLimiter::key(ip.as_deref());
    // A token is an attempt like a password: counted per address before it is looked up.
    let bearer = match bearer {
        Some(token) => match state.attempts.acquire(attempt_key) {
            Ok(attempt) => Some((token, attempt)),
            Err(wait) => {
                failure = Some(AppError::too_many_attempts(wait));
                None
            }
        },
        None => None,
    };
    let token = match bearer {
        Some((token, attempt)) => match state.services.authenticate_token(token.trim()).await {
            Ok(Some(p)) => {
                attempt.held();
                Some(Identity::Token(p))
            }
            Ok(None) => {
                failure = Some(AppError::unauthorized(
                    "the API token is not valid or was revoked; create a new one on your account page",
                ));
                None
            }
            Err(e) => {
                // The check could not be made: not the client's failure.
                attempt.held();
                failure = Some(AppError::from(e));
                None
            }
        },
        None => None,
    };
    let identity = match token {
        Some(identity) => identity,
        None => {
            let session = match cookie(&state, headers, SESSION_COOKIE) {
                Some(token) => match state.services.session(token).await {
                    Ok(Some(s)) => Some(s),
                    Ok(None) => {
                        set_cookies.push(set_cookie(&state, SESSION_COOKIE, "", Some(0)));
                        None
                    }
                    Err(e) => {
                        failure = Some(AppError::from(e));
                        None
                    }
                },
                None => None,
            };
            match session {
                Some(s) if failure.is_none() => Identity::Session(Box::new(s)),
                _ => {
                    let csrf = match cookie(&state, headers, PRE_SESSION_COOKIE) {
                        Some(c) if signed_by_us(&state, c) => c.to_owned(),
                        _ => {
                            let c = signed_token(&state);
                            set_cookies.push(set_cookie(&state, PRE_SESSION_COOKIE, &c, None));
                            c
                        }
                    };
                    Identity::Anonymous { csrf }
                }
            }
        }
    };
    req.extensions_mut().insert(identity);
    req.extensions_mut().insert(ClientIp(ip));
    if let Some(f) = failure {
        req.extensions_mut().insert(AuthFailure(f));
    }
    let mut res = next.run(req).await;
    for c in set_cookies {
        // A cookie the handler set itself wins: a sign-in over a stale session cookie sets
        // the new session, which clearing the stale one after it would undo.
        let name = |v: &HeaderValue| {
            v.to_str()
                .ok()
                .and_then(|s| s.split_once('='))
                .map(|(n, _)| n.to_owned())
        };
        let ours = name(&c);
        let set_by_handler = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|v| name(v) == ours);
        if !set_by_handler {
            res.headers_mut().append(header::SET_COOKIE, c);
        }
    }
    res
}

/// A new pre-login CSRF token: random, with the server's signature, so a token planted in
/// a visitor's browser by someone else is not taken.
fn signed_token(state: &AppState) -> String {
    let nonce = service::crypto::random_token();
    let tag = service::crypto::tag(state.config.csrf_key.bytes(), nonce.as_bytes());
    format!("{nonce}.{tag}")
}

fn signed_by_us(state: &AppState, token: &str) -> bool {
    match token.split_once('.') {
        Some((nonce, tag)) if (32..=64).contains(&nonce.len()) => service::crypto::same(
            tag,
            &service::crypto::tag(state.config.csrf_key.bytes(), nonce.as_bytes()),
        ),
        _ => false,
    }
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

/// HTTP Basic credentials, on a provider API route: anywhere else they would pass neither a
/// second factor nor CSRF, and browsers replay them on their own.
async fn basic_identity(
    state: &AppState,
    authorization: Option<String>,
    ip: Option<String>,
) -> Option<Result<Identity, AppError>> {
    let b64 = authorization.as_deref()?.strip_prefix("Basic ")?;
    let Some((user, password)) = decode_basic(b64) else {
        return Some(Err(AppError::unauthorized(
            "Authentication failed: the Basic credentials are not valid base64 of user:password",
        )));
    };
    Some(
        match state
            .services
            .authenticate_basic(&user, &password, ip)
            .await
        {
            Ok(p) => Ok(Identity::Token(p)),
            Err(
                e @ (service::ServiceError::InvalidCredentials | service::ServiceError::Locked),
            ) => Err(AppError::unauthorized(format!(
                "Authentication failed: {e}"
            ))),
            Err(e) => Err(AppError::from(e)),
        },
    )
}

/// A request a browser sent from another site: `Sec-Fetch-Site` says so, or `Origin`
/// names another host than the one asked (or is `null`).
fn cross_origin(headers: &HeaderMap) -> bool {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site")) {
        if !matches!(site, "same-origin" | "none") {
            return true;
        }
    }
    match text(header::ORIGIN) {
        None => false,
        Some(origin) => {
            let authority = origin.split_once("://").map(|(_, a)| a);
            authority.is_none() || authority != text(header::HOST)
        }
    }
}

/// What a route requires, captured by its `authorize` layer.
#[derive(Clone, Copy, Debug)]
pub struct Requirement {
    pub action: Action,
    /// Reachable while a session still has to pass (or set up) its second factor.
    pub before_second_factor: bool,
    /// The kind of route: how to ask for credentials and how to answer.
    pub surface: Surface,
    /// A form that checks a password or a code: counted per address before it runs.
    pub sign_in_attempt: bool,
}

/// The per-route gate: the policy decides, the second factor must be done, and a
/// state-changing request must carry its CSRF token. A sign-in form is first counted
/// against its address's attempts, and given back when it succeeded.
pub async fn authorize(
    state: AppState,
    req_for: Requirement,
    mut req: Request,
    next: Next,
) -> Response {
    if let Some(AuthFailure(e)) = req.extensions_mut().remove::<AuthFailure>() {
        return e.into_response();
    }
    if !req_for.sign_in_attempt || req.method() == Method::GET {
        return authorize_inner(state, req_for, req, next).await;
    }
    let ip = req.extensions().get::<ClientIp>().and_then(|c| c.0.clone());
    let key = crate::limit::AttemptLimiter::key(ip.as_deref());
    let attempt = match state.attempts.acquire(key) {
        Ok(a) => a,
        Err(wait) => return AppError::too_many_attempts(wait).into_response(),
    };
    let res = authorize_inner(state, req_for, req, next).await;
    // A sign-in that held answers with a redirect; a refused one re-renders its form
    // with an error status.
    if res.status().is_success() || res.status().is_redirection() || res.status().is_server_error()
    {
        attempt.held();
    }
    res
}

async fn authorize_inner(
    state: AppState,
    req_for: Requirement,
    mut req: Request,
    next: Next,
) -> Response {
    if req_for.surface == Surface::Provider {
        // A browser with the provider's Basic credentials cached would send them along with
        // a form another site makes it post; a provider's own client sends no Origin.
        if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
            && cross_origin(req.headers())
        {
            return AppError::provider(
                cybertip::ResponseCode::InvalidRequest,
                "Invalid request: a form posted from another web site is refused; send reports from your own client",
                None,
            )
            .into_response();
        }
        let authorization = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let ip = req.extensions().get::<ClientIp>().and_then(|c| c.0.clone());
        let key = crate::limit::AttemptLimiter::key(ip.as_deref());
        // Basic credentials cost an argon2 verification: admitted before it runs.
        let attempt = match authorization {
            Some(_) => match state.attempts.acquire(key) {
                Ok(a) => Some(a),
                Err(wait) => return AppError::too_many_attempts(wait).into_response(),
            },
            None => None,
        };
        let verdict = basic_identity(&state, authorization, ip).await;
        // Charged only for credentials that did not hold (dropped unheld).
        if let (Some(attempt), Some(v)) = (attempt, &verdict) {
            if v.as_ref()
                .map_or_else(|e| e.status.is_server_error(), |_| true)
            {
                attempt.held();
            }
        }
        match verdict {
            Some(Ok(identity)) => {
                req.extensions_mut().insert(identity);
            }
            Some(Err(e)) => return e.into_response(),
            None => {}
        }
    }
    let Some(identity) = req.extensions().get::<Identity>().cloned() else {
        return AppError::internal_msg("identity layer missing").into_response();
    };

    if !matches!(
        domain::policy::access(req_for.action),
        domain::policy::Access::Public
    ) {
        let Some(principal) = identity.principal() else {
            return match req_for.surface {
                Surface::Provider => AppError::unauthorized(
                    "Authentication required: send HTTP Basic credentials of a provider API account",
                )
                .into_response(),
                Surface::Api => AppError::unauthorized(
                    "sign in or send an API token: Authorization: Bearer ch_…",
                )
                .into_response(),
                Surface::Page => {
                    let next_url = req
                        .uri()
                        .path_and_query()
                        .map(|p| p.as_str())
                        .unwrap_or("/");
                    let target = format!(
                        "/login?next={}",
                        url::form_urlencoded::byte_serialize(next_url.as_bytes())
                            .collect::<String>()
                    );
                    Redirect::to(&target).into_response()
                }
            };
        };
        if let Identity::Session(s) = &identity {
            if !req_for.before_second_factor && s.second_factor != SecondFactor::Done {
                if req_for.surface == Surface::Api {
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
            return AppError::forbidden().into_response();
        }
    }

    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let req = match check_csrf(&identity, req_for.surface, req).await {
        Ok(req) => req,
        Err(e) => return e.into_response(),
    };
    next.run(req).await
}

/// Checks the CSRF token of a state-changing request: from the `X-CSRF-Token` header, or
/// the `csrf_token` field of a URL-encoded form (the body is buffered, bounded, and put back).
async fn check_csrf(
    identity: &Identity,
    surface: Surface,
    req: Request,
) -> Result<Request, AppError> {
    let expected = match identity {
        // A bearer token cannot be sent by a browser on its own: no CSRF risk.
        Identity::Token(_) => return Ok(req),
        // The public API (tips) without a session: nobody's authority rides on the request,
        // and a browser sends JSON to another site only after a CORS preflight, which this
        // server never answers, so a page elsewhere cannot post it in a visitor's name.
        Identity::Anonymous { .. } if surface == Surface::Api && is_json(&req) => return Ok(req),
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
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    // A file upload without JavaScript: the token is a field of the multipart body.
    let is_multipart = content_type.starts_with("multipart/form-data");
    if !is_form && !is_multipart {
        return Err(AppError::csrf());
    }
    let (parts, body) = req.into_parts();
    let limit = if is_multipart {
        MULTIPART_LIMIT
    } else {
        FORM_LIMIT
    };
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| AppError::bad_request("the form is too large"))?;
    let given = if is_multipart {
        multipart_field(&content_type, &bytes, CSRF_FIELD).await
    } else {
        form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v.into_owned())
    };
    match given {
        Some(t) if service::crypto::same(&t, &expected) => {
            Ok(Request::from_parts(parts, Body::from(bytes)))
        }
        _ => Err(AppError::csrf()),
    }
}

fn is_json(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

/// The text of the first field `name` of a buffered multipart body, read by axum's own
/// multipart parser from a copy (the bytes are shared, not copied).
async fn multipart_field(
    content_type: &str,
    bytes: &axum::body::Bytes,
    name: &str,
) -> Option<String> {
    use axum::extract::FromRequest;
    let probe = Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(bytes.clone()))
        .ok()?;
    let mut form = axum::extract::Multipart::from_request(probe, &())
        .await
        .ok()?;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

/// Headers on every response: a strict CSP (no inline script), no sniffing, no framing,
/// no referrer, and no caching of pages that may hold personal data.
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    // A handler's own policy is stricter (a downloaded file is sandboxed): keep it.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
                 form-action 'self'; frame-ancestors 'none'",
            ),
        );
    }
    // Served over TLS (secure cookies): browsers keep to HTTPS for a year.
    if state.config.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
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

#[cfg(test)]
mod tests {
    use super::forwarded_client;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_post_from_another_site_is_told_apart() {
        use axum::http::{HeaderMap, HeaderValue};
        let h = |pairs: &[(&'static str, &'static str)]| {
            let mut m = HeaderMap::new();
            m.insert("host", HeaderValue::from_static("hotline.example"));
            for (k, v) in pairs {
                m.insert(*k, HeaderValue::from_static(v));
            }
            m
        };
        assert!(!super::cross_origin(&h(&[])));
        assert!(!super::cross_origin(&h(&[(
            "origin",
            "https://hotline.example"
        )])));
        assert!(super::cross_origin(&h(&[(
            "origin",
            "https://evil.example"
        )])));
        assert!(super::cross_origin(&h(&[("origin", "null")])));
        assert!(super::cross_origin(&h(&[("sec-fetch-site", "cross-site")])));
        assert!(super::cross_origin(&h(&[("sec-fetch-site", "same-site")])));
        assert!(!super::cross_origin(&h(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
    }

    #[test]
    fn the_client_is_the_right_most_hop_that_is_not_a_trusted_proxy() {
        // The client wrote "1.2.3.4"; our proxy appended the address it saw.
        let v = ["1.2.3.4, 203.0.113.9"];
        assert_eq!(
            forwarded_client(v.into_iter(), &[]),
            Some(ip("203.0.113.9"))
        );
        // Two proxies: the outer one is trusted and skipped.
        let v = ["1.2.3.4, 203.0.113.9, 10.0.0.2"];
        assert_eq!(
            forwarded_client(v.into_iter(), &[ip("10.0.0.2")]),
            Some(ip("203.0.113.9"))
        );
        // Several headers read as one list, in order.
        let v = ["1.2.3.4", "198.51.100.7"];
        assert_eq!(
            forwarded_client(v.into_iter(), &[]),
            Some(ip("198.51.100.7"))
        );
        // Garbage where the proxy should have written: the peer's address is used.
        assert_eq!(forwarded_client(["1.2.3.4, junk"].into_iter(), &[]), None);
        assert_eq!(forwarded_client(std::iter::empty(), &[]), None);
    }
}
