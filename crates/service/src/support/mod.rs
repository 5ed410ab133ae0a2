//! Requests for analytical support (issue 24): law enforcement asks the hotline's analysts
//! for help. An investigator (`RequestAnalyticalSupport`) sends what they need, the
//! identifiers they hold and how urgent it is; they and their agency's colleagues follow
//! their agency's requests. The hotline's analysts and supervisors (`AnswerSupportRequests`)
//! work the queue (the most urgent first, then the oldest), take a request, answer it with
//! text and, optionally, a link chart shared with the requester's agency in the same
//! transaction, and close it. A request of another agency is "not found" to an
//! investigator. Every change is audited (`support.*`), every view of one too.

use crate::accounts::Page;
use crate::audit::{audited, By, Subject};
use crate::error::{Result, ServiceError};
use crate::families::allow;
use crate::linking::charts::ShareChart;
use crate::{Ip, Services};
use domain::policy::permits;
use domain::support::{SupportStatus, Urgency};
use domain::{Action, OrgId, OrgKind, Principal, RecordRef, UserId};
use store::charts::{self as q, NewSupportRequest, SupportFilter, SupportRow};

/// The longest description of what is needed.
pub const NEED_MAX_CHARS: usize = 5_000;
/// The longest list of identifiers, and the most lines it may hold.
pub const IDENTIFIERS_MAX_CHARS: usize = 5_000;
pub const IDENTIFIERS_MAX_LINES: usize = 100;
/// The longest answer.
pub const ANSWER_MAX_CHARS: usize = 20_000;

/// The request form as sent (pages and API alike).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SupportForm {
    pub need: String,
    /// One identifier a line (commas also separate).
    pub identifiers: String,
    /// `routine`, `urgent` or `immediate`.
    pub urgency: String,
}

/// One thing wrong with the form, by its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormProblem {
    pub field: &'static str,
    pub message: String,
}

#[derive(Debug)]
pub enum SupportError {
    Form(Vec<FormProblem>),
    Service(ServiceError),
}

impl From<ServiceError> for SupportError {
    fn from(e: ServiceError) -> Self {
        SupportError::Service(e)
    }
}

impl From<store::StoreError> for SupportError {
    fn from(e: store::StoreError) -> Self {
        SupportError::Service(e.into())
    }
}

/// The identifiers of a form: one a line or separated by commas, trimmed, empty ones and
/// repeats dropped, in the order given.
pub fn parse_identifiers(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in raw
        .split(['\n', ','])
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        if !out.iter().any(|o| o == v) {
            out.push(v.to_owned());
        }
    }
    out
}

/// The form checked: every problem named by its field.
fn check(f: &SupportForm) -> std::result::Result<(String, Vec<String>, Urgency), Vec<FormProblem>> {
    let mut problems = Vec::new();
    let need = f.need.trim();
    if need.is_empty() {
        problems.push(FormProblem {
            field: "need",
            message: "Say what you need from the analysts".into(),
        });
    } else if need.chars().count() > NEED_MAX_CHARS {
        problems.push(FormProblem {
            field: "need",
            message: format!("What you need must be {NEED_MAX_CHARS} characters or fewer"),
        });
    }
    let identifiers = parse_identifiers(&f.identifiers);
    if f.identifiers.chars().count() > IDENTIFIERS_MAX_CHARS
        || identifiers.len() > IDENTIFIERS_MAX_LINES
    {
        problems.push(FormProblem {
            field: "identifiers",
            message: format!(
                "Give at most {IDENTIFIERS_MAX_LINES} identifiers, {IDENTIFIERS_MAX_CHARS} characters in all"
            ),
        });
    }
    let urgency = match f.urgency.trim().parse::<Urgency>() {
        Ok(u) => Some(u),
        Err(_) => {
            problems.push(FormProblem {
                field: "urgency",
                message: "Choose how urgent it is: routine, urgent, or immediate (a child is at risk now)".into(),
            });
            None
        }
    };
    match urgency {
        Some(u) if problems.is_empty() => Ok((need.to_owned(), identifiers, u)),
        _ => Err(problems),
    }
}

/// A request as its pages and the API show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportView {
    pub id: i64,
    pub requester: String,
    pub org_id: OrgId,
    pub org_name: String,
    pub need: String,
    pub identifiers: Vec<String>,
    pub urgency: Urgency,
    pub status: SupportStatus,
    pub assignee: Option<String>,
    pub assignee_id: Option<UserId>,
    pub answer: Option<String>,
    /// The chart the answer shared with the requester's agency.
    pub answer_chart: Option<i64>,
    pub answered_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub answered_at: Option<i64>,
    pub closed_at: Option<i64>,
}

impl From<SupportRow> for SupportView {
    fn from(r: SupportRow) -> Self {
        SupportView {
            id: r.id,
            requester: r.requester,
            org_id: r.org_id,
            org_name: r.org_name,
            need: r.need,
            identifiers: parse_identifiers(&r.identifiers),
            urgency: r.urgency,
            status: r.status,
            assignee: r.assignee_name,
            assignee_id: r.assignee,
            answer: r.answer,
            answer_chart: r.answer_chart,
            answered_by: r.answered_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
            answered_at: r.answered_at,
            closed_at: r.closed_at,
        }
    }
}

/// A request's number as people say it: `SR-000012`.
pub fn request_number(id: i64) -> String {
    format!("SR-{id:06}")
}

/// What a list holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SupportQuery {
    /// Only this status; without one, closed requests are left out.
    pub status: Option<SupportStatus>,
    /// Closed ones too (when no status is chosen).
    pub include_closed: bool,
}

/// An answer: text, and optionally the cluster of a record to share with the requester's
/// agency as a chart.
#[derive(Debug, Clone, Default)]
pub struct AnswerForm {
    pub answer: String,
    pub chart_start: Option<RecordRef>,
    /// The chart's title (empty: "Link chart of N records").
    pub chart_title: String,
}

impl Services {
    /// The hotline's analysts see every request; an investigator their agency's only.
    fn agency_scope(who: &Principal) -> Option<OrgId> {
        if permits(Some(who), Action::AnswerSupportRequests) {
            None
        } else {
            Some(who.org_id)
        }
    }

    /// A request the reader may see, else "not found".
    async fn visible_request(&self, who: &Principal, id: i64) -> Result<SupportRow> {
        allow(who, Action::ViewSupportRequests)?;
        let scope = Self::agency_scope(who);
        q::support_request(self.store.reader(), id)
            .await?
            .filter(|r| scope.is_none_or(|o| o == r.org_id))
            .ok_or(ServiceError::NotFound("the request"))
    }

    /// An investigator asks for analytical support; returns the request's id. Audited
    /// (`support.request`).
    pub async fn request_support(
        &self,
        who: &Principal,
        form: &SupportForm,
        ip: Ip,
    ) -> std::result::Result<i64, SupportError> {
        allow(who, Action::RequestAnalyticalSupport)?;
        if who.org_kind != OrgKind::LawEnforcement {
            return Err(ServiceError::Forbidden.into());
        }
        let (need, identifiers, urgency) = check(form).map_err(SupportError::Form)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = q::insert_support_request(
            &mut *tx,
            &NewSupportRequest {
                requested_by: who.user_id,
                org_id: who.org_id,
                need: &need,
                identifiers: &identifiers.join("\n"),
                urgency,
            },
            now,
        )
        .await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "support.request",
            Subject::Other("support_request".into(), id.to_string()),
            Some(format!("{urgency}, {} identifier(s)", identifiers.len())),
        )
        .await?;
        store::commit(tx).await?;
        Ok(id)
    }

    /// The queue (analysts: every agency's, the most urgent first, then the oldest) or an
    /// investigator's agency's requests.
    pub async fn support_requests(
        &self,
        who: &Principal,
        query: SupportQuery,
        page: i64,
        per_page: i64,
    ) -> Result<Page<SupportView>> {
        allow(who, Action::ViewSupportRequests)?;
        let filter = SupportFilter {
            org: Self::agency_scope(who),
            status: query.status,
            include_closed: query.include_closed,
        };
        let page = page.max(1);
        let per_page = per_page.clamp(1, 200);
        let items = q::support_requests(
            self.store.reader(),
            &filter,
            per_page,
            (page - 1) * per_page,
        )
        .await?
        .into_iter()
        .map(SupportView::from)
        .collect();
        let total = q::count_support_requests(self.store.reader(), &filter).await?;
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    /// One request. Audited as a view.
    pub async fn support_request(&self, who: &Principal, id: i64, ip: Ip) -> Result<SupportView> {
        let row = self.visible_request(who, id).await?;
        self.record_view(who, "support_request", &id.to_string(), ip)
            .await?;
        Ok(row.into())
    }

    /// An analyst takes a request (or takes it over). Audited (`support.assign`).
    pub async fn take_support_request(&self, who: &Principal, id: i64, ip: Ip) -> Result<()> {
        allow(who, Action::AnswerSupportRequests)?;
        let row = self.visible_request(who, id).await?;
        if !row.status.may_assign() {
            return Err(ServiceError::Invalid(format!(
                "the request is {}: it can no longer be taken",
                row.status.label().to_lowercase()
            )));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !q::assign_support_request(&mut tx, id, row.status, who.user_id, now).await? {
            return Err(ServiceError::Conflict(
                "the request changed meanwhile; reload it and try again".into(),
            ));
        }
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "support.assign",
            Subject::Other("support_request".into(), id.to_string()),
            Some(format!("to {}", who.username)),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Answers a request with text and, optionally, the cluster of a record shared with the
    /// requester's agency as a chart, in one transaction. Returns the chart's id, if any.
    /// Audited (`support.answer`, and `chart.share` for the chart).
    pub async fn answer_support_request(
        &self,
        who: &Principal,
        id: i64,
        form: &AnswerForm,
        ip: Ip,
    ) -> Result<Option<i64>> {
        allow(who, Action::AnswerSupportRequests)?;
        let row = self.visible_request(who, id).await?;
        if !row.status.may_answer() {
            return Err(ServiceError::Invalid(
                "the request is closed: it can no longer be answered".into(),
            ));
        }
        let answer = form.answer.trim();
        if answer.is_empty() {
            return Err(ServiceError::Invalid("write the answer".into()));
        }
        if answer.chars().count() > ANSWER_MAX_CHARS {
            return Err(ServiceError::Invalid(format!(
                "the answer must be {ANSWER_MAX_CHARS} characters or fewer"
            )));
        }
        let now = self.now();
        let by = By::person(who, ip, now);
        let mut tx = self.store.begin().await?;
        let chart = match form.chart_start {
            Some(start) => {
                let note = format!(
                    "In answer to {}: {}",
                    request_number(id),
                    row.need.chars().take(300).collect::<String>()
                );
                Some(
                    self.share_chart_in(
                        &mut tx,
                        &by,
                        who,
                        &ShareChart {
                            start,
                            org: row.org_id,
                            title: &form.chart_title,
                            note: &note,
                        },
                    )
                    .await?,
                )
            }
            None => None,
        };
        if !q::answer_support_request(&mut tx, id, row.status, who.user_id, answer, chart, now)
            .await?
        {
            return Err(ServiceError::Conflict(
                "the request changed meanwhile; reload it and try again".into(),
            ));
        }
        audited(
            &mut tx,
            &by,
            "support.answer",
            Subject::Other("support_request".into(), id.to_string()),
            chart.map(|c| format!("with chart {c}")),
        )
        .await?;
        store::commit(tx).await?;
        Ok(chart)
    }

    /// Closes a request. Audited (`support.close`).
    pub async fn close_support_request(&self, who: &Principal, id: i64, ip: Ip) -> Result<()> {
        allow(who, Action::AnswerSupportRequests)?;
        let row = self.visible_request(who, id).await?;
        if !row.status.may_close() {
            return Err(ServiceError::Invalid(
                "the request is already closed".into(),
            ));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !q::close_support_request(&mut tx, id, row.status, now).await? {
            return Err(ServiceError::Conflict(
                "the request changed meanwhile; reload it and try again".into(),
            ));
        }
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "support.close",
            Subject::Other("support_request".into(), id.to_string()),
            None,
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_split_trimmed_and_deduplicated() {
        assert_eq!(
            parse_identifiers(" +12125550147\n\nsam@example.org, +12125550147 ,@handle\r\n"),
            vec!["+12125550147", "sam@example.org", "@handle"]
        );
    }

    #[test]
    fn a_form_names_every_problem() {
        let e = check(&SupportForm::default()).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|p| p.field).collect();
        assert_eq!(fields, vec!["need", "urgency"]);
        let ok = check(&SupportForm {
            need: " Who else uses this phone? ".into(),
            identifiers: "+12125550147".into(),
            urgency: "immediate".into(),
        })
        .unwrap();
        assert_eq!(ok.0, "Who else uses this phone?");
        assert_eq!(ok.2, Urgency::Immediate);
    }
}
