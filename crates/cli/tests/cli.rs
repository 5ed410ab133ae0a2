//! The command-line contract, tested on the real binary: configuration errors stop start-up
//! with the name of the bad value, admin commands work from scripts, and the server starts,
//! answers and shuts down gracefully.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_clearinghouse"));
    // The test environment may select PostgreSQL for the suite; these tests choose their
    // own database explicitly.
    for (k, _) in std::env::vars() {
        if k.starts_with("CLEARINGHOUSE_") {
            c.env_remove(k);
        }
    }
    c
}

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = bin();
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn clearinghouse");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["demo", "--help"],
        vec!["migrate", "--help"],
        vec!["admin", "--help"],
        vec!["admin", "create-org", "--help"],
        vec!["admin", "create-user", "--help"],
        vec!["admin", "create-token", "--help"],
        vec!["admin", "verify-audit", "--help"],
        vec!["admin", "new-key", "--help"],
        vec!["admin", "rotate-key", "--help"],
        vec!["synth", "--help"],
        vec!["import", "--help"],
        vec!["dedupe", "--help"],
        vec!["cluster-ads", "--help"],
        vec!["extract", "--help"],
        vec!["triage", "--help"],
        vec!["link", "--help"],
        vec!["triage", "recompute", "--help"],
        vec!["admin", "set-jurisdiction", "--help"],
        vec!["resources", "--help"],
        vec!["resources", "import", "--help"],
        vec!["resources", "export", "--help"],
        vec!["backup", "--help"],
        vec!["restore", "--help"],
        vec!["health", "--help"],
    ] {
        let o = run(&args, None);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
        assert!(text(&o).contains("Usage"), "{args:?}");
    }
    let help = text(&run(&["--help"], None));
    for word in [
        "law-enforcement",
        "provider-api",
        "recovery-specialist",
        "CLEARINGHOUSE_",
    ] {
        assert!(help.contains(word), "--help lists {word}");
    }
}

#[test]
fn a_malformed_config_value_stops_start_up_and_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();

    let o = bin()
        .args(["serve", "--data-dir", data])
        .env("CLEARINGHOUSE_LISTEN", "not-an-address")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        text(&o).contains("listen") && text(&o).contains("not-an-address"),
        "{}",
        text(&o)
    );

    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "[security]\nsession_idle_minutes = \"thirty\"\n").unwrap();
    let o = run(
        &[
            "serve",
            "--data-dir",
            data,
            "--config",
            cfg.to_str().unwrap(),
        ],
        None,
    );
    assert!(!o.status.success());
    assert!(
        text(&o).contains("security.session_idle_minutes"),
        "{}",
        text(&o)
    );

    std::fs::write(&cfg, "[security]\nsession_idle_minutes = 90\n").unwrap();
    let o = run(
        &[
            "serve",
            "--data-dir",
            data,
            "--config",
            cfg.to_str().unwrap(),
        ],
        None,
    );
    assert!(!o.status.success());
    assert!(
        text(&o).contains("security.session_idle_minutes = 90"),
        "{}",
        text(&o)
    );

    std::fs::write(&cfg, "lissen = \"127.0.0.1:1\"\n").unwrap();
    let o = run(
        &[
            "serve",
            "--data-dir",
            data,
            "--config",
            cfg.to_str().unwrap(),
        ],
        None,
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("lissen"), "{}", text(&o));

    let o = run(
        &[
            "serve",
            "--data-dir",
            data,
            "--config",
            "/nonexistent/clearinghouse.toml",
        ],
        None,
    );
    assert!(!o.status.success());
    assert!(
        text(&o).contains("/nonexistent/clearinghouse.toml"),
        "{}",
        text(&o)
    );

    let o = run(&["migrate", "--database-url", "mysql://x"], None);
    assert!(!o.status.success());
    assert!(text(&o).contains("database_url"), "{}", text(&o));
}

#[test]
fn operators_script_accounts_and_verify_the_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let ok = |args: &[&str], stdin: Option<&str>| {
        let o = run(args, stdin);
        assert!(o.status.success(), "{args:?}: {}", text(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    ok(&["migrate", "--data-dir", data], None);
    ok(
        &[
            "admin",
            "create-org",
            "--data-dir",
            data,
            "--name",
            "State Hotline",
            "--kind",
            "hotline",
        ],
        None,
    );
    let o = run(
        &[
            "admin",
            "create-org",
            "--data-dir",
            data,
            "--name",
            "X",
            "--kind",
            "police",
        ],
        None,
    );
    assert!(
        !o.status.success() && text(&o).contains("law-enforcement"),
        "{}",
        text(&o)
    );
    ok(
        &[
            "admin",
            "create-user",
            "--data-dir",
            data,
            "--org",
            "State Hotline",
            "--role",
            "analyst",
            "--username",
            "Pat.Analyst",
        ],
        Some("a long test passphrase 42\n"),
    );
    let o = run(
        &[
            "admin",
            "create-user",
            "--data-dir",
            data,
            "--org",
            "State Hotline",
            "--role",
            "analyst",
            "--username",
            "weak",
        ],
        Some("password\n"),
    );
    assert!(
        !o.status.success() && text(&o).contains("at least 12 characters"),
        "{}",
        text(&o)
    );
    let token = ok(
        &[
            "admin",
            "create-token",
            "--data-dir",
            data,
            "--username",
            "pat.analyst",
        ],
        None,
    );
    assert!(token.trim().starts_with("ch_"), "{token}");
    let users = ok(&["admin", "list-users", "--data-dir", data], None);
    assert!(users.contains("pat.analyst"), "{users}");
    let verified = ok(&["admin", "verify-audit", "--data-dir", data], None);
    assert!(verified.contains("intact"), "{verified}");

    // An entry changed behind the application's back: verify-audit says so and exits 4,
    // the code scripts watch for.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = format!("sqlite://{data}/clearinghouse.db");
        let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
            .await
            .unwrap();
        sqlx::Executor::execute(
            &mut c,
            "DROP TRIGGER audit_log_no_update; \
             UPDATE audit_log SET detail = 'changed' WHERE seq = (SELECT MIN(seq) FROM audit_log)",
        )
        .await
        .unwrap();
    });
    let o = run(&["admin", "verify-audit", "--data-dir", data], None);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(text(&o).contains("the audit log is broken"), "{}", text(&o));
}

#[test]
fn serve_answers_and_shuts_down_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = bin()
        .args([
            "serve",
            "--data-dir",
            dir.path().to_str().unwrap(),
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut up = false;
    for _ in 0..100 {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::Read;
            s.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut buf = String::new();
            let _ = s.read_to_string(&mut buf);
            up = buf.contains("ready");
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(up, "the server answered /readyz");
    // The container health check: ready is 0, nothing listening is 1.
    let addr = format!("127.0.0.1:{port}");
    let health = run(&["health", "--addr", &addr], None);
    assert!(health.status.success(), "{}", text(&health));
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let down = run(&["health", "--addr", &free.to_string()], None);
    assert_eq!(down.status.code(), Some(1), "{}", text(&down));
    let bad = run(&["health", "--addr", &addr, "--path", "x y"], None);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    assert!(
        dir.path().join("clearinghouse.db").exists(),
        "the data directory was created"
    );
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("stopped"));
}

#[test]
fn resources_import_and_export_hsds_packages() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let pkg = dir.path().join("package");
    std::fs::create_dir_all(&pkg).unwrap();
    for (name, bytes) in synth::resources::package(3, 20) {
        let bytes = if name == "services.csv" {
            // Service 3 (line 5) loses most of its fields.
            let text = String::from_utf8(bytes).unwrap();
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            lines[4] = "sample-service-00003,sample-organization-00003,,Cut short".into();
            (lines.join("\n") + "\n").into_bytes()
        } else {
            bytes
        };
        std::fs::write(pkg.join(name), bytes).unwrap();
    }
    let o = run(
        &[
            "resources",
            "import",
            pkg.to_str().unwrap(),
            "--data-dir",
            data,
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(3), "a partial import: {}", text(&o));
    assert!(
        text(&o).contains("rejected: services.csv line 5: has 4 fields where the header has 23"),
        "{}",
        text(&o)
    );
    assert!(
        text(&o).contains("19 services added, 0 updated, 1 rows rejected"),
        "{}",
        text(&o)
    );

    let out = dir.path().join("export");
    let o = run(
        &[
            "resources",
            "export",
            out.to_str().unwrap(),
            "--data-dir",
            data,
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let services = std::fs::read_to_string(out.join("services.csv")).unwrap();
    assert_eq!(services.lines().count(), 20);
    // Exported, it imports again as updates only.
    let o = run(
        &[
            "resources",
            "import",
            out.to_str().unwrap(),
            "--data-dir",
            data,
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("0 services added, 19 updated, 0 rows rejected"),
        "{}",
        text(&o)
    );
    // An earlier package is never overwritten.
    let o = run(
        &[
            "resources",
            "export",
            out.to_str().unwrap(),
            "--data-dir",
            data,
        ],
        None,
    );
    assert!(!o.status.success());
    assert!(
        text(&o).contains("export into an empty directory"),
        "{}",
        text(&o)
    );
}

/// Retention (issue 25): a dry run says what would be purged as JSON and changes nothing; a
/// purge writes one audit entry and the chain still verifies; a bad period is named.
#[test]
fn admin_purge_reports_what_it_would_delete_and_keeps_the_audit_log_whole() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let cfg = dir.path().join("retention.toml");
    std::fs::write(&cfg, "[retention]\nclosed_reports_days = 30\n").unwrap();
    let cfg = cfg.to_str().unwrap();
    let o = run(
        &[
            "admin",
            "purge",
            "--data-dir",
            data,
            "--config",
            cfg,
            "--dry-run",
            "--json",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["records"]["closed_reports"], 0);
    assert_eq!(v["records"]["unsubstantiated_tips"], 0);
    assert!(v["ids_sha256"].as_str().unwrap().len() == 64);
    let o = run(
        &["admin", "purge", "--data-dir", data, "--config", cfg],
        None,
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("Purged 0 records"), "{}", text(&o));
    assert!(
        text(&o).contains("30 days after the last change"),
        "{}",
        text(&o)
    );
    let o = run(&["admin", "verify-audit", "--data-dir", data], None);
    assert!(o.status.success(), "{}", text(&o));
    // A bad period stops the command, naming the setting; a bad flag is input to fix.
    std::fs::write(
        dir.path().join("bad.toml"),
        "[retention]\nclosed_cases_days = -1\n",
    )
    .unwrap();
    let bad = dir.path().join("bad.toml");
    let o = run(
        &[
            "admin",
            "purge",
            "--data-dir",
            data,
            "--config",
            bad.to_str().unwrap(),
        ],
        None,
    );
    assert!(!o.status.success());
    assert!(
        text(&o).contains("retention.closed_cases_days"),
        "{}",
        text(&o)
    );
    let o = run(&["admin", "purge", "--data-dir", data, "--dry-rn"], None);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}
