//! Signing in: lockout, CSRF, session limits, the second factor.

use crate::helpers::{meta_csrf, Options, TestApp, PASSWORD};
use domain::Role;
use std::time::Duration;

/// The error a sign-in page shows.
fn sign_in_error(body: &str) -> String {
    let i = body.find("error-summary").unwrap_or(0);
    let rest = &body[i..];
    rest[..rest.find("</div>").unwrap_or(rest.len())].to_owned()
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_for_thirty_minutes_or_until_an_administrator_unlocks_it(
) {
    let app = TestApp::spawn().await;
    let c = app.client();
    let unknown = c
        .login("nobody-by-this-name", "not the password at all")
        .await;
    assert_eq!(unknown.status, 401);
    for attempt in 1..=5 {
        let res = c.login("analyst", "not the password at all").await;
        assert_eq!(res.status, 401, "attempt {attempt}");
        assert_eq!(sign_in_error(&res.body), sign_in_error(&unknown.body));
    }
    // Locked now: even the right password is refused, in the very words an unknown name
    // gets, so that a lock reveals no account; the words say what to do.
    let res = c.login("analyst", PASSWORD).await;
    assert_eq!(res.status, 401);
    assert_eq!(sign_in_error(&res.body), sign_in_error(&unknown.body));
    assert!(
        res.body.contains("locked") && res.body.contains("administrator"),
        "{}",
        res.body
    );

    // An administrator unlocks it sooner.
    let admin = app.login(Role::Administrator).await;
    let page = admin.get("/admin/users/analyst").await;
    assert!(
        page.body.contains("Locked after failed sign-ins"),
        "{}",
        page.body
    );
    let res = admin.post_form("/admin/users/analyst/unlock", &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = admin.follow(&res).await;
    assert!(
        page.body.contains("The account analyst was unlocked"),
        "{}",
        page.body
    );
    assert_eq!(c.login("analyst", PASSWORD).await.status, 303);

    // Locked again, it unlocks by itself after 30 minutes, not before.
    for _ in 1..=5 {
        c.login("analyst", "not the password at all").await;
    }
    app.clock.advance(Duration::from_secs(29 * 60));
    assert_eq!(c.login("analyst", PASSWORD).await.status, 401);
    app.clock.advance(Duration::from_secs(2 * 60));
    assert_eq!(c.login("analyst", PASSWORD).await.status, 303);

    let admin = app.login(Role::Administrator).await;
    let audit = admin.get("/admin/audit?actor=analyst").await.body;
    assert!(
        crate::helpers::audit_table(&audit).contains("Account locked after failed sign-ins"),
        "{audit}"
    );
}

#[tokio::test]
async fn an_unknown_name_is_masked_in_the_audit_log() {
    let app = TestApp::spawn().await;
    let c = app.client();
    // A password typed into the name box.
    c.login("Tr0ub4dor&3-secret", "x").await;
    let admin = app.login(Role::Administrator).await;
    let audit = admin.get("/admin/audit").await.body;
    assert!(!audit.contains("Tr0ub4dor"), "{audit}");
    assert!(audit.contains("(18 characters)"), "{audit}");
}

#[tokio::test]
async fn failed_attempts_outside_the_window_do_not_lock() {
    let app = TestApp::spawn().await;
    let c = app.client();
    for _ in 0..4 {
        assert_eq!(
            c.login("caseworker", "wrong password here").await.status,
            401
        );
    }
    app.clock.advance(Duration::from_secs(16 * 60));
    assert_eq!(
        c.login("caseworker", "wrong password here").await.status,
        401
    );
    assert_eq!(c.login("caseworker", PASSWORD).await.status, 303);
}

#[tokio::test]
async fn a_form_post_without_the_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    let analyst = app.login(Role::Analyst).await;
    let res = analyst
        .post_form_raw("/account/tokens", &[("name", "x")])
        .await;
    assert_eq!(res.status, 403);
    assert!(
        res.body.contains("did not come from this site"),
        "{}",
        res.body
    );
    let res = analyst
        .post_form_raw(
            "/account/tokens",
            &[("csrf_token", "forged-token-value"), ("name", "x")],
        )
        .await;
    assert_eq!(res.status, 403);
    // The sign-in form is protected too (double-submit token before a session exists).
    let anon = app.client();
    let res = anon
        .post_form_raw("/login", &[("username", "analyst"), ("password", PASSWORD)])
        .await;
    assert_eq!(res.status, 403);
    // A JSON call with a session cookie needs the header.
    let res = analyst
        .http
        .post(format!("{}/api/v1/tokens", analyst.base))
        .json(&serde_json::json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
}

#[tokio::test]
async fn sessions_end_after_thirty_idle_minutes() {
    let app = TestApp::spawn().await;
    let c = app.login(Role::Supervisor).await;
    app.clock.advance(Duration::from_secs(29 * 60));
    assert_eq!(c.get("/").await.status, 200);
    app.clock.advance(Duration::from_secs(29 * 60));
    assert_eq!(
        c.get("/").await.status,
        200,
        "activity keeps the session alive"
    );
    app.clock.advance(Duration::from_secs(31 * 60));
    assert!(c.get("/").await.redirects_to_login());
}

#[tokio::test]
async fn sessions_end_twelve_hours_after_sign_in_however_active() {
    let app = TestApp::spawn().await;
    let c = app.login(Role::Analyst).await;
    // 11 h 40 min of activity, every 20 minutes.
    for _ in 0..35 {
        app.clock.advance(Duration::from_secs(20 * 60));
        let res = c.get("/").await;
        if res.redirects_to_login() {
            panic!("ended too early");
        }
    }
    app.clock.advance(Duration::from_secs(25 * 60));
    assert!(c.get("/").await.redirects_to_login());
}

#[tokio::test]
async fn a_change_of_password_or_role_ends_the_users_sessions() {
    let app = TestApp::spawn().await;
    let a = app.login(Role::Analyst).await;
    let b = app.login(Role::Analyst).await;
    let res = a
        .post_form(
            "/account/password",
            &[("current", PASSWORD), ("new", "another fine passphrase 7")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(
        b.get("/").await.redirects_to_login(),
        "the other session ended"
    );
    assert!(
        a.get("/").await.redirects_to_login(),
        "this session ended too"
    );
    assert_eq!(
        a.login("analyst", "another fine passphrase 7").await.status,
        303
    );

    let target = app.client();
    assert_eq!(target.login("target-user", PASSWORD).await.status, 303);
    let admin = app.login(Role::Administrator).await;
    let res = admin
        .post_form("/admin/users/target-user/role", &[("role", "supervisor")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = admin.follow(&res).await;
    assert!(
        page.body.contains("they were signed out"),
        "the banner says what happened: {}",
        page.body
    );
    assert!(target.get("/").await.redirects_to_login());
}

#[tokio::test]
async fn weak_passwords_are_refused_with_a_reason() {
    let app = TestApp::spawn().await;
    let a = app.login(Role::Analyst).await;
    let res = a
        .post_form(
            "/account/password",
            &[("current", PASSWORD), ("new", "short")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("at least 12 characters"), "{}", res.body);
    let res = a
        .post_form(
            "/account/password",
            &[("current", PASSWORD), ("new", "passwordpassword")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("common or breached"), "{}", res.body);
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let i = html
        .find(start)
        .map(|i| i + start.len())
        .expect("start marker");
    let j = html[i..].find(end).expect("end marker");
    &html[i..i + j]
}

#[tokio::test]
async fn the_second_factor_is_required_enrolled_and_each_code_used_once() {
    let app = TestApp::spawn_with(Options {
        require_second_factor: true,
        ..Options::default()
    })
    .await;
    let c = app.client();
    let res = c.login("investigator", PASSWORD).await;
    assert_eq!(res.location.as_deref(), Some("/account/second-factor"));
    // Nothing else is reachable before enrolment.
    assert_eq!(
        c.get("/leads").await.location.as_deref(),
        Some("/account/second-factor")
    );
    assert_eq!(c.get("/api/v1/me").await.status, 401);

    let page = c.get("/account/second-factor").await;
    assert_eq!(page.status, 200);
    let secret = between(&page.body, "<code class=\"secret\">", "</code>").to_owned();
    assert!(page.body.contains("<svg"), "a QR code is shown");
    let wrong = c
        .post_form("/account/second-factor", &[("code", "000000")])
        .await;
    assert_eq!(wrong.status, 401);
    let code = app.services.current_code(&secret).unwrap();
    let res = c
        .post_form("/account/second-factor", &[("code", &code)])
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let codes: Vec<String> = res
        .body
        .match_indices("<li><code>")
        .map(|(i, _)| res.body[i + 10..i + 24].to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    assert_eq!(c.get("/leads").await.status, 200);
    assert_secret_sealed(&app, "investigator", &secret).await;

    // Next sign-in: the code just used is refused (same time step), the next one works.
    let d = app.client();
    assert_eq!(
        d.login("investigator", PASSWORD).await.location.as_deref(),
        Some("/login/second-factor")
    );
    let res = d
        .post_form("/login/second-factor", &[("code", &code)])
        .await;
    assert_eq!(res.status, 401, "a code is accepted once only");
    app.clock.advance(Duration::from_secs(30));
    let next = app.services.current_code(&secret).unwrap();
    let res = d
        .post_form("/login/second-factor", &[("code", &next)])
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(d.get("/leads").await.status, 200);

    // A recovery code works once.
    for expected in [303, 401] {
        let e = app.client();
        e.login("investigator", PASSWORD).await;
        let res = e
            .post_form("/login/second-factor", &[("code", &codes[0])])
            .await;
        assert_eq!(res.status, expected);
    }

    // The provider API account sees no case data and needs no second factor.
    let p = app.client();
    assert_eq!(
        p.login("provider-api", PASSWORD).await.location.as_deref(),
        Some("/")
    );
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = TestApp::spawn().await;
    let c = app.login(Role::Volunteer).await;
    let page = c.get("/").await;
    let token = meta_csrf(&page.body).unwrap();
    let res = c.post_form_raw("/logout", &[("csrf_token", &token)]).await;
    assert_eq!(res.location.as_deref(), Some("/login?notice=signed-out"));
    assert!(c.get("/").await.redirects_to_login());
}

/// Issue 25, finding 7: the second-factor secret is sealed at rest. The column holds a
/// sealed value, and on SQLite neither the database file nor its WAL holds the secret.
async fn assert_secret_sealed(app: &TestApp, username: &str, secret: &str) {
    let row = store::users::by_username(app.services.store.reader(), username)
        .await
        .unwrap()
        .unwrap();
    let stored = row.totp_secret.expect("a secret");
    assert!(stored.starts_with("sealed:v1:"), "{stored}");
    assert!(!stored.contains(secret), "{stored}");
    if let Some(path) = app.db.url.strip_prefix("sqlite://") {
        let path = path.split('?').next().unwrap();
        for file in [path.to_owned(), format!("{path}-wal")] {
            let bytes = std::fs::read(&file).unwrap_or_default();
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{file} holds the secret in plain text"
            );
        }
    }
}

/// A secret an older version stored in plain text is sealed when the server starts, and
/// signing in with it still works.
#[tokio::test]
async fn a_second_factor_secret_stored_plain_is_sealed_at_start_and_still_works() {
    let app = TestApp::spawn_with(Options {
        require_second_factor: true,
        ..Options::default()
    })
    .await;
    let secret = enrol_investigator(&app).await;
    let row = store::users::by_username(app.services.store.reader(), "investigator")
        .await
        .unwrap()
        .unwrap();
    // As an older version left it.
    let mut tx = app.services.store.begin().await.unwrap();
    store::users::set_totp(&mut *tx, row.id, Some(&secret), true, 0)
        .await
        .unwrap();
    store::commit(tx).await.unwrap();
    app.clock.advance(Duration::from_secs(30));
    let c = app.client();
    c.login("investigator", PASSWORD).await;
    let code = app.services.current_code(&secret).unwrap();
    let res = c
        .post_form("/login/second-factor", &[("code", &code)])
        .await;
    assert_eq!(
        res.status, 303,
        "a plain secret is still read: {}",
        res.body
    );

    assert_eq!(app.services.seal_plaintext_secrets().await.unwrap(), 1);
    assert_eq!(app.services.seal_plaintext_secrets().await.unwrap(), 0);
    let row = store::users::by_username(app.services.store.reader(), "investigator")
        .await
        .unwrap()
        .unwrap();
    assert!(row.totp_secret.unwrap().starts_with("sealed:v1:"));
    app.clock.advance(Duration::from_secs(30));
    let d = app.client();
    d.login("investigator", PASSWORD).await;
    let code = app.services.current_code(&secret).unwrap();
    let res = d
        .post_form("/login/second-factor", &[("code", &code)])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
}

/// Enrols the investigator's second factor and returns its secret.
async fn enrol_investigator(app: &TestApp) -> String {
    let c = app.client();
    c.login("investigator", PASSWORD).await;
    let page = c.get("/account/second-factor").await;
    let secret = between(&page.body, "<code class=\"secret\">", "</code>").to_owned();
    let code = app.services.current_code(&secret).unwrap();
    let res = c
        .post_form("/account/second-factor", &[("code", &code)])
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    secret
}

async fn token_for(app: &TestApp, username: &str) -> String {
    app.services
        .create_token(
            &service::accounts::Actor::Operator,
            username,
            "script",
            None,
        )
        .await
        .unwrap()
        .token
}

#[tokio::test]
async fn five_wrong_second_factor_codes_lock_the_account_and_revoke_its_tokens() {
    let app = TestApp::spawn_with(Options {
        require_second_factor: true,
        ..Options::default()
    })
    .await;
    let secret = enrol_investigator(&app).await;
    let token = token_for(&app, "investigator").await;
    let anon = app.client();
    assert_eq!(anon.get_with_token("/api/v1/me", &token).await.status, 200);

    // Someone with the password guesses codes.
    let d = app.client();
    d.login("investigator", PASSWORD).await;
    for attempt in 1..=4 {
        let res = d
            .post_form("/login/second-factor", &[("code", "000000")])
            .await;
        assert_eq!(res.status, 401, "attempt {attempt}");
    }
    let res = d
        .post_form("/login/second-factor", &[("code", "000000")])
        .await;
    assert_eq!(res.location.as_deref(), Some("/login?notice=locked"));
    let page = d.follow(&res).await;
    assert!(page.body.contains("the account is locked"), "{}", page.body);
    // The half-session is gone: the right code no longer helps.
    let code = app.services.current_code(&secret).unwrap();
    let res = d
        .post_form("/login/second-factor", &[("code", &code)])
        .await;
    assert!(res.redirects_to_login(), "{:?}", res.location);
    assert_eq!(d.login("investigator", PASSWORD).await.status, 401);
    // And the tokens went with the lock.
    assert_eq!(anon.get_with_token("/api/v1/me", &token).await.status, 401);
    // A right code resets the count: four wrong, one right, four wrong do not lock.
    app.clock.advance(Duration::from_secs(31 * 60));
    let e = app.client();
    assert_eq!(e.login("investigator", PASSWORD).await.status, 303);
    for _ in 0..4 {
        e.post_form("/login/second-factor", &[("code", "000000")])
            .await;
    }
    let code = app.services.current_code(&secret).unwrap();
    assert_eq!(
        e.post_form("/login/second-factor", &[("code", &code)])
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn tokens_are_revoked_by_a_password_or_second_factor_reset_and_expire_after_ninety_days() {
    let app = TestApp::spawn().await;
    let anon = app.client();
    let admin = app.login(Role::Administrator).await;

    let token = token_for(&app, "analyst").await;
    assert_eq!(anon.get_with_token("/api/v1/me", &token).await.status, 200);
    let res = admin
        .post_form(
            "/admin/users/analyst/password",
            &[("password", "a brand new passphrase 42")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(anon.get_with_token("/api/v1/me", &token).await.status, 401);

    let token = token_for(&app, "analyst").await;
    let res = admin
        .post_form("/admin/users/analyst/second-factor/reset", &[])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(anon.get_with_token("/api/v1/me", &token).await.status, 401);

    let token = token_for(&app, "analyst").await;
    app.clock.advance(Duration::from_secs(89 * 24 * 3600));
    assert_eq!(anon.get_with_token("/api/v1/me", &token).await.status, 200);
    app.clock.advance(Duration::from_secs(2 * 24 * 3600));
    assert_eq!(anon.get_with_token("/api/v1/me", &token).await.status, 401);
}

/// Median times of `n` refused HTTP Basic tries on the provider API per name, the names
/// taken in turn so that whatever else the machine does weighs on each alike; and the
/// answers' bodies.
async fn basic_medians(app: &TestApp, users: &[&str], n: usize) -> Vec<(Duration, String)> {
    let http = reqwest::Client::new();
    let mut times = vec![Vec::new(); users.len()];
    let mut bodies = vec![String::new(); users.len()];
    for _ in 0..n {
        for (i, user) in users.iter().enumerate() {
            let t = std::time::Instant::now();
            let res = http
                .post(format!("{}/ispws/submit", app.base))
                .basic_auth(user, Some("not the password at all"))
                .body("<report/>")
                .send()
                .await
                .unwrap();
            assert_eq!(res.status().as_u16(), 401, "{user}");
            bodies[i] = res.text().await.unwrap();
            times[i].push(t.elapsed());
        }
    }
    times
        .into_iter()
        .zip(bodies)
        .map(|(mut t, b)| {
            t.sort();
            (t[n / 2], b)
        })
        .collect()
}

#[tokio::test]
async fn http_basic_answers_an_unknown_a_staff_and_a_provider_name_alike_and_counts_the_tries() {
    let app = TestApp::spawn().await;
    let m = basic_medians(
        &app,
        &["nobody-by-this-name", "analyst", "provider-api"],
        15,
    )
    .await;
    let [(unknown, unknown_body), (staff, staff_body), (provider, provider_body)] =
        <[(Duration, String); 3]>::try_from(m).unwrap();
    // Each runs one password hash: the times are alike (before, a staff name answered
    // in a millisecond and an unknown one in 25).
    let (lo, hi) = [unknown, staff, provider]
        .into_iter()
        .fold((Duration::MAX, Duration::ZERO), |(lo, hi), t| {
            (lo.min(t), hi.max(t))
        });
    assert!(
        hi < lo * 3,
        "unknown {unknown:?}, staff {staff:?}, provider {provider:?}"
    );
    assert_eq!(unknown_body, staff_body);
    assert_eq!(unknown_body, provider_body);
    // The staff account's tries were counted and audited: it is locked.
    assert_eq!(app.client().login("analyst", PASSWORD).await.status, 401);
    let admin = app.login(Role::Administrator).await;
    let audit = admin.get("/admin/audit?actor=analyst").await.body;
    assert!(
        audit.contains("HTTP Basic to an account that is not a provider"),
        "{audit}"
    );
}

/// Finding 3 of issue 25: one address may fail only `security.attempts_per_minute` times,
/// counted before the hash runs, on every door that checks credentials; credentials that
/// hold do not count.
#[tokio::test]
async fn one_address_may_fail_only_so_many_sign_ins_before_any_password_is_hashed() {
    let app = TestApp::spawn_with(Options {
        attempts_per_minute: Some(3),
        ..Options::default()
    })
    .await;
    let analyst = &app.usernames[&Role::Analyst];
    let provider = &app.usernames[&Role::ProviderApi];
    // Good sign-ins give their attempt back: many in a row from one address are fine.
    for _ in 0..5 {
        let c = app.client();
        assert_eq!(c.login(analyst, PASSWORD).await.status, 303);
    }
    let http = reqwest::Client::new();
    for _ in 0..5 {
        let res = http
            .get(format!("{}/ispws/status", app.base))
            .basic_auth(provider, Some(PASSWORD))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
    }

    let c = app.client();
    for _ in 0..3 {
        assert_eq!(c.login(analyst, "wrong password here").await.status, 401);
    }
    // Refused before the password is checked: the right one is refused too.
    let res = c.login(analyst, PASSWORD).await;
    assert_eq!(res.status, 429, "{}", res.body);
    let wait: u64 = res.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&wait), "Retry-After: {wait}");
    assert!(res.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(
        res.body.contains("Too many failed attempts to sign in"),
        "{}",
        res.body
    );
    assert!(res.body.contains("then try again"));

    // The same address on the provider API, the JSON API and the second factor.
    let res = http
        .get(format!("{}/ispws/status", app.base))
        .basic_auth(provider, Some(PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 429);
    assert!(res.headers().contains_key("retry-after"));
    let res = c.get_with_token("/api/v1/me", "ch_not_a_real_token").await;
    assert_eq!(res.status, 429, "{}", res.body);
    assert!(res.headers.contains_key("retry-after"));
    assert_eq!(
        res.headers["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    assert!(
        res.body.contains("Too many failed attempts"),
        "{}",
        res.body
    );
    let res = c
        .post_form("/login/second-factor", &[("code", "123456")])
        .await;
    assert_eq!(res.status, 429, "{}", res.body);

    // Not a lock of the account: three failures are fewer than the lock's five.
    let user = app
        .services
        .user_by_username(&service::accounts::Actor::Operator, analyst)
        .await
        .unwrap();
    assert!(user.locked_at.is_none());
}

/// Issue 25, finding 10: `next=` is followed only when it is a path of this site, however
/// it is disguised.
#[tokio::test]
async fn next_leads_only_to_a_path_of_this_site() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let page = c.get("/login?next=/%09/evil.example").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(r#"name="next" value="/">"#),
        "{}",
        page.body
    );
    let analyst = &app.usernames[&Role::Analyst];
    for next in [
        "/\t/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "/\u{1}x",
    ] {
        let c = app.client();
        let res = c
            .post_form(
                "/login",
                &[
                    ("username", analyst),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{next:?}: {}", res.body);
        assert_eq!(res.location.as_deref(), Some("/"), "{next:?}");
    }
    let c = app.client();
    let res = c
        .post_form(
            "/login",
            &[
                ("username", analyst),
                ("password", PASSWORD),
                ("next", "/cases?q=a%20b"),
            ],
        )
        .await;
    assert_eq!(res.location.as_deref(), Some("/cases?q=a%20b"));
}

/// Issue 25, finding 10: a browser with a provider's Basic credentials cached cannot be
/// made to post to the provider API from another site.
#[tokio::test]
async fn the_provider_api_refuses_forms_posted_from_another_site() {
    let app = TestApp::spawn().await;
    let provider = &app.usernames[&Role::ProviderApi];
    let http = reqwest::Client::new();
    let post = |headers: &'static [(&'static str, &'static str)]| {
        let mut r = http
            .post(format!("{}/ispws/submit", app.base))
            .basic_auth(provider, Some(PASSWORD))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("<report/>");
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        async move { r.send().await.unwrap().text().await.unwrap() }
    };
    for headers in [
        &[("origin", "https://evil.example")][..],
        &[("sec-fetch-site", "cross-site")][..],
        &[("origin", "null")][..],
    ] {
        let body = post(headers).await;
        assert!(
            body.contains("<responseCode>4000</responseCode>") && body.contains("another web site"),
            "{headers:?}: {body}"
        );
    }
    // The provider's own client is not affected: the document is read (and found wanting).
    let body = post(&[]).await;
    assert!(!body.contains("another web site"), "{body}");
}

/// The `Set-Cookie` values of a response for the cookie `name`, in order.
fn set_cookies<'a>(res: &'a crate::helpers::Res, name: &str) -> Vec<&'a str> {
    res.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|v| v.starts_with(&format!("{name}=")))
        .collect()
}

/// Signs in with raw headers (no cookie store): the pre-login token from `/login`, and
/// whatever `extra` cookies a browser would send.
async fn raw_sign_in(app: &TestApp, prefix: &str, extra: &str) -> crate::helpers::Res {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = http
        .get(format!("{}/login", app.base))
        .send()
        .await
        .unwrap();
    let csrf_cookie = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{prefix}ch_csrf=")))
        .map(|v| v.split(';').next().unwrap().to_owned())
        .expect("a pre-login CSRF cookie");
    let token = meta_csrf(&page.text().await.unwrap()).unwrap();
    assert_eq!(token, csrf_cookie);
    let res = http
        .post(format!("{}/login", app.base))
        .header("cookie", format!("{prefix}ch_csrf={csrf_cookie}; {extra}"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("username", app.usernames[&Role::Analyst].as_str()),
            ("password", PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    crate::helpers::Res {
        status,
        location: None,
        headers,
        body: res.text().await.unwrap(),
    }
}

/// Issue 25, finding 10: a stale session cookie does not undo the sign-in that replaces it.
#[tokio::test]
async fn a_stale_session_cookie_does_not_make_signing_in_fail() {
    let app = TestApp::spawn().await;
    let res = raw_sign_in(&app, "", "ch_session=an-old-session-that-ended").await;
    assert_eq!(res.status, 303, "{}", res.body);
    let sessions = set_cookies(&res, "ch_session");
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    assert!(!sessions[0].starts_with("ch_session=;"), "{sessions:?}");
}

/// Issue 25, finding 10: with secure cookies, cookies carry the `__Host-` prefix, and the
/// pre-login CSRF token is the server's: one planted by someone else is replaced.
#[tokio::test]
async fn cookies_are_host_only_and_the_pre_login_token_is_signed() {
    let app = TestApp::spawn_with(Options {
        secure_cookies: true,
        ..Options::default()
    })
    .await;
    let res = raw_sign_in(&app, "__Host-", "").await;
    assert_eq!(res.status, 303, "{}", res.body);
    let session = set_cookies(&res, "__Host-ch_session");
    assert_eq!(session.len(), 1, "{:?}", res.headers);
    assert!(session[0].contains("; Secure") && session[0].contains("Path=/"));
    assert!(!session[0].contains("Domain"));

    // A token of someone else's choosing, as a neighbouring site would plant it.
    let http = reqwest::Client::new();
    let chosen = "attacker-chosen-token-0123456789abcdef";
    for cookie in [
        format!("__Host-ch_csrf={chosen}"),
        format!("__Host-ch_csrf={chosen}.forged-signature"),
        format!("ch_csrf={chosen}"),
    ] {
        let page = http
            .get(format!("{}/login", app.base))
            .header("cookie", cookie.as_str())
            .send()
            .await
            .unwrap();
        let body = page.text().await.unwrap();
        let token = meta_csrf(&body).unwrap();
        assert!(!token.contains(chosen), "{cookie}: {token}");
    }
}
