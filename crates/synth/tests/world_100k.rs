//! The "done when" checks on a 100k-record world, computed from the written files
//! only (as the importer will see them): the seeds' figures, the network structure, the noise,
//! that every report is a valid CyberTipline document, and that the extractor recovers the
//! obfuscated phone numbers of ads often enough to make the world useful.
//!
//! One world is generated once and shared by the tests of this file.

// Helpers outside #[test] functions panic on purpose too: a broken world is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::de::DeserializeOwned;
use synth::records::{
    AdRecord, CaseRecord, Circumstance, NetworkKind, NetworkTruth, RecordTruth, SharedIdentifier,
    TipRecord,
};
use synth::{generate, Config};

const SCALE: u64 = 100_000;

/// The shared world, in Cargo's per-target scratch directory under a fixed name: a static is
/// never dropped, so a temporary directory would leak a 100k world on every run.
fn world() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("synth-world-100k");
        if out.exists() {
            fs::remove_dir_all(&out).unwrap();
        }
        let s = generate(
            &Config {
                seed: 2024,
                scale: SCALE,
            },
            &out,
            &mut |_, _| {},
        )
        .unwrap();
        assert_eq!(s.counts.records, SCALE);
        out
    })
}

fn read_jsonl<T: DeserializeOwned>(path: &Path) -> Vec<T> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1))
        })
        .collect()
}

/// Days since 1970-01-01 of `YYYY-MM-DD` (the tests recompute dates independently of the
/// generator's own calendar code).
fn days(s: &str) -> i64 {
    let y: i64 = s[..4].parse().unwrap();
    let m: i64 = s[5..7].parse().unwrap();
    let d: i64 = s[8..10].parse().unwrap();
    let (y, m) = if m <= 2 { (y - 1, m + 12) } else { (y, m) };
    365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + d - 719_469
}

fn age_at_first_episode(c: &CaseRecord) -> i64 {
    if let Some(a) = c.child.age {
        return i64::from(a);
    }
    let dob = c.child.date_of_birth.as_deref().unwrap();
    let first = &c.episodes[0].reported;
    let years: i64 = first[..4].parse::<i64>().unwrap() - dob[..4].parse::<i64>().unwrap();
    if first[5..] < dob[5..] {
        years - 1
    } else {
        years
    }
}

fn near(name: &str, got: f64, want: f64, tol: f64) {
    println!("{name}: {got:.4} (want {want} ± {tol})");
    assert!(
        (got - want).abs() <= tol,
        "{name}: got {got:.4}, want {want} ± {tol}"
    );
}

#[test]
fn figures_of_the_seeds_hold() {
    let dir = world();
    let cases: Vec<CaseRecord> = read_jsonl(&dir.join("cases.jsonl"));
    let n = cases.len() as f64;
    assert_eq!(cases.len(), 5_000);

    let er: Vec<&CaseRecord> = cases
        .iter()
        .filter(|c| c.circumstance == Circumstance::EndangeredRunaway)
        .collect();
    let ern = er.len() as f64;
    near("endangered runaways / cases", ern / n, 0.91, 0.02);

    let older = er
        .iter()
        .filter(|c| (16..=17).contains(&age_at_first_episode(c)))
        .count();
    near(
        "aged 16-17 / endangered runaways",
        older as f64 / ern,
        0.5,
        0.04,
    );

    // More than one missing episode in one calendar year.
    let repeat = er
        .iter()
        .filter(|c| {
            let mut per_year: BTreeMap<&str, usize> = BTreeMap::new();
            for e in &c.episodes {
                *per_year.entry(&e.reported[..4]).or_default() += 1;
            }
            per_year.values().any(|k| *k > 1)
        })
        .count();
    near(
        "several episodes in a year / endangered runaways",
        repeat as f64 / ern,
        0.22,
        0.03,
    );

    // Chronically missing: many episodes over years, as in the seeds' example.
    let chronic = cases
        .iter()
        .filter(|c| {
            let span =
                days(&c.episodes[c.episodes.len() - 1].reported) - days(&c.episodes[0].reported);
            c.episodes.len() >= 8 && span >= 365
        })
        .count();
    let most = cases.iter().map(|c| c.episodes.len()).max().unwrap();
    println!("chronic (8+ episodes over a year or more): {chronic}, most episodes: {most}");
    assert!(chronic >= 10, "{chronic}");
    assert!(most >= 15, "{most}");

    let care = cases.iter().filter(|c| c.missing_from_care).count() as f64 / n;
    println!("missing from care: {care:.3}");
    assert!((0.15..=0.4).contains(&care), "{care}");

    // Episodes are ordered and recoveries follow the report.
    for c in &cases {
        for w in c.episodes.windows(2) {
            assert!(w[0].reported < w[1].reported, "{}", c.case_id);
        }
        for e in &c.episodes {
            if let Some(r) = &e.recovered {
                assert!(*r >= e.reported, "{}", c.case_id);
            }
        }
    }

    // Ground truth: about 1 in 6 missing children likely trafficking victims.
    let nets: Vec<NetworkTruth> = read_jsonl(&dir.join("truth/networks.jsonl"));
    let victim_cases: BTreeSet<&str> = nets
        .iter()
        .flat_map(|x| x.cases.iter().map(String::as_str))
        .collect();
    near(
        "trafficking victims / missing children",
        victim_cases.len() as f64 / n,
        1.0 / 6.0,
        0.01,
    );
}

#[test]
fn networks_move_and_rotate_identifiers() {
    let dir = world();
    let nets: Vec<NetworkTruth> = read_jsonl(&dir.join("truth/networks.jsonl"));
    let kinds: BTreeSet<String> = nets.iter().map(|x| format!("{:?}", x.kind)).collect();
    println!("networks: {} of kinds {kinds:?}", nets.len());
    for k in [
        NetworkKind::PimpControlled,
        NetworkKind::Familial,
        NetworkKind::GangControlled,
        NetworkKind::BuyerPerpetrated,
    ] {
        assert!(nets.iter().any(|x| x.kind == k), "no {k:?} network");
    }
    let multi_state = nets.iter().filter(|x| x.states.len() > 1).count();
    let rotated = nets.iter().filter(|x| x.phones.len() > 1).count();
    println!("across states: {multi_state}, rotated phones: {rotated}");
    assert!(multi_state * 2 > nets.len());
    assert!(rotated * 3 > nets.len());
    let mut users: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for x in &nets {
        assert!(!x.offenders.is_empty() && !x.victims.is_empty(), "{}", x.id);
        for p in &x.phones {
            users.entry(&p.value).or_default().insert(&x.id);
        }
    }
    let reused = users.values().filter(|s| s.len() > 1).count();
    println!("phone numbers used by more than one network over time: {reused}");
    assert!(reused > 0);

    // Records point at networks, and networks' records concern their children.
    let truth: Vec<RecordTruth> = read_jsonl(&dir.join("truth/records.jsonl"));
    assert_eq!(truth.len() as u64, SCALE);
    let by_id: HashMap<&str, &NetworkTruth> = nets.iter().map(|x| (x.id.as_str(), x)).collect();
    let mut per_kind: BTreeMap<(&str, bool), usize> = BTreeMap::new();
    for t in &truth {
        *per_kind
            .entry((t.kind.as_str(), !t.missing_children.is_empty()))
            .or_default() += 1;
        if let Some(net) = &t.network {
            let x = by_id[net.as_str()];
            assert_eq!(t.network_kind, Some(x.kind));
            assert!(t.missing_children.iter().all(|c| x.cases.contains(c)));
        }
    }
    println!("records by (kind, concerns a missing child): {per_kind:?}");
    for kind in ["report", "tip", "ad"] {
        assert!(
            per_kind.get(&(kind, true)).copied().unwrap_or(0) > 100,
            "{kind}"
        );
        assert!(
            per_kind.get(&(kind, false)).copied().unwrap_or(0) > 100,
            "{kind}"
        );
    }
}

#[test]
fn noise_and_shared_identifiers_are_present() {
    let dir = world();
    let cases: Vec<CaseRecord> = read_jsonl(&dir.join("cases.jsonl"));
    let age_only = cases
        .iter()
        .filter(|c| c.child.date_of_birth.is_none())
        .count();
    let nick = cases.iter().filter(|c| c.child.nickname.is_some()).count();
    let no_last = cases.iter().filter(|c| c.child.last_name.is_none()).count();
    println!("cases: {age_only} age only, {nick} nicknames, {no_last} without last name");
    assert!(age_only > 200 && nick > 200 && no_last > 20);

    let ads: Vec<AdRecord> = read_jsonl(&dir.join("ads.jsonl"));
    let spelled = ads.iter().filter(|a| a.body.contains(" zero ")).count();
    let letter_o = ads.iter().filter(|a| a.body.contains("555-O1")).count();
    let emoji = ads.iter().filter(|a| a.body.contains("\u{20e3}")).count();
    println!("ads: {spelled} spelled digits, {letter_o} letter O, {emoji} keycaps");
    assert!(spelled > 100 && letter_o > 100 && emoji > 100);
    let mut photo_uses: HashMap<&str, usize> = HashMap::new();
    for a in &ads {
        for h in &a.image_hashes {
            *photo_uses.entry(h).or_default() += 1;
        }
    }
    assert!(photo_uses.values().filter(|k| **k > 1).count() > 100);

    let tips: Vec<TipRecord> = read_jsonl(&dir.join("tips.jsonl"));
    assert_eq!(tips.len(), 5_000);
    assert!(tips.iter().filter(|t| t.reporter.is_none()).count() > 1_000);

    // Shared identifiers show up in many records about different people: never links.
    let shared: Vec<SharedIdentifier> = read_jsonl(&dir.join("truth/shared_identifiers.jsonl"));
    let truth: Vec<RecordTruth> = read_jsonl(&dir.join("truth/records.jsonl"));
    for kind in ["phone", "ip", "image"] {
        assert!(shared.iter().any(|s| s.kind == kind), "{kind}");
    }
    let hotlines: BTreeSet<&str> = shared
        .iter()
        .filter(|s| s.kind == "phone")
        .map(|s| s.value.as_str())
        .collect();
    let with_hotline: Vec<&RecordTruth> = truth
        .iter()
        .filter(|t| t.phones.iter().any(|p| hotlines.contains(p.as_str())))
        .collect();
    let people: BTreeSet<&str> = with_hotline
        .iter()
        .flat_map(|t| t.persons.iter().map(String::as_str))
        .collect();
    println!(
        "records giving a shelter hotline: {}, about {} people",
        with_hotline.len(),
        people.len()
    );
    assert!(with_hotline.len() > 100 && people.len() > 50);
    let library: Vec<&str> = shared
        .iter()
        .filter(|s| s.kind == "ip")
        .map(|s| s.value.as_str())
        .collect();
    let mut on_library = 0;
    for e in fs::read_dir(dir.join("reports/000")).unwrap() {
        let text = fs::read_to_string(e.unwrap().path()).unwrap();
        if library.iter().any(|ip| text.contains(ip)) {
            on_library += 1;
        }
    }
    println!("reports in reports/000 with a library IP: {on_library}");
    assert!(on_library > 5);
}

fn report_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for d in fs::read_dir(dir.join("reports")).unwrap() {
        for f in fs::read_dir(d.unwrap().path()).unwrap() {
            files.push(f.unwrap().path());
        }
    }
    files.sort();
    files
}

#[test]
fn every_report_is_a_valid_cybertipline_document() {
    let dir = world();
    let files = report_files(dir);
    assert_eq!(files.len(), 25_000);
    let limits = cybertip::Limits::default();
    for f in &files {
        let bytes = fs::read(f).unwrap();
        if let Err(e) = cybertip::parse_report(&bytes, &limits) {
            panic!("{}: {e}", f.display());
        }
    }
    // The schema itself, through libxml2, on a sample (a different implementation than ours).
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cybertip/schema/cyber_tipline.xsd");
    let sample: Vec<&PathBuf> = files.iter().step_by(97).collect();
    match std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .args(&sample)
        .output()
    {
        Ok(out) => assert!(
            out.status.success(),
            "xmllint rejected a report:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => println!("xmllint not run ({e}); install libxml2-utils to check the sample"),
    }
}

#[test]
fn extractor_finds_obfuscated_phones_in_ads() {
    let dir = world();
    let ads: Vec<AdRecord> = read_jsonl(&dir.join("ads.jsonl"));
    let truth: Vec<RecordTruth> = read_jsonl(&dir.join("truth/records.jsonl"));
    let truth: HashMap<&str, &RecordTruth> = truth.iter().map(|t| (t.record.as_str(), t)).collect();
    let x = extract::Extractor::new();
    let (mut tried, mut found) = (0, 0);
    let mut missed_examples = Vec::new();
    for a in ads.iter().step_by(13) {
        let t = truth[a.id.as_str()];
        let Some(want) = t.phones.first() else {
            continue;
        };
        if t.network.is_none() {
            continue;
        }
        tried += 1;
        let text = format!("{}\n{}", a.title, a.body);
        if x.extract(&text)
            .iter()
            .any(|e| e.kind == extract::EntityKind::Phone && e.value == *want)
        {
            found += 1;
        } else if missed_examples.len() < 5 {
            missed_examples.push(a.body.clone());
        }
    }
    let share = f64::from(found) / f64::from(tried.max(1));
    println!("extractor found the planted phone in {found} of {tried} network ads ({share:.2})");
    println!("missed, for example: {missed_examples:#?}");
    assert!(tried > 500);
    assert!(share > 0.5, "{share}");
}
