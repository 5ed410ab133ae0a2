//! The catalogue: items, kits as bills of materials (variants by age band and size) and
//! donation tiers, read from TOML and checked as a whole (every code unique, every bill
//! naming known items, every tier buying known things).

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use thiserror::Error;

/// The code of an item or a kit: 1–40 lower-case ASCII letters, digits and hyphens.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Code(String);

impl Code {
    pub fn parse(s: &str) -> Result<Code, CatalogueError> {
        let ok = !s.is_empty()
            && s.len() <= 40
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Code(s.to_owned()))
        } else {
            Err(CatalogueError::BadCode(s.to_owned()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Code {
    type Error = CatalogueError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Code::parse(&s)
    }
}
impl From<Code> for String {
    fn from(c: Code) -> String {
        c.0
    }
}
impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How an item is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Each,
    Pair,
    Pack,
    Set,
    Card,
}

/// A clothing size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Size {
    XS,
    S,
    M,
    L,
    XL,
}

impl Size {
    pub const ALL: [Size; 5] = [Size::XS, Size::S, Size::M, Size::L, Size::XL];
    pub fn as_str(self) -> &'static str {
        match self {
            Size::XS => "XS",
            Size::S => "S",
            Size::M => "M",
            Size::L => "L",
            Size::XL => "XL",
        }
    }
    pub fn parse(s: &str) -> Option<Size> {
        Size::ALL
            .into_iter()
            .find(|z| z.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// The age bands bags are packed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AgeBand {
    #[serde(rename = "0-5")]
    Under6,
    #[serde(rename = "6-11")]
    From6To11,
    #[serde(rename = "12-14")]
    From12To14,
    #[serde(rename = "15-17")]
    From15To17,
}

impl AgeBand {
    pub const ALL: [AgeBand; 4] = [
        AgeBand::Under6,
        AgeBand::From6To11,
        AgeBand::From12To14,
        AgeBand::From15To17,
    ];
    /// The stored form, `12-14`.
    pub fn as_str(self) -> &'static str {
        match self {
            AgeBand::Under6 => "0-5",
            AgeBand::From6To11 => "6-11",
            AgeBand::From12To14 => "12-14",
            AgeBand::From15To17 => "15-17",
        }
    }
    /// For people: `12–14 years`.
    pub fn label(self) -> &'static str {
        match self {
            AgeBand::Under6 => "Under 6 years",
            AgeBand::From6To11 => "6–11 years",
            AgeBand::From12To14 => "12–14 years",
            AgeBand::From15To17 => "15–17 years",
        }
    }
    pub fn parse(s: &str) -> Option<AgeBand> {
        AgeBand::ALL.into_iter().find(|b| b.as_str() == s.trim())
    }
}

/// A thing bags are made of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub code: Code,
    pub name: String,
    pub unit: Unit,
    #[serde(default)]
    pub size: Option<Size>,
    /// Whether it has a use-by date (food, toiletries).
    #[serde(default)]
    pub expires: bool,
    /// What one is worth in cents, for the stock value report (0 when not set): the
    /// deployment's figure, configured in the catalogue like the tiers.
    #[serde(default)]
    pub value_cents: u32,
}

/// One line of a kit's bill of materials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillLine {
    pub item: Code,
    pub qty: u32,
}

/// A kit variant: a bag for one age band (and size), built from its bill of materials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kit {
    pub code: Code,
    pub name: String,
    pub age_band: AgeBand,
    #[serde(default)]
    pub size: Option<Size>,
    pub bill: Vec<BillLine>,
}

/// What a tier buys: an item or a kit by its code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierLine {
    pub code: Code,
    pub qty: u32,
}

/// A donation tier: an amount and what it buys. Configuration, not prices in code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// The amount in cents (`1000` is $10).
    pub cents: u32,
    pub label: String,
    pub buys: Vec<TierLine>,
}

impl Tier {
    /// `$10`, `$15.50`.
    pub fn amount(&self) -> String {
        if self.cents.is_multiple_of(100) {
            format!("${}", self.cents / 100)
        } else {
            format!("${}.{:02}", self.cents / 100, self.cents % 100)
        }
    }
}

/// A stocked thing: an item or a built kit. Stored as `item:CODE` or `kit:CODE`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sku {
    Item(Code),
    Kit(Code),
}

impl Sku {
    pub fn code(&self) -> &Code {
        match self {
            Sku::Item(c) | Sku::Kit(c) => c,
        }
    }
    pub fn is_kit(&self) -> bool {
        matches!(self, Sku::Kit(_))
    }
    /// Reads the stored form back.
    pub fn parse(s: &str) -> Option<Sku> {
        let (kind, code) = s.split_once(':')?;
        let code = Code::parse(code).ok()?;
        match kind {
            "item" => Some(Sku::Item(code)),
            "kit" => Some(Sku::Kit(code)),
            _ => None,
        }
    }
}

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Sku::Item(c) => write!(f, "item:{c}"),
            Sku::Kit(c) => write!(f, "kit:{c}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CatalogueError {
    #[error("`{0}` is not a code: use 1 to 40 lower-case letters, digits and hyphens")]
    BadCode(String),
    #[error("the catalogue could not be read: {0}; fix the TOML at that place")]
    Toml(String),
    #[error("the code `{0}` is used twice; give each item and kit its own code")]
    Duplicate(Code),
    #[error("kit `{kit}` needs `{item}`, which is not an item of the catalogue; add the item or fix the bill")]
    UnknownBillItem { kit: Code, item: Code },
    #[error("kit `{0}` has an empty bill of materials; list what goes in the bag")]
    EmptyBill(Code),
    #[error("`{0}` has a quantity of 0; quantities start at 1")]
    ZeroQuantity(Code),
    #[error("the tier of {0} cents is listed twice; give each amount one line")]
    DuplicateTier(u32),
    #[error("the tier of {cents} cents buys `{code}`, which is neither an item nor a kit of the catalogue")]
    UnknownTierCode { cents: u32, code: Code },
}

/// Items, kits and tiers, checked as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    #[serde(default)]
    pub items: Vec<Item>,
    #[serde(default)]
    pub kits: Vec<Kit>,
    #[serde(default)]
    pub tiers: Vec<Tier>,
}

/// The catalogue shipped with the product (`data/catalogue.toml`).
pub const SHIPPED: &str = include_str!("../data/catalogue.toml");

impl Catalogue {
    /// Reads and checks a catalogue.
    pub fn from_toml(text: &str) -> Result<Catalogue, CatalogueError> {
        let cat: Catalogue =
            toml::from_str(text).map_err(|e| CatalogueError::Toml(e.message().to_owned()))?;
        cat.check()?;
        Ok(cat)
    }

    /// The shipped catalogue.
    pub fn shipped() -> Catalogue {
        #[allow(clippy::expect_used)]
        Catalogue::from_toml(SHIPPED).expect("the shipped catalogue is checked by a test")
    }

    /// Every code unique, every bill and tier naming known things, no zero quantities.
    pub fn check(&self) -> Result<(), CatalogueError> {
        let mut seen = BTreeSet::new();
        for code in self
            .items
            .iter()
            .map(|i| &i.code)
            .chain(self.kits.iter().map(|k| &k.code))
        {
            if !seen.insert(code) {
                return Err(CatalogueError::Duplicate(code.clone()));
            }
        }
        for k in &self.kits {
            if k.bill.is_empty() {
                return Err(CatalogueError::EmptyBill(k.code.clone()));
            }
            for l in &k.bill {
                if self.item(&l.item).is_none() {
                    return Err(CatalogueError::UnknownBillItem {
                        kit: k.code.clone(),
                        item: l.item.clone(),
                    });
                }
                if l.qty == 0 {
                    return Err(CatalogueError::ZeroQuantity(l.item.clone()));
                }
            }
        }
        let mut amounts = BTreeSet::new();
        for t in &self.tiers {
            if !amounts.insert(t.cents) {
                return Err(CatalogueError::DuplicateTier(t.cents));
            }
            for l in &t.buys {
                if self.sku(&l.code).is_none() {
                    return Err(CatalogueError::UnknownTierCode {
                        cents: t.cents,
                        code: l.code.clone(),
                    });
                }
                if l.qty == 0 {
                    return Err(CatalogueError::ZeroQuantity(l.code.clone()));
                }
            }
        }
        Ok(())
    }

    pub fn item(&self, code: &Code) -> Option<&Item> {
        self.items.iter().find(|i| &i.code == code)
    }
    pub fn kit(&self, code: &Code) -> Option<&Kit> {
        self.kits.iter().find(|k| &k.code == code)
    }
    pub fn tier(&self, cents: u32) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.cents == cents)
    }
    /// The stocked thing a code names (item or kit).
    pub fn sku(&self, code: &Code) -> Option<Sku> {
        if self.item(code).is_some() {
            Some(Sku::Item(code.clone()))
        } else if self.kit(code).is_some() {
            Some(Sku::Kit(code.clone()))
        } else {
            None
        }
    }
    /// Whether a stocked thing is in the catalogue.
    pub fn knows(&self, sku: &Sku) -> bool {
        match sku {
            Sku::Item(c) => self.item(c).is_some(),
            Sku::Kit(c) => self.kit(c).is_some(),
        }
    }
    /// A stocked thing's name for people.
    pub fn name(&self, sku: &Sku) -> String {
        match sku {
            Sku::Item(c) => self.item(c).map(|i| i.name.clone()),
            Sku::Kit(c) => self.kit(c).map(|k| k.name.clone()),
        }
        .unwrap_or_else(|| sku.code().to_string())
    }
    /// What one of a stocked thing is worth in cents: an item's value, a kit's the sum of
    /// its bill of materials. 0 for what the catalogue does not know or gives no value.
    pub fn value_cents(&self, sku: &Sku) -> u64 {
        match sku {
            Sku::Item(c) => self.item(c).map_or(0, |i| u64::from(i.value_cents)),
            Sku::Kit(c) => self.kit(c).map_or(0, |k| {
                k.bill
                    .iter()
                    .map(|l| {
                        u64::from(l.qty)
                            * self.item(&l.item).map_or(0, |i| u64::from(i.value_cents))
                    })
                    .sum()
            }),
        }
    }
    /// The kits for an age band, the one of the asked size first, then those without a
    /// size, then the others.
    pub fn variants(&self, band: AgeBand, size: Option<Size>) -> Vec<&Kit> {
        let mut v: Vec<&Kit> = self.kits.iter().filter(|k| k.age_band == band).collect();
        v.sort_by_key(|k| match (k.size, size) {
            (Some(a), Some(b)) if a == b => 0,
            (None, _) => 1,
            _ => 2,
        });
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalogue_is_valid_and_has_the_four_tiers() {
        let cat = Catalogue::from_toml(SHIPPED).unwrap();
        let amounts: Vec<String> = cat.tiers.iter().map(Tier::amount).collect();
        assert_eq!(amounts, ["$10", "$15", "$25", "$55"]);
        assert!(!cat.kits.is_empty());
    }

    #[test]
    fn a_bill_naming_an_unknown_item_is_refused_with_its_names() {
        let text = r#"
[[items]]
code = "socks"
name = "Socks"
unit = "pair"
[[kits]]
code = "bag"
name = "Bag"
age_band = "12-14"
bill = [{ item = "hat", qty = 1 }]
"#;
        let e = Catalogue::from_toml(text).unwrap_err();
        assert!(e.to_string().contains("`hat`"), "{e}");
    }

    #[test]
    fn codes_and_skus_read_back() {
        assert!(Code::parse("Bag 1").is_err());
        let s = Sku::Kit(Code::parse("bag-12-14-m").unwrap());
        assert_eq!(Sku::parse(&s.to_string()), Some(s));
        assert_eq!(Sku::parse("box:x"), None);
    }

    #[test]
    fn a_kit_is_worth_its_bill_of_materials() {
        let cat = Catalogue::shipped();
        let socks = cat.value_cents(&Sku::Item(Code::parse("socks").unwrap()));
        assert!(socks > 0);
        let kit = Sku::Kit(Code::parse("bag-12-14-m").unwrap());
        let k = cat.kit(kit.code()).unwrap();
        let sum: u64 = k
            .bill
            .iter()
            .map(|l| u64::from(l.qty) * cat.value_cents(&Sku::Item(l.item.clone())))
            .sum();
        assert_eq!(cat.value_cents(&kit), sum);
        assert_eq!(
            cat.value_cents(&Sku::Item(Code::parse("nothing").unwrap())),
            0
        );
    }

    #[test]
    fn variants_put_the_asked_size_first() {
        let cat = Catalogue::shipped();
        let v = cat.variants(AgeBand::From15To17, Some(Size::L));
        assert_eq!(v[0].code.as_str(), "bag-15-17-l");
    }
}
