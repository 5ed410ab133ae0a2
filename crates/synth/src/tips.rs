//! Public tips (`tips.jsonl`) as the online form's fields: what the reporter saw, where and
//! when in their own words, the people they could describe, and how to reach them (or not).
//!
//! Tips are the noisiest records: a child is named by the alias an ad used or by the name on a
//! missing poster, ages are guesses, "when" is often a phrase, and shelter staff give their
//! shelter's hotline, a number that appears in many unrelated tips and cases.

use rand::Rng;

use crate::cases::typed_phone;
use crate::data::{CITIES, FIRST_F, FIRST_M, LAST, PLATFORMS, STREETS};
use crate::date::{self, Day, WORLD_END, WORLD_START};
use crate::noise::name_as_written;
use crate::records::{RecordTruth, TipPerson, TipRecord, TipReporter};
use crate::util::{self, chance, e164, id, pick, R};
use crate::world::{PhoneBook, World};

const SHARE_TRAFFICKING: f64 = 0.25;
const SHARE_SIGHTING: f64 = 0.15;

const PLACES: &[&str] = &[
    "motel",
    "truck stop",
    "gas station",
    "bus station",
    "hotel lobby",
    "shopping mall",
    "fast food restaurant",
];

/// "When" as a reporter writes it: a date, or a phrase relative to the submission.
fn when(r: &mut R, day: Day) -> String {
    match r.gen_range(0..6) {
        0 => "last weekend".to_string(),
        1 => "a few days ago".to_string(),
        2 => format!("around {}", date::iso(day)),
        _ => date::iso(day),
    }
}

struct Filed {
    submitted_at: String,
    reporter: Option<TipReporter>,
    persons: Vec<String>,
    phones: Vec<String>,
    emails: Vec<String>,
}

/// Who filed the tip: anonymous, a member of the public, or shelter staff.
fn filed(r: &mut R, world: &World, tid: &str, day: Day, city: usize) -> Filed {
    let submitted = (day + r.gen_range(0..=14)).min(WORLD_END + 30);
    let submitted_at = date::iso_time(submitted, r.gen_range(0..86_400));
    let mut phones = Vec::new();
    let mut emails = Vec::new();
    let mut persons = Vec::new();
    let reporter = match r.gen_range(0..10) {
        0..=3 => None,
        4 if !world.shelters.is_empty() => {
            // Shelter staff give the hotline: shared by many tips, never a link between them.
            let s = &world.shelters[r.gen_range(0..world.shelters.len())];
            phones.push(e164(s.phone));
            Some(TipReporter {
                name: Some(format!("{} staff", s.name)),
                phone: Some(typed_phone(r, s.phone)),
                email: None,
            })
        }
        _ => {
            persons.push(format!("bg-{tid}-r"));
            let female = chance(r, 0.6);
            let first = pick(r, if female { FIRST_F } else { FIRST_M });
            let last = pick(r, LAST);
            let phone = chance(r, 0.7).then(|| PhoneBook::background(r, city));
            let email = chance(r, 0.5).then(|| util::email(r, Some((first, last))));
            if let Some(n) = phone {
                phones.push(e164(n));
            }
            if let Some(e) = &email {
                emails.push(e.clone());
            }
            Some(TipReporter {
                name: Some(if chance(r, 0.8) {
                    format!("{first} {last}")
                } else {
                    first.to_string()
                }),
                phone: phone.map(|n| typed_phone(r, n)),
                email,
            })
        }
    };
    Filed {
        submitted_at,
        reporter,
        persons,
        phones,
        emails,
    }
}

/// Tip `n`, its id `tip-NNNNNNN`.
pub fn tip(r: &mut R, world: &World, n: usize) -> (TipRecord, RecordTruth) {
    let x: f64 = r.gen();
    if x < SHARE_TRAFFICKING {
        if let Some(m) = world.victim_moment(r) {
            return trafficking(r, world, n, m);
        }
    } else if x < SHARE_TRAFFICKING + SHARE_SIGHTING {
        if let Some(m) = world.missing_moment(r) {
            return sighting(r, world, n, m);
        }
    }
    background(r, world, n)
}

fn trafficking(
    r: &mut R,
    world: &World,
    n: usize,
    (ci, _k, day): (usize, usize, Day),
) -> (TipRecord, RecordTruth) {
    let tid = id("tip", n);
    let child = &world.children[ci];
    let ni = child.network.unwrap_or(0);
    let net = &world.networks[ni];
    let city = net.city_on(day);
    let f = filed(r, world, &tid, day, city);
    let mut phones = f.phones;
    let mut handles = Vec::new();
    let mut persons = f.persons;
    let age = date::age_on(child.dob, day);
    let guess = (age + r.gen_range(-1..=3)).max(12) as u32;
    let child_name = match r.gen_range(0..3) {
        0 => Some(child.alias.clone()),
        1 => {
            let (fst, lst) = name_as_written(r, child.name.first, child.name.last);
            Some(match (fst, lst) {
                (Some(a), Some(b)) => format!("{a} {b}"),
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => child.name.first.to_string(),
            })
        }
        _ => None,
    };
    persons.push(id("person", child.person));
    let mut people = vec![TipPerson {
        role: "child".to_string(),
        name: child_name.clone(),
        age: chance(r, 0.8).then_some(guess),
        phone: None,
        email: None,
        screen_names: Vec::new(),
    }];
    let p = net.phone_on(r, day).map(|p| (p.number, p.holder));
    let mut adult = TipPerson {
        role: "adult".to_string(),
        name: None,
        age: chance(r, 0.5).then(|| r.gen_range(22..=45)),
        phone: None,
        email: None,
        screen_names: Vec::new(),
    };
    let holder = p.map_or(0, |(_, h)| h);
    let mut grown = "older adult";
    if let Some(o) = net.offenders.get(holder) {
        persons.push(id("person", o.person));
        grown = if o.female { "older woman" } else { "older man" };
        if chance(r, 0.3) {
            // Reporters overhear a first name or a nickname, rarely more.
            adult.name = name_as_written(r, o.name.first, o.name.last).0;
        }
    }
    if let Some((num, _)) = p {
        if chance(r, 0.6) {
            adult.phone = Some(typed_phone(r, num));
            phones.push(e164(num));
        }
    }
    if !net.handles.is_empty() && chance(r, 0.3) {
        let h = net.handles[r.gen_range(0..net.handles.len())].clone();
        adult.screen_names.push(h.clone());
        handles.push(h);
    }
    people.push(adult);
    let place = pick(r, PLACES);
    let street = pick(r, STREETS);
    let (they, their) = if child.female {
        ("She", "her")
    } else {
        ("He", "his")
    };
    let who = child_name.map_or_else(
        || format!("{they} would not give {their} name"),
        |nm| format!("{they} said {their} name was {nm}"),
    );
    let narrative = format!(
        "I saw a young person who looked about {guess} at a {place} on {street} Street in {} \
         with an {grown} who answered every question for them and kept {their} phone. {who}. \
         They have been coming and going for several days and seemed to be moving between \
         cities.",
        CITIES[city].name
    );
    let mut urls = Vec::new();
    if let Some(h) = handles.first() {
        if chance(r, 0.5) {
            let (_, domain) = pick(r, PLATFORMS);
            urls.push(format!("https://{domain}/u/{h}"));
        }
    }
    let rec = TipRecord {
        id: tid.clone(),
        submitted_at: f.submitted_at,
        incident_type: cybertip::IncidentType::ChildSexTrafficking
            .as_xsd_str()
            .to_string(),
        when: when(r, day),
        city: chance(r, 0.9).then(|| CITIES[city].name.to_string()),
        state: chance(r, 0.8).then(|| CITIES[city].state.to_string()),
        country: "US".to_string(),
        narrative,
        people,
        urls,
        reporter: f.reporter,
    };
    let truth = RecordTruth {
        record: tid,
        kind: "tip".to_string(),
        persons,
        network: Some(id("net", ni)),
        network_kind: Some(net.kind),
        missing_children: vec![id("case", ci)],
        template: None,
        phones,
        emails: f.emails,
        handles,
    };
    (rec, truth)
}

fn sighting(
    r: &mut R,
    world: &World,
    n: usize,
    (ci, _k, day): (usize, usize, Day),
) -> (TipRecord, RecordTruth) {
    let tid = id("tip", n);
    let child = &world.children[ci];
    let city = child
        .missing_on(day)
        .map_or(child.home, |k| child.episodes[k].city);
    let f = filed(r, world, &tid, day, city);
    let mut persons = f.persons;
    persons.push(id("person", child.person));
    let (fst, lst) = name_as_written(r, child.name.first, child.name.last);
    let name = match (fst, lst) {
        (Some(a), Some(b)) if chance(r, 0.1) => format!("{b} {a}"),
        (Some(a), Some(b)) => format!("{a} {b}"),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => child.name.first.to_string(),
    };
    let age = date::age_on(child.dob, day).max(1) as u32;
    let place = pick(r, PLACES);
    let narrative = format!(
        "I think I saw {name} from the missing poster at the {place} in {}. {} was with a \
         group of teenagers and looked tired.",
        CITIES[city].name,
        if child.female { "She" } else { "He" }
    );
    let rec = TipRecord {
        id: tid.clone(),
        submitted_at: f.submitted_at,
        incident_type: cybertip::IncidentType::ChildSexTrafficking
            .as_xsd_str()
            .to_string(),
        when: when(r, day),
        city: Some(CITIES[city].name.to_string()),
        state: chance(r, 0.7).then(|| CITIES[city].state.to_string()),
        country: "US".to_string(),
        narrative,
        people: vec![TipPerson {
            role: "child".to_string(),
            name: Some(name),
            age: chance(r, 0.6).then_some(age),
            phone: None,
            email: None,
            screen_names: Vec::new(),
        }],
        urls: Vec::new(),
        reporter: f.reporter,
    };
    let truth = RecordTruth {
        record: tid,
        kind: "tip".to_string(),
        persons,
        network: None,
        network_kind: None,
        missing_children: vec![id("case", ci)],
        template: None,
        phones: f.phones,
        emails: f.emails,
        handles: Vec::new(),
    };
    (rec, truth)
}

const CONCERNS: &[(cybertip::IncidentType, &str)] = &[
    (
        cybertip::IncidentType::OnlineEnticement,
        "An adult on a game site keeps asking my child for photos and to meet in person.",
    ),
    (
        cybertip::IncidentType::OnlineEnticement,
        "Someone messaged my niece offering gifts and asked her not to tell her parents.",
    ),
    (
        cybertip::IncidentType::ChildSexTrafficking,
        "A car drops off different teenagers at the apartment next door late at night.",
    ),
    (
        cybertip::IncidentType::UnsolicitedObsceneMaterial,
        "My son received inappropriate pictures from an account he does not know.",
    ),
    (
        cybertip::IncidentType::MisleadingDomainName,
        "A website with a cartoon name sends children to an adult page.",
    ),
];

fn background(r: &mut R, world: &World, n: usize) -> (TipRecord, RecordTruth) {
    let tid = id("tip", n);
    let day = r.gen_range(WORLD_START..=WORLD_END);
    let city = r.gen_range(0..CITIES.len());
    let f = filed(r, world, &tid, day, city);
    let (incident, text) = CONCERNS[r.gen_range(0..CONCERNS.len())];
    let mut persons = f.persons;
    let mut handles = Vec::new();
    let mut people = Vec::new();
    if chance(r, 0.6) {
        let h = util::handle(r);
        handles.push(h.clone());
        persons.push(format!("bg-{tid}-1"));
        people.push(TipPerson {
            role: pick(r, &["adult", "unknown"]).to_string(),
            name: None,
            age: None,
            phone: None,
            email: None,
            screen_names: vec![h],
        });
    }
    let rec = TipRecord {
        id: tid.clone(),
        submitted_at: f.submitted_at,
        incident_type: incident.as_xsd_str().to_string(),
        when: when(r, day),
        city: chance(r, 0.8).then(|| CITIES[city].name.to_string()),
        state: chance(r, 0.8).then(|| CITIES[city].state.to_string()),
        country: "US".to_string(),
        narrative: text.to_string(),
        people,
        urls: Vec::new(),
        reporter: f.reporter,
    };
    let truth = RecordTruth {
        record: tid,
        kind: "tip".to_string(),
        persons,
        network: None,
        network_kind: None,
        missing_children: Vec::new(),
        template: None,
        phones: f.phones,
        emails: f.emails,
        handles,
    };
    (rec, truth)
}
