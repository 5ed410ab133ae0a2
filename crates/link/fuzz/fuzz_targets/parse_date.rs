//! Fuzz target: `link::parse_date` on arbitrary UTF-8 must not panic, and a date it
//! reads must read back the same from its ISO form (the form dates are compared and
//! written in). Run with `cargo +nightly fuzz run parse_date` from `crates/link`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Some(date) = link::parse_date(text) {
        assert_eq!(link::parse_date(&date.iso()), Some(date), "{text:?}");
    }
});
