//! The pure core of family advocacy and peer support (issue 21): a family's support case
//! (members, contact person, language and times, how to contact safely, what happened in
//! their words, needs, crisis level), the contact log's entries, the first-contact
//! deadline agreed for each crisis level, peer volunteers' vetting and training records,
//! and [`matching::propose`], which ranks eligible volunteers for a family with reasons in
//! words. No IO, no async, no web or database types.
//!
//! # Map
//! - [`model`]: the enums (needs, crisis level, contact kind, experience category, times of
//!   day, close reason), [`FamilyProfile`], [`ContactEntry`], [`VolunteerProfile`] and
//!   their eligibility rules.
//! - [`form`]: the forms (family, contact, volunteer, training, closing) checked field by
//!   field into the model.
//! - [`matching`]: the matcher.

#![forbid(unsafe_code)]

pub mod form;
pub mod matching;
pub mod model;

pub use form::{ContactForm, FamilyForm, FieldError, FormErrors, TrainingForm, VolunteerForm};
pub use matching::{propose, Candidate, Proposal};
pub use model::{
    CheckResult, CloseReason, ContactEntry, ContactKind, CrisisLevel, Experience, FamilyProfile,
    Member, Need, Slot, Training, Vetting, VolunteerProfile,
};
