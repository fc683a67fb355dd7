//! OAuth scopes. Pinterest writes them comma-separated, in the authorization URL and in token
//! requests and responses alike.

use std::fmt;

macro_rules! scopes {
    ($($variant:ident = $value:literal,)+) => {
        /// An OAuth scope. Scopes this version does not name yet are written with
        /// [`Scope::Other`] (or parsed from a string: `"ads:read".parse()`).
        ///
        /// ```
        /// use pinterest::Scope;
        ///
        /// assert_eq!(Scope::AdsRead.as_str(), "ads:read");
        /// assert_eq!("ads:write".parse::<Scope>(), Ok(Scope::AdsWrite));
        /// assert_eq!(Scope::from("new:scope"), Scope::Other("new:scope".into()));
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Scope {
            $(
                #[doc = concat!("`", $value, "`")]
                $variant,
            )+
            /// A scope this version of the SDK does not name.
            Other(String),
        }

        impl Scope {
            /// The scope as Pinterest writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Scope::$variant => $value,)+
                    Scope::Other(other) => other,
                }
            }
        }

        impl From<&str> for Scope {
            fn from(value: &str) -> Scope {
                match value {
                    $($value => Scope::$variant,)+
                    other => Scope::Other(other.to_owned()),
                }
            }
        }
    };
}

scopes! {
    AdsRead = "ads:read",
    AdsWrite = "ads:write",
    BillingRead = "billing:read",
    BillingWrite = "billing:write",
    BizAccessRead = "biz_access:read",
    BizAccessWrite = "biz_access:write",
    BoardsRead = "boards:read",
    BoardsReadSecret = "boards:read_secret",
    BoardsWrite = "boards:write",
    BoardsWriteSecret = "boards:write_secret",
    CatalogsRead = "catalogs:read",
    CatalogsWrite = "catalogs:write",
    PinsRead = "pins:read",
    PinsReadSecret = "pins:read_secret",
    PinsWrite = "pins:write",
    PinsWriteSecret = "pins:write_secret",
    UserAccountsRead = "user_accounts:read",
    UserAccountsWrite = "user_accounts:write",
}

impl Scope {
    /// Joins scopes the way Pinterest expects them: `ads:read,ads:write`.
    pub fn join<'a>(scopes: impl IntoIterator<Item = &'a Scope>) -> String {
        scopes
            .into_iter()
            .map(Scope::as_str)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Splits a scope list; accepts commas and spaces (some answers use either).
    pub(crate) fn parse_list(text: &str) -> Vec<Scope> {
        text.split([',', ' '])
            .filter(|s| !s.is_empty())
            .map(Scope::from)
            .collect()
    }
}

impl From<String> for Scope {
    fn from(value: String) -> Scope {
        Scope::from(value.as_str())
    }
}

impl std::str::FromStr for Scope {
    type Err = std::convert::Infallible;
    fn from_str(value: &str) -> Result<Scope, Self::Err> {
        Ok(Scope::from(value))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_round_trip() {
        let scopes = Scope::parse_list("ads:read,ads:write user_accounts:read,brand:new");
        assert_eq!(
            scopes,
            vec![
                Scope::AdsRead,
                Scope::AdsWrite,
                Scope::UserAccountsRead,
                Scope::Other("brand:new".into())
            ]
        );
        assert_eq!(
            Scope::join(&scopes),
            "ads:read,ads:write,user_accounts:read,brand:new"
        );
        assert!(Scope::parse_list("").is_empty());
    }
}
