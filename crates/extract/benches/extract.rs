//! Throughput bench: extraction over generated text, reported in MB/s, with
//! criterion's statistics on 1 MB slices. Three corpora: the dense ad-like
//! labelled corpus of the quality test (about 15 entities per 250-byte text,
//! the worst case), online ads as sites carry them, and prose-heavy report
//! narratives (2-6 KB, a few identifiers each). Set `EXTRACT_BENCH_MB` to
//! change the size of each (default 100). The headline figure (a mixed
//! 100 MB corpus, per core) is `examples/throughput.rs`.

#[path = "../tests/integration/synth.rs"]
mod synth;

use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// Dense ad-like texts from the labelled corpus generator.
fn ads(mb: usize) -> Vec<String> {
    let mut s = synth::Synth::new(42);
    let mut docs = Vec::new();
    let mut total = 0;
    while total < mb * 1_000_000 {
        let d = s.doc().text;
        total += d.len();
        docs.push(d);
    }
    docs
}

/// Online ads: a few lines around one contact number.
fn site_ads(mb: usize) -> Vec<String> {
    let mut s = synth::Synth::new(44);
    let mut docs = Vec::new();
    let mut total = 0;
    while total < mb * 1_000_000 {
        let d = s.ad();
        total += d.len();
        docs.push(d);
    }
    docs
}

/// Prose-heavy report narratives (2-6 KB each, a few identifiers each).
fn narratives(mb: usize) -> Vec<String> {
    let mut s = synth::Synth::new(43);
    let mut docs = Vec::new();
    let mut total = 0;
    let mut k = 0;
    while total < mb * 1_000_000 {
        let d = s.narrative(2000 + (k % 5) * 1000);
        k += 1;
        total += d.len();
        docs.push(d);
    }
    docs
}

/// One timed pass over a whole corpus, printed plainly.
fn timed(name: &str, x: &extract::Extractor, docs: &[String]) {
    let bytes: usize = docs.iter().map(String::len).sum();
    let ascii = docs.iter().filter(|d| d.is_ascii()).count();
    let t = Instant::now();
    let mut n = 0;
    for d in docs {
        n += x.extract(d).len();
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{name}: {:.1} MB in {:.2} s = {:.1} MB/s ({} docs, {:.0}% ASCII, {} entities)",
        bytes as f64 / 1e6,
        secs,
        bytes as f64 / 1e6 / secs,
        docs.len(),
        100.0 * ascii as f64 / docs.len().max(1) as f64,
        n
    );
}

fn slice(docs: &[String], bytes: usize) -> (Vec<&str>, usize) {
    let mut out = Vec::new();
    let mut n = 0;
    for d in docs {
        if n >= bytes {
            break;
        }
        n += d.len();
        out.push(d.as_str());
    }
    (out, n)
}

fn bench(c: &mut Criterion) {
    let mb: usize = std::env::var("EXTRACT_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let x = extract::Extractor::new();
    let ads = ads(mb);
    let site = site_ads(mb);
    let narr = narratives(mb);
    timed("dense ads (labelled corpus)", &x, &ads);
    timed("ads", &x, &site);
    timed("report narratives", &x, &narr);

    // Criterion on 1 MB slices for a statistically sound figure.
    let mut g = c.benchmark_group("extract");
    g.sample_size(10);
    for (name, docs) in [
        ("dense_ads_1mb", &ads),
        ("ads_1mb", &site),
        ("narratives_1mb", &narr),
    ] {
        let (s, n) = slice(docs, 1_000_000);
        g.throughput(Throughput::Bytes(n as u64));
        g.bench_function(name, |b| {
            b.iter(|| s.iter().map(|d| x.extract(d).len()).sum::<usize>())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
