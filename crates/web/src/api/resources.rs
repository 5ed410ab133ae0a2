//! The recovery resource directory over JSON: search (the pages' filters, paged), one
//! service, adding and editing one. The same use cases, policy and audit as the pages.

use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::ctx::Ctx;
use crate::error::{AppError, FieldProblem, Problem};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use recovery::{Need, Service, ServiceForm};
use serde::{Deserialize, Serialize};
use service::recovery::ResourceQuery;
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct OrganisationOut {
    /// The organisation's Open Referral (HSDS) id.
    pub id: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct EligibilityOut {
    pub min_age: Option<u8>,
    pub max_age: Option<u8>,
    /// `female`, `male`, or null for anyone.
    pub sex: Option<String>,
    /// Only for survivors of trafficking or exploitation.
    pub survivors_only: bool,
}

#[derive(Serialize, ToSchema)]
pub struct LocationOut {
    /// The location's HSDS id.
    pub id: String,
    pub name: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    /// Two-letter USPS code.
    pub state: Option<String>,
    pub county: Option<String>,
    pub postal_code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct HowToReferOut {
    pub phone: Option<String>,
    pub email: Option<String>,
    /// A referral form or website.
    pub url: Option<String>,
}

/// A service of the directory.
#[derive(Serialize, ToSchema)]
pub struct ServiceOut {
    pub id: i64,
    /// The service's Open Referral (HSDS) id; a re-import with it updates this service.
    pub hsds_id: String,
    pub organisation: OrganisationOut,
    pub name: String,
    pub description: Option<String>,
    /// Need codes: `shelter_housing`, `medical`, `mental_health`, `substance_use`,
    /// `legal`, `education`, `employment`, `family_reunification`, `basic_needs`,
    /// `survivor_mentoring`, `interpretation`.
    pub needs: Vec<String>,
    pub eligibility: EligibilityOut,
    pub languages: Vec<String>,
    pub locations: Vec<LocationOut>,
    pub service_areas: Vec<String>,
    pub hours: Option<String>,
    pub how_to_refer: HowToReferOut,
    /// Places free, when known.
    pub capacity: Option<u32>,
    /// `YYYY-MM-DD`, or null when never verified.
    pub last_verified: Option<String>,
    /// Not verified for over a year (or never): check with the service before referring.
    pub stale: bool,
}

fn out(id: i64, s: &Service, stale: bool) -> ServiceOut {
    ServiceOut {
        id,
        hsds_id: s.id.to_string(),
        organisation: OrganisationOut {
            id: s.organisation.id.to_string(),
            name: s.organisation.name.clone(),
        },
        name: s.name.clone(),
        description: s.description.clone(),
        needs: s.needs.iter().map(|n| n.code().to_owned()).collect(),
        eligibility: EligibilityOut {
            min_age: s.eligibility.min_age,
            max_age: s.eligibility.max_age,
            sex: s.eligibility.sex.map(|x| x.code().to_owned()),
            survivors_only: s.eligibility.survivors_only,
        },
        languages: s.languages.clone(),
        locations: s
            .locations
            .iter()
            .map(|l| LocationOut {
                id: l.id.to_string(),
                name: l.name.clone(),
                address: l.address.clone(),
                city: l.city.clone(),
                state: l.state.clone(),
                county: l.county.clone(),
                postal_code: l.postal_code.clone(),
            })
            .collect(),
        service_areas: s.service_areas.clone(),
        hours: s.hours.clone(),
        how_to_refer: HowToReferOut {
            phone: s.how_to_refer.phone.clone(),
            email: s.how_to_refer.email.clone(),
            url: s.how_to_refer.url.clone(),
        },
        capacity: s.capacity,
        last_verified: s.last_verified.map(recovery::model::format_date),
        stale,
    }
}

#[derive(Serialize, ToSchema)]
pub struct ResourceList {
    pub services: Vec<ServiceOut>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ResourceListQuery {
    /// A need code, e.g. `shelter_housing`, `legal`.
    need: Option<String>,
    /// Two-letter USPS code.
    state: Option<String>,
    county: Option<String>,
    /// Services whose ages admit this age.
    age: Option<u8>,
    /// A language by name, e.g. `Spanish`.
    language: Option<String>,
    /// Words in the name, organisation or description.
    q: Option<String>,
    /// 1-based; 25 services a page.
    page: Option<i64>,
}

/// Services of the directory matching the filters, by name.
#[utoipa::path(get, path = "/api/v1/resources", tag = "resources", params(ResourceListQuery),
    responses((status = 200, body = ResourceList), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    ctx: Ctx,
    ApiQuery(q): ApiQuery<ResourceListQuery>,
) -> Result<Json<ResourceList>, AppError> {
    let p = ctx.principal()?;
    let need = match q.need.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        None => None,
        Some(n) => Some(Need::parse(n).map_err(|e| {
            AppError::invalid(
                format!("the query parameter `need`: {e}"),
                vec![FieldProblem::new("need", e.to_string())],
            )
        })?),
    };
    let query = ResourceQuery {
        need,
        state: q.state,
        county: q.county,
        age: q.age,
        language: q.language,
        text: q.q,
    };
    let services = &ctx.state.services;
    let page = services.resources(p, &query, q.page.unwrap_or(1)).await?;
    Ok(Json(ResourceList {
        services: page
            .items
            .iter()
            .map(|i| out(i.id, &i.service, i.stale))
            .collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// One service.
#[utoipa::path(get, path = "/api/v1/resources/{id}", tag = "resources", params(("id" = i64, Path, description = "The service's id")),
    responses((status = 200, body = ServiceOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn detail(ctx: Ctx, ApiPath(id): ApiPath<i64>) -> Result<Json<ServiceOut>, AppError> {
    let p = ctx.principal()?;
    let v = ctx.state.services.resource(p, id).await?;
    Ok(Json(out(v.id, &v.service, v.stale)))
}

/// A service as sent to add or replace one.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ServiceIn {
    /// Its Open Referral (HSDS) id, to keep an id given elsewhere; a new UUID when left out.
    /// Ignored on update.
    pub hsds_id: Option<String>,
    pub organisation: String,
    pub name: String,
    pub description: String,
    /// Need codes (at least one).
    pub needs: Vec<String>,
    pub min_age: Option<u8>,
    pub max_age: Option<u8>,
    /// `female`, `male`, or empty for anyone.
    pub sex: String,
    pub survivors_only: bool,
    pub languages: Vec<String>,
    pub address: String,
    pub city: String,
    /// Two-letter USPS code.
    pub state: String,
    pub county: String,
    pub postal_code: String,
    pub service_areas: Vec<String>,
    pub hours: String,
    pub phone: String,
    pub email: String,
    pub url: String,
    pub capacity: Option<u32>,
    /// `YYYY-MM-DD`.
    pub last_verified: String,
}

impl ServiceIn {
    fn form(&self) -> ServiceForm {
        ServiceForm {
            organisation: self.organisation.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            needs: self.needs.clone(),
            min_age: self.min_age.map(|a| a.to_string()).unwrap_or_default(),
            max_age: self.max_age.map(|a| a.to_string()).unwrap_or_default(),
            sex: self.sex.clone(),
            survivors_only: self.survivors_only,
            languages: self.languages.join(","),
            address: self.address.clone(),
            city: self.city.clone(),
            state: self.state.clone(),
            county: self.county.clone(),
            postal_code: self.postal_code.clone(),
            service_areas: self.service_areas.join("\n"),
            hours: self.hours.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            url: self.url.clone(),
            capacity: self.capacity.map(|c| c.to_string()).unwrap_or_default(),
            last_verified: self.last_verified.clone(),
        }
    }
}

fn form_error(e: recovery::FormErrors) -> AppError {
    let message = e.to_string();
    let fields =
        e.0.into_iter()
            .map(|f| FieldProblem::new(f.field, f.message))
            .collect();
    AppError::invalid(message, fields)
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
    pub hsds_id: String,
}

/// Adds a service. Recovery specialists, supervisors and administrators.
#[utoipa::path(post, path = "/api/v1/resources", tag = "resources", request_body = ServiceIn,
    responses((status = 201, body = Created), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn create(ctx: Ctx, ApiJson(n): ApiJson<ServiceIn>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let sid = match n
        .hsds_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(given) => recovery::HsdsId::parse("hsds_id", given).map_err(|e| {
            AppError::invalid(
                format!("hsds_id: {e}"),
                vec![FieldProblem::new("hsds_id", e.to_string())],
            )
        })?,
        None => service::recovery::new_hsds_id()?,
    };
    let ids = [
        sid,
        service::recovery::new_hsds_id()?,
        service::recovery::new_hsds_id()?,
    ];
    let s = n.form().check(None, ids).map_err(form_error)?;
    let hsds_id = s.id.to_string();
    let id = ctx
        .state
        .services
        .create_resource(p, s, ctx.ip.clone())
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id, hsds_id })).into_response())
}

/// Replaces a service's content (its HSDS id and other locations than the first are kept).
#[utoipa::path(put, path = "/api/v1/resources/{id}", tag = "resources", request_body = ServiceIn,
    params(("id" = i64, Path, description = "The service's id")),
    responses((status = 200, body = ServiceOut), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(n): ApiJson<ServiceIn>,
) -> Result<Json<ServiceOut>, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    let before = services.resource(p, id).await?;
    let ids = [
        before.service.id.clone(),
        before.service.organisation.id.clone(),
        service::recovery::new_hsds_id()?,
    ];
    let s = n
        .form()
        .check(Some(&before.service), ids)
        .map_err(form_error)?;
    services.update_resource(p, id, s, ctx.ip.clone()).await?;
    let v = services.resource(p, id).await?;
    Ok(Json(out(v.id, &v.service, v.stale)))
}

/// An HSDS 3.x CSV data package as JSON: each file's name (`services.csv`, …) and its text.
#[derive(Serialize, Deserialize, ToSchema, Default)]
pub struct Package {
    /// `organizations.csv` and `services.csv` are required; `locations.csv`,
    /// `addresses.csv`, `service_at_location.csv`, `phones.csv`, `languages.csv`,
    /// `schedules.csv`, `service_areas.csv`, `taxonomies.csv`, `taxonomy_terms.csv` and
    /// `attributes.csv` are read when present.
    pub files: std::collections::BTreeMap<String, String>,
}

/// A row of the package that was not imported.
#[derive(Serialize, ToSchema)]
pub struct RejectedRow {
    pub file: String,
    /// The line the row starts on (the header is line 1); 0 for the file as a whole.
    pub line: u64,
    /// What was wrong and what to do.
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct ImportResult {
    pub added: usize,
    pub updated: usize,
    pub rejected: Vec<RejectedRow>,
}

/// Imports an Open Referral HSDS 3.x data package: a service whose HSDS id is already in
/// the directory is updated, not added again; rows that cannot be read are returned by
/// file and line and the rest is imported. For packages larger than a few megabytes, use
/// `clearinghouse resources import`.
#[utoipa::path(post, path = "/api/v1/resources/import", tag = "resources", request_body = Package,
    responses((status = 200, body = ImportResult), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn import(
    ctx: Ctx,
    ApiJson(pkg): ApiJson<Package>,
) -> Result<Json<ImportResult>, AppError> {
    let p = ctx.principal()?;
    let mut files = recovery::hsds::Files::new();
    let mut unknown = Vec::new();
    for (name, text) in pkg.files {
        if recovery::hsds::FILES.contains(&name.as_str()) {
            files.insert(name, text.into_bytes());
        } else {
            unknown.push(FieldProblem::new(
                format!("files.{name}"),
                format!(
                    "not a file of an HSDS 3 package this directory reads (one of: {})",
                    recovery::hsds::FILES.join(", ")
                ),
            ));
        }
    }
    if !unknown.is_empty() {
        return Err(AppError::invalid(
            "the package names a file this directory does not read: rename or leave it out",
            unknown,
        ));
    }
    let s = ctx
        .state
        .services
        .import_resources(p, &files, ctx.ip.clone())
        .await?;
    Ok(Json(ImportResult {
        added: s.added,
        updated: s.updated,
        rejected: s
            .rejected
            .into_iter()
            .map(|r| RejectedRow {
                file: r.file,
                line: r.line,
                reason: r.reason,
            })
            .collect(),
    }))
}

/// The whole directory as an Open Referral HSDS 3.x data package.
#[utoipa::path(get, path = "/api/v1/resources/export", tag = "resources",
    responses((status = 200, body = Package), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn export(ctx: Ctx) -> Result<Json<Package>, AppError> {
    let p = ctx.principal()?;
    let files = ctx.state.services.export_resources(p).await?;
    Ok(Json(Package {
        files: files
            .into_iter()
            .map(|(k, v)| (k, String::from_utf8_lossy(&v).into_owned()))
            .collect(),
    }))
}
