//! Text folding for phrase matching, with a map back to the original text.
//!
//! Phrases are matched on a folded copy: lower case, the same kind of
//! Unicode folding `extract` applies (NFKC, look-alike Cyrillic and Greek
//! letters, zero-width characters dropped), typographic apostrophes and
//! dashes made ASCII, and every run of white space made one space, so
//! "can’t\n  leave" matches the phrase "can't leave". `extract` keeps its own
//! folding private, so this is a smaller copy of it; keep the two in step.

use std::borrow::Cow;
use std::ops::Range;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Folded text plus, per folded byte, the original bytes it came from.
pub(crate) struct Folded<'a> {
    text: Cow<'a, str>,
    /// `map[p]` is the original range of the character (or white-space run)
    /// that folded byte `p` came from. `None` when folding changed nothing,
    /// the common case for plain one-line ASCII, where offsets are identical.
    map: Option<Vec<(u32, u32)>>,
}

impl<'a> Folded<'a> {
    pub(crate) fn new(original: &'a str) -> Folded<'a> {
        // Past u32 offsets the map cannot be trusted; such input is not a
        // report, so it is matched as it is (ASCII-case-insensitively).
        if is_plain(original) || original.len() >= u32::MAX as usize {
            return Folded {
                text: Cow::Borrowed(original),
                map: None,
            };
        }
        let mut text = String::with_capacity(original.len());
        let mut map: Vec<(u32, u32)> = Vec::with_capacity(original.len());
        let mut last_was_space = false;
        for (i, c) in original.char_indices() {
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
            fold_char(c, &mut text);
            let added = text.len() - before;
            if added == 0 {
                // A dropped character (zero-width joiner, combining mark)
                // belongs to the one before it, so spans ending there cover it.
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
            text: Cow::Owned(text),
            map: Some(map),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// Maps a non-empty byte range of the folded text to the original. Both
    /// ends land on character boundaries of the original.
    pub(crate) fn original_span(&self, span: Range<usize>) -> Range<usize> {
        match &self.map {
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
        }
    }
}

/// Nothing to fold: ASCII with single spaces only. Upper case is left alone
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
    let f = Folded::new(p.trim());
    f.as_str().to_ascii_lowercase()
}

/// Appends the folded form of `c` (not white space) to `out`.
fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
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
        push_lower(c, out);
        return;
    }
    for n in std::iter::once(c).nfkc() {
        if n.is_whitespace() {
            out.push(' ');
        } else if !(is_invisible(n) || is_combining_mark(n)) {
            push_lower(confusable(n).unwrap_or(n), out);
        }
    }
}

fn push_lower(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else {
        // Lower-casing can add a combining dot ("İ"); it would only block
        // matches, so it is dropped like any other mark.
        out.extend(c.to_lowercase().filter(|l| !is_combining_mark(*l)));
    }
}

/// Characters that render as nothing and are used to break words up.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}'
        | '\u{E0000}'..='\u{E007F}')
}

/// Look-alike letters that NFKC leaves alone (the subset `extract` folds),
/// already lower case, and typographic punctuation people type in phrases.
fn confusable(c: char) -> Option<char> {
    Some(match c {
        'А' | 'а' | 'Α' | 'α' | 'ɑ' => 'a',
        'В' | 'в' | 'Β' => 'b',
        'С' | 'с' => 'c',
        'ԁ' | 'Ԁ' => 'd',
        'Е' | 'е' | 'Ε' => 'e',
        'Ԍ' | 'ɡ' => 'g',
        'Н' | 'н' | 'һ' | 'Η' => 'h',
        'І' | 'і' | 'Ι' | 'ι' | 'ı' | 'ɩ' | 'ɪ' => 'i',
        'Ј' | 'ј' | 'ȷ' => 'j',
        'К' | 'к' | 'Κ' | 'κ' => 'k',
        'Ӏ' | 'ӏ' | 'ʟ' => 'l',
        'М' | 'м' | 'Μ' => 'm',
        'Ν' => 'n',
        'О' | 'о' | 'Ο' | 'ο' | 'ᴏ' => 'o',
        'Р' | 'р' | 'Ρ' | 'ρ' => 'p',
        'ԛ' => 'q',
        'Ѕ' | 'ѕ' => 's',
        'Т' | 'т' | 'Τ' | 'τ' => 't',
        'υ' => 'u',
        'ν' => 'v',
        'ԝ' => 'w',
        'Х' | 'х' | 'Χ' | 'χ' => 'x',
        'Ү' | 'ү' | 'у' | 'Υ' => 'y',
        'Ζ' => 'z',
        '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{02BC}' | '\u{2032}' | '\u{FF07}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201F}' | '\u{2033}' => '"',
        '‐' | '‑' | '‒' | '–' | '—' | '―' | '−' | '﹣' | '－' => '-',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ascii_is_borrowed() {
        let f = Folded::new("Can't leave the Hotel");
        assert!(f.map.is_none());
        assert_eq!(f.original_span(0..5), 0..5);
    }

    #[test]
    fn folds_case_space_apostrophes_and_lookalikes() {
        let s = "She CAN’T\n\t lеave"; // Cyrillic е
        let f = Folded::new(s);
        assert_eq!(f.as_str(), "she can't leave");
        let span = f.original_span(4..15);
        assert_eq!(&s[span], "CAN’T\n\t lеave");
    }

    #[test]
    fn zero_width_inside_a_word_is_covered() {
        let s = "lo\u{200B}cked in";
        let f = Folded::new(s);
        assert_eq!(f.as_str(), "locked in");
        assert_eq!(&s[f.original_span(0..9)], s);
    }

    #[test]
    fn phrases_fold_like_texts() {
        assert_eq!(fold_phrase("  Can’t  Leave "), "can't leave");
        assert_eq!(fold_phrase("ＭＯＢ"), "mob");
    }
}
