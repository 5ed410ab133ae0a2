//! Provider reports (`reports/NNN/ID.xml`), built as `cybertip::Report` values so that every
//! document is written by the project's own schema-valid exporter.
//!
//! Three sources, as in real intake: reports about a network's account that advertises or
//! contacts a trafficked child (the signal), reports where a missing child who is not trafficked
//! is contacted by a stranger, and a large background of unrelated reports about one-off users.
//! Providers know accounts better than people, so names are often missing or given as a
//! nickname, a victim's age replaces the birth date, and some users log in from a public
//! library's address that many unrelated users share.

use cybertip::{
    ChatImIncident, DeviceId, Email, EstimatedLocation, IncidentSummary, IncidentType,
    InternetDetails, IpCaptureEvent, IpCaptureType, Person, PersonOrUserReported, Phone, PhoneType,
    Report, Reporter, Victim, WebPageIncident, XsDate, XsDateTime,
};
use rand::Rng;

use crate::data::{CITIES, FIRST_F, FIRST_M, PLATFORMS};
use crate::date::{self, Day, WORLD_END, WORLD_START};
use crate::error::SynthError;
use crate::noise::name_as_written;
use crate::records::{NetworkKind, RecordTruth};
use crate::util::{self, chance, e164, id, pick, weighted, R};
use crate::world::{Name, PhoneBook, World};

/// Which of the three sources report `n` is drawn from, by share.
const SHARE_TRAFFICKING: f64 = 0.12;
const SHARE_MISSING: f64 = 0.05;

fn datetime(day: Day, r: &mut R) -> Result<XsDateTime, SynthError> {
    let s = date::iso_time(day, r.gen_range(0..86_400));
    XsDateTime::parse(&s).ok_or_else(|| SynthError::Internal {
        what: "a report".to_string(),
        detail: format!("cybertip rejected the date-time {s:?}"),
    })
}

/// A phone as a provider's records give it: E.164, or national digits with the calling code
/// as an attribute, or as the user typed it.
fn phone(r: &mut R, n: u64) -> Phone {
    let (number, cc) = match r.gen_range(0..3) {
        0 => (e164(n), None),
        1 => (n.to_string(), Some("+1".to_string())),
        _ => (util::dashed(n), None),
    };
    Phone {
        number,
        phone_type: chance(r, 0.6).then_some(PhoneType::Mobile),
        verified: chance(r, 0.3).then(|| chance(r, 0.7)),
        country_calling_code: cc,
        ..Phone::default()
    }
}

/// With probability `p` a public library's address (shared by many unrelated users, never a
/// link), else a fresh one.
fn library_ip(r: &mut R, world: &World, p: f64) -> String {
    if !world.library_ips.is_empty() && chance(r, p) {
        world.library_ips[r.gen_range(0..world.library_ips.len())].clone()
    } else {
        util::ip(r)
    }
}

fn email(address: &str) -> Email {
    Email {
        address: address.to_string(),
        ..Email::default()
    }
}

fn ip_event(r: &mut R, ip: String, day: Day) -> Result<IpCaptureEvent, SynthError> {
    Ok(IpCaptureEvent {
        ip_address: ip,
        event_name: Some(pick(
            r,
            &[
                IpCaptureType::Login,
                IpCaptureType::Login,
                IpCaptureType::Registration,
                IpCaptureType::Upload,
            ],
        )),
        date_time: Some(datetime(day, r)?),
        ..IpCaptureEvent::default()
    })
}

fn location(r: &mut R, city: usize) -> Option<EstimatedLocation> {
    chance(r, 0.6).then(|| EstimatedLocation {
        city: Some(CITIES[city].name.to_string()),
        region: Some(CITIES[city].state.to_string()),
        country_code: cybertip::CountryCode::parse("US"),
        ..EstimatedLocation::default()
    })
}

fn reporter(r: &mut R, platform: &str, domain: &str) -> Reporter {
    Reporter {
        reporting_person: Person {
            last_name: Some(format!("{platform} Trust and Safety")),
            emails: vec![email(&format!("safety@{domain}"))],
            ..Person::default()
        },
        company_template: chance(r, 0.5).then(|| {
            format!("{platform} keeps account records for 90 days. Legal process: legal@{domain}.")
        }),
        ..Reporter::default()
    }
}

/// A child as a provider knows them: the name they gave (often a nickname or a made-up one),
/// an age in place of the birth date, and the child's own account details.
fn child_person(r: &mut R, name: Name, alias: &str, dob: Day, day: Day) -> Person {
    let (first, last) = match r.gen_range(0..10) {
        0..=3 => name_as_written(r, name.first, name.last),
        4..=6 => (Some(alias.to_string()), None),
        _ => (None, None),
    };
    let (age, date_of_birth) = match r.gen_range(0..10) {
        0..=4 => (Some(date::age_on(dob, day)), None),
        // Children give an older age online; a provider repeats it.
        5 => (Some(date::age_on(dob, day) + r.gen_range(1..=3)), None),
        6..=7 => (None, XsDate::parse(&date::iso(dob))),
        _ => (None, None),
    };
    Person {
        first_name: first,
        last_name: last,
        age,
        date_of_birth,
        ..Person::default()
    }
}

/// Report `n`, its id `report-NNNNNNN`.
pub fn report(
    r: &mut R,
    world: &World,
    n: usize,
) -> Result<(cybertip::Report, RecordTruth), SynthError> {
    let x: f64 = r.gen();
    if x < SHARE_TRAFFICKING {
        if let Some(m) = world.victim_moment(r) {
            return trafficking(r, world, n, m);
        }
    } else if x < SHARE_TRAFFICKING + SHARE_MISSING {
        if let Some(m) = world.missing_moment(r) {
            return missing(r, world, n, m);
        }
    }
    background(r, world, n)
}

fn trafficking(
    r: &mut R,
    world: &World,
    n: usize,
    (ci, _k, day): (usize, usize, Day),
) -> Result<(Report, RecordTruth), SynthError> {
    let child = &world.children[ci];
    let ni = child.network.unwrap_or(0);
    let net = &world.networks[ni];
    let city = net.city_on(day);
    let (platform, domain) = pick(r, PLATFORMS);
    let use_phone = net.phone_on(r, day).map(|p| (p.number, p.holder));
    let holder = use_phone.map_or_else(|| r.gen_range(0..net.offenders.len().max(1)), |p| p.1);
    let offender = net.offenders.get(holder);
    let handle = net
        .handles
        .get(r.gen_range(0..net.handles.len().max(1)))
        .cloned()
        .unwrap_or_else(|| util::handle(r));
    let mut phones = Vec::new();
    let mut emails = Vec::new();
    let mut off_person = Person::default();
    if let Some(o) = offender {
        if chance(r, 0.35) {
            let (f, l) = name_as_written(r, o.name.first, o.name.last);
            off_person.first_name = f;
            off_person.last_name = l;
        }
        if chance(r, 0.2) {
            off_person.age = Some(date::age_on(o.dob, day));
        }
    }
    if let Some((num, _)) = use_phone {
        if chance(r, 0.75) {
            off_person.phones.push(phone(r, num));
            phones.push(e164(num));
        }
    }
    if !net.emails.is_empty() && chance(r, 0.5) {
        let e = &net.emails[r.gen_range(0..net.emails.len())];
        off_person.emails.push(email(e));
        emails.push(e.clone());
    }
    let mut ip_capture_events = Vec::new();
    for _ in 0..r.gen_range(1..=2) {
        let ip = library_ip(r, world, 0.05);
        ip_capture_events.push(ip_event(r, ip, day)?);
    }
    let device_ids = if !net.devices.is_empty() && chance(r, 0.4) {
        vec![DeviceId {
            id_type: "IMEI".to_string(),
            id_value: net.devices[r.gen_range(0..net.devices.len())].clone(),
            event_name: Some(IpCaptureType::Login),
            date_time: Some(datetime(day, r)?),
        }]
    } else {
        Vec::new()
    };
    let profile = format!("https://{domain}/u/{handle}");
    let buyer = net.kind == NetworkKind::BuyerPerpetrated;
    let reported = PersonOrUserReported {
        person: (off_person != Person::default()).then_some(off_person),
        esp_service: Some(platform.to_string()),
        screen_name: Some(handle.clone()),
        profile_urls: vec![profile.clone()],
        ip_capture_events,
        device_ids,
        estimated_location: location(r, city),
        ..PersonOrUserReported::default()
    };
    let mut victim_person = child_person(r, child.name, &child.alias, child.dob, day);
    if let Some(p) = child.phone {
        if chance(r, 0.4) {
            victim_person.phones.push(phone(r, p));
            phones.push(e164(p));
        }
    }
    let mut handles = vec![handle.clone()];
    let victim = Victim {
        person: victim_person,
        screen_name: child.handle.clone().filter(|_| chance(r, 0.6)),
        estimated_location: location(r, city),
        ..Victim::default()
    };
    if let Some(h) = &victim.screen_name {
        handles.push(h.clone());
    }
    let (incident_type, detail) = if buyer {
        (
            pick(
                r,
                &[
                    IncidentType::OnlineEnticement,
                    IncidentType::ChildSexTrafficking,
                ],
            ),
            InternetDetails::ChatIm(ChatImIncident {
                chat_client: Some(platform.to_string()),
                content: Some(
                    "An adult account offered a minor money and a place to stay in exchange \
                     for meeting in person."
                        .to_string(),
                ),
                ..ChatImIncident::default()
            }),
        )
    } else {
        (
            IncidentType::ChildSexTrafficking,
            InternetDetails::WebPage(WebPageIncident {
                urls: vec![profile],
                additional_info: Some(
                    "The account posted advertisements that appear to offer a minor for \
                     commercial sex and manages the minor's messages."
                        .to_string(),
                ),
                ..WebPageIncident::default()
            }),
        )
    };
    let report = Report {
        batched_report: None,
        incident_summary: IncidentSummary {
            incident_type,
            platform: Some(platform.to_string()),
            escalate_to_high_priority: chance(r, 0.3)
                .then(|| "A minor may be in immediate danger.".to_string()),
            report_annotations: None,
            incident_date_time: datetime(day, r)?,
            incident_date_time_description: None,
        },
        internet_details: vec![detail],
        law_enforcement: None,
        reporter: reporter(r, platform, domain),
        persons_or_users_reported: vec![reported],
        intended_recipients: Vec::new(),
        victims: vec![victim],
        additional_info: None,
    };
    let mut persons = Vec::new();
    if let Some(o) = offender {
        persons.push(id("person", o.person));
    }
    persons.push(id("person", child.person));
    let truth = RecordTruth {
        record: id("report", n),
        kind: "report".to_string(),
        persons,
        network: Some(id("net", ni)),
        network_kind: Some(net.kind),
        missing_children: vec![id("case", ci)],
        template: None,
        phones,
        emails,
        handles,
    };
    Ok((report, truth))
}

/// A one-off adult user: a handle, sometimes an email, a phone or a name.
struct Stranger {
    person: Person,
    handle: String,
    ip: String,
    phones: Vec<String>,
    emails: Vec<String>,
}

fn stranger(r: &mut R, world: &World, city: usize) -> Stranger {
    let female = chance(r, 0.15);
    let mut person = Person::default();
    let mut phones = Vec::new();
    let mut emails = Vec::new();
    if chance(r, 0.3) {
        person.first_name = Some(pick(r, if female { FIRST_F } else { FIRST_M }).to_string());
        person.last_name = chance(r, 0.7).then(|| pick(r, crate::data::LAST).to_string());
    }
    if chance(r, 0.4) {
        let e = util::email(r, None);
        person.emails.push(email(&e));
        emails.push(e);
    }
    if chance(r, 0.2) {
        let n = PhoneBook::background(r, city);
        person.phones.push(phone(r, n));
        phones.push(e164(n));
    }
    // A public library's address is shared by every user who logs in from there.
    let ip = library_ip(r, world, 0.04);
    Stranger {
        person,
        handle: util::handle(r),
        ip,
        phones,
        emails,
    }
}

fn missing(
    r: &mut R,
    world: &World,
    n: usize,
    (ci, _k, day): (usize, usize, Day),
) -> Result<(Report, RecordTruth), SynthError> {
    let child = &world.children[ci];
    let city = child
        .missing_on(day)
        .map_or(child.home, |k| child.episodes[k].city);
    let (platform, domain) = pick(r, PLATFORMS);
    let s = stranger(r, world, city);
    let reported = PersonOrUserReported {
        person: (s.person != Person::default()).then(|| s.person.clone()),
        esp_service: Some(platform.to_string()),
        screen_name: Some(s.handle.clone()),
        ip_capture_events: vec![ip_event(r, s.ip.clone(), day)?],
        ..PersonOrUserReported::default()
    };
    let victim = Victim {
        person: child_person(r, child.name, &child.alias, child.dob, day),
        screen_name: child.handle.clone().filter(|_| chance(r, 0.7)),
        estimated_location: location(r, city),
        ..Victim::default()
    };
    let mut handles = vec![s.handle.clone()];
    if let Some(h) = &victim.screen_name {
        handles.push(h.clone());
    }
    let report = Report {
        batched_report: None,
        incident_summary: IncidentSummary {
            incident_type: IncidentType::OnlineEnticement,
            platform: Some(platform.to_string()),
            escalate_to_high_priority: None,
            report_annotations: None,
            incident_date_time: datetime(day, r)?,
            incident_date_time_description: None,
        },
        internet_details: vec![InternetDetails::ChatIm(ChatImIncident {
            chat_client: Some(platform.to_string()),
            content: Some(
                "An adult account asked a minor to meet in person and to keep it secret."
                    .to_string(),
            ),
            ..ChatImIncident::default()
        })],
        law_enforcement: None,
        reporter: reporter(r, platform, domain),
        persons_or_users_reported: vec![reported],
        intended_recipients: Vec::new(),
        victims: vec![victim],
        additional_info: None,
    };
    let rid = id("report", n);
    let truth = RecordTruth {
        persons: vec![format!("bg-{rid}-1"), id("person", child.person)],
        record: rid,
        kind: "report".to_string(),
        network: None,
        network_kind: None,
        missing_children: vec![id("case", ci)],
        template: None,
        phones: s.phones,
        emails: s.emails,
        handles,
    };
    Ok((report, truth))
}

const BACKGROUND: &[(IncidentType, &str)] = &[
    (
        IncidentType::OnlineEnticement,
        "An adult account sent a minor repeated messages asking to meet.",
    ),
    (
        IncidentType::UnsolicitedObsceneMaterial,
        "An account sent inappropriate material to a minor who did not ask for it.",
    ),
    (
        IncidentType::ChildPornography,
        "An uploaded file matched a hash on an industry list; the file was removed.",
    ),
    (
        IncidentType::MisleadingDomainName,
        "A domain name imitating a children's site redirected to adult content.",
    ),
    (
        IncidentType::MisleadingWordsOrImages,
        "A page used cartoon characters to lead children to inappropriate content.",
    ),
    (
        IncidentType::ChildSexualMolestation,
        "A user disclosed in a chat that an adult relative had abused them.",
    ),
    (
        IncidentType::ChildSexTrafficking,
        "A post appeared to offer a young person for commercial sex; no other details.",
    ),
];

fn background(r: &mut R, world: &World, n: usize) -> Result<(Report, RecordTruth), SynthError> {
    let (incident_type, text) = BACKGROUND[weighted(r, &[0.3, 0.15, 0.3, 0.04, 0.04, 0.07, 0.1])];
    let day = r.gen_range(WORLD_START..=WORLD_END);
    let city = r.gen_range(0..CITIES.len());
    let (platform, domain) = pick(r, PLATFORMS);
    let s = stranger(r, world, city);
    let rid = id("report", n);
    let reported = PersonOrUserReported {
        person: (s.person != Person::default()).then(|| s.person.clone()),
        esp_service: Some(platform.to_string()),
        screen_name: Some(s.handle.clone()),
        ip_capture_events: vec![ip_event(r, s.ip.clone(), day)?],
        estimated_location: location(r, city),
        ..PersonOrUserReported::default()
    };
    let mut persons = vec![format!("bg-{rid}-1")];
    let mut victims = Vec::new();
    if chance(r, 0.5) {
        // Background victims are known by an age at most.
        victims.push(Victim {
            person: Person {
                age: chance(r, 0.7).then(|| r.gen_range(10..=17)),
                ..Person::default()
            },
            screen_name: chance(r, 0.5).then(|| util::handle(r)),
            ..Victim::default()
        });
        persons.push(format!("bg-{rid}-2"));
    }
    let mut handles = vec![s.handle.clone()];
    handles.extend(victims.iter().filter_map(|v| v.screen_name.clone()));
    let detail = if chance(r, 0.5) {
        InternetDetails::ChatIm(ChatImIncident {
            chat_client: Some(platform.to_string()),
            content: Some(text.to_string()),
            ..ChatImIncident::default()
        })
    } else {
        InternetDetails::WebPage(WebPageIncident {
            urls: vec![format!("https://{domain}/u/{}", s.handle)],
            additional_info: Some(text.to_string()),
            ..WebPageIncident::default()
        })
    };
    let report = Report {
        batched_report: None,
        incident_summary: IncidentSummary {
            incident_type,
            platform: Some(platform.to_string()),
            escalate_to_high_priority: None,
            report_annotations: None,
            incident_date_time: datetime(day, r)?,
            incident_date_time_description: None,
        },
        internet_details: vec![detail],
        law_enforcement: None,
        reporter: reporter(r, platform, domain),
        persons_or_users_reported: vec![reported],
        intended_recipients: Vec::new(),
        victims,
        additional_info: None,
    };
    let truth = RecordTruth {
        record: rid,
        kind: "report".to_string(),
        persons,
        network: None,
        network_kind: None,
        missing_children: Vec::new(),
        template: None,
        phones: s.phones,
        emails: s.emails,
        handles,
    };
    Ok((report, truth))
}
