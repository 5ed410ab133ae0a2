//! Static assets, compiled into the binary so a deployment is one file. Vendored
//! third-party files carry their version in the name, so they can be cached for long.

use crate::error::AppError;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/app.js"),
    ),
    (
        "htmx-2.0.11.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/htmx-2.0.11.min.js"),
    ),
    // Link analysis: the cluster graph (cytoscape.js, MIT: cytoscape-3.34.4.LICENSE.txt).
    (
        "cytoscape-3.34.4.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/cytoscape-3.34.4.min.js"),
    ),
    (
        "cytoscape-3.34.4.LICENSE.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../../static/cytoscape-3.34.4.LICENSE.txt"),
    ),
    (
        "links.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/links.js"),
    ),
    (
        "links.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/links.css"),
    ),
];

pub async fn file(Path(name): Path<String>) -> Result<Response, AppError> {
    let (_, mime, body) = FILES
        .iter()
        .find(|(n, ..)| *n == name)
        .ok_or_else(AppError::not_found)?;
    Ok((
        [
            (header::CONTENT_TYPE, *mime),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        *body,
    )
        .into_response())
}
