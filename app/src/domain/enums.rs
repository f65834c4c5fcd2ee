//! Closed sets of values: device ownership, platform, enrollment type and compliance state as
//! the device-management service reports them, and the portal's own classifications of a field
//! (category, sensitivity, source of truth, correction route).

domain_enum! {
    /// Who owns a device. Ownership decides what the organisation may see (phone number, app
    /// inventory, location); [`Ownership::Unknown`] is treated like personal wherever that is
    /// the stricter choice.
    Ownership {
        Corporate = "corporate" ["company"] => OwnershipCorporate,
        Personal = "personal" => OwnershipPersonal,
        Unknown = "unknown" => OwnershipUnknown,
    }
}

domain_enum! {
    /// The operating-system family of a device.
    Platform {
        Ios = "ios" => PlatformIos,
        Ipados = "ipados" => PlatformIpados,
        Macos = "macos" ["mac os x", "osx"] => PlatformMacos,
        Android = "android" => PlatformAndroid,
        Windows = "windows" => PlatformWindows,
        Linux = "linux" => PlatformLinux,
    }
}

domain_enum! {
    /// How a device was enrolled. Several privacy rules depend on it (Android work profiles
    /// hide hardware ids; only Entra-joined Windows devices can have their primary user
    /// changed).
    EnrollmentType {
        /// Apple Automated Device Enrollment (formerly DEP), through Apple Business or School
        /// Manager: corporate, usually supervised.
        AppleAde = "apple_ade" ["ade", "dep"] => EnrollmentAppleAde,
        /// Apple User Enrollment: personal device, separate managed Apple ID volume.
        AppleUserEnrollment = "apple_user_enrollment" => EnrollmentAppleUserEnrollment,
        /// Apple device enrollment through Company Portal or Apple Configurator.
        AppleDeviceEnrollment = "apple_device_enrollment" => EnrollmentAppleDeviceEnrollment,
        /// Android Enterprise work profile on a personally owned device (BYOD).
        AndroidWorkProfilePersonal = "android_work_profile_personal" => EnrollmentAndroidWorkProfilePersonal,
        /// Android Enterprise work profile on a corporate-owned device.
        AndroidWorkProfileCorporate = "android_work_profile_corporate" => EnrollmentAndroidWorkProfileCorporate,
        /// Android Enterprise fully managed device.
        AndroidFullyManaged = "android_fully_managed" => EnrollmentAndroidFullyManaged,
        /// Android Enterprise dedicated (kiosk or shared) device.
        AndroidDedicated = "android_dedicated" => EnrollmentAndroidDedicated,
        /// Legacy Android device administrator enrollment.
        AndroidDeviceAdmin = "android_device_admin" => EnrollmentAndroidDeviceAdmin,
        /// Windows device joined to Entra ID.
        WindowsEntraJoined = "windows_entra_joined" => EnrollmentWindowsEntraJoined,
        /// Windows device joined to Entra ID and an on-premises domain.
        WindowsHybridJoined = "windows_hybrid_joined" => EnrollmentWindowsHybridJoined,
        /// Windows device registered (not joined) in Entra ID, e.g. a personal PC.
        WindowsRegistered = "windows_registered" => EnrollmentWindowsRegistered,
        /// Mac managed by Jamf Pro, which reports it to the service.
        JamfManaged = "jamf_managed" => EnrollmentJamfManaged,
    }
}

domain_enum! {
    /// A device's compliance state, named as in Microsoft Graph's `complianceState`.
    ComplianceState {
        Unknown = "unknown" => ComplianceUnknown,
        Compliant = "compliant" => ComplianceCompliant,
        Noncompliant = "noncompliant" => ComplianceNoncompliant,
        Conflict = "conflict" => ComplianceConflict,
        Error = "error" => ComplianceError,
        InGracePeriod = "in_grace_period" => ComplianceInGracePeriod,
        ConfigManager = "config_manager" => ComplianceConfigManager,
    }
}

domain_enum! {
    /// How carefully a field must be handled.
    Sensitivity {
        /// Ordinary profile and inventory data.
        Normal = "normal" => SensitivityNormal,
        /// Identifiers that can track a person or device across contexts (phone numbers,
        /// hardware ids, location): the platforms themselves withhold some of them on personal
        /// devices.
        Sensitive = "sensitive" => SensitivitySensitive,
        /// Credentials that unlock a device: masked until an audited reveal.
        Secret = "secret" => SensitivitySecret,
    }
}

domain_enum! {
    /// The group a field is shown under.
    Category {
        Identity = "identity" => CategoryIdentity,
        Device = "device" => CategoryDevice,
        Hardware = "hardware" => CategoryHardware,
        Network = "network" => CategoryNetwork,
        Apps = "apps" => CategoryApps,
        Secrets = "secrets" => CategorySecrets,
    }
}

domain_enum! {
    /// Where a field's value comes from, and so which copy wins at the next sync.
    SourceOfTruth {
        /// Entra ID (the directory).
        Directory = "directory" => SourceDirectory,
        /// The device itself, reported at check-in.
        Device = "device" => SourceDevice,
        /// A third-party service (Apple, Google, Jamf…).
        Partner = "partner" => SourcePartner,
        /// Set by an admin in this portal.
        Portal = "portal" => SourcePortal,
        /// Generated or computed by the service.
        System = "system" => SourceSystem,
    }
}

domain_enum! {
    /// Where a correction of a field must be made. Only [`CorrectionRoute::Portal`] fields are
    /// changed here; the others are routed to where the next sync would not overwrite them.
    CorrectionRoute {
        /// Corrected by an admin in this portal.
        Portal = "portal" => RoutePortal,
        /// Corrected in Entra ID.
        Directory = "directory" => RouteDirectory,
        /// Corrected by the end user on the device (it syncs at the next check-in).
        Device = "device" => RouteDevice,
        /// Corrected at the partner service that supplies it.
        Partner = "partner" => RoutePartner,
        /// Never corrected: system identifiers and computed values.
        Never = "never" => RouteNever,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::ValueError;
    use crate::i18n::Locale;
    use std::collections::HashSet;

    /// Checks the properties every closed set must have.
    fn check_enum<T>(
        all: &[T],
        as_str: impl Fn(T) -> &'static str,
        parse: impl Fn(&str) -> Result<T, ValueError>,
        label: impl Fn(T) -> crate::i18n::Key,
    ) where
        T: Copy + PartialEq + std::fmt::Debug + serde::Serialize,
    {
        let mut names = HashSet::new();
        let mut labels = HashSet::new();
        for &value in all {
            let name = as_str(value);
            assert!(names.insert(name), "duplicate name {name}");
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{name} is not snake_case"
            );
            assert_eq!(parse(name), Ok(value), "{name} does not parse back");
            assert_eq!(
                parse(&format!("  {}  ", name.to_uppercase())),
                Ok(value),
                "{name} in capitals"
            );
            assert_eq!(
                serde_json::to_string(&value).ok(),
                Some(format!("\"{name}\"")),
                "serde name of {name}"
            );
            assert!(labels.insert(label(value)), "duplicate label for {name}");
            assert!(!label(value).text(Locale::Nl).is_empty());
        }
        assert_eq!(parse("   ").err(), Some(ValueError::Empty));
        assert_eq!(parse("no such value").err(), Some(ValueError::UnknownValue));
    }

    #[test]
    fn every_closed_set_has_unique_snake_case_names_that_parse_back_and_labels() {
        check_enum(
            Ownership::ALL,
            Ownership::as_str,
            Ownership::parse,
            Ownership::label,
        );
        check_enum(
            Platform::ALL,
            Platform::as_str,
            Platform::parse,
            Platform::label,
        );
        check_enum(
            EnrollmentType::ALL,
            EnrollmentType::as_str,
            EnrollmentType::parse,
            EnrollmentType::label,
        );
        check_enum(
            ComplianceState::ALL,
            ComplianceState::as_str,
            ComplianceState::parse,
            ComplianceState::label,
        );
        check_enum(
            Sensitivity::ALL,
            Sensitivity::as_str,
            Sensitivity::parse,
            Sensitivity::label,
        );
        check_enum(
            Category::ALL,
            Category::as_str,
            Category::parse,
            Category::label,
        );
        check_enum(
            SourceOfTruth::ALL,
            SourceOfTruth::as_str,
            SourceOfTruth::parse,
            SourceOfTruth::label,
        );
        check_enum(
            CorrectionRoute::ALL,
            CorrectionRoute::as_str,
            CorrectionRoute::parse,
            CorrectionRoute::label,
        );
    }

    #[test]
    fn graph_spellings_and_aliases_parse() {
        let cases: [(&str, Result<ComplianceState, ValueError>); 4] = [
            ("inGracePeriod", Ok(ComplianceState::InGracePeriod)),
            ("configManager", Ok(ComplianceState::ConfigManager)),
            ("Non-compliant", Ok(ComplianceState::Noncompliant)),
            ("compliant!", Err(ValueError::UnknownValue)),
        ];
        for (input, expected) in cases {
            assert_eq!(ComplianceState::parse(input), expected, "{input}");
        }
        assert_eq!(Ownership::parse("company"), Ok(Ownership::Corporate));
        assert_eq!(Platform::parse("iPadOS"), Ok(Platform::Ipados));
        assert_eq!(Platform::parse("macOS"), Ok(Platform::Macos));
        assert_eq!(
            EnrollmentType::parse("Android work profile personal"),
            Ok(EnrollmentType::AndroidWorkProfilePersonal)
        );
        assert_eq!(EnrollmentType::parse("DEP"), Ok(EnrollmentType::AppleAde));
    }

    #[test]
    fn unknown_serde_names_are_refused() {
        assert!(
            serde_json::from_str::<Ownership>("\"company\"").is_err(),
            "aliases are for parse, not the wire format"
        );
        assert_eq!(
            serde_json::from_str::<Ownership>("\"personal\"").ok(),
            Some(Ownership::Personal)
        );
    }
}
