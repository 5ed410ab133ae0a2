//! Hope Bags through the service, on the backend the test run selects (SQLite, or
//! PostgreSQL with `CLEARINGHOUSE_TEST_POSTGRES_URL`): 50 concurrent fulfilments against a
//! location holding 10 bags fulfil exactly 10 and refuse 40 with a clear message; the
//! balances stay the ledger's sums; who may ask and who may keep stock.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use domain::{Principal, Role, Username};
use service::hope_bags::{BagRequestError, NewLocationForm, RequestForm};
use service::{Clock, SecuritySettings, ServiceError, Services};
use std::sync::Arc;
use store::testing::TestDb;

struct World {
    _db: TestDb,
    _files: tempfile::TempDir,
    svc: Services,
}

async fn world() -> World {
    let db = TestDb::new().await;
    let store = db.store().await;
    let files = tempfile::tempdir().unwrap();
    let svc = Services::new(
        store,
        SecuritySettings::default(),
        Clock::system(),
        service::Files {
            store: Arc::new(blob::DirStore::new(files.path(), blob::Key::generate()).unwrap()),
            max_bytes: 1024,
        },
        blob::Sealer::new(&blob::Key::generate()),
    );
    World {
        _db: db,
        _files: files,
        svc,
    }
}

async fn person(svc: &Services, role: Role, name: &str) -> Principal {
    let kind = role.allowed_org_kinds()[0];
    let mut tx = svc.store.begin().await.unwrap();
    let org = store::orgs::insert(&mut *tx, &format!("Org of {name}"), kind, 1)
        .await
        .unwrap();
    let username = Username::parse(name).unwrap();
    let user_id = store::users::insert(
        &mut *tx,
        store::users::NewUser {
            org_id: org,
            username: &username,
            display_name: name,
            role,
            password_hash: "h",
        },
        1,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Principal {
        user_id,
        username,
        org_id: org,
        org_kind: kind,
        role,
    }
}

fn form(band: &str, size: &str) -> RequestForm {
    RequestForm {
        age_band: band.into(),
        size: size.into(),
        urgency: "now".into(),
        deliver_to: "Central precinct, front desk".into(),
        deliver_state: "TX".into(),
        needed_by: String::new(),
        case_number: String::new(),
    }
}

#[tokio::test]
async fn fifty_concurrent_fulfilments_of_ten_bags_fulfil_ten_and_refuse_forty() {
    let w = world().await;
    let keeper = person(&w.svc, Role::Volunteer, "volunteer.one").await;
    let officer = person(&w.svc, Role::Investigator, "investigator.one").await;
    let at = w
        .svc
        .add_hope_location(
            &keeper,
            &NewLocationForm {
                name: "Hotline office".into(),
                state: "tx".into(),
                kind: "office".into(),
                low_stock: 3,
            },
            None,
        )
        .await
        .unwrap();
    // The items for ten bags, received, then built into ten bags.
    let cat = w.svc.hope_catalogue().await.unwrap();
    let kit = cat
        .kits
        .iter()
        .find(|k| k.code.as_str() == "bag-12-14-m")
        .unwrap();
    for line in &kit.bill {
        w.svc
            .receive_hope_donation(
                &keeper,
                at,
                line.item.as_str(),
                i64::from(line.qty) * 10,
                "Spring drive",
                None,
            )
            .await
            .unwrap();
    }
    let e = w
        .svc
        .build_hope_kits(&keeper, at, "bag-12-14-m", 11, None)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("Not enough stock"), "{e}");
    w.svc
        .build_hope_kits(&keeper, at, "bag-12-14-m", 10, None)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for _ in 0..50 {
        ids.push(
            w.svc
                .request_hope_bag(&officer, &form("12-14", "M"), None)
                .await
                .unwrap(),
        );
    }
    let suggested = w.svc.suggest_hope_location(&keeper, ids[0]).await.unwrap();
    assert_eq!(suggested.map(|s| s.location_id), Some(at));
    let tasks: Vec<_> = ids
        .iter()
        .map(|id| {
            let svc = w.svc.clone();
            let keeper = keeper.clone();
            let id = *id;
            tokio::spawn(async move {
                svc.fulfil_hope_request(&keeper, id, Some(at), None, None)
                    .await
            })
        })
        .collect();
    let (mut ok, mut refused) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(f) => {
                assert_eq!(f.location_name, "Hotline office");
                ok += 1;
            }
            Err(ServiceError::Conflict(m)) => {
                assert!(
                    m.contains("Not enough stock: Hotline office holds 0")
                        && m.contains("Choose another location"),
                    "{m}"
                );
                refused += 1;
            }
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!((ok, refused), (10, 40));
    let stock = store::hope_bags::stock(w.svc.store.reader(), None)
        .await
        .unwrap();
    assert!(stock.iter().all(|s| s.on_hand == 0), "{stock:?}");
    let sums = store::hope_bags::ledger_sums(w.svc.store.reader())
        .await
        .unwrap();
    assert!(sums.iter().all(|s| s.on_hand == 0), "{sums:?}");
    // The officer follows their requests: ten ready, forty waiting.
    let mine = w.svc.hope_requests(&officer, true).await.unwrap();
    let ready: Vec<_> = mine
        .iter()
        .filter(|r| r.status == hopebags::RequestStatus::Fulfilled)
        .collect();
    assert_eq!((mine.len(), ready.len()), (50, 10));
    w.svc
        .deliver_hope_request(&officer, ready[0].id, None)
        .await
        .unwrap();
    let e = w
        .svc
        .deliver_hope_request(&officer, ready[0].id, None)
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::Conflict(_)), "{e:?}");
    // The overview marks the empty location low.
    let locs = w.svc.hope_locations(&officer).await.unwrap();
    assert!(locs[0].low && locs[0].kits_on_hand == 0);
}

#[tokio::test]
async fn only_responders_ask_and_only_keepers_keep_stock() {
    let w = world().await;
    let keeper = person(&w.svc, Role::Volunteer, "volunteer.one").await;
    let worker = person(&w.svc, Role::Caseworker, "caseworker.one").await;
    let specialist = person(&w.svc, Role::RecoverySpecialist, "specialist.one").await;
    let admin = person(&w.svc, Role::Administrator, "admin.one").await;
    assert!(matches!(
        w.svc
            .request_hope_bag(&keeper, &form("12-14", "M"), None)
            .await,
        Err(BagRequestError::Other(ServiceError::Forbidden))
    ));
    assert!(matches!(
        w.svc
            .add_hope_location(
                &worker,
                &NewLocationForm {
                    name: "Closet".into(),
                    state: "TX".into(),
                    kind: "partner".into(),
                    low_stock: 1,
                },
                None
            )
            .await,
        Err(ServiceError::Forbidden)
    ));
    // Every wrong field is named.
    let Err(BagRequestError::Form(errs)) = w
        .svc
        .request_hope_bag(&worker, &form("twelve", "M"), None)
        .await
    else {
        panic!("a form error");
    };
    assert_eq!(errs[0].field, "age_band");
    // A recovery specialist may not link a case; a caseworker only one they may see.
    let mut linked = form("15-17", "");
    linked.case_number = "CH-000001".into();
    let Err(BagRequestError::Form(errs)) = w.svc.request_hope_bag(&specialist, &linked, None).await
    else {
        panic!("a form error");
    };
    assert_eq!(errs[0].field, "case_number");
    let Err(BagRequestError::Form(errs)) = w.svc.request_hope_bag(&worker, &linked, None).await
    else {
        panic!("a form error");
    };
    assert!(
        errs[0].message.contains("no case with that number"),
        "{errs:?}"
    );
    // A responder sees their own requests only; a keeper sees all.
    let id = w
        .svc
        .request_hope_bag(&specialist, &form("6-11", "S"), None)
        .await
        .unwrap();
    assert!(w
        .svc
        .hope_requests(&worker, false)
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        w.svc.hope_request(&worker, id).await,
        Err(ServiceError::NotFound(_))
    ));
    assert_eq!(w.svc.hope_requests(&admin, false).await.unwrap().len(), 1);
    // Nothing in stock: fulfilling says what to do.
    let e = w
        .svc
        .fulfil_hope_request(&keeper, id, None, None, None)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("receive or build bags first"), "{e}");
    // Donations of money by tier.
    let e = w
        .svc
        .record_hope_money(&keeper, 1234, "A donor", "R-1", "2026-12-01", None)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("tiers"), "{e}");
    w.svc
        .record_hope_money(&keeper, 5500, "A donor", "R-1", "2026-12-01", None)
        .await
        .unwrap();
    let d = w.svc.hope_donations(&keeper).await.unwrap();
    assert_eq!(
        (d[0].amount.as_str(), d[0].buys.as_str()),
        ("$55", "A whole Hope Bag")
    );
}

#[tokio::test]
async fn transfers_adjustments_and_counts_keep_balances_the_ledgers_sums() {
    let w = world().await;
    let keeper = person(&w.svc, Role::Analyst, "analyst.one").await;
    let worker = person(&w.svc, Role::Caseworker, "caseworker.one").await;
    let mut at = Vec::new();
    for (name, state) in [("Office", "TX"), ("Van", "TX"), ("Closet", "CA")] {
        at.push(
            w.svc
                .add_hope_location(
                    &keeper,
                    &NewLocationForm {
                        name: name.into(),
                        state: state.into(),
                        kind: "office".into(),
                        low_stock: 1,
                    },
                    None,
                )
                .await
                .unwrap(),
        );
    }
    let e = w
        .svc
        .add_hope_location(
            &keeper,
            &NewLocationForm {
                name: "Office".into(),
                state: "TX".into(),
                kind: "office".into(),
                low_stock: 1,
            },
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::Conflict(_)), "{e:?}");
    let kit = "bag-6-11-s";
    w.svc
        .purchase_hope_stock(&keeper, at[0], kit, 6, None)
        .await
        .unwrap();
    w.svc
        .transfer_hope_stock(&keeper, at[0], at[2], kit, 4, None)
        .await
        .unwrap();
    let e = w
        .svc
        .transfer_hope_stock(&keeper, at[0], at[1], kit, 3, None)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("Office holds 2"), "{e}");
    let e = w
        .svc
        .adjust_hope_stock(&keeper, at[2], kit, -1, "  ", None)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("Say why"), "{e}");
    w.svc
        .adjust_hope_stock(&keeper, at[2], kit, -1, "torn bag", None)
        .await
        .unwrap();
    w.svc
        .count_hope_stock(&keeper, at[0], kit, 1, None)
        .await
        .unwrap();
    let stock = store::hope_bags::stock(w.svc.store.reader(), None)
        .await
        .unwrap();
    let sums = store::hope_bags::ledger_sums(w.svc.store.reader())
        .await
        .unwrap();
    assert_eq!(stock, sums);
    let held: Vec<i64> = stock.iter().map(|s| s.on_hand).collect();
    assert_eq!(held, [1, 3]);
    // The closet (CA) holds the most, but a TX request is suggested the TX office first.
    let mut f = form("6-11", "S");
    f.urgency = "this_week".into();
    let id = w.svc.request_hope_bag(&worker, &f, None).await.unwrap();
    let s = w
        .svc
        .suggest_hope_location(&keeper, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.location_name, "Office");
    w.svc.cancel_hope_request(&worker, id, None).await.unwrap();
    let e = w
        .svc
        .fulfil_hope_request(&keeper, id, None, None, None)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("already “Cancelled”"), "{e}");
}

/// A money donation spent on what its tier buys lands as a purchase at the location in the
/// same transaction; refused there (a volunteer who does not keep it), nothing is recorded,
/// not even the donation. A count of several things is one reconciliation.
#[tokio::test]
async fn a_spent_donation_buys_its_tier_whole_or_not_at_all() {
    let w = world().await;
    let staff = person(&w.svc, Role::Analyst, "analyst.one").await;
    let volunteer = person(&w.svc, Role::Volunteer, "volunteer.one").await;
    let loc = |name: &str| NewLocationForm {
        name: name.into(),
        state: "TX".into(),
        kind: "office".into(),
        low_stock: 1,
    };
    let office = w
        .svc
        .add_hope_location(&staff, &loc("Office"), None)
        .await
        .unwrap();
    let e = w
        .svc
        .record_hope_money_for(
            &volunteer,
            5500,
            "A donor",
            "R-1",
            "2026-11-02",
            Some(office),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ServiceError::ForbiddenHere(m) if m.contains("assign you to Office")),
        "{e:?}"
    );
    assert!(w.svc.hope_donations(&staff).await.unwrap().is_empty());
    w.svc
        .record_hope_money_for(
            &staff,
            5500,
            "A donor",
            "R-1",
            "2026-11-02",
            Some(office),
            None,
        )
        .await
        .unwrap();
    let held = |code: &'static str| {
        let svc = &w.svc;
        let staff = &staff;
        async move {
            svc.hope_locations(staff).await.unwrap()[0]
                .stock
                .iter()
                .find(|s| s.code == code)
                .map_or(0, |s| s.on_hand)
        }
    };
    assert_eq!(held("bag-12-14-m").await, 1);
    let counted = w
        .svc
        .count_hope_location(
            &staff,
            office,
            &[("bag-12-14-m".into(), 0), ("socks".into(), 4)],
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        counted
            .iter()
            .map(|c| (c.expected, c.counted))
            .collect::<Vec<_>>(),
        [(1, 0), (0, 4)]
    );
    assert_eq!((held("bag-12-14-m").await, held("socks").await), (0, 4));
}
