//! Highlighting: a text field cut into segments, each plain or marked with
//! what was found there (an indicator, or an entity such as a phone), for
//! templates to render escaped, piece by piece.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::assess::{Assessment, Evidence};
use crate::catalogue::kind_name;

/// A piece of the text; the pieces, in order, are the whole text.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Segment<'a> {
    pub text: &'a str,
    pub mark: Option<Mark>,
}

/// What a marked segment is.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    /// `indicator`, or an entity kind (`phone`, `email`, `term`…).
    pub kind: String,
    /// Tooltip: the indicator's text (several joined with "; "), or the
    /// entity's normalised value.
    pub title: String,
}

/// Cuts `text` (the field named `field` of the assessed subject) into
/// non-overlapping segments that cover it exactly. Where found spans
/// overlap, the longest wins, indicators before entities on equal length,
/// then the earliest; spans that do not fit this text are ignored.
pub fn segments<'a>(text: &'a str, field: &str, a: &Assessment) -> Vec<Segment<'a>> {
    // (start, end, is_entity) → mark; indicators sharing a span share a mark.
    let mut candidates: BTreeMap<(usize, usize, bool), Mark> = BTreeMap::new();
    for m in &a.matches {
        for e in &m.evidence {
            let Evidence::Span {
                field: f,
                start,
                end,
                ..
            } = e
            else {
                continue;
            };
            if f != field || !fits(text, *start, *end) {
                continue;
            }
            candidates
                .entry((*start, *end, false))
                .and_modify(|mark| {
                    if !mark.title.split("; ").any(|t| t == m.text) {
                        mark.title.push_str("; ");
                        mark.title.push_str(&m.text);
                    }
                })
                .or_insert_with(|| Mark {
                    kind: "indicator".into(),
                    title: m.text.clone(),
                });
        }
    }
    for fe in a.entities.iter().filter(|e| e.field == field) {
        let s = &fe.entity.span;
        if fits(text, s.start, s.end) {
            candidates
                .entry((s.start, s.end, true))
                .or_insert_with(|| Mark {
                    kind: kind_name(fe.entity.kind).into(),
                    title: fe.entity.value.clone(),
                });
        }
    }

    let mut order: Vec<((usize, usize, bool), Mark)> = candidates.into_iter().collect();
    order.sort_by_key(|((s, e, entity), _)| (std::cmp::Reverse(e - s), *entity, *s));
    // Accepted spans by start; they never overlap, so checking the nearest
    // neighbour on each side is enough.
    let mut taken: BTreeMap<usize, (usize, Mark)> = BTreeMap::new();
    for ((s, e, _), mark) in order {
        let clash_before = taken
            .range(..=s)
            .next_back()
            .is_some_and(|(_, (pe, _))| *pe > s);
        let clash_after = taken.range(s..).next().is_some_and(|(ps, _)| *ps < e);
        if !clash_before && !clash_after {
            taken.insert(s, (e, mark));
        }
    }

    let mut out = Vec::with_capacity(taken.len() * 2 + 1);
    let mut pos = 0;
    for (s, (e, mark)) in taken {
        if s > pos {
            out.push(Segment {
                text: &text[pos..s],
                mark: None,
            });
        }
        out.push(Segment {
            text: &text[s..e],
            mark: Some(mark),
        });
        pos = e;
    }
    if pos < text.len() {
        out.push(Segment {
            text: &text[pos..],
            mark: None,
        });
    }
    out
}

fn fits(text: &str, start: usize, end: usize) -> bool {
    start < end && text.get(start..end).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Subject, TextField, Triage};

    #[test]
    fn marks_indicators_and_entities() {
        let t = Triage::default();
        let text = "She is in the life, call 212-555-0147.";
        let a = t.assess(&Subject {
            texts: vec![TextField {
                field: "narrative",
                text,
            }],
            ..Subject::default()
        });
        let segs = segments(text, "narrative", &a);
        let joined: String = segs.iter().map(|s| s.text).collect();
        assert_eq!(joined, text);
        let life = segs.iter().find(|s| s.text.contains("the life")).unwrap();
        assert_eq!(life.mark.as_ref().unwrap().kind, "indicator");
        let phone = segs.iter().find(|s| s.text == "212-555-0147").unwrap();
        let mark = phone.mark.as_ref().unwrap();
        assert_eq!(
            (mark.kind.as_str(), mark.title.as_str()),
            ("phone", "+12125550147")
        );
        // Another field's spans are not applied here.
        assert!(segments(text, "summary", &a)
            .iter()
            .all(|s| s.mark.is_none()));
    }

    #[test]
    fn empty_text_has_no_segments() {
        let t = Triage::default();
        let a = t.assess(&Subject::default());
        assert!(segments("", "narrative", &a).is_empty());
    }
}
