//! Client configuration: settings layers, the global layer, the environment,
//! and how they combine into a resolved [`Config`].
//!
//! Each setting is looked up in this order, and the first layer that sets it
//! wins:
//!
//! 1. the client builder's own [`Settings`],
//! 2. the process-wide layer set with [`configure`],
//! 3. `PINTEREST_*` environment variables (see [`Environment`]),
//! 4. the built-in default.
//!
//! Values are stored as given and checked only when they are resolved, so an
//! error can say which layer a bad value came from.
//!
//! Secrets (client secret, access token, refresh token) are held as
//! [`SecretString`] and never appear in `Debug` output or error messages.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use url::{Host, Url};

/// Base URL of the production API.
pub const DEFAULT_BASE_URL: &str = "https://api.pinterest.com/v5";
/// Base URL of the sandbox API, selected by [`Settings::sandbox`].
pub const SANDBOX_BASE_URL: &str = "https://api-sandbox.pinterest.com/v5";
/// Page where users grant an app access (the OAuth authorize URL).
pub const DEFAULT_AUTH_URL: &str = "https://www.pinterest.com/oauth/";
/// Time limit for a whole request, from connecting to reading the body.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Time limit for opening a connection.
pub const DEFAULT_OPEN_TIMEOUT: Duration = Duration::from_secs(10);

/// The SDK's own part of the `User-Agent` header.
const SDK_USER_AGENT: &str = concat!("pinterest-ads/", env!("CARGO_PKG_VERSION"));

const ENV_CLIENT_ID: &str = "PINTEREST_CLIENT_ID";
const ENV_CLIENT_SECRET: &str = "PINTEREST_CLIENT_SECRET";
const ENV_ACCESS_TOKEN: &str = "PINTEREST_ACCESS_TOKEN";
const ENV_REFRESH_TOKEN: &str = "PINTEREST_REFRESH_TOKEN";
const ENV_REDIRECT_URI: &str = "PINTEREST_REDIRECT_URI";
const ENV_BASE_URL: &str = "PINTEREST_BASE_URL";
const ENV_AUTH_URL: &str = "PINTEREST_AUTH_URL";
const ENV_TIMEOUT: &str = "PINTEREST_TIMEOUT";
const ENV_OPEN_TIMEOUT: &str = "PINTEREST_OPEN_TIMEOUT";

/// Every variable this module reads; [`Environment::process`] copies only these.
const ENV_VARS: [&str; 9] = [
    ENV_CLIENT_ID,
    ENV_CLIENT_SECRET,
    ENV_ACCESS_TOKEN,
    ENV_REFRESH_TOKEN,
    ENV_REDIRECT_URI,
    ENV_BASE_URL,
    ENV_AUTH_URL,
    ENV_TIMEOUT,
    ENV_OPEN_TIMEOUT,
];

const NOT_A_NUMBER: &str = "expected a number of seconds such as 30 or 2.5";
const NOT_POSITIVE: &str = "must be greater than zero";
const NOT_HEADER_SAFE: &str = "contains characters not allowed in an HTTP header";
const NOT_HTTPS: &str = "must use https (plain http is only allowed for loopback test servers)";

// ---------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------

/// One layer of configuration. Every field is optional; an unset field is
/// filled by the next layer: client builder, then [`configure`], then the
/// [`Environment`], then the default.
///
/// Setters take `&mut self` and return `&mut Self`, so they chain. Values are
/// not checked here but when the client is built, so a mistake is reported
/// together with the layer it came from.
///
/// ```rust
/// use std::time::Duration;
/// use pinterest::Settings;
///
/// let mut settings = Settings::new();
/// settings
///     .access_token("pina_example")
///     .sandbox()
///     .timeout(Duration::from_secs(60));
/// ```
#[derive(Clone, Default)]
pub struct Settings {
    client_id: Option<String>,
    client_secret: Option<SecretString>,
    access_token: Option<SecretString>,
    refresh_token: Option<SecretString>,
    redirect_uri: Option<String>,
    base_url: Option<String>,
    auth_url: Option<String>,
    timeout: Option<Duration>,
    open_timeout: Option<Duration>,
    user_agent: Option<String>,
    auto_refresh: Option<bool>,
}

impl Settings {
    /// A layer with nothing set; the same as `Settings::default()`.
    pub const fn new() -> Self {
        Self {
            client_id: None,
            client_secret: None,
            access_token: None,
            refresh_token: None,
            redirect_uri: None,
            base_url: None,
            auth_url: None,
            timeout: None,
            open_timeout: None,
            user_agent: None,
            auto_refresh: None,
        }
    }

    /// The app's client ID, used for OAuth.
    pub fn client_id(&mut self, value: impl Into<String>) -> &mut Self {
        self.client_id = Some(value.into());
        self
    }

    /// The app's client secret, used for OAuth. Kept secret.
    pub fn client_secret(&mut self, value: impl Into<String>) -> &mut Self {
        self.client_secret = Some(SecretString::from(value.into()));
        self
    }

    /// The OAuth access token sent with each request. Kept secret.
    pub fn access_token(&mut self, value: impl Into<String>) -> &mut Self {
        self.access_token = Some(SecretString::from(value.into()));
        self
    }

    /// The OAuth refresh token, used to get a new access token. Kept secret.
    pub fn refresh_token(&mut self, value: impl Into<String>) -> &mut Self {
        self.refresh_token = Some(SecretString::from(value.into()));
        self
    }

    /// The OAuth redirect URI registered for the app; must be an absolute URL.
    pub fn redirect_uri(&mut self, value: impl Into<String>) -> &mut Self {
        self.redirect_uri = Some(value.into());
        self
    }

    /// The API base URL (default `https://api.pinterest.com/v5`). Must use https,
    /// except for loopback hosts (`localhost`, `127.0.0.0/8`, `[::1]`).
    pub fn base_url(&mut self, value: impl Into<String>) -> &mut Self {
        self.base_url = Some(value.into());
        self
    }

    /// Use the sandbox API: sets the base URL to
    /// `https://api-sandbox.pinterest.com/v5` in this layer.
    pub fn sandbox(&mut self) -> &mut Self {
        self.base_url(SANDBOX_BASE_URL)
    }

    /// The OAuth authorize URL (default `https://www.pinterest.com/oauth/`). Same rules as
    /// [`base_url`](Self::base_url).
    pub fn auth_url(&mut self, value: impl Into<String>) -> &mut Self {
        self.auth_url = Some(value.into());
        self
    }

    /// Time limit for a whole request (default 30 seconds). Must be greater
    /// than zero.
    pub fn timeout(&mut self, value: Duration) -> &mut Self {
        self.timeout = Some(value);
        self
    }

    /// Time limit for opening a connection (default 10 seconds). Must be
    /// greater than zero.
    pub fn open_timeout(&mut self, value: Duration) -> &mut Self {
        self.open_timeout = Some(value);
        self
    }

    /// An application name (such as `"my-app/1.2"`) to put in the
    /// `User-Agent` header, before the SDK's own name and version.
    pub fn user_agent(&mut self, value: impl Into<String>) -> &mut Self {
        self.user_agent = Some(value.into());
        self
    }

    /// Whether to refresh an expired access token automatically (default
    /// `true`). There is no environment variable for this setting.
    pub fn auto_refresh(&mut self, value: bool) -> &mut Self {
        self.auto_refresh = Some(value);
        self
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("client_id", &self.client_id)
            .field("client_secret", &redact(&self.client_secret))
            .field("access_token", &redact(&self.access_token))
            .field("refresh_token", &redact(&self.refresh_token))
            .field("redirect_uri", &self.redirect_uri)
            .field("base_url", &self.base_url)
            .field("auth_url", &self.auth_url)
            .field("timeout", &self.timeout)
            .field("open_timeout", &self.open_timeout)
            .field("user_agent", &self.user_agent)
            .field("auto_refresh", &self.auto_refresh)
            .finish()
    }
}

/// Stands in for a secret in `Debug` output.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Shows whether a secret is set (`Some(<redacted>)`) without showing it.
fn redact(secret: &Option<SecretString>) -> Option<Redacted> {
    secret.as_ref().map(|_| Redacted)
}

// ---------------------------------------------------------------------------
// Global layer
// ---------------------------------------------------------------------------

static GLOBAL: RwLock<Settings> = RwLock::new(Settings::new());

/// Changes the process-wide settings layer, which every client built
/// afterwards reads below its own builder settings.
///
/// Calls add up: each one changes only what its closure sets. If the closure
/// panics, the global layer is left as it was. The layer stays locked while
/// the closure runs, so don't call `configure`, `reset_configuration` or
/// build a client from inside it.
///
/// ```rust
/// use std::time::Duration;
///
/// pinterest::configure(|settings| {
///     settings
///         .client_id("1234567")
///         .client_secret("example-secret")
///         .timeout(Duration::from_secs(60));
/// });
/// ```
pub fn configure(f: impl FnOnce(&mut Settings)) {
    // A panic elsewhere while the lock was held only poisons it; the settings
    // inside are still whole, so keep using them.
    let mut global = GLOBAL.write().unwrap_or_else(PoisonError::into_inner);
    // Change a copy so a panicking closure can't leave half its changes behind.
    let mut next = global.clone();
    f(&mut next);
    *global = next;
}

/// Clears everything set with [`configure`].
pub fn reset_configuration() {
    *GLOBAL.write().unwrap_or_else(PoisonError::into_inner) = Settings::new();
}

/// A copy of the global layer, as it is now.
pub(crate) fn global_settings() -> Settings {
    GLOBAL
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

// ---------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------

/// The environment variables a client reads its settings from.
///
/// Injectable so that tests can supply variables without touching the real
/// process environment. The variables are:
///
/// | variable | setting |
/// | --- | --- |
/// | `PINTEREST_CLIENT_ID` | client ID |
/// | `PINTEREST_CLIENT_SECRET` | client secret |
/// | `PINTEREST_ACCESS_TOKEN` | access token |
/// | `PINTEREST_REFRESH_TOKEN` | refresh token |
/// | `PINTEREST_REDIRECT_URI` | redirect URI |
/// | `PINTEREST_BASE_URL` | API base URL |
/// | `PINTEREST_AUTH_URL` | OAuth authorize URL |
/// | `PINTEREST_TIMEOUT` | request timeout, in seconds (`30`, `2.5`) |
/// | `PINTEREST_OPEN_TIMEOUT` | connect timeout, in seconds |
///
/// An empty variable counts as unset. A value that is not valid UTF-8 is an
/// error, reported only if that variable is actually needed.
///
/// `Debug` output lists which variables are present, never their values.
///
/// ```rust
/// use pinterest::Environment;
///
/// let env = Environment::from_pairs([
///     ("PINTEREST_TIMEOUT", "2.5"),
///     ("PINTEREST_ACCESS_TOKEN", "pina_example"),
/// ]);
/// let shown = format!("{env:?}");
/// assert!(shown.contains("PINTEREST_ACCESS_TOKEN"));
/// assert!(!shown.contains("pina_example"));
/// ```
#[derive(Clone)]
pub struct Environment {
    vars: BTreeMap<String, OsString>,
}

impl Environment {
    /// A snapshot of the `PINTEREST_*` variables of this process, taken now.
    ///
    /// Later changes to the process environment are not seen; call this
    /// again to pick them up. Other variables are not copied.
    pub fn process() -> Self {
        let vars = ENV_VARS
            .iter()
            .filter_map(|&name| std::env::var_os(name).map(|value| (name.to_owned(), value)))
            .collect();
        Self { vars }
    }

    /// An environment holding exactly these variables (a later pair replaces
    /// an earlier one with the same name).
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<OsString>,
    {
        let vars = pairs
            .into_iter()
            .map(|(name, value)| (name.into(), value.into()))
            .collect();
        Self { vars }
    }

    /// An environment with no variables, so only settings and defaults apply.
    pub fn empty() -> Self {
        Self {
            vars: BTreeMap::new(),
        }
    }

    /// The value of `var`, or `None` when it is unset or empty.
    fn get(&self, setting: &'static str, var: &'static str) -> Result<Option<String>, ConfigError> {
        match self.vars.get(var) {
            None => Ok(None),
            Some(value) if value.is_empty() => Ok(None),
            Some(value) => match value.to_str() {
                Some(text) => Ok(Some(text.to_owned())),
                None => Err(ConfigError::new(
                    setting,
                    Origin::Environment(var),
                    "is not valid UTF-8",
                )),
            },
        }
    }
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Environment")
            .field("variables", &self.vars.keys().collect::<Vec<_>>())
            .finish()
    }
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// Set on the client builder.
    Builder,
    /// Set with `pinterest::configure`.
    Global,
    /// Read from this environment variable.
    Environment(&'static str),
    /// The built-in default.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Builder => f.write_str("set on the client builder"),
            Origin::Global => f.write_str("set by pinterest::configure"),
            Origin::Environment(var) => write!(f, "environment variable {var}"),
            Origin::Default => f.write_str("default"),
        }
    }
}

/// A setting has a value that can't be used.
///
/// The message names the setting and where its value came from, for example
/// `PINTEREST_TIMEOUT=abc: expected a number of seconds such as 30 or 2.5` or
/// `timeout (set on the client builder): must be greater than zero`.
/// Values of secret settings are never included.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct ConfigError {
    setting: &'static str,
    origin: Origin,
    /// The offending value, shown in the message; `None` for secrets.
    value: Option<String>,
    problem: String,
}

impl ConfigError {
    fn new(setting: &'static str, origin: Origin, problem: impl Into<String>) -> Self {
        Self {
            setting,
            origin,
            value: None,
            problem: problem.into(),
        }
    }

    /// Shows `value` in the message. Only for settings that aren't secret.
    fn with_value(mut self, value: &str) -> Self {
        self.value = Some(value.to_owned());
        self
    }

    /// The setting's name, as in [`Settings`]: `"timeout"`, `"base_url"`, ...
    pub fn setting(&self) -> &'static str {
        self.setting
    }

    /// Where the bad value came from.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Environment errors look like the shell assignment the user wrote.
        // `escape_debug` keeps a stray newline in a value on one line.
        match (&self.origin, &self.value) {
            (Origin::Environment(var), Some(value)) => write!(f, "{var}={}", value.escape_debug())?,
            (Origin::Environment(var), None) => write!(f, "{var}")?,
            (origin, Some(value)) => {
                write!(f, "{}={} ({origin})", self.setting, value.escape_debug())?
            }
            (origin, None) => write!(f, "{} ({origin})", self.setting)?,
        }
        write!(f, ": {}", self.problem)
    }
}

// ---------------------------------------------------------------------------
// Resolved configuration
// ---------------------------------------------------------------------------

/// The settings a client runs with, after all layers and defaults are
/// combined and checked. Made by `resolve`.
#[derive(Clone)]
pub struct Config {
    client_id: Option<String>,
    client_secret: Option<SecretString>,
    access_token: Option<SecretString>,
    refresh_token: Option<SecretString>,
    redirect_uri: Option<Url>,
    /// The redirect URI exactly as configured: OAuth sends it verbatim, since Pinterest
    /// compares it with the registered one (`Url` would add a `/` to `http://host:port`).
    redirect_uri_text: Option<String>,
    base_url: Url,
    auth_url: Url,
    timeout: Duration,
    open_timeout: Duration,
    user_agent: String,
    auto_refresh: bool,
}

impl Config {
    /// The app's client ID, if set.
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// The app's client secret, if set.
    pub fn client_secret(&self) -> Option<&SecretString> {
        self.client_secret.as_ref()
    }

    /// The access token, if set.
    pub fn access_token(&self) -> Option<&SecretString> {
        self.access_token.as_ref()
    }

    /// The refresh token, if set.
    pub fn refresh_token(&self) -> Option<&SecretString> {
        self.refresh_token.as_ref()
    }

    /// The OAuth redirect URI, if set.
    pub fn redirect_uri(&self) -> Option<&Url> {
        self.redirect_uri.as_ref()
    }

    /// The redirect URI exactly as configured, for the OAuth requests.
    pub(crate) fn redirect_uri_text(&self) -> Option<&str> {
        self.redirect_uri_text.as_deref()
    }

    /// The API base URL, as given (a trailing `/` is kept).
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The OAuth authorize URL.
    pub fn auth_url(&self) -> &Url {
        &self.auth_url
    }

    /// Time limit for a whole request.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Time limit for opening a connection.
    pub fn open_timeout(&self) -> Duration {
        self.open_timeout
    }

    /// The full `User-Agent` header: `"{app} pinterest-ads/{version}"`, or
    /// `"pinterest-ads/{version}"` when no application name was set.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// Whether an expired access token is refreshed automatically.
    pub fn auto_refresh(&self) -> bool {
        self.auto_refresh
    }

    /// The base URL without a trailing `/`, ready for paths such as
    /// `/ad_accounts` to be appended.
    pub(crate) fn base_url_for_requests(&self) -> String {
        self.base_url.as_str().trim_end_matches('/').to_owned()
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("client_id", &self.client_id)
            .field("client_secret", &redact(&self.client_secret))
            .field("access_token", &redact(&self.access_token))
            .field("refresh_token", &redact(&self.refresh_token))
            .field("redirect_uri", &self.redirect_uri.as_ref().map(Url::as_str))
            .field("base_url", &self.base_url.as_str())
            .field("auth_url", &self.auth_url.as_str())
            .field("timeout", &self.timeout)
            .field("open_timeout", &self.open_timeout)
            .field("user_agent", &self.user_agent)
            .field("auto_refresh", &self.auto_refresh)
            .finish()
    }
}

// ---------------------------------------------------------------------------
// Resolution
// ---------------------------------------------------------------------------

/// Combines the layers into a checked [`Config`].
///
/// For each setting the first layer that sets it wins: `explicit` (the
/// client builder), then `global` (see [`configure`]), then `env`, then the
/// default. Only the value that wins is checked, so a bad environment
/// variable doesn't matter when a setting above it is used.
///
/// # Errors
///
/// A [`ConfigError`] for the first setting whose winning value is invalid:
/// an empty string, a timeout that is zero or not a number, a URL that
/// doesn't parse or (for the base and auth URLs) uses plain http on a
/// non-loopback host, has credentials, a query or a fragment, or a secret
/// or user agent containing control characters.
pub fn resolve(
    explicit: &Settings,
    global: &Settings,
    env: &Environment,
) -> Result<Config, ConfigError> {
    let layers = Layers {
        explicit,
        global,
        env,
    };

    let client_id = layers
        .text("client_id", ENV_CLIENT_ID, |s| &s.client_id)?
        .map(|(value, origin)| check_non_empty("client_id", origin, value))
        .transpose()?;
    let client_secret = layers.secret("client_secret", ENV_CLIENT_SECRET, |s| &s.client_secret)?;
    let access_token = layers.secret("access_token", ENV_ACCESS_TOKEN, |s| &s.access_token)?;
    let refresh_token = layers.secret("refresh_token", ENV_REFRESH_TOKEN, |s| &s.refresh_token)?;
    let redirect_uri = layers
        .text("redirect_uri", ENV_REDIRECT_URI, |s| &s.redirect_uri)?
        .map(|(value, origin)| parse_redirect_uri(origin, &value).map(|url| (url, value)))
        .transpose()?;
    let (redirect_uri, redirect_uri_text) = redirect_uri.unzip();
    let base_url = match layers.text("base_url", ENV_BASE_URL, |s| &s.base_url)? {
        Some((value, origin)) => parse_service_url("base_url", origin, &value)?,
        None => Url::parse(DEFAULT_BASE_URL).expect("default base URL is valid"),
    };
    let auth_url = match layers.text("auth_url", ENV_AUTH_URL, |s| &s.auth_url)? {
        Some((value, origin)) => parse_service_url("auth_url", origin, &value)?,
        None => Url::parse(DEFAULT_AUTH_URL).expect("default auth URL is valid"),
    };
    let timeout = layers.duration("timeout", ENV_TIMEOUT, DEFAULT_TIMEOUT, |s| &s.timeout)?;
    let open_timeout = layers.duration(
        "open_timeout",
        ENV_OPEN_TIMEOUT,
        DEFAULT_OPEN_TIMEOUT,
        |s| &s.open_timeout,
    )?;
    let user_agent = match layers.settings_value(|s| &s.user_agent) {
        Some((app, origin)) => {
            let app = check_non_empty("user_agent", origin, app)?;
            if !header_safe(&app) {
                return Err(
                    ConfigError::new("user_agent", origin, NOT_HEADER_SAFE).with_value(&app)
                );
            }
            format!("{app} {SDK_USER_AGENT}")
        }
        None => SDK_USER_AGENT.to_owned(),
    };
    let auto_refresh = layers
        .settings_value(|s| &s.auto_refresh)
        .is_none_or(|(value, _)| value);

    Ok(Config {
        client_id,
        client_secret,
        access_token,
        refresh_token,
        redirect_uri,
        redirect_uri_text,
        base_url,
        auth_url,
        timeout,
        open_timeout,
        user_agent,
        auto_refresh,
    })
}

/// The layers `resolve` reads, highest precedence first.
struct Layers<'a> {
    explicit: &'a Settings,
    global: &'a Settings,
    env: &'a Environment,
}

impl Layers<'_> {
    /// The value from the first settings layer that sets this field.
    fn settings_value<T: Clone>(
        &self,
        field: impl Fn(&Settings) -> &Option<T>,
    ) -> Option<(T, Origin)> {
        if let Some(value) = field(self.explicit) {
            return Some((value.clone(), Origin::Builder));
        }
        field(self.global)
            .clone()
            .map(|value| (value, Origin::Global))
    }

    /// A text setting from the settings layers, else from `var`.
    fn text(
        &self,
        setting: &'static str,
        var: &'static str,
        field: impl Fn(&Settings) -> &Option<String>,
    ) -> Result<Option<(String, Origin)>, ConfigError> {
        if let Some(found) = self.settings_value(field) {
            return Ok(Some(found));
        }
        let value = self.env.get(setting, var)?;
        Ok(value.map(|value| (value, Origin::Environment(var))))
    }

    /// A checked secret from the settings layers, else from `var`.
    fn secret(
        &self,
        setting: &'static str,
        var: &'static str,
        field: impl Fn(&Settings) -> &Option<SecretString>,
    ) -> Result<Option<SecretString>, ConfigError> {
        let (secret, origin) = match self.settings_value(field) {
            Some(found) => found,
            None => match self.env.get(setting, var)? {
                Some(value) => (SecretString::from(value), Origin::Environment(var)),
                None => return Ok(None),
            },
        };
        // These messages must never include the secret itself.
        let exposed = secret.expose_secret();
        if exposed.is_empty() {
            return Err(ConfigError::new(setting, origin, "must not be empty"));
        }
        if !header_safe(exposed) {
            return Err(ConfigError::new(setting, origin, NOT_HEADER_SAFE));
        }
        Ok(Some(secret))
    }

    /// A checked timeout from the settings layers, else from `var`, else
    /// `default`.
    fn duration(
        &self,
        setting: &'static str,
        var: &'static str,
        default: Duration,
        field: impl Fn(&Settings) -> &Option<Duration>,
    ) -> Result<Duration, ConfigError> {
        if let Some((value, origin)) = self.settings_value(field) {
            if value.is_zero() {
                return Err(ConfigError::new(setting, origin, NOT_POSITIVE));
            }
            return Ok(value);
        }
        match self.env.get(setting, var)? {
            Some(text) => parse_seconds(setting, var, &text),
            None => Ok(default),
        }
    }
}

/// Parses an environment timeout such as `30` or `2.5` (seconds).
fn parse_seconds(
    setting: &'static str,
    var: &'static str,
    text: &str,
) -> Result<Duration, ConfigError> {
    let fail = |problem: &str| {
        ConfigError::new(setting, Origin::Environment(var), problem).with_value(text)
    };
    let seconds: f64 = text.trim().parse().map_err(|_| fail(NOT_A_NUMBER))?;
    if seconds.is_nan() {
        return Err(fail(NOT_A_NUMBER));
    }
    if seconds <= 0.0 {
        return Err(fail(NOT_POSITIVE));
    }
    // Fails for infinity and for values too large for a Duration.
    let duration = Duration::try_from_secs_f64(seconds).map_err(|_| fail("is too large"))?;
    // A positive value below one nanosecond rounds to zero.
    if duration.is_zero() {
        return Err(fail(NOT_POSITIVE));
    }
    Ok(duration)
}

/// Rejects an empty string (possible only from a settings layer, since an
/// empty environment variable counts as unset).
fn check_non_empty(
    setting: &'static str,
    origin: Origin,
    value: String,
) -> Result<String, ConfigError> {
    if value.is_empty() {
        return Err(ConfigError::new(setting, origin, "must not be empty"));
    }
    Ok(value)
}

/// Whether `value` can be sent in an HTTP header: no newlines or other
/// control characters (tab included, since no token or app name has one).
fn header_safe(value: &str) -> bool {
    !value.chars().any(|c| c.is_ascii_control())
}

/// Parses an absolute URL, reporting failures against the setting.
fn parse_absolute(setting: &'static str, origin: Origin, text: &str) -> Result<Url, ConfigError> {
    if text.is_empty() {
        return Err(ConfigError::new(setting, origin, "must not be empty"));
    }
    Url::parse(text).map_err(|error| {
        ConfigError::new(
            setting,
            origin,
            format!("is not a valid absolute URL ({error})"),
        )
        .with_value(text)
    })
}

/// Checks the base URL or the auth URL: https (or http to a loopback
/// host), no credentials, no query or fragment.
fn parse_service_url(
    setting: &'static str,
    origin: Origin,
    text: &str,
) -> Result<Url, ConfigError> {
    let url = parse_absolute(setting, origin, text)?;
    if !url.username().is_empty() || url.password().is_some() {
        // The value holds credentials, so it is not shown.
        return Err(ConfigError::new(
            setting,
            origin,
            "must not contain a user name or password",
        ));
    }
    // The url crate already rejects http(s) URLs without a host.
    let loopback_http = url.scheme() == "http" && url.host().is_some_and(is_loopback);
    if url.scheme() != "https" && !loopback_http {
        return Err(ConfigError::new(setting, origin, NOT_HTTPS).with_value(text));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ConfigError::new(
            setting,
            origin,
            "must not contain a query string or fragment",
        )
        .with_value(text));
    }
    Ok(url)
}

/// Checks the redirect URI: absolute, and without a fragment, which OAuth 2
/// forbids in redirect URIs (RFC 6749, section 3.1.2).
fn parse_redirect_uri(origin: Origin, text: &str) -> Result<Url, ConfigError> {
    let url = parse_absolute("redirect_uri", origin, text)?;
    if url.fragment().is_some() {
        return Err(
            ConfigError::new("redirect_uri", origin, "must not contain a fragment")
                .with_value(text),
        );
    }
    Ok(url)
}

/// `localhost`, `127.0.0.0/8` or `::1`: hosts where plain http never leaves
/// the machine.
fn is_loopback(host: Host<&str>) -> bool {
    match host {
        // The url crate lowercases domain names of http(s) URLs.
        Host::Domain(name) => name == "localhost",
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Environment {
        Environment::from_pairs(pairs.iter().copied())
    }

    fn from_env(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        resolve(&Settings::new(), &Settings::new(), &env(pairs))
    }

    fn from_builder(settings: &Settings) -> Result<Config, ConfigError> {
        resolve(settings, &Settings::new(), &Environment::empty())
    }

    fn from_global(settings: &Settings) -> Result<Config, ConfigError> {
        resolve(&Settings::new(), settings, &Environment::empty())
    }

    fn env_error(pairs: &[(&str, &str)]) -> String {
        from_env(pairs).unwrap_err().to_string()
    }

    fn builder_error(settings: &Settings) -> String {
        from_builder(settings).unwrap_err().to_string()
    }

    fn secret(value: Option<&SecretString>) -> Option<&str> {
        value.map(|s| s.expose_secret())
    }

    /// A layer with every field set, each value tagged with `tag`.
    fn full_settings(tag: &str, seconds: u64) -> Settings {
        let mut s = Settings::new();
        s.client_id(format!("id-{tag}"))
            .client_secret(format!("secret-{tag}"))
            .access_token(format!("access-{tag}"))
            .refresh_token(format!("refresh-{tag}"))
            .redirect_uri(format!("https://app.example.com/{tag}"))
            .base_url(format!("https://api.example.com/{tag}"))
            .auth_url(format!("https://auth.example.com/{tag}"))
            .timeout(Duration::from_secs(seconds))
            .open_timeout(Duration::from_secs(seconds + 1))
            .user_agent(format!("app-{tag}"))
            .auto_refresh(false);
        s
    }

    fn full_env() -> Environment {
        env(&[
            ("PINTEREST_CLIENT_ID", "id-env"),
            ("PINTEREST_CLIENT_SECRET", "secret-env"),
            ("PINTEREST_ACCESS_TOKEN", "access-env"),
            ("PINTEREST_REFRESH_TOKEN", "refresh-env"),
            ("PINTEREST_REDIRECT_URI", "https://app.example.com/env"),
            ("PINTEREST_BASE_URL", "https://api.example.com/env"),
            ("PINTEREST_AUTH_URL", "https://auth.example.com/env"),
            ("PINTEREST_TIMEOUT", "3"),
            ("PINTEREST_OPEN_TIMEOUT", "4"),
        ])
    }

    /// Checks every field of `config` against the values `full_settings`
    /// (or `full_env`) used for `tag`.
    fn assert_all_from(config: &Config, tag: &str, seconds: u64) {
        assert_eq!(config.client_id(), Some(format!("id-{tag}").as_str()));
        assert_eq!(
            secret(config.client_secret()),
            Some(format!("secret-{tag}").as_str())
        );
        assert_eq!(
            secret(config.access_token()),
            Some(format!("access-{tag}").as_str())
        );
        assert_eq!(
            secret(config.refresh_token()),
            Some(format!("refresh-{tag}").as_str())
        );
        assert_eq!(
            config.redirect_uri().map(Url::as_str),
            Some(format!("https://app.example.com/{tag}").as_str())
        );
        assert_eq!(
            config.base_url().as_str(),
            format!("https://api.example.com/{tag}")
        );
        assert_eq!(
            config.auth_url().as_str(),
            format!("https://auth.example.com/{tag}")
        );
        assert_eq!(config.timeout(), Duration::from_secs(seconds));
        assert_eq!(config.open_timeout(), Duration::from_secs(seconds + 1));
    }

    fn assert_defaults(config: &Config) {
        assert_eq!(config.client_id(), None);
        assert!(config.client_secret().is_none());
        assert!(config.access_token().is_none());
        assert!(config.refresh_token().is_none());
        assert_eq!(config.redirect_uri(), None);
        assert_eq!(config.base_url().as_str(), DEFAULT_BASE_URL);
        assert_eq!(config.auth_url().as_str(), DEFAULT_AUTH_URL);
        assert_eq!(config.timeout(), DEFAULT_TIMEOUT);
        assert_eq!(config.open_timeout(), DEFAULT_OPEN_TIMEOUT);
        assert_eq!(config.user_agent(), SDK_USER_AGENT);
        assert!(config.auto_refresh());
    }

    #[test]
    fn defaults_alone() {
        let config = resolve(&Settings::new(), &Settings::new(), &Environment::empty()).unwrap();
        assert_defaults(&config);
        assert_eq!(
            config.user_agent(),
            format!("pinterest-ads/{}", env!("CARGO_PKG_VERSION"))
        );
        assert_eq!(
            config.base_url_for_requests(),
            "https://api.pinterest.com/v5"
        );
    }

    #[test]
    fn builder_alone() {
        let config = from_builder(&full_settings("builder", 5)).unwrap();
        assert_all_from(&config, "builder", 5);
        assert_eq!(
            config.user_agent(),
            format!("app-builder pinterest-ads/{}", env!("CARGO_PKG_VERSION"))
        );
        assert!(!config.auto_refresh());
    }

    #[test]
    fn global_alone() {
        let config = from_global(&full_settings("global", 7)).unwrap();
        assert_all_from(&config, "global", 7);
        assert_eq!(config.user_agent(), format!("app-global {SDK_USER_AGENT}"));
        assert!(!config.auto_refresh());
    }

    #[test]
    fn environment_alone() {
        let config = resolve(&Settings::new(), &Settings::new(), &full_env()).unwrap();
        assert_all_from(&config, "env", 3);
        // Neither has an environment variable.
        assert_eq!(config.user_agent(), SDK_USER_AGENT);
        assert!(config.auto_refresh());
    }

    #[test]
    fn precedence_for_every_field() {
        let builder = full_settings("builder", 5);
        let global = full_settings("global", 7);
        let none = Settings::new();
        let env = full_env();

        assert_all_from(&resolve(&builder, &global, &env).unwrap(), "builder", 5);
        assert_all_from(&resolve(&none, &global, &env).unwrap(), "global", 7);
        assert_all_from(&resolve(&none, &none, &env).unwrap(), "env", 3);
        assert_defaults(&resolve(&none, &none, &Environment::empty()).unwrap());

        // user_agent and auto_refresh have no environment layer.
        let config = resolve(&builder, &global, &env).unwrap();
        assert_eq!(config.user_agent(), format!("app-builder {SDK_USER_AGENT}"));
        let mut global_refresh = Settings::new();
        global_refresh.auto_refresh(false);
        let mut builder_refresh = Settings::new();
        builder_refresh.auto_refresh(true);
        assert!(
            !resolve(&none, &global_refresh, &env)
                .unwrap()
                .auto_refresh()
        );
        assert!(
            resolve(&builder_refresh, &global_refresh, &env)
                .unwrap()
                .auto_refresh()
        );
    }

    #[test]
    fn each_layer_fills_only_unset_fields() {
        let mut builder = Settings::new();
        builder.client_id("id-builder");
        let mut global = Settings::new();
        global.client_id("id-global").access_token("access-global");
        let env = env(&[
            ("PINTEREST_CLIENT_ID", "id-env"),
            ("PINTEREST_ACCESS_TOKEN", "access-env"),
            ("PINTEREST_TIMEOUT", "2"),
        ]);
        let config = resolve(&builder, &global, &env).unwrap();
        assert_eq!(config.client_id(), Some("id-builder"));
        assert_eq!(secret(config.access_token()), Some("access-global"));
        assert_eq!(config.timeout(), Duration::from_secs(2));
        assert_eq!(config.open_timeout(), DEFAULT_OPEN_TIMEOUT);
        assert!(config.refresh_token().is_none());
    }

    #[test]
    fn a_bad_lower_layer_is_ignored_when_overridden() {
        let mut builder = Settings::new();
        builder
            .timeout(Duration::from_secs(1))
            .base_url("https://api.example.com/v5");
        let env = env(&[
            ("PINTEREST_TIMEOUT", "abc"),
            ("PINTEREST_BASE_URL", "http://insecure.example.com"),
        ]);
        let config = resolve(&builder, &Settings::new(), &env).unwrap();
        assert_eq!(config.timeout(), Duration::from_secs(1));
        assert_eq!(config.base_url().as_str(), "https://api.example.com/v5");
    }

    #[test]
    fn sandbox_at_each_layer() {
        let mut sandbox = Settings::new();
        sandbox.sandbox();
        let mut production = Settings::new();
        production.base_url(DEFAULT_BASE_URL);
        let env = env(&[("PINTEREST_BASE_URL", "https://env.example.com/v5")]);

        let base = |explicit: &Settings, global: &Settings, env: &Environment| {
            resolve(explicit, global, env)
                .unwrap()
                .base_url()
                .to_string()
        };
        assert_eq!(base(&sandbox, &Settings::new(), &env), SANDBOX_BASE_URL);
        assert_eq!(base(&Settings::new(), &sandbox, &env), SANDBOX_BASE_URL);
        // A higher layer's base URL beats a lower layer's sandbox() ...
        assert_eq!(base(&production, &sandbox, &env), DEFAULT_BASE_URL);
        // ... and sandbox() in a higher layer beats a lower layer's URL.
        assert_eq!(base(&sandbox, &production, &env), SANDBOX_BASE_URL);
        let config = from_builder(&sandbox).unwrap();
        assert_eq!(
            config.base_url_for_requests(),
            "https://api-sandbox.pinterest.com/v5"
        );
    }

    #[test]
    fn base_url_for_requests_drops_trailing_slash() {
        let mut s = Settings::new();
        s.base_url("https://api.example.com/v5/");
        let config = from_builder(&s).unwrap();
        assert_eq!(config.base_url().as_str(), "https://api.example.com/v5/");
        assert_eq!(config.base_url_for_requests(), "https://api.example.com/v5");

        s.base_url("https://api.example.com");
        assert_eq!(
            from_builder(&s).unwrap().base_url_for_requests(),
            "https://api.example.com"
        );
    }

    #[test]
    fn fractional_seconds() {
        let config = from_env(&[
            ("PINTEREST_TIMEOUT", "2.5"),
            ("PINTEREST_OPEN_TIMEOUT", "0.25"),
        ])
        .unwrap();
        assert_eq!(config.timeout(), Duration::from_millis(2500));
        assert_eq!(config.open_timeout(), Duration::from_millis(250));
        // Surrounding spaces are tolerated.
        let config = from_env(&[("PINTEREST_TIMEOUT", " 45 ")]).unwrap();
        assert_eq!(config.timeout(), Duration::from_secs(45));
    }

    #[test]
    fn empty_environment_values_are_unset() {
        let empty: Vec<(&str, &str)> = ENV_VARS.iter().map(|&name| (name, "")).collect();
        assert_defaults(&from_env(&empty).unwrap());

        let mut global = Settings::new();
        global.access_token("access-global");
        let config = resolve(
            &Settings::new(),
            &global,
            &env(&[("PINTEREST_ACCESS_TOKEN", "")]),
        )
        .unwrap();
        assert_eq!(secret(config.access_token()), Some("access-global"));
    }

    #[test]
    fn timeout_errors() {
        assert_eq!(
            env_error(&[("PINTEREST_TIMEOUT", "abc")]),
            "PINTEREST_TIMEOUT=abc: expected a number of seconds such as 30 or 2.5"
        );
        assert_eq!(
            env_error(&[("PINTEREST_TIMEOUT", "30s")]),
            "PINTEREST_TIMEOUT=30s: expected a number of seconds such as 30 or 2.5"
        );
        assert_eq!(
            env_error(&[("PINTEREST_TIMEOUT", "NaN")]),
            "PINTEREST_TIMEOUT=NaN: expected a number of seconds such as 30 or 2.5"
        );
        assert_eq!(
            env_error(&[("PINTEREST_TIMEOUT", "-1")]),
            "PINTEREST_TIMEOUT=-1: must be greater than zero"
        );
        assert_eq!(
            env_error(&[("PINTEREST_OPEN_TIMEOUT", "0")]),
            "PINTEREST_OPEN_TIMEOUT=0: must be greater than zero"
        );
        assert_eq!(
            env_error(&[("PINTEREST_TIMEOUT", "1e-12")]),
            "PINTEREST_TIMEOUT=1e-12: must be greater than zero"
        );
        assert_eq!(
            env_error(&[("PINTEREST_TIMEOUT", "inf")]),
            "PINTEREST_TIMEOUT=inf: is too large"
        );
        assert_eq!(
            env_error(&[("PINTEREST_TIMEOUT", "1e300")]),
            "PINTEREST_TIMEOUT=1e300: is too large"
        );

        let mut s = Settings::new();
        s.timeout(Duration::ZERO);
        assert_eq!(
            builder_error(&s),
            "timeout (set on the client builder): must be greater than zero"
        );
        let mut s = Settings::new();
        s.open_timeout(Duration::ZERO);
        assert_eq!(
            from_global(&s).unwrap_err().to_string(),
            "open_timeout (set by pinterest::configure): must be greater than zero"
        );
    }

    #[test]
    fn error_accessors() {
        let error = from_env(&[("PINTEREST_TIMEOUT", "abc")]).unwrap_err();
        assert_eq!(error.setting(), "timeout");
        assert_eq!(error.origin(), &Origin::Environment("PINTEREST_TIMEOUT"));
        let _: &dyn std::error::Error = &error;

        let mut s = Settings::new();
        s.open_timeout(Duration::ZERO);
        let error = from_builder(&s).unwrap_err();
        assert_eq!(error.setting(), "open_timeout");
        assert_eq!(error.origin(), &Origin::Builder);
        assert_eq!(from_global(&s).unwrap_err().origin(), &Origin::Global);
    }

    #[test]
    fn url_errors() {
        assert_eq!(
            env_error(&[("PINTEREST_BASE_URL", "http://api.example.com/v5")]),
            "PINTEREST_BASE_URL=http://api.example.com/v5: must use https \
             (plain http is only allowed for loopback test servers)"
        );
        assert_eq!(
            env_error(&[("PINTEREST_AUTH_URL", "ftp://auth.example.com/")]),
            "PINTEREST_AUTH_URL=ftp://auth.example.com/: must use https \
             (plain http is only allowed for loopback test servers)"
        );
        assert_eq!(
            env_error(&[("PINTEREST_BASE_URL", "api.pinterest.com/v5")]),
            "PINTEREST_BASE_URL=api.pinterest.com/v5: is not a valid absolute URL \
             (relative URL without a base)"
        );

        let mut s = Settings::new();
        s.base_url("https://api.example.com/v5?debug=1");
        assert_eq!(
            builder_error(&s),
            "base_url=https://api.example.com/v5?debug=1 (set on the client builder): \
             must not contain a query string or fragment"
        );
        s.base_url("https://api.example.com/v5#top");
        assert_eq!(
            builder_error(&s),
            "base_url=https://api.example.com/v5#top (set on the client builder): \
             must not contain a query string or fragment"
        );
        s.base_url("");
        assert_eq!(
            builder_error(&s),
            "base_url (set on the client builder): must not be empty"
        );

        let mut s = Settings::new();
        s.auth_url("http://10.0.0.1/oauth/");
        assert_eq!(
            from_global(&s).unwrap_err().to_string(),
            "auth_url=http://10.0.0.1/oauth/ (set by pinterest::configure): must use https \
             (plain http is only allowed for loopback test servers)"
        );
    }

    #[test]
    fn url_with_credentials_is_rejected_without_echo() {
        let error = env_error(&[(
            "PINTEREST_BASE_URL",
            "https://user:hunter2pw@api.example.com/v5",
        )]);
        assert_eq!(
            error,
            "PINTEREST_BASE_URL: must not contain a user name or password"
        );
    }

    #[test]
    fn https_unless_loopback() {
        let base = |url: &str| {
            let mut s = Settings::new();
            s.base_url(url);
            from_builder(&s)
        };
        for allowed in [
            "http://127.0.0.1:8080/v5",
            "http://127.1.2.3/v5",
            "http://localhost:3000",
            "http://LOCALHOST:3000",
            "http://[::1]:8080/v5",
            "https://10.0.0.1/v5",
            "https://api.example.com/v5",
        ] {
            assert!(base(allowed).is_ok(), "{allowed} should be allowed");
        }
        for refused in [
            "http://10.0.0.1/v5",
            "http://192.168.1.1/v5",
            "http://api.example.com/v5",
            "http://localhost.example.com/v5",
            "http://[::2]/v5",
        ] {
            let error = base(refused).unwrap_err();
            assert_eq!(
                error.to_string(),
                format!("base_url={refused} (set on the client builder): {NOT_HTTPS}")
            );
        }
        let config = base("http://127.0.0.1:8080/v5/").unwrap();
        assert_eq!(config.base_url_for_requests(), "http://127.0.0.1:8080/v5");
    }

    #[test]
    fn redirect_uri_errors() {
        assert_eq!(
            env_error(&[("PINTEREST_REDIRECT_URI", "/callback")]),
            "PINTEREST_REDIRECT_URI=/callback: is not a valid absolute URL (relative URL without a base)"
        );
        assert_eq!(
            env_error(&[("PINTEREST_REDIRECT_URI", "https://app.example.com/cb#x")]),
            "PINTEREST_REDIRECT_URI=https://app.example.com/cb#x: must not contain a fragment"
        );
        // Any absolute URL, including plain http and custom schemes, is fine.
        let config =
            from_env(&[("PINTEREST_REDIRECT_URI", "http://localhost:8085/callback")]).unwrap();
        assert_eq!(
            config.redirect_uri().map(Url::as_str),
            Some("http://localhost:8085/callback")
        );
        assert!(from_env(&[("PINTEREST_REDIRECT_URI", "myapp://oauth/callback")]).is_ok());
    }

    #[test]
    fn secret_errors_never_show_the_secret() {
        let error = from_env(&[("PINTEREST_ACCESS_TOKEN", "pina_SECRETVALUE\n")]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "PINTEREST_ACCESS_TOKEN: contains characters not allowed in an HTTP header"
        );
        assert!(!format!("{error:?}").contains("SECRETVALUE"));

        let mut s = Settings::new();
        s.refresh_token("refresh\r\nX-Injected: SECRETVALUE");
        let error = from_builder(&s).unwrap_err();
        assert_eq!(
            error.to_string(),
            "refresh_token (set on the client builder): contains characters not allowed in an HTTP header"
        );
        assert!(!format!("{error:?}").contains("SECRETVALUE"));

        let mut s = Settings::new();
        s.client_secret("SECRET\0VALUE");
        assert_eq!(
            from_global(&s).unwrap_err().to_string(),
            "client_secret (set by pinterest::configure): contains characters not allowed in an HTTP header"
        );

        let mut s = Settings::new();
        s.access_token("");
        assert_eq!(
            from_global(&s).unwrap_err().to_string(),
            "access_token (set by pinterest::configure): must not be empty"
        );
    }

    #[test]
    fn text_setting_errors() {
        let mut s = Settings::new();
        s.client_id("");
        assert_eq!(
            builder_error(&s),
            "client_id (set on the client builder): must not be empty"
        );

        let mut s = Settings::new();
        s.user_agent("");
        assert_eq!(
            builder_error(&s),
            "user_agent (set on the client builder): must not be empty"
        );
        s.user_agent("my-app\n1.0");
        assert_eq!(
            builder_error(&s),
            "user_agent=my-app\\n1.0 (set on the client builder): \
             contains characters not allowed in an HTTP header"
        );
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_environment_value() {
        use std::os::unix::ffi::OsStringExt;

        let bad = OsString::from_vec(vec![b's', 0xff, b'x']);
        let env = Environment::from_pairs([("PINTEREST_CLIENT_SECRET", bad.clone())]);
        let error = resolve(&Settings::new(), &Settings::new(), &env).unwrap_err();
        assert_eq!(
            error.to_string(),
            "PINTEREST_CLIENT_SECRET: is not valid UTF-8"
        );
        assert_eq!(error.setting(), "client_secret");

        let env = Environment::from_pairs([("PINTEREST_TIMEOUT", bad)]);
        let error = resolve(&Settings::new(), &Settings::new(), &env).unwrap_err();
        assert_eq!(error.to_string(), "PINTEREST_TIMEOUT: is not valid UTF-8");
    }

    #[test]
    fn debug_output_hides_secrets() {
        let mut s = Settings::new();
        s.client_id("visible-client-id")
            .client_secret("zzCLIENTSECRETzz")
            .access_token("zzACCESSTOKENzz")
            .refresh_token("zzREFRESHTOKENzz");
        let settings_debug = format!("{s:?}");
        assert!(settings_debug.contains("visible-client-id"));
        assert!(settings_debug.contains("client_secret: Some(<redacted>)"));
        assert!(settings_debug.contains("access_token: Some(<redacted>)"));

        let config = from_builder(&s).unwrap();
        let config_debug = format!("{config:?}");
        assert!(config_debug.contains("refresh_token: Some(<redacted>)"));
        assert!(config_debug.contains(DEFAULT_BASE_URL));
        let empty_debug = format!("{:?}", from_builder(&Settings::new()).unwrap());
        assert!(empty_debug.contains("access_token: None"));

        let env = env(&[
            ("PINTEREST_CLIENT_SECRET", "zzCLIENTSECRETzz"),
            ("PINTEREST_ACCESS_TOKEN", "zzACCESSTOKENzz"),
            ("PINTEREST_REFRESH_TOKEN", "zzREFRESHTOKENzz"),
        ]);
        let env_debug = format!("{env:?}");
        assert_eq!(
            env_debug,
            "Environment { variables: [\"PINTEREST_ACCESS_TOKEN\", \
             \"PINTEREST_CLIENT_SECRET\", \"PINTEREST_REFRESH_TOKEN\"] }"
        );
        let env_config_debug = format!(
            "{:?}",
            resolve(&Settings::new(), &Settings::new(), &env).unwrap()
        );

        for shown in [settings_debug, config_debug, env_debug, env_config_debug] {
            for secret in ["zzCLIENTSECRETzz", "zzACCESSTOKENzz", "zzREFRESHTOKENzz"] {
                assert!(!shown.contains(secret), "{secret} leaked in {shown}");
            }
        }
    }

    #[test]
    fn process_environment_reads_only_pinterest_variables() {
        // Reads the real environment but changes nothing; whatever is set,
        // only known names may appear.
        let env = Environment::process();
        assert!(
            env.vars
                .keys()
                .all(|name| ENV_VARS.contains(&name.as_str()))
        );
    }

    #[test]
    fn later_pairs_replace_earlier_ones() {
        let env = env(&[("PINTEREST_TIMEOUT", "1"), ("PINTEREST_TIMEOUT", "2")]);
        let config = resolve(&Settings::new(), &Settings::new(), &env).unwrap();
        assert_eq!(config.timeout(), Duration::from_secs(2));
    }

    /// The only test that touches the process-wide layer, so tests running
    /// in parallel can't see each other's global settings.
    #[test]
    fn global_layer() {
        reset_configuration();
        configure(|s| {
            s.client_id("id-global").sandbox();
        });
        configure(|s| {
            s.timeout(Duration::from_secs(9));
        });
        let global = global_settings();
        let config = resolve(&Settings::new(), &global, &Environment::empty()).unwrap();
        assert_eq!(config.client_id(), Some("id-global"));
        assert_eq!(config.base_url().as_str(), SANDBOX_BASE_URL);
        assert_eq!(config.timeout(), Duration::from_secs(9));

        let mut builder = Settings::new();
        builder.client_id("id-builder");
        let config = resolve(&builder, &global, &Environment::empty()).unwrap();
        assert_eq!(config.client_id(), Some("id-builder"));

        // A closure that panics poisons the lock but changes nothing, and
        // the layer stays usable.
        let result = std::thread::spawn(|| {
            configure(|s| {
                s.client_id("half-done");
                panic!("closure failed");
            })
        })
        .join();
        assert!(result.is_err());
        assert!(GLOBAL.is_poisoned());
        assert_eq!(global_settings().client_id.as_deref(), Some("id-global"));
        configure(|s| {
            s.open_timeout(Duration::ZERO);
        });
        let error =
            resolve(&Settings::new(), &global_settings(), &Environment::empty()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "open_timeout (set by pinterest::configure): must be greater than zero"
        );

        reset_configuration();
        let config = resolve(&Settings::new(), &global_settings(), &Environment::empty()).unwrap();
        assert_defaults(&config);
    }
}
