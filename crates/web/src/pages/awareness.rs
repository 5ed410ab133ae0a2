//! The public side of awareness work (issue 22), no sign-in needed: the gallery of
//! missing children's posters (`/posters`, searchable by state), each poster as an
//! accessible page and a PDF, the partners' feeds (Atom and JSON Feed), the signs of
//! trafficking in plain words (`/awareness`), and the publications (`/publications`,
//! uploaded by `ManagePublications`).
//!
//! Caching: every poster response (gallery, page, PDF, feeds) is sent with
//! `Cache-Control: no-cache` and an ETag of its body. A browser or proxy may keep a copy
//! but must ask again before each use, and the answer is computed from the live case
//! state, so no cache can go on serving the poster of a child who has been found or whose
//! consent was withdrawn; an unchanged answer costs only a 304.

use super::forms::FieldErrors;
use super::render;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::flash;
use crate::layout::Layout;
use askama::Template;
use axum::extract::{Multipart, Path, Query};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::policy::permits;
use domain::Action;
use serde::Deserialize;
use service::awareness::model::{Audience, PublicationForm, STATE_CODES};
use service::awareness::{PosterCard, PublicationItem, SignGroupView, POSTERS_PER_PAGE};
use service::ServiceError;

/// The site's origin as the client addressed it, for the feeds' absolute links.
fn base(ctx: &Ctx, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let scheme = if ctx.state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// A response every cache must check again before each use (see the module's note), with
/// an ETag so an unchanged answer is a 304.
fn revalidated(headers: &HeaderMap, content_type: &'static str, body: Vec<u8>) -> Response {
    use sha2::Digest;
    let tag = format!("\"{}\"", hex::encode(&sha2::Sha256::digest(&body)[..16]));
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == tag)
        });
    let mut res = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = body.into_response();
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        r
    };
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

/// A state as the gallery and the feeds take it: a two-letter code, any case.
fn state_param(s: &str) -> Result<Option<String>, String> {
    let s = s.trim().to_ascii_uppercase();
    if s.is_empty() {
        Ok(None)
    } else if STATE_CODES.contains(&s.as_str()) {
        Ok(Some(s))
    } else {
        let shown: String = s.chars().take(20).collect();
        Err(format!(
            "{shown} is not a US state or territory code; choose a state from the list"
        ))
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct GalleryQuery {
    state: String,
    page: String,
}

pub struct StateChoice {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "posters.html")]
struct GalleryPage {
    layout: Layout,
    posters: Vec<PosterCard>,
    total: i64,
    page: i64,
    pages: i64,
    state: String,
    states: Vec<StateChoice>,
    state_error: Option<String>,
}

/// The public gallery of posters.
pub async fn gallery(
    ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<GalleryQuery>,
) -> Result<Response, AppError> {
    let page = q.page.trim().parse::<i64>().unwrap_or(1).max(1);
    let (state, state_error) = match state_param(&q.state) {
        Ok(s) => (s, None),
        Err(e) => (None, Some(e)),
    };
    let g = ctx
        .state
        .services
        .poster_gallery(state.as_deref(), page)
        .await?;
    let (posters, total) = if state_error.is_some() {
        (Vec::new(), 0)
    } else {
        (g.posters, g.total)
    };
    let code = state.clone().unwrap_or_default();
    let body = render(&GalleryPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Missing children", &ctx.path),
        posters,
        total,
        page,
        pages: ((total + POSTERS_PER_PAGE - 1) / POSTERS_PER_PAGE).max(1),
        states: g
            .states
            .into_iter()
            .map(|(c, n)| StateChoice {
                selected: c == code,
                label: format!("{c} ({n})"),
                code: c,
            })
            .collect(),
        state: code,
        state_error: state_error.clone(),
    })?;
    let mut res = revalidated(&headers, "text/html; charset=utf-8", body.0.into_bytes());
    if state_error.is_some() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

#[derive(Template)]
#[template(path = "poster_public.html")]
struct PosterPage {
    layout: Layout,
    number: String,
    name: String,
    fields: Vec<(&'static str, String)>,
    photo: Option<String>,
    hotline: String,
}

#[derive(Template)]
#[template(path = "poster_gone.html")]
struct GonePage {
    layout: Layout,
}

/// `/posters/{number}` (the accessible page) and `/posters/{number}.pdf`. A number that is
/// not a public poster right now answers 410 Gone with the same kind words whatever the
/// reason (found, consent withdrawn, never published), so the answer tells nobody
/// anything about a case that is not public.
pub async fn poster(
    ctx: Ctx,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    use base64::Engine;
    let (number, pdf) = match file.strip_suffix(".pdf") {
        Some(n) => (n, true),
        None => (file.as_str(), false),
    };
    let services = &ctx.state.services;
    let Some(poster) = services.public_poster(number).await? else {
        let mut res = render(&GonePage {
            layout: Layout::new(
                &ctx.state,
                &ctx.identity,
                "This poster is no longer shown",
                &ctx.path,
            ),
        })?
        .into_response();
        *res.status_mut() = StatusCode::GONE;
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        return Ok(res);
    };
    if pdf {
        let mut res = revalidated(&headers, "application/pdf", casework::render_pdf(&poster));
        let name = format!(
            "inline; filename=\"missing-child-poster-{}.pdf\"",
            poster.case_number()
        );
        if let Ok(v) = HeaderValue::from_str(&name) {
            res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
        return Ok(res);
    }
    let photo = poster.photo().map(|ph| {
        format!(
            "data:{};base64,{}",
            ph.mime(),
            base64::engine::general_purpose::STANDARD.encode(ph.bytes())
        )
    });
    let body = render(&PosterPage {
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            &format!("Missing: {}", poster.name()),
            &ctx.path,
        ),
        number: poster.case_number().to_owned(),
        name: poster.name().to_owned(),
        fields: poster
            .fields()
            .into_iter()
            .filter(|(label, _)| *label != "If you have information, call")
            .collect(),
        photo,
        hotline: poster.hotline().to_owned(),
    })?;
    Ok(revalidated(
        &headers,
        "text/html; charset=utf-8",
        body.0.into_bytes(),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FeedQuery {
    state: String,
}

async fn feed(
    ctx: &Ctx,
    headers: &HeaderMap,
    q: &FeedQuery,
) -> Result<
    (
        service::awareness::model::feed::FeedMeta,
        Vec<service::awareness::model::FeedItem>,
    ),
    AppError,
> {
    let state = state_param(&q.state).map_err(AppError::bad_request)?;
    Ok(ctx
        .state
        .services
        .poster_feed(state.as_deref(), &base(ctx, headers))
        .await?)
}

/// The Atom feed (RFC 4287) of current posters.
pub async fn feed_atom(
    ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<FeedQuery>,
) -> Result<Response, AppError> {
    let (meta, items) = feed(&ctx, &headers, &q).await?;
    let xml = service::awareness::model::feed::atom(&meta, &items);
    Ok(revalidated(
        &headers,
        "application/atom+xml; charset=utf-8",
        xml.into_bytes(),
    ))
}

/// The JSON Feed 1.1 of current posters.
pub async fn feed_json(
    ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<FeedQuery>,
) -> Result<Response, AppError> {
    let (meta, items) = feed(&ctx, &headers, &q).await?;
    let v = service::awareness::model::feed::json_feed(&meta, &items);
    let body = serde_json::to_vec_pretty(&v).map_err(|e| AppError::internal_msg(&e.to_string()))?;
    Ok(revalidated(&headers, "application/feed+json", body))
}

#[derive(Template)]
#[template(path = "awareness.html")]
struct AwarenessPage {
    layout: Layout,
    groups: Vec<SignGroupView>,
}

/// The signs of trafficking in plain words, with the 911 notice and the tip form.
pub async fn awareness_page(ctx: Ctx) -> Result<Response, AppError> {
    let groups = ctx.state.services.public_signs();
    Ok(render(&AwarenessPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Spot the signs", &ctx.path),
        groups,
    })?
    .into_response())
}

pub struct AudienceChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

fn audiences(selected: &str) -> Vec<AudienceChoice> {
    Audience::ALL
        .into_iter()
        .map(|a| AudienceChoice {
            value: a.code(),
            label: a.label(),
            selected: a.code() == selected,
        })
        .collect()
}

pub struct PublicationRowView {
    pub id: i64,
    pub title: String,
    pub audience: &'static str,
    pub published_on: String,
    pub size: String,
}

fn size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

fn row(p: PublicationItem) -> PublicationRowView {
    PublicationRowView {
        id: p.id,
        title: p.title,
        audience: p.audience.label(),
        published_on: p.published_on,
        size: size(p.size_bytes),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PublicationQuery {
    audience: String,
}

#[derive(Template)]
#[template(path = "publications.html")]
struct PublicationsPage {
    layout: Layout,
    rows: Vec<PublicationRowView>,
    audiences: Vec<AudienceChoice>,
    filtered: bool,
    can_manage: bool,
}

/// The public library of publications.
pub async fn publications(
    ctx: Ctx,
    Query(q): Query<PublicationQuery>,
) -> Result<Response, AppError> {
    let audience = Audience::parse(&q.audience);
    let rows = ctx.state.services.publications(audience).await?;
    let can_manage = permits(ctx.identity.principal(), Action::ManagePublications);
    Ok(render(&PublicationsPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Publications", &ctx.path),
        rows: rows.into_iter().map(row).collect(),
        audiences: audiences(audience.map_or("", Audience::code)),
        filtered: audience.is_some(),
        can_manage,
    })?
    .into_response())
}

/// `/publications/{id}.pdf`: the document, shown inline as a PDF and nothing else.
pub async fn publication_pdf(ctx: Ctx, Path(file): Path<String>) -> Result<Response, AppError> {
    let id = file
        .strip_suffix(".pdf")
        .and_then(|n| n.parse::<i64>().ok())
        .ok_or_else(AppError::not_found)?;
    let f = ctx.state.services.publication_file(id).await?;
    let name: String = f
        .item
        .title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let disposition = format!("inline; filename=\"{}.pdf\"", name.trim_matches('-'));
    let mut res = f.bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

#[derive(Template)]
#[template(path = "publication_new.html")]
struct NewPublicationPage {
    layout: Layout,
    f: PublicationForm,
    audiences: Vec<AudienceChoice>,
    fe: FieldErrors,
}

fn new_page(ctx: &Ctx, f: PublicationForm, fe: FieldErrors) -> NewPublicationPage {
    NewPublicationPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Add a publication", &ctx.path),
        audiences: audiences(&f.audience),
        f,
        fe,
    }
}

/// The upload form.
pub async fn new_publication(ctx: Ctx) -> Result<Response, AppError> {
    ctx.principal()?;
    let f = PublicationForm {
        published_on: casework::model::iso(ctx.state.services.today()),
        ..PublicationForm::default()
    };
    Ok(render(&new_page(&ctx, f, FieldErrors::default()))?.into_response())
}

fn cut_off() -> AppError {
    AppError::bad_request("the upload was cut off; send the file again")
}

/// Stores an uploaded publication.
pub async fn add_publication(ctx: Ctx, mut form: Multipart) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let mut f = PublicationForm::default();
    let mut bytes = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|_| cut_off())? {
        match field.name() {
            Some("file") => bytes = field.bytes().await.map_err(|_| cut_off())?.to_vec(),
            Some("title") => f.title = field.text().await.unwrap_or_default(),
            Some("audience") => f.audience = field.text().await.unwrap_or_default(),
            Some("published_on") => f.published_on = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    let mut fe = FieldErrors::default();
    let meta = match f.check(ctx.state.services.today()) {
        Ok(m) => Some(m),
        Err(errs) => {
            for e in errs.0 {
                let label = match e.field.as_str() {
                    "title" => "Title",
                    "audience" => "Who it is for",
                    _ => "Date published",
                };
                fe.push(&e.field, format!("{label}: {}", e.message), e.message);
            }
            None
        }
    };
    if let Err(e) = service::awareness::model::check_pdf(&bytes) {
        fe.push("file", format!("File: {e}"), e.to_string());
    }
    let Some(meta) = meta.filter(|_| fe.is_empty()) else {
        let mut res = render(&new_page(&ctx, f, fe))?.into_response();
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(res);
    };
    match ctx
        .state
        .services
        .add_publication(p, &meta, bytes, ctx.ip.clone())
        .await
    {
        Ok(_) => Ok(flash::redirect(
            &ctx,
            "/publications",
            format!("\u{201c}{}\u{201d} is published.", meta.title),
        )),
        Err(ServiceError::Invalid(m)) => {
            let mut res = render(&new_page(&ctx, f, FieldErrors::one("file", m)))?.into_response();
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

/// Removes a publication (from the list's button).
pub async fn remove_publication(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    ctx.state
        .services
        .remove_publication(p, id, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        "/publications",
        "The publication was removed.",
    ))
}
