//! `clearinghouse extract`: the entity extractor (crates/extract) run on plain
//! text or JSON lines, one JSON line out per text in, for an analyst with a
//! file of narratives or ads and for scripts. Reading, format detection,
//! error reporting and output live here; all extraction is the crate's.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{anyhow, Context, Result};
use extract::{EntityKind, Extractor};
use serde::Serialize;
use serde_json::Value;

/// Find phone numbers, email addresses, URLs, handles, places, money,
/// ages and trafficking-related terms in texts, with where each was found.
///
/// Reads plain text (each line is one text) or JSON lines (each line an
/// object with a `text` string and optionally an `id`, string or number)
/// and writes one JSON line per text: its id and the entities found, each
/// with its kind, normalised value (phones in E.164, emails in lower case),
/// the byte range it was read from, and that stretch of the text.
/// Obfuscations are read through: "two one two 555 O147", "name [at]
/// example [dot] com", look-alike letters, emoji digits. Every entity is an
/// indicator to weigh, never proof on its own.
#[derive(clap::Args, Debug, Clone)]
#[command(after_long_help = EXTRACT_HELP)]
pub struct ExtractArgs {
    /// File to read; `-` or nothing reads standard input.
    #[arg(value_name = "INPUT")]
    pub input: Option<PathBuf>,
    /// How the input is written: `text` (a text per line), `jsonl` (a JSON
    /// object per line) or `auto` (JSON lines if the first line that is not
    /// blank is a JSON object with a `text` field, text otherwise).
    #[arg(long, value_enum, default_value_t = Format::Auto, value_name = "FORMAT")]
    pub format: Format,
}

/// How the input is written.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One text per line; its id is the line number, from 1.
    Text,
    /// One JSON object per line, with `text` and optionally `id`.
    Jsonl,
    /// JSON lines if the first line that is not blank is such an object.
    Auto,
}

const EXTRACT_HELP: &str = "\
Output: one JSON object per line, in input order:
  {\"id\":1,\"entities\":[{\"kind\":\"phone\",\"value\":\"+12125550147\",\"span\":[5,17],\"text\":\"212-555-0147\"}]}
`span` is the byte range [start, end) of `text` within the input text (UTF-8). \
Kinds: phone, email, url, domain, handle, platform, money, age, state, city, venue, \
term, symbol.

With plain text every line is a text (an empty line gives no entities) and its id is \
its line number, from 1. With JSON lines, blank lines are skipped and a line without \
an `id` gets its line number. A line that cannot be read (not JSON, no `text` string, \
an `id` that is neither a string nor a number, not UTF-8) is reported on standard \
error with its line number and skipped; the others are still written, and the exit \
status is then 1.

Examples:
  clearinghouse extract narratives.txt
  clearinghouse extract ads.jsonl > entities.jsonl
  echo 'call 212-555-0147' | clearinghouse extract";

/// One entity as written out.
#[derive(Serialize)]
struct Found<'a> {
    kind: EntityKind,
    value: &'a str,
    span: [usize; 2],
    text: &'a str,
    /// A phone whose area code the phone library does not list (written
    /// only when true, so other lines read as before).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    unverified: bool,
}

/// One output line.
#[derive(Serialize)]
struct Line<'a> {
    id: &'a Value,
    entities: Vec<Found<'a>>,
}

/// Runs the command. Lines that cannot be read are reported as they come
/// and make the result an error once every other line is written.
pub fn run(args: &ExtractArgs) -> Result<()> {
    let input: Box<dyn BufRead> = match &args.input {
        Some(path) if path.as_os_str() != "-" => Box::new(BufReader::new(
            File::open(path).with_context(|| format!("opening {}", path.display()))?,
        )),
        _ => Box::new(std::io::stdin().lock()),
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut job = Job {
        extractor: Extractor::new(),
        format: match args.format {
            Format::Auto => None,
            f => Some(f),
        },
        waiting: Vec::new(),
        texts: 0,
        failed: 0,
    };
    read_lines(input, |number, line| job.line(number, line, &mut out))?;
    job.finish(&mut out)?;
    out.flush().context("writing the output")?;
    match job.failed {
        0 => Ok(()),
        n => Err(anyhow!(
            "{n} line(s) could not be read (see above); {} text(s) were written",
            job.texts
        )),
    }
}

/// Calls `f` with each line (1-based number, bytes without the line end).
fn read_lines(
    mut input: impl BufRead,
    mut f: impl FnMut(usize, &[u8]) -> Result<()>,
) -> Result<()> {
    let mut buf = Vec::new();
    let mut number = 0;
    loop {
        buf.clear();
        let n = input
            .read_until(b'\n', &mut buf)
            .context("reading the input")?;
        if n == 0 {
            return Ok(());
        }
        number += 1;
        let mut line = buf.as_slice();
        line = line.strip_suffix(b"\n").unwrap_or(line);
        line = line.strip_suffix(b"\r").unwrap_or(line);
        f(number, line)?;
    }
}

struct Job {
    extractor: Extractor,
    /// Decided by the first line that is not blank, under `auto`.
    format: Option<Format>,
    /// Blank lines read before the format was decided.
    waiting: Vec<usize>,
    texts: usize,
    failed: usize,
}

impl Job {
    fn line(&mut self, number: usize, line: &[u8], out: &mut impl Write) -> Result<()> {
        let format = match self.format {
            Some(f) => f,
            None if line.trim_ascii().is_empty() => {
                self.waiting.push(number);
                return Ok(());
            }
            None => {
                let f = if looks_like_jsonl(line) {
                    Format::Jsonl
                } else {
                    Format::Text
                };
                self.format = Some(f);
                self.flush_waiting(f, out)?;
                f
            }
        };
        match format {
            Format::Jsonl => self.json_line(number, line, out),
            _ => match std::str::from_utf8(line) {
                Ok(text) => self.write(&Value::from(number), text, out),
                Err(e) => {
                    self.fail(number, &format!("not valid UTF-8 ({e})"));
                    Ok(())
                }
            },
        }
    }

    fn json_line(&mut self, number: usize, line: &[u8], out: &mut impl Write) -> Result<()> {
        if line.trim_ascii().is_empty() {
            return Ok(());
        }
        let value: Value = match serde_json::from_slice(line) {
            Ok(v) => v,
            Err(e) => {
                self.fail(number, &format!("not JSON ({e})"));
                return Ok(());
            }
        };
        let Some(object) = value.as_object() else {
            self.fail(number, "not a JSON object");
            return Ok(());
        };
        let Some(text) = object.get("text").and_then(Value::as_str) else {
            self.fail(number, "no \"text\" string");
            return Ok(());
        };
        let line_id = Value::from(number);
        let id = match object.get("id") {
            None | Some(Value::Null) => &line_id,
            Some(id @ (Value::String(_) | Value::Number(_))) => id,
            Some(_) => {
                self.fail(number, "\"id\" is neither a string nor a number");
                return Ok(());
            }
        };
        self.write(id, text, out)
    }

    /// Under `auto`, blank lines before the first text are texts too when
    /// the input turns out to be plain text.
    fn flush_waiting(&mut self, format: Format, out: &mut impl Write) -> Result<()> {
        let waiting = std::mem::take(&mut self.waiting);
        if format == Format::Text {
            for number in waiting {
                self.write(&Value::from(number), "", out)?;
            }
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut impl Write) -> Result<()> {
        if self.format.is_none() {
            self.flush_waiting(Format::Text, out)?;
        }
        Ok(())
    }

    fn write(&mut self, id: &Value, text: &str, out: &mut impl Write) -> Result<()> {
        self.texts += 1;
        let entities = self.extractor.extract(text);
        let line = Line {
            id,
            entities: entities
                .iter()
                .map(|e| Found {
                    kind: e.kind,
                    value: &e.value,
                    span: [e.span.start, e.span.end],
                    text: text.get(e.span.clone()).unwrap_or_default(),
                    unverified: e.unverified,
                })
                .collect(),
        };
        serde_json::to_writer(&mut *out, &line).context("writing the output")?;
        out.write_all(b"\n").context("writing the output")
    }

    fn fail(&mut self, number: usize, why: &str) {
        self.failed += 1;
        eprintln!("line {number}: {why}; skipped");
    }
}

/// Is this line a JSON object with a `text` field?
fn looks_like_jsonl(line: &[u8]) -> bool {
    serde_json::from_slice::<Value>(line)
        .ok()
        .and_then(|v| v.as_object().map(|o| o.contains_key("text")))
        .unwrap_or(false)
}
