//! The typed model of a CyberTipline report and of a file's details.
//!
//! One struct per complex type of the schema, fields in schema order, named after the XSD
//! elements. Optional elements are `Option`, repeated ones `Vec`, enumerations Rust enums, and
//! lexically constrained values checked newtypes, so a value of these types is always exportable
//! as schema-valid XML. Everything derives serde so that the storage layer can keep reports as
//! JSON. Text is kept verbatim: nothing here is HTML-escaped or trimmed.

use serde::{Deserialize, Serialize};

use crate::values::{
    AddressType, AssociatedAccountType, BatchedReportReason, CountryCode, EmailType,
    FileClassification, FileRelevance, IncidentChannel, IncidentType, IpCaptureType, MetadataType,
    PhoneType, UsState, XsDate, XsDateTime,
};

/// A provider's incident report (`<report>`, sent to POST /submit).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Set when the report groups otherwise individual reports.
    pub batched_report: Option<BatchedReport>,
    pub incident_summary: IncidentSummary,
    /// Where the incident happened; one entry per channel.
    pub internet_details: Vec<InternetDetails>,
    pub law_enforcement: Option<LawEnforcement>,
    pub reporter: Reporter,
    pub persons_or_users_reported: Vec<PersonOrUserReported>,
    pub intended_recipients: Vec<IntendedRecipient>,
    pub victims: Vec<Victim>,
    pub additional_info: Option<String>,
}

/// Why this report groups others (`<batchedReport reason=...>`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchedReport {
    pub reason: BatchedReportReason,
}

/// General information on the incident (`<incidentSummary>`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncidentSummary {
    pub incident_type: IncidentType,
    /// The application where the content occurred.
    pub platform: Option<String>,
    /// The reason for escalation; present only when the provider escalates.
    pub escalate_to_high_priority: Option<String>,
    pub report_annotations: Option<ReportAnnotations>,
    pub incident_date_time: XsDateTime,
    pub incident_date_time_description: Option<String>,
}

/// Tags the provider put on the report (`<reportAnnotations>`); `false` means the tag is absent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportAnnotations {
    pub sextortion: bool,
    pub csam_solicitation: bool,
    pub minor_to_minor_interaction: bool,
    pub spam: bool,
    pub sadistic_online_exploitation: bool,
}

/// One `<internetDetails>`: exactly one kind of incident.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum InternetDetails {
    WebPage(WebPageIncident),
    Email(EmailIncident),
    Newsgroup(NewsgroupIncident),
    ChatIm(ChatImIncident),
    OnlineGaming(OnlineGamingIncident),
    CellPhone(CellPhoneIncident),
    NonInternet(NonInternetIncident),
    PeerToPeer(PeerToPeerIncident),
}

impl InternetDetails {
    /// Which channel this is.
    pub fn channel(&self) -> IncidentChannel {
        match self {
            InternetDetails::WebPage(_) => IncidentChannel::WebPage,
            InternetDetails::Email(_) => IncidentChannel::Email,
            InternetDetails::Newsgroup(_) => IncidentChannel::Newsgroup,
            InternetDetails::ChatIm(_) => IncidentChannel::ChatIm,
            InternetDetails::OnlineGaming(_) => IncidentChannel::OnlineGaming,
            InternetDetails::CellPhone(_) => IncidentChannel::CellPhone,
            InternetDetails::NonInternet(_) => IncidentChannel::NonInternet,
            InternetDetails::PeerToPeer(_) => IncidentChannel::PeerToPeer,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WebPageIncident {
    /// True if the URL is hosted by another company (attribute `thirdPartyHostedContent`).
    pub third_party_hosted_content: Option<bool>,
    pub urls: Vec<String>,
    pub additional_info: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EmailIncident {
    pub email_addresses: Vec<Email>,
    /// Headers, subject and content of the communication.
    pub content: Option<String>,
    pub additional_info: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NewsgroupIncident {
    pub name: Option<String>,
    pub email_addresses: Vec<Email>,
    pub content: Option<String>,
    pub additional_info: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChatImIncident {
    pub chat_client: Option<String>,
    pub chat_room_name: Option<String>,
    pub content: Option<String>,
    pub additional_info: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OnlineGamingIncident {
    pub game_name: Option<String>,
    pub console: Option<String>,
    pub content: Option<String>,
    pub additional_info: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CellPhoneIncident {
    pub phone_number: Option<Phone>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub additional_info: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NonInternetIncident {
    pub location_name: Option<String>,
    pub incident_addresses: Vec<Address>,
    pub additional_info: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PeerToPeerIncident {
    pub client: Option<String>,
    pub ip_capture_events: Vec<IpCaptureEvent>,
    pub file_names: Option<String>,
    pub additional_info: Option<String>,
}

/// Law-enforcement contact related to the incident (`<lawEnforcement>`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LawEnforcement {
    pub agency_name: String,
    pub case_number: Option<String>,
    pub officer_contact: Option<ContactPerson>,
    /// `<reportedToLe>`: the company reported the incident to law enforcement.
    pub reported_to_le: Option<bool>,
    pub served_legal_process_domestic: Option<bool>,
    pub served_legal_process_international: Option<LegalProcessInternational>,
}

/// `<servedLegalProcessInternational fleaCountry=...>true</...>`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LegalProcessInternational {
    pub served: bool,
    /// The country from which legal process was received.
    pub flea_country: Option<CountryCode>,
}

/// The person or organisation reporting (`<reporter>`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Reporter {
    pub reporting_person: Person,
    pub contact_person: Option<ContactPerson>,
    pub company_template: Option<String>,
    pub terms_of_service: Option<String>,
    /// `<legalURL>`.
    pub legal_url: Option<String>,
}

/// A reported person or user (`<personOrUserReported>`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonOrUserReported {
    pub person: Option<Person>,
    pub vehicle_description: Option<String>,
    pub esp_identifier: Option<String>,
    pub esp_service: Option<String>,
    pub compromised_account: Option<bool>,
    pub screen_name: Option<String>,
    pub display_names: Vec<String>,
    pub profile_urls: Vec<String>,
    pub profile_bio: Option<String>,
    pub ip_capture_events: Vec<IpCaptureEvent>,
    pub device_ids: Vec<DeviceId>,
    pub third_party_user_reported: Option<bool>,
    /// `<priorCTReports>`: earlier CyberTipline report ids.
    pub prior_ct_reports: Vec<i64>,
    pub group_identifier: Option<String>,
    pub account_temporarily_disabled: Option<AccountTemporarilyDisabled>,
    pub account_permanently_disabled: Option<AccountPermanentlyDisabled>,
    pub estimated_location: Option<EstimatedLocation>,
    pub all_emails_reported: Option<bool>,
    pub associated_accounts: Vec<AssociatedAccount>,
    pub additional_info: Option<String>,
}

/// An intended recipient (`<intendedRecipient>`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IntendedRecipient {
    pub person: Option<Person>,
    pub esp_identifier: Option<String>,
    pub esp_service: Option<String>,
    pub compromised_account: Option<bool>,
    pub screen_name: Option<String>,
    pub display_names: Vec<String>,
    pub profile_urls: Vec<String>,
    pub profile_bio: Option<String>,
    pub ip_capture_events: Vec<IpCaptureEvent>,
    pub device_ids: Vec<DeviceId>,
    pub prior_ct_reports: Vec<i64>,
    pub group_identifier: Option<String>,
    pub account_temporarily_disabled: Option<AccountTemporarilyDisabled>,
    pub account_permanently_disabled: Option<AccountPermanentlyDisabled>,
    pub estimated_location: Option<EstimatedLocation>,
    pub all_emails_reported: Option<bool>,
    /// The schema allows several here, unlike elsewhere.
    pub additional_info: Vec<String>,
}

/// A child victim (`<victim>`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Victim {
    pub person: Person,
    pub esp_identifier: Option<String>,
    pub esp_service: Option<String>,
    pub compromised_account: Option<bool>,
    pub screen_name: Option<String>,
    pub display_names: Vec<String>,
    pub profile_urls: Vec<String>,
    pub profile_bio: Option<String>,
    pub ip_capture_events: Vec<IpCaptureEvent>,
    pub device_ids: Vec<DeviceId>,
    pub school_name: Option<String>,
    pub prior_ct_reports: Vec<i64>,
    pub account_temporarily_disabled: Option<AccountTemporarilyDisabled>,
    pub account_permanently_disabled: Option<AccountPermanentlyDisabled>,
    pub estimated_location: Option<EstimatedLocation>,
    pub all_emails_reported: Option<bool>,
    pub associated_accounts: Vec<AssociatedAccount>,
    pub additional_info: Option<String>,
}

/// The schema's `person` type.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phones: Vec<Phone>,
    pub emails: Vec<Email>,
    pub addresses: Vec<Address>,
    pub age: Option<i32>,
    pub date_of_birth: Option<XsDate>,
}

/// The schema's `contactPerson` type: a person without age or birth date.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactPerson {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phones: Vec<Phone>,
    pub emails: Vec<Email>,
    pub addresses: Vec<Address>,
}

/// The schema's `address` type.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Address {
    pub address_type: Option<AddressType>,
    /// Street address.
    pub address: Option<String>,
    pub city: Option<String>,
    pub zip_code: Option<String>,
    pub state: Option<UsState>,
    pub non_usa_state: Option<String>,
    pub country: Option<CountryCode>,
}

/// An email address with its attributes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Email {
    pub address: String,
    pub email_type: Option<EmailType>,
    pub verified: Option<bool>,
    pub verification_date: Option<XsDateTime>,
}

/// A phone number with its attributes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Phone {
    pub number: String,
    pub phone_type: Option<PhoneType>,
    pub verified: Option<bool>,
    pub verification_date: Option<XsDateTime>,
    /// `+` and 1 to 3 digits (checked when parsed; build with care).
    pub country_calling_code: Option<String>,
    /// Digits only (checked when parsed; build with care).
    pub extension: Option<String>,
}

/// The provider's estimate of where a person is.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EstimatedLocation {
    pub verified: Option<bool>,
    pub timestamp: Option<XsDateTime>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub country_code: Option<CountryCode>,
}

/// An IP address and the event during which it was captured.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IpCaptureEvent {
    pub ip_address: String,
    pub event_name: Option<IpCaptureType>,
    pub date_time: Option<XsDateTime>,
    pub possible_proxy: Option<bool>,
    pub port: Option<i32>,
}

/// A device identifier (IMEI, ICCID, ...) and when it was captured.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceId {
    pub id_type: String,
    pub id_value: String,
    pub event_name: Option<IpCaptureType>,
    pub date_time: Option<XsDateTime>,
}

/// Whether and when an account was temporarily disabled.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountTemporarilyDisabled {
    pub disabled: bool,
    pub disabled_date: Option<XsDateTime>,
    pub user_notified: Option<bool>,
    pub user_notified_date: Option<XsDateTime>,
    pub reenabled_date: Option<XsDateTime>,
}

/// Whether and when an account was permanently disabled.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountPermanentlyDisabled {
    pub disabled: bool,
    pub disabled_date: Option<XsDateTime>,
    pub user_notified: Option<bool>,
    pub user_notified_date: Option<XsDateTime>,
}

/// Another account of the same person (`<associatedAccount type=...>`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssociatedAccount {
    pub account_type: AssociatedAccountType,
    pub platform: Option<AssociatedPlatform>,
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub approximate_age: Option<i32>,
    pub date_of_birth: Option<XsDate>,
    pub phones: Vec<Phone>,
    pub emails: Vec<Email>,
    pub all_emails_reported: Option<bool>,
    pub addresses: Vec<Address>,
    pub esp_service: Option<String>,
    pub esp_identifier: Option<String>,
    pub profile_urls: Vec<String>,
    pub screen_name: Option<String>,
    pub display_names: Vec<String>,
    pub profile_bio: Option<String>,
    pub group_identifier: Option<String>,
    pub compromised_account: Option<bool>,
    pub account_temporarily_disabled: Option<AccountTemporarilyDisabled>,
    pub account_permanently_disabled: Option<AccountPermanentlyDisabled>,
    pub ip_capture_events: Vec<IpCaptureEvent>,
    pub device_ids: Vec<DeviceId>,
    /// `<priorCTReport>` (singular in this type).
    pub prior_ct_reports: Vec<i64>,
    pub additional_info: Option<String>,
}

/// The platform of an associated account.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AssociatedPlatform {
    pub name: String,
    pub third_party_user: Option<bool>,
}

/// Details of one uploaded file (`<fileDetails>`, sent to POST /fileinfo).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FileDetails {
    pub report_id: i64,
    /// An `xs:token`: whitespace is collapsed when parsed.
    pub file_id: String,
    pub file_name: Option<String>,
    pub original_file_name: Option<String>,
    pub uploaded_to_esp_timestamp: Option<XsDateTime>,
    pub location_of_file: Option<String>,
    pub file_viewed_by_esp: Option<bool>,
    pub exif_viewed_by_esp: Option<bool>,
    pub publicly_available: Option<bool>,
    pub file_relevance: Option<FileRelevance>,
    /// The schema's choice between the old `potentialMeme` flag and `fileAnnotations`.
    pub tags: Option<FileTags>,
    pub industry_classification: Option<FileClassification>,
    pub original_file_hashes: Vec<FileHash>,
    /// The upload IP address.
    pub ip_capture_event: Option<IpCaptureEvent>,
    pub device_ids: Vec<DeviceId>,
    pub details: Vec<FileMetadata>,
    pub additional_info: Vec<String>,
}

/// Either `<potentialMeme>` or `<fileAnnotations>`, never both.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FileTags {
    PotentialMeme(bool),
    Annotations(FileAnnotations),
}

/// Tags on a file (`<fileAnnotations>`); `false` means the tag is absent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileAnnotations {
    pub anime_drawing_virtual_hentai: bool,
    pub potential_meme: bool,
    pub viral: bool,
    pub possible_self_production: bool,
    pub physical_harm: bool,
    pub violence_gore: bool,
    pub bestiality: bool,
    pub live_streaming: bool,
    pub infant: bool,
    pub generative_ai: bool,
}

/// The file's original hash (`<originalFileHash hashType="MD5">...`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FileHash {
    pub hash_type: String,
    pub value: String,
}

/// A block of file metadata (`<details type=...>`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FileMetadata {
    pub metadata_type: Option<MetadataType>,
    pub name_value_pairs: Vec<NameValue>,
}

/// One metadata entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NameValue {
    pub name: String,
    pub value: String,
}
