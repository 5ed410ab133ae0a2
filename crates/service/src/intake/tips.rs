//! The public tip form: anyone, without an account and possibly anonymous, tells the hotline
//! what they saw. A tip is stored in the same report model as a provider's report (so the
//! analysts' list, search and export treat both alike) and is finished at once.
//!
//! Spam resistance needs no third party: a per-address rate limit ([`TipLimiter`]) and a
//! honeypot field are checked by the caller before [`Services::submit_tip`].

use crate::audit::{audited, By};
use crate::error::ServiceError;
use crate::Services;
use cybertip::{
    Address, CountryCode, Email, IncidentType, InternetDetails, NonInternetIncident, Person,
    PersonOrUserReported, Phone, Report, Reporter, UsState, Victim, WebPageIncident, XsDateTime,
};
use domain::tip::WhenGiven;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use store::reports::{self, NewReport, ReportState};

/// Longest free text we accept in one field; a tip is a few paragraphs, not a file. With
/// the other fields' limits a whole form stays under the web layer's form limit.
pub const MAX_TEXT: usize = 20_000;
const MAX_DESCRIPTION: usize = 10_000;
const MAX_SHORT: usize = 200;

/// What the form sends. Every field is text as typed; [`Services::submit_tip`] checks it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct TipForm {
    pub incident_type: String,
    /// `YYYY-MM-DD`, optional.
    pub incident_date: String,
    /// `HH:MM`, optional.
    pub incident_time: String,
    pub city: String,
    /// A US state code, optional.
    pub state: String,
    /// A country code; empty means the United States.
    pub country: String,
    pub what_happened: String,
    pub child_name: String,
    pub child_age: String,
    pub child_phone: String,
    pub child_email: String,
    pub child_screen_names: String,
    pub child_description: String,
    pub other_name: String,
    pub other_age: String,
    pub other_phone: String,
    pub other_email: String,
    pub other_screen_names: String,
    pub other_description: String,
    /// Web addresses, one per line.
    pub urls: String,
    /// "on" when the reporter chose to stay anonymous.
    pub anonymous: String,
    pub reporter_name: String,
    pub reporter_email: String,
    pub reporter_phone: String,
}

/// A field of the form: its name in the form (which the page turns into the input's id)
/// and the words people know it by.
pub type Field = (&'static str, &'static str);

/// One problem with what was typed, named so the person can fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The form's field name (`child_age`).
    pub field: &'static str,
    /// The field as people know it ("Child's age").
    pub label: &'static str,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.label, self.message)
    }
}

/// Why a tip was not stored: every problem with what was typed (so the page lists them all
/// at once), or a failure of ours.
#[derive(Debug, thiserror::Error)]
pub enum TipError {
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Problem>),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<store::StoreError> for TipError {
    fn from(e: store::StoreError) -> Self {
        TipError::Service(e.into())
    }
}

fn invalid(field: Field, message: impl Into<String>) -> Problem {
    Problem {
        field: field.0,
        label: field.1,
        message: message.into(),
    }
}

/// Collects every problem while the form is read, so one answer names them all.
#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    /// The value, or its default with the problem noted.
    fn keep<T: Default>(&mut self, r: Result<T, Problem>) -> T {
        r.unwrap_or_else(|p| {
            self.0.push(p);
            T::default()
        })
    }
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn checked(field: Field, s: &str, max: usize) -> Result<Option<String>, Problem> {
    match opt(s) {
        Some(t) if t.chars().count() > max => Err(invalid(
            field,
            format!("longer than {max} characters; please shorten it"),
        )),
        other => Ok(other),
    }
}

fn age(field: Field, s: &str) -> Result<Option<i32>, Problem> {
    match opt(s) {
        None => Ok(None),
        Some(t) => match t.parse::<i32>() {
            Ok(n) if (0..=120).contains(&n) => Ok(Some(n)),
            _ => Err(invalid(
                field,
                "give the age as a whole number of years (a guess is fine), or leave it empty",
            )),
        },
    }
}

fn email(field: Field, s: &str) -> Result<Vec<Email>, Problem> {
    let Some(t) = checked(field, s, MAX_SHORT)? else {
        return Ok(Vec::new());
    };
    if !t.contains('@') || t.contains(char::is_whitespace) {
        return Err(invalid(
            field,
            "this does not look like an email address (name@example.org)",
        ));
    }
    Ok(vec![Email {
        address: t,
        ..Email::default()
    }])
}

fn phone(field: Field, s: &str) -> Result<Vec<Phone>, Problem> {
    Ok(checked(field, s, 40)?
        .map(|number| Phone {
            number,
            ..Phone::default()
        })
        .into_iter()
        .collect())
}

/// "First Middle Last" → (first, rest): the schema has two name fields, people type one.
fn split_name(s: Option<String>) -> (Option<String>, Option<String>) {
    match s {
        None => (None, None),
        Some(n) => match n.split_once(char::is_whitespace) {
            Some((f, l)) => (Some(f.to_owned()), opt(l)),
            None => (Some(n), None),
        },
    }
}

/// One person the tip is about, as typed.
struct PersonFields {
    person: Person,
    screen_names: Vec<String>,
    description: Option<String>,
}

impl PersonFields {
    fn is_empty(&self) -> bool {
        self.person == Person::default()
            && self.screen_names.is_empty()
            && self.description.is_none()
    }
}

/// The fields of one person, with what was typed in each.
struct PersonInput<'a> {
    name: (Field, &'a str),
    age: (Field, &'a str),
    phone: (Field, &'a str),
    email: (Field, &'a str),
    screen_names: (Field, &'a str),
    description: (Field, &'a str),
}

fn person(p: &mut Problems, f: PersonInput<'_>) -> PersonFields {
    let (first_name, last_name) = split_name(p.keep(checked(f.name.0, f.name.1, MAX_SHORT)));
    let screen_names: Vec<String> = p
        .keep(checked(f.screen_names.0, f.screen_names.1, MAX_SHORT * 5))
        .map(|s| {
            s.split([',', '\n'])
                .filter_map(opt)
                .map(|n| n.chars().take(MAX_SHORT).collect())
                .collect()
        })
        .unwrap_or_default();
    PersonFields {
        person: Person {
            first_name,
            last_name,
            phones: p.keep(phone(f.phone.0, f.phone.1)),
            emails: p.keep(email(f.email.0, f.email.1)),
            age: p.keep(age(f.age.0, f.age.1)),
            ..Person::default()
        },
        screen_names,
        description: p.keep(checked(f.description.0, f.description.1, MAX_DESCRIPTION)),
    }
}

fn as_victim(f: PersonFields) -> Victim {
    let mut names = f.screen_names.into_iter();
    Victim {
        person: f.person,
        screen_name: names.next(),
        display_names: names.collect(),
        additional_info: f.description,
        ..Victim::default()
    }
}

fn as_reported(f: PersonFields) -> PersonOrUserReported {
    let mut names = f.screen_names.into_iter();
    PersonOrUserReported {
        person: (f.person != Person::default()).then_some(f.person),
        screen_name: names.next(),
        display_names: names.collect(),
        additional_info: f.description,
        ..PersonOrUserReported::default()
    }
}

/// A person a reporter named beyond the form's two: an imported tip may name more. Kept
/// as a person of the report, never folded into the reporter's narrative.
#[derive(Default)]
pub struct NamedPerson {
    pub child: bool,
    pub name: String,
    pub age: String,
    pub phone: String,
    pub email: String,
    /// Separated by commas or new lines, as typed in the form.
    pub screen_names: String,
}

/// Adds `n` to the report as the form would have: a child as a victim, anyone else as a
/// person reported. Checks the fields as the form does.
pub fn add_named_person(report: &mut Report, n: &NamedPerson) -> Result<(), TipError> {
    let mut p = Problems(Vec::new());
    let f = person(
        &mut p,
        PersonInput {
            name: (("name", "Name"), &n.name),
            age: (("age", "Age"), &n.age),
            phone: (("phone", "Phone"), &n.phone),
            email: (("email", "Email"), &n.email),
            screen_names: (("screen_names", "Screen names"), &n.screen_names),
            description: (("description", "Description"), ""),
        },
    );
    if !p.0.is_empty() {
        return Err(TipError::Invalid(p.0));
    }
    if f.is_empty() {
        return Ok(());
    }
    if n.child {
        report.victims.push(as_victim(f));
    } else {
        report.persons_or_users_reported.push(as_reported(f));
    }
    Ok(())
}

/// Formats microseconds since the epoch as an `xs:dateTime` in UTC.
fn xs_now(micros: i64) -> Option<XsDateTime> {
    let t = time::OffsetDateTime::from_unix_timestamp(micros.div_euclid(1_000_000)).ok()?;
    let s = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    XsDateTime::parse(&s)
}

/// Turns the form into a report of the schema and how its reporter said when, or names
/// every field to fix.
pub fn tip_to_report(f: &TipForm, now: i64) -> Result<(Report, WhenGiven), TipError> {
    let mut p = Problems::default();
    let incident_type = IncidentType::from_xsd_str(f.incident_type.trim()).ok_or_else(|| {
        invalid(
            ("incident_type", "What is this about"),
            "choose one of the listed kinds",
        )
    });
    let incident_type = incident_type.map_err(|e| p.0.push(e)).ok();
    const WHAT: Field = ("what_happened", "What happened");
    let what = p.keep(checked(WHAT, &f.what_happened, MAX_TEXT).and_then(|w| {
        w.ok_or_else(|| invalid(WHAT, "tell us in your own words what you saw or know"))
    }));
    // The schema needs a date and a time. What the reporter did not give is filled in
    // (midnight, or when the tip was received) and `WhenGiven` says so beside the report:
    // no words of ours go into the report itself.
    let when = match (opt(&f.incident_date), opt(&f.incident_time)) {
        (Some(d), t) => {
            let given = if t.is_some() {
                WhenGiven::DateAndTime
            } else {
                WhenGiven::DateOnly
            };
            let s = format!("{d}T{}:00", t.as_deref().unwrap_or("00:00"));
            XsDateTime::parse(&s).map(|dt| (dt, given)).ok_or_else(|| {
                invalid(
                    ("incident_date", "When"),
                    "give the date as YYYY-MM-DD and the time as HH:MM, or leave them empty",
                )
            })
        }
        (None, Some(_)) => Err(invalid(
            ("incident_date", "When"),
            "give the date as well as the time, or leave the time empty",
        )),
        (None, None) => Ok((
            xs_now(now).ok_or_else(|| ServiceError::Internal("clock out of range".into()))?,
            WhenGiven::NotGiven,
        )),
    };
    let when = when.map_err(|e| p.0.push(e)).ok();
    let city = p.keep(checked(("city", "City or town"), &f.city, MAX_SHORT));
    let state = p.keep(match opt(&f.state) {
        None => Ok(None),
        Some(s) => UsState::parse(&s)
            .map(Some)
            .ok_or_else(|| invalid(("state", "State"), "choose a state from the list")),
    });
    let country = p.keep(match opt(&f.country) {
        None => Ok(None),
        Some(c) => CountryCode::parse(&c)
            .map(Some)
            .ok_or_else(|| invalid(("country", "Country"), "choose a country from the list")),
    });

    let mut internet_details = Vec::new();
    let urls: Vec<String> = p
        .keep(checked(("urls", "Web addresses"), &f.urls, MAX_DESCRIPTION))
        .map(|u| u.lines().filter_map(opt).collect())
        .unwrap_or_default();
    if !urls.is_empty() {
        internet_details.push(InternetDetails::WebPage(WebPageIncident {
            urls,
            ..WebPageIncident::default()
        }));
    }
    if city.is_some() || state.is_some() || country.is_some() {
        internet_details.push(InternetDetails::NonInternet(NonInternetIncident {
            location_name: None,
            incident_addresses: vec![Address {
                city,
                state,
                country,
                ..Address::default()
            }],
            // Only what the reporter entered: the page explains the field, not the data.
            additional_info: None,
        }));
    }

    let child = person(
        &mut p,
        PersonInput {
            name: (("child_name", "Child's name"), &f.child_name),
            age: (("child_age", "Child's age"), &f.child_age),
            phone: (("child_phone", "Child's phone"), &f.child_phone),
            email: (("child_email", "Child's email"), &f.child_email),
            screen_names: (
                ("child_screen_names", "Child's screen names"),
                &f.child_screen_names,
            ),
            description: (
                ("child_description", "Child's description"),
                &f.child_description,
            ),
        },
    );
    let other = person(
        &mut p,
        PersonInput {
            name: (("other_name", "Other person's name"), &f.other_name),
            age: (("other_age", "Other person's age"), &f.other_age),
            phone: (("other_phone", "Other person's phone"), &f.other_phone),
            email: (("other_email", "Other person's email"), &f.other_email),
            screen_names: (
                ("other_screen_names", "Other person's screen names"),
                &f.other_screen_names,
            ),
            description: (
                ("other_description", "Other person's description"),
                &f.other_description,
            ),
        },
    );

    let anonymous = matches!(f.anonymous.trim(), "on" | "true" | "1" | "yes");
    let reporting_person = if anonymous {
        Person::default()
    } else {
        let (first_name, last_name) = split_name(p.keep(checked(
            ("reporter_name", "Your name"),
            &f.reporter_name,
            MAX_SHORT,
        )));
        Person {
            first_name,
            last_name,
            phones: p.keep(phone(("reporter_phone", "Your phone"), &f.reporter_phone)),
            emails: p.keep(email(("reporter_email", "Your email"), &f.reporter_email)),
            ..Person::default()
        }
    };
    let (Some(incident_type), Some((incident_date_time, when_given)), true) =
        (incident_type, when, p.0.is_empty())
    else {
        return Err(TipError::Invalid(p.0));
    };

    let victims: Vec<Victim> = (!child.is_empty())
        .then(|| as_victim(child))
        .into_iter()
        .collect();
    let reported: Vec<PersonOrUserReported> = (!other.is_empty())
        .then(|| as_reported(other))
        .into_iter()
        .collect();

    let report = Report {
        batched_report: None,
        incident_summary: cybertip::IncidentSummary {
            incident_type,
            platform: None,
            escalate_to_high_priority: None,
            report_annotations: None,
            incident_date_time,
            incident_date_time_description: None,
        },
        internet_details,
        law_enforcement: None,
        reporter: Reporter {
            reporting_person,
            ..Reporter::default()
        },
        persons_or_users_reported: reported,
        intended_recipients: Vec::new(),
        victims,
        additional_info: Some(what),
    };
    Ok((report, when_given))
}

/// A call to the hotline as staff take it (issue 24): the tip form's fields (what the
/// caller said, the people and places, the caller's name and phone unless they stayed
/// anonymous) and a callback number, which an anonymous caller may give too.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct CallForm {
    #[serde(flatten)]
    pub tip: TipForm,
    pub callback_number: String,
    /// "on" when the call reports a missing child: after recording it, the page goes on
    /// to the missing-child form filled in from the call.
    pub missing_child: String,
}

impl CallForm {
    pub fn reports_missing_child(&self) -> bool {
        matches!(self.missing_child.trim(), "on" | "true" | "1" | "yes")
    }
}

/// Turns a call into a report: the tip's reading of the fields, plus the callback number
/// as one of the reporting person's phones. Every problem is named at once.
pub fn call_to_report(f: &CallForm, now: i64) -> Result<(Report, WhenGiven), TipError> {
    let callback = phone(("callback_number", "Callback number"), &f.callback_number);
    // The tip form speaks to the person who saw it; here staff type what a caller said.
    let tip = tip_to_report(&f.tip, now).map_err(|e| match e {
        TipError::Invalid(mut problems) => {
            for p in problems.iter_mut().filter(|p| p.field == "what_happened") {
                if p.message.starts_with("tell us") {
                    p.message = "write down what the caller said happened".into();
                }
            }
            TipError::Invalid(problems)
        }
        other => other,
    });
    match (tip, callback) {
        (Ok((mut report, when)), Ok(phones)) => {
            let person = &mut report.reporter.reporting_person;
            for p in phones {
                if !person.phones.iter().any(|q| q.number == p.number) {
                    person.phones.push(p);
                }
            }
            Ok((report, when))
        }
        (Err(TipError::Invalid(mut problems)), Err(p)) => {
            problems.push(p);
            Err(TipError::Invalid(problems))
        }
        (Err(e), _) => Err(e),
        (Ok(_), Err(p)) => Err(TipError::Invalid(vec![p])),
    }
}

/// What the tipster is given once, on the confirmation page: the tip's number and the
/// secret that lets them add to it later.
#[derive(Debug, Clone)]
pub struct SubmittedTip {
    pub number: i64,
    /// 128 random bits in groups of four (`k7q2-…`); only its SHA-256 is stored.
    pub secret: String,
}

/// The longest follow-up we take: a few paragraphs.
pub const MAX_FOLLOWUP: usize = 10_000;

/// Why a follow-up was not added.
#[derive(Debug, thiserror::Error)]
pub enum FollowupError {
    /// What was typed, each problem named by its field (an empty number or secret, the
    /// text missing or too long); never whether the number exists.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Problem>),
    /// The number and the secret do not name a tip together; which part was wrong is
    /// never said.
    #[error("the report number and secret do not match")]
    NoMatch,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<store::StoreError> for FollowupError {
    fn from(e: store::StoreError) -> Self {
        FollowupError::Service(e.into())
    }
}

/// Crockford's base 32: no I, L, O or U, so a secret copied from paper reads back.
const SECRET_ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// A new follow-up secret: 128 random bits as 26 characters of base 32, in groups of four.
fn new_secret() -> String {
    let bytes = crate::crypto::random_bytes::<16>();
    let n = u128::from_be_bytes(bytes);
    let chars: Vec<char> = (0..26)
        .map(|i| SECRET_ALPHABET[((n >> (i * 5)) & 31) as usize] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// The secret as typed back: case, spaces and dashes do not matter, and the letters people
/// mistake for digits read as those digits.
fn normalise_secret(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_lowercase() {
            'o' => '0',
            'i' | 'l' => '1',
            c => c,
        })
        .collect()
}

/// Where a report taken on the tip form came from, and who is accountable for it.
struct Origin<'a> {
    source: &'static str,
    by: By,
    /// The staff member who took a call; None for the public.
    taken_by: Option<domain::UserId>,
    action: &'static str,
    detail: Option<String>,
    /// Store the hash of this follow-up secret with the report.
    secret: Option<&'a str>,
}

impl Services {
    /// Stores a public tip as a finished report and returns its number with the follow-up
    /// secret to show once. Text is kept as typed; pages show it escaped, never interpreted.
    pub async fn submit_tip(&self, form: &TipForm) -> Result<SubmittedTip, TipError> {
        let now = self.now();
        let (report, when_given) = tip_to_report(form, now)?;
        let secret = new_secret();
        let number = self
            .store_tip_report(
                report,
                when_given,
                Origin {
                    source: "public",
                    // No client address in the audit: a tipster who chose not to be known
                    // must not be findable through our logs either.
                    by: By::public(now),
                    taken_by: None,
                    action: "report.tip",
                    detail: None,
                    secret: Some(&secret),
                },
            )
            .await?;
        Ok(SubmittedTip { number, secret })
    }

    /// Records a call to the hotline (issue 24) as a finished report, taken on the tip
    /// form's path: assessed by triage as it is stored and linked by the same job. The
    /// report keeps who took the call.
    pub async fn record_call(
        &self,
        who: &domain::Principal,
        form: &CallForm,
        ip: crate::Ip,
    ) -> Result<i64, TipError> {
        if !domain::policy::permits(Some(who), domain::Action::RecordHotlineCall) {
            return Err(ServiceError::Forbidden.into());
        }
        let now = self.now();
        let (report, when_given) = call_to_report(form, now)?;
        let anonymous = report.reporter.reporting_person.first_name.is_none()
            && report.reporter.reporting_person.last_name.is_none();
        self.store_tip_report(
            report,
            when_given,
            Origin {
                source: "hotline-call",
                by: By::person(who, ip, now),
                taken_by: Some(who.user_id),
                action: "report.call",
                detail: Some(
                    if anonymous {
                        "caller did not give a name"
                    } else {
                        "caller named"
                    }
                    .into(),
                ),
                secret: None,
            },
        )
        .await
    }

    /// The one path of a report typed into the tip form, by the public or by staff taking
    /// a call: assessed, stored finished with its audit entry and its linking job in one
    /// transaction.
    async fn store_tip_report(
        &self,
        report: Report,
        when_given: WhenGiven,
        origin: Origin<'_>,
    ) -> Result<i64, TipError> {
        let now = self.now();
        let json =
            serde_json::to_string(&report).map_err(|e| ServiceError::Internal(Box::new(e)))?;
        let summary: String = report
            .additional_info
            .as_deref()
            .unwrap_or_default()
            .chars()
            .take(120)
            .collect();
        let (report, assessed) = self.assess_owned(report, json.len()).await?;
        let mut tx = self.store.begin().await?;
        let id = reports::insert(
            &mut *tx,
            &NewReport {
                source: origin.source,
                submitted_by: origin.taken_by,
                submitter_org: None,
                state: ReportState::Finished,
                incident_type: report.incident_summary.incident_type.as_xsd_str(),
                incident_at: Some(report.incident_summary.incident_date_time.as_str()),
                summary: &summary,
                search_text: &json.to_lowercase(),
                report_json: &json,
                original_xml: None,
                assessed: &assessed,
                when_given: Some(when_given),
            },
            now,
        )
        .await?;
        if let Some(secret) = origin.secret {
            reports::insert_followup_key(
                &mut *tx,
                id,
                &crate::crypto::digest(&normalise_secret(secret)),
            )
            .await?;
        }
        audited(
            &mut tx,
            &origin.by,
            origin.action,
            domain::RecordRef::report(id),
            origin.detail,
        )
        .await?;
        // Linking is durable work, committed with the report it is about.
        self.enqueue_linking(&mut tx, &[domain::RecordRef::report(id)])
            .await?;
        store::commit(tx).await?;
        self.wake_jobs();
        let source = if origin.source == "hotline-call" {
            "call"
        } else {
            "tip"
        };
        metrics::counter!("clearinghouse_intake_total", "source" => source).increment(1);
        Ok(id)
    }

    /// A tipster adds to their tip with its number and secret, anonymously (issue 24). The
    /// text is attached to the report as theirs, the report is assessed again with it and
    /// linked again, and the addition is audited (without the client's address, as the tip
    /// was). A wrong number and a wrong secret are the same answer. The caller counts the
    /// attempt toward the tip rate limit first.
    pub async fn add_tip_followup(
        &self,
        number: &str,
        secret: &str,
        text: &str,
    ) -> Result<i64, FollowupError> {
        const TEXT: Field = ("text", "What you want to add");
        let mut problems = Problems::default();
        if number.trim().is_empty() {
            problems.0.push(invalid(
                ("number", "Report number"),
                "enter the report number from your confirmation page",
            ));
        }
        if normalise_secret(secret).is_empty() {
            problems.0.push(invalid(
                ("secret", "Secret"),
                "enter the secret from your confirmation page",
            ));
        }
        let body = problems.keep(checked(TEXT, text, MAX_FOLLOWUP).and_then(|b| {
            b.ok_or_else(|| invalid(TEXT, "write what you want to add to your report"))
        }));
        if !problems.0.is_empty() {
            return Err(FollowupError::Invalid(problems.0));
        }
        let given = crate::crypto::digest(&normalise_secret(secret));
        let id = number.trim().trim_start_matches('#').parse::<i64>().ok();
        let stored = match id {
            Some(id) => reports::followup_key(self.store.reader(), id).await?,
            None => None,
        };
        // Compared in constant time, and against a hash even when there is none, so
        // neither the answer nor its time says whether the number exists.
        let expected = stored.clone().unwrap_or_else(|| "0".repeat(given.len()));
        let (Some(id), true, true) = (id, stored.is_some(), crate::crypto::same(&given, &expected))
        else {
            return Err(FollowupError::NoMatch);
        };
        let now = self.now();
        let row = reports::by_id(self.store.reader(), id)
            .await?
            .ok_or(FollowupError::NoMatch)?;
        let report: Report = serde_json::from_str(&row.report_json)
            .map_err(|e| ServiceError::Internal(Box::new(e)))?;
        let mut tx = self.store.begin().await?;
        reports::insert_followup(&mut *tx, id, &body, now).await?;
        reports::append_search_text(&mut *tx, id, &body).await?;
        let texts: Vec<String> = reports::followups_of(&mut *tx, &[id])
            .await?
            .into_iter()
            .map(|f| f.body)
            .collect();
        let assessed = self.engine.assess_with(&report, &texts).1;
        store::triage::set_assessment(&mut *tx, id, &assessed).await?;
        audited(
            &mut tx,
            &By::public(now),
            "report.followup",
            domain::RecordRef::report(id),
            Some(format!("{} characters", body.chars().count())),
        )
        .await?;
        self.enqueue_linking(&mut tx, &[domain::RecordRef::report(id)])
            .await?;
        store::commit(tx).await?;
        self.wake_jobs();
        metrics::counter!("clearinghouse_intake_total", "source" => "followup").increment(1);
        Ok(id)
    }
}

/// A sliding-window limit on tips per client address, in memory: spam protection, not
/// accounting, so a restart forgetting it is fine.
#[derive(Clone)]
pub struct TipLimiter {
    inner: Arc<Mutex<HashMap<String, VecDeque<i64>>>>,
    /// Tips allowed per address within `window` microseconds.
    pub max: usize,
    pub window: i64,
}

impl Default for TipLimiter {
    fn default() -> Self {
        // Ten an hour from one address leaves room for a shared school or library line.
        TipLimiter::new(10, 60 * 60 * 1_000_000)
    }
}

impl TipLimiter {
    pub fn new(max: usize, window: i64) -> Self {
        TipLimiter {
            inner: Arc::new(Mutex::new(HashMap::new())),
            max,
            window,
        }
    }

    /// Records an attempt from `addr` at `now`; false when over the limit.
    pub fn allow(&self, addr: &str, now: i64) -> bool {
        let Ok(mut map) = self.inner.lock() else {
            return true;
        };
        if map.len() > 100_000 {
            // Bounded memory under a flood from many addresses: forget old entries.
            map.retain(|_, q| q.back().is_some_and(|t| now - t < self.window));
        }
        let q = map.entry(addr.to_owned()).or_default();
        while q.front().is_some_and(|t| now - t >= self.window) {
            q.pop_front();
        }
        if q.len() >= self.max {
            return false;
        }
        q.push_back(now);
        true
    }

    /// Gives back the attempt `allow` recorded at `at`, for a tip that was refused for its
    /// content: only tips that were sent count, so someone correcting a form is not locked
    /// out of reporting.
    pub fn give_back(&self, addr: &str, at: i64) {
        let Ok(mut map) = self.inner.lock() else {
            return;
        };
        if let Some(q) = map.get_mut(addr) {
            if let Some(i) = q.iter().rposition(|t| *t == at) {
                q.remove(i);
            }
        }
    }
}

impl Services {
    /// The missing-child form filled in from a hotline call that reports a child missing
    /// (issue 24): the child the call named, where and when they were last seen as the
    /// caller said, who reported them and the caller's words. The case itself is made by
    /// the one missing-child path (`report_missing_child`) when the analyst sends the form,
    /// after completing what a call does not say (custody, circumstance).
    pub async fn case_form_from_call(
        &self,
        who: &domain::Principal,
        id: domain::ReportId,
        ip: crate::Ip,
    ) -> Result<crate::cases::CaseForm, ServiceError> {
        if !domain::policy::permits(Some(who), domain::Action::ReportMissingChild) {
            return Err(ServiceError::Forbidden);
        }
        let view = self.report(who, id, ip).await?;
        if view.item.source != "hotline-call" {
            return Err(ServiceError::NotFound("the hotline call"));
        }
        Ok(case_form_from_report(id.0, &view.report, view.when_given))
    }
}

/// What a call's report says about the missing child, as the missing-child form's fields.
pub fn case_form_from_report(
    number: i64,
    r: &Report,
    when_given: Option<WhenGiven>,
) -> crate::cases::CaseForm {
    let mut f = crate::cases::CaseForm::default();
    if let Some(v) = r.victims.first() {
        let p = &v.person;
        f.child.name = [p.first_name.as_deref(), p.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        f.child.age = p.age.map(|a| a.to_string()).unwrap_or_default();
        f.child.description = v.additional_info.clone().unwrap_or_default();
        f.identifiers.child_phones = p
            .phones
            .iter()
            .map(|x| x.number.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        f.identifiers.child_emails = p
            .emails
            .iter()
            .map(|x| x.address.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        f.identifiers.child_handles = v
            .screen_name
            .iter()
            .chain(v.display_names.iter())
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("\n");
    }
    for d in &r.internet_details {
        if let cybertip::InternetDetails::NonInternet(x) = d {
            if let Some(a) = x.incident_addresses.first() {
                f.episode.last_seen_city = a.city.clone().unwrap_or_default();
                f.episode.last_seen_state = a
                    .state
                    .as_ref()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default();
            }
        }
    }
    if matches!(
        when_given,
        Some(WhenGiven::DateOnly | WhenGiven::DateAndTime)
    ) {
        f.episode.last_seen_on = r
            .incident_summary
            .incident_date_time
            .as_str()
            .chars()
            .take(10)
            .collect();
    }
    let caller = &r.reporter.reporting_person;
    let name = [caller.first_name.as_deref(), caller.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    f.episode.reported_by = if name.is_empty() {
        format!("A caller to the hotline who did not give a name (report {number})")
    } else {
        format!("{name}, by a call to the hotline (report {number})")
    };
    f.narrative = r.additional_info.clone().unwrap_or_default();
    f
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn form() -> TipForm {
        TipForm {
            incident_type: "Child Sex Trafficking".into(),
            what_happened: "A girl at the bus station said she was told to work for a man.".into(),
            state: "OH".into(),
            child_name: "Jo Example".into(),
            child_age: "15".into(),
            urls: "https://ads.example/123\n\nhttps://ads.example/456".into(),
            anonymous: "on".into(),
            reporter_name: "ignored because anonymous".into(),
            ..TipForm::default()
        }
    }

    #[test]
    fn a_tip_becomes_a_schema_valid_report() {
        let (r, when) = tip_to_report(&form(), 1_700_000_000_000_000).unwrap();
        assert_eq!(when, WhenGiven::NotGiven);
        assert_eq!(r.incident_summary.incident_date_time_description, None);
        assert_eq!(r.victims[0].person.age, Some(15));
        assert_eq!(r.victims[0].person.first_name.as_deref(), Some("Jo"));
        assert_eq!(r.reporter.reporting_person, Person::default());
        let xml = cybertip::to_xml(&r);
        let back = cybertip::parse_report(xml.as_bytes(), &cybertip::Limits::default()).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn bad_fields_are_named() {
        let mut f = form();
        f.child_age = "fifteen".into();
        let e = tip_to_report(&f, 0).unwrap_err().to_string();
        assert!(e.starts_with("Child's age"), "{e}");
        let mut f = form();
        f.what_happened = "  ".into();
        assert!(tip_to_report(&f, 0)
            .unwrap_err()
            .to_string()
            .starts_with("What happened"));
        let mut f = form();
        f.incident_date = "31/12/2025".into();
        assert!(tip_to_report(&f, 0)
            .unwrap_err()
            .to_string()
            .starts_with("When"));
    }

    #[test]
    fn every_problem_is_named_at_once_with_its_field() {
        let mut f = form();
        f.child_age = "fifteen".into();
        f.other_email = "not an address".into();
        f.incident_time = "21:30".into();
        f.what_happened = String::new();
        let Err(TipError::Invalid(problems)) = tip_to_report(&f, 0) else {
            panic!("expected problems");
        };
        let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            ["what_happened", "incident_date", "child_age", "other_email"]
        );
    }

    #[test]
    fn how_the_reporter_gave_the_date_is_a_fact_not_words() {
        let mut f = form();
        f.incident_date = "2026-11-20".into();
        let (r, when) = tip_to_report(&f, 0).unwrap();
        assert_eq!(when, WhenGiven::DateOnly);
        assert_eq!(
            r.incident_summary.incident_date_time.as_str(),
            "2026-11-20T00:00:00"
        );
        assert_eq!(r.incident_summary.incident_date_time_description, None);
        f.incident_time = "21:30".into();
        let (r, when) = tip_to_report(&f, 0).unwrap();
        assert_eq!(when, WhenGiven::DateAndTime);
        assert_eq!(r.incident_summary.incident_date_time_description, None);
    }

    #[test]
    fn a_secret_has_128_bits_and_reads_back_as_typed() {
        let s = new_secret();
        assert_eq!(s.len(), 26 + 6, "{s}");
        assert_ne!(s, new_secret());
        let typed = s.to_uppercase().replace('-', " ");
        assert_eq!(normalise_secret(&typed), normalise_secret(&s));
        assert_eq!(normalise_secret("OIL-1"), "0111");
    }

    #[test]
    fn a_call_keeps_its_callback_number_even_when_the_caller_is_anonymous() {
        let f = CallForm {
            tip: form(),
            callback_number: "555-0142".into(),
            missing_child: String::new(),
        };
        let (r, _) = call_to_report(&f, 0).unwrap();
        assert_eq!(r.reporter.reporting_person.first_name, None);
        assert_eq!(r.reporter.reporting_person.phones[0].number, "555-0142");
        let mut f = f;
        f.callback_number = "x".repeat(41);
        f.tip.child_age = "old".into();
        let Err(TipError::Invalid(p)) = call_to_report(&f, 0) else {
            panic!("expected problems");
        };
        let fields: Vec<&str> = p.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["child_age", "callback_number"]);
    }

    #[test]
    fn the_limiter_slides() {
        let l = TipLimiter::new(2, 100);
        assert!(l.allow("a", 0));
        assert!(l.allow("a", 10));
        assert!(!l.allow("a", 20));
        assert!(l.allow("b", 20));
        assert!(l.allow("a", 105));
    }
}
