//! Watchlists (issue 24): an analyst, supervisor or investigator watches an identifier (a
//! phone, an email, a handle), a case, the person named in a report or case, or the
//! template of an ad; any record linked afterwards that carries the identifier or links
//! to the record raises a notification for them, with the reason in words, in the
//! transaction that stores the record's links (`matching.rs`), so within seconds of the
//! record's commit. A watcher is notified only of records they may see. Watches expire
//! (`watchlists.watch_days`, 90 by default) unless renewed; an expired or removed watch
//! notifies nothing. With an SMTP server configured, a watcher who gave an address is
//! also told by e-mail, by a job (`mail.rs`): the message links to the notification and
//! carries nothing else. Every change is audited.

pub mod mail;
pub(crate) mod matching;

use crate::accounts::Page;
use crate::audit::{audited, By, Subject};
use crate::error::{Result, ServiceError};
use crate::linking::views::normalize_identifier;
use crate::{Ip, Services};
use domain::policy::permits;
use domain::{Action, CaseId, Principal, RecordRef};
use store::watchlists as q;

const DAY: i64 = 86_400_000_000;

/// What a watch is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchKind {
    Phone,
    Email,
    Handle,
    /// A missing-child case: records linked to it.
    Case,
    /// The person named in a report or case: records naming probably the same child.
    Person,
    /// The template an ad was written from: further ads from it.
    Template,
}

impl WatchKind {
    pub const ALL: [WatchKind; 6] = [
        WatchKind::Phone,
        WatchKind::Email,
        WatchKind::Handle,
        WatchKind::Case,
        WatchKind::Person,
        WatchKind::Template,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WatchKind::Phone => "phone",
            WatchKind::Email => "email",
            WatchKind::Handle => "handle",
            WatchKind::Case => "case",
            WatchKind::Person => "person",
            WatchKind::Template => "template",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            WatchKind::Phone => "Phone number",
            WatchKind::Email => "Email address",
            WatchKind::Handle => "Handle (screen name)",
            WatchKind::Case => "Missing-child case",
            WatchKind::Person => "Person named in a report or case",
            WatchKind::Template => "Ad template",
        }
    }

    /// What to type for the value, for forms.
    pub fn hint(self) -> &'static str {
        match self {
            WatchKind::Phone => "A phone number in any common format, such as 212-555-0147.",
            WatchKind::Email => "An email address.",
            WatchKind::Handle => "A screen name, with or without @.",
            WatchKind::Case => "A case number, such as CH-000151.",
            WatchKind::Person => "A report number (12 or report 12) or a case number (CH-000151).",
            WatchKind::Template => "The number of an ad written from the template, such as 7.",
        }
    }

    pub fn parse(s: &str) -> Option<WatchKind> {
        WatchKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn is_identifier(self) -> bool {
        matches!(
            self,
            WatchKind::Phone | WatchKind::Email | WatchKind::Handle
        )
    }
}

/// One of the caller's watches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    pub id: i64,
    pub kind: WatchKind,
    /// The normalised identifier, or the record watched in words ("CH-000003",
    /// "Report #12", "the template of ad #5").
    pub value: String,
    /// The watched record, for a case, person or template watch.
    pub record: Option<RecordRef>,
    /// The watcher's own words for it.
    pub label: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub renewed_at: Option<i64>,
    /// Past its expiry: it notifies nothing until renewed.
    pub expired: bool,
}

/// A watch to add, as typed.
#[derive(Debug, Clone, Default)]
pub struct NewWatch {
    pub kind: String,
    pub value: String,
    pub label: String,
    /// Days until it expires; None: the deployment's default.
    pub days: Option<i64>,
}

/// One notification: a record that matched one of the caller's watches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: i64,
    pub watch_id: i64,
    pub record: RecordRef,
    /// Why, in words ("Ad #12 carries the phone +12125550147").
    pub reason: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// The caller's notifications, unread first, with how many are unread.
#[derive(Debug, Clone)]
pub struct Notifications {
    pub page: Page<Notification>,
    pub unread: i64,
}

/// A person watch's stored value: `report:12`, `case:3`.
fn record_value(r: RecordRef) -> String {
    format!("{}:{}", r.kind.as_str(), r.id)
}

fn parse_record_value(v: &str) -> Option<RecordRef> {
    let (k, id) = v.split_once(':')?;
    Some(RecordRef::new(k.parse().ok()?, id.parse().ok()?))
}

/// The record a case, person or template watch is on, from what is stored.
fn watched_record(kind: WatchKind, value: &str) -> Option<RecordRef> {
    match kind {
        WatchKind::Case => value.parse().ok().map(RecordRef::case),
        WatchKind::Person | WatchKind::Template => parse_record_value(value),
        _ => None,
    }
}

/// How a watch's value is shown.
fn shown_value(kind: WatchKind, value: &str) -> String {
    match (kind, watched_record(kind, value)) {
        (WatchKind::Template, Some(r)) => crate::linking::views::template_label(&record_value(r)),
        (_, Some(r)) => r.label(),
        _ => value.to_owned(),
    }
}

fn view(r: q::WatchRow, now: i64) -> Result<Watch> {
    let kind = WatchKind::parse(&r.kind)
        .ok_or_else(|| ServiceError::Internal(format!("unknown watch kind {:?}", r.kind).into()))?;
    Ok(Watch {
        id: r.id,
        kind,
        value: shown_value(kind, &r.value),
        record: watched_record(kind, &r.value),
        label: r.label,
        created_at: r.created_at,
        expires_at: r.expires_at,
        renewed_at: r.renewed_at,
        expired: r.expires_at <= now,
    })
}

fn note(r: q::NotificationRow) -> Notification {
    Notification {
        id: r.id,
        watch_id: r.watch_id,
        record: r.record,
        reason: r.reason,
        created_at: r.created_at,
        read_at: r.read_at,
    }
}

fn allow(who: &Principal, action: Action) -> Result<()> {
    if permits(Some(who), action) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// A report number as typed: `12`, `#12`, `report 12`, `Report #12`.
fn report_number(s: &str) -> Option<i64> {
    let t = s.trim().to_lowercase();
    let t = t.strip_prefix("report").unwrap_or(&t).trim();
    let t = t.strip_prefix(':').unwrap_or(t).trim();
    let t = t.strip_prefix('#').unwrap_or(t).trim();
    t.parse().ok().filter(|n| *n > 0)
}

/// An ad number as typed: `7`, `#7`, `ad 7`, `ad:7`.
fn ad_number(s: &str) -> Option<i64> {
    let t = s.trim().to_lowercase();
    let t = t.strip_prefix("ad").unwrap_or(&t).trim();
    let t = t.strip_prefix(':').unwrap_or(t).trim();
    let t = t.strip_prefix('#').unwrap_or(t).trim();
    t.parse().ok().filter(|n| *n > 0)
}

impl Services {
    fn watch_expiry(&self, now: i64, days: Option<i64>) -> Result<i64> {
        let days = days.unwrap_or(self.watchlists.watch_days);
        if !(1..=365).contains(&days) {
            return Err(ServiceError::Invalid(
                "a watch lasts between 1 and 365 days".into(),
            ));
        }
        Ok(now + days * DAY)
    }

    /// The watched record, if it exists and `who` may see it; else the same "not found"
    /// as a record that does not exist.
    async fn watchable(&self, who: &Principal, record: RecordRef) -> Result<RecordRef> {
        let exists = !self.heads(&[record]).await?.is_empty();
        if exists && self.visible(who, &[record]).await?.contains(&record) {
            Ok(record)
        } else {
            Err(ServiceError::Invalid(format!(
                "{} was not found, or is not yours to see",
                record.label()
            )))
        }
    }

    /// What a watch of `kind` on `raw` stores, checked.
    async fn watch_value(&self, who: &Principal, kind: WatchKind, raw: &str) -> Result<String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(ServiceError::Invalid(format!(
                "Enter what to watch. {}",
                kind.hint()
            )));
        }
        if raw.chars().count() > 300 {
            return Err(ServiceError::Invalid("That is too long to watch.".into()));
        }
        let unreadable =
            || ServiceError::Invalid(format!("That is not one we can read. {}", kind.hint()));
        match kind {
            WatchKind::Phone | WatchKind::Email | WatchKind::Handle => {
                normalize_identifier(kind.as_str(), raw)
                    .map(|(_, v)| v)
                    .ok_or_else(unreadable)
            }
            WatchKind::Case => {
                let id = CaseId::parse_number(raw)
                    .map(|c| c.0)
                    .or_else(|| raw.parse().ok())
                    .ok_or_else(unreadable)?;
                let r = self.watchable(who, RecordRef::case(id)).await?;
                Ok(r.id.to_string())
            }
            WatchKind::Person => {
                let r = match CaseId::parse_number(raw) {
                    Some(c) => RecordRef::case(c.0),
                    None => RecordRef::report(report_number(raw).ok_or_else(unreadable)?),
                };
                Ok(record_value(self.watchable(who, r).await?))
            }
            WatchKind::Template => {
                let ad = self
                    .watchable(who, RecordRef::ad(ad_number(raw).ok_or_else(unreadable)?))
                    .await?;
                // The template's label once template links joined the ad to others; else
                // the ad's own, which the next ad like it will link under.
                Ok(q::template_of_ad(self.store.reader(), ad.id)
                    .await?
                    .unwrap_or_else(|| record_value(ad)))
            }
        }
    }

    /// Adds a watch for the caller.
    pub async fn create_watch(&self, who: &Principal, ip: Ip, new: &NewWatch) -> Result<Watch> {
        allow(who, Action::WatchRecords)?;
        let kind = WatchKind::parse(new.kind.trim())
            .ok_or_else(|| ServiceError::Invalid("Choose what kind of thing to watch.".into()))?;
        let value = self.watch_value(who, kind, &new.value).await?;
        let label = new.label.trim();
        if label.chars().count() > 200 {
            return Err(ServiceError::Invalid(
                "A note is at most 200 characters.".into(),
            ));
        }
        let now = self.now();
        let expires = self.watch_expiry(now, new.days)?;
        let mut tx = self.store.begin().await?;
        if q::existing(&mut *tx, who.user_id, kind.as_str(), &value)
            .await?
            .is_some()
        {
            return Err(ServiceError::Conflict(
                "You already watch this; renew that watch instead.".into(),
            ));
        }
        let id = q::insert_watch(
            &mut *tx,
            who.user_id,
            kind.as_str(),
            &value,
            label,
            now,
            expires,
        )
        .await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "watch.create",
            Subject::Other("watch".into(), id.to_string()),
            Some(format!(
                "{} watch, {} days",
                kind.as_str(),
                (expires - now) / DAY
            )),
        )
        .await?;
        let row = q::watch_of(&mut *tx, who.user_id, id)
            .await?
            .ok_or(ServiceError::NotFound("watch"))?;
        store::commit(tx).await?;
        view(row, now)
    }

    /// The caller's watches, those expiring soonest first.
    pub async fn watches(&self, who: &Principal, page: i64, per_page: i64) -> Result<Page<Watch>> {
        allow(who, Action::WatchRecords)?;
        let page = page.max(1);
        let per_page = per_page.clamp(1, 200);
        let now = self.now();
        let items = q::watches_of(
            self.store.reader(),
            who.user_id,
            per_page,
            (page - 1) * per_page,
        )
        .await?
        .into_iter()
        .map(|r| view(r, now))
        .collect::<Result<Vec<_>>>()?;
        let total = q::count_watches_of(self.store.reader(), who.user_id).await?;
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    /// Renews one of the caller's watches for `days` from now (None: the default). Another
    /// person's watch is not found.
    pub async fn renew_watch(
        &self,
        who: &Principal,
        ip: Ip,
        id: i64,
        days: Option<i64>,
    ) -> Result<Watch> {
        allow(who, Action::WatchRecords)?;
        let now = self.now();
        let expires = self.watch_expiry(now, days)?;
        let mut tx = self.store.begin().await?;
        if !q::renew(&mut *tx, who.user_id, id, expires, now).await? {
            return Err(ServiceError::NotFound("watch"));
        }
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "watch.renew",
            Subject::Other("watch".into(), id.to_string()),
            Some(format!("{} days", (expires - now) / DAY)),
        )
        .await?;
        let row = q::watch_of(&mut *tx, who.user_id, id)
            .await?
            .ok_or(ServiceError::NotFound("watch"))?;
        store::commit(tx).await?;
        view(row, now)
    }

    /// Removes one of the caller's watches; its notifications stay.
    pub async fn remove_watch(&self, who: &Principal, ip: Ip, id: i64) -> Result<()> {
        allow(who, Action::WatchRecords)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !q::remove(&mut *tx, who.user_id, id, now).await? {
            return Err(ServiceError::NotFound("watch"));
        }
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "watch.remove",
            Subject::Other("watch".into(), id.to_string()),
            None,
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// The caller's notifications, unread first, then the newest.
    pub async fn notifications(
        &self,
        who: &Principal,
        page: i64,
        per_page: i64,
    ) -> Result<Notifications> {
        allow(who, Action::ReadNotifications)?;
        let page = page.max(1);
        let per_page = per_page.clamp(1, 200);
        let items = q::notifications_of(
            self.store.reader(),
            who.user_id,
            per_page,
            (page - 1) * per_page,
        )
        .await?
        .into_iter()
        .map(note)
        .collect();
        let (total, unread) = q::count_notifications_of(self.store.reader(), who.user_id).await?;
        Ok(Notifications {
            page: Page {
                items,
                total,
                page,
                per_page,
            },
            unread,
        })
    }

    /// How many of the caller's notifications are unread (0 for a role without them).
    pub async fn unread_notifications(&self, who: &Principal) -> Result<i64> {
        if !permits(Some(who), Action::ReadNotifications) {
            return Ok(0);
        }
        Ok(q::count_notifications_of(self.store.reader(), who.user_id)
            .await?
            .1)
    }

    /// One of the caller's notifications; another person's is not found.
    pub async fn notification(&self, who: &Principal, id: i64) -> Result<Notification> {
        allow(who, Action::ReadNotifications)?;
        match q::notification(self.store.reader(), id).await? {
            Some(n) if n.user_id == who.user_id => Ok(note(n)),
            _ => Err(ServiceError::NotFound("notification")),
        }
    }

    /// Marks one of the caller's notifications read; reading it twice changes nothing.
    pub async fn mark_notification_read(
        &self,
        who: &Principal,
        ip: Ip,
        id: i64,
    ) -> Result<Notification> {
        let n = self.notification(who, id).await?;
        if n.read_at.is_some() {
            return Ok(n);
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if q::mark_read(&mut *tx, who.user_id, id, now).await? {
            audited(
                &mut tx,
                &By::person(who, ip, now),
                "notification.read",
                Subject::Other("notification".into(), id.to_string()),
                None,
            )
            .await?;
        }
        store::commit(tx).await?;
        Ok(Notification {
            read_at: Some(now),
            ..n
        })
    }

    /// Where the caller is told by e-mail of new notifications, if anywhere.
    pub async fn notification_address(&self, who: &Principal) -> Result<Option<String>> {
        allow(who, Action::WatchRecords)?;
        Ok(q::address_of(self.store.reader(), who.user_id).await?)
    }

    /// Sets (or, empty, clears) where the caller is told by e-mail.
    pub async fn set_notification_address(
        &self,
        who: &Principal,
        ip: Ip,
        email: &str,
    ) -> Result<Option<String>> {
        allow(who, Action::WatchRecords)?;
        let email = email.trim();
        let email = if email.is_empty() {
            None
        } else {
            let ok = email.len() <= 254
                && email.parse::<lettre::Address>().is_ok()
                && !email.contains(char::is_whitespace);
            if !ok {
                return Err(ServiceError::Invalid(
                    "Enter an email address, such as name@agency.example.".into(),
                ));
            }
            Some(email.to_owned())
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        q::set_address(&mut *tx, who.user_id, email.as_deref(), now).await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "notification.address",
            Subject::User(who.user_id),
            Some(if email.is_some() { "set" } else { "cleared" }.into()),
        )
        .await?;
        store::commit(tx).await?;
        Ok(email)
    }

    /// Is an SMTP server configured for notification e-mail?
    pub fn notification_email_configured(&self) -> bool {
        self.watchlists.smtp.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_people_type_them() {
        assert_eq!(report_number("Report #12"), Some(12));
        assert_eq!(report_number("12"), Some(12));
        assert_eq!(report_number("report:3"), Some(3));
        assert_eq!(report_number("x"), None);
        assert_eq!(ad_number("ad 7"), Some(7));
        assert_eq!(ad_number("#7"), Some(7));
        assert_eq!(ad_number("0"), None);
    }

    #[test]
    fn record_watches_keep_their_record() {
        assert_eq!(
            watched_record(WatchKind::Person, "report:12"),
            Some(RecordRef::report(12))
        );
        assert_eq!(
            watched_record(WatchKind::Case, "3"),
            Some(RecordRef::case(3))
        );
        assert_eq!(shown_value(WatchKind::Case, "3"), "CH-000003");
        assert_eq!(
            shown_value(WatchKind::Template, "ad:5"),
            "the template of ad #5"
        );
        assert_eq!(
            shown_value(WatchKind::Phone, "+12125550147"),
            "+12125550147"
        );
        assert_eq!(watched_record(WatchKind::Person, "tip:1"), None);
    }
}
