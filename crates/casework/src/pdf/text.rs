//! Text in the poster PDF: Unicode fonts embedded as per-document subsets, a font chosen per
//! run of text by coverage, shaping (`rustybuzz`) and right-to-left ordering
//! (`unicode-bidi`), and a `/ToUnicode` map so the text can be searched and copied.
//!
//! # Fonts
//! Noto Sans (Latin, Greek, Cyrillic, Vietnamese), Noto Sans Arabic and Droid Sans Fallback
//! (Chinese, Japanese, Korean) are vendored in `crates/casework/fonts/` with their licences,
//! compiled in and parsed once. A character takes the first font of the chain that has it;
//! marks, spaces and punctuation stay in the font of the text around them. Droid Sans
//! Fallback has no bold: bold CJK is drawn filled and stroked.
//!
//! # Extraction
//! Each embedded font is a Type0 font (`Identity-H`) over a CIDFontType2 subset. A CID
//! stands for a glyph *and* the text it was shaped from: shaping maps characters to glyphs
//! many-to-many (an Arabic letter takes one of four forms; a ligature is one glyph for two
//! letters; a letter and its marks are one cluster of several glyphs), so each shaped
//! cluster's source text is given back to its first glyph, and the cluster's other glyphs
//! (marks placed on it) are drawn as outlines, not as text, so they add nothing to the
//! extracted text. The `CIDToGIDMap` points each CID at its glyph in the subset, so one
//! glyph may appear under several CIDs with different text. A right-to-left ligature is
//! written as one code per letter, each with its part of the glyph's width, so extractors
//! that read by position find its letters in order too.
//!
//! A right-to-left run is drawn in its visual place but written to the page in logical
//! order, glyph by glyph with its own position, so text read off the page in stream order
//! (as `lopdf` does) comes out in reading order; and a line's runs are written in the
//! order of their text.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, TextRenderingMode, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};
use rustybuzz::ttf_parser::{GlyphId, OutlineBuilder};
use rustybuzz::{Direction, Face, ShapePlan, UnicodeBuffer};
use unicode_bidi::{BidiInfo, Level};

use super::COMPRESSION;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Style {
    Regular,
    Bold,
}

/// The embedded fonts; the index is also the page's font resource name (`/F0`…).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum FaceId {
    Sans = 0,
    SansBold = 1,
    Arabic = 2,
    ArabicBold = 3,
    Cjk = 4,
}

const FACE_COUNT: usize = 5;

struct FontFile {
    data: &'static [u8],
    name: &'static str,
    stem_v: f32,
}

const FILES: [FontFile; FACE_COUNT] = [
    FontFile {
        data: include_bytes!("../../fonts/NotoSans-Regular.ttf"),
        name: "NotoSans-Regular",
        stem_v: 80.0,
    },
    FontFile {
        data: include_bytes!("../../fonts/NotoSans-Bold.ttf"),
        name: "NotoSans-Bold",
        stem_v: 140.0,
    },
    FontFile {
        data: include_bytes!("../../fonts/NotoSansArabic-Regular.ttf"),
        name: "NotoSansArabic-Regular",
        stem_v: 80.0,
    },
    FontFile {
        data: include_bytes!("../../fonts/NotoSansArabic-Bold.ttf"),
        name: "NotoSansArabic-Bold",
        stem_v: 140.0,
    },
    FontFile {
        data: include_bytes!("../../fonts/DroidSansFallback.ttf"),
        name: "DroidSansFallback",
        stem_v: 80.0,
    },
];

/// The parsed fonts, once per process.
fn faces() -> &'static [Face<'static>] {
    static FACES: OnceLock<Vec<Face<'static>>> = OnceLock::new();
    FACES.get_or_init(|| {
        FILES
            .iter()
            .map(|f| {
                // The files are compiled in and tested: one that does not parse is a build
                // defect, not a runtime condition.
                Face::from_slice(f.data, 0).expect("a vendored font parses")
            })
            .collect()
    })
}

fn face(id: FaceId) -> &'static Face<'static> {
    &faces()[id as usize]
}

/// The fallback chain of a style, most preferred first.
fn chain(style: Style) -> [FaceId; 3] {
    match style {
        Style::Regular => [FaceId::Sans, FaceId::Arabic, FaceId::Cjk],
        Style::Bold => [FaceId::SansBold, FaceId::ArabicBold, FaceId::Cjk],
    }
}

/// Whether `face` draws `id` with a synthetic bold (filled and stroked).
fn synthetic_bold(style: Style, id: FaceId) -> bool {
    style == Style::Bold && id == FaceId::Cjk
}

fn covers(id: FaceId, c: char) -> bool {
    face(id).glyph_index(c).is_some()
}

/// Characters that belong to the character before them: combining marks, joiners and
/// variation selectors. They stay in the font of their base so shaping can place them.
fn is_attached(c: char) -> bool {
    matches!(u32::from(c),
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F
        | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06DC | 0x06DF..=0x06E4
        | 0x06E7..=0x06E8 | 0x06EA..=0x06ED | 0x200C | 0x200D | 0xFE00..=0xFE0F
        | 0x3099..=0x309A)
}

/// Characters no embedded font has: they print as an empty box (the text is still
/// extractable). Whitespace is never unprintable.
pub(super) fn unprintable(c: char) -> bool {
    !c.is_whitespace() && !chain(Style::Regular).iter().any(|&f| covers(f, c))
}

/// Splits `text` (one bidi level run) into runs of one font each, in logical order.
fn font_runs(text: &str, style: Style) -> Vec<(Range<usize>, FaceId)> {
    let chain = chain(style);
    let mut runs: Vec<(Range<usize>, FaceId)> = Vec::new();
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        let prev = runs.last().map(|r| r.1);
        let keep = prev.filter(|&p| is_attached(c) || (!c.is_alphabetic() && covers(p, c)));
        let id = keep.unwrap_or_else(|| {
            chain
                .iter()
                .copied()
                .find(|&f| covers(f, c))
                // No font has it: the first font's .notdef box stands in.
                .unwrap_or(chain[0])
        });
        match runs.last_mut() {
            Some(last) if last.1 == id => last.0.end = end,
            _ => runs.push((i..end, id)),
        }
    }
    runs
}

/// One glyph as shaped: its id in the full font, the text it stands for (`None` for a glyph
/// that repeats a cluster already given its text), and where it goes, in em.
#[derive(Clone, Debug)]
struct Glyph {
    gid: u16,
    text: Option<String>,
    /// Pen position from the start of its piece, before the offset.
    x: f32,
    dx: f32,
    dy: f32,
    advance: f32,
}

/// A run of glyphs in one font and one direction, glyphs in visual order.
#[derive(Clone, Debug)]
struct Piece {
    face: FaceId,
    rtl: bool,
    /// Where the piece's text starts in the line, to write pieces in reading order.
    start: usize,
    /// Its left edge from the line's start, in em.
    x: f32,
    glyphs: Vec<Glyph>,
}

/// A line of text, shaped and ordered for display.
#[derive(Clone, Debug, Default)]
pub(super) struct Shaped {
    pieces: Vec<Piece>,
    /// In em.
    width: f32,
}

impl Shaped {
    pub(super) fn width(&self, size: f32) -> f32 {
        self.width * size
    }
}

/// A glyph and the text it stands for, as one CID of a font's subset.
#[derive(Clone, PartialEq, Eq, Hash)]
struct CidEntry {
    gid: u16,
    text: String,
    /// How many letters share the glyph (a right-to-left ligature's, each one its own
    /// code): each is given that part of its width.
    share: u8,
}

#[derive(Default)]
struct FontUse {
    /// CID − 1 → its glyph and text.
    cids: Vec<CidEntry>,
    index: HashMap<CidEntry, u16>,
}

impl FontUse {
    fn cid(&mut self, gid: u16, text: &str, share: u8) -> u16 {
        let entry = CidEntry {
            gid,
            text: text.to_owned(),
            share,
        };
        if let Some(&cid) = self.index.get(&entry) {
            return cid;
        }
        self.cids.push(entry.clone());
        // A poster has a few hundred glyphs; 65 535 would be a page of tens of thousands
        // of different glyph-and-text pairs, which the layout never makes.
        let cid = u16::try_from(self.cids.len()).unwrap_or(u16::MAX);
        self.index.insert(entry, cid);
        cid
    }
}

/// Shapes text, draws it into page content, and writes the fonts it used.
pub(super) struct Typesetter {
    uses: [FontUse; FACE_COUNT],
    plans: HashMap<(FaceId, bool, rustybuzz::Script), ShapePlan>,
    widths: HashMap<(Style, String), f32>,
}

impl Typesetter {
    pub(super) fn new() -> Typesetter {
        Typesetter {
            uses: Default::default(),
            plans: HashMap::new(),
            widths: HashMap::new(),
        }
    }

    /// One line of text (whitespace becomes spaces), in the paragraph direction `level`
    /// (`None`: taken from the line's first strong character).
    pub(super) fn shape(&mut self, text: &str, style: Style, level: Option<Level>) -> Shaped {
        let text: String = text
            .chars()
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .collect();
        let bidi = BidiInfo::new(&text, level);
        let Some(para) = bidi.paragraphs.first() else {
            return Shaped::default();
        };
        let (levels, runs) = bidi.visual_runs(para, para.range.clone());
        let mut shaped = Shaped::default();
        for run in runs {
            let rtl = levels[run.start].is_rtl();
            let mut parts = font_runs(&text[run.clone()], style);
            if rtl {
                parts.reverse();
            }
            for (range, id) in parts {
                let start = run.start + range.start;
                let piece = self.shape_piece(&text[start..run.start + range.end], id, rtl, start);
                let width: f32 = piece.glyphs.iter().map(|g| g.advance).sum();
                shaped.pieces.push(Piece {
                    x: shaped.width,
                    ..piece
                });
                shaped.width += width;
            }
        }
        shaped
    }

    fn shape_piece(&mut self, text: &str, id: FaceId, rtl: bool, start: usize) -> Piece {
        let face = face(id);
        let mut buf = UnicodeBuffer::new();
        buf.push_str(text);
        buf.set_direction(if rtl {
            Direction::RightToLeft
        } else {
            Direction::LeftToRight
        });
        buf.guess_segment_properties();
        let script = buf.script();
        let plan = self.plans.entry((id, rtl, script)).or_insert_with(|| {
            let script = (script != rustybuzz::script::UNKNOWN).then_some(script);
            ShapePlan::new(face, buf.direction(), script, None, &[])
        });
        let out = rustybuzz::shape_with_plan(face, plan, buf);
        let upem = face.units_per_em().max(1) as f32;
        let infos = out.glyph_infos();
        let positions = out.glyph_positions();

        // Each cluster's text: from its start to the next cluster's start.
        let mut starts: Vec<usize> = infos.iter().map(|i| i.cluster as usize).collect();
        starts.sort_unstable();
        starts.dedup();
        let cluster_text = |c: usize| -> &str {
            let end = starts
                .iter()
                .copied()
                .find(|&s| s > c)
                .unwrap_or(text.len());
            text.get(c..end).unwrap_or("")
        };
        // The glyphs of each cluster in logical order (the buffer is in visual order).
        let mut logical: Vec<usize> = (0..infos.len()).collect();
        if rtl {
            logical.reverse();
        }
        let mut texts: Vec<Option<String>> = vec![None; infos.len()];
        let mut i = 0;
        while i < logical.len() {
            let cluster = infos[logical[i]].cluster as usize;
            let mut j = i;
            while j < logical.len() && infos[logical[j]].cluster as usize == cluster {
                j += 1;
            }
            // The cluster's first glyph (its base letter) carries all its text; the others
            // (marks placed on it) carry none.
            texts[logical[i]] = Some(cluster_text(cluster).to_owned());
            i = j;
        }

        let mut pen = 0.0;
        let glyphs = infos
            .iter()
            .zip(positions)
            .zip(texts)
            .map(|((info, pos), text)| {
                let g = Glyph {
                    gid: u16::try_from(info.glyph_id).unwrap_or(0),
                    text,
                    x: pen,
                    dx: pos.x_offset as f32 / upem,
                    dy: pos.y_offset as f32 / upem,
                    advance: pos.x_advance as f32 / upem,
                };
                pen += g.advance;
                g
            })
            .collect();
        Piece {
            face: id,
            rtl,
            start,
            x: 0.0,
            glyphs,
        }
    }

    /// The width of `text` set on one line, in points.
    pub(super) fn width(&mut self, style: Style, size: f32, text: &str) -> f32 {
        if let Some(w) = self.widths.get(&(style, text.to_owned())) {
            return w * size;
        }
        let w = self.shape(text, style, None).width;
        self.widths.insert((style, text.to_owned()), w);
        w * size
    }

    /// Greedy line breaking at spaces; a word wider than the line is broken between
    /// characters (as CJK text without spaces is), never between a letter and its marks.
    pub(super) fn wrap(&mut self, style: Style, size: f32, max: f32, text: &str) -> Vec<String> {
        let space = self.width(style, size, " ");
        let mut lines: Vec<String> = Vec::new();
        let mut line = String::new();
        let mut line_w = 0.0;
        for word in text.split_whitespace() {
            let w = self.width(style, size, word);
            let candidate = if line.is_empty() {
                w
            } else {
                line_w + space + w
            };
            if candidate <= max {
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
                line_w = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            if w <= max {
                line.push_str(word);
                line_w = w;
                continue;
            }
            let mut piece = String::new();
            for unit in units(word) {
                let longer = format!("{piece}{unit}");
                if !piece.is_empty() && self.width(style, size, &longer) > max {
                    lines.push(std::mem::replace(&mut piece, unit.to_owned()));
                } else {
                    piece = longer;
                }
            }
            line_w = self.width(style, size, &piece);
            line = piece;
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    /// Keeps at most `n` lines, ending the last kept one with an ellipsis when any were cut.
    pub(super) fn clip(
        &mut self,
        mut lines: Vec<String>,
        n: usize,
        style: Style,
        size: f32,
        max: f32,
    ) -> Vec<String> {
        if lines.len() <= n {
            return lines;
        }
        lines.truncate(n);
        if let Some(last) = lines.last_mut() {
            while !last.is_empty() && self.width(style, size, &format!("{last}…")) > max {
                last.pop();
            }
            let kept = last.trim_end().len();
            last.truncate(kept);
            last.push('…');
        }
        lines
    }

    /// Draws a shaped line with its left edge at `x` and baseline at `y`, in the page's
    /// current fill colour (which `Page` also keeps as the stroke colour, for synthetic bold).
    pub(super) fn draw(
        &mut self,
        content: &mut Content,
        line: &Shaped,
        style: Style,
        size: f32,
        x: f32,
        y: f32,
    ) {
        let mut order: Vec<&Piece> = line.pieces.iter().collect();
        order.sort_by_key(|p| p.start);
        let mut outlines: Vec<(FaceId, u16, f32, f32)> = Vec::new();
        content.begin_text();
        for piece in order {
            let id = piece.face;
            let fake_bold = synthetic_bold(style, id);
            content.set_font(font_name(id), size);
            if fake_bold {
                content
                    .set_text_rendering_mode(TextRenderingMode::FillStroke)
                    .set_line_width(size * 0.03);
            }
            let left = x + piece.x * size;
            let at = |g: &Glyph| (left + (g.x + g.dx) * size, y + g.dy * size);
            let plain = !piece.rtl
                && piece
                    .glyphs
                    .iter()
                    .all(|g| g.text.is_some() && g.dx == 0.0 && g.dy == 0.0);
            let use_ = &mut self.uses[id as usize];
            if plain {
                // Strings of glyphs at their advances in the font, each string placed
                // anew where shaping moved a glyph (kerning). Not `TJ` adjustments: some
                // text extractors take the end of a `TJ` array for a space.
                let mut codes: Vec<u8> = Vec::new();
                let mut from = 0.0;
                let mut drift = 0.0f32;
                for g in &piece.glyphs {
                    if drift.abs() > 1e-4 && !codes.is_empty() {
                        content
                            .set_text_matrix([1.0, 0.0, 0.0, 1.0, left + from * size, y])
                            .show(Str(&codes));
                        codes.clear();
                        from = g.x;
                    }
                    let cid = use_.cid(g.gid, g.text.as_deref().unwrap_or_default(), 1);
                    codes.extend_from_slice(&cid.to_be_bytes());
                    drift = g.advance - advance_em(id, g.gid);
                }
                if !codes.is_empty() {
                    content
                        .set_text_matrix([1.0, 0.0, 0.0, 1.0, left + from * size, y])
                        .show(Str(&codes));
                }
            } else {
                // Each glyph in its own place, in reading order.
                let glyphs: Box<dyn Iterator<Item = &Glyph>> = if piece.rtl {
                    Box::new(piece.glyphs.iter().rev())
                } else {
                    Box::new(piece.glyphs.iter())
                };
                for g in glyphs {
                    let (gx, gy) = at(g);
                    let Some(text) = &g.text else {
                        outlines.push((id, g.gid, gx, gy));
                        continue;
                    };
                    let chars: Vec<char> = text.chars().collect();
                    if !piece.rtl || chars.len() < 2 {
                        let cid = use_.cid(g.gid, text, 1);
                        content
                            .set_text_matrix([1.0, 0.0, 0.0, 1.0, gx, gy])
                            .show(Str(&cid.to_be_bytes()));
                        continue;
                    }
                    // A right-to-left ligature (lam-alef): one code per letter, each with
                    // its part of the glyph's width, right to left, so that extractors
                    // reading by position (poppler) find the letters in order as well as
                    // those reading the stream. The glyph is drawn once, by the last
                    // letter's code; the others are invisible.
                    let n = chars.len();
                    let share = u8::try_from(n).unwrap_or(u8::MAX);
                    let part = g.advance * size / n as f32;
                    content.set_text_rendering_mode(TextRenderingMode::Invisible);
                    for (k, c) in chars.iter().enumerate() {
                        let last = k + 1 == n;
                        if last {
                            content.set_text_rendering_mode(if fake_bold {
                                TextRenderingMode::FillStroke
                            } else {
                                TextRenderingMode::Fill
                            });
                        }
                        let cid = use_.cid(g.gid, &c.to_string(), share);
                        let cx = if last {
                            gx
                        } else {
                            gx + part * (n - 1 - k) as f32
                        };
                        content
                            .set_text_matrix([1.0, 0.0, 0.0, 1.0, cx, gy])
                            .show(Str(&cid.to_be_bytes()));
                    }
                }
            }
            if fake_bold {
                content.set_text_rendering_mode(TextRenderingMode::Fill);
            }
        }
        content.end_text();
        for (id, gid, gx, gy) in outlines {
            draw_outline(content, id, gid, gx, gy, size, synthetic_bold(style, id));
        }
    }

    /// The page's font resources: name and object of each font used.
    pub(super) fn resources(&self, first: i32) -> Vec<(Name<'static>, Ref)> {
        (0..FACE_COUNT)
            .filter(|&i| !self.uses[i].cids.is_empty())
            .map(|i| (font_name(FACE_IDS[i]), font_refs(first, i)[0]))
            .collect()
    }

    /// Writes each font used: its subset, widths, CID → glyph map and `/ToUnicode`. Takes
    /// `FACE_COUNT * 6` object numbers from `first`.
    pub(super) fn write_fonts(&self, pdf: &mut Pdf, first: i32) {
        for (i, use_) in self.uses.iter().enumerate() {
            if use_.cids.is_empty() {
                continue;
            }
            write_font(pdf, &FILES[i], face(FACE_IDS[i]), use_, font_refs(first, i));
        }
    }
}

/// The object numbers one font needs.
const OBJECTS_PER_FONT: i32 = 6;

const FACE_IDS: [FaceId; FACE_COUNT] = [
    FaceId::Sans,
    FaceId::SansBold,
    FaceId::Arabic,
    FaceId::ArabicBold,
    FaceId::Cjk,
];

fn font_refs(first: i32, i: usize) -> [Ref; 6] {
    let base = first + OBJECTS_PER_FONT * i as i32;
    [0, 1, 2, 3, 4, 5].map(|k| Ref::new(base + k))
}

fn font_name(id: FaceId) -> Name<'static> {
    const NAMES: [&[u8]; FACE_COUNT] = [b"F0", b"F1", b"F2", b"F3", b"F4"];
    Name(NAMES[id as usize])
}

/// A glyph's advance in the font, in em.
fn advance_em(id: FaceId, gid: u16) -> f32 {
    let f = face(id);
    f32::from(f.glyph_hor_advance(GlyphId(gid)).unwrap_or(0)) / f.units_per_em().max(1) as f32
}

/// Text split where a line may break inside a word: before each character that is not
/// attached to the one before it.
fn units(word: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in word.char_indices() {
        if i > start && !is_attached(c) {
            out.push(&word[start..i]);
            start = i;
        }
    }
    if start < word.len() {
        out.push(&word[start..]);
    }
    out
}

/// A subset tag (six capitals) from the glyphs used, so two subsets of one font in
/// different documents are not taken for the same font, and the same data gives the same
/// bytes.
fn subset_tag(name: &str, use_: &FontUse) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    name.bytes().for_each(&mut eat);
    for c in &use_.cids {
        c.gid.to_be_bytes().into_iter().for_each(&mut eat);
    }
    (0..6)
        .map(|k| char::from(b'A' + ((h >> (k * 5)) % 26) as u8))
        .collect()
}

fn write_font(pdf: &mut Pdf, file: &FontFile, face: &Face<'_>, use_: &FontUse, refs: [Ref; 6]) {
    let [type0, cid_font, descriptor, font_file, cid_to_gid, to_unicode] = refs;
    let upem = face.units_per_em().max(1) as f32;
    let em = |v: f32| v * 1000.0 / upem;

    let mut remapper = subsetter::GlyphRemapper::new();
    for c in &use_.cids {
        remapper.remap(c.gid);
    }
    // A font the subsetter cannot cut is embedded whole, with its own glyph ids: a larger
    // file, the same page.
    let (program, new_gid): (Vec<u8>, Box<dyn Fn(u16) -> u16>) =
        match subsetter::subset(file.data, 0, &remapper) {
            Ok(sub) => (sub, Box::new(move |g| remapper.get(g).unwrap_or(0))),
            Err(_) => (file.data.to_vec(), Box::new(|g| g)),
        };

    let base_font = format!("{}+{}", subset_tag(file.name, use_), file.name);
    let base_font = Name(base_font.as_bytes());
    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };

    pdf.type0_font(type0)
        .base_font(base_font)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_font)
        .to_unicode(to_unicode);

    let widths: Vec<f32> = use_
        .cids
        .iter()
        .map(|c| {
            em(f32::from(
                face.glyph_hor_advance(GlyphId(c.gid)).unwrap_or(0),
            )) / f32::from(c.share.max(1))
        })
        .collect();
    let mut cid = pdf.cid_font(cid_font);
    cid.subtype(CidFontType::Type2)
        .base_font(base_font)
        .system_info(system_info)
        .font_descriptor(descriptor)
        .default_width(0.0)
        .cid_to_gid_map_stream(cid_to_gid);
    cid.widths().consecutive(1, widths);
    cid.finish();

    let bbox = face.global_bounding_box();
    let ascent = em(f32::from(face.ascender()));
    let descent = em(f32::from(face.descender()));
    pdf.font_descriptor(descriptor)
        .name(base_font)
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(
            em(f32::from(bbox.x_min)),
            em(f32::from(bbox.y_min)),
            em(f32::from(bbox.x_max)),
            em(f32::from(bbox.y_max)),
        ))
        .italic_angle(0.0)
        .ascent(ascent)
        .descent(descent)
        .cap_height(face.capital_height().map_or(ascent, |h| em(f32::from(h))))
        .stem_v(file.stem_v)
        .font_file2(font_file);

    let compressed = compress_to_vec_zlib(&program, COMPRESSION);
    let mut stream = pdf.stream(font_file, &compressed);
    stream.filter(Filter::FlateDecode);
    stream.pair(
        Name(b"Length1"),
        i32::try_from(program.len()).unwrap_or(i32::MAX),
    );
    stream.finish();

    // CID 0 is .notdef; CID n is the n-th glyph-and-text pair.
    let mut map = vec![0u8, 0];
    for c in &use_.cids {
        map.extend_from_slice(&new_gid(c.gid).to_be_bytes());
    }
    pdf.stream(cid_to_gid, &compress_to_vec_zlib(&map, COMPRESSION))
        .filter(Filter::FlateDecode);

    let mut cmap = UnicodeCmap::new(
        Name(b"Clearinghouse-UCS"),
        SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"UCS"),
            supplement: 0,
        },
    );
    for (i, c) in use_.cids.iter().enumerate() {
        let cid = u16::try_from(i + 1).unwrap_or(u16::MAX);
        cmap.pair_with_multiple(cid, c.text.chars());
    }
    let cmap = cmap.finish();
    pdf.cmap(
        to_unicode,
        &compress_to_vec_zlib(cmap.as_slice(), COMPRESSION),
    )
    .filter(Filter::FlateDecode);
}

/// Draws one glyph as a filled path, for a glyph that must not add to the page's text.
fn draw_outline(
    content: &mut Content,
    id: FaceId,
    gid: u16,
    x: f32,
    y: f32,
    size: f32,
    stroke: bool,
) {
    let f = face(id);
    let scale = size / f.units_per_em().max(1) as f32;
    let mut sink = PathSink {
        content,
        x,
        y,
        scale,
        last: (0.0, 0.0),
    };
    if f.outline_glyph(GlyphId(gid), &mut sink).is_some() {
        if stroke {
            content
                .set_line_width(size * 0.03)
                .fill_nonzero_and_stroke();
        } else {
            content.fill_nonzero();
        }
    }
}

struct PathSink<'a> {
    content: &'a mut Content,
    x: f32,
    y: f32,
    scale: f32,
    /// The current point, in font units.
    last: (f32, f32),
}

impl PathSink<'_> {
    fn at(&self, x: f32, y: f32) -> (f32, f32) {
        (self.x + x * self.scale, self.y + y * self.scale)
    }
}

impl OutlineBuilder for PathSink<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        let (px, py) = self.at(x, y);
        self.content.move_to(px, py);
        self.last = (x, y);
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let (px, py) = self.at(x, y);
        self.content.line_to(px, py);
        self.last = (x, y);
    }

    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        // A quadratic Bézier as the cubic with the same curve.
        let (x0, y0) = self.last;
        let c1 = self.at(x0 + 2.0 / 3.0 * (x1 - x0), y0 + 2.0 / 3.0 * (y1 - y0));
        let c2 = self.at(x + 2.0 / 3.0 * (x1 - x), y + 2.0 / 3.0 * (y1 - y));
        let p = self.at(x, y);
        self.content.cubic_to(c1.0, c1.1, c2.0, c2.1, p.0, p.1);
        self.last = (x, y);
    }

    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let c1 = self.at(x1, y1);
        let c2 = self.at(x2, y2);
        let p = self.at(x, y);
        self.content.cubic_to(c1.0, c1.1, c2.0, c2.1, p.0, p.1);
        self.last = (x, y);
    }

    fn close(&mut self) {
        self.content.close_path();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_a_font_per_run_by_coverage() {
        let runs = font_runs("Nguyễn 王小明 ليلى", Style::Regular);
        let faces: Vec<FaceId> = runs.iter().map(|r| r.1).collect();
        assert_eq!(faces, vec![FaceId::Sans, FaceId::Cjk, FaceId::Arabic]);
        assert!(!unprintable('ễ') && !unprintable('王') && !unprintable('ل'));
        assert!(unprintable('\u{10FFFD}'));
    }

    #[test]
    fn arabic_is_shaped_right_to_left_and_keeps_its_text() {
        let mut t = Typesetter::new();
        let line = t.shape("ليلى حسن", Style::Regular, None);
        assert_eq!(line.pieces.len(), 1);
        let piece = &line.pieces[0];
        assert!(piece.rtl);
        // Joined forms, not the isolated letters' glyphs.
        let isolated = face(FaceId::Arabic).glyph_index('ل').map(|g| g.0);
        assert!(piece.glyphs.iter().all(|g| Some(g.gid) != isolated));
        // Read right to left (the buffer is in visual order), the glyphs' texts are the name.
        let text: String = piece
            .glyphs
            .iter()
            .rev()
            .filter_map(|g| g.text.clone())
            .collect();
        assert_eq!(text, "ليلى حسن");
    }

    #[test]
    fn wraps_measures_and_clips() {
        let mut t = Typesetter::new();
        let w = t.width(Style::Regular, 10.0, "MISSING");
        assert!(w > 30.0 && w < 60.0, "{w}");
        let lines = t.wrap(
            Style::Regular,
            12.0,
            100.0,
            "a few words that need more than one line",
        );
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(t.width(Style::Regular, 12.0, l) <= 100.0);
        }
        let lines = t.wrap(Style::Bold, 12.0, 100.0, &"W".repeat(60));
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(t.width(Style::Bold, 12.0, l) <= 100.0);
        }
        let cjk = t.wrap(Style::Regular, 12.0, 100.0, &"王小明".repeat(20));
        assert!(cjk.len() > 1);
        let clipped = t.clip(lines, 2, Style::Bold, 12.0, 100.0);
        assert_eq!(clipped.len(), 2);
        assert!(clipped[1].ends_with('…'));
        assert_eq!(
            units("Nguye\u{302}\u{303}n"),
            vec!["N", "g", "u", "y", "e\u{302}\u{303}", "n"]
        );
    }
}
