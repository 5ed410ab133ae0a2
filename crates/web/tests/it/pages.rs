//! Pages: headers, error pages, administration forms.

use crate::helpers::{TestApp, PASSWORD};
use domain::Role;

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let c = app.client();
    for path in ["/login", "/no-such-page", "/static/app.css", "/api/v1/me"] {
        let res = c.get(path).await;
        let csp = res
            .headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(
            res.headers.get("x-content-type-options").unwrap(),
            "nosniff",
            "{path}"
        );
        assert_eq!(
            res.headers.get("x-frame-options").unwrap(),
            "DENY",
            "{path}"
        );
        assert_eq!(
            res.headers.get("referrer-policy").unwrap(),
            "no-referrer",
            "{path}"
        );
    }
}

#[tokio::test]
async fn pages_have_no_inline_script() {
    let app = TestApp::spawn().await;
    let c = app.login(Role::Administrator).await;
    for path in [
        "/",
        "/admin/users",
        "/admin/audit",
        "/account",
        "/admin/organisations",
    ] {
        let body = c.get(path).await.body;
        let mut rest = body.as_str();
        while let Some(i) = rest.find("<script") {
            let tag = &rest[i..i + rest[i..].find('>').unwrap()];
            assert!(tag.contains("src="), "{path} has an inline script: {tag}");
            rest = &rest[i + 7..];
        }
        assert!(!body.contains(" onclick="), "{path}");
    }
}

#[tokio::test]
async fn error_pages_are_friendly_and_leak_nothing() {
    let app = TestApp::spawn().await;
    let c = app.login(Role::Caseworker).await;
    let res = c.get("/no/such/page").await;
    assert_eq!(res.status, 404);
    assert!(
        res.body.contains("Page not found") && res.body.contains("<main"),
        "{}",
        res.body
    );
    let res = c.get("/admin/users").await;
    assert_eq!(res.status, 403);
    assert!(res.body.contains("You do not have access"));
    assert!(
        !res.body.contains("Users</a>"),
        "the menu never offers a locked door"
    );
    let res = c.get("/api/v1/nope").await;
    assert_eq!(res.status, 404);
    assert_eq!(
        res.headers.get("content-type").unwrap(),
        "application/problem+json"
    );
    let json: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(json["status"], 404);
    let res = c.get("/admin/users/nobody-at-all").await;
    assert_eq!(res.status, 403);
}

#[tokio::test]
async fn administrators_create_users_with_clear_errors() {
    let app = TestApp::spawn().await;
    let admin = app.login(Role::Administrator).await;
    assert_eq!(admin.get("/admin/users/new").await.status, 200);
    let res = admin
        .post_form(
            "/admin/users",
            &[
                ("org", "Test Hotline"),
                ("role", "investigator"),
                ("username", "new.person"),
                ("display_name", "New Person"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("law-enforcement agency"), "{}", res.body);
    let res = admin
        .post_form(
            "/admin/users",
            &[
                ("org", "Agency B"),
                ("role", "investigator"),
                ("username", "new.person"),
                ("display_name", "New Person"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        res.location.as_deref(),
        Some("/admin/users/new.person"),
        "{}",
        res.body
    );
    let list = admin.get("/admin/users?q=new.per").await.body;
    assert!(
        list.contains("new.person") && !list.contains(">analyst<"),
        "{list}"
    );
    let c = app.client();
    assert_eq!(c.login("new.person", PASSWORD).await.status, 303);
    // Escaped, never executed: a name with markup is shown as text.
    let res = admin
        .post_form(
            "/admin/users",
            &[
                ("org", "Agency B"),
                ("role", "investigator"),
                ("username", "x.person"),
                ("display_name", "<script>alert(1)</script>"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        res.status,
        303,
        "{}",
        &res.body[res.body.find("<main").unwrap_or(0)..]
    );
    let page = admin.get("/admin/users?q=x.person").await.body;
    assert!(
        page.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
            && !page.contains("<script>alert"),
        "{page}"
    );
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = TestApp::spawn().await;
    let c = app.client();
    assert_eq!(c.get("/healthz").await.body, "ok");
    assert_eq!(c.get("/readyz").await.body, "ready");
    c.get("/login").await;
    let m = c
        .get_with_token("/metrics", crate::helpers::METRICS_TOKEN)
        .await
        .body;
    assert!(m.contains("http_requests_total"), "{m}");
    assert!(!m.contains("analyst"), "no personal data in metrics");
}

/// Issue 25, finding 9: metrics are the operator's, bounded, and histograms have buckets.
#[tokio::test]
async fn metrics_need_the_operators_token_and_keep_their_labels_bounded() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let res = c.get("/metrics").await;
    assert_eq!(res.status, 401, "{}", res.body);
    assert!(res.body.contains("metrics.token"), "{}", res.body);
    assert!(!res.body.contains("http_requests_total"));
    let res = c.get_with_token("/metrics", "not-the-token").await;
    assert_eq!(res.status, 401);
    // An account's API token is not the operator's either.
    let account_token = app
        .services
        .create_token(
            &service::accounts::Actor::Operator,
            "administrator",
            "t",
            None,
        )
        .await
        .unwrap()
        .token;
    assert_eq!(
        c.get_with_token("/metrics", &account_token).await.status,
        401
    );
    let token = crate::helpers::METRICS_TOKEN;

    // A thousand made-up methods are one label.
    for i in 0..30 {
        let m = reqwest::Method::from_bytes(format!("BREW{i}").as_bytes()).unwrap();
        c.http
            .request(m, format!("{}/healthz", app.base))
            .send()
            .await
            .unwrap();
    }
    // Domain series: a tip comes in and its linking job runs.
    let res = c
        .post_form(
            "/tip",
            &[
                ("incident_type", "Child Sex Trafficking"),
                ("what_happened", "Seen at the bus station, call 555-0188."),
            ],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    app.run_pending_jobs().await;
    let m = c.get_with_token("/metrics", token).await;
    assert_eq!(m.status, 200);
    for series in [
        r#"clearinghouse_intake_total{source="tip"}"#,
        r#"clearinghouse_jobs_run_total{kind="link",outcome="done"}"#,
        "clearinghouse_links_raised_total",
    ] {
        assert!(m.body.contains(series), "{series}: {}", m.body);
    }
    assert!(!m.body.contains("BREW"), "{}", m.body);
    assert!(m.body.contains(r#"method="OTHER""#), "{}", m.body);
    // A histogram with buckets, not a summary.
    assert!(
        m.body.contains("http_request_duration_seconds_bucket{"),
        "{}",
        m.body
    );
    assert!(
        m.body.contains("clearinghouse_db_connections{"),
        "{}",
        m.body
    );
    assert!(m.body.contains("clearinghouse_jobs{"), "{}", m.body);
}

/// An area is offered only to those who can do something there: providers' own submissions
/// (issue 24) to provider accounts alone; no role of people is offered an empty area.
#[tokio::test]
async fn areas_are_offered_only_to_those_who_can_work_there() {
    let app = TestApp::spawn().await;
    assert!(app.client().get("/submissions").await.redirects_to_login());
    for role in Role::ALL {
        let c = app.login(role).await;
        let dashboard = c.get("/").await;
        assert_eq!(dashboard.status, 200, "{role}");
        let offered = dashboard.body.contains("href=\"/submissions\"");
        let res = c.get("/submissions").await;
        if role == Role::ProviderApi {
            assert!(offered, "{role} is not offered its submissions");
            assert_eq!(res.status, 200, "{role}");
        } else {
            assert!(!offered, "{role} is offered providers' submissions");
            assert_eq!(res.status, 403, "{role}");
        }
        // Every role now has an area, so none is told it has nothing to do yet.
        assert!(!dashboard.body.contains("Nothing to do here yet"), "{role}");
    }
}
