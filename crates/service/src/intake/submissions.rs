//! A provider organisation's own submissions (issue 24): the reports its accounts sent
//! through the CyberTipline-compatible API, with their state and dates, and never another
//! organisation's. Only the organisation's people reach it (`ViewOwnSubmissions`), and the
//! query itself is scoped to the caller's organisation, so no parameter can widen it.

use super::{OPEN_IDLE, OPEN_MAX};
use crate::accounts::Page;
use crate::error::{Result, ServiceError};
use crate::Services;
use domain::policy::permits;
use domain::{Action, OrgKind, Principal};
use store::reports::{self, ReportRow, ReportState};

/// Where a submission stands, as its provider sees it (never the hotline's own work on it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmissionState {
    /// Submitted; files may still be added before it is finished.
    Open,
    /// Never finished: it expired 24 hours after submission or an hour after its last change.
    Expired,
    /// Finished: the hotline has it.
    Finished,
    Retracted,
}

impl SubmissionState {
    pub fn as_str(self) -> &'static str {
        match self {
            SubmissionState::Open => "open",
            SubmissionState::Expired => "expired",
            SubmissionState::Finished => "finished",
            SubmissionState::Retracted => "retracted",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SubmissionState::Open => "Open: not finished yet",
            SubmissionState::Expired => "Expired before it was finished",
            SubmissionState::Finished => "Finished: received by the hotline",
            SubmissionState::Retracted => "Retracted",
        }
    }
}

/// One report a provider submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub id: i64,
    /// The CyberTipline incident type as the schema spells it.
    pub incident_type: String,
    pub state: SubmissionState,
    pub submitted_at: i64,
    pub finished_at: Option<i64>,
    pub retracted_at: Option<i64>,
}

fn submission(r: ReportRow, now: i64) -> Submission {
    let state = match r.state {
        ReportState::Finished => SubmissionState::Finished,
        ReportState::Retracted => SubmissionState::Retracted,
        ReportState::Open if now - r.received_at > OPEN_MAX || now - r.updated_at > OPEN_IDLE => {
            SubmissionState::Expired
        }
        ReportState::Open => SubmissionState::Open,
    };
    Submission {
        id: r.id,
        incident_type: r.incident_type,
        state,
        submitted_at: r.received_at,
        finished_at: r.finished_at,
        retracted_at: r.retracted_at,
    }
}

impl Services {
    /// The caller's organisation's submissions, newest first.
    pub async fn own_submissions(
        &self,
        who: &Principal,
        page: i64,
        per_page: i64,
    ) -> Result<Page<Submission>> {
        if !permits(Some(who), Action::ViewOwnSubmissions) || who.org_kind != OrgKind::Provider {
            return Err(ServiceError::Forbidden);
        }
        let page = page.max(1);
        let per_page = per_page.clamp(1, 200);
        let now = self.now();
        let items = reports::page_of_org(
            self.store.reader(),
            who.org_id,
            per_page,
            (page - 1) * per_page,
        )
        .await?
        .into_iter()
        .map(|r| submission(r, now))
        .collect();
        let total = reports::count_of_org(self.store.reader(), who.org_id).await?;
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }
}
