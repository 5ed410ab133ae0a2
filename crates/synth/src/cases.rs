//! Missing-child case records: the child as the case file writes them, custody, and episodes,
//! with the data-entry noise of real case files (typos, swapped names, age without a birth date,
//! a shelter's hotline as the contact number).

use rand::Rng;

use crate::data::{nicknames, CITIES};
use crate::date::{self, iso};
use crate::noise::typo;
use crate::records::{
    CaseRecord, ChildRecord, Contact, CustodyRecord, EpisodeRecord, Guardian, RecordTruth,
};
use crate::util::{chance, dashed, e164, id, pick, R};
use crate::world::{self, Child, World};

/// A phone number as typed into a form field (formats vary, never obfuscated).
pub fn typed_phone(r: &mut R, n: u64) -> String {
    let d = dashed(n);
    match r.gen_range(0..6) {
        0 => format!("({}) {}", &d[..3], &d[4..]),
        1 => d.replace('-', "."),
        2 => d.replace('-', ""),
        3 => format!("+1 {}", d.replace('-', " ")),
        _ => d,
    }
}

/// The case file of child `ci`, and its truth.
pub fn case(r: &mut R, world: &World, ci: usize) -> (CaseRecord, RecordTruth) {
    let c: &Child = &world.children[ci];
    let mut phones = Vec::new();
    let mut emails = Vec::new();
    let mut handles = Vec::new();
    let mut persons = vec![id("person", c.person)];

    let mut first = c.name.first.to_string();
    let mut last = Some(c.name.last.to_string());
    if chance(r, 0.03) {
        first = typo(r, &first);
    }
    if chance(r, 0.03) {
        last = Some(typo(r, c.name.last));
    }
    if chance(r, 0.02) {
        // Swapped in data entry.
        last = Some(std::mem::replace(&mut first, c.name.last.to_string()));
    }
    if chance(r, 0.02) {
        last = None;
    }
    let nicks = nicknames(c.name.first);
    let nickname = (!nicks.is_empty() && chance(r, 0.3)).then(|| pick(r, nicks).to_string());
    let first_day = c.episodes.first().map_or(date::WORLD_START, |e| e.reported);
    let (date_of_birth, age) = if chance(r, 0.12) {
        (None, Some(date::age_on(c.dob, first_day).max(0) as u32))
    } else {
        (Some(iso(c.dob)), None)
    };
    let phone = c.phone.map(|n| {
        phones.push(e164(n));
        typed_phone(r, n)
    });
    if let Some(h) = &c.handle {
        handles.push(h.clone());
    }
    if let Some(e) = &c.email {
        emails.push(e.clone());
    }
    let child = ChildRecord {
        first_name: first,
        last_name: last,
        nickname,
        aliases: Vec::new(),
        sex: world::sex(c.female).to_string(),
        date_of_birth,
        age,
        phone,
        screen_names: c.handle.iter().cloned().collect(),
        email: c.email.clone(),
    };
    let custody = match &c.custody {
        world::Custody::Guardians(gs) => CustodyRecord::Guardians {
            guardians: gs
                .iter()
                .map(|g| {
                    persons.push(id("person", g.person));
                    if let Some(n) = g.phone {
                        phones.push(e164(n));
                    }
                    if let Some(e) = &g.email {
                        emails.push(e.clone());
                    }
                    Guardian {
                        name: g.name.full(),
                        relation: g.relation.to_string(),
                        phone: g.phone.map(|n| typed_phone(r, n)),
                        email: g.email.clone(),
                    }
                })
                .collect(),
        },
        world::Custody::Agency {
            agency,
            group_home,
            caseworker,
            caseworker_name,
            phone,
            email,
        } => {
            persons.push(id("person", *caseworker));
            phones.push(e164(*phone));
            emails.push(email.clone());
            CustodyRecord::Agency {
                agency: agency.clone(),
                placement: if *group_home {
                    "group home"
                } else {
                    "foster home"
                }
                .to_string(),
                caseworker: Contact {
                    name: caseworker_name.full(),
                    phone: Some(typed_phone(r, *phone)),
                    email: Some(email.clone()),
                },
            }
        }
    };
    let contact_phone = c.shelter.map(|s| {
        let n = world.shelters[s].phone;
        phones.push(e164(n));
        typed_phone(r, n)
    });
    let episodes = c
        .episodes
        .iter()
        .map(|e| {
            let sloppy = chance(r, 0.05);
            EpisodeRecord {
                reported: iso(e.reported),
                last_seen: iso(e.last_seen),
                last_seen_city: CITIES[e.city].name.to_string(),
                last_seen_state: CITIES[e.city].state.to_string(),
                circumstance: Some(c.circumstance),
                recovered: e.recovered.map(|(d, _)| iso(d)),
                recovery_city: e
                    .recovered
                    .filter(|_| !sloppy)
                    .map(|(_, p)| CITIES[p].name.to_string()),
                recovery_state: e
                    .recovered
                    .filter(|_| !sloppy)
                    .map(|(_, p)| CITIES[p].state.to_string()),
            }
        })
        .collect();
    let case_id = id("case", ci);
    let rec = CaseRecord {
        case_id: case_id.clone(),
        child,
        circumstance: c.circumstance,
        missing_from_care: c.in_care(),
        custody: Some(custody),
        contact_phone,
        episodes,
    };
    let truth = RecordTruth {
        record: case_id.clone(),
        kind: "case".to_string(),
        persons,
        network: c.network.map(|n| id("net", n)),
        network_kind: c.network.map(|n| world.networks[n].kind),
        missing_children: vec![case_id],
        template: None,
        phones,
        emails,
        handles,
    };
    (rec, truth)
}
