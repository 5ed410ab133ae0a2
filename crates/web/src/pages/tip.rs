//! The public tip form: no account needed, anonymous allowed, plain language, and the
//! 911 notice before anything else. Spam is slowed by a per-address limit and a honeypot
//! field that people never see; both answer with a message a person can act on. The
//! confirmation gives the tip's number and, once, the secret with which the tipster adds
//! to it later at `/tip/follow-up` (issue 24), anonymously; follow-ups count toward the
//! same limit.

use super::forms::FieldErrors;
use super::render;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::layout::Layout;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use cybertip::{IncidentType, COUNTRIES, US_STATES};
use service::intake::tips::{FollowupError, TipError, TipForm, MAX_FOLLOWUP};

/// The honeypot: a field hidden from people (and from screen readers), which form-filling
/// bots fill in.
pub const HONEYPOT: &str = "website";

pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "tip.html")]
struct TipPage {
    layout: Layout,
    fe: FieldErrors,
    f: TipForm,
    incident_types: Vec<Choice>,
    states: Vec<Choice>,
    countries: Vec<Choice>,
    /// The shared fields speak to the person themselves (false) or of a caller (true).
    caller: bool,
}

#[derive(Template)]
#[template(path = "tip_done.html")]
struct DonePage {
    layout: Layout,
    number: i64,
    secret: String,
}

/// The choice lists of the tip form's fields, which the hotline call form shares.
pub struct Choices {
    pub incident_types: Vec<Choice>,
    pub states: Vec<Choice>,
    pub countries: Vec<Choice>,
}

pub fn choices() -> Choices {
    Choices {
        incident_types: IncidentType::ALL
            .iter()
            .map(|t| Choice {
                value: t.as_xsd_str(),
                label: t.label(),
            })
            .collect(),
        states: US_STATES
            .iter()
            .filter(|(c, _)| !c.is_empty())
            .map(|(c, n)| Choice { value: c, label: n })
            .collect(),
        countries: COUNTRIES
            .iter()
            .filter(|(c, _)| !c.is_empty())
            .map(|(c, n)| Choice { value: c, label: n })
            .collect(),
    }
}

fn page(ctx: &Ctx, f: TipForm, fe: FieldErrors) -> TipPage {
    let c = choices();
    TipPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Report a concern", &ctx.path),
        fe,
        f,
        incident_types: c.incident_types,
        states: c.states,
        countries: c.countries,
        caller: false,
    }
}

pub async fn form(ctx: Ctx) -> Result<Response, AppError> {
    let f = TipForm {
        country: "US".into(),
        ..TipForm::default()
    };
    Ok(render(&page(&ctx, f, FieldErrors::default()))?.into_response())
}

#[derive(serde::Deserialize)]
pub struct Submitted {
    #[serde(flatten)]
    tip: TipForm,
    #[serde(default, rename = "website")]
    honeypot: String,
}

pub async fn submit(ctx: Ctx, Form(s): Form<Submitted>) -> Result<Response, AppError> {
    let services = &ctx.state.services;
    if !s.honeypot.trim().is_empty() {
        tracing::info!("tip refused: honeypot field filled");
        return Err(AppError::bad_request(
            "The form was filled in by an automated tool, so it was not sent. If you are a person, \
             reload the page and fill it in again, or call the hotline.",
        ));
    }
    let addr = ctx.ip.clone().unwrap_or_default();
    let attempt_at = services.now();
    if !services.tip_limiter.allow(&addr, attempt_at) {
        return Err(too_many());
    }
    match services.submit_tip(&s.tip).await {
        Ok(done) => {
            let done = DonePage {
                layout: Layout::new(&ctx.state, &ctx.identity, "Thank you", &ctx.path),
                number: done.number,
                secret: done.secret,
            };
            let mut res = render(&done)?.into_response();
            // The secret is shown once: no cache may keep the page.
            res.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            Ok(res)
        }
        Err(TipError::Invalid(problems)) => {
            services.tip_limiter.give_back(&addr, attempt_at);
            let mut res = render(&page(&ctx, s.tip, field_errors(&problems)))?.into_response();
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(TipError::Service(e)) => Err(e.into()),
    }
}

/// The service's problems as the page's field errors: the summary names the field, the
/// message beside it is a sentence.
pub fn field_errors(problems: &[service::intake::tips::Problem]) -> FieldErrors {
    let mut fe = FieldErrors::default();
    for p in problems {
        fe.push(
            p.field,
            format!("{p}."),
            format!("{}.", capitalised(&p.message)),
        );
    }
    fe
}

/// The answer when an address sent too many tips or follow-ups in the last hour.
fn too_many() -> AppError {
    AppError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many reports were sent from your network in the last hour, so this one was not \
         sent. Please try again later or call the hotline. If a child is in immediate \
         danger, call 911.",
    )
}

#[derive(Template)]
#[template(path = "tip_followup.html")]
struct FollowupPage {
    layout: Layout,
    fe: FieldErrors,
    number: String,
    text: String,
    max: usize,
    /// `max` as people write it ("10,000").
    max_words: String,
}

#[derive(Template)]
#[template(path = "tip_followup_done.html")]
struct FollowupDone {
    layout: Layout,
    number: i64,
}

const FOLLOWUP_TITLE: &str = "Add information to your report";

/// GET /tip/follow-up: the tipster's number, secret and what they add.
pub async fn followup_form(ctx: Ctx) -> Result<Response, AppError> {
    let page = FollowupPage {
        layout: Layout::new(&ctx.state, &ctx.identity, FOLLOWUP_TITLE, &ctx.path),
        fe: FieldErrors::default(),
        number: String::new(),
        text: String::new(),
        max: MAX_FOLLOWUP,
        max_words: thousands(MAX_FOLLOWUP),
    };
    Ok(render(&page)?.into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct FollowupForm {
    number: String,
    secret: String,
    text: String,
}

/// POST /tip/follow-up: attaches the text to the tip, or says what to change. A wrong
/// number and a wrong secret read the same; each attempt counts toward the tip limit.
pub async fn followup_submit(ctx: Ctx, Form(f): Form<FollowupForm>) -> Result<Response, AppError> {
    let services = &ctx.state.services;
    let addr = ctx.ip.clone().unwrap_or_default();
    if !services.tip_limiter.allow(&addr, services.now()) {
        return Err(too_many());
    }
    let fe = match services
        .add_tip_followup(&f.number, &f.secret, &f.text)
        .await
    {
        Ok(number) => {
            let done = FollowupDone {
                layout: Layout::new(&ctx.state, &ctx.identity, "Thank you", &ctx.path),
                number,
            };
            return Ok(render(&done)?.into_response());
        }
        Err(FollowupError::Invalid(problems)) => field_errors(&problems),
        Err(FollowupError::NoMatch) => {
            let mut fe = FieldErrors::default();
            fe.push(
                "number",
                "The report number and secret do not match a report. Check both as they were \
                 written on your confirmation page, and try again.",
                "The report number and secret do not match a report. Check both and try again.",
            );
            fe
        }
        Err(FollowupError::Service(e)) => return Err(e.into()),
    };
    let page = FollowupPage {
        layout: Layout::new(&ctx.state, &ctx.identity, FOLLOWUP_TITLE, &ctx.path),
        fe,
        // The secret is never echoed back into the page.
        number: f.number.chars().take(40).collect(),
        text: f.text,
        max: MAX_FOLLOWUP,
        max_words: thousands(MAX_FOLLOWUP),
    };
    let mut res = render(&page)?.into_response();
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(res)
}

/// 10000 → "10,000".
fn thousands(n: usize) -> String {
    let d = n.to_string();
    let mut out = String::new();
    for (i, c) in d.chars().enumerate() {
        if i > 0 && (d.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "give the age …" → "Give the age …": beside its field a message is a sentence.
fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
