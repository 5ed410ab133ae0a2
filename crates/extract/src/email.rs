//! Email addresses, plain and obfuscated (`name at domain dot com`,
//! `name [at] domain [dot] com`, `name(at)domain.com`), and `@handles`.
//!
//! Anchors are `@` (found with `memchr`) and the written-out forms of "at"
//! (found with a small Aho-Corasick automaton). From an anchor the local part
//! is read leftwards and the domain rightwards. Obfuscated addresses must end
//! in a well-known top-level domain, which keeps prose such as "meet at the
//! hotel. Then" from turning into an address.

use std::ops::Range;

pub(crate) struct EmailHit {
    pub(crate) span: Range<usize>,
    pub(crate) value: String,
}

pub(crate) struct HandleHit {
    pub(crate) span: Range<usize>,
    pub(crate) value: String,
}

/// Top-level domains accepted in obfuscated addresses.
const KNOWN_TLDS: &[&str] = &[
    "com", "net", "org", "edu", "gov", "mil", "io", "co", "us", "me", "info", "biz", "xyz", "app",
    "dev", "ca", "uk", "mx", "de", "fr", "online", "site", "email", "live", "club", "tv", "cc",
];

fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_label_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

/// Reads a label (`[A-Za-z0-9-]+`, not ending in `-`) at `i`.
fn label_end(t: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    while j < t.len() && is_label_byte(t[j]) {
        j += 1;
    }
    while j > i && t[j - 1] == b'-' {
        j -= 1;
    }
    (j > i && t[i] != b'-').then_some(j)
}

fn skip_spaces(t: &[u8], mut i: usize, max: usize) -> usize {
    let mut n = 0;
    while i < t.len() && t[i] == b' ' && n < max {
        i += 1;
        n += 1;
    }
    i
}

/// Matches a written-out dot at `i`: `.`, ` dot `, `[dot]`, `(dot)`, ` . `.
/// Returns the end of the separator and whether it was obfuscated.
fn dot_at(t: &[u8], i: usize) -> Option<(usize, bool)> {
    if t.get(i) == Some(&b'.') {
        return Some((i + 1, false));
    }
    let j = skip_spaces(t, i, 2);
    let rest = &t[j..];
    let word = |w: &[u8]| rest.len() >= w.len() && rest[..w.len()].eq_ignore_ascii_case(w);
    for w in [&b"[dot]"[..], b"(dot)", b"{dot}", b"<dot>", b"[.]", b"(.)"] {
        if word(w) {
            return Some((skip_spaces(t, j + w.len(), 2), true));
        }
    }
    if j > i {
        if word(b"dot") && rest.get(3) == Some(&b' ') {
            return Some((skip_spaces(t, j + 3, 2), true));
        }
        if rest.first() == Some(&b'.') && rest.get(1) == Some(&b' ') {
            return Some((skip_spaces(t, j + 1, 2), true));
        }
    }
    None
}

/// Reads a domain at `i`. Returns (lower-cased domain, end, obfuscated).
/// `labels` is room for the labels' spans, kept by the caller.
fn read_domain(
    t: &[u8],
    i: usize,
    allow_obfuscated: bool,
    labels: &mut Vec<Range<usize>>,
) -> Option<(String, usize, bool)> {
    let mut end = label_end(t, i)?;
    labels.clear();
    labels.push(i..end);
    let mut obfuscated = false;
    while let Some((after, obf)) = dot_at(t, end) {
        if obf && !allow_obfuscated {
            break;
        }
        let Some(e) = label_end(t, after) else { break };
        // "dot" followed by a word is only a domain if the word is a label
        // (`x dot com`); stop at anything longer than a plausible label.
        if e - after > 63 {
            break;
        }
        obfuscated |= obf;
        labels.push(after..e);
        end = e;
    }
    // Drop trailing labels until the last one is a plausible top-level domain.
    while labels.len() >= 2 {
        let tld = &t[labels[labels.len() - 1].clone()];
        let alpha = tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic);
        let known = KNOWN_TLDS
            .iter()
            .any(|k| k.as_bytes().eq_ignore_ascii_case(tld));
        if alpha && (known || !obfuscated) {
            break;
        }
        labels.pop();
        if let Some(l) = labels.last() {
            end = l.end;
        }
    }
    if labels.len() < 2 {
        return None;
    }
    let mut s = String::with_capacity(end - i);
    for (k, l) in labels.iter().enumerate() {
        if k > 0 {
            s.push('.');
        }
        s.extend(
            t[l.clone()]
                .iter()
                .map(|b| char::from(b.to_ascii_lowercase())),
        );
    }
    Some((s, end, obfuscated))
}

/// Reads the local part that ends at `end` (exclusive), leftwards.
fn read_local(t: &[u8], end: usize) -> Option<usize> {
    let mut s = end;
    while s > 0 && is_local_byte(t[s - 1]) && end - s < 64 {
        s -= 1;
    }
    while s < end && matches!(t[s], b'.' | b'-' | b'+') {
        s += 1;
    }
    if s == end || t[end - 1] == b'.' {
        return None;
    }
    // `..` is not allowed in a local part.
    if t[s..end].windows(2).any(|w| w == b"..") {
        return None;
    }
    Some(s)
}

fn make_email(t: &[u8], local: Range<usize>, domain: &str) -> String {
    let mut v = String::with_capacity(local.len() + 1 + domain.len());
    v.extend(t[local].iter().map(|b| char::from(b.to_ascii_lowercase())));
    v.push('@');
    v.push_str(domain);
    v
}

/// Finds addresses anchored on `@` and handles (`@name` with no local part).
pub(crate) fn find_at_sign(
    t: &str,
    emails: &mut Vec<EmailHit>,
    handles: &mut Vec<HandleHit>,
    labels: &mut Vec<Range<usize>>,
) {
    let t = t.as_bytes();
    for at in memchr::memchr_iter(b'@', t) {
        // `name @ domain.com` is tolerated with up to one space each side.
        let lend = if at > 0 && t[at - 1] == b' ' {
            at - 1
        } else {
            at
        };
        let dstart = skip_spaces(t, at + 1, 1);
        let spaced = lend != at || dstart != at + 1;
        if let Some(ls) = read_local(t, lend) {
            if let Some((domain, end, obf)) = read_domain(t, dstart, true, labels) {
                if (!obf && !spaced) || known_tld(&domain) {
                    emails.push(EmailHit {
                        span: ls..end,
                        value: make_email(t, ls..lend, &domain),
                    });
                }
                continue;
            }
            if lend == at {
                continue;
            }
        }
        // A handle: `@` not glued to a word on its left.
        if at > 0 && (t[at - 1].is_ascii_alphanumeric() || t[at - 1] == b'_') {
            continue;
        }
        let mut e = at + 1;
        while e < t.len() && (t[e].is_ascii_alphanumeric() || matches!(t[e], b'_' | b'.')) {
            e += 1;
        }
        while e > at + 1 && t[e - 1] == b'.' {
            e -= 1;
        }
        let name = &t[at + 1..e];
        if name.is_empty() || name.len() > 30 || !name.iter().any(u8::is_ascii_alphabetic) {
            continue;
        }
        let mut value = String::with_capacity(name.len() + 1);
        value.push('@');
        value.extend(name.iter().map(|b| char::from(b.to_ascii_lowercase())));
        handles.push(HandleHit { span: at..e, value });
    }
}

fn known_tld(domain: &str) -> bool {
    domain
        .rsplit('.')
        .next()
        .is_some_and(|tld| KNOWN_TLDS.contains(&tld))
}

/// Finds obfuscated addresses given the spans of written-out "at" markers
/// (` at `, `[at]`, `(at)`, `{at}`, `<at>`, `[ at ]`, `( at )`).
pub(crate) fn find_written_at(
    t: &str,
    markers: &[Range<usize>],
    emails: &mut Vec<EmailHit>,
    labels: &mut Vec<Range<usize>>,
) {
    let t = t.as_bytes();
    for m in markers {
        let bracketed = t[m.start] != b' ';
        let (lend, dstart) = if bracketed {
            // `name (at) domain` may have spaces around the brackets.
            let mut l = m.start;
            if l > 0 && t[l - 1] == b' ' {
                l -= 1;
            }
            (l, skip_spaces(t, m.end, 1))
        } else {
            (m.start, m.end)
        };
        let Some(ls) = read_local(t, lend) else {
            continue;
        };
        // "find me at example.com" names a website, not an address.
        if !bracketed
            && NOT_LOCAL
                .iter()
                .any(|w| w.as_bytes().eq_ignore_ascii_case(&t[ls..lend]))
        {
            continue;
        }
        let Some((domain, end, _)) = read_domain(t, dstart, true, labels) else {
            continue;
        };
        if !known_tld(&domain) {
            continue;
        }
        emails.push(EmailHit {
            span: ls..end,
            value: make_email(t, ls..lend, &domain),
        });
    }
}

/// Words that come before " at " in prose ("find me at", "visit us at")
/// and are not taken as the local part of a written-out address.
const NOT_LOCAL: &[&str] = &[
    "me",
    "us",
    "you",
    "him",
    "her",
    "them",
    "it",
    "we",
    "i",
    "is",
    "are",
    "was",
    "be",
    "here",
    "there",
    "online",
    "up",
    "out",
    "in",
    "on",
    "stay",
    "stayed",
    "staying",
    "find",
    "found",
    "look",
    "visit",
    "check",
    "located",
    "based",
    "live",
    "lives",
    "work",
    "works",
    "posted",
    "available",
    "seen",
    "meet",
    "met",
    "arrive",
    "arrived",
    "book",
    "booked",
    "reach",
    "site",
    "page",
    "profile",
    "only",
    "also",
    "now",
    "today",
    "tonight",
    "and",
    "or",
    "but",
    "not",
    "home",
    "hotel",
    "motel",
    "listed",
    "advertised",
    "sold",
    "rates",
    "starting",
    "deals",
];

/// The written-out "at" markers, for the dictionary automaton.
pub(crate) const AT_MARKERS: &[&str] =
    &[" at ", "[at]", "(at)", "{at}", "<at>", "[ at ]", "( at )"];

#[cfg(test)]
mod tests {
    use super::*;

    fn emails(s: &str) -> Vec<String> {
        let mut e = Vec::new();
        let mut h = Vec::new();
        let mut labels = Vec::new();
        find_at_sign(s, &mut e, &mut h, &mut labels);
        let lower = s.to_ascii_lowercase();
        let mut markers = Vec::new();
        for m in AT_MARKERS {
            markers.extend(lower.match_indices(m).map(|(i, x)| i..i + x.len()));
        }
        find_written_at(s, &markers, &mut e, &mut labels);
        e.into_iter().map(|x| x.value).collect()
    }

    #[test]
    fn forms() {
        for s in [
            "mail Jane.Doe@Example.com.",
            "jane.doe at example dot com",
            "jane.doe [at] example [dot] com",
            "jane.doe(at)example.com",
            "jane.doe (at) example (dot) com",
            "jane.doe AT example DOT com",
            "jane.doe @ example.com",
        ] {
            assert_eq!(emails(s), vec!["jane.doe@example.com".to_string()], "{s}");
        }
    }

    #[test]
    fn not_emails() {
        for s in [
            "meet me at the hotel. Then leave",
            "at 5 pm",
            "@handle here",
            "a@b",
            "stay at motel dot",
            "find me at example.com",
            "Visit us at example.org today",
        ] {
            assert!(emails(s).is_empty(), "{s}: {:?}", emails(s));
        }
    }
}
