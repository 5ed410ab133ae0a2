//! Unicode folding with a map back to the original text.
//!
//! Ads hide identifiers behind look-alike characters (Cyrillic `о`, full-width
//! `５`, mathematical `𝟓`, zero-width joiners, emoji keycaps). Matching runs on a
//! folded copy of the text; every folded byte remembers the byte range of the
//! original character it came from, so spans can be reported in the original.
//!
//! Pure-ASCII text has nothing to fold, so it is borrowed as-is with an identity
//! map (the common case, and the fast path).

use std::borrow::Cow;
use std::ops::Range;

use unicode_normalization::char::{decompose_compatible, is_combining_mark};
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Text prepared for matching, plus the way back to the original.
pub(crate) struct Folded<'a> {
    text: Cow<'a, str>,
    /// Where folded and original offsets stop moving in step: one entry per
    /// non-ASCII character that was folded, sorted. Between entries the text
    /// is copied ASCII, so offsets advance together; this keeps the map tiny
    /// for mostly-ASCII text. Empty when the text was not changed.
    segs: Vec<Seg>,
}

/// Folded bytes `f0..f1` came from the original character(s) `o0..o1`.
#[derive(Clone, Copy, Debug)]
struct Seg {
    f0: usize,
    f1: usize,
    o0: usize,
    o1: usize,
}

impl<'a> Folded<'a> {
    pub(crate) fn new(original: &'a str) -> Self {
        if original.is_ascii() {
            return Folded {
                text: Cow::Borrowed(original),
                segs: Vec::new(),
            };
        }
        let mut text = String::with_capacity(original.len());
        let mut segs: Vec<Seg> = Vec::new();
        let mut buf = [0u8; 4];
        let bytes = original.as_bytes();
        let mut pos = 0;
        while pos < original.len() {
            // Copy the ASCII run in one go.
            let run = bytes[pos..]
                .iter()
                .position(|&b| b >= 0x80)
                .unwrap_or(bytes.len() - pos);
            text.push_str(&original[pos..pos + run]);
            pos += run;
            let Some(c) = original[pos..].chars().next() else {
                break;
            };
            let (o0, o1) = (pos, pos + c.len_utf8());
            let f0 = text.len();
            fold_char(c, &mut text, &mut buf);
            let f1 = text.len();
            if f1 > f0 {
                segs.push(Seg { f0, f1, o0, o1 });
            } else {
                // A dropped character (keycap combiner, variation selector)
                // belongs to the one before it, so `1️⃣` maps back whole; at
                // the very start it only shifts offsets (an empty segment).
                match segs.last_mut() {
                    Some(last) if last.f1 == f0 && last.o1 == o0 => last.o1 = o1,
                    _ if f0 == 0 => segs.push(Seg { f0, f1: f0, o0, o1 }),
                    _ => segs.push(Seg {
                        f0: f0 - 1,
                        f1: f0,
                        o0: o0 - 1,
                        o1,
                    }),
                }
            }
            pos = o1;
        }
        Folded {
            text: Cow::Owned(text),
            segs,
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// Original byte range of the character that folded byte `p` came from.
    fn char_at(&self, p: usize) -> (usize, usize) {
        let k = self.segs.partition_point(|s| s.f0 <= p);
        match k.checked_sub(1).and_then(|k| self.segs.get(k)) {
            None => (p, p + 1),
            Some(s) if p < s.f1 => (s.o0, s.o1),
            Some(s) => {
                let o = s.o1 + (p - s.f1);
                (o, o + 1)
            }
        }
    }

    /// Maps a byte range of the folded text to the byte range of the original.
    ///
    /// Both ends land on character boundaries of the original because every
    /// folded byte maps to the whole original character it came from.
    pub(crate) fn original_span(&self, span: Range<usize>) -> Range<usize> {
        if self.segs.is_empty() {
            return span;
        }
        if span.end <= span.start || span.end > self.text.len() {
            // Unreachable for spans produced by matchers; keep it total anyway.
            let p = self
                .char_at(span.start.min(self.text.len().saturating_sub(1)))
                .0;
            return p..p;
        }
        self.char_at(span.start).0..self.char_at(span.end - 1).1
    }
}

/// Appends the folded form of `c` to `out`.
fn fold_char(c: char, out: &mut String, buf: &mut [u8; 4]) {
    if c.is_ascii() {
        out.push(c);
        return;
    }
    if is_invisible(c) || is_combining_mark(c) {
        return;
    }
    if let Some(l) = confusable(c) {
        out.push(l);
        return;
    }
    if is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes {
        out.push_str(c.encode_utf8(buf));
        return;
    }
    // NFKC of a single character is usually one or two characters; the
    // iterator keeps small results on the stack.
    let mut any = false;
    for n in std::iter::once(c).nfkc() {
        if is_invisible(n) || is_combining_mark(n) {
            continue;
        }
        any = true;
        out.push(confusable(n).unwrap_or(n));
    }
    if !any {
        // Some characters only decompose to marks; keep the base if any.
        decompose_compatible(c, |d| {
            if !is_combining_mark(d) && !is_invisible(d) {
                out.push(confusable(d).unwrap_or(d));
            }
        });
    }
}

/// Characters that render as nothing (or only decorate the previous one) and
/// are used to break up identifiers: zero-width spaces and joiners, the soft
/// hyphen, variation selectors (emoji presentation), the keycap combiner (so
/// `1️⃣` folds to `1`) and tag characters.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{20E3}'
        | '\u{3164}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}'
        | '\u{FFA0}'
        | '\u{E0000}'..='\u{E007F}'
        | '\u{E0100}'..='\u{E01EF}')
}

/// Latin look-alikes from other scripts that NFKC leaves alone (a small,
/// deliberate subset of Unicode's confusables: letters and signs seen used to
/// disguise names, numbers and addresses).
fn confusable(c: char) -> Option<char> {
    Some(match c {
        // Cyrillic capitals
        'А' => 'A',
        'В' => 'B',
        'Е' => 'E',
        'Ѕ' => 'S',
        'І' => 'I',
        'Ј' => 'J',
        'К' => 'K',
        'М' => 'M',
        'Н' => 'H',
        'О' => 'O',
        'Р' => 'P',
        'С' => 'C',
        'Т' => 'T',
        'Х' => 'X',
        'Ү' => 'Y',
        'Ԁ' => 'D',
        'Ԍ' => 'G',
        'Ӏ' => 'l',
        'З' => '3',
        'б' => '6',
        // Cyrillic small
        'а' => 'a',
        'в' => 'b',
        'е' => 'e',
        'ѕ' => 's',
        'і' => 'i',
        'ј' => 'j',
        'к' => 'k',
        'м' => 'm',
        'н' => 'h',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'т' => 't',
        'у' => 'y',
        'х' => 'x',
        'ԁ' => 'd',
        'ӏ' => 'l',
        'һ' => 'h',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'ү' => 'y',
        // Greek
        'Α' => 'A',
        'Β' => 'B',
        'Ε' => 'E',
        'Ζ' => 'Z',
        'Η' => 'H',
        'Ι' => 'I',
        'Κ' => 'K',
        'Μ' => 'M',
        'Ν' => 'N',
        'Ο' => 'O',
        'Ρ' => 'P',
        'Τ' => 'T',
        'Υ' => 'Y',
        'Χ' => 'X',
        'α' => 'a',
        'ο' => 'o',
        'ν' => 'v',
        'ι' => 'i',
        'κ' => 'k',
        'ρ' => 'p',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        // Latin extensions and signs
        'ı' => 'i',
        'ȷ' => 'j',
        'ɑ' => 'a',
        'ɡ' => 'g',
        'ɩ' => 'i',
        'ɪ' => 'i',
        'ʟ' => 'l',
        'ᴏ' => 'o',
        'ᴑ' => 'o',
        'ꓲ' => 'I',
        'ǀ' => 'l',
        '∣' => 'l',
        '﹫' => '@',
        '＠' => '@',
        '․' => '.',
        '‧' => '.',
        '·' => '.',
        '∙' => '.',
        '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | '﹣' | '－' => '-',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_is_borrowed() {
        let f = Folded::new("call 212 555 0147");
        assert!(matches!(f.text, Cow::Borrowed(_)));
        assert!(f.segs.is_empty());
        assert_eq!(f.original_span(5..8), 5..8);
    }

    #[test]
    fn folds_lookalikes_and_maps_back() {
        let s = "５5\u{200B}5 Оne 1\u{FE0F}\u{20E3} 𝟕";
        let f = Folded::new(s);
        assert_eq!(f.as_str(), "555 One 1 7");
        let span = f.original_span(0..3);
        assert_eq!(&s[span], "５5\u{200B}5");
        let span = f.original_span(4..7);
        assert_eq!(&s[span], "Оne");
        let span = f.original_span(8..9);
        assert_eq!(&s[span], "1\u{FE0F}\u{20E3}");
        let span = f.original_span(10..11);
        assert_eq!(&s[span], "𝟕");
        let s = "\u{200B}\u{FE0F}ab";
        let f = Folded::new(s);
        assert_eq!(&s[f.original_span(0..2)], "ab");
    }
}
