//! The crate's single integration-test binary (one link, fast CI): quality
//! on a generated labelled corpus, property tests, and worked examples.

mod cases;
mod props;
mod quality;
mod synth;
