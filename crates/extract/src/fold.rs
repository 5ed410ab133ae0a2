//! Unicode folding with a map back to the original text: the one folding of the workspace.
//! Extraction matches on it, and so does `triage` (its phrases, with a thin step of its own
//! for case, quotes and white space), so a disguise that extraction sees through cannot
//! slip past an indicator.
//!
//! What it does: NFKC; Latin look-alikes from other scripts mapped to Latin (`о` → `o`,
//! `З` → `3`); full-width and mathematical digits to ASCII; typographic dashes to `-`;
//! invisible characters dropped (zero-width spaces and joiners, the soft hyphen, variation
//! selectors, the keycap combiner, tag characters, and the Hangul fillers U+115F, U+1160,
//! U+3164 and U+FFA0); combining marks dropped. ASCII is left as it is (case too).
//!
//! ```
//! use extract::fold::{FoldBuf, Folded};
//! let text = "call m\u{200B}е at ５55";
//! let mut room = FoldBuf::default();
//! let folded = Folded::new(text, &mut room);
//! assert_eq!(folded.as_str(), "call me at 555");
//! assert_eq!(&text[folded.original_span(5..7)], "m\u{200B}е");
//! ```
//!
//! Ads hide identifiers behind look-alike characters (Cyrillic `о`, full-width
//! `５`, mathematical `𝟓`, zero-width joiners, emoji keycaps). Matching runs on a
//! folded copy of the text; every folded byte remembers the byte range of the
//! original character it came from, so spans can be reported in the original.
//!
//! Pure-ASCII text has nothing to fold, so it is borrowed as-is with an identity
//! map (the common case, and the fast path). Otherwise the copy and its map
//! are written into buffers the caller keeps, so they are allocated once per
//! thread rather than once per text.

use std::ops::Range;

use unicode_normalization::char::{decompose_compatible, is_combining_mark};
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Text prepared for matching, plus the way back to the original.
pub struct Folded<'a> {
    text: &'a str,
    /// Where folded and original offsets stop moving in step: one entry per
    /// non-ASCII character that was folded, sorted. Between entries the text
    /// is copied ASCII, so offsets advance together; this keeps the map tiny
    /// for mostly-ASCII text. Empty when the text was not changed.
    segs: &'a [Seg],
}

/// Room for a folded copy and its map. Keep one and reuse it: a text that needs a copy
/// then costs no allocation once the room is large enough.
#[derive(Default)]
pub struct FoldBuf {
    text: String,
    segs: Vec<Seg>,
}

impl FoldBuf {
    /// Lets go of memory a very long text needed, so a thread does not keep
    /// it for good.
    pub(crate) fn trim(&mut self) {
        if self.text.capacity() > crate::SCRATCH_LIMIT {
            self.text = String::new();
        }
        crate::let_go(&mut self.segs);
    }
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
    /// Folds `original`, in `room` unless it is pure ASCII (then it is borrowed as it is).
    pub fn new(original: &'a str, room: &'a mut FoldBuf) -> Self {
        if original.is_ascii() {
            return Folded {
                text: original,
                segs: &[],
            };
        }
        let FoldBuf { text, segs } = room;
        text.clear();
        text.reserve(original.len());
        segs.clear();
        let mut buf = [0u8; 4];
        let bytes = original.as_bytes();
        let mut pos = 0;
        while pos < original.len() {
            // Copy the ASCII run in one go.
            let run = ascii_prefix(&bytes[pos..]);
            text.push_str(&original[pos..pos + run]);
            pos += run;
            let Some(c) = original[pos..].chars().next() else {
                break;
            };
            let (o0, o1) = (pos, pos + c.len_utf8());
            let f0 = text.len();
            fold_char(c, text, &mut buf);
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
        Folded { text, segs }
    }

    /// The folded text.
    pub fn as_str(&self) -> &'a str {
        self.text
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

    /// Whether folded byte `p` begins what an original character folded to: false
    /// inside an expansion (the "4" of "1⁄4", which "¼" folds to).
    pub fn starts_char(&self, p: usize) -> bool {
        let k = self.segs.partition_point(|s| s.f0 <= p);
        match k.checked_sub(1).and_then(|k| self.segs.get(k)) {
            Some(s) if p < s.f1 => p == s.f0,
            _ => true,
        }
    }

    /// Maps a byte range of the folded text to the byte range of the original.
    ///
    /// Both ends land on character boundaries of the original because every
    /// folded byte maps to the whole original character it came from.
    pub fn original_span(&self, span: Range<usize>) -> Range<usize> {
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

/// Length of the ASCII prefix of `b`. Eight bytes at a time: mixed texts are
/// mostly long ASCII stretches between a few emoji or look-alikes, and a
/// byte-wise search for the next one dominated the cost of folding.
fn ascii_prefix(b: &[u8]) -> usize {
    const HI: u64 = u64::from_le_bytes([0x80; 8]);
    let mut i = 0;
    while i + 8 <= b.len() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[i..i + 8]);
        let m = u64::from_le_bytes(w) & HI;
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + b[i..]
        .iter()
        .position(|&x| x >= 0x80)
        .unwrap_or(b.len() - i)
}

/// Appends the folded form of `c` to `out`.
fn fold_char(c: char, out: &mut String, buf: &mut [u8; 4]) {
    // The characters ads use most, without the table lookups of the general
    // path (a test checks each of them against it).
    match c {
        '\0'..='\u{7F}' => out.push(c),
        // Full-width forms of ASCII (`５`, `＠`).
        '\u{FF01}'..='\u{FF5E}' => out.push(char::from((u32::from(c) - 0xFEE0) as u8)),
        // Mathematical digits (`𝟓`, `𝟱`, `𝟻`), five styles of 0-9.
        '\u{1D7CE}'..='\u{1D7FF}' => {
            out.push(char::from(b'0' + ((u32::from(c) - 0x1D7CE) % 10) as u8))
        }
        // Emoji and other pictographs, which fold to themselves.
        '\u{2600}'..='\u{27BF}' | '\u{1F300}'..='\u{1FAFF}' => out.push_str(c.encode_utf8(buf)),
        _ => fold_other(c, out, buf),
    }
}

/// [`fold_char`] for everything else: drop invisible characters and marks,
/// map look-alikes, and apply NFKC.
fn fold_other(c: char, out: &mut String, buf: &mut [u8; 4]) {
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
    use proptest::prelude::*;

    fn fold(s: &str) -> String {
        let mut room = FoldBuf::default();
        Folded::new(s, &mut room).as_str().to_string()
    }

    /// Text rich in what folding changes: look-alikes, full-width and
    /// mathematical digits, keycaps, invisible characters, marks, ligatures.
    fn foldable() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("5".to_string()),
            Just("a".to_string()),
            Just(" ".to_string()),
            Just("５".to_string()),
            Just("𝟕".to_string()),
            Just("О".to_string()),
            Just("ο".to_string()),
            Just("é".to_string()),
            Just("e\u{0301}".to_string()),
            Just("\u{0301}".to_string()),
            Just("\u{200B}".to_string()),
            Just("\u{FE0F}\u{20E3}".to_string()),
            Just("📞".to_string()),
            Just("ﬁ".to_string()),
            Just("㎏".to_string()),
            Just("＠".to_string()),
            Just("—".to_string()),
            "\\PC",
        ];
        prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Any range of whole characters of the folded text maps to a range
        /// of whole characters of the original, and what it maps to folds
        /// back to (at least) what it came from.
        #[test]
        fn map_lands_on_character_boundaries(
            s in foldable(),
            a in any::<prop::sample::Index>(),
            b in any::<prop::sample::Index>(),
        ) {
            let mut room = FoldBuf::default();
            let f = Folded::new(&s, &mut room);
            let t = f.as_str();
            let bounds: Vec<usize> = t.char_indices().map(|(i, _)| i).chain([t.len()]).collect();
            let (x, y) = (*a.get(&bounds), *b.get(&bounds));
            let (x, y) = (x.min(y), x.max(y));
            let r = f.original_span(x..y);
            prop_assert!(r.start <= r.end && r.end <= s.len(), "{r:?}");
            prop_assert!(s.is_char_boundary(r.start) && s.is_char_boundary(r.end), "{r:?}");
            if x < y {
                prop_assert!(fold(&s[r.clone()]).contains(&t[x..y]), "{:?} from {:?}", &t[x..y], &s[r]);
            }
        }

        /// Every single byte of the folded text maps to whole characters.
        #[test]
        fn every_byte_maps_to_whole_characters(s in foldable()) {
            let mut room = FoldBuf::default();
            let f = Folded::new(&s, &mut room);
            for p in 0..f.as_str().len() {
                let r = f.original_span(p..p + 1);
                prop_assert!(r.start < r.end, "{p}: {r:?}");
                prop_assert!(s.is_char_boundary(r.start) && s.is_char_boundary(r.end));
            }
        }

        /// Folding what is already folded changes nothing.
        #[test]
        fn folding_is_idempotent(s in foldable()) {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once);
        }

        /// ASCII is its own folded form, with the identity map.
        #[test]
        fn ascii_maps_to_itself(s in "[ -~]{0,60}", a in 0usize..60, b in 0usize..60) {
            let mut room = FoldBuf::default();
            let f = Folded::new(&s, &mut room);
            prop_assert_eq!(f.as_str(), s.as_str());
            let (x, y) = (a.min(b).min(s.len()), a.max(b).min(s.len()));
            prop_assert_eq!(f.original_span(x..y), x..y);
        }
    }

    #[test]
    fn ascii_is_borrowed() {
        let s = "call 212 555 0147";
        let mut room = FoldBuf::default();
        let f = Folded::new(s, &mut room);
        assert!(std::ptr::eq(f.as_str(), s));
        assert!(f.segs.is_empty());
        assert_eq!(f.original_span(5..8), 5..8);
    }

    #[test]
    fn quick_paths_fold_like_the_general_one() {
        let (mut buf, mut quick, mut general) = ([0u8; 4], String::new(), String::new());
        let ranges = [
            0..0x80,
            0xFF01..0xFF5F,
            0x1D7CE..0x1D800,
            0x2600..0x27C0,
            0x1F300..0x1FB00,
        ];
        for c in ranges.into_iter().flatten().filter_map(char::from_u32) {
            quick.clear();
            general.clear();
            fold_char(c, &mut quick, &mut buf);
            fold_other(c, &mut general, &mut buf);
            assert_eq!(quick, general, "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn ascii_prefix_finds_the_first_high_byte() {
        for len in 0..20 {
            for at in 0..=len {
                let mut b = vec![b'a'; len];
                if at < len {
                    b[at] = 0xC3;
                }
                assert_eq!(ascii_prefix(&b), at, "{len} {at}");
            }
        }
    }

    #[test]
    fn folds_lookalikes_and_maps_back() {
        let s = "５5\u{200B}5 Оne 1\u{FE0F}\u{20E3} 𝟕";
        let mut room = FoldBuf::default();
        let f = Folded::new(s, &mut room);
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
        let mut room = FoldBuf::default();
        let f = Folded::new(s, &mut room);
        assert_eq!(&s[f.original_span(0..2)], "ab");
    }
}
