//! The import format as the synthetic world writes it: every generated case line reads back
//! into a [`casework::Case`] that agrees with the record, and flags can be computed on it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use casework::record::{CaseRecord, CustodyRecord, NOT_RECORDED};
use casework::{flags, Custody};
use synth::records::Record;
use time::macros::date;

#[test]
fn every_generated_case_line_converts() {
    let g = synth::Generator::new(&synth::Config {
        seed: 11,
        scale: 4_000,
    });
    let mut cases = 0;
    let mut with_stated_age = 0;
    let mut in_care = 0;
    for (record, _) in g.chunk(synth::Kind::Case, 0).unwrap() {
        let Record::Case(rec) = record else {
            continue;
        };
        // The same serializer synth uses to write `cases.jsonl`.
        let line = serde_json::to_string(&rec).unwrap();
        let case = CaseRecord::from_json(&line)
            .and_then(|c| c.to_case())
            .unwrap_or_else(|e| panic!("{e}\n{line}"));
        cases += 1;

        assert_eq!(case.case_number, rec.case_id);
        assert!(case.child.name.starts_with(rec.child.first_name.trim()));
        assert_eq!(case.episodes.len(), rec.episodes.len());
        assert_eq!(
            case.child.date_of_birth.is_some(),
            rec.child.date_of_birth.is_some()
        );
        if let Some(s) = case.child.stated_age {
            with_stated_age += 1;
            assert_eq!(Some(s.years), rec.child.age);
            assert_eq!(
                s.on,
                case.episodes.iter().map(|e| e.reported_on).min().unwrap()
            );
        }
        match rec.custody.as_ref().unwrap() {
            CustodyRecord::Guardians { guardians } => {
                assert_eq!(case.child.custody, Custody::Family);
                assert_eq!(case.child.guardians.len(), guardians.len());
            }
            CustodyRecord::Agency {
                agency, placement, ..
            } => {
                in_care += 1;
                let expected = if placement == "group home" {
                    Custody::GroupHome
                } else {
                    Custody::FosterCare
                };
                assert_eq!(case.child.custody, expected);
                assert_eq!(case.child.agency.as_ref().unwrap().name, *agency);
            }
        }
        for (e, r) in case.episodes.iter().zip(&rec.episodes) {
            assert_eq!(casework::model::iso(e.reported_on), r.reported);
            assert_eq!(e.last_seen_place.city, r.last_seen_city);
            assert_eq!(e.reported_by, NOT_RECORDED);
            assert_eq!(e.recovered.is_some(), r.recovered.is_some());
        }
        let f = flags(&case.child, &case.episodes, date!(2025 - 01 - 01));
        assert_eq!(
            f.iter()
                .any(|f| f.id == casework::flags::CHRONICALLY_MISSING),
            case.episodes.len() >= 3
                && casework::flags::densest_year(&case.episodes).unwrap().0 >= 2
        );
    }
    assert!(cases > 100, "{cases}");
    assert!(with_stated_age > 0 && in_care > 0);
}
