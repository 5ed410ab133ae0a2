//! Proposing peer volunteers for a family. Only eligible volunteers are proposed (vetting
//! passed and in date, every training in date); they are ranked by, in this order: the same
//! lived-experience category, a shared language, the same time zone, overlapping times,
//! then fewer families already supported. Each proposal says why in words, so the advocate
//! who confirms it can judge.

use crate::model::{Coded, Experience, Slot, VolunteerProfile};
use time::Date;

/// What the matcher reads about the family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyNeeds {
    pub experience: Experience,
    pub language: String,
    pub time_zone: String,
    pub times: Vec<Slot>,
}

/// A volunteer who could be proposed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The volunteer's account id.
    pub id: i64,
    pub name: String,
    pub profile: VolunteerProfile,
    /// Families they support now.
    pub load: usize,
}

/// A proposed volunteer, with the reasons in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub id: i64,
    pub name: String,
    /// Higher is a better match; only the order means anything.
    pub score: u32,
    pub reasons: Vec<String>,
}

const EXPERIENCE: u32 = 8;
const LANGUAGE: u32 = 4;
const TIME_ZONE: u32 = 2;
const TIMES: u32 = 1;

fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    !a.is_empty() && a.eq_ignore_ascii_case(b)
}

/// The eligible volunteers for the family on `today`, best match first (ties: fewer
/// families, then account id). Lapsed volunteers are never proposed.
pub fn propose(family: &FamilyNeeds, candidates: &[Candidate], today: Date) -> Vec<Proposal> {
    let mut out: Vec<(Proposal, usize)> = candidates
        .iter()
        .filter(|c| c.profile.eligible(today))
        .map(|c| {
            let p = &c.profile;
            let mut score = 0;
            let mut reasons = Vec::new();
            if p.experiences.contains(&family.experience) {
                score += EXPERIENCE;
                reasons.push(format!(
                    "Lived through the same kind of case: {}",
                    family.experience.label().to_lowercase()
                ));
            }
            if p.languages.iter().any(|l| same(l, &family.language)) {
                score += LANGUAGE;
                reasons.push(format!(
                    "Speaks the family's language: {}",
                    family.language.trim()
                ));
            }
            if same(&p.time_zone, &family.time_zone) {
                score += TIME_ZONE;
                reasons.push(format!("Same time zone: {}", p.time_zone.trim()));
            }
            let shared: Vec<&str> = family
                .times
                .iter()
                .filter(|t| p.availability.contains(t))
                .map(|t| t.label())
                .collect();
            if !shared.is_empty() {
                score += TIMES;
                reasons.push(format!(
                    "Available when the family prefers: {}",
                    shared.join(", ").to_lowercase()
                ));
            }
            if reasons.is_empty() {
                reasons.push("Eligible, but shares no experience, language, time zone or times with the family".to_owned());
            }
            reasons.push(match c.load {
                0 => "Supports no other family now".to_owned(),
                1 => "Supports 1 other family now".to_owned(),
                n => format!("Supports {n} other families now"),
            });
            (
                Proposal {
                    id: c.id,
                    name: c.name.clone(),
                    score,
                    reasons,
                },
                c.load,
            )
        })
        .collect();
    out.sort_by(|(a, la), (b, lb)| b.score.cmp(&a.score).then(la.cmp(lb)).then(a.id.cmp(&b.id)));
    out.into_iter().map(|(p, _)| p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CheckResult, Training, Vetting};
    use proptest::prelude::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 12 - 07);

    fn volunteer(id: i64, exp: Experience, lang: &str, tz: &str, ok: bool) -> Candidate {
        Candidate {
            id,
            name: format!("Volunteer {id}"),
            profile: VolunteerProfile {
                vetting: Some(Vetting {
                    checked_on: date!(2026 - 01 - 01),
                    result: CheckResult::Passed,
                }),
                trainings: vec![Training {
                    name: "Peer support basics".into(),
                    completed_on: date!(2026 - 01 - 15),
                    renewal_due: if ok {
                        date!(2027 - 01 - 15)
                    } else {
                        date!(2026 - 11 - 01)
                    },
                }],
                availability: vec![Slot::WeekdayEvenings],
                languages: vec![lang.into()],
                time_zone: tz.into(),
                experiences: vec![exp],
            },
            load: 0,
        }
    }

    fn family() -> FamilyNeeds {
        FamilyNeeds {
            experience: Experience::FamilyAbduction,
            language: "Spanish".into(),
            time_zone: "America/Chicago".into(),
            times: vec![Slot::WeekdayEvenings],
        }
    }

    #[test]
    fn the_same_experience_and_language_come_first_with_reasons() {
        let c = vec![
            volunteer(1, Experience::Runaway, "Spanish", "America/Chicago", true),
            volunteer(
                2,
                Experience::FamilyAbduction,
                "spanish",
                "America/New_York",
                true,
            ),
            volunteer(
                3,
                Experience::FamilyAbduction,
                "English",
                "America/Chicago",
                true,
            ),
            volunteer(
                4,
                Experience::FamilyAbduction,
                "Spanish",
                "America/Chicago",
                false,
            ),
        ];
        let p = propose(&family(), &c, TODAY);
        let ids: Vec<i64> = p.iter().map(|p| p.id).collect();
        assert_eq!(
            ids,
            vec![2, 3, 1],
            "the lapsed volunteer 4 is never proposed"
        );
        assert!(p[0].reasons[0].contains("family abduction"), "{:?}", p[0]);
        assert!(p[0].reasons[1].contains("Spanish"), "{:?}", p[0]);
    }

    fn arb_profile() -> impl Strategy<Value = (VolunteerProfile, usize)> {
        (
            0usize..6,
            prop::sample::select(vec!["English", "Spanish", "Vietnamese"]),
            prop::sample::select(vec!["America/Chicago", "America/Denver"]),
            any::<bool>(),
            any::<bool>(),
            0usize..4,
            prop::collection::vec(0usize..4, 0..4),
        )
            .prop_map(|(e, l, tz, passed, current, load, slots)| {
                let mut c = volunteer(0, Experience::all()[e], l, tz, current);
                if !passed {
                    c.profile.vetting = Some(Vetting {
                        checked_on: date!(2026 - 01 - 01),
                        result: CheckResult::Failed,
                    });
                }
                c.profile.availability = slots.into_iter().map(|s| Slot::all()[s]).collect();
                (c.profile, load)
            })
    }

    proptest! {
        #[test]
        fn only_eligible_are_proposed_in_order(profiles in prop::collection::vec(arb_profile(), 0..12)) {
            let cands: Vec<Candidate> = profiles
                .into_iter()
                .enumerate()
                .map(|(i, (profile, load))| Candidate { id: i as i64, name: format!("V{i}"), profile, load })
                .collect();
            let p = propose(&family(), &cands, TODAY);
            let eligible = cands.iter().filter(|c| c.profile.eligible(TODAY)).count();
            prop_assert_eq!(p.len(), eligible);
            for w in p.windows(2) {
                prop_assert!(w[0].score >= w[1].score);
            }
            for prop in &p {
                let c = &cands[prop.id as usize];
                prop_assert!(c.profile.eligible(TODAY));
                prop_assert!(!prop.reasons.is_empty());
                // Experience outranks everything else together.
                let same = c.profile.experiences.contains(&Experience::FamilyAbduction);
                prop_assert_eq!(same, prop.score >= EXPERIENCE);
            }
        }
    }
}
