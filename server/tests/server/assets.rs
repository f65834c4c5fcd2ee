//! What the browser downloads: pages name the build's hashed bundle files, which are kept for a
//! year; unhashed ones are revalidated; a stored brotli copy is served as it is; pages are
//! compressed for this site's own requests and never for another site's (BREACH). Transport
//! only, so on SQLite alone: the database plays no part.

use crate::helpers::{client, TestApp};
use std::path::Path;

const JS: &str = "0123456789abcdef";
const WASM: &str = "fedcba9876543210";
const CSS: &str = "00112233445566aa";

/// A built site as `scripts/build-site.sh` leaves it: hashed and unhashed files, a brotli copy
/// of the hashed style sheet (stand-in bytes: the server sends it as it is), and `hash.txt`.
fn built_site(root: &Path) {
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let css = "body { color: black; } ".repeat(20);
    std::fs::write(pkg.join("privacy-portal.css"), &css).unwrap();
    std::fs::write(pkg.join(format!("privacy-portal.{CSS}.css")), &css).unwrap();
    std::fs::write(
        pkg.join(format!("privacy-portal.{CSS}.css.br")),
        b"stored brotli bytes",
    )
    .unwrap();
    std::fs::write(
        pkg.join(format!("privacy-portal.{JS}.js")),
        "export default function() {}",
    )
    .unwrap();
    std::fs::write(
        root.join("hash.txt"),
        format!("js: {JS}\nwasm: {WASM}\ncss: {CSS}\n"),
    )
    .unwrap();
}

async fn portal_with_site(root: &Path) -> TestApp {
    let root = root.to_path_buf();
    TestApp::spawn_sqlite_configured(move |config| config.site_root = root).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_name_the_hashed_bundle_which_is_kept_for_a_year_and_unhashed_files_are_revalidated()
{
    let site = tempfile::tempdir().unwrap();
    built_site(site.path());
    let app = portal_with_site(site.path()).await;
    let browser = client();

    let page = browser.get(app.url("/sign-in")).send().await.unwrap();
    assert_eq!(
        page.headers()["cache-control"],
        "no-store",
        "a page is never kept"
    );
    let html = page.text().await.unwrap();
    assert!(
        html.contains(&format!("/pkg/privacy-portal.{JS}.js")),
        "the hashed glue"
    );
    assert!(
        html.contains(&format!("privacy-portal.{WASM}")),
        "the hashed wasm"
    );
    assert!(
        html.contains(&format!("/pkg/privacy-portal.{CSS}.css")),
        "the hashed style sheet"
    );

    let hashed = browser
        .get(app.url(&format!("/pkg/privacy-portal.{CSS}.css")))
        .send()
        .await
        .unwrap();
    assert_eq!(hashed.status(), 200);
    assert_eq!(
        hashed.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );

    let unhashed = browser
        .get(app.url("/pkg/privacy-portal.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(unhashed.status(), 200);
    assert_eq!(unhashed.headers()["cache-control"], "no-cache");
    let modified = unhashed.headers()["last-modified"].clone();
    let again = browser
        .get(app.url("/pkg/privacy-portal.css"))
        .header("if-modified-since", modified)
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.status(),
        304,
        "asked again, the browser keeps its copy"
    );
    assert_eq!(again.headers()["cache-control"], "no-cache");

    let missing = browser
        .get(app.url("/pkg/privacy-portal.ffffffffffffffff.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.headers()["cache-control"],
        "no-store",
        "a missing file is not kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_brotli_copy_is_sent_as_it_is_and_pages_are_compressed_only_for_this_sites_requests(
) {
    let site = tempfile::tempdir().unwrap();
    built_site(site.path());
    let app = portal_with_site(site.path()).await;
    let browser = client();

    let css = browser
        .get(app.url(&format!("/pkg/privacy-portal.{CSS}.css")))
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(css.headers()["content-encoding"], "br");
    assert_eq!(
        css.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        css.bytes().await.unwrap().as_ref(),
        b"stored brotli bytes",
        "the stored copy, not compressed again"
    );

    let own = browser
        .get(app.url("/sign-in"))
        .header("accept-encoding", "gzip")
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(
        own.headers()["content-encoding"],
        "gzip",
        "this site's page, compressed"
    );
    assert_eq!(own.headers()["cache-control"], "no-store");
    assert!(own.headers().contains_key("content-security-policy"));

    let typed = browser
        .get(app.url("/sign-in"))
        .header("accept-encoding", "br")
        .header("sec-fetch-site", "none")
        .send()
        .await
        .unwrap();
    assert_eq!(
        typed.headers()["content-encoding"],
        "br",
        "typed in the address bar"
    );

    for (header, value) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("referer", "https://attacker.example/page"),
    ] {
        let sent = browser
            .get(app.url("/sign-in"))
            .header("accept-encoding", "br, gzip")
            .header(header, value)
            .send()
            .await
            .unwrap();
        assert_eq!(sent.status(), 200);
        assert!(
            sent.headers().get("content-encoding").is_none(),
            "another site's request ({header}: {value}) gets no compression"
        );
    }
}
