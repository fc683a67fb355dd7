//! What every request builder shares: per-call options and `.await` support.

/// Lets a request builder be awaited directly: `client.audiences().find(a, b).await`.
macro_rules! impl_into_future {
    ($request:ty => $output:ty) => {
        impl ::std::future::IntoFuture for $request {
            type Output = $crate::Result<$output>;
            type IntoFuture = ::futures::future::BoxFuture<'static, Self::Output>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}

/// Adds `.retry_policy(..)` to a request builder with an `options: CallOptions` field.
macro_rules! impl_call_options {
    ($($request:ty),+ $(,)?) => {$(
        impl $request {
            /// Overrides the client's retry policy for this call only. POST and PATCH calls
            /// are retried only when the policy allows it
            /// ([`RetryPolicy::retry_non_idempotent`](crate::RetryPolicy::retry_non_idempotent)).
            pub fn retry_policy(mut self, policy: $crate::RetryPolicy) -> Self {
                self.options.retry = Some(policy);
                self
            }
        }
    )+};
}

pub(crate) use {impl_call_options, impl_into_future};
