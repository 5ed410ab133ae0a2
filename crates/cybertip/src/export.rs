//! Export of the typed model (and of the API's response documents) as schema-valid XML.
//!
//! Elements are written in schema order, every text and attribute value escaped; only XML
//! whitespace between elements is added for indentation, never inside a text value. Line breaks
//! and tabs in attribute values and carriage returns anywhere are written as character
//! references, so that reading the output back yields exactly the same strings.

use std::fmt::Write as _;

use crate::error::ResponseCode;
use crate::model::*;
use crate::values::{collapse, XsDateTime};

/// Attribute list of one element: names with values already converted to text.
type Attrs = Vec<(&'static str, String)>;

struct Out {
    buf: String,
    depth: usize,
}

impl Out {
    fn new() -> Self {
        Out {
            buf: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
            depth: 0,
        }
    }

    fn start_tag(&mut self, name: &str, attrs: &Attrs) {
        for _ in 0..self.depth {
            self.buf.push_str("  ");
        }
        self.buf.push('<');
        self.buf.push_str(name);
        for (k, v) in attrs {
            let _ = write!(self.buf, " {k}=\"");
            escape_into(&mut self.buf, v, true);
            self.buf.push('"');
        }
    }

    fn open(&mut self, name: &str, attrs: Attrs) {
        self.start_tag(name, &attrs);
        self.buf.push_str(">\n");
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        for _ in 0..self.depth {
            self.buf.push_str("  ");
        }
        let _ = writeln!(self.buf, "</{name}>");
    }

    fn empty(&mut self, name: &str, attrs: Attrs) {
        self.start_tag(name, &attrs);
        self.buf.push_str("/>\n");
    }

    fn leaf_with(&mut self, name: &str, attrs: Attrs, text: &str) {
        self.start_tag(name, &attrs);
        self.buf.push('>');
        escape_into(&mut self.buf, text, false);
        let _ = writeln!(self.buf, "</{name}>");
    }

    fn leaf(&mut self, name: &str, text: &str) {
        self.leaf_with(name, Vec::new(), text);
    }

    fn opt(&mut self, name: &str, text: &Option<String>) {
        if let Some(t) = text {
            self.leaf(name, t);
        }
    }

    fn all(&mut self, name: &str, texts: &[String]) {
        for t in texts {
            self.leaf(name, t);
        }
    }

    fn opt_bool(&mut self, name: &str, v: Option<bool>) {
        if let Some(b) = v {
            self.leaf(name, bool_str(b));
        }
    }

    fn opt_display(&mut self, name: &str, v: Option<impl ToString>) {
        if let Some(v) = v {
            self.leaf(name, &v.to_string());
        }
    }

    fn opt_date_time(&mut self, name: &str, v: &Option<XsDateTime>) {
        if let Some(d) = v {
            self.leaf(name, d.as_str());
        }
    }

    fn flag(&mut self, name: &str, set: bool) {
        if set {
            self.leaf(name, "true");
        }
    }
}

fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

fn push_attr(attrs: &mut Attrs, name: &'static str, value: Option<impl AsRef<str>>) {
    if let Some(v) = value {
        attrs.push((name, v.as_ref().to_owned()));
    }
}

fn escape_into(buf: &mut String, s: &str, attribute: bool) {
    for c in s.chars() {
        match c {
            '&' => buf.push_str("&amp;"),
            '<' => buf.push_str("&lt;"),
            '>' => buf.push_str("&gt;"),
            '\r' => buf.push_str("&#13;"),
            '"' if attribute => buf.push_str("&quot;"),
            '\n' if attribute => buf.push_str("&#10;"),
            '\t' if attribute => buf.push_str("&#9;"),
            c => buf.push(c),
        }
    }
}

/// Writes a report as a `<report>` document that validates against the schema.
pub fn to_xml(report: &Report) -> String {
    let mut o = Out::new();
    o.open("report", Vec::new());
    if let Some(b) = &report.batched_report {
        o.empty(
            "batchedReport",
            vec![("reason", b.reason.as_xsd_str().to_owned())],
        );
    }
    incident_summary(&mut o, &report.incident_summary);
    for d in &report.internet_details {
        internet_details(&mut o, d);
    }
    if let Some(le) = &report.law_enforcement {
        law_enforcement(&mut o, le);
    }
    reporter(&mut o, &report.reporter);
    for p in &report.persons_or_users_reported {
        person_or_user_reported(&mut o, p);
    }
    for r in &report.intended_recipients {
        intended_recipient(&mut o, r);
    }
    for v in &report.victims {
        victim(&mut o, v);
    }
    o.opt("additionalInfo", &report.additional_info);
    o.close("report");
    o.buf
}

fn incident_summary(o: &mut Out, s: &IncidentSummary) {
    o.open("incidentSummary", Vec::new());
    o.leaf("incidentType", s.incident_type.as_xsd_str());
    o.opt("platform", &s.platform);
    o.opt("escalateToHighPriority", &s.escalate_to_high_priority);
    if let Some(a) = &s.report_annotations {
        if *a == ReportAnnotations::default() {
            o.empty("reportAnnotations", Vec::new());
        } else {
            o.open("reportAnnotations", Vec::new());
            o.flag("sextortion", a.sextortion);
            o.flag("csamSolicitation", a.csam_solicitation);
            o.flag("minorToMinorInteraction", a.minor_to_minor_interaction);
            o.flag("spam", a.spam);
            o.flag("sadisticOnlineExploitation", a.sadistic_online_exploitation);
            o.close("reportAnnotations");
        }
    }
    o.leaf("incidentDateTime", s.incident_date_time.as_str());
    o.opt(
        "incidentDateTimeDescription",
        &s.incident_date_time_description,
    );
    o.close("incidentSummary");
}

fn internet_details(o: &mut Out, d: &InternetDetails) {
    o.open("internetDetails", Vec::new());
    let name = d.channel().as_xsd_str();
    match d {
        InternetDetails::WebPage(w) => {
            let mut attrs = Vec::new();
            push_attr(
                &mut attrs,
                "thirdPartyHostedContent",
                w.third_party_hosted_content.map(bool_str),
            );
            o.open(name, attrs);
            o.all("url", &w.urls);
            o.opt("additionalInfo", &w.additional_info);
        }
        InternetDetails::Email(e) => {
            o.open(name, Vec::new());
            for a in &e.email_addresses {
                email(o, "emailAddress", a);
            }
            o.opt("content", &e.content);
            o.opt("additionalInfo", &e.additional_info);
        }
        InternetDetails::Newsgroup(n) => {
            o.open(name, Vec::new());
            o.opt("name", &n.name);
            for a in &n.email_addresses {
                email(o, "emailAddress", a);
            }
            o.opt("content", &n.content);
            o.opt("additionalInfo", &n.additional_info);
        }
        InternetDetails::ChatIm(c) => {
            o.open(name, Vec::new());
            o.opt("chatClient", &c.chat_client);
            o.opt("chatRoomName", &c.chat_room_name);
            o.opt("content", &c.content);
            o.opt("additionalInfo", &c.additional_info);
        }
        InternetDetails::OnlineGaming(g) => {
            o.open(name, Vec::new());
            o.opt("gameName", &g.game_name);
            o.opt("console", &g.console);
            o.opt("content", &g.content);
            o.opt("additionalInfo", &g.additional_info);
        }
        InternetDetails::CellPhone(c) => {
            o.open(name, Vec::new());
            if let Some(p) = &c.phone_number {
                phone(o, "phoneNumber", p);
            }
            o.opt_display("latitude", c.latitude);
            o.opt_display("longitude", c.longitude);
            o.opt("additionalInfo", &c.additional_info);
        }
        InternetDetails::NonInternet(n) => {
            o.open(name, Vec::new());
            o.opt("locationName", &n.location_name);
            for a in &n.incident_addresses {
                address(o, "incidentAddress", a);
            }
            o.opt("additionalInfo", &n.additional_info);
        }
        InternetDetails::PeerToPeer(p) => {
            o.open(name, Vec::new());
            o.opt("client", &p.client);
            for e in &p.ip_capture_events {
                ip_capture_event(o, e);
            }
            o.opt("fileNames", &p.file_names);
            o.opt("additionalInfo", &p.additional_info);
        }
    }
    o.close(name);
    o.close("internetDetails");
}

fn law_enforcement(o: &mut Out, le: &LawEnforcement) {
    o.open("lawEnforcement", Vec::new());
    o.leaf("agencyName", &le.agency_name);
    o.opt("caseNumber", &le.case_number);
    if let Some(c) = &le.officer_contact {
        contact_person(o, "officerContact", c);
    }
    o.opt_bool("reportedToLe", le.reported_to_le);
    o.opt_bool(
        "servedLegalProcessDomestic",
        le.served_legal_process_domestic,
    );
    if let Some(i) = &le.served_legal_process_international {
        let mut attrs = Vec::new();
        push_attr(
            &mut attrs,
            "fleaCountry",
            i.flea_country.as_ref().map(|c| c.as_str()),
        );
        o.leaf_with("servedLegalProcessInternational", attrs, bool_str(i.served));
    }
    o.close("lawEnforcement");
}

fn reporter(o: &mut Out, r: &Reporter) {
    o.open("reporter", Vec::new());
    person(o, "reportingPerson", &r.reporting_person);
    if let Some(c) = &r.contact_person {
        contact_person(o, "contactPerson", c);
    }
    o.opt("companyTemplate", &r.company_template);
    o.opt("termsOfService", &r.terms_of_service);
    o.opt("legalURL", &r.legal_url);
    o.close("reporter");
}

fn person_or_user_reported(o: &mut Out, p: &PersonOrUserReported) {
    o.open("personOrUserReported", Vec::new());
    if let Some(x) = &p.person {
        person(o, "personOrUserReportedPerson", x);
    }
    o.opt("vehicleDescription", &p.vehicle_description);
    o.opt("espIdentifier", &p.esp_identifier);
    o.opt("espService", &p.esp_service);
    o.opt_bool("compromisedAccount", p.compromised_account);
    o.opt("screenName", &p.screen_name);
    o.all("displayName", &p.display_names);
    o.all("profileUrl", &p.profile_urls);
    o.opt("profileBio", &p.profile_bio);
    for e in &p.ip_capture_events {
        ip_capture_event(o, e);
    }
    for d in &p.device_ids {
        device_id(o, d);
    }
    o.opt_bool("thirdPartyUserReported", p.third_party_user_reported);
    for id in &p.prior_ct_reports {
        o.leaf("priorCTReports", &id.to_string());
    }
    o.opt("groupIdentifier", &p.group_identifier);
    account_status(
        o,
        &p.account_temporarily_disabled,
        &p.account_permanently_disabled,
    );
    if let Some(l) = &p.estimated_location {
        estimated_location(o, l);
    }
    o.opt_bool("allEmailsReported", p.all_emails_reported);
    for a in &p.associated_accounts {
        associated_account(o, a);
    }
    o.opt("additionalInfo", &p.additional_info);
    o.close("personOrUserReported");
}

fn intended_recipient(o: &mut Out, r: &IntendedRecipient) {
    o.open("intendedRecipient", Vec::new());
    if let Some(x) = &r.person {
        person(o, "intendedRecipientPerson", x);
    }
    o.opt("espIdentifier", &r.esp_identifier);
    o.opt("espService", &r.esp_service);
    o.opt_bool("compromisedAccount", r.compromised_account);
    o.opt("screenName", &r.screen_name);
    o.all("displayName", &r.display_names);
    o.all("profileUrl", &r.profile_urls);
    o.opt("profileBio", &r.profile_bio);
    for e in &r.ip_capture_events {
        ip_capture_event(o, e);
    }
    for d in &r.device_ids {
        device_id(o, d);
    }
    for id in &r.prior_ct_reports {
        o.leaf("priorCTReports", &id.to_string());
    }
    o.opt("groupIdentifier", &r.group_identifier);
    account_status(
        o,
        &r.account_temporarily_disabled,
        &r.account_permanently_disabled,
    );
    if let Some(l) = &r.estimated_location {
        estimated_location(o, l);
    }
    o.opt_bool("allEmailsReported", r.all_emails_reported);
    o.all("additionalInfo", &r.additional_info);
    o.close("intendedRecipient");
}

fn victim(o: &mut Out, v: &Victim) {
    o.open("victim", Vec::new());
    person(o, "victimPerson", &v.person);
    o.opt("espIdentifier", &v.esp_identifier);
    o.opt("espService", &v.esp_service);
    o.opt_bool("compromisedAccount", v.compromised_account);
    o.opt("screenName", &v.screen_name);
    o.all("displayName", &v.display_names);
    o.all("profileUrl", &v.profile_urls);
    o.opt("profileBio", &v.profile_bio);
    for e in &v.ip_capture_events {
        ip_capture_event(o, e);
    }
    for d in &v.device_ids {
        device_id(o, d);
    }
    o.opt("schoolName", &v.school_name);
    for id in &v.prior_ct_reports {
        o.leaf("priorCTReports", &id.to_string());
    }
    account_status(
        o,
        &v.account_temporarily_disabled,
        &v.account_permanently_disabled,
    );
    if let Some(l) = &v.estimated_location {
        estimated_location(o, l);
    }
    o.opt_bool("allEmailsReported", v.all_emails_reported);
    for a in &v.associated_accounts {
        associated_account(o, a);
    }
    o.opt("additionalInfo", &v.additional_info);
    o.close("victim");
}

fn person(o: &mut Out, name: &str, p: &Person) {
    o.open(name, Vec::new());
    o.opt("firstName", &p.first_name);
    o.opt("lastName", &p.last_name);
    for x in &p.phones {
        phone(o, "phone", x);
    }
    for x in &p.emails {
        email(o, "email", x);
    }
    for x in &p.addresses {
        address(o, "address", x);
    }
    o.opt_display("age", p.age);
    if let Some(d) = &p.date_of_birth {
        o.leaf("dateOfBirth", d.as_str());
    }
    o.close(name);
}

fn contact_person(o: &mut Out, name: &str, p: &ContactPerson) {
    o.open(name, Vec::new());
    o.opt("firstName", &p.first_name);
    o.opt("lastName", &p.last_name);
    for x in &p.phones {
        phone(o, "phone", x);
    }
    for x in &p.emails {
        email(o, "email", x);
    }
    for x in &p.addresses {
        address(o, "address", x);
    }
    o.close(name);
}

fn address(o: &mut Out, name: &str, a: &Address) {
    let mut attrs = Vec::new();
    push_attr(&mut attrs, "type", a.address_type.map(|t| t.as_xsd_str()));
    o.open(name, attrs);
    o.opt("address", &a.address);
    o.opt("city", &a.city);
    o.opt("zipCode", &a.zip_code);
    if let Some(s) = &a.state {
        o.leaf("state", s.as_str());
    }
    o.opt("nonUsaState", &a.non_usa_state);
    if let Some(c) = &a.country {
        o.leaf("country", c.as_str());
    }
    o.close(name);
}

fn email(o: &mut Out, name: &str, e: &Email) {
    let mut attrs = Vec::new();
    push_attr(&mut attrs, "type", e.email_type.map(|t| t.as_xsd_str()));
    push_attr(&mut attrs, "verified", e.verified.map(bool_str));
    push_attr(
        &mut attrs,
        "verificationDate",
        e.verification_date.as_ref().map(|d| d.as_str()),
    );
    o.leaf_with(name, attrs, &e.address);
}

fn phone(o: &mut Out, name: &str, p: &Phone) {
    let mut attrs = Vec::new();
    push_attr(&mut attrs, "type", p.phone_type.map(|t| t.as_xsd_str()));
    push_attr(&mut attrs, "verified", p.verified.map(bool_str));
    push_attr(
        &mut attrs,
        "verificationDate",
        p.verification_date.as_ref().map(|d| d.as_str()),
    );
    push_attr(
        &mut attrs,
        "countryCallingCode",
        p.country_calling_code.as_ref(),
    );
    push_attr(&mut attrs, "extension", p.extension.as_ref());
    o.leaf_with(name, attrs, &p.number);
}

fn estimated_location(o: &mut Out, l: &EstimatedLocation) {
    let mut attrs = Vec::new();
    push_attr(&mut attrs, "verified", l.verified.map(bool_str));
    push_attr(
        &mut attrs,
        "timestamp",
        l.timestamp.as_ref().map(|d| d.as_str()),
    );
    o.open("estimatedLocation", attrs);
    o.opt("city", &l.city);
    o.opt("region", &l.region);
    if let Some(c) = &l.country_code {
        o.leaf("countryCode", c.as_str());
    }
    o.close("estimatedLocation");
}

fn ip_capture_event(o: &mut Out, e: &IpCaptureEvent) {
    o.open("ipCaptureEvent", Vec::new());
    o.leaf("ipAddress", &e.ip_address);
    o.opt_display("eventName", e.event_name);
    o.opt_date_time("dateTime", &e.date_time);
    o.opt_bool("possibleProxy", e.possible_proxy);
    o.opt_display("port", e.port);
    o.close("ipCaptureEvent");
}

fn device_id(o: &mut Out, d: &DeviceId) {
    o.open("deviceId", Vec::new());
    o.leaf("idType", &d.id_type);
    o.leaf("idValue", &d.id_value);
    o.opt_display("eventName", d.event_name);
    o.opt_date_time("dateTime", &d.date_time);
    o.close("deviceId");
}

fn account_status(
    o: &mut Out,
    temporarily: &Option<AccountTemporarilyDisabled>,
    permanently: &Option<AccountPermanentlyDisabled>,
) {
    if let Some(t) = temporarily {
        let mut attrs = Vec::new();
        push_attr(
            &mut attrs,
            "disabledDate",
            t.disabled_date.as_ref().map(|d| d.as_str()),
        );
        push_attr(&mut attrs, "userNotified", t.user_notified.map(bool_str));
        push_attr(
            &mut attrs,
            "userNotifiedDate",
            t.user_notified_date.as_ref().map(|d| d.as_str()),
        );
        push_attr(
            &mut attrs,
            "reenabledDate",
            t.reenabled_date.as_ref().map(|d| d.as_str()),
        );
        o.leaf_with("accountTemporarilyDisabled", attrs, bool_str(t.disabled));
    }
    if let Some(p) = permanently {
        let mut attrs = Vec::new();
        push_attr(
            &mut attrs,
            "disabledDate",
            p.disabled_date.as_ref().map(|d| d.as_str()),
        );
        push_attr(&mut attrs, "userNotified", p.user_notified.map(bool_str));
        push_attr(
            &mut attrs,
            "userNotifiedDate",
            p.user_notified_date.as_ref().map(|d| d.as_str()),
        );
        o.leaf_with("accountPermanentlyDisabled", attrs, bool_str(p.disabled));
    }
}

fn associated_account(o: &mut Out, a: &AssociatedAccount) {
    o.open(
        "associatedAccount",
        vec![("type", a.account_type.as_xsd_str().to_owned())],
    );
    if let Some(p) = &a.platform {
        let mut attrs = Vec::new();
        push_attr(
            &mut attrs,
            "thirdPartyUser",
            p.third_party_user.map(bool_str),
        );
        o.leaf_with("platform", attrs, &p.name);
    }
    o.opt("firstName", &a.first_name);
    o.opt("middleName", &a.middle_name);
    o.opt("lastName", &a.last_name);
    o.opt_display("approximateAge", a.approximate_age);
    if let Some(d) = &a.date_of_birth {
        o.leaf("dateOfBirth", d.as_str());
    }
    for x in &a.phones {
        phone(o, "phone", x);
    }
    for x in &a.emails {
        email(o, "email", x);
    }
    o.opt_bool("allEmailsReported", a.all_emails_reported);
    for x in &a.addresses {
        address(o, "address", x);
    }
    o.opt("espService", &a.esp_service);
    o.opt("espIdentifier", &a.esp_identifier);
    o.all("profileUrl", &a.profile_urls);
    o.opt("screenName", &a.screen_name);
    o.all("displayName", &a.display_names);
    o.opt("profileBio", &a.profile_bio);
    o.opt("groupIdentifier", &a.group_identifier);
    o.opt_bool("compromisedAccount", a.compromised_account);
    account_status(
        o,
        &a.account_temporarily_disabled,
        &a.account_permanently_disabled,
    );
    for e in &a.ip_capture_events {
        ip_capture_event(o, e);
    }
    for d in &a.device_ids {
        device_id(o, d);
    }
    for id in &a.prior_ct_reports {
        o.leaf("priorCTReport", &id.to_string());
    }
    o.opt("additionalInfo", &a.additional_info);
    o.close("associatedAccount");
}

/// Writes a file's details as a `<fileDetails>` document that validates against the schema.
pub fn file_details_to_xml(f: &FileDetails) -> String {
    let mut o = Out::new();
    o.open("fileDetails", Vec::new());
    o.leaf("reportId", &f.report_id.to_string());
    o.leaf("fileId", &collapse(&f.file_id));
    o.opt("fileName", &f.file_name);
    o.opt("originalFileName", &f.original_file_name);
    o.opt_date_time("uploadedToEspTimestamp", &f.uploaded_to_esp_timestamp);
    o.opt("locationOfFile", &f.location_of_file);
    o.opt_bool("fileViewedByEsp", f.file_viewed_by_esp);
    o.opt_bool("exifViewedByEsp", f.exif_viewed_by_esp);
    o.opt_bool("publiclyAvailable", f.publicly_available);
    o.opt_display("fileRelevance", f.file_relevance);
    match &f.tags {
        Some(FileTags::PotentialMeme(b)) => o.leaf("potentialMeme", bool_str(*b)),
        Some(FileTags::Annotations(a)) if *a == FileAnnotations::default() => {
            o.empty("fileAnnotations", Vec::new());
        }
        Some(FileTags::Annotations(a)) => {
            o.open("fileAnnotations", Vec::new());
            o.flag("animeDrawingVirtualHentai", a.anime_drawing_virtual_hentai);
            o.flag("potentialMeme", a.potential_meme);
            o.flag("viral", a.viral);
            o.flag("possibleSelfProduction", a.possible_self_production);
            o.flag("physicalHarm", a.physical_harm);
            o.flag("violenceGore", a.violence_gore);
            o.flag("bestiality", a.bestiality);
            o.flag("liveStreaming", a.live_streaming);
            o.flag("infant", a.infant);
            o.flag("generativeAi", a.generative_ai);
            o.close("fileAnnotations");
        }
        None => {}
    }
    o.opt_display("industryClassification", f.industry_classification);
    for h in &f.original_file_hashes {
        o.leaf_with(
            "originalFileHash",
            vec![("hashType", h.hash_type.clone())],
            &h.value,
        );
    }
    if let Some(e) = &f.ip_capture_event {
        ip_capture_event(&mut o, e);
    }
    for d in &f.device_ids {
        device_id(&mut o, d);
    }
    for d in &f.details {
        let mut attrs = Vec::new();
        push_attr(&mut attrs, "type", d.metadata_type.map(|t| t.as_xsd_str()));
        o.open("details", attrs);
        for p in &d.name_value_pairs {
            o.open("nameValuePair", Vec::new());
            o.leaf("name", &p.name);
            o.leaf("value", &p.value);
            o.close("nameValuePair");
        }
        o.close("details");
    }
    o.all("additionalInfo", &f.additional_info);
    o.close("fileDetails");
    o.buf
}

/// The `<reportResponse>` the API returns for submit, upload, fileinfo, retract and status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportResponse {
    pub code: ResponseCode,
    /// Empty on success, as the schema's documentation asks.
    pub description: String,
    pub report_id: Option<i64>,
    /// An `xs:token`; whitespace is collapsed when written.
    pub file_id: Option<String>,
    /// The MD5 of an uploaded file.
    pub hash: Option<String>,
}

impl ReportResponse {
    /// The response document.
    pub fn to_xml(&self) -> String {
        let mut o = Out::new();
        o.open("reportResponse", Vec::new());
        o.leaf("responseCode", &self.code.as_u32().to_string());
        o.leaf("responseDescription", &self.description);
        o.opt_display("reportId", self.report_id);
        o.opt_display("fileId", self.file_id.as_deref().map(collapse));
        o.opt_display("hash", self.hash.as_deref().map(collapse));
        o.close("reportResponse");
        o.buf
    }
}

/// A `<reportResponse>` with a code, a description and, if known, the report and file ids.
pub fn response_xml(
    code: ResponseCode,
    description: &str,
    report_id: Option<i64>,
    file_id: Option<&str>,
) -> String {
    ReportResponse {
        code,
        description: description.to_owned(),
        report_id,
        file_id: file_id.map(str::to_owned),
        hash: None,
    }
    .to_xml()
}

/// The `<reportDoneResponse>` returned by POST /finish: the code, the report id and the ids of
/// the files received.
pub fn report_done_response_xml(code: ResponseCode, report_id: i64, file_ids: &[String]) -> String {
    let mut o = Out::new();
    o.open("reportDoneResponse", Vec::new());
    o.leaf("responseCode", &code.as_u32().to_string());
    o.leaf("reportId", &report_id.to_string());
    if file_ids.is_empty() {
        o.empty("files", Vec::new());
    } else {
        o.open("files", Vec::new());
        o.all("fileId", file_ids);
        o.close("files");
    }
    o.close("reportDoneResponse");
    o.buf
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dom::{parse, Limits};
    use crate::schema;
    use crate::validate::validate_root;

    #[test]
    fn responses_validate_and_escape() {
        let xml = response_xml(
            ResponseCode::ValidationFailed,
            "invalid at /report: <x> & \"y\"",
            Some(42),
            Some(" file  7 "),
        );
        assert!(xml.contains("<responseCode>4100</responseCode>"));
        assert!(xml.contains("&lt;x&gt; &amp; \"y\""));
        assert!(xml.contains("<fileId>file 7</fileId>"));
        let dom = parse(xml.as_bytes(), &Limits::default()).expect("well-formed");
        assert_eq!(
            validate_root(&dom, "reportResponse", &schema::REPORT_RESPONSE),
            Ok(())
        );

        let done = report_done_response_xml(ResponseCode::Success, 7, &["a".into(), "b".into()]);
        let dom = parse(done.as_bytes(), &Limits::default()).expect("well-formed");
        assert_eq!(
            validate_root(&dom, "reportDoneResponse", &schema::REPORT_DONE_RESPONSE),
            Ok(())
        );
        let empty = report_done_response_xml(ResponseCode::Success, 7, &[]);
        assert!(empty.contains("<files/>"));
    }

    #[test]
    fn attribute_whitespace_survives_escaping() {
        let mut s = String::new();
        escape_into(&mut s, "a\tb\nc\rd\"", true);
        assert_eq!(s, "a&#9;b&#10;c&#13;d&quot;");
    }
}
