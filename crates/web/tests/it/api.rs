//! The JSON API: tokens, the same policy as the pages, and an OpenAPI document that
//! cannot drift from the routes.

use crate::helpers::{TestApp, PASSWORD};
use domain::Role;
use reqwest::Method;
use serde_json::json;
use std::collections::BTreeSet;

#[tokio::test]
async fn personal_tokens_authenticate_scripts_until_revoked() {
    let app = TestApp::spawn().await;
    let analyst = app.login(Role::Analyst).await;
    let res = analyst
        .post_form("/account/tokens", &[("name", "nightly export")])
        .await;
    assert_eq!(res.status, 200);
    let start = res
        .body
        .find("<code class=\"secret\">ch_")
        .expect("token shown once")
        + "<code class=\"secret\">".len();
    let token = res.body[start..start + res.body[start..].find('<').unwrap()].to_owned();

    let anon = app.client();
    let me = anon.get_with_token("/api/v1/me", &token).await;
    assert_eq!(me.status, 200, "{}", me.body);
    let me: serde_json::Value = serde_json::from_str(&me.body).unwrap();
    assert_eq!(me["username"], "analyst");
    assert_eq!(me["role"], "analyst");

    // A token has its owner's role, no more.
    assert_eq!(
        anon.get_with_token("/api/v1/users", &token).await.status,
        403
    );
    // The secret is never shown again.
    let page = analyst.get("/account").await.body;
    assert!(!page.contains(&token));
    assert!(page.contains("nightly export"));

    let tokens = anon.get_with_token("/api/v1/tokens", &token).await;
    let list: serde_json::Value = serde_json::from_str(&tokens.body).unwrap();
    let id = list[0]["id"].as_i64().unwrap();
    let res = anon
        .send_json(
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            None,
            Some(&token),
        )
        .await;
    assert_eq!(res.status, 204);
    let res = anon.get_with_token("/api/v1/me", &token).await;
    assert_eq!(res.status, 401);
    assert!(res.headers.get("www-authenticate").is_some());
}

#[tokio::test]
async fn administrators_manage_accounts_over_json() {
    let app = TestApp::spawn().await;
    let token = app
        .services
        .create_token(
            &service::accounts::Actor::Operator,
            "administrator",
            "test",
            None,
        )
        .await
        .unwrap()
        .token;
    let c = app.client();
    let res = c
        .send_json(
            Method::POST,
            "/api/v1/organisations",
            Some(json!({"name": "County Sheriff", "kind": "law-enforcement"})),
            Some(&token),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let res = c
        .send_json(
            Method::POST,
            "/api/v1/users",
            Some(json!({"organisation": "County Sheriff", "username": "deputy.one", "role": "investigator", "password": PASSWORD})),
            Some(&token),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let res = c
        .send_json(
            Method::POST,
            "/api/v1/users",
            Some(json!({"organisation": "County Sheriff", "username": "deputy.two", "role": "wizard", "password": PASSWORD})),
            Some(&token),
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("unknown role `wizard`"), "{}", res.body);
    let list: serde_json::Value = serde_json::from_str(
        &c.get_with_token("/api/v1/users?q=deputy", &token)
            .await
            .body,
    )
    .unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(list["users"][0]["organisation"], "County Sheriff");

    // The administrative actions of the pages, over JSON.
    let res = c
        .send_json(
            Method::PUT,
            "/api/v1/users/deputy.one/role",
            Some(json!({"role": "analyst"})),
            Some(&token),
        )
        .await;
    assert_eq!(
        res.status, 422,
        "an analyst cannot belong to a law-enforcement agency: {}",
        res.body
    );
    let res = c
        .send_json(
            Method::PUT,
            "/api/v1/users/deputy.one/password",
            Some(json!({"password": "fresh river stone 2026"})),
            Some(&token),
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.body);
    for _ in 0..5 {
        app.client()
            .login("deputy.one", "wrong password here")
            .await;
    }
    let user: serde_json::Value = serde_json::from_str(
        &c.get_with_token("/api/v1/users/deputy.one", &token)
            .await
            .body,
    )
    .unwrap();
    assert_eq!(user["locked"], true);
    let res = c
        .send_json(
            Method::POST,
            "/api/v1/users/deputy.one/unlock",
            None,
            Some(&token),
        )
        .await;
    assert_eq!(res.status, 204);
    assert_eq!(
        app.client()
            .login("deputy.one", "fresh river stone 2026")
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_api_routes() {
    let app = TestApp::spawn().await;
    let doc: serde_json::Value =
        serde_json::from_str(&app.client().get("/api/v1/openapi.json").await.body).unwrap();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let routed: BTreeSet<(String, String)> = web::table()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v1/") && r.path != "/api/v1/openapi.json")
        .map(|r| (r.method.to_string(), r.path.to_owned()))
        .collect();
    assert_eq!(
        documented, routed,
        "the OpenAPI document and the route table disagree"
    );
}

/// A raw request, for bodies `send_json` would not send (broken JSON).
async fn send_raw(
    c: &crate::helpers::Client,
    method: Method,
    path: &str,
    token: &str,
    body: &str,
) -> (u16, String, serde_json::Value) {
    let res = c
        .http
        .request(method, format!("{}{path}", c.base))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = res.text().await.expect("body");
    let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    (status, content_type, json)
}

async fn admin_token(app: &TestApp) -> String {
    token_of(app, "administrator").await
}

async fn token_of(app: &TestApp, username: &str) -> String {
    app.services
        .create_token(&service::accounts::Actor::Operator, username, "test", None)
        .await
        .unwrap()
        .token
}

fn assert_problem(status: u16, content_type: &str, json: &serde_json::Value, expected: u16) {
    assert_eq!(status, expected, "{json}");
    assert_eq!(content_type, "application/problem+json", "{json}");
    assert_eq!(json["status"], expected, "{json}");
    assert_eq!(json["type"], "about:blank");
    assert!(json["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(json["detail"].as_str().is_some_and(|d| !d.is_empty()));
}

#[tokio::test]
async fn api_errors_are_problem_documents_naming_the_field() {
    let app = TestApp::spawn().await;
    let token = admin_token(&app).await;
    let c = app.client();

    // A member of the wrong type: 422, naming the member.
    let (status, ct, json) = send_raw(
        &c,
        Method::POST,
        "/api/v1/organisations",
        &token,
        r#"{"name": "County Sheriff", "kind": 7}"#,
    )
    .await;
    assert_problem(status, &ct, &json, 422);
    assert_eq!(json["errors"][0]["field"], "kind", "{json}");
    assert!(json["errors"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("expected a string"));

    // A missing member, deep in the body: named by its path.
    let caseworker = token_of(&app, "caseworker").await;
    let (status, ct, json) = send_raw(
        &c,
        Method::POST,
        "/api/v1/cases",
        &caseworker,
        r#"{"child": {"name": "Ana"}}"#,
    )
    .await;
    assert_problem(status, &ct, &json, 422);
    assert_eq!(json["errors"][0]["field"], "episode", "{json}");
    let (status, ct, json) = send_raw(
        &c,
        Method::POST,
        "/api/v1/cases",
        &caseworker,
        r#"{"child": {"name": "Ana", "age": "ten"}, "episode": {}}"#,
    )
    .await;
    assert_problem(status, &ct, &json, 422);
    assert_eq!(json["errors"][0]["field"], "child.age", "{json}");

    // A value this API does not know: named too.
    let (status, ct, json) = send_raw(
        &c,
        Method::POST,
        "/api/v1/organisations",
        &token,
        r#"{"name": "County Sheriff", "kind": "wizards"}"#,
    )
    .await;
    assert_problem(status, &ct, &json, 422);
    assert_eq!(json["errors"][0]["field"], "kind", "{json}");

    // Broken JSON: 400, with where serde stopped.
    let (status, ct, json) = send_raw(
        &c,
        Method::POST,
        "/api/v1/organisations",
        &token,
        "{\"name\": \"County Sheriff\",\n \"kind\": }",
    )
    .await;
    assert_problem(status, &ct, &json, 400);
    assert_eq!(json["errors"][0]["line"], 2, "{json}");
    assert!(json["errors"][0]["column"].as_u64().is_some(), "{json}");
    assert!(json["detail"].as_str().unwrap().contains("not valid JSON"));

    // A query parameter that does not parse, and a path parameter: each named.
    let res = c.get_with_token("/api/v1/users?page=first", &token).await;
    let json: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(res.status, 422, "{}", res.body);
    assert_eq!(json["errors"][0]["field"], "page", "{json}");
    let res = c
        .get_with_token("/api/v1/cases?status=lost", &caseworker)
        .await;
    let json: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(json["errors"][0]["field"], "status", "{json}");
    let res = c.get_with_token("/api/v1/cases/seven", &caseworker).await;
    let json: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(res.status, 400, "{}", res.body);
    assert_eq!(json["errors"][0]["field"], "id", "{json}");

    // Not JSON at all.
    let res = c
        .http
        .post(format!("{}/api/v1/organisations", c.base))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);

    // Without a token: 401 with the challenge, as a problem document.
    let res = app.client().get("/api/v1/me").await;
    assert_eq!(res.status, 401);
    assert_eq!(
        res.headers.get("content-type").unwrap(),
        "application/problem+json"
    );
    assert_eq!(res.headers.get("www-authenticate").unwrap(), "Bearer");
}

#[tokio::test]
async fn a_conflict_is_409() {
    let app = TestApp::spawn().await;
    let token = admin_token(&app).await;
    let c = app.client();
    let body = r#"{"name": "County Sheriff", "kind": "law-enforcement"}"#;
    let (status, _, _) = send_raw(&c, Method::POST, "/api/v1/organisations", &token, body).await;
    assert_eq!(status, 201);
    let (status, ct, json) =
        send_raw(&c, Method::POST, "/api/v1/organisations", &token, body).await;
    assert_problem(status, &ct, &json, 409);
    assert!(json["detail"].as_str().unwrap().contains("already exists"));
}

#[tokio::test]
async fn api_times_are_rfc3339_in_utc() {
    let app = TestApp::spawn().await;
    let token = admin_token(&app).await;
    let c = app.client();
    let parse = |v: &serde_json::Value| {
        let s = v.as_str().unwrap_or_else(|| panic!("a time string: {v}"));
        assert!(s.ends_with('Z'), "{s} is not in UTC");
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
    };
    let tokens: serde_json::Value =
        serde_json::from_str(&c.get_with_token("/api/v1/tokens", &token).await.body).unwrap();
    parse(&tokens[0]["created_at"]);
    if !tokens[0]["last_used_at"].is_null() {
        parse(&tokens[0]["last_used_at"]);
    }
    let audit: serde_json::Value =
        serde_json::from_str(&c.get_with_token("/api/v1/audit", &token).await.body).unwrap();
    assert!(!audit.as_array().unwrap().is_empty());
    for entry in audit.as_array().unwrap() {
        parse(&entry["at"]);
    }

    // The OpenAPI document says so.
    let doc: serde_json::Value =
        serde_json::from_str(&c.get("/api/v1/openapi.json").await.body).unwrap();
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["AuditEntry"]["properties"]["at"]["format"],
        "date-time"
    );
    assert_eq!(
        schemas["Token"]["properties"]["created_at"]["format"],
        "date-time"
    );
    assert_eq!(
        schemas["Alert"]["properties"]["raised_at"]["format"],
        "date-time"
    );
    assert!(schemas["Problem"]["properties"]["errors"].is_object());
}
