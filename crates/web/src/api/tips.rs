//! Tips over JSON (issue 24): the public tip form's two steps for an app or a partner's
//! site that collects tips itself. No account, anonymous allowed; the same use cases,
//! per-address limit and checks as `/tip`, so a tip sent here is stored, assessed and
//! linked exactly as one typed into the form.
//!
//! The page's honeypot is not here: a script has no hidden field to fill. What keeps
//! a flood off is the tip limit per address, which both ways share.

use super::extract::ApiJson;
use crate::ctx::Ctx;
use crate::error::{AppError, FieldProblem, Problem};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use service::intake::tips::{FollowupError, TipError, TipForm};
use utoipa::ToSchema;

/// A person the tip is about, as the tipster knows them. Every member may be left out.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct TipPersonIn {
    /// As the tipster knows them; a nickname is fine.
    pub name: String,
    /// In whole years; a guess is fine.
    pub age: Option<i64>,
    pub phone: String,
    pub email: String,
    /// Names on apps, games or sites.
    pub screen_names: Vec<String>,
    /// What they look like, where they are seen.
    pub description: String,
}

/// Who sends the tip, when they choose to be known to the hotline.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ReporterIn {
    pub name: String,
    pub email: String,
    pub phone: String,
}

/// A tip from the public.
#[derive(Deserialize, ToSchema)]
pub struct NewTip {
    /// One of the CyberTipline incident types, spelt as the schema spells it:
    /// `Child Sex Trafficking`, `Child Sexual Molestation`, `Child Sex Tourism`,
    /// `Online Enticement of Children for Sexual Acts`,
    /// `Child Pornography (possession, manufacture, and distribution)`,
    /// `Unsolicited Obscene Material Sent to a Child`, `Misleading Domain Name`,
    /// `Misleading Words or Digital Images on the Internet`.
    pub incident_type: String,
    /// What happened, in the tipster's words.
    pub what_happened: String,
    /// `YYYY-MM-DD`, when known.
    #[serde(default)]
    pub incident_date: String,
    /// `HH:MM`, when known; only with a date.
    #[serde(default)]
    pub incident_time: String,
    #[serde(default)]
    pub city: String,
    /// A US state's two-letter code.
    #[serde(default)]
    pub state: String,
    /// A country's two-letter code; empty means the United States.
    #[serde(default)]
    pub country: String,
    /// The child, when the tipster knows anything about them.
    #[serde(default)]
    pub child: TipPersonIn,
    /// A person who may be harming or exploiting the child.
    #[serde(default)]
    pub other_person: TipPersonIn,
    /// Web addresses: ads, profiles, posts.
    #[serde(default)]
    pub urls: Vec<String>,
    /// Left out, the tip is anonymous. Given, the hotline may contact the reporter.
    #[serde(default)]
    pub reporter: Option<ReporterIn>,
}

/// The tip was stored. Keep the secret: with the number it lets the tipster add
/// information later, anonymously. It is shown once and cannot be recovered.
#[derive(Serialize, ToSchema)]
pub struct TipReceipt {
    /// The report number the hotline knows the tip by.
    pub number: i64,
    /// 128 random bits in groups of four; only its SHA-256 is stored.
    pub secret: String,
    /// Where to send more later (`POST`, with `number`, `secret` and `text`).
    pub follow_up: String,
}

/// More information about a tip sent earlier.
#[derive(Deserialize, ToSchema)]
pub struct TipFollowupIn {
    /// The report number from the receipt.
    pub number: String,
    /// The secret from the receipt.
    pub secret: String,
    /// What the tipster adds, up to 10,000 characters.
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct TipFollowupReceipt {
    /// The report the information was added to.
    pub number: i64,
}

/// The form's field names as JSON members (`child_screen_names` → `child.screen_names`).
fn member(field: &str) -> String {
    for (prefix, object) in [("child_", "child"), ("other_", "other_person")] {
        if let Some(rest) = field.strip_prefix(prefix) {
            return format!("{object}.{rest}");
        }
    }
    match field.strip_prefix("reporter_") {
        Some(rest) => format!("reporter.{rest}"),
        None => field.to_owned(),
    }
}

fn refused(problems: &[service::intake::tips::Problem]) -> AppError {
    AppError::invalid(
        "The tip was not stored: correct the members named in `errors` and send it again.",
        problems
            .iter()
            .map(|p| FieldProblem::new(member(p.field), format!("{}: {}", p.label, p.message)))
            .collect(),
    )
}

/// An address sent too many tips or follow-ups in the last hour.
fn too_many() -> AppError {
    AppError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many tips were sent from your network in the last hour, so this one was not \
         stored. Try again later. If a child is in immediate danger, call 911.",
    )
}

impl NewTip {
    fn form(self) -> TipForm {
        let (anonymous, reporter) = match self.reporter {
            Some(r) => (String::new(), r),
            None => ("on".to_owned(), ReporterIn::default()),
        };
        // Several values in one field: screen names comma-separated, addresses one a line.
        TipForm {
            incident_type: self.incident_type,
            incident_date: self.incident_date,
            incident_time: self.incident_time,
            city: self.city,
            state: self.state,
            country: self.country,
            what_happened: self.what_happened,
            child_name: self.child.name,
            child_age: self.child.age.map(|a| a.to_string()).unwrap_or_default(),
            child_phone: self.child.phone,
            child_email: self.child.email,
            child_screen_names: self.child.screen_names.join(", "),
            child_description: self.child.description,
            other_name: self.other_person.name,
            other_age: self
                .other_person
                .age
                .map(|a| a.to_string())
                .unwrap_or_default(),
            other_phone: self.other_person.phone,
            other_email: self.other_person.email,
            other_screen_names: self.other_person.screen_names.join(", "),
            other_description: self.other_person.description,
            urls: self.urls.join("\n"),
            anonymous,
            reporter_name: reporter.name,
            reporter_email: reporter.email,
            reporter_phone: reporter.phone,
        }
    }
}

/// Sends a tip to the hotline, without an account. Anonymous unless `reporter` is given.
/// Each address may send a limited number of tips and follow-ups an hour (429 beyond it).
#[utoipa::path(post, path = "/api/v1/tips", tag = "tips", security(()), request_body = NewTip,
    responses((status = 201, body = TipReceipt, description = "Stored; keep the secret"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn submit(ctx: Ctx, ApiJson(tip): ApiJson<NewTip>) -> Result<Response, AppError> {
    let services = &ctx.state.services;
    let addr = ctx.ip.clone().unwrap_or_default();
    let attempt_at = services.now();
    if !services.tip_limiter.allow(&addr, attempt_at) {
        return Err(too_many());
    }
    match services.submit_tip(&tip.form()).await {
        Ok(done) => {
            let mut res = (
                StatusCode::CREATED,
                Json(TipReceipt {
                    number: done.number,
                    secret: done.secret,
                    follow_up: "/api/v1/tips/follow-up".to_owned(),
                }),
            )
                .into_response();
            // The secret is given once: no cache may keep the answer.
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(res)
        }
        Err(TipError::Invalid(problems)) => {
            // A tip refused for its content is not charged, as on the form.
            services.tip_limiter.give_back(&addr, attempt_at);
            Err(refused(&problems))
        }
        Err(TipError::Service(e)) => Err(e.into()),
    }
}

/// Adds information to a tip sent earlier, with its number and secret. A wrong number and
/// a wrong secret answer alike (422 on `number`); every try counts toward the tip limit.
#[utoipa::path(post, path = "/api/v1/tips/follow-up", tag = "tips", security(()), request_body = TipFollowupIn,
    responses((status = 200, body = TipFollowupReceipt),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn follow_up(ctx: Ctx, ApiJson(f): ApiJson<TipFollowupIn>) -> Result<Response, AppError> {
    let services = &ctx.state.services;
    let addr = ctx.ip.clone().unwrap_or_default();
    if !services.tip_limiter.allow(&addr, services.now()) {
        return Err(too_many());
    }
    match services
        .add_tip_followup(&f.number, &f.secret, &f.text)
        .await
    {
        Ok(number) => Ok(Json(TipFollowupReceipt { number }).into_response()),
        Err(FollowupError::Invalid(problems)) => Err(AppError::invalid(
            "Nothing was added: correct the members named in `errors` and send it again.",
            problems
                .iter()
                .map(|p| FieldProblem::new(p.field, format!("{}: {}", p.label, p.message)))
                .collect(),
        )),
        Err(FollowupError::NoMatch) => Err(AppError::invalid(
            "Nothing was added: the report number and secret do not match a report. Check \
             both as they were given when the tip was sent.",
            vec![FieldProblem::new(
                "number",
                "the report number and secret do not match a report",
            )],
        )),
        Err(FollowupError::Service(e)) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::member;

    #[test]
    fn form_fields_are_named_as_json_members() {
        assert_eq!(member("child_screen_names"), "child.screen_names");
        assert_eq!(member("other_age"), "other_person.age");
        assert_eq!(member("reporter_email"), "reporter.email");
        assert_eq!(member("what_happened"), "what_happened");
    }
}
