//! Family support storage on both backends: the caseload puts first contacts due first,
//! then follow-ups; a contact marks the first contact and sets the next step due; a
//! volunteer's families are theirs only; the survey is bounded 1 to 5 and counted.

use domain::{OrgKind, Role, UserId, Username};
use families::model::{ContactKind, CrisisLevel, Experience};
use store::families::{self as f, NewContact, NewFamily};
use store::{orgs, users, Store};

async fn account(s: &Store, org: domain::OrgId, name: &str, role: Role) -> UserId {
    let mut tx = s.begin().await.unwrap();
    let u = users::insert(
        &mut *tx,
        users::NewUser {
            org_id: org,
            username: &Username::parse(name).unwrap(),
            display_name: name,
            role,
            password_hash: "h",
        },
        1,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    u
}

/// Runs one write in its own transaction, committed when it succeeds.
macro_rules! in_tx {
    ($s:expr, |$tx:ident| $body:expr) => {{
        let mut $tx = $s.begin().await.unwrap();
        let r = $body.await;
        if r.is_ok() {
            $tx.commit().await.unwrap();
        }
        r
    }};
}

async fn open(
    s: &Store,
    org: domain::OrgId,
    by: UserId,
    name: &str,
    crisis: CrisisLevel,
    at: i64,
) -> i64 {
    in_tx!(s, |tx| f::insert_family(
        &mut *tx,
        &NewFamily {
            org_id: org,
            advocate_id: by,
            case_id: None,
            report_id: None,
            family_name: name,
            crisis,
            experience: Experience::Runaway,
            profile_json: "{}",
            first_contact_due: crisis.first_contact_due(at),
        },
        at,
    ))
    .unwrap()
}

#[tokio::test]
async fn the_caseload_contacts_matches_and_counts() {
    let db = store::testing::TestDb::new().await;
    let s = db.store().await;
    let mut tx = s.begin().await.unwrap();
    let org = orgs::insert(&mut *tx, "Sample Child Welfare", OrgKind::ChildWelfare, 1)
        .await
        .unwrap();
    let partner = orgs::insert(&mut *tx, "Sample Partner", OrgKind::Partner, 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let cw = account(&s, org, "caseworker.one", Role::Caseworker).await;
    let vol = account(&s, partner, "volunteer.one", Role::Volunteer).await;
    let hour = 3_600_000_000;
    let low = open(&s, org, cw, "Low family", CrisisLevel::Low, 0).await;
    let acute = open(&s, org, cw, "Acute family", CrisisLevel::Acute, hour).await;
    let list = f::families(s.reader(), Some(org), true).await.unwrap();
    assert_eq!(
        list.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![acute, low]
    );
    assert_eq!(list[0].first_contact_due, 5 * hour);

    let mut tx = s.begin().await.unwrap();
    f::insert_contact(
        &mut tx,
        &NewContact {
            family_id: acute,
            by_user: cw,
            kind: ContactKind::Call,
            at: 2 * hour,
            with_whom: "mother",
            summary: "first call",
            next_step: "call again",
            next_due: Some(30 * hour),
        },
        2 * hour,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let row = f::family_by_id(s.reader(), acute).await.unwrap().unwrap();
    assert_eq!(
        (row.first_contact_at, row.next_due),
        (Some(2 * hour), Some(30 * hour))
    );
    // First contacts still due come before follow-ups.
    let list = f::families(s.reader(), None, true).await.unwrap();
    assert_eq!(
        list.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![low, acute]
    );
    assert_eq!(
        f::contacts(s.reader(), acute, Some(vol))
            .await
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        f::contacts(s.reader(), acute, None).await.unwrap()[0].kind,
        ContactKind::Call
    );

    in_tx!(s, |tx| f::set_volunteer(&mut *tx, acute, vol, cw, 3 * hour)).unwrap();
    let theirs = f::families_of_volunteer(s.reader(), vol).await.unwrap();
    assert_eq!(theirs.iter().map(|r| r.id).collect::<Vec<_>>(), vec![acute]);
    in_tx!(s, |tx| f::save_volunteer(&mut *tx, vol, r#"{"a":1}"#, 1)).unwrap();
    in_tx!(s, |tx| f::save_volunteer(&mut *tx, vol, "{}", 2)).unwrap();
    let v = f::volunteer_by_id(s.reader(), vol).await.unwrap().unwrap();
    assert_eq!((v.profile_json.as_deref(), v.load), (Some("{}"), 1));

    assert!(in_tx!(s, |tx| f::close(
        &mut *tx,
        low,
        "support_complete",
        Some(6),
        4 * hour
    ))
    .is_err());
    in_tx!(s, |tx| f::close(
        &mut *tx,
        low,
        "support_complete",
        Some(4),
        4 * hour
    ))
    .unwrap();
    assert!(in_tx!(s, |tx| f::close(
        &mut *tx,
        low,
        "support_complete",
        None,
        5 * hour
    ))
    .is_err());
    // The follow-up made, with no new next step: nothing is due any more.
    let mut tx = s.begin().await.unwrap();
    f::insert_contact(
        &mut tx,
        &NewContact {
            family_id: acute,
            by_user: vol,
            kind: ContactKind::Message,
            at: 31 * hour,
            with_whom: "mother",
            summary: "followed up",
            next_step: "",
            next_due: None,
        },
        31 * hour,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let row = f::family_by_id(s.reader(), acute).await.unwrap().unwrap();
    assert_eq!((row.first_contact_at, row.next_due), (Some(2 * hour), None));
    assert_eq!(
        f::contacts(s.reader(), acute, Some(vol))
            .await
            .unwrap()
            .len(),
        1
    );
    let c = f::counts(s.reader()).await.unwrap();
    assert_eq!(
        (c.opened, c.closed, c.surveys, c.helpfulness_sum),
        (2, 1, 1, 4)
    );
    assert_eq!(c.first_contact_minutes, vec![60]);
}
