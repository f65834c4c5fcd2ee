//! Where to send someone after sign-in: only a path on this site, never another site.

/// `Some(path)` if `candidate` is a relative path on this site; `None` for anything that could
/// leave it (`//evil.example`, `/\evil.example`, `https://…`, control characters).
pub fn safe(candidate: &str) -> Option<String> {
    let ok = candidate.starts_with('/')
        && !candidate.starts_with("//")
        && !candidate.starts_with("/\\")
        && !candidate.chars().any(|c| c.is_control() || c == '\\')
        && candidate.len() <= 2048;
    ok.then(|| candidate.to_owned())
}

#[cfg(test)]
mod tests {
    use super::safe;

    #[test]
    fn only_paths_on_this_site_are_kept() {
        let cases: [(&str, Option<&str>, &str); 9] = [
            ("/", Some("/"), "the overview"),
            ("/users?q=ad", Some("/users?q=ad"), "a page with a query"),
            (
                "//evil.example/x",
                None,
                "protocol-relative URL leaves the site",
            ),
            (
                "/\\evil.example",
                None,
                "browsers read a backslash as a slash",
            ),
            ("https://evil.example", None, "absolute URL"),
            ("javascript:alert(1)", None, "script URL"),
            ("users", None, "relative to the current page, not the site"),
            ("/a\r\nSet-Cookie: x", None, "header injection"),
            ("", None, "empty"),
        ];
        for (input, expected, why) in cases {
            assert_eq!(safe(input).as_deref(), expected, "{why}");
        }
    }
}
