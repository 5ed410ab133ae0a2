//! The hotline's review of a case: its status, its assignment, and making it available to
//! law-enforcement agencies.

use crate::audit::{audited, By};
use crate::error::{Result, ServiceError};
use crate::{Ip, Services};
use domain::{Action, CaseId, CaseStatus, OrgId, OrgKind, Principal, RecordRef};
use store::audit;
use store::cases::{self as queries};

impl Services {
    /// Moves a case to another status by the review's rules.
    pub async fn set_case_status(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        to: CaseStatus,
        reason: &str,
        ip: Ip,
    ) -> Result<()> {
        self.allow(who, Action::ReviewCases)?;
        let reason = domain::workflow::closing_reason(to == CaseStatus::Closed, reason)?;
        let row = self.visible_case(who, id).await?;
        let from = row.status;
        if !from.may_move_to(to) {
            return Err(ServiceError::Invalid(format!(
                "a case that is “{}” cannot be moved to “{}”",
                from.label(),
                to.label()
            )));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !queries::set_status(&mut *tx, id, from, to, now).await? {
            return Err(ServiceError::Conflict(
                "someone changed this case's status a moment ago; reload the page to see it".into(),
            ));
        }
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "case.status",
            RecordRef::case(id),
            Some(domain::workflow::status_detail(
                from.as_str(),
                to.as_str(),
                reason,
            )),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Assigns a case to an analyst or supervisor (`None`: nobody).
    pub async fn assign_case(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        to: Option<&str>,
        ip: Ip,
    ) -> Result<()> {
        self.allow(who, Action::ReviewCases)?;
        self.visible_case(who, id).await?;
        let assignee = match to {
            None => None,
            Some(name) => Some(
                store::triage::assignable_users(self.store.reader())
                    .await?
                    .into_iter()
                    .find(|(_, u, _)| u == name)
                    .ok_or_else(|| {
                        ServiceError::Invalid(format!(
                            "“{name}” is not an analyst or supervisor; choose someone from the list"
                        ))
                    })?,
            ),
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        queries::assign(&mut *tx, id, assignee.as_ref().map(|a| a.0), now).await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "case.assign",
            RecordRef::case(id),
            Some(
                assignee
                    .as_ref()
                    .map_or("unassigned".into(), |a| a.1.clone()),
            ),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Makes a case available to law-enforcement agencies (each audited).
    pub async fn share_case(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        agencies: &[OrgId],
        ip: Ip,
    ) -> Result<usize> {
        self.allow(who, Action::ReviewCases)?;
        self.visible_case(who, id).await?;
        if agencies.is_empty() {
            return Err(ServiceError::Invalid(
                "choose at least one law-enforcement agency".into(),
            ));
        }
        let mut orgs = Vec::new();
        for org in agencies {
            let o = store::orgs::by_id(self.store.reader(), *org)
                .await?
                .filter(|o| o.kind == OrgKind::LawEnforcement)
                .ok_or_else(|| {
                    ServiceError::Invalid(
                        "cases can be made available only to law-enforcement agencies".into(),
                    )
                })?;
            orgs.push(o);
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let by = By::person(who, ip, now);
        let mut entries = Vec::new();
        for o in &orgs {
            if queries::share(&mut *tx, id, o.id, who.user_id, now).await? {
                entries.push(by.entry(
                    "case.make_available",
                    RecordRef::case(id),
                    Some(format!("to {} (organisation {})", o.name, o.id.0)),
                ));
            }
        }
        let added = entries.len();
        audit::append_many(&mut tx, entries, by.at()).await?;
        store::commit(tx).await?;
        Ok(added)
    }
}
