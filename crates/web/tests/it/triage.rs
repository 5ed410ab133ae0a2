//! Triage over HTTP: priority with its reasons (a provider's escalation is immediate, one
//! weak indicator is never high), the queue's order and filters, the audited workflow
//! (status, bulk assignment, notes), making a report available to one agency only, and
//! the indicator catalogue's audited editing.

use crate::helpers::{TestApp, PASSWORD};
use domain::{OrgId, Role};
use service::accounts::{Actor, NewAccount};

fn number(body: &str) -> i64 {
    let i = body.find("id=\"report-number\">").expect("report number") + 19;
    body[i..i + body[i..].find('<').unwrap()].parse().unwrap()
}

/// Files a public tip and returns its report number.
async fn tip(app: &TestApp, incident_type: &str, text: &str, state: &str) -> i64 {
    let res = app
        .client()
        .post_form(
            "/tip",
            &[
                ("incident_type", incident_type),
                ("what_happened", text),
                ("incident_date", "2026-11-20"),
                ("state", state),
                ("country", "US"),
                ("anonymous", "on"),
                ("website", ""),
            ],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    number(&res.body)
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

/// The priority label the report page shows in its heading.
fn priority_on_page(body: &str) -> &str {
    const AT: &str = "<h2 id=\"why-h\">Priority: ";
    let i = body.find(AT).expect("priority heading") + AT.len();
    let end = body[i..].find(' ').unwrap();
    &body[i..i + end]
}

#[tokio::test]
async fn an_investigator_sees_only_what_was_made_available_to_their_agency() {
    let app = TestApp::spawn().await;
    let agency_b = org_id(&app, "Agency B").await;
    app.services
        .set_agency_jurisdiction(&Actor::Operator, agency_b, "NV, az", None)
        .await
        .unwrap();
    app.services
        .create_user(
            &Actor::Operator,
            NewAccount {
                org_name: "Agency B",
                username: "investigator-b",
                display_name: "Investigator B",
                role: Role::Investigator,
                password: PASSWORD,
            },
            None,
        )
        .await
        .unwrap();
    let id = tip(
        &app,
        "Child Sex Trafficking",
        "A girl at a motel in Reno said she has to give a man all her money.",
        "NV",
    )
    .await;

    let analyst = app.login(Role::Analyst).await;
    let page = analyst.get(&format!("/reports/{id}")).await;
    assert_eq!(page.status, 200);
    // The agency covering the report's state is offered first, marked as in jurisdiction.
    let b = page.body.find("Agency B").expect("agency B offered");
    let a = page.body.find("Agency A").expect("agency A offered");
    assert!(b < a, "the agency of the jurisdiction comes first");
    let res = analyst
        .post_form(
            &format!("/reports/{id}/share"),
            &[("agency", &agency_b.0.to_string())],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);

    let a_inv = app.login(Role::Investigator).await;
    let leads = a_inv.get("/leads").await;
    assert_eq!(leads.status, 200);
    assert!(!leads.body.contains(&format!("/leads/{id}\"")));
    assert!(leads.body.contains("No leads yet"));
    assert_eq!(a_inv.get(&format!("/leads/{id}")).await.status, 404);
    assert_eq!(a_inv.get(&format!("/reports/{id}")).await.status, 403);

    let b_inv = app.client();
    assert_eq!(b_inv.login("investigator-b", PASSWORD).await.status, 303);
    let leads = b_inv.get("/leads").await;
    assert!(
        leads.body.contains(&format!("/leads/{id}\"")),
        "{}",
        leads.body
    );
    let lead = b_inv.get(&format!("/leads/{id}")).await;
    assert_eq!(lead.status, 200);
    assert!(lead.body.contains("a motel in Reno"));
    // The hotline's controls are not on an investigator's page.
    assert!(!lead.body.contains("/reports/"));
    assert!(
        !lead.body.contains("id=\"note\""),
        "the hotline's own notes are not shown"
    );

    // The status moved, and who shared with whom is in the audit log.
    let page = analyst.get(&format!("/reports/{id}")).await;
    assert!(page
        .body
        .contains("Made available to <strong>Agency B</strong>"));
    let admin = app.login(Role::Administrator).await;
    let audit = admin.get("/admin/audit").await;
    assert!(
        crate::helpers::audit_table(&audit.body).contains("available to law enforcement"),
        "{}",
        audit.body
    );
}

#[tokio::test]
async fn a_providers_escalation_makes_a_report_immediate_with_its_reason() {
    let app = TestApp::spawn().await;
    let xml = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../cybertip/tests/fixtures/report_full.xml"
    ))
    .unwrap();
    let http = reqwest::Client::new();
    let res = http
        .post(format!("{}/ispws/submit", app.base))
        .basic_auth("provider-api", Some(PASSWORD))
        .header("content-type", "text/xml")
        .body(xml)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let i = res.find("<reportId>").expect(&res) + 10;
    let id: i64 = res[i..i + res[i..].find('<').unwrap()].parse().unwrap();
    let res = http
        .post(format!("{}/ispws/finish", app.base))
        .basic_auth("provider-api", Some(PASSWORD))
        .form(&[("id", id.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let analyst = app.login(Role::Analyst).await;
    let page = analyst.get(&format!("/reports/{id}")).await;
    assert_eq!(priority_on_page(&page.body), "Immediate", "{}", page.body);
    assert!(
        page.body.to_lowercase().contains("escalat"),
        "the reason names the escalation"
    );
    // First in the queue.
    let queue = analyst.get("/reports").await;
    let first = queue.body.find("href=\"/reports/").unwrap();
    assert!(queue.body[first..].starts_with(&format!("href=\"/reports/{id}\"")));
    let immediate = analyst.get("/reports?priority=immediate").await;
    assert!(immediate.body.contains(&format!("href=\"/reports/{id}\"")));
}

#[tokio::test]
async fn one_weak_indicator_alone_is_not_high() {
    let app = TestApp::spawn().await;
    let catalogue = app.services.engine.current().catalogue().clone();
    // The heaviest indicator found by a phrase alone, short of imminent danger: if even
    // that one stays below high, every lighter one does.
    let (indicator, phrase) = catalogue
        .indicators
        .iter()
        .filter(|i| i.category != ::triage::Category::ImminentDanger)
        .filter_map(|i| {
            i.detect.iter().find_map(|d| match d {
                ::triage::catalogue::Detect::Phrase { any } => {
                    any.first().map(|p| (i.clone(), p.clone()))
                }
                _ => None,
            })
        })
        .max_by(|a, b| a.0.weight.total_cmp(&b.0.weight))
        .expect("a phrase indicator");
    let id = tip(
        &app,
        "Misleading Words or Digital Images on the Internet",
        &format!("Someone posted this: {phrase}."),
        "OH",
    )
    .await;
    let analyst = app.login(Role::Analyst).await;
    let page = analyst.get(&format!("/reports/{id}")).await;
    assert!(
        page.body
            .contains(&format!("/indicators#ind-{}\"", indicator.id)),
        "{} was found",
        indicator.id
    );
    let p = priority_on_page(&page.body);
    assert!(
        p == "Normal" || p == "Low",
        "{} alone made it {p}",
        indicator.id
    );
}

#[tokio::test]
async fn the_workflow_moves_are_checked_and_audited() {
    let app = TestApp::spawn().await;
    let one = tip(
        &app,
        "Child Sex Trafficking",
        "first report zebrafinch",
        "OH",
    )
    .await;
    let two = tip(
        &app,
        "Child Sex Trafficking",
        "second report zebrafinch",
        "OH",
    )
    .await;
    let analyst = app.login(Role::Analyst).await;

    // A move the workflow does not allow is refused with what to do instead.
    let res = analyst
        .post_form(
            &format!("/reports/{one}/status"),
            &[("status", "made_available")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(
        res.body.contains("Make available to law enforcement"),
        "{}",
        res.body
    );

    for s in ["triaged", "in_review"] {
        let res = analyst
            .post_form(&format!("/reports/{one}/status"), &[("status", s)])
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
    }
    let in_review = analyst.get("/reports?status=in_review&q=zebrafinch").await;
    assert!(in_review.body.contains(&format!("href=\"/reports/{one}\"")));
    assert!(!in_review.body.contains(&format!("href=\"/reports/{two}\"")));

    // Bulk assignment from the queue's check boxes.
    let res = analyst
        .post_form(
            "/reports/assign",
            &[
                ("ids", &one.to_string()),
                ("ids", &two.to_string()),
                ("assign_to", "supervisor"),
                ("back", "/reports?q=zebrafinch"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let mine = analyst.get("/reports?assignee=supervisor").await;
    assert!(mine.body.contains(&format!("href=\"/reports/{one}\"")));
    assert!(mine.body.contains(&format!("href=\"/reports/{two}\"")));
    let res = analyst
        .post_form(
            "/reports/assign",
            &[("ids", &one.to_string()), ("assign_to", "nobody-such")],
        )
        .await;
    assert_eq!(res.status, 422);

    let res = analyst
        .post_form(
            &format!("/reports/{one}/notes"),
            &[("body", "Called the reporter back <script>alert(1)</script>")],
        )
        .await;
    assert_eq!(res.status, 303);
    let page = analyst.get(&format!("/reports/{one}")).await;
    let notes = &page.body[page.body.find("id=\"notes\"").unwrap()..];
    assert!(
        notes.contains("Called the reporter back &#60;script&#62;"),
        "{notes}"
    );

    let admin = app.login(Role::Administrator).await;
    let audit = admin.get("/admin/audit").await.body;
    let entries = crate::helpers::audit_table(&audit);
    for action in [
        "Changed the status of report",
        "Assigned report",
        "Added a note to report",
    ] {
        assert!(entries.contains(action), "{action} is audited: {audit}");
    }
}

#[tokio::test]
async fn administrators_edit_the_catalogue_and_recomputing_applies_it() {
    let app = TestApp::spawn().await;
    let id = tip(
        &app,
        "Child Sex Trafficking",
        "Nothing special about it: kestrelmoss.",
        "OH",
    )
    .await;
    let analyst = app.login(Role::Analyst).await;
    let before = analyst.get(&format!("/reports/{id}")).await;
    let was = priority_on_page(&before.body).to_owned();
    assert_ne!(was, "Immediate", "{}", before.body);
    assert_eq!(analyst.get("/indicators").await.status, 200);
    assert_eq!(analyst.get("/admin/indicators").await.status, 403);

    let admin = app.login(Role::Administrator).await;
    let edit = admin.get("/admin/indicators").await;
    assert_eq!(edit.status, 200);
    let mut body = app.services.engine.current().catalogue().to_toml();

    // A broken catalogue is refused with the reason, and nothing changes.
    let res = admin
        .post_form(
            "/admin/indicators",
            &[
                ("body", "version = 1\n[[indicator]]\nid = \"Bad Id\"\n"),
                ("comment", "test"),
            ],
        )
        .await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("was not saved"), "{}", res.body);

    // An imminent-danger phrase that this report carries: immediate after recomputing.
    body.push_str(
        "\n[[indicator]]\nid = \"test_kestrelmoss\"\ntext = \"Test phrase\"\ncategory = \"imminent_danger\"\nsource = \"test\"\nweight = 5.0\ndetect = [{ kind = \"phrase\", any = [\"kestrelmoss\"] }]\n",
    );
    let res = admin
        .post_form(
            "/admin/indicators",
            &[("body", &body), ("comment", "add a test phrase")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let saved = admin.follow(&res).await;
    assert!(saved.body.contains("Saved as version 2"), "{}", saved.body);
    let stale = analyst.get(&format!("/reports/{id}")).await;
    assert_eq!(priority_on_page(&stale.body), was);
    assert!(stale.body.contains("triage recompute"));

    let n = app.services.recompute_priorities(|_, _| {}).await.unwrap();
    assert!(n >= 1);
    let after = analyst.get(&format!("/reports/{id}")).await;
    assert_eq!(priority_on_page(&after.body), "Immediate");
    let audit = admin.get("/admin/audit").await.body;
    let entries = crate::helpers::audit_table(&audit);
    assert!(
        entries.contains("Saved version 2 of the indicator catalogue"),
        "{audit}"
    );
    assert!(entries.contains("add a test phrase"));
}

/// An imported tip received at `submitted_at`.
fn tip_received(n: usize, submitted_at: &str) -> (String, domain::tip::TipRecord) {
    let tip = serde_json::from_value(serde_json::json!({
        "id": format!("tip-queue-{n}"), "submitted_at": submitted_at,
        "incident_type": "Child Sex Trafficking", "when": "2017-12-30", "state": "NV", "country": "US",
        "narrative": format!("Queue tip {n}: seen at a motel."),
        "people": []
    }))
    .unwrap();
    (format!("line {n}"), tip)
}

/// Where `needle` first is in `hay`, or a failure naming it.
fn at(hay: &str, needle: &str) -> usize {
    hay.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is not on the page"))
}

#[tokio::test]
async fn the_queue_sorts_by_column_says_why_its_order_and_waits_read_in_words() {
    let app = TestApp::spawn().await;
    let tips = vec![
        tip_received(1, "2018-01-02T10:00:00Z"),
        tip_received(2, "2024-06-01T10:00:00Z"),
        tip_received(3, "2021-03-01T10:00:00Z"),
    ];
    let (counts, errors) = app.services.import_tips("test", &tips).await.unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(counts.added, 3);
    let analyst = app.login(Role::Analyst).await;
    let list = analyst.get("/reports").await.body;
    // Only the priority, and the page says why a lower score may come first.
    assert!(!list.contains("title=\"score\""), "{list}");
    assert!(list.contains("id=\"queue-order\""));
    assert!(list.contains("A priority comes from rules, not from adding up the score"));
    assert!(list.contains("aria-sort=\"ascending\"><a class=\"sort\" href=\"/reports?"));
    // Waits in words, never "2690 d".
    assert!(list.contains(" years</td>"), "{list}");
    assert!(!list.contains(" d</td>"));
    // Select-all is there for JavaScript to reveal; the rows' boxes work without it.
    assert!(list.contains("id=\"select-all\" data-select-all=\"ids\""));
    assert!(list.contains(" hidden></th>"));

    let longest = analyst.get("/reports?sort=waiting&dir=desc").await.body;
    assert!(at(&longest, "Queue tip 1") < at(&longest, "Queue tip 3"));
    assert!(at(&longest, "Queue tip 3") < at(&longest, "Queue tip 2"));
    assert!(longest.contains("aria-sort=\"descending\"><a class=\"sort\" href=\"/reports?"));
    assert_eq!(
        crate::cases::sort_link(&longest, "Waiting"),
        "/reports?sort=waiting&dir=asc"
    );
    // Paging keeps the order; the bulk form comes back to it.
    assert!(longest.contains("name=\"back\" value=\"/reports?"));
    assert!(
        longest
            .replace("&#38;", "&")
            .replace("&amp;", "&")
            .contains("sort=waiting&dir=desc&page=1\""),
        "{longest}"
    );
    let shortest = analyst.get("/reports?sort=waiting&dir=asc").await.body;
    assert!(at(&shortest, "Queue tip 2") < at(&shortest, "Queue tip 1"));
    let by_number = analyst.get("/reports?sort=report&dir=desc").await.body;
    assert!(at(&by_number, "Queue tip 3") < at(&by_number, "Queue tip 1"));
    assert_eq!(
        analyst.get("/reports?sort=x%27;--&dir=up").await.status,
        200
    );
}

#[tokio::test]
async fn select_all_in_chromium_assigns_every_report_on_the_page() {
    use fantoccini::Locator;
    let app = TestApp::spawn().await;
    let tips: Vec<_> = (1..=4)
        .map(|n| tip_received(n, "2025-01-02T10:00:00Z"))
        .collect();
    app.services.import_tips("test", &tips).await.unwrap();
    let b = crate::browser::Browser::start().await;
    let c = &b.client;
    b.sign_in(&app.base, "analyst").await;
    c.goto(&format!("{}/reports", app.base)).await.unwrap();
    b.wait_text("#queue caption", "4 reports").await;
    c.find(Locator::Css("#select-all"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let checked = c
        .execute(
            "return Array.from(document.querySelectorAll('input[name=ids]')).map(e => e.checked);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(checked, serde_json::json!([true, true, true, true]));
    c.find(Locator::Css("#assign_to"))
        .await
        .unwrap()
        .select_by_value("analyst")
        .await
        .unwrap();
    c.find(Locator::Css("#bulk button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_text("#queue", "analyst").await;
    b.stop().await;
    let analyst = app.login(Role::Analyst).await;
    let mine = analyst.get("/reports?assignee=me").await.body;
    assert!(mine.contains("4 reports matching the filters"), "{mine}");
}
