//! The audit log: what is recorded, and that tampering with it is detected.

use crate::helpers::TestApp;
use domain::audit::Problem;
use domain::Role;
use service::audit::AuditCheck;
use store::Backend;

#[tokio::test]
async fn sign_ins_and_views_of_people_are_recorded_with_who_when_and_where() {
    let app = TestApp::spawn().await;
    let admin = app.login(Role::Administrator).await;
    admin.get("/admin/users/target-user").await;
    let token = app
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
    let entries: serde_json::Value = serde_json::from_str(
        &app.client()
            .get_with_token("/api/v1/audit?actor=administrator", &token)
            .await
            .body,
    )
    .unwrap();
    let entries = entries.as_array().unwrap();
    let view = entries
        .iter()
        .find(|e| e["action"] == "view")
        .expect("the view is audited");
    assert_eq!(view["record_type"], "user");
    assert_eq!(view["ip"], "127.0.0.1");
    assert!(entries.iter().any(|e| e["action"] == "login"));
}

async fn tamper(app: &TestApp, sql_sqlite: &[&str], sql_pg: &[&str]) {
    let store = &app.services.store;
    let (unlock, stmts) = match store.backend() {
        Backend::Sqlite => (
            vec![
                "DROP TRIGGER IF EXISTS audit_log_no_update",
                "DROP TRIGGER IF EXISTS audit_log_no_delete",
            ],
            sql_sqlite,
        ),
        Backend::Postgres => (vec!["ALTER TABLE audit_log DISABLE TRIGGER USER"], sql_pg),
    };
    for s in unlock.iter().chain(stmts.iter()) {
        store
            .execute_raw_for_tests(s)
            .await
            .unwrap_or_else(|e| panic!("{s}: {e}"));
    }
}

async fn app_with_entries() -> TestApp {
    let app = TestApp::spawn().await;
    // Spawning created organisations and accounts: plenty of entries.
    assert!(
        matches!(app.services.verify_audit().await.unwrap(), AuditCheck::Intact { entries } if entries >= 10)
    );
    app
}

fn broken_at(check: AuditCheck) -> (i64, Problem) {
    match check {
        AuditCheck::Broken(b) => (b.seq, b.problem),
        AuditCheck::Intact { entries } => panic!("tampering went unnoticed ({entries} entries)"),
    }
}

#[tokio::test]
async fn an_altered_entry_is_detected() {
    let app = app_with_entries().await;
    tamper(
        &app,
        &["UPDATE audit_log SET actor = 'someone else' WHERE seq = 5"],
        &["UPDATE audit_log SET actor = 'someone else' WHERE seq = 5"],
    )
    .await;
    assert_eq!(
        broken_at(app.services.verify_audit().await.unwrap()),
        (5, Problem::Altered)
    );
    // The API says the same.
    let token = app
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
    let v: serde_json::Value = serde_json::from_str(
        &app.client()
            .get_with_token("/api/v1/audit/verify", &token)
            .await
            .body,
    )
    .unwrap();
    assert_eq!(v["intact"], false);
    assert_eq!(v["first_broken_seq"], 5);
}

#[tokio::test]
async fn a_removed_entry_is_detected() {
    let app = app_with_entries().await;
    tamper(
        &app,
        &["DELETE FROM audit_log WHERE seq = 4"],
        &["DELETE FROM audit_log WHERE seq = 4"],
    )
    .await;
    assert_eq!(
        broken_at(app.services.verify_audit().await.unwrap()),
        (4, Problem::Removed)
    );
}

#[tokio::test]
async fn removing_the_newest_entry_is_detected() {
    let app = app_with_entries().await;
    tamper(
        &app,
        &["DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)"],
        &["DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)"],
    )
    .await;
    assert!(
        matches!(app.services.verify_audit().await.unwrap(), AuditCheck::Broken(b) if b.problem == Problem::Removed)
    );
}

#[tokio::test]
async fn reordered_entries_are_detected() {
    let app = app_with_entries().await;
    let swap = [
        "UPDATE audit_log SET seq = -1 WHERE seq = 6",
        "UPDATE audit_log SET seq = 6 WHERE seq = 7",
        "UPDATE audit_log SET seq = 7 WHERE seq = -1",
    ];
    tamper(&app, &swap, &swap).await;
    assert_eq!(broken_at(app.services.verify_audit().await.unwrap()).0, 6);
}

#[tokio::test]
async fn the_application_cannot_change_audit_rows() {
    let app = app_with_entries().await;
    assert!(app
        .services
        .store
        .execute_raw_for_tests("UPDATE audit_log SET actor = 'x' WHERE seq = 1")
        .await
        .is_err());
    assert!(app
        .services
        .store
        .execute_raw_for_tests("DELETE FROM audit_log WHERE seq = 1")
        .await
        .is_err());
}

/// Issue 25, finding 5: a list or a search leaves a trace, with the query and what it
/// returned, as a detail view does.
#[tokio::test]
async fn lists_and_searches_are_recorded_with_their_query_and_the_records_returned() {
    let app = TestApp::spawn().await;
    let visitor = app.client();
    let mut ids = Vec::new();
    for _ in 0..2 {
        let res = visitor
            .post_form(
                "/tip",
                &[
                    ("incident_type", "Child Sex Trafficking"),
                    (
                        "what_happened",
                        "A girl named Jo Emberly at the depot. quartzfinch",
                    ),
                ],
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let i = res.body.find("id=\"report-number\">").unwrap() + 19;
        let n: i64 = res.body[i..i + res.body[i..].find('<').unwrap()]
            .parse()
            .unwrap();
        ids.push(n);
    }
    let analyst = app.login(Role::Analyst).await;
    let list = analyst.get("/reports?q=Emberly+quartzfinch&status=").await;
    assert_eq!(list.status, 200);
    let token = |user: &str| {
        let services = app.services.clone();
        let user = user.to_owned();
        async move {
            services
                .create_token(&service::accounts::Actor::Operator, &user, "t", None)
                .await
                .unwrap()
                .token
        }
    };
    let analyst_token = token("analyst").await;
    let res = app
        .client()
        .get_with_token("/api/v1/cases?state=OH", &analyst_token)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);

    let admin_token = token("administrator").await;
    let entries: serde_json::Value = serde_json::from_str(
        &app.client()
            .get_with_token("/api/v1/audit?actor=analyst", &admin_token)
            .await
            .body,
    )
    .unwrap();
    let entries = entries.as_array().unwrap();
    let search = entries
        .iter()
        .find(|e| e["record_id"] == "/reports")
        .unwrap_or_else(|| panic!("the search is audited: {entries:?}"));
    assert_eq!(search["record_type"], "list");
    assert_eq!(search["ip"], "127.0.0.1");
    let detail: serde_json::Value =
        serde_json::from_str(search["detail"].as_str().unwrap()).unwrap();
    ids.sort();
    assert_eq!(
        detail,
        serde_json::json!({"query": [["q", "Emberly quartzfinch"]], "ids": ids})
    );
    let api = entries
        .iter()
        .find(|e| e["record_id"] == "/api/v1/cases")
        .expect("the API list is audited");
    let detail: serde_json::Value = serde_json::from_str(api["detail"].as_str().unwrap()).unwrap();
    assert_eq!(detail["query"], serde_json::json!([["state", "OH"]]));

    // The administrator reads it in words.
    let admin = app.login(Role::Administrator).await;
    let page = admin.get("/admin/audit?action=list").await;
    let table = crate::helpers::audit_table(&page.body);
    assert!(
        table.contains("Searched /reports for q = Emberly quartzfinch: 2 records"),
        "{table}"
    );

    // Lists of people (staff, volunteers, learners waiting for verification) and of link
    // clusters are recorded too.
    let sup = app.login(Role::Supervisor).await;
    for (c, path) in [
        (&analyst, "/links"),
        (&admin, "/admin/users"),
        (&sup, "/families/volunteers"),
        (&analyst, "/training/verification-requests"),
        (&analyst, "/api/v1/verification-requests"),
    ] {
        assert_eq!(c.get(path).await.status, 200, "{path}");
    }
    let entries: serde_json::Value = serde_json::from_str(
        &app.client()
            .get_with_token("/api/v1/audit?limit=500", &admin_token)
            .await
            .body,
    )
    .unwrap();
    for path in [
        "/links",
        "/admin/users",
        "/families/volunteers",
        "/training/verification-requests",
        "/api/v1/verification-requests",
    ] {
        assert!(
            entries
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["record_type"] == "list" && e["record_id"] == path),
            "{path} is audited: {entries}"
        );
    }
}
