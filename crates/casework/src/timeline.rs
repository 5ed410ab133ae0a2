//! A child's timeline: each time they went missing and were recovered, with the reports and
//! alerts linked to the case, in date order.

use serde::Serialize;
use time::Date;

use crate::model::{iso, Episode};

/// What a timeline entry is.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum TimelineKind {
    Missing,
    Recovered,
    /// A report linked to the case, by its id.
    Report(String),
    /// An alert raised for the case, by its id.
    Alert(String),
}

impl TimelineKind {
    /// On one day, the child goes missing before anything is reported about them, and the
    /// recovery closes the day.
    fn rank(&self) -> u8 {
        match self {
            TimelineKind::Missing => 0,
            TimelineKind::Report(_) => 1,
            TimelineKind::Alert(_) => 2,
            TimelineKind::Recovered => 3,
        }
    }
}

/// One entry of the timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimelineItem {
    #[serde(with = "crate::model::iso_date")]
    pub on: Date,
    pub kind: TimelineKind,
    /// One line in plain words.
    pub text: String,
}

/// The episodes' reports and recoveries plus the caller's `extra` items (linked reports,
/// alerts), sorted by date; items of one day keep a fixed order (missing, reports, alerts,
/// recovered), then the order they came in.
pub fn timeline(
    episodes: &[Episode],
    extra: impl IntoIterator<Item = TimelineItem>,
) -> Vec<TimelineItem> {
    let mut items = Vec::with_capacity(episodes.len() * 2);
    for e in episodes {
        let seen = match e.last_seen_on {
            Some(d) if d != e.reported_on => format!(" on {}", iso(d)),
            _ => String::new(),
        };
        items.push(TimelineItem {
            on: e.reported_on,
            kind: TimelineKind::Missing,
            text: format!(
                "Reported missing ({}) by {}; last seen in {}{seen}",
                e.circumstance.label(),
                e.reported_by,
                e.last_seen_place
            ),
        });
        if let Some(r) = &e.recovered {
            let days = (r.on - e.missing_since()).whole_days();
            let place = r
                .place
                .as_ref()
                .map_or_else(String::new, |p| format!(" in {p}"));
            items.push(TimelineItem {
                on: r.on,
                kind: TimelineKind::Recovered,
                text: format!(
                    "Recovered{place} after {days} day{}: {}",
                    if days == 1 { "" } else { "s" },
                    r.how
                ),
            });
        }
    }
    items.extend(extra);
    items.sort_by_key(|i| (i.on, i.kind.rank()));
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Circumstance, Place, Recovery};
    use time::macros::date;

    #[test]
    fn merges_episodes_and_linked_items_in_order() {
        let tulsa = Place {
            city: "Tulsa".into(),
            state: "OK".into(),
        };
        let eps = [
            Episode {
                reported_on: date!(2026 - 09 - 12),
                last_seen_on: Some(date!(2026 - 09 - 11)),
                last_seen_place: tulsa.clone(),
                circumstance: Circumstance::EndangeredRunaway,
                reported_by: "foster parent".into(),
                recovered: None,
            },
            Episode {
                reported_on: date!(2026 - 01 - 03),
                last_seen_on: None,
                last_seen_place: tulsa.clone(),
                circumstance: Circumstance::MissingFromCare,
                reported_by: "group home staff".into(),
                recovered: Some(Recovery {
                    on: date!(2026 - 01 - 04),
                    place: Some(Place {
                        city: "Dallas".into(),
                        state: "TX".into(),
                    }),
                    how: "located by police".into(),
                }),
            },
        ];
        let extra = [
            TimelineItem {
                on: date!(2026 - 09 - 12),
                kind: TimelineKind::Alert("alert-1".into()),
                text: "Poster published".into(),
            },
            TimelineItem {
                on: date!(2026 - 01 - 04),
                kind: TimelineKind::Report("report-0000042".into()),
                text: "Linked report".into(),
            },
        ];
        let t = timeline(&eps, extra);
        let got: Vec<(String, &TimelineKind)> = t.iter().map(|i| (iso(i.on), &i.kind)).collect();
        assert_eq!(
            got,
            [
                ("2026-01-03".into(), &TimelineKind::Missing),
                (
                    "2026-01-04".into(),
                    &TimelineKind::Report("report-0000042".into())
                ),
                ("2026-01-04".into(), &TimelineKind::Recovered),
                ("2026-09-12".into(), &TimelineKind::Missing),
                ("2026-09-12".into(), &TimelineKind::Alert("alert-1".into())),
            ]
        );
        assert_eq!(
            t[0].text,
            "Reported missing (missing from care) by group home staff; last seen in Tulsa, OK"
        );
        assert_eq!(
            t[2].text,
            "Recovered in Dallas, TX after 1 day: located by police"
        );
        assert_eq!(
            t[3].text,
            "Reported missing (endangered runaway) by foster parent; last seen in Tulsa, OK on \
             2026-09-11"
        );
        let json = serde_json::to_string(&t[1]).expect("json");
        assert_eq!(
            json,
            r#"{"on":"2026-01-04","kind":{"type":"report","id":"report-0000042"},"text":"Linked report"}"#
        );
    }
}
