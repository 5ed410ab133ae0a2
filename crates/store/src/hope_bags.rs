//! Hope Bags: the catalogue in force, storage locations, the stock ledger with each
//! location's balances, responders' requests and donations of money. The rules (what a
//! movement moves, who may ask) are `hopebags`' and the service's; this module stores and
//! finds, and keeps the one rule the database must: a balance never goes below zero, also
//! under concurrent movements. [`apply_movement`] changes each balance with a conditional
//! update in the caller's transaction (SQLite's single writer serialises them; on
//! PostgreSQL the update takes the row's lock and re-checks the condition once the lock
//! is granted), and a `CHECK (on_hand >= 0)` backs it.

use crate::StoreError;
use domain::{OrgId, UserId};
use hopebags::{AgeBand, LocationId, RequestStatus, Size, Sku, Urgency};
use sqlx::{Any, Executor, Row};

// ---------------------------------------------------------------------------------------
// Catalogue

/// The catalogue in force: its version and TOML, or None on a fresh database.
pub async fn latest_catalogue<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> Result<Option<(i64, String)>, StoreError> {
    let row =
        sqlx::query("SELECT version, toml FROM hope_catalogues ORDER BY version DESC LIMIT 1")
            .fetch_optional(ex)
            .await?;
    row.map(|r| Ok((r.try_get("version")?, r.try_get("toml")?)))
        .transpose()
}

/// Stores a new version of the catalogue; returns its version.
pub async fn insert_catalogue<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    toml: &str,
    by: Option<UserId>,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO hope_catalogues (toml, created_by, created_at) VALUES ($1, $2, $3) RETURNING version",
    )
    .bind(toml)
    .bind(by.map(|u| u.0))
    .bind(now)
    .fetch_one(ex)
    .await?)
}

// ---------------------------------------------------------------------------------------
// Locations

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationRow {
    pub id: LocationId,
    pub name: String,
    pub state: String,
    /// `office`, `partner` or `vehicle`.
    pub kind: String,
    pub org_id: Option<OrgId>,
    pub low_stock: i64,
    pub created_at: i64,
}

pub struct NewLocation<'a> {
    pub name: &'a str,
    pub state: &'a str,
    pub kind: &'a str,
    pub org_id: Option<OrgId>,
    pub low_stock: i64,
}

pub async fn insert_location<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    l: &NewLocation<'_>,
    now: i64,
) -> Result<LocationId, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO hope_locations (name, state, kind, org_id, low_stock, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(l.name)
    .bind(l.state)
    .bind(l.kind)
    .bind(l.org_id.map(|o| o.0))
    .bind(l.low_stock)
    .bind(now)
    .fetch_one(ex)
    .await
    .map_err(crate::error::conflict("a location of that name"))?;
    Ok(LocationId(id))
}

fn map_location(r: sqlx::any::AnyRow) -> Result<LocationRow, StoreError> {
    Ok(LocationRow {
        id: LocationId(r.try_get("id")?),
        name: r.try_get("name")?,
        state: r.try_get("state")?,
        kind: r.try_get("kind")?,
        org_id: r.try_get::<Option<i64>, _>("org_id")?.map(OrgId),
        low_stock: r.try_get("low_stock")?,
        created_at: r.try_get("created_at")?,
    })
}

const LOCATION_COLUMNS: &str = "id, name, state, kind, org_id, low_stock, created_at";

/// Every location, by name.
pub async fn locations<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> Result<Vec<LocationRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {LOCATION_COLUMNS} FROM hope_locations ORDER BY name, id"
    ))
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(map_location)
    .collect()
}

pub async fn location<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: LocationId,
) -> Result<LocationRow, StoreError> {
    map_location(
        sqlx::query(&format!(
            "SELECT {LOCATION_COLUMNS} FROM hope_locations WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_one(ex)
        .await?,
    )
}

// ---------------------------------------------------------------------------------------
// Stock and the ledger

fn sku(column: &'static str, value: String) -> Result<Sku, StoreError> {
    Sku::parse(&value).ok_or(StoreError::UnknownValue { column, value })
}

/// One balance: what a location holds of one thing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockRow {
    pub location_id: LocationId,
    pub sku: Sku,
    pub on_hand: i64,
}

/// Every balance, of one location or of all, by location and thing.
pub async fn stock<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    at: Option<LocationId>,
) -> Result<Vec<StockRow>, StoreError> {
    sqlx::query(
        "SELECT location_id, sku, on_hand FROM hope_stock \
         WHERE ($1 = 0 OR location_id = $1) ORDER BY location_id, sku",
    )
    .bind(at.map_or(0, |l| l.0))
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(|r| {
        Ok(StockRow {
            location_id: LocationId(r.try_get("location_id")?),
            sku: sku("hope_stock.sku", r.try_get("sku")?)?,
            on_hand: r.try_get("on_hand")?,
        })
    })
    .collect()
}

/// What a location holds of one thing (0 when it never held any).
pub async fn on_hand<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    at: LocationId,
    what: &Sku,
) -> Result<i64, StoreError> {
    let n: Option<i64> =
        sqlx::query_scalar("SELECT on_hand FROM hope_stock WHERE location_id = $1 AND sku = $2")
            .bind(at.0)
            .bind(what.to_string())
            .fetch_optional(ex)
            .await?;
    Ok(n.unwrap_or(0))
}

/// What a location holds of one thing, with the balance's row locked until the
/// transaction ends (a no-op update: PostgreSQL locks the row, SQLite's writer is one).
/// Movements that read before they write (a count) read through this.
pub async fn locked_on_hand(
    tx: &mut crate::Tx,
    at: LocationId,
    what: &Sku,
) -> Result<i64, StoreError> {
    let n: Option<i64> = sqlx::query_scalar(
        "UPDATE hope_stock SET on_hand = on_hand WHERE location_id = $1 AND sku = $2 RETURNING on_hand",
    )
    .bind(at.0)
    .bind(what.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(n.unwrap_or(0))
}

/// The sum of the ledger's lines for every location and thing: what the balances must equal.
pub async fn ledger_sums<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> Result<Vec<StockRow>, StoreError> {
    sqlx::query(
        "SELECT location_id, sku, CAST(SUM(delta) AS BIGINT) AS total FROM hope_ledger \
         GROUP BY location_id, sku ORDER BY location_id, sku",
    )
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(|r| {
        Ok(StockRow {
            location_id: LocationId(r.try_get("location_id")?),
            sku: sku("hope_ledger.sku", r.try_get("sku")?)?,
            on_hand: r.try_get("total")?,
        })
    })
    .collect()
}

/// A movement's record: what kind, with its note (the donor, the reason), for which request
/// and by whom.
pub struct NewMovement<'a> {
    pub kind: &'a str,
    pub note: &'a str,
    pub request_id: Option<i64>,
    pub actor: Option<UserId>,
}

/// A balance a movement would have taken below zero. The caller must roll the
/// transaction back (drop it): lines before this one were already written in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall {
    pub location: LocationId,
    pub sku: Sku,
    pub on_hand: i64,
    pub needed: i64,
}

/// Writes a movement and its ledger lines, and changes each balance by its line, in the
/// caller's transaction. A line that would take a balance below zero is refused with the
/// [`Shortfall`]. Pass the lines sorted by location and thing (as `hopebags::plan` gives
/// them) so that concurrent movements take their row locks in one order.
pub async fn apply_movement(
    tx: &mut crate::Tx,
    m: &NewMovement<'_>,
    lines: &[hopebags::Line],
    now: i64,
) -> Result<Result<i64, Shortfall>, StoreError> {
    for l in lines {
        let key = l.sku.to_string();
        if l.delta >= 0 {
            sqlx::query(
                "INSERT INTO hope_stock (location_id, sku, on_hand) VALUES ($1, $2, $3) \
                 ON CONFLICT (location_id, sku) DO UPDATE SET on_hand = hope_stock.on_hand + excluded.on_hand",
            )
            .bind(l.location.0)
            .bind(&key)
            .bind(l.delta)
            .execute(&mut **tx)
            .await?;
        } else {
            let done = sqlx::query(
                "UPDATE hope_stock SET on_hand = on_hand + $3 \
                 WHERE location_id = $1 AND sku = $2 AND on_hand + $3 >= 0",
            )
            .bind(l.location.0)
            .bind(&key)
            .bind(l.delta)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            if done == 0 {
                let have = on_hand(&mut **tx, l.location, &l.sku).await?;
                return Ok(Err(Shortfall {
                    location: l.location,
                    sku: l.sku.clone(),
                    on_hand: have,
                    needed: -l.delta,
                }));
            }
        }
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO hope_movements (kind, note, request_id, actor, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(m.kind)
    .bind(m.note)
    .bind(m.request_id)
    .bind(m.actor.map(|u| u.0))
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    for l in lines {
        sqlx::query(
            "INSERT INTO hope_ledger (movement_id, location_id, sku, delta, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(l.location.0)
        .bind(l.sku.to_string())
        .bind(l.delta)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(Ok(id))
}

/// One line of the ledger with its movement, newest first in [`ledger`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    pub movement_id: i64,
    pub kind: String,
    pub note: String,
    pub request_id: Option<i64>,
    pub actor: Option<UserId>,
    pub location_id: LocationId,
    pub sku: Sku,
    pub delta: i64,
    pub created_at: i64,
}

/// The latest lines of a location's ledger (or of all), newest first.
pub async fn ledger<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    at: Option<LocationId>,
    limit: i64,
) -> Result<Vec<LedgerRow>, StoreError> {
    sqlx::query(
        "SELECT m.id AS movement_id, m.kind, m.note, m.request_id, m.actor, l.location_id, l.sku, l.delta, l.created_at \
         FROM hope_ledger l JOIN hope_movements m ON m.id = l.movement_id \
         WHERE ($1 = 0 OR l.location_id = $1) ORDER BY l.id DESC LIMIT $2",
    )
    .bind(at.map_or(0, |l| l.0))
    .bind(limit)
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(|r| {
        Ok(LedgerRow {
            movement_id: r.try_get("movement_id")?,
            kind: r.try_get("kind")?,
            note: r.try_get("note")?,
            request_id: r.try_get("request_id")?,
            actor: r.try_get::<Option<i64>, _>("actor")?.map(UserId),
            location_id: LocationId(r.try_get("location_id")?),
            sku: sku("hope_ledger.sku", r.try_get("sku")?)?,
            delta: r.try_get("delta")?,
            created_at: r.try_get("created_at")?,
        })
    })
    .collect()
}

// ---------------------------------------------------------------------------------------
// Requests

/// A responder's request as stored. It holds no name or identity of the young person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRow {
    pub id: i64,
    pub requested_by: UserId,
    pub org_id: OrgId,
    pub age_band: AgeBand,
    pub size: Option<Size>,
    pub urgency: Urgency,
    pub deliver_to: String,
    pub deliver_state: String,
    pub needed_by: Option<String>,
    pub case_id: Option<i64>,
    pub status: RequestStatus,
    pub kit: Option<Sku>,
    pub location_id: Option<LocationId>,
    pub fulfilled_by: Option<UserId>,
    pub fulfilled_at: Option<i64>,
    pub delivered_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub struct NewRequest<'a> {
    pub requested_by: UserId,
    pub org_id: OrgId,
    pub age_band: AgeBand,
    pub size: Option<Size>,
    pub urgency: Urgency,
    pub deliver_to: &'a str,
    pub deliver_state: &'a str,
    pub needed_by: Option<&'a str>,
    pub case_id: Option<i64>,
}

pub async fn insert_request<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    r: &NewRequest<'_>,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO hope_requests (requested_by, org_id, age_band, size, urgency, urgency_rank, deliver_to, \
         deliver_state, needed_by, case_id, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11, $11) RETURNING id",
    )
    .bind(r.requested_by.0)
    .bind(r.org_id.0)
    .bind(r.age_band.as_str())
    .bind(r.size.map(|s| s.as_str()))
    .bind(r.urgency.as_str())
    .bind(r.urgency.rank())
    .bind(r.deliver_to)
    .bind(r.deliver_state)
    .bind(r.needed_by)
    .bind(r.case_id)
    .bind(now)
    .fetch_one(ex)
    .await?)
}

const REQUEST_COLUMNS: &str = "id, requested_by, org_id, age_band, size, urgency, deliver_to, deliver_state, \
    needed_by, case_id, status, kit, location_id, fulfilled_by, fulfilled_at, delivered_at, created_at, updated_at";

fn unknown(column: &'static str, value: String) -> StoreError {
    StoreError::UnknownValue { column, value }
}

fn map_request(r: sqlx::any::AnyRow) -> Result<RequestRow, StoreError> {
    let band: String = r.try_get("age_band")?;
    let size: Option<String> = r.try_get("size")?;
    let urgency: String = r.try_get("urgency")?;
    let status: String = r.try_get("status")?;
    let kit: Option<String> = r.try_get("kit")?;
    Ok(RequestRow {
        id: r.try_get("id")?,
        requested_by: UserId(r.try_get("requested_by")?),
        org_id: OrgId(r.try_get("org_id")?),
        age_band: AgeBand::parse(&band).ok_or_else(|| unknown("hope_requests.age_band", band))?,
        size: size
            .map(|s| Size::parse(&s).ok_or_else(|| unknown("hope_requests.size", s)))
            .transpose()?,
        urgency: Urgency::parse(&urgency)
            .ok_or_else(|| unknown("hope_requests.urgency", urgency))?,
        deliver_to: r.try_get("deliver_to")?,
        deliver_state: r.try_get("deliver_state")?,
        needed_by: r.try_get("needed_by")?,
        case_id: r.try_get("case_id")?,
        status: RequestStatus::parse(&status)
            .ok_or_else(|| unknown("hope_requests.status", status))?,
        kit: kit.map(|k| sku("hope_requests.kit", k)).transpose()?,
        location_id: r.try_get::<Option<i64>, _>("location_id")?.map(LocationId),
        fulfilled_by: r.try_get::<Option<i64>, _>("fulfilled_by")?.map(UserId),
        fulfilled_at: r.try_get("fulfilled_at")?,
        delivered_at: r.try_get("delivered_at")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub async fn request<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    id: i64,
) -> Result<RequestRow, StoreError> {
    map_request(
        sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM hope_requests WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(ex)
        .await?,
    )
}

/// Which requests a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestFilter {
    /// Only this responder's own.
    pub requested_by: Option<UserId>,
    /// Only those still open or ready (not delivered or cancelled).
    pub active_only: bool,
}

/// Requests, open ones first, the most urgent first, then the oldest; then the others,
/// newest first.
pub async fn requests<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    f: RequestFilter,
    limit: i64,
) -> Result<Vec<RequestRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {REQUEST_COLUMNS} FROM hope_requests \
         WHERE ($1 = 0 OR requested_by = $1) AND ($2 = 0 OR status IN ('open', 'fulfilled')) \
         ORDER BY CASE status WHEN 'open' THEN 0 WHEN 'fulfilled' THEN 1 ELSE 2 END, \
         CASE WHEN status = 'open' THEN urgency_rank ELSE 0 END, \
         CASE WHEN status = 'open' THEN created_at ELSE -updated_at END, id \
         LIMIT $3"
    ))
    .bind(f.requested_by.map_or(0, |u| u.0))
    .bind(i64::from(f.active_only))
    .bind(limit)
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(map_request)
    .collect()
}

/// Marks an open request fulfilled from a location with a kit. False if it was no longer
/// open (another fulfilment won, or it was cancelled).
pub async fn mark_fulfilled(
    tx: &mut crate::Tx,
    id: i64,
    kit: &Sku,
    at: LocationId,
    by: UserId,
    now: i64,
) -> Result<bool, StoreError> {
    let n = sqlx::query(
        "UPDATE hope_requests SET status = 'fulfilled', kit = $2, location_id = $3, fulfilled_by = $4, \
         fulfilled_at = $5, updated_at = $5 WHERE id = $1 AND status = 'open'",
    )
    .bind(id)
    .bind(kit.to_string())
    .bind(at.0)
    .bind(by.0)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Moves a request from `from` to `to` (delivered after fulfilled, cancelled while
/// open). False if it was not in `from`.
pub async fn set_status(
    tx: &mut crate::Tx,
    id: i64,
    from: RequestStatus,
    to: RequestStatus,
    now: i64,
) -> Result<bool, StoreError> {
    let delivered = (to == RequestStatus::Delivered).then_some(now);
    let n = sqlx::query(
        "UPDATE hope_requests SET status = $3, delivered_at = COALESCE($4, delivered_at), updated_at = $5 \
         WHERE id = $1 AND status = $2",
    )
    .bind(id)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(delivered)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Counts by status, for the dashboard.
pub async fn request_counts<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    requested_by: Option<UserId>,
) -> Result<Vec<(RequestStatus, i64)>, StoreError> {
    sqlx::query(
        "SELECT status, COUNT(*) AS n FROM hope_requests WHERE ($1 = 0 OR requested_by = $1) \
         GROUP BY status ORDER BY status",
    )
    .bind(requested_by.map_or(0, |u| u.0))
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(|r| {
        let s: String = r.try_get("status")?;
        Ok((
            RequestStatus::parse(&s).ok_or_else(|| unknown("hope_requests.status", s))?,
            r.try_get("n")?,
        ))
    })
    .collect()
}

// ---------------------------------------------------------------------------------------
// Donations of money

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DonationRow {
    pub id: i64,
    pub tier_cents: i64,
    pub donor: String,
    pub receipt: String,
    pub received_on: String,
    pub recorded_by: Option<UserId>,
    pub created_at: i64,
}

/// Records a donation of money; a receipt number is unique.
pub async fn insert_donation<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    tier_cents: i64,
    donor: &str,
    receipt: &str,
    received_on: &str,
    by: Option<UserId>,
    now: i64,
) -> Result<i64, StoreError> {
    sqlx::query_scalar(
        "INSERT INTO hope_donations (tier_cents, donor, receipt, received_on, recorded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(tier_cents)
    .bind(donor)
    .bind(receipt)
    .bind(received_on)
    .bind(by.map(|u| u.0))
    .bind(now)
    .fetch_one(ex)
    .await
    .map_err(crate::error::conflict("a donation with that receipt number"))
}

/// The latest donations, newest first.
pub async fn donations<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    limit: i64,
) -> Result<Vec<DonationRow>, StoreError> {
    sqlx::query(
        "SELECT id, tier_cents, donor, receipt, received_on, recorded_by, created_at FROM hope_donations \
         ORDER BY received_on DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(|r| {
        Ok(DonationRow {
            id: r.try_get("id")?,
            tier_cents: r.try_get("tier_cents")?,
            donor: r.try_get("donor")?,
            receipt: r.try_get("receipt")?,
            received_on: r.try_get("received_on")?,
            recorded_by: r.try_get::<Option<i64>, _>("recorded_by")?.map(UserId),
            created_at: r.try_get("created_at")?,
        })
    })
    .collect()
}

// ---------------------------------------------------------------------------------------
// Keepers: the volunteers assigned to a location

/// A volunteer who keeps a location's stock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeeperRow {
    pub location_id: LocationId,
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
}

/// Assigns a volunteer to a location; assigning twice is a no-op (false).
pub async fn insert_keeper<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    at: LocationId,
    user: UserId,
    by: Option<UserId>,
    now: i64,
) -> Result<bool, StoreError> {
    let n = sqlx::query(
        "INSERT INTO hope_location_keepers (location_id, user_id, assigned_by, assigned_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (location_id, user_id) DO NOTHING",
    )
    .bind(at.0)
    .bind(user.0)
    .bind(by.map(|u| u.0))
    .bind(now)
    .execute(ex)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Takes a volunteer off a location; false if they were not assigned to it.
pub async fn delete_keeper<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    at: LocationId,
    user: UserId,
) -> Result<bool, StoreError> {
    let n =
        sqlx::query("DELETE FROM hope_location_keepers WHERE location_id = $1 AND user_id = $2")
            .bind(at.0)
            .bind(user.0)
            .execute(ex)
            .await?
            .rows_affected();
    Ok(n == 1)
}

/// The keepers of one location, or of all (`None`), by location and username.
pub async fn keepers<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    at: Option<LocationId>,
) -> Result<Vec<KeeperRow>, StoreError> {
    sqlx::query(
        "SELECT k.location_id, k.user_id, u.username, u.display_name FROM hope_location_keepers k \
         JOIN users u ON u.id = k.user_id WHERE ($1 = 0 OR k.location_id = $1) \
         ORDER BY k.location_id, u.username",
    )
    .bind(at.map_or(0, |l| l.0))
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(|r| {
        Ok(KeeperRow {
            location_id: LocationId(r.try_get("location_id")?),
            user_id: UserId(r.try_get("user_id")?),
            username: r.try_get("username")?,
            display_name: r.try_get("display_name")?,
        })
    })
    .collect()
}

/// The locations a user keeps.
pub async fn kept_by<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    user: UserId,
) -> Result<Vec<LocationId>, StoreError> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT location_id FROM hope_location_keepers WHERE user_id = $1 ORDER BY location_id",
    )
    .bind(user.0)
    .fetch_all(ex)
    .await?;
    Ok(ids.into_iter().map(LocationId).collect())
}

/// The users with the volunteer role who are not locked: whom a location may be given to.
pub async fn volunteers<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> Result<Vec<(UserId, String, String)>, StoreError> {
    sqlx::query(
        "SELECT id, username, display_name FROM users WHERE role = 'volunteer' ORDER BY username",
    )
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(|r| {
        Ok((
            UserId(r.try_get("id")?),
            r.try_get("username")?,
            r.try_get("display_name")?,
        ))
    })
    .collect()
}

// ---------------------------------------------------------------------------------------
// Figures for the dashboard and the reports (counts only: no request is listed)

/// Requests made, and requests fulfilled, at or after `since` (microseconds).
pub async fn counts_since<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    since: i64,
) -> Result<(i64, i64), StoreError> {
    let r = sqlx::query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN created_at >= $1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS asked, \
         CAST(COALESCE(SUM(CASE WHEN fulfilled_at >= $1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS given \
         FROM hope_requests",
    )
    .bind(since)
    .fetch_one(ex)
    .await?;
    Ok((r.try_get("asked")?, r.try_get("given")?))
}

/// One bag given: when (microseconds), the state it was delivered in and the age band.
/// Read to be counted, never shown one by one.
pub async fn bags_given<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> Result<Vec<(i64, String, AgeBand)>, StoreError> {
    sqlx::query(
        "SELECT fulfilled_at, deliver_state, age_band FROM hope_requests \
         WHERE status IN ('fulfilled', 'delivered') AND fulfilled_at IS NOT NULL",
    )
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(|r| {
        let band: String = r.try_get("age_band")?;
        Ok((
            r.try_get("fulfilled_at")?,
            r.try_get("deliver_state")?,
            AgeBand::parse(&band).ok_or_else(|| unknown("hope_requests.age_band", band))?,
        ))
    })
    .collect()
}

/// Donations of money by tier: the tier, how many and their total in cents.
pub async fn donation_totals<'e, E: Executor<'e, Database = Any>>(
    ex: E,
) -> Result<Vec<(i64, i64, i64)>, StoreError> {
    sqlx::query(
        "SELECT tier_cents, COUNT(*) AS n, CAST(SUM(tier_cents) AS BIGINT) AS total FROM hope_donations \
         GROUP BY tier_cents ORDER BY tier_cents",
    )
    .fetch_all(ex)
    .await?
    .into_iter()
    .map(|r| Ok((r.try_get("tier_cents")?, r.try_get("n")?, r.try_get("total")?)))
    .collect()
}
