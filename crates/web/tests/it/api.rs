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
