//! The CyberTipline-compatible provider API over HTTP: round trips of every fixture, the
//! report lifecycle, authentication, and hostile input.

use crate::helpers::{TestApp, PASSWORD};
use domain::Role;
use service::accounts::{Actor, NewAccount};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) fn fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cybertip/tests/fixtures");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("report_")
        })
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    assert!(out.len() >= 8);
    out
}

fn xsd() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../cybertip/schema/cyber_tipline.xsd")
}

/// Validates with a real validator, not with our own parser.
pub(crate) fn xmllint_valid(xml: &str) -> Result<(), String> {
    let mut child = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(xsd())
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("xmllint is needed (apt-get install libxml2-utils): {e}"))?;
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// A provider's client: HTTP Basic on every request, as real clients do.
pub(crate) struct Provider {
    http: reqwest::Client,
    base: String,
    user: String,
}

#[derive(Debug)]
pub(crate) struct ApiRes {
    pub status: u16,
    pub code: Option<u32>,
    pub report_id: Option<i64>,
    pub description: String,
    pub body: String,
}

pub(crate) fn tag(body: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let i = body.find(&open)? + open.len();
    let j = body[i..].find(&format!("</{name}>"))?;
    Some(body[i..i + j].to_owned())
}

impl Provider {
    pub(crate) fn new(app: &TestApp, user: &str) -> Provider {
        Provider {
            http: reqwest::Client::new(),
            base: app.base.clone(),
            user: user.to_owned(),
        }
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> ApiRes {
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        ApiRes {
            status,
            code: tag(&body, "responseCode").and_then(|c| c.parse().ok()),
            report_id: tag(&body, "reportId").and_then(|c| c.parse().ok()),
            description: tag(&body, "responseDescription").unwrap_or_default(),
            body,
        }
    }

    async fn submit_as(&self, xml: &[u8], content_type: Option<&str>) -> ApiRes {
        let mut req = self
            .http
            .post(format!("{}/ispws/submit", self.base))
            .basic_auth(&self.user, Some(PASSWORD))
            .body(xml.to_vec());
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        self.send(req).await
    }

    pub(crate) async fn submit(&self, xml: &[u8]) -> ApiRes {
        self.submit_as(xml, Some("text/xml; charset=utf-8")).await
    }

    pub(crate) async fn form(&self, action: &str, id: i64) -> ApiRes {
        let req = self
            .http
            .post(format!("{}/ispws/{action}", self.base))
            .basic_auth(&self.user, Some(PASSWORD))
            .form(&[("id", id.to_string())]);
        self.send(req).await
    }

    async fn finish_multipart(&self, id: i64) -> ApiRes {
        let boundary = "XyZboundary";
        let body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n{id}\r\n--{boundary}--\r\n");
        let req = self
            .http
            .post(format!("{}/ispws/finish", self.base))
            .basic_auth(&self.user, Some(PASSWORD))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        self.send(req).await
    }
}

#[tokio::test]
async fn every_fixture_round_trips_submit_store_export_and_reimport() {
    let app = TestApp::spawn().await;
    let p = Provider::new(&app, "provider-api");
    let analyst = app.login(Role::Analyst).await;
    for (name, xml) in fixtures() {
        let res = p.submit(&xml).await;
        assert_eq!(
            (res.status, res.code),
            (200, Some(0)),
            "{name}: {}",
            res.body
        );
        assert_eq!(res.description, "Success");
        let id = res.report_id.expect("reportId");
        let done = p.form("finish", id).await;
        assert_eq!(done.code, Some(0), "{name}: {}", done.body);
        assert!(done.body.contains("<reportDoneResponse>"), "{}", done.body);

        let detail = analyst.get(&format!("/reports/{id}")).await;
        assert_eq!(detail.status, 200, "{name}");
        let original = analyst.get(&format!("/reports/{id}/original.xml")).await;
        assert_eq!(
            original.body.as_bytes(),
            xml.as_slice(),
            "{name}: the original XML is kept verbatim"
        );
        let export = analyst.get(&format!("/reports/{id}/export.xml")).await;
        assert_eq!(export.status, 200);
        xmllint_valid(&export.body)
            .unwrap_or_else(|e| panic!("{name}: the export does not validate: {e}"));
        let limits = cybertip::Limits::default();
        assert_eq!(
            cybertip::parse_report(export.body.as_bytes(), &limits).unwrap(),
            cybertip::parse_report(&xml, &limits).unwrap(),
            "{name}: the export re-imports equal"
        );
    }
    let list = analyst.get("/reports").await.body;
    assert!(
        list.contains(&format!("{} reports", fixtures().len())),
        "{list}"
    );
}

#[tokio::test]
async fn every_content_type_real_clients_send_is_accepted() {
    let app = TestApp::spawn().await;
    let p = Provider::new(&app, "provider-api");
    let xml = &fixtures()[0].1;
    for ct in [
        Some("text/xml"),
        Some("application/xml"),
        Some("text/plain"),
        None,
    ] {
        let res = p.submit_as(xml, ct).await;
        assert_eq!(res.code, Some(0), "{ct:?}: {}", res.body);
    }
    let id = p.submit(xml).await.report_id.unwrap();
    assert_eq!(p.finish_multipart(id).await.code, Some(0));
}

#[tokio::test]
async fn the_lifecycle_refuses_what_the_api_refuses() {
    let app = TestApp::spawn().await;
    app.services
        .create_user(
            &Actor::Operator,
            NewAccount {
                org_name: "Test Provider",
                username: "other-provider",
                display_name: "Other",
                role: Role::ProviderApi,
                password: PASSWORD,
            },
            None,
        )
        .await
        .unwrap();
    let p = Provider::new(&app, "provider-api");
    let other = Provider::new(&app, "other-provider");
    let xml = &fixtures()[0].1;

    let a = p.submit(xml).await.report_id.unwrap();
    // Another account's report looks exactly like one that never existed.
    let foreign = other.form("finish", a).await;
    let missing = other.form("finish", 987_654).await;
    assert_eq!(foreign.code, Some(5001));
    assert_eq!(missing.code, Some(5001));
    assert_eq!(
        foreign.description.replace(&a.to_string(), "N"),
        missing.description.replace("987654", "N")
    );
    assert_eq!(other.form("retract", a).await.code, Some(5001));

    assert_eq!(p.form("finish", a).await.code, Some(0));
    assert_eq!(p.form("finish", a).await.code, Some(5102), "finish twice");
    assert_eq!(
        p.form("retract", a).await.code,
        Some(5102),
        "retract after finish"
    );

    let b = p.submit(xml).await.report_id.unwrap();
    assert_eq!(p.form("retract", b).await.code, Some(0));
    assert_eq!(
        p.form("finish", b).await.code,
        Some(5101),
        "any action after retract"
    );
    assert_eq!(p.form("retract", b).await.code, Some(5101));

    // Unfinished reports expire an hour after their last change.
    let c = p.submit(xml).await.report_id.unwrap();
    app.clock.advance(Duration::from_secs(61 * 60));
    assert_eq!(p.form("finish", c).await.code, Some(5001));

    // Only finished reports reach the analysts.
    let analyst = app.login(Role::Analyst).await;
    assert_eq!(analyst.get(&format!("/reports/{a}")).await.status, 200);
    assert_eq!(analyst.get(&format!("/reports/{b}")).await.status, 404);
    assert_eq!(analyst.get(&format!("/reports/{c}")).await.status, 404);

    let bad = p
        .send(
            p.http
                .post(format!("{}/ispws/finish", p.base))
                .basic_auth("provider-api", Some(PASSWORD))
                .form(&[("report", "1")]),
        )
        .await;
    assert_eq!(bad.code, Some(4000));
    assert!(bad.description.contains("`id`"), "{}", bad.description);
}

#[tokio::test]
async fn logins_are_checked_as_the_real_service_does() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::new();
    let xml = fixtures()[0].1.clone();
    let url = format!("{}/ispws/submit", app.base);

    let res = http.post(&url).body(xml.clone()).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 401);
    assert!(res
        .headers()
        .get("www-authenticate")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("Basic"));
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("<responseCode>2000</responseCode>"));

    let res = http
        .post(&url)
        .basic_auth("provider-api", Some("wrong password!!"))
        .body(xml.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);

    // A person's account is not a provider API account: its password alone (without the
    // second factor) is answered like a wrong one, so it cannot even be confirmed this way.
    // A signed-in person's session gets 3100 (see the route x role walk).
    let res = http
        .post(&url)
        .basic_auth("analyst", Some(PASSWORD))
        .body(xml)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("<responseCode>2000</responseCode>"));

    let p = Provider::new(&app, "provider-api");
    let status = p
        .send(
            p.http
                .get(format!("{}/ispws/status", app.base))
                .basic_auth("provider-api", Some(PASSWORD)),
        )
        .await;
    assert_eq!(status.code, Some(0));
    assert_eq!(
        status.description,
        "Remote User : provider-api, Remote Ip : 127.0.0.1"
    );

    let xsd = http
        .get(format!("{}/ispws/xsd", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(xsd, cybertip::XSD);
}

#[tokio::test]
async fn invalid_reports_name_the_element_and_what_was_expected() {
    let app = TestApp::spawn().await;
    let p = Provider::new(&app, "provider-api");
    let res = p
        .submit(b"<report><incidentSummary><incidentType>Child Sex Trafficking</incidentType><incidentDateTime>2024-05-01T13:45:00Z</incidentDateTime></incidentSummary></report>")
        .await;
    assert_eq!(res.code, Some(4100), "{}", res.body);
    assert!(
        res.description.contains("/report") && res.description.contains("reporter"),
        "{}",
        res.description
    );
    let res = p
        .submit(b"<report><incidentSummary><incidentType>Something Else</incidentType><incidentDateTime>2024-05-01T13:45:00Z</incidentDateTime></incidentSummary><reporter><reportingPerson/></reporter></report>")
        .await;
    assert_eq!(res.code, Some(4100));
    assert!(
        res.description
            .contains("/report/incidentSummary/incidentType"),
        "{}",
        res.description
    );
    let res = p.submit(b"<report><incidentSummary>").await;
    assert_eq!(res.code, Some(4110));
    assert!(!res.description.is_empty());
}

#[tokio::test]
async fn hostile_documents_are_refused_fast_and_nothing_is_read() {
    let app = TestApp::spawn().await;
    let p = Provider::new(&app, "provider-api");
    let secret = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(secret.path(), "TOP-SECRET-CONTENT").unwrap();
    let xxe = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE report [<!ENTITY x SYSTEM \"file://{}\">]><report><incidentSummary><incidentType>Child Sex Trafficking</incidentType><incidentDateTime>2024-05-01T13:45:00Z</incidentDateTime></incidentSummary><reporter><reportingPerson><lastName>&x;</lastName></reportingPerson></reporter></report>",
        secret.path().display()
    );
    let res = p.submit(xxe.as_bytes()).await;
    assert_eq!(res.code, Some(4110), "{}", res.body);
    assert!(!res.body.contains("TOP-SECRET"));

    let mut bomb = String::from("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    for i in 1..10 {
        bomb.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!(
                "&lol{};",
                if i == 1 {
                    String::new()
                } else {
                    (i - 1).to_string()
                }
            )
            .repeat(10)
        ));
    }
    bomb.push_str("]><report>&lol9;</report>");
    let started = Instant::now();
    let res = p.submit(bomb.as_bytes()).await;
    assert_eq!(res.code, Some(4110));
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "refused in {:?}",
        started.elapsed()
    );

    let deep = format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000));
    assert_eq!(p.submit(deep.as_bytes()).await.code, Some(4110));
    assert_eq!(
        p.submit(b"<report>\xff\xfe</report>").await.code,
        Some(4110)
    );
    let huge = vec![b' '; 11 * 1024 * 1024];
    let res = p.submit(&huge).await;
    assert_eq!(res.code, Some(4110), "{}", res.description);
    assert!(res.description.contains("larger than"));

    // Nothing of these was stored.
    let analyst = app.login(Role::Analyst).await;
    assert!(analyst.get("/reports").await.body.contains("No reports"));
}

#[tokio::test]
async fn script_in_any_text_field_is_shown_as_text() {
    let app = TestApp::spawn().await;
    let p = Provider::new(&app, "provider-api");
    let xml = String::from_utf8(
        fixtures()
            .into_iter()
            .find(|(n, _)| n == "report_full.xml")
            .unwrap()
            .1,
    )
    .unwrap();
    let payload =
        "&lt;script&gt;document.title='pwned'&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;";
    let hostile = xml.replace("Sample", &format!("Sample{payload}"));
    assert_ne!(hostile, xml);
    let id = p
        .submit(hostile.as_bytes())
        .await
        .report_id
        .expect("accepted");
    assert_eq!(p.form("finish", id).await.code, Some(0));
    let analyst = app.login(Role::Analyst).await;
    let page = analyst.get(&format!("/reports/{id}")).await.body;
    assert!(
        !page.contains("<script>document.title"),
        "raw script in page"
    );
    assert!(!page.contains("<img src=x"), "raw img in page");
    assert!(
        page.contains("&lt;script&gt;document.title"),
        "shown as text"
    );
}

impl Provider {
    /// A multipart body built by hand, so tests can send what real and broken clients send.
    async fn multipart(
        &self,
        action: &str,
        parts: &[(&str, Option<&str>, &[u8])],
        cut: usize,
    ) -> ApiRes {
        let boundary = "----chTestBoundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, file_name, data) in parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            match file_name {
                Some(f) => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
                ),
                None => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                ),
            }
            body.extend_from_slice(data);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        body.truncate(body.len() - cut);
        let req = self
            .http
            .post(format!("{}/ispws/{action}", self.base))
            .basic_auth(&self.user, Some(PASSWORD))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        self.send(req).await
    }

    pub(crate) async fn upload(&self, id: i64, name: &str, data: &[u8]) -> ApiRes {
        let id = id.to_string();
        self.multipart(
            "upload",
            &[("id", None, id.as_bytes()), ("file", Some(name), data)],
            0,
        )
        .await
    }

    async fn fileinfo(&self, xml: &str) -> ApiRes {
        let req = self
            .http
            .post(format!("{}/ispws/fileinfo", self.base))
            .basic_auth(&self.user, Some(PASSWORD))
            .header("content-type", "text/xml")
            .body(xml.to_owned());
        self.send(req).await
    }
}

fn file_details(report: i64, file: &str) -> String {
    format!(
        "<fileDetails><reportId>{report}</reportId><fileId>{file}</fileId><originalFileName>holiday.jpg</originalFileName><fileViewedByEsp>true</fileViewedByEsp><additionalInfo>Seen in a group chat</additionalInfo></fileDetails>"
    )
}

fn md5_hex(data: &[u8]) -> String {
    use md5::Digest;
    hex::encode(md5::Md5::digest(data))
}

/// Every file on disk under `dir`, read whole.
fn all_files(dir: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(all_files(&p));
        } else {
            out.push(std::fs::read(p).unwrap());
        }
    }
    out
}

#[tokio::test]
async fn files_are_uploaded_described_encrypted_and_downloaded_with_an_audit_entry() {
    let app = TestApp::spawn().await;
    let p = Provider::new(&app, "provider-api");
    let id = p.submit(&fixtures()[0].1).await.report_id.unwrap();
    // Several 64 KiB chunks and a recognisable plaintext.
    let data: Vec<u8> = b"PLAINTEXT-MARKER "
        .iter()
        .copied()
        .cycle()
        .take(300_000)
        .collect();

    let up = p.upload(id, "holiday.jpg", &data).await;
    assert_eq!((up.status, up.code), (200, Some(0)), "{}", up.body);
    assert_eq!(up.description, "Success");
    let file_id = tag(&up.body, "fileId").expect("fileId");
    assert_eq!(
        tag(&up.body, "hash").as_deref(),
        Some(md5_hex(&data).as_str())
    );
    assert_eq!(up.report_id, Some(id));

    let info = p.fileinfo(&file_details(id, &file_id)).await;
    assert_eq!(info.code, Some(0), "{}", info.body);
    assert_eq!(
        p.fileinfo(&file_details(id, "no-such-file")).await.code,
        Some(5002)
    );

    let done = p.form("finish", id).await;
    assert!(
        done.body.contains(&format!("<fileId>{file_id}</fileId>")),
        "{}",
        done.body
    );

    // Encrypted at rest: the plaintext is nowhere on disk.
    let stored = all_files(app.files.path());
    assert!(!stored.is_empty());
    assert!(stored
        .iter()
        .all(|f| !f.windows(16).any(|w| w == b"PLAINTEXT-MARKER")));

    let analyst = app.login(Role::Analyst).await;
    let detail = analyst.get(&format!("/reports/{id}")).await;
    assert!(detail.body.contains("holiday.jpg"));
    assert!(detail.body.contains("Seen in a group chat"));
    assert!(detail.body.contains(&md5_hex(&data)));
    // Never inline: no image or frame points at the file.
    assert!(!detail.body.contains("<img") && !detail.body.contains("<iframe"));

    let res = analyst
        .http
        .get(format!("{}/reports/{id}/files/{file_id}", analyst.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert_eq!(res.headers()["content-type"], "application/octet-stream");
    // The download's own sandbox, not the site-wide policy (issue 25, finding 10).
    let csp: Vec<_> = res
        .headers()
        .get_all("content-security-policy")
        .iter()
        .collect();
    assert_eq!(csp, ["sandbox; default-src 'none'"]);
    assert_eq!(res.bytes().await.unwrap().as_ref(), data.as_slice());

    let audit = app.services.store.reader();
    let views: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'view' AND record_type = 'report_file'",
    )
    .fetch_one(audit)
    .await
    .unwrap();
    assert_eq!(views, 1);

    // Roles without the need do not get the file.
    let investigator = app.login(Role::Investigator).await;
    let r = investigator
        .get(&format!("/reports/{id}/files/{file_id}"))
        .await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn uploads_refuse_what_the_api_refuses() {
    let app = TestApp::spawn_with(crate::helpers::Options {
        max_file_bytes: Some(100_000),
        ..Default::default()
    })
    .await;
    app.services
        .create_user(
            &Actor::Operator,
            NewAccount {
                org_name: "Test Provider",
                username: "other-provider",
                display_name: "Other",
                role: Role::ProviderApi,
                password: PASSWORD,
            },
            None,
        )
        .await
        .unwrap();
    let p = Provider::new(&app, "provider-api");
    let other = Provider::new(&app, "other-provider");
    let xml = &fixtures()[0].1;
    let id = p.submit(xml).await.report_id.unwrap();
    let ids = id.to_string();

    // Another account's report, or none: 5001 alike, and nothing stored.
    assert_eq!(other.upload(id, "a.bin", b"x").await.code, Some(5001));
    assert_eq!(other.upload(999_999, "a.bin", b"x").await.code, Some(5001));
    let f = p.upload(id, "a.bin", b"x").await;
    let fid = tag(&f.body, "fileId").unwrap();
    assert_eq!(
        other.fileinfo(&file_details(id, &fid)).await.code,
        Some(5001)
    );

    // Too large: 1111, and no half file left behind.
    let big = vec![7u8; 100_001];
    let r = p.upload(id, "big.bin", &big).await;
    assert_eq!(r.code, Some(1111), "{}", r.body);
    assert!(r.description.contains("100000 bytes"), "{}", r.description);

    // Path characters in the name.
    for name in ["../../etc/passwd", "a/b.jpg", "c:\\\\x.jpg"] {
        let r = p.upload(id, name, b"x").await;
        assert_eq!(r.code, Some(4200), "{name}: {}", r.body);
        assert!(r.description.contains("path"), "{}", r.description);
    }
    // No file part; a cut-off body; not multipart at all; the file before the id.
    let r = p
        .multipart("upload", &[("id", None, ids.as_bytes())], 0)
        .await;
    assert_eq!(r.code, Some(4200));
    assert!(
        r.description.contains("no `file` part"),
        "{}",
        r.description
    );
    let r = p
        .multipart(
            "upload",
            &[
                ("id", None, ids.as_bytes()),
                ("file", Some("t.bin"), &[1u8; 5000]),
            ],
            200,
        )
        .await;
    assert_eq!(r.code, Some(4200), "{}", r.body);
    let r = p
        .send(
            p.http
                .post(format!("{}/ispws/upload", p.base))
                .basic_auth("provider-api", Some(PASSWORD))
                .body("id=1"),
        )
        .await;
    assert_eq!(r.code, Some(4200));
    let r = p
        .multipart(
            "upload",
            &[("file", Some("t.bin"), b"x"), ("id", None, ids.as_bytes())],
            0,
        )
        .await;
    assert_eq!(r.code, Some(4000));

    // Only the one good upload is on disk (the refused ones left nothing, not even temp files).
    let stored: Vec<_> = all_files(app.files.path());
    assert_eq!(stored.len(), 1, "refused uploads left files behind");

    // After finish: 5102 for upload and fileinfo; after retract: 5101.
    assert_eq!(p.form("finish", id).await.code, Some(0));
    assert_eq!(p.upload(id, "late.bin", b"x").await.code, Some(5102));
    assert_eq!(p.fileinfo(&file_details(id, &fid)).await.code, Some(5102));
    let r2 = p.submit(xml).await.report_id.unwrap();
    assert_eq!(p.form("retract", r2).await.code, Some(0));
    assert_eq!(p.upload(r2, "late.bin", b"x").await.code, Some(5101));

    // A fileDetails document that is not XML.
    let r = p.fileinfo("<fileDetails><reportId>1").await;
    assert_eq!(r.code, Some(4110), "{}", r.body);
}

#[tokio::test]
async fn basic_credentials_open_only_the_provider_api_and_only_for_provider_accounts() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // An analyst's password alone must never pass for a session: no second factor, no CSRF.
    for path in ["/reports", "/api/v1/me", "/admin/users"] {
        let r = http
            .get(format!("{}{path}", app.base))
            .basic_auth("analyst", Some(PASSWORD))
            .send()
            .await
            .unwrap();
        assert_ne!(
            r.status().as_u16(),
            200,
            "{path} opened with Basic credentials"
        );
    }
    let r = http
        .get(format!("{}/ispws/status", app.base))
        .basic_auth("analyst", Some(PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    // A provider account's Basic credentials do not open the web pages either.
    let r = http
        .get(format!("{}/api/v1/me", app.base))
        .basic_auth("provider-api", Some(PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}
