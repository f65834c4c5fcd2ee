use super::*;
use crate::clock::{to_rfc3339, DAY_MS};
use serde_json::json;

fn record(value: &Value) -> Result<Record, Refusal> {
    parse_record(&value.to_string())
}

fn user(value: &Value) -> UserRecord {
    match record(value) {
        Ok(Record::User(user)) => user,
        Ok(Record::Device(_)) => panic!("a device, not a user"),
        Err(refusal) => panic!("refused: {refusal:?}"),
    }
}

fn device(value: &Value) -> DeviceRecord {
    match record(value) {
        Ok(Record::Device(device)) => *device,
        Ok(Record::User(_)) => panic!("a user, not a device"),
        Err(refusal) => panic!("refused: {refusal:?}"),
    }
}

fn refusal(value: &Value) -> Refusal {
    match record(value) {
        Ok(_) => panic!("accepted: {value}"),
        Err(refusal) => refusal,
    }
}

fn graph_device() -> Value {
    json!({
        "@odata.type": "#microsoft.graph.managedDevice",
        "id": "D1000000-0000-4000-8000-0000000000D1",
        "userId": "a1b2c3d4-0001-4000-8000-000000000001",
        "userPrincipalName": "adele.vance@contoso.com",
        "deviceName": " Adele's iPhone ",
        "managedDeviceName": "AdeleVance_iPhone_1/5/2025",
        "serialNumber": "f2lxk0abcd12",
        "imei": "35 693803 564380 9",
        "meid": "35693803564380",
        "udid": "00008110-001a2b3c4d5e801e",
        "wiFiMacAddress": "021a2b3c4d01",
        "ethernetMacAddress": "",
        "phoneNumber": "+1 425 555 0111",
        "iccid": "8931 0410 1065 4378 9305",
        "subscriberCarrier": "Contoso Mobile",
        "manufacturer": "Apple",
        "model": "iPhone 15",
        "operatingSystem": "iOS",
        "osVersion": "17.5",
        "managedDeviceOwnerType": "company",
        "deviceEnrollmentType": "appleBulkWithUser",
        "complianceState": "inGracePeriod",
        "enrolledDateTime": "2025-01-05T09:30:00Z",
        "lastSyncDateTime": "0001-01-01T00:00:00Z",
        "isSupervised": true,
        "isEncrypted": "false",
        "azureADDeviceId": "00000000-0000-0000-0000-000000000000",
        "deviceCategoryDisplayName": "Unknown"
    })
}

#[test]
fn a_graph_user_maps_to_normalised_values() {
    let u = user(&json!({
        "@odata.type": "#microsoft.graph.user",
        "id": "{A1B2C3D4-0001-4000-8000-000000000001}",
        "userPrincipalName": "Adele.Vance@CONTOSO.com",
        "displayName": " Adele Vance ",
        "mail": "Adele.Vance@Contoso.COM",
        "mobilePhone": null,
        "businessPhones": ["", "+1 (425) 555-0101", "+1 425 555 0199"],
        "department": "Retail",
        "jobTitle": ""
    }));
    assert_eq!(u.id, "a1b2c3d4-0001-4000-8000-000000000001");
    assert_eq!(u.upn, "Adele.Vance@contoso.com");
    assert_eq!(u.display_name, "Adele Vance");
    assert_eq!(u.email, "Adele.Vance@contoso.com");
    assert_eq!(u.phone.as_deref(), Some("+14255550101"));
    assert_eq!(u.department.as_deref(), Some("Retail"));
    assert_eq!(u.job_title, None, "an empty string is absent");
}

#[test]
fn a_user_without_mail_is_reached_at_the_upn_and_a_mobile_phone_wins() {
    let u = user(&json!({
        "id": "a1b2c3d4-0001-4000-8000-000000000001",
        "userPrincipalName": "chen.li@Contoso.com",
        "displayName": "Chen Li",
        "mobilePhone": "+31 20-1234567",
        "businessPhones": ["+1 425 555 0101"]
    }));
    assert_eq!(u.email, "chen.li@contoso.com");
    assert_eq!(u.phone.as_deref(), Some("+31201234567"));
    let row = u.into_row("t", None, 7);
    assert_eq!(row.search_name, "chen li");
    assert_eq!((row.version, row.created_at, row.updated_at), (0, 7, 7));
}

#[test]
fn a_graph_managed_device_maps_to_normalised_values() {
    let d = device(&graph_device());
    assert_eq!(d.id, "d1000000-0000-4000-8000-0000000000d1");
    assert_eq!(
        d.primary_user_id.as_deref(),
        Some("a1b2c3d4-0001-4000-8000-000000000001")
    );
    assert_eq!(d.device_name, "Adele's iPhone");
    assert_eq!(d.serial_number.as_deref(), Some("F2LXK0ABCD12"));
    assert_eq!(d.imei.as_deref(), Some("356938035643809"));
    assert_eq!(d.udid.as_deref(), Some("00008110-001A2B3C4D5E801E"));
    assert_eq!(d.wifi_mac.as_deref(), Some("02:1A:2B:3C:4D:01"));
    assert_eq!(d.ethernet_mac, None, "empty string");
    assert_eq!(d.phone_number.as_deref(), Some("+14255550111"));
    assert_eq!(d.iccid.as_deref(), Some("89310410106543789305"));
    assert_eq!(d.entra_device_id, None, "all-zero GUID");
    assert_eq!(d.device_category, None, "Graph's Unknown category");
    assert_eq!(d.enrolled_at, Some(1_736_069_400_000));
    assert_eq!(d.last_check_in_at, None, "Graph's year-1 'never'");
    assert_eq!(d.is_supervised, Some(true));
    assert_eq!(d.is_encrypted, Some(false), "a flag given as text");
    let row = d.into_row("t", None, 42);
    assert_eq!(row.platform, "ios");
    assert_eq!(row.ownership, "corporate");
    assert_eq!(row.enrollment_type.as_deref(), Some("apple_ade"));
    assert_eq!(row.compliance_state, "in_grace_period");
    assert_eq!(
        row.last_check_in_at, 42,
        "the import time when Graph says never"
    );
}

#[test]
fn a_device_with_only_the_required_fields_gets_the_unknown_defaults() {
    let d = device(&json!({
        "id": "d4000000-0000-4000-8000-0000000000d4",
        "userId": "00000000-0000-0000-0000-000000000000",
        "deviceName": "Warehouse TC57 #3",
        "operatingSystem": "Android"
    }));
    assert_eq!(d.primary_user_id, None, "a shared device");
    let row = d.into_row("t", None, 42);
    assert_eq!(
        (
            row.manufacturer.as_str(),
            row.model.as_str(),
            row.os_version.as_str()
        ),
        ("unknown", "unknown", "unknown")
    );
    assert_eq!(row.ownership, "unknown");
    assert_eq!(row.compliance_state, "unknown");
    assert_eq!((row.enrolled_at, row.last_check_in_at), (42, 42));
    assert_eq!(row.enrollment_type, None);
}

#[test]
fn a_missing_required_value_keeps_the_stored_one_rather_than_a_default() {
    let stored = device(&graph_device()).into_row("t", None, 1);
    let mut sparse = graph_device();
    for key in [
        "manufacturer",
        "enrolledDateTime",
        "complianceState",
        "isSupervised",
    ] {
        sparse[key] = Value::Null;
    }
    let row = device(&sparse).into_row("t", Some(&stored), 99);
    assert_eq!(row, stored, "nothing changed, so the version stays");
}

#[test]
fn the_record_kind_comes_from_odata_type_or_the_fields_present() {
    let cases = [
        (
            json!({"@odata.type": "#microsoft.graph.user"}),
            Ok(Kind::User),
        ),
        (
            json!({"@odata.type": "#microsoft.graph.managedDevice"}),
            Ok(Kind::Device),
        ),
        (json!({"userPrincipalName": "x"}), Ok(Kind::User)),
        (
            json!({"userPrincipalName": "x", "deviceName": "y"}),
            Ok(Kind::Device),
        ),
    ];
    for (value, expected) in cases {
        let Value::Object(object) = &value else {
            panic!("not an object")
        };
        assert_eq!(kind(object), expected, "{value}");
    }
    let group = json!({"@odata.type": "#microsoft.graph.group", "deviceName": "x"});
    assert_eq!(refusal(&group).field, Some("@odata.type"));
    assert_eq!(refusal(&json!({"id": "x"})).field, None);
}

#[test]
fn bad_fields_are_refused_with_the_graph_name_and_a_reason_without_the_value() {
    let long = "x".repeat(129);
    let cases: Vec<(&str, Value, &str)> = vec![
        ("imei", json!("356938035643808"), "wrong check digit"),
        ("wiFiMacAddress", json!("AA:BB:CC:DD:EE"), "five groups"),
        ("serialNumber", json!("F2LX K0AB"), "space inside"),
        ("userId", json!("not-a-guid"), "not a GUID"),
        ("phoneNumber", json!("4255550111"), "no country code"),
        ("operatingSystem", json!("BeOS"), "unknown platform"),
        (
            "managedDeviceOwnerType",
            json!("borrowed"),
            "unknown ownership",
        ),
        (
            "deviceEnrollmentType",
            json!("carrierPigeon"),
            "unknown enrollment",
        ),
        (
            "enrolledDateTime",
            json!("2025-02-30T00:00:00Z"),
            "30 February",
        ),
        ("isEncrypted", json!("maybe"), "not a flag"),
        ("imei", json!(356_938_035_643_809_u64), "a number, not text"),
        ("osVersion", json!("1".repeat(33)), "wider than its column"),
        ("deviceName", json!(""), "required"),
        ("deviceName", json!("a\u{202E}b"), "direction override"),
    ];
    for (field, value, why) in cases {
        let mut input = graph_device();
        input[field] = value.clone();
        let refused = refusal(&input);
        assert_eq!(refused.field, Some(field), "{why}");
        for locale in Locale::ALL {
            let reason = refused.reason.message(locale);
            assert!(!reason.is_empty(), "{why}");
            if let Some(text) = value.as_str().filter(|t| t.len() > 3) {
                assert!(!reason.contains(text), "{why}: {reason}");
            }
        }
    }
    let cases: Vec<(&str, Value, &str)> = vec![
        ("userPrincipalName", json!("adele"), "no @"),
        ("mail", json!("adele@contoso"), "no dot in the domain"),
        ("mobilePhone", json!("+0 425"), "too short"),
        ("businessPhones", json!("+1 425 555 0101"), "not a list"),
        ("department", json!(long), "wider than its column"),
        ("displayName", Value::Null, "required"),
    ];
    for (field, value, why) in cases {
        let mut input = json!({
            "id": "a1b2c3d4-0001-4000-8000-000000000001",
            "userPrincipalName": "adele.vance@contoso.com",
            "displayName": "Adele Vance"
        });
        input[field] = value;
        assert_eq!(refusal(&input).field, Some(field), "{why}");
    }
    assert_eq!(
        refusal(&{
            let mut d = graph_device();
            d["imei"] = json!("356938035643808");
            d
        })
        .reason
        .message(Locale::En),
        "The check digit is wrong. Check the number for typing errors."
    );
}

#[test]
fn a_refusal_is_a_code_that_reads_in_the_language_of_whoever_shows_it() {
    let mut input = graph_device();
    input["imei"] = json!(356_938_035_643_809_u64);
    let refused = refusal(&input);
    assert_eq!(
        refused.reason,
        RejectionReason::ExpectedText {
            found: JsonType::Number
        }
    );
    assert_eq!(
        refused.reason.message(Locale::En),
        "Expected text, found a number."
    );
    assert_eq!(
        refused.reason.message(Locale::Nl),
        "Verwacht: tekst. Gevonden: een getal."
    );
    let cut = parse_record(r#"{"deviceName": "#).err().map(|r| r.reason);
    assert_eq!(cut, Some(RejectionReason::JsonCutOff));
    let rejection = Rejection {
        line: 3,
        field: Some("imei".into()),
        reason: RejectionReason::Value(ValueError::BadCheckDigit),
    };
    assert_eq!(
        rejection.describe(Locale::En),
        "line 3: imei: The check digit is wrong. Check the number for typing errors.",
        "the command line prints English"
    );
}

#[test]
fn lines_that_are_not_json_objects_are_refused_without_quoting_them() {
    let cases = [
        (
            r#"{"id": "a1b2c3d4-0001-4000-8000-000000000001", "deviceName": "Adele"#,
            "cut off",
        ),
        (r#"{"secret-looking": 356938035643809,}"#, "not valid JSON"),
        ("[1, 2]", "not an object"),
    ];
    for (line, expected) in cases {
        let refused = parse_record(line)
            .err()
            .map(|r| r.reason.message(Locale::En))
            .unwrap_or_default();
        assert!(refused.contains(expected), "{line}: {refused}");
        assert!(
            !refused.contains("Adele") && !refused.contains("3569"),
            "{refused}"
        );
    }
}

#[test]
fn rfc3339_timestamps_convert_to_utc_epoch_milliseconds() {
    let cases = [
        ("1970-01-01T00:00:00Z", 0),
        ("1970-01-01T00:00:00.001Z", 1),
        ("1969-12-31T23:59:59Z", -1000),
        ("2000-02-29T12:00:00Z", 951_825_600_000),
        ("2025-01-05T09:30:00Z", 1_736_069_400_000),
        ("2025-01-05T10:30:00+01:00", 1_736_069_400_000),
        ("2025-01-05T02:00:00-07:30", 1_736_069_400_000),
        ("2025-01-05T09:30:00.1234567Z", 1_736_069_400_123),
        ("2025-01-05T09:30:00.5Z", 1_736_069_400_500),
        ("2016-12-31T23:59:60Z", 1_483_228_800_000),
    ];
    for (text, expected) in cases {
        let timestamp = Timestamp::parse(text).map_err(|e| format!("{e:?}"));
        assert_eq!(
            timestamp.map(|t| epoch_ms(&t)),
            Ok(Some(expected)),
            "{text}"
        );
    }
}

#[test]
fn epoch_milliseconds_round_trip_through_the_clocks_rfc3339_form() {
    // Every day from 1900 to 2100 plus an odd time of day, against the clock's inverse.
    let mut ms = -2_208_988_800_000_i64 + 45_296_789;
    while ms < 4_102_444_800_000 {
        let text = to_rfc3339(ms);
        let parsed = Timestamp::parse(&text).map_err(|e| format!("{e:?}"));
        assert_eq!(parsed.map(|t| epoch_ms(&t)), Ok(Some(ms)), "{text}");
        ms += DAY_MS + 1;
    }
}

#[test]
fn graph_enrollment_types_map_to_the_portals_or_to_nothing_when_ambiguous() {
    let cases = [
        ("appleBulkWithoutUser", Some("apple_ade")),
        ("appleUserEnrollment", Some("apple_user_enrollment")),
        ("windowsAzureADJoin", Some("windows_entra_joined")),
        (
            "androidEnterpriseFullyManaged",
            Some("android_fully_managed"),
        ),
        ("userEnrollment", None),
        ("unknown", None),
        ("jamf_managed", Some("jamf_managed")),
    ];
    for (graph, expected) in cases {
        let mut input = graph_device();
        input["deviceEnrollmentType"] = json!(graph);
        let got = device(&input).enrollment_type.map(EnrollmentType::as_str);
        assert_eq!(got, expected, "{graph}");
    }
}

#[test]
fn records_never_print_their_values() {
    let d = device(&graph_device());
    assert_eq!(format!("{d:?}"), "DeviceRecord(<personal data>)");
}
