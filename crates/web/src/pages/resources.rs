//! The recovery resource directory (issue 19): search by need, state, county, age and
//! language with paging and an empty state, each service's page (a stale entry marked),
//! and the add/edit form in GOV.UK's pattern (errors summarised and beside each field).

use super::forms::FieldErrors;
use super::{enc, render, when};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::flash;
use crate::layout::Layout;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use domain::policy::permits;
use domain::Action;
use recovery::{Need, Service, ServiceForm};
use serde::Deserialize;
use service::recovery::ResourceQuery;

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct Row {
    pub id: i64,
    pub name: String,
    pub organisation: String,
    pub needs: String,
    pub places: String,
    pub ages: String,
    pub languages: String,
    pub stale: bool,
    pub verified: String,
}

fn ages(s: &Service) -> String {
    match (s.eligibility.min_age, s.eligibility.max_age) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        (Some(a), None) => format!("{a} and over"),
        (None, Some(b)) => format!("up to {b}"),
        (None, None) => "any age".into(),
    }
}

pub(super) fn places(s: &Service) -> String {
    let mut v: Vec<String> = s
        .locations
        .iter()
        .map(|l| {
            [l.city.clone(), l.county.clone(), l.state.clone()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ")
        })
        .filter(|x| !x.is_empty())
        .collect();
    v.dedup();
    v.join("; ")
}

fn verified(s: &Service) -> String {
    s.last_verified
        .map(recovery::model::format_date)
        .unwrap_or_else(|| "never".into())
}

#[derive(Template)]
#[template(path = "resources.html")]
struct ListPage {
    layout: Layout,
    can_manage: bool,
    needs: Vec<Choice>,
    states: Vec<Choice>,
    county: String,
    age: String,
    age_error: Option<String>,
    language: String,
    q: String,
    filtered: bool,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    list_enc: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    need: String,
    state: String,
    county: String,
    age: String,
    language: String,
    q: String,
    page: Option<i64>,
}

/// The directory: search form and a page of results.
pub async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    let need = Need::parse(&q.need).ok();
    let (age, age_error) = match q.age.trim() {
        "" => (None, None),
        a => match a.parse::<u8>() {
            Ok(n) if n <= 120 => (Some(n), None),
            _ => (
                None,
                Some("Enter the young person's age in whole years, for example 16".to_owned()),
            ),
        },
    };
    let query = ResourceQuery {
        need,
        state: Some(q.state.clone()),
        county: Some(q.county.clone()),
        age,
        language: Some(q.language.clone()),
        text: Some(q.q.clone()),
    };
    let page = services.resources(p, &query, q.page.unwrap_or(1)).await?;
    let today = services.today();
    let states = services.resource_states(p).await?;
    let rows = page
        .items
        .iter()
        .map(|i| Row {
            id: i.id,
            name: i.service.name.clone(),
            organisation: i.service.organisation.name.clone(),
            needs: i
                .service
                .needs
                .iter()
                .map(|n| n.label())
                .collect::<Vec<_>>()
                .join(", "),
            places: places(&i.service),
            ages: ages(&i.service),
            languages: i.service.languages.join(", "),
            stale: i.service.is_stale(today),
            verified: verified(&i.service),
        })
        .collect();
    let state_upper = q.state.trim().to_ascii_uppercase();
    let filtered = [&q.need, &q.state, &q.county, &q.age, &q.language, &q.q]
        .iter()
        .any(|v| !v.trim().is_empty());
    let pages = page.pages();
    render(&ListPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Recovery resources", &ctx.path),
        can_manage: permits(Some(p), Action::ManageResources),
        needs: Need::ALL
            .iter()
            .map(|n| Choice {
                value: n.code().into(),
                label: n.label().into(),
                selected: Some(*n) == need,
            })
            .collect(),
        states: states
            .into_iter()
            .map(|s| Choice {
                selected: s == state_upper,
                label: s.clone(),
                value: s,
            })
            .collect(),
        county: q.county.trim().to_owned(),
        age: q.age.trim().to_owned(),
        age_error,
        language: q.language.trim().to_owned(),
        q: q.q.trim().to_owned(),
        filtered,
        rows,
        total: page.total,
        page: page.page,
        pages,
        list_enc: format!(
            "need={}&state={}&county={}&age={}&language={}&q={}",
            enc(q.need.trim()),
            enc(q.state.trim()),
            enc(q.county.trim()),
            enc(q.age.trim()),
            enc(q.language.trim()),
            enc(q.q.trim())
        ),
    })
}

#[derive(Template)]
#[template(path = "resource.html")]
struct DetailPage {
    layout: Layout,
    id: i64,
    s: Service,
    needs: Vec<&'static str>,
    ages: String,
    sex: String,
    stale: bool,
    verified: String,
    can_manage: bool,
    updated: String,
}

/// One service.
pub async fn detail(ctx: Ctx, Path(id): Path<i64>) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let v = ctx.state.services.resource(p, id).await?;
    let s = v.service;
    render(&DetailPage {
        layout: Layout::new(&ctx.state, &ctx.identity, &s.name, &ctx.path),
        id: v.id,
        needs: s.needs.iter().map(|n| n.label()).collect(),
        ages: ages(&s),
        sex: match s.eligibility.sex {
            Some(recovery::SexEligibility::Female) => "Girls and women only".into(),
            Some(recovery::SexEligibility::Male) => "Boys and men only".into(),
            None => "Anyone".into(),
        },
        stale: v.stale,
        verified: verified(&s),
        can_manage: permits(Some(p), Action::ManageResources),
        updated: when(v.updated_at),
        s,
    })
}

pub struct FormField {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    /// `text`, `textarea`, `email`, `url`, `tel`, `date`.
    pub kind: &'static str,
    pub value: String,
    pub error: Option<String>,
}

impl FormField {
    pub fn described_by(&self) -> String {
        let mut v = Vec::new();
        if !self.hint.is_empty() {
            v.push(format!("{}-hint", self.name));
        }
        if self.error.is_some() {
            v.push(format!("{}-error", self.name));
        }
        v.join(" ")
    }
}

#[derive(Template)]
#[template(path = "resource_form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    back: String,
    errors: Vec<(String, String)>,
    about: Vec<FormField>,
    needs: Vec<Choice>,
    needs_error: Option<String>,
    eligibility: Vec<FormField>,
    sexes: Vec<Choice>,
    sex_error: Option<String>,
    survivors_only: bool,
    place: Vec<FormField>,
    refer: Vec<FormField>,
}

const LABELS: &[(&str, &str, &str, &str)] = &[
    ("organisation", "Organisation", "", "text"),
    ("name", "Service name", "", "text"),
    ("description", "What the service does", "", "textarea"),
    (
        "hours",
        "Opening hours",
        "For example: Monday to Friday 9am to 5pm; crisis line 24 hours",
        "text",
    ),
    (
        "capacity",
        "Places free",
        "Leave empty if not known",
        "text",
    ),
    (
        "last_verified",
        "Last verified with the service",
        "YYYY-MM-DD, for example 2026-03-01",
        "date",
    ),
    (
        "min_age",
        "Youngest age served",
        "In whole years; leave empty for no lower limit",
        "text",
    ),
    (
        "max_age",
        "Oldest age served",
        "In whole years; leave empty for no upper limit",
        "text",
    ),
    (
        "languages",
        "Languages spoken",
        "Separate them with commas, for example English, Spanish",
        "text",
    ),
    ("address", "Street address", "", "text"),
    ("city", "City", "", "text"),
    ("county", "County", "", "text"),
    ("state", "State", "Two letters, for example TX", "text"),
    ("postal_code", "ZIP code", "", "text"),
    (
        "service_areas",
        "Areas served",
        "One per line, for example All of Harris County",
        "textarea",
    ),
    ("phone", "Referral phone", "", "tel"),
    ("email", "Referral email", "", "email"),
    (
        "url",
        "Referral form or website",
        "Starting https://",
        "url",
    ),
];

fn label(name: &str) -> &'static str {
    LABELS.iter().find(|l| l.0 == name).map_or("", |l| l.1)
}

fn value(f: &ServiceForm, name: &str) -> String {
    match name {
        "organisation" => f.organisation.clone(),
        "name" => f.name.clone(),
        "description" => f.description.clone(),
        "hours" => f.hours.clone(),
        "capacity" => f.capacity.clone(),
        "last_verified" => f.last_verified.clone(),
        "min_age" => f.min_age.clone(),
        "max_age" => f.max_age.clone(),
        "languages" => f.languages.clone(),
        "address" => f.address.clone(),
        "city" => f.city.clone(),
        "county" => f.county.clone(),
        "state" => f.state.clone(),
        "postal_code" => f.postal_code.clone(),
        "service_areas" => f.service_areas.clone(),
        "phone" => f.phone.clone(),
        "email" => f.email.clone(),
        "url" => f.url.clone(),
        _ => String::new(),
    }
}

fn fields(f: &ServiceForm, errs: &FieldErrors, names: &[&str]) -> Vec<FormField> {
    names
        .iter()
        .filter_map(|n| LABELS.iter().find(|l| l.0 == *n))
        .map(|(name, label, hint, kind)| FormField {
            name,
            label,
            hint,
            kind,
            value: value(f, name),
            error: errs.get(name).map(str::to_owned),
        })
        .collect()
}

/// The recovery crate's errors as the page shows them: the summary names the field.
fn page_errors(e: &recovery::FormErrors) -> FieldErrors {
    let mut out = FieldErrors::default();
    for x in &e.0 {
        let l = match x.field.as_str() {
            "needs" => "What it offers",
            "sex" => "Sex",
            f => label(f),
        };
        out.push(&x.field, format!("{l}: {}", x.message), x.message.clone());
    }
    out
}

fn form_page(
    ctx: &Ctx,
    heading: &str,
    action: String,
    back: String,
    f: &ServiceForm,
    errs: &FieldErrors,
) -> Result<Html<String>, AppError> {
    render(&FormPage {
        layout: Layout::new(&ctx.state, &ctx.identity, heading, &ctx.path),
        heading: heading.to_owned(),
        action,
        back,
        errors: errs.summary(),
        about: fields(
            f,
            errs,
            &[
                "organisation",
                "name",
                "description",
                "hours",
                "capacity",
                "last_verified",
            ],
        ),
        needs: Need::ALL
            .iter()
            .map(|n| Choice {
                value: n.code().into(),
                label: n.label().into(),
                selected: f.needs.iter().any(|c| c == n.code()),
            })
            .collect(),
        needs_error: errs.get("needs").map(str::to_owned),
        eligibility: fields(f, errs, &["min_age", "max_age", "languages"]),
        sexes: [
            ("", "Anyone"),
            ("female", "Girls and women only"),
            ("male", "Boys and men only"),
        ]
        .iter()
        .map(|(v, l)| Choice {
            value: (*v).into(),
            label: (*l).into(),
            selected: f.sex == *v,
        })
        .collect(),
        sex_error: errs.get("sex").map(str::to_owned),
        survivors_only: f.survivors_only,
        place: fields(
            f,
            errs,
            &[
                "address",
                "city",
                "county",
                "state",
                "postal_code",
                "service_areas",
            ],
        ),
        refer: fields(f, errs, &["phone", "email", "url"]),
    })
}

fn parse_form(body: &Bytes) -> ServiceForm {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |n: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    ServiceForm {
        organisation: get("organisation"),
        name: get("name"),
        description: get("description"),
        needs: pairs
            .iter()
            .filter(|(k, _)| k == "needs")
            .map(|(_, v)| v.clone())
            .collect(),
        min_age: get("min_age"),
        max_age: get("max_age"),
        sex: get("sex"),
        survivors_only: get("survivors_only") == "1",
        languages: get("languages"),
        address: get("address"),
        city: get("city"),
        state: get("state"),
        county: get("county"),
        postal_code: get("postal_code"),
        service_areas: get("service_areas"),
        hours: get("hours"),
        phone: get("phone"),
        email: get("email"),
        url: get("url"),
        capacity: get("capacity"),
        last_verified: get("last_verified"),
    }
}

fn invalid(page: Html<String>) -> Response {
    let mut res = page.into_response();
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    res
}

/// The form to add a service.
pub async fn new_form(ctx: Ctx) -> Result<Html<String>, AppError> {
    ctx.principal()?;
    let f = ServiceForm {
        last_verified: recovery::model::format_date(ctx.state.services.today()),
        ..ServiceForm::default()
    };
    form_page(
        &ctx,
        "Add a service",
        "/recovery/resources".into(),
        "/recovery/resources".into(),
        &f,
        &FieldErrors::default(),
    )
}

/// Adds a service.
pub async fn create(ctx: Ctx, body: Bytes) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let f = parse_form(&body);
    let ids = [
        service::recovery::new_hsds_id()?,
        service::recovery::new_hsds_id()?,
        service::recovery::new_hsds_id()?,
    ];
    let s = match f.check(None, ids) {
        Ok(s) => s,
        Err(e) => {
            let page = form_page(
                &ctx,
                "Add a service",
                "/recovery/resources".into(),
                "/recovery/resources".into(),
                &f,
                &page_errors(&e),
            )?;
            return Ok(invalid(page));
        }
    };
    let name = s.name.clone();
    let id = ctx
        .state
        .services
        .create_resource(p, s, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        &format!("/recovery/resources/{id}"),
        format!("“{name}” was added to the directory."),
    ))
}

/// The form to edit a service.
pub async fn edit_form(ctx: Ctx, Path(id): Path<i64>) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let v = ctx.state.services.resource(p, id).await?;
    form_page(
        &ctx,
        &format!("Edit {}", v.service.name),
        format!("/recovery/resources/{id}"),
        format!("/recovery/resources/{id}"),
        &ServiceForm::from_service(&v.service),
        &FieldErrors::default(),
    )
}

/// Saves an edited service.
pub async fn update(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    let before = services.resource(p, id).await?;
    let f = parse_form(&body);
    let ids = [
        before.service.id.clone(),
        before.service.organisation.id.clone(),
        service::recovery::new_hsds_id()?,
    ];
    let s = match f.check(Some(&before.service), ids) {
        Ok(s) => s,
        Err(e) => {
            let page = form_page(
                &ctx,
                &format!("Edit {}", before.service.name),
                format!("/recovery/resources/{id}"),
                format!("/recovery/resources/{id}"),
                &f,
                &page_errors(&e),
            )?;
            return Ok(invalid(page));
        }
    };
    services.update_resource(p, id, s, ctx.ip.clone()).await?;
    Ok(flash::redirect(
        &ctx,
        &format!("/recovery/resources/{id}"),
        "The service was saved.",
    ))
}
