//! The tables of a release, computed from the counts the store gives, and protected as the
//! release's mode says. What each table counts is said once, here, in its definition: the
//! page, the CSV, the JSON and the data dictionary all read it from the release.

use std::collections::{BTreeMap, BTreeSet};

use casework::{AgeBand, Circumstance, Episode};
use rand::Rng;
use serde::{Deserialize, Serialize};
use stats::{Mode, Published, Table};
use store::statistics::EpisodeFact;

/// The incident type whose reports, linked to a case, make its child a likely victim of
/// child sex trafficking for these statistics.
pub const TRAFFICKING_INCIDENT: &str = "Child Sex Trafficking";

/// One published table with what it means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatTable {
    /// Stable, used in the open-data addresses (`/statistics/data/{id}.csv`).
    pub id: String,
    pub title: String,
    /// What is counted, and by what rows and columns.
    pub definition: String,
    /// "missing episodes", "children", "reports".
    pub unit: String,
    /// The label of the rows' dimension ("Circumstance").
    pub row_heading: String,
    pub table: Published,
    /// Per column (year): the median days from missing to recovery, when shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_days: Option<Vec<Option<u64>>>,
}

/// The inputs of a release: what the store counted.
pub struct Facts {
    pub episodes: Vec<EpisodeFact>,
    pub trafficking_cases: BTreeSet<i64>,
    /// (incident type, year received).
    pub reports: Vec<(String, i32)>,
    /// Hope Bags given: (year, the young person's age band in words).
    pub bags: Vec<(i32, String)>,
    /// Referrals from recovery plans sent to a service: (year sent, need domain in words).
    pub referrals: Vec<(i32, String)>,
    /// Courses completed (certificates given): (year, the course's audience in words).
    pub trainings: Vec<(i32, String)>,
    /// What agencies did with leads: (year the outcome was recorded, outcome in words).
    pub lead_outcomes: Vec<(i32, String)>,
}

/// The product's own words for a CyberTipline incident type (the schema's names include
/// terms the product does not use about children).
fn incident_label(xsd: &str) -> String {
    cybertip::IncidentType::from_xsd_str(xsd)
        .map_or_else(|| xsd.to_owned(), |t| t.label().to_owned())
}

fn circumstance_label(id: &str) -> String {
    Circumstance::ALL
        .iter()
        .find(|c| c.id() == id)
        .map_or_else(|| id.replace('_', " "), |c| c.label().to_owned())
}

fn age_label(id: Option<&str>) -> String {
    match id {
        None => "age unknown".into(),
        Some(id) => AgeBand::ALL
            .iter()
            .find(|a| a.id() == id)
            .map_or_else(|| id.replace('_', " "), |a| a.label().to_owned()),
    }
}

/// A table of (year, row) facts with the years they span as columns and `rows` in their
/// fixed order (a row nothing fell in still shows its zero).
fn by_year(facts: &[(i32, String)], rows: &[String]) -> Table {
    let years: Vec<String> = facts
        .iter()
        .map(|f| f.0)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|y| y.to_string())
        .collect();
    let mut t = with_rows(rows, &years);
    for (year, row) in facts {
        t.add(row, &year.to_string(), 1);
    }
    t
}

/// Rows in a fixed order where the dimension has one (circumstances, age bands), so that
/// every release lists them alike and a row with no cases still shows its zero.
fn with_rows(rows: &[String], years: &[String]) -> Table {
    Table::new(rows.to_vec(), years.to_vec())
}

struct Built {
    /// Tables that share the year totals, protected together.
    families: Vec<Vec<(Meta, Table)>>,
    medians: Vec<Option<u64>>,
}

#[derive(Clone)]
struct Meta {
    id: &'static str,
    title: &'static str,
    definition: &'static str,
    unit: &'static str,
    row_heading: &'static str,
}

fn median(mut v: Vec<i64>) -> Option<u64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    u64::try_from(v[v.len() / 2]).ok()
}

fn build(f: &Facts) -> Built {
    let years: Vec<String> = f
        .episodes
        .iter()
        .map(|e| e.year)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|y| y.to_string())
        .collect();
    let circ_rows: Vec<String> = Circumstance::ALL
        .iter()
        .map(|c| c.label().to_owned())
        .collect();
    let mut age_rows: Vec<String> = AgeBand::ALL.iter().map(|a| a.label().to_owned()).collect();
    age_rows.push(age_label(None));
    let mut by_circ = with_rows(&circ_rows, &years);
    let mut by_age = with_rows(&age_rows, &years);
    let mut by_state = with_rows(&[], &years);
    let mut recovered = with_rows(&["recovered".into(), "not recovered (yet)".into()], &years);
    let mut days: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    // Children: per year, how many episodes each had.
    let mut per_child: BTreeMap<(String, i64), u64> = BTreeMap::new();
    for e in &f.episodes {
        let y = e.year.to_string();
        by_circ.add(&circumstance_label(&e.circumstance), &y, 1);
        by_age.add(&age_label(e.age_band.as_deref()), &y, 1);
        let state = if e.state.trim().is_empty() {
            "unknown"
        } else {
            e.state.trim()
        };
        by_state.add(&state.to_uppercase(), &y, 1);
        recovered.add(
            if e.recovered {
                "recovered"
            } else {
                "not recovered (yet)"
            },
            &y,
            1,
        );
        if e.recovered {
            if let Ok(ep) = serde_json::from_str::<Episode>(&e.episode_json) {
                if let Some(r) = &ep.recovered {
                    days.entry(y.clone())
                        .or_default()
                        .push((r.on - ep.missing_since()).whole_days().max(0));
                }
            }
        }
        *per_child.entry((y, e.case_id)).or_default() += 1;
    }
    // States in alphabetical order, so releases list them alike.
    let mut states: Vec<(String, Vec<u64>)> = by_state
        .rows
        .iter()
        .cloned()
        .zip(by_state.counts.iter().cloned())
        .collect();
    states.sort();
    by_state.rows = states.iter().map(|s| s.0.clone()).collect();
    by_state.counts = states.into_iter().map(|s| s.1).collect();

    let mut multiple = with_rows(
        &["one episode".into(), "two or more episodes".into()],
        &years,
    );
    let mut trafficking = with_rows(
        &[
            "likely trafficking victim".into(),
            "no trafficking report linked".into(),
        ],
        &years,
    );
    for ((y, case), n) in &per_child {
        multiple.add(
            if *n > 1 {
                "two or more episodes"
            } else {
                "one episode"
            },
            y,
            1,
        );
        trafficking.add(
            if f.trafficking_cases.contains(case) {
                "likely trafficking victim"
            } else {
                "no trafficking report linked"
            },
            y,
            1,
        );
    }

    let report_years: Vec<String> = f
        .reports
        .iter()
        .map(|r| r.1)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|y| y.to_string())
        .collect();
    let mut reports = with_rows(&[], &report_years);
    for (kind, year) in &f.reports {
        reports.add(&incident_label(kind), &year.to_string(), 1);
    }
    let mut kinds: Vec<(String, Vec<u64>)> = reports
        .rows
        .iter()
        .cloned()
        .zip(reports.counts.iter().cloned())
        .collect();
    kinds.sort();
    reports.rows = kinds.iter().map(|k| k.0.clone()).collect();
    reports.counts = kinds.into_iter().map(|k| k.1).collect();
    let bags = by_year(
        &f.bags,
        &hopebags::AgeBand::ALL
            .iter()
            .map(|a| a.label().to_owned())
            .collect::<Vec<_>>(),
    );
    let referrals = by_year(
        &f.referrals,
        &recovery::PlanDomain::ALL
            .iter()
            .map(|d| d.label().to_owned())
            .collect::<Vec<_>>(),
    );
    let trainings = by_year(
        &f.trainings,
        &training::Audience::ALL
            .iter()
            .map(|a| a.label().to_owned())
            .collect::<Vec<_>>(),
    );
    let lead_outcomes = by_year(
        &f.lead_outcomes,
        &domain::LeadOutcome::ALL
            .iter()
            .map(|o| o.label().to_owned())
            .collect::<Vec<_>>(),
    );
    let medians = years
        .iter()
        .map(|y| days.get(y).cloned().and_then(median))
        .collect();

    let m = |id, title, definition, unit, row_heading| Meta {
        id,
        title,
        definition,
        unit,
        row_heading,
    };
    Built {
        families: vec![
            vec![
                (m("reports-by-type", "Reports by incident type and year",
                   "Reports received (finished provider reports, public tips and staff intake; retracted reports are not counted), by the incident type given and the year received (UTC).",
                   "reports", "Incident type"), reports),
            ],
            vec![
                (m("episodes-by-circumstance", "Missing-child episodes by circumstance and year",
                   "Missing episodes (a child reported missing once; a child missing three times counts three), by the circumstance recorded and the year reported missing. The share of endangered runaways and of children missing from care are rows of this table.",
                   "missing episodes", "Circumstance"), by_circ),
                (m("episodes-by-age", "Missing-child episodes by age band and year",
                   "Missing episodes by the child's age when reported missing (from the date of birth or stated age) and the year reported missing.",
                   "missing episodes", "Age band"), by_age),
                (m("episodes-by-state", "Missing-child episodes by state and year",
                   "Missing episodes by the state (USPS code) where the child was last seen and the year reported missing.",
                   "missing episodes", "State"), by_state),
                (m("recoveries", "Recoveries by year reported missing",
                   "Missing episodes by whether the child has been recovered, and the year reported missing. The median days missing counts from the day last seen (or reported) to the day recovered, over recovered episodes; it is shown only where the year's recovered count is published, and never in the differentially private mode.",
                   "missing episodes", "Outcome"), recovered),
            ],
            vec![
                (m("children-multiple-episodes", "Children missing more than once in a year",
                   "Children with at least one missing episode reported in the year, by whether they had one episode or two or more in that same year.",
                   "children", "Episodes in the year"), multiple),
                (m("children-likely-trafficking", "Children who were likely victims of child sex trafficking",
                   "Children with at least one missing episode reported in the year, by whether link analysis tied their case to a report of child sex trafficking (an alert no analyst dismissed). Such a child is counted as a likely victim; this is an indicator, not a finding.",
                   "children", "Trafficking indicator"), trafficking),
            ],
            vec![
                (m("hope-bags-given", "Hope Bags given by age band and year",
                   "Hope Bags (clothes and essentials for a recovered young person) fulfilled or delivered, by the young person's age band and the year the bag was given (UTC).",
                   "bags", "Age band"), bags),
            ],
            vec![
                (m("referrals-by-need", "Referrals by need and year",
                   "Referrals from survivors' recovery plans to a service of the resource directory, by the need the referral answers and the year it was sent (UTC). A referral only proposed, or withdrawn before it was sent, is not counted; one young person can have several referrals.",
                   "referrals", "Need"), referrals),
            ],
            vec![
                (m("trainings-completed", "Training courses completed by audience and year",
                   "Courses completed with a certificate (every module's quiz passed), by the audience the course is for and the year it was completed (UTC). One learner completing two courses counts twice.",
                   "courses completed", "Audience"), trainings),
            ],
            vec![
                (m("lead-outcomes", "Outcomes of leads made available to law enforcement",
                   "Reports made available to a law-enforcement agency whose outcome the agency recorded, by the outcome and the year it was recorded (UTC). A report made available to two agencies can count twice; an outcome recorded again replaces the earlier one.",
                   "leads", "Outcome"), lead_outcomes),
            ],
        ],
        medians,
    }
}

/// The release's tables, protected as `mode` says. `rng` noises counts in the
/// differentially private mode (a CSPRNG in production, seeded in tests).
pub fn tables<R: Rng + ?Sized>(
    facts: &Facts,
    mode: Mode,
    rng: &mut R,
) -> Result<Vec<StatTable>, stats::StatsError> {
    let built = build(facts);
    let mut out = Vec::new();
    for family in &built.families {
        let family: Vec<&(Meta, Table)> =
            family.iter().filter(|(_, t)| !t.cols.is_empty()).collect();
        if family.is_empty() {
            continue;
        }
        let published: Vec<Published> = match mode {
            Mode::Suppressed => {
                let ts: Vec<Table> = family.iter().map(|(_, t)| t.clone()).collect();
                stats::protect(&ts)?
            }
            // Noised tables no longer share exact year totals; each is protected alone.
            Mode::DifferentiallyPrivate { epsilon_per_table } => family
                .iter()
                .map(|(_, t)| {
                    let noised = stats::add_noise(t, epsilon_per_table, rng)?;
                    Ok(stats::protect(std::slice::from_ref(&noised))?.remove(0))
                })
                .collect::<Result<_, stats::StatsError>>()?,
        };
        for ((meta, _), table) in family.iter().zip(published) {
            let median_days = (meta.id == "recoveries" && mode == Mode::Suppressed).then(|| {
                table
                    .cols
                    .iter()
                    .enumerate()
                    .map(|(c, _)| {
                        let shown = table
                            .cells
                            .first()
                            .and_then(|l| l[c])
                            .is_some_and(|n| n >= stats::SMALLEST_SHOWN);
                        built.medians.get(c).copied().flatten().filter(|_| shown)
                    })
                    .collect()
            });
            out.push(StatTable {
                id: meta.id.to_owned(),
                title: meta.title.to_owned(),
                definition: meta.definition.to_owned(),
                unit: meta.unit.to_owned(),
                row_heading: meta.row_heading.to_owned(),
                table,
                median_days,
            });
        }
    }
    Ok(out)
}

/// The same tables for one organisation's own records, unprotected (staff only). Reports
/// are the hotline's: for an agency the caller passes none, and that table is empty.
pub fn unprotected(facts: &Facts) -> Vec<StatTable> {
    let built = build(facts);
    built
        .families
        .iter()
        .flatten()
        .map(|(meta, t)| StatTable {
            id: meta.id.to_owned(),
            title: meta.title.to_owned(),
            definition: meta.definition.to_owned(),
            unit: meta.unit.to_owned(),
            row_heading: meta.row_heading.to_owned(),
            table: t.unprotected(),
            median_days: (meta.id == "recoveries").then(|| built.medians.clone()),
        })
        .collect()
}

/// The number of tables a release has, which divides a DP release's budget.
pub const TABLES: usize = 10;
