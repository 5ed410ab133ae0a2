//! Open Referral's Human Services Data Specification (HSDS 3.x) as a CSV data package:
//! the one definition of the files the directory imports and exports, which `synth`
//! generates, the importer reads and every export writes.
//!
//! How the model maps onto the package:
//! - `organizations.csv`: the [`Organisation`] (`id`, `name`).
//! - `services.csv`: `id`, `organization_id`, `name`, `description`, `url` and `email`
//!   (how to refer), `status` (written `active`), `eligibility_description` (written in
//!   words, not read back), `minimum_age`, `maximum_age`, `assured_date` (last verified).
//! - `locations.csv`, `addresses.csv` (`address_1`, `city`, `region` as the county,
//!   `state_province`, `postal_code`) and `service_at_location.csv`: the [`Location`]s.
//! - `phones.csv` (`service_id`, `number`): the referral phone.
//! - `languages.csv` (`service_id`, `name`), `schedules.csv` (`service_id`,
//!   `description`: the hours in words), `service_areas.csv` (`service_id`, `name`).
//! - `taxonomies.csv`, `taxonomy_terms.csv`, `attributes.csv`: the [`Need`]s are terms of
//!   the taxonomy [`NEEDS_TAXONOMY`], linked to a service by an attribute; eligibility by
//!   sex, "survivors only" and capacity are terms of [`DIRECTORY_TAXONOMY`] whose
//!   attribute carries the `value`.
//!
//! Reading never stops at a bad row: every row it cannot take is a [`Rejected`] naming the
//! file, the line (1 is the header) and what to fix; the rest of the package is read.
//! Columns are found by their header, so extra columns and any order are accepted.

use crate::model::{
    format_date, optional_text, parse_date, Eligibility, HowToRefer, HsdsId, Location, ModelError,
    Need, Organisation, Service, SexEligibility, MAX_LONG, MAX_SHORT,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

/// A data package's files by name (`services.csv` → its bytes).
pub type Files = BTreeMap<String, Vec<u8>>;

/// The taxonomy of the directory's needs (`taxonomies.csv` id).
pub const NEEDS_TAXONOMY: &str = "clearinghouse-needs";
/// The taxonomy of the directory's other attributes: eligibility and capacity.
pub const DIRECTORY_TAXONOMY: &str = "clearinghouse-directory";
const TERM_SEX: &str = "eligible_sex";
const TERM_SURVIVORS: &str = "survivors_only";
const TERM_CAPACITY: &str = "capacity";

/// Most rows read from one file; more are reported once and not read.
pub const MAX_ROWS: usize = 1_000_000;
/// Most rejected rows reported per file; the count of the others is reported once.
const MAX_REJECTED_PER_FILE: usize = 1_000;

/// The files written, in HSDS 3's names, with their columns in HSDS 3's order.
pub const FILES: [&str; 12] = [
    "organizations.csv",
    "services.csv",
    "locations.csv",
    "addresses.csv",
    "service_at_location.csv",
    "phones.csv",
    "languages.csv",
    "schedules.csv",
    "service_areas.csv",
    "taxonomies.csv",
    "taxonomy_terms.csv",
    "attributes.csv",
];

fn columns(file: &str) -> &'static [&'static str] {
    match file {
        "organizations.csv" => &[
            "id",
            "name",
            "alternate_name",
            "description",
            "email",
            "website",
            "tax_status",
            "tax_id",
            "year_incorporated",
            "legal_status",
            "logo",
            "uri",
            "parent_organization_id",
        ],
        "services.csv" => &[
            "id",
            "organization_id",
            "program_id",
            "name",
            "alternate_name",
            "description",
            "url",
            "email",
            "status",
            "interpretation_services",
            "application_process",
            "fees_description",
            "wait_time",
            "fees",
            "accreditations",
            "eligibility_description",
            "minimum_age",
            "maximum_age",
            "assured_date",
            "assurer_email",
            "licenses",
            "alert",
            "last_modified",
        ],
        "locations.csv" => &[
            "id",
            "location_type",
            "url",
            "organization_id",
            "name",
            "alternate_name",
            "description",
            "transportation",
            "latitude",
            "longitude",
            "external_identifier",
            "external_identifier_type",
        ],
        "addresses.csv" => &[
            "id",
            "location_id",
            "attention",
            "address_1",
            "address_2",
            "city",
            "region",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ],
        "service_at_location.csv" => &["id", "service_id", "location_id", "description"],
        "phones.csv" => &[
            "id",
            "location_id",
            "service_id",
            "organization_id",
            "contact_id",
            "service_at_location_id",
            "number",
            "extension",
            "type",
            "description",
        ],
        "languages.csv" => &[
            "id",
            "service_id",
            "location_id",
            "phone_id",
            "name",
            "code",
            "note",
        ],
        "schedules.csv" => &[
            "id",
            "service_id",
            "location_id",
            "service_at_location_id",
            "valid_from",
            "valid_to",
            "dtstart",
            "timezone",
            "until",
            "count",
            "wkst",
            "freq",
            "interval",
            "byday",
            "byweekno",
            "bymonthday",
            "byyearday",
            "description",
            "opens_at",
            "closes_at",
            "schedule_link",
            "attending_type",
            "notes",
        ],
        "service_areas.csv" => &[
            "id",
            "service_id",
            "name",
            "description",
            "extent",
            "extent_type",
            "uri",
        ],
        "taxonomies.csv" => &["id", "name", "description", "uri", "version"],
        "taxonomy_terms.csv" => &[
            "id",
            "code",
            "name",
            "description",
            "parent_id",
            "taxonomy",
            "language",
            "taxonomy_id",
            "term_uri",
        ],
        "attributes.csv" => &[
            "id",
            "link_id",
            "taxonomy_term_id",
            "link_type",
            "link_entity",
            "value",
        ],
        _ => &[],
    }
}

/// A row the reader could not take, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub file: String,
    /// The line the row starts on (the header is line 1); 0 for the file as a whole.
    pub line: u64,
    pub reason: String,
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.reason)
        } else {
            write!(f, "{} line {}: {}", self.file, self.line, self.reason)
        }
    }
}

/// What a package gave: the services read, in the order of `services.csv`, and the rows
/// rejected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Read {
    pub services: Vec<Service>,
    pub rejected: Vec<Rejected>,
}

struct Row {
    line: u64,
    fields: Vec<String>,
}

struct Table {
    file: &'static str,
    index: HashMap<String, usize>,
    rows: Vec<Row>,
    /// The ids of rows rejected for their shape, so rows about them are not reported again.
    malformed: Vec<String>,
}

impl Table {
    fn get<'a>(&self, row: &'a Row, col: &str) -> &'a str {
        self.index
            .get(col)
            .and_then(|&i| row.fields.get(i))
            .map(|s| s.trim())
            .unwrap_or("")
    }
}

struct Reader {
    rejected: Vec<Rejected>,
    per_file: HashMap<&'static str, usize>,
}

impl Reader {
    fn reject(&mut self, file: &'static str, line: u64, reason: impl Into<String>) {
        let n = self.per_file.entry(file).or_default();
        *n += 1;
        if *n <= MAX_REJECTED_PER_FILE {
            self.rejected.push(Rejected {
                file: file.to_string(),
                line,
                reason: reason.into(),
            });
        }
    }

    /// Reads one file into rows; `None` when it is absent. `required` columns missing
    /// from the header reject the file as a whole.
    fn table(
        &mut self,
        files: &Files,
        file: &'static str,
        required: &[&str],
        file_required: bool,
    ) -> Option<Table> {
        let Some(bytes) = files.get(file) else {
            if file_required {
                self.reject(
                    file,
                    0,
                    format!("the package has no {file}: add it (HSDS 3 names the file so)"),
                );
            }
            return None;
        };
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(bytes);
        let header = match rdr.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                self.reject(
                    file,
                    1,
                    format!("the header cannot be read ({e}): write it as UTF-8 CSV"),
                );
                return None;
            }
        };
        let index: HashMap<String, usize> = header
            .iter()
            .enumerate()
            .map(|(i, h)| (h.trim().to_ascii_lowercase(), i))
            .collect();
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|c| !index.contains_key(*c))
            .collect();
        if !missing.is_empty() {
            self.reject(
                file,
                1,
                format!(
                    "the header lacks the column{} {}: add {} (HSDS 3 names)",
                    if missing.len() == 1 { "" } else { "s" },
                    missing.join(", "),
                    if missing.len() == 1 { "it" } else { "them" }
                ),
            );
            return None;
        }
        let mut rows = Vec::new();
        let mut malformed = Vec::new();
        let id_col = index.get("id").copied();
        let mut record = csv::StringRecord::new();
        loop {
            match rdr.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    if rows.len() >= MAX_ROWS {
                        self.reject(
                            file,
                            0,
                            format!("more than {MAX_ROWS} rows: split the package"),
                        );
                        break;
                    }
                    let line = record.position().map_or(0, |p| p.line());
                    if record.len() != header.len() {
                        self.reject(
                            file,
                            line,
                            format!(
                                "has {} fields where the header has {}: quote any field with a comma or a line break",
                                record.len(),
                                header.len()
                            ),
                        );
                        if let Some(id) = id_col.and_then(|i| record.get(i)) {
                            malformed.push(id.trim().to_string());
                        }
                        continue;
                    }
                    rows.push(Row {
                        line,
                        fields: record.iter().map(str::to_string).collect(),
                    });
                }
                Err(e) => {
                    let Some(pos) = e.position().cloned() else {
                        self.reject(file, 0, format!("cannot be read further: {e}"));
                        break;
                    };
                    let reason = match e.kind() {
                        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => format!(
                            "has {len} fields where the header has {expected_len}: quote any field with a comma"
                        ),
                        csv::ErrorKind::Utf8 { .. } => {
                            "is not UTF-8 text: save the file as UTF-8".to_string()
                        }
                        _ => format!("cannot be read ({e})"),
                    };
                    self.reject(file, pos.line(), reason);
                    if rdr.is_done() {
                        break;
                    }
                }
            }
        }
        Some(Table {
            file,
            index,
            rows,
            malformed,
        })
    }
}

struct Draft {
    line: u64,
    service: Service,
}

/// Reads an HSDS 3.x CSV data package. `organizations.csv` and `services.csv` must be
/// present; the other files are read when they are.
pub fn read_package(files: &Files) -> Read {
    let mut r = Reader {
        rejected: Vec::new(),
        per_file: HashMap::new(),
    };

    // Organisations.
    let mut orgs: HashMap<String, Organisation> = HashMap::new();
    if let Some(t) = r.table(files, "organizations.csv", &["id", "name"], true) {
        for row in &t.rows {
            let made = HsdsId::parse("id", t.get(row, "id")).and_then(|id| {
                let name = crate::model::required_text("name", t.get(row, "name"), MAX_SHORT)?;
                Ok(Organisation { id, name })
            });
            match made {
                Ok(o) if orgs.contains_key(o.id.as_str()) => r.reject(
                    t.file,
                    row.line,
                    format!(
                        "the id {} is used by an earlier row: give each organisation its own id",
                        o.id
                    ),
                ),
                Ok(o) => {
                    orgs.insert(o.id.to_string(), o);
                }
                Err(e) => r.reject(t.file, row.line, e.to_string()),
            }
        }
    }

    // Locations and their addresses.
    let mut locations: HashMap<String, Location> = HashMap::new();
    if let Some(t) = r.table(files, "locations.csv", &["id"], false) {
        for row in &t.rows {
            let made = HsdsId::parse("id", t.get(row, "id")).and_then(|id| {
                Ok(Location {
                    id,
                    name: optional_text("name", t.get(row, "name"), MAX_SHORT)?,
                    address: None,
                    city: None,
                    state: None,
                    county: None,
                    postal_code: None,
                })
            });
            match made {
                Ok(l) if locations.contains_key(l.id.as_str()) => r.reject(
                    t.file,
                    row.line,
                    format!(
                        "the id {} is used by an earlier row: give each location its own id",
                        l.id
                    ),
                ),
                Ok(l) => {
                    locations.insert(l.id.to_string(), l);
                }
                Err(e) => r.reject(t.file, row.line, e.to_string()),
            }
        }
    }
    if let Some(t) = r.table(files, "addresses.csv", &["id", "location_id"], false) {
        let mut seen: HashSet<String> = HashSet::new();
        for row in &t.rows {
            let lid = t.get(row, "location_id");
            let Some(loc) = locations.get_mut(lid) else {
                r.reject(t.file, row.line, format!("location_id '{}' is not in locations.csv: add the location or correct the id", short(lid)));
                continue;
            };
            if !seen.insert(lid.to_string()) {
                continue; // A location's first address is its address.
            }
            let f = |c: &'static str, col: &str| optional_text(c, t.get(row, col), MAX_SHORT);
            let made = (|| -> Result<_, ModelError> {
                let a1 = f("address_1", "address_1")?;
                let a2 = f("address_2", "address_2")?;
                let address = match (a1, a2) {
                    (Some(a), Some(b)) => Some(format!("{a}, {b}")),
                    (a, b) => a.or(b),
                };
                Ok((
                    address,
                    f("city", "city")?,
                    f("state_province", "state_province")?.map(|s| Location::normalise_state(&s)),
                    f("region", "region")?,
                    f("postal_code", "postal_code")?,
                ))
            })();
            match made {
                Ok((address, city, state, county, postal_code)) => {
                    loc.address = address;
                    loc.city = city;
                    loc.state = state;
                    loc.county = county;
                    loc.postal_code = postal_code;
                }
                Err(e) => r.reject(t.file, row.line, e.to_string()),
            }
        }
    }

    // Services.
    let mut drafts: Vec<Draft> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut refused: HashSet<String> = HashSet::new();
    if let Some(t) = r.table(
        files,
        "services.csv",
        &["id", "name", "organization_id"],
        true,
    ) {
        refused.extend(t.malformed.iter().cloned());
        for row in &t.rows {
            let raw_id = t.get(row, "id").to_string();
            let made = (|| -> Result<Service, String> {
                let id = HsdsId::parse("id", &raw_id).map_err(|e| e.to_string())?;
                let oid = t.get(row, "organization_id");
                let organisation = orgs.get(oid).cloned().ok_or_else(|| {
                    format!("organization_id '{}' is not in organizations.csv: add the organisation or correct the id", short(oid))
                })?;
                let e = |e: ModelError| e.to_string();
                Ok(Service {
                    id,
                    organisation,
                    name: t.get(row, "name").to_string(),
                    description: optional_text("description", t.get(row, "description"), MAX_LONG)
                        .map_err(e)?,
                    needs: Vec::new(),
                    eligibility: Eligibility {
                        min_age: Eligibility::parse_age("minimum_age", t.get(row, "minimum_age"))
                            .map_err(e)?,
                        max_age: Eligibility::parse_age("maximum_age", t.get(row, "maximum_age"))
                            .map_err(e)?,
                        sex: None,
                        survivors_only: false,
                    },
                    languages: Vec::new(),
                    locations: Vec::new(),
                    service_areas: Vec::new(),
                    hours: None,
                    how_to_refer: HowToRefer {
                        phone: None,
                        email: HowToRefer::check_email(t.get(row, "email")).map_err(e)?,
                        url: HowToRefer::check_url(t.get(row, "url")).map_err(e)?,
                    },
                    capacity: None,
                    last_verified: parse_date("assured_date", t.get(row, "assured_date"))
                        .map_err(e)?,
                })
            })();
            match made {
                Ok(s) if by_id.contains_key(s.id.as_str()) || refused.contains(s.id.as_str()) => r
                    .reject(
                        t.file,
                        row.line,
                        format!(
                            "the id {} is used by an earlier row: give each service its own id",
                            s.id
                        ),
                    ),
                Ok(s) => {
                    by_id.insert(s.id.to_string(), drafts.len());
                    drafts.push(Draft {
                        line: row.line,
                        service: s,
                    });
                }
                Err(reason) => {
                    refused.insert(raw_id);
                    r.reject(t.file, row.line, reason);
                }
            }
        }
    }

    // Rows about a service: those of a refused service are dropped quietly (its own row
    // was reported), those naming no known service are reported.
    let about = |r: &mut Reader, t: &Table, row: &Row| -> Option<usize> {
        let sid = t.get(row, "service_id");
        if let Some(&i) = by_id.get(sid) {
            return Some(i);
        }
        if !refused.contains(sid) {
            r.reject(
                t.file,
                row.line,
                format!(
                    "service_id '{}' is not in services.csv: add the service or correct the id",
                    short(sid)
                ),
            );
        }
        None
    };

    if let Some(t) = r.table(
        files,
        "service_at_location.csv",
        &["service_id", "location_id"],
        false,
    ) {
        for row in &t.rows {
            let Some(i) = about(&mut r, &t, row) else {
                continue;
            };
            let lid = t.get(row, "location_id");
            match locations.get(lid) {
                Some(l) => {
                    let s = &mut drafts[i].service;
                    if !s.locations.iter().any(|x| x.id == l.id) {
                        s.locations.push(l.clone());
                    }
                }
                None => r.reject(t.file, row.line, format!("location_id '{}' is not in locations.csv: add the location or correct the id", short(lid))),
            }
        }
    }
    if let Some(t) = r.table(files, "phones.csv", &["number"], false) {
        for row in &t.rows {
            if t.get(row, "service_id").is_empty() {
                continue; // An organisation's or a location's phone.
            }
            let Some(i) = about(&mut r, &t, row) else {
                continue;
            };
            match HowToRefer::check_phone(t.get(row, "number")) {
                Ok(p) => {
                    let h = &mut drafts[i].service.how_to_refer;
                    if h.phone.is_none() {
                        h.phone = p;
                    }
                }
                Err(e) => r.reject(t.file, row.line, e.to_string()),
            }
        }
    }
    if let Some(t) = r.table(files, "languages.csv", &["service_id"], false) {
        for row in &t.rows {
            if t.get(row, "service_id").is_empty() {
                continue;
            }
            let Some(i) = about(&mut r, &t, row) else {
                continue;
            };
            let name = match t.get(row, "name") {
                "" => t.get(row, "code"),
                n => n,
            };
            match optional_text("language", name, MAX_SHORT) {
                Ok(Some(l)) => drafts[i].service.languages.push(l),
                Ok(None) => r.reject(
                    t.file,
                    row.line,
                    "the language has no name or code: give one",
                ),
                Err(e) => r.reject(t.file, row.line, e.to_string()),
            }
        }
    }
    if let Some(t) = r.table(files, "schedules.csv", &["service_id"], false) {
        for row in &t.rows {
            if t.get(row, "service_id").is_empty() {
                continue;
            }
            let Some(i) = about(&mut r, &t, row) else {
                continue;
            };
            match optional_text("description", t.get(row, "description"), MAX_LONG) {
                Ok(Some(d)) => {
                    let h = &mut drafts[i].service.hours;
                    *h = Some(match h.take() {
                        Some(before) => format!("{before}; {d}"),
                        None => d,
                    });
                }
                Ok(None) => {}
                Err(e) => r.reject(t.file, row.line, e.to_string()),
            }
        }
    }
    if let Some(t) = r.table(files, "service_areas.csv", &["service_id"], false) {
        for row in &t.rows {
            let Some(i) = about(&mut r, &t, row) else {
                continue;
            };
            let name = match t.get(row, "name") {
                "" => t.get(row, "description"),
                n => n,
            };
            match optional_text("service area", name, MAX_SHORT) {
                Ok(Some(a)) => drafts[i].service.service_areas.push(a),
                Ok(None) => {}
                Err(e) => r.reject(t.file, row.line, e.to_string()),
            }
        }
    }

    // Taxonomy terms of ours, and the attributes linking them to services.
    enum Term {
        Need(Need),
        Sex,
        Survivors,
        Capacity,
    }
    let mut terms: HashMap<String, Term> = HashMap::new();
    if let Some(t) = r.table(files, "taxonomy_terms.csv", &["id", "code"], false) {
        for row in &t.rows {
            let taxonomy = match t.get(row, "taxonomy_id") {
                "" => t.get(row, "taxonomy"),
                x => x,
            };
            let code = t.get(row, "code");
            let term = match taxonomy {
                NEEDS_TAXONOMY => match Need::parse(code) {
                    Ok(n) => Term::Need(n),
                    Err(e) => {
                        r.reject(t.file, row.line, e.to_string());
                        continue;
                    }
                },
                DIRECTORY_TAXONOMY => match code {
                    TERM_SEX => Term::Sex,
                    TERM_SURVIVORS => Term::Survivors,
                    TERM_CAPACITY => Term::Capacity,
                    other => {
                        r.reject(t.file, row.line, format!("'{}' is not a term of {DIRECTORY_TAXONOMY} (one of: {TERM_SEX}, {TERM_SURVIVORS}, {TERM_CAPACITY})", short(other)));
                        continue;
                    }
                },
                _ => continue, // Another taxonomy's term: not the directory's to read.
            };
            terms.insert(t.get(row, "id").to_string(), term);
        }
    }
    if let Some(t) = r.table(
        files,
        "attributes.csv",
        &["link_id", "taxonomy_term_id"],
        false,
    ) {
        for row in &t.rows {
            let Some(term) = terms.get(t.get(row, "taxonomy_term_id")) else {
                continue; // A term of another taxonomy.
            };
            let entity = t.get(row, "link_entity");
            if !entity.is_empty() && entity != "service" {
                continue;
            }
            let sid = t.get(row, "link_id");
            let Some(&i) = by_id.get(sid) else {
                if !refused.contains(sid) {
                    r.reject(t.file, row.line, format!("link_id '{}' is not in services.csv: add the service or correct the id", short(sid)));
                }
                continue;
            };
            let s = &mut drafts[i].service;
            let value = t.get(row, "value");
            match term {
                Term::Need(n) => s.needs.push(*n),
                Term::Sex => match SexEligibility::parse(value) {
                    Ok(x) => s.eligibility.sex = x,
                    Err(e) => r.reject(t.file, row.line, e.to_string()),
                },
                Term::Survivors => match value.to_ascii_lowercase().as_str() {
                    "" | "true" | "yes" | "1" => s.eligibility.survivors_only = true,
                    "false" | "no" | "0" => s.eligibility.survivors_only = false,
                    other => r.reject(
                        t.file,
                        row.line,
                        format!("'{}' is not true or false", short(other)),
                    ),
                },
                Term::Capacity => match value.parse::<u32>() {
                    Ok(c) => s.capacity = Some(c),
                    Err(_) => r.reject(
                        t.file,
                        row.line,
                        ModelError::Capacity(short(value)).to_string(),
                    ),
                },
            }
        }
    }

    let mut services = Vec::with_capacity(drafts.len());
    for d in drafts {
        match d.service.check() {
            Ok(s) => services.push(s),
            Err(ModelError::NoNeeds) => r.reject(
                "services.csv",
                d.line,
                format!("the service meets no need of the directory: link it in attributes.csv to a term of taxonomy {NEEDS_TAXONOMY}"),
            ),
            Err(e) => r.reject("services.csv", d.line, e.to_string()),
        }
    }
    r.rejected.sort_by(|a, b| {
        let fa = FILES.iter().position(|f| *f == a.file);
        let fb = FILES.iter().position(|f| *f == b.file);
        fa.cmp(&fb).then(a.line.cmp(&b.line))
    });
    Read {
        services,
        rejected: r.rejected,
    }
}

fn short(s: &str) -> String {
    let mut v: String = s.chars().take(60).collect();
    if v.len() < s.len() {
        v.push('…');
    }
    v
}

struct Out {
    w: csv::Writer<Vec<u8>>,
    cols: &'static [&'static str],
}

impl Out {
    fn new(file: &str) -> Out {
        let cols = columns(file);
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        // Writing to a Vec cannot fail.
        let _ = w.write_record(cols);
        Out { w, cols }
    }
    fn row(&mut self, values: &[(&str, &str)]) {
        let rec: Vec<&str> = self
            .cols
            .iter()
            .map(|c| values.iter().find(|(k, _)| k == c).map_or("", |(_, v)| *v))
            .collect();
        let _ = self.w.write_record(&rec);
    }
    fn finish(self) -> Vec<u8> {
        self.w.into_inner().unwrap_or_default()
    }
}

/// Writes services as an HSDS 3.x CSV data package (every file of [`FILES`], with the
/// full HSDS header). Child rows' ids are derived from their service's id, so writing the
/// same services twice gives the same bytes.
pub fn write_package(services: &[Service]) -> Files {
    let mut out: BTreeMap<&'static str, Out> = FILES.iter().map(|f| (*f, Out::new(f))).collect();
    let mut orgs_seen: HashSet<&str> = HashSet::new();
    let mut locs_seen: HashSet<&str> = HashSet::new();
    let mut put = |file: &'static str, values: &[(&str, &str)]| {
        if let Some(t) = out.get_mut(file) {
            t.row(values);
        }
    };

    put("taxonomies.csv", &[
        ("id", NEEDS_TAXONOMY),
        ("name", "Clearinghouse recovery needs"),
        ("description", "What a recovery service offers a child or young person recovered from trafficking or a missing episode."),
        ("version", "1"),
    ]);
    put("taxonomies.csv", &[
        ("id", DIRECTORY_TAXONOMY),
        ("name", "Clearinghouse directory attributes"),
        ("description", "Eligibility by sex (value female or male), survivors only (value true) and capacity (value: places free)."),
        ("version", "1"),
    ]);
    for n in Need::ALL {
        let id = format!("{NEEDS_TAXONOMY}-{}", n.code());
        put(
            "taxonomy_terms.csv",
            &[
                ("id", &id),
                ("code", n.code()),
                ("name", n.label()),
                ("description", n.label()),
                ("taxonomy", NEEDS_TAXONOMY),
                ("taxonomy_id", NEEDS_TAXONOMY),
            ],
        );
    }
    for (code, name) in [
        (TERM_SEX, "Eligible sex"),
        (
            TERM_SURVIVORS,
            "Survivors of trafficking or exploitation only",
        ),
        (TERM_CAPACITY, "Places free"),
    ] {
        let id = format!("{DIRECTORY_TAXONOMY}-{code}");
        put(
            "taxonomy_terms.csv",
            &[
                ("id", &id),
                ("code", code),
                ("name", name),
                ("description", name),
                ("taxonomy", DIRECTORY_TAXONOMY),
                ("taxonomy_id", DIRECTORY_TAXONOMY),
            ],
        );
    }

    for s in services {
        let sid = s.id.as_str();
        let oid = s.organisation.id.as_str();
        if orgs_seen.insert(oid) {
            put(
                "organizations.csv",
                &[
                    ("id", oid),
                    ("name", &s.organisation.name),
                    ("description", &s.organisation.name),
                ],
            );
        }
        let min = s
            .eligibility
            .min_age
            .map(|a| a.to_string())
            .unwrap_or_default();
        let max = s
            .eligibility
            .max_age
            .map(|a| a.to_string())
            .unwrap_or_default();
        let verified = s.last_verified.map(format_date).unwrap_or_default();
        put(
            "services.csv",
            &[
                ("id", sid),
                ("organization_id", oid),
                ("name", &s.name),
                ("description", s.description.as_deref().unwrap_or("")),
                ("url", s.how_to_refer.url.as_deref().unwrap_or("")),
                ("email", s.how_to_refer.email.as_deref().unwrap_or("")),
                ("status", "active"),
                ("eligibility_description", &s.eligibility.describe()),
                ("minimum_age", &min),
                ("maximum_age", &max),
                ("assured_date", &verified),
            ],
        );
        for l in &s.locations {
            let lid = l.id.as_str();
            if locs_seen.insert(lid) {
                put(
                    "locations.csv",
                    &[
                        ("id", lid),
                        ("location_type", "physical"),
                        ("organization_id", oid),
                        ("name", l.name.as_deref().unwrap_or("")),
                    ],
                );
                if l.address.is_some()
                    || l.city.is_some()
                    || l.state.is_some()
                    || l.county.is_some()
                    || l.postal_code.is_some()
                {
                    let aid = format!("{lid}-address");
                    put(
                        "addresses.csv",
                        &[
                            ("id", &aid),
                            ("location_id", lid),
                            ("address_1", l.address.as_deref().unwrap_or("")),
                            ("city", l.city.as_deref().unwrap_or("")),
                            ("region", l.county.as_deref().unwrap_or("")),
                            ("state_province", l.state.as_deref().unwrap_or("")),
                            ("postal_code", l.postal_code.as_deref().unwrap_or("")),
                            ("country", "US"),
                            ("address_type", "physical"),
                        ],
                    );
                }
            }
            let id = format!("{sid}-at-{lid}");
            put(
                "service_at_location.csv",
                &[("id", &id), ("service_id", sid), ("location_id", lid)],
            );
        }
        if let Some(p) = &s.how_to_refer.phone {
            let id = format!("{sid}-phone");
            put(
                "phones.csv",
                &[
                    ("id", &id),
                    ("service_id", sid),
                    ("number", p),
                    ("type", "voice"),
                ],
            );
        }
        for (i, l) in s.languages.iter().enumerate() {
            let id = format!("{sid}-language-{i}");
            put(
                "languages.csv",
                &[("id", &id), ("service_id", sid), ("name", l)],
            );
        }
        if let Some(h) = &s.hours {
            let id = format!("{sid}-hours");
            put(
                "schedules.csv",
                &[("id", &id), ("service_id", sid), ("description", h)],
            );
        }
        for (i, a) in s.service_areas.iter().enumerate() {
            let id = format!("{sid}-area-{i}");
            put(
                "service_areas.csv",
                &[("id", &id), ("service_id", sid), ("name", a)],
            );
        }
        let mut attr = |term: String, value: &str, i: &mut usize| {
            let id = format!("{sid}-attribute-{i}");
            *i += 1;
            put(
                "attributes.csv",
                &[
                    ("id", &id),
                    ("link_id", sid),
                    ("taxonomy_term_id", &term),
                    ("link_type", "service"),
                    ("link_entity", "service"),
                    ("value", value),
                ],
            );
        };
        let mut i = 0;
        for n in &s.needs {
            attr(format!("{NEEDS_TAXONOMY}-{}", n.code()), "", &mut i);
        }
        if let Some(x) = s.eligibility.sex {
            attr(format!("{DIRECTORY_TAXONOMY}-{TERM_SEX}"), x.code(), &mut i);
        }
        if s.eligibility.survivors_only {
            attr(
                format!("{DIRECTORY_TAXONOMY}-{TERM_SURVIVORS}"),
                "true",
                &mut i,
            );
        }
        if let Some(c) = s.capacity {
            attr(
                format!("{DIRECTORY_TAXONOMY}-{TERM_CAPACITY}"),
                &c.to_string(),
                &mut i,
            );
        }
    }
    out.into_iter()
        .map(|(f, o)| (f.to_string(), o.finish()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HsdsId, Location, Organisation};
    use proptest::prelude::*;
    use time::Date;

    fn id(s: &str) -> HsdsId {
        HsdsId::parse("id", s).unwrap()
    }

    fn sample() -> Service {
        Service {
            id: id("svc-1"),
            organisation: Organisation {
                id: id("org-1"),
                name: "Harbour Youth Services".into(),
            },
            name: "Safe house, girls 12-17".into(),
            description: Some(
                "Beds, meals, \"advocates\", and a school liaison,\nall year.".into(),
            ),
            needs: vec![Need::ShelterHousing, Need::SurvivorMentoring],
            eligibility: Eligibility {
                min_age: Some(12),
                max_age: Some(17),
                sex: Some(SexEligibility::Female),
                survivors_only: true,
            },
            languages: vec!["English".into(), "Spanish".into()],
            locations: vec![Location {
                id: id("loc-1"),
                name: Some("Main house".into()),
                address: Some("12 Elm Street".into()),
                city: Some("Springfield".into()),
                state: Some("TX".into()),
                county: Some("Harris County".into()),
                postal_code: Some("77001".into()),
            }],
            service_areas: vec!["Harris County".into()],
            hours: Some("Open 24 hours".into()),
            how_to_refer: HowToRefer {
                phone: Some("+1 555 0100".into()),
                email: Some("intake@example.org".into()),
                url: Some("https://example.org/refer".into()),
            },
            capacity: Some(3),
            last_verified: Date::from_calendar_date(2026, time::Month::March, 1).ok(),
        }
    }

    #[test]
    fn writes_and_reads_back() {
        let files = write_package(&[sample()]);
        let read = read_package(&files);
        assert_eq!(read.rejected, vec![]);
        assert_eq!(read.services, vec![sample().check().unwrap()]);
    }

    #[test]
    fn header_is_hsds() {
        let files = write_package(&[]);
        let services = String::from_utf8(files["services.csv"].clone()).unwrap();
        assert!(services.starts_with("id,organization_id,program_id,name,"));
        assert_eq!(files.len(), FILES.len());
    }

    #[test]
    fn a_bad_row_is_named_by_file_and_line_and_the_rest_is_read() {
        let mut two = sample();
        two.id = id("svc-2");
        let mut files = write_package(&[sample(), two]);
        let text = String::from_utf8(files["services.csv"].clone()).unwrap();
        // The first service spans lines 2 and 3 (its description has a line break).
        let bad = text.replacen(",12,17,", ",twelve,17,", 1);
        files.insert("services.csv".into(), bad.into_bytes());
        let read = read_package(&files);
        assert_eq!(read.services.len(), 1);
        assert_eq!(read.services[0].id.as_str(), "svc-2");
        assert_eq!(read.rejected.len(), 1, "{:?}", read.rejected);
        let r = &read.rejected[0];
        assert_eq!((r.file.as_str(), r.line), ("services.csv", 2));
        assert!(r.to_string().contains("minimum_age 'twelve'"), "{r}");
    }

    #[test]
    fn a_row_of_the_wrong_shape_is_one_rejection_and_its_rows_go_with_it() {
        let one = Service {
            description: Some("One line".into()),
            ..sample()
        };
        let two = Service {
            id: id("svc-2"),
            ..one.clone()
        };
        let mut files = write_package(&[two, one]);
        let text = String::from_utf8(files["services.csv"].clone()).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        lines[1] = "svc-2,org-1,,Broken";
        files.insert("services.csv".into(), lines.join("\n").into_bytes());
        let read = read_package(&files);
        assert_eq!(read.services.len(), 1);
        assert_eq!(read.rejected.len(), 1, "{:?}", read.rejected);
        assert_eq!(
            read.rejected[0].to_string(),
            "services.csv line 2: has 4 fields where the header has 23: quote any field with a comma or a line break"
        );
    }

    #[test]
    fn missing_files_and_columns_are_reported() {
        let read = read_package(&Files::new());
        assert!(read.services.is_empty());
        assert_eq!(read.rejected.len(), 2);
        assert!(read.rejected[0]
            .to_string()
            .contains("no organizations.csv"));
        let mut files = write_package(&[sample()]);
        files.insert("services.csv".into(), b"id,name\nx,y\n".to_vec());
        let read = read_package(&files);
        assert!(read.rejected.iter().any(|r| r.to_string() == "services.csv line 1: the header lacks the column organization_id: add it (HSDS 3 names)"), "{:?}", read.rejected);
    }

    #[test]
    fn a_service_without_a_need_says_how_to_add_one() {
        let mut files = write_package(&[sample()]);
        files.remove("attributes.csv");
        let read = read_package(&files);
        assert!(read.services.is_empty());
        assert!(read.rejected[0].reason.contains(NEEDS_TAXONOMY));
    }

    fn text(max: usize) -> impl Strategy<Value = String> {
        proptest::string::string_regex(&format!("[A-Za-z0-9 ,.\"'\n-]{{1,{max}}}"))
            .unwrap()
            .prop_map(|s| s.trim().to_string())
            .prop_filter("not empty", |s| !s.is_empty())
    }

    fn opt(max: usize) -> impl Strategy<Value = Option<String>> {
        proptest::option::of(text(max))
    }

    fn location(n: usize) -> impl Strategy<Value = Location> {
        (
            opt(20),
            opt(30),
            opt(20),
            proptest::option::of("[A-Z]{2}"),
            opt(20),
            opt(10),
        )
            .prop_map(
                move |(name, address, city, state, county, postal_code)| Location {
                    id: id(&format!("loc-{n}")),
                    name,
                    address,
                    city,
                    state,
                    county,
                    postal_code,
                },
            )
    }

    fn service(n: usize) -> impl Strategy<Value = Service> {
        (
            (
                text(40),
                text(30),
                opt(200),
                proptest::sample::subsequence(Need::ALL.to_vec(), 1..4),
            ),
            (
                proptest::option::of(0u8..=20),
                proptest::option::of(20u8..=120),
                any::<bool>(),
                proptest::option::of(prop_oneof![
                    Just(SexEligibility::Female),
                    Just(SexEligibility::Male)
                ]),
            ),
            (
                proptest::collection::vec(text(12), 0..3),
                proptest::collection::vec(location(n), 0..3),
                proptest::collection::vec(text(20), 0..2),
                opt(40),
            ),
            (
                opt(15),
                proptest::option::of("[a-z]{1,8}@[a-z]{1,8}\\.org"),
                proptest::option::of("https://[a-z]{1,10}\\.org/[a-z]{0,5}"),
                proptest::option::of(0u32..500),
                proptest::option::of(0i32..20_000),
            ),
        )
            .prop_map(
                move |(
                    (name, org, description, needs),
                    (min_age, max_age, survivors_only, sex),
                    (languages, mut locations, service_areas, hours),
                    (phone, email, url, capacity, verified),
                )| {
                    for (i, l) in locations.iter_mut().enumerate() {
                        l.id = id(&format!("loc-{n}-{i}"));
                    }
                    Service {
                        id: id(&format!("svc-{n}")),
                        organisation: Organisation {
                            id: id(&format!("org-{n}")),
                            name: org,
                        },
                        name,
                        description,
                        needs,
                        eligibility: Eligibility {
                            min_age,
                            max_age,
                            sex,
                            survivors_only,
                        },
                        languages,
                        locations,
                        service_areas,
                        hours,
                        how_to_refer: HowToRefer { phone, email, url },
                        capacity,
                        last_verified: verified
                            .and_then(|d| Date::from_julian_day(2_450_000 + d).ok()),
                    }
                    .check()
                    .expect("generated services are valid")
                },
            )
    }

    proptest! {
        #[test]
        fn write_then_read_round_trips(services in (1usize..6).prop_flat_map(|k| (0..k).map(service).collect::<Vec<_>>())) {
            let files = write_package(&services);
            let read = read_package(&files);
            prop_assert_eq!(read.rejected, vec![]);
            prop_assert_eq!(read.services, services);
        }

        #[test]
        fn any_bytes_in_any_file_never_panic(pick in 0usize..FILES.len(), bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut files = write_package(&[sample()]);
            files.insert(FILES[pick].to_string(), bytes);
            let read = read_package(&files);
            let again = read_package(&write_package(&read.services));
            prop_assert_eq!(again.services, read.services);
        }
    }
}
