//! What linking reads from each kind of record: the identifiers it carries (normalised the
//! way the `link` engine compares them), the children it is about (as person records for
//! probabilistic matching) and, for ads, the text whose template is compared.
//!
//! Deliberately left out: the reporter of a report (a member of the public or a
//! provider's employee: linking through them would expose who reported, and says nothing
//! about the child) and a case's caseworker (a professional with many cases).

use casework::{CaseRecord, CustodyRecord};
use cybertip::{Person, Report};
use extract::{EntityKind, Extractor};
use link::{Date, PersonRecord, Sex};

/// One identifier found on a record: kind (`phone`, `email`, `handle`, `device`, `ip`,
/// `url`), normalised value, and when the record says it was seen (microseconds).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Sighting {
    pub kind: &'static str,
    pub value: String,
    pub seen_at: Option<i64>,
}

/// A child a record is about, for person matching.
#[derive(Debug, Clone)]
pub struct Child {
    pub person: PersonRecord,
    /// Name and age as people read them ("Jane Doe, 15").
    pub label: String,
}

#[derive(Default)]
pub struct Sightings(Vec<Sighting>);

impl Sightings {
    fn push(&mut self, kind: &'static str, value: Option<String>, seen_at: Option<i64>) {
        if let Some(value) = value.filter(|v| !v.is_empty() && v.len() <= 512) {
            self.0.push(Sighting {
                kind,
                value,
                seen_at,
            });
        }
    }

    pub fn phone(&mut self, raw: &str) {
        self.push("phone", link::normalize::phone(raw), None);
    }

    pub fn email(&mut self, raw: &str) {
        self.push("email", link::normalize::email(raw), None);
    }

    pub fn handle(&mut self, raw: &str) {
        // A handle with spaces is a display name, which says little.
        let h = link::normalize::handle(raw).filter(|h| !h.contains(char::is_whitespace));
        self.push("handle", h, None);
    }

    fn device(&mut self, raw: &str, at: Option<&str>) {
        let v = raw.trim().to_lowercase();
        self.push("device", Some(v), at.and_then(micros));
    }

    fn ip(&mut self, raw: &str, at: Option<&str>) {
        let v = raw.trim().to_lowercase();
        self.push("ip", Some(v), at.and_then(micros));
    }

    pub fn url(&mut self, raw: &str) {
        self.push("url", url(raw), None);
    }

    /// Phones, emails, handles and web addresses in free text.
    pub fn text(&mut self, x: &Extractor, text: &str) {
        for e in x.extract(text) {
            match e.kind {
                EntityKind::Phone => self.phone(&e.value),
                EntityKind::Email => self.email(&e.value),
                EntityKind::Handle => self.handle(&e.value),
                EntityKind::Url => self.url(&e.value),
                _ => {}
            }
        }
    }

    fn person(&mut self, p: &Person) {
        p.phones.iter().for_each(|ph| self.phone(&ph.number));
        p.emails.iter().for_each(|e| self.email(&e.address));
    }

    /// Distinct (kind, value), each with its earliest time.
    pub fn finish(mut self) -> Vec<Sighting> {
        self.0.sort_by(|a, b| {
            (a.kind, &a.value)
                .cmp(&(b.kind, &b.value))
                .then(match (a.seen_at, b.seen_at) {
                    (Some(x), Some(y)) => x.cmp(&y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                })
        });
        self.0
            .dedup_by(|b, a| a.kind == b.kind && a.value == b.value);
        self.0
    }
}

/// A web address as an identifier: scheme and host lower-cased, `www.`, the fragment and
/// a trailing slash dropped, so the same page written two ways is one value.
pub fn url(raw: &str) -> Option<String> {
    let t = raw.trim();
    let (scheme, rest) = match t.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("http".to_owned(), t),
    };
    let rest = rest.split('#').next().unwrap_or_default();
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    if host.is_empty() || !host.contains('.') {
        return None;
    }
    let scheme = if scheme == "https" { "http" } else { &scheme };
    let path = path.trim_end_matches('/');
    Some(format!("{scheme}://{host}{path}"))
}

/// An `xs:dateTime` or RFC 3339 time in UTC microseconds; a time without a zone is read
/// as UTC.
pub fn micros(s: &str) -> Option<i64> {
    use time::format_description::well_known::Rfc3339;
    let s = s.trim();
    let t = time::OffsetDateTime::parse(s, &Rfc3339)
        .or_else(|_| time::OffsetDateTime::parse(&format!("{s}Z"), &Rfc3339))
        .ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1000).ok()
}

/// The `YYYY-MM-DD` at the start of a date or time.
pub fn day(s: &str) -> Option<Date> {
    let b = s.trim().as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u16> {
        std::str::from_utf8(&b[r]).ok()?.parse().ok()
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    (1..=12).contains(&m).then_some(())?;
    (1..=31).contains(&d).then_some(())?;
    Some(Date::new(y, m as u8, d as u8))
}

fn text_of(t: &Option<String>) -> Option<&str> {
    t.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// Everything a report says about the people involved (victims, reported persons,
/// intended recipients) and the channels of the incident, plus what its free texts name.
/// `followups` are the texts a tipster added later (issue 24), read like the report's own.
pub fn report_sightings(
    r: &Report,
    followups: &[String],
    source: &str,
    x: &Extractor,
) -> Vec<Sighting> {
    let mut s = Sightings::default();
    // In a public tip (and a hotline call, taken on the same form) the display names hold
    // the other screen names the person typed; a provider's display names are display names.
    let display_are_handles = matches!(source, "public" | "hotline-call");
    macro_rules! account {
        ($a:expr) => {{
            let a = $a;
            if let Some(h) = &a.screen_name {
                s.handle(h);
            }
            if display_are_handles {
                a.display_names.iter().for_each(|h| s.handle(h));
            }
            a.profile_urls.iter().for_each(|u| s.url(u));
            for e in &a.ip_capture_events {
                s.ip(&e.ip_address, e.date_time.as_ref().map(|d| d.as_str()));
            }
            for d in &a.device_ids {
                s.device(&d.id_value, d.date_time.as_ref().map(|d| d.as_str()));
            }
        }};
    }
    for v in &r.victims {
        s.person(&v.person);
        account!(v);
        for acc in &v.associated_accounts {
            acc.phones.iter().for_each(|p| s.phone(&p.number));
            acc.emails.iter().for_each(|e| s.email(&e.address));
            account!(acc);
        }
    }
    for p in &r.persons_or_users_reported {
        if let Some(person) = &p.person {
            s.person(person);
        }
        account!(p);
        for acc in &p.associated_accounts {
            acc.phones.iter().for_each(|ph| s.phone(&ph.number));
            acc.emails.iter().for_each(|e| s.email(&e.address));
            account!(acc);
        }
    }
    for p in &r.intended_recipients {
        if let Some(person) = &p.person {
            s.person(person);
        }
        account!(p);
    }
    for d in &r.internet_details {
        use cybertip::InternetDetails as D;
        match d {
            D::WebPage(w) => w.urls.iter().for_each(|u| s.url(u)),
            D::Email(e) => e.email_addresses.iter().for_each(|a| s.email(&a.address)),
            D::Newsgroup(n) => n.email_addresses.iter().for_each(|a| s.email(&a.address)),
            D::CellPhone(c) => {
                if let Some(p) = &c.phone_number {
                    s.phone(&p.number);
                }
            }
            D::PeerToPeer(p) => {
                for e in &p.ip_capture_events {
                    s.ip(&e.ip_address, e.date_time.as_ref().map(|d| d.as_str()));
                }
            }
            D::ChatIm(_) | D::OnlineGaming(_) | D::NonInternet(_) => {}
        }
    }
    for (_, text) in crate::queue::assess::report_texts_with(r, followups) {
        s.text(x, &text);
    }
    s.finish()
}

fn age_u8(a: Option<i32>) -> Option<u8> {
    a.and_then(|a| u8::try_from(a).ok()).filter(|a| *a <= 25)
}

fn label(first: Option<&str>, last: Option<&str>, age: Option<u8>, dob: Option<Date>) -> String {
    let mut name: Vec<&str> = Vec::new();
    name.extend(first.map(str::trim).filter(|s| !s.is_empty()));
    name.extend(last.map(str::trim).filter(|s| !s.is_empty()));
    let mut l = if name.is_empty() {
        "unnamed".to_owned()
    } else {
        name.join(" ")
    };
    if let Some(d) = dob {
        l.push_str(&format!(", born {:04}-{:02}-{:02}", d.year, d.month, d.day));
    } else if let Some(a) = age {
        l.push_str(&format!(", {a}"));
    }
    l
}

/// The children a report names (its victims with a name): name, age or date of birth,
/// where they are, and their own phones, emails and handles.
pub fn report_children(r: &Report) -> Vec<Child> {
    let recorded = day(r.incident_summary.incident_date_time.as_str());
    // Where it happened, for a child whose own address is not given.
    let incident_place = r.internet_details.iter().find_map(|d| match d {
        cybertip::InternetDetails::NonInternet(n) => n.incident_addresses.first(),
        _ => None,
    });
    let mut out = Vec::new();
    for v in &r.victims {
        let p = &v.person;
        let first = text_of(&p.first_name);
        let last = text_of(&p.last_name);
        if first.is_none() && last.is_none() {
            continue;
        }
        let dob = p.date_of_birth.as_ref().and_then(|d| day(d.as_str()));
        let age = age_u8(p.age);
        let mut rec = PersonRecord {
            id: String::new(),
            first_name: first.map(str::to_owned),
            last_name: last.map(str::to_owned),
            dob,
            age,
            recorded,
            phones: p.phones.iter().map(|x| x.number.clone()).collect(),
            emails: p.emails.iter().map(|x| x.address.clone()).collect(),
            handles: v.screen_name.iter().cloned().collect(),
            ..PersonRecord::default()
        };
        if let Some(a) = p.addresses.first().or(incident_place) {
            rec.address = a.address.clone();
            rec.city = a.city.clone();
            rec.state = a.state.as_ref().map(|s| s.as_str().to_owned());
            rec.postcode = a.zip_code.clone();
        } else if let Some(e) = &v.estimated_location {
            rec.city = e.city.clone();
            rec.state = e.region.clone();
        }
        out.push(Child {
            label: label(first, last, age, dob),
            person: rec,
        });
    }
    out
}

/// The child's and the guardians' contacts; not the caseworker's.
pub fn case_sightings(c: &CaseRecord) -> Vec<Sighting> {
    let mut s = Sightings::default();
    if let Some(p) = &c.child.phone {
        s.phone(p);
    }
    if let Some(e) = &c.child.email {
        s.email(e);
    }
    c.child.screen_names.iter().for_each(|h| s.handle(h));
    if let Some(p) = &c.contact_phone {
        s.phone(p);
    }
    if let Some(CustodyRecord::Guardians { guardians }) = &c.custody {
        for g in guardians {
            if let Some(p) = &g.phone {
                s.phone(p);
            }
            if let Some(e) = &g.email {
                s.email(e);
            }
        }
    }
    s.finish()
}

/// The missing child of a case, placed where last seen most recently.
pub fn case_child(c: &CaseRecord) -> Child {
    let ch = &c.child;
    let dob = ch.date_of_birth.as_deref().and_then(day);
    let age = ch.age.and_then(|a| u8::try_from(a).ok());
    let last_seen = c.episodes.last();
    let person = PersonRecord {
        id: String::new(),
        first_name: Some(ch.first_name.clone()).filter(|f| !f.trim().is_empty()),
        last_name: ch.last_name.clone(),
        aliases: ch.nickname.iter().chain(&ch.aliases).cloned().collect(),
        dob,
        age,
        // The age is given at the first episode.
        recorded: c.episodes.first().and_then(|e| day(&e.reported)),
        // A sex the record cannot say is left out of matching, not a reason to skip the child.
        sex: match c.sex() {
            Ok(Some(casework::Sex::Female)) => Some(Sex::Female),
            Ok(Some(casework::Sex::Male)) => Some(Sex::Male),
            Ok(None) | Err(_) => None,
        },
        phones: ch.phone.iter().cloned().collect(),
        emails: ch.email.iter().cloned().collect(),
        handles: ch.screen_names.clone(),
        city: last_seen.map(|e| e.last_seen_city.clone()),
        state: last_seen.map(|e| e.last_seen_state.clone()),
        ..PersonRecord::default()
    };
    Child {
        label: label(Some(&ch.first_name), ch.last_name.as_deref(), age, dob),
        person,
    }
}

/// An ad's identifiers: its own address and what its text names.
pub fn ad_sightings(url_: &str, title: &str, body: &str, x: &Extractor) -> Vec<Sighting> {
    let mut s = Sightings::default();
    s.url(url_);
    s.text(x, title);
    s.text(x, body);
    s.finish()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn urls_written_two_ways_are_one_value() {
        assert_eq!(
            url("HTTPS://www.Example.com/ad/12/").as_deref(),
            Some("http://example.com/ad/12")
        );
        assert_eq!(
            url("example.com/ad/12#top").as_deref(),
            Some("http://example.com/ad/12")
        );
        assert_eq!(url("not a url"), None);
    }

    #[test]
    fn times_and_days() {
        assert_eq!(micros("1970-01-01T00:00:01Z"), Some(1_000_000));
        assert_eq!(micros("1970-01-01T00:00:01"), Some(1_000_000));
        assert_eq!(day("2024-05-01T13:45:00Z"), Some(Date::new(2024, 5, 1)));
        assert_eq!(day("around"), None);
    }

    #[test]
    fn an_ad_names_its_phone_email_handle_and_address() {
        let x = Extractor::new();
        let s = ad_sightings(
            "https://ads.example/ad/1",
            "New in town",
            "call 212-555-0147 or jane [at] example [dot] com, snap @jane_x",
            &x,
        );
        let kinds: Vec<(&str, &str)> = s.iter().map(|s| (s.kind, s.value.as_str())).collect();
        assert!(kinds.contains(&("phone", "+12125550147")), "{kinds:?}");
        assert!(kinds.contains(&("email", "jane@example.com")), "{kinds:?}");
        assert!(kinds.contains(&("handle", "jane_x")), "{kinds:?}");
        assert!(
            kinds.contains(&("url", "http://ads.example/ad/1")),
            "{kinds:?}"
        );
    }

    #[test]
    fn a_case_gives_its_child_and_states() {
        let c = CaseRecord::from_json(
            r#"{"case_id":"c1","child":{"first_name":"Jane","last_name":"Doe","nickname":"JJ","aliases":["Lady J"],"sex":"female","age":15,"phone":"212-555-0147"},
               "circumstance":"endangered_runaway","missing_from_care":true,
               "custody":{"kind":"guardians","guardians":[{"name":"A","relation":"mother","phone":"212-555-0100"}]},
               "episodes":[{"reported":"2024-01-02","last_seen":"2024-01-01","last_seen_city":"Reno","last_seen_state":"NV","circumstance":"endangered_runaway","recovery_state":"CA"}]}"#,
        )
        .unwrap();
        assert_eq!(c.states(), vec!["NV", "CA"]);
        let child = case_child(&c);
        assert_eq!(child.label, "Jane Doe, 15");
        assert_eq!(child.person.aliases, vec!["JJ", "Lady J"]);
        assert_eq!(child.person.state.as_deref(), Some("NV"));
        assert_eq!(child.person.recorded, Some(Date::new(2024, 1, 2)));
        let s = case_sightings(&c);
        assert_eq!(s.len(), 2);
    }
}
