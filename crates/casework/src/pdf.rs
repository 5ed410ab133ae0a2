//! The poster's PDF: the photo as an image, the text in embedded Unicode fonts (`text`), and
//! the page layout, written with `pdf-writer`.

pub mod document;
mod text;

use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, TextStr};
use unicode_bidi::{BidiInfo, Level};

use text::{Style, Typesetter};

use crate::model::long_date;
use crate::photo::{decode_png, PhotoFormat, SanitisedPhoto};
use crate::poster::PosterData;

const COMPRESSION: u8 = 6;
/// The fonts' objects are numbered from here (the page's own objects come first).
const FIRST_FONT_OBJECT: i32 = 10;

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

const PAGE_W: f32 = 612.0;
const PAGE_H: f32 = 792.0;
const MARGIN: f32 = 40.0;
const DARK_RED: (f32, f32, f32) = (0.62, 0.0, 0.0);

struct Page {
    content: Content,
    ts: Typesetter,
}

impl Page {
    /// One line with its left edge at `x`. `level` is the direction of the paragraph the
    /// line belongs to (`None`: the line's own first strong character decides).
    fn line(&mut self, style: Style, size: f32, x: f32, y: f32, line: &str, level: Option<Level>) {
        let shaped = self.ts.shape(line, style, level);
        self.ts.draw(&mut self.content, &shaped, style, size, x, y);
    }

    /// One line of a paragraph `width` wide from `x`: flush left, or flush right in a
    /// right-to-left paragraph.
    #[allow(clippy::too_many_arguments)]
    fn paragraph_line(
        &mut self,
        style: Style,
        size: f32,
        x: f32,
        width: f32,
        y: f32,
        line: &str,
        level: Option<Level>,
    ) {
        let shaped = self.ts.shape(line, style, level);
        let x = if level.is_some_and(|l| l.is_rtl()) {
            x + (width - shaped.width(size)).max(0.0)
        } else {
            x
        };
        self.ts.draw(&mut self.content, &shaped, style, size, x, y);
    }

    fn text(&mut self, style: Style, size: f32, x: f32, y: f32, line: &str) {
        self.line(style, size, x, y, line, None);
    }

    fn centered(&mut self, style: Style, size: f32, y: f32, line: &str) {
        let shaped = self.ts.shape(line, style, None);
        let x = ((PAGE_W - shaped.width(size)) / 2.0).max(MARGIN);
        self.ts.draw(&mut self.content, &shaped, style, size, x, y);
    }

    /// Sets the fill colour, and the stroke colour with it (synthetic bold strokes text).
    fn fill(&mut self, (r, g, b): (f32, f32, f32)) {
        self.content.set_fill_rgb(r, g, b).set_stroke_rgb(r, g, b);
    }
}

/// The direction of a paragraph, from its first strong character.
fn paragraph_level(text: &str) -> Option<Level> {
    BidiInfo::new(text, None)
        .paragraphs
        .first()
        .map(|p| p.level)
}

/// The poster as a one-page US Letter PDF: a large "MISSING" heading, the name, the photo if
/// any, the fields, and "If you have information, call …". Text is set in embedded subsets
/// of Unicode fonts (Latin with Vietnamese, Arabic, Chinese/Japanese/Korean; see `text`), so
/// names in any of these scripts print, and can be searched and copied; a description too
/// long for the page is cut with "…". Same data, same bytes.
pub fn render_pdf(poster: &PosterData) -> Vec<u8> {
    render(poster)
}

impl PosterData {
    /// Characters none of the PDF's fonts has; they print as an empty box (the text can
    /// still be copied). The caller can warn before printing, or offer the HTML page.
    pub fn pdf_unprintable_chars(&self) -> Vec<char> {
        let mut out: Vec<char> = self
            .fields()
            .iter()
            .flat_map(|(_, v)| v.chars().collect::<Vec<_>>())
            .filter(|&c| text::unprintable(c))
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

    let photo = p.photo().and_then(Image::prepare);
    let (content, typesetter) = layout(p, photo.as_ref());
    let mut pg = pdf.page(page);
    pg.parent(pages)
        .media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
        .contents(contents);
    let mut res = pg.resources();
    let mut fonts = res.fonts();
    for (name, id) in typesetter.resources(FIRST_FONT_OBJECT) {
        fonts.pair(name, id);
    }
    fonts.finish();
    if photo.is_some() {
        res.x_objects().pair(Name(b"Im1"), image);
    }
    res.finish();
    pg.finish();

    typesetter.write_fonts(&mut pdf, FIRST_FONT_OBJECT);
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
fn layout(p: &PosterData, photo: Option<&Image>) -> (Vec<u8>, Typesetter) {
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
        ts: Typesetter::new(),
    };

    // Heading band.
    let top = PAGE_H - MARGIN;
    page.fill(DARK_RED);
    page.content
        .rect(MARGIN, top - HEAD_H, text_w, HEAD_H)
        .fill_nonzero();
    page.fill((1.0, 1.0, 1.0));
    page.centered(Style::Bold, 74.0, top - HEAD_H + 20.0, "MISSING");
    page.fill((0.0, 0.0, 0.0));
    let mut y = top - HEAD_H - 12.0;

    // The call line, bottom up.
    let t = &mut page.ts;
    let call = t.wrap(
        Style::Bold,
        CALL,
        text_w,
        &format!("If you have information, call {}", p.hotline()),
    );
    let call = t.clip(call, 3, Style::Bold, CALL, text_w);
    let call_top = MARGIN + call.len() as f32 * (CALL + 4.0) + 10.0;
    page.fill(DARK_RED);
    page.content
        .rect(MARGIN, call_top, text_w, 2.0)
        .fill_nonzero();
    page.fill((0.0, 0.0, 0.0));
    let mut cy = call_top - 10.0 - CALL;
    for line in &call {
        page.centered(Style::Bold, CALL, cy, line);
        cy -= CALL + 4.0;
    }

    // Name.
    let t = &mut page.ts;
    let name = t.wrap(Style::Bold, NAME, text_w, p.name());
    let name = t.clip(name, 2, Style::Bold, NAME, text_w);
    for line in &name {
        y -= NAME;
        page.centered(Style::Bold, NAME, y, line);
        y -= 6.0;
    }

    // Fields, measured before the photo so the photo takes only the room that is left.
    let t = &mut page.ts;
    let mut rows: Vec<(&str, Vec<String>)> = Vec::new();
    if let Some(a) = p.age_now() {
        rows.push(("Age now:", vec![a.to_string()]));
    }
    rows.push((
        "Missing since:",
        t.wrap(
            Style::Regular,
            FIELD,
            value_w,
            &long_date(p.missing_since()),
        ),
    ));
    let from = t.wrap(Style::Regular, FIELD, value_w, p.missing_from());
    rows.push((
        "Missing from:",
        t.clip(from, 2, Style::Regular, FIELD, value_w),
    ));
    let number = t.wrap(Style::Regular, FIELD, value_w, p.case_number());
    rows.push((
        "Case number:",
        t.clip(number, 2, Style::Regular, FIELD, value_w),
    ));
    let field_lines: usize = rows.iter().map(|(_, v)| v.len()).sum();
    let fields_h = field_lines as f32 * (FIELD + 5.0) + 8.0;
    let desc = t.wrap(Style::Regular, BODY, text_w - 100.0, p.description());
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
        let level = paragraph_level(&value.join(" "));
        for (i, line) in value.iter().enumerate() {
            y -= FIELD;
            if i == 0 {
                page.text(Style::Bold, FIELD, label_x, y, label);
            }
            page.line(Style::Regular, FIELD, value_x, y, line, level);
            y -= 5.0;
        }
    }

    if !desc.is_empty() {
        y -= 4.0 + FIELD;
        if y - BODY > call_top + 8.0 {
            page.text(Style::Bold, FIELD, label_x, y, "Description:");
            y -= 6.0;
            let fit = ((y - call_top - 8.0) / (BODY + 3.0)).floor().max(0.0) as usize;
            let level = paragraph_level(p.description());
            let desc = page
                .ts
                .clip(desc, fit, Style::Regular, BODY, text_w - 100.0);
            for line in desc {
                y -= BODY;
                page.paragraph_line(
                    Style::Regular,
                    BODY,
                    label_x,
                    text_w - 100.0,
                    y,
                    &line,
                    level,
                );
                y -= 3.0;
            }
        }
    }
    (page.content.finish().into_vec(), page.ts)
}
