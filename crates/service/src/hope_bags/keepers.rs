//! Keepers: the volunteers assigned to a location, who manage that location's stock and no
//! other's. Hotline staff (administrators, supervisors, analysts) keep every location;
//! supervisors and administrators assign volunteers.

use super::{allow, Act};
use crate::error::{Result, ServiceError};
use crate::{Ip, Services};
use domain::{Action, Principal, Role, UserId};
use hopebags::LocationId;
use store::hope_bags as queries;

/// A volunteer who keeps a location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeeperView {
    pub location_id: LocationId,
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
}

impl Services {
    /// Refuses, with a message naming the location, a volunteer acting on a location not
    /// assigned to them. Staff pass. Read in the caller's transaction when it has one.
    pub(crate) async fn may_keep(&self, who: &Principal, at: LocationId) -> Result<()> {
        allow(who, Action::ManageHopeBagStock)?;
        if who.role != Role::Volunteer {
            return Ok(());
        }
        let mine = queries::kept_by(self.store.reader(), who.user_id).await?;
        if mine.contains(&at) {
            return Ok(());
        }
        let place = match queries::location(self.store.reader(), at).await {
            Ok(l) => l.name,
            Err(store::StoreError::NotFound) => return Err(ServiceError::NotFound("the location")),
            Err(e) => return Err(e.into()),
        };
        Err(ServiceError::ForbiddenHere(if mine.is_empty() {
            format!(
                "You do not keep the stock of any location yet, so you cannot manage the stock of \
                 {place}: ask a supervisor to assign you to {place}."
            )
        } else {
            format!(
                "You keep the stock of {} location{}, not of {place}. Choose one of yours, or ask \
                 a supervisor to assign you to {place}.",
                mine.len(),
                if mine.len() == 1 { "" } else { "s" }
            )
        }))
    }

    /// The locations whose stock `who` may manage: every one for staff, the assigned ones
    /// for a volunteer, none for others.
    pub async fn hope_locations_kept(&self, who: &Principal) -> Result<Vec<LocationId>> {
        if !domain::policy::permits(Some(who), Action::ManageHopeBagStock) {
            return Ok(Vec::new());
        }
        if who.role == Role::Volunteer {
            return Ok(queries::kept_by(self.store.reader(), who.user_id).await?);
        }
        Ok(queries::locations(self.store.reader())
            .await?
            .into_iter()
            .map(|l| l.id)
            .collect())
    }

    /// The volunteers assigned to a location, for those who keep stock.
    pub async fn hope_keepers(&self, who: &Principal, at: LocationId) -> Result<Vec<KeeperView>> {
        allow(who, Action::ManageHopeBagStock)?;
        Ok(queries::keepers(self.store.reader(), Some(at))
            .await?
            .into_iter()
            .map(|k| KeeperView {
                location_id: k.location_id,
                user_id: k.user_id,
                username: k.username,
                display_name: k.display_name,
            })
            .collect())
    }

    /// The volunteers a location may be given to: (id, username, display name).
    pub async fn hope_keeper_choices(
        &self,
        who: &Principal,
    ) -> Result<Vec<(UserId, String, String)>> {
        allow(who, Action::AssignHopeBagKeepers)?;
        Ok(queries::volunteers(self.store.reader()).await?)
    }

    /// Assigns a volunteer to keep a location's stock.
    pub async fn assign_hope_keeper(
        &self,
        who: &Principal,
        at: LocationId,
        user: UserId,
        ip: Ip,
    ) -> Result<()> {
        allow(who, Action::AssignHopeBagKeepers)?;
        let place = self.hope_location_name(at).await?;
        let person = store::users::by_id(self.store.reader(), user)
            .await?
            .ok_or(ServiceError::NotFound("the user"))?;
        if person.role != Role::Volunteer {
            return Err(ServiceError::Invalid(format!(
                "{} is not a volunteer: hotline staff keep every location already. Choose a \
                 volunteer from the list.",
                person.username
            )));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !queries::insert_keeper(&mut *tx, at, user, Some(who.user_id), now).await? {
            return Err(ServiceError::Conflict(format!(
                "{} already keeps {place}.",
                person.username
            )));
        }
        self.hope_audit(
            &mut tx,
            &Act { who, ip, now },
            "hope_bags.keeper_assigned",
            ("hope_location", at.0),
            format!("{} keeps {place}", person.username),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Takes a volunteer off a location.
    pub async fn unassign_hope_keeper(
        &self,
        who: &Principal,
        at: LocationId,
        user: UserId,
        ip: Ip,
    ) -> Result<()> {
        allow(who, Action::AssignHopeBagKeepers)?;
        let place = self.hope_location_name(at).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !queries::delete_keeper(&mut *tx, at, user).await? {
            return Err(ServiceError::NotFound("the volunteer at this location"));
        }
        self.hope_audit(
            &mut tx,
            &Act { who, ip, now },
            "hope_bags.keeper_removed",
            ("hope_location", at.0),
            format!("user {} no longer keeps {place}", user.0),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }
}
