//! The translation catalogue: every user-facing string of the portal, in English and Dutch.
//!
//! Each entry names both languages side by side, so a missing translation is a compile error
//! rather than a blank on a page; a unit test also checks that no text is empty and that both
//! languages use the same `{placeholders}`. A hand-written catalogue was chosen over a
//! file-based i18n crate to keep the browser bundle and the build small; moving to Fluent files
//! later only changes this module.

use serde::{Deserialize, Serialize};

/// A language the portal speaks. English is the fallback.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    En,
    Nl,
}

/// Name of the cookie that remembers the visitor's language choice.
pub const LOCALE_COOKIE: &str = "portal_lang";

impl Locale {
    /// Every supported language, in the order the language switch lists them.
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Nl];

    /// The BCP 47 tag used in `lang` attributes and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Nl => "nl",
        }
    }

    /// The language's own name, shown in the language switch.
    pub fn endonym(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Nl => "Nederlands",
        }
    }

    /// Parses a language tag such as `nl`, `nl-BE` or `EN-gb`; `None` for unsupported ones.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Locale::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// Picks the best supported language from an `Accept-Language` header, honouring q-values.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        let mut best: Option<(u16, Locale)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let Some(locale) = pieces.next().and_then(Locale::from_tag) else {
                continue;
            };
            // q-values have at most three decimals; compare them as integers in thousandths.
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(1000, parse_quality);
            if quality > 0 && best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, locale));
            }
        }
        best.map(|(_, l)| l)
    }

    /// Reads the language chosen for this request: the remembered choice (cookie), else the
    /// browser's `Accept-Language`, else English.
    pub fn negotiate(cookie_header: Option<&str>, accept_language: Option<&str>) -> Locale {
        cookie_header
            .and_then(|cookies| {
                cookies.split(';').find_map(|c| {
                    let (name, value) = c.trim().split_once('=')?;
                    (name == LOCALE_COOKIE)
                        .then(|| Locale::from_tag(value))
                        .flatten()
                })
            })
            .or_else(|| accept_language.and_then(Locale::from_accept_language))
            .unwrap_or_default()
    }
}

fn parse_quality(q: &str) -> u16 {
    let q = q.trim();
    let (int, frac) = q.split_once('.').unwrap_or((q, ""));
    let int: u16 = match int {
        "1" => 1000,
        "0" | "" => 0,
        _ => return 0,
    };
    let frac: String = frac.chars().take(3).collect();
    let frac_value = format!("{frac:0<3}").parse::<u16>().unwrap_or(0);
    (int + frac_value).min(1000)
}

macro_rules! catalogue {
    ($( $(#[$doc:meta])* $key:ident { en: $en:literal, nl: $nl:literal } )*) => {
        /// A translatable text. Variants are named after where the text appears.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Key {
            $( $(#[$doc])* $key, )*
        }

        impl Key {
            /// Every key, for completeness tests.
            pub const ALL: &'static [Key] = &[$(Key::$key,)*];

            /// The text in the given language.
            pub fn text(self, locale: Locale) -> &'static str {
                match (self, locale) {
                    $(
                        (Key::$key, Locale::En) => $en,
                        (Key::$key, Locale::Nl) => $nl,
                    )*
                }
            }
        }
    };
}

impl Key {
    /// The text with each `{name}` placeholder replaced by its argument.
    pub fn format(self, locale: Locale, args: &[(&str, &str)]) -> String {
        let mut out = self.text(locale).to_owned();
        for (name, value) in args {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }
}

/// A CLDR cardinal plural category: which form of a counted text to show.
///
/// A counted text has one key per category its languages need, named after the `other` form
/// with `One` added for the `one` form (`ReportTotal` "{count} disclosures in this period",
/// `ReportTotalOne` "{count} disclosure in this period"; the relative times predate this and
/// pair `RelDayAgo` with `RelDaysAgo`). The caller asks [`plural`] which one to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Plural {
    /// CLDR `one`: "1 day ago".
    One,
    /// CLDR `other`: every count that is not `one`, 0 included: "0 days ago", "2 days ago".
    Other,
}

impl Plural {
    /// The key of this category: `one` for [`Plural::One`], `other` for [`Plural::Other`].
    pub fn choose(self, one: Key, other: Key) -> Key {
        match self {
            Plural::One => one,
            Plural::Other => other,
        }
    }
}

/// The CLDR cardinal plural category of the whole number `n` in `locale`: the one place that
/// decides between "1 day" and "2 days".
///
/// The rules are CLDR's (unicode.org, "Language Plural Rules"), where `i` is the integer part
/// and `v` the number of visible fraction digits:
/// - English (`en`): `one` is `i = 1 and v = 0`, so exactly 1; `other` is everything else.
/// - Dutch (`nl`): the same, `one` is `i = 1 and v = 0`; `other` is everything else.
///
/// Whole numbers have `v = 0`, so for both languages `one` is `n == 1`. A language with more
/// categories (Polish has `one`, `few`, `many` and `other`) adds variants here and keys for them.
pub fn plural(locale: Locale, n: u64) -> Plural {
    match locale {
        Locale::En | Locale::Nl => {
            if n == 1 {
                Plural::One
            } else {
                Plural::Other
            }
        }
    }
}

catalogue! {
    AppName { en: "Privacy Portal", nl: "Privacyportaal" }
    AppTagline {
        en: "See, correct and control the personal data your device management holds.",
        nl: "Bekijk, corrigeer en beheer de persoonsgegevens in uw apparaatbeheer."
    }
    SkipToContent { en: "Skip to main content", nl: "Direct naar de inhoud" }
    NavMain { en: "Main navigation", nl: "Hoofdnavigatie" }
    NavHome { en: "Overview", nl: "Overzicht" }
    NavSignIn { en: "Sign in", nl: "Aanmelden" }
    LanguageLabel { en: "Language", nl: "Taal" }
    LanguageApply { en: "Change language", nl: "Taal wijzigen" }
    FooterText {
        en: "Privacy Portal shows which personal data is held, where it came from and who received it.",
        nl: "Privacyportaal laat zien welke persoonsgegevens er zijn, waar ze vandaan komen en wie ze heeft ontvangen."
    }

    HomeTitle { en: "Overview", nl: "Overzicht" }
    HomeIntro {
        en: "Tenant admins see the personal data held for each user, correct it, decide which outside parties may receive it, and see who received each record. End users see their own data and ask for corrections; support staff review every change.",
        nl: "Tenantbeheerders zien de persoonsgegevens per gebruiker, corrigeren ze, bepalen welke externe partijen ze mogen ontvangen en zien wie elk gegeven heeft ontvangen. Eindgebruikers zien hun eigen gegevens en vragen correcties aan; supportmedewerkers beoordelen elke wijziging."
    }
    HomeFeatureDataTitle { en: "Personal data per user", nl: "Persoonsgegevens per gebruiker" }
    HomeFeatureDataText {
        en: "Identity, devices and apps, each field with its source of truth and sensitivity.",
        nl: "Identiteit, apparaten en apps, elk veld met zijn bron en gevoeligheid."
    }
    HomeFeatureCorrectTitle { en: "Corrections on the record", nl: "Correcties vastgelegd" }
    HomeFeatureCorrectText {
        en: "Every change has a reason, a reviewer and a tamper-evident audit entry.",
        nl: "Elke wijziging heeft een reden, een beoordelaar en een fraudebestendige auditregel."
    }
    HomeFeatureSharingTitle { en: "Sharing under control", nl: "Delen onder controle" }
    HomeFeatureSharingText {
        en: "Third parties receive data only with recorded consent, and every disclosure is listed.",
        nl: "Derden ontvangen alleen gegevens met vastgelegde toestemming, en elke verstrekking staat in de lijst."
    }

    StatusTitle { en: "System status", nl: "Systeemstatus" }
    StatusIntro {
        en: "Checks that this portal can reach its database.",
        nl: "Controleert of dit portaal zijn database kan bereiken."
    }
    StatusCheck { en: "Check connection", nl: "Verbinding controleren" }
    StatusChecking { en: "Checking…", nl: "Bezig met controleren…" }
    StatusNotChecked { en: "Not checked yet.", nl: "Nog niet gecontroleerd." }
    StatusOk {
        en: "Database reachable ({backend}), {migrations} migrations applied, checked in {millis} ms.",
        nl: "Database bereikbaar ({backend}), {migrations} migraties toegepast, gecontroleerd in {millis} ms."
    }

    SignInTitle { en: "Sign in", nl: "Aanmelden" }
    SignInNotConfigured {
        en: "Sign-in with your organisation account is not configured on this instance yet. Ask your administrator to connect an OpenID Connect provider.",
        nl: "Aanmelden met uw organisatieaccount is op deze omgeving nog niet ingesteld. Vraag uw beheerder een OpenID Connect-provider te koppelen."
    }
    BackHome { en: "Back to the overview", nl: "Terug naar het overzicht" }

    NotFoundTitle { en: "Page not found", nl: "Pagina niet gevonden" }
    NotFoundText {
        en: "There is no page at this address. Check the link, or start again from the overview.",
        nl: "Op dit adres staat geen pagina. Controleer de link of begin opnieuw bij het overzicht."
    }
    ErrorTitle { en: "Something went wrong", nl: "Er ging iets mis" }
    ErrorText {
        en: "The portal could not complete this request. Nothing was changed. Try again in a moment.",
        nl: "Het portaal kon dit verzoek niet afronden. Er is niets gewijzigd. Probeer het zo opnieuw."
    }

    ErrInvalid { en: "{field}: {message}", nl: "{field}: {message}" }
    ErrUnauthenticated { en: "Please sign in first.", nl: "Meld u eerst aan." }
    ErrForbidden {
        en: "You do not have permission to do this.",
        nl: "U hebt geen toestemming om dit te doen."
    }
    ErrNotFound { en: "This item does not exist or is not visible to you.", nl: "Dit item bestaat niet of is niet zichtbaar voor u." }
    ErrConflict {
        en: "Someone else changed this in the meantime. Review the newer value and try again.",
        nl: "Iemand anders heeft dit intussen gewijzigd. Bekijk de nieuwe waarde en probeer het opnieuw."
    }
    ErrInternal {
        en: "Something went wrong on our side. Nothing was changed. Reference: {reference}.",
        nl: "Er ging bij ons iets mis. Er is niets gewijzigd. Referentie: {reference}."
    }
    ErrTransport {
        en: "The portal could not be reached. Check your connection and try again.",
        nl: "Het portaal is niet bereikbaar. Controleer uw verbinding en probeer het opnieuw."
    }

    // Domain values and the field catalogue
    ValueEmpty { en: "This field is required.", nl: "Dit veld is verplicht." }
    ValueTooShort { en: "Enter at least {min} characters.", nl: "Vul minstens {min} tekens in." }
    ValueTooLong { en: "Enter at most {max} characters.", nl: "Vul maximaal {max} tekens in." }
    ValueLocalPartTooLong {
        en: "The part before the @ can be at most {max} characters long.",
        nl: "Het deel vóór de @ mag maximaal {max} tekens lang zijn."
    }
    ValueInvalidCharacter {
        en: "The character “{character}” is not allowed here.",
        nl: "Het teken “{character}” is hier niet toegestaan."
    }
    ValueExactDigits {
        en: "Enter exactly {count} digits; this has {found}.",
        nl: "Vul precies {count} cijfers in; dit zijn er {found}."
    }
    ValueExactCharacters {
        en: "Enter exactly {count} characters; this has {found}.",
        nl: "Vul precies {count} tekens in; dit zijn er {found}."
    }
    ValueDigitRange {
        en: "Enter {min} to {max} digits; this has {found}.",
        nl: "Vul {min} tot en met {max} cijfers in; dit zijn er {found}."
    }
    ValueCharacterRange {
        en: "Enter {min} to {max} characters; this has {found}.",
        nl: "Vul {min} tot en met {max} tekens in; dit zijn er {found}."
    }
    ValueBadCheckDigit {
        en: "The check digit is wrong. Check the number for typing errors.",
        nl: "Het controlecijfer klopt niet. Controleer het nummer op typefouten."
    }
    ValueUnknown { en: "Choose one of the listed values.", nl: "Kies een van de vermelde waarden." }
    FormatUpn {
        en: "Enter a sign-in name such as adele.vance@contoso.com.",
        nl: "Vul een aanmeldnaam in, zoals adele.vance@contoso.com."
    }
    FormatEmail {
        en: "Enter an email address such as adele.vance@contoso.com.",
        nl: "Vul een e-mailadres in, zoals adele.vance@contoso.com."
    }
    FormatPhone {
        en: "Enter the number in international format: + and the country code, such as +1 425 555 0101.",
        nl: "Vul het nummer in internationale notatie in: + en de landcode, zoals +1 425 555 0101."
    }
    FormatGuid {
        en: "Enter an ID such as 11111111-2222-3333-4444-555555555555.",
        nl: "Vul een ID in, zoals 11111111-2222-3333-4444-555555555555."
    }
    FormatMacAddress {
        en: "Enter a MAC address such as 02:1A:2B:3C:4D:01.",
        nl: "Vul een MAC-adres in, zoals 02:1A:2B:3C:4D:01."
    }
    FormatUdid {
        en: "Enter a UDID: 40 hexadecimal characters, a GUID, or the form 00008110-001A2B3C4D5E801E.",
        nl: "Vul een UDID in: 40 hexadecimale tekens, een GUID of de vorm 00008110-001A2B3C4D5E801E."
    }
    FormatTimestamp {
        en: "Enter a date and time with a time zone, such as 2025-01-05T09:30:00Z.",
        nl: "Vul een datum en tijd met tijdzone in, zoals 2025-01-05T09:30:00Z."
    }
    FormatFlag { en: "Enter true or false.", nl: "Vul true of false in." }
    FormatLocation {
        en: "Enter a latitude and longitude in degrees, such as 47.6423,-122.1391.",
        nl: "Vul een breedte- en lengtegraad in graden in, zoals 47.6423,-122.1391."
    }

    FieldObjectId { en: "Object ID", nl: "Object-ID" }
    FieldUpn { en: "Sign-in name (UPN)", nl: "Aanmeldnaam (UPN)" }
    FieldDisplayName { en: "Display name", nl: "Weergavenaam" }
    FieldEmail { en: "Email address", nl: "E-mailadres" }
    FieldPhone { en: "Phone number", nl: "Telefoonnummer" }
    FieldDepartment { en: "Department", nl: "Afdeling" }
    FieldJobTitle { en: "Job title", nl: "Functie" }
    FieldManagedAppleId { en: "Managed Apple ID", nl: "Beheerde Apple ID" }
    FieldDeviceId { en: "Intune device ID", nl: "Intune-apparaat-ID" }
    FieldEntraDeviceId { en: "Entra device ID", nl: "Entra-apparaat-ID" }
    FieldDeviceName { en: "Device name", nl: "Apparaatnaam" }
    FieldManagementName { en: "Management name", nl: "Beheernaam" }
    FieldOwnership { en: "Ownership", nl: "Eigendom" }
    FieldEnrollmentType { en: "Enrollment type", nl: "Inschrijvingstype" }
    FieldDeviceCategory { en: "Device category", nl: "Apparaatcategorie" }
    FieldPrimaryUser { en: "Primary user", nl: "Primaire gebruiker" }
    FieldAssetTag { en: "Asset tag", nl: "Inventarisnummer" }
    FieldEnrolledAt { en: "Enrolled on", nl: "Ingeschreven op" }
    FieldLastCheckIn { en: "Last check-in", nl: "Laatst ingecheckt" }
    FieldComplianceState { en: "Compliance", nl: "Nalevingsstatus" }
    FieldIsSupervised { en: "Supervised", nl: "Onder toezicht" }
    FieldIsEncrypted { en: "Encrypted", nl: "Versleuteld" }
    FieldOs { en: "Operating system", nl: "Besturingssysteem" }
    FieldOsVersion { en: "OS version", nl: "Versie van het besturingssysteem" }
    FieldLocation { en: "Location", nl: "Locatie" }
    FieldSerialNumber { en: "Serial number", nl: "Serienummer" }
    FieldImei { en: "IMEI", nl: "IMEI" }
    FieldMeid { en: "MEID", nl: "MEID" }
    FieldUdid { en: "UDID", nl: "UDID" }
    FieldManufacturer { en: "Manufacturer", nl: "Fabrikant" }
    FieldModel { en: "Model", nl: "Model" }
    FieldWifiMac { en: "Wi-Fi MAC address", nl: "Wifi-MAC-adres" }
    FieldEthernetMac { en: "Ethernet MAC address", nl: "Ethernet-MAC-adres" }
    FieldPhoneNumber { en: "Device phone number", nl: "Telefoonnummer van het apparaat" }
    FieldIccid { en: "ICCID (SIM card number)", nl: "ICCID (simkaartnummer)" }
    FieldSubscriberCarrier { en: "Mobile carrier", nl: "Mobiele provider" }
    FieldAppId { en: "App ID", nl: "App-ID" }
    FieldAppName { en: "App name", nl: "Naam van de app" }
    FieldAppVersion { en: "App version", nl: "Versie van de app" }
    FieldAppManaged { en: "Managed by the organisation", nl: "Beheerd door de organisatie" }
    FieldActivationLockBypassCode {
        en: "Activation Lock bypass code",
        nl: "Code om het activeringsslot te omzeilen"
    }
    FieldBitlockerRecoveryKey { en: "BitLocker recovery key", nl: "BitLocker-herstelsleutel" }

    CategoryIdentity { en: "Identity", nl: "Identiteit" }
    CategoryDevice { en: "Device", nl: "Apparaat" }
    CategoryHardware { en: "Hardware", nl: "Hardware" }
    CategoryNetwork { en: "Network and SIM", nl: "Netwerk en simkaart" }
    CategoryApps { en: "Apps", nl: "Apps" }
    CategorySecrets { en: "Secrets", nl: "Geheimen" }
    SourceDirectory { en: "Entra ID", nl: "Entra ID" }
    SourceDevice { en: "The device", nl: "Het apparaat" }
    SourcePartner { en: "A partner service", nl: "Een partnerdienst" }
    SourcePortal { en: "This portal", nl: "Dit portaal" }
    SourceSystem { en: "Generated by the system", nl: "Door het systeem gegenereerd" }
    RoutePortal { en: "Corrected in this portal", nl: "Te corrigeren in dit portaal" }
    RouteDirectory { en: "Corrected in Entra ID", nl: "Te corrigeren in Entra ID" }
    RouteDevice {
        en: "Corrected by the user on the device",
        nl: "Door de gebruiker te corrigeren op het apparaat"
    }
    RoutePartner { en: "Corrected at the partner service", nl: "Te corrigeren bij de partnerdienst" }
    RouteNever { en: "Cannot be corrected (system value)", nl: "Niet te corrigeren (systeemwaarde)" }
    SensitivityNormal { en: "Normal", nl: "Normaal" }
    SensitivitySensitive { en: "Sensitive", nl: "Gevoelig" }
    SensitivitySecret { en: "Secret", nl: "Geheim" }

    OwnershipCorporate { en: "Corporate", nl: "Zakelijk" }
    OwnershipPersonal { en: "Personal", nl: "Persoonlijk" }
    OwnershipUnknown { en: "Unknown", nl: "Onbekend" }
    PlatformIos { en: "iOS", nl: "iOS" }
    PlatformIpados { en: "iPadOS", nl: "iPadOS" }
    PlatformMacos { en: "macOS", nl: "macOS" }
    PlatformAndroid { en: "Android", nl: "Android" }
    PlatformWindows { en: "Windows", nl: "Windows" }
    PlatformLinux { en: "Linux", nl: "Linux" }
    EnrollmentAppleAde {
        en: "Apple Automated Device Enrollment",
        nl: "Automatische apparaatinschrijving van Apple"
    }
    EnrollmentAppleUserEnrollment { en: "Apple User Enrollment", nl: "Apple-gebruikersinschrijving" }
    EnrollmentAppleDeviceEnrollment { en: "Apple device enrollment", nl: "Apple-apparaatinschrijving" }
    EnrollmentAndroidWorkProfilePersonal {
        en: "Android work profile, personally owned",
        nl: "Android-werkprofiel op een persoonlijk apparaat"
    }
    EnrollmentAndroidWorkProfileCorporate {
        en: "Android work profile, corporate-owned",
        nl: "Android-werkprofiel op een bedrijfsapparaat"
    }
    EnrollmentAndroidFullyManaged { en: "Android, fully managed", nl: "Android, volledig beheerd" }
    EnrollmentAndroidDedicated { en: "Android, dedicated device", nl: "Android, toegewezen apparaat" }
    EnrollmentAndroidDeviceAdmin {
        en: "Android device administrator",
        nl: "Android-apparaatbeheerder"
    }
    EnrollmentWindowsEntraJoined { en: "Windows, Entra joined", nl: "Windows, gekoppeld aan Entra ID" }
    EnrollmentWindowsHybridJoined {
        en: "Windows, hybrid joined",
        nl: "Windows, hybride gekoppeld aan Entra ID"
    }
    EnrollmentWindowsRegistered {
        en: "Windows, registered in Entra ID",
        nl: "Windows, geregistreerd in Entra ID"
    }
    EnrollmentJamfManaged { en: "Managed by Jamf Pro", nl: "Beheerd door Jamf Pro" }
    ComplianceUnknown { en: "Unknown", nl: "Onbekend" }
    ComplianceCompliant { en: "Compliant", nl: "Compatibel" }
    ComplianceNoncompliant { en: "Not compliant", nl: "Niet compatibel" }
    ComplianceConflict { en: "Conflict", nl: "Conflict" }
    ComplianceError { en: "Error", nl: "Fout" }
    ComplianceInGracePeriod { en: "In grace period", nl: "In respijtperiode" }
    ComplianceConfigManager {
        en: "Managed by Configuration Manager",
        nl: "Beheerd door Configuration Manager"
    }

    VisibilityLastDigits {
        en: "Only the last digits are shown for devices that are not corporate-owned.",
        nl: "Van apparaten die geen bedrijfseigendom zijn, worden alleen de laatste cijfers getoond."
    }
    VisibilitySecret {
        en: "Hidden. Showing it is recorded in the audit log.",
        nl: "Verborgen. Tonen wordt vastgelegd in het auditlogboek."
    }
    HiddenAndroidPersonalWorkProfile {
        en: "Android 12 and later do not report this for personally owned work profiles.",
        nl: "Android 12 en hoger geeft dit niet door voor werkprofielen op persoonlijke apparaten."
    }
    HiddenWifiMacWithheld {
        en: "Not reported by Android devices of this type enrolled since October 2021.",
        nl: "Android-apparaten van dit type die sinds oktober 2021 zijn ingeschreven, geven dit niet door."
    }
    HiddenNotReported {
        en: "Corporate-owned Android work profiles do not report this.",
        nl: "Android-werkprofielen op bedrijfsapparaten geven dit niet door."
    }
    HiddenNotInventoried {
        en: "Not collected for this kind of Android enrollment.",
        nl: "Wordt voor dit soort Android-inschrijving niet verzameld."
    }
    HiddenPersonalDevice {
        en: "Never shown for devices that are not corporate-owned.",
        nl: "Wordt nooit getoond voor apparaten die geen bedrijfseigendom zijn."
    }

    // Exports
    CsvSection { en: "section", nl: "onderdeel" }
    CsvRecordKind { en: "record kind", nl: "soort gegeven" }
    CsvRecordId { en: "record id", nl: "id van het gegeven" }
    CsvField { en: "field", nl: "veld" }
    CsvValue { en: "value", nl: "waarde" }
    CsvShown { en: "shown as", nl: "getoond als" }
    CsvSource { en: "source", nl: "bron" }
    CsvVersion { en: "version", nl: "versie" }
    CsvChangedAt { en: "changed at", nl: "gewijzigd op" }
    CsvChangedBy { en: "changed by", nl: "gewijzigd door" }
    CsvDetail { en: "detail", nl: "toelichting" }

    // Sign-in, sessions and roles
    RoleTenantAdmin { en: "Tenant admin", nl: "Tenantbeheerder" }
    RoleSupportReviewer { en: "Support reviewer", nl: "Supportbeoordelaar" }
    RoleAuditor { en: "Auditor", nl: "Auditor" }
    RoleEndUser { en: "End user", nl: "Eindgebruiker" }
    SignOut { en: "Sign out", nl: "Afmelden" }
    SignedInAs { en: "Signed in as {name} ({tenant})", nl: "Aangemeld als {name} ({tenant})" }
    DemoBanner {
        en: "Demo mode: sample data and demo sign-in. Do not enter real personal data.",
        nl: "Demomodus: voorbeeldgegevens en demo-aanmelding. Voer geen echte persoonsgegevens in."
    }
    SignInWithProvider { en: "Sign in with your organisation account", nl: "Aanmelden met uw organisatieaccount" }
    DemoSignInTitle { en: "Demo sign-in", nl: "Demo-aanmelding" }
    DemoSignInIntro {
        en: "Pick a demo identity. Each one sees the portal with the rights of its role in its own tenant.",
        nl: "Kies een demo-identiteit. Elke identiteit ziet het portaal met de rechten van haar rol in haar eigen tenant."
    }
    DemoSignInAs { en: "Sign in as {name}", nl: "Aanmelden als {name}" }
    SignInFailed {
        en: "Sign-in failed: {reason}. Nothing was changed; try again.",
        nl: "Aanmelden mislukt: {reason}. Er is niets gewijzigd; probeer het opnieuw."
    }

    SignInErrExpired { en: "the sign-in took too long or was not started here", nl: "het aanmelden duurde te lang of is hier niet gestart" }
    SignInErrState { en: "the answer does not belong to this browser's sign-in", nl: "het antwoord hoort niet bij de aanmelding van deze browser" }
    SignInErrProvider { en: "the identity provider could not complete the sign-in", nl: "de identiteitsprovider kon het aanmelden niet afronden" }
    SignInErrToken { en: "the identity token could not be verified", nl: "het identiteitstoken kon niet worden geverifieerd" }
    SignInErrTenant { en: "your organisation is not known to this portal", nl: "uw organisatie is niet bekend bij dit portaal" }
    SignInNoMethod {
        en: "No sign-in method is available on this instance. Ask your administrator to configure an OpenID Connect provider.",
        nl: "Op deze omgeving is geen aanmeldmethode beschikbaar. Vraag uw beheerder een OpenID Connect-provider in te stellen."
    }
    NavAccounts { en: "Accounts and roles", nl: "Accounts en rollen" }
    AccountsTitle { en: "Accounts and roles", nl: "Accounts en rollen" }
    AccountsIntro {
        en: "People who can sign in to this tenant, and what each may do. Role changes take effect at once and are recorded in the audit log.",
        nl: "Mensen die zich bij deze tenant kunnen aanmelden, en wat ieder mag. Rolwijzigingen gaan direct in en worden vastgelegd in het auditlogboek."
    }
    AccountsCaption { en: "Accounts of {tenant}", nl: "Accounts van {tenant}" }
    ColName { en: "Name", nl: "Naam" }
    ColEmail { en: "Email", nl: "E-mail" }
    ColRoles { en: "Roles", nl: "Rollen" }
    ColLastSignIn { en: "Last sign-in", nl: "Laatst aangemeld" }
    Never { en: "never", nl: "nooit" }
    Grant { en: "Grant", nl: "Toekennen" }
    Revoke { en: "Revoke {role}", nl: "{role} intrekken" }
    RoleToGrant { en: "Role to grant", nl: "Toe te kennen rol" }
    NoAccounts { en: "No accounts yet. People get an account when they first sign in.", nl: "Nog geen accounts. Mensen krijgen een account wanneer ze zich voor het eerst aanmelden." }
    Loading { en: "Loading…", nl: "Laden…" }
    RoleChanged { en: "Roles updated.", nl: "Rollen bijgewerkt." }
    ErrOwnAdminRole { en: "You cannot revoke your own admin role.", nl: "U kunt uw eigen beheerdersrol niet intrekken." }

    // Personal data and corrections
    ErrReasonRequired { en: "Give a reason for this change.", nl: "Geef een reden voor deze wijziging." }
    ErrReasonTooLong { en: "Keep the reason under 2,000 characters.", nl: "Houd de reden korter dan 2.000 tekens." }
    ErrCorrectedElsewhere {
        en: "This field is corrected at its source ({route}), not here. Record a routed correction instead.",
        nl: "Dit veld wordt bij de bron gecorrigeerd ({route}), niet hier. Leg in plaats daarvan een doorgestuurde correctie vast."
    }
    ErrNeverCorrected { en: "This field is set by the system and cannot be corrected.", nl: "Dit veld wordt door het systeem gezet en kan niet worden gecorrigeerd." }
    ErrNoSuchUserInTenant { en: "No user with this sign-in name in this tenant.", nl: "Geen gebruiker met deze aanmeldnaam in deze tenant." }
    ErrNotASecret { en: "Only secrets can be revealed.", nl: "Alleen geheimen kunnen worden getoond." }

    // The personal-data page
    UserPageTitle { en: "Personal data", nl: "Persoonsgegevens" }
    UserIdentity { en: "Identity", nl: "Identiteit" }
    UserDevices { en: "Devices", nl: "Apparaten" }
    UserNoDevices { en: "No devices have this user as primary user.", nl: "Geen apparaten hebben deze gebruiker als primaire gebruiker." }
    UserApps { en: "Apps on {device}", nl: "Apps op {device}" }
    UserAppsWithheldOne { en: "{count} personal app is not shown: this device is not corporate-owned.", nl: "{count} persoonlijke app wordt niet getoond: dit apparaat is niet van de organisatie." }
    UserAppsWithheld { en: "{count} personal apps are not shown: this device is not corporate-owned.", nl: "{count} persoonlijke apps worden niet getoond: dit apparaat is niet van de organisatie." }
    UserNoApps { en: "No apps inventoried.", nl: "Geen apps geïnventariseerd." }
    UserExportJson { en: "Download as JSON", nl: "Downloaden als JSON" }
    UserExportCsv { en: "Download as CSV", nl: "Downloaden als CSV" }
    UserFilterRecipient { en: "Show only fields received by", nl: "Alleen velden tonen ontvangen door" }
    UserFilterAll { en: "Everyone (all fields)", nl: "Iedereen (alle velden)" }
    ColField { en: "Field", nl: "Veld" }
    ColValue { en: "Value", nl: "Waarde" }
    ColSource { en: "Source", nl: "Bron" }
    ColChanged { en: "Last changed", nl: "Laatst gewijzigd" }
    ColReceivedBy { en: "Received by", nl: "Ontvangen door" }
    ColAction { en: "Action", nl: "Actie" }
    ColApp { en: "App", nl: "App" }
    ColVersion { en: "Version", nl: "Versie" }
    ColManaged { en: "Managed", nl: "Beheerd" }
    Yes { en: "Yes", nl: "Ja" }
    No { en: "No", nl: "Nee" }
    NotHeld { en: "Not held", nl: "Niet aanwezig" }
    NobodyReceived { en: "Nobody", nl: "Niemand" }
    ChangedByOn { en: "{when} by {who} (version {version})", nl: "{when} door {who} (versie {version})" }
    ReceiptLine { en: "{recipient} via {feature}, {count}×, last {last}", nl: "{recipient} via {feature}, {count}×, laatst {last}" }
    AgentTag { en: "our agent", nl: "onze verwerker" }
    ThirdPartyTag { en: "independent third party", nl: "onafhankelijke derde" }
    ConsentTag { en: "consent #{id}", nl: "toestemming #{id}" }
    ActionCorrect { en: "Correct", nl: "Corrigeren" }
    ActionRoute { en: "Where to correct", nl: "Waar corrigeren" }
    ActionReveal { en: "Reveal", nl: "Tonen" }
    ReadOnly { en: "Read-only", nl: "Alleen-lezen" }
    NewValue { en: "New value", nl: "Nieuwe waarde" }
    ProposedValue { en: "Value the source should hold", nl: "Waarde die de bron moet krijgen" }
    Reason { en: "Reason", nl: "Reden" }
    ReasonHint { en: "Recorded in the audit log with the change.", nl: "Wordt met de wijziging in het auditlogboek vastgelegd." }
    SaveCorrection { en: "Save correction", nl: "Correctie opslaan" }
    RecordRouted { en: "Record routed correction", nl: "Doorgestuurde correctie vastleggen" }
    RouteExplainDirectory { en: "This value comes from Entra ID: correct it there; the next sync brings it here.", nl: "Deze waarde komt uit Entra ID: corrigeer hem daar; de volgende synchronisatie brengt hem hierheen." }
    RouteExplainDevice { en: "This value comes from the device: the user corrects it on the device, and it arrives at the next check-in.", nl: "Deze waarde komt van het apparaat: de gebruiker corrigeert hem op het apparaat, en hij komt bij de volgende synchronisatie binnen." }
    RouteExplainPartner { en: "This value comes from a partner service: correct it there.", nl: "Deze waarde komt van een partnerdienst: corrigeer hem daar." }
    Saved { en: "Saved.", nl: "Opgeslagen." }
    SavedInform { en: "Saved. Follow-ups created to inform: {recipients}.", nl: "Opgeslagen. Vervolgtaken aangemaakt om te informeren: {recipients}." }
    RoutedSaved { en: "Routed correction recorded.", nl: "Doorgestuurde correctie vastgelegd." }
    RevealReason { en: "Why do you need to see it?", nl: "Waarom moet u het zien?" }
    RevealSubmit { en: "Reveal (recorded in the audit log)", nl: "Tonen (wordt vastgelegd in het auditlogboek)" }
    RevealedValue { en: "Revealed value", nl: "Getoonde waarde" }
    UserHistory { en: "History", nl: "Geschiedenis" }
    UserNoHistory { en: "No changes recorded yet.", nl: "Nog geen wijzigingen vastgelegd." }
    UserFollowUps { en: "Follow-ups with recipients", nl: "Vervolgtaken bij ontvangers" }
    UserNoFollowUps { en: "No follow-ups.", nl: "Geen vervolgtaken." }
    UserRouted { en: "Routed corrections", nl: "Doorgestuurde correcties" }
    UserNoRouted { en: "No routed corrections are open.", nl: "Er staan geen doorgestuurde correcties open." }
    ColRecipient { en: "Recipient", nl: "Ontvanger" }
    ColStatus { en: "Status", nl: "Status" }
    ColCreated { en: "Created", nl: "Aangemaakt" }
    ColProposed { en: "Proposed value", nl: "Voorgestelde waarde" }
    ColWhen { en: "When", nl: "Wanneer" }
    ColWho { en: "Who", nl: "Wie" }
    ColWhat { en: "What", nl: "Wat" }
    ColReason { en: "Reason", nl: "Reden" }

    // Directory
    NavDirectory { en: "Users", nl: "Gebruikers" }
    DirectoryTitle { en: "Users", nl: "Gebruikers" }
    DirectoryIntro {
        en: "Find a person to see and correct the personal data held about them.",
        nl: "Zoek een persoon om de persoonsgegevens over die persoon te bekijken en te corrigeren."
    }
    DirectorySearchLabel { en: "Search", nl: "Zoeken" }
    DirectorySearchHint {
        en: "The beginning of a name, sign-in name or email address, or a complete phone number, serial number or IMEI.",
        nl: "Het begin van een naam, aanmeldnaam of e-mailadres, of een volledig telefoonnummer, serienummer of IMEI."
    }
    DirectorySearchButton { en: "Search", nl: "Zoeken" }
    DirectoryFilters { en: "Filters", nl: "Filters" }
    DirectoryPlatform { en: "Device platform", nl: "Platform van het apparaat" }
    DirectoryOwnership { en: "Device ownership", nl: "Eigendom van het apparaat" }
    DirectoryRecipient { en: "Data shared with", nl: "Gegevens gedeeld met" }
    DirectoryOpenOnly {
        en: "Only users with open correction requests",
        nl: "Alleen gebruikers met openstaande correctieverzoeken"
    }
    DirectoryAny { en: "Any", nl: "Alle" }
    DirectorySort { en: "Sort by", nl: "Sorteren op" }
    DirectorySortName { en: "Name", nl: "Naam" }
    DirectorySortUpn { en: "Sign-in name", nl: "Aanmeldnaam" }
    DirectoryClear { en: "Clear search and filters", nl: "Zoekopdracht en filters wissen" }
    DirectoryCaption { en: "Users, sorted by {sort}", nl: "Gebruikers, gesorteerd op {sort}" }
    DirectoryColDevices { en: "Devices", nl: "Apparaten" }
    DirectoryColOpenRequests { en: "Open requests", nl: "Openstaande verzoeken" }
    DirectoryCountOne { en: "1 user on this page.", nl: "1 gebruiker op deze pagina." }
    DirectoryCountMany { en: "{count} users on this page.", nl: "{count} gebruikers op deze pagina." }
    DirectoryMorePages { en: "More on the next page.", nl: "Meer op de volgende pagina." }
    DirectoryEmpty {
        en: "This tenant has no users yet. They appear here once they are imported from Entra ID and Intune.",
        nl: "Deze tenant heeft nog geen gebruikers. Ze verschijnen hier zodra ze uit Entra ID en Intune zijn geïmporteerd."
    }
    DirectoryNoResults { en: "No users match “{query}”.", nl: "Geen gebruikers gevonden voor “{query}”." }
    DirectoryNoResultsFiltered { en: "No users match these filters.", nl: "Geen gebruikers gevonden met deze filters." }
    DirectoryPastEnd { en: "There are no more users after the previous page.", nl: "Na de vorige pagina zijn er geen gebruikers meer." }
    DirectoryPages { en: "Pages", nl: "Pagina's" }
    DirectoryNextPage { en: "Next page", nl: "Volgende pagina" }
    DirectoryFirstPage { en: "First page", nl: "Eerste pagina" }
    DirectoryPageLink { en: "Page link", nl: "Paginalink" }
    DirectoryStaleCursor {
        en: "This page link belongs to another sort order. Start again from the first page.",
        nl: "Deze paginalink hoort bij een andere sortering. Begin opnieuw bij de eerste pagina."
    }
    // --- requests (issue 7) ---
    NavMyData { en: "My data", nl: "Mijn gegevens" }
    NavMyRequests { en: "My requests", nl: "Mijn verzoeken" }
    NavReview { en: "Review queue", nl: "Beoordelingswachtrij" }
    NavAuditLog { en: "Audit log", nl: "Auditlogboek" }
    NavNotifications { en: "Notifications", nl: "Meldingen" }
    ReqStatusPending { en: "Pending", nl: "In behandeling" }
    ReqStatusApproved { en: "Approved", nl: "Goedgekeurd" }
    ReqStatusRejected { en: "Rejected", nl: "Afgewezen" }
    ReqStatusWithdrawn { en: "Withdrawn", nl: "Ingetrokken" }
    ReqStatusRouted { en: "Routed to the source", nl: "Doorgestuurd naar de bron" }
    ReqFourEyesOwn {
        en: "You cannot decide this request: it concerns your own data or you filed it yourself.",
        nl: "U kunt niet over dit verzoek beslissen: het gaat over uw eigen gegevens of u hebt het zelf ingediend."
    }
    ReqFourEyesLastChanged {
        en: "You cannot approve this request: you made the field's current value yourself. Another reviewer must decide.",
        nl: "U kunt dit verzoek niet goedkeuren: u hebt de huidige waarde van dit veld zelf ingesteld. Een andere beoordelaar moet beslissen."
    }
    ErrInvalidFilter { en: "This filter value is not known.", nl: "Deze filterwaarde is onbekend." }
    ErrExtensionMonths { en: "An extension is one or two months.", nl: "Een verlenging is één of twee maanden." }
    ErrExtensionTooLate {
        en: "The deadline has passed: an extension must be decided, and told to the requester, before it.",
        nl: "De termijn is verstreken: een verlenging moet vóór het einde ervan besloten en aan de aanvrager gemeld zijn."
    }
    ErrInvalidDate { en: "Enter a date as YYYY-MM-DD.", nl: "Voer een datum in als JJJJ-MM-DD." }
    MyDataTitle { en: "My data", nl: "Mijn gegevens" }
    MyDataIntro {
        en: "The personal data your organisation holds about you, shown with the same rules that apply to its administrators. If something is wrong, ask for a correction.",
        nl: "De persoonsgegevens die uw organisatie over u bewaart, getoond volgens dezelfde regels die voor de beheerders gelden. Klopt er iets niet, vraag dan om een correctie."
    }
    MyDataReceivedTitle { en: "Who received my data", nl: "Wie mijn gegevens heeft ontvangen" }
    MyDataReceivedNone { en: "Nobody outside the organisation has received your data.", nl: "Niemand buiten de organisatie heeft uw gegevens ontvangen." }
    ColAbout { en: "About", nl: "Over" }
    ColFeature { en: "Feature", nl: "Functie" }
    ColCategories { en: "Categories of data", nl: "Categorieën gegevens" }
    ReqReceivedLine { en: "{count} times, last on {last}", nl: "{count} keer, laatst op {last}" }
    ReqAction { en: "Request a correction", nl: "Om een correctie vragen" }
    ReqProposed { en: "Correct value", nl: "Juiste waarde" }
    ReqReason { en: "Why is the current value wrong?", nl: "Waarom is de huidige waarde onjuist?" }
    ReqRestrict {
        en: "Do not share this field with outside parties while my request is reviewed (GDPR Art. 18)",
        nl: "Deel dit veld niet met externe partijen zolang mijn verzoek wordt beoordeeld (AVG art. 18)"
    }
    ReqSubmit { en: "Send request", nl: "Verzoek versturen" }
    ReqSent { en: "Your request was sent. You can follow it under My requests.", nl: "Uw verzoek is verstuurd. U kunt het volgen onder Mijn verzoeken." }
    ReqNotCorrectable { en: "Cannot be corrected", nl: "Kan niet worden gecorrigeerd" }
    MyRequestsTitle { en: "My requests", nl: "Mijn verzoeken" }
    MyRequestsNone { en: "You have not asked for any corrections.", nl: "U hebt nog geen correcties aangevraagd." }
    ColDue { en: "Due", nl: "Uiterlijk op" }
    ColAnswer { en: "Answer", nl: "Antwoord" }
    ColUser { en: "User", nl: "Gebruiker" }
    ColReceived { en: "Received", nl: "Ontvangen" }
    ColTarget { en: "Target", nl: "Doel" }
    ColBeforeAfter { en: "Before → after", nl: "Voor → na" }
    ReqWithdraw { en: "Withdraw", nl: "Intrekken" }
    ReqWithdrawnDone { en: "Your request was withdrawn.", nl: "Uw verzoek is ingetrokken." }
    ReqInformed { en: "Informed of the correction: {recipients}", nl: "Op de hoogte gebracht van de correctie: {recipients}" }
    ReqInformedNone { en: "No outside party had received the old value.", nl: "Geen externe partij had de oude waarde ontvangen." }
    ReqExtended { en: "Deadline extended: {reason}", nl: "Termijn verlengd: {reason}" }
    ReqPaused { en: "Clock paused while we wait for information from you", nl: "Klok gepauzeerd terwijl we op informatie van u wachten" }
    ReqRejectedBecause { en: "Rejected: {reason}", nl: "Afgewezen: {reason}" }
    ReqOverdue { en: "Overdue", nl: "Te laat" }
    ReqRestricted { en: "Sharing restricted while open", nl: "Delen beperkt zolang open" }
    ReviewTitle { en: "Review queue", nl: "Beoordelingswachtrij" }
    ReviewIntro {
        en: "Correction requests of end users. A request is due one month after it was received; overdue requests are marked.",
        nl: "Correctieverzoeken van eindgebruikers. Een verzoek moet binnen een maand na ontvangst zijn afgehandeld; verzoeken die te laat zijn, worden gemarkeerd."
    }
    ReviewFilterAll { en: "All", nl: "Alle" }
    ReviewFilterDue { en: "Due date", nl: "Termijn" }
    ReviewDueOverdue { en: "Overdue", nl: "Te laat" }
    ReviewDueWeek { en: "Due within 7 days", nl: "Binnen 7 dagen af te handelen" }
    ReviewFilterCategory { en: "Field category", nl: "Categorie van het veld" }
    ReviewFilterAge { en: "Received at least", nl: "Ontvangen minstens" }
    ReviewAgeDays { en: "{days} days ago", nl: "{days} dagen geleden" }
    ReviewApply { en: "Apply filters", nl: "Filters toepassen" }
    ReviewNone { en: "No requests match these filters.", nl: "Geen verzoeken gevonden met deze filters." }
    ReviewOpen { en: "Review", nl: "Beoordelen" }
    ReviewRequestTitle { en: "Correction request #{id}", nl: "Correctieverzoek #{id}" }
    ReviewCurrent { en: "Current value", nl: "Huidige waarde" }
    ReviewRoute { en: "Where it is corrected", nl: "Waar het wordt gecorrigeerd" }
    ReviewRequesterReason { en: "Requester's reason", nl: "Reden van de aanvrager" }
    ReviewAlreadyReceived { en: "Recipients who already received the current value", nl: "Ontvangers die de huidige waarde al hebben ontvangen" }
    ReviewApprove { en: "Approve and apply", nl: "Goedkeuren en doorvoeren" }
    ReviewApproved { en: "Approved.", nl: "Goedgekeurd." }
    ReviewReject { en: "Reject", nl: "Afwijzen" }
    ReviewReasonShown { en: "Reason (shown to the requester)", nl: "Reden (zichtbaar voor de aanvrager)" }
    ReviewRejected { en: "Rejected.", nl: "Afgewezen." }
    ReviewExtend { en: "Extend the deadline (once)", nl: "Termijn verlengen (eenmalig)" }
    ReviewExtendBy { en: "Extend by", nl: "Verlengen met" }
    ReviewMonthsOne { en: "1 month", nl: "1 maand" }
    ReviewMonthsTwo { en: "2 months", nl: "2 maanden" }
    ReviewPause { en: "Pause the clock", nl: "Klok pauzeren" }
    ReviewResume { en: "Resume the clock", nl: "Klok hervatten" }
    ReviewBack { en: "Back to the queue", nl: "Terug naar de wachtrij" }
    ReviewDecided { en: "Decided on {when} by {who}.", nl: "Besloten op {when} door {who}." }
    NotificationsTitle { en: "Notifications", nl: "Meldingen" }
    NotificationsNone { en: "No notifications.", nl: "Geen meldingen." }
    NotificationsMarkRead { en: "Mark all as read", nl: "Alles als gelezen markeren" }
    NotificationsUnread { en: "New", nl: "Nieuw" }
    NotifCreated { en: "New correction request from {name}: {field}", nl: "Nieuw correctieverzoek van {name}: {field}" }
    NotifApproved { en: "Your request about {field} was approved.", nl: "Uw verzoek over {field} is goedgekeurd." }
    NotifRejected { en: "Your request about {field} was rejected.", nl: "Uw verzoek over {field} is afgewezen." }
    NotifExtended { en: "The deadline of your request about {field} was extended.", nl: "De termijn van uw verzoek over {field} is verlengd." }
    NotifPaused { en: "Your request about {field} is waiting for information from you.", nl: "Uw verzoek over {field} wacht op informatie van u." }
    NotifResumed { en: "Work on your request about {field} has resumed.", nl: "Uw verzoek over {field} wordt weer behandeld." }
    AuditTitle { en: "Audit log", nl: "Auditlogboek" }
    AuditIntro {
        en: "Every change, decision, download and sign-in in this tenant, newest first. Events cannot be changed or removed.",
        nl: "Elke wijziging, beslissing, download en aanmelding in deze tenant, nieuwste eerst. Gebeurtenissen kunnen niet worden gewijzigd of verwijderd."
    }
    AuditActor { en: "Actor (beginning of the name)", nl: "Uitvoerder (begin van de naam)" }
    AuditAction { en: "Action", nl: "Actie" }
    AuditUser { en: "Target user (id or sign-in name)", nl: "Betrokken gebruiker (id of aanmeldnaam)" }
    AuditFrom { en: "From (YYYY-MM-DD)", nl: "Van (JJJJ-MM-DD)" }
    AuditTo { en: "Up to and including (YYYY-MM-DD)", nl: "Tot en met (JJJJ-MM-DD)" }
    AuditApply { en: "Filter", nl: "Filteren" }
    AuditCsv { en: "Download as CSV", nl: "Downloaden als CSV" }
    AuditNone { en: "No events match these filters.", nl: "Geen gebeurtenissen gevonden met deze filters." }
    AuditOlder { en: "Older events", nl: "Oudere gebeurtenissen" }
    AuditNewest { en: "Newest events", nl: "Nieuwste gebeurtenissen" }
    AuditIntegrityTitle { en: "Integrity check", nl: "Integriteitscontrole" }
    AuditIntegrityIntro {
        en: "Recomputes the hash chain of this tenant's audit log and reports the first event at which it is broken, if any.",
        nl: "Berekent de hashketen van het auditlogboek van deze tenant opnieuw en meldt de eerste gebeurtenis waarbij die verbroken is, als dat zo is."
    }
    AuditVerify { en: "Check the chain now", nl: "Keten nu controleren" }
    AuditIntactOne { en: "The chain is intact: {count} event checked.", nl: "De keten is intact: {count} gebeurtenis gecontroleerd." }
    AuditIntact { en: "The chain is intact: {count} events checked.", nl: "De keten is intact: {count} gebeurtenissen gecontroleerd." }
    AuditBroken {
        en: "The chain is broken at event {seq}. Events from there on may have been altered, removed or reordered.",
        nl: "De keten is verbroken bij gebeurtenis {seq}. Gebeurtenissen vanaf daar zijn mogelijk gewijzigd, verwijderd of van volgorde veranderd."
    }
    // --- end requests (issue 7) ---
    // --- API tokens (issue 8) ---
    NavApiTokens { en: "API tokens", nl: "API-tokens" }
    ApiTokensTitle { en: "API tokens", nl: "API-tokens" }
    ApiTokensIntro {
        en: "Tokens let scripts and integrations use the REST API under /api/v1 with the rights of one role in this tenant. The API is described at /api/openapi.json. A token is shown once, when it is created; the portal keeps only a fingerprint of it.",
        nl: "Met tokens gebruiken scripts en koppelingen de REST-API onder /api/v1 met de rechten van één rol in deze tenant. De API is beschreven op /api/openapi.json. Een token wordt één keer getoond, bij het aanmaken; het portaal bewaart alleen een vingerafdruk ervan."
    }
    ApiTokenNew { en: "New token", nl: "Nieuw token" }
    ApiTokenName { en: "Name", nl: "Naam" }
    ApiTokenNameHint { en: "Say what uses it, e.g. \"nightly export\".", nl: "Zeg waarvoor het dient, bijvoorbeeld \"nachtelijke export\"." }
    ApiTokenRole { en: "Role", nl: "Rol" }
    ApiTokenExpiry { en: "Valid for", nl: "Geldig gedurende" }
    ApiTokenDays { en: "{days} days", nl: "{days} dagen" }
    ApiTokenEndUser { en: "End user's sign-in name", nl: "Aanmeldnaam van de eindgebruiker" }
    ApiTokenEndUserHint { en: "Only for end-user tokens: the user the token acts as.", nl: "Alleen voor eindgebruikerstokens: de gebruiker namens wie het token handelt." }
    ApiTokenCreate { en: "Create token", nl: "Token aanmaken" }
    ApiTokenCreated {
        en: "Token \"{name}\" created. Copy it now: it will not be shown again.",
        nl: "Token \"{name}\" aangemaakt. Kopieer het nu: het wordt niet opnieuw getoond."
    }
    ApiTokenSecretLabel { en: "Token", nl: "Token" }
    ApiTokensCaption { en: "Tokens of {tenant}", nl: "Tokens van {tenant}" }
    ApiTokensEmpty { en: "No API tokens yet.", nl: "Nog geen API-tokens." }
    ColTokenPrefix { en: "Starts with", nl: "Begint met" }
    ColCreatedBy { en: "Created by", nl: "Aangemaakt door" }
    ColExpires { en: "Expires", nl: "Verloopt" }
    ColLastUsed { en: "Last used", nl: "Laatst gebruikt" }
    ColState { en: "State", nl: "Status" }
    ApiTokenActive { en: "active", nl: "actief" }
    ApiTokenExpired { en: "expired", nl: "verlopen" }
    ApiTokenRevoked { en: "revoked", nl: "ingetrokken" }
    ApiTokenRevoke { en: "Revoke", nl: "Intrekken" }
    ApiTokenRevokeConfirm {
        en: "Revoke \"{name}\"? Scripts using it stop working at once. This cannot be undone.",
        nl: "\"{name}\" intrekken? Scripts die het gebruiken, werken direct niet meer. Dit kan niet ongedaan worden gemaakt."
    }
    ApiTokenRevokeYes { en: "Yes, revoke", nl: "Ja, intrekken" }
    ApiTokenCancel { en: "Cancel", nl: "Annuleren" }
    ApiTokenRevokedDone { en: "Token revoked.", nl: "Token ingetrokken." }
    ApiTokenErrName { en: "Give the token a name of at most 100 characters.", nl: "Geef het token een naam van hoogstens 100 tekens." }
    ApiTokenErrExpiry { en: "Choose a lifetime from 1 to 365 days.", nl: "Kies een geldigheidsduur van 1 tot 365 dagen." }
    ApiTokenErrEndUser { en: "An end-user token needs the sign-in name of its user.", nl: "Een eindgebruikerstoken heeft de aanmeldnaam van zijn gebruiker nodig." }
    ApiTokenErrNotEndUser { en: "Only end-user tokens act as a user; leave this empty.", nl: "Alleen eindgebruikerstokens handelen namens een gebruiker; laat dit leeg." }
    // --- end API tokens (issue 8) ---
    // --- sharing (issue 6) ---
    NavSharing { en: "Sharing", nl: "Delen" }
    SharingTitle { en: "Data sharing", nl: "Gegevens delen" }
    SharingIntro {
        en: "Which outside parties receive personal data, under which feature, and with whose consent.",
        nl: "Welke externe partijen persoonsgegevens ontvangen, via welke functie en met wiens toestemming."
    }
    SharingReadOnly {
        en: "You can read this page; only tenant admins change sharing.",
        nl: "U kunt deze pagina lezen; alleen tenantbeheerders wijzigen het delen."
    }
    SharingFeaturesTitle { en: "Features", nl: "Functies" }
    SharingMatrixTitle { en: "Who gets what", nl: "Wie krijgt wat" }
    SharingMatrixIntro {
        en: "Each row is a field; each column a feature and its recipient. → the field is sent, ← it is received.",
        nl: "Elke rij is een veld; elke kolom een functie met haar ontvanger. → het veld wordt verzonden, ← het wordt ontvangen."
    }
    SharingMatrixCaption { en: "Fields per feature and recipient", nl: "Velden per functie en ontvanger" }
    SharingSent { en: "sent", nl: "verzonden" }
    SharingReceived { en: "received", nl: "ontvangen" }
    SharingOn { en: "On", nl: "Aan" }
    SharingOff { en: "Off", nl: "Uit" }
    SharingSince { en: "Since {when}, by {who}", nl: "Sinds {when}, door {who}" }
    SharingNeverOn { en: "Never turned on in this tenant.", nl: "Nooit ingeschakeld in deze tenant." }
    SharingAgent { en: "Our agent (processor)", nl: "Onze verwerker" }
    SharingThirdParty { en: "Independent third party", nl: "Onafhankelijke derde" }
    SharingOutbound { en: "Sends to {recipient}", nl: "Verstuurt naar {recipient}" }
    SharingInbound { en: "Receives from {recipient}", nl: "Ontvangt van {recipient}" }
    SharingPurpose { en: "Purpose", nl: "Doel" }
    SharingContract { en: "Governed by", nl: "Geregeld in" }
    SharingConsentInForce {
        en: "Consent in force: terms version {version} ({locale}), given by {who} on {when}.",
        nl: "Geldende toestemming: voorwaarden versie {version} ({locale}), gegeven door {who} op {when}."
    }
    SharingNoConsentNeeded {
        en: "No consent needed: every recipient acts as our agent.",
        nl: "Geen toestemming nodig: elke ontvanger treedt op als onze verwerker."
    }
    SharingConsentNeeded {
        en: "Needs explicit consent: a recipient is an independent third party.",
        nl: "Vereist uitdrukkelijke toestemming: een ontvanger is een onafhankelijke derde."
    }
    SharingConsentOutdated {
        en: "The terms changed (now version {version}). Fields added since the consent are not shared until an admin consents again.",
        nl: "De voorwaarden zijn gewijzigd (nu versie {version}). Velden die sinds de toestemming zijn toegevoegd, worden pas gedeeld nadat een beheerder opnieuw toestemming geeft."
    }
    SharingNotCovered { en: "waits for new consent", nl: "wacht op nieuwe toestemming" }
    SharingSystemData { en: "service data, not held per person", nl: "servicegegevens, niet per persoon opgeslagen" }
    SharingRecentOne { en: "{count} disclosure in the last 30 days", nl: "{count} verstrekking in de afgelopen 30 dagen" }
    SharingRecent { en: "{count} disclosures in the last 30 days", nl: "{count} verstrekkingen in de afgelopen 30 dagen" }
    SharingTurnOn { en: "Turn on…", nl: "Inschakelen…" }
    SharingTurnOff { en: "Turn off…", nl: "Uitschakelen…" }
    SharingRenew { en: "Review the new terms…", nl: "Nieuwe voorwaarden bekijken…" }
    SharingPreviewOn { en: "Turn on {feature}?", nl: "{feature} inschakelen?" }
    SharingPreviewOff { en: "Turn off {feature}?", nl: "{feature} uitschakelen?" }
    SharingPreviewScope {
        en: "In scope: {users} users, {devices} devices, {apps} apps.",
        nl: "Binnen bereik: {users} gebruikers, {devices} apparaten, {apps} apps."
    }
    SharingPreviewStart { en: "These fields will start flowing:", nl: "Deze velden gaan dan stromen:" }
    SharingPreviewStop { en: "These fields will stop flowing:", nl: "Deze velden stoppen dan met stromen:" }
    SharingOffExplained {
        en: "New disclosures stop at once and the consent ends; the history stays visible. Turning the feature off does not delete data at the recipient: a follow-up is created to ask each recipient to delete it.",
        nl: "Nieuwe verstrekkingen stoppen direct en de toestemming eindigt; de geschiedenis blijft zichtbaar. Uitschakelen verwijdert geen gegevens bij de ontvanger: er wordt een vervolgactie aangemaakt om elke ontvanger om verwijdering te vragen."
    }
    SharingTermsTitle { en: "Terms, version {version}", nl: "Voorwaarden, versie {version}" }
    SharingAgree {
        en: "I agree to these terms on behalf of the tenant.",
        nl: "Ik ga namens de tenant akkoord met deze voorwaarden."
    }
    SharingConfirmOn { en: "Turn on", nl: "Inschakelen" }
    SharingConfirmOff { en: "Turn off", nl: "Uitschakelen" }
    SharingCancel { en: "Cancel", nl: "Annuleren" }
    SharingTurnedOn { en: "{feature} is on.", nl: "{feature} is ingeschakeld." }
    SharingTurnedOff { en: "{feature} is off.", nl: "{feature} is uitgeschakeld." }
    SharingEndpointsTitle { en: "Recipient endpoints", nl: "Eindpunten van ontvangers" }
    SharingEndpointsIntro {
        en: "Where the connector posts signed disclosures and follow-ups. Without an endpoint, disclosures are recorded only and follow-ups wait for manual action.",
        nl: "Waar de connector ondertekende verstrekkingen en vervolgacties naartoe stuurt. Zonder eindpunt worden verstrekkingen alleen vastgelegd en wachten vervolgacties op handmatige afhandeling."
    }
    SharingEndpointUrl { en: "Endpoint URL", nl: "URL van het eindpunt" }
    SharingEndpointSecret {
        en: "Shared secret (at least 16 characters; leave empty to keep the current one)",
        nl: "Gedeeld geheim (minstens 16 tekens; laat leeg om het huidige te houden)"
    }
    SharingEndpointSave { en: "Save endpoint", nl: "Eindpunt opslaan" }
    SharingEndpointRemoveHint {
        en: "Save an empty URL to remove the endpoint.",
        nl: "Sla een lege URL op om het eindpunt te verwijderen."
    }
    SharingEndpointNone { en: "Not configured: recorded only", nl: "Niet ingesteld: alleen vastgelegd" }
    SharingEndpointSaved { en: "Endpoint saved.", nl: "Eindpunt opgeslagen." }
    SharingTasksTitle { en: "Follow-ups for recipients", nl: "Vervolgacties voor ontvangers" }
    SharingTasksEmpty {
        en: "No follow-ups. Correcting a field a recipient received, or turning a feature off, creates one.",
        nl: "Geen vervolgacties. Een correctie van een veld dat een ontvanger kreeg, of het uitschakelen van een functie, maakt er een aan."
    }
    SharingTasksCaption { en: "Follow-ups, newest first", nl: "Vervolgacties, nieuwste eerst" }
    SharingTaskNotify { en: "Tell of the correction of {field}", nl: "Correctie van {field} melden" }
    SharingTaskDelete { en: "Ask to delete the data of {feature}", nl: "Vragen de gegevens van {feature} te verwijderen" }
    SharingTaskManual { en: "no endpoint: handle by hand", nl: "geen eindpunt: handmatig afhandelen" }
    SharingTaskDone { en: "Mark done", nl: "Afgehandeld" }
    SharingTaskAttemptsOne { en: "{count} attempt", nl: "{count} poging" }
    SharingTaskAttempts { en: "{count} attempts", nl: "{count} pogingen" }
    TaskStatusOpen { en: "Open", nl: "Open" }
    TaskStatusSent { en: "Sent", nl: "Verzonden" }
    TaskStatusAcknowledged { en: "Acknowledged", nl: "Bevestigd" }
    TaskStatusFailed { en: "Failed", nl: "Mislukt" }
    TaskStatusDone { en: "Done", nl: "Afgehandeld" }
    SharingRunNow { en: "Run sharing now", nl: "Nu delen" }
    SharingRunResult {
        en: "{recorded} disclosures recorded, {delivered} delivered, {failed} failed, {follow_ups} follow-ups sent; {restricted} restricted fields left out.",
        nl: "{recorded} verstrekkingen vastgelegd, {delivered} afgeleverd, {failed} mislukt, {follow_ups} vervolgacties verzonden; {restricted} beperkte velden weggelaten."
    }
    SharingConsentRequired {
        en: "Tick “I agree” to consent to these terms before turning the feature on.",
        nl: "Vink „Ik ga akkoord” aan om met deze voorwaarden in te stemmen voordat u de functie inschakelt."
    }
    SharingEndpointUrlInvalid {
        en: "Enter an address that starts with http:// or https://.",
        nl: "Voer een adres in dat begint met http:// of https://."
    }
    SharingEndpointSecretShort {
        en: "The shared secret needs 16 to 256 characters.",
        nl: "Het gedeelde geheim moet 16 tot 256 tekens hebben."
    }
    ReportTitle { en: "Disclosures per recipient", nl: "Verstrekkingen per ontvanger" }
    ReportFeature { en: "Feature", nl: "Functie" }
    ReportFeatureAll { en: "All features", nl: "Alle functies" }
    ReportFrom { en: "From", nl: "Van" }
    ReportTo { en: "To", nl: "Tot en met" }
    ReportApply { en: "Show", nl: "Tonen" }
    ReportCsv { en: "Download CSV", nl: "CSV downloaden" }
    ReportEmpty { en: "No disclosures in this period.", nl: "Geen verstrekkingen in deze periode." }
    ReportTotalOne { en: "{count} disclosure in this period", nl: "{count} verstrekking in deze periode" }
    ReportTotal { en: "{count} disclosures in this period", nl: "{count} verstrekkingen in deze periode" }
    ReportChartLabel {
        en: "Disclosures per day, one line per recipient",
        nl: "Verstrekkingen per dag, één lijn per ontvanger"
    }
    ReportCaption { en: "Disclosures per recipient in this period", nl: "Verstrekkingen per ontvanger in deze periode" }
    ReportDateInvalid { en: "Enter a date as YYYY-MM-DD.", nl: "Voer een datum in als JJJJ-MM-DD." }
    ReportRangeInvalid {
        en: "Choose a start on or before the end, at most 366 days apart.",
        nl: "Kies een begin op of vóór het einde, hooguit 366 dagen ertussen."
    }
    CsvDay { en: "Day", nl: "Dag" }
    CsvRecipient { en: "Recipient", nl: "Ontvanger" }
    CsvDisclosures { en: "Disclosures", nl: "Verstrekkingen" }
    // --- dashboard (issue 11) ---
    NavDashboard { en: "Dashboard", nl: "Dashboard" }
    DashboardTitle { en: "Dashboard", nl: "Dashboard" }
    DashboardIntro {
        en: "What needs attention in your tenant: requests by deadline, follow-ups owed to recipients, and what is being shared.",
        nl: "Wat aandacht nodig heeft in uw tenant: verzoeken op termijn, vervolgacties voor ontvangers en wat er wordt gedeeld."
    }
    DashRequests { en: "Open correction requests", nl: "Open correctieverzoeken" }
    DashOverdueCountOne { en: "{count} past its deadline", nl: "{count} over de termijn" }
    DashOverdueCount { en: "{count} past their deadline", nl: "{count} over de termijn" }
    DashViewQueue { en: "Open the review queue", nl: "Naar de beoordelingswachtrij" }
    DashFollowUps { en: "Open follow-ups", nl: "Open vervolgacties" }
    DashFollowUpsLine {
        en: "{overdue} overdue (open over 30 days or failed), {failed} failed",
        nl: "{overdue} achterstallig (langer dan 30 dagen open of mislukt), {failed} mislukt"
    }
    DashViewSharing { en: "See the follow-ups", nl: "Vervolgacties bekijken" }
    DashFeatures { en: "Sharing features", nl: "Deelfuncties" }
    DashFeaturesLine { en: "{on} of {total} on", nl: "{on} van {total} aan" }
    DashConsentOutdated {
        en: "{count} with new terms waiting for consent",
        nl: "{count} met nieuwe voorwaarden die op toestemming wachten"
    }
    DashNextDue { en: "Due first", nl: "Eerst af te handelen" }
    DashNoOpenRequests {
        en: "No open correction requests. New requests from end users appear here by deadline.",
        nl: "Geen open correctieverzoeken. Nieuwe verzoeken van eindgebruikers verschijnen hier op termijn."
    }
    DashDueToday { en: "due today", nl: "vandaag" }
    DashDueIn { en: "due in {days} days", nl: "over {days} dagen" }
    DashDaysOverdue { en: "{days} days overdue", nl: "{days} dagen te laat" }
    DashPaused { en: "clock paused", nl: "termijn gepauzeerd" }
    DashDisclosures { en: "Disclosures in the last 30 days", nl: "Verstrekkingen in de afgelopen 30 dagen" }
    // issue 9: bounded searches and pages
    DirectoryPartial { en: "Many UPNs or email addresses start with this text, so only the first of them were searched (every name match is listed): type more to narrow it down.", nl: "Veel UPN's of e-mailadressen beginnen met deze tekst, dus alleen de eerste daarvan zijn doorzocht (elke naam die overeenkomt staat in de lijst): typ meer om te verfijnen." }
    // issue 11: toasts and human dates
    ToastDismiss { en: "Dismiss message", nl: "Melding sluiten" }
    ToastCorrected { en: "Correction saved.", nl: "Correctie opgeslagen." }
    ToastRouted { en: "Routed correction recorded.", nl: "Doorgestuurde correctie vastgelegd." }
    ToastRequestSent {
        en: "Your request was sent. You can follow it under My requests.",
        nl: "Uw verzoek is verstuurd. U kunt het volgen onder Mijn verzoeken."
    }
    ToastRequestWithdrawn { en: "Your request was withdrawn.", nl: "Uw verzoek is ingetrokken." }
    ToastRequestApproved { en: "Request approved.", nl: "Verzoek goedgekeurd." }
    ToastRequestRejected { en: "Request rejected.", nl: "Verzoek afgewezen." }
    ToastRequestExtended { en: "Deadline extended.", nl: "Termijn verlengd." }
    ToastRequestPaused { en: "Clock paused or resumed.", nl: "Termijn gepauzeerd of hervat." }
    ToastFeatureEnabled { en: "Feature turned on.", nl: "Functie ingeschakeld." }
    ToastFeatureDisabled { en: "Feature turned off.", nl: "Functie uitgeschakeld." }
    ToastEndpointSaved { en: "Endpoint saved.", nl: "Eindpunt opgeslagen." }
    ToastFollowUpDone { en: "Follow-up marked done.", nl: "Vervolgactie afgehandeld." }
    ToastTokenCreated { en: "API token created.", nl: "API-token aangemaakt." }
    ToastTokenRevoked { en: "API token revoked.", nl: "API-token ingetrokken." }
    ToastRoleGranted { en: "Role granted.", nl: "Rol toegekend." }
    ToastRoleRevoked { en: "Role taken away.", nl: "Rol ingetrokken." }
    ToastNotificationsRead { en: "Notifications marked as read.", nl: "Meldingen gemarkeerd als gelezen." }
    DateTimeFull { en: "{day} {month} {year}, {time} UTC", nl: "{day} {month} {year}, {time} UTC" }
    MonthJanuary { en: "January", nl: "januari" }
    MonthFebruary { en: "February", nl: "februari" }
    MonthMarch { en: "March", nl: "maart" }
    MonthApril { en: "April", nl: "april" }
    MonthMay { en: "May", nl: "mei" }
    MonthJune { en: "June", nl: "juni" }
    MonthJuly { en: "July", nl: "juli" }
    MonthAugust { en: "August", nl: "augustus" }
    MonthSeptember { en: "September", nl: "september" }
    MonthOctober { en: "October", nl: "oktober" }
    MonthNovember { en: "November", nl: "november" }
    MonthDecember { en: "December", nl: "december" }
    RelJustNow { en: "just now", nl: "zojuist" }
    RelMinuteAgo { en: "{count} minute ago", nl: "{count} minuut geleden" }
    RelMinutesAgo { en: "{count} minutes ago", nl: "{count} minuten geleden" }
    RelHourAgo { en: "{count} hour ago", nl: "{count} uur geleden" }
    RelHoursAgo { en: "{count} hours ago", nl: "{count} uur geleden" }
    RelDayAgo { en: "{count} day ago", nl: "{count} dag geleden" }
    RelDaysAgo { en: "{count} days ago", nl: "{count} dagen geleden" }
    RelMonthAgo { en: "{count} month ago", nl: "{count} maand geleden" }
    RelMonthsAgo { en: "{count} months ago", nl: "{count} maanden geleden" }
    RelYearAgo { en: "{count} year ago", nl: "{count} jaar geleden" }
    RelYearsAgo { en: "{count} years ago", nl: "{count} jaar geleden" }
    RelInMinute { en: "in {count} minute", nl: "over {count} minuut" }
    RelInMinutes { en: "in {count} minutes", nl: "over {count} minuten" }
    RelInHour { en: "in {count} hour", nl: "over {count} uur" }
    RelInHours { en: "in {count} hours", nl: "over {count} uur" }
    RelInDay { en: "in {count} day", nl: "over {count} dag" }
    RelInDays { en: "in {count} days", nl: "over {count} dagen" }
    RelInMonth { en: "in {count} month", nl: "over {count} maand" }
    RelInMonths { en: "in {count} months", nl: "over {count} maanden" }
    RelInYear { en: "in {count} year", nl: "over {count} jaar" }
    RelInYears { en: "in {count} years", nl: "over {count} jaar" }
    DashDueWhen { en: "due {when}", nl: "termijn verloopt {when}" }
    DashWasDue { en: "was due {when}", nl: "termijn verliep {when}" }
    ReqReceivedWhenOne { en: "{count} time, last {when}", nl: "{count} keer, laatst {when}" }
    ReqReceivedWhen { en: "{count} times, last {when}", nl: "{count} keer, laatst {when}" }
    ReviewDecidedWhen { en: "Decided {when} by {who}.", nl: "Besloten {when} door {who}." }
    SharingChangedWhen { en: "Changed {when} by {who}", nl: "Gewijzigd {when} door {who}" }
    SharingConsentGiven {
        en: "Consent in force: terms version {version} ({locale}), given by {who} {when}.",
        nl: "Geldende toestemming: voorwaarden versie {version} ({locale}), gegeven door {who} {when}."
    }
    ReviewReceivedDue { en: "Received {when}", nl: "Ontvangen {when}" }
    // end issue 11: toasts and human dates
    // issue 11: background exports and imports
    NavJobs { en: "Exports and imports", nl: "Exports en imports" }
    JobsTitle { en: "Exports and imports", nl: "Exports en imports" }
    JobsIntro {
        en: "Exports and imports run in the background: you can leave this page and come back. Finished files are kept for one day.",
        nl: "Exports en imports lopen op de achtergrond: u kunt deze pagina verlaten en later terugkomen. Klaarstaande bestanden worden één dag bewaard."
    }
    JobsListTitle { en: "Jobs of your tenant", nl: "Taken van uw tenant" }
    JobsEmpty {
        en: "No exports or imports yet. Start an export from a user's page or the audit log, or import a file below.",
        nl: "Nog geen exports of imports. Start een export vanaf de pagina van een gebruiker of het auditlogboek, of importeer hieronder een bestand."
    }
    JobKindExportUserJson { en: "Personal data export (JSON)", nl: "Export van persoonsgegevens (JSON)" }
    JobKindExportUserCsv { en: "Personal data export (CSV)", nl: "Export van persoonsgegevens (CSV)" }
    JobKindExportAuditCsv { en: "Audit log export (CSV)", nl: "Export van het auditlogboek (CSV)" }
    JobKindImportDirectory { en: "Import of users and devices", nl: "Import van gebruikers en apparaten" }
    JobStateQueued { en: "Queued", nl: "In de wachtrij" }
    JobStateRunning { en: "Running", nl: "Bezig" }
    JobStateDone { en: "Done", nl: "Klaar" }
    JobStateFailed { en: "Failed", nl: "Mislukt" }
    JobStateCancelled { en: "Cancelled", nl: "Geannuleerd" }
    JobErrorServerStopped {
        en: "The server stopped while this job was running. Start it again.",
        nl: "De server stopte terwijl deze taak liep. Start de taak opnieuw."
    }
    JobErrorUserNotFound { en: "This user no longer exists.", nl: "Deze gebruiker bestaat niet meer." }
    JobErrorImportBatchFailed {
        en: "The database refused a batch of records and the import stopped. The batches saved before it are kept.",
        nl: "De database weigerde een reeks records en de import is gestopt. De reeksen die daarvoor zijn opgeslagen blijven bewaard."
    }
    JobErrorInternal {
        en: "Something went wrong on the server. Try again; if it keeps failing, give support the job number.",
        nl: "Er ging iets mis op de server. Probeer het opnieuw; blijft het mislukken, geef dan het taaknummer door aan support."
    }
    JobsUserMissing { en: "Choose a user to export.", nl: "Kies een gebruiker om te exporteren." }
    JobsKindInvalid { en: "Choose an export.", nl: "Kies een export." }
    JobsTooMany {
        en: "{count} jobs are already queued or running. Wait until one has finished.",
        nl: "Er staan al {count} taken in de wachtrij of lopen nog. Wacht tot er een klaar is."
    }
    JobsNumber { en: "Job {id}", nl: "Taak {id}" }
    JobsAbout { en: "about {name}", nl: "over {name}" }
    JobsState { en: "State", nl: "Status" }
    JobsStartedBy { en: "Started by", nl: "Gestart door" }
    JobsCreated { en: "Started at", nl: "Gestart op" }
    JobsFinished { en: "Finished at", nl: "Beëindigd op" }
    JobsProgressLabel { en: "Progress of job {id}", nl: "Voortgang van taak {id}" }
    JobsProgressSteps { en: "{done} of {total} steps ({percent}%)", nl: "{done} van {total} stappen ({percent}%)" }
    JobsProgressBytes { en: "{done} of {total} kB read ({percent}%)", nl: "{done} van {total} kB gelezen ({percent}%)" }
    JobsProgressWaiting { en: "Waiting for a free runner", nl: "Wacht op een vrije verwerker" }
    JobsDownload { en: "Download ({size} kB)", nl: "Downloaden ({size} kB)" }
    JobsOfJob { en: " of job {id}", nl: " van taak {id}" }
    JobsCancel { en: "Cancel", nl: "Annuleren" }
    JobsCancelled {
        en: "Cancelled. Whatever an import saved before that is kept.",
        nl: "Geannuleerd. Wat een import daarvoor al had opgeslagen blijft bewaard."
    }
    JobsImportCounts {
        en: "Records accepted: {accepted}. Lines refused: {rejected}.",
        nl: "Geaccepteerde records: {accepted}. Geweigerde regels: {rejected}."
    }
    JobsRejectionsTitle { en: "Refused lines", nl: "Geweigerde regels" }
    JobsRejectionsMore {
        en: "Only the first {count} refused lines are listed.",
        nl: "Alleen de eerste {count} geweigerde regels staan hier."
    }
    JobsColLine { en: "Line", nl: "Regel" }
    JobsColField { en: "Field", nl: "Veld" }
    JobsColReason { en: "Reason", nl: "Reden" }
    JobsImportTitle { en: "Import users and devices", nl: "Gebruikers en apparaten importeren" }
    JobsImportIntro {
        en: "A Microsoft Graph export as JSON Lines: one user or managedDevice object per line. Every field is checked; refused lines are listed with their line number, field and reason, and the good records are kept. Records are matched by id.",
        nl: "Een Microsoft Graph-export als JSON Lines: één user- of managedDevice-object per regel. Elk veld wordt gecontroleerd; geweigerde regels worden getoond met regelnummer, veld en reden, en de goede records worden bewaard. Records worden op id gekoppeld."
    }
    JobsImportFile { en: "File (JSON Lines, at most {size} MB)", nl: "Bestand (JSON Lines, hooguit {size} MB)" }
    JobsImportStart { en: "Start import", nl: "Import starten" }
    JobsImportEmpty { en: "Choose a file that is not empty.", nl: "Kies een bestand dat niet leeg is." }
    JobsImportTooLarge { en: "The file is larger than {size} MB.", nl: "Het bestand is groter dan {size} MB." }
    JobsImportUnreadable {
        en: "The upload could not be read. Choose the file again.",
        nl: "De upload kon niet worden gelezen. Kies het bestand opnieuw."
    }
    JobsExportJsonBackground { en: "Export JSON in the background", nl: "JSON op de achtergrond exporteren" }
    JobsExportCsvBackground { en: "Export CSV in the background", nl: "CSV op de achtergrond exporteren" }
    // issue 11: confirmations of background jobs
    ToastJobStarted { en: "Export started: follow it under Exports and imports.", nl: "Export gestart: volg deze onder Exports en imports." }
    ToastJobCancelled { en: "Job cancelled.", nl: "Taak geannuleerd." }
    // issue 11: import refusals
    ImportNotUtf8 { en: "The line is not UTF-8 text.", nl: "De regel is geen UTF-8-tekst." }
    ImportJsonCutOff {
        en: "The JSON ends early: the line is cut off.",
        nl: "De JSON houdt te vroeg op: de regel is afgebroken."
    }
    ImportJsonInvalid {
        en: "This is not valid JSON (column {column}).",
        nl: "Dit is geen geldige JSON (kolom {column})."
    }
    ImportJsonUnreadable {
        en: "The line could not be read as JSON.",
        nl: "De regel kon niet als JSON worden gelezen."
    }
    ImportNotAnObject { en: "The line is JSON but not an object.", nl: "De regel is JSON maar geen object." }
    ImportUnknownRecord {
        en: "Neither a user nor a managed device: no @odata.type, userPrincipalName or deviceName.",
        nl: "Geen gebruiker en geen beheerd apparaat: geen @odata.type, userPrincipalName of deviceName."
    }
    ImportUnsupportedType {
        en: "Only {user} and {device} records are imported.",
        nl: "Alleen records van het type {user} en {device} worden geïmporteerd."
    }
    ImportExpectedText { en: "Expected text, found {found}.", nl: "Verwacht: tekst. Gevonden: {found}." }
    ImportExpectedList { en: "Expected a list, found {found}.", nl: "Verwacht: een lijst. Gevonden: {found}." }
    ImportExpectedTextInList {
        en: "Expected text in the list, found {found}.",
        nl: "Verwacht: tekst in de lijst. Gevonden: {found}."
    }
    ImportJsonNull { en: "null", nl: "null" }
    ImportJsonBoolean { en: "true or false", nl: "true of false" }
    ImportJsonNumber { en: "a number", nl: "een getal" }
    ImportJsonText { en: "text", nl: "tekst" }
    ImportJsonList { en: "a list", nl: "een lijst" }
    ImportJsonObject { en: "an object", nl: "een object" }
    ImportDateOutOfRange {
        en: "The date is out of range.",
        nl: "De datum valt buiten het bereik dat kan worden opgeslagen."
    }
    ImportDuplicateId { en: "The same id is already on line {line}.", nl: "Hetzelfde id staat al op regel {line}." }
    ImportOtherTenant {
        en: "This id belongs to another tenant; records never move between tenants.",
        nl: "Dit id hoort bij een andere tenant; records gaan nooit over naar een andere tenant."
    }
    ImportUpnTaken {
        en: "Another user of this tenant already has this sign-in name.",
        nl: "Een andere gebruiker van deze tenant heeft deze aanmeldnaam al."
    }
    ImportUnknownPrimaryUser {
        en: "This is not a user of this tenant (in the database or earlier in the file).",
        nl: "Dit is geen gebruiker van deze tenant (in de database of eerder in het bestand)."
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn placeholders(text: &str) -> BTreeSet<String> {
        text.split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
            .collect()
    }

    #[test]
    fn every_key_has_a_non_empty_text_in_every_language() {
        for key in Key::ALL {
            for locale in Locale::ALL {
                assert!(
                    !key.text(locale).trim().is_empty(),
                    "{key:?} is empty in {locale:?}"
                );
            }
        }
    }

    #[test]
    fn both_languages_use_the_same_placeholders() {
        for key in Key::ALL {
            assert_eq!(
                placeholders(key.text(Locale::En)),
                placeholders(key.text(Locale::Nl)),
                "{key:?} has different placeholders in English and Dutch"
            );
        }
    }

    #[test]
    fn format_replaces_every_placeholder() {
        let text = Key::ErrInternal.format(Locale::En, &[("reference", "abc")]);
        assert!(text.ends_with("Reference: abc."), "{text}");
    }

    #[test]
    fn one_is_exactly_1_in_english_and_dutch() {
        for locale in Locale::ALL {
            assert_eq!(plural(locale, 1), Plural::One, "{locale:?}");
            for n in [0, 2, 3, 11, 21, 101, u64::MAX] {
                assert_eq!(plural(locale, n), Plural::Other, "{n} in {locale:?}");
            }
        }
        assert_eq!(
            plural(Locale::Nl, 1).choose(Key::RelDayAgo, Key::RelDaysAgo),
            Key::RelDayAgo
        );
        assert_eq!(
            plural(Locale::En, 0).choose(Key::RelDayAgo, Key::RelDaysAgo),
            Key::RelDaysAgo
        );
    }

    #[test]
    fn accept_language_picks_the_highest_quality_supported_language() {
        let cases = [
            ("nl-NL,nl;q=0.9,en;q=0.8", Some(Locale::Nl)),
            ("de-DE,de;q=0.9,en;q=0.5,nl;q=0.7", Some(Locale::Nl)),
            ("en-GB", Some(Locale::En)),
            ("fr, de", None),
            ("nl;q=0, en;q=0.1", Some(Locale::En)),
            ("", None),
            ("nl;q=garbage", None),
        ];
        for (header, expected) in cases {
            assert_eq!(Locale::from_accept_language(header), expected, "{header}");
        }
    }

    #[test]
    fn a_remembered_choice_wins_over_the_browser_language() {
        assert_eq!(
            Locale::negotiate(Some("a=b; portal_lang=nl"), Some("en")),
            Locale::Nl
        );
        assert_eq!(
            Locale::negotiate(Some("portal_lang=xx"), Some("nl")),
            Locale::Nl
        );
        assert_eq!(Locale::negotiate(None, None), Locale::En);
    }
}
