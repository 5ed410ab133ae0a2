//! The public tip form: no account needed, anonymous allowed, plain language, and the
//! 911 notice before anything else. Spam is slowed by a per-address limit and a honeypot
//! field that people never see; both answer with a message a person can act on.

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
use service::intake::tips::{TipError, TipForm};

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
}

#[derive(Template)]
#[template(path = "tip_done.html")]
struct DonePage {
    layout: Layout,
    number: i64,
}

fn page(ctx: &Ctx, f: TipForm, fe: FieldErrors) -> TipPage {
    TipPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Report a concern", &ctx.path),
        fe,
        f,
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
        return Err(AppError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many reports were sent from your network in the last hour, so this one was not \
             sent. Please try again later or call the hotline. If a child is in immediate \
             danger, call 911.",
        ));
    }
    match services.submit_tip(&s.tip).await {
        Ok(number) => {
            let done = DonePage {
                layout: Layout::new(&ctx.state, &ctx.identity, "Thank you", &ctx.path),
                number,
            };
            Ok(render(&done)?.into_response())
        }
        Err(TipError::Invalid(problems)) => {
            services.tip_limiter.give_back(&addr, attempt_at);
            let mut fe = FieldErrors::default();
            for p in &problems {
                fe.push(
                    p.field,
                    format!("{p}."),
                    format!("{}.", capitalised(&p.message)),
                );
            }
            let mut res = render(&page(&ctx, s.tip, fe))?.into_response();
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(TipError::Service(e)) => Err(e.into()),
    }
}

/// "give the age …" → "Give the age …": beside its field a message is a sentence.
fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
