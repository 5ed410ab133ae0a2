//! Signing in and out, and the second factor (verify and enrol).

use super::{local_path, render};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::guard::{set_cookie, SESSION_COOKIE};
use crate::layout::Layout;
use askama::Template;
use axum::extract::Query;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use service::accounts::auth::SecondFactor;
use service::ServiceError;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    error: Option<String>,
    notice: Option<&'static str>,
    username: String,
    next: String,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    notice: String,
}

fn notice_text(key: &str) -> Option<&'static str> {
    match key {
        "signed-out" => Some("You are signed out."),
        "password-changed" => Some("Your password was changed. Sign in with the new one."),
        "expired" => Some("Your session ended. Sign in again."),
        // Only someone who knew the password gets here, so saying "locked" reveals nothing.
        "locked" => Some(
            "Too many wrong codes: the account is locked. It unlocks by itself after a while, or an administrator can unlock it sooner.",
        ),
        _ => None,
    }
}

pub async fn login_page(ctx: Ctx, Query(q): Query<LoginQuery>) -> Result<Response, AppError> {
    if ctx.identity.principal().is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let page = LoginPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Sign in", &ctx.path),
        error: None,
        notice: notice_text(&q.notice),
        username: String::new(),
        next: local_path(&q.next).to_owned(),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login(ctx: Ctx, Form(f): Form<LoginForm>) -> Result<Response, AppError> {
    match ctx
        .state
        .services
        .login(&f.username, &f.password, ctx.ip.clone())
        .await
    {
        Ok(signed) => {
            let max_age = ctx.state.services.settings.session_max_hours * 3600;
            let cookie = set_cookie(&ctx.state, SESSION_COOKIE, &signed.token, Some(max_age));
            let to = match signed.session.second_factor {
                SecondFactor::Done => local_path(&f.next).to_owned(),
                SecondFactor::Verify => "/login/second-factor".to_owned(),
                SecondFactor::Enrol => "/account/second-factor".to_owned(),
            };
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&to)).into_response())
        }
        Err(e @ (ServiceError::InvalidCredentials | ServiceError::Locked)) => {
            let page = LoginPage {
                layout: Layout::new(&ctx.state, &ctx.identity, "Sign in", &ctx.path),
                error: Some(format!("{e}.")),
                notice: None,
                username: f.username.chars().take(64).collect(),
                next: local_path(&f.next).to_owned(),
            };
            Ok((StatusCode::UNAUTHORIZED, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn logout(ctx: Ctx) -> Result<Response, AppError> {
    if let Some(s) = ctx.identity.session() {
        ctx.state.services.logout(s, ctx.ip.clone()).await?;
    }
    let cookie = set_cookie(&ctx.state, SESSION_COOKIE, "", Some(0));
    Ok((
        [(header::SET_COOKIE, cookie)],
        Redirect::to("/login?notice=signed-out"),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactorPage {
    layout: Layout,
    error: Option<String>,
}

pub async fn second_factor_page(ctx: Ctx) -> Result<Response, AppError> {
    let Some(s) = ctx.identity.session() else {
        return Ok(Redirect::to("/login").into_response());
    };
    match s.second_factor {
        SecondFactor::Done => return Ok(Redirect::to("/").into_response()),
        SecondFactor::Enrol => return Ok(Redirect::to("/account/second-factor").into_response()),
        SecondFactor::Verify => {}
    }
    let page = SecondFactorPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Enter your code", &ctx.path),
        error: None,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
}

pub async fn second_factor(ctx: Ctx, Form(f): Form<CodeForm>) -> Result<Response, AppError> {
    let Some(s) = ctx.identity.session() else {
        return Ok(Redirect::to("/login").into_response());
    };
    match ctx
        .state
        .services
        .verify_second_factor(s, &f.code, ctx.ip.clone())
        .await
    {
        Ok(()) => Ok(Redirect::to("/").into_response()),
        Err(ServiceError::InvalidCode) => {
            let page = SecondFactorPage {
                layout: Layout::new(&ctx.state, &ctx.identity, "Enter your code", &ctx.path),
                error: Some(ServiceError::InvalidCode.to_string()),
            };
            Ok((StatusCode::UNAUTHORIZED, render(&page)?).into_response())
        }
        // Too many wrong codes: the half-session is gone; back to the start.
        Err(ServiceError::Locked) => {
            let cookie = set_cookie(&ctx.state, SESSION_COOKIE, "", Some(0));
            Ok((
                [(header::SET_COOKIE, cookie)],
                Redirect::to("/login?notice=locked"),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "enrol.html")]
struct EnrolPage {
    layout: Layout,
    secret: String,
    qr_svg: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
struct RecoveryCodesPage {
    layout: Layout,
    codes: Vec<String>,
}

async fn enrol_page(ctx: &Ctx, error: Option<String>) -> Result<Response, AppError> {
    let Some(s) = ctx.identity.session() else {
        return Ok(Redirect::to("/login").into_response());
    };
    let (secret, url) = ctx.state.services.begin_enrolment(s).await?;
    let qr_svg = qrcode::QrCode::new(url.as_bytes())
        .map(|c| {
            c.render::<qrcode::render::svg::Color>()
                .min_dimensions(192, 192)
                .build()
        })
        .unwrap_or_default();
    let page = EnrolPage {
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            "Set up your second factor",
            &ctx.path,
        ),
        secret,
        qr_svg,
        error,
    };
    let status = if page.error.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn enrol_start(ctx: Ctx) -> Result<Response, AppError> {
    enrol_page(&ctx, None).await
}

pub async fn enrol_confirm(ctx: Ctx, Form(f): Form<CodeForm>) -> Result<Response, AppError> {
    let Some(s) = ctx.identity.session() else {
        return Ok(Redirect::to("/login").into_response());
    };
    match ctx
        .state
        .services
        .confirm_enrolment(s, &f.code, ctx.ip.clone())
        .await
    {
        Ok(codes) => {
            let mut identity = ctx.identity.clone();
            if let crate::ctx::Identity::Session(sess) = &mut identity {
                sess.second_factor = SecondFactor::Done;
            }
            let page = RecoveryCodesPage {
                layout: Layout::new(&ctx.state, &identity, "Your recovery codes", &ctx.path),
                codes,
            };
            Ok(render(&page)?.into_response())
        }
        Err(ServiceError::InvalidCode) => {
            enrol_page(&ctx, Some(ServiceError::InvalidCode.to_string())).await
        }
        Err(e) => Err(e.into()),
    }
}
