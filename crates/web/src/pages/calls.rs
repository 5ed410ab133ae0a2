//! Hotline calls (issue 24): the staff's form for a call to the hotline. It shares the
//! tip form's fields (`tip_fields.html`) and its one intake path (`Services::record_call`
//! stores it as `Services::submit_tip` does, assessed and linked alike); the caller's name,
//! phone and a callback number are asked as a caller gives them. A call that reports a
//! missing child goes on to the missing-child form filled in from the call
//! (`/cases/new?call=N`), so a case is made only through the one missing-child path.

use super::forms::FieldErrors;
use super::render;
use super::tip::{choices, field_errors, Choice};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::flash;
use crate::layout::Layout;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use service::intake::tips::{CallForm, TipError, TipForm};

#[derive(Template)]
#[template(path = "call.html")]
struct CallPage {
    layout: Layout,
    fe: FieldErrors,
    f: TipForm,
    callback_number: String,
    missing_child: bool,
    incident_types: Vec<Choice>,
    states: Vec<Choice>,
    countries: Vec<Choice>,
    caller: bool,
}

fn page(ctx: &Ctx, form: CallForm, fe: FieldErrors) -> CallPage {
    let c = choices();
    CallPage {
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            "Record a hotline call",
            &ctx.path,
        ),
        fe,
        missing_child: form.reports_missing_child(),
        callback_number: form.callback_number,
        f: form.tip,
        incident_types: c.incident_types,
        states: c.states,
        countries: c.countries,
        caller: true,
    }
}

/// GET /calls/new
pub async fn new_form(ctx: Ctx) -> Result<Response, AppError> {
    let form = CallForm {
        tip: TipForm {
            country: "US".into(),
            ..TipForm::default()
        },
        ..CallForm::default()
    };
    Ok(render(&page(&ctx, form, FieldErrors::default()))?.into_response())
}

/// POST /calls: the call becomes a report; the page goes to it (or on to the
/// missing-child form), or the form comes back with every problem named by its field.
pub async fn record(ctx: Ctx, Form(form): Form<CallForm>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    match ctx
        .state
        .services
        .record_call(p, &form, ctx.ip.clone())
        .await
    {
        Ok(id) if form.reports_missing_child() => Ok(flash::redirect_with_link(
            &ctx,
            &format!("/cases/new?call={id}"),
            &format!(
                "The call was recorded as report {id}. Now report the child missing: the form \
                 is filled in from the call; complete what the caller did not say."
            ),
            &format!("/reports/{id}"),
            "Open the call's report",
        )),
        Ok(id) => Ok(flash::redirect_with_link(
            &ctx,
            &format!("/reports/{id}"),
            &format!("The call was recorded as report {id}."),
            "/calls/new",
            "Record another call",
        )),
        Err(TipError::Invalid(problems)) => {
            let mut res = render(&page(&ctx, form, field_errors(&problems)))?.into_response();
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(TipError::Service(e)) => Err(e.into()),
    }
}
