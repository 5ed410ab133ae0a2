//! Recovery plans: the caseload (due reviews first, transitions at 18), opening a plan by
//! hand or from the recovery of a case's episode, reading one (every view audited, the
//! narrative only for its team), updating it, goals in the young person's words, reviews,
//! the team, and consents to share. Who may do what with one plan is
//! `domain::policy::plan_access`; each change commits with its audit entry.

use super::allow;
use crate::audit::{audited, By, Subject};
use crate::error::{Result, ServiceError};
use crate::recovery::referrals::ReferralView;
use crate::{Ip, Services};
use ::recovery::model::format_date;
use ::recovery::plan::{
    review_state, transition, Consent, DomainNeed, Goal, Narrative, PlanFields, Review,
    ReviewState, Transition,
};
use ::recovery::{ClosingReason, PlanDomain, SafetyMarker};
use domain::policy::{plan_access, PlanAccess, PlanSharing};
use domain::{Action, OrgId, Principal, Role, UserId};
use store::plans::{self as queries, PlanEntry, PlanRow};
use time::Date;

/// Plans shown on the caseload.
pub const CASELOAD_LIMIT: i64 = 500;

/// Days from a recovery to the first review of the plan it opened: soon enough that the
/// team meets the young person while their needs are fresh.
pub const FIRST_REVIEW_DAYS: i64 = 14;

/// A plan in the caseload: no narrative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanSummary {
    pub id: i64,
    pub young_person: String,
    pub safety: SafetyMarker,
    pub next_review: Option<Date>,
    pub review: ReviewState,
    pub transition: Transition,
    pub needs: Vec<PlanDomain>,
    pub case_id: Option<i64>,
}

/// The caseload: open plans by review (overdue and due first), those whose transition at
/// 18 is due, and the plans closed most recently.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caseload {
    pub plans: Vec<PlanSummary>,
    pub transitions_due: Vec<PlanSummary>,
    /// Closed plans, the latest closed first (at most [`CLOSED_LIMIT`]).
    pub closed: Vec<ClosedSummary>,
}

/// Closed plans shown under the caseload.
pub const CLOSED_LIMIT: i64 = 50;

/// A closed plan in the caseload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedSummary {
    pub id: i64,
    pub young_person: String,
    pub closed_at: i64,
    pub reason: ClosingReason,
}

/// When, why and by whom a plan was closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    /// UTC microseconds.
    pub at: i64,
    pub reason: ClosingReason,
    /// The display name of who closed it.
    pub by: String,
}

/// A member of a plan's team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user_id: UserId,
    pub name: String,
    pub role: String,
    pub organisation: String,
}

/// A consent to share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentView {
    pub id: i64,
    pub with_whom: String,
    pub org_id: Option<OrgId>,
    pub what: String,
    pub given_on: String,
    pub recorded_by: String,
    pub recorded_at: i64,
    /// Withdrawn by the young person: kept, no longer in force.
    pub withdrawn: Option<Withdrawal>,
}

/// When and why the young person withdrew a consent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawal {
    pub on: String,
    pub reason: String,
    pub recorded_by: String,
}

/// One plan as its reader may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanView {
    pub id: i64,
    pub young_person: String,
    pub date_of_birth: Option<Date>,
    pub case_id: Option<i64>,
    pub episode_id: Option<i64>,
    pub report_id: Option<i64>,
    pub safety: SafetyMarker,
    pub next_review: Option<Date>,
    pub last_reviewed: Option<String>,
    pub review: ReviewState,
    pub transition: Transition,
    /// Needs by domain; their notes only for the team.
    pub needs: Vec<DomainNeed>,
    /// Goals, strengths, what not to share, transition notes, reviews: the team only.
    pub narrative: Option<Narrative>,
    pub team: Vec<Member>,
    pub consents: Vec<ConsentView>,
    pub referrals: Vec<ReferralView>,
    pub access: PlanAccess,
    pub opened_at: i64,
    pub updated_at: i64,
    /// Set while the plan is closed: nothing in it changes until it is reopened.
    pub closed: Option<Closure>,
}

/// Where a new plan came from: the missing-child case (and the episode whose recovery
/// brought the young person), or the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanLinks {
    pub case_id: Option<i64>,
    pub episode_id: Option<i64>,
    pub report_id: Option<i64>,
}

/// What the new-plan form starts with when opened from a case's recovery.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanPrefill {
    pub young_person: String,
    pub date_of_birth: Option<Date>,
    pub case_id: Option<i64>,
    pub episode_id: Option<i64>,
    /// A plan already opened at that episode's recovery.
    pub existing: Option<i64>,
}

/// Someone who may join a plan's team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub user_id: UserId,
    pub label: String,
}

/// Plans opened, referrals by need and status, days from referral to engagement,
/// transitions at 18: counted, never listed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanStatistics {
    pub plans_opened: i64,
    /// (need, status, count).
    pub referrals: Vec<(PlanDomain, ::recovery::ReferralStatus, i64)>,
    pub median_days_to_engagement: Option<i64>,
    /// Plans of young people now 18 or over (their plans go on).
    pub transitions_at_18: i64,
    /// Plans whose transition is due (within the window before the 18th birthday).
    pub transitions_due: i64,
}

fn corrupt(what: String) -> ServiceError {
    ServiceError::Internal(Box::new(store::StoreError::Corrupt(what)))
}

fn date(field: &'static str, v: Option<&str>) -> Result<Option<Date>> {
    v.map(|s| {
        ::recovery::model::parse_date(field, s)
            .map_err(|e| corrupt(e.to_string()))?
            .ok_or_else(|| corrupt(format!("{field} is empty")))
    })
    .transpose()
}

pub(crate) fn narrative_of(row: &PlanRow) -> Result<Narrative> {
    serde_json::from_str(&row.narrative_json)
        .map_err(|e| corrupt(format!("plan {}: narrative_json: {e}", row.id)))
}

fn needs_of(row: &PlanRow) -> Result<Vec<DomainNeed>> {
    serde_json::from_str(&row.needs_json)
        .map_err(|e| corrupt(format!("plan {}: needs_json: {e}", row.id)))
}

fn safety_of(row: &PlanRow) -> Result<SafetyMarker> {
    SafetyMarker::parse(&row.safety).map_err(|_| {
        ServiceError::Internal(Box::new(store::StoreError::UnknownValue {
            column: "recovery_plans.safety",
            value: row.safety.clone(),
        }))
    })
}

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| ServiceError::Internal(Box::new(e)))
}

fn entry(f: &PlanFields, narrative: &Narrative) -> Result<PlanEntry> {
    Ok(PlanEntry {
        young_person: f.young_person.clone(),
        date_of_birth: f.date_of_birth.map(format_date),
        safety: f.safety.code().to_owned(),
        next_review: f.next_review.map(format_date),
        needs: f.needs.iter().map(|n| n.domain.code().to_owned()).collect(),
        needs_json: json(&f.needs)?,
        narrative_json: json(narrative)?,
    })
}

fn closing_reason_of(row: &PlanRow) -> Result<Option<ClosingReason>> {
    row.closed_reason
        .as_deref()
        .map(|c| {
            ClosingReason::parse(c).map_err(|_| {
                ServiceError::Internal(Box::new(store::StoreError::UnknownValue {
                    column: "recovery_plans.closed_reason",
                    value: c.to_owned(),
                }))
            })
        })
        .transpose()
}

fn subject(id: i64) -> Subject {
    Subject::Other("recovery_plan".into(), id.to_string())
}

impl Services {
    fn summary(&self, row: &PlanRow, today: Date) -> Result<PlanSummary> {
        let next_review = date("next_review", row.next_review.as_deref())?;
        let dob = date("date_of_birth", row.date_of_birth.as_deref())?;
        Ok(PlanSummary {
            id: row.id,
            young_person: row.young_person.clone(),
            safety: safety_of(row)?,
            next_review,
            review: review_state(next_review, today),
            transition: transition(dob, today),
            needs: needs_of(row)?.into_iter().map(|n| n.domain).collect(),
            case_id: row.case_id,
        })
    }

    /// Who a plan is shared with, and what `who` may do with it.
    pub(crate) async fn plan_access_of(
        &self,
        who: &Principal,
        plan: i64,
    ) -> Result<(PlanRow, PlanAccess)> {
        let row = queries::plan_by_id(self.store.reader(), plan)
            .await?
            .ok_or(ServiceError::NotFound("the recovery plan"))?;
        let team = queries::team(self.store.reader(), plan).await?;
        let consents = queries::consents(self.store.reader(), plan).await?;
        let sharing = PlanSharing {
            team: team.iter().map(|m| m.user_id).collect(),
            consented_orgs: consents
                .iter()
                .filter(|c| c.in_force())
                .filter_map(|c| c.org_id)
                .collect(),
        };
        Ok((row, plan_access(who, &sharing)))
    }

    /// What `who` may do with a plan, without reading it: nothing of the plan is shown, so
    /// nothing is audited (a form sent back with its mistakes uses it).
    pub async fn recovery_plan_access(&self, who: &Principal, plan: i64) -> Result<PlanAccess> {
        allow(who, Action::ViewRecoveryPlan)?;
        Ok(self.plan_access_of(who, plan).await?.1)
    }

    /// The plan, if `who` may change it and it is open: a closed plan is kept as it was
    /// closed until its team reopens it.
    async fn changeable(&self, who: &Principal, plan: i64) -> Result<(PlanRow, PlanAccess)> {
        let (row, access) = self.plan_team_access(who, plan).await?;
        if row.closed_at.is_some() {
            return Err(ServiceError::Invalid(
                "this plan is closed: reopen it before changing it".into(),
            ));
        }
        Ok((row, access))
    }

    /// The plan, open or closed, if `who` may change it.
    async fn plan_team_access(&self, who: &Principal, plan: i64) -> Result<(PlanRow, PlanAccess)> {
        allow(who, Action::ManageRecoveryPlans)?;
        let (row, access) = self.plan_access_of(who, plan).await?;
        if !access.changes() {
            return Err(ServiceError::Forbidden);
        }
        Ok((row, access))
    }

    /// Closes a plan when the work with the young person ends (never because of age). The
    /// note, if any, joins the plan's reviews (read by its team only); the reason is kept
    /// on the plan and in the audit entry. Closing starts the plan's retention period.
    pub async fn close_plan(
        &self,
        who: &Principal,
        id: i64,
        reason: &str,
        note: &str,
        ip: Ip,
    ) -> Result<()> {
        let (row, _) = self.changeable(who, id).await?;
        let reason =
            ClosingReason::parse(reason).map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let note = ::recovery::model::optional_text("the closing note", note, 10_000)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        if reason == ClosingReason::Other && note.is_none() {
            return Err(ServiceError::Invalid(
                "say why the plan is closed: with \"another reason\", the note is needed".into(),
            ));
        }
        // Written for the team whoever closes it (a supervisor outside the team too, who
        // cannot read it back): the team learns why its plan closed.
        let mut narrative = narrative_of(&row)?;
        narrative.reviews.push(Review {
            on: format_date(self.today()),
            note: Some(match note {
                Some(n) => format!("Plan closed ({}): {n}", reason.label()),
                None => format!("Plan closed ({}).", reason.label()),
            }),
        });
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !queries::close_plan(
            &mut *tx,
            id,
            reason.code(),
            &json(&narrative)?,
            who.user_id,
            now,
        )
        .await?
        {
            return Err(ServiceError::Conflict(
                "this plan was closed by someone else meanwhile: reload it".into(),
            ));
        }
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "recovery_plan.close",
            subject(id),
            Some(format!("closed: {}", reason.label())),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Reopens a closed plan (the young person came back, or it was closed by mistake);
    /// its retention period stops.
    pub async fn reopen_plan(&self, who: &Principal, id: i64, ip: Ip) -> Result<()> {
        let (row, _) = self.plan_team_access(who, id).await?;
        if row.closed_at.is_none() {
            return Err(ServiceError::Invalid("this plan is open already".into()));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !queries::reopen_plan(&mut *tx, id, now).await? {
            return Err(ServiceError::Conflict(
                "this plan was reopened by someone else meanwhile: reload it".into(),
            ));
        }
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "recovery_plan.reopen",
            subject(id),
            None,
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// The caseload of `who`: the plans of their team (a supervisor: all plans), overdue
    /// and due reviews first, and the transitions at 18 coming up.
    pub async fn recovery_caseload(&self, who: &Principal) -> Result<Caseload> {
        allow(who, Action::ViewRecovery)?;
        let member = (who.role != Role::Supervisor).then_some(who.user_id);
        let rows = queries::caseload(self.store.reader(), member, false, CASELOAD_LIMIT).await?;
        let closed = queries::caseload(self.store.reader(), member, true, CLOSED_LIMIT)
            .await?
            .iter()
            .filter_map(|r| match (r.closed_at, closing_reason_of(r)) {
                (Some(at), Ok(Some(reason))) => Some(Ok(ClosedSummary {
                    id: r.id,
                    young_person: r.young_person.clone(),
                    closed_at: at,
                    reason,
                })),
                (_, Err(e)) => Some(Err(e)),
                _ => None,
            })
            .collect::<Result<Vec<_>>>()?;
        let today = self.today();
        let plans = rows
            .iter()
            .map(|r| self.summary(r, today))
            .collect::<Result<Vec<_>>>()?;
        let transitions_due = plans
            .iter()
            .filter(|p| matches!(p.transition, Transition::Due { .. }))
            .cloned()
            .collect();
        Ok(Caseload {
            plans,
            transitions_due,
            closed,
        })
    }

    /// What the new-plan form starts with; from a case's episode when given (the case must
    /// be one `who` may see).
    pub async fn plan_prefill(
        &self,
        who: &Principal,
        case: Option<i64>,
        episode: Option<i64>,
    ) -> Result<PlanPrefill> {
        allow(who, Action::ManageRecoveryPlans)?;
        let Some(case_id) = case else {
            return Ok(PlanPrefill::default());
        };
        let row = self.visible_case(who, case_id).await?;
        let (file, episodes) = self.case_file(&row).await?;
        let episode_id = match episode {
            Some(e) if episodes.iter().any(|x| x.id == e) => Some(e),
            Some(_) => return Err(ServiceError::NotFound("the episode")),
            None => None,
        };
        let existing = match episode_id {
            Some(e) => queries::plan_for_episode(self.store.reader(), case_id, e).await?,
            None => None,
        };
        Ok(PlanPrefill {
            young_person: file.child.name.clone(),
            date_of_birth: file.child.date_of_birth,
            case_id: Some(case_id),
            episode_id,
            existing,
        })
    }

    /// May `who` read this finished report (the action and the record's sharing)?
    async fn may_see_report(&self, who: &Principal, id: i64) -> Result<bool> {
        if !domain::policy::permits(Some(who), Action::ViewReports) {
            return Ok(false);
        }
        let Some(row) = store::reports::by_id(self.store.reader(), id)
            .await?
            .filter(|r| r.state == store::reports::ReportState::Finished)
        else {
            return Ok(false);
        };
        let sharing = domain::policy::RecordSharing {
            owner_org: row.submitter_org,
            made_available_to: store::triage::shared_with(self.store.reader(), id).await?,
        };
        Ok(domain::policy::may_see_record(who, &sharing))
    }

    /// The plans opened at the recoveries of a case's episodes, (episode, plan), for the
    /// case page of someone who may open plans (empty for anyone else).
    pub async fn case_plans(&self, who: &Principal, case_id: i64) -> Result<Vec<(i64, i64)>> {
        if allow(who, Action::ManageRecoveryPlans).is_err() {
            return Ok(Vec::new());
        }
        self.visible_case(who, case_id).await?;
        Ok(queries::plans_for_case(self.store.reader(), case_id).await?)
    }

    /// Opens a plan; `who` joins its team. A case (and episode) linked must be one `who`
    /// may see.
    pub async fn open_plan(
        &self,
        who: &Principal,
        fields: &PlanFields,
        links: PlanLinks,
        ip: Ip,
    ) -> Result<i64> {
        allow(who, Action::ManageRecoveryPlans)?;
        let links = match links.case_id {
            Some(c) => {
                let p = self.plan_prefill(who, Some(c), links.episode_id).await?;
                PlanLinks {
                    case_id: p.case_id,
                    episode_id: p.episode_id,
                    report_id: links.report_id,
                }
            }
            None => PlanLinks {
                episode_id: None,
                ..links
            },
        };
        if let Some(r) = links.report_id {
            if !self.may_see_report(who, r).await? {
                // The same answer whether it does not exist or is not theirs: whether a
                // report exists is itself not for everyone to know.
                return Err(ServiceError::Invalid(format!(
                    "report {r} is not a report you may see: check its number (shown as \
                     Report #{r} on the report's page), or leave it empty"
                )));
            }
        }
        let narrative = Narrative {
            strengths: fields.strengths.clone(),
            not_shared: fields.not_shared.clone(),
            transition_notes: fields.transition_notes.clone(),
            ..Narrative::default()
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = queries::insert_plan(
            &mut *tx,
            &entry(fields, &narrative)?,
            store::plans::PlanLinks {
                case_id: links.case_id,
                episode_id: links.episode_id,
                report_id: links.report_id,
            },
            who.user_id,
            now,
        )
        .await?;
        queries::add_member(&mut *tx, id, who.user_id, now).await?;
        let from = match (links.case_id, links.episode_id, links.report_id) {
            (Some(c), Some(e), _) => format!("opened at the recovery of case {c}, episode {e}"),
            (Some(c), None, _) => format!("opened for case {c}"),
            (None, _, Some(r)) => format!("opened for report {r}"),
            _ => "opened by hand".to_owned(),
        };
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "recovery_plan.open",
            subject(id),
            Some(from),
        )
        .await?;
        store::commit(tx).await?;
        Ok(id)
    }

    /// Opens the young person's plan inside the transaction that records the recovery of
    /// their case's episode, prefilled as `plan_prefill` would, `who` on its team and its
    /// first review in [`FIRST_REVIEW_DAYS`]. `None`, and nothing written, when `who` may
    /// not open plans (the recovery is still theirs to record) or the episode has a plan.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn open_plan_at_recovery(
        &self,
        tx: &mut store::Tx,
        by: &By,
        now: i64,
        who: &Principal,
        case_id: i64,
        episode_id: i64,
        young_person: &str,
        date_of_birth: Option<Date>,
    ) -> Result<Option<i64>> {
        if allow(who, Action::ManageRecoveryPlans).is_err() {
            return Ok(None);
        }
        if queries::plan_for_episode(&mut **tx, case_id, episode_id)
            .await?
            .is_some()
        {
            return Ok(None);
        }
        let fields = PlanFields {
            young_person: young_person.to_owned(),
            date_of_birth,
            safety: SafetyMarker::default(),
            next_review: Some(self.today() + time::Duration::days(FIRST_REVIEW_DAYS)),
            needs: Vec::new(),
            strengths: None,
            not_shared: None,
            transition_notes: None,
        };
        let id = queries::insert_plan(
            &mut **tx,
            &entry(&fields, &Narrative::default())?,
            store::plans::PlanLinks {
                case_id: Some(case_id),
                episode_id: Some(episode_id),
                report_id: None,
            },
            who.user_id,
            now,
        )
        .await?;
        queries::add_member(&mut **tx, id, who.user_id, now).await?;
        audited(
            tx,
            by,
            "recovery_plan.open",
            subject(id),
            Some(format!(
                "opened at the recovery of case {case_id}, episode {episode_id}"
            )),
        )
        .await?;
        Ok(Some(id))
    }

    /// One plan, as `who` may see it; the view is audited. An investigator sees it only
    /// once the young person consented to a share with their agency, and never its
    /// narrative.
    pub async fn recovery_plan(&self, who: &Principal, id: i64, ip: Ip) -> Result<PlanView> {
        allow(who, Action::ViewRecoveryPlan)?;
        let (row, access) = self.plan_access_of(who, id).await?;
        if !access.reads() {
            return Err(ServiceError::Forbidden);
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "recovery_plan.view",
            subject(id),
            Some(
                match access {
                    PlanAccess::Consented => "with the young person's consent to their agency",
                    PlanAccess::Oversight => "as supervisor",
                    _ => "as a member of the team",
                }
                .to_owned(),
            ),
        )
        .await?;
        store::commit(tx).await?;
        self.plan_view(&row, access).await
    }

    async fn plan_view(&self, row: &PlanRow, access: PlanAccess) -> Result<PlanView> {
        let today = self.today();
        let s = self.summary(row, today)?;
        let team = queries::team(self.store.reader(), row.id)
            .await?
            .into_iter()
            .map(|m| Member {
                user_id: m.user_id,
                name: m.display_name,
                role: m
                    .role
                    .parse::<Role>()
                    .map(|r| r.label().to_owned())
                    .unwrap_or(m.role),
                organisation: m.org_name,
            })
            .collect();
        let consents = queries::consents(self.store.reader(), row.id)
            .await?
            .into_iter()
            .map(|c| ConsentView {
                id: c.id,
                withdrawn: c.withdrawn_on.map(|on| Withdrawal {
                    on,
                    reason: c.withdrawn_reason.unwrap_or_default(),
                    recorded_by: c.withdrawn_by_name.unwrap_or_default(),
                }),
                with_whom: c.with_whom,
                org_id: c.org_id,
                what: c.what,
                given_on: c.given_on,
                recorded_by: c.recorded_by_name,
                recorded_at: c.recorded_at,
            })
            .collect();
        let mut needs = needs_of(row)?;
        let narrative = if access.reads_narrative() {
            Some(narrative_of(row)?)
        } else {
            for n in &mut needs {
                n.note = None;
            }
            None
        };
        let referrals = self.plan_referrals(row.id, access).await?;
        let closed = match (row.closed_at, closing_reason_of(row)?) {
            (Some(at), Some(reason)) => {
                let by = match row.closed_by {
                    Some(u) => store::users::by_id(self.store.reader(), u)
                        .await?
                        .map(|u| u.display_name)
                        .unwrap_or_default(),
                    None => String::new(),
                };
                Some(Closure { at, reason, by })
            }
            _ => None,
        };
        Ok(PlanView {
            id: row.id,
            young_person: row.young_person.clone(),
            date_of_birth: date("date_of_birth", row.date_of_birth.as_deref())?,
            case_id: row.case_id,
            episode_id: row.episode_id,
            report_id: row.report_id,
            safety: s.safety,
            next_review: s.next_review,
            last_reviewed: row.last_reviewed.clone(),
            review: s.review,
            transition: s.transition,
            needs,
            narrative,
            team,
            consents,
            referrals,
            access,
            opened_at: row.opened_at,
            updated_at: row.updated_at,
            closed,
        })
    }

    /// Updates a plan's fields. A supervisor outside the team cannot read the narrative,
    /// so theirs is kept as it was.
    pub async fn update_plan(
        &self,
        who: &Principal,
        id: i64,
        fields: &PlanFields,
        ip: Ip,
    ) -> Result<()> {
        let (row, access) = self.changeable(who, id).await?;
        let mut narrative = narrative_of(&row)?;
        let mut fields = fields.clone();
        if access.reads_narrative() {
            narrative.strengths = fields.strengths.clone();
            narrative.not_shared = fields.not_shared.clone();
            narrative.transition_notes = fields.transition_notes.clone();
        } else {
            // Keep the needs' notes the supervisor did not see.
            let old = needs_of(&row)?;
            for n in &mut fields.needs {
                n.note = old
                    .iter()
                    .find(|o| o.domain == n.domain)
                    .and_then(|o| o.note.clone());
            }
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        queries::update_plan(&mut *tx, id, &entry(&fields, &narrative)?, now).await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "recovery_plan.update",
            subject(id),
            Some(format!("safety marker: {}", fields.safety.label())),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Adds a goal in the young person's own words (the team only).
    pub async fn add_goal(&self, who: &Principal, id: i64, words: &str, ip: Ip) -> Result<()> {
        let (row, access) = self.changeable(who, id).await?;
        if !access.reads_narrative() {
            return Err(ServiceError::Forbidden);
        }
        let goal =
            Goal::check(words, self.today()).map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let mut narrative = narrative_of(&row)?;
        narrative.goals.push(goal);
        let now = self.now();
        let mut tx = self.store.begin().await?;
        queries::set_narrative(&mut *tx, id, &json(&narrative)?, now).await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "recovery_plan.goal",
            subject(id),
            Some(format!("goal {} added", narrative.goals.len())),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Records a review with its note and sets the next review's date.
    pub async fn review_plan(
        &self,
        who: &Principal,
        id: i64,
        note: &str,
        next_review: &str,
        ip: Ip,
    ) -> Result<()> {
        let (row, access) = self.changeable(who, id).await?;
        let today = self.today();
        let note = ::recovery::model::optional_text("the review note", note, 10_000)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let next = ::recovery::model::parse_date("the next review", next_review)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?
            .ok_or_else(|| {
                ServiceError::Invalid(
                    "the next review is empty: give its date, written YYYY-MM-DD".into(),
                )
            })?;
        if next <= today {
            return Err(ServiceError::Invalid(
                "the next review must be after today: give a later date".into(),
            ));
        }
        let mut narrative = narrative_of(&row)?;
        if access.reads_narrative() {
            narrative.reviews.push(Review {
                on: format_date(today),
                note,
            });
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        queries::set_review(
            &mut *tx,
            id,
            &format_date(today),
            Some(&format_date(next)),
            &json(&narrative)?,
            now,
        )
        .await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "recovery_plan.review",
            subject(id),
            Some(format!("next review {}", format_date(next))),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// People who may join a plan's team: caseworkers, recovery specialists, supervisors.
    pub async fn plan_team_candidates(&self, who: &Principal) -> Result<Vec<Candidate>> {
        allow(who, Action::ManageRecoveryPlans)?;
        Ok(queries::team_candidates(self.store.reader())
            .await?
            .into_iter()
            .map(|m| Candidate {
                user_id: m.user_id,
                label: format!(
                    "{} ({}, {})",
                    m.display_name,
                    m.role
                        .parse::<Role>()
                        .map(|r| r.label().to_owned())
                        .unwrap_or(m.role.clone()),
                    m.org_name
                ),
            })
            .collect())
    }

    /// Adds someone to the team.
    pub async fn add_team_member(
        &self,
        who: &Principal,
        id: i64,
        member: UserId,
        ip: Ip,
    ) -> Result<()> {
        self.changeable(who, id).await?;
        let candidates = queries::team_candidates(self.store.reader()).await?;
        let Some(m) = candidates.iter().find(|c| c.user_id == member) else {
            return Err(ServiceError::Invalid(
                "that person cannot join a recovery plan's team: choose a caseworker, recovery \
                 specialist or supervisor"
                    .into(),
            ));
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        queries::add_member(&mut *tx, id, member, now).await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "recovery_plan.team",
            subject(id),
            Some(format!("added {}", m.display_name)),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Takes someone off the team; they lose the plan (unless a supervisor). The last
    /// member stays: a plan always has someone who works with the young person.
    pub async fn remove_team_member(
        &self,
        who: &Principal,
        id: i64,
        member: UserId,
        ip: Ip,
    ) -> Result<()> {
        self.changeable(who, id).await?;
        let team = queries::team(self.store.reader(), id).await?;
        let Some(m) = team.iter().find(|m| m.user_id == member) else {
            return Err(ServiceError::NotFound("that member of the team"));
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !queries::remove_member(&mut *tx, id, member).await? {
            return Err(ServiceError::Conflict(
                "they were taken off the team a moment ago; reload the page".into(),
            ));
        }
        // Counted inside the transaction, so two removals at once cannot empty the team.
        if queries::team_size(&mut *tx, id).await? == 0 {
            return Err(ServiceError::Invalid(
                "the last member of a plan's team cannot be removed: add who takes over first"
                    .into(),
            ));
        }
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "recovery_plan.team",
            subject(id),
            Some(format!("removed {}", m.display_name)),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Records that the young person withdrew a consent (the team only, as for giving it):
    /// kept with the day and reason, it no longer opens the plan to its organisation.
    pub async fn withdraw_consent(
        &self,
        who: &Principal,
        id: i64,
        consent: i64,
        reason: &str,
        ip: Ip,
    ) -> Result<()> {
        // A young person may withdraw a consent after their plan closed, too.
        let (_, access) = self.plan_team_access(who, id).await?;
        if !access.reads_narrative() {
            return Err(ServiceError::Forbidden);
        }
        let reason = ::recovery::model::optional_text("the reason", reason, 2_000)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?
            .ok_or_else(|| {
                ServiceError::Invalid(
                    "the reason is empty: say why, in the young person's words if they wish".into(),
                )
            })?;
        let consents = queries::consents(self.store.reader(), id).await?;
        let Some(c) = consents.iter().find(|c| c.id == consent) else {
            return Err(ServiceError::NotFound("the consent"));
        };
        let today = format_date(self.today());
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !queries::withdraw_consent(&mut *tx, id, consent, &today, &reason, who.user_id, now)
            .await?
        {
            return Err(ServiceError::Conflict(
                "this consent is already withdrawn; reload the page to see it".into(),
            ));
        }
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "recovery_plan.consent_withdrawn",
            subject(id),
            Some(format!(
                "consent {consent} to share with {}{} withdrawn {today}: {reason}",
                c.with_whom,
                c.org_id
                    .map(|o| format!(" (organisation {})", o.0))
                    .unwrap_or_default(),
            )),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Organisations a consent may name (a law-enforcement agency named here may then read
    /// the plan, without its narrative).
    pub async fn consent_organisations(&self, who: &Principal) -> Result<Vec<(OrgId, String)>> {
        allow(who, Action::ManageRecoveryPlans)?;
        Ok(store::orgs::list(self.store.reader())
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect())
    }

    /// Records the young person's consent to a share (the team only: consent is theirs to
    /// give, to the people who work with them).
    #[allow(clippy::too_many_arguments)]
    pub async fn record_consent(
        &self,
        who: &Principal,
        id: i64,
        with_whom: &str,
        org: Option<OrgId>,
        what: &str,
        given_on: &str,
        ip: Ip,
    ) -> Result<()> {
        let (_, access) = self.changeable(who, id).await?;
        if !access.reads_narrative() {
            return Err(ServiceError::Forbidden);
        }
        let with_whom = match (with_whom.trim(), org) {
            ("", Some(o)) => {
                store::orgs::by_id(self.store.reader(), o)
                    .await?
                    .ok_or(ServiceError::NotFound("the organisation"))?
                    .name
            }
            (w, Some(o)) => {
                store::orgs::by_id(self.store.reader(), o)
                    .await?
                    .ok_or(ServiceError::NotFound("the organisation"))?;
                w.to_owned()
            }
            (w, None) => w.to_owned(),
        };
        let c = Consent::check(&with_whom, what, given_on, self.today())
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        queries::insert_consent(
            &mut *tx,
            id,
            &c.with_whom,
            org,
            &c.what,
            &format_date(c.given_on),
            who.user_id,
            now,
        )
        .await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "recovery_plan.consent",
            subject(id),
            Some(format!(
                "consent to share with {}{} given {}",
                c.with_whom,
                org.map(|o| format!(" (organisation {})", o.0))
                    .unwrap_or_default(),
                format_date(c.given_on)
            )),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Plans opened, referrals by need and status, median days from referral to
    /// engagement, transitions at 18. Counts only.
    pub async fn plan_statistics(&self, who: &Principal) -> Result<PlanStatistics> {
        allow(who, Action::ViewStatistics)?;
        let c = queries::counts(self.store.reader()).await?;
        let mut referrals = Vec::new();
        for (need, status, n) in c.referrals {
            let need = PlanDomain::parse(&need).map_err(|_| {
                ServiceError::Internal(Box::new(store::StoreError::UnknownValue {
                    column: "referrals.need",
                    value: need.clone(),
                }))
            })?;
            let status = ::recovery::ReferralStatus::parse(&status).map_err(|_| {
                ServiceError::Internal(Box::new(store::StoreError::UnknownValue {
                    column: "referrals.status",
                    value: status.clone(),
                }))
            })?;
            referrals.push((need, status, n));
        }
        let mut days: Vec<i64> = c
            .engagement_delays
            .iter()
            .map(|us| us / 86_400_000_000)
            .collect();
        days.sort_unstable();
        let median = (!days.is_empty()).then(|| days[days.len() / 2]);
        let today = self.today();
        let (mut adult, mut due) = (0, 0);
        for d in &c.dates_of_birth {
            match transition(date("date_of_birth", Some(d))?, today) {
                Transition::Adult { .. } => adult += 1,
                Transition::Due { .. } => due += 1,
                Transition::NotYet => {}
            }
        }
        Ok(PlanStatistics {
            plans_opened: c.plans,
            referrals,
            median_days_to_engagement: median,
            transitions_at_18: adult,
            transitions_due: due,
        })
    }
}
