//! Retention over HTTP (issue 25): a closed report past its period is purged with its file,
//! one on legal hold and one inside its period are not; after the purge the audit chain
//! verifies and the purge's one entry holds counts and a hash, never the child's name; a
//! retracted or expired provider report's files and files no row names are swept; only
//! supervisors and administrators place holds, only administrators purge.

use crate::helpers::{Client, TestApp};
use crate::intake::{fixtures, tag, Provider};
use domain::retention::RetentionPolicy;
use domain::Role;
use service::audit::AuditCheck;
use std::path::PathBuf;
use std::time::Duration;

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

fn policy() -> RetentionPolicy {
    RetentionPolicy {
        unsubstantiated_tips_days: Some(30),
        closed_reports_days: Some(30),
        closed_cases_days: Some(30),
        closed_plans_days: None,
    }
}

async fn spawn() -> TestApp {
    TestApp::spawn_with(crate::helpers::Options {
        retention: Some(policy()),
        ..Default::default()
    })
    .await
}

/// A provider's finished report with one file; its id and the file's blob path.
async fn provider_report(app: &TestApp, finish: bool) -> (i64, PathBuf) {
    let p = Provider::new(app, "provider-api");
    let id = p.submit(&fixtures()[0].1).await.report_id.unwrap();
    let up = p.upload(id, "evidence.jpg", b"SAMPLE-EVIDENCE-BYTES").await;
    assert_eq!(up.code, Some(0), "{}", up.body);
    assert!(tag(&up.body, "fileId").is_some());
    if finish {
        let done = p.form("finish", id).await;
        assert_eq!(done.code, Some(0), "{}", done.body);
    }
    let key: String = sqlx::query_scalar("SELECT blob_key FROM report_files WHERE report_id = $1")
        .bind(id)
        .fetch_one(app.services.store.reader())
        .await
        .unwrap();
    let path = app.files.path().join(blob::relative_path(&key).unwrap());
    assert!(path.is_file(), "the file is stored");
    (id, path)
}

async fn close_report(analyst: &Client, id: i64) {
    let res = analyst
        .post_form(
            &format!("/reports/{id}/status"),
            &[("status", "closed"), ("reason", "Nothing to act on")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
}

/// A caseworker reports a child missing; the analyst closes the case. Its id.
async fn closed_case(app: &TestApp, name: &str) -> i64 {
    let cw = app.login(Role::Caseworker).await;
    let day = |d: i64| casework::model::iso(app.services.today() - time::Duration::days(d));
    let fields: Vec<(&str, String)> = vec![
        ("name", name.to_owned()),
        ("date_of_birth", "2011-04-02".into()),
        ("sex", "female".into()),
        ("description", "5 ft 2 in, brown hair".into()),
        ("custody", "foster_care".into()),
        ("agency_name", "Test Child Welfare".into()),
        ("caseworker_name", "Sample Caseworker".into()),
        ("caseworker_phone", "(555) 010-0188".into()),
        ("reported_on", day(2)),
        ("last_seen_on", day(3)),
        ("last_seen_city", "Tulsa".into()),
        ("last_seen_state", "OK".into()),
        ("circumstance", "missing_from_care".into()),
        ("reported_by", "foster parent".into()),
        ("narrative", "Left her placement in the evening".into()),
    ];
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = cw.post_form("/cases", &f).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let id: i64 = res
        .location
        .unwrap()
        .trim_start_matches("/cases/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let analyst = app.login(Role::Analyst).await;
    let res = analyst
        .post_form(
            &format!("/cases/{id}/status"),
            &[("status", "closed"), ("reason", "Found safe")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    id
}

async fn hold(c: &Client, kind: &str, number: &str, reason: &str) -> crate::helpers::Res {
    c.post_form(
        "/admin/retention/holds",
        &[("kind", kind), ("number", number), ("reason", reason)],
    )
    .await
}

async fn purge_entries(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT detail FROM audit_log WHERE action = 'retention.purge' ORDER BY seq")
        .fetch_all(app.services.store.reader())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_closed_report_past_its_period_is_purged_with_its_file_unless_held_and_the_chain_verifies(
) {
    let app = spawn().await;
    let analyst = app.login(Role::Analyst).await;
    let (old, old_file) = provider_report(&app, true).await;
    let (held, held_file) = provider_report(&app, true).await;
    close_report(&analyst, old).await;
    close_report(&analyst, held).await;
    let case = closed_case(&app, "Zephyrine Quillbury").await;
    app.run_pending_jobs().await;
    // Views of the records are in the log before the purge.
    assert_eq!(analyst.get(&format!("/reports/{old}")).await.status, 200);

    let supervisor = app.login(Role::Supervisor).await;
    let res = hold(
        &supervisor,
        "report",
        &held.to_string(),
        "Counsel asked us to keep it",
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = supervisor.follow(&res).await;
    assert!(
        page.body
            .contains(&format!("A legal hold is on report {held}")),
        "{}",
        page.body
    );
    // One hold in force a record; a record that does not exist cannot be held.
    let again = hold(&supervisor, "report", &held.to_string(), "Twice").await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("already on hold"), "{}", again.body);
    let missing = hold(&supervisor, "case", "CH-999999", "No such case").await;
    assert_eq!(missing.status, 422);
    assert!(missing.body.contains("There is a problem"));
    assert!(
        missing.body.contains("href=\"#number\""),
        "{}",
        missing.body
    );
    let empty = hold(&supervisor, "report", &held.to_string(), " ").await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("href=\"#reason\""), "{}", empty.body);

    // A month later, a report closed then is still inside its period.
    app.clock.advance(DAY * 31);
    let analyst = app.login(Role::Analyst).await;
    let (recent, recent_file) = provider_report(&app, true).await;
    close_report(&analyst, recent).await;
    app.run_pending_jobs().await;

    let admin = app.login(Role::Administrator).await;
    let page = admin.get("/admin/retention").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Closed reports"), "{}", page.body);
    assert!(page.body.contains("30 days after the last change"));
    assert!(page.body.contains("Closed recovery plans"));
    assert!(page.body.contains("Kept for ever"));
    assert!(page.body.contains("Counsel asked us to keep it"));
    assert!(
        page.body
            .contains("I understand that the 2 records due now"),
        "{}",
        page.body
    );
    // Deleting for good needs the box ticked.
    let res = admin.post_form("/admin/retention/purge", &[]).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("href=\"#confirm\""), "{}", res.body);
    let res = admin
        .post_form("/admin/retention/purge", &[("confirm", "yes")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(admin.follow(&res).await.body.contains("A purge is queued"));
    app.run_pending_jobs().await;

    // The old report and its file are gone; the held and the recent ones stay.
    assert_eq!(analyst.get(&format!("/reports/{old}")).await.status, 404);
    assert!(!old_file.exists(), "the purged report's file is deleted");
    assert_eq!(analyst.get(&format!("/reports/{held}")).await.status, 200);
    assert!(held_file.is_file());
    assert_eq!(analyst.get(&format!("/reports/{recent}")).await.status, 200);
    assert!(recent_file.is_file());
    assert_eq!(analyst.get(&format!("/cases/{case}")).await.status, 404);

    // The chain verifies with the verifier the command line uses.
    match app.services.verify_audit().await.unwrap() {
        AuditCheck::Intact { entries } => assert!(entries > 10),
        AuditCheck::Broken(b) => panic!("the audit log is broken after a purge: {b}"),
    }
    // One entry: counts and a hash, never the child's name.
    let entries = purge_entries(&app).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let detail: serde_json::Value = serde_json::from_str(&entries[0]).unwrap();
    assert_eq!(detail["records"]["closed_reports"], 1, "{detail}");
    assert_eq!(detail["records"]["closed_cases"], 1, "{detail}");
    assert_eq!(detail["records"]["unsubstantiated_tips"], 0, "{detail}");
    assert_eq!(detail["held"], 1, "{detail}");
    assert_eq!(detail["record_files"], 1, "{detail}");
    assert_eq!(detail["requested_by"], "administrator", "{detail}");
    let text = format!("report:{old},case:{case}");
    assert_eq!(
        detail["ids_sha256"],
        service::crypto::digest(&text),
        "{detail}"
    );
    assert!(!entries[0].contains("Zephyrine") && !entries[0].contains("Quillbury"));
    // Earlier entries about the purged report are kept.
    let kept: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE record_type = 'report' AND record_id = $1",
    )
    .bind(old.to_string())
    .fetch_one(app.services.store.reader())
    .await
    .unwrap();
    assert!(kept >= 2, "{kept}");
    // The audit page says what happened in words.
    let log = admin.get("/admin/audit?action=retention.*").await;
    assert!(
        log.body
            .contains("Purged the records past their retention period"),
        "{}",
        log.body
    );
    assert!(
        log.body.contains("Placed a legal hold on report"),
        "{}",
        log.body
    );

    // Released, the held report goes at the next purge.
    let supervisor = app.login(Role::Supervisor).await;
    let hold_id: i64 = sqlx::query_scalar("SELECT id FROM legal_holds WHERE record_id = $1")
        .bind(held)
        .fetch_one(app.services.store.reader())
        .await
        .unwrap();
    let res = supervisor
        .post_form(
            &format!("/admin/retention/holds/{hold_id}/release"),
            &[("release_reason", "")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(
        res.body
            .contains(&format!("href=\"#release_reason-{hold_id}\"")),
        "{}",
        res.body
    );
    let res = supervisor
        .post_form(
            &format!("/admin/retention/holds/{hold_id}/release"),
            &[("release_reason", "The matter is settled")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let o = app.services.purge_as_operator(false).await.unwrap();
    assert_eq!(o.records["closed_reports"], 1);
    assert!(!held_file.exists());
    assert_eq!(analyst.get(&format!("/reports/{held}")).await.status, 404);
    assert!(matches!(
        app.services.verify_audit().await.unwrap(),
        AuditCheck::Intact { .. }
    ));
}

#[tokio::test]
async fn the_files_of_retracted_and_expired_provider_reports_and_of_no_record_are_swept() {
    let app = spawn().await;
    let p = Provider::new(&app, "provider-api");
    let (retracted, retracted_file) = provider_report(&app, false).await;
    let r = p.form("retract", retracted).await;
    assert_eq!(r.code, Some(0), "{}", r.body);
    let (open, open_file) = provider_report(&app, false).await;
    let (finished, finished_file) = provider_report(&app, true).await;
    app.run_pending_jobs().await;
    // A file no row names, as a crash between an upload and its row leaves.
    let orphan = app
        .services
        .files
        .store
        .put(
            Box::pin(futures_util::stream::iter([Ok(
                axum::body::Bytes::from_static(b"orphan"),
            )])),
            100,
        )
        .await
        .unwrap();
    let orphan_file = app
        .files
        .path()
        .join(blob::relative_path(&orphan.key).unwrap());

    // Now: the retracted report's file goes; the open one is not expired, and the orphan
    // may be an upload whose row is about to be committed.
    let dry = app.services.purge_as_operator(true).await.unwrap();
    assert!(dry.dry_run);
    assert_eq!((dry.abandoned_files, dry.orphan_files), (1, 0));
    assert!(retracted_file.is_file(), "a dry run changes nothing");
    let o = app.services.purge_as_operator(false).await.unwrap();
    assert_eq!(
        (o.abandoned_files, o.orphan_files, o.total_records()),
        (1, 0, 0)
    );
    assert!(!retracted_file.exists());
    assert!(open_file.is_file() && orphan_file.is_file() && finished_file.is_file());

    // A day later the open report has expired and the orphan is old.
    app.clock.advance(DAY + Duration::from_secs(60));
    let o = app.services.purge_as_operator(false).await.unwrap();
    assert_eq!((o.abandoned_files, o.orphan_files), (1, 1));
    assert!(!open_file.exists() && !orphan_file.exists());
    assert!(finished_file.is_file(), "a finished report keeps its file");
    let _ = open;
    let analyst = app.login(Role::Analyst).await;
    assert_eq!(
        analyst.get(&format!("/reports/{finished}")).await.status,
        200
    );
    assert_eq!(purge_entries(&app).await.len(), 2);
    assert!(matches!(
        app.services.verify_audit().await.unwrap(),
        AuditCheck::Intact { .. }
    ));
}

#[tokio::test]
async fn only_supervisors_and_administrators_place_holds_and_only_administrators_purge() {
    let app = spawn().await;
    let (id, _) = provider_report(&app, true).await;
    for role in [
        Role::Analyst,
        Role::Investigator,
        Role::Caseworker,
        Role::Volunteer,
    ] {
        let c = app.login(role).await;
        assert_eq!(c.get("/admin/retention").await.status, 403, "{role}");
        assert_eq!(
            hold(&c, "report", &id.to_string(), "x").await.status,
            403,
            "{role}"
        );
        let api = c
            .send_json(
                reqwest::Method::POST,
                "/api/v1/legal-holds",
                Some(
                    serde_json::json!({"kind": "report", "number": id.to_string(), "reason": "x"}),
                ),
                None,
            )
            .await;
        assert_eq!(api.status, 403, "{role}");
    }
    let supervisor = app.login(Role::Supervisor).await;
    let page = supervisor.get("/admin/retention").await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains("action=\"/admin/retention/purge\""),
        "a supervisor is not offered the purge"
    );
    assert_eq!(
        supervisor
            .post_form("/admin/retention/purge", &[])
            .await
            .status,
        403
    );
    // Over the API too, audited like the page.
    let placed = supervisor
        .send_json(
            reqwest::Method::POST,
            "/api/v1/legal-holds",
            Some(serde_json::json!({"kind": "report", "number": id.to_string(), "reason": "Subpoena received"})),
            None,
        )
        .await;
    assert_eq!(placed.status, 201, "{}", placed.body);
    let v: serde_json::Value = serde_json::from_str(&placed.body).unwrap();
    assert_eq!(v["record"], format!("report {id}"));
    let list = supervisor
        .send_json(reqwest::Method::GET, "/api/v1/legal-holds", None, None)
        .await;
    assert!(list.body.contains("Subpoena received"), "{}", list.body);
    let admin = app.login(Role::Administrator).await;
    assert!(admin
        .get("/admin/retention")
        .await
        .body
        .contains("action=\"/admin/retention/purge\""));
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'retention.%' ORDER BY seq",
    )
    .fetch_all(app.services.store.reader())
    .await
    .unwrap();
    assert_eq!(actions, ["retention.hold"]);
}

#[tokio::test]
async fn the_daily_purge_runs_at_its_time_and_queues_the_next_day() {
    let app = spawn().await;
    let (retracted, file) = provider_report(&app, false).await;
    let r = Provider::new(&app, "provider-api")
        .form("retract", retracted)
        .await;
    assert_eq!(r.code, Some(0), "{}", r.body);
    // Started twice (two restarts), queued once, for later.
    app.services.start_retention().await.unwrap();
    app.services.start_retention().await.unwrap();
    let daily = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'retention_daily' AND state = 'pending'",
        )
        .fetch_one(app.services.store.reader())
        .await
        .unwrap()
    };
    assert_eq!(daily().await, 1);
    assert_eq!(
        app.services.run_pending_jobs().await.unwrap(),
        0,
        "not due yet"
    );
    assert!(file.is_file());
    app.clock.advance(DAY + Duration::from_secs(60));
    assert_eq!(app.services.run_pending_jobs().await.unwrap(), 1);
    assert!(
        !file.exists(),
        "the daily purge swept the retracted report's file"
    );
    let entries = purge_entries(&app).await;
    assert_eq!(entries.len(), 1);
    assert!(
        entries[0].contains("\"requested_by\":\"daily schedule\""),
        "{}",
        entries[0]
    );
    assert_eq!(daily().await, 1, "the next day's purge is queued");
    assert_eq!(app.services.run_pending_jobs().await.unwrap(), 0);
}

#[tokio::test]
async fn a_closed_recovery_plan_is_purged_after_its_period_and_an_open_one_is_kept() {
    let app = TestApp::spawn_with(crate::helpers::Options {
        retention: Some(RetentionPolicy {
            closed_plans_days: Some(30),
            ..policy()
        }),
        ..Default::default()
    })
    .await;
    let rs = app.login(Role::RecoverySpecialist).await;
    let closed = crate::recovery_plans::open_plan(
        &rs,
        &[("young_person", "Quorrin Example"), ("needs", "housing")],
    )
    .await;
    let open = crate::recovery_plans::open_plan(
        &rs,
        &[("young_person", "Tamsin Example"), ("needs", "education")],
    )
    .await;
    let res = rs
        .post_form(
            &format!("/recovery/plans/{closed}/close"),
            &[("reason", "moved_away")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);

    // Inside its period the closed plan stays.
    let admin = app.login(Role::Administrator).await;
    let page = admin.get("/admin/retention").await;
    assert!(page.body.contains("Closed recovery plans"), "{}", page.body);
    app.clock.advance(DAY * 31);
    let rs = app.login(Role::RecoverySpecialist).await;
    let admin = app.login(Role::Administrator).await;
    let res = admin
        .post_form("/admin/retention/purge", &[("confirm", "yes")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    app.run_pending_jobs().await;

    assert_eq!(
        rs.get(&format!("/recovery/plans/{closed}")).await.status,
        404
    );
    assert_eq!(rs.get(&format!("/recovery/plans/{open}")).await.status, 200);
    let entries = purge_entries(&app).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let detail: serde_json::Value = serde_json::from_str(&entries[0]).unwrap();
    assert_eq!(detail["records"]["closed_plans"], 1, "{detail}");
    assert!(!entries[0].contains("Quorrin"));
    match app.services.verify_audit().await.unwrap() {
        AuditCheck::Intact { .. } => {}
        AuditCheck::Broken(b) => panic!("the audit log is broken after a purge: {b}"),
    }
}
