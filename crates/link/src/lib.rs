//! Link analysis for Clearinghouse: records in; links, clusters and their
//! evidence out. Pure: no IO, no global state.
//!
//! - **Person matching** ([`Candidates`], [`dedupe_estimated`],
//!   [`link_estimated`], [`dedupe`], [`link`], [`Model`]):
//!   Fellegi–Sunter record linkage. Blocking on several keys keeps the
//!   comparisons near-linear; each pair gets an agreement level per field
//!   (names by Jaro-Winkler, NYSIIS/Soundex and nicknames; dates of birth with
//!   typos and day/month swaps; ages against dates of birth; places;
//!   identifiers); `m`/`u` weights are estimated without labels (u from random
//!   pairs, m by EM) and can be overridden; clusters use average linkage so
//!   that one weak chain does not merge two groups. A phone, email or handle
//!   carried by more than `Config::max_identifier_records` records is dropped
//!   as evidence ([`CommonIdentifier`]). Preparing and comparing use all
//!   cores (`Config::threads`).
//! - **Shared identifiers** ([`IdentifierGraph`]): records sharing a phone,
//!   email, handle, device, address or IP are linked, with weights that fall
//!   as an identifier becomes common and a hard cap beyond which it links
//!   nobody; IPs only link within a time window.
//! - **Near-duplicate texts** ([`TextClusterer`]): MinHash over word shingles
//!   with LSH banding groups ads written from one template; each cluster keeps
//!   its medoid text as the template.
//! - **Incremental** ([`Index`]): insert records one at a time and query new
//!   ones against everything stored.
//! - **Ads** ([`ads`]): the `ads.jsonl` record and the pipeline that clusters
//!   ads by template and shared identifiers.
//! - **Tables** ([`tabular`]): spreadsheet headers mapped to person fields,
//!   cells (dates by [`parse_date`]) read into [`PersonRecord`]s.
//! - **Building blocks** callers share with the engine, so nothing is
//!   derived twice: [`IdentifierConfig::weight`] (an identifier's weight by
//!   kind and frequency), [`MinHasher`] and the stored [`band_keys`],
//!   [`UnionFind`].
//!
//! Every link carries its evidence: field levels and weights
//! ([`PairExplanation`]), shared identifiers ([`IdentifierLink`]), or text
//! similarity ([`TextCluster`]). A link is a reason to look, never proof.
//!
//! ```
//! use link::{dedupe_estimated, Config, Date, PersonRecord};
//! let person = |id: &str, first: &str, last: &str, dob| PersonRecord {
//!     id: id.into(),
//!     first_name: Some(first.into()),
//!     last_name: Some(last.into()),
//!     dob: Some(dob),
//!     ..PersonRecord::default()
//! };
//! let records = vec![
//!     person("r1", "Jane", "Doe", Date::new(2008, 4, 9)),
//!     person("r2", "Jane", "Doe", Date::new(2008, 9, 4)),
//!     person("r3", "Sam", "Roe", Date::new(1990, 1, 2)),
//! ];
//! let (model, clusters) = dedupe_estimated(&records, &Config::default());
//! assert_eq!(clusters.cluster_of[0], clusters.cluster_of[1]);
//! assert_ne!(clusters.cluster_of[0], clusters.cluster_of[2]);
//! let why = link::explain(&records[0], &records[1], &model, &Config::default());
//! assert!(why.fields.iter().any(|f| f.level == "one typo, or day and month swapped"));
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ads;
mod block;
mod cluster;
pub mod eval;
mod identifiers;
mod index;
mod model;
pub mod neighbours;
pub mod normalize;
mod person;
mod person_link;
pub mod strsim;
pub mod tabular;
mod text;

pub use cluster::{Clusters, Link, UnionFind};
pub use identifiers::{
    IdContext, IdKind, IdentifierClusters, IdentifierConfig, IdentifierGraph, IdentifierLink,
    SharedIdentifier,
};
pub use index::{Index, Match};
pub use model::{
    probability, Estimation, FieldEvidence, FieldParams, Model, PairExplanation, MAX_LEVELS,
};
pub use person::{Date, Field, Gamma, PersonRecord, Sex, FIELDS, NFIELDS};
pub use person_link::{
    dedupe, dedupe_estimated, explain, link, link_estimated, Candidates, CommonIdentifier,
};
pub use tabular::parse_date;
pub use text::{
    band_keys, shingles, Linkage, MinHasher, ShingleCounts, TextCluster, TextClusterer,
    TextClusters, TextConfig, BAND_KEY_BANDS, BAND_KEY_ROWS, BAND_KEY_SEED, MIN_SHINGLE_WEIGHT,
};

use serde::{Deserialize, Serialize};

/// Settings for person matching. The defaults suit tens of records to
/// millions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// Match probability at or above which a pair is a link.
    pub threshold: f64,
    /// Mean match probability across two clusters required to merge them.
    pub cluster_threshold: f64,
    /// At most this many pairs are scored when checking a merge.
    pub max_cluster_pairs: usize,
    /// A blocking key shared by more records than this is not expanded into
    /// all pairs; its records are compared with their `window` neighbours.
    pub max_block: usize,
    /// Sorted-neighbourhood window for oversized blocks.
    pub window: usize,
    /// Random pairs sampled to estimate `u`.
    pub u_sample_pairs: usize,
    /// EM iterations at most.
    pub em_iterations: usize,
    /// EM re-estimates `m` only from at least this many candidate pairs;
    /// with fewer, the starting (hand-set) `m` is kept.
    #[serde(default = "defaults::em_min_pairs")]
    pub em_min_pairs: usize,
    /// EM's estimate of `m` is used only where it rests on at least this
    /// many expected matches (in all, and per field); elsewhere the start is kept.
    #[serde(default = "defaults::em_min_matches")]
    pub em_min_matches: f64,
    /// EM stops when no parameter moves by more than this.
    #[serde(default = "defaults::em_tolerance")]
    pub em_tolerance: f64,
    /// How many pairs' worth of weight the starting `m` keeps in EM's
    /// estimate (a Dirichlet prior): enough that a level never seen among
    /// the matches is not estimated impossible, little against thousands.
    #[serde(default = "defaults::em_prior_pairs")]
    pub em_prior_pairs: f64,
    /// No level's `m` is estimated further than this factor from its starting
    /// value, either way (infinite: unbounded).
    #[serde(default = "defaults::em_max_ratio")]
    pub em_max_ratio: f64,
    /// Seed for the pair sample (results are reproducible).
    pub seed: u64,
    /// Date at which ages without a record date are taken.
    pub reference_date: Option<Date>,
    /// When linking two sets that are each free of duplicates: a record links
    /// to at most one record of the other set (the best).
    pub one_to_one: bool,
    /// A phone, email or handle carried by more records than this is
    /// ignored in person matching (a shelter's line links nobody).
    pub max_identifier_records: usize,
    /// Threads for preparing and comparing records; 0 uses every core.
    pub threads: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            threshold: 0.5,
            cluster_threshold: 0.5,
            max_cluster_pairs: 400,
            max_block: 16,
            window: 4,
            u_sample_pairs: 200_000,
            em_iterations: 100,
            em_min_pairs: defaults::em_min_pairs(),
            em_min_matches: defaults::em_min_matches(),
            em_tolerance: defaults::em_tolerance(),
            em_prior_pairs: defaults::em_prior_pairs(),
            em_max_ratio: defaults::em_max_ratio(),
            seed: 0x5eed,
            reference_date: None,
            one_to_one: false,
            max_identifier_records: 50,
            threads: 0,
        }
    }
}

/// Defaults of the estimation settings, also for configurations serialised
/// before they existed.
mod defaults {
    pub fn em_min_pairs() -> usize {
        1_000
    }
    pub fn em_min_matches() -> f64 {
        50.0
    }
    pub fn em_tolerance() -> f64 {
        1e-6
    }
    pub fn em_prior_pairs() -> f64 {
        10.0
    }
    pub fn em_max_ratio() -> f64 {
        f64::INFINITY
    }
}

impl Config {
    pub(crate) fn em_settings(&self) -> model::EmSettings {
        model::EmSettings {
            min_pairs: self.em_min_pairs,
            min_matches: self.em_min_matches,
            max_iterations: self.em_iterations,
            tolerance: self.em_tolerance,
            prior_pairs: self.em_prior_pairs,
            max_ratio: self.em_max_ratio,
        }
    }
}
