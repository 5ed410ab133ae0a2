//! A second, independent generator of escort-ad boards for scoring ad clustering on data it
//! was not tuned on (issue 17).
//!
//! Written without reading the first board generator or the clustering engine, from what the
//! research on Backpage-era trafficking ads describes (InfoShield, Lee et al. 2021;
//! Trafficking10k, Tong et al. 2017; Kejriwal's domain-specific search): short formulaic ads
//! assembled from stock phrases, and operations that reuse their phrasing, phones, names, emoji
//! and layout across cities while their text slowly drifts.
//!
//! How it is built, and how that differs from "pick a few sentences from a small pool":
//! - **A phrase grammar.** Each ad line is one of 13 kinds of sentence (greeting, "new in
//!   town", descriptor, in/out calls, call rules, hours, photos ...), each assembled from two to
//!   five slots of fragments: tens of thousands of sentences in all. Fragments are drawn with
//!   Zipf-like weights (the first of a list is the stock one), so short sentences such as "in
//!   and out calls available" are in a large share of all ads, while a long descriptor with
//!   rare fragments is nearly an operation's own.
//! - **Drift.** An operation writes its first ad, then each new ad is edited from one of its
//!   earlier ads (usually the last): a fragment redrawn, a sentence added or dropped, two lines
//!   swapped, an emoji changed, casing, punctuation, a typo, the name in leetspeak, a
//!   different line break. Ads late in a long operation can share little with its first ad;
//!   each shares most with the ad it was edited from.
//! - **Unrelated posters** write one ad (sometimes two) with the same grammar and weights, so
//!   they share stock sentences with everybody; a fifth of them paste the first lines of a
//!   popular operation's ad and add their own.
//! - **Operations** post 3 to 30 ads, with a heavy tail to a few hundred; use one to three
//!   phones, written in varied obfuscations; move along a few cities of one region over time
//!   and cross-post to a neighbouring city. A few list a shared "booking line".
//! - **Hub numbers** (a placeholder, a booking service) are in the ads of many unrelated
//!   posters; some ads carry no number at all; with `rotating`, half the operations use a fresh
//!   number in every ad, so only their text links them.
//!
//! Every number is fictional: 555-01XX with a real area code, or a number in an area code the
//! North American plan has not assigned ([`UNASSIGNED_AREA_CODES`]). Text is plain and
//! non-explicit. The truth is the operation of each ad ([`Market::operation`]); an unrelated
//! poster is an operation of its own.

use std::collections::HashSet;
use std::io::{self, Write};

use link::ads::AdRecord;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::data::{Region, AD_SITES, CITIES, EMOJI, FIRST_F};
use crate::date::{iso_time, WORLD_START};
use crate::noise::{obfuscate, typo, PhoneStyle};
use crate::util::{chance, pick, weighted, R};

/// Area codes of valid shape that the North American plan has not assigned, so a number in
/// them names nobody (and a phone library may not list them: the extractor marks them
/// unverified).
pub const UNASSIGNED_AREA_CODES: &[u16] = &[652, 653, 654, 655, 665, 674, 675, 685, 687, 688];

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarketConfig {
    /// Same seed (and crate version), same market.
    pub seed: u64,
    /// Number of ads.
    pub ads: usize,
    /// Half the operations use a fresh phone number in every ad.
    pub rotating: bool,
}

/// A generated board with its truth.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Market {
    /// The ads, in posting order.
    pub ads: Vec<AdRecord>,
    /// The operation that posted each ad (an unrelated poster is an operation of its own).
    pub operation: Vec<u32>,
    /// The ten-digit numbers written in each ad (hub numbers included).
    pub phones: Vec<Vec<u64>>,
    /// The earlier ad each ad was edited from, if any.
    pub parent: Vec<Option<u32>>,
}

impl Market {
    /// Writes `ads.jsonl`: one [`AdRecord`] a line, with the truth as `"template": "op-N"`, the
    /// field `bench/score.py` reads.
    pub fn write_jsonl(&self, out: &mut impl Write) -> io::Result<()> {
        for (ad, op) in self.ads.iter().zip(&self.operation) {
            let json = serde_json::to_string(ad).map_err(io::Error::other)?;
            // The record is an object, so its text ends with `}`: the truth goes before it and
            // the fields keep the record's own order.
            let head = json.strip_suffix('}').unwrap_or(&json);
            writeln!(out, "{head},\"template\":\"op-{op}\"}}")?;
        }
        Ok(())
    }

    /// The number of operations (unrelated posters included).
    pub fn operations(&self) -> usize {
        self.operation.iter().max().map_or(0, |m| *m as usize + 1)
    }
}

// ---------------------------------------------------------------------------------------------
// The phrase grammar.

/// A slot's fragments, the stock one first. `{name}` and `{city}` are filled when rendered.
type Slot = &'static [&'static str];

/// The kinds of sentence, each a sequence of slots.
const GRAMMAR: &[&[Slot]] = &[
    // 0 greeting
    &[
        &[
            "hey",
            "hi",
            "hello",
            "heyy",
            "hiii",
            "good morning",
            "welcome",
            "hey there",
        ],
        &[
            "gentlemen",
            "guys",
            "fellas",
            "",
            "everyone",
            "handsome",
            "love",
            "boys",
        ],
    ],
    // 1 new in town
    &[
        &[
            "new in",
            "just arrived in",
            "back in",
            "visiting",
            "only in",
            "last days in",
            "first time in",
        ],
        &["town", "{city}", "your area", "the city"],
        &[
            "",
            "for a few days",
            "this week only",
            "for the weekend",
            "until sunday",
            "on business",
        ],
    ],
    // 2 name
    &[
        &[
            "I'm",
            "my name is",
            "ask for",
            "call me",
            "it's",
            "this is",
            "they call me",
        ],
        &["{name}"],
        &[
            "",
            "your new favorite",
            "and I can't wait to meet you",
            "xo",
            "the one you've been looking for",
        ],
    ],
    // 3 descriptor
    &[
        &[
            "sweet",
            "friendly",
            "classy",
            "playful",
            "bubbly",
            "upscale",
            "exotic",
            "sassy",
            "charming",
            "fun",
            "gorgeous",
            "elegant",
            "tall",
            "curvy",
            "down to earth",
            "southern",
        ],
        &[
            "",
            "and fun",
            "and classy",
            "and discreet",
            "and easygoing",
            "and sophisticated",
        ],
        &[
            "brunette",
            "blonde",
            "redhead",
            "companion",
            "sweetheart",
            "beauty",
            "lady",
            "woman",
            "latina",
            "diva",
        ],
        &[
            "available",
            "here",
            "waiting for you",
            "ready",
            "in town",
            "visiting",
        ],
        &[
            "downtown",
            "near the airport",
            "uptown",
            "on the east side",
            "by the mall",
            "in the north end",
            "near the highway",
            "off the interstate",
            "close to the stadium",
            "near the convention center",
        ],
    ],
    // 4 in and out calls
    &[
        &[
            "in and out calls",
            "incalls and outcalls",
            "incall only",
            "outcall only",
            "incall & outcall",
            "in/out",
            "incalls",
        ],
        &["available", "", "ok", "offered", "welcome", "24/7"],
    ],
    // 5 call rules
    &[
        &[
            "no blocked numbers",
            "no private calls",
            "text first",
            "call or text",
            "text only",
            "no restricted calls",
            "no emails",
        ],
        &["please", "", "pls", "plz", "thank you", "thanks", "sorry"],
    ],
    // 6 screening
    &[
        &[
            "serious inquiries only",
            "no games",
            "no time wasters",
            "be respectful",
            "gentlemen only",
            "no drama",
            "respectful men only",
            "no rushing",
        ],
        &["", "please", "pls", "thank you"],
    ],
    // 7 hours
    &[
        &["available", "open", "here", "up"],
        &[
            "24/7",
            "all day and night",
            "late nights",
            "early mornings and late nights",
            "till 3am",
            "all weekend",
            "around the clock",
            "day and night",
        ],
    ],
    // 8 specials
    &[
        &[
            "ask about my",
            "ask about today's",
            "don't forget my",
            "check out my",
            "inquire about my",
        ],
        &[
            "specials",
            "special",
            "discounts",
            "weekday specials",
            "morning specials",
            "specials for regulars",
        ],
    ],
    // 9 place
    &[
        &[
            "clean", "safe", "private", "quiet", "discreet", "upscale", "cozy",
        ],
        &["location", "place", "spot", "room", "apartment"],
        &[
            "",
            "near the interstate",
            "by the mall",
            "off exit 12",
            "close to downtown",
            "near the airport",
            "in a safe area",
        ],
    ],
    // 10 photos
    &[
        &[
            "real pics",
            "100% real photos",
            "my pics are real",
            "recent pics",
            "pics are me",
            "all pics are mine",
        ],
        &[
            "",
            "guaranteed",
            "no surprises",
            "no fakes",
            "what you see is what you get",
        ],
    ],
    // 11 payment
    &[
        &[
            "cash only",
            "no deposits",
            "no deposit needed",
            "no checks",
            "cards accepted",
        ],
        &["", "please", "thank you"],
    ],
    // 12 closing
    &[
        &[
            "don't miss out",
            "come see me",
            "see you soon",
            "call me now",
            "let's make your day",
            "treat yourself",
            "you won't regret it",
            "make time for me",
            "kisses",
        ],
        &["", "xoxo", "babe", "love", "hun"],
    ],
];

/// How often each kind of sentence is in an ad (in and out calls and the call rules most).
const SECTION_WEIGHT: &[f64] = &[
    0.45, 0.55, 0.5, 0.6, 0.8, 0.7, 0.35, 0.4, 0.3, 0.35, 0.3, 0.2, 0.45,
];

/// The title's slots.
const TITLE: &[Slot] = &[
    &[
        "",
        "NEW",
        "new in town",
        "just arrived",
        "back in town",
        "last days",
        "available now",
        "visiting",
    ],
    &["{name}", "", "{name}"],
    &[
        "sweet", "classy", "fun", "friendly", "upscale", "exotic", "sassy", "gorgeous", "charming",
        "bubbly",
    ],
    &[
        "brunette",
        "blonde",
        "companion",
        "beauty",
        "lady",
        "redhead",
        "diva",
    ],
    &[
        "",
        "available now",
        "in {city}",
        "incall/outcall",
        "24/7",
        "specials",
        "today only",
        "in town",
    ],
];

/// Stage names beside the common first names: boards are full of both.
const STAGE_NAMES: &[&str] = &[
    "Jasmine", "Candy", "Honey", "Star", "Diamond", "Crystal", "Angel", "Destiny", "Cherry",
    "Mercedes", "Paris", "Ginger", "Roxy", "Bella", "Lola", "Coco", "Skye", "Raven", "Luna",
    "Scarlett", "Amber", "Brandy", "Essence", "Unique", "Precious", "Sapphire", "Jade", "Kiki",
    "Mia", "Nina", "Tiana", "Bambi", "Summer", "Autumn", "Velvet", "Sasha", "Peaches", "Dior",
];

/// Emoji beyond the shared table, as boards use them.
const MORE_EMOJI: &[&str] = &[
    "💖", "💜", "💙", "🌷", "🍓", "🌴", "☀️", "🌈", "🥂", "💗", "❣️", "🌟", "😘", "🍑", "🌻",
];

/// Words in front of a number.
const PHONE_PREFIX: &[&str] = &[
    "",
    "call ",
    "text ",
    "📞 ",
    "☎️ ",
    "call/text ",
    "txt me ",
    "hmu ",
    "📱 ",
    "call me at ",
];

/// Separators between lines of the body.
const SEPARATORS: &[&str] = &["\n", "\n\n", " ", " ~ ", " | ", " • ", "... ", " *** "];

/// Line endings.
const PUNCT: &[&str] = &["", "!", "!!", ".", "...", " !!!", "~", " :)"];

/// A Zipf-like weight for the fragment of a given rank: the stock fragment is drawn most,
/// rare fragments seldom.
fn zipf(r: &mut R, n: usize) -> u8 {
    const S: f64 = 1.1;
    let weights: Vec<f64> = (0..n).map(|i| 1.0 / ((i + 1) as f64).powf(S)).collect();
    weighted(r, &weights) as u8
}

fn all_emoji() -> impl Iterator<Item = &'static str> {
    EMOJI.iter().chain(MORE_EMOJI).copied()
}

fn emoji_at(i: u8) -> &'static str {
    all_emoji()
        .nth(usize::from(i) % (EMOJI.len() + MORE_EMOJI.len()))
        .unwrap_or("✨")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    AsIs,
    Lower,
    Upper,
    Title,
}

const CASES: &[Case] = &[Case::AsIs, Case::Lower, Case::Upper, Case::Title];

/// One sentence of an ad: its kind, the fragment in each slot and how it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Line {
    kind: u8,
    frags: [u8; 5],
    case: Case,
    punct: u8,
    /// A typo in one word, chosen by this seed.
    typo: Option<u32>,
}

impl Line {
    fn slots(&self) -> &'static [Slot] {
        GRAMMAR
            .get(usize::from(self.kind))
            .copied()
            .unwrap_or(TITLE)
    }

    fn fresh(r: &mut R, kind: u8, case: Case) -> Line {
        let slots = GRAMMAR.get(usize::from(kind)).copied().unwrap_or(TITLE);
        let mut frags = [0u8; 5];
        for (f, s) in frags.iter_mut().zip(slots) {
            *f = zipf(r, s.len());
        }
        Line {
            kind,
            frags,
            case,
            punct: if chance(r, 0.5) {
                0
            } else {
                zipf(r, PUNCT.len())
            },
            typo: None,
        }
    }
}

/// The kind number the title uses in [`Line::kind`].
const TITLE_KIND: u8 = 255;

/// How a name is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NameStyle {
    Plain,
    Upper,
    Leet,
    Spaced,
    Stars,
}

const NAME_STYLES: &[NameStyle] = &[
    NameStyle::Plain,
    NameStyle::Upper,
    NameStyle::Leet,
    NameStyle::Spaced,
    NameStyle::Stars,
];

fn write_name(name: &str, style: NameStyle) -> String {
    match style {
        NameStyle::Plain => name.to_string(),
        NameStyle::Upper => name.to_uppercase(),
        NameStyle::Leet => name
            .chars()
            .map(|c| match c {
                'a' => '4',
                'e' => '3',
                'i' => '1',
                'o' => '0',
                's' => '$',
                c => c,
            })
            .collect(),
        NameStyle::Spaced => name
            .chars()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(" "),
        NameStyle::Stars => format!("*{name}*"),
    }
}

/// Where emoji go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Deco {
    None,
    /// Around the title.
    Title,
    /// At the start of every line.
    Bullets,
    /// At the end of some lines.
    Ends,
}

const DECOS: &[Deco] = &[Deco::Title, Deco::Bullets, Deco::Ends, Deco::None];

/// Ways of writing a number beyond the shared [`PhoneStyle`]s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Writing {
    Style(PhoneStyle),
    /// `212/555/0147`.
    Slashes,
    /// Mathematical bold digits, which NFKC folds to ASCII.
    Bold,
    /// Digit pairs with a space: `21 25 55 01 47`.
    Pairs,
}

/// Everything an ad is made of before it is written out.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Draft {
    title: Line,
    lines: Vec<Line>,
    emoji: Vec<u8>,
    deco: Deco,
    sep: u8,
    alias: u8,
    name_style: NameStyle,
    /// Where the number goes: 0 title, 1 first line, 2 last line, 3 after the name line.
    phone_at: u8,
    prefix: u8,
    /// Which of the operation's phones this ad gives.
    phone: u8,
}

/// The signature an operation keeps from ad to ad.
struct Style {
    aliases: Vec<&'static str>,
    case: Case,
    writings: Vec<Writing>,
}

fn fresh_draft(r: &mut R, style: &Style) -> Draft {
    let mut kinds: Vec<u8> = (0..GRAMMAR.len() as u8)
        .filter(|k| chance(r, SECTION_WEIGHT[usize::from(*k)]))
        .collect();
    while kinds.len() < 3 {
        let k = r.gen_range(0..GRAMMAR.len() as u8);
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    kinds.sort_unstable();
    // A poster's own order: mostly the usual one, with a line or two moved.
    for _ in 0..r.gen_range(0..3) {
        let i = r.gen_range(0..kinds.len());
        let j = r.gen_range(0..kinds.len());
        kinds.swap(i, j);
    }
    let lines = kinds
        .into_iter()
        .map(|k| {
            let case = if chance(r, 0.85) {
                style.case
            } else {
                pick(r, CASES)
            };
            Line::fresh(r, k, case)
        })
        .collect();
    let n_emoji = r.gen_range(0..4);
    let total = (EMOJI.len() + MORE_EMOJI.len()) as u8;
    Draft {
        title: Line::fresh(r, TITLE_KIND, style.case),
        lines,
        emoji: (0..n_emoji).map(|_| r.gen_range(0..total)).collect(),
        deco: if n_emoji == 0 {
            Deco::None
        } else {
            pick(r, DECOS)
        },
        sep: zipf(r, SEPARATORS.len()),
        alias: 0,
        name_style: if chance(r, 0.7) {
            NameStyle::Plain
        } else {
            pick(r, NAME_STYLES)
        },
        phone_at: r.gen_range(0..4),
        prefix: zipf(r, PHONE_PREFIX.len()),
        phone: 0,
    }
}

/// One small edit, as a poster makes when reposting.
fn edit(r: &mut R, d: &mut Draft, style: &Style, phones: usize) {
    let total = (EMOJI.len() + MORE_EMOJI.len()) as u8;
    let n = d.lines.len();
    let i = r.gen_range(0..n.max(1));
    match weighted(
        r,
        &[
            25.0, 9.0, 9.0, 8.0, 10.0, 8.0, 6.0, 6.0, 7.0, 4.0, 6.0, 3.0, 4.0,
        ],
    ) {
        0 => {
            if let Some(line) = d.lines.get_mut(i) {
                let slots = line.slots();
                let s = r.gen_range(0..slots.len());
                line.frags[s] = zipf(r, slots[s].len());
            }
        }
        1 => {
            let k = r.gen_range(0..GRAMMAR.len() as u8);
            if d.lines.iter().all(|l| l.kind != k) {
                let at = r.gen_range(0..=n);
                d.lines.insert(at, Line::fresh(r, k, style.case));
            }
        }
        2 => {
            if n > 3 {
                d.lines.remove(i);
            }
        }
        3 => {
            if n > 1 {
                let j = (i + 1) % n;
                d.lines.swap(i, j);
            }
        }
        4 => {
            if d.emoji.is_empty() || chance(r, 0.3) {
                d.emoji.push(r.gen_range(0..total));
                if d.deco == Deco::None {
                    d.deco = pick(r, DECOS);
                }
            } else {
                let j = r.gen_range(0..d.emoji.len());
                d.emoji[j] = r.gen_range(0..total);
            }
        }
        5 => {
            if let Some(line) = d.lines.get_mut(i) {
                line.punct = r.gen_range(0..PUNCT.len() as u8);
            }
        }
        6 => {
            if let Some(line) = d.lines.get_mut(i) {
                line.case = pick(r, CASES);
            }
        }
        7 => {
            if let Some(line) = d.lines.get_mut(i) {
                line.typo = if line.typo.is_some() && chance(r, 0.5) {
                    None
                } else {
                    Some(r.gen())
                };
            }
        }
        8 => {
            if chance(r, 0.5) {
                d.name_style = pick(r, NAME_STYLES);
            } else {
                d.alias = r.gen_range(0..style.aliases.len() as u8);
            }
        }
        9 => d.sep = r.gen_range(0..SEPARATORS.len() as u8),
        10 => {
            let s = r.gen_range(0..TITLE.len());
            d.title.frags[s] = zipf(r, TITLE[s].len());
        }
        11 => d.phone_at = r.gen_range(0..4),
        _ => {
            d.prefix = r.gen_range(0..PHONE_PREFIX.len() as u8);
            d.phone = r.gen_range(0..phones.max(1) as u8);
        }
    }
}

fn cased(text: &str, case: Case) -> String {
    match case {
        Case::AsIs => text.to_string(),
        Case::Lower => text.to_lowercase(),
        Case::Upper => text.to_uppercase(),
        Case::Title => text
            .split(' ')
            .map(|w| {
                let mut c = w.chars();
                match c.next() {
                    Some(f) => f.to_uppercase().chain(c).collect(),
                    None => String::new(),
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// A line as written; `{name}` and `{city}` are filled after the casing so the name keeps
/// its own style.
fn render_line(line: &Line, name: &str, city: &str) -> String {
    let words: Vec<&str> = line
        .slots()
        .iter()
        .zip(line.frags)
        .map(|(s, f)| s.get(usize::from(f)).copied().unwrap_or(""))
        .filter(|w| !w.is_empty())
        .collect();
    let mut text = cased(&words.join(" "), line.case);
    if let Some(seed) = line.typo {
        let mut tr = ChaCha8Rng::seed_from_u64(u64::from(seed));
        let mut ws: Vec<String> = text.split(' ').map(str::to_string).collect();
        let candidates: Vec<usize> = (0..ws.len())
            .filter(|i| ws[*i].len() >= 4 && !ws[*i].contains('{'))
            .collect();
        if !candidates.is_empty() {
            let w = candidates[tr.gen_range(0..candidates.len())];
            ws[w] = typo(&mut tr, &ws[w]);
        }
        text = ws.join(" ");
    }
    // The casing may have changed the placeholders' letters.
    for p in ["{name}", "{NAME}", "{Name}"] {
        text = text.replace(p, name);
    }
    for p in ["{city}", "{CITY}", "{City}"] {
        text = text.replace(p, city);
    }
    text.push_str(PUNCT.get(usize::from(line.punct)).copied().unwrap_or(""));
    text
}

fn write_phone(r: &mut R, n: u64, w: Writing) -> String {
    let s = format!("{n:010}");
    match w {
        Writing::Style(style) => obfuscate(r, n, style),
        Writing::Slashes => format!("{}/{}/{}", &s[..3], &s[3..6], &s[6..]),
        Writing::Bold => s
            .chars()
            .map(|c| {
                let d = c.to_digit(10).unwrap_or(0);
                char::from_u32(0x1D7CE + d).unwrap_or(c)
            })
            .collect(),
        Writing::Pairs => s
            .as_bytes()
            .chunks(2)
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// Writes the ad: title and body.
fn render(r: &mut R, d: &Draft, style: &Style, city: &str, phones: &[u64]) -> (String, String) {
    let alias = style
        .aliases
        .get(usize::from(d.alias))
        .or(style.aliases.first())
        .copied()
        .unwrap_or("Jasmine");
    let name = write_name(alias, d.name_style);
    let emoji: Vec<&str> = d.emoji.iter().map(|e| emoji_at(*e)).collect();
    let mut title = render_line(&d.title, &name, city);
    title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    if d.deco == Deco::Title {
        if let Some(e) = emoji.first() {
            title = format!("{e} {title} {e}");
        }
    }
    let mut lines: Vec<String> = d
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let text = render_line(l, &name, city);
            match (d.deco, emoji.is_empty()) {
                (Deco::Bullets, false) => format!("{} {text}", emoji[i % emoji.len()]),
                (Deco::Ends, false) if i % 2 == 0 => format!("{text} {}", emoji[i % emoji.len()]),
                _ => text,
            }
        })
        .collect();
    let written: Vec<String> = phones
        .iter()
        .map(|n| {
            let w = if chance(r, 0.85) {
                pick(r, &style.writings)
            } else {
                any_writing(r)
            };
            let prefix = PHONE_PREFIX
                .get(usize::from(d.prefix))
                .copied()
                .unwrap_or("");
            format!("{prefix}{}", write_phone(r, *n, w))
        })
        .collect();
    if !written.is_empty() {
        let phone_text = written.join(" or ");
        match d.phone_at {
            0 => title = format!("{title} {phone_text}"),
            1 => lines.insert(0, phone_text),
            3 => {
                let at = d
                    .lines
                    .iter()
                    .position(|l| l.kind == 2)
                    .map_or(lines.len(), |p| p + 1);
                lines.insert(at, phone_text);
            }
            _ => lines.push(phone_text),
        }
    }
    let sep = SEPARATORS.get(usize::from(d.sep)).copied().unwrap_or("\n");
    (title, lines.join(sep))
}

fn any_writing(r: &mut R) -> Writing {
    match r.gen_range(0..20) {
        0 => Writing::Slashes,
        1 => Writing::Bold,
        2 => Writing::Pairs,
        _ => Writing::Style(pick(r, PhoneStyle::ALL)),
    }
}

// ---------------------------------------------------------------------------------------------
// Numbers.

/// Hands out numbers no one else has used, so only deliberate sharing links ads.
struct Numbers {
    used: HashSet<u64>,
}

impl Numbers {
    fn fresh(&mut self, r: &mut R, city: usize) -> u64 {
        for _ in 0..8 {
            let n = if chance(r, 0.35) {
                let npa = u64::from(pick(r, CITIES[city].area_codes));
                npa * 10_000_000 + 5_550_100 + r.gen_range(0..100)
            } else {
                let npa = u64::from(pick(r, UNASSIGNED_AREA_CODES));
                let nxx = loop {
                    let x: u64 = r.gen_range(200..1000);
                    if x % 100 != 11 && x != 555 {
                        break x;
                    }
                };
                npa * 10_000_000 + nxx * 10_000 + r.gen_range(0..10_000)
            };
            if self.used.insert(n) {
                return n;
            }
        }
        // Eight collisions in a row only happen when the 555-01XX lines are nearly used up;
        // the unassigned codes hold eight million numbers.
        loop {
            let npa = u64::from(pick(r, UNASSIGNED_AREA_CODES));
            let n = npa * 10_000_000 + r.gen_range(2_000_000..10_000_000);
            if (n / 10_000) % 100 != 11 && self.used.insert(n) {
                return n;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The market.

/// One ad before the board is put in posting order.
struct Posted {
    op: u32,
    /// Seconds since the board opened.
    at: u64,
    city: usize,
    site: usize,
    title: String,
    body: String,
    phones: Vec<u64>,
    /// Index into the posted list.
    parent: Option<usize>,
}

/// How many ads an operation posts: mostly 3 to 30, spread evenly on a log scale, and a heavy
/// tail of busy operations with a few hundred.
fn op_size(r: &mut R, cap: usize) -> usize {
    let n = if chance(r, 0.92) {
        (3f64 * 10f64.powf(r.gen::<f64>())).round() as usize
    } else {
        // Pareto with alpha 1.3 from 30.
        let u: f64 = r.gen_range(1e-6..1.0);
        (30.0 / u.powf(1.0 / 1.3)).round() as usize
    };
    n.clamp(3, cap.max(3))
}

const DAY: u64 = 86_400;
/// The board's span.
const BOARD_DAYS: u64 = 730;

/// Cities along which an operation moves: one to four in one region.
fn route(r: &mut R) -> Vec<usize> {
    let start = r.gen_range(0..CITIES.len());
    let region: Region = CITIES[start].region;
    let near: Vec<usize> = (0..CITIES.len())
        .filter(|c| CITIES[*c].region == region && *c != start)
        .collect();
    let mut out = vec![start];
    for _ in 0..r.gen_range(0..4) {
        if let Some(c) = near.get(r.gen_range(0..near.len().max(1))) {
            if !out.contains(c) {
                out.push(*c);
            }
        }
    }
    out
}

fn aliases(r: &mut R) -> Vec<&'static str> {
    let n = weighted(r, &[0.6, 0.3, 0.1]) + 1;
    (0..n)
        .map(|_| {
            if chance(r, 0.5) {
                STAGE_NAMES[usize::from(zipf(r, STAGE_NAMES.len()))]
            } else {
                pick(r, FIRST_F)
            }
        })
        .collect()
}

fn style(r: &mut R) -> Style {
    let mut writings = vec![Writing::Style(pick(r, &PHONE_STYLES_COMMON))];
    if chance(r, 0.5) {
        writings.push(any_writing(r));
    }
    Style {
        aliases: aliases(r),
        case: CASES[weighted(r, &[0.55, 0.2, 0.1, 0.15])],
        writings,
    }
}

/// The ways most ads write a number; the rest are rarer.
const PHONE_STYLES_COMMON: [PhoneStyle; 6] = [
    PhoneStyle::Dashes,
    PhoneStyle::Dots,
    PhoneStyle::Parens,
    PhoneStyle::Spaced,
    PhoneStyle::LetterO,
    PhoneStyle::EmojiBetween,
];

/// Generates a board of `cfg.ads` ads. The same config always gives the same market.
pub fn generate(cfg: &MarketConfig) -> Market {
    let mut r = ChaCha8Rng::seed_from_u64(cfg.seed);
    r.set_stream(0x4d41_524b_4554); // "MARKET": apart from the world's streams
    let mut numbers = Numbers {
        used: HashSet::new(),
    };
    let hubs: Vec<u64> = (0..3 + cfg.ads / 5_000)
        .map(|_| numbers.fresh(&mut r, 0))
        .collect();
    let mut posted: Vec<Posted> = Vec::with_capacity(cfg.ads);
    // Drafts of the operations' ads, for the unrelated posters who copy from them.
    let mut popular: Vec<(Draft, usize)> = Vec::new();
    let op_budget = cfg.ads * 7 / 10;
    let cap = (cfg.ads / 8).clamp(3, 400);
    let mut op = 0u32;
    while posted.len() + 3 <= op_budget {
        let size = op_size(&mut r, cap).min(op_budget - posted.len());
        operation(
            &mut r,
            cfg,
            op,
            size,
            &hubs,
            &mut numbers,
            &mut posted,
            &mut popular,
        );
        op += 1;
    }
    while posted.len() < cfg.ads {
        let two = chance(&mut r, 0.08) && posted.len() + 2 <= cfg.ads;
        poster(&mut r, op, two, &hubs, &mut numbers, &popular, &mut posted);
        op += 1;
    }

    let mut order: Vec<usize> = (0..posted.len()).collect();
    order.sort_by_key(|i| (posted[*i].at, *i));
    let mut rank = vec![0u32; posted.len()];
    for (k, i) in order.iter().enumerate() {
        rank[*i] = k as u32;
    }
    let mut market = Market {
        ads: Vec::with_capacity(posted.len()),
        operation: Vec::with_capacity(posted.len()),
        phones: Vec::with_capacity(posted.len()),
        parent: Vec::with_capacity(posted.len()),
    };
    for (k, i) in order.into_iter().enumerate() {
        let p = &mut posted[i];
        let city = &CITIES[p.city];
        let site = AD_SITES[p.site % AD_SITES.len()];
        let day = WORLD_START + (p.at / DAY) as i32;
        let slug: String = city
            .name
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        market.ads.push(AdRecord {
            id: format!("mk-{k:07}"),
            site: Some(site.to_string()),
            url: Some(format!("https://{site}/{slug}/ad/{}", 5_000_000 + k * 3)),
            posted_at: Some(iso_time(day, (p.at % DAY) as u32)),
            city: Some(city.name.to_string()),
            state: Some(city.state.to_string()),
            title: std::mem::take(&mut p.title),
            body: std::mem::take(&mut p.body),
            image_hashes: Vec::new(),
        });
        market.operation.push(p.op);
        market.phones.push(std::mem::take(&mut p.phones));
        market.parent.push(p.parent.map(|j| rank[j]));
    }
    market
}

/// An operation's ads, each edited from one of its earlier ones.
#[allow(clippy::too_many_arguments)]
fn operation(
    r: &mut R,
    cfg: &MarketConfig,
    op: u32,
    size: usize,
    hubs: &[u64],
    numbers: &mut Numbers,
    posted: &mut Vec<Posted>,
    popular: &mut Vec<(Draft, usize)>,
) {
    let st = style(r);
    let cities = route(r);
    let rotating = cfg.rotating && chance(r, 0.5);
    let n_phones = weighted(r, &[0.6, 0.3, 0.1]) + 1;
    let own: Vec<u64> = (0..n_phones).map(|_| numbers.fresh(r, cities[0])).collect();
    let booking = if chance(r, 0.04) {
        Some(pick(r, hubs))
    } else {
        None
    };
    let sites = [
        r.gen_range(0..AD_SITES.len()),
        r.gen_range(0..AD_SITES.len()),
    ];
    let start = r.gen_range(0..BOARD_DAYS * 3 / 4) * DAY;
    // Busy operations post several times a day; small ones every few days.
    let gap = if size > 60 { DAY / 3 } else { DAY * 2 };
    let first = posted.len();
    let mut drafts: Vec<Draft> = Vec::with_capacity(size);
    let mut at = start + r.gen_range(0..DAY);
    for k in 0..size {
        let (draft, parent) = if k == 0 {
            let mut d = fresh_draft(r, &st);
            d.phone = r.gen_range(0..n_phones as u8);
            (d, None)
        } else {
            // Usually the last ad, sometimes an older one: a poster keeps a few versions.
            let j = if chance(r, 0.6) {
                k - 1
            } else {
                r.gen_range(0..k)
            };
            let mut d = drafts[j].clone();
            let edits = weighted(r, &[0.15, 0.4, 0.25, 0.12, 0.08]);
            for _ in 0..edits {
                edit(r, &mut d, &st, n_phones);
            }
            (d, Some(first + j))
        };
        // The route is walked in order, a leg for each share of the ads; one ad in ten is
        // cross-posted to another city of the route at the same time.
        let leg = k * cities.len() / size;
        let cross = k > 0 && chance(r, 0.1) && cities.len() > 1;
        let city = if cross { pick(r, &cities) } else { cities[leg] };
        if !cross {
            at += r.gen_range(gap / 4..gap * 2);
        }
        let mut phones = Vec::new();
        if !chance(r, 0.04) {
            if rotating {
                phones.push(numbers.fresh(r, city));
            } else {
                phones.push(own[usize::from(draft.phone) % own.len()]);
                if n_phones > 1 && chance(r, 0.15) {
                    let other = own[(usize::from(draft.phone) + 1) % own.len()];
                    phones.push(other);
                }
            }
            if let Some(b) = booking {
                if chance(r, 0.4) {
                    phones.push(b);
                }
            }
        }
        let (title, body) = render(r, &draft, &st, CITIES[city].name, &phones);
        posted.push(Posted {
            op,
            at,
            city,
            site: sites[usize::from(chance(r, 0.2))],
            title,
            body,
            phones,
            parent,
        });
        drafts.push(draft);
    }
    if size >= 10 {
        // One of its ads for copiers, the more likely the busier the operation.
        for _ in 0..size / 10 {
            let k = r.gen_range(0..drafts.len());
            popular.push((drafts[k].clone(), posted[first + k].city));
        }
    }
}

/// An unrelated poster: one ad (or two, the second edited from the first), from the same
/// grammar, sometimes pasting the first lines of a popular operation's ad.
fn poster(
    r: &mut R,
    op: u32,
    two: bool,
    hubs: &[u64],
    numbers: &mut Numbers,
    popular: &[(Draft, usize)],
    posted: &mut Vec<Posted>,
) {
    let st = style(r);
    let mut d = fresh_draft(r, &st);
    let mut city = r.gen_range(0..CITIES.len());
    if !popular.is_empty() && chance(r, 0.2) {
        let (src, src_city) = &popular[r.gen_range(0..popular.len())];
        let keep = r.gen_range(1..=3).min(src.lines.len());
        let mut lines = src.lines[..keep].to_vec();
        let own: Vec<Line> = d
            .lines
            .iter()
            .filter(|l| lines.iter().all(|c| c.kind != l.kind))
            .take(r.gen_range(1..4))
            .cloned()
            .collect();
        lines.extend(own);
        d.lines = lines;
        if chance(r, 0.5) {
            d.title = src.title.clone();
        }
        if chance(r, 0.5) {
            city = *src_city;
        }
    }
    let phones = if chance(r, 0.1) {
        Vec::new()
    } else if chance(r, 0.08) {
        vec![pick(r, hubs)]
    } else {
        vec![numbers.fresh(r, city)]
    };
    let at = r.gen_range(0..BOARD_DAYS * DAY);
    let site = r.gen_range(0..AD_SITES.len());
    let (title, body) = render(r, &d, &st, CITIES[city].name, &phones);
    let first = posted.len();
    posted.push(Posted {
        op,
        at,
        city,
        site,
        title,
        body,
        phones: phones.clone(),
        parent: None,
    });
    if two {
        edit(r, &mut d, &st, 1);
        let (title, body) = render(r, &d, &st, CITIES[city].name, &phones);
        posted.push(Posted {
            op,
            at: at + r.gen_range(DAY..DAY * 20),
            city,
            site,
            title,
            body,
            phones,
            parent: Some(first),
        });
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn market(seed: u64, ads: usize, rotating: bool) -> Market {
        generate(&MarketConfig {
            seed,
            ads,
            rotating,
        })
    }

    #[test]
    fn same_seed_same_market() {
        let a = market(3, 2_000, true);
        assert_eq!(a, market(3, 2_000, true));
        assert_eq!(a.ads.len(), 2_000);
        assert_ne!(a.ads, market(4, 2_000, true).ads);
    }

    fn words(s: &str) -> HashSet<String> {
        s.split(|c: char| !c.is_alphanumeric() && c != '\'')
            .filter(|w| w.len() > 1)
            .map(str::to_lowercase)
            .collect()
    }

    fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
        let inter = a.intersection(b).count() as f64;
        inter / ((a.len() + b.len()) as f64 - inter).max(1.0)
    }

    #[test]
    fn operations_keep_their_phones_and_drift_from_their_own_ads() {
        let m = market(11, 6_000, false);
        let mut ops: HashMap<u32, Vec<usize>> = HashMap::new();
        for (i, op) in m.operation.iter().enumerate() {
            ops.entry(*op).or_default().push(i);
        }
        let sizes: Vec<usize> = ops.values().map(Vec::len).collect();
        let busy = sizes.iter().filter(|s| **s >= 3).count();
        assert!(busy >= 60, "{busy} operations of 3 ads or more");
        assert!(
            sizes.iter().any(|s| *s > 100),
            "a busy operation with over 100 ads"
        );
        // With fixed phones, an operation of 3+ ads uses at most 3 numbers of its own plus a
        // booking line.
        let mut owner: HashMap<u64, HashSet<u32>> = HashMap::new();
        for (i, ps) in m.phones.iter().enumerate() {
            for p in ps {
                owner.entry(*p).or_default().insert(m.operation[i]);
            }
        }
        for (op, ads) in &ops {
            let mine: HashSet<u64> = ads
                .iter()
                .flat_map(|i| m.phones[*i].iter().copied())
                .filter(|p| owner[p].len() == 1)
                .collect();
            if ads.len() >= 3 {
                assert!(mine.len() <= 3, "op {op} uses {} numbers", mine.len());
            }
        }
        let hubs = owner.values().filter(|o| o.len() > 1).count();
        assert!(hubs >= 2, "{hubs} numbers shared by unrelated posters");
        // Each edited ad is of its parent's operation, later, and close to it in words.
        let mut sims = Vec::new();
        for (i, p) in m.parent.iter().enumerate() {
            if let Some(p) = p {
                let p = *p as usize;
                assert!(p < i, "parent {p} posted before {i}");
                assert_eq!(m.operation[p], m.operation[i]);
                let (a, b) = (&m.ads[i], &m.ads[p]);
                sims.push(jaccard(
                    &words(&format!("{} {}", a.title, a.body)),
                    &words(&format!("{} {}", b.title, b.body)),
                ));
            }
        }
        let mean = sims.iter().sum::<f64>() / sims.len() as f64;
        assert!(mean > 0.6, "mean word similarity to the parent ad {mean}");
        // Unrelated posters are most operations but fewer than half the ads.
        let singles = sizes.iter().filter(|s| **s <= 2).count();
        assert!(singles > ops.len() / 2);
        assert!(sizes.iter().filter(|s| **s <= 2).sum::<usize>() < m.ads.len() / 2);
    }

    #[test]
    fn rotating_operations_never_repeat_a_number() {
        let m = market(5, 4_000, true);
        let mut ops: HashMap<u32, Vec<usize>> = HashMap::new();
        for (i, op) in m.operation.iter().enumerate() {
            ops.entry(*op).or_default().push(i);
        }
        let mut count: HashMap<u64, usize> = HashMap::new();
        for p in m.phones.iter().flatten() {
            *count.entry(*p).or_default() += 1;
        }
        let mut rotating = 0;
        let mut fixed = 0;
        for ads in ops.values().filter(|a| a.len() >= 5) {
            let once = ads
                .iter()
                .flat_map(|i| m.phones[*i].iter())
                .filter(|p| count[*p] == 1)
                .count();
            if once * 10 >= ads.len() * 8 {
                rotating += 1;
            } else {
                fixed += 1;
            }
        }
        assert!(
            rotating >= 10 && fixed >= 10,
            "{rotating} rotating, {fixed} fixed"
        );
    }

    /// Every phone-shaped number the extractor finds is fictional: 555-01XX, or in an area
    /// code that is not assigned. And the extractor finds the numbers the truth says are there.
    #[test]
    fn every_number_is_fictional_and_found() {
        let x = extract::Extractor::new();
        let m = market(7, 3_000, true);
        let (mut given, mut found) = (0usize, 0usize);
        for (ad, truth) in m.ads.iter().zip(&m.phones) {
            let seen: HashSet<String> = x
                .extract(&ad.text())
                .into_iter()
                .filter(|e| e.kind == extract::EntityKind::Phone)
                .map(|e| e.value)
                .collect();
            for p in &seen {
                let d = p.strip_prefix("+1").unwrap_or("");
                assert_eq!(d.len(), 10, "{p} in {ad:?}");
                let npa: u16 = d[..3].parse().unwrap_or(0);
                let fictional = &d[3..8] == "55501" || UNASSIGNED_AREA_CODES.contains(&npa);
                assert!(fictional, "{p} in {ad:?}");
            }
            given += truth.len();
            found += truth
                .iter()
                .filter(|n| seen.contains(&format!("+1{n:010}")))
                .count();
        }
        assert!(
            found as f64 >= given as f64 * 0.9,
            "extractor found {found} of {given} numbers"
        );
    }

    #[test]
    fn text_stays_plain() {
        const DENY: &[&str] = &[
            "sex",
            "sexy",
            "nude",
            "naked",
            "porn",
            "xxx",
            "fetish",
            "bdsm",
            "oral",
            "bbbj",
            "gfe",
            "young",
            "teen",
            "barely",
            "schoolgirl",
            "underage",
        ];
        let m = market(9, 3_000, false);
        for ad in &m.ads {
            for w in words(&ad.text()) {
                assert!(!DENY.contains(&w.as_str()), "{w} in {ad:?}");
            }
        }
    }

    #[test]
    fn jsonl_lines_are_ad_records_with_the_truth() {
        let m = market(2, 50, false);
        let mut out = Vec::new();
        assert!(m.write_jsonl(&mut out).is_ok());
        let text = String::from_utf8(out).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 50);
        for (line, (ad, op)) in lines.iter().zip(m.ads.iter().zip(&m.operation)) {
            let back: AdRecord = serde_json::from_str(line).unwrap_or_default();
            assert_eq!(&back, ad);
            let v: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
            assert_eq!(v["template"], format!("op-{op}"));
        }
    }
}
