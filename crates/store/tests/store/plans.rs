//! Recovery plans on both backends: the caseload puts the earliest review first and those
//! without one last, a team member is added once, consents carry their organisation, and a
//! referral moves only from the status its caller read.

use domain::{OrgKind, Role, UserId, Username};
use store::plans::{self as q, PlanEntry, PlanLinks};
use store::{orgs, resources, users, Store, StoreError};

async fn person(s: &Store) -> (UserId, domain::OrgId) {
    let mut tx = s.begin().await.unwrap();
    let org = orgs::insert(&mut *tx, "Sample Recovery Services", OrgKind::Hotline, 1)
        .await
        .unwrap();
    let name = Username::parse("specialist.one").unwrap();
    let user = users::insert(
        &mut *tx,
        users::NewUser {
            org_id: org,
            username: &name,
            display_name: "Specialist One",
            role: Role::RecoverySpecialist,
            password_hash: "h",
        },
        1,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (user, org)
}

fn plan(name: &str, review: Option<&str>) -> PlanEntry {
    PlanEntry {
        young_person: name.into(),
        date_of_birth: Some("2009-05-01".into()),
        safety: "none".into(),
        next_review: review.map(str::to_owned),
        needs: vec!["housing".into()],
        needs_json: "[]".into(),
        narrative_json: "{}".into(),
    }
}

#[tokio::test]
async fn plans_teams_consents_and_referral_moves() {
    let db = store::testing::TestDb::new().await;
    let s = db.store().await;
    let (me, org) = person(&s).await;
    let mut tx = s.begin().await.unwrap();
    let mut ids = Vec::new();
    for (n, r) in [
        ("Later", Some("2026-09-01")),
        ("None", None),
        ("Soon", Some("2026-06-01")),
    ] {
        let id = q::insert_plan(&mut *tx, &plan(n, r), PlanLinks::default(), me, 5)
            .await
            .unwrap();
        assert!(q::add_member(&mut *tx, id, me, 5).await.unwrap());
        assert!(!q::add_member(&mut *tx, id, me, 6).await.unwrap());
        ids.push(id);
    }
    tx.commit().await.unwrap();
    let load: Vec<String> = q::caseload(s.reader(), Some(me), false, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.young_person)
        .collect();
    assert_eq!(load, ["Soon", "Later", "None"]);
    assert!(q::caseload(s.reader(), Some(UserId(999)), false, 10)
        .await
        .unwrap()
        .is_empty());

    // Closed, a plan leaves the open caseload for the closed list, once; reopened, back.
    let mut tx = s.begin().await.unwrap();
    assert!(
        q::close_plan(&mut *tx, ids[1], "goals_met", "{\"n\":1}", me, 20)
            .await
            .unwrap()
    );
    assert!(!q::close_plan(&mut *tx, ids[1], "other", "{}", me, 21)
        .await
        .unwrap());
    tx.commit().await.unwrap();
    let open = q::caseload(s.reader(), None, false, 10).await.unwrap();
    assert_eq!(open.len(), 2);
    let closed = q::caseload(s.reader(), Some(me), true, 10).await.unwrap();
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].id, ids[1]);
    assert_eq!(closed[0].closed_at, Some(20));
    assert_eq!(closed[0].closed_reason.as_deref(), Some("goals_met"));
    assert_eq!(closed[0].closed_by, Some(me));
    assert_eq!(closed[0].narrative_json, "{\"n\":1}");
    let mut tx = s.begin().await.unwrap();
    assert!(q::reopen_plan(&mut *tx, ids[1], 22).await.unwrap());
    assert!(!q::reopen_plan(&mut *tx, ids[1], 23).await.unwrap());
    tx.commit().await.unwrap();
    let row = q::plan_by_id(s.reader(), ids[1]).await.unwrap().unwrap();
    assert_eq!(
        (row.closed_at, row.closed_reason, row.closed_by),
        (None, None, None)
    );
    assert_eq!(
        q::caseload(s.reader(), None, false, 10)
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(q::team(s.reader(), ids[0]).await.unwrap().len(), 1);

    let mut tx = s.begin().await.unwrap();
    q::insert_consent(
        &mut *tx,
        ids[0],
        "Sample PD",
        Some(org),
        "needs",
        "2026-05-01",
        me,
        7,
    )
    .await
    .unwrap();
    let svc = resources::insert(
        &mut *tx,
        &resources::ResourceEntry {
            hsds_id: "svc-1".into(),
            name: "Sample Shelter".into(),
            organisation: "Sample Org".into(),
            service_json: "{}".into(),
            ..Default::default()
        },
        None,
        1,
    )
    .await
    .unwrap();
    let rid = q::insert_referral(
        &mut *tx,
        ids[0],
        svc,
        "housing",
        "proposed",
        "first name",
        me,
        10,
    )
    .await
    .unwrap();
    q::move_referral(
        &mut tx, rid, None, "proposed", "referred", None, false, me, 10,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let c = q::consents(s.reader(), ids[0]).await.unwrap();
    assert_eq!(c[0].org_id, Some(org));

    let mut tx = s.begin().await.unwrap();
    q::move_referral(
        &mut tx,
        rid,
        Some("proposed"),
        "sent",
        "emailed",
        None,
        false,
        me,
        20,
    )
    .await
    .unwrap();
    // A second answer from the status read before is refused.
    let again = q::move_referral(
        &mut tx,
        rid,
        Some("proposed"),
        "sent",
        "again",
        None,
        false,
        me,
        21,
    )
    .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    q::move_referral(
        &mut tx,
        rid,
        Some("sent"),
        "accepted",
        "ok",
        None,
        false,
        me,
        30,
    )
    .await
    .unwrap();
    q::move_referral(
        &mut tx,
        rid,
        Some("accepted"),
        "engaged",
        "came",
        None,
        true,
        me,
        40,
    )
    .await
    .unwrap();
    q::move_referral(
        &mut tx,
        rid,
        Some("engaged"),
        "completed",
        "done",
        Some("housed"),
        false,
        me,
        50,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let r = q::referral_by_id(s.reader(), rid).await.unwrap().unwrap();
    assert_eq!(
        (r.status.as_str(), r.outcome.as_deref(), r.engaged_at),
        ("completed", Some("housed"), Some(40))
    );
    assert_eq!(r.resource_name, "Sample Shelter");
    assert_eq!(q::moves(s.reader(), rid).await.unwrap().len(), 5);
    let counts = q::counts(s.reader()).await.unwrap();
    assert_eq!(counts.plans, 3);
    assert_eq!(
        counts.referrals,
        vec![("housing".into(), "completed".into(), 1)]
    );
    assert_eq!(counts.engagement_delays, vec![30]);
}
