//! Administration: users and organisations (the audit log is `audit.rs`).

use super::{enc, render};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::flash;
use crate::layout::Layout;
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use domain::{OrgKind, Role};
use serde::Deserialize;
use service::accounts::{Actor, NewAccount, OrgView, Page, UserView};
use service::ServiceError;

fn actor(ctx: &Ctx) -> Result<Actor, AppError> {
    Ok(Actor::User(ctx.principal()?.clone()))
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    layout: Layout,
    q: String,
    q_enc: String,
    page: Page<UserView>,
}

#[derive(Deserialize, Default)]
pub struct UsersQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<i64>,
}

pub async fn users(ctx: Ctx, Query(q): Query<UsersQuery>) -> Result<Html<String>, AppError> {
    let search = q.q.trim();
    let page = ctx
        .state
        .services
        .users_page(
            &actor(&ctx)?,
            (!search.is_empty()).then_some(search),
            q.page.unwrap_or(1),
            50,
        )
        .await?;
    super::audit_list(&ctx, "/admin/users", page.items.iter().map(|u| u.id.0)).await?;
    render(&UsersPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Users", &ctx.path),
        q: search.to_owned(),
        q_enc: enc(search),
        page,
    })
}

#[derive(Template)]
#[template(path = "admin_user_new.html")]
struct NewUserPage {
    layout: Layout,
    error: Option<String>,
    /// The field the error is about, which the summary links to.
    error_field: &'static str,
    orgs: Vec<OrgView>,
    roles: &'static [Role],
    form_org: String,
    form_role: String,
    form_username: String,
    form_display: String,
}

#[derive(Deserialize, Default)]
pub struct NewUserForm {
    org: String,
    role: String,
    username: String,
    #[serde(default)]
    display_name: String,
    password: String,
}

async fn new_user_page(
    ctx: &Ctx,
    error: Option<String>,
    f: NewUserForm,
) -> Result<Response, AppError> {
    let orgs = ctx.state.services.orgs(&actor(ctx)?).await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = NewUserPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Add a user", "/admin/users"),
        error_field: new_user_field(error.as_deref().unwrap_or_default()),
        error,
        orgs,
        roles: &Role::ALL,
        form_org: f.org,
        form_role: f.role,
        form_username: f.username,
        form_display: f.display_name,
    };
    Ok((status, render(&page)?).into_response())
}

/// Which field a refusal of the new account is about, from the service's message.
fn new_user_field(message: &str) -> &'static str {
    let m = message.to_ascii_lowercase();
    if m.contains("organisation") {
        "org"
    } else if m.contains("role") {
        "role"
    } else if m.contains("password") {
        "password"
    } else if m.contains("display name") {
        "display_name"
    } else {
        "username"
    }
}

pub async fn new_user(ctx: Ctx) -> Result<Response, AppError> {
    new_user_page(&ctx, None, NewUserForm::default()).await
}

pub async fn create_user(ctx: Ctx, Form(f): Form<NewUserForm>) -> Result<Response, AppError> {
    let role: Role = match f.role.parse() {
        Ok(r) => r,
        Err(e) => return new_user_page(&ctx, Some(format!("{e}")), f).await,
    };
    let result = ctx
        .state
        .services
        .create_user(
            &actor(&ctx)?,
            NewAccount {
                org_name: &f.org,
                username: &f.username,
                display_name: &f.display_name,
                role,
                password: &f.password,
            },
            ctx.ip.clone(),
        )
        .await;
    match result {
        Ok(_) => Ok(flash::redirect(
            &ctx,
            &format!("/admin/users/{}", enc(f.username.trim())),
            format!(
                "The account {} was created with the role {}.",
                f.username.trim(),
                role.label()
            ),
        )),
        Err(ServiceError::Invalid(m) | ServiceError::Conflict(m)) => {
            new_user_page(&ctx, Some(m), f).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage {
    layout: Layout,
    error: Option<String>,
    /// The form the error is about: `role` or `password`.
    error_field: &'static str,
    user: UserView,
    roles: &'static [Role],
}

async fn user_page(ctx: &Ctx, username: &str, error: Option<String>) -> Result<Response, AppError> {
    let a = actor(ctx)?;
    let user = ctx.state.services.user_by_username(&a, username).await?;
    ctx.state
        .services
        .record_view(
            ctx.principal()?,
            "user",
            &user.id.to_string(),
            ctx.ip.clone(),
        )
        .await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = UserPage {
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            &user.display_name,
            "/admin/users",
        ),
        error_field: match &error {
            Some(m) if m.contains("password") => "password",
            _ => "role",
        },
        error,
        user,
        roles: &Role::ALL,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn user(ctx: Ctx, Path(username): Path<String>) -> Result<Response, AppError> {
    user_page(&ctx, &username, None).await
}

pub async fn unlock(ctx: Ctx, Path(username): Path<String>) -> Result<Response, AppError> {
    ctx.state
        .services
        .unlock(&actor(&ctx)?, &username, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        &user_href(&username),
        format!("The account {username} was unlocked."),
    ))
}

fn user_href(username: &str) -> String {
    format!("/admin/users/{}", enc(username))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    password: String,
}

pub async fn reset_password(
    ctx: Ctx,
    Path(username): Path<String>,
    Form(f): Form<PasswordForm>,
) -> Result<Response, AppError> {
    match ctx
        .state
        .services
        .reset_password(&actor(&ctx)?, &username, &f.password, ctx.ip.clone())
        .await
    {
        Ok(()) => Ok(flash::redirect(
            &ctx,
            &user_href(&username),
            format!("A new password was set for {username}, who was signed out."),
        )),
        Err(ServiceError::Invalid(m)) => user_page(&ctx, &username, Some(m)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
}

pub async fn set_role(
    ctx: Ctx,
    Path(username): Path<String>,
    Form(f): Form<RoleForm>,
) -> Result<Response, AppError> {
    let role: Role = f
        .role
        .parse()
        .map_err(|e: domain::DomainError| AppError::bad_request(e.to_string()))?;
    match ctx
        .state
        .services
        .set_role(&actor(&ctx)?, &username, role, ctx.ip.clone())
        .await
    {
        Ok(()) => Ok(flash::redirect(
            &ctx,
            &user_href(&username),
            format!(
                "The role of {username} is now {}; they were signed out.",
                role.label()
            ),
        )),
        Err(ServiceError::Invalid(m)) => user_page(&ctx, &username, Some(m)).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn reset_second_factor(
    ctx: Ctx,
    Path(username): Path<String>,
) -> Result<Response, AppError> {
    ctx.state
        .services
        .reset_second_factor(&actor(&ctx)?, &username, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        &user_href(&username),
        format!(
            "The second factor of {username} was removed; they set it up again at the next sign-in."
        ),
    ))
}

#[derive(Template)]
#[template(path = "admin_orgs.html")]
struct OrgsPage {
    layout: Layout,
    error: Option<String>,
    orgs: Vec<OrgView>,
    kinds: &'static [OrgKind],
}

async fn orgs_page(ctx: &Ctx, error: Option<String>) -> Result<Response, AppError> {
    let orgs = ctx.state.services.orgs(&actor(ctx)?).await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = OrgsPage {
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            "Organisations",
            "/admin/organisations",
        ),
        error,
        orgs,
        kinds: &OrgKind::ALL,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn orgs(ctx: Ctx) -> Result<Response, AppError> {
    orgs_page(&ctx, None).await
}

#[derive(Deserialize)]
pub struct OrgForm {
    name: String,
    kind: String,
}

pub async fn create_org(ctx: Ctx, Form(f): Form<OrgForm>) -> Result<Response, AppError> {
    let kind: OrgKind = match f.kind.parse() {
        Ok(k) => k,
        Err(e) => return orgs_page(&ctx, Some(format!("{e}"))).await,
    };
    match ctx
        .state
        .services
        .create_org(&actor(&ctx)?, &f.name, kind, ctx.ip.clone())
        .await
    {
        Ok(_) => Ok(flash::redirect(
            &ctx,
            "/admin/organisations",
            format!("The organisation {} was added.", f.name.trim()),
        )),
        Err(ServiceError::Invalid(m) | ServiceError::Conflict(m)) => orgs_page(&ctx, Some(m)).await,
        Err(e) => Err(e.into()),
    }
}
