//! [`Client`], the entry point, and [`ClientBuilder`].

use crate::config::{Config, Environment, Settings, global_settings, resolve};
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;
use crate::sleep::{Sleeper, TokioSleeper};
use crate::token::{HeldToken, Token, TokenListener, TokenStore};
use crate::transport::Credentials;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// A Pinterest API client: cheap to clone (clones share one connection pool, one token and
/// one configuration) and safe to use from many tasks at once.
///
/// Build one from the global configuration and the environment with [`Client::new`], or pass
/// values per client with [`Client::builder`]. Each setting is taken from the first of these
/// that has it: the builder, [`configure`](crate::configure), the `PINTEREST_*` environment
/// variables, the defaults.
///
/// ```
/// use std::time::Duration;
///
/// let client = pinterest::Client::builder()
///     .access_token("pina_...")
///     .timeout(Duration::from_secs(60))
///     .build()?;
/// let audiences = client.audiences();
/// # let _ = audiences;
/// # Ok::<(), pinterest::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
}

struct Shared {
    config: Config,
    /// The base URL as the generated code wants it: no trailing slash.
    base_url: String,
    http: reqwest::Client,
    /// The whole-request timeout `http` applies, when it is ours (a caller's own client
    /// keeps its own settings).
    request_timeout: Option<Duration>,
    retry: RetryPolicy,
    sleeper: Arc<dyn Sleeper>,
    tokens: TokenStore,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Config's Debug redacts its secrets; the token store is left out entirely.
        f.debug_struct("Client")
            .field("config", &self.shared.config)
            .field("retry", &self.shared.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client configured by [`configure`](crate::configure), the `PINTEREST_*`
    /// environment variables and the defaults, in that order.
    ///
    /// Fails with [`Error::Config`] when a setting is invalid, naming the setting and where
    /// it came from (for example `PINTEREST_TIMEOUT=abc: ...`).
    pub fn new() -> Result<Client> {
        Client::builder().build()
    }

    /// A builder for per-client settings, which take precedence over the global
    /// configuration and the environment.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The settings this client resolved (secrets redacted in its `Debug` output).
    pub fn config(&self) -> &Config {
        &self.shared.config
    }

    /// Replaces the access token used by this client and every clone of it, from the next
    /// request on. Its expiry becomes unknown; use [`Client::set_token`] to keep one.
    ///
    /// ```
    /// # let client = pinterest::Client::builder().access_token("old").build()?;
    /// let worker = client.clone();
    /// client.set_access_token("pina_new_token");
    /// // `worker` sends the new token too.
    /// # let _ = worker;
    /// # Ok::<(), pinterest::Error>(())
    /// ```
    pub fn set_access_token(&self, access_token: impl Into<String>) {
        self.shared
            .tokens
            .set_access_token(SecretString::from(access_token.into()));
    }

    /// Installs a whole token (from [`Oauth::exchange_code`](crate::Oauth::exchange_code) or
    /// [`Oauth::refresh`](crate::Oauth::refresh)): its access token, expiry and, when it
    /// has one, its refresh token, for this client and every clone of it.
    pub fn set_token(&self, token: &Token) {
        self.shared.tokens.set_token(token);
    }

    /// The token this client sends now, with the refresh token it would use: the configured
    /// one, the one installed with [`Client::set_token`], or the latest automatic refresh.
    /// `None` without an access token.
    ///
    /// ```
    /// use pinterest::ExposeSecret;
    ///
    /// let client = pinterest::Client::builder().access_token("pina_abc").build()?;
    /// let token = client.token().expect("configured");
    /// assert_eq!(token.access_token().expose_secret(), "pina_abc");
    /// # Ok::<(), pinterest::Error>(())
    /// ```
    pub fn token(&self) -> Option<Token> {
        self.shared.tokens.snapshot()
    }

    pub(crate) fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.shared.http
    }

    /// The timeout for the next attempt when the retry deadline leaves less time than the
    /// configured whole-request timeout; `None` leaves the HTTP client's own.
    pub(crate) fn attempt_timeout(&self, remaining_budget: Option<Duration>) -> Option<Duration> {
        let configured = self.shared.request_timeout?;
        remaining_budget.filter(|remaining| *remaining < configured)
    }

    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.shared.retry
    }

    pub(crate) fn sleeper(&self) -> &dyn Sleeper {
        self.shared.sleeper.as_ref()
    }

    /// `client_id:client_secret`, for the OAuth token endpoints.
    pub(crate) fn basic_credentials(&self) -> Result<Credentials> {
        let config = &self.shared.config;
        let client_id = config
            .client_id()
            .ok_or(Error::MissingCredential { name: "client_id" })?;
        let client_secret = config.client_secret().ok_or(Error::MissingCredential {
            name: "client_secret",
        })?;
        Ok(Credentials::Basic {
            client_id: client_id.to_owned(),
            client_secret: SecretString::from(client_secret.expose_secret().to_owned()),
        })
    }

    /// Whether this client may refresh its access token by itself.
    pub(crate) fn can_auto_refresh(&self) -> bool {
        let config = &self.shared.config;
        config.auto_refresh()
            && config.client_id().is_some()
            && config.client_secret().is_some()
            && self.shared.tokens.has_refresh_token()
    }

    /// The bearer token for the next attempt, refreshed first when it is missing or known to
    /// be expired and this client can refresh it (within `budget`, what is left of the call's
    /// deadline).
    pub(crate) async fn bearer_credentials(&self, budget: Option<Duration>) -> Result<Credentials> {
        let tokens = &self.shared.tokens;
        let mut held = tokens.held();
        if !held.fresh && self.can_auto_refresh() {
            tokens.refresh(self, &held, budget).await?;
            held = tokens.held();
        }
        // Known to be expired but not refreshable: send it and let Pinterest decide.
        if held.secret.is_none() {
            return Err(Error::MissingCredential {
                name: "access_token",
            });
        }
        Ok(Credentials::Bearer(held))
    }

    /// After a 401 to the token `rejected`: refreshes it (once for all concurrent callers)
    /// when this client can. Returns whether to replay the call.
    pub(crate) async fn refresh_after_rejection(
        &self,
        rejected: &HeldToken,
        budget: Option<Duration>,
    ) -> Result<bool> {
        if !self.can_auto_refresh() {
            return Ok(false);
        }
        self.shared.tokens.refresh(self, rejected, budget).await
    }

    pub(crate) fn token_store(&self) -> &TokenStore {
        &self.shared.tokens
    }
}

/// Per-client settings; see [`Client::builder`]. Every setter overrides the global
/// configuration and the environment for this client only.
#[derive(Default)]
pub struct ClientBuilder {
    settings: Settings,
    environment: Option<Environment>,
    retry: Option<RetryPolicy>,
    sleeper: Option<Arc<dyn Sleeper>>,
    http: Option<reqwest::Client>,
    on_token: Option<TokenListener>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("settings", &self.settings)
            .field("environment", &self.environment)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The app id from the Pinterest developer portal.
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.settings.client_id(client_id);
        self
    }

    /// The app secret. Held as a secret: never printed.
    pub fn client_secret(mut self, client_secret: impl Into<String>) -> Self {
        self.settings.client_secret(client_secret);
        self
    }

    /// The OAuth access token sent as `Authorization: Bearer ...`. Held as a secret.
    pub fn access_token(mut self, access_token: impl Into<String>) -> Self {
        self.settings.access_token(access_token);
        self
    }

    /// The OAuth refresh token, used to refresh the access token by itself (see
    /// [`ClientBuilder::auto_refresh`]). Held as a secret.
    pub fn refresh_token(mut self, refresh_token: impl Into<String>) -> Self {
        self.settings.refresh_token(refresh_token);
        self
    }

    /// The redirect URI registered for the app, used by the OAuth helpers.
    pub fn redirect_uri(mut self, redirect_uri: impl Into<String>) -> Self {
        self.settings.redirect_uri(redirect_uri);
        self
    }

    /// The API base URL, `/v5` included (default `https://api.pinterest.com/v5`). Must be
    /// https unless it points at a loopback address (a local test server).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.settings.base_url(base_url);
        self
    }

    /// Uses Pinterest's sandbox, `https://api-sandbox.pinterest.com/v5`.
    pub fn sandbox(mut self) -> Self {
        self.settings.sandbox();
        self
    }

    /// The OAuth authorization page (default `https://www.pinterest.com/oauth/`).
    pub fn auth_url(mut self, auth_url: impl Into<String>) -> Self {
        self.settings.auth_url(auth_url);
        self
    }

    /// The longest one attempt of a request may take, connecting included (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout(timeout);
        self
    }

    /// The longest opening a connection may take (default 10 s).
    pub fn open_timeout(mut self, open_timeout: Duration) -> Self {
        self.settings.open_timeout(open_timeout);
        self
    }

    /// Names your application in the `User-Agent` header, before the SDK's own name.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.settings.user_agent(user_agent);
        self
    }

    /// Whether to refresh the access token by itself when it expires or is rejected
    /// (default on; it needs a refresh token, the client id and the client secret).
    pub fn auto_refresh(mut self, enabled: bool) -> Self {
        self.settings.auto_refresh(enabled);
        self
    }

    /// Reads `PINTEREST_*` variables from `environment` instead of the process environment
    /// (for tests, or to read them from somewhere else).
    ///
    /// ```
    /// use pinterest::Environment;
    ///
    /// let env = Environment::from_pairs([("PINTEREST_ACCESS_TOKEN", "from-env"), ("PINTEREST_TIMEOUT", "2.5")]);
    /// let client = pinterest::Client::builder().environment(env).build()?;
    /// assert_eq!(client.config().timeout(), std::time::Duration::from_millis(2500));
    /// # Ok::<(), pinterest::Error>(())
    /// ```
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = Some(environment);
        self
    }

    /// The retry policy for every call of this client (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Replaces how the client waits between attempts (default: the tokio timer).
    pub fn sleeper(mut self, sleeper: Arc<dyn Sleeper>) -> Self {
        self.sleeper = Some(sleeper);
        self
    }

    /// Uses your own `reqwest` client (proxies, extra root certificates...). The timeout,
    /// open timeout and user agent settings then do not apply: set them on that client.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Called with every token the client obtains by itself (automatic refresh), so the
    /// application can persist it.
    ///
    /// ```
    /// let client = pinterest::Client::builder()
    ///     .on_token(|token| println!("store the new token, valid until {:?}", token.expires_at()))
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), pinterest::Error>(())
    /// ```
    pub fn on_token(mut self, listener: impl Fn(&Token) + Send + Sync + 'static) -> Self {
        self.on_token = Some(Arc::new(listener));
        self
    }

    /// Resolves the settings and builds the client.
    pub fn build(self) -> Result<Client> {
        let environment = self.environment.unwrap_or_else(Environment::process);
        let config = resolve(&self.settings, &global_settings(), &environment)?;
        let (http, request_timeout) = match self.http {
            Some(http) => (http, None),
            None => (http_client(&config)?, Some(config.timeout())),
        };
        let tokens = TokenStore::new(
            config.access_token().cloned(),
            config.refresh_token().cloned(),
            self.on_token,
        );
        let shared = Shared {
            base_url: config.base_url_for_requests(),
            config,
            http,
            request_timeout,
            retry: self.retry.unwrap_or_default(),
            sleeper: self.sleeper.unwrap_or_else(|| Arc::new(TokioSleeper)),
            tokens,
        };
        Ok(Client {
            shared: Arc::new(shared),
        })
    }
}

/// The HTTP client: rustls with the `ring` provider, the configured timeouts and user agent,
/// and no redirects (a 3xx from the API is an error to report, not to follow with a token).
fn http_client(config: &Config) -> Result<reqwest::Client> {
    let tls = tls_config()?;
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .timeout(config.timeout())
        .connect_timeout(config.open_timeout())
        .user_agent(config.user_agent())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(Error::Transport)
}

fn tls_config() -> Result<rustls::ClientConfig> {
    use rustls_platform_verifier::BuilderVerifierExt as _;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::InvalidRequest(format!("TLS setup failed: {e}")))?
        .with_platform_verifier()
        .map_err(|e| Error::InvalidRequest(format!("TLS setup failed: {e}")))?
        .with_no_client_auth();
    Ok(config)
}
