#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs, missing_debug_implementations)]

mod audiences;
mod client;
mod config;
mod customer_list_uploads;
mod customer_lists;
mod error;
mod generated;
mod ids;
pub mod models;
pub mod oauth;
mod open_enum;
mod pagination;
pub mod rate_limit;
mod records;
mod request;
mod response;
pub mod retry;
mod scope;
mod sleep;
mod token;
mod transport;

/// The HTTP client this SDK is built on, re-exported so its types match the SDK's version.
pub use reqwest;
/// An HTTP method (`reqwest::Method`), as `retry::RetryPolicy::decide` takes it.
pub use reqwest::Method;
/// An HTTP status code (`reqwest::StatusCode`), to compare with `Error::status()`.
pub use reqwest::StatusCode;
/// A map of HTTP headers (`reqwest::header::HeaderMap`), as `Response::headers()` returns.
pub use reqwest::header::HeaderMap;

pub use audiences::{Audiences, CreateAudience, FindAudience, ListAudiences, UpdateAudience};
pub use client::{Client, ClientBuilder};
pub use config::{
    Config, ConfigError, DEFAULT_AUTH_URL, DEFAULT_BASE_URL, DEFAULT_OPEN_TIMEOUT, DEFAULT_TIMEOUT,
    Environment, Origin, SANDBOX_BASE_URL, Settings, configure, reset_configuration,
};
pub use customer_list_uploads::{CreateUpload, CustomerListUploads, FindUpload, RunUpload};
pub use customer_lists::{
    CreateCustomerList, CustomerLists, FindCustomerList, ListCustomerLists, UpdateCustomerList,
};
pub use error::{
    ApiError, DecodeError, Error, ErrorKind, MAX_ERROR_BODY, ResponseBody, Result, TimeoutPhase,
};
pub use oauth::Oauth;
pub use pagination::Page;
pub use rate_limit::{RateLimit, RateLimitPolicy};
pub use records::Records;
pub use response::Response;
pub use retry::{RetryPolicy, StopReason};
pub use scope::Scope;
pub use secrecy::{ExposeSecret, SecretString};
pub use sleep::{Sleeper, TokioSleeper};
pub use token::Token;
