//! Server-rendered pages: the shell, languages, and the 404 page.

use crate::helpers::on_both_databases;

on_both_databases! {
    async fn the_overview_page_is_rendered_on_the_server_with_the_hydration_script(app) {
        let response = app.client.get(app.url("/")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let html = response.text().await.unwrap();
        assert!(html.contains("<html lang=\"en\""), "{html}");
        assert!(html.contains("/pkg/privacy-portal.js"), "hydration script missing");
        assert!(html.contains("Privacy Portal"));
        assert!(html.contains("Check connection"));
    }

    async fn an_unknown_address_answers_404_with_the_not_found_page(app) {
        let response = app.client.get(app.url("/no/such/page")).send().await.unwrap();
        assert_eq!(response.status(), 404);
        let html = response.text().await.unwrap();
        assert!(html.contains("Page not found"), "{html}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dutch_browser_gets_the_page_in_dutch() {
    let app = crate::helpers::TestApp::spawn_sqlite().await;
    let html = app
        .client
        .get(app.url("/"))
        .header("accept-language", "nl-NL,nl;q=0.9,en;q=0.8")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"nl\""), "{html}");
    assert!(html.contains("Verbinding controleren"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn choosing_a_language_is_remembered_and_wins_over_the_browser_language() {
    let app = crate::helpers::TestApp::spawn_sqlite().await;
    let response = app
        .client
        .post(app.url("/api/locale"))
        .header("accept", "text/html")
        .header("referer", app.url("/sign-in"))
        .form(&[("lang", "nl")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        302,
        "a form post is sent back to its page"
    );
    let location = response
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(location.starts_with(&app.url("/sign-in")), "{location}");
    let html = app
        .client
        .get(app.url("/sign-in"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"nl\""), "{html}");
    assert!(html.contains("Aanmelden"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsupported_language_is_refused_and_changes_nothing() {
    let app = crate::helpers::TestApp::spawn_sqlite().await;
    let response = app
        .client
        .post(app.url("/api/locale"))
        .form(&[("lang", "xx")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert!(response.headers().get("set-cookie").is_none());
}
