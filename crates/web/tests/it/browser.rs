//! The web shell in a real headless Chromium, driven over WebDriver: sign in, see the
//! dashboard, try a page the role may not see, sign out. The test command installs
//! Chromium and ChromeDriver; without them this test fails and says how to install them.

use crate::helpers::{TestApp, PASSWORD};
use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> Browser {
        Self::start_with(None).await
    }

    /// A browser that saves downloads into `dir` without asking.
    pub async fn start_downloading_to(dir: &std::path::Path) -> Browser {
        Self::start_with(Some(dir)).await
    }

    async fn start_with(downloads: Option<&std::path::Path>) -> Browser {
        store::install_tls_provider();
        let driver_bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let chrome_bin = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {driver_bin} ({e}): install Chromium and its driver with `apt-get install chromium chromium-driver`, or run the README's test command, which does"));
        let profile = tempfile::tempdir().unwrap();
        let mut caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": chrome_bin,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                         "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         format!("--user-data-dir={}", profile.path().display())]
            }
        });
        if let Some(dir) = downloads {
            caps["goog:chromeOptions"]["prefs"] = serde_json::json!({
                "download.default_directory": dir.display().to_string(),
                "download.prompt_for_download": false,
                "download.directory_upgrade": true,
            });
        }
        let caps = caps.as_object().unwrap().clone();
        let mut last = None;
        for _ in 0..50 {
            match ClientBuilder::rustls()
                .expect("tls")
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => {
                    return Browser {
                        client,
                        driver,
                        _profile: profile,
                    }
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("could not start headless Chromium through {driver_bin}: {last:?}");
    }

    /// Waits until the element's text contains `expected` (pages load asynchronously
    /// after a click), and returns it.
    pub async fn wait_text(&self, css: &str, expected: &str) -> String {
        let mut last = String::new();
        for _ in 0..100 {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                if let Ok(t) = el.text().await {
                    if t.contains(expected) {
                        return t;
                    }
                    last = t;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("`{css}` never showed {expected:?}; last text: {last:?}");
    }

    /// With `CLEARINGHOUSE_SCREENSHOTS=DIR`, saves the current page at desktop (1366 px)
    /// and phone (390 px) width as `DIR/NAME-1366.png` and `DIR/NAME-390.png`, for people
    /// to look at; without it, does nothing.
    pub async fn screenshots(&self, name: &str) {
        let Some(dir) = std::env::var_os("CLEARINGHOUSE_SCREENSHOTS") else {
            return;
        };
        for width in [1366u32, 390] {
            self.client.set_window_size(width, 2400).await.unwrap();
            let png = self.client.screenshot().await.unwrap();
            std::fs::write(
                std::path::Path::new(&dir).join(format!("{name}-{width}.png")),
                png,
            )
            .unwrap();
        }
        self.client.set_window_size(1366, 900).await.unwrap();
    }

    pub async fn stop(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

#[tokio::test]
async fn sign_in_see_the_dashboard_meet_a_locked_door_and_sign_out() {
    let app = TestApp::spawn().await;
    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/", app.base)).await.unwrap();
    assert!(c.current_url().await.unwrap().path().starts_with("/login"));
    b.submit_sign_in("analyst").await;

    b.wait_text("main h1", "Welcome, Hotline analyst").await;
    let nav = b.wait_text("nav[aria-label=Main]", "Reports").await;
    assert!(
        nav.contains("Reports") && nav.contains("Link analysis"),
        "{nav}"
    );
    assert!(
        !nav.contains("Users") && !nav.contains("Audit log"),
        "{nav}"
    );

    c.goto(&format!("{}/admin/users", app.base)).await.unwrap();
    b.wait_text("main h1", "You do not have access to this")
        .await;

    // Keyboard users can skip to the content.
    assert!(c
        .find(Locator::Css("a.skip-link[href='#main']"))
        .await
        .is_ok());

    c.find(Locator::Css("form[action='/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_text("main .alert", "You are signed out.").await;
    c.goto(&format!("{}/", app.base)).await.unwrap();
    assert!(c.current_url().await.unwrap().path().starts_with("/login"));
    b.stop().await;
}

impl Browser {
    /// Fills in and sends the sign-in form of the current page.
    pub async fn submit_sign_in(&self, username: &str) {
        self.fill("#username", username).await;
        self.fill("#password", PASSWORD).await;
        self.client
            .find(Locator::Css("form[action='/login'] button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    pub async fn sign_in(&self, base: &str, username: &str) {
        self.client.goto(&format!("{base}/login")).await.unwrap();
        self.submit_sign_in(username).await;
        self.wait_text("main h1", "Welcome").await;
    }

    pub async fn fill(&self, css: &str, text: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_tip_filed_through_the_public_form_appears_in_the_analysts_list() {
    let app = TestApp::spawn().await;
    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/", app.base)).await.unwrap();
    // The way in for the public is on the sign-in page everyone lands on.
    c.find(Locator::Css("a[href='/tip']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_text("main .alert", "call 911").await;
    c.find(Locator::Css("#incident_type"))
        .await
        .unwrap()
        .select_by_value("Child Sex Trafficking")
        .await
        .unwrap();
    b.fill(
        "#what_happened",
        "A girl at the motel said an older man holds her ID. lanternmoss",
    )
    .await;
    b.fill("#child_age", "16").await;
    b.fill("#other_screen_names", "example_handle_77").await;
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
    c.find(Locator::Css("form[action='/tip'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_text("main h1", "Your report was received").await;
    let number = b.wait_text("#report-number", "").await;
    assert!(number.trim().parse::<i64>().is_ok(), "{number}");

    b.sign_in(&app.base, "analyst").await;
    c.goto(&format!("{}/reports?q=lanternmoss", app.base))
        .await
        .unwrap();
    let table = b.wait_text("main table", "Public tip").await;
    assert!(table.contains(&format!("#{}", number.trim())), "{table}");
    c.find(Locator::Css(&format!(
        "a[href='/reports/{}']",
        number.trim()
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let main = b.wait_text("main", "lanternmoss").await;
    assert!(main.contains("example_handle_77"), "{main}");
    // The place is the reporter's; the page, not the data, says where it came from.
    assert!(main.contains("Sent through the public tip form"), "{main}");
    assert!(
        !main.contains("Where it happened, as given by the reporter"),
        "{main}"
    );
    // The queue says how long the tip has waited in words.
    c.goto(&format!("{}/reports?q=lanternmoss", app.base))
        .await
        .unwrap();
    let table = b.wait_text("main table", "less than a minute").await;
    assert!(
        !table.contains(" min\n") && !table.contains(" d\n"),
        "{table}"
    );
    b.stop().await;
}

/// A peer-support volunteer is offered Hope Bags, whose stock they keep, and family support
/// (their own families), and none of the areas still to be built, whose addresses are not
/// found.
#[tokio::test]
async fn a_volunteer_is_offered_hope_bags_and_no_empty_area() {
    let app = TestApp::spawn().await;
    let b = Browser::start().await;
    let c = &b.client;
    b.sign_in(&app.base, "volunteer").await;
    let nav = b.wait_text("nav[aria-label=Main]", "Hope Bags").await;
    let main = b.wait_text("main", "Hope Bags").await;
    assert!(!main.contains("Nothing to do here yet"), "{main}");
    assert!(nav.contains("Family support"), "{nav}");
    // Training is built (issue 22): every person on staff is offered its catalogue.
    assert!(nav.contains("Training"), "{nav}");
    for label in ["Statistics", "Recovery"] {
        assert!(
            !nav.contains(label) && !main.contains(label),
            "{label}: {nav} / {main}"
        );
    }
    // Providers' own submissions (issue 24) are a provider's door, locked to a volunteer.
    assert!(!nav.contains("Your submissions"), "{nav}");
    c.goto(&format!("{}/submissions", app.base)).await.unwrap();
    b.wait_text("main h1", "You do not have access to this")
        .await;
    b.stop().await;
}

/// Every string of the report's model that can carry free text gets the payloads; fields
/// whose type forbids them (dates, codes, enumerations) are left as they were.
fn poisoned_report() -> String {
    const PAYLOAD: &str = "<script>document.title='XSS'</script><img src=x onerror=\"document.title='XSS'\">\"><svg onload=document.title='XSS'>";
    let xml = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../cybertip/tests/fixtures/report_full.xml"),
    )
    .unwrap();
    let report = cybertip::parse_report(&xml, &cybertip::Limits::default()).unwrap();
    let mut value = serde_json::to_value(&report).unwrap();
    fn paths(v: &serde_json::Value, at: Vec<String>, out: &mut Vec<Vec<String>>) {
        match v {
            serde_json::Value::String(_) => out.push(at),
            serde_json::Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| {
                let mut p = at.clone();
                p.push(i.to_string());
                paths(x, p, out)
            }),
            serde_json::Value::Object(m) => m.iter().for_each(|(k, x)| {
                let mut p = at.clone();
                p.push(k.clone());
                paths(x, p, out)
            }),
            _ => {}
        }
    }
    let mut all = Vec::new();
    paths(&value, Vec::new(), &mut all);
    let mut poisoned = 0;
    for path in all {
        let pointer = format!("/{}", path.join("/"));
        let before = value.pointer(&pointer).unwrap().clone();
        let s = before.as_str().unwrap();
        let candidate = if s.starts_with("http") {
            format!("javascript:document.title='XSS'//{PAYLOAD}")
        } else {
            format!("{s}{PAYLOAD}")
        };
        *value.pointer_mut(&pointer).unwrap() = serde_json::Value::String(candidate);
        let ok = serde_json::from_value::<cybertip::Report>(value.clone()).is_ok_and(|r| {
            let x = cybertip::to_xml(&r);
            cybertip::parse_report(x.as_bytes(), &cybertip::Limits::default()).is_ok()
        });
        if ok {
            poisoned += 1;
        } else {
            *value.pointer_mut(&pointer).unwrap() = before;
        }
    }
    assert!(poisoned > 50, "only {poisoned} fields took the payload");
    cybertip::to_xml(&serde_json::from_value(value).unwrap())
}

#[tokio::test]
async fn stored_script_in_every_text_field_is_shown_as_text_and_never_runs() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::new();
    let body = http
        .post(format!("{}/ispws/submit", app.base))
        .basic_auth("provider-api", Some(PASSWORD))
        .header("content-type", "text/xml")
        .body(poisoned_report())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let id: i64 = body
        .split("<reportId>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{body}"));
    let done = http
        .post(format!("{}/ispws/finish", app.base))
        .basic_auth("provider-api", Some(PASSWORD))
        .form(&[("id", id.to_string())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(done.contains("<responseCode>0</responseCode>"), "{done}");
    // A public tip carrying the payload in every field of the form, too.
    let visitor = app.client();
    const P: &str =
        "<script>document.title='XSS'</script><img src=x onerror=\"document.title='XSS'\">";
    let tip_fields = [
        "what_happened",
        "city",
        "child_name",
        "child_phone",
        "child_screen_names",
        "child_description",
        "other_name",
        "other_phone",
        "other_screen_names",
        "other_description",
        "urls",
        "reporter_name",
        "reporter_phone",
    ];
    let mut fields = vec![("incident_type", "Child Sex Trafficking")];
    // Phone fields are short: a shorter payload.
    fields.extend(tip_fields.iter().map(|f| {
        (
            *f,
            if f.ends_with("phone") {
                "<script>alert(1)</script>"
            } else {
                P
            },
        )
    }));
    let res = visitor.post_form("/tip", &fields).await;
    assert_eq!(res.status, 200, "{}", res.body);

    let b = Browser::start().await;
    let c = &b.client;
    b.sign_in(&app.base, "analyst").await;
    for path in [
        "/reports".to_owned(),
        format!("/reports/{id}"),
        format!("/reports/{}", id + 1),
    ] {
        c.goto(&format!("{}{path}", app.base)).await.unwrap();
        let main = b.wait_text("main", "").await;
        let state = c
            .execute(
                "return [document.title, document.querySelectorAll('main img, main svg, main script, a[href^=\"javascript\"]').length];",
                vec![],
            )
            .await
            .unwrap();
        assert_ne!(state[0], "XSS", "a payload ran on {path}");
        assert_eq!(
            state[1], 0,
            "markup from a report became elements on {path}"
        );
        if path != "/reports" {
            assert!(
                main.contains("<script>document.title='XSS'</script>"),
                "{path} does not show the text: {main}"
            );
        }
    }
    b.stop().await;
}
