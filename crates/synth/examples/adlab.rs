//! Measurements behind issue 17 (ad clustering on formulaic boards): how well exact
//! rarity-weighted Jaccard separates an operation's ads from the rest, per generator.
//!
//! ```text
//! cargo run --release -p synth --example adlab -- sims 20000 [WORDS]   exact similarity quantiles, P@k
//! cargo run --release -p synth --example adlab -- agreement 20000      judge statistics per true phone
//! SNN=1 cargo run --release -p synth --example adlab -- knn 20000      neighbour lists, SNN strengths
//! SNN=1 cargo run --release -p synth --example adlab -- score 20000    F1 on both generators
//! ```
//! `SNN=1` starts from `AdConfig::neighbourhoods()` with knobs from the environment (`K`,
//! `MINSIM`, `WINDOW`, `SHARED`, `MEAN`, `PAIRS`, `COPIES`, `BANDS`, `ROWS`); `RARITY=1` from
//! `AdConfig::rarity()`.

use link::ads::AdRecord;
use link::ShingleCounts;

struct Data {
    name: String,
    ads: Vec<AdRecord>,
    truth: Vec<u32>,
    phones: Vec<Vec<String>>,
}

fn datasets(n: usize) -> Vec<Data> {
    let mut out = Vec::new();
    for rotating in [false, true] {
        let b = synth::boards::board(&synth::boards::BoardConfig::new(7, n, rotating));
        out.push(Data {
            name: format!("boards {}", if rotating { "rot" } else { "fix" }),
            ads: b.ads,
            truth: b.operation,
            phones: b.phones,
        });
        let m = synth::market::generate(&synth::market::MarketConfig {
            seed: 1,
            ads: n,
            rotating,
        });
        out.push(Data {
            name: format!("market {}", if rotating { "rot" } else { "fix" }),
            ads: m.ads,
            truth: m.operation,
            phones: m
                .phones
                .iter()
                .map(|p| p.iter().map(|n| format!("+1{n}")).collect())
                .collect(),
        });
    }
    out
}

fn blanked(ex: &extract::Extractor, text: &str) -> String {
    let mut spans: Vec<std::ops::Range<usize>> = ex
        .extract(text)
        .into_iter()
        .filter(|e| {
            matches!(
                e.kind,
                extract::EntityKind::Phone
                    | extract::EntityKind::Email
                    | extract::EntityKind::Handle
            )
        })
        .map(|e| e.span)
        .collect();
    spans.sort_by_key(|r| r.start);
    let mut out = String::new();
    let mut at = 0;
    for r in spans {
        if r.start >= at && r.end <= text.len() {
            out.push_str(&text[at..r.start]);
            out.push(' ');
            at = r.end;
        }
    }
    out.push_str(&text[at..]);
    out
}

fn wj(a: &[u64], b: &[u64], w: &dyn Fn(u64) -> f32) -> f32 {
    let (mut i, mut j) = (0, 0);
    let (mut num, mut den) = (0f32, 0f32);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => {
                den += w(a[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                den += w(b[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                let x = w(a[i]);
                num += x;
                den += x;
                i += 1;
                j += 1;
            }
        }
    }
    den += a[i..].iter().map(|&x| w(x)).sum::<f32>();
    den += b[j..].iter().map(|&x| w(x)).sum::<f32>();
    if den > 0.0 {
        num / den
    } else {
        0.0
    }
}

fn q(v: &mut [f32], p: f64) -> f32 {
    if v.is_empty() {
        return f32::NAN;
    }
    v.sort_by(f32::total_cmp);
    v[((v.len() - 1) as f64 * p) as usize]
}

fn sims(n: usize, words: usize) {
    let ex = extract::Extractor::new();
    for d in datasets(n) {
        let sh: Vec<Vec<u64>> = d
            .ads
            .iter()
            .map(|a| link::shingles(&blanked(&ex, &a.text()), words))
            .collect();
        let mut counts = ShingleCounts::new();
        for s in &sh {
            counts.add(s.iter().copied());
        }
        let w = |x: u64| counts.weight(x);
        let mut size = std::collections::HashMap::<u32, usize>::new();
        for &t in &d.truth {
            *size.entry(t).or_default() += 1;
        }
        let queries: Vec<usize> = (0..d.ads.len())
            .filter(|&i| size[&d.truth[i]] >= 3)
            .step_by(47)
            .take(300)
            .collect();
        let (mut same, mut diff) = (Vec::new(), Vec::new());
        let mut prec = [0f64; 4];
        let ks = [1, 5, 10, 20];
        for &i in &queries {
            let mut all: Vec<(f32, bool)> = Vec::with_capacity(n);
            for j in 0..d.ads.len() {
                if j == i {
                    continue;
                }
                let s = wj(&sh[i], &sh[j], &w);
                let t = d.truth[i] == d.truth[j];
                if t {
                    same.push(s);
                } else {
                    diff.push(s);
                }
                all.push((s, t));
            }
            all.sort_by(|a, b| b.0.total_cmp(&a.0));
            for (p, &k) in prec.iter_mut().zip(&ks) {
                let kk = k.min(size[&d.truth[i]] - 1);
                *p += all[..kk].iter().filter(|x| x.1).count() as f64 / kk as f64;
            }
        }
        println!(
            "{}: same q10 {:.3} q50 {:.3} q90 {:.3} | diff q99 {:.3} q999 {:.3} q9999 {:.3} | P@1 {:.3} P@5 {:.3} P@10 {:.3} P@20 {:.3}",
            d.name,
            q(&mut same, 0.1),
            q(&mut same, 0.5),
            q(&mut same, 0.9),
            q(&mut diff, 0.99),
            q(&mut diff, 0.999),
            q(&mut diff, 0.9999),
            prec[0] / queries.len() as f64,
            prec[1] / queries.len() as f64,
            prec[2] / queries.len() as f64,
            prec[3] / queries.len() as f64,
        );
    }
}

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The configuration under test: `AdConfig::default()`, `RARITY=1` for `AdConfig::rarity()`,
/// `SNN=1` for the neighbourhood graph with knobs from the environment.
fn config() -> link::ads::AdConfig {
    let mut c = if env("SNN", 0) == 1 {
        link::ads::AdConfig::neighbourhoods()
    } else if env("RARITY", 0) == 1 {
        link::ads::AdConfig::rarity()
    } else {
        link::ads::AdConfig::default()
    };
    if env("SNN", 0) == 1 {
        let d = link::neighbours::NeighbourConfig::default();
        c.neighbours = Some(link::neighbours::NeighbourConfig {
            k: env("K", d.k),
            min_similarity: env("MINSIM", d.min_similarity),
            window: env("WINDOW", d.window),
            min_shared: env("SHARED", d.min_shared),
            min_mean: env("MEAN", d.min_mean),
            mean_pairs: env("PAIRS", d.mean_pairs),
            distinct_mean: env("DISTINCT", d.distinct_mean),
            place_mean: env("PLACE", d.place_mean),
            copies: env("COPIES", d.copies),
        });
    }
    c.text.bands = env("BANDS", c.text.bands);
    c.text.rows = env("ROWS", c.text.rows);
    c
}

fn score(n: usize) {
    let config = config();
    let mut line = Vec::new();
    for d in datasets(n) {
        let t = std::time::Instant::now();
        let c = link::ads::cluster_ads(&d.ads, &config, |_| {});
        let secs = t.elapsed().as_secs_f64();
        let (p, r, f) = link::eval::pairwise(c.cluster_of.iter().zip(&d.truth));
        let no_text = {
            let mut ids = config.clone();
            ids.text.threshold = 1e9;
            ids.neighbours = None;
            link::ads::cluster_ads(&d.ads, &ids, |_| {}).cluster_of
        };
        let (tp, tr, tf) = link::eval::pairwise(c.templates.cluster_of.iter().zip(&d.truth));
        let (ip, ir, if_) = link::eval::pairwise(no_text.iter().zip(&d.truth));
        println!(
            "   text groups {} (largest {}), text P {tp:.3} R {tr:.3} F1 {tf:.3}; ids P {ip:.3} R {ir:.3} F1 {if_:.3}",
            c.templates.groups.len(),
            c.templates.groups.first().map_or(0, |g| g.members.len())
        );
        println!("{}: P {p:.4} R {r:.4} F1 {f:.4} ({secs:.2}s)", d.name);
        line.push(format!("{f:.3}"));
    }
    println!("F1 {}", line.join(" "));
}

/// The neighbour lists the pipeline builds: how pure they are, and the shared-neighbour
/// strength of true and false pairs in them.
fn knn(n: usize) {
    let ex = extract::Extractor::new();
    let config = config();
    let nc = config.neighbours.clone().unwrap_or_default();
    for d in datasets(n) {
        let texts = link::TextClusterer::new(config.text.clone());
        let sh: Vec<Vec<u64>> = d
            .ads
            .iter()
            .map(|a| texts.shingles(&blanked(&ex, &a.text())))
            .collect();
        let mut counts = ShingleCounts::new();
        for s in &sh {
            counts.add(s.iter().copied());
        }
        let mut masses: Vec<f32> = sh
            .iter()
            .map(|s| texts.mass(s, &counts))
            .filter(|&m| m > 0.0)
            .collect();
        let floor = q(&mut masses, 0.5) * link::ads::PAD_TO_MEDIAN;
        let mut ws = link::neighbours::WeightedSets::new();
        let mut tc = link::TextClusterer::new(config.text.clone());
        for (i, s) in sh.iter().enumerate() {
            ws.push(s, |x| counts.weight(x), floor);
            tc.add_signature(&texts.weighted_signature(s, &counts, Some((i as u64, floor))));
        }
        let hood = link::neighbours::nearest(
            &ws,
            tc.signatures(),
            tc.empties(),
            config.text.bands,
            config.text.rows,
            &nc,
            2,
        );
        let (mut listed, mut right) = (0usize, 0usize);
        let mut st_true = vec![0usize; nc.k + 2];
        let mut st_false = vec![0usize; nc.k + 2];
        for a in 0..d.ads.len() as u32 {
            for (_, b) in hood.of(a) {
                listed += 1;
                let t = d.truth[a as usize] == d.truth[b as usize];
                right += usize::from(t);
                let st = hood.strength(a, b);
                if t {
                    st_true[st] += 1;
                } else {
                    st_false[st] += 1;
                }
            }
        }
        println!(
            "{}: {:.2} neighbours per text, {:.3} of them right; strength true {:?} false {:?}",
            d.name,
            listed as f64 / d.ads.len() as f64,
            right as f64 / listed.max(1) as f64,
            st_true,
            st_false
        );
    }
}

/// Mean similarity of sampled pairs of the ads carrying each true phone (of 3 ads or
/// more), for operations' phones and for hubs (ads of several operations).
fn agreement(n: usize) {
    let ex = extract::Extractor::new();
    for d in datasets(n) {
        let texts = link::TextClusterer::new(link::TextConfig::default());
        let sh: Vec<Vec<u64>> = d
            .ads
            .iter()
            .map(|a| texts.shingles(&blanked(&ex, &a.text())))
            .collect();
        let mut counts = ShingleCounts::new();
        for s in &sh {
            counts.add(s.iter().copied());
        }
        let mut masses: Vec<f32> = sh
            .iter()
            .map(|s| texts.mass(s, &counts))
            .filter(|&m| m > 0.0)
            .collect();
        let floor = q(&mut masses, 0.5) * link::ads::PAD_TO_MEDIAN;
        let mut padded = link::neighbours::WeightedSets::new();
        let mut bare = link::neighbours::WeightedSets::new();
        let mut plain = link::neighbours::WeightedSets::new();
        for s in &sh {
            padded.push(s, |x| counts.weight(x), floor);
            bare.push(s, |x| counts.weight(x), 0.0);
            plain.push(s, |_| 1.0, 0.0);
        }
        let mut by_phone: std::collections::HashMap<&str, Vec<u32>> = Default::default();
        for (i, ps) in d.phones.iter().enumerate() {
            for p in ps {
                by_phone.entry(p).or_default().push(i as u32);
            }
        }
        let mut out: [[Vec<f32>; 3]; 2] = Default::default();
        for recs in by_phone.values().filter(|r| r.len() >= 3) {
            let ops: std::collections::HashSet<u32> =
                recs.iter().map(|&r| d.truth[r as usize]).collect();
            let hub = usize::from(ops.len() > 1);
            for (m, ws) in [&padded, &bare, &plain].into_iter().enumerate() {
                let (mut sum, mut k) = (0.0, 0);
                for x in 0..recs.len().min(64) {
                    let (a, b) = (recs[x], recs[(x * 7 + 1 + x / recs.len()) % recs.len()]);
                    if a != b {
                        sum += ws.similarity(a, b);
                        k += 1;
                    }
                }
                out[hub][m].push(sum / k.max(1) as f32);
            }
        }
        for (hub, name) in [(0, "op phones"), (1, "hubs")] {
            let mut line = format!("{} {name} ({}):", d.name, out[hub][0].len());
            for (m, label) in ["padded", "weighted", "plain"].iter().enumerate() {
                let v = &mut out[hub][m];
                line += &format!(
                    " {label} q01 {:.3} q10 {:.3} q50 {:.3} q90 {:.3} q99 {:.3} |",
                    q(v, 0.01),
                    q(v, 0.1),
                    q(v, 0.5),
                    q(v, 0.9),
                    q(v, 0.99)
                );
            }
            println!("{line}");
        }
    }
}

/// Wall time of `cluster_ads_owned` on a fixed-phone board of `n` ads (the board's
/// generation not counted), with the configuration under test.
fn time(n: usize) {
    let b = synth::boards::board(&synth::boards::BoardConfig::new(7, n, false));
    let truth = b.operation;
    let t = std::time::Instant::now();
    let c = link::ads::cluster_ads_owned(b.ads, &config(), |_| {});
    let secs = t.elapsed().as_secs_f64();
    let (p, r, f) = link::eval::pairwise(c.cluster_of.iter().zip(&truth));
    println!("{n} ads clustered in {secs:.2} s: P {p:.4} R {r:.4} F1 {f:.4}");
}

/// Where recall is lost: for each true operation, how many result clusters hold it, and the
/// mean bare weighted similarity between its two largest pieces.
fn split(n: usize) {
    let ex = extract::Extractor::new();
    let config = config();
    for d in datasets(n) {
        let c = link::ads::cluster_ads(&d.ads, &config, |_| {});
        let texts = link::TextClusterer::new(config.text.clone());
        let sh: Vec<Vec<u64>> = d
            .ads
            .iter()
            .map(|a| texts.shingles(&blanked(&ex, &a.text())))
            .collect();
        let mut counts = ShingleCounts::new();
        for s in &sh {
            counts.add(s.iter().copied());
        }
        let mut ws = link::neighbours::WeightedSets::new();
        for s in &sh {
            ws.push(s, |x| counts.weight(x), 0.0);
        }
        let mut ops: std::collections::HashMap<u32, Vec<u32>> = Default::default();
        for (i, &t) in d.truth.iter().enumerate() {
            ops.entry(t).or_default().push(i as u32);
        }
        // FN pairs by op size bucket; pieces' mean similarity.
        let mut fn_by = [0usize; 4];
        let mut tot_by = [0usize; 4];
        let mut within = Vec::new();
        let mut across = Vec::new();
        for members in ops.values() {
            let m = members.len();
            if m < 2 {
                continue;
            }
            let b = match m {
                2..=5 => 0,
                6..=15 => 1,
                16..=40 => 2,
                _ => 3,
            };
            let mut pieces: std::collections::HashMap<u32, Vec<u32>> = Default::default();
            for &i in members {
                pieces.entry(c.cluster_of[i as usize]).or_default().push(i);
            }
            let pairs = m * (m - 1) / 2;
            let kept: usize = pieces.values().map(|p| p.len() * (p.len() - 1) / 2).sum();
            fn_by[b] += pairs - kept;
            tot_by[b] += pairs;
            let mut ps: Vec<&Vec<u32>> = pieces.values().collect();
            ps.sort_by_key(|p| std::cmp::Reverse(p.len()));
            if m >= 41 && pairs - kept > 1500 {
                let sizes: Vec<usize> = ps.iter().map(|p| p.len()).take(12).collect();
                let mut s = 0.0;
                let mut k = 0;
                for &a in ps[0].iter() {
                    for &b in ps[1].iter() {
                        s += ws.similarity(a, b);
                        k += 1;
                    }
                }
                let mut s2 = 0.0;
                let mut k2 = 0;
                for &a in ps[0].iter() {
                    for &b in ps[0].iter() {
                        if a < b {
                            s2 += ws.similarity(a, b);
                            k2 += 1;
                        }
                    }
                }
                println!(
                    "   op of {m}: FN {} pieces {:?} across01 {:.3} within0 {:.3}",
                    pairs - kept,
                    sizes,
                    s / k.max(1) as f32,
                    s2 / k2.max(1) as f32
                );
            }
            if ps.len() >= 2 && ps[1].len() >= 2 {
                let mean = |x: &[u32], y: &[u32]| {
                    let mut s = 0.0;
                    let mut k = 0;
                    for &a in x {
                        for &b in y {
                            if a != b {
                                s += ws.similarity(a, b);
                                k += 1;
                            }
                        }
                    }
                    s / k.max(1) as f32
                };
                within.push(mean(ps[0], ps[0]));
                across.push(mean(ps[0], ps[1]));
            }
        }
        let mut clusters: std::collections::HashMap<u32, Vec<u32>> = Default::default();
        for (i, &c) in c.cluster_of.iter().enumerate() {
            clusters.entry(c).or_default().push(i as u32);
        }
        let mut wrong = Vec::new();
        let mut fp = 0usize;
        for members in clusters.values() {
            let mut by: std::collections::HashMap<u32, Vec<u32>> = Default::default();
            for &i in members {
                by.entry(d.truth[i as usize]).or_default().push(i);
            }
            if by.len() < 2 {
                continue;
            }
            let total = members.len() * (members.len() - 1) / 2;
            let same: usize = by.values().map(|p| p.len() * (p.len() - 1) / 2).sum();
            fp += total - same;
            let mut ps: Vec<&Vec<u32>> = by.values().collect();
            ps.sort_by_key(|p| std::cmp::Reverse(p.len()));
            let mut s = 0.0;
            let mut k = 0;
            for &a in ps[0] {
                for &b in ps[1] {
                    s += ws.similarity(a, b);
                    k += 1;
                }
            }
            wrong.push((
                total - same,
                ps[0].len(),
                ps[1].len(),
                by.len(),
                s / k.max(1) as f32,
            ));
        }
        wrong.sort_by_key(|w| std::cmp::Reverse(w.0));
        let mut bad: std::collections::BTreeMap<String, (usize, usize, String)> =
            Default::default();
        for l in &c.shared {
            if d.truth[l.a as usize] != d.truth[l.b as usize] {
                for e in &l.evidence {
                    let v = bad.entry(e.value.clone()).or_insert((
                        0,
                        e.records,
                        format!("{:?}", e.context),
                    ));
                    v.0 += 1;
                }
            }
        }
        println!(
            "   cross-op identifier links: {:?}",
            bad.iter().take(8).collect::<Vec<_>>()
        );
        println!(
            "   FP pairs {fp}; worst merges (fp, op1, op2, ops, mean across): {:?}",
            &wrong[..wrong.len().min(6)]
        );
        println!(
            "{}: FN pairs by op size 2-5/6-15/16-40/41+: {:?} of {:?}",
            d.name, fn_by, tot_by
        );
        println!("   split ops {}: mean within largest piece q50 {:.3}; across two largest q10 {:.3} q50 {:.3} q90 {:.3}",
            within.len(), q(&mut within, 0.5), q(&mut across, 0.1), q(&mut across, 0.5), q(&mut across, 0.9));
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let words = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2);
    match args.first().map(String::as_str) {
        Some("sims") => sims(n, words),
        Some("score") => score(n),
        Some("knn") => knn(n),
        Some("agreement") => agreement(n),
        Some("time") => time(n),
        Some("split") => split(n),
        _ => eprintln!("usage: adlab sims N [WORDS]"),
    }
}
