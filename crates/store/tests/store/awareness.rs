//! Awareness storage on both backends: partners are found by name, state covered, kind and
//! feed taken (a code never matches inside another, `TX` not in `TXA`); events list latest
//! first, per partner or all, from a date; publications list newest first by audience; and
//! the public poster query returns exactly the cases published and currently missing, by
//! state, the moment either changes.

use awareness::{Audience, PartnerKind};
use domain::{CaseStatus, OrgKind, Role, UserId, Username};
use store::awareness::{self as a, NewEvent, NewPublication, PartnerFilter, PartnerWrite};
use store::cases::{self, CaseSummary, NewCase};
use store::{orgs, users, Store};

async fn account(s: &Store) -> UserId {
    let mut tx = s.begin().await.unwrap();
    let org = orgs::insert(&mut *tx, "Sample Hotline", OrgKind::Hotline, 1)
        .await
        .unwrap();
    let u = users::insert(
        &mut *tx,
        users::NewUser {
            org_id: org,
            username: &Username::parse("supervisor.one").unwrap(),
            display_name: "Supervisor One",
            role: Role::Supervisor,
            password_hash: "h",
        },
        1,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    u
}

fn codes(s: &[&str]) -> Vec<String> {
    s.iter().map(|c| (*c).to_owned()).collect()
}

async fn partner(
    s: &Store,
    by: UserId,
    name: &str,
    kind: PartnerKind,
    states: &[&str],
    feeds: &[&str],
) -> i64 {
    let (states, feeds) = (codes(states), codes(feeds));
    let mut tx = s.begin().await.unwrap();
    let id = a::insert_partner(
        &mut *tx,
        &PartnerWrite {
            name,
            kind,
            partner_json: "{}",
            states: &states,
            feed_states: &feeds,
        },
        by,
        10,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn partners_are_found_by_name_state_kind_and_feed() {
    let db = store::testing::TestDb::new().await;
    let s = db.store().await;
    let by = account(&s).await;
    let club = partner(
        &s,
        by,
        "Riverside Rotary",
        PartnerKind::Club,
        &["OK", "TX"],
        &["TX"],
    )
    .await;
    let school = partner(&s, by, "lakeside High", PartnerKind::School, &["CA"], &[]).await;
    let names = |f: PartnerFilter| {
        let s = s.clone();
        async move {
            a::partners(s.reader(), &f, 25, 0)
                .await
                .unwrap()
                .into_iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        names(PartnerFilter::default()).await,
        ["lakeside High", "Riverside Rotary"]
    );
    let by_state = |c: &str| PartnerFilter {
        state: Some(c.into()),
        ..PartnerFilter::default()
    };
    assert_eq!(names(by_state("TX")).await, ["Riverside Rotary"]);
    assert!(names(by_state("T")).await.is_empty());
    let feed = PartnerFilter {
        feed_state: Some("TX".into()),
        ..PartnerFilter::default()
    };
    assert_eq!(names(feed.clone()).await, ["Riverside Rotary"]);
    assert_eq!(a::count_partners(s.reader(), &feed).await.unwrap(), 1);
    let f = PartnerFilter {
        name: "LAKE".into(),
        kind: Some(PartnerKind::School),
        ..PartnerFilter::default()
    };
    assert_eq!(names(f).await, ["lakeside High"]);

    // Changed: the new feeds are found, the old are not.
    let mut tx = s.begin().await.unwrap();
    a::update_partner(
        &mut *tx,
        club,
        &PartnerWrite {
            name: "Riverside Rotary Club",
            kind: PartnerKind::Club,
            partner_json: "{\"x\":1}",
            states: &codes(&["OK"]),
            feed_states: &codes(&["OK"]),
        },
        20,
    )
    .await
    .unwrap();
    assert!(matches!(
        a::update_partner(
            &mut *tx,
            9999,
            &PartnerWrite {
                name: "x",
                kind: PartnerKind::Other,
                partner_json: "{}",
                states: &[],
                feed_states: &[]
            },
            20
        )
        .await,
        Err(store::StoreError::NotFound)
    ));
    tx.commit().await.unwrap();
    assert!(names(feed).await.is_empty());
    let row = a::partner_by_id(s.reader(), club).await.unwrap().unwrap();
    assert_eq!(
        (row.partner_json.as_str(), row.updated_at, row.events),
        ("{\"x\":1}", 20, 0)
    );

    // Events: latest first; per partner, or all from a date.
    let mut tx = s.begin().await.unwrap();
    for (p, on, place) in [
        (club, "2026-01-10", "Hall"),
        (club, "2026-03-01", "Fair"),
        (school, "2026-02-01", "Gym"),
    ] {
        a::insert_event(
            &mut *tx,
            &NewEvent {
                partner_id: p,
                held_on: on,
                place,
                audience: "Parents",
                materials: "",
            },
            by,
            30,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let places = |v: Vec<a::EventRow>| v.into_iter().map(|e| e.place).collect::<Vec<_>>();
    assert_eq!(
        places(
            a::events(s.reader(), Some(club), None, 10, 0)
                .await
                .unwrap()
        ),
        ["Fair", "Hall"]
    );
    assert_eq!(
        places(
            a::events(s.reader(), None, Some("2026-02-01"), 10, 0)
                .await
                .unwrap()
        ),
        ["Fair", "Gym"]
    );
    assert_eq!(
        a::partner_by_id(s.reader(), club)
            .await
            .unwrap()
            .unwrap()
            .events,
        2
    );
}

#[tokio::test]
async fn publications_list_newest_first_by_audience() {
    let db = store::testing::TestDb::new().await;
    let s = db.store().await;
    let by = account(&s).await;
    let mut tx = s.begin().await.unwrap();
    for (title, audience, on) in [
        ("Old", Audience::Schools, "2025-01-01"),
        ("New", Audience::Public, "2026-01-01"),
    ] {
        a::insert_publication(
            &mut *tx,
            &NewPublication {
                title,
                audience,
                published_on: on,
                blob_key: "k",
                size_bytes: 10,
            },
            by,
            1,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let all = a::publications(s.reader(), None).await.unwrap();
    assert_eq!(
        all.iter().map(|p| p.title.as_str()).collect::<Vec<_>>(),
        ["New", "Old"]
    );
    let schools = a::publications(s.reader(), Some(Audience::Schools))
        .await
        .unwrap();
    assert_eq!(schools.len(), 1);
    assert_eq!(schools[0].audience, Audience::Schools);
    let mut tx = s.begin().await.unwrap();
    a::delete_publication(&mut *tx, schools[0].id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(a::publication_by_id(s.reader(), schools[0].id)
        .await
        .unwrap()
        .is_none());
}

fn summary(name: &str, state: &str, missing: bool) -> CaseSummary {
    CaseSummary {
        child_name: name.into(),
        missing_from_care: false,
        circumstance: "endangered_runaway".into(),
        episodes: 1,
        child_json: "{}".into(),
        case_json: "{}".into(),
        search_text: name.to_lowercase(),
        currently_missing: missing,
        missing_since: Some("2026-01-01".into()),
        last_seen_state: Some(state.into()),
        priority_rank: 2,
        score_milli: 0,
        triage_json: "{}".into(),
        catalogue_version: 1,
    }
}

#[tokio::test]
async fn a_poster_is_public_only_while_published_and_missing() {
    let db = store::testing::TestDb::new().await;
    let s = db.store().await;
    let by = account(&s).await;
    let mut ids = Vec::new();
    let mut tx = s.begin().await.unwrap();
    for (name, state) in [("Rosa", "OK"), ("Ana", "TX"), ("Nora", "TX")] {
        let sm = summary(name, state, true);
        let (id, _) = cases::insert(
            &mut tx,
            &NewCase {
                owner_org: None,
                source: "hotline",
                reported_by: by,
                status: CaseStatus::Open,
                summary: &sm,
            },
            5,
        )
        .await
        .unwrap();
        ids.push(id);
    }
    for id in &ids[..2] {
        cases::set_publication(&mut *tx, *id, Some(("Guardian", "2026-01-02")), by, 6)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let public = |state: Option<&'static str>| {
        let s = s.clone();
        async move {
            a::public_posters(s.reader(), state, 50, 0)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
        }
    };
    let mut all = public(None).await;
    all.sort_unstable();
    assert_eq!(all, ids[..2]);
    assert_eq!(public(Some("TX")).await, [ids[1]]);
    assert_eq!(
        a::count_public_posters(s.reader(), Some("OK"))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        a::public_poster_states(s.reader()).await.unwrap(),
        [("OK".to_owned(), 1), ("TX".to_owned(), 1)]
    );
    assert!(a::public_poster(s.reader(), ids[2])
        .await
        .unwrap()
        .is_none());
    // Recovered (no longer missing) or withdrawn: gone at once.
    let mut tx = s.begin().await.unwrap();
    cases::set_summary(&mut *tx, ids[0], &summary("Rosa", "OK", false), 7)
        .await
        .unwrap();
    cases::set_publication(&mut *tx, ids[1], None, by, 7)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(public(None).await.is_empty());
    assert!(a::public_poster(s.reader(), ids[0])
        .await
        .unwrap()
        .is_none());
}
