//! Worked examples, one `check` per case: the text and the entities expected
//! as `kind value "original text"` lines (spans shown as the original text
//! they cover, which also proves the span mapping).

use extract::{normalize_email, normalize_phone, EntityKind, Extractor};

fn render(text: &str) -> String {
    let x = Extractor::new();
    let mut lines = Vec::new();
    for e in x.extract(text) {
        let kind = serde_json::to_value(e.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        lines.push(format!("{kind} {} {:?}", e.value, &text[e.span.clone()]));
    }
    lines.join("\n")
}

fn check(text: &str, expected: &str) {
    let got = render(text);
    let want: Vec<&str> = expected
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(got, want.join("\n"), "\ntext: {text:?}\ngot:\n{got}\n");
}

#[test]
fn ad_with_obfuscations() {
    check(
        "New in town 🌸 call 2️⃣1️⃣2️⃣ fIvE five FIVE 📞 O147 or ｍｉａ [at] example [dot] com, $200/hr",
        // Debug output escapes the invisible keycap characters.
        "phone +12125550147 \"2\\u{fe0f}\\u{20e3}1\\u{fe0f}\\u{20e3}2\\u{fe0f}\\u{20e3} fIvE five FIVE 📞 O147\"
        email mia@example.com \"ｍｉａ [at] example [dot] com\"
        money 200 usd/hr \"$200/hr\"",
    );
}

#[test]
fn homoglyphs_and_zero_width() {
    check(
        "tеxt 4\u{200B}1\u{200B}5-555-О1２3 on snapchat @Star_Light",
        r#"
        phone +14155550123 "4\u{200b}1\u{200b}5-555-О1２3"
        platform snapchat "snapchat"
        handle @star_light "@Star_Light"
        "#,
    );
}

#[test]
fn narrative_places_terms_venues() {
    check(
        "The youth, 16 years old, was recovered at a motel in Dallas, TX. She spoke of the life and a nightly quota; a barcode tattoo and MOB were noted.",
        r#"
        age 16 "16 years old"
        venue motel "motel"
        city Dallas, TX "Dallas"
        state TX "TX"
        term the_life "the life"
        term quota "nightly quota"
        symbol barcode_tattoo "barcode tattoo"
        symbol mob "MOB"
        "#,
    );
}

#[test]
fn state_codes_need_place_context() {
    check(
        "Log IN or OR ME now. Seen in Fort Wayne, IN and Portland, ME; mail to Salem OR 97301.",
        r#"
        city Fort Wayne, IN "Fort Wayne"
        state IN "IN"
        city Portland, ME "Portland"
        state ME "ME"
        city Salem, OR "Salem"
        state OR "OR"
        "#,
    );
}

#[test]
fn distractors_are_not_phones() {
    check(
        "$500 on 2024-01-05 at 10:30, age 17, zip 75201, order #2125550147, id 123456789012",
        r#"
        money 500 usd "$500"
        age 17 "age 17"
        "#,
    );
}

#[test]
fn urls_domains_and_plain_email() {
    check(
        "see https://Example.com/profile?id=3 or www.example.org and write Jane.Doe@Example.com",
        r#"
        url https://example.com/profile?id=3 "https://Example.com/profile?id=3"
        domain www.example.org "www.example.org"
        email jane.doe@example.com "Jane.Doe@Example.com"
        "#,
    );
}

/// A character that folds to several ("¼" to "1⁄4") never lends the tail of its expansion
/// to an address: "4@example.com" was not written. A ligature at the start of a local
/// part still folds whole.
#[test]
fn an_address_never_starts_inside_a_folded_character() {
    let found = Extractor::new().extract("¼@example.comO and ﬁnn@example.com");
    let emails: Vec<&str> = found
        .iter()
        .filter(|e| e.kind == EntityKind::Email)
        .map(|e| e.value.as_str())
        .collect();
    assert_eq!(emails, ["finn@example.com"]);
}

#[test]
fn normalisers() {
    assert_eq!(
        normalize_phone("(212) 555-0147").as_deref(),
        Some("+12125550147")
    );
    assert_eq!(
        normalize_phone("two one two 555 O147").as_deref(),
        Some("+12125550147")
    );
    assert_eq!(
        normalize_phone("２１２５５５０１４７").as_deref(),
        Some("+12125550147")
    );
    assert_eq!(normalize_phone("12345"), None);
    assert_eq!(
        normalize_email(" Jane.Doe [at] Example [dot] com ").as_deref(),
        Some("jane.doe@example.com")
    );
    assert_eq!(
        normalize_email("jane(at)example.com").as_deref(),
        Some("jane@example.com")
    );
    assert_eq!(normalize_email("not an email"), None);
    assert_eq!(normalize_email("a@b.com and c@d.com"), None);
}

#[test]
fn serialises_snake_case() {
    let x = Extractor::new();
    let e = x.extract("call 212-555-0147");
    let json = serde_json::to_string(&e).unwrap_or_default();
    assert_eq!(
        json,
        r#"[{"kind":"phone","value":"+12125550147","span":{"start":5,"end":17}}]"#
    );
}

#[test]
fn every_source_file_has_a_module_doc() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut stack = vec![
        std::path::PathBuf::from(root).join("src"),
        std::path::PathBuf::from(root).join("tests"),
        std::path::PathBuf::from(root).join("benches"),
        std::path::PathBuf::from(root).join("fuzz/fuzz_targets"),
    ];
    let mut n = 0;
    while let Some(p) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&p) else {
            continue;
        };
        for ent in rd.flatten() {
            let path = ent.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let s = std::fs::read_to_string(&path).unwrap_or_default();
                assert!(s.starts_with("//!"), "{} lacks a //! doc", path.display());
                n += 1;
            }
        }
    }
    assert!(n >= 8);
}
