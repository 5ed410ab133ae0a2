//! `synth` and `import` on the real binary: a 100k world imports with no rejected row and
//! twice adds nothing; planted bad rows are rejected exactly, by line, and the rest go in.
//! The same import is scored against the world's ground truth: the ad templates that
//! linking found, and the children it matched across reports and cases.

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

    accuracy(&world, &data.join("clearinghouse.db"));

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
    assert_eq!(
        out.status.code(),
        Some(3),
        "planted bad rows end the run with the exit code of a partial import: {t}"
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

/// Pairwise precision, recall and F1 of a clustering against the truth.
fn pairwise<F: std::hash::Hash + Eq, T: std::hash::Hash + Eq>(items: &[(F, T)]) -> (f64, f64, f64) {
    link::eval::pairwise(items.iter().map(|(f, t)| (f, t)))
}

/// The link engine's union-find over `(kind, id)` records, numbered as they are met.
#[derive(Default)]
struct Components {
    number: std::collections::HashMap<(String, i64), u32>,
    sets: link::UnionFind,
}

impl Components {
    fn number(&mut self, x: &(String, i64)) -> u32 {
        if let Some(&n) = self.number.get(x) {
            return n;
        }
        let n = self.sets.push();
        self.number.insert(x.clone(), n);
        n
    }
    /// The root of `x`'s component, as a number (a record never joined is its own).
    fn find(&mut self, x: &(String, i64)) -> u32 {
        let n = self.number(x);
        self.sets.find(n)
    }
    fn join(&mut self, a: (String, i64), b: (String, i64)) {
        let (a, b) = (self.number(&a), self.number(&b));
        self.sets.union(a, b);
    }
}

/// Scores what the import linked against `truth/` of the world. Templates: every ad's
/// template as the product records it (the template it was linked into, or the generic
/// template it was marked with) against the template it was written from. Persons: the
/// children that reports and cases name, grouped by person links, against the true child.
fn accuracy(world: &Path, db: &Path) {
    use serde_json::Value;
    use sha2::Digest;
    use sqlx::Row;
    use std::collections::HashMap;

    let lines = |f: &str| -> Vec<Value> {
        std::fs::read_to_string(world.join("truth").join(f))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let truth: HashMap<String, Value> = lines("records.jsonl")
        .into_iter()
        .map(|t| (t["record"].as_str().unwrap().to_owned(), t))
        .collect();
    let children: std::collections::HashSet<String> = lines("persons.jsonl")
        .into_iter()
        .filter(|p| p["role"] == "child")
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    // Reports are imported under the digest of their file.
    let mut by_digest: HashMap<String, String> = HashMap::new();
    for dir in std::fs::read_dir(world.join("reports")).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let path = f.unwrap().path();
            let digest = hex::encode(sha2::Sha256::digest(std::fs::read(&path).unwrap()));
            let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
            by_digest.insert(format!("xml:{digest}"), stem);
        }
    }
    let record_of = |external: &str| -> String {
        match external.strip_prefix("tip:") {
            Some(tip) => tip.to_owned(),
            None => by_digest
                .get(external)
                .cloned()
                .unwrap_or_else(|| external.to_owned()),
        }
    };
    let child_of = |record: &str| -> Option<String> {
        let mut kids = truth[record]["persons"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .filter(|p| children.contains(*p));
        let kid = kids.next()?;
        kids.next().is_none().then(|| kid.to_owned())
    };

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = format!("sqlite://{}?mode=ro", db.display());
        let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
            .await
            .unwrap();
        let rows = |sql: &'static str| sqlx::query(sql);

        let mut templates = Components::default();
        for r in rows("SELECT a_kind, a_id, b_kind, b_id FROM record_links WHERE reason = 'template'")
            .fetch_all(&mut c)
            .await
            .unwrap()
        {
            templates.join((r.get(0), r.get(1)), (r.get(2), r.get(3)));
        }
        let generic: HashMap<i64, String> =
            rows("SELECT record_id, value FROM record_identifiers WHERE kind = 'text_generic'")
                .fetch_all(&mut c)
                .await
                .unwrap()
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
        let mut ads: Vec<(String, String)> = Vec::new();
        let mut network_ads: Vec<(String, String)> = Vec::new();
        for r in rows("SELECT id, external_id FROM ads").fetch_all(&mut c).await.unwrap() {
            let (id, external): (i64, String) = (r.get(0), r.get(1));
            let found = match generic.get(&id) {
                Some(label) => format!("generic {label}"),
                None => format!("{:?}", templates.find(&("ad".to_owned(), id))),
            };
            let template = truth[&external]["template"].as_str().unwrap().to_owned();
            if !template.starts_with("benign-") {
                network_ads.push((found.clone(), template.clone()));
            }
            ads.push((found, template));
        }

        let mut people = Components::default();
        for r in rows("SELECT a_kind, a_id, b_kind, b_id FROM record_links WHERE reason = 'person'")
            .fetch_all(&mut c)
            .await
            .unwrap()
        {
            people.join((r.get(0), r.get(1)), (r.get(2), r.get(3)));
        }
        // Every child a report names, and those it identifies: by full name, or by the
        // child's own phone, email or account. A first name or a street alias alone
        // ("Destiny", 16) identifies nobody: the world knows who is behind it, no
        // record does, and linking it to every Destiny would be wrong.
        let mut named: Vec<(u32, String)> = Vec::new();
        let mut identified: Vec<(u32, String)> = Vec::new();
        for r in rows("SELECT id, external_id, report_json FROM reports")
            .fetch_all(&mut c)
            .await
            .unwrap()
        {
            let (id, external, json): (i64, String, String) = (r.get(0), r.get(1), r.get(2));
            let report: Value = serde_json::from_str(&json).unwrap();
            let victims = report["victims"].as_array().cloned().unwrap_or_default();
            let has = |v: &Value, k: &str| v[k].as_str().is_some_and(|s| !s.trim().is_empty());
            let names_a_child = victims
                .iter()
                .any(|v| has(&v["person"], "first_name") || has(&v["person"], "last_name"));
            let identifies_a_child = victims.iter().any(|v| {
                let p = &v["person"];
                (has(p, "first_name") && has(p, "last_name"))
                    || has(v, "screen_name")
                    || p["phones"].as_array().is_some_and(|a| !a.is_empty())
                    || p["emails"].as_array().is_some_and(|a| !a.is_empty())
            });
            if let (true, Some(kid)) = (names_a_child, child_of(&record_of(&external))) {
                let cluster = people.find(&("report".to_owned(), id));
                if identifies_a_child {
                    identified.push((cluster, kid.clone()));
                }
                named.push((cluster, kid));
            }
        }
        for r in rows("SELECT id, external_id FROM cases").fetch_all(&mut c).await.unwrap() {
            let (id, external): (i64, String) = (r.get(0), r.get(1));
            if let Some(kid) = child_of(&external) {
                let cluster = people.find(&("case".to_owned(), id));
                identified.push((cluster, kid.clone()));
                named.push((cluster, kid));
            }
        }

        let (p, r, f) = pairwise(&ads);
        eprintln!("ad templates, {} ads: precision {p:.4} recall {r:.4} F1 {f:.4}", ads.len());
        let (np, nr, nf) = pairwise(&network_ads);
        eprintln!(
            "  of them written by networks, {} ads: precision {np:.4} recall {nr:.4} F1 {nf:.4}",
            network_ads.len()
        );
        let (ap, ar, af) = pairwise(&named);
        eprintln!(
            "persons, {} children named in reports and cases (aliases and first names alone included): precision {ap:.4} recall {ar:.4} F1 {af:.4}",
            named.len()
        );
        let (pp, pr, pf) = pairwise(&identified);
        eprintln!(
            "persons, {} children identified in reports and cases: precision {pp:.4} recall {pr:.4} F1 {pf:.4}",
            identified.len()
        );
        assert!(f >= 0.9, "ad template F1 {f}");
        assert!(pf >= 0.9, "person F1 {pf} (precision {pp}, recall {pr})");
        // Counting the mentions that identify nobody must not cost precision: the
        // matcher leaves them alone rather than guessing.
        assert!(ap >= 0.9, "person precision {ap} with first names and aliases");
    });
}
