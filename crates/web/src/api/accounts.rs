//! Accounts, organisations, tokens and the audit log over JSON.

use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::ctx::Ctx;
use crate::error::Problem;
use crate::error::{AppError, FieldProblem};
use axum::http::StatusCode;
use axum::Json;
use domain::{OrgKind, Role};
use serde::{Deserialize, Serialize};
use service::accounts::{Actor, NewAccount, UserView};
use service::audit::AuditCheck;
use utoipa::{IntoParams, ToSchema};

/// A member of the body that names something this API does not know.
fn field_error(field: &str, e: domain::DomainError) -> AppError {
    let detail = e.to_string();
    AppError::invalid(
        format!("{field}: {detail}"),
        vec![FieldProblem::new(field, detail)],
    )
}

fn actor(ctx: &Ctx) -> Result<Actor, AppError> {
    Ok(Actor::User(ctx.principal()?.clone()))
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user_id: i64,
    pub username: String,
    /// One of the role names, e.g. `analyst`.
    pub role: String,
    pub organisation_id: i64,
    pub organisation_kind: String,
}

/// Who the token or session belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = Me), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn me(ctx: Ctx) -> Result<Json<Me>, AppError> {
    let p = ctx.principal()?;
    Ok(Json(Me {
        user_id: p.user_id.0,
        username: p.username.to_string(),
        role: p.role.to_string(),
        organisation_id: p.org_id.0,
        organisation_kind: p.org_kind.to_string(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub organisation: String,
    pub locked: bool,
    pub second_factor: bool,
}

impl From<UserView> for User {
    fn from(u: UserView) -> Self {
        User {
            id: u.id.0,
            username: u.username.to_string(),
            display_name: u.display_name,
            role: u.role.to_string(),
            organisation: u.org_name,
            locked: u.locked_at.is_some(),
            second_factor: u.totp_enabled,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserList {
    pub users: Vec<User>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Matches username, name or organisation.
    q: Option<String>,
    /// 1-based.
    page: Option<i64>,
    /// At most 200.
    per_page: Option<i64>,
}

/// Users, paged and searchable. Administrators only.
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts", params(ListQuery),
    responses((status = 200, body = UserList), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_users(
    ctx: Ctx,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<UserList>, AppError> {
    let page = ctx
        .state
        .services
        .users_page(
            &actor(&ctx)?,
            q.q.as_deref().filter(|s| !s.trim().is_empty()),
            q.page.unwrap_or(1),
            q.per_page.unwrap_or(50),
        )
        .await?;
    Ok(Json(UserList {
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        users: page.items.into_iter().map(User::from).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewUser {
    /// The organisation's exact name.
    pub organisation: String,
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    pub role: String,
    /// At least 12 characters, not a common password.
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// Creates an account. Administrators only.
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", request_body = NewUser,
    responses((status = 201, body = Created), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn create_user(
    ctx: Ctx,
    ApiJson(u): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<Created>), AppError> {
    let role: Role = u
        .role
        .parse()
        .map_err(|e: domain::DomainError| field_error("role", e))?;
    let id = ctx
        .state
        .services
        .create_user(
            &actor(&ctx)?,
            NewAccount {
                org_name: &u.organisation,
                username: &u.username,
                display_name: &u.display_name,
                role,
                password: &u.password,
            },
            ctx.ip.clone(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })))
}

#[derive(Serialize, ToSchema)]
pub struct Organisation {
    pub id: i64,
    pub name: String,
    pub kind: String,
}

/// Organisations. Administrators only.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "accounts",
    responses((status = 200, body = [Organisation]), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_orgs(ctx: Ctx) -> Result<Json<Vec<Organisation>>, AppError> {
    let orgs = ctx.state.services.orgs(&actor(&ctx)?).await?;
    Ok(Json(
        orgs.into_iter()
            .map(|o| Organisation {
                id: o.id.0,
                name: o.name,
                kind: o.kind.to_string(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewOrganisation {
    pub name: String,
    /// hotline, law-enforcement, child-welfare, provider, service-provider or partner.
    pub kind: String,
}

/// Adds an organisation. Administrators only.
#[utoipa::path(post, path = "/api/v1/organisations", tag = "accounts", request_body = NewOrganisation,
    responses((status = 201, body = Created), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn create_org(
    ctx: Ctx,
    ApiJson(o): ApiJson<NewOrganisation>,
) -> Result<(StatusCode, Json<Created>), AppError> {
    let kind: OrgKind = o
        .kind
        .parse()
        .map_err(|e: domain::DomainError| field_error("kind", e))?;
    let id = ctx
        .state
        .services
        .create_org(&actor(&ctx)?, &o.name, kind, ctx.ip.clone())
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })))
}

#[derive(Serialize, ToSchema)]
pub struct Token {
    pub id: i64,
    pub name: String,
    /// The first characters, to recognise the token.
    pub prefix: String,
    /// RFC 3339, UTC.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: time::OffsetDateTime,
    /// RFC 3339, UTC; absent if never used.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_used_at: Option<time::OffsetDateTime>,
    pub revoked: bool,
}

/// Your own API tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "accounts", responses((status = 200, body = [Token])))]
pub async fn list_tokens(ctx: Ctx) -> Result<Json<Vec<Token>>, AppError> {
    let p = ctx.principal()?;
    let tokens = ctx.state.services.own_tokens(p).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|t| Token {
                id: t.id,
                name: t.name,
                prefix: t.prefix,
                created_at: super::utc(t.created_at),
                last_used_at: t.last_used_at.map(super::utc),
                revoked: t.revoked_at.is_some(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewToken {
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    pub id: i64,
    /// The secret: shown this once, store it safely.
    pub token: String,
}

/// Creates a token for yourself. The secret is returned once.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "accounts", request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_token(
    ctx: Ctx,
    ApiJson(t): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), AppError> {
    let p = ctx.principal()?.clone();
    let created = ctx
        .state
        .services
        .create_token(
            &Actor::User(p.clone()),
            p.username.as_str(),
            &t.name,
            ctx.ip.clone(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            id: created.id,
            token: created.token,
        }),
    ))
}

/// Revokes one of your tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "accounts", params(("id" = i64, Path, description = "Token id")),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_token(ctx: Ctx, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, AppError> {
    let p = ctx.principal()?.clone();
    ctx.state
        .services
        .revoke_own_token(&p, id, ctx.ip.clone())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    /// RFC 3339, UTC.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: time::OffsetDateTime,
    pub actor: String,
    pub action: String,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub ip: Option<String>,
    pub detail: Option<String>,
    pub hash: String,
}

#[derive(Deserialize, IntoParams)]
pub struct AuditQuery {
    /// Only entries by this username.
    actor: Option<String>,
    /// Only entries older than this sequence number (for paging back).
    before: Option<i64>,
    /// At most 500; default 100.
    limit: Option<i64>,
}

/// The newest audit entries. Administrators only.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = [AuditEntry]), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn audit(
    ctx: Ctx,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, AppError> {
    let p = ctx.principal()?;
    let rows = ctx
        .state
        .services
        .audit_page(
            p,
            q.actor.as_deref().filter(|a| !a.is_empty()),
            q.before,
            q.limit.unwrap_or(100),
        )
        .await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| AuditEntry {
                seq: r.seq,
                at: super::utc(r.at_micros),
                actor: r.actor,
                action: r.action,
                record_type: r.record_type,
                record_id: r.record_id,
                ip: r.ip,
                detail: r.detail,
                hash: r.hash,
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct AuditVerification {
    pub intact: bool,
    pub entries_verified: Option<u64>,
    /// The first entry that was altered, removed or reordered.
    pub first_broken_seq: Option<i64>,
    pub problem: Option<String>,
}

/// Verifies the whole hash chain. Administrators only.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, body = AuditVerification), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn verify_audit(ctx: Ctx) -> Result<Json<AuditVerification>, AppError> {
    let _ = ctx.principal()?;
    Ok(Json(match ctx.state.services.verify_audit().await? {
        AuditCheck::Intact { entries } => AuditVerification {
            intact: true,
            entries_verified: Some(entries),
            first_broken_seq: None,
            problem: None,
        },
        AuditCheck::Broken(b) => AuditVerification {
            intact: false,
            entries_verified: None,
            first_broken_seq: Some(b.seq),
            problem: Some(b.to_string()),
        },
    }))
}

/// One user. Administrators only; the view is audited.
#[utoipa::path(get, path = "/api/v1/users/{username}", tag = "accounts", params(("username" = String, Path, description = "Username")),
    responses((status = 200, body = User), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_user(
    ctx: Ctx,
    ApiPath(username): ApiPath<String>,
) -> Result<Json<User>, AppError> {
    let user = ctx
        .state
        .services
        .user_by_username(&actor(&ctx)?, &username)
        .await?;
    ctx.state
        .services
        .record_view(
            ctx.principal()?,
            "user",
            &user.id.to_string(),
            ctx.ip.clone(),
        )
        .await?;
    Ok(Json(User::from(user)))
}

/// Unlocks an account locked after failed sign-ins. Administrators only.
#[utoipa::path(post, path = "/api/v1/users/{username}/unlock", tag = "accounts", params(("username" = String, Path, description = "Username")),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn unlock_user(
    ctx: Ctx,
    ApiPath(username): ApiPath<String>,
) -> Result<StatusCode, AppError> {
    ctx.state
        .services
        .unlock(&actor(&ctx)?, &username, ctx.ip.clone())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct RoleChange {
    pub role: String,
}

/// Changes a user's role; their sessions end. Administrators only.
#[utoipa::path(put, path = "/api/v1/users/{username}/role", tag = "accounts", params(("username" = String, Path, description = "Username")),
    request_body = RoleChange, responses((status = 204), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn set_user_role(
    ctx: Ctx,
    ApiPath(username): ApiPath<String>,
    ApiJson(r): ApiJson<RoleChange>,
) -> Result<StatusCode, AppError> {
    let role: Role = r
        .role
        .parse()
        .map_err(|e: domain::DomainError| field_error("role", e))?;
    ctx.state
        .services
        .set_role(&actor(&ctx)?, &username, role, ctx.ip.clone())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordReset {
    pub password: String,
}

/// Sets a new password for a user; their sessions end. Administrators only.
#[utoipa::path(put, path = "/api/v1/users/{username}/password", tag = "accounts", params(("username" = String, Path, description = "Username")),
    request_body = PasswordReset, responses((status = 204), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn reset_user_password(
    ctx: Ctx,
    ApiPath(username): ApiPath<String>,
    ApiJson(p): ApiJson<PasswordReset>,
) -> Result<StatusCode, AppError> {
    ctx.state
        .services
        .reset_password(&actor(&ctx)?, &username, &p.password, ctx.ip.clone())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a user's second factor; they set it up again at their next sign-in. Administrators only.
#[utoipa::path(delete, path = "/api/v1/users/{username}/second-factor", tag = "accounts", params(("username" = String, Path, description = "Username")),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn reset_user_second_factor(
    ctx: Ctx,
    ApiPath(username): ApiPath<String>,
) -> Result<StatusCode, AppError> {
    ctx.state
        .services
        .reset_second_factor(&actor(&ctx)?, &username, ctx.ip.clone())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

/// Changes your own password; all your sessions end (API tokens stay valid).
#[utoipa::path(put, path = "/api/v1/me/password", tag = "accounts", request_body = PasswordChange,
    responses((status = 204), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn change_own_password(
    ctx: Ctx,
    ApiJson(p): ApiJson<PasswordChange>,
) -> Result<StatusCode, AppError> {
    let who = ctx.principal()?.clone();
    ctx.state
        .services
        .change_own_password(&who, &p.current, &p.new, ctx.ip.clone())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
