//! Publications: documents (PDF) the hotline shares with the public and its partners,
//! each with a title, an audience and a date. The upload is checked here: a PDF by its
//! first bytes and under the size limit, whatever the browser said it was.

use crate::form::{text, FormErrors};
use casework::model::parse_iso_date;
use serde::{Deserialize, Serialize};
use time::Date;

/// The largest publication accepted.
pub const MAX_PDF_BYTES: usize = 10 * 1024 * 1024;

/// Who a publication is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Public,
    ParentsCarers,
    Schools,
    YoungPeople,
    Professionals,
    Partners,
}

impl Audience {
    pub const ALL: [Audience; 6] = [
        Self::Public,
        Self::ParentsCarers,
        Self::Schools,
        Self::YoungPeople,
        Self::Professionals,
        Self::Partners,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::ParentsCarers => "parents_carers",
            Self::Schools => "schools",
            Self::YoungPeople => "young_people",
            Self::Professionals => "professionals",
            Self::Partners => "partners",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Public => "Everyone",
            Self::ParentsCarers => "Parents and carers",
            Self::Schools => "Schools and teachers",
            Self::YoungPeople => "Young people",
            Self::Professionals => "Professionals (health, social care, law enforcement)",
            Self::Partners => "Partner organisations",
        }
    }

    pub fn parse(s: &str) -> Option<Audience> {
        Self::ALL.into_iter().find(|a| a.code() == s.trim())
    }
}

/// A checked publication's details (its file is checked by [`check_pdf`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicationMeta {
    pub title: String,
    pub audience: Audience,
    pub published_on: Date,
}

/// The upload form's fields as posted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PublicationForm {
    pub title: String,
    pub audience: String,
    pub published_on: String,
}

impl PublicationForm {
    /// Checks the fields; `today` bounds the date (a publication is not dated ahead).
    pub fn check(&self, today: Date) -> Result<PublicationMeta, FormErrors> {
        let mut errs = FormErrors::default();
        let title = text(
            &mut errs,
            "title",
            &self.title,
            200,
            "enter the publication's title",
        );
        let audience = Audience::parse(&self.audience);
        if audience.is_none() {
            errs.add("audience", "choose who the publication is for");
        }
        let on = parse_iso_date(self.published_on.trim());
        match on {
            None => errs.add(
                "published_on",
                "enter the publication's date as YYYY-MM-DD, for example 2026-03-14",
            ),
            Some(d) if d > today => errs.add(
                "published_on",
                "the date is in the future; enter the date it was published, today or earlier",
            ),
            Some(_) => {}
        }
        match (audience, on) {
            (Some(audience), Some(published_on)) => errs.into_result(PublicationMeta {
                title,
                audience,
                published_on,
            }),
            _ => Err(errs),
        }
    }
}

/// Why an upload is not taken as a publication.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    #[error("choose a PDF file to upload")]
    Empty,
    #[error("the file is larger than {} MB; upload a smaller PDF", MAX_PDF_BYTES / (1024 * 1024))]
    TooLarge,
    #[error("the file is not a PDF; save or export the document as a PDF and upload that")]
    NotPdf,
}

/// A PDF starts with `%PDF-` (a few bytes of junk before it are tolerated by readers, but
/// not by us) and has an end-of-file marker near its end.
pub fn check_pdf(bytes: &[u8]) -> Result<(), PdfError> {
    if bytes.is_empty() {
        return Err(PdfError::Empty);
    }
    if bytes.len() > MAX_PDF_BYTES {
        return Err(PdfError::TooLarge);
    }
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    if !bytes.starts_with(b"%PDF-") || !tail.windows(5).any(|w| w == b"%%EOF") {
        return Err(PdfError::NotPdf);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_pdf_is_taken() {
        assert_eq!(check_pdf(b""), Err(PdfError::Empty));
        assert_eq!(check_pdf(b"<html>%PDF-1.7 %%EOF"), Err(PdfError::NotPdf));
        assert_eq!(check_pdf(b"%PDF-1.7\n1 0 obj\n"), Err(PdfError::NotPdf));
        assert_eq!(check_pdf(b"%PDF-1.7\n...\n%%EOF\n"), Ok(()));
        let big = [b"%PDF-".as_slice(), &vec![b' '; MAX_PDF_BYTES]].concat();
        assert_eq!(check_pdf(&big), Err(PdfError::TooLarge));
    }

    #[test]
    fn a_publication_is_not_dated_ahead() {
        let today = parse_iso_date("2026-12-07").expect("date");
        let f = PublicationForm {
            title: "Signs to look for".into(),
            audience: "schools".into(),
            published_on: "2026-12-08".into(),
        };
        assert!(f
            .check(today)
            .expect_err("future")
            .for_field("published_on")
            .is_some());
        let ok = PublicationForm {
            published_on: "2026-12-07".into(),
            ..f
        };
        assert_eq!(ok.check(today).expect("valid").audience, Audience::Schools);
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use crate::partner::{EventForm, PartnerForm};
    use proptest::prelude::*;

    proptest! {
        /// Uploads and forms are untrusted: checking them never panics, and a partner that
        /// passes once passes again unchanged when edited without changes.
        #[test]
        fn checks_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200),
                              name in ".{0,40}", states in "[A-Za-z ,]{0,20}", date in ".{0,12}") {
            let _ = check_pdf(&bytes);
            let contact = crate::partner::Contact { name: "Ana".into(), email: "ana@example.org".into(), ..Default::default() };
            let f = PartnerForm { name: name.clone(), kind: "club".into(), states, contacts: vec![contact], ..PartnerForm::default() };
            if let Ok(p) = f.check() {
                prop_assert_eq!(PartnerForm::from_partner(&p).check(), Ok(p));
            }
            let _ = EventForm { held_on: date.clone(), place: name.clone(), ..EventForm::default() }.check();
            let today = time::Date::from_calendar_date(2026, time::Month::December, 7).expect("date");
            let _ = PublicationForm { title: name, audience: "public".into(), published_on: date }.check(today);
        }
    }
}
