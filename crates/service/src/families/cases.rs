//! Advocates' use cases on a family's support case, and a volunteer's narrow view of a
//! matched family. Every change commits with its audit entry; a volunteer's every view of
//! a family is audited.

use super::{
    advocate_may_see, allow, contact, item, profile_of, ContactView, FamilyItem, FamilyView,
    MatchProposal, ReferralView, VolunteerFamilyView,
};
use crate::audit::{audited, By, Subject};
use crate::error::{Result, ServiceError};
use crate::{Ip, Services};
use ::families::matching::{propose, Candidate, FamilyNeeds};
use ::families::model::{CloseReason, Coded, ContactEntry, FamilyProfile, VolunteerProfile};
use domain::policy::permits;
use domain::{Action, CaseId, Principal, Role, UserId};
use store::families::{self as queries, FamilyRow, NewContact, NewFamily};

/// A new family support case: what the family told us, and what it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFamilyCase {
    pub profile: FamilyProfile,
    /// A missing-child case the advocate may see.
    pub case_id: Option<i64>,
    /// A report the advocate may see.
    pub report_id: Option<i64>,
}

/// Counts for statistics: never a list of families.
#[derive(Debug, Clone, PartialEq)]
pub struct FamilyStats {
    pub opened: i64,
    pub closed: i64,
    /// Median minutes from opening to the first contact.
    pub median_first_contact_minutes: Option<i64>,
    pub surveys: i64,
    pub average_helpfulness: Option<f64>,
}

fn subject(id: i64) -> Subject {
    Subject::Other("family".into(), id.to_string())
}

impl Services {
    /// The family `who` may work on as an advocate; not found when out of their scope.
    async fn advocated(&self, who: &Principal, id: i64) -> Result<FamilyRow> {
        allow(who, Action::AdvocateFamilies)?;
        let row = queries::family_by_id(self.store.reader(), id)
            .await?
            .ok_or(ServiceError::NotFound("the family's case"))?;
        if !advocate_may_see(who, &row) {
            return Err(ServiceError::NotFound("the family's case"));
        }
        Ok(row)
    }

    /// The caseload: open family cases of `who`'s organisation (every organisation's for a
    /// supervisor), first contacts due soonest first, then follow-ups due.
    pub async fn families(&self, who: &Principal, open_only: bool) -> Result<Vec<FamilyItem>> {
        allow(who, Action::AdvocateFamilies)?;
        let org = (who.role != Role::Supervisor).then_some(who.org_id);
        let now = self.now();
        Ok(queries::families(self.store.reader(), org, open_only)
            .await?
            .iter()
            .map(|r| item(r, now))
            .collect())
    }

    /// Family cases opened for a missing-child case, for an advocate who may see it.
    pub async fn families_of_case(&self, who: &Principal, case_id: i64) -> Result<Vec<FamilyItem>> {
        if !permits(Some(who), Action::AdvocateFamilies) {
            return Ok(Vec::new());
        }
        let now = self.now();
        Ok(queries::families_of_case(self.store.reader(), case_id)
            .await?
            .iter()
            .filter(|r| advocate_may_see(who, r))
            .map(|r| item(r, now))
            .collect())
    }

    /// A family's case as an advocate sees it: a volunteer is refused (their view is
    /// [`Services::volunteer_family`]).
    pub async fn family(&self, who: &Principal, id: i64) -> Result<FamilyView> {
        let row = self.advocated(who, id).await?;
        let profile = profile_of(&row)?;
        let case = match row.case_id {
            Some(c) if self.visible_case(who, c).await.is_ok() => Some((c, CaseId(c).number())),
            _ => None,
        };
        let report_id = row
            .report_id
            .filter(|_| permits(Some(who), Action::ViewReports));
        let contacts = queries::contacts(self.store.reader(), id, None)
            .await?
            .iter()
            .map(|c| contact(c, row.volunteer_id))
            .collect();
        let referrals = queries::referrals(self.store.reader(), id)
            .await?
            .into_iter()
            .map(|r| ReferralView {
                resource_id: r.resource_id,
                resource_name: r.resource_name,
                note: r.note,
                by_name: r.by_name,
                at: r.created_at,
            })
            .collect();
        Ok(FamilyView {
            item: item(&row, self.now()),
            profile,
            case,
            report_id,
            volunteer_id: row.volunteer_id.map(|u| u.0),
            matched_at: row.matched_at,
            close_reason: row.close_reason.as_deref().and_then(CloseReason::parse),
            contacts,
            referrals,
        })
    }

    /// Opens a family support case in `who`'s organisation, with `who` as its advocate.
    pub async fn open_family(&self, who: &Principal, new: NewFamilyCase, ip: Ip) -> Result<i64> {
        allow(who, Action::AdvocateFamilies)?;
        if let Some(c) = new.case_id {
            if self.visible_case(who, c).await.is_err() {
                return Err(ServiceError::Invalid(format!(
                    "There is no missing-child case {} you may see: check the case number, or open the family's case without it",
                    CaseId(c).number()
                )));
            }
        }
        if let Some(r) = new.report_id {
            let seen = permits(Some(who), Action::ViewReports)
                && store::reports::by_id(self.store.reader(), r)
                    .await?
                    .is_some();
            if !seen {
                return Err(ServiceError::Invalid(format!(
                    "There is no report {r} you may see: check the report number, or open the family's case without it"
                )));
            }
        }
        let p = &new.profile;
        let json = serde_json::to_string(p).map_err(|e| ServiceError::Internal(Box::new(e)))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = queries::insert_family(
            &mut *tx,
            &NewFamily {
                org_id: who.org_id,
                advocate_id: who.user_id,
                case_id: new.case_id,
                report_id: new.report_id,
                family_name: &p.family_name,
                crisis: p.crisis,
                experience: p.experience,
                profile_json: &json,
                first_contact_due: p.crisis.first_contact_due(now),
            },
            now,
        )
        .await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "family.open",
            subject(id),
            Some(format!("crisis level {}", p.crisis.code())),
        )
        .await?;
        store::commit(tx).await?;
        Ok(id)
    }

    /// Replaces what the family told us (the case stays linked as it was).
    pub async fn update_family(
        &self,
        who: &Principal,
        id: i64,
        profile: FamilyProfile,
        ip: Ip,
    ) -> Result<()> {
        let row = self.advocated(who, id).await?;
        if row.closed_at.is_some() {
            return Err(ServiceError::Conflict(
                "This family's case is closed: its details can no longer be changed. Open a new case if the family needs support again".into(),
            ));
        }
        let json =
            serde_json::to_string(&profile).map_err(|e| ServiceError::Internal(Box::new(e)))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        queries::update_family(
            &mut *tx,
            id,
            &profile.family_name,
            profile.crisis,
            profile.experience,
            &json,
            now,
        )
        .await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "family.update",
            subject(id),
            None,
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Logs a call, message or meeting: by an advocate of the family, or by its matched
    /// volunteer (whose entries the advocate sees).
    pub async fn log_contact(
        &self,
        who: &Principal,
        id: i64,
        entry: ContactEntry,
        ip: Ip,
    ) -> Result<i64> {
        let row = if who.role == Role::Volunteer {
            self.matched(who, id).await?
        } else {
            self.advocated(who, id).await?
        };
        if row.closed_at.is_some() {
            return Err(ServiceError::Conflict(
                "This family's case is closed: open a new case to log more contacts".into(),
            ));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let cid = queries::insert_contact(
            &mut tx,
            &NewContact {
                family_id: id,
                by_user: who.user_id,
                kind: entry.kind,
                at: entry.at,
                with_whom: &entry.with_whom,
                summary: &entry.summary,
                next_step: &entry.next_step,
                next_due: entry.next_due,
            },
            now,
        )
        .await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "family.contact",
            subject(id),
            Some(entry.kind.code().to_owned()),
        )
        .await?;
        store::commit(tx).await?;
        Ok(cid)
    }

    /// The contact log: all of it for an advocate, their own entries for the volunteer.
    pub async fn family_contacts(
        &self,
        who: &Principal,
        id: i64,
        ip: Ip,
    ) -> Result<Vec<ContactView>> {
        if who.role == Role::Volunteer {
            return Ok(self.volunteer_family(who, id, ip).await?.contacts);
        }
        Ok(self.family(who, id).await?.contacts)
    }

    /// Records a referral to a service of the recovery directory.
    pub async fn refer_family(
        &self,
        who: &Principal,
        id: i64,
        resource_id: i64,
        note: &str,
        ip: Ip,
    ) -> Result<()> {
        self.advocated(who, id).await?;
        let service = self.resource(who, resource_id).await.map_err(|_| {
            ServiceError::Invalid(format!(
                "There is no service {resource_id} in the recovery directory: pick one from the directory"
            ))
        })?;
        let note: String = note.trim().chars().take(1000).collect();
        let now = self.now();
        let mut tx = self.store.begin().await?;
        queries::insert_referral(&mut *tx, id, resource_id, &note, who.user_id, now).await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "family.refer",
            subject(id),
            Some(format!("resource {resource_id}: {}", service.service.name)),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// The volunteers the matcher proposes for a family, best first, with reasons. Lapsed
    /// volunteers are never proposed.
    pub async fn match_proposals(&self, who: &Principal, id: i64) -> Result<Vec<MatchProposal>> {
        let row = self.advocated(who, id).await?;
        let p = profile_of(&row)?;
        let candidates = self.candidates().await?;
        let needs = FamilyNeeds {
            experience: p.experience,
            language: p.language,
            time_zone: p.time_zone,
            times: p.times,
        };
        Ok(propose(&needs, &candidates, self.today())
            .into_iter()
            .filter(|c| Some(UserId(c.id)) != row.volunteer_id)
            .map(|c| MatchProposal {
                volunteer_id: c.id,
                name: c.name,
                reasons: c.reasons,
            })
            .collect())
    }

    async fn candidates(&self) -> Result<Vec<Candidate>> {
        let mut out = Vec::new();
        for v in store::families::volunteers(self.store.reader()).await? {
            let Some(json) = v.profile_json.as_deref() else {
                continue;
            };
            let profile: VolunteerProfile = serde_json::from_str(json).map_err(|e| {
                super::corrupt(format!("volunteer {}: profile_json: {e}", v.user_id.0))
            })?;
            out.push(Candidate {
                id: v.user_id.0,
                name: v.display_name,
                profile,
                load: usize::try_from(v.load).unwrap_or(0),
            });
        }
        Ok(out)
    }

    /// Confirms a volunteer for a family; only one the matcher proposes now (eligible).
    pub async fn confirm_match(
        &self,
        who: &Principal,
        id: i64,
        volunteer: i64,
        ip: Ip,
    ) -> Result<()> {
        let row = self.advocated(who, id).await?;
        if row.closed_at.is_some() {
            return Err(ServiceError::Conflict(
                "This family's case is closed: a volunteer cannot be matched with it".into(),
            ));
        }
        let proposals = self.match_proposals(who, id).await?;
        if !proposals.iter().any(|p| p.volunteer_id == volunteer) {
            let why = match store::families::volunteer_by_id(self.store.reader(), UserId(volunteer))
                .await?
            {
                None => "there is no such volunteer".to_owned(),
                Some(v) => {
                    let lapses = v
                        .profile_json
                        .as_deref()
                        .and_then(|j| serde_json::from_str::<VolunteerProfile>(j).ok())
                        .map(|p| p.lapses(self.today()))
                        .unwrap_or_else(|| vec!["no vetting or training recorded".to_owned()]);
                    if lapses.is_empty() {
                        format!("{} is already matched with this family", v.display_name)
                    } else {
                        format!(
                            "{} may not be matched: {}",
                            v.display_name,
                            lapses.join("; ")
                        )
                    }
                }
            };
            return Err(ServiceError::Invalid(format!(
                "This volunteer cannot be confirmed: {why}. Pick one of the volunteers proposed"
            )));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        queries::set_volunteer(&mut *tx, id, UserId(volunteer), who.user_id, now).await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "family.match",
            subject(id),
            Some(format!("volunteer {volunteer}")),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Closes a family's case with its reason and, if the family answered it, how helpful
    /// the support was (1 to 5: counted in statistics, never listed).
    pub async fn close_family(
        &self,
        who: &Principal,
        id: i64,
        reason: CloseReason,
        helpfulness: Option<u8>,
        ip: Ip,
    ) -> Result<()> {
        let row = self.advocated(who, id).await?;
        if row.closed_at.is_some() {
            return Err(ServiceError::Conflict(
                "This family's case is already closed".into(),
            ));
        }
        if helpfulness.is_some_and(|h| !(1..=5).contains(&h)) {
            return Err(ServiceError::Invalid(
                "How helpful the support was must be a number from 1 to 5, or left empty".into(),
            ));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        queries::close(&mut *tx, id, reason.code(), helpfulness, now).await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "family.close",
            subject(id),
            Some(reason.code().to_owned()),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// A family matched with the volunteer `who`; forbidden for any other family.
    async fn matched(&self, who: &Principal, id: i64) -> Result<FamilyRow> {
        allow(who, Action::ViewFamilySupport)?;
        if who.role != Role::Volunteer {
            return Err(ServiceError::Forbidden);
        }
        let row = queries::family_by_id(self.store.reader(), id)
            .await?
            .ok_or(ServiceError::NotFound("the family"))?;
        if row.volunteer_id != Some(who.user_id) || row.closed_at.is_some() {
            return Err(ServiceError::Forbidden);
        }
        Ok(row)
    }

    /// A matched family as its volunteer sees it (the view is audited).
    pub async fn volunteer_family(
        &self,
        who: &Principal,
        id: i64,
        ip: Ip,
    ) -> Result<VolunteerFamilyView> {
        let row = self.matched(who, id).await?;
        let view = self.narrow(&row).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "family.volunteer_view",
            subject(id),
            None,
        )
        .await?;
        store::commit(tx).await?;
        Ok(view)
    }

    pub(super) async fn narrow(&self, row: &FamilyRow) -> Result<VolunteerFamilyView> {
        let p = profile_of(row)?;
        let contacts: Vec<ContactView> =
            queries::contacts(self.store.reader(), row.id, row.volunteer_id)
                .await?
                .iter()
                .map(|c| contact(c, row.volunteer_id))
                .collect();
        let next_due = contacts.iter().find_map(|c| c.next_due);
        Ok(VolunteerFamilyView {
            id: row.id,
            contact_person: p.contact_person,
            language: p.language,
            times: p.times,
            time_zone: p.time_zone,
            experience: p.experience,
            notes: p.volunteer_notes,
            advocate_name: row.advocate_name.clone(),
            contacts,
            next_due,
        })
    }

    /// Counts for statistics (advocates and supervisors): cases opened and closed, the
    /// median time to first contact, the survey's average. Never a list.
    pub async fn family_statistics(&self, who: &Principal) -> Result<FamilyStats> {
        allow(who, Action::AdvocateFamilies)?;
        let c = queries::counts(self.store.reader()).await?;
        let m = &c.first_contact_minutes;
        let median = (!m.is_empty()).then(|| {
            if m.len() % 2 == 1 {
                m[m.len() / 2]
            } else {
                (m[m.len() / 2 - 1] + m[m.len() / 2]) / 2
            }
        });
        Ok(FamilyStats {
            opened: c.opened,
            closed: c.closed,
            median_first_contact_minutes: median,
            surveys: c.surveys,
            average_helpfulness: (c.surveys > 0)
                .then(|| c.helpfulness_sum as f64 / c.surveys as f64),
        })
    }
}
