//! What is derived from a case file: its record in the import format (`case_json`), its
//! assessment, flags and priority, and the columns of its stored episodes.

use crate::error::Result;
use crate::Services;
use casework::model::{currently_missing, iso, latest_episode};
use casework::{AgeBand, CaseRecord, Child, ChildIds, Circumstance, Episode};
use domain::UserId;
use store::cases::{self as queries, CaseRow, CaseSummary, NewEpisode};
use time::Date;
use triage::{Assessment, Category, Facts, Location, Subject, TextField};

use super::{internal, CaseFile, CaseFlag, ChildIdentifiers, StoredEpisode};

/// The case as its record (`cases.jsonl`, stored as `case_json`), so link analysis reads
/// cases made here exactly as it reads imported ones.
pub fn import_format(case_number: &str, file: &CaseFile, episodes: &[Episode]) -> CaseRecord {
    let ids = &file.identifiers;
    let ids = ChildIds {
        phone: ids.phones.first().map(String::as_str),
        email: ids.emails.first().map(String::as_str),
        screen_names: &ids.handles,
    };
    CaseRecord::from_case(case_number, &file.child, ids, episodes)
}

/// Reads an imported case (a line of `cases.jsonl`) into the case file and its episodes.
pub fn from_import(case_json: &str) -> std::result::Result<(CaseFile, Vec<Episode>), String> {
    read_import(case_json).map(|(_, file, episodes)| (file, episodes))
}

/// The case number, the case file and the episodes of an imported case.
pub(super) fn read_import(
    case_json: &str,
) -> std::result::Result<(String, CaseFile, Vec<Episode>), String> {
    let imported = CaseRecord::from_json(case_json).map_err(|e| e.to_string())?;
    let case = imported.to_case().map_err(|e| e.to_string())?;
    let ch = &imported.child;
    let identifiers = ChildIdentifiers {
        phones: ch.phone.iter().cloned().collect(),
        emails: ch.email.iter().cloned().collect(),
        handles: ch.screen_names.clone(),
    };
    Ok((
        case.case_number,
        CaseFile {
            child: case.child,
            identifiers,
        },
        case.episodes,
    ))
}

/// True when the child was in care or an episode was recorded as missing from care.
fn from_care(child: &Child, episodes: &[Episode]) -> bool {
    child.custody.is_care()
        || episodes
            .iter()
            .any(|e| e.circumstance == Circumstance::MissingFromCare)
}

/// The triage engine's subject for a case: the description and each episode's account as
/// texts; in care, runaway, the number of episodes, the child's age, the places and the
/// child's phones as facts.
pub(super) fn assess_case(
    engine: &crate::queue::assess::Engine,
    file: &CaseFile,
    episodes: &[StoredEpisode],
    today: Date,
) -> Assessment {
    let mut texts: Vec<(String, String)> = Vec::new();
    if !file.child.description.trim().is_empty() {
        texts.push(("Description".into(), file.child.description.clone()));
    }
    let mut sorted: Vec<&StoredEpisode> = episodes.iter().collect();
    sorted.sort_by_key(|e| e.episode.reported_on);
    for (i, e) in sorted.iter().enumerate() {
        if !e.narrative.trim().is_empty() {
            texts.push((
                format!(
                    "Episode {} ({}): circumstances",
                    i + 1,
                    iso(e.episode.reported_on)
                ),
                e.narrative.clone(),
            ));
        }
        if let Some(r) = &e.episode.recovered {
            if r.how != casework::record::NOT_RECORDED && !r.how.trim().is_empty() {
                texts.push((format!("Episode {}: recovery", i + 1), r.how.clone()));
            }
        }
    }
    let eps: Vec<Episode> = episodes.iter().map(|e| e.episode.clone()).collect();
    let mut locations = Vec::new();
    for e in &eps {
        locations.push(Location {
            country: Some("US".into()),
            state: Some(e.last_seen_place.state.clone()),
            city: Some(e.last_seen_place.city.clone()),
        });
    }
    let facts = Facts {
        missing_from_care: from_care(&file.child, &eps),
        // A child who left a placement ran from care, unless it is recorded otherwise.
        runaway: eps.iter().any(|e| {
            matches!(
                e.circumstance,
                Circumstance::EndangeredRunaway | Circumstance::MissingFromCare
            )
        }),
        episodes: u32::try_from(eps.len()).ok().filter(|n| *n > 0),
        victim_ages: file
            .child
            .age_on(today)
            .map(|a| vec![a.years])
            .unwrap_or_default(),
        locations,
        phones: file.identifiers.phones.clone(),
        ..Facts::default()
    };
    let subject = Subject {
        texts: texts
            .iter()
            .map(|(field, text)| TextField {
                field: field.as_str(),
                text: text.as_str(),
            })
            .collect(),
        facts,
    };
    engine.current().assess(&subject)
}

/// Casework's flags and one flag per indicator found, each with its reason.
pub fn case_flags(
    file: &CaseFile,
    episodes: &[Episode],
    a: &Assessment,
    today: Date,
) -> Vec<CaseFlag> {
    let mut out: Vec<CaseFlag> = casework::flags(&file.child, episodes, today)
        .into_iter()
        .map(|f| CaseFlag {
            id: f.id.to_owned(),
            label: f.label,
            reason: f.reason,
        })
        .collect();
    for m in &a.matches {
        let risk = matches!(
            m.category,
            Category::SocietalRisk | Category::RelationshipRisk | Category::IndividualRisk
        );
        let evidence: Vec<String> = m
            .evidence
            .iter()
            .map(|e| match e {
                triage::Evidence::Span { field, excerpt, .. } => format!("{field}: “{excerpt}”"),
                triage::Evidence::Fact { field, value } => format!("{field}: {value}"),
            })
            .collect();
        out.push(CaseFlag {
            id: format!(
                "{}:{}",
                if risk {
                    "risk_factor"
                } else {
                    "victim_indicator"
                },
                m.indicator_id
            ),
            label: format!(
                "{}: {}",
                if risk {
                    "Risk factor"
                } else {
                    "Possible trafficking victim"
                },
                m.text
            ),
            reason: format!("{} ({})", evidence.join("; "), m.category.label()),
        });
    }
    out
}

/// The derived columns and the assessment of a case file.
pub(super) fn summarize(
    engine: &crate::queue::assess::Engine,
    case_number: &str,
    file: &CaseFile,
    episodes: &[StoredEpisode],
    keep_case_json: Option<&str>,
    today: Date,
) -> Result<(CaseSummary, Assessment)> {
    let eps: Vec<Episode> = episodes.iter().map(|e| e.episode.clone()).collect();
    let a = assess_case(engine, file, episodes, today);
    let stored = crate::queue::assess::storable(&a);
    let latest = latest_episode(&eps);
    let open = currently_missing(&eps);
    let mut search = vec![file.child.name.to_lowercase(), case_number.to_lowercase()];
    search.extend(file.child.aliases.iter().map(|a| a.to_lowercase()));
    let case_json = match keep_case_json {
        Some(j) => j.to_owned(),
        None => import_format(case_number, file, &eps).to_json(),
    };
    Ok((
        CaseSummary {
            child_name: file.child.name.clone(),
            missing_from_care: from_care(&file.child, &eps),
            circumstance: latest
                .map(|e| e.circumstance.id().to_owned())
                .unwrap_or_default(),
            episodes: i64::try_from(eps.len()).unwrap_or(i64::MAX),
            child_json: serde_json::to_string(file).map_err(internal)?,
            case_json,
            search_text: search.join(" "),
            currently_missing: open,
            missing_since: latest.filter(|_| open).map(|e| iso(e.missing_since())),
            last_seen_state: latest.map(|e| e.last_seen_place.state.clone()),
            priority_rank: stored.priority_rank,
            score_milli: stored.score_milli,
            triage_json: stored.triage_json,
            catalogue_version: stored.catalogue_version,
        },
        a,
    ))
}

/// The columns statistics group by, for one episode of `child`.
pub(super) fn episode_columns<'a>(
    child: &Child,
    e: &'a Episode,
    json: &'a str,
    narrative: &'a str,
    created_by: Option<UserId>,
    reported_on: &'a str,
) -> NewEpisode<'a> {
    NewEpisode {
        episode_json: json,
        narrative,
        reported_on,
        year: i64::from(e.reported_on.year()),
        circumstance: e.circumstance.id(),
        age_band: child
            .age_on(e.reported_on)
            .map(|a| AgeBand::of(a.years).id()),
        state: &e.last_seen_place.state,
        recovered: e.recovered.is_some(),
        created_by,
    }
}

pub(super) async fn insert_episode(
    tx: &mut store::Tx,
    case_id: i64,
    child: &Child,
    e: &Episode,
    narrative: &str,
    by: Option<UserId>,
    now: i64,
) -> Result<i64> {
    let json = serde_json::to_string(e).map_err(internal)?;
    let reported_on = iso(e.reported_on);
    let cols = episode_columns(child, e, &json, narrative, by, &reported_on);
    Ok(queries::insert_episode(&mut **tx, case_id, &cols, now).await?)
}

impl Services {
    /// Re-derives a case's columns after its file or episodes changed (in `tx`).
    pub(super) async fn resummarize(
        &self,
        tx: &mut store::Tx,
        row: &CaseRow,
        file: &CaseFile,
        episodes: &[StoredEpisode],
        now: i64,
    ) -> Result<()> {
        let keep = (row.source == "import").then_some(row.case_json.as_str());
        let (summary, _) = summarize(
            &self.engine,
            &row.case_number,
            file,
            episodes,
            keep,
            self.today(),
        )?;
        queries::set_summary(&mut **tx, row.id, &summary, now).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_case_made_here_reads_back_through_the_import_format() {
        let line = r#"{"case_id":"case-0000007","child":{"first_name":"Ana Maria","last_name":"Example","nickname":"Annie","sex":"F","age":14,"phone":"555-010-0199","screen_names":["annie_e"]},"circumstance":"nonfamily_abduction","missing_from_care":true,"custody":{"kind":"agency","agency":"County Children's Services","placement":"group home","caseworker":{"name":"Cas Worker","phone":"555-010-0100"}},"episodes":[{"reported":"2022-03-04","last_seen":"2022-03-03","last_seen_city":"Tulsa","last_seen_state":"OK","circumstance":"nonfamily_abduction","recovered":"2022-04-01"}]}"#;
        let (file, eps) = from_import(line).unwrap();
        assert_eq!(file.identifiers.phones, vec!["555-010-0199"]);
        assert_eq!(file.identifiers.handles, vec!["annie_e"]);
        let again = import_format("case-0000007", &file, &eps).to_json();
        let (file2, eps2) = from_import(&again).unwrap();
        assert_eq!(file2.child.name, "Ana Maria Example");
        assert_eq!(file2.child.custody, casework::Custody::GroupHome);
        assert_eq!(file2.identifiers, file.identifiers);
        assert_eq!(eps2.len(), 1);
        assert_eq!(eps2[0].last_seen_on, eps[0].last_seen_on);
        assert_eq!(eps2[0].circumstance, Circumstance::NonFamilyAbduction);
    }
}
