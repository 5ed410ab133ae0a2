//! Deterministic generator of labelled synthetic texts (ad-like and
//! narrative-like) with planted phone numbers and email addresses in many
//! obfuscation styles, mixed with distractors (money, dates, ages, zip codes,
//! times, order and tracking numbers). Shared by the quality tests and the
//! throughput bench (included with `#[path]`).
//!
//! All planted numbers are fictional: real area codes with the 555-01XX
//! exchange and line reserved for fiction. All text is plain and non-explicit.
#![allow(dead_code)]

use std::ops::Range;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A generated text and what was planted in it.
pub struct Doc {
    pub text: String,
    /// (E.164, byte span in `text`).
    pub phones: Vec<(String, Range<usize>)>,
    /// (lower-case address, byte span in `text`).
    pub emails: Vec<(String, Range<usize>)>,
}

pub struct Synth {
    rng: ChaCha8Rng,
}

const AREA_CODES: &[&str] = &[
    "212", "213", "214", "312", "404", "415", "469", "504", "602", "617", "702", "713", "786",
    "818", "832", "901", "917", "972", "206", "303",
];

const WORDS: &[&str] = &[
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];

const EMOJI: &[&str] = &["⭐", "🌸", "📞", "✨", "💖", "🔥", "☎️", "👉", "🌹"];

const NAMES: &[&str] = &[
    "jane", "ashley", "mia", "kay", "lola", "sunny", "star", "jade", "rose", "nina", "tasha",
    "brit", "coco", "dee", "ella",
];

const DOMAINS: &[(&str, &str)] = &[
    ("example", "com"),
    ("example", "org"),
    ("mail.example", "net"),
    ("bluemail", "com"),
    ("fastpost", "net"),
    ("quickmail", "io"),
    ("inbox-demo", "com"),
    ("letters", "co"),
];

const CITIES: &[&str] = &[
    "Dallas, TX",
    "Houston, TX",
    "Atlanta, GA",
    "Las Vegas, NV",
    "Portland, OR",
    "Miami, FL",
    "Phoenix, AZ",
    "Denver, CO",
    "Fort Wayne, IN",
    "Portland, ME",
];

const FILLER_AD: &[&str] = &[
    "new in town",
    "available now",
    "sweet and friendly",
    "visiting this week only",
    "no games",
    "serious inquiries only",
    "text first",
    "outcalls and incalls",
    "ask for details",
    "upscale and discreet",
    "just arrived",
    "last night in town",
];

const FILLER_NARR: &[&str] = &[
    "The reporter states that the youth appeared frightened.",
    "A caseworker noticed a change in behavior and new friends.",
    "The youth was seen with an older male who spoke for her.",
    "School staff said she has been missing from care twice this month.",
    "The caller saw hotel keys and several phones in her bag.",
    "She mentioned traveling to other cities with a boyfriend.",
    "The tip came from a store clerk near the truck stop.",
    "No ID was found; the adult held her documents.",
];

/// Lines of "new in town" ads, in the generic wording the `synth` crate uses.
const AD_LINES: &[&str] = &[
    "Hi, new in town and looking to meet new people",
    "Friendly and easy going",
    "No blocked numbers",
    "Available day and night",
    "Serious inquiries only",
    "Here for a short time only",
    "Hotel visits only",
    "Quick replies to texts",
    "Read my whole ad before texting",
    "Ask about my friend",
    "Don't miss out",
    "Upscale and discreet",
];

/// Lines of ordinary classifieds, the large background of any ad site.
const BENIGN_LINES: &[&str] = &[
    "Selling my couch, good condition, pick up only.",
    "Smoke free home, no holds.",
    "Moving sale, everything must go this weekend.",
    "Like new, barely used, cash only.",
    "Tutoring in math and reading for all grades.",
    "Room for rent near the bus line, utilities included.",
    "Part time help wanted, flexible hours.",
    "Bike in great shape, new tires last spring.",
    "Serious buyers only please.",
];

const PLATFORM_NAMES: &[&str] = &["Snapchat", "Instagram", "Telegram", "WhatsApp", "Kik"];

impl Synth {
    pub fn new(seed: u64) -> Self {
        Synth {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs.choose(&mut self.rng).copied().unwrap_or("")
    }

    /// A fictional, valid US number: real area code, 555-01XX.
    pub fn phone_digits(&mut self) -> String {
        let area = self.pick(AREA_CODES);
        format!("{area}55501{:02}", self.rng.gen_range(0..100))
    }

    fn digit_char(&mut self, d: char, style: u8) -> String {
        match style {
            // full-width
            1 => char::from_u32(0xFF10 + d.to_digit(10).unwrap_or(0))
                .map_or(d.to_string(), |c| c.to_string()),
            // mathematical bold
            2 => char::from_u32(0x1D7CE + d.to_digit(10).unwrap_or(0))
                .map_or(d.to_string(), |c| c.to_string()),
            // emoji keycap
            3 => format!("{d}\u{FE0F}\u{20E3}"),
            _ => d.to_string(),
        }
    }

    fn spelled(&mut self, d: char) -> String {
        let w = WORDS[d.to_digit(10).unwrap_or(0) as usize];
        match self.rng.gen_range(0..4) {
            0 => w.to_uppercase(),
            1 => w
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if i % 2 == 1 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect(),
            _ => w.to_string(),
        }
    }

    /// Renders a 10-digit number in a random obfuscation style (or a mix).
    pub fn render_phone(&mut self, d: &str) -> String {
        let g: Vec<&str> = vec![&d[0..3], &d[3..6], &d[6..10]];
        let style = self.rng.gen_range(0..22);
        match style {
            0 => format!("{}-{}-{}", g[0], g[1], g[2]),
            1 => format!("({}) {}-{}", g[0], g[1], g[2]),
            2 => format!("({}){}-{}", g[0], g[1], g[2]),
            3 => format!("{}.{}.{}", g[0], g[1], g[2]),
            4 => d.to_string(),
            5 => format!("+1 {} {} {}", g[0], g[1], g[2]),
            6 => format!("1-{}-{}-{}", g[0], g[1], g[2]),
            7 => format!("({}){}{}", g[0], g[1], g[2]),
            8 => {
                // every digit spelled
                let sep = *[" ", " ", "-", "  "].choose(&mut self.rng).unwrap_or(&" ");
                let ws: Vec<String> = d.chars().map(|c| self.spelled(c)).collect();
                ws.join(sep)
            }
            9 => {
                // some groups spelled
                let mut parts = Vec::new();
                for grp in &g {
                    if self.rng.gen_bool(0.5) {
                        let ws: Vec<String> = grp.chars().map(|c| self.spelled(c)).collect();
                        parts.push(ws.join(" "));
                    } else {
                        parts.push(grp.to_string());
                    }
                }
                parts.join(" ")
            }
            10 => {
                // spaced digits with dots in the line number
                let line: Vec<String> = g[2].chars().map(|c| c.to_string()).collect();
                format!("{} {} . {}", g[0], g[1], line.join(" "))
            }
            11 => {
                // O for zero, l/I for one inside digit runs (keep a real digit)
                let mut parts = Vec::new();
                for grp in &g {
                    let mut s: Vec<char> = grp.chars().collect();
                    for k in 0..s.len() {
                        let keeps_a_digit = s
                            .iter()
                            .enumerate()
                            .any(|(x, c)| x != k && c.is_ascii_digit());
                        if keeps_a_digit && self.rng.gen_bool(0.5) {
                            s[k] = match s[k] {
                                '0' => *['O', 'o'].choose(&mut self.rng).unwrap_or(&'O'),
                                '1' => *['l', 'I'].choose(&mut self.rng).unwrap_or(&'l'),
                                c => c,
                            };
                        }
                    }
                    parts.push(s.into_iter().collect::<String>());
                }
                parts.join(*["-", " ", "."].choose(&mut self.rng).unwrap_or(&"-"))
            }
            12..=14 => {
                // full-width, math bold or emoji keycap digits
                let st = (style - 11) as u8;
                let parts: Vec<String> = g
                    .iter()
                    .map(|grp| grp.chars().map(|c| self.digit_char(c, st)).collect())
                    .collect();
                parts.join(*[" ", "-", ""].choose(&mut self.rng).unwrap_or(&" "))
            }
            15 => {
                // emoji between groups
                let a = self.pick(EMOJI);
                let b = self.pick(EMOJI);
                format!("{}{a}{}{b}{}", g[0], g[1], g[2])
            }
            16 => {
                // zero-width characters between digits
                let zw = ["\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}", "\u{FEFF}"];
                let mut s = String::new();
                for (i, c) in d.chars().enumerate() {
                    s.push(c);
                    if i < 9 && self.rng.gen_bool(0.4) {
                        s.push_str(zw.choose(&mut self.rng).unwrap_or(&""));
                    }
                }
                s
            }
            17 => {
                // Cyrillic or Greek capital O for zero
                let o = *["\u{041E}", "\u{039F}"]
                    .choose(&mut self.rng)
                    .unwrap_or(&"O");
                format!("{}-{}-{}", g[0], g[1], g[2].replacen('0', o, 1))
            }
            18 => {
                // separators with spaces everywhere
                let sp: Vec<String> = d.chars().map(|c| c.to_string()).collect();
                format!(
                    "{} {} {}",
                    sp[0..3].join(" "),
                    sp[3..6].join(" "),
                    sp[6..].join(" ")
                )
            }
            19 => {
                // a word glued before or after the number
                if self.rng.gen_bool(0.5) {
                    format!("{}{d}", self.pick(&["call", "text", "Call", "TEXT"]))
                } else {
                    format!(
                        "{}-{}-{}{}",
                        g[0],
                        g[1],
                        g[2],
                        self.pick(&["call", "text", "babe"])
                    )
                }
            }
            20 => {
                // spelled digits glued between digits: 2one2 5five5
                let parts: Vec<String> = g
                    .iter()
                    .map(|grp| {
                        grp.chars()
                            .enumerate()
                            .map(|(i, c)| {
                                if i % 2 == 1 {
                                    WORDS[c.to_digit(10).unwrap_or(0) as usize].to_string()
                                } else {
                                    c.to_string()
                                }
                            })
                            .collect()
                    })
                    .collect();
                parts.join(" ")
            }
            _ => {
                // a mix: keycaps in one group, spelled in another, emoji separator
                let e = self.pick(EMOJI);
                let a: String = g[0].chars().map(|c| self.digit_char(c, 3)).collect();
                let b: Vec<String> = g[1].chars().map(|c| self.spelled(c)).collect();
                format!("{a} {} {e} {}", b.join(" "), g[2].replacen('0', "O", 1))
            }
        }
    }

    pub fn email(&mut self) -> (String, String) {
        let name = self.pick(NAMES);
        let local = match self.rng.gen_range(0..4) {
            0 => name.to_string(),
            1 => format!("{name}{}", self.rng.gen_range(1..999)),
            2 => format!("{name}.{}", self.pick(NAMES)),
            _ => format!("{name}_{}", self.rng.gen_range(10..99)),
        };
        let (dom, tld) = *DOMAINS.choose(&mut self.rng).unwrap_or(&("example", "com"));
        let value = format!("{local}@{dom}.{tld}");
        let dots_obf = |sep: &str| dom.replace('.', sep);
        let text = match self.rng.gen_range(0..10) {
            0 | 1 => value.clone(),
            2 => format!("{local} at {} dot {tld}", dots_obf(" dot ")),
            3 => format!("{local} [at] {} [dot] {tld}", dots_obf(" [dot] ")),
            4 => format!("{local}(at){dom}.{tld}"),
            5 => format!("{local} (at) {} (dot) {tld}", dots_obf(" (dot) ")),
            6 => format!(
                "{} AT {} DOT {}",
                local.to_uppercase(),
                dots_obf(" DOT ").to_uppercase(),
                tld.to_uppercase()
            ),
            7 => format!("{local}[at]{dom}.{tld}"),
            8 => value.to_uppercase(),
            _ => format!("{local} @ {dom}.{tld}"),
        };
        (value, text)
    }

    pub fn distractor(&mut self) -> String {
        let r = &mut self.rng;
        match r.gen_range(0..42) {
            0 => format!("${}", r.gen_range(40..900)),
            1 => format!("${}/hr", r.gen_range(60..400)),
            2 => format!("{} roses", r.gen_range(80..500)),
            3 => format!("${},{:03}.00", r.gen_range(1..9), r.gen_range(0..1000)),
            4 => format!(
                "{}-{:02}-{:02}",
                r.gen_range(2015..2026),
                r.gen_range(1..13),
                r.gen_range(1..29)
            ),
            5 => format!(
                "{:02}/{:02}/{}",
                r.gen_range(1..13),
                r.gen_range(1..29),
                r.gen_range(2015..2026)
            ),
            6 => format!("{} yo", r.gen_range(14..30)),
            7 => format!("age {}", r.gen_range(13..30)),
            8 => format!("{} years old", r.gen_range(13..30)),
            9 => {
                let c = CITIES.choose(r).copied().unwrap_or("Dallas, TX");
                format!("{c} {:05}", r.gen_range(10000..99999))
            }
            10 => format!("zip {:05}", r.gen_range(10000..99999)),
            11 => format!("order #{}", r.gen_range(10_000_000u64..99_999_999_999)),
            12 => format!(
                "ref {}",
                r.gen_range(100_000_000_000u64..99_999_999_999_999)
            ),
            13 => format!(
                "tracking {} {} {} {} {} {:02}",
                r.gen_range(9000..9500),
                r.gen_range(1000..9999),
                r.gen_range(1000..9999),
                r.gen_range(1000..9999),
                r.gen_range(1000..9999),
                r.gen_range(0..99)
            ),
            14 => format!("{}:{:02} pm", r.gen_range(1..13), r.gen_range(0..60)),
            15 => format!("room {}", r.gen_range(100..999)),
            16 => format!("{} nights", r.gen_range(1..7)),
            17 => format!("since {}", r.gen_range(2010..2025)),
            18 => "24/7".to_string(),
            19 => format!("exit {} off I-{}", r.gen_range(1..300), r.gen_range(5..95)),
            20 => format!("{}.{} stars", r.gen_range(1..5), r.gen_range(0..10)),
            21 => format!(
                "case {}-{}",
                r.gen_range(2015..2026),
                r.gen_range(1000..99999)
            ),
            22 => format!("{}-{:04}", r.gen_range(200..999), r.gen_range(0..10000)),
            23 => format!(
                "{}-{}-{}",
                r.gen_range(100..199),
                r.gen_range(100..999),
                r.gen_range(1000..9999)
            ),
            24 => format!(
                "978-{}-{}-{}-{}",
                r.gen_range(0..2),
                r.gen_range(100..999),
                r.gen_range(10000..99999),
                r.gen_range(0..10)
            ),
            25 => format!(
                "${} / ${} / ${}",
                r.gen_range(40..100),
                r.gen_range(100..200),
                r.gen_range(200..400)
            ),
            26 => format!(
                "rooms {}, {} and {}",
                r.gen_range(100..400),
                r.gen_range(100..400),
                r.gen_range(100..400)
            ),
            27 => format!("5'{} {} lbs", r.gen_range(0..12), r.gen_range(95..180)),
            28 => format!(
                "{}-{:02}-{:02} {}:{:02}",
                r.gen_range(2015..2026),
                r.gen_range(1..13),
                r.gen_range(1..29),
                r.gen_range(0..24),
                r.gen_range(0..60)
            ),
            29 => {
                let w = [
                    "id",
                    "order",
                    "Ref:",
                    "account",
                    "invoice",
                    "tracking no.",
                    "case #",
                    "confirmation",
                ];
                let w = w.choose(r).copied().unwrap_or("id");
                format!("{w} {}", r.gen_range(2_000_000_000u64..9_999_999_999))
            }
            30 => format!("PO Box {}", r.gen_range(100..99999)),
            31 => format!("between {} and {}", r.gen_range(1..12), r.gen_range(1..12)),
            32 => format!(
                "{} {} {}",
                r.gen_range(1..10),
                r.gen_range(10..99),
                r.gen_range(100..999)
            ),
            33 => format!(
                "v{}.{}.{}",
                r.gen_range(0..10),
                r.gen_range(0..20),
                r.gen_range(0..100)
            ),
            34 => "find me at example.com".to_string(),
            35 => "visit us at www.example.org".to_string(),
            36 => "meet at the motel. Then leave".to_string(),
            37 => format!("see you at {} pm", r.gen_range(1..12)),
            38 => "@ the hotel on Main".to_string(),
            39 => format!(
                "follow @{}_{}",
                ["sunny", "star", "kay"]
                    .choose(r)
                    .copied()
                    .unwrap_or("sunny"),
                r.gen_range(1..99)
            ),
            40 => format!("rates at ${} and up", r.gen_range(50..300)),
            _ => "located at 12 Main St. near the truck stop".to_string(),
        }
    }

    /// An online ad as sites carry them: a title and a few lines of
    /// ordinary wording around one contact number (often obfuscated), now and
    /// then a price, an email address or a handle. Half are "new in town"
    /// ads, half ordinary classifieds, modelled on the ads the `synth` crate
    /// writes; sparser in numbers than the labelled `doc` texts.
    pub fn ad(&mut self) -> String {
        let benign = self.rng.gen_bool(0.5);
        let pool = if benign { BENIGN_LINES } else { AD_LINES };
        let mut lines: Vec<String> = Vec::new();
        let n = self.rng.gen_range(2..6);
        for _ in 0..n {
            lines.push(self.pick(pool).to_string());
        }
        let city = self.pick(CITIES);
        lines.push(if benign {
            format!("Pick up in {city}.")
        } else {
            format!("Visiting {city} until Sunday")
        });
        if self.rng.gen_bool(0.5) {
            let price = self.rng.gen_range(2..60) * 5;
            lines.push(if benign {
                format!("${price} or best offer")
            } else {
                format!("${price}/hr")
            });
        }
        if self.rng.gen_bool(0.9) {
            let d = self.phone_digits();
            let intro = self.pick(&["Call or text ", "Text only ", "Reach me at ", "Contact "]);
            // Ordinary sellers mostly write numbers plainly; ads hide them.
            let shown = if benign && self.rng.gen_bool(0.8) {
                let g = [&d[0..3], &d[3..6], &d[6..10]];
                match self.rng.gen_range(0..3) {
                    0 => format!("{}-{}-{}", g[0], g[1], g[2]),
                    1 => format!("{}.{}.{}", g[0], g[1], g[2]),
                    _ => format!("({}) {}-{}", g[0], g[1], g[2]),
                }
            } else {
                self.render_phone(&d)
            };
            lines.push(format!("{intro}{shown}"));
        }
        if self.rng.gen_bool(0.25) {
            let (_, e) = self.email();
            lines.push(format!("Email {e}"));
        }
        if !benign && self.rng.gen_bool(0.2) {
            let p = self.pick(PLATFORM_NAMES);
            let who = self.pick(NAMES);
            lines.push(format!(
                "Find me on {p}: @{who}_{}",
                self.rng.gen_range(1..99)
            ));
        }
        if self.rng.gen_bool(0.35) {
            lines.shuffle(&mut self.rng);
        }
        let title = self.pick(FILLER_AD);
        let sep = self.pick(&["\n", "\n", " ", " | "]);
        let mut text = String::from(title);
        text.push('\n');
        text.push_str(&lines.join(sep));
        text
    }

    /// A longer, prose-heavy report narrative (about `bytes` long) with a
    /// few identifiers, closer to the density of real reports than `doc`.
    pub fn narrative(&mut self, bytes: usize) -> String {
        let mut text = String::with_capacity(bytes + 200);
        while text.len() < bytes {
            text.push_str(self.pick(FILLER_NARR));
            text.push(' ');
            match self.rng.gen_range(0..12) {
                0 => {
                    let d = self.phone_digits();
                    text.push_str("A note listed ");
                    let r = self.render_phone(&d);
                    text.push_str(&r);
                    text.push_str(". ");
                }
                1 => {
                    let (_, e) = self.email();
                    text.push_str("The ad gave ");
                    text.push_str(&e);
                    text.push_str(". ");
                }
                2 => {
                    let d = self.distractor();
                    text.push_str(&d);
                    text.push_str(". ");
                }
                _ => {}
            }
        }
        text
    }

    /// One labelled document.
    pub fn doc(&mut self) -> Doc {
        let mut text = String::new();
        let mut phones = Vec::new();
        let mut emails = Vec::new();
        let ad = self.rng.gen_bool(0.5);
        let n_phones = self.rng.gen_range(0..3);
        let n_emails = self.rng.gen_range(0..2);
        let n_distr = self.rng.gen_range(2..6);
        let mut items: Vec<u8> = vec![0; n_phones];
        items.extend(std::iter::repeat_n(1, n_emails));
        items.extend(std::iter::repeat_n(2, n_distr));
        items.shuffle(&mut self.rng);
        let fill = |s: &mut Self| {
            if ad {
                s.pick(FILLER_AD).to_string()
            } else {
                s.pick(FILLER_NARR).to_string()
            }
        };
        text.push_str(&fill(self));
        for it in items {
            let lead = if ad {
                *[" ", " - ", ". ", "! ", " ~ ", "\n"]
                    .choose(&mut self.rng)
                    .unwrap_or(&" ")
            } else {
                *[" ", ". ", ", "].choose(&mut self.rng).unwrap_or(&" ")
            };
            text.push_str(lead);
            match it {
                0 => {
                    let d = self.phone_digits();
                    let intro = if ad {
                        *["call ", "text ", "txt ", "", "hit me up ", "📲 "]
                            .choose(&mut self.rng)
                            .unwrap_or(&"")
                    } else {
                        *["a note listed ", "the number ", "she called ", "contact "]
                            .choose(&mut self.rng)
                            .unwrap_or(&"")
                    };
                    text.push_str(intro);
                    let r = self.render_phone(&d);
                    let s = text.len();
                    text.push_str(&r);
                    phones.push((format!("+1{d}"), s..text.len()));
                }
                1 => {
                    let (v, r) = self.email();
                    let intro = *["email ", "mail: ", "write to ", ""]
                        .choose(&mut self.rng)
                        .unwrap_or(&"");
                    text.push_str(intro);
                    let s = text.len();
                    text.push_str(&r);
                    emails.push((v, s..text.len()));
                }
                _ => {
                    let d = self.distractor();
                    text.push_str(&d);
                }
            }
            // Items often sit right next to each other ("$200/hr 212-555-0147 17 yo").
            if self.rng.gen_bool(0.6) {
                text.push(' ');
                text.push_str(&fill(self));
            }
        }
        Doc {
            text,
            phones,
            emails,
        }
    }
}
