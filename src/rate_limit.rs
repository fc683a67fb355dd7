//! Rate-limit and pacing headers sent by Pinterest.
//!
//! Every Pinterest response carries the `X-RateLimit-*` headers; [`RateLimit`]
//! is their parsed form. [`retry_after`] reads the standard `Retry-After`
//! header. Both parsers are lenient: a proxy or a future API change must never
//! turn a successful call (or a useful API error) into a parse failure, so
//! garbage simply reads as "unknown".

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};

const LIMIT: &str = "x-ratelimit-limit";
const REMAINING: &str = "x-ratelimit-remaining";
const RESET: &str = "x-ratelimit-reset";

/// One quota policy from `X-RateLimit-Limit`, such as `1000;w=60`
/// (1000 requests per 60-second window).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RateLimitPolicy {
    limit: u64,
    window: Option<Duration>,
}

impl RateLimitPolicy {
    /// Creates a policy allowing `limit` requests per `window`.
    pub fn new(limit: u64, window: Option<Duration>) -> Self {
        Self { limit, window }
    }

    /// Number of requests allowed in one window.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Length of the window (the `w` parameter), if the server sent one.
    pub fn window(&self) -> Option<Duration> {
        self.window
    }
}

/// The rate-limit state Pinterest reported on a response.
///
/// Parsed from `X-RateLimit-Limit` (e.g. `100, 100;w=1, 1000;w=60`: the
/// current limit, then `limit;w=window_seconds` policies),
/// `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds until the window
/// resets; around 67,000 s once a daily quota is used up). Every field is
/// `None` (or empty) when its header is missing or unreadable.
///
/// ```
/// use pinterest::RateLimit;
/// use reqwest::header::{HeaderMap, HeaderValue};
/// use std::time::Duration;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("x-ratelimit-limit", HeaderValue::from_static("100, 100;w=1, 1000;w=60"));
/// headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
/// headers.insert("x-ratelimit-reset", HeaderValue::from_static("42"));
///
/// let rl = RateLimit::from_headers(&headers);
/// assert_eq!(rl.limit(), Some(100));
/// assert_eq!(rl.policies()[1].window(), Some(Duration::from_secs(60)));
/// assert!(rl.is_exhausted());
/// assert_eq!(rl.reset(), Some(Duration::from_secs(42)));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RateLimit {
    limit: Option<u64>,
    policies: Vec<RateLimitPolicy>,
    remaining: Option<u64>,
    reset: Option<Duration>,
}

impl RateLimit {
    /// Reads the `X-RateLimit-*` headers. Never fails: a missing or malformed
    /// header gives `None`, and malformed policy entries are skipped.
    pub fn from_headers(headers: &HeaderMap) -> RateLimit {
        let mut limit = None;
        let mut policies = Vec::new();
        // Repeated header lines are one comma-separated list (RFC 9110 §5.3).
        let items = headers
            .get_all(LIMIT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|item| !item.is_empty());
        for (i, item) in items.enumerate() {
            let parsed = parse_policy(item);
            if i == 0 {
                // The first item is the current limit; it is also a policy
                // only when it carries a window.
                limit = item.split(';').next().and_then(parse_u64);
                if let Some(p) = parsed.filter(|p| p.window.is_some()) {
                    policies.push(p);
                }
            } else if let Some(p) = parsed {
                policies.push(p);
            }
        }
        RateLimit {
            limit,
            policies,
            remaining: header_str(headers, REMAINING).and_then(parse_u64),
            reset: header_str(headers, RESET)
                .and_then(parse_u64)
                .map(Duration::from_secs),
        }
    }

    /// The current request limit (first number of `X-RateLimit-Limit`).
    pub fn limit(&self) -> Option<u64> {
        self.limit
    }

    /// The quota policies listed after the current limit, in header order.
    pub fn policies(&self) -> &[RateLimitPolicy] {
        &self.policies
    }

    /// Requests left in the current window (`X-RateLimit-Remaining`).
    pub fn remaining(&self) -> Option<u64> {
        self.remaining
    }

    /// Time until the window resets (`X-RateLimit-Reset`).
    pub fn reset(&self) -> Option<Duration> {
        self.reset
    }

    /// True when the server said no requests are left in this window.
    pub fn is_exhausted(&self) -> bool {
        self.remaining == Some(0)
    }
}

/// How long the `Retry-After` header asks the client to wait.
///
/// Accepts delta-seconds (`Retry-After: 30`) and an IMF-fixdate HTTP date
/// (`Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`). A date is measured
/// against the response's own `Date` header when it has a valid one (this
/// cancels any clock skew between us and the server), otherwise against
/// `now`; a date in the past means "retry now" ([`Duration::ZERO`]).
/// Returns `None` when the header is absent or unreadable (including the
/// obsolete RFC 850 and asctime date formats, which no current server sends).
///
/// ```
/// use pinterest::rate_limit::retry_after;
/// use reqwest::header::{HeaderMap, HeaderValue};
/// use std::time::{Duration, SystemTime};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("retry-after", HeaderValue::from_static("30"));
/// assert_eq!(retry_after(&headers, SystemTime::now()), Some(Duration::from_secs(30)));
/// ```
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    retry_after_from(headers, Some(now))
}

/// [`retry_after`] with an optional clock: with `now == None` an HTTP date is
/// only usable against the response's `Date` header, which keeps callers
/// such as the retry policy free of clock reads.
pub(crate) fn retry_after_from(headers: &HeaderMap, now: Option<SystemTime>) -> Option<Duration> {
    let value = header_str(headers, header::RETRY_AFTER.as_str())?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse().ok().map(Duration::from_secs);
    }
    let at = parse_http_date(value)?;
    let reference = header_str(headers, header::DATE.as_str())
        .and_then(parse_http_date)
        .or(now)?;
    Some(at.duration_since(reference).unwrap_or(Duration::ZERO))
}

/// The wait the server asked for on an error response: `Retry-After` when
/// present, else `X-RateLimit-Reset` when the response says the quota is
/// used up (a 429, or a 503 with `X-RateLimit-Remaining: 0`).
///
/// `X-RateLimit-Reset` is on every response, so on an ordinary 503 it only
/// says when the window rolls over (up to a day away), not when the service
/// will be back; using it there would turn a blip into a day-long wait.
pub(crate) fn requested_wait(
    status: StatusCode,
    headers: &HeaderMap,
    now: Option<SystemTime>,
) -> Option<Duration> {
    if let Some(wait) = retry_after_from(headers, now) {
        return Some(wait);
    }
    let quota_gone = status == StatusCode::TOO_MANY_REQUESTS
        || (status == StatusCode::SERVICE_UNAVAILABLE
            && header_str(headers, REMAINING).and_then(parse_u64) == Some(0));
    if quota_gone {
        header_str(headers, RESET)
            .and_then(parse_u64)
            .map(Duration::from_secs)
    } else {
        None
    }
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name)?.to_str().ok()
}

fn parse_u64(s: &str) -> Option<u64> {
    let s = s.trim();
    // `u64::from_str` accepts a leading '+', which no server means.
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses `limit` or `limit;w=seconds[;other=params]`. A `w` that is present
/// but unreadable drops the entry rather than inventing an unbounded window.
fn parse_policy(item: &str) -> Option<RateLimitPolicy> {
    let mut parts = item.split(';');
    let limit = parse_u64(parts.next()?)?;
    let mut window = None;
    for param in parts {
        let Some((key, value)) = param.split_once('=') else {
            continue;
        };
        if key.trim().eq_ignore_ascii_case("w") {
            let secs = parse_u64(value.trim().trim_matches('"'))?;
            window = Some(Duration::from_secs(secs));
        }
    }
    Some(RateLimitPolicy { limit, window })
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 §5.6.7),
/// the only HTTP date format servers are allowed to generate.
fn parse_http_date(s: &str) -> Option<SystemTime> {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let s = s.trim();
    // Fixed layout: "Sun, 06 Nov 1994 08:49:37 GMT" is always 29 ASCII bytes,
    // so byte offsets are also char boundaries.
    if s.len() != 29 || !s.is_ascii() {
        return None;
    }
    let b = s.as_bytes();
    let separators_ok = b[3] == b','
        && [4, 7, 11, 16, 25].iter().all(|&i| b[i] == b' ')
        && b[19] == b':'
        && b[22] == b':'
        && &s[26..] == "GMT";
    if !separators_ok || !DAYS.contains(&&s[0..3]) {
        return None;
    }
    let month = MONTHS.iter().position(|m| *m == &s[8..11])? as u64 + 1;
    let day = digits(&s[5..7])?;
    let year = digits(&s[12..16])?;
    let (hour, minute, second) = (
        digits(&s[17..19])?,
        digits(&s[20..22])?,
        digits(&s[23..25])?,
    );
    // Second 60 is a leap second, which the format allows.
    if year < 1970 || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_since_epoch(year, month, day);
    let secs = days * 86_400 + hour * 3_600 + minute * 60 + second;
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

fn digits(s: &str) -> Option<u64> {
    if s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

fn is_leap(year: u64) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given date (year >= 1970), using the
/// March-based civil calendar trick so leap days fall at the year's end.
fn days_since_epoch(year: u64, month: u64, day: u64) -> u64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let year_of_era = y % 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719_468 days separate 0000-03-01 from 1970-01-01.
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    /// Header name/value pairs of one table row.
    type Pairs = &'static [(&'static str, &'static str)];

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    fn policy(limit: u64, window: Option<u64>) -> RateLimitPolicy {
        RateLimitPolicy::new(limit, window.map(secs))
    }

    fn at(unix: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + secs(unix)
    }

    #[test]
    fn parses_pinterest_headers() {
        let rl = RateLimit::from_headers(&headers(&[
            ("X-RateLimit-Limit", "100, 100;w=1, 1000;w=60"),
            ("X-RateLimit-Remaining", "97"),
            ("X-RateLimit-Reset", "67000"),
        ]));
        assert_eq!(rl.limit(), Some(100));
        assert_eq!(
            rl.policies(),
            &[policy(100, Some(1)), policy(1000, Some(60))]
        );
        assert_eq!(rl.remaining(), Some(97));
        assert_eq!(rl.reset(), Some(secs(67_000)));
        assert!(!rl.is_exhausted());
    }

    #[test]
    fn missing_headers_give_default() {
        assert_eq!(
            RateLimit::from_headers(&HeaderMap::new()),
            RateLimit::default()
        );
        let rl = RateLimit::default();
        assert_eq!((rl.limit(), rl.remaining(), rl.reset()), (None, None, None));
        assert!(rl.policies().is_empty());
        assert!(!rl.is_exhausted());
    }

    #[test]
    fn limit_header_variants() {
        let cases: &[(&str, Option<u64>, Vec<RateLimitPolicy>)] = &[
            ("100", Some(100), vec![]),
            (" 100 ", Some(100), vec![]),
            // A windowed first item is both the limit and a policy.
            ("100;w=60", Some(100), vec![policy(100, Some(60))]),
            ("10, 20", Some(10), vec![policy(20, None)]),
            ("10, 20;w=\"5\"", Some(10), vec![policy(20, Some(5))]),
            ("10, 20;W=5", Some(10), vec![policy(20, Some(5))]),
            ("10, 20;burst=9;w=5", Some(10), vec![policy(20, Some(5))]),
            ("10, 20;comment", Some(10), vec![policy(20, None)]),
            // Garbage entries are skipped; good ones survive.
            (
                "abc, 10;w=x, 20;w=5, ;w=3, -4, 30, +7",
                None,
                vec![policy(20, Some(5)), policy(30, None)],
            ),
            ("10,,20;w=1,", Some(10), vec![policy(20, Some(1))]),
            ("", None, vec![]),
            ("18446744073709551616", None, vec![]),
        ];
        for (value, limit, policies) in cases {
            let mut map = HeaderMap::new();
            map.insert(LIMIT, HeaderValue::from_str(value).unwrap());
            let rl = RateLimit::from_headers(&map);
            assert_eq!(rl.limit(), *limit, "limit of {value:?}");
            assert_eq!(rl.policies(), policies.as_slice(), "policies of {value:?}");
        }
    }

    #[test]
    fn repeated_limit_lines_form_one_list() {
        let rl = RateLimit::from_headers(&headers(&[
            ("x-ratelimit-limit", "100"),
            ("x-ratelimit-limit", "1000;w=60"),
        ]));
        assert_eq!(rl.limit(), Some(100));
        assert_eq!(rl.policies(), &[policy(1000, Some(60))]);
    }

    #[test]
    fn remaining_and_reset_are_lenient() {
        let cases: &[(&str, Option<u64>)] = &[
            ("0", Some(0)),
            (" 42 ", Some(42)),
            ("-1", None),
            ("+3", None),
            ("1.5", None),
            ("many", None),
            ("", None),
        ];
        for (value, expected) in cases {
            let mut map = HeaderMap::new();
            map.insert(REMAINING, HeaderValue::from_str(value).unwrap());
            map.insert(RESET, HeaderValue::from_str(value).unwrap());
            let rl = RateLimit::from_headers(&map);
            assert_eq!(rl.remaining(), *expected, "remaining {value:?}");
            assert_eq!(rl.reset(), expected.map(secs), "reset {value:?}");
        }
        let rl = RateLimit::from_headers(&headers(&[("x-ratelimit-remaining", "0")]));
        assert!(rl.is_exhausted());
    }

    #[test]
    fn non_utf8_values_read_as_missing() {
        let mut map = HeaderMap::new();
        let bad = HeaderValue::from_bytes(b"10\xff").unwrap();
        for name in [LIMIT, REMAINING, RESET, "retry-after"] {
            map.insert(name, bad.clone());
        }
        assert_eq!(RateLimit::from_headers(&map), RateLimit::default());
        assert_eq!(retry_after(&map, at(0)), None);
    }

    #[test]
    fn parses_imf_fixdate() {
        let cases: &[(&str, Option<u64>)] = &[
            ("Thu, 01 Jan 1970 00:00:00 GMT", Some(0)),
            ("Sun, 06 Nov 1994 08:49:37 GMT", Some(784_111_777)),
            ("Wed, 21 Oct 2015 07:28:00 GMT", Some(1_445_412_480)),
            ("Tue, 29 Feb 2000 12:00:00 GMT", Some(951_825_600)),
            ("Fri, 31 Dec 2038 23:59:59 GMT", Some(2_177_452_799)),
            ("Mon, 01 Mar 2100 00:00:00 GMT", Some(4_107_542_400)),
            (" Sun, 06 Nov 1994 08:49:37 GMT ", Some(784_111_777)),
            // Invalid calendar dates and times.
            ("Mon, 29 Feb 2100 00:00:00 GMT", None),
            ("Sat, 31 Apr 2015 00:00:00 GMT", None),
            ("Sat, 00 Apr 2015 00:00:00 GMT", None),
            ("Sun, 06 Nov 1994 24:00:00 GMT", None),
            ("Sun, 06 Nov 1994 08:60:00 GMT", None),
            ("Wed, 31 Dec 1969 23:59:59 GMT", None),
            // Wrong shapes, obsolete formats, other zones.
            ("Sun, 06 Nov 1994 08:49:37 UTC", None),
            ("Sun, 06 Nov 1994 08:49:37 gmt", None),
            ("Xyz, 06 Nov 1994 08:49:37 GMT", None),
            ("Sun, 06 Foo 1994 08:49:37 GMT", None),
            ("Sun, 6 Nov 1994 08:49:37 GMT", None),
            ("Sun, 06 Nov 1994 08:49:3x GMT", None),
            ("Sun, 06 Nov 1994 08-49-37 GMT", None),
            ("Sunday, 06-Nov-94 08:49:37 GMT", None),
            ("Sun Nov  6 08:49:37 1994", None),
            ("Sun, 06 Nov 1994 08:49:37 GMTé", None),
            ("", None),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_http_date(input), expected.map(at), "{input:?}");
        }
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = at(1_445_412_480); // Wed, 21 Oct 2015 07:28:00 GMT
        let cases: &[(Pairs, Option<u64>)] = &[
            (&[("retry-after", "120")], Some(120)),
            (&[("retry-after", " 0 ")], Some(0)),
            (&[("retry-after", "-5")], None),
            (&[("retry-after", "+5")], None),
            (&[("retry-after", "1.5")], None),
            (&[("retry-after", "99999999999999999999")], None),
            (&[("retry-after", "soon")], None),
            (&[("retry-after", "")], None),
            (&[], None),
            // A date is measured against `now` when there is no Date header.
            (
                &[("retry-after", "Wed, 21 Oct 2015 07:28:30 GMT")],
                Some(30),
            ),
            // A date in the past means retry now.
            (&[("retry-after", "Wed, 21 Oct 2015 07:27:00 GMT")], Some(0)),
            // The response's Date header wins over our (skewed) clock.
            (
                &[
                    ("retry-after", "Wed, 21 Oct 2015 07:30:00 GMT"),
                    ("date", "Wed, 21 Oct 2015 07:29:00 GMT"),
                ],
                Some(60),
            ),
            // An unreadable Date header falls back to `now`.
            (
                &[
                    ("retry-after", "Wed, 21 Oct 2015 07:30:00 GMT"),
                    ("date", "yesterday"),
                ],
                Some(120),
            ),
            (&[("retry-after", "Sunday, 06-Nov-94 08:49:37 GMT")], None),
        ];
        for (pairs, expected) in cases {
            let mut map = HeaderMap::new();
            for (name, value) in *pairs {
                map.insert(*name, HeaderValue::from_str(value).unwrap());
            }
            assert_eq!(retry_after(&map, now), expected.map(secs), "{pairs:?}");
        }
    }

    #[test]
    fn without_a_clock_a_date_needs_the_date_header() {
        let only_date = headers(&[("retry-after", "Wed, 21 Oct 2015 07:28:30 GMT")]);
        assert_eq!(retry_after_from(&only_date, None), None);
        let with_date = headers(&[
            ("retry-after", "Wed, 21 Oct 2015 07:28:30 GMT"),
            ("date", "Wed, 21 Oct 2015 07:28:00 GMT"),
        ]);
        assert_eq!(retry_after_from(&with_date, None), Some(secs(30)));
        let seconds = headers(&[("retry-after", "7")]);
        assert_eq!(retry_after_from(&seconds, None), Some(secs(7)));
    }

    #[test]
    fn requested_wait_rules() {
        let s = |code: u16| StatusCode::from_u16(code).unwrap();
        let cases: &[(u16, Pairs, Option<u64>)] = &[
            // Retry-After is honoured whatever the status.
            (
                429,
                &[("retry-after", "5"), ("x-ratelimit-reset", "12")],
                Some(5),
            ),
            (503, &[("retry-after", "5")], Some(5)),
            (500, &[("retry-after", "5")], Some(5)),
            // Reset is the fallback on 429 ...
            (429, &[("x-ratelimit-reset", "12")], Some(12)),
            (
                429,
                &[("retry-after", "soon"), ("x-ratelimit-reset", "12")],
                Some(12),
            ),
            (429, &[("x-ratelimit-reset", "67000")], Some(67_000)),
            // ... and on a 503 that says the quota is gone ...
            (
                503,
                &[("x-ratelimit-reset", "40"), ("x-ratelimit-remaining", "0")],
                Some(40),
            ),
            // ... but not on an ordinary 503 or other statuses.
            (
                503,
                &[("x-ratelimit-reset", "40"), ("x-ratelimit-remaining", "10")],
                None,
            ),
            (503, &[("x-ratelimit-reset", "40")], None),
            (
                500,
                &[("x-ratelimit-reset", "40"), ("x-ratelimit-remaining", "0")],
                None,
            ),
            (404, &[("x-ratelimit-reset", "40")], None),
            (429, &[], None),
        ];
        for (code, pairs, expected) in cases {
            let mut map = HeaderMap::new();
            for (name, value) in *pairs {
                map.insert(*name, HeaderValue::from_str(value).unwrap());
            }
            assert_eq!(
                requested_wait(s(*code), &map, None),
                expected.map(secs),
                "{code} {pairs:?}"
            );
        }
    }
}
