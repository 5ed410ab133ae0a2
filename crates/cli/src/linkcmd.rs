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
use link::{
    Candidates, Config, Date, IdKind, IdentifierConfig, IdentifierGraph, PersonRecord, Sex,
    TextClusterer, TextConfig,
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

/// What a CSV column says about a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    FirstName,
    LastName,
    /// A full name, split into first and last when those have no column.
    Name,
    /// Other given names: nicknames, street names (several per cell allowed).
    Alias,
    Dob,
    Age,
    Sex,
    Phone,
    Email,
    Handle,
    /// Joined before the address (FEBRL and many forms split them).
    StreetNumber,
    Address,
    City,
    State,
    Postcode,
    Document,
    /// When the record was made: anchors a stated age.
    Recorded,
}

/// Roles, their names on the command line, and the headers recognised for
/// them (compared after [`header_key`], so case, spaces and punctuation do
/// not matter). The help text is generated from this table.
const ROLES: &[(Role, &str, &[&str])] = &[
    (
        Role::FirstName,
        "first_name",
        &[
            "first name",
            "given name",
            "first",
            "given",
            "forename",
            "fname",
            "first names",
            "given names",
        ],
    ),
    (
        Role::LastName,
        "last_name",
        &["last name", "surname", "family name", "last", "lname"],
    ),
    (Role::Name, "name", &["name", "full name", "person name"]),
    (
        Role::Dob,
        "dob",
        &["dob", "date of birth", "birth date", "birthday", "bdate"],
    ),
    (Role::Age, "age", &["age", "age years", "stated age"]),
    (Role::Sex, "sex", &["sex", "gender"]),
    (
        Role::Phone,
        "phone",
        &[
            "phone",
            "phone number",
            "telephone",
            "tel",
            "mobile",
            "mobile phone",
            "cell",
            "cell phone",
            "phones",
        ],
    ),
    (
        Role::Email,
        "email",
        &["email", "e-mail", "email address", "emails"],
    ),
    (
        Role::Handle,
        "handle",
        &[
            "handle",
            "username",
            "user name",
            "screen name",
            "social handle",
            "handles",
        ],
    ),
    (
        Role::Alias,
        "alias",
        &[
            "alias",
            "aliases",
            "nickname",
            "nicknames",
            "aka",
            "also known as",
            "known as",
            "other names",
        ],
    ),
    (
        Role::StreetNumber,
        "street_number",
        &["street number", "house number", "street no", "house no"],
    ),
    (
        Role::Address,
        "address",
        &[
            "address",
            "street address",
            "address 1",
            "address line 1",
            "street",
        ],
    ),
    (Role::City, "city", &["city", "suburb", "town", "locality"]),
    (Role::State, "state", &["state", "province", "region"]),
    (
        Role::Postcode,
        "postcode",
        &["zip", "zip code", "postcode", "postal code"],
    ),
    (
        Role::Document,
        "document",
        &[
            "document id",
            "document number",
            "ssn",
            "soc sec id",
            "social security number",
            "id number",
            "national id",
        ],
    ),
    (
        Role::Recorded,
        "recorded",
        &["recorded", "record date", "report date", "date reported"],
    ),
];

impl Role {
    /// Roles that may take several columns as several values (`phone 2`).
    fn multi_valued(self) -> bool {
        matches!(self, Role::Phone | Role::Email | Role::Handle | Role::Alias)
    }

    fn name(self) -> &'static str {
        ROLES
            .iter()
            .find(|(r, _, _)| *r == self)
            .map_or("?", |(_, n, _)| n)
    }

    /// The role a header names, if any.
    fn of_header(header: &str) -> Option<Role> {
        let key = header_key(header);
        if key.is_empty() {
            return None;
        }
        let find = |k: &str| {
            ROLES
                .iter()
                .find(|(_, _, names)| names.iter().any(|n| header_key(n) == k))
                .map(|(r, _, _)| *r)
        };
        if let Some(r) = find(&key) {
            return Some(r);
        }
        // `phone2`, `email_1`: numbered copies of a multi-valued column.
        let stem = key.trim_end_matches(|c: char| c.is_ascii_digit());
        find(stem).filter(|r| r.multi_valued())
    }
}

/// Lower case, letters and digits only: `Date of Birth`, `date_of_birth`
/// and `DATE-OF-BIRTH` are one header.
fn header_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// One `--column ROLE=HEADER`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnOverride {
    pub role: Role,
    /// Empty: the role is not used at all.
    pub header: String,
}

fn parse_column_override(s: &str) -> Result<ColumnOverride, String> {
    let (role, header) = s
        .split_once('=')
        .ok_or_else(|| format!("expected ROLE=HEADER, got `{s}`"))?;
    let key = header_key(role);
    let role = ROLES
        .iter()
        .find(|(_, name, _)| header_key(name) == key)
        .map(|(r, _, _)| *r)
        .or_else(|| Role::of_header(role))
        .ok_or_else(|| {
            let names: Vec<&str> = ROLES.iter().map(|(_, n, _)| *n).collect();
            format!("unknown role `{role}`; roles: {}", names.join(", "))
        })?;
    Ok(ColumnOverride {
        role,
        header: header.trim().to_string(),
    })
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

/// Which columns of one file feed which role.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mapping {
    id: usize,
    roles: Vec<(Role, Vec<usize>)>,
}

impl Mapping {
    fn columns(&self, role: Role) -> &[usize] {
        self.roles
            .iter()
            .find(|(r, _)| *r == role)
            .map_or(&[], |(_, c)| c.as_slice())
    }

    fn describe(&self, headers: &[String]) -> String {
        let parts: Vec<String> = self
            .roles
            .iter()
            .map(|(r, cols)| {
                let h: Vec<&str> = cols.iter().map(|&c| headers[c].as_str()).collect();
                format!("{}={}", r.name(), h.join("+"))
            })
            .collect();
        parts.join(", ")
    }
}

/// Finds a header: exactly (ignoring case and surrounding spaces), else by
/// [`header_key`] when that is unambiguous.
fn find_header(headers: &[String], wanted: &str, file: &Path, what: &str) -> Result<usize> {
    let w = wanted.trim();
    if let Some(i) = headers.iter().position(|h| h.eq_ignore_ascii_case(w)) {
        return Ok(i);
    }
    let key = header_key(w);
    let loose: Vec<usize> = (0..headers.len())
        .filter(|&i| !key.is_empty() && header_key(&headers[i]) == key)
        .collect();
    if let [i] = loose[..] {
        return Ok(i);
    }
    bail!(
        "{}: no column named `{w}` ({what}); the headers are: {}",
        file.display(),
        headers.join(", ")
    )
}

fn map_headers(
    headers: &[String],
    id_column: &str,
    overrides: &[ColumnOverride],
    file: &Path,
) -> Result<Mapping> {
    let id = find_header(headers, id_column, file, "--id-column")?;
    let mut roles: Vec<(Role, Vec<usize>)> = Vec::new();
    let overridden = |r: Role| overrides.iter().any(|o| o.role == r);
    for (i, h) in headers.iter().enumerate() {
        let Some(role) = Role::of_header(h) else {
            continue;
        };
        if i == id || overridden(role) {
            continue;
        }
        match roles.iter_mut().find(|(r, _)| *r == role) {
            Some((_, cols)) if role.multi_valued() => cols.push(i),
            // A second column for a one-valued role (`address 2` after
            // `address 1`) is ignored: the first is the usual main one.
            Some(_) => {}
            None => roles.push((role, vec![i])),
        }
    }
    for o in overrides {
        if o.header.is_empty() {
            continue;
        }
        let what = format!("--column {}={}", o.role.name(), o.header);
        let col = find_header(headers, &o.header, file, &what)?;
        match roles.iter_mut().find(|(r, _)| *r == o.role) {
            Some((_, cols)) => cols.push(col),
            None => roles.push((o.role, vec![col])),
        }
    }
    roles.sort_by_key(|(r, _)| *r);
    let useful = roles.iter().any(|(r, _)| *r != Role::Recorded);
    if !useful {
        bail!(
            "{}: no column recognised as a name, date of birth, phone, email, address...; \
             the headers are: {} (use --column ROLE=HEADER; see --help)",
            file.display(),
            headers.join(", ")
        );
    }
    Ok(Mapping { id, roles })
}

// ---------------------------------------------------------------------------
// Cell parsing
// ---------------------------------------------------------------------------

/// Placeholders that mean "not known": as values they would match each
/// other exactly and link strangers.
fn is_blank(s: &str) -> bool {
    const BLANK: &[&str] = &[
        "", "-", "--", "?", "na", "n/a", "nan", "null", "nil", "none", "unknown", "unk",
    ];
    let t = s.trim();
    BLANK.iter().any(|b| t.eq_ignore_ascii_case(b))
}

fn text(s: &str) -> Option<String> {
    (!is_blank(s)).then(|| s.trim().to_string())
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// A date in one of the common forms (see the `dedupe` help); `None` when
/// the text is not a date.
pub fn parse_date(raw: &str) -> Option<Date> {
    let s = raw.trim();
    if is_blank(s) {
        return None;
    }
    // A time after an all-numeric date: `2008-04-09T10:00`, `04/09/2008 10:00`.
    let head = s
        .split(|c: char| c == 'T' || c.is_whitespace())
        .next()
        .unwrap_or(s);
    if head.len() >= 8 && !head.chars().any(|c| c.is_alphabetic()) {
        return numeric_date(head);
    }
    if !s.chars().any(|c| c.is_alphabetic()) {
        return numeric_date(s);
    }
    month_name_date(s)
}

fn numeric_date(s: &str) -> Option<Date> {
    let num = |t: &str| -> Option<u32> {
        (!t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse().ok())
            .flatten()
    };
    let year_ok = |y: u32| (1000..=2999).contains(&y);
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        let (y, m, d) = (num(&s[0..4])?, num(&s[4..6])?, num(&s[6..8])?);
        return year_ok(y).then(|| Date::new(y as u16, m as u8, d as u8));
    }
    let sep = s.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let parts: Vec<&str> = s.split(sep).collect();
    let [a, b, c] = parts[..] else {
        return None;
    };
    let (na, nb, nc) = (num(a)?, num(b)?, num(c)?);
    if a.len() == 4 {
        // Year first is unambiguous: out-of-range months or days are typos
        // the matcher can still use.
        return (year_ok(na) && nb <= 99 && nc <= 99)
            .then(|| Date::new(na as u16, nb as u8, nc as u8));
    }
    if c.len() != 4 || !year_ok(nc) {
        return None; // two-digit years are ambiguous
    }
    // Dots are written day first (09.04.2008); with slashes or dashes a
    // first number over 12 cannot be the month (25/12/2008).
    let day_first = sep == '.' || (na > 12 && nb <= 12);
    let (m, d) = if day_first { (nb, na) } else { (na, nb) };
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| Date::new(nc as u16, m as u8, d as u8))
}

fn month_name_date(s: &str) -> Option<Date> {
    let tokens: Vec<String> = s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect();
    let month = tokens.iter().find_map(|t| {
        let t = t.trim_end_matches(|c: char| c.is_ascii_digit());
        (t.len() >= 3)
            .then(|| MONTHS.iter().position(|m| t.starts_with(m)))
            .flatten()
    })? as u8
        + 1;
    let numbers: Vec<&str> = tokens
        .iter()
        .map(|t| t.trim_end_matches(|c: char| c.is_alphabetic())) // 9th
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    let year: u16 = numbers.iter().find(|t| t.len() == 4)?.parse().ok()?;
    let day: u8 = numbers.iter().find(|t| t.len() <= 2)?.parse().ok()?;
    ((1000..=2999).contains(&year) && (1..=31).contains(&day)).then(|| Date::new(year, month, day))
}

fn parse_sex(s: &str) -> Option<Sex> {
    match s.trim().to_lowercase().as_str() {
        "f" | "female" | "w" | "woman" | "girl" => Some(Sex::Female),
        "m" | "male" | "man" | "boy" => Some(Sex::Male),
        _ => None,
    }
}

fn parse_age(s: &str) -> Option<u8> {
    let t = s.trim();
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse::<u8>().ok().filter(|&a| a <= 130)
}

fn split_values(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split([';', ',', '|'])
        .filter(|v| !is_blank(v))
        .map(|v| v.trim().to_string())
}

/// "Doe, Jane" or "Jane Q Doe" into first and last.
fn split_name(s: &str) -> (Option<String>, Option<String>) {
    if let Some((last, first)) = s.split_once(',') {
        let first = first.split_whitespace().next().map(str::to_string);
        return (first, text(last));
    }
    let words: Vec<&str> = s.split_whitespace().collect();
    match words[..] {
        [] => (None, None),
        [one] => (Some(one.to_string()), None),
        [first, .., last] => (Some(first.to_string()), Some(last.to_string())),
    }
}

/// Counts of cells that were present but not understood, for the summary.
#[derive(Debug, Default)]
struct Oddities {
    bad_dates: usize,
    first_bad_date: Option<String>,
    bad_utf8_rows: usize,
}

fn person(id: String, row: &[Cow<'_, str>], map: &Mapping, odd: &mut Oddities) -> PersonRecord {
    let joined = |role: Role| -> Option<String> {
        let parts: Vec<&str> = map
            .columns(role)
            .iter()
            .map(|&c| row[c].as_ref())
            .filter(|v| !is_blank(v))
            .map(str::trim)
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    };
    let many = |role: Role| -> Vec<String> {
        map.columns(role)
            .iter()
            .flat_map(|&c| split_values(&row[c]))
            .collect()
    };
    let mut date = |role: Role| -> Option<Date> {
        let raw = joined(role)?;
        let d = parse_date(&raw);
        if d.is_none() {
            odd.bad_dates += 1;
            odd.first_bad_date.get_or_insert(raw);
        }
        d
    };
    let dob = date(Role::Dob);
    let recorded = date(Role::Recorded);
    let (mut first_name, mut last_name) = (joined(Role::FirstName), joined(Role::LastName));
    if first_name.is_none() && last_name.is_none() {
        if let Some(full) = joined(Role::Name) {
            (first_name, last_name) = split_name(&full);
        }
    }
    let address = match (joined(Role::StreetNumber), joined(Role::Address)) {
        (Some(n), Some(a)) => Some(format!("{n} {a}")),
        (n, a) => a.or(n),
    };
    PersonRecord {
        id,
        first_name,
        last_name,
        aliases: many(Role::Alias),
        dob,
        age: joined(Role::Age).as_deref().and_then(parse_age),
        recorded,
        sex: joined(Role::Sex).as_deref().and_then(parse_sex),
        phones: many(Role::Phone),
        emails: many(Role::Email),
        handles: many(Role::Handle),
        document_id: joined(Role::Document),
        address,
        city: joined(Role::City),
        state: joined(Role::State),
        postcode: joined(Role::Postcode),
    }
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
                    out.odd.bad_utf8_rows += 1;
                }
                let id = row[map.id].trim().to_string();
                if id.is_empty() {
                    bail!(
                        "{}: line {line}: empty id in column `{}`",
                        path.display(),
                        headers[map.id]
                    );
                }
                out.records.push(person(id, &row, &map, &mut out.odd));
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
        if f.odd.bad_utf8_rows > 0 {
            eprintln!(
                "  {}: {} rows are not valid UTF-8 (bad bytes replaced); save the file as UTF-8",
                path.display(),
                f.odd.bad_utf8_rows
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

#[derive(serde::Deserialize)]
struct AdLine {
    id: serde_json::Value,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    body: Option<String>,
    // Accepted so that a scrape with them parses; not evidence (see the
    // command's help).
    #[serde(default)]
    #[allow(dead_code)]
    city: Option<serde_json::Value>,
    #[serde(default)]
    #[allow(dead_code)]
    state: Option<serde_json::Value>,
    #[serde(default)]
    #[allow(dead_code)]
    posted_at: Option<serde_json::Value>,
    #[serde(default)]
    #[allow(dead_code)]
    site: Option<serde_json::Value>,
}

struct Ad {
    id: String,
    text: String,
}

fn read_ads(path: &Path) -> Result<(Vec<Ad>, Vec<u64>)> {
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
        let ad: AdLine = serde_json::from_str(line).map_err(|e| {
            anyhow!(
                "{}: line {line_no}: not a JSON object with an `id`: {e}",
                path.display()
            )
        })?;
        let id = match ad.id {
            serde_json::Value::String(s) if !s.trim().is_empty() => s.trim().to_string(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => bail!(
                "{}: line {line_no}: `id` must be a non-empty string or a number",
                path.display()
            ),
        };
        let title = ad.title.unwrap_or_default();
        let body = ad.body.unwrap_or_default();
        // The newline ends a sentence: shingles never span title and body.
        ads.push(Ad {
            id,
            text: format!("{title}\n{body}"),
        });
        lines.push(line_no);
        if ads.len().is_multiple_of(4096) {
            bar.set_position(read);
        }
    }
    bar.finish_and_clear();
    Ok((ads, lines))
}

/// Phones, emails and handles in each ad, extracted on all cores
/// (extraction is the slow part of clustering ads).
fn ad_identifiers(ads: &[Ad]) -> Vec<Vec<(IdKind, String)>> {
    let extractor = extract::Extractor::new();
    let bar = count_bar(ads.len() as u64, "extracting phones, emails, handles");
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = ads.len().div_ceil(threads).max(1);
    let one = |ad: &Ad| -> Vec<(IdKind, String)> {
        let mut found: Vec<(IdKind, String)> = extractor
            .extract(&ad.text)
            .into_iter()
            .filter_map(|e| match e.kind {
                extract::EntityKind::Phone => Some((IdKind::Phone, e.value)),
                extract::EntityKind::Email => Some((IdKind::Email, e.value)),
                extract::EntityKind::Handle => Some((IdKind::Handle, e.value)),
                _ => None,
            })
            .collect();
        found.sort();
        found.dedup();
        found
    };
    let out = std::thread::scope(|s| {
        let handles: Vec<_> = ads
            .chunks(chunk)
            .map(|part| {
                let bar = bar.clone();
                s.spawn(move || {
                    part.iter()
                        .map(|ad| {
                            bar.inc(1);
                            one(ad)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect::<Vec<_>>()
    });
    bar.finish_and_clear();
    out
}

/// Union-find joining the template and the identifier partitions.
struct Union(Vec<u32>);

impl Union {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.0[x as usize] != x {
            let p = self.0[x as usize];
            self.0[x as usize] = self.0[p as usize];
            x = p;
        }
        x
    }
    fn join(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0[ra.max(rb) as usize] = ra.min(rb);
        }
    }
}

/// Runs `clearinghouse cluster-ads`.
pub fn cluster_ads(args: &ClusterAdsArgs) -> Result<()> {
    let start = Instant::now();
    if !(0.0..=1.0).contains(&args.similarity) {
        bail!("--similarity must be between 0 and 1");
    }
    let (ads, lines) = read_ads(&args.input)?;
    // Owned: the ads, texts and all, are dropped once their signatures are taken.
    let owned: Vec<String> = ads.iter().map(|a| a.id.clone()).collect();
    let ids: Vec<&str> = owned.iter().map(String::as_str).collect();
    check_unique_ids(&[(args.input.as_path(), ids.as_slice(), lines.as_slice())])?;
    let found = ad_identifiers(&ads);

    let s = step("comparing texts");
    let mut texts = TextClusterer::new(TextConfig {
        threshold: args.similarity,
        ..TextConfig::default()
    });
    for ad in &ads {
        texts.add(&ad.text);
    }
    drop(ads);
    let templates = texts.cluster();
    s.set_message("linking shared identifiers");
    let mut graph = IdentifierGraph::new(IdentifierConfig {
        max_records: args.max_identifier_ads,
        ..IdentifierConfig::default()
    });
    for (i, ids) in found.iter().enumerate() {
        for (kind, value) in ids {
            graph.add(i as u32, *kind, value, None);
        }
    }
    let shared = graph.clusters();

    let mut union = Union((0..ids.len() as u32).collect());
    for g in &templates.groups {
        for &m in &g.members {
            union.join(g.template, m);
        }
    }
    for l in &shared.links {
        union.join(l.a, l.b);
    }
    let cluster_of: Vec<u32> = (0..ids.len() as u32).map(|i| union.find(i)).collect();
    let numbered = number_clusters(&ids, &cluster_of);
    write_clusters(&args.output, &ids, &numbered)?;
    let template_links: usize = templates
        .groups
        .iter()
        .map(|g| g.members.len().saturating_sub(1))
        .sum();
    if let Some(path) = &args.explain {
        write_ad_explanations(path, &ids, &templates, &shared.links)?;
    }
    s.finish_and_clear();
    eprintln!(
        "cluster-ads: {} ads read, {} clusters ({} of two or more ads), {} pairs linked \
         ({} ads joined to a template, {} shared-identifier links), {}",
        ids.len(),
        numbered.clusters,
        numbered.multi,
        numbered.pairs,
        template_links,
        shared.links.len(),
        seconds(start)
    );
    Ok(())
}

fn write_ad_explanations(
    path: &Path,
    ids: &[&str],
    templates: &link::TextClusters,
    shared: &[link::IdentifierLink],
) -> Result<()> {
    let ctx = || format!("writing {}", path.display());
    let mut rows: Vec<[String; 5]> = Vec::new();
    let pair = |a: u32, b: u32| {
        let (x, y) = (ids[a as usize], ids[b as usize]);
        if natural_cmp(x, y) == Ordering::Greater {
            (y.to_string(), x.to_string())
        } else {
            (x.to_string(), y.to_string())
        }
    };
    for g in &templates.groups {
        for (&m, &sim) in g.members.iter().zip(&g.similarity) {
            if m == g.template {
                continue;
            }
            let (a, b) = pair(m, g.template);
            rows.push([
                a,
                b,
                "template".into(),
                format!("{sim:.2}"),
                format!(
                    "text similarity {sim:.2} to the template ad {} ({} ads share it)",
                    ids[g.template as usize],
                    g.members.len()
                ),
            ]);
        }
    }
    for l in shared {
        let (a, b) = pair(l.a, l.b);
        let evidence: Vec<String> = l
            .evidence
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
        rows.push([
            a,
            b,
            "shared identifiers".into(),
            format!("{:.2}", l.weight),
            evidence.join("; "),
        ]);
    }
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
    fn headers_map_by_synonym_ignoring_case_and_punctuation() {
        let h = headers(&[
            "Record ID",
            "Given Name",
            "SURNAME",
            "Date of Birth",
            "Suburb",
            "ZIP Code",
            "Phone",
            "phone_2",
            "E-mail",
            "street_number",
            "address_1",
            "address_2",
            "notes",
        ]);
        let m = map_headers(&h, "record id", &[], Path::new("x.csv")).unwrap();
        assert_eq!(m.id, 0);
        assert_eq!(m.columns(Role::FirstName), [1]);
        assert_eq!(m.columns(Role::LastName), [2]);
        assert_eq!(m.columns(Role::Dob), [3]);
        assert_eq!(m.columns(Role::City), [4]);
        assert_eq!(m.columns(Role::Postcode), [5]);
        assert_eq!(m.columns(Role::Phone), [6, 7]);
        assert_eq!(m.columns(Role::Email), [8]);
        assert_eq!(m.columns(Role::StreetNumber), [9]);
        // address_2 is a second line: the first address column wins.
        assert_eq!(m.columns(Role::Address), [10]);
        assert!(m.roles.iter().all(|(_, c)| !c.contains(&12)));
    }

    #[test]
    fn column_override_replaces_and_disables_roles() {
        let h = headers(&["id", "first", "last", "Birth (d/m/y)", "dob", "ssn"]);
        let o = vec![
            parse_column_override("dob=birth (D/M/Y)").unwrap(),
            parse_column_override("surname=first").unwrap(),
            parse_column_override("given=last").unwrap(),
            parse_column_override("document=").unwrap(),
        ];
        let m = map_headers(&h, "ID", &o, Path::new("x.csv")).unwrap();
        assert_eq!(m.columns(Role::Dob), [3]);
        assert_eq!(m.columns(Role::LastName), [1]);
        assert_eq!(m.columns(Role::FirstName), [2]);
        assert!(m.columns(Role::Document).is_empty());
        assert!(parse_column_override("dob").is_err());
        let e = parse_column_override("shoe_size=x").unwrap_err();
        assert!(e.contains("first_name") && e.contains("postcode"), "{e}");
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
    fn dates_in_common_forms() {
        let d = |y, m, day| Some(Date::new(y, m, day));
        assert_eq!(parse_date("2008-04-09"), d(2008, 4, 9));
        assert_eq!(parse_date("2008/4/9"), d(2008, 4, 9));
        assert_eq!(parse_date("20080409"), d(2008, 4, 9));
        assert_eq!(parse_date("04/09/2008"), d(2008, 4, 9));
        assert_eq!(parse_date("4/9/2008"), d(2008, 4, 9));
        assert_eq!(parse_date("25/12/2008"), d(2008, 12, 25));
        assert_eq!(parse_date("09.04.2008"), d(2008, 4, 9));
        assert_eq!(parse_date("2008-04-09T10:30:00Z"), d(2008, 4, 9));
        assert_eq!(parse_date("04/09/2008 10:30"), d(2008, 4, 9));
        assert_eq!(parse_date("9 April 2008"), d(2008, 4, 9));
        assert_eq!(parse_date("Apr 9th, 2008"), d(2008, 4, 9));
        // FEBRL typos stay comparable when the form is unambiguous.
        assert_eq!(parse_date("19903925"), d(1990, 39, 25));
        for bad in [
            "",
            "n/a",
            "unknown",
            "04/09/08",
            "2008",
            "13/13/2008",
            "tomorrow",
            "0",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn cells_become_fields() {
        let h = headers(&["id", "name", "sex", "age", "phone", "email"]);
        let m = map_headers(&h, "id", &[], Path::new("x.csv")).unwrap();
        let row: Vec<Cow<str>> = [
            "7",
            "Doe, Jane Q",
            "F",
            "17 years",
            "212-555-0147; 212 555 0148",
            "N/A",
        ]
        .iter()
        .map(|s| Cow::Borrowed(*s))
        .collect();
        let p = person("7".into(), &row, &m, &mut Oddities::default());
        assert_eq!(p.first_name.as_deref(), Some("Jane"));
        assert_eq!(p.last_name.as_deref(), Some("Doe"));
        assert_eq!(p.sex, Some(Sex::Female));
        assert_eq!(p.age, Some(17));
        assert_eq!(p.phones.len(), 2);
        assert!(p.emails.is_empty());
        assert_eq!(
            split_name("Jane Q Doe"),
            (Some("Jane".into()), Some("Doe".into()))
        );
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
        assert_eq!(f.odd.bad_utf8_rows, 1);
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
