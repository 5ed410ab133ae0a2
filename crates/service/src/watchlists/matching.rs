//! Matching newly linked records against the watches in force, in the transaction that
//! stores their links (`linking::link_items`): a record carrying a watched phone, email or
//! handle, or a new link to a watched case, to the person named in a watched report or
//! case, or into a watched ad template, raises one notification per watch and record,
//! with the reason in words. Only records the watcher may see (`linking::views::visible`,
//! `domain::policy::may_see_record`) notify them: a hidden record never shows through a
//! notification. Each notification is audited; with SMTP configured and an address given,
//! an e-mail job is queued in the same transaction.

use crate::audit::{By, Subject};
use crate::error::Result;
use crate::linking::views::{reason_label, template_label};
use crate::linking::Item;
use crate::Services;
use domain::policy::permits;
use domain::{Action, Principal, RecordKind, RecordRef, UserId};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use store::links::{NewLink, MAX_IN};
use store::watchlists::{self as q, WatchRow};

/// A record that matched a watch, and why.
struct Candidate {
    watch: WatchRow,
    record: RecordRef,
    reason: String,
}

fn identifier_word(kind: &str) -> &'static str {
    match kind {
        "phone" => "the phone",
        "email" => "the email address",
        _ => "the handle",
    }
}

fn record_value(r: &RecordRef) -> String {
    format!("{}:{}", r.kind.as_str(), r.id)
}

async fn active(
    tx: &mut store::Tx,
    kind: &str,
    values: BTreeSet<String>,
    now: i64,
) -> Result<Vec<WatchRow>> {
    let values: Vec<String> = values.into_iter().collect();
    let mut out = Vec::new();
    for chunk in values.chunks(MAX_IN) {
        out.extend(q::active_on(&mut **tx, kind, chunk, now).await?);
    }
    Ok(out)
}

impl Services {
    /// Raises the notifications `items` and their new `links` call for, in the linking
    /// transaction. Returns how many e-mail jobs were queued (the caller wakes the worker
    /// after the commit).
    pub(crate) async fn raise_watch_notifications(
        &self,
        tx: &mut store::Tx,
        items: &[Item],
        links: &[NewLink],
        now: i64,
    ) -> Result<usize> {
        let mut found: Vec<Candidate> = Vec::new();

        // Identifiers the new records carry.
        for kind in ["phone", "email", "handle"] {
            let values: BTreeSet<String> = items
                .iter()
                .flat_map(|it| it.sightings.iter())
                .filter(|s| s.kind == kind)
                .map(|s| s.value.clone())
                .collect();
            if values.is_empty() {
                continue;
            }
            for w in active(tx, kind, values, now).await? {
                for it in items {
                    if it
                        .sightings
                        .iter()
                        .any(|s| s.kind == kind && s.value == w.value)
                    {
                        found.push(Candidate {
                            reason: format!(
                                "{} carries {} {}",
                                it.record.label(),
                                identifier_word(kind),
                                w.value
                            ),
                            record: it.record,
                            watch: w.clone(),
                        });
                    }
                }
            }
        }

        // Cases linked to.
        let cases: BTreeSet<String> = links
            .iter()
            .flat_map(|l| [l.x, l.y])
            .filter(|r| r.kind == RecordKind::Case)
            .map(|r| r.id.to_string())
            .collect();
        if !cases.is_empty() {
            for w in active(tx, "case", cases, now).await? {
                for l in links {
                    for (case, other) in [(l.x, l.y), (l.y, l.x)] {
                        if case.kind == RecordKind::Case
                            && case.id.to_string() == w.value
                            && other != case
                        {
                            found.push(Candidate {
                                reason: format!(
                                    "{} is linked to case {}: {}",
                                    other.label(),
                                    case.label(),
                                    reason_label(&l.reason).to_lowercase()
                                ),
                                record: other,
                                watch: w.clone(),
                            });
                        }
                    }
                }
            }
        }

        // The person named in a watched report or case.
        let persons: BTreeSet<String> = links
            .iter()
            .filter(|l| l.reason == "person")
            .flat_map(|l| [record_value(&l.x), record_value(&l.y)])
            .collect();
        if !persons.is_empty() {
            for w in active(tx, "person", persons, now).await? {
                for l in links.iter().filter(|l| l.reason == "person") {
                    for (watched, other) in [(l.x, l.y), (l.y, l.x)] {
                        if record_value(&watched) == w.value && other != watched {
                            found.push(Candidate {
                                reason: format!(
                                    "{} names a child who is probably the person in {}",
                                    other.label(),
                                    watched.label()
                                ),
                                record: other,
                                watch: w.clone(),
                            });
                        }
                    }
                }
            }
        }

        // Ads written from a watched template.
        let templates: BTreeSet<String> = links
            .iter()
            .filter(|l| l.reason == "template")
            .map(|l| l.value.clone())
            .collect();
        if !templates.is_empty() {
            for w in active(tx, "template", templates, now).await? {
                for l in links
                    .iter()
                    .filter(|l| l.reason == "template" && l.value == w.value)
                {
                    for r in [l.x, l.y] {
                        if record_value(&r) != w.value {
                            found.push(Candidate {
                                reason: format!(
                                    "{} was written from {}",
                                    r.label(),
                                    template_label(&w.value)
                                ),
                                record: r,
                                watch: w.clone(),
                            });
                        }
                    }
                }
            }
        }
        if found.is_empty() {
            return Ok(0);
        }

        // Only what each watcher may see.
        let mut by_user: BTreeMap<UserId, Vec<Candidate>> = BTreeMap::new();
        for c in found {
            by_user.entry(c.watch.user_id).or_default().push(c);
        }
        let by = By::system("watchlists", now);
        let mut entries = Vec::new();
        let mut mails = 0;
        let mut addresses: HashMap<UserId, Option<String>> = HashMap::new();
        for (user, candidates) in by_user {
            let Some(u) = store::users::by_id(self.store.reader(), user).await? else {
                continue;
            };
            if u.disabled_at.is_some() {
                continue;
            }
            let who = Principal {
                user_id: u.id,
                username: u.username,
                org_id: u.org_id,
                org_kind: u.org_kind,
                role: u.role,
            };
            if !permits(Some(&who), Action::ReadNotifications) {
                continue;
            }
            let records: Vec<RecordRef> = candidates.iter().map(|c| c.record).collect();
            let seen = self.visible(&who, &records).await?;
            for c in candidates.iter().filter(|c| seen.contains(&c.record)) {
                let Some(id) =
                    q::insert_notification(&mut **tx, user, c.watch.id, c.record, &c.reason, now)
                        .await?
                else {
                    continue;
                };
                entries.push(by.entry(
                    "notification.create",
                    Subject::Other("notification".into(), id.to_string()),
                    Some(format!(
                        "watch {} of user {} matched {} {}",
                        c.watch.id, user.0, c.record.kind, c.record.id
                    )),
                ));
                if self.watchlists.smtp.is_some() {
                    let address = match addresses.get(&user) {
                        Some(a) => a.clone(),
                        None => {
                            let a = q::address_of(&mut **tx, user).await?;
                            addresses.insert(user, a.clone());
                            a
                        }
                    };
                    if address.is_some() {
                        self.enqueue_notification_email(tx, id).await?;
                        mails += 1;
                    }
                }
            }
        }
        if !entries.is_empty() {
            store::audit::append_many(tx, entries, now).await?;
        }
        Ok(mails)
    }
}
