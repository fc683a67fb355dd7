//! The one request path. Every API call goes through [`execute`]: it builds a generated client
//! for each attempt, lets progenitor build and send the request through the hooks below
//! (credentials, `Content-Length`, no stray generator headers), turns what came back into a
//! [`Response`] or a typed [`Error`], refreshes an expired access token once, and retries as
//! the [`RetryPolicy`] says.

use crate::client::Client;
use crate::error::{ApiError, DecodeError, Error, ResponseBody};
use crate::generated;
use crate::response::{Response, ResponseMeta};
use crate::retry::{Outcome, RetryDecision, RetryPolicy, StopReason};
use crate::token::HeldToken;
use base64::Engine as _;
use futures::future::BoxFuture;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo, ResponseValue};
use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tracing::Instrument as _;

/// What the generated code returns for every operation (no error responses are declared in
/// the trimmed document, so every non-2xx arrives as `UnexpectedResponse`).
pub(crate) type GeneratedResult<T> = Result<ResponseValue<T>, progenitor_client::Error<()>>;

/// Describes an operation for the request path: its id (for tracing), method (for the retry
/// policy), path template (for tracing) and how it authenticates.
#[derive(Debug)]
pub(crate) struct Operation {
    pub(crate) id: &'static str,
    pub(crate) method: Method,
    pub(crate) path: &'static str,
    pub(crate) auth: AuthScheme,
}

/// How an operation authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthScheme {
    /// `Authorization: Bearer <access token>`.
    Bearer,
    /// `Authorization: Basic <client_id:client_secret>` (the OAuth token endpoints).
    Basic,
}

/// Per-call settings that override the client's.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallOptions {
    pub(crate) retry: Option<RetryPolicy>,
}

/// The credentials one attempt sends.
#[derive(Clone)]
pub(crate) enum Credentials {
    /// The access token as the client's token store held it (always present here).
    Bearer(HeldToken),
    Basic {
        client_id: String,
        client_secret: SecretString,
    },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Bearer(_) => f.write_str("Bearer(<redacted>)"),
            Credentials::Basic { client_id, .. } => write!(f, "Basic({client_id}:<redacted>)"),
        }
    }
}

impl Credentials {
    fn header_value(&self) -> Result<HeaderValue, Error> {
        let text = match self {
            Credentials::Bearer(held) => {
                let token = held.secret.as_ref().ok_or(Error::MissingCredential {
                    name: "access_token",
                })?;
                format!("Bearer {}", token.expose_secret())
            }
            Credentials::Basic {
                client_id,
                client_secret,
            } => {
                let pair = format!("{client_id}:{}", client_secret.expose_secret());
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                )
            }
        };
        let mut value = HeaderValue::from_str(&text).map_err(|_| Error::InvalidArgument {
            name: "credentials",
            reason: "contain characters not allowed in an HTTP header".to_owned(),
        })?;
        // Keeps the value out of reqwest's and hyper's Debug output and HTTP/2 header tables.
        value.set_sensitive(true);
        Ok(value)
    }
}

/// The state of one attempt, handed to the generated client as its `inner` value.
#[derive(Clone)]
pub(crate) struct Attempt {
    authorization: HeaderValue,
    /// Shorter than the client's timeout when the retry deadline is near.
    timeout: Option<Duration>,
    /// Status and headers of the answer, kept for errors the generated code reports without
    /// them (a 2xx body that does not decode).
    answer: Arc<Mutex<Option<(StatusCode, HeaderMap)>>>,
}

impl fmt::Debug for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attempt")
            .field("authorization", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl ClientHooks<Attempt> for generated::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let needs_length = request.body().is_none()
            && matches!(
                *request.method(),
                Method::POST | Method::PUT | Method::PATCH
            );
        if let Some(timeout) = self.inner().timeout {
            *request.timeout_mut() = Some(timeout);
        }
        let headers = request.headers_mut();
        // progenitor stamps every request with the document's version; Pinterest reads no such header.
        headers.remove("api-version");
        headers.insert(AUTHORIZATION, self.inner().authorization.clone());
        if needs_length {
            // Without it some proxies answer 411 Length Required to a body-less POST.
            headers.insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let response = self.client().execute(request).await?;
        let answer = (response.status(), response.headers().clone());
        *self
            .inner()
            .answer
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(answer);
        Ok(response)
    }
}

/// Runs one API call: attempts, token refresh, retries, tracing.
///
/// `call` starts the generated operation on the client it is given; it runs once per attempt.
pub(crate) async fn execute<T, F>(
    client: &Client,
    op: &Operation,
    options: &CallOptions,
    call: F,
) -> Result<Response<T>, Error>
where
    T: DeserializeOwned,
    F: for<'g> Fn(&'g generated::Client) -> BoxFuture<'g, GeneratedResult<T>>,
{
    let span = tracing::debug_span!(
        target: "pinterest",
        "pinterest.call",
        operation = op.id,
        method = %op.method,
        path = op.path,
        attempt = tracing::field::Empty,
        status = tracing::field::Empty,
        request_id = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
    );
    run_attempts(client, op, options, call)
        .instrument(span)
        .await
}

async fn run_attempts<T, F>(
    client: &Client,
    op: &Operation,
    options: &CallOptions,
    call: F,
) -> Result<Response<T>, Error>
where
    T: DeserializeOwned,
    F: for<'g> Fn(&'g generated::Client) -> BoxFuture<'g, GeneratedResult<T>>,
{
    let policy = options
        .retry
        .as_ref()
        .unwrap_or_else(|| client.retry_policy());
    let started = Instant::now();
    let mut attempt: u32 = 0;
    let mut replayed_after_refresh = false;
    loop {
        attempt += 1;
        let span = tracing::Span::current();
        span.record("attempt", attempt);
        let budget = policy.remaining_budget(started.elapsed());
        let credentials = match op.auth {
            AuthScheme::Bearer => client.bearer_credentials(budget).await,
            AuthScheme::Basic => client.basic_credentials(),
        };
        let (result, token_used) = match credentials {
            Ok(credentials) => {
                let sent = Instant::now();
                let timeout = client.attempt_timeout(budget);
                let result = attempt_once(client, &credentials, timeout, &call).await;
                span.record("latency_ms", sent.elapsed().as_millis() as u64);
                (result, held_token(credentials))
            }
            // No credentials (missing, or a refresh that failed): the attempt's error, retried
            // or not like any other.
            Err(error) => (Err(error), None),
        };
        if let Some((status, request_id)) = status_and_request_id(&result) {
            span.record("status", status.as_u16());
            if let Some(id) = request_id {
                span.record("request_id", id);
            }
        }
        let mut error = match result {
            Ok(response) => {
                tracing::debug!(target: "pinterest", "call succeeded");
                return Ok(response);
            }
            Err(error) => error,
        };

        // A 401 means the request was rejected unprocessed, so one replay with a fresh token
        // is safe for any method; it is not a retry in the policy's sense.
        if is_rejected_token(&error)
            && !replayed_after_refresh
            && let Some(used) = &token_used
        {
            let budget = policy.remaining_budget(started.elapsed());
            match client.refresh_after_rejection(used, budget).await {
                Ok(true) => {
                    replayed_after_refresh = true;
                    attempt -= 1;
                    tracing::info!(target: "pinterest", "access token rejected; refreshed it, replaying the call once");
                    continue;
                }
                Ok(false) => {}
                Err(refresh_error) => error = refresh_error,
            }
        }

        let Some(outcome) = Outcome::from_error(&error) else {
            tracing::debug!(target: "pinterest", kind = ?error.kind(), "call failed");
            return Err(error);
        };
        match policy.decide(&op.method, outcome, attempt, started.elapsed()) {
            RetryDecision::Retry { wait, reason } => {
                let wait = wait.resolve(rand::random::<f64>());
                tracing::info!(target: "pinterest", %reason, wait_ms = wait.as_millis() as u64, attempt, "retrying");
                client.sleeper().sleep(wait).await;
            }
            RetryDecision::Stop(reason) => {
                if let StopReason::WaitTooLong { requested } = reason {
                    tracing::warn!(target: "pinterest", requested_s = requested.as_secs(), "server asked for a longer wait than the retry policy allows");
                }
                tracing::debug!(target: "pinterest", kind = ?error.kind(), stop = %reason, "call failed");
                return Err(error);
            }
        }
    }
}

fn held_token(credentials: Credentials) -> Option<HeldToken> {
    match credentials {
        Credentials::Bearer(held) => Some(held),
        Credentials::Basic { .. } => None,
    }
}

/// Pinterest's answer to an expired or invalid access token.
fn is_rejected_token(error: &Error) -> bool {
    matches!(error, Error::Api(api) if api.status() == StatusCode::UNAUTHORIZED)
}

fn status_and_request_id<T>(
    result: &Result<Response<T>, Error>,
) -> Option<(StatusCode, Option<&str>)> {
    match result {
        Ok(response) => Some((response.status(), response.request_id())),
        Err(error) => error.status().map(|status| (status, error.request_id())),
    }
}

/// Sends one attempt and classifies what came back.
async fn attempt_once<T, F>(
    client: &Client,
    credentials: &Credentials,
    timeout: Option<Duration>,
    call: &F,
) -> Result<Response<T>, Error>
where
    T: DeserializeOwned,
    F: for<'g> Fn(&'g generated::Client) -> BoxFuture<'g, GeneratedResult<T>>,
{
    let answer = Arc::new(Mutex::new(None));
    let attempt = Attempt {
        authorization: credentials.header_value()?,
        timeout,
        answer: answer.clone(),
    };
    let generated =
        generated::Client::new_with_client(client.base_url(), client.http().clone(), attempt);
    let result = call(&generated).await;
    let answer = answer.lock().unwrap_or_else(|e| e.into_inner()).take();
    classify(result, answer).await
}

/// Turns what the generated code returned into the SDK's response or error.
async fn classify<T: DeserializeOwned>(
    result: GeneratedResult<T>,
    answer: Option<(StatusCode, HeaderMap)>,
) -> Result<Response<T>, Error> {
    use progenitor_client::Error as Generated;
    match result {
        Ok(value) => {
            let meta = ResponseMeta::new(value.status(), value.headers().clone());
            Ok(Response::new(value.into_inner(), meta))
        }
        Err(Generated::UnexpectedResponse(response)) if response.status().is_success() => {
            decode_undocumented_success(response).await
        }
        Err(Generated::UnexpectedResponse(response)) => Err(Error::Api(Box::new(
            ApiError::from_response(response).await,
        ))),
        Err(Generated::InvalidResponsePayload(bytes, source)) => {
            let (status, headers) = answer.unwrap_or((StatusCode::OK, HeaderMap::new()));
            Err(Error::Decode(Box::new(DecodeError::new(
                status, headers, bytes, source,
            ))))
        }
        // A 2xx body that stops arriving trips the request timeout while it is read: that is
        // a request timeout, like one that fires before the head arrives; any other failure
        // while reading it is a transport error.
        Err(Generated::CommunicationError(source) | Generated::ResponseBodyError(source)) => {
            Err(crate::error::classify_transport(source))
        }
        Err(Generated::InvalidUpgrade(source)) => Err(Error::Transport(source)),
        Err(Generated::InvalidRequest(message) | Generated::Custom(message)) => {
            Err(Error::InvalidRequest(message))
        }
        Err(Generated::ErrorResponse(value)) => {
            // Not produced: the trimmed document declares no error responses.
            let body = ResponseBody::default();
            Err(Error::Api(Box::new(ApiError::from_parts(
                value.status(),
                value.headers().clone(),
                body,
            ))))
        }
    }
}

/// A 2xx status the document does not list (a 201 or 204 where it says 200): the body is
/// decoded as the documented one would be, and an empty body reads as JSON `null` (which a
/// call that returns nothing accepts).
async fn decode_undocumented_success<T: DeserializeOwned>(
    response: reqwest::Response,
) -> Result<Response<T>, Error> {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .bytes()
        .await
        .map_err(crate::error::classify_transport)?;
    let json: &[u8] = if bytes.trim_ascii().is_empty() {
        b"null"
    } else {
        &bytes
    };
    match serde_json::from_slice(json) {
        Ok(value) => Ok(Response::new(value, ResponseMeta::new(status, headers))),
        Err(source) => Err(Error::Decode(Box::new(DecodeError::new(
            status, headers, bytes, source,
        )))),
    }
}
