//! Statistics-ready rows (one per missing episode) and counts with small-cell suppression.
//!
//! # Privacy rule
//! A count from 1 to 4 is never shown: it reads "fewer than 5" ([`Count::FewerThan5`]),
//! because a small count about a town, an age and a year can point at one child. When
//! exactly one cell of a table is suppressed, the smallest other non-zero cell is
//! suppressed too, so the hidden one cannot be worked out from the total. The total itself
//! follows the same rule. Zero is shown: it says nobody.
//!
//! Such a protecting cell is 5 or more, so it reads "withheld" ([`Count::Withheld`]) rather
//! than claim "fewer than 5".

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::model::{AgeBand, Child, Circumstance, Episode};

/// Counts below this are suppressed.
pub const SUPPRESS_BELOW: u64 = 5;

/// One missing episode, reduced to what statistics group by.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct StatsRow {
    /// The year the child was reported missing.
    pub year: i32,
    pub circumstance: Circumstance,
    /// The child's age band when reported missing; `None` when the age is unknown.
    pub age_band: Option<AgeBand>,
    /// Where the child was last seen (postal code).
    pub state: String,
}

/// One row per episode of the child, in the order given.
pub fn stats_rows(child: &Child, episodes: &[Episode]) -> Vec<StatsRow> {
    episodes
        .iter()
        .map(|e| StatsRow {
            year: e.reported_on.year(),
            circumstance: e.circumstance,
            age_band: child.age_on(e.reported_on).map(|a| AgeBand::of(a.years)),
            state: e.last_seen_place.state.clone(),
        })
        .collect()
}

/// A count as it may be shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Count {
    Exact(u64),
    /// 1 to 4.
    FewerThan5,
    /// 5 or more, hidden so that a "fewer than 5" cell can't be worked out from the total.
    Withheld,
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Count::Exact(n) => write!(f, "{n}"),
            Count::FewerThan5 => f.write_str("fewer than 5"),
            Count::Withheld => f.write_str("withheld"),
        }
    }
}

/// A suppressed table of counts by one key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tally<K> {
    /// By key, in the key's order.
    pub cells: Vec<(K, Count)>,
    pub total: Count,
}

/// Counts `rows` by `key`, then suppresses small cells.
///
/// ```
/// # use casework::stats::{tally, StatsRow};
/// # let rows: Vec<StatsRow> = vec![];
/// let by_year = tally(&rows, |r| r.year);
/// let by_state_and_year = tally(&rows, |r| (r.state.clone(), r.year));
/// ```
pub fn tally<K: Ord>(rows: &[StatsRow], key: impl Fn(&StatsRow) -> K) -> Tally<K> {
    let mut counts: BTreeMap<K, u64> = BTreeMap::new();
    for r in rows {
        *counts.entry(key(r)).or_default() += 1;
    }
    suppress(counts)
}

/// Applies the privacy rule to counts made elsewhere (e.g. by a database query).
/// Keys are sorted; a key given twice is added up.
pub fn suppress<K: Ord>(counts: impl IntoIterator<Item = (K, u64)>) -> Tally<K> {
    let mut merged: BTreeMap<K, u64> = BTreeMap::new();
    for (k, n) in counts {
        *merged.entry(k).or_default() += n;
    }
    let total: u64 = merged.values().sum();
    let small = |n: u64| (1..SUPPRESS_BELOW).contains(&n);
    let mut hidden: Vec<bool> = merged.values().map(|&n| small(n)).collect();
    if hidden.iter().filter(|&&h| h).count() == 1 {
        // The first smallest, so the choice is the same every time.
        let next = merged
            .values()
            .enumerate()
            .filter(|&(i, &n)| !hidden[i] && n > 0)
            .min_by_key(|&(_, &n)| n)
            .map(|(i, _)| i);
        if let Some(i) = next {
            hidden[i] = true;
        }
    }
    let shown = |n: u64, hide: bool| match (hide, small(n)) {
        (false, _) => Count::Exact(n),
        (true, true) => Count::FewerThan5,
        (true, false) => Count::Withheld,
    };
    Tally {
        cells: merged
            .into_iter()
            .zip(hidden)
            .map(|((k, n), h)| (k, shown(n, h)))
            .collect(),
        total: shown(total, small(total)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Custody, Place};
    use time::macros::date;
    use time::Date;

    fn row(year: i32, state: &str) -> StatsRow {
        StatsRow {
            year,
            circumstance: Circumstance::EndangeredRunaway,
            age_band: Some(AgeBand::From15To17),
            state: state.into(),
        }
    }

    #[test]
    fn small_cells_are_suppressed_and_cannot_be_recovered_from_the_total() {
        let mut rows = Vec::new();
        rows.extend((0..12).map(|_| row(2024, "TX")));
        rows.extend((0..7).map(|_| row(2024, "OK")));
        rows.extend((0..3).map(|_| row(2024, "KS")));
        let t = tally(&rows, |r| r.state.clone());
        assert_eq!(
            t.cells,
            vec![
                ("KS".to_string(), Count::FewerThan5),
                ("OK".to_string(), Count::Withheld),
                ("TX".to_string(), Count::Exact(12)),
            ]
        );
        assert_eq!(t.total, Count::Exact(22));
        assert_eq!(Count::FewerThan5.to_string(), "fewer than 5");
        assert_eq!(Count::Withheld.to_string(), "withheld");

        let t = tally(&rows[..3], |r| r.year);
        assert_eq!(t.cells, vec![(2024, Count::FewerThan5)]);
        assert_eq!(t.total, Count::FewerThan5);

        let t = suppress([("a", 5), ("b", 9), ("c", 0), ("b", 1)]);
        assert_eq!(
            t.cells,
            vec![
                ("a", Count::Exact(5)),
                ("b", Count::Exact(10)),
                ("c", Count::Exact(0))
            ]
        );
        assert_eq!(t.total, Count::Exact(15));

        let t = suppress([("a", 2), ("b", 3), ("c", 50)]);
        assert_eq!(
            t.cells,
            vec![
                ("a", Count::FewerThan5),
                ("b", Count::FewerThan5),
                ("c", Count::Exact(50))
            ]
        );
    }

    #[test]
    fn rows_take_the_age_band_when_reported() {
        let child = crate::model::Child {
            name: "Ana Example".into(),
            aliases: vec![],
            date_of_birth: Some(date!(2011 - 04 - 02)),
            stated_age: None,
            sex: None,
            description: String::new(),
            photos: vec![],
            custody: Custody::Family,
            guardians: vec![],
            agency: None,
        };
        let ep = |d: Date, state: &str| Episode {
            reported_on: d,
            last_seen_on: None,
            last_seen_place: Place {
                city: "X".into(),
                state: state.into(),
            },
            circumstance: Circumstance::FamilyAbduction,
            reported_by: "mother".into(),
            recovered: None,
        };
        let rows = stats_rows(
            &child,
            &[
                ep(date!(2016 - 01 - 01), "OK"),
                ep(date!(2026 - 05 - 01), "TX"),
            ],
        );
        assert_eq!(
            rows,
            vec![
                StatsRow {
                    year: 2016,
                    circumstance: Circumstance::FamilyAbduction,
                    age_band: Some(AgeBand::Under6),
                    state: "OK".into()
                },
                StatsRow {
                    year: 2026,
                    circumstance: Circumstance::FamilyAbduction,
                    age_band: Some(AgeBand::From15To17),
                    state: "TX".into()
                },
            ]
        );
    }
}
