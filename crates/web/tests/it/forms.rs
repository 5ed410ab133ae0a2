//! Forms and confirmations over HTTP, in GOV.UK's patterns: a form sent with problems
//! answers with a summary at the top linking to each field and the message beside the
//! field, keeping what was typed; every action lands on a page whose notification banner
//! says what happened, shown once; closing asks for a reason and keeps it.

use crate::helpers::{audit_table, Client, Res, TestApp, PASSWORD};
use domain::{OrgId, Role};
use service::accounts::Actor;

/// The text of the notification banner on a page, if it has one.
fn banner(body: &str) -> Option<&str> {
    let start = body.find("class=\"notification-banner-heading\">")?;
    let rest = &body[start + "class=\"notification-banner-heading\">".len()..];
    Some(&rest[..rest.find("</p>")?])
}

/// Follows an action's redirect and returns the banner of the page it lands on.
async fn landed(c: &Client, res: &Res) -> (String, Res) {
    assert_eq!(res.status, 303, "{}", res.body);
    let page = c.follow(res).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let text = banner(&page.body)
        .unwrap_or_else(|| panic!("no banner on {:?}: {}", res.location, page.body))
        .to_owned();
    (text, page)
}

fn number(body: &str) -> i64 {
    let i = body.find("id=\"report-number\">").expect("report number") + 19;
    body[i..i + body[i..].find('<').unwrap()].parse().unwrap()
}

async fn tip(app: &TestApp, text: &str) -> i64 {
    let res = app
        .client()
        .post_form(
            "/tip",
            &[
                ("incident_type", "Child Sex Trafficking"),
                ("what_happened", text),
                ("state", "NV"),
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

#[tokio::test]
async fn a_form_with_problems_lists_each_at_the_top_linked_to_its_field() {
    let app = TestApp::spawn().await;
    let visitor = app.client();
    let res = visitor
        .post_form(
            "/tip",
            &[
                ("incident_type", "Child Sex Trafficking"),
                ("what_happened", ""),
                ("child_name", "Jo <Example>"),
                ("child_age", "about fifteen"),
                ("other_email", "not an address"),
                ("website", ""),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    let body = &res.body;
    let summary = body.find("There is a problem").expect("an error summary");
    let form = body.find("<form method=\"post\" action=\"/tip\"").unwrap();
    assert!(summary < form, "the summary is above the form");
    for field in ["what_happened", "child_age", "other_email"] {
        // Listed in the summary, linking to the field…
        assert!(
            body.contains(&format!("<a href=\"#{field}\">")),
            "{field}: {body}"
        );
        // …whose input exists with that id, says it is invalid and is described by the
        // message beside it.
        assert!(body.contains(&format!("id=\"{field}\"")), "{field}");
        assert!(body.contains(&format!("id=\"{field}-error\"")), "{field}");
        assert!(body.contains(&format!("{field}-error\"")), "{field}");
    }
    assert_eq!(body.matches("aria-invalid=\"true\"").count(), 3, "{body}");
    assert!(body.contains("Give the age as a whole number"), "{body}");
    // What was typed is kept, escaped.
    assert!(body.contains("value=\"Jo &#60;Example&#62;\""), "{body}");
    assert!(body.contains("value=\"about fifteen\""), "{body}");

    // The same pattern on a signed-in form: the field the problem is about.
    let admin = app.login(Role::Administrator).await;
    let res = admin
        .post_form(
            "/admin/users",
            &[
                ("org", "Agency B"),
                ("role", "investigator"),
                ("username", "new.person"),
                ("display_name", "New Person"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("There is a problem"), "{}", res.body);
    assert!(res.body.contains("<a href=\"#password\">"), "{}", res.body);
    assert!(res.body.contains("id=\"password-error\""), "{}", res.body);
    assert!(res.body.contains("value=\"new.person\""), "{}", res.body);
}

#[tokio::test]
async fn each_action_on_a_report_lands_on_a_page_saying_what_it_did() {
    let app = TestApp::spawn().await;
    let one = tip(
        &app,
        "A girl at a motel in Reno said she has to give a man her money.",
    )
    .await;
    let two = tip(&app, "Another report from the motel in Reno.").await;
    let agency_b = org_id(&app, "Agency B").await;
    let analyst = app.login(Role::Analyst).await;

    let res = analyst
        .post_form(&format!("/reports/{one}/status"), &[("status", "triaged")])
        .await;
    // No jump to an anchor below the title.
    assert_eq!(
        res.location.as_deref(),
        Some(format!("/reports/{one}").as_str())
    );
    let (text, page) = landed(&analyst, &res).await;
    assert_eq!(text, format!("Report {one} is now “Triaged”."));
    // The banner comes before the page's own title.
    assert!(page.body.find("notification-banner").unwrap() < page.body.find("<h1").unwrap());
    // Shown once: the next visit has none.
    let again = analyst.get(&format!("/reports/{one}")).await;
    assert_eq!(banner(&again.body), None);

    let res = analyst
        .post_form(
            &format!("/reports/{one}/assign"),
            &[("assign_to", "analyst")],
        )
        .await;
    assert_eq!(
        landed(&analyst, &res).await.0,
        format!("Report {one} assigned to analyst.")
    );

    let res = analyst
        .post_form(
            &format!("/reports/{one}/notes"),
            &[("body", "Called the motel.")],
        )
        .await;
    assert_eq!(
        landed(&analyst, &res).await.0,
        format!("Your note was added to report {one}.")
    );

    let res = analyst
        .post_form(
            &format!("/reports/{one}/share"),
            &[("agency", &agency_b.0.to_string())],
        )
        .await;
    assert_eq!(
        landed(&analyst, &res).await.0,
        format!("Report {one} was made available to 1 agency.")
    );

    let res = analyst
        .post_form(
            "/reports/assign",
            &[
                ("ids", &one.to_string()),
                ("ids", &two.to_string()),
                ("assign_to", "supervisor"),
                ("back", "/reports?status=new"),
            ],
        )
        .await;
    assert_eq!(res.location.as_deref(), Some("/reports?status=new"));
    assert_eq!(
        landed(&analyst, &res).await.0,
        "2 reports assigned to supervisor."
    );

    // Closing asks for a reason, refuses none, and keeps it in the audit log.
    let page = analyst.get(&format!("/reports/{two}")).await.body;
    assert!(page.contains("name=\"reason\""), "{page}");
    assert!(
        !page.contains("class=\"danger\">Close"),
        "closing is not a warning"
    );
    let res = analyst
        .post_form(&format!("/reports/{two}/status"), &[("status", "closed")])
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(
        res.body.contains("give the reason for closing"),
        "{}",
        res.body
    );
    let res = analyst
        .post_form(
            &format!("/reports/{two}/status"),
            &[
                ("status", "closed"),
                ("reason", "Duplicate of the first report"),
            ],
        )
        .await;
    assert_eq!(
        landed(&analyst, &res).await.0,
        format!("Report {two} is now “Closed”.")
    );
    let admin = app.login(Role::Administrator).await;
    let audit = admin
        .get(&format!(
            "/admin/audit?kind=report&number={two}&action=report.status"
        ))
        .await
        .body;
    assert!(
        audit_table(&audit).contains("triaged → closed: Duplicate of the first report")
            || audit_table(&audit).contains("new → closed: Duplicate of the first report"),
        "{audit}"
    );
}

#[tokio::test]
async fn each_action_on_a_case_lands_on_a_page_saying_what_it_did() {
    let app = TestApp::spawn().await;
    let cw = app.login(Role::Caseworker).await;
    let yesterday = casework::model::iso(app.services.today() - time::Duration::days(1));
    let fields = [
        ("name", "Rosa Example"),
        ("date_of_birth", "2011-04-02"),
        ("sex", "female"),
        ("description", "5 ft 2 in, brown hair"),
        ("custody", "foster_care"),
        ("agency_name", "Test Child Welfare"),
        ("caseworker_name", "Casey Quillfeather"),
        ("caseworker_phone", "(555) 010-0188"),
        ("child_phones", "(212) 555-0147"),
        ("reported_on", yesterday.as_str()),
        ("last_seen_on", yesterday.as_str()),
        ("last_seen_city", "Tulsa"),
        ("last_seen_state", "OK"),
        ("circumstance", "missing_from_care"),
        ("reported_by", "foster parent"),
        ("narrative", "Left her placement at night."),
    ];
    let res = cw.post_form("/cases", &fields).await;
    let (text, _) = landed(&cw, &res).await;
    assert!(
        text.starts_with("The child was reported missing."),
        "{text}"
    );
    let id: i64 = res
        .location
        .as_deref()
        .unwrap()
        .trim_start_matches("/cases/")
        .parse()
        .unwrap();

    let analyst = app.login(Role::Analyst).await;
    let res = analyst
        .post_form(&format!("/cases/{id}/status"), &[("status", "open")])
        .await;
    assert_eq!(
        res.location.as_deref(),
        Some(format!("/cases/{id}").as_str())
    );
    assert_eq!(landed(&analyst, &res).await.0, "The case is now “Open”.");
    let res = analyst
        .post_form(&format!("/cases/{id}/assign"), &[("assign_to", "analyst")])
        .await;
    assert_eq!(
        landed(&analyst, &res).await.0,
        "The case was assigned to analyst."
    );
    let agency_a = org_id(&app, "Agency A").await;
    let res = analyst
        .post_form(
            &format!("/cases/{id}/share"),
            &[("agency", &agency_a.0.to_string())],
        )
        .await;
    assert_eq!(
        landed(&analyst, &res).await.0,
        "The case was made available to 1 agency."
    );

    // An ad carrying the child's phone raises an alert; dismissing it says so.
    let ad = service::intake::import::AdRecord {
        id: "ad-1".into(),
        site: Some("classifieds.example".into()),
        url: Some("https://classifieds.example/ads/1".into()),
        posted_at: None,
        city: Some("Tulsa".into()),
        state: Some("OK".into()),
        title: "New in town".into(),
        body: "Text 212.555.0147 tonight.".into(),
        image_hashes: vec![],
    };
    app.services
        .import_ads("test", &[("line 1".into(), ad)])
        .await
        .unwrap();
    let detail: serde_json::Value =
        serde_json::from_str(&analyst.get(&format!("/api/v1/cases/{id}")).await.body).unwrap();
    let alert = detail["alerts"][0]["id"].as_i64().expect("an alert");
    let res = analyst
        .post_form(
            &format!("/cases/{id}/alerts/{alert}/dismiss"),
            &[("reason", "The ad is about another person.")],
        )
        .await;
    assert_eq!(
        landed(&analyst, &res).await.0,
        "The alert was dismissed; the reason is kept in the audit log."
    );

    // Closing the case: an ordinary action that asks why.
    let page = analyst.get(&format!("/cases/{id}")).await.body;
    assert!(page.contains("id=\"close-case\""), "{page}");
    let res = analyst
        .post_form(
            &format!("/cases/{id}/status"),
            &[("status", "closed"), ("reason", " ")],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    let res = analyst
        .post_form(
            &format!("/cases/{id}/status"),
            &[
                ("status", "closed"),
                ("reason", "Recovered and safe with her foster family"),
            ],
        )
        .await;
    assert_eq!(landed(&analyst, &res).await.0, "The case is now “Closed”.");
    let admin = app.login(Role::Administrator).await;
    let audit = admin
        .get(&format!(
            "/admin/audit?kind=case&number={id}&action=case.status"
        ))
        .await
        .body;
    assert!(
        audit_table(&audit).contains("open → closed: Recovered and safe with her foster family"),
        "{audit}"
    );
}

#[tokio::test]
async fn account_and_administration_actions_say_what_they_did() {
    let app = TestApp::spawn().await;
    let admin = app.login(Role::Administrator).await;

    let res = admin
        .post_form(
            "/admin/users",
            &[
                ("org", "Agency B"),
                ("role", "investigator"),
                ("username", "new.person"),
                ("display_name", "New Person"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        landed(&admin, &res).await.0,
        "The account new.person was created with the role Law-enforcement investigator."
    );
    // A role the organisation cannot hold is refused beside the role field…
    let res = admin
        .post_form("/admin/users/new.person/role", &[("role", "supervisor")])
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("<a href=\"#role\">"), "{}", res.body);
    assert!(res.body.contains("id=\"role-error\""), "{}", res.body);
    // …and one it can is said in the banner.
    let res = admin
        .post_form("/admin/users/target-user/role", &[("role", "supervisor")])
        .await;
    assert_eq!(
        landed(&admin, &res).await.0,
        "The role of target-user is now Supervisor; they were signed out."
    );
    let res = admin
        .post_form(
            "/admin/users/new.person/password",
            &[("password", "another long passphrase 42")],
        )
        .await;
    assert_eq!(
        landed(&admin, &res).await.0,
        "A new password was set for new.person, who was signed out."
    );
    let res = admin
        .post_form(
            "/admin/organisations",
            &[("name", "Agency C"), ("kind", "law-enforcement")],
        )
        .await;
    assert_eq!(
        landed(&admin, &res).await.0,
        "The organisation Agency C was added."
    );

    // Someone else's flash cookie is not shown: it is bound to the session it was made for.
    let res = admin.post_form("/admin/users/new.person/unlock", &[]).await;
    let cookie = res
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("ch_flash="))
        .expect("a flash cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let other = app.login(Role::Administrator).await;
    let forged = other
        .http
        .get(format!("{}/admin/users", other.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(banner(&forged), None, "{forged}");
    assert_eq!(
        landed(&admin, &res).await.0,
        "The account new.person was unlocked."
    );

    // A user's own API token: revoking it says so.
    let analyst = app.login(Role::Analyst).await;
    let res = analyst
        .post_form("/account/tokens", &[("name", "weekly export")])
        .await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("Your new API token"));
    let page = analyst.get("/account").await.body;
    let i = page.find("/account/tokens/").unwrap() + "/account/tokens/".len();
    let token_id: String = page[i..].chars().take_while(char::is_ascii_digit).collect();
    let res = analyst
        .post_form(&format!("/account/tokens/{token_id}/revoke"), &[])
        .await;
    assert!(landed(&analyst, &res)
        .await
        .0
        .starts_with("The API token was revoked"),);
}

#[tokio::test]
async fn the_audit_log_filters_by_record_action_and_time_in_plain_words() {
    let app = TestApp::spawn().await;
    let one = tip(&app, "A report about a motel.").await;
    let two = tip(&app, "Another report about a motel.").await;
    let analyst = app.login(Role::Analyst).await;
    assert_eq!(analyst.get(&format!("/reports/{one}")).await.status, 200);
    assert_eq!(analyst.get(&format!("/reports/{two}")).await.status, 200);
    let res = analyst
        .post_form(&format!("/reports/{one}/notes"), &[("body", "A note.")])
        .await;
    assert_eq!(res.status, 303);

    let admin = app.login(Role::Administrator).await;
    let all = admin.get("/admin/audit").await;
    assert_eq!(all.status, 200);
    let entries = audit_table(&all.body);
    // Plain words, each record linked to its page, newest first.
    let note = entries
        .find(&format!(
            "<a href=\"/reports/{one}\">Added a note to report {one}</a>"
        ))
        .expect("the note, in words, linked");
    let viewed = entries
        .find(&format!(
            "<a href=\"/reports/{one}\">Viewed report {one}</a>"
        ))
        .expect("the view, in words, linked");
    assert!(note < viewed, "newest first");
    assert!(!entries.contains(">view<") && !entries.contains(">report.note<"));

    // By record: only report one's entries.
    let rec = admin
        .get(&format!("/admin/audit?kind=report&number={one}"))
        .await
        .body;
    let rec = audit_table(&rec);
    assert!(rec.contains(&format!("Viewed report {one}")), "{rec}");
    assert!(!rec.contains(&format!("report {two}<")), "{rec}");
    // By action, exactly or by group.
    let notes = admin.get("/admin/audit?action=report.note").await.body;
    let notes = audit_table(&notes);
    assert!(notes.contains("Added a note"), "{notes}");
    assert!(!notes.contains("Viewed"), "{notes}");
    let reports = admin.get("/admin/audit?action=report.*").await.body;
    let reports = audit_table(&reports);
    assert!(
        reports.contains("Added a note") && reports.contains("Tip received"),
        "{reports}"
    );
    assert!(!reports.contains("Signed in"), "{reports}");
    // By actor and action together.
    let by = admin
        .get("/admin/audit?actor=analyst&action=view")
        .await
        .body;
    assert!(audit_table(&by).contains("Viewed report"), "{by}");
    let by = admin
        .get("/admin/audit?actor=administrator&action=view")
        .await
        .body;
    assert!(!audit_table(&by).contains("Viewed report"), "{by}");
    // By time: today has them, a day long past has none.
    let today = casework::model::iso(app.services.today());
    let on = admin
        .get(&format!("/admin/audit?from={today}&to={today}"))
        .await
        .body;
    assert!(audit_table(&on).contains("Added a note"), "{on}");
    let past = admin
        .get("/admin/audit?from=2001-01-01&to=2001-01-31")
        .await
        .body;
    assert!(past.contains("No entries"), "{past}");
    // A date that is not one is said, not guessed.
    let bad = admin.get("/admin/audit?from=yesterday").await;
    assert_eq!(bad.status, 200);
    assert!(bad.body.contains("There is a problem"), "{}", bad.body);

    // Pages of 100, newest first, with the filter kept.
    for _ in 0..60 {
        assert_eq!(analyst.get(&format!("/reports/{two}")).await.status, 200);
    }
    let first = admin.get("/admin/audit?action=view").await.body;
    let i = first.find("before=").expect("an older page");
    let before: String = first[i + 7..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    assert!(
        first.contains("action=view&amp;before="),
        "the filter is kept"
    );
    let older = admin
        .get(&format!("/admin/audit?action=view&before={before}"))
        .await
        .body;
    assert!(audit_table(&older).contains("Viewed"), "{older}");
    assert!(older.contains("Newest entries"));
}

#[tokio::test]
async fn pages_print_without_the_site_around_them() {
    let app = TestApp::spawn().await;
    let css = app.client().get("/static/app.css").await.body;
    let print = &css[css.find("@media print").expect("a print stylesheet")..];
    for hidden in [".no-print", "form", "button", ".site-nav"] {
        assert!(print.contains(hidden), "{hidden} is hidden in print");
    }
    assert!(print.contains("break-inside: avoid"), "rows are not cut");
    let n = tip(&app, "A report to print.").await;
    let analyst = app.login(Role::Analyst).await;
    let page = analyst.get(&format!("/reports/{n}")).await.body;
    for frame in [
        "<header class=\"site-header no-print\"",
        "<nav class=\"site-nav no-print\"",
        "<footer class=\"site-footer no-print\"",
        "class=\"skip-link no-print\"",
    ] {
        assert!(page.contains(frame), "{frame}: {page}");
    }
    // Paper says what it is and which record.
    assert!(
        page.contains(&format!(
            "<p class=\"print-only print-head\">Clearinghouse · Report {n}"
        )),
        "{page}"
    );
}
