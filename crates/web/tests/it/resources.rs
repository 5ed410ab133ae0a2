//! The recovery resource directory (issue 19): an HSDS package of 200 generated services
//! imported with one malformed row (reported by file and line, the other 199 stored, a
//! re-import updating rather than duplicating), searched by need and state on the page
//! and the API, a service added and edited through the form, and the directory closed to
//! law enforcement and volunteers.

use crate::helpers::TestApp;
use domain::Role;
use recovery::Need;
use reqwest::Method;
use serde_json::json;

const SEED: u64 = 19;

/// The generated package with service 56's row cut short.
fn package_with_a_bad_row() -> recovery::hsds::Files {
    let mut files = synth::resources::package(SEED, 200);
    let text = String::from_utf8(files["services.csv"].clone()).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    // Line 1 is the header; service i is on line i + 2 (no generated field has a line break).
    assert!(lines[57].starts_with("sample-service-00056,"));
    lines[57] = "sample-service-00056,sample-organization-00056,,A row cut short".into();
    files.insert(
        "services.csv".into(),
        (lines.join("\n") + "\n").into_bytes(),
    );
    files
}

#[tokio::test]
async fn an_hsds_package_is_imported_searched_and_kept_from_law_enforcement() {
    let app = TestApp::spawn().await;
    let summary = app
        .services
        .import_resources_as_operator(&package_with_a_bad_row())
        .await
        .unwrap();
    assert_eq!((summary.added, summary.updated), (199, 0), "{summary}");
    assert_eq!(summary.rejected.len(), 1, "{:?}", summary.rejected);
    let r = &summary.rejected[0];
    assert_eq!((r.file.as_str(), r.line), ("services.csv", 58));
    assert!(
        r.to_string()
            .contains("has 4 fields where the header has 23"),
        "{r}"
    );

    // Re-importing the whole package updates the 199 and adds the one now readable.
    let again = app
        .services
        .import_resources_as_operator(&synth::resources::package(SEED, 200))
        .await
        .unwrap();
    assert_eq!(
        (again.added, again.updated, again.rejected.len()),
        (1, 199, 0)
    );

    // Search by need and state, as the generator made them.
    let all = synth::resources::services(SEED, 200);
    let state = all[0].locations[0].state.clone().unwrap();
    let need = all[0].needs[0];
    let expected = all
        .iter()
        .filter(|s| s.needs.contains(&need) && s.states().contains(&state))
        .count();
    assert!(expected >= 1);
    let specialist = app.login(Role::RecoverySpecialist).await;
    let res = specialist
        .send_json(
            Method::GET,
            &format!(
                "/api/v1/resources?need={}&state={}",
                need.code(),
                state.to_lowercase()
            ),
            None,
            None,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(v["total"], expected as i64, "{}", res.body);
    for s in v["services"].as_array().unwrap() {
        assert!(s["needs"].as_array().unwrap().contains(&json!(need.code())));
        assert_eq!(s["locations"][0]["state"], json!(state));
    }
    let unknown = specialist
        .send_json(Method::GET, "/api/v1/resources?need=housing", None, None)
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    assert!(unknown.body.contains("shelter_housing"), "{}", unknown.body);

    // The page: results with the stale marker, paging, and an empty state.
    let page = specialist.get("/recovery/resources").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("200 services, page 1 of 8"),
        "{}",
        page.body
    );
    assert!(page.body.contains("not verified for over a year"));
    assert!(page.body.contains("rel=\"next\""));
    let page = specialist
        .get(&format!(
            "/recovery/resources?need={}&state={state}",
            need.code()
        ))
        .await;
    assert!(
        page.body.contains(&format!("{expected} service")),
        "{}",
        page.body
    );
    let none = specialist.get("/recovery/resources?language=Klingon").await;
    assert!(
        none.body.contains("No services match this search"),
        "{}",
        none.body
    );
    let bad_age = specialist.get("/recovery/resources?age=sixteen").await;
    assert!(bad_age.body.contains("There is a problem"));

    // One service's page, by the API's id.
    let id = v["services"][0]["id"].as_i64().unwrap();
    let detail = specialist.get(&format!("/recovery/resources/{id}")).await;
    assert_eq!(detail.status, 200);
    assert!(detail.body.contains("How to refer"));

    // A caseworker reads but does not edit; law enforcement and volunteers see nothing.
    let caseworker = app.login(Role::Caseworker).await;
    assert_eq!(caseworker.get("/recovery/resources").await.status, 200);
    assert_eq!(
        caseworker
            .get(&format!("/recovery/resources/{id}/edit"))
            .await
            .status,
        403
    );
    for role in [Role::Investigator, Role::Volunteer] {
        let c = app.login(role).await;
        assert_eq!(c.get("/recovery/resources").await.status, 403, "{role}");
        assert_eq!(
            c.get(&format!("/recovery/resources/{id}")).await.status,
            403,
            "{role}"
        );
        let api = c
            .send_json(Method::GET, &format!("/api/v1/resources/{id}"), None, None)
            .await;
        assert_eq!(api.status, 403, "{role}");
        let home = c.get("/").await.body;
        assert!(!home.contains("/recovery/resources"), "{role}");
    }
    assert!(specialist
        .get("/")
        .await
        .body
        .contains("href=\"/recovery/resources\""));
}

#[tokio::test]
async fn a_service_is_added_and_edited_through_the_form_and_the_api() {
    let app = TestApp::spawn().await;
    let c = app.login(Role::RecoverySpecialist).await;
    assert_eq!(c.get("/recovery/resources/new").await.status, 200);
    // Errors are named by field, in GOV.UK's summary, and the form is shown again.
    let res = c
        .post_form(
            "/recovery/resources",
            &[
                ("name", "Night shelter"),
                ("min_age", "18"),
                ("max_age", "12"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("There is a problem"));
    assert!(res.body.contains("href=\"#organisation\""));
    assert!(res.body.contains("href=\"#needs\""));
    assert!(res.body.contains("The maximum age must be 18 or more"));
    assert!(res.body.contains("value=\"Night shelter\""));

    let res = c
        .post_form(
            "/recovery/resources",
            &[
                ("organisation", "Sample Harbor Youth Services"),
                ("name", "Night shelter"),
                ("needs", "shelter_housing"),
                ("needs", "basic_needs"),
                ("min_age", "12"),
                ("max_age", "17"),
                ("languages", "English, Spanish"),
                ("city", "Springfield"),
                ("state", "il"),
                ("county", "Sangamon County"),
                ("phone", "217-555-0100"),
                ("last_verified", "2020-01-01"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = c.follow(&res).await;
    assert!(page.body.contains("was added to the directory"));
    assert!(page.body.contains("Not verified for over a year"));
    let loc = res
        .headers
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let id: i64 = loc.rsplit('/').next().unwrap().parse().unwrap();

    let res = c
        .post_form(
            &format!("/recovery/resources/{id}"),
            &[
                ("organisation", "Sample Harbor Youth Services"),
                ("name", "Night shelter for girls"),
                ("needs", "shelter_housing"),
                ("sex", "female"),
                ("state", "IL"),
                ("county", "Sangamon County"),
                ("last_verified", "2026-11-30"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let v: serde_json::Value = serde_json::from_str(
        &c.send_json(Method::GET, &format!("/api/v1/resources/{id}"), None, None)
            .await
            .body,
    )
    .unwrap();
    assert_eq!(v["name"], "Night shelter for girls");
    assert_eq!(v["eligibility"]["sex"], "female");
    assert_eq!(v["locations"][0]["state"], "IL");
    assert_eq!(v["needs"], json!([Need::ShelterHousing.code()]));

    // The API adds one with its own HSDS id, and says which field was wrong.
    let bad = c
        .send_json(
            Method::POST,
            "/api/v1/resources",
            Some(json!({"organisation": "Sample Org", "name": "Clinic", "needs": ["medical"], "email": "nobody"})),
            None,
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("\"field\":\"email\""), "{}", bad.body);
    let made = c
        .send_json(
            Method::POST,
            "/api/v1/resources",
            Some(json!({"hsds_id": "given-id-1", "organisation": "Sample Org", "name": "Clinic", "needs": ["medical"], "state": "TX"})),
            None,
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let made: serde_json::Value = serde_json::from_str(&made.body).unwrap();
    assert_eq!(made["hsds_id"], "given-id-1");
    let again = c
        .send_json(
            Method::POST,
            "/api/v1/resources",
            Some(json!({"hsds_id": "given-id-1", "organisation": "Sample Org", "name": "Clinic", "needs": ["medical"]})),
            None,
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    let put = c
        .send_json(
            Method::PUT,
            &format!("/api/v1/resources/{}", made["id"]),
            Some(json!({"organisation": "Sample Org", "name": "Clinic (walk-in)", "needs": ["medical", "mental_health"]})),
            None,
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.body);
    assert!(put.body.contains("Clinic (walk-in)"));

    // Every change is in the audit log.
    let admin = app.login(Role::Administrator).await;
    let log = admin
        .send_json(Method::GET, "/api/v1/audit", None, None)
        .await
        .body;
    assert!(log.contains("resource.create"), "{log}");
    assert!(log.contains("resource.update"), "{log}");
}

#[tokio::test]
async fn a_package_is_imported_and_exported_over_the_api() {
    let app = TestApp::spawn().await;
    let c = app.login(Role::RecoverySpecialist).await;
    let files: serde_json::Map<String, serde_json::Value> = synth::resources::package(4, 10)
        .into_iter()
        .map(|(k, v)| (k, json!(String::from_utf8(v).unwrap())))
        .collect();
    let mut bad = files.clone();
    bad.insert("services.txt".into(), json!("id\n"));
    let res = c
        .send_json(
            Method::POST,
            "/api/v1/resources/import",
            Some(json!({"files": bad})),
            None,
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("files.services.txt"), "{}", res.body);

    let mut one_bad = files.clone();
    let services = files["services.csv"]
        .as_str()
        .unwrap()
        .replacen(",12,17,", ",12,seventeen,", 1);
    one_bad.insert("services.csv".into(), json!(services));
    let res = c
        .send_json(
            Method::POST,
            "/api/v1/resources/import",
            Some(json!({"files": one_bad})),
            None,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(v["added"], 9, "{v}");
    assert_eq!(v["rejected"][0]["file"], "services.csv");
    assert!(
        v["rejected"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("maximum_age 'seventeen'"),
        "{v}"
    );

    let res = c
        .send_json(
            Method::POST,
            "/api/v1/resources/import",
            Some(json!({"files": files})),
            None,
        )
        .await;
    let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert_eq!(
        (v["added"].clone(), v["updated"].clone()),
        (json!(1), json!(9)),
        "{v}"
    );

    let res = c
        .send_json(Method::GET, "/api/v1/resources/export", None, None)
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    let exported: recovery::hsds::Files = v["files"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, t)| (k.clone(), t.as_str().unwrap().as_bytes().to_vec()))
        .collect();
    let mut back = recovery::hsds::read_package(&exported).services;
    back.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(back, synth::resources::services(4, 10));

    // A caseworker reads the directory but neither imports nor exports it.
    let cw = app.login(Role::Caseworker).await;
    assert_eq!(
        cw.send_json(Method::GET, "/api/v1/resources/export", None, None)
            .await
            .status,
        403
    );
}
