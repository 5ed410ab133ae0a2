//! Property tests: extraction never panics and every span is a valid
//! `char`-boundary range of the input; the normalisers are total, idempotent
//! and agree with the extractor, through every obfuscation the generator
//! knows. (The folding map's own properties are unit tests in `src/fold.rs`,
//! as it is not public.)

use extract::{normalize_email, normalize_phone, EntityKind, Extractor};
use proptest::prelude::*;
use std::sync::OnceLock;

fn extractor() -> &'static Extractor {
    static X: OnceLock<Extractor> = OnceLock::new();
    X.get_or_init(Extractor::new)
}

/// Text biased towards what the scanners care about: digits, look-alikes,
/// separators, `@`, emoji, invisible characters, multi-byte letters.
fn tricky_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("5".to_string()),
        Just("0".to_string()),
        Just("O".to_string()),
        Just("l".to_string()),
        Just(" ".to_string()),
        Just("-".to_string()),
        Just(".".to_string()),
        Just("@".to_string()),
        Just(" at ".to_string()),
        Just("[dot]".to_string()),
        Just("$".to_string()),
        Just("five".to_string()),
        Just("\u{FE0F}\u{20E3}".to_string()),
        Just("\u{200B}".to_string()),
        Just("５".to_string()),
        Just("𝟕".to_string()),
        Just("О".to_string()),
        Just("é".to_string()),
        Just("\u{0301}".to_string()),
        Just("📞".to_string()),
        Just("ﬁ".to_string()),
        Just("Dallas, TX".to_string()),
        Just("17 yo".to_string()),
        Just("212".to_string()),
        Just("555".to_string()),
        Just("0147".to_string()),
        Just("http://".to_string()),
        Just("example.com".to_string()),
        "\\PC{0,3}",
    ];
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

fn check_spans(text: &str) {
    for e in extractor().extract(text) {
        assert!(
            e.span.start <= e.span.end && e.span.end <= text.len(),
            "{e:?}"
        );
        assert!(text.is_char_boundary(e.span.start), "{e:?}");
        assert!(text.is_char_boundary(e.span.end), "{e:?}");
        assert!(!e.value.is_empty(), "{e:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn extract_never_panics_any_string(s in "\\PC{0,200}") {
        check_spans(&s);
    }

    #[test]
    fn extract_never_panics_any_chars(s in any::<String>()) {
        check_spans(&s);
    }

    #[test]
    fn extract_never_panics_tricky(s in tricky_text()) {
        check_spans(&s);
    }

    #[test]
    fn normalize_phone_is_total_and_idempotent(s in tricky_text()) {
        if let Some(p) = normalize_phone(&s) {
            prop_assert!(is_e164(&p), "{p}");
            prop_assert_eq!(normalize_phone(&p), Some(p.clone()));
        }
    }

    /// What the extractor calls a phone or an email, the normaliser given
    /// just that stretch of text agrees with.
    #[test]
    fn normalisers_agree_with_extracted_spans(s in tricky_text()) {
        for e in extractor().extract(&s) {
            let shown = &s[e.span.clone()];
            match e.kind {
                EntityKind::Phone => {
                    prop_assert_eq!(normalize_phone(shown), Some(e.value.clone()), "{:?}", shown);
                }
                EntityKind::Email => {
                    prop_assert_eq!(normalize_email(shown), Some(e.value.clone()), "{:?}", shown);
                }
                _ => {}
            }
        }
    }

    #[test]
    fn normalize_email_is_total_and_idempotent(s in tricky_text()) {
        if let Some(e) = normalize_email(&s) {
            prop_assert_eq!(e.to_lowercase(), e.clone());
            prop_assert!(e.contains('@'));
            prop_assert_eq!(normalize_email(&e), Some(e.clone()));
        }
    }

    /// Any 10-digit number of North American shape, in common layouts,
    /// normalises to the same E.164 as `phonenumber` gives when it is valid
    /// there, and to `+1` and its digits when only its shape is (an area code
    /// the library does not list); the extractor finds it in text, marked
    /// unverified exactly in the second case. Service codes (`N11`) are never
    /// numbers.
    #[test]
    fn phone_layouts_agree(area in 200u32..1000, exch in 200u32..1000, line in 0u32..10000, layout in 0usize..4) {
        let d = format!("{area:03}{exch:03}{line:04}");
        let verified = phonenumber::parse(Some(phonenumber::country::Id::US), &d)
            .ok()
            .filter(phonenumber::is_valid)
            .map(|p| p.format().mode(phonenumber::Mode::E164).to_string());
        let n11 = |x: u32| x % 100 == 11;
        let truth = verified
            .clone()
            .or_else(|| (!n11(area) && !n11(exch)).then(|| format!("+1{d}")));
        let shown = match layout {
            0 => format!("({area:03}) {exch:03}-{line:04}"),
            1 => format!("{area:03}.{exch:03}.{line:04}"),
            2 => d.clone(),
            _ => format!("+1 {area:03} {exch:03} {line:04}"),
        };
        prop_assert_eq!(normalize_phone(&shown), truth.clone());
        let text = format!("call me at {shown} today");
        let found: Vec<(String, bool)> = extractor()
            .extract(&text)
            .into_iter()
            .filter(|e| e.kind == extract::EntityKind::Phone)
            .map(|e| (e.value, e.unverified))
            .collect();
        let want = truth.map(|t| (t, verified.is_none()));
        prop_assert_eq!(found, want.into_iter().collect::<Vec<_>>());
    }

    /// Plain addresses round-trip through `normalize_email` lower-cased.
    #[test]
    fn plain_emails_normalise(local in "[A-Za-z][A-Za-z0-9_]{0,10}(\\.[A-Za-z0-9]{1,5})?", dom in "[A-Za-z][A-Za-z0-9]{0,8}", tld in "(com|org|net|io)") {
        let addr = format!("{local}@{dom}.{tld}");
        prop_assert_eq!(normalize_email(&addr), Some(addr.to_lowercase()));
        let obf = format!("{local} [at] {dom} [dot] {tld}");
        prop_assert_eq!(normalize_email(&obf), Some(addr.to_lowercase()));
    }
}

/// `+` and 7 to 15 digits, the first not 0.
fn is_e164(p: &str) -> bool {
    let digits = p.strip_prefix('+').unwrap_or("");
    (7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Every obfuscation the generator writes (spelled, look-alike,
    /// full-width, keycap and zero-width digits, emoji separators…) of a
    /// valid number normalises to its E.164 form, and the extractor finds
    /// exactly that number in a sentence, spanning what was written.
    #[test]
    fn obfuscated_phones_normalise_and_are_found(seed in any::<u64>()) {
        let mut synth = crate::synth::Synth::new(seed);
        let digits = synth.phone_digits();
        let shown = synth.render_phone(&digits);
        let want = format!("+1{digits}");
        // A word glued to the digits (`call2125550147`) is not a number on
        // its own, though the extractor reads it in a sentence.
        let glued = ["call", "text", "babe"]
            .iter()
            .any(|w| shown.to_ascii_lowercase().contains(w));
        if !glued {
            prop_assert_eq!(normalize_phone(&shown), Some(want.clone()), "{:?}", shown);
        }
        let text = format!("contact {shown} today");
        let phones: Vec<_> = extractor()
            .extract(&text)
            .into_iter()
            .filter(|e| e.kind == EntityKind::Phone)
            .collect();
        prop_assert_eq!(phones.len(), 1, "{:?}: {:?}", text, phones);
        prop_assert_eq!(&phones[0].value, &want);
        let found = &text[phones[0].span.clone()];
        if glued {
            prop_assert!(shown.contains(found), "{:?} in {:?}", found, shown);
        } else {
            prop_assert_eq!(found, shown.as_str());
        }
    }

    /// Every obfuscation of an address the generator writes (` at `/` dot `,
    /// `[at]`, `(at)`, upper case, spaced `@`…) normalises to the address,
    /// and the extractor finds it in a sentence, spanning what was written.
    #[test]
    fn obfuscated_emails_normalise_and_are_found(seed in any::<u64>()) {
        let mut synth = crate::synth::Synth::new(seed);
        let (address, shown) = synth.email();
        prop_assert_eq!(normalize_email(&shown), Some(address.clone()), "{:?}", shown);
        let text = format!("write to {shown} today");
        let emails: Vec<_> = extractor()
            .extract(&text)
            .into_iter()
            .filter(|e| e.kind == EntityKind::Email)
            .collect();
        prop_assert_eq!(emails.len(), 1, "{:?}: {:?}", text, emails);
        prop_assert_eq!(&emails[0].value, &address);
        prop_assert_eq!(&text[emails[0].span.clone()], shown.as_str());
    }

    /// Extraction gives the same result however often it runs on a thread
    /// (its scratch buffers carry nothing over) and on a fresh thread.
    #[test]
    fn extraction_is_repeatable(a in tricky_text(), b in tricky_text()) {
        let first = extractor().extract(&a);
        let _ = extractor().extract(&b);
        prop_assert_eq!(&extractor().extract(&a), &first);
        let again = std::thread::scope(|s| s.spawn(|| extractor().extract(&a)).join());
        prop_assert_eq!(again.ok(), Some(first));
    }
}
