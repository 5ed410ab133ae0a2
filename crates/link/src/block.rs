//! Blocking: which pairs of records are compared at all. Each record gets a
//! few keys (phonetic surname with first initial and the reverse, date of
//! birth with day and month in either order plus either initial, postcode with house number, document number, each
//! phone, email and handle); records sharing any key become candidates.
//! Comparisons stay near-linear because a key shared by more than
//! `max_block` records is not expanded into all its pairs: its records are
//! sorted by a second attribute and only neighbours within `window` are
//! compared (sorted neighbourhood), which is the usual fix for common names.

use crate::person::{hash_bytes, mix, Prepared};
use crate::Config;

/// Key kinds, stored in the top three bits of a key so that one sort groups
/// each kind's blocks and tells how to order an oversized block.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Name = 1,
    Dob = 2,
    PostNumber = 3,
    Document = 4,
    Phone = 5,
    Email = 6,
    Handle = 7,
}

fn key(kind: Kind, v: u64) -> u64 {
    let k = kind as u64;
    (mix(v ^ k.wrapping_mul(0x9e37_79b9_7f4a_7c15)) >> 3) | (k << 61)
}

fn kind_of(key: u64) -> u64 {
    key >> 61
}

/// The blocking key of an identifier (kind 0 phone, 1 email, 2 handle, as
/// in `Prepared::identifiers`).
pub(crate) fn identifier_key(kind: u8, h: u64) -> u64 {
    let kind = match kind {
        0 => Kind::Phone,
        1 => Kind::Email,
        _ => Kind::Handle,
    };
    key(kind, h)
}

/// All blocking keys of one record.
pub(crate) fn keys(p: &Prepared, out: &mut Vec<u64>) {
    let f0 = p.first().first().copied();
    let l0 = p.last().first().copied();
    if let (Some(f0), Some(l0)) = (f0, l0) {
        // One kind for both orders, so a record whose given and family names
        // were swapped still shares a key with the original.
        out.push(key(
            Kind::Name,
            p.last_nysiis.wrapping_mul(257) ^ u64::from(f0),
        ));
        out.push(key(
            Kind::Name,
            p.first_nysiis.wrapping_mul(257) ^ u64::from(l0),
        ));
    }
    // Other given names block like the given name, so a record that knows the
    // person only by an alias meets the one that lists it.
    if let Some(l0) = l0 {
        for a in p.aliases.iter().flat_map(|a| a.iter()) {
            if let Some(&a0) = a.text.first() {
                out.push(key(
                    Kind::Name,
                    p.last_nysiis.wrapping_mul(257) ^ u64::from(a0),
                ));
                out.push(key(Kind::Name, a.nysiis.wrapping_mul(257) ^ u64::from(l0)));
            }
        }
    }
    if let Some(d) = p.dob {
        let (lo, hi) = if d.month <= d.day {
            (d.month, d.day)
        } else {
            (d.day, d.month)
        };
        let v = (u64::from(d.year) << 16) | (u64::from(lo) << 8) | u64::from(hi);
        // A date of birth alone is shared by dozens of people in a million
        // records; with either initial it stays selective while surviving a
        // typo in one of the names (and, one kind for both, a swap of them).
        for initial in [f0, l0].into_iter().flatten() {
            out.push(key(Kind::Dob, (v << 8) | u64::from(initial)));
        }
        if f0.is_none() && l0.is_none() {
            out.push(key(Kind::Dob, v << 8));
        }
    }
    if !p.postcode().is_empty() {
        if let Some(num) = p
            .address()
            .split(|&c| c == b' ')
            .next()
            .filter(|t| !t.is_empty())
        {
            let v = hash_bytes(p.postcode()) ^ hash_bytes(num).rotate_left(17);
            out.push(key(Kind::PostNumber, v));
        }
    }
    if !p.document().is_empty() {
        out.push(key(Kind::Document, hash_bytes(p.document())));
    }
    out.extend(p.phones().iter().map(|&h| key(Kind::Phone, h)));
    out.extend(p.emails().iter().map(|&h| key(Kind::Email, h)));
    out.extend(p.handles().iter().map(|&h| key(Kind::Handle, h)));
}

/// Sort order inside an oversized block: by something the key did not
/// already fix (date of birth for name keys, names for the rest).
fn sort_value(p: &Prepared, kind: u64) -> u64 {
    if kind == Kind::Name as u64 {
        p.dob
            .map(|d| (u64::from(d.year) << 16) | (u64::from(d.month) << 8) | u64::from(d.day))
            .unwrap_or(0)
    } else {
        let (first, last) = (p.first(), p.last());
        (crate::strsim::pack(&last[..last.len().min(4)]) << 32)
            | crate::strsim::pack(&first[..first.len().min(4)])
    }
}

/// Candidate pairs `(i << 32) | j` with `i < j`, sorted and distinct. With
/// `sides = Some(s)`, `s[i]` tells which of two sets record `i` belongs to
/// and only pairs across the sets are produced.
pub(crate) fn candidate_pairs(prep: &[Prepared], sides: Option<&[bool]>, cfg: &Config) -> Vec<u64> {
    let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(prep.len() * 4);
    let mut buf = Vec::new();
    for (i, p) in prep.iter().enumerate() {
        buf.clear();
        keys(p, &mut buf);
        buf.sort_unstable();
        buf.dedup();
        keyed.extend(buf.iter().map(|&k| (k, i as u32)));
    }
    keyed.sort_unstable();
    let cross_ok = |a: u32, b: u32| match sides {
        Some(s) => s[a as usize] != s[b as usize],
        None => true,
    };
    // Sized once from the blocks (an upper bound when only cross pairs count): growing
    // by doubling copied and faulted in the largest buffer of a run several times over.
    let mut bound = 0usize;
    for block in keyed.chunk_by(|x, y| x.0 == y.0) {
        let n = block.len();
        bound += if n <= cfg.max_block {
            n * (n - 1) / 2
        } else {
            n * cfg.window
        };
    }
    let mut pairs: Vec<u64> = Vec::with_capacity(bound);
    let mut sorted: Vec<(u64, u32)> = Vec::new();
    let mut start = 0;
    while start < keyed.len() {
        let k = keyed[start].0;
        let mut end = start + 1;
        while end < keyed.len() && keyed[end].0 == k {
            end += 1;
        }
        let members = &keyed[start..end];
        if members.len() <= cfg.max_block {
            for (x, &(_, a)) in members.iter().enumerate() {
                for &(_, b) in &members[x + 1..] {
                    if cross_ok(a, b) {
                        pairs.push((u64::from(a) << 32) | u64::from(b));
                    }
                }
            }
        } else {
            sorted.clear();
            sorted.extend(
                members
                    .iter()
                    .map(|&(_, r)| (sort_value(&prep[r as usize], kind_of(k)), r)),
            );
            sorted.sort_unstable();
            for (x, &(_, a)) in sorted.iter().enumerate() {
                for &(_, b) in sorted.iter().skip(x + 1).take(cfg.window) {
                    if cross_ok(a, b) {
                        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
                        pairs.push((u64::from(lo) << 32) | u64::from(hi));
                    }
                }
            }
        }
        start = end;
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}
