//! Property tests of response handling: arbitrary statuses, garbage rate-limit and
//! `Retry-After` headers, and arbitrary bodies (random bytes, cut JSON, HTML, bodies far past
//! the error-body bound) thrown at a real client through httpmock on 127.0.0.1.
//!
//! For every case: no panic, the error kind the status calls for, the waits the headers call
//! for, and an error body that is a prefix of what was sent, at most
//! [`pinterest::MAX_ERROR_BODY`] bytes and marked truncated exactly when the body was longer.
//!
//! One mock server and one client serve all cases of a test, on a runtime created inside it.

mod common;

use common::Recorder;
use httpmock::prelude::*;
use pinterest::{Client, Environment, ErrorKind, MAX_ERROR_BODY, ResponseBody, RetryPolicy};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

const FIND_PATH: &str = "/ad_accounts/123456/audiences/789";
const CASES: u32 = 48;
/// Bounds every call: a hung call fails the case. Not a speed assertion.
const GUARD: Duration = Duration::from_secs(10);
/// The policy under test retries once at most, so every case makes one or two requests.
const MAX_ATTEMPTS: u32 = 2;
/// The default policy's longest accepted server wait and first backoff ceiling.
const MAX_WAIT: Duration = Duration::from_secs(60);
const FIRST_BACKOFF: Duration = Duration::from_millis(500);

/// One generated response.
#[derive(Clone)]
struct Case {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl fmt::Debug for Case {
    // Bodies reach 300 KB: show their size and start only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let start = &self.body[..self.body.len().min(120)];
        f.debug_struct("Case")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .field("body_start", &String::from_utf8_lossy(start))
            .finish()
    }
}

impl Case {
    /// The first value of header `name`, as the client reads it: `None` when absent or not
    /// visible ASCII (the client's `to_str` fails), trimmed like an HTTP parser does.
    fn first(&self, name: &str) -> Option<&str> {
        let (_, value) = self.headers.iter().find(|(n, _)| n == name)?;
        value
            .bytes()
            .all(|b| b == b'\t' || (0x20..0x7f).contains(&b))
            .then(|| value.trim_matches([' ', '\t']))
    }

    /// Whether any header holds an HTTP date, which the oracle below does not model.
    fn has_dates(&self) -> bool {
        self.headers.iter().any(|(_, v)| v.contains("GMT"))
    }

    /// Whether the status allows a body on the wire.
    fn body_delivered(&self) -> bool {
        !matches!(self.status, 204 | 304)
    }

    /// The wait the server asked for: `Retry-After` seconds, else `X-RateLimit-Reset` when
    /// the quota is used up (a 429, or a 503 with `X-RateLimit-Remaining: 0`).
    fn requested_wait(&self) -> Option<Duration> {
        if let Some(secs) = self.first("retry-after").and_then(seconds) {
            return Some(Duration::from_secs(secs));
        }
        let quota_gone = self.status == 429
            || (self.status == 503
                && self.first("x-ratelimit-remaining").and_then(seconds) == Some(0));
        if quota_gone {
            self.first("x-ratelimit-reset")
                .and_then(seconds)
                .map(Duration::from_secs)
        } else {
            None
        }
    }

    fn expected_kind(&self) -> Option<ErrorKind> {
        Some(match self.status {
            // Any 2xx: the body is decoded as the documented 200 would be, an empty one
            // reading as `null` (which an audience is not).
            200..=299 => {
                let body: &[u8] = if self.body.trim_ascii().is_empty() {
                    b"null"
                } else {
                    &self.body
                };
                return match serde_json::from_slice::<pinterest::models::Audience>(body) {
                    Ok(_) => None,
                    Err(_) => Some(ErrorKind::Decode),
                };
            }
            400 => ErrorKind::BadRequest,
            401 => ErrorKind::Authentication,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::UnexpectedStatus,
        })
    }
}

/// Digits only (no sign, no fraction), fitting a u64.
fn seconds(value: &str) -> Option<u64> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        3 => Just(200u16),
        1 => 201u16..300,
        2 => 300u16..400,
        4 => prop::sample::select(vec![400u16, 401, 403, 404, 429, 429, 429]),
        2 => 402u16..500,
        4 => 500u16..600,
        1 => 600u16..1000,
    ]
}

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u64..120).prop_map(|n| n.to_string()),
        (0u64..200_000).prop_map(|n| n.to_string()),
        prop::sample::select(vec![
            "99999999999999999999999",
            "18446744073709551616",
            "-5",
            "+3",
            "1.5",
            "",
            "  7  ",
            "0",
            "soon",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "Wed, 21 Oct 2015 07:29:00 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "100, 100;w=1, 1000;w=60",
            "10;w=abc, ;;,, -4, +7",
            "rid-abc123",
        ])
        .prop_map(str::to_owned),
        "[ -~]{0,40}",
        // Non-ASCII text is a legal header value on the wire but not a readable one.
        "[a-zé€ü ]{1,12}",
    ]
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop::sample::select(vec![
        "retry-after",
        "retry-after",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "x-ratelimit-reset",
        "x-pinterest-rid",
        "content-type",
    ]);
    prop::collection::vec((name.prop_map(str::to_owned), header_value()), 0..6)
}

fn audience_json() -> impl Strategy<Value = String> {
    ("[0-9]{1,12}", "[ -~]{0,30}").prop_map(|(id, name)| {
        serde_json::json!({"id": id, "name": name, "ad_account_id": "123456", "size": 42})
            .to_string()
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    let huge = MAX_ERROR_BODY - 2..300_000usize;
    prop_oneof![
        3 => prop::collection::vec(any::<u8>(), 0..512),
        1 => Just(Vec::new()),
        2 => audience_json().prop_map(String::into_bytes),
        // Valid JSON cut short.
        2 => (audience_json(), any::<prop::sample::Index>()).prop_map(|(json, at)| {
            json.as_bytes()[..at.index(json.len())].to_vec()
        }),
        2 => (any::<i64>(), "[ -~]{0,40}").prop_map(|(code, message)| {
            serde_json::json!({"code": code, "message": message}).to_string().into_bytes()
        }),
        1 => Just(b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>".to_vec()),
        1 => Just(b"[1, 2, 3]".to_vec()),
        1 => Just(b"null".to_vec()),
        // Pinterest's error JSON, too large to keep whole.
        1 => huge.clone().prop_map(|n| {
            format!(r#"{{"code":7,"message":"{}"}}"#, "x".repeat(n)).into_bytes()
        }),
        1 => (huge, any::<u8>()).prop_map(|(n, byte)| vec![byte; n]),
        1 => prop::sample::select(vec![MAX_ERROR_BODY - 1, MAX_ERROR_BODY, MAX_ERROR_BODY + 1])
            .prop_map(|n| vec![b'a'; n]),
    ]
}

fn case(status: impl Strategy<Value = u16>) -> impl Strategy<Value = Case> {
    (status, headers(), body()).prop_map(|(status, headers, body)| Case {
        status,
        headers,
        body,
    })
}

fn config() -> Config {
    Config {
        cases: CASES,
        // Do not write regression files into the tree; a failure prints its minimal case.
        failure_persistence: None,
        max_shrink_iters: 256,
        ..Config::with_cases(CASES)
    }
}

/// The server, client and recorder every case of one test shares.
struct Harness {
    runtime: tokio::runtime::Runtime,
    server: MockServer,
    client: Client,
    recorder: Arc<Recorder>,
}

impl Harness {
    fn new() -> Harness {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let server = runtime.block_on(MockServer::start_async());
        let recorder = Arc::new(Recorder::default());
        let client = Client::builder()
            .environment(Environment::empty())
            .access_token("test-token")
            .base_url(server.base_url())
            .sleeper(recorder.clone())
            .retry_policy(RetryPolicy::default().max_attempts(MAX_ATTEMPTS))
            .build()
            .unwrap();
        Harness {
            runtime,
            server,
            client,
            recorder,
        }
    }

    fn run(&self, strategy: impl Strategy<Value = Case>) {
        let mut runner = TestRunner::new(config());
        let result = runner.run(&strategy, |case| self.runtime.block_on(self.check(&case)));
        if let Err(failure) = result {
            panic!("{failure}");
        }
    }

    async fn check(&self, case: &Case) -> Result<(), TestCaseError> {
        self.server.reset_async().await;
        let body = case.body.clone();
        let mock = self
            .server
            .mock_async(|when, then| {
                when.method(GET)
                    .path(FIND_PATH)
                    .header("authorization", "Bearer test-token");
                let mut then = then.status(case.status);
                for (name, value) in &case.headers {
                    then = then.header(name.as_str(), value.as_str());
                }
                then.body(body);
            })
            .await;
        let unmatched = self
            .server
            .mock_async(|_when, then| {
                then.respond_with(|req: &HttpMockRequest| {
                    HttpMockResponse::builder()
                        .status(599)
                        .body(format!(
                            "unmatched request: {} {}",
                            req.method_str(),
                            req.uri_str()
                        ))
                        .build()
                });
            })
            .await;
        self.recorder.take();

        let call = self.client.audiences().find("123456", "789").send();
        let result = tokio::time::timeout(GUARD, call)
            .await
            .map_err(|_| TestCaseError::fail("the call hung"))?;
        let calls = mock.calls_async().await;
        let waits = self.recorder.take();
        prop_assert_eq!(unmatched.calls_async().await, 0, "a request went astray");

        // Display and Debug never panic, whatever came back.
        let _ = format!("{result:?}");
        if let Err(e) = &result {
            let _ = e.to_string();
        }

        let expected = case.expected_kind();
        match (&result, expected) {
            (Ok(audience), None) => {
                prop_assert_eq!(audience.status().as_u16(), case.status);
                let sent: pinterest::models::Audience = serde_json::from_slice(&case.body).unwrap();
                prop_assert_eq!(&audience.id, &sent.id);
                prop_assert_eq!(&audience.name, &sent.name);
                prop_assert_eq!(
                    audience.rate_limit().remaining(),
                    case.first("x-ratelimit-remaining").and_then(seconds)
                );
            }
            (Err(e), Some(kind)) => {
                prop_assert_eq!(e.kind(), kind, "{:?}", e);
                prop_assert_eq!(e.status().map(|s| s.as_u16()), Some(case.status));
                prop_assert_eq!(
                    e.rate_limit().and_then(|r| r.remaining()),
                    case.first("x-ratelimit-remaining").and_then(seconds)
                );
                let expected_rid = case.first("x-pinterest-rid").filter(|id| !id.is_empty());
                prop_assert_eq!(e.request_id(), expected_rid);
                let kept = match (e.api_error(), e.decode_error()) {
                    (Some(api), None) => api.body(),
                    (None, Some(decode)) => decode.body(),
                    _ => return Err(TestCaseError::fail(format!("no body kept in {e:?}"))),
                };
                self.check_kept_body(case, kept)?;
                if let Some(api) = e.api_error() {
                    self.check_pinterest_fields(case, api)?;
                    if !case.has_dates() {
                        prop_assert_eq!(api.retry_after(), case.requested_wait());
                    }
                }
            }
            (result, expected) => {
                return Err(TestCaseError::fail(format!(
                    "expected {expected:?}, got {result:?}"
                )));
            }
        }

        // Retries: only 429 and 5xx, as long as the requested wait is acceptable.
        let retryable = case.status == 429 || (500..600).contains(&case.status);
        if !retryable {
            prop_assert_eq!(calls, 1);
            prop_assert!(waits.is_empty(), "{:?}", waits);
        } else if case.has_dates() {
            prop_assert!(waits.len() <= 1, "{:?}", waits);
            prop_assert_eq!(calls, 1 + waits.len());
            prop_assert!(waits.iter().all(|w| *w <= MAX_WAIT), "{:?}", waits);
        } else {
            match case.requested_wait() {
                Some(wait) if wait > MAX_WAIT => {
                    prop_assert_eq!(calls, 1);
                    prop_assert!(waits.is_empty(), "{:?}", waits);
                }
                Some(wait) => {
                    prop_assert_eq!(calls, 2);
                    prop_assert_eq!(waits, vec![wait]);
                }
                None => {
                    prop_assert_eq!(calls, 2);
                    prop_assert_eq!(waits.len(), 1);
                    prop_assert!(waits[0] <= FIRST_BACKOFF, "{:?}", waits);
                }
            }
        }
        Ok(())
    }

    /// The kept body is a prefix of what was sent, bounded, and marked truncated exactly when
    /// the body was longer than the bound.
    fn check_kept_body(&self, case: &Case, kept: &ResponseBody) -> Result<(), TestCaseError> {
        prop_assert!(kept.bytes().len() <= MAX_ERROR_BODY);
        if case.body_delivered() {
            let expected = &case.body[..case.body.len().min(MAX_ERROR_BODY)];
            prop_assert!(kept.bytes().as_ref() == expected, "kept body differs");
            prop_assert_eq!(kept.is_truncated(), case.body.len() > MAX_ERROR_BODY);
            prop_assert!(kept.len_seen() >= kept.bytes().len());
            if !kept.is_truncated() {
                prop_assert_eq!(kept.len_seen(), case.body.len());
            }
        } else {
            prop_assert!(kept.is_empty() && !kept.is_truncated());
        }
        prop_assert_eq!(kept.is_empty(), kept.bytes().is_empty());
        Ok(())
    }

    /// `code` and `message` are read from a whole Pinterest error JSON, never from a cut one.
    fn check_pinterest_fields(
        &self,
        case: &Case,
        api: &pinterest::ApiError,
    ) -> Result<(), TestCaseError> {
        let whole = case.body_delivered() && case.body.len() <= MAX_ERROR_BODY;
        let parsed = match serde_json::from_slice::<serde_json::Value>(&case.body) {
            Ok(serde_json::Value::Object(map)) if whole => Some(map),
            _ => None,
        };
        let code = parsed
            .as_ref()
            .and_then(|m| m.get("code"))
            .and_then(serde_json::Value::as_i64);
        let message = parsed
            .as_ref()
            .and_then(|m| m.get("message"))
            .and_then(serde_json::Value::as_str)
            .filter(|m| !m.trim().is_empty());
        prop_assert_eq!(api.code(), code);
        prop_assert_eq!(api.message(), message);
        Ok(())
    }
}

#[test]
fn any_response_is_classified_and_its_error_body_bounded() {
    Harness::new().run(case(status()));
}

#[test]
fn any_200_body_decodes_or_gives_a_bounded_decode_error() {
    Harness::new().run(case(Just(200u16)));
}

#[test]
fn error_bodies_at_the_bound_are_kept_whole_and_past_it_truncated() {
    // The boundary, deterministically: one byte under, at, and over the bound.
    let harness = Harness::new();
    for (status, len) in [
        (502u16, MAX_ERROR_BODY - 1),
        (502, MAX_ERROR_BODY),
        (502, MAX_ERROR_BODY + 1),
        (200, MAX_ERROR_BODY + 1),
        (404, 300_000),
    ] {
        let case = Case {
            status,
            headers: Vec::new(),
            body: vec![b'<'; len],
        };
        harness
            .runtime
            .block_on(harness.check(&case))
            .unwrap_or_else(|e| panic!("{case:?}: {e}"));
    }
}
