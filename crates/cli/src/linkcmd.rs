//! `clearinghouse dedupe` and `clearinghouse cluster-ads`: the link engine
//! (crates/link) run on plain files, for an analyst who has a spreadsheet
//! export or a scrape of ads and no database. Reading, column mapping,
//! progress and output live here; all matching is the engine's.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use link::ads::{AdClusters, AdConfig, AdEvidence, AdRecord, AdStep};
use link::tabular::{ColumnOverride, Mapping, MappingError, Oddities, Wanted, ROLES};
use link::{
    parse_date, Candidates, Config, Date, IdKind, IdentifierConfig, PersonRecord, TextConfig,
};

// ---------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------

/// Find records about the same person in a CSV file, or across two files.
///
/// Each record is compared with the records that share a blocking key (a
/// phonetic name, a date of birth, a postcode, a phone...), agreement weights
/// are learnt from the data itself (no labelled pairs needed), and records
/// that probably describe the same person get the same cluster id. A shared
/// cluster is a reason to look, never proof.
#[derive(clap::Args, Debug, Clone)]
#[command(after_long_help = dedupe_help())]
pub struct DedupeArgs {
    /// CSV file with a header row (UTF-8; quoted fields allowed).
    #[arg(value_name = "INPUT.csv")]
    pub input: PathBuf,
    /// Header of the column holding each record's id (unique per record).
    #[arg(long, value_name = "HEADER")]
    pub id_column: String,
    /// A second CSV to link against INPUT: only pairs across the two files
    /// are compared, and the ids of both files share one cluster numbering.
    /// Its columns are recognised on their own (the headers may differ).
    #[arg(long, value_name = "OTHER.csv")]
    pub link: Option<PathBuf>,
    /// Where to write `id,cluster_id` (`-` for standard output).
    #[arg(long, short, value_name = "clusters.csv")]
    pub output: PathBuf,
    /// Use column HEADER for ROLE instead of the one recognised by name
    /// (repeat for several columns; an empty HEADER ignores the role), e.g.
    /// `--column dob="Birth Date"` or `--column document=`.
    #[arg(long = "column", value_name = "ROLE=HEADER", value_parser = parse_column_override)]
    pub columns: Vec<ColumnOverride>,
    /// Also write the evidence for every linked pair (and for pairs above
    /// the threshold that clustering held apart) to this CSV.
    #[arg(long, value_name = "PAIRS.csv")]
    pub explain: Option<PathBuf>,
    /// Match probability at or above which a pair is linked.
    #[arg(long, default_value_t = 0.5, value_name = "P")]
    pub threshold: f64,
    /// With --link, when neither file has duplicates of its own: each record
    /// links to at most one record of the other file.
    #[arg(long, requires = "link")]
    pub one_to_one: bool,
    /// Date at which ages are stated when a record has no `recorded` date
    /// (e.g. the date of the export); without it such ages are compared
    /// only with other ages.
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    pub ages_as_of: Option<Date>,
    /// Threads for comparing records (0: all cores).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub threads: usize,
}

fn parse_date_arg(s: &str) -> Result<Date, String> {
    parse_date(s).ok_or_else(|| format!("not a date: `{s}` (e.g. 2024-05-01)"))
}

/// Cluster ads written from one template or sharing a phone, email or
/// handle.
///
/// Ads come as JSON lines, one object per line: `id` (string or number),
/// `title`, `body`, and optionally `city`, `state`, `posted_at`, `site`
/// (accepted, not used as evidence: the same template moving from city to
/// city is exactly what should be linked). Phones, emails and handles are
/// extracted from the title and body, including obfuscated ones ("two one
/// two five five five..."); one carried by very many ads (a hub or a
/// placeholder) links nobody.
#[derive(clap::Args, Debug, Clone)]
#[command(after_long_help = CLUSTER_ADS_HELP)]
pub struct ClusterAdsArgs {
    /// JSON lines file, one ad per line (blank lines are skipped).
    #[arg(value_name = "INPUT.jsonl")]
    pub input: PathBuf,
    /// Where to write `id,cluster_id` (`-` for standard output).
    #[arg(long, short, value_name = "clusters.csv")]
    pub output: PathBuf,
    /// Also write the evidence for every link (template or shared
    /// identifiers) to this CSV.
    #[arg(long, value_name = "PAIRS.csv")]
    pub explain: Option<PathBuf>,
    /// Estimated share of word pairs two texts must have in common to count
    /// as one template (Jaccard similarity, 0 to 1).
    #[arg(long, default_value_t = 0.5, value_name = "J")]
    pub similarity: f64,
    /// An identifier found in more ads than this links none of them.
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub max_identifier_ads: usize,
    /// How texts are grouped into templates: `minhash` (near-copies, chained;
    /// best where an operation's ads drift by small edits), `rarity` (stock
    /// phrases weigh little, average linkage) or `neighbourhoods` (ads that share
    /// their nearest neighbours; best on boards of short formulaic ads).
    /// `--similarity` applies to `minhash` only.
    #[arg(long, value_enum, default_value_t = AdMethod::Minhash)]
    pub method: AdMethod,
}

/// The text-grouping presets of `link::ads::AdConfig`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AdMethod {
    Minhash,
    Rarity,
    Neighbourhoods,
}

const CLUSTER_ADS_HELP: &str = "\
Output: id,cluster_id, one row per ad, sorted by cluster_id then id. Cluster \
ids are small integers 1, 2, 3... numbered in the order of each cluster's \
smallest member id (numbers inside ids compare by value, so ad-9 comes before \
ad-10); an ad alone still gets its own cluster id.

Example:
  clearinghouse cluster-ads ads.jsonl --output clusters.csv --explain why.csv
with lines like
  {\"id\": \"a1\", \"title\": \"New in town\", \"body\": \"call 212 555 0147\", \"city\": \"Dallas\"}";

// ---------------------------------------------------------------------------
// Column roles
// ---------------------------------------------------------------------------

/// `--column ROLE=HEADER`, parsed by the link engine's table mapping.
fn parse_column_override(s: &str) -> Result<ColumnOverride, String> {
    s.parse()
        .map_err(|e: link::tabular::OverrideError| e.to_string())
}

fn dedupe_help() -> String {
    let mut s =
        String::from("Columns are recognised by header, ignoring case, spaces and punctuation:\n");
    // Wrapped here with a hanging indent: clap's wrapping would start the
    // continuation at the margin, under the role names.
    for (_, name, headers) in ROLES {
        let mut line = format!("  {name:<14}");
        for (i, h) in headers.iter().enumerate() {
            let sep = if i + 1 < headers.len() { "," } else { "" };
            if line.len() + h.len() + 2 > 90 {
                s.push_str(&line);
                s.push('\n');
                line = " ".repeat(16);
            }
            line.push(' ');
            line.push_str(h);
            line.push_str(sep);
        }
        s.push_str(&line);
        s.push('\n');
    }
    s.push_str(
        "Phone, email and handle may have several columns (phone, phone 2...). Other columns \
are ignored. --column ROLE=HEADER replaces the recognised column(s) of ROLE; repeat it to \
give several columns (text columns are joined with a space); --column ROLE= ignores ROLE.

Dates: YYYY-MM-DD, YYYYMMDD (as in FEBRL), MM/DD/YYYY (DD/MM/YYYY when the first number \
is over 12), DD.MM.YYYY, 9 April 2008; a time after the date is ignored. In YYYY-MM-DD and \
YYYYMMDD a month or day out of range is kept as a typo (the matcher allows for typos). \
Cells reading n/a, null, none, unknown or - are empty. Several phones, emails or handles \
in one cell are separated by ; , or |.

Output: id,cluster_id, one row per record, sorted by cluster_id then id. Cluster ids are \
small integers 1, 2, 3... numbered in the order of each cluster's smallest member id \
(numbers inside ids compare by value, so rec-9 comes before rec-10); a record alone still \
gets its own cluster id. With --link, the ids of both files share one numbering, and ids \
must be unique across both files.

Examples:
  clearinghouse dedupe intake.csv --id-column case_id --output clusters.csv
  clearinghouse dedupe hotline.csv --link shelter.csv --id-column id \\
      --column dob=\"Birth Date\" --output clusters.csv --explain pairs.csv",
    );
    s
}

/// The file's mapping, its errors in the command's words.
fn map_headers(
    headers: &[String],
    id_column: &str,
    overrides: &[ColumnOverride],
    file: &Path,
) -> Result<Mapping> {
    Mapping::new(headers, id_column, overrides).map_err(|e| match e {
        MappingError::NoColumn {
            name,
            wanted,
            headers,
        } => {
            let what = match wanted {
                Wanted::Id => "--id-column".to_string(),
                Wanted::Override(o) => format!("--column {}={}", o.role.name(), o.header),
            };
            anyhow!(
                "{}: no column named `{name}` ({what}); the headers are: {}",
                file.display(),
                headers.join(", ")
            )
        }
        MappingError::NothingRecognised { headers } => anyhow!(
            "{}: no column recognised as a name, date of birth, phone, email, address...; \
             the headers are: {} (use --column ROLE=HEADER; see --help)",
            file.display(),
            headers.join(", ")
        ),
    })
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

/// One input file's records, each with the line it started on.
struct PersonFile {
    records: Vec<PersonRecord>,
    lines: Vec<u64>,
    mapping: String,
    odd: Oddities,
    /// Rows with bytes that are not UTF-8 (replaced).
    bad_utf8_rows: usize,
}

fn open(path: &Path) -> Result<File> {
    File::open(path).with_context(|| format!("cannot open {}", path.display()))
}

/// Text of a CSV field; bytes that are not UTF-8 (a Windows-1252 export)
/// become U+FFFD rather than failing the whole file.
fn lossy<'a>(field: &'a [u8], bad: &mut bool) -> Cow<'a, str> {
    let text = String::from_utf8_lossy(field);
    if matches!(text, Cow::Owned(_)) {
        *bad = true;
    }
    text
}

fn csv_error(path: &Path, e: &csv::Error) -> anyhow::Error {
    let line = e.position().map(|p| p.line());
    let msg = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} fields where the header has {expected_len} (a stray comma or quote?)"),
        _ => e.to_string(),
    };
    match line {
        Some(l) => anyhow!("{}: line {l}: {msg}", path.display()),
        None => anyhow!("{}: {msg}", path.display()),
    }
}

fn read_persons(path: &Path, args: &DedupeArgs, progress: &ProgressBar) -> Result<PersonFile> {
    let file = open(path)?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    progress.set_length(size);
    progress.set_position(0);
    progress.set_message(format!("reading {}", short_name(path)));
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(std::io::BufReader::with_capacity(1 << 20, file));
    let mut bad = false;
    let headers: Vec<String> = reader
        .byte_headers()
        .map_err(|e| csv_error(path, &e))?
        .iter()
        .map(|h| {
            lossy(h, &mut bad)
                .trim_start_matches('\u{feff}')
                .trim()
                .to_string()
        })
        .collect();
    if headers.iter().all(String::is_empty) {
        bail!("{}: empty file, or no header row", path.display());
    }
    let map = map_headers(&headers, &args.id_column, &args.columns, path)?;
    let mut out = PersonFile {
        records: Vec::new(),
        lines: Vec::new(),
        mapping: map.describe(&headers),
        odd: Oddities::default(),
        bad_utf8_rows: 0,
    };
    // Parsing the CSV and making records of its rows take about as long as each other:
    // a thread parses while this one makes records, so reading takes half the time.
    const BATCH: usize = 4096;
    let (send, batches) = std::sync::mpsc::sync_channel::<csv::Result<Vec<csv::ByteRecord>>>(4);
    std::thread::scope(|s| {
        s.spawn(move || loop {
            let mut batch = Vec::with_capacity(BATCH);
            let mut end = false;
            while batch.len() < BATCH {
                let mut record = csv::ByteRecord::new();
                match reader.read_byte_record(&mut record) {
                    Ok(true) => batch.push(record),
                    Ok(false) => {
                        end = true;
                        break;
                    }
                    Err(e) => {
                        // Fails only if the records side already stopped at a bad row.
                        let _ = send.send(Err(e));
                        return;
                    }
                }
            }
            // A failed send means the records side stopped at a bad row: stop parsing.
            if send.send(Ok(batch)).is_err() || end {
                return;
            }
        });
        for batch in batches {
            let batch = batch.map_err(|e| csv_error(path, &e))?;
            for record in &batch {
                let line = record.position().map_or(0, |p| p.line());
                let mut bad_row = false;
                let row: Vec<Cow<'_, str>> =
                    record.iter().map(|f| lossy(f, &mut bad_row)).collect();
                if bad_row {
                    out.bad_utf8_rows += 1;
                }
                let id = row[map.id].trim().to_string();
                if id.is_empty() {
                    bail!(
                        "{}: line {line}: empty id in column `{}`",
                        path.display(),
                        headers[map.id]
                    );
                }
                out.records.push(map.person(id, &row, &mut out.odd));
                out.lines.push(line);
            }
            if let Some(last) = batch.last() {
                progress.set_position(last.position().map_or(0, |p| p.byte()));
            }
        }
        progress.set_position(size);
        Ok(out)
    })
}

/// Ids name records in the output, so each must name one record.
fn check_unique_ids<'a>(files: &[(&'a Path, &'a [&'a str], &'a [u64])]) -> Result<()> {
    let mut seen: HashMap<&str, (&Path, u64)> =
        HashMap::with_capacity(files.iter().map(|f| f.1.len()).sum());
    for (path, ids, lines) in files {
        for (&id, &line) in ids.iter().zip(*lines) {
            if let Some((p0, l0)) = seen.insert(id, (path, line)) {
                bail!(
                    "duplicate id `{id}`: {}: line {l0} and {}: line {line}; the output names \
                     records by id, so ids must be unique{}",
                    p0.display(),
                    path.display(),
                    if files.len() > 1 {
                        " across both files"
                    } else {
                        ""
                    }
                );
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

/// Orders ids as people read them: digit runs by value (`rec-9` before
/// `rec-10`), everything else byte by byte; ties by plain comparison, so the
/// order is total.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) if p.is_ascii_digit() && q.is_ascii_digit() => {
                let lx = x.iter().take_while(|c| c.is_ascii_digit()).count();
                let ly = y.iter().take_while(|c| c.is_ascii_digit()).count();
                let (dx, rx) = x.split_at(lx);
                let (dy, ry) = y.split_at(ly);
                let strip = |d: &[u8]| -> usize { d.iter().take_while(|&&c| c == b'0').count() };
                let (tx, ty) = (&dx[strip(dx)..], &dy[strip(dy)..]);
                let o = tx.len().cmp(&ty.len()).then_with(|| tx.cmp(ty));
                if o != Ordering::Equal {
                    return o;
                }
                (x, y) = (rx, ry);
            }
            (Some(p), Some(q)) => {
                if p != q {
                    return p.cmp(q);
                }
                (x, y) = (&x[1..], &y[1..]);
            }
        }
    }
}

/// Final cluster ids (1-based, in order of each cluster's smallest member
/// id) and the record order of the output.
struct Numbered {
    cluster_id: Vec<u32>,
    order: Vec<usize>,
    clusters: usize,
    multi: usize,
    /// Pairs of records in a shared cluster.
    pairs: u64,
}

fn number_clusters(ids: &[&str], cluster_of: &[u32]) -> Numbered {
    let mut by_id: Vec<usize> = (0..ids.len()).collect();
    by_id.sort_by(|&i, &j| natural_cmp(ids[i], ids[j]));
    let mut label: HashMap<u32, u32> = HashMap::new();
    let mut sizes: Vec<u64> = Vec::new();
    for &i in &by_id {
        let next = label.len() as u32 + 1;
        let l = *label.entry(cluster_of[i]).or_insert(next);
        if l as usize > sizes.len() {
            sizes.push(0);
        }
        sizes[l as usize - 1] += 1;
    }
    let cluster_id: Vec<u32> = cluster_of
        .iter()
        .map(|c| label.get(c).copied().unwrap_or(0))
        .collect();
    // Stable: ids stay in natural order within a cluster.
    by_id.sort_by_key(|&i| cluster_id[i]);
    Numbered {
        cluster_id,
        order: by_id,
        clusters: sizes.len(),
        multi: sizes.iter().filter(|&&s| s > 1).count(),
        pairs: sizes.iter().map(|&s| s * (s.saturating_sub(1)) / 2).sum(),
    }
}

fn csv_writer(path: &Path) -> Result<csv::Writer<Box<dyn Write>>> {
    let sink: Box<dyn Write> = if path.as_os_str() == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(File::create(path).with_context(|| format!("cannot create {}", path.display()))?)
    };
    Ok(csv::Writer::from_writer(Box::new(std::io::BufWriter::new(
        sink,
    ))))
}

fn write_clusters(path: &Path, ids: &[&str], n: &Numbered) -> Result<()> {
    let ctx = || format!("writing {}", path.display());
    let mut w = csv_writer(path)?;
    w.write_record(["id", "cluster_id"]).with_context(ctx)?;
    for &i in &n.order {
        w.write_record([ids[i], &n.cluster_id[i].to_string()])
            .with_context(ctx)?;
    }
    w.flush().with_context(ctx)
}

// ---------------------------------------------------------------------------
// Progress
// ---------------------------------------------------------------------------

/// Bars only on a terminal: piped or logged stderr gets just the summary.
fn draw_target() -> ProgressDrawTarget {
    if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    }
}

fn bytes_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), draw_target());
    if let Ok(style) =
        ProgressStyle::with_template("[{bar:20}] {bytes}/{total_bytes}, {eta} left: {wide_msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

pub(crate) fn count_bar(len: u64, msg: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len), draw_target());
    if let Ok(style) =
        ProgressStyle::with_template("[{bar:20}] {pos}/{len}, {eta} left: {wide_msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(msg.to_string());
    bar
}

/// A spinner for a step that reports no progress of its own.
fn step(msg: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, draw_target());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed}: {wide_msg}") {
        bar.set_style(style);
    }
    bar.set_message(msg.to_string());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// The file name alone: a bar line has no room for a long path.
fn short_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn seconds(t: Instant) -> String {
    format!("{:.2} s", t.elapsed().as_secs_f64())
}

// ---------------------------------------------------------------------------
// dedupe
// ---------------------------------------------------------------------------

/// Runs `clearinghouse dedupe`.
pub fn dedupe(args: &DedupeArgs) -> Result<()> {
    let start = Instant::now();
    if !(0.0..=1.0).contains(&args.threshold) {
        bail!("--threshold must be between 0 and 1");
    }
    let bar = bytes_bar();
    let a = read_persons(&args.input, args, &bar)?;
    let b = match &args.link {
        Some(p) => Some(read_persons(p, args, &bar)?),
        None => None,
    };
    bar.finish_and_clear();
    let ids: Vec<&str> = a
        .records
        .iter()
        .chain(b.iter().flat_map(|f| &f.records))
        .map(|r| r.id.as_str())
        .collect();
    let (a_ids, b_ids) = ids.split_at(a.records.len());
    let mut files = vec![(args.input.as_path(), a_ids, a.lines.as_slice())];
    if let (Some(p), Some(f)) = (&args.link, &b) {
        files.push((p.as_path(), b_ids, f.lines.as_slice()));
    }
    check_unique_ids(&files)?;

    let config = Config {
        threshold: args.threshold,
        one_to_one: args.one_to_one,
        threads: args.threads,
        reference_date: args.ages_as_of,
        ..Config::default()
    };
    let s = step("blocking and comparing");
    let cands = match &b {
        Some(b) => Candidates::link(&a.records, &b.records, &config),
        None => Candidates::dedupe(&a.records, &config),
    };
    s.set_message(format!(
        "estimating the model from {} candidate pairs",
        cands.len()
    ));
    let model = cands.estimate(&config);
    s.set_message("clustering");
    let clusters = cands.cluster(&model, &config);
    s.set_message("writing");
    let numbered = number_clusters(&ids, &clusters.cluster_of);
    write_clusters(&args.output, &ids, &numbered)?;
    if let Some(path) = &args.explain {
        write_person_explanations(path, &ids, &cands, &model, &clusters)?;
    }
    s.finish_and_clear();

    let mut summary = format!(
        "dedupe: {} records read{}, {} candidate pairs compared, {} clusters ({} of two or more \
         records), {} pairs linked, {}",
        ids.len(),
        if b.is_some() {
            format!(" ({} + {})", a.records.len(), b_ids.len())
        } else {
            String::new()
        },
        cands.len(),
        numbered.clusters,
        numbered.multi,
        numbered.pairs,
        seconds(start)
    );
    if !clusters.held_apart.is_empty() {
        summary.push_str(&format!(
            "; {} links held apart (see --explain)",
            clusters.held_apart.len()
        ));
    }
    eprintln!("{summary}");
    for (path, f) in std::iter::once((&args.input, &a)).chain(args.link.iter().zip(&b)) {
        eprintln!("  {}: columns {}", path.display(), f.mapping);
        if f.odd.bad_dates > 0 {
            eprintln!(
                "  {}: {} dates not understood and left empty, e.g. `{}`",
                path.display(),
                f.odd.bad_dates,
                f.odd.first_bad_date.as_deref().unwrap_or("")
            );
        }
        if f.bad_utf8_rows > 0 {
            eprintln!(
                "  {}: {} rows are not valid UTF-8 (bad bytes replaced); save the file as UTF-8",
                path.display(),
                f.bad_utf8_rows
            );
        }
    }
    for c in cands.common_identifiers().iter().take(5) {
        eprintln!(
            "  ignored as evidence: {} {} (carried by {} records)",
            c.field.name(),
            c.value,
            c.records
        );
    }
    Ok(())
}

fn write_person_explanations(
    path: &Path,
    ids: &[&str],
    cands: &Candidates,
    model: &link::Model,
    clusters: &link::Clusters,
) -> Result<()> {
    let ctx = || format!("writing {}", path.display());
    let mut rows: Vec<(usize, usize, &link::Link, bool)> = clusters
        .links
        .iter()
        .map(|l| (l, true))
        .chain(clusters.held_apart.iter().map(|l| (l, false)))
        .map(|(l, linked)| {
            let (a, b) = (l.a as usize, l.b as usize);
            let (a, b) = if natural_cmp(ids[a], ids[b]) == Ordering::Greater {
                (b, a)
            } else {
                (a, b)
            };
            (a, b, l, linked)
        })
        .collect();
    rows.sort_by(|x, y| natural_cmp(ids[x.0], ids[y.0]).then(natural_cmp(ids[x.1], ids[y.1])));
    let mut w = csv_writer(path)?;
    w.write_record([
        "id_a",
        "id_b",
        "probability",
        "score_bits",
        "clustered",
        "evidence",
    ])
    .with_context(ctx)?;
    for (a, b, l, linked) in rows {
        let evidence = cands
            .explain(model, l.a, l.b)
            .map(|e| {
                e.fields
                    .iter()
                    .map(|f| format!("{} {} ({:+.1})", f.field.name(), f.level, f.weight))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
        w.write_record([
            ids[a],
            ids[b],
            &format!("{:.4}", l.probability),
            &format!("{:.1}", l.score),
            if linked { "yes" } else { "held apart" },
            &evidence,
        ])
        .with_context(ctx)?;
    }
    w.flush().with_context(ctx)
}

// ---------------------------------------------------------------------------
// cluster-ads
// ---------------------------------------------------------------------------

/// Reads the ads, each with its line; ids are checked and trimmed.
fn read_ads(path: &Path) -> Result<(Vec<AdRecord>, Vec<u64>)> {
    let file = open(path)?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = bytes_bar();
    bar.set_length(size);
    bar.set_message(format!("reading {}", short_name(path)));
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut ads = Vec::new();
    let mut lines = Vec::new();
    let mut buf = String::new();
    let mut line_no = 0u64;
    let mut read = 0u64;
    loop {
        buf.clear();
        let n = reader
            .read_line(&mut buf)
            .with_context(|| format!("{}: line {}", path.display(), line_no + 1))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        read += n as u64;
        let line = buf.trim();
        if line.is_empty() {
            continue;
        }
        let mut ad: AdRecord = serde_json::from_str(line).map_err(|e| {
            anyhow!(
                "{}: line {line_no}: not a JSON object with an `id`: {e}",
                path.display()
            )
        })?;
        let id = ad.id.trim();
        if id.is_empty() {
            bail!(
                "{}: line {line_no}: `id` must be a non-empty string or a number",
                path.display()
            );
        }
        // Only the id and the text are used: the rest is not kept, so a million ads
        // fit in memory beside their signatures.
        ads.push(AdRecord {
            id: id.to_string(),
            title: std::mem::take(&mut ad.title),
            body: std::mem::take(&mut ad.body),
            ..AdRecord::default()
        });
        lines.push(line_no);
        if ads.len().is_multiple_of(4096) {
            bar.set_position(read);
        }
    }
    bar.finish_and_clear();
    Ok((ads, lines))
}

/// Runs `clearinghouse cluster-ads`.
pub fn cluster_ads(args: &ClusterAdsArgs) -> Result<()> {
    let start = Instant::now();
    if !(0.0..=1.0).contains(&args.similarity) {
        bail!("--similarity must be between 0 and 1");
    }
    let (mut ads, lines) = read_ads(&args.input)?;
    // The ids are all that is kept of the ads: the pipeline drops each ad once read.
    let owned: Vec<String> = ads.iter_mut().map(|a| std::mem::take(&mut a.id)).collect();
    let ids: Vec<&str> = owned.iter().map(String::as_str).collect();
    let preset = match args.method {
        AdMethod::Minhash => AdConfig {
            text: TextConfig {
                threshold: args.similarity,
                ..TextConfig::default()
            },
            ..AdConfig::default()
        },
        AdMethod::Rarity => AdConfig::rarity(),
        AdMethod::Neighbourhoods => AdConfig::neighbourhoods(),
    };
    let config = AdConfig {
        identifiers: IdentifierConfig {
            max_records: args.max_identifier_ads,
            ..preset.identifiers
        },
        threads: 0,
        ..preset
    };
    let clusters = {
        check_unique_ids(&[(args.input.as_path(), ids.as_slice(), lines.as_slice())])?;
        let bar = count_bar(ads.len() as u64, "extracting phones, emails, handles");
        let spinner = std::sync::Mutex::new(None::<ProgressBar>);
        let clusters = link::ads::cluster_ads_owned(ads, &config, |s| match s {
            AdStep::Read(n) => bar.inc(n as u64),
            AdStep::ComparingTexts => {
                bar.finish_and_clear();
                let mut spin = spinner
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                *spin = Some(step("comparing texts"));
            }
            AdStep::LinkingIdentifiers => {
                let spin = spinner
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if let Some(s) = spin.as_ref() {
                    s.set_message("linking shared identifiers");
                }
            }
        });
        bar.finish_and_clear();
        if let Some(s) = spinner
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
        {
            s.finish_and_clear();
        }
        clusters
    };
    let s = step("writing");
    let numbered = number_clusters(&ids, &clusters.cluster_of);
    write_clusters(&args.output, &ids, &numbered)?;
    if let Some(path) = &args.explain {
        write_ad_explanations(path, &ids, &clusters)?;
    }
    s.finish_and_clear();
    eprintln!(
        "cluster-ads: {} ads read, {} clusters ({} of two or more ads), {} pairs linked \
         ({} ads joined to a template, {} shared-identifier links), {}",
        ids.len(),
        numbered.clusters,
        numbered.multi,
        numbered.pairs,
        clusters.template_links(),
        clusters.shared.len(),
        seconds(start)
    );
    Ok(())
}

fn write_ad_explanations(path: &Path, ids: &[&str], clusters: &AdClusters) -> Result<()> {
    let ctx = || format!("writing {}", path.display());
    let pair = |a: u32, b: u32| {
        let (x, y) = (ids[a as usize], ids[b as usize]);
        if natural_cmp(x, y) == Ordering::Greater {
            (y.to_string(), x.to_string())
        } else {
            (x.to_string(), y.to_string())
        }
    };
    let mut rows: Vec<[String; 5]> = clusters
        .links()
        .into_iter()
        .map(|l| {
            let (a, b) = pair(l.a, l.b);
            match l.evidence {
                AdEvidence::Template {
                    template,
                    similarity,
                    members,
                } => [
                    a,
                    b,
                    "template".into(),
                    format!("{similarity:.2}"),
                    format!(
                        "text similarity {similarity:.2} to the template ad {} ({members} ads \
                         share it)",
                        ids[template as usize]
                    ),
                ],
                AdEvidence::SharedIdentifiers {
                    weight,
                    identifiers,
                } => {
                    let evidence: Vec<String> = identifiers
                        .iter()
                        .map(|e| {
                            let kind = match e.kind {
                                IdKind::Phone => "phone",
                                IdKind::Email => "email",
                                IdKind::Handle => "handle",
                                _ => "identifier",
                            };
                            format!("{kind} {} (in {} ads)", e.value, e.records)
                        })
                        .collect();
                    [
                        a,
                        b,
                        "shared identifiers".into(),
                        format!("{weight:.2}"),
                        evidence.join("; "),
                    ]
                }
            }
        })
        .collect();
    rows.sort_by(|x, y| {
        natural_cmp(&x[0], &y[0])
            .then_with(|| natural_cmp(&x[1], &y[1]))
            .then_with(|| x[2].cmp(&y[2]))
    });
    let mut w = csv_writer(path)?;
    w.write_record(["id_a", "id_b", "reason", "strength", "evidence"])
        .with_context(ctx)?;
    for r in &rows {
        w.write_record(r).with_context(ctx)?;
    }
    w.flush().with_context(ctx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn headers(hs: &[&str]) -> Vec<String> {
        hs.iter().map(|s| s.to_string()).collect()
    }

    fn dedupe_args(input: &Path, output: &Path) -> DedupeArgs {
        DedupeArgs {
            input: input.to_path_buf(),
            id_column: "id".into(),
            link: None,
            output: output.to_path_buf(),
            columns: Vec::new(),
            explain: None,
            threshold: 0.5,
            one_to_one: false,
            ages_as_of: None,
            threads: 0,
        }
    }

    fn read_output(path: &Path) -> Vec<(String, u32)> {
        let mut r = csv::Reader::from_path(path).unwrap();
        assert_eq!(
            r.headers().unwrap().iter().collect::<Vec<_>>(),
            ["id", "cluster_id"]
        );
        r.records()
            .map(|rec| {
                let rec = rec.unwrap();
                (rec[0].to_string(), rec[1].parse().unwrap())
            })
            .collect()
    }

    fn cluster_of(rows: &[(String, u32)], id: &str) -> u32 {
        rows.iter().find(|(i, _)| i == id).unwrap().1
    }

    #[test]
    fn unknown_headers_are_errors_listing_the_available_ones() {
        let h = headers(&["key", "first name", "surname"]);
        let e = map_headers(&h, "rec_id", &[], Path::new("people.csv"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("people.csv") && e.contains("rec_id"), "{e}");
        assert!(e.contains("key, first name, surname"), "{e}");
        let o = vec![parse_column_override("dob=born").unwrap()];
        let e = map_headers(&h, "key", &o, Path::new("people.csv"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`born`") && e.contains("key, first name, surname"),
            "{e}"
        );
        let e = map_headers(&headers(&["key", "colour"]), "key", &[], Path::new("p.csv"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("no column recognised"), "{e}");
    }

    #[test]
    fn natural_order_of_ids() {
        let mut v = vec![
            "rec-10",
            "rec-9",
            "rec-9-dup-1",
            "b",
            "a",
            "rec-009",
            "10",
            "9",
        ];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            [
                "9",
                "10",
                "a",
                "b",
                "rec-009",
                "rec-9",
                "rec-9-dup-1",
                "rec-10"
            ]
        );
    }

    const PEOPLE: &str = "\
id,First Name,Last Name,DOB,City,Phone
p10,Jane,Doe,2008-04-09,Dallas,212-555-0147
p2,Jayne,Doe,04/09/2008,Dallas,
p3,Samuel,Roe,1990-01-02,Austin,
p4,Sam,Roe,19900102,Austin,
p5,Maria,Lopez,1975-07-30,Houston,
\"p6\",\"Lopez, Maria\",,,,
";

    #[test]
    fn dedupe_a_small_csv_end_to_end() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("people.csv");
        std::fs::write(&input, PEOPLE).unwrap();
        let out = dir.path().join("clusters.csv");
        let mut args = dedupe_args(&input, &out);
        args.explain = Some(dir.path().join("pairs.csv"));
        dedupe(&args).unwrap();
        let rows = read_output(&out);
        assert_eq!(rows.len(), 6);
        assert_eq!(cluster_of(&rows, "p10"), cluster_of(&rows, "p2"));
        assert_eq!(cluster_of(&rows, "p3"), cluster_of(&rows, "p4"));
        assert_ne!(cluster_of(&rows, "p2"), cluster_of(&rows, "p3"));
        assert_ne!(cluster_of(&rows, "p5"), cluster_of(&rows, "p3"));
        // Numbered by smallest member (p2 < p3 < p5...), rows by cluster.
        assert_eq!(cluster_of(&rows, "p2"), 1);
        assert_eq!(cluster_of(&rows, "p3"), 2);
        assert_eq!(rows[0].0, "p2");
        assert_eq!(rows[1].0, "p10");
        let ids: Vec<u32> = rows.iter().map(|r| r.1).collect();
        assert!(ids.windows(2).all(|w| w[0] <= w[1]));
        let pairs = std::fs::read_to_string(dir.path().join("pairs.csv")).unwrap();
        assert!(pairs.starts_with("id_a,id_b,probability,score_bits,clustered,evidence"));
        assert!(pairs.contains("p2,p10,"), "{pairs}");
        assert!(pairs.contains("last_name exact"), "{pairs}");
        // Same run again: same bytes.
        let first = std::fs::read(&out).unwrap();
        dedupe(&args).unwrap();
        assert_eq!(first, std::fs::read(&out).unwrap());
    }

    #[test]
    fn malformed_rows_missing_ids_and_duplicates_name_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("o.csv");
        let input = dir.path().join("bad.csv");
        std::fs::write(&input, "id,first name,surname\n1,a,b\n2,c,d,e\n").unwrap();
        let e = dedupe(&dedupe_args(&input, &out)).unwrap_err().to_string();
        assert!(
            e.contains("bad.csv: line 3") && e.contains("4 fields"),
            "{e}"
        );
        std::fs::write(&input, "id,first name,surname\n1,a,b\n,c,d\n").unwrap();
        let e = dedupe(&dedupe_args(&input, &out)).unwrap_err().to_string();
        assert!(e.contains("bad.csv: line 3: empty id"), "{e}");
        // Far more rows than the reading thread parses ahead: it must stop, not hang,
        // when a bad row stops the other side, and its own errors must come through.
        let mut big = String::from("id,first name,surname\n1,a,b\n,c,d\n");
        for i in 2..100_000 {
            big.push_str(&format!("{i},a,b\n"));
        }
        std::fs::write(&input, &big).unwrap();
        let e = dedupe(&dedupe_args(&input, &out)).unwrap_err().to_string();
        assert!(e.contains("bad.csv: line 3: empty id"), "{e}");
        big = big.replacen(",c,d\n", "0,c,d\n", 1) + "x,y\n";
        std::fs::write(&input, &big).unwrap();
        let e = dedupe(&dedupe_args(&input, &out)).unwrap_err().to_string();
        assert!(
            e.contains("bad.csv: line 100002") && e.contains("2 fields"),
            "{e}"
        );
        std::fs::write(&input, "id,first name,surname\n1,a,b\n1,c,d\n").unwrap();
        let e = dedupe(&dedupe_args(&input, &out)).unwrap_err().to_string();
        assert!(
            e.contains("duplicate id `1`") && e.contains("line 2"),
            "{e}"
        );
        std::fs::write(&input, "key,first name,surname\n1,a,b\n").unwrap();
        let e = dedupe(&dedupe_args(&input, &out)).unwrap_err().to_string();
        assert!(
            e.contains("no column named `id`") && e.contains("key, first name, surname"),
            "{e}"
        );
        let e = dedupe(&dedupe_args(&dir.path().join("nope.csv"), &out))
            .unwrap_err()
            .to_string();
        assert!(e.contains("nope.csv"), "{e}");
    }

    #[test]
    fn bom_quoted_newlines_and_stray_latin1_bytes_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("export.csv");
        // A BOM, as Excel writes it, then one Windows-1252 row.
        let mut bytes = "\u{feff}ID,First Name,Surname,Notes\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"1,Jos\xe9,Garc\xeda,\"two\nlines, quoted\"\n");
        bytes.extend_from_slice("2,José,García,\n".as_bytes());
        std::fs::write(&input, bytes).unwrap();
        let bar = ProgressBar::hidden();
        let mut args = dedupe_args(&input, &dir.path().join("o.csv"));
        args.id_column = "id".into();
        let f = read_persons(&input, &args, &bar).unwrap();
        assert_eq!(f.records.len(), 2);
        assert_eq!(f.lines, [2, 4]);
        assert_eq!(f.bad_utf8_rows, 1);
        assert_eq!(f.records[1].first_name.as_deref(), Some("José"));
    }

    #[test]
    fn link_two_files_shares_cluster_ids() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("hotline.csv");
        let b = dir.path().join("shelter.csv");
        std::fs::write(
            &a,
            "id,given_name,surname,date_of_birth,suburb\n\
             h1,jane,doe,20080409,dallas\n\
             h2,samuel,roe,19900102,austin\n\
             h3,maria,lopez,19750730,houston\n",
        )
        .unwrap();
        // Other headers, other order, other date form.
        std::fs::write(
            &b,
            "Birth Date,Last Name,First Name,ID,Town\n\
             04/09/2008,Doe,Jayne,s1,Dallas\n\
             01/02/1990,Roe,Sam,s2,Austin\n\
             11/11/1961,Nguyen,Anh,s3,Plano\n",
        )
        .unwrap();
        let out = dir.path().join("clusters.csv");
        let mut args = dedupe_args(&a, &out);
        args.link = Some(b.clone());
        dedupe(&args).unwrap();
        let rows = read_output(&out);
        assert_eq!(rows.len(), 6);
        assert_eq!(cluster_of(&rows, "h1"), cluster_of(&rows, "s1"));
        assert_eq!(cluster_of(&rows, "h2"), cluster_of(&rows, "s2"));
        assert_ne!(cluster_of(&rows, "h1"), cluster_of(&rows, "h2"));
        assert_ne!(cluster_of(&rows, "h3"), cluster_of(&rows, "s3"));
        let distinct: HashSet<u32> = rows.iter().map(|r| r.1).collect();
        assert_eq!(distinct.len(), 4);
        // An id in both files is refused: the output could not tell them apart.
        std::fs::write(&b, "id,first name,surname\nh1,x,y\n").unwrap();
        let e = dedupe(&args).unwrap_err().to_string();
        assert!(
            e.contains("duplicate id `h1`") && e.contains("across both files"),
            "{e}"
        );
    }

    #[test]
    fn cluster_ads_by_template_and_by_an_obfuscated_phone() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("ads.jsonl");
        let lines = [
            r#"{"id": "ad-1", "title": "New in town sweet girl", "body": "Hi gentlemen I am new in town and ready to have fun with you tonight. Incall and outcall available all night long. Call 212-555-0147 now", "city": "Dallas", "state": "TX", "posted_at": "2024-05-01T10:00:00Z", "site": "example"}"#,
            "",
            r#"{"id": "ad-2", "title": "New in town sweet girl!!", "body": "Hi gentlemen, I am new in town and ready to have fun with you tonight. Incall and outcall available all night long. Call 212 555 0199 now", "city": "Houston"}"#,
            r#"{"id": 3, "title": "Massage", "body": "Relaxing massage by a professional therapist, text two one two five five five zero one four seven for an appointment"}"#,
            r#"{"id": "ad-4", "title": "Puppies for sale", "body": "Golden retriever puppies, vaccinated, ready for their new homes in June. Call 972-555-0123."}"#,
        ];
        std::fs::write(&input, lines.join("\n")).unwrap();
        let out = dir.path().join("clusters.csv");
        let why = dir.path().join("why.csv");
        let args = ClusterAdsArgs {
            input: input.clone(),
            output: out.clone(),
            explain: Some(why.clone()),
            similarity: 0.5,
            max_identifier_ads: 50,
            method: AdMethod::Minhash,
        };
        cluster_ads(&args).unwrap();
        let rows = read_output(&out);
        assert_eq!(rows.len(), 4);
        assert_eq!(cluster_of(&rows, "ad-1"), cluster_of(&rows, "ad-2"));
        assert_eq!(cluster_of(&rows, "3"), cluster_of(&rows, "ad-1"));
        assert_ne!(cluster_of(&rows, "ad-4"), cluster_of(&rows, "ad-1"));
        // Cluster 1 holds the smallest id ("3" sorts before "ad-1").
        assert_eq!(rows[0], ("3".to_string(), 1));
        let why = std::fs::read_to_string(&why).unwrap();
        assert!(why.contains("3,ad-1,shared identifiers"), "{why}");
        assert!(why.contains("phone +12125550147 (in 2 ads)"), "{why}");
        assert!(why.contains("ad-1,ad-2,template"), "{why}");

        std::fs::write(&input, format!("{}\n{{\"title\": \"x\"}}\n", lines[0])).unwrap();
        let e = cluster_ads(&args).unwrap_err().to_string();
        assert!(e.contains("ads.jsonl: line 2") && e.contains("id"), "{e}");
        std::fs::write(&input, format!("{}\nnot json\n", lines[0])).unwrap();
        let e = cluster_ads(&args).unwrap_err().to_string();
        assert!(e.contains("ads.jsonl: line 2"), "{e}");
    }

    /// FEBRL3 through the CSV path, as an analyst would run it.
    #[test]
    fn every_method_reads_the_same_file_and_links_a_shared_phone() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("ads.jsonl");
        let lines = [
            r#"{"id": "a", "title": "Sweet girl new in town", "body": "Call 212-555-0147 tonight"}"#,
            r#"{"id": "b", "title": "Quiet evening company", "body": "Text 212 555 0147 any time"}"#,
            r#"{"id": "c", "title": "Puppies for sale", "body": "Golden retriever puppies, call 972-555-0123."}"#,
        ];
        std::fs::write(&input, lines.join("\n")).unwrap();
        for method in [
            AdMethod::Minhash,
            AdMethod::Rarity,
            AdMethod::Neighbourhoods,
        ] {
            let out = dir.path().join(format!("{method:?}.csv"));
            let args = ClusterAdsArgs {
                input: input.clone(),
                output: out.clone(),
                explain: None,
                similarity: 0.5,
                max_identifier_ads: 50,
                method,
            };
            cluster_ads(&args).unwrap();
            let rows = read_output(&out);
            assert_eq!(rows.len(), 3, "{method:?}");
            assert_eq!(cluster_of(&rows, "a"), cluster_of(&rows, "b"), "{method:?}");
            assert_ne!(cluster_of(&rows, "a"), cluster_of(&rows, "c"), "{method:?}");
        }
    }

    #[test]
    fn febrl3_through_the_csv_path_keeps_f1_above_0_99() {
        let fixture =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../link/tests/fixtures/dataset3.csv");
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("clusters.csv");
        let mut args = dedupe_args(&fixture, &out);
        args.id_column = "rec_id".into();
        dedupe(&args).unwrap();
        let rows = read_output(&out);
        assert_eq!(rows.len(), 5000);
        let entity = |id: &str| id.split('-').nth(1).unwrap().to_string();
        let pairs = |key: &dyn Fn(&(String, u32)) -> String| {
            let mut by: HashMap<String, Vec<&str>> = HashMap::new();
            for r in &rows {
                by.entry(key(r)).or_default().push(&r.0);
            }
            let mut out = HashSet::new();
            for m in by.values() {
                for (i, a) in m.iter().enumerate() {
                    for b in &m[i + 1..] {
                        out.insert(if a < b { (*a, *b) } else { (*b, *a) });
                    }
                }
            }
            out
        };
        let truth = pairs(&|r| entity(&r.0));
        let found = pairs(&|r| r.1.to_string());
        assert_eq!(truth.len(), 6538);
        let tp = found.intersection(&truth).count() as f64;
        let (p, r) = (tp / found.len() as f64, tp / truth.len() as f64);
        let f1 = 2.0 * p * r / (p + r);
        eprintln!("FEBRL3 via CSV: precision {p:.4} recall {r:.4} F1 {f1:.4}");
        assert!(f1 >= 0.99, "F1 {f1}");
    }
}
