//! Recovery services: the resource directory (issue 19). Services are searched by need,
//! state, county, age and language, read one at a time, added and edited, and imported or
//! exported as Open Referral HSDS 3.x data packages (`recovery::hsds`), a re-import
//! updating each service by its HSDS id. Every change and every import is audited.
//! Recovery plans (`plans`) and referrals to the directory's services (`referrals`) are
//! this context's other use cases.

pub mod plans;
pub mod referrals;

use crate::accounts::Page;
use crate::audit::{audited, By, Subject};
use crate::error::{Result, ServiceError};
use crate::{Ip, Services};
use ::recovery::hsds::{self, Files, Rejected};
use ::recovery::{HsdsId, Need, Service};
use domain::policy::permits;
use domain::{Action, Principal};
use rand::RngCore;
use store::resources::{self as queries, ResourceEntry, ResourceFilter, ResourceRow};

/// Services shown per page.
pub const PER_PAGE: i64 = 25;

/// What the directory is searched by; empty parts match all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceQuery {
    pub need: Option<Need>,
    /// A state's two-letter code (or a region's name).
    pub state: Option<String>,
    pub county: Option<String>,
    /// Services whose ages admit this age.
    pub age: Option<u8>,
    pub language: Option<String>,
    /// Words in the name, organisation or description.
    pub text: Option<String>,
}

impl ResourceQuery {
    fn filter(&self) -> ResourceFilter {
        let t = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        ResourceFilter {
            need: self.need.map(|n| n.code().to_owned()),
            state: t(&self.state).map(|s| ::recovery::Location::normalise_state(&s)),
            county: t(&self.county),
            age: self.age.map(i64::from),
            language: t(&self.language),
            text: t(&self.text),
        }
    }
}

/// A service in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceItem {
    pub id: i64,
    pub service: Service,
    /// Not verified for over a year (or never).
    pub stale: bool,
}

/// One service with when it was stored and changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceView {
    pub id: i64,
    pub service: Service,
    pub stale: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub added: usize,
    pub updated: usize,
    /// Rows not taken, by file and line, with what to fix.
    pub rejected: Vec<Rejected>,
}

impl std::fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} added, {} updated, {} rejected",
            self.added,
            self.updated,
            self.rejected.len()
        )
    }
}

fn allow(who: &Principal, action: Action) -> Result<()> {
    if permits(Some(who), action) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

fn decode(row: &ResourceRow) -> Result<Service> {
    serde_json::from_str(&row.service_json).map_err(|e| {
        ServiceError::Internal(Box::new(store::StoreError::Corrupt(format!(
            "resource {}: service_json: {e}",
            row.id
        ))))
    })
}

fn entry(s: &Service) -> Result<ResourceEntry> {
    Ok(ResourceEntry {
        hsds_id: s.id.to_string(),
        name: s.name.clone(),
        organisation: s.organisation.name.clone(),
        service_json: serde_json::to_string(s).map_err(|e| ServiceError::Internal(Box::new(e)))?,
        needs: s.needs.iter().map(|n| n.code().to_owned()).collect(),
        states: s.states(),
        counties: s.counties(),
        languages: s.languages.clone(),
        min_age: s.eligibility.min_age.map(i64::from),
        max_age: s.eligibility.max_age.map(i64::from),
        search_text: format!(
            "{} {} {}",
            s.name,
            s.organisation.name,
            s.description.as_deref().unwrap_or("")
        ),
        last_verified: s.last_verified.map(::recovery::model::format_date),
    })
}

/// A new HSDS id: a random UUID (version 4), as HSDS recommends.
pub fn new_hsds_id() -> Result<HsdsId> {
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    let id = format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    );
    HsdsId::parse("id", &id).map_err(|e| ServiceError::Internal(Box::new(e)))
}

impl Services {
    /// A page of the directory's services matching the query, by name.
    pub async fn resources(
        &self,
        who: &Principal,
        query: &ResourceQuery,
        page: i64,
    ) -> Result<Page<ResourceItem>> {
        allow(who, Action::ViewResources)?;
        let f = query.filter();
        let page = page.max(1);
        let rows = queries::page(self.store.reader(), &f, PER_PAGE, (page - 1) * PER_PAGE).await?;
        let today = self.today();
        let items = rows
            .iter()
            .map(|r| {
                let service = decode(r)?;
                Ok(ResourceItem {
                    id: r.id,
                    stale: service.is_stale(today),
                    service,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let total = queries::count(self.store.reader(), &f).await?;
        Ok(Page {
            items,
            total,
            page,
            per_page: PER_PAGE,
        })
    }

    /// The states the directory's services are given in (the search form's choices).
    pub async fn resource_states(&self, who: &Principal) -> Result<Vec<String>> {
        allow(who, Action::ViewResources)?;
        Ok(queries::states(self.store.reader()).await?)
    }

    /// One service of the directory.
    pub async fn resource(&self, who: &Principal, id: i64) -> Result<ResourceView> {
        allow(who, Action::ViewResources)?;
        let row = queries::by_id(self.store.reader(), id)
            .await?
            .ok_or(ServiceError::NotFound("the service"))?;
        let service = decode(&row)?;
        Ok(ResourceView {
            id: row.id,
            stale: service.is_stale(self.today()),
            service,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }

    /// Adds a service (checked by `recovery::ServiceForm` or `Service::check`). Its HSDS
    /// id must be new.
    pub async fn create_resource(&self, who: &Principal, service: Service, ip: Ip) -> Result<i64> {
        allow(who, Action::ManageResources)?;
        let service = service
            .check()
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = queries::insert(&mut *tx, &entry(&service)?, Some(who.user_id), now).await?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "resource.create",
            Subject::Other("resource".into(), id.to_string()),
            Some(service.name.clone()),
        )
        .await?;
        store::commit(tx).await?;
        Ok(id)
    }

    /// Replaces a service's content.
    pub async fn update_resource(
        &self,
        who: &Principal,
        id: i64,
        service: Service,
        ip: Ip,
    ) -> Result<()> {
        allow(who, Action::ManageResources)?;
        let service = service
            .check()
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        match queries::update(&mut *tx, id, &entry(&service)?, now).await {
            Err(store::StoreError::NotFound) => return Err(ServiceError::NotFound("the service")),
            other => other?,
        }
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "resource.update",
            Subject::Other("resource".into(), id.to_string()),
            Some(service.name.clone()),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Imports an HSDS data package: each service read is added, or updated when its HSDS
    /// id is already in the directory; the rows rejected are returned by file and line.
    pub async fn import_resources(
        &self,
        who: &Principal,
        files: &Files,
        ip: Ip,
    ) -> Result<ImportSummary> {
        allow(who, Action::ManageResources)?;
        self.import_resources_by(By::person(who, ip, self.now()), Some(who), files)
            .await
    }

    /// The same for an operator on the server (`clearinghouse resources import`).
    pub async fn import_resources_as_operator(&self, files: &Files) -> Result<ImportSummary> {
        self.import_resources_by(By::operator(None, self.now()), None, files)
            .await
    }

    async fn import_resources_by(
        &self,
        by: By,
        who: Option<&Principal>,
        files: &Files,
    ) -> Result<ImportSummary> {
        let read = hsds::read_package(files);
        let mut summary = ImportSummary {
            rejected: read.rejected,
            ..ImportSummary::default()
        };
        let now = by.at();
        let mut tx = self.store.begin().await?;
        for s in &read.services {
            let (_, added) =
                queries::upsert(&mut tx, &entry(s)?, who.map(|w| w.user_id), now).await?;
            if added {
                summary.added += 1;
            } else {
                summary.updated += 1;
            }
        }
        audited(
            &mut tx,
            &by,
            "resource.import",
            Subject::Other("resources".into(), "HSDS package".into()),
            Some(summary.to_string()),
        )
        .await?;
        store::commit(tx).await?;
        Ok(summary)
    }

    /// The whole directory as an HSDS data package.
    pub async fn export_resources(&self, who: &Principal) -> Result<Files> {
        allow(who, Action::ManageResources)?;
        self.export_all().await
    }

    /// The same for an operator on the server (`clearinghouse resources export`).
    pub async fn export_resources_as_operator(&self) -> Result<Files> {
        self.export_all().await
    }

    async fn export_all(&self) -> Result<Files> {
        let rows = queries::all(self.store.reader()).await?;
        let services = rows.iter().map(decode).collect::<Result<Vec<_>>>()?;
        Ok(hsds::write_package(&services))
    }
}
