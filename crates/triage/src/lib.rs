//! Triage for Clearinghouse: which risk factors and red flags of child sex
//! trafficking a report shows, and how soon it needs a person, with the
//! reasons in plain words.
//!
//! - [`Catalogue`]: the indicators, a versioned data file
//!   (`data/indicators.toml`) drawn from the seed pages, validated on load.
//! - [`Triage::assess`]: runs `extract` and the catalogue over a report's
//!   texts and structured fields and returns an [`Assessment`]: priority,
//!   score, matched indicators with evidence, reasons, entities and
//!   jurisdiction. The rules of priority are in [`assess`].
//! - [`segments`]: a text cut into marked and plain pieces for highlighting.
//!
//! Pure: no IO, no global state, never panics. An assessment helps a person
//! decide what to read first; no indicator proves anything alone.
//!
//! ```
//! use triage::{Facts, Priority, Subject, TextField, Triage};
//! let triage = Triage::default();
//! let report = Subject {
//!     texts: vec![TextField { field: "narrative", text: "16 years old, new in town, $200/hr" }],
//!     facts: Facts::default(),
//! };
//! let a = triage.assess(&report);
//! assert_eq!(a.priority, Priority::High);
//! assert!(a.reasons[0].starts_with("High: "));
//! ```
#![forbid(unsafe_code)]

pub mod assess;
pub mod catalogue;
mod fold;
pub mod highlight;
mod places;

pub use assess::{
    Assessment, Evidence, Facts, FieldEntity, Match, Priority, Subject, TextField, Triage,
    ADULT_AGE, CATEGORY_BONUS, HIGH_MIN_INDICATORS, HIGH_SCORE, MAX_EVIDENCE,
};
pub use catalogue::{
    kind_name, Catalogue, CatalogueError, Category, Combination, Detect, FactRule, Indicator,
};
pub use highlight::{segments, Mark, Segment};
pub use places::{country_code, state_code, Jurisdiction, Location};
