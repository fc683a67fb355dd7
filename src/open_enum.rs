//! Enums that keep values they do not know.
//!
//! Pinterest marks parts of the API as beta and adds enum values without notice. A closed enum
//! would fail the whole response on a new value; an open enum decodes it as `Unknown(value)`
//! and sends it back unchanged. The build script invokes [`open_enum!`](crate::open_enum) for
//! every enum a response can carry.

/// Defines an open string enum: one variant per known wire value plus `Unknown(String)`.
///
/// The generated type serializes as its wire string, parses from any string
/// (`"NEW".parse()` gives `Unknown("NEW")`) and displays as its wire string.
#[doc(hidden)]
#[macro_export]
macro_rules! open_enum {
    ($name:ident { $($variant:ident = $value:literal,)+ }) => {
        #[doc = concat!("Open enum `", stringify!($name), "`: one of ", $("`", $value, "` ",)+ "or a value Pinterest added later (`Unknown`).")]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $(
                #[doc = concat!("`", $value, "`")]
                $variant,
            )+
            /// A value this version of the SDK does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// Every value known to this version of the SDK.
            pub const KNOWN: &'static [&'static str] = &[$($value),+];

            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)+
                    Self::Unknown(other) => other,
                }
            }

            /// Whether this is a value this version of the SDK does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($value => Self::$variant,)+
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<String> for $name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    $($value => Self::$variant,)+
                    _ => Self::Unknown(value),
                }
            }
        }

        impl ::std::convert::From<&String> for $name {
            fn from(value: &String) -> Self {
                Self::from(value.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                Ok(Self::from(<String as ::serde::Deserialize>::deserialize(deserializer)?))
            }
        }

        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                // Open: any string is accepted; the known values are listed as examples.
                ::schemars::json_schema!({ "type": "string", "examples": [$($value),+] })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::open_enum! {
        State {
            NotStarted = "NOT_STARTED",
            Succeeded = "SUCCEEDED",
        }
    }

    #[test]
    fn known_values_round_trip() {
        let state: State = serde_json::from_str("\"NOT_STARTED\"").unwrap();
        assert_eq!(state, State::NotStarted);
        assert_eq!(serde_json::to_string(&state).unwrap(), "\"NOT_STARTED\"");
        assert_eq!(State::KNOWN, &["NOT_STARTED", "SUCCEEDED"]);
    }

    #[test]
    fn unknown_values_are_kept_and_sent_back_unchanged() {
        let state: State = serde_json::from_str("\"ARCHIVED\"").unwrap();
        assert_eq!(state, State::Unknown("ARCHIVED".into()));
        assert!(state.is_unknown());
        assert_eq!(state.to_string(), "ARCHIVED");
        assert_eq!(serde_json::to_string(&state).unwrap(), "\"ARCHIVED\"");
        assert_eq!("SUCCEEDED".parse::<State>(), Ok(State::Succeeded));
    }

    #[test]
    fn non_strings_are_rejected() {
        assert!(serde_json::from_str::<State>("3").is_err());
    }
}
