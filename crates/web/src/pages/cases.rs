//! Missing-child cases on the web: the list (for the hotline a review queue, cases reported
//! by caseworkers first; for a caseworker their agency's children; for an investigator
//! what was made available to their agency), the caseworker's form to report a child
//! missing, the case page (flags with their reasons, priority, timeline, episodes and
//! recoveries, alerts, review, publication) and the poster as an accessible page and a PDF.

use super::{enc, render, when};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::flash;
use crate::layout::Layout;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use casework::model::iso;
use casework::{ChildForm, Circumstance, Custody, EpisodeForm, FormErrors, GuardianForm, Sex};
use domain::policy::permits;
use domain::{Action, AlertId, AssigneeFilter, CaseId, CaseStatus, EpisodeId, OrgId, Role};
use serde::Deserialize;
use service::accounts::Page;
use service::cases::{
    CaseDetail, CaseError, CaseForm, CaseItem, CaseQuery, CaseSort, IdentifiersForm, RecoveryForm,
};

/// One choice of a select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices<'a>(items: impl IntoIterator<Item = (&'a str, &'a str)>, current: &str) -> Vec<Choice> {
    items
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == current,
            value: value.to_owned(),
            label: label.to_owned(),
        })
        .collect()
}

/// One form field with its value and its error, rendered by `case_field.html`.
pub struct Field {
    pub name: String,
    pub id: String,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
    pub hint: String,
    /// `text`, `date`, `email`, `tel`, `number`, `textarea` or `select`.
    pub kind: &'static str,
    pub options: Vec<Choice>,
    pub required: bool,
    /// The latest date allowed (`date` fields): today.
    pub max: String,
}

impl Field {
    /// `aria-describedby`: the hint and the error, when present.
    pub fn described_by(&self) -> String {
        let mut v = Vec::new();
        if !self.hint.is_empty() {
            v.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            v.push(format!("{}-error", self.id));
        }
        v.join(" ")
    }
}

/// A fieldset of the form.
pub struct Group {
    pub legend: String,
    pub hint: String,
    pub fields: Vec<Field>,
}

/// Field names like `guardians[1].phone` as HTML ids (`guardians_1__phone`).
fn id_of(prefix: &str, name: &str) -> String {
    let n: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("{prefix}{n}")
}

struct Fields<'a> {
    prefix: &'a str,
    errors: &'a FormErrors,
    today: String,
}

impl Fields<'_> {
    fn make(&self, name: &str, label: &str, kind: &'static str, value: &str) -> Field {
        Field {
            name: name.to_owned(),
            id: id_of(self.prefix, name),
            label: label.to_owned(),
            value: value.to_owned(),
            error: self.errors.for_field(name).map(str::to_owned),
            hint: String::new(),
            kind,
            options: Vec::new(),
            required: false,
            max: if kind == "date" {
                self.today.clone()
            } else {
                String::new()
            },
        }
    }
}

trait FieldExt {
    fn hint(self, h: &str) -> Self;
    fn required(self) -> Self;
    fn options(self, o: Vec<Choice>) -> Self;
}

impl FieldExt for Field {
    fn hint(mut self, h: &str) -> Self {
        self.hint = h.to_owned();
        self
    }
    fn required(mut self) -> Self {
        self.required = true;
        self
    }
    fn options(mut self, o: Vec<Choice>) -> Self {
        self.options = o;
        self
    }
}

fn circumstance_choices(current: &str) -> Vec<Choice> {
    choices(Circumstance::ALL.map(|c| (c.id(), c.label())), current)
}

fn episode_groups(f: &Fields, e: &EpisodeForm, narrative: &str, with_recovery: bool) -> Vec<Group> {
    let mut groups = vec![Group {
        legend: "The episode".into(),
        hint: "When and where the child went missing, and who reported it.".into(),
        fields: vec![
            f.make("reported_on", "Reported missing on", "date", &e.reported_on).required(),
            f.make("last_seen_on", "Last seen on", "date", &e.last_seen_on)
                .hint("If it is not the day of the report."),
            f.make("last_seen_city", "Last seen in (city)", "text", &e.last_seen_city).required(),
            f.make("last_seen_state", "State", "text", &e.last_seen_state)
                .hint("The two-letter code, e.g. TX.")
                .required(),
            f.make("circumstance", "Circumstance", "select", "")
                .options(circumstance_choices(&e.circumstance))
                .required(),
            f.make("reported_by", "Reported by", "text", &e.reported_by)
                .hint("A name or a role, e.g. \u{201c}foster parent\u{201d}.")
                .required(),
            f.make("narrative", "What is known about the circumstances", "textarea", narrative)
                .hint("Who the child may be with, what they took, any online contact or older \u{201c}boyfriend\u{201d}. Used for the priority; never printed on a poster."),
        ],
    }];
    if with_recovery {
        groups.push(Group {
            legend: "Recovery, if the child is already back".into(),
            hint: "Leave these empty while the child is missing.".into(),
            fields: recovery_fields(
                f,
                &RecoveryForm {
                    recovered_on: e.recovered_on.clone(),
                    recovery_city: e.recovery_city.clone(),
                    recovery_state: e.recovery_state.clone(),
                    recovery_how: e.recovery_how.clone(),
                },
            ),
        });
    }
    groups
}

fn recovery_fields(f: &Fields, r: &RecoveryForm) -> Vec<Field> {
    vec![
        f.make("recovered_on", "Recovered on", "date", &r.recovered_on),
        f.make(
            "recovery_city",
            "Recovered in (city)",
            "text",
            &r.recovery_city,
        ),
        f.make("recovery_state", "State", "text", &r.recovery_state)
            .hint("The two-letter code, e.g. TX."),
        f.make("recovery_how", "How", "text", &r.recovery_how)
            .hint("e.g. \u{201c}returned on her own\u{201d}, \u{201c}located by police\u{201d}."),
    ]
}

fn child_groups(f: &Fields, c: &ChildForm, ids: &IdentifiersForm) -> Vec<Group> {
    let sex = choices(
        Sex::ALL.map(|s| (s.label(), s.label())),
        &c.sex.to_lowercase(),
    );
    let custody = choices(Custody::ALL.map(|c| (c.id(), c.label())), &c.custody);
    let mut guardians = Vec::new();
    for i in 0..2 {
        let g = c.guardians.get(i).cloned().unwrap_or_default();
        let n = |x: &str| format!("guardians[{i}].{x}");
        let which = if i == 0 { "" } else { " (second)" };
        guardians.push(f.make(
            &n("name"),
            &format!("Guardian's name{which}"),
            "text",
            &g.name,
        ));
        guardians.push(
            f.make(&n("relation"), "Relation to the child", "text", &g.relation)
                .hint("e.g. mother, grandfather, legal guardian."),
        );
        guardians.push(f.make(&n("phone"), "Phone", "tel", &g.phone));
        guardians.push(f.make(&n("email"), "Email", "email", &g.email));
    }
    vec![
        Group {
            legend: "The child".into(),
            hint: "Only what the work needs.".into(),
            fields: vec![
                f.make("name", "Name", "text", &c.name).hint("The name the child is known by: given name(s), then family name.").required(),
                f.make("aliases", "Other names and nicknames", "textarea", &c.aliases).hint("One per line. Never printed on a poster."),
                f.make("date_of_birth", "Date of birth", "date", &c.date_of_birth),
                f.make("age", "Age, if the date of birth is not known", "number", &c.age),
                f.make("age_as_of", "Age given on", "date", &c.age_as_of).hint("The day the age was given; today if empty."),
                f.make("sex", "Sex", "select", "").options(sex),
                f.make("description", "Description", "textarea", &c.description).hint("Height, hair, eyes, marks, clothing. It is printed on a poster if the case is published, so write nothing else here."),
            ],
        },
        Group {
            legend: "Custody".into(),
            hint: "For a child in care: the agency and the child's caseworker there.".into(),
            fields: vec![
                f.make("custody", "Who has custody", "select", "").options(custody).required(),
                f.make("agency_name", "Agency", "text", &c.agency_name),
                f.make("caseworker_name", "Caseworker", "text", &c.caseworker_name),
                f.make("caseworker_phone", "Caseworker's phone", "tel", &c.caseworker_phone),
                f.make("caseworker_email", "Caseworker's email", "email", &c.caseworker_email),
            ],
        },
        Group {
            legend: "Parents or guardians".into(),
            hint: "For a child in family custody (at least one).".into(),
            fields: guardians,
        },
        Group {
            legend: "The child's phone, email and handles".into(),
            hint: "Link analysis compares these with reports and online ads, and alerts the case's analyst. Never printed on a poster.".into(),
            fields: vec![
                f.make("child_phones", "Phone numbers", "textarea", &ids.child_phones).hint("One per line."),
                f.make("child_emails", "Email addresses", "textarea", &ids.child_emails).hint("One per line."),
                f.make("child_handles", "Screen names and handles", "textarea", &ids.child_handles).hint("One per line, e.g. @example_name."),
            ],
        },
    ]
}

/// Repeated and indexed form fields, as axum's `Form` does not read them.
fn form_pairs(body: &Bytes) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn get(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn episode_form(p: &[(String, String)]) -> EpisodeForm {
    EpisodeForm {
        reported_on: get(p, "reported_on"),
        last_seen_on: get(p, "last_seen_on"),
        last_seen_city: get(p, "last_seen_city"),
        last_seen_state: get(p, "last_seen_state"),
        circumstance: get(p, "circumstance"),
        reported_by: get(p, "reported_by"),
        recovered_on: get(p, "recovered_on"),
        recovery_city: get(p, "recovery_city"),
        recovery_state: get(p, "recovery_state"),
        recovery_how: get(p, "recovery_how"),
    }
}

fn case_form(p: &[(String, String)]) -> CaseForm {
    let guardians = (0..2)
        .map(|i| GuardianForm {
            name: get(p, &format!("guardians[{i}].name")),
            relation: get(p, &format!("guardians[{i}].relation")),
            phone: get(p, &format!("guardians[{i}].phone")),
            email: get(p, &format!("guardians[{i}].email")),
        })
        .collect();
    CaseForm {
        child: ChildForm {
            name: get(p, "name"),
            aliases: get(p, "aliases"),
            date_of_birth: get(p, "date_of_birth"),
            age: get(p, "age"),
            age_as_of: get(p, "age_as_of"),
            sex: get(p, "sex"),
            description: get(p, "description"),
            custody: get(p, "custody"),
            guardians,
            agency_name: get(p, "agency_name"),
            caseworker_name: get(p, "caseworker_name"),
            caseworker_phone: get(p, "caseworker_phone"),
            caseworker_email: get(p, "caseworker_email"),
        },
        identifiers: IdentifiersForm {
            child_phones: get(p, "child_phones"),
            child_emails: get(p, "child_emails"),
            child_handles: get(p, "child_handles"),
        },
        episode: episode_form(p),
        narrative: get(p, "narrative"),
    }
}

pub fn priority_of(rank: i64) -> (&'static str, &'static str) {
    super::queue::priority_of(rank)
}

fn circumstance_label(id: &str) -> String {
    Circumstance::parse(id)
        .map(|c| c.label().to_owned())
        .unwrap_or_else(|_| id.replace('_', " "))
}

/// A case in a list.
pub struct Row {
    pub id: i64,
    pub number: String,
    pub child: String,
    pub priority: &'static str,
    pub priority_class: &'static str,
    pub status: &'static str,
    pub needs_review: bool,
    pub missing: String,
    pub state: String,
    pub circumstance: String,
    pub from_care: bool,
    pub episodes: i64,
    pub alerts: i64,
    pub assignee: String,
}

/// How long ago an ISO day was, in words ("7 years"), by today's date.
fn ago(day: &str, today: time::Date) -> Option<String> {
    let d = casework::model::parse_iso_date(day)?;
    let micros = (today - d).whole_microseconds();
    Some(super::age(i64::try_from(micros).unwrap_or(i64::MAX)))
}

fn row(r: &CaseItem, names: &[(domain::UserId, String, String)], today: time::Date) -> Row {
    let (priority, priority_class) = priority_of(r.priority_rank);
    Row {
        id: r.id,
        number: r.case_number.clone(),
        child: r.child_name.clone(),
        priority,
        priority_class,
        status: r.status.label(),
        needs_review: r.status == CaseStatus::NeedsReview,
        missing: match (&r.missing_since, r.currently_missing) {
            (Some(d), true) => match ago(d, today) {
                Some(a) => format!("{a}, since {d}"),
                None => format!("since {d}"),
            },
            _ => "recovered".into(),
        },
        state: r.last_seen_state.clone().unwrap_or_default(),
        circumstance: circumstance_label(&r.circumstance),
        from_care: r.missing_from_care,
        episodes: r.episodes,
        alerts: r.open_alerts,
        assignee: r
            .assignee
            .and_then(|a| names.iter().find(|n| n.0 == a))
            .map(|n| n.1.clone())
            .unwrap_or_default(),
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    circumstance: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    from_care: String,
    #[serde(default)]
    missing: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    alerts: String,
    #[serde(default)]
    priority: String,
    /// A column of [`service::cases::CaseSort`]; the default order without it.
    #[serde(default)]
    sort: String,
    /// `asc` or `desc`.
    #[serde(default)]
    dir: String,
    page: Option<i64>,
}

/// The list's columns: (sort name, header); an empty name is not sortable. The last two
/// are the hotline's.
const CASE_COLUMNS: [(&str, &str); 10] = [
    ("priority", "Priority"),
    ("case", "Case"),
    ("child", "Child"),
    ("status", "Status"),
    ("missing", "Missing"),
    ("state", "Last seen"),
    ("", "Circumstance"),
    ("episodes", "Episodes"),
    ("alerts", "Alerts"),
    ("", "Assignee"),
];

#[derive(Template)]
#[template(path = "cases.html")]
struct ListPage {
    layout: Layout,
    heading: &'static str,
    lead: &'static str,
    can_report: bool,
    hotline: bool,
    q: String,
    state: String,
    from_care: bool,
    missing: bool,
    alerts: bool,
    statuses: Vec<Choice>,
    circumstances: Vec<Choice>,
    assignees: Vec<Choice>,
    priorities: Vec<Choice>,
    my_alerts: Vec<(i64, String, i64)>,
    rows: Vec<Row>,
    page: Page<()>,
    /// The filters and the order, for the pager's links.
    list_enc: String,
    headers: Vec<super::sort::Header>,
    /// Sorted by a column rather than the default order.
    resorted: bool,
    /// The order chosen, kept when the filters change.
    sort: &'static str,
    dir: &'static str,
    filtered: bool,
    empty: &'static str,
}

/// The list of cases the caller may see.
pub async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    let hotline = matches!(p.role, Role::Supervisor | Role::Analyst);
    let assignable = if hotline {
        services.case_assignees(p).await?
    } else {
        Vec::new()
    };
    let assignee = match q.assignee.as_str() {
        "" => AssigneeFilter::Anyone,
        "none" => AssigneeFilter::Unassigned,
        "me" => AssigneeFilter::User(p.user_id),
        name => assignable
            .iter()
            .find(|a| a.1 == name)
            .map_or(AssigneeFilter::Unassigned, |a| AssigneeFilter::User(a.0)),
    };
    let filter = CaseQuery {
        status: CaseStatus::parse(&q.status),
        circumstance: Circumstance::parse(&q.circumstance)
            .ok()
            .map(|c| c.id().to_owned()),
        state: Some(q.state.trim().to_ascii_uppercase()).filter(|s| !s.is_empty()),
        missing_from_care: q.from_care == "1",
        currently_missing: q.missing == "1",
        assignee,
        with_open_alerts: q.alerts == "1",
        priority_rank: super::queue::PRIORITIES
            .iter()
            .find(|x| x.as_str() == q.priority)
            .map(|x| i64::from(x.rank())),
        words: q.q.split_whitespace().map(str::to_owned).collect(),
        sort: CaseSort::parse(&q.sort),
        descending: super::sort::descending(&q.dir),
    };
    let page = services.cases(p, &filter, q.page.unwrap_or(1), 50).await?;
    super::audit_list(&ctx, "/cases", page.items.iter().map(|c| c.id)).await?;
    let my_alerts = if permits(Some(p), Action::ManageCaseAlerts) {
        services.my_case_alerts(p).await?
    } else {
        Vec::new()
    };
    let filters_enc = format!(
        "q={}&status={}&circumstance={}&state={}&from_care={}&missing={}&assignee={}&alerts={}&priority={}",
        enc(q.q.trim()),
        enc(&q.status),
        enc(&q.circumstance),
        enc(q.state.trim()),
        enc(&q.from_care),
        enc(&q.missing),
        enc(&q.assignee),
        enc(&q.alerts),
        enc(&q.priority),
    );
    let filtered = [
        q.q.trim(),
        &q.status,
        &q.circumstance,
        q.state.trim(),
        &q.from_care,
        &q.missing,
        &q.assignee,
        &q.alerts,
        &q.priority,
    ]
    .iter()
    .any(|s| !s.is_empty());
    let sort = filter.sort.as_str();
    let resorted = filter.sort != CaseSort::Default;
    let list_enc = if resorted {
        format!(
            "{filters_enc}&sort={sort}&dir={}",
            if filter.descending { "desc" } else { "asc" }
        )
    } else {
        filters_enc.clone()
    };
    let columns = if hotline {
        &CASE_COLUMNS[..]
    } else {
        &CASE_COLUMNS[..8]
    };
    let headers = super::sort::headers("/cases", &filters_enc, columns, sort, filter.descending);
    let today = services.today();
    let mut assignee_choices = vec![
        ("none".to_owned(), "Unassigned".to_owned()),
        ("me".to_owned(), "Assigned to me".to_owned()),
    ];
    assignee_choices.extend(assignable.iter().map(|a| (a.1.clone(), a.2.clone())));
    let (heading, lead, empty) = match p.role {
        Role::Caseworker => (
            "Our agency's missing children",
            "Children of your agency reported missing, with their episodes and recoveries. The hotline reviews every report.",
            "No child of your agency has been reported missing here. Use \u{201c}Report a child missing\u{201d} when a child leaves care.",
        ),
        Role::Investigator => (
            "Missing-child cases made available to your agency",
            "Cases the hotline made available to your agency.",
            "No case has been made available to your agency yet.",
        ),
        _ => (
            "Missing-child cases",
            "Children missing now first; then the most urgent, then the most recent. Each priority says why. A column's heading sorts by it.",
            "No missing-child cases yet. Caseworkers report children missing from care; cases also come from imports.",
        ),
    };
    render(&ListPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Missing-child cases", &ctx.path),
        heading,
        lead,
        can_report: permits(Some(p), Action::ReportMissingChild),
        hotline,
        q: q.q.trim().to_owned(),
        state: q.state.trim().to_owned(),
        from_care: q.from_care == "1",
        missing: q.missing == "1",
        alerts: q.alerts == "1",
        statuses: choices(CaseStatus::ALL.map(|s| (s.as_str(), s.label())), &q.status),
        circumstances: circumstance_choices(&q.circumstance),
        assignees: assignee_choices
            .iter()
            .map(|(v, l)| Choice {
                selected: *v == q.assignee,
                value: v.clone(),
                label: l.clone(),
            })
            .collect(),
        priorities: choices(
            super::queue::PRIORITIES
                .iter()
                .map(|x| (x.as_str(), x.label())),
            &q.priority,
        ),
        my_alerts,
        rows: page
            .items
            .iter()
            .map(|r| row(r, &assignable, today))
            .collect(),
        page: Page {
            items: Vec::new(),
            total: page.total,
            page: page.page,
            per_page: page.per_page,
        },
        list_enc,
        headers,
        resorted,
        sort: filter.sort.as_str(),
        dir: if filter.descending { "desc" } else { "asc" },
        filtered,
        empty,
    })
}

#[derive(Template)]
#[template(path = "case_new.html")]
struct NewPage {
    layout: Layout,
    errors: Vec<(String, String)>,
    groups: Vec<Group>,
}

fn error_list(prefix: &str, e: &FormErrors) -> Vec<(String, String)> {
    e.0.iter()
        .map(|x| (id_of(prefix, &x.field), x.message.clone()))
        .collect()
}

fn new_page(ctx: &Ctx, form: &CaseForm, errors: &FormErrors) -> Result<Html<String>, AppError> {
    let today = iso(ctx.state.services.today());
    let f = Fields {
        prefix: "",
        errors,
        today,
    };
    let mut groups = child_groups(&f, &form.child, &form.identifiers);
    groups.extend(episode_groups(&f, &form.episode, &form.narrative, false));
    render(&NewPage {
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            "Report a child missing",
            &ctx.path,
        ),
        errors: error_list("", errors),
        groups,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    /// A hotline call's report number (issue 24): the form is filled in from the call.
    call: Option<i64>,
}

/// The form to report a child missing; for a caseworker, filled in for a child in their
/// agency's care who left their placement; from a hotline call (`?call=N`), filled in with
/// what the caller said about the child.
pub async fn new_form(ctx: Ctx, Query(q): Query<NewQuery>) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let mut form = match q.call {
        Some(n) => {
            ctx.state
                .services
                .case_form_from_call(p, domain::ReportId(n), ctx.ip.clone())
                .await?
        }
        None => CaseForm::default(),
    };
    form.episode.reported_on = iso(ctx.state.services.today());
    if p.role == Role::Caseworker && q.call.is_none() {
        let display = ctx
            .identity
            .session()
            .map(|s| s.display_name.clone())
            .unwrap_or_else(|| p.username.to_string());
        let org = ctx
            .state
            .services
            .org_name(p.org_id)
            .await?
            .unwrap_or_default();
        form.child.custody = Custody::FosterCare.id().into();
        form.child.agency_name = org.clone();
        form.child.caseworker_name = display.clone();
        form.episode.circumstance = Circumstance::MissingFromCare.id().into();
        form.episode.reported_by = format!("{display}, caseworker ({org})");
    }
    new_page(&ctx, &form, &FormErrors::default())
}

/// Reports the child missing; the form comes back with every problem named by its field.
pub async fn create(ctx: Ctx, body: Bytes) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let form = case_form(&form_pairs(&body));
    match ctx
        .state
        .services
        .report_missing_child(p, &form, ctx.ip.clone())
        .await
    {
        Ok((id, _)) => Ok(flash::redirect(
            &ctx,
            &format!("/cases/{id}"),
            "The child was reported missing. The hotline reviews the case; alerts from link analysis go to its analyst.",
        )),
        Err(CaseError::Form(errs)) => {
            let mut res = new_page(&ctx, &form, &errs)?.into_response();
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(CaseError::Service(e)) => Err(e.into()),
    }
}

pub struct EpisodeItem {
    pub id: i64,
    pub number: usize,
    pub reported_on: String,
    pub missing_since: String,
    pub last_seen: String,
    pub circumstance: &'static str,
    pub reported_by: String,
    pub narrative: String,
    pub recovery: Option<String>,
    /// The recovery form of an open episode, for those who may record it.
    pub recovery_form: Option<Vec<Field>>,
    pub recovery_errors: Vec<(String, String)>,
    /// A recovered episode's "Open a recovery plan" link, for those who may open one.
    pub plan_link: Option<String>,
    /// The recovery form offers to open the plan with it (ticked unless the form failed
    /// with it unticked).
    pub offer_plan: Option<bool>,
    /// The plan opened at this episode's recovery, for those who may open plans.
    pub plan: Option<i64>,
}

/// One record in an alert group.
pub struct SourceItem {
    pub label: String,
    pub href: Option<String>,
    pub raised: String,
    /// Why this record in particular (a person match's fields); empty for an identifier,
    /// which the group's explanation covers.
    pub evidence: Vec<String>,
    /// "Dismissed by … on …: reason", once dismissed.
    pub dismissed: Option<String>,
}

/// Alerts that matched the same thing, read and dismissed together.
pub struct GroupItem {
    /// A unique, HTML-safe suffix for the group's ids.
    pub key: usize,
    /// The link reason and its value: what the dismiss form sends back.
    pub reason: String,
    pub value: String,
    pub headline: String,
    pub explanation: Vec<String>,
    pub open: usize,
    pub sources: Vec<SourceItem>,
    /// Every alert dismissed for the same reason: said once for the group.
    pub dismissed: Option<String>,
    /// Why the last dismissal of this group was refused.
    pub error: Option<String>,
}

/// Which photo a poster uses: the most recently taken, the last added among equals (as
/// the service chooses it).
fn poster_photo(photos: &[casework::PhotoRef]) -> Option<usize> {
    photos
        .iter()
        .enumerate()
        .max_by_key(|(i, p)| (p.taken_on, *i))
        .map(|(i, _)| i)
}

/// A photo of the child on the case page.
pub struct PhotoItem {
    pub id: String,
    pub taken_on: String,
    /// The photo the poster uses: the most recent.
    pub on_poster: bool,
}

pub struct AgencyItem {
    pub id: i64,
    pub name: String,
    pub covers: String,
    pub in_jurisdiction: bool,
    pub shared: bool,
}

pub struct WorkItem {
    pub next: Vec<(&'static str, &'static str)>,
    pub assign_to: Vec<(String, String, bool)>,
    pub agencies: Vec<AgencyItem>,
}

#[derive(Template)]
#[template(path = "case.html")]
struct DetailPage {
    layout: Layout,
    id: i64,
    name: String,
    priority: &'static str,
    priority_class: &'static str,
    score: String,
    /// Set when the stored priority differs from the assessment now (the catalogue
    /// changed, or the child is older).
    stale: Option<String>,
    status: &'static str,
    facts: Vec<(&'static str, String)>,
    flags: Vec<(String, String, String)>,
    reasons: Vec<String>,
    child: Vec<(&'static str, String)>,
    timeline: Vec<(String, &'static str, String)>,
    episodes: Vec<EpisodeItem>,
    episode_form: Option<Vec<Group>>,
    episode_errors: Vec<(String, String)>,
    /// `None` for a reader who may not see alerts (they name other records).
    alert_groups: Option<Vec<GroupItem>>,
    /// Groups with alerts not yet dismissed.
    open_groups: usize,
    work: Option<WorkItem>,
    shares: Vec<(String, String, String)>,
    published: bool,
    can_publish: bool,
    publish_form: Vec<Field>,
    publish_errors: Vec<(String, String)>,
    can_photo: bool,
    photo_error: Option<String>,
    photos: Vec<PhotoItem>,
    /// The case number people read.
    number: String,
    /// Long timelines fold.
    timeline_long: bool,
    /// Family advocates may open the family's support case from here.
    can_open_family: bool,
    /// Watchlists (issue 24): the hotline's staff may watch the case (investigators do not
    /// see cases through link analysis, so a watch would tell them nothing).
    can_watch: bool,
}

/// What to show again on a case page after a form failed.
#[derive(Default)]
struct Again {
    episode: Option<(EpisodeForm, String, FormErrors)>,
    /// (episode, form, open a plan ticked, errors).
    recovery: Option<(i64, RecoveryForm, bool, FormErrors)>,
    publish: Option<(String, String, FormErrors)>,
    photo_error: Option<String>,
    /// A group dismissal refused: (link reason, value, message).
    dismiss_error: Option<(String, String, String)>,
}

fn describe_age(d: &CaseDetail) -> String {
    match d.file.child.age_on(d.today) {
        Some(a) => a.explain(),
        None => "not recorded".into(),
    }
}

fn detail_page(ctx: &Ctx, d: CaseDetail, again: Again, plans: &[(i64, i64)]) -> DetailPage {
    let can_plan = permits(ctx.identity.principal(), Action::ManageRecoveryPlans);
    let today = iso(d.today);
    let none = FormErrors::default();
    let r = &d.case;
    let (priority, priority_class) = priority_of(r.priority_rank);
    let c = &d.file.child;
    let mut facts = vec![
        ("Case number", r.case_number.clone()),
        ("Status", r.status.label().to_owned()),
        (
            "Reported through",
            match r.source.as_str() {
                "caseworker" => "a caseworker's report".to_owned(),
                "hotline" => "the hotline".to_owned(),
                _ => "an import".to_owned(),
            },
        ),
    ];
    if let Some(x) = &r.imported_id {
        facts.push(("Imported as", x.clone()));
    }
    if let Some(o) = &d.owner_name {
        facts.push(("Agency", o.clone()));
    }
    facts.push((
        "Assigned to",
        d.assignee_name.clone().unwrap_or_else(|| "nobody".into()),
    ));
    facts.push((
        "Missing",
        match (&r.missing_since, r.currently_missing) {
            (Some(s), true) => match ago(s, d.today) {
                Some(a) => format!("for {a}, since {s}"),
                None => format!("since {s}"),
            },
            _ => "no: every episode has a recovery".into(),
        },
    ));
    facts.push((
        "Poster",
        if r.published {
            format!(
                "published with the consent of {} recorded on {}",
                r.consent_given_by.clone().unwrap_or_default(),
                r.consent_recorded_on.clone().unwrap_or_default()
            )
        } else {
            "not published".into()
        },
    ));
    let mut child = vec![("Name", c.name.clone())];
    if !c.aliases.is_empty() {
        child.push(("Other names", c.aliases.join(", ")));
    }
    child.push(("Age now", describe_age(&d)));
    if let Some(s) = c.sex {
        child.push(("Sex", s.label().to_owned()));
    }
    if !c.description.is_empty() {
        child.push(("Description", c.description.clone()));
    }
    child.push(("Custody", c.custody.label().to_owned()));
    if let Some(a) = &c.agency {
        let mut cw = a.caseworker.name.clone();
        for x in [&a.caseworker.phone, &a.caseworker.email]
            .into_iter()
            .flatten()
        {
            cw.push_str(&format!(", {x}"));
        }
        child.push(("Agency with custody", a.name.clone()));
        child.push(("Caseworker", cw));
    }
    for g in &c.guardians {
        let mut s = g.name.clone();
        if !g.relation.is_empty() {
            s.push_str(&format!(" ({})", g.relation));
        }
        for x in [&g.phone, &g.email].into_iter().flatten() {
            s.push_str(&format!(", {x}"));
        }
        child.push(("Guardian", s));
    }
    let ids = &d.file.identifiers;
    if !ids.phones.is_empty() {
        child.push(("Child's phones", ids.phones.join(", ")));
    }
    if !ids.emails.is_empty() {
        child.push(("Child's emails", ids.emails.join(", ")));
    }
    if !ids.handles.is_empty() {
        child.push(("Child's handles", ids.handles.join(", ")));
    }
    let mut sorted: Vec<&service::cases::StoredEpisode> = d.episodes.iter().collect();
    sorted.sort_by_key(|e| (e.episode.reported_on, e.id));
    let episodes = sorted
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let ep = &e.episode;
            let open = ep.recovered.is_none();
            let (rec_form, rec_plan, rec_errs) = match &again.recovery {
                Some((eid, f, plan, errs)) if *eid == e.id => (f.clone(), *plan, errs),
                _ => (RecoveryForm::default(), true, &none),
            };
            let plan = plans.iter().find(|(ep, _)| *ep == e.id).map(|(_, p)| *p);
            let prefix = format!("rec-{}-", e.id);
            let fields = Fields {
                prefix: &prefix,
                errors: rec_errs,
                today: today.clone(),
            };
            EpisodeItem {
                id: e.id,
                number: i + 1,
                reported_on: iso(ep.reported_on),
                missing_since: iso(ep.missing_since()),
                last_seen: ep.last_seen_place.to_string(),
                circumstance: ep.circumstance.label(),
                reported_by: ep.reported_by.clone(),
                narrative: e.narrative.clone(),
                recovery: ep.recovered.as_ref().map(|r| {
                    let place = r
                        .place
                        .as_ref()
                        .map(|p| format!(" in {p}"))
                        .unwrap_or_default();
                    format!("{}{place}: {}", iso(r.on), r.how)
                }),
                recovery_form: (open && d.may.update).then(|| recovery_fields(&fields, &rec_form)),
                recovery_errors: error_list(&prefix, rec_errs),
                plan_link: (!open && can_plan && plan.is_none())
                    .then(|| format!("/recovery/plans/new?case={}&episode={}", r.id, e.id)),
                plan,
                offer_plan: (open && d.may.update && can_plan && plan.is_none())
                    .then_some(rec_plan),
            }
        })
        .collect();
    let (ep_form, ep_narrative, ep_errs) = match &again.episode {
        Some((f, n, e)) => (f.clone(), n.clone(), e),
        None => (
            EpisodeForm {
                reported_on: today.clone(),
                ..EpisodeForm::default()
            },
            String::new(),
            &none,
        ),
    };
    let ep_fields = Fields {
        prefix: "ep-",
        errors: ep_errs,
        today: today.clone(),
    };
    let episode_form = d
        .may
        .report_episode
        .then(|| episode_groups(&ep_fields, &ep_form, &ep_narrative, true));
    let dismissed_note = |a: &service::cases::AlertView| {
        a.dismissed_at.map(|t| {
            format!(
                "Dismissed by {} on {} UTC: {}",
                a.dismissed_by.clone().unwrap_or_default(),
                when(t),
                a.dismiss_reason.clone().unwrap_or_default()
            )
        })
    };
    let alert_groups = d.alerts.as_ref().map(|list| {
        service::cases::group_alerts(list)
            .into_iter()
            .enumerate()
            .map(|(key, g)| {
                let reasons: Vec<Option<&String>> =
                    g.alerts.iter().map(|a| a.dismiss_reason.as_ref()).collect();
                let one_reason = g.open == 0 && reasons.windows(2).all(|w| w[0] == w[1]);
                let dismissed = if one_reason {
                    g.alerts.first().and_then(dismissed_note)
                } else {
                    None
                };
                let error = again
                    .dismiss_error
                    .as_ref()
                    .filter(|e| e.0 == g.reason && e.1 == g.value)
                    .map(|e| e.2.clone());
                GroupItem {
                    key,
                    error,
                    sources: g
                        .alerts
                        .iter()
                        .map(|a| SourceItem {
                            label: a.source_label.clone(),
                            href: super::record_href(a.source),
                            raised: when(a.created_at),
                            evidence: if g.reason == "person" {
                                a.evidence.clone()
                            } else {
                                Vec::new()
                            },
                            dismissed: if one_reason { None } else { dismissed_note(a) },
                        })
                        .collect(),
                    reason: g.reason,
                    value: g.value,
                    headline: g.headline,
                    explanation: g.explanation,
                    open: g.open,
                    dismissed,
                }
            })
            .collect::<Vec<_>>()
    });
    let open_groups = alert_groups.iter().flatten().filter(|g| g.open > 0).count();
    let on_poster = poster_photo(&c.photos);
    let photos = c
        .photos
        .iter()
        .enumerate()
        .map(|(i, p)| PhotoItem {
            id: p.id.clone(),
            taken_on: p.taken_on.map(iso).unwrap_or_default(),
            on_poster: Some(i) == on_poster,
        })
        .collect();
    let shared: Vec<OrgId> = d.shares.iter().map(|s| s.org_id).collect();
    let work = d.work.as_ref().map(|w| WorkItem {
        next: r
            .status
            .next_steps()
            .iter()
            .map(|s| (s.as_str(), s.action_label()))
            .collect(),
        assign_to: w
            .assignable
            .iter()
            .map(|u| {
                (
                    u.1.clone(),
                    format!("{} ({})", u.2, u.1),
                    r.assignee == Some(u.0),
                )
            })
            .collect(),
        agencies: w
            .agencies
            .iter()
            .map(|a| AgencyItem {
                id: a.id.0,
                name: a.name.clone(),
                covers: a.covers.join(", "),
                in_jurisdiction: a.in_jurisdiction,
                shared: shared.contains(&a.id),
            })
            .collect(),
    });
    let (given_by, recorded_on, pub_errs) = match &again.publish {
        Some((g, o, e)) => (g.clone(), o.clone(), e),
        None => (String::new(), today.clone(), &none),
    };
    let pub_fields = Fields {
        prefix: "pub-",
        errors: pub_errs,
        today: today.clone(),
    };
    let publish_form = vec![
        pub_fields
            .make("consent_given_by", "Consent given by", "text", &given_by)
            .hint("The guardian, or the agency with custody and who spoke for it.")
            .required(),
        pub_fields
            .make(
                "consent_recorded_on",
                "Consent recorded on",
                "date",
                &recorded_on,
            )
            .required(),
    ];
    DetailPage {
        can_open_family: domain::policy::permits(ctx.identity.principal(), domain::Action::AdvocateFamilies),
        can_watch: domain::policy::permits(ctx.identity.principal(), domain::Action::WatchRecords)
            && domain::policy::permits(ctx.identity.principal(), domain::Action::ReviewCases),
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            &format!("{} ({})", c.name, r.case_number),
            &ctx.path,
        ),
        id: r.id,
        name: c.name.clone(),
        priority,
        priority_class,
        score: format!("{:.1}", r.score_milli as f64 / 1000.0),
        stale: (i64::from(d.assessment.priority.rank()) != r.priority_rank).then(|| {
            format!(
                "Assessed today, this case would be {}; the stored priority is updated when the case changes or priorities are recomputed.",
                d.assessment.priority.label().to_lowercase()
            )
        }),
        status: r.status.label(),
        facts,
        flags: d
            .flags
            .iter()
            .map(|f| (f.id.clone(), f.label.clone(), f.reason.clone()))
            .collect(),
        reasons: d.assessment.reasons.clone(),
        child,
        timeline: d
            .timeline
            .iter()
            .map(|t| {
                let kind = match t.kind {
                    casework::TimelineKind::Missing => "Missing",
                    casework::TimelineKind::Recovered => "Recovered",
                    casework::TimelineKind::Report(_) => "Report",
                    casework::TimelineKind::Alert(_) => "Alert",
                };
                (iso(t.on), kind, t.text.clone())
            })
            .collect(),
        episodes,
        episode_form,
        episode_errors: error_list("ep-", ep_errs),
        alert_groups,
        open_groups,
        work,
        shares: d
            .shares
            .iter()
            .map(|s| (s.org_name.clone(), s.shared_by.clone(), when(s.shared_at)))
            .collect(),
        published: r.published,
        can_publish: d.may.publish,
        publish_form,
        publish_errors: error_list("pub-", pub_errs),
        can_photo: d.may.update,
        photo_error: again.photo_error,
        photos,
        number: r.case_number.clone(),
        timeline_long: d.timeline.len() > 8,
    }
}

async fn show(
    ctx: &Ctx,
    id: CaseId,
    again: Again,
    status: StatusCode,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let d = ctx
        .state
        .services
        .case_detail(p, id, ctx.ip.clone())
        .await?;
    let plans = ctx.state.services.case_plans(p, id.0).await?;
    let mut res = render(&detail_page(ctx, d, again, &plans))?.into_response();
    *res.status_mut() = status;
    Ok(res)
}

/// The case page.
pub async fn detail(ctx: Ctx, Path(id): Path<CaseId>) -> Result<Response, AppError> {
    show(&ctx, id, Again::default(), StatusCode::OK).await
}

pub async fn add_episode(
    ctx: Ctx,
    Path(id): Path<CaseId>,
    body: Bytes,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let pairs = form_pairs(&body);
    let form = episode_form(&pairs);
    let narrative = get(&pairs, "narrative");
    match ctx
        .state
        .services
        .add_episode(p, id, &form, &narrative, ctx.ip.clone())
        .await
    {
        Ok(_) => Ok(flash::redirect(
            &ctx,
            &format!("/cases/{id}"),
            "The episode was recorded.",
        )),
        Err(CaseError::Form(errs)) => {
            let again = Again {
                episode: Some((form, narrative, errs)),
                ..Again::default()
            };
            show(&ctx, id, again, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(CaseError::Service(e)) => Err(e.into()),
    }
}

/// The recovery form as posted: its fields and the "open a recovery plan" box.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RecoveryPost {
    recovered_on: String,
    recovery_city: String,
    recovery_state: String,
    recovery_how: String,
    /// `yes` when the box is ticked.
    open_plan: String,
}

pub async fn record_recovery(
    ctx: Ctx,
    Path((id, episode_id)): Path<(CaseId, EpisodeId)>,
    axum::Form(post): axum::Form<RecoveryPost>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let f = RecoveryForm {
        recovered_on: post.recovered_on,
        recovery_city: post.recovery_city,
        recovery_state: post.recovery_state,
        recovery_how: post.recovery_how,
    };
    let open_plan = post.open_plan == "yes";
    match ctx
        .state
        .services
        .record_recovery(p, id, episode_id, &f, open_plan, ctx.ip.clone())
        .await
    {
        Ok(Some(plan)) => Ok(flash::redirect_with_link(
            &ctx,
            &format!("/cases/{id}"),
            "The recovery was recorded and a recovery plan was opened for the young person, with you on its team.",
            &format!("/recovery/plans/{plan}"),
            "Open the recovery plan",
        )),
        Ok(None) if open_plan => Ok(flash::redirect(
            &ctx,
            &format!("/cases/{id}"),
            "The recovery was recorded. No plan was opened: this episode already has one, or you may not open recovery plans.",
        )),
        Ok(None) => Ok(flash::redirect(
            &ctx,
            &format!("/cases/{id}"),
            "The recovery was recorded. Open a recovery plan for the young person from the episode below.",
        )),
        Err(CaseError::Form(errs)) => {
            let again = Again {
                recovery: Some((episode_id.0, f, open_plan, errs)),
                ..Again::default()
            };
            show(&ctx, id, again, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(CaseError::Service(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
    /// Why, when closing.
    #[serde(default)]
    reason: String,
}

pub async fn set_status(
    ctx: Ctx,
    Path(id): Path<CaseId>,
    axum::Form(f): axum::Form<StatusForm>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let to = CaseStatus::parse(&f.status)
        .ok_or_else(|| AppError::bad_request("choose one of the statuses offered"))?;
    ctx.state
        .services
        .set_case_status(p, id, to, &f.reason, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        &format!("/cases/{id}"),
        format!("The case is now “{}”.", to.label()),
    ))
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    assign_to: String,
}

pub async fn assign(
    ctx: Ctx,
    Path(id): Path<CaseId>,
    axum::Form(f): axum::Form<AssignForm>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let to = (!f.assign_to.is_empty() && f.assign_to != "none").then_some(f.assign_to.as_str());
    ctx.state
        .services
        .assign_case(p, id, to, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        &format!("/cases/{id}"),
        match to {
            Some(u) => format!("The case was assigned to {u}."),
            None => "The case is no longer assigned to anyone.".to_owned(),
        },
    ))
}

pub async fn share(ctx: Ctx, Path(id): Path<CaseId>, body: Bytes) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let orgs: Vec<OrgId> = form_pairs(&body)
        .iter()
        .filter(|(k, _)| k == "agency")
        .filter_map(|(_, v)| v.parse().ok().map(OrgId))
        .collect();
    ctx.state
        .services
        .share_case(p, id, &orgs, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        &format!("/cases/{id}"),
        format!("The case was made available to {}.", agencies(orgs.len())),
    ))
}

#[derive(Deserialize)]
pub struct DismissForm {
    #[serde(default)]
    reason: String,
}

pub async fn dismiss_alert(
    ctx: Ctx,
    Path((id, alert_id)): Path<(CaseId, AlertId)>,
    axum::Form(f): axum::Form<DismissForm>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    ctx.state
        .services
        .dismiss_case_alert(p, id, alert_id, &f.reason, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        &format!("/cases/{id}"),
        "The alert was dismissed; the reason is kept in the audit log.",
    ))
}

#[derive(Deserialize)]
pub struct DismissGroupForm {
    /// The link reason of the group (`phone`, `email`, `handle`, `person`).
    #[serde(default)]
    kind: String,
    /// What matched: the identifier, or the names of a person match.
    #[serde(default)]
    value: String,
    #[serde(default)]
    reason: String,
}

/// Dismisses every open alert of one group with one reason; a missing reason shows the
/// case again with the message beside the group's field.
pub async fn dismiss_alert_group(
    ctx: Ctx,
    Path(id): Path<CaseId>,
    axum::Form(f): axum::Form<DismissGroupForm>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    match ctx
        .state
        .services
        .dismiss_case_alert_group(p, id, &f.kind, &f.value, &f.reason, ctx.ip.clone())
        .await
    {
        Ok(n) => Ok(flash::redirect(
            &ctx,
            &format!("/cases/{id}"),
            if n == 1 {
                "1 alert was dismissed with your reason.".to_owned()
            } else {
                format!("{n} alerts were dismissed with your reason.")
            },
        )),
        Err(service::ServiceError::Invalid(m)) => {
            let again = Again {
                dismiss_error: Some((f.kind, f.value, m)),
                ..Again::default()
            };
            show(&ctx, id, again, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct PublishForm {
    /// `publish` or `withdraw`.
    #[serde(default)]
    action: String,
    #[serde(default)]
    consent_given_by: String,
    #[serde(default)]
    consent_recorded_on: String,
}

pub async fn publication(
    ctx: Ctx,
    Path(id): Path<CaseId>,
    axum::Form(f): axum::Form<PublishForm>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    if f.action == "withdraw" {
        services.withdraw_publication(p, id, ctx.ip.clone()).await?;
        return Ok(flash::redirect(
            &ctx,
            &format!("/cases/{id}"),
            "The case is no longer published.",
        ));
    }
    match services
        .publish_case(
            p,
            id,
            &f.consent_given_by,
            &f.consent_recorded_on,
            ctx.ip.clone(),
        )
        .await
    {
        Ok(()) => Ok(flash::redirect(
            &ctx,
            &format!("/cases/{id}"),
            "The case is marked for publication; its poster is ready.",
        )),
        Err(CaseError::Form(errs)) => {
            let again = Again {
                publish: Some((f.consent_given_by, f.consent_recorded_on, errs)),
                ..Again::default()
            };
            show(&ctx, id, again, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(CaseError::Service(e)) => Err(e.into()),
    }
}

/// A photo of the child, sent as `multipart/form-data` (fields `csrf_token`, `photo`,
/// `taken_on`) by a plain form: the answer is a redirect to the case page, or the case page
/// again with the problem beside the field.
pub async fn add_photo(
    ctx: Ctx,
    Path(id): Path<CaseId>,
    mut form: Multipart,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let mut bytes = Vec::new();
    let mut taken_on = String::new();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| AppError::bad_request("the upload was cut off; send the photo again"))?
    {
        match field.name() {
            Some("photo") => {
                bytes = field
                    .bytes()
                    .await
                    .map_err(|_| {
                        AppError::bad_request("the upload was cut off; send the photo again")
                    })?
                    .to_vec();
            }
            Some("taken_on") => taken_on = field.text().await.unwrap_or_default(),
            _ => {}
        }
    }
    let result = if bytes.is_empty() {
        Err(CaseError::Form(FormErrors(vec![casework::FieldError {
            field: "photo".into(),
            message: "choose a photo (JPEG or PNG) to upload".into(),
        }])))
    } else {
        ctx.state
            .services
            .add_case_photo(p, id, bytes, &taken_on, ctx.ip.clone())
            .await
    };
    match result {
        Ok(()) => {
            let to = format!("/cases/{id}");
            let mut res = flash::redirect(&ctx, &to, "The photo was added.");
            if let Ok(v) = HeaderValue::from_str(&to) {
                res.headers_mut().insert("hx-redirect", v);
            }
            Ok(res)
        }
        Err(CaseError::Form(errs)) => {
            let again = Again {
                photo_error: errs.0.first().map(|e| e.message.clone()),
                ..Again::default()
            };
            show(&ctx, id, again, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(CaseError::Service(e)) => Err(e.into()),
    }
}

/// A photo of the child, as an image: sanitised, shown inline, never cached, and its
/// every view audited by the service.
pub async fn photo(
    ctx: Ctx,
    Path((id, photo)): Path<(CaseId, String)>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let image = ctx
        .state
        .services
        .case_photo(p, id, &photo, ctx.ip.clone())
        .await?;
    let name = format!(
        "inline; filename=\"case-{id}-photo.{}\"",
        if image.mime() == "image/png" {
            "png"
        } else {
            "jpg"
        }
    );
    Ok((
        [
            (header::CONTENT_TYPE, image.mime().to_owned()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        image.into_bytes(),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "case_photo.html")]
struct PhotoPage {
    layout: Layout,
    id: i64,
    name: String,
    number: String,
    photo: PhotoItem,
    can_remove: bool,
    error: Option<String>,
}

async fn photo_page(
    ctx: &Ctx,
    id: CaseId,
    photo: &str,
    error: Option<String>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let d = ctx
        .state
        .services
        .case_detail(p, id, ctx.ip.clone())
        .await?;
    let c = &d.file.child;
    let Some(at) = c.photos.iter().position(|x| x.id == photo) else {
        return Err(AppError::not_found());
    };
    let found = &c.photos[at];
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = PhotoPage {
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            &format!("Photo of {} ({})", c.name, d.case.case_number),
            &ctx.path,
        ),
        id: id.0,
        name: c.name.clone(),
        number: d.case.case_number.clone(),
        photo: PhotoItem {
            id: found.id.clone(),
            taken_on: found.taken_on.map(iso).unwrap_or_default(),
            on_poster: poster_photo(&c.photos) == Some(at),
        },
        can_remove: d.may.update,
        error,
    };
    let mut res = render(&page)?.into_response();
    *res.status_mut() = status;
    Ok(res)
}

/// A larger view of one photo, with its removal for those who may change the case.
pub async fn photo_view(
    ctx: Ctx,
    Path((id, photo)): Path<(CaseId, String)>,
) -> Result<Response, AppError> {
    photo_page(&ctx, id, &photo, None).await
}

#[derive(Deserialize)]
pub struct RemovePhotoForm {
    /// `yes` once the person confirmed.
    #[serde(default)]
    confirm: String,
}

/// Removes a photo once the person has confirmed it (audited by the service).
pub async fn remove_photo(
    ctx: Ctx,
    Path((id, photo)): Path<(CaseId, String)>,
    axum::Form(f): axum::Form<RemovePhotoForm>,
) -> Result<Response, AppError> {
    if f.confirm != "yes" {
        return photo_page(
            &ctx,
            id,
            &photo,
            Some("Tick the box to confirm that this photo should be removed from the case".into()),
        )
        .await;
    }
    let p = ctx.principal()?;
    ctx.state
        .services
        .remove_case_photo(p, id, &photo, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        &format!("/cases/{id}"),
        "The photo was removed.",
    ))
}

#[derive(Template)]
#[template(path = "case_poster.html")]
struct PosterPage {
    id: i64,
    name: String,
    fields: Vec<(&'static str, String)>,
    /// A `data:` URL of the photo without its metadata.
    photo: Option<String>,
    hotline: String,
}

/// The poster as an accessible page: the same published fields as the PDF, nothing else.
pub async fn poster(ctx: Ctx, Path(id): Path<CaseId>) -> Result<Html<String>, AppError> {
    use base64::Engine;
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    let poster = services.case_poster(p, id, ctx.ip.clone()).await?;
    let photo = poster.photo().map(|ph| {
        format!(
            "data:{};base64,{}",
            ph.mime(),
            base64::engine::general_purpose::STANDARD.encode(ph.bytes())
        )
    });
    let fields: Vec<(&'static str, String)> = poster
        .fields()
        .into_iter()
        .filter(|(label, _)| *label != "If you have information, call")
        .collect();
    render(&PosterPage {
        id: id.0,
        name: poster.name().to_owned(),
        fields,
        photo,
        hotline: poster.hotline().to_owned(),
    })
}

/// The poster as a printable PDF.
pub async fn poster_pdf(ctx: Ctx, Path(id): Path<CaseId>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let poster = ctx
        .state
        .services
        .case_poster(p, id, ctx.ip.clone())
        .await?;
    Ok(pdf_response(&poster, id))
}

/// The PDF of a poster, as the page and the API send it.
pub fn pdf_response(poster: &casework::PosterData, id: CaseId) -> Response {
    let pdf = casework::render_pdf(poster);
    let name = format!("attachment; filename=\"missing-child-poster-{id}.pdf\"");
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&name)
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
        ],
        pdf,
    )
        .into_response()
}

/// "1 agency", "3 agencies".
fn agencies(n: usize) -> String {
    if n == 1 {
        "1 agency".to_owned()
    } else {
        format!("{n} agencies")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_safe_for_html() {
        assert_eq!(id_of("ep-", "guardians[1].phone"), "ep-guardians_1__phone");
    }
}
