//! Customer-list records: Pinterest takes them as one comma-separated string.

use crate::error::Error;

/// The records of a customer list (emails, MAIDs...), sent as one comma-separated string.
///
/// Made from a single string (sent unchanged), or from any list or iterator of strings
/// (joined with commas). Emails must be lowercase; they may be plain or SHA-256, SHA-1 or MD5
/// hex digests. MAIDs and IDFAs must be hashed.
///
/// ```
/// use pinterest::Records;
///
/// assert_eq!(Records::from("a@example.com,b@example.com").as_str(), "a@example.com,b@example.com");
/// assert_eq!(Records::from(["a@example.com", "b@example.com"]).as_str(), "a@example.com,b@example.com");
/// let hashed: Records = ["x", "y"].iter().map(|e| e.to_string()).collect();
/// assert_eq!(hashed.as_str(), "x,y");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Records {
    joined: String,
    /// A record that would be split by the comma joining, found when joining a list.
    comma_in_record: bool,
}

impl Records {
    /// The string sent to Pinterest.
    pub fn as_str(&self) -> &str {
        &self.joined
    }

    /// Checks the records before a request is sent.
    pub(crate) fn check(&self) -> Result<(), Error> {
        let reason = if self.comma_in_record {
            "a record contains a comma, which would split it in two"
        } else if self.joined.split(',').all(|r| r.trim().is_empty()) {
            "must hold at least one record"
        } else {
            return Ok(());
        };
        Err(Error::InvalidArgument {
            name: "records",
            reason: reason.to_owned(),
        })
    }
}

impl From<&str> for Records {
    fn from(joined: &str) -> Self {
        Records {
            joined: joined.to_owned(),
            comma_in_record: false,
        }
    }
}

impl From<String> for Records {
    fn from(joined: String) -> Self {
        Records {
            joined,
            comma_in_record: false,
        }
    }
}

impl<S: AsRef<str>> FromIterator<S> for Records {
    fn from_iter<I: IntoIterator<Item = S>>(records: I) -> Self {
        let mut joined = String::new();
        let mut comma_in_record = false;
        for (i, record) in records.into_iter().enumerate() {
            let record = record.as_ref();
            comma_in_record |= record.contains(',');
            if i > 0 {
                joined.push(',');
            }
            joined.push_str(record);
        }
        Records {
            joined,
            comma_in_record,
        }
    }
}

impl<S: AsRef<str>> From<Vec<S>> for Records {
    fn from(records: Vec<S>) -> Self {
        records.into_iter().collect()
    }
}

impl<S: AsRef<str>> From<&[S]> for Records {
    fn from(records: &[S]) -> Self {
        records.iter().collect()
    }
}

impl<S: AsRef<str>, const N: usize> From<[S; N]> for Records {
    fn from(records: [S; N]) -> Self {
        records.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_joined_with_commas_and_strings_sent_unchanged() {
        assert_eq!(
            Records::from(vec!["a@x.io", "b@x.io", "c@x.io"]).as_str(),
            "a@x.io,b@x.io,c@x.io"
        );
        assert_eq!(Records::from("a@x.io, b@x.io").as_str(), "a@x.io, b@x.io");
        assert!(Records::from(["only@x.io"]).check().is_ok());
    }

    #[test]
    fn empty_records_and_commas_inside_a_record_are_rejected() {
        let reason = |r: Records| match r.check() {
            Err(Error::InvalidArgument {
                name: "records",
                reason,
            }) => reason,
            other => panic!("{other:?}"),
        };
        assert_eq!(reason(Records::from("")), "must hold at least one record");
        assert_eq!(
            reason(Records::from(Vec::<String>::new())),
            "must hold at least one record"
        );
        assert_eq!(
            reason(Records::from(["a,b", "c"])),
            "a record contains a comma, which would split it in two"
        );
    }
}
