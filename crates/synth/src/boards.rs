//! Adversarial ad boards: short, formulaic ads that every poster assembles from one small pool
//! of stock sentences, the kind of data link analysis was *not* tuned on (see [`crate::ads`]
//! for the world's own ads, written from per-network templates).
//!
//! What makes a board hard, and what this generator reproduces on purpose:
//! - every ad, of an operation or not, is built from the same ~40 stock sentences with slot
//!   fills (`{adj} {noun} available {place}`), token edits, emoji and reordering, so unrelated
//!   ads share stock phrases;
//! - an operation (3 to 30 ads, a few far larger) keeps *which* sentences and fills it uses and
//!   its 1–3 phones, and posts in several cities;
//! - with [`BoardConfig::rotating`], half the operations write a fresh phone in every ad, so
//!   only their text links them;
//! - some numbers have valid North American shape but an unassigned area code
//!   (`652-882-4378`), as a phone library's table lags the numbering plan;
//! - one ad in twelve of an operation gives no number, and a few unrelated posters give one of
//!   three placeholder numbers (hubs), so phones alone are not the answer either.
//!
//! Deterministic per seed; text plain and non-explicit; phones are `NPA-555-01XX` in assigned
//! area codes or numbers in unassigned ones, so none is anyone's real number. The truth is the
//! operation of each ad (an unrelated poster is an operation of its own).

use std::collections::HashSet;
use std::io::Write;

use link::ads::AdRecord;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::data::{CITIES, EMOJI};
use crate::noise::{obfuscate, typo, PhoneStyle};
use crate::util::{chance, pick, R};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoardConfig {
    /// Seed: the same seed and settings give the same board.
    pub seed: u64,
    /// Number of ads.
    pub ads: usize,
    /// Half the operations write a fresh phone in every ad (only text links them).
    pub rotating: bool,
    /// Share of ads posted by operations (the rest by unrelated posters of 1–2 ads).
    pub operation_share: f64,
    /// Share of phones drawn from area codes the numbering plan has not assigned.
    pub unassigned_share: f64,
}

impl BoardConfig {
    /// `ads` ads from `seed`: 60% by operations, 15% of phones in unassigned area codes.
    pub fn new(seed: u64, ads: usize, rotating: bool) -> BoardConfig {
        BoardConfig {
            seed,
            ads,
            rotating,
            operation_share: 0.6,
            unassigned_share: 0.15,
        }
    }
}

/// A generated board: the ads and, per ad, the operation that posted it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Board {
    /// The ads, in posting order (operations' ads interleaved with the rest).
    pub ads: Vec<AdRecord>,
    /// Operation per ad (the truth); ads of one operation share the number.
    pub operation: Vec<u32>,
    /// Per operation: does it write a fresh phone in every ad?
    pub rotates: Vec<bool>,
    /// Per ad: the phones written in it (E.164), whether or not an extractor reads them.
    pub phones: Vec<Vec<String>>,
}

impl Board {
    /// Writes the ads as `ads.jsonl` lines with the truth in a `template` field
    /// (`op-N`), which `clearinghouse cluster-ads` ignores and `bench/score.py` reads.
    pub fn write_jsonl(&self, out: &mut impl Write) -> std::io::Result<()> {
        #[derive(serde::Serialize)]
        struct Line<'a> {
            #[serde(flatten)]
            ad: &'a AdRecord,
            template: String,
        }
        for (ad, op) in self.ads.iter().zip(&self.operation) {
            let line = Line {
                ad,
                template: format!("op-{op}"),
            };
            serde_json::to_writer(&mut *out, &line).map_err(std::io::Error::other)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }
}

/// Sentences at the head of [`SENTENCES`] that most posters use.
const STAPLES: usize = 8;

/// The stock sentences. Slots: `{adj}`, `{adj2}`, `{noun}`, `{place}`, `{time}`, `{name}`,
/// `{city}`, `{rate}`, `{phone}`. Everyone draws from these.
const SENTENCES: &[&str] = &[
    "in and out calls",
    "no blocked numbers please",
    "{adj} {noun} available {place}",
    "new in {city}",
    "just arrived in {city}",
    "here for a few days only",
    "call or text {phone}",
    "text me at {phone}",
    "{phone} text only",
    "ask for {name}",
    "my name is {name}",
    "available {time}",
    "serious inquiries only",
    "friendly and discreet",
    "{adj} and {adj2}",
    "upscale {place}",
    "no texts please call",
    "cash only",
    "{rate} special today",
    "satisfaction guaranteed",
    "clean and safe {place}",
    "appointments {time}",
    "the best in {city}",
    "dont miss out",
    "limited time only",
    "real pictures",
    "100% real",
    "{adj} {noun} waiting for you",
    "treat yourself",
    "relax and unwind",
    "visiting {city} this week",
    "leaving soon",
    "short notice ok",
    "no rush",
    "respectful gentlemen only",
    "{name} is back",
    "sweet {noun} {place}",
    "booking now",
    "message for details",
    "weekends too",
];

const TITLES: &[&str] = &[
    "{adj} {noun} in {city}",
    "new in town",
    "{name} available now",
    "{adj} and {adj2}",
    "back in {city}",
    "{rate} special",
    "just arrived",
    "call {name}",
];

const ADJ: &[&str] = &[
    "sweet", "new", "friendly", "classy", "sunny", "lovely", "bubbly", "quiet", "charming",
    "gentle", "elegant", "young", "petite", "tall", "curvy", "fun",
];
const NOUN: &[&str] = &[
    "lady", "girl", "angel", "princess", "treat", "company", "visitor", "host", "doll", "star",
];
const PLACE: &[&str] = &[
    "downtown",
    "near the airport",
    "by the mall",
    "uptown",
    "on the east side",
    "near the highway",
    "in a hotel",
    "close to the station",
    "by the lake",
    "in my place",
];
const TIME: &[&str] = &[
    "24/7",
    "all night",
    "mornings",
    "after 6",
    "late nights",
    "anytime",
    "weekdays",
    "today only",
];
const NAMES: &[&str] = &[
    "Amber", "Bella", "Candy", "Daisy", "Ella", "Faith", "Gigi", "Holly", "Ivy", "Jade", "Kiki",
    "Lola", "Mia", "Nina", "Roxy", "Star", "Tina", "Vicky", "Zoe", "Luna",
];
const RATES: &[&str] = &["$80", "$100", "$120", "$150", "$60", "$200"];

/// Area codes the numbering plan has not assigned (checked against the phone library by a
/// test), for numbers of valid shape that a library's table does not know.
pub const UNASSIGNED_NPAS: &[u16] = &[652, 653, 654, 655, 665, 674, 675, 685, 687, 688];

/// Placeholder numbers unrelated posters share (hubs, not links).
const HUBS: [u64; 3] = [2_125_550_100, 6_525_550_100, 3_125_550_199];

/// The ten-digit phones on a board, none drawn twice.
struct Phones {
    used: HashSet<u64>,
    unassigned_share: f64,
}

impl Phones {
    /// A number never handed out before: `NPA-555-01XX` in one of the city's area codes, or
    /// any exchange in an unassigned area code (also the fallback when the fictional range of
    /// the city is used up).
    fn fresh(&mut self, r: &mut R, city: usize) -> u64 {
        for attempt in 0.. {
            let n = if attempt < 8 && !chance(r, self.unassigned_share) {
                let npa = u64::from(pick(r, CITIES[city].area_codes));
                npa * 10_000_000 + 5_550_100 + r.gen_range(0..100)
            } else {
                let npa = u64::from(pick(r, UNASSIGNED_NPAS));
                npa * 10_000_000 + r.gen_range(200..1000) * 10_000 + r.gen_range(0..10_000)
            };
            if self.used.insert(n) {
                return n;
            }
        }
        unreachable!("the unassigned area codes hold millions of numbers")
    }
}

/// How an operation writes its ads: its sentences, fills, emoji, phones and cities.
struct Style {
    sentences: Vec<usize>,
    title: usize,
    adj: &'static str,
    adj2: &'static str,
    noun: &'static str,
    place: &'static str,
    time: &'static str,
    name: &'static str,
    rate: &'static str,
    emoji: Vec<&'static str>,
    phones: Vec<u64>,
    phone_styles: Vec<PhoneStyle>,
    cities: Vec<usize>,
}

const PLAIN_STYLES: &[PhoneStyle] = &[
    PhoneStyle::Dashes,
    PhoneStyle::Dots,
    PhoneStyle::Parens,
    PhoneStyle::Spaced,
];

impl Style {
    fn new(r: &mut R, phones: &mut Phones, sentences: usize, phone_count: usize) -> Style {
        // Staples (the first sentences of the pool) are in most posters' ads, as on real
        // boards; the rest are picked evenly.
        let weights: Vec<f64> = (0..SENTENCES.len())
            .map(|s| if s < STAPLES { 6.0 } else { 1.0 })
            .collect();
        let mut all: Vec<usize> =
            rand::seq::index::sample_weighted(r, SENTENCES.len(), |s| weights[s], sentences)
                .map_or_else(|_| (0..sentences).collect(), |i| i.into_vec());
        // Every ad carries its number.
        if !all.iter().any(|&s| SENTENCES[s].contains("{phone}")) {
            let calls: Vec<usize> = (0..SENTENCES.len())
                .filter(|&s| SENTENCES[s].contains("{phone}"))
                .collect();
            all.push(pick(r, &calls));
        }
        let count = r.gen_range(2..=6);
        let cities = rand::seq::index::sample(r, CITIES.len(), count).into_vec();
        let home = cities[0];
        let mut phone_styles = vec![pick(r, PLAIN_STYLES)];
        if chance(r, 0.5) {
            phone_styles.push(pick(r, PhoneStyle::ALL));
        }
        Style {
            sentences: all,
            title: r.gen_range(0..TITLES.len()),
            adj: pick(r, ADJ),
            adj2: pick(r, ADJ),
            noun: pick(r, NOUN),
            place: pick(r, PLACE),
            time: pick(r, TIME),
            name: pick(r, NAMES),
            rate: pick(r, RATES),
            emoji: (0..r.gen_range(1..=2)).map(|_| pick(r, EMOJI)).collect(),
            phones: (0..phone_count).map(|_| phones.fresh(r, home)).collect(),
            phone_styles,
            cities,
        }
    }
}

/// Small edits a hurried poster makes to one sentence: a typo, a dropped word, `you` as `u`,
/// capitals.
fn edit(r: &mut R, s: &str) -> String {
    let mut words: Vec<String> = s.split(' ').map(str::to_string).collect();
    match r.gen_range(0..4) {
        0 => {
            if let Some(w) = words
                .iter_mut()
                .filter(|w| w.len() >= 5 && w.is_ascii() && !w.contains('{'))
                .collect::<Vec<_>>()
                .choose_mut(r)
            {
                **w = typo(r, w);
            }
        }
        1 if words.len() > 3 => {
            let i = r.gen_range(0..words.len());
            if !words[i].contains('{') {
                words.remove(i);
            }
        }
        2 => {
            for w in &mut words {
                if w == "you" {
                    *w = "u".into();
                } else if w == "for" {
                    *w = "4".into();
                }
            }
        }
        _ => {
            for w in &mut words {
                if !w.contains('{') {
                    *w = w.to_uppercase();
                }
            }
        }
    }
    words.join(" ")
}

/// A slot's fill: the operation's own, now and then another from the pool.
fn vary(r: &mut R, own: &'static str, pool: &[&'static str], noise: f64) -> &'static str {
    if chance(r, noise) {
        pick(r, pool)
    } else {
        own
    }
}

/// `sentence` with its slots filled in `style`'s way.
fn fill(r: &mut R, style: &Style, sentence: &str, city: usize, phone: &str, noise: f64) -> String {
    let mut out = sentence.to_string();
    for (slot, own, pool) in [
        ("{adj2}", style.adj2, ADJ),
        ("{adj}", style.adj, ADJ),
        ("{noun}", style.noun, NOUN),
        ("{place}", style.place, PLACE),
        ("{time}", style.time, TIME),
        ("{name}", style.name, NAMES),
        ("{rate}", style.rate, RATES),
    ] {
        if out.contains(slot) {
            let v = vary(r, own, pool, noise);
            out = out.replace(slot, v);
        }
    }
    out.replace("{city}", CITIES[city].name)
        .replace("{phone}", phone)
}

/// One ad in `style`, posted in `city`, carrying `phone` (and `second`, as a busy operation
/// gives two numbers): title and body.
fn write_ad(
    r: &mut R,
    style: &Style,
    city: usize,
    phone: Option<u64>,
    second: Option<u64>,
) -> (String, String) {
    const NOISE: f64 = 0.1;
    let how = pick(r, &style.phone_styles);
    let written = match phone {
        Some(n) => obfuscate(r, n, how),
        None => "me through the site".to_string(),
    };
    let mut lines: Vec<String> = Vec::new();
    for &s in &style.sentences {
        let has_phone = SENTENCES[s].contains("{phone}");
        if !has_phone && chance(r, 0.15) {
            continue;
        }
        let text = if chance(r, 0.12) {
            edit(r, SENTENCES[s])
        } else {
            SENTENCES[s].to_string()
        };
        lines.push(fill(r, style, &text, city, &written, NOISE));
    }
    // A stock sentence of the day, as everyone adds.
    if chance(r, 0.4) {
        let extra = r.gen_range(0..SENTENCES.len());
        if !SENTENCES[extra].contains("{phone}") {
            lines.push(fill(r, style, SENTENCES[extra], city, &written, 1.0));
        }
    }
    if let Some(n) = second {
        let how = pick(r, &style.phone_styles);
        let also = pick(r, &["or", "also", "backup line"]);
        lines.push(format!("{also} {}", obfuscate(r, n, how)));
    }
    if chance(r, 0.5) {
        lines.shuffle(r);
    }
    for line in &mut lines {
        if chance(r, 0.25) {
            line.push(' ');
            line.push_str(pick(r, &style.emoji));
        }
    }
    let sep = pick(r, &[". ", " ", "\n", " | ", "! "]);
    let title = fill(r, style, TITLES[style.title], city, &written, NOISE);
    (title, lines.join(sep))
}

/// An operation: how many ads it posts and how it writes them.
struct Operation {
    style: Style,
    ads: usize,
    rotates: bool,
}

/// Generates a board.
pub fn board(config: &BoardConfig) -> Board {
    let mut r = ChaCha8Rng::seed_from_u64(config.seed ^ 0x00b0_a2d5);
    let mut phones = Phones {
        used: HUBS.into_iter().collect(),
        unassigned_share: config.unassigned_share,
    };
    // Operations until their share of the ads is reached: mostly 3 to 30 ads, one in ten
    // far busier.
    let target = (config.ads as f64 * config.operation_share).round() as usize;
    let mut ops: Vec<Operation> = Vec::new();
    let mut planned = 0;
    while planned < target {
        let size = if chance(&mut r, 0.1) {
            r.gen_range(31..=150)
        } else {
            r.gen_range(3..=30)
        }
        .min(target - planned)
        .max(1);
        let rotates = config.rotating && ops.len() % 2 == 1;
        let phone_count = if rotates { 0 } else { r.gen_range(1..=3) };
        let count = r.gen_range(4..=7);
        let style = Style::new(&mut r, &mut phones, count, phone_count);
        ops.push(Operation {
            style,
            ads: size,
            rotates,
        });
        planned += size;
    }
    // Each slot of the board is an operation's ad or an unrelated poster's; shuffled so
    // operations' ads are spread over the board as reposts are.
    let mut slots: Vec<Option<u32>> = ops
        .iter()
        .enumerate()
        .flat_map(|(i, o)| std::iter::repeat_n(Some(i as u32), o.ads))
        .collect();
    slots.resize(config.ads.max(slots.len()), None);
    slots.truncate(config.ads);
    slots.shuffle(&mut r);

    let mut board = Board {
        rotates: ops.iter().map(|o| o.rotates).collect(),
        ..Board::default()
    };
    let mut next_solo = ops.len() as u32;
    // An unrelated poster sometimes posts a second ad, the same way.
    let mut repost: Option<(Style, u32)> = None;
    for (n, slot) in slots.into_iter().enumerate() {
        let (title, body, city, op, written) = match slot {
            Some(o) => {
                let op = &ops[o as usize];
                let city = pick(&mut r, &op.style.cities);
                // Now and then an ad gives no number (write through the site).
                let (phone, second) = if chance(&mut r, 0.08) {
                    (None, None)
                } else if op.rotates {
                    (Some(phones.fresh(&mut r, city)), None)
                } else {
                    let mut two = op.style.phones.choose_multiple(&mut r, 2).copied();
                    let first = two.next();
                    (first, two.next().filter(|_| chance(&mut r, 0.3)))
                };
                let (t, b) = write_ad(&mut r, &op.style, city, phone, second);
                (t, b, city, o, [phone, second])
            }
            None => {
                let (style, op, again) = match repost.take() {
                    Some((style, op)) => (style, op, false),
                    None => {
                        let count = r.gen_range(3..=6);
                        let style = Style::new(&mut r, &mut phones, count, 1);
                        next_solo += 1;
                        (style, next_solo - 1, chance(&mut r, 0.15))
                    }
                };
                // A few unrelated posters give one of the board's placeholder numbers (a
                // booking line, a number copied from an example): hubs that link nobody.
                let phone = if chance(&mut r, 0.03) {
                    HUBS[r.gen_range(0..HUBS.len())]
                } else {
                    style.phones[0]
                };
                let city = style.cities[0];
                let (t, b) = write_ad(&mut r, &style, city, Some(phone), None);
                if again {
                    repost = Some((style, op));
                }
                (t, b, city, op, [Some(phone), None])
            }
        };
        board.ads.push(AdRecord {
            id: format!("board-{n:07}"),
            site: Some("board.example.org".into()),
            url: Some(format!("https://board.example.org/ad/{n}")),
            posted_at: Some(format!(
                "2024-{:02}-{:02}T{:02}:00:00Z",
                1 + n * 12 / config.ads.max(1),
                1 + r.gen_range(0..28),
                r.gen_range(0..24)
            )),
            city: Some(CITIES[city].name.into()),
            state: Some(CITIES[city].state.into()),
            title,
            body,
            image_hashes: Vec::new(),
        });
        board.operation.push(op);
        board
            .phones
            .push(written.iter().flatten().map(|n| format!("+1{n}")).collect());
    }
    board
}
