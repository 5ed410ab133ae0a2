//! The stock ledger. Every movement of stock (receive, purchase, build a kit, transfer,
//! adjust, count, fulfil) is planned by [`plan`] into ledger [`Line`]s, one signed quantity
//! per location and stocked thing; on hand is the sum of those lines. A movement that would
//! take any stock below zero is refused whole and changes nothing. The store applies the
//! same plan inside one transaction with a conditional update, so the rule holds under
//! concurrent requests too.

use crate::catalogue::{Catalogue, Code, Sku};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use thiserror::Error;

/// A storage location (a hotline's office, a partner's closet, a task force's car).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LocationId(pub i64);

impl fmt::Display for LocationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "location {}", self.0)
    }
}

/// The most one movement may move of one thing: a typo, not a delivery, beyond it.
pub const MAX_QTY: u32 = 100_000;

/// A movement of stock, as people say it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Movement {
    /// Donated goods received from a donor or a drive.
    Receive {
        at: LocationId,
        sku: Sku,
        qty: u32,
        from: String,
    },
    /// Goods bought (with donated money or otherwise).
    Purchase { at: LocationId, sku: Sku, qty: u32 },
    /// Kits assembled from items: the bill's items out, the kits in.
    Build {
        at: LocationId,
        kit: Code,
        count: u32,
    },
    Transfer {
        from: LocationId,
        to: LocationId,
        sku: Sku,
        qty: u32,
    },
    /// A correction with its reason (damaged, expired, found).
    Adjust {
        at: LocationId,
        sku: Sku,
        delta: i64,
        reason: String,
    },
    /// A periodic count: the ledger is reconciled to what was counted.
    Count {
        at: LocationId,
        sku: Sku,
        counted: u32,
    },
    /// Bags given out for a request.
    Fulfil { at: LocationId, kit: Code, qty: u32 },
}

impl Movement {
    /// The stored kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Movement::Receive { .. } => "receive",
            Movement::Purchase { .. } => "purchase",
            Movement::Build { .. } => "build",
            Movement::Transfer { .. } => "transfer",
            Movement::Adjust { .. } => "adjust",
            Movement::Count { .. } => "count",
            Movement::Fulfil { .. } => "fulfil",
        }
    }
}

/// One ledger line: a signed quantity of one thing at one location.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Line {
    pub location: LocationId,
    pub sku: Sku,
    pub delta: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LedgerError {
    #[error("the quantity must be at least 1; enter how many")]
    ZeroQuantity,
    #[error("{0} is more than one movement may move ({MAX_QTY}); check the number, or split it")]
    TooMany(i64),
    #[error("`{0}` is not in the catalogue; choose an item or a kit from the list")]
    Unknown(Sku),
    #[error("`{0}` is not a kit of the catalogue; only kits are built and given out")]
    NotAKit(Code),
    #[error("a transfer needs two different locations; choose where the stock goes")]
    SameLocation,
    #[error("say why the stock is adjusted (damaged, expired, found, …)")]
    NoReason,
    #[error("say who gave the donation (a donor, a drive)")]
    NoDonor,
    #[error(
        "an adjustment of 0 changes nothing; enter how many to add (or take away, with a minus)"
    )]
    NoChange,
    #[error(
        "not enough stock: {location} holds {on_hand} of {sku} and {needed} are needed; \
         receive, build or transfer stock there first, or choose another location"
    )]
    Insufficient {
        location: LocationId,
        sku: Sku,
        on_hand: i64,
        needed: i64,
    },
}

fn qty(q: u32) -> Result<i64, LedgerError> {
    match q {
        0 => Err(LedgerError::ZeroQuantity),
        q if q > MAX_QTY => Err(LedgerError::TooMany(q.into())),
        q => Ok(q.into()),
    }
}

fn known(cat: &Catalogue, sku: &Sku) -> Result<(), LedgerError> {
    if cat.knows(sku) {
        Ok(())
    } else {
        Err(LedgerError::Unknown(sku.clone()))
    }
}

fn kit(cat: &Catalogue, code: &Code) -> Result<Sku, LedgerError> {
    cat.kit(code)
        .map(|k| Sku::Kit(k.code.clone()))
        .ok_or_else(|| LedgerError::NotAKit(code.clone()))
}

/// Plans a movement into ledger lines against the stock on hand, or refuses it. The lines
/// are merged (one per location and thing, none of 0) and sorted by location and thing, so
/// that every writer takes its row locks in the same order. `on_hand` answers for the
/// current stock; the plan is refused if any line would take it below zero.
pub fn plan(
    cat: &Catalogue,
    m: &Movement,
    on_hand: &dyn Fn(LocationId, &Sku) -> i64,
) -> Result<Vec<Line>, LedgerError> {
    let mut raw: Vec<(LocationId, Sku, i64)> = Vec::new();
    match m {
        Movement::Receive {
            at,
            sku,
            qty: q,
            from,
        } => {
            known(cat, sku)?;
            if from.trim().is_empty() {
                return Err(LedgerError::NoDonor);
            }
            raw.push((*at, sku.clone(), qty(*q)?));
        }
        Movement::Purchase { at, sku, qty: q } => {
            known(cat, sku)?;
            raw.push((*at, sku.clone(), qty(*q)?));
        }
        Movement::Build {
            at,
            kit: code,
            count,
        } => {
            let n = qty(*count)?;
            let sku = kit(cat, code)?;
            if let Some(k) = cat.kit(code) {
                for l in &k.bill {
                    raw.push((*at, Sku::Item(l.item.clone()), -(i64::from(l.qty) * n)));
                }
            }
            raw.push((*at, sku, n));
        }
        Movement::Transfer {
            from,
            to,
            sku,
            qty: q,
        } => {
            known(cat, sku)?;
            if from == to {
                return Err(LedgerError::SameLocation);
            }
            let n = qty(*q)?;
            raw.push((*from, sku.clone(), -n));
            raw.push((*to, sku.clone(), n));
        }
        Movement::Adjust {
            at,
            sku,
            delta,
            reason,
        } => {
            known(cat, sku)?;
            if reason.trim().is_empty() {
                return Err(LedgerError::NoReason);
            }
            if *delta == 0 {
                return Err(LedgerError::NoChange);
            }
            if delta.unsigned_abs() > u64::from(MAX_QTY) {
                return Err(LedgerError::TooMany(*delta));
            }
            raw.push((*at, sku.clone(), *delta));
        }
        Movement::Count { at, sku, counted } => {
            known(cat, sku)?;
            if *counted > MAX_QTY {
                return Err(LedgerError::TooMany((*counted).into()));
            }
            raw.push((*at, sku.clone(), i64::from(*counted) - on_hand(*at, sku)));
        }
        Movement::Fulfil {
            at,
            kit: code,
            qty: q,
        } => {
            let n = qty(*q)?;
            let sku = kit(cat, code)?;
            raw.push((*at, sku, -n));
        }
    }
    let mut merged: BTreeMap<(LocationId, Sku), i64> = BTreeMap::new();
    for (l, s, d) in raw {
        *merged.entry((l, s)).or_insert(0) += d;
    }
    let mut lines = Vec::new();
    for ((location, sku), delta) in merged {
        if delta == 0 {
            continue;
        }
        let have = on_hand(location, &sku);
        if have + delta < 0 {
            return Err(LedgerError::Insufficient {
                location,
                sku,
                on_hand: have,
                needed: -delta,
            });
        }
        lines.push(Line {
            location,
            sku,
            delta,
        });
    }
    Ok(lines)
}

/// An in-memory ledger: its lines and the balances they sum to. The model the store's
/// tables follow, and what the property test drives.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    lines: Vec<Line>,
    on_hand: BTreeMap<(LocationId, Sku), i64>,
}

impl Ledger {
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Applies a movement whole, or refuses it and changes nothing.
    pub fn apply(&mut self, cat: &Catalogue, m: &Movement) -> Result<&[Line], LedgerError> {
        let planned = plan(cat, m, &|l, s| self.on_hand(l, s))?;
        let start = self.lines.len();
        for line in planned {
            *self
                .on_hand
                .entry((line.location, line.sku.clone()))
                .or_insert(0) += line.delta;
            self.lines.push(line);
        }
        Ok(&self.lines[start..])
    }

    pub fn on_hand(&self, at: LocationId, sku: &Sku) -> i64 {
        self.on_hand.get(&(at, sku.clone())).copied().unwrap_or(0)
    }

    /// The sum of the ledger's lines for one location and thing, recomputed.
    pub fn sum(&self, at: LocationId, sku: &Sku) -> i64 {
        self.lines
            .iter()
            .filter(|l| l.location == at && &l.sku == sku)
            .map(|l| l.delta)
            .sum()
    }

    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// Every balance held, by location and thing.
    pub fn balances(&self) -> impl Iterator<Item = (LocationId, &Sku, i64)> {
        self.on_hand.iter().map(|((l, s), n)| (*l, s, *n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    fn item(s: &str) -> Sku {
        Sku::Item(code(s))
    }

    fn stock_for_kits(cat: &Catalogue, l: &mut Ledger, at: LocationId, kit: &str, n: u32) {
        for b in &cat.kit(&code(kit)).unwrap().bill {
            l.apply(
                cat,
                &Movement::Receive {
                    at,
                    sku: Sku::Item(b.item.clone()),
                    qty: b.qty * n,
                    from: "Spring drive".into(),
                },
            )
            .unwrap();
        }
    }

    #[test]
    fn building_kits_moves_items_out_and_kits_in_at_once() {
        let cat = Catalogue::shipped();
        let mut l = Ledger::new();
        let at = LocationId(1);
        stock_for_kits(&cat, &mut l, at, "bag-12-14-m", 3);
        l.apply(
            &cat,
            &Movement::Build {
                at,
                kit: code("bag-12-14-m"),
                count: 3,
            },
        )
        .unwrap();
        assert_eq!(l.on_hand(at, &Sku::Kit(code("bag-12-14-m"))), 3);
        assert_eq!(l.on_hand(at, &item("snacks")), 0);
        // A fourth is refused whole: nothing moves.
        let before = l.lines().len();
        let e = l
            .apply(
                &cat,
                &Movement::Build {
                    at,
                    kit: code("bag-12-14-m"),
                    count: 1,
                },
            )
            .unwrap_err();
        assert!(e.to_string().contains("not enough stock"), "{e}");
        assert_eq!(l.lines().len(), before);
    }

    #[test]
    fn a_count_reconciles_the_ledger_to_what_was_counted() {
        let cat = Catalogue::shipped();
        let mut l = Ledger::new();
        let at = LocationId(2);
        l.apply(
            &cat,
            &Movement::Purchase {
                at,
                sku: item("socks"),
                qty: 10,
            },
        )
        .unwrap();
        l.apply(
            &cat,
            &Movement::Count {
                at,
                sku: item("socks"),
                counted: 7,
            },
        )
        .unwrap();
        assert_eq!(l.on_hand(at, &item("socks")), 7);
        assert_eq!(l.sum(at, &item("socks")), 7);
    }

    #[test]
    fn refusals_say_what_to_do() {
        let cat = Catalogue::shipped();
        let at = LocationId(1);
        let e = plan(
            &cat,
            &Movement::Adjust {
                at,
                sku: item("socks"),
                delta: -1,
                reason: " ".into(),
            },
            &|_, _| 5,
        )
        .unwrap_err();
        assert_eq!(e, LedgerError::NoReason);
        let e = plan(
            &cat,
            &Movement::Fulfil {
                at,
                kit: code("socks"),
                qty: 1,
            },
            &|_, _| 5,
        )
        .unwrap_err();
        assert!(e.to_string().contains("only kits"), "{e}");
    }
}
