//! Intake (issue 24) over HTTP: a call to the hotline recorded by staff becomes a report
//! like a tip (its incident type, who took it, assessed and linked alike, audited, and a
//! missing child carried on to the case form); a provider's people see their own
//! organisation's submissions and nobody else's; a tipster adds to their tip with its
//! number and secret, and a wrong one of the two is refused without saying which.

use crate::helpers::{TestApp, PASSWORD};
use domain::{OrgKind, Role};
use service::accounts::{Actor, NewAccount};

const CALL_TYPE: &str = "Online Enticement of Children for Sexual Acts";

/// A call as an analyst types it: the caller stayed anonymous but left a callback number.
fn call_fields(word: &str) -> Vec<(&str, &str)> {
    vec![
        ("incident_type", CALL_TYPE),
        ("what_happened", word),
        ("state", "OH"),
        ("country", "US"),
        ("child_name", "Rae Example"),
        ("child_age", "14"),
        (
            "child_description",
            "Green backpack, last seen near the library",
        ),
        ("other_screen_names", "caller_reported_handle"),
        ("anonymous", "on"),
        ("reporter_name", "not kept: anonymous"),
        ("callback_number", "555-0199"),
    ]
}

fn report_id(location: &str) -> i64 {
    location
        .trim_start_matches("/reports/")
        .parse()
        .unwrap_or_else(|_| panic!("not a report's address: {location}"))
}

#[tokio::test]
async fn a_hotline_call_becomes_a_report_with_its_incident_type_and_who_took_it() {
    let app = TestApp::spawn().await;
    let analyst = app.login(Role::Analyst).await;
    let form = analyst.get("/calls/new").await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("Record a call to the hotline"));
    assert!(form.body.contains(&format!("value=\"{CALL_TYPE}\"")));
    // The menu offers it to those who take calls.
    assert!(form.body.contains("href=\"/calls/new\""));

    let word =
        "The caller saw a girl of about 14 asked to meet a man she chatted with. velvetquarry";
    let res = analyst.post_form("/calls", &call_fields(word)).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let id = report_id(res.location.as_deref().unwrap());
    let page = analyst.follow(&res).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains(&format!("The call was recorded as report {id}.")),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("Hotline call, taken by Hotline analyst (analyst)"),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("An adult contacting a child online for sexual purposes"));
    assert!(page.body.contains("Rae"));
    assert!(page.body.contains("555-0199"));
    assert!(!page.body.contains("not kept: anonymous"));

    // The right incident type in the schema's words, for forwarding like any report.
    let xml = analyst.get(&format!("/reports/{id}/export.xml")).await;
    assert!(
        xml.body
            .contains(&format!("<incidentType>{CALL_TYPE}</incidentType>")),
        "{}",
        xml.body
    );
    // In the queue with the tips, said to be a call.
    let list = analyst.get("/reports?q=velvetquarry").await;
    assert!(list.body.contains(&format!("href=\"/reports/{id}\"")));
    assert!(list.body.contains("Hotline call"), "{}", list.body);
    // Linked by the same job as a tip.
    assert!(app.run_pending_jobs().await >= 1);

    // Audited, under the analyst's name.
    let admin = app.login(Role::Administrator).await;
    let audit = admin.get("/admin/audit?action=report.call").await;
    let table = crate::helpers::audit_table(&audit.body);
    assert!(
        table.contains("Recorded a call to the hotline"),
        "{}",
        audit.body
    );
    assert!(table.contains("analyst"), "{table}");

    // Every problem named by its field; what was typed is kept.
    let long_number = "9".repeat(60);
    let mut bad = call_fields("");
    bad.retain(|(k, _)| !matches!(*k, "what_happened" | "callback_number"));
    bad.push(("callback_number", &long_number));
    let res = analyst.post_form("/calls", &bad).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("There is a problem"));
    assert!(res.body.contains("href=\"#what_happened\""), "{}", res.body);
    assert!(
        res.body.contains("href=\"#callback_number\""),
        "{}",
        res.body
    );
    assert!(res.body.contains("Rae Example"));

    // Only the staff who take intake.
    for role in [Role::Investigator, Role::Caseworker, Role::ProviderApi] {
        let c = app.login(role).await;
        assert_eq!(c.get("/calls/new").await.status, 403, "{role}");
        let res = c.post_form("/calls", &call_fields("x")).await;
        assert_eq!(res.status, 403, "{role}");
    }
    assert!(app.client().get("/calls/new").await.redirects_to_login());
}

#[tokio::test]
async fn a_call_reporting_a_missing_child_goes_on_to_the_case_form_filled_in() {
    let app = TestApp::spawn().await;
    let analyst = app.login(Role::Analyst).await;
    let mut fields = call_fields("Her aunt called: Rae did not come home from school.");
    fields.push(("missing_child", "on"));
    fields.push(("city", "Dayton"));
    let res = analyst.post_form("/calls", &fields).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let to = res.location.clone().unwrap();
    assert!(to.starts_with("/cases/new?call="), "{to}");
    let id: i64 = to.trim_start_matches("/cases/new?call=").parse().unwrap();
    let form = analyst.follow(&res).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form
        .body
        .contains(&format!("The call was recorded as report {id}.")));
    assert!(form.body.contains("value=\"Rae Example\""), "{}", form.body);
    assert!(form.body.contains("value=\"14\""));
    assert!(form.body.contains("Dayton"));
    assert!(form.body.contains(&format!(
        "A caller to the hotline who did not give a name (report {id})"
    )));
    assert!(form.body.contains("caller_reported_handle") || form.body.contains("Green backpack"));
    // Only a call fills the form in: a tip's number is not found there.
    let tip = app
        .client()
        .post_form(
            "/tip",
            &[
                ("incident_type", "Child Sex Trafficking"),
                ("what_happened", "A tip, not a call."),
                ("anonymous", "on"),
            ],
        )
        .await;
    assert_eq!(tip.status, 200);
    let n = number(&tip.body);
    assert_eq!(
        analyst.get(&format!("/cases/new?call={n}")).await.status,
        404
    );
}

/// A provider API account of another provider organisation.
async fn other_provider(app: &TestApp) -> String {
    app.services
        .create_org(&Actor::Operator, "Other Provider", OrgKind::Provider, None)
        .await
        .unwrap();
    app.services
        .create_user(
            &Actor::Operator,
            NewAccount {
                org_name: "Other Provider",
                username: "other-provider",
                display_name: "Other Provider's API",
                role: Role::ProviderApi,
                password: PASSWORD,
            },
            None,
        )
        .await
        .unwrap();
    "other-provider".into()
}

fn fixture() -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../cybertip/tests/fixtures/report_minimal.xml"),
    )
    .unwrap()
}

/// Submits through the provider API with HTTP Basic, as a provider's system does; returns
/// the report id.
async fn submit(app: &TestApp, user: &str) -> i64 {
    let body = reqwest::Client::new()
        .post(format!("{}/ispws/submit", app.base))
        .basic_auth(user, Some(PASSWORD))
        .header("content-type", "text/xml; charset=utf-8")
        .body(fixture())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let i = body.find("<reportId>").expect(&body) + "<reportId>".len();
    body[i..i + body[i..].find('<').unwrap()].parse().unwrap()
}

async fn provider_action(app: &TestApp, user: &str, action: &str, id: i64) {
    let body = reqwest::Client::new()
        .post(format!("{}/ispws/{action}", app.base))
        .basic_auth(user, Some(PASSWORD))
        .form(&[("id", id.to_string())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("<responseCode>0</responseCode>"), "{body}");
}

#[tokio::test]
async fn a_provider_sees_only_its_own_submissions() {
    let app = TestApp::spawn().await;
    let other = other_provider(&app).await;
    let mine = app.login(Role::ProviderApi).await;

    // Nothing yet: the page says so and how reports get here.
    let empty = mine.get("/submissions").await;
    assert_eq!(empty.status, 200, "{}", empty.body);
    assert!(
        empty.body.contains("id=\"submissions-empty\""),
        "{}",
        empty.body
    );
    assert!(
        empty.body.contains("href=\"/submissions\""),
        "offered in the menu"
    );

    let finished = submit(&app, "provider-api").await;
    provider_action(&app, "provider-api", "finish", finished).await;
    let retracted = submit(&app, "provider-api").await;
    provider_action(&app, "provider-api", "retract", retracted).await;
    let open = submit(&app, "provider-api").await;
    let theirs = submit(&app, &other).await;
    provider_action(&app, &other, "finish", theirs).await;

    let page = mine.get("/submissions").await;
    assert_eq!(page.status, 200);
    for id in [finished, retracted, open] {
        assert!(
            page.body.contains(&format!(">#{id}<")),
            "{id}: {}",
            page.body
        );
    }
    assert!(
        !page.body.contains(&format!(">#{theirs}<")),
        "{}",
        page.body
    );
    assert!(page.body.contains("Finished: received by the hotline"));
    assert!(page.body.contains("Retracted"));
    assert!(page.body.contains("Open: not finished yet"));
    assert!(page.body.contains("3 reports"), "{}", page.body);

    // The JSON twin, with RFC 3339 times, scoped alike.
    let api = mine.get("/api/v1/submissions").await;
    assert_eq!(api.status, 200, "{}", api.body);
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    let ids: Vec<i64> = v["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [open, retracted, finished]);
    assert_eq!(v["total"], 3);
    let first_finished = v["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == finished)
        .unwrap();
    assert_eq!(first_finished["status"], "finished");
    assert!(first_finished["finished_at"]
        .as_str()
        .unwrap()
        .ends_with('Z'));
    assert!(first_finished["retracted_at"].is_null());

    // The other provider sees only its own.
    let c = app.client();
    assert_eq!(c.login(&other, PASSWORD).await.status, 303);
    let page = c.get("/submissions").await;
    assert!(page.body.contains(&format!(">#{theirs}<")));
    for id in [finished, retracted, open] {
        assert!(!page.body.contains(&format!(">#{id}<")), "{id}");
    }

    // Nobody else reaches it.
    for role in Role::ALL.into_iter().filter(|r| *r != Role::ProviderApi) {
        let c = app.login(role).await;
        let res = c.get("/submissions").await;
        assert_eq!(res.status, 403, "{role}");
        assert!(!res.body.contains(&format!("#{finished}")), "{role}");
        let api = c.get("/api/v1/submissions").await;
        assert_eq!(api.status, 403, "{role}");
    }
    assert!(app.client().get("/submissions").await.redirects_to_login());
    assert_eq!(app.client().get("/api/v1/submissions").await.status, 401);
    // And the OpenAPI document describes it.
    let doc = app.client().get("/api/v1/openapi.json").await;
    assert!(doc.body.contains("/api/v1/submissions"));
}

fn number(body: &str) -> i64 {
    let i = body.find("id=\"report-number\">").expect("report number") + 19;
    body[i..i + body[i..].find('<').unwrap()].parse().unwrap()
}

fn secret(body: &str) -> String {
    let i = body.find("id=\"followup-secret\">").expect("secret") + "id=\"followup-secret\">".len();
    body[i..i + body[i..].find('<').unwrap()].to_owned()
}

/// The error summary of a page, for comparing two refusals.
fn summary(body: &str) -> &str {
    let Some(i) = body.find("class=\"error-summary\"") else {
        return "";
    };
    &body[i..i + body[i..].find("</div>").unwrap_or(0)]
}

#[tokio::test]
async fn a_tipster_adds_to_their_tip_with_its_number_and_secret() {
    let app = TestApp::spawn().await;
    let visitor = app.client();
    let res = visitor
        .post_form(
            "/tip",
            &[
                ("incident_type", "Child Sex Trafficking"),
                (
                    "what_happened",
                    "A girl at the bus station looked scared. amberwharf",
                ),
                ("anonymous", "on"),
                ("website", ""),
            ],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let n = number(&res.body);
    let secret = secret(&res.body);
    assert_eq!(secret.len(), 32, "{secret}");
    assert_eq!(
        res.headers.get("cache-control").unwrap(),
        "no-store",
        "the secret is shown once"
    );
    assert!(res.body.contains("href=\"/tip/follow-up\""));
    app.run_pending_jobs().await;

    let page = visitor.get("/tip/follow-up").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Add information to your report"));

    // The right number and secret (typed in capitals, with spaces): attached.
    let typed = secret.to_uppercase().replace('-', " ");
    let text = "He drives a white van and calls her from 555-0142. <script>alert('x')</script>";
    let res = visitor
        .post_form(
            "/tip/follow-up",
            &[
                ("number", &n.to_string()),
                ("secret", &typed),
                ("text", text),
            ],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.body.contains("Your information was added"));
    // Linked again with what came later.
    assert!(app.run_pending_jobs().await >= 1);

    let analyst = app.login(Role::Analyst).await;
    let report = analyst.get(&format!("/reports/{n}")).await;
    assert_eq!(report.status, 200);
    assert!(report.body.contains("Added later by the tipster"));
    assert!(report.body.contains("Follow-up 1 from the tipster"));
    assert!(report.body.contains("He drives a white van"));
    assert!(report.body.contains("&lt;script&gt;"), "escaped");
    assert!(!report.body.contains("<script>alert"), "never run");
    // The queue's search finds the report by words of the follow-up.
    let found = analyst.get("/reports?q=white+van").await;
    assert!(
        found.body.contains(&format!("href=\"/reports/{n}\"")),
        "{}",
        found.body
    );

    // A wrong secret and a wrong number read exactly alike.
    let wrong_secret = visitor
        .post_form(
            "/tip/follow-up",
            &[
                ("number", &n.to_string()),
                ("secret", "aaaa-bbbb-cccc-dddd-eeee-ffff-gg"),
                ("text", "more"),
            ],
        )
        .await;
    let wrong_number = visitor
        .post_form(
            "/tip/follow-up",
            &[
                ("number", &(n + 1000).to_string()),
                ("secret", &secret),
                ("text", "more"),
            ],
        )
        .await;
    assert_eq!(wrong_secret.status, 422);
    assert_eq!(wrong_number.status, 422);
    assert!(summary(&wrong_secret.body).contains("do not match"));
    assert_eq!(summary(&wrong_secret.body), summary(&wrong_number.body));
    assert!(!wrong_secret.body.to_lowercase().contains("wrong secret"));
    // The secret typed is never shown back.
    assert!(!wrong_number.body.contains(&secret));

    // Nothing typed: each empty field is named (that says nothing about any report).
    let res = visitor
        .post_form(
            "/tip/follow-up",
            &[("number", ""), ("secret", ""), ("text", "")],
        )
        .await;
    assert_eq!(res.status, 422);
    for field in ["number", "secret", "text"] {
        assert!(
            res.body.contains(&format!("href=\"#{field}\"")),
            "{field}: {}",
            res.body
        );
    }

    // Too long: said, with the limit.
    let long = "x".repeat(10_001);
    let res = visitor
        .post_form(
            "/tip/follow-up",
            &[
                ("number", &n.to_string()),
                ("secret", &secret),
                ("text", &long),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(
        res.body.contains("longer than 10000 characters"),
        "{}",
        res.body
    );

    // Audited without the tipster's address.
    let admin = app.login(Role::Administrator).await;
    let audit = admin.get("/admin/audit?action=report.followup").await;
    let table = crate::helpers::audit_table(&audit.body);
    assert!(
        table.contains("The tipster added a follow-up"),
        "{}",
        audit.body
    );
    assert!(!table.contains("127.0.0.1"), "{table}");

    // Still only one follow-up on the report: the refused ones left nothing.
    let report = analyst.get(&format!("/reports/{n}")).await;
    assert!(!report.body.contains("Follow-up 2 from the tipster"));

    // Attempts count toward the tip limit (ten an hour from one address): one tip and five
    // follow-ups so far, so the fifth attempt from here on is refused.
    let mut refused = None;
    for i in 0..8 {
        let res = visitor
            .post_form(
                "/tip/follow-up",
                &[("number", "1"), ("secret", "nope"), ("text", "more")],
            )
            .await;
        if res.status == 429 {
            refused = Some(i);
            break;
        }
    }
    assert_eq!(refused, Some(4));
}

/// In a real browser: an analyst opens "Record a call" from the menu, fills in the form,
/// records the call and sees the confirmation on the report it became.
#[tokio::test]
async fn an_analyst_records_a_hotline_call_in_the_browser() {
    use fantoccini::Locator;
    let app = TestApp::spawn().await;
    let b = crate::browser::Browser::start().await;
    let c = &b.client;
    b.sign_in(&app.base, "analyst").await;
    c.find(Locator::Css("nav[aria-label=Main] a[href='/calls/new']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_text("main h1", "Record a call to the hotline").await;
    c.find(Locator::Css("#anonymous"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.fill("#callback_number", "555-0177").await;
    c.find(Locator::Css("#incident_type"))
        .await
        .unwrap()
        .select_by_value(CALL_TYPE)
        .await
        .unwrap();
    b.fill(
        "#what_happened",
        "A neighbour heard a 15-year-old being told to meet a man from a game. copperlark",
    )
    .await;
    b.fill("#child_age", "15").await;
    c.find(Locator::Css("#state"))
        .await
        .unwrap()
        .select_by_value("KY")
        .await
        .unwrap();
    c.find(Locator::Css("#record-call"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let banner = b.wait_text("main", "The call was recorded as report").await;
    assert!(
        banner.contains("Hotline call, taken by Hotline analyst"),
        "{banner}"
    );
    assert!(banner.contains("copperlark"), "{banner}");
    assert!(
        banner.contains("An adult contacting a child online for sexual purposes"),
        "{banner}"
    );
    assert!(c
        .current_url()
        .await
        .unwrap()
        .path()
        .starts_with("/reports/"));
    b.stop().await;
}
