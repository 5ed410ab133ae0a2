//! Training, black-box: a public learner registers, confirms the email from the outbox,
//! completes the introduction (failing a quiz once, then passing), downloads the
//! certificate and checks its code publicly; an unverified law-enforcement learner does not
//! see the law-enforcement course, a verified one does; a learner's cookie opens no staff
//! route, ever.

use crate::helpers::{Client, Res, TestApp};
use domain::Role;
use service::training::model::samples;

const PASSWORD: &str = "a long learner passphrase 7";

pub(crate) async fn publish_samples(app: &TestApp) {
    for c in samples::courses() {
        app.services.publish_course_as_system(&c).await.unwrap();
    }
}

/// Registers, confirms the email through the link in the outbox, and signs in.
pub(crate) async fn learner(app: &TestApp, email: &str, name: &str) -> Client {
    let c = app.client();
    let res = c
        .post_form(
            "/training/register",
            &[("name", name), ("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.body.contains("id=\"registered\""), "{}", res.body);
    // Not confirmed yet: signing in says what to do.
    let early = sign_in(&c, email).await;
    assert_eq!(early.status, 403, "{}", early.body);
    assert!(early.body.contains("Confirm your email first"));

    let messages = app.services.outbox_to(email).await.unwrap();
    let body = &messages.first().expect("a confirmation message").1;
    let link = body
        .split_whitespace()
        .find(|w| w.starts_with("/training/verify-email?token="))
        .expect("the link");
    let res = c.get(link).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location.as_deref(), Some("/training/sign-in"));
    // The link works once.
    assert_eq!(c.get(link).await.status, 422);

    let res = sign_in(&c, email).await;
    assert_eq!(res.status, 303, "{}", res.body);
    c
}

async fn sign_in(c: &Client, email: &str) -> Res {
    c.post_form(
        "/training/sign-in",
        &[
            ("email", email),
            ("password", PASSWORD),
            ("next", "/training/me"),
        ],
    )
    .await
}

#[tokio::test]
async fn a_public_learner_completes_the_introduction_and_the_certificate_verifies() {
    let app = TestApp::spawn().await;
    publish_samples(&app).await;
    let visitor = app.client();
    let page = visitor.get("/training").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Introduction to child trafficking"));
    assert!(!page.body.contains("law-enforcement-leads"));

    let c = learner(&app, "Robin.Learner@example.org", "Robin Learner").await;
    let m1 = c.get("/training/courses/introduction/modules/1").await;
    assert_eq!(m1.status, 200, "{}", m1.body);
    assert!(m1.body.contains("<strong>for exploitation</strong>"));

    // Module 1 (pass mark 100 %): one wrong answer fails, and the page says what to do.
    let fail = c
        .post_form(
            "/training/courses/introduction/modules/1",
            &[("q0", "1"), ("q1", "1")],
        )
        .await;
    assert_eq!(fail.status, 200, "{}", fail.body);
    assert!(fail.body.contains("id=\"quiz-failed\""), "{}", fail.body);
    assert!(fail.body.contains("1 of 2 correct"));
    // An unanswered question is an error beside it, not a failed attempt.
    let blank = c
        .post_form("/training/courses/introduction/modules/1", &[("q0", "1")])
        .await;
    assert_eq!(blank.status, 422);
    assert!(blank.body.contains("Question 2: choose an answer"));

    let pass = c
        .post_form(
            "/training/courses/introduction/modules/1",
            &[("q0", "1"), ("q1", "0")],
        )
        .await;
    assert_eq!(pass.status, 303, "{}", pass.body);
    assert_eq!(
        pass.location.as_deref(),
        Some("/training/courses/introduction/modules/2")
    );
    let done = c
        .post_form(
            "/training/courses/introduction/modules/2",
            &[("q0", "0"), ("q1", "1")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let course = c.follow(&done).await;
    assert!(
        course.body.contains("completed the course"),
        "{}",
        course.body
    );

    let me = c.get("/training/me").await;
    assert!(me.body.contains("Completed"));
    let i = me
        .body
        .find("class=\"certificate-link\">Download (")
        .expect("a certificate")
        + 35;
    let code = me.body[i..i + 14].to_owned();

    let pdf = c.get(&format!("/training/certificates/{code}")).await;
    assert_eq!(pdf.status, 200);
    assert_eq!(
        pdf.headers.get("content-type").unwrap().to_str().unwrap(),
        "application/pdf"
    );
    assert!(pdf.body.starts_with("%PDF-"));
    // Only one's own certificate: another learner does not get it.
    let other = learner(&app, "other@example.org", "Other Learner").await;
    assert_eq!(
        other
            .get(&format!("/training/certificates/{code}"))
            .await
            .status,
        404
    );

    // Anyone can check it, typed in lower case and without hyphens too.
    let check = visitor
        .get(&format!(
            "/certificates/{}",
            code.to_lowercase().replace('-', "")
        ))
        .await;
    assert_eq!(check.status, 200, "{}", check.body);
    assert!(check.body.contains("This certificate is valid"));
    assert!(check.body.contains("Robin Learner"));
    let api = visitor.get(&format!("/api/v1/certificates/{code}")).await;
    assert_eq!(api.status, 200);
    let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(json["learner_name"], "Robin Learner");
    assert_eq!(json["credit_hours"], "0.0");
    // A mistyped code is told apart from a forged one.
    let mut typo = code.clone().into_bytes();
    typo[0] = if typo[0] == b'A' { b'B' } else { b'A' };
    let typo = String::from_utf8(typo).unwrap();
    let bad = visitor.get(&format!("/certificates/{typo}")).await;
    assert_eq!(bad.status, 404);
    assert!(bad.body.contains("typing mistake"), "{}", bad.body);

    // The product sends no mail: an administrator sees what waits to be sent.
    let admin = app.login(Role::Administrator).await;
    let outbox = admin.get("/training/outbox").await;
    assert_eq!(outbox.status, 200);
    assert!(outbox.body.contains("robin.learner@example.org"));
    assert_eq!(sup_cannot_read_outbox(&app).await, 403);

    // The staff report counts it, never naming the learner.
    let sup = app.login(Role::Supervisor).await;
    let report = sup.get("/training/admin").await;
    assert_eq!(report.status, 200);
    assert!(!report.body.contains("Robin Learner"));
    let csv = sup.get("/training/report.csv").await;
    assert!(csv.body.contains("introduction,"), "{}", csv.body);
}

#[tokio::test]
async fn law_enforcement_courses_open_only_after_verification() {
    let app = TestApp::spawn().await;
    publish_samples(&app).await;
    let c = learner(&app, "officer@example.org", "Sam Officer").await;
    let le = "/training/courses/law-enforcement-leads";
    assert!(!c.get("/training").await.body.contains(le));
    assert_eq!(c.get(le).await.status, 404);
    assert_eq!(c.get(&format!("{le}/modules/1")).await.status, 404);

    let bad = c
        .post_form(
            "/training/me/verification",
            &[("agency", ""), ("badge", "4471"), ("work_email", "nope")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Enter the name of your agency"));
    let asked = c
        .post_form(
            "/training/me/verification",
            &[
                ("agency", "Riverton Police Department"),
                ("badge", "4471"),
                ("work_email", "s.officer@riverton.example.gov"),
            ],
        )
        .await;
    assert_eq!(asked.status, 303, "{}", asked.body);
    app.clock
        .advance(std::time::Duration::from_secs(3 * 3600 + 60));
    let me = c.get("/training/me").await;
    assert!(me.body.contains("has waited 3 hours"), "{}", me.body);
    assert!(me.body.contains("up to 24 hours"));
    assert_eq!(c.get(le).await.status, 404, "still hidden while pending");

    // The verifier sees how long it waited, and approves.
    let analyst = app.login(Role::Analyst).await;
    let queue = analyst.get("/training/verification-requests").await;
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains("Riverton Police Department"));
    assert!(queue.body.contains("3 hours"));
    let api = analyst.get("/api/v1/verification-requests").await;
    let list: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    let id = list[0]["id"].as_i64().unwrap();
    assert_eq!(list[0]["waiting_hours"], 3);
    // Refusing needs a reason.
    let no_reason = analyst
        .post_form(
            &format!("/training/verification-requests/{id}"),
            &[("decision", "refuse"), ("reason", "")],
        )
        .await;
    assert_eq!(no_reason.status, 422);
    let ok = analyst
        .post_form(
            &format!("/training/verification-requests/{id}"),
            &[("decision", "approve"), ("reason", "")],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let audit = app.login(Role::Administrator).await;
    let log = audit.get("/admin/audit").await;
    assert!(log.body.contains("training.verification_approved"));

    assert!(c.get("/training").await.body.contains(le));
    assert_eq!(c.get(le).await.status, 200);
    assert_eq!(c.get(&format!("{le}/modules/1")).await.status, 200);
    // A second decision on the same request conflicts.
    let again = analyst
        .post_form(
            &format!("/training/verification-requests/{id}"),
            &[("decision", "refuse"), ("reason", "late")],
        )
        .await;
    assert_eq!(again.status, 409);
}

#[tokio::test]
async fn a_learner_is_refused_on_every_staff_route() {
    let app = TestApp::spawn().await;
    publish_samples(&app).await;
    let c = learner(&app, "curious@example.org", "Curious Learner").await;
    let csrf = c.csrf().await;
    let mut problems = Vec::new();
    for spec in web::table() {
        if matches!(
            domain::policy::access(spec.action),
            domain::policy::Access::Public
        ) {
            continue;
        }
        let path = spec
            .path
            .replace("{file}", "app.css")
            .replace("{username}", "target-user")
            .replace("{id}", "1")
            .replace("{slug}", "introduction")
            .replace("{code}", "1");
        let url = format!("{}{path}", c.base);
        let req = match spec.method.as_str() {
            "GET" => c.http.get(url),
            "POST" if path.starts_with("/api/") => c
                .http
                .post(url)
                .header("x-csrf-token", &csrf)
                .json(&serde_json::json!({})),
            "POST" => c.http.post(url).form(&[("csrf_token", csrf.as_str())]),
            "PUT" => c
                .http
                .put(url)
                .header("x-csrf-token", &csrf)
                .json(&serde_json::json!({})),
            "DELETE" => c.http.delete(url).header("x-csrf-token", &csrf),
            other => panic!("add {other} here"),
        };
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let refused = status == 401
            || status == 403
            || ((300..400).contains(&status) && location.starts_with("/login"))
            // The provider API answers a refusal inside an HTTP 200 document.
            || (spec.path.starts_with("/ispws") && status == 200 && {
                let body = r.text().await.unwrap_or_default();
                ["3000", "3100", "3300"]
                    .iter()
                    .any(|c| body.contains(&format!("<responseCode>{c}</responseCode>")))
            });
        if !refused {
            problems.push(format!(
                "{} {} gave {status} {location}",
                spec.method, spec.path
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "a learner reached staff routes:\n{}",
        problems.join("\n")
    );
}

/// A learner's course page in Chromium, at desktop width and on a phone: the course, its
/// modules and the quiz fit the screen, and a quiz is answered by tapping.
#[tokio::test]
async fn a_learners_course_page_in_chromium_on_desktop_and_phone() {
    use crate::browser::Browser;
    use crate::phone::{no_sideways_scroll, phone, tap};
    use fantoccini::Locator;

    let app = TestApp::spawn().await;
    publish_samples(&app).await;
    // Registered and confirmed over HTTP, then signed in by the browser.
    learner(&app, "browser.learner@example.org", "Browser Learner").await;
    let b = Browser::start().await;
    let c = &b.client;
    c.set_window_size(1366, 900).await.unwrap();
    c.goto(&format!("{}/training/sign-in", app.base))
        .await
        .unwrap();
    for (css, text) in [
        ("#email", "browser.learner@example.org"),
        ("#password", PASSWORD),
    ] {
        c.find(Locator::Css(css))
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap();
    }
    tap(c, "#training-sign-in-form button[type=submit]").await;
    b.wait_text("main h1", "My training").await;

    c.goto(&format!("{}/training/courses/introduction", app.base))
        .await
        .unwrap();
    b.wait_text("main h1", "Introduction to child trafficking")
        .await;
    b.wait_text("#modules", "What trafficking is").await;
    tap(c, "#start").await;
    b.wait_text("main h1", "What trafficking is").await;

    phone(c).await;
    for path in [
        "/training",
        "/training/courses/introduction",
        "/training/courses/introduction/modules/1",
        "/training/me",
    ] {
        no_sideways_scroll(&b, &app.base, path).await;
    }
    c.goto(&format!(
        "{}/training/courses/introduction/modules/1",
        app.base
    ))
    .await
    .unwrap();
    tap(c, "label[for='q0-1']").await;
    tap(c, "label[for='q1-0']").await;
    tap(c, "#submit-quiz").await;
    b.wait_text("#notification", "You passed module 1").await;
    b.wait_text("main h1", "Missing children").await;
    b.stop().await;
}

/// Supervisors publish course files: a broken file is refused with what to change, a new
/// version is published, and a learner who began the old version keeps it.
#[tokio::test]
async fn a_new_course_version_is_published_and_enrolled_learners_keep_theirs() {
    let app = TestApp::spawn().await;
    publish_samples(&app).await;
    let c = learner(&app, "keeper@example.org", "Kim Keeper").await;
    assert_eq!(
        c.get("/training/courses/introduction/modules/1")
            .await
            .status,
        200
    );

    let sup = app.login(Role::Supervisor).await;
    let broken = sup
        .post_form(
            "/training/admin/courses",
            &[("file", "slug = \"Bad Slug\"")],
        )
        .await;
    assert_eq!(broken.status, 422);
    assert!(broken.body.contains("could not be read"), "{}", broken.body);
    let same = sup
        .post_form(
            "/training/admin/courses",
            &[("file", samples::INTRODUCTION)],
        )
        .await;
    assert_eq!(same.status, 422);
    assert!(same.body.contains("raise the file"), "{}", same.body);

    let mut v2 = samples::courses().remove(0);
    v2.version = 2;
    v2.title = "Introduction, second edition".into();
    let res = sup
        .send_json(
            reqwest::Method::POST,
            "/api/v1/courses",
            Some(serde_json::to_value(&v2).unwrap()),
            None,
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let list: serde_json::Value =
        serde_json::from_str(&sup.get("/api/v1/courses").await.body).unwrap();
    assert_eq!(
        list.as_array().unwrap().len(),
        3,
        "the newest version of each"
    );
    // Only supervisors and administrators publish.
    let analyst = app.login(Role::Analyst).await;
    let refused = analyst
        .post_form(
            "/training/admin/courses",
            &[("file", samples::INTRODUCTION)],
        )
        .await;
    assert_eq!(refused.status, 403);

    assert!(app
        .client()
        .get("/training")
        .await
        .body
        .contains("second edition"));
    let mine = c.get("/training/courses/introduction").await;
    assert!(
        mine.body.contains("Introduction to child trafficking"),
        "{}",
        mine.body
    );
    assert!(!mine.body.contains("second edition"));
}

async fn sup_cannot_read_outbox(app: &TestApp) -> u16 {
    app.login(Role::Supervisor)
        .await
        .get("/training/outbox")
        .await
        .status
}

#[tokio::test]
async fn course_images_are_shown_to_learners_who_may_see_the_course() {
    let app = TestApp::spawn().await;
    publish_samples(&app).await;
    let c = learner(&app, "viewer@example.org", "Vic Viewer").await;
    let src = format!(
        "/training/courses/introduction/images/{}?v=1",
        samples::DIAGRAM
    );
    let m1 = c.get("/training/courses/introduction/modules/1").await;
    assert_eq!(m1.status, 200, "{}", m1.body);
    assert!(
        m1.body.contains(&format!(
            "<img class=\"course-image\" src=\"{src}\" alt=\"Notice the signs, report the \
             concern, support the child\" loading=\"lazy\">"
        )),
        "{}",
        m1.body
    );
    let r = c.http.get(format!("{}{src}", c.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), "image/png");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("cache-control"), "private, max-age=86400");
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(
        c.get("/training/courses/introduction/images/other.png")
            .await
            .status,
        404
    );

    // A staff session is no learner session: sent to the learners' sign-in.
    let sup = app.login(Role::Supervisor).await;
    let staff = sup.get(&src).await;
    assert_eq!(staff.status, 303);
    assert!(staff
        .location
        .as_deref()
        .unwrap_or_default()
        .starts_with("/training/sign-in?next="));

    // A law-enforcement course with an image, imported as a TOML file: its image is not
    // found for a learner who is not verified, as the course itself is not.
    let mut le = samples::courses().remove(2);
    le.version = 2;
    le.images = samples::courses().remove(0).images;
    le.modules[0]
        .body
        .push_str(&format!("\n![Steps]({})\n", samples::DIAGRAM));
    let mut unknown = le.clone();
    unknown.modules[1].body.push_str("\n![Map](map.png)\n");
    let refused = sup
        .post_form("/training/admin/courses", &[("file", &unknown.to_toml())])
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("module 2 shows the image &quot;map.png&quot;")
            || refused
                .body
                .contains("module 2 shows the image &#34;map.png&#34;"),
        "{}",
        refused.body
    );
    let ok = sup
        .post_form("/training/admin/courses", &[("file", &le.to_toml())])
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let le_image = format!(
        "/training/courses/law-enforcement-leads/images/{}?v=2",
        samples::DIAGRAM
    );
    assert_eq!(c.get(&le_image).await.status, 404);
    // The export carries the image back out.
    let file = sup
        .get("/training/admin/courses/law-enforcement-leads/file")
        .await;
    assert_eq!(file.status, 200);
    let exported = service::training::model::Course::parse(&file.body).unwrap();
    assert_eq!(exported.images, le.images);
}
