//! The pure core of Hope Bags: what a bag is made of, where stock is kept, how it moves,
//! and what a responder asks for. No IO, no async, no web or database types.
//!
//! # Map
//! - [`catalogue`]: [`Item`]s (unit, size, whether they expire), [`Kit`]s as bills of
//!   materials (one variant per age band and size), the donation [`Tier`]s as data
//!   (`data/catalogue.toml`, read by [`Catalogue::from_toml`]), and [`Sku`], a stocked thing.
//! - [`ledger`]: storage [`LocationId`]s, [`Movement`]s (receive, purchase, build, transfer,
//!   adjust, count, fulfil) planned into ledger [`Line`]s by [`plan`], and [`Ledger`], the
//!   in-memory ledger whose on-hand is always its lines' sum and never negative.
//! - [`request`]: a responder's [`BagRequest`] (age band, size, urgency, where and by
//!   when; never the young person's name), its [`RequestStatus`], and [`suggest_location`].
//!
//! # Words
//! A Hope Bag is for a young person who has just been recovered, often with nothing but
//! what they wear. Nothing here names them: a request carries at most a case number, and
//! only for those allowed to see the case.

#![forbid(unsafe_code)]

pub mod catalogue;
pub mod ledger;
pub mod request;

pub use catalogue::{
    AgeBand, BillLine, Catalogue, CatalogueError, Code, Item, Kit, Size, Sku, Tier, TierLine, Unit,
};
pub use ledger::{plan, Ledger, LedgerError, Line, LocationId, Movement};
pub use request::{suggest_location, BagRequest, RequestError, RequestStatus, StockAt, Urgency};
