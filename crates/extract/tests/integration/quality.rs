//! Precision and recall of phone and email extraction on a generated,
//! labelled corpus (deterministic seed; not hand-picked), asserted against
//! the quality bars: phones P >= 0.99, R >= 0.97; emails P >= 0.99, R >= 0.95.

use std::ops::Range;

use extract::{EntityKind, Extractor};

use crate::synth::Synth;

#[derive(Default, Debug)]
struct Score {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Score {
    fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// Matches found entities to planted ones: same value and overlapping span.
fn score(
    found: &[(String, Range<usize>)],
    planted: &[(String, Range<usize>)],
    s: &mut Score,
    misses: &mut Vec<String>,
    extras: &mut Vec<String>,
    text: &str,
) {
    let mut used = vec![false; planted.len()];
    for (v, span) in found {
        match planted
            .iter()
            .enumerate()
            .position(|(i, (pv, ps))| !used[i] && pv == v && overlaps(ps, span))
        {
            Some(i) => {
                used[i] = true;
                s.tp += 1;
            }
            None => {
                s.fp += 1;
                extras.push(format!("{v} from {:?} in {text:?}", &text[span.clone()]));
            }
        }
    }
    for (i, (v, span)) in planted.iter().enumerate() {
        if !used[i] {
            s.fn_ += 1;
            misses.push(format!(
                "{v} planted as {:?} in {text:?}",
                &text[span.clone()]
            ));
        }
    }
}

#[test]
fn phone_and_email_precision_recall() {
    let x = Extractor::new();
    let mut synth = Synth::new(0x5eed_c1ea_2026);
    let (mut ps, mut es) = (Score::default(), Score::default());
    let (mut pm, mut pe, mut em, mut ee) = (vec![], vec![], vec![], vec![]);
    let docs = 5000;
    for _ in 0..docs {
        let d = synth.doc();
        let ents = x.extract(&d.text);
        let of = |k: EntityKind| -> Vec<(String, Range<usize>)> {
            ents.iter()
                .filter(|e| e.kind == k)
                .map(|e| (e.value.clone(), e.span.clone()))
                .collect()
        };
        score(
            &of(EntityKind::Phone),
            &d.phones,
            &mut ps,
            &mut pm,
            &mut pe,
            &d.text,
        );
        score(
            &of(EntityKind::Email),
            &d.emails,
            &mut es,
            &mut em,
            &mut ee,
            &d.text,
        );
    }
    println!(
        "phones: planted {} P={:.4} R={:.4} | emails: planted {} P={:.4} R={:.4}",
        ps.tp + ps.fn_,
        ps.precision(),
        ps.recall(),
        es.tp + es.fn_,
        es.precision(),
        es.recall()
    );
    for m in pm.iter().take(15) {
        println!("phone miss: {m}");
    }
    for m in pe.iter().take(15) {
        println!("phone extra: {m}");
    }
    for m in em.iter().take(15) {
        println!("email miss: {m}");
    }
    for m in ee.iter().take(15) {
        println!("email extra: {m}");
    }
    assert!(ps.tp + ps.fn_ > 3000, "corpus too small: {ps:?}");
    assert!(ps.precision() >= 0.99, "phone precision {ps:?}");
    assert!(ps.recall() >= 0.97, "phone recall {ps:?}");
    assert!(es.precision() >= 0.99, "email precision {es:?}");
    assert!(es.recall() >= 0.95, "email recall {es:?}");
}

#[test]
fn planted_numbers_are_valid_for_phonenumber() {
    let mut synth = Synth::new(7);
    for _ in 0..500 {
        let d = synth.phone_digits();
        assert_eq!(
            extract::normalize_phone(&d).as_deref(),
            Some(format!("+1{d}").as_str()),
            "{d}"
        );
    }
}
