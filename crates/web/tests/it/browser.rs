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
        let caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": chrome_bin,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                         "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         format!("--user-data-dir={}", profile.path().display())]
            }
        });
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
    c.find(Locator::Css("#username"))
        .await
        .unwrap()
        .send_keys("analyst")
        .await
        .unwrap();
    c.find(Locator::Css("#password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("form[action='/login'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

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
