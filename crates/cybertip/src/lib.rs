//! The CyberTipline reporting API's wire format: hardened parsing, validation against the
//! official schema (`cyber_tipline.xsd`), a typed model, and export back to schema-valid XML.
//!
//! Pure: bytes in, typed values or errors out. No files, network, database or HTTP types.
//!
//! # Entry points
//! - [`parse_report`] for the body of POST /submit, [`parse_file_details`] for POST /fileinfo.
//! - [`to_xml`] and [`file_details_to_xml`] write the model back out (for forwarding).
//! - [`response_xml`], [`ReportResponse`] and [`report_done_response_xml`] build the API's
//!   response documents; [`ResponseCode`] lists the API's codes; [`Error::code`] maps a
//!   parsing failure to 4110 (malformed XML) or 4100 (validation failed).
//!
//! ```
//! use cybertip::{parse_report, to_xml, IncidentType, Limits, ResponseCode};
//!
//! let xml = br#"<report>
//!   <incidentSummary>
//!     <incidentType>Child Sex Trafficking</incidentType>
//!     <incidentDateTime>2024-05-01T13:45:00Z</incidentDateTime>
//!   </incidentSummary>
//!   <reporter><reportingPerson><lastName>Sample Person</lastName></reportingPerson></reporter>
//! </report>"#;
//! let report = parse_report(xml, &Limits::default())?;
//! assert_eq!(report.incident_summary.incident_type, IncidentType::ChildSexTrafficking);
//! assert_eq!(parse_report(to_xml(&report).as_bytes(), &Limits::default())?, report);
//!
//! let refused = parse_report(b"<!DOCTYPE r [<!ENTITY e 'x'>]><report/>", &Limits::default());
//! assert_eq!(refused.map_err(|e| e.code()), Err(ResponseCode::MalformedXml));
//! # Ok::<(), cybertip::Error>(())
//! ```
//!
//! # Design: three stages, each small enough to trust
//! 1. **Hardened mini-DOM** (`dom.rs`). `quick-xml`'s pull reader builds a tree of elements,
//!    attributes and text with byte offsets. Anything the wire format does not need is refused
//!    on sight: `<!DOCTYPE` (so no entity is ever declared: XXE and entity bombs cannot start),
//!    processing instructions, entities other than the five predefined ones, non-UTF-8 input,
//!    characters XML forbids. [`Limits`] bound size, depth, element count and attributes while
//!    reading. A tree rather than streaming validation, because the first error must name its
//!    path and because a bounded document is small; serde-based XML mapping was ruled out as it
//!    loses element order, which the schema makes significant.
//! 2. **Declarative schema, generic validator** (`schema.rs`, `validate.rs`). The XSD's types are
//!    transcribed as static Rust tables (sequences, choices, `xs:all`, occurrences, simple types,
//!    enumerations, patterns), in the XSD's order; one generic walk checks any tree against
//!    them and reports the first error with its path and what was expected. Keeping the schema as
//!    data makes it reviewable line by line against the XSD, and makes messages uniform.
//! 3. **Typed model and export** (`model.rs`, `convert.rs`, `export.rs`). A validated tree is
//!    converted into plain structs with enums and checked newtypes, deriving serde for storage.
//!    Export writes the model in schema order with escaping, so `parse(export(parse(x))) ==
//!    parse(x)` and every export validates (both are tested, the latter with `xmllint`).
//!
//! # Deliberate leniencies and strictness
//! - The annotation flags (`<sextortion/>` ...) are `fixed="true"` booleans: empty means true,
//!   as real clients write them. `false`/`0` are accepted too and mean "not set" (the XSD would
//!   reject them); the export then omits the flag, so exports stay schema-valid.
//! - `xs:double` latitude/longitude must be finite (no `INF`/`NaN`).
//! - Elements must be in no namespace, as the schema has no target namespace;
//!   `xsi:noNamespaceSchemaLocation` and `xsi:schemaLocation` attributes are tolerated.

#![forbid(unsafe_code)]

mod codes;
mod convert;
mod dom;
mod error;
mod export;
mod model;
mod schema;
mod validate;
mod values;

pub use codes::{COUNTRIES, US_STATES};

/// The official schema this crate implements, served by `GET /ispws/xsd`. A copy of
/// `shared/cybertipline/cyber_tipline.xsd`, kept in the crate so the build needs nothing
/// outside the repository (a test checks the copy is unchanged).
pub const XSD: &str = include_str!("../schema/cyber_tipline.xsd");
pub use dom::Limits;
pub use error::{Error, ResponseCode};
pub use export::{
    file_details_to_xml, report_done_response_xml, response_xml, to_xml, ReportResponse,
};
pub use model::*;
pub use values::{
    AddressType, AssociatedAccountType, BatchedReportReason, CountryCode, EmailType,
    FileClassification, FileRelevance, IncidentChannel, IncidentType, IpCaptureType, MetadataType,
    PhoneType, UsState, XsDate, XsDateTime,
};

/// Parses and validates a `<report>` document (the body of POST /submit).
///
/// Returns the first problem found: [`Error::code`] is 4110 for a document that is not
/// acceptable XML (malformed, refused construct, over the limits) and 4100 for one that breaks
/// the schema, with [`Error::path`] naming the element.
pub fn parse_report(bytes: &[u8], limits: &Limits) -> Result<Report, Error> {
    let root = dom::parse(bytes, limits)?;
    validate::validate_root(&root, "report", &schema::REPORT)?;
    convert::report(&root)
}

/// Parses and validates a `<fileDetails>` document (the body of POST /fileinfo).
pub fn parse_file_details(bytes: &[u8], limits: &Limits) -> Result<FileDetails, Error> {
    let root = dom::parse(bytes, limits)?;
    validate::validate_root(&root, "fileDetails", &schema::FILE_DETAILS)?;
    convert::file_details(&root)
}
