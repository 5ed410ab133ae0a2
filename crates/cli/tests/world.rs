//! `synth` and `import` on the real binary: a 100k world imports with no rejected row and
//! twice adds nothing; planted bad rows are rejected exactly, by line, and the rest go in.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_clearinghouse"));
    for (k, _) in std::env::vars() {
        if k.starts_with("CLEARINGHOUSE_") {
            c.env_remove(k);
        }
    }
    c.args(args).output().expect("run clearinghouse")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn a_100k_world_imports_without_a_rejected_row_and_twice_adds_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let world = tmp.path().join("world");
    let data = tmp.path().join("data");
    let w = world.to_str().unwrap();
    let d = data.to_str().unwrap();
    let out = run(&["synth", "--seed", "11", "--scale", "100000", "--out", w]);
    assert!(out.status.success(), "{}", text(&out));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(world.join("manifest.json")).unwrap()).unwrap();
    let counts = &manifest["counts"];

    let out = run(&["--data-dir", d, "import", w]);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains("No rows were rejected."), "{t}");
    for (what, key) in [
        ("reports", "reports"),
        ("tips", "tips"),
        ("ads", "ads"),
        ("cases", "cases"),
    ] {
        let expected = format!("{what}: {} added, 0 already present", counts[key]);
        assert!(t.contains(&expected), "expected {expected:?} in {t}");
    }

    let again = run(&["--data-dir", d, "import", w]);
    let t = text(&again);
    assert!(again.status.success(), "{t}");
    for what in ["reports", "tips", "ads", "cases"] {
        assert!(t.contains(&format!("{what}: 0 added")), "{t}");
    }
}

fn write(path: &Path, lines: &[&str]) {
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn planted_bad_rows_are_rejected_exactly_and_the_rest_imported() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir(&src).unwrap();
    let data = tmp.path().join("data");
    let ad = |id: &str, state: &str| {
        format!(
            r#"{{"id":"{id}","site":"s.example","url":"https://s.example/{id}","posted_at":"2024-01-02T03:04:05Z","city":"Reno","state":"{state}","title":"New in town","body":"Text 775 555 0100","image_hashes":["ab"]}}"#
        )
    };
    write(
        &src.join("ads.jsonl"),
        &[
            &ad("ad-1", "NV"),
            "{not json",
            &ad("ad-2", "NV"),
            &ad("ad-3", "ZZ"),
            &ad("ad-4", "NV"),
        ],
    );
    write(
        &src.join("tips.jsonl"),
        &[
            r#"{"id":"tip-1","submitted_at":"2024-01-02T03:04:05Z","incident_type":"Child Sex Trafficking","when":"last weekend","country":"US","narrative":"Seen at a truck stop."}"#,
            r#"{"id":"tip-2","submitted_at":"yesterday","incident_type":"Child Sex Trafficking","when":"","country":"US","narrative":"x"}"#,
            r#"{"id":"tip-3","submitted_at":"2024-01-02T03:04:05Z","incident_type":"Something Else","when":"","country":"US","narrative":"x"}"#,
        ],
    );
    write(
        &src.join("cases.jsonl"),
        &[
            r#"{"case_id":"case-1","child":{"first_name":"Jo"},"circumstance":"endangered_runaway","missing_from_care":true,"custody":{"kind":"agency"},"episodes":[{"reported":"2024-01-01"}]}"#,
            r#"{"case_id":"case-2","child":{"first_name":"Al"},"circumstance":"vanished","missing_from_care":false,"episodes":[{"reported":"2024-01-01"}]}"#,
        ],
    );
    std::fs::write(
        src.join("ads.csv"),
        "id,site,url,posted_at,city,state,title,body,image_hashes\n\
         ad-c1,s.example,https://s.example/c1,2024-01-02T03:04:05Z,Reno,NV,Hi,Body one,aa;bb\n\
         ad-c2,s.example,https://s.example/c2,not-a-time,Reno,NV,Hi,Body two,\n",
    )
    .unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cybertip/tests/fixtures");
    std::fs::copy(fixtures.join("report_minimal.xml"), src.join("good.xml")).unwrap();
    std::fs::write(src.join("bad.xml"), "<report><incidentSummary>").unwrap();

    let out = run(&[
        "--data-dir",
        data.to_str().unwrap(),
        "import",
        src.to_str().unwrap(),
    ]);
    let t = text(&out);
    assert!(
        !out.status.success(),
        "planted bad rows must fail the run: {t}"
    );
    let rejected: Vec<&str> = t.lines().filter(|l| l.starts_with("rejected ")).collect();
    let s = src.display().to_string();
    let expected = [
        format!("{s}/ads.csv:3"),
        format!("{s}/ads.jsonl:2"),
        format!("{s}/ads.jsonl:4"),
        format!("{s}/bad.xml"),
        format!("{s}/cases.jsonl:2"),
        format!("{s}/tips.jsonl:2"),
        format!("{s}/tips.jsonl:3"),
    ];
    assert_eq!(rejected.len(), expected.len(), "{t}");
    for e in &expected {
        assert!(
            rejected
                .iter()
                .any(|r| r.starts_with(&format!("rejected {e}:"))),
            "{e} not rejected: {t}"
        );
    }
    // Reasons a person can act on.
    assert!(t.contains("\"ZZ\" is not a US state code"), "{t}");
    assert!(t.contains("is not an RFC 3339 time"), "{t}");
    assert!(t.contains("\"vanished\" is not one of"), "{t}");
    // The good rows went in.
    assert!(t.contains("ads: 4 added"), "{t}");
    assert!(t.contains("tips: 1 added"), "{t}");
    assert!(t.contains("cases: 1 added"), "{t}");
    assert!(t.contains("reports: 1 added"), "{t}");
}

#[test]
fn synth_refuses_a_directory_with_files_in_it() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("x"), "x").unwrap();
    let out = run(&[
        "synth",
        "--scale",
        "10",
        "--out",
        tmp.path().to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains(&tmp.path().display().to_string()),
        "{}",
        text(&out)
    );
}
