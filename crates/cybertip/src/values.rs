//! Simple values of the schema: its enumerations as Rust enums, code lists as checked newtypes,
//! and the lexical rules of the XML Schema built-in types it uses (boolean, int, long, double,
//! date, dateTime, token).
//!
//! Every enum keeps the exact XSD string (used on the wire and, through serde, in JSON) and a
//! plain-language label for forms and screens. The schema tables in `schema.rs` read the same
//! `XSD_VALUES` constants, so a value list exists in one place only.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::codes::{COUNTRIES, US_STATES};

/// Declares an XSD string enumeration. A macro because the eleven enumerations differ only in
/// their values; it generates nothing but the enum and its string conversions.
macro_rules! xsd_enum {
    (
        $(#[$meta:meta])*
        $name:ident = $xsd_type:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $xsd:literal => $label:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $xsd)] $variant, )+
        }

        impl $name {
            /// Every value, in schema order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The exact strings the schema enumerates, in schema order.
            pub const XSD_VALUES: &'static [&'static str] = &[$($xsd),+];
            /// The name of the simple type in the schema.
            pub const XSD_TYPE: &'static str = $xsd_type;

            /// The exact string used on the wire.
            pub fn as_xsd_str(self) -> &'static str {
                match self { $($name::$variant => $xsd,)+ }
            }

            /// A plain-language label, e.g. for a public tip form.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }

            /// The value whose wire string is exactly `s` (case and spaces matter, as in XSD).
            pub fn from_xsd_str(s: &str) -> Option<Self> {
                match s { $($xsd => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_xsd_str())
            }
        }
    };
}

xsd_enum! {
    /// The type of incident being reported (`incidentSummary/incidentType`).
    IncidentType = "incidentType" {
        ChildPornography = "Child Pornography (possession, manufacture, and distribution)"
            => "Child sexual abuse material (possessing, making or sharing it)",
        ChildSexTrafficking = "Child Sex Trafficking" => "Child sex trafficking",
        ChildSexTourism = "Child Sex Tourism" => "Travelling to sexually abuse children",
        ChildSexualMolestation = "Child Sexual Molestation" => "Sexual abuse of a child",
        MisleadingDomainName = "Misleading Domain Name"
            => "A website name meant to trick a child into seeing sexual content",
        MisleadingWordsOrImages = "Misleading Words or Digital Images on the Internet"
            => "Words or images online meant to trick a child into seeing sexual content",
        OnlineEnticement = "Online Enticement of Children for Sexual Acts"
            => "An adult contacting a child online for sexual purposes",
        UnsolicitedObsceneMaterial = "Unsolicited Obscene Material Sent to a Child"
            => "Sexual material sent to a child who did not ask for it",
    }
}

xsd_enum! {
    /// Where an incident happened: the element names of the `internetDetails` choice.
    IncidentChannel = "internetDetails" {
        WebPage = "webPageIncident" => "A web page",
        Email = "emailIncident" => "Email",
        Newsgroup = "newsgroupIncident" => "A newsgroup",
        ChatIm = "chatImIncident" => "Chat or instant messaging",
        OnlineGaming = "onlineGamingIncident" => "An online game",
        CellPhone = "cellPhoneIncident" => "A cell phone (calls, texts or pictures)",
        NonInternet = "nonInternetIncident" => "In person or on paper (not online)",
        PeerToPeer = "peer2peerIncident" => "File sharing (peer to peer)",
    }
}

xsd_enum! {
    /// Why reports were batched together (`batchedReport/@reason`).
    BatchedReportReason = "batchedReportReason" {
        ViralPotentialMeme = "VIRAL_POTENTIAL_MEME" => "Viral content or a potential meme",
    }
}

xsd_enum! {
    /// The kind of an address (`address/@type`).
    AddressType = "addressType" {
        Home = "Home" => "Home",
        Business = "Business" => "Business",
        Billing = "Billing" => "Billing",
        Shipping = "Shipping" => "Shipping",
        Technical = "Technical" => "Technical",
    }
}

xsd_enum! {
    /// The kind of an email address (`email/@type`).
    EmailType = "emailType" {
        Home = "Home" => "Home",
        Work = "Work" => "Work",
        Business = "Business" => "Business",
        Recovery = "Recovery" => "Account recovery",
    }
}

xsd_enum! {
    /// The kind of a phone number (`phone/@type`).
    PhoneType = "phoneType" {
        Mobile = "Mobile" => "Mobile",
        Home = "Home" => "Home",
        Business = "Business" => "Business",
        Work = "Work" => "Work",
        Fax = "Fax" => "Fax",
        Internet = "Internet" => "Internet phone",
        Recovery = "Recovery" => "Account recovery",
    }
}

xsd_enum! {
    /// The event during which an IP address or device id was captured.
    IpCaptureType = "ipCaptureType" {
        Login = "Login" => "Login",
        Registration = "Registration" => "Registration",
        Purchase = "Purchase" => "Purchase",
        Upload = "Upload" => "Upload",
        Other = "Other" => "Other",
        Unknown = "Unknown" => "Unknown",
    }
}

xsd_enum! {
    /// How an associated account relates to the person (`associatedAccount/@type`).
    AssociatedAccountType = "associatedAccountType" {
        Billing = "Billing" => "Billing account",
        Linked = "Linked" => "Linked account",
        Business = "Business" => "Business account",
        Creator = "Creator" => "Creator account",
        ParentGuardian = "Parent/Guardian" => "Parent or guardian account",
        Other = "Other" => "Other",
    }
}

xsd_enum! {
    /// How an uploaded file relates to the report.
    FileRelevance = "fileRelevance" {
        Reported = "Reported" => "Reported",
        SupplementalReported = "Supplemental Reported" => "Supplemental",
    }
}

xsd_enum! {
    /// The industry hash-sharing classification of a file.
    FileClassification = "fileClassification" {
        A1 = "A1" => "A1",
        A2 = "A2" => "A2",
        B1 = "B1" => "B1",
        B2 = "B2" => "B2",
    }
}

xsd_enum! {
    /// The kind of file metadata in a `details` block.
    MetadataType = "metadataTypes" {
        Exif = "EXIF" => "EXIF metadata",
        Hash = "HASH" => "Hash values",
    }
}

/// A value of the schema's `country` type: an ISO 3166 code (plus the schema's few extras such
/// as `A1`, `EU`, and the empty string, which the schema also allows).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode(String);

impl CountryCode {
    /// The code if the schema lists it.
    pub fn parse(code: &str) -> Option<Self> {
        COUNTRIES
            .iter()
            .any(|(c, _)| *c == code)
            .then(|| CountryCode(code.to_owned()))
    }
    /// The code as written on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The country's name as the schema gives it (empty for the empty code).
    pub fn name(&self) -> &'static str {
        lookup(COUNTRIES, &self.0)
    }
}

impl TryFrom<String> for CountryCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        CountryCode::parse(&s).ok_or_else(|| format!("unknown country code {s:?}"))
    }
}

impl From<CountryCode> for String {
    fn from(c: CountryCode) -> String {
        c.0
    }
}

/// A value of the schema's `state` type: a US state or territory code (or the empty string).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UsState(String);

impl UsState {
    /// The code if the schema lists it.
    pub fn parse(code: &str) -> Option<Self> {
        US_STATES
            .iter()
            .any(|(c, _)| *c == code)
            .then(|| UsState(code.to_owned()))
    }
    /// The code as written on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The state's name (empty for the empty code).
    pub fn name(&self) -> &'static str {
        lookup(US_STATES, &self.0)
    }
}

impl TryFrom<String> for UsState {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        UsState::parse(&s).ok_or_else(|| format!("unknown US state code {s:?}"))
    }
}

impl From<UsState> for String {
    fn from(c: UsState) -> String {
        c.0
    }
}

fn lookup(table: &[(&str, &'static str)], code: &str) -> &'static str {
    table
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, name)| name)
}

/// An `xs:dateTime` in its lexical form, checked on construction.
///
/// Kept as text rather than converted: the schema allows a missing time zone and any number of
/// fractional digits, which no single Rust date type represents without loss.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct XsDateTime(String);

impl XsDateTime {
    /// The value if `s` is a valid `xs:dateTime` (surrounding XML whitespace is removed).
    pub fn parse(s: &str) -> Option<Self> {
        let s = trim_xml(s);
        is_date_time(s).then(|| XsDateTime(s.to_owned()))
    }
    /// The lexical form, e.g. `2024-05-01T13:45:00Z`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for XsDateTime {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        XsDateTime::parse(&s).ok_or_else(|| format!("invalid xs:dateTime {s:?}"))
    }
}

impl From<XsDateTime> for String {
    fn from(d: XsDateTime) -> String {
        d.0
    }
}

/// An `xs:date` in its lexical form, checked on construction.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct XsDate(String);

impl XsDate {
    /// The value if `s` is a valid `xs:date` (surrounding XML whitespace is removed).
    pub fn parse(s: &str) -> Option<Self> {
        let s = trim_xml(s);
        is_date(s).then(|| XsDate(s.to_owned()))
    }
    /// The lexical form, e.g. `2010-02-28`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for XsDate {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        XsDate::parse(&s).ok_or_else(|| format!("invalid xs:date {s:?}"))
    }
}

impl From<XsDate> for String {
    fn from(d: XsDate) -> String {
        d.0
    }
}

/// Removes the whitespace XML itself treats as whitespace (not Unicode spaces).
pub(crate) fn trim_xml(s: &str) -> &str {
    s.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
}

/// `xs:token` whitespace collapse: runs of XML whitespace become one space, ends trimmed.
pub(crate) fn collapse(s: &str) -> String {
    s.split([' ', '\t', '\n', '\r'])
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `xs:boolean` (whitespace collapsed): `true`, `false`, `1`, `0`.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match trim_xml(s) {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// `xs:int` / `xs:long`: optional sign then digits; Rust's parser agrees with XSD on that form.
pub(crate) fn parse_i32(s: &str) -> Option<i32> {
    let s = trim_xml(s);
    is_integer_lexical(s).then(|| s.parse().ok()).flatten()
}

pub(crate) fn parse_i64(s: &str) -> Option<i64> {
    let s = trim_xml(s);
    is_integer_lexical(s).then(|| s.parse().ok()).flatten()
}

fn is_integer_lexical(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `xs:double` restricted to finite numbers. The schema uses it only for latitude and longitude,
/// where `INF` and `NaN` carry no meaning, and `NaN` would break equality of parsed reports.
pub(crate) fn parse_f64(s: &str) -> Option<f64> {
    let s = trim_xml(s);
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) => (i, f),
        None => (mantissa, ""),
    };
    let digits_ok = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits_ok(int_part)
        && digits_ok(frac_part)
        && !(int_part.is_empty() && frac_part.is_empty());
    let exponent_ok = exponent.is_none_or(is_integer_lexical);
    if !mantissa_ok || !exponent_ok {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// `xs:date`: `-?YYYY-MM-DD` then an optional time zone.
pub(crate) fn is_date(s: &str) -> bool {
    match split_date(s) {
        Some(rest) => is_timezone(rest),
        None => false,
    }
}

/// `xs:dateTime`: a date, `T`, `hh:mm:ss(.s+)?`, then an optional time zone.
pub(crate) fn is_date_time(s: &str) -> bool {
    let Some(rest) = split_date(s) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix('T') else {
        return false;
    };
    let b = rest.as_bytes();
    if b.len() < 8 || b[2] != b':' || b[5] != b':' {
        return false;
    }
    let (Some(h), Some(m), Some(sec)) = (num(&rest[0..2]), num(&rest[3..5]), num(&rest[6..8]))
    else {
        return false;
    };
    let mut rest = &rest[8..];
    let mut fraction_is_zero = true;
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        fraction_is_zero = frac[..n].bytes().all(|b| b == b'0');
        rest = &frac[n..];
    }
    // XSD 1.0 allows 24:00:00 as the end of a day; nothing else past 23:59:59.
    let time_ok =
        (h < 24 && m < 60 && sec < 60) || (h == 24 && m == 0 && sec == 0 && fraction_is_zero);
    time_ok && is_timezone(rest)
}

/// Checks `-?YYYY-MM-DD` at the start of `s` and returns what follows it.
fn split_date(s: &str) -> Option<&str> {
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    let year_len = unsigned.bytes().take_while(u8::is_ascii_digit).count();
    // Years of more than four digits may not start with a zero; year 0000 does not exist in XSD 1.0.
    if year_len < 4 || (year_len > 4 && unsigned.starts_with('0')) || year_len > 9 {
        return None;
    }
    let year: u32 = unsigned[..year_len].parse().ok()?;
    if year == 0 {
        return None;
    }
    let rest = &unsigned[year_len..];
    let b = rest.as_bytes();
    if b.len() < 6 || b[0] != b'-' || b[3] != b'-' {
        return None;
    }
    let month = num(&rest[1..3])?;
    let day = num(&rest[4..6])?;
    // `is_multiple_of` would raise the minimum Rust version past the workspace's 1.85.
    #[allow(clippy::manual_is_multiple_of)]
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days_in_month).contains(&day).then(|| &rest[6..])
}

fn is_timezone(s: &str) -> bool {
    if s.is_empty() || s == "Z" {
        return true;
    }
    let Some(body) = s.strip_prefix(['+', '-']) else {
        return false;
    };
    let b = body.as_bytes();
    if b.len() != 5 || b[2] != b':' {
        return false;
    }
    match (num(&body[0..2]), num(&body[3..5])) {
        (Some(h), Some(m)) => (h < 14 && m < 60) || (h == 14 && m == 0),
        _ => false,
    }
}

/// Two ASCII digits as a number.
fn num(s: &str) -> Option<u32> {
    (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// `phoneCountryCallingCode`: `\+[0-9]{1,3}`.
pub(crate) fn is_calling_code(s: &str) -> bool {
    s.strip_prefix('+')
        .is_some_and(|d| (1..=3).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}

/// `phoneExtension`: `[0-9]+`.
pub(crate) fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times() {
        for ok in [
            "2024-05-01T13:45:00Z",
            "2024-05-01T13:45:00",
            "2024-02-29T00:00:00.123+05:30",
            "-0044-03-15T12:00:00-14:00",
            "2024-05-01T24:00:00Z",
            " 2024-05-01T13:45:00Z\n",
        ] {
            assert!(XsDateTime::parse(ok).is_some(), "{ok}");
        }
        for bad in [
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-05-01 13:45:00",
            "2024-05-01T13:60:00Z",
            "2024-05-01T13:45:00+15:00",
            "0000-01-01T00:00:00Z",
            "2024-05-01T13:45:00.Z",
            "2024-05-01",
            "yesterday",
            "",
        ] {
            assert!(XsDateTime::parse(bad).is_none(), "{bad}");
        }
        assert!(XsDate::parse("2010-02-28").is_some());
        assert!(XsDate::parse("2010-02-28Z").is_some());
        assert!(XsDate::parse("2010-02-30").is_none());
    }

    #[test]
    fn numbers_and_booleans() {
        assert_eq!(parse_bool(" 1 "), Some(true));
        assert_eq!(parse_bool("TRUE"), None);
        assert_eq!(parse_i32("+42"), Some(42));
        assert_eq!(parse_i32("4 2"), None);
        assert_eq!(parse_i32("99999999999"), None);
        assert_eq!(parse_i64("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_f64("-77.0365"), Some(-77.0365));
        assert_eq!(parse_f64("1e3"), Some(1000.0));
        assert_eq!(parse_f64(".5"), Some(0.5));
        for bad in ["INF", "NaN", "inf", "1e", ".", "", "0x10", "1,5"] {
            assert_eq!(parse_f64(bad), None, "{bad}");
        }
        assert!(is_calling_code("+1") && is_calling_code("+358"));
        assert!(!is_calling_code("+1234") && !is_calling_code("1"));
        assert_eq!(collapse("  a \n\t b  "), "a b");
    }

    #[test]
    fn enums_and_codes() {
        assert_eq!(IncidentType::ALL.len(), 8);
        assert_eq!(IncidentChannel::ALL.len(), 8);
        assert_eq!(
            IncidentType::from_xsd_str("Child Sex Trafficking"),
            Some(IncidentType::ChildSexTrafficking)
        );
        assert_eq!(IncidentType::from_xsd_str("child sex trafficking"), None);
        assert_eq!(
            CountryCode::parse("US").map(|c| c.name()),
            Some("United States")
        );
        assert!(CountryCode::parse("").is_some());
        assert!(CountryCode::parse("ZZ").is_none());
        assert_eq!(UsState::parse("TX").map(|s| s.name()), Some("Texas"));
        for t in IncidentType::ALL {
            assert!(!t.label().is_empty());
        }
    }
}
