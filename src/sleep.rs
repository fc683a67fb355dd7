//! The waits between attempts go through a [`Sleeper`], so tests (and custom runtimes) can
//! replace the clock: a test records the waits the client asked for instead of waiting.

use futures::future::BoxFuture;
use std::fmt;
use std::time::Duration;

/// Waits for a duration. The default, [`TokioSleeper`], uses `tokio::time::sleep`.
///
/// ```
/// use futures::future::BoxFuture;
/// use std::sync::{Arc, Mutex};
/// use std::time::Duration;
///
/// /// Records every wait instead of sleeping.
/// #[derive(Debug, Default)]
/// struct Recorder(Mutex<Vec<Duration>>);
///
/// impl pinterest::Sleeper for Recorder {
///     fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
///         self.0.lock().unwrap().push(duration);
///         Box::pin(async {})
///     }
/// }
///
/// let recorder = Arc::new(Recorder::default());
/// let client = pinterest::Client::builder()
///     .access_token("token")
///     .sleeper(recorder.clone())
///     .build()?;
/// # Ok::<(), pinterest::Error>(())
/// ```
pub trait Sleeper: fmt::Debug + Send + Sync + 'static {
    /// Returns a future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// Sleeps on the tokio timer.
#[derive(Debug, Default, Clone, Copy)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}
