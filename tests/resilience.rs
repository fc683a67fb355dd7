//! Fault injection against servers on 127.0.0.1: status bursts from httpmock, and a small
//! hand-written TCP server for connection resets, stalls and bodies cut short.
//!
//! Waits go through a recording [`pinterest::Sleeper`], so every test asserts the waits the
//! client asked for, never wall-clock time.

mod common;

use common::{Recorder, catch_all};
use httpmock::prelude::*;
use httpmock::{Mock, Then};
use pinterest::models::{AudienceCreateRequest, AudienceRule, AudienceType, UserListOperationType};
use pinterest::{Client, ClientBuilder, Environment, ErrorKind, RetryPolicy, TimeoutPhase};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

const TOKEN: &str = "test-access-token";
const ACCOUNT: &str = "123456";
const AUDIENCE: &str = "789";
const FIND_PATH: &str = "/ad_accounts/123456/audiences/789";
const AUDIENCES_PATH: &str = "/ad_accounts/123456/audiences";
const RUN_PATH: &str = "/ad_accounts/123456/customer_lists/555/uploads/777/run";
const AUDIENCE_JSON: &str = r#"{"id":"789","name":"Subscribers","ad_account_id":"123456"}"#;
const UPLOAD_JSON: &str = r#"{"ad_account_id":"123456","customer_list_id":"555","id":"777",
    "operation":"ADD","state":"RUNNING","creation_time":1700000000,"updated_time":1700000001}"#;
const BUSY_JSON: &str = r#"{"code":1,"message":"Service busy"}"#;
const LIMIT_JSON: &str = r#"{"code":8,"message":"Rate limit exceeded"}"#;
/// Bounds every call: a hung call fails the test instead of hanging it. Not a speed assertion.
const GUARD: Duration = Duration::from_secs(5);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// A builder for a client of `base_url` whose waits go to `recorder`, isolated from the
/// process environment.
fn builder(base_url: &str, recorder: &Arc<Recorder>) -> ClientBuilder {
    Client::builder()
        .environment(Environment::empty())
        .access_token(TOKEN)
        .base_url(base_url)
        .sleeper(recorder.clone())
}

fn client(base_url: &str, recorder: &Arc<Recorder>) -> Client {
    builder(base_url, recorder).build().unwrap()
}

/// One canned answer of a status burst.
#[derive(Clone, Copy, Debug)]
struct Answer {
    status: u16,
    headers: &'static [(&'static str, &'static str)],
    body: &'static str,
}

const fn answer(status: u16, body: &'static str) -> Answer {
    Answer {
        status,
        headers: &[],
        body,
    }
}

const fn answer_with(
    status: u16,
    headers: &'static [(&'static str, &'static str)],
    body: &'static str,
) -> Answer {
    Answer {
        status,
        headers,
        body,
    }
}

/// Answers the n-th matching request with `answers[n]` (the last one repeats).
fn burst(then: Then, answers: Vec<Answer>) -> Then {
    let next = AtomicUsize::new(0);
    then.respond_with(move |_req: &HttpMockRequest| {
        let n = next.fetch_add(1, Ordering::SeqCst).min(answers.len() - 1);
        let a = answers[n];
        let mut response = HttpMockResponse::builder()
            .status(a.status)
            .header("content-type", "application/json")
            .header("x-pinterest-rid", format!("rid-{}", n + 1));
        for (name, value) in a.headers {
            response = response.header(*name, *value);
        }
        response.body(a.body).build()
    })
}

/// A GET of the audience `789`, answered by `answers` in turn.
async fn find_mock(server: &MockServer, answers: Vec<Answer>) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(FIND_PATH)
                .header("authorization", format!("Bearer {TOKEN}"));
            burst(then, answers);
        })
        .await
}

async fn find(
    client: &Client,
) -> pinterest::Result<pinterest::Response<pinterest::models::Audience>> {
    tokio::time::timeout(GUARD, client.audiences().find(ACCOUNT, AUDIENCE).send())
        .await
        .expect("the call hung")
}

fn create_request() -> AudienceCreateRequest {
    AudienceCreateRequest::builder()
        .name("Subscribers")
        .audience_type(AudienceType::CustomerList)
        .rule(AudienceRule {
            customer_list_id: Some("555".into()),
            ..Default::default()
        })
        .try_into()
        .unwrap()
}

fn create_body() -> serde_json::Value {
    serde_json::json!({
        "name": "Subscribers",
        "audience_type": "CUSTOMER_LIST",
        "rule": {"customer_list_id": "555"}
    })
}

async fn create_mock(server: &MockServer, answers: Vec<Answer>) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path(AUDIENCES_PATH)
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("content-type", "application/json")
                .json_body(create_body());
            burst(then, answers);
        })
        .await
}

// ---------------------------------------------------------------------------------------------
// Status bursts
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn get_retries_503s_with_bounded_backoff_then_succeeds() {
    let server = MockServer::start_async().await;
    let recorder = Arc::new(Recorder::default());
    let mock = find_mock(
        &server,
        vec![
            answer(503, BUSY_JSON),
            answer(503, BUSY_JSON),
            answer(200, AUDIENCE_JSON),
        ],
    )
    .await;
    let unmatched = catch_all(&server).await;

    let audience = find(&client(&server.base_url(), &recorder))
        .await
        .expect("the third attempt succeeds");

    assert_eq!(audience.id.as_deref(), Some("789"));
    assert_eq!(audience.name.as_deref(), Some("Subscribers"));
    assert_eq!(audience.status().as_u16(), 200);
    assert_eq!(audience.request_id(), Some("rid-3"));
    assert_eq!(mock.calls_async().await, 3);
    assert_eq!(unmatched.calls_async().await, 0);
    let waits = recorder.waits();
    assert_eq!(waits.len(), 2, "{waits:?}");
    // Full jitter: any wait up to the ceiling (500 ms, then 1 s) is allowed.
    assert!(waits[0] <= ms(500), "{waits:?}");
    assert!(waits[1] <= ms(1_000), "{waits:?}");
}

#[tokio::test]
async fn backoff_ceiling_follows_the_policy() {
    // With a zero base delay every backoff is exactly zero; with a 10 ms base and a 15 ms cap,
    // the ceilings are 10 ms then 15 ms.
    let server = MockServer::start_async().await;
    let mock = find_mock(&server, vec![answer(502, "")]).await;
    let unmatched = catch_all(&server).await;

    let recorder = Arc::new(Recorder::default());
    let policy = RetryPolicy::default()
        .max_attempts(4)
        .base_delay(Duration::ZERO);
    let c = builder(&server.base_url(), &recorder)
        .retry_policy(policy)
        .build()
        .unwrap();
    let err = find(&c).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(recorder.waits(), vec![Duration::ZERO; 3]);
    assert_eq!(mock.calls_async().await, 4);

    let recorder = Arc::new(Recorder::default());
    let policy = RetryPolicy::default()
        .max_attempts(4)
        .base_delay(ms(10))
        .max_backoff(ms(15));
    let c = builder(&server.base_url(), &recorder)
        .retry_policy(policy)
        .build()
        .unwrap();
    find(&c).await.unwrap_err();
    let waits = recorder.waits();
    assert_eq!(waits.len(), 3, "{waits:?}");
    assert!(waits[0] <= ms(10), "{waits:?}");
    assert!(waits[1] <= ms(15) && waits[2] <= ms(15), "{waits:?}");
    assert_eq!(mock.calls_async().await, 8);
    assert_eq!(unmatched.calls_async().await, 0);
}

#[tokio::test]
async fn retry_after_is_waited_exactly() {
    let server = MockServer::start_async().await;
    let recorder = Arc::new(Recorder::default());
    let mock = find_mock(
        &server,
        vec![
            answer_with(429, &[("retry-after", "7")], LIMIT_JSON),
            answer(200, AUDIENCE_JSON),
        ],
    )
    .await;
    let unmatched = catch_all(&server).await;

    let audience = find(&client(&server.base_url(), &recorder)).await.unwrap();

    assert_eq!(audience.id.as_deref(), Some("789"));
    assert_eq!(recorder.waits(), vec![secs(7)]);
    assert_eq!(mock.calls_async().await, 2);
    assert_eq!(unmatched.calls_async().await, 0);
}

#[tokio::test]
async fn rate_limit_reset_is_the_fallback_wait_on_429() {
    let server = MockServer::start_async().await;
    let recorder = Arc::new(Recorder::default());
    let mock = find_mock(
        &server,
        vec![
            answer_with(
                429,
                &[
                    ("x-ratelimit-reset", "3"),
                    ("x-ratelimit-limit", "100, 100;w=1"),
                ],
                LIMIT_JSON,
            ),
            answer(200, AUDIENCE_JSON),
        ],
    )
    .await;
    let unmatched = catch_all(&server).await;

    find(&client(&server.base_url(), &recorder)).await.unwrap();

    assert_eq!(recorder.waits(), vec![secs(3)]);
    assert_eq!(mock.calls_async().await, 2);
    assert_eq!(unmatched.calls_async().await, 0);
}

#[tokio::test]
async fn http_date_retry_after_is_measured_against_the_date_header() {
    let server = MockServer::start_async().await;
    let recorder = Arc::new(Recorder::default());
    let mock = find_mock(
        &server,
        vec![
            answer_with(
                503,
                &[
                    ("retry-after", "Wed, 21 Oct 2015 07:28:04 GMT"),
                    ("date", "Wed, 21 Oct 2015 07:28:00 GMT"),
                ],
                BUSY_JSON,
            ),
            answer(200, AUDIENCE_JSON),
        ],
    )
    .await;
    let unmatched = catch_all(&server).await;

    find(&client(&server.base_url(), &recorder)).await.unwrap();

    assert_eq!(recorder.waits(), vec![secs(4)]);
    assert_eq!(mock.calls_async().await, 2);
    assert_eq!(unmatched.calls_async().await, 0);
}

#[tokio::test]
async fn rate_limit_reset_on_an_ordinary_503_is_not_a_wait() {
    // Every response carries X-RateLimit-Reset; on a 503 with quota left it only says when the
    // window rolls over, so the client backs off instead of waiting 40,000 s.
    let server = MockServer::start_async().await;
    let recorder = Arc::new(Recorder::default());
    let mock = find_mock(
        &server,
        vec![
            answer_with(
                503,
                &[
                    ("x-ratelimit-reset", "40000"),
                    ("x-ratelimit-remaining", "10"),
                ],
                BUSY_JSON,
            ),
            answer(200, AUDIENCE_JSON),
        ],
    )
    .await;
    let unmatched = catch_all(&server).await;

    find(&client(&server.base_url(), &recorder)).await.unwrap();

    let waits = recorder.waits();
    assert_eq!(waits.len(), 1, "{waits:?}");
    assert!(waits[0] <= ms(500), "{waits:?}");
    assert_eq!(mock.calls_async().await, 2);
    assert_eq!(unmatched.calls_async().await, 0);
}

#[tokio::test]
async fn a_503_reporting_the_quota_gone_waits_for_the_reset() {
    let server = MockServer::start_async().await;
    let recorder = Arc::new(Recorder::default());
    let mock = find_mock(
        &server,
        vec![
            answer_with(
                503,
                &[("x-ratelimit-reset", "5"), ("x-ratelimit-remaining", "0")],
                BUSY_JSON,
            ),
            answer(200, AUDIENCE_JSON),
        ],
    )
    .await;
    let unmatched = catch_all(&server).await;

    find(&client(&server.base_url(), &recorder)).await.unwrap();

    assert_eq!(recorder.waits(), vec![secs(5)]);
    assert_eq!(mock.calls_async().await, 2);
    assert_eq!(unmatched.calls_async().await, 0);
}

#[tokio::test]
async fn a_wait_longer_than_allowed_fails_at_once() {
    let cases: &[&'static [(&'static str, &'static str)]] = &[
        &[("retry-after", "67000")],
        // A used-up daily quota: no Retry-After, the reset is hours away.
        &[
            ("x-ratelimit-reset", "67000"),
            ("x-ratelimit-remaining", "0"),
        ],
    ];
    for headers in cases {
        let server = MockServer::start_async().await;
        let recorder = Arc::new(Recorder::default());
        let mock = find_mock(
            &server,
            vec![
                answer_with(429, headers, LIMIT_JSON),
                answer_with(429, headers, LIMIT_JSON),
                answer(200, AUDIENCE_JSON),
            ],
        )
        .await;
        let unmatched = catch_all(&server).await;

        let err = find(&client(&server.base_url(), &recorder))
            .await
            .unwrap_err();

        assert_eq!(err.kind(), ErrorKind::RateLimited, "{headers:?}");
        assert!(err.is_rate_limited());
        assert_eq!(err.retry_after(), Some(secs(67_000)), "{headers:?}");
        assert_eq!(err.code(), Some(8));
        assert_eq!(err.message(), Some("Rate limit exceeded"));
        assert_eq!(err.request_id(), Some("rid-1"));
        assert_eq!(mock.calls_async().await, 1, "{headers:?}");
        assert!(recorder.waits().is_empty(), "{:?}", recorder.waits());

        // Without an overall deadline, max_wait alone still refuses the wait.
        let c = builder(&server.base_url(), &recorder)
            .retry_policy(RetryPolicy::default().deadline(None))
            .build()
            .unwrap();
        let err = find(&c).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::RateLimited, "{headers:?}");
        assert_eq!(mock.calls_async().await, 2, "{headers:?}");
        assert!(recorder.waits().is_empty(), "{:?}", recorder.waits());
        assert_eq!(unmatched.calls_async().await, 0);
    }
}

#[tokio::test]
async fn a_server_wait_past_the_deadline_stops_without_waiting() {
    let server = MockServer::start_async().await;
    let recorder = Arc::new(Recorder::default());
    let mock = find_mock(
        &server,
        vec![
            answer_with(429, &[("retry-after", "2")], LIMIT_JSON),
            answer(200, AUDIENCE_JSON),
        ],
    )
    .await;
    let unmatched = catch_all(&server).await;
    let policy = RetryPolicy::default().deadline(Some(secs(1)));
    let c = builder(&server.base_url(), &recorder)
        .retry_policy(policy.clone())
        .build()
        .unwrap();

    let err = find(&c).await.unwrap_err();

    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(secs(2)));
    assert!(recorder.waits().is_empty(), "{:?}", recorder.waits());
    assert_eq!(mock.calls_async().await, 1);
    assert_eq!(unmatched.calls_async().await, 0);

    // Control: the same policy does retry when the server's wait fits in the budget.
    let server = MockServer::start_async().await;
    let recorder = Arc::new(Recorder::default());
    let mock = find_mock(
        &server,
        vec![
            answer_with(429, &[("retry-after", "0")], LIMIT_JSON),
            answer(200, AUDIENCE_JSON),
        ],
    )
    .await;
    let c = builder(&server.base_url(), &recorder)
        .retry_policy(policy)
        .build()
        .unwrap();
    find(&c).await.unwrap();
    assert_eq!(recorder.waits(), vec![Duration::ZERO]);
    assert_eq!(mock.calls_async().await, 2);
}

/// Near the deadline the client returns the server's own error instead of starting an attempt
/// too short to finish, which would end in a timeout of its own making.
#[tokio::test]
async fn a_server_error_near_the_deadline_is_returned_as_it_is() {
    let server = MockServer::start_async().await;
    let recorder = Arc::new(Recorder::default());
    // The 503 arrives 700 ms into a 1 s budget: 300 ms left, less than MIN_ATTEMPT_TIME.
    // (Without that rule, a second attempt with a ~300 ms timeout would time out waiting
    // for this slow server and the caller would see a Timeout instead of the 503.) The
    // margins, 300 ms for the answer and 200 ms for the rule, survive a loaded machine.
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(FIND_PATH)
                .header("authorization", format!("Bearer {TOKEN}"));
            then.status(503)
                .header("content-type", "application/json")
                .header("x-pinterest-rid", "rid-slow-503")
                .body(BUSY_JSON)
                .delay(ms(700));
        })
        .await;
    let unmatched = catch_all(&server).await;
    let c = builder(&server.base_url(), &recorder)
        .retry_policy(RetryPolicy::default().deadline(Some(ms(1000))))
        .build()
        .unwrap();

    let err = find(&c).await.unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Server, "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.code(), Some(1));
    assert_eq!(err.message(), Some("Service busy"));
    assert_eq!(err.request_id(), Some("rid-slow-503"));
    assert_eq!(mock.calls_async().await, 1);
    assert!(recorder.waits().is_empty(), "{:?}", recorder.waits());
    assert_eq!(unmatched.calls_async().await, 0);
    assert_eq!(pinterest::retry::MIN_ATTEMPT_TIME, ms(500));
}

#[tokio::test]
async fn exhausted_attempts_return_the_last_server_error() {
    let server = MockServer::start_async().await;
    let recorder = Arc::new(Recorder::default());
    let mock = find_mock(
        &server,
        vec![
            answer(500, BUSY_JSON),
            answer(502, "<html><body>Bad Gateway</body></html>"),
            answer(503, r#"{"code":3,"message":"Still busy"}"#),
            answer(200, AUDIENCE_JSON),
        ],
    )
    .await;
    let unmatched = catch_all(&server).await;

    let err = find(&client(&server.base_url(), &recorder))
        .await
        .unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Server);
    assert!(err.is_server());
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.code(), Some(3));
    assert_eq!(err.message(), Some("Still busy"));
    assert_eq!(err.request_id(), Some("rid-3"));
    assert_eq!(mock.calls_async().await, 3);
    assert_eq!(recorder.waits().len(), 2);
    assert_eq!(unmatched.calls_async().await, 0);
}

#[tokio::test]
async fn a_disabled_policy_makes_one_attempt() {
    let server = MockServer::start_async().await;
    let recorder = Arc::new(Recorder::default());
    let mock = find_mock(
        &server,
        vec![
            answer(503, BUSY_JSON),
            answer(503, BUSY_JSON),
            answer(200, AUDIENCE_JSON),
        ],
    )
    .await;
    let unmatched = catch_all(&server).await;
    let c = builder(&server.base_url(), &recorder)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();

    let err = find(&c).await.unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(mock.calls_async().await, 1);
    assert!(recorder.waits().is_empty());

    // Also per call, on a client that would otherwise retry.
    let retrying = client(&server.base_url(), &recorder);
    let err = tokio::time::timeout(
        GUARD,
        retrying
            .audiences()
            .find(ACCOUNT, AUDIENCE)
            .retry_policy(RetryPolicy::disabled())
            .send(),
    )
    .await
    .unwrap()
    .unwrap_err();
    // The burst's next answer is a 200, so a second attempt would have succeeded.
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(mock.calls_async().await, 2);
    assert!(recorder.waits().is_empty());
    assert_eq!(unmatched.calls_async().await, 0);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    for (status, kind) in [
        (400, ErrorKind::BadRequest),
        (403, ErrorKind::Forbidden),
        (404, ErrorKind::NotFound),
        (409, ErrorKind::UnexpectedStatus),
        (302, ErrorKind::UnexpectedStatus),
    ] {
        let server = MockServer::start_async().await;
        let recorder = Arc::new(Recorder::default());
        let mock = find_mock(
            &server,
            vec![
                answer_with(
                    status,
                    &[("retry-after", "1"), ("location", "https://example.com/")],
                    r#"{"code":5,"message":"Nope"}"#,
                ),
                answer(200, AUDIENCE_JSON),
            ],
        )
        .await;
        let unmatched = catch_all(&server).await;

        let err = find(&client(&server.base_url(), &recorder))
            .await
            .unwrap_err();

        assert_eq!(err.kind(), kind, "{status}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(err.code(), Some(5), "{status}");
        assert_eq!(mock.calls_async().await, 1, "{status}");
        assert!(recorder.waits().is_empty(), "{status}");
        // A 302 is reported, never followed (with the token) to another host.
        assert_eq!(unmatched.calls_async().await, 0, "{status}");
    }
}

// ---------------------------------------------------------------------------------------------
// Non-idempotent calls
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_post_is_sent_once_by_default() {
    let server = MockServer::start_async().await;
    let recorder = Arc::new(Recorder::default());
    let mock = create_mock(
        &server,
        vec![answer(503, BUSY_JSON), answer(200, AUDIENCE_JSON)],
    )
    .await;
    let unmatched = catch_all(&server).await;
    let c = client(&server.base_url(), &recorder);

    let err = tokio::time::timeout(
        GUARD,
        c.audiences().create(ACCOUNT, create_request()).send(),
    )
    .await
    .unwrap()
    .unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(mock.calls_async().await, 1);
    assert!(recorder.waits().is_empty());
    assert_eq!(unmatched.calls_async().await, 0);
}

#[tokio::test]
async fn a_post_is_retried_when_the_call_allows_it() {
    let server = MockServer::start_async().await;
    let recorder = Arc::new(Recorder::default());
    let mock = create_mock(
        &server,
        vec![answer(503, BUSY_JSON), answer(200, AUDIENCE_JSON)],
    )
    .await;
    let unmatched = catch_all(&server).await;
    let c = client(&server.base_url(), &recorder);

    let created = tokio::time::timeout(
        GUARD,
        c.audiences()
            .create(ACCOUNT, create_request())
            .retry_policy(RetryPolicy::default().retry_non_idempotent(true))
            .send(),
    )
    .await
    .unwrap()
    .unwrap();

    assert_eq!(created.id.as_deref(), Some("789"));
    // The mock matches the exact JSON body, so both attempts sent the same body.
    assert_eq!(mock.calls_async().await, 2);
    let waits = recorder.waits();
    assert_eq!(waits.len(), 1);
    assert!(waits[0] <= ms(500), "{waits:?}");

    // The per-call policy does not stick to the client: the next POST is sent once.
    mock.delete_async().await;
    unmatched.delete_async().await;
    let mock = create_mock(&server, vec![answer(503, BUSY_JSON)]).await;
    let unmatched = catch_all(&server).await;
    let err = tokio::time::timeout(
        GUARD,
        c.audiences().create(ACCOUNT, create_request()).send(),
    )
    .await
    .unwrap()
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(mock.calls_async().await, 1);
    assert_eq!(recorder.waits().len(), 1);
    assert_eq!(unmatched.calls_async().await, 0);
}

#[tokio::test]
async fn a_body_less_post_is_sent_once_by_default_and_retried_on_request() {
    let server = MockServer::start_async().await;
    let run_mock = |answers: Vec<Answer>| {
        server.mock_async(move |when, then| {
            when.method(POST)
                .path(RUN_PATH)
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("content-length", "0");
            burst(then, answers);
        })
    };
    let mock = run_mock(vec![answer(503, BUSY_JSON), answer(200, UPLOAD_JSON)]).await;
    let unmatched = catch_all(&server).await;
    let recorder = Arc::new(Recorder::default());
    let c = client(&server.base_url(), &recorder);

    let err = tokio::time::timeout(
        GUARD,
        c.customer_list_uploads().run(ACCOUNT, "555", "777").send(),
    )
    .await
    .unwrap()
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(mock.calls_async().await, 1);
    assert!(recorder.waits().is_empty());

    mock.delete_async().await;
    unmatched.delete_async().await;
    let mock = run_mock(vec![answer(503, BUSY_JSON), answer(200, UPLOAD_JSON)]).await;
    let unmatched = catch_all(&server).await;
    let upload = tokio::time::timeout(
        GUARD,
        c.customer_list_uploads()
            .run(ACCOUNT, "555", "777")
            .retry_policy(RetryPolicy::default().retry_non_idempotent(true))
            .send(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(upload.id, "777");
    assert_eq!(upload.operation, UserListOperationType::Add);
    assert_eq!(mock.calls_async().await, 2);
    assert_eq!(recorder.waits().len(), 1);
    assert_eq!(unmatched.calls_async().await, 0);
}

// ---------------------------------------------------------------------------------------------
// A hand-written server for faults httpmock cannot produce
// ---------------------------------------------------------------------------------------------

/// What the stub does with one connection, after reading the request.
#[derive(Clone, Copy, Debug)]
enum Conduct {
    /// Closes the connection without answering (FIN).
    Close,
    /// Resets the connection without answering (RST, via a zero linger).
    Reset,
    /// Holds the connection open and never answers.
    Stall,
    /// Answers with this status line and JSON body.
    Answer(&'static str, &'static str),
    /// Sends the head with `Content-Length` larger than the body, sends part of the body, and
    /// closes.
    CutShort(&'static str, &'static str),
    /// Like `CutShort`, but holds the connection open instead of closing it.
    StallMidBody(&'static str, &'static str),
}

/// A TCP server on 127.0.0.1 that treats the n-th connection as `plan[n]` says (the last entry
/// repeats) and counts connections.
struct Stub {
    base_url: String,
    accepted: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Stub {
    async fn start(plan: Vec<Conduct>) -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let accepted = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (count, seen) = (accepted.clone(), requests.clone());
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let n = count.fetch_add(1, Ordering::SeqCst);
                let conduct = plan[n.min(plan.len() - 1)];
                let seen = seen.clone();
                tokio::spawn(serve(socket, conduct, seen));
            }
        });
        Stub {
            base_url,
            accepted,
            requests,
        }
    }

    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// The request lines received, e.g. `GET /ad_accounts/... HTTP/1.1`.
    fn request_lines(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

async fn serve(mut socket: TcpStream, conduct: Conduct, seen: Arc<Mutex<Vec<String>>>) {
    let Some(line) = read_request(&mut socket).await else {
        return;
    };
    seen.lock().unwrap().push(line);
    match conduct {
        Conduct::Close => drop(socket),
        Conduct::Reset => {
            socket.set_zero_linger().unwrap();
            drop(socket);
        }
        Conduct::Stall => {
            // Dropped with the test's runtime.
            tokio::time::sleep(Duration::from_secs(600)).await;
            drop(socket);
        }
        Conduct::Answer(status, body) => {
            let response = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                 x-pinterest-rid: stub\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
        Conduct::CutShort(status, body) | Conduct::StallMidBody(status, body) => {
            let response = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                 connection: close\r\n\r\n{body}",
                body.len() + 1_000
            );
            let _ = socket.write_all(response.as_bytes()).await;
            let _ = socket.flush().await;
            if matches!(conduct, Conduct::StallMidBody(..)) {
                tokio::time::sleep(Duration::from_secs(600)).await;
            }
            drop(socket);
        }
    }
}

/// Reads one request (head and `Content-Length` body) and returns its request line.
async fn read_request(socket: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    head.lines().next().map(str::to_owned)
}

// ---------------------------------------------------------------------------------------------
// Connection faults
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_dropped_connection_on_a_get_is_retried() {
    for drop_kind in [Conduct::Close, Conduct::Reset] {
        let stub = Stub::start(vec![
            drop_kind,
            drop_kind,
            Conduct::Answer("200 OK", AUDIENCE_JSON),
        ])
        .await;
        let recorder = Arc::new(Recorder::default());

        let audience = find(&client(&stub.base_url, &recorder))
            .await
            .unwrap_or_else(|e| panic!("{drop_kind:?}: {e:?}"));

        assert_eq!(audience.id.as_deref(), Some("789"), "{drop_kind:?}");
        assert_eq!(audience.request_id(), Some("stub"));
        assert_eq!(stub.accepted(), 3, "{drop_kind:?}");
        let expected_line = format!("GET {FIND_PATH} HTTP/1.1");
        assert_eq!(
            stub.request_lines(),
            vec![expected_line; 3],
            "{drop_kind:?}"
        );
        let waits = recorder.waits();
        assert_eq!(waits.len(), 2, "{drop_kind:?} {waits:?}");
        assert!(waits[0] <= ms(500) && waits[1] <= ms(1_000), "{waits:?}");
    }
}

#[tokio::test]
async fn a_dropped_connection_exhausts_attempts_as_a_transport_error() {
    let stub = Stub::start(vec![Conduct::Reset]).await;
    let recorder = Arc::new(Recorder::default());

    let err = find(&client(&stub.base_url, &recorder)).await.unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
    assert_eq!(err.status(), None);
    assert_eq!(stub.accepted(), 3);
    assert_eq!(recorder.waits().len(), 2);
}

#[tokio::test]
async fn a_dropped_connection_on_a_post_is_not_retried() {
    // The request reached the server: it may have been processed, so it is not sent again.
    let stub = Stub::start(vec![
        Conduct::Close,
        Conduct::Answer("200 OK", AUDIENCE_JSON),
    ])
    .await;
    let recorder = Arc::new(Recorder::default());
    let c = client(&stub.base_url, &recorder);

    let err = tokio::time::timeout(
        GUARD,
        c.audiences().create(ACCOUNT, create_request()).send(),
    )
    .await
    .unwrap()
    .unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
    assert_eq!(stub.accepted(), 1);
    assert_eq!(
        stub.request_lines(),
        vec![format!("POST {AUDIENCES_PATH} HTTP/1.1")]
    );
    assert!(recorder.waits().is_empty());
}

#[tokio::test]
async fn an_error_body_cut_short_keeps_the_status_and_what_arrived() {
    let stub = Stub::start(vec![Conduct::CutShort(
        "502 Bad Gateway",
        r#"{"code":1,"mess"#,
    )])
    .await;
    let recorder = Arc::new(Recorder::default());
    let c = builder(&stub.base_url, &recorder)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();

    let err = find(&c).await.unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Server, "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    let body = err.api_error().unwrap().body();
    assert!(body.is_truncated());
    assert_eq!(body.as_str_lossy(), r#"{"code":1,"mess"#);
    assert_eq!(err.code(), None);
    assert_eq!(stub.accepted(), 1);
}

#[tokio::test]
async fn a_success_body_cut_short_is_retried_on_a_get() {
    let stub = Stub::start(vec![
        Conduct::CutShort("200 OK", r#"{"id":"78"#),
        Conduct::Answer("200 OK", AUDIENCE_JSON),
    ])
    .await;
    let recorder = Arc::new(Recorder::default());

    let audience = find(&client(&stub.base_url, &recorder)).await.unwrap();

    assert_eq!(audience.id.as_deref(), Some("789"));
    assert_eq!(stub.accepted(), 2);
    assert_eq!(recorder.waits().len(), 1);
}

#[tokio::test]
async fn a_stalled_server_times_out_promptly() {
    let stub = Stub::start(vec![Conduct::Stall]).await;
    let recorder = Arc::new(Recorder::default());
    let c = builder(&stub.base_url, &recorder)
        .timeout(ms(200))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();

    let err = find(&c).await.unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(err.is_timeout());
    match &err {
        pinterest::Error::Timeout { phase, .. } => assert_eq!(*phase, TimeoutPhase::Request),
        other => panic!("expected a request timeout, got {other:?}"),
    }
    assert_eq!(err.to_string(), "request timeout calling the Pinterest API");
    assert_eq!(stub.accepted(), 1);
    assert!(recorder.waits().is_empty());
}

#[tokio::test]
async fn a_body_that_stalls_times_out_as_a_request_timeout() {
    // The head arrives in time; the body never finishes. Whether the status is an error or a
    // success, the call ends as a request timeout.
    for (status, kind) in [
        ("200 OK", ErrorKind::Timeout),
        ("503 Service Unavailable", ErrorKind::Server),
    ] {
        let stub = Stub::start(vec![Conduct::StallMidBody(status, r#"{"id":"7"#)]).await;
        let recorder = Arc::new(Recorder::default());
        let c = builder(&stub.base_url, &recorder)
            .timeout(ms(300))
            .retry_policy(RetryPolicy::disabled())
            .build()
            .unwrap();

        let err = find(&c).await.unwrap_err();

        assert_eq!(err.kind(), kind, "{status}: {err:?}");
        assert_eq!(stub.accepted(), 1);
        if kind == ErrorKind::Timeout {
            assert!(
                matches!(
                    err,
                    pinterest::Error::Timeout {
                        phase: TimeoutPhase::Request,
                        ..
                    }
                ),
                "{err:?}"
            );
        } else {
            // The status is the news; the body keeps what arrived, marked cut short.
            let body = err.api_error().unwrap().body();
            assert!(body.is_truncated());
            assert_eq!(body.as_str_lossy(), r#"{"id":"7"#);
        }
    }
}

#[tokio::test]
async fn request_timeouts_are_retried_on_a_get_but_not_on_a_post() {
    let stub = Stub::start(vec![Conduct::Stall]).await;
    let recorder = Arc::new(Recorder::default());
    let c = builder(&stub.base_url, &recorder)
        .timeout(ms(200))
        .build()
        .unwrap();

    let err = find(&c).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert_eq!(stub.accepted(), 3);
    assert_eq!(recorder.waits().len(), 2);

    let stub = Stub::start(vec![Conduct::Stall]).await;
    let recorder = Arc::new(Recorder::default());
    let c = builder(&stub.base_url, &recorder)
        .timeout(ms(200))
        .build()
        .unwrap();
    let err = tokio::time::timeout(
        GUARD,
        c.audiences().create(ACCOUNT, create_request()).send(),
    )
    .await
    .unwrap()
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert_eq!(stub.accepted(), 1);
    assert!(recorder.waits().is_empty());
}

/// A loopback address on which nothing listens: bind a port, then free it.
async fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error_and_a_post_is_retried_only_on_request() {
    let url = closed_port_url().await;

    let recorder = Arc::new(Recorder::default());
    let c = builder(&url, &recorder)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let err = find(&c).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err:?}");
    assert_eq!(err.status(), None);
    assert!(recorder.waits().is_empty());

    // A GET is retried after a connect failure by default.
    let recorder = Arc::new(Recorder::default());
    let c = client(&url, &recorder);
    let err = find(&c).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err:?}");
    assert_eq!(recorder.waits().len(), 2, "{:?}", recorder.waits());

    // A POST is sent once by default, whatever the failure: one attempt, no wait.
    let recorder = Arc::new(Recorder::default());
    let c = client(&url, &recorder);
    let err = tokio::time::timeout(
        GUARD,
        c.audiences().create(ACCOUNT, create_request()).send(),
    )
    .await
    .unwrap()
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err:?}");
    assert!(recorder.waits().is_empty(), "{:?}", recorder.waits());

    // Opted in for the call, it is retried with backoff.
    let err = tokio::time::timeout(
        GUARD,
        c.audiences()
            .create(ACCOUNT, create_request())
            .retry_policy(RetryPolicy::default().retry_non_idempotent(true))
            .send(),
    )
    .await
    .unwrap()
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connect, "{err:?}");
    let waits = recorder.waits();
    assert_eq!(waits.len(), 2, "{waits:?}");
    assert!(waits[0] <= ms(500) && waits[1] <= ms(1_000), "{waits:?}");
}

#[tokio::test]
async fn the_retry_deadline_shortens_an_attempt_timeout() {
    // The client's own timeout is 30 s, but only 300 ms of the retry budget is left: the
    // attempt must end with the budget, not 30 s later.
    let stub = Stub::start(vec![Conduct::Stall]).await;
    let recorder = Arc::new(Recorder::default());
    let c = builder(&stub.base_url, &recorder)
        .timeout(secs(30))
        .retry_policy(RetryPolicy::default().deadline(Some(ms(300))))
        .build()
        .unwrap();

    let err = tokio::time::timeout(secs(10), find(&c))
        .await
        .expect("the deadline did not bound the attempt")
        .unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert_eq!(stub.accepted(), 1);
    assert!(recorder.waits().is_empty(), "{:?}", recorder.waits());
}

/// A loopback listener whose accept queue is full, so a new connection's handshake never
/// completes (Linux drops the SYN): connecting to it hangs until the open timeout fires.
/// Returns the URL and the sockets that keep the queue full.
async fn unanswered_port_url() -> (String, tokio::net::TcpListener, Vec<TcpStream>) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    // Fill the queue: these connect, are never accepted, and stay open.
    let mut fillers = Vec::new();
    for _ in 0..4 {
        match tokio::time::timeout(ms(200), TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => fillers.push(stream),
            _ => break,
        }
    }
    (format!("http://{addr}"), listener, fillers)
}

#[tokio::test]
async fn an_open_timeout_is_a_connect_timeout_and_nothing_was_sent() {
    let (url, _listener, _fillers) = unanswered_port_url().await;
    let recorder = Arc::new(Recorder::default());
    let c = builder(&url, &recorder)
        .open_timeout(ms(200))
        .timeout(secs(20))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();

    let err = tokio::time::timeout(GUARD, find(&c))
        .await
        .expect("the open timeout did not fire")
        .unwrap_err();

    assert_eq!(err.kind(), ErrorKind::ConnectTimeout, "{err:?}");
    assert!(err.is_timeout());
    match &err {
        pinterest::Error::Timeout { phase, .. } => assert_eq!(*phase, TimeoutPhase::Connect),
        other => panic!("expected a connect timeout, got {other:?}"),
    }

    // Even though nothing was sent, a POST is not retried by default.
    let c = builder(&url, &recorder)
        .open_timeout(ms(200))
        .timeout(secs(20))
        .build()
        .unwrap();
    let err = tokio::time::timeout(
        GUARD,
        c.audiences().create(ACCOUNT, create_request()).send(),
    )
    .await
    .expect("the open timeout did not fire")
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectTimeout, "{err:?}");
    assert!(recorder.waits().is_empty(), "{:?}", recorder.waits());
}
