//! Hope Bags through the server: a volunteer sets up a location and receives bags, an
//! investigator asks for one on the one-screen form (no name of the young person), the
//! volunteer fulfils it from the suggested location, and the investigator sees it ready;
//! the same through the JSON API.

use crate::helpers::TestApp;
use domain::Role;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_responder_asks_a_volunteer_fulfils_and_the_responder_sees_it_ready() {
    let app = TestApp::spawn().await;
    let volunteer = app.login(Role::Volunteer).await;
    let officer = app.login(Role::Investigator).await;

    let res = volunteer
        .post_form(
            "/hope-bags/locations",
            &[
                ("name", "Hotline office"),
                ("state", "TX"),
                ("kind", "office"),
                ("low_stock", "3"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let stock = volunteer
        .send_json(Method::GET, "/api/v1/hope-bags/stock", None, None)
        .await;
    let v: serde_json::Value = serde_json::from_str(&stock.body).unwrap();
    let at = v["locations"][0]["id"].as_i64().unwrap().to_string();
    // A refused movement says what to do, on the same page.
    let res = volunteer
        .post_form(
            "/hope-bags/build",
            &[("location", &at), ("kit", "bag-12-14-m"), ("count", "2")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("Not enough stock"), "{}", res.body);
    let res = volunteer
        .post_form(
            "/hope-bags/receive",
            &[
                ("location", &at),
                ("thing", "bag-12-14-m"),
                ("qty", "10"),
                ("from", "Spring drive"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);

    // The request form: one screen, no name asked for.
    let form = officer.get("/hope-bags/request").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Ask for a Hope Bag"));
    assert!(!form.body.contains("name=\"name\""), "{}", form.body);
    let res = officer
        .post_form(
            "/hope-bags/requests",
            &[("age_band", ""), ("urgency", "now"), ("deliver_to", "")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("There is a problem"));
    assert!(res.body.contains("href=\"#age_band\""), "{}", res.body);
    let res = officer
        .post_form(
            "/hope-bags/requests",
            &[
                ("age_band", "12-14"),
                ("size", "M"),
                ("urgency", "now"),
                ("deliver_to", "Central precinct, front desk"),
                ("deliver_state", "TX"),
                ("needed_by", ""),
                ("case_number", ""),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = officer.follow(&res).await;
    assert!(page.body.contains("HB-000001"), "{}", page.body);
    assert!(page.body.contains("Waiting"));
    assert!(
        !page.body.contains("/hope-bags/stock"),
        "no stock forms for responders"
    );

    // The volunteer's queue suggests the location, and fulfils from it.
    let queue = volunteer.get("/hope-bags").await;
    assert!(
        queue.body.contains("Suggested: Hotline office"),
        "{}",
        queue.body
    );
    let res = volunteer
        .post_form("/hope-bags/requests/1/fulfil", &[("location", "")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = officer.get("/hope-bags").await;
    assert!(page.body.contains("Ready"), "{}", page.body);
    assert!(page.body.contains("Mark delivered"));
    let res = officer
        .post_form("/hope-bags/requests/1/delivered", &[])
        .await;
    assert_eq!(res.status, 303);

    // The same through the API.
    let res = officer
        .send_json(
            Method::POST,
            "/api/v1/hope-bags/requests",
            Some(json!({"age_band": "12-14", "size": "M", "urgency": "today",
                        "deliver_to": "County hospital", "deliver_state": "TX"})),
            None,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let id = serde_json::from_str::<serde_json::Value>(&res.body).unwrap()["id"]
        .as_i64()
        .unwrap();
    let res = volunteer
        .send_json(
            Method::POST,
            &format!("/api/v1/hope-bags/requests/{id}/fulfil"),
            Some(json!({})),
            None,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let res = volunteer
        .send_json(
            Method::POST,
            &format!("/api/v1/hope-bags/requests/{id}/fulfil"),
            Some(json!({})),
            None,
        )
        .await;
    assert_eq!(res.status, 409, "{}", res.body);
    let stock = officer
        .send_json(Method::GET, "/api/v1/hope-bags/stock", None, None)
        .await;
    let v: serde_json::Value = serde_json::from_str(&stock.body).unwrap();
    assert_eq!(v["locations"][0]["kits_on_hand"], 8, "{v}");
    let list = officer
        .send_json(Method::GET, "/api/v1/hope-bags/requests", None, None)
        .await;
    let v: serde_json::Value = serde_json::from_str(&list.body).unwrap();
    assert_eq!(v["requests"][0]["status"], "fulfilled", "{v}");
    // A responder keeps no stock.
    assert_eq!(officer.get("/hope-bags/stock").await.status, 403);
}

/// On a phone: the request form fits one screen, an investigator fills it in by tapping in
/// well under a minute, a volunteer fulfils it from the queue, and the investigator sees
/// it ready. No page of the area scrolls sideways.
#[tokio::test]
async fn on_a_phone_a_bag_is_requested_in_one_screen_fulfilled_and_seen_ready() {
    use crate::browser::Browser;
    use crate::phone::{no_sideways_scroll, phone, tap, tap_and_type};
    use fantoccini::Locator;

    let app = TestApp::spawn().await;
    let volunteer = app.login(Role::Volunteer).await;
    let res = volunteer
        .post_form(
            "/hope-bags/locations",
            &[
                ("name", "Partner store room"),
                ("state", "TX"),
                ("kind", "partner"),
                ("low_stock", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let res = volunteer
        .post_form(
            "/hope-bags/receive",
            &[
                ("location", "1"),
                ("thing", "bag-15-17-m"),
                ("qty", "2"),
                ("from", "Autumn drive"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);

    let b = Browser::start().await;
    let c = &b.client;
    b.sign_in(&app.base, "investigator").await;
    phone(c).await;
    no_sideways_scroll(&b, &app.base, "/hope-bags").await;
    let started = std::time::Instant::now();
    tap(c, "#ask-for-a-bag").await;
    b.wait_text("main h1", "Ask for a Hope Bag").await;
    let (form_height, viewport) = {
        let v = c
            .execute(
                "const f = document.querySelector('#hope-bag-request').getBoundingClientRect(); return [f.height, window.innerHeight];",
                vec![],
            )
            .await
            .unwrap();
        (v[0].as_f64().unwrap(), v[1].as_f64().unwrap())
    };
    assert!(
        form_height <= viewport,
        "the form is {form_height} px tall on a {viewport} px screen"
    );
    no_sideways_scroll(&b, &app.base, "/hope-bags/request").await;
    for (css, value) in [
        ("#age_band", "15-17"),
        ("#size", "M"),
        ("#deliver_state", "TX"),
    ] {
        let el = c.find(Locator::Css(css)).await.unwrap();
        el.click().await.unwrap();
        el.select_by_value(value).await.unwrap();
    }
    tap(c, "#urgency-now").await;
    tap_and_type(c, "#deliver_to", "Central precinct, front desk").await;
    tap(c, "#hope-bag-request button[type=submit]").await;
    b.wait_text(".notification-banner", "HB-000001").await;
    assert!(started.elapsed() < std::time::Duration::from_secs(60));

    // The volunteer fulfils it from the suggested location.
    let queue = volunteer.get("/hope-bags").await;
    assert!(
        queue.body.contains("Suggested: Partner store room"),
        "{}",
        queue.body
    );
    let res = volunteer
        .post_form("/hope-bags/requests/1/fulfil", &[("location", "")])
        .await;
    assert_eq!(res.status, 303);

    c.goto(&format!("{}/hope-bags", app.base)).await.unwrap();
    let row = b.wait_text("#request-1", "Ready").await;
    assert!(row.contains("Partner store room"), "{row}");
    no_sideways_scroll(&b, &app.base, "/hope-bags").await;
    b.stop().await;
}

/// Fifty fulfilments sent at once through the API against a location holding ten bags:
/// exactly ten are fulfilled, forty are refused with 409 and a message saying what to do.
#[tokio::test]
async fn fifty_concurrent_fulfilments_through_the_api_give_ten_and_refuse_forty() {
    let app = TestApp::spawn().await;
    let volunteer = app.login(Role::Volunteer).await;
    let officer = app.login(Role::Investigator).await;
    let res = volunteer
        .post_form(
            "/hope-bags/locations",
            &[
                ("name", "Hotline office"),
                ("state", "TX"),
                ("kind", "office"),
                ("low_stock", "3"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let res = volunteer
        .post_form(
            "/hope-bags/receive",
            &[
                ("location", "1"),
                ("thing", "bag-12-14-m"),
                ("qty", "10"),
                ("from", "Drive"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let token = officer.csrf().await;
    let mut ids = Vec::new();
    for _ in 0..50 {
        let r = officer
            .http
            .post(format!("{}/api/v1/hope-bags/requests", officer.base))
            .header("x-csrf-token", &token)
            .json(&json!({"age_band": "12-14", "size": "M", "urgency": "now",
                          "deliver_to": "Central precinct", "deliver_state": "TX"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let v: serde_json::Value = r.json().await.unwrap();
        ids.push(v["id"].as_i64().unwrap());
    }
    let token = volunteer.csrf().await;
    let calls: Vec<_> = ids
        .iter()
        .map(|id| {
            volunteer
                .http
                .post(format!(
                    "{}/api/v1/hope-bags/requests/{id}/fulfil",
                    volunteer.base
                ))
                .header("x-csrf-token", &token)
                .json(&json!({"location_id": 1}))
                .send()
        })
        .collect();
    let (mut ok, mut refused) = (0, 0);
    for r in futures_util::future::join_all(calls).await {
        let r = r.unwrap();
        match r.status().as_u16() {
            200 => ok += 1,
            409 => {
                let body = r.text().await.unwrap();
                assert!(
                    body.contains("Not enough stock: Hotline office holds 0"),
                    "{body}"
                );
                refused += 1;
            }
            other => panic!("{other}: {}", r.text().await.unwrap()),
        }
    }
    assert_eq!((ok, refused), (10, 40));
    let stock = volunteer
        .send_json(Method::GET, "/api/v1/hope-bags/stock", None, None)
        .await;
    let v: serde_json::Value = serde_json::from_str(&stock.body).unwrap();
    assert_eq!(v["locations"][0]["kits_on_hand"], 0, "{v}");
}

fn json_of(res: &crate::helpers::Res) -> serde_json::Value {
    serde_json::from_str(&res.body).unwrap_or_else(|e| panic!("{e}: {}", res.body))
}

/// The value of the `<option>` whose label contains `label`.
fn option_value(html: &str, label: &str) -> String {
    let at = html
        .find(label)
        .unwrap_or_else(|| panic!("no option {label}: {html}"));
    let start = html[..at].rfind("value=\"").expect("an option value") + 7;
    let end = start + html[start..].find('"').expect("the value's end");
    html[start..end].to_owned()
}

/// A volunteer manages only the locations assigned to them: refused (403, saying whom to
/// ask) elsewhere, for movements and fulfilments; a supervisor assigns and removes them on
/// the location's page. Staff keep every location.
#[tokio::test]
async fn a_volunteer_keeps_only_the_locations_a_supervisor_assigns() {
    let app = TestApp::spawn().await;
    let supervisor = app.login(Role::Supervisor).await;
    let volunteer = app.login(Role::Volunteer).await;
    let officer = app.login(Role::Investigator).await;
    let mut ids = Vec::new();
    for name in ["Partner store room", "Hotline office"] {
        let res = supervisor
            .send_json(
                Method::POST,
                "/api/v1/hope-bags/locations",
                Some(json!({"name": name, "state": "TX", "kind": "partner"})),
                None,
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        ids.push(json_of(&res)["id"].as_i64().unwrap());
    }
    let (mine, other) = (ids[0].to_string(), ids[1].to_string());
    for at in [&mine, &other] {
        let res = supervisor
            .post_form(
                "/hope-bags/receive",
                &[
                    ("location", at),
                    ("thing", "bag-12-14-m"),
                    ("qty", "3"),
                    ("from", "Drive"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
    }
    let receive = |at: String| {
        let v = &volunteer;
        async move {
            v.post_form(
                "/hope-bags/receive",
                &[
                    ("location", &at),
                    ("thing", "socks"),
                    ("qty", "4"),
                    ("from", "Drive"),
                ],
            )
            .await
        }
    };
    let res = receive(mine.clone()).await;
    assert_eq!(res.status, 403, "{}", res.body);
    assert!(
        res.body
            .contains("ask a supervisor to assign you to Partner store room"),
        "{}",
        res.body
    );

    // The supervisor assigns the volunteer on the location's page.
    let page = supervisor
        .get(&format!("/hope-bags/locations/{mine}"))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let user = option_value(
        &page.body,
        &format!("({})", app.usernames[&Role::Volunteer]),
    );
    let res = supervisor
        .post_form(
            &format!("/hope-bags/locations/{mine}/keepers"),
            &[("user", &user)],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = supervisor.follow(&res).await;
    assert!(
        page.body.contains("now keeps this location"),
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"keeper-list\""), "{}", page.body);
    // Only volunteers are assigned; a volunteer may not assign.
    let res = volunteer
        .post_form(
            &format!("/hope-bags/locations/{other}/keepers"),
            &[("user", &user)],
        )
        .await;
    assert_eq!(res.status, 403);

    assert_eq!(receive(mine.clone()).await.status, 303);
    let res = receive(other.clone()).await;
    assert_eq!(res.status, 403, "{}", res.body);
    assert!(res.body.contains("not of Hotline office"), "{}", res.body);
    let kept = json_of(
        &volunteer
            .send_json(Method::GET, "/api/v1/hope-bags/locations", None, None)
            .await,
    );
    let keeps: Vec<bool> = kept["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["you_keep"].as_bool().unwrap())
        .collect();
    assert_eq!(keeps, [false, true], "{kept}"); // Hotline office, Partner store room by name
                                                // Moving stock out of someone else's location is refused too.
    let res = volunteer
        .send_json(
            Method::POST,
            "/api/v1/hope-bags/movements",
            Some(
                json!({"kind": "transfer", "location_id": ids[1], "to_location_id": ids[0],
                        "code": "bag-12-14-m", "qty": 1}),
            ),
            None,
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.body);

    // A fulfilment from another location is refused; without a location, the volunteer's
    // own is suggested and used.
    let res = officer
        .send_json(
            Method::POST,
            "/api/v1/hope-bags/requests",
            Some(json!({"age_band": "12-14", "size": "M", "urgency": "now",
                        "deliver_to": "Central precinct", "deliver_state": "TX"})),
            None,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let req = json_of(&res)["id"].as_i64().unwrap();
    let path = format!("/api/v1/hope-bags/requests/{req}/fulfil");
    let res = volunteer
        .send_json(
            Method::POST,
            &path,
            Some(json!({"location_id": ids[1]})),
            None,
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.body);
    let res = volunteer
        .send_json(Method::POST, &path, Some(json!({})), None)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(json_of(&res)["location_id"], ids[0]);

    // Removed, the volunteer keeps nothing again.
    let res = supervisor
        .post_form(
            &format!("/hope-bags/locations/{mine}/keepers/remove"),
            &[("user", &user)],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(receive(mine).await.status, 403);
}

/// The stock keeper's other forms: a transfer, an adjustment (refused without its reason),
/// a count showing expected against counted with the difference in the ledger, a money
/// donation whose tier buys stock; then the reports and their CSV (no formula can run).
#[tokio::test]
async fn transfer_adjust_count_and_donations_feed_the_reports_and_their_csv() {
    let app = TestApp::spawn().await;
    let staff = app.login(Role::Analyst).await;
    let officer = app.login(Role::Investigator).await;
    let mut ids = Vec::new();
    for name in ["=Office", "Van"] {
        let res = staff
            .send_json(
                Method::POST,
                "/api/v1/hope-bags/locations",
                Some(json!({"name": name, "state": "CA", "kind": "office", "low_stock": 1})),
                None,
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        ids.push(json_of(&res)["id"].as_i64().unwrap().to_string());
    }
    let (office, van) = (&ids[0], &ids[1]);
    let res = staff
        .send_json(
            Method::POST,
            "/api/v1/hope-bags/movements",
            Some(
                json!({"kind": "receive", "location_id": ids[0].parse::<i64>().unwrap(),
                        "code": "journal", "qty": 10, "from": "Spring drive"}),
            ),
            None,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let res = staff
        .send_json(
            Method::POST,
            "/api/v1/hope-bags/movements",
            Some(json!({"kind": "dance", "location_id": 1})),
            None,
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);

    let form = staff.get("/hope-bags/stock").await;
    for id in ["transfer-form", "adjust-form", "money-form"] {
        assert!(form.body.contains(id), "{id}: {}", form.body);
    }
    let res = staff
        .post_form(
            "/hope-bags/transfer",
            &[
                ("from", office),
                ("to", van),
                ("thing", "journal"),
                ("qty", "3"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let res = staff
        .post_form(
            "/hope-bags/adjust",
            &[
                ("location", van),
                ("thing", "journal"),
                ("delta", "-1"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("There is a problem"), "{}", res.body);
    assert!(
        res.body.contains("ay why the stock is adjusted"),
        "{}",
        res.body
    );
    let res = staff
        .post_form(
            "/hope-bags/adjust",
            &[
                ("location", van),
                ("thing", "journal"),
                ("delta", "-1"),
                ("reason", "Water damage"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);

    // The count: the page shows what is expected; the difference becomes a ledger line.
    let page = staff.get(&format!("/hope-bags/locations/{office}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("name=\"count-journal\""),
        "{}",
        page.body
    );
    let res = staff
        .post_form(
            &format!("/hope-bags/locations/{office}/count"),
            &[("count-journal", "5"), ("count-socks", "")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = staff.follow(&res).await;
    assert!(
        page.body
            .contains("Journal and pen: expected 7, counted 5 (-2)"),
        "{}",
        page.body
    );
    let stock = json_of(
        &staff
            .send_json(Method::GET, "/api/v1/hope-bags/stock", None, None)
            .await,
    );
    let held = |loc: usize| {
        stock["locations"][loc]["stock"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["sku"] == "item:journal")
            .map_or(0, |s| s["on_hand"].as_i64().unwrap())
    };
    assert_eq!((held(0), held(1)), (5, 2), "{stock}"); // =Office, Van

    // A money donation, spent on what its tier buys at the van.
    let res = staff
        .post_form(
            "/hope-bags/donations",
            &[
                ("tier", "5500"),
                ("donor", "A donor"),
                ("receipt", "R-1"),
                ("received_on", "2026-11-02"),
                ("bought_at", van),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let res = staff
        .post_form(
            "/hope-bags/donations",
            &[
                ("tier", "5500"),
                ("donor", "B"),
                ("receipt", "R-1"),
                ("received_on", "2026-11-03"),
            ],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(
        res.body.contains("receipt number already exists"),
        "{}",
        res.body
    );
    let res = staff
        .send_json(
            Method::POST,
            "/api/v1/hope-bags/donations",
            Some(json!({"tier_cents": 1000, "donor": "C", "receipt": "R-2", "received_on": "2026-11-04"})),
            None,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let list = json_of(
        &staff
            .send_json(Method::GET, "/api/v1/hope-bags/donations", None, None)
            .await,
    );
    assert_eq!(list["donations"].as_array().unwrap().len(), 2, "{list}");

    // One bag given, from the van (where the donation bought a whole one).
    let res = officer
        .send_json(
            Method::POST,
            "/api/v1/hope-bags/requests",
            Some(json!({"age_band": "12-14", "size": "M", "urgency": "today",
                        "deliver_to": "County hospital", "deliver_state": "CA"})),
            None,
        )
        .await;
    let req = json_of(&res)["id"].as_i64().unwrap();
    let res = staff
        .send_json(
            Method::POST,
            &format!("/api/v1/hope-bags/requests/{req}/fulfil"),
            Some(json!({})),
            None,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);

    let overview = staff.get("/hope-bags").await;
    assert!(
        overview
            .body
            .contains("<strong>1</strong> requested · <strong>1</strong> fulfilled"),
        "{}",
        overview.body
    );
    let reports = staff.get("/hope-bags/reports").await;
    assert_eq!(reports.status, 200, "{}", reports.body);
    for id in [
        "bags-table",
        "value-table",
        "donations-table",
        "/hope-bags/reports/bags.csv",
    ] {
        assert!(reports.body.contains(id), "{id}: {}", reports.body);
    }
    assert!(
        !reports.body.contains("County hospital"),
        "bags are counted, never listed"
    );
    let csv = staff.get("/hope-bags/reports/bags.csv").await;
    assert_eq!(csv.status, 200);
    assert!(csv.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(
        csv.body.starts_with("month,state,age_band,bags\r\n"),
        "{}",
        csv.body
    );
    assert!(csv.body.contains(",CA,12-14,1\r\n"), "{}", csv.body);
    let csv = staff.get("/hope-bags/reports/stock.csv").await;
    assert!(csv.body.contains("'=Office,CA,0,5,"), "{}", csv.body);
    let csv = staff.get("/hope-bags/reports/donations.csv").await;
    assert!(
        csv.body.contains("$55,A whole Hope Bag,1,55.00\r\n"),
        "{}",
        csv.body
    );
    assert!(csv.body.contains("$10,"), "{}", csv.body);
    // Responders have no reports.
    assert_eq!(officer.get("/hope-bags/reports").await.status, 403);
}

/// The catalogue over the API: items with their units and values, kits as bills of
/// materials, the donation tiers.
#[tokio::test]
async fn the_catalogue_is_served_with_kits_as_bills_and_the_tiers() {
    let app = TestApp::spawn().await;
    let officer = app.login(Role::Investigator).await;
    let items = json_of(
        &officer
            .send_json(Method::GET, "/api/v1/hope-bags/items", None, None)
            .await,
    );
    let socks = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "socks")
        .unwrap();
    assert_eq!(socks["unit"], "pair", "{items}");
    assert!(socks["value_cents"].as_u64().unwrap() > 0);
    let kits = json_of(
        &officer
            .send_json(Method::GET, "/api/v1/hope-bags/kits", None, None)
            .await,
    );
    let kit = kits["kits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["code"] == "bag-15-17-l")
        .unwrap();
    assert_eq!(kit["age_band"], "15-17");
    assert_eq!(kit["size"], "L");
    assert!(kit["bill"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["item"] == "outfit-l"));
    let amounts: Vec<&str> = kits["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["amount"].as_str().unwrap())
        .collect();
    assert_eq!(amounts, ["$10", "$15", "$25", "$55"]);
    let doc = officer.get("/api/v1/openapi.json").await;
    assert_eq!(doc.status, 200);
    for p in [
        "/api/v1/hope-bags/items",
        "/api/v1/hope-bags/kits",
        "/api/v1/hope-bags/locations",
        "/api/v1/hope-bags/movements",
        "/api/v1/hope-bags/donations",
    ] {
        assert!(
            doc.body.contains(p),
            "{p} missing from the OpenAPI document"
        );
    }
}

/// On a phone: a volunteer counts their location's stock by tapping (expected against
/// counted, the difference reported), and the keepers' pages, the location's page and the
/// reports do not scroll sideways.
#[tokio::test]
async fn on_a_phone_a_volunteer_counts_their_location_and_no_keeper_page_scrolls_sideways() {
    use crate::browser::Browser;
    use crate::phone::{no_sideways_scroll, phone, tap, tap_and_type};

    let app = TestApp::spawn().await;
    let volunteer = app.login(Role::Volunteer).await;
    let res = volunteer
        .post_form(
            "/hope-bags/locations",
            &[
                (
                    "name",
                    "Partner store room with a rather long name for a small screen",
                ),
                ("state", "TX"),
                ("kind", "partner"),
                ("low_stock", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let res = volunteer
        .post_form(
            "/hope-bags/receive",
            &[
                ("location", "1"),
                ("thing", "bag-15-17-m"),
                ("qty", "2"),
                ("from", "Autumn drive"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let res = volunteer
        .post_form(
            "/hope-bags/donations",
            &[
                ("tier", "1500"),
                ("donor", "A school fundraiser with a long name"),
                ("receipt", "R-1"),
                ("received_on", "2026-11-02"),
                ("bought_at", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);

    let b = Browser::start().await;
    let c = &b.client;
    b.sign_in(&app.base, "volunteer").await;
    phone(c).await;
    for path in [
        "/hope-bags/stock",
        "/hope-bags/reports",
        "/hope-bags/locations/1",
    ] {
        no_sideways_scroll(&b, &app.base, path).await;
    }
    tap_and_type(c, "#count-bag-15-17-m", "1").await;
    tap(c, "#count-form button[type=submit]").await;
    b.wait_text(".notification-banner", "expected 2, counted 1 (-1)")
        .await;
    no_sideways_scroll(&b, &app.base, "/hope-bags/locations/1").await;
    b.stop().await;
}

/// The catalogue is data a supervisor edits: a new tier shows in the kits API at once, a
/// catalogue that is not valid or drops an item still held is refused whole with the reason,
/// and nobody else may edit it.
#[tokio::test]
async fn a_supervisor_edits_the_catalogue_and_a_bad_one_is_refused_whole() {
    let app = TestApp::spawn().await;
    let supervisor = app.login(Role::Supervisor).await;
    let volunteer = app.login(Role::Volunteer).await;
    let current = json_of(
        &supervisor
            .send_json(Method::GET, "/api/v1/hope-bags/catalogue", None, None)
            .await,
    );
    assert_eq!(current["version"], 0, "{current}");
    let toml = current["toml"].as_str().unwrap().to_owned();
    let page = supervisor.get("/hope-bags/catalogue").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("[[tiers]]"), "{}", page.body);

    // A $100 tier that buys two socks.
    let more = format!(
        "{toml}\n[[tiers]]\ncents = 10000\nlabel = \"A hundred dollars\"\nbuys = [{{ code = \"socks\", qty = 2 }}]\n"
    );
    let res = supervisor
        .send_json(
            Method::PUT,
            "/api/v1/hope-bags/catalogue",
            Some(json!({ "toml": more })),
            None,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(json_of(&res)["version"], 1);
    let kits = json_of(
        &supervisor
            .send_json(Method::GET, "/api/v1/hope-bags/kits", None, None)
            .await,
    );
    assert!(kits["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["amount"] == "$100"));

    // Not TOML: refused, on the page with GOV.UK's error summary, nothing saved.
    let res = supervisor
        .post_form("/hope-bags/catalogue", &[("toml", "[[items]\ncode = ")])
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("There is a problem"), "{}", res.body);
    assert!(
        res.body.contains("The catalogue was not saved"),
        "{}",
        res.body
    );

    // Socks are held somewhere: a catalogue without them is refused with their code.
    let at = json_of(
        &supervisor
            .send_json(
                Method::POST,
                "/api/v1/hope-bags/locations",
                Some(json!({"name": "Office", "state": "TX", "kind": "office"})),
                None,
            )
            .await,
    )["id"]
        .as_i64()
        .unwrap();
    let res = supervisor
        .send_json(
            Method::POST,
            "/api/v1/hope-bags/movements",
            Some(json!({"kind": "receive", "location_id": at, "code": "socks", "qty": 4, "from": "Drive"})),
            None,
        )
        .await;
    assert!(res.status < 300, "{}", res.body);
    let no_socks = more.replace("code = \"socks\"", "code = \"sockz\"");
    let res = supervisor
        .send_json(
            Method::PUT,
            "/api/v1/hope-bags/catalogue",
            Some(json!({ "toml": no_socks })),
            None,
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("socks"), "{}", res.body);
    let now = json_of(
        &supervisor
            .send_json(Method::GET, "/api/v1/hope-bags/catalogue", None, None)
            .await,
    );
    assert_eq!(now["version"], 1);

    for res in [
        volunteer.get("/hope-bags/catalogue").await,
        volunteer
            .send_json(
                Method::PUT,
                "/api/v1/hope-bags/catalogue",
                Some(json!({ "toml": toml })),
                None,
            )
            .await,
    ] {
        assert_eq!(res.status, 403, "{}", res.body);
    }
}
