//! Watchlists (issue 24) over HTTP, on both backends: a watch on a phone notifies in the
//! product and through a real SMTP conversation (a sink inside the test) when an ad with
//! that phone is imported, and the e-mail carries a link and no case content; an expired
//! watch notifies nothing until renewed; an investigator is never notified of a record not
//! made available to their agency; watches are renewed and removed, and another person's
//! watches and notifications are not found.

use crate::helpers::{Options, TestApp};
use domain::tip::TipRecord;
use domain::Role;
use reqwest::Method;
use serde_json::{json, Value};
use service::intake::import::AdRecord;
use service::{SmtpSettings, SmtpTls, WatchlistSettings};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

const BASE_URL: &str = "https://clearinghouse.test";
const AD_TITLE: &str = "New in town tonight";
const AD_BODY: &str = "sweet and discreet, call 212 555 0147 anytime";

/// A message the sink received.
#[derive(Debug, Clone)]
struct Mail {
    to: Vec<String>,
    data: String,
}

/// A small real SMTP server: answers EHLO, MAIL, RCPT, DATA, RSET, NOOP and QUIT, and keeps
/// every message.
#[derive(Clone, Default)]
struct Sink {
    mails: Arc<Mutex<Vec<Mail>>>,
}

impl Sink {
    async fn start() -> (u16, Sink) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind sink");
        let port = listener.local_addr().expect("sink addr").port();
        let sink = Sink::default();
        let s = sink.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let _ = s.converse(sock).await;
                });
            }
        });
        (port, sink)
    }

    async fn converse(&self, sock: TcpStream) -> std::io::Result<()> {
        let (r, mut w) = sock.into_split();
        let mut lines = BufReader::new(r).lines();
        w.write_all(b"220 sink.test ESMTP ready\r\n").await?;
        let mut to = Vec::new();
        while let Some(line) = lines.next_line().await? {
            let upper = line.to_ascii_uppercase();
            if upper.starts_with("EHLO") {
                w.write_all(b"250-sink.test greets you\r\n250 8BITMIME\r\n")
                    .await?;
            } else if upper.starts_with("RCPT TO:") {
                to.push(line[8..].trim().trim_matches(['<', '>']).to_owned());
                w.write_all(b"250 OK\r\n").await?;
            } else if upper == "DATA" {
                w.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let mut data = String::new();
                while let Some(l) = lines.next_line().await? {
                    if l == "." {
                        break;
                    }
                    data.push_str(l.strip_prefix('.').unwrap_or(&l));
                    data.push('\n');
                }
                self.mails.lock().unwrap().push(Mail {
                    to: std::mem::take(&mut to),
                    data,
                });
                w.write_all(b"250 queued\r\n").await?;
            } else if upper == "QUIT" {
                w.write_all(b"221 bye\r\n").await?;
                break;
            } else {
                // HELO, MAIL FROM, RSET, NOOP
                w.write_all(b"250 OK\r\n").await?;
            }
        }
        Ok(())
    }

    fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }
}

async fn app_with_mail() -> (TestApp, Sink) {
    let (port, sink) = Sink::start().await;
    let app = TestApp::spawn_with(Options {
        watchlists: Some(WatchlistSettings {
            watch_days: 90,
            smtp: Some(SmtpSettings {
                host: "127.0.0.1".into(),
                port,
                tls: SmtpTls::None,
                username: None,
                password: None,
                from: "Clearinghouse <alerts@hotline.test>".into(),
                base_url: BASE_URL.into(),
            }),
        }),
        ..Options::default()
    })
    .await;
    (app, sink)
}

fn ad_row(id: &str, title: &str, body: &str) -> AdRecord {
    serde_json::from_value(json!({
        "id": id,
        "site": "ads.example",
        "url": format!("https://ads.example/{id}"),
        "posted_at": "2026-03-02T08:00:00Z",
        "city": "Reno",
        "state": "NV",
        "title": title,
        "body": body,
    }))
    .unwrap()
}

async fn import_ads(app: &TestApp, rows: Vec<AdRecord>) {
    let n = rows.len();
    let labelled: Vec<(String, AdRecord)> = rows
        .into_iter()
        .map(|r| (format!("ad {}", r.id), r))
        .collect();
    let (counts, errors) = app.services.import_ads("test", &labelled).await.unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(counts.added as usize, n);
}

fn tip_row(id: &str, phone: &str) -> TipRecord {
    serde_json::from_value(json!({
        "id": id,
        "submitted_at": "2026-03-01T10:00:00Z",
        "incident_type": "Child Sex Trafficking",
        "when": "2026-02-27",
        "state": "NV",
        "country": "US",
        "narrative": "A girl at a motel was with an older man.",
        "people": [{"role": "adult", "phone": phone}],
    }))
    .unwrap()
}

async fn import_tip(app: &TestApp, row: TipRecord) {
    let labelled = vec![(format!("tip {}", row.id), row)];
    let (counts, errors) = app.services.import_tips("test", &labelled).await.unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(counts.added, 1);
}

async fn api(
    c: &crate::helpers::Client,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let res = c.send_json(method, path, body, None).await;
    let v = if res.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&res.body).unwrap_or_else(|_| panic!("{path}: {}", res.body))
    };
    (res.status, v)
}

async fn notifications(c: &crate::helpers::Client) -> Vec<Value> {
    let (status, v) = api(c, Method::GET, "/api/v1/notifications", None).await;
    assert_eq!(status, 200, "{v}");
    v["notifications"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_watched_phone_notifies_in_the_product_and_by_email_without_case_content() {
    let (app, sink) = app_with_mail().await;
    let analyst = app.login(Role::Analyst).await;

    let page = analyst.get("/watchlist").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("watchlist-empty"), "{}", page.body);

    // The watch, through the page's form, in another format than the ad's.
    let res = analyst
        .post_form(
            "/watchlist",
            &[
                ("kind", "phone"),
                ("value", "(212) 555-0147"),
                ("label", "the motel number"),
                ("days", ""),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let res = analyst
        .post_form("/watchlist/email", &[("email", "analyst@hotline.test")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = analyst.get("/watchlist").await;
    assert!(page.body.contains("+12125550147"), "{}", page.body);
    assert!(page.body.contains("the motel number"), "{}", page.body);
    // A supervisor watches another number: they hear nothing of this ad.
    let supervisor = app.login(Role::Supervisor).await;
    let (status, _) = api(
        &supervisor,
        Method::POST,
        "/api/v1/watches",
        Some(json!({"kind": "phone", "value": "+1 212 555 0199"})),
    )
    .await;
    assert_eq!(status, 201);
    assert!(notifications(&analyst).await.is_empty());

    import_ads(
        &app,
        vec![
            ad_row("ad-1", AD_TITLE, AD_BODY),
            ad_row("ad-2", "Other", "nothing to see"),
        ],
    )
    .await;

    // In the product at once: linking ran in the import, the notification with it.
    let list = notifications(&analyst).await;
    assert_eq!(list.len(), 1, "{list:?}");
    let n = &list[0];
    assert_eq!(n["record_kind"], "ad");
    let ad = n["record_id"].as_i64().unwrap();
    let id = n["id"].as_i64().unwrap();
    assert_eq!(
        n["reason"],
        format!("Ad #{ad} carries the phone +12125550147")
    );
    assert!(n["read_at"].is_null());
    assert_eq!(n["href"], format!("/links/record/ad/{ad}"));
    assert!(notifications(&supervisor).await.is_empty());
    let page = analyst.get("/notifications").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains(&format!("Ad #{ad} carries the phone +12125550147")),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!("/links/record/ad/{ad}")));
    assert!(analyst
        .get("/")
        .await
        .body
        .contains("You have 1 unread notification"));
    let one = analyst.get(&format!("/notifications/{id}")).await;
    assert_eq!(one.status, 200, "{}", one.body);

    // By e-mail, through the worker's job: a link, and nothing of the case.
    assert!(
        sink.mails().is_empty(),
        "sent off the import's path, by a job"
    );
    app.run_pending_jobs().await;
    let mails = sink.mails();
    assert_eq!(mails.len(), 1, "{mails:?}");
    let m = &mails[0];
    assert_eq!(m.to, vec!["analyst@hotline.test".to_owned()]);
    assert!(
        m.data.contains(&format!("{BASE_URL}/notifications/{id}")),
        "{}",
        m.data
    );
    let body = &m.data[m.data.find("\n\n").expect("headers end")..];
    for secret in [
        "2125550147",
        "212 555 0147",
        "555-0147",
        AD_TITLE,
        AD_BODY,
        "discreet",
        "motel number",
        "ad-1",
        "ads.example",
        "Reno",
    ] {
        assert!(
            !m.data.contains(secret),
            "the e-mail carries {secret:?}: {}",
            m.data
        );
    }
    for secret in ["555", "0147", "Ad #", "phone", "+1"] {
        assert!(
            !body.contains(secret),
            "the e-mail's body carries {secret:?}: {body}"
        );
    }
    // Sent once: running the jobs again sends nothing more.
    app.run_pending_jobs().await;
    assert_eq!(sink.mails().len(), 1);

    // Marked read.
    let (status, v) = api(
        &analyst,
        Method::POST,
        &format!("/api/v1/notifications/{id}/read"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert!(v["read_at"].is_string());
    let (_, v) = api(&analyst, Method::GET, "/api/v1/notifications", None).await;
    assert_eq!(v["unread"], 0);
    assert!(!analyst.get("/").await.body.contains("unread notification"));

    // The same ad linked again raises nothing new; another ad with the phone does.
    import_ads(&app, vec![ad_row("ad-3", "Back again", "text 2125550147")]).await;
    app.run_pending_jobs().await;
    let list = notifications(&analyst).await;
    assert_eq!(list.len(), 2, "{list:?}");
    assert!(list[0]["read_at"].is_null(), "unread first: {list:?}");
    assert_eq!(sink.mails().len(), 2);

    // Audited.
    let admin = app.login(Role::Administrator).await;
    let log = admin.get("/admin/audit?action=notification.*").await;
    assert!(log.body.contains("E-mailed the watcher"), "{}", log.body);
    let log = admin.get("/admin/audit?action=watch.*").await;
    assert!(log.body.contains("to their watchlist"), "{}", log.body);
}

#[tokio::test]
async fn an_expired_watch_notifies_nothing_until_renewed() {
    let (app, sink) = app_with_mail().await;
    let analyst = app.login(Role::Analyst).await;
    let (status, w) = api(
        &analyst,
        Method::POST,
        "/api/v1/watches",
        Some(json!({"kind": "phone", "value": "212-555-0147", "days": 1})),
    )
    .await;
    assert_eq!(status, 201, "{w}");
    assert_eq!(w["value"], "+12125550147");
    assert_eq!(w["expired"], false);
    let watch = w["id"].as_i64().unwrap();
    let res = analyst
        .post_form("/watchlist/email", &[("email", "analyst@hotline.test")])
        .await;
    assert_eq!(res.status, 303);

    app.clock.advance(Duration::from_secs(2 * 86_400));
    import_ads(&app, vec![ad_row("ad-1", AD_TITLE, AD_BODY)]).await;
    app.run_pending_jobs().await;
    let analyst = app.login(Role::Analyst).await;
    assert!(notifications(&analyst).await.is_empty());
    assert!(sink.mails().is_empty());
    let (_, v) = api(&analyst, Method::GET, "/api/v1/watches", None).await;
    assert_eq!(v["watches"][0]["expired"], true, "{v}");
    assert!(analyst
        .get("/watchlist")
        .await
        .body
        .contains("notifies nothing until renewed"));

    // Renewed, it notifies again.
    let (status, v) = api(
        &analyst,
        Method::POST,
        &format!("/api/v1/watches/{watch}/renew"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["expired"], false);
    assert!(v["renewed_at"].is_string());
    import_ads(&app, vec![ad_row("ad-2", "Again", "call 212 555 0147")]).await;
    app.run_pending_jobs().await;
    assert_eq!(notifications(&analyst).await.len(), 1);
    assert_eq!(sink.mails().len(), 1);
}

#[tokio::test]
async fn an_investigator_is_not_notified_of_records_not_made_available_to_their_agency() {
    let app = TestApp::spawn().await;
    let inv = app.login(Role::Investigator).await;
    let analyst = app.login(Role::Analyst).await;
    for c in [&inv, &analyst] {
        let (status, v) = api(
            c,
            Method::POST,
            "/api/v1/watches",
            Some(json!({"kind": "phone", "value": "702-555-0188"})),
        )
        .await;
        assert_eq!(status, 201, "{v}");
    }
    import_tip(&app, tip_row("tip-1", "702-555-0188")).await;
    import_ads(&app, vec![ad_row("ad-1", "Hello", "call 702 555 0188")]).await;
    app.run_pending_jobs().await;

    // The analyst sees both records; the investigator neither: the tip was not made
    // available to their agency and ads are the hotline's.
    assert_eq!(notifications(&analyst).await.len(), 2);
    assert!(notifications(&inv).await.is_empty());
    let page = inv.get("/notifications").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("notifications-empty"), "{}", page.body);
    // Nor may they watch a record they may not see.
    let (status, v) = api(
        &inv,
        Method::POST,
        "/api/v1/watches",
        Some(json!({"kind": "template", "value": "1"})),
    )
    .await;
    assert_eq!(status, 422, "{v}");
    // A caseworker has no watchlist at all.
    let cw = app.login(Role::Caseworker).await;
    assert_eq!(cw.get("/watchlist").await.status, 403);
}

#[tokio::test]
async fn watches_are_renewed_and_removed_and_another_persons_are_not_found() {
    let app = TestApp::spawn().await;
    let analyst = app.login(Role::Analyst).await;
    let supervisor = app.login(Role::Supervisor).await;
    let (status, w) = api(
        &analyst,
        Method::POST,
        "/api/v1/watches",
        Some(json!({"kind": "email", "value": "Someone@Example.COM", "label": "seller"})),
    )
    .await;
    assert_eq!(status, 201, "{w}");
    let id = w["id"].as_i64().unwrap();
    // Twice is a conflict; nonsense is refused with the field's problem.
    let (status, v) = api(
        &analyst,
        Method::POST,
        "/api/v1/watches",
        Some(json!({"kind": "email", "value": "someone@example.com"})),
    )
    .await;
    assert_eq!(status, 409, "{v}");
    let res = analyst
        .send_json(
            Method::POST,
            "/api/v1/watches",
            Some(json!({"kind": "phone", "value": "12"})),
            None,
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/problem+json"));
    let res = analyst
        .post_form("/watchlist", &[("kind", "phone"), ("value", "no")])
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("There is a problem"), "{}", res.body);

    // Not the supervisor's: not listed, not renewed, not removed.
    let (_, v) = api(&supervisor, Method::GET, "/api/v1/watches", None).await;
    assert_eq!(v["total"], 0, "{v}");
    assert!(!supervisor.get("/watchlist").await.body.contains("seller"));
    let (status, _) = api(
        &supervisor,
        Method::POST,
        &format!("/api/v1/watches/{id}/renew"),
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = api(
        &supervisor,
        Method::DELETE,
        &format!("/api/v1/watches/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        supervisor
            .post_form(&format!("/watchlist/{id}/remove"), &[])
            .await
            .status,
        404
    );

    // A notification of the analyst's is not the supervisor's either.
    import_ads(
        &app,
        vec![ad_row("ad-1", "Hi", "write to someone@example.com")],
    )
    .await;
    let list = notifications(&analyst).await;
    assert_eq!(list.len(), 1, "{list:?}");
    let n = list[0]["id"].as_i64().unwrap();
    assert_eq!(
        supervisor.get(&format!("/notifications/{n}")).await.status,
        404
    );
    let (status, _) = api(
        &supervisor,
        Method::POST,
        &format!("/api/v1/notifications/{n}/read"),
        None,
    )
    .await;
    assert_eq!(status, 404);

    // Renewed through the page, for a number of days.
    let res = analyst
        .post_form(&format!("/watchlist/{id}/renew"), &[("days", "30")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let (_, v) = api(&analyst, Method::GET, "/api/v1/watches", None).await;
    assert!(v["watches"][0]["renewed_at"].is_string(), "{v}");

    // Removed: gone from the list, its notification kept, and it notifies nothing more.
    let (status, _) = api(
        &analyst,
        Method::DELETE,
        &format!("/api/v1/watches/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (_, v) = api(&analyst, Method::GET, "/api/v1/watches", None).await;
    assert_eq!(v["total"], 0);
    import_ads(
        &app,
        vec![ad_row("ad-2", "Hi again", "someone@example.com")],
    )
    .await;
    assert_eq!(notifications(&analyst).await.len(), 1);
    assert!(analyst
        .get("/watchlist")
        .await
        .body
        .contains("watchlist-empty"));

    // The identifier's page offers to watch it.
    let page = analyst
        .get("/links/identifier/email/someone%40example.com")
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("id=\"watch-identifier\""),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("/watchlist?kind=email&#38;value=someone%40example.com#add"),
        "{}",
        page.body
    );
    let form = analyst
        .get("/watchlist?kind=email&value=someone%40example.com")
        .await;
    assert!(
        form.body.contains("value=\"someone@example.com\""),
        "{}",
        form.body
    );
}

#[tokio::test]
async fn a_watched_case_person_and_template_notify_of_records_linked_to_them() {
    let app = TestApp::spawn().await;
    let case = json!({
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
    let template = "New in town. Sweet and fun, available all night. Text me for rates, no police. Outcalls only in the downtown area.";
    import_ads(
        &app,
        vec![ad_row(
            "t-1",
            "Sweet girl",
            &format!("{template} 775-555-0101"),
        )],
    )
    .await;

    let analyst = app.login(Role::Analyst).await;
    let page = analyst.get("/cases/1").await;
    assert!(
        page.body
            .contains("href=\"/watchlist?kind=case&amp;value=CH-000001#add\" id=\"watch-case\""),
        "{}",
        page.body
    );
    for (kind, value) in [
        ("case", "CH-000001"),
        ("person", "CH-000001"),
        ("template", "1"),
    ] {
        let (status, v) = api(
            &analyst,
            Method::POST,
            "/api/v1/watches",
            Some(json!({"kind": kind, "value": value})),
        )
        .await;
        assert_eq!(status, 201, "{kind}: {v}");
    }
    // A case that does not exist cannot be watched.
    let (status, _) = api(
        &analyst,
        Method::POST,
        "/api/v1/watches",
        Some(json!({"kind": "case", "value": "CH-000099"})),
    )
    .await;
    assert_eq!(status, 422);

    let tip: TipRecord = serde_json::from_value(json!({
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
    import_tip(&app, tip).await;
    import_ads(
        &app,
        vec![ad_row(
            "t-2",
            "Sweet girl",
            &format!("{template} 🌹 702-555-0102"),
        )],
    )
    .await;

    let list = notifications(&analyst).await;
    let reasons: Vec<&str> = list.iter().map(|n| n["reason"].as_str().unwrap()).collect();
    assert_eq!(list.len(), 3, "{reasons:?}");
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("Report #") && r.contains("is linked to case CH-000001")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("names a child who is probably the person in CH-000001")),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&"Ad #2 was written from the template of ad #1"),
        "{reasons:?}"
    );
}
