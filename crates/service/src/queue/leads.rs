//! The investigators' side of a report made available to their agency (issue 24): its
//! acknowledgement and outcome, the agency's own notes, questions to the hotline and the
//! hotline's answers, and the lead package's audit. An investigator reaches only leads
//! made available to their own agency; anything else is "not found", as on the lead
//! page. Every change is audited in the transaction that makes it.

use super::NOTE_MAX_CHARS;
use crate::audit::{audited, By};
use crate::error::{Result, ServiceError};
use crate::{Ip, Services};
use domain::{Action, LeadOutcome, OrgId, Principal, RecordRef, ReportId};
use store::leads::{self as q, MessageRow, ResponseRow};

/// What an agency did with a lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub org_id: OrgId,
    pub agency: String,
    /// Username of who acknowledged it, and when.
    pub acknowledged: Option<(String, i64)>,
    pub outcome: Option<LeadOutcome>,
    pub reason: Option<String>,
    /// Username of who recorded the outcome, and when.
    pub outcome_by: Option<(String, i64)>,
}

impl From<ResponseRow> for Response {
    fn from(r: ResponseRow) -> Self {
        Response {
            org_id: r.org_id,
            agency: r.org_name,
            acknowledged: r.acknowledged_by.zip(r.acknowledged_at),
            outcome: r.outcome.as_deref().and_then(LeadOutcome::parse),
            reason: r.outcome_reason,
            outcome_by: r.outcome_by.zip(r.outcome_at),
        }
    }
}

/// The state of a lead in one word, for lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadState {
    New,
    Acknowledged,
    Done(LeadOutcome),
}

impl LeadState {
    pub fn label(self) -> &'static str {
        match self {
            LeadState::New => "New",
            LeadState::Acknowledged => "Acknowledged",
            LeadState::Done(o) => o.label(),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LeadState::New => "new",
            LeadState::Acknowledged => "acknowledged",
            LeadState::Done(o) => o.as_str(),
        }
    }
}

/// A note, question or answer on a lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: i64,
    pub agency: String,
    pub org_id: OrgId,
    pub author: String,
    pub author_name: String,
    pub kind: MessageKind,
    pub answers: Option<i64>,
    pub body: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// The agency's own working note; the hotline does not see it.
    Note,
    /// A question to the hotline.
    Question,
    /// The hotline's answer to a question.
    Answer,
}

impl MessageKind {
    fn parse(s: &str) -> MessageKind {
        match s {
            "question" => MessageKind::Question,
            "answer" => MessageKind::Answer,
            _ => MessageKind::Note,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Note => "note",
            MessageKind::Question => "question",
            MessageKind::Answer => "answer",
        }
    }
}

impl From<MessageRow> for Message {
    fn from(m: MessageRow) -> Self {
        Message {
            id: m.id,
            agency: m.org_name,
            org_id: m.org_id,
            author: m.author,
            author_name: m.author_name,
            kind: MessageKind::parse(&m.kind),
            answers: m.answers,
            body: m.body,
            created_at: m.created_at,
        }
    }
}

/// The agency's side of a lead, for the lead page.
#[derive(Debug, Clone)]
pub struct LeadWork {
    pub response: Option<Response>,
    /// The agency's notes, its questions and the hotline's answers, oldest first.
    pub messages: Vec<Message>,
    /// Whether the hotline made the report's files available with it.
    pub files_included: bool,
    /// Who made it available to the agency, and when.
    pub shared_by: Option<(String, i64)>,
}

impl LeadWork {
    pub fn state(&self) -> LeadState {
        state_of(
            self.response
                .as_ref()
                .and_then(|r| r.acknowledged.as_ref().map(|a| a.1)),
            self.response.as_ref().and_then(|r| r.outcome),
        )
    }
}

fn state_of(acknowledged_at: Option<i64>, outcome: Option<LeadOutcome>) -> LeadState {
    match (acknowledged_at, outcome) {
        (_, Some(o)) => LeadState::Done(o),
        (Some(_), None) => LeadState::Acknowledged,
        (None, None) => LeadState::New,
    }
}

/// Every agency's response and their questions and answers, for the hotline's report page.
#[derive(Debug, Clone, Default)]
pub struct HotlineLeadView {
    pub responses: Vec<Response>,
    pub messages: Vec<Message>,
}

fn text(body: &str, what: &str) -> Result<String> {
    let body = body.trim();
    if body.is_empty() {
        return Err(ServiceError::Invalid(format!(
            "the {what} is empty; write something first"
        )));
    }
    if body.chars().count() > NOTE_MAX_CHARS {
        return Err(ServiceError::Invalid(format!(
            "the {what} is longer than {NOTE_MAX_CHARS} characters; shorten it"
        )));
    }
    Ok(body.to_owned())
}

impl Services {
    /// The report, if it was made available to the investigator's agency: otherwise "not
    /// found", whether it exists or not.
    async fn own_lead(&self, who: &Principal, id: i64) -> Result<bool> {
        self.require(who, Action::ViewLeads)?;
        self.finished(id).await?;
        q::files_included(self.store.reader(), id, who.org_id)
            .await?
            .ok_or(ServiceError::NotFound("the report"))
    }

    /// The agency's side of a lead: its response, notes, questions and answers.
    pub async fn lead_work(&self, who: &Principal, ReportId(id): ReportId) -> Result<LeadWork> {
        let files_included = self.own_lead(who, id).await?;
        let response = q::response_of(self.store.reader(), id, who.org_id)
            .await?
            .map(Response::from);
        let messages = q::messages(self.store.reader(), id, Some(who.org_id), true)
            .await?
            .into_iter()
            .map(Message::from)
            .collect();
        let shared_by = store::triage::shares(self.store.reader(), id)
            .await?
            .into_iter()
            .find(|s| s.org_id == who.org_id)
            .map(|s| (s.shared_by, s.shared_at));
        Ok(LeadWork {
            response,
            messages,
            files_included,
            shared_by,
        })
    }

    /// Each lead's state for the agency, in the order of `ids`.
    pub async fn lead_states(&self, who: &Principal, ids: &[i64]) -> Result<Vec<LeadState>> {
        self.require(who, Action::ViewLeads)?;
        let rows = q::states(self.store.reader(), who.org_id, ids).await?;
        Ok(ids
            .iter()
            .map(|id| {
                rows.iter()
                    .find(|r| r.0 == *id)
                    .map(|r| state_of(r.1, r.2.as_deref().and_then(LeadOutcome::parse)))
                    .unwrap_or(LeadState::New)
            })
            .collect())
    }

    /// The agency acknowledges the lead: the hotline sees that it arrived and who has it.
    pub async fn acknowledge_lead(
        &self,
        who: &Principal,
        ReportId(id): ReportId,
        ip: Ip,
    ) -> Result<bool> {
        self.require(who, Action::RespondToLeads)?;
        self.own_lead(who, id).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let first = q::acknowledge(&mut *tx, id, who.org_id, who.user_id, now).await?;
        if first {
            audited(
                &mut tx,
                &By::person(who, ip, now),
                "lead.acknowledge",
                RecordRef::report(id),
                None,
            )
            .await?;
        }
        store::commit(tx).await?;
        Ok(first)
    }

    /// Records what the agency did with the lead; declining or taking no action says why.
    pub async fn record_lead_outcome(
        &self,
        who: &Principal,
        ReportId(id): ReportId,
        outcome: LeadOutcome,
        reason: &str,
        ip: Ip,
    ) -> Result<()> {
        self.require(who, Action::RespondToLeads)?;
        self.own_lead(who, id).await?;
        let reason = reason.trim();
        if outcome.needs_reason() && reason.is_empty() {
            return Err(ServiceError::Invalid(format!(
                "say why: \"{}\" needs a reason the hotline can act on",
                outcome.label()
            )));
        }
        if reason.chars().count() > domain::workflow::MAX_REASON {
            return Err(ServiceError::Invalid(format!(
                "the reason is longer than {} characters; shorten it",
                domain::workflow::MAX_REASON
            )));
        }
        let reason = (!reason.is_empty()).then_some(reason);
        let now = self.now();
        let mut tx = self.store.begin().await?;
        q::set_outcome(
            &mut *tx,
            id,
            who.org_id,
            who.user_id,
            outcome.as_str(),
            reason,
            now,
        )
        .await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "lead.outcome",
            RecordRef::report(id),
            Some(match reason {
                Some(r) => format!("{}: {r}", outcome.as_str()),
                None => outcome.as_str().to_owned(),
            }),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// The agency's own note on a lead (`question`: false), or a question to the hotline
    /// (`question`: true), which the analysts see on the report and answer.
    pub async fn add_lead_message(
        &self,
        who: &Principal,
        ReportId(id): ReportId,
        body: &str,
        question: bool,
        ip: Ip,
    ) -> Result<i64> {
        self.require(who, Action::RespondToLeads)?;
        self.own_lead(who, id).await?;
        let kind = if question {
            MessageKind::Question
        } else {
            MessageKind::Note
        };
        let body = text(body, if question { "question" } else { "note" })?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let m = q::add_message(
            &mut *tx,
            id,
            who.org_id,
            who.user_id,
            kind.as_str(),
            None,
            &body,
            now,
        )
        .await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            if question {
                "lead.question"
            } else {
                "lead.note"
            },
            RecordRef::report(id),
            Some(format!("message {m}")),
        )
        .await?;
        store::commit(tx).await?;
        Ok(m)
    }

    /// The hotline answers an agency's question on a report.
    pub async fn answer_lead_question(
        &self,
        who: &Principal,
        ReportId(id): ReportId,
        question: i64,
        body: &str,
        ip: Ip,
    ) -> Result<i64> {
        self.require(who, Action::TriageReports)?;
        self.finished(id).await?;
        let asked = q::message_by_id(self.store.reader(), question)
            .await?
            .filter(|m| m.report_id == id && m.kind == "question")
            .ok_or(ServiceError::NotFound("the question"))?;
        let body = text(body, "answer")?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let m = q::add_message(
            &mut *tx,
            id,
            asked.org_id,
            who.user_id,
            MessageKind::Answer.as_str(),
            Some(question),
            &body,
            now,
        )
        .await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "lead.answer",
            RecordRef::report(id),
            Some(format!(
                "answer {m} to question {question} of {}",
                asked.org_name
            )),
        )
        .await?;
        store::commit(tx).await?;
        Ok(m)
    }

    /// What the agencies did with a report, and their questions and answers (never their
    /// notes), for the hotline's report page.
    pub async fn hotline_lead_view(
        &self,
        who: &Principal,
        ReportId(id): ReportId,
    ) -> Result<HotlineLeadView> {
        self.require(who, Action::TriageReports)?;
        Ok(HotlineLeadView {
            responses: q::responses(self.store.reader(), id)
                .await?
                .into_iter()
                .map(Response::from)
                .collect(),
            messages: q::messages(self.store.reader(), id, None, false)
                .await?
                .into_iter()
                .map(Message::from)
                .collect(),
        })
    }

    /// Audits a lead package before its first byte leaves: what went into it.
    pub async fn record_lead_package(
        &self,
        who: &Principal,
        ReportId(id): ReportId,
        contents: &str,
        ip: Ip,
    ) -> Result<()> {
        self.own_lead(who, id).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "lead.package",
            RecordRef::report(id),
            Some(contents.to_owned()),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }
}
