//! The pages people use on a phone, in a real headless Chromium at 390×844: nothing lays
//! out wider than the screen, a tip is filed by tapping (WebDriver's element click, which
//! fails when something covers the element), a form's problems are listed at the top with
//! links that take the person to the field; an action's banner is seen with the page's
//! title; and a report prints without the site around it.

use crate::browser::Browser;
use crate::helpers::TestApp;
use domain::Role;
use fantoccini::{Client, Locator};

const WIDTH: u32 = 390;
const HEIGHT: u32 = 844;

/// Sizes the window so the page's viewport is a phone's (the window's frame, if any, is
/// added to the size asked for).
pub(crate) async fn phone(c: &Client) {
    c.set_window_size(WIDTH, HEIGHT).await.unwrap();
    let inner = c
        .execute("return [window.innerWidth, window.outerWidth];", vec![])
        .await
        .unwrap();
    let (inner, outer) = (inner[0].as_u64().unwrap(), inner[1].as_u64().unwrap());
    if inner != u64::from(WIDTH) {
        let w = u32::try_from(outer - inner).unwrap() + WIDTH;
        c.set_window_size(w, HEIGHT).await.unwrap();
    }
    let inner = c
        .execute("return window.innerWidth;", vec![])
        .await
        .unwrap();
    assert_eq!(
        inner.as_u64(),
        Some(u64::from(WIDTH)),
        "a phone-wide viewport"
    );
}

/// The page's layout width and the viewport's, once the page is loaded.
async fn widths(b: &Browser) -> (u64, u64) {
    b.wait_text("main", "").await;
    let v = b
        .client
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .unwrap();
    (v[0].as_u64().unwrap(), v[1].as_u64().unwrap())
}

pub(crate) async fn no_sideways_scroll(b: &Browser, base: &str, path: &str) {
    b.client.goto(&format!("{base}{path}")).await.unwrap();
    let (scroll, inner) = widths(b).await;
    if scroll > inner {
        // Name the elements that stick out, so a failure says what to fix.
        let wide = b
            .client
            .execute(
                "return Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(', ');",
                vec![],
            )
            .await
            .unwrap();
        panic!("{path} lays out {scroll} px wide in a {inner} px viewport: {wide}");
    }
}

pub(crate) async fn tap(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("tapping {css} did not reach it: {e}"));
}

pub(crate) async fn tap_and_type(c: &Client, css: &str, text: &str) {
    tap(c, css).await;
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

#[tokio::test]
async fn on_a_phone_no_page_scrolls_sideways_and_a_tip_is_filed_by_tapping() {
    let app = TestApp::spawn().await;
    // A case to look at, reported by its caseworker.
    let cw = app.login(Role::Caseworker).await;
    let yesterday = casework::model::iso(app.services.today() - time::Duration::days(1));
    let res = cw
        .post_form(
            "/cases",
            &[
                ("name", "Rosa Quillfeather-Montgomery-Example"),
                ("date_of_birth", "2011-04-02"),
                ("sex", "female"),
                ("description", "5 ft 2 in, brown hair, green backpack"),
                ("custody", "foster_care"),
                ("agency_name", "Test Child Welfare"),
                ("caseworker_name", "Casey Quillfeather"),
                ("caseworker_phone", "(555) 010-0188"),
                ("child_phones", "(212) 555-0147"),
                (
                    "child_handles",
                    "@rosa_moonbeam_with_a_rather_long_handle_name",
                ),
                ("reported_on", yesterday.as_str()),
                ("last_seen_on", yesterday.as_str()),
                ("last_seen_city", "Tulsa"),
                ("last_seen_state", "OK"),
                ("circumstance", "missing_from_care"),
                ("reported_by", "foster parent"),
                (
                    "narrative",
                    "Left her placement at night with someone she met online.",
                ),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let case = res.location.unwrap();

    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/login", app.base)).await.unwrap();
    phone(c).await;
    no_sideways_scroll(&b, &app.base, "/login").await;
    no_sideways_scroll(&b, &app.base, "/tip").await;

    // The form's problems, at the top, each a link to its field.
    tap(c, "#send-report").await;
    let summary = b.wait_text(".error-summary", "There is a problem").await;
    assert!(summary.contains("What happened"), "{summary}");
    let (scroll, inner) = widths(&b).await;
    assert!(scroll <= inner, "the page with errors is {scroll} px wide");
    tap(c, ".error-summary a[href='#what_happened']").await;
    let focused = c
        .execute(
            "return document.activeElement && document.activeElement.id;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        focused, "what_happened",
        "the link takes the person to the field"
    );

    // Filed by tapping each field and the button, as a person does.
    let kind = c.find(Locator::Css("#incident_type")).await.unwrap();
    kind.click().await.unwrap();
    kind.select_by_value("Child Sex Trafficking").await.unwrap();
    tap_and_type(
        c,
        "#what_happened",
        "A girl at the bus station said a man keeps her phone. tidepoolwren",
    )
    .await;
    tap_and_type(c, "#city", "Dayton").await;
    tap_and_type(c, "#child_age", "15").await;
    tap_and_type(c, "#other_screen_names", "handle_one, handle_two").await;
    tap(c, "#anonymous").await;
    tap(c, "#send-report").await;
    b.wait_text("main h1", "Your report was received").await;
    let number = b.wait_text("#report-number", "").await;
    assert!(number.trim().parse::<i64>().is_ok(), "{number}");

    // The signed-in pages, at the same width.
    c.goto(&format!("{}/login", app.base)).await.unwrap();
    b.submit_sign_in("caseworker").await;
    b.wait_text("main h1", "Welcome").await;
    no_sideways_scroll(&b, &app.base, "/cases/new").await;
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{}/login", app.base)).await.unwrap();
    b.submit_sign_in("analyst").await;
    b.wait_text("main h1", "Welcome").await;
    no_sideways_scroll(&b, &app.base, &case).await;
    no_sideways_scroll(&b, &app.base, &format!("/reports/{}", number.trim())).await;
    no_sideways_scroll(&b, &app.base, "/reports").await;
    b.stop().await;
}

#[tokio::test]
async fn an_action_lands_on_its_page_with_a_banner_under_the_title_in_view() {
    let app = TestApp::spawn().await;
    let res = app
        .client()
        .post_form(
            "/tip",
            &[
                ("incident_type", "Child Sex Trafficking"),
                (
                    "what_happened",
                    "A boy at the arcade said he owes a man money.",
                ),
                ("website", ""),
            ],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let i = res.body.find("id=\"report-number\">").unwrap() + 19;
    let n: i64 = res.body[i..i + res.body[i..].find('<').unwrap()]
        .parse()
        .unwrap();

    let b = Browser::start().await;
    let c = &b.client;
    b.sign_in(&app.base, "analyst").await;
    phone(c).await;
    c.goto(&format!("{}/reports/{n}", app.base)).await.unwrap();
    c.find(Locator::Css("#assign_to"))
        .await
        .unwrap()
        .select_by_value("analyst")
        .await
        .unwrap();
    tap(c, "form[action$='/assign'] button[type=submit]").await;
    let text = b
        .wait_text(".notification-banner", "assigned to analyst")
        .await;
    assert!(
        text.contains(&format!("Report {n} assigned to analyst.")),
        "{text}"
    );
    // The person sees what happened and where they are: no jump past the title.
    let top = c
        .execute(
            "return [window.scrollY, document.querySelector('main h1').getBoundingClientRect().top, document.querySelector('.notification-banner').getBoundingClientRect().top];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        top[0].as_f64(),
        Some(0.0),
        "the page is not scrolled: {top:?}"
    );
    let (h1, banner) = (top[1].as_f64().unwrap(), top[2].as_f64().unwrap());
    assert!(
        banner >= 0.0 && h1 > banner && h1 < f64::from(HEIGHT),
        "{top:?}"
    );
    // Once: a reload shows the page without it.
    c.refresh().await.unwrap();
    b.wait_text("main h1", "Report").await;
    assert!(c.find(Locator::Css(".notification-banner")).await.is_err());
    b.stop().await;
}

/// The page as Chrome prints it (WebDriver's print command), as a PDF.
async fn print(c: &Client) -> Vec<u8> {
    use base64::Engine;
    let cmd = webdriver::command::WebDriverCommand::<
        webdriver::command::VoidWebDriverExtensionCommand,
    >::Print(webdriver::command::PrintParameters::default());
    let pdf = c.issue_cmd(cmd).await.unwrap();
    base64::engine::general_purpose::STANDARD
        .decode(pdf.as_str().expect("the PDF as base64"))
        .unwrap()
}

#[tokio::test]
async fn a_report_prints_for_the_case_file_without_the_site_around_it() {
    let app = TestApp::spawn().await;
    let res = app
        .client()
        .post_form(
            "/tip",
            &[
                ("incident_type", "Child Sex Trafficking"),
                (
                    "what_happened",
                    "A girl at the diner said she cannot leave. quietfern",
                ),
                ("urls", "https://ads.example/listing/1"),
                ("state", "OH"),
                ("website", ""),
            ],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let i = res.body.find("id=\"report-number\">").unwrap() + 19;
    let n: i64 = res.body[i..i + res.body[i..].find('<').unwrap()]
        .parse()
        .unwrap();

    let b = Browser::start().await;
    let c = &b.client;
    b.sign_in(&app.base, "analyst").await;
    c.goto(&format!("{}/reports/{n}", app.base)).await.unwrap();
    b.wait_text("main", "quietfern").await;
    // In print, the site's frame, the forms and the buttons are hidden and the record's
    // title is on top; on screen they are there.
    let hidden = "return ['.site-header', '.site-nav', '.site-footer', 'main form', '.print-head'].map(s => { const e = document.querySelector(s); return e ? getComputedStyle(e).display : 'absent'; });";
    let screen = c.execute(hidden, vec![]).await.unwrap();
    assert_eq!(screen[4], "none", "the print heading is for paper only");
    assert_ne!(screen[0], "none");
    let pdf = print(c).await;
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    if let Ok(dir) = std::env::var("CLEARINGHOUSE_PRINT_OUT") {
        std::fs::write(format!("{dir}/report-{n}.pdf"), &pdf).unwrap();
    }
    let doc = lopdf::Document::load_mem(&pdf).expect("a PDF lopdf can read");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).unwrap_or_default();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("quietfern"), "the report is printed: {text}");
    assert!(
        text.contains(&format!("Report {n}")),
        "its title and number: {text}"
    );
    for absent in ["Sign out", "Skip to main content", "Dashboard"] {
        assert!(!text.contains(absent), "{absent} is printed: {text}");
    }
    // A web address keeps where it leads on paper.
    assert!(text.contains("https://ads.example/listing/1"), "{text}");
    b.stop().await;
}

/// The recovery directory on a phone: the search, a service and the form fit the screen;
/// a recovery specialist searches by need by tapping, and adds a service through the form,
/// its problems listed first.
#[tokio::test]
async fn on_a_phone_the_directory_is_searched_and_a_service_added_by_tapping() {
    let app = TestApp::spawn().await;
    app.services
        .import_resources_as_operator(&synth::resources::package(5, 40))
        .await
        .unwrap();
    let b = Browser::start().await;
    let c = &b.client;
    c.goto(&format!("{}/login", app.base)).await.unwrap();
    phone(c).await;
    b.submit_sign_in(&app.usernames[&Role::RecoverySpecialist])
        .await;
    b.wait_text("main h1", "Welcome").await;
    no_sideways_scroll(&b, &app.base, "/recovery/resources").await;
    no_sideways_scroll(&b, &app.base, "/recovery/resources/1").await;
    no_sideways_scroll(&b, &app.base, "/recovery/resources/new").await;

    c.goto(&format!("{}/recovery/resources", app.base))
        .await
        .unwrap();
    let need = c.find(Locator::Css("#need")).await.unwrap();
    need.click().await.unwrap();
    need.select_by_value("legal").await.unwrap();
    tap(c, "form[role=search] button[type=submit]").await;
    let found = b.wait_text("main", "matching the search").await;
    assert!(found.contains("Legal Aid Project"), "{found}");

    c.goto(&format!("{}/recovery/resources/new", app.base))
        .await
        .unwrap();
    tap(c, "#service-form button[type=submit]").await;
    let summary = b.wait_text(".error-summary", "There is a problem").await;
    assert!(summary.contains("What it offers"), "{summary}");
    let (scroll, inner) = widths(&b).await;
    assert!(scroll <= inner, "the form with errors is {scroll} px wide");
    tap_and_type(c, "#organisation", "Sample Lantern Youth Services").await;
    tap_and_type(c, "#name", "Lantern drop-in").await;
    tap(c, "#need-basic_needs").await;
    tap_and_type(c, "#state", "OH").await;
    tap(c, "#service-form button[type=submit]").await;
    b.wait_text("main h1", "Lantern drop-in").await;
    b.wait_text("main", "was added to the directory").await;
    b.stop().await;
}
