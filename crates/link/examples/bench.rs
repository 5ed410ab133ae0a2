//! Speed and memory benchmark on synthetic data (generated here, nothing
//! real): deduplicating N person records end to end, clustering N short ads
//! by template, and incremental index insert/query latency.
//!
//! Run in release, one mode per process so peak memory is per workload:
//! `cargo run --release --example bench -- persons 1000000`
//! (modes: `persons`, `texts`, `index`; default 200000 records).
//! `csv N PATH` writes the same N persons (with their true entity) as CSV,
//! for running another tool on identical input (see `bench/splink_persons.py`).
//! `ads N PATH` writes the `texts` ads as JSON lines for `clearinghouse
//! cluster-ads`; `bench/score.py` scores either command's output.

use std::time::Instant;

use link::{Candidates, Config, Date, Index, PersonRecord, TextClusterer, TextConfig};

/// Deterministic generator so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const SYL_A: &[&str] = &[
    "an", "be", "ca", "da", "el", "fa", "ga", "ha", "is", "ja", "ka", "la", "ma", "na", "ol", "pa",
    "ra", "sa", "ta", "va", "wi", "ya", "zo", "mi", "lu", "ro", "ke", "ti", "so", "de",
];
const SYL_B: &[&str] = &[
    "na", "ra", "lyn", "son", "bel", "den", "ton", "ley", "rie", "nah", "vin", "ric", "ssa", "mon",
    "dra", "lle", "tt", "ck", "rd", "ne",
];
const SYL_C: &[&str] = &[
    "", "s", "er", "man", "field", "wood", "berg", "ford", "ez", "ski",
];
const STREETS: &[&str] = &[
    "main", "oak", "pine", "maple", "cedar", "elm", "lake", "hill", "park", "river", "church",
    "mill", "spring", "north", "south", "west", "high", "station", "bridge", "market",
];
const KINDS: &[&str] = &[
    "street", "road", "avenue", "lane", "court", "drive", "place",
];
const STATES: &[&str] = &["ca", "tx", "fl", "ny", "il", "pa", "oh", "ga"];

/// Area codes for the fictional `NPA-555-01XX` numbers the ads carry.
const NPAS: &[u16] = &[
    201, 202, 203, 205, 206, 207, 208, 209, 210, 212, 213, 214, 215, 216, 217, 218, 219, 224, 225,
    228, 229, 231, 234, 239, 240, 248, 251, 252, 253, 254, 256, 260, 262, 267, 269, 270, 276, 281,
    301, 302, 303, 304, 305, 307, 308, 309, 310, 312, 313, 314, 315, 316, 317, 318, 319, 320, 321,
    323, 325, 330, 334, 336, 337, 339, 347, 352, 360, 361, 385, 386, 401, 402, 404, 405, 406, 407,
    408, 409, 410, 412, 413, 414, 415, 417, 419, 423, 424, 425, 432, 434, 435, 440, 443, 469, 470,
    478, 479, 480, 484, 501, 502, 503, 504, 505, 507, 508, 509, 510, 512, 513, 515, 516, 517, 518,
    520, 530, 540, 541, 559, 561, 562, 563, 570, 571, 573, 574, 580, 585, 586, 601, 602, 603, 605,
    606, 607, 608, 609, 610, 612, 614, 615, 616, 617, 618, 619, 620, 623, 626, 630, 631, 636, 641,
    646, 650, 651, 660, 661, 662, 678, 701, 702, 703, 704, 706, 707, 708, 712, 713, 714, 715, 716,
    717, 718, 719, 720, 724, 727, 731, 732, 734, 740, 757, 760, 763, 765, 770, 772, 773, 774, 775,
    781, 785, 786, 801, 802, 803, 804, 805, 806, 808, 810, 812, 813, 814, 815, 816, 817, 818, 828,
    830, 831, 832, 843, 845, 847, 850, 856, 857, 858, 859, 860, 863, 864, 865, 870, 901, 903, 904,
    906, 907, 908, 909, 910, 912, 913, 914, 915, 916, 917, 918, 919, 920, 925, 928, 931, 936, 937,
    940, 941, 949, 951, 952, 954, 956, 970, 971, 972, 973, 978, 979, 985, 989,
];

fn typo(rng: &mut Rng, s: &str) -> String {
    let mut b: Vec<u8> = s.bytes().collect();
    if b.len() < 3 {
        return s.to_string();
    }
    let i = 1 + rng.below(b.len() - 2);
    match rng.below(3) {
        0 => b[i] = b'a' + rng.below(26) as u8,
        1 => {
            b.remove(i);
        }
        _ => b.swap(i, i + 1),
    }
    String::from_utf8(b).unwrap_or_default()
}

fn person(rng: &mut Rng, entity: usize) -> PersonRecord {
    let first = format!("{}{}", rng.pick(SYL_A), rng.pick(SYL_B));
    let last = format!("{}{}{}", rng.pick(SYL_A), rng.pick(SYL_B), rng.pick(SYL_C));
    let city = format!("{}{}ville", rng.pick(SYL_A), rng.pick(SYL_B));
    PersonRecord {
        id: format!("e{entity}"),
        first_name: Some(first),
        last_name: Some(last),
        dob: Some(Date::new(
            1950 + rng.below(66) as u16,
            1 + rng.below(12) as u8,
            1 + rng.below(28) as u8,
        )),
        phones: if rng.chance(0.5) {
            vec![format!(
                "555-{:03}-{:04}",
                rng.below(1000),
                rng.below(10_000)
            )]
        } else {
            Vec::new()
        },
        address: Some(format!(
            "{} {} {}",
            1 + rng.below(300),
            rng.pick(STREETS),
            rng.pick(KINDS)
        )),
        city: Some(city),
        state: Some(rng.pick(STATES).to_string()),
        postcode: Some(format!("{:05}", rng.below(40_000))),
        ..PersonRecord::default()
    }
}

fn noisy(rng: &mut Rng, r: &PersonRecord) -> PersonRecord {
    let mut d = r.clone();
    for _ in 0..1 + rng.below(3) {
        match rng.below(8) {
            0 => d.first_name = d.first_name.map(|s| typo(rng, &s)),
            1 => d.last_name = d.last_name.map(|s| typo(rng, &s)),
            2 => {
                d.dob = d.dob.map(|x| {
                    if x.day <= 12 {
                        Date::new(x.year, x.day, x.month)
                    } else {
                        Date::new(x.year, x.month, x.day.saturating_sub(10).max(1))
                    }
                })
            }
            3 => d.phones.clear(),
            4 => d.address = d.address.map(|s| typo(rng, &s)),
            5 => d.postcode = None,
            6 => d.city = None,
            _ => d.first_name = None,
        }
    }
    d
}

/// Records with ~20% duplicates of earlier entities; returns truth labels.
fn persons(n: usize, rng: &mut Rng) -> (Vec<PersonRecord>, Vec<u32>) {
    let mut records = Vec::with_capacity(n);
    let mut truth = Vec::with_capacity(n);
    let mut originals: Vec<usize> = Vec::new();
    for _ in 0..n {
        if !originals.is_empty() && rng.chance(0.2) {
            let o = originals[rng.below(originals.len())];
            let r = noisy(rng, &records[o]);
            records.push(r);
            truth.push(truth[o]);
        } else {
            let e = originals.len();
            originals.push(records.len());
            records.push(person(rng, e));
            truth.push(e as u32);
        }
    }
    (records, truth)
}

fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn bench_persons(n: usize) {
    let mut rng = Rng(42);
    let (records, truth) = persons(n, &mut rng);
    let mut config = Config::default();
    // Blocking can be tried without a rebuild: LINK_WINDOW, LINK_MAX_BLOCK.
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse().ok());
    config.window = env("LINK_WINDOW").unwrap_or(config.window);
    config.max_block = env("LINK_MAX_BLOCK").unwrap_or(config.max_block);
    let t0 = Instant::now();
    let cands = Candidates::dedupe(&records, &config);
    let t1 = Instant::now();
    let model = cands.estimate(&config);
    let t2 = Instant::now();
    let clusters = cands.cluster(&model, &config);
    let t3 = Instant::now();
    let (p, r, f) = link::eval::pairwise(clusters.cluster_of.iter().zip(truth.iter()));
    println!(
        "persons n={n}: block+compare {:.2}s ({} candidate pairs), estimate {:.2}s, cluster {:.2}s, total {:.2}s; peak RSS {:.0} MiB; pairwise P {p:.4} R {r:.4} F1 {f:.4}",
        (t1 - t0).as_secs_f64(),
        cands.len(),
        (t2 - t1).as_secs_f64(),
        (t3 - t2).as_secs_f64(),
        (t3 - t0).as_secs_f64(),
        peak_mib()
    );
}

fn bench_index(n: usize) {
    let mut rng = Rng(7);
    let (records, _) = persons(n, &mut rng);
    let config = Config::default();
    // Parameters from a small batch, as a deployment would estimate once.
    let sample = &records[..records.len().min(50_000)];
    let model = Candidates::dedupe(sample, &config).estimate(&config);
    let mut index = Index::new(model, config);
    let t0 = Instant::now();
    let mut insert_lat = Vec::with_capacity(n / 10 + 1);
    for (i, r) in records.iter().enumerate() {
        // Time the inserts into the last tenth, where the index is largest.
        if i >= n - n / 10 {
            let t = Instant::now();
            index.insert(r);
            insert_lat.push(t.elapsed().as_secs_f64() * 1e3);
        } else {
            index.insert(r);
        }
    }
    let build = t0.elapsed().as_secs_f64();
    insert_lat.sort_by(f64::total_cmp);
    let pct = |v: &[f64], q: f64| {
        v.get(((v.len() as f64 * q) as usize).min(v.len().saturating_sub(1)))
            .copied()
            .unwrap_or(f64::NAN)
    };
    let mut lat = Vec::new();
    let mut hits = 0usize;
    // Queries are noisy copies of stored records: each should find its
    // original (and costs what linking a new report costs).
    for _ in 0..10_000 {
        let pick = rng.below(records.len());
        let q = noisy(&mut rng, &records[pick]);
        let t = Instant::now();
        let m = index.query(&q);
        lat.push(t.elapsed().as_secs_f64() * 1e3);
        hits += usize::from(!m.is_empty());
    }
    lat.sort_by(f64::total_cmp);
    println!(
        "index n={n}: insert all {build:.2}s ({:.1} us/record; last tenth p50 {:.3} ms, p99 {:.3} ms); query p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms; {hits}/10000 noisy queries matched; peak RSS {:.0} MiB",
        build * 1e6 / n as f64,
        pct(&insert_lat, 0.5),
        pct(&insert_lat, 0.99),
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        pct(&lat, 1.0),
        peak_mib()
    );
}

/// N short ads written from N/100 templates (sentences reordered, a word
/// swapped, emoji inserted); returns the texts and each one's template.
/// Half of a template's ads carry its phone, a fictional `NPA-555-01XX`
/// number of its own, so no two templates meet through a phone by chance.
fn ads(n: usize) -> (Vec<String>, Vec<u32>, usize) {
    let mut rng = Rng(9);
    let vocab: Vec<String> = (0..3000)
        .map(|_| format!("{}{}", rng.pick(SYL_A), rng.pick(SYL_B)))
        .collect();
    let templates: Vec<Vec<Vec<usize>>> = (0..(n / 100).max(1))
        .map(|_| {
            (0..3 + rng.below(3))
                .map(|_| {
                    (0..5 + rng.below(6))
                        .map(|_| rng.below(vocab.len()))
                        .collect()
                })
                .collect()
        })
        .collect();
    const EMOJI: &[&str] = &["💋", "🌹", "🔥", "😘", "✨"];
    let mut ads = Vec::with_capacity(n);
    let mut truth = Vec::with_capacity(n);
    for _ in 0..n {
        let t = rng.below(templates.len());
        let mut sentences = templates[t].clone();
        if rng.chance(0.3) {
            sentences.rotate_left(1);
        }
        let mut text = String::new();
        for s in &sentences {
            for (k, &w) in s.iter().enumerate() {
                if k == s.len() / 2 && rng.chance(0.1) {
                    text.push_str(&vocab[rng.below(vocab.len())]);
                } else {
                    text.push_str(&vocab[w]);
                }
                if rng.chance(0.05) {
                    text.push_str(rng.pick(EMOJI));
                }
                text.push(' ');
            }
            text.push_str(". ");
        }
        if t < NPAS.len() * 100 && rng.chance(0.5) {
            text.push_str(&format!("call {}-555-01{:02}", NPAS[t / 100], t % 100));
        }
        ads.push(text);
        truth.push(t as u32);
    }
    (ads, truth, templates.len())
}

fn bench_texts(n: usize) {
    let (ads, truth, templates) = ads(n);
    let t0 = Instant::now();
    let mut tc = TextClusterer::new(TextConfig::default());
    for a in &ads {
        tc.add(a);
    }
    let t1 = Instant::now();
    let c = tc.cluster();
    let t2 = Instant::now();
    let (p, r, f) = link::eval::pairwise(c.cluster_of.iter().zip(truth.iter()));
    println!(
        "texts n={n} ({templates} templates): minhash {:.2}s, lsh+cluster {:.2}s, total {:.2}s; peak RSS {:.0} MiB; {} clusters; pairwise P {p:.4} R {r:.4} F1 {f:.4}",
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64(),
        (t2 - t0).as_secs_f64(),
        peak_mib(),
        c.groups.len()
    );
}

/// The generated persons as CSV with a `truth` column (entity number).
fn write_csv(n: usize, path: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut rng = Rng(42);
    let (records, truth) = persons(n, &mut rng);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        out,
        "unique_id,truth,first_name,surname,dob,address,city,state,postcode,phone"
    )?;
    let o = |s: &Option<String>| s.clone().unwrap_or_default();
    for (i, (r, t)) in records.iter().zip(&truth).enumerate() {
        let dob = r
            .dob
            .map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day))
            .unwrap_or_default();
        writeln!(
            out,
            "{i},{t},{},{},{dob},{},{},{},{},{}",
            o(&r.first_name),
            o(&r.last_name),
            o(&r.address),
            o(&r.city),
            o(&r.state),
            o(&r.postcode),
            r.phones.first().cloned().unwrap_or_default()
        )?;
    }
    out.flush()
}

/// The generated ads as JSON lines for `clearinghouse cluster-ads`, with a
/// `template` field (the truth) that the command ignores.
fn write_ads(n: usize, path: &str) -> std::io::Result<()> {
    use std::io::Write;
    let (ads, truth, _) = ads(n);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for (i, (text, t)) in ads.iter().zip(&truth).enumerate() {
        let line = serde_json::json!({"id": format!("ad-{i}"), "body": text, "template": t});
        writeln!(out, "{line}")?;
    }
    out.flush()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map_or("persons", String::as_str);
    let n = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(200_000);
    match mode {
        "persons" => bench_persons(n),
        "index" => bench_index(n),
        "texts" => bench_texts(n),
        "csv" => {
            let path = args.get(3).map_or("persons.csv", String::as_str);
            if let Err(e) = write_csv(n, path) {
                eprintln!("{path}: {e}");
            }
        }
        "ads" => {
            let path = args.get(3).map_or("ads.jsonl", String::as_str);
            if let Err(e) = write_ads(n, path) {
                eprintln!("{path}: {e}");
            }
        }
        other => eprintln!("unknown mode {other}: persons | index | texts | csv | ads"),
    }
}
