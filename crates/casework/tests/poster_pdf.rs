//! The poster PDF read back by an independent parser: every published field is there as
//! text, and nothing else from the case is, however much the case holds.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use casework::{
    render_pdf, Agency, Child, Circumstance, Consent, Contact, Custody, Episode, Guardian,
    PhotoError, PhotoRef, Place, PosterData, Recovery, SanitisedPhoto, Sex,
};
use time::macros::date;
use time::Date;

const TODAY: Date = date!(2026 - 10 - 01);
const HOTLINE: &str = "1-800-555-0100";

/// A case with every unpublished field set to something recognisable.
fn full_case() -> (Child, Vec<Episode>) {
    let child = Child {
        name: "Zoë Example-Sample".into(),
        aliases: vec!["Zed Nickname".into(), "ZZ Alias".into()],
        date_of_birth: Some(date!(2011 - 04 - 02)),
        stated_age: None,
        sex: Some(Sex::Female),
        description: "5 ft 2 in, 110 lbs, brown hair, brown eyes; a small scar above the left \
                      eyebrow. Last seen wearing a green hooded sweatshirt and white sneakers."
            .into(),
        photos: vec![PhotoRef {
            id: "blob-secret-photo-id".into(),
            taken_on: None,
        }],
        custody: Custody::FosterCare,
        guardians: vec![Guardian {
            name: "Guardian Parentname".into(),
            relation: "grandmother".into(),
            phone: Some("555-010-0777".into()),
            email: Some("guardian@example.org".into()),
        }],
        agency: Some(Agency {
            name: "Riverside Children's Agency".into(),
            caseworker: Contact {
                name: "Caseworker Workername".into(),
                phone: Some("555-010-0999".into()),
                email: Some("caseworker@example.org".into()),
            },
        }),
    };
    let episodes = vec![
        Episode {
            reported_on: date!(2025 - 02 - 10),
            last_seen_on: None,
            last_seen_place: Place {
                city: "Oldtown".into(),
                state: "KS".into(),
            },
            circumstance: Circumstance::MissingFromCare,
            reported_by: "Reporter Earliername".into(),
            recovered: Some(Recovery {
                on: date!(2025 - 02 - 20),
                place: Some(Place {
                    city: "Recoveryville".into(),
                    state: "MO".into(),
                }),
                how: "located at a motel by police".into(),
            }),
        },
        Episode {
            reported_on: date!(2026 - 09 - 12),
            last_seen_on: Some(date!(2026 - 09 - 11)),
            last_seen_place: Place {
                city: "Tulsa".into(),
                state: "OK".into(),
            },
            circumstance: Circumstance::EndangeredRunaway,
            reported_by: "Foster Parentname".into(),
            recovered: None,
        },
    ];
    (child, episodes)
}

fn consent() -> Consent {
    Consent {
        given_by: "Consent Givername, Riverside Children's Agency".into(),
        recorded_on: date!(2026 - 09 - 13),
    }
}

fn extract(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).expect("a PDF lopdf can read");
    let pages = doc.get_pages();
    assert_eq!(pages.len(), 1, "one page");
    let text = doc.extract_text(&[1]).expect("text");
    // Lines break where the layout wraps; compare on single spaces.
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn jpeg_with_exif(secret: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut out, 90);
    enc.add_app_segment(1, format!("Exif\0\0{secret}").into_bytes())
        .unwrap();
    let pixels: Vec<u8> = (0..32 * 40)
        .flat_map(|i| [(i % 256) as u8, 90, 160])
        .collect();
    enc.encode(&pixels, 32, 40, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

fn png_rgba() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, 20, 10);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        enc.add_text_chunk("Comment".into(), "PNG-SECRET-TEXT".into())
            .unwrap();
        let mut w = enc.write_header().unwrap();
        let data: Vec<u8> = (0..20 * 10).flat_map(|i| [i as u8, 0, 255, 200]).collect();
        w.write_image_data(&data).unwrap();
    }
    out
}

#[test]
fn the_pdf_shows_every_published_field_and_nothing_else() {
    let (child, episodes) = full_case();
    let poster = PosterData::from_case(
        "case-0000042",
        &child,
        &episodes,
        &consent(),
        HOTLINE,
        TODAY,
    )
    .unwrap()
    .with_photo(SanitisedPhoto::sanitise(&jpeg_with_exif("GPS-SECRET-LOCATION")).unwrap());
    let pdf = render_pdf(&poster);
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(render_pdf(&poster), pdf, "same data, same bytes");
    let text = extract(&pdf);

    for must in [
        "MISSING",
        "Zoë Example-Sample",
        "Age now: 15",
        "Missing since: September 11, 2026",
        "Missing from: Tulsa, OK",
        "Case number: case-0000042",
        "a small scar above the left eyebrow",
        "white sneakers.",
        &format!("If you have information, call {HOTLINE}"),
    ] {
        assert!(text.contains(must), "{must:?} missing from:\n{text}");
    }
    for (label, value) in poster.fields() {
        let words = value.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            text.contains(&words),
            "field {label} ({words:?}) not in:\n{text}"
        );
    }

    let lower = text.to_lowercase();
    for never in [
        "Zed Nickname",
        "ZZ Alias",
        "Guardian Parentname",
        "grandmother",
        "555-010-0777",
        "guardian@example.org",
        "Riverside",
        "Caseworker Workername",
        "555-010-0999",
        "caseworker@example.org",
        "foster",
        "Foster Parentname",
        "Reporter Earliername",
        "Oldtown",
        "Recoveryville",
        "motel",
        "runaway",
        "missing from care",
        "female",
        "2011",
        "blob-secret-photo-id",
        "Consent Givername",
    ] {
        assert!(
            !lower.contains(&never.to_lowercase()),
            "{never:?} leaked into:\n{text}"
        );
    }
    // Not in the text, and not hidden anywhere else in the file either (metadata, image).
    let raw = String::from_utf8_lossy(&pdf).to_lowercase();
    for never in [
        "riverside",
        "parentname",
        "workername",
        "555-010-0999",
        "gps-secret-location",
        "exif",
    ] {
        assert!(!raw.contains(never), "{never:?} is in the PDF's bytes");
    }
}

#[test]
fn the_embedded_image_is_the_photo_without_its_metadata() {
    let (child, episodes) = full_case();
    let jpeg = jpeg_with_exif("GPS-SECRET-LOCATION");
    let photo = SanitisedPhoto::sanitise(&jpeg).unwrap();
    assert_eq!((photo.width(), photo.height()), (32, 40));
    let stripped = photo.bytes().to_vec();
    assert!(jpeg.windows(4).any(|w| w == b"Exif"));
    assert!(!stripped.windows(4).any(|w| w == b"Exif"));
    assert!(stripped.len() < jpeg.len());

    let poster = PosterData::from_case("case-1", &child, &episodes, &consent(), HOTLINE, TODAY)
        .unwrap()
        .with_photo(photo);
    let doc = lopdf::Document::load_mem(&render_pdf(&poster)).unwrap();
    let image = doc
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .find(|s| s.dict.get(b"Subtype").and_then(|v| v.as_name()).ok() == Some(b"Image"))
        .expect("an image XObject");
    assert_eq!(image.dict.get(b"Width").unwrap().as_i64().unwrap(), 32);
    assert_eq!(image.dict.get(b"Height").unwrap().as_i64().unwrap(), 40);
    assert_eq!(image.content, stripped);

    // A PNG with transparency gets a soft mask, and its text chunks stay behind.
    let png = png_rgba();
    let poster = PosterData::from_case("case-1", &child, &episodes, &consent(), HOTLINE, TODAY)
        .unwrap()
        .with_photo(SanitisedPhoto::sanitise(&png).unwrap());
    let pdf = render_pdf(&poster);
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let images = doc
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .filter(|s| s.dict.get(b"Subtype").and_then(|v| v.as_name()).ok() == Some(b"Image"))
        .count();
    assert_eq!(images, 2, "the picture and its alpha mask");
    assert!(!String::from_utf8_lossy(&pdf).contains("PNG-SECRET-TEXT"));
    assert!(extract(&pdf).contains("Zoë Example-Sample"));
}

#[test]
fn bad_photos_are_refused_with_a_reason() {
    assert_eq!(
        SanitisedPhoto::sanitise(b"GIF89a..."),
        Err(PhotoError::NotJpegOrPng)
    );
    let mut truncated = jpeg_with_exif("x");
    truncated.truncate(truncated.len() / 2);
    assert!(matches!(
        SanitisedPhoto::sanitise(&truncated),
        Err(PhotoError::Damaged(_))
    ));
    let mut png = png_rgba();
    png.truncate(60);
    assert!(matches!(
        SanitisedPhoto::sanitise(&png),
        Err(PhotoError::Damaged(_))
    ));
}

#[test]
fn a_long_description_and_a_poster_without_photo_still_fit_one_page() {
    let (mut child, episodes) = full_case();
    child.description = "word ".repeat(1_500) + "LASTWORD";
    child.date_of_birth = None;
    let poster =
        PosterData::from_case("case-7", &child, &episodes, &consent(), HOTLINE, TODAY).unwrap();
    assert_eq!(poster.age_now(), None);
    let text = extract(&render_pdf(&poster));
    assert!(!text.contains("Age now"));
    assert!(!text.contains("LASTWORD"), "cut to fit");
    assert!(text.contains('…'), "and the cut is shown: {text}");
    assert!(text.contains(&format!("call {HOTLINE}")));
}

/// The synthetic names of the test, one per script the poster must print.
const NAMES: [&str; 3] = ["Nguyễn Thị Hồng", "ليلى حسن", "王小明"];

fn poster_named(name: &str, description: &str) -> PosterData {
    let (mut child, episodes) = full_case();
    child.name = name.into();
    child.description = description.into();
    PosterData::from_case(
        "case-0000042",
        &child,
        &episodes,
        &consent(),
        HOTLINE,
        TODAY,
    )
    .unwrap()
}

#[test]
fn names_in_vietnamese_arabic_and_chinese_print_and_read_back() {
    for name in NAMES {
        let poster = poster_named(name, "5 ft 2 in, brown hair");
        assert_eq!(poster.pdf_unprintable_chars(), Vec::<char>::new(), "{name}");
        let pdf = render_pdf(&poster);
        let text = extract(&pdf);
        assert!(text.contains(name), "{name:?} not in:\n{text}");
        assert!(!text.contains('?') && !text.contains('\u{FFFD}'), "{text}");
        // Subsets, not whole fonts: the CJK font alone is 3.4 MB.
        assert!(pdf.len() < 120_000, "{name}: {} bytes", pdf.len());
    }

    // All three in one description, with Latin text between them, in reading order.
    let description = format!(
        "Goes by {}, {} or {}; 5 ft 2 in.",
        NAMES[0], NAMES[1], NAMES[2]
    );
    let text = extract(&render_pdf(&poster_named("Ana Example", &description)));
    assert!(
        text.contains(&description),
        "{description:?} not in:\n{text}"
    );
}

/// Text that shaping changes most: Arabic ligatures (lam-alef) and vowel marks, Vietnamese
/// typed as a letter and combining marks, Japanese and Korean, and text in no font.
#[test]
fn shaped_text_reads_back_as_it_was_typed() {
    for name in [
        "علاء سلامة",
        "مُحَمَّد",
        "Nguye\u{302}\u{303}n Thi\u{323}",
        "さくら 김민지",
        "Zoë 李 (ليلى) 12",
    ] {
        let text = extract(&render_pdf(&poster_named(name, "")));
        assert!(text.contains(name), "{name:?} not in:\n{text}");
    }
    let poster = poster_named("Ana \u{10FFFD} Example", "");
    assert_eq!(poster.pdf_unprintable_chars(), vec!['\u{10FFFD}']);
    let text = extract(&render_pdf(&poster));
    assert!(text.contains("Ana \u{10FFFD} Example"), "{text}");
}

#[test]
fn every_font_is_an_embedded_subset_with_a_unicode_map() {
    let poster = poster_named(NAMES[1], &NAMES.join(", "));
    let pdf = render_pdf(&poster);
    assert_eq!(render_pdf(&poster), pdf, "same data, same bytes");
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let page = *doc.get_pages().values().next().unwrap();
    let fonts = doc.get_page_fonts(page).unwrap();
    // Regular and bold Latin, regular and bold Arabic (the name is bold), and CJK.
    assert_eq!(fonts.len(), 5, "{:?}", fonts.keys().collect::<Vec<_>>());
    for (name, font) in fonts {
        let name = String::from_utf8_lossy(&name).into_owned();
        assert_eq!(font.get(b"Subtype").unwrap().as_name().unwrap(), b"Type0");
        assert_eq!(
            font.get(b"Encoding").unwrap().as_name().unwrap(),
            b"Identity-H"
        );
        assert!(font.get(b"ToUnicode").is_ok(), "{name} has no ToUnicode");
        let base = font.get(b"BaseFont").unwrap().as_name().unwrap();
        assert_eq!(base[6], b'+', "{name}: a subset is tagged");
        let descendant = doc
            .dereference(&font.get(b"DescendantFonts").unwrap().as_array().unwrap()[0])
            .unwrap()
            .1
            .as_dict()
            .unwrap();
        assert_eq!(
            descendant.get(b"Subtype").unwrap().as_name().unwrap(),
            b"CIDFontType2"
        );
        let descriptor = doc
            .dereference(descendant.get(b"FontDescriptor").unwrap())
            .unwrap()
            .1
            .as_dict()
            .unwrap();
        let program = doc
            .dereference(descriptor.get(b"FontFile2").unwrap())
            .unwrap()
            .1
            .as_stream()
            .unwrap();
        let bytes = program.decompressed_content().unwrap();
        assert!(bytes.len() < 60_000, "{name}: {} bytes", bytes.len());
    }
}

/// By hand: `cargo test --release -p casework --test poster_pdf -- --ignored --nocapture`;
/// with `POSTER_PDF_DIR` set, it also writes the posters there to look at (`pdftoppm`).
#[test]
#[ignore = "a timing, run by hand"]
fn time_one_poster() {
    let description = format!(
        "Goes by {}, {} or {}. 5 ft 2 in, brown hair; a small scar above the left eyebrow.",
        NAMES[0], NAMES[1], NAMES[2]
    );
    let poster = poster_named(NAMES[1], &description)
        .with_photo(SanitisedPhoto::sanitise(&jpeg_with_exif("x")).unwrap());
    if let Ok(dir) = std::env::var("POSTER_PDF_DIR") {
        for (i, name) in NAMES.iter().enumerate() {
            let p = poster_named(name, &description);
            std::fs::write(format!("{dir}/poster-{i}.pdf"), render_pdf(&p)).unwrap();
        }
    }
    let _ = render_pdf(&poster); // the fonts are parsed once, on first use
    let n = 20;
    let start = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(render_pdf(&poster));
    }
    println!("one poster: {:?}", start.elapsed() / n);
}
