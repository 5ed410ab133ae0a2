//! Explainable priority: which indicators of the catalogue a report shows,
//! with evidence (spans of its texts, values of its fields), the score, the
//! priority with its reasons in plain words, and the jurisdictions it names.
//!
//! # Rules of priority
//! - **Immediate**: the provider set `escalateToHighPriority`, or any
//!   [`Category::ImminentDanger`] indicator matches. Imminent danger is the
//!   one case where a single indicator decides.
//! - **High**: at least [`HIGH_MIN_INDICATORS`] distinct indicators match and
//!   either the score reaches [`HIGH_SCORE`] or a strong combination of the
//!   catalogue (e.g. a child under 18 with money or sex-ad wording) matches.
//!   No single indicator makes a report High, whatever its weight: the seed
//!   pages say no single indicator confirms anything; several together are
//!   what matter.
//! - **Normal**: at least one indicator, or a victim under [`ADULT_AGE`].
//! - **Low**: nothing matched.
//!
//! # Score
//! The sum of the weights of the matched indicators, each counted once
//! however often it occurs, plus [`CATEGORY_BONUS`] for every category beyond
//! the first (signs of different kinds corroborate each other more than
//! repeats of one kind), rounded to two decimals.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use extract::{Entity, EntityKind, Extractor};
use serde::{Deserialize, Serialize};

use crate::catalogue::{Catalogue, Category, Combination, Detect, FactRule};
use crate::fold::{fold_phrase, Folded};
pub use crate::places::{Jurisdiction, Location};

/// Score from which two or more indicators together make a report High.
pub const HIGH_SCORE: f32 = 6.0;
/// Distinct indicators needed for High (by score or by combination).
pub const HIGH_MIN_INDICATORS: usize = 2;
/// Added to the score for each distinct category beyond the first.
pub const CATEGORY_BONUS: f32 = 0.5;
/// A victim younger than this is a child.
pub const ADULT_AGE: u32 = 18;
/// Evidence kept per indicator; enough to show and highlight, bounded so a
/// pasted ad dump cannot make an assessment huge.
pub const MAX_EVIDENCE: usize = 50;
/// Bytes of context either side of a span in its excerpt.
const EXCERPT_CONTEXT: usize = 40;

/// The structured fields of a report that indicators use.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(default)]
pub struct Facts {
    /// The provider's `escalateToHighPriority`.
    pub escalate_to_high_priority: bool,
    /// The report's incident type as written (e.g. the CyberTipline's
    /// "Child Sex Trafficking"); compared ignoring case.
    pub incident_type: Option<String>,
    pub victim_ages: Vec<u32>,
    /// Missing from the care of child welfare (foster care, group home).
    pub missing_from_care: bool,
    /// The missing child ran away (an endangered runaway).
    pub runaway: bool,
    /// Number of times the child has been reported missing, this one included.
    pub episodes: Option<u32>,
    /// Places from structured fields (state and country codes or names).
    pub locations: Vec<Location>,
    /// Phone numbers from structured fields, in any format.
    pub phones: Vec<String>,
}

/// One free-text field of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextField<'a> {
    /// A label like "narrative" or "incident summary"; evidence names it.
    pub field: &'a str,
    pub text: &'a str,
}

/// What is assessed: a report's texts and structured fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Subject<'a> {
    pub texts: Vec<TextField<'a>>,
    pub facts: Facts,
}

/// How soon a report needs a person. Ordered by urgency: `Immediate` is the
/// least value, so sorting puts it first.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Immediate,
    High,
    Normal,
    Low,
}

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::Immediate,
        Priority::High,
        Priority::Normal,
        Priority::Low,
    ];

    /// 0 for Immediate up to 3 for Low.
    pub fn rank(self) -> u8 {
        match self {
            Priority::Immediate => 0,
            Priority::High => 1,
            Priority::Normal => 2,
            Priority::Low => 3,
        }
    }

    /// Stored and serialised form: `immediate`, `high`, `normal`, `low`.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Immediate => "immediate",
            Priority::High => "high",
            Priority::Normal => "normal",
            Priority::Low => "low",
        }
    }

    /// Reads [`Priority::as_str`] back, ignoring case and surrounding space.
    pub fn parse(s: &str) -> Option<Priority> {
        let s = s.trim();
        Priority::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s))
    }

    /// Name for people.
    pub fn label(self) -> &'static str {
        match self {
            Priority::Immediate => "Immediate",
            Priority::High => "High",
            Priority::Normal => "Normal",
            Priority::Low => "Low",
        }
    }
}

impl std::fmt::Display for Priority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The result: priority, why, and everything found.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Assessment {
    pub priority: Priority,
    pub score: f32,
    pub catalogue_version: u32,
    /// Sorted by weight, heaviest first (then by id).
    pub matches: Vec<Match>,
    /// Plain-language lines; the first says why this priority.
    pub reasons: Vec<String>,
    /// Every extracted entity, per field, for highlighting.
    pub entities: Vec<FieldEntity>,
    pub jurisdiction: Jurisdiction,
}

/// One indicator found, with what showed it.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Match {
    pub indicator_id: String,
    pub text: String,
    pub category: Category,
    pub weight: f32,
    /// Spans in field order, then facts; at most [`MAX_EVIDENCE`].
    pub evidence: Vec<Evidence>,
}

/// What showed an indicator.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// Bytes `start..end` of the text field `field`; `excerpt` is that text
    /// with a little context either side ("…" where cut).
    Span {
        field: String,
        start: usize,
        end: usize,
        excerpt: String,
    },
    /// A structured field and its value.
    Fact { field: String, value: String },
}

/// An entity extracted from a text field.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct FieldEntity {
    pub field: String,
    pub entity: Entity,
}

/// The catalogue compiled for matching, and the entity extractor. Build once
/// and share: it is `Send + Sync` and `assess` takes `&self`.
pub struct Triage {
    catalogue: Catalogue,
    extractor: std::sync::Arc<Extractor>,
    phrases: Option<AhoCorasick>,
    patterns: Vec<Pattern>,
}

/// One distinct folded phrase of the automaton.
struct Pattern {
    /// Indexes of the indicators that list it.
    owners: Vec<usize>,
    /// Whether its first and last characters are letters or digits, and so
    /// must sit on word boundaries ("$ tattoo" needs none before the `$`).
    word_start: bool,
    word_end: bool,
}

impl std::fmt::Debug for Triage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Triage")
            .field("catalogue_version", &self.catalogue.version)
            .field("indicators", &self.catalogue.indicators.len())
            .field("phrases", &self.patterns.len())
            .finish_non_exhaustive()
    }
}

/// The extractor depends on no catalogue and takes a few hundred milliseconds to build
/// (phone validity tables), so every `Triage` of the process shares one: saving a new
/// catalogue version then costs only the phrase automaton.
fn shared_extractor() -> std::sync::Arc<Extractor> {
    static SHARED: std::sync::OnceLock<std::sync::Arc<Extractor>> = std::sync::OnceLock::new();
    SHARED
        .get_or_init(|| std::sync::Arc::new(Extractor::new()))
        .clone()
}

impl Default for Triage {
    fn default() -> Self {
        Triage::new(Catalogue::shipped())
    }
}

impl Triage {
    /// Compiles the catalogue's phrases into one automaton and builds the
    /// extractor (a few milliseconds).
    pub fn new(catalogue: Catalogue) -> Triage {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut texts: Vec<String> = Vec::new();
        let mut patterns: Vec<Pattern> = Vec::new();
        for (i, ind) in catalogue.indicators.iter().enumerate() {
            for d in &ind.detect {
                let Detect::Phrase { any } = d else { continue };
                for p in any {
                    let folded = fold_phrase(p);
                    if folded.is_empty() {
                        continue;
                    }
                    let k = *index.entry(folded.clone()).or_insert_with(|| {
                        let is_word = |c: Option<char>| c.is_some_and(is_word_char);
                        patterns.push(Pattern {
                            owners: Vec::new(),
                            word_start: is_word(folded.chars().next()),
                            word_end: is_word(folded.chars().next_back()),
                        });
                        texts.push(folded);
                        patterns.len() - 1
                    });
                    if !patterns[k].owners.contains(&i) {
                        patterns[k].owners.push(i);
                    }
                }
            }
        }
        // Standard semantics so overlapping phrases of different indicators
        // are all reported. Building fails only past automaton size limits,
        // which validated catalogues (short phrases) cannot reach.
        let phrases = if texts.is_empty() {
            None
        } else {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .ascii_case_insensitive(true)
                .build(&texts)
                .ok()
        };
        Triage {
            catalogue,
            extractor: shared_extractor(),
            phrases,
            patterns,
        }
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    pub fn extractor(&self) -> &Extractor {
        &self.extractor
    }

    /// Assesses one report. Pure and total: never panics, whatever the text.
    pub fn assess(&self, subject: &Subject<'_>) -> Assessment {
        let indicators = &self.catalogue.indicators;
        let facts = &subject.facts;
        let extracted: Vec<Vec<Entity>> = subject
            .texts
            .iter()
            .map(|t| self.extractor.extract(t.text))
            .collect();
        let jurisdiction = Jurisdiction::from_sources(&facts.locations, extracted.iter().flatten());

        let mut found = Found::new(indicators.len());
        for (fi, tf) in subject.texts.iter().enumerate() {
            self.find_phrases(fi, tf, &mut found);
        }
        for (i, ind) in indicators.iter().enumerate() {
            for d in &ind.detect {
                match d {
                    Detect::Phrase { .. } => {}
                    Detect::Entity { entity, values } => {
                        self.each_entity(subject, &extracted, &mut found, i, |e| {
                            e.kind == *entity
                                && values.as_ref().is_none_or(|v| v.contains(&e.value))
                        });
                    }
                    Detect::StatedAgeUnder { age } => {
                        self.each_entity(subject, &extracted, &mut found, i, |e| {
                            e.kind == EntityKind::Age && age_under(&e.value, *age)
                        });
                    }
                    Detect::EntityCount { entity, at_least } => {
                        let mut values: BTreeSet<&str> = extracted
                            .iter()
                            .flatten()
                            .filter(|e| e.kind == *entity)
                            .map(|e| e.value.as_str())
                            .collect();
                        let structured: Vec<String> = if *entity == EntityKind::Phone {
                            facts
                                .phones
                                .iter()
                                .filter_map(|p| extract::normalize_phone(p))
                                .collect()
                        } else {
                            Vec::new()
                        };
                        values.extend(structured.iter().map(String::as_str));
                        if values.len() >= *at_least as usize {
                            self.each_entity(subject, &extracted, &mut found, i, |e| {
                                e.kind == *entity
                            });
                            for p in &structured {
                                found.fact(i, "phone", p.clone());
                            }
                        }
                    }
                    Detect::StatesAtLeast { count } => {
                        if jurisdiction.states.len() >= *count as usize {
                            found.fact(i, "states", jurisdiction.states.join(", "));
                        }
                    }
                    Detect::Fact { fact } => {
                        for (field, value) in fact_evidence(fact, facts) {
                            found.fact(i, field, value);
                        }
                    }
                }
            }
        }

        let mut matches: Vec<Match> = Vec::new();
        for (i, ev) in found.into_evidence(&subject.texts).into_iter().enumerate() {
            if ev.is_empty() {
                continue;
            }
            let ind = &indicators[i];
            matches.push(Match {
                indicator_id: ind.id.clone(),
                text: ind.text.clone(),
                category: ind.category,
                weight: ind.weight,
                evidence: ev,
            });
        }
        matches.sort_by(|a, b| {
            b.weight
                .total_cmp(&a.weight)
                .then_with(|| a.indicator_id.cmp(&b.indicator_id))
        });

        let child = facts.victim_ages.iter().any(|a| *a < ADULT_AGE)
            || extracted
                .iter()
                .flatten()
                .any(|e| e.kind == EntityKind::Age && age_under(&e.value, ADULT_AGE));
        let combinations: Vec<&Combination> = self
            .catalogue
            .combinations
            .iter()
            .filter(|c| {
                c.all_of.iter().all(|group| {
                    group
                        .iter()
                        .any(|id| matches.iter().any(|m| m.indicator_id == *id))
                })
            })
            .collect();
        let imminent: Vec<String> = matches
            .iter()
            .filter(|m| m.category == Category::ImminentDanger)
            .filter_map(|m| imminent_reason(m, subject, facts.escalate_to_high_priority))
            .collect();
        let (priority, score, reasons) = decide(&Signals {
            escalate: facts.escalate_to_high_priority,
            imminent,
            matches: &matches,
            combinations: &combinations,
            child,
        });

        let entities = subject
            .texts
            .iter()
            .zip(extracted)
            .flat_map(|(tf, ents)| {
                ents.into_iter().map(move |entity| FieldEntity {
                    field: tf.field.to_string(),
                    entity,
                })
            })
            .collect();
        Assessment {
            priority,
            score,
            catalogue_version: self.catalogue.version,
            matches,
            reasons,
            entities,
            jurisdiction,
        }
    }

    fn find_phrases(&self, fi: usize, tf: &TextField<'_>, found: &mut Found) {
        let Some(ac) = &self.phrases else { return };
        let mut room = extract::fold::FoldBuf::default();
        let folded = Folded::new(tf.text, &mut room);
        let t = folded.as_str();
        for m in ac.find_overlapping_iter(t) {
            let Some(p) = self.patterns.get(m.pattern().as_usize()) else {
                continue;
            };
            let before = t[..m.start()].chars().next_back();
            let after = t[m.end()..].chars().next();
            if (p.word_start && before.is_some_and(is_word_char))
                || (p.word_end && after.is_some_and(is_word_char))
            {
                continue;
            }
            let span = folded.original_span(m.start()..m.end());
            for &i in &p.owners {
                found.span(i, fi, span.clone());
            }
        }
    }

    fn each_entity(
        &self,
        subject: &Subject<'_>,
        extracted: &[Vec<Entity>],
        found: &mut Found,
        indicator: usize,
        pred: impl Fn(&Entity) -> bool,
    ) {
        for (fi, ents) in extracted.iter().enumerate().take(subject.texts.len()) {
            for e in ents.iter().filter(|e| pred(e)) {
                found.span(indicator, fi, e.span.clone());
            }
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn age_under(value: &str, limit: u32) -> bool {
    value.trim().parse::<u32>().is_ok_and(|a| a < limit)
}

/// Evidence gathered per indicator before it is turned into [`Evidence`].
struct Found {
    spans: Vec<Vec<(usize, Range<usize>)>>,
    facts: Vec<Vec<(String, String)>>,
}

impl Found {
    fn new(n: usize) -> Found {
        Found {
            spans: vec![Vec::new(); n],
            facts: vec![Vec::new(); n],
        }
    }

    fn span(&mut self, indicator: usize, field: usize, span: Range<usize>) {
        if let Some(v) = self.spans.get_mut(indicator) {
            v.push((field, span));
        }
    }

    fn fact(&mut self, indicator: usize, field: &str, value: String) {
        if let Some(v) = self.facts.get_mut(indicator) {
            v.push((field.to_string(), value));
        }
    }

    fn into_evidence(self, texts: &[TextField<'_>]) -> Vec<Vec<Evidence>> {
        self.spans
            .into_iter()
            .zip(self.facts)
            .map(|(mut spans, mut facts)| {
                spans.sort_by_key(|(f, s)| (*f, s.start, s.end));
                spans.dedup();
                facts.dedup();
                let mut out: Vec<Evidence> = Vec::new();
                for (fi, s) in spans {
                    let Some(tf) = texts.get(fi) else { continue };
                    if s.start >= s.end || tf.text.get(s.clone()).is_none() {
                        continue;
                    }
                    out.push(Evidence::Span {
                        field: tf.field.to_string(),
                        start: s.start,
                        end: s.end,
                        excerpt: excerpt(tf.text, s),
                    });
                }
                out.extend(
                    facts
                        .into_iter()
                        .map(|(field, value)| Evidence::Fact { field, value }),
                );
                out.truncate(MAX_EVIDENCE);
                out
            })
            .collect()
    }
}

/// The span with up to [`EXCERPT_CONTEXT`] bytes either side, cut on
/// character boundaries, white space made single spaces.
fn excerpt(text: &str, span: Range<usize>) -> String {
    let mut a = span.start.saturating_sub(EXCERPT_CONTEXT);
    while !text.is_char_boundary(a) {
        a -= 1;
    }
    let mut b = (span.end + EXCERPT_CONTEXT).min(text.len());
    while !text.is_char_boundary(b) {
        b += 1;
    }
    let mut s = String::new();
    if a > 0 {
        s.push('…');
    }
    s.push_str(&text[a..b].split_whitespace().collect::<Vec<_>>().join(" "));
    if b < text.len() {
        s.push('…');
    }
    s
}

/// (field, value) pairs showing that a fact rule holds; empty when it does not.
fn fact_evidence(rule: &FactRule, f: &Facts) -> Vec<(&'static str, String)> {
    match rule {
        FactRule::EscalateToHighPriority if f.escalate_to_high_priority => {
            vec![("escalate to high priority", "yes".into())]
        }
        FactRule::MissingFromCare if f.missing_from_care => {
            vec![("missing from care", "yes".into())]
        }
        FactRule::Runaway if f.runaway => vec![("runaway", "yes".into())],
        FactRule::RanFromFosterCare if f.runaway && f.missing_from_care => vec![
            ("runaway", "yes".into()),
            ("missing from care", "yes".into()),
        ],
        FactRule::VictimUnder { age } => f
            .victim_ages
            .iter()
            .filter(|a| **a < *age)
            .map(|a| ("victim age", a.to_string()))
            .collect(),
        FactRule::EpisodesAtLeast { count } => match f.episodes {
            Some(n) if n >= *count => vec![("missing episodes", n.to_string())],
            _ => Vec::new(),
        },
        FactRule::IncidentType { any } => match &f.incident_type {
            Some(t) if any.iter().any(|a| same_words(a, t)) => {
                vec![("incident type", t.trim().to_string())]
            }
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// Equal ignoring case and runs of white space.
fn same_words(a: &str, b: &str) -> bool {
    let mut x = a.split_whitespace();
    let mut y = b.split_whitespace();
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(p), Some(q)) if p.to_lowercase() == q.to_lowercase() => {}
            _ => return false,
        }
    }
}

/// "Immediate: <indicator>: “words” (field)". `None` for the provider's
/// escalation flag, which has its own line.
fn imminent_reason(m: &Match, subject: &Subject<'_>, escalated: bool) -> Option<String> {
    let quote = m.evidence.iter().find_map(|e| match e {
        Evidence::Span {
            field, start, end, ..
        } => {
            let tf = subject.texts.iter().find(|t| t.field == field)?;
            let words = tf.text.get(*start..*end)?;
            Some(format!(
                ": “{}” ({field})",
                words.split_whitespace().collect::<Vec<_>>().join(" ")
            ))
        }
        Evidence::Fact { .. } => None,
    });
    match quote {
        Some(q) => Some(format!("Immediate: {}{q}", m.text)),
        None if escalated => None,
        None => Some(format!("Immediate: {}", m.text)),
    }
}

/// What the priority is decided from.
pub(crate) struct Signals<'a> {
    pub(crate) escalate: bool,
    /// One line per matched imminent-danger indicator.
    pub(crate) imminent: Vec<String>,
    pub(crate) matches: &'a [Match],
    pub(crate) combinations: &'a [&'a Combination],
    pub(crate) child: bool,
}

/// The rules of priority (see the module documentation): priority, score and
/// the reasons, the decisive one first.
pub(crate) fn decide(s: &Signals<'_>) -> (Priority, f32, Vec<String>) {
    let n = s.matches.len();
    let categories: BTreeSet<Category> = s.matches.iter().map(|m| m.category).collect();
    let sum: f32 = s.matches.iter().map(|m| m.weight).sum();
    let bonus = CATEGORY_BONUS * categories.len().saturating_sub(1) as f32;
    let score = ((sum + bonus) * 100.0).round() / 100.0;
    let summary = format!(
        "{n} {} in {} {} (score {score})",
        plural(n, "indicator", "indicators"),
        categories.len(),
        plural(categories.len(), "category", "categories"),
    );

    let mut reasons = Vec::new();
    let priority = if s.escalate || !s.imminent.is_empty() {
        if s.escalate {
            reasons.push("Immediate: the provider asked for escalation to high priority".into());
        }
        reasons.extend(s.imminent.iter().cloned());
        if n > 0 {
            reasons.push(format!("Also: {summary}"));
        }
        Priority::Immediate
    } else if n >= HIGH_MIN_INDICATORS && (score >= HIGH_SCORE || !s.combinations.is_empty()) {
        for c in s.combinations {
            reasons.push(format!("High: {} (a strong combination)", c.text));
        }
        if score >= HIGH_SCORE {
            reasons.push(format!(
                "High: {n} indicators together (score {score} ≥ {HIGH_SCORE})"
            ));
        } else {
            reasons.push(summary);
        }
        Priority::High
    } else if n == 1 {
        reasons.push("Normal: only one indicator; several together are what matter".into());
        Priority::Normal
    } else if n > 1 {
        reasons.push(format!(
            "Normal: {n} indicators together, below the score for High (score {score} < {HIGH_SCORE})"
        ));
        Priority::Normal
    } else if s.child {
        reasons.push(format!(
            "Normal: a victim under {ADULT_AGE}, though no indicator matched"
        ));
        Priority::Normal
    } else {
        reasons.push("Low: no indicator matched".into());
        Priority::Low
    };
    (priority, score, reasons)
}

fn plural<'s>(n: usize, one: &'s str, many: &'s str) -> &'s str {
    if n == 1 {
        one
    } else {
        many
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(id: &str, category: Category, weight: f32) -> Match {
        Match {
            indicator_id: id.into(),
            text: id.into(),
            category,
            weight,
            evidence: Vec::new(),
        }
    }

    fn signals<'a>(matches: &'a [Match], combos: &'a [&'a Combination]) -> Signals<'a> {
        Signals {
            escalate: false,
            imminent: Vec::new(),
            matches,
            combinations: combos,
            child: false,
        }
    }

    #[test]
    fn thresholds_are_what_the_documentation_says() {
        assert_eq!(HIGH_SCORE, 6.0);
        assert_eq!(HIGH_MIN_INDICATORS, 2);
        assert_eq!(CATEGORY_BONUS, 0.5);
        assert_eq!(ADULT_AGE, 18);
    }

    #[test]
    fn one_indicator_is_never_high_whatever_its_weight() {
        let one = [m("heavy", Category::PhysicalRedFlag, 10.0)];
        let (p, score, reasons) = decide(&signals(&one, &[]));
        assert_eq!(p, Priority::Normal);
        assert_eq!(score, 10.0);
        assert_eq!(
            reasons,
            ["Normal: only one indicator; several together are what matter"]
        );
    }

    #[test]
    fn two_indicators_reaching_the_score_are_high() {
        let two = [
            m("a", Category::PhysicalRedFlag, 3.0),
            m("b", Category::BehaviouralRedFlag, 2.5),
        ];
        // 3.0 + 2.5 + one category bonus of 0.5 = 6.0
        let (p, score, reasons) = decide(&signals(&two, &[]));
        assert_eq!((p, score), (Priority::High, 6.0));
        assert_eq!(reasons, ["High: 2 indicators together (score 6 ≥ 6)"]);
    }

    #[test]
    fn two_indicators_below_the_score_are_normal() {
        let two = [
            m("a", Category::PhysicalRedFlag, 3.0),
            m("b", Category::PhysicalRedFlag, 2.5),
        ];
        let (p, score, _) = decide(&signals(&two, &[]));
        assert_eq!((p, score), (Priority::Normal, 5.5));
    }

    #[test]
    fn a_combination_makes_two_indicators_high_below_the_score() {
        let two = [
            m("minor", Category::IndividualRisk, 3.0),
            m("money_amount", Category::PhysicalRedFlag, 1.5),
        ];
        let c = Combination {
            id: "c".into(),
            text: "a child with money".into(),
            all_of: vec![vec!["minor".into()], vec!["money_amount".into()]],
        };
        let combos = [&c];
        let (p, _, reasons) = decide(&signals(&two, &combos));
        assert_eq!(p, Priority::High);
        assert_eq!(
            reasons[0],
            "High: a child with money (a strong combination)"
        );
    }

    #[test]
    fn escalation_is_immediate_even_alone() {
        let mut s = signals(&[], &[]);
        s.escalate = true;
        let (p, _, reasons) = decide(&s);
        assert_eq!(p, Priority::Immediate);
        assert_eq!(
            reasons,
            ["Immediate: the provider asked for escalation to high priority"]
        );
    }

    #[test]
    fn a_child_alone_is_normal_and_nothing_is_low() {
        let mut s = signals(&[], &[]);
        assert_eq!(decide(&s).0, Priority::Low);
        assert_eq!(decide(&s).2, ["Low: no indicator matched"]);
        s.child = true;
        assert_eq!(decide(&s).0, Priority::Normal);
    }

    #[test]
    fn priority_names_round_trip() {
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.as_str()), Some(p));
            assert_eq!(Priority::parse(&p.label().to_uppercase()), Some(p));
            assert_eq!(
                serde_json::to_value(p).unwrap(),
                serde_json::Value::from(p.as_str())
            );
        }
        assert_eq!(Priority::parse("urgent"), None);
        let ranks: Vec<u8> = Priority::ALL.iter().map(|p| p.rank()).collect();
        assert_eq!(ranks, [0, 1, 2, 3]);
        assert!(Priority::Immediate < Priority::Low);
    }

    #[test]
    fn excerpts_keep_char_boundaries() {
        let t = "ééééééééééééééééééééééé the life ééééééééééééééééééééééééé";
        let s = t.find("the life").unwrap();
        let e = excerpt(t, s..s + 8);
        assert!(e.starts_with('…') && e.ends_with('…') && e.contains("the life"));
    }

    #[test]
    fn incident_types_compare_ignoring_case_and_spacing() {
        assert!(same_words(
            "Child Sex Trafficking",
            " child  sex trafficking"
        ));
        assert!(!same_words("Child Sex Trafficking", "Child Sex Tourism"));
    }

    #[test]
    fn triage_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Triage>();
    }
}
