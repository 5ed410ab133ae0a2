//! `clearinghouse synth` (write a synthetic world) and `clearinghouse import` (load it, or
//! the same formats from elsewhere). Reading files and drawing progress live here; the
//! checks and the "insert if new" live in `service::intake::import`.

use anyhow::{bail, Context, Result};
use domain::tip::TipRecord;
use indicatif::{ProgressBar, ProgressStyle};
use service::intake::import::{AdRecord, Counts, RowError};
use service::Services;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// Rows per transaction: large enough that one commit covers many rows, small enough
/// that a rejected row's neighbours are not held back for long.
const BATCH: usize = 500;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "The output layout (cases.jsonl, tips.jsonl, ads.jsonl, reports/NNN/*.xml, truth/, manifest.json) is described in docs/import.md. Load it with `clearinghouse import DIR`."
)]
pub struct SynthArgs {
    /// Seed of the random world; the same seed and version give byte-identical output.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Number of records in all (cases, reports, tips and ads together).
    #[arg(long, default_value_t = 10_000)]
    pub scale: u64,
    /// Directory to write; must not exist yet or be empty.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Formats (docs/import.md):\n  *.xml           CyberTipline <report> documents (files or directories of them)\n  cases.jsonl     missing-child cases, one JSON object per line (field case_id)\n  tips.jsonl      public tips (fields id, submitted_at, incident_type, narrative …)\n  ads.jsonl       online ads (fields id, site, url, title, body …)\n  *.csv           online ads with the columns id,site,url,posted_at,city,state,title,body,image_hashes\nA JSON lines file is recognised by its name (cases, tips, ads) or, failing that, by the fields of its first line. Importing the same data twice adds nothing. Rejected rows are listed with their line numbers and reasons; the rest are imported, and the exit status is 1."
)]
pub struct ImportArgs {
    /// Files or directories to import (directories are walked; `truth/` is skipped).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

fn bar(total: u64, what: &str) -> ProgressBar {
    let pb = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        ProgressBar::new(total)
    } else {
        ProgressBar::hidden()
    };
    pb.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(what.to_owned());
    pb
}

pub fn synth(args: &SynthArgs) -> Result<()> {
    let start = std::time::Instant::now();
    let pb = bar(args.scale, "records");
    let summary = synth::generate(
        &synth::Config {
            seed: args.seed,
            scale: args.scale,
        },
        &args.out,
        &mut |done, total| {
            pb.set_length(total);
            pb.set_position(done);
        },
    )
    .with_context(|| format!("writing the synthetic world to {}", args.out.display()))?;
    pb.finish_and_clear();
    let c = summary.counts;
    eprintln!(
        "Wrote {} records to {} in {:.1} s: {} cases, {} reports, {} tips, {} ads ({} persons, {} networks).",
        c.records,
        args.out.display(),
        start.elapsed().as_secs_f64(),
        c.cases,
        c.reports,
        c.tips,
        c.ads,
        c.persons,
        c.networks
    );
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Reports,
    Cases,
    Tips,
    Ads,
    AdsCsv,
}

/// Every importable file under `paths`, in a stable order.
fn collect(paths: &[PathBuf]) -> Result<Vec<(Kind, PathBuf)>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("reading the directory {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n == "truth") {
                    continue;
                }
                walk(&p, out)?;
            } else {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut files)?;
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            bail!(
                "{} does not exist: give files or directories to import",
                p.display()
            );
        }
    }
    let mut out = Vec::new();
    for f in files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let kind = if name.ends_with(".xml") {
            Kind::Reports
        } else if name.ends_with(".csv") {
            Kind::AdsCsv
        } else if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
            if name.starts_with("cases") {
                Kind::Cases
            } else if name.starts_with("tips") {
                Kind::Tips
            } else if name.starts_with("ads") {
                Kind::Ads
            } else {
                sniff(&f)?
            }
        } else {
            // manifest.json and anything else are not records.
            continue;
        };
        out.push((kind, f));
    }
    Ok(out)
}

/// The kind of a JSON lines file, from the fields of its first line.
fn sniff(path: &Path) -> Result<Kind> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut first = String::new();
    std::io::BufReader::new(file).read_line(&mut first)?;
    let v: serde_json::Value = serde_json::from_str(&first)
        .with_context(|| format!("{}:1: the first line is not a JSON object", path.display()))?;
    if v.get("case_id").is_some() {
        Ok(Kind::Cases)
    } else if v.get("narrative").is_some() {
        Ok(Kind::Tips)
    } else if v.get("body").is_some() {
        Ok(Kind::Ads)
    } else {
        bail!("{}: cannot tell what the records are (no case_id, narrative or body field); name the file cases.jsonl, tips.jsonl or ads.jsonl", path.display())
    }
}

/// What an import did, for the summary.
#[derive(Default)]
pub struct Outcome {
    pub reports: Counts,
    pub tips: Counts,
    pub ads: Counts,
    pub cases: Counts,
    pub rejected: Vec<String>,
}

fn add(into: &mut Counts, c: Counts) {
    into.added += c.added;
    into.existing += c.existing;
}

fn reject(out: &mut Outcome, errors: Vec<(String, RowError)>) {
    out.rejected
        .extend(errors.into_iter().map(|(label, e)| format!("{label}: {e}")));
}

/// Imports everything under `paths` as `operator` (for the audit log).
pub async fn import(services: &Services, operator: &str, paths: &[PathBuf]) -> Result<Outcome> {
    let files = collect(paths)?;
    let total: u64 = files
        .iter()
        .map(|(_, p)| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum();
    let pb = bar(total, "bytes");
    let mut out = Outcome::default();
    let mut xml_batch: Vec<(String, Vec<u8>)> = Vec::new();
    for (kind, path) in &files {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        match kind {
            Kind::Reports => {
                let bytes =
                    std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
                xml_batch.push((path.display().to_string(), bytes));
                if xml_batch.len() >= BATCH {
                    let (c, e) = services.import_reports(operator, &xml_batch).await?;
                    add(&mut out.reports, c);
                    reject(&mut out, e);
                    xml_batch.clear();
                }
            }
            Kind::Cases | Kind::Tips | Kind::Ads => {
                import_lines(services, operator, *kind, path, &mut out).await?
            }
            Kind::AdsCsv => import_csv(services, operator, path, &mut out).await?,
        }
        pb.inc(size);
    }
    if !xml_batch.is_empty() {
        let (c, e) = services.import_reports(operator, &xml_batch).await?;
        add(&mut out.reports, c);
        reject(&mut out, e);
    }
    pb.finish_and_clear();
    Ok(out)
}

async fn flush(
    services: &Services,
    operator: &str,
    kind: Kind,
    lines: &mut Vec<(String, String)>,
    out: &mut Outcome,
) -> Result<()> {
    if lines.is_empty() {
        return Ok(());
    }
    match kind {
        Kind::Cases => {
            let (c, e) = services.import_cases(operator, lines).await?;
            add(&mut out.cases, c);
            reject(out, e);
        }
        Kind::Tips => {
            let mut rows = Vec::new();
            for (label, line) in lines.iter() {
                match serde_json::from_str::<TipRecord>(line) {
                    Ok(r) => rows.push((label.clone(), r)),
                    Err(e) => out.rejected.push(format!("{label}: not a tip: {e}")),
                }
            }
            let (c, e) = services.import_tips(operator, &rows).await?;
            add(&mut out.tips, c);
            reject(out, e);
        }
        _ => {
            let mut rows = Vec::new();
            for (label, line) in lines.iter() {
                match serde_json::from_str::<AdRecord>(line) {
                    Ok(r) => rows.push((label.clone(), r)),
                    Err(e) => out.rejected.push(format!("{label}: not an ad: {e}")),
                }
            }
            let (c, e) = services.import_ads(operator, &rows).await?;
            add(&mut out.ads, c);
            reject(out, e);
        }
    }
    lines.clear();
    Ok(())
}

async fn import_lines(
    services: &Services,
    operator: &str,
    kind: Kind,
    path: &Path,
    out: &mut Outcome,
) -> Result<()> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut lines = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let label = format!("{}:{}", path.display(), i + 1);
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                out.rejected.push(format!("{label}: unreadable line ({e})"));
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        lines.push((label, line));
        if lines.len() >= BATCH {
            flush(services, operator, kind, &mut lines, out).await?;
        }
    }
    flush(services, operator, kind, &mut lines, out).await
}

/// Ads as CSV: `id,site,url,posted_at,city,state,title,body,image_hashes` (hashes separated
/// by `;`), with a header row.
async fn import_csv(
    services: &Services,
    operator: &str,
    path: &Path,
    out: &mut Outcome,
) -> Result<()> {
    #[derive(serde::Deserialize)]
    struct CsvAd {
        id: String,
        site: String,
        url: String,
        #[serde(default)]
        posted_at: String,
        #[serde(default)]
        city: String,
        #[serde(default)]
        state: String,
        title: String,
        body: String,
        #[serde(default)]
        image_hashes: String,
    }
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("opening {}", path.display()))?;
    let mut rows = Vec::new();
    let opt = |s: String| (!s.trim().is_empty()).then_some(s);
    for (i, rec) in reader.deserialize::<CsvAd>().enumerate() {
        // Line 1 is the header.
        let label = format!("{}:{}", path.display(), i + 2);
        match rec {
            Ok(a) => rows.push((
                label,
                AdRecord {
                    id: a.id,
                    site: Some(a.site),
                    url: Some(a.url),
                    posted_at: opt(a.posted_at),
                    city: opt(a.city),
                    state: opt(a.state),
                    title: a.title,
                    body: a.body,
                    image_hashes: a
                        .image_hashes
                        .split(';')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect(),
                },
            )),
            Err(e) => out.rejected.push(format!("{label}: {e}")),
        }
        if rows.len() >= BATCH {
            let (c, e) = services.import_ads(operator, &rows).await?;
            add(&mut out.ads, c);
            reject(out, e);
            rows.clear();
        }
    }
    if !rows.is_empty() {
        let (c, e) = services.import_ads(operator, &rows).await?;
        add(&mut out.ads, c);
        reject(out, e);
    }
    Ok(())
}

/// Prints what an import did; an error if any row was rejected (after the rest went in).
pub fn report(out: &Outcome) -> Result<()> {
    let line = |what: &str, c: Counts| {
        eprintln!(
            "{what:>8}: {} added, {} already present",
            c.added, c.existing
        )
    };
    line("reports", out.reports);
    line("tips", out.tips);
    line("ads", out.ads);
    line("cases", out.cases);
    if out.rejected.is_empty() {
        eprintln!("No rows were rejected.");
        return Ok(());
    }
    for r in &out.rejected {
        eprintln!("rejected {r}");
    }
    Err(crate::Exit::Partial(format!(
        "{} rows were rejected (listed above with their line numbers and reasons); every other row was imported",
        out.rejected.len()
    ))
    .into())
}
