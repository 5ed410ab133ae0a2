//! The request context every handler and middleware shares: the application state, who is
//! asking ([`Identity`], set by `guard::identify`), from where, and through which kind of
//! route ([`Surface`], set by the route table). A leaf: it imports nothing else of this
//! crate but the attempt limiter (a leaf too), so the guard, the error renderer, the layout and the handlers can all use it
//! without importing one another.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use domain::Principal;
use service::accounts::auth::Session;
use service::Services;

/// Web-facing settings of a deployment.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Demo deployments say so on every page.
    pub demo: bool,
    /// Mark cookies `Secure` (on unless the deployment is served over plain HTTP).
    pub secure_cookies: bool,
    /// Take the client's address from `X-Forwarded-For` (behind a reverse proxy only):
    /// the right-most address that is not one of `trusted_proxies`.
    pub trust_forwarded_for: bool,
    /// Proxies in front of the server besides the one that connects to it, whose
    /// addresses in `X-Forwarded-For` are skipped.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The operator's token for `/metrics` (`Authorization: Bearer …`); without it,
    /// metrics are not served.
    pub metrics_token: Option<String>,
    /// Signs the CSRF token handed out before sign-in, so that only the server chooses it.
    /// Servers sharing one database need the same key (the binary derives it from the file
    /// key they already share).
    pub csrf_key: ServerKey,
}

/// A secret of the server's; never printed.
#[derive(Clone)]
pub struct ServerKey(std::sync::Arc<Vec<u8>>);

impl ServerKey {
    pub fn new(bytes: Vec<u8>) -> Self {
        ServerKey(std::sync::Arc::new(bytes))
    }
    /// A key for this process only.
    pub fn random() -> Self {
        ServerKey::new(service::crypto::random_token().into_bytes())
    }
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(…)")
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            demo: false,
            secure_cookies: true,
            trust_forwarded_for: false,
            trusted_proxies: Vec::new(),
            metrics_token: None,
            csrf_key: ServerKey::random(),
        }
    }
}

/// What every handler can reach: the use cases, the web settings and the per-address
/// attempt limiter.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub config: WebConfig,
    pub attempts: std::sync::Arc<crate::limit::AttemptLimiter>,
}

impl AppState {
    /// The limiter takes its rates from `services.settings` (`security.attempts_*`).
    pub fn new(services: Services, config: WebConfig) -> Self {
        let clamp = |n: i64| u32::try_from(n.max(1)).unwrap_or(u32::MAX);
        let attempts = crate::limit::AttemptLimiter::new(
            clamp(services.settings.attempts_per_minute),
            clamp(services.settings.attempts_burst),
        );
        AppState {
            services,
            config,
            attempts: std::sync::Arc::new(attempts),
        }
    }
}

/// The kind of route, tagged on each entry of the route table. It decides how an error is
/// answered and how the guard asks for credentials, so nothing guesses it from the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Surface {
    /// Pages for people (and the operators' endpoints): HTML error pages, sign-in redirects.
    Page,
    /// The JSON API for scripts: RFC 9457 problem documents, bearer tokens.
    Api,
    /// The CyberTipline-compatible provider API: its response documents, HTTP Basic.
    Provider,
}

/// The caller, as established by `guard::identify`.
#[derive(Clone, Debug)]
pub enum Identity {
    Anonymous { csrf: String },
    Session(Box<Session>),
    Token(Principal),
}

impl Identity {
    pub fn principal(&self) -> Option<&Principal> {
        match self {
            Identity::Anonymous { .. } => None,
            Identity::Session(s) => Some(&s.principal),
            Identity::Token(p) => Some(p),
        }
    }

    /// The token forms must carry back.
    pub fn csrf(&self) -> &str {
        match self {
            Identity::Anonymous { csrf } => csrf,
            Identity::Session(s) => &s.csrf_token,
            Identity::Token(_) => "",
        }
    }

    pub fn session(&self) -> Option<&Session> {
        match self {
            Identity::Session(s) => Some(s),
            _ => None,
        }
    }
}

/// The client address recorded in the audit log.
#[derive(Clone, Debug)]
pub struct ClientIp(pub Option<String>);

/// A handler that needs a principal was reached without one. Routes that reach a handler
/// taking [`Ctx`] have passed `authorize`, so this is a routing bug; `error` answers it
/// with 401.
#[derive(Debug, Clone, Copy)]
pub struct NotSignedIn;

/// The identity layer did not run before a handler; `error` answers it as an internal
/// error.
#[derive(Debug, Clone, Copy)]
pub struct MissingIdentity;

/// The request context handlers take: state, caller, address.
pub struct Ctx {
    pub state: AppState,
    pub identity: Identity,
    pub ip: Option<String>,
    pub path: String,
    /// The request's query string, as sent (for the audit of lists and searches).
    pub query: String,
}

impl Ctx {
    /// The signed-in principal.
    pub fn principal(&self) -> Result<&Principal, NotSignedIn> {
        self.identity.principal().ok_or(NotSignedIn)
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = MissingIdentity;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let identity = parts
            .extensions
            .get::<Identity>()
            .cloned()
            .ok_or(MissingIdentity)?;
        let ip = parts.extensions.get::<ClientIp>().and_then(|c| c.0.clone());
        Ok(Ctx {
            state: state.clone(),
            identity,
            ip,
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().unwrap_or_default().to_owned(),
        })
    }
}
