//! Training storage on both backends: a course's versions (one per number, the newest is
//! current), learners unique by email with a one-time verification token, sessions that
//! expire, an enrolment's progress and its single certificate, and verification requests
//! decided once.

use super::fixture;
use store::training as t;
use training::Audience;

#[tokio::test]
async fn courses_learners_progress_certificates_and_requests() {
    let (_db, s) = fixture().await;
    let mut tx = s.begin().await.unwrap();
    let v1 = t::insert_course(
        &mut *tx,
        "intro",
        1,
        "Intro",
        Audience::Public,
        10,
        "{}",
        "seed",
        5,
    )
    .await
    .unwrap();
    let v2 = t::insert_course(
        &mut *tx,
        "intro",
        2,
        "Intro 2",
        Audience::Public,
        15,
        "{}",
        "seed",
        6,
    )
    .await
    .unwrap();
    t::insert_course(
        &mut *tx,
        "le",
        1,
        "LE",
        Audience::LawEnforcement,
        0,
        "{}",
        "seed",
        7,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.begin().await.unwrap();
    let again = t::insert_course(
        &mut *tx,
        "intro",
        2,
        "x",
        Audience::Public,
        0,
        "{}",
        "seed",
        8,
    )
    .await;
    assert!(matches!(again, Err(store::StoreError::Conflict(_))));
    drop(tx);
    let current = t::current_courses(s.reader()).await.unwrap();
    assert_eq!(current.len(), 2);
    let intro = t::current_course(s.reader(), "intro")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((intro.id, intro.version, intro.credit_tenths), (v2, 2, 15));
    assert_eq!(
        current.iter().find(|c| c.slug == "le").unwrap().audience,
        Audience::LawEnforcement
    );

    let mut tx = s.begin().await.unwrap();
    let id = t::insert_learner(
        &mut *tx,
        "a@example.org",
        "A Learner",
        "hash",
        "digest-1",
        10,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.begin().await.unwrap();
    let dup = t::insert_learner(&mut *tx, "a@example.org", "B", "h", "d2", 11).await;
    assert!(matches!(dup, Err(store::StoreError::Conflict(_))));
    drop(tx);
    let mut tx = s.begin().await.unwrap();
    assert_eq!(
        t::verify_email(&mut *tx, "digest-1", 12).await.unwrap(),
        Some(id)
    );
    assert_eq!(
        t::verify_email(&mut *tx, "digest-1", 13).await.unwrap(),
        None
    );
    t::failed_login(&mut *tx, id, 2, 999).await.unwrap();
    t::failed_login(&mut *tx, id, 2, 999).await.unwrap();
    t::insert_session(&mut *tx, "sess", id, 20, 100)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let l = t::learner_by_email(s.reader(), "a@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (l.email_verified_at, l.failed_logins, l.locked_until),
        (Some(12), 2, Some(999))
    );
    assert_eq!(
        t::session_learner(s.reader(), "sess", 50)
            .await
            .unwrap()
            .map(|l| l.id),
        Some(id)
    );
    assert!(t::session_learner(s.reader(), "sess", 100)
        .await
        .unwrap()
        .is_none());

    // Enrolled in version 1: the learner keeps it though version 2 is current.
    let mut tx = s.begin().await.unwrap();
    let e = t::insert_enrolment(&mut *tx, id, v1, 30).await.unwrap();
    t::record_attempt(&mut tx, e, 0, 1, 2, false, 31)
        .await
        .unwrap();
    t::record_attempt(&mut tx, e, 0, 2, 2, true, 32)
        .await
        .unwrap();
    t::record_attempt(&mut tx, e, 0, 2, 2, true, 33)
        .await
        .unwrap();
    assert!(
        t::complete(&mut tx, e, "CODE", "A Learner", "Intro", 1, 10, 40)
            .await
            .unwrap()
    );
    assert!(
        !t::complete(&mut tx, e, "CODE2", "A Learner", "Intro", 1, 10, 41)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    let mut conn = s.reader().acquire().await.unwrap();
    let got = t::enrolment_in(&mut conn, id, "intro")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (got.course.version, got.passed.clone(), got.completed_at),
        (1, vec![0], Some(40))
    );
    assert_eq!(got.certificate.as_deref(), Some("CODE"));
    assert_eq!(t::attempts(s.reader(), e, 0).await.unwrap(), 3);
    let cert = t::certificate(s.reader(), "CODE").await.unwrap().unwrap();
    assert_eq!((cert.learner_id, cert.credit_tenths), (id, 10));
    assert!(t::certificate(s.reader(), "CODE2").await.unwrap().is_none());
    let facts = t::enrolment_facts(s.reader()).await.unwrap();
    assert_eq!(facts.len(), 1);
    assert_eq!(facts[0].completed_at, Some(40));

    // A request is decided once; approving verifies the learner.
    let mut tx = s.begin().await.unwrap();
    let r = t::insert_request(&mut *tx, id, "Agency", "77", "w@agency.example.gov", 50)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let open = t::requests(&mut conn, 10).await.unwrap();
    assert_eq!(open[0].decided_at, None);
    let mut tx = s.begin().await.unwrap();
    assert!(t::decide(&mut tx, r, true, "sup", None, 60).await.unwrap());
    assert!(!t::decide(&mut tx, r, false, "sup", Some("no"), 61)
        .await
        .unwrap());
    t::queue_message(&mut *tx, "a@example.org", "S", "B", 62)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let l = t::learner_by_id(s.reader(), id).await.unwrap();
    assert_eq!(l.le_verified_at, Some(60));
    let latest = t::latest_request_of(s.reader(), id).await.unwrap().unwrap();
    assert_eq!(latest.decision.as_deref(), Some("approved"));
    assert_eq!(
        t::messages_to(s.reader(), "a@example.org", 5)
            .await
            .unwrap()
            .len(),
        1
    );
}
