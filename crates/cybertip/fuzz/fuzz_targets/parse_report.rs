//! Fuzz target: arbitrary bytes through both parsers; anything accepted must export to XML
//! that parses back to the same value.
//!
//! Run with `cargo +nightly fuzz run parse_report` from `crates/cybertip`; seed the corpus with
//! `tests/fixtures/*.xml`.

#![no_main]

use cybertip::{file_details_to_xml, parse_file_details, parse_report, to_xml, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    if let Ok(report) = parse_report(data, &limits) {
        let again = parse_report(to_xml(&report).as_bytes(), &limits);
        assert_eq!(again.as_ref(), Ok(&report), "report round trip");
    }
    if let Ok(file) = parse_file_details(data, &limits) {
        let again = parse_file_details(file_details_to_xml(&file).as_bytes(), &limits);
        assert_eq!(again.as_ref(), Ok(&file), "file details round trip");
    }
});
