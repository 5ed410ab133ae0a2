//! `TestApp`: a running server with one account per role, and a small HTTP client that
//! keeps cookies and fills in CSRF tokens the way a browser form would.

use domain::{OrgKind, Role};
use service::accounts::{Actor, NewAccount};
use service::{Clock, SecuritySettings, Services};
use std::collections::HashMap;
use store::testing::TestDb;

pub const PASSWORD: &str = "a long test passphrase 42";
/// The operator's token for `/metrics` in every test server.
pub const METRICS_TOKEN: &str = "metrics-token-of-the-test-servers-0123456789";

pub struct TestApp {
    pub base: String,
    pub services: Services,
    pub clock: Clock,
    pub db: TestDb,
    pub files: tempfile::TempDir,
    pub usernames: HashMap<Role, String>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

#[derive(Default)]
pub struct Options {
    pub require_second_factor: bool,
    /// The upload limit (default 8 MiB).
    pub max_file_bytes: Option<u64>,
    /// `security.attempts_per_minute` and `attempts_burst` (default: high enough that
    /// tests signing in or failing many times from 127.0.0.1 are not limited).
    pub attempts_per_minute: Option<i64>,
    /// The server's connection limits (default: `ServeLimits::default()`).
    pub serve_limits: Option<web::ServeLimits>,
    /// Mark cookies `Secure` with the `__Host-` prefix, as a deployment over TLS does
    /// (reqwest's cookie store then keeps them from this plain-HTTP server).
    pub secure_cookies: bool,
    /// Watchlists (issue 24): watch length and the SMTP server (default: none).
    pub watchlists: Option<service::WatchlistSettings>,
    /// Retention (issue 25): the periods (default: everything kept for ever).
    pub retention: Option<domain::retention::RetentionPolicy>,
}

/// The organisation each role's test account belongs to.
pub fn org_for(role: Role) -> &'static str {
    match role {
        Role::Administrator | Role::Supervisor | Role::Analyst | Role::RecoverySpecialist => {
            "Test Hotline"
        }
        Role::Investigator => "Agency A",
        Role::Caseworker => "Test Child Welfare",
        Role::Volunteer => "Test Partner",
        Role::ProviderApi => "Test Provider",
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(opts: Options) -> TestApp {
        let db = TestDb::new().await;
        let store = db.store().await;
        let clock = Clock::system();
        let settings = SecuritySettings {
            require_second_factor: opts.require_second_factor,
            attempts_per_minute: opts.attempts_per_minute.unwrap_or(100_000),
            attempts_burst: opts.attempts_per_minute.unwrap_or(100_000),
            ..SecuritySettings::default()
        };
        let files_dir = tempfile::tempdir().expect("file store directory");
        let key = blob::Key::generate();
        let sealer = blob::Sealer::new(&key);
        let files = service::Files {
            store: std::sync::Arc::new(
                blob::DirStore::new(files_dir.path(), key).expect("file store"),
            ),
            max_bytes: opts.max_file_bytes.unwrap_or(8 * 1024 * 1024),
        };
        let mut services = Services::new(store, settings, clock.clone(), files, sealer);
        if let Some(w) = opts.watchlists {
            services.watchlists = w;
        }
        if let Some(r) = opts.retention {
            services.retention = r;
        }
        services
            .load_catalogue()
            .await
            .expect("indicator catalogue");
        for (name, kind) in [
            ("Test Hotline", OrgKind::Hotline),
            ("Agency A", OrgKind::LawEnforcement),
            ("Agency B", OrgKind::LawEnforcement),
            ("Test Child Welfare", OrgKind::ChildWelfare),
            ("Test Provider", OrgKind::Provider),
            ("Test Partner", OrgKind::Partner),
        ] {
            services
                .create_org(&Actor::Operator, name, kind, None)
                .await
                .expect("org");
        }
        let mut usernames = HashMap::new();
        for role in Role::ALL {
            let username = role.as_str().to_owned();
            services
                .create_user(
                    &Actor::Operator,
                    NewAccount {
                        org_name: org_for(role),
                        username: &username,
                        display_name: role.label(),
                        role,
                        password: PASSWORD,
                    },
                    None,
                )
                .await
                .expect("user");
            usernames.insert(role, username);
        }
        // An account that administrative routes may change without disturbing the others.
        services
            .create_user(
                &Actor::Operator,
                NewAccount {
                    org_name: "Test Hotline",
                    username: "target-user",
                    display_name: "Target User",
                    role: Role::Analyst,
                    password: PASSWORD,
                },
                None,
            )
            .await
            .expect("target user");

        let state = web::AppState::new(
            services.clone(),
            web::WebConfig {
                demo: false,
                secure_cookies: opts.secure_cookies,
                metrics_token: Some(METRICS_TOKEN.to_owned()),
                ..web::WebConfig::default()
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let limits = opts.serve_limits.unwrap_or_default();
        tokio::spawn(async move {
            let _ = web::serve(listener, state, limits, async move {
                let _ = rx.await;
            })
            .await;
        });
        TestApp {
            base: format!("http://{addr}"),
            services,
            clock,
            db,
            files: files_dir,
            usernames,
            shutdown: Some(tx),
        }
    }

    /// Runs the background jobs committed so far (linking tips and finished reports), as
    /// the server's worker would. `TestApp` starts no worker, so nothing races a test:
    /// what a job does happens here, when the test says. Fails if a job failed.
    pub async fn run_pending_jobs(&self) -> usize {
        let ran = self
            .services
            .run_pending_jobs()
            .await
            .expect("run background jobs");
        let left = self
            .services
            .job_counts_unchecked()
            .await
            .expect("count jobs");
        assert_eq!(
            (left.pending, left.running, left.failed),
            (0, 0, 0),
            "background jobs left after running them: one failed (it waits for a retry, or failed for good)"
        );
        ran
    }

    /// A new investigator of Agency B (`investigator-b`), signed in: a second agency.
    pub async fn login_investigator_b(&self) -> Client {
        self.services
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
            .expect("investigator of agency B");
        let c = self.client();
        let res = c.login("investigator-b", PASSWORD).await;
        assert_eq!(res.status, 303, "{}", res.body);
        c
    }

    pub fn client(&self) -> Client {
        Client {
            base: self.base.clone(),
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
        }
    }

    /// A client signed in as the test account of `role` (second factor not handled).
    pub async fn login(&self, role: Role) -> Client {
        let c = self.client();
        let res = c.login(&self.usernames[&role], PASSWORD).await;
        assert_eq!(res.status, 303, "login as {role} failed: {}", res.body);
        c
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
}

#[derive(Debug)]
pub struct Res {
    pub status: u16,
    pub location: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Res {
    pub fn redirects_to_login(&self) -> bool {
        (300..400).contains(&self.status)
            && self
                .location
                .as_deref()
                .is_some_and(|l| l.starts_with("/login"))
    }
}

async fn into_res(r: reqwest::Response) -> Res {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let location = headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = r.text().await.unwrap_or_default();
    Res {
        status,
        location,
        headers,
        body,
    }
}

/// The entries of the audit page (`/admin/audit`), without its filter form, whose
/// choices name every action.
pub fn audit_table(html: &str) -> &str {
    let Some(start) = html.find("id=\"audit-entries\"") else {
        return "";
    };
    let rest = &html[start..];
    &rest[..rest.find("</table>").unwrap_or(rest.len())]
}

/// The CSRF token a page carries in `<meta name="csrf-token">`.
pub fn meta_csrf(html: &str) -> Option<String> {
    let i = html.find("name=\"csrf-token\" content=\"")? + "name=\"csrf-token\" content=\"".len();
    let rest = &html[i..];
    Some(rest[..rest.find('"')?].to_owned())
}

impl Client {
    pub async fn get(&self, path: &str) -> Res {
        into_res(
            self.http
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .expect("GET"),
        )
        .await
    }

    /// A download, as bytes: (status, headers, body).
    pub async fn get_bytes(&self, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        (status, headers, r.bytes().await.expect("body").to_vec())
    }

    pub async fn get_with_token(&self, path: &str, token: &str) -> Res {
        into_res(
            self.http
                .get(format!("{}{path}", self.base))
                .bearer_auth(token)
                .send()
                .await
                .expect("GET"),
        )
        .await
    }

    /// Where a redirect leads, as a browser follows it (the page an action lands on).
    pub async fn follow(&self, res: &Res) -> Res {
        assert!(
            (300..400).contains(&res.status),
            "expected a redirect, got {}: {}",
            res.status,
            res.body
        );
        self.get(res.location.as_deref().expect("a Location header"))
            .await
    }

    /// The CSRF token of the current session (or of the anonymous visitor).
    pub async fn csrf(&self) -> String {
        let mut res = self.get("/").await;
        for _ in 0..3 {
            if let Some(t) = meta_csrf(&res.body) {
                return t;
            }
            let Some(loc) = res.location.clone() else {
                break;
            };
            res = self.get(&loc).await;
        }
        panic!("no CSRF token found: {} {}", res.status, res.body)
    }

    /// Posts a form with the session's CSRF token, like a browser submitting a page's form.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Res {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_form_raw(path, &all).await
    }

    /// Posts exactly these fields (no CSRF token added).
    pub async fn post_form_raw(&self, path: &str, fields: &[(&str, &str)]) -> Res {
        into_res(
            self.http
                .post(format!("{}{path}", self.base))
                .form(fields)
                .send()
                .await
                .expect("POST"),
        )
        .await
    }

    pub async fn login(&self, username: &str, password: &str) -> Res {
        self.post_form(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }

    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
        token: Option<&str>,
    ) -> Res {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        match token {
            Some(t) => req = req.bearer_auth(t),
            None => req = req.header("x-csrf-token", self.csrf().await),
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        into_res(req.send().await.expect("request")).await
    }
}
