//! Family advocacy and peer support (issue 21): the advocate's caseload (first contacts
//! overdue first, then follow-ups due), opening a family's case (also from a missing-child
//! case), the family's case (contact log, referral to the recovery directory, the matcher's
//! proposals with reasons and their confirmation, closing with the survey), the volunteer's
//! own page and their narrow view of a matched family, and volunteer administration.

use super::forms::FieldErrors;
use super::{render, when};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::flash;
use crate::layout::Layout;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use domain::policy::permits;
use domain::{Action, Role};
use serde::Deserialize;
use service::families::model::form::{
    CloseForm, ContactForm, FamilyForm, TrainingForm, VolunteerForm,
};
use service::families::model::model::{
    format_date, CheckResult, CloseReason, Coded, ContactKind, CrisisLevel, Experience, Need, Slot,
};
use service::families::model::FormErrors;
use service::families::{ContactView, FamilyItem, NewFamilyCase, VolunteerView};
use service::recovery::ResourceQuery;
use service::ServiceError;

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices<T: Coded>(selected: &[String]) -> Vec<Choice> {
    T::all()
        .into_iter()
        .map(|v| Choice {
            value: v.code().to_owned(),
            label: v.label().to_owned(),
            selected: selected.iter().any(|s| s.trim() == v.code()),
        })
        .collect()
}

fn pairs(body: &Bytes) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn get(p: &[(String, String)], n: &str) -> String {
    p.iter()
        .find(|(k, _)| k == n)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn all(p: &[(String, String)], n: &str) -> Vec<String> {
    p.iter()
        .filter(|(k, _)| k == n)
        .map(|(_, v)| v.clone())
        .collect()
}

fn field_errors(e: &FormErrors) -> FieldErrors {
    let mut fe = FieldErrors::default();
    for x in &e.0 {
        fe.push(x.field, x.message.clone(), x.message.clone());
    }
    fe
}

fn invalid(page: Html<String>) -> Response {
    let mut r = page.into_response();
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    r
}

/// A time for a list, or a dash.
fn at(t: Option<i64>) -> String {
    t.map(|t| when(t).get(..16).unwrap_or_default().to_owned())
        .unwrap_or_else(|| "–".into())
}

pub struct Row {
    pub id: i64,
    pub name: String,
    pub crisis: &'static str,
    pub urgent: bool,
    pub first_contact: String,
    pub overdue: bool,
    pub next_due: String,
    pub follow_up_due: bool,
    pub volunteer: String,
    pub advocate: String,
}

/// A span for the first-contact clock, to the nearest minute under an hour, else to the
/// nearest hour: the agreed times are 4 to 48 hours, so days would hide what matters.
fn span(micros: i64) -> String {
    const MINUTE: i64 = 60_000_000;
    const HOUR: i64 = 60 * MINUTE;
    let d = micros.max(0);
    let (n, unit) = if d < HOUR - MINUTE / 2 {
        ((d + MINUTE / 2) / MINUTE, "minute")
    } else {
        ((d + HOUR / 2) / HOUR, "hour")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// Where a family without a first contact stands against the agreed time.
fn first_contact_clock(due: i64, now: i64) -> String {
    if due < now {
        format!("First contact overdue by {}", span(now - due))
    } else {
        format!("First contact due in {}", span(due - now))
    }
}

fn row(i: &FamilyItem, now: i64) -> Row {
    Row {
        id: i.id,
        name: i.family_name.clone(),
        crisis: i.crisis.label(),
        urgent: matches!(i.crisis, CrisisLevel::Acute | CrisisLevel::High),
        first_contact: match i.first_contact_at {
            Some(t) => format!("made {}", at(Some(t))),
            None => format!(
                "{} (by {})",
                first_contact_clock(i.first_contact_due, now),
                at(Some(i.first_contact_due))
            ),
        },
        overdue: i.first_contact_overdue,
        next_due: at(i.next_due),
        follow_up_due: i.follow_up_due,
        volunteer: i
            .volunteer_name
            .clone()
            .unwrap_or_else(|| "none yet".into()),
        advocate: i.advocate_name.clone(),
    }
}

#[derive(Template)]
#[template(path = "families.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    overdue: usize,
    due: usize,
    can_manage_volunteers: bool,
    opened: i64,
    closed: i64,
    median: String,
    surveys: i64,
    helpfulness: String,
}

/// The caseload (a volunteer is sent to their own page).
pub async fn list(ctx: Ctx) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    if p.role == Role::Volunteer {
        return Ok(axum::response::Redirect::to("/families/mine").into_response());
    }
    let s = &ctx.state.services;
    let items = s.families(p, true).await?;
    super::audit_list(&ctx, "/families", items.iter().map(|i| i.id)).await?;
    let stats = s.family_statistics(p).await?;
    let now = s.now();
    let rows: Vec<Row> = items.iter().map(|i| row(i, now)).collect();
    Ok(render(&ListPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Family support", &ctx.path),
        overdue: rows.iter().filter(|r| r.overdue).count(),
        due: rows.iter().filter(|r| r.follow_up_due).count(),
        rows,
        can_manage_volunteers: permits(Some(p), Action::ManageVolunteers),
        opened: stats.opened,
        closed: stats.closed,
        median: stats
            .median_first_contact_minutes
            .map(|m| super::age(m * 60_000_000))
            .unwrap_or_else(|| "no first contacts yet".into()),
        surveys: stats.surveys,
        helpfulness: stats
            .average_helpfulness
            .map(|h| format!("{h:.1} out of 5"))
            .unwrap_or_else(|| "no answers yet".into()),
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "family_new.html")]
struct NewPage {
    layout: Layout,
    errors: Vec<(String, String)>,
    fe: FieldErrors,
    f: FamilyForm,
    case: String,
    report: String,
    times: Vec<Choice>,
    needs: Vec<Choice>,
    crisis: Vec<Choice>,
    experience: Vec<Choice>,
    /// Set when changing an open case's details rather than opening one.
    editing: bool,
    heading: String,
    action: String,
    cancel: String,
}

fn new_page(ctx: &Ctx, f: FamilyForm, case: String, report: String, fe: FieldErrors) -> NewPage {
    form_page(ctx, None, f, case, report, fe)
}

/// The family form: opening a case, or (`edit` = the case's id and stored name) changing
/// its details.
fn form_page(
    ctx: &Ctx,
    edit: Option<(i64, &str)>,
    f: FamilyForm,
    case: String,
    report: String,
    fe: FieldErrors,
) -> NewPage {
    let title = match edit {
        Some((_, name)) => format!("Change the details of {name}"),
        None => "Open a family's case".to_owned(),
    };
    NewPage {
        layout: Layout::new(&ctx.state, &ctx.identity, &title, &ctx.path),
        editing: edit.is_some(),
        action: edit.map_or_else(
            || "/families".to_owned(),
            |(id, _)| format!("/families/{id}/edit"),
        ),
        cancel: edit.map_or_else(
            || "/families".to_owned(),
            |(id, _)| format!("/families/{id}"),
        ),
        heading: title.clone(),
        errors: fe.summary(),
        times: choices::<Slot>(&f.times),
        needs: choices::<Need>(&f.needs),
        crisis: choices::<CrisisLevel>(std::slice::from_ref(&f.crisis)),
        experience: choices::<Experience>(std::slice::from_ref(&f.experience)),
        fe,
        f,
        case,
        report,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    case: String,
    report: String,
}

/// The form to open a family's case; `?case=ID` links it to a missing-child case.
pub async fn new_form(ctx: Ctx, Query(q): Query<NewQuery>) -> Result<Html<String>, AppError> {
    ctx.principal()?;
    let f = FamilyForm {
        crisis: "moderate".into(),
        ..FamilyForm::default()
    };
    render(&new_page(&ctx, f, q.case, q.report, FieldErrors::default()))
}

fn family_form(p: &[(String, String)]) -> FamilyForm {
    FamilyForm {
        family_name: get(p, "family_name"),
        members: get(p, "members"),
        contact_person: get(p, "contact_person"),
        language: get(p, "language"),
        times: all(p, "times"),
        time_zone: get(p, "time_zone"),
        safe_contact: get(p, "safe_contact"),
        their_words: get(p, "their_words"),
        needs: all(p, "needs"),
        crisis: get(p, "crisis"),
        experience: get(p, "experience"),
        volunteer_notes: get(p, "volunteer_notes"),
    }
}

fn optional_id(field: &str, label: &str, v: &str, fe: &mut FieldErrors) -> Option<i64> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    let n = domain::CaseId::parse_number(v)
        .map(|c| c.0)
        .or_else(|| v.parse::<i64>().ok().filter(|n| *n > 0));
    if n.is_none() {
        fe.push(
            field,
            format!("{label} must be a number, for example 151 or CH-000151"),
            format!("{label} must be a number, for example 151 or CH-000151"),
        );
    }
    n
}

/// Opens a family's case.
pub async fn create(ctx: Ctx, body: Bytes) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let pairs = pairs(&body);
    let f = family_form(&pairs);
    let (case, report) = (get(&pairs, "case"), get(&pairs, "report"));
    let mut fe = FieldErrors::default();
    let profile = f.check().map_err(|e| fe = field_errors(&e)).ok();
    let case_id = optional_id("case", "The missing-child case", &case, &mut fe);
    let report_id = optional_id("report", "The report", &report, &mut fe);
    let Some(profile) = profile.filter(|_| fe.is_empty()) else {
        return Ok(invalid(render(&new_page(&ctx, f, case, report, fe))?));
    };
    let name = profile.family_name.clone();
    let res = ctx
        .state
        .services
        .open_family(
            p,
            NewFamilyCase {
                profile,
                case_id,
                report_id,
            },
            ctx.ip.clone(),
        )
        .await;
    match res {
        Ok(id) => Ok(flash::redirect(
            &ctx,
            &format!("/families/{id}"),
            format!("The case of {name} is open. Log the first contact when you have made it."),
        )),
        Err(ServiceError::Invalid(m)) => {
            let field = if m.contains("report") {
                "report"
            } else {
                "case"
            };
            let fe = FieldErrors::one(field, m);
            Ok(invalid(render(&new_page(&ctx, f, case, report, fe))?))
        }
        Err(e) => Err(e.into()),
    }
}

/// The form to change a family's details, filled in with what is stored.
pub async fn edit_form(ctx: Ctx, Path(id): Path<i64>) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let v = ctx.state.services.family(p, id).await?;
    if v.item.closed_at.is_some() {
        return Err(closed_error());
    }
    let f = FamilyForm::from_profile(&v.profile);
    render(&form_page(
        &ctx,
        Some((id, &v.profile.family_name)),
        f,
        String::new(),
        String::new(),
        FieldErrors::default(),
    ))
}

fn closed_error() -> AppError {
    ServiceError::Conflict(
        "This family's case is closed: its details can no longer be changed. Open a new case if the family needs support again".into(),
    )
    .into()
}

/// Saves a family's changed details.
pub async fn update(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let s = &ctx.state.services;
    // Scope first, so someone outside it learns nothing from the form's errors.
    let v = s.family(p, id).await?;
    if v.item.closed_at.is_some() {
        return Err(closed_error());
    }
    let f = family_form(&pairs(&body));
    match f.check() {
        Err(e) => Ok(invalid(render(&form_page(
            &ctx,
            Some((id, &v.profile.family_name)),
            f,
            String::new(),
            String::new(),
            field_errors(&e),
        ))?)),
        Ok(profile) => {
            let name = profile.family_name.clone();
            s.update_family(p, id, profile, ctx.ip.clone()).await?;
            Ok(flash::redirect(
                &ctx,
                &format!("/families/{id}"),
                format!("The details of {name} are saved."),
            ))
        }
    }
}

pub struct ContactRow {
    pub kind: &'static str,
    pub at: String,
    pub by: String,
    pub by_volunteer: bool,
    pub with_whom: String,
    pub summary: String,
    pub next_step: String,
    pub next_due: String,
}

fn contact_rows(cs: &[ContactView]) -> Vec<ContactRow> {
    cs.iter()
        .map(|c| ContactRow {
            kind: c.kind.label(),
            at: at(Some(c.at)),
            by: c.by_name.clone(),
            by_volunteer: c.by_volunteer,
            with_whom: c.with_whom.clone(),
            summary: c.summary.clone(),
            next_step: c.next_step.clone(),
            next_due: at(c.next_due),
        })
        .collect()
}

/// The search of the recovery directory on a family's page; nothing is searched until the
/// form is sent (then an empty choice means any).
#[derive(Deserialize, Default, Clone)]
pub struct FindQuery {
    need: Option<String>,
    state: Option<String>,
}

/// A directory service found for a referral.
pub struct FoundRow {
    pub id: i64,
    pub name: String,
    pub organisation: String,
    pub needs: String,
    pub places: String,
    pub stale: bool,
}

pub struct ProposalRow {
    pub id: i64,
    pub name: String,
    pub reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "family.html")]
struct FamilyPage {
    layout: Layout,
    id: i64,
    row: Row,
    closed: bool,
    close_reason: String,
    members: Vec<(String, String)>,
    contact_person: String,
    language: String,
    times: String,
    time_zone: String,
    safe_contact: String,
    their_words: String,
    needs: Vec<&'static str>,
    experience: &'static str,
    volunteer_notes: String,
    case: Option<(i64, String)>,
    report_id: Option<i64>,
    contacts: Vec<ContactRow>,
    referrals: Vec<(i64, String, String, String)>,
    proposals: Vec<ProposalRow>,
    kinds: Vec<Choice>,
    reasons: Vec<Choice>,
    can_request_bag: bool,
    can_see_resources: bool,
    find_needs: Vec<Choice>,
    find_states: Vec<Choice>,
    find_need: String,
    find_state: String,
    /// `None` until searched.
    found: Option<Vec<FoundRow>>,
    found_total: i64,
    errors: Vec<(String, String)>,
    fe: FieldErrors,
    contact: ContactForm,
}

#[derive(Template)]
#[template(path = "family_volunteer.html")]
struct VolunteerFamilyPage {
    layout: Layout,
    f: service::families::VolunteerFamilyView,
    times: String,
    experience: &'static str,
    contacts: Vec<ContactRow>,
    kinds: Vec<Choice>,
    errors: Vec<(String, String)>,
    fe: FieldErrors,
    contact: ContactForm,
}

fn slots(s: &[Slot]) -> String {
    if s.is_empty() {
        "not given".into()
    } else {
        s.iter().map(|t| t.label()).collect::<Vec<_>>().join(", ")
    }
}

async fn family_page(
    ctx: &Ctx,
    id: i64,
    contact: ContactForm,
    fe: FieldErrors,
) -> Result<Html<String>, AppError> {
    family_page_with(ctx, id, contact, fe, FindQuery::default()).await
}

async fn family_page_with(
    ctx: &Ctx,
    id: i64,
    contact: ContactForm,
    fe: FieldErrors,
    find: FindQuery,
) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let s = &ctx.state.services;
    if p.role == Role::Volunteer {
        let f = s.volunteer_family(p, id, ctx.ip.clone()).await?;
        return render(&VolunteerFamilyPage {
            layout: Layout::new(
                &ctx.state,
                &ctx.identity,
                &format!("Supporting {}", f.contact_person),
                &ctx.path,
            ),
            times: slots(&f.times),
            experience: f.experience.label(),
            contacts: contact_rows(&f.contacts),
            kinds: choices::<ContactKind>(std::slice::from_ref(&contact.kind)),
            errors: fe.summary(),
            fe,
            contact,
            f,
        });
    }
    let v = s.family(p, id).await?;
    let proposals = if v.item.closed_at.is_none() {
        s.match_proposals(p, id)
            .await?
            .into_iter()
            .take(5)
            .map(|m| ProposalRow {
                id: m.volunteer_id,
                name: m.name,
                reasons: m.reasons,
            })
            .collect()
    } else {
        Vec::new()
    };
    let can_see_resources = permits(Some(p), Action::ViewResources);
    let find_need = find.need.clone().unwrap_or_default();
    let find_state = find
        .state
        .clone()
        .unwrap_or_default()
        .trim()
        .to_ascii_uppercase();
    let need = recovery::Need::parse(find_need.trim()).ok();
    let searched = find.need.is_some() || find.state.is_some();
    let (found, found_total) = if can_see_resources && searched && v.item.closed_at.is_none() {
        // The directory's own search, first page only: a long list means a narrower search.
        let query = ResourceQuery {
            need,
            state: Some(find_state.clone()),
            ..ResourceQuery::default()
        };
        let page = s.resources(p, &query, 1).await?;
        let rows = page
            .items
            .iter()
            .map(|i| FoundRow {
                id: i.id,
                name: i.service.name.clone(),
                organisation: i.service.organisation.name.clone(),
                needs: i
                    .service
                    .needs
                    .iter()
                    .map(|n| n.label())
                    .collect::<Vec<_>>()
                    .join(", "),
                places: super::resources::places(&i.service),
                stale: i.stale,
            })
            .collect();
        (Some(rows), page.total)
    } else {
        (None, 0)
    };
    let find_states = if can_see_resources && v.item.closed_at.is_none() {
        s.resource_states(p)
            .await?
            .into_iter()
            .map(|st| Choice {
                selected: st == find_state,
                label: st.clone(),
                value: st,
            })
            .collect()
    } else {
        Vec::new()
    };
    let find_needs = recovery::Need::ALL
        .iter()
        .map(|n| Choice {
            value: n.code().into(),
            label: n.label().into(),
            selected: Some(*n) == need,
        })
        .collect();
    let pr = &v.profile;
    render(&FamilyPage {
        layout: Layout::new(&ctx.state, &ctx.identity, &pr.family_name, &ctx.path),
        id,
        row: row(&v.item, s.now()),
        closed: v.item.closed_at.is_some(),
        close_reason: v
            .close_reason
            .map(|r| r.label().to_owned())
            .unwrap_or_default(),
        members: pr
            .members
            .iter()
            .map(|m| (m.name.clone(), m.relationship.clone()))
            .collect(),
        contact_person: pr.contact_person.clone(),
        language: pr.language.clone(),
        times: slots(&pr.times),
        time_zone: pr.time_zone.clone(),
        safe_contact: pr.safe_contact.clone(),
        their_words: pr.their_words.clone(),
        needs: pr.needs.iter().map(|n| n.label()).collect(),
        experience: pr.experience.label(),
        volunteer_notes: pr.volunteer_notes.clone(),
        case: v.case.clone(),
        report_id: v.report_id,
        contacts: contact_rows(&v.contacts),
        referrals: v
            .referrals
            .iter()
            .map(|r| {
                (
                    r.resource_id,
                    r.resource_name.clone(),
                    r.note.clone(),
                    at(Some(r.at)),
                )
            })
            .collect(),
        proposals,
        kinds: choices::<ContactKind>(std::slice::from_ref(&contact.kind)),
        reasons: choices::<CloseReason>(&[]),
        can_request_bag: permits(Some(p), Action::RequestHopeBags),
        can_see_resources,
        find_needs,
        find_states,
        find_need,
        find_state,
        found,
        found_total,
        errors: fe.summary(),
        fe,
        contact,
    })
}

/// A family's case: the advocate's full page, or the matched volunteer's narrow one.
pub async fn detail(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(find): Query<FindQuery>,
) -> Result<Html<String>, AppError> {
    family_page_with(
        &ctx,
        id,
        ContactForm::default(),
        FieldErrors::default(),
        find,
    )
    .await
}

/// Logs a contact (advocate or matched volunteer).
pub async fn log_contact(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let pairs = pairs(&body);
    let f = ContactForm {
        kind: get(&pairs, "kind"),
        at: get(&pairs, "at"),
        with_whom: get(&pairs, "with_whom"),
        summary: get(&pairs, "summary"),
        next_step: get(&pairs, "next_step"),
        next_due: get(&pairs, "next_due"),
    };
    let s = &ctx.state.services;
    match f.check(s.now()) {
        Err(e) => Ok(invalid(family_page(&ctx, id, f, field_errors(&e)).await?)),
        Ok(entry) => {
            s.log_contact(p, id, entry, ctx.ip.clone()).await?;
            Ok(flash::redirect(
                &ctx,
                &format!("/families/{id}"),
                "The contact is logged.",
            ))
        }
    }
}

#[derive(Deserialize)]
pub struct ReferIn {
    #[serde(default)]
    resource: String,
    #[serde(default)]
    note: String,
    /// The search the service was chosen from, to show it again after an error.
    need: Option<String>,
    state: Option<String>,
}

/// The longest note a referral keeps (the service cuts a longer one; the page says so first).
const REFERRAL_NOTE_MAX: usize = 1000;

/// Records a referral to a service of the recovery directory.
pub async fn refer(
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<ReferIn>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let find = FindQuery {
        need: f.need.clone(),
        state: f.state.clone(),
    };
    let Some(resource) = f.resource.trim().parse::<i64>().ok() else {
        let fe = FieldErrors::one(
            "resource",
            "Choose a service: search the directory below, then press Refer beside the service",
        );
        return Ok(invalid(
            family_page_with(&ctx, id, ContactForm::default(), fe, find).await?,
        ));
    };
    let note_len = f.note.trim().chars().count();
    if note_len > REFERRAL_NOTE_MAX {
        let fe = FieldErrors::one(
            "resource",
            format!("The note for the referral must be {REFERRAL_NOTE_MAX} characters or fewer; it has {note_len}"),
        );
        return Ok(invalid(
            family_page_with(&ctx, id, ContactForm::default(), fe, find).await?,
        ));
    }
    match ctx
        .state
        .services
        .refer_family(p, id, resource, &f.note, ctx.ip.clone())
        .await
    {
        Ok(()) => Ok(flash::redirect(
            &ctx,
            &format!("/families/{id}"),
            "The referral is recorded.",
        )),
        Err(ServiceError::Invalid(m)) => {
            let fe = FieldErrors::one("resource", m);
            Ok(invalid(
                family_page_with(&ctx, id, ContactForm::default(), fe, find).await?,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct MatchIn {
    #[serde(default)]
    volunteer: String,
}

/// Confirms a proposed volunteer.
pub async fn confirm_match(
    ctx: Ctx,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<MatchIn>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let v = f
        .volunteer
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::bad_request("choose one of the volunteers proposed"))?;
    ctx.state
        .services
        .confirm_match(p, id, v, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        &format!("/families/{id}"),
        "The volunteer is matched with this family. They see the contact person, language, times, the kind of case and your notes for them.",
    ))
}

/// Closes the case with its reason and the optional survey.
pub async fn close(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let pairs = pairs(&body);
    let f = CloseForm {
        reason: get(&pairs, "reason"),
        helpfulness: get(&pairs, "helpfulness"),
    };
    match f.check() {
        Err(e) => Ok(invalid(
            family_page(&ctx, id, ContactForm::default(), field_errors(&e)).await?,
        )),
        Ok((reason, survey)) => {
            ctx.state
                .services
                .close_family(p, id, reason, survey, ctx.ip.clone())
                .await?;
            Ok(flash::redirect(
                &ctx,
                "/families",
                "The family's case is closed.",
            ))
        }
    }
}

#[derive(Template)]
#[template(path = "families_mine.html")]
struct MinePage {
    layout: Layout,
    me: VolunteerView,
    eligible: bool,
    next_renewal: String,
    trainings: Vec<(String, String, String, bool)>,
    families: Vec<(i64, String, String, String, &'static str, String)>,
}

/// The volunteer's own page (staff are sent to the caseload).
pub async fn mine(ctx: Ctx) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    if p.role != Role::Volunteer {
        return Ok(axum::response::Redirect::to("/families").into_response());
    }
    let s = &ctx.state.services;
    let m = s.my_volunteering(p, ctx.ip.clone()).await?;
    let today = s.today();
    Ok(render(&MinePage {
        layout: Layout::new(&ctx.state, &ctx.identity, "My families", &ctx.path),
        eligible: m.me.lapses.is_empty(),
        next_renewal: m
            .me
            .next_renewal
            .map(format_date)
            .unwrap_or_else(|| "–".into()),
        trainings: m
            .me
            .profile
            .trainings
            .iter()
            .map(|t| {
                (
                    t.name.clone(),
                    format_date(t.completed_on),
                    format_date(t.renewal_due),
                    t.renewal_due < today,
                )
            })
            .collect(),
        families: m
            .families
            .iter()
            .map(|f| {
                (
                    f.id,
                    f.contact_person.clone(),
                    f.language.clone(),
                    slots(&f.times),
                    f.experience.label(),
                    at(f.next_due),
                )
            })
            .collect(),
        me: m.me,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "volunteers.html")]
struct VolunteersPage {
    layout: Layout,
    rows: Vec<VolunteerView>,
}

/// Volunteer administration: every volunteer and whether they may be matched.
pub async fn volunteers(ctx: Ctx) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let rows = ctx.state.services.volunteers(p).await?;
    super::audit_list(&ctx, "/families/volunteers", rows.iter().map(|v| v.user_id)).await?;
    render(&VolunteersPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Peer volunteers", &ctx.path),
        rows,
    })
}

#[derive(Template)]
#[template(path = "volunteer.html")]
struct VolunteerPage {
    layout: Layout,
    v: VolunteerView,
    errors: Vec<(String, String)>,
    fe: FieldErrors,
    f: VolunteerForm,
    t: TrainingForm,
    availability: Vec<Choice>,
    experiences: Vec<Choice>,
    results: Vec<Choice>,
    trainings: Vec<(String, String, String)>,
}

fn volunteer_form(v: &VolunteerView) -> VolunteerForm {
    let p = &v.profile;
    VolunteerForm {
        languages: p.languages.join(", "),
        time_zone: p.time_zone.clone(),
        availability: p.availability.iter().map(|s| s.code().to_owned()).collect(),
        experiences: p.experiences.iter().map(|s| s.code().to_owned()).collect(),
        check_date: p
            .vetting
            .map(|v| format_date(v.checked_on))
            .unwrap_or_default(),
        check_result: p
            .vetting
            .map(|v| v.result.code().to_owned())
            .unwrap_or_default(),
    }
}

fn volunteer_page(
    ctx: &Ctx,
    v: VolunteerView,
    f: VolunteerForm,
    t: TrainingForm,
    fe: FieldErrors,
) -> VolunteerPage {
    VolunteerPage {
        layout: Layout::new(&ctx.state, &ctx.identity, &v.display_name, &ctx.path),
        errors: fe.summary(),
        fe,
        availability: choices::<Slot>(&f.availability),
        experiences: choices::<Experience>(&f.experiences),
        results: choices::<CheckResult>(std::slice::from_ref(&f.check_result)),
        trainings: v
            .profile
            .trainings
            .iter()
            .map(|t| {
                (
                    t.name.clone(),
                    format_date(t.completed_on),
                    format_date(t.renewal_due),
                )
            })
            .collect(),
        f,
        t,
        v,
    }
}

/// One volunteer's records, with the forms to change them.
pub async fn volunteer(ctx: Ctx, Path(id): Path<i64>) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let v = ctx.state.services.volunteer(p, id).await?;
    let f = volunteer_form(&v);
    render(&volunteer_page(
        &ctx,
        v,
        f,
        TrainingForm::default(),
        FieldErrors::default(),
    ))
}

/// Saves a volunteer's vetting, availability, languages, time zone and experience.
pub async fn save_volunteer(
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let pairs = pairs(&body);
    let f = VolunteerForm {
        languages: get(&pairs, "languages"),
        time_zone: get(&pairs, "time_zone"),
        availability: all(&pairs, "availability"),
        experiences: all(&pairs, "experiences"),
        check_date: get(&pairs, "check_date"),
        check_result: get(&pairs, "check_result"),
    };
    let s = &ctx.state.services;
    let v = s.volunteer(p, id).await?;
    match f.check(Vec::new()) {
        Err(e) => Ok(invalid(render(&volunteer_page(
            &ctx,
            v,
            f,
            TrainingForm::default(),
            field_errors(&e),
        ))?)),
        Ok(profile) => {
            s.save_volunteer(p, id, profile, ctx.ip.clone()).await?;
            Ok(flash::redirect(
                &ctx,
                &format!("/families/volunteers/{id}"),
                "The volunteer's records are saved.",
            ))
        }
    }
}

/// Adds a completed training.
pub async fn add_training(
    ctx: Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let pairs = pairs(&body);
    let t = TrainingForm {
        name: get(&pairs, "name"),
        completed_on: get(&pairs, "completed_on"),
        renewal_due: get(&pairs, "renewal_due"),
    };
    let s = &ctx.state.services;
    let v = s.volunteer(p, id).await?;
    match t.check() {
        Err(e) => {
            let f = volunteer_form(&v);
            Ok(invalid(render(&volunteer_page(
                &ctx,
                v,
                f,
                t,
                field_errors(&e),
            ))?))
        }
        Ok(training) => {
            s.add_training(p, id, training, ctx.ip.clone()).await?;
            Ok(flash::redirect(
                &ctx,
                &format!("/families/volunteers/{id}"),
                "The training is recorded.",
            ))
        }
    }
}
