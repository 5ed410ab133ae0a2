//! Family advocacy and peer support over HTTP: a volunteer reaches only the families they
//! are matched with, narrowed to what peer support needs, and is refused every
//! missing-child case, report and link route; the matcher never proposes a lapsed
//! volunteer and proposes the one with the same kind of case and language first, with the
//! reasons shown; in Chromium, an advocate opens a family's case from a missing-child
//! case, logs the first contact and confirms a proposed volunteer, who then signs in and
//! sees that family only.

use crate::browser::Browser;
use crate::helpers::{Client, TestApp, PASSWORD};
use domain::Role;
use fantoccini::Locator;
use reqwest::Method;
use serde_json::{json, Value};
use service::accounts::{Actor, NewAccount};

fn day(app: &TestApp, days: i64) -> String {
    let d = app.services.today() + time::Duration::days(days);
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

async fn json_of(c: &Client, path: &str) -> Value {
    let res = c.get(path).await;
    assert_eq!(res.status, 200, "{path}: {}", res.body);
    serde_json::from_str(&res.body).unwrap()
}

/// Reports a child missing (as a caseworker) and returns the case's id.
async fn missing_child(app: &TestApp, c: &Client) -> i64 {
    let fields = [
        ("name", "Rosa Example".to_owned()),
        ("date_of_birth", "2011-04-02".into()),
        ("sex", "female".into()),
        ("description", "5 ft 2 in, brown hair".into()),
        ("custody", "foster_care".into()),
        ("agency_name", "Test Child Welfare".into()),
        ("caseworker_name", "Casey Quillfeather".into()),
        ("reported_on", day(app, -2)),
        ("last_seen_on", day(app, -3)),
        ("last_seen_city", "Tulsa".into()),
        ("last_seen_state", "OK".into()),
        ("circumstance", "missing_from_care".into()),
        ("reported_by", "foster parent".into()),
        ("narrative", "Did not come back to the placement.".into()),
    ];
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = c.post_form("/cases", &f).await;
    assert_eq!(res.status, 303, "{}", res.body);
    res.location
        .unwrap()
        .trim_start_matches("/cases/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// A volunteer account of the partner organisation; returns its id.
async fn volunteer_account(app: &TestApp, username: &str, name: &str) -> i64 {
    app.services
        .create_user(
            &Actor::Operator,
            NewAccount {
                org_name: "Test Partner",
                username,
                display_name: name,
                role: Role::Volunteer,
                password: PASSWORD,
            },
            None,
        )
        .await
        .expect("volunteer");
    volunteer_id(app, username).await
}

async fn volunteer_id(app: &TestApp, username: &str) -> i64 {
    let sup = app.login(Role::Supervisor).await;
    let all = json_of(&sup, "/api/v1/volunteers").await;
    all.as_array()
        .unwrap()
        .iter()
        .find(|v| v["username"] == username)
        .unwrap_or_else(|| panic!("{username} in {all}"))["id"]
        .as_i64()
        .unwrap()
}

/// Records a volunteer's vetting (passed, or `check`), languages, experience and one
/// training, current or lapsed.
async fn profile(
    app: &TestApp,
    id: i64,
    experience: &str,
    language: &str,
    check: &str,
    current: bool,
) {
    let sup = app.login(Role::Supervisor).await;
    let res = sup
        .send_json(
            Method::POST,
            "/api/v1/volunteers",
            Some(json!({"user_id": id, "languages": [language, "English"], "time_zone": "America/Chicago",
                "availability": ["weekday_evenings"], "experiences": [experience],
                "check_date": day(app, -100), "check_result": check})),
            None,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let (done, due) = if current {
        (day(app, -30), day(app, 335))
    } else {
        (day(app, -400), day(app, -35))
    };
    let res = sup
        .send_json(
            Method::POST,
            &format!("/api/v1/volunteers/{id}/trainings"),
            Some(json!({"name": "Peer support basics", "completed_on": done, "renewal_due": due})),
            None,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
}

/// Opens a family's case over the API; returns its id.
async fn family(
    c: &Client,
    name: &str,
    contact: &str,
    experience: &str,
    language: &str,
    case: Option<i64>,
) -> i64 {
    let res = c
        .send_json(
            Method::POST,
            "/api/v1/families",
            Some(json!({"family_name": name, "contact_person": contact, "language": language,
                "time_zone": "America/Chicago", "times": ["weekday_evenings"],
                "safe_contact": "Mobile only; never call the landline", "their_words": "secretwords of what happened",
                "needs": ["emotional_support", "media"], "crisis": "high", "experience": experience,
                "volunteer_notes": "Mother prefers short calls", "members": [{"name": contact, "relationship": "mother"}],
                "case_id": case})),
            None,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    serde_json::from_str::<Value>(&res.body).unwrap()["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn a_volunteer_sees_only_their_matched_family_and_never_a_case_report_or_link() {
    let app = TestApp::spawn().await;
    let cw = app.login(Role::Caseworker).await;
    let case = missing_child(&app, &cw).await;
    let me = volunteer_id(&app, "volunteer").await;
    profile(&app, me, "runaway", "Spanish", "passed", true).await;
    let mine = family(
        &cw,
        "The Rivera family",
        "Ana Rivera",
        "runaway",
        "Spanish",
        Some(case),
    )
    .await;
    let other = family(
        &cw,
        "The Okafor family",
        "Grace Okafor",
        "runaway",
        "Spanish",
        None,
    )
    .await;
    let res = cw
        .send_json(
            Method::POST,
            &format!("/api/v1/families/{mine}/matches"),
            Some(json!({"volunteer_id": me})),
            None,
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.body);

    let v = app.login(Role::Volunteer).await;
    // The matched family: only what peer support needs.
    let page = v.get(&format!("/families/{mine}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for shown in [
        "Ana Rivera",
        "Spanish",
        "Mother prefers short calls",
        "ran away",
    ] {
        assert!(page.body.contains(shown), "{shown}: {}", page.body);
    }
    let api = json_of(&v, &format!("/api/v1/families/{mine}")).await;
    for body in [page.body.clone(), api.to_string()] {
        for hidden in [
            "secretwords",
            "never call the landline",
            "Rosa Example",
            "CH-0",
            "/cases/",
            "Okafor",
        ] {
            assert!(
                !body.contains(hidden),
                "{hidden} shown to the volunteer: {body}"
            );
        }
    }
    assert!(api["case_id"].is_null() && api["family"].is_null(), "{api}");
    // Another family: refused, on every family route a volunteer may take.
    assert_eq!(v.get(&format!("/families/{other}")).await.status, 403);
    assert_eq!(
        v.get(&format!("/api/v1/families/{other}")).await.status,
        403
    );
    assert_eq!(
        v.get(&format!("/api/v1/families/{other}/contacts"))
            .await
            .status,
        403
    );
    let res = v
        .post_form(
            &format!("/families/{other}/contacts"),
            &[
                ("kind", "call"),
                ("with_whom", "Grace"),
                ("summary", "Hello"),
            ],
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.body);
    assert_eq!(
        v.get(&format!("/api/v1/families/{mine}/matches"))
            .await
            .status,
        403
    );
    assert_eq!(v.get("/api/v1/families").await.status, 403);
    // Every missing-child case, report and link route, for a case that exists.
    let csrf = v.csrf().await;
    let mut tried = 0;
    for spec in web::table() {
        let p = spec.path;
        let about = [
            "/cases",
            "/reports",
            "/links",
            "/leads",
            "/api/v1/cases",
            "/api/v1/reports",
            "/api/v1/links",
        ]
        .iter()
        .any(|pre| p == *pre || p.starts_with(&format!("{pre}/")));
        if !about {
            continue;
        }
        let path = p
            .replace("{id}", &case.to_string())
            .replace("{kind}", "case")
            .replace("{value}", "x")
            .replace("{photo}", "1")
            .replace("{file_id}", "1")
            .replace("{alert_id}", "1")
            .replace("{episode_id}", "1");
        let url = format!("{}{path}", v.base);
        let req = match spec.method.as_str() {
            "GET" => v.http.get(url),
            "POST" if p.starts_with("/api/") => v
                .http
                .post(url)
                .header("x-csrf-token", &csrf)
                .json(&json!({})),
            "POST" => v.http.post(url).form(&[("csrf_token", csrf.as_str())]),
            "PUT" => v
                .http
                .put(url)
                .header("x-csrf-token", &csrf)
                .json(&json!({})),
            "DELETE" => v.http.delete(url).header("x-csrf-token", &csrf),
            m => panic!("{m}"),
        };
        let status = req.send().await.unwrap().status().as_u16();
        assert_eq!(status, 403, "{} {p}", spec.method);
        tried += 1;
    }
    assert!(tried > 20, "only {tried} case, report and link routes");

    // Their own page lists that family only, and each view is audited.
    let page = v.get("/families/mine").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("Ana Rivera") && !page.body.contains("Grace Okafor"),
        "{}",
        page.body
    );
    let res = v
        .post_form(
            &format!("/families/{mine}/contacts"),
            &[
                ("kind", "call"),
                ("with_whom", "Ana"),
                ("summary", "Talked about the first week"),
                ("next_step", "Call again"),
                ("next_due", &day(&app, 3)),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    // The advocate sees the volunteer's entry.
    let page = cw.get(&format!("/families/{mine}")).await;
    assert!(
        page.body.contains("Talked about the first week"),
        "{}",
        page.body
    );
    let views = store::audit::page(app.services.store.reader(), None, Some(i64::MAX), 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "family.volunteer_view")
        .count();
    assert!(views >= 3, "{views} volunteer views audited");
}

#[tokio::test]
async fn matching_proposes_the_same_experience_and_language_first_and_never_a_lapsed_volunteer() {
    let app = TestApp::spawn().await;
    let best = volunteer_account(&app, "vol-best", "Bao Tran").await;
    let other_language = volunteer_account(&app, "vol-lang", "Olive Stone").await;
    let other_case = volunteer_account(&app, "vol-case", "Minh Le").await;
    let lapsed = volunteer_account(&app, "vol-lapsed", "Lam Pham").await;
    let failed = volunteer_account(&app, "vol-failed", "Quy Do").await;
    profile(&app, other_case, "runaway", "Vietnamese", "passed", true).await;
    profile(
        &app,
        other_language,
        "family_abduction",
        "French",
        "passed",
        true,
    )
    .await;
    profile(&app, best, "family_abduction", "Vietnamese", "passed", true).await;
    profile(
        &app,
        lapsed,
        "family_abduction",
        "Vietnamese",
        "passed",
        false,
    )
    .await;
    profile(
        &app,
        failed,
        "family_abduction",
        "Vietnamese",
        "failed",
        true,
    )
    .await;

    let rs = app.login(Role::RecoverySpecialist).await;
    let id = family(
        &rs,
        "The Nguyen family",
        "Hoa Nguyen",
        "family_abduction",
        "Vietnamese",
        None,
    )
    .await;
    let proposals = json_of(&rs, &format!("/api/v1/families/{id}/matches")).await;
    let ids: Vec<i64> = proposals
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["volunteer_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids[0], best, "{proposals}");
    assert!(
        !ids.contains(&lapsed) && !ids.contains(&failed),
        "{proposals}"
    );
    let reasons = proposals[0]["reasons"].to_string();
    assert!(
        reasons.contains("family abduction") && reasons.contains("Vietnamese"),
        "{reasons}"
    );
    let page = rs.get(&format!("/families/{id}")).await;
    assert!(
        page.body
            .contains("Lived through the same kind of case: family abduction"),
        "{}",
        page.body
    );
    assert!(page.body.contains("language: Vietnamese"), "{}", page.body);
    assert!(
        !page.body.contains("Lam Pham") && !page.body.contains("Quy Do"),
        "{}",
        page.body
    );
    // A lapsed volunteer cannot be confirmed either, and the advocate is told why.
    let res = rs
        .send_json(
            Method::POST,
            &format!("/api/v1/families/{id}/matches"),
            Some(json!({"volunteer_id": lapsed})),
            None,
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("renewal"), "{}", res.body);
    // The supervisor's administration shows why.
    let sup = app.login(Role::Supervisor).await;
    let page = sup.get("/families/volunteers").await;
    assert!(
        page.body.contains("Lam Pham") && page.body.contains("was due for renewal"),
        "{}",
        page.body
    );

    // First contact, then closing with the survey: counted, never listed.
    let res = rs
        .post_form(
            &format!("/families/{id}/contacts"),
            &[
                ("kind", "call"),
                ("with_whom", "Hoa"),
                ("summary", "First call"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let res = rs
        .post_form(
            &format!("/families/{id}/close"),
            &[("reason", "support_complete"), ("helpfulness", "9")],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(
        res.body.contains("There is a problem") && res.body.contains("from 1 to 5"),
        "{}",
        res.body
    );
    let res = rs
        .post_form(
            &format!("/families/{id}/close"),
            &[("reason", "support_complete"), ("helpfulness", "4")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = rs.get("/families").await;
    assert!(
        page.body.contains("4.0 out of 5") && !page.body.contains("The Nguyen family"),
        "{}",
        page.body
    );
}

async fn fill(b: &Browser, css: &str, text: &str) {
    let el = b.client.find(Locator::Css(css)).await.unwrap();
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

async fn click(b: &Browser, css: &str) {
    b.client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[tokio::test]
async fn in_chromium_an_advocate_opens_a_family_case_from_a_missing_child_case_and_the_volunteer_sees_that_family_only(
) {
    let app = TestApp::spawn().await;
    let cw = app.login(Role::Caseworker).await;
    let case = missing_child(&app, &cw).await;
    let me = volunteer_id(&app, "volunteer").await;
    profile(&app, me, "runaway", "Spanish", "passed", true).await;
    family(
        &cw,
        "The Okafor family",
        "Grace Okafor",
        "runaway",
        "English",
        None,
    )
    .await;

    let b = Browser::start().await;
    let c = &b.client;
    b.sign_in(&app.base, "caseworker").await;
    c.goto(&format!("{}/cases/{case}", app.base)).await.unwrap();
    click(&b, "#open-family-support").await;
    b.wait_text("main h1", "Open a family's case").await;
    fill(&b, "#family_name", "The Rivera family").await;
    fill(&b, "#contact_person", "Ana Rivera").await;
    fill(&b, "#language", "Spanish").await;
    fill(&b, "#safe_contact", "Mobile only").await;
    click(&b, "#crisis-acute").await;
    click(&b, "#experience-runaway").await;
    click(&b, "#needs-emotional_support").await;
    click(&b, "#family-form button[type=submit]").await;
    b.wait_text("#notification", "The case of The Rivera family is open")
        .await;
    let summary = b.wait_text("#overview", "CH-").await;
    assert!(
        summary.contains("First contact due in 4 hours"),
        "{summary}"
    );

    click(&b, "#kind-call").await;
    fill(&b, "#with_whom", "Ana Rivera").await;
    fill(
        &b,
        "#summary",
        "First call: listened, explained what happens next",
    )
    .await;
    click(&b, "#contact-form button[type=submit]").await;
    b.wait_text("#notification", "The contact is logged").await;
    b.wait_text("#contacts", "First call").await;
    let summary = b.wait_text("#overview", "made").await;
    assert!(!summary.contains("Overdue"), "{summary}");

    let proposal = b
        .wait_text(
            &format!("#proposal-{me}"),
            "Lived through the same kind of case",
        )
        .await;
    assert!(proposal.contains("Spanish"), "{proposal}");
    click(&b, &format!("#confirm-{me}")).await;
    b.wait_text("#notification", "The volunteer is matched")
        .await;
    b.wait_text("#volunteer", "Peer-support volunteer").await;

    c.delete_all_cookies().await.unwrap();
    b.sign_in(&app.base, "volunteer").await;
    c.goto(&format!("{}/families", app.base)).await.unwrap();
    let main = b.wait_text("main", "My families").await;
    assert!(
        main.contains("Ana Rivera") && !main.contains("Okafor"),
        "{main}"
    );
    assert!(!main.contains("CH-"), "{main}");
    click(&b, "#my-families a").await;
    let page = b.wait_text("main h1", "Supporting Ana Rivera").await;
    assert!(!page.contains("Mobile only"), "{page}");
    b.stop().await;
}

#[tokio::test]
async fn on_a_phone_no_family_support_page_scrolls_sideways() {
    let app = TestApp::spawn().await;
    let cw = app.login(Role::Caseworker).await;
    let rs = app.login(Role::RecoverySpecialist).await;
    let res = rs
        .send_json(
            Method::POST,
            "/api/v1/resources",
            Some(json!({"organisation": "Sample Family Reunification Organisation of the Plains",
                "name": "Reunification-Counselling-and-Family-Mediation-Programme", "needs": ["family_reunification", "mental_health"], "state": "OK"})),
            None,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let case = missing_child(&app, &cw).await;
    let me = volunteer_id(&app, "volunteer").await;
    profile(&app, me, "runaway", "Spanish", "passed", true).await;
    let id = family(
        &cw,
        "The Quillfeather-Montgomery family",
        "Ana Quillfeather-Montgomery",
        "runaway",
        "Spanish",
        Some(case),
    )
    .await;
    let res = cw
        .post_form(
            &format!("/families/{id}/contacts"),
            &[
                ("kind", "meeting"),
                ("with_whom", "Ana"),
                ("summary", "A long first meeting at the family's home"),
                ("next_step", "Call again"),
                ("next_due", &day(&app, 2)),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let res = cw
        .send_json(
            Method::POST,
            &format!("/api/v1/families/{id}/matches"),
            Some(json!({"volunteer_id": me})),
            None,
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.body);

    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/login", app.base)).await.unwrap();
    crate::phone::phone(c).await;
    b.sign_in(&app.base, "supervisor").await;
    for path in [
        "/families".to_owned(),
        "/families/new".to_owned(),
        format!("/families/{id}"),
        format!("/families/{id}?need=&state="),
        format!("/families/{id}/edit"),
        "/families/volunteers".to_owned(),
        format!("/families/volunteers/{me}"),
    ] {
        crate::phone::no_sideways_scroll(&b, &app.base, &path).await;
    }
    c.delete_all_cookies().await.unwrap();
    b.sign_in(&app.base, "volunteer").await;
    for path in ["/families/mine".to_owned(), format!("/families/{id}")] {
        crate::phone::no_sideways_scroll(&b, &app.base, &path).await;
    }
    b.stop().await;
}

fn audited(entries: &[store::audit::AuditRow], action: &str) -> usize {
    entries.iter().filter(|e| e.action == action).count()
}

async fn audit_entries(app: &TestApp) -> Vec<store::audit::AuditRow> {
    store::audit::page(app.services.store.reader(), None, Some(i64::MAX), 500)
        .await
        .unwrap()
}

/// The family form's fields as the page sends them, with `their_words` given.
fn family_fields(name: &str, their_words: &str) -> Vec<(&'static str, String)> {
    vec![
        ("family_name", name.to_owned()),
        ("members", "Ana Rivera, mother\nLuis Rivera".to_owned()),
        ("contact_person", "Ana Rivera".to_owned()),
        ("language", "Spanish".to_owned()),
        ("times", "weekday_evenings".to_owned()),
        ("times", "weekends".to_owned()),
        ("time_zone", "America/Chicago".to_owned()),
        ("safe_contact", "Mobile only".to_owned()),
        ("their_words", their_words.to_owned()),
        ("needs", "emotional_support".to_owned()),
        ("crisis", "acute".to_owned()),
        ("experience", "runaway".to_owned()),
        ("volunteer_notes", "Prefers mornings now".to_owned()),
    ]
}

#[tokio::test]
async fn an_advocate_changes_a_familys_details_on_a_page_with_errors_shown_and_the_change_audited()
{
    let app = TestApp::spawn().await;
    let cw = app.login(Role::Caseworker).await;
    let id = family(
        &cw,
        "The Rivera family",
        "Ana Rivera",
        "trafficking",
        "English",
        None,
    )
    .await;

    // The form shows what is stored, and is linked from the family's page.
    let page = cw.get(&format!("/families/{id}")).await;
    assert!(
        page.body.contains(&format!("href=\"/families/{id}/edit\"")),
        "{}",
        page.body
    );
    let form = cw.get(&format!("/families/{id}/edit")).await;
    assert_eq!(form.status, 200, "{}", form.body);
    for shown in [
        "The Rivera family",
        "Mobile only; never call the landline",
        "Mother prefers short calls",
        "Ana Rivera, mother",
    ] {
        assert!(form.body.contains(shown), "{shown}: {}", form.body);
    }
    assert!(
        form.body.contains("value=\"trafficking\" checked"),
        "{}",
        form.body
    );
    assert!(
        !form.body.contains("id=\"case\""),
        "the linked case is not changed here"
    );

    // A text over its limit is refused with the GOV.UK error summary, and nothing changes.
    let fields = family_fields("The Rivera-Santos family", &"x".repeat(8001));
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = cw.post_form(&format!("/families/{id}/edit"), &f).await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("There is a problem"), "{}", res.body);
    assert!(res.body.contains("href=\"#their_words\""), "{}", res.body);
    assert!(
        res.body
            .contains("What happened must be 8000 characters or fewer"),
        "{}",
        res.body
    );
    assert!(
        res.body.contains("The Rivera-Santos family"),
        "what was typed is kept"
    );
    let mut empty = fields.clone();
    empty[0].1 = String::new();
    empty[8].1 = "short".into();
    let f: Vec<(&str, &str)> = empty.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = cw.post_form(&format!("/families/{id}/edit"), &f).await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(
        res.body.contains("Enter the family&#39;s name"),
        "{}",
        res.body
    );
    assert_eq!(audited(&audit_entries(&app).await, "family.update"), 0);

    // A right form saves, says so, and is audited.
    let fields = family_fields("The Rivera-Santos family", "In their words, now longer");
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = cw.post_form(&format!("/families/{id}/edit"), &f).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = cw.follow(&res).await;
    assert!(
        page.body
            .contains("The details of The Rivera-Santos family are saved."),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("In their words, now longer") && page.body.contains("Luis Rivera"),
        "{}",
        page.body
    );
    let v = json_of(&cw, &format!("/api/v1/families/{id}")).await;
    assert_eq!(
        v["family"]["family_name"], "The Rivera-Santos family",
        "{v}"
    );
    assert_eq!(v["family"]["crisis"], "acute", "{v}");
    // From high to acute: the first contact is now due 4 hours after opening, not 12.
    assert!(
        page.body.contains("First contact due in 4 hours"),
        "{}",
        page.body
    );
    assert_eq!(audited(&audit_entries(&app).await, "family.update"), 1);

    // A volunteer may not reach the form; another organisation's advocate finds nothing.
    let vol = app.login(Role::Volunteer).await;
    assert_eq!(vol.get(&format!("/families/{id}/edit")).await.status, 403);
    let other = app.login(Role::RecoverySpecialist).await;
    if crate::helpers::org_for(Role::RecoverySpecialist)
        != crate::helpers::org_for(Role::Caseworker)
    {
        assert_eq!(other.get(&format!("/families/{id}/edit")).await.status, 404);
    }

    // A closed case's details are kept as they were.
    let res = cw
        .post_form(
            &format!("/families/{id}/close"),
            &[("reason", "support_complete")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(cw.get(&format!("/families/{id}/edit")).await.status, 409);
    let res = cw.post_form(&format!("/families/{id}/edit"), &f).await;
    assert_eq!(res.status, 409, "{}", res.body);
}

#[tokio::test]
async fn an_advocate_refers_a_family_by_choosing_a_service_found_in_the_directory() {
    let app = TestApp::spawn().await;
    let rs = app.login(Role::RecoverySpecialist).await;
    let mut ids = Vec::new();
    for (name, need, state) in [
        (
            "Reunification Counselling North",
            "family_reunification",
            "OK",
        ),
        (
            "Reunification Counselling South",
            "family_reunification",
            "TX",
        ),
        ("Walk-in Clinic", "medical", "OK"),
    ] {
        let res = rs
            .send_json(
                Method::POST,
                "/api/v1/resources",
                Some(json!({"organisation": "Sample Org", "name": name, "needs": [need], "state": state})),
                None,
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
        ids.push(
            serde_json::from_str::<Value>(&res.body).unwrap()["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let cw = app.login(Role::Caseworker).await;
    let id = family(
        &cw,
        "The Rivera family",
        "Ana Rivera",
        "runaway",
        "Spanish",
        None,
    )
    .await;

    // Nothing is listed before a search; the search lists what matches need and state.
    let page = cw.get(&format!("/families/{id}")).await;
    assert!(page.body.contains("id=\"service-search\""), "{}", page.body);
    assert!(
        !page.body.contains("id=\"found-services\""),
        "{}",
        page.body
    );
    let page = cw
        .get(&format!(
            "/families/{id}?need=family_reunification&state=OK"
        ))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("Reunification Counselling North"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("Reunification Counselling South"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Walk-in Clinic"), "{}", page.body);
    assert!(
        page.body.contains(&format!("id=\"refer-{}\"", ids[0])),
        "{}",
        page.body
    );
    let page = cw.get(&format!("/families/{id}?need=&state=")).await;
    for n in [
        "Reunification Counselling North",
        "Reunification Counselling South",
        "Walk-in Clinic",
    ] {
        assert!(page.body.contains(n), "{n}: {}", page.body);
    }
    let page = cw.get(&format!("/families/{id}?need=legal&state=")).await;
    assert!(page.body.contains("id=\"no-services\""), "{}", page.body);

    // Pressing Refer records the referral with its note, audited.
    let res = cw
        .post_form(
            &format!("/families/{id}/referrals"),
            &[
                ("resource", &ids[0].to_string()),
                ("need", "family_reunification"),
                ("state", "OK"),
                ("note", "Mother asked for counselling"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = cw.follow(&res).await;
    assert!(
        page.body.contains("The referral is recorded."),
        "{}",
        page.body
    );
    let list = &page.body[page
        .body
        .find("id=\"referral-list\"")
        .expect("referral list")..];
    assert!(
        list.contains(&format!("/recovery/resources/{}", ids[0]))
            && list.contains("Mother asked for counselling"),
        "{}",
        page.body
    );
    assert_eq!(audited(&audit_entries(&app).await, "family.refer"), 1);

    // A service not in the directory, or a note too long, is refused and says why.
    let res = cw
        .post_form(
            &format!("/families/{id}/referrals"),
            &[
                ("resource", "999999"),
                ("need", "family_reunification"),
                ("state", "OK"),
            ],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(
        res.body.contains("There is a problem") && res.body.contains("no service 999999"),
        "{}",
        res.body
    );
    assert!(
        res.body.contains("Reunification Counselling North"),
        "the search is shown again"
    );
    let long = "n".repeat(1001);
    let res = cw
        .post_form(
            &format!("/families/{id}/referrals"),
            &[("resource", &ids[1].to_string()), ("note", &long)],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(
        res.body.contains("1000 characters or fewer"),
        "{}",
        res.body
    );
    assert_eq!(audited(&audit_entries(&app).await, "family.refer"), 1);
}

#[tokio::test]
async fn the_caseload_shows_how_long_is_left_for_each_first_contact_overdue_first() {
    let app = TestApp::spawn().await;
    let cw = app.login(Role::Caseworker).await;
    let fields = |name: &str, crisis: &str| {
        json!({"family_name": name, "contact_person": "Ana", "language": "English",
            "safe_contact": "Mobile only", "crisis": crisis, "experience": "runaway"})
    };
    // Opened first, due last; acute is due in 4 hours, moderate in 24.
    for (name, crisis) in [
        ("The Moderate family", "moderate"),
        ("The Acute family", "acute"),
    ] {
        let res = cw
            .send_json(
                Method::POST,
                "/api/v1/families",
                Some(fields(name, crisis)),
                None,
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
    }
    let page = cw.get("/families").await;
    assert!(
        page.body.contains("First contact due in 4 hours"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("First contact due in 24 hours"),
        "{}",
        page.body
    );

    app.clock.advance(std::time::Duration::from_secs(7 * 3600));
    // Seven idle hours end the session: sign in again.
    let cw = app.login(Role::Caseworker).await;
    let page = cw.get("/families").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let overdue = page
        .body
        .find("First contact overdue by 3 hours")
        .expect("overdue shown");
    let due = page
        .body
        .find("First contact due in 17 hours")
        .expect("time left shown");
    assert!(overdue < due, "overdue first: {}", page.body);
    assert!(
        page.body.find("The Acute family").unwrap()
            < page.body.find("The Moderate family").unwrap(),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("1 family is waiting past the agreed time"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn a_volunteer_sees_their_renewal_dates_and_a_clear_message_once_a_training_lapses() {
    let app = TestApp::spawn().await;
    let me = volunteer_id(&app, "volunteer").await;
    profile(&app, me, "runaway", "Spanish", "passed", true).await;
    let v = app.login(Role::Volunteer).await;
    let page = v.get("/families/mine").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains(&format!(
            "You can be matched with families. Next renewal: {}",
            day(&app, 335)
        )),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Peer support basics") && page.body.contains(&day(&app, 335)),
        "{}",
        page.body
    );

    let lapsed = volunteer_account(&app, "vol-lapsed", "Lee Lapsed").await;
    profile(&app, lapsed, "runaway", "Spanish", "passed", false).await;
    let c = app.client();
    let res = c.login("vol-lapsed", PASSWORD).await;
    assert!(res.status == 303 || res.status == 200, "{}", res.body);
    let page = c.get("/families/mine").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("You cannot be matched with new families until this is put right"),
        "{}",
        page.body
    );
    let lapsed_on = day(&app, -35);
    assert!(
        page.body.contains(&format!(
            "Peer support basics&#34; was due for renewal on {lapsed_on}"
        )),
        "{}",
        page.body
    );
    assert!(page.body.contains("Overdue"), "{}", page.body);
}
