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
