//! Same seed, same bytes: two runs of a small world must produce identical directories, and a
//! different seed must not (the contract that makes worlds reproducible in bug reports).

// Helpers outside #[test] functions panic on purpose too: a broken world is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use synth::{generate, Config};

/// Every file under `dir` with its bytes, keyed by relative path.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn same_seed_gives_byte_identical_directories() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = Config {
        seed: 42,
        scale: 5_000,
    };
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    let mut last = (0, 0);
    let s = generate(&cfg, &a, &mut |d, t| last = (d, t)).unwrap();
    assert_eq!(last, (5_000, 5_000));
    assert_eq!(s.counts.records, 5_000);
    generate(&cfg, &b, &mut |_, _| {}).unwrap();
    let (sa, sb) = (snapshot(&a), snapshot(&b));
    assert!(sa.len() > 1_000, "{} files", sa.len());
    assert_eq!(sa.keys().collect::<Vec<_>>(), sb.keys().collect::<Vec<_>>());
    for (k, v) in &sa {
        assert!(
            sb[k] == *v,
            "{k} differs between two runs with the same seed"
        );
    }
    generate(&Config { seed: 43, ..cfg }, &c, &mut |_, _| {}).unwrap();
    assert_ne!(snapshot(&c)["cases.jsonl"], sa["cases.jsonl"]);
}

#[test]
fn refuses_a_non_empty_directory() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("old.txt"), "x").unwrap();
    let err = generate(&Config { seed: 1, scale: 10 }, tmp.path(), &mut |_, _| {}).unwrap_err();
    assert!(err.to_string().contains("not empty"), "{err}");
}

#[test]
fn in_memory_stream_matches_the_plan() {
    let g = synth::Generator::new(&Config {
        seed: 9,
        scale: 2_345,
    });
    let all: Vec<_> = g.records().map(Result::unwrap).collect();
    assert_eq!(all.len(), 2_345);
    for (rec, truth) in &all {
        assert_eq!(rec.id(), truth.record);
    }
    assert!(!g.truth().persons.is_empty());
}

/// The files are exactly the in-memory stream written in order: the parallel writer changes
/// nothing, so tests built on [`synth::Generator`] see what the importer will read.
#[test]
fn files_are_the_in_memory_stream() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = Config {
        seed: 5,
        scale: 3_210,
    };
    generate(&cfg, tmp.path(), &mut |_, _| {}).unwrap();
    let read = |name: &str| fs::read_to_string(tmp.path().join(name)).unwrap();
    let (cases, tips, ads, truth) = (
        read("cases.jsonl"),
        read("tips.jsonl"),
        read("ads.jsonl"),
        read("truth/records.jsonl"),
    );
    let (mut cases, mut tips, mut ads, mut truth) =
        (cases.lines(), tips.lines(), ads.lines(), truth.lines());
    let g = synth::Generator::new(&cfg);
    let mut n = 0;
    for item in g.records() {
        let (rec, t) = item.unwrap();
        assert_eq!(
            truth.next(),
            Some(serde_json::to_string(&t).unwrap().as_str())
        );
        match rec {
            synth::Record::Case(c) => {
                assert_eq!(
                    cases.next(),
                    Some(serde_json::to_string(&c).unwrap().as_str())
                );
            }
            synth::Record::Tip(x) => {
                assert_eq!(
                    tips.next(),
                    Some(serde_json::to_string(&x).unwrap().as_str())
                );
            }
            synth::Record::Ad(x) => {
                assert_eq!(
                    ads.next(),
                    Some(serde_json::to_string(&x).unwrap().as_str())
                );
            }
            synth::Record::Report { id, report } => {
                let n: usize = id.trim_start_matches("report-").parse().unwrap();
                let path = tmp
                    .path()
                    .join(synth::report_dir(n))
                    .join(format!("{id}.xml"));
                assert_eq!(fs::read_to_string(path).unwrap(), cybertip::to_xml(&report));
            }
        }
        n += 1;
    }
    assert_eq!(n, 3_210);
    assert_eq!(
        (cases.next(), tips.next(), ads.next(), truth.next()),
        (None, None, None, None)
    );
}

/// `ads.jsonl` is the link engine's ad record: every generated line reads into it and writes
/// back to the same bytes, so the importer and `cluster-ads` see exactly what was generated.
#[test]
fn ads_round_trip_through_the_one_ad_type() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = Config {
        seed: 11,
        scale: 2_000,
    };
    generate(&cfg, tmp.path(), &mut |_, _| {}).unwrap();
    let ads = fs::read_to_string(tmp.path().join("ads.jsonl")).unwrap();
    let mut n = 0;
    for line in ads.lines() {
        let ad: link::ads::AdRecord = serde_json::from_str(line).unwrap();
        assert!(ad.site.is_some() && ad.url.is_some() && ad.posted_at.is_some());
        assert_eq!(serde_json::to_string(&ad).unwrap(), line);
        n += 1;
    }
    assert!(n > 1_000, "{n} ads");
}
