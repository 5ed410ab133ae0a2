//! Throughput of `Triage::assess` on synthetic reports: prints reports per
//! second and how the priorities came out.
//!
//! `cargo run --release -p triage --example assess [-- N]` (default 20,000).

use std::time::Instant;

use triage::{Facts, Location, Priority, Subject, TextField, Triage};

/// Sentences a synthetic narrative is made of: ordinary ones, risk
/// factors, red flags and a few of imminent danger.
const SENTENCES: &[&str] = &[
    "The reporting person called about a missing teenager.",
    "She was last seen near the bus station on Tuesday.",
    "Her mother said she has been staying with friends.",
    "She has been reported missing several times this year.",
    "A neighbour saw her with an older boyfriend in a black car.",
    "She is 16 years old and lives in a group home.",
    "Photos were posted on an escort site with the words new in town.",
    "The ad listed 212-555-0147 and a rate of $200/hr.",
    "She was seen at the motel off the interstate with two other girls.",
    "She has a barcode tattoo on her neck and no ID.",
    "She talked about the life and a nightly quota.",
    "School staff noticed a new group of friends and a new phone.",
    "She said she was bullied at school.",
    "The family is homeless and couch surfing.",
    "She said she can't leave the apartment.",
    "Contact was through Snapchat and Instagram.",
    "He threatened to share her pictures unless she pays.",
    "Seen in Houston, TX and later in Dallas, TX.",
    "Nothing further was reported.",
    "Officers will follow up with the school on Monday.",
];

/// A small deterministic generator, so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let reports: Vec<(String, Facts)> = (0..n)
        .map(|_| {
            let len = 2 + rng.below(8);
            let text: Vec<&str> = (0..len)
                .map(|_| SENTENCES[rng.below(SENTENCES.len())])
                .collect();
            let facts = Facts {
                escalate_to_high_priority: rng.below(50) == 0,
                victim_ages: vec![12 + rng.below(9) as u32],
                runaway: rng.below(2) == 0,
                missing_from_care: rng.below(5) == 0,
                episodes: Some(1 + rng.below(5) as u32),
                locations: vec![Location {
                    state: Some(["OH", "TX", "FL", "NY"][rng.below(4)].into()),
                    ..Location::default()
                }],
                ..Facts::default()
            };
            (text.join(" "), facts)
        })
        .collect();
    let bytes: usize = reports.iter().map(|(t, _)| t.len()).sum();

    let built = Instant::now();
    let triage = Triage::default();
    let build = built.elapsed();

    let started = Instant::now();
    let mut counts = [0usize; 4];
    for (text, facts) in &reports {
        let a = triage.assess(&Subject {
            texts: vec![TextField {
                field: "narrative",
                text,
            }],
            facts: facts.clone(),
        });
        counts[usize::from(a.priority.rank())] += 1;
    }
    let secs = started.elapsed().as_secs_f64().max(1e-9);

    println!(
        "built triage (catalogue v{}, {} indicators) in {:.1} ms",
        triage.catalogue().version,
        triage.catalogue().indicators.len(),
        build.as_secs_f64() * 1e3
    );
    println!(
        "assessed {n} reports ({:.1} MB) in {secs:.2} s: {:.0} reports/s, {:.1} MB/s",
        bytes as f64 / 1e6,
        n as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
    for p in Priority::ALL {
        println!("  {:<9} {}", p.label(), counts[usize::from(p.rank())]);
    }
}
