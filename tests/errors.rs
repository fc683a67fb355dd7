//! Non-2xx answers and undecodable 2xx answers, end to end: each maps to its `ErrorKind` and
//! keeps the status, Pinterest's code and message, the request id, the headers and the body.

mod common;

use common::catch_all;
use std::time::Duration;

use httpmock::When;
use httpmock::prelude::*;
use pinterest::models::UserListOperationType;
use pinterest::{Client, Environment, Error, ErrorKind, RateLimitPolicy, RetryPolicy};
use reqwest::StatusCode;
use serde_json::json;

const TOKEN: &str = "pina_test_access_token_not_real_0123456789";
const AD_ACCOUNT: &str = "549755885175";
const AUDIENCE: &str = "2542620905475";
const AUDIENCE_PATH: &str = "/ad_accounts/549755885175/audiences/2542620905475";
const REQUEST_ID: &str = "7c1f0a9e2b3d4c5f";

/// One attempt per call (no retries), no automatic refresh (a 401 is not replayed), and no
/// environment.
fn client(server: &MockServer) -> Client {
    Client::builder()
        .environment(Environment::empty())
        .access_token(TOKEN)
        .auto_refresh(false)
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client builds")
}

/// The audience `find` call as it must go out.
fn find_audience(when: When) -> When {
    when.method(GET)
        .path(AUDIENCE_PATH)
        .header("authorization", format!("Bearer {TOKEN}"))
        .header_includes("user-agent", "pinterest-ads/")
        .header_missing("api-version")
}

/// Runs the audience `find` call against a server answering `status` with `body` and the
/// given headers, checks it went out exactly once, and returns the error.
async fn find_error(status: u16, headers: &[(&str, &str)], body: &str) -> Error {
    let server = MockServer::start_async().await;
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let body = body.to_owned();
    let answer = server
        .mock_async(move |when, then| {
            find_audience(when);
            let mut then = then.status(status);
            for (name, value) in &headers {
                then = then.header(name.as_str(), value.as_str());
            }
            then.body(body);
        })
        .await;
    let fallback = catch_all(&server).await;

    let result = client(&server).audiences().find(AD_ACCOUNT, AUDIENCE).await;

    answer.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
    match result {
        Ok(value) => panic!("expected an error for HTTP {status}, got {value:?}"),
        Err(e) => e,
    }
}

fn pinterest_error(code: i64, message: &str) -> String {
    json!({ "code": code, "message": message }).to_string()
}

const JSON: (&str, &str) = ("content-type", "application/json");
const RID: (&str, &str) = ("x-pinterest-rid", REQUEST_ID);

/// Checks the parts every API error exposes.
fn assert_api_error(
    e: &Error,
    kind: ErrorKind,
    status: u16,
    code: Option<i64>,
    message: Option<&str>,
) {
    assert_eq!(e.kind(), kind, "{e}");
    assert!(matches!(e, Error::Api(_)), "{e:?}");
    assert_eq!(e.status(), Some(StatusCode::from_u16(status).unwrap()));
    assert_eq!(e.code(), code);
    assert_eq!(e.message(), message);
    assert_eq!(e.request_id(), Some(REQUEST_ID));
    let api = e.api_error().expect("api error");
    assert_eq!(api.kind(), kind);
    assert_eq!(api.status().as_u16(), status);
    assert_eq!(api.code(), code);
    assert_eq!(api.message(), message);
    assert_eq!(api.request_id(), Some(REQUEST_ID));
    assert!(e.decode_error().is_none());
}

#[tokio::test]
async fn bad_request_400() {
    let message = "Invalid request: page_size must be less than or equal to 250";
    let e = find_error(400, &[JSON, RID], &pinterest_error(1, message)).await;
    assert_api_error(&e, ErrorKind::BadRequest, 400, Some(1), Some(message));
    assert!(e.is_bad_request());
    assert_eq!(
        e.to_string(),
        format!("400 Bad Request: code 1, {message} (request id {REQUEST_ID})")
    );
}

#[tokio::test]
async fn authentication_401_is_not_replayed_and_never_shows_the_token() {
    let e = find_error(
        401,
        &[JSON, RID],
        &pinterest_error(2, "Authentication failed."),
    )
    .await;
    assert_api_error(
        &e,
        ErrorKind::Authentication,
        401,
        Some(2),
        Some("Authentication failed."),
    );
    assert!(e.is_authentication());
    assert!(!e.is_forbidden());
    let display = e.to_string();
    assert_eq!(
        display,
        format!("401 Unauthorized: code 2, Authentication failed. (request id {REQUEST_ID})")
    );
    let api_display = e.api_error().unwrap().to_string();
    assert_eq!(api_display, display);
    let debug = format!("{e:?}");
    for text in [&display, &debug] {
        assert!(!text.contains(TOKEN), "token leaked: {text}");
        assert!(
            !text.to_lowercase().contains("bearer"),
            "auth leaked: {text}"
        );
    }
}

#[tokio::test]
async fn forbidden_403() {
    let message = "User not authorized to access ad account 549755885175.";
    let e = find_error(403, &[JSON, RID], &pinterest_error(29, message)).await;
    assert_api_error(&e, ErrorKind::Forbidden, 403, Some(29), Some(message));
    assert!(e.is_forbidden());
}

#[tokio::test]
async fn not_found_404() {
    let e = find_error(
        404,
        &[JSON, RID],
        &pinterest_error(2601, "Audience not found."),
    )
    .await;
    assert_api_error(
        &e,
        ErrorKind::NotFound,
        404,
        Some(2601),
        Some("Audience not found."),
    );
    assert!(e.is_not_found());
    assert_eq!(
        e.to_string(),
        format!("404 Not Found: code 2601, Audience not found. (request id {REQUEST_ID})")
    );
}

#[tokio::test]
async fn rate_limited_429_exposes_the_rate_limit_headers() {
    let message = "You have exceeded your rate limit. Try again later.";
    let e = find_error(
        429,
        &[
            JSON,
            RID,
            ("X-RateLimit-Limit", "100, 100;w=1, 1000;w=60"),
            ("X-RateLimit-Remaining", "0"),
            ("X-RateLimit-Reset", "37"),
        ],
        &pinterest_error(8, message),
    )
    .await;
    assert_api_error(&e, ErrorKind::RateLimited, 429, Some(8), Some(message));
    assert!(e.is_rate_limited());
    let limits = e.rate_limit().expect("rate limit");
    assert_eq!(limits.limit(), Some(100));
    assert_eq!(
        limits.policies(),
        &[
            RateLimitPolicy::new(100, Some(Duration::from_secs(1))),
            RateLimitPolicy::new(1000, Some(Duration::from_secs(60)))
        ]
    );
    assert_eq!(limits.remaining(), Some(0));
    assert_eq!(limits.reset(), Some(Duration::from_secs(37)));
    assert!(limits.is_exhausted());
    // Without Retry-After, the reset of a used-up quota is the wait asked for.
    assert_eq!(e.retry_after(), Some(Duration::from_secs(37)));
}

#[tokio::test]
async fn rate_limited_429_honours_retry_after() {
    let e = find_error(
        429,
        &[
            JSON,
            RID,
            ("Retry-After", "12"),
            ("X-RateLimit-Reset", "67000"),
        ],
        &pinterest_error(8, "You have exceeded your rate limit. Try again later."),
    )
    .await;
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(12)));
    assert_eq!(
        e.rate_limit().and_then(|r| r.reset()),
        Some(Duration::from_secs(67_000))
    );
}

#[tokio::test]
async fn server_errors_500_and_503() {
    let e = find_error(
        500,
        &[JSON, RID],
        &pinterest_error(3, "Internal error. Please try again."),
    )
    .await;
    assert_api_error(
        &e,
        ErrorKind::Server,
        500,
        Some(3),
        Some("Internal error. Please try again."),
    );
    assert!(e.is_server());

    let e = find_error(
        503,
        &[JSON, RID],
        &pinterest_error(
            503,
            "Service unavailable. Please try again in a few minutes.",
        ),
    )
    .await;
    assert_api_error(
        &e,
        ErrorKind::Server,
        503,
        Some(503),
        Some("Service unavailable. Please try again in a few minutes."),
    );
    assert!(e.is_server());
    assert!(!e.is_timeout());
}

#[tokio::test]
async fn conflict_409_is_an_unexpected_status() {
    let message = "A customer list with this name already exists.";
    let e = find_error(409, &[JSON, RID], &pinterest_error(2613, message)).await;
    assert_api_error(
        &e,
        ErrorKind::UnexpectedStatus,
        409,
        Some(2613),
        Some(message),
    );
    for flag in [
        e.is_bad_request(),
        e.is_authentication(),
        e.is_forbidden(),
        e.is_not_found(),
        e.is_rate_limited(),
        e.is_server(),
        e.is_timeout(),
    ] {
        assert!(!flag);
    }
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let server = MockServer::start_async().await;
    let moved = server
        .mock_async(|when, then| {
            find_audience(when);
            then.status(302)
                .header("location", server.url("/elsewhere/audiences/2542620905475"))
                .header("x-pinterest-rid", REQUEST_ID);
        })
        .await;
    let elsewhere = server
        .mock_async(|when, then| {
            when.path_prefix("/elsewhere");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({ "id": AUDIENCE, "name": "Followed the redirect" }));
        })
        .await;
    let fallback = catch_all(&server).await;

    let e = client(&server)
        .audiences()
        .find(AD_ACCOUNT, AUDIENCE)
        .await
        .expect_err("a 302 is an error");

    moved.assert_calls_async(1).await;
    elsewhere.assert_calls_async(0).await;
    fallback.assert_calls_async(0).await;
    assert_eq!(e.kind(), ErrorKind::UnexpectedStatus);
    assert_eq!(e.status(), Some(StatusCode::FOUND));
    assert_eq!((e.code(), e.message()), (None, None));
    assert_eq!(e.request_id(), Some(REQUEST_ID));
    let location = e.api_error().unwrap().headers().get("location").unwrap();
    assert_eq!(
        location.to_str().unwrap(),
        server.url("/elsewhere/audiences/2542620905475")
    );
    assert_eq!(
        e.to_string(),
        format!("302 Found: empty body (request id {REQUEST_ID})")
    );
}

#[tokio::test]
async fn an_html_502_from_a_proxy_keeps_body_and_headers() {
    let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
                <center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";
    let e = find_error(
        502,
        &[("content-type", "text/html"), ("server", "awselb/2.0"), RID],
        html,
    )
    .await;
    assert_api_error(&e, ErrorKind::Server, 502, None, None);
    let api = e.api_error().unwrap();
    assert_eq!(api.body().as_str_lossy(), html);
    assert_eq!(api.body().len_seen(), html.len());
    assert!(!api.body().is_truncated());
    assert_eq!(api.headers().get("server").unwrap(), "awselb/2.0");
    assert_eq!(api.headers().get("content-type").unwrap(), "text/html");
    assert_eq!(
        e.to_string(),
        format!("502 Bad Gateway: non-JSON body (request id {REQUEST_ID})")
    );
}

#[tokio::test]
async fn an_empty_500() {
    let e = find_error(500, &[RID], "").await;
    assert_api_error(&e, ErrorKind::Server, 500, None, None);
    let api = e.api_error().unwrap();
    assert!(api.body().is_empty());
    assert_eq!(api.body().len_seen(), 0);
    assert_eq!(
        e.to_string(),
        format!("500 Internal Server Error: empty body (request id {REQUEST_ID})")
    );
}

#[tokio::test]
async fn truncated_json_in_a_200_is_a_decode_error() {
    let truncated = r#"{"ad_account_id": "549755885175", "id": "2542620905475", "name": "Newsl"#;
    let e = find_error(
        200,
        &[JSON, RID, ("X-RateLimit-Remaining", "96")],
        truncated,
    )
    .await;
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(matches!(e, Error::Decode(_)));
    assert_eq!(e.status(), Some(StatusCode::OK));
    assert_eq!(e.request_id(), Some(REQUEST_ID));
    assert_eq!((e.code(), e.message()), (None, None));
    assert!(e.api_error().is_none());
    assert_eq!(e.rate_limit().and_then(|r| r.remaining()), Some(96));
    let decode = e.decode_error().expect("decode error");
    assert_eq!(decode.status(), StatusCode::OK);
    assert_eq!(decode.request_id(), Some(REQUEST_ID));
    assert_eq!(decode.body().as_str_lossy(), truncated);
    assert!(decode.decode_error().is_eof(), "{}", decode.decode_error());
    assert_eq!(
        e.to_string(),
        format!("could not decode the 200 OK response body (request id {REQUEST_ID})")
    );
    // The decoder's error is the source.
    let source = std::error::Error::source(&e).expect("source");
    assert!(source.is::<serde_json::Error>());
}

#[tokio::test]
async fn wrong_types_in_a_200_are_a_decode_error() {
    let wrong = json!({
        "ad_account_id": AD_ACCOUNT,
        "id": 2_542_620_905_475_u64,
        "name": "Newsletter subscribers",
        "size": "about twelve thousand"
    })
    .to_string();
    let e = find_error(200, &[JSON, RID], &wrong).await;
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert_eq!(e.status(), Some(StatusCode::OK));
    assert_eq!(e.request_id(), Some(REQUEST_ID));
    let decode = e.decode_error().expect("decode error");
    assert!(decode.decode_error().is_data(), "{}", decode.decode_error());
    assert_eq!(decode.body().as_str_lossy(), wrong);
}

#[tokio::test]
async fn a_missing_required_field_in_a_200_is_a_decode_error() {
    // An upload without its required `state`.
    let server = MockServer::start_async().await;
    let answer = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/ad_accounts/549755885175/customer_lists/2542620905473/uploads/6172038251");
            then.status(200)
                .header("content-type", "application/json")
                .header("x-pinterest-rid", REQUEST_ID)
                .json_body(json!({
                    "id": "6172038251",
                    "ad_account_id": AD_ACCOUNT,
                    "customer_list_id": "2542620905473",
                    "operation": "ADD",
                    "creation_time": 1_706_788_800,
                    "updated_time": 1_706_788_800
                }));
        })
        .await;
    let fallback = catch_all(&server).await;

    let e = client(&server)
        .customer_list_uploads()
        .find(AD_ACCOUNT, "2542620905473", "6172038251")
        .await
        .expect_err("missing state");

    answer.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert_eq!(e.request_id(), Some(REQUEST_ID));
    let source = e.decode_error().unwrap().decode_error().to_string();
    assert!(source.contains("missing field `state`"), "{source}");
}

#[tokio::test]
async fn a_post_error_keeps_pinterest_details() {
    let server = MockServer::start_async().await;
    let answer = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/ad_accounts/549755885175/customer_lists/2542620905473/uploads")
                .header("authorization", format!("Bearer {TOKEN}"))
                .json_body(json!({ "operation": "ADD", "total_parts": 2 }));
            then.status(400)
                .header("content-type", "application/json")
                .header("x-pinterest-rid", REQUEST_ID)
                .json_body(json!({
                    "code": 4231,
                    "message": "Customer list upload is only available to beta participants."
                }));
        })
        .await;
    let fallback = catch_all(&server).await;

    let e = client(&server)
        .customer_list_uploads()
        .create(AD_ACCOUNT, "2542620905473", UserListOperationType::Add, 2)
        .await
        .expect_err("400");

    answer.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
    assert_api_error(
        &e,
        ErrorKind::BadRequest,
        400,
        Some(4231),
        Some("Customer list upload is only available to beta participants."),
    );
}

/// The Ruby gem rescues typed errors (`rescue Pinterest::NotFoundError`); here the same
/// branching is a `match` on `kind()`.
#[tokio::test]
async fn rescue_style_matching_on_kind() {
    fn rescue(e: &Error) -> String {
        match e.kind() {
            ErrorKind::NotFound => format!("missing: {}", e.message().unwrap_or("?")),
            ErrorKind::RateLimited => {
                format!("slow down for {:?}", e.retry_after().unwrap_or_default())
            }
            ErrorKind::Authentication => "re-authorize".to_owned(),
            ErrorKind::Server => format!("try later (HTTP {})", e.status().unwrap().as_u16()),
            ErrorKind::InvalidArgument => format!("fix the call: {e}"),
            _ => format!("unexpected: {e}"),
        }
    }

    let not_found = find_error(
        404,
        &[JSON, RID],
        &pinterest_error(2601, "Audience not found."),
    )
    .await;
    assert_eq!(rescue(&not_found), "missing: Audience not found.");

    let limited = find_error(
        429,
        &[JSON, RID, ("Retry-After", "3")],
        &pinterest_error(8, "You have exceeded your rate limit. Try again later."),
    )
    .await;
    assert_eq!(rescue(&limited), "slow down for 3s");

    let expired = find_error(
        401,
        &[JSON, RID],
        &pinterest_error(2, "Authentication failed."),
    )
    .await;
    assert_eq!(rescue(&expired), "re-authorize");

    let proxy = find_error(504, &[RID], "upstream request timeout").await;
    assert_eq!(rescue(&proxy), "try later (HTTP 504)");

    let conflict = find_error(409, &[JSON, RID], &pinterest_error(2613, "Already exists.")).await;
    assert_eq!(
        rescue(&conflict),
        format!("unexpected: 409 Conflict: code 2613, Already exists. (request id {REQUEST_ID})")
    );

    // A call rejected before sending falls in its own branch.
    let server = MockServer::start_async().await;
    let fallback = catch_all(&server).await;
    let local = client(&server)
        .audiences()
        .find(AD_ACCOUNT, "..")
        .await
        .expect_err("invalid id");
    fallback.assert_calls_async(0).await;
    assert_eq!(
        rescue(&local),
        "fix the call: invalid argument `audience_id`: must contain only digits, got \"..\""
    );
}
