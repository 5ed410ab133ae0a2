//! The triage contract from outside: the shipped catalogue, the rules of
//! priority on realistic (synthetic) reports, jurisdiction, and properties of
//! assessment and highlighting on arbitrary text.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::OnceLock;

use extract::{EntityKind, TERMS};
use proptest::prelude::*;
use triage::{
    segments, Catalogue, CatalogueError, Category, Detect, Evidence, FactRule, Facts, Indicator,
    Location, Priority, Subject, TextField, Triage,
};

fn triage() -> &'static Triage {
    static T: OnceLock<Triage> = OnceLock::new();
    T.get_or_init(Triage::default)
}

fn narrative(text: &str) -> Subject<'_> {
    Subject {
        texts: vec![TextField {
            field: "narrative",
            text,
        }],
        facts: Facts::default(),
    }
}

fn ids(a: &triage::Assessment) -> Vec<&str> {
    a.matches.iter().map(|m| m.indicator_id.as_str()).collect()
}

// ----- catalogue ------------------------------------------------------------------------------

#[test]
fn shipped_catalogue_parses_and_round_trips() {
    let c = Catalogue::shipped();
    assert_eq!(c.version, 1);
    assert!((30..=60).contains(&c.indicators.len()));
    assert_eq!(Catalogue::parse(&c.to_toml()).unwrap(), c);
    assert!(c.get("minor").is_some());
    assert!(c.get("no_such_indicator").is_none());
}

const GOOD: &str = r#"
version = 1
[[indicator]]
id = "the_life"
text = "Uses the words \"the life\""
category = "behavioural_red_flag"
source = "seeds/002"
weight = 1.5
detect = [{ kind = "phrase", any = ["the life"] }]
"#;

fn broken(from: &str, to: &str) -> CatalogueError {
    assert!(GOOD.contains(from), "{from}");
    Catalogue::parse(&GOOD.replacen(from, to, 1)).unwrap_err()
}

fn problem(e: &CatalogueError, id: &str) -> String {
    match e {
        CatalogueError::Indicator { id: got, problem } => {
            assert_eq!(got, id, "{e}");
            problem.clone()
        }
        other => panic!("expected an indicator error, got {other}"),
    }
}

#[test]
fn a_small_catalogue_parses() {
    let c = Catalogue::parse(GOOD).unwrap();
    assert_eq!(c.indicators.len(), 1);
    assert_eq!(c.indicators[0].category, Category::BehaviouralRedFlag);
}

#[test]
fn invalid_catalogues_name_the_indicator_and_the_fix() {
    let p = problem(&broken("weight = 1.5", "weight = 11.0"), "the_life");
    assert!(p.contains("0.0 to 10"), "{p}");
    let p = problem(&broken("weight = 1.5", "weight = -1.0"), "the_life");
    assert!(p.contains("out of range"), "{p}");
    let p = problem(
        &broken("text = \"Uses the words \\\"the life\\\"\"", "text = \" \""),
        "the_life",
    );
    assert!(p.contains("`text` is empty"), "{p}");
    let p = problem(
        &broken("source = \"seeds/002\"", "source = \"\""),
        "the_life",
    );
    assert!(p.contains("source"), "{p}");
    let p = problem(
        &broken(
            r#"detect = [{ kind = "phrase", any = ["the life"] }]"#,
            "detect = []",
        ),
        "the_life",
    );
    assert!(p.contains("at least one"), "{p}");
    let p = problem(&broken(r#"any = ["the life"]"#, "any = []"), "the_life");
    assert!(p.contains("no phrases"), "{p}");
    let p = problem(
        &broken(r#"any = ["the life"]"#, r#"any = ["  "]"#),
        "the_life",
    );
    assert!(p.contains("no letters"), "{p}");
    let p = problem(
        &broken(r#"any = ["the life"]"#, r#"any = ["the (life|game)"]"#),
        "the_life",
    );
    assert!(p.contains("regular expression"), "{p}");
    let p = problem(
        &broken(r#"any = ["the life"]"#, r#"any = ["hotel.*room"]"#),
        "the_life",
    );
    assert!(p.contains("regular expression"), "{p}");
    let p = problem(&broken("weight = 1.5", "wieght = 1.5"), "the_life");
    assert!(p.contains("wieght"), "{p}");
    let p = problem(
        &broken(
            "category = \"behavioural_red_flag\"",
            "category = \"red_flag\"",
        ),
        "the_life",
    );
    assert!(p.contains("red_flag"), "{p}");
    let p = problem(
        &broken(
            r#"{ kind = "phrase", any = ["the life"] }"#,
            r#"{ kind = "entity", entity = "term", values = ["the_lyfe"] }"#,
        ),
        "the_life",
    );
    assert!(p.contains("the_lyfe") && p.contains("the_game"), "{p}");
    let p = problem(
        &broken(
            r#"{ kind = "phrase", any = ["the life"] }"#,
            r#"{ kind = "entity", entity = "fone" }"#,
        ),
        "the_life",
    );
    assert!(p.contains("fone") && p.contains("phone"), "{p}");
    let p = problem(
        &broken(
            r#"{ kind = "phrase", any = ["the life"] }"#,
            r#"{ kind = "fact", fact = { rule = "episodes_at_least", count = 0 } }"#,
        ),
        "the_life",
    );
    assert!(p.contains("episodes_at_least"), "{p}");
    let p = problem(
        &broken("id = \"the_life\"", "id = \"The Life\""),
        "The Life",
    );
    assert!(p.contains("lower-case"), "{p}");
}

#[test]
fn duplicate_ids_and_missing_ids_are_named() {
    let twice = format!("{GOOD}{}", GOOD.replace("version = 1", ""));
    let p = problem(&Catalogue::parse(&twice).unwrap_err(), "the_life");
    assert!(p.contains("used twice"), "{p}");
    let e = Catalogue::parse(&GOOD.replace("id = \"the_life\"\n", "")).unwrap_err();
    assert!(e.to_string().starts_with("indicator `#1 (no id)`: "), "{e}");
    assert!(e.to_string().contains("`id`"), "{e}");
}

#[test]
fn catalogue_level_errors() {
    let e = Catalogue::parse("version = 1\n[[indicator]\n").unwrap_err();
    assert!(matches!(e, CatalogueError::Syntax(_)), "{e}");
    let e = Catalogue::parse(&GOOD.replace("version = 1", "")).unwrap_err();
    assert!(e.to_string().contains("version"), "{e}");
    let e = Catalogue::parse(&GOOD.replace("version = 1", "version = 1\nnotes = 2")).unwrap_err();
    assert!(e.to_string().contains("notes"), "{e}");
}

#[test]
fn combinations_need_two_disjoint_groups_of_known_indicators() {
    let one_group =
        format!("{GOOD}\n[[combination]]\nid = \"c\"\ntext = \"t\"\nall_of = [[\"the_life\"]]\n");
    let e = Catalogue::parse(&one_group).unwrap_err();
    assert!(
        matches!(&e, CatalogueError::Combination { id, problem } if id == "c" && problem.contains("two groups")),
        "{e}"
    );
    let unknown = format!(
        "{GOOD}\n[[combination]]\nid = \"c\"\ntext = \"t\"\nall_of = [[\"the_life\"], [\"nope\"]]\n"
    );
    assert!(Catalogue::parse(&unknown)
        .unwrap_err()
        .to_string()
        .contains("nope"));
    let shared = format!(
        "{GOOD}\n[[combination]]\nid = \"c\"\ntext = \"t\"\nall_of = [[\"the_life\"], [\"the_life\"]]\n"
    );
    assert!(Catalogue::parse(&shared)
        .unwrap_err()
        .to_string()
        .contains("two groups"));
}

// ----- rules of priority ------------------------------------------------------------------------

#[test]
fn escalation_is_immediate_with_its_reason() {
    let mut s = narrative("Account flagged by the provider.");
    s.facts.escalate_to_high_priority = true;
    let a = triage().assess(&s);
    assert_eq!(a.priority, Priority::Immediate);
    assert_eq!(
        a.reasons[0],
        "Immediate: the provider asked for escalation to high priority"
    );
    assert!(ids(&a).contains(&"provider_escalation"));
}

#[test]
fn an_imminent_danger_phrase_alone_is_immediate() {
    for text in [
        "She texted that she can't leave the apartment.",
        "She texted that she CAN’T\n leave the apartment.",
        "They are moving her tonight to another city.",
        "He wants to meet tomorrow after school.",
        "He said he is going to hurt her.",
    ] {
        let a = triage().assess(&narrative(text));
        assert_eq!(a.priority, Priority::Immediate, "{text}: {:?}", a.reasons);
        assert!(a.reasons[0].starts_with("Immediate: "), "{:?}", a.reasons);
    }
    let a = triage().assess(&narrative("She texted that she can’t leave."));
    assert_eq!(
        a.reasons[0],
        "Immediate: The child is being held, locked in or not allowed to leave: “can’t leave” (narrative)"
    );
}

/// Texts and facts that may trigger one detection rule on its own.
fn samples(d: &Detect) -> Vec<(String, Facts)> {
    let text = |t: String| (t, Facts::default());
    let facts = |f: Facts| (String::new(), f);
    let forms = |kind: EntityKind, id: &str| -> Vec<String> {
        TERMS
            .iter()
            .filter(|t| t.kind == kind && t.id == id)
            .flat_map(|t| t.forms.iter().map(|f| f.to_string()))
            .collect()
    };
    match d {
        Detect::Phrase { any } => any
            .iter()
            .map(|p| text(format!("Reported: {p}.")))
            .collect(),
        Detect::Entity { entity, values } => match values {
            Some(vs) => vs
                .iter()
                .flat_map(|v| forms(*entity, v))
                .map(|f| text(format!("Reported: {f}.")))
                .collect(),
            None => match entity {
                EntityKind::Money => vec![text("Reported: $200.".into())],
                EntityKind::Phone => vec![text("Reported: 212-555-0147.".into())],
                k => TERMS
                    .iter()
                    .filter(|t| t.kind == *k)
                    .flat_map(|t| t.forms.iter())
                    .map(|f| text(format!("Reported: {f}.")))
                    .collect(),
            },
        },
        Detect::StatedAgeUnder { age } => {
            vec![text(format!("Reported: {} years old.", age - 2))]
        }
        Detect::EntityCount { entity, at_least } => {
            assert_eq!(*entity, EntityKind::Phone, "add a sample for {entity:?}");
            let phones: Vec<String> = (0..*at_least)
                .map(|i| format!("212-555-01{:02}", 40 + i))
                .collect();
            vec![text(format!("Reported: {}.", phones.join(", ")))]
        }
        Detect::StatesAtLeast { count } => {
            let locations = ["OH", "IN", "TX", "FL", "GA"]
                .iter()
                .take(*count as usize)
                .map(|s| Location {
                    state: Some(s.to_string()),
                    ..Location::default()
                })
                .collect();
            vec![facts(Facts {
                locations,
                ..Facts::default()
            })]
        }
        Detect::Fact { fact } => {
            let mut f = Facts::default();
            match fact {
                FactRule::EscalateToHighPriority => f.escalate_to_high_priority = true,
                FactRule::MissingFromCare => f.missing_from_care = true,
                FactRule::Runaway => f.runaway = true,
                FactRule::RanFromFosterCare => {
                    f.runaway = true;
                    f.missing_from_care = true;
                }
                FactRule::VictimUnder { age } => f.victim_ages = vec![age - 3],
                FactRule::EpisodesAtLeast { count } => f.episodes = Some(*count),
                FactRule::IncidentType { any } => f.incident_type = any.first().cloned(),
            }
            vec![facts(f)]
        }
    }
}

fn assess_sample(text: &str, facts: &Facts) -> triage::Assessment {
    let texts = if text.is_empty() {
        Vec::new()
    } else {
        vec![TextField {
            field: "narrative",
            text,
        }]
    };
    triage().assess(&Subject {
        texts,
        facts: facts.clone(),
    })
}

#[test]
fn every_indicator_alone_is_at_most_normal_unless_imminent() {
    for ind in &Catalogue::shipped().indicators {
        let alone = ind
            .detect
            .iter()
            .flat_map(samples)
            .map(|(t, f)| assess_sample(&t, &f))
            .find(|a| ids(a) == [ind.id.as_str()]);
        let a = alone.unwrap_or_else(|| panic!("no sample triggers `{}` alone", ind.id));
        let expected = if ind.category == Category::ImminentDanger {
            Priority::Immediate
        } else {
            Priority::Normal
        };
        assert_eq!(a.priority, expected, "{}: {:?}", ind.id, a.reasons);
        if expected == Priority::Normal {
            assert_eq!(
                a.reasons,
                ["Normal: only one indicator; several together are what matter"]
            );
        }
    }
}

#[test]
fn a_single_indicator_of_any_weight_is_never_high() {
    // Even a catalogue that weighs one indicator at the maximum.
    let mut c = Catalogue::shipped();
    let heavy: &mut Indicator = c.indicators.iter_mut().find(|i| i.id == "quota").unwrap();
    heavy.weight = 10.0;
    let t = Triage::new(c);
    let a = t.assess(&narrative("Her quota is high."));
    assert_eq!(ids(&a), ["quota"]);
    assert_eq!((a.priority, a.score), (Priority::Normal, 10.0));
}

#[test]
fn every_phrase_detects_its_indicator() {
    for ind in &Catalogue::shipped().indicators {
        for d in &ind.detect {
            for (t, f) in samples(d) {
                let a = assess_sample(&t, &f);
                assert!(
                    ids(&a).contains(&ind.id.as_str()),
                    "{t:?} {f:?} misses `{}`",
                    ind.id
                );
            }
        }
    }
}

#[test]
fn a_child_with_money_or_ad_wording_is_high() {
    let a = triage().assess(&narrative("Ad says she is 16yo, $200/hr."));
    assert_eq!(a.priority, Priority::High, "{:?}", a.reasons);
    assert_eq!(ids(&a), ["minor", "money_amount"]);
    assert_eq!(
        a.reasons[0],
        "High: a child under 18 together with money, sex-ad wording or an exchange for sex (a strong combination)"
    );
    // The same money without a child is one indicator: Normal.
    let a = triage().assess(&narrative("Ad says $200/hr."));
    assert_eq!(a.priority, Priority::Normal);
}

#[test]
fn several_indicators_together_are_high() {
    let a = triage().assess(&narrative("Her pimp keeps her at the motel on Route 9."));
    assert_eq!(ids(&a), ["trafficker_control", "hotel_motel"]);
    assert_eq!((a.priority, a.score), (Priority::High, 6.0));
    assert_eq!(a.reasons, ["High: 2 indicators together (score 6 ≥ 6)"]);

    // A chronically missing child who ran from foster care (seeds/001).
    let s = Subject {
        texts: Vec::new(),
        facts: Facts {
            victim_ages: vec![15],
            runaway: true,
            missing_from_care: true,
            episodes: Some(23),
            ..Facts::default()
        },
    };
    let a = triage().assess(&s);
    assert_eq!(a.priority, Priority::High, "{:?}", a.reasons);
    for id in [
        "minor",
        "chronically_missing",
        "ran_from_care",
        "runaway",
        "system_involvement",
    ] {
        assert!(ids(&a).contains(&id), "{id}");
    }
    let ev = &a
        .matches
        .iter()
        .find(|m| m.indicator_id == "chronically_missing")
        .unwrap()
        .evidence;
    assert_eq!(
        ev,
        &[Evidence::Fact {
            field: "missing episodes".into(),
            value: "23".into()
        }]
    );
}

#[test]
fn risk_factors_alone_stay_normal() {
    let a = triage().assess(&narrative("A 15 year old runaway, reported by her aunt."));
    assert_eq!(ids(&a), ["minor", "runaway"]);
    assert_eq!(a.priority, Priority::Normal);
    assert_eq!(
        a.reasons,
        ["Normal: 2 indicators together, below the score for High (score 4 < 6)"]
    );
}

#[test]
fn matches_are_sorted_by_weight_and_counted_once() {
    let a = triage().assess(&narrative(
        "The life, the life, the life. Gang. Gang. She was bullied.",
    ));
    let weights: Vec<f32> = a.matches.iter().map(|m| m.weight).collect();
    assert!(weights.windows(2).all(|w| w[0] >= w[1]), "{weights:?}");
    // 1.5 + 1.0 + 0.5, plus 0.5 for the second category (gang and bullying are both societal).
    assert_eq!(a.score, 3.5);
    let life = a
        .matches
        .iter()
        .find(|m| m.indicator_id == "trafficking_language")
        .unwrap();
    assert_eq!(life.evidence.len(), 3);
    assert!(
        matches!(&life.evidence[0], Evidence::Span { field, start: 0, end: 8, excerpt }
        if field == "narrative" && excerpt.starts_with("The life") && excerpt.ends_with('…'))
    );
}

#[test]
fn nothing_found_is_low() {
    for text in [
        "",
        "The caller asked about office hours.",
        "Order #4471 shipped to the warehouse.",
    ] {
        let a = triage().assess(&narrative(text));
        assert_eq!(a.priority, Priority::Low, "{text}: {:?}", ids(&a));
        assert_eq!(a.reasons, ["Low: no indicator matched"]);
        assert_eq!(a.score, 0.0);
    }
    let a = triage().assess(&Subject::default());
    assert_eq!(a.priority, Priority::Low);
    assert_eq!(a.catalogue_version, 1);
}

#[test]
fn a_child_with_no_indicator_is_normal_by_the_rule() {
    let c = Catalogue {
        version: 9,
        indicators: Vec::new(),
        combinations: Vec::new(),
    };
    let t = Triage::new(c);
    let mut s = Subject::default();
    s.facts.victim_ages = vec![14];
    let a = t.assess(&s);
    assert_eq!(a.priority, Priority::Normal);
    assert_eq!(
        a.reasons,
        ["Normal: a victim under 18, though no indicator matched"]
    );
    assert_eq!(a.catalogue_version, 9);
}

#[test]
fn matching_is_whole_word_and_folds_unicode() {
    // "gangway" is not "gang", "no idea" is not "no id".
    let a = triage().assess(&narrative("Walked the gangway; no idea where."));
    assert!(ids(&a).is_empty(), "{:?}", ids(&a));
    // Cyrillic look-alikes and a zero-width space do not hide a phrase.
    let text = "She was lо\u{200B}cked in a room"; // Cyrillic о
    let a = triage().assess(&narrative(text));
    assert_eq!(ids(&a), ["confined"]);
    let Evidence::Span { start, end, .. } = &a.matches[0].evidence[0] else {
        panic!()
    };
    assert_eq!(&text[*start..*end], "lо\u{200B}cked in");
}

#[test]
fn a_hangul_filler_inside_a_phrase_does_not_hide_it() {
    // Extraction drops these fillers; matching folds with the same folding, so a filler
    // typed into a word cannot slip a phrase past its indicator.
    for filler in ['\u{3164}', '\u{115F}', '\u{1160}', '\u{FFA0}'] {
        let text = format!("She was lo{filler}cked in a room");
        let a = triage().assess(&narrative(&text));
        assert_eq!(ids(&a), ["confined"], "U+{:04X}", u32::from(filler));
        let Evidence::Span { start, end, .. } = &a.matches[0].evidence[0] else {
            panic!()
        };
        assert_eq!(&text[*start..*end], format!("lo{filler}cked in"));
    }
}

#[test]
fn evidence_names_each_field() {
    let s = Subject {
        texts: vec![
            TextField {
                field: "incident summary",
                text: "Possible sextortion.",
            },
            TextField {
                field: "narrative",
                text: "He threatened to share her photos.",
            },
        ],
        facts: Facts::default(),
    };
    let a = triage().assess(&s);
    let m = &a.matches[0];
    assert_eq!(m.indicator_id, "sextortion");
    let fields: Vec<&str> = m
        .evidence
        .iter()
        .map(|e| match e {
            Evidence::Span { field, .. } | Evidence::Fact { field, .. } => field.as_str(),
        })
        .collect();
    assert_eq!(fields, ["incident summary", "narrative"]);
}

// ----- jurisdiction -----------------------------------------------------------------------------

#[test]
fn jurisdiction_from_texts_and_fields() {
    let mut s = narrative("Seen in Houston, TX, and later in Ohio. Also Springfield.");
    s.facts.locations = vec![
        Location {
            country: Some("USA".into()),
            state: Some("fl".into()),
            city: Some("Tampa".into()),
        },
        Location {
            country: Some("MX".into()),
            ..Location::default()
        },
    ];
    let a = triage().assess(&s);
    assert_eq!(a.jurisdiction.states, ["FL", "OH", "TX"]);
    assert_eq!(a.jurisdiction.countries, ["MX", "US"]);
    // Three states: evidence of travel.
    let travel = a
        .matches
        .iter()
        .find(|m| m.indicator_id == "travel")
        .unwrap();
    assert_eq!(
        travel.evidence,
        [Evidence::Fact {
            field: "states".into(),
            value: "FL, OH, TX".into()
        }]
    );

    let a = triage().assess(&narrative("Nothing about places."));
    assert!(a.jurisdiction.states.is_empty() && a.jurisdiction.countries.is_empty());
}

#[test]
fn structured_phones_count_toward_many_phones() {
    let mut s = narrative("Call 212-555-0147 or 212-555-0148.");
    s.facts.phones = vec!["(212) 555-0149".into(), "212.555.0147".into()];
    let a = triage().assess(&s);
    let m = a
        .matches
        .iter()
        .find(|m| m.indicator_id == "multiple_phones")
        .unwrap();
    assert!(m.evidence.contains(&Evidence::Fact {
        field: "phone".into(),
        value: "+12125550149".into()
    }));
    let mut s = narrative("Call 212-555-0147.");
    s.facts.phones = vec!["212.555.0147".into()];
    assert!(!ids(&triage().assess(&s)).contains(&"multiple_phones"));
}

#[test]
fn entities_are_reported_per_field() {
    let a = triage().assess(&narrative("Call 212-555-0147 at the motel."));
    let kinds: Vec<(&str, EntityKind)> = a
        .entities
        .iter()
        .map(|e| (e.field.as_str(), e.entity.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("narrative", EntityKind::Phone),
            ("narrative", EntityKind::Venue)
        ]
    );
}

#[test]
fn assessment_serialises() {
    let a = triage().assess(&narrative("She is 16 years old and in the life, $200."));
    let v = serde_json::to_value(&a).unwrap();
    assert_eq!(v["priority"], "high");
    assert_eq!(v["matches"][0]["category"], "individual_risk");
    assert_eq!(v["matches"][0]["evidence"][0]["kind"], "span");
}

// ----- properties ---------------------------------------------------------------------------------

/// Text built from catalogue phrases, entity-looking pieces and arbitrary
/// Unicode, so that spans overlap in every way.
fn report_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("the life".to_string()),
        Just("in the life".to_string()),
        Just("can't leave".to_string()),
        Just("CAN’T  leave".to_string()),
        Just("212-555-0147".to_string()),
        Just("$200/hr".to_string()),
        Just("16 years old".to_string()),
        Just("motel".to_string()),
        Just("hotel key".to_string()),
        Just("Houston, TX".to_string()),
        Just("jane [at] example [dot] com".to_string()),
        Just("new in town".to_string()),
        Just("lо\u{200B}cked in".to_string()),
        Just("ｄａｄｄｙ".to_string()),
        "\\PC{0,12}",
        ".{0,6}",
    ];
    prop::collection::vec(pieces, 0..10).prop_map(|v| v.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn assess_never_panics_and_keeps_its_invariants(text in ".{0,300}", escalate: bool, age in 0u32..40) {
        let mut s = narrative(&text);
        s.facts.escalate_to_high_priority = escalate;
        s.facts.victim_ages = vec![age];
        let a = triage().assess(&s);
        prop_assert!(a.matches.windows(2).all(|w| w[0].weight >= w[1].weight));
        if escalate {
            prop_assert_eq!(a.priority, Priority::Immediate);
        }
        if a.priority == Priority::High {
            prop_assert!(a.matches.len() >= 2);
        }
        for m in &a.matches {
            for e in &m.evidence {
                if let Evidence::Span { start, end, .. } = e {
                    prop_assert!(start < end && text.get(*start..*end).is_some());
                }
            }
        }
    }

    #[test]
    fn assess_never_panics_on_report_like_text(text in report_text()) {
        let a = triage().assess(&narrative(&text));
        if a.matches.len() < 2 {
            prop_assert!(a.priority != Priority::High);
        }
    }

    #[test]
    fn segments_cover_the_text_exactly_without_overlap(text in report_text()) {
        let a = triage().assess(&narrative(&text));
        let segs = segments(&text, "narrative", &a);
        // Pieces are `&str` slices (so never split a char); joined in order they
        // are the text, so they neither overlap nor leave gaps.
        let mut pos = 0;
        for s in &segs {
            prop_assert!(!s.text.is_empty());
            let start = s.text.as_ptr() as usize - text.as_ptr() as usize;
            prop_assert_eq!(start, pos);
            pos += s.text.len();
        }
        prop_assert_eq!(pos, text.len());
        let joined: String = segs.iter().map(|s| s.text).collect();
        prop_assert_eq!(joined, text.clone());
        // Every indicator span is at least partly marked.
        for m in &a.matches {
            for e in &m.evidence {
                if let Evidence::Span { start, end, .. } = e {
                    let mut p = 0;
                    let covered = segs.iter().any(|s| {
                        let (s0, s1) = (p, p + s.text.len());
                        p = s1;
                        s.mark.is_some() && s0 < *end && *start < s1
                    });
                    prop_assert!(covered, "{:?} not marked", &text[*start..*end]);
                }
            }
        }
    }
}
