//! A user's own account: password and personal API tokens.

use super::{render, when};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::flash;
use crate::layout::Layout;
use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use service::ServiceError;

pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created: String,
    pub last_used: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    error: Option<String>,
    /// The field the error is about: `current`, `new` or `token_name`.
    error_field: &'static str,
    new_token: Option<String>,
    tokens: Vec<TokenView>,
}

async fn page(
    ctx: &Ctx,
    error: Option<(&'static str, String)>,
    new_token: Option<String>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let tokens = ctx
        .state
        .services
        .own_tokens(p)
        .await?
        .into_iter()
        .map(|t| TokenView {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            created: when(t.created_at),
            last_used: t.last_used_at.map(when).unwrap_or_else(|| "never".into()),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = AccountPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Your account", "/account"),
        error_field: error.as_ref().map(|e| e.0).unwrap_or_default(),
        error: error.map(|e| e.1),
        new_token,
        tokens,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn show(ctx: Ctx) -> Result<Response, AppError> {
    page(&ctx, None, None).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
}

pub async fn change_password(ctx: Ctx, Form(f): Form<PasswordForm>) -> Result<Response, AppError> {
    let p = ctx.principal()?.clone();
    match ctx
        .state
        .services
        .change_own_password(&p, &f.current, &f.new, ctx.ip.clone())
        .await
    {
        Ok(()) => Ok(Redirect::to("/login?notice=password-changed").into_response()),
        Err(ServiceError::Invalid(m)) => {
            let field = if m.contains("current") {
                "current"
            } else {
                "new"
            };
            page(&ctx, Some((field, m)), None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
}

pub async fn create_token(ctx: Ctx, Form(f): Form<TokenForm>) -> Result<Response, AppError> {
    let p = ctx.principal()?.clone();
    let actor = service::accounts::Actor::User(p.clone());
    match ctx
        .state
        .services
        .create_token(&actor, p.username.as_str(), &f.name, ctx.ip.clone())
        .await
    {
        Ok(t) => page(&ctx, None, Some(t.token)).await,
        Err(ServiceError::Invalid(m)) => page(&ctx, Some(("token_name", m)), None).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_token(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let p = ctx.principal()?.clone();
    ctx.state
        .services
        .revoke_own_token(&p, id, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        "/account",
        "The API token was revoked: scripts using it are refused from now on.",
    ))
}
