//! Checks of Pinterest identifiers before they go into a URL path.

use crate::error::Error;

/// Pinterest ids are decimal strings of at most 18 digits (they fit an `i64`).
const MAX_ID_DIGITS: usize = 18;

/// Checks that `value` is a Pinterest id: 1 to 18 ASCII digits. Anything else would at best
/// get a 404, and at worst rewrite the request path (an id of `..` climbs a level).
pub(crate) fn check_id(name: &'static str, value: &str) -> Result<(), Error> {
    let reason = if value.is_empty() {
        "must not be empty".to_owned()
    } else if !value.bytes().all(|b| b.is_ascii_digit()) {
        format!("must contain only digits, got {value:?}")
    } else if value.len() > MAX_ID_DIGITS {
        format!(
            "must have at most {MAX_ID_DIGITS} digits, got {}",
            value.len()
        )
    } else {
        return Ok(());
    };
    Err(Error::InvalidArgument { name, reason })
}

/// Checks that a required text argument (a name, records) is not blank.
pub(crate) fn check_not_blank(name: &'static str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::InvalidArgument {
            name,
            reason: "must not be empty".to_owned(),
        });
    }
    Ok(())
}

/// Checks that a number lies in an inclusive range.
pub(crate) fn check_range(name: &'static str, value: i64, min: i64, max: i64) -> Result<(), Error> {
    if (min..=max).contains(&value) {
        return Ok(());
    }
    Err(Error::InvalidArgument {
        name,
        reason: format!("must be between {min} and {max}, got {value}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(result: Result<(), Error>) -> String {
        match result {
            Err(Error::InvalidArgument { reason, .. }) => reason,
            other => panic!("expected an invalid argument, got {other:?}"),
        }
    }

    #[test]
    fn ids_are_digit_strings_of_at_most_18_digits() {
        assert!(check_id("audience_id", "549755885175").is_ok());
        assert!(check_id("audience_id", "123456789012345678").is_ok());
        assert_eq!(reason(check_id("audience_id", "")), "must not be empty");
        assert_eq!(
            reason(check_id("audience_id", "..")),
            "must contain only digits, got \"..\""
        );
        assert_eq!(
            reason(check_id("audience_id", "12/34")),
            "must contain only digits, got \"12/34\""
        );
        assert_eq!(
            reason(check_id("audience_id", " 12")),
            "must contain only digits, got \" 12\""
        );
        assert_eq!(
            reason(check_id("audience_id", "١٢")),
            "must contain only digits, got \"١٢\""
        );
        assert_eq!(
            reason(check_id("audience_id", "1234567890123456789")),
            "must have at most 18 digits, got 19"
        );
    }

    #[test]
    fn ranges_are_inclusive() {
        assert!(check_range("page_size", 1, 1, 250).is_ok());
        assert!(check_range("page_size", 250, 1, 250).is_ok());
        assert_eq!(
            reason(check_range("page_size", 0, 1, 250)),
            "must be between 1 and 250, got 0"
        );
        assert_eq!(
            reason(check_range("page_size", 251, 1, 250)),
            "must be between 1 and 250, got 251"
        );
    }

    #[test]
    fn blank_text_is_rejected() {
        assert!(check_not_blank("name", "Subscribers").is_ok());
        assert_eq!(reason(check_not_blank("name", "  ")), "must not be empty");
    }
}
