//! The investigators' hand-off (issue 24) over HTTP: a lead package whose XML validates
//! against the official schema, whose chart holds only records made available to the
//! agency and whose files are there only when the hotline made them available; the i2
//! chart parses back; acknowledging, recording an outcome (a decline needs a reason),
//! notes only the agency sees, a question the hotline answers; another agency finds none
//! of it; every step audited.

use crate::helpers::{audit_table, TestApp};
use crate::intake::{fixtures, tag, xmllint_valid, Provider};
use crate::links::{import_tips, org_id, share, tip_row};
use domain::Role;
use std::collections::HashMap;
use std::io::Read;

/// Every entry of a ZIP by name.
fn unzip(bytes: &[u8]) -> HashMap<String, Vec<u8>> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP");
    let mut out = HashMap::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.insert(f.name().expect("a UTF-8 name").into_owned(), data);
    }
    out
}

/// The entities and links of an ANX chart, read back with an XML parser:
/// (entity identities, (end1, end2) pairs).
fn read_anx(xml: &str) -> (Vec<String>, Vec<(String, String)>) {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_str(xml);
    let (mut entities, mut links) = (Vec::new(), Vec::new());
    let mut root = None;
    loop {
        match r.read_event().expect("well-formed ANX") {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.name().into_inner().to_owned();
                root.get_or_insert_with(|| name.clone());
                // Identities are plain ASCII (`report-12`): the raw value is the value.
                let attr = |key: &str| {
                    e.attributes()
                        .map(|a| a.expect("a well-formed attribute"))
                        .find(|a| a.key.into_inner() == key)
                        .map(|a| a.value.into_owned())
                };
                match name.as_str() {
                    "Entity" => entities.push(attr("Identity").expect("Identity")),
                    "Link" => links.push((attr("End1Id").unwrap(), attr("End2Id").unwrap())),
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(root.as_deref(), Some("Chart"));
    (entities, links)
}

#[tokio::test]
async fn a_lead_package_holds_valid_xml_the_agencys_chart_and_only_the_files_made_available() {
    let app = TestApp::spawn().await;
    // r1 and r2 share a phone; r3 carries it too but is not made available to Agency A.
    let r = import_tips(
        &app,
        vec![
            tip_row("pkg-a", "212-555-0147", "NV"),
            tip_row("pkg-b", "212-555-0147", "CA"),
            tip_row("pkg-c", "212-555-0147", "AZ"),
        ],
    )
    .await;
    let (r1, r2, r3) = (r[0], r[1], r[2]);
    app.run_pending_jobs().await;
    // A provider's report with a file.
    let p = Provider::new(&app, "provider-api");
    let with_file = p.submit(&fixtures()[0].1).await.report_id.unwrap();
    let data = b"synthetic file content for the package".repeat(100);
    let up = p.upload(with_file, "photo 1.jpg", &data).await;
    assert_eq!(up.code, Some(0), "{}", up.body);
    let file_id = tag(&up.body, "fileId").unwrap();
    assert_eq!(p.form("finish", with_file).await.code, Some(0));

    let agency_a = org_id(&app, "Agency A").await;
    let analyst = app.login(Role::Analyst).await;
    share(&analyst, r1, agency_a).await;
    share(&analyst, r2, agency_a).await;
    share(&analyst, with_file, agency_a).await;
    let inv = app.login(Role::Investigator).await;

    // r1's package: XML valid against the official XSD, the chart of r1 and r2 only.
    let page = inv.get(&format!("/leads/{r1}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page
        .body
        .contains(&format!("href=\"/leads/{r1}/package.zip\"")));
    let (status, headers, zip) = inv.get_bytes(&format!("/leads/{r1}/package.zip")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/zip");
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains(&format!("lead-{r1}.zip")));
    let entries = unzip(&zip);
    let name = |n: &str| format!("lead-{r1}/{n}");
    let xml = String::from_utf8(entries[&name(&format!("report-{r1}-cybertipline.xml"))].clone())
        .unwrap();
    xmllint_valid(&xml).expect("the package's report is valid CyberTipline XML");
    let pdf = &entries[&name(&format!("summary-{r1}.pdf"))];
    let doc = lopdf::Document::load_mem(pdf).expect("the summary is a PDF");
    assert!(!doc.get_pages().is_empty());
    let (entities, links) =
        read_anx(std::str::from_utf8(&entries[&name("chart/chart.anx")]).unwrap());
    let mut expected = vec![format!("report-{r1}"), format!("report-{r2}")];
    expected.sort();
    let mut got = entities.clone();
    got.sort();
    assert_eq!(got, expected, "only the records made available to Agency A");
    assert_eq!(links.len(), 1);
    for (a, b) in &links {
        assert!(entities.contains(a) && entities.contains(b));
    }
    let csv = String::from_utf8(entries[&name("chart/links.csv")].clone()).unwrap();
    assert!(!csv.contains(&format!(",{r3},")), "{csv}");
    let graphml = String::from_utf8(entries[&name("chart/chart.graphml")].clone()).unwrap();
    assert!(!graphml.contains(&format!("report-{r3}\"")), "{graphml}");
    assert!(graphml.contains(&format!("report-{r2}\"")), "{graphml}");
    // The sums check out, and nothing is left of r3.
    let sums = String::from_utf8(entries[&name("SHA256SUMS")].clone()).unwrap();
    for line in sums.lines() {
        let (hash, file) = line.split_once("  ").unwrap();
        use sha2::Digest;
        assert_eq!(
            hash,
            hex::encode(sha2::Sha256::digest(&entries[&name(file)])),
            "{file}"
        );
    }
    for (n, bytes) in &entries {
        assert!(n.starts_with(&format!("lead-{r1}/")), "{n}");
        if n.ends_with(".pdf") || n.ends_with(".zip") {
            continue;
        }
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(&format!("Report #{r3}")), "{n}: {text}");
    }

    // The provider's report: made available without its files, the package has none.
    let (_, _, zip) = inv
        .get_bytes(&format!("/leads/{with_file}/package.zip"))
        .await;
    let entries = unzip(&zip);
    assert!(
        !entries.keys().any(|k| k.contains("/files/")),
        "{:?}",
        entries.keys()
    );
    let readme =
        String::from_utf8(entries[&format!("lead-{with_file}/README.txt")].clone()).unwrap();
    assert!(readme.contains("did not make them available"), "{readme}");
    assert_eq!(
        inv.get(&format!("/leads/{with_file}/files/{file_id}"))
            .await
            .status,
        404
    );
    // Made available again with its files: they are in the package, as received, under
    // a name that cannot leave the package's folder.
    let res = analyst
        .post_form(
            &format!("/reports/{with_file}/share"),
            &[("agency", &agency_a.to_string()), ("files", "yes")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let (_, _, zip) = inv
        .get_bytes(&format!("/leads/{with_file}/package.zip"))
        .await;
    let entries = unzip(&zip);
    let files: Vec<&String> = entries.keys().filter(|k| k.contains("/files/")).collect();
    assert_eq!(files.len(), 1, "{:?}", entries.keys());
    assert!(files[0].ends_with("-photo_1.jpg"), "{}", files[0]);
    assert_eq!(entries[files[0]], data);
    let (status, _, one) = inv
        .get_bytes(&format!("/leads/{with_file}/files/{file_id}"))
        .await;
    assert_eq!((status, one), (200, data.clone()));

    // Another agency gets nothing: not the package, not a file.
    let b = app.login_investigator_b().await;
    assert_eq!(b.get(&format!("/leads/{r1}/package.zip")).await.status, 404);
    assert_eq!(
        b.get(&format!("/leads/{with_file}/files/{file_id}"))
            .await
            .status,
        404
    );

    // Each download is audited with what went into it.
    let admin = app.login(Role::Administrator).await;
    let audit = admin.get("/admin/audit?action=lead.package").await;
    let table = audit_table(&audit.body);
    assert!(table.contains("Downloaded the lead package"), "{table}");
    assert!(table.contains("chart of 2 records and 1 links"), "{table}");
}

#[tokio::test]
async fn an_agency_acknowledges_records_an_outcome_and_the_hotline_answers_its_question() {
    let app = TestApp::spawn().await;
    let r = import_tips(&app, vec![tip_row("ack-a", "212-555-0166", "NV")]).await;
    let id = r[0];
    let agency_a = org_id(&app, "Agency A").await;
    let analyst = app.login(Role::Analyst).await;
    share(&analyst, id, agency_a).await;
    let inv = app.login(Role::Investigator).await;

    let leads = inv.get("/leads").await;
    assert!(leads.body.contains("lead-state-new"), "{}", leads.body);
    let res = inv
        .post_form(&format!("/leads/{id}/acknowledge"), &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = inv.follow(&res).await;
    assert!(page.body.contains("You acknowledged lead"), "{}", page.body);
    assert!(
        !page.body.contains("id=\"acknowledge\""),
        "acknowledged once"
    );
    assert!(inv
        .get("/leads")
        .await
        .body
        .contains("lead-state-acknowledged"));

    // Declining needs a reason: the form comes back with the error and the choice kept.
    let res = inv
        .post_form(
            &format!("/leads/{id}/outcome"),
            &[("outcome", "declined"), ("reason", " ")],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("There is a problem"), "{}", res.body);
    assert!(res.body.contains("needs a reason"), "{}", res.body);
    assert!(
        res.body.contains("value=\"declined\" checked"),
        "{}",
        res.body
    );
    let res = inv.post_form(&format!("/leads/{id}/outcome"), &[]).await;
    assert_eq!(res.status, 422);
    assert!(
        res.body.contains("Choose what came of the lead"),
        "{}",
        res.body
    );
    let res = inv
        .post_form(
            &format!("/leads/{id}/outcome"),
            &[
                ("outcome", "investigation_opened"),
                ("reason", "Case 26-1234 opened."),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);

    // A note for the agency only; a question for the hotline.
    let res = inv
        .post_form(
            &format!("/leads/{id}/notes"),
            &[("body", "Detective on it: internal remark quietpine")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let res = inv
        .post_form(
            &format!("/leads/{id}/questions"),
            &[("body", "Was the motel named in the call? amberfinch")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);

    // The hotline sees the outcome and the question, never the agency's note.
    let page = analyst.get(&format!("/reports/{id}")).await;
    assert!(
        page.body.contains("Agencies&#x27; responses") || page.body.contains("Agencies' responses"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Investigation opened"), "{}", page.body);
    assert!(page.body.contains("amberfinch"), "{}", page.body);
    assert!(!page.body.contains("quietpine"), "{}", page.body);
    let q = {
        let at = page.body.find("/questions/").expect("an answer form");
        let rest = &page.body[at + "/questions/".len()..];
        rest[..rest.find('/').unwrap()].parse::<i64>().unwrap()
    };
    let res = analyst
        .post_form(
            &format!("/reports/{id}/questions/{q}/answer"),
            &[(
                "body",
                "No motel was named; the caller gave a street. silverwren",
            )],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);

    // The investigator reads the answer under their question.
    let page = inv.get(&format!("/leads/{id}")).await;
    assert!(page.body.contains("silverwren"), "{}", page.body);
    assert!(page.body.contains("quietpine"));
    assert!(page.body.contains("Investigation opened"));
    assert!(inv
        .get("/leads")
        .await
        .body
        .contains("lead-state-investigation_opened"));

    // Another agency cannot act on it, nor answer for the hotline.
    let b = app.login_investigator_b().await;
    assert_eq!(
        b.post_form(&format!("/leads/{id}/acknowledge"), &[])
            .await
            .status,
        404
    );
    assert_eq!(
        b.post_form(&format!("/leads/{id}/questions"), &[("body", "x")])
            .await
            .status,
        404
    );
    assert_eq!(
        inv.post_form(
            &format!("/reports/{id}/questions/{q}/answer"),
            &[("body", "x")]
        )
        .await
        .status,
        403
    );

    // Outcomes feed the statistics: the agency's own, and the hotline's of every agency.
    for (who, page) in [
        ("investigator", inv.get("/statistics/internal").await),
        ("analyst", analyst.get("/statistics/internal").await),
    ] {
        assert_eq!(page.status, 200, "{who}: {}", page.body);
        assert!(
            page.body
                .contains("Outcomes of leads made available to law enforcement"),
            "{who}: {}",
            page.body
        );
        assert!(
            page.body
                .contains("<th scope=\"row\">Investigation opened</th><td class=\"num\">1</td>"),
            "{who}: {}",
            page.body
        );
    }
    assert!(!b
        .get("/statistics/internal")
        .await
        .body
        .contains("<th scope=\"row\">Investigation opened</th><td class=\"num\">1</td>"));

    let admin = app.login(Role::Administrator).await;
    let audit = admin.get("/admin/audit?action=lead.*").await;
    let table = audit_table(&audit.body);
    for words in [
        "Acknowledged",
        "Recorded the outcome",
        "Added an agency note",
        "Asked the hotline a question",
        "Answered an agency",
    ] {
        assert!(table.contains(words), "{words}: {table}");
    }
}

/// In Chromium: an analyst records a call to the hotline on its form and makes the report
/// available; the investigator opens the lead, downloads its package and acknowledges it.
#[tokio::test]
async fn in_a_browser_a_call_is_recorded_and_its_lead_downloaded_and_acknowledged() {
    use crate::browser::Browser;
    use fantoccini::Locator;
    let app = TestApp::spawn().await;
    let downloads = tempfile::tempdir().unwrap();
    let b = Browser::start_downloading_to(downloads.path()).await;
    let c = &b.client;

    b.sign_in(&app.base, "analyst").await;
    c.goto(&format!("{}/calls/new", app.base)).await.unwrap();
    b.wait_text("main h1", "Record a call to the hotline").await;
    c.find(Locator::Css("#incident_type"))
        .await
        .unwrap()
        .select_by_value("Child Sex Trafficking")
        .await
        .unwrap();
    b.fill(
        "#what_happened",
        "The caller saw a girl of about 15 taken to a motel by an older man. copperheron",
    )
    .await;
    c.find(Locator::Css("#state"))
        .await
        .unwrap()
        .select_by_value("NV")
        .await
        .unwrap();
    c.find(Locator::Css("#anonymous"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("form[action='/calls'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let banner = b.wait_text("#notification", "was recorded as report").await;
    let id: i64 = banner
        .split("report ")
        .nth(1)
        .and_then(|t| t.trim_end_matches('.').split_whitespace().next())
        .and_then(|n| n.trim_end_matches('.').parse().ok())
        .unwrap_or_else(|| panic!("no report number in {banner:?}"));
    // Made available to Agency A from the report's page.
    let agency_a = org_id(&app, "Agency A").await;
    c.find(Locator::Css(&format!("#ag-{agency_a}")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("form[action$='/share'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_text("#notification", "was made available to 1 agency")
        .await;
    c.find(Locator::Css("form[action='/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_text("main .alert", "You are signed out.").await;

    b.sign_in(&app.base, "investigator").await;
    c.goto(&format!("{}/leads", app.base)).await.unwrap();
    let table = b.wait_text("main table", "New").await;
    assert!(table.contains(&format!("#{id}")), "{table}");
    c.find(Locator::Css(&format!("a[href='/leads/{id}']")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_text("main", "copperheron").await;
    b.screenshots("lead-new").await;
    c.find(Locator::Css("#download-package"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The browser saves the package; it is a ZIP with the report's XML.
    let path = downloads.path().join(format!("lead-{id}.zip"));
    let mut saved = None;
    for _ in 0..100 {
        if let Ok(bytes) = std::fs::read(&path) {
            if zip::ZipArchive::new(std::io::Cursor::new(&bytes)).is_ok() {
                saved = Some(bytes);
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let saved = saved.unwrap_or_else(|| panic!("{} was not downloaded", path.display()));
    let entries = unzip(&saved);
    assert!(
        entries.contains_key(&format!("lead-{id}/report-{id}-cybertipline.xml")),
        "{:?}",
        entries.keys()
    );
    c.find(Locator::Css("#acknowledge"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_text("#notification", "You acknowledged lead").await;
    let panel = b.wait_text("#lead", "Acknowledged").await;
    assert!(panel.contains("investigator"), "{panel}");
    b.screenshots("lead-acknowledged").await;
    b.stop().await;
}

/// The same over JSON, as an agency's case-management system would use it.
#[tokio::test]
async fn the_api_lists_a_lead_takes_its_response_and_hands_out_its_package() {
    use reqwest::Method;
    let app = TestApp::spawn().await;
    let r = import_tips(&app, vec![tip_row("api-a", "212-555-0177", "NV")]).await;
    let id = r[0];
    let agency_a = org_id(&app, "Agency A").await;
    let analyst = app.login(Role::Analyst).await;
    share(&analyst, id, agency_a).await;
    let inv = app.login(Role::Investigator).await;

    let list = inv
        .send_json(Method::GET, "/api/v1/leads", None, None)
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    let v: serde_json::Value = serde_json::from_str(&list.body).unwrap();
    assert_eq!(v["total"], 1);
    assert_eq!(v["leads"][0]["id"], id);
    assert_eq!(v["leads"][0]["state"], "new");
    assert!(v["leads"][0]["received_at"]
        .as_str()
        .unwrap()
        .ends_with('Z'));

    let ack = inv
        .send_json(
            Method::POST,
            &format!("/api/v1/leads/{id}/acknowledge"),
            None,
            None,
        )
        .await;
    assert_eq!(ack.status, 200, "{}", ack.body);
    assert!(ack.body.contains("\"first\":true"), "{}", ack.body);
    let bad = inv
        .send_json(
            Method::PUT,
            &format!("/api/v1/leads/{id}/outcome"),
            Some(serde_json::json!({"outcome": "declined"})),
            None,
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("needs a reason"), "{}", bad.body);
    let ok = inv
        .send_json(
            Method::PUT,
            &format!("/api/v1/leads/{id}/outcome"),
            Some(serde_json::json!({"outcome": "child_located"})),
            None,
        )
        .await;
    assert_eq!(ok.status, 204, "{}", ok.body);
    let q = inv
        .send_json(
            Method::POST,
            &format!("/api/v1/leads/{id}/messages"),
            Some(serde_json::json!({"kind": "question", "body": "Any callback number?"})),
            None,
        )
        .await;
    assert_eq!(q.status, 201, "{}", q.body);
    let detail = inv
        .send_json(Method::GET, &format!("/api/v1/leads/{id}"), None, None)
        .await;
    let v: serde_json::Value = serde_json::from_str(&detail.body).unwrap();
    assert_eq!(v["state"], "child_located", "{v}");
    assert_eq!(v["outcome"], "child_located");
    assert_eq!(v["acknowledged_by"], "investigator");
    assert_eq!(v["messages"][0]["kind"], "question");

    let (status, headers, zip) = inv.get_bytes(&format!("/api/v1/leads/{id}/package")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/zip");
    assert!(unzip(&zip).contains_key(&format!("lead-{id}/chart/chart.anx")));

    let b = app.login_investigator_b().await;
    for path in [
        format!("/api/v1/leads/{id}"),
        format!("/api/v1/leads/{id}/package"),
    ] {
        let res = b.send_json(Method::GET, &path, None, None).await;
        assert_eq!(res.status, 404, "{path}: {}", res.body);
    }
}

/// The hotline's side over JSON: the queue with a filter, a report with its reasons, the
/// work on it, making it available, and answering the agency's question.
#[tokio::test]
async fn the_api_works_a_report_from_the_queue_to_an_agencys_answered_question() {
    use reqwest::Method;
    let app = TestApp::spawn().await;
    let r = import_tips(&app, vec![tip_row("rep-a", "212-555-0188", "NV")]).await;
    let id = r[0];
    let agency_a = org_id(&app, "Agency A").await;
    let analyst = app.login(Role::Analyst).await;

    let list = analyst
        .send_json(Method::GET, "/api/v1/reports?q=rep-a&state=nv", None, None)
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    let v: serde_json::Value = serde_json::from_str(&list.body).unwrap();
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!(v["reports"][0]["id"], id);
    let bad = analyst
        .send_json(Method::GET, "/api/v1/reports?status=open", None, None)
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("status: use new"), "{}", bad.body);

    let detail = analyst
        .send_json(Method::GET, &format!("/api/v1/reports/{id}"), None, None)
        .await;
    assert_eq!(detail.status, 200, "{}", detail.body);
    let v: serde_json::Value = serde_json::from_str(&detail.body).unwrap();
    assert!(!v["reasons"].as_array().unwrap().is_empty(), "{v}");
    assert!(v["indicators"].is_array());

    let path = |p: &str| format!("/api/v1/reports/{id}/{p}");
    let res = analyst
        .send_json(
            Method::PUT,
            &path("status"),
            Some(serde_json::json!({"status": "triaged"})),
            None,
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.body);
    let res = analyst
        .send_json(
            Method::PUT,
            &path("assignee"),
            Some(serde_json::json!({"username": "analyst"})),
            None,
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.body);
    let res = analyst
        .send_json(
            Method::POST,
            &path("notes"),
            Some(serde_json::json!({"body": "Checked the phone."})),
            None,
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.body);
    let res = analyst
        .send_json(
            Method::POST,
            &path("shares"),
            Some(serde_json::json!({"agencies": [agency_a]})),
            None,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.body.contains("\"added\":1"), "{}", res.body);

    let inv = app.login(Role::Investigator).await;
    assert_eq!(
        inv.send_json(Method::GET, "/api/v1/reports", None, None)
            .await
            .status,
        403
    );
    let q = inv
        .send_json(
            Method::POST,
            &format!("/api/v1/leads/{id}/messages"),
            Some(serde_json::json!({"kind": "question", "body": "Which motel?"})),
            None,
        )
        .await;
    let qid: serde_json::Value = serde_json::from_str(&q.body).unwrap();
    let res = analyst
        .send_json(
            Method::POST,
            &path(&format!("questions/{}/answer", qid["id"])),
            Some(serde_json::json!({"body": "The caller did not say."})),
            None,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let v: serde_json::Value = serde_json::from_str(
        &analyst
            .send_json(Method::GET, &format!("/api/v1/reports/{id}"), None, None)
            .await
            .body,
    )
    .unwrap();
    assert_eq!(v["status"], "made_available", "{v}");
    assert_eq!(v["assignee"], "analyst");
    assert_eq!(v["notes"][0]["body"], "Checked the phone.");
    assert_eq!(v["shares"][0]["agency_id"], agency_a);
    assert_eq!(v["questions"].as_array().unwrap().len(), 2, "{v}");
    let indicators = analyst
        .send_json(Method::GET, "/api/v1/indicators", None, None)
        .await;
    assert_eq!(indicators.status, 200);
    assert!(indicators.body.contains("\"indicators\":["));
}

/// Link analysis over JSON: the analyst sees the whole cluster, the investigator only the
/// records made available to their agency, by the same rules as the pages.
#[tokio::test]
async fn the_links_api_answers_each_reader_with_what_they_may_see() {
    use reqwest::Method;
    let app = TestApp::spawn().await;
    let r = import_tips(
        &app,
        vec![
            tip_row("lnk-a", "212-555-0199", "NV"),
            tip_row("lnk-b", "212-555-0199", "CA"),
            tip_row("lnk-c", "212-555-0199", "AZ"),
        ],
    )
    .await;
    app.run_pending_jobs().await;
    let agency_a = org_id(&app, "Agency A").await;
    let analyst = app.login(Role::Analyst).await;
    share(&analyst, r[0], agency_a).await;
    share(&analyst, r[1], agency_a).await;

    let ids = |body: &str| -> Vec<i64> {
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        let mut ids: Vec<i64> = v["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect();
        ids.sort_unstable();
        ids
    };
    let cluster = format!("/api/v1/links/clusters/report/{}", r[0]);
    let all = analyst.send_json(Method::GET, &cluster, None, None).await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(ids(&all.body), r);
    let inv = app.login(Role::Investigator).await;
    let mine = inv.send_json(Method::GET, &cluster, None, None).await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert_eq!(ids(&mine.body), vec![r[0], r[1]]);

    let holders = inv
        .send_json(
            Method::GET,
            "/api/v1/links/identifiers/phone/212-555-0199",
            None,
            None,
        )
        .await;
    assert_eq!(holders.status, 200, "{}", holders.body);
    assert_eq!(ids(&holders.body), vec![r[0], r[1]]);
    assert!(holders.body.contains("\"total\":null"), "{}", holders.body);

    let links = inv
        .send_json(
            Method::GET,
            &format!("/api/v1/links/records/report/{}", r[0]),
            None,
            None,
        )
        .await;
    assert_eq!(links.status, 200, "{}", links.body);
    assert!(
        !links.body.contains(&format!("\"id\":{}", r[2])),
        "{}",
        links.body
    );
    assert_eq!(
        inv.send_json(
            Method::GET,
            &format!("/api/v1/links/records/report/{}", r[2]),
            None,
            None
        )
        .await
        .status,
        404
    );
}
