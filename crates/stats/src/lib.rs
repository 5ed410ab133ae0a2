//! Public statistics, made safe to publish: the table model (counts by row and column with
//! their totals), disclosure control (primary suppression of counts from 1 to 4 and
//! complementary suppression so that no hidden count can be worked out from the totals or
//! from other tables sharing a margin), and an optional differentially private mode (the
//! geometric, or discrete-Laplace, mechanism).
//!
//! # Rules
//! - A count from 1 to [`SMALLEST_SHOWN`]` - 1` is never published.
//! - **Zeros are published.** A zero says "nobody", which points at no one; it cannot protect
//!   a hidden cell either (an attacker knows a hidden cell is not zero, because zeros are
//!   never hidden), so complementary suppression never picks one.
//! - A hidden cell reads the same whatever the reason ("suppressed"): telling "fewer than 5"
//!   from "hidden to protect another" would narrow the range an attacker can solve for.
//! - After suppression, no hidden cell is *pinned*: [`check`] finds none whose value follows
//!   from the published numbers by any combination of the tables' equations (exact rank
//!   test), nor whose range, given that hidden cells are at least 1, closes to one value
//!   (bound propagation).
//!
//! Architecture invariant: no IO. Randomness comes in as a `rand::Rng` the caller owns.

pub mod dp;
pub mod suppress;
pub mod table;

pub use dp::{add_noise, discrete_laplace, Mode};
pub use suppress::{check, protect, Pinned};
pub use table::{Published, Table};

/// Counts below this (and above zero) are never published.
pub const SMALLEST_SHOWN: u64 = 5;

/// Why tables could not be protected together.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StatsError {
    #[error("tables protected together must have the same columns ({0} differs)")]
    Columns(String),
    #[error("tables protected together must have the same column totals ({0} differs)")]
    Margins(String),
    #[error("a table has {rows} row labels but {counts} rows of counts")]
    Shape { rows: usize, counts: usize },
    #[error("epsilon must be a positive finite number, not {0}")]
    Epsilon(String),
}
