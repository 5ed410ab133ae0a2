//! The crate's one integration-test binary: fixtures, schema conformance through `xmllint`,
//! round trips, one negative test per validation rule, hostile documents, and property tests.

// Helpers outside #[test] functions panic on purpose too: a broken fixture is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cybertip::*;
use proptest::prelude::*;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The crate's copy of the official schema (the one `cybertip::XSD` serves).
fn xsd_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/cyber_tipline.xsd")
}

/// Where the official schema is: `cybertipline/cyber_tipline.xsd` in the shared
/// directory, which sits beside the clone (`../shared`) in development and CI, or wherever
/// `CLEARINGHOUSE_SHARED_DIR` says (a worktree elsewhere).
const SHARED_ENV: &str = "CLEARINGHOUSE_SHARED_DIR";

#[test]
fn the_schema_copy_matches_the_official_one() {
    let shared = match std::env::var_os(SHARED_ENV) {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    let official = shared.join("cybertipline/cyber_tipline.xsd");
    // Missing is a failure, not a pass: a copy compared with nothing is not checked.
    let text = std::fs::read_to_string(&official).unwrap_or_else(|e| {
        panic!(
            "cannot read the official schema at {}: {e}. Put the shared directory beside the \
             clone (../shared) or set {SHARED_ENV} to it",
            official.display()
        )
    });
    assert_eq!(
        text,
        XSD,
        "schema/cyber_tipline.xsd differs from {}",
        official.display()
    );
}

/// Every fixture as (file name, bytes), sorted by name.
fn fixtures() -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read(&p).expect("read fixture"))
        })
        .collect();
    out.sort();
    assert!(out.len() >= 10, "fixtures missing");
    out
}

fn report_fixtures() -> Vec<(String, Report)> {
    fixtures()
        .into_iter()
        .filter(|(n, _)| n.starts_with("report_"))
        .map(|(n, b)| {
            let r = parse_report(&b, &Limits::default()).unwrap_or_else(|e| panic!("{n}: {e}"));
            (n, r)
        })
        .collect()
}

fn file_fixtures() -> Vec<(String, FileDetails)> {
    fixtures()
        .into_iter()
        .filter(|(n, _)| n.starts_with("file_details_"))
        .map(|(n, b)| {
            let f =
                parse_file_details(&b, &Limits::default()).unwrap_or_else(|e| panic!("{n}: {e}"));
            (n, f)
        })
        .collect()
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixtures_dir().join(name)).expect("fixture")
}

// ---------------------------------------------------------------- fixtures and round trips

#[test]
fn every_fixture_parses_as_its_kind() {
    assert_eq!(
        report_fixtures().len() + file_fixtures().len(),
        fixtures().len()
    );
}

#[test]
fn fixtures_cover_every_incident_type_channel_and_section() {
    let reports = report_fixtures();
    let types: std::collections::HashSet<IncidentType> = reports
        .iter()
        .map(|(_, r)| r.incident_summary.incident_type)
        .collect();
    assert_eq!(
        types.len(),
        IncidentType::ALL.len(),
        "incident types covered: {types:?}"
    );
    let channels: std::collections::HashSet<IncidentChannel> = reports
        .iter()
        .flat_map(|(_, r)| r.internet_details.iter().map(InternetDetails::channel))
        .collect();
    assert_eq!(channels.len(), IncidentChannel::ALL.len());

    let (_, full) = reports
        .iter()
        .find(|(n, _)| n == "report_full.xml")
        .expect("full fixture");
    assert!(full.batched_report.is_some());
    let ann = full
        .incident_summary
        .report_annotations
        .as_ref()
        .expect("annotations");
    assert!(ann.sextortion && ann.csam_solicitation && ann.minor_to_minor_interaction);
    assert!(ann.spam && ann.sadistic_online_exploitation);
    assert_eq!(full.internet_details.len(), 8);
    let le = full.law_enforcement.as_ref().expect("law enforcement");
    assert_eq!(
        le.served_legal_process_international
            .as_ref()
            .and_then(|i| i.flea_country.as_ref())
            .map(|c| c.name()),
        Some("Canada")
    );
    assert!(full.reporter.contact_person.is_some());
    let p = &full.persons_or_users_reported[0];
    assert_eq!(p.associated_accounts.len(), 2);
    assert_eq!(
        p.associated_accounts[1].account_type,
        AssociatedAccountType::ParentGuardian
    );
    assert_eq!(p.prior_ct_reports, vec![1001, 1002]);
    assert!(p
        .account_temporarily_disabled
        .as_ref()
        .is_some_and(|a| a.disabled));
    assert_eq!(full.intended_recipients[0].additional_info.len(), 2);
    assert_eq!(full.victims.len(), 2);
    assert_eq!(
        full.victims[0].school_name.as_deref(),
        Some("Example High School")
    );
    assert_eq!(
        full.additional_info.as_deref(),
        Some("Synthetic report for tests. Characters: <tag> & \"quotes\" 'apostrophes' é 漢字 <raw> & text.")
    );
    let files = file_fixtures();
    assert!(files.iter().any(
        |(_, f)| matches!(f.tags, Some(FileTags::Annotations(ref a)) if a.generative_ai && a.infant)
    ));
    assert!(files
        .iter()
        .any(|(_, f)| f.tags == Some(FileTags::PotentialMeme(true))));
    let full_file = &files
        .iter()
        .find(|(n, _)| n == "file_details_full.xml")
        .expect("file")
        .1;
    assert_eq!(full_file.file_id, "0f3c9a1e", "xs:token is collapsed");
    assert_eq!(full_file.publicly_available, Some(false));
    assert_eq!(full_file.details[0].name_value_pairs.len(), 2);
}

#[test]
fn reports_round_trip_through_export() {
    for (name, report) in report_fixtures() {
        let xml = to_xml(&report);
        let again = parse_report(xml.as_bytes(), &Limits::default())
            .unwrap_or_else(|e| panic!("{name}: export does not parse: {e}\n{xml}"));
        assert_eq!(again, report, "{name}");
        assert_eq!(to_xml(&again), xml, "{name}: export is stable");
    }
}

#[test]
fn file_details_round_trip_through_export() {
    for (name, file) in file_fixtures() {
        let xml = file_details_to_xml(&file);
        let again = parse_file_details(xml.as_bytes(), &Limits::default())
            .unwrap_or_else(|e| panic!("{name}: {e}\n{xml}"));
        assert_eq!(again, file, "{name}");
    }
}

#[test]
fn model_round_trips_through_json() {
    for (name, report) in report_fixtures() {
        let json = serde_json::to_string(&report).expect("serialise");
        let back: Report = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, report, "{name}");
    }
    let (name, first) = &report_fixtures()[0];
    assert_eq!(name, "report_child_pornography_web_page.xml");
    let json = serde_json::to_string(first).expect("serialise");
    assert!(
        json.contains(
            "\"incident_type\":\"Child Pornography (possession, manufacture, and distribution)\""
        ),
        "enums are stored as their XSD strings: {json}"
    );
    let bad = json.replacen("\"2024-", "\"yesterday-", 1);
    assert!(
        serde_json::from_str::<Report>(&bad).is_err(),
        "newtypes check JSON too"
    );
}

// ---------------------------------------------------------------- schema conformance (xmllint)

fn xmllint(xml: &[u8]) -> Result<(), String> {
    let mut child = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(xsd_path())
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("xmllint is required for this test ({e}): install it with `apt-get install -y libxml2-utils`")
        });
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(xml)
        .expect("write to xmllint");
    let out = child.wait_with_output().expect("xmllint runs");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn xmllint_accepts_every_fixture_and_every_export() {
    assert!(
        xsd_path().exists(),
        "schema not found at {}",
        xsd_path().display()
    );
    for (name, bytes) in fixtures() {
        xmllint(&bytes).unwrap_or_else(|e| panic!("fixture {name} is not schema-valid: {e}"));
    }
    for (name, report) in report_fixtures() {
        let xml = to_xml(&report);
        xmllint(xml.as_bytes()).unwrap_or_else(|e| panic!("export of {name}: {e}\n{xml}"));
    }
    for (name, file) in file_fixtures() {
        let xml = file_details_to_xml(&file);
        xmllint(xml.as_bytes()).unwrap_or_else(|e| panic!("export of {name}: {e}\n{xml}"));
    }
    for code in ResponseCode::ALL {
        let xml = response_xml(*code, code.description(), Some(12), Some("file-1"));
        xmllint(xml.as_bytes()).unwrap_or_else(|e| panic!("{code}: {e}"));
    }
    let with_hash = ReportResponse {
        code: ResponseCode::Success,
        description: String::new(),
        report_id: Some(5),
        file_id: Some("f".into()),
        hash: Some("d41d8cd98f00b204e9800998ecf8427e".into()),
    };
    xmllint(with_hash.to_xml().as_bytes()).expect("response with hash");
    for ids in [vec![], vec!["a".to_string(), "b".to_string()]] {
        let xml = report_done_response_xml(ResponseCode::Success, 5, &ids);
        xmllint(xml.as_bytes()).expect("done response");
    }
}

// ---------------------------------------------------------------- one negative test per rule

/// Parses the minimal fixture after replacing `from` with `to`, expecting a 4100 error.
fn invalid_minimal(from: &str, to: &str) -> Error {
    let xml = fixture("report_minimal.xml");
    assert!(xml.contains(from), "{from}");
    let xml = xml.replacen(from, to, 1);
    let e = parse_report(xml.as_bytes(), &Limits::default()).expect_err("must be invalid");
    assert_eq!(e.code(), ResponseCode::ValidationFailed, "{e}");
    e
}

fn invalid_full(from: &str, to: &str) -> Error {
    let xml = fixture("report_full.xml");
    assert!(xml.contains(from), "{from}");
    let xml = xml.replacen(from, to, 1);
    let e = parse_report(xml.as_bytes(), &Limits::default()).expect_err("must be invalid");
    assert_eq!(e.code(), ResponseCode::ValidationFailed, "{e}");
    e
}

fn assert_err(e: &Error, path: &str, message: &str) {
    assert_eq!(e.path(), Some(path), "{e}");
    assert_eq!(e.message(), message, "{e}");
}

#[test]
fn rule_required_element() {
    let e = invalid_minimal("<reporter><reportingPerson/></reporter>", "");
    assert_err(
        &e,
        "/report",
        "expected element <reporter> after <incidentSummary>, found the end of <report>",
    );
    let e = invalid_minimal("<reportingPerson/>", "");
    assert_err(&e, "/report/reporter", "expected element <reportingPerson> as the first child of <reporter>, found the end of <reporter>");
}

#[test]
fn rule_sequence_order() {
    let e = invalid_full(
        "<platform>Example Social App</platform>\n    <escalateToHighPriority>A meeting with the child is planned for tonight.</escalateToHighPriority>",
        "<escalateToHighPriority>A meeting with the child is planned for tonight.</escalateToHighPriority><platform>Example Social App</platform>",
    );
    assert_err(
        &e,
        "/report/incidentSummary",
        "expected element <incidentDateTime> after <escalateToHighPriority>, found <platform>, which is out of order (it belongs earlier)",
    );
    let e = invalid_full(
        "<additionalInfo>Reported by two",
        "<vehicleDescription>car</vehicleDescription><additionalInfo>Reported by two",
    );
    assert_err(
        &e,
        "/report/personOrUserReported[1]/vehicleDescription[2]",
        "element <vehicleDescription> is out of order after <associatedAccount>; expected <associatedAccount>, <additionalInfo> or the end of <personOrUserReported>",
    );
    // A required element that comes too late is reported where it was expected.
    let e = invalid_minimal(
        "<incidentSummary><incidentType>Child Sex Trafficking</incidentType><incidentDateTime>2024-01-01T00:00:00Z</incidentDateTime></incidentSummary><reporter><reportingPerson/></reporter>",
        "<reporter><reportingPerson/></reporter><incidentSummary><incidentType>Child Sex Trafficking</incidentType><incidentDateTime>2024-01-01T00:00:00Z</incidentDateTime></incidentSummary>",
    );
    assert_err(
        &e,
        "/report",
        "expected element <incidentSummary> as the first child of <report>, found <reporter>",
    );
}

#[test]
fn rule_choice() {
    let e = invalid_minimal("</incidentSummary>", "</incidentSummary><internetDetails/>");
    assert_err(
        &e,
        "/report/internetDetails",
        "expected one of the elements <webPageIncident>, <emailIncident>, <newsgroupIncident>, <chatImIncident>, <onlineGamingIncident>, <cellPhoneIncident>, <nonInternetIncident>, <peer2peerIncident> as the first child of <internetDetails>, found the end of <internetDetails>",
    );
    let e = invalid_minimal(
        "</incidentSummary>",
        "</incidentSummary><internetDetails><webPageIncident/><emailIncident/></internetDetails>",
    );
    assert_err(
        &e,
        "/report/internetDetails/emailIncident",
        "unexpected element <emailIncident> after <webPageIncident>; expected the end of <internetDetails>",
    );
    let xml = fixture("file_details_meme.xml").replace(
        "<potentialMeme>true</potentialMeme>",
        "<potentialMeme>true</potentialMeme><fileAnnotations/>",
    );
    let e = parse_file_details(xml.as_bytes(), &Limits::default()).expect_err("both choices");
    assert_eq!(e.path(), Some("/fileDetails/fileAnnotations"), "{e}");
}

#[test]
fn rule_max_and_min_occurs() {
    let e = invalid_minimal("<reporter>", "<reporter><reportingPerson/>");
    assert_err(
        &e,
        "/report/reporter/reportingPerson[2]",
        "too many <reportingPerson> elements: at most 1 allowed here",
    );
    let xml = fixture("file_details_minimal.xml")
        .replace("</fileId>", "</fileId><details type=\"EXIF\"></details>");
    let e = parse_file_details(xml.as_bytes(), &Limits::default()).expect_err("empty details");
    assert_err(&e, "/fileDetails/details", "expected element <nameValuePair> as the first child of <details>, found the end of <details>");
}

#[test]
fn rule_enumeration() {
    let e = invalid_minimal("Child Sex Trafficking", "Something Else");
    assert_eq!(e.path(), Some("/report/incidentSummary/incidentType"));
    assert!(e.message().starts_with(
        "expected one of: Child Pornography (possession, manufacture, and distribution), Child Sex Trafficking, Child Sex Tourism,"
    ), "{e}");
    assert!(e.message().ends_with("; found \"Something Else\""), "{e}");
    let e = invalid_full("<state>IL</state>", "<state>Illinois</state>");
    assert_eq!(
        e.path(),
        Some("/report/internetDetails[7]/nonInternetIncident/incidentAddress/state")
    );
    assert!(
        e.message()
            .starts_with("expected a code from the schema's state list"),
        "{e}"
    );
    let e = invalid_full(
        "<countryCode>US</countryCode>",
        "<countryCode>USA</countryCode>",
    );
    assert!(e.message().contains("country list"), "{e}");
    let e = invalid_full(
        "type=\"Home\" verified=\"true\"",
        "type=\"Personal\" verified=\"true\"",
    );
    assert_err(
        &e,
        "/report/internetDetails[2]/emailIncident/emailAddress[1]/@type",
        "expected one of: Home, Work, Business, Recovery; found \"Personal\"",
    );
}

#[test]
fn rule_date_time() {
    let e = invalid_minimal("2024-01-01T00:00:00Z", "2024-01-01 00:00");
    assert_err(&e, "/report/incidentSummary/incidentDateTime", "expected a date and time (xs:dateTime, e.g. 2024-05-01T13:45:00Z), found \"2024-01-01 00:00\"");
    let e = invalid_full(
        "<dateOfBirth>1984-02-29</dateOfBirth>",
        "<dateOfBirth>1985-02-29</dateOfBirth>",
    );
    assert_err(
        &e,
        "/report/reporter/reportingPerson/dateOfBirth",
        "expected a date (xs:date, e.g. 2010-02-28), found \"1985-02-29\"",
    );
}

#[test]
fn rule_boolean() {
    let e = invalid_full(
        "<reportedToLe>true</reportedToLe>",
        "<reportedToLe>yes</reportedToLe>",
    );
    assert_err(
        &e,
        "/report/lawEnforcement/reportedToLe",
        "expected a boolean (true, false, 1 or 0), found \"yes\"",
    );
    let e = invalid_full("<sextortion/>", "<sextortion>maybe</sextortion>");
    assert_err(
        &e,
        "/report/incidentSummary/reportAnnotations/sextortion",
        "expected an empty flag (meaning true) or a boolean, found \"maybe\"",
    );
}

#[test]
fn rule_integers_and_numbers() {
    let e = invalid_full("<age>40</age>", "<age>forty</age>");
    assert_err(
        &e,
        "/report/reporter/reportingPerson/age",
        "expected a 32-bit integer (xs:int), found \"forty\"",
    );
    let e = invalid_full(
        "<priorCTReports>1001</priorCTReports>",
        "<priorCTReports>99999999999999999999</priorCTReports>",
    );
    assert_err(
        &e,
        "/report/personOrUserReported[1]/priorCTReports[1]",
        "expected a 64-bit integer (xs:long), found \"99999999999999999999\"",
    );
    let e = invalid_full("<latitude>38.8895</latitude>", "<latitude>north</latitude>");
    assert_err(
        &e,
        "/report/internetDetails[6]/cellPhoneIncident/latitude",
        "expected a finite decimal number (xs:double), found \"north\"",
    );
}

#[test]
fn rule_pattern() {
    let e = invalid_full(
        "countryCallingCode=\"+1\">202-555-0142",
        "countryCallingCode=\"1\">202-555-0142",
    );
    assert_err(
        &e,
        "/report/internetDetails[6]/cellPhoneIncident/phoneNumber/@countryCallingCode",
        "expected a phoneCountryCallingCode matching \\+[0-9]{1,3}, found \"1\"",
    );
    let e = invalid_full("extension=\"12\"", "extension=\"x12\"");
    assert!(
        e.message()
            .starts_with("expected a phoneExtension matching [0-9]+"),
        "{e}"
    );
}

#[test]
fn rule_attributes() {
    let e = invalid_full(
        "<batchedReport reason=\"VIRAL_POTENTIAL_MEME\"/>",
        "<batchedReport/>",
    );
    assert_err(
        &e,
        "/report/batchedReport",
        "missing required attribute reason",
    );
    let e = invalid_minimal("<reportingPerson/>", "<reportingPerson kind=\"x\"/>");
    assert_err(
        &e,
        "/report/reporter/reportingPerson/@kind",
        "unexpected attribute kind; expected: no attributes",
    );
    let e = invalid_minimal("<report>", "<report xmlns=\"urn:example\">");
    assert_eq!(e.path(), Some("/report/@xmlns"));
}

#[test]
fn rule_content_kinds() {
    let e = invalid_minimal("<reporter>", "<reporter>stray text");
    assert_err(
        &e,
        "/report/reporter",
        "unexpected text \"stray text\": <reporter> holds only elements",
    );
    let e = invalid_minimal("Child Sex Trafficking", "<b>Child Sex Trafficking</b>");
    assert_err(
        &e,
        "/report/incidentSummary/incidentType/b",
        "unexpected element <b>: <incidentType> holds only text",
    );
    let e = invalid_full(
        "<batchedReport reason=\"VIRAL_POTENTIAL_MEME\"/>",
        "<batchedReport reason=\"VIRAL_POTENTIAL_MEME\"><x/></batchedReport>",
    );
    assert_err(
        &e,
        "/report/batchedReport/x",
        "unexpected element <x>: <batchedReport> must be empty",
    );
}

#[test]
fn rule_all_group() {
    let e = invalid_full("<spam/>", "<spam/><spam/>");
    assert_err(
        &e,
        "/report/incidentSummary/reportAnnotations/spam[2]",
        "<spam> may appear at most once here",
    );
    let e = invalid_full("<spam/>", "<ham/>");
    assert!(
        e.message()
            .starts_with("unexpected element <ham>; expected any of <sextortion>"),
        "{e}"
    );
    // xs:all allows any order.
    let xml = fixture("report_full.xml")
        .replace("<sextortion/>", "")
        .replace("<spam/>", "<spam/><sextortion/>");
    assert!(parse_report(xml.as_bytes(), &Limits::default()).is_ok());
}

#[test]
fn rule_unknown_element_and_root() {
    let e = invalid_minimal("<reporter>", "<reporter><nickname>x</nickname>");
    assert_err(
        &e,
        "/report/reporter",
        "expected element <reportingPerson> as the first child of <reporter>, found <nickname>",
    );
    let e = invalid_minimal("</reporter>", "</reporter><comment>x</comment>");
    assert_err(&e, "/report/comment", "unexpected element <comment> after <reporter>; expected <personOrUserReported>, <intendedRecipient>, <victim>, <additionalInfo> or the end of <report>");
    let e = parse_report(
        fixture("file_details_minimal.xml").as_bytes(),
        &Limits::default(),
    )
    .expect_err("wrong root");
    assert_err(
        &e,
        "/fileDetails",
        "expected root element <report>, found <fileDetails>",
    );
}

#[test]
fn annotation_flags_empty_true_and_false() {
    let xml = fixture("report_full.xml").replace("<spam/>", "<spam>false</spam>");
    let r = parse_report(xml.as_bytes(), &Limits::default()).expect("false flag is lenient");
    let a = r.incident_summary.report_annotations.expect("annotations");
    assert!(!a.spam && a.sextortion);
}

// ---------------------------------------------------------------- hostile documents

fn malformed(bytes: &[u8]) -> Error {
    let e = parse_report(bytes, &Limits::default()).expect_err("must fail");
    assert_eq!(e.code(), ResponseCode::MalformedXml, "{e}");
    assert_eq!(e.path(), None);
    e
}

#[test]
fn hostile_xxe_is_refused() {
    let xml = br#"<?xml version="1.0"?>
<!DOCTYPE report [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<report><additionalInfo>&xxe;</additionalInfo></report>"#;
    let e = malformed(xml);
    assert!(matches!(e, Error::Refused { .. }), "{e}");
    assert!(e.to_string().contains("DOCTYPE"), "{e}");
    // Without the DOCTYPE the entity is simply undefined, and refused as such.
    let e = malformed(b"<report><additionalInfo>&xxe;</additionalInfo></report>");
    assert!(e.to_string().contains("&xxe;"), "{e}");
}

#[test]
fn hostile_billion_laughs_is_refused_fast() {
    let mut xml =
        String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n");
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        xml.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    xml.push_str("]>\n<report>&lol9;</report>");
    let start = Instant::now();
    let e = malformed(xml.as_bytes());
    let took = start.elapsed();
    assert!(matches!(e, Error::Refused { .. }), "{e}");
    assert!(took < Duration::from_millis(100), "took {took:?}");
}

#[test]
fn hostile_deep_nesting_and_many_elements() {
    let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
    let start = Instant::now();
    let e = malformed(deep.as_bytes());
    assert!(matches!(e, Error::LimitExceeded { .. }), "{e}");
    assert!(start.elapsed() < Duration::from_millis(500));

    let many = format!("<report>{}</report>", "<x/>".repeat(150_000));
    let e = malformed(many.as_bytes());
    assert!(e.to_string().contains("more than 100000 elements"), "{e}");

    let big = vec![b' '; 10 * 1024 * 1024 + 1];
    let e = malformed(&big);
    assert!(matches!(e, Error::LimitExceeded { .. }), "{e}");

    let wide = format!(
        "<report {}/>",
        (0..40)
            .map(|i| format!("a{i}=\"1\""))
            .collect::<Vec<_>>()
            .join(" ")
    );
    assert!(matches!(
        malformed(wide.as_bytes()),
        Error::LimitExceeded { .. }
    ));
}

#[test]
fn hostile_many_valid_repeats_validate_in_linear_time() {
    let names = "<displayName>Sample</displayName>".repeat(90_000);
    let xml = fixture("report_minimal.xml").replace(
        "</reporter>",
        &format!("</reporter><personOrUserReported>{names}</personOrUserReported>"),
    );
    let start = Instant::now();
    let r = parse_report(xml.as_bytes(), &Limits::default()).expect("valid");
    assert_eq!(r.persons_or_users_reported[0].display_names.len(), 90_000);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn hostile_encoding_and_truncation() {
    let mut bad = fixture("report_minimal.xml").into_bytes();
    bad.insert(30, 0xC3);
    bad.insert(31, 0x28);
    assert!(matches!(malformed(&bad), Error::InvalidUtf8 { offset: 30 }));
    let utf16: Vec<u8> = "<report/>"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let _ = malformed(&[&[0xFF, 0xFE][..], &utf16].concat());

    let full = fixture("report_full.xml");
    for cut in [10, full.len() / 3, full.len() / 2, full.len() - 3] {
        let e = malformed(&full.as_bytes()[..cut]);
        assert!(matches!(e, Error::Malformed { .. }), "cut at {cut}: {e}");
    }
    let e = malformed(b"<report><incidentSummary></report>");
    assert!(matches!(e, Error::Malformed { .. }), "{e}");
    let e = malformed(b"<?xml-stylesheet href=\"x.xsl\"?><report/>");
    assert!(matches!(e, Error::Refused { .. }), "{e}");
    let e = malformed(b"<report>\x0c</report>");
    assert!(e.to_string().contains("U+000C"), "{e}");
}

#[test]
fn hostile_script_is_kept_verbatim_as_text() {
    let script = "<script>alert('x')</script><img src=x onerror=alert(1)>";
    let escaped = "&lt;script&gt;alert('x')&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;";
    let xml = fixture("report_minimal.xml").replace(
        "</reporter>",
        &format!("</reporter><additionalInfo>{escaped}</additionalInfo>"),
    );
    let r = parse_report(xml.as_bytes(), &Limits::default()).expect("valid");
    assert_eq!(r.additional_info.as_deref(), Some(script));
    let out = to_xml(&r);
    assert!(out.contains(escaped), "{out}");
    assert!(!out.contains("<script>"));
    // Markup that is not escaped is not text: it is an unknown element.
    let raw = fixture("report_minimal.xml")
        .replace("</reporter>", "</reporter><script>alert(1)</script>");
    let e = parse_report(raw.as_bytes(), &Limits::default()).expect_err("unknown element");
    assert_eq!(e.path(), Some("/report/script"));
}

// ---------------------------------------------------------------- property tests

fn xml_text() -> impl Strategy<Value = String> {
    // Any XML 1.0 characters, including line breaks, tabs, carriage returns and markup.
    proptest::string::string_regex(
        "[\\t\\n\\r -\u{D7FF}\u{E000}-\u{FFFD}\u{10000}-\u{10FFFF}<>&\"']{0,40}",
    )
    .expect("regex")
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(xml_text())
}

fn arb_report() -> impl Strategy<Value = Report> {
    let summary = (
        proptest::sample::select(IncidentType::ALL.to_vec()),
        opt_text(),
        opt_text(),
        proptest::option::of(any::<[bool; 5]>()),
        (1970u32..2100, 1u32..13, 1u32..29, 0u32..24),
    )
        .prop_map(
            |(t, platform, escalate, ann, (y, m, d, h))| IncidentSummary {
                incident_type: t,
                platform,
                escalate_to_high_priority: escalate,
                report_annotations: ann.map(|a| ReportAnnotations {
                    sextortion: a[0],
                    csam_solicitation: a[1],
                    minor_to_minor_interaction: a[2],
                    spam: a[3],
                    sadistic_online_exploitation: a[4],
                }),
                incident_date_time: XsDateTime::parse(&format!(
                    "{y:04}-{m:02}-{d:02}T{h:02}:00:00Z"
                ))
                .expect("valid date"),
                incident_date_time_description: None,
            },
        );
    let detail = prop_oneof![
        (
            proptest::collection::vec(xml_text(), 0..3),
            opt_text(),
            proptest::option::of(any::<bool>())
        )
            .prop_map(
                |(urls, info, third)| InternetDetails::WebPage(WebPageIncident {
                    third_party_hosted_content: third,
                    urls,
                    additional_info: info,
                })
            ),
        (opt_text(), opt_text()).prop_map(|(c, r)| InternetDetails::ChatIm(ChatImIncident {
            chat_client: c,
            chat_room_name: r,
            ..Default::default()
        })),
        (-90.0f64..90.0, -180.0f64..180.0).prop_map(|(lat, lon)| InternetDetails::CellPhone(
            CellPhoneIncident {
                latitude: Some(lat),
                longitude: Some(lon),
                ..Default::default()
            }
        )),
    ];
    let person = || {
        (
            opt_text(),
            opt_text(),
            proptest::option::of(0i32..120),
            xml_text(),
        )
            .prop_map(|(first, last, age, number)| Person {
                first_name: first,
                last_name: last,
                age,
                phones: vec![Phone {
                    number,
                    phone_type: Some(PhoneType::Mobile),
                    ..Default::default()
                }],
                ..Default::default()
            })
    };
    (
        summary,
        proptest::collection::vec(detail, 0..3),
        person(),
        proptest::collection::vec(person(), 0..3),
        opt_text(),
        proptest::collection::vec(any::<i64>(), 0..3),
    )
        .prop_map(
            |(incident_summary, internet_details, reporting, victims, info, prior)| Report {
                batched_report: None,
                incident_summary,
                internet_details,
                law_enforcement: None,
                reporter: Reporter {
                    reporting_person: reporting,
                    ..Default::default()
                },
                persons_or_users_reported: vec![PersonOrUserReported {
                    prior_ct_reports: prior,
                    ..Default::default()
                }],
                intended_recipients: Vec::new(),
                victims: victims
                    .into_iter()
                    .map(|person| Victim {
                        person,
                        ..Default::default()
                    })
                    .collect(),
                additional_info: info,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_report(&bytes, &Limits::default());
        let _ = parse_file_details(&bytes, &Limits::default());
    }

    #[test]
    fn no_panic_on_mutated_fixtures(index in 0usize..64, cut in 0usize..20_000, byte in any::<u8>(), at in 0usize..20_000) {
        let all = fixtures();
        let (_, mut bytes) = all[index % all.len()].clone();
        let at = at % bytes.len();
        bytes[at] = byte;
        bytes.truncate(cut.max(1) % (bytes.len() + 1));
        let _ = parse_report(&bytes, &Limits::default());
        let _ = parse_file_details(&bytes, &Limits::default());
    }

    #[test]
    fn generated_reports_round_trip(report in arb_report()) {
        let xml = to_xml(&report);
        let back = parse_report(xml.as_bytes(), &Limits::default());
        prop_assert_eq!(back.as_ref(), Ok(&report), "{}", xml);
    }
}
