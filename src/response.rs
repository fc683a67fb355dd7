//! What a successful call returns: the decoded model plus the response metadata.

use crate::rate_limit::RateLimit;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use std::fmt;
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
///
/// `Debug` shows the model and the metadata, but hides the values of credential-bearing
/// headers (`Set-Cookie`, `Cookie`, `Authorization`, `Proxy-Authorization`, and any header
/// marked sensitive); [`headers`](Self::headers) still gives them.
#[derive(Clone)]
pub struct Response<T> {
    value: T,
    meta: ResponseMeta,
}

impl<T: fmt::Debug> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("value", &self.value)
            .field("status", &self.meta.status)
            .field("request_id", &self.request_id())
            .field(
                "headers",
                &crate::error::RedactedHeaders(&self.meta.headers),
            )
            .field("rate_limit", &self.meta.rate_limit)
            .finish()
    }
}

/// Status, headers and what the SDK reads from them.
#[derive(Clone)]
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

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn debug_redacts_cookies_and_credentials_but_keeps_other_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("set-cookie", HeaderValue::from_static("session=SECRET"));
        headers.append("set-cookie", HeaderValue::from_static("other=SECRET2"));
        headers.insert("cookie", HeaderValue::from_static("c=SECRET3"));
        headers.insert("authorization", HeaderValue::from_static("Bearer SECRET4"));
        headers.insert("proxy-authorization", HeaderValue::from_static("SECRET5"));
        let mut marked = HeaderValue::from_static("SECRET6");
        marked.set_sensitive(true);
        headers.insert("x-custom-token", marked);
        headers.insert("x-pinterest-rid", HeaderValue::from_static("rid-42"));
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("7"));
        let response = Response::new(vec!["model"], ResponseMeta::new(StatusCode::OK, headers));

        let debug = format!("{response:?}");
        let pretty = format!("{response:#?}");
        for text in [&debug, &pretty] {
            assert!(!text.contains("SECRET"), "{text}");
            assert!(text.contains(r#""set-cookie": "<redacted>""#), "{text}");
            assert!(text.contains(r#""x-custom-token": "<redacted>""#), "{text}");
            assert!(text.contains(r#""x-pinterest-rid": "rid-42""#), "{text}");
            assert!(text.contains(r#""model""#), "{text}");
            assert!(text.contains("200"), "{text}");
        }
        // The headers themselves are untouched.
        assert_eq!(
            response.headers().get("set-cookie").unwrap(),
            "session=SECRET"
        );
        assert_eq!(response.rate_limit().remaining(), Some(7));
    }
}
