//! Awareness and partners (issue 22) over HTTP: the public poster gallery needs no
//! sign-in and is searchable by state; a poster leaves the gallery, both feeds and its own
//! page (410) in the very request that records the child's recovery, and likewise when
//! consent is withdrawn; every poster response must be revalidated by caches (no-cache +
//! ETag, 304 when unchanged); the Atom feed has RFC 4287's required elements (and is
//! well-formed by `xmllint` when installed) and the JSON Feed parses with each item's
//! expiry; partners are added, changed and given events by supervisors, read by analysts,
//! and hidden from everyone else; publications are uploaded as PDFs only and downloaded by
//! anyone; the public awareness page lists the signs with the 911 notice; and in Chromium
//! at 390 px the gallery does not scroll sideways.

use crate::browser::Browser;
use crate::helpers::{Client, TestApp};
use domain::Role;
use quick_xml::events::Event;
use reqwest::Method;
use serde_json::json;

fn day(app: &TestApp, days: i64) -> String {
    casework::model::iso(app.services.today() - time::Duration::days(days))
}

/// Reports a child missing from `city`, `state` (as a caseworker) and returns the case id.
async fn missing_child(app: &TestApp, cw: &Client, name: &str, city: &str, state: &str) -> i64 {
    let res = cw
        .post_form(
            "/cases",
            &[
                ("name", name),
                ("date_of_birth", "2011-04-02"),
                ("sex", "female"),
                ("description", "5 ft 2 in, brown hair, green backpack"),
                ("custody", "foster_care"),
                ("agency_name", "Test Child Welfare"),
                ("caseworker_name", "Casey Quillfeather"),
                ("caseworker_phone", "(555) 010-0188"),
                ("reported_on", &day(app, 2)),
                ("last_seen_on", &day(app, 3)),
                ("last_seen_city", city),
                ("last_seen_state", state),
                ("circumstance", "missing_from_care"),
                ("reported_by", "foster parent"),
                ("narrative", "Left her placement at night; secretnarrative"),
            ],
        )
        .await;
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

async fn publish(app: &TestApp, analyst: &Client, id: i64) {
    let res = analyst
        .post_form(
            &format!("/cases/{id}/publication"),
            &[
                ("action", "publish"),
                (
                    "consent_given_by",
                    "Test Child Welfare (Casey Quillfeather)",
                ),
                ("consent_recorded_on", &day(app, 1)),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
}

fn number(id: i64) -> String {
    format!("CH-{id:06}")
}

/// Checks RFC 4287's required elements (4.1.1, 4.1.2) and the extension, and returns the
/// entries' ids. Also well-formedness by `xmllint` when it is installed.
fn check_atom(xml: &str) -> Vec<String> {
    let mut r = quick_xml::Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut feed_children: Vec<String> = Vec::new();
    let mut entries: Vec<Vec<String>> = Vec::new();
    let mut ids = Vec::new();
    let mut text = String::new();
    let mut has_self_link = false;
    loop {
        let ev = r.read_event().expect("well-formed XML");
        let opened = match &ev {
            Event::Start(e) => Some((e.clone(), false)),
            Event::Empty(e) => Some((e.clone(), true)),
            _ => None,
        };
        if let Some((e, empty)) = opened {
            let name = e.name().into_inner().to_owned();
            let attr = |k: &str| {
                e.attributes()
                    .flatten()
                    .find(|a| a.key.into_inner() == k)
                    .map(|a| a.value.into_owned())
            };
            match path.len() {
                0 => {
                    assert_eq!(name, "feed");
                    assert_eq!(
                        attr("xmlns").as_deref(),
                        Some("http://www.w3.org/2005/Atom")
                    );
                }
                1 => {
                    if name == "entry" {
                        entries.push(Vec::new());
                    }
                    if name == "link" && attr("rel").as_deref() == Some("self") {
                        has_self_link = true;
                    }
                    feed_children.push(name.clone());
                }
                2 if path[1] == "entry" => entries.last_mut().unwrap().push(name.clone()),
                _ => {}
            }
            text.clear();
            if !empty {
                path.push(name);
            }
            continue;
        }
        match ev {
            Event::Text(t) => text.push_str(&t.into_inner()),
            Event::End(_) => {
                if path.len() == 3 && path[1] == "entry" && path[2] == "id" {
                    ids.push(text.clone());
                }
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    for must in ["id", "title", "updated", "author"] {
        assert_eq!(
            feed_children.iter().filter(|c| *c == must).count(),
            1,
            "feed has one {must}: {feed_children:?}"
        );
    }
    assert!(has_self_link, "a feed has a rel=self link");
    for e in &entries {
        for must in ["id", "title", "updated", "summary", "ch:expires"] {
            assert_eq!(
                e.iter().filter(|c| *c == must).count(),
                1,
                "entry has one {must}: {e:?}"
            );
        }
        assert!(e.iter().any(|c| c == "link"), "entry has a link: {e:?}");
    }
    if std::process::Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok()
    {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("feed.xml");
        std::fs::write(&f, xml).unwrap();
        let out = std::process::Command::new("xmllint")
            .arg("--noout")
            .arg(&f)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "xmllint: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    ids
}

fn json_ids(body: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(body).expect("the JSON feed parses");
    assert_eq!(v["version"], "https://jsonfeed.org/version/1.1");
    assert!(v["title"].is_string());
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            assert!(i["_clearinghouse"]["expires"].is_string(), "{i}");
            assert!(i["content_text"].is_string());
            i["id"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// What the public sees of one poster right now, on every surface.
struct Seen {
    gallery: bool,
    atom: bool,
    json: bool,
    page: u16,
    pdf: u16,
}

async fn seen(public: &Client, id: i64) -> Seen {
    let n = number(id);
    let gallery = public.get("/posters").await;
    assert_eq!(gallery.status, 200);
    let atom = public.get("/posters/feed.atom").await;
    assert_eq!(atom.status, 200);
    let atom_ids = check_atom(&atom.body);
    let json = public.get("/posters/feed.json").await;
    assert_eq!(json.status, 200);
    let json_ids = json_ids(&json.body);
    Seen {
        gallery: gallery.body.contains(&format!("id=\"poster-{n}\"")),
        atom: atom_ids
            .iter()
            .any(|i| i.ends_with(&format!("/posters/{n}"))),
        json: json_ids
            .iter()
            .any(|i| i.ends_with(&format!("/posters/{n}"))),
        page: public.get(&format!("/posters/{n}")).await.status,
        pdf: public.get(&format!("/posters/{n}.pdf")).await.status,
    }
}

#[tokio::test]
async fn a_poster_leaves_every_public_surface_in_the_request_that_records_the_recovery() {
    let app = TestApp::spawn().await;
    let cw = app.login(Role::Caseworker).await;
    let analyst = app.login(Role::Analyst).await;
    let public = app.client();
    // An empty gallery says so.
    let res = public.get("/posters").await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("id=\"no-posters\""), "{}", res.body);

    let rosa = missing_child(&app, &cw, "Rosa Example", "Tulsa", "OK").await;
    let ana = missing_child(&app, &cw, "Ana Sample", "Austin", "TX").await;
    let kept = missing_child(&app, &cw, "Nora Unpublished", "Austin", "TX").await;
    publish(&app, &analyst, rosa).await;
    publish(&app, &analyst, ana).await;

    for id in [rosa, ana] {
        let s = seen(&public, id).await;
        assert!(s.gallery && s.atom && s.json, "poster {id} is public");
        assert_eq!((s.page, s.pdf), (200, 200));
    }
    // Not published: on no surface, and its number answers like any other.
    let s = seen(&public, kept).await;
    assert!(!s.gallery && !s.atom && !s.json);
    assert_eq!((s.page, s.pdf), (410, 410));
    assert_eq!(public.get("/posters/CH-999999").await.status, 410);
    let gallery = public.get("/posters").await.body;
    assert!(!gallery.contains("secretnarrative") && !gallery.contains("Quillfeather"));

    // By state.
    let ok = public.get("/posters?state=ok").await.body;
    assert!(
        ok.contains("Rosa Example") && !ok.contains("Ana Sample"),
        "{ok}"
    );
    let tx_feed = public.get("/posters/feed.json?state=TX").await.body;
    assert_eq!(json_ids(&tx_feed).len(), 1);
    let bad = public.get("/posters?state=ZZ").await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("ZZ is not a US state"), "{}", bad.body);
    assert_eq!(public.get("/posters/feed.atom?state=ZZ").await.status, 400);

    // Caches must ask again each time; an unchanged poster is a 304.
    let page = public.get(&format!("/posters/{}", number(rosa))).await;
    assert_eq!(page.headers["cache-control"], "no-cache");
    let etag = page.headers["etag"].to_str().unwrap().to_owned();
    let again = public
        .http
        .get(format!("{}/posters/{}", public.base, number(rosa)))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    let pdf = public.get(&format!("/posters/{}.pdf", number(rosa))).await;
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert_eq!(pdf.headers["cache-control"], "no-cache");
    assert_eq!(
        public.get("/posters/feed.atom").await.headers["content-type"],
        "application/atom+xml; charset=utf-8"
    );

    // The recovery: once its POST has answered, Rosa is on no surface.
    let eps: serde_json::Value =
        serde_json::from_str(&cw.get(&format!("/api/v1/cases/{rosa}/episodes")).await.body)
            .unwrap();
    let eid = eps[0]["id"].as_i64().unwrap();
    let res = cw
        .post_form(
            &format!("/cases/{rosa}/episodes/{eid}/recovery"),
            &[
                ("recovered_on", &day(&app, 0)),
                ("recovery_city", "Tulsa"),
                ("recovery_state", "OK"),
                ("recovery_how", "returned on her own"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let s = seen(&public, rosa).await;
    assert!(
        !s.gallery && !s.atom && !s.json,
        "a recovered child's poster is gone"
    );
    assert_eq!((s.page, s.pdf), (410, 410));
    let gone = public.get(&format!("/posters/{}", number(rosa))).await;
    assert!(gone.body.contains("no longer shown"), "{}", gone.body);
    // A cache revalidating its copy gets the 410, never a 304.
    let again = public
        .http
        .get(format!("{}/posters/{}", public.base, number(rosa)))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 410);
    assert!(seen(&public, ana).await.gallery, "the other poster stays");

    // Consent withdrawn: the same.
    let res = analyst
        .post_form(
            &format!("/cases/{ana}/publication"),
            &[("action", "withdraw")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let s = seen(&public, ana).await;
    assert!(!s.gallery && !s.atom && !s.json);
    assert_eq!((s.page, s.pdf), (410, 410));
    assert!(public
        .get("/posters")
        .await
        .body
        .contains("id=\"no-posters\""));
}

#[tokio::test]
async fn the_awareness_page_lists_the_signs_with_the_911_notice() {
    let app = TestApp::spawn().await;
    let public = app.client();
    let res = public.get("/awareness").await;
    assert_eq!(res.status, 200);
    for words in [
        "call 911",
        "No single sign proves anything",
        "A much older",
        "href=\"/tip\"",
    ] {
        assert!(res.body.contains(words), "{words}: {}", res.body);
    }
    // Every public sign is shown: each names an indicator of the shipped catalogue.
    for sign in service::awareness::model::signs::SIGNS {
        assert!(
            res.body.contains(sign.words),
            "{} is not shown",
            sign.indicator
        );
    }
    // The public pages are linked from the signed-out header.
    let tip = public.get("/tip").await.body;
    for href in ["/posters", "/awareness", "/publications"] {
        assert!(tip.contains(&format!("href=\"{href}\"")), "{href}");
    }
}

fn partner_fields<'a>(name: &'a str, email: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("name", name),
        ("kind", "club"),
        ("contact_name_1", "Ana Ortiz"),
        ("contact_role_1", "Events lead"),
        ("contact_email_1", email),
        ("contact_phone_1", ""),
        ("contact_name_2", ""),
        ("contact_role_2", ""),
        ("contact_email_2", ""),
        ("contact_phone_2", ""),
        ("states", "tx ok"),
        ("feed_states", "TX"),
        ("notes", ""),
    ]
}

#[tokio::test]
async fn partners_are_kept_by_supervisors_read_by_analysts_and_hidden_from_others() {
    let app = TestApp::spawn().await;
    let sup = app.login(Role::Supervisor).await;
    // Empty state.
    assert!(sup
        .get("/partners")
        .await
        .body
        .contains("id=\"no-partners\""));
    // Every problem named at once, by field.
    let res = sup
        .post_form("/partners", &partner_fields("", "not-an-email"))
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("There is a problem"));
    assert!(res.body.contains("href=\"#name\""), "{}", res.body);
    assert!(
        res.body.contains("href=\"#contact_email_1\""),
        "{}",
        res.body
    );
    let res = sup
        .post_form(
            "/partners",
            &partner_fields("Riverside Rotary", "ana@example.org"),
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let loc = res.location.clone().unwrap();
    let id: i64 = loc.trim_start_matches("/partners/").parse().unwrap();
    let page = sup.follow(&res).await.body;
    assert!(page.contains("is added as a partner"), "{page}");
    assert!(page.contains("OK TX"), "{page}");

    // An event: refused without a date, then recorded.
    let ev = |d: &str| {
        vec![
            ("held_on", d.to_owned()),
            ("place", "Riverside school hall".to_owned()),
            ("audience", "Parents, about 60".to_owned()),
            ("materials", "40 posters, 200 leaflets".to_owned()),
        ]
    };
    let f: Vec<(&str, String)> = ev("soon");
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = sup.post_form(&format!("/partners/{id}/events"), &f).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("YYYY-MM-DD"));
    let f: Vec<(&str, String)> = ev(&day(&app, 10));
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = sup.post_form(&format!("/partners/{id}/events"), &f).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(sup
        .follow(&res)
        .await
        .body
        .contains("Riverside school hall"));

    // Edit: the feed subscription changes.
    let mut f = partner_fields("Riverside Rotary Club", "ana@example.org");
    f.retain(|(k, _)| *k != "feed_states");
    f.push(("feed_states", "TX OK"));
    let res = sup.post_form(&format!("/partners/{id}/edit"), &f).await;
    assert_eq!(res.status, 303, "{}", res.body);

    // Search by the feed taken and by state.
    let list = sup.get("/partners?feed=ok").await.body;
    assert!(list.contains("Riverside Rotary Club"), "{list}");
    assert!(sup
        .get("/partners?state=CA")
        .await
        .body
        .contains("id=\"no-partners\""));

    // The API, for scripts.
    let res = sup
        .send_json(Method::GET, "/api/v1/partners?feed_state=TX", None, None)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(v["total"], 1);
    assert_eq!(v["partners"][0]["feed_states"], json!(["OK", "TX"]));
    let res = sup
        .send_json(
            Method::POST,
            "/api/v1/partners",
            Some(json!({"name": "Lakeside High School", "kind": "school",
                "contacts": [{"name": "Sam Lee", "phone": "(555) 010-0199"}],
                "states": ["OK"], "feed_states": []})),
            None,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let school: i64 = serde_json::from_str::<serde_json::Value>(&res.body).unwrap()["id"]
        .as_i64()
        .unwrap();
    let res = sup
        .send_json(
            Method::POST,
            &format!("/api/v1/partners/{school}/events"),
            Some(
                json!({"held_on": day(&app, -5), "place": "Gym", "audience": "Year 10, about 120"}),
            ),
            None,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let res = sup
        .send_json(
            Method::POST,
            "/api/v1/partners",
            Some(json!({"name": "X", "kind": "gang", "states": ["ZZ"]})),
            None,
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("\"field\":\"states\""), "{}", res.body);
    let res = sup
        .send_json(Method::GET, "/api/v1/events", None, None)
        .await;
    let events: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(events.as_array().unwrap().len(), 2);
    assert_eq!(events[0]["partner_name"], "Lakeside High School");

    // Analysts read; they do not change.
    let analyst = app.login(Role::Analyst).await;
    assert_eq!(analyst.get(&format!("/partners/{id}")).await.status, 200);
    assert!(!analyst
        .get(&format!("/partners/{id}"))
        .await
        .body
        .contains("id=\"event-form\""));
    assert_eq!(
        analyst
            .post_form("/partners", &partner_fields("Sneaky", "a@example.org"))
            .await
            .status,
        403
    );
    // Nobody else sees partners, and the menu says so.
    let cw = app.login(Role::Caseworker).await;
    assert_eq!(cw.get("/partners").await.status, 403);
    assert!(!cw.get("/").await.body.contains("href=\"/partners\""));
    assert!(sup.get("/").await.body.contains("href=\"/partners\""));

    // Audited.
    let actions: Vec<String> =
        store::audit::page(app.services.store.reader(), None, Some(i64::MAX), 500)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
    for a in ["partner.create", "partner.update", "partner.event"] {
        assert!(actions.iter().any(|x| x == a), "{a}: {actions:?}");
    }
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

fn upload_body(boundary: &str, csrf: &str, title: &str, file: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n{title}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"audience\"\r\n\r\nparents_carers\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"published_on\"\r\n\r\n2026-01-15\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"guide.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    body
}

#[tokio::test]
async fn publications_are_pdfs_anyone_may_download() {
    let app = TestApp::spawn().await;
    let sup = app.login(Role::Supervisor).await;
    let public = app.client();
    assert!(public
        .get("/publications")
        .await
        .body
        .contains("id=\"no-publications\""));
    let boundary = "----awarenessboundary";
    let send = |body: Vec<u8>| {
        let sup = &sup;
        async move {
            sup.http
                .post(format!("{}/publications", sup.base))
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
    let csrf = sup.csrf().await;
    // Not a PDF, whatever it claims: refused, with what to do.
    let res = send(upload_body(
        boundary,
        &csrf,
        "A guide",
        b"<html>not a pdf</html>",
    ))
    .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("the file is not a PDF"), "{body}");
    let res = send(upload_body(
        boundary,
        &csrf,
        "Keeping children safe online",
        PDF,
    ))
    .await;
    assert_eq!(res.status(), 303);

    let list = public.get("/publications").await.body;
    assert!(list.contains("Keeping children safe online"), "{list}");
    assert!(list.contains("Parents and carers"));
    assert!(!list.contains("/remove"), "the public cannot remove");
    let href = list
        .split("href=\"/publications/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let res = public.get(&format!("/publications/{href}")).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.headers["content-type"], "application/pdf");
    assert_eq!(res.headers["x-content-type-options"], "nosniff");
    assert!(res.body.starts_with("%PDF-"));
    // Narrowed by audience.
    assert!(public
        .get("/publications?audience=schools")
        .await
        .body
        .contains("id=\"no-publications\""));
    // Only the publication team uploads.
    let analyst = app.login(Role::Analyst).await;
    assert_eq!(analyst.get("/publications/new").await.status, 403);
    assert_eq!(public.get("/publications/new").await.status, 303);
    // Removed: gone from the list and the download.
    let id = href.trim_end_matches(".pdf");
    let res = sup
        .post_form(&format!("/publications/{id}/remove"), &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(
        public.get(&format!("/publications/{href}")).await.status,
        404
    );
}

#[tokio::test]
async fn on_a_phone_the_public_gallery_does_not_scroll_sideways() {
    let app = TestApp::spawn().await;
    let cw = app.login(Role::Caseworker).await;
    let analyst = app.login(Role::Analyst).await;
    let id = missing_child(
        &app,
        &cw,
        "Rosalind Quillfeather-Montgomery-Example",
        "Oklahoma City",
        "OK",
    )
    .await;
    publish(&app, &analyst, id).await;
    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/posters", app.base)).await.unwrap();
    crate::phone::phone(c).await;
    for path in [
        "/posters".to_owned(),
        "/posters?state=OK".to_owned(),
        format!("/posters/{}", number(id)),
        "/awareness".to_owned(),
        "/publications".to_owned(),
    ] {
        crate::phone::no_sideways_scroll(&b, &app.base, &path).await;
    }
    b.stop().await;
}
