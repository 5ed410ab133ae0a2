//! The recovery resource directory: `n` invented services as an Open Referral HSDS 3.x
//! data package, for the demo (`clearinghouse demo` loads ~200), the import tests and the
//! directory's pages. Every organisation is named "Sample …" so none is a real one; phones
//! are `NPA-555-01XX`, emails and web addresses are under `example.org`. About one entry in
//! four was last verified more than a year before [`AS_OF`], so the stale marker shows.
//! Deterministic per seed.

use rand::Rng;
use recovery::hsds::{write_package, Files};
use recovery::{
    Eligibility, HowToRefer, HsdsId, Location, Need, Organisation, Service, SexEligibility,
};
use time::{Date, Duration, Month};

use crate::data::{CITIES, STREETS};
use crate::util::{chance, pick, stream, Stream, R};

/// The day the generated entries' verification dates count back from.
pub const AS_OF: (i32, u8, u8) = (2026, 6, 1);

const KINDS: &[(&str, &[Need])] = &[
    ("Youth Shelter", &[Need::ShelterHousing, Need::BasicNeeds]),
    (
        "Transitional Living Program",
        &[Need::ShelterHousing, Need::Education, Need::Employment],
    ),
    ("Health Clinic", &[Need::Medical]),
    ("Counselling Center", &[Need::MentalHealth]),
    (
        "Recovery Program",
        &[Need::SubstanceUse, Need::MentalHealth],
    ),
    ("Legal Aid Project", &[Need::Legal]),
    ("Learning Center", &[Need::Education]),
    ("Jobs Program", &[Need::Employment]),
    (
        "Family Services",
        &[Need::FamilyReunification, Need::MentalHealth],
    ),
    ("Basic Needs Pantry", &[Need::BasicNeeds]),
    ("Survivor Mentoring Circle", &[Need::SurvivorMentoring]),
    ("Language Access Line", &[Need::Interpretation]),
];

const WORDS: &[&str] = &[
    "Harbor",
    "Bridge",
    "Compass",
    "Lantern",
    "Meadow",
    "Summit",
    "Riverbend",
    "Northstar",
    "Cedar",
    "Willow",
    "Keystone",
    "Open Gate",
];

const LANGUAGES: &[&str] = &[
    "Spanish",
    "Vietnamese",
    "Chinese",
    "Arabic",
    "Haitian Creole",
    "Tagalog",
    "Korean",
    "Russian",
    "French",
    "American Sign Language",
];

const HOURS: &[&str] = &[
    "Open 24 hours, every day",
    "Monday to Friday 9am to 5pm",
    "Monday to Saturday 8am to 8pm; crisis line 24 hours",
    "Tuesday and Thursday 10am to 6pm, or by appointment",
];

fn id(kind: &str, n: usize) -> HsdsId {
    // A fixed shape that always parses.
    HsdsId::parse("id", &format!("sample-{kind}-{n:05}")).unwrap_or_else(|_| id("x", 0))
}

fn as_of() -> Date {
    Date::from_calendar_date(AS_OF.0, Month::June, AS_OF.2).unwrap_or(Date::MIN)
}

fn service(r: &mut R, n: usize) -> Service {
    let city = &CITIES[r.gen_range(0..CITIES.len())];
    let (kind, needs) = pick(r, KINDS);
    let word = pick(r, WORDS);
    let org_name = format!("Sample {word} Youth Services of {}", city.name);
    let mut needs = needs.to_vec();
    if chance(r, 0.3) {
        needs.push(pick(r, &Need::ALL));
    }
    let (min_age, max_age) = match r.gen_range(0..4) {
        0 => (Some(12), Some(17)),
        1 => (Some(16), Some(24)),
        2 => (None, Some(21)),
        _ => (None, None),
    };
    let sex = match r.gen_range(0..8) {
        0 => Some(SexEligibility::Female),
        1 => Some(SexEligibility::Male),
        _ => None,
    };
    let mut languages = vec!["English".to_owned()];
    for _ in 0..r.gen_range(0..3) {
        languages.push(pick(r, LANGUAGES).to_owned());
    }
    let area = pick(r, city.area_codes);
    let line = r.gen_range(100..200);
    let county = format!("{} County", city.name);
    let slug: String = format!("{word}{n}")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let days = if chance(r, 0.25) {
        r.gen_range(366..900)
    } else {
        r.gen_range(0..330)
    };
    Service {
        id: id("service", n),
        organisation: Organisation {
            id: id("organization", n),
            name: org_name,
        },
        name: format!("{word} {kind}"),
        description: Some(format!(
            "A {} for young people in and around {}. Staff are trained to work with survivors of trafficking and with young people who have been missing; referrals are answered within two working days.",
            kind.to_lowercase(),
            city.name
        )),
        needs,
        eligibility: Eligibility {
            min_age,
            max_age,
            sex,
            survivors_only: chance(r, 0.2),
        },
        languages,
        locations: vec![Location {
            id: id("location", n),
            name: Some(format!("{word} {kind}, {}", city.name)),
            address: Some(format!("{} {} Street", r.gen_range(10..2000), pick(r, STREETS))),
            city: Some(city.name.to_owned()),
            state: Some(city.state.to_owned()),
            county: Some(county.clone()),
            postal_code: Some(format!("{:05}", r.gen_range(10_000..99_999))),
        }],
        service_areas: vec![format!("All of {county}")],
        hours: Some(pick(r, HOURS).to_owned()),
        how_to_refer: HowToRefer {
            phone: Some(format!("{area}-555-0{line:03}")),
            email: Some(format!("referrals@{slug}.example.org")),
            url: chance(r, 0.6).then(|| format!("https://{slug}.example.org/refer")),
        },
        capacity: chance(r, 0.4).then(|| r.gen_range(0..15)),
        last_verified: Some(as_of() - Duration::days(days)),
    }
}

/// `n` services, the same for the same seed; each passes `Service::check` unchanged.
pub fn services(seed: u64, n: usize) -> Vec<Service> {
    let mut r = stream(seed, Stream::Resources, 0);
    (0..n)
        .map(|i| {
            let s = service(&mut r, i);
            s.clone().check().unwrap_or(s)
        })
        .collect()
}

/// `n` services as an HSDS 3.x CSV data package (file name → bytes).
pub fn package(seed: u64, n: usize) -> Files {
    write_package(&services(seed, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_package_reads_back_whole_and_is_the_same_per_seed() {
        let files = package(7, 200);
        assert_eq!(files, package(7, 200));
        let read = recovery::hsds::read_package(&files);
        assert!(read.rejected.is_empty(), "{:?}", read.rejected);
        assert_eq!(read.services, services(7, 200));
        let stale = read.services.iter().filter(|s| s.is_stale(as_of())).count();
        assert!((20..100).contains(&stale), "{stale}");
        for s in &read.services {
            assert!(s.organisation.name.starts_with("Sample "));
            assert!(s
                .how_to_refer
                .phone
                .as_deref()
                .is_some_and(|p| p.contains("-555-01")));
        }
    }
}
