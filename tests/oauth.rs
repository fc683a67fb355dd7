//! OAuth against a mock Pinterest on 127.0.0.1: the authorization URL, the token endpoint
//! (code exchange, refresh, client credentials), revocation, conversion tokens, the client's
//! automatic refresh, and that no secret leaks into `Debug`, `Display` or logs.
//!
//! Every mock matches the exact request (method, path, headers, raw body), and each test
//! registers a catch-all last that answers 599 naming the request it did not expect.

mod common;

use common::catch_all;
use httpmock::Mock;
use httpmock::prelude::*;
use pinterest::models::AudienceUpdateRequest;
use pinterest::oauth::TokenTypeHint;
use pinterest::{Client, ClientBuilder, Environment, Error, ErrorKind, ExposeSecret, Scope, Token};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;

// ---------------------------------------------------------------------------------------------
// Fixtures. Every secret contains "SECRET", so one search finds any leak.
// ---------------------------------------------------------------------------------------------

const CLIENT_ID: &str = "1234567";
const CLIENT_SECRET: &str = "cs_SECRET_c1i3nt";
/// `Basic base64("1234567:cs_SECRET_c1i3nt")`, computed outside this crate.
const BASIC: &str = "Basic MTIzNDU2Nzpjc19TRUNSRVRfYzFpM250";
const FORM: &str = "application/x-www-form-urlencoded";

/// A redirect URI with a query, `&`, `+`, a space and non-ASCII characters.
const REDIRECT: &str = "https://app.example.com/oauth/cb?next=/a b&x=1+2&lang=日本";
const REDIRECT_ENC: &str = "https%3A%2F%2Fapp.example.com%2Foauth%2Fcb%3Fnext%3D%2Fa+b%26x%3D1%2B2%26lang%3D%E6%97%A5%E6%9C%AC";

const CODE: &str = "CODE_SECRET+a&b=c d/é";
const CODE_ENC: &str = "CODE_SECRET%2Ba%26b%3Dc+d%2F%C3%A9";

const OLD_ACCESS: &str = "pina_ACCESS_SECRET_old";
const NEW_ACCESS: &str = "pina_ACCESS_SECRET_new";
const REFRESH: &str = "pinr_REFRESH_SECRET+/=&x y";
const REFRESH_ENC: &str = "pinr_REFRESH_SECRET%2B%2F%3D%26x+y";
const NEW_REFRESH: &str = "pinr_REFRESH_SECRET_rotated";

const AD_ACCOUNT: &str = "123456";
const AUDIENCE: &str = "789";
const AUDIENCE_PATH: &str = "/ad_accounts/123456/audiences/789";

const DAY30: i64 = 2_592_000;

/// A client for `server`, isolated from the developer's environment, with the app's
/// credentials and redirect URI.
fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .environment(Environment::empty())
        .base_url(server.base_url())
        .client_id(CLIENT_ID)
        .client_secret(CLIENT_SECRET)
        .redirect_uri(REDIRECT)
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// A token endpoint answer.
fn token_answer(access: &str, refresh: Option<&str>, expires_in: i64) -> serde_json::Value {
    let mut body = json!({
        "access_token": access,
        "token_type": "bearer",
        "expires_in": expires_in,
        "scope": "ads:read,ads:write",
    });
    if let Some(refresh) = refresh {
        body["refresh_token"] = json!(refresh);
        body["refresh_token_expires_in"] = json!(31_536_000);
    }
    body
}

/// `POST /oauth/token` with exactly `body`, form-encoded, HTTP Basic, answered with `answer`.
async fn token_endpoint<'a>(
    server: &'a MockServer,
    body: &str,
    status: u16,
    answer: serde_json::Value,
    delay: Duration,
) -> Mock<'a> {
    let body = body.to_owned();
    server
        .mock_async(move |when, then| {
            when.method(POST)
                .path("/oauth/token")
                .header("content-type", FORM)
                .header("authorization", BASIC)
                .header("accept", "application/json")
                .header_missing("api-version")
                .body(body);
            then.status(status)
                .header("content-type", "application/json")
                .json_body(answer)
                .delay(delay);
        })
        .await
}

fn refresh_body() -> String {
    format!("grant_type=refresh_token&refresh_token={REFRESH_ENC}")
}

fn exchange_body() -> String {
    format!("grant_type=authorization_code&code={CODE_ENC}&redirect_uri={REDIRECT_ENC}")
}

/// `GET /ad_accounts/123456/audiences/789` with `Bearer token`, answered with `status`.
async fn audience_get<'a>(server: &'a MockServer, token: &str, status: u16) -> Mock<'a> {
    let authorization = bearer(token);
    server
        .mock_async(move |when, then| {
            when.method(GET)
                .path(AUDIENCE_PATH)
                .header("authorization", authorization);
            then.status(status)
                .header("content-type", "application/json")
                .json_body(audience_or_rejection(status));
        })
        .await
}

fn audience_or_rejection(status: u16) -> serde_json::Value {
    if status == 200 {
        json!({ "id": AUDIENCE, "ad_account_id": AD_ACCOUNT, "name": "Shoppers" })
    } else {
        json!({ "code": 2, "message": "Authentication failed." })
    }
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in [
        CLIENT_SECRET,
        OLD_ACCESS,
        NEW_ACCESS,
        REFRESH,
        NEW_REFRESH,
        CODE,
        "SECRET",
    ] {
        assert!(!text.contains(secret), "{what} shows `{secret}`: {text}");
    }
}

fn secret(value: Option<&pinterest::SecretString>) -> Option<&str> {
    value.map(|s| s.expose_secret())
}

/// `at` is within `[before + seconds, after + seconds]`.
fn assert_expires_in(at: Option<SystemTime>, before: SystemTime, after: SystemTime, seconds: u64) {
    let at = at.expect("an expiry");
    let seconds = Duration::from_secs(seconds);
    assert!(
        at >= before + seconds && at <= after + seconds,
        "{at:?} not within [{:?}, {:?}]",
        before + seconds,
        after + seconds
    );
}

// ---------------------------------------------------------------------------------------------
// Step 1: the authorization URL
// ---------------------------------------------------------------------------------------------

#[test]
fn authorization_url_encodes_every_parameter() {
    let client = Client::builder()
        .environment(Environment::empty())
        .client_id(CLIENT_ID)
        .redirect_uri("https://app.example.com/callback")
        .build()
        .unwrap();
    let url = client
        .oauth()
        .authorization_url_for(
            REDIRECT,
            [Scope::AdsRead, Scope::AdsWrite, Scope::UserAccountsRead],
            "st ate&=+/é",
        )
        .unwrap();
    assert_eq!(
        url.as_str(),
        format!(
            "https://www.pinterest.com/oauth/?client_id=1234567&redirect_uri={REDIRECT_ENC}\
             &response_type=code&scope=ads%3Aread%2Cads%3Awrite%2Cuser_accounts%3Aread\
             &state=st+ate%26%3D%2B%2F%C3%A9"
        )
    );
    // And it decodes back to exactly what was given.
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let expected = [
        ("client_id", CLIENT_ID),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "ads:read,ads:write,user_accounts:read"),
        ("state", "st ate&=+/é"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(pairs, expected);
}

#[test]
fn authorization_url_uses_the_configured_redirect_uri_verbatim() {
    let client = Client::builder()
        .environment(Environment::empty())
        .client_id(CLIENT_ID)
        .redirect_uri(REDIRECT)
        .auth_url("https://auth.example.com/oauth/")
        .build()
        .unwrap();
    let url = client
        .oauth()
        .authorization_url([Scope::AdsRead, Scope::from("brand:new")], "xyz")
        .unwrap();
    assert_eq!(
        url.as_str(),
        format!(
            "https://auth.example.com/oauth/?client_id=1234567&redirect_uri={REDIRECT_ENC}\
             &response_type=code&scope=ads%3Aread%2Cbrand%3Anew&state=xyz"
        )
    );

    // A redirect URI without a path is sent as configured, not with a `/` added: Pinterest
    // compares it with the registered one.
    let client = Client::builder()
        .environment(Environment::empty())
        .client_id(CLIENT_ID)
        .redirect_uri("http://localhost:8085")
        .build()
        .unwrap();
    let url = client
        .oauth()
        .authorization_url([Scope::AdsRead], "s")
        .unwrap();
    assert_eq!(
        url.as_str(),
        "https://www.pinterest.com/oauth/?client_id=1234567&redirect_uri=http%3A%2F%2Flocalhost%3A8085\
         &response_type=code&scope=ads%3Aread&state=s"
    );
}

#[test]
fn authorization_url_from_the_environment_layer() {
    let env = Environment::from_pairs([
        ("PINTEREST_CLIENT_ID", "env-id"),
        ("PINTEREST_REDIRECT_URI", "https://env.example.com/cb"),
    ]);
    let client = Client::builder().environment(env).build().unwrap();
    let url = client
        .oauth()
        .authorization_url([Scope::PinsRead], "s1")
        .unwrap();
    assert_eq!(
        url.as_str(),
        "https://www.pinterest.com/oauth/?client_id=env-id&redirect_uri=https%3A%2F%2Fenv.example.com%2Fcb\
         &response_type=code&scope=pins%3Aread&state=s1"
    );
}

#[test]
fn authorization_url_needs_a_client_id_and_a_redirect_uri() {
    let no_id = Client::builder()
        .environment(Environment::empty())
        .redirect_uri("https://app.example.com/cb")
        .build()
        .unwrap();
    let error = no_id
        .oauth()
        .authorization_url([Scope::AdsRead], "s")
        .unwrap_err();
    assert!(
        matches!(error, Error::MissingCredential { name: "client_id" }),
        "{error:?}"
    );
    let error = no_id
        .oauth()
        .authorization_url_for("https://app.example.com/cb", [Scope::AdsRead], "s")
        .unwrap_err();
    assert!(
        matches!(error, Error::MissingCredential { name: "client_id" }),
        "{error:?}"
    );

    let no_redirect = Client::builder()
        .environment(Environment::empty())
        .client_id(CLIENT_ID)
        .build()
        .unwrap();
    let error = no_redirect
        .oauth()
        .authorization_url([Scope::AdsRead], "s")
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::MissingCredential {
                name: "redirect_uri"
            }
        ),
        "{error:?}"
    );
    // An explicit redirect URI needs no configured one.
    assert!(
        no_redirect
            .oauth()
            .authorization_url_for("https://app.example.com/cb", [Scope::AdsRead], "s")
            .is_ok()
    );
}

#[test]
fn random_state_is_64_hex_chars_and_fresh_each_time() {
    let states: Vec<String> = (0..200).map(|_| pinterest::oauth::random_state()).collect();
    for state in &states {
        assert_eq!(state.len(), 64, "{state}");
        assert!(
            state
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
            "{state}"
        );
    }
    let unique: std::collections::HashSet<&String> = states.iter().collect();
    assert_eq!(unique.len(), states.len());
}

// ---------------------------------------------------------------------------------------------
// Step 2: code exchange
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn exchange_code_sends_the_exact_form_and_builds_the_token() {
    let server = MockServer::start_async().await;
    let answer = json!({
        "access_token": OLD_ACCESS,
        "refresh_token": REFRESH,
        "token_type": "bearer",
        "expires_in": DAY30,
        "scope": "ads:read,ads:write,user_accounts:read",
        "refresh_token_expires_in": 31_536_000,
        "refresh_token_expires_at": 1_900_000_000,
        "response_type": "authorization_code",
    });
    let exchange = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth/token")
                .header("content-type", FORM)
                .header("authorization", BASIC)
                .header("accept", "application/json")
                .header_missing("api-version")
                .form_urlencoded_tuple_missing("continuous_refresh")
                .body(exchange_body());
            then.status(200)
                .header("content-type", "application/json")
                .header("x-pinterest-rid", "rid-exchange")
                .json_body(answer);
        })
        .await;
    let stray = catch_all(&server).await;
    let client = builder(&server).build().unwrap();

    let before = SystemTime::now();
    let response = client.oauth().exchange_code(CODE).await.unwrap();
    let after = SystemTime::now();

    exchange.assert_calls_async(1).await;
    stray.assert_calls_async(0).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.request_id(), Some("rid-exchange"));
    let token: Token = response.into_inner();
    assert_eq!(token.access_token().expose_secret(), OLD_ACCESS);
    assert_eq!(secret(token.refresh_token()), Some(REFRESH));
    assert_eq!(token.token_type(), "bearer");
    assert_expires_in(token.expires_at(), before, after, DAY30 as u64);
    assert!(!token.is_expired());
    // The absolute expiry wins over the relative one.
    assert_eq!(
        token.refresh_token_expires_at(),
        Some(UNIX_EPOCH + Duration::from_secs(1_900_000_000))
    );
    assert_eq!(
        token.scopes(),
        &[Scope::AdsRead, Scope::AdsWrite, Scope::UserAccountsRead]
    );
}

#[tokio::test]
async fn exchange_code_with_an_explicit_redirect_uri_and_relative_refresh_expiry() {
    let server = MockServer::start_async().await;
    let other = "http://localhost:8085/cb?x=é&y=a+b";
    let other_enc = "http%3A%2F%2Flocalhost%3A8085%2Fcb%3Fx%3D%C3%A9%26y%3Da%2Bb";
    let answer = json!({
        "access_token": OLD_ACCESS, "refresh_token": REFRESH, "token_type": "bearer",
        "expires_in": 3600, "scope": "pins:read user_accounts:read",
        "refresh_token_expires_in": 5_184_000,
    });
    let exchange = token_endpoint(
        &server,
        &format!("grant_type=authorization_code&code={CODE_ENC}&redirect_uri={other_enc}"),
        200,
        answer,
        Duration::ZERO,
    )
    .await;
    let stray = catch_all(&server).await;
    let client = builder(&server).build().unwrap();

    let before = SystemTime::now();
    let token = client
        .oauth()
        .exchange_code(CODE)
        .redirect_uri(other)
        .await
        .unwrap();
    let after = SystemTime::now();
    exchange.assert_calls_async(1).await;
    stray.assert_calls_async(0).await;
    assert_expires_in(token.expires_at(), before, after, 3600);
    assert_expires_in(token.refresh_token_expires_at(), before, after, 5_184_000);
    // Space-separated scopes are understood as well.
    assert_eq!(token.scopes(), &[Scope::PinsRead, Scope::UserAccountsRead]);
}

#[tokio::test]
async fn exchange_code_with_continuous_refresh() {
    let server = MockServer::start_async().await;
    // Fields go out in the order the request type declares them.
    let body = format!(
        "grant_type=authorization_code&code={CODE_ENC}&continuous_refresh=true&redirect_uri={REDIRECT_ENC}"
    );
    let exchange = token_endpoint(
        &server,
        &body,
        200,
        token_answer(OLD_ACCESS, Some(REFRESH), DAY30),
        Duration::ZERO,
    )
    .await;
    let stray = catch_all(&server).await;
    let client = builder(&server).build().unwrap();

    let token = client
        .oauth()
        .exchange_code(CODE)
        .continuous_refresh(true)
        .send()
        .await
        .unwrap();
    exchange.assert_calls_async(1).await;
    stray.assert_calls_async(0).await;
    assert_eq!(token.access_token().expose_secret(), OLD_ACCESS);

    // `continuous_refresh(false)` sends no such field at all.
    let server = MockServer::start_async().await;
    let plain = token_endpoint(
        &server,
        &exchange_body(),
        200,
        token_answer(OLD_ACCESS, Some(REFRESH), DAY30),
        Duration::ZERO,
    )
    .await;
    let stray = catch_all(&server).await;
    let client = builder(&server).build().unwrap();
    client
        .oauth()
        .exchange_code(CODE)
        .continuous_refresh(false)
        .await
        .unwrap();
    plain.assert_calls_async(1).await;
    stray.assert_calls_async(0).await;
}

#[tokio::test]
async fn exchange_code_without_a_client_secret_sends_nothing() {
    let server = MockServer::start_async().await;
    let stray = catch_all(&server).await;
    let client = Client::builder()
        .environment(Environment::empty())
        .base_url(server.base_url())
        .client_id(CLIENT_ID)
        .redirect_uri(REDIRECT)
        .build()
        .unwrap();
    let error = client.oauth().exchange_code(CODE).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::MissingCredential {
                name: "client_secret"
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.kind(), ErrorKind::MissingCredential);

    let no_id = Client::builder()
        .environment(Environment::empty())
        .base_url(server.base_url())
        .client_secret(CLIENT_SECRET)
        .redirect_uri(REDIRECT)
        .build()
        .unwrap();
    let error = no_id.oauth().exchange_code(CODE).await.unwrap_err();
    assert!(
        matches!(error, Error::MissingCredential { name: "client_id" }),
        "{error:?}"
    );

    let no_redirect = Client::builder()
        .environment(Environment::empty())
        .base_url(server.base_url())
        .client_id(CLIENT_ID)
        .client_secret(CLIENT_SECRET)
        .build()
        .unwrap();
    let error = no_redirect.oauth().exchange_code(CODE).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::MissingCredential {
                name: "redirect_uri"
            }
        ),
        "{error:?}"
    );
    stray.assert_calls_async(0).await;
}

// ---------------------------------------------------------------------------------------------
// Step 3: refresh; client credentials
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn refresh_keeps_the_old_refresh_token_when_none_is_sent() {
    let server = MockServer::start_async().await;
    let refresh = token_endpoint(
        &server,
        &refresh_body(),
        200,
        token_answer(NEW_ACCESS, None, DAY30),
        Duration::ZERO,
    )
    .await;
    let stray = catch_all(&server).await;
    let client = builder(&server).build().unwrap();

    let before = SystemTime::now();
    let token = client.oauth().refresh(REFRESH).await.unwrap().into_inner();
    let after = SystemTime::now();
    refresh.assert_calls_async(1).await;
    stray.assert_calls_async(0).await;
    assert_eq!(token.access_token().expose_secret(), NEW_ACCESS);
    assert_eq!(secret(token.refresh_token()), Some(REFRESH));
    assert_eq!(token.refresh_token_expires_at(), None);
    assert_expires_in(token.expires_at(), before, after, DAY30 as u64);
    assert_eq!(token.scopes(), &[Scope::AdsRead, Scope::AdsWrite]);
    assert_eq!(token.token_type(), "bearer");
}

#[tokio::test]
async fn refresh_takes_a_new_refresh_token_and_narrows_scopes() {
    let server = MockServer::start_async().await;
    let body = format!("{}&scope=ads%3Aread%2Cuser_accounts%3Aread", refresh_body());
    let refresh = token_endpoint(
        &server,
        &body,
        200,
        token_answer(NEW_ACCESS, Some(NEW_REFRESH), DAY30),
        Duration::ZERO,
    )
    .await;
    let stray = catch_all(&server).await;
    let client = builder(&server).build().unwrap();

    let before = SystemTime::now();
    let token = client
        .oauth()
        .refresh(REFRESH)
        .scopes([Scope::AdsRead, Scope::UserAccountsRead])
        .send()
        .await
        .unwrap();
    let after = SystemTime::now();
    refresh.assert_calls_async(1).await;
    stray.assert_calls_async(0).await;
    assert_eq!(token.access_token().expose_secret(), NEW_ACCESS);
    assert_eq!(secret(token.refresh_token()), Some(NEW_REFRESH));
    assert_expires_in(token.refresh_token_expires_at(), before, after, 31_536_000);
}

#[tokio::test]
async fn client_credentials_sends_grant_and_scope() {
    let server = MockServer::start_async().await;
    let grant = token_endpoint(
        &server,
        "grant_type=client_credentials&scope=ads%3Aread%2Cads%3Awrite%2Cbrand%3Anew",
        200,
        token_answer(NEW_ACCESS, None, 3600),
        Duration::ZERO,
    )
    .await;
    let stray = catch_all(&server).await;
    let client = builder(&server).build().unwrap();

    let token = client
        .oauth()
        .client_credentials([Scope::AdsRead, Scope::AdsWrite, "brand:new".into()])
        .await
        .unwrap();
    grant.assert_calls_async(1).await;
    stray.assert_calls_async(0).await;
    assert_eq!(token.access_token().expose_secret(), NEW_ACCESS);
    assert!(token.refresh_token().is_none());
}

// ---------------------------------------------------------------------------------------------
// Step 4: revocation
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn revoke_sends_the_token_and_optional_hint() {
    let server = MockServer::start_async().await;
    let token_enc = "pina_ACCESS_SECRET%2B%2F%3D%26x+y";
    let mut mocks = Vec::new();
    for hint in [
        "&token_type_hint=access_token",
        "&token_type_hint=refresh_token",
        "",
    ] {
        let body = format!("token={token_enc}{hint}");
        mocks.push(
            server
                .mock_async(move |when, then| {
                    when.method(POST)
                        .path("/oauth/token/revoke")
                        .header("content-type", FORM)
                        .header("authorization", BASIC)
                        .header_missing("api-version")
                        .body(body);
                    // 200 with an empty body, as Pinterest answers.
                    then.status(200);
                })
                .await,
        );
    }
    let stray = catch_all(&server).await;
    let client = builder(&server).build().unwrap();
    let token = "pina_ACCESS_SECRET+/=&x y";

    let response = client
        .oauth()
        .revoke(token)
        .hint(TokenTypeHint::AccessToken)
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    client
        .oauth()
        .revoke(token)
        .hint(TokenTypeHint::RefreshToken)
        .send()
        .await
        .unwrap();
    client.oauth().revoke(token).await.unwrap();
    for mock in &mocks {
        mock.assert_calls_async(1).await;
    }
    stray.assert_calls_async(0).await;
}

#[tokio::test]
async fn revoke_refused_is_a_typed_error() {
    let server = MockServer::start_async().await;
    let refused = server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth/token/revoke");
            then.status(403)
                .header("content-type", "application/json")
                .json_body(json!({ "code": 3, "message": "Not allowed for this token" }));
        })
        .await;
    let client = builder(&server).build().unwrap();
    let error = client.oauth().revoke(OLD_ACCESS).await.unwrap_err();
    refused.assert_calls_async(1).await;
    assert_eq!(error.kind(), ErrorKind::Forbidden);
    assert_eq!(error.code(), Some(3));
    assert_no_secret("revoke error", &format!("{error} {error:?}"));
}

// ---------------------------------------------------------------------------------------------
// Step 5: conversion token
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn conversion_token_posts_no_body_with_the_bearer_token() {
    let server = MockServer::start_async().await;
    let conversion = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth/conversion_token")
                .header("authorization", bearer(OLD_ACCESS))
                .header("content-length", "0")
                .header("accept", "application/json")
                .header_missing("content-type")
                .header_missing("api-version")
                .body("");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(
                    json!({ "access_token": "pina_conversion_SECRET", "token_type": "conversion" }),
                );
        })
        .await;
    let stray = catch_all(&server).await;
    let client = builder(&server).access_token(OLD_ACCESS).build().unwrap();

    let token = client.oauth().conversion_token().await.unwrap();
    conversion.assert_calls_async(1).await;
    stray.assert_calls_async(0).await;
    assert_eq!(token.token_type(), "conversion");
    assert_eq!(
        token.access_token().expose_secret(),
        "pina_conversion_SECRET"
    );
    assert!(token.refresh_token().is_none());
    assert_eq!(token.expires_at(), None);
    assert!(token.scopes().is_empty());
    assert_no_secret("conversion token", &format!("{token:?}"));
}

#[tokio::test]
async fn conversion_token_without_an_access_token_sends_nothing() {
    let server = MockServer::start_async().await;
    let stray = catch_all(&server).await;
    let client = builder(&server).build().unwrap();
    let error = client.oauth().conversion_token().await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::MissingCredential {
                name: "access_token"
            }
        ),
        "{error:?}"
    );
    stray.assert_calls_async(0).await;
}

// ---------------------------------------------------------------------------------------------
// Tokens shared by clones
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn set_access_token_reaches_every_clone() {
    let server = MockServer::start_async().await;
    let old = audience_get(&server, OLD_ACCESS, 200).await;
    let new = audience_get(&server, NEW_ACCESS, 200).await;
    let stray = catch_all(&server).await;
    let client = builder(&server).access_token(OLD_ACCESS).build().unwrap();
    let early_clone = client.clone();

    client.audiences().find(AD_ACCOUNT, AUDIENCE).await.unwrap();
    old.assert_calls_async(1).await;

    early_clone.set_access_token(NEW_ACCESS);
    let late_clone = client.clone();
    for c in [&client, &early_clone, &late_clone] {
        let audience = c.audiences().find(AD_ACCOUNT, AUDIENCE).await.unwrap();
        assert_eq!(audience.id.as_deref(), Some(AUDIENCE));
    }
    old.assert_calls_async(1).await;
    new.assert_calls_async(3).await;
    stray.assert_calls_async(0).await;
}

#[tokio::test]
async fn set_token_installs_an_exchanged_token_for_every_clone() {
    let server = MockServer::start_async().await;
    let exchange = token_endpoint(
        &server,
        &exchange_body(),
        200,
        token_answer(NEW_ACCESS, Some(REFRESH), DAY30),
        Duration::ZERO,
    )
    .await;
    let api = audience_get(&server, NEW_ACCESS, 200).await;
    let stray = catch_all(&server).await;
    let client = builder(&server).build().unwrap();
    let worker = client.clone();

    let token = client.oauth().exchange_code(CODE).await.unwrap();
    client.set_token(&token);
    worker.audiences().find(AD_ACCOUNT, AUDIENCE).await.unwrap();
    exchange.assert_calls_async(1).await;
    api.assert_calls_async(1).await;
    stray.assert_calls_async(0).await;
}

// ---------------------------------------------------------------------------------------------
// Automatic refresh
// ---------------------------------------------------------------------------------------------

/// A client holding `OLD_ACCESS` (expiry unknown) and `REFRESH`.
fn refreshable(server: &MockServer) -> ClientBuilder {
    builder(server)
        .access_token(OLD_ACCESS)
        .refresh_token(REFRESH)
}

#[tokio::test]
async fn a_rejected_token_is_refreshed_and_the_call_replayed_once() {
    let server = MockServer::start_async().await;
    let rejected = audience_get(&server, OLD_ACCESS, 401).await;
    let refresh = token_endpoint(
        &server,
        &refresh_body(),
        200,
        token_answer(NEW_ACCESS, None, DAY30),
        Duration::ZERO,
    )
    .await;
    let accepted = audience_get(&server, NEW_ACCESS, 200).await;
    let stray = catch_all(&server).await;
    let client = refreshable(&server).build().unwrap();

    let audience = client.audiences().find(AD_ACCOUNT, AUDIENCE).await.unwrap();
    assert_eq!(audience.id.as_deref(), Some(AUDIENCE));
    assert_eq!(audience.status(), 200);
    rejected.assert_calls_async(1).await;
    refresh.assert_calls_async(1).await;
    accepted.assert_calls_async(1).await;

    // The next call goes straight out with the new token, from any clone.
    client
        .clone()
        .audiences()
        .find(AD_ACCOUNT, AUDIENCE)
        .await
        .unwrap();
    rejected.assert_calls_async(1).await;
    refresh.assert_calls_async(1).await;
    accepted.assert_calls_async(2).await;
    stray.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_rejected_patch_is_replayed_once_with_the_same_body() {
    let server = MockServer::start_async().await;
    let patch = |token: &str, status: u16| {
        let authorization = bearer(token);
        server.mock_async(move |when, then| {
            when.method(PATCH)
                .path(AUDIENCE_PATH)
                .header("authorization", authorization)
                .header("content-type", "application/json")
                .body(r#"{"name":"Renamed"}"#);
            then.status(status)
                .header("content-type", "application/json")
                .json_body(audience_or_rejection(status));
        })
    };
    let rejected = patch(OLD_ACCESS, 401).await;
    let refresh = token_endpoint(
        &server,
        &refresh_body(),
        200,
        token_answer(NEW_ACCESS, Some(NEW_REFRESH), DAY30),
        Duration::ZERO,
    )
    .await;
    let accepted = patch(NEW_ACCESS, 200).await;
    let stray = catch_all(&server).await;
    // The default retry policy never retries a PATCH: the replay is not a retry.
    let client = refreshable(&server).build().unwrap();

    let rename = AudienceUpdateRequest {
        name: Some("Renamed".into()),
        ..Default::default()
    };
    let audience = client
        .audiences()
        .update(AD_ACCOUNT, AUDIENCE, rename)
        .await
        .unwrap();
    assert_eq!(audience.name.as_deref(), Some("Shoppers"));
    rejected.assert_calls_async(1).await;
    refresh.assert_calls_async(1).await;
    accepted.assert_calls_async(1).await;
    stray.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_second_rejection_after_the_replay_is_returned_not_looped() {
    let server = MockServer::start_async().await;
    let rejected_old = audience_get(&server, OLD_ACCESS, 401).await;
    let refresh = token_endpoint(
        &server,
        &refresh_body(),
        200,
        token_answer(NEW_ACCESS, None, DAY30),
        Duration::ZERO,
    )
    .await;
    let rejected_new = audience_get(&server, NEW_ACCESS, 401).await;
    let stray = catch_all(&server).await;
    let client = refreshable(&server).build().unwrap();

    let error = client
        .audiences()
        .find(AD_ACCOUNT, AUDIENCE)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Authentication);
    assert_eq!(error.code(), Some(2));
    rejected_old.assert_calls_async(1).await;
    refresh.assert_calls_async(1).await;
    rejected_new.assert_calls_async(1).await;
    stray.assert_calls_async(0).await;
}

/// Exchanges a code for a token that expires in `expires_in` seconds and installs it.
async fn install_exchanged_token(client: &Client, expires_in: i64) -> Token {
    let token = client
        .oauth()
        .exchange_code(CODE)
        .await
        .unwrap()
        .into_inner();
    let at = token.expires_at().expect("an expiry");
    assert!(at <= SystemTime::now() + Duration::from_secs(expires_in.unsigned_abs()));
    assert!(
        token.is_expired(),
        "expires in {expires_in} s: treated as expired"
    );
    client.set_token(&token);
    token
}

#[tokio::test]
async fn a_token_known_to_be_expired_is_refreshed_before_the_call() {
    for expires_in in [0, 30] {
        let server = MockServer::start_async().await;
        let exchange = token_endpoint(
            &server,
            &exchange_body(),
            200,
            token_answer(OLD_ACCESS, Some(REFRESH), expires_in),
            Duration::ZERO,
        )
        .await;
        let stale = audience_get(&server, OLD_ACCESS, 401).await;
        let refresh = token_endpoint(
            &server,
            &refresh_body(),
            200,
            token_answer(NEW_ACCESS, None, DAY30),
            Duration::ZERO,
        )
        .await;
        let fresh = audience_get(&server, NEW_ACCESS, 200).await;
        let stray = catch_all(&server).await;
        let client = builder(&server).build().unwrap();

        let token = install_exchanged_token(&client, expires_in).await;
        assert!(token.is_expired(), "expires_in {expires_in}");
        client.audiences().find(AD_ACCOUNT, AUDIENCE).await.unwrap();

        exchange.assert_calls_async(1).await;
        stale.assert_calls_async(0).await;
        refresh.assert_calls_async(1).await;
        fresh.assert_calls_async(1).await;
        stray.assert_calls_async(0).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_calls_with_an_expired_token_share_one_refresh() {
    let server = MockServer::start_async().await;
    let exchange = token_endpoint(
        &server,
        &exchange_body(),
        200,
        token_answer(OLD_ACCESS, Some(REFRESH), 0),
        Duration::ZERO,
    )
    .await;
    let stale = audience_get(&server, OLD_ACCESS, 401).await;
    // Slow enough that every task is waiting while the refresh is in flight.
    let refresh = token_endpoint(
        &server,
        &refresh_body(),
        200,
        token_answer(NEW_ACCESS, None, DAY30),
        Duration::from_millis(300),
    )
    .await;
    let fresh = audience_get(&server, NEW_ACCESS, 200).await;
    let stray = catch_all(&server).await;
    let tokens = Arc::new(Mutex::new(Vec::new()));
    let seen = tokens.clone();
    let client = builder(&server)
        .on_token(move |t| seen.lock().unwrap().push(t.clone()))
        .build()
        .unwrap();
    install_exchanged_token(&client, 0).await;

    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.audiences().find(AD_ACCOUNT, AUDIENCE).await })
        })
        .collect();
    for task in futures::future::join_all(tasks).await {
        let audience = task.unwrap().unwrap();
        assert_eq!(audience.id.as_deref(), Some(AUDIENCE));
    }
    exchange.assert_calls_async(1).await;
    refresh.assert_calls_async(1).await;
    stale.assert_calls_async(0).await;
    fresh.assert_calls_async(100).await;
    stray.assert_calls_async(0).await;
    let tokens = tokens.lock().unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].access_token().expose_secret(), NEW_ACCESS);
    // Pinterest sent no new refresh token: the one used is kept.
    assert_eq!(secret(tokens[0].refresh_token()), Some(REFRESH));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_rejections_share_one_refresh() {
    let server = MockServer::start_async().await;
    let rejected = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(AUDIENCE_PATH)
                .header("authorization", bearer(OLD_ACCESS));
            then.status(401)
                .header("content-type", "application/json")
                .json_body(audience_or_rejection(401))
                .delay(Duration::from_millis(100));
        })
        .await;
    let refresh = token_endpoint(
        &server,
        &refresh_body(),
        200,
        token_answer(NEW_ACCESS, None, DAY30),
        Duration::from_millis(200),
    )
    .await;
    let fresh = audience_get(&server, NEW_ACCESS, 200).await;
    let stray = catch_all(&server).await;
    let client = refreshable(&server).build().unwrap();

    let calls = (0..50).map(|_| {
        let client = client.clone();
        async move { client.audiences().find(AD_ACCOUNT, AUDIENCE).await }
    });
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    refresh.assert_calls_async(1).await;
    // Every call was answered once with the new token, whether it was rejected first or not.
    fresh.assert_calls_async(50).await;
    assert!(rejected.calls_async().await >= 1);
    stray.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_refused_refresh_is_reported_and_not_retried() {
    let server = MockServer::start_async().await;
    let rejected = audience_get(&server, OLD_ACCESS, 401).await;
    let refused = token_endpoint(
        &server,
        &refresh_body(),
        401,
        json!({ "code": 283, "message": "Refresh token is invalid or expired" }),
        Duration::ZERO,
    )
    .await;
    let stray = catch_all(&server).await;
    let tokens = Arc::new(Mutex::new(Vec::<Token>::new()));
    let seen = tokens.clone();
    let client = refreshable(&server)
        .on_token(move |t| seen.lock().unwrap().push(t.clone()))
        .build()
        .unwrap();

    let error = client
        .audiences()
        .find(AD_ACCOUNT, AUDIENCE)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Authentication);
    assert!(error.is_authentication());
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(error.code(), Some(283));
    assert_eq!(error.message(), Some("Refresh token is invalid or expired"));
    assert_no_secret("refused refresh", &format!("{error} {error:?}"));
    refused.assert_calls_async(1).await;
    rejected.assert_calls_async(1).await;

    // The next call is rejected as it stands: no second refresh.
    let error = client
        .audiences()
        .find(AD_ACCOUNT, AUDIENCE)
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(2));
    refused.assert_calls_async(1).await;
    rejected.assert_calls_async(2).await;
    stray.assert_calls_async(0).await;
    assert!(tokens.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_refused_refresh_of_an_expired_token_is_reported_once() {
    let server = MockServer::start_async().await;
    let exchange = token_endpoint(
        &server,
        &exchange_body(),
        200,
        token_answer(OLD_ACCESS, Some(REFRESH), 0),
        Duration::ZERO,
    )
    .await;
    let refused = token_endpoint(
        &server,
        &refresh_body(),
        401,
        json!({ "code": 283, "message": "Refresh token is invalid or expired" }),
        Duration::ZERO,
    )
    .await;
    let rejected = audience_get(&server, OLD_ACCESS, 401).await;
    let stray = catch_all(&server).await;
    let client = builder(&server).build().unwrap();
    install_exchanged_token(&client, 0).await;

    let error = client
        .audiences()
        .find(AD_ACCOUNT, AUDIENCE)
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(283));
    rejected.assert_calls_async(0).await;

    // Afterwards the expired token is sent as it is, and Pinterest's answer comes back.
    let error = client
        .audiences()
        .find(AD_ACCOUNT, AUDIENCE)
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(2));
    exchange.assert_calls_async(1).await;
    refused.assert_calls_async(1).await;
    rejected.assert_calls_async(1).await;
    stray.assert_calls_async(0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_calls_share_one_refused_refresh() {
    let server = MockServer::start_async().await;
    let rejected = audience_get(&server, OLD_ACCESS, 401).await;
    let refused = token_endpoint(
        &server,
        &refresh_body(),
        401,
        json!({ "code": 283, "message": "Refresh token is invalid or expired" }),
        Duration::from_millis(200),
    )
    .await;
    let stray = catch_all(&server).await;
    let client = refreshable(&server).build().unwrap();

    let calls = (0..20).map(|_| {
        let client = client.clone();
        async move { client.audiences().find(AD_ACCOUNT, AUDIENCE).await }
    });
    for result in futures::future::join_all(calls).await {
        let error = result.unwrap_err();
        // Either the refresh's refusal or Pinterest's rejection: always an authentication
        // error from the server, never a made-up one.
        assert_eq!(error.kind(), ErrorKind::Authentication, "{error:?}");
        assert!(matches!(error.code(), Some(283) | Some(2)), "{error:?}");
    }
    refused.assert_calls_async(1).await;
    assert!(rejected.calls_async().await >= 20);
    stray.assert_calls_async(0).await;
}

#[tokio::test]
async fn without_auto_refresh_a_rejection_comes_back_unchanged() {
    let server = MockServer::start_async().await;
    let rejected = audience_get(&server, OLD_ACCESS, 401).await;
    let refresh = token_endpoint(
        &server,
        &refresh_body(),
        200,
        token_answer(NEW_ACCESS, None, DAY30),
        Duration::ZERO,
    )
    .await;
    let stray = catch_all(&server).await;
    let client = refreshable(&server).auto_refresh(false).build().unwrap();

    let error = client
        .audiences()
        .find(AD_ACCOUNT, AUDIENCE)
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Authentication);
    assert_eq!(error.code(), Some(2));
    assert_eq!(error.message(), Some("Authentication failed."));
    rejected.assert_calls_async(1).await;
    refresh.assert_calls_async(0).await;
    stray.assert_calls_async(0).await;
}

#[tokio::test]
async fn without_auto_refresh_an_expired_token_is_sent_as_it_is() {
    let server = MockServer::start_async().await;
    let exchange = token_endpoint(
        &server,
        &exchange_body(),
        200,
        token_answer(OLD_ACCESS, Some(REFRESH), 0),
        Duration::ZERO,
    )
    .await;
    let rejected = audience_get(&server, OLD_ACCESS, 401).await;
    let stray = catch_all(&server).await;
    let client = builder(&server).auto_refresh(false).build().unwrap();
    install_exchanged_token(&client, 0).await;

    let error = client
        .audiences()
        .find(AD_ACCOUNT, AUDIENCE)
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(2));
    exchange.assert_calls_async(1).await;
    rejected.assert_calls_async(1).await;
    stray.assert_calls_async(0).await;
}

#[tokio::test]
async fn on_token_receives_the_refreshed_token() {
    let server = MockServer::start_async().await;
    let rejected = audience_get(&server, OLD_ACCESS, 401).await;
    let refresh = token_endpoint(
        &server,
        &refresh_body(),
        200,
        token_answer(NEW_ACCESS, Some(NEW_REFRESH), DAY30),
        Duration::ZERO,
    )
    .await;
    let accepted = audience_get(&server, NEW_ACCESS, 200).await;
    let stray = catch_all(&server).await;
    let tokens = Arc::new(Mutex::new(Vec::<Token>::new()));
    let seen = tokens.clone();
    let client = refreshable(&server)
        .on_token(move |t| seen.lock().unwrap().push(t.clone()))
        .build()
        .unwrap();

    let before = SystemTime::now();
    client.audiences().find(AD_ACCOUNT, AUDIENCE).await.unwrap();
    let after = SystemTime::now();
    rejected.assert_calls_async(1).await;
    refresh.assert_calls_async(1).await;
    accepted.assert_calls_async(1).await;
    stray.assert_calls_async(0).await;

    let tokens = tokens.lock().unwrap();
    assert_eq!(tokens.len(), 1);
    let token = &tokens[0];
    assert_eq!(token.access_token().expose_secret(), NEW_ACCESS);
    assert_eq!(secret(token.refresh_token()), Some(NEW_REFRESH));
    assert_expires_in(token.expires_at(), before, after, DAY30 as u64);
    assert_eq!(token.scopes(), &[Scope::AdsRead, Scope::AdsWrite]);
    let debug = format!("{token:?}");
    assert_no_secret("the token given to on_token", &debug);
    assert!(debug.contains("<redacted>"), "{debug}");
}

#[tokio::test]
async fn the_next_refresh_uses_the_rotated_refresh_token() {
    let server = MockServer::start_async().await;
    let rejected = audience_get(&server, OLD_ACCESS, 401).await;
    // First refresh: Pinterest rotates the refresh token.
    let first = token_endpoint(
        &server,
        &refresh_body(),
        200,
        token_answer(NEW_ACCESS, Some(NEW_REFRESH), DAY30),
        Duration::ZERO,
    )
    .await;
    let rejected_new = audience_get(&server, NEW_ACCESS, 401).await;
    // Second refresh must use the rotated refresh token.
    let second = token_endpoint(
        &server,
        "grant_type=refresh_token&refresh_token=pinr_REFRESH_SECRET_rotated",
        200,
        token_answer("pina_ACCESS_SECRET_third", None, DAY30),
        Duration::ZERO,
    )
    .await;
    let third = audience_get(&server, "pina_ACCESS_SECRET_third", 200).await;
    let stray = catch_all(&server).await;
    let client = refreshable(&server).build().unwrap();

    // OLD rejected -> refresh -> NEW rejected (returned: one replay only).
    let error = client
        .audiences()
        .find(AD_ACCOUNT, AUDIENCE)
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(2));
    // NEW rejected -> refresh with the rotated token -> third accepted.
    client.audiences().find(AD_ACCOUNT, AUDIENCE).await.unwrap();
    rejected.assert_calls_async(1).await;
    first.assert_calls_async(1).await;
    rejected_new.assert_calls_async(2).await;
    second.assert_calls_async(1).await;
    third.assert_calls_async(1).await;
    stray.assert_calls_async(0).await;
}

// ---------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn no_secret_in_debug_or_display() {
    let server = MockServer::start_async().await;
    let exchange = token_endpoint(
        &server,
        &exchange_body(),
        200,
        token_answer(NEW_ACCESS, Some(NEW_REFRESH), DAY30),
        Duration::ZERO,
    )
    .await;
    let bad_code = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth/token")
                .body_includes("grant_type=authorization_code");
            then.status(400)
                .header("content-type", "application/json")
                .header("x-pinterest-rid", "rid-400")
                .json_body(json!({ "code": 1, "message": "Invalid authorization code" }));
        })
        .await;
    let undecodable = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth/token")
                .body_includes("grant_type=refresh_token");
            // A 200 that is not a token response, holding a secret.
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({ "access_token": NEW_ACCESS, "refresh_token": NEW_REFRESH }));
        })
        .await;
    let html = server
        .mock_async(|when, then| {
            when.method(POST).path("/oauth/token/revoke");
            then.status(502)
                .header("content-type", "text/html")
                .body(format!("<html>{OLD_ACCESS}</html>"));
        })
        .await;
    let stray = catch_all(&server).await;

    let builder = builder(&server)
        .access_token(OLD_ACCESS)
        .refresh_token(REFRESH);
    assert_no_secret("ClientBuilder", &format!("{builder:?}"));
    let client = builder.build().unwrap();
    assert_no_secret("Client", &format!("{client:?} {client:#?}"));
    assert_no_secret("Config", &format!("{:?}", client.config()));
    let oauth = client.oauth();
    assert_no_secret("Oauth", &format!("{oauth:?}"));

    let exchange_request = oauth.exchange_code(CODE).continuous_refresh(true);
    assert_no_secret("ExchangeCode", &format!("{exchange_request:?}"));
    let refresh_request = oauth.refresh(REFRESH).scopes([Scope::AdsRead]);
    assert_no_secret("Refresh", &format!("{refresh_request:?}"));
    let revoke_request = oauth.revoke(OLD_ACCESS).hint(TokenTypeHint::AccessToken);
    assert_no_secret("Revoke", &format!("{revoke_request:?}"));
    assert_no_secret(
        "ClientCredentials",
        &format!("{:?}", oauth.client_credentials([Scope::AdsRead])),
    );
    assert_no_secret(
        "ConversionToken",
        &format!("{:?}", oauth.conversion_token()),
    );

    let response = oauth.exchange_code(CODE).await.unwrap();
    exchange.assert_calls_async(1).await;
    assert_no_secret("Response<Token>", &format!("{response:?} {response:#?}"));
    let token = response.into_inner();
    assert_no_secret("Token", &format!("{token:?} {token:#?}"));

    // Errors from the token endpoint.
    let error = oauth
        .exchange_code("CODE_SECRET_bad")
        .redirect_uri("https://other.example.com/cb")
        .await
        .unwrap_err();
    bad_code.assert_calls_async(1).await;
    assert_eq!(error.kind(), ErrorKind::BadRequest);
    assert_eq!(error.request_id(), Some("rid-400"));
    assert_no_secret(
        "token endpoint 400",
        &format!("{error} {error:?} {error:#?}"),
    );

    let error = oauth.refresh(REFRESH).await.unwrap_err();
    undecodable.assert_calls_async(1).await;
    assert!(error.decode_error().is_some(), "{error:?}");
    assert_no_secret(
        "undecodable token",
        &format!("{error} {error:?} {error:#?}"),
    );
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        assert_no_secret("error source", &format!("{cause} {cause:?}"));
        source = cause.source();
    }

    let error = oauth.revoke(OLD_ACCESS).await.unwrap_err();
    html.assert_calls_async(1).await;
    assert_eq!(error.status().map(|s| s.as_u16()), Some(502));
    assert_no_secret("revoke 502", &format!("{error} {error:?}"));

    let error = Client::builder()
        .environment(Environment::empty())
        .base_url(server.base_url())
        .client_id(CLIENT_ID)
        .build()
        .unwrap()
        .oauth()
        .exchange_code(CODE)
        .redirect_uri(REDIRECT)
        .await
        .unwrap_err();
    assert_no_secret("missing credential", &format!("{error} {error:?}"));
    stray.assert_calls_async(0).await;
}

/// Collects everything a `tracing` subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_secret_in_logs_of_an_oauth_session() {
    let server = MockServer::start_async().await;
    token_endpoint(
        &server,
        &exchange_body(),
        200,
        token_answer(OLD_ACCESS, Some(REFRESH), 0),
        Duration::ZERO,
    )
    .await;
    token_endpoint(
        &server,
        &refresh_body(),
        200,
        token_answer(NEW_ACCESS, None, DAY30),
        Duration::ZERO,
    )
    .await;
    let api = audience_get(&server, NEW_ACCESS, 200).await;
    let stray = catch_all(&server).await;

    let captured = Captured::default();
    let writer = captured.clone();
    // Everything at every level, from every test of this binary running meanwhile, except the
    // mock server's own logs (it prints whole requests). Global, not `set_default`: a
    // thread-local subscriber can miss events whose callsites other threads register first.
    let layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .with_filter(tracing_subscriber::filter::filter_fn(|meta| {
            !meta.target().starts_with("httpmock")
        }));
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer))
        .expect("no other test sets a global subscriber");

    let client = builder(&server).build().unwrap();
    install_exchanged_token(&client, 0).await;
    client.audiences().find(AD_ACCOUNT, AUDIENCE).await.unwrap();
    let _ = client.oauth().revoke(NEW_ACCESS).await;
    api.assert_calls_async(1).await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("access token refreshed"), "{logs}");
    assert!(logs.contains(r#"operation="oauth/token""#), "{logs}");
    assert!(logs.contains(r#"operation="token/revoke""#), "{logs}");
    assert_no_secret("logs", &logs);
    // The revoke reached the catch-all; that's the only stray request.
    stray.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_refresh_refused_with_400_is_still_an_authentication_error() {
    let server = MockServer::start_async().await;
    let rejected = audience_get(&server, OLD_ACCESS, 401).await;
    let refused = token_endpoint(
        &server,
        &refresh_body(),
        400,
        json!({ "code": 283, "message": "Refresh token is invalid or expired" }),
        Duration::ZERO,
    )
    .await;
    let stray = catch_all(&server).await;
    let client = refreshable(&server).build().unwrap();

    let error = client
        .audiences()
        .find(AD_ACCOUNT, AUDIENCE)
        .await
        .unwrap_err();

    // The call failed because it could not authenticate, whatever status the token
    // endpoint used; its answer stays readable.
    assert_eq!(error.kind(), ErrorKind::Authentication);
    assert!(
        matches!(error, pinterest::Error::TokenRefresh(_)),
        "{error:?}"
    );
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(error.code(), Some(283));
    assert_eq!(error.message(), Some("Refresh token is invalid or expired"));
    let source = std::error::Error::source(&error).expect("the refresh error is the source");
    assert!(
        source.to_string().starts_with("400 Bad Request: code 283"),
        "{source}"
    );
    assert_no_secret("refused refresh", &format!("{error} {error:?}"));
    refused.assert_calls_async(1).await;
    rejected.assert_calls_async(1).await;
    stray.assert_calls_async(0).await;
}

#[tokio::test]
async fn revoke_accepts_a_204_without_a_body() {
    let server = MockServer::start_async().await;
    let revoke = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/oauth/token/revoke")
                .header("authorization", BASIC)
                .body("token=pina_ACCESS_SECRET_old");
            then.status(204);
        })
        .await;
    let stray = catch_all(&server).await;
    let client = builder(&server).build().unwrap();

    let response = client.oauth().revoke(OLD_ACCESS).await.unwrap();

    assert_eq!(response.status(), 204);
    revoke.assert_calls_async(1).await;
    stray.assert_calls_async(0).await;
}

// ---------------------------------------------------------------------------------------------
// Refresh robustness
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_refresh_is_kept_when_the_caller_stops_waiting() {
    // Pinterest answers the refresh after 1 s; the caller is dropped while it waits. The new
    // token must still be stored (Pinterest may have rotated the refresh token already), so
    // the next call uses it without a second refresh.
    let server = MockServer::start_async().await;
    let rejected = audience_get(&server, OLD_ACCESS, 401).await;
    let refresh = token_endpoint(
        &server,
        &refresh_body(),
        200,
        token_answer(NEW_ACCESS, Some(NEW_REFRESH), DAY30),
        Duration::from_secs(1),
    )
    .await;
    let fresh = audience_get(&server, NEW_ACCESS, 200).await;
    let stray = catch_all(&server).await;
    let seen = Arc::new(Mutex::new(0));
    let counter = seen.clone();
    let client = refreshable(&server)
        .on_token(move |_| *counter.lock().unwrap() += 1)
        .build()
        .unwrap();

    let caller = client.clone();
    let call = tokio::spawn(async move { caller.audiences().find(AD_ACCOUNT, AUDIENCE).await });
    // Once the 401 is in, the refresh starts at once and takes a second: drop the caller
    // inside that second.
    wait_until("the 401", || async { rejected.calls_async().await == 1 }).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !call.is_finished(),
        "the call should still be waiting for the refresh"
    );
    call.abort();
    wait_until("the refreshed token", || async {
        *seen.lock().unwrap() == 1
    })
    .await;

    client.audiences().find(AD_ACCOUNT, AUDIENCE).await.unwrap();
    refresh.assert_calls_async(1).await;
    rejected.assert_calls_async(1).await;
    fresh.assert_calls_async(1).await;
    stray.assert_calls_async(0).await;
    assert_eq!(*seen.lock().unwrap(), 1);
    let token = client.token().expect("a token");
    assert_eq!(token.access_token().expose_secret(), NEW_ACCESS);
    assert_eq!(
        token.refresh_token().map(|t| t.expose_secret()),
        Some(NEW_REFRESH)
    );
}

/// Polls `done` every 10 ms until it holds, for at most 10 s.
async fn wait_until<F, Fut>(what: &str, done: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !done().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited 10 s for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_callers_share_a_failed_refresh() {
    // The token endpoint is down (503 after 300 ms). Five calls that hold the same rejected
    // token make one refresh between them and all fail with its error.
    let server = MockServer::start_async().await;
    let rejected = audience_get(&server, OLD_ACCESS, 401).await;
    let unavailable = token_endpoint(
        &server,
        &refresh_body(),
        503,
        json!({ "code": 1, "message": "Service unavailable" }),
        Duration::from_millis(300),
    )
    .await;
    let stray = catch_all(&server).await;
    let client = refreshable(&server)
        .retry_policy(pinterest::RetryPolicy::disabled())
        .build()
        .unwrap();

    let calls: Vec<_> = (0..5)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.audiences().find(AD_ACCOUNT, AUDIENCE).await })
        })
        .collect();
    for call in calls {
        let error = call.await.unwrap().unwrap_err();
        assert!(matches!(error, Error::TokenRefresh(_)), "{error:?}");
        assert_eq!(error.kind(), ErrorKind::Server);
    }

    unavailable.assert_calls_async(1).await;
    rejected.assert_calls_async(5).await;
    stray.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_call_makes_at_most_one_refresh_per_attempt() {
    // Every GET is rejected and the token endpoint is down: with 3 attempts the call sends
    // 3 GETs and 3 refreshes, not a refresh retried inside every attempt.
    let server = MockServer::start_async().await;
    let rejected = audience_get(&server, OLD_ACCESS, 401).await;
    let unavailable = token_endpoint(
        &server,
        &refresh_body(),
        503,
        json!({ "code": 1, "message": "Service unavailable" }),
        Duration::ZERO,
    )
    .await;
    let stray = catch_all(&server).await;
    let client = refreshable(&server)
        .retry_policy(pinterest::RetryPolicy::default().base_delay(Duration::from_millis(1)))
        .build()
        .unwrap();

    let error = client
        .audiences()
        .find(AD_ACCOUNT, AUDIENCE)
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Server, "{error:?}");
    rejected.assert_calls_async(3).await;
    unavailable.assert_calls_async(3).await;
    stray.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_token_installed_during_a_refresh_wins() {
    // While the refresh is in flight the application installs its own token: the refreshed
    // one must not overwrite it, and the call is replayed with the application's token.
    let server = MockServer::start_async().await;
    let rejected = audience_get(&server, OLD_ACCESS, 401).await;
    let refresh = token_endpoint(
        &server,
        &refresh_body(),
        200,
        token_answer(NEW_ACCESS, Some(NEW_REFRESH), DAY30),
        Duration::from_secs(1),
    )
    .await;
    let installed = audience_get(&server, "pina_ACCESS_SECRET_installed", 200).await;
    let stray = catch_all(&server).await;
    let client = refreshable(&server).build().unwrap();

    let caller = client.clone();
    let call = tokio::spawn(async move { caller.audiences().find(AD_ACCOUNT, AUDIENCE).await });
    wait_until("the 401", || async { rejected.calls_async().await == 1 }).await;
    client.set_access_token("pina_ACCESS_SECRET_installed");
    call.await.unwrap().unwrap();

    refresh.assert_calls_async(1).await;
    installed.assert_calls_async(1).await;
    stray.assert_calls_async(0).await;
    let token = client.token().unwrap();
    assert_eq!(
        token.access_token().expose_secret(),
        "pina_ACCESS_SECRET_installed"
    );
}

#[tokio::test]
async fn a_refresh_failing_for_a_passing_reason_is_retried_as_that_failure() {
    // The token is known to be expired and the token endpoint answers 503 every time: each
    // GET attempt tries to refresh, the call fails as a server error (not an authentication
    // one), and the refresh token is not given up.
    let server = MockServer::start_async().await;
    let exchange = token_endpoint(
        &server,
        &exchange_body(),
        200,
        token_answer(OLD_ACCESS, Some(REFRESH), 0),
        Duration::ZERO,
    )
    .await;
    let unavailable = token_endpoint(
        &server,
        &refresh_body(),
        503,
        json!({ "code": 1, "message": "Service unavailable" }),
        Duration::ZERO,
    )
    .await;
    let audience = audience_get(&server, OLD_ACCESS, 200).await;
    let stray = catch_all(&server).await;
    let client = builder(&server)
        .retry_policy(pinterest::RetryPolicy::default().base_delay(Duration::from_millis(1)))
        .build()
        .unwrap();
    install_exchanged_token(&client, 0).await;

    let error = client
        .audiences()
        .find(AD_ACCOUNT, AUDIENCE)
        .await
        .unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Server, "{error:?}");
    assert!(matches!(error, Error::TokenRefresh(_)), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(
        error.to_string(),
        "the access token could not be refreshed (HTTP 503, code 1)"
    );
    exchange.assert_calls_async(1).await;
    unavailable.assert_calls_async(3).await;
    audience.assert_calls_async(0).await;
    stray.assert_calls_async(0).await;
    assert!(client.token().unwrap().refresh_token().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_short_lived_refreshed_token_is_still_shared_by_waiting_callers() {
    // The refreshed token lives 45 s, inside the 60 s expiry margin: callers that waited on
    // the refresh use it rather than each refreshing again.
    let server = MockServer::start_async().await;
    let exchange = token_endpoint(
        &server,
        &exchange_body(),
        200,
        token_answer(OLD_ACCESS, Some(REFRESH), 0),
        Duration::ZERO,
    )
    .await;
    let refresh = token_endpoint(
        &server,
        &refresh_body(),
        200,
        token_answer(NEW_ACCESS, None, 45),
        Duration::from_millis(200),
    )
    .await;
    let fresh = audience_get(&server, NEW_ACCESS, 200).await;
    let stray = catch_all(&server).await;
    let client = builder(&server).build().unwrap();
    install_exchanged_token(&client, 0).await;

    let calls: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.audiences().find(AD_ACCOUNT, AUDIENCE).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }

    exchange.assert_calls_async(1).await;
    refresh.assert_calls_async(1).await;
    fresh.assert_calls_async(20).await;
    stray.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_refused_refresh_reads_as_one_line_with_its_code() {
    let server = MockServer::start_async().await;
    audience_get(&server, OLD_ACCESS, 401).await;
    token_endpoint(
        &server,
        &refresh_body(),
        401,
        json!({ "code": 283, "message": "Refresh token is invalid or expired" }),
        Duration::ZERO,
    )
    .await;
    let client = refreshable(&server).build().unwrap();

    let error = client
        .audiences()
        .find(AD_ACCOUNT, AUDIENCE)
        .await
        .unwrap_err();

    assert_eq!(
        error.to_string(),
        "the access token could not be refreshed (HTTP 401, code 283)"
    );
    let source = std::error::Error::source(&error).unwrap().to_string();
    assert!(
        source.contains("Refresh token is invalid or expired"),
        "{source}"
    );
}
