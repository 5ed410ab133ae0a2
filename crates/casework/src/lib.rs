//! The domain core of missing-child cases: the child and their custody, missing episodes,
//! flags computed with their reasons, a timeline, and posters (PDF) for cases consented to
//! publication (statistics are the `stats` crate's). Pure: no IO, no
//! async, no web or database types.
//!
//! # Map
//! - [`model`]: [`Child`], [`Episode`], [`Circumstance`], [`Custody`], ages and age bands.
//! - [`form`]: the caseworker's forms checked into the model, errors named by field.
//! - [`record`]: [`CaseRecord`], the case record of `cases.jsonl` and `case_json` (the
//!   format's one definition), read into a [`Case`] and written from one.
//! - [`flags`]: currently missing, chronically missing, missing from care, repeat runaway from
//!   care, age band; each with its reason.
//! - [`timeline`]: episodes, recoveries and linked reports and alerts by date.
//! - [`photo`]: [`SanitisedPhoto`], the only way photo bytes leave the crate: a JPEG or
//!   PNG without its metadata, or an error saying why not.
//! - [`poster`]: [`PosterData`] (only from a consented, currently missing case), drawn by
//!   [`render_pdf`].
//!
//! # Words
//! The child is the victim; the work is to find them and keep them safe. Nothing in this
//! crate treats a child as an offender: a runaway episode is a risk to the child, and the
//! flags say so.

#![forbid(unsafe_code)]

pub mod flags;
pub mod form;
pub mod model;
mod pdf;
pub mod photo;
pub mod poster;
pub mod record;
pub mod timeline;

pub use flags::{flags, Flag};
pub use form::{ChildForm, EpisodeForm, FieldError, FormErrors, GuardianForm};
pub use model::{
    Age, AgeBand, AgeBasis, Agency, Case, Child, Circumstance, Contact, Custody, Episode, Guardian,
    ParseError, PhotoRef, Place, Recovery, Sex, StatedAge,
};
pub use pdf::document::{centred_document, flowing_document, DocLine};
pub use pdf::render_pdf;
pub use photo::{PhotoError, PhotoFormat, SanitisedPhoto, MAX_PHOTO_SIDE};
pub use poster::{Consent, PosterData, PosterError};
pub use record::{CaseRecord, ChildIds, ChildRecord, CustodyRecord, EpisodeRecord, ImportError};
pub use timeline::{timeline, TimelineItem, TimelineKind};
