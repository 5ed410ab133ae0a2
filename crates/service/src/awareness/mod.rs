//! Awareness and partners (issue 22). The public side needs no account: the poster
//! gallery and its feeds (`posters.rs`), built at each request from the cases' live
//! publication and missing state, so a recovery or a withdrawn consent takes a poster off
//! every public surface in the request that records it; the publications (`publications.rs`);
//! the public signs of trafficking (`signs`). Staff keep partner organisations, their
//! awareness events and feed subscriptions (`partners.rs`, `ViewPartners` /
//! `ManagePartners`) and upload publications (`ManagePublications`); every change is
//! audited in its own transaction.

mod partners;
mod posters;
mod publications;

pub use partners::{EventView, PartnerItem, PartnerQuery, PartnerView};
pub use posters::{PosterCard, PosterGallery, POSTERS_PER_PAGE};
pub use publications::{PublicationFile, PublicationItem};

/// The pure model, for callers (web) that fill in its forms.
pub use ::awareness as model;

use crate::error::{Result, ServiceError};
use domain::policy::permits;
use domain::{Action, Principal};

fn allow(who: &Principal, action: Action) -> Result<()> {
    if permits(Some(who), action) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

fn internal(e: impl std::error::Error + Send + Sync + 'static) -> ServiceError {
    ServiceError::Internal(Box::new(e))
}

/// One item of the public signs page: its words, under its heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignGroupView {
    pub heading: &'static str,
    pub signs: Vec<&'static str>,
}

impl crate::Services {
    /// The public signs of trafficking, grouped, keeping only those whose indicator is in
    /// the catalogue in force (a withdrawn indicator leaves the public page too).
    pub fn public_signs(&self) -> Vec<SignGroupView> {
        let catalogue = self.engine.current();
        let known = |id: &str| catalogue.catalogue().indicators.iter().any(|i| i.id == id);
        ::awareness::signs::SignGroup::ALL
            .into_iter()
            .map(|g| SignGroupView {
                heading: g.heading(),
                signs: ::awareness::signs::SIGNS
                    .iter()
                    .filter(|s| s.group == g && known(s.indicator))
                    .map(|s| s.words)
                    .collect(),
            })
            .filter(|g| !g.signs.is_empty())
            .collect()
    }
}
