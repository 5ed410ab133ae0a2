//! The pure core of recovery services: the resource directory's [`Service`]s (what each
//! offers from a fixed taxonomy of [`Need`]s, who is eligible, languages, locations, hours,
//! how to refer, capacity when known, when it was last verified) and Open Referral's Human
//! Services Data Specification (HSDS 3.x) CSV data packages, read with every rejected row
//! named by file and line, and written. No IO, no async, no web or database types.
//!
//! # Map
//! - [`model`]: [`Service`], [`Need`], [`Eligibility`], [`Location`], [`HowToRefer`], the
//!   checked text and id types, and [`Service::is_stale`].
//! - [`form`]: [`ServiceForm`], the add/edit form checked into a [`Service`], errors by field.
//! - [`hsds`]: [`hsds::read_package`] and [`hsds::write_package`], the data package's one
//!   definition (its files, their columns, and how this model maps onto them).
//! - [`plan`]: a young person's recovery plan: needs by [`PlanDomain`], goals in their own
//!   words, consents, the review schedule, the transition at 18 and the [`SafetyMarker`].
//! - [`referral`]: the referral workflow, [`ReferralStatus`] and the moves [`referral::allowed`].

#![forbid(unsafe_code)]

pub mod form;
pub mod hsds;
pub mod model;
pub mod plan;
pub mod referral;

pub use form::{FieldError, FormErrors, ServiceForm};
pub use model::{
    Eligibility, HowToRefer, HsdsId, Location, ModelError, Need, Organisation, Service,
    SexEligibility, STALE_AFTER_DAYS,
};
pub use plan::{ClosingReason, PlanDomain, PlanError, PlanForm, SafetyMarker};
pub use referral::{ReferralError, ReferralStatus};
