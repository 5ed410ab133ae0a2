//! Hope Bags storage on both backends: balances always equal the ledger's sums and never go
//! below zero, also under concurrent fulfilments; the ledger is append-only; the requests
//! queue puts the most urgent first.

use domain::{OrgKind, Role, UserId, Username};
use hopebags::{AgeBand, Code, Line, LocationId, RequestStatus, Size, Sku, Urgency};
use store::hope_bags::{self as hb, NewLocation, NewMovement, NewRequest, RequestFilter};
use store::{orgs, users, Store};

fn kit() -> Sku {
    Sku::Kit(Code::parse("bag-12-14-m").unwrap())
}

async fn person(s: &Store) -> (UserId, domain::OrgId) {
    let mut tx = s.begin().await.unwrap();
    let org = orgs::insert(
        &mut *tx,
        "Sample Police Department",
        OrgKind::LawEnforcement,
        1,
    )
    .await
    .unwrap();
    let name = Username::parse("investigator.one").unwrap();
    let user = users::insert(
        &mut *tx,
        users::NewUser {
            org_id: org,
            username: &name,
            display_name: "Investigator One",
            role: Role::Investigator,
            password_hash: "h",
        },
        1,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (user, org)
}

async fn location(s: &Store, name: &str, state: &str) -> LocationId {
    let mut tx = s.begin().await.unwrap();
    let id = hb::insert_location(
        &mut *tx,
        &NewLocation {
            name,
            state,
            kind: "office",
            org_id: None,
            low_stock: 3,
        },
        1,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn receive(s: &Store, at: LocationId, sku: &Sku, n: i64) {
    let mut tx = s.begin().await.unwrap();
    hb::apply_movement(
        &mut tx,
        &NewMovement {
            kind: "receive",
            note: "Spring drive",
            request_id: None,
            actor: None,
        },
        &[Line {
            location: at,
            sku: sku.clone(),
            delta: n,
        }],
        2,
    )
    .await
    .unwrap()
    .unwrap();
    tx.commit().await.unwrap();
}

async fn balances_are_the_ledgers_sums(s: &Store) {
    let stock: Vec<_> = hb::stock(s.reader(), None)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.on_hand != 0)
        .collect();
    let sums: Vec<_> = hb::ledger_sums(s.reader())
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.on_hand != 0)
        .collect();
    assert_eq!(stock, sums);
    assert!(stock.iter().all(|r| r.on_hand >= 0));
}

#[tokio::test]
async fn a_refused_line_leaves_nothing_and_balances_are_the_ledgers_sums() {
    let db = store::testing::TestDb::new().await;
    let s = db.store().await;
    let a = location(&s, "Hotline office", "TX").await;
    let b = location(&s, "Partner closet", "TX").await;
    receive(&s, a, &kit(), 5).await;
    // A transfer of 3, then one of 3 more than remain: refused whole.
    for (n, ok) in [(3, true), (3, false)] {
        let mut tx = s.begin().await.unwrap();
        let r = hb::apply_movement(
            &mut tx,
            &NewMovement {
                kind: "transfer",
                note: "",
                request_id: None,
                actor: None,
            },
            &[
                Line {
                    location: a,
                    sku: kit(),
                    delta: -n,
                },
                Line {
                    location: b,
                    sku: kit(),
                    delta: n,
                },
            ],
            3,
        )
        .await
        .unwrap();
        assert_eq!(r.is_ok(), ok);
        if let Err(short) = r {
            assert_eq!((short.on_hand, short.needed), (2, 3));
            drop(tx);
        } else {
            tx.commit().await.unwrap();
        }
    }
    assert_eq!(hb::on_hand(s.reader(), a, &kit()).await.unwrap(), 2);
    assert_eq!(hb::on_hand(s.reader(), b, &kit()).await.unwrap(), 3);
    let mut tx = s.begin().await.unwrap();
    assert_eq!(hb::locked_on_hand(&mut tx, b, &kit()).await.unwrap(), 3);
    drop(tx);
    balances_are_the_ledgers_sums(&s).await;
    assert_eq!(hb::ledger(s.reader(), Some(a), 10).await.unwrap().len(), 2);
    // The ledger is append-only.
    assert!(s
        .execute_raw_for_tests("UPDATE hope_ledger SET delta = 100")
        .await
        .is_err());
    assert!(s
        .execute_raw_for_tests("DELETE FROM hope_ledger")
        .await
        .is_err());
}

#[tokio::test]
async fn fifty_concurrent_fulfilments_of_ten_bags_give_exactly_ten() {
    let db = store::testing::TestDb::new().await;
    let s = db.store().await;
    let (user, org) = person(&s).await;
    let at = location(&s, "Hotline office", "TX").await;
    receive(&s, at, &kit(), 10).await;
    let mut ids = Vec::new();
    for _ in 0..50 {
        let mut tx = s.begin().await.unwrap();
        ids.push(
            hb::insert_request(
                &mut *tx,
                &NewRequest {
                    requested_by: user,
                    org_id: org,
                    age_band: AgeBand::From12To14,
                    size: Some(Size::M),
                    urgency: Urgency::Now,
                    deliver_to: "Central precinct",
                    deliver_state: "TX",
                    needed_by: None,
                    case_id: None,
                },
                5,
            )
            .await
            .unwrap(),
        );
        tx.commit().await.unwrap();
    }
    let tasks: Vec<_> = ids
        .into_iter()
        .map(|id| {
            let s = s.clone();
            tokio::spawn(async move {
                let mut tx = s.begin().await.unwrap();
                assert!(hb::mark_fulfilled(&mut tx, id, &kit(), at, user, 6)
                    .await
                    .unwrap());
                let r = hb::apply_movement(
                    &mut tx,
                    &NewMovement {
                        kind: "fulfil",
                        note: "",
                        request_id: Some(id),
                        actor: Some(user),
                    },
                    &[Line {
                        location: at,
                        sku: kit(),
                        delta: -1,
                    }],
                    6,
                )
                .await
                .unwrap();
                match r {
                    Ok(_) => {
                        tx.commit().await.unwrap();
                        true
                    }
                    Err(_) => false,
                }
            })
        })
        .collect();
    let mut given = 0;
    for t in tasks {
        given += i32::from(t.await.unwrap());
    }
    assert_eq!(given, 10);
    assert_eq!(hb::on_hand(s.reader(), at, &kit()).await.unwrap(), 0);
    balances_are_the_ledgers_sums(&s).await;
    let counts = hb::request_counts(s.reader(), None).await.unwrap();
    assert!(
        counts.contains(&(RequestStatus::Fulfilled, 10)),
        "{counts:?}"
    );
    assert!(counts.contains(&(RequestStatus::Open, 40)), "{counts:?}");
}

#[tokio::test]
async fn the_queue_puts_open_requests_most_urgent_first() {
    let db = store::testing::TestDb::new().await;
    let s = db.store().await;
    let (user, org) = person(&s).await;
    let mut tx = s.begin().await.unwrap();
    for (i, u) in [Urgency::ThisWeek, Urgency::Now, Urgency::Today]
        .into_iter()
        .enumerate()
    {
        hb::insert_request(
            &mut *tx,
            &NewRequest {
                requested_by: user,
                org_id: org,
                age_band: AgeBand::From15To17,
                size: None,
                urgency: u,
                deliver_to: "County hospital",
                deliver_state: "CA",
                needed_by: Some("2026-12-24"),
                case_id: None,
            },
            10 + i as i64,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let list = hb::requests(
        s.reader(),
        RequestFilter {
            requested_by: Some(user),
            active_only: true,
        },
        10,
    )
    .await
    .unwrap();
    let order: Vec<_> = list.iter().map(|r| r.urgency).collect();
    assert_eq!(order, [Urgency::Now, Urgency::Today, Urgency::ThisWeek]);
    assert_eq!(list[0].needed_by.as_deref(), Some("2026-12-24"));
    // A status this version does not know reads back as an error.
    s.execute_raw_for_tests("UPDATE hope_requests SET status = 'lost' WHERE urgency = 'now'")
        .await
        .unwrap();
    let e = hb::requests(s.reader(), RequestFilter::default(), 10)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("hope_requests.status"), "{e}");
    // The catalogue is versioned.
    assert_eq!(hb::latest_catalogue(s.reader()).await.unwrap(), None);
    let mut tx = s.begin().await.unwrap();
    hb::insert_catalogue(&mut *tx, hopebags::catalogue::SHIPPED, None, 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        hb::latest_catalogue(s.reader()).await.unwrap().map(|c| c.0),
        Some(1)
    );
}

/// Keepers: assigned once (a second time is a no-op), listed with their names, removed;
/// the dashboard counts and the donations by tier are sums, on both backends.
#[tokio::test]
async fn keepers_are_assigned_once_and_figures_are_counted() {
    let db = store::testing::TestDb::new().await;
    let s = db.store().await;
    let (user, org) = person(&s).await;
    let a = location(&s, "Partner closet", "TX").await;
    let b = location(&s, "Hotline office", "TX").await;
    let mut tx = s.begin().await.unwrap();
    assert!(hb::insert_keeper(&mut *tx, a, user, None, 1).await.unwrap());
    assert!(!hb::insert_keeper(&mut *tx, a, user, None, 2).await.unwrap());
    assert!(hb::insert_keeper(&mut *tx, b, user, None, 3).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(hb::kept_by(s.reader(), user).await.unwrap(), [a, b]);
    let k = hb::keepers(s.reader(), Some(a)).await.unwrap();
    assert_eq!(k.len(), 1);
    assert_eq!(k[0].username, "investigator.one");
    let mut tx = s.begin().await.unwrap();
    assert!(hb::delete_keeper(&mut *tx, a, user).await.unwrap());
    assert!(!hb::delete_keeper(&mut *tx, a, user).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(hb::kept_by(s.reader(), user).await.unwrap(), [b]);

    let mut tx = s.begin().await.unwrap();
    for (i, when) in [100, 200, 300].into_iter().enumerate() {
        hb::insert_request(
            &mut *tx,
            &NewRequest {
                requested_by: user,
                org_id: org,
                age_band: AgeBand::From12To14,
                size: Some(Size::M),
                urgency: Urgency::Now,
                deliver_to: "County hospital",
                deliver_state: "CA",
                needed_by: None,
                case_id: None,
            },
            when + i as i64,
        )
        .await
        .unwrap();
    }
    for (cents, receipt) in [(1000, "R-1"), (1000, "R-2"), (5500, "R-3")] {
        hb::insert_donation(&mut *tx, cents, "A donor", receipt, "2026-11-01", None, 5)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    assert_eq!(hb::counts_since(s.reader(), 200).await.unwrap(), (2, 0));
    assert!(hb::bags_given(s.reader()).await.unwrap().is_empty());
    assert_eq!(
        hb::donation_totals(s.reader()).await.unwrap(),
        [(1000, 2, 2000), (5500, 1, 5500)]
    );
}
