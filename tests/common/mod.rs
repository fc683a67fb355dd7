//! Helpers shared by the integration tests.

// Each test binary uses its own subset of these.
#![allow(dead_code)]

use futures::future::BoxFuture;
use httpmock::prelude::*;
use httpmock::{HttpMockRequest, HttpMockResponse, Mock};
use serde_json::json;
use std::sync::Mutex;
use std::time::Duration;

/// Registered last: answers 599 with a Pinterest-style JSON error naming the request no other
/// mock took, so a failing test says what was actually sent. Tests assert it got no hits.
pub async fn catch_all(server: &MockServer) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            when.any_request();
            then.respond_with(|req: &HttpMockRequest| {
                let message = format!(
                    "unmatched request: {} {} headers={:?} body={:?}",
                    req.method(),
                    req.uri(),
                    req.headers_vec(),
                    req.body_string()
                );
                HttpMockResponse::builder()
                    .status(599)
                    .header("content-type", "application/json")
                    .body(json!({ "code": 599, "message": message }).to_string())
                    .build()
            });
        })
        .await
}

/// A [`pinterest::Sleeper`] that records the waits the client asks for and returns at once,
/// so tests assert requested waits, never wall-clock time.
#[derive(Debug, Default)]
pub struct Recorder(Mutex<Vec<Duration>>);

impl pinterest::Sleeper for Recorder {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.0.lock().unwrap().push(duration);
        Box::pin(async {})
    }
}

impl Recorder {
    /// The waits so far.
    pub fn waits(&self) -> Vec<Duration> {
        self.0.lock().unwrap().clone()
    }

    /// The waits so far, forgetting them.
    pub fn take(&self) -> Vec<Duration> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}
