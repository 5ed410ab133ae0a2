//! Administration: users, organisations and the audit log.

use super::{enc, render, when};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::layout::Layout;
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use domain::{OrgKind, Role};
use serde::Deserialize;
use service::accounts::{Actor, NewAccount, OrgView, Page, UserView};
use service::audit::AuditCheck;
use service::ServiceError;

fn actor(ctx: &Ctx) -> Result<Actor, AppError> {
    Ok(Actor::User(ctx.principal()?.clone()))
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    layout: Layout,
    notice: Option<&'static str>,
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
    #[serde(default)]
    notice: String,
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
    render(&UsersPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Users", &ctx.path),
        notice: (q.notice == "created").then_some("The account was created."),
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
        Ok(_) => Ok(Redirect::to("/admin/users?notice=created").into_response()),
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
    notice: Option<&'static str>,
    error: Option<String>,
    user: UserView,
    roles: &'static [Role],
}

async fn user_page(
    ctx: &Ctx,
    username: &str,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<Response, AppError> {
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
        notice,
        error,
        user,
        roles: &Role::ALL,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn user(ctx: Ctx, Path(username): Path<String>) -> Result<Response, AppError> {
    user_page(&ctx, &username, None, None).await
}

pub async fn unlock(ctx: Ctx, Path(username): Path<String>) -> Result<Response, AppError> {
    ctx.state
        .services
        .unlock(&actor(&ctx)?, &username, ctx.ip.clone())
        .await?;
    user_page(&ctx, &username, Some("The account was unlocked."), None).await
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
        Ok(()) => {
            user_page(
                &ctx,
                &username,
                Some("The password was set and the user was signed out."),
                None,
            )
            .await
        }
        Err(ServiceError::Invalid(m)) => user_page(&ctx, &username, None, Some(m)).await,
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
        Ok(()) => {
            user_page(
                &ctx,
                &username,
                Some("The role was changed and the user was signed out."),
                None,
            )
            .await
        }
        Err(ServiceError::Invalid(m)) => user_page(&ctx, &username, None, Some(m)).await,
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
    user_page(
        &ctx,
        &username,
        Some("The second factor was removed; the user sets it up again at the next sign-in."),
        None,
    )
    .await
}

#[derive(Template)]
#[template(path = "admin_orgs.html")]
struct OrgsPage {
    layout: Layout,
    notice: Option<&'static str>,
    error: Option<String>,
    orgs: Vec<OrgView>,
    kinds: &'static [OrgKind],
}

async fn orgs_page(
    ctx: &Ctx,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<Response, AppError> {
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
        notice,
        error,
        orgs,
        kinds: &OrgKind::ALL,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn orgs(ctx: Ctx) -> Result<Response, AppError> {
    orgs_page(&ctx, None, None).await
}

#[derive(Deserialize)]
pub struct OrgForm {
    name: String,
    kind: String,
}

pub async fn create_org(ctx: Ctx, Form(f): Form<OrgForm>) -> Result<Response, AppError> {
    let kind: OrgKind = match f.kind.parse() {
        Ok(k) => k,
        Err(e) => return orgs_page(&ctx, None, Some(format!("{e}"))).await,
    };
    match ctx
        .state
        .services
        .create_org(&actor(&ctx)?, &f.name, kind, ctx.ip.clone())
        .await
    {
        Ok(_) => orgs_page(&ctx, Some("The organisation was added."), None).await,
        Err(ServiceError::Invalid(m) | ServiceError::Conflict(m)) => {
            orgs_page(&ctx, None, Some(m)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub struct AuditView {
    pub seq: i64,
    pub when: String,
    pub actor: String,
    pub action: String,
    pub record: String,
    pub ip: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    layout: Layout,
    verification: Option<(bool, String)>,
    actor: String,
    actor_enc: String,
    rows: Vec<AuditView>,
    older: Option<i64>,
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    before: Option<i64>,
    #[serde(default)]
    verify: Option<String>,
}

const AUDIT_PAGE: i64 = 100;

pub async fn audit(ctx: Ctx, Query(q): Query<AuditQuery>) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let actor = q.actor.trim().to_ascii_lowercase();
    let verification = if q.verify.is_some() {
        Some(match ctx.state.services.verify_audit().await? {
            AuditCheck::Intact { entries } => (
                true,
                format!("The chain is intact: {entries} entries verified."),
            ),
            AuditCheck::Broken(b) => (false, format!("The chain is broken: {b}.")),
        })
    } else {
        None
    };
    let rows = ctx
        .state
        .services
        .audit_page(
            p,
            (!actor.is_empty()).then_some(actor.as_str()),
            q.before,
            AUDIT_PAGE,
        )
        .await?;
    let older = (rows.len() as i64 == AUDIT_PAGE)
        .then(|| rows.last().map(|r| r.seq))
        .flatten();
    let rows = rows
        .into_iter()
        .map(|r| AuditView {
            seq: r.seq,
            when: when(r.at_micros),
            actor: r.actor,
            action: r.action,
            record: match (r.record_type, r.record_id) {
                (Some(t), Some(i)) => format!("{t} {i}"),
                _ => String::new(),
            },
            ip: r.ip.unwrap_or_default(),
            detail: r.detail.unwrap_or_default(),
        })
        .collect();
    render(&AuditPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Audit log", &ctx.path),
        verification,
        actor_enc: enc(&actor),
        actor,
        rows,
        older,
    })
}
