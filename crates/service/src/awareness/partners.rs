//! Partner organisations, their awareness events and feed subscriptions: kept by
//! supervisors and administrators (`ManagePartners`), read by analysts too
//! (`ViewPartners`). Every change commits with its audit entry.

use super::{allow, internal};
use crate::audit::{audited, By, Subject};
use crate::error::{Result, ServiceError};
use crate::{Ip, Services};
use ::awareness::{AwarenessEvent, Partner, PartnerKind};
use casework::model::iso;
use domain::{Action, Principal};
use store::awareness::{self as queries, EventRow, PartnerFilter, PartnerRow, PartnerWrite};

/// Partners on one page of the list.
pub const PARTNERS_PER_PAGE: i64 = 25;

fn subject(id: i64) -> Subject {
    Subject::Other("partner".into(), id.to_string())
}

/// What the partner list is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct PartnerQuery {
    pub name: String,
    /// A two-letter state code the partner covers.
    pub state: Option<String>,
    pub kind: Option<PartnerKind>,
    /// Only partners taking this state's poster feed.
    pub feed_state: Option<String>,
    /// From 1.
    pub page: i64,
}

/// A partner in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerItem {
    pub id: i64,
    pub partner: Partner,
    pub events: i64,
    pub updated_at: i64,
}

/// One partner with its events, latest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerView {
    pub item: PartnerItem,
    pub events: Vec<EventView>,
}

/// An awareness event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventView {
    pub id: i64,
    pub partner_id: i64,
    pub partner_name: String,
    /// `YYYY-MM-DD`
    pub held_on: String,
    pub place: String,
    pub audience: String,
    pub materials: String,
}

fn item(r: PartnerRow) -> Result<PartnerItem> {
    let partner: Partner = serde_json::from_str(&r.partner_json).map_err(|e| {
        internal(store::StoreError::Corrupt(format!(
            "partner {}: partner_json: {e}",
            r.id
        )))
    })?;
    Ok(PartnerItem {
        id: r.id,
        partner,
        events: r.events,
        updated_at: r.updated_at,
    })
}

fn event(r: EventRow) -> EventView {
    EventView {
        id: r.id,
        partner_id: r.partner_id,
        partner_name: r.partner_name,
        held_on: r.held_on,
        place: r.place,
        audience: r.audience,
        materials: r.materials,
    }
}

fn write<'a>(p: &'a Partner, json: &'a str) -> PartnerWrite<'a> {
    PartnerWrite {
        name: &p.name,
        kind: p.kind,
        partner_json: json,
        states: &p.states,
        feed_states: &p.feed_states,
    }
}

fn to_json(p: &Partner) -> Result<String> {
    serde_json::to_string(p).map_err(internal)
}

impl Services {
    /// A page of partners by name, and how many match in all.
    pub async fn partners(
        &self,
        who: &Principal,
        q: &PartnerQuery,
    ) -> Result<(Vec<PartnerItem>, i64)> {
        allow(who, Action::ViewPartners)?;
        let f = PartnerFilter {
            name: q.name.clone(),
            state: q.state.clone(),
            kind: q.kind,
            feed_state: q.feed_state.clone(),
        };
        let page = q.page.max(1);
        let rows = queries::partners(
            self.store.reader(),
            &f,
            PARTNERS_PER_PAGE,
            (page - 1) * PARTNERS_PER_PAGE,
        )
        .await?;
        let total = queries::count_partners(self.store.reader(), &f).await?;
        Ok((rows.into_iter().map(item).collect::<Result<_>>()?, total))
    }

    pub async fn partner(&self, who: &Principal, id: i64) -> Result<PartnerView> {
        allow(who, Action::ViewPartners)?;
        let row = queries::partner_by_id(self.store.reader(), id)
            .await?
            .ok_or(ServiceError::NotFound("the partner organisation"))?;
        let events = queries::events(self.store.reader(), Some(id), None, 200, 0).await?;
        Ok(PartnerView {
            item: item(row)?,
            events: events.into_iter().map(event).collect(),
        })
    }

    /// Adds a partner organisation (checked by `PartnerForm::check`).
    pub async fn create_partner(&self, who: &Principal, p: &Partner, ip: Ip) -> Result<i64> {
        allow(who, Action::ManagePartners)?;
        let json = to_json(p)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = queries::insert_partner(&mut *tx, &write(p, &json), who.user_id, now).await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "partner.create",
            subject(id),
            Some(format!("{} ({})", p.name, p.kind.code())),
        )
        .await?;
        store::commit(tx).await?;
        Ok(id)
    }

    /// Replaces a partner's details; its events stay.
    pub async fn update_partner(
        &self,
        who: &Principal,
        id: i64,
        p: &Partner,
        ip: Ip,
    ) -> Result<()> {
        allow(who, Action::ManagePartners)?;
        let json = to_json(p)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        queries::update_partner(&mut *tx, id, &write(p, &json), now)
            .await
            .map_err(|e| match e {
                store::StoreError::NotFound => ServiceError::NotFound("the partner organisation"),
                e => e.into(),
            })?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "partner.update",
            subject(id),
            Some(format!(
                "feeds: {}",
                if p.feed_states.is_empty() {
                    "none".to_owned()
                } else {
                    p.feed_states.join(" ")
                }
            )),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Records an awareness event a partner ran or will run.
    pub async fn add_partner_event(
        &self,
        who: &Principal,
        partner_id: i64,
        e: &AwarenessEvent,
        ip: Ip,
    ) -> Result<i64> {
        allow(who, Action::ManagePartners)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if queries::partner_by_id(&mut *tx, partner_id)
            .await?
            .is_none()
        {
            return Err(ServiceError::NotFound("the partner organisation"));
        }
        let held_on = iso(e.held_on);
        let id = queries::insert_event(
            &mut *tx,
            &queries::NewEvent {
                partner_id,
                held_on: &held_on,
                place: &e.place,
                audience: &e.audience,
                materials: &e.materials,
            },
            who.user_id,
            now,
        )
        .await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "partner.event",
            subject(partner_id),
            Some(format!("event {id} on {held_on}")),
        )
        .await?;
        store::commit(tx).await?;
        Ok(id)
    }

    /// Every partner's events, latest first, from a date on (`YYYY-MM-DD`), one page (from 1).
    pub async fn partner_events(
        &self,
        who: &Principal,
        from: Option<&str>,
        page: i64,
    ) -> Result<Vec<EventView>> {
        allow(who, Action::ViewPartners)?;
        let page = page.max(1);
        let rows = queries::events(
            self.store.reader(),
            None,
            from,
            PARTNERS_PER_PAGE * 4,
            (page - 1) * PARTNERS_PER_PAGE * 4,
        )
        .await?;
        Ok(rows.into_iter().map(event).collect())
    }
}
