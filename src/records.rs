//! Customer-list records: Pinterest takes them as one comma-separated string.

use std::collections::{BTreeSet, HashSet};
use std::hash::BuildHasher;

use crate::error::Error;

/// The records of a customer list (emails, MAIDs...), sent as one comma-separated string.
///
/// Made from a single string (`&str`, `String`: sent unchanged), or from a list of strings
/// (joined with commas): an array, a slice, a `Vec` or `&Vec`, a `BTreeSet` or `HashSet` (owned
/// or borrowed), of any string type (`&str`, `String`, anything `AsRef<str>`). A `HashSet` is
/// joined in its own, unspecified order. Any other iterator of strings becomes `Records` with
/// `.collect::<Records>()`. Emails must be lowercase; they may be plain or SHA-256, SHA-1 or MD5
/// hex digests. MAIDs and IDFAs must be hashed.
///
/// Before a list is sent, each record must be non-blank and free of commas; a single string
/// is sent as it is.
///
/// ```
/// use pinterest::Records;
/// use std::collections::BTreeSet;
///
/// assert_eq!(Records::from("a@example.com,b@example.com").as_str(), "a@example.com,b@example.com");
/// assert_eq!(Records::from(["a@example.com", "b@example.com"]).as_str(), "a@example.com,b@example.com");
///
/// let emails: Vec<String> = vec!["a@example.com".into(), "b@example.com".into()];
/// assert_eq!(Records::from(&emails).as_str(), "a@example.com,b@example.com"); // `emails` is kept
///
/// let sorted: BTreeSet<&str> = ["b@example.com", "a@example.com"].into();
/// assert_eq!(Records::from(sorted).as_str(), "a@example.com,b@example.com");
///
/// // Any other iterator of strings: collect it.
/// let hashed: Records = ["x", "y"].iter().map(|e| e.to_uppercase()).collect();
/// assert_eq!(hashed.as_str(), "X,Y");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Records {
    joined: String,
    /// A record that would be split by the comma joining, found when joining a list.
    comma_in_record: bool,
    /// A blank record, found when joining a list.
    blank_record: bool,
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
        } else if self.blank_record {
            "a record is empty"
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
        Records::from(joined.to_owned())
    }
}

impl From<String> for Records {
    fn from(joined: String) -> Self {
        Records {
            joined,
            comma_in_record: false,
            blank_record: false,
        }
    }
}

impl<S: AsRef<str>> FromIterator<S> for Records {
    fn from_iter<I: IntoIterator<Item = S>>(records: I) -> Self {
        let mut joined = String::new();
        let mut comma_in_record = false;
        let mut blank_record = false;
        for (i, record) in records.into_iter().enumerate() {
            let record = record.as_ref();
            comma_in_record |= record.contains(',');
            blank_record |= record.trim().is_empty();
            if i > 0 {
                joined.push(',');
            }
            joined.push_str(record);
        }
        Records {
            joined,
            comma_in_record,
            blank_record,
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

impl<S: AsRef<str>> From<&Vec<S>> for Records {
    fn from(records: &Vec<S>) -> Self {
        records.iter().collect()
    }
}

impl<S: AsRef<str>> From<BTreeSet<S>> for Records {
    fn from(records: BTreeSet<S>) -> Self {
        records.into_iter().collect()
    }
}

impl<S: AsRef<str>> From<&BTreeSet<S>> for Records {
    fn from(records: &BTreeSet<S>) -> Self {
        records.iter().collect()
    }
}

impl<S: AsRef<str>, H: BuildHasher> From<HashSet<S, H>> for Records {
    fn from(records: HashSet<S, H>) -> Self {
        records.into_iter().collect()
    }
}

impl<S: AsRef<str>, H: BuildHasher> From<&HashSet<S, H>> for Records {
    fn from(records: &HashSet<S, H>) -> Self {
        records.iter().collect()
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

    #[test]
    fn a_blank_record_in_a_list_is_rejected_but_a_string_is_sent_as_it_is() {
        let reason = |r: Records| match r.check() {
            Err(Error::InvalidArgument {
                name: "records",
                reason,
            }) => reason,
            other => panic!("{other:?}"),
        };
        for list in [
            Records::from(["a", ""]),
            Records::from(["", "a"]),
            Records::from(vec!["a", "  ", "b"]),
            Records::from(&vec!["a".to_owned(), String::new()]),
        ] {
            assert_eq!(reason(list), "a record is empty");
        }
        assert_eq!(Records::from(["a", ""]).as_str(), "a,");
        // Only blanks: there is no record at all.
        assert_eq!(
            reason(Records::from(["", " "])),
            "must hold at least one record"
        );
        // A single string is the caller's own joined list: sent unchanged.
        let joined = Records::from("a,");
        assert!(joined.check().is_ok());
        assert_eq!(joined.as_str(), "a,");
        assert!(Records::from(String::from("a, ,b")).check().is_ok());
    }

    #[test]
    fn vecs_and_sets_owned_or_borrowed_are_joined() {
        let owned: Vec<String> = vec!["b@x.io".into(), "a@x.io".into()];
        let records = Records::from(&owned);
        assert_eq!(records.as_str(), "b@x.io,a@x.io");
        assert!(records.check().is_ok());
        assert_eq!(owned.len(), 2, "the Vec is only borrowed");

        let sorted: BTreeSet<String> = owned.iter().cloned().collect();
        assert_eq!(Records::from(&sorted).as_str(), "a@x.io,b@x.io");
        assert_eq!(Records::from(sorted).as_str(), "a@x.io,b@x.io");
        let sorted_str: BTreeSet<&str> = ["z", "y"].into();
        assert_eq!(Records::from(sorted_str).as_str(), "y,z");

        let one: HashSet<String> = HashSet::from(["only@x.io".to_owned()]);
        assert_eq!(Records::from(&one).as_str(), "only@x.io");
        assert_eq!(Records::from(one).as_str(), "only@x.io");
        let two: HashSet<&str> = HashSet::from(["a@x.io", "b@x.io"]);
        let joined = Records::from(&two);
        let mut parts: Vec<&str> = joined.as_str().split(',').collect();
        parts.sort_unstable();
        assert_eq!(parts, ["a@x.io", "b@x.io"]);
        assert!(Records::from(HashSet::<String>::new()).check().is_err());

        let set_with_comma: BTreeSet<&str> = ["a,b"].into();
        assert!(Records::from(set_with_comma).check().is_err());

        // Any other iterator of strings: collect it.
        let collected: Records = (1..=3).map(|n| format!("u{n}@x.io")).collect();
        assert_eq!(collected.as_str(), "u1@x.io,u2@x.io,u3@x.io");
    }
}
