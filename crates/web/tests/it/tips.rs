//! The public tip form over HTTP: a tip needs no account, is stored as a finished report
//! the analysts see, and names the field to fix; the honeypot, the rate limit and CSRF
//! refuse what they should with a message a person can act on.

use crate::helpers::TestApp;
use domain::Role;

fn number(body: &str) -> i64 {
    let i = body.find("id=\"report-number\">").expect("report number") + 19;
    body[i..i + body[i..].find('<').unwrap()].parse().unwrap()
}

#[tokio::test]
async fn an_anonymous_tip_reaches_the_analysts_and_says_what_happens_next() {
    let app = TestApp::spawn().await;
    let visitor = app.client();
    let page = visitor.get("/tip").await;
    assert_eq!(page.status, 200);
    let first_alert = page.body.find("call 911").unwrap();
    assert!(
        first_alert
            < page
                .body
                .find("<form method=\"post\" action=\"/tip\"")
                .unwrap()
    );
    // The schema's incident types, in plain words.
    assert!(page.body.contains("Child sex trafficking"));
    assert!(page.body.contains("value=\"Child Sex Trafficking\""));

    let res = visitor
        .post_form(
            "/tip",
            &[
                ("incident_type", "Child Sex Trafficking"),
                (
                    "what_happened",
                    "A teen at the truck stop said a man keeps her phone. quartzfinch",
                ),
                ("incident_date", "2026-11-20"),
                ("state", "OH"),
                ("country", "US"),
                ("child_name", "Jo Example"),
                ("child_age", "15"),
                ("other_phone", "555-0100"),
                ("urls", "https://ads.example/1"),
                ("anonymous", "on"),
                ("website", ""),
            ],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.body.contains("What happens next"));
    let n = number(&res.body);

    let analyst = app.login(Role::Analyst).await;
    let list = analyst.get("/reports?q=quartzfinch").await;
    assert!(
        list.body.contains(&format!("href=\"/reports/{n}\"")),
        "{}",
        list.body
    );
    assert!(
        list.body.contains("Public tip form") || list.body.contains("Public"),
        "{}",
        list.body
    );
    let detail = analyst.get(&format!("/reports/{n}")).await;
    assert_eq!(detail.status, 200);
    assert!(detail.body.contains("Jo"));
    assert!(detail.body.contains("555-0100"));
    // Exportable for forwarding like any report.
    let xml = analyst.get(&format!("/reports/{n}/export.xml")).await;
    assert!(xml
        .body
        .contains("<incidentType>Child Sex Trafficking</incidentType>"));
}

#[tokio::test]
async fn a_bad_field_is_named_and_what_was_typed_is_kept() {
    let app = TestApp::spawn().await;
    let visitor = app.client();
    let res = visitor
        .post_form(
            "/tip",
            &[
                ("incident_type", "Child Sex Trafficking"),
                ("what_happened", "Something I saw <b>today</b>"),
                ("child_age", "about fifteen"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(
        res.body
            .contains("Child&#39;s age: give the age as a whole number")
            || res.body.contains("Child&#x27;s age: give the age"),
        "{}",
        res.body
    );
    // Kept, and escaped.
    assert!(
        res.body
            .contains("Something I saw &#60;b&#62;today&#60;/b&#62;"),
        "{}",
        res.body
    );

    let res = visitor
        .post_form(
            "/tip",
            &[("incident_type", "Nonsense"), ("what_happened", "x")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res
        .body
        .contains("What is this about: choose one of the listed kinds"));
}

#[tokio::test]
async fn the_honeypot_rate_limit_and_csrf_refuse_clearly() {
    let app = TestApp::spawn().await;
    let visitor = app.client();
    let tip = [
        (
            "incident_type",
            "Online Enticement of Children for Sexual Acts",
        ),
        ("what_happened", "An adult asked a child to meet."),
    ];

    let mut bot = tip.to_vec();
    bot.push(("website", "http://spam.example"));
    let res = visitor.post_form("/tip", &bot).await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("automated tool"), "{}", res.body);

    let res = visitor.post_form_raw("/tip", &tip).await;
    assert_eq!(res.status, 403);

    for i in 0..10 {
        let res = visitor.post_form("/tip", &tip).await;
        assert_eq!(res.status, 200, "tip {i}: {}", res.body);
    }
    let res = visitor.post_form("/tip", &tip).await;
    assert_eq!(res.status, 429);
    assert!(res.body.contains("try again later"), "{}", res.body);

    // Ten reached the analysts; the refused ones did not.
    let analyst = app.login(Role::Analyst).await;
    let list = analyst.get("/reports").await;
    assert!(list.body.contains("10 reports"), "{}", list.body);
}

/// Issue 25, finding 10: a tip refused for its content was not sent, so it does not use
/// up the address's ten an hour; someone correcting a form is not locked out of reporting.
#[tokio::test]
async fn tips_refused_for_their_content_do_not_count_toward_the_limit() {
    let app = TestApp::spawn().await;
    let visitor = app.client();
    let bad = [("incident_type", "Nonsense"), ("what_happened", "x")];
    for i in 0..12 {
        let res = visitor.post_form("/tip", &bad).await;
        assert_eq!(res.status, 422, "refused tip {i}: {}", res.body);
    }
    let tip = [
        (
            "incident_type",
            "Online Enticement of Children for Sexual Acts",
        ),
        ("what_happened", "An adult asked a child to meet."),
    ];
    for i in 0..10 {
        let res = visitor.post_form("/tip", &tip).await;
        assert_eq!(res.status, 200, "tip {i}: {}", res.body);
    }
    assert_eq!(visitor.post_form("/tip", &tip).await.status, 429);
}

/// The text nodes of an XML document, unescaped and trimmed, with their element names.
fn text_nodes(xml: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        let tag_end = open + rest[open..].find('>').expect("tag closed");
        let tag = &rest[open + 1..tag_end];
        rest = &rest[tag_end + 1..];
        let text = &rest[..rest.find('<').unwrap_or(rest.len())];
        let text = text
            .trim()
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&");
        if !text.is_empty() && !tag.starts_with('/') && !tag.starts_with('?') {
            let name = tag.split_whitespace().next().unwrap_or_default().to_owned();
            out.push((name, text));
        }
    }
    out
}

/// Values the schema fixes rather than anyone's words: codes, dates, booleans, numbers.
fn schema_fixed(element: &str, text: &str) -> bool {
    let date_like = text
        .chars()
        .all(|c| c.is_ascii_digit() || "-:TZ+.".contains(c));
    matches!(text, "true" | "false")
        || text.chars().all(|c| c.is_ascii_digit())
        || (element.ends_with("DateTime") && date_like)
        || (element == "incidentType" && text == "Child Sex Trafficking")
        || (element == "state" && text.len() == 2 && text.chars().all(|c| c.is_ascii_uppercase()))
        || (element == "country" && text.len() == 2 && text.chars().all(|c| c.is_ascii_uppercase()))
}

#[tokio::test]
async fn a_tips_export_carries_only_what_the_reporter_entered() {
    let app = TestApp::spawn().await;
    let visitor = app.client();
    let entered: &[(&str, &str)] = &[
        ("incident_type", "Child Sex Trafficking"),
        (
            "what_happened",
            "A teen at the diner said a man keeps her ID. <marbleowl> & co",
        ),
        ("incident_date", "2026-11-20"),
        ("incident_time", "21:30"),
        ("city", "Dayton"),
        ("state", "OH"),
        ("country", "US"),
        ("child_name", "Jo Example"),
        ("child_age", "15"),
        ("child_screen_names", "jo_sky\njo_sea"),
        ("child_description", "Red jacket, short hair"),
        ("other_name", "Sam Other"),
        ("other_phone", "555-0100"),
        ("other_email", "sam@example.org"),
        ("other_description", "Drives a grey van"),
        ("urls", "https://ads.example/1"),
        ("reporter_name", "Pat Reporter"),
        ("reporter_phone", "555-0199"),
        ("reporter_email", "pat@example.org"),
        ("website", ""),
    ];
    let res = visitor.post_form("/tip", entered).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let n = number(&res.body);

    let analyst = app.login(Role::Analyst).await;
    let xml = analyst.get(&format!("/reports/{n}/export.xml")).await;
    assert_eq!(xml.status, 200);
    let nodes = text_nodes(&xml.body);
    assert!(nodes.len() > 10, "{}", xml.body);
    for (element, text) in &nodes {
        let typed = entered.iter().any(|(_, v)| {
            v.lines()
                .any(|l| l.trim() == text || l.split(' ').any(|w| w == text))
        });
        assert!(
            typed || schema_fixed(element, text),
            "<{element}>{text}</…> is in the export but the reporter did not enter it:\n{}",
            xml.body
        );
    }
    // What the person typed is all there, escaped and whole.
    assert!(nodes.iter().any(|(_, t)| t.contains("<marbleowl> & co")));
    assert!(nodes.iter().any(|(e, t)| e == "city" && t == "Dayton"));

    // The page explains where the place came from, in the page and not in the data.
    let page = analyst.get(&format!("/reports/{n}")).await;
    assert!(page.body.contains("id=\"tip-form-note\""));
    assert!(!page
        .body
        .contains("Where it happened, as given by the reporter"));
    assert!(page
        .body
        .contains("The reporter gave the date and the time."));

    // Without a date, and with a date but no time: the schema's date and time are filled
    // in, and the page, not the export, says which part is the reporter's.
    let cases: [(&[(&str, &str)], &str); 2] = [
        (
            &[],
            "The reporter did not say when: the date and time shown are when the tip was received.",
        ),
        (
            &[("incident_date", "2026-11-21")],
            "The reporter gave a date but no time: the time shown (midnight) is not theirs.",
        ),
    ];
    for (when, explained) in cases {
        let mut fields: Vec<(&str, &str)> = vec![
            ("incident_type", "Child Sex Trafficking"),
            (
                "what_happened",
                "A girl at the motel asked for help. <cobaltwren>",
            ),
            ("website", ""),
        ];
        fields.extend_from_slice(when);
        let res = visitor.post_form("/tip", &fields).await;
        assert_eq!(res.status, 200, "{}", res.body);
        let n = number(&res.body);
        let xml = analyst.get(&format!("/reports/{n}/export.xml")).await;
        assert_eq!(xml.status, 200);
        assert!(
            !xml.body.contains("incidentDateTimeDescription"),
            "{}",
            xml.body
        );
        for (element, text) in text_nodes(&xml.body) {
            let typed = fields.iter().any(|(_, v)| {
                v.lines()
                    .any(|l| l.trim() == text || l.split(' ').any(|w| w == text))
            });
            assert!(
                typed || schema_fixed(&element, &text),
                "<{element}>{text}</…> is in the export but the reporter did not enter it:\n{}",
                xml.body
            );
        }
        let page = analyst.get(&format!("/reports/{n}")).await;
        assert!(page.body.contains(explained), "{}", page.body);
        assert!(!page.body.contains("by the reporter"), "{}", page.body);
    }
}

/// A tip sent as JSON, with no cookie, no CSRF token and no account (a partner's app).
async fn post_tip_json(app: &TestApp, path: &str, body: serde_json::Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}{path}", app.base))
        .json(&body)
        .send()
        .await
        .expect("request")
}

/// Issue 24: tips in the JSON API. A tip sent without an account is stored like one typed
/// into the form (the analysts see it, with its incident type in the CyberTipline export),
/// its receipt's secret is given once, and the tipster adds to it later with number and
/// secret; a wrong secret reads as a problem on `number`, never as "no such report".
#[tokio::test]
async fn an_app_sends_a_tip_and_a_follow_up_as_json() {
    let app = TestApp::spawn().await;
    let res = post_tip_json(
        &app,
        "/api/v1/tips",
        serde_json::json!({
            "incident_type": "Child Sex Trafficking",
            "what_happened": "A girl at the bus station said a man holds her phone. lanternmoth",
            "incident_date": "2026-11-28",
            "state": "OH",
            "child": {"name": "Jo Example", "age": 15, "screen_names": ["jo.example", "jo_ex"]},
            "other_person": {"phone": "555-0117"},
            "urls": ["https://ads.example/77"]
        }),
    )
    .await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let receipt: serde_json::Value = res.json().await.unwrap();
    let n = receipt["number"].as_i64().expect("number");
    let secret = receipt["secret"].as_str().expect("secret").to_owned();
    assert_eq!(receipt["follow_up"], "/api/v1/tips/follow-up");
    app.run_pending_jobs().await;

    let analyst = app.login(Role::Analyst).await;
    let list = analyst.get("/reports?q=lanternmoth").await;
    assert!(
        list.body.contains(&format!("href=\"/reports/{n}\"")),
        "{}",
        list.body
    );
    let detail = analyst.get(&format!("/reports/{n}")).await;
    assert!(detail.body.contains("555-0117"), "{}", detail.body);
    assert!(detail.body.contains("jo_ex"), "{}", detail.body);
    let xml = analyst.get(&format!("/reports/{n}/export.xml")).await;
    assert!(xml
        .body
        .contains("<incidentType>Child Sex Trafficking</incidentType>"));
    // Anonymous: no reporter was given, so none is exported.
    assert!(
        !xml.body.contains("<reportingPerson><firstName>"),
        "{}",
        xml.body
    );

    let wrong = post_tip_json(
        &app,
        "/api/v1/tips/follow-up",
        serde_json::json!({"number": n.to_string(), "secret": "aaaa-bbbb-cccc-dddd-eeee-ffff-gg", "text": "more"}),
    )
    .await;
    assert_eq!(wrong.status(), 422);
    assert_eq!(wrong.headers()["content-type"], "application/problem+json");
    let problem: serde_json::Value = wrong.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "number", "{problem}");

    let added = post_tip_json(
        &app,
        "/api/v1/tips/follow-up",
        serde_json::json!({"number": n.to_string(), "secret": secret, "text": "He drives a grey van. copperwren"}),
    )
    .await;
    assert_eq!(added.status(), 200);
    let added: serde_json::Value = added.json().await.unwrap();
    assert_eq!(added["number"], n);
    app.run_pending_jobs().await;
    let found = analyst.get("/reports?q=copperwren").await;
    assert!(
        found.body.contains(&format!("href=\"/reports/{n}\"")),
        "{}",
        found.body
    );
}

/// A refused tip names the JSON member to fix; CSRF still holds for a form post and for a
/// signed-in browser; and the API shares the form's limit per address.
#[tokio::test]
async fn a_json_tip_names_the_member_to_fix_and_shares_the_forms_limit() {
    let app = TestApp::spawn().await;
    let res = post_tip_json(
        &app,
        "/api/v1/tips",
        serde_json::json!({"incident_type": "Nonsense", "what_happened": "x", "child": {"age": 300}}),
    )
    .await;
    assert_eq!(res.status(), 422);
    let problem: serde_json::Value = res.json().await.unwrap();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"incident_type"), "{problem}");
    assert!(fields.contains(&"child.age"), "{problem}");

    let missing = post_tip_json(
        &app,
        "/api/v1/tips",
        serde_json::json!({"what_happened": "x"}),
    )
    .await;
    assert_eq!(missing.status(), 422);
    let problem: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "incident_type", "{problem}");

    // Only JSON goes without a token: a form posted from another site is refused.
    let form = reqwest::Client::new()
        .post(format!("{}/api/v1/tips", app.base))
        .form(&[
            ("incident_type", "Child Sex Trafficking"),
            ("what_happened", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 403);
    // A signed-in session carries authority, so its JSON still needs the token.
    let analyst = app.login(Role::Analyst).await;
    let res = analyst
        .http
        .post(format!("{}/api/v1/tips", app.base))
        .json(&serde_json::json!({"incident_type": "Child Sex Trafficking", "what_happened": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    let tip = serde_json::json!({
        "incident_type": "Online Enticement of Children for Sexual Acts",
        "what_happened": "An adult asked a child to meet."
    });
    for i in 0..10 {
        let res = post_tip_json(&app, "/api/v1/tips", tip.clone()).await;
        assert_eq!(res.status(), 201, "tip {i}");
    }
    let res = post_tip_json(&app, "/api/v1/tips", tip.clone()).await;
    assert_eq!(res.status(), 429);
    // The form shares the limit.
    let visitor = app.client();
    let res = visitor
        .post_form(
            "/tip",
            &[
                ("incident_type", "Child Sex Trafficking"),
                ("what_happened", "x"),
            ],
        )
        .await;
    assert_eq!(res.status, 429);
}
