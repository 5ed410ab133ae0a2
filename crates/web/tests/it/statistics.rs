//! Public statistics over HTTP: the page, its CSV and JSON answer without sign-in once a
//! release is published, and no published count is from 1 to 4; a held release is not
//! published; two snapshots a day apart are the same unless a release was scheduled
//! between them; staff see their own organisation's exact counts; the administrator holds,
//! lets go and publishes now (audited). In Chromium, the page and its charts render at
//! desktop and phone width with a table after every chart.

use crate::browser::Browser;
use crate::helpers::TestApp;
use domain::Role;
use serde_json::Value;
use std::time::Duration;

/// A case line of `cases.jsonl` with one episode per (year, state, circumstance).
fn case(n: usize, episodes: &[(i32, &str, &str)], custody_agency: bool) -> (String, String) {
    let eps: Vec<String> = episodes
        .iter()
        .enumerate()
        .map(|(i, (year, state, circ))| {
            format!(
                r#"{{"reported":"{year}-0{m}-10","last_seen":"{year}-0{m}-09","last_seen_city":"Town","last_seen_state":"{state}","circumstance":"{circ}","recovered":"{year}-0{m}-20"}}"#,
                m = i + 1
            )
        })
        .collect();
    let custody = if custody_agency {
        r#","custody":{"kind":"agency","agency":"Test Child Welfare","placement":"group home","caseworker":{"name":"Casey Quillfeather"}}"#
    } else {
        r#","custody":{"kind":"guardians","guardians":[]}"#
    };
    (
        format!("l{n}"),
        format!(
            r#"{{"case_id":"case-{n:07}","child":{{"first_name":"Child{n}","last_name":"Example","sex":"F","date_of_birth":"2009-02-01"}},"circumstance":"endangered_runaway","missing_from_care":false{custody},"episodes":[{}]}}"#,
            eps.join(",")
        ),
    )
}

/// 20 children in Texas, 17 in Oklahoma and 3 in Kansas in 2024: Kansas's 3 would be the
/// Texas-Oklahoma-Kansas total less the others if only it were hidden.
async fn world(app: &TestApp, start: usize) {
    let mut lines = Vec::new();
    let mut n = start;
    for (state, count) in [("TX", 20), ("OK", 17), ("KS", 3)] {
        for i in 0..count {
            let circ = if i % 3 == 0 {
                "family_abduction"
            } else {
                "endangered_runaway"
            };
            lines.push(case(n, &[(2024, state, circ)], false));
            n += 1;
        }
    }
    let (_, errors) = app.services.import_cases("test", &lines).await.unwrap();
    assert!(errors.is_empty(), "{errors:?}");
}

fn all_numbers(v: &Value, out: &mut Vec<u64>) {
    match v {
        Value::Number(n) => out.extend(n.as_u64()),
        Value::Array(a) => a.iter().for_each(|x| all_numbers(x, out)),
        Value::Object(o) => {
            for (k, x) in o {
                // Ids, budgets and days are not counts.
                if k != "release_id" && k != "epsilon" && k != "median_days" {
                    all_numbers(x, out);
                }
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn statistics_answer_without_sign_in_and_publish_no_count_from_1_to_4() {
    let app = TestApp::spawn().await;
    world(&app, 0).await;
    let c = app.client();
    let page = c.get("/statistics").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("No statistics published yet"),
        "{}",
        page.body
    );
    assert_eq!(c.get("/api/v1/statistics").await.status, 404);
    assert_eq!(c.get("/statistics/data/dictionary.json").await.status, 404);

    app.services.start_statistics(true).await.unwrap();
    let page = c.get("/statistics").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("2024 at a glance"), "{}", page.body);
    assert!(page.body.contains("role=\"img\""));
    // Every chart is followed by its table.
    assert_eq!(
        page.body.matches("<svg class=\"chart\"").count(),
        page.body.matches("<caption>").count(),
        "a table per chart"
    );

    let api = c.get("/api/v1/statistics").await;
    assert_eq!(api.status, 200, "{}", api.body);
    let v: Value = serde_json::from_str(&api.body).unwrap();
    let mut numbers = vec![];
    all_numbers(&v["tables"], &mut numbers);
    assert!(!numbers.is_empty());
    assert!(numbers.iter().all(|&n| n == 0 || n >= 5), "{numbers:?}");
    // Kansas's 3 is hidden, and so is at least one other number in its year.
    let states = v["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "episodes-by-state")
        .unwrap();
    let ks = states["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == "KS")
        .unwrap();
    assert_eq!(ks["cells"][0], Value::Null);
    let hidden_others = states["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["label"] != "KS" && r["cells"][0].is_null())
        .count()
        + usize::from(states["column_totals"][0].is_null());
    assert!(hidden_others >= 1, "{states}");

    // Every table as CSV (no cell from 1 to 4) and JSON; the dictionary.
    for t in v["tables"].as_array().unwrap() {
        let id = t["id"].as_str().unwrap();
        let csv = c.get(&format!("/statistics/data/{id}.csv")).await;
        assert_eq!(csv.status, 200, "{id}");
        assert!(csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        for line in csv
            .body
            .lines()
            .skip(1)
            .filter(|l| !l.starts_with("median"))
        {
            for cell in line.split(',').skip(1) {
                if let Ok(n) = cell.parse::<u64>() {
                    assert!(n == 0 || n >= 5, "{id}: {line}");
                }
            }
        }
        let json = c.get(&format!("/statistics/data/{id}.json")).await;
        assert_eq!(json.status, 200);
        let one = c.get(&format!("/api/v1/statistics/{id}")).await;
        let one: Value = serde_json::from_str(&one.body).unwrap();
        assert_eq!(one["table"]["id"], id);
    }
    for f in ["dictionary.json", "dictionary.csv"] {
        let d = c.get(&format!("/statistics/data/{f}")).await;
        assert_eq!(d.status, 200, "{f}");
        assert!(d.body.contains("suppress"), "{f}: {}", d.body);
    }
    assert_eq!(c.get("/statistics/data/nope.csv").await.status, 404);
    assert_eq!(c.get("/api/v1/statistics/nope").await.status, 404);

    // The release id is the ETag: a client holding it gets 304.
    let tag = api.headers["etag"].to_str().unwrap().to_owned();
    let again = c
        .http
        .get(format!("{}/api/v1/statistics", c.base))
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

async fn snapshot(app: &TestApp) -> Value {
    let res = app.client().get("/api/v1/statistics").await;
    assert_eq!(res.status, 200, "{}", res.body);
    serde_json::from_str(&res.body).unwrap()
}

/// The next scheduled release's time (UTC microseconds), as the administrator sees it.
async fn next_release(app: &TestApp) -> (i64, i64) {
    let admin = domain::Principal {
        user_id: domain::UserId(1),
        username: domain::Username::parse("admin").unwrap(),
        org_id: domain::OrgId(1),
        org_kind: domain::OrgKind::Hotline,
        role: Role::Administrator,
    };
    let o = app.services.statistics_releases(&admin).await.unwrap();
    let n = o.next.expect("a release is scheduled");
    (n.id, n.scheduled_for)
}

#[tokio::test]
async fn snapshots_a_day_apart_are_the_same_unless_a_release_was_scheduled_between() {
    let app = TestApp::spawn().await;
    world(&app, 0).await;
    app.services.start_statistics(true).await.unwrap();
    let first = snapshot(&app).await;
    // More cases arrive; a day passes (short of the next release).
    world(&app, 100).await;
    let (_, due) = next_release(&app).await;
    let day = Duration::from_secs(24 * 3600);
    if app.services.now() + 2 * (day.as_micros() as i64) < due {
        app.clock.advance(day);
    }
    app.services.run_pending_jobs().await.unwrap();
    assert_eq!(
        snapshot(&app).await,
        first,
        "nothing was scheduled between: the same numbers"
    );

    // The administrator holds the next release; its time passes: still the same.
    let (id, due) = next_release(&app).await;
    let admin = app.login(Role::Administrator).await;
    let page = admin.get("/admin/statistics").await;
    assert!(page.body.contains("Hold the release"), "{}", page.body);
    let res = admin
        .post_form(&format!("/admin/statistics/{id}/hold"), &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = admin.follow(&res).await;
    assert!(page.body.contains("held"), "{}", page.body);
    app.clock.advance(Duration::from_micros(
        (due - app.services.now()).max(0) as u64 + 60_000_000,
    ));
    app.services.run_pending_jobs().await.unwrap();
    assert_eq!(
        snapshot(&app).await,
        first,
        "a held release is not published"
    );

    // Let go: published at once (its time has passed), with the new cases.
    let admin = app.login(Role::Administrator).await;
    let res = admin
        .post_form(&format!("/admin/statistics/{id}/resume"), &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    app.services.run_pending_jobs().await.unwrap();
    let second = snapshot(&app).await;
    assert_ne!(
        second["release"]["release_id"],
        first["release"]["release_id"]
    );
    assert_ne!(
        second["tables"], first["tables"],
        "the release scheduled between has the new cases"
    );
    // And the one after it is scheduled for the first of the next month.
    let (next_id, next_due) = next_release(&app).await;
    assert_ne!(next_id, id);
    assert!(next_due > app.services.now());

    let audit = admin.get("/admin/audit").await.body;
    for action in ["statistics.hold", "statistics.resume", "statistics.publish"] {
        assert!(audit.contains(action), "{action} audited");
    }
}

#[tokio::test]
async fn staff_see_exact_counts_of_their_own_organisations_cases() {
    let app = TestApp::spawn().await;
    let lines = vec![
        case(1, &[(2025, "KS", "endangered_runaway")], true),
        case(2, &[(2025, "NE", "endangered_runaway")], false),
    ];
    app.services.import_cases("test", &lines).await.unwrap();
    let cw = app.login(Role::Caseworker).await;
    let page = cw.get("/statistics/internal").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("<th scope=\"row\">KS</th><td class=\"num\">1</td>"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("<th scope=\"row\">NE</th>"),
        "another organisation's case is not counted"
    );
    assert!(
        page.body.contains("href=\"/statistics/internal\""),
        "in the menu"
    );
    let analyst = app.login(Role::Analyst).await;
    let page = analyst.get("/statistics/internal").await;
    assert!(
        page.body.contains("<th scope=\"row\">NE</th>"),
        "the hotline counts every case"
    );
    let volunteer = app.login(Role::Volunteer).await;
    assert_ne!(volunteer.get("/statistics/internal").await.status, 200);
    assert_eq!(app.client().get("/statistics/internal").await.status, 303);
}

#[tokio::test]
async fn the_public_page_and_its_charts_render_at_desktop_and_phone_width() {
    let app = TestApp::spawn().await;
    world(&app, 0).await;
    app.services.start_statistics(true).await.unwrap();
    let b = Browser::start().await;
    for width in [1366, 390] {
        b.client.set_window_size(width, 900).await.unwrap();
        b.client
            .goto(&format!("{}/statistics", app.base))
            .await
            .unwrap();
        let main = b.wait_text("main", "at a glance").await;
        assert!(
            main.contains("Missing-child episodes by state and year"),
            "{main}"
        );
        let (charts, tables_after, scroll): (u64, u64, bool) = {
            let v = b
                .client
                .execute(
                    "const charts = [...document.querySelectorAll('svg.chart')];\
                     const after = charts.filter(s => { let n = s.closest('figure').nextElementSibling; return n && n.tagName === 'TABLE'; });\
                     const visible = charts.every(s => s.getBoundingClientRect().width > 200);\
                     return [charts.length, after.length, visible && document.documentElement.scrollWidth <= window.innerWidth];",
                    vec![],
                )
                .await
                .unwrap();
            (
                v[0].as_u64().unwrap(),
                v[1].as_u64().unwrap(),
                v[2].as_bool().unwrap(),
            )
        };
        assert!(charts >= 7, "{width}: {charts} charts");
        assert_eq!(charts, tables_after, "{width}: every chart has its table");
        assert!(scroll, "{width}: charts shown and no sideways scroll");
    }
    b.stop().await;
}

/// Referrals are counted by need once sent (a referral only proposed was never made), and
/// courses by audience once completed; both reach the staff's exact tables and the public
/// release.
#[tokio::test]
async fn referrals_sent_and_courses_completed_are_counted() {
    let app = TestApp::spawn().await;
    let service = crate::recovery_plans::some_services(&app).await;
    let rs = app.login(Role::RecoverySpecialist).await;
    let plan = crate::recovery_plans::open_plan(
        &rs,
        &[
            ("young_person", "Sam"),
            ("needs", "housing"),
            ("next_review", &crate::recovery_plans::day(&app, 10)),
        ],
    )
    .await;
    let refer = |need: &'static str| {
        let rs = &rs;
        async move {
            let res = rs
                .post_form(
                    &format!("/recovery/plans/{plan}/referrals"),
                    &[
                        ("service", &service.to_string()),
                        ("need", need),
                        ("shared", "first name and the need"),
                    ],
                )
                .await;
            assert_eq!(res.status, 303, "{}", res.body);
            res.location.unwrap()
        }
    };
    for _ in 0..6 {
        let r = refer("housing").await;
        let sent = rs
            .post_form(
                &format!("{r}/status"),
                &[("status", "sent"), ("reason", "emailed"), ("outcome", "")],
            )
            .await;
        assert_eq!(sent.status, 303, "{}", sent.body);
    }
    // Proposed, never sent: not a referral made.
    refer("legal").await;

    crate::training::publish_samples(&app).await;
    let c = crate::training::learner(&app, "stats.learner@example.org", "Stats Learner").await;
    for (module, answers) in [
        (1, [("q0", "1"), ("q1", "0")]),
        (2, [("q0", "0"), ("q1", "1")]),
    ] {
        let res = c
            .post_form(
                &format!("/training/courses/introduction/modules/{module}"),
                &answers,
            )
            .await;
        assert_eq!(res.status, 303, "module {module}: {}", res.body);
    }

    let analyst = app.login(Role::Analyst).await;
    let page = analyst.get("/statistics/internal").await;
    assert_eq!(page.status, 200, "{}", page.body);
    for cell in [
        "<th scope=\"row\">Housing</th><td class=\"num\">6</td>",
        "<th scope=\"row\">Legal</th><td class=\"num\">0</td>",
        "<th scope=\"row\">Anyone</th><td class=\"num\">1</td>",
    ] {
        assert!(page.body.contains(cell), "{cell}: {}", page.body);
    }

    app.services.start_statistics(true).await.unwrap();
    let v: Value =
        serde_json::from_str(&app.client().get("/api/v1/statistics").await.body).unwrap();
    let table = |id: &str| {
        v["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .unwrap_or_else(|| panic!("{id} in {v}"))
            .clone()
    };
    let cell = |t: &Value, label: &str| {
        t["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["label"] == label)
            .unwrap_or_else(|| panic!("{label} in {t}"))["cells"][0]
            .clone()
    };
    let needs = table("referrals-by-need");
    assert_eq!(cell(&needs, "Housing"), 6, "{needs}");
    assert_eq!(cell(&needs, "Legal"), 0, "{needs}");
    // One course completed is under 5: hidden, and so is what would give it away.
    let trainings = table("trainings-completed");
    assert!(cell(&trainings, "Anyone").is_null(), "{trainings}");
    assert!(trainings["column_totals"][0].is_null(), "{trainings}");
    let page = app.client().get("/statistics").await.body;
    assert!(page.contains("Referrals by need and year"), "{page}");
    assert!(
        page.contains("referrals of survivors to recovery services in"),
        "{page}"
    );
}
