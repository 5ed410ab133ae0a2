//! Referrals from a plan to a service of the directory: made (proposed, with what is shared
//! with the service, which the audit records), moved through their statuses with a reason
//! each (`recovery::referral::check_move`), the outcome recorded at the end. Who may refer
//! is who may change the plan.

use super::allow;
use crate::audit::{audited, By, Subject};
use crate::error::{Result, ServiceError};
use crate::{Ip, Services};
use ::recovery::model::{required_text, MAX_LONG};
use ::recovery::referral::{allowed, check_move, Move};
use ::recovery::{PlanDomain, ReferralStatus, SafetyMarker};
use domain::policy::PlanAccess;
use domain::{Action, Principal};
use store::plans::{self as queries, ReferralRow};

/// One move of a referral's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveView {
    pub from: Option<ReferralStatus>,
    pub to: ReferralStatus,
    pub reason: String,
    pub by: String,
    pub at: i64,
}

/// A referral with its history and the moves its reader may make next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralView {
    pub id: i64,
    pub plan_id: i64,
    pub resource_id: i64,
    pub service_name: String,
    pub need: PlanDomain,
    pub status: ReferralStatus,
    /// What was shared with the service (the team and supervisors only).
    pub shared: Option<String>,
    pub outcome: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub moves: Vec<MoveView>,
    /// Empty for a reader who may not change the plan, or at the end.
    pub next: &'static [Move],
}

fn status(column: &'static str, v: &str) -> Result<ReferralStatus> {
    ReferralStatus::parse(v).map_err(|_| {
        ServiceError::Internal(Box::new(store::StoreError::UnknownValue {
            column,
            value: v.to_owned(),
        }))
    })
}

fn subject(id: i64) -> Subject {
    Subject::Other("referral".into(), id.to_string())
}

impl Services {
    async fn referral_view(&self, r: ReferralRow, access: PlanAccess) -> Result<ReferralView> {
        let moves = queries::moves(self.store.reader(), r.id)
            .await?
            .into_iter()
            .map(|m| {
                Ok(MoveView {
                    from: m
                        .from_status
                        .as_deref()
                        .map(|s| status("referral_moves.from_status", s))
                        .transpose()?,
                    to: status("referral_moves.to_status", &m.to_status)?,
                    reason: m.reason,
                    by: m.by_name,
                    at: m.at,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let st = status("referrals.status", &r.status)?;
        let need = PlanDomain::parse(&r.need).map_err(|_| {
            ServiceError::Internal(Box::new(store::StoreError::UnknownValue {
                column: "referrals.need",
                value: r.need.clone(),
            }))
        })?;
        Ok(ReferralView {
            id: r.id,
            plan_id: r.plan_id,
            resource_id: r.resource_id,
            service_name: r.resource_name,
            need,
            status: st,
            shared: access.changes().then_some(r.shared),
            outcome: r.outcome,
            created_at: r.created_at,
            updated_at: r.updated_at,
            moves,
            next: if access.changes() { allowed(st) } else { &[] },
        })
    }

    /// The referrals of a plan already read (no audit of its own).
    pub(crate) async fn plan_referrals(
        &self,
        plan: i64,
        access: PlanAccess,
    ) -> Result<Vec<ReferralView>> {
        let mut out = Vec::new();
        for r in queries::referrals_for_plan(self.store.reader(), plan).await? {
            out.push(self.referral_view(r, access).await?);
        }
        Ok(out)
    }

    /// The referrals of a plan, read as the plan is (audited as a view of the plan).
    pub async fn referrals_of_plan(
        &self,
        who: &Principal,
        plan: i64,
        ip: Ip,
    ) -> Result<Vec<ReferralView>> {
        Ok(self.recovery_plan(who, plan, ip).await?.referrals)
    }

    /// One referral with the young person's name and safety marker from its plan;
    /// audited as a view.
    pub async fn referral(
        &self,
        who: &Principal,
        id: i64,
        ip: Ip,
    ) -> Result<(ReferralView, String, SafetyMarker)> {
        allow(who, Action::ViewRecoveryPlan)?;
        let r = queries::referral_by_id(self.store.reader(), id)
            .await?
            .ok_or(ServiceError::NotFound("the referral"))?;
        let (plan, access) = self.plan_access_of(who, r.plan_id).await?;
        if !access.reads() {
            return Err(ServiceError::Forbidden);
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "referral.view",
            subject(id),
            None,
        )
        .await?;
        store::commit(tx).await?;
        let safety = SafetyMarker::parse(&plan.safety).unwrap_or(SafetyMarker::DoNotContact);
        Ok((
            self.referral_view(r, access).await?,
            plan.young_person,
            safety,
        ))
    }

    /// The directory's services to choose from when referring: (id, "name (organisation)"),
    /// by name; a stale one says so.
    pub async fn referral_services(&self, who: &Principal) -> Result<Vec<(i64, String)>> {
        allow(who, Action::ReferToServices)?;
        let rows = store::resources::page(
            self.store.reader(),
            &store::resources::ResourceFilter::default(),
            2000,
            0,
        )
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.id, format!("{} ({})", r.name, r.organisation)))
            .collect())
    }

    /// Refers the young person of plan `plan` to service `resource` for a need; the
    /// referral starts as proposed. What is shared with the service is recorded in the
    /// audit.
    pub async fn create_referral(
        &self,
        who: &Principal,
        plan: i64,
        resource: i64,
        need: PlanDomain,
        shared: &str,
        ip: Ip,
    ) -> Result<i64> {
        allow(who, Action::ReferToServices)?;
        let (row, access) = self.plan_access_of(who, plan).await?;
        if !access.changes() {
            return Err(ServiceError::Forbidden);
        }
        if row.closed_at.is_some() {
            return Err(ServiceError::Invalid(
                "this plan is closed: reopen it before referring the young person".into(),
            ));
        }
        let shared = required_text("what is shared with the service", shared, MAX_LONG)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let service = store::resources::by_id(self.store.reader(), resource)
            .await?
            .ok_or(ServiceError::NotFound("the service"))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = queries::insert_referral(
            &mut *tx,
            plan,
            resource,
            need.code(),
            ReferralStatus::Proposed.code(),
            &shared,
            who.user_id,
            now,
        )
        .await?;
        queries::move_referral(
            &mut tx,
            id,
            None,
            ReferralStatus::Proposed.code(),
            &format!("referred for {}", need.label().to_lowercase()),
            None,
            false,
            who.user_id,
            now,
        )
        .await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "referral.create",
            subject(id),
            Some(format!(
                "plan {plan} to service {resource} ({}) for {}; shared: {shared}",
                service.name,
                need.code()
            )),
        )
        .await?;
        store::commit(tx).await?;
        Ok(id)
    }

    /// Moves a referral to `to` with a reason (and the outcome at the end).
    pub async fn move_referral(
        &self,
        who: &Principal,
        id: i64,
        to: ReferralStatus,
        reason: &str,
        outcome: &str,
        ip: Ip,
    ) -> Result<()> {
        allow(who, Action::ReferToServices)?;
        let r = queries::referral_by_id(self.store.reader(), id)
            .await?
            .ok_or(ServiceError::NotFound("the referral"))?;
        let (_, access) = self.plan_access_of(who, r.plan_id).await?;
        if !access.changes() {
            return Err(ServiceError::Forbidden);
        }
        let from = status("referrals.status", &r.status)?;
        let m = check_move(from, to, reason, outcome)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        match queries::move_referral(
            &mut tx,
            id,
            Some(from.code()),
            m.to.code(),
            &m.reason,
            m.outcome.as_deref(),
            m.to == ReferralStatus::Engaged,
            who.user_id,
            now,
        )
        .await
        {
            Err(store::StoreError::Conflict(_)) => {
                return Err(ServiceError::Conflict(
                    "someone else changed this referral meanwhile: reload the page and try again"
                        .into(),
                ))
            }
            other => other?,
        }
        let shared = if m.to == ReferralStatus::Sent {
            format!("; shared with {}: {}", r.resource_name, r.shared)
        } else {
            String::new()
        };
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "referral.move",
            subject(id),
            Some(format!("{} to {}{shared}", from.code(), m.to.code())),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }
}
