//! What the browser downloads: the bundle, the styles and the pages, compressed, and cached
//! exactly as long as they cannot change.
//!
//! `scripts/build-site.sh` names each bundle file after a hash of its content
//! (`privacy-portal.<hash>.wasm`), writes the hashes to `hash.txt` beside `pkg/`, and stores a
//! brotli and a gzip copy of every file. [`pkg_service`] serves those copies to a browser that
//! accepts them (no work per request), and [`cache_policy`] lets a browser keep a hashed file
//! for a year without asking again: a new build has new names. Files without a hash (a build
//! without `hash.txt`, or the style sheet the no-JavaScript error page names) are revalidated
//! at each use instead.
//!
//! Everything else (pages, server functions, the REST API, downloads) is compressed as it is
//! sent, by the compression layer, except for a request another site made the browser send
//! ([`no_compression_across_sites`]): a page compressed with a secret in it (the form token)
//! and text an attacker chose (a search in the address) lets someone who sees only the sizes
//! of the answers guess the secret by trying (BREACH). The portal's own pages never make such
//! requests on an attacker's behalf, and another site's requests get uncompressed answers.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::path::{Path, PathBuf};
use tower_http::services::ServeDir;

/// The hash file the build writes beside `pkg/` (`js: …`, `wasm: …`, `css: …`).
pub const HASH_FILE: &str = "hash.txt";

/// How long a browser keeps a hashed file: a year, the longest `max-age` caches honour.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// A file whose name does not change with its content: kept, but asked about at each use.
const REVALIDATE: &str = "no-cache";

/// The content hashes of the bundle's files, as the build wrote them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fingerprints {
    pub js: Option<String>,
    pub wasm: Option<String>,
    pub css: Option<String>,
}

impl Fingerprints {
    /// Reads `hash.txt` under `site_root`; none (all `None`) when the build wrote no hashes.
    pub fn read(site_root: &Path) -> Fingerprints {
        match std::fs::read_to_string(hash_file(site_root)) {
            Ok(text) => Fingerprints::parse(&text),
            Err(_) => Fingerprints::default(),
        }
    }

    /// Parses the lines of a hash file; a line it does not know, or a hash that is not plain
    /// letters and digits, is ignored (the file would otherwise name a path).
    pub fn parse(text: &str) -> Fingerprints {
        let mut found = Fingerprints::default();
        for line in text.lines() {
            let Some((kind, hash)) = line.split_once(':') else {
                continue;
            };
            let hash = hash.trim();
            if hash.is_empty() || !hash.chars().all(|c| c.is_ascii_alphanumeric()) {
                continue;
            }
            let slot = match kind.trim() {
                "js" => &mut found.js,
                "wasm" => &mut found.wasm,
                "css" => &mut found.css,
                _ => continue,
            };
            *slot = Some(hash.to_owned());
        }
        found
    }

    /// Whether the build hashed the bundle and its style sheet: the pages then name the hashed
    /// files (Leptos' `HydrationScripts` and `HashedStylesheet` read `hash.txt` themselves).
    pub fn bundle_hashed(&self) -> bool {
        self.js.is_some() && self.wasm.is_some() && self.css.is_some()
    }
}

/// The hash file's absolute path: Leptos joins it to the binary's directory, and an absolute
/// path is kept as it is, so tests and installed binaries read the one beside the site.
pub fn hash_file(site_root: &Path) -> PathBuf {
    let path = site_root.join(HASH_FILE);
    std::path::absolute(&path).unwrap_or(path)
}

/// Serves `site_root/pkg`, with the precompressed copies where the browser accepts them.
pub fn pkg_service(site_root: &Path) -> ServeDir {
    ServeDir::new(site_root.join("pkg"))
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false)
}

/// Sets how long a browser keeps a file of `/pkg` it was given (or told is unchanged).
pub async fn cache_policy(request: Request, next: Next) -> Response {
    let hashed = is_hashed(request.uri().path());
    let mut response = next.run(request).await;
    let status = response.status();
    if status.is_success() || status == axum::http::StatusCode::NOT_MODIFIED {
        let policy = if hashed { IMMUTABLE } else { REVALIDATE };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// Whether a file name carries a content hash: `name.<16 or more hex digits>.ext`.
fn is_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let mut parts = file.rsplit('.');
    let (Some(_extension), Some(hash)) = (parts.next(), parts.next()) else {
        return false;
    };
    parts.next().is_some() && hash.len() >= 16 && hash.chars().all(|c| c.is_ascii_hexdigit())
}

/// Takes `Accept-Encoding` away from a request that another site made the browser send, so its
/// answer goes uncompressed (see the module documentation: BREACH).
pub async fn no_compression_across_sites(mut request: Request, next: Next) -> Response {
    if !crate::auth::csrf::from_this_site(&request) {
        request.headers_mut().remove(header::ACCEPT_ENCODING);
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_file_names_the_hashes_of_the_three_files_and_nothing_else() {
        let found = Fingerprints::parse(
            "js: 0123456789abcdef\nwasm:fedcba9876543210\ncss: 00aa\nother: 11\njs2: x\n",
        );
        assert_eq!(found.js.as_deref(), Some("0123456789abcdef"));
        assert_eq!(found.wasm.as_deref(), Some("fedcba9876543210"));
        assert_eq!(found.css.as_deref(), Some("00aa"));
        assert!(found.bundle_hashed());
        let bad = Fingerprints::parse("js: ../../etc/passwd\ncss: a b\n");
        assert_eq!(bad, Fingerprints::default(), "a hash is never a path");
        assert!(!bad.bundle_hashed());
    }

    #[test]
    fn only_a_name_with_a_content_hash_is_kept_for_a_year() {
        assert!(is_hashed("/pkg/privacy-portal.0123456789abcdef.wasm"));
        assert!(is_hashed("/pkg/privacy-portal.0123456789abcdef.js"));
        assert!(!is_hashed("/pkg/privacy-portal.wasm"));
        assert!(!is_hashed("/pkg/privacy-portal.css"));
        assert!(
            !is_hashed("/pkg/0123456789abcdef.css"),
            "a name, then the hash"
        );
        assert!(
            !is_hashed("/pkg/privacy-portal.abc.css"),
            "too short to be a hash"
        );
    }
}
