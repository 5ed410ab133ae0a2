//! Missing-child cases over HTTP: a caseworker reports a child missing from care and the
//! hotline reviews it; the chronic flag appears at the third episode with its reason; a
//! recovery closes an episode; an imported ad carrying the child's phone raises an alert
//! for the case's analyst (deduplicated, dismissed with an audited reason); a poster PDF
//! carries exactly the published fields; a caseworker sees only their agency's children
//! and an investigator only what was made available to their agency; in Chromium, a
//! caseworker's report reaches the analysts' queue and an uploaded photo shows as a
//! thumbnail; alerts on one identifier form one group dismissed with one reason; the case
//! list sorts by column.

use crate::browser::Browser;
use crate::helpers::{Client, Res, TestApp, PASSWORD};
use domain::{OrgId, OrgKind, RecordRef, Role};
use fantoccini::Locator;
use service::accounts::{Actor, NewAccount};
use store::links::NewLink;

/// `YYYY-MM-DD`, `days` before the server's today.
fn day(app: &TestApp, days: i64) -> String {
    casework::model::iso(app.services.today() - time::Duration::days(days))
}

/// A child in foster care who left her placement, as a caseworker fills in the form.
fn from_care(app: &TestApp, name: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", name.to_owned()),
        ("aliases", "Zuzu Alias".into()),
        ("date_of_birth", "2011-04-02".into()),
        ("sex", "female".into()),
        (
            "description",
            "5 ft 2 in, brown hair, green backpack".into(),
        ),
        ("custody", "foster_care".into()),
        ("agency_name", "Test Child Welfare".into()),
        ("caseworker_name", "Casey Quillfeather".into()),
        ("caseworker_phone", "(555) 010-0188".into()),
        ("child_phones", "(212) 555-0147".into()),
        ("child_handles", "@rosa_moonbeam".into()),
        ("reported_on", day(app, 2)),
        ("last_seen_on", day(app, 3)),
        ("last_seen_city", "Tulsa".into()),
        ("last_seen_state", "OK".into()),
        ("circumstance", "missing_from_care".into()),
        ("reported_by", "foster parent".into()),
        (
            "narrative",
            "Left with an older boyfriend she met online; secretnarrative".into(),
        ),
    ]
}

async fn report(c: &Client, fields: &[(&'static str, String)]) -> Res {
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    c.post_form("/cases", &f).await
}

/// Reports a child missing and returns the case's id.
async fn reported(c: &Client, fields: &[(&'static str, String)]) -> i64 {
    let res = report(c, fields).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let loc = res.location.expect("redirect to the case");
    loc.trim_start_matches("/cases/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("{loc}"))
}

async fn json(c: &Client, path: &str) -> serde_json::Value {
    let res = c.get(path).await;
    assert_eq!(res.status, 200, "{path}: {}", res.body);
    serde_json::from_str(&res.body).unwrap()
}

async fn audit_actions(app: &TestApp) -> Vec<(String, Option<String>, Option<String>)> {
    store::audit::page(app.services.store.reader(), None, Some(i64::MAX), 500)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.record_id, e.detail))
        .collect()
}

async fn org_id(app: &TestApp, name: &str) -> OrgId {
    app.services
        .orgs(&Actor::Operator)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.name == name)
        .unwrap()
        .id
}

async fn add_user(app: &TestApp, org: &str, username: &str, role: Role) {
    app.services
        .create_user(
            &Actor::Operator,
            NewAccount {
                org_name: org,
                username,
                display_name: username,
                role,
                password: PASSWORD,
            },
            None,
        )
        .await
        .unwrap();
}

fn flag<'a>(detail: &'a serde_json::Value, id: &str) -> Option<&'a serde_json::Value> {
    detail["flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
}

#[tokio::test]
async fn a_caseworker_reports_a_child_missing_from_care_and_the_hotline_reviews_it() {
    let app = TestApp::spawn().await;
    let cw = app.login(Role::Caseworker).await;
    let form = cw.get("/cases/new").await;
    assert_eq!(form.status, 200);
    assert!(
        form.body.contains("value=\"Test Child Welfare\""),
        "the agency is filled in"
    );
    assert!(form
        .body
        .contains("<option value=\"missing_from_care\" selected>"));

    // Every problem is named by its field.
    let mut bad = from_care(&app, "");
    bad.retain(|(k, _)| *k != "last_seen_state");
    let res = report(&cw, &bad).await;
    assert_eq!(res.status, 422);
    assert!(
        res.body
            .contains("<a href=\"#name\">enter the child&#39;s name"),
        "{}",
        res.body
    );
    assert!(
        res.body.contains("href=\"#last_seen_state\""),
        "{}",
        res.body
    );

    let id = reported(&cw, &from_care(&app, "Rosa Example")).await;
    let page = cw.get(&format!("/cases/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("The child was reported missing"));
    assert!(page.body.contains("Needs review"));
    assert!(page.body.contains("<strong>Missing from care</strong>: in foster care (Test Child Welfare), reported missing 1 time"), "{}", page.body);
    // Caseworkers do not review and do not see alerts.
    assert!(!page
        .body
        .contains(&format!("action=\"/cases/{id}/status\"")));
    assert!(!page.body.contains("id=\"alerts\""));

    // The analysts' queue: caseworkers' reports that need review first.
    let imported = r#"{"case_id":"case-0000001","child":{"first_name":"Imported","last_name":"Child","sex":"M","age":12},"circumstance":"family_abduction","missing_from_care":false,"custody":{"kind":"guardians","guardians":[{"name":"Pat Example","relation":"mother"}]},"episodes":[{"reported":"2025-01-04","last_seen":"2025-01-03","last_seen_city":"Dallas","last_seen_state":"TX","circumstance":"family_abduction"}]}"#;
    let (counts, errors) = app
        .services
        .import_cases("test", &[("line 1".into(), imported.into())])
        .await
        .unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(counts.added, 1);
    let analyst = app.login(Role::Analyst).await;
    let queue = analyst.get("/cases").await;
    assert_eq!(queue.status, 200);
    let rosa = queue
        .body
        .find("Rosa Example")
        .expect("the reported case is listed");
    let imported_at = queue
        .body
        .find("Imported Child")
        .expect("the imported case is listed");
    assert!(rosa < imported_at, "the case needing review comes first");
    let list = json(&analyst, "/api/v1/cases?status=needs_review").await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["cases"][0]["id"], id);
    assert_eq!(list["cases"][0]["missing_from_care"], true);
    assert_ne!(list["cases"][0]["priority"], "not_assessed");

    // The priority follows the reports' explainable scoring, with reasons.
    let detail = json(&analyst, &format!("/api/v1/cases/{id}")).await;
    assert!(!detail["priority_reasons"].as_array().unwrap().is_empty());
    let care = flag(&detail, "missing_from_care").expect("missing from care flag");
    assert!(care["reason"].as_str().unwrap().contains("foster care"));
    assert!(flag(&detail, "age_band").is_some());
    assert!(
        detail["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"].as_str().unwrap().contains(':')
                && !f["reason"].as_str().unwrap().is_empty()),
        "indicators of the catalogue become flags with reasons: {detail}"
    );

    let res = analyst
        .post_form(&format!("/cases/{id}/status"), &[("status", "open")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let res = analyst
        .post_form(&format!("/cases/{id}/assign"), &[("assign_to", "analyst")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let list = json(&analyst, "/api/v1/cases?status=needs_review").await;
    assert_eq!(list["total"], 0);
    let mine = json(&analyst, "/api/v1/cases?assignee=me").await;
    assert_eq!(mine["total"], 1);

    let actions = audit_actions(&app).await;
    let id_s = id.to_string();
    for a in ["case.report", "view", "case.status", "case.assign"] {
        assert!(
            actions
                .iter()
                .any(|(x, r, _)| x == a && r.as_deref() == Some(id_s.as_str())),
            "{a} is audited: {actions:?}"
        );
    }
}

#[tokio::test]
async fn the_chronic_flag_appears_at_the_third_episode_with_its_reason() {
    let app = TestApp::spawn().await;
    let cw = app.login(Role::Caseworker).await;
    let mut first = from_care(&app, "Mara Example");
    for (k, v) in &mut first {
        if *k == "reported_on" {
            *v = day(&app, 200);
        }
        if *k == "last_seen_on" {
            *v = String::new();
        }
    }
    first.push(("recovered_on", day(&app, 190)));
    first.push(("recovery_city", "Tulsa".into()));
    first.push(("recovery_state", "OK".into()));
    first.push(("recovery_how", "returned on her own".into()));
    let id = reported(&cw, &first).await;
    let episode = |reported: i64, recovered: Option<i64>| {
        let mut f = vec![
            ("reported_on", day(&app, reported)),
            ("last_seen_city", "Tulsa".to_owned()),
            ("last_seen_state", "OK".to_owned()),
            ("circumstance", "endangered_runaway".to_owned()),
            ("reported_by", "group home staff".to_owned()),
        ];
        if let Some(r) = recovered {
            f.push(("recovered_on", day(&app, r)));
            f.push(("recovery_city", "Tulsa".to_owned()));
            f.push(("recovery_state", "OK".to_owned()));
            f.push(("recovery_how", "located by police".to_owned()));
        }
        f
    };
    let post = |f: Vec<(&'static str, String)>| {
        let cw = &cw;
        async move {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            cw.post_form(&format!("/cases/{id}/episodes"), &f).await
        }
    };
    let res = post(episode(100, Some(95))).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let detail = json(&cw, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(detail["episodes"], 2);
    assert!(
        flag(&detail, "chronically_missing").is_none(),
        "two episodes are not chronic"
    );

    let res = post(episode(10, None)).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let detail = json(&cw, &format!("/api/v1/cases/{id}")).await;
    let chronic = flag(&detail, "chronically_missing").expect("chronic at the third episode");
    assert_eq!(chronic["label"], "Chronically missing");
    assert_eq!(
        chronic["reason"],
        format!(
            "3 episodes, all 3 between {} and {} (within a year)",
            day(&app, 200),
            day(&app, 10)
        )
    );
    let page = cw.get(&format!("/cases/{id}")).await.body;
    assert!(
        page.contains("<strong>Chronically missing</strong>: 3 episodes"),
        "{page}"
    );
    // The priority's facts count the episodes too.
    assert!(
        detail["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["reason"]
                .as_str()
                .unwrap()
                .contains("missing episodes: 3")),
        "{detail}"
    );
    // The timeline shows every episode and recovery in date order.
    let kinds: Vec<&str> = detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["missing", "recovered", "missing", "recovered", "missing"]
    );
}

#[tokio::test]
async fn a_recovery_closes_the_episode() {
    let app = TestApp::spawn().await;
    let cw = app.login(Role::Caseworker).await;
    let id = reported(&cw, &from_care(&app, "Lena Example")).await;
    let eps = json(&cw, &format!("/api/v1/cases/{id}/episodes")).await;
    let eid = eps[0]["id"].as_i64().unwrap();
    assert!(eps[0]["recovered_on"].is_null());

    // No second open episode while one is open.
    let res = cw
        .post_form(
            &format!("/cases/{id}/episodes"),
            &[
                ("reported_on", &day(&app, 0)),
                ("last_seen_city", "Tulsa"),
                ("last_seen_state", "OK"),
                ("circumstance", "endangered_runaway"),
                ("reported_by", "foster parent"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("record the child"), "{}", res.body);

    // A recovery before the report is refused, by field.
    let res = cw
        .post_form(
            &format!("/cases/{id}/episodes/{eid}/recovery"),
            &[
                ("recovered_on", &day(&app, 30)),
                ("recovery_city", "Dallas"),
                ("recovery_state", "TX"),
                ("recovery_how", "located by police"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(
        res.body.contains("is before the report date"),
        "{}",
        res.body
    );

    let res = cw
        .post_form(
            &format!("/cases/{id}/episodes/{eid}/recovery"),
            &[
                ("recovered_on", &day(&app, 1)),
                ("recovery_city", "Dallas"),
                ("recovery_state", "tx"),
                ("recovery_how", "located by police"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let eps = json(&cw, &format!("/api/v1/cases/{id}/episodes")).await;
    assert_eq!(eps[0]["recovered_on"], day(&app, 1));
    assert_eq!(eps[0]["recovery_state"], "TX");
    let detail = json(&cw, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(detail["currently_missing"], false);
    assert!(flag(&detail, "currently_missing").is_none());
    let page = cw.get(&format!("/cases/{id}")).await.body;
    assert!(
        page.contains("Recovered in Dallas, TX after 2 days: located by police"),
        "{page}"
    );
    assert!(!page.contains(&format!("action=\"/cases/{id}/episodes/{eid}/recovery\"")));
    let missing = json(&cw, "/api/v1/cases?currently_missing=true").await;
    assert_eq!(missing["total"], 0);
    // Recorded once: a second recovery of the same episode is a conflict.
    let res = cw
        .post_form(
            &format!("/cases/{id}/episodes/{eid}/recovery"),
            &[
                ("recovered_on", &day(&app, 0)),
                ("recovery_city", "Dallas"),
                ("recovery_state", "TX"),
                ("recovery_how", "again"),
            ],
        )
        .await;
    assert_eq!(res.status, 409);
    assert!(audit_actions(&app)
        .await
        .iter()
        .any(|(a, r, _)| a == "case.recovery" && r.as_deref() == Some(id.to_string().as_str())));
}

#[tokio::test]
async fn an_imported_ad_carrying_the_childs_phone_alerts_the_assigned_analyst() {
    let app = TestApp::spawn().await;
    let cw = app.login(Role::Caseworker).await;
    let id = reported(&cw, &from_care(&app, "Nia Example")).await;
    let analyst = app.login(Role::Analyst).await;
    let res = analyst
        .post_form(&format!("/cases/{id}/assign"), &[("assign_to", "analyst")])
        .await;
    assert_eq!(res.status, 303);

    let ad = service::intake::import::AdRecord {
        id: "ad-77".into(),
        site: Some("classifieds.example".into()),
        url: Some("https://classifieds.example/ads/77".into()),
        posted_at: None,
        city: Some("Tulsa".into()),
        state: Some("OK".into()),
        title: "New in town, sweet and fun".into(),
        body: "Available tonight. Text 212.555.0147 for rates.".into(),
        image_hashes: vec![],
    };
    let (counts, errors) = app
        .services
        .import_ads("test", &[("line 1".into(), ad.clone())])
        .await
        .unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(counts.added, 1);

    let queue = analyst.get("/cases").await.body;
    assert!(queue.contains("Alerts on your cases"), "{queue}");
    assert!(queue.contains(&format!("href=\"/cases/{id}#alerts\"")));
    let detail = json(&analyst, &format!("/api/v1/cases/{id}")).await;
    let alerts = detail["alerts"].as_array().expect("analysts see alerts");
    assert_eq!(alerts.len(), 1, "{detail}");
    assert_eq!(alerts[0]["reason"], "phone");
    assert_eq!(alerts[0]["source_kind"], "ad");
    assert!(alerts[0]["value"].as_str().unwrap().contains("2125550147"));
    assert!(!alerts[0]["evidence"].as_array().unwrap().is_empty());
    let alert_id = alerts[0]["id"].as_i64().unwrap();
    let page = analyst.get(&format!("/cases/{id}")).await.body;
    // Said in words: what matched and where.
    assert!(
        page.contains("2125550147 appears in 1 online ad."),
        "{page}"
    );
    assert!(page.contains("online ad #"), "{page}");
    // The caseworker's view of the case names no other record.
    let cw_detail = json(&cw, &format!("/api/v1/cases/{id}")).await;
    assert!(cw_detail["alerts"].is_null());

    // The same link again raises nothing new.
    let ad_id = alerts[0]["source_id"].as_i64().unwrap();
    let link = NewLink {
        x: RecordRef::ad(ad_id),
        y: RecordRef::case(id),
        reason: "phone".into(),
        value: alerts[0]["value"].as_str().unwrap().into(),
        weight_milli: 900,
        evidence_json: "{}".into(),
    };
    let mut tx = app.services.store.begin().await.unwrap();
    let now = app.services.now();
    let again = app
        .services
        .raise_case_alerts(&mut tx, &[link.clone(), link.clone()], now)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    assert_eq!(again, 0, "alerts are deduplicated");

    // A tip naming the child's phone: an alert too, and the report on the timeline.
    let tip: domain::tip::TipRecord = serde_json::from_value(serde_json::json!({
        "id": "tip-9", "submitted_at": "2026-11-20T10:00:00Z", "incident_type": "Child Sex Trafficking",
        "when": "2026-11-19", "state": "OK", "country": "US",
        "narrative": "A girl at a motel in Tulsa gave this number.",
        "people": [{"role": "child", "phone": "212-555-0147"}]
    }))
    .unwrap();
    let (_, errors) = app
        .services
        .import_tips("test", &[("line 1".into(), tip)])
        .await
        .unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let detail = json(&analyst, &format!("/api/v1/cases/{id}")).await;
    let alerts = detail["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 2, "{detail}");
    assert!(alerts.iter().any(|a| a["source_kind"] == "report"));
    let linked = detail["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "report")
        .expect("the linked report is on the timeline");
    assert_eq!(linked["on"], "2026-11-20");
    assert!(linked["text"]
        .as_str()
        .unwrap()
        .contains("same phone number"));

    // Dismissed only with a reason, which is audited.
    let res = analyst
        .post_form(
            &format!("/cases/{id}/alerts/{alert_id}/dismiss"),
            &[("reason", " ")],
        )
        .await;
    assert_eq!(res.status, 422);
    let res = analyst
        .post_form(
            &format!("/cases/{id}/alerts/{alert_id}/dismiss"),
            &[("reason", "the number belongs to a shelter")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = analyst.get(&format!("/cases/{id}")).await.body;
    assert!(page.contains("Dismissed by analyst"), "{page}");
    assert!(page.contains("the number belongs to a shelter"));
    assert!(
        analyst.get("/cases").await.body.contains("1 open alert<"),
        "the report's alert stays open"
    );
    let actions = audit_actions(&app).await;
    assert!(actions.iter().any(|(a, _, d)| a == "case.alert"
        && d.as_deref().is_some_and(|d| d.contains("phone link to ad"))));
    assert!(actions.iter().any(|(a, r, d)| a == "case.alert.dismiss"
        && r.as_deref() == Some(id.to_string().as_str())
        && d.as_deref().is_some_and(|d| d.contains("shelter"))));
}

fn pdf_text(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).expect("a PDF lopdf can read");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).expect("text");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn a_poster_carries_exactly_the_published_fields() {
    let app = TestApp::spawn().await;
    let cw = app.login(Role::Caseworker).await;
    let id = reported(&cw, &from_care(&app, "Rosa Example")).await;
    let analyst = app.login(Role::Analyst).await;
    assert_eq!(
        analyst.get(&format!("/cases/{id}/poster.pdf")).await.status,
        404
    );

    // Consent is required, and must cover the current episode.
    let res = analyst
        .post_form(
            &format!("/cases/{id}/publication"),
            &[
                ("action", "publish"),
                ("consent_given_by", ""),
                ("consent_recorded_on", &day(&app, 0)),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    let res = analyst
        .post_form(
            &format!("/cases/{id}/publication"),
            &[
                ("action", "publish"),
                (
                    "consent_given_by",
                    "Test Child Welfare (Casey Quillfeather)",
                ),
                ("consent_recorded_on", &day(&app, 30)),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(
        res.body.contains("before this episode was reported"),
        "{}",
        res.body
    );
    let res = analyst
        .post_form(
            &format!("/cases/{id}/publication"),
            &[
                ("action", "publish"),
                (
                    "consent_given_by",
                    "Test Child Welfare (Casey Quillfeather)",
                ),
                ("consent_recorded_on", &day(&app, 1)),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);

    let res = analyst
        .http
        .get(format!("{}/api/v1/cases/{id}/poster", analyst.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let text = pdf_text(&res.bytes().await.unwrap());
    let missing_since = app.services.today() - time::Duration::days(3);
    let case_number = format!("CH-{id:06}");
    let published = [
        "Rosa Example".to_owned(),
        "15".to_owned(),
        casework::model::long_date(missing_since),
        "Tulsa, OK".to_owned(),
        "5 ft 2 in, brown hair, green backpack".to_owned(),
        case_number.clone(),
        app.services.hotline.clone(),
    ];
    for p in &published {
        assert!(text.contains(p.as_str()), "the poster lacks {p:?}: {text}");
    }
    let unpublished = [
        "Zuzu",
        "2011",
        "Quillfeather",
        "Test Child Welfare",
        "010-0188",
        "555-0147",
        "rosa_moonbeam",
        "secretnarrative",
        "boyfriend",
        "foster",
        "Oklahoma",
    ];
    for u in unpublished {
        assert!(
            !text.contains(u),
            "the poster shows unpublished {u:?}: {text}"
        );
    }
    // The page's PDF is the same poster; the accessible page has the same fields.
    let pdf = analyst
        .http
        .get(format!("{}/cases/{id}/poster.pdf", analyst.base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(pdf_text(&pdf), text);
    let html = cw.get(&format!("/cases/{id}/poster")).await;
    assert_eq!(html.status, 200, "the agency's caseworker can print it");
    for p in &published {
        assert!(html.body.contains(p.as_str()), "the page lacks {p:?}");
    }
    for u in unpublished {
        assert!(!html.body.contains(u), "the page shows unpublished {u:?}");
    }
    let actions = audit_actions(&app).await;
    assert!(actions
        .iter()
        .any(|(a, r, _)| a == "case.publish" && r.as_deref() == Some(id.to_string().as_str())));
    assert!(actions
        .iter()
        .any(|(a, r, _)| a == "view" && r.as_deref() == Some(id.to_string().as_str())));
    assert!(
        store::audit::page(app.services.store.reader(), None, Some(i64::MAX), 500)
            .await
            .unwrap()
            .iter()
            .any(|e| e.record_type.as_deref() == Some("case_poster"))
    );

    // Withdrawn, there is no poster.
    let res = analyst
        .post_form(
            &format!("/cases/{id}/publication"),
            &[("action", "withdraw")],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(cw.get(&format!("/cases/{id}/poster")).await.status, 404);
}

/// Synthetic names in Vietnamese, Arabic and Chinese print on the poster and read back from
/// its text: the PDF embeds Unicode fonts (issue 18).
#[tokio::test]
async fn a_poster_prints_names_in_vietnamese_arabic_and_chinese() {
    let app = TestApp::spawn().await;
    let cw = app.login(Role::Caseworker).await;
    let analyst = app.login(Role::Analyst).await;
    for name in ["Nguyễn Thị Hồng", "ليلى حسن", "王小明"] {
        let id = reported(&cw, &from_care(&app, name)).await;
        let res = analyst
            .post_form(
                &format!("/cases/{id}/publication"),
                &[
                    ("action", "publish"),
                    ("consent_given_by", "Test Child Welfare"),
                    ("consent_recorded_on", &day(&app, 0)),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let res = analyst
            .http
            .get(format!("{}/cases/{id}/poster.pdf", analyst.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/pdf");
        let text = pdf_text(&res.bytes().await.unwrap());
        assert!(
            text.contains(name),
            "{name:?} is not in the poster's text: {text}"
        );
        assert!(text.contains(&format!("CH-{id:06}")), "{text}");
        let html = analyst.get(&format!("/cases/{id}/poster")).await;
        assert!(
            html.body.contains(name),
            "the accessible page shows {name:?}"
        );
    }
}

#[tokio::test]
async fn caseworkers_see_their_agencys_children_and_investigators_what_was_made_available() {
    let app = TestApp::spawn().await;
    app.services
        .create_org(
            &Actor::Operator,
            "Other Child Welfare",
            OrgKind::ChildWelfare,
            None,
        )
        .await
        .unwrap();
    add_user(
        &app,
        "Other Child Welfare",
        "caseworker-b",
        Role::Caseworker,
    )
    .await;
    add_user(&app, "Agency B", "investigator-b", Role::Investigator).await;
    let cw = app.login(Role::Caseworker).await;
    let id = reported(&cw, &from_care(&app, "Ivy Example")).await;
    let other = app.client();
    assert_eq!(other.login("caseworker-b", PASSWORD).await.status, 303);
    let inv_a = app.login(Role::Investigator).await;
    let inv_b = app.client();
    assert_eq!(inv_b.login("investigator-b", PASSWORD).await.status, 303);

    for c in [&other, &inv_a, &inv_b] {
        assert_eq!(c.get(&format!("/cases/{id}")).await.status, 404);
        assert_eq!(c.get(&format!("/api/v1/cases/{id}")).await.status, 404);
        assert_eq!(
            c.get(&format!("/api/v1/cases/{id}/episodes")).await.status,
            404
        );
        assert_eq!(json(c, "/api/v1/cases").await["total"], 0);
        assert!(!c.get("/cases").await.body.contains("Ivy Example"));
    }
    // Not even by reporting an episode on it.
    let res = other
        .post_form(
            &format!("/cases/{id}/episodes"),
            &[("reported_on", &day(&app, 0))],
        )
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(json(&cw, "/api/v1/cases").await["total"], 1);
    assert!(cw.get("/cases").await.body.contains("Ivy Example"));

    let agency_a = org_id(&app, "Agency A").await;
    let analyst = app.login(Role::Analyst).await;
    let res = analyst
        .post_form(
            &format!("/cases/{id}/share"),
            &[("agency", &agency_a.0.to_string())],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(inv_a.get(&format!("/cases/{id}")).await.status, 200);
    assert_eq!(json(&inv_a, "/api/v1/cases").await["total"], 1);
    assert!(inv_a.get("/cases").await.body.contains("Ivy Example"));
    assert_eq!(inv_b.get(&format!("/cases/{id}")).await.status, 404);
    assert_eq!(json(&inv_b, "/api/v1/cases").await["total"], 0);
    // Investigators read; they do not change the case file.
    assert_eq!(
        inv_a
            .post_form(
                &format!("/cases/{id}/episodes"),
                &[("reported_on", "2026-01-01")]
            )
            .await
            .status,
        403
    );
    assert!(audit_actions(&app)
        .await
        .iter()
        .any(|(a, r, d)| a == "case.make_available"
            && r.as_deref() == Some(id.to_string().as_str())
            && d.as_deref().is_some_and(|d| d.contains("Agency A"))));
}

#[tokio::test]
async fn the_api_reports_a_child_missing_and_names_each_problem() {
    let app = TestApp::spawn().await;
    let cw = app.login(Role::Caseworker).await;
    let bad = cw
        .send_json(
            reqwest::Method::POST,
            "/api/v1/cases",
            Some(serde_json::json!({"child": {"custody": "foster_care"}, "episode": {"reported_on": "2999-01-01"}})),
            None,
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    let body: serde_json::Value = serde_json::from_str(&bad.body).unwrap();
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in [
        "name",
        "agency_name",
        "reported_on",
        "last_seen_city",
        "circumstance",
    ] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    let ok = cw
        .send_json(
            reqwest::Method::POST,
            "/api/v1/cases",
            Some(serde_json::json!({
                "child": {"name": "Api Example", "age": 14, "sex": "male", "custody": "group_home",
                          "agency_name": "Test Child Welfare", "caseworker_name": "Casey", "phones": ["(212) 555-0199"]},
                "episode": {"reported_on": day(&app, 0), "last_seen_city": "Reno", "last_seen_state": "NV",
                            "circumstance": "endangered_runaway", "reported_by": "group home staff"}
            })),
            None,
        )
        .await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    let created: serde_json::Value = serde_json::from_str(&ok.body).unwrap();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["case_number"], format!("CH-{id:06}"));
    let detail = json(&cw, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(detail["child"]["age_now"], 14);
    assert_eq!(detail["child"]["custody"], "group_home");
    assert_eq!(detail["status"], "needs_review");
    assert!(flag(&detail, "missing_from_care").is_some());
    let res = cw
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/cases/{id}/episodes"),
            Some(serde_json::json!({"reported_on": day(&app, 0), "last_seen_city": "Reno", "last_seen_state": "NV",
                                    "circumstance": "endangered_runaway", "reported_by": "staff"})),
            None,
        )
        .await;
    assert_eq!(res.status, 422, "an episode is still open: {}", res.body);

    // Counted for the staff's statistics: exact, by year, circumstance, age band and state.
    let stats = cw.get("/statistics/internal").await;
    assert_eq!(stats.status, 200, "{}", stats.body);
    assert!(
        stats.body.contains("<th scope=\"row\">NV</th>"),
        "{}",
        stats.body
    );
    assert!(
        stats.body.contains("<th scope=\"row\">12–14</th>"),
        "{}",
        stats.body
    );
}

#[tokio::test]
async fn an_imported_case_belongs_to_the_agency_with_custody() {
    let app = TestApp::spawn().await;
    let line = r#"{"case_id":"case-0000042","child":{"first_name":"Theo","last_name":"Example","sex":"M","date_of_birth":"2012-06-01","phone":"212-555-0111"},"circumstance":"endangered_runaway","missing_from_care":true,"custody":{"kind":"agency","agency":"Test Child Welfare","placement":"group home","caseworker":{"name":"Casey Quillfeather"}},"episodes":[{"reported":"2024-03-04","last_seen":"2024-03-03","last_seen_city":"Tulsa","last_seen_state":"OK","circumstance":"endangered_runaway","recovered":"2024-03-09"},{"reported":"2026-10-01","last_seen":"2026-10-01","last_seen_city":"Tulsa","last_seen_state":"OK","circumstance":"endangered_runaway"}]}"#;
    let (_, errors) = app
        .services
        .import_cases("test", &[("l1".into(), line.into()), ("l2".into(), "{\"case_id\":\"x\",\"child\":{\"first_name\":\"A\"},\"circumstance\":\"endangered_runaway\",\"missing_from_care\":false,\"episodes\":[{}]}".into())])
        .await
        .unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    // A record too thin for the case workflow stays as imported and says why when opened.
    let analyst = app.login(Role::Analyst).await;
    let all = json(&analyst, "/api/v1/cases").await;
    let thin_id = all["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["child_name"] == "A")
        .expect("the thin record is listed")["id"]
        .as_i64()
        .unwrap();
    let res = analyst.get(&format!("/cases/{thin_id}")).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("cannot be opened"), "{}", res.body);
    let cw = app.login(Role::Caseworker).await;
    let list = json(&cw, "/api/v1/cases").await;
    assert_eq!(list["total"], 1, "{list}");
    let id = list["cases"][0]["id"].as_i64().unwrap();
    assert_eq!(list["cases"][0]["status"], "open");
    assert_eq!(list["cases"][0]["currently_missing"], true);
    let detail = json(&cw, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(detail["child"]["phones"][0], "212-555-0111");
    assert!(
        flag(&detail, "repeat_runaway_from_care").is_some(),
        "{detail}"
    );
    let eps = json(&cw, &format!("/api/v1/cases/{id}/episodes")).await;
    assert_eq!(eps.as_array().unwrap().len(), 2);
    assert_eq!(eps[0]["recovery_how"], "not recorded");
}

#[tokio::test]
async fn a_caseworker_reports_a_child_missing_from_care_in_chromium_and_the_analyst_sees_it() {
    let app = TestApp::spawn().await;
    let b = Browser::start().await;
    let c = &b.client;
    b.sign_in(&app.base, "caseworker").await;
    c.goto(&format!("{}/cases", app.base)).await.unwrap();
    c.find(Locator::Css("#report-child"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_text("main h1", "Report a child missing").await;
    let type_in = |css: &'static str, text: &'static str| async move {
        c.find(Locator::Css(css))
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap();
    };
    type_in("#name", "Juniper Example").await;
    type_in("#last_seen_city", "Tulsa").await;
    type_in("#last_seen_state", "OK").await;
    type_in("#description", "5 ft, black hair, red jacket").await;
    // Date inputs take their value in ISO form from script, whatever the browser's locale.
    c.execute(
        "document.querySelector('#date_of_birth').value = '2012-02-03';",
        vec![],
    )
    .await
    .unwrap();
    c.find(Locator::Css("#report-missing button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_text("#notification", "The child was reported missing")
        .await;
    let flags = b.wait_text("#flag-list", "Missing from care").await;
    assert!(flags.contains("Currently missing"), "{flags}");

    c.delete_all_cookies().await.unwrap();
    b.sign_in(&app.base, "analyst").await;
    c.goto(&format!("{}/cases", app.base)).await.unwrap();
    let table = b.wait_text("#cases", "Juniper Example").await;
    assert!(table.contains("Needs review"), "{table}");
    c.find(Locator::LinkText("CH-000001"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_text("main h1", "Juniper Example").await;
    b.wait_text("#work", "Mark reviewed").await;
    b.stop().await;
}

/// A small PNG whose text chunk says where it was taken.
fn png_with_location(secret: &str) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut e = png::Encoder::new(&mut out, 4, 4);
        e.set_color(png::ColorType::Rgb);
        e.set_depth(png::BitDepth::Eight);
        e.add_text_chunk("Location".into(), secret.into()).unwrap();
        let mut w = e.write_header().unwrap();
        w.write_image_data(&[120u8; 4 * 4 * 3]).unwrap();
    }
    out
}

#[tokio::test]
async fn a_photo_goes_on_the_poster_without_its_metadata() {
    let app = TestApp::spawn().await;
    let cw = app.login(Role::Caseworker).await;
    let id = reported(&cw, &from_care(&app, "Ada Example")).await;
    let png = png_with_location("secret-place-of-the-photo");
    let boundary = "----casephotoboundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"ada.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&png);
    body.extend_from_slice(
        format!(
            "\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"taken_on\"\r\n\r\n{}\r\n--{boundary}--\r\n",
            day(&app, 20)
        )
        .as_bytes(),
    );
    let send = |body: Vec<u8>| {
        let cw = &cw;
        async move {
            let csrf = cw.csrf().await;
            cw.http
                .post(format!("{}/cases/{id}/photos", cw.base))
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .header("x-csrf-token", csrf)
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    let res = send(body).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("/cases/{id}").as_str());
    // Not a picture: refused with what to do.
    let junk = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"x.png\"\r\n\r\nnot a picture\r\n--{boundary}--\r\n"
    );
    let res = send(junk.into_bytes()).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("not a JPEG or PNG"));
    assert_eq!(
        cw.get(&format!("/cases/{id}"))
            .await
            .body
            .matches("class=\"thumb\"")
            .count(),
        1
    );

    let analyst = app.login(Role::Analyst).await;
    let res = analyst
        .post_form(
            &format!("/cases/{id}/publication"),
            &[
                ("action", "publish"),
                ("consent_given_by", "Test Child Welfare"),
                ("consent_recorded_on", &day(&app, 0)),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let html = analyst.get(&format!("/cases/{id}/poster")).await.body;
    let src = html
        .split("src=\"data:image/png;base64,")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the photo is on the page");
    use base64::Engine;
    let shown = base64::engine::general_purpose::STANDARD
        .decode(src)
        .unwrap();
    assert!(shown.starts_with(b"\x89PNG"));
    assert!(!String::from_utf8_lossy(&shown).contains("secret-place"));
    let pdf = analyst
        .http
        .get(format!("{}/cases/{id}/poster.pdf", analyst.base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let images = doc
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .filter(|s| s.dict.get(b"Subtype").and_then(|v| v.as_name()).ok() == Some(b"Image"))
        .count();
    assert_eq!(images, 1);
    assert!(!String::from_utf8_lossy(&pdf).contains("secret-place"));
}

/// A public tip naming a screen name, as the importer reads it.
fn tip_naming(n: usize, handle: &str) -> domain::tip::TipRecord {
    serde_json::from_value(serde_json::json!({
        "id": format!("tip-handle-{n}"), "submitted_at": "2026-11-20T10:00:00Z",
        "incident_type": "Child Sex Trafficking", "when": "2026-11-19", "state": "OK", "country": "US",
        "narrative": format!("Tip {n}: a girl was offered online at a motel."),
        "people": [{"role": "unknown", "screen_names": [handle]}]
    }))
    .unwrap()
}

/// The link of a sortable column's header, unescaped, without the (empty) filters.
pub fn sort_link(page: &str, label: &str) -> String {
    let end = page
        .find(&format!("\">{label}</a>"))
        .or_else(|| page.find(&format!("\">{label} <span")))
        .unwrap_or_else(|| panic!("no header {label}"));
    let start = page[..end].rfind("href=\"").unwrap() + 6;
    let href = page[start..end].replace("&amp;", "&").replace("&#38;", "&");
    let (path, query) = href.split_once('?').unwrap();
    let kept: Vec<&str> = query.split('&').filter(|kv| !kv.ends_with('=')).collect();
    format!("{path}?{}", kept.join("&"))
}

/// Where `needle` first is in `hay`, or a failure naming it.
fn at(hay: &str, needle: &str) -> usize {
    hay.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is not on the page"))
}

#[tokio::test]
async fn an_identifier_in_twelve_reports_is_one_alert_group_dismissed_with_one_reason() {
    let app = TestApp::spawn().await;
    let cw = app.login(Role::Caseworker).await;
    let mut fields = from_care(&app, "Quinn Example");
    fields.retain(|(k, _)| *k != "child_handles" && *k != "child_phones");
    fields.push(("child_handles", "quiet_queen405".into()));
    let id = reported(&cw, &fields).await;
    let tips: Vec<(String, domain::tip::TipRecord)> = (1..=12)
        .map(|n| (format!("line {n}"), tip_naming(n, "quiet_queen405")))
        .collect();
    let (counts, errors) = app.services.import_tips("test", &tips).await.unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(counts.added, 12);
    app.run_pending_jobs().await;

    let analyst = app.login(Role::Analyst).await;
    let detail = json(&analyst, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(
        detail["alerts"].as_array().unwrap().len(),
        12,
        "one alert per report: {detail}"
    );
    let page = analyst.get(&format!("/cases/{id}")).await.body;
    // One group, said in words, without the engine's internals.
    assert_eq!(page.matches("<li class=\"alert-group").count(), 1, "{page}");
    assert!(
        page.contains("quiet_queen405 appears in 12 reports."),
        "{page}"
    );
    for raw in ["weight", "cap:", "kind:", "bits"] {
        assert!(!page.contains(raw), "{raw} is shown: {page}");
    }
    let dismiss_form = format!("action=\"/cases/{id}/alerts/dismiss\"");
    assert_eq!(page.matches(&dismiss_form).count(), 1, "one form");
    // The case's actions come first, then the alerts, then the details.
    assert!(at(&page, "id=\"work\"") < at(&page, "id=\"alerts\""));
    assert!(at(&page, "action=\"/cases/") < at(&page, "id=\"case-facts\""));
    assert!(at(&page, "id=\"alerts\"") < at(&page, "id=\"child\""));

    // A reason is needed, and the page says so beside the field.
    let group = [("kind", "handle"), ("value", "quiet_queen405")];
    let mut form = group.to_vec();
    form.push(("reason", "  "));
    let res = analyst
        .post_form(&format!("/cases/{id}/alerts/dismiss"), &form)
        .await;
    assert_eq!(res.status, 422);
    assert!(
        res.body.contains("say why the alert is dismissed"),
        "{}",
        res.body
    );
    assert!(res.body.contains("aria-invalid=\"true\""));

    let mut form = group.to_vec();
    form.push((
        "reason",
        "the handle is the child's own, reported by her family",
    ));
    let res = analyst
        .post_form(&format!("/cases/{id}/alerts/dismiss"), &form)
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let to = res.location.unwrap();
    // No anchor: the banner under the title says what happened.
    assert_eq!(to, format!("/cases/{id}"));
    let page = analyst.get(&to).await.body;
    assert!(
        page.contains("12 alerts were dismissed with your reason."),
        "{page}"
    );
    assert!(page.contains("reported by her family"));
    assert_eq!(page.matches(&dismiss_form).count(), 0, "nothing to dismiss");
    let detail = json(&analyst, &format!("/api/v1/cases/{id}")).await;
    assert!(detail["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["dismissed"] == true
            && a["dismiss_reason"]
                .as_str()
                .is_some_and(|r| r.contains("her family"))));
    let actions = audit_actions(&app).await;
    let dismissals: Vec<&Option<String>> = actions
        .iter()
        .filter(|(a, r, _)| {
            a == "case.alert.dismiss" && r.as_deref() == Some(id.to_string().as_str())
        })
        .map(|(_, _, d)| d)
        .collect();
    assert_eq!(dismissals.len(), 1, "{dismissals:?}");
    let d = dismissals[0].as_deref().unwrap();
    let named = d.split(" (").next().unwrap();
    assert_eq!(named.matches(", ").count(), 11, "all 12 alerts named: {d}");
    assert!(d.contains("quiet_queen405") && d.contains("reported by her family"));
    // Dismissed already: nothing left to dismiss.
    let res = analyst
        .post_form(&format!("/cases/{id}/alerts/dismiss"), &form)
        .await;
    assert_eq!(res.status, 404);
}

/// A multipart body with the CSRF token as its first field, as a browser's form sends it.
fn photo_body(boundary: &str, csrf: &str, photo: &[u8], taken_on: &str) -> Vec<u8> {
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"ada.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(photo);
    body.extend_from_slice(
        format!(
            "\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"taken_on\"\r\n\r\n{taken_on}\r\n--{boundary}--\r\n"
        )
        .as_bytes(),
    );
    body
}

#[tokio::test]
async fn a_photo_uploaded_without_javascript_is_shown_audited_and_removed() {
    let app = TestApp::spawn().await;
    let cw = app.login(Role::Caseworker).await;
    let id = reported(&cw, &from_care(&app, "Ada Example")).await;
    let boundary = "----plainformboundary";
    let send = |body: Vec<u8>| {
        let cw = &cw;
        async move {
            cw.http
                .post(format!("{}/cases/{id}/photos", cw.base))
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    // Without the token in the form, refused.
    let png = png_with_location("secret-place-of-the-photo");
    let res = send(photo_body(boundary, "wrong", &png, "")).await;
    assert_eq!(res.status(), 403);
    // A plain form post: the token is a field; the answer is a redirect to the case.
    let csrf = cw.csrf().await;
    let res = send(photo_body(boundary, &csrf, &png, &day(&app, 20))).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], format!("/cases/{id}").as_str());
    // Not a picture: the case page again, the message beside the field, not a second page.
    let res = send(photo_body(boundary, &csrf, b"not a picture", "")).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("not a JPEG or PNG"), "{body}");
    assert!(body.contains("id=\"photo-error\""), "{body}");
    assert_eq!(body.matches("<h1").count(), 1);

    let page = cw.get(&format!("/cases/{id}")).await.body;
    let src = page
        .split("class=\"thumb\" src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a thumbnail")
        .to_owned();
    assert!(src.starts_with(&format!("/cases/{id}/photos/")), "{src}");
    let key = src.rsplit('/').next().unwrap().to_owned();
    let res = cw
        .http
        .get(format!("{}{src}", cw.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let h = res.headers().clone();
    assert_eq!(h["content-type"], "image/png");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "private, no-store");
    assert!(h["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("inline"));
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\x89PNG"));
    assert!(!String::from_utf8_lossy(&bytes).contains("secret-place"));
    let actions = audit_actions(&app).await;
    assert!(
        actions
            .iter()
            .any(|(a, r, _)| a == "view" && r.as_deref() == Some(format!("{id}/{key}").as_str())),
        "the photo's view is audited: {actions:?}"
    );
    // An investigator the case was not made available to sees no photo.
    let inv = app.login(Role::Investigator).await;
    assert_eq!(inv.get(&src).await.status, 404);

    // The larger view, and removal only once confirmed.
    let view = cw.get(&format!("/cases/{id}/photos/{key}/view")).await;
    assert_eq!(view.status, 200);
    assert!(view.body.contains(&format!("src=\"{src}\"")));
    assert!(view.body.contains("Yes, remove this photo"));
    let remove = format!("/cases/{id}/photos/{key}/remove");
    let res = cw.post_form(&remove, &[]).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("Tick the box"), "{}", res.body);
    assert_eq!(cw.get(&src).await.status, 200, "still there");
    let res = cw.post_form(&remove, &[("confirm", "yes")]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(cw.get(&src).await.status, 404);
    assert!(cw
        .get(&format!("/cases/{id}"))
        .await
        .body
        .contains("No photo."));
    assert!(audit_actions(&app)
        .await
        .iter()
        .any(|(a, r, d)| a == "case.photo.remove"
            && r.as_deref() == Some(id.to_string().as_str())
            && d.as_deref().is_some_and(|d| d.contains(&key))));
}

#[tokio::test]
async fn a_case_photo_uploaded_in_chromium_shows_its_thumbnail() {
    let app = TestApp::spawn().await;
    let cw = app.login(Role::Caseworker).await;
    let id = reported(&cw, &from_care(&app, "Ada Example")).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ada.png");
    std::fs::write(&file, png_with_location("secret-place")).unwrap();

    let b = Browser::start().await;
    let c = &b.client;
    b.sign_in(&app.base, "caseworker").await;
    c.goto(&format!("{}/cases/{id}", app.base)).await.unwrap();
    c.find(Locator::Css("#photo"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    c.find(Locator::Css("#photo-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_text("#notification", "The photo was added").await;
    let mut width = serde_json::Value::Null;
    for _ in 0..50 {
        width = c
            .execute(
                "const i = document.querySelector('img.thumb'); return i && i.complete ? i.naturalWidth : null;",
                vec![],
            )
            .await
            .unwrap();
        if width.as_i64().is_some_and(|w| w > 0) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(width.as_i64(), Some(4), "the thumbnail loaded");
    // One page: no second banner, navigation or title inside the case page.
    let counts = c
        .execute(
            "return [document.querySelectorAll('h1').length, document.querySelectorAll('nav[aria-label=Main]').length];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(counts, serde_json::json!([1, 1]));
    b.stop().await;
}

#[tokio::test]
async fn the_case_list_sorts_by_column_and_says_so() {
    let app = TestApp::spawn().await;
    let cw = app.login(Role::Caseworker).await;
    for name in ["Bea Example", "Ada Example", "Cy Example"] {
        reported(&cw, &from_care(&app, name)).await;
    }
    // A recovered child, imported: listed below every child missing now, and numbered in the
    // same style as the cases made here.
    let recovered = r#"{"case_id":"case-0000777","child":{"first_name":"Aaron","last_name":"Recovered","sex":"M","age":12},"circumstance":"family_abduction","missing_from_care":false,"custody":{"kind":"guardians","guardians":[{"name":"Pat Example","relation":"mother"}]},"episodes":[{"reported":"2025-01-04","last_seen":"2025-01-03","last_seen_city":"Dallas","last_seen_state":"TX","circumstance":"family_abduction","recovered":"2025-01-09"}]}"#;
    let (_, errors) = app
        .services
        .import_cases("test", &[("line 1".into(), recovered.into())])
        .await
        .unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let analyst = app.login(Role::Analyst).await;
    let list = analyst.get("/cases").await.body;
    let missing_now = at(&list, "Cy Example");
    assert!(at(&list, "Aaron Recovered") > missing_now, "recovered last");
    assert!(
        !list.contains("aria-sort"),
        "the default order marks no column"
    );
    assert!(list.contains("children missing now first"));
    assert!(!list.contains("case-0000777"), "one style of case number");
    assert!(list.contains(">CH-000004</a>"), "{list}");
    assert!(list.contains(" days, since "), "ages in words: {list}");
    // The imported case is found by its number, and its page says what the import called it.
    let found = analyst.get("/cases?q=CH-000004").await.body;
    assert!(found.contains("Aaron Recovered") && !found.contains("Cy Example"));
    let page = analyst.get("/cases/4").await.body;
    assert!(
        page.contains("<title>Aaron Recovered (CH-000004)"),
        "{page}"
    );
    assert!(page.contains("case-0000777"), "imported as");

    let by_child = analyst.get("/cases?sort=child&dir=asc").await.body;
    let order: Vec<usize> = [
        "Aaron Recovered",
        "Ada Example",
        "Bea Example",
        "Cy Example",
    ]
    .iter()
    .map(|n| at(&by_child, n))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert!(
        by_child.contains("aria-sort=\"ascending\"><a class=\"sort\" href=\"/cases?"),
        "{by_child}"
    );
    // The sorted column's link turns it over; the others sort ascending.
    assert_eq!(sort_link(&by_child, "Child"), "/cases?sort=child&dir=desc");
    assert_eq!(
        sort_link(&by_child, "Priority"),
        "/cases?sort=priority&dir=asc"
    );
    let desc = analyst.get("/cases?sort=child&dir=desc").await.body;
    assert!(at(&desc, "Cy Example") < at(&desc, "Ada Example"));
    assert!(desc.contains("aria-sort=\"descending\""));
    // An unknown column is the default order.
    let odd = analyst.get("/cases?sort=nonsense&dir=desc").await;
    assert_eq!(odd.status, 200);
    assert!(!odd.body.contains("aria-sort"));
}
