//! The SDK's tracing output (target `pinterest`) carries the call's span fields and retry
//! events, and never a secret: access tokens, refresh tokens, the client secret or an
//! authorization code.
//!
//! Each test installs a subscriber for its own thread only (`set_default`) and runs on a
//! current-thread runtime, so tests running in parallel do not see each other's events.

mod common;

use common::{Recorder, catch_all};
use httpmock::prelude::*;
use httpmock::{Mock, Then};
use pinterest::{Client, ClientBuilder, Environment, ErrorKind, RetryPolicy};
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncReadExt as _;
use tokio::net::TcpListener;
use tracing::Level;
use tracing::subscriber::DefaultGuard;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt as _;

/// Every secret below contains this marker, so one search finds any of them (or a piece of
/// one long enough to hold it).
const MARKER: &str = "s3cr3t";
const ACCESS_TOKEN: &str = "pina_ACCESS_s3cr3t_1a2b3c";
const REFRESH_TOKEN: &str = "pinr_REFRESH_s3cr3t_4d5e6f";
const CLIENT_ID: &str = "1234567";
const CLIENT_SECRET: &str = "CLIENT_s3cr3t_7g8h9i";
const NEW_ACCESS_TOKEN: &str = "pina_NEWACCESS_s3cr3t_0j1k";
const NEW_REFRESH_TOKEN: &str = "pinr_NEWREFRESH_s3cr3t_2l3m";
const AUTH_CODE: &str = "code_s3cr3t_9z8y";
const SECRETS: [&str; 6] = [
    ACCESS_TOKEN,
    REFRESH_TOKEN,
    CLIENT_SECRET,
    NEW_ACCESS_TOKEN,
    NEW_REFRESH_TOKEN,
    AUTH_CODE,
];

const FIND_PATH: &str = "/ad_accounts/123456/audiences/789";
const AUDIENCE_JSON: &str = r#"{"id":"789","name":"Subscribers"}"#;
const GUARD: Duration = Duration::from_secs(5);

/// A log buffer the fmt layer writes into.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

struct CapturedWriter(Arc<Mutex<Vec<u8>>>);

impl io::Write for CapturedWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = CapturedWriter;

    fn make_writer(&'a self) -> CapturedWriter {
        CapturedWriter(self.0.clone())
    }
}

/// Captures every event and span (opened and closed) of targets starting with `pinterest`, at
/// every level, on this thread until the guard drops.
fn capture() -> (Captured, DefaultGuard) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(Level::TRACE)
        .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
        .finish()
        .with(Targets::new().with_target("pinterest", Level::TRACE));
    let guard = tracing::subscriber::set_default(subscriber);
    (captured, guard)
}

/// Fails if the log (or any other text) holds a secret, the Basic credentials, or a bearer
/// header value.
fn assert_no_secrets(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} leaks {secret}:\n{text}");
    }
    assert!(
        !text.contains(MARKER),
        "{what} leaks part of a secret:\n{text}"
    );
    let basic = base64_encode(format!("{CLIENT_ID}:{CLIENT_SECRET}").as_bytes());
    assert!(
        !text.contains(&basic),
        "{what} leaks the Basic credentials:\n{text}"
    );
    assert!(
        !text.to_ascii_lowercase().contains("bearer "),
        "{what} shows a bearer header:\n{text}"
    );
}

/// Standard base64 with padding (to look for Basic credentials in the log).
fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn builder(base_url: &str, recorder: &Arc<Recorder>) -> ClientBuilder {
    Client::builder()
        .environment(Environment::empty())
        .access_token(ACCESS_TOKEN)
        .refresh_token(REFRESH_TOKEN)
        .client_id(CLIENT_ID)
        .client_secret(CLIENT_SECRET)
        .redirect_uri("https://example.com/callback")
        .base_url(base_url)
        .sleeper(recorder.clone())
}

/// Answers the n-th matching request with `answers[n]` (the last one repeats).
fn burst(then: Then, answers: Vec<(u16, &'static str)>) -> Then {
    let next = AtomicUsize::new(0);
    then.respond_with(move |_req: &HttpMockRequest| {
        let n = next.fetch_add(1, Ordering::SeqCst).min(answers.len() - 1);
        let (status, body) = answers[n];
        HttpMockResponse::builder()
            .status(status)
            .header("content-type", "application/json")
            .header("x-pinterest-rid", format!("rid-{}", n + 1))
            .body(body)
            .build()
    })
}

async fn find_mock<'a>(
    server: &'a MockServer,
    bearer: &str,
    answers: Vec<(u16, &'static str)>,
) -> Mock<'a> {
    let authorization = format!("Bearer {bearer}");
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(FIND_PATH)
                .header("authorization", authorization);
            burst(then, answers);
        })
        .await
}

async fn find(
    client: &Client,
) -> pinterest::Result<pinterest::Response<pinterest::models::Audience>> {
    tokio::time::timeout(GUARD, client.audiences().find("123456", "789").send())
        .await
        .expect("the call hung")
}

/// The lines of `log` that contain `needle`.
fn lines_with<'a>(log: &'a str, needle: &str) -> Vec<&'a str> {
    log.lines().filter(|l| l.contains(needle)).collect()
}

fn assert_error_text_has_no_secrets(err: &pinterest::Error) {
    assert_no_secrets("error Display", &err.to_string());
    assert_no_secrets("error Debug", &format!("{err:?}"));
}

#[tokio::test(flavor = "current_thread")]
async fn success_and_api_error_carry_the_span_fields() {
    let (captured, _guard) = capture();
    let server = MockServer::start_async().await;
    let recorder = Arc::new(Recorder::default());
    let ok = find_mock(&server, ACCESS_TOKEN, vec![(200, AUDIENCE_JSON)]).await;
    let missing = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/ad_accounts/123456/audiences/404")
                .header("authorization", format!("Bearer {ACCESS_TOKEN}"));
            then.status(404)
                .header("x-pinterest-rid", "rid-missing")
                .body(r#"{"code":2601,"message":"Audience not found."}"#);
        })
        .await;
    let unmatched = catch_all(&server).await;
    let client = builder(&server.base_url(), &recorder).build().unwrap();

    let audience = find(&client).await.unwrap();
    assert_eq!(audience.id.as_deref(), Some("789"));
    let err = tokio::time::timeout(GUARD, client.audiences().find("123456", "404").send())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_error_text_has_no_secrets(&err);
    assert_no_secrets("client Debug", &format!("{client:?}"));

    let log = captured.text();
    assert!(!log.is_empty());
    for field in [
        r#"operation="audiences/get""#,
        "method=GET",
        r#"path="/ad_accounts/{ad_account_id}/audiences/{audience_id}""#,
        "attempt=1",
        "status=200",
        r#"request_id="rid-1""#,
        "status=404",
        r#"request_id="rid-missing""#,
        "latency_ms=",
    ] {
        assert!(log.contains(field), "missing {field}:\n{log}");
    }
    // The success event sits inside the span that carries the fields.
    let succeeded = lines_with(&log, "call succeeded");
    assert_eq!(succeeded.len(), 1, "{log}");
    assert!(
        succeeded[0].contains("pinterest.call{") && succeeded[0].contains("status=200"),
        "{log}"
    );
    // The failure is reported with its kind.
    let failed = lines_with(&log, "call failed");
    assert_eq!(failed.len(), 1, "{log}");
    assert!(
        failed[0].contains("kind=NotFound") && failed[0].contains("stop=not retryable"),
        "{log}"
    );
    assert_no_secrets("log", &log);
    assert_eq!(ok.calls_async().await, 1);
    assert_eq!(missing.calls_async().await, 1);
    assert_eq!(unmatched.calls_async().await, 0);
}

#[tokio::test(flavor = "current_thread")]
async fn a_retried_503_logs_the_reason_and_the_wait() {
    let (captured, _guard) = capture();
    let server = MockServer::start_async().await;
    let recorder = Arc::new(Recorder::default());
    let mock = find_mock(
        &server,
        ACCESS_TOKEN,
        vec![
            (503, r#"{"code":1,"message":"busy"}"#),
            (200, AUDIENCE_JSON),
        ],
    )
    .await;
    let unmatched = catch_all(&server).await;
    let client = builder(&server.base_url(), &recorder).build().unwrap();

    find(&client).await.unwrap();

    let log = captured.text();
    let retrying = lines_with(&log, "retrying");
    assert_eq!(retrying.len(), 1, "{log}");
    let line = retrying[0];
    assert!(
        line.contains("reason=server error (HTTP 503 Service Unavailable)"),
        "{line}"
    );
    let waits = recorder.waits();
    assert_eq!(waits.len(), 1);
    assert!(
        line.contains(&format!("wait_ms={}", waits[0].as_millis())),
        "{line} vs {waits:?}"
    );
    assert!(line.contains("attempt=1"), "{line}");
    assert!(line.contains("status=503"), "{line}");
    assert!(log.contains("attempt=2"), "{log}");
    assert!(log.contains(r#"request_id="rid-2""#), "{log}");
    assert_no_secrets("log", &log);
    assert_eq!(mock.calls_async().await, 2);
    assert_eq!(unmatched.calls_async().await, 0);
}

#[tokio::test(flavor = "current_thread")]
async fn a_long_server_wait_is_logged_as_a_warning() {
    let (captured, _guard) = capture();
    let server = MockServer::start_async().await;
    let recorder = Arc::new(Recorder::default());
    let _mock = server
        .mock_async(|when, then| {
            when.method(GET).path(FIND_PATH);
            then.status(429)
                .header("x-ratelimit-reset", "67000")
                .header("x-ratelimit-remaining", "0")
                .body(r#"{"code":8,"message":"Rate limit exceeded"}"#);
        })
        .await;
    let client = builder(&server.base_url(), &recorder).build().unwrap();

    let err = find(&client).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);

    let log = captured.text();
    let warned = lines_with(&log, "longer wait than the retry policy allows");
    assert_eq!(warned.len(), 1, "{log}");
    assert!(warned[0].contains("WARN") && warned[0].contains("requested_s=67000"));
    assert!(lines_with(&log, "retrying").is_empty(), "{log}");
    assert_no_secrets("log", &log);
}

#[tokio::test(flavor = "current_thread")]
async fn a_timeout_is_logged_without_secrets() {
    let (captured, _guard) = capture();
    // Accepts, reads the request, and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            held.push(socket);
        }
    });
    let recorder = Arc::new(Recorder::default());
    let client = builder(&base_url, &recorder)
        .timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::default().max_attempts(2))
        .build()
        .unwrap();

    let err = find(&client).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_error_text_has_no_secrets(&err);
    assert_eq!(accepted.load(Ordering::SeqCst), 2);

    let log = captured.text();
    let retrying = lines_with(&log, "retrying");
    assert_eq!(retrying.len(), 1, "{log}");
    assert!(retrying[0].contains("reason=request timeout"), "{log}");
    let failed = lines_with(&log, "call failed");
    assert_eq!(failed.len(), 1, "{log}");
    assert!(
        failed[0].contains("kind=Timeout") && failed[0].contains("stop=attempts exhausted"),
        "{log}"
    );
    assert_no_secrets("log", &log);
}

#[tokio::test(flavor = "current_thread")]
async fn a_token_refresh_is_logged_without_secrets() {
    let (captured, _guard) = capture();
    let server = MockServer::start_async().await;
    let recorder = Arc::new(Recorder::default());
    let rejected = find_mock(
        &server,
        ACCESS_TOKEN,
        vec![(401, r#"{"code":2,"message":"Authentication failed."}"#)],
    )
    .await;
    let token_body = serde_json::json!({
        "access_token": NEW_ACCESS_TOKEN,
        "refresh_token": NEW_REFRESH_TOKEN,
        "token_type": "bearer",
        "expires_in": 2_592_000,
        "scope": "ads:read,ads:write"
    });
    let refresh = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth/token")
                .header(
                    "authorization",
                    format!(
                        "Basic {}",
                        base64_encode(format!("{CLIENT_ID}:{CLIENT_SECRET}").as_bytes())
                    ),
                )
                .form_urlencoded_tuple("grant_type", "refresh_token")
                .form_urlencoded_tuple("refresh_token", REFRESH_TOKEN);
            then.status(200)
                .header("content-type", "application/json")
                .json_body(token_body);
        })
        .await;
    let accepted = find_mock(&server, NEW_ACCESS_TOKEN, vec![(200, AUDIENCE_JSON)]).await;
    let unmatched = catch_all(&server).await;
    let client = builder(&server.base_url(), &recorder).build().unwrap();

    let audience = find(&client).await.unwrap();
    assert_eq!(audience.id.as_deref(), Some("789"));
    assert_eq!(rejected.calls_async().await, 1);
    assert_eq!(refresh.calls_async().await, 1);
    assert_eq!(accepted.calls_async().await, 1);
    assert_eq!(unmatched.calls_async().await, 0);
    assert_no_secrets("client Debug", &format!("{client:?}"));

    let log = captured.text();
    for needle in [
        "access token rejected; refreshed it, replaying the call once",
        "access token refreshed",
        r#"operation="oauth/token""#,
        r#"path="/oauth/token""#,
        "method=POST",
        "status=401",
        "status=200",
    ] {
        assert!(log.contains(needle), "missing {needle}:\n{log}");
    }
    assert_no_secrets("log", &log);
}

#[tokio::test(flavor = "current_thread")]
async fn failed_refreshes_and_code_exchanges_are_logged_without_secrets() {
    let (captured, _guard) = capture();
    let server = MockServer::start_async().await;
    let recorder = Arc::new(Recorder::default());
    let rejected = find_mock(
        &server,
        ACCESS_TOKEN,
        vec![(401, r#"{"code":2,"message":"Authentication failed."}"#)],
    )
    .await;
    let dead_grant = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth/token")
                .form_urlencoded_tuple("grant_type", "refresh_token");
            then.status(400)
                .header("content-type", "application/json")
                .body(r#"{"code":283,"message":"Refresh token is invalid or expired"}"#);
        })
        .await;
    let exchange = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth/token")
                .form_urlencoded_tuple("grant_type", "authorization_code")
                .form_urlencoded_tuple("code", AUTH_CODE);
            // A token response that does not decode: its body must stay out of the log.
            then.status(200)
                .header("content-type", "application/json")
                .body(format!(
                    r#"{{"access_token":"{NEW_ACCESS_TOKEN}","expires_in":"soon"}}"#
                ));
        })
        .await;
    let unmatched = catch_all(&server).await;
    let client = builder(&server.base_url(), &recorder).build().unwrap();

    let err = find(&client).await.unwrap_err();
    assert_eq!(err.code(), Some(283), "{err:?}");
    assert_error_text_has_no_secrets(&err);
    let err = tokio::time::timeout(GUARD, client.oauth().exchange_code(AUTH_CODE).send())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_error_text_has_no_secrets(&err);
    assert_eq!(rejected.calls_async().await, 1);
    assert_eq!(dead_grant.calls_async().await, 1);
    assert_eq!(exchange.calls_async().await, 1);
    assert_eq!(unmatched.calls_async().await, 0);

    let log = captured.text();
    let warned = lines_with(&log, "refreshing the access token failed");
    assert_eq!(warned.len(), 1, "{log}");
    assert!(warned[0].contains("code=Some(283)"), "{log}");
    assert!(log.contains("kind=Decode"), "{log}");
    assert_no_secrets("log", &log);
}

#[test]
fn the_secret_check_would_catch_a_leak() {
    // Guards the guard: each way of leaking is caught.
    let basic = base64_encode(format!("{CLIENT_ID}:{CLIENT_SECRET}").as_bytes());
    assert_eq!(base64_encode(b"ab:c"), "YWI6Yw==");
    for leak in [
        format!("token={ACCESS_TOKEN}"),
        format!("x {}", &REFRESH_TOKEN[5..19]),
        format!("authorization: Basic {basic}"),
        "authorization: Bearer abc".to_owned(),
    ] {
        let caught = std::panic::catch_unwind(|| assert_no_secrets("test", &leak));
        assert!(caught.is_err(), "not caught: {leak}");
    }
}
