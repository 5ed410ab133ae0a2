//! Responders' requests for a Hope Bag: asked for by an investigator, a caseworker or a
//! recovery specialist (age band, size, urgency, where, by when; never the young person's
//! name, at most a case they may see), followed by them, worked by the stock keepers most
//! urgent first: a location with stock is suggested (same state first), the request is
//! fulfilled (the bag leaves the stock) and then delivered or picked up.

use super::{allow, stock::kit_code, Act};
use crate::error::{Result, ServiceError};
use crate::{Ip, Services};
use domain::policy::permits;
use domain::{Action, CaseId, Principal};
use hopebags::{
    suggest_location, AgeBand, BagRequest, Catalogue, Code, LocationId, Movement, RequestError,
    RequestStatus, Sku, StockAt, Urgency,
};
use store::hope_bags::{self as queries, NewRequest, RequestFilter, RequestRow};

/// The request form as typed.
#[derive(Debug, Clone, Default)]
pub struct RequestForm {
    pub age_band: String,
    pub size: String,
    pub urgency: String,
    pub deliver_to: String,
    pub deliver_state: String,
    pub needed_by: String,
    pub case_number: String,
}

/// Why a request was not made: its fields (each named, to show beside it), or else.
#[derive(Debug)]
pub enum BagRequestError {
    Form(Vec<RequestError>),
    Other(ServiceError),
}

impl From<ServiceError> for BagRequestError {
    fn from(e: ServiceError) -> Self {
        BagRequestError::Other(e)
    }
}

impl From<store::StoreError> for BagRequestError {
    fn from(e: store::StoreError) -> Self {
        BagRequestError::Other(e.into())
    }
}

/// A request as its pages show it. No name or identity of the young person exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestView {
    pub id: i64,
    /// `HB-000012`
    pub number: String,
    pub age_band: AgeBand,
    pub size: Option<String>,
    pub urgency: Urgency,
    pub deliver_to: String,
    pub deliver_state: String,
    pub needed_by: Option<String>,
    /// Shown only to those who may see cases.
    pub case_number: Option<String>,
    pub status: RequestStatus,
    /// The bag given and where from, once fulfilled.
    pub kit_name: Option<String>,
    pub location_name: Option<String>,
    pub requested_at: i64,
    pub fulfilled_at: Option<i64>,
    pub delivered_at: Option<i64>,
    /// Asked for by the viewer.
    pub mine: bool,
}

/// Where a request was fulfilled from, with what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fulfilment {
    pub location_id: LocationId,
    pub location_name: String,
    pub kit_name: String,
}

/// The number people read: `HB-000012`.
pub fn request_number(id: i64) -> String {
    format!("HB-{id:06}")
}

impl Services {
    /// A responder asks for a bag. Returns the request's id.
    pub async fn request_hope_bag(
        &self,
        who: &Principal,
        form: &RequestForm,
        ip: Ip,
    ) -> std::result::Result<i64, BagRequestError> {
        allow(who, Action::RequestHopeBags)?;
        let req = BagRequest::parse(
            &form.age_band,
            &form.size,
            &form.urgency,
            &form.deliver_to,
            &form.deliver_state,
            &form.needed_by,
            &form.case_number,
        )
        .map_err(BagRequestError::Form)?;
        let case_id = match &req.case_number {
            None => None,
            Some(n) => Some(self.linkable_case(who, n).await?),
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = queries::insert_request(
            &mut *tx,
            &NewRequest {
                requested_by: who.user_id,
                org_id: who.org_id,
                age_band: req.age_band,
                size: req.size,
                urgency: req.urgency,
                deliver_to: &req.deliver_to,
                deliver_state: &req.deliver_state,
                needed_by: req.needed_by.as_deref(),
                case_id,
            },
            now,
        )
        .await?;
        self.hope_audit(
            &mut tx,
            &Act { who, ip, now },
            "hope_bags.request",
            ("hope_request", id),
            format!(
                "{}, {}, {} to {}",
                req.age_band.as_str(),
                req.size.map_or("any size", |s| s.as_str()),
                req.urgency.as_str(),
                req.deliver_state
            ),
        )
        .await?;
        store::commit(tx).await?;
        Ok(id)
    }

    /// The case a request may link: one the responder may see.
    async fn linkable_case(
        &self,
        who: &Principal,
        number: &str,
    ) -> std::result::Result<i64, BagRequestError> {
        let field = |message| {
            BagRequestError::Form(vec![RequestError {
                field: "case_number",
                message,
            }])
        };
        if !permits(Some(who), Action::ViewCases) {
            return Err(field(
                "Only those who may see cases can link one; leave the case number empty",
            ));
        }
        let Some(CaseId(id)) = CaseId::parse_number(number) else {
            return Err(field(
                "Enter a case number like CH-000123, or leave it empty",
            ));
        };
        match self.visible_case(who, id).await {
            Ok(_) => Ok(id),
            Err(ServiceError::NotFound(_) | ServiceError::Forbidden) => Err(field(
                "There is no case with that number that you may see; check it, or leave it empty",
            )),
            Err(e) => Err(e.into()),
        }
    }

    fn is_keeper(who: &Principal) -> bool {
        permits(Some(who), Action::ManageHopeBagStock)
    }

    /// The requests the viewer works or follows: every request for stock keepers, one's
    /// own for responders; open ones first, the most urgent first.
    pub async fn hope_requests(
        &self,
        who: &Principal,
        active_only: bool,
    ) -> Result<Vec<RequestView>> {
        allow(who, Action::ViewHopeBags)?;
        let filter = RequestFilter {
            requested_by: (!Self::is_keeper(who)).then_some(who.user_id),
            active_only,
        };
        let cat = self.hope_catalogue().await?;
        let locations = queries::locations(self.store.reader()).await?;
        Ok(queries::requests(self.store.reader(), filter, 500)
            .await?
            .into_iter()
            .map(|r| view(who, &cat, &locations, r))
            .collect())
    }

    /// One request, for its requester or a stock keeper; anyone else is told it is not found.
    pub async fn hope_request(&self, who: &Principal, id: i64) -> Result<RequestView> {
        let row = self.hope_request_row(who, id).await?;
        let cat = self.hope_catalogue().await?;
        let locations = queries::locations(self.store.reader()).await?;
        Ok(view(who, &cat, &locations, row))
    }

    async fn hope_request_row(&self, who: &Principal, id: i64) -> Result<RequestRow> {
        allow(who, Action::ViewHopeBags)?;
        let row = match queries::request(self.store.reader(), id).await {
            Ok(r) => r,
            Err(store::StoreError::NotFound) => return Err(ServiceError::NotFound("the request")),
            Err(e) => return Err(e.into()),
        };
        if row.requested_by != who.user_id && !Self::is_keeper(who) {
            return Err(ServiceError::NotFound("the request"));
        }
        Ok(row)
    }

    /// The location and bag suggested for a request: the variant for its age band and
    /// size, from a location holding it in the delivery state first. None if none holds any.
    pub async fn suggest_hope_location(
        &self,
        who: &Principal,
        id: i64,
    ) -> Result<Option<Fulfilment>> {
        allow(who, Action::ManageHopeBagStock)?;
        let row = self.hope_request_row(who, id).await?;
        let cat = self.hope_catalogue().await?;
        Ok(self.suggestion(who, &cat, &row).await?.map(|(f, _)| f))
    }

    /// The suggestion among the locations `who` keeps (a volunteer's own ones).
    async fn suggestion(
        &self,
        who: &Principal,
        cat: &Catalogue,
        row: &RequestRow,
    ) -> Result<Option<(Fulfilment, Code)>> {
        let kept = self.hope_locations_kept(who).await?;
        let locations: Vec<_> = queries::locations(self.store.reader())
            .await?
            .into_iter()
            .filter(|l| kept.contains(&l.id))
            .collect();
        let stock = queries::stock(self.store.reader(), None).await?;
        for kit in cat.variants(row.age_band, row.size) {
            let sku = Sku::Kit(kit.code.clone());
            let at: Vec<StockAt> = locations
                .iter()
                .map(|l| StockAt {
                    location: l.id,
                    state: l.state.clone(),
                    on_hand: stock
                        .iter()
                        .find(|s| s.location_id == l.id && s.sku == sku)
                        .map_or(0, |s| s.on_hand),
                })
                .collect();
            if let Some(best) = suggest_location(&at, &row.deliver_state) {
                let name = locations
                    .iter()
                    .find(|l| l.id == best)
                    .map(|l| l.name.clone())
                    .unwrap_or_default();
                return Ok(Some((
                    Fulfilment {
                        location_id: best,
                        location_name: name,
                        kit_name: kit.name.clone(),
                    },
                    kit.code.clone(),
                )));
            }
        }
        Ok(None)
    }

    /// Fulfils an open request: a bag leaves the stock of `at` (or of the suggested
    /// location), in one transaction with the request's new status. Refused with a message
    /// saying what to do when the location has no bag of the kind left, or when the
    /// request is no longer open.
    pub async fn fulfil_hope_request(
        &self,
        who: &Principal,
        id: i64,
        at: Option<LocationId>,
        kit: Option<&str>,
        ip: Ip,
    ) -> Result<Fulfilment> {
        allow(who, Action::ManageHopeBagStock)?;
        let row = self.hope_request_row(who, id).await?;
        if row.status != RequestStatus::Open {
            return Err(ServiceError::Conflict(format!(
                "Request {} is already “{}”; reload the queue to see the requests still waiting.",
                request_number(id),
                row.status.label()
            )));
        }
        let cat = self.hope_catalogue().await?;
        let (at, kit): (LocationId, Code) = match (at, kit) {
            (Some(at), Some(k)) => (at, kit_code(&cat, k)?),
            (Some(at), None) => {
                let mut chosen = None;
                for k in cat.variants(row.age_band, row.size) {
                    let n = queries::on_hand(self.store.reader(), at, &Sku::Kit(k.code.clone()))
                        .await?;
                    if n > 0 || chosen.is_none() {
                        chosen = Some(k.code.clone());
                    }
                    if n > 0 {
                        break;
                    }
                }
                (at, chosen.ok_or_else(|| no_variant(row.age_band))?)
            }
            (None, _) => match self.suggestion(who, &cat, &row).await? {
                Some((f, code)) => (f.location_id, code),
                None => {
                    return Err(ServiceError::Conflict(format!(
                        "No location holds a Hope Bag for {}; receive or build bags first.",
                        row.age_band.label().to_lowercase()
                    )))
                }
            },
        };
        let location = match queries::location(self.store.reader(), at).await {
            Ok(l) => l,
            Err(store::StoreError::NotFound) => return Err(ServiceError::NotFound("the location")),
            Err(e) => return Err(e.into()),
        };
        self.may_keep(who, at).await?;
        let kit_sku = Sku::Kit(kit.clone());
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !queries::mark_fulfilled(&mut tx, id, &kit_sku, at, who.user_id, now).await? {
            return Err(ServiceError::Conflict(format!(
                "Request {} was fulfilled or cancelled a moment ago; reload the queue.",
                request_number(id)
            )));
        }
        self.move_stock(
            &mut tx,
            &cat,
            &Movement::Fulfil { at, kit, qty: 1 },
            "",
            Some(id),
            &Act {
                who,
                ip: ip.clone(),
                now,
            },
        )
        .await?;
        let kit_name = cat.name(&kit_sku);
        self.hope_audit(
            &mut tx,
            &Act { who, ip, now },
            "hope_bags.fulfil",
            ("hope_request", id),
            format!("{kit_name} from {}", location.name),
        )
        .await?;
        store::commit(tx).await?;
        Ok(Fulfilment {
            location_id: at,
            location_name: location.name,
            kit_name,
        })
    }

    /// A fulfilled request was delivered or picked up: said by a stock keeper or by the
    /// responder who asked.
    pub async fn deliver_hope_request(&self, who: &Principal, id: i64, ip: Ip) -> Result<()> {
        let row = self.hope_request_row(who, id).await?;
        self.move_request(who, &row, RequestStatus::Delivered, ip)
            .await
    }

    /// An open request is no longer needed: said by the responder who asked or a keeper.
    pub async fn cancel_hope_request(&self, who: &Principal, id: i64, ip: Ip) -> Result<()> {
        let row = self.hope_request_row(who, id).await?;
        self.move_request(who, &row, RequestStatus::Cancelled, ip)
            .await
    }

    async fn move_request(
        &self,
        who: &Principal,
        row: &RequestRow,
        to: RequestStatus,
        ip: Ip,
    ) -> Result<()> {
        if !row.status.may_become(to) {
            return Err(ServiceError::Conflict(format!(
                "Request {} is “{}” and cannot become “{}”; reload the page to see where it stands.",
                request_number(row.id),
                row.status.label(),
                to.label()
            )));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !queries::set_status(&mut tx, row.id, row.status, to, now).await? {
            return Err(ServiceError::Conflict(format!(
                "Request {} changed a moment ago; reload the page to see where it stands.",
                request_number(row.id)
            )));
        }
        self.hope_audit(
            &mut tx,
            &Act { who, ip, now },
            &format!("hope_bags.{}", to.as_str()),
            ("hope_request", row.id),
            format!("{} → {}", row.status.as_str(), to.as_str()),
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }
}

fn no_variant(band: AgeBand) -> ServiceError {
    ServiceError::Conflict(format!(
        "The catalogue has no Hope Bag for {}; ask an administrator to add one.",
        band.label().to_lowercase()
    ))
}

fn view(
    who: &Principal,
    cat: &Catalogue,
    locations: &[queries::LocationRow],
    r: RequestRow,
) -> RequestView {
    let sees_cases = permits(Some(who), Action::ViewCases);
    RequestView {
        id: r.id,
        number: request_number(r.id),
        age_band: r.age_band,
        size: r.size.map(|s| s.as_str().to_owned()),
        urgency: r.urgency,
        deliver_to: r.deliver_to,
        deliver_state: r.deliver_state,
        needed_by: r.needed_by,
        case_number: r
            .case_id
            .filter(|_| sees_cases)
            .map(|id| CaseId(id).number()),
        status: r.status,
        kit_name: r.kit.as_ref().map(|k| cat.name(k)),
        location_name: r
            .location_id
            .and_then(|id| locations.iter().find(|l| l.id == id))
            .map(|l| l.name.clone()),
        requested_at: r.created_at,
        fulfilled_at: r.fulfilled_at,
        delivered_at: r.delivered_at,
        mine: r.requested_by == who.user_id,
    }
}
