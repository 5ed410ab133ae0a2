//! Family support for the demo and tests: families of missing children as an advocate
//! records them (plain, non-explicit words), and peer volunteers with vetting and training
//! records, about one in five lapsed so the matcher has someone to leave out. Names are
//! invented from the name tables; dates count from the `today` given. Deterministic per
//! seed.

use families::model::{
    CheckResult, Coded, CrisisLevel, Experience, FamilyProfile, Member, Need, Slot, Training,
    Vetting, VolunteerProfile,
};
use time::{Date, Duration};

use crate::data::{FIRST_F, FIRST_M, LAST};
use crate::util::{chance, pick, stream, Stream, R};
use rand::Rng;

const LANGUAGES: &[&str] = &[
    "English",
    "English",
    "English",
    "Spanish",
    "Spanish",
    "Vietnamese",
    "Tagalog",
    "Arabic",
];
const ZONES: &[&str] = &[
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
];
const WORDS: &[&str] = &[
    "Our child did not come home after school and has not answered her phone since.",
    "He left a note saying he needed time away. We have called everyone we know.",
    "Her father took her across the state line against the custody order.",
    "The police told us she may have been recruited online by someone older.",
    "It has been more than a year. We still keep her room ready.",
];
const TRAININGS: &[&str] = &[
    "Peer support basics",
    "Trauma-informed listening",
    "Working with the media",
];

fn slots(r: &mut R) -> Vec<Slot> {
    let mut v: Vec<Slot> = Slot::all().into_iter().filter(|_| chance(r, 0.4)).collect();
    if v.is_empty() {
        v.push(pick(r, &Slot::all()));
    }
    v
}

/// `n` families as their advocates would record them.
pub fn families(seed: u64, n: usize) -> Vec<FamilyProfile> {
    let mut r = stream(seed, Stream::Families, 0);
    let experiences = Experience::all();
    (0..n)
        .map(|_| {
            let last = pick(&mut r, LAST);
            let parent = format!("{} {last}", pick(&mut r, FIRST_F));
            let mut members = vec![Member {
                name: parent.clone(),
                relationship: "mother".into(),
            }];
            if chance(&mut r, 0.6) {
                members.push(Member {
                    name: format!("{} {last}", pick(&mut r, FIRST_M)),
                    relationship: "brother".into(),
                });
            }
            let needs: Vec<Need> = Need::all()
                .into_iter()
                .filter(|_| chance(&mut r, 0.35))
                .collect();
            FamilyProfile {
                family_name: format!("The {last} family"),
                members,
                contact_person: parent,
                language: pick(&mut r, LANGUAGES).into(),
                times: slots(&mut r),
                time_zone: pick(&mut r, ZONES).into(),
                safe_contact: "Mobile only; leave no message that names the child.".into(),
                their_words: pick(&mut r, WORDS).into(),
                needs,
                crisis: pick(&mut r, &CrisisLevel::all()),
                experience: pick(&mut r, &experiences),
                volunteer_notes: "Prefers short calls in the evening.".into(),
            }
        })
        .collect()
}

/// `n` volunteers (username, display name, profile); vetting and trainings are dated
/// before `today`, and about one in five has a lapsed training or a check not passed.
pub fn volunteers(seed: u64, n: usize, today: Date) -> Vec<(String, String, VolunteerProfile)> {
    let mut r = stream(seed, Stream::Families, 1);
    (0..n)
        .map(|i| {
            let first = pick(&mut r, FIRST_F);
            let last = pick(&mut r, LAST);
            let lapsed = chance(&mut r, 0.2);
            let done = today - Duration::days(r.gen_range(30..300));
            let trainings = (0..r.gen_range(1..=TRAININGS.len()))
                .map(|t| Training {
                    name: TRAININGS[t].into(),
                    completed_on: done,
                    renewal_due: if lapsed && t == 0 {
                        today - Duration::days(10)
                    } else {
                        done + Duration::days(365)
                    },
                })
                .collect();
            let mut languages = vec!["English".to_owned()];
            let other = pick(&mut r, LANGUAGES);
            if other != "English" {
                languages.push(other.into());
            }
            let profile = VolunteerProfile {
                vetting: Some(Vetting {
                    checked_on: today - Duration::days(r.gen_range(60..700)),
                    result: if chance(&mut r, 0.05) {
                        CheckResult::Pending
                    } else {
                        CheckResult::Passed
                    },
                }),
                trainings,
                availability: slots(&mut r),
                languages,
                time_zone: pick(&mut r, ZONES).into(),
                experiences: vec![pick(&mut r, &Experience::all())],
            };
            (
                format!("peer{:02}", i + 1),
                format!("{first} {last}"),
                profile,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_same_seed_gives_the_same_families_and_some_volunteers_lapse() {
        let today = date!(2026 - 12 - 07);
        assert_eq!(families(3, 20), families(3, 20));
        let vs = volunteers(3, 40, today);
        assert_eq!(vs, volunteers(3, 40, today));
        let eligible = vs.iter().filter(|v| v.2.eligible(today)).count();
        assert!((20..40).contains(&eligible), "{eligible}");
        for f in families(3, 20) {
            families::form::FamilyForm::from_profile(&f)
                .check()
                .unwrap();
        }
    }
}
