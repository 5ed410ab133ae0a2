//! The poster's PDF: the photo as an image, text in the built-in Helvetica (WinAnsi encoding,
//! with its widths for line breaking) and the page layout, written with `pdf-writer`.

use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::model::long_date;
use crate::photo::{decode_png, PhotoFormat, SanitisedPhoto};
use crate::poster::PosterData;

const COMPRESSION: u8 = 6;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Colors {
    Gray,
    Rgb,
}

/// A photo ready to embed as an image XObject.
struct Image {
    width: u32,
    height: u32,
    colors: Colors,
    /// The sanitised JPEG (DCT-encoded) or zlib-compressed 8-bit samples.
    data: Vec<u8>,
    jpeg: bool,
    /// Zlib-compressed 8-bit alpha, for PNGs with transparency.
    alpha: Option<Vec<u8>>,
}

impl Image {
    /// A JPEG is embedded as it is; a PNG as its pixels. A sanitised PNG was decoded when
    /// it was sanitised, so decoding it again does not fail; if it ever did, the poster
    /// would go without its photo rather than not at all.
    fn prepare(photo: &SanitisedPhoto) -> Option<Image> {
        let colors = |gray| if gray { Colors::Gray } else { Colors::Rgb };
        match photo.format() {
            PhotoFormat::Jpeg => Some(Image {
                width: photo.width(),
                height: photo.height(),
                colors: colors(photo.is_gray()),
                data: photo.bytes().to_vec(),
                jpeg: true,
                alpha: None,
            }),
            PhotoFormat::Png => {
                let px = decode_png(photo.bytes()).ok()?;
                Some(Image {
                    width: px.width,
                    height: px.height,
                    colors: colors(px.gray),
                    data: compress_to_vec_zlib(&px.samples, COMPRESSION),
                    jpeg: false,
                    alpha: px.alpha.map(|a| compress_to_vec_zlib(&a, COMPRESSION)),
                })
            }
        }
    }
}

/// The WinAnsiEncoding byte of a character, if it has one.
fn win_ansi(c: char) -> Option<u8> {
    let u = u32::from(c);
    match u {
        0x20..=0x7E | 0xA0..=0xFF => u8::try_from(u).ok(),
        _ => Some(match c {
            '€' => 0x80,
            '‚' => 0x82,
            'ƒ' => 0x83,
            '„' => 0x84,
            '…' => 0x85,
            '†' => 0x86,
            '‡' => 0x87,
            'ˆ' => 0x88,
            '‰' => 0x89,
            'Š' => 0x8A,
            '‹' => 0x8B,
            'Œ' => 0x8C,
            'Ž' => 0x8E,
            '\u{2018}' => 0x91,
            '\u{2019}' => 0x92,
            '\u{201C}' => 0x93,
            '\u{201D}' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '˜' => 0x98,
            '™' => 0x99,
            'š' => 0x9A,
            '›' => 0x9B,
            'œ' => 0x9C,
            'ž' => 0x9E,
            'Ÿ' => 0x9F,
            _ => return None,
        }),
    }
}

/// The text in WinAnsi bytes; whitespace becomes a space, anything else unprintable `?`.
fn encode(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| {
            if c.is_whitespace() {
                b' '
            } else {
                win_ansi(c).unwrap_or(b'?')
            }
        })
        .collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Font {
    Regular,
    Bold,
}

impl Font {
    fn name(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"F1"),
            Font::Bold => Name(b"F2"),
        }
    }
}

/// Helvetica and Helvetica-Bold advance widths (1/1000 em) of ASCII 32–126, from Adobe's
/// Core 14 AFM files.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];

/// The width of an encoded byte. Accented Latin-1 letters measure as their base letter; the
/// rest above ASCII as a full em, so a line is never measured short and never overflows.
fn glyph_width(font: Font, byte: u8) -> f32 {
    let table = match font {
        Font::Regular => &HELVETICA,
        Font::Bold => &HELVETICA_BOLD,
    };
    let base = match byte {
        0x20..=0x7E => byte,
        0xC0..=0xC5 => b'A',
        0xC7 => b'C',
        0xC8..=0xCB => b'E',
        0xCC..=0xCF => b'I',
        0xD1 => b'N',
        0xD2..=0xD6 | 0xD8 => b'O',
        0xD9..=0xDC => b'U',
        0xDD | 0x9F => b'Y',
        0xE0..=0xE5 => b'a',
        0xE7 => b'c',
        0xE8..=0xEB => b'e',
        0xEC..=0xEF => b't', // 278, as Helvetica's accented i.
        0xF1 => b'n',
        0xF2..=0xF6 | 0xF8 => b'o',
        0xF9..=0xFC => b'u',
        0xFD | 0xFF => b'y',
        0x91 | 0x92 => b'\'',
        0x96 => b'n',
        _ => return 1.0,
    };
    f32::from(table[usize::from(base - 0x20)]) / 1000.0
}

fn width(font: Font, size: f32, text: &[u8]) -> f32 {
    text.iter().map(|&b| glyph_width(font, b)).sum::<f32>() * size
}

/// Greedy line breaking at spaces; a word wider than the line is broken where it must be.
fn wrap(font: Font, size: f32, max: f32, text: &[u8]) -> Vec<Vec<u8>> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    for word in text.split(|&b| b == b' ').filter(|w| !w.is_empty()) {
        let candidate_width = if line.is_empty() {
            width(font, size, word)
        } else {
            width(font, size, &line) + width(font, size, b" ") + width(font, size, word)
        };
        if candidate_width <= max {
            if !line.is_empty() {
                line.push(b' ');
            }
            line.extend_from_slice(word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for &b in word {
            if !line.is_empty() && width(font, size, &line) + glyph_width(font, b) * size > max {
                lines.push(std::mem::take(&mut line));
            }
            line.push(b);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Keeps at most `n` lines, ending the last kept one with an ellipsis when any were cut.
fn clip(mut lines: Vec<Vec<u8>>, n: usize, font: Font, size: f32, max: f32) -> Vec<Vec<u8>> {
    if lines.len() <= n {
        return lines;
    }
    lines.truncate(n);
    if let Some(last) = lines.last_mut() {
        while !last.is_empty() && width(font, size, last) + glyph_width(font, 0x85) * size > max {
            last.pop();
        }
        last.push(0x85);
    }
    lines
}

const PAGE_W: f32 = 612.0;
const PAGE_H: f32 = 792.0;
const MARGIN: f32 = 40.0;
const DARK_RED: (f32, f32, f32) = (0.62, 0.0, 0.0);

struct Page {
    content: Content,
}

impl Page {
    fn text(&mut self, font: Font, size: f32, x: f32, y: f32, line: &[u8]) {
        self.content
            .begin_text()
            .set_font(font.name(), size)
            .next_line(x, y)
            .show(Str(line))
            .end_text();
    }

    fn centered(&mut self, font: Font, size: f32, y: f32, line: &[u8]) {
        let x = (PAGE_W - width(font, size, line)) / 2.0;
        self.text(font, size, x.max(MARGIN), y, line);
    }

    fn fill(&mut self, (r, g, b): (f32, f32, f32)) {
        self.content.set_fill_rgb(r, g, b);
    }
}

/// The poster as a one-page US Letter PDF: a large "MISSING" heading, the name, the photo if
/// any, the fields, and "If you have information, call …". Text is set in the built-in
/// Helvetica, so it can be searched and copied; a description too long for the page is cut
/// with "…". Same data, same bytes.
pub fn render_pdf(poster: &PosterData) -> Vec<u8> {
    render(poster)
}

impl PosterData {
    /// Characters the PDF's built-in font (Helvetica, Western European) can't print; they
    /// come out as `?`. The caller can warn before printing, or offer the HTML page.
    pub fn pdf_unprintable_chars(&self) -> Vec<char> {
        let mut out: Vec<char> = self
            .fields()
            .iter()
            .flat_map(|(_, v)| v.chars().collect::<Vec<_>>())
            .filter(|&c| win_ansi(c).is_none() && !c.is_whitespace())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

fn render(p: &PosterData) -> Vec<u8> {
    let catalog = Ref::new(1);
    let pages = Ref::new(2);
    let page = Ref::new(3);
    let regular = Ref::new(4);
    let bold = Ref::new(5);
    let contents = Ref::new(6);
    let image = Ref::new(7);
    let mask = Ref::new(8);
    let info = Ref::new(9);

    let mut pdf = Pdf::new();
    let mut cat = pdf.catalog(catalog);
    cat.pages(pages).lang(TextStr("en-US"));
    cat.viewer_preferences().display_doc_title(true);
    cat.finish();
    pdf.document_info(info)
        .title(TextStr(&format!("Missing: {}", p.name())))
        .creator(TextStr("Clearinghouse"));
    pdf.pages(pages).kids([page]).count(1);
    for (id, base) in [(regular, "Helvetica"), (bold, "Helvetica-Bold")] {
        pdf.type1_font(id)
            .base_font(Name(base.as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }

    let photo = p.photo().and_then(Image::prepare);
    let mut pg = pdf.page(page);
    pg.parent(pages)
        .media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
        .contents(contents);
    let mut res = pg.resources();
    res.fonts()
        .pair(Font::Regular.name(), regular)
        .pair(Font::Bold.name(), bold);
    if photo.is_some() {
        res.x_objects().pair(Name(b"Im1"), image);
    }
    res.finish();
    pg.finish();

    let content = layout(p, photo.as_ref());
    let compressed = compress_to_vec_zlib(&content, COMPRESSION);
    pdf.stream(contents, &compressed)
        .filter(Filter::FlateDecode);

    if let Some(img) = &photo {
        let mut x = pdf.image_xobject(image, &img.data);
        x.filter(if img.jpeg {
            Filter::DctDecode
        } else {
            Filter::FlateDecode
        });
        x.width(i32::try_from(img.width).unwrap_or(i32::MAX));
        x.height(i32::try_from(img.height).unwrap_or(i32::MAX));
        match img.colors {
            Colors::Gray => x.color_space().device_gray(),
            Colors::Rgb => x.color_space().device_rgb(),
        };
        x.bits_per_component(8);
        if img.alpha.is_some() {
            x.s_mask(mask);
        }
        x.finish();
        if let Some(alpha) = &img.alpha {
            let mut m = pdf.image_xobject(mask, alpha);
            m.filter(Filter::FlateDecode);
            m.width(i32::try_from(img.width).unwrap_or(i32::MAX));
            m.height(i32::try_from(img.height).unwrap_or(i32::MAX));
            m.color_space().device_gray();
            m.bits_per_component(8);
        }
    }
    pdf.finish()
}

/// Sizes in points. The page is built top down: heading band, name, photo, fields,
/// description; the call line is anchored at the bottom and the description gives way.
fn layout(p: &PosterData, photo: Option<&Image>) -> Vec<u8> {
    const HEAD_H: f32 = 92.0;
    const NAME: f32 = 30.0;
    const FIELD: f32 = 15.0;
    const BODY: f32 = 12.5;
    const CALL: f32 = 20.0;
    let text_w = PAGE_W - 2.0 * MARGIN;
    let label_x = MARGIN + 50.0;
    let value_x = label_x + 125.0;
    let value_w = PAGE_W - MARGIN - 50.0 - value_x;

    let mut page = Page {
        content: Content::new(),
    };

    // Heading band.
    let top = PAGE_H - MARGIN;
    page.fill(DARK_RED);
    page.content
        .rect(MARGIN, top - HEAD_H, text_w, HEAD_H)
        .fill_nonzero();
    page.fill((1.0, 1.0, 1.0));
    page.centered(Font::Bold, 74.0, top - HEAD_H + 20.0, b"MISSING");
    page.fill((0.0, 0.0, 0.0));
    let mut y = top - HEAD_H - 12.0;

    // The call line, bottom up.
    let call = wrap(
        Font::Bold,
        CALL,
        text_w,
        &encode(&format!("If you have information, call {}", p.hotline())),
    );
    let call = clip(call, 3, Font::Bold, CALL, text_w);
    let call_top = MARGIN + call.len() as f32 * (CALL + 4.0) + 10.0;
    page.fill(DARK_RED);
    page.content
        .rect(MARGIN, call_top, text_w, 2.0)
        .fill_nonzero();
    page.fill((0.0, 0.0, 0.0));
    let mut cy = call_top - 10.0 - CALL;
    for line in &call {
        page.centered(Font::Bold, CALL, cy, line);
        cy -= CALL + 4.0;
    }

    // Name.
    let name = clip(
        wrap(Font::Bold, NAME, text_w, &encode(p.name())),
        2,
        Font::Bold,
        NAME,
        text_w,
    );
    for line in &name {
        y -= NAME;
        page.centered(Font::Bold, NAME, y, line);
        y -= 6.0;
    }

    // Fields, measured before the photo so the photo takes only the room that is left.
    let mut rows: Vec<(&[u8], Vec<Vec<u8>>)> = Vec::new();
    if let Some(a) = p.age_now() {
        rows.push((b"Age now:", vec![a.to_string().into_bytes()]));
    }
    rows.push((
        b"Missing since:",
        wrap(
            Font::Regular,
            FIELD,
            value_w,
            &encode(&long_date(p.missing_since())),
        ),
    ));
    rows.push((
        b"Missing from:",
        clip(
            wrap(Font::Regular, FIELD, value_w, &encode(p.missing_from())),
            2,
            Font::Regular,
            FIELD,
            value_w,
        ),
    ));
    rows.push((
        b"Case number:",
        clip(
            wrap(Font::Regular, FIELD, value_w, &encode(p.case_number())),
            2,
            Font::Regular,
            FIELD,
            value_w,
        ),
    ));
    let field_lines: usize = rows.iter().map(|(_, v)| v.len()).sum();
    let fields_h = field_lines as f32 * (FIELD + 5.0) + 8.0;
    let desc = wrap(
        Font::Regular,
        BODY,
        text_w - 100.0,
        &encode(p.description()),
    );
    let desc_min = if desc.is_empty() {
        0.0
    } else {
        FIELD + 6.0 + desc.len().min(4) as f32 * (BODY + 3.0)
    };

    if let Some(img) = &photo {
        let room = y - call_top - fields_h - desc_min - 24.0;
        let max_h = room.clamp(100.0, 300.0);
        let max_w = 260.0;
        let scale = (max_w / img.width as f32).min(max_h / img.height as f32);
        let (w, h) = (img.width as f32 * scale, img.height as f32 * scale);
        y -= 8.0 + h;
        let x = (PAGE_W - w) / 2.0;
        page.content
            .save_state()
            .transform([w, 0.0, 0.0, h, x, y])
            .x_object(Name(b"Im1"))
            .restore_state();
        y -= 8.0;
    }

    y -= 6.0;
    for (label, value) in &rows {
        for (i, line) in value.iter().enumerate() {
            y -= FIELD;
            if i == 0 {
                page.text(Font::Bold, FIELD, label_x, y, label);
            }
            page.text(Font::Regular, FIELD, value_x, y, line);
            y -= 5.0;
        }
    }

    if !desc.is_empty() {
        y -= 4.0 + FIELD;
        if y - BODY > call_top + 8.0 {
            page.text(Font::Bold, FIELD, label_x, y, b"Description:");
            y -= 6.0;
            let fit = ((y - call_top - 8.0) / (BODY + 3.0)).floor().max(0.0) as usize;
            for line in clip(desc, fit, Font::Regular, BODY, text_w - 100.0) {
                y -= BODY;
                page.text(Font::Regular, BODY, label_x, y, &line);
                y -= 3.0;
            }
        }
    }
    page.content.finish().into_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_and_measures_text() {
        assert_eq!(encode("José\tO’Neil…"), b"Jos\xe9 O\x92Neil\x85".to_vec());
        assert_eq!(encode("Nguyễn"), b"Nguy?n".to_vec());
        assert!((width(Font::Regular, 10.0, b"MISSING") - 42.23).abs() < 0.01);
        let lines = wrap(
            Font::Regular,
            12.0,
            100.0,
            b"a few words that need more than one line",
        );
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| width(Font::Regular, 12.0, l) <= 100.0));
        let long = vec![b'W'; 60];
        let lines = wrap(Font::Bold, 12.0, 100.0, &long);
        assert!(lines.iter().all(|l| width(Font::Bold, 12.0, l) <= 100.0));
        let clipped = clip(lines, 2, Font::Bold, 12.0, 100.0);
        assert_eq!(clipped.len(), 2);
        assert_eq!(clipped[1].last(), Some(&0x85));
    }
}
