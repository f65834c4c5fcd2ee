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
                    (name == LOCALE_COOKIE).then(|| Locale::from_tag(value)).flatten()
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
                assert!(!key.text(locale).trim().is_empty(), "{key:?} is empty in {locale:?}");
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
        assert_eq!(Locale::negotiate(Some("portal_lang=xx"), Some("nl")), Locale::Nl);
        assert_eq!(Locale::negotiate(None, None), Locale::En);
    }
}
