//! The analysts' queue and the work on a report: status moves, assignment, notes, and
//! making a report available to the law-enforcement agencies of its jurisdiction. Every
//! change is audited in the transaction that makes it; an investigator's list holds only
//! what was made available to their agency.

pub mod assess;
pub mod leads;

use crate::accounts::Page;
use crate::audit::{audited, By, Subject};
use crate::error::{Result, ServiceError};
use crate::intake::ReportItem;
use crate::{Ip, Services};
use domain::policy::permits;
use domain::{
    Action, AssigneeFilter, OrgId, OrgKind, Principal, RecordRef, ReportId, ReportStatus, UserId,
};
use store::audit;
use store::reports::{ReportRow, ReportState};
use store::triage::{self as queries, NoteRow, QueueFilter, ShareRow};

/// The longest note kept; a note is a working remark, documents go in as files.
pub const NOTE_MAX_CHARS: usize = 10_000;
/// The most reports one bulk assignment may touch.
pub const BULK_MAX: usize = 500;

/// An agency a report could be made available to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    pub id: OrgId,
    pub name: String,
    /// Codes it covers, e.g. `["CA", "NV"]`.
    pub covers: Vec<String>,
    /// Whether it covers one of the report's states or countries.
    pub in_jurisdiction: bool,
}

/// The working state of one report beside its content: notes, sharing, who may get it.
#[derive(Debug, Clone)]
pub struct Work {
    pub notes: Vec<Note>,
    pub shares: Vec<Share>,
    pub agencies: Vec<Agency>,
    pub assignable: Vec<(UserId, String, String)>,
}

/// An analyst's note on a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub id: i64,
    /// The author's username.
    pub author: String,
    pub body: String,
    pub created_at: i64,
}

impl From<NoteRow> for Note {
    fn from(n: NoteRow) -> Self {
        Note {
            id: n.id,
            author: n.author,
            body: n.body,
            created_at: n.created_at,
        }
    }
}

/// A record (report or case) made available to a law-enforcement agency: to whom, by
/// whom and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub org_id: OrgId,
    pub org_name: String,
    /// The username of who made it available.
    pub shared_by: String,
    pub shared_at: i64,
}

impl From<ShareRow> for Share {
    fn from(s: ShareRow) -> Self {
        Share {
            org_id: s.org_id,
            org_name: s.org_name,
            shared_by: s.shared_by,
            shared_at: s.shared_at,
        }
    }
}

/// What the queue lists: every field narrows it. The caller fills it in from what the
/// analyst chose; the queue holds finished reports only, whoever asks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueQuery {
    /// A CyberTipline incident type as the schema spells it.
    pub incident_type: Option<String>,
    /// A USPS code.
    pub state: Option<String>,
    /// Without a status, closed reports are left out.
    pub status: Option<ReportStatus>,
    pub assignee: AssigneeFilter,
    /// An indicator id from the catalogue.
    pub indicator: Option<String>,
    /// 0 immediate … 3 low.
    pub priority_rank: Option<i64>,
    /// All of these words, in the report's text.
    pub words: Vec<String>,
    /// Only reports linked to something.
    pub has_link: bool,
    /// The column the queue is ordered by; ties keep the queue's order.
    pub sort: QueueSort,
    /// The chosen column from its largest value down.
    pub descending: bool,
}

/// A column the queue can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QueueSort {
    /// By rank, ascending the most urgent first: the queue's own order.
    #[default]
    Priority,
    Report,
    /// Ascending the shortest wait first.
    Waiting,
    IncidentType,
    Status,
}

impl QueueSort {
    pub const ALL: [QueueSort; 5] = [
        QueueSort::Priority,
        QueueSort::Report,
        QueueSort::Waiting,
        QueueSort::IncidentType,
        QueueSort::Status,
    ];

    /// The name in a URL's `sort=`.
    pub fn as_str(self) -> &'static str {
        match self {
            QueueSort::Priority => "priority",
            QueueSort::Report => "report",
            QueueSort::Waiting => "waiting",
            QueueSort::IncidentType => "incident_type",
            QueueSort::Status => "status",
        }
    }

    /// An unknown name is the queue's own order.
    pub fn parse(s: &str) -> QueueSort {
        QueueSort::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .unwrap_or_default()
    }

    fn order(self) -> queries::QueueOrder {
        use queries::QueueOrder as O;
        match self {
            QueueSort::Priority => O::Priority,
            QueueSort::Report => O::Report,
            QueueSort::Waiting => O::Waiting,
            QueueSort::IncidentType => O::IncidentType,
            QueueSort::Status => O::Status,
        }
    }
}

impl QueueQuery {
    fn filter(&self) -> QueueFilter {
        QueueFilter {
            incident_type: self.incident_type.clone(),
            state: self.state.clone(),
            status: self.status,
            include_closed: false,
            assignee: self.assignee,
            indicator: self.indicator.clone(),
            priority_rank: self.priority_rank,
            words: self.words.clone(),
            has_link: self.has_link,
            order: self.sort.order(),
            descending: self.descending,
        }
    }
}

fn codes(delimited: &str) -> Vec<String> {
    delimited.split_whitespace().map(str::to_owned).collect()
}

impl Services {
    fn require(&self, who: &Principal, action: Action) -> Result<()> {
        if permits(Some(who), action) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden)
        }
    }

    /// The queue: most urgent first, then the longest waiting.
    pub async fn queue(
        &self,
        who: &Principal,
        query: &QueueQuery,
        page: i64,
        per_page: i64,
    ) -> Result<Page<ReportItem>> {
        self.require(who, Action::ViewReports)?;
        let filter = query.filter();
        let page = page.max(1);
        let per_page = per_page.clamp(1, 200);
        let items = queries::queue_page(
            self.store.reader(),
            &filter,
            per_page,
            (page - 1) * per_page,
        )
        .await?
        .into_iter()
        .map(ReportItem::from)
        .collect();
        let total = queries::queue_count(self.store.reader(), &filter).await?;
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    /// Analysts and supervisors, who can be given reports: (id, username, name).
    pub async fn assignable_users(&self, who: &Principal) -> Result<Vec<(UserId, String, String)>> {
        self.require(who, Action::ViewReports)?;
        Ok(queries::assignable_users(self.store.reader()).await?)
    }

    /// Reports made available to the investigator's own agency.
    pub async fn leads(
        &self,
        who: &Principal,
        page: i64,
        per_page: i64,
    ) -> Result<Page<ReportItem>> {
        self.require(who, Action::ViewLeads)?;
        let page = page.max(1);
        let per_page = per_page.clamp(1, 200);
        let items = queries::leads_page(
            self.store.reader(),
            who.org_id,
            per_page,
            (page - 1) * per_page,
        )
        .await?
        .into_iter()
        .map(ReportItem::from)
        .collect();
        let total = queries::leads_count(self.store.reader(), who.org_id).await?;
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    /// Notes, sharing and the choices for assignment and sharing, for the report page.
    pub async fn report_work(&self, who: &Principal, report: &ReportItem) -> Result<Work> {
        self.require(who, Action::TriageReports)?;
        let notes = queries::notes(self.store.reader(), report.id)
            .await?
            .into_iter()
            .map(Note::from)
            .collect();
        let shares = queries::shares(self.store.reader(), report.id)
            .await?
            .into_iter()
            .map(Share::from)
            .collect();
        let mine = &report.states;
        let agencies = queries::agencies_covering(self.store.reader(), &[])
            .await?
            .into_iter()
            .map(|(id, name, j)| {
                let covers = codes(&j);
                let in_jurisdiction = covers.iter().any(|c| mine.contains(c));
                Agency {
                    id,
                    name,
                    covers,
                    in_jurisdiction,
                }
            })
            .collect();
        let assignable = queries::assignable_users(self.store.reader()).await?;
        Ok(Work {
            notes,
            shares,
            agencies,
            assignable,
        })
    }

    async fn finished(&self, id: i64) -> Result<ReportRow> {
        store::reports::by_id(self.store.reader(), id)
            .await?
            .filter(|r| r.state == ReportState::Finished)
            .ok_or(ServiceError::NotFound("the report"))
    }

    /// Moves a report to another status by the workflow's rules.
    pub async fn set_report_status(
        &self,
        who: &Principal,
        ReportId(id): ReportId,
        to: ReportStatus,
        reason: &str,
        ip: Ip,
    ) -> Result<()> {
        self.require(who, Action::TriageReports)?;
        let reason = domain::workflow::closing_reason(to == ReportStatus::Closed, reason)?;
        let row = self.finished(id).await?;
        if !row.status.may_move_to(to) {
            return Err(ServiceError::Invalid(format!(
                "a report that is “{}” cannot be moved to “{}”{}",
                row.status.label(),
                to.label(),
                if to == ReportStatus::MadeAvailable {
                    "; choose the agencies under “Make available to law enforcement”"
                } else {
                    ""
                }
            )));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !queries::set_status(&mut *tx, id, row.status, to, now).await? {
            return Err(ServiceError::Conflict(
                "someone changed this report's status a moment ago; reload the page to see it"
                    .into(),
            ));
        }
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "report.status",
            RecordRef::report(id),
            Some(domain::workflow::status_detail(
                row.status.as_str(),
                to.as_str(),
                reason,
            )),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Assigns reports to an analyst or supervisor (`None`: unassigns them), all in one
    /// transaction with one audit entry per report.
    pub async fn assign_reports(
        &self,
        who: &Principal,
        ids: &[ReportId],
        to: Option<&str>,
        ip: Ip,
    ) -> Result<usize> {
        self.require(who, Action::TriageReports)?;
        if ids.is_empty() {
            return Err(ServiceError::Invalid(
                "select at least one report to assign".into(),
            ));
        }
        if ids.len() > BULK_MAX {
            return Err(ServiceError::Invalid(format!(
                "assign at most {BULK_MAX} reports at a time"
            )));
        }
        let assignee = match to {
            None => None,
            Some(name) => {
                let users = queries::assignable_users(self.store.reader()).await?;
                let found = users
                    .into_iter()
                    .find(|(_, u, _)| u == name)
                    .ok_or_else(|| {
                        ServiceError::Invalid(format!(
                        "“{name}” is not an analyst or supervisor; choose someone from the list"
                    ))
                    })?;
                Some(found)
            }
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut n = 0;
        let by = By::person(who, ip, now);
        let mut entries = Vec::with_capacity(ids.len());
        for &ReportId(id) in ids {
            if queries::assign(&mut *tx, id, assignee.as_ref().map(|a| a.0), now).await? {
                n += 1;
                entries.push(
                    by.entry(
                        "report.assign",
                        RecordRef::report(id),
                        Some(
                            assignee
                                .as_ref()
                                .map_or("unassigned".into(), |a| a.1.clone()),
                        ),
                    ),
                );
            }
        }
        audit::append_many(&mut tx, entries, now).await?;
        store::commit(tx).await?;
        Ok(n)
    }

    pub async fn add_report_note(
        &self,
        who: &Principal,
        ReportId(id): ReportId,
        body: &str,
        ip: Ip,
    ) -> Result<()> {
        self.require(who, Action::TriageReports)?;
        let body = body.trim();
        if body.is_empty() {
            return Err(ServiceError::Invalid(
                "the note is empty; write something first".into(),
            ));
        }
        if body.chars().count() > NOTE_MAX_CHARS {
            return Err(ServiceError::Invalid(format!(
                "the note is longer than {NOTE_MAX_CHARS} characters; shorten it or attach a document"
            )));
        }
        self.finished(id).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let note = queries::add_note(&mut *tx, id, who.user_id, body, now).await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "report.note",
            RecordRef::report(id),
            Some(format!("note {note}")),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Makes a report available to law-enforcement agencies, with its files when `files`;
    /// the report moves to "made available". Each agency is audited.
    pub async fn make_available(
        &self,
        who: &Principal,
        ReportId(id): ReportId,
        agencies: &[OrgId],
        files: bool,
        ip: Ip,
    ) -> Result<usize> {
        self.require(who, Action::MakeAvailable)?;
        if agencies.is_empty() {
            return Err(ServiceError::Invalid(
                "choose at least one law-enforcement agency".into(),
            ));
        }
        let row = self.finished(id).await?;
        if !row.status.may_make_available() {
            return Err(ServiceError::Invalid(
                "a closed report cannot be made available; reopen it for review first".into(),
            ));
        }
        let mut names = Vec::new();
        for org in agencies {
            let o = store::orgs::by_id(self.store.reader(), *org)
                .await?
                .filter(|o| o.kind == OrgKind::LawEnforcement)
                .ok_or_else(|| {
                    ServiceError::Invalid(
                        "reports can be made available only to law-enforcement agencies".into(),
                    )
                })?;
            names.push(o);
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut added = 0;
        let by = By::person(who, ip, now);
        let mut entries = Vec::new();
        for o in &names {
            let new = queries::share(&mut *tx, id, o.id, who.user_id, now).await?;
            let with_files = files && store::leads::include_files(&mut *tx, id, o.id).await?;
            if new || with_files {
                added += usize::from(new);
                entries.push(by.entry(
                    "report.make_available",
                    RecordRef::report(id),
                    Some(format!(
                        "to {} (organisation {}){}",
                        o.name,
                        o.id.0,
                        if with_files { " with its files" } else { "" }
                    )),
                ));
            }
        }
        if row.status != ReportStatus::MadeAvailable {
            queries::set_status(&mut *tx, id, row.status, ReportStatus::MadeAvailable, now).await?;
        }
        audit::append_many(&mut tx, entries, now).await?;
        store::commit(tx).await?;
        Ok(added)
    }

    /// Sets the states and countries a law-enforcement agency covers (administrators).
    pub async fn set_agency_jurisdiction(
        &self,
        actor: &crate::accounts::Actor,
        org: OrgId,
        codes_text: &str,
        ip: Ip,
    ) -> Result<Vec<String>> {
        actor.require_action(Action::ManageOrganisations)?;
        let o = store::orgs::by_id(self.store.reader(), org)
            .await?
            .ok_or(ServiceError::NotFound("the organisation"))?;
        if o.kind != OrgKind::LawEnforcement {
            return Err(ServiceError::Invalid(
                "only law-enforcement agencies have a jurisdiction".into(),
            ));
        }
        let mut codes: Vec<String> = Vec::new();
        for c in codes_text.split([',', ' ', ';']).filter(|c| !c.is_empty()) {
            let c = c.trim().to_ascii_uppercase();
            if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(ServiceError::Invalid(format!(
                    "“{c}” is not a two-letter state or country code; write codes like “CA, NV, US”"
                )));
            }
            if !codes.contains(&c) {
                codes.push(c);
            }
        }
        codes.sort();
        let now = self.now();
        let mut tx = self.store.begin().await?;
        queries::set_jurisdiction(&mut *tx, org, &store::reports::delimited(&codes)).await?;
        audited(
            &mut tx,
            &actor.by(ip, now),
            "organisation.jurisdiction",
            Subject::Org(org),
            Some(codes.join(" ")),
        )
        .await?;
        store::commit(tx).await?;
        Ok(codes)
    }
}
