//! Durable background work through the server: a provider's finished report is linked by
//! its job, not before, and the alert on the missing child's case appears when the job
//! runs; a job that keeps failing is shown to administrators and counted in `/metrics`.

use crate::helpers::{TestApp, PASSWORD};
use domain::Role;
use std::time::Duration;

/// A case whose child's phone is 202-555-0150, the number in the cell-phone fixture.
const CASE: &str = r#"{"case_id":"case-0000150","child":{"first_name":"Rowan","last_name":"Example","sex":"F","age":14,"phone":"202-555-0150"},"circumstance":"endangered_runaway","missing_from_care":true,"custody":{"kind":"agency","agency":"Test Child Welfare","placement":"group home","caseworker":{"name":"Casey Quillfeather"}},"episodes":[{"reported":"2026-10-01","last_seen":"2026-10-01","last_seen_city":"Tulsa","last_seen_state":"OK","circumstance":"endangered_runaway"}]}"#;

fn tag(body: &str, t: &str) -> Option<String> {
    let open = format!("<{t}>");
    let start = body.find(&open)? + open.len();
    let end = start + body[start..].find(&format!("</{t}>"))?;
    Some(body[start..end].trim().to_owned())
}

#[tokio::test]
async fn a_finished_report_with_a_missing_childs_phone_alerts_when_its_job_runs() {
    let app = TestApp::spawn().await;
    let (_, errors) = app
        .services
        .import_cases("test", &[("line 1".into(), CASE.into())])
        .await
        .unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let case = store::cases::id_by_number(app.services.store.reader(), "case-0000150")
        .await
        .unwrap()
        .unwrap();

    let xml = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../cybertip/tests/fixtures/report_child_sexual_molestation_cell_phone.xml"),
    )
    .unwrap();
    let http = reqwest::Client::new();
    let user = &app.usernames[&Role::ProviderApi];
    let submitted = http
        .post(format!("{}/ispws/submit", app.base))
        .basic_auth(user, Some(PASSWORD))
        .body(xml)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let id = tag(&submitted, "reportId").unwrap_or_else(|| panic!("{submitted}"));
    let finished = http
        .post(format!("{}/ispws/finish", app.base))
        .basic_auth(user, Some(PASSWORD))
        .form(&[("id", id.as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        tag(&finished, "responseCode").as_deref(),
        Some("0"),
        "{finished}"
    );

    // Committed and answered; its linking waits in the database as a job.
    let analyst = app.login(Role::Analyst).await;
    let alerts = |body: String| -> Vec<serde_json::Value> {
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        v["alerts"].as_array().cloned().unwrap_or_default()
    };
    let detail = analyst.get(&format!("/api/v1/cases/{case}")).await;
    assert_eq!(detail.status, 200, "{}", detail.body);
    assert!(alerts(detail.body).is_empty());
    let counts = app.services.job_counts_unchecked().await.unwrap();
    assert_eq!((counts.pending, counts.running, counts.failed), (1, 0, 0));

    assert_eq!(app.run_pending_jobs().await, 1);
    let detail = analyst.get(&format!("/api/v1/cases/{case}")).await;
    let found = alerts(detail.body);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["reason"], "phone");
    assert_eq!(found[0]["source_kind"], "report");
    assert_eq!(found[0]["source_id"].to_string(), id);

    // Run again (as after a crash before the job was deleted): nothing new.
    let job = store::jobs::enqueue(
        app.services.store.reader(),
        service::jobs::LINK,
        &format!(r#"{{"records":[["report",{id}]]}}"#),
        0,
        0,
    )
    .await
    .unwrap();
    assert!(job > 0);
    assert_eq!(app.run_pending_jobs().await, 1);
    let detail = analyst.get(&format!("/api/v1/cases/{case}")).await;
    assert_eq!(alerts(detail.body).len(), 1, "jobs are idempotent");
}

#[tokio::test]
async fn a_job_that_keeps_failing_is_shown_to_administrators() {
    let app = TestApp::spawn().await;
    let s = &app.services;
    store::jobs::enqueue(s.store.reader(), "reticulate", "{}", 0, 0)
        .await
        .unwrap();
    let mut rounds = 0;
    loop {
        s.run_pending_jobs().await.unwrap();
        let c = s.job_counts_unchecked().await.unwrap();
        if c.failed == 1 {
            assert_eq!(c.pending, 0);
            break;
        }
        // Past the backoff of the attempt that just failed.
        app.clock
            .advance(service::jobs::MAX_BACKOFF + Duration::from_secs(1));
        rounds += 1;
        assert!(rounds < 20, "the job was never given up");
    }
    assert_eq!(rounds + 1, service::jobs::MAX_ATTEMPTS as usize);

    let admin = app.login(Role::Administrator).await;
    let page = admin.get("/admin/jobs").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("reticulate"), "{}", page.body);
    assert!(
        page.body.contains("no worker knows jobs of kind"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(r#"<dd id="jobs-failed">1</dd>"#),
        "{}",
        page.body
    );
    assert!(admin.get("/").await.body.contains("/admin/jobs"));
    let analyst = app.login(Role::Analyst).await;
    assert_eq!(analyst.get("/admin/jobs").await.status, 403);

    let metrics = app
        .client()
        .get_with_token("/metrics", crate::helpers::METRICS_TOKEN)
        .await
        .body;
    assert!(
        metrics.contains(r#"clearinghouse_jobs{state="failed"}"#),
        "{metrics}"
    );
}
