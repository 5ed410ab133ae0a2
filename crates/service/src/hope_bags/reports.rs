//! Reports: bags given by month, state and age band (counted, never listed: the figures the
//! public statistics will use), the value of the stock each location holds (the
//! catalogue's unit values), donations of money by tier, and this month's figures for
//! the dashboard.

use super::allow;
use crate::error::Result;
use crate::Services;
use domain::policy::permits;
use domain::{Action, Principal};
use hopebags::AgeBand;
use std::collections::BTreeMap;
use store::hope_bags as queries;

/// How many bags were given in one month, in one state, for one age band.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BagsGiven {
    /// `YYYY-MM`, in UTC.
    pub month: String,
    /// USPS code of the state delivered to.
    pub state: String,
    pub age_band: AgeBand,
    pub bags: i64,
}

/// What one location's stock is worth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockValue {
    pub location: String,
    pub state: String,
    pub kits: i64,
    pub items: i64,
    pub value_cents: i64,
}

/// Donations of money at one tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DonationTotal {
    /// `$25`
    pub amount: String,
    pub label: String,
    pub donations: i64,
    pub total_cents: i64,
}

/// Requests made and fulfilled since the first of this month (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthFigures {
    pub requested: i64,
    pub fulfilled: i64,
}

/// The reports page: every table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HopeReports {
    pub bags: Vec<BagsGiven>,
    pub stock: Vec<StockValue>,
    pub donations: Vec<DonationTotal>,
}

/// `$1,234.50` for people.
pub fn dollars(cents: i64) -> String {
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("${grouped}.{:02}", cents % 100)
}

fn month_of(micros: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{:04}-{:02}", t.year(), u8::from(t.month()))
}

/// Counts bags given by month, state and age band: one row per group, in that order.
pub fn count_bags(given: &[(i64, String, AgeBand)]) -> Vec<BagsGiven> {
    let mut groups: BTreeMap<(String, String, AgeBand), i64> = BTreeMap::new();
    for (at, state, band) in given {
        *groups
            .entry((month_of(*at), state.clone(), *band))
            .or_default() += 1;
    }
    groups
        .into_iter()
        .map(|((month, state, age_band), bags)| BagsGiven {
            month,
            state,
            age_band,
            bags,
        })
        .collect()
}

impl Services {
    /// Bags given (fulfilled or delivered) by month, state and age band. Counts only; no
    /// request is listed. For the Hope Bags reports and the public statistics.
    pub async fn hope_bags_given(&self, who: &Principal) -> Result<Vec<BagsGiven>> {
        if !permits(Some(who), Action::ViewStatistics) {
            allow(who, Action::ViewHopeBags)?;
        }
        Ok(count_bags(&queries::bags_given(self.store.reader()).await?))
    }

    /// Requests made and fulfilled since the first of this month, for the dashboard.
    pub async fn hope_month_figures(&self, who: &Principal) -> Result<MonthFigures> {
        allow(who, Action::ViewHopeBags)?;
        let now = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.now()) * 1000)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        let first = now
            .replace_day(1)
            .unwrap_or(now)
            .replace_time(time::Time::MIDNIGHT);
        let since = i64::try_from(first.unix_timestamp_nanos() / 1000).unwrap_or(0);
        let (requested, fulfilled) = queries::counts_since(self.store.reader(), since).await?;
        Ok(MonthFigures {
            requested,
            fulfilled,
        })
    }

    /// Every report of the reports page.
    pub async fn hope_reports(&self, who: &Principal) -> Result<HopeReports> {
        allow(who, Action::ManageHopeBagStock)?;
        let cat = self.hope_catalogue().await?;
        let bags = self.hope_bags_given(who).await?;
        let balances = queries::stock(self.store.reader(), None).await?;
        let stock = queries::locations(self.store.reader())
            .await?
            .into_iter()
            .map(|l| {
                let mut v = StockValue {
                    location: l.name,
                    state: l.state,
                    kits: 0,
                    items: 0,
                    value_cents: 0,
                };
                for b in balances.iter().filter(|b| b.location_id == l.id) {
                    if b.sku.is_kit() {
                        v.kits += b.on_hand;
                    } else {
                        v.items += b.on_hand;
                    }
                    let each = i64::try_from(cat.value_cents(&b.sku)).unwrap_or(i64::MAX);
                    v.value_cents = v.value_cents.saturating_add(each.saturating_mul(b.on_hand));
                }
                v
            })
            .collect();
        let donations = queries::donation_totals(self.store.reader())
            .await?
            .into_iter()
            .map(|(cents, n, total)| {
                let tier = u32::try_from(cents).ok().and_then(|c| cat.tier(c));
                DonationTotal {
                    amount: tier.map_or_else(|| dollars(cents), |t| t.amount()),
                    label: tier.map(|t| t.label.clone()).unwrap_or_default(),
                    donations: n,
                    total_cents: total,
                }
            })
            .collect();
        Ok(HopeReports {
            bags,
            stock,
            donations,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bags_are_counted_by_month_state_and_band() {
        // 2026-01-31 23:00 and 2026-02-01 01:00 UTC, in microseconds.
        let jan = 1_769_900_400_000_000;
        let feb = jan + 2 * 3_600_000_000;
        let given = [
            (jan, "TX".to_owned(), AgeBand::From12To14),
            (jan, "TX".to_owned(), AgeBand::From12To14),
            (feb, "TX".to_owned(), AgeBand::From12To14),
            (feb, "CA".to_owned(), AgeBand::From15To17),
        ];
        let rows = count_bags(&given);
        let flat: Vec<(&str, &str, i64)> = rows
            .iter()
            .map(|r| (r.month.as_str(), r.state.as_str(), r.bags))
            .collect();
        assert_eq!(
            flat,
            [
                ("2026-01", "TX", 2),
                ("2026-02", "CA", 1),
                ("2026-02", "TX", 1)
            ]
        );
    }

    #[test]
    fn dollars_are_grouped() {
        assert_eq!(dollars(123_456_789), "$1,234,567.89");
        assert_eq!(dollars(500), "$5.00");
    }
}
