//! Hope Bags: the stock of bags and what they are made of at each storage location, and
//! responders' requests for a bag for a recovered young person. One file per group of use
//! cases: `stock.rs` (locations, donations received, purchases, building kits, transfers,
//! adjustments, counts, the overview), `requests.rs` (asking for a bag, the queue,
//! fulfilling and delivering), `keepers.rs` (volunteers assigned to a location manage only
//! its stock), `reports.rs` (bags given by month, state and age band, counted never
//! listed; stock value; donations by tier; CSV). The rules are `hopebags`'; every change commits with its
//! audit entry, and every movement of stock through [`Services::move_stock`], which locks
//! the balances it reads, plans with `hopebags::plan` and writes with the store's
//! conditional update, so stock never goes below zero under concurrent requests.

mod catalogue;
mod keepers;
mod reports;
mod requests;
mod stock;

pub use catalogue::CatalogueText;
pub use keepers::KeeperView;
pub use reports::{dollars, BagsGiven, DonationTotal, HopeReports, MonthFigures, StockValue};
pub use requests::{request_number, BagRequestError, Fulfilment, RequestForm, RequestView};
pub use stock::{Counted, DonationView, LocationView, NewLocationForm, StockLine};

use crate::audit::{audited, By, Subject};
use crate::error::{Result, ServiceError};
use crate::{Ip, Services};
use domain::policy::permits;
use domain::{Action, Principal};
use hopebags::{Catalogue, LedgerError, LocationId, Movement, Sku};
use std::collections::BTreeMap;
use store::hope_bags::{self as queries, NewMovement};

pub use hopebags;

/// What a location is: where the bags wait.
pub const LOCATION_KINDS: [(&str, &str); 3] = [
    ("office", "An office of the hotline"),
    ("partner", "A partner's store room"),
    ("vehicle", "A team's vehicle"),
];

fn allow(who: &Principal, action: Action) -> Result<()> {
    if permits(Some(who), action) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// Who acts, from where and when: what every Hope Bags change records.
pub(crate) struct Act<'a> {
    pub who: &'a Principal,
    pub ip: Ip,
    pub now: i64,
}

/// A large on-hand figure, to learn which balances a movement touches before reading them.
const PLENTY: i64 = 1 << 40;

impl Services {
    /// The catalogue in force: the latest stored version, else the shipped one.
    pub async fn hope_catalogue(&self) -> Result<Catalogue> {
        match queries::latest_catalogue(self.store.reader()).await? {
            Some((version, text)) => Catalogue::from_toml(&text).map_err(|e| {
                ServiceError::Internal(Box::new(store::StoreError::Corrupt(format!(
                    "Hope Bags catalogue version {version}: {e}"
                ))))
            }),
            None => Ok(Catalogue::shipped()),
        }
    }

    /// Moves stock in `tx`: locks the balances the movement touches (in one order), plans
    /// it against them and writes the movement, its ledger lines and the balances. A
    /// movement that would leave any stock below zero is refused with a message naming
    /// the location and the thing; the caller's transaction must then be dropped.
    pub(crate) async fn move_stock(
        &self,
        tx: &mut store::Tx,
        cat: &Catalogue,
        m: &Movement,
        note: &str,
        request_id: Option<i64>,
        act: &Act<'_>,
    ) -> Result<i64> {
        let keys = hopebags::plan(cat, m, &|_, _| PLENTY).map_err(|e| self.ledger_error(cat, e))?;
        let mut held: BTreeMap<(LocationId, Sku), i64> = BTreeMap::new();
        for l in &keys {
            let n = queries::locked_on_hand(tx, l.location, &l.sku).await?;
            held.insert((l.location, l.sku.clone()), n);
        }
        let lines = hopebags::plan(cat, m, &|loc, sku| {
            held.get(&(loc, sku.clone())).copied().unwrap_or(0)
        });
        let lines = match lines {
            Ok(l) => l,
            Err(e) => return Err(self.named_ledger_error(tx, cat, e).await),
        };
        let written = queries::apply_movement(
            tx,
            &NewMovement {
                kind: m.kind(),
                note,
                request_id,
                actor: Some(act.who.user_id),
            },
            &lines,
            act.now,
        )
        .await?;
        match written {
            Ok(id) => Ok(id),
            Err(short) => Err(self
                .named_ledger_error(
                    tx,
                    cat,
                    LedgerError::Insufficient {
                        location: short.location,
                        sku: short.sku,
                        on_hand: short.on_hand,
                        needed: short.needed,
                    },
                )
                .await),
        }
    }

    fn ledger_error(&self, _cat: &Catalogue, e: LedgerError) -> ServiceError {
        ServiceError::Invalid(capitalise(&e.to_string()))
    }

    /// A refusal in people's words: the location and the thing by their names. Read in the
    /// movement's transaction: a second connection could wait on the pool that the
    /// transactions queued behind this one's locks have taken.
    async fn named_ledger_error(
        &self,
        tx: &mut store::Tx,
        cat: &Catalogue,
        e: LedgerError,
    ) -> ServiceError {
        match e {
            LedgerError::Insufficient {
                location,
                sku,
                on_hand,
                needed,
            } => {
                let place = queries::location(&mut **tx, location)
                    .await
                    .map(|l| l.name)
                    .unwrap_or_else(|_| location.to_string());
                ServiceError::Conflict(format!(
                    "Not enough stock: {place} holds {on_hand} of “{}” and {needed} {} needed. \
                     Choose another location, or receive, build or transfer stock there first.",
                    cat.name(&sku),
                    if needed == 1 { "is" } else { "are" }
                ))
            }
            other => self.ledger_error(cat, other),
        }
    }

    /// Records a Hope Bags change in the audit log, in its transaction.
    pub(crate) async fn hope_audit(
        &self,
        tx: &mut store::Tx,
        act: &Act<'_>,
        action: &str,
        subject: (&str, i64),
        detail: String,
    ) -> Result<()> {
        audited(
            tx,
            &By::person(act.who, act.ip.clone(), act.now),
            action,
            Subject::Other(subject.0.to_owned(), subject.1.to_string()),
            Some(detail),
        )
        .await
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
