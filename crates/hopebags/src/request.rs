//! A responder's request for a Hope Bag: what the young person needs (age band, size), how
//! urgently, where and by when, and at most a case number. Never a name or anything that
//! identifies the young person. Also the request's statuses and the choice of the location
//! to fulfil it from.

use crate::catalogue::{AgeBand, Size};
use crate::ledger::LocationId;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// How soon the bag is needed; requests are worked most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    /// The young person is with the responder now.
    Now,
    /// Within a day.
    Today,
    /// Within the week.
    ThisWeek,
}

impl Urgency {
    pub const ALL: [Urgency; 3] = [Urgency::Now, Urgency::Today, Urgency::ThisWeek];
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Now => "now",
            Urgency::Today => "today",
            Urgency::ThisWeek => "this_week",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Urgency::Now => "Now",
            Urgency::Today => "Today",
            Urgency::ThisWeek => "This week",
        }
    }
    /// 0 for the most urgent; the queue sorts on it.
    pub fn rank(self) -> i64 {
        match self {
            Urgency::Now => 0,
            Urgency::Today => 1,
            Urgency::ThisWeek => 2,
        }
    }
    pub fn parse(s: &str) -> Option<Urgency> {
        Urgency::ALL.into_iter().find(|u| u.as_str() == s.trim())
    }
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Open,
    /// Stock has left a location for it; ready to pick up or on its way.
    Fulfilled,
    Delivered,
    Cancelled,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::Fulfilled => "fulfilled",
            RequestStatus::Delivered => "delivered",
            RequestStatus::Cancelled => "cancelled",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            RequestStatus::Open => "Waiting",
            RequestStatus::Fulfilled => "Ready",
            RequestStatus::Delivered => "Delivered",
            RequestStatus::Cancelled => "Cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<RequestStatus> {
        [
            RequestStatus::Open,
            RequestStatus::Fulfilled,
            RequestStatus::Delivered,
            RequestStatus::Cancelled,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
    /// The moves allowed: open → fulfilled → delivered; open → cancelled.
    pub fn may_become(self, next: RequestStatus) -> bool {
        matches!(
            (self, next),
            (RequestStatus::Open, RequestStatus::Fulfilled)
                | (RequestStatus::Open, RequestStatus::Cancelled)
                | (RequestStatus::Fulfilled, RequestStatus::Delivered)
        )
    }
}

/// A checked request. `deliver_state` is a two-letter US state or territory code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BagRequest {
    pub age_band: AgeBand,
    pub size: Option<Size>,
    pub urgency: Urgency,
    /// Where to deliver or where it will be picked up: a place, never the young person.
    pub deliver_to: String,
    pub deliver_state: String,
    /// `YYYY-MM-DD`, if a date was given.
    pub needed_by: Option<String>,
    /// A case number (`CH-000123`), only for those allowed to see the case.
    pub case_number: Option<String>,
}

/// What was wrong with a field of the request form.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {message}")]
pub struct RequestError {
    /// The form's field name.
    pub field: &'static str,
    pub message: &'static str,
}

fn err(field: &'static str, message: &'static str) -> RequestError {
    RequestError { field, message }
}

impl BagRequest {
    /// Checks the form's fields; every error names its field and says what to enter.
    pub fn parse(
        age_band: &str,
        size: &str,
        urgency: &str,
        deliver_to: &str,
        deliver_state: &str,
        needed_by: &str,
        case_number: &str,
    ) -> Result<BagRequest, Vec<RequestError>> {
        let mut errors = Vec::new();
        let band = AgeBand::parse(age_band);
        if band.is_none() {
            errors.push(err("age_band", "Choose the young person's age band"));
        }
        let size = match size.trim() {
            "" => None,
            s => match Size::parse(s) {
                Some(z) => Some(z),
                None => {
                    errors.push(err(
                        "size",
                        "Choose a size from the list, or leave it empty",
                    ));
                    None
                }
            },
        };
        let urg = Urgency::parse(urgency);
        if urg.is_none() {
            errors.push(err("urgency", "Choose how soon the bag is needed"));
        }
        let place = deliver_to.trim();
        if place.is_empty() {
            errors.push(err(
                "deliver_to",
                "Enter where the bag should go (an office, a hospital, a shelter)",
            ));
        } else if place.chars().count() > 200 {
            errors.push(err(
                "deliver_to",
                "Shorten the place to 200 characters or fewer",
            ));
        }
        let state = deliver_state.trim().to_ascii_uppercase();
        if state.len() != 2 || !state.bytes().all(|b| b.is_ascii_uppercase()) {
            errors.push(err(
                "deliver_state",
                "Enter the state as two letters, like TX",
            ));
        }
        let needed_by = match needed_by.trim() {
            "" => None,
            d if is_date(d) => Some(d.to_owned()),
            _ => {
                errors.push(err(
                    "needed_by",
                    "Enter the date as YYYY-MM-DD, or leave it empty",
                ));
                None
            }
        };
        let case_number = match case_number.trim() {
            "" => None,
            c if c.len() <= 40
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
            {
                Some(c.to_owned())
            }
            _ => {
                errors.push(err(
                    "case_number",
                    "Enter a case number like CH-000123, or leave it empty",
                ));
                None
            }
        };
        match (band, urg) {
            (Some(age_band), Some(urgency)) if errors.is_empty() => Ok(BagRequest {
                age_band,
                size,
                urgency,
                deliver_to: place.to_owned(),
                deliver_state: state,
                needed_by,
                case_number,
            }),
            _ => Err(errors),
        }
    }
}

fn is_date(d: &str) -> bool {
    let b = d.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| d.get(r).and_then(|s| s.parse::<u32>().ok());
    matches!((num(0..4), num(5..7), num(8..10)), (Some(y), Some(m), Some(day))
        if (2000..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&day))
}

/// One location's stock of the wanted kit, for [`suggest_location`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockAt {
    pub location: LocationId,
    pub state: String,
    pub on_hand: i64,
}

/// The location to fulfil from: one with stock in the delivery state first (the most
/// stock, then the lowest id), else the one with the most stock anywhere. None when no
/// location holds any.
pub fn suggest_location(stock: &[StockAt], deliver_state: &str) -> Option<LocationId> {
    stock
        .iter()
        .filter(|s| s.on_hand > 0)
        .min_by_key(|s| {
            (
                !s.state.eq_ignore_ascii_case(deliver_state),
                -s.on_hand,
                s.location,
            )
        })
        .map(|s| s.location)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_needs_no_name_and_names_every_wrong_field() {
        let ok = BagRequest::parse("12-14", "M", "now", "Central precinct", "tx", "", "").unwrap();
        assert_eq!(ok.deliver_state, "TX");
        let e = BagRequest::parse("", "Q", "soon", " ", "Texas", "12/01/2026", "a b").unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "age_band",
                "size",
                "urgency",
                "deliver_to",
                "deliver_state",
                "needed_by",
                "case_number"
            ]
        );
    }

    #[test]
    fn the_same_state_is_suggested_first() {
        let s = |id, st: &str, n| StockAt {
            location: LocationId(id),
            state: st.into(),
            on_hand: n,
        };
        let stock = [s(1, "CA", 50), s(2, "TX", 2), s(3, "TX", 0), s(4, "TX", 5)];
        assert_eq!(suggest_location(&stock, "TX"), Some(LocationId(4)));
        assert_eq!(suggest_location(&stock, "NY"), Some(LocationId(1)));
        assert_eq!(suggest_location(&[s(3, "TX", 0)], "TX"), None);
    }

    #[test]
    fn statuses_move_only_forward() {
        assert!(RequestStatus::Open.may_become(RequestStatus::Fulfilled));
        assert!(!RequestStatus::Delivered.may_become(RequestStatus::Open));
        assert!(!RequestStatus::Open.may_become(RequestStatus::Delivered));
    }
}
