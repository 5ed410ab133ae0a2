//! Recovery plans for the demo and tests: `n` invented young people (first names only),
//! each with needs, a safety marker, a review date (some overdue), sometimes a date of birth
//! close to 18, goals in plain words, and referrals walked through the workflow's allowed
//! moves (`recovery::referral::allowed`) with a reason each. Deterministic per seed; the
//! referrals name a service by its index in whatever directory they are loaded beside.

use rand::Rng;
use recovery::plan::PlanForm;
use recovery::referral::allowed;
use recovery::{PlanDomain, ReferralStatus};
use time::{Date, Duration};

use crate::util::{chance, pick, stream, Stream};

const NAMES: &[&str] = &[
    "Ari", "Bea", "Cam", "Dani", "Eli", "Fen", "Gio", "Hana", "Indy", "Jules", "Kai", "Lou",
    "Mika", "Noa", "Oli", "Pip", "Quinn", "Rae", "Sol", "Tam",
];

const GOALS: &[&str] = &[
    "I want to finish school",
    "I want my own room somewhere safe",
    "I want to see my little brother again",
    "I want a job at the animal shelter",
    "I want to sleep through the night",
    "I want to learn to drive",
    "I want to go back to football practice",
];

const STRENGTHS: &[&str] = &[
    "Funny and kind to younger children",
    "Loves drawing; keeps a sketchbook",
    "Close to an aunt who calls every week",
    "Good with numbers",
];

const REASONS: &[(ReferralStatus, &str)] = &[
    (ReferralStatus::Sent, "intake form sent by email"),
    (
        ReferralStatus::Accepted,
        "the service offered a first appointment",
    ),
    (ReferralStatus::Engaged, "went to the first session"),
    (ReferralStatus::Completed, "the programme ended"),
    (ReferralStatus::Declined, "outside the service's area"),
    (ReferralStatus::NoCapacity, "waiting list is full"),
    (
        ReferralStatus::Withdrawn,
        "the young person chose another service",
    ),
];

const OUTCOMES: &[&str] = &[
    "Housed for six months, then moved to independent living",
    "Back in school full time",
    "Finished twelve counselling sessions",
];

/// A referral of a generated plan: the service by index, and the moves after "proposed".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthReferral {
    pub service_index: usize,
    pub need: PlanDomain,
    pub shared: String,
    pub moves: Vec<(ReferralStatus, String)>,
    pub outcome: Option<String>,
}

/// A generated plan: the form as a person would fill it in, goals, and referrals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthPlan {
    pub form: PlanForm,
    pub goals: Vec<String>,
    pub referrals: Vec<SynthReferral>,
}

fn iso(d: Date) -> String {
    recovery::model::format_date(d)
}

/// `n` plans as of `today`; the first has its review overdue, so a caseload always shows
/// one due.
pub fn plans(seed: u64, n: usize, today: Date, services: usize) -> Vec<SynthPlan> {
    let mut r = stream(seed, Stream::Plans, 0);
    (0..n)
        .map(|i| {
            let mut needs: Vec<PlanDomain> = (0..r.gen_range(1..4))
                .map(|_| pick(&mut r, &PlanDomain::ALL))
                .collect();
            needs.sort();
            needs.dedup();
            let review = if i == 0 { -3 } else { r.gen_range(-5..60) };
            // Ages 13 to 19; some close to 18 so the transition shows.
            let age_days = r.gen_range(13 * 365..19 * 365 + 300);
            let safety = if chance(&mut r, 0.3) {
                pick(&mut r, &["do_not_contact", "safe_contact_only"])
            } else {
                "none"
            };
            let form = PlanForm {
                young_person: format!("{} (sample)", NAMES[i % NAMES.len()]),
                date_of_birth: if chance(&mut r, 0.8) {
                    iso(today - Duration::days(age_days))
                } else {
                    String::new()
                },
                safety: safety.into(),
                next_review: iso(today + Duration::days(review)),
                needs: needs.iter().map(|d| d.code().to_owned()).collect(),
                needs_note: String::new(),
                strengths: pick(&mut r, STRENGTHS).into(),
                not_shared: if chance(&mut r, 0.5) {
                    "Details of where they stayed while missing".into()
                } else {
                    String::new()
                },
                transition_notes: String::new(),
            };
            let goals = (0..r.gen_range(1..3))
                .map(|_| pick(&mut r, GOALS).to_owned())
                .collect();
            let referrals = if services == 0 {
                Vec::new()
            } else {
                needs
                    .iter()
                    .map(|need| {
                        let mut status = ReferralStatus::Proposed;
                        let mut moves = Vec::new();
                        for _ in 0..r.gen_range(0..5) {
                            let next = allowed(status);
                            if next.is_empty() {
                                break;
                            }
                            // Mostly forward: withdrawing is the last choice.
                            let m = next[r.gen_range(0..next.len().max(2) - 1)];
                            status = m.to;
                            let why = REASONS
                                .iter()
                                .find(|x| x.0 == status)
                                .map_or("as agreed", |x| x.1);
                            moves.push((status, why.to_owned()));
                        }
                        SynthReferral {
                            service_index: r.gen_range(0..services),
                            need: *need,
                            shared: "first name and this need".into(),
                            outcome: (status == ReferralStatus::Completed)
                                .then(|| pick(&mut r, OUTCOMES).to_owned()),
                            moves,
                        }
                    })
                    .collect()
            };
            SynthPlan {
                form,
                goals,
                referrals,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn plans_are_valid_deterministic_and_one_is_overdue() {
        let today = date!(2026 - 06 - 01);
        let a = plans(3, 12, today, 40);
        assert_eq!(a, plans(3, 12, today, 40));
        for p in &a {
            assert!(p.form.check(today).is_ok(), "{p:?}");
            for r in &p.referrals {
                let mut s = ReferralStatus::Proposed;
                for (to, why) in &r.moves {
                    let out = r.outcome.as_deref().unwrap_or("");
                    s = recovery::referral::check_move(s, *to, why, out)
                        .unwrap_or_else(|e| panic!("{e}: {r:?}"))
                        .to;
                }
            }
        }
        let overdue = recovery::plan::review_state(
            recovery::model::parse_date("d", &a[0].form.next_review)
                .ok()
                .flatten(),
            today,
        );
        assert_eq!(overdue, recovery::plan::ReviewState::Overdue);
    }
}
