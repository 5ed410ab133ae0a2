//! A plain one-page document of centred lines in the poster's typesetting (the same
//! embedded Unicode fonts, so a name in any script the poster prints prints here too),
//! for other capabilities' printouts: the training certificate. Only the layout is new;
//! fonts, shaping and wrapping are the poster's.

use super::text::{Style, Typesetter};
use super::{Page, COMPRESSION, FIRST_FONT_OBJECT, MARGIN, PAGE_H, PAGE_W};
use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::{Content, Filter, Finish, Pdf, Rect, Ref, TextStr};

/// One paragraph of the page, centred and wrapped to the page's width.
#[derive(Debug, Clone)]
pub struct DocLine {
    pub text: String,
    /// In points.
    pub size: f32,
    pub bold: bool,
    /// Extra space above, in points.
    pub space_before: f32,
}

/// The lines as a one-page US Letter PDF inside a thin frame, from the top down; lines
/// that do not fit are left off. Same lines, same bytes.
pub fn centred_document(title: &str, lines: &[DocLine]) -> Vec<u8> {
    let catalog = Ref::new(1);
    let pages = Ref::new(2);
    let page_ref = Ref::new(3);
    let contents = Ref::new(6);
    let info = Ref::new(9);

    let mut page = Page {
        content: Content::new(),
        ts: Typesetter::new(),
    };
    page.content
        .set_line_width(2.0)
        .rect(MARGIN, MARGIN, PAGE_W - 2.0 * MARGIN, PAGE_H - 2.0 * MARGIN)
        .stroke();
    let width = PAGE_W - 4.0 * MARGIN;
    let mut y = PAGE_H - 2.5 * MARGIN;
    for l in lines {
        let style = if l.bold { Style::Bold } else { Style::Regular };
        y -= l.space_before;
        for piece in page.ts.wrap(style, l.size, width, &l.text) {
            y -= l.size;
            if y < 1.5 * MARGIN {
                break;
            }
            page.centered(style, l.size, y, &piece);
            y -= l.size * 0.35;
        }
    }
    let content = page.content.finish().into_vec();
    let typesetter = page.ts;

    let mut pdf = Pdf::new();
    let mut cat = pdf.catalog(catalog);
    cat.pages(pages).lang(TextStr("en-US"));
    cat.viewer_preferences().display_doc_title(true);
    cat.finish();
    pdf.document_info(info)
        .title(TextStr(title))
        .creator(TextStr("Clearinghouse"));
    pdf.pages(pages).kids([page_ref]).count(1);
    let mut pg = pdf.page(page_ref);
    pg.parent(pages)
        .media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
        .contents(contents);
    let mut res = pg.resources();
    let mut fonts = res.fonts();
    for (name, id) in typesetter.resources(FIRST_FONT_OBJECT) {
        fonts.pair(name, id);
    }
    fonts.finish();
    res.finish();
    pg.finish();
    typesetter.write_fonts(&mut pdf, FIRST_FONT_OBJECT);
    let compressed = compress_to_vec_zlib(&content, COMPRESSION);
    pdf.stream(contents, &compressed)
        .filter(Filter::FlateDecode);
    pdf.finish()
}

/// Paragraphs flush left from the top of US Letter pages, as many pages as they take, each
/// page numbered "Page n of N" at its foot with `footer` before it: for printouts that are
/// read and filed (a lead's summary). Same lines, same bytes.
pub fn flowing_document(title: &str, footer: &str, lines: &[DocLine]) -> Vec<u8> {
    let catalog = Ref::new(1);
    let pages_ref = Ref::new(2);
    let info = Ref::new(3);
    let width = PAGE_W - 2.0 * MARGIN;
    let mut ts = Typesetter::new();
    // Lay out first: each page's lines with their baselines.
    let mut pages: Vec<Vec<(Style, f32, f32, String)>> = vec![Vec::new()];
    let top = PAGE_H - MARGIN;
    let bottom = 1.5 * MARGIN;
    let mut y = top;
    for l in lines {
        let style = if l.bold { Style::Bold } else { Style::Regular };
        if y < top {
            y -= l.space_before;
        }
        for piece in ts.wrap(style, l.size, width, &l.text) {
            if y - l.size < bottom {
                pages.push(Vec::new());
                y = top;
            }
            y -= l.size;
            if let Some(page) = pages.last_mut() {
                page.push((style, l.size, y, piece));
            }
            y -= l.size * 0.35;
        }
    }
    let total = pages.len();
    let mut contents = Vec::with_capacity(total);
    for (n, lines) in pages.iter().enumerate() {
        let mut page = Page {
            content: Content::new(),
            ts,
        };
        for (style, size, y, text) in lines {
            page.text(*style, *size, MARGIN, *y, text);
        }
        let foot = format!("{footer} · Page {} of {total}", n + 1);
        page.text(Style::Regular, 8.0, MARGIN, MARGIN * 0.75, &foot);
        contents.push(page.content.finish().into_vec());
        ts = page.ts;
    }
    // Page objects come after the fonts' (which start at FIRST_FONT_OBJECT).
    let first_page = FIRST_FONT_OBJECT + 1000;
    let page_refs: Vec<Ref> = (0..total)
        .map(|i| Ref::new(first_page + 2 * i as i32))
        .collect();
    let mut pdf = Pdf::new();
    let mut cat = pdf.catalog(catalog);
    cat.pages(pages_ref).lang(TextStr("en-US"));
    cat.viewer_preferences().display_doc_title(true);
    cat.finish();
    pdf.document_info(info)
        .title(TextStr(title))
        .creator(TextStr("Clearinghouse"));
    pdf.pages(pages_ref)
        .kids(page_refs.iter().copied())
        .count(total as i32);
    let fonts_used = ts.resources(FIRST_FONT_OBJECT);
    for (i, content) in contents.iter().enumerate() {
        let page_ref = page_refs[i];
        let content_ref = Ref::new(page_ref.get() + 1);
        let mut pg = pdf.page(page_ref);
        pg.parent(pages_ref)
            .media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .contents(content_ref);
        let mut res = pg.resources();
        let mut fonts = res.fonts();
        for (name, id) in &fonts_used {
            fonts.pair(*name, *id);
        }
        fonts.finish();
        res.finish();
        pg.finish();
        let compressed = compress_to_vec_zlib(content, COMPRESSION);
        pdf.stream(content_ref, &compressed)
            .filter(Filter::FlateDecode);
    }
    ts.write_fonts(&mut pdf, FIRST_FONT_OBJECT);
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_a_pdf_with_its_text_fonts() {
        let lines = [
            DocLine {
                text: "Certificate of completion".into(),
                size: 24.0,
                bold: true,
                space_before: 0.0,
            },
            DocLine {
                text: "Nguyễn Thị Minh Khai — مريم".into(),
                size: 14.0,
                bold: false,
                space_before: 10.0,
            },
        ];
        let pdf = centred_document("Certificate", &lines);
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(pdf, centred_document("Certificate", &lines));
    }

    #[test]
    fn a_long_flowing_document_takes_as_many_pages_as_it_needs() {
        let lines: Vec<DocLine> = (0..200)
            .map(|i| DocLine {
                text: format!("Line {i} of a summary, long enough to be read as a paragraph."),
                size: 10.0,
                bold: i % 20 == 0,
                space_before: 4.0,
            })
            .collect();
        let pdf = flowing_document("Summary", "Lead 7", &lines);
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(pdf, flowing_document("Summary", "Lead 7", &lines));
        let doc = lopdf::Document::load_mem(&pdf).expect("a PDF lopdf reads");
        let pages = doc.get_pages().len();
        assert!((5..=7).contains(&pages), "{pages} pages");
    }
}
