//! What every handler can reach: the use cases and the web settings.

use service::Services;

/// Web-facing settings of a deployment.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Demo deployments say so on every page.
    pub demo: bool,
    /// Mark cookies `Secure` (on unless the deployment is served over plain HTTP).
    pub secure_cookies: bool,
    /// Use the first `X-Forwarded-For` address as the client's (behind a trusted proxy only).
    pub trust_forwarded_for: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            demo: false,
            secure_cookies: true,
            trust_forwarded_for: false,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub config: WebConfig,
}
