//! Link analysis over HTTP: an imported ad carrying a report's phone is linked to it with
//! the phone as the reason; a hub phone shared by 500 unrelated records links none of
//! them (and links made before it became one are removed); an investigator's cluster
//! holds only reports made available to their agency and never reaches past a record
//! they may not see; the same child in a case and a tip, and ads from one template, are
//! linked; exports parse; views are audited.

use crate::helpers::{Client, TestApp};
use domain::tip::TipRecord;
use domain::Role;
use service::intake::import::AdRecord;
use std::time::Duration;

const PHONE: &str = "+12125550147";

pub(crate) fn tip_row(id: &str, other_phone: &str, state: &str) -> TipRecord {
    serde_json::from_value(serde_json::json!({
        "id": id,
        "submitted_at": "2026-03-01T10:00:00Z",
        "incident_type": "Child Sex Trafficking",
        "when": "2026-02-27",
        "state": state,
        "country": "US",
        "narrative": "A girl at a motel was with an older man.",
        "people": [{"role": "adult", "phone": other_phone}],
    }))
    .unwrap()
}

pub(crate) fn ad_row(id: &str, title: &str, body: &str, state: &str) -> AdRecord {
    serde_json::from_value(serde_json::json!({
        "id": id,
        "site": "ads.example",
        "url": format!("https://ads.example/{id}"),
        "posted_at": "2026-03-02T08:00:00Z",
        "city": "Reno",
        "state": state,
        "title": title,
        "body": body,
    }))
    .unwrap()
}

/// Imports tips and returns their report numbers, in order.
pub(crate) async fn import_tips(app: &TestApp, rows: Vec<TipRecord>) -> Vec<i64> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let labelled: Vec<(String, TipRecord)> = rows
        .into_iter()
        .map(|mut r| {
            // A marker the queue's search finds.
            r.narrative.push_str(&format!(" (ref {})", r.id));
            (format!("tip {}", r.id), r)
        })
        .collect();
    let (counts, errors) = app.services.import_tips("test", &labelled).await.unwrap();
    assert!(errors.is_empty(), "{:?}", errors);
    assert_eq!(counts.added as usize, ids.len());
    report_ids(app, &ids).await
}

/// The report numbers of tips by their ids, through the analysts' queue search.
async fn report_ids(app: &TestApp, tip_ids: &[String]) -> Vec<i64> {
    let analyst = app.login(Role::Analyst).await;
    let mut out = Vec::new();
    for id in tip_ids {
        let res = analyst
            .get(&format!("/reports?q={}", id.replace(' ', "+")))
            .await;
        let i = res
            .body
            .find("<a href=\"/reports/")
            .unwrap_or_else(|| panic!("tip {id} not in the queue: {}", res.body))
            + "<a href=\"/reports/".len();
        let n: i64 = res.body[i..i + res.body[i..].find('"').unwrap()]
            .parse()
            .unwrap();
        out.push(n);
    }
    out
}

pub(crate) async fn import_ads(app: &TestApp, rows: Vec<AdRecord>) {
    let n = rows.len();
    let labelled: Vec<(String, AdRecord)> = rows
        .into_iter()
        .map(|r| (format!("ad {}", r.id), r))
        .collect();
    let (counts, errors) = app.services.import_ads("test", &labelled).await.unwrap();
    assert!(errors.is_empty(), "{:?}", errors);
    assert_eq!(counts.added as usize, n);
}

/// The numbers of the records of `kind` listed on a page, in order of appearance.
pub(crate) fn records_on(body: &str, kind: &str) -> Vec<i64> {
    let pat = format!("/links/record/{kind}/");
    let mut out: Vec<i64> = body
        .match_indices(&pat)
        .filter_map(|(i, _)| {
            let rest = &body[i + pat.len()..];
            rest[..rest.find(|c: char| !c.is_ascii_digit())?]
                .parse()
                .ok()
        })
        .collect();
    // A record is named several times (its row, its links, the chart's data): keep the
    // first mention of each.
    let mut seen = std::collections::HashSet::new();
    out.retain(|r| seen.insert(*r));
    out
}

pub(crate) async fn share(analyst: &Client, report: i64, agency: i64) {
    let res = analyst
        .post_form(
            &format!("/reports/{report}/share"),
            &[("agency", &agency.to_string())],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
}

pub(crate) async fn org_id(app: &TestApp, name: &str) -> i64 {
    app.services
        .orgs(&service::accounts::Actor::Operator)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.name == name)
        .unwrap()
        .id
        .0
}

#[tokio::test]
async fn an_imported_ad_carrying_a_reports_phone_links_them_by_the_phone() {
    let app = TestApp::spawn().await;
    let reports = import_tips(
        &app,
        vec![
            tip_row("tip-1", "(212) 555-0147", "NV"),
            tip_row("tip-2", "212 555 0147", "CA"),
        ],
    )
    .await;
    let report = reports[0];
    import_ads(
        &app,
        vec![
            ad_row(
                "ad-1",
                "New in town",
                "Sweet and fun, call two one two 555 0147 tonight",
                "TX",
            ),
            ad_row("ad-2", "Bike for sale", "Red bike, call 212-555-0100", "TX"),
        ],
    )
    .await;
    let analyst = app.login(Role::Analyst).await;

    // All three carry the phone, normalised to one value.
    let page = analyst
        .get(&format!(
            "/links/identifier/phone/{}",
            PHONE.replace('+', "%2B")
        ))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("3 records carry it"), "{}", page.body);
    let ads = records_on(&page.body, "ad");
    assert_eq!(ads.len(), 1, "{}", page.body);
    let ad = ads[0];

    // The ad's page says what it is linked to and why.
    let page = analyst.get(&format!("/links/record/ad/{ad}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for r in &reports {
        assert!(
            page.body.contains(&format!("/reports/{r}\"")),
            "{}",
            page.body
        );
    }
    assert!(page.body.contains("Shared phone"), "{}", page.body);
    assert!(
        page.body
            .contains(&format!("Both records carry the phone {PHONE}.")),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Sweet and fun"),
        "the ad itself is shown"
    );

    // So does the report's page, in its links panel, with the reports' two states flagged.
    let page = analyst.get(&format!("/reports/{report}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Linked records"), "{}", page.body);
    assert!(
        page.body.contains(&format!("/links/record/ad/{ad}\"")),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("connects reports in 2 states (CA, NV)"),
        "{}",
        page.body
    );

    // The other ad shares nothing.
    let other = analyst
        .get(&format!("/links/record/ad/{}", if ad == 1 { 2 } else { 1 }))
        .await;
    assert!(other.body.contains("No links"), "{}", other.body);

    // The search box normalises what is typed and finds the same page.
    let res = analyst.get("/links?q=212.555.0147").await;
    assert_eq!(res.status, 303);
    assert_eq!(
        res.location.as_deref(),
        Some("/links/identifier/phone/%2B12125550147")
    );
    let res = analyst.get("/links?q=two+words").await;
    assert!(
        res.body.contains("does not read as a phone"),
        "{}",
        res.body
    );

    // The index lists the cluster and flags it.
    let page = analyst.get("/links").await;
    assert!(
        page.body.contains("1 cluster joins 3 records"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("connects reports in 2 states (CA, NV)"),
        "{}",
        page.body
    );
    let page = analyst.get("/links?multi=1").await;
    assert!(page.body.contains("Around Report #"), "{}", page.body);

    // Views of links are audited.
    let admin = app.login(Role::Administrator).await;
    let audit = admin.get("/admin/audit").await;
    let entries = crate::helpers::audit_table(&audit.body);
    assert!(
        entries.contains("Viewed the links of online ad"),
        "{}",
        audit.body
    );
    assert!(
        entries.contains("Viewed the links of report"),
        "{}",
        audit.body
    );
    assert!(entries.contains("Looked up the "), "{}", audit.body);
}

#[tokio::test]
async fn a_tip_filed_through_the_form_is_linked_in_the_background() {
    let app = TestApp::spawn().await;
    import_ads(
        &app,
        vec![ad_row(
            "ad-1",
            "New in town",
            "Text me at jane.x@example.com",
            "NV",
        )],
    )
    .await;
    let res = app
        .client()
        .post_form(
            "/tip",
            &[
                ("incident_type", "Child Sex Trafficking"),
                (
                    "what_happened",
                    "She said to write to jane.x [at] example [dot] com.",
                ),
                ("anonymous", "on"),
                ("website", ""),
            ],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let analyst = app.login(Role::Analyst).await;
    // Stored and answered; linked by the background job.
    let body = analyst.get("/links/record/ad/1").await.body;
    assert!(!body.contains("Shared email"), "{body}");
    assert_eq!(app.run_pending_jobs().await, 1);
    let body = analyst.get("/links/record/ad/1").await.body;
    assert!(body.contains("Shared email"), "{body}");
    assert!(body.contains("jane.x@example.com"), "{body}");
}

#[tokio::test]
async fn a_hub_phone_shared_by_500_unrelated_records_links_none_of_them() {
    let app = TestApp::spawn().await;
    let hub = "212-555-0199";
    let ad = |i: usize| {
        ad_row(
            &format!("hub-{i}"),
            &format!("Item{i} listing{i}"),
            &format!("Selling thing{i} model{i} color{i} size{i}. Pickup at place{i}. Call {hub}"),
            "TX",
        )
    };
    // A few first: the phone links them while it is still rare.
    import_ads(&app, (0..30).map(ad).collect()).await;
    let analyst = app.login(Role::Analyst).await;
    let page = analyst.get("/links/record/ad/1").await;
    assert!(page.body.contains("Shared phone"), "{}", page.body);

    // Then the rest, in import batches: it becomes a hub and every link through it goes.
    for start in (30..500).step_by(94) {
        import_ads(&app, (start..(start + 94).min(500)).map(ad).collect()).await;
    }
    let page = analyst.get("/links/identifier/phone/%2B12125550199").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("it links nobody"), "{}", page.body);
    assert!(page.body.contains("500 records carry it"), "{}", page.body);
    for id in [1, 250, 500] {
        let page = analyst.get(&format!("/links/record/ad/{id}")).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("No links"), "ad {id}: {}", page.body);
        assert!(page.body.contains("common: links nobody"), "{}", page.body);
    }
    let page = analyst.get("/links").await;
    assert!(page.body.contains("No clusters"), "{}", page.body);
}

#[tokio::test]
async fn an_investigators_cluster_omits_records_not_made_available_to_their_agency() {
    let app = TestApp::spawn().await;
    // r1, r2 and r3 share one phone, and an ad carries it too; r3 also names a second
    // phone, which r4 carries: r4 is joined to the others only through r3.
    let mut t3 = tip_row("tip-c", "212-555-0147", "AZ");
    t3.narrative = "He also uses 212-555-0123.".into();
    let r = import_tips(
        &app,
        vec![
            tip_row("tip-a", "212-555-0147", "NV"),
            tip_row("tip-b", "212-555-0147", "CA"),
            t3,
            tip_row("tip-d", "212-555-0123", "OR"),
        ],
    )
    .await;
    let (r1, r2, r3, r4) = (r[0], r[1], r[2], r[3]);
    import_ads(
        &app,
        vec![ad_row("ad-1", "New in town", "call 212 555 0147", "NV")],
    )
    .await;

    let agency_a = org_id(&app, "Agency A").await;
    let analyst = app.login(Role::Analyst).await;
    for id in [r1, r2, r4] {
        share(&analyst, id, agency_a).await;
    }

    // The analyst sees everything joined.
    let page = analyst.get(&format!("/links/cluster/report/{r1}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let mut seen = records_on(&page.body, "report");
    seen.sort_unstable();
    let mut all = vec![r1, r2, r3, r4];
    all.sort_unstable();
    assert_eq!(seen, all, "{}", page.body);
    assert_eq!(records_on(&page.body, "ad").len(), 1);

    // The investigator sees r1 and r2 only: not r3 (not made available), not the ad,
    // and not r4, which is made available but connected only through hidden records.
    let inv = app.login(Role::Investigator).await;
    let page = inv.get(&format!("/links/cluster/report/{r1}")).await;
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
        !page.body.contains("/reports/"),
        "investigators open leads, not the queue"
    );
    assert!(
        page.body.contains(&format!("/leads/{r2}\"")),
        "{}",
        page.body
    );
    let csv = inv.get(&format!("/links/cluster/report/{r1}.csv")).await;
    assert_eq!(csv.status, 200);
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(csv.body.as_bytes())
        .records()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(rows.len(), 1, "{}", csv.body);
    for row in &rows {
        assert_eq!((&row[0], &row[5]), ("report", "report"));
        let ids: Vec<i64> = vec![row[1].parse().unwrap(), row[6].parse().unwrap()];
        assert!(!ids.contains(&r3), "{}", csv.body);
    }
    let page = inv.get(&format!("/links/cluster/report/{r4}")).await;
    assert_eq!(records_on(&page.body, "report"), vec![r4], "{}", page.body);

    // What is not made available does not exist for them.
    assert_eq!(
        inv.get(&format!("/links/cluster/report/{r3}")).await.status,
        404
    );
    assert_eq!(
        inv.get(&format!("/links/record/report/{r3}")).await.status,
        404
    );
    assert_eq!(inv.get("/links/record/ad/1").await.status, 404);
    // Nor through what a chart fetches to add a record's links.
    let json = inv.get(&format!("/links/record/report/{r1}.json")).await;
    assert_eq!(json.status, 200, "{}", json.body);
    assert!(
        !json.body.contains(&format!("report-{r3}\"")),
        "{}",
        json.body
    );
    assert!(
        json.body.contains(&format!("report-{r2}\"")),
        "{}",
        json.body
    );
    assert_eq!(
        inv.get(&format!("/links/record/report/{r3}.json"))
            .await
            .status,
        404
    );
    let page = inv.get(&format!("/links/record/report/{r1}")).await;
    assert!(
        !page.body.contains(&format!("Report #{r3} ")),
        "{}",
        page.body
    );
    // Nor how many records carry its identifiers: that would count hidden ones.
    assert!(page.body.contains("Shared phone"), "{}", page.body);
    assert!(!page.body.contains("records carry it"), "{}", page.body);
    assert!(!page.body.contains("Records carrying it"), "{}", page.body);
    let page = inv.get("/links/identifier/phone/%2B12125550147").await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains(&format!("Report #{r3} ")),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("records carry it"),
        "no count of hidden records"
    );

    // Their list of clusters is the one among their reports.
    let page = inv.get("/links").await;
    assert!(
        page.body.contains("1 cluster joins 2 records"),
        "{}",
        page.body
    );

    // The lead's page shows the links panel without the hidden records.
    let lead = inv.get(&format!("/leads/{r1}")).await;
    assert_eq!(lead.status, 200);
    assert!(lead.body.contains("Linked to 1 record"), "{}", lead.body);
}

#[tokio::test]
async fn the_same_child_in_a_case_and_a_tip_and_ads_from_one_template_are_linked() {
    let app = TestApp::spawn().await;
    let case = serde_json::json!({
        "case_id": "case-1",
        "child": {"first_name": "Maria", "last_name": "Lopez", "sex": "female", "age": 15},
        "circumstance": "endangered_runaway",
        "missing_from_care": false,
        "custody": {"kind": "guardians", "guardians": []},
        "episodes": [{"reported": "2026-01-10", "last_seen": "2026-01-09",
                      "last_seen_city": "Reno", "last_seen_state": "NV",
                      "circumstance": "endangered_runaway"}],
    });
    let (c, e) = app
        .services
        .import_cases("test", &[("case 1".into(), case.to_string())])
        .await
        .unwrap();
    assert!(e.is_empty() && c.added == 1, "{e:?}");
    let tip: TipRecord = serde_json::from_value(serde_json::json!({
        "id": "tip-maria",
        "submitted_at": "2026-02-01T10:00:00Z",
        "incident_type": "Child Sex Trafficking",
        "when": "2026-01-30",
        "city": "Reno",
        "state": "NV",
        "country": "US",
        "narrative": "A girl called Maria was at a motel with an older man.",
        "people": [{"role": "child", "name": "Maria Lopez", "age": 15}],
    }))
    .unwrap();
    let report = import_tips(&app, vec![tip]).await[0];
    let template = "New in town. Sweet and fun, available all night. Text me for rates, no police. Outcalls only in the downtown area.";
    import_ads(
        &app,
        vec![
            ad_row(
                "t-1",
                "Sweet girl",
                &format!("{template} 775-555-0101"),
                "NV",
            ),
            ad_row(
                "t-2",
                "Sweet girl",
                &format!("{template} 🌹 702-555-0102"),
                "NV",
            ),
        ],
    )
    .await;

    // A classifieds site's format: many sellers, each with their own number.
    import_ads(
        &app,
        (0..24)
            .map(|i| {
                ad_row(
                    &format!("room-{i}"),
                    "Room for rent",
                    &format!("Sunny room for rent near the park. Utilities included. No pets please. Call 555-01{i:02} to view. 212-555-01{i:02}"),
                    "NV",
                )
            })
            .collect(),
    )
    .await;

    let analyst = app.login(Role::Analyst).await;
    let page = analyst.get("/links/record/ad/10").await;
    assert!(page.body.contains("a generic template"), "{}", page.body);
    assert!(!page.body.contains("Same ad template"), "{}", page.body);
    let page = analyst.get("/links/record/case/1").await;
    assert_eq!(page.status, 200, "{}", page.body);
    // Hotline staff open the case itself from link analysis.
    assert!(page.body.contains("href=\"/cases/1\""), "{}", page.body);
    assert!(
        page.body.contains("Probably the same child"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&format!("/reports/{report}\"")),
        "{}",
        page.body
    );
    // The match is said in words (what agreed, then what differed) with its number;
    // the bits stay folded away for those who check the arithmetic.
    assert!(
        page.body.contains("Probably the same child, "),
        "{}",
        page.body
    );
    assert!(
        page.body
            .split("<li>")
            .any(|li| li.contains(": same ")
                && li[..li.find("</li>").unwrap()].contains("given name")),
        "{}",
        page.body
    );
    assert!(page.body.contains("How it was scored"), "{}", page.body);
    assert!(page.body.contains("First name: exact"), "{}", page.body);
    // And on the chart's line between them.
    let page = analyst.get("/links/cluster/case/1").await;
    let graph = cluster_data(&page.body);
    let person = graph["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["reason"] == "person")
        .unwrap_or_else(|| panic!("{graph}"));
    let said = |k: &str| person[k].as_str().unwrap().to_owned();
    assert!(
        said("label").starts_with("Probably the same child, "),
        "{person}"
    );
    assert!(said("text").starts_with("Same "), "{person}");
    assert!(said("text").contains("given name"), "{person}");
    assert!(
        said("summary").starts_with("probably the same child, "),
        "{person}"
    );
    // The list under the chart says it too.
    assert!(
        page.body.contains("<span class=\"detail\">Same "),
        "{}",
        page.body
    );
    let page = analyst.get("/links/record/ad/1").await;
    assert!(page.body.contains("Same ad template"), "{}", page.body);
    assert!(page.body.contains("/links/record/ad/2\""), "{}", page.body);
}

#[tokio::test]
async fn cluster_exports_parse_and_escape_everything() {
    let app = TestApp::spawn().await;
    let r = import_tips(
        &app,
        vec![
            tip_row("tip-x", "212-555-0147", "NV"),
            tip_row("tip-y", "212-555-0147", "CA"),
        ],
    )
    .await;
    import_ads(
        &app,
        vec![ad_row(
            "ad-x",
            "<script>alert('x')</script> & \"quotes\", =cmd|' \u{1}",
            "call 212-555-0147",
            "NV",
        )],
    )
    .await;
    let analyst = app.login(Role::Analyst).await;

    let page = analyst
        .get(&format!("/links/cluster/report/{}", r[0]))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(!page.body.contains("<script>alert"), "escaped in the page");
    assert!(page.body.contains("id=\"cluster-data\""));
    assert!(page.body.contains("/static/cytoscape-3.34.4.min.js"));
    assert!(page.body.contains("Timeline"));
    assert!(
        page.body.contains("connects reports in 2 states (CA, NV)"),
        "{}",
        page.body
    );
    let js = analyst.get("/static/cytoscape-3.34.4.min.js").await;
    assert_eq!(js.status, 200);
    assert!(js.body.contains("Cytoscape Consortium"));

    let csv = analyst
        .get(&format!("/links/cluster/report/{}.csv", r[0]))
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(csv.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.body.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header.join(","), web::pages::links::CSV_HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 3, "three pairs share the phone: {}", csv.body);
    assert!(rows.iter().all(|r| r.len() == header.len()));
    assert!(rows.iter().all(|r| &r[10] == "phone" && &r[11] == PHONE));
    assert!(
        rows.iter()
            .any(|r| r[7].starts_with("Ad #1 · <script>") || r[2].starts_with("Ad #1 · <script>")),
        "{}",
        csv.body
    );

    let gml = analyst
        .get(&format!("/links/cluster/report/{}.graphml", r[0]))
        .await;
    assert_eq!(gml.status, 200);
    let mut reader = quick_xml::Reader::from_str(&gml.body);
    let (mut nodes, mut edges, mut depth) = (0, 0, 0i32);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e)) => {
                for a in e.attributes() {
                    a.expect("attribute well-formed");
                }
                depth += 1;
                match e.name().as_ref() {
                    "node" => nodes += 1,
                    "edge" => edges += 1,
                    _ => {}
                }
            }
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Empty(e)) => {
                for a in e.attributes() {
                    a.expect("attribute well-formed");
                }
            }
            Ok(quick_xml::events::Event::GeneralRef(r)) => {
                let name = r.xml10_content();
                assert!(
                    ["amp", "lt", "gt", "quot", "apos"].contains(&&*name) || name.starts_with('#'),
                    "unknown entity {name}"
                );
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!(
                "not well-formed at {}: {e}\n{}",
                reader.buffer_position(),
                gml.body
            ),
        }
    }
    assert_eq!(depth, 0);
    assert_eq!((nodes, edges), (3, 3), "{}", gml.body);
    assert!(gml
        .body
        .contains("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp;"));
    assert!(!gml.body.contains('\u{1}'));
}

#[tokio::test]
async fn the_cluster_graph_draws_in_chromium_within_the_csp() {
    use fantoccini::Locator;
    let app = TestApp::spawn().await;
    let r = import_tips(
        &app,
        vec![
            tip_row("tip-g1", "212-555-0147", "NV"),
            tip_row("tip-g2", "212-555-0147", "CA"),
        ],
    )
    .await;
    import_ads(
        &app,
        vec![ad_row("ad-g", "New in town", "call 212-555-0147", "NV")],
    )
    .await;
    let b = crate::browser::Browser::start().await;
    b.sign_in(&app.base, "analyst").await;
    let c = &b.client;
    c.goto(&format!("{}/links/cluster/report/{}", app.base, r[0]))
        .await
        .unwrap();
    b.wait_text("main h1", "Cluster around").await;
    let mut drawn = 0;
    for _ in 0..100 {
        drawn = c
            .find_all(Locator::Css("#cluster-graph canvas"))
            .await
            .unwrap()
            .len();
        if drawn > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(drawn > 0, "cytoscape drew no canvas");
    // cytoscape found the stylesheet the page provides and injected no <style> of its own
    // (the CSP would block it).
    let styles = c
        .execute("return document.querySelectorAll('style').length;", vec![])
        .await
        .unwrap();
    assert_eq!(styles, serde_json::json!(0));
    let position = c
        .execute(
            "return getComputedStyle(document.getElementById('cluster-graph')).position;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(position, serde_json::json!("relative"));
    b.stop().await;
}

/// The graph a cluster page embeds for its chart.
fn cluster_data(body: &str) -> serde_json::Value {
    let start = body
        .find("id=\"cluster-data\">")
        .unwrap_or_else(|| panic!("no chart data: {body}"))
        + "id=\"cluster-data\">".len();
    let end = start + body[start..].find("</script>").unwrap();
    serde_json::from_str(&body[start..end]).unwrap()
}

/// `212-555-02NN`: the chain's phones.
fn chain_phone(i: usize) -> String {
    format!("212-555-02{i:02}")
}

/// 30 tips in a chain: tip i names phones i and i+1, so each shares one phone with each
/// neighbour (carried by two records, it weighs fully) and all 30 form one cluster.
async fn chain(app: &TestApp, n: usize) -> Vec<i64> {
    let rows = (0..n)
        .map(|i| {
            let mut t = tip_row(&format!("chain-{i:02}"), &chain_phone(i), "NV");
            t.narrative = format!("He also uses {}.", chain_phone(i + 1));
            t
        })
        .collect();
    import_tips(app, rows).await
}

#[tokio::test]
async fn a_long_cluster_is_paged_and_every_link_says_its_reason() {
    let app = TestApp::spawn().await;
    let r = chain(&app, 30).await;
    let analyst = app.login(Role::Analyst).await;
    let base = format!("/links/cluster/report/{}", r[0]);
    let page = analyst.get(&base).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let rows = |body: &str| body.matches(">Why linked</a>").count();

    // The lists show 25 at a time, with the way to the rest.
    assert_eq!(rows(&page.body), 25, "{}", page.body);
    assert!(page.body.contains("1–25 of 30 records"), "{}", page.body);
    assert!(page.body.contains("Show all 30"), "{}", page.body);
    assert!(page.body.contains("1–25 of 29 links"), "{}", page.body);
    assert!(
        page.body
            .contains(&format!("href=\"{base}?records=2#records-h\"")),
        "{}",
        page.body
    );
    let next = analyst.get(&format!("{base}?records=2")).await;
    assert_eq!(rows(&next.body), 5, "{}", next.body);
    assert!(next.body.contains("26–30 of 30 records"), "{}", next.body);
    let all = analyst.get(&format!("{base}?records=all")).await;
    assert_eq!(rows(&all.body), 30);
    assert!(all.body.contains("All 30 records"), "{}", all.body);
    let links = analyst.get(&format!("{base}?links=2")).await;
    assert!(links.body.contains("26–29 of 29 links"), "{}", links.body);
    assert_eq!(links.body.matches("<p class=\"pair\">").count(), 4);
    assert!(links.body.contains("<ol class=\"edge-list\" start=\"26\">"));
    assert_eq!(page.body.matches("<p class=\"pair\">").count(), 25);
    // A long timeline starts folded.
    assert!(
        page.body.contains("<details class=\"fold\">"),
        "{}",
        page.body
    );
    // Out-of-range pages show the last one, never an error.
    assert_eq!(analyst.get(&format!("{base}?records=99")).await.status, 200);
    assert_eq!(analyst.get(&format!("{base}?records=x")).await.status, 200);

    // The chart gets every record and every link, each with its reason and the phone.
    let graph = cluster_data(&page.body);
    assert_eq!(graph["nodes"].as_array().unwrap().len(), 30);
    let lines = graph["links"].as_array().unwrap();
    assert_eq!(lines.len(), 29, "{graph}");
    for l in lines {
        assert_eq!(l["reason"], "phone", "{l}");
        assert_eq!(l["label"], "Shared phone", "{l}");
        let phone = l["value"].as_str().unwrap();
        assert!(phone.starts_with("+1212555"), "{l}");
        assert_eq!(l["via"], format!("phone:{phone}"), "{l}");
    }
    // The list says the same, and the key offers the one kind of link it holds.
    assert!(
        page.body
            .contains("Shared phone: <a href=\"/links/identifier/phone/%2B1212555"),
        "{}",
        page.body
    );
    assert!(page.body.contains("id=\"show-phone\""), "{}", page.body);
    assert!(!page.body.contains("id=\"show-email\""), "{}", page.body);

    // Filtering the list by kind of link (the form works without script).
    let none = analyst.get(&format!("{base}?f=1&show=email")).await;
    assert!(
        none.body.contains("No links of the kinds ticked."),
        "{}",
        none.body
    );
    assert!(
        !none
            .body
            .contains("id=\"show-phone\" data-reason=\"phone\" checked"),
        "{}",
        none.body
    );
    let phones = analyst.get(&format!("{base}?f=1&show=phone")).await;
    assert!(phones.body.contains("1–25 of 29 links"), "{}", phones.body);
    assert!(
        phones.body.contains(&format!(
            "href=\"{base}?links=2&#38;f=1&#38;show=phone#edges-h\""
        )),
        "the pages keep the filter: {}",
        phones.body
    );

    // What the chart fetches to add a record's links: the record, its neighbours, and why.
    let json = analyst
        .get(&format!("/links/record/report/{}.json", r[1]))
        .await;
    assert_eq!(json.status, 200, "{}", json.body);
    let around: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(around["start"], format!("report-{}", r[1]));
    let ids: Vec<&str> = around["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["data"]["id"].as_str().unwrap())
        .collect();
    for x in [r[0], r[1], r[2]] {
        assert!(ids.contains(&format!("report-{x}").as_str()), "{ids:?}");
    }
    assert_eq!(around["links"].as_array().unwrap().len(), 2, "{around}");
    assert!(around["links"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["reason"] == "phone"));
    assert_eq!(
        analyst.get("/links/record/report/99999.json").await.status,
        404
    );
}

#[tokio::test]
async fn the_cluster_chart_draws_filters_by_kind_and_adds_a_records_links_in_chromium() {
    use fantoccini::Locator;
    let app = TestApp::spawn().await;
    // Two tips share a phone; the second names an email an ad carries too; the first
    // names a phone ten unrelated ads carry, a link too weak to join the cluster.
    let mut t1 = tip_row("tip-c1", "212-555-0147", "NV");
    t1.narrative = "He also uses 702-555-0111.".into();
    let mut t2 = tip_row("tip-c2", "212-555-0147", "CA");
    t2.narrative = "Write to jane.x@example.com for her.".into();
    let r = import_tips(&app, vec![t1, t2]).await;
    let mut ads = vec![ad_row(
        "ad-e",
        "New in town",
        "Text jane.x@example.com",
        "NV",
    )];
    ads.extend((0..10).map(|i| {
        ad_row(
            &format!("weak-{i}"),
            &format!("Item{i} listing{i}"),
            &format!("Selling thing{i} model{i} color{i}. Pickup at place{i}. Call 702-555-0111"),
            "TX",
        )
    }));
    import_ads(&app, ads).await;
    let analyst = app.login(Role::Analyst).await;
    let page = analyst
        .get(&format!("/links/cluster/report/{}", r[0]))
        .await;
    let graph = cluster_data(&page.body);
    assert_eq!(graph["nodes"].as_array().unwrap().len(), 3, "{graph}");

    let b = crate::browser::Browser::start().await;
    b.sign_in(&app.base, "analyst").await;
    let c = &b.client;
    c.goto(&format!("{}/links/cluster/report/{}", app.base, r[0]))
        .await
        .unwrap();
    b.wait_text("main h1", "Cluster around").await;
    let js = |s: &'static str| async move { c.execute(s, vec![]).await.unwrap() };
    let mut ready = serde_json::Value::Null;
    for _ in 0..100 {
        ready = js("return !!window.clusterChart && document.querySelectorAll('#cluster-graph canvas').length > 0;").await;
        if ready == serde_json::json!(true) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(ready, serde_json::json!(true), "cytoscape drew no canvas");
    assert_eq!(
        js("return window.clusterChart.nodes('[kind != \"via\"]').length;").await,
        serde_json::json!(3)
    );
    // Direct lines: one per pair and reason, each styled by its reason.
    js("document.getElementById('as-points').checked = false; document.getElementById('as-points').dispatchEvent(new Event('change')); return 0;").await;
    let count = |sel: &'static str| async move {
        c.execute(
            &format!("return window.clusterChart.elements({sel:?}).filter(function (e) {{ return e.visible(); }}).length;"),
            vec![],
        )
        .await
        .unwrap()
    };
    assert_eq!(count("edge[reason = 'phone']").await, serde_json::json!(1));
    assert_eq!(count("edge[reason = 'email']").await, serde_json::json!(1));
    let dash =
        js("return window.clusterChart.edges('[reason = \"email\"]')[0].style('line-style');")
            .await;
    assert_eq!(
        dash,
        serde_json::json!("dashed"),
        "a kind of link is not told by colour alone"
    );

    // Unticking "Phone" in the key hides the phone lines and nothing else.
    c.find(Locator::Css("label[for=show-phone]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(count("edge[reason = 'phone']").await, serde_json::json!(0));
    assert_eq!(count("edge[reason = 'email']").await, serde_json::json!(1));
    assert_eq!(count("node").await, serde_json::json!(3), "records stay");
    c.find(Locator::Css("label[for=show-phone]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(count("edge[reason = 'phone']").await, serde_json::json!(1));

    // Identifiers as points of their own: record — phone — record.
    c.find(Locator::Css("label[for=as-points]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(count("node[kind = 'via']").await, serde_json::json!(2));
    assert_eq!(count("edge[reason = 'phone']").await, serde_json::json!(2));

    // Selecting the first report and adding its links brings in the ten weak ones.
    c.execute(
        &format!(
            "window.clusterChart.getElementById('report-{}').select(); return 0;",
            r[0]
        ),
        vec![],
    )
    .await
    .unwrap();
    b.wait_text("#graph-info", "Add its links").await;
    c.find(Locator::Css("#graph-info button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_text("#graph-info", "Added 10 records").await;
    assert_eq!(
        js("return window.clusterChart.nodes('[kind != \"via\"]').length;").await,
        serde_json::json!(13)
    );
    b.stop().await;
}
