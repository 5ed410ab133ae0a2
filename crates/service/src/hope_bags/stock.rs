//! Stock: storage locations, donated goods received, purchases, kits built from items,
//! transfers, adjustments with a reason, counts that reconcile, donations of money by tier,
//! and the overview of what each location holds with its low-stock marks.

use super::{allow, Act, LOCATION_KINDS};
use crate::error::{Result, ServiceError};
use crate::{Ip, Services};
use domain::{Action, Principal};
use hopebags::{Catalogue, Code, LocationId, Movement, Sku};
use store::hope_bags::{self as queries, NewLocation};

/// A location as its form gives it.
#[derive(Debug, Clone, Default)]
pub struct NewLocationForm {
    pub name: String,
    pub state: String,
    pub kind: String,
    pub low_stock: i64,
}

/// One thing a location holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockLine {
    /// `kit:CODE` or `item:CODE`.
    pub sku: String,
    pub code: String,
    pub name: String,
    pub is_kit: bool,
    pub on_hand: i64,
    /// A kit at or below the location's threshold.
    pub low: bool,
}

/// A location with what it holds: kits first, then items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationView {
    pub id: LocationId,
    pub name: String,
    pub state: String,
    pub kind: String,
    pub low_stock: i64,
    pub stock: Vec<StockLine>,
    /// Bags ready to give, of every variant.
    pub kits_on_hand: i64,
    /// A kit this location has held is at or below the threshold here.
    pub low: bool,
}

/// One thing counted: what the ledger expected and what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    pub name: String,
    pub expected: i64,
    pub counted: i64,
}

/// A donation of money, by tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DonationView {
    pub id: i64,
    /// `$25`
    pub amount: String,
    /// What the tier buys.
    pub buys: String,
    pub donor: String,
    pub receipt: String,
    pub received_on: String,
}

/// The thing a code names in the catalogue, or a message saying what to choose.
pub(super) fn sku_of(cat: &Catalogue, code: &str) -> Result<Sku> {
    Code::parse(code.trim())
        .ok()
        .and_then(|c| cat.sku(&c))
        .ok_or_else(|| {
            ServiceError::Invalid(format!(
                "“{}” is not in the Hope Bags catalogue; choose an item or a kit from the list",
                code.trim()
            ))
        })
}

pub(super) fn kit_code(cat: &Catalogue, code: &str) -> Result<Code> {
    match sku_of(cat, code)? {
        Sku::Kit(c) => Ok(c),
        Sku::Item(_) => Err(ServiceError::Invalid(format!(
            "“{}” is an item, not a kit; choose a bag from the list",
            code.trim()
        ))),
    }
}

fn count(n: i64, what: &str) -> Result<u32> {
    u32::try_from(n)
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| ServiceError::Invalid(format!("Enter {what} as a whole number from 1")))
}

impl Services {
    /// Adds a storage location (an office, a partner's store room, a vehicle).
    pub async fn add_hope_location(
        &self,
        who: &Principal,
        f: &NewLocationForm,
        ip: Ip,
    ) -> Result<LocationId> {
        allow(who, Action::ManageHopeBagStock)?;
        let name = f.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(ServiceError::Invalid(
                "Enter the location's name, in 100 characters or fewer".into(),
            ));
        }
        let state = f.state.trim().to_ascii_uppercase();
        if state.len() != 2 || !state.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ServiceError::Invalid(
                "Enter the location's state as two letters, like TX".into(),
            ));
        }
        if !LOCATION_KINDS.iter().any(|(k, _)| *k == f.kind) {
            return Err(ServiceError::Invalid(
                "Choose what the location is: an office, a partner's store room or a vehicle"
                    .into(),
            ));
        }
        if !(0..=1000).contains(&f.low_stock) {
            return Err(ServiceError::Invalid(
                "Enter the low-stock mark as a number of bags from 0 to 1000".into(),
            ));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = queries::insert_location(
            &mut *tx,
            &NewLocation {
                name,
                state: &state,
                kind: &f.kind,
                org_id: None,
                low_stock: f.low_stock,
            },
            now,
        )
        .await?;
        // A volunteer who sets up a location (their partner's store room) keeps it.
        if who.role == domain::Role::Volunteer {
            queries::insert_keeper(&mut *tx, id, who.user_id, Some(who.user_id), now).await?;
        }
        self.hope_audit(
            &mut tx,
            &Act { who, ip, now },
            "hope_bags.location",
            ("hope_location", id.0),
            format!("{name} ({state})"),
        )
        .await?;
        store::commit(tx).await?;
        Ok(id)
    }

    /// Every location with what it holds, by name: the kits it has held (an empty one
    /// stays listed, marked low) and the items it holds.
    pub async fn hope_locations(&self, who: &Principal) -> Result<Vec<LocationView>> {
        allow(who, Action::ViewHopeBags)?;
        let cat = self.hope_catalogue().await?;
        let stock = queries::stock(self.store.reader(), None).await?;
        let mut out = Vec::new();
        for l in queries::locations(self.store.reader()).await? {
            let mut lines: Vec<StockLine> = stock
                .iter()
                .filter(|s| s.location_id == l.id && (s.on_hand > 0 || s.sku.is_kit()))
                .map(|s| StockLine {
                    sku: s.sku.to_string(),
                    code: s.sku.code().to_string(),
                    name: cat.name(&s.sku),
                    is_kit: s.sku.is_kit(),
                    on_hand: s.on_hand,
                    low: s.sku.is_kit() && s.on_hand <= l.low_stock,
                })
                .collect();
            lines.sort_by(|a, b| (!a.is_kit, &a.name).cmp(&(!b.is_kit, &b.name)));
            out.push(LocationView {
                kits_on_hand: lines.iter().filter(|s| s.is_kit).map(|s| s.on_hand).sum(),
                low: lines.iter().any(|s| s.low),
                id: l.id,
                name: l.name,
                state: l.state,
                kind: l.kind,
                low_stock: l.low_stock,
                stock: lines,
            });
        }
        Ok(out)
    }

    pub(super) async fn hope_location_name(&self, at: LocationId) -> Result<String> {
        match queries::location(self.store.reader(), at).await {
            Ok(l) => Ok(l.name),
            Err(store::StoreError::NotFound) => Err(ServiceError::NotFound("the location")),
            Err(e) => Err(e.into()),
        }
    }

    /// One movement of stock by a stock keeper, audited against its location.
    async fn keep_stock(
        &self,
        who: &Principal,
        m: Movement,
        note: &str,
        at: LocationId,
        ip: Ip,
    ) -> Result<i64> {
        allow(who, Action::ManageHopeBagStock)?;
        let place = self.hope_location_name(at).await?;
        self.may_keep(who, at).await?;
        if let Movement::Transfer { to, .. } = &m {
            self.hope_location_name(*to).await?;
        }
        let cat = self.hope_catalogue().await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = self
            .move_stock(
                &mut tx,
                &cat,
                &m,
                note,
                None,
                &Act {
                    who,
                    ip: ip.clone(),
                    now,
                },
            )
            .await?;
        self.hope_audit(
            &mut tx,
            &Act { who, ip, now },
            &format!("hope_bags.{}", m.kind()),
            ("hope_location", at.0),
            format!("{} at {place}: {}", m.kind(), describe(&cat, &m)),
        )
        .await?;
        store::commit(tx).await?;
        Ok(id)
    }

    /// Donated goods received at a location, from a donor or a drive.
    pub async fn receive_hope_donation(
        &self,
        who: &Principal,
        at: LocationId,
        code: &str,
        qty: i64,
        from: &str,
        ip: Ip,
    ) -> Result<i64> {
        let cat = self.hope_catalogue().await?;
        let sku = sku_of(&cat, code)?;
        let from = from.trim();
        if from.chars().count() > 200 {
            return Err(ServiceError::Invalid(
                "Shorten who gave it to 200 characters or fewer".into(),
            ));
        }
        let m = Movement::Receive {
            at,
            sku,
            qty: count(qty, "how many were received")?,
            from: from.to_owned(),
        };
        self.keep_stock(who, m, from, at, ip).await
    }

    /// Goods bought for a location.
    pub async fn purchase_hope_stock(
        &self,
        who: &Principal,
        at: LocationId,
        code: &str,
        qty: i64,
        ip: Ip,
    ) -> Result<i64> {
        let cat = self.hope_catalogue().await?;
        let m = Movement::Purchase {
            at,
            sku: sku_of(&cat, code)?,
            qty: count(qty, "how many were bought")?,
        };
        self.keep_stock(who, m, "", at, ip).await
    }

    /// Kits assembled at a location from its items.
    pub async fn build_hope_kits(
        &self,
        who: &Principal,
        at: LocationId,
        kit: &str,
        n: i64,
        ip: Ip,
    ) -> Result<i64> {
        let cat = self.hope_catalogue().await?;
        let m = Movement::Build {
            at,
            kit: kit_code(&cat, kit)?,
            count: count(n, "how many bags to build")?,
        };
        self.keep_stock(who, m, "", at, ip).await
    }

    /// Stock moved from one location to another.
    pub async fn transfer_hope_stock(
        &self,
        who: &Principal,
        from: LocationId,
        to: LocationId,
        code: &str,
        qty: i64,
        ip: Ip,
    ) -> Result<i64> {
        let cat = self.hope_catalogue().await?;
        let m = Movement::Transfer {
            from,
            to,
            sku: sku_of(&cat, code)?,
            qty: count(qty, "how many to move")?,
        };
        self.keep_stock(who, m, "", from, ip).await
    }

    /// A correction with its reason: `delta` is added (negative takes away).
    pub async fn adjust_hope_stock(
        &self,
        who: &Principal,
        at: LocationId,
        code: &str,
        delta: i64,
        reason: &str,
        ip: Ip,
    ) -> Result<i64> {
        let cat = self.hope_catalogue().await?;
        let reason = reason.trim();
        let m = Movement::Adjust {
            at,
            sku: sku_of(&cat, code)?,
            delta,
            reason: reason.to_owned(),
        };
        self.keep_stock(who, m, reason, at, ip).await
    }

    /// A count: the ledger is reconciled to what was counted.
    pub async fn count_hope_stock(
        &self,
        who: &Principal,
        at: LocationId,
        code: &str,
        counted: i64,
        ip: Ip,
    ) -> Result<i64> {
        let cat = self.hope_catalogue().await?;
        let counted = u32::try_from(counted)
            .map_err(|_| ServiceError::Invalid("Enter how many were counted, from 0".into()))?;
        let m = Movement::Count {
            at,
            sku: sku_of(&cat, code)?,
            counted,
        };
        self.keep_stock(who, m, "", at, ip).await
    }

    /// A count of several things at one location, reconciled in one transaction: each
    /// counted figure replaces the ledger's, the difference becoming a ledger line. Returns
    /// what was expected and counted of each thing, in the order given.
    pub async fn count_hope_location(
        &self,
        who: &Principal,
        at: LocationId,
        counts: &[(String, i64)],
        ip: Ip,
    ) -> Result<Vec<Counted>> {
        allow(who, Action::ManageHopeBagStock)?;
        let place = self.hope_location_name(at).await?;
        self.may_keep(who, at).await?;
        if counts.is_empty() {
            return Err(ServiceError::Invalid(
                "Enter how many you counted of at least one thing".into(),
            ));
        }
        let cat = self.hope_catalogue().await?;
        let mut planned = Vec::new();
        for (code, n) in counts {
            let sku = sku_of(&cat, code)?;
            let counted = u32::try_from(*n).map_err(|_| {
                ServiceError::Invalid(format!(
                    "Enter how many “{}” were counted as a whole number from 0",
                    cat.name(&sku)
                ))
            })?;
            planned.push((sku, counted));
        }
        let now = self.now();
        let act = Act {
            who,
            ip: ip.clone(),
            now,
        };
        let mut tx = self.store.begin().await?;
        let mut out = Vec::new();
        for (sku, counted) in planned {
            let expected = queries::locked_on_hand(&mut tx, at, &sku).await?;
            let m = Movement::Count {
                at,
                sku: sku.clone(),
                counted,
            };
            self.move_stock(&mut tx, &cat, &m, "", None, &act).await?;
            out.push(Counted {
                name: cat.name(&sku),
                expected,
                counted: counted.into(),
            });
        }
        let words: Vec<String> = out
            .iter()
            .map(|c| format!("{}: expected {}, counted {}", c.name, c.expected, c.counted))
            .collect();
        self.hope_audit(
            &mut tx,
            &act,
            "hope_bags.count",
            ("hope_location", at.0),
            format!("count at {place}: {}", words.join("; ")),
        )
        .await?;
        store::commit(tx).await?;
        Ok(out)
    }

    /// A donation of money at one of the catalogue's tiers (no payment is taken here).
    pub async fn record_hope_money(
        &self,
        who: &Principal,
        tier_cents: i64,
        donor: &str,
        receipt: &str,
        received_on: &str,
        ip: Ip,
    ) -> Result<i64> {
        self.record_hope_money_for(who, tier_cents, donor, receipt, received_on, None, ip)
            .await
    }

    /// A donation of money, and, with `bought_at`, what its tier buys (items or kits)
    /// entered as purchased at that location, in the same transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_hope_money_for(
        &self,
        who: &Principal,
        tier_cents: i64,
        donor: &str,
        receipt: &str,
        received_on: &str,
        bought_at: Option<LocationId>,
        ip: Ip,
    ) -> Result<i64> {
        allow(who, Action::ManageHopeBagStock)?;
        let cat = self.hope_catalogue().await?;
        let tier = u32::try_from(tier_cents)
            .ok()
            .and_then(|c| cat.tier(c))
            .ok_or_else(|| {
                ServiceError::Invalid("Choose one of the donation tiers from the list".into())
            })?;
        let donor = donor.trim();
        let receipt = receipt.trim();
        if donor.is_empty() || donor.chars().count() > 200 {
            return Err(ServiceError::Invalid(
                "Enter who gave the donation, in 200 characters or fewer".into(),
            ));
        }
        if receipt.is_empty() || receipt.chars().count() > 40 {
            return Err(ServiceError::Invalid(
                "Enter the receipt number, in 40 characters or fewer".into(),
            ));
        }
        if time::Date::parse(
            received_on.trim(),
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .is_err()
        {
            return Err(ServiceError::Invalid(
                "Enter the date it was received as YYYY-MM-DD".into(),
            ));
        }
        let place = match bought_at {
            Some(at) => {
                let name = self.hope_location_name(at).await?;
                self.may_keep(who, at).await?;
                Some(name)
            }
            None => None,
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = queries::insert_donation(
            &mut *tx,
            tier.cents.into(),
            donor,
            receipt,
            received_on.trim(),
            Some(who.user_id),
            now,
        )
        .await?;
        self.hope_audit(
            &mut tx,
            &Act {
                who,
                ip: ip.clone(),
                now,
            },
            "hope_bags.donation",
            ("hope_donation", id),
            format!("{} ({}), receipt {receipt}", tier.amount(), tier.label),
        )
        .await?;
        if let (Some(at), Some(place)) = (bought_at, place) {
            let act = Act {
                who,
                ip: ip.clone(),
                now,
            };
            for line in &tier.buys {
                let sku = cat.sku(&line.code).ok_or_else(|| {
                    ServiceError::Invalid(format!(
                        "The tier buys “{}”, which is not in the catalogue; fix the catalogue",
                        line.code
                    ))
                })?;
                let m = Movement::Purchase {
                    at,
                    sku,
                    qty: line.qty,
                };
                self.move_stock(&mut tx, &cat, &m, receipt, None, &act)
                    .await?;
            }
            self.hope_audit(
                &mut tx,
                &act,
                "hope_bags.purchase",
                ("hope_location", at.0),
                format!(
                    "bought at {place} with donation receipt {receipt}: {}",
                    tier.label
                ),
            )
            .await?;
        }
        store::commit(tx).await?;
        Ok(id)
    }

    /// The latest donations of money, newest first.
    pub async fn hope_donations(&self, who: &Principal) -> Result<Vec<DonationView>> {
        allow(who, Action::ManageHopeBagStock)?;
        let cat = self.hope_catalogue().await?;
        Ok(queries::donations(self.store.reader(), 200)
            .await?
            .into_iter()
            .map(|d| {
                let tier = u32::try_from(d.tier_cents).ok().and_then(|c| cat.tier(c));
                DonationView {
                    id: d.id,
                    amount: tier.map_or_else(|| format!("{} cents", d.tier_cents), |t| t.amount()),
                    buys: tier.map(|t| t.label.clone()).unwrap_or_default(),
                    donor: d.donor,
                    receipt: d.receipt,
                    received_on: d.received_on,
                }
            })
            .collect())
    }
}

/// A movement in words for the audit log (no person is named in it but the donor).
fn describe(cat: &Catalogue, m: &Movement) -> String {
    match m {
        Movement::Receive { sku, qty, from, .. } => {
            format!("{qty} × {} from {from}", cat.name(sku))
        }
        Movement::Purchase { sku, qty, .. } => format!("{qty} × {}", cat.name(sku)),
        Movement::Build { kit, count, .. } => {
            format!("{count} × {}", cat.name(&Sku::Kit(kit.clone())))
        }
        Movement::Transfer { to, sku, qty, .. } => {
            format!("{qty} × {} to {to}", cat.name(sku))
        }
        Movement::Adjust {
            sku, delta, reason, ..
        } => format!("{delta:+} × {} ({reason})", cat.name(sku)),
        Movement::Count { sku, counted, .. } => format!("{counted} × {} counted", cat.name(sku)),
        Movement::Fulfil { kit, qty, .. } => {
            format!("{qty} × {}", cat.name(&Sku::Kit(kit.clone())))
        }
    }
}
