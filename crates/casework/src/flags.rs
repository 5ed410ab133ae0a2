//! Flags computed from a child's case, each with the reason it was raised, in plain words.
//!
//! A flag is never stored: it is recomputed from the case, so it can't go stale and its
//! reason always matches the record. The rules follow the seeds' risk factors: a child who
//! is chronically missing (3+ incidents) or runs from care is at higher risk of being
//! trafficked.

use serde::Serialize;
use time::Date;

use crate::model::{iso, latest_episode, AgeBand, Child, Circumstance, Custody, Episode};

pub const CURRENTLY_MISSING: &str = "currently_missing";
pub const CHRONICALLY_MISSING: &str = "chronically_missing";
pub const MISSING_FROM_CARE: &str = "missing_from_care";
pub const REPEAT_RUNAWAY_FROM_CARE: &str = "repeat_runaway_from_care";
pub const AGE_BAND: &str = "age_band";

/// Episodes needed before a child counts as chronically missing.
pub const CHRONIC_EPISODES: usize = 3;
/// "Within a year": two report dates at most this many days apart fall in one 365-day
/// window (so 2026-01-01 and 2026-12-31 are within a year; 2026-01-01 and 2027-01-01 are not).
pub const YEAR_WINDOW_DAYS: i64 = 364;
/// Runaway episodes from care before the repeat flag.
pub const REPEAT_RUNAWAYS: usize = 2;

/// One computed flag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Flag {
    /// Stable: one of the constants of this module.
    pub id: &'static str,
    /// Short words for a badge.
    pub label: String,
    /// Why, with the dates and counts it rests on.
    pub reason: String,
}

/// Every flag that applies on `today`, always in the same order: currently missing,
/// chronically missing, missing from care, repeat runaway from care, age band.
pub fn flags(child: &Child, episodes: &[Episode], today: Date) -> Vec<Flag> {
    let mut out = Vec::new();
    if let Some(f) = currently_missing(child, episodes, today) {
        out.push(f);
    }
    if let Some(f) = chronically_missing(episodes) {
        out.push(f);
    }
    if let Some(f) = missing_from_care(child, episodes) {
        out.push(f);
    }
    if let Some(f) = repeat_runaway_from_care(child, episodes) {
        out.push(f);
    }
    if let Some(a) = child.age_on(today) {
        let band = AgeBand::of(a.years);
        out.push(Flag {
            id: AGE_BAND,
            label: format!("Age {}", band.label()),
            reason: format!("age {} on {}", a.explain(), iso(today)),
        });
    }
    out
}

fn currently_missing(child: &Child, episodes: &[Episode], today: Date) -> Option<Flag> {
    let e = latest_episode(episodes).filter(|e| e.recovered.is_none())?;
    let since = e.missing_since();
    let days = (today - since).whole_days();
    let mut reason = format!(
        "missing since {} ({} day{}), last seen in {}; reported {} by {}, no recovery recorded",
        iso(since),
        days,
        if days == 1 { "" } else { "s" },
        e.last_seen_place,
        iso(e.reported_on),
        e.reported_by
    );
    if child.custody.is_care() {
        reason.push_str(&format!("; in {}", child.custody.label()));
    }
    Some(Flag {
        id: CURRENTLY_MISSING,
        label: "Currently missing".into(),
        reason,
    })
}

/// The largest number of episodes reported within one 365-day window, and the first and
/// last report dates of the earliest such window.
pub fn densest_year(episodes: &[Episode]) -> Option<(usize, Date, Date)> {
    let mut days: Vec<Date> = episodes.iter().map(|e| e.reported_on).collect();
    days.sort_unstable();
    let mut best: Option<(usize, Date, Date)> = None;
    let mut start = 0;
    for end in 0..days.len() {
        while (days[end] - days[start]).whole_days() > YEAR_WINDOW_DAYS {
            start += 1;
        }
        let n = end - start + 1;
        if best.is_none_or(|(b, _, _)| n > b) {
            best = Some((n, days[start], days[end]));
        }
    }
    best
}

fn chronically_missing(episodes: &[Episode]) -> Option<Flag> {
    let n = episodes.len();
    if n < CHRONIC_EPISODES {
        return None;
    }
    let (k, from, to) = densest_year(episodes)?;
    if k < 2 {
        return None;
    }
    let which = if k == n {
        format!("all {k}")
    } else {
        format!("{k} of them")
    };
    Some(Flag {
        id: CHRONICALLY_MISSING,
        label: "Chronically missing".into(),
        reason: format!(
            "{n} episodes, {which} between {} and {} (within a year)",
            iso(from),
            iso(to)
        ),
    })
}

fn agency_words(child: &Child) -> String {
    match child.agency.as_ref().map(|a| a.name.trim()) {
        Some(a) if !a.is_empty() => format!("in {} ({a})", child.custody.label()),
        _ => format!("in {}", child.custody.label()),
    }
}

fn missing_from_care(child: &Child, episodes: &[Episode]) -> Option<Flag> {
    let recorded = episodes
        .iter()
        .filter(|e| e.circumstance == Circumstance::MissingFromCare)
        .count();
    let mut parts = Vec::new();
    if child.custody.is_care() && !episodes.is_empty() {
        parts.push(format!(
            "{}, reported missing {} time{}",
            agency_words(child),
            episodes.len(),
            if episodes.len() == 1 { "" } else { "s" }
        ));
    }
    if recorded > 0 {
        parts.push(format!(
            "{recorded} episode{} recorded as missing from care",
            if recorded == 1 { "" } else { "s" }
        ));
    }
    (!parts.is_empty()).then(|| Flag {
        id: MISSING_FROM_CARE,
        label: "Missing from care".into(),
        reason: parts.join("; "),
    })
}

/// Episodes in which the child ran from care: those recorded as missing from care, and
/// endangered runaways while the child is in care. The model keeps the current custody only,
/// so a runaway from home before the child came into care counts too; the reason lists the
/// dates so a caseworker can tell.
fn runs_from_care<'a>(child: &Child, episodes: &'a [Episode]) -> Vec<&'a Episode> {
    let mut runs: Vec<&Episode> = episodes
        .iter()
        .filter(|e| {
            e.circumstance == Circumstance::MissingFromCare
                || (child.custody.is_care() && e.circumstance == Circumstance::EndangeredRunaway)
        })
        .collect();
    runs.sort_by_key(|e| e.reported_on);
    runs
}

fn repeat_runaway_from_care(child: &Child, episodes: &[Episode]) -> Option<Flag> {
    let runs = runs_from_care(child, episodes);
    if runs.len() < REPEAT_RUNAWAYS {
        return None;
    }
    let dates: Vec<String> = runs.iter().map(|e| iso(e.reported_on)).collect();
    let place = if child.custody == Custody::Family {
        "recorded as missing from care".to_owned()
    } else {
        agency_words(child)
    };
    Some(Flag {
        id: REPEAT_RUNAWAY_FROM_CARE,
        label: "Repeat runaway from care".into(),
        reason: format!(
            "ran away {} times while {place}: {}",
            runs.len(),
            dates.join(", ")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Agency, Contact, Place, Recovery, StatedAge};
    use proptest::prelude::*;
    use time::macros::date;
    use time::Duration;

    const TODAY: Date = date!(2026 - 10 - 01);

    fn child(custody: Custody) -> Child {
        Child {
            name: "Ana Example".into(),
            aliases: vec![],
            date_of_birth: Some(date!(2011 - 04 - 02)),
            stated_age: None,
            sex: None,
            description: String::new(),
            photos: vec![],
            custody,
            guardians: vec![],
            agency: custody.is_care().then(|| Agency {
                name: "County Children's Services".into(),
                caseworker: Contact::default(),
            }),
        }
    }

    fn episode(reported_on: Date, recovered: bool, circumstance: Circumstance) -> Episode {
        Episode {
            reported_on,
            last_seen_on: None,
            last_seen_place: Place {
                city: "Tulsa".into(),
                state: "OK".into(),
            },
            circumstance,
            reported_by: "foster parent".into(),
            recovered: recovered.then(|| Recovery {
                on: reported_on + Duration::days(3),
                place: None,
                how: "returned".into(),
            }),
        }
    }

    fn ids(f: &[Flag]) -> Vec<&'static str> {
        f.iter().map(|f| f.id).collect()
    }

    #[test]
    fn chronically_missing_appears_exactly_at_the_third_episode() {
        let c = child(Custody::Family);
        let er = Circumstance::EndangeredRunaway;
        let mut eps = vec![
            episode(date!(2026 - 01 - 03), true, er),
            episode(date!(2026 - 09 - 12), true, er),
        ];
        assert!(!ids(&flags(&c, &eps, TODAY)).contains(&CHRONICALLY_MISSING));
        eps.push(episode(date!(2024 - 05 - 20), true, er));
        let f = flags(&c, &eps, TODAY);
        let chronic = f
            .iter()
            .find(|f| f.id == CHRONICALLY_MISSING)
            .expect("flag at the third episode");
        assert_eq!(chronic.label, "Chronically missing");
        assert_eq!(
            chronic.reason,
            "3 episodes, 2 of them between 2026-01-03 and 2026-09-12 (within a year)"
        );
    }

    #[test]
    fn three_episodes_a_year_or_more_apart_are_not_chronic() {
        let c = child(Custody::Family);
        let er = Circumstance::EndangeredRunaway;
        let eps = [
            episode(date!(2022 - 01 - 01), true, er),
            episode(date!(2023 - 01 - 01), true, er),
            episode(date!(2024 - 01 - 01), true, er),
        ];
        assert!(!ids(&flags(&c, &eps, TODAY)).contains(&CHRONICALLY_MISSING));
        let eps = [
            episode(date!(2022 - 01 - 01), true, er),
            episode(date!(2022 - 12 - 31), true, er),
            episode(date!(2024 - 06 - 01), true, er),
        ];
        assert!(ids(&flags(&c, &eps, TODAY)).contains(&CHRONICALLY_MISSING));
    }

    #[test]
    fn care_flags_and_current_episode() {
        let c = child(Custody::GroupHome);
        let er = Circumstance::EndangeredRunaway;
        let eps = [
            episode(date!(2026 - 02 - 01), true, er),
            episode(date!(2026 - 09 - 12), false, er),
        ];
        let f = flags(&c, &eps, TODAY);
        assert_eq!(
            ids(&f),
            [
                CURRENTLY_MISSING,
                MISSING_FROM_CARE,
                REPEAT_RUNAWAY_FROM_CARE,
                AGE_BAND
            ]
        );
        assert_eq!(
            f[0].reason,
            "missing since 2026-09-12 (19 days), last seen in Tulsa, OK; reported 2026-09-12 \
             by foster parent, no recovery recorded; in group home"
        );
        assert_eq!(
            f[1].reason,
            "in group home (County Children's Services), reported missing 2 times"
        );
        assert_eq!(
            f[2].reason,
            "ran away 2 times while in group home (County Children's Services): 2026-02-01, \
             2026-09-12"
        );
        assert_eq!(f[3].label, "Age 15–17");
        assert_eq!(f[3].reason, "age 15 (born 2011-04-02) on 2026-10-01");
    }

    #[test]
    fn family_custody_flags_only_recorded_care_episodes() {
        let mut c = child(Custody::Family);
        c.date_of_birth = None;
        c.stated_age = Some(StatedAge {
            years: 5,
            on: date!(2025 - 11 - 01),
        });
        let eps = [episode(
            date!(2026 - 02 - 01),
            true,
            Circumstance::MissingFromCare,
        )];
        let f = flags(&c, &eps, TODAY);
        assert_eq!(ids(&f), [MISSING_FROM_CARE, AGE_BAND]);
        assert_eq!(f[0].reason, "1 episode recorded as missing from care");
        assert_eq!(f[1].label, "Age under 6");
        assert_eq!(
            f[1].reason,
            "age about 5 (stated as 5 on 2025-11-01) on 2026-10-01"
        );
    }

    /// The rule read literally: 3+ episodes, and some two of them at most 364 days apart.
    fn oracle(episodes: &[Episode]) -> bool {
        episodes.len() >= 3
            && episodes.iter().enumerate().any(|(i, a)| {
                episodes.iter().enumerate().any(|(j, b)| {
                    i != j && (a.reported_on - b.reported_on).whole_days().abs() <= 364
                })
            })
    }

    proptest! {
        #[test]
        fn flags_are_deterministic_and_chronic_matches_the_oracle(
            offsets in proptest::collection::vec((0i64..3_000, any::<bool>(), 0usize..5), 0..8),
            custody in 0usize..4,
        ) {
            let c = child(Custody::ALL[custody]);
            let start = date!(2018 - 01 - 01);
            let eps: Vec<Episode> = offsets
                .iter()
                .map(|&(d, r, ci)| episode(start + Duration::days(d), r, Circumstance::ALL[ci]))
                .collect();
            let a = flags(&c, &eps, TODAY);
            prop_assert_eq!(&a, &flags(&c, &eps, TODAY));
            let mut reversed = eps.clone();
            reversed.reverse();
            let b = flags(&c, &reversed, TODAY);
            let chronic = |f: &[Flag]| f.iter().find(|f| f.id == CHRONICALLY_MISSING).cloned();
            prop_assert_eq!(chronic(&a), chronic(&b));
            prop_assert_eq!(chronic(&a).is_some(), oracle(&eps));
        }
    }
}
