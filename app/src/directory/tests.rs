//! Tests of the directory's shared types: cursors, search text, the query string and links.

use super::*;
use crate::domain::device::{Imei, SerialNumber};
use crate::domain::enums::{Ownership, Platform};
use crate::domain::identity::E164Phone;

fn params(pairs: &[(&str, &str)]) -> DirectoryParams {
    DirectoryParams::read(|name| {
        pairs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| (*v).to_owned())
    })
}

#[test]
fn a_cursor_survives_the_round_trip_through_a_url() {
    for key in ["adele vance", "", "zoë o'brien & co", "名前", "a.b@c.d"] {
        let cursor = PageCursor::new(DirectorySort::Name, key.into(), "a1b2-c3".into());
        let encoded = cursor.encode();
        assert!(
            encoded
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'),
            "{encoded} needs escaping"
        );
        assert_eq!(PageCursor::parse(&encoded), Ok(cursor));
    }
}

#[test]
fn malformed_cursors_are_refused() {
    let cases = [
        ("", "nothing at all"),
        ("name", "no key or id"),
        ("name.6164", "no id"),
        ("title.6164.abc", "an unknown sort"),
        ("name.616.abc", "an odd number of hex digits"),
        ("name.zz.abc", "not hex"),
        ("name.ff.abc", "not UTF-8"),
        ("name.61.", "an empty id"),
        ("name.61.a b", "a space in the id"),
        ("name.61.a'--", "SQL-looking id"),
    ];
    for (raw, reason) in cases {
        assert!(
            PageCursor::parse(raw).is_err(),
            "{raw:?} ({reason}) was accepted"
        );
    }
}

#[test]
fn the_debug_form_of_a_cursor_and_a_search_hides_personal_data() {
    let cursor = PageCursor::new(
        DirectorySort::Upn,
        "adele.vance@contoso.com".into(),
        "x".into(),
    );
    assert!(!format!("{cursor:?}").contains("adele"));
    let search = SearchText::parse("Adele").unwrap().unwrap();
    assert!(!format!("{search:?}").contains("dele"));
    let params = params(&[("q", "Adele")]);
    assert!(!format!("{params:?}").contains("dele"));
}

#[test]
fn search_text_is_read_as_a_prefix_and_as_each_identifier_it_parses_as() {
    let imei = SearchText::parse(" 35-693803-564380-9 ").unwrap().unwrap();
    assert_eq!(imei.imei().map(Imei::as_str), Some("356938035643809"));
    let serial = SearchText::parse("f2lxk0abcd12").unwrap().unwrap();
    assert_eq!(
        serial.serial().map(SerialNumber::as_str),
        Some("F2LXK0ABCD12")
    );
    assert_eq!(serial.prefix(), "f2lxk0abcd12");
    let phone = SearchText::parse("+1 (425) 555-0101").unwrap().unwrap();
    assert_eq!(phone.phone().map(E164Phone::as_str), Some("+14255550101"));
    let name = SearchText::parse("Adè").unwrap().unwrap();
    assert_eq!(name.prefix(), "adè");
    assert!(name.imei().is_none() && name.serial().is_none() && name.phone().is_none());
    assert_eq!(SearchText::parse("   "), Ok(None));
    assert!(SearchText::parse(&"a".repeat(SEARCH_MAX + 1)).is_err());
}

#[test]
fn the_query_string_is_parsed_into_a_query_and_refusals_name_the_parameter() {
    let query = DirectoryQuery::parse(&params(&[
        ("q", "ade"),
        ("platform", "iOS"),
        ("ownership", "personal"),
        ("open", "1"),
        ("recipient", "apple"),
        ("sort", "upn"),
    ]))
    .unwrap();
    assert_eq!(query.platform, Some(Platform::Ios));
    assert_eq!(query.ownership, Some(Ownership::Personal));
    assert!(query.open_requests);
    assert_eq!(
        query.recipient.as_ref().map(RecipientId::as_str),
        Some("apple")
    );
    assert_eq!(query.sort, DirectorySort::Upn);
    assert_eq!(
        DirectoryQuery::parse(&params(&[])),
        Ok(DirectoryQuery::default())
    );
    let bad = [
        ("platform", "symbian"),
        ("ownership", "borrowed"),
        ("sort", "age"),
        ("open", "yes"),
        ("recipient", "Apple Inc"),
        ("after", "garbage"),
    ];
    for (name, value) in bad {
        match DirectoryQuery::parse(&params(&[(name, value)])) {
            Err(AppError::Invalid { field, .. }) => assert_eq!(field, name),
            other => panic!("{name}={value} gave {other:?}"),
        }
    }
    let name_cursor = PageCursor::new(DirectorySort::Name, "x".into(), "y".into()).encode();
    assert!(
        DirectoryQuery::parse(&params(&[("sort", "upn"), ("after", &name_cursor)]),).is_err(),
        "a cursor of another sort is refused"
    );
}

#[test]
fn links_carry_the_whole_state_and_escape_it() {
    let state = params(&[("q", "zoë & co"), ("platform", ""), ("sort", "upn")]);
    assert_eq!(state.href(), "/users?q=zo%C3%AB%20%26%20co&sort=upn");
    assert_eq!(
        state.page_after("name.61.x").href(),
        "/users?q=zo%C3%AB%20%26%20co&sort=upn&after=name.61.x"
    );
    assert_eq!(DirectoryParams::default().href(), "/users");
    assert!(!DirectoryParams::default().is_narrowed());
    assert!(state.is_narrowed());
}
