//! The schema `cyber_tipline.xsd` written down as Rust tables.
//!
//! Each complex type is a [`Type`]: its attributes and its content (text of a simple type, an
//! `xs:sequence` of particles, an `xs:all`, or nothing). A particle is an element with its
//! occurrences or an `xs:choice` of elements, which is all the schema uses. `validate.rs` walks a
//! document against these tables generically, so following a change of the schema is a change
//! here, in the same order as the XSD, and nowhere else in validation.

use crate::values::{
    is_calling_code, is_digits, AddressType, AssociatedAccountType, BatchedReportReason, EmailType,
    FileClassification, FileRelevance, IncidentType, IpCaptureType, MetadataType, PhoneType,
};

/// A simple type: what text (of an element or attribute) may be.
#[derive(Debug)]
pub(crate) enum Simple {
    /// `xs:string` and the schema's string-based types: anything.
    String,
    /// `xs:token`: anything; whitespace is collapsed when read.
    Token,
    Boolean,
    /// A boolean declared `fixed="true"`: the flags of the annotation lists. Empty means true.
    FixedTrue,
    Int,
    Long,
    /// `xs:double`, limited to finite numbers (latitude and longitude).
    Double,
    Date,
    DateTime,
    Enum(&'static [&'static str]),
    /// A long code list (countries, states) kept with names in `codes.rs`.
    Codes {
        type_name: &'static str,
        table: &'static [(&'static str, &'static str)],
    },
    Pattern {
        type_name: &'static str,
        pattern: &'static str,
        check: fn(&str) -> bool,
    },
}

#[derive(Debug)]
pub(crate) struct Attr {
    pub name: &'static str,
    pub ty: Simple,
    pub required: bool,
}

#[derive(Debug)]
pub(crate) enum Content {
    Simple(Simple),
    Sequence(&'static [Particle]),
    All(&'static [Child]),
    Empty,
}

#[derive(Debug)]
pub(crate) struct Type {
    pub attrs: &'static [Attr],
    pub content: Content,
}

#[derive(Debug)]
pub(crate) struct Child {
    pub name: &'static str,
    pub ty: &'static Type,
    pub min: u32,
    /// `None` is `maxOccurs="unbounded"`.
    pub max: Option<u32>,
}

#[derive(Debug)]
pub(crate) enum Particle {
    El(Child),
    Choice(&'static [Child]),
}

const fn one(name: &'static str, ty: &'static Type) -> Child {
    Child {
        name,
        ty,
        min: 1,
        max: Some(1),
    }
}
const fn opt(name: &'static str, ty: &'static Type) -> Child {
    Child {
        name,
        ty,
        min: 0,
        max: Some(1),
    }
}
const fn many(name: &'static str, ty: &'static Type) -> Child {
    Child {
        name,
        ty,
        min: 0,
        max: None,
    }
}
const fn some(name: &'static str, ty: &'static Type) -> Child {
    Child {
        name,
        ty,
        min: 1,
        max: None,
    }
}
const fn attr(name: &'static str, ty: Simple) -> Attr {
    Attr {
        name,
        ty,
        required: false,
    }
}
const fn required_attr(name: &'static str, ty: Simple) -> Attr {
    Attr {
        name,
        ty,
        required: true,
    }
}
const fn simple(ty: Simple) -> Type {
    Type {
        attrs: &[],
        content: Content::Simple(ty),
    }
}
const fn seq(particles: &'static [Particle]) -> Type {
    Type {
        attrs: &[],
        content: Content::Sequence(particles),
    }
}

use Particle::El;

// Built-in and trivially derived simple types. `text`, `content` and `screenName` are
// `xs:string` extensions without attributes, so they share STRING.
pub(crate) static STRING: Type = simple(Simple::String);
pub(crate) static TOKEN: Type = simple(Simple::Token);
pub(crate) static BOOLEAN: Type = simple(Simple::Boolean);
pub(crate) static FIXED_TRUE: Type = simple(Simple::FixedTrue);
pub(crate) static INT: Type = simple(Simple::Int);
pub(crate) static LONG: Type = simple(Simple::Long);
pub(crate) static LATLONG: Type = simple(Simple::Double);
pub(crate) static DATE: Type = simple(Simple::Date);
pub(crate) static DATE_TIME: Type = simple(Simple::DateTime);

const fn enumeration(values: &'static [&'static str]) -> Simple {
    Simple::Enum(values)
}
const COUNTRY: Simple = Simple::Codes {
    type_name: "country",
    table: crate::codes::COUNTRIES,
};
const STATE: Simple = Simple::Codes {
    type_name: "state",
    table: crate::codes::US_STATES,
};
const IP_CAPTURE_TYPE: Simple = enumeration(IpCaptureType::XSD_VALUES);

static INCIDENT_TYPE: Type = simple(enumeration(IncidentType::XSD_VALUES));
static COUNTRY_T: Type = simple(COUNTRY);
static STATE_T: Type = simple(STATE);
static IP_CAPTURE_TYPE_T: Type = simple(IP_CAPTURE_TYPE);
static FILE_RELEVANCE: Type = simple(enumeration(FileRelevance::XSD_VALUES));
static FILE_CLASSIFICATION: Type = simple(enumeration(FileClassification::XSD_VALUES));

static BATCHED_REPORT: Type = Type {
    attrs: &[required_attr(
        "reason",
        enumeration(BatchedReportReason::XSD_VALUES),
    )],
    content: Content::Empty,
};

static REPORT_ANNOTATIONS: Type = Type {
    attrs: &[],
    content: Content::All(&[
        opt("sextortion", &FIXED_TRUE),
        opt("csamSolicitation", &FIXED_TRUE),
        opt("minorToMinorInteraction", &FIXED_TRUE),
        opt("spam", &FIXED_TRUE),
        opt("sadisticOnlineExploitation", &FIXED_TRUE),
    ]),
};

pub(crate) static INCIDENT_SUMMARY: Type = seq(&[
    El(one("incidentType", &INCIDENT_TYPE)),
    El(opt("platform", &STRING)),
    El(opt("escalateToHighPriority", &STRING)),
    El(opt("reportAnnotations", &REPORT_ANNOTATIONS)),
    El(one("incidentDateTime", &DATE_TIME)),
    El(opt("incidentDateTimeDescription", &STRING)),
]);

static EMAIL: Type = Type {
    attrs: &[
        attr("type", enumeration(EmailType::XSD_VALUES)),
        attr("verified", Simple::Boolean),
        attr("verificationDate", Simple::DateTime),
    ],
    content: Content::Simple(Simple::String),
};

static PHONE: Type = Type {
    attrs: &[
        attr("type", enumeration(PhoneType::XSD_VALUES)),
        attr("verified", Simple::Boolean),
        attr("verificationDate", Simple::DateTime),
        attr(
            "countryCallingCode",
            Simple::Pattern {
                type_name: "phoneCountryCallingCode",
                pattern: "\\+[0-9]{1,3}",
                check: is_calling_code,
            },
        ),
        attr(
            "extension",
            Simple::Pattern {
                type_name: "phoneExtension",
                pattern: "[0-9]+",
                check: is_digits,
            },
        ),
    ],
    content: Content::Simple(Simple::String),
};

static ADDRESS: Type = Type {
    attrs: &[attr("type", enumeration(AddressType::XSD_VALUES))],
    content: Content::Sequence(&[
        El(opt("address", &STRING)),
        El(opt("city", &STRING)),
        El(opt("zipCode", &STRING)),
        El(opt("state", &STATE_T)),
        El(opt("nonUsaState", &STRING)),
        El(opt("country", &COUNTRY_T)),
    ]),
};

static PERSON: Type = seq(&[
    El(opt("firstName", &STRING)),
    El(opt("lastName", &STRING)),
    El(many("phone", &PHONE)),
    El(many("email", &EMAIL)),
    El(many("address", &ADDRESS)),
    El(opt("age", &INT)),
    El(opt("dateOfBirth", &DATE)),
]);

static CONTACT_PERSON: Type = seq(&[
    El(opt("firstName", &STRING)),
    El(opt("lastName", &STRING)),
    El(many("phone", &PHONE)),
    El(many("email", &EMAIL)),
    El(many("address", &ADDRESS)),
]);

static IP_CAPTURE_EVENT: Type = seq(&[
    El(one("ipAddress", &STRING)),
    El(opt("eventName", &IP_CAPTURE_TYPE_T)),
    El(opt("dateTime", &DATE_TIME)),
    El(opt("possibleProxy", &BOOLEAN)),
    El(opt("port", &INT)),
]);

static DEVICE_ID: Type = seq(&[
    El(one("idType", &STRING)),
    El(one("idValue", &STRING)),
    El(opt("eventName", &IP_CAPTURE_TYPE_T)),
    El(opt("dateTime", &DATE_TIME)),
]);

static WEB_PAGE_INCIDENT: Type = Type {
    attrs: &[attr("thirdPartyHostedContent", Simple::Boolean)],
    content: Content::Sequence(&[El(many("url", &STRING)), El(opt("additionalInfo", &STRING))]),
};

static EMAIL_INCIDENT: Type = seq(&[
    El(many("emailAddress", &EMAIL)),
    El(opt("content", &STRING)),
    El(opt("additionalInfo", &STRING)),
]);

static NEWSGROUP_INCIDENT: Type = seq(&[
    El(opt("name", &STRING)),
    El(many("emailAddress", &EMAIL)),
    El(opt("content", &STRING)),
    El(opt("additionalInfo", &STRING)),
]);

static CHAT_IM_INCIDENT: Type = seq(&[
    El(opt("chatClient", &STRING)),
    El(opt("chatRoomName", &STRING)),
    El(opt("content", &STRING)),
    El(opt("additionalInfo", &STRING)),
]);

static ONLINE_GAMING_INCIDENT: Type = seq(&[
    El(opt("gameName", &STRING)),
    El(opt("console", &STRING)),
    El(opt("content", &STRING)),
    El(opt("additionalInfo", &STRING)),
]);

static CELL_PHONE_INCIDENT: Type = seq(&[
    El(opt("phoneNumber", &PHONE)),
    El(opt("latitude", &LATLONG)),
    El(opt("longitude", &LATLONG)),
    El(opt("additionalInfo", &STRING)),
]);

static NON_INTERNET_INCIDENT: Type = seq(&[
    El(opt("locationName", &STRING)),
    El(many("incidentAddress", &ADDRESS)),
    El(opt("additionalInfo", &STRING)),
]);

static PEER2PEER_INCIDENT: Type = seq(&[
    El(opt("client", &STRING)),
    El(many("ipCaptureEvent", &IP_CAPTURE_EVENT)),
    El(opt("fileNames", &STRING)),
    El(opt("additionalInfo", &STRING)),
]);

static INTERNET_DETAILS: Type = seq(&[Particle::Choice(&[
    one("webPageIncident", &WEB_PAGE_INCIDENT),
    one("emailIncident", &EMAIL_INCIDENT),
    one("newsgroupIncident", &NEWSGROUP_INCIDENT),
    one("chatImIncident", &CHAT_IM_INCIDENT),
    one("onlineGamingIncident", &ONLINE_GAMING_INCIDENT),
    one("cellPhoneIncident", &CELL_PHONE_INCIDENT),
    one("nonInternetIncident", &NON_INTERNET_INCIDENT),
    one("peer2peerIncident", &PEER2PEER_INCIDENT),
])]);

static SERVED_LEGAL_PROCESS_INTERNATIONAL: Type = Type {
    attrs: &[attr("fleaCountry", COUNTRY)],
    content: Content::Simple(Simple::Boolean),
};

static LAW_ENFORCEMENT: Type = seq(&[
    El(one("agencyName", &STRING)),
    El(opt("caseNumber", &STRING)),
    El(opt("officerContact", &CONTACT_PERSON)),
    El(opt("reportedToLe", &BOOLEAN)),
    El(opt("servedLegalProcessDomestic", &BOOLEAN)),
    El(opt(
        "servedLegalProcessInternational",
        &SERVED_LEGAL_PROCESS_INTERNATIONAL,
    )),
]);

static REPORTER: Type = seq(&[
    El(one("reportingPerson", &PERSON)),
    El(opt("contactPerson", &CONTACT_PERSON)),
    El(opt("companyTemplate", &STRING)),
    El(opt("termsOfService", &STRING)),
    El(opt("legalURL", &STRING)),
]);

static ACCOUNT_TEMPORARILY_DISABLED: Type = Type {
    attrs: &[
        attr("disabledDate", Simple::DateTime),
        attr("userNotified", Simple::Boolean),
        attr("userNotifiedDate", Simple::DateTime),
        attr("reenabledDate", Simple::DateTime),
    ],
    content: Content::Simple(Simple::Boolean),
};

static ACCOUNT_PERMANENTLY_DISABLED: Type = Type {
    attrs: &[
        attr("disabledDate", Simple::DateTime),
        attr("userNotified", Simple::Boolean),
        attr("userNotifiedDate", Simple::DateTime),
    ],
    content: Content::Simple(Simple::Boolean),
};

static ESTIMATED_LOCATION: Type = Type {
    attrs: &[
        attr("verified", Simple::Boolean),
        attr("timestamp", Simple::DateTime),
    ],
    content: Content::Sequence(&[
        El(opt("city", &STRING)),
        El(opt("region", &STRING)),
        El(opt("countryCode", &COUNTRY_T)),
    ]),
};

static ASSOCIATED_PLATFORM: Type = Type {
    attrs: &[attr("thirdPartyUser", Simple::Boolean)],
    content: Content::Simple(Simple::String),
};

static ASSOCIATED_ACCOUNT: Type = Type {
    attrs: &[required_attr(
        "type",
        enumeration(AssociatedAccountType::XSD_VALUES),
    )],
    content: Content::Sequence(&[
        El(opt("platform", &ASSOCIATED_PLATFORM)),
        El(opt("firstName", &STRING)),
        El(opt("middleName", &STRING)),
        El(opt("lastName", &STRING)),
        El(opt("approximateAge", &INT)),
        El(opt("dateOfBirth", &DATE)),
        El(many("phone", &PHONE)),
        El(many("email", &EMAIL)),
        El(opt("allEmailsReported", &BOOLEAN)),
        El(many("address", &ADDRESS)),
        El(opt("espService", &STRING)),
        El(opt("espIdentifier", &STRING)),
        El(many("profileUrl", &STRING)),
        El(opt("screenName", &STRING)),
        El(many("displayName", &STRING)),
        El(opt("profileBio", &STRING)),
        El(opt("groupIdentifier", &STRING)),
        El(opt("compromisedAccount", &BOOLEAN)),
        El(opt(
            "accountTemporarilyDisabled",
            &ACCOUNT_TEMPORARILY_DISABLED,
        )),
        El(opt(
            "accountPermanentlyDisabled",
            &ACCOUNT_PERMANENTLY_DISABLED,
        )),
        El(many("ipCaptureEvent", &IP_CAPTURE_EVENT)),
        El(many("deviceId", &DEVICE_ID)),
        El(many("priorCTReport", &LONG)),
        El(opt("additionalInfo", &STRING)),
    ]),
};

static PERSON_OR_USER_REPORTED: Type = seq(&[
    El(opt("personOrUserReportedPerson", &PERSON)),
    El(opt("vehicleDescription", &STRING)),
    El(opt("espIdentifier", &STRING)),
    El(opt("espService", &STRING)),
    El(opt("compromisedAccount", &BOOLEAN)),
    El(opt("screenName", &STRING)),
    El(many("displayName", &STRING)),
    El(many("profileUrl", &STRING)),
    El(opt("profileBio", &STRING)),
    El(many("ipCaptureEvent", &IP_CAPTURE_EVENT)),
    El(many("deviceId", &DEVICE_ID)),
    El(opt("thirdPartyUserReported", &BOOLEAN)),
    El(many("priorCTReports", &LONG)),
    El(opt("groupIdentifier", &STRING)),
    El(opt(
        "accountTemporarilyDisabled",
        &ACCOUNT_TEMPORARILY_DISABLED,
    )),
    El(opt(
        "accountPermanentlyDisabled",
        &ACCOUNT_PERMANENTLY_DISABLED,
    )),
    El(opt("estimatedLocation", &ESTIMATED_LOCATION)),
    El(opt("allEmailsReported", &BOOLEAN)),
    El(many("associatedAccount", &ASSOCIATED_ACCOUNT)),
    El(opt("additionalInfo", &STRING)),
]);

static INTENDED_RECIPIENT: Type = seq(&[
    El(opt("intendedRecipientPerson", &PERSON)),
    El(opt("espIdentifier", &STRING)),
    El(opt("espService", &STRING)),
    El(opt("compromisedAccount", &BOOLEAN)),
    El(opt("screenName", &STRING)),
    El(many("displayName", &STRING)),
    El(many("profileUrl", &STRING)),
    El(opt("profileBio", &STRING)),
    El(many("ipCaptureEvent", &IP_CAPTURE_EVENT)),
    El(many("deviceId", &DEVICE_ID)),
    El(many("priorCTReports", &LONG)),
    El(opt("groupIdentifier", &STRING)),
    El(opt(
        "accountTemporarilyDisabled",
        &ACCOUNT_TEMPORARILY_DISABLED,
    )),
    El(opt(
        "accountPermanentlyDisabled",
        &ACCOUNT_PERMANENTLY_DISABLED,
    )),
    El(opt("estimatedLocation", &ESTIMATED_LOCATION)),
    El(opt("allEmailsReported", &BOOLEAN)),
    El(many("additionalInfo", &STRING)),
]);

static VICTIM: Type = seq(&[
    El(one("victimPerson", &PERSON)),
    El(opt("espIdentifier", &STRING)),
    El(opt("espService", &STRING)),
    El(opt("compromisedAccount", &BOOLEAN)),
    El(opt("screenName", &STRING)),
    El(many("displayName", &STRING)),
    El(many("profileUrl", &STRING)),
    El(opt("profileBio", &STRING)),
    El(many("ipCaptureEvent", &IP_CAPTURE_EVENT)),
    El(many("deviceId", &DEVICE_ID)),
    El(opt("schoolName", &STRING)),
    El(many("priorCTReports", &LONG)),
    El(opt(
        "accountTemporarilyDisabled",
        &ACCOUNT_TEMPORARILY_DISABLED,
    )),
    El(opt(
        "accountPermanentlyDisabled",
        &ACCOUNT_PERMANENTLY_DISABLED,
    )),
    El(opt("estimatedLocation", &ESTIMATED_LOCATION)),
    El(opt("allEmailsReported", &BOOLEAN)),
    El(many("associatedAccount", &ASSOCIATED_ACCOUNT)),
    El(opt("additionalInfo", &STRING)),
]);

/// The `report` element (POST /submit).
pub(crate) static REPORT: Type = seq(&[
    El(opt("batchedReport", &BATCHED_REPORT)),
    El(one("incidentSummary", &INCIDENT_SUMMARY)),
    El(many("internetDetails", &INTERNET_DETAILS)),
    El(opt("lawEnforcement", &LAW_ENFORCEMENT)),
    El(one("reporter", &REPORTER)),
    El(many("personOrUserReported", &PERSON_OR_USER_REPORTED)),
    El(many("intendedRecipient", &INTENDED_RECIPIENT)),
    El(many("victim", &VICTIM)),
    El(opt("additionalInfo", &STRING)),
]);

static FILE_ANNOTATIONS: Type = Type {
    attrs: &[],
    content: Content::All(&[
        opt("animeDrawingVirtualHentai", &FIXED_TRUE),
        opt("potentialMeme", &FIXED_TRUE),
        opt("viral", &FIXED_TRUE),
        opt("possibleSelfProduction", &FIXED_TRUE),
        opt("physicalHarm", &FIXED_TRUE),
        opt("violenceGore", &FIXED_TRUE),
        opt("bestiality", &FIXED_TRUE),
        opt("liveStreaming", &FIXED_TRUE),
        opt("infant", &FIXED_TRUE),
        opt("generativeAi", &FIXED_TRUE),
    ]),
};

static HASH: Type = Type {
    attrs: &[required_attr("hashType", Simple::String)],
    content: Content::Simple(Simple::String),
};

static NAME_VALUE: Type = seq(&[El(one("name", &STRING)), El(one("value", &STRING))]);

static DETAILS: Type = Type {
    attrs: &[attr("type", enumeration(MetadataType::XSD_VALUES))],
    content: Content::Sequence(&[El(some("nameValuePair", &NAME_VALUE))]),
};

/// The `fileDetails` element (POST /fileinfo).
pub(crate) static FILE_DETAILS: Type = seq(&[
    El(one("reportId", &LONG)),
    El(one("fileId", &TOKEN)),
    El(opt("fileName", &STRING)),
    El(opt("originalFileName", &STRING)),
    El(opt("uploadedToEspTimestamp", &DATE_TIME)),
    El(opt("locationOfFile", &STRING)),
    El(opt("fileViewedByEsp", &BOOLEAN)),
    El(opt("exifViewedByEsp", &BOOLEAN)),
    El(opt("publiclyAvailable", &BOOLEAN)),
    El(opt("fileRelevance", &FILE_RELEVANCE)),
    Particle::Choice(&[
        opt("potentialMeme", &BOOLEAN),
        opt("fileAnnotations", &FILE_ANNOTATIONS),
    ]),
    El(opt("industryClassification", &FILE_CLASSIFICATION)),
    El(many("originalFileHash", &HASH)),
    El(opt("ipCaptureEvent", &IP_CAPTURE_EVENT)),
    El(many("deviceId", &DEVICE_ID)),
    El(many("details", &DETAILS)),
    El(many("additionalInfo", &STRING)),
]);

/// The `reportResponse` element, so that tests can check the responses this crate builds.
#[cfg(test)]
pub(crate) static REPORT_RESPONSE: Type = seq(&[
    El(one("responseCode", &INT)),
    El(one("responseDescription", &STRING)),
    El(opt("reportId", &LONG)),
    El(opt("fileId", &TOKEN)),
    El(opt("hash", &TOKEN)),
]);

#[cfg(test)]
static FILES: Type = seq(&[El(many("fileId", &STRING))]);

/// The `reportDoneResponse` element.
#[cfg(test)]
pub(crate) static REPORT_DONE_RESPONSE: Type = seq(&[
    El(one("responseCode", &INT)),
    El(one("reportId", &LONG)),
    El(one("files", &FILES)),
]);
