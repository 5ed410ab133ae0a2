//! Writes a world to a directory (the layout documented in the crate root).
//!
//! Worker threads render whole chunks (JSON lines in memory, report XML straight to their own
//! files) and the calling thread appends them to the shared files strictly in chunk order, so
//! the output is byte-identical whatever the number of threads or their timing.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use serde::{Deserialize, Serialize};

use crate::error::SynthError;
use crate::gen::{Generator, Kind};
use crate::records::Record;
use crate::Config;

/// Version of the directory layout and file formats; bumped on any incompatible change.
pub const FORMAT: u32 = 1;

/// Record and world counts, as in `manifest.json`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub cases: u64,
    pub reports: u64,
    pub tips: u64,
    pub ads: u64,
    /// All records: cases + reports + tips + ads (equals the scale).
    pub records: u64,
    pub persons: u64,
    pub networks: u64,
    pub shared_identifiers: u64,
}

/// `manifest.json`: written last, so its presence means the directory is complete.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub generator: String,
    pub version: String,
    pub seed: u64,
    pub scale: u64,
    pub counts: Counts,
}

/// What [`crate::generate`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub dir: PathBuf,
    pub counts: Counts,
}

/// What one worker made of one chunk.
struct Rendered {
    lines: Vec<u8>,
    truth: Vec<u8>,
    records: u64,
}

fn json_line<T: Serialize>(buf: &mut Vec<u8>, value: &T, what: &str) -> Result<(), SynthError> {
    serde_json::to_writer(&mut *buf, value).map_err(|e| SynthError::Internal {
        what: what.to_string(),
        detail: e.to_string(),
    })?;
    buf.push(b'\n');
    Ok(())
}

/// The directory of report `n`'s file, relative to the output directory.
pub fn report_dir(n: usize) -> String {
    format!("reports/{:03}", n / crate::gen::CHUNK)
}

fn render(g: &Generator, kind: Kind, c: usize, out: &Path) -> Result<Rendered, SynthError> {
    let items = g.chunk(kind, c)?;
    let mut lines = Vec::with_capacity(items.len() * 400);
    let mut truth = Vec::with_capacity(items.len() * 200);
    if kind == Kind::Report && !items.is_empty() {
        let dir = out.join(report_dir(c * crate::gen::CHUNK));
        fs::create_dir_all(&dir).map_err(|e| SynthError::io(&dir, e))?;
    }
    for (rec, t) in &items {
        match rec {
            Record::Case(x) => json_line(&mut lines, x, "a case")?,
            Record::Tip(x) => json_line(&mut lines, x, "a tip")?,
            Record::Ad(x) => json_line(&mut lines, x, "an ad")?,
            Record::Report { id, report } => {
                let path = out
                    .join(report_dir(c * crate::gen::CHUNK))
                    .join(format!("{id}.xml"));
                fs::write(&path, cybertip::to_xml(report)).map_err(|e| SynthError::io(&path, e))?;
            }
        }
        json_line(&mut truth, t, "a truth record")?;
    }
    Ok(Rendered {
        lines,
        truth,
        records: items.len() as u64,
    })
}

fn create(path: PathBuf) -> Result<(BufWriter<File>, PathBuf), SynthError> {
    let f = File::create(&path).map_err(|e| SynthError::io(&path, e))?;
    Ok((BufWriter::with_capacity(1 << 20, f), path))
}

fn put(w: &mut (BufWriter<File>, PathBuf), bytes: &[u8]) -> Result<(), SynthError> {
    w.0.write_all(bytes).map_err(|e| SynthError::io(&w.1, e))
}

fn finish(mut w: (BufWriter<File>, PathBuf)) -> Result<(), SynthError> {
    w.0.flush().map_err(|e| SynthError::io(&w.1, e))
}

fn write_jsonl<T: Serialize>(path: PathBuf, items: &[T], what: &str) -> Result<(), SynthError> {
    let mut w = create(path)?;
    let mut buf = Vec::new();
    for it in items {
        buf.clear();
        json_line(&mut buf, it, what)?;
        put(&mut w, &buf)?;
    }
    finish(w)
}

/// Refuses a path that is a file or a non-empty directory, creates it otherwise.
fn prepare(out: &Path) -> Result<(), SynthError> {
    if out.exists() {
        if !out.is_dir() {
            return Err(SynthError::NotADirectory {
                path: out.to_path_buf(),
            });
        }
        let mut entries = fs::read_dir(out).map_err(|e| SynthError::io(out, e))?;
        if entries.next().is_some() {
            return Err(SynthError::NotEmpty {
                path: out.to_path_buf(),
            });
        }
    }
    for d in [out.to_path_buf(), out.join("truth"), out.join("reports")] {
        fs::create_dir_all(&d).map_err(|e| SynthError::io(&d, e))?;
    }
    Ok(())
}

fn threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
}

pub fn generate(
    cfg: &Config,
    out: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Summary, SynthError> {
    prepare(out)?;
    let g = Generator::new(cfg);
    let total = g.plan().total() as u64;
    progress(0, total);
    let mut truth = create(out.join("truth").join("records.jsonl"))?;
    let mut done = 0u64;
    for kind in Kind::ALL {
        let mut main = match kind {
            Kind::Case => Some(create(out.join("cases.jsonl"))?),
            Kind::Tip => Some(create(out.join("tips.jsonl"))?),
            Kind::Ad => Some(create(out.join("ads.jsonl"))?),
            Kind::Report => None,
        };
        let chunks = g.chunks(kind);
        let next = AtomicUsize::new(0);
        let workers = threads().min(chunks.max(1));
        let result = std::thread::scope(|s| -> Result<(), SynthError> {
            let (tx, rx) = mpsc::sync_channel::<(usize, Result<Rendered, SynthError>)>(workers * 2);
            for _ in 0..workers {
                let tx = tx.clone();
                let (g, next) = (&g, &next);
                s.spawn(move || loop {
                    let c = next.fetch_add(1, Ordering::Relaxed);
                    if c >= chunks {
                        break;
                    }
                    let failed = {
                        let res = render(g, kind, c, out);
                        let failed = res.is_err();
                        if tx.send((c, res)).is_err() {
                            break;
                        }
                        failed
                    };
                    if failed {
                        // Stop taking work; the receiver reports the error.
                        next.store(chunks, Ordering::Relaxed);
                        break;
                    }
                });
            }
            drop(tx);
            let mut pending: BTreeMap<usize, Rendered> = BTreeMap::new();
            let mut want = 0usize;
            for (c, res) in rx.iter() {
                // Returning drops the receiver, so workers stop at their next send.
                pending.insert(c, res?);
                while let Some(r) = pending.remove(&want) {
                    if let Some(m) = main.as_mut() {
                        put(m, &r.lines)?;
                    }
                    put(&mut truth, &r.truth)?;
                    done += r.records;
                    progress(done, total);
                    want += 1;
                }
            }
            Ok(())
        });
        result?;
        if let Some(m) = main {
            finish(m)?;
        }
    }
    finish(truth)?;

    let world = g.truth();
    let t = out.join("truth");
    write_jsonl(t.join("persons.jsonl"), &world.persons, "a person")?;
    write_jsonl(t.join("networks.jsonl"), &world.networks, "a network")?;
    write_jsonl(
        t.join("shared_identifiers.jsonl"),
        &world.shared_identifiers,
        "a shared identifier",
    )?;

    let plan = g.plan();
    let counts = Counts {
        cases: plan.cases as u64,
        reports: plan.reports as u64,
        tips: plan.tips as u64,
        ads: plan.ads as u64,
        records: total,
        persons: world.persons.len() as u64,
        networks: world.networks.len() as u64,
        shared_identifiers: world.shared_identifiers.len() as u64,
    };
    let manifest = Manifest {
        format: FORMAT,
        generator: "synth".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        seed: cfg.seed,
        scale: cfg.scale,
        counts: counts.clone(),
    };
    let path = out.join("manifest.json");
    let mut bytes = serde_json::to_vec_pretty(&manifest).map_err(|e| SynthError::Internal {
        what: "the manifest".to_string(),
        detail: e.to_string(),
    })?;
    bytes.push(b'\n');
    fs::write(&path, bytes).map_err(|e| SynthError::io(&path, e))?;
    Ok(Summary {
        dir: out.to_path_buf(),
        counts,
    })
}
