//! The public poster gallery and the partners' feeds. Nothing here is cached: each call
//! reads which cases are published with consent and currently missing at that moment, and
//! builds each poster through `casework::PosterData`, which exists only for such a case.
//! A poster that cannot be built (consent recorded before the current episode, say) is
//! simply not public.

use crate::error::Result;
use crate::Services;
use ::awareness::feed::{FeedItem, FeedMeta};
use casework::model::parse_iso_date;
use casework::{Consent, Episode, PosterData};
use domain::CaseId;
use store::awareness as queries;
use store::cases as case_queries;

/// Posters on one page of the gallery.
pub const POSTERS_PER_PAGE: i64 = 24;

/// Most posters one feed lists; beyond it, the state's own feed is the way.
const FEED_MAX: i64 = 500;

/// A poster in the gallery: what the poster itself shows, and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosterCard {
    /// The public id: the case number (`CH-000123`).
    pub number: String,
    pub name: String,
    pub age_now: Option<u32>,
    /// "14 March 2026"
    pub missing_since: String,
    pub missing_from: String,
    pub state: String,
    /// Unix seconds of the case's last change.
    pub updated: i64,
    pub summary: String,
}

/// One page of the gallery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosterGallery {
    pub posters: Vec<PosterCard>,
    /// Posters public in the chosen state (or all), across every page.
    pub total: i64,
    /// States with at least one public poster, and how many.
    pub states: Vec<(String, i64)>,
}

impl Services {
    /// A public poster, if the case is published with consent and the child is missing
    /// right now; `None` for any other number (never existed, not published, recovered,
    /// withdrawn), so the answer says nothing about cases that are not public.
    pub async fn public_poster(&self, number: &str) -> Result<Option<PosterData>> {
        let Some(CaseId(id)) = CaseId::parse_number(number) else {
            return Ok(None);
        };
        let Some(row) = queries::public_poster(self.store.reader(), id).await? else {
            return Ok(None);
        };
        Ok(self.poster_of(&row, true).await?.map(|(p, _)| p))
    }

    /// The poster of a row the public query returned, with its state; `None` when the
    /// poster cannot be made (the pure model's rules).
    async fn poster_of(
        &self,
        row: &queries::PublicPosterRow,
        with_photo: bool,
    ) -> Result<Option<(PosterData, String)>> {
        let (Some(given_by), Some(on)) = (
            row.consent_given_by.clone(),
            row.consent_recorded_on.as_deref().and_then(parse_iso_date),
        ) else {
            return Ok(None);
        };
        let Some(case) = case_queries::by_id(self.store.reader(), row.id).await? else {
            return Ok(None);
        };
        let (file, episodes) = self.case_file(&case).await?;
        let eps: Vec<Episode> = episodes.into_iter().map(|e| e.episode).collect();
        let poster = PosterData::from_case(
            &CaseId(row.id).number(),
            &file.child,
            &eps,
            &Consent {
                given_by,
                recorded_on: on,
            },
            &self.hotline,
            self.today(),
        );
        let Ok(mut poster) = poster else {
            return Ok(None);
        };
        // Lists show no photos: reading every poster's file for a list would be slow.
        if let Some(photo) = match with_photo {
            true => self.latest_photo(&file.child).await,
            false => None,
        } {
            poster = poster.with_photo(photo);
        }
        Ok(Some((
            poster,
            row.last_seen_state.clone().unwrap_or_default(),
        )))
    }

    async fn cards(&self, rows: Vec<queries::PublicPosterRow>) -> Result<Vec<PosterCard>> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let updated = row.updated_at.div_euclid(1_000_000);
            if let Some((p, state)) = self.poster_of(&row, false).await? {
                out.push(card(&p, state, updated));
            }
        }
        Ok(out)
    }

    /// One page (from 1) of the public gallery, narrowed to a state (two-letter code).
    pub async fn poster_gallery(&self, state: Option<&str>, page: i64) -> Result<PosterGallery> {
        let page = page.max(1);
        let rows = queries::public_posters(
            self.store.reader(),
            state,
            POSTERS_PER_PAGE,
            (page - 1) * POSTERS_PER_PAGE,
        )
        .await?;
        Ok(PosterGallery {
            posters: self.cards(rows).await?,
            total: queries::count_public_posters(self.store.reader(), state).await?,
            states: queries::public_poster_states(self.store.reader()).await?,
        })
    }

    /// The feed's frame and items, as of now: `base` is the site's origin.
    pub async fn poster_feed(
        &self,
        state: Option<&str>,
        base: &str,
    ) -> Result<(FeedMeta, Vec<FeedItem>)> {
        let rows = queries::public_posters(self.store.reader(), state, FEED_MAX, 0).await?;
        let items = self
            .cards(rows)
            .await?
            .into_iter()
            .map(|c| FeedItem {
                title: match c.age_now {
                    Some(a) => format!("Missing: {}, {a}", c.name),
                    None => format!("Missing: {}", c.name),
                },
                number: c.number,
                summary: c.summary,
                state: c.state,
                updated: c.updated,
            })
            .collect();
        Ok((
            FeedMeta {
                base: base.trim_end_matches('/').to_owned(),
                state: state.map(str::to_owned),
                generated: self.now().div_euclid(1_000_000),
                hotline: self.hotline.clone(),
            },
            items,
        ))
    }
}

fn card(p: &PosterData, state: String, updated: i64) -> PosterCard {
    let fields = p.fields();
    let field = |label: &str| {
        fields
            .iter()
            .find(|(l, _)| *l == label)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let summary = fields
        .iter()
        .map(|(l, v)| format!("{l}: {v}."))
        .collect::<Vec<_>>()
        .join(" ");
    PosterCard {
        number: p.case_number().to_owned(),
        name: p.name().to_owned(),
        age_now: p.age_now(),
        missing_since: field("Missing since"),
        missing_from: p.missing_from().to_owned(),
        state,
        updated,
        summary,
    }
}
