//! Link charts shared with agencies and requests for analytical support (issue 24), over
//! HTTP on either backend: a chart shared with agency A shows A's investigator only the
//! records made available to A, with the right count of those left out, in the page, its
//! exports and the API, and is "not found" (404, not 403) to agency B's investigator; a
//! request for analytical support goes from the investigator to the analysts' queue, is
//! taken, answered with a chart shared to the requester's agency, and the investigator
//! reads the answer and opens the chart; every view and change is in the audit log.

use crate::helpers::{audit_table, Client, TestApp};
use crate::links::{ad_row, import_ads, import_tips, org_id, records_on, share, tip_row};
use domain::Role;
use reqwest::Method;

/// The ids of the charts a list page links to, in order.
fn charts_on(body: &str) -> Vec<i64> {
    let pat = "href=\"/links/shared/";
    let mut out: Vec<i64> = body
        .match_indices(pat)
        .filter_map(|(i, _)| {
            let rest = &body[i + pat.len()..];
            rest[..rest.find(|c: char| !c.is_ascii_digit())?]
                .parse()
                .ok()
        })
        .collect();
    out.dedup();
    out
}

/// Three reports and an ad joined by one phone; the first two made available to Agency A.
async fn three_reports_and_an_ad(app: &TestApp, analyst: &Client) -> (i64, i64, i64) {
    let r = import_tips(
        app,
        vec![
            tip_row("tip-x1", "212-555-0147", "NV"),
            tip_row("tip-x2", "212-555-0147", "CA"),
            tip_row("tip-x3", "212-555-0147", "AZ"),
        ],
    )
    .await;
    import_ads(
        app,
        vec![ad_row("ad-x1", "New in town", "call 212 555 0147", "NV")],
    )
    .await;
    let agency_a = org_id(app, "Agency A").await;
    share(analyst, r[0], agency_a).await;
    share(analyst, r[1], agency_a).await;
    (r[0], r[1], r[2])
}

#[tokio::test]
async fn a_chart_shared_with_agency_a_shows_what_a_may_see_and_is_not_found_for_agency_b() {
    let app = TestApp::spawn().await;
    let analyst = app.login(Role::Analyst).await;
    let (r1, r2, r3) = three_reports_and_an_ad(&app, &analyst).await;
    let agency_a = org_id(&app, "Agency A").await;

    // The analyst's cluster page offers the agencies; sharing names one.
    let page = analyst.get(&format!("/links/cluster/report/{r1}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Share this chart with an agency"));
    assert!(page.body.contains("Agency B"), "{}", page.body);
    let res = analyst
        .post_form(
            &format!("/links/cluster/report/{r1}/share"),
            &[
                ("agency", &agency_a.to_string()),
                ("title", "Motel phone <ring>"),
                ("note", "Start with the Reno reports."),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    // Not to a provider or to nobody.
    let provider = org_id(&app, "Test Provider").await;
    let refused = analyst
        .post_form(
            &format!("/links/cluster/report/{r1}/share"),
            &[("agency", &provider.to_string())],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let list = analyst.get("/links/shared").await;
    let charts = charts_on(&list.body);
    assert_eq!(charts.len(), 1, "{}", list.body);
    let chart = charts[0];
    assert!(
        list.body.contains("Motel phone &#60;ring&#62;"),
        "{}",
        list.body
    );
    // The cluster page lists it.
    let page = analyst.get(&format!("/links/cluster/report/{r1}")).await;
    assert!(
        page.body
            .contains(&format!("href=\"/links/shared/{chart}\"")),
        "{}",
        page.body
    );
    // The analyst sees all four records of it.
    let whole = analyst.get(&format!("/links/shared/{chart}")).await;
    assert_eq!(whole.status, 200, "{}", whole.body);
    let mut seen = records_on(&whole.body, "report");
    seen.sort_unstable();
    assert_eq!(seen, vec![r1, r2, r3], "{}", whole.body);
    assert!(!whole.body.contains("chart-omitted"), "{}", whole.body);

    // Agency A's investigator: listed, on the dashboard's area, and only what A may see.
    let inv_a = app.login(Role::Investigator).await;
    let dash = inv_a.get("/").await;
    assert!(
        dash.body
            .contains("Link charts made available to your agency"),
        "{}",
        dash.body
    );
    assert!(
        dash.body.contains("href=\"/links/shared\""),
        "{}",
        dash.body
    );
    let list = inv_a.get("/links/shared").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(charts_on(&list.body), vec![chart], "{}", list.body);
    let page = inv_a.get(&format!("/links/shared/{chart}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let mut seen = records_on(&page.body, "report");
    seen.sort_unstable();
    assert_eq!(seen, vec![r1.min(r2), r1.max(r2)], "{}", page.body);
    assert!(records_on(&page.body, "ad").is_empty(), "{}", page.body);
    assert!(
        !page.body.contains(&format!("Report #{r3} ")),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("2 records of this chart were not made available to your agency"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Shared with Agency A by analyst on "),
        "{}",
        page.body
    );
    assert!(page.body.contains("Start with the Reno reports."));
    // Its exports hold the same.
    let csv = inv_a.get(&format!("/links/shared/{chart}.csv")).await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(csv.body.as_bytes())
        .records()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(rows.len(), 1, "{}", csv.body);
    let ids: Vec<i64> = vec![rows[0][1].parse().unwrap(), rows[0][6].parse().unwrap()];
    assert!(ids.contains(&r1) && ids.contains(&r2), "{}", csv.body);
    let graphml = inv_a.get(&format!("/links/shared/{chart}.graphml")).await;
    assert_eq!(graphml.status, 200);
    assert!(graphml.body.contains(&format!("\"report-{r1}\"")));
    assert!(!graphml.body.contains(&format!("\"report-{r3}\"")));
    assert!(!graphml.body.contains("\"ad-"), "{}", graphml.body);
    // And the API.
    let api = inv_a
        .send_json(Method::GET, &format!("/api/v1/charts/{chart}"), None, None)
        .await;
    assert_eq!(api.status, 200, "{}", api.body);
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(v["omitted"], 2);
    assert_eq!(v["records"].as_array().unwrap().len(), 2, "{v}");
    assert_eq!(v["chart"]["agency"], "Agency A");
    assert_eq!(v["chart"]["size"], 4);
    assert!(
        v["chart"]["shared_at"].as_str().unwrap().ends_with('Z'),
        "{v}"
    );
    let list = inv_a
        .send_json(Method::GET, "/api/v1/charts", None, None)
        .await;
    let v: serde_json::Value = serde_json::from_str(&list.body).unwrap();
    assert_eq!(v["total"], 1, "{v}");

    // Agency B's investigator: nothing, and "not found", never "forbidden".
    let inv_b = app.login_investigator_b().await;
    let list = inv_b.get("/links/shared").await;
    assert_eq!(list.status, 200);
    assert!(charts_on(&list.body).is_empty(), "{}", list.body);
    assert!(list.body.contains("charts-empty"), "{}", list.body);
    assert!(!list.body.contains("Motel phone"));
    for path in [
        format!("/links/shared/{chart}"),
        format!("/links/shared/{chart}.csv"),
        format!("/links/shared/{chart}.graphml"),
        format!("/links/shared/{}", chart + 1),
    ] {
        let res = inv_b.get(&path).await;
        assert_eq!(res.status, 404, "{path}: {}", res.body);
        assert!(!res.body.contains("Motel phone"), "{path}");
    }
    let api = inv_b
        .send_json(Method::GET, &format!("/api/v1/charts/{chart}"), None, None)
        .await;
    assert_eq!(api.status, 404, "{}", api.body);
    assert!(api.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/problem+json"));
    let v: serde_json::Value = serde_json::from_str(
        &inv_b
            .send_json(Method::GET, "/api/v1/charts", None, None)
            .await
            .body,
    )
    .unwrap();
    assert_eq!(v["total"], 0, "{v}");
    // Investigators cannot share charts.
    let res = inv_a
        .post_form(
            &format!("/links/cluster/report/{r1}/share"),
            &[("agency", &agency_a.to_string())],
        )
        .await;
    assert_eq!(res.status, 403);

    // Every share, view and export is in the audit log, under who did it.
    let admin = app.login(Role::Administrator).await;
    let audit = admin
        .get(&format!("/admin/audit?kind=chart&number={chart}"))
        .await;
    let table = audit_table(&audit.body);
    assert!(
        table.contains(&format!(
            "Made shared link chart {chart} available to law enforcement"
        )),
        "{}",
        audit.body
    );
    assert!(
        table.contains(&format!("Viewed shared link chart {chart}")),
        "{table}"
    );
    assert!(
        table.contains(&format!("Exported shared link chart {chart} as CSV")),
        "{table}"
    );
    assert!(
        table.contains(&format!("Exported shared link chart {chart} as GraphML")),
        "{table}"
    );
    assert!(table.contains("investigator"), "{table}");
}

#[tokio::test]
async fn a_support_request_goes_from_the_investigator_to_the_analysts_and_back_with_a_chart() {
    let app = TestApp::spawn().await;
    let analyst = app.login(Role::Analyst).await;
    let (r1, r2, r3) = three_reports_and_an_ad(&app, &analyst).await;
    let inv = app.login(Role::Investigator).await;

    // The form, and every problem named by its field with the summary.
    let form = inv.get("/support/new").await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("Immediate: a child is at risk now"));
    let bad = inv
        .post_form("/support", &[("need", "  "), ("urgency", "soon")])
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("There is a problem"), "{}", bad.body);
    assert!(bad.body.contains("href=\"#need\""), "{}", bad.body);
    assert!(bad.body.contains("href=\"#urgency\""), "{}", bad.body);

    // A routine request, then an immediate one: the queue reads the immediate one first.
    let res = inv
        .post_form(
            "/support",
            &[
                ("need", "Routine background on a handle."),
                ("identifiers", "@quietfox"),
                ("urgency", "routine"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let res = inv
        .post_form(
            "/support",
            &[
                (
                    "need",
                    "Who else uses this phone? A girl may be moved tonight.",
                ),
                ("identifiers", "212-555-0147\nsam@example.org\n212-555-0147"),
                ("urgency", "immediate"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let location = res.location.clone().unwrap();
    let id: i64 = location.trim_start_matches("/support/").parse().unwrap();
    let mine = inv.follow(&res).await;
    assert!(
        mine.body.contains("was sent to the hotline"),
        "{}",
        mine.body
    );
    assert!(mine.body.contains("Not answered yet."));
    assert!(mine.body.contains("<code>sam@example.org</code>"));

    // The analysts' queue: the immediate request first.
    let queue = analyst.get("/support").await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    let first = queue.body.find(&format!("/support/{id}\"")).unwrap();
    let routine = queue.body.find("Routine background").unwrap();
    assert!(first < routine, "{}", queue.body);
    assert!(queue.body.contains("Agency A"));
    // Filtered by status: none answered yet.
    let answered = analyst.get("/support?status=answered").await;
    assert!(answered.body.contains("support-empty"), "{}", answered.body);
    assert_eq!(analyst.get("/support?status=nonsense").await.status, 422);

    // Another agency's investigator does not see it.
    let inv_b = app.login_investigator_b().await;
    assert_eq!(inv_b.get(&format!("/support/{id}")).await.status, 404);
    let theirs = inv_b.get("/support").await;
    assert!(theirs.body.contains("support-empty"), "{}", theirs.body);
    // Investigators do not work the queue.
    assert_eq!(
        inv.post_form(&format!("/support/{id}/assign"), &[])
            .await
            .status,
        403
    );

    // The analyst takes it and answers with the cluster of the first report.
    let res = analyst
        .post_form(&format!("/support/{id}/assign"), &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = analyst.follow(&res).await;
    assert!(page.body.contains("In progress"), "{}", page.body);
    let bad = analyst
        .post_form(
            &format!("/support/{id}/answer"),
            &[("answer", ""), ("chart_record", "person 4")],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("href=\"#answer\""), "{}", bad.body);
    assert!(bad.body.contains("href=\"#chart_record\""), "{}", bad.body);
    let res = analyst
        .post_form(
            &format!("/support/{id}/answer"),
            &[
                (
                    "answer",
                    "The phone is in three reports and an ad; the chart holds those made available to you.",
                ),
                ("chart_record", &format!("Report #{r1}")),
                ("chart_title", "Phone 212-555-0147"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = analyst.follow(&res).await;
    assert!(
        page.body.contains("was made available to the requester"),
        "{}",
        page.body
    );

    // The investigator reads the answer and opens the chart.
    let mine = inv.get(&format!("/support/{id}")).await;
    assert!(mine.body.contains("Answered"), "{}", mine.body);
    assert!(mine.body.contains("The phone is in three reports"));
    let pat = "href=\"/links/shared/";
    let i = mine.body.find(pat).expect("a link to the chart") + pat.len();
    let chart: i64 = mine.body[i..i + mine.body[i..].find('"').unwrap()]
        .parse()
        .unwrap();
    let page = inv.get(&format!("/links/shared/{chart}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Phone 212-555-0147"));
    let mut seen = records_on(&page.body, "report");
    seen.sort_unstable();
    assert_eq!(seen, vec![r1.min(r2), r1.max(r2)], "{}", page.body);
    assert!(!page.body.contains(&format!("Report #{r3} ")));
    assert!(page
        .body
        .contains("2 records of this chart were not made available to your agency"));
    // Agency B: not theirs.
    assert_eq!(
        inv_b.get(&format!("/links/shared/{chart}")).await.status,
        404
    );

    // The same through the API: the investigator's list and one request, RFC 3339 times.
    let list = inv
        .send_json(Method::GET, "/api/v1/support-requests", None, None)
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    let v: serde_json::Value = serde_json::from_str(&list.body).unwrap();
    assert_eq!(v["total"], 2, "{v}");
    assert_eq!(v["requests"][0]["id"], id, "the immediate one first: {v}");
    assert_eq!(v["requests"][0]["status"], "answered");
    assert_eq!(v["requests"][0]["answer_chart_id"], chart);
    assert_eq!(
        v["requests"][0]["identifiers"],
        serde_json::json!(["212-555-0147", "sam@example.org"])
    );
    assert!(v["requests"][0]["answered_at"]
        .as_str()
        .unwrap()
        .ends_with('Z'));
    // A request made and answered through the API.
    let made = inv
        .send_json(
            Method::POST,
            "/api/v1/support-requests",
            Some(serde_json::json!({
                "need": "Ads from this template?",
                "identifiers": ["https://ads.example/ad-x1"],
                "urgency": "urgent",
            })),
            None,
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let new_id = serde_json::from_str::<serde_json::Value>(&made.body).unwrap()["id"]
        .as_i64()
        .unwrap();
    let refused = inv
        .send_json(
            Method::POST,
            "/api/v1/support-requests",
            Some(serde_json::json!({ "need": "", "urgency": "later" })),
            None,
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("\"field\":\"urgency\""),
        "{}",
        refused.body
    );
    let answered = analyst
        .send_json(
            Method::POST,
            &format!("/api/v1/support-requests/{new_id}/answer"),
            Some(serde_json::json!({
                "answer": "See the chart.",
                "chart": { "kind": "report", "id": r2 },
            })),
            None,
        )
        .await;
    assert_eq!(answered.status, 200, "{}", answered.body);
    let v: serde_json::Value = serde_json::from_str(&answered.body).unwrap();
    assert_eq!(v["status"], "answered");
    let second = v["answer_chart_id"].as_i64().expect("a chart");
    // Its default title names no record (the agency may not see the one it starts from).
    let c = inv
        .send_json(Method::GET, &format!("/api/v1/charts/{second}"), None, None)
        .await;
    let c: serde_json::Value = serde_json::from_str(&c.body).unwrap();
    assert_eq!(c["chart"]["title"], "Link chart of 4 records", "{c}");
    assert_eq!(c["omitted"], 2, "{c}");
    assert_eq!(
        inv_b
            .send_json(
                Method::GET,
                &format!("/api/v1/support-requests/{new_id}"),
                None,
                None
            )
            .await
            .status,
        404
    );

    // Closed: out of the default queue, in the closed filter.
    let res = analyst
        .post_form(&format!("/support/{id}/close"), &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let queue = analyst.get("/support").await;
    assert!(!queue.body.contains(&format!("/support/{id}\"")));
    let closed = analyst.get("/support?status=closed").await;
    assert!(closed.body.contains(&format!("/support/{id}\"")));

    // Audited: asked, taken, answered (with its chart), closed, viewed.
    let admin = app.login(Role::Administrator).await;
    let audit = admin
        .get(&format!("/admin/audit?kind=support_request&number={id}"))
        .await;
    let table = audit_table(&audit.body);
    for words in [
        "Asked for analytical support",
        "Took request for analytical support",
        "Answered request for analytical support",
        "Closed request for analytical support",
        "Viewed request for analytical support",
    ] {
        assert!(table.contains(words), "{words}: {}", audit.body);
    }
    let audit = admin.get("/admin/audit?action=chart.share").await;
    assert!(
        audit_table(&audit.body).contains(&format!("Made shared link chart {chart} available")),
        "{}",
        audit.body
    );
}

#[tokio::test]
async fn the_support_queue_starts_empty_and_is_paged_fifty_at_a_time() {
    let app = TestApp::spawn().await;
    let analyst = app.login(Role::Analyst).await;
    let empty = analyst.get("/support").await;
    assert_eq!(empty.status, 200, "{}", empty.body);
    assert!(empty.body.contains("support-empty"), "{}", empty.body);
    // Only investigators ask: analysts are not offered the form.
    assert!(!empty.body.contains("href=\"/support/new\""));
    assert_eq!(analyst.get("/support/new").await.status, 403);

    let inv = app.login(Role::Investigator).await;
    assert!(inv
        .get("/support")
        .await
        .body
        .contains("href=\"/support/new\""));
    for i in 0..51 {
        let urgency = if i == 50 { "urgent" } else { "routine" };
        let res = inv
            .post_form(
                "/support",
                &[
                    ("need", &format!("Request number {i}.")),
                    ("urgency", urgency),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
    }
    let first = analyst.get("/support?status=open").await;
    assert!(
        first.body.contains("51 requests, page 1 of 2"),
        "{}",
        first.body
    );
    assert_eq!(
        first.body.matches("<tr><td><a href=\"/support/").count(),
        50
    );
    // The urgent one, sent last, is read first.
    let urgent = first.body.find("Request number 50.").unwrap();
    let oldest = first.body.find("Request number 0.").unwrap();
    assert!(urgent < oldest, "{}", first.body);
    assert!(
        first
            .body
            .contains("href=\"/support?status=open&#38;page=2\""),
        "{}",
        first.body
    );
    let second = analyst.get("/support?status=open&page=2").await;
    assert_eq!(
        second.body.matches("<tr><td><a href=\"/support/").count(),
        1
    );
    assert!(
        second.body.contains("Request number 49."),
        "{}",
        second.body
    );
}

#[tokio::test]
async fn a_chart_none_of_whose_records_were_made_available_says_so_and_shows_none() {
    let app = TestApp::spawn().await;
    let r = import_tips(
        &app,
        vec![
            tip_row("tip-h1", "212-555-0199", "TX"),
            tip_row("tip-h2", "212-555-0199", "TX"),
        ],
    )
    .await;
    let agency_a = org_id(&app, "Agency A").await;
    let analyst = app.login(Role::Analyst).await;
    let res = analyst
        .post_form(
            &format!("/links/cluster/report/{}/share", r[0]),
            &[("agency", &agency_a.to_string())],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let chart = charts_on(&analyst.get("/links/shared").await.body)[0];
    let inv = app.login(Role::Investigator).await;
    let page = inv.get(&format!("/links/shared/{chart}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("Link chart of 2 records"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("2 records of this chart were not made available to your agency"),
        "{}",
        page.body
    );
    assert!(page.body.contains("No records of this chart to show"));
    assert!(records_on(&page.body, "report").is_empty(), "{}", page.body);
    assert!(!page.body.contains("Report #"), "{}", page.body);
    let csv = inv.get(&format!("/links/shared/{chart}.csv")).await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.body.lines().count(), 1, "only the header: {}", csv.body);
}

/// A case made available to the agency is part of its chart like a report: the chart shows
/// the child's case beside the agency's reports and counts only what was not made
/// available (the third report and the ad) as left out.
#[tokio::test]
async fn a_case_made_available_to_the_agency_is_shown_in_its_chart() {
    let app = TestApp::spawn().await;
    let analyst = app.login(Role::Analyst).await;
    let (r1, _r2, _r3) = three_reports_and_an_ad(&app, &analyst).await;
    let agency_a = org_id(&app, "Agency A").await;
    let cw = app.login(Role::Caseworker).await;
    let today = casework::model::iso(app.services.today());
    let created = cw
        .send_json(
            Method::POST,
            "/api/v1/cases",
            Some(serde_json::json!({
                "child": {"name": "Wren Example", "age": 15, "sex": "female", "custody": "foster_care",
                          "agency_name": "Test Child Welfare", "caseworker_name": "Casey",
                          "phones": ["212-555-0147"]},
                "episode": {"reported_on": today, "last_seen_city": "Reno", "last_seen_state": "NV",
                            "circumstance": "endangered_runaway", "reported_by": "foster parent"}
            })),
            None,
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let case: i64 = serde_json::from_str::<serde_json::Value>(&created.body).unwrap()["id"]
        .as_i64()
        .unwrap();
    app.run_pending_jobs().await;

    let res = analyst
        .post_form(
            &format!("/links/cluster/report/{r1}/share"),
            &[
                ("agency", &agency_a.to_string()),
                ("title", "Phone and case"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let chart = charts_on(&analyst.get("/links/shared").await.body)[0];
    let whole = analyst.get(&format!("/links/shared/{chart}")).await;
    assert_eq!(
        records_on(&whole.body, "case"),
        vec![case],
        "{}",
        whole.body
    );

    let inv_a = app.login(Role::Investigator).await;
    let before = inv_a.get(&format!("/links/shared/{chart}")).await;
    assert!(
        records_on(&before.body, "case").is_empty(),
        "{}",
        before.body
    );
    assert!(
        before
            .body
            .contains("3 records of this chart were not made available to your agency"),
        "{}",
        before.body
    );

    let res = analyst
        .post_form(
            &format!("/cases/{case}/share"),
            &[("agency", &agency_a.to_string())],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let after = inv_a.get(&format!("/links/shared/{chart}")).await;
    assert_eq!(
        records_on(&after.body, "case"),
        vec![case],
        "{}",
        after.body
    );
    assert!(
        after
            .body
            .contains("2 records of this chart were not made available to your agency"),
        "{}",
        after.body
    );
    let api = inv_a
        .send_json(Method::GET, &format!("/api/v1/charts/{chart}"), None, None)
        .await;
    let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(v["omitted"], 2, "{v}");
    assert_eq!(v["records"].as_array().unwrap().len(), 3, "{v}");
}
