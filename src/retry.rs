//! When and how long to wait before retrying a failed request.
//!
//! [`RetryPolicy::decide`] is a pure function of the attempt just made: it
//! reads no clock and draws no random number, so the retry loop stays thin
//! and every rule is unit-tested here. The caller sleeps for
//! [`Wait::resolve`]`(random)` and tries again, or gives up with the error it
//! has.
//!
//! ```
//! use pinterest::RetryPolicy;
//! use pinterest::retry::{Outcome, RetryDecision, Wait};
//! use pinterest::{HeaderMap, Method, StatusCode};
//! use std::time::Duration;
//!
//! let policy = RetryPolicy::default();
//! let headers = HeaderMap::new();
//! let outcome = Outcome::Status(StatusCode::SERVICE_UNAVAILABLE, &headers);
//! match policy.decide(&Method::GET, outcome, 1, Duration::ZERO) {
//!     RetryDecision::Retry { wait, reason } => {
//!         assert_eq!(wait, Wait::Backoff { ceiling: Duration::from_millis(500) });
//!         assert_eq!(reason.to_string(), "server error (HTTP 503 Service Unavailable)");
//!         let _sleep_for = wait.resolve(0.5); // 250 ms with this draw
//!     }
//!     RetryDecision::Stop(reason) => panic!("unexpected stop: {reason}"),
//! }
//! ```

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

use crate::error::{Error, TimeoutPhase};
use crate::rate_limit;

/// The least time an attempt must have before the overall deadline: a retry
/// that would start with less left is not made, and the last error (the
/// server's own answer, say) is returned instead of a timeout that the short
/// attempt could not avoid.
pub const MIN_ATTEMPT_TIME: Duration = Duration::from_millis(500);

/// How the client retries failed requests.
///
/// Defaults: 3 attempts (counting the first), 500 ms base delay doubling
/// per attempt with full jitter, at most 8 s per backoff, server-requested
/// waits accepted up to 60 s, an overall budget of 120 s across attempts and
/// waits (no attempt starts with less than [`MIN_ATTEMPT_TIME`] of it left),
/// and no retries of non-idempotent methods (POST, PATCH), whatever the
/// failure, unless [`retry_non_idempotent`](Self::retry_non_idempotent) is
/// set.
///
/// ```
/// use pinterest::RetryPolicy;
/// use std::time::Duration;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .max_wait(Duration::from_secs(120))
///     .deadline(Some(Duration::from_secs(300)));
/// assert_ne!(policy, RetryPolicy::disabled());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_backoff: Duration,
    max_wait: Duration,
    deadline: Option<Duration>,
    retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_wait: Duration::from_secs(60),
            deadline: Some(Duration::from_secs(120)),
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries: one attempt only.
    pub fn disabled() -> Self {
        RetryPolicy::default().max_attempts(1)
    }

    /// Total attempts, counting the first (default 3). `0` is treated as 1.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Backoff ceiling before the second attempt; it doubles for each
    /// further attempt (default 500 ms).
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Cap on one computed backoff ceiling (default 8 s).
    pub fn max_backoff(mut self, cap: Duration) -> Self {
        self.max_backoff = cap;
        self
    }

    /// Longest server-requested wait (`Retry-After`, `X-RateLimit-Reset`)
    /// the client accepts; a longer request stops retrying (default 60 s).
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
        self
    }

    /// Overall budget across attempts and waits, measured from the start of
    /// the first attempt; `None` for no budget (default 120 s).
    pub fn deadline(mut self, deadline: Option<Duration>) -> Self {
        self.deadline = deadline;
        self
    }

    /// Also retry methods that are not idempotent (POST, PATCH), accepting
    /// the risk of doing the work twice (default false: they are sent once,
    /// whatever the failure, even a connect failure).
    pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
        self.retry_non_idempotent = retry;
        self
    }

    /// Time left in the overall budget after `elapsed`, or `None` with no
    /// deadline. Useful to bound the next attempt's own timeout.
    pub fn remaining_budget(&self, elapsed: Duration) -> Option<Duration> {
        self.deadline.map(|d| d.saturating_sub(elapsed))
    }

    /// Decides whether to retry after attempt number `attempt` (1-based)
    /// ended with `outcome`, `elapsed` after the first attempt started.
    ///
    /// Rules, in order:
    /// 1. Only 429, 5xx, timeouts, connect failures and transport errors
    ///    are retried ([`StopReason::NotRetryable`] otherwise).
    /// 2. Non-idempotent methods (POST, PATCH) are not retried
    ///    ([`StopReason::NonIdempotent`]), whatever the failure, unless
    ///    [`retry_non_idempotent`](Self::retry_non_idempotent) is set.
    /// 3. No retry once `attempt >= max_attempts`
    ///    ([`StopReason::AttemptsExhausted`]).
    /// 4. The wait is what the server asked for ([`Wait::Server`]:
    ///    `Retry-After`, else `X-RateLimit-Reset` when the quota is used
    ///    up), or else exponential backoff with full jitter
    ///    ([`Wait::Backoff`], ceiling `min(max_backoff, base_delay *
    ///    2^(attempt-1))`). A server wait above `max_wait` stops
    ///    ([`StopReason::WaitTooLong`]).
    /// 5. With a deadline, the next attempt must start with at least
    ///    [`MIN_ATTEMPT_TIME`] left: a server wait that would leave less
    ///    stops ([`StopReason::Deadline`]), and a backoff ceiling is cut to
    ///    the time left minus [`MIN_ATTEMPT_TIME`]; less than that left
    ///    means stop.
    ///
    /// A `Retry-After` HTTP date is measured against the response's `Date`
    /// header (no clock is read); without one it is ignored.
    pub fn decide(
        &self,
        method: &Method,
        outcome: Outcome<'_>,
        attempt: u32,
        elapsed: Duration,
    ) -> RetryDecision {
        let reason = match outcome {
            Outcome::Status(StatusCode::TOO_MANY_REQUESTS, _) => RetryReason::RateLimited,
            Outcome::Status(status, _) if status.is_server_error() => {
                RetryReason::ServerError(status)
            }
            Outcome::Status(..) => return RetryDecision::Stop(StopReason::NotRetryable),
            Outcome::Timeout(phase) => RetryReason::Timeout(phase),
            Outcome::Connect => RetryReason::Connect,
            Outcome::Transport => RetryReason::Transport,
        };
        if !(self.retry_non_idempotent || is_idempotent(method)) {
            return RetryDecision::Stop(StopReason::NonIdempotent);
        }
        if attempt >= self.max_attempts {
            return RetryDecision::Stop(StopReason::AttemptsExhausted);
        }

        let requested = match outcome {
            Outcome::Status(status, headers) => rate_limit::requested_wait(status, headers, None),
            _ => None,
        };
        let mut wait = match requested {
            Some(requested) if requested > self.max_wait => {
                return RetryDecision::Stop(StopReason::WaitTooLong { requested });
            }
            Some(requested) => Wait::Server(requested),
            None => Wait::Backoff {
                ceiling: self.backoff_ceiling(attempt),
            },
        };

        if let Some(left) = self.remaining_budget(elapsed) {
            // Longest wait that still leaves the next attempt enough time: an
            // attempt cut shorter would most likely time out, replacing the
            // server's real answer with a timeout of our own making.
            let Some(spare) = left.checked_sub(MIN_ATTEMPT_TIME) else {
                return RetryDecision::Stop(StopReason::Deadline);
            };
            match &mut wait {
                Wait::Server(requested) if *requested > spare => {
                    return RetryDecision::Stop(StopReason::Deadline);
                }
                Wait::Server(_) => {}
                // Jitter makes the ceiling a bound, not a promise, so
                // shrinking it keeps the retry inside the budget.
                Wait::Backoff { ceiling } => *ceiling = (*ceiling).min(spare),
            }
        }
        RetryDecision::Retry { wait, reason }
    }

    /// `min(max_backoff, base_delay * 2^(attempt-1))`, saturating.
    fn backoff_ceiling(&self, attempt: u32) -> Duration {
        if self.base_delay.is_zero() {
            return Duration::ZERO;
        }
        let raw = 2u32
            .checked_pow(attempt.saturating_sub(1))
            .and_then(|factor| self.base_delay.checked_mul(factor))
            .unwrap_or(Duration::MAX);
        raw.min(self.max_backoff)
    }
}

/// RFC 9110 §9.2.2: safe methods, PUT and DELETE can be repeated without a
/// different effect.
fn is_idempotent(method: &Method) -> bool {
    [
        Method::GET,
        Method::HEAD,
        Method::OPTIONS,
        Method::TRACE,
        Method::PUT,
        Method::DELETE,
    ]
    .contains(method)
}

/// How an attempt ended, as far as retrying is concerned.
#[derive(Clone, Copy, Debug)]
pub enum Outcome<'a> {
    /// A response arrived with this status and these headers.
    Status(StatusCode, &'a HeaderMap),
    /// A client-side timeout fired.
    Timeout(TimeoutPhase),
    /// No connection could be made; the request was not sent.
    Connect,
    /// Another I/O failure (e.g. the connection dropped mid-response).
    Transport,
}

impl<'a> Outcome<'a> {
    /// The outcome an [`Error`] stands for, or `None` for errors that
    /// involve no server exchange worth retrying (decode, invalid argument,
    /// missing credential, configuration, unbuildable request). A failed
    /// token refresh stands for the token endpoint's answer (a 503 there is
    /// retried like any 503; a refused grant is a 4xx, never retried).
    pub fn from_error(error: &'a Error) -> Option<Outcome<'a>> {
        match error {
            Error::TokenRefresh(inner) => Outcome::from_error(inner),
            Error::Api(e) => Some(Outcome::Status(e.status(), e.headers())),
            Error::Timeout { phase, .. } => Some(Outcome::Timeout(*phase)),
            Error::Connect(_) => Some(Outcome::Connect),
            Error::Transport(_) => Some(Outcome::Transport),
            _ => None,
        }
    }
}

/// What [`RetryPolicy::decide`] concluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryDecision {
    /// Wait, then make another attempt.
    Retry {
        /// How long to wait.
        wait: Wait,
        /// Why the attempt is being retried, for logs.
        reason: RetryReason,
    },
    /// Give up and return the last error.
    Stop(StopReason),
}

/// How long to wait before the next attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// Exponential backoff with full jitter: wait a uniformly random time in
    /// `0..=ceiling` (see [`Wait::resolve`]).
    Backoff {
        /// Longest wait to draw.
        ceiling: Duration,
    },
    /// Exactly what the server asked for (`Retry-After`, or
    /// `X-RateLimit-Reset` when the quota is used up).
    Server(Duration),
}

impl Wait {
    /// The concrete wait for a random draw `unit_random` in `[0, 1]`
    /// (clamped; NaN counts as 0). A server wait ignores the draw. Never
    /// panics and never exceeds the ceiling, even one near [`Duration::MAX`].
    pub fn resolve(self, unit_random: f64) -> Duration {
        match self {
            Wait::Server(wait) => wait,
            Wait::Backoff { ceiling } => {
                let unit = if unit_random.is_nan() {
                    0.0
                } else {
                    unit_random.clamp(0.0, 1.0)
                };
                // `Duration::mul_f64` panics when the product rounds past
                // `Duration::MAX`; fall back to the ceiling instead.
                Duration::try_from_secs_f64(ceiling.as_secs_f64() * unit)
                    .unwrap_or(ceiling)
                    .min(ceiling)
            }
        }
    }
}

/// Why an attempt is retried. `Display` gives a short phrase for logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryReason {
    /// HTTP 429.
    RateLimited,
    /// An HTTP 5xx status.
    ServerError(StatusCode),
    /// A client-side timeout.
    Timeout(TimeoutPhase),
    /// The connection could not be made.
    Connect,
    /// Another I/O failure.
    Transport,
}

impl fmt::Display for RetryReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RetryReason::RateLimited => f.write_str("rate limited (HTTP 429)"),
            RetryReason::ServerError(status) => match status.canonical_reason() {
                Some(text) => write!(f, "server error (HTTP {} {text})", status.as_u16()),
                None => write!(f, "server error (HTTP {})", status.as_u16()),
            },
            RetryReason::Timeout(phase) => write!(f, "{phase} timeout"),
            RetryReason::Connect => f.write_str("connect failure"),
            RetryReason::Transport => f.write_str("transport error"),
        }
    }
}

/// Why no further attempt is made. `Display` gives a short phrase for logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopReason {
    /// The outcome is not one that retrying can fix (e.g. 400, 404), or
    /// was not a failure at all.
    NotRetryable,
    /// The method is not idempotent (POST, PATCH) and the policy does not
    /// allow retrying it.
    NonIdempotent,
    /// `max_attempts` attempts have been made.
    AttemptsExhausted,
    /// Waiting would go past the overall deadline.
    Deadline,
    /// The server asked for a wait longer than `max_wait` (e.g. a daily
    /// quota that resets in hours).
    WaitTooLong {
        /// The wait the server asked for.
        requested: Duration,
    },
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StopReason::NotRetryable => f.write_str("not retryable"),
            StopReason::NonIdempotent => f.write_str("method is not idempotent"),
            StopReason::AttemptsExhausted => f.write_str("attempts exhausted"),
            StopReason::Deadline => f.write_str("retry deadline reached"),
            StopReason::WaitTooLong { requested } => write!(
                f,
                "server asked to wait {}s, longer than allowed",
                requested.as_secs()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    /// Header name/value pairs of one table row.
    type Pairs = &'static [(&'static str, &'static str)];

    const IDEMPOTENT: [Method; 5] = [
        Method::GET,
        Method::HEAD,
        Method::OPTIONS,
        Method::PUT,
        Method::DELETE,
    ];
    const NON_IDEMPOTENT: [Method; 2] = [Method::POST, Method::PATCH];

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    fn status(code: u16) -> StatusCode {
        StatusCode::from_u16(code).unwrap()
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(
                reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn retry(wait: Wait, reason: RetryReason) -> RetryDecision {
        RetryDecision::Retry { wait, reason }
    }

    fn backoff(ceiling: Duration) -> Wait {
        Wait::Backoff { ceiling }
    }

    fn stop(reason: StopReason) -> RetryDecision {
        RetryDecision::Stop(reason)
    }

    /// Decision for a status response on a GET with the default policy.
    fn decide_status(
        code: u16,
        pairs: &[(&str, &str)],
        attempt: u32,
        elapsed: Duration,
    ) -> RetryDecision {
        let h = headers(pairs);
        RetryPolicy::default().decide(
            &Method::GET,
            Outcome::Status(status(code), &h),
            attempt,
            elapsed,
        )
    }

    #[test]
    fn defaults_are_documented_values() {
        let p = RetryPolicy::default();
        assert_eq!(p.max_attempts, 3);
        assert_eq!(p.base_delay, ms(500));
        assert_eq!(p.max_backoff, secs(8));
        assert_eq!(p.max_wait, secs(60));
        assert_eq!(p.deadline, Some(secs(120)));
        assert!(!p.retry_non_idempotent);
        assert_eq!(RetryPolicy::disabled().max_attempts, 1);
        assert_eq!(RetryPolicy::default().max_attempts(0).max_attempts, 1);
        let custom = RetryPolicy::default()
            .max_attempts(7)
            .base_delay(ms(10))
            .max_backoff(ms(20))
            .max_wait(secs(5))
            .deadline(None)
            .retry_non_idempotent(true);
        assert_eq!(
            custom,
            RetryPolicy {
                max_attempts: 7,
                base_delay: ms(10),
                max_backoff: ms(20),
                max_wait: secs(5),
                deadline: None,
                retry_non_idempotent: true,
            }
        );
    }

    #[test]
    fn methods_by_statuses() {
        let retryable = [
            (429, RetryReason::RateLimited),
            (500, RetryReason::ServerError(status(500))),
            (502, RetryReason::ServerError(status(502))),
            (503, RetryReason::ServerError(status(503))),
            (504, RetryReason::ServerError(status(504))),
            (507, RetryReason::ServerError(status(507))),
            (599, RetryReason::ServerError(status(599))),
        ];
        let final_statuses = [
            200, 201, 204, 301, 304, 400, 401, 403, 404, 405, 408, 409, 422, 499,
        ];
        let none = HeaderMap::new();
        let default = RetryPolicy::default();
        let lenient = RetryPolicy::default().retry_non_idempotent(true);
        for method in IDEMPOTENT.iter().chain(&NON_IDEMPOTENT) {
            let idempotent = IDEMPOTENT.contains(method);
            for (code, reason) in retryable {
                let outcome = Outcome::Status(status(code), &none);
                let expected = if idempotent {
                    retry(backoff(ms(500)), reason)
                } else {
                    stop(StopReason::NonIdempotent)
                };
                assert_eq!(
                    default.decide(method, outcome, 1, Duration::ZERO),
                    expected,
                    "{method} {code}"
                );
                assert_eq!(
                    lenient.decide(method, outcome, 1, Duration::ZERO),
                    retry(backoff(ms(500)), reason),
                    "lenient {method} {code}"
                );
            }
            for code in final_statuses {
                for policy in [&default, &lenient] {
                    let outcome = Outcome::Status(status(code), &none);
                    assert_eq!(
                        policy.decide(method, outcome, 1, Duration::ZERO),
                        stop(StopReason::NotRetryable),
                        "{method} {code}"
                    );
                }
            }
        }
    }

    #[test]
    fn methods_by_transport_failures() {
        let p = RetryPolicy::default();
        let lenient = RetryPolicy::default().retry_non_idempotent(true);
        let cases = [
            (Outcome::Connect, RetryReason::Connect),
            (
                Outcome::Timeout(TimeoutPhase::Connect),
                RetryReason::Timeout(TimeoutPhase::Connect),
            ),
            (
                Outcome::Timeout(TimeoutPhase::Request),
                RetryReason::Timeout(TimeoutPhase::Request),
            ),
            (Outcome::Transport, RetryReason::Transport),
        ];
        for (outcome, reason) in cases {
            for method in &IDEMPOTENT {
                assert_eq!(
                    p.decide(method, outcome, 1, Duration::ZERO),
                    retry(backoff(ms(500)), reason)
                );
            }
            // POST and PATCH are sent once by default whatever the failure, even
            // one where the request cannot have left (connect failure or timeout).
            for method in &NON_IDEMPOTENT {
                assert_eq!(
                    p.decide(method, outcome, 1, Duration::ZERO),
                    stop(StopReason::NonIdempotent),
                    "{method} {reason}"
                );
                assert_eq!(
                    lenient.decide(method, outcome, 1, Duration::ZERO),
                    retry(backoff(ms(500)), reason),
                    "lenient {method} {reason}"
                );
            }
        }
    }

    #[test]
    fn backoff_grows_and_caps() {
        let p = RetryPolicy::default().max_attempts(u32::MAX).deadline(None);
        let expected = [500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000];
        for (i, ceiling) in expected.into_iter().enumerate() {
            let attempt = i as u32 + 1;
            assert_eq!(
                p.decide(&Method::GET, Outcome::Connect, attempt, Duration::ZERO),
                retry(backoff(ms(ceiling)), RetryReason::Connect),
                "attempt {attempt}"
            );
        }
        let small = p.clone().base_delay(ms(100)).max_backoff(ms(1_000));
        for (attempt, ceiling) in [
            (1, 100),
            (2, 200),
            (3, 400),
            (4, 800),
            (5, 1_000),
            (40, 1_000),
        ] {
            assert_eq!(
                small.backoff_ceiling(attempt),
                ms(ceiling),
                "attempt {attempt}"
            );
        }
        // Huge attempt numbers saturate instead of overflowing.
        assert_eq!(p.backoff_ceiling(u32::MAX - 1), secs(8));
        assert_eq!(
            p.clone().max_backoff(Duration::MAX).backoff_ceiling(200),
            Duration::MAX
        );
        assert_eq!(
            p.clone().base_delay(Duration::ZERO).backoff_ceiling(200),
            Duration::ZERO
        );
        // Attempt 0 is read as the first attempt.
        assert_eq!(p.backoff_ceiling(0), ms(500));
    }

    #[test]
    fn attempts_are_counted_from_one() {
        let p = RetryPolicy::default();
        let h = HeaderMap::new();
        let outcome = Outcome::Status(StatusCode::BAD_GATEWAY, &h);
        let reason = RetryReason::ServerError(StatusCode::BAD_GATEWAY);
        assert_eq!(
            p.decide(&Method::GET, outcome, 1, Duration::ZERO),
            retry(backoff(ms(500)), reason)
        );
        assert_eq!(
            p.decide(&Method::GET, outcome, 2, Duration::ZERO),
            retry(backoff(ms(1_000)), reason)
        );
        assert_eq!(
            p.decide(&Method::GET, outcome, 3, Duration::ZERO),
            stop(StopReason::AttemptsExhausted)
        );
        assert_eq!(
            p.decide(&Method::GET, outcome, 9, Duration::ZERO),
            stop(StopReason::AttemptsExhausted)
        );
    }

    #[test]
    fn disabled_policy_never_retries() {
        let p = RetryPolicy::disabled();
        let h = headers(&[("retry-after", "1")]);
        for outcome in [
            Outcome::Status(StatusCode::TOO_MANY_REQUESTS, &h),
            Outcome::Status(StatusCode::SERVICE_UNAVAILABLE, &h),
            Outcome::Connect,
            Outcome::Timeout(TimeoutPhase::Request),
            Outcome::Transport,
        ] {
            assert_eq!(
                p.decide(&Method::GET, outcome, 1, Duration::ZERO),
                stop(StopReason::AttemptsExhausted)
            );
        }
        let h = HeaderMap::new();
        assert_eq!(
            p.decide(
                &Method::GET,
                Outcome::Status(StatusCode::NOT_FOUND, &h),
                1,
                Duration::ZERO
            ),
            stop(StopReason::NotRetryable)
        );
    }

    #[test]
    fn server_requested_waits() {
        const DATE: (&str, &str) = ("date", "Wed, 21 Oct 2015 07:28:00 GMT");
        let rl = RetryReason::RateLimited;
        let unavailable = RetryReason::ServerError(StatusCode::SERVICE_UNAVAILABLE);
        let internal = RetryReason::ServerError(StatusCode::INTERNAL_SERVER_ERROR);
        let cases: &[(u16, Pairs, RetryDecision)] = &[
            // Retry-After in seconds.
            (
                429,
                &[("retry-after", "7")],
                retry(Wait::Server(secs(7)), rl),
            ),
            (
                503,
                &[("retry-after", "2")],
                retry(Wait::Server(secs(2)), unavailable),
            ),
            (
                500,
                &[("retry-after", "3")],
                retry(Wait::Server(secs(3)), internal),
            ),
            (
                429,
                &[("retry-after", "0")],
                retry(Wait::Server(Duration::ZERO), rl),
            ),
            // Retry-After as an HTTP date, measured against the Date header.
            (
                429,
                &[("retry-after", "Wed, 21 Oct 2015 07:28:30 GMT"), DATE],
                retry(Wait::Server(secs(30)), rl),
            ),
            (
                503,
                &[("retry-after", "Wed, 21 Oct 2015 07:27:00 GMT"), DATE],
                retry(Wait::Server(Duration::ZERO), unavailable),
            ),
            // A date without a Date header cannot be placed: back off.
            (
                503,
                &[("retry-after", "Wed, 21 Oct 2015 07:28:30 GMT")],
                retry(backoff(ms(500)), unavailable),
            ),
            // X-RateLimit-Reset as the fallback.
            (
                429,
                &[("x-ratelimit-reset", "12")],
                retry(Wait::Server(secs(12)), rl),
            ),
            (
                429,
                &[("retry-after", "5"), ("x-ratelimit-reset", "12")],
                retry(Wait::Server(secs(5)), rl),
            ),
            (
                429,
                &[("retry-after", "soon"), ("x-ratelimit-reset", "9")],
                retry(Wait::Server(secs(9)), rl),
            ),
            (
                503,
                &[("x-ratelimit-reset", "40"), ("x-ratelimit-remaining", "0")],
                retry(Wait::Server(secs(40)), unavailable),
            ),
            // ... but not on a 503 with quota left, nor on other 5xx.
            (
                503,
                &[("x-ratelimit-reset", "40"), ("x-ratelimit-remaining", "10")],
                retry(backoff(ms(500)), unavailable),
            ),
            (
                500,
                &[("x-ratelimit-reset", "40")],
                retry(backoff(ms(500)), internal),
            ),
            // Nothing usable: back off.
            (429, &[("retry-after", "soon")], retry(backoff(ms(500)), rl)),
            (429, &[], retry(backoff(ms(500)), rl)),
            // Longer than max_wait (60 s): stop; the boundary is accepted.
            (
                429,
                &[("retry-after", "60")],
                retry(Wait::Server(secs(60)), rl),
            ),
            (
                429,
                &[("retry-after", "61")],
                stop(StopReason::WaitTooLong {
                    requested: secs(61),
                }),
            ),
            (
                429,
                &[
                    ("x-ratelimit-reset", "67000"),
                    ("x-ratelimit-remaining", "0"),
                ],
                stop(StopReason::WaitTooLong {
                    requested: secs(67_000),
                }),
            ),
        ];
        for (code, pairs, expected) in cases {
            assert_eq!(
                decide_status(*code, pairs, 1, Duration::ZERO),
                *expected,
                "{code} {pairs:?}"
            );
        }
    }

    #[test]
    fn server_waits_respect_max_wait_setting() {
        let h = headers(&[("x-ratelimit-reset", "67000")]);
        let outcome = Outcome::Status(StatusCode::TOO_MANY_REQUESTS, &h);
        let patient = RetryPolicy::default()
            .max_wait(secs(100_000))
            .deadline(None);
        assert_eq!(
            patient.decide(&Method::GET, outcome, 1, Duration::ZERO),
            retry(Wait::Server(secs(67_000)), RetryReason::RateLimited)
        );
        // With the default deadline the same wait cannot fit.
        let bounded = RetryPolicy::default().max_wait(secs(100_000));
        assert_eq!(
            bounded.decide(&Method::GET, outcome, 1, Duration::ZERO),
            stop(StopReason::Deadline)
        );
    }

    #[test]
    fn stop_reasons_take_precedence_in_order() {
        // Not retryable beats attempts exhausted.
        assert_eq!(
            decide_status(404, &[], 3, Duration::ZERO),
            stop(StopReason::NotRetryable)
        );
        // Attempts exhausted beats a too-long wait and the deadline.
        assert_eq!(
            decide_status(429, &[("x-ratelimit-reset", "67000")], 3, secs(500)),
            stop(StopReason::AttemptsExhausted)
        );
        // A too-long wait beats the deadline.
        assert_eq!(
            decide_status(429, &[("retry-after", "61")], 1, secs(500)),
            stop(StopReason::WaitTooLong {
                requested: secs(61)
            })
        );
        // Non-idempotent beats attempts exhausted.
        let h = HeaderMap::new();
        assert_eq!(
            RetryPolicy::default().decide(
                &Method::POST,
                Outcome::Status(StatusCode::BAD_GATEWAY, &h),
                3,
                Duration::ZERO
            ),
            stop(StopReason::NonIdempotent)
        );
    }

    #[test]
    fn deadline() {
        let rl = RetryReason::RateLimited;
        let cases: &[(Pairs, Duration, RetryDecision)] = &[
            // Server waits must end at least MIN_ATTEMPT_TIME (500 ms) before
            // the 120 s deadline; the boundary fits.
            (
                &[("retry-after", "1")],
                ms(118_500),
                retry(Wait::Server(secs(1)), rl),
            ),
            (
                &[("retry-after", "1")],
                ms(118_501),
                stop(StopReason::Deadline),
            ),
            (
                &[("retry-after", "1")],
                secs(119),
                stop(StopReason::Deadline),
            ),
            (
                &[("retry-after", "2")],
                secs(119),
                stop(StopReason::Deadline),
            ),
            (
                &[("retry-after", "0")],
                ms(119_500),
                retry(Wait::Server(Duration::ZERO), rl),
            ),
            (
                &[("retry-after", "0")],
                ms(119_501),
                stop(StopReason::Deadline),
            ),
            (
                &[("retry-after", "0")],
                secs(120),
                stop(StopReason::Deadline),
            ),
            // Backoff ceilings are cut to the time left minus MIN_ATTEMPT_TIME.
            (&[], secs(100), retry(backoff(ms(500)), rl)),
            (&[], ms(119_000), retry(backoff(ms(500)), rl)),
            (&[], ms(119_300), retry(backoff(ms(200)), rl)),
            (&[], ms(119_500), retry(backoff(Duration::ZERO), rl)),
            (&[], ms(119_501), stop(StopReason::Deadline)),
            (&[], ms(119_800), stop(StopReason::Deadline)),
            (&[], secs(120), stop(StopReason::Deadline)),
            (&[], secs(3_600), stop(StopReason::Deadline)),
        ];
        for (pairs, elapsed, expected) in cases {
            assert_eq!(
                decide_status(429, pairs, 1, *elapsed),
                *expected,
                "{pairs:?} at {elapsed:?}"
            );
        }
        let unbounded = RetryPolicy::default().deadline(None);
        assert_eq!(
            unbounded.decide(&Method::GET, Outcome::Connect, 1, secs(36_000)),
            retry(backoff(ms(500)), RetryReason::Connect)
        );
        assert_eq!(
            RetryPolicy::default().remaining_budget(secs(20)),
            Some(secs(100))
        );
        assert_eq!(
            RetryPolicy::default().remaining_budget(secs(200)),
            Some(Duration::ZERO)
        );
        assert_eq!(unbounded.remaining_budget(secs(20)), None);
    }

    /// Near the deadline the policy gives up instead of starting an attempt
    /// too short to finish, which would replace the server's real answer
    /// with a timeout of the client's own making.
    #[test]
    fn no_attempt_starts_with_less_than_the_minimum_time_left() {
        assert_eq!(MIN_ATTEMPT_TIME, ms(500));
        let p = RetryPolicy::default().deadline(Some(ms(300)));
        let h = HeaderMap::new();
        let unavailable = Outcome::Status(StatusCode::SERVICE_UNAVAILABLE, &h);
        // A 503 after 280 ms of a 300 ms budget: 20 ms left, too little.
        for elapsed in [Duration::ZERO, ms(280), ms(299)] {
            assert_eq!(
                p.decide(&Method::GET, unavailable, 1, elapsed),
                stop(StopReason::Deadline),
                "at {elapsed:?}"
            );
        }
        let p = RetryPolicy::default().deadline(Some(secs(2)));
        let cases = [
            (
                Duration::ZERO,
                retry(backoff(ms(500)), unavailable_reason()),
            ),
            (ms(1_200), retry(backoff(ms(300)), unavailable_reason())),
            (
                ms(1_500),
                retry(backoff(Duration::ZERO), unavailable_reason()),
            ),
            (ms(1_501), stop(StopReason::Deadline)),
        ];
        for (elapsed, expected) in cases {
            let decision = p.decide(&Method::GET, unavailable, 1, elapsed);
            assert_eq!(decision, expected, "at {elapsed:?}");
            // Whatever the draw, the next attempt starts with enough time left.
            if let RetryDecision::Retry { wait, .. } = decision {
                for draw in [0.0, 0.5, 1.0] {
                    let left = secs(2) - elapsed - wait.resolve(draw);
                    assert!(left >= MIN_ATTEMPT_TIME, "{left:?} at {elapsed:?}");
                }
            }
        }
        // Connect failures and timeouts follow the same rule.
        for outcome in [Outcome::Connect, Outcome::Timeout(TimeoutPhase::Request)] {
            assert_eq!(
                p.decide(&Method::GET, outcome, 1, ms(1_600)),
                stop(StopReason::Deadline)
            );
        }
    }

    fn unavailable_reason() -> RetryReason {
        RetryReason::ServerError(StatusCode::SERVICE_UNAVAILABLE)
    }

    #[test]
    fn resolve_bounds() {
        let b = backoff(secs(1));
        let cases = [
            (0.0, ms(0)),
            (0.25, ms(250)),
            (0.5, ms(500)),
            (1.0, ms(1_000)),
            (-3.0, ms(0)),
            (7.0, ms(1_000)),
            (f64::NAN, ms(0)),
            (f64::INFINITY, ms(1_000)),
            (f64::NEG_INFINITY, ms(0)),
        ];
        for (draw, expected) in cases {
            assert_eq!(b.resolve(draw), expected, "draw {draw}");
        }
        assert_eq!(backoff(Duration::ZERO).resolve(0.7), Duration::ZERO);
        for draw in [0.0, 0.3, 1.0, f64::NAN, -1.0] {
            assert_eq!(Wait::Server(secs(5)).resolve(draw), secs(5));
        }
        // Every draw stays inside 0..=ceiling.
        let ceiling = ms(8_000);
        for i in 0..=1_000 {
            let wait = backoff(ceiling).resolve(f64::from(i) / 1_000.0);
            assert!(wait <= ceiling, "{wait:?}");
        }
    }

    #[test]
    fn resolve_never_panics_near_duration_max() {
        let huge = backoff(Duration::MAX);
        for draw in [1.0, 0.999_999, f64::INFINITY, 7.0] {
            let wait = huge.resolve(draw);
            assert!(
                wait <= Duration::MAX && wait > secs(1 << 62),
                "{draw}: {wait:?}"
            );
        }
        assert_eq!(huge.resolve(0.0), Duration::ZERO);
        assert_eq!(huge.resolve(f64::NAN), Duration::ZERO);
        let half = huge.resolve(0.5);
        assert!(half > secs(1 << 62) && half <= secs(1 << 63), "{half:?}");
        // What the transport does with `deadline(None)` and a huge backoff.
        let p = RetryPolicy::default()
            .deadline(None)
            .base_delay(Duration::MAX)
            .max_backoff(Duration::MAX);
        match p.decide(&Method::GET, Outcome::Connect, 1, Duration::ZERO) {
            RetryDecision::Retry { wait, .. } => {
                assert_eq!(wait, backoff(Duration::MAX));
                assert!(wait.resolve(1.0) <= Duration::MAX);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn reasons_display() {
        let cases = [
            (RetryReason::RateLimited, "rate limited (HTTP 429)"),
            (
                RetryReason::ServerError(StatusCode::SERVICE_UNAVAILABLE),
                "server error (HTTP 503 Service Unavailable)",
            ),
            (
                RetryReason::ServerError(status(599)),
                "server error (HTTP 599)",
            ),
            (
                RetryReason::Timeout(TimeoutPhase::Connect),
                "connect timeout",
            ),
            (
                RetryReason::Timeout(TimeoutPhase::Request),
                "request timeout",
            ),
            (RetryReason::Connect, "connect failure"),
            (RetryReason::Transport, "transport error"),
        ];
        for (reason, text) in cases {
            assert_eq!(reason.to_string(), text);
        }
        let stops = [
            (StopReason::NotRetryable, "not retryable"),
            (StopReason::NonIdempotent, "method is not idempotent"),
            (StopReason::AttemptsExhausted, "attempts exhausted"),
            (StopReason::Deadline, "retry deadline reached"),
            (
                StopReason::WaitTooLong {
                    requested: secs(67_000),
                },
                "server asked to wait 67000s, longer than allowed",
            ),
        ];
        for (reason, text) in stops {
            assert_eq!(reason.to_string(), text);
        }
    }

    #[test]
    fn outcome_from_error() {
        let h = headers(&[("retry-after", "3")]);
        let api = crate::error::ApiError::from_parts(
            StatusCode::TOO_MANY_REQUESTS,
            h,
            Default::default(),
        );
        let err = Error::from(api);
        match Outcome::from_error(&err) {
            Some(Outcome::Status(s, headers)) => {
                assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
                assert_eq!(headers.get("retry-after").unwrap(), "3");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(
            RetryPolicy::default().decide(
                &Method::GET,
                Outcome::from_error(&err).unwrap(),
                1,
                Duration::ZERO
            ),
            retry(Wait::Server(secs(3)), RetryReason::RateLimited)
        );
        let local = [
            Error::InvalidArgument {
                name: "x",
                reason: "y".into(),
            },
            Error::MissingCredential {
                name: "access_token",
            },
            Error::InvalidRequest("z".into()),
        ];
        for e in &local {
            assert!(Outcome::from_error(e).is_none(), "{e}");
        }
        // A failed refresh is judged by the token endpoint's answer.
        let unavailable = crate::error::ApiError::from_parts(
            StatusCode::SERVICE_UNAVAILABLE,
            HeaderMap::new(),
            Default::default(),
        );
        let refresh = Error::TokenRefresh(std::sync::Arc::new(Error::from(unavailable)));
        assert!(matches!(
            Outcome::from_error(&refresh),
            Some(Outcome::Status(StatusCode::SERVICE_UNAVAILABLE, _))
        ));
        // A builder error classifies as InvalidRequest: nothing to retry.
        let builder =
            crate::error::classify_transport(reqwest::Proxy::all("not a url").unwrap_err());
        assert!(Outcome::from_error(&builder).is_none());
    }
}
