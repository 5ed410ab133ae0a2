//! Posters of a missing child, for a case whose guardian or custodial agency consented to
//! publication: the data they show (the PDF is drawn by `pdf`).
//!
//! A poster shows the photo, name, age now, missing since, from where, the description, the
//! case number and the hotline to call. [`PosterData`] can only be built by
//! [`PosterData::from_case`] and holds nothing else, so nothing else from the case can leave
//! through a poster, whichever way it is rendered: the PDF ([`crate::render_pdf`]), or the accessible HTML page
//! the web layer builds from [`PosterData::fields`].

use serde::{Deserialize, Serialize};
use time::Date;

use crate::model::{currently_missing, iso, latest_episode, long_date, Child, Episode};
use crate::photo::SanitisedPhoto;

/// The guardian's or custodial agency's consent to publish a poster of the child.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// Who consented: the guardian, or the agency and the person who spoke for it.
    pub given_by: String,
    #[serde(with = "crate::model::iso_date")]
    pub recorded_on: Date,
}

/// Why a poster can't be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PosterError {
    #[error(
        "no consent to publish is recorded; record who gave it (the guardian or the agency) \
         and when"
    )]
    ConsentNotRecorded,
    #[error("the consent is dated {recorded_on}, after today; check the date")]
    ConsentInFuture { recorded_on: String },
    #[error(
        "the consent was recorded on {recorded_on}, before this episode was reported on \
         {reported_on}; record the guardian's or agency's consent for this episode"
    )]
    ConsentPredatesEpisode {
        recorded_on: String,
        reported_on: String,
    },
    #[error("the child is not currently missing, so there is no poster to make")]
    NotCurrentlyMissing,
    #[error("the case has no name to print; enter the child's name first")]
    NoName,
    #[error("enter the case number and the hotline number to print on the poster")]
    NoCaseNumberOrHotline,
}

/// Everything a poster shows, and nothing else.
#[derive(Clone, Debug, PartialEq)]
pub struct PosterData {
    case_number: String,
    name: String,
    age_now: Option<u32>,
    missing_since: Date,
    /// `City, ST`.
    missing_from: String,
    description: String,
    photo: Option<SanitisedPhoto>,
    hotline: String,
}

impl PosterData {
    /// The poster of a child who is currently missing, when consent to publish is recorded
    /// on or after the current episode was reported (consent for an earlier episode does not
    /// carry over) and not after `today`.
    pub fn from_case(
        case_number: &str,
        child: &Child,
        episodes: &[Episode],
        consent: &Consent,
        hotline: &str,
        today: Date,
    ) -> Result<PosterData, PosterError> {
        if consent.given_by.trim().is_empty() {
            return Err(PosterError::ConsentNotRecorded);
        }
        if consent.recorded_on > today {
            return Err(PosterError::ConsentInFuture {
                recorded_on: iso(consent.recorded_on),
            });
        }
        let current = match latest_episode(episodes) {
            Some(e) if currently_missing(episodes) => e,
            _ => return Err(PosterError::NotCurrentlyMissing),
        };
        if consent.recorded_on < current.reported_on {
            return Err(PosterError::ConsentPredatesEpisode {
                recorded_on: iso(consent.recorded_on),
                reported_on: iso(current.reported_on),
            });
        }
        let name = child.name.trim();
        if name.is_empty() {
            return Err(PosterError::NoName);
        }
        if case_number.trim().is_empty() || hotline.trim().is_empty() {
            return Err(PosterError::NoCaseNumberOrHotline);
        }
        Ok(PosterData {
            case_number: case_number.trim().to_owned(),
            name: name.to_owned(),
            age_now: child.age_on(today).map(|a| a.years),
            missing_since: current.missing_since(),
            missing_from: current.last_seen_place.to_string(),
            description: child.description.trim().to_owned(),
            photo: None,
            hotline: hotline.trim().to_owned(),
        })
    }

    /// Adds the photo (the caller loads the file the case's [`crate::PhotoRef`] names).
    pub fn with_photo(mut self, photo: SanitisedPhoto) -> PosterData {
        self.photo = Some(photo);
        self
    }

    /// The published fields in display order, as label and text: what an HTML page shows
    /// (the photo aside). A field with nothing to show is left out.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let mut f = vec![("Name", self.name.clone())];
        if let Some(a) = self.age_now {
            f.push(("Age now", a.to_string()));
        }
        f.push(("Missing since", long_date(self.missing_since)));
        f.push(("Missing from", self.missing_from.clone()));
        if !self.description.is_empty() {
            f.push(("Description", self.description.clone()));
        }
        f.push(("Case number", self.case_number.clone()));
        f.push(("If you have information, call", self.hotline.clone()));
        f
    }

    pub fn case_number(&self) -> &str {
        &self.case_number
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn age_now(&self) -> Option<u32> {
        self.age_now
    }

    pub fn missing_since(&self) -> Date {
        self.missing_since
    }

    pub fn missing_from(&self) -> &str {
        &self.missing_from
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    pub fn photo(&self) -> Option<&SanitisedPhoto> {
        self.photo.as_ref()
    }

    pub fn hotline(&self) -> &str {
        &self.hotline
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Circumstance, Custody, Place, Recovery};
    use time::macros::date;

    const TODAY: Date = date!(2026 - 10 - 01);

    fn child() -> Child {
        Child {
            name: "Ana Example".into(),
            aliases: vec![],
            date_of_birth: Some(date!(2011 - 04 - 02)),
            stated_age: None,
            sex: None,
            description: "5 ft 2 in".into(),
            photos: vec![],
            custody: Custody::Family,
            guardians: vec![],
            agency: None,
        }
    }

    fn episodes(recovered: bool) -> Vec<Episode> {
        vec![Episode {
            reported_on: date!(2026 - 09 - 12),
            last_seen_on: Some(date!(2026 - 09 - 11)),
            last_seen_place: Place {
                city: "Tulsa".into(),
                state: "OK".into(),
            },
            circumstance: Circumstance::EndangeredRunaway,
            reported_by: "mother".into(),
            recovered: recovered.then(|| Recovery {
                on: date!(2026 - 09 - 20),
                place: None,
                how: "returned".into(),
            }),
        }]
    }

    fn consent(on: Date) -> Consent {
        Consent {
            given_by: "Pat Example (mother)".into(),
            recorded_on: on,
        }
    }

    #[test]
    fn refuses_without_consent_or_when_not_missing() {
        let make = |eps: &[Episode], c: &Consent| {
            PosterData::from_case("case-1", &child(), eps, c, "1-800-555-0100", TODAY)
        };
        let ok = consent(date!(2026 - 09 - 13));
        assert_eq!(
            make(
                &episodes(false),
                &Consent {
                    given_by: " ".into(),
                    ..ok.clone()
                }
            ),
            Err(PosterError::ConsentNotRecorded)
        );
        assert_eq!(
            make(&episodes(true), &ok),
            Err(PosterError::NotCurrentlyMissing)
        );
        assert_eq!(make(&[], &ok), Err(PosterError::NotCurrentlyMissing));
        assert!(matches!(
            make(&episodes(false), &consent(date!(2025 - 01 - 01))),
            Err(PosterError::ConsentPredatesEpisode { .. })
        ));
        assert!(matches!(
            make(&episodes(false), &consent(date!(2026 - 10 - 02))),
            Err(PosterError::ConsentInFuture { .. })
        ));
        let p = make(&episodes(false), &ok).expect("poster");
        assert_eq!(
            p.fields(),
            vec![
                ("Name", "Ana Example".to_string()),
                ("Age now", "15".into()),
                ("Missing since", "September 11, 2026".into()),
                ("Missing from", "Tulsa, OK".into()),
                ("Description", "5 ft 2 in".into()),
                ("Case number", "case-1".into()),
                ("If you have information, call", "1-800-555-0100".into()),
            ]
        );
        assert!(p.pdf_unprintable_chars().is_empty());
    }
}
