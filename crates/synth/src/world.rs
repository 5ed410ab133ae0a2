//! The world behind the records: children and their missing episodes, custodians, trafficking
//! networks with their offenders, routes and identifiers, background sellers, and the shared
//! numbers (shelter hotlines, library IPs) that look like links and are not.
//!
//! Built once, sequentially, from its own random streams; the record generators only read it.
//! Every collection is a `Vec` indexed by position, so nothing depends on hash order.

use rand::seq::SliceRandom;
use rand::Rng;

use crate::data::{Region, AGENCIES, CITIES, FIRST_F, FIRST_M, LAST, SHELTERS};
use crate::date::{self, Day, WORLD_END, WORLD_START};
use crate::noise::PhoneStyle;
use crate::records::{Circumstance, NetworkKind, PersonTruth};
use crate::util::{self, chance, id, pick, stream, weighted, Stream, R};

/// A true name.
#[derive(Clone, Copy, Debug)]
pub struct Name {
    pub first: &'static str,
    pub last: &'static str,
}

impl Name {
    pub fn random(r: &mut R, female: bool) -> Name {
        Name {
            first: pick(r, if female { FIRST_F } else { FIRST_M }),
            last: pick(r, LAST),
        }
    }
    pub fn full(&self) -> String {
        format!("{} {}", self.first, self.last)
    }
}

pub fn sex(female: bool) -> &'static str {
    if female {
        "F"
    } else {
        "M"
    }
}

/// One time a child went missing.
#[derive(Clone, Debug)]
pub struct Episode {
    pub reported: Day,
    pub last_seen: Day,
    pub city: usize,
    pub recovered: Option<(Day, usize)>,
}

impl Episode {
    /// The last day the child was still missing (the window's end when never recovered).
    pub fn until(&self) -> Day {
        self.recovered.map_or(WORLD_END, |(d, _)| d)
    }
}

#[derive(Clone, Debug)]
pub struct Guardian {
    pub person: usize,
    pub name: Name,
    pub relation: &'static str,
    pub phone: Option<u64>,
    pub email: Option<String>,
}

#[derive(Clone, Debug)]
pub enum Custody {
    Guardians(Vec<Guardian>),
    Agency {
        agency: String,
        group_home: bool,
        caseworker: usize,
        caseworker_name: Name,
        phone: u64,
        email: String,
    },
}

#[derive(Clone, Debug)]
pub struct Child {
    pub person: usize,
    pub name: Name,
    pub female: bool,
    pub dob: Day,
    pub home: usize,
    pub circumstance: Circumstance,
    pub custody: Custody,
    pub episodes: Vec<Episode>,
    pub network: Option<usize>,
    pub phone: Option<u64>,
    pub handle: Option<String>,
    pub email: Option<String>,
    /// A shelter whose hotline the case gives as the contact number.
    pub shelter: Option<usize>,
    /// The name ads use for the child.
    pub alias: String,
}

impl Child {
    pub fn in_care(&self) -> bool {
        matches!(self.custody, Custody::Agency { .. })
    }
    /// The episode during which `day` falls, if any.
    pub fn missing_on(&self, day: Day) -> Option<usize> {
        self.episodes
            .iter()
            .position(|e| e.last_seen <= day && day <= e.until())
    }
}

#[derive(Clone, Debug)]
pub struct Adult {
    pub person: usize,
    pub name: Name,
    pub female: bool,
    pub dob: Day,
}

#[derive(Clone, Debug)]
pub struct PhoneUse {
    pub number: u64,
    pub from: Day,
    pub to: Day,
    /// Index into the network's offenders.
    pub holder: usize,
}

/// An ad template: which title and lines, how it writes the phone, its emoji and sign-off.
#[derive(Clone, Debug)]
pub struct Template {
    pub id: String,
    pub title: usize,
    pub lines: Vec<usize>,
    pub styles: [PhoneStyle; 2],
    pub emoji: &'static str,
    pub signoff: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Network {
    pub kind: NetworkKind,
    pub offenders: Vec<Adult>,
    pub victims: Vec<usize>,
    /// Where the network operates from each date on (sorted by date).
    pub timeline: Vec<(Day, usize)>,
    pub start: Day,
    pub end: Day,
    pub phones: Vec<PhoneUse>,
    pub emails: Vec<String>,
    pub handles: Vec<String>,
    pub devices: Vec<String>,
    pub logos: Vec<String>,
    /// Per victim (same order as `victims`): the photos used in that victim's ads.
    pub victim_images: Vec<Vec<String>>,
    pub templates: Vec<Template>,
    pub advertises: bool,
}

impl Network {
    pub fn city_on(&self, day: Day) -> usize {
        let i = self.timeline.partition_point(|(d, _)| *d <= day);
        self.timeline
            .get(i.saturating_sub(1))
            .map_or(0, |(_, c)| *c)
    }
    /// A phone the network used on `day` (the closest one when none was active).
    pub fn phone_on(&self, r: &mut R, day: Day) -> Option<&PhoneUse> {
        let active: Vec<&PhoneUse> = self
            .phones
            .iter()
            .filter(|p| p.from <= day && day <= p.to)
            .collect();
        if active.is_empty() {
            self.phones
                .iter()
                .min_by_key(|p| (p.from - day).abs().min((p.to - day).abs()))
        } else {
            Some(active[r.gen_range(0..active.len())])
        }
    }
}

#[derive(Clone, Debug)]
pub struct Seller {
    pub person: usize,
    pub name: Name,
    pub phone: Option<u64>,
    pub email: Option<String>,
    pub city: usize,
}

#[derive(Clone, Debug)]
pub struct Shelter {
    pub name: &'static str,
    pub phone: u64,
    pub city: usize,
}

/// How many records of each kind a scale asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    pub cases: usize,
    pub reports: usize,
    pub tips: usize,
    pub ads: usize,
}

impl Plan {
    /// 5% cases, 25% provider reports, 5% tips, the rest (65%) ads: the bulk is ads and
    /// reports, most of them unrelated background, as in a hotline's real intake.
    pub fn for_scale(scale: usize) -> Plan {
        let cases = if scale == 0 {
            0
        } else {
            (scale * 5 / 100).max(1)
        };
        let reports = scale * 25 / 100;
        let tips = scale * 5 / 100;
        let ads = scale.saturating_sub(cases + reports + tips);
        Plan {
            cases,
            reports,
            tips,
            ads,
        }
    }
    /// Every record of the plan.
    pub fn total(&self) -> usize {
        self.cases + self.reports + self.tips + self.ads
    }
    /// Ads not written by a network.
    pub fn benign_ads(&self) -> usize {
        self.ads - self.network_ads()
    }
    /// 30% of ads come from networks.
    pub fn network_ads(&self) -> usize {
        self.ads * 3 / 10
    }
}

pub struct World {
    pub plan: Plan,
    pub children: Vec<Child>,
    pub networks: Vec<Network>,
    pub sellers: Vec<Seller>,
    pub shelters: Vec<Shelter>,
    pub library_ips: Vec<String>,
    pub persons: Vec<PersonTruth>,
    /// (child, episode) pairs that networks advertise, for ad generation.
    pub advertised: Vec<(usize, usize)>,
    /// Children who are missing but not in a network (for sightings and reports).
    pub not_trafficked: Vec<usize>,
    /// Children in networks.
    pub victims: Vec<usize>,
}

/// Share of missing children who are likely trafficking victims (seed: 1 in 6).
pub const VICTIM_SHARE: f64 = 1.0 / 6.0;

/// Phone numbers: every number is `NPA-555-01XX`. Lines 0100–0119 are the *background* range,
/// drawn at random for people whose numbers need not be unique (sellers, guardians, reporters);
/// lines 0120–0199 are *leased* for a period to one network phone, child or shelter, so two
/// tracked identifiers never share a number at the same time while space lasts. The fictional
/// range holds only ~13,000 leasable numbers, so in very large worlds leases overlap (the number
/// free soonest is taken) and unrelated people share numbers; the truth files tell.
pub struct PhoneBook {
    codes: Vec<u16>,
    free_after: Vec<[Day; 80]>,
}

const NEVER: Day = i32::MIN;

impl PhoneBook {
    pub fn new() -> PhoneBook {
        let mut codes: Vec<u16> = CITIES
            .iter()
            .flat_map(|c| c.area_codes.iter().copied())
            .collect();
        codes.sort_unstable();
        codes.dedup();
        let free_after = vec![[NEVER; 80]; codes.len()];
        PhoneBook { codes, free_after }
    }

    fn code_index(&self, code: u16) -> Option<usize> {
        self.codes.binary_search(&code).ok()
    }

    /// A number free for the whole of `from..=to`, near `city` if possible.
    pub fn lease(&mut self, r: &mut R, city: usize, from: Day, to: Day) -> u64 {
        let home = &CITIES[city];
        let mut tried: Vec<usize> = Vec::new();
        let local: Vec<usize> = home
            .area_codes
            .iter()
            .filter_map(|c| self.code_index(*c))
            .collect();
        let state: Vec<usize> = CITIES
            .iter()
            .filter(|c| c.state == home.state)
            .flat_map(|c| c.area_codes.iter().filter_map(|a| self.code_index(*a)))
            .collect();
        for group in [local, state] {
            for k in 0..group.len() {
                let ci = group[(k + r.gen_range(0..group.len())) % group.len()];
                if tried.contains(&ci) {
                    continue;
                }
                tried.push(ci);
                if let Some(n) = self.take(r, ci, from, to) {
                    return n;
                }
            }
        }
        let start = r.gen_range(0..self.codes.len());
        for k in 0..self.codes.len() {
            let ci = (start + k) % self.codes.len();
            if let Some(n) = self.take(r, ci, from, to) {
                return n;
            }
        }
        // Space exhausted: share the number that frees up soonest.
        let mut best = (0, 0);
        let mut best_day = Day::MAX;
        for (ci, lines) in self.free_after.iter().enumerate() {
            for (li, d) in lines.iter().enumerate() {
                if *d < best_day {
                    best_day = *d;
                    best = (ci, li);
                }
            }
        }
        self.free_after[best.0][best.1] = self.free_after[best.0][best.1].max(to);
        self.number(best.0, best.1 + 20)
    }

    fn take(&mut self, r: &mut R, ci: usize, from: Day, to: Day) -> Option<u64> {
        let start = r.gen_range(0..80);
        for k in 0..80 {
            let li = (start + k) % 80;
            if self.free_after[ci][li] < from {
                self.free_after[ci][li] = to;
                return Some(self.number(ci, li + 20));
            }
        }
        None
    }

    /// Takes over a number leased before (a phone handed down), extending its lease.
    pub fn extend(&mut self, number: u64, to: Day) {
        let code = (number / 10_000_000) as u16;
        let line = (number % 100) as usize;
        if let (Some(ci), Some(li)) = (self.code_index(code), line.checked_sub(20)) {
            if let Some(slot) = self.free_after[ci].get_mut(li) {
                *slot = (*slot).max(to);
            }
        }
    }

    fn number(&self, ci: usize, line: usize) -> u64 {
        u64::from(self.codes[ci]) * 10_000_000 + 5_550_100 + line as u64
    }

    /// A background number in `city`'s area codes: unrelated people may share it.
    pub fn background(r: &mut R, city: usize) -> u64 {
        let code = pick(r, CITIES[city].area_codes);
        u64::from(code) * 10_000_000 + 5_550_100 + r.gen_range(0..20u64)
    }

    /// Every area code in use (for tests).
    #[cfg(test)]
    pub fn area_codes(&self) -> &[u16] {
        &self.codes
    }
}

impl Default for PhoneBook {
    fn default() -> Self {
        PhoneBook::new()
    }
}

fn region_cities(region: Region) -> Vec<usize> {
    CITIES
        .iter()
        .enumerate()
        .filter(|(_, c)| c.region == region)
        .map(|(i, _)| i)
        .collect()
}

/// A city, weighted toward the big ones listed first in each state (more area codes).
fn random_city(r: &mut R) -> usize {
    loop {
        let i = r.gen_range(0..CITIES.len());
        if chance(r, 0.4 + 0.12 * CITIES[i].area_codes.len() as f64) {
            return i;
        }
    }
}

/// A nearby city: usually the same, sometimes another in the same region.
fn near(r: &mut R, city: usize, p_same: f64) -> usize {
    if chance(r, p_same) {
        return city;
    }
    let rc = region_cities(CITIES[city].region);
    pick(r, &rc)
}

/// Which repeat pattern a child's episodes follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pattern {
    Once,
    /// Episodes in distinct years only.
    YearApart(usize),
    /// Two or more in one year (seed: 22% of endangered runaways).
    SameYear(usize),
    /// Chronically missing: many episodes over years (up to 24, as in the seeds' example).
    Chronic(usize),
}

struct Profile {
    female: bool,
    circumstance: Circumstance,
    pattern: Pattern,
    age: i32,
    agency: bool,
}

fn profile(r: &mut R) -> Profile {
    let female = chance(r, 0.75);
    let circumstance = match weighted(r, &[0.91, 0.045, 0.005, 0.04]) {
        0 => Circumstance::EndangeredRunaway,
        1 => Circumstance::FamilyAbduction,
        2 => Circumstance::NonFamilyAbduction,
        _ => Circumstance::LostInjuredOtherwiseMissing,
    };
    let er = circumstance == Circumstance::EndangeredRunaway;
    let pattern = if er && chance(r, 0.22) {
        if chance(r, 0.07) {
            let x: f64 = r.gen();
            Pattern::Chronic(5 + (19.0 * x * x) as usize)
        } else {
            Pattern::SameYear([2, 3, 4][weighted(r, &[0.7, 0.18, 0.12])])
        }
    } else if er && chance(r, 0.08) {
        Pattern::YearApart(r.gen_range(2..=3))
    } else {
        Pattern::Once
    };
    let age = match circumstance {
        // The generator never draws `MissingFromCare` (being in care is the custody, not
        // the circumstance); were it drawn, it would be a runaway's.
        Circumstance::EndangeredRunaway | Circumstance::MissingFromCare => match pattern {
            // Chronic episodes start young so years of them fit before 18.
            Pattern::Chronic(_) => r.gen_range(12..=14),
            _ if chance(r, 0.515) => r.gen_range(16..=17),
            _ => [11, 12, 13, 14, 15][weighted(r, &[0.04, 0.08, 0.15, 0.28, 0.45])],
        },
        Circumstance::FamilyAbduction => r.gen_range(1..=12),
        Circumstance::NonFamilyAbduction => r.gen_range(8..=17),
        Circumstance::LostInjuredOtherwiseMissing => r.gen_range(3..=17),
    };
    let agency = match circumstance {
        Circumstance::EndangeredRunaway => chance(r, 0.30),
        _ => chance(r, 0.05),
    };
    Profile {
        female,
        circumstance,
        pattern,
        age,
        agency,
    }
}

fn missing_length(r: &mut R, c: Circumstance, victim: bool) -> i32 {
    match c {
        Circumstance::EndangeredRunaway if victim => r.gen_range(7..=60),
        Circumstance::EndangeredRunaway | Circumstance::MissingFromCare => {
            match weighted(r, &[0.4, 0.35, 0.2, 0.05]) {
                0 => r.gen_range(1..=3),
                1 => r.gen_range(4..=14),
                2 => r.gen_range(15..=45),
                _ => r.gen_range(46..=150),
            }
        }
        Circumstance::FamilyAbduction => r.gen_range(3..=200),
        Circumstance::NonFamilyAbduction => r.gen_range(1..=30),
        Circumstance::LostInjuredOtherwiseMissing => r.gen_range(0..=3),
    }
}

/// The episodes of one child, oldest first, all before 18 and inside the world's window.
fn episodes(r: &mut R, p: &Profile, victim: bool, home: usize) -> (Day, Vec<Episode>) {
    let multi_same_year = matches!(p.pattern, Pattern::SameYear(_) | Pattern::Chronic(_));
    let first_year = match p.pattern {
        Pattern::Chronic(_) => r.gen_range(2019..=2020),
        Pattern::YearApart(_) => r.gen_range(2019..=2022),
        _ => r.gen_range(2019..=2024),
    };
    // Repeat episodes in one year start early enough for the second to fit in that year.
    let max_doy = if multi_same_year { 250 } else { 364 };
    let first = date::from_ymd(first_year, 1, 1) + r.gen_range(0..=max_doy);
    // Born so that the age at the first episode is `p.age`; repeaters stay that age for at
    // least four months, so a same-year repeat never falls after the 18th birthday.
    let offset = if multi_same_year {
        r.gen_range(1..240)
    } else {
        r.gen_range(1..365)
    };
    let dob = date::years_before(first, p.age) - offset;
    let adult_on = date::years_before(dob, -18);
    let n = match p.pattern {
        Pattern::Once => 1,
        Pattern::YearApart(k) | Pattern::SameYear(k) | Pattern::Chronic(k) => k,
    };
    let mut out: Vec<Episode> = Vec::with_capacity(n);
    let mut day = first;
    for k in 0..n {
        if day > WORLD_END || day >= adult_on {
            break;
        }
        let mut len = missing_length(r, p.circumstance, victim);
        if multi_same_year && k == 0 {
            len = len.min(45);
        }
        let last_seen = day - r.gen_range(0..=2);
        let city = if k == 0 { home } else { near(r, home, 0.8) };
        let back = day + len;
        let last = k + 1 == n;
        let never_found = last
            && chance(
                r,
                match p.circumstance {
                    Circumstance::EndangeredRunaway if victim => 0.12,
                    Circumstance::EndangeredRunaway => 0.03,
                    _ => 0.08,
                },
            );
        let recovered = if back > WORLD_END || never_found {
            None
        } else {
            Some((back, near(r, home, 0.7)))
        };
        out.push(Episode {
            reported: day,
            last_seen,
            city,
            recovered,
        });
        let Some((back, _)) = recovered else { break };
        day = match p.pattern {
            Pattern::SameYear(_) | Pattern::Chronic(_) if k == 0 => back + r.gen_range(7..=30),
            Pattern::Chronic(_) => {
                let left = (n - k - 1).max(1) as i32;
                let span = (adult_on.min(WORLD_END) - back).max(left * 10);
                back + r.gen_range(5..=(2 * span / left).max(6))
            }
            Pattern::YearApart(_) => {
                let next_year = date::year(back) + 1;
                date::from_ymd(next_year, 1, 1) + r.gen_range(0..300)
            }
            _ => back + r.gen_range(30..=240),
        };
        // Repeats after the same-year pair keep to other years only when asked to.
        if let Pattern::YearApart(_) = p.pattern {
            if date::year(day) == date::year(back) {
                day = date::from_ymd(date::year(back) + 1, 2, 1);
            }
        }
    }
    (dob, out)
}

struct Builder<'a> {
    persons: &'a mut Vec<PersonTruth>,
}

impl Builder<'_> {
    fn person(
        &mut self,
        role: &str,
        name: Name,
        female: bool,
        dob: Option<Day>,
        network: Option<usize>,
        case: Option<usize>,
    ) -> usize {
        let i = self.persons.len();
        self.persons.push(PersonTruth {
            id: id("person", i),
            role: role.to_string(),
            first_name: name.first.to_string(),
            last_name: name.last.to_string(),
            sex: sex(female).to_string(),
            date_of_birth: dob.map(date::iso),
            network: network.map(|n| id("net", n)),
            case: case.map(|c| id("case", c)),
        });
        i
    }
}

/// Builds the world for `seed` with the record counts of `plan`.
pub fn build(seed: u64, plan: Plan) -> World {
    let mut persons: Vec<PersonTruth> = Vec::new();
    let mut phones = PhoneBook::new();
    let mut r = stream(seed, Stream::People, 0);

    // 1. Who the children are.
    let profiles: Vec<Profile> = (0..plan.cases).map(|_| profile(&mut r)).collect();

    // 2. Which of them are trafficking victims: 1 in 6, more often repeat runaways and
    //    children in care (seed risk factors), sampled by weighted keys so the count is exact.
    let target = ((plan.cases as f64) * VICTIM_SHARE).round() as usize;
    let mut keys: Vec<(f64, usize)> = profiles
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let mut w = match p.circumstance {
                Circumstance::EndangeredRunaway | Circumstance::MissingFromCare => 1.0,
                Circumstance::FamilyAbduction => 0.6,
                Circumstance::NonFamilyAbduction => 0.3,
                Circumstance::LostInjuredOtherwiseMissing => 0.0,
            };
            if p.age < 11 {
                w *= 0.2;
            }
            w *= match p.pattern {
                Pattern::Chronic(_) => 4.0,
                Pattern::SameYear(_) => 2.0,
                _ => 1.0,
            };
            if p.agency {
                w *= 2.0;
            }
            let u: f64 = r.gen::<f64>().max(f64::MIN_POSITIVE);
            (w > 0.0).then(|| (u.ln() / w, i))
        })
        .collect();
    keys.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut is_victim = vec![false; plan.cases];
    for (_, i) in keys.iter().take(target) {
        is_victim[*i] = true;
    }

    // 3. Children, custodians and episodes.
    let mut children: Vec<Child> = Vec::with_capacity(plan.cases);
    let mut b = Builder {
        persons: &mut persons,
    };
    let shelters: Vec<Shelter> = SHELTERS
        .iter()
        .map(|name| {
            let city = random_city(&mut r);
            Shelter {
                name,
                phone: phones.lease(&mut r, city, WORLD_START - 3650, WORLD_END + 3650),
                city,
            }
        })
        .collect();
    for (ci, p) in profiles.iter().enumerate() {
        let home = random_city(&mut r);
        let name = Name::random(&mut r, p.female);
        let (dob, eps) = episodes(&mut r, p, is_victim[ci], home);
        let person = b.person("child", name, p.female, Some(dob), None, Some(ci));
        let custody = if p.agency {
            let cw_female = chance(&mut r, 0.7);
            let cw = Name::random(&mut r, cw_female);
            let caseworker = b.person("caseworker", cw, cw_female, None, None, None);
            let agency = pick(&mut r, AGENCIES)
                .replace("{state}", CITIES[home].state)
                .replace("{county}", CITIES[home].name);
            Custody::Agency {
                agency,
                group_home: chance(&mut r, 0.4),
                caseworker,
                caseworker_name: cw,
                phone: PhoneBook::background(&mut r, home),
                email: format!(
                    "{}.{}@cw.example.org",
                    cw.first.to_ascii_lowercase(),
                    cw.last.to_ascii_lowercase()
                ),
            }
        } else {
            let n = if chance(&mut r, 0.55) { 2 } else { 1 };
            let mut gs = Vec::with_capacity(n);
            for k in 0..n {
                let roll = r.gen_range(0..10);
                let (relation, female) = if k == 0 {
                    match roll {
                        0..=5 => ("mother", true),
                        6..=7 => ("father", false),
                        8 => ("grandmother", true),
                        _ => ("aunt", true),
                    }
                } else {
                    match roll {
                        0..=6 => ("father", false),
                        7..=8 => ("stepfather", false),
                        _ => ("grandfather", false),
                    }
                };
                let mut gname = Name::random(&mut r, female);
                if chance(&mut r, 0.7) {
                    gname.last = name.last;
                }
                let gp = b.person("guardian", gname, female, None, None, Some(ci));
                let email = chance(&mut r, 0.5)
                    .then(|| util::email(&mut r, Some((gname.first, gname.last))));
                gs.push(Guardian {
                    person: gp,
                    name: gname,
                    relation,
                    phone: chance(&mut r, 0.92).then(|| PhoneBook::background(&mut r, home)),
                    email,
                });
            }
            Custody::Guardians(gs)
        };
        let first_day = eps.first().map_or(WORLD_START, |e| e.last_seen);
        let age_now = date::age_on(dob, first_day);
        let phone =
            (age_now >= 12 && chance(&mut r, if is_victim[ci] { 0.7 } else { 0.45 })).then(|| {
                if is_victim[ci] {
                    phones.lease(&mut r, home, first_day - 365, WORLD_END)
                } else {
                    PhoneBook::background(&mut r, home)
                }
            });
        let handle = (age_now >= 11 && chance(&mut r, 0.6)).then(|| util::handle(&mut r));
        let email = (age_now >= 12 && chance(&mut r, 0.3))
            .then(|| util::email(&mut r, Some((name.first, name.last))));
        let shelter = (p.circumstance == Circumstance::EndangeredRunaway && chance(&mut r, 0.08))
            .then(|| r.gen_range(0..shelters.len()));
        let nicks = crate::data::nicknames(name.first);
        let alias = if !nicks.is_empty() && chance(&mut r, 0.6) {
            pick(&mut r, nicks).to_string()
        } else {
            pick(&mut r, FIRST_F).to_string()
        };
        children.push(Child {
            person,
            name,
            female: p.female,
            dob,
            home,
            circumstance: p.circumstance,
            custody,
            episodes: eps,
            network: None,
            phone,
            handle,
            email,
            shelter,
            alias,
        });
    }

    // 4. Networks.
    let mut rn = stream(seed, Stream::Networks, 0);
    let mut victims: Vec<usize> = (0..plan.cases)
        .filter(|i| is_victim[*i] && !children[*i].episodes.is_empty())
        .collect();
    victims.shuffle(&mut rn);
    // Family abductions that turn into trafficking are familial by nature; the others queue.
    let (family, mut queue): (Vec<usize>, Vec<usize>) = victims
        .iter()
        .partition(|i| children[**i].circumstance == Circumstance::FamilyAbduction);
    queue.reverse();
    let mut groups: Vec<(NetworkKind, Vec<usize>)> = Vec::new();
    for chunk in family.chunks(1) {
        groups.push((NetworkKind::Familial, chunk.to_vec()));
    }
    while !queue.is_empty() {
        let kind = [
            NetworkKind::PimpControlled,
            NetworkKind::GangControlled,
            NetworkKind::Familial,
            NetworkKind::BuyerPerpetrated,
        ][weighted(&mut rn, &[0.36, 0.12, 0.12, 0.40])];
        // Seed: traffickers often control three or more children.
        let size = match kind {
            NetworkKind::PimpControlled => {
                [1, 2, 3, 4, 5, 6, 8][weighted(&mut rn, &[0.1, 0.17, 0.25, 0.2, 0.13, 0.1, 0.05])]
            }
            NetworkKind::GangControlled => rn.gen_range(3..=10),
            NetworkKind::Familial => rn.gen_range(1..=3),
            NetworkKind::BuyerPerpetrated => 1,
        };
        let take: Vec<usize> = (0..size).filter_map(|_| queue.pop()).collect();
        groups.push((kind, take));
    }
    groups.shuffle(&mut rn);

    let mut networks: Vec<Network> = Vec::with_capacity(groups.len());
    let mut handed_down: Vec<Vec<(u64, Day)>> = vec![Vec::new(); 5];
    let mut all_templates: Vec<Template> = Vec::new();
    for (ni, (kind, vs)) in groups.into_iter().enumerate() {
        let Some(&lead) = vs.first() else { continue };
        let home = children[lead]
            .episodes
            .first()
            .map_or(children[lead].home, |e| e.city);
        let region = CITIES[home].region;
        let first = vs
            .iter()
            .filter_map(|v| children[*v].episodes.first().map(|e| e.last_seen))
            .min()
            .unwrap_or(WORLD_START);
        let last = vs
            .iter()
            .filter_map(|v| children[*v].episodes.last().map(Episode::until))
            .max()
            .unwrap_or(WORLD_END);
        let start = first - rn.gen_range(0..=90);
        let end = (last + rn.gen_range(0..=60)).min(WORLD_END);

        // Offenders: adults only.
        let n_off = match kind {
            NetworkKind::PimpControlled => 1 + usize::from(chance(&mut rn, 0.4)),
            NetworkKind::GangControlled => rn.gen_range(2..=5),
            NetworkKind::Familial => rn.gen_range(1..=2),
            NetworkKind::BuyerPerpetrated => rn.gen_range(1..=3),
        };
        let mut offenders = Vec::with_capacity(n_off);
        for k in 0..n_off {
            let (role, female) = match kind {
                NetworkKind::PimpControlled if k == 0 => ("trafficker", chance(&mut rn, 0.2)),
                NetworkKind::PimpControlled => ("associate", chance(&mut rn, 0.6)),
                NetworkKind::GangControlled => ("gang_member", chance(&mut rn, 0.15)),
                NetworkKind::Familial => ("relative", chance(&mut rn, 0.5)),
                NetworkKind::BuyerPerpetrated => ("buyer", chance(&mut rn, 0.05)),
            };
            let mut name = Name::random(&mut rn, female);
            if kind == NetworkKind::Familial && chance(&mut rn, 0.6) {
                name.last = children[lead].name.last;
            }
            let dob = date::from_ymd(rn.gen_range(1965..=1999), 1, 1) + rn.gen_range(0..365);
            let person = b.person(role, name, female, Some(dob), Some(ni), None);
            offenders.push(Adult {
                person,
                name,
                female,
                dob,
            });
        }

        // Route: a home city and stops in two to five states of the region, sometimes beyond.
        let rc = region_cities(region);
        let mut stops = vec![home];
        let want = rn.gen_range(2..=6);
        for _ in 0..want * 3 {
            if stops.len() > want {
                break;
            }
            let c = pick(&mut rn, &rc);
            if !stops.contains(&c) {
                stops.push(c);
            }
        }
        if chance(&mut rn, 0.15) {
            stops.push(random_city(&mut rn));
        }
        let mut timeline = Vec::new();
        let mut day = start;
        let mut at = home;
        while day <= end {
            timeline.push((day, at));
            day += rn.gen_range(7..=45);
            at = if chance(&mut rn, 0.35) {
                home
            } else {
                pick(&mut rn, &stops)
            };
        }

        // Phones: rotated every few months, sometimes handed down from an earlier network.
        let mut net_phones = Vec::new();
        let mut day = start;
        while day <= end {
            let len = match kind {
                NetworkKind::BuyerPerpetrated | NetworkKind::Familial => rn.gen_range(200..=900),
                _ => rn.gen_range(45..=240),
            };
            let to = (day + len).min(end);
            let city = timeline
                .iter()
                .rev()
                .find(|(d, _)| *d <= day)
                .map_or(home, |(_, c)| *c);
            let pool = &mut handed_down[region as usize];
            let number = match pool.iter().position(|(_, free)| *free < day) {
                Some(i) if chance(&mut rn, 0.1) => {
                    let (n, _) = pool.swap_remove(i);
                    phones.extend(n, to);
                    n
                }
                _ => phones.lease(&mut rn, city, day, to),
            };
            net_phones.push(PhoneUse {
                number,
                from: day,
                to,
                holder: rn.gen_range(0..offenders.len()),
            });
            pool.push((number, to));
            // Only recent phones get handed down; this also keeps the search short.
            if pool.len() > 256 {
                pool.drain(..128);
            }
            if to >= end {
                break;
            }
            // Overlap so that two phones are sometimes in use at once.
            day = to + 1 - rn.gen_range(0..=20).min(len / 2);
        }
        let handles: Vec<String> = (0..rn.gen_range(2..=5))
            .map(|_| util::handle(&mut rn))
            .collect();
        let emails: Vec<String> = (0..rn.gen_range(1..=3))
            .map(|_| util::email(&mut rn, None))
            .collect();
        let devices: Vec<String> = (0..rn.gen_range(1..=3))
            .map(|_| util::imei(&mut rn))
            .collect();
        let logos: Vec<String> = (0..rn.gen_range(1..=2))
            .map(|_| util::image_hash(&mut rn))
            .collect();
        let victim_images: Vec<Vec<String>> = vs
            .iter()
            .map(|_| {
                (0..rn.gen_range(3..=8))
                    .map(|_| util::image_hash(&mut rn))
                    .collect()
            })
            .collect();
        let advertises = match kind {
            NetworkKind::BuyerPerpetrated => false,
            NetworkKind::Familial => chance(&mut rn, 0.5),
            _ => true,
        };
        let mut templates = Vec::new();
        if advertises {
            for t in 0..rn.gen_range(1..=3) {
                // Near-duplicate templates circulate: a few networks copy another's.
                if !all_templates.is_empty() && chance(&mut rn, 0.05) {
                    let copied = all_templates[rn.gen_range(0..all_templates.len())].clone();
                    templates.push(copied);
                    continue;
                }
                let mut lines: Vec<usize> = (0..crate::data::AD_LINES.len()).collect();
                lines.shuffle(&mut rn);
                lines.truncate(rn.gen_range(3..=5));
                // Every template gives a number.
                if !lines
                    .iter()
                    .any(|l| crate::data::AD_LINES[*l].contains("{phone}"))
                {
                    lines.push(pick(&mut rn, &[2, 3, 13]));
                }
                let styles = [
                    pick(&mut rn, PhoneStyle::ALL),
                    pick(&mut rn, PhoneStyle::ALL),
                ];
                let tpl = Template {
                    id: format!("{}-t{}", id("net", ni), t + 1),
                    title: rn.gen_range(0..crate::data::AD_TITLES.len()),
                    lines,
                    styles,
                    emoji: pick(&mut rn, crate::data::EMOJI),
                    signoff: chance(&mut rn, 0.5).then(|| {
                        format!(
                            "{} {}",
                            pick(&mut rn, &["xoxo", "~", "kisses", "see you soon", "-"]),
                            pick(&mut rn, crate::data::EMOJI)
                        )
                    }),
                };
                all_templates.push(tpl.clone());
                templates.push(tpl);
            }
        }
        for v in &vs {
            children[*v].network = Some(ni);
            b.persons[children[*v].person].network = Some(id("net", ni));
        }
        networks.push(Network {
            kind,
            offenders,
            victims: vs,
            timeline,
            start,
            end,
            phones: net_phones,
            emails,
            handles,
            devices,
            logos,
            victim_images,
            templates,
            advertises,
        });
    }

    // 5. Victims' episodes now follow the network: recovered where it operates, and after
    //    the first time often last seen there too (children return to the trafficker).
    for net in &networks {
        for v in &net.victims {
            let child = &mut children[*v];
            for (k, e) in child.episodes.iter_mut().enumerate() {
                if let Some((d, _)) = e.recovered {
                    e.recovered = Some((d, net.city_on(d)));
                }
                if k > 0 && chance(&mut rn, 0.5) {
                    e.city = net.city_on(e.last_seen);
                }
            }
        }
    }

    let mut advertised = Vec::new();
    for net in &networks {
        if !net.advertises {
            continue;
        }
        for v in &net.victims {
            for k in 0..children[*v].episodes.len() {
                advertised.push((*v, k));
            }
        }
    }

    // 6. Background: sellers of benign ads, and the shared identifiers.
    let mut rs = stream(seed, Stream::Sellers, 0);
    let n_sellers = (plan.benign_ads() / 4).max(1);
    let mut sellers = Vec::with_capacity(n_sellers);
    for _ in 0..n_sellers {
        let female = chance(&mut rs, 0.5);
        let name = Name::random(&mut rs, female);
        let city = random_city(&mut rs);
        let person = b.person("seller", name, female, None, None, None);
        sellers.push(Seller {
            person,
            name,
            phone: chance(&mut rs, 0.6).then(|| PhoneBook::background(&mut rs, city)),
            email: chance(&mut rs, 0.4)
                .then(|| util::email(&mut rs, Some((name.first, name.last)))),
            city,
        });
    }
    let library_ips = vec!["198.51.100.77".to_string(), "203.0.113.200".to_string()];
    let not_trafficked = (0..children.len())
        .filter(|i| children[*i].network.is_none() && !children[*i].episodes.is_empty())
        .collect();
    let victims = (0..children.len())
        .filter(|i| children[*i].network.is_some())
        .collect();
    World {
        plan,
        children,
        networks,
        sellers,
        shelters,
        library_ips,
        persons,
        advertised,
        not_trafficked,
        victims,
    }
}

impl World {
    /// A moment a trafficked child was missing: (child, episode, day).
    pub fn victim_moment(&self, r: &mut R) -> Option<(usize, usize, Day)> {
        let ci = *self
            .victims
            .get(r.gen_range(0..self.victims.len().max(1)))?;
        self.moment_of(r, ci)
    }

    /// A moment a missing child who is not in a network was missing.
    pub fn missing_moment(&self, r: &mut R) -> Option<(usize, usize, Day)> {
        let ci = *self
            .not_trafficked
            .get(r.gen_range(0..self.not_trafficked.len().max(1)))?;
        self.moment_of(r, ci)
    }

    /// A day inside one of the child's episodes. Long episodes are cut to their first five
    /// months: that is when records about a missing child cluster.
    fn moment_of(&self, r: &mut R, ci: usize) -> Option<(usize, usize, Day)> {
        let child = self.children.get(ci)?;
        if child.episodes.is_empty() {
            return None;
        }
        let k = r.gen_range(0..child.episodes.len());
        let e = &child.episodes[k];
        let end = e.until().min(e.last_seen + 150).min(WORLD_END);
        let day = if end > e.last_seen {
            r.gen_range(e.last_seen..=end)
        } else {
            e.last_seen
        };
        Some((ci, k, day))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// libphonenumber (through the extractor) must accept every number the world can hand
    /// out, or ads would carry numbers no tool could find.
    #[test]
    fn every_area_code_gives_valid_numbers() {
        let book = PhoneBook::new();
        assert!(book.area_codes().len() > 100);
        for code in book.area_codes() {
            for line in [0, 19, 20, 99] {
                let n = u64::from(*code) * 10_000_000 + 5_550_100 + line;
                let e = util::e164(n);
                assert_eq!(extract::normalize_phone(&e), Some(e.clone()), "{e}");
            }
        }
    }

    #[test]
    fn plan_adds_up_to_the_scale() {
        for scale in [0, 1, 7, 99, 1_000, 123_457] {
            assert_eq!(Plan::for_scale(scale).total(), scale);
        }
    }
}
