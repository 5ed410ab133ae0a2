//! Peer volunteers: supervisors keep their vetting and training records; a volunteer reads
//! their own page (their matched families, next contacts, training status), every family
//! shown being an audited view.

use super::{allow, VolunteerFamilyView};
use crate::audit::{audited, By, Subject};
use crate::error::{Result, ServiceError};
use crate::{Ip, Services};
use ::families::model::{Training, VolunteerProfile};
use domain::{Action, Principal, Role, UserId};
use store::families::{self as queries, VolunteerRow};
use time::Date;

/// A volunteer account with its profile and whether it may be matched today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolunteerView {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    /// Empty (the default) when nothing is recorded yet.
    pub profile: VolunteerProfile,
    /// Why they may not be matched today; empty when they may.
    pub lapses: Vec<String>,
    pub next_renewal: Option<Date>,
    /// Open families they support.
    pub load: i64,
}

/// A volunteer's own page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MyVolunteering {
    pub me: VolunteerView,
    pub families: Vec<VolunteerFamilyView>,
}

impl Services {
    fn volunteer_view(&self, v: VolunteerRow) -> Result<VolunteerView> {
        let profile: VolunteerProfile = match v.profile_json.as_deref() {
            Some(j) => serde_json::from_str(j).map_err(|e| {
                super::corrupt(format!("volunteer {}: profile_json: {e}", v.user_id.0))
            })?,
            None => VolunteerProfile::default(),
        };
        Ok(VolunteerView {
            user_id: v.user_id.0,
            username: v.username,
            display_name: v.display_name,
            lapses: profile.lapses(self.today()),
            next_renewal: profile.next_renewal(),
            profile,
            load: v.load,
        })
    }

    /// Every volunteer account with its records (supervisors).
    pub async fn volunteers(&self, who: &Principal) -> Result<Vec<VolunteerView>> {
        allow(who, Action::ManageVolunteers)?;
        queries::volunteers(self.store.reader())
            .await?
            .into_iter()
            .map(|v| self.volunteer_view(v))
            .collect()
    }

    /// One volunteer account with its records (supervisors).
    pub async fn volunteer(&self, who: &Principal, id: i64) -> Result<VolunteerView> {
        allow(who, Action::ManageVolunteers)?;
        let v = queries::volunteer_by_id(self.store.reader(), UserId(id))
            .await?
            .ok_or(ServiceError::NotFound("the volunteer"))?;
        self.volunteer_view(v)
    }

    /// Writes a volunteer's vetting, availability, languages, time zone and experience.
    /// Their training records are kept as they are (added with [`Services::add_training`]).
    pub async fn save_volunteer(
        &self,
        who: &Principal,
        id: i64,
        profile: VolunteerProfile,
        ip: Ip,
    ) -> Result<()> {
        let current = self.volunteer(who, id).await?;
        let profile = VolunteerProfile {
            trainings: current.profile.trainings,
            ..profile
        };
        self.write_volunteer(who, id, &profile, "volunteer.update", None, ip)
            .await
    }

    /// Adds a completed training to a volunteer's records.
    pub async fn add_training(
        &self,
        who: &Principal,
        id: i64,
        training: Training,
        ip: Ip,
    ) -> Result<()> {
        let mut profile = self.volunteer(who, id).await?.profile;
        let detail = training.name.clone();
        profile.trainings.push(training);
        self.write_volunteer(who, id, &profile, "volunteer.training", Some(detail), ip)
            .await
    }

    async fn write_volunteer(
        &self,
        who: &Principal,
        id: i64,
        profile: &VolunteerProfile,
        action: &str,
        detail: Option<String>,
        ip: Ip,
    ) -> Result<()> {
        let json =
            serde_json::to_string(profile).map_err(|e| ServiceError::Internal(Box::new(e)))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        queries::save_volunteer(&mut *tx, UserId(id), &json, now).await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            action,
            Subject::User(UserId(id)),
            detail,
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// The volunteer's own page: their matched families (each view audited), their next
    /// contacts and their training status.
    pub async fn my_volunteering(&self, who: &Principal, ip: Ip) -> Result<MyVolunteering> {
        allow(who, Action::ViewFamilySupport)?;
        if who.role != Role::Volunteer {
            return Err(ServiceError::Forbidden);
        }
        let me = queries::volunteer_by_id(self.store.reader(), who.user_id)
            .await?
            .ok_or(ServiceError::NotFound("your volunteer record"))?;
        let me = self.volunteer_view(me)?;
        let rows = queries::families_of_volunteer(self.store.reader(), who.user_id).await?;
        let mut families = Vec::with_capacity(rows.len());
        for r in &rows {
            families.push(self.narrow(r).await?);
        }
        if !rows.is_empty() {
            let now = self.now();
            let by = By::person(who, ip, now);
            let mut tx = self.store.begin().await?;
            for r in &rows {
                audited(
                    &mut tx,
                    &by,
                    "family.volunteer_view",
                    Subject::Other("family".into(), r.id.to_string()),
                    None,
                )
                .await?;
            }
            store::commit(tx).await?;
        }
        Ok(MyVolunteering { me, families })
    }
}
