//! The visibility rules checked against the demo devices and every Android enrollment the
//! rules single out, and, for any device, that masked values never show more than allowed.

use super::*;
use crate::domain::catalogue::FieldId;
use crate::domain::enums::{EnrollmentType, Ownership, Platform};
use crate::i18n::Key;
use proptest::prelude::*;

/// D1: Adele's corporate iPhone 15, iOS 17.5, enrolled with ADE.
fn adele_iphone() -> DeviceContext {
    DeviceContext {
        ownership: Ownership::Corporate,
        platform: Platform::Ios,
        os_major: Some(17),
        enrollment_type: Some(EnrollmentType::AppleAde),
        enrolled_at_year_month: Some((2025, 1)),
    }
}

/// D2: Ben's personal Pixel 8, Android 14, work profile.
fn ben_pixel() -> DeviceContext {
    DeviceContext {
        ownership: Ownership::Personal,
        platform: Platform::Android,
        os_major: Some(14),
        enrollment_type: Some(EnrollmentType::AndroidWorkProfilePersonal),
        enrolled_at_year_month: Some((2024, 3)),
    }
}

/// D4: the shared Zebra TC57, Android 11, dedicated.
fn zebra() -> DeviceContext {
    DeviceContext {
        ownership: Ownership::Corporate,
        platform: Platform::Android,
        os_major: Some(11),
        enrollment_type: Some(EnrollmentType::AndroidDedicated),
        enrolled_at_year_month: Some((2023, 6)),
    }
}

fn android(
    ownership: Ownership,
    os_major: Option<u32>,
    enrollment_type: Option<EnrollmentType>,
    enrolled: Option<(i32, u32)>,
) -> DeviceContext {
    DeviceContext {
        ownership,
        platform: Platform::Android,
        os_major,
        enrollment_type,
        enrolled_at_year_month: enrolled,
    }
}

#[test]
fn bens_personal_android_14_work_profile_hides_hardware_ids_and_masks_the_phone() {
    let ben = ben_pixel();
    for field in [
        FieldId::SerialNumber,
        FieldId::Imei,
        FieldId::Meid,
        FieldId::WifiMac,
    ] {
        assert_eq!(
            visibility(field, &ben),
            Visibility::Hidden(HiddenReason::AndroidPersonalWorkProfile),
            "{field}"
        );
        assert_eq!(
            apply(visibility(field, &ben), "356938035643809"),
            None,
            "{field}"
        );
    }
    let phone = visibility(FieldId::PhoneNumber, &ben);
    assert_eq!(phone, Visibility::LastDigits(4));
    assert_eq!(apply(phone, "+14255550122").as_deref(), Some("••• 0122"));
    assert_eq!(
        visibility(FieldId::Location, &ben),
        Visibility::Hidden(HiddenReason::PersonalDevice)
    );
    assert_eq!(visibility(FieldId::Iccid, &ben), Visibility::Visible);
    assert_eq!(visibility(FieldId::DeviceName, &ben), Visibility::Visible);
}

#[test]
fn adeles_corporate_iphone_shows_everything_but_its_secrets() {
    let adele = adele_iphone();
    for &field in FieldId::ALL {
        let expected = match field {
            FieldId::ActivationLockBypassCode | FieldId::BitlockerRecoveryKey => Visibility::Secret,
            _ => Visibility::Visible,
        };
        assert_eq!(visibility(field, &adele), expected, "{field}");
    }
    assert_eq!(
        apply(visibility(FieldId::PhoneNumber, &adele), "+14255550111").as_deref(),
        Some("+14255550111")
    );
}

#[test]
fn personal_devices_show_only_the_last_four_digits_of_the_phone_number() {
    let cases = [
        (
            Ownership::Corporate,
            Visibility::Visible,
            "corporate: full number",
        ),
        (
            Ownership::Personal,
            Visibility::LastDigits(4),
            "personal: last 4",
        ),
        (
            Ownership::Unknown,
            Visibility::LastDigits(4),
            "unknown counts as personal",
        ),
    ];
    for (ownership, expected, reason) in cases {
        let ctx = DeviceContext {
            ownership,
            ..adele_iphone()
        };
        assert_eq!(visibility(FieldId::PhoneNumber, &ctx), expected, "{reason}");
    }
}

#[test]
fn a_corporate_android_work_profile_does_not_report_the_phone_number() {
    let ctx = android(
        Ownership::Corporate,
        Some(14),
        Some(EnrollmentType::AndroidWorkProfileCorporate),
        Some((2024, 1)),
    );
    assert_eq!(
        visibility(FieldId::PhoneNumber, &ctx),
        Visibility::Hidden(HiddenReason::NotReported)
    );
    let fully_managed = android(
        Ownership::Corporate,
        Some(14),
        Some(EnrollmentType::AndroidFullyManaged),
        Some((2024, 1)),
    );
    assert_eq!(
        visibility(FieldId::PhoneNumber, &fully_managed),
        Visibility::Visible
    );
}

#[test]
fn android_12_and_later_personal_work_profiles_hide_serial_imei_and_meid() {
    let wp = Some(EnrollmentType::AndroidWorkProfilePersonal);
    let cases = [
        (
            android(Ownership::Personal, Some(12), wp, None),
            true,
            "Android 12",
        ),
        (
            android(Ownership::Personal, Some(11), wp, None),
            false,
            "Android 11 still reports them",
        ),
        (
            android(Ownership::Personal, None, wp, None),
            true,
            "unknown version: stricter reading",
        ),
        (
            android(Ownership::Corporate, Some(14), wp, None),
            true,
            "ownership flipped to corporate: still a personal work profile",
        ),
        (
            android(Ownership::Personal, Some(14), None, None),
            true,
            "unknown enrollment on a personal Android",
        ),
        (
            android(Ownership::Corporate, Some(14), None, None),
            false,
            "unknown enrollment on a corporate Android",
        ),
        (
            android(
                Ownership::Personal,
                Some(14),
                Some(EnrollmentType::AndroidDeviceAdmin),
                None,
            ),
            false,
            "device admin reports them",
        ),
        (
            android(
                Ownership::Corporate,
                Some(14),
                Some(EnrollmentType::AndroidFullyManaged),
                None,
            ),
            false,
            "fully managed",
        ),
        (
            DeviceContext {
                ownership: Ownership::Personal,
                ..adele_iphone()
            },
            false,
            "personal iPhone",
        ),
    ];
    for (ctx, hidden, reason) in cases {
        for field in [FieldId::SerialNumber, FieldId::Imei, FieldId::Meid] {
            let expected = if hidden {
                Visibility::Hidden(HiddenReason::AndroidPersonalWorkProfile)
            } else {
                Visibility::Visible
            };
            assert_eq!(visibility(field, &ctx), expected, "{field}: {reason}");
        }
    }
}

#[test]
fn the_wifi_mac_is_withheld_for_android_byod_and_device_admin_enrolled_since_october_2021() {
    let wp = Some(EnrollmentType::AndroidWorkProfilePersonal);
    let admin = Some(EnrollmentType::AndroidDeviceAdmin);
    let withheld = Visibility::Hidden(HiddenReason::WifiMacWithheld);
    let cases = [
        (
            android(Ownership::Personal, Some(11), wp, Some((2021, 10))),
            withheld,
            "work profile, October 2021",
        ),
        (
            android(Ownership::Personal, Some(11), wp, Some((2021, 9))),
            Visibility::Visible,
            "work profile, September 2021",
        ),
        (
            android(Ownership::Personal, Some(9), admin, Some((2022, 1))),
            withheld,
            "device admin on Android 9",
        ),
        (
            android(Ownership::Corporate, Some(10), admin, Some((2022, 1))),
            withheld,
            "corporate device admin too",
        ),
        (
            android(Ownership::Personal, Some(8), admin, Some((2022, 1))),
            Visibility::Visible,
            "device admin on Android 8",
        ),
        (
            android(Ownership::Personal, Some(10), admin, Some((2021, 9))),
            Visibility::Visible,
            "device admin enrolled before",
        ),
        (
            android(Ownership::Personal, Some(10), admin, None),
            withheld,
            "enrollment date unknown: stricter reading",
        ),
        (
            android(Ownership::Personal, Some(12), wp, Some((2019, 1))),
            Visibility::Hidden(HiddenReason::AndroidPersonalWorkProfile),
            "Android 12 rule applies whatever the date",
        ),
        (
            android(
                Ownership::Corporate,
                Some(14),
                Some(EnrollmentType::AndroidFullyManaged),
                Some((2024, 1)),
            ),
            Visibility::Visible,
            "fully managed",
        ),
    ];
    for (ctx, expected, reason) in cases {
        assert_eq!(visibility(FieldId::WifiMac, &ctx), expected, "{reason}");
        assert_eq!(
            visibility(FieldId::EthernetMac, &ctx),
            Visibility::Visible,
            "{reason}"
        );
    }
}

#[test]
fn the_iccid_is_not_inventoried_on_dedicated_fully_managed_or_corporate_work_profile_android() {
    let not_inventoried = Visibility::Hidden(HiddenReason::NotInventoried);
    assert_eq!(visibility(FieldId::Iccid, &zebra()), not_inventoried);
    for kind in [
        EnrollmentType::AndroidFullyManaged,
        EnrollmentType::AndroidWorkProfileCorporate,
    ] {
        let ctx = android(Ownership::Corporate, Some(14), Some(kind), None);
        assert_eq!(visibility(FieldId::Iccid, &ctx), not_inventoried, "{kind}");
    }
    assert_eq!(
        visibility(FieldId::Iccid, &adele_iphone()),
        Visibility::Visible
    );
}

#[test]
fn secrets_are_masked_whatever_the_device() {
    for ctx in [adele_iphone(), ben_pixel(), zebra()] {
        for field in [
            FieldId::ActivationLockBypassCode,
            FieldId::BitlockerRecoveryKey,
        ] {
            let v = visibility(field, &ctx);
            assert_eq!(v, Visibility::Secret);
            assert_eq!(
                apply(v, "0M2F4-1QTKE-2U63-K8MR-4H5D-1CRD").as_deref(),
                Some("••••••")
            );
        }
    }
}

#[test]
fn location_is_never_shown_for_devices_not_known_to_be_corporate() {
    let cases = [
        (Ownership::Corporate, Visibility::Visible),
        (
            Ownership::Personal,
            Visibility::Hidden(HiddenReason::PersonalDevice),
        ),
        (
            Ownership::Unknown,
            Visibility::Hidden(HiddenReason::PersonalDevice),
        ),
    ];
    for (ownership, expected) in cases {
        let ctx = DeviceContext {
            ownership,
            ..adele_iphone()
        };
        assert_eq!(visibility(FieldId::Location, &ctx), expected, "{ownership}");
    }
}

#[test]
fn personal_devices_show_managed_apps_only() {
    let cases = [
        (adele_iphone(), false, true, "corporate: all apps"),
        (adele_iphone(), true, true, "corporate: managed apps"),
        (ben_pixel(), true, true, "personal: managed apps"),
        (ben_pixel(), false, false, "personal: not unmanaged apps"),
        (
            DeviceContext {
                ownership: Ownership::Unknown,
                ..adele_iphone()
            },
            false,
            false,
            "unknown ownership: managed only",
        ),
        (
            android(
                Ownership::Corporate,
                Some(14),
                Some(EnrollmentType::AndroidWorkProfileCorporate),
                None,
            ),
            false,
            false,
            "corporate work profile: work-profile apps only",
        ),
        (zebra(), false, true, "dedicated corporate device: all apps"),
    ];
    for (ctx, managed, expected, reason) in cases {
        assert_eq!(app_visible(&ctx, managed), expected, "{reason}");
    }
}

#[test]
fn every_hidden_or_masked_value_has_a_note() {
    assert_eq!(Visibility::Visible.note(), None);
    assert!(Visibility::Secret.note().is_some());
    assert!(Visibility::LastDigits(4).note().is_some());
    assert_eq!(
        Visibility::Hidden(HiddenReason::NotInventoried).note(),
        Some(Key::HiddenNotInventoried)
    );
}

#[test]
fn the_major_version_is_read_from_an_os_version() {
    let cases = [
        ("14", Some(14)),
        ("17.5.1", Some(17)),
        (" 10.0.22631.3880", Some(10)),
        ("Sonoma", None),
        ("", None),
    ];
    for (input, expected) in cases {
        assert_eq!(DeviceContext::major_version(input), expected, "{input:?}");
    }
}

#[test]
fn apply_keeps_visible_values_and_drops_hidden_ones() {
    assert_eq!(
        apply(Visibility::Visible, "F2LXK0ABCD12").as_deref(),
        Some("F2LXK0ABCD12")
    );
    assert_eq!(
        apply(
            Visibility::Hidden(HiddenReason::PersonalDevice),
            "47.6,-122.1"
        ),
        None
    );
    assert_eq!(
        apply(Visibility::LastDigits(4), "+1 425 555 0122").as_deref(),
        Some("••• 0122")
    );
    assert_eq!(
        apply(Visibility::LastDigits(4), "no digits").as_deref(),
        Some("•••")
    );
    assert_eq!(
        apply(Visibility::LastDigits(4), "+12").as_deref(),
        Some("••• 12")
    );
}

fn any_context() -> impl Strategy<Value = DeviceContext> {
    (
        proptest::sample::select(Ownership::ALL),
        proptest::sample::select(Platform::ALL),
        proptest::option::of(0u32..20),
        proptest::option::of(proptest::sample::select(EnrollmentType::ALL)),
        proptest::option::of((2015i32..2030, 1u32..=12)),
    )
        .prop_map(
            |(ownership, platform, os_major, enrollment_type, enrolled_at_year_month)| {
                DeviceContext {
                    ownership,
                    platform,
                    os_major,
                    enrollment_type,
                    enrolled_at_year_month,
                }
            },
        )
}

proptest! {
    #[test]
    fn a_masked_phone_number_never_shows_more_than_four_digits(
        ctx in any_context(),
        digits in "[1-9][0-9]{7,14}",
    ) {
        let value = format!("+{digits}");
        if let Some(shown) = apply(visibility(FieldId::PhoneNumber, &ctx), &value) {
            if ctx.ownership != Ownership::Corporate {
                prop_assert!(shown.chars().filter(char::is_ascii_digit).count() <= 4, "{}", shown);
                prop_assert!(value.ends_with(shown.trim_start_matches(|c: char| !c.is_ascii_digit())));
            }
        }
    }

    #[test]
    fn secrets_are_never_shown_and_location_never_on_non_corporate_devices(ctx in any_context(), secret in "[0-9]{48}") {
        for field in [FieldId::ActivationLockBypassCode, FieldId::BitlockerRecoveryKey] {
            let shown = apply(visibility(field, &ctx), &secret).unwrap_or_default();
            prop_assert!(!shown.chars().any(|c| c.is_ascii_digit()));
        }
        if ctx.ownership != Ownership::Corporate {
            prop_assert_eq!(apply(visibility(FieldId::Location, &ctx), "47.6,-122.1"), None);
        }
    }

    #[test]
    fn managed_apps_are_visible_on_every_device(ctx in any_context()) {
        prop_assert!(app_visible(&ctx, true));
    }
}
