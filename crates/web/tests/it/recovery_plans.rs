//! Recovery plans and referrals (issue 19): a recovery recorded at an episode offers a plan
//! prefilled and linked to the case; a referral runs through its statuses with a reason
//! each and its outcome; an investigator gets 403 on a plan until the young person
//! consents to a share with their agency, then reads it without the narrative; a volunteer
//! never reaches a plan; in Chromium, a recovery specialist opens the due plan, adds a goal
//! in the young person's words, refers to a service and records the outcome.

use crate::browser::Browser;
use crate::helpers::{Client, TestApp};
use domain::Role;
use fantoccini::Locator;
use reqwest::Method;
use serde_json::json;
use service::accounts::Actor;

/// `YYYY-MM-DD`, `days` from the server's today (negative: before).
pub(crate) fn day(app: &TestApp, days: i64) -> String {
    recovery::model::format_date(app.services.today() + time::Duration::days(days))
}

fn plan_id(location: Option<&str>) -> i64 {
    let loc = location.expect("a redirect to the plan");
    loc.trim_start_matches("/recovery/plans/")
        .parse()
        .unwrap_or_else(|_| panic!("{loc}"))
}

/// Opens a plan through the form and returns its id.
pub(crate) async fn open_plan(c: &Client, fields: &[(&str, &str)]) -> i64 {
    let res = c.post_form("/recovery/plans", fields).await;
    assert_eq!(res.status, 303, "{}", res.body);
    plan_id(res.location.as_deref())
}

async fn audit_actions(app: &TestApp) -> Vec<(String, Option<String>, Option<String>)> {
    store::audit::page(app.services.store.reader(), None, Some(i64::MAX), 500)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.record_id, e.detail))
        .collect()
}

async fn org_id(app: &TestApp, name: &str) -> i64 {
    app.services
        .orgs(&Actor::Operator)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.name == name)
        .unwrap()
        .id
        .0
}

/// A few directory services, and the id of the first.
pub(crate) async fn some_services(app: &TestApp) -> i64 {
    app.services
        .import_resources_as_operator(&synth::resources::package(19, 5))
        .await
        .unwrap();
    store::resources::all(app.services.store.reader())
        .await
        .unwrap()[0]
        .id
}

/// Reports Rowan Example missing through the caseworker's form; the case and its episode.
async fn missing_case(app: &TestApp, cw: &Client) -> (i64, i64) {
    let fields: Vec<(&str, String)> = vec![
        ("name", "Rowan Example".into()),
        ("date_of_birth", "2011-04-02".into()),
        ("sex", "female".into()),
        ("description", "5 ft 2 in, brown hair".into()),
        ("custody", "foster_care".into()),
        ("agency_name", "Test Child Welfare".into()),
        ("caseworker_name", "Casey Quillfeather".into()),
        ("reported_on", day(app, -2)),
        ("last_seen_on", day(app, -3)),
        ("last_seen_city", "Tulsa".into()),
        ("last_seen_state", "OK".into()),
        ("circumstance", "missing_from_care".into()),
        ("reported_by", "foster parent".into()),
    ];
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = cw.post_form("/cases", &f).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let case: i64 = res
        .location
        .unwrap()
        .trim_start_matches("/cases/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let eps: serde_json::Value =
        serde_json::from_str(&cw.get(&format!("/api/v1/cases/{case}/episodes")).await.body)
            .unwrap();
    (case, eps[0]["id"].as_i64().unwrap())
}

#[tokio::test]
async fn a_recovery_at_an_episode_offers_a_plan_linked_to_the_case() {
    let app = TestApp::spawn().await;
    let cw = app.login(Role::Caseworker).await;
    let (case, ep) = missing_case(&app, &cw).await;
    let link = format!("/recovery/plans/new?case={case}&#38;episode={ep}");
    assert!(!cw.get(&format!("/cases/{case}")).await.body.contains(&link));

    let res = cw
        .post_form(
            &format!("/cases/{case}/episodes/{ep}/recovery"),
            &[
                ("recovered_on", &day(&app, -1)),
                ("recovery_city", "Dallas"),
                ("recovery_state", "TX"),
                ("recovery_how", "located by police"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    // The recorded recovery offers the plan.
    let page = cw.follow(&res).await.body;
    assert!(page.contains("Open a recovery plan"), "{page}");
    assert!(page.contains(&link), "{page}");

    // The form is prefilled from the case and linked to it.
    let form = cw
        .get(&format!("/recovery/plans/new?case={case}&episode={ep}"))
        .await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body.contains("value=\"Rowan Example\""),
        "{}",
        form.body
    );
    assert!(form.body.contains("value=\"2011-04-02\""));
    assert!(form
        .body
        .contains(&format!("name=\"case_id\" value=\"{case}\"")));

    // A form with a mistake names the field.
    let bad = cw
        .post_form(
            "/recovery/plans",
            &[("young_person", ""), ("case_id", &case.to_string())],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("There is a problem"));
    assert!(bad.body.contains("href=\"#young_person\""), "{}", bad.body);

    let next = day(&app, 20);
    let id = open_plan(
        &cw,
        &[
            ("young_person", "Rowan Example"),
            ("date_of_birth", "2011-04-02"),
            ("safety", "safe_contact_only"),
            ("next_review", &next),
            ("needs", "housing"),
            ("needs", "education"),
            ("case_id", &case.to_string()),
            ("episode_id", &ep.to_string()),
        ],
    )
    .await;
    let plan = cw.get(&format!("/recovery/plans/{id}")).await;
    assert_eq!(plan.status, 200, "{}", plan.body);
    assert!(plan.body.contains(&format!("href=\"/cases/{case}\"")));
    assert!(plan.body.contains("Safe contact only"));
    assert!(plan.body.contains("Housing") && plan.body.contains("Education"));

    // Opened once: the form says so when opened again from the same recovery.
    let again = cw
        .get(&format!("/recovery/plans/new?case={case}&episode={ep}"))
        .await;
    assert!(again
        .body
        .contains(&format!("href=\"/recovery/plans/{id}\"")));

    // The caseload lists it; the API agrees.
    let area = cw.get("/recovery").await;
    assert_eq!(area.status, 200);
    assert!(area.body.contains(&format!("/recovery/plans/{id}")));
    let list: serde_json::Value =
        serde_json::from_str(&cw.get("/api/v1/recovery-plans").await.body).unwrap();
    assert_eq!(list["plans"][0]["id"], id);
    assert_eq!(list["plans"][0]["case_id"], case);
    assert_eq!(list["plans"][0]["safety"], "safe_contact_only");

    let audit = audit_actions(&app).await;
    let pid = Some(id.to_string());
    assert!(audit.iter().any(|(a, r, d)| a == "recovery_plan.open"
        && *r == pid
        && d.as_deref()
            == Some(&*format!(
                "opened at the recovery of case {case}, episode {ep}"
            ))));
    assert!(audit
        .iter()
        .any(|(a, r, _)| a == "recovery_plan.view" && *r == pid));
}

/// The plans linked to this case and episode.
async fn plans_at(app: &TestApp, case: i64, ep: i64) -> Vec<store::plans::PlanRow> {
    store::plans::caseload(app.services.store.reader(), None, false, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|p| p.case_id == Some(case) && p.episode_id == Some(ep))
        .collect()
}

#[tokio::test]
async fn recording_a_recovery_opens_the_plan_once() {
    let app = TestApp::spawn().await;
    let cw = app.login(Role::Caseworker).await;
    let (case, ep) = missing_case(&app, &cw).await;
    // The box is offered, ticked.
    let page = cw.get(&format!("/cases/{case}")).await.body;
    assert!(
        page.contains(&format!(
            "id=\"open-plan-box-{ep}\" name=\"open_plan\" value=\"yes\""
        )),
        "{page}"
    );
    assert!(page.contains("Open a recovery plan for this young person"));
    assert!(page.contains(&format!(
        "aria-describedby=\"open-plan-hint-{ep}\" checked>"
    )));

    let recovery = format!("/cases/{case}/episodes/{ep}/recovery");
    let res = cw
        .post_form(
            &recovery,
            &[
                ("recovered_on", &day(&app, -1)),
                ("recovery_city", "Dallas"),
                ("recovery_state", "TX"),
                ("recovery_how", "located by police"),
                ("open_plan", "yes"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let plans = plans_at(&app, case, ep).await;
    assert_eq!(plans.len(), 1);
    let plan = &plans[0];
    assert_eq!(plan.young_person, "Rowan Example");
    assert_eq!(plan.date_of_birth.as_deref(), Some("2011-04-02"));
    assert_eq!(plan.next_review, Some(day(&app, 14)));
    // The banner links to it; the recorder is on its team.
    let landed = cw.follow(&res).await.body;
    assert!(
        landed.contains(&format!(
            "<a href=\"/recovery/plans/{}\" id=\"notification-link\">Open the recovery plan</a>",
            plan.id
        )),
        "{landed}"
    );
    // The case page links the episode to its plan instead of offering another.
    assert!(landed.contains(&format!(
        "<a href=\"/recovery/plans/{}\" class=\"no-print\" id=\"plan-{ep}\">",
        plan.id
    )));
    assert!(!landed.contains(&format!("id=\"open-plan-{ep}\"")));
    let shown = cw.get(&format!("/recovery/plans/{}", plan.id)).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert!(shown.body.contains(&format!("href=\"/cases/{case}\"")));
    let audit = audit_actions(&app).await;
    assert_eq!(
        audit
            .iter()
            .filter(|(a, r, d)| a == "recovery_plan.open"
                && *r == Some(plan.id.to_string())
                && d.as_deref()
                    == Some(&*format!(
                        "opened at the recovery of case {case}, episode {ep}"
                    )))
            .count(),
        1
    );
    assert!(audit.iter().any(|(a, _, _)| a == "case.recovery"));

    // Recording it again is refused and opens nothing more, by the form or the API.
    let again = cw
        .post_form(
            &recovery,
            &[
                ("recovered_on", &day(&app, -1)),
                ("recovery_city", "Dallas"),
                ("recovery_state", "TX"),
                ("recovery_how", "located by police"),
                ("open_plan", "yes"),
            ],
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    let api = format!("/api/v1/cases/{case}/episodes/{ep}/recovery");
    let body = json!({"recovered_on": day(&app, -1), "recovery_city": "Dallas",
        "recovery_state": "TX", "recovery_how": "located by police", "open_plan": true});
    let again = cw
        .send_json(Method::POST, &api, Some(body.clone()), None)
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(plans_at(&app, case, ep).await.len(), 1);

    // An analyst records recoveries but may not open plans: the recovery is recorded,
    // without a plan and without an error; the form does not offer the box.
    let (case2, ep2) = missing_case(&app, &cw).await;
    let an = app.login(Role::Analyst).await;
    let page = an.get(&format!("/cases/{case2}")).await.body;
    assert!(page.contains(&format!("/cases/{case2}/episodes/{ep2}/recovery")));
    assert!(!page.contains("name=\"open_plan\""));
    let res = an
        .send_json(
            Method::POST,
            &format!("/api/v1/cases/{case2}/episodes/{ep2}/recovery"),
            Some(body),
            None,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    assert!(v["plan_id"].is_null(), "{v}");
    assert!(plans_at(&app, case2, ep2).await.is_empty());
    let eps: serde_json::Value = serde_json::from_str(
        &an.get(&format!("/api/v1/cases/{case2}/episodes"))
            .await
            .body,
    )
    .unwrap();
    assert_eq!(eps[0]["recovery_city"], "Dallas");

    // Through the API, a caseworker's recovery opens the plan and names it.
    let (case3, ep3) = missing_case(&app, &cw).await;
    let res = cw
        .send_json(
            Method::POST,
            &format!("/api/v1/cases/{case3}/episodes/{ep3}/recovery"),
            Some(
                json!({"recovered_on": day(&app, 0), "recovery_city": "Tulsa",
                "recovery_state": "OK", "recovery_how": "came home", "open_plan": true}),
            ),
            None,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
    let plans = plans_at(&app, case3, ep3).await;
    assert_eq!(plans.len(), 1);
    assert_eq!(v["plan_id"], plans[0].id);
}

#[tokio::test]
async fn a_referral_runs_through_its_statuses_with_reasons() {
    let app = TestApp::spawn().await;
    let service = some_services(&app).await;
    let rs = app.login(Role::RecoverySpecialist).await;
    let id = open_plan(
        &rs,
        &[
            ("young_person", "Sam"),
            ("needs", "housing"),
            ("next_review", &day(&app, 10)),
        ],
    )
    .await;
    let res = rs
        .post_form(
            &format!("/recovery/plans/{id}/referrals"),
            &[
                ("service", &service.to_string()),
                ("need", "housing"),
                ("shared", "first name and the housing need"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let loc = res.location.clone().unwrap();
    let rid: i64 = loc
        .trim_start_matches("/recovery/referrals/")
        .parse()
        .unwrap();
    let page = rs.follow(&res).await.body;
    assert!(page.contains("Proposed"), "{page}");

    let mv = |to: &'static str, reason: &'static str, outcome: &'static str| {
        let rs = &rs;
        async move {
            rs.post_form(
                &format!("/recovery/referrals/{rid}/status"),
                &[("status", to), ("reason", reason), ("outcome", outcome)],
            )
            .await
        }
    };
    // A move needs a reason, and must be one the workflow allows.
    let r = mv("sent", "", "").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("the reason is empty"), "{}", r.body);
    assert_eq!(mv("engaged", "skipping ahead", "").await.status, 422);
    for (to, why) in [
        ("sent", "emailed the intake form"),
        ("accepted", "a place from Monday"),
        ("engaged", "went to the first session"),
    ] {
        assert_eq!(mv(to, why, "").await.status, 303, "{to}");
    }
    let r = mv("completed", "programme finished", "").await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("needs its outcome"), "{}", r.body);
    assert_eq!(
        mv("completed", "programme finished", "Housed for six months")
            .await
            .status,
        303
    );
    assert_eq!(mv("withdrawn", "too late", "").await.status, 422);

    // The API lists the plan's referrals with every move.
    let list: serde_json::Value =
        serde_json::from_str(&rs.get(&format!("/api/v1/referrals?plan={id}")).await.body).unwrap();
    let r = &list["referrals"][0];
    assert_eq!(r["status"], "completed");
    assert_eq!(r["outcome"], "Housed for six months");
    let moves: Vec<(&str, &str)> = r["moves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["to"].as_str().unwrap(), m["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(moves.len(), 5, "{moves:?}");
    assert_eq!(moves[1], ("sent", "emailed the intake form"));
    assert_eq!(moves[4], ("completed", "programme finished"));

    // Over the API: a second referral, declined.
    let res = rs
        .send_json(
            Method::POST,
            "/api/v1/referrals",
            Some(json!({"plan_id": id, "service_id": service, "need": "housing", "shared": "first name"})),
            None,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let second = serde_json::from_str::<serde_json::Value>(&res.body).unwrap()["id"]
        .as_i64()
        .unwrap();
    for (to, code) in [("accepted", 422), ("sent", 204), ("declined", 204)] {
        let res = rs
            .send_json(
                Method::POST,
                &format!("/api/v1/referrals/{second}/status"),
                Some(json!({"status": to, "reason": "phoned them"})),
                None,
            )
            .await;
        assert_eq!(res.status, code, "{to}: {}", res.body);
    }

    // What was shared with the service is in the audit.
    let audit = audit_actions(&app).await;
    assert!(audit.iter().any(|(a, r, d)| a == "referral.create"
        && *r == Some(rid.to_string())
        && d.as_deref()
            .is_some_and(|d| d.contains("shared: first name and the housing need"))));
    assert!(audit.iter().any(|(a, _, d)| a == "referral.move"
        && d.as_deref()
            .is_some_and(|d| d.starts_with("proposed to sent; shared with"))));

    // The plan's statistics count, never list.
    let stats = app
        .services
        .plan_statistics(&domain::Principal {
            user_id: domain::UserId(1),
            username: domain::Username::parse("supervisor").unwrap(),
            org_id: domain::OrgId(1),
            org_kind: domain::OrgKind::Hotline,
            role: Role::Supervisor,
        })
        .await
        .unwrap();
    assert_eq!(stats.plans_opened, 1);
    assert_eq!(stats.median_days_to_engagement, Some(0));
    assert_eq!(
        stats.referrals.iter().map(|r| r.2).sum::<i64>(),
        2,
        "{stats:?}"
    );
}

#[tokio::test]
async fn an_investigator_sees_a_plan_only_after_consent_to_their_agency() {
    let app = TestApp::spawn().await;
    let rs = app.login(Role::RecoverySpecialist).await;
    let id = open_plan(
        &rs,
        &[
            ("young_person", "Jo"),
            ("needs", "legal"),
            ("strengths", "secretstrength: loves drawing"),
        ],
    )
    .await;
    let inv = app.login(Role::Investigator).await;
    let page = format!("/recovery/plans/{id}");
    let api = format!("/api/v1/recovery-plans/{id}");
    assert_eq!(inv.get(&page).await.status, 403);
    assert_eq!(inv.get(&api).await.status, 403);
    assert_eq!(inv.get(&format!("{page}/print")).await.status, 403);
    // A caseworker outside the team does not see it either; a supervisor does, without
    // the narrative.
    let cw = app.login(Role::Caseworker).await;
    assert_eq!(cw.get(&page).await.status, 403);
    let sup = app.login(Role::Supervisor).await;
    let s = sup.get(&page).await;
    assert_eq!(s.status, 200);
    assert!(!s.body.contains("secretstrength"));
    // A supervisor may change the plan but not what only the team reads, which is kept.
    let edit = sup.get(&format!("{page}/edit")).await;
    assert_eq!(edit.status, 200);
    assert!(!edit.body.contains("name=\"strengths\""));
    let res = sup
        .post_form(
            &page,
            &[
                ("young_person", "Jo"),
                ("needs", "legal"),
                ("safety", "do_not_contact"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let own = rs.get(&page).await.body;
    assert!(own.contains("secretstrength") && own.contains("Do not contact"));
    // A mistake shows the supervisor's form again without the team's fields (they were
    // never on it, and would look cleared); someone outside the team gets 403.
    let bad = sup
        .post_form(&page, &[("young_person", " "), ("needs", "legal")])
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("href=\"#young_person\""), "{}", bad.body);
    assert!(!bad.body.contains("name=\"strengths\""), "{}", bad.body);
    assert!(!bad.body.contains("name=\"needs_note\""));
    assert_eq!(
        cw.post_form(&page, &[("young_person", " ")]).await.status,
        403
    );
    let own = rs.get(&page).await.body;
    assert!(own.contains("secretstrength") && own.contains("Do not contact"));

    // The young person agrees to a share with the investigator's agency.
    let agency = org_id(&app, "Agency A").await.to_string();
    let res = rs
        .post_form(
            &format!("{page}/consents"),
            &[
                ("org", &agency),
                ("what", "that a plan exists and its referrals"),
                ("given_on", &day(&app, 0)),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let seen = inv.get(&page).await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert!(seen.body.contains("consented to a share with your agency"));
    assert!(!seen.body.contains("secretstrength"), "{}", seen.body);
    assert!(!seen.body.contains("id=\"goal-form\""));
    let detail: serde_json::Value = serde_json::from_str(&inv.get(&api).await.body).unwrap();
    assert_eq!(detail["access"], "consented");
    assert!(detail["narrative"].is_null());
    // Read-only.
    assert_eq!(
        inv.post_form(&format!("{page}/goals"), &[("words", "x")])
            .await
            .status,
        403
    );
    // Another agency still sees nothing; every view is audited.
    let audit = audit_actions(&app).await;
    assert!(audit.iter().any(|(a, r, d)| a == "recovery_plan.view"
        && *r == Some(id.to_string())
        && d.as_deref() == Some("with the young person's consent to their agency")));
    assert!(audit.iter().any(|(a, _, d)| a == "recovery_plan.consent"
        && d.as_deref().is_some_and(|d| d.contains("Agency A"))));
}

async fn user_id(app: &TestApp, role: Role) -> i64 {
    store::users::by_username(app.services.store.reader(), &app.usernames[&role])
        .await
        .unwrap()
        .unwrap()
        .id
        .0
}

#[tokio::test]
async fn a_withdrawn_consent_closes_the_plan_to_the_agency_again() {
    let app = TestApp::spawn().await;
    let rs = app.login(Role::RecoverySpecialist).await;
    let id = open_plan(&rs, &[("young_person", "Jo"), ("needs", "legal")]).await;
    let page = format!("/recovery/plans/{id}");
    let api = format!("/api/v1/recovery-plans/{id}");
    let agency = org_id(&app, "Agency A").await.to_string();
    let res = rs
        .post_form(
            &format!("{page}/consents"),
            &[
                ("org", &agency),
                ("what", "that a plan exists"),
                ("given_on", &day(&app, -3)),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let inv = app.login(Role::Investigator).await;
    assert_eq!(inv.get(&page).await.status, 200);
    let detail: serde_json::Value = serde_json::from_str(&rs.get(&api).await.body).unwrap();
    let consent = detail["consents"][0]["id"].as_i64().unwrap();
    assert!(detail["consents"][0]["withdrawn_on"].is_null());
    let withdraw = format!("{page}/consents/{consent}/withdraw");
    assert!(rs
        .get(&page)
        .await
        .body
        .contains(&format!("id=\"withdraw-{consent}\"")));

    // The investigator cannot withdraw it for them; a reason is needed.
    assert_eq!(
        inv.post_form(&withdraw, &[("reason", "x")]).await.status,
        403
    );
    let bad = rs.post_form(&withdraw, &[("reason", " ")]).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("There is a problem"));
    assert!(
        bad.body
            .contains(&format!("href=\"#withdraw-reason-{consent}\"")),
        "{}",
        bad.body
    );
    assert_eq!(inv.get(&page).await.status, 200);

    let res = rs
        .post_form(
            &withdraw,
            &[("reason", "changed their mind after talking to the team")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(rs
        .follow(&res)
        .await
        .body
        .contains("The consent was withdrawn"));
    // From then on the agency sees nothing again.
    assert_eq!(inv.get(&page).await.status, 403);
    assert_eq!(inv.get(&api).await.status, 403);
    assert_eq!(inv.get(&format!("{page}/print")).await.status, 403);
    // The plan keeps its history: struck through, with the day and the reason.
    let own = rs.get(&page).await.body;
    assert!(own.contains("<del><strong>Agency A</strong>"), "{own}");
    assert!(
        own.contains(&format!("Withdrawn {}", day(&app, 0))),
        "{own}"
    );
    assert!(own.contains("changed their mind after talking to the team"));
    assert!(!own.contains(&format!("id=\"withdraw-{consent}\"")));
    let detail: serde_json::Value = serde_json::from_str(&rs.get(&api).await.body).unwrap();
    assert_eq!(detail["consents"][0]["withdrawn_on"], day(&app, 0));
    // Withdrawn once.
    assert_eq!(
        rs.post_form(&withdraw, &[("reason", "again")]).await.status,
        409
    );
    let audit = audit_actions(&app).await;
    assert_eq!(
        audit
            .iter()
            .filter(|(a, r, d)| a == "recovery_plan.consent_withdrawn"
                && *r == Some(id.to_string())
                && d.as_deref()
                    .is_some_and(|d| d.contains("Agency A") && d.contains("changed their mind")))
            .count(),
        1
    );
    // A new consent opens it again.
    let res = rs
        .post_form(
            &format!("{page}/consents"),
            &[
                ("org", &agency),
                ("what", "that a plan exists"),
                ("given_on", &day(&app, 0)),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(inv.get(&page).await.status, 200);
}

#[tokio::test]
async fn a_member_taken_off_the_team_loses_the_plan() {
    let app = TestApp::spawn().await;
    let rs = app.login(Role::RecoverySpecialist).await;
    let cw = app.login(Role::Caseworker).await;
    let id = open_plan(&rs, &[("young_person", "Sam"), ("needs", "housing")]).await;
    let page = format!("/recovery/plans/{id}");
    let me = user_id(&app, Role::RecoverySpecialist).await;
    let them = user_id(&app, Role::Caseworker).await;
    // Alone on the team: nobody can be taken off.
    let alone = rs.get(&page).await.body;
    assert!(alone.contains("id=\"last-member\""));
    assert!(!alone.contains("/remove\""));
    let res = rs.post_form(&format!("{page}/team/{me}/remove"), &[]).await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("last member"), "{}", res.body);
    assert_eq!(rs.get(&page).await.status, 200);

    let res = rs
        .post_form(&format!("{page}/team"), &[("user", &them.to_string())])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(cw.get(&page).await.status, 200);
    assert!(rs
        .get(&page)
        .await
        .body
        .contains(&format!("id=\"remove-member-{them}\"")));
    let res = rs
        .post_form(&format!("{page}/team/{them}/remove"), &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(rs.follow(&res).await.body.contains("taken off the team"));
    // They lose it: the page, the API, their caseload, and changing it.
    assert_eq!(cw.get(&page).await.status, 403);
    assert_eq!(
        cw.get(&format!("/api/v1/recovery-plans/{id}")).await.status,
        403
    );
    assert!(!cw.get("/recovery").await.body.contains(&page));
    assert_eq!(
        cw.post_form(&format!("{page}/goals"), &[("words", "x")])
            .await
            .status,
        403
    );
    // Someone not on the team is not found there; the audit names who was removed.
    assert_eq!(
        rs.post_form(&format!("{page}/team/{them}/remove"), &[])
            .await
            .status,
        404
    );
    let audit = audit_actions(&app).await;
    assert!(audit.iter().any(|(a, r, d)| a == "recovery_plan.team"
        && *r == Some(id.to_string())
        && d.as_deref().is_some_and(|d| d.starts_with("removed "))));
}

/// A public tip: a finished report of the hotline; its number.
async fn tip(app: &TestApp) -> i64 {
    let res = app
        .client()
        .post_form(
            "/tip",
            &[
                ("incident_type", "Child Sex Trafficking"),
                (
                    "what_happened",
                    "A young person at a bus station asked for help.",
                ),
                ("state", "NV"),
                ("website", ""),
            ],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let i = res
        .body
        .find("id=\"report-number\">")
        .expect("report number")
        + 19;
    res.body[i..i + res.body[i..].find('<').unwrap()]
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_plan_links_to_a_report_its_opener_may_see() {
    let app = TestApp::spawn().await;
    let report = tip(&app).await.to_string();
    fn form(r: &str) -> Vec<(&str, &str)> {
        vec![
            ("young_person", "Kim"),
            ("needs", "safety"),
            ("report_id", r),
        ]
    }
    // The form offers the field.
    let rs = app.login(Role::RecoverySpecialist).await;
    let new = rs.get("/recovery/plans/new").await.body;
    assert!(new.contains("id=\"report_id\" name=\"report_id\""), "{new}");
    // A recovery specialist does not read the hotline's reports: refused by the field,
    // the same as a report that does not exist.
    for number in [report.as_str(), "999999", "twelve"] {
        let res = rs.post_form("/recovery/plans", &form(number)).await;
        assert_eq!(res.status, 422, "{number}: {}", res.body);
        assert!(res.body.contains("There is a problem"));
        assert!(res.body.contains("href=\"#report_id\""), "{}", res.body);
        assert!(res.body.contains(&format!("value=\"{number}\"")));
    }
    assert!(
        store::plans::caseload(app.services.store.reader(), None, false, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // A supervisor sees it, so may link it.
    let sup = app.login(Role::Supervisor).await;
    let id = open_plan(&sup, &form(&report)).await;
    let page = sup.get(&format!("/recovery/plans/{id}")).await.body;
    assert!(page.contains(&format!("Report #{report}")), "{page}");
    let detail: serde_json::Value =
        serde_json::from_str(&sup.get(&format!("/api/v1/recovery-plans/{id}")).await.body).unwrap();
    assert_eq!(detail["report_id"].to_string(), report);
    let audit = audit_actions(&app).await;
    assert!(audit.iter().any(|(a, r, d)| a == "recovery_plan.open"
        && *r == Some(id.to_string())
        && d.as_deref() == Some(&*format!("opened for report {report}"))));
    // The API applies the same rule.
    let res = rs
        .send_json(
            Method::POST,
            "/api/v1/recovery-plans",
            Some(json!({"young_person": "Kim", "needs": ["safety"], "report_id": report.parse::<i64>().unwrap()})),
            None,
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
}

#[tokio::test]
async fn a_volunteer_never_sees_a_plan() {
    let app = TestApp::spawn().await;
    let service = some_services(&app).await;
    let rs = app.login(Role::RecoverySpecialist).await;
    let id = open_plan(&rs, &[("young_person", "Kit"), ("needs", "health")]).await;
    let res = rs
        .post_form(
            &format!("/recovery/plans/{id}/referrals"),
            &[
                ("service", &service.to_string()),
                ("need", "health"),
                ("shared", "first name"),
            ],
        )
        .await;
    let rid: i64 = res
        .location
        .unwrap()
        .trim_start_matches("/recovery/referrals/")
        .parse()
        .unwrap();
    let vol = app.login(Role::Volunteer).await;
    let home = vol.get("/").await.body;
    assert!(!home.contains("href=\"/recovery\""));
    for spec in web::table() {
        let p = spec.path;
        let ours = p == "/recovery"
            || p.starts_with("/recovery/plans")
            || p.starts_with("/recovery/referrals")
            || p.starts_with("/api/v1/recovery-plans")
            || p.starts_with("/api/v1/referrals");
        if !ours {
            continue;
        }
        let path = p.replace(
            "{id}",
            &if p.contains("referrals/{id}") {
                rid
            } else {
                id
            }
            .to_string(),
        ) + if p == "/api/v1/referrals" {
            "?plan="
        } else {
            ""
        };
        let path = if p == "/api/v1/referrals" {
            format!("{path}{id}")
        } else {
            path
        };
        let status = if spec.method == Method::GET {
            vol.get(&path).await.status
        } else if p.starts_with("/api/") {
            vol.send_json(spec.method.clone(), &path, Some(json!({})), None)
                .await
                .status
        } else {
            vol.post_form(&path, &[("young_person", "x")]).await.status
        };
        assert_eq!(status, 403, "{} {path}", spec.method);
    }
}

#[tokio::test]
async fn a_recovery_specialist_works_the_due_plan_in_chromium() {
    let app = TestApp::spawn().await;
    some_services(&app).await;
    let rs = app.login(Role::RecoverySpecialist).await;
    let due = open_plan(
        &rs,
        &[
            ("young_person", "Ash Example"),
            ("needs", "education"),
            ("next_review", &day(&app, 2)),
        ],
    )
    .await;
    open_plan(
        &rs,
        &[
            ("young_person", "Later Example"),
            ("needs", "health"),
            ("next_review", &day(&app, 90)),
        ],
    )
    .await;
    let b = Browser::start().await;
    let c = &b.client;
    b.sign_in(&app.base, &app.usernames[&Role::RecoverySpecialist])
        .await;
    c.goto(&format!("{}/recovery", app.base)).await.unwrap();
    // The due plan comes first.
    let first = c.find(Locator::Css("#caseload tbody tr a")).await.unwrap();
    assert_eq!(first.text().await.unwrap(), "Ash Example");
    first.click().await.unwrap();
    b.wait_text("main h1", "Ash Example").await;
    c.find(Locator::Id("words"))
        .await
        .unwrap()
        .send_keys("I want to finish school and be a nurse")
        .await
        .unwrap();
    c.find(Locator::Css("#goal-form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.wait_text("#goal-list", "I want to finish school and be a nurse")
        .await;
    c.find(Locator::Css("#refer summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let select = c.find(Locator::Id("refer-service")).await.unwrap();
    select.select_by_index(1).await.unwrap();
    c.find(Locator::Id("refer-shared"))
        .await
        .unwrap()
        .send_keys("first name and the education need")
        .await
        .unwrap();
    c.find(Locator::Css("#refer-form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // On the referral's page: sent, accepted, engaged, completed with the outcome.
    b.wait_text("#referral-status", "Proposed").await;
    for (to, reason, outcome) in [
        ("sent", "emailed the school", ""),
        ("accepted", "a place in the spring", ""),
        ("engaged", "started classes", ""),
        ("completed", "finished the term", "Back in school full time"),
    ] {
        c.find(Locator::Id(&format!("to-{to}")))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.find(Locator::Id("reason"))
            .await
            .unwrap()
            .send_keys(reason)
            .await
            .unwrap();
        if !outcome.is_empty() {
            c.find(Locator::Id("outcome"))
                .await
                .unwrap()
                .send_keys(outcome)
                .await
                .unwrap();
        }
        c.find(Locator::Css("#move-form button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let label = recovery::ReferralStatus::parse(to).unwrap().label();
        b.wait_text("#referral-status", label).await;
    }
    b.wait_text("#referral-outcome", "Back in school full time")
        .await;
    c.goto(&format!("{}/recovery/plans/{due}", app.base))
        .await
        .unwrap();
    b.wait_text("#referral-list", "Completed").await;
    b.stop().await;
}

/// At 390 px the caseload, the plan, its form and a referral do not scroll sideways.
#[tokio::test]
async fn plans_fit_a_phone() {
    let app = TestApp::spawn().await;
    let service = some_services(&app).await;
    let rs = app.login(Role::RecoverySpecialist).await;
    let id = open_plan(
        &rs,
        &[
            ("young_person", "Noor Example"),
            ("needs", "housing"),
            ("needs", "mental_health"),
            ("safety", "do_not_contact"),
            ("date_of_birth", &day(&app, -(17 * 365 + 300))),
            ("next_review", &day(&app, 5)),
            ("strengths", "Keeps a sketchbook; close to an aunt"),
        ],
    )
    .await;
    let res = rs
        .post_form(
            &format!("/recovery/plans/{id}/referrals"),
            &[
                ("service", &service.to_string()),
                ("need", "housing"),
                ("shared", "first name and the housing need"),
            ],
        )
        .await;
    let referral = res.location.unwrap();
    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/login", app.base)).await.unwrap();
    crate::phone::phone(c).await;
    b.submit_sign_in(&app.usernames[&Role::RecoverySpecialist])
        .await;
    b.wait_text("main h1", "Welcome").await;
    for path in [
        "/recovery".to_owned(),
        "/recovery/plans/new".to_owned(),
        format!("/recovery/plans/{id}"),
        format!("/recovery/plans/{id}/print"),
        format!("/recovery/plans/{id}/edit"),
        referral,
    ] {
        crate::phone::no_sideways_scroll(&b, &app.base, &path).await;
    }
    // The transition at 18 is listed on the caseload; the marker shows on the plan.
    c.goto(&format!("{}/recovery", app.base)).await.unwrap();
    b.wait_text("#transitions", "Noor Example").await;
    c.goto(&format!("{}/recovery/plans/{id}", app.base))
        .await
        .unwrap();
    b.wait_text("#safety-marker", "Do not contact").await;
    b.stop().await;
}

#[tokio::test]
async fn a_plan_closes_with_a_reason_leaves_the_caseload_and_its_team_reopens_it() {
    let app = TestApp::spawn().await;
    let rs = app.login(Role::RecoverySpecialist).await;
    let id = open_plan(
        &rs,
        &[
            ("young_person", "Sam"),
            ("needs", "housing"),
            ("next_review", &day(&app, 7)),
        ],
    )
    .await;
    let page = format!("/recovery/plans/{id}");
    let open = rs.get(&page).await.body;
    assert!(open.contains("id=\"close-form\""), "{open}");
    assert!(rs
        .get("/recovery")
        .await
        .body
        .contains(&format!("id=\"plan-{id}\"")));

    // A reason is needed, and with "another reason" a note too; each error names its field.
    let res = rs
        .post_form(&format!("{page}/close"), &[("note", "")])
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("href=\"#close-reason\""), "{}", res.body);
    assert!(
        res.body.contains("id=\"close-reason-error\""),
        "{}",
        res.body
    );
    let res = rs
        .post_form(
            &format!("{page}/close"),
            &[("reason", "other"), ("note", " ")],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("href=\"#close-note\""), "{}", res.body);
    let res = rs
        .post_form(&format!("{page}/close"), &[("reason", "aged_out")])
        .await;
    assert_eq!(res.status, 422, "{}", res.body);

    let res = rs
        .post_form(
            &format!("{page}/close"),
            &[
                ("reason", "goals_met"),
                ("note", "Settled with her aunt, in school"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let closed = rs.follow(&res).await.body;
    assert!(closed.contains("The plan was closed"), "{closed}");
    assert!(closed.contains("id=\"plan-closed\""), "{closed}");
    assert!(closed.contains("Their goals were met"), "{closed}");
    assert!(closed.contains("id=\"reopen-form\""), "{closed}");
    // Nothing in it changes: no forms to change it, and posting anyway is refused.
    for form in [
        "edit-plan",
        "goal-form",
        "review-form",
        "close-form",
        "refer-form",
    ] {
        assert!(!closed.contains(&format!("id=\"{form}\"")), "{form}");
    }
    assert!(
        closed.contains("Settled with her aunt, in school"),
        "the note joins the reviews"
    );
    let res = rs
        .post_form(&format!("{page}/goals"), &[("words", "x")])
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("reopen it"), "{}", res.body);
    let res = rs
        .post_form(&format!("{page}/close"), &[("reason", "goals_met")])
        .await;
    assert_eq!(res.status, 422, "closing twice: {}", res.body);

    // The caseload lists it under closed plans, not among the open ones.
    let caseload = rs.get("/recovery").await.body;
    assert!(
        !caseload.contains(&format!("id=\"plan-{id}\"")),
        "{caseload}"
    );
    assert!(
        caseload.contains(&format!("id=\"closed-{id}\"")),
        "{caseload}"
    );
    assert!(caseload.contains("No open recovery plans"), "{caseload}");

    // The API says the same, and refuses a second close and other roles.
    let plan: serde_json::Value =
        serde_json::from_str(&rs.get(&format!("/api/v1/recovery-plans/{id}")).await.body).unwrap();
    assert_eq!(plan["closed"]["reason"], "goals_met", "{plan}");
    let list: serde_json::Value =
        serde_json::from_str(&rs.get("/api/v1/recovery-plans").await.body).unwrap();
    assert_eq!(list["plans"].as_array().unwrap().len(), 0, "{list}");
    assert_eq!(list["closed"][0]["id"], id, "{list}");
    let res = rs
        .send_json(
            Method::POST,
            &format!("/api/v1/recovery-plans/{id}/close"),
            Some(json!({"reason": "goals_met"})),
            None,
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    let inv = app.login(Role::Investigator).await;
    let res = inv
        .send_json(
            Method::POST,
            &format!("/api/v1/recovery-plans/{id}/reopen"),
            Some(json!({})),
            None,
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.body);

    // Reopened, it is back in the caseload and can change; the API closes and reopens too.
    let res = rs.post_form(&format!("{page}/reopen"), &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let reopened = rs.follow(&res).await.body;
    assert!(reopened.contains("The plan was reopened"), "{reopened}");
    assert!(reopened.contains("id=\"edit-plan\""), "{reopened}");
    assert!(!reopened.contains("id=\"plan-closed\""), "{reopened}");
    assert!(rs
        .get("/recovery")
        .await
        .body
        .contains(&format!("id=\"plan-{id}\"")));
    let res = rs
        .send_json(
            Method::POST,
            &format!("/api/v1/recovery-plans/{id}/close"),
            Some(json!({"reason": "other"})),
            None,
        )
        .await;
    assert_eq!(res.status, 422, "another reason needs a note: {}", res.body);
    let res = rs
        .send_json(
            Method::POST,
            &format!("/api/v1/recovery-plans/{id}/close"),
            Some(json!({"reason": "transferred", "note": "Adult services took over"})),
            None,
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.body);
    let res = rs
        .send_json(
            Method::POST,
            &format!("/api/v1/recovery-plans/{id}/reopen"),
            Some(json!({})),
            None,
        )
        .await;
    assert_eq!(res.status, 204, "{}", res.body);

    // Each close and reopen is audited with its reason, never the note.
    let audit = audit_actions(&app).await;
    let of = |action: &str| {
        audit
            .iter()
            .filter(|(a, r, _)| a == action && *r == Some(id.to_string()))
            .collect::<Vec<_>>()
    };
    let closes = of("recovery_plan.close");
    assert_eq!(closes.len(), 2, "{audit:?}");
    assert!(closes
        .iter()
        .any(|(_, _, d)| d.as_deref() == Some("closed: Their goals were met")));
    assert!(closes
        .iter()
        .all(|(_, _, d)| !d.as_deref().unwrap_or("").contains("aunt")));
    assert_eq!(of("recovery_plan.reopen").len(), 2, "{audit:?}");
}
