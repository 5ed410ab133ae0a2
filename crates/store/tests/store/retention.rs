//! Retention on both backends (issue 25): the closed records of each type with their
//! holds, deleting a report and a case with everything that hangs off them while the
//! audit chain stays whole, legal holds placed once and released once, the files of
//! abandoned provider reports, and which blobs rows still name.

use domain::audit::{NewAuditEntry, Verifier};
use domain::retention::{HeldKind, RecordType};
use domain::{OrgKind, Role, Username};
use store::retention as q;
use store::{audit, orgs, users, Store};

async fn exec(s: &Store, sql: &str) {
    s.execute_raw_for_tests(sql).await.unwrap();
}

async fn scalar(s: &Store, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(s.reader())
        .await
        .unwrap()
}

async fn report(s: &Store, source: &str, state: &str, status: &str, updated_at: i64) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO reports (source, state, incident_type, received_at, updated_at, finished_at, \
         summary, search_text, report_json, status) \
         VALUES ($1, $2, 'Child Sex Trafficking', $3, $3, $3, 's', 's', '{}', $4) RETURNING id",
    )
    .bind(source)
    .bind(state)
    .bind(updated_at)
    .bind(status)
    .fetch_one(s.reader())
    .await
    .unwrap()
}

async fn file(s: &Store, report: i64, key: &str) {
    sqlx::query(
        "INSERT INTO report_files (report_id, file_id, file_name, size, md5, sha1, sha256, blob_key, uploaded_at) \
         VALUES ($1, $2, 'f.jpg', 1, 'm', 's1', 's2', $2, 1)",
    )
    .bind(report)
    .bind(key)
    .execute(s.reader())
    .await
    .unwrap();
}

async fn audit_verifies(s: &Store) -> u64 {
    let rows = audit::batch_after(s.reader(), 0, 1000).await.unwrap();
    let mut v = Verifier::default();
    for e in &rows {
        assert!(v.push(e));
    }
    let head = audit::head(s.reader()).await.unwrap();
    v.finish(Some((head.0, &head.1))).unwrap()
}

#[tokio::test]
async fn closed_records_are_found_by_type_and_purged_with_what_hangs_off_them() {
    let db = store::testing::TestDb::new().await;
    let s = db.store().await;
    let mut tx = s.begin().await.unwrap();
    let org = orgs::insert(&mut *tx, "Sample Hotline", OrgKind::Hotline, 1)
        .await
        .unwrap();
    let agency = orgs::insert(&mut *tx, "Sample Agency", OrgKind::LawEnforcement, 1)
        .await
        .unwrap();
    let name = Username::parse("supervisor.one").unwrap();
    let user = users::insert(
        &mut *tx,
        users::NewUser {
            org_id: org,
            username: &name,
            display_name: "Supervisor One",
            role: Role::Supervisor,
            password_hash: "h",
        },
        1,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let tip = report(&s, "public", "finished", "closed", 100).await;
    let call = report(&s, "hotline-call", "finished", "closed", 100).await;
    let provider = report(&s, "provider", "finished", "closed", 100).await;
    let shared_tip = report(&s, "public", "finished", "closed", 100).await;
    let recent = report(&s, "provider", "finished", "closed", 5_000).await;
    let open = report(&s, "provider", "finished", "in_review", 100).await;
    let retracted = report(&s, "provider", "retracted", "new", 100).await;
    exec(&s, &format!("INSERT INTO report_shares (report_id, org_id, shared_by, shared_at) VALUES ({shared_tip}, {}, {}, 1)", agency.0, user.0)).await;
    file(&s, provider, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").await;
    file(&s, retracted, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb").await;
    exec(&s, &format!("INSERT INTO report_notes (report_id, author, body, created_at) VALUES ({provider}, {}, 'a note', 1)", user.0)).await;
    exec(&s, &format!("INSERT INTO record_identifiers (kind, value, record_kind, record_id) VALUES ('phone', '+12125550147', 'report', {provider})")).await;
    exec(&s, &format!("INSERT INTO record_links (a_kind, a_id, b_kind, b_id, reason, value, weight_milli, evidence_json, created_at) VALUES ('report', {provider}, 'report', {open}, 'phone', '+12125550147', 900, '{{}}', 1)")).await;
    exec(&s, &format!("INSERT INTO lead_messages (report_id, org_id, author, kind, body, created_at) VALUES ({provider}, {}, {}, 'question', 'q', 1)", agency.0, user.0)).await;
    exec(&s, &format!("INSERT INTO lead_messages (report_id, org_id, author, kind, answers, body, created_at) SELECT {provider}, {}, {}, 'answer', id, 'a', 2 FROM lead_messages WHERE report_id = {provider}", agency.0, user.0)).await;

    exec(&s, "INSERT INTO cases (external_id, child_name, missing_from_care, circumstance, episodes, case_json, imported_at, status, updated_at, child_json) \
              VALUES ('case-x', 'Sample Child', 0, 'runaway', 1, '{}', 1, 'closed', 100, '{\"child\":{\"photos\":[{\"id\":\"cccccccccccccccccccccccccccccccc\"}]}}')").await;
    let case = scalar(&s, "SELECT id FROM cases WHERE external_id = 'case-x'").await;
    exec(&s, &format!("INSERT INTO case_episodes (case_id, episode_json, reported_on, year, circumstance, state, recovered, created_at, updated_at) VALUES ({case}, '{{}}', '2024-01-01', 2024, 'runaway', 'OK', 0, 1, 1)")).await;
    exec(&s, &format!("INSERT INTO case_alerts (case_id, source_kind, source_id, reason, value, evidence_json, weight_milli, created_at) VALUES ({case}, 'report', {provider}, 'phone', '+12125550147', '{{}}', 900, 1)")).await;

    // Entries about the records, before the purge.
    for id in [tip, provider] {
        let mut tx = s.begin().await.unwrap();
        audit::append(
            &mut tx,
            NewAuditEntry::new("supervisor.one", "report.status").record("report", id),
            50,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }

    // Types: a tip is unsubstantiated only while never made available.
    let ids = |rows: Vec<q::ClosedRow>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
    let tips = q::closed_before(s.reader(), RecordType::UnsubstantiatedTip, 1_000)
        .await
        .unwrap();
    assert_eq!(ids(tips), [tip, call]);
    let closed = q::closed_before(s.reader(), RecordType::ClosedReport, 1_000)
        .await
        .unwrap();
    assert_eq!(ids(closed), [provider, shared_tip]);
    let closed = q::closed_before(s.reader(), RecordType::ClosedReport, 10_000)
        .await
        .unwrap();
    assert_eq!(ids(closed), [provider, shared_tip, recent]);
    let cases = q::closed_before(s.reader(), RecordType::ClosedCase, 1_000)
        .await
        .unwrap();
    assert_eq!(ids(cases), [case]);
    assert!(
        q::closed_before(s.reader(), RecordType::ClosedPlan, i64::MAX)
            .await
            .unwrap()
            .is_empty()
    );

    // A hold: placed on an existing record, once; seen by the query; released once.
    assert!(q::record_exists(s.reader(), HeldKind::Report, call)
        .await
        .unwrap());
    assert!(!q::record_exists(s.reader(), HeldKind::Report, retracted)
        .await
        .unwrap());
    assert!(!q::record_exists(s.reader(), HeldKind::Case, 999_999)
        .await
        .unwrap());
    let hold = q::place_hold(
        s.reader(),
        HeldKind::Report,
        call,
        "counsel asked",
        user.0,
        10,
    )
    .await
    .unwrap();
    assert_eq!(
        q::active_hold(s.reader(), HeldKind::Report, call)
            .await
            .unwrap(),
        Some(hold)
    );
    let tips = q::closed_before(s.reader(), RecordType::UnsubstantiatedTip, 1_000)
        .await
        .unwrap();
    assert_eq!(
        tips.iter().map(|r| (r.id, r.on_hold)).collect::<Vec<_>>(),
        [(tip, false), (call, true)]
    );
    let listed = q::holds(s.reader(), false, 10).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].placed_by, "supervisor.one");
    assert_eq!(listed[0].kind, HeldKind::Report);

    // Deleting a report takes what hangs off it, and nothing of the audit log.
    let before = audit_verifies(&s).await;
    assert_eq!(
        q::report_blob_keys(s.reader(), provider).await.unwrap(),
        ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]
    );
    let mut tx = s.begin().await.unwrap();
    assert!(q::rows_naming(&mut tx, "report", provider).await.unwrap() > 0);
    assert!(q::delete_report(&mut tx, provider, 200).await.unwrap());
    assert!(q::delete_report(&mut tx, tip, 200).await.unwrap());
    assert!(q::delete_case(&mut tx, case, 200).await.unwrap());
    assert_eq!(
        q::rows_naming(&mut tx, "report", provider).await.unwrap(),
        0
    );
    assert_eq!(q::rows_naming(&mut tx, "case", case).await.unwrap(), 0);
    assert!(!q::delete_report(&mut tx, provider, 200).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(audit_verifies(&s).await, before);
    assert_eq!(
        scalar(&s, &format!("SELECT COUNT(*) FROM audit_log WHERE record_type = 'report' AND record_id = '{provider}'")).await,
        1
    );
    // The other end of a link and the held tip stay.
    assert!(q::record_exists(s.reader(), HeldKind::Report, open)
        .await
        .unwrap());
    assert!(q::record_exists(s.reader(), HeldKind::Report, call)
        .await
        .unwrap());

    // Released once.
    assert!(
        q::release_hold(s.reader(), hold, "case settled", user.0, 20)
            .await
            .unwrap()
    );
    assert!(!q::release_hold(s.reader(), hold, "again", user.0, 21)
        .await
        .unwrap());
    let released = q::hold(s.reader(), hold).await.unwrap().unwrap();
    assert_eq!(released.released_by.as_deref(), Some("supervisor.one"));
    assert_eq!(released.release_reason.as_deref(), Some("case settled"));
    assert_eq!(
        q::active_hold(s.reader(), HeldKind::Report, call)
            .await
            .unwrap(),
        None
    );

    // A retracted provider report's file is abandoned; a finished one's is not.
    let abandoned = q::abandoned_files(s.reader(), 0, 0).await.unwrap();
    assert_eq!(
        abandoned
            .iter()
            .map(|(_, k)| k.as_str())
            .collect::<Vec<_>>(),
        ["bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"]
    );
    let mut tx = s.begin().await.unwrap();
    assert!(
        q::blob_referenced(&mut tx, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
            .await
            .unwrap()
    );
    assert!(
        !q::blob_referenced(&mut tx, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
            .await
            .unwrap()
    );
    assert!(
        !q::blob_referenced(&mut tx, "cccccccccccccccccccccccccccccccc")
            .await
            .unwrap()
    );
    assert!(q::delete_file_row(&mut tx, abandoned[0].0).await.unwrap());
    assert!(
        !q::blob_referenced(&mut tx, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb")
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();

    // A plan closed long ago is found once closing is recorded.
    exec(&s, &format!("INSERT INTO recovery_plans (young_person, safety, needs, needs_json, narrative_json, opened_by, opened_at, updated_at, closed_at) VALUES ('Sample Person', 'none', '', '[]', '{{}}', {}, 1, 1, 50)", user.0)).await;
    let plans = q::closed_before(s.reader(), RecordType::ClosedPlan, 100)
        .await
        .unwrap();
    assert_eq!(plans.len(), 1);
    let mut tx = s.begin().await.unwrap();
    assert!(q::delete_plan(&mut tx, plans[0].id).await.unwrap());
    tx.commit().await.unwrap();
}
