//! A deterministic synthetic world for Clearinghouse: missing-child cases, trafficking networks,
//! provider reports, public tips and online ads, with the ground truth behind them.
//!
//! Real case data can never be used to build or test the product, so this crate makes a world
//! good enough to demo, test and benchmark against, where the truth is known. The same seed,
//! scale and crate version always give byte-identical output.
//!
//! Everything is invented: names are common first and last names combined at random, phone
//! numbers are in the fictional 555-01XX range, addresses and domains are the reserved
//! documentation ranges (`example.com`, `192.0.2.0/24` ...). All text is plain and
//! non-explicit.
//!
//! # Use
//! ```no_run
//! let cfg = synth::Config { seed: 7, scale: 10_000 };
//! let summary = synth::generate(&cfg, std::path::Path::new("world"), &mut |done, total| {
//!     eprint!("\r{done}/{total}");
//! })?;
//! assert_eq!(summary.counts.records, 10_000);
//! # Ok::<(), synth::SynthError>(())
//! ```
//! In memory, for tests: [`Generator::new`], then [`Generator::records`] (every record with its
//! truth, in file order) or [`Generator::chunk`], and [`Generator::truth`].
//!
//! # Output layout (the import contract)
//! `scale` counts records: 5% cases, 25% reports, 5% tips, 65% ads (30% of the ads are written
//! by networks, the rest are ordinary classifieds; most reports and tips are unrelated
//! background). Files, in `DIR`:
//!
//! | path | content |
//! | --- | --- |
//! | `cases.jsonl` | missing-child cases, one JSON object a line ([`records::CaseRecord`]) |
//! | `tips.jsonl` | public tips as form fields ([`records::TipRecord`]) |
//! | `ads.jsonl` | online ads ([`records::AdRecord`]) |
//! | `reports/NNN/report-NNNNNNN.xml` | CyberTipline `<report>` documents, valid against `cyber_tipline.xsd`; `NNN` is the report number divided by 1000, three digits or more |
//! | `truth/records.jsonl` | one line per record, in the order above ([`records::RecordTruth`]) |
//! | `truth/persons.jsonl` | every tracked person with their true name ([`records::PersonTruth`]) |
//! | `truth/networks.jsonl` | trafficking networks ([`records::NetworkTruth`]) |
//! | `truth/shared_identifiers.jsonl` | numbers, IPs and photos many unrelated records share, which are not links ([`records::SharedIdentifier`]) |
//! | `manifest.json` | `format`, `generator`, `version`, `seed`, `scale`, `counts` ([`Manifest`]); written last |
//!
//! Ids: `case-NNNNNNN`, `report-NNNNNNN`, `tip-NNNNNNN`, `ad-NNNNNNN`, `person-NNNNNNN`,
//! `net-NNNNNNN` (seven digits or more, numbered from 0 per kind). In the truth, person ids
//! starting `bg-` are one-off background people who appear in that one record only.
//!
//! JSON field names (optional fields are left out when empty). Cases and tips are written
//! through the formats' one definition, `casework::CaseRecord` and `domain::tip::TipRecord`
//! (re-exported in [`records`]), which the importer reads with:
//! - case: `case_id`, `child` {`first_name`, `last_name`?, `nickname`?, `sex`,
//!   `date_of_birth`? (YYYY-MM-DD), `age`? (at the first episode, given instead of the birth
//!   date), `phone`?, `screen_names`?, `email`?}, `circumstance` (`endangered_runaway`,
//!   `family_abduction`, `nonfamily_abduction`, `lost_injured_otherwise_missing`),
//!   `missing_from_care`, `custody` ({`kind`: `guardians`, `guardians`: [{`name`, `relation`,
//!   `phone`?, `email`?}]} or {`kind`: `agency`, `agency`, `placement`, `caseworker`: {`name`,
//!   `phone`?, `email`?}}), `contact_phone`?, `episodes`: [{`reported`, `last_seen`,
//!   `last_seen_city`, `last_seen_state`, `circumstance`, `recovered`?, `recovery_city`?,
//!   `recovery_state`?}] (oldest first).
//! - tip: `id`, `submitted_at` (RFC 3339, UTC), `incident_type` (the XSD's string), `when`
//!   (free text), `city`?, `state`?, `country`, `narrative`, `people`? [{`role` (`child`,
//!   `adult`, `unknown`), `name`?, `age`?, `phone`?, `email`?, `screen_names`?}], `urls`?,
//!   `reporter`? {`name`, `phone`?, `email`?} (absent when anonymous).
//! - ad: `id`, `site`, `url`, `posted_at` (RFC 3339, UTC), `city`, `state` (USPS code),
//!   `title`, `body`, `image_hashes` (16 hex digits each).
//! - record truth: `record`, `kind` (`case`, `report`, `tip`, `ad`), `persons`, `network`?,
//!   `network_kind`? (`pimp_controlled`, `familial`, `gang_controlled`, `buyer_perpetrated`),
//!   `missing_children` (case ids the record concerns), `template`?, `phones`? (E.164),
//!   `emails`?, `handles`?.
//!
//! # Modules
//! `world` builds the people and networks once; `cases`, `reports`, `tips` and `ads` turn it
//! into records with noise from `noise`; `gen` cuts that into deterministic chunks; `write`
//! writes them out in parallel. Apart from the world, `boards` and `market` are two
//! independently written adversarial ad boards for scoring ad clustering, and `households` a
//! person generator for scoring person matching (issue 17). `resources` writes the recovery
//! directory's services as an Open Referral HSDS package (issue 19), and `plans` recovery
//! plans with goals and referral walks for the demo and the plans' tests.

#![forbid(unsafe_code)]

mod ads;
pub mod boards;
mod cases;
mod data;
mod date;
mod error;
pub mod families;
mod gen;
pub mod households;
pub mod market;
mod noise;
pub mod plans;
pub mod records;
mod reports;
pub mod resources;
mod tips;
mod util;
mod world;
mod write;

use std::path::Path;

pub use error::SynthError;
pub use gen::{Generator, Kind, CHUNK};
pub use records::Record;
pub use world::Plan;
pub use write::{report_dir, Counts, Manifest, Summary, FORMAT};

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Same seed (and crate version), same bytes.
    pub seed: u64,
    /// The number of records in total across all kinds.
    pub scale: u64,
}

/// Generates the world for `cfg` into `out` (created if missing; it must be empty), calling
/// `progress(done, total)` as records are written.
pub fn generate(
    cfg: &Config,
    out: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Summary, SynthError> {
    write::generate(cfg, out, progress)
}
