//! The CyberTipline-compatible provider API under `/ispws`, so a provider's existing client
//! can point at Clearinghouse unchanged.
//!
//! As the real service does, application errors ride on HTTP 200 with the code in the
//! `<reportResponse>` body; only a missing or wrong login is HTTP 401 with a
//! `WWW-Authenticate: Basic` challenge. Handlers return [`AppError`]s carrying the code;
//! `error` renders them as those documents, as it does every error on these routes.

use crate::ctx::Ctx;
use crate::error::{provider_document as response, provider_xml, AppError};
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use cybertip::{report_done_response_xml, response_xml, ResponseCode};
use domain::ReportId;

/// Reports larger than this are refused with 4110 before parsing.
pub const MAX_REPORT_BYTES: usize = 10 * 1024 * 1024;

/// GET /ispws/status: who is connected, as the real service reports it.
pub async fn status(ctx: Ctx) -> Response {
    let who = ctx
        .identity
        .principal()
        .map(|p| p.username.to_string())
        .unwrap_or_default();
    let ip = ctx.ip.unwrap_or_default();
    response(
        ResponseCode::Success,
        &format!("Remote User : {who}, Remote Ip : {ip}"),
        None,
    )
}

/// GET /ispws/xsd: the schema reports must follow.
pub async fn xsd() -> Response {
    (
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        cybertip::XSD,
    )
        .into_response()
}

/// POST /ispws/submit: a `<report>` document, with any content type real clients send.
pub async fn submit(ctx: Ctx, body: Body) -> Result<Response, AppError> {
    let p = signed_in(&ctx)?;
    let bytes = axum::body::to_bytes(body, MAX_REPORT_BYTES)
        .await
        .map_err(|_| {
            AppError::provider(
                ResponseCode::MalformedXml,
                format!(
                    "Malformed XML: the report is larger than {} MiB or the upload was cut off",
                    MAX_REPORT_BYTES / 1024 / 1024
                ),
                None,
            )
        })?;
    let id = ctx
        .state
        .services
        .submit_provider_report(&p, &bytes, ctx.ip.clone())
        .await
        .map_err(|e| AppError::intake(e, None))?;
    Ok(response(ResponseCode::Success, "Success", Some(id)))
}

/// Routes that reach these handlers have passed `authorize`, so this is only a guard.
fn signed_in(ctx: &Ctx) -> Result<domain::Principal, AppError> {
    ctx.principal()
        .cloned()
        .map_err(|_| AppError::unauthorized("Authentication required"))
}

fn invalid(why: &str) -> AppError {
    AppError::provider(
        ResponseCode::InvalidRequest,
        format!("Invalid request: {why}"),
        None,
    )
}

fn malformed(why: &str) -> AppError {
    AppError::provider(
        ResponseCode::MalformedFileSubmittal,
        format!("Malformed file submittal: {why}"),
        None,
    )
}

/// The `id` form field, URL-encoded or multipart, as different clients send it.
async fn form_id(req: Request) -> Result<i64, AppError> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let raw = if is_multipart {
        let mut mp = Multipart::from_request(req, &())
            .await
            .map_err(|_| invalid("the multipart body is malformed"))?;
        let mut found = None;
        loop {
            match mp.next_field().await {
                Ok(Some(field)) if field.name() == Some("id") => {
                    found = Some(
                        field
                            .text()
                            .await
                            .map_err(|_| invalid("the id field is cut off"))?,
                    );
                    break;
                }
                Ok(Some(_)) => continue,
                Ok(None) => break,
                Err(_) => return Err(invalid("the multipart body is malformed or cut off")),
            }
        }
        found
    } else {
        let bytes = axum::body::to_bytes(req.into_body(), 64 * 1024)
            .await
            .map_err(|_| invalid("the form is too large"))?;
        form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "id")
            .map(|(_, v)| v.into_owned())
    };
    let raw = raw.ok_or_else(|| invalid("the form field `id` (the report id) is missing"))?;
    raw.trim()
        .parse::<i64>()
        .map_err(|_| invalid("the form field `id` must be a report id (a number)"))
}

/// POST /ispws/finish: the report becomes visible to the hotline.
pub async fn finish(ctx: Ctx, req: Request) -> Result<Response, AppError> {
    let p = signed_in(&ctx)?;
    let id = form_id(req).await?;
    let files = ctx
        .state
        .services
        .finish_report(&p, ReportId(id), ctx.ip.clone())
        .await
        .map_err(|e| AppError::intake(e, Some(id)))?;
    Ok(provider_xml(report_done_response_xml(
        ResponseCode::Success,
        id,
        &files,
    )))
}

/// POST /ispws/retract: the provider withdraws an unfinished report.
pub async fn retract(ctx: Ctx, req: Request) -> Result<Response, AppError> {
    let p = signed_in(&ctx)?;
    let id = form_id(req).await?;
    ctx.state
        .services
        .retract_report(&p, ReportId(id), ctx.ip.clone())
        .await
        .map_err(|e| AppError::intake(e, Some(id)))?;
    Ok(response(ResponseCode::Success, "Success", Some(id)))
}

/// A multipart text field, read with a bound: a field that should hold a number must not
/// be able to fill memory.
async fn small_text(field: axum::extract::multipart::Field<'_>) -> Result<String, AppError> {
    let mut field = field;
    let mut buf = Vec::new();
    loop {
        match field.chunk().await {
            Ok(Some(c)) => {
                buf.extend_from_slice(&c);
                if buf.len() > 64 {
                    return Err(invalid("the form field `id` is too long for a report id"));
                }
            }
            Ok(None) => break,
            Err(_) => return Err(malformed("the multipart body was cut off")),
        }
    }
    String::from_utf8(buf).map_err(|_| invalid("the form field `id` is not text"))
}

/// POST /ispws/upload: multipart with `id` (the report id) and `file`. The file streams
/// into the encrypted blob store; the answer carries its file id and MD5.
pub async fn upload(ctx: Ctx, req: Request) -> Result<Response, AppError> {
    let p = signed_in(&ctx)?;
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        return Err(malformed(
            "send the file as multipart/form-data with the fields `id` and `file`",
        ));
    }
    let mut mp = Multipart::from_request(req, &())
        .await
        .map_err(|_| malformed("the multipart body has no valid boundary"))?;
    let services = &ctx.state.services;
    let mut id: Option<i64> = None;
    let mut done: Option<service::intake::Uploaded> = None;
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Err(malformed("the multipart body is malformed or was cut off")),
        };
        match field.name() {
            Some("id") => {
                let text = small_text(field).await?;
                let n = text
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| invalid("the form field `id` must be a report id (a number)"))?;
                id = Some(n);
            }
            Some("file") => {
                let Some(report_id) = id else {
                    return Err(invalid(
                        "send the `id` field (the report id) before the `file` field",
                    ));
                };
                let name = field.file_name().map(str::to_owned).unwrap_or_default();
                let name = if name.is_empty() {
                    "unnamed".to_owned()
                } else {
                    name
                };
                use futures_util::StreamExt;
                let stream = field.map(|r| r.map_err(std::io::Error::other));
                let u = services
                    .upload_file(
                        &p,
                        ReportId(report_id),
                        &name,
                        Box::pin(stream),
                        ctx.ip.clone(),
                    )
                    .await
                    .map_err(|e| AppError::intake(e, Some(report_id)))?;
                // The file is committed: whatever follows in the body must not turn the
                // answer into an error, or the client would send it again.
                done = Some(u);
                break;
            }
            // Unknown parts are skipped, as lenient clients expect.
            _ => continue,
        }
    }
    let Some(report_id) = id else {
        return Err(invalid("the form field `id` (the report id) is missing"));
    };
    let Some(u) = done else {
        return Err(AppError::provider(
            ResponseCode::MalformedFileSubmittal,
            "Malformed file submittal: the upload has no `file` part",
            Some(report_id),
        ));
    };
    Ok(provider_xml(
        cybertip::ReportResponse {
            code: ResponseCode::Success,
            description: "Success".into(),
            report_id: Some(report_id),
            file_id: Some(u.file_id),
            hash: Some(u.md5),
        }
        .to_xml(),
    ))
}

/// POST /ispws/fileinfo: a `<fileDetails>` document for an uploaded file.
pub async fn fileinfo(ctx: Ctx, body: Body) -> Result<Response, AppError> {
    let p = signed_in(&ctx)?;
    let bytes = axum::body::to_bytes(body, MAX_REPORT_BYTES)
        .await
        .map_err(|_| {
            AppError::provider(
                ResponseCode::MalformedXml,
                "Malformed XML: the file details are too large or the upload was cut off",
                None,
            )
        })?;
    let (id, file_id) = ctx
        .state
        .services
        .file_info(&p, &bytes, ctx.ip.clone())
        .await
        .map_err(|e| AppError::intake(e, None))?;
    Ok(provider_xml(response_xml(
        ResponseCode::Success,
        "Success",
        Some(id),
        Some(&file_id),
    )))
}
