//! What a successful call returns: the decoded model plus the response metadata.

use crate::rate_limit::RateLimit;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use std::ops::{Deref, DerefMut};

/// A decoded response body together with the status, headers, request id and rate-limit state
/// of the response it came from.
///
/// It dereferences to the model, so most code never notices the wrapper; reach for the
/// metadata when you need it, without another request:
///
/// ```no_run
/// # async fn demo(client: pinterest::Client) -> pinterest::Result<()> {
/// let audience = client.audiences().find("123456", "789").await?;
/// println!("{:?} (request id {:?})", audience.name, audience.request_id());
/// if let Some(remaining) = audience.rate_limit().remaining() {
///     println!("{remaining} calls left in this window");
/// }
/// let audience = audience.into_inner(); // the plain model
/// # let _ = audience;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Response<T> {
    value: T,
    meta: ResponseMeta,
}

/// Status, headers and what the SDK reads from them.
#[derive(Debug, Clone)]
pub(crate) struct ResponseMeta {
    status: StatusCode,
    headers: HeaderMap,
    rate_limit: RateLimit,
}

impl ResponseMeta {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap) -> Self {
        let rate_limit = RateLimit::from_headers(&headers);
        Self {
            status,
            headers,
            rate_limit,
        }
    }
}

impl<T> Response<T> {
    pub(crate) fn new(value: T, meta: ResponseMeta) -> Self {
        Self { value, meta }
    }

    /// The HTTP status (200 for every Pinterest operation this SDK covers).
    pub fn status(&self) -> StatusCode {
        self.meta.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.meta.headers
    }

    /// Pinterest's request id (`x-pinterest-rid`), to quote to Pinterest support.
    pub fn request_id(&self) -> Option<&str> {
        crate::error::request_id(&self.meta.headers)
    }

    /// The rate-limit headers of the response, parsed.
    pub fn rate_limit(&self) -> &RateLimit {
        &self.meta.rate_limit
    }

    /// The decoded model, without the metadata.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// Transforms the model, keeping the metadata.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            value: f(self.value),
            meta: self.meta,
        }
    }
}

impl<T> Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> DerefMut for Response<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}
