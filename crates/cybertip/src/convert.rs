//! Conversion of a validated mini-DOM into the typed model.
//!
//! Runs only after `validate.rs` accepted the tree, so every lookup here is expected to succeed;
//! failures are still reported as errors rather than panics, naming the element, in case the
//! tables and this file ever drift apart.

use crate::dom::Element;
use crate::error::Error;
use crate::model::*;
use crate::values::{
    collapse, parse_bool, parse_f64, parse_i32, parse_i64, AddressType, AssociatedAccountType,
    BatchedReportReason, CountryCode, EmailType, FileClassification, FileRelevance, IncidentType,
    IpCaptureType, MetadataType, PhoneType, UsState, XsDate, XsDateTime,
};

type R<T> = Result<T, Error>;

fn bad(el: &Element, what: &str) -> Error {
    Error::invalid(&format!("<{}> at byte {}", el.name, el.offset), what)
}

/// Converts one element's text or attribute with `f`, naming the element on failure.
fn conv<T>(el: &Element, text: &str, what: &str, f: impl Fn(&str) -> Option<T>) -> R<T> {
    f(text).ok_or_else(|| bad(el, what))
}

fn text_of(el: &Element, name: &str) -> Option<String> {
    el.child(name).map(|c| c.text.clone())
}

fn texts_of(el: &Element, name: &str) -> Vec<String> {
    el.children_named(name).map(|c| c.text.clone()).collect()
}

fn required<'a>(el: &'a Element, name: &str) -> R<&'a Element> {
    el.child(name)
        .ok_or_else(|| bad(el, &format!("missing <{name}>")))
}

fn opt_with<T>(el: &Element, name: &str, f: impl Fn(&Element) -> R<T>) -> R<Option<T>> {
    el.child(name).map(f).transpose()
}

fn all_with<T>(el: &Element, name: &str, f: impl Fn(&Element) -> R<T>) -> R<Vec<T>> {
    el.children_named(name).map(f).collect()
}

fn boolean(el: &Element, name: &str) -> R<Option<bool>> {
    opt_with(el, name, |c| conv(c, &c.text, "boolean", parse_bool))
}

fn int(el: &Element, name: &str) -> R<Option<i32>> {
    opt_with(el, name, |c| conv(c, &c.text, "int", parse_i32))
}

fn longs(el: &Element, name: &str) -> R<Vec<i64>> {
    all_with(el, name, |c| conv(c, &c.text, "long", parse_i64))
}

fn date_time(el: &Element, name: &str) -> R<Option<XsDateTime>> {
    opt_with(el, name, |c| {
        conv(c, &c.text, "dateTime", XsDateTime::parse)
    })
}

fn date(el: &Element, name: &str) -> R<Option<XsDate>> {
    opt_with(el, name, |c| conv(c, &c.text, "date", XsDate::parse))
}

fn latlong(el: &Element, name: &str) -> R<Option<f64>> {
    opt_with(el, name, |c| conv(c, &c.text, "double", parse_f64))
}

fn enum_child<T>(el: &Element, name: &str, f: fn(&str) -> Option<T>) -> R<Option<T>> {
    opt_with(el, name, |c| conv(c, &c.text, "enumeration value", f))
}

fn attr_with<T>(el: &Element, name: &str, f: impl Fn(&str) -> Option<T>) -> R<Option<T>> {
    el.attribute(name)
        .map(|v| conv(el, v, &format!("attribute {name}"), f))
        .transpose()
}

fn attr_bool(el: &Element, name: &str) -> R<Option<bool>> {
    attr_with(el, name, parse_bool)
}

fn attr_date_time(el: &Element, name: &str) -> R<Option<XsDateTime>> {
    attr_with(el, name, XsDateTime::parse)
}

/// An annotation flag: present and not `false`/`0` (empty means true: the fixed value).
fn flag(el: &Element, name: &str) -> bool {
    el.child(name)
        .is_some_and(|c| c.text.trim().is_empty() || parse_bool(&c.text).unwrap_or(false))
}

pub(crate) fn report(el: &Element) -> R<Report> {
    Ok(Report {
        batched_report: opt_with(el, "batchedReport", |b| {
            Ok(BatchedReport {
                reason: attr_with(b, "reason", BatchedReportReason::from_xsd_str)?
                    .ok_or_else(|| bad(b, "missing reason"))?,
            })
        })?,
        incident_summary: incident_summary(required(el, "incidentSummary")?)?,
        internet_details: all_with(el, "internetDetails", internet_details)?,
        law_enforcement: opt_with(el, "lawEnforcement", law_enforcement)?,
        reporter: reporter(required(el, "reporter")?)?,
        persons_or_users_reported: all_with(el, "personOrUserReported", person_or_user_reported)?,
        intended_recipients: all_with(el, "intendedRecipient", intended_recipient)?,
        victims: all_with(el, "victim", victim)?,
        additional_info: text_of(el, "additionalInfo"),
    })
}

fn incident_summary(el: &Element) -> R<IncidentSummary> {
    let t = required(el, "incidentType")?;
    let dt = required(el, "incidentDateTime")?;
    Ok(IncidentSummary {
        incident_type: conv(t, &t.text, "incident type", IncidentType::from_xsd_str)?,
        platform: text_of(el, "platform"),
        escalate_to_high_priority: text_of(el, "escalateToHighPriority"),
        report_annotations: el.child("reportAnnotations").map(|a| ReportAnnotations {
            sextortion: flag(a, "sextortion"),
            csam_solicitation: flag(a, "csamSolicitation"),
            minor_to_minor_interaction: flag(a, "minorToMinorInteraction"),
            spam: flag(a, "spam"),
            sadistic_online_exploitation: flag(a, "sadisticOnlineExploitation"),
        }),
        incident_date_time: conv(dt, &dt.text, "dateTime", XsDateTime::parse)?,
        incident_date_time_description: text_of(el, "incidentDateTimeDescription"),
    })
}

fn internet_details(el: &Element) -> R<InternetDetails> {
    let Some(inner) = el.children.first() else {
        return Err(bad(el, "empty internetDetails"));
    };
    let e = inner;
    Ok(match inner.name.as_str() {
        "webPageIncident" => InternetDetails::WebPage(WebPageIncident {
            third_party_hosted_content: attr_bool(e, "thirdPartyHostedContent")?,
            urls: texts_of(e, "url"),
            additional_info: text_of(e, "additionalInfo"),
        }),
        "emailIncident" => InternetDetails::Email(EmailIncident {
            email_addresses: all_with(e, "emailAddress", email)?,
            content: text_of(e, "content"),
            additional_info: text_of(e, "additionalInfo"),
        }),
        "newsgroupIncident" => InternetDetails::Newsgroup(NewsgroupIncident {
            name: text_of(e, "name"),
            email_addresses: all_with(e, "emailAddress", email)?,
            content: text_of(e, "content"),
            additional_info: text_of(e, "additionalInfo"),
        }),
        "chatImIncident" => InternetDetails::ChatIm(ChatImIncident {
            chat_client: text_of(e, "chatClient"),
            chat_room_name: text_of(e, "chatRoomName"),
            content: text_of(e, "content"),
            additional_info: text_of(e, "additionalInfo"),
        }),
        "onlineGamingIncident" => InternetDetails::OnlineGaming(OnlineGamingIncident {
            game_name: text_of(e, "gameName"),
            console: text_of(e, "console"),
            content: text_of(e, "content"),
            additional_info: text_of(e, "additionalInfo"),
        }),
        "cellPhoneIncident" => InternetDetails::CellPhone(CellPhoneIncident {
            phone_number: opt_with(e, "phoneNumber", phone)?,
            latitude: latlong(e, "latitude")?,
            longitude: latlong(e, "longitude")?,
            additional_info: text_of(e, "additionalInfo"),
        }),
        "nonInternetIncident" => InternetDetails::NonInternet(NonInternetIncident {
            location_name: text_of(e, "locationName"),
            incident_addresses: all_with(e, "incidentAddress", address)?,
            additional_info: text_of(e, "additionalInfo"),
        }),
        "peer2peerIncident" => InternetDetails::PeerToPeer(PeerToPeerIncident {
            client: text_of(e, "client"),
            ip_capture_events: all_with(e, "ipCaptureEvent", ip_capture_event)?,
            file_names: text_of(e, "fileNames"),
            additional_info: text_of(e, "additionalInfo"),
        }),
        _ => return Err(bad(inner, "unknown incident kind")),
    })
}

fn law_enforcement(el: &Element) -> R<LawEnforcement> {
    Ok(LawEnforcement {
        agency_name: required(el, "agencyName")?.text.clone(),
        case_number: text_of(el, "caseNumber"),
        officer_contact: opt_with(el, "officerContact", contact_person)?,
        reported_to_le: boolean(el, "reportedToLe")?,
        served_legal_process_domestic: boolean(el, "servedLegalProcessDomestic")?,
        served_legal_process_international: opt_with(el, "servedLegalProcessInternational", |s| {
            Ok(LegalProcessInternational {
                served: conv(s, &s.text, "boolean", parse_bool)?,
                flea_country: attr_with(s, "fleaCountry", CountryCode::parse)?,
            })
        })?,
    })
}

fn reporter(el: &Element) -> R<Reporter> {
    Ok(Reporter {
        reporting_person: person(required(el, "reportingPerson")?)?,
        contact_person: opt_with(el, "contactPerson", contact_person)?,
        company_template: text_of(el, "companyTemplate"),
        terms_of_service: text_of(el, "termsOfService"),
        legal_url: text_of(el, "legalURL"),
    })
}

fn person_or_user_reported(el: &Element) -> R<PersonOrUserReported> {
    Ok(PersonOrUserReported {
        person: opt_with(el, "personOrUserReportedPerson", person)?,
        vehicle_description: text_of(el, "vehicleDescription"),
        esp_identifier: text_of(el, "espIdentifier"),
        esp_service: text_of(el, "espService"),
        compromised_account: boolean(el, "compromisedAccount")?,
        screen_name: text_of(el, "screenName"),
        display_names: texts_of(el, "displayName"),
        profile_urls: texts_of(el, "profileUrl"),
        profile_bio: text_of(el, "profileBio"),
        ip_capture_events: all_with(el, "ipCaptureEvent", ip_capture_event)?,
        device_ids: all_with(el, "deviceId", device_id)?,
        third_party_user_reported: boolean(el, "thirdPartyUserReported")?,
        prior_ct_reports: longs(el, "priorCTReports")?,
        group_identifier: text_of(el, "groupIdentifier"),
        account_temporarily_disabled: opt_with(el, "accountTemporarilyDisabled", temp_disabled)?,
        account_permanently_disabled: opt_with(el, "accountPermanentlyDisabled", perm_disabled)?,
        estimated_location: opt_with(el, "estimatedLocation", estimated_location)?,
        all_emails_reported: boolean(el, "allEmailsReported")?,
        associated_accounts: all_with(el, "associatedAccount", associated_account)?,
        additional_info: text_of(el, "additionalInfo"),
    })
}

fn intended_recipient(el: &Element) -> R<IntendedRecipient> {
    Ok(IntendedRecipient {
        person: opt_with(el, "intendedRecipientPerson", person)?,
        esp_identifier: text_of(el, "espIdentifier"),
        esp_service: text_of(el, "espService"),
        compromised_account: boolean(el, "compromisedAccount")?,
        screen_name: text_of(el, "screenName"),
        display_names: texts_of(el, "displayName"),
        profile_urls: texts_of(el, "profileUrl"),
        profile_bio: text_of(el, "profileBio"),
        ip_capture_events: all_with(el, "ipCaptureEvent", ip_capture_event)?,
        device_ids: all_with(el, "deviceId", device_id)?,
        prior_ct_reports: longs(el, "priorCTReports")?,
        group_identifier: text_of(el, "groupIdentifier"),
        account_temporarily_disabled: opt_with(el, "accountTemporarilyDisabled", temp_disabled)?,
        account_permanently_disabled: opt_with(el, "accountPermanentlyDisabled", perm_disabled)?,
        estimated_location: opt_with(el, "estimatedLocation", estimated_location)?,
        all_emails_reported: boolean(el, "allEmailsReported")?,
        additional_info: texts_of(el, "additionalInfo"),
    })
}

fn victim(el: &Element) -> R<Victim> {
    Ok(Victim {
        person: person(required(el, "victimPerson")?)?,
        esp_identifier: text_of(el, "espIdentifier"),
        esp_service: text_of(el, "espService"),
        compromised_account: boolean(el, "compromisedAccount")?,
        screen_name: text_of(el, "screenName"),
        display_names: texts_of(el, "displayName"),
        profile_urls: texts_of(el, "profileUrl"),
        profile_bio: text_of(el, "profileBio"),
        ip_capture_events: all_with(el, "ipCaptureEvent", ip_capture_event)?,
        device_ids: all_with(el, "deviceId", device_id)?,
        school_name: text_of(el, "schoolName"),
        prior_ct_reports: longs(el, "priorCTReports")?,
        account_temporarily_disabled: opt_with(el, "accountTemporarilyDisabled", temp_disabled)?,
        account_permanently_disabled: opt_with(el, "accountPermanentlyDisabled", perm_disabled)?,
        estimated_location: opt_with(el, "estimatedLocation", estimated_location)?,
        all_emails_reported: boolean(el, "allEmailsReported")?,
        associated_accounts: all_with(el, "associatedAccount", associated_account)?,
        additional_info: text_of(el, "additionalInfo"),
    })
}

fn person(el: &Element) -> R<Person> {
    Ok(Person {
        first_name: text_of(el, "firstName"),
        last_name: text_of(el, "lastName"),
        phones: all_with(el, "phone", phone)?,
        emails: all_with(el, "email", email)?,
        addresses: all_with(el, "address", address)?,
        age: int(el, "age")?,
        date_of_birth: date(el, "dateOfBirth")?,
    })
}

fn contact_person(el: &Element) -> R<ContactPerson> {
    Ok(ContactPerson {
        first_name: text_of(el, "firstName"),
        last_name: text_of(el, "lastName"),
        phones: all_with(el, "phone", phone)?,
        emails: all_with(el, "email", email)?,
        addresses: all_with(el, "address", address)?,
    })
}

fn address(el: &Element) -> R<Address> {
    Ok(Address {
        address_type: attr_with(el, "type", AddressType::from_xsd_str)?,
        address: text_of(el, "address"),
        city: text_of(el, "city"),
        zip_code: text_of(el, "zipCode"),
        state: enum_child(el, "state", UsState::parse)?,
        non_usa_state: text_of(el, "nonUsaState"),
        country: enum_child(el, "country", CountryCode::parse)?,
    })
}

fn email(el: &Element) -> R<Email> {
    Ok(Email {
        address: el.text.clone(),
        email_type: attr_with(el, "type", EmailType::from_xsd_str)?,
        verified: attr_bool(el, "verified")?,
        verification_date: attr_date_time(el, "verificationDate")?,
    })
}

fn phone(el: &Element) -> R<Phone> {
    Ok(Phone {
        number: el.text.clone(),
        phone_type: attr_with(el, "type", PhoneType::from_xsd_str)?,
        verified: attr_bool(el, "verified")?,
        verification_date: attr_date_time(el, "verificationDate")?,
        country_calling_code: el.attribute("countryCallingCode").map(str::to_owned),
        extension: el.attribute("extension").map(str::to_owned),
    })
}

fn estimated_location(el: &Element) -> R<EstimatedLocation> {
    Ok(EstimatedLocation {
        verified: attr_bool(el, "verified")?,
        timestamp: attr_date_time(el, "timestamp")?,
        city: text_of(el, "city"),
        region: text_of(el, "region"),
        country_code: enum_child(el, "countryCode", CountryCode::parse)?,
    })
}

fn ip_capture_event(el: &Element) -> R<IpCaptureEvent> {
    Ok(IpCaptureEvent {
        ip_address: required(el, "ipAddress")?.text.clone(),
        event_name: enum_child(el, "eventName", IpCaptureType::from_xsd_str)?,
        date_time: date_time(el, "dateTime")?,
        possible_proxy: boolean(el, "possibleProxy")?,
        port: int(el, "port")?,
    })
}

fn device_id(el: &Element) -> R<DeviceId> {
    Ok(DeviceId {
        id_type: required(el, "idType")?.text.clone(),
        id_value: required(el, "idValue")?.text.clone(),
        event_name: enum_child(el, "eventName", IpCaptureType::from_xsd_str)?,
        date_time: date_time(el, "dateTime")?,
    })
}

fn temp_disabled(el: &Element) -> R<AccountTemporarilyDisabled> {
    Ok(AccountTemporarilyDisabled {
        disabled: conv(el, &el.text, "boolean", parse_bool)?,
        disabled_date: attr_date_time(el, "disabledDate")?,
        user_notified: attr_bool(el, "userNotified")?,
        user_notified_date: attr_date_time(el, "userNotifiedDate")?,
        reenabled_date: attr_date_time(el, "reenabledDate")?,
    })
}

fn perm_disabled(el: &Element) -> R<AccountPermanentlyDisabled> {
    Ok(AccountPermanentlyDisabled {
        disabled: conv(el, &el.text, "boolean", parse_bool)?,
        disabled_date: attr_date_time(el, "disabledDate")?,
        user_notified: attr_bool(el, "userNotified")?,
        user_notified_date: attr_date_time(el, "userNotifiedDate")?,
    })
}

fn associated_account(el: &Element) -> R<AssociatedAccount> {
    Ok(AssociatedAccount {
        account_type: attr_with(el, "type", AssociatedAccountType::from_xsd_str)?
            .ok_or_else(|| bad(el, "missing type"))?,
        platform: opt_with(el, "platform", |p| {
            Ok(AssociatedPlatform {
                name: p.text.clone(),
                third_party_user: attr_bool(p, "thirdPartyUser")?,
            })
        })?,
        first_name: text_of(el, "firstName"),
        middle_name: text_of(el, "middleName"),
        last_name: text_of(el, "lastName"),
        approximate_age: int(el, "approximateAge")?,
        date_of_birth: date(el, "dateOfBirth")?,
        phones: all_with(el, "phone", phone)?,
        emails: all_with(el, "email", email)?,
        all_emails_reported: boolean(el, "allEmailsReported")?,
        addresses: all_with(el, "address", address)?,
        esp_service: text_of(el, "espService"),
        esp_identifier: text_of(el, "espIdentifier"),
        profile_urls: texts_of(el, "profileUrl"),
        screen_name: text_of(el, "screenName"),
        display_names: texts_of(el, "displayName"),
        profile_bio: text_of(el, "profileBio"),
        group_identifier: text_of(el, "groupIdentifier"),
        compromised_account: boolean(el, "compromisedAccount")?,
        account_temporarily_disabled: opt_with(el, "accountTemporarilyDisabled", temp_disabled)?,
        account_permanently_disabled: opt_with(el, "accountPermanentlyDisabled", perm_disabled)?,
        ip_capture_events: all_with(el, "ipCaptureEvent", ip_capture_event)?,
        device_ids: all_with(el, "deviceId", device_id)?,
        prior_ct_reports: longs(el, "priorCTReport")?,
        additional_info: text_of(el, "additionalInfo"),
    })
}

pub(crate) fn file_details(el: &Element) -> R<FileDetails> {
    let id = required(el, "reportId")?;
    let tags = if let Some(m) = el.child("potentialMeme") {
        Some(FileTags::PotentialMeme(conv(
            m, &m.text, "boolean", parse_bool,
        )?))
    } else {
        el.child("fileAnnotations").map(|a| {
            FileTags::Annotations(FileAnnotations {
                anime_drawing_virtual_hentai: flag(a, "animeDrawingVirtualHentai"),
                potential_meme: flag(a, "potentialMeme"),
                viral: flag(a, "viral"),
                possible_self_production: flag(a, "possibleSelfProduction"),
                physical_harm: flag(a, "physicalHarm"),
                violence_gore: flag(a, "violenceGore"),
                bestiality: flag(a, "bestiality"),
                live_streaming: flag(a, "liveStreaming"),
                infant: flag(a, "infant"),
                generative_ai: flag(a, "generativeAi"),
            })
        })
    };
    Ok(FileDetails {
        report_id: conv(id, &id.text, "long", parse_i64)?,
        file_id: collapse(&required(el, "fileId")?.text),
        file_name: text_of(el, "fileName"),
        original_file_name: text_of(el, "originalFileName"),
        uploaded_to_esp_timestamp: date_time(el, "uploadedToEspTimestamp")?,
        location_of_file: text_of(el, "locationOfFile"),
        file_viewed_by_esp: boolean(el, "fileViewedByEsp")?,
        exif_viewed_by_esp: boolean(el, "exifViewedByEsp")?,
        publicly_available: boolean(el, "publiclyAvailable")?,
        file_relevance: enum_child(el, "fileRelevance", FileRelevance::from_xsd_str)?,
        tags,
        industry_classification: enum_child(
            el,
            "industryClassification",
            FileClassification::from_xsd_str,
        )?,
        original_file_hashes: all_with(el, "originalFileHash", |h| {
            Ok(FileHash {
                hash_type: h
                    .attribute("hashType")
                    .ok_or_else(|| bad(h, "missing hashType"))?
                    .to_owned(),
                value: h.text.clone(),
            })
        })?,
        ip_capture_event: opt_with(el, "ipCaptureEvent", ip_capture_event)?,
        device_ids: all_with(el, "deviceId", device_id)?,
        details: all_with(el, "details", |d| {
            Ok(FileMetadata {
                metadata_type: attr_with(d, "type", MetadataType::from_xsd_str)?,
                name_value_pairs: all_with(d, "nameValuePair", |p| {
                    Ok(NameValue {
                        name: required(p, "name")?.text.clone(),
                        value: required(p, "value")?.text.clone(),
                    })
                })?,
            })
        })?,
        additional_info: texts_of(el, "additionalInfo"),
    })
}
