//! Small helpers shared by the generators: seeded random streams, weighted picks, and the
//! invented identifiers (handles, email addresses, device ids, image hashes, IP addresses).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::data::{EMAIL_DOMAINS, HANDLE_ADJ, HANDLE_NOUN};

pub type R = ChaCha8Rng;

/// Independent random streams, so that changing how much one phase draws never shifts another.
#[derive(Clone, Copy)]
pub enum Stream {
    People = 1,
    Networks = 2,
    Cases = 3,
    Reports = 4,
    Tips = 5,
    Ads = 6,
    Sellers = 7,
    Resources = 8,
    Plans = 9,
    Families = 10,
}

/// A generator for one phase, or for one chunk of a phase (`chunk` picks the stream).
pub fn stream(seed: u64, which: Stream, chunk: u64) -> R {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(((which as u64) << 40) | chunk);
    r
}

/// One element of a non-empty constant table.
pub fn pick<T: Copy>(r: &mut R, xs: &[T]) -> T {
    xs[r.gen_range(0..xs.len())]
}

/// True with probability `p`.
pub fn chance(r: &mut R, p: f64) -> bool {
    r.gen::<f64>() < p
}

/// An index drawn with the given weights (which need not sum to one).
pub fn weighted(r: &mut R, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = r.gen::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len().saturating_sub(1)
}

/// An invented screen name such as `lucky_star1987`.
pub fn handle(r: &mut R) -> String {
    let sep = pick(r, &["", "_", ".", ""]);
    format!(
        "{}{sep}{}{}",
        pick(r, HANDLE_ADJ),
        pick(r, HANDLE_NOUN),
        r.gen_range(1..10_000)
    )
}

/// An invented address on one of the reserved example domains.
pub fn email(r: &mut R, hint: Option<(&str, &str)>) -> String {
    let local = match hint {
        Some((first, last)) if chance(r, 0.7) => {
            let f = first.to_ascii_lowercase();
            let l = last.to_ascii_lowercase();
            match r.gen_range(0..3) {
                0 => format!("{f}.{l}"),
                1 => format!("{}{l}{}", &f[..1], r.gen_range(1..100)),
                _ => format!("{f}{}", r.gen_range(1..10_000)),
            }
        }
        _ => handle(r).replace('.', "_"),
    };
    format!("{local}@{}", pick(r, EMAIL_DOMAINS))
}

/// A 15-digit IMEI-shaped device id (not Luhn-checked: it names no real device).
pub fn imei(r: &mut R) -> String {
    format!("35{:013}", r.gen_range(0..10_000_000_000_000u64))
}

/// A 16-hex-digit perceptual-hash-shaped image id.
pub fn image_hash(r: &mut R) -> String {
    format!("{:016x}", r.gen::<u64>())
}

/// An address from the documentation ranges (RFC 5737 and RFC 3849), never a real host.
pub fn ip(r: &mut R) -> String {
    if chance(r, 0.7) {
        let net = pick(r, &["192.0.2", "198.51.100", "203.0.113"]);
        format!("{net}.{}", r.gen_range(1..255))
    } else {
        format!(
            "2001:db8:{:x}:{:x}::{:x}",
            r.gen::<u16>(),
            r.gen::<u16>(),
            r.gen::<u16>()
        )
    }
}

/// `+1NNNNNNNNNN` for a ten-digit national number.
pub fn e164(n: u64) -> String {
    format!("+1{n}")
}

/// `NPA-555-01XX`.
pub fn dashed(n: u64) -> String {
    let s = n.to_string();
    format!("{}-{}-{}", &s[..3], &s[3..6], &s[6..])
}

/// Record and person ids: fixed width, so files sort in generation order.
pub fn id(prefix: &str, n: usize) -> String {
    format!("{prefix}-{n:07}")
}
