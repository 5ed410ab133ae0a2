//! The storage conformance suite: run once on SQLite and once on PostgreSQL by the test
//! command (see `store::testing`), so both backends are held to the same behaviour.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use domain::audit::{NewAuditEntry, Verifier};
use domain::{CaseStatus, OrgKind, Role, Username};
use store::testing::TestDb;
use store::{audit, cases, orgs, resources, sessions, tokens, users, StoreError};

async fn fixture() -> (TestDb, store::Store) {
    let db = TestDb::new().await;
    let s = db.store().await;
    (db, s)
}

#[tokio::test]
async fn users_round_trip_with_all_column_types() {
    let (_db, s) = fixture().await;
    let mut tx = s.begin().await.unwrap();
    let org = orgs::insert(&mut *tx, "Sample Hotline", OrgKind::Hotline, 10)
        .await
        .unwrap();
    let name = Username::parse("analyst.one").unwrap();
    let id = users::insert(
        &mut *tx,
        users::NewUser {
            org_id: org,
            username: &name,
            display_name: "Analyst One",
            role: Role::Analyst,
            password_hash: "h",
        },
        20,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let u = users::by_username(s.reader(), "analyst.one")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.id, id);
    assert_eq!(u.org_kind, OrgKind::Hotline);
    assert_eq!(u.role, Role::Analyst);
    assert!(!u.totp_enabled);
    assert_eq!(u.locked_at, None);
    assert_eq!(u.created_at, 20);

    // Unique usernames are a conflict the caller can explain.
    let mut tx = s.begin().await.unwrap();
    let err = users::insert(
        &mut *tx,
        users::NewUser {
            org_id: org,
            username: &name,
            display_name: "x",
            role: Role::Analyst,
            password_hash: "h",
        },
        21,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    drop(tx);

    assert_eq!(users::count(s.reader(), Some("ANALYST")).await.unwrap(), 1);
    assert_eq!(
        users::list(s.reader(), Some("nobody"), 10, 0)
            .await
            .unwrap()
            .len(),
        0
    );

    users::set_totp(s.reader(), id, Some("SECRET"), true, 5)
        .await
        .unwrap();
    assert!(users::advance_totp_step(s.reader(), id, 6).await.unwrap());
    assert!(
        !users::advance_totp_step(s.reader(), id, 6).await.unwrap(),
        "a time step is accepted once"
    );
    let u = users::by_id(s.reader(), id).await.unwrap().unwrap();
    assert!(u.totp_enabled);
    assert_eq!(u.totp_secret.as_deref(), Some("SECRET"));

    users::record_failure(s.reader(), id, 100).await.unwrap();
    users::record_failure(s.reader(), id, 200).await.unwrap();
    assert_eq!(users::failures_since(s.reader(), id, 150).await.unwrap(), 1);

    let sess = sessions::SessionRow {
        id_hash: "abc".into(),
        user_id: id,
        csrf_token: "t".into(),
        second_factor_done: false,
        created_at: 1,
        last_seen_at: 1,
    };
    sessions::insert(s.reader(), &sess, Some("127.0.0.1"))
        .await
        .unwrap();
    sessions::mark_second_factor_done(s.reader(), "abc")
        .await
        .unwrap();
    assert!(
        sessions::by_hash(s.reader(), "abc")
            .await
            .unwrap()
            .unwrap()
            .second_factor_done
    );
    assert_eq!(sessions::delete_for_user(s.reader(), id).await.unwrap(), 1);

    let tid = tokens::insert(s.reader(), id, "script", "hash1", "ch_ab", 5, 100)
        .await
        .unwrap();
    assert!(tokens::live_by_hash(s.reader(), "hash1", 6)
        .await
        .unwrap()
        .is_some());
    // Expired at 100.
    assert!(tokens::live_by_hash(s.reader(), "hash1", 100)
        .await
        .unwrap()
        .is_none());
    assert!(tokens::revoke(s.reader(), id, tid, 6).await.unwrap());
    assert!(tokens::live_by_hash(s.reader(), "hash1", 6)
        .await
        .unwrap()
        .is_none());
    tokens::insert(s.reader(), id, "a", "hash2", "ch_cd", 5, 100)
        .await
        .unwrap();
    tokens::insert(s.reader(), id, "b", "hash3", "ch_ef", 5, 100)
        .await
        .unwrap();
    assert_eq!(
        tokens::revoke_all_for_user(s.reader(), id, 7)
            .await
            .unwrap(),
        2
    );
    assert!(tokens::live_by_hash(s.reader(), "hash2", 8)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_case_status_is_decoded_and_an_unknown_one_is_an_error() {
    let (_db, s) = fixture().await;
    let mut tx = s.begin().await.unwrap();
    let org = orgs::insert(
        &mut *tx,
        "County Children's Services",
        OrgKind::ChildWelfare,
        1,
    )
    .await
    .unwrap();
    let name = Username::parse("case.worker").unwrap();
    let user = users::insert(
        &mut *tx,
        users::NewUser {
            org_id: org,
            username: &name,
            display_name: "Case Worker",
            role: Role::Caseworker,
            password_hash: "h",
        },
        2,
    )
    .await
    .unwrap();
    let summary = cases::CaseSummary {
        child_name: "Ana Example".into(),
        missing_from_care: true,
        circumstance: "endangered_runaway".into(),
        episodes: 1,
        child_json: "{}".into(),
        case_json: "{}".into(),
        search_text: "ana example".into(),
        currently_missing: true,
        missing_since: Some("2024-01-02".into()),
        last_seen_state: Some("OK".into()),
        priority_rank: 2,
        score_milli: 1500,
        triage_json: "{}".into(),
        catalogue_version: 1,
    };
    let (id, _) = cases::insert(
        &mut tx,
        &cases::NewCase {
            owner_org: Some(org),
            source: "caseworker",
            reported_by: user,
            status: CaseStatus::NeedsReview,
            summary: &summary,
        },
        3,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let row = cases::by_id(s.reader(), id).await.unwrap().unwrap();
    assert_eq!(row.status, CaseStatus::NeedsReview);
    assert!(
        cases::set_status(s.reader(), id, CaseStatus::NeedsReview, CaseStatus::Open, 4)
            .await
            .unwrap()
    );
    assert!(
        !cases::set_status(
            s.reader(),
            id,
            CaseStatus::NeedsReview,
            CaseStatus::Closed,
            5
        )
        .await
        .unwrap(),
        "a move from a status the case has left does nothing"
    );
    let open = cases::CaseFilter {
        status: Some(CaseStatus::Open),
        ..cases::CaseFilter::default()
    };
    assert_eq!(cases::count(s.reader(), &open).await.unwrap(), 1);

    // A value this version does not know (a newer version's, or damage) is never read
    // as some default status.
    sqlx::query("UPDATE cases SET status = 'reviewed' WHERE id = $1")
        .bind(id)
        .execute(s.reader())
        .await
        .unwrap();
    let err = cases::by_id(s.reader(), id).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Corrupt(m) if m.contains("reviewed")),
        "{err:?}"
    );
}

#[tokio::test]
async fn audit_log_is_chained_and_append_only() {
    let (_db, s) = fixture().await;
    for i in 0..5 {
        let mut tx = s.begin().await.unwrap();
        audit::append(
            &mut tx,
            NewAuditEntry::new("alice", "report.view").record("report", i),
            1000 + i,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    // A batch continues the same chain.
    let mut tx = s.begin().await.unwrap();
    audit::append_many(
        &mut tx,
        (5..8)
            .map(|i| NewAuditEntry::new("bob", "report.submit").record("report", i))
            .collect(),
        2000,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let rows = audit::batch_after(s.reader(), 0, 100).await.unwrap();
    assert_eq!(rows.len(), 8);
    assert_eq!(
        rows.iter().map(|r| r.seq).collect::<Vec<_>>(),
        (1..=8).collect::<Vec<_>>()
    );
    let mut v = Verifier::default();
    rows.iter().for_each(|e| {
        v.push(e);
    });
    let head = audit::head(s.reader()).await.unwrap();
    assert_eq!(v.finish(Some((head.0, &head.1))), Ok(8));

    // The database itself refuses changes, whatever the application does.
    assert!(s
        .execute_raw_for_tests("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
        .await
        .is_err());
    assert!(s
        .execute_raw_for_tests("DELETE FROM audit_log WHERE seq = 2")
        .await
        .is_err());
}

#[tokio::test]
async fn concurrent_appends_never_fork_the_chain() {
    let (_db, s) = fixture().await;
    let mut handles = Vec::new();
    for i in 0..8 {
        let s = s.clone();
        handles.push(tokio::spawn(async move {
            for j in 0..10 {
                let mut tx = s.begin().await.unwrap();
                audit::append(
                    &mut tx,
                    NewAuditEntry::new("w", "x").record("r", i * 100 + j),
                    1,
                )
                .await
                .unwrap();
                tx.commit().await.unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let rows = audit::batch_after(s.reader(), 0, 1000).await.unwrap();
    let mut v = Verifier::default();
    rows.iter().for_each(|e| {
        v.push(e);
    });
    let head = audit::head(s.reader()).await.unwrap();
    assert_eq!(v.finish(Some((head.0, &head.1))), Ok(80));
}

/// A job enqueued in a transaction exists only if the transaction commits.
#[tokio::test]
async fn jobs_are_enqueued_with_their_transaction() {
    use store::jobs;
    let (_db, s) = fixture().await;
    let mut tx = s.begin().await.unwrap();
    jobs::enqueue(&mut *tx, "link", "[1]", 100, 100)
        .await
        .unwrap();
    drop(tx);
    assert_eq!(jobs::claim(&s, 1_000, 2_000).await.unwrap(), None);

    let mut tx = s.begin().await.unwrap();
    let id = jobs::enqueue(&mut *tx, "link", "[2]", 100, 100)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    let c = jobs::counts(s.reader(), 50).await.unwrap();
    assert_eq!((c.pending, c.running, c.failed), (1, 0, 0));
    // Not before its time.
    assert_eq!(jobs::claim(&s, 99, 1_000).await.unwrap(), None);
    let job = jobs::claim(&s, 100, 1_000).await.unwrap().unwrap();
    assert_eq!(
        (
            job.id,
            job.kind.as_str(),
            job.payload.as_str(),
            job.attempts
        ),
        (id, "link", "[2]", 1)
    );
    let c = jobs::counts(s.reader(), 500).await.unwrap();
    assert_eq!((c.pending, c.running, c.failed), (0, 1, 0));
    // Held: nobody else gets it.
    assert_eq!(jobs::claim(&s, 500, 1_500).await.unwrap(), None);
    assert!(jobs::complete(&s, &job).await.unwrap());
    assert_eq!(
        jobs::by_id(s.reader(), id).await.unwrap(),
        None,
        "done jobs go"
    );
    assert!(!jobs::complete(&s, &job).await.unwrap());
}

/// A claim whose worker died is claimed again after its lease, and the stale claim can
/// then change nothing.
#[tokio::test]
async fn an_expired_lease_lets_another_worker_claim_the_job() {
    use store::jobs;
    let (_db, s) = fixture().await;
    let id = jobs::enqueue(s.reader(), "link", "[3]", 0, 0)
        .await
        .unwrap();
    let first = jobs::claim(&s, 10, 110).await.unwrap().unwrap();
    assert_eq!(jobs::claim(&s, 109, 209).await.unwrap(), None);
    let second = jobs::claim(&s, 110, 210).await.unwrap().unwrap();
    assert_eq!((second.id, second.attempts), (id, 2));
    assert!(!jobs::complete(&s, &first).await.unwrap());
    assert!(!jobs::retry(&s, &first, "x", 0).await.unwrap());
    assert!(!jobs::fail(&s, &first, "x", 0).await.unwrap());
    assert!(!jobs::release(&s, &first).await.unwrap());
    assert!(jobs::by_id(s.reader(), id).await.unwrap().is_some());
    assert!(jobs::complete(&s, &second).await.unwrap());

    // A job claimed inside its own transaction waits out the lease too.
    let mut tx = s.begin().await.unwrap();
    let mine = jobs::enqueue_claimed(&mut *tx, "link", "[4]", 1_000, 2_000)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    assert_eq!(mine.attempts, 1);
    assert_eq!(jobs::claim(&s, 1_999, 3_000).await.unwrap(), None);
    let again = jobs::claim(&s, 2_000, 3_000).await.unwrap().unwrap();
    assert_eq!((again.id, again.attempts), (mine.id, 2));
}

/// A failed attempt waits for its backoff; a job given up is kept, with its error, for
/// the administrators; a released job is due at once and the claim is not counted.
#[tokio::test]
async fn retries_wait_their_backoff_and_failures_are_kept() {
    use store::jobs;
    let (_db, s) = fixture().await;
    let id = jobs::enqueue(s.reader(), "link", "[5]", 0, 0)
        .await
        .unwrap();
    let job = jobs::claim(&s, 0, 100).await.unwrap().unwrap();
    assert!(jobs::retry(&s, &job, "database busy", 50).await.unwrap());
    assert!(
        !jobs::release(&s, &job).await.unwrap(),
        "a claim works once: the retry ended it"
    );
    assert_eq!(jobs::claim(&s, 49, 149).await.unwrap(), None);
    let job = jobs::claim(&s, 50, 150).await.unwrap().unwrap();
    assert_eq!(job.attempts, 2);
    assert!(jobs::release(&s, &job).await.unwrap());
    let job = jobs::claim(&s, 51, 151).await.unwrap().unwrap();
    assert_eq!(job.attempts, 2, "a release does not count as an attempt");
    assert!(jobs::fail(&s, &job, "record 5 is not valid JSON", 60)
        .await
        .unwrap());
    assert_eq!(jobs::claim(&s, 1_000, 2_000).await.unwrap(), None);
    let failed = jobs::failed(s.reader(), 10).await.unwrap();
    assert_eq!(failed.len(), 1);
    let f = &failed[0];
    assert_eq!((f.id, f.state.as_str(), f.attempts), (id, "failed", 2));
    assert_eq!(f.last_error.as_deref(), Some("record 5 is not valid JSON"));
    assert_eq!((f.failed_at, f.claimed_until), (Some(60), None));
    let c = jobs::counts(s.reader(), 1_000).await.unwrap();
    assert_eq!((c.pending, c.running, c.failed), (0, 0, 1));
}

/// Workers claiming at once never get the same job.
#[tokio::test]
async fn concurrent_claims_never_share_a_job() {
    use store::jobs;
    let (_db, s) = fixture().await;
    for i in 0..40 {
        jobs::enqueue(s.reader(), "link", &format!("[{i}]"), 0, 0)
            .await
            .unwrap();
    }
    let mut handles = Vec::new();
    for _ in 0..8 {
        let s = s.clone();
        handles.push(tokio::spawn(async move {
            let mut got = Vec::new();
            while let Some(job) = jobs::claim(&s, 1, 1_000_000).await.unwrap() {
                got.push(job.id);
            }
            got
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.unwrap());
    }
    all.sort_unstable();
    let n = all.len();
    all.dedup();
    assert_eq!((n, all.len()), (40, 40));
}

/// A record kind this version does not know, read back from any of the columns holding
/// one, is an error naming the column and the value: never taken for another kind.
#[tokio::test]
async fn an_unknown_record_kind_reads_back_as_an_error() {
    use domain::{RecordKind, RecordRef};
    use store::{cases, links};

    let (_db, s) = fixture().await;
    for sql in [
        "INSERT INTO record_identifiers (kind, value, record_kind, record_id, seen_at) \
         VALUES ('phone', '+15550100', 'tip', 1, NULL)",
        "INSERT INTO record_links (a_kind, a_id, b_kind, b_id, reason, value, weight_milli, evidence_json, created_at) \
         VALUES ('report', 1, 'tip', 2, 'phone', '+15550100', 500, '{}', 1)",
        "INSERT INTO cases (external_id, child_name, missing_from_care, circumstance, episodes, case_json, imported_at) \
         VALUES ('case-1', 'Sample Child', 0, 'runaway', 1, '{}', 1)",
        "INSERT INTO case_alerts (case_id, source_kind, source_id, reason, value, evidence_json, weight_milli, created_at) \
         SELECT id, 'tip', 2, 'phone', '+15550100', '{}', 500, 1 FROM cases",
    ] {
        s.execute_raw_for_tests(sql).await.unwrap();
    }
    let unknown = |e: StoreError, column: &str| match e {
        StoreError::UnknownValue { column: c, value } => {
            assert_eq!((c, value.as_str()), (column, "tip"));
        }
        other => panic!("expected an unknown {column}, got {other:?}"),
    };

    let e = links::records_with(s.reader(), "phone", "+15550100", 10)
        .await
        .unwrap_err();
    unknown(e, "record_identifiers.record_kind");
    let e = links::holders_for(s.reader(), "phone", &["+15550100".to_owned()])
        .await
        .unwrap_err();
    unknown(e, "record_identifiers.record_kind");
    let e = links::links_of(s.reader(), &RecordRef::report(1))
        .await
        .unwrap_err();
    unknown(e, "record_links.b_kind");
    let e = links::all_edges(s.reader()).await.unwrap_err();
    unknown(e, "record_links.b_kind");

    let case = links::ids_by_external(s.reader(), RecordKind::Case, &["case-1".to_owned()], None)
        .await
        .unwrap();
    let e = cases::alerts(s.reader(), case[0]).await.unwrap_err();
    unknown(e, "case_alerts.source_kind");
}

/// A tip stored before migration 0009 carried a sentence the product wrote as its place's
/// additional information; 0009 removes exactly that, only from public tips.
#[tokio::test]
async fn migration_0009_removes_the_stored_place_hint_from_tips_only() {
    use store::reports;
    let db = TestDb::new().await;
    let s = store::Store::connect(&db.url).await.unwrap();
    s.migrate_to_for_tests(8).await.unwrap();

    let hint = "Where it happened, as given by the reporter";
    let json = |place_info: &str, what: &str| {
        format!(
            r#"{{"incident_summary":{{"incident_type":"Child Sex Trafficking"}},"internet_details":[{{"NonInternet":{{"location_name":null,"incident_addresses":[{{"city":"Dayton"}}],"additional_info":"{place_info}"}}}}],"additional_info":"{what}"}}"#
        )
    };
    let mut tx = s.begin().await.unwrap();
    // The old tip, a tip whose reporter wrote their own words there and in the account,
    // and a provider's report that happens to use the same words.
    let old_tip = insert_report(&mut tx, "public", json(hint, "Saw her at the diner")).await;
    let own_words = insert_report(
        &mut tx,
        "public",
        json(
            "Behind the bus station",
            "Where it happened, as given by the reporter: here",
        ),
    )
    .await;
    let provider = insert_report(&mut tx, "provider", json(hint, "From the provider")).await;
    tx.commit().await.unwrap();

    s.migrate().await.unwrap();

    let row = |id| {
        let s = s.clone();
        async move {
            reports::by_id(s.reader(), id)
                .await
                .unwrap()
                .unwrap()
                .report_json
        }
    };
    assert_eq!(
        row(old_tip).await,
        json("X", "Saw her at the diner").replace(r#""X""#, "null")
    );
    assert_eq!(
        row(own_words).await,
        json(
            "Behind the bus station",
            "Where it happened, as given by the reporter: here"
        )
    );
    assert_eq!(row(provider).await, json(hint, "From the provider"));
    // The search text lost the hint with it; an UPDATE changing nothing counts the rows.
    let with_hint = s
        .execute_raw_for_tests(&format!(
            "UPDATE reports SET summary = summary WHERE search_text LIKE '%{}%'",
            hint.to_lowercase()
        ))
        .await
        .unwrap();
    assert_eq!(
        with_hint, 2,
        "the provider's report and the reporter's own words keep it"
    );
    let old_search = s
        .execute_raw_for_tests(&format!(
            "UPDATE reports SET summary = summary WHERE id = {old_tip} AND search_text LIKE '%additional_info\":null}}%'"
        ))
        .await
        .unwrap();
    assert_eq!(old_search, 1);
}

/// A report row with only the columns every schema since 0004 has, so tests of a
/// migration can store rows as an older version did.
async fn insert_report(tx: &mut store::Tx, source: &str, report_json: String) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO reports (source, state, incident_type, received_at, updated_at, finished_at, \
         summary, search_text, report_json) \
         VALUES ($1, 'finished', 'Child Sex Trafficking', 10, 10, 10, 's', $2, $3) RETURNING id",
    )
    .bind(source)
    .bind(report_json.to_lowercase())
    .bind(&report_json)
    .fetch_one(&mut **tx)
    .await
    .unwrap()
}

/// Tips stored before migration 0010 carried the product's words about their date as the
/// incident's date-time description; 0010 removes exactly those (keeping a reporter's own
/// words), only from public tips, and keeps how the date was given as `when_given`.
#[tokio::test]
async fn migration_0010_keeps_how_a_tip_gave_its_date_as_a_fact_not_words() {
    use domain::tip::WhenGiven;
    use store::reports;
    let db = TestDb::new().await;
    let s = store::Store::connect(&db.url).await.unwrap();
    s.migrate_to_for_tests(9).await.unwrap();

    let json = |description: Option<&str>| {
        let d = description.map_or("null".to_owned(), |d| format!("\"{d}\""));
        format!(
            r#"{{"incident_summary":{{"incident_type":"Child Sex Trafficking","incident_date_time":"2026-11-20T00:00:00","incident_date_time_description":{d}}},"additional_info":"Saw her at the diner"}}"#
        )
    };
    let date_only = "Date given by the reporter; time not given";
    let not_given = "Not given by the reporter; this is when the tip was received";
    let mut tx = s.begin().await.unwrap();
    let a = insert_report(&mut tx, "public", json(Some(date_only))).await;
    let b = insert_report(&mut tx, "public", json(Some(not_given))).await;
    let c = insert_report(
        &mut tx,
        "public",
        json(Some("As the reporter put it: last weekend")),
    )
    .await;
    let d = insert_report(&mut tx, "public", json(None)).await;
    let provider = insert_report(&mut tx, "provider", json(Some(date_only))).await;
    tx.commit().await.unwrap();

    s.migrate().await.unwrap();

    let row = |id| {
        let s = s.clone();
        async move { reports::by_id(s.reader(), id).await.unwrap().unwrap() }
    };
    let (ra, rb, rc, rd, rp) = (
        row(a).await,
        row(b).await,
        row(c).await,
        row(d).await,
        row(provider).await,
    );
    assert_eq!(ra.report_json, json(None));
    assert_eq!(ra.when_given, Some(WhenGiven::DateOnly));
    assert_eq!(rb.report_json, json(None));
    assert_eq!(rb.when_given, Some(WhenGiven::NotGiven));
    assert_eq!(rc.report_json, json(Some("last weekend")));
    assert_eq!(rc.when_given, Some(WhenGiven::InWords));
    assert_eq!(rd.report_json, json(None));
    assert_eq!(rd.when_given, Some(WhenGiven::DateAndTime));
    // A provider's words are its own.
    assert_eq!(rp.report_json, json(Some(date_only)));
    assert_eq!(rp.when_given, None);
    // The search text lost the words with them; an UPDATE changing nothing counts rows.
    let left = s
        .execute_raw_for_tests(
            "UPDATE reports SET summary = summary WHERE search_text LIKE '%by the reporter%' \
             OR search_text LIKE '%as the reporter put it%'",
        )
        .await
        .unwrap();
    assert_eq!(left, 1, "only the provider's report keeps them");
}

/// `reports.when_given` is read as the domain's value; one this version does not know is
/// an error naming the column, never a default.
#[tokio::test]
async fn an_unknown_when_given_is_an_error() {
    let db = TestDb::new().await;
    let s = store::Store::connect(&db.url).await.unwrap();
    s.migrate().await.unwrap();
    let mut tx = s.begin().await.unwrap();
    let id = insert_report(&mut tx, "public", "{}".into()).await;
    tx.commit().await.unwrap();
    s.execute_raw_for_tests(&format!(
        "UPDATE reports SET when_given = 'yesterday' WHERE id = {id}"
    ))
    .await
    .unwrap();
    let e = store::reports::by_id(s.reader(), id).await.unwrap_err();
    assert!(
        matches!(
            &e,
            StoreError::UnknownValue {
                column: "reports.when_given",
                ..
            }
        ),
        "{e}"
    );
}

/// The cases list: children missing now first, then the most urgent, then the most recent;
/// a recovered child, however urgent the case was, comes after every missing one.
#[tokio::test]
async fn the_case_list_puts_children_missing_now_first() {
    let (_db, s) = fixture().await;
    let mut tx = s.begin().await.unwrap();
    let org = orgs::insert(
        &mut *tx,
        "County Children's Services",
        OrgKind::ChildWelfare,
        1,
    )
    .await
    .unwrap();
    let user = users::insert(
        &mut *tx,
        users::NewUser {
            org_id: org,
            username: &Username::parse("case.worker").unwrap(),
            display_name: "Case Worker",
            role: Role::Caseworker,
            password_hash: "h",
        },
        2,
    )
    .await
    .unwrap();
    let cases_in = [
        // name, currently missing, since, priority rank, status
        ("Recovered Urgent", false, None, 0, CaseStatus::NeedsReview),
        (
            "Missing Long",
            true,
            Some("2019-03-01"),
            2,
            CaseStatus::Open,
        ),
        (
            "Missing Yesterday",
            true,
            Some("2026-12-05"),
            2,
            CaseStatus::Open,
        ),
        (
            "Missing Immediate",
            true,
            Some("2020-01-01"),
            0,
            CaseStatus::Open,
        ),
        ("Recovered Later", false, None, 2, CaseStatus::Open),
    ];
    for (i, (name, missing, since, rank, status)) in cases_in.into_iter().enumerate() {
        let summary = cases::CaseSummary {
            child_name: name.into(),
            missing_from_care: false,
            circumstance: "endangered_runaway".into(),
            episodes: 1,
            child_json: "{}".into(),
            case_json: "{}".into(),
            search_text: name.to_lowercase(),
            currently_missing: missing,
            missing_since: since.map(Into::into),
            last_seen_state: None,
            priority_rank: rank,
            score_milli: 0,
            triage_json: "{}".into(),
            catalogue_version: 1,
        };
        cases::insert(
            &mut tx,
            &cases::NewCase {
                owner_org: Some(org),
                source: "caseworker",
                reported_by: user,
                status,
                summary: &summary,
            },
            10 + i as i64,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let names: Vec<String> = cases::page(s.reader(), &cases::CaseFilter::default(), 10, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.child_name)
        .collect();
    assert_eq!(
        names,
        [
            "Missing Immediate",
            "Missing Yesterday",
            "Missing Long",
            "Recovered Urgent",
            "Recovered Later"
        ]
    );
}

#[path = "store/families.rs"]
mod families;
#[path = "store/hope_bags.rs"]
mod hope_bags;
fn resource(
    hsds: &str,
    name: &str,
    needs: &[&str],
    state: &str,
    ages: (i64, i64),
) -> resources::ResourceEntry {
    resources::ResourceEntry {
        hsds_id: hsds.into(),
        name: name.into(),
        organisation: "Sample Youth Services".into(),
        service_json: format!("{{\"name\":\"{name}\"}}"),
        needs: needs.iter().map(|n| n.to_string()).collect(),
        states: vec![state.into()],
        counties: vec!["Harris County".into()],
        languages: vec!["English".into(), "Spanish".into()],
        min_age: Some(ages.0),
        max_age: Some(ages.1),
        search_text: format!("{name} Sample Youth Services"),
        last_verified: Some("2026-01-02".into()),
    }
}

#[tokio::test]
async fn resources_are_keyed_by_hsds_id_and_searched_by_need_place_age_and_language() {
    use resources::ResourceFilter as F;
    let (_db, s) = fixture().await;
    let mut tx = s.begin().await.unwrap();
    let (a, added) = resources::upsert(
        &mut tx,
        &resource(
            "svc-a",
            "Safe house",
            &["shelter_housing", "medical"],
            "TX",
            (12, 17),
        ),
        None,
        5,
    )
    .await
    .unwrap();
    assert!(added);
    let (b, _) = resources::upsert(
        &mut tx,
        &resource("svc-b", "Legal clinic", &["legal"], "CA", (16, 24)),
        None,
        5,
    )
    .await
    .unwrap();
    // A wildcard in a need is not a wildcard.
    resources::upsert(
        &mut tx,
        &resource(
            "svc-c",
            "Counselling 100%",
            &["mental_health"],
            "TX",
            (0, 120),
        ),
        None,
        5,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // Re-importing the same HSDS id updates the row.
    let mut tx = s.begin().await.unwrap();
    let (again, added) = resources::upsert(
        &mut tx,
        &resource(
            "svc-a",
            "Safe house (girls)",
            &["shelter_housing"],
            "TX",
            (12, 17),
        ),
        None,
        9,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!((again, added), (a, false));
    let row = resources::by_id(s.reader(), a).await.unwrap().unwrap();
    assert_eq!(row.name, "Safe house (girls)");
    assert_eq!((row.created_at, row.updated_at), (5, 9));
    assert_eq!(row.last_verified.as_deref(), Some("2026-01-02"));
    assert_eq!(
        resources::count(s.reader(), &F::default()).await.unwrap(),
        3
    );

    let names =
        |rows: Vec<resources::ResourceRow>| rows.into_iter().map(|r| r.hsds_id).collect::<Vec<_>>();
    let find = |f: F| {
        let s = s.clone();
        async move { names(resources::page(s.reader(), &f, 10, 0).await.unwrap()) }
    };
    assert_eq!(
        find(F {
            need: Some("medical".into()),
            ..F::default()
        })
        .await,
        Vec::<String>::new()
    );
    assert_eq!(
        find(F {
            need: Some("shelter_housing".into()),
            ..F::default()
        })
        .await,
        vec!["svc-a"]
    );
    assert_eq!(
        find(F {
            need: Some("%".into()),
            ..F::default()
        })
        .await,
        Vec::<String>::new()
    );
    assert_eq!(
        find(F {
            state: Some("tx".into()),
            ..F::default()
        })
        .await,
        vec!["svc-c", "svc-a"]
    );
    assert_eq!(
        find(F {
            county: Some("harris county".into()),
            age: Some(20),
            ..F::default()
        })
        .await,
        vec!["svc-c", "svc-b"]
    );
    assert_eq!(
        find(F {
            language: Some("SPANISH".into()),
            state: Some("CA".into()),
            ..F::default()
        })
        .await,
        vec!["svc-b"]
    );
    assert_eq!(
        find(F {
            text: Some("100%".into()),
            ..F::default()
        })
        .await,
        vec!["svc-c"]
    );
    assert_eq!(
        resources::count(
            s.reader(),
            &F {
                age: Some(12),
                ..F::default()
            }
        )
        .await
        .unwrap(),
        2
    );
    // Paging by name.
    assert_eq!(
        names(
            resources::page(s.reader(), &F::default(), 1, 1)
                .await
                .unwrap()
        ),
        vec!["svc-b"]
    );
    assert_eq!(
        names(resources::all(s.reader()).await.unwrap()),
        vec!["svc-a", "svc-b", "svc-c"]
    );
    assert_eq!(
        resources::states(s.reader()).await.unwrap(),
        vec!["CA", "TX"]
    );

    // Giving one service another's HSDS id is a conflict; an unknown id is not found.
    let err = resources::update(
        s.reader(),
        b,
        &resource("svc-a", "x", &["legal"], "CA", (1, 2)),
        10,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    let err = resources::update(
        s.reader(),
        999,
        &resource("svc-z", "x", &["legal"], "CA", (1, 2)),
        10,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, StoreError::NotFound), "{err:?}");
}
#[path = "store/plans.rs"]
mod plans;
// Awareness and partners (issue 22)
#[path = "store/awareness.rs"]
mod awareness;
// Training (issue 22)
#[path = "store/training.rs"]
mod training;

// Public statistics
#[path = "store/statistics.rs"]
mod statistics;
// Retention: legal holds and purges (issue 25)
#[path = "store/retention.rs"]
mod retention;

/// Watchlists (issue 24): a watch notifies only while in force; one notification per
/// watch and record; unread first; read and e-mailed once.
#[tokio::test]
async fn watches_match_while_in_force_and_notify_once_per_record() {
    use domain::RecordRef;
    use store::watchlists as w;
    let (_db, s) = fixture().await;
    let mut tx = s.begin().await.unwrap();
    let org = orgs::insert(&mut *tx, "Sample Hotline", OrgKind::Hotline, 1)
        .await
        .unwrap();
    let name = Username::parse("watcher").unwrap();
    let user = users::insert(
        &mut *tx,
        users::NewUser {
            org_id: org,
            username: &name,
            display_name: "Watcher",
            role: Role::Analyst,
            password_hash: "h",
        },
        2,
    )
    .await
    .unwrap();
    let watch = w::insert_watch(&mut *tx, user, "phone", "+12125550147", "", 10, 100)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let values = vec!["+12125550147".to_owned(), "+12125550100".to_owned()];
    assert_eq!(
        w::active_on(s.reader(), "phone", &values, 50)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(w::active_on(s.reader(), "phone", &values, 100)
        .await
        .unwrap()
        .is_empty());
    assert!(w::active_on(s.reader(), "email", &values, 50)
        .await
        .unwrap()
        .is_empty());

    let mut tx = s.begin().await.unwrap();
    let first = w::insert_notification(&mut *tx, user, watch, RecordRef::ad(7), "why", 60)
        .await
        .unwrap();
    assert!(first.is_some());
    let again = w::insert_notification(&mut *tx, user, watch, RecordRef::ad(7), "why", 61)
        .await
        .unwrap();
    assert_eq!(again, None);
    let second = w::insert_notification(&mut *tx, user, watch, RecordRef::report(3), "why", 62)
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    let first = first.unwrap();
    let mut tx = s.begin().await.unwrap();
    assert!(w::mark_read(&mut *tx, user, second, 70).await.unwrap());
    assert!(!w::mark_read(&mut *tx, user, second, 71).await.unwrap());
    tx.commit().await.unwrap();
    let list = w::notifications_of(s.reader(), user, 10, 0).await.unwrap();
    assert_eq!(
        list.iter().map(|n| n.id).collect::<Vec<_>>(),
        vec![first, second]
    );
    assert_eq!(list[0].record, RecordRef::ad(7));
    assert_eq!(
        w::count_notifications_of(s.reader(), user).await.unwrap(),
        (2, 1)
    );
    let mut tx = s.begin().await.unwrap();
    assert!(w::mark_emailed(&mut *tx, first, 80).await.unwrap());
    assert!(!w::mark_emailed(&mut *tx, first, 81).await.unwrap());
    tx.commit().await.unwrap();

    let mut tx = s.begin().await.unwrap();
    assert!(w::renew(&mut *tx, user, watch, 500, 90).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(
        w::active_on(s.reader(), "phone", &values, 200)
            .await
            .unwrap()
            .len(),
        1
    );
    let mut tx = s.begin().await.unwrap();
    assert!(w::remove(&mut *tx, user, watch, 95).await.unwrap());
    tx.commit().await.unwrap();
    assert!(w::active_on(s.reader(), "phone", &values, 200)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(w::count_watches_of(s.reader(), user).await.unwrap(), 0);
}
