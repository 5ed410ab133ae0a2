//! The CyberTipline-compatible provider API under `/ispws`, so a provider's existing client
//! can point at Clearinghouse unchanged.
//!
//! As the real service does, application errors ride on HTTP 200 with the code in the
//! `<reportResponse>` body; only a missing or wrong login is HTTP 401 with a
//! `WWW-Authenticate: Basic` challenge. The description is never empty.

use crate::ctx::Ctx;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cybertip::{report_done_response_xml, response_xml, ResponseCode};
use service::intake::IntakeError;

/// Reports larger than this are refused with 4110 before parsing.
pub const MAX_REPORT_BYTES: usize = 10 * 1024 * 1024;

fn xml(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

pub fn response(code: ResponseCode, description: &str, report_id: Option<i64>) -> Response {
    let description = if code == ResponseCode::Success && description.is_empty() {
        "Success"
    } else {
        description
    };
    xml(
        StatusCode::OK,
        response_xml(code, description, report_id, None),
    )
}

fn error(e: &IntakeError, report_id: Option<i64>) -> Response {
    if let IntakeError::Service(service::ServiceError::Internal(cause)) = e {
        tracing::error!(error = %cause, "provider API internal error");
        return response(
            ResponseCode::ServerError,
            "Server error: the report was not saved; try again later",
            report_id,
        );
    }
    let description = match e {
        IntakeError::Xml(x) => match x.path() {
            Some(path) => format!("{}: {} at {path}", x.code().description(), x.message()),
            None => format!("{}: {}", x.code().description(), x.message()),
        },
        other => other.to_string(),
    };
    response(e.code(), &description, report_id)
}

/// 401 with the Basic challenge, for a missing or wrong login.
pub fn unauthorized(description: &str) -> Response {
    let mut res = xml(
        StatusCode::UNAUTHORIZED,
        response_xml(
            ResponseCode::AuthenticationRequired,
            description,
            None,
            None,
        ),
    );
    res.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"Clearinghouse reporting API\""),
    );
    res
}

/// A signed-in account whose role may not use the provider API.
pub fn forbidden(path: &str) -> Response {
    let code = match path {
        "/ispws/submit" => ResponseCode::NotAuthorizedToSubmit,
        "/ispws/finish" | "/ispws/retract" | "/ispws/upload" | "/ispws/fileinfo" => {
            ResponseCode::NotAuthorizedToUpdate
        }
        _ => ResponseCode::NotAuthorizedForAction,
    };
    response(
        code,
        &format!("{}: use a provider API account", code.description()),
        None,
    )
}

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
pub async fn submit(ctx: Ctx, body: Body) -> Response {
    let Ok(p) = ctx.principal().cloned() else {
        return unauthorized("Authentication required");
    };
    let bytes = match axum::body::to_bytes(body, MAX_REPORT_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return response(
                ResponseCode::MalformedXml,
                &format!(
                    "Malformed XML: the report is larger than {} MiB or the upload was cut off",
                    MAX_REPORT_BYTES / 1024 / 1024
                ),
                None,
            )
        }
    };
    match ctx
        .state
        .services
        .submit_provider_report(&p, &bytes, ctx.ip.clone())
        .await
    {
        Ok(id) => response(ResponseCode::Success, "Success", Some(id)),
        Err(e) => error(&e, None),
    }
}

/// The `id` form field, URL-encoded or multipart, as different clients send it.
async fn form_id(req: Request) -> Result<i64, Response> {
    let bad = |why: &str| {
        response(
            ResponseCode::InvalidRequest,
            &format!("Invalid request: {why}"),
            None,
        )
    };
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let raw = if is_multipart {
        let mut mp = Multipart::from_request(req, &())
            .await
            .map_err(|_| bad("the multipart body is malformed"))?;
        let mut found = None;
        loop {
            match mp.next_field().await {
                Ok(Some(field)) if field.name() == Some("id") => {
                    found = Some(
                        field
                            .text()
                            .await
                            .map_err(|_| bad("the id field is cut off"))?,
                    );
                    break;
                }
                Ok(Some(_)) => continue,
                Ok(None) => break,
                Err(_) => return Err(bad("the multipart body is malformed or cut off")),
            }
        }
        found
    } else {
        let bytes = axum::body::to_bytes(req.into_body(), 64 * 1024)
            .await
            .map_err(|_| bad("the form is too large"))?;
        form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "id")
            .map(|(_, v)| v.into_owned())
    };
    let raw = raw.ok_or_else(|| bad("the form field `id` (the report id) is missing"))?;
    raw.trim()
        .parse::<i64>()
        .map_err(|_| bad("the form field `id` must be a report id (a number)"))
}

/// POST /ispws/finish: the report becomes visible to the hotline.
pub async fn finish(ctx: Ctx, req: Request) -> Response {
    let Ok(p) = ctx.principal().cloned() else {
        return unauthorized("Authentication required");
    };
    let id = match form_id(req).await {
        Ok(id) => id,
        Err(r) => return r,
    };
    match ctx
        .state
        .services
        .finish_report(&p, id, ctx.ip.clone())
        .await
    {
        Ok(files) => xml(
            StatusCode::OK,
            report_done_response_xml(ResponseCode::Success, id, &files),
        ),
        Err(e) => error(&e, Some(id)),
    }
}

/// POST /ispws/retract: the provider withdraws an unfinished report.
pub async fn retract(ctx: Ctx, req: Request) -> Response {
    let Ok(p) = ctx.principal().cloned() else {
        return unauthorized("Authentication required");
    };
    let id = match form_id(req).await {
        Ok(id) => id,
        Err(r) => return r,
    };
    match ctx
        .state
        .services
        .retract_report(&p, id, ctx.ip.clone())
        .await
    {
        Ok(()) => response(ResponseCode::Success, "Success", Some(id)),
        Err(e) => error(&e, Some(id)),
    }
}

/// A multipart text field, read with a bound: a field that should hold a number must not
/// be able to fill memory.
async fn small_text(field: axum::extract::multipart::Field<'_>) -> Result<String, Response> {
    let mut field = field;
    let mut buf = Vec::new();
    loop {
        match field.chunk().await {
            Ok(Some(c)) => {
                buf.extend_from_slice(&c);
                if buf.len() > 64 {
                    return Err(response(
                        ResponseCode::InvalidRequest,
                        "Invalid request: the form field `id` is too long for a report id",
                        None,
                    ));
                }
            }
            Ok(None) => break,
            Err(_) => return Err(malformed("the multipart body was cut off")),
        }
    }
    String::from_utf8(buf).map_err(|_| {
        response(
            ResponseCode::InvalidRequest,
            "Invalid request: the form field `id` is not text",
            None,
        )
    })
}

fn malformed(why: &str) -> Response {
    response(
        ResponseCode::MalformedFileSubmittal,
        &format!("Malformed file submittal: {why}"),
        None,
    )
}

/// POST /ispws/upload: multipart with `id` (the report id) and `file`. The file streams
/// into the encrypted blob store; the answer carries its file id and MD5.
pub async fn upload(ctx: Ctx, req: Request) -> Response {
    let Ok(p) = ctx.principal().cloned() else {
        return unauthorized("Authentication required");
    };
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        return malformed("send the file as multipart/form-data with the fields `id` and `file`");
    }
    let mut mp = match Multipart::from_request(req, &()).await {
        Ok(mp) => mp,
        Err(_) => return malformed("the multipart body has no valid boundary"),
    };
    let services = &ctx.state.services;
    let mut id: Option<i64> = None;
    let mut done: Option<service::intake::Uploaded> = None;
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return malformed("the multipart body is malformed or was cut off"),
        };
        match field.name() {
            Some("id") => {
                let text = match small_text(field).await {
                    Ok(t) => t,
                    Err(r) => return r,
                };
                match text.trim().parse::<i64>() {
                    Ok(n) => id = Some(n),
                    Err(_) => {
                        return response(
                            ResponseCode::InvalidRequest,
                            "Invalid request: the form field `id` must be a report id (a number)",
                            None,
                        )
                    }
                }
            }
            Some("file") => {
                let Some(report_id) = id else {
                    return response(
                        ResponseCode::InvalidRequest,
                        "Invalid request: send the `id` field (the report id) before the `file` field",
                        None,
                    );
                };
                let name = field.file_name().map(str::to_owned).unwrap_or_default();
                let name = if name.is_empty() {
                    "unnamed".to_owned()
                } else {
                    name
                };
                use futures_util::StreamExt;
                let stream = field.map(|r| r.map_err(std::io::Error::other));
                match services
                    .upload_file(&p, report_id, &name, Box::pin(stream), ctx.ip.clone())
                    .await
                {
                    Ok(u) => {
                        // The file is committed: whatever follows in the body must not turn
                        // the answer into an error, or the client would send it again.
                        done = Some(u);
                        break;
                    }
                    Err(e) => return error(&e, Some(report_id)),
                }
            }
            // Unknown parts are skipped, as lenient clients expect.
            _ => continue,
        }
    }
    let Some(report_id) = id else {
        return response(
            ResponseCode::InvalidRequest,
            "Invalid request: the form field `id` (the report id) is missing",
            None,
        );
    };
    let Some(u) = done else {
        return response(
            ResponseCode::MalformedFileSubmittal,
            "Malformed file submittal: the upload has no `file` part",
            Some(report_id),
        );
    };
    xml(
        StatusCode::OK,
        cybertip::ReportResponse {
            code: ResponseCode::Success,
            description: "Success".into(),
            report_id: Some(report_id),
            file_id: Some(u.file_id),
            hash: Some(u.md5),
        }
        .to_xml(),
    )
}

/// POST /ispws/fileinfo: a `<fileDetails>` document for an uploaded file.
pub async fn fileinfo(ctx: Ctx, body: Body) -> Response {
    let Ok(p) = ctx.principal().cloned() else {
        return unauthorized("Authentication required");
    };
    let bytes = match axum::body::to_bytes(body, MAX_REPORT_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return response(
                ResponseCode::MalformedXml,
                "Malformed XML: the file details are too large or the upload was cut off",
                None,
            )
        }
    };
    match ctx
        .state
        .services
        .file_info(&p, &bytes, ctx.ip.clone())
        .await
    {
        Ok((id, file_id)) => xml(
            StatusCode::OK,
            response_xml(ResponseCode::Success, "Success", Some(id), Some(&file_id)),
        ),
        Err(e) => error(&e, None),
    }
}
