//! Online ads (`ads.jsonl`): the ads networks post for the children they control, written from
//! per-network templates with the noise real ads carry (obfuscated phone numbers, typos,
//! reordered lines, photos reused across ads), and a large background of ordinary classifieds
//! from unrelated sellers, which sometimes hide their numbers too and share stock photos.
//!
//! Text stays plain and non-explicit: the templates in `data` are the generic phrasing of
//! "new in town, call me" ads, enough for linkage and extraction to work on.

use rand::seq::SliceRandom;
use rand::Rng;

use crate::data::{
    AD_LINES, AD_SITES, AD_TITLES, BENIGN, BENIGN_ITEMS, CITIES, DAYS, EMOJI, PLATFORMS,
};
use crate::date::{self, Day, WORLD_END, WORLD_START};
use crate::noise::{obfuscate, typo, PhoneStyle};
use crate::records::{AdRecord, RecordTruth};
use crate::util::{chance, e164, id, image_hash, pick, R};
use crate::world::{PhoneBook, World};

/// Stock photos many unrelated sellers use: shared image hashes that are never links.
pub const STOCK_PHOTOS: usize = 12;

/// The hash of stock photo `k` (fixed, so it is the same in every world).
pub fn stock_photo(k: usize) -> String {
    format!("{:016x}", 0x570c_0000_0000_0000u64 + k as u64 * 0x9e37_79b9)
}

/// `new-york` for `New York`, as sites put a city in a URL.
fn slug(name: &str) -> String {
    name.to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

fn url(r: &mut R, site: &str, city: usize, n: usize) -> String {
    format!(
        "https://{site}/{}/{}/{}",
        slug(CITIES[city].name),
        pick(r, &["post", "ad", "listing"]),
        1_000_000 + n * 7 + r.gen_range(0..7)
    )
}

/// A few typos, as hurried posters make them (one word in `rate`). Applied to the template
/// before it is filled in, so placeholders, and thus phone numbers, stay intact: the truth
/// files promise the number is in the ad.
fn sprinkle_typos(r: &mut R, line: &str, rate: f64) -> String {
    line.split(' ')
        .map(|w| {
            let plain = w.is_ascii() && !w.contains('{') && !w.bytes().any(|b| b.is_ascii_digit());
            if w.len() >= 5 && plain && chance(r, rate) {
                typo(r, w)
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Ad `n` (0-based across all ads): the first `plan.network_ads()` come from networks.
pub fn ad(r: &mut R, world: &World, n: usize) -> (AdRecord, RecordTruth) {
    if n < world.plan.network_ads() && !world.advertised.is_empty() {
        network_ad(r, world, n)
    } else {
        benign_ad(r, world, n)
    }
}

fn network_ad(r: &mut R, world: &World, n: usize) -> (AdRecord, RecordTruth) {
    let (ci, k) = world.advertised[r.gen_range(0..world.advertised.len())];
    let child = &world.children[ci];
    let ni = child.network.unwrap_or(0);
    let net = &world.networks[ni];
    let ep = &child.episodes[k];
    let end = ep.until().min(ep.last_seen + 150).min(WORLD_END);
    let day: Day = if end > ep.last_seen {
        r.gen_range(ep.last_seen..=end)
    } else {
        ep.last_seen
    };
    let city = net.city_on(day);
    let Some(tpl) = net
        .templates
        .get(r.gen_range(0..net.templates.len().max(1)))
    else {
        return benign_ad(r, world, n);
    };
    let phone = net.phone_on(r, day).map(|p| (p.number, p.holder));
    let emoji = if chance(r, 0.8) {
        tpl.emoji
    } else {
        pick(r, EMOJI)
    };
    // The alias varies a little between ads: the child's usual one, sometimes her nickname.
    let alias = if chance(r, 0.85) {
        child.alias.clone()
    } else {
        crate::data::nicknames(child.name.first)
            .first()
            .map_or_else(|| child.alias.clone(), |s| s.to_string())
    };
    let style = if chance(r, 0.8) {
        tpl.styles[r.gen_range(0..2)]
    } else {
        pick(r, PhoneStyle::ALL)
    };
    let written = phone.map(|(num, _)| obfuscate(r, num, style));
    let until_day = pick(r, DAYS);
    let fill = |s: &str| {
        s.replace("{alias}", &alias)
            .replace("{city}", CITIES[city].name)
            .replace("{day}", until_day)
            .replace("{emoji}", emoji)
            .replace(
                "{phone}",
                written.as_deref().unwrap_or("the number in my profile"),
            )
    };
    let mut lines: Vec<String> = tpl
        .lines
        .iter()
        .map(|l| fill(&sprinkle_typos(r, AD_LINES[*l], 0.04)))
        .collect();
    let mut handles = Vec::new();
    if chance(r, 0.2) {
        if let Some(h) = net.handles.first() {
            let (platform, _) = pick(r, PLATFORMS);
            lines.push(format!("Find me on {platform}: {h}"));
            handles.push(h.clone());
        }
    }
    // Reposts shuffle their lines.
    if chance(r, 0.35) {
        lines.shuffle(r);
    }
    let mut body = lines.join(pick(r, &["\n", "\n", " ", " | "]));
    if let Some(s) = &tpl.signoff {
        body.push('\n');
        body.push_str(s);
    }
    let title = fill(&sprinkle_typos(r, AD_TITLES[tpl.title], 0.03));

    // Photos: the child's own set, now and then one of another child of the network or the
    // network's logo, so photos link ads across phones and templates.
    let vi = net.victims.iter().position(|v| *v == ci).unwrap_or(0);
    let own: &[String] = net.victim_images.get(vi).map_or(&[], |v| v.as_slice());
    let count = r.gen_range(1..=3usize.min(own.len()).max(1));
    let mut image_hashes: Vec<String> = own.choose_multiple(r, count).cloned().collect();
    if net.victims.len() > 1 && chance(r, 0.1) {
        let other = r.gen_range(0..net.victims.len());
        if let Some(h) = net.victim_images[other].first() {
            image_hashes.push(h.clone());
        }
    }
    if chance(r, 0.3) {
        if let Some(h) = net.logos.first() {
            image_hashes.push(h.clone());
        }
    }
    image_hashes.dedup();

    let ad_id = id("ad", n);
    let site = pick(r, AD_SITES);
    let mut persons = vec![id("person", child.person)];
    if let Some((_, holder)) = phone {
        if let Some(o) = net.offenders.get(holder) {
            persons.push(id("person", o.person));
        }
    }
    let rec = AdRecord {
        id: ad_id.clone(),
        site: Some(site.to_string()),
        url: Some(url(r, site, city, n)),
        posted_at: Some(date::iso_time(day, r.gen_range(0..86_400))),
        city: Some(CITIES[city].name.to_string()),
        state: Some(CITIES[city].state.to_string()),
        title,
        body,
        image_hashes,
    };
    let truth = RecordTruth {
        record: ad_id,
        kind: "ad".to_string(),
        persons,
        network: Some(id("net", ni)),
        network_kind: Some(net.kind),
        missing_children: vec![id("case", ci)],
        template: Some(tpl.id.clone()),
        phones: phone.map(|(num, _)| e164(num)).into_iter().collect(),
        emails: Vec::new(),
        handles,
    };
    (rec, truth)
}

fn benign_ad(r: &mut R, world: &World, n: usize) -> (AdRecord, RecordTruth) {
    let cat = r.gen_range(0..BENIGN.len());
    let (category, titles, bodies) = BENIGN[cat];
    let item = pick(r, BENIGN_ITEMS[cat]);
    let seller = world
        .sellers
        .get(r.gen_range(0..world.sellers.len().max(1)));
    let city = seller.map_or_else(|| r.gen_range(0..CITIES.len()), |s| s.city);
    let price = match category {
        "rooms" => r.gen_range(40..160) * 10,
        "jobs" => r.gen_range(14..28),
        "tutoring" => r.gen_range(25..70),
        _ => r.gen_range(2..60) * 5,
    };
    let fill = |s: &str| {
        s.replace("{item}", item)
            .replace("{price}", &price.to_string())
            .replace("{city}", CITIES[city].name)
    };
    let mut lines: Vec<String> = bodies
        .iter()
        .map(|b| fill(&sprinkle_typos(r, b, 0.02)))
        .collect();
    if chance(r, 0.3) {
        lines.shuffle(r);
    }
    let mut phones = Vec::new();
    let mut emails = Vec::new();
    let mut persons = Vec::new();
    let number = match seller {
        Some(s) => {
            persons.push(id("person", s.person));
            s.phone
        }
        None => Some(PhoneBook::background(r, city)),
    };
    if let Some(num) = number {
        // Ordinary sellers hide numbers from scrapers too, so an obfuscated number alone
        // never marks an ad as trafficking.
        let style = if chance(r, 0.15) {
            pick(r, PhoneStyle::ALL)
        } else {
            pick(
                r,
                &[PhoneStyle::Dashes, PhoneStyle::Dots, PhoneStyle::Parens],
            )
        };
        let written = obfuscate(r, num, style);
        lines.push(format!(
            "{} {written}",
            pick(r, &["Call or text", "Text", "Contact", "Reach me at"])
        ));
        phones.push(e164(num));
    }
    if let Some(s) = seller {
        if chance(r, 0.3) {
            lines.push(format!("Ask for {}.", s.name.first));
        }
    }
    if let Some(e) = seller.and_then(|s| s.email.as_ref()) {
        if chance(r, 0.5) {
            lines.push(format!("Email {e}"));
            emails.push(e.clone());
        }
    }
    let mut image_hashes: Vec<String> = (0..r.gen_range(0..=3)).map(|_| image_hash(r)).collect();
    if chance(r, 0.08) {
        image_hashes.push(stock_photo(r.gen_range(0..STOCK_PHOTOS)));
    }
    let day = r.gen_range(WORLD_START..=WORLD_END);
    let ad_id = id("ad", n);
    let site = pick(r, AD_SITES);
    let rec = AdRecord {
        id: ad_id.clone(),
        site: Some(site.to_string()),
        url: Some(url(r, site, city, n)),
        posted_at: Some(date::iso_time(day, r.gen_range(0..86_400))),
        city: Some(CITIES[city].name.to_string()),
        state: Some(CITIES[city].state.to_string()),
        title: fill(pick(r, titles)),
        body: lines.join(pick(r, &["\n", " "])),
        image_hashes,
    };
    let truth = RecordTruth {
        record: ad_id,
        kind: "ad".to_string(),
        persons,
        network: None,
        network_kind: None,
        missing_children: Vec::new(),
        template: Some(format!("benign-{category}")),
        phones,
        emails,
        handles: Vec::new(),
    };
    (rec, truth)
}
