//! Errors returned by the client.
//!
//! Every fallible call returns [`Result<T>`](Result), whose error is the
//! [`Error`] enum. Branch on [`Error::kind`] or on the predicates
//! ([`Error::is_not_found`], [`Error::is_rate_limited`], ...); read the HTTP
//! details of a non-2xx answer with [`Error::status`], [`Error::code`],
//! [`Error::message`] and [`Error::request_id`], or all of them through
//! [`Error::api_error`].
//!
//! ```no_run
//! async fn demo(client: pinterest::Client) {
//!     match client.audiences().find("123", "789").await {
//!         Ok(_audience) => println!("found it"),
//!         Err(e) if e.is_not_found() => {
//!             // Pinterest's own message, e.g. "Audience not found."
//!             println!("{}", e.message().unwrap_or("not found"));
//!             println!("{:?}", e.status());
//!         }
//!         Err(e) => {
//!             let status = e.status().map_or("none".to_owned(), |s| s.as_u16().to_string());
//!             println!("Unexpected error: {e} (HTTP {status})");
//!         }
//!     }
//! }
//! ```
//!
//! Nothing here ever prints a request's `Authorization` header or a request
//! body. Response headers are kept, but `Display` never shows them and
//! `Debug` redacts `Authorization`, `Proxy-Authorization`, `Cookie` and
//! `Set-Cookie`. Response bodies are kept (bounded by [`MAX_ERROR_BODY`]) but
//! are only shown when asked for through [`ResponseBody`]: the body of a
//! token response that failed to decode would hold the tokens.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};

use crate::config::ConfigError;
use crate::rate_limit::{self, RateLimit};

/// The most bytes of a response body kept in an error (64 KiB).
///
/// Error bodies are normally tiny JSON documents; the bound stops a proxy's
/// giant HTML page, or a huge undecodable success body, from being held in
/// memory for as long as the error lives.
pub const MAX_ERROR_BODY: usize = 64 * 1024;

/// Header in which Pinterest returns the id of the request, for support
/// tickets.
const REQUEST_ID: &str = "x-pinterest-rid";

/// `Result` with this crate's [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Any failure of a call to the Pinterest API.
///
/// ```no_run
/// use pinterest::ErrorKind;
///
/// async fn demo(client: pinterest::Client) -> pinterest::Result<()> {
///     if let Err(e) = client.audiences().find("123", "789").await {
///         match e.kind() {
///             ErrorKind::NotFound => println!("no such audience: {e}"),
///             ErrorKind::RateLimited => println!("slow down, retry in {:?}", e.retry_after()),
///             ErrorKind::Authentication => println!("token expired or invalid: {e}"),
///             _ => return Err(e),
///         }
///     }
///     Ok(())
/// }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server (Pinterest, or a proxy in front of it) answered with a
    /// non-2xx status.
    #[error(transparent)]
    Api(Box<ApiError>),

    /// The request did not complete in time.
    #[error("{phase} timeout calling the Pinterest API")]
    Timeout {
        /// Which timeout fired.
        phase: TimeoutPhase,
        /// The underlying HTTP client error.
        #[source]
        source: reqwest::Error,
    },

    /// No connection could be made (DNS, refused, TLS handshake, ...). The
    /// request was not sent.
    #[error("could not connect to the Pinterest API")]
    Connect(#[source] reqwest::Error),

    /// Any other I/O failure, e.g. the connection dropped while the
    /// response body was being read.
    #[error("transport error calling the Pinterest API")]
    Transport(#[source] reqwest::Error),

    /// A 2xx response whose body did not decode into the expected type.
    #[error(transparent)]
    Decode(Box<DecodeError>),

    /// An argument failed validation before sending; no request was made.
    #[error("invalid argument `{name}`: {reason}")]
    InvalidArgument {
        /// Name of the offending argument.
        name: &'static str,
        /// Why it was rejected.
        reason: String,
    },

    /// A credential the call needs was not configured (e.g.
    /// `"access_token"`, `"client_id"`); no request was made.
    #[error("missing credential `{name}`")]
    MissingCredential {
        /// Name of the missing credential.
        name: &'static str,
    },

    /// The client configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),

    /// The request could not be built (e.g. an invalid URL or header
    /// value); no request was made.
    #[error("could not build the request: {0}")]
    InvalidRequest(String),

    /// The access token was expired or rejected, and refreshing it failed. When Pinterest
    /// refused the refresh (a 400, 401 or 403: Pinterest code 283 means the grant is dead)
    /// its kind is [`ErrorKind::Authentication`]; otherwise (a 5xx, a timeout) it is the
    /// failure's own kind. The token endpoint's error is its source, and `status()`,
    /// `code()`, `message()` and `request_id()` read from it.
    #[error("the access token could not be refreshed{}", refresh_failure_detail(.0))]
    TokenRefresh(#[source] Arc<Error>),

    /// The server's answers broke the protocol in a way no single response shows (a list
    /// that hands back a bookmark it already sent, which would page for ever).
    #[error("invalid response from the Pinterest API: {0}")]
    InvalidResponse(String),
}

/// Which timeout fired, for [`Error::Timeout`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeoutPhase {
    /// Opening the connection took too long (the open/connect timeout). The
    /// request was not sent.
    Connect,
    /// The whole request, including reading the response, took too long.
    Request,
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutPhase::Connect => "connect",
            TimeoutPhase::Request => "request",
        })
    }
}

/// The category of an [`Error`], for matching without destructuring.
///
/// HTTP categories follow the status alone; Pinterest's `code` refines them
/// (see [`ApiError::code`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// HTTP 400: the request was malformed or a parameter was rejected.
    BadRequest,
    /// HTTP 401: the access token is missing, expired or invalid (Pinterest
    /// code 2, "Authentication failed."); refresh or re-authorize.
    Authentication,
    /// HTTP 403: the token is valid but lacks access (scope, ad account
    /// permission, ...).
    Forbidden,
    /// HTTP 404: the resource does not exist or is not visible to this token.
    NotFound,
    /// HTTP 429: rate limited; see [`Error::retry_after`].
    RateLimited,
    /// HTTP 5xx: a server or proxy failure.
    Server,
    /// Any other non-2xx status (3xx, 409, 422, ...).
    UnexpectedStatus,
    /// The whole-request `timeout` passed ([`Error::Timeout`] with
    /// [`TimeoutPhase::Request`]); the server may have acted on the request.
    Timeout,
    /// The connect `open_timeout` passed ([`Error::Timeout`] with
    /// [`TimeoutPhase::Connect`]); the request was not sent.
    ConnectTimeout,
    /// See [`Error::Connect`].
    Connect,
    /// See [`Error::Transport`].
    Transport,
    /// See [`Error::Decode`].
    Decode,
    /// See [`Error::InvalidArgument`].
    InvalidArgument,
    /// See [`Error::MissingCredential`].
    MissingCredential,
    /// See [`Error::Config`].
    Config,
    /// See [`Error::InvalidRequest`].
    InvalidRequest,
    /// See [`Error::InvalidResponse`].
    InvalidResponse,
}

impl ErrorKind {
    fn of_status(status: StatusCode) -> ErrorKind {
        match status {
            StatusCode::BAD_REQUEST => ErrorKind::BadRequest,
            StatusCode::UNAUTHORIZED => ErrorKind::Authentication,
            StatusCode::FORBIDDEN => ErrorKind::Forbidden,
            StatusCode::NOT_FOUND => ErrorKind::NotFound,
            StatusCode::TOO_MANY_REQUESTS => ErrorKind::RateLimited,
            s if s.is_server_error() => ErrorKind::Server,
            _ => ErrorKind::UnexpectedStatus,
        }
    }
}

impl Error {
    /// The category of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api(e) => e.kind(),
            Error::Timeout {
                phase: TimeoutPhase::Request,
                ..
            } => ErrorKind::Timeout,
            Error::Timeout {
                phase: TimeoutPhase::Connect,
                ..
            } => ErrorKind::ConnectTimeout,
            Error::Connect(_) => ErrorKind::Connect,
            Error::Transport(_) => ErrorKind::Transport,
            Error::Decode(_) => ErrorKind::Decode,
            Error::InvalidArgument { .. } => ErrorKind::InvalidArgument,
            Error::MissingCredential { .. } => ErrorKind::MissingCredential,
            Error::Config(_) => ErrorKind::Config,
            Error::InvalidRequest(_) => ErrorKind::InvalidRequest,
            Error::InvalidResponse(_) => ErrorKind::InvalidResponse,
            // A refused grant means the call cannot authenticate; anything else (a 503, a
            // timeout) keeps its own kind, so it can be retried like any other.
            Error::TokenRefresh(inner) if inner.refuses_grant() => ErrorKind::Authentication,
            Error::TokenRefresh(inner) => inner.kind(),
        }
    }

    /// True for an HTTP 400 answer.
    pub fn is_bad_request(&self) -> bool {
        self.kind() == ErrorKind::BadRequest
    }

    /// True for an HTTP 401 answer (expired or invalid token).
    pub fn is_authentication(&self) -> bool {
        self.kind() == ErrorKind::Authentication
    }

    /// True for an HTTP 403 answer.
    pub fn is_forbidden(&self) -> bool {
        self.kind() == ErrorKind::Forbidden
    }

    /// True for an HTTP 404 answer.
    pub fn is_not_found(&self) -> bool {
        self.kind() == ErrorKind::NotFound
    }

    /// True for an HTTP 429 answer.
    pub fn is_rate_limited(&self) -> bool {
        self.kind() == ErrorKind::RateLimited
    }

    /// True for an HTTP 5xx answer.
    pub fn is_server(&self) -> bool {
        self.kind() == ErrorKind::Server
    }

    /// True when a client-side timeout fired, connecting or waiting for the
    /// answer. A 504 Gateway Timeout from a proxy is [`ErrorKind::Server`],
    /// not this.
    pub fn is_timeout(&self) -> bool {
        matches!(self.kind(), ErrorKind::Timeout | ErrorKind::ConnectTimeout)
    }

    /// The HTTP status, when a response was received ([`Error::Api`], or the
    /// 2xx status of [`Error::Decode`]).
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status()),
            Error::Decode(e) => Some(e.status()),
            Error::TokenRefresh(e) => e.status(),
            _ => None,
        }
    }

    /// Pinterest's error `code` from the body of an [`Error::Api`].
    pub fn code(&self) -> Option<i64> {
        self.api_error().and_then(ApiError::code)
    }

    /// Pinterest's error `message` from the body of an [`Error::Api`].
    pub fn message(&self) -> Option<&str> {
        self.api_error().and_then(ApiError::message)
    }

    /// The `x-pinterest-rid` request id, when a response was received.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id(),
            Error::Decode(e) => e.request_id(),
            Error::TokenRefresh(e) => e.request_id(),
            _ => None,
        }
    }

    /// The rate-limit headers of the response, when one was received.
    pub fn rate_limit(&self) -> Option<&RateLimit> {
        match self {
            Error::Api(e) => Some(e.rate_limit()),
            Error::Decode(e) => Some(e.rate_limit()),
            Error::TokenRefresh(e) => e.rate_limit(),
            _ => None,
        }
    }

    /// The wait the server asked for on an [`Error::Api`]; see
    /// [`ApiError::retry_after`].
    pub fn retry_after(&self) -> Option<Duration> {
        self.api_error().and_then(ApiError::retry_after)
    }

    /// The non-2xx answer, for an [`Error::Api`] (or the token endpoint's, for an
    /// [`Error::TokenRefresh`]).
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            Error::TokenRefresh(e) => e.api_error(),
            _ => None,
        }
    }

    /// The undecodable 2xx answer, for an [`Error::Decode`].
    pub fn decode_error(&self) -> Option<&DecodeError> {
        match self {
            Error::Decode(e) => Some(e),
            _ => None,
        }
    }

    /// Whether this answer from the token endpoint refuses the refresh grant itself, rather
    /// than failing for a passing reason.
    pub(crate) fn refuses_grant(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::BadRequest | ErrorKind::Authentication | ErrorKind::Forbidden
        )
    }
}

/// ` (HTTP 401, code 283)`: what [`Error::TokenRefresh`] shows of its source in one line (the
/// whole source stays available through `source()`).
fn refresh_failure_detail(inner: &Error) -> String {
    match (inner.status(), inner.code()) {
        (Some(status), Some(code)) => format!(" (HTTP {}, code {code})", status.as_u16()),
        (Some(status), None) => format!(" (HTTP {})", status.as_u16()),
        _ => format!(" ({:?})", inner.kind()),
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Error {
        Error::Api(Box::new(e))
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Error {
        Error::Decode(Box::new(e))
    }
}

/// How a failed `reqwest` call is classified; split out of
/// [`classify_transport`] so the rules can be tested without a network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TransportClass {
    Timeout(TimeoutPhase),
    Connect,
    Transport,
    InvalidRequest,
}

impl TransportClass {
    fn of(is_timeout: bool, is_connect: bool, is_builder: bool) -> TransportClass {
        // reqwest flags a connect timeout as both `is_connect` and
        // `is_timeout`, so the pair must be checked first.
        match (is_timeout, is_connect) {
            (true, true) => TransportClass::Timeout(TimeoutPhase::Connect),
            (true, false) => TransportClass::Timeout(TimeoutPhase::Request),
            (false, true) => TransportClass::Connect,
            // A builder error would fail again on every attempt: it is a bad
            // request, not a transport problem worth retrying.
            (false, false) if is_builder => TransportClass::InvalidRequest,
            (false, false) => TransportClass::Transport,
        }
    }
}

/// Turns an error from sending a request or reading its response into the
/// matching [`Error`] variant: connect timeout, request timeout, connect
/// failure, unbuildable request, or other transport failure.
pub(crate) fn classify_transport(err: reqwest::Error) -> Error {
    match TransportClass::of(err.is_timeout(), err.is_connect(), err.is_builder()) {
        TransportClass::Timeout(phase) => Error::Timeout { phase, source: err },
        TransportClass::Connect => Error::Connect(err),
        TransportClass::Transport => Error::Transport(err),
        TransportClass::InvalidRequest => Error::InvalidRequest(error_chain(&err)),
    }
}

/// "outer: cause: root cause", since [`Error::InvalidRequest`] keeps text only.
fn error_chain(err: &dyn StdError) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A non-2xx answer, from Pinterest or from a proxy in front of it.
///
/// Pinterest answers errors with `{"code": <int>, "message": <string>}`;
/// [`code`](Self::code) and [`message`](Self::message) read it, and are `None`
/// when the body is something else (a proxy's HTML page, an empty or a cut
/// short body). Codes worth knowing:
///
/// | code | meaning |
/// | --- | --- |
/// | 2 | "Authentication failed." (with 401): the access token is expired or invalid |
/// | 283 | the refresh grant is dead: the user must authorize the app again |
/// | 29 | a trial-access app pointed at the sandbox |
///
/// `Display` gives e.g. `404 Not Found: code 5, Audience not found (request
/// id abc123)` or `502 Bad Gateway: non-JSON body`; it never shows headers.
#[derive(Clone)]
pub struct ApiError {
    status: StatusCode,
    headers: HeaderMap,
    body: ResponseBody,
    /// Whether the body parsed as JSON at all, to word `Display`.
    json: bool,
    code: Option<i64>,
    message: Option<String>,
    rate_limit: RateLimit,
    retry_after: Option<Duration>,
}

impl ApiError {
    /// Builds the error from a received response's parts; the `Retry-After`
    /// date form, if any, is resolved against the clock now.
    pub(crate) fn from_parts(
        status: StatusCode,
        headers: HeaderMap,
        body: ResponseBody,
    ) -> ApiError {
        Self::from_parts_at(status, headers, body, SystemTime::now())
    }

    fn from_parts_at(
        status: StatusCode,
        headers: HeaderMap,
        body: ResponseBody,
        now: SystemTime,
    ) -> ApiError {
        // A cut-short JSON object never parses, so truncation needs no
        // special case: such bodies simply read as non-JSON.
        let (json, code, message) = match serde_json::from_slice(body.bytes()) {
            Ok(serde_json::Value::Object(map)) => (
                true,
                map.get("code").and_then(serde_json::Value::as_i64),
                map.get("message")
                    .and_then(serde_json::Value::as_str)
                    .filter(|m| !m.trim().is_empty())
                    .map(str::to_owned),
            ),
            Ok(_) => (true, None, None),
            Err(_) => (false, None, None),
        };
        ApiError {
            rate_limit: RateLimit::from_headers(&headers),
            retry_after: rate_limit::requested_wait(status, &headers, Some(now)),
            status,
            headers,
            body,
            json,
            code,
            message,
        }
    }

    /// Reads up to [`MAX_ERROR_BODY`] bytes of a non-2xx response and builds
    /// the error. A failure while reading the body is not reported: the
    /// status is the news, and the body keeps what arrived (marked
    /// truncated).
    pub(crate) async fn from_response(response: reqwest::Response) -> ApiError {
        let status = response.status();
        let headers = response.headers().clone();
        let (body, _read_error) = read_bounded(response, MAX_ERROR_BODY).await;
        Self::from_parts(status, headers, body)
    }

    /// The category of this answer, from its status.
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::of_status(self.status)
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Pinterest's error `code`, when the body is Pinterest's error JSON.
    pub fn code(&self) -> Option<i64> {
        self.code
    }

    /// Pinterest's error `message`, when the body is Pinterest's error JSON.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The `x-pinterest-rid` header: quote it to Pinterest support.
    pub fn request_id(&self) -> Option<&str> {
        request_id(&self.headers)
    }

    /// The response headers. These can include `Set-Cookie`: do not log
    /// them wholesale.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The (bounded) response body.
    pub fn body(&self) -> &ResponseBody {
        &self.body
    }

    /// The rate-limit headers of the response.
    pub fn rate_limit(&self) -> &RateLimit {
        &self.rate_limit
    }

    /// The wait the server asked for: `Retry-After` (seconds or HTTP date)
    /// if present, else `X-RateLimit-Reset` when the quota is used up (on a
    /// 429, or a 503 reporting `X-RateLimit-Remaining: 0`).
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    fn body_description(&self) -> &'static str {
        if self.json {
            "JSON body without code or message"
        } else if self.body.is_truncated() {
            "truncated body"
        } else if self.body.is_empty() {
            "empty body"
        } else {
            "non-JSON body"
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_status(f, self.status)?;
        f.write_str(": ")?;
        match (self.code, &self.message) {
            (Some(code), Some(message)) => write!(f, "code {code}, {message}")?,
            (Some(code), None) => write!(f, "code {code}")?,
            (None, Some(message)) => f.write_str(message)?,
            (None, None) => f.write_str(self.body_description())?,
        }
        if let Some(id) = self.request_id() {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("request_id", &self.request_id())
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body", &self.body)
            .field("rate_limit", &self.rate_limit)
            .field("retry_after", &self.retry_after)
            .finish()
    }
}

impl StdError for ApiError {}

/// A 2xx response whose body did not decode into the expected type.
///
/// Keeps a bounded copy of the body for diagnosis. That body may hold
/// secrets (a token response, say), so neither `Display` nor `Debug` shows
/// it; read it through [`body`](Self::body) deliberately. The decoder's error
/// is the [`source`](std::error::Error::source).
pub struct DecodeError {
    status: StatusCode,
    headers: HeaderMap,
    body: ResponseBody,
    rate_limit: RateLimit,
    source: serde_json::Error,
}

impl DecodeError {
    /// Builds the error, keeping at most [`MAX_ERROR_BODY`] bytes of `body`.
    pub(crate) fn new(
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
        source: serde_json::Error,
    ) -> DecodeError {
        DecodeError {
            rate_limit: RateLimit::from_headers(&headers),
            status,
            headers,
            body: ResponseBody::from_bytes(body, MAX_ERROR_BODY),
            source,
        }
    }

    /// The (2xx) HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The `x-pinterest-rid` header.
    pub fn request_id(&self) -> Option<&str> {
        request_id(&self.headers)
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The (bounded) response body. May contain secrets: do not log it
    /// blindly.
    pub fn body(&self) -> &ResponseBody {
        &self.body
    }

    /// The rate-limit headers of the response.
    pub fn rate_limit(&self) -> &RateLimit {
        &self.rate_limit
    }

    /// The decoder's error (also returned by `source()`).
    pub fn decode_error(&self) -> &serde_json::Error {
        &self.source
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("could not decode the ")?;
        write_status(f, self.status)?;
        f.write_str(" response body")?;
        if let Some(id) = self.request_id() {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("status", &self.status)
            .field("request_id", &self.request_id())
            .field("headers", &RedactedHeaders(&self.headers))
            .field("body", &self.body)
            .field("source", &self.source)
            .finish()
    }
}

impl StdError for DecodeError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.source)
    }
}

/// A bounded copy of a response body.
///
/// Holds at most the limit it was read with (normally [`MAX_ERROR_BODY`]).
/// `Debug` shows only sizes, never the content.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ResponseBody {
    bytes: Bytes,
    len_seen: usize,
    truncated: bool,
}

impl ResponseBody {
    /// Keeps at most `limit` bytes of a body already in memory, copying a
    /// cut so a large original buffer is not kept alive.
    pub(crate) fn from_bytes(body: Bytes, limit: usize) -> ResponseBody {
        let len_seen = body.len();
        if len_seen <= limit {
            return ResponseBody {
                bytes: body,
                len_seen,
                truncated: false,
            };
        }
        ResponseBody {
            bytes: Bytes::copy_from_slice(&body[..limit]),
            len_seen,
            truncated: true,
        }
    }

    /// The bytes kept.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The bytes kept as text, with invalid UTF-8 (including a character cut
    /// by truncation) replaced by `U+FFFD`.
    pub fn as_str_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.bytes)
    }

    /// True when the bytes kept are not the whole body: it was longer than
    /// the limit, or reading it failed part-way.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }

    /// True when no byte was kept.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// How many body bytes were received before reading stopped. Equals
    /// `bytes().len()` unless truncated; when truncated by the limit the
    /// full body is longer still.
    pub fn len_seen(&self) -> usize {
        self.len_seen
    }
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseBody")
            .field("len", &self.bytes.len())
            .field("len_seen", &self.len_seen)
            .field("truncated", &self.truncated)
            .finish()
    }
}

/// Reads at most `limit` bytes of `response`'s body, chunk by chunk, and
/// stops as soon as the body proves longer (holding at most `limit` bytes
/// plus the chunk in hand). A read error ends the body early: what arrived
/// is kept, marked truncated, and the error is returned beside it.
pub(crate) async fn read_bounded(
    mut response: reqwest::Response,
    limit: usize,
) -> (ResponseBody, Option<reqwest::Error>) {
    read_chunks(&mut response, limit).await
}

/// Something that yields a body chunk by chunk; lets the bounded reader be
/// tested without a server.
trait ChunkSource {
    type Error;
    async fn next_chunk(&mut self) -> std::result::Result<Option<Bytes>, Self::Error>;
}

impl ChunkSource for reqwest::Response {
    type Error = reqwest::Error;
    async fn next_chunk(&mut self) -> std::result::Result<Option<Bytes>, reqwest::Error> {
        self.chunk().await
    }
}

async fn read_chunks<S: ChunkSource>(
    source: &mut S,
    limit: usize,
) -> (ResponseBody, Option<S::Error>) {
    let mut kept = Vec::new();
    let mut len_seen = 0usize;
    let (truncated, error) = loop {
        match source.next_chunk().await {
            Ok(Some(chunk)) => {
                len_seen = len_seen.saturating_add(chunk.len());
                let room = limit.saturating_sub(kept.len());
                kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if len_seen > limit {
                    break (true, None);
                }
            }
            Ok(None) => break (false, None),
            Err(e) => break (true, Some(e)),
        }
    };
    let body = ResponseBody {
        bytes: Bytes::from(kept),
        len_seen,
        truncated,
    };
    (body, error)
}

pub(crate) fn request_id(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(REQUEST_ID)?
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|id| !id.is_empty())
}

/// "404 Not Found", or just "599" for statuses without a standard reason.
fn write_status(f: &mut fmt::Formatter<'_>, status: StatusCode) -> fmt::Result {
    match status.canonical_reason() {
        Some(reason) => write!(f, "{} {reason}", status.as_u16()),
        None => write!(f, "{}", status.as_u16()),
    }
}

/// Debug view of response headers with credential-bearing values hidden (errors and
/// [`Response`](crate::Response) alike).
pub(crate) struct RedactedHeaders<'a>(pub(crate) &'a HeaderMap);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SECRET: [header::HeaderName; 4] = [
            header::AUTHORIZATION,
            header::PROXY_AUTHORIZATION,
            header::COOKIE,
            header::SET_COOKIE,
        ];
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            let shown = if SECRET.contains(name) || value.is_sensitive() {
                "<redacted>"
            } else {
                value.to_str().unwrap_or("<non-UTF-8>")
            };
            map.entry(&name.as_str(), &shown);
        }
        map.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;
    use std::collections::VecDeque;

    /// Header name/value pairs of one table row.
    type Pairs = &'static [(&'static str, &'static str)];

    fn status(code: u16) -> StatusCode {
        StatusCode::from_u16(code).unwrap()
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn body(text: &str) -> ResponseBody {
        ResponseBody::from_bytes(Bytes::copy_from_slice(text.as_bytes()), MAX_ERROR_BODY)
    }

    fn api(code: u16, pairs: &[(&'static str, &'static str)], text: &str) -> ApiError {
        ApiError::from_parts(status(code), headers(pairs), body(text))
    }

    fn api_err(code: u16, text: &str) -> Error {
        api(code, &[], text).into()
    }

    fn decode_err(code: u16, pairs: &[(&'static str, &'static str)], text: &str) -> DecodeError {
        let source = serde_json::from_str::<u64>("\"x\"").unwrap_err();
        DecodeError::new(
            status(code),
            headers(pairs),
            Bytes::from(text.to_owned()),
            source,
        )
    }

    #[test]
    fn api_error_reads_pinterest_json() {
        let e = api(
            404,
            &[("x-pinterest-rid", "abc123")],
            r#"{"code": 5, "message": "Audience not found", "details": [1]}"#,
        );
        assert_eq!(e.status(), StatusCode::NOT_FOUND);
        assert_eq!(e.code(), Some(5));
        assert_eq!(e.message(), Some("Audience not found"));
        assert_eq!(e.request_id(), Some("abc123"));
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(
            e.to_string(),
            "404 Not Found: code 5, Audience not found (request id abc123)"
        );
    }

    #[test]
    fn api_error_display_table() {
        let rid = &[("x-pinterest-rid", "r1")][..];
        let cases: &[(u16, Pairs, &str, &str)] = &[
            (
                502,
                rid,
                "<html><body>Bad Gateway</body></html>",
                "502 Bad Gateway: non-JSON body (request id r1)",
            ),
            (503, &[], "", "503 Service Unavailable: empty body"),
            (
                400,
                &[],
                r#"{"message": "Invalid parameters"}"#,
                "400 Bad Request: Invalid parameters",
            ),
            (401, &[], r#"{"code": 2}"#, "401 Unauthorized: code 2"),
            (
                401,
                &[],
                r#"{"code": 2, "message": "  "}"#,
                "401 Unauthorized: code 2",
            ),
            (
                409,
                &[],
                r#"{"error": "conflict"}"#,
                "409 Conflict: JSON body without code or message",
            ),
            (
                500,
                &[],
                "[1, 2]",
                "500 Internal Server Error: JSON body without code or message",
            ),
            (
                400,
                &[],
                r#"{"code": "5", "message": 7}"#,
                "400 Bad Request: JSON body without code or message",
            ),
            (599, &[], "", "599: empty body"),
            (302, &[], "", "302 Found: empty body"),
            // Blank request ids are ignored.
            (
                500,
                &[("x-pinterest-rid", " ")],
                "",
                "500 Internal Server Error: empty body",
            ),
        ];
        for (code, pairs, text, expected) in cases {
            let mut map = HeaderMap::new();
            for (name, value) in *pairs {
                map.insert(*name, HeaderValue::from_str(value).unwrap());
            }
            let e = ApiError::from_parts(status(*code), map, body(text));
            assert_eq!(e.to_string(), *expected, "{code} {text:?}");
        }
    }

    #[test]
    fn non_pinterest_bodies_have_no_code_or_message() {
        for text in [
            "<html>502</html>",
            "",
            "[]",
            r#"{"code": 5.5}"#,
            r#"{"code": 5, "mess"#,
        ] {
            let e = api(502, &[], text);
            assert_eq!(e.code(), None, "{text:?}");
            assert_eq!(e.message(), None, "{text:?}");
        }
    }

    #[test]
    fn truncated_body_is_not_parsed() {
        let full = format!(r#"{{"code": 1, "message": "{}"}}"#, "x".repeat(100));
        let b = ResponseBody::from_bytes(Bytes::from(full), 50);
        assert!(b.is_truncated());
        let e = ApiError::from_parts(status(500), HeaderMap::new(), b);
        assert_eq!((e.code(), e.message()), (None, None));
        assert_eq!(e.to_string(), "500 Internal Server Error: truncated body");
    }

    #[test]
    fn api_error_keeps_headers_rate_limit_and_retry_after() {
        let e = api(
            429,
            &[
                ("x-ratelimit-limit", "100, 1000;w=60"),
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", "30"),
            ],
            r#"{"code": 8, "message": "Rate limit exceeded"}"#,
        );
        assert_eq!(e.rate_limit().limit(), Some(100));
        assert_eq!(e.rate_limit().remaining(), Some(0));
        assert_eq!(e.retry_after(), Some(Duration::from_secs(30)));
        assert_eq!(e.headers().get("x-ratelimit-reset").unwrap(), "30");
        assert_eq!(
            e.body().as_str_lossy(),
            r#"{"code": 8, "message": "Rate limit exceeded"}"#
        );
        assert_eq!(e.kind(), ErrorKind::RateLimited);
    }

    #[test]
    fn retry_after_rules() {
        let reset = ("x-ratelimit-reset", "30");
        assert_eq!(api(404, &[reset], "").retry_after(), None);
        assert_eq!(api(503, &[reset], "").retry_after(), None);
        assert_eq!(
            api(503, &[("retry-after", "4")], "").retry_after(),
            Some(Duration::from_secs(4))
        );
        assert_eq!(
            api(429, &[("retry-after", "4"), reset], "").retry_after(),
            Some(Duration::from_secs(4))
        );
        // An HTTP date is resolved when the error is built.
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        let e = ApiError::from_parts_at(
            status(503),
            headers(&[("retry-after", "Wed, 21 Oct 2015 07:28:10 GMT")]),
            body(""),
            now,
        );
        assert_eq!(e.retry_after(), Some(Duration::from_secs(10)));
    }

    #[test]
    fn debug_and_display_hide_secrets() {
        let mut map = headers(&[
            ("set-cookie", "session=cookie-secret"),
            ("cookie", "a=cookie-secret2"),
            ("authorization", "Bearer token-secret"),
            ("proxy-authorization", "Basic proxy-secret"),
            ("x-pinterest-rid", "rid-1"),
        ]);
        let mut custom = HeaderValue::from_static("flagged-secret");
        custom.set_sensitive(true);
        map.insert("x-custom", custom);
        let e = ApiError::from_parts(
            status(401),
            map,
            body(r#"{"code": 2, "message": "Authentication failed."}"#),
        );
        let debug = format!("{e:?}");
        let display = e.to_string();
        for secret in [
            "cookie-secret",
            "cookie-secret2",
            "token-secret",
            "proxy-secret",
            "flagged-secret",
        ] {
            assert!(!debug.contains(secret), "{secret} in {debug}");
            assert!(!display.contains(secret), "{secret} in {display}");
        }
        assert!(debug.contains(r#""set-cookie": "<redacted>""#), "{debug}");
        assert!(debug.contains(r#""x-pinterest-rid": "rid-1""#), "{debug}");
        assert_eq!(
            display,
            "401 Unauthorized: code 2, Authentication failed. (request id rid-1)"
        );
        // The error wrapper's Debug goes through the same redaction.
        let wrapped = format!("{:?}", Error::from(e));
        assert!(!wrapped.contains("token-secret") && !wrapped.contains("cookie-secret"));
    }

    #[test]
    fn decode_error_bounds_and_hides_body() {
        let secret_body = format!(
            r#"{{"access_token": "pina_secret", "pad": "{}"}}"#,
            "y".repeat(MAX_ERROR_BODY)
        );
        let e = decode_err(
            200,
            &[("x-pinterest-rid", "rid-9"), ("x-ratelimit-remaining", "5")],
            &secret_body,
        );
        assert_eq!(e.status(), StatusCode::OK);
        assert_eq!(e.request_id(), Some("rid-9"));
        assert_eq!(e.rate_limit().remaining(), Some(5));
        assert_eq!(e.body().bytes().len(), MAX_ERROR_BODY);
        assert_eq!(e.body().len_seen(), secret_body.len());
        assert!(e.body().is_truncated());
        assert_eq!(e.body().bytes(), &secret_body.as_bytes()[..MAX_ERROR_BODY]);
        assert_eq!(
            e.to_string(),
            "could not decode the 200 OK response body (request id rid-9)"
        );
        assert!(!format!("{e:?}").contains("pina_secret"));
        let source = StdError::source(&e).unwrap();
        assert_eq!(source.to_string(), e.decode_error().to_string());
        assert!(source.is::<serde_json::Error>());

        let err = Error::from(e);
        assert_eq!(err.kind(), ErrorKind::Decode);
        assert_eq!(err.status(), Some(StatusCode::OK));
        assert_eq!(err.request_id(), Some("rid-9"));
        assert_eq!(err.rate_limit().unwrap().remaining(), Some(5));
        assert_eq!(
            (err.code(), err.message(), err.retry_after()),
            (None, None, None)
        );
        assert!(err.api_error().is_none());
        assert!(err.decode_error().is_some());
        assert_eq!(
            err.to_string(),
            "could not decode the 200 OK response body (request id rid-9)"
        );
        // Transparent: the chain goes straight to the serde error.
        assert!(StdError::source(&err).unwrap().is::<serde_json::Error>());
    }

    #[test]
    fn small_bodies_are_kept_whole() {
        let b = ResponseBody::from_bytes(Bytes::from_static(b"abc"), 3);
        assert_eq!(
            (b.bytes().as_ref(), b.len_seen(), b.is_truncated()),
            (&b"abc"[..], 3, false)
        );
        let b = ResponseBody::from_bytes(Bytes::from_static(b"abcd"), 3);
        assert_eq!(
            (b.bytes().as_ref(), b.len_seen(), b.is_truncated()),
            (&b"abc"[..], 4, true)
        );
        assert_eq!(
            format!("{b:?}"),
            "ResponseBody { len: 3, len_seen: 4, truncated: true }"
        );
        let lossy = ResponseBody::from_bytes(Bytes::from_static(b"ok\xff"), 10);
        assert_eq!(lossy.as_str_lossy(), "ok\u{fffd}");
        assert!(ResponseBody::default().is_empty());
    }

    #[test]
    fn kind_follows_status() {
        let cases = [
            (400, ErrorKind::BadRequest),
            (401, ErrorKind::Authentication),
            (403, ErrorKind::Forbidden),
            (404, ErrorKind::NotFound),
            (429, ErrorKind::RateLimited),
            (500, ErrorKind::Server),
            (502, ErrorKind::Server),
            (503, ErrorKind::Server),
            (504, ErrorKind::Server),
            (599, ErrorKind::Server),
            (301, ErrorKind::UnexpectedStatus),
            (304, ErrorKind::UnexpectedStatus),
            (405, ErrorKind::UnexpectedStatus),
            (409, ErrorKind::UnexpectedStatus),
            (418, ErrorKind::UnexpectedStatus),
            (422, ErrorKind::UnexpectedStatus),
        ];
        for (code, kind) in cases {
            let e = api_err(code, "");
            assert_eq!(e.kind(), kind, "{code}");
            assert_eq!(e.status(), Some(status(code)));
            let predicates = [
                (e.is_bad_request(), ErrorKind::BadRequest),
                (e.is_authentication(), ErrorKind::Authentication),
                (e.is_forbidden(), ErrorKind::Forbidden),
                (e.is_not_found(), ErrorKind::NotFound),
                (e.is_rate_limited(), ErrorKind::RateLimited),
                (e.is_server(), ErrorKind::Server),
            ];
            for (flag, flag_kind) in predicates {
                assert_eq!(flag, flag_kind == kind, "{code} vs {flag_kind:?}");
            }
            assert!(!e.is_timeout());
        }
    }

    #[test]
    fn api_accessors_delegate() {
        let e: Error = api(
            404,
            &[("x-pinterest-rid", "abc"), ("x-ratelimit-remaining", "7")],
            r#"{"code": 5, "message": "Audience not found"}"#,
        )
        .into();
        assert_eq!(e.code(), Some(5));
        assert_eq!(e.message(), Some("Audience not found"));
        assert_eq!(e.request_id(), Some("abc"));
        assert_eq!(e.rate_limit().unwrap().remaining(), Some(7));
        assert_eq!(e.api_error().unwrap().status(), StatusCode::NOT_FOUND);
        assert!(e.decode_error().is_none());
        assert_eq!(
            e.to_string(),
            "404 Not Found: code 5, Audience not found (request id abc)"
        );
    }

    #[test]
    fn local_errors() {
        let cases: Vec<(Error, ErrorKind, &str)> = vec![
            (
                Error::InvalidArgument {
                    name: "ad_account_id",
                    reason: "must be digits".into(),
                },
                ErrorKind::InvalidArgument,
                "invalid argument `ad_account_id`: must be digits",
            ),
            (
                Error::MissingCredential {
                    name: "access_token",
                },
                ErrorKind::MissingCredential,
                "missing credential `access_token`",
            ),
            (
                Error::InvalidRequest("bad header".into()),
                ErrorKind::InvalidRequest,
                "could not build the request: bad header",
            ),
        ];
        for (e, kind, text) in cases {
            assert_eq!(e.kind(), kind);
            assert_eq!(e.to_string(), text);
            assert_eq!(e.status(), None);
            assert_eq!(e.code(), None);
            assert_eq!(e.message(), None);
            assert_eq!(e.request_id(), None);
            assert!(e.rate_limit().is_none());
            assert!(e.api_error().is_none());
        }
    }

    #[test]
    fn transport_classification() {
        use TransportClass::*;
        let cases = [
            // (is_timeout, is_connect, is_builder)
            ((true, true, false), Timeout(TimeoutPhase::Connect)),
            ((true, false, false), Timeout(TimeoutPhase::Request)),
            ((false, true, false), Connect),
            ((false, false, false), Transport),
            ((false, false, true), InvalidRequest),
            ((true, false, true), Timeout(TimeoutPhase::Request)),
        ];
        for ((t, c, b), expected) in cases {
            assert_eq!(TransportClass::of(t, c, b), expected, "{t} {c} {b}");
        }
    }

    #[test]
    fn builder_errors_become_invalid_request() {
        let err = reqwest::Proxy::all("not a url").unwrap_err();
        assert!(err.is_builder());
        let e = classify_transport(err);
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        assert!(
            e.to_string()
                .starts_with("could not build the request: builder error"),
            "{e}"
        );
    }

    #[test]
    fn timeout_phase_display() {
        assert_eq!(TimeoutPhase::Connect.to_string(), "connect");
        assert_eq!(TimeoutPhase::Request.to_string(), "request");
    }

    #[test]
    fn error_is_send_sync_static() {
        fn check<T: Send + Sync + 'static>() {}
        check::<Error>();
        check::<ApiError>();
        check::<DecodeError>();
    }

    #[test]
    fn read_bounded_future_is_send() {
        fn send<T: Send>(_: &T) {}
        // Never called: it only has to compile.
        fn check(a: reqwest::Response, b: reqwest::Response) {
            send(&read_bounded(a, 1));
            send(&ApiError::from_response(b));
        }
        let _ = check as fn(reqwest::Response, reqwest::Response);
    }

    /// A body delivered as scripted chunks, ending in `Ok(None)` once the
    /// script runs out.
    struct Script {
        chunks: VecDeque<std::result::Result<&'static [u8], &'static str>>,
        pulls: usize,
    }

    impl Script {
        fn new(chunks: &[std::result::Result<&'static [u8], &'static str>]) -> Script {
            Script {
                chunks: chunks.iter().copied().collect(),
                pulls: 0,
            }
        }
    }

    impl ChunkSource for Script {
        type Error = &'static str;
        async fn next_chunk(&mut self) -> std::result::Result<Option<Bytes>, &'static str> {
            self.pulls += 1;
            match self.chunks.pop_front() {
                Some(Ok(chunk)) => Ok(Some(Bytes::from_static(chunk))),
                Some(Err(e)) => Err(e),
                None => Ok(None),
            }
        }
    }

    #[tokio::test]
    async fn reads_small_body_whole() {
        let mut s = Script::new(&[Ok(b"he"), Ok(b"llo")]);
        let (b, err) = read_chunks(&mut s, 10).await;
        assert_eq!(
            (b.bytes().as_ref(), b.len_seen(), b.is_truncated(), err),
            (&b"hello"[..], 5, false, None)
        );
        assert_eq!(s.pulls, 3);
    }

    #[tokio::test]
    async fn body_of_exactly_the_limit_is_complete() {
        let mut s = Script::new(&[Ok(b"abc"), Ok(b"de")]);
        let (b, err) = read_chunks(&mut s, 5).await;
        assert_eq!(
            (b.bytes().as_ref(), b.len_seen(), b.is_truncated(), err),
            (&b"abcde"[..], 5, false, None)
        );
    }

    #[tokio::test]
    async fn stops_pulling_once_past_the_limit() {
        let mut s = Script::new(&[Ok(b"abc"), Ok(b"defg"), Ok(b"never read")]);
        let (b, err) = read_chunks(&mut s, 5).await;
        assert_eq!(
            (b.bytes().as_ref(), b.len_seen(), b.is_truncated(), err),
            (&b"abcde"[..], 7, true, None)
        );
        assert_eq!(s.pulls, 2, "read past the limit");
        assert_eq!(s.chunks.len(), 1);
    }

    #[tokio::test]
    async fn read_error_keeps_what_arrived() {
        let mut s = Script::new(&[
            Ok(b"{\"code\":"),
            Err("connection reset"),
            Ok(b"never read"),
        ]);
        let (b, err) = read_chunks(&mut s, 100).await;
        assert_eq!(
            (b.bytes().as_ref(), b.len_seen(), b.is_truncated()),
            (&b"{\"code\":"[..], 8, true)
        );
        assert_eq!(err, Some("connection reset"));
        assert_eq!(s.pulls, 2);
    }

    #[tokio::test]
    async fn empty_body_and_zero_limit() {
        let mut s = Script::new(&[]);
        let (b, err) = read_chunks(&mut s, 100).await;
        assert_eq!((b, err), (ResponseBody::default(), None));
        let mut s = Script::new(&[Ok(b"x")]);
        let (b, _) = read_chunks(&mut s, 0).await;
        assert_eq!(
            (b.bytes().len(), b.len_seen(), b.is_truncated()),
            (0, 1, true)
        );
    }
}
