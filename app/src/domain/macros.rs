//! The shared shape of domain value types, written once so that every type behaves the same:
//! a private normalised string, `as_str`, `Display`, `FromStr`, and serde through the parser.

/// Declares a string-backed value type whose only constructor is its `parse` function (written
/// next to the declaration). `Debug` never prints the value: personal data must not reach a log
/// through `{:?}` (ordinary types print `<personal data>`, secrets `<redacted>`).
macro_rules! value_type {
    ($(#[$meta:meta])* $name:ident) => {
        value_type!(@define $(#[$meta])* $name);
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "(<personal data>)"))
            }
        }
    };
    (redacted $(#[$meta:meta])* $name:ident) => {
        value_type!(@define $(#[$meta])* $name);
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
    (@define $(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The normalised value.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The normalised value, giving up the type.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::error::ValueError;

            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                Self::parse(raw)
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::domain::error::ValueError;

            fn try_from(raw: String) -> Result<Self, Self::Error> {
                Self::parse(&raw)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = $crate::domain::error::ValueError;

            fn try_from(raw: &str) -> Result<Self, Self::Error> {
                Self::parse(raw)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    };
}

/// Declares a closed set of values with a stable snake_case name (`as_str`, also the serde
/// form), a human label from the translation catalogue, and a forgiving `parse` that ignores
/// case, spaces, dashes and underscores (so `inGracePeriod`, `in_grace_period` and
/// `In grace period` all parse) and accepts the listed aliases.
macro_rules! domain_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $text:literal $([$($alias:literal),+])? => $label:ident,
            )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[serde(rename = $text)]
                $variant,
            )+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable snake_case name, also used in storage and in the API.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The human label, to be translated with [`crate::i18n::Key::text`].
            pub fn label(self) -> $crate::i18n::Key {
                match self {
                    $($name::$variant => $crate::i18n::Key::$label,)+
                }
            }

            /// Parses a name, ignoring case, spaces, dashes and underscores.
            ///
            /// # Errors
            /// [`ValueError::Empty`](crate::domain::error::ValueError::Empty) for blank input,
            /// [`ValueError::UnknownValue`](crate::domain::error::ValueError::UnknownValue)
            /// for anything that is not one of the names or aliases.
            pub fn parse(raw: &str) -> Result<Self, $crate::domain::error::ValueError> {
                let key = $crate::domain::parse::enum_key($crate::domain::parse::non_empty(raw)?);
                $(
                    if key == $crate::domain::parse::enum_key($text)
                        $($(|| key == $crate::domain::parse::enum_key($alias))+)?
                    {
                        return Ok($name::$variant);
                    }
                )+
                Err($crate::domain::error::ValueError::UnknownValue)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::error::ValueError;

            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                Self::parse(raw)
            }
        }
    };
}
