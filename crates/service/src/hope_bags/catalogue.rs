//! The Hope Bags catalogue as a deployment keeps it: items, kits and what each donation
//! tier buys are data, edited here as TOML, versioned and audited, never compiled in.

use super::{allow, Act};
use crate::error::{Result, ServiceError};
use crate::{Ip, Services};
use domain::{Action, Principal};
use hopebags::Catalogue;
use store::hope_bags as queries;

/// The catalogue in force, as its keepers edit it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueText {
    /// 0 while the shipped catalogue is in force.
    pub version: i64,
    pub toml: String,
}

impl Services {
    /// The catalogue's text in force, for editing.
    pub async fn hope_catalogue_text(&self, who: &Principal) -> Result<CatalogueText> {
        allow(who, Action::ManageHopeBagCatalogue)?;
        Ok(
            match queries::latest_catalogue(self.store.reader()).await? {
                Some((version, toml)) => CatalogueText { version, toml },
                None => CatalogueText {
                    version: 0,
                    toml: hopebags::catalogue::SHIPPED.to_owned(),
                },
            },
        )
    }

    /// Saves a new version of the catalogue; returns its version. Refused whole, with the
    /// reason, when the text is not a valid catalogue or when it drops an item or a kit that
    /// a location still holds (its stock would then name nothing).
    pub async fn save_hope_catalogue(&self, who: &Principal, toml: &str, ip: Ip) -> Result<i64> {
        allow(who, Action::ManageHopeBagCatalogue)?;
        if toml.len() > 200_000 {
            return Err(ServiceError::Invalid(
                "The catalogue is longer than 200,000 characters: shorten it".into(),
            ));
        }
        let cat = Catalogue::from_toml(toml).map_err(|e| {
            ServiceError::Invalid(format!(
                "The catalogue was not saved: {e}. Correct it and save again"
            ))
        })?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let held: Vec<String> = queries::stock(&mut *tx, None)
            .await?
            .into_iter()
            .filter(|s| s.on_hand > 0 && cat.sku(s.sku.code()).as_ref() != Some(&s.sku))
            .map(|s| s.sku.code().to_string())
            .collect();
        if !held.is_empty() {
            let mut held = held;
            held.sort();
            held.dedup();
            return Err(ServiceError::Invalid(format!(
                "The catalogue was not saved: stock is still held of {}. Keep them in the \
                 catalogue, or count them to zero first",
                held.join(", ")
            )));
        }
        let version = queries::insert_catalogue(&mut *tx, toml, Some(who.user_id), now).await?;
        self.hope_audit(
            &mut tx,
            &Act { who, ip, now },
            "hope_bags.catalogue",
            ("hope_catalogue", version),
            format!(
                "version {version}: {} items, {} kits, {} tiers",
                cat.items.len(),
                cat.kits.len(),
                cat.tiers.len()
            ),
        )
        .await?;
        store::commit(tx).await?;
        Ok(version)
    }
}
