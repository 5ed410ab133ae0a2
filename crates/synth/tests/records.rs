//! The generator writes the case and tip formats through their one definition
//! (`casework::CaseRecord`, `domain::tip::TipRecord`): every generated line reads back into
//! that type, passes the importer's checks and writes out as the identical JSON.

// Helpers outside #[test] functions panic on purpose too: a broken world is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use casework::CaseRecord;
use domain::tip::TipRecord;
use synth::{Config, Generator, Kind, Record};

fn lines(kind: Kind) -> Vec<String> {
    let g = Generator::new(&Config {
        seed: 5,
        scale: 6_000,
    });
    let mut out = Vec::new();
    for c in 0..g.chunks(kind) {
        for (record, _) in g.chunk(kind, c).unwrap() {
            // What `generate` writes: `serde_json::to_writer` of the record.
            out.push(match record {
                Record::Case(r) => serde_json::to_string(&r).unwrap(),
                Record::Tip(r) => serde_json::to_string(&r).unwrap(),
                other => panic!("a {kind:?} chunk held {}", other.id()),
            });
        }
    }
    assert!(out.len() > 200, "{kind:?}: {}", out.len());
    out
}

#[test]
fn every_generated_case_round_trips_through_the_case_record() {
    for line in lines(Kind::Case) {
        let rec = CaseRecord::from_json(&line).unwrap_or_else(|e| panic!("{e}\n{line}"));
        rec.check().unwrap_or_else(|e| panic!("{e}\n{line}"));
        assert_eq!(rec.to_json(), line);
    }
}

#[test]
fn every_generated_tip_round_trips_through_the_tip_record() {
    for line in lines(Kind::Tip) {
        let rec: TipRecord = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}\n{line}"));
        assert_eq!(serde_json::to_string(&rec).unwrap(), line);
    }
}
