//! Crash durability on the real binary, killed with SIGKILL.
//!
//! - A returned `reportId` means the report is committed: sixteen clients submit reports
//!   while the server is killed; after a restart every acknowledged report is in the
//!   database and the audit chain is intact.
//! - A finished report's linking is committed with it: the server is killed after a
//!   provider finished a report carrying a missing child's phone and before the report was
//!   linked (its worker off); after a normal restart the alert on the child's case appears.
//! - Hope Bags fulfilments are all-or-nothing: the server is killed while many fulfilments
//!   are in flight; after a restart each location's on-hand equals its ledger's sum and
//!   the initial stock less the fulfilled requests, every fulfilled request has its one
//!   ledger line, and every acknowledged fulfilment is there.
//!
//! Each runs on SQLite, and on PostgreSQL in the tests marked `#[ignore]`: those need
//! `CLEARINGHOUSE_TEST_POSTGRES_URL` (a server where the user may create databases) and run
//! with `cargo test -p clearinghouse --test durability -- --ignored`, as `scripts/test`
//! does; without the variable they fail rather than pass without testing anything.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const POSTGRES_ENV: &str = "CLEARINGHOUSE_TEST_POSTGRES_URL";
const CLIENTS: usize = 16;
const PROVIDER_PASSWORD: &str = "durability test passphrase 7";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_clearinghouse"));
    // The test environment may select a database for the suite; this test chooses its own.
    for (k, _) in std::env::vars() {
        if k.starts_with("CLEARINGHOUSE_") {
            c.env_remove(k);
        }
    }
    c.env("CLEARINGHOUSE_SECURE_COOKIES", "false");
    c
}

/// Where the server keeps its data: a temporary directory, and a database URL for
/// PostgreSQL (SQLite lives in the directory).
struct Target {
    dir: tempfile::TempDir,
    database_url: Option<String>,
}

impl Target {
    fn args(&self) -> Vec<String> {
        let mut a = vec![
            "--data-dir".to_owned(),
            self.dir.path().display().to_string(),
        ];
        if let Some(url) = &self.database_url {
            a.push("--database-url".into());
            a.push(url.clone());
        }
        a
    }

    fn sqlite_file(&self) -> PathBuf {
        self.dir.path().join("clearinghouse.db")
    }
}

fn admin(target: &Target, args: &[&str], stdin: Option<&str>) {
    let mut cmd = bin();
    cmd.arg("admin")
        .args(args)
        .args(target.args())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn clearinghouse admin");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "clearinghouse admin {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn create_provider(target: &Target) {
    admin(
        target,
        &[
            "create-org",
            "--name",
            "Durable Provider",
            "--kind",
            "provider",
        ],
        None,
    );
    admin(
        target,
        &[
            "create-user",
            "--org",
            "Durable Provider",
            "--username",
            "prov",
            "--role",
            "provider-api",
        ],
        Some(&format!("{PROVIDER_PASSWORD}\n")),
    );
}

/// A running `clearinghouse serve`; killed (SIGKILL) when dropped, so a failed assertion
/// never leaves a server behind.
struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    async fn start(target: &Target, tag: &str) -> Server {
        Server::start_with(target, tag, &[]).await
    }

    /// With configuration from environment variables, as an operator would set it.
    async fn start_with(target: &Target, tag: &str, env: &[(&str, &str)]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = target.dir.path().join(format!("serve-{tag}.log"));
        let child = bin()
            .envs(env.iter().copied())
            .arg("serve")
            .args(target.args())
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("spawn clearinghouse serve");
        let mut server = Server { child, port, log };
        server.wait_ready().await;
        server
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    async fn wait_ready(&mut self) {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "the server exited ({status}) before it was ready:\n{}",
                    self.log_text()
                );
            }
            if let Ok(r) = client.get(format!("{}/readyz", self.base())).send().await {
                if r.status().is_success() {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "the server did not answer /readyz within 20 s:\n{}",
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL: no graceful shutdown, no chance to flush anything.
    fn kill(&mut self) {
        self.child.kill().expect("SIGKILL the server");
        self.child.wait().expect("reap the server");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `admin` with its database replaced by `name`, keeping any `?query` (such as
/// `options=-c synchronous_commit=off`).
fn database_url(admin: &str, name: &str) -> String {
    let (path, query) = match admin.split_once('?') {
        Some((p, q)) => (p, format!("?{q}")),
        None => (admin, String::new()),
    };
    let base = path.rsplit_once('/').map(|(b, _)| b).unwrap_or(path);
    format!("{base}/{name}{query}")
}

/// A fresh PostgreSQL database, dropped at the end (also on panic).
struct PgDb {
    admin: String,
    name: String,
    url: String,
}

impl PgDb {
    async fn create(admin: &str) -> PgDb {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let name = format!(
            "ch_test_durability_{:x}{:x}",
            std::process::id(),
            nanos & 0xffff_ffff_ffff
        );
        store::install_tls_provider();
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(admin)
            .await
            .unwrap_or_else(|e| panic!("{POSTGRES_ENV}={admin}: cannot connect: {e}"));
        sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        PgDb {
            admin: admin.to_owned(),
            url: database_url(admin, &name),
            name,
        }
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        // Drop runs inside the test's runtime; a runtime of its own on another thread.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                store::install_tls_provider();
                if let Ok(mut c) = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await {
                    let _ = sqlx::Executor::execute(
                        &mut c,
                        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
                    )
                    .await;
                }
            });
        })
        .join();
    }
}

fn fixtures() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cybertip/tests/fixtures");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name.starts_with("report_") && name.ends_with(".xml"))
                .then(|| (name, std::fs::read(e.path()).unwrap()))
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no report fixtures in {}", dir.display());
    out.into_iter().map(|(_, b)| b).collect()
}

/// The `reportId` of a successful `reportResponse`, or why it is not one.
fn report_id(body: &str) -> Result<i64, String> {
    let tag = |t: &str| {
        let open = format!("<{t}>");
        let start = body.find(&open)? + open.len();
        let end = start + body[start..].find(&format!("</{t}>"))?;
        Some(body[start..end].trim().to_owned())
    };
    match tag("responseCode").as_deref() {
        Some("0") => tag("reportId")
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("success without a reportId: {body}")),
        _ => Err(format!("not a success: {body}")),
    }
}

#[derive(Default)]
struct Load {
    acknowledged: Mutex<Vec<i64>>,
    in_flight: AtomicUsize,
    killed: AtomicBool,
    /// Failures before the kill (after it, failed requests are expected).
    failures: Mutex<Vec<String>>,
}

async fn client_loop(base: String, load: Arc<Load>, fixtures: Arc<Vec<Vec<u8>>>, n: usize) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let url = format!("{base}/ispws/submit");
    let mut i = n;
    while !load.killed.load(Ordering::SeqCst) {
        let body = fixtures[i % fixtures.len()].clone();
        i += 1;
        load.in_flight.fetch_add(1, Ordering::SeqCst);
        let result = client
            .post(&url)
            .basic_auth("prov", Some(PROVIDER_PASSWORD))
            .header("content-type", "text/xml")
            .body(body)
            .send()
            .await;
        let outcome = match result {
            Ok(r) => {
                let status = r.status();
                match r.text().await {
                    Ok(text) if status.is_success() => report_id(&text),
                    Ok(text) => Err(format!("HTTP {status}: {text}")),
                    Err(e) => Err(format!("reading the answer: {e}")),
                }
            }
            Err(e) => Err(format!("sending: {e}")),
        };
        load.in_flight.fetch_sub(1, Ordering::SeqCst);
        match outcome {
            Ok(id) => load.acknowledged.lock().unwrap().push(id),
            Err(why) => {
                if !load.killed.load(Ordering::SeqCst) {
                    load.failures.lock().unwrap().push(why);
                }
                return;
            }
        }
    }
}

/// The ids of all reports in the database, read directly (not through the server).
async fn stored_ids(target: &Target) -> HashSet<i64> {
    let ids: Vec<i64> = match &target.database_url {
        Some(url) => {
            store::install_tls_provider();
            let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(url)
                .await
                .unwrap_or_else(|e| panic!("connect to {url}: {e}"));
            sqlx::query_scalar("SELECT id FROM reports")
                .fetch_all(&mut c)
                .await
                .unwrap()
        }
        None => {
            let url = format!("sqlite://{}?mode=ro", target.sqlite_file().display());
            let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
                .await
                .unwrap_or_else(|e| panic!("open {url}: {e}"));
            sqlx::query_scalar("SELECT id FROM reports")
                .fetch_all(&mut c)
                .await
                .unwrap()
        }
    };
    ids.into_iter().collect()
}

async fn acknowledged_reports_survive_sigkill(target: Target) {
    create_provider(&target);
    let mut server = Server::start(&target, "first").await;

    let load = Arc::new(Load::default());
    let fixtures = Arc::new(fixtures());
    let clients: Vec<_> = (0..CLIENTS)
        .map(|n| {
            tokio::spawn(client_loop(
                server.base(),
                load.clone(),
                fixtures.clone(),
                n,
            ))
        })
        .collect();

    // Let the load run for a while (and past the first argon2 checks of the password),
    // then kill the server while requests are in flight.
    let started = Instant::now();
    let deadline = started + Duration::from_secs(10);
    loop {
        let acked = load.acknowledged.lock().unwrap().len();
        let failures = load.failures.lock().unwrap().clone();
        assert!(
            failures.is_empty(),
            "submissions failed before the kill: {:?}\n{}",
            &failures[..failures.len().min(5)],
            server.log_text()
        );
        if started.elapsed() >= Duration::from_millis(1500) && acked >= 50 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {acked} submissions acknowledged in 10 s:\n{}",
            server.log_text()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Wait (briefly) for a moment with requests in flight, so the kill lands mid-request.
    let until = Instant::now() + Duration::from_secs(1);
    while load.in_flight.load(Ordering::SeqCst) == 0 && Instant::now() < until {
        tokio::task::yield_now().await;
    }
    let in_flight = load.in_flight.load(Ordering::SeqCst);
    load.killed.store(true, Ordering::SeqCst);
    server.kill();
    let failures = load.failures.lock().unwrap().clone();
    assert!(
        failures.is_empty(),
        "submissions failed before the kill: {:?}",
        &failures[..failures.len().min(5)]
    );

    for c in clients {
        tokio::time::timeout(Duration::from_secs(15), c)
            .await
            .expect("a client did not stop within 15 s of the kill")
            .expect("client task panicked");
    }
    let acknowledged = load.acknowledged.lock().unwrap().clone();
    let unique: HashSet<i64> = acknowledged.iter().copied().collect();
    assert_eq!(
        unique.len(),
        acknowledged.len(),
        "a reportId was given to two submissions"
    );
    eprintln!(
        "{} reports acknowledged, {in_flight} requests in flight at the kill",
        acknowledged.len()
    );

    // Restart on the same data: the server recovers and every acknowledged report is there.
    let restarted = Server::start(&target, "second").await;
    let stored = stored_ids(&target).await;
    let missing: Vec<i64> = acknowledged
        .iter()
        .copied()
        .filter(|id| !stored.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged reports are missing after the crash, e.g. {:?}",
        missing.len(),
        acknowledged.len(),
        &missing[..missing.len().min(10)]
    );

    // The restarted server takes new submissions, with ids not reused.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let text = client
        .post(format!("{}/ispws/submit", restarted.base()))
        .basic_auth("prov", Some(PROVIDER_PASSWORD))
        .body(fixtures[0].clone())
        .send()
        .await
        .expect("submit after restart")
        .text()
        .await
        .unwrap();
    let id = report_id(&text).unwrap_or_else(|e| panic!("submit after restart: {e}"));
    assert!(!unique.contains(&id), "reportId {id} was given out twice");
    drop(restarted);

    // The audit chain survived the crash too.
    let out = bin()
        .args(["admin", "verify-audit"])
        .args(target.args())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && text.contains("intact"),
        "verify-audit after the crash: {text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_reports_survive_sigkill_on_sqlite() {
    let target = Target {
        dir: tempfile::tempdir().unwrap(),
        database_url: None,
    };
    acknowledged_reports_survive_sigkill(target).await;
}

/// The PostgreSQL server the PostgreSQL runs use; they fail without it.
fn postgres_admin_url() -> String {
    match std::env::var(POSTGRES_ENV) {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "{POSTGRES_ENV} is not set: set it to a PostgreSQL server where the user may create \
             databases (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run the PostgreSQL \
             durability tests, or leave out --ignored to run only the SQLite ones"
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set CLEARINGHOUSE_TEST_POSTGRES_URL and pass --ignored (scripts/test does)"]
async fn acknowledged_reports_survive_sigkill_on_postgres() {
    let db = PgDb::create(&postgres_admin_url()).await;
    let target = Target {
        dir: tempfile::tempdir().unwrap(),
        database_url: Some(db.url.clone()),
    };
    acknowledged_reports_survive_sigkill(target).await;
    drop(db);
}

/// One number read directly from the database (not through the server).
async fn scalar(target: &Target, sql: &str) -> i64 {
    match &target.database_url {
        Some(url) => {
            store::install_tls_provider();
            let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(url)
                .await
                .unwrap_or_else(|e| panic!("connect to {url}: {e}"));
            sqlx::query_scalar(sql)
                .fetch_one(&mut c)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
        }
        None => {
            let url = format!("sqlite://{}?mode=ro", target.sqlite_file().display());
            let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
                .await
                .unwrap_or_else(|e| panic!("open {url}: {e}"));
            sqlx::query_scalar(sql)
                .fetch_one(&mut c)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
        }
    }
}

/// A missing child whose phone, 202-555-0150, is the number in the cell-phone fixture.
const CASE: &str = r#"{"case_id":"case-0000150","child":{"first_name":"Rowan","last_name":"Example","sex":"F","age":14,"phone":"202-555-0150"},"circumstance":"endangered_runaway","missing_from_care":true,"custody":{"kind":"agency","agency":"Durable Child Welfare","placement":"group home","caseworker":{"name":"Casey Quillfeather"}},"episodes":[{"reported":"2026-10-01","last_seen":"2026-10-01","last_seen_city":"Tulsa","last_seen_state":"OK","circumstance":"endangered_runaway"}]}"#;

async fn a_report_killed_before_its_linking_alerts_after_restart(target: Target) {
    create_provider(&target);
    let cases = target.dir.path().join("cases.jsonl");
    std::fs::write(&cases, format!("{CASE}\n")).unwrap();
    let out = bin()
        .arg("import")
        .arg(&cases)
        .args(target.args())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "clearinghouse import: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let alerts = "SELECT COUNT(*) FROM case_alerts a JOIN cases c ON c.id = a.case_id \
                  WHERE c.external_id = 'case-0000150' AND a.source_kind = 'report'";

    // The worker off: the report's linking job stays in the database.
    let mut server = Server::start_with(
        &target,
        "paused",
        &[("CLEARINGHOUSE_JOBS__WORKER", "false")],
    )
    .await;
    let xml = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../cybertip/tests/fixtures/report_child_sexual_molestation_cell_phone.xml"),
    )
    .unwrap();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let text = client
        .post(format!("{}/ispws/submit", server.base()))
        .basic_auth("prov", Some(PROVIDER_PASSWORD))
        .body(xml)
        .send()
        .await
        .expect("submit")
        .text()
        .await
        .unwrap();
    let id = report_id(&text).unwrap_or_else(|e| panic!("submit: {e}"));
    let text = client
        .post(format!("{}/ispws/finish", server.base()))
        .basic_auth("prov", Some(PROVIDER_PASSWORD))
        .form(&[("id", id.to_string())])
        .send()
        .await
        .expect("finish")
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("<responseCode>0</responseCode>"),
        "finish: {text}"
    );
    assert_eq!(
        // (The statistics' next monthly release is a job too, due next month.)
        scalar(
            &target,
            "SELECT COUNT(*) FROM jobs WHERE state = 'pending' AND kind = 'link'"
        )
        .await,
        1,
        "the finished report's linking job is committed with it"
    );
    assert_eq!(scalar(&target, alerts).await, 0, "not linked yet");
    server.kill();

    // A normal start: the worker finds the job and the alert appears.
    let restarted = Server::start(&target, "resumed").await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while scalar(&target, alerts).await == 0 {
        assert!(
            Instant::now() < deadline,
            "no alert on the case 30 s after the restart:\n{}",
            restarted.log_text()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(scalar(&target, alerts).await, 1);
    let link = format!(
        "SELECT COUNT(*) FROM record_links WHERE reason = 'phone' \
         AND ((a_kind = 'report' AND a_id = {id}) OR (b_kind = 'report' AND b_id = {id}))"
    );
    assert_eq!(
        scalar(&target, &link).await,
        1,
        "the report is linked to the case"
    );
    // The job is done (deleted), not failed.
    let deadline = Instant::now() + Duration::from_secs(10);
    // (The statistics' next monthly release stays, due next month.)
    while scalar(&target, "SELECT COUNT(*) FROM jobs WHERE kind = 'link'").await != 0 {
        assert!(
            Instant::now() < deadline,
            "the job was not recorded as done"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(restarted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_killed_before_its_linking_alerts_after_restart_on_sqlite() {
    let target = Target {
        dir: tempfile::tempdir().unwrap(),
        database_url: None,
    };
    a_report_killed_before_its_linking_alerts_after_restart(target).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set CLEARINGHOUSE_TEST_POSTGRES_URL and pass --ignored (scripts/test does)"]
async fn a_report_killed_before_its_linking_alerts_after_restart_on_postgres() {
    let db = PgDb::create(&postgres_admin_url()).await;
    let target = Target {
        dir: tempfile::tempdir().unwrap(),
        database_url: Some(db.url.clone()),
    };
    a_report_killed_before_its_linking_alerts_after_restart(target).await;
    drop(db);
}

// ---------------------------------------------------------------------------------------
// Hope Bags

/// `clearinghouse admin …` and what it printed on stdout.
fn admin_out(target: &Target, args: &[&str], stdin: Option<&str>) -> String {
    let mut cmd = bin();
    cmd.arg("admin")
        .args(args)
        .args(target.args())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn clearinghouse admin");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "clearinghouse admin {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A user of `role` in a new organisation of `kind`, and an API token for them.
fn token_for(target: &Target, org: &str, kind: &str, username: &str, role: &str) -> String {
    admin(target, &["create-org", "--name", org, "--kind", kind], None);
    admin(
        target,
        &[
            "create-user",
            "--org",
            org,
            "--username",
            username,
            "--role",
            role,
        ],
        Some(&format!("{PROVIDER_PASSWORD}\n")),
    );
    admin_out(target, &["create-token", "--username", username], None)
}

const BAGS: i64 = 150;
const ASKED: usize = 200;

async fn hope_bag_fulfilments_survive_sigkill(target: Target) {
    let keeper = token_for(&target, "Durable Hotline", "hotline", "keeper", "analyst");
    let officer = token_for(
        &target,
        "Durable Police",
        "law-enforcement",
        "officer",
        "investigator",
    );
    let mut server = Server::start(&target, "bags").await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let post = |base: String, token: &str, path: &str, body: serde_json::Value| {
        client
            .post(format!("{base}{path}"))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let r = post(
        server.base(),
        &keeper,
        "/api/v1/hope-bags/locations",
        serde_json::json!({"name": "Durable office", "state": "TX", "kind": "office"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let at = r.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = post(
        server.base(),
        &keeper,
        "/api/v1/hope-bags/movements",
        serde_json::json!({"kind": "receive", "location_id": at, "code": "bag-12-14-m",
                           "qty": BAGS, "from": "Durable drive"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let mut ids = Vec::new();
    for _ in 0..ASKED {
        let r = post(
            server.base(),
            &officer,
            "/api/v1/hope-bags/requests",
            serde_json::json!({"age_band": "12-14", "size": "M", "urgency": "now",
                               "deliver_to": "Central precinct", "deliver_state": "TX"}),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        ids.push(
            r.json::<serde_json::Value>().await.unwrap()["id"]
                .as_i64()
                .unwrap(),
        );
    }

    // Sixteen keepers fulfil the requests at once, each its own share, until the kill.
    let load = Arc::new(Load::default());
    let ids = Arc::new(ids);
    let workers: Vec<_> = (0..CLIENTS)
        .map(|n| {
            let (base, load, ids, token) =
                (server.base(), load.clone(), ids.clone(), keeper.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .unwrap();
                for id in ids.iter().skip(n).step_by(CLIENTS) {
                    if load.killed.load(Ordering::SeqCst) {
                        return;
                    }
                    load.in_flight.fetch_add(1, Ordering::SeqCst);
                    let r = client
                        .post(format!("{base}/api/v1/hope-bags/requests/{id}/fulfil"))
                        .bearer_auth(&token)
                        .json(&serde_json::json!({"location_id": at}))
                        .send()
                        .await;
                    load.in_flight.fetch_sub(1, Ordering::SeqCst);
                    match r {
                        Ok(r) if r.status() == 200 => load.acknowledged.lock().unwrap().push(*id),
                        Ok(r) => {
                            let status = r.status();
                            let text = r.text().await.unwrap_or_default();
                            if !load.killed.load(Ordering::SeqCst) {
                                load.failures
                                    .lock()
                                    .unwrap()
                                    .push(format!("{status}: {text}"));
                            }
                            return;
                        }
                        Err(e) => {
                            if !load.killed.load(Ordering::SeqCst) {
                                load.failures.lock().unwrap().push(e.to_string());
                            }
                            return;
                        }
                    }
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let acked = load.acknowledged.lock().unwrap().len();
        let failures = load.failures.lock().unwrap().clone();
        assert!(
            failures.is_empty(),
            "fulfilments failed before the kill: {:?}\n{}",
            &failures[..failures.len().min(5)],
            server.log_text()
        );
        if acked >= 30 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {acked} fulfilments acknowledged in 20 s:\n{}",
            server.log_text()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let until = Instant::now() + Duration::from_secs(1);
    while load.in_flight.load(Ordering::SeqCst) == 0 && Instant::now() < until {
        tokio::task::yield_now().await;
    }
    let in_flight = load.in_flight.load(Ordering::SeqCst);
    load.killed.store(true, Ordering::SeqCst);
    server.kill();
    for w in workers {
        tokio::time::timeout(Duration::from_secs(15), w)
            .await
            .expect("a client did not stop within 15 s of the kill")
            .expect("client task panicked");
    }
    let failures = load.failures.lock().unwrap().clone();
    assert!(
        failures.is_empty(),
        "fulfilments failed before the kill: {failures:?}"
    );
    let acknowledged = load.acknowledged.lock().unwrap().clone();
    assert!(
        (acknowledged.len() as i64) < BAGS,
        "the kill came after the run; raise BAGS"
    );
    eprintln!(
        "{} fulfilments acknowledged, {in_flight} in flight at the kill",
        acknowledged.len()
    );

    // Restart on the same data, then read the database directly.
    let restarted = Server::start(&target, "bags-again").await;
    let sku = "'kit:bag-12-14-m'";
    let on_hand = scalar(
        &target,
        &format!("SELECT on_hand FROM hope_stock WHERE location_id = {at} AND sku = {sku}"),
    )
    .await;
    let ledger = scalar(
        &target,
        &format!(
            "SELECT CAST(COALESCE(SUM(delta), 0) AS BIGINT) FROM hope_ledger \
             WHERE location_id = {at} AND sku = {sku}"
        ),
    )
    .await;
    let fulfilled = scalar(
        &target,
        "SELECT COUNT(*) FROM hope_requests WHERE status = 'fulfilled'",
    )
    .await;
    assert_eq!(on_hand, ledger, "on-hand is the ledger's sum");
    assert_eq!(
        on_hand,
        BAGS - fulfilled,
        "on-hand is the initial stock less the fulfilled requests"
    );
    assert!(fulfilled >= acknowledged.len() as i64);
    let unmatched = scalar(
        &target,
        "SELECT COUNT(*) FROM hope_requests r WHERE r.status = 'fulfilled' AND 1 <> \
         (SELECT COUNT(*) FROM hope_movements m JOIN hope_ledger l ON l.movement_id = m.id \
          WHERE m.request_id = r.id AND m.kind = 'fulfil')",
    )
    .await;
    assert_eq!(
        unmatched, 0,
        "a fulfilled request without its one ledger line"
    );
    let orphans = scalar(
        &target,
        "SELECT COUNT(*) FROM hope_movements m JOIN hope_requests r ON r.id = m.request_id \
         WHERE m.kind = 'fulfil' AND r.status <> 'fulfilled'",
    )
    .await;
    assert_eq!(
        orphans, 0,
        "a ledger line for a request that is not fulfilled"
    );
    let balances_off = scalar(
        &target,
        "SELECT COUNT(*) FROM hope_stock s WHERE s.on_hand <> \
         (SELECT COALESCE(SUM(l.delta), 0) FROM hope_ledger l \
          WHERE l.location_id = s.location_id AND l.sku = s.sku)",
    )
    .await;
    assert_eq!(balances_off, 0, "every balance is its ledger's sum");
    for id in &acknowledged {
        let status = scalar(
            &target,
            &format!("SELECT COUNT(*) FROM hope_requests WHERE id = {id} AND status = 'fulfilled'"),
        )
        .await;
        assert_eq!(status, 1, "acknowledged fulfilment of request {id} is lost");
    }

    // The restarted server goes on: the next open request is fulfilled from what is left.
    let next = ids
        .iter()
        .find(|id| !acknowledged.contains(id))
        .copied()
        .unwrap();
    let r = client
        .post(format!(
            "{}/api/v1/hope-bags/requests/{next}/fulfil",
            restarted.base()
        ))
        .bearer_auth(&keeper)
        .json(&serde_json::json!({"location_id": at}))
        .send()
        .await
        .unwrap();
    assert!(
        r.status() == 200 || r.status() == 409,
        "after the restart: {} {}",
        r.status(),
        r.text().await.unwrap()
    );
    drop(restarted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hope_bag_fulfilments_survive_sigkill_on_sqlite() {
    let target = Target {
        dir: tempfile::tempdir().unwrap(),
        database_url: None,
    };
    hope_bag_fulfilments_survive_sigkill(target).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set CLEARINGHOUSE_TEST_POSTGRES_URL and pass --ignored (scripts/test does)"]
async fn hope_bag_fulfilments_survive_sigkill_on_postgres() {
    let db = PgDb::create(&postgres_admin_url()).await;
    let target = Target {
        dir: tempfile::tempdir().unwrap(),
        database_url: Some(db.url.clone()),
    };
    hope_bag_fulfilments_survive_sigkill(target).await;
    drop(db);
}

// Backup and restore (issue 25) ----------------------------------------------------------

/// A report with one file, through the provider API: submit, upload, finish.
async fn report_with_file(base: &str, xml: Vec<u8>, content: &[u8]) -> i64 {
    let client = reqwest::Client::new();
    let text = client
        .post(format!("{base}/ispws/submit"))
        .basic_auth("prov", Some(PROVIDER_PASSWORD))
        .header("content-type", "text/xml")
        .body(xml)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let id = report_id(&text).unwrap_or_else(|e| panic!("submit: {e}"));
    let boundary = "backupboundary7";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n{id}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.bin\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let up = client
        .post(format!("{base}/ispws/upload"))
        .basic_auth("prov", Some(PROVIDER_PASSWORD))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        up.contains("<responseCode>0</responseCode>"),
        "upload: {up}"
    );
    let fin = client
        .post(format!("{base}/ispws/finish"))
        .basic_auth("prov", Some(PROVIDER_PASSWORD))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("id={id}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        fin.contains("<responseCode>0</responseCode>"),
        "finish: {fin}"
    );
    id
}

/// Runs the binary with the target's data; (exit code, stdout, stderr).
fn run_on(target: &Target, args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).args(target.args()).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every file under `root` (relative path → SHA-256), leaving out unfinished uploads.
fn tree(root: &Path) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n != "tmp") {
                    stack.push(p);
                }
            } else {
                let rel = p.strip_prefix(root).unwrap().display().to_string();
                out.insert(
                    rel,
                    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
                        std::fs::read(&p).unwrap(),
                    )),
                );
            }
        }
    }
    out
}

/// A backup taken while the server runs restores into a fresh place with the same
/// records, the same files and an intact audit chain; a damaged backup, or one restored
/// without its key, is refused with exit code 2 and nothing written.
async fn backup_restores_the_same_records_and_files(source: Target, fresh: [Target; 3]) {
    create_provider(&source);
    let server = Server::start(&source, "backup").await;
    let fixtures = fixtures();
    let mut ids = Vec::new();
    for (i, xml) in fixtures.iter().take(3).enumerate() {
        let content = format!("synthetic evidence file {i}\n").repeat(200 + i);
        ids.push(report_with_file(&server.base(), xml.clone(), content.as_bytes()).await);
    }
    // Online: the server still runs while the backup is taken.
    let backups = tempfile::tempdir().unwrap();
    let good = backups.path().join("good");
    let (code, out, err) = run_on(
        &source,
        &["backup", "--out", good.to_str().unwrap(), "--json"],
    );
    assert_eq!(code, 0, "backup: {out}{err}");
    assert!(err.contains("The file key is not in the backup"), "{err}");
    let summary: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(summary["files"], 3, "{summary}");
    #[cfg(unix)]
    if source.database_url.is_none() {
        // The database and its journal are the owner's alone.
        use std::os::unix::fs::PermissionsExt;
        for suffix in ["", "-wal", "-shm"] {
            let mut p = source.sqlite_file().into_os_string();
            p.push(suffix);
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{p:?}");
        }
    }
    drop(server);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&good).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "the backup directory is owner-only");
    }
    // A backup is never written over another.
    let (code, _, err) = run_on(&source, &["backup", "--out", good.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is not empty"), "{err}");

    let [damaged_target, keyless_target, target] = fresh;
    // One byte of one stored file changed: refused, and nothing restored.
    let damaged = backups.path().join("damaged");
    copy_tree(&good, &damaged);
    let victim = damaged
        .join("files")
        .join(tree(&good.join("files")).keys().next().unwrap());
    let mut bytes = std::fs::read(&victim).unwrap();
    bytes[40] ^= 1;
    std::fs::write(&victim, bytes).unwrap();
    std::fs::copy(
        source.dir.path().join("file.key"),
        damaged_target.dir.path().join("file.key"),
    )
    .unwrap();
    let (code, _, err) = run_on(
        &damaged_target,
        &["restore", "--from", damaged.to_str().unwrap()],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("does not match the manifest"), "{err}");
    assert!(tree(&damaged_target.dir.path().join("files")).is_empty());
    match &damaged_target.database_url {
        None => assert!(!damaged_target.sqlite_file().exists(), "no database was restored"),
        Some(_) => assert_eq!(
            scalar(&damaged_target, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()").await,
            0,
            "no table was restored"
        ),
    }
    // Without the key the files cannot be read: refused, saying where to put it.
    let (code, _, err) = run_on(
        &keyless_target,
        &["restore", "--from", good.to_str().unwrap()],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("need their key"), "{err}");

    std::fs::copy(
        source.dir.path().join("file.key"),
        target.dir.path().join("file.key"),
    )
    .unwrap();
    let (code, out, err) = run_on(&target, &["restore", "--from", good.to_str().unwrap()]);
    assert_eq!(code, 0, "restore: {out}{err}");
    assert!(out.contains("the audit log is intact"), "{out}");
    assert_eq!(stored_ids(&target).await, stored_ids(&source).await);
    for id in &ids {
        assert!(stored_ids(&target).await.contains(id));
    }
    assert_eq!(
        tree(&target.dir.path().join("files")),
        tree(&source.dir.path().join("files")),
        "the same files, byte for byte"
    );
    let (code, out, err) = run_on(&target, &["admin", "verify-audit"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("intact"), "{out}");
    // The restored server serves.
    let restored = Server::start(&target, "restored").await;
    drop(restored);
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let t = to.join(e.file_name());
        if p.is_dir() {
            copy_tree(&p, &t);
        } else {
            std::fs::copy(&p, &t).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_restores_the_same_records_and_files_on_sqlite() {
    let target = || Target {
        dir: tempfile::tempdir().unwrap(),
        database_url: None,
    };
    backup_restores_the_same_records_and_files(target(), [target(), target(), target()]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: run with CLEARINGHOUSE_TEST_POSTGRES_URL and --ignored"]
async fn backup_restores_the_same_records_and_files_on_postgres() {
    let admin = postgres_admin_url();
    let mut dbs = Vec::new();
    for _ in 0..4 {
        dbs.push(PgDb::create(&admin).await);
    }
    let target = |db: &PgDb| Target {
        dir: tempfile::tempdir().unwrap(),
        database_url: Some(db.url.clone()),
    };
    backup_restores_the_same_records_and_files(
        target(&dbs[0]),
        [target(&dbs[1]), target(&dbs[2]), target(&dbs[3])],
    )
    .await;
}

// TLS to PostgreSQL (issue 25) -----------------------------------------------------------

/// The product connects to PostgreSQL over TLS and checks the server's certificate
/// (`sslmode=verify-full` with the deployment's CA file); without that CA the same
/// connection is refused, so the check is real. `scripts/test` gives the local server a
/// certificate from a test CA and names the CA in `CLEARINGHOUSE_TEST_POSTGRES_TLS_CA`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL with TLS: run with CLEARINGHOUSE_TEST_POSTGRES_URL, CLEARINGHOUSE_TEST_POSTGRES_TLS_CA and --ignored"]
async fn connects_to_postgres_over_tls_with_verify_full() {
    let ca = std::env::var("CLEARINGHOUSE_TEST_POSTGRES_TLS_CA").unwrap_or_else(|_| {
        panic!(
            "CLEARINGHOUSE_TEST_POSTGRES_TLS_CA is not set: scripts/test sets it after giving \
             the local PostgreSQL a test certificate"
        )
    });
    let db = PgDb::create(&postgres_admin_url()).await;
    let with = |params: &str| {
        let sep = if db.url.contains('?') { '&' } else { '?' };
        format!("{}{sep}{params}", db.url)
    };
    let verified = with(&format!("sslmode=verify-full&sslrootcert={ca}"));
    let dir = tempfile::tempdir().unwrap();
    let migrate = |url: &str| {
        bin()
            .args(["migrate", "--data-dir", dir.path().to_str().unwrap()])
            .args(["--database-url", url])
            .output()
            .unwrap()
    };
    let out = migrate(&verified);
    assert!(
        out.status.success(),
        "migrate over verify-full: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The connection really is encrypted.
    store::install_tls_provider();
    let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&verified)
        .await
        .unwrap_or_else(|e| panic!("connect over verify-full: {e}"));
    let ssl: bool = sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert!(ssl, "the connection is TLS");
    drop(c);
    // Without the deployment's CA the server's certificate is not trusted: refused.
    let out = migrate(&with("sslmode=verify-full"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("certificate"),
        "verify-full without the CA must fail on the certificate: {err}"
    );
    drop(db);
}

// Key rotation (issue 25) ---------------------------------------------------------------

/// After a new key is made current with the old one kept as previous, `admin rotate-key`
/// re-encrypts every file and re-seals the second-factor secret under the new key, a second
/// run finds nothing to do, and then the new key alone opens everything and the old one
/// nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_key_moves_every_file_and_secret_to_the_new_key() {
    let target = Target {
        dir: tempfile::tempdir().unwrap(),
        database_url: None,
    };
    create_provider(&target);
    let server = Server::start(&target, "rotate").await;
    for (i, xml) in fixtures().into_iter().take(2).enumerate() {
        let content = format!("synthetic evidence file {i}\n").repeat(5_000 + i);
        report_with_file(&server.base(), xml, content.as_bytes()).await;
    }
    drop(server);
    // A second factor stored plain by an older version: sealed (under the old key) at the
    // next start of any command.
    let db = format!("sqlite://{}", target.sqlite_file().display());
    let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&db)
        .await
        .unwrap();
    sqlx::query("UPDATE users SET totp_secret = 'JBSWY3DPEHPK3PXP' WHERE username = 'prov'")
        .execute(&mut c)
        .await
        .unwrap();
    drop(c);
    let (code, out, err) = run_on(&target, &["admin", "verify-audit"]);
    assert_eq!(code, 0, "{out}{err}");

    let old = std::fs::read_to_string(target.dir.path().join("file.key")).unwrap();
    let (code, new, err) = run_on(&target, &["admin", "new-key"]);
    assert_eq!(code, 0, "{err}");
    let (old_key, new_key) = (
        blob::Key::parse(&old).unwrap(),
        blob::Key::parse(&new).unwrap(),
    );
    assert_ne!(old_key.fingerprint(), new_key.fingerprint());
    let config = target.dir.path().join("rotate.toml");
    std::fs::write(
        &config,
        format!(
            "[files]\nkey = \"{}\"\nprevious_keys = [\"{}\"]\n",
            new.trim(),
            old.trim()
        ),
    )
    .unwrap();
    let cfg = config.to_str().unwrap();

    let (code, out, err) = run_on(&target, &["--config", cfg, "admin", "rotate-key", "--json"]);
    assert_eq!(code, 0, "{out}{err}");
    let report: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(report["files_reencrypted"], 2, "{report}");
    assert_eq!(report["files_current"], 0, "{report}");
    assert_eq!(report["failed"].as_array().unwrap().len(), 0, "{report}");
    // The secret was re-sealed at start, before the command's own pass.
    let (code, out, err) = run_on(&target, &["--config", cfg, "admin", "rotate-key"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("0 files re-encrypted, 2 already under it"),
        "{out}"
    );
    assert!(
        out.contains("Nothing is left under a previous key"),
        "{out}"
    );

    // The new key alone opens every file; the old one none.
    let files = target.dir.path().join("files");
    let now = blob::DirStore::new(&files, new_key.clone()).unwrap();
    let before = blob::DirStore::new(&files, old_key).unwrap();
    let listed = blob::BlobStore::list(&now).await.unwrap();
    assert_eq!(listed.len(), 2);
    for entry in &listed {
        let text = blob::BlobStore::open(&now, &entry.key)
            .await
            .unwrap()
            .read_all()
            .await
            .unwrap();
        assert!(text.starts_with(b"synthetic evidence file "));
        assert!(matches!(
            blob::BlobStore::open(&before, &entry.key).await,
            Err(blob::BlobError::WrongKey { .. })
        ));
    }
    let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&db)
        .await
        .unwrap();
    let (id, sealed): (i64, String) =
        sqlx::query_as("SELECT id, totp_secret FROM users WHERE username = 'prov'")
            .fetch_one(&mut c)
            .await
            .unwrap();
    let sealer = blob::Sealer::new(&new_key);
    assert!(sealer.is_current(&sealed), "{sealed}");
    assert_eq!(
        sealer
            .open(&format!("users.totp_secret:{id}"), &sealed)
            .unwrap(),
        "JBSWY3DPEHPK3PXP"
    );
    let entries: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'keys.rotate'")
            .fetch_one(&mut c)
            .await
            .unwrap();
    assert_eq!(entries, 2);
}
