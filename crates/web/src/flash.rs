//! What an action did, said on the page the person lands on ("Case CH-000151 assigned to
//! Alex Analyst"), GOV.UK's notification banner after a successful action.
//!
//! A handler that changed something answers with [`redirect`], which sets a short-lived
//! cookie holding the message the server wrote, tagged (HMAC) with a key of this process
//! and the session's CSRF token: a message from anyone else, another session or a URL is
//! never shown, so no text a person typed into an address bar can pose as the product's.
//! [`layer`] reads the cookie on the next request and makes the message available to
//! [`Layout`](crate::layout::Layout) through a task-local, so every page shows it without
//! each handler passing it along; the cookie is cleared once a page has shown it.
//!
//! The key lives only in memory: after a restart, or on another instance behind a load
//! balancer, a pending message is dropped, which costs a banner and nothing else.

use crate::ctx::{AppState, Ctx, Identity};
use crate::guard::{cookie, set_cookie};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use std::sync::{Arc, Mutex, OnceLock};

pub const FLASH_COOKIE: &str = "ch_flash";
/// Long enough for the redirect to be followed, short enough that a message never greets
/// someone who comes back later.
const MAX_AGE_SECONDS: i64 = 60;
/// Messages are one sentence; a longer one is cut rather than refused.
const MAX_CHARS: usize = 300;

fn key() -> &'static [u8; 32] {
    static KEY: OnceLock<[u8; 32]> = OnceLock::new();
    KEY.get_or_init(service::crypto::random_bytes::<32>)
}

fn mac(csrf: &str, text: &str) -> String {
    let mut m = Vec::with_capacity(csrf.len() + 1 + text.len());
    m.extend_from_slice(csrf.as_bytes());
    m.push(0);
    m.extend_from_slice(text.as_bytes());
    service::crypto::tag(key(), &m)
}

/// The cookie's value: the message and its tag, both URL-safe base64 (cookie-safe).
fn seal(csrf: &str, text: &str) -> String {
    let text: String = text.chars().take(MAX_CHARS).collect();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text.as_bytes());
    format!("{b64}.{}", mac(csrf, &text))
}

/// The message in a cookie's value, if this process wrote it for this session.
fn open(csrf: &str, value: &str) -> Option<String> {
    let (b64, tag) = value.split_once('.')?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(b64)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    service::crypto::same(&mac(csrf, &text), tag).then_some(text)
}

/// A redirect to `to` that shows `message` there.
pub fn redirect(ctx: &Ctx, to: &str, message: impl AsRef<str>) -> Response {
    let value = seal(ctx.identity.csrf(), message.as_ref());
    (
        [(
            header::SET_COOKIE,
            set_cookie(&ctx.state, FLASH_COOKIE, &value, Some(MAX_AGE_SECONDS)),
        )],
        Redirect::to(to),
    )
        .into_response()
}

/// Parts a message from the link it offers: a control character no one types into a form
/// and the sealed text keeps, so the link is ours like the words are.
const LINK_SEP: char = '\u{1f}';

/// A redirect to `to` that shows `message` there with a link to `href` (a path of ours)
/// worded `link_text` ("Open the recovery plan").
pub fn redirect_with_link(
    ctx: &Ctx,
    to: &str,
    message: &str,
    href: &str,
    link_text: &str,
) -> Response {
    redirect(
        ctx,
        to,
        format!("{message}{LINK_SEP}{href}{LINK_SEP}{link_text}"),
    )
}

/// A message as shown: its words and the link it offers, if any (`(href, words)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub message: String,
    pub link: Option<(String, String)>,
}

impl Flash {
    fn parse(text: &str) -> Flash {
        let mut parts = text.split(LINK_SEP);
        let message = parts.next().unwrap_or_default().to_owned();
        let link = match (parts.next(), parts.next()) {
            // Only a path of this server: never a link elsewhere.
            (Some(href), Some(words)) if href.starts_with('/') && !href.starts_with("//") => {
                Some((href.to_owned(), words.to_owned()))
            }
            _ => None,
        };
        Flash { message, link }
    }
}

#[derive(Default)]
struct Pending {
    message: Option<String>,
    shown: bool,
}

tokio::task_local! {
    static PENDING: Arc<Mutex<Pending>>;
}

/// The message waiting for this request's page, marked as shown. Called by `Layout`.
pub fn take() -> Option<Flash> {
    PENDING
        .try_with(|p| {
            let mut p = p.lock().ok()?;
            p.shown = true;
            p.message.as_deref().map(Flash::parse)
        })
        .ok()
        .flatten()
}

/// Reads a pending message for the page being rendered; clears the cookie once a page has
/// shown it (or when it is not ours). Runs inside `guard::identify`, which it needs for
/// the session's CSRF token.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(value) = cookie(&state, req.headers(), FLASH_COOKIE).map(str::to_owned) else {
        return next.run(req).await;
    };
    let csrf = req
        .extensions()
        .get::<Identity>()
        .map(|i| i.csrf().to_owned())
        .unwrap_or_default();
    let message = (!csrf.is_empty()).then(|| open(&csrf, &value)).flatten();
    let forged = message.is_none();
    let pending = Arc::new(Mutex::new(Pending {
        message,
        shown: false,
    }));
    let mut res = PENDING.scope(pending.clone(), next.run(req)).await;
    let shown = pending.lock().map(|p| p.shown).unwrap_or(true);
    if forged || (shown && res.status().is_success()) {
        res.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(&state, FLASH_COOKIE, "", Some(0)),
        );
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_opens_only_for_its_session() {
        let v = seal("csrf-a", "Case CH-000151 assigned to Alex Analyst.");
        assert_eq!(
            open("csrf-a", &v).as_deref(),
            Some("Case CH-000151 assigned to Alex Analyst.")
        );
        assert_eq!(open("csrf-b", &v), None);
        let (b64, tag) = v.split_once('.').unwrap_or_default();
        let other = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("Anything else");
        assert_eq!(open("csrf-a", &format!("{other}.{tag}")), None);
        assert_eq!(open("csrf-a", b64), None);
        assert_eq!(open("csrf-a", "not base64!.x"), None);
    }

    #[test]
    fn a_long_message_is_cut_not_refused() {
        let long = "é".repeat(1000);
        let v = seal("c", &long);
        assert_eq!(open("c", &v).map(|t| t.chars().count()), Some(MAX_CHARS));
    }

    #[test]
    fn a_message_links_only_to_a_path_of_ours() {
        let f = Flash::parse("Recorded.\u{1f}/recovery/plans/4\u{1f}Open the plan");
        assert_eq!(f.message, "Recorded.");
        assert_eq!(
            f.link,
            Some(("/recovery/plans/4".into(), "Open the plan".into()))
        );
        for away in ["https://example.org/", "//example.org/x", "javascript:x"] {
            let f = Flash::parse(&format!("Recorded.\u{1f}{away}\u{1f}Go"));
            assert_eq!(f.link, None, "{away}");
        }
        assert_eq!(Flash::parse("Plain.").link, None);
    }
}
