//! Public statistics storage on both backends: a scheduled release is the next one until
//! published; holding and letting go change only the status they expect; publishing needs
//! the status it names; the latest published release is the one the pages read.

use domain::{OrgKind, Role, Username};
use store::statistics::{self as q, ReleaseStatus};
use store::{orgs, users};

#[tokio::test]
async fn releases_are_scheduled_held_let_go_and_published_once() {
    let (_db, s) = super::fixture().await;
    let mut tx = s.begin().await.unwrap();
    let org = orgs::insert(&mut *tx, "Hotline", OrgKind::Hotline, 1)
        .await
        .unwrap();
    let admin = users::insert(
        &mut *tx,
        users::NewUser {
            org_id: org,
            username: &Username::parse("admin").unwrap(),
            display_name: "Admin",
            role: Role::Administrator,
            password_hash: "h",
        },
        1,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    assert_eq!(q::next_unpublished(s.reader()).await.unwrap(), None);
    assert_eq!(q::latest_published_id(s.reader()).await.unwrap(), None);
    let mut tx = s.begin().await.unwrap();
    let a = q::schedule(&mut *tx, "2026-11", 1_000, "suppressed", None, 10)
        .await
        .unwrap();
    let b = q::schedule(&mut *tx, "2026-12", 2_000, "dp", Some(7_000), 10)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let next = q::next_unpublished(s.reader()).await.unwrap().unwrap();
    assert_eq!(
        (next.id, next.status, next.payload.as_deref()),
        (a, ReleaseStatus::Scheduled, None)
    );

    // Hold: only from scheduled.
    assert!(q::set_status(
        s.reader(),
        a,
        ReleaseStatus::Scheduled,
        ReleaseStatus::Held,
        admin,
        20
    )
    .await
    .unwrap());
    assert!(!q::set_status(
        s.reader(),
        a,
        ReleaseStatus::Scheduled,
        ReleaseStatus::Held,
        admin,
        21
    )
    .await
    .unwrap());
    // A held release is not published by the job (which publishes scheduled ones only).
    assert!(
        !q::publish(s.reader(), a, ReleaseStatus::Scheduled, "{}", 30, None)
            .await
            .unwrap()
    );
    assert_eq!(q::latest_published_id(s.reader()).await.unwrap(), None);
    assert!(q::set_status(
        s.reader(),
        a,
        ReleaseStatus::Held,
        ReleaseStatus::Scheduled,
        admin,
        40
    )
    .await
    .unwrap());
    assert!(q::publish(
        s.reader(),
        a,
        ReleaseStatus::Scheduled,
        "{\"x\":1}",
        50,
        Some(admin)
    )
    .await
    .unwrap());
    // Published once: a second run changes nothing, and its mode is fixed.
    assert!(
        !q::publish(s.reader(), a, ReleaseStatus::Scheduled, "{}", 60, None)
            .await
            .unwrap()
    );
    assert!(!q::set_mode(s.reader(), a, "dp", Some(1_000), admin, 61)
        .await
        .unwrap());
    let row = q::by_id(s.reader(), a).await.unwrap().unwrap();
    assert_eq!(row.status, ReleaseStatus::Published);
    assert_eq!(row.payload.as_deref(), Some("{\"x\":1}"));
    assert_eq!(
        (row.computed_at, row.published_at, row.changed_by),
        (Some(50), Some(50), Some(admin))
    );
    assert_eq!(q::latest_published_id(s.reader()).await.unwrap(), Some(a));

    let next = q::next_unpublished(s.reader()).await.unwrap().unwrap();
    assert_eq!(
        (next.id, next.mode.as_str(), next.epsilon_milli),
        (b, "dp", Some(7_000))
    );
    assert!(q::set_mode(s.reader(), b, "suppressed", None, admin, 70)
        .await
        .unwrap());
    assert!(
        q::publish(s.reader(), b, ReleaseStatus::Scheduled, "{}", 80, None)
            .await
            .unwrap()
    );
    assert_eq!(q::latest_published_id(s.reader()).await.unwrap(), Some(b));
    let history = q::history(s.reader(), 10).await.unwrap();
    assert_eq!(history.iter().map(|r| r.id).collect::<Vec<_>>(), vec![b, a]);
    assert!(
        history.iter().all(|r| r.payload.is_none()),
        "the history leaves payloads out"
    );

    // Nothing to count yet.
    assert!(q::episode_facts(s.reader(), None).await.unwrap().is_empty());
    assert!(q::report_facts(s.reader()).await.unwrap().is_empty());
    assert!(
        q::cases_linked_to_incident(s.reader(), "Child Sex Trafficking")
            .await
            .unwrap()
            .is_empty()
    );
}
