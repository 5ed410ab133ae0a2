//! The API's extractors: axum's `Json`, `Query` and `Path`, refusing a request with an
//! [`AppError`] that names what was wrong (the member's path and serde's reason, the line
//! and column of a syntax error, the parameter that did not parse) instead of axum's bare
//! text, so the problem document can say it.

use crate::error::{AppError, FieldProblem};
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

/// A JSON request body, like `axum::Json`.
pub struct ApiJson<T>(pub T);

/// A query string, like `axum::extract::Query`.
pub struct ApiQuery<T>(pub T);

/// Path parameters, like `axum::extract::Path`.
pub struct ApiPath<T>(pub T);

/// serde names a missing member in its message, at the path of the object that lacks it.
fn missing_field(message: &str) -> Option<&str> {
    message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
}

fn join(path: &str, member: &str) -> String {
    if path.is_empty() || path == "." {
        member.to_owned()
    } else {
        format!("{path}.{member}")
    }
}

/// The member a deserialisation error is about, and serde's reason without its position.
fn located(path: &serde_path_to_error::Path, message: &str) -> (String, String) {
    let path = path.to_string();
    let reason = message
        .rsplit_once(" at line ")
        .map_or(message, |(reason, _)| reason)
        .to_owned();
    match missing_field(&reason) {
        Some(member) => (join(&path, member), format!("{reason}; send it")),
        None if path == "." => (String::new(), reason),
        None => (path, reason),
    }
}

fn syntax_error(field: String, reason: &str, e: &serde_json::Error) -> AppError {
    let reason = reason
        .rsplit_once(" at line ")
        .map_or(reason, |(reason, _)| reason);
    let detail = format!(
        "the body is not valid JSON: {reason} at line {} column {}",
        e.line(),
        e.column()
    );
    let mut problem = FieldProblem::new(field, detail.clone());
    problem.line = Some(e.line());
    problem.column = Some(e.column());
    AppError::bad_request(detail).with_fields(vec![problem])
}

/// Reads a JSON body into `T`, naming the member or the position of what is wrong.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de);
    // Characters after the value are a syntax error too.
    if let (Ok(_), Err(e)) = (&value, de.end()) {
        return Err(syntax_error(String::new(), &e.to_string(), &e));
    }
    value.map_err(|e| {
        let inner = e.inner();
        let (field, reason) = located(e.path(), &inner.to_string());
        if inner.is_syntax() || inner.is_eof() {
            syntax_error(field, &reason, inner)
        } else {
            let shown = if field.is_empty() { "the body" } else { &field };
            AppError::invalid(
                format!("{shown}: {reason}"),
                vec![FieldProblem::new(field, reason)],
            )
        }
    })
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::trim)
            .is_some_and(|ct| ct == "application/json" || ct.ends_with("+json"));
        if !json {
            return Err(AppError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the body as JSON, with the header Content-Type: application/json",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| {
                AppError::new(
                    e.status(),
                    "the body could not be read (too large, or cut off); send it again",
                )
            })?;
        parse_json(&bytes).map(ApiJson)
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let (field, reason) = located(e.path(), &e.inner().to_string());
                let shown = if field.is_empty() {
                    "the query string".to_owned()
                } else {
                    format!("the query parameter `{field}`")
                };
                AppError::invalid(
                    format!("{shown}: {reason}"),
                    vec![FieldProblem::new(field, reason)],
                )
            })
    }
}

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        use axum::extract::path::ErrorKind;
        let rejection = match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => return Ok(ApiPath(v)),
            Err(r) => r,
        };
        let PathRejection::FailedToDeserializePathParams(e) = rejection else {
            return Err(AppError::internal_msg("path parameters missing"));
        };
        // With a single parameter serde does not say its name; the route does.
        let only = RawPathParams::from_request_parts(parts, state)
            .await
            .ok()
            .and_then(|p| {
                let mut names = p.iter().map(|(k, _)| k.to_owned());
                match (names.next(), names.next()) {
                    (Some(one), None) => Some(one),
                    _ => None,
                }
            })
            .unwrap_or_default();
        let (field, reason) = match e.kind() {
            ErrorKind::ParseErrorAtKey {
                key,
                value,
                expected_type,
            } => (key.clone(), format!("{value:?} is not a {expected_type}")),
            ErrorKind::ParseError {
                value,
                expected_type,
            }
            | ErrorKind::ParseErrorAtIndex {
                value,
                expected_type,
                ..
            } => (only, format!("{value:?} is not a {expected_type}")),
            ErrorKind::DeserializeError { key, message, .. } => (key.clone(), message.clone()),
            ErrorKind::InvalidUtf8InPathParam { key } => {
                (key.clone(), "it is not valid UTF-8".to_owned())
            }
            _ => (only, e.body_text()),
        };
        Err(AppError::invalid(
            format!("the path parameter `{field}`: {reason}; check the address"),
            vec![FieldProblem::new(field, reason)],
        )
        .with_status(StatusCode::BAD_REQUEST))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        child: Child,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Child {
        name: String,
        age: Option<u32>,
    }

    #[test]
    fn json_errors_name_the_member_or_the_position() {
        let e = parse_json::<Body>(br#"{"child": {"name": "A", "age": "ten"}}"#).unwrap_err();
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.fields[0].field, "child.age");

        let e = parse_json::<Body>(br#"{"child": {"age": 3}}"#).unwrap_err();
        assert_eq!(e.fields[0].field, "child.name");

        let e = parse_json::<Body>(b"{\"child\": {\"name\": \"A\",\n}}").unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert_eq!((e.fields[0].line, e.fields[0].column), (Some(2), Some(1)));

        let e = parse_json::<Body>(br#"{"child": {"name": "A"}} x"#).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
    }
}
