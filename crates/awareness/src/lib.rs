//! Awareness and partners (issue 22): the pure model behind the public poster gallery and
//! its feeds, partner organisations and their awareness events, publications, and the
//! public page of the signs of trafficking.
//!
//! Architecture invariant: no IO. What is public about a missing child is decided by
//! `casework::PosterData` (only a consented, currently missing case has one); this crate
//! only says how a list of posters is written as a feed and when an item expires.

pub mod feed;
pub mod form;
pub mod partner;
pub mod publication;
pub mod signs;

pub use feed::{FeedItem, FEED_ITEM_LIFETIME_SECS};
pub use form::{FieldError, FormErrors};
pub use partner::{
    AwarenessEvent, Contact, EventForm, Partner, PartnerForm, PartnerKind, STATE_CODES,
};
pub use publication::{
    check_pdf, Audience, PdfError, PublicationForm, PublicationMeta, MAX_PDF_BYTES,
};
