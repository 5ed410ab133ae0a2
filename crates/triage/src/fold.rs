//! Text folding for phrase matching, with a map back to the original text.
//!
//! Phrases are matched on a folded copy made in two steps. First `extract`'s folding, the
//! one Unicode folding of the workspace (NFKC, look-alike letters, dashes, invisible
//! characters such as zero-width joiners and the Hangul fillers dropped), so whatever
//! extraction sees through, a phrase sees through too. Then a thin step of our own over
//! its output: lower case, typographic apostrophes and quotes made ASCII, and every run of
//! white space made one space, so "can’t\n  leave" matches the phrase "can't leave".
//! A span maps back through both steps.

use std::borrow::Cow;
use std::ops::Range;

use extract::fold::{FoldBuf, Folded as Unicode};
use unicode_normalization::char::is_combining_mark;

/// Folded text plus, per folded byte, the bytes of `extract`'s folding it came from.
pub(crate) struct Folded<'a> {
    unicode: Unicode<'a>,
    text: Cow<'a, str>,
    /// `map[p]` is the range of `unicode`'s text (a character or a white-space run) that
    /// folded byte `p` came from. `None` when this step changed nothing, the common case
    /// for plain one-line ASCII, where offsets are identical.
    map: Option<Vec<(u32, u32)>>,
}

impl<'a> Folded<'a> {
    /// Folds `original`, using `room` for `extract`'s copy when it needs one.
    pub(crate) fn new(original: &'a str, room: &'a mut FoldBuf) -> Folded<'a> {
        let unicode = Unicode::new(original, room);
        let folded = unicode.as_str();
        // Past u32 offsets the map cannot be trusted; such input is not a report, so it is
        // matched as it is (ASCII-case-insensitively).
        if is_plain(folded) || folded.len() >= u32::MAX as usize {
            return Folded {
                unicode,
                text: Cow::Borrowed(folded),
                map: None,
            };
        }
        let mut text = String::with_capacity(folded.len());
        let mut map: Vec<(u32, u32)> = Vec::with_capacity(folded.len());
        let mut last_was_space = false;
        for (i, c) in folded.char_indices() {
            let (o0, o1) = (i as u32, (i + c.len_utf8()) as u32);
            if c.is_whitespace() {
                if last_was_space {
                    if let Some(last) = map.last_mut() {
                        last.1 = o1;
                    }
                } else {
                    text.push(' ');
                    map.push((o0, o1));
                    last_was_space = true;
                }
                continue;
            }
            let before = text.len();
            push_folded(c, &mut text);
            let added = text.len() - before;
            if added == 0 {
                // Nothing left of it (a character whose lower case is only a mark): it
                // belongs to the one before, so spans ending there cover it.
                if let Some(last) = map.last_mut() {
                    if !last_was_space {
                        last.1 = o1;
                    }
                }
                continue;
            }
            last_was_space = false;
            map.extend(std::iter::repeat_n((o0, o1), added));
        }
        Folded {
            unicode,
            text: Cow::Owned(text),
            map: Some(map),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// Maps a non-empty byte range of the folded text to the original. Both ends land on
    /// character boundaries of the original.
    pub(crate) fn original_span(&self, span: Range<usize>) -> Range<usize> {
        let span = match &self.map {
            None => span,
            Some(map) => {
                let start = map.get(span.start).map_or(0, |m| m.0 as usize);
                let end = span
                    .end
                    .checked_sub(1)
                    .and_then(|p| map.get(p))
                    .map_or(start, |m| m.1 as usize);
                start..end.max(start)
            }
        };
        self.unicode.original_span(span)
    }
}

/// Nothing for our step to do: ASCII with single spaces only. Upper case is left alone
/// because the automaton ignores ASCII case.
fn is_plain(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().all(|(i, &c)| {
        c.is_ascii()
            && !matches!(c, b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
            && !(c == b' ' && b.get(i + 1) == Some(&b' '))
    })
}

/// Folds a phrase of the catalogue the way texts are folded.
pub(crate) fn fold_phrase(p: &str) -> String {
    let mut room = FoldBuf::default();
    let f = Folded::new(p.trim(), &mut room);
    f.as_str().to_ascii_lowercase()
}

/// Appends `c` (already folded by `extract`, not white space) in lower case, with
/// typographic apostrophes and quotes made ASCII.
fn push_folded(c: char, out: &mut String) {
    match c {
        '\0'..='\u{7F}' => out.push(c.to_ascii_lowercase()),
        '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{02BC}' | '\u{2032}' => out.push('\''),
        '\u{201C}' | '\u{201D}' | '\u{201F}' | '\u{2033}' => out.push('"'),
        // Lower-casing can add a combining dot ("İ"); it would only block matches, so it
        // is dropped as `extract` drops every other mark.
        _ => out.extend(c.to_lowercase().filter(|l| !is_combining_mark(*l))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold(s: &str) -> String {
        let mut room = FoldBuf::default();
        Folded::new(s, &mut room).as_str().to_owned()
    }

    #[test]
    fn plain_ascii_is_borrowed() {
        let mut room = FoldBuf::default();
        let f = Folded::new("Can't leave the Hotel", &mut room);
        assert!(f.map.is_none());
        assert_eq!(f.original_span(0..5), 0..5);
    }

    #[test]
    fn folds_case_space_apostrophes_and_lookalikes() {
        let s = "She CAN’T\n\t lеave"; // Cyrillic е
        let mut room = FoldBuf::default();
        let f = Folded::new(s, &mut room);
        assert_eq!(f.as_str(), "she can't leave");
        let span = f.original_span(4..15);
        assert_eq!(&s[span], "CAN’T\n\t lеave");
    }

    #[test]
    fn zero_width_inside_a_word_is_covered() {
        let s = "lo\u{200B}cked in";
        let mut room = FoldBuf::default();
        let f = Folded::new(s, &mut room);
        assert_eq!(f.as_str(), "locked in");
        assert_eq!(&s[f.original_span(0..9)], s);
    }

    #[test]
    fn hangul_fillers_are_dropped_like_extraction_drops_them() {
        for filler in ['\u{3164}', '\u{115F}', '\u{1160}', '\u{FFA0}'] {
            let s = format!("CAN’T lea{filler}ve");
            assert_eq!(fold(&s), "can't leave", "U+{:04X}", u32::from(filler));
        }
    }

    #[test]
    fn non_ascii_capitals_are_lowered() {
        assert_eq!(fold("ÉCOLE  İstanbul"), "école istanbul");
    }

    #[test]
    fn phrases_fold_like_texts() {
        assert_eq!(fold_phrase("  Can’t  Leave "), "can't leave");
        assert_eq!(fold_phrase("ＭＯＢ"), "mob");
    }
}
