//! Fuzz target: `Extractor::extract` and the normalisers on arbitrary UTF-8
//! must not panic, and every span must be a valid `char`-boundary range of
//! the input. Run with `cargo +nightly fuzz run extract` from `crates/extract`.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn extractor() -> &'static extract::Extractor {
    static X: OnceLock<extract::Extractor> = OnceLock::new();
    X.get_or_init(extract::Extractor::new)
}

fuzz_target!(|text: &str| {
    for e in extractor().extract(text) {
        assert!(e.span.start <= e.span.end && e.span.end <= text.len());
        assert!(text.is_char_boundary(e.span.start));
        assert!(text.is_char_boundary(e.span.end));
        assert!(!e.value.is_empty());
    }
    let _ = extract::normalize_phone(text);
    let _ = extract::normalize_email(text);
});
