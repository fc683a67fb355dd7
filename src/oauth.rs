//! OAuth: the authorization URL, code exchange, refresh, revocation, conversion and
//! client-credentials tokens (`client.oauth()`).

use crate::client::Client;
use crate::error::{Error, Result};
use crate::generated::types::{
    OauthAccessTokenRequest, TokenRevocationRequest, TokenRevocationRequestTokenTypeHint,
};
use crate::response::Response;
use crate::retry::RetryPolicy;
use crate::scope::Scope;
use crate::token::Token;
use crate::transport::{AuthScheme, CallOptions, Operation, execute};
use futures::future::BoxFuture;
use rand::RngCore as _;
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use std::time::{Duration, SystemTime};
use url::Url;

const TOKEN: Operation = Operation {
    id: "oauth/token",
    method: Method::POST,
    path: "/oauth/token",
    auth: AuthScheme::Basic,
};
const REVOKE: Operation = Operation {
    id: "token/revoke",
    method: Method::POST,
    path: "/oauth/token/revoke",
    auth: AuthScheme::Basic,
};
const CONVERSION_TOKEN: Operation = Operation {
    id: "oauth/conversion_token",
    method: Method::POST,
    path: "/oauth/conversion_token",
    auth: AuthScheme::Bearer,
};

/// A random, unguessable `state` for the authorization URL: 32 bytes from a cryptographically
/// secure generator seeded by the operating system, hex-encoded. Keep it in the user's session and compare it with the
/// `state` Pinterest sends back to the redirect URI.
///
/// ```
/// let state = pinterest::oauth::random_state();
/// assert_eq!(state.len(), 64);
/// assert_ne!(state, pinterest::oauth::random_state());
/// ```
pub fn random_state() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The OAuth calls, from [`Client::oauth`].
#[derive(Debug, Clone)]
pub struct Oauth {
    client: Client,
}

impl Client {
    /// OAuth: authorization URL, code exchange, refresh, revocation, conversion and
    /// client-credentials tokens.
    pub fn oauth(&self) -> Oauth {
        Oauth {
            client: self.clone(),
        }
    }
}

impl Oauth {
    /// Step 1: the URL of Pinterest's authorization page to send the user to, for the
    /// configured `redirect_uri`. Scopes are written comma-separated; `state` comes back to
    /// your redirect URI unchanged (make one with [`random_state`]).
    ///
    /// Fails with [`Error::MissingCredential`] without a `client_id` or `redirect_uri`.
    ///
    /// ```
    /// use pinterest::Scope;
    ///
    /// let client = pinterest::Client::builder()
    ///     .client_id("1234567")
    ///     .redirect_uri("https://example.com/callback")
    ///     .build()?;
    /// let url = client.oauth().authorization_url([Scope::AdsRead, Scope::AdsWrite], "xyz")?;
    /// assert_eq!(
    ///     url.as_str(),
    ///     "https://www.pinterest.com/oauth/?client_id=1234567&redirect_uri=https%3A%2F%2Fexample.com%2Fcallback\
    ///      &response_type=code&scope=ads%3Aread%2Cads%3Awrite&state=xyz"
    /// );
    /// # Ok::<(), pinterest::Error>(())
    /// ```
    pub fn authorization_url(
        &self,
        scopes: impl IntoIterator<Item = impl Into<Scope>>,
        state: &str,
    ) -> Result<Url> {
        let redirect_uri = self.configured_redirect_uri()?;
        self.authorization_url_for(&redirect_uri, scopes, state)
    }

    /// Like [`Oauth::authorization_url`], for another redirect URI than the configured one.
    pub fn authorization_url_for(
        &self,
        redirect_uri: &str,
        scopes: impl IntoIterator<Item = impl Into<Scope>>,
        state: &str,
    ) -> Result<Url> {
        let config = self.client.config();
        let client_id = config
            .client_id()
            .ok_or(Error::MissingCredential { name: "client_id" })?;
        let scopes: Vec<Scope> = scopes.into_iter().map(Into::into).collect();
        let mut url = config.auth_url().clone();
        url.query_pairs_mut()
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("response_type", "code")
            .append_pair("scope", &Scope::join(&scopes))
            .append_pair("state", state);
        Ok(url)
    }

    /// Step 2: exchanges the `code` Pinterest sent to your redirect URI for a token
    /// (`POST /oauth/token`, `grant_type=authorization_code`, HTTP Basic with the client id
    /// and secret). The redirect URI defaults to the configured one.
    ///
    /// ```no_run
    /// # async fn demo(client: pinterest::Client, code: &str) -> pinterest::Result<()> {
    /// let token = client.oauth().exchange_code(code).await?;
    /// client.set_token(&token); // this client and its clones now use it
    /// # Ok(())
    /// # }
    /// ```
    pub fn exchange_code(&self, code: impl Into<String>) -> ExchangeCode {
        ExchangeCode {
            client: self.client.clone(),
            code: SecretString::from(code.into()),
            redirect_uri: None,
            continuous_refresh: false,
        }
    }

    /// Step 3: a new access token from a refresh token (`grant_type=refresh_token`). The
    /// returned token keeps `refresh_token` when Pinterest does not send a new one. Install
    /// it with [`Client::set_token`]; or let the client refresh by itself (see
    /// [`ClientBuilder::auto_refresh`](crate::ClientBuilder::auto_refresh)).
    pub fn refresh(&self, refresh_token: impl Into<String>) -> Refresh {
        Refresh {
            client: self.client.clone(),
            refresh_token: SecretString::from(refresh_token.into()),
            scopes: None,
        }
    }

    /// Step 4: revokes a token (`POST /oauth/token/revoke`). Pinterest documents revocation
    /// for system-user tokens only; other tokens may be refused.
    pub fn revoke(&self, token: impl Into<String>) -> Revoke {
        Revoke {
            client: self.client.clone(),
            token: SecretString::from(token.into()),
            hint: None,
        }
    }

    /// Step 5: a token for the Conversions API (`POST /oauth/conversion_token`), made with the
    /// client's access token.
    pub fn conversion_token(&self) -> ConversionToken {
        ConversionToken {
            client: self.client.clone(),
        }
    }

    /// A token for the app itself (`grant_type=client_credentials`), for the calls Pinterest
    /// allows with one.
    pub fn client_credentials(
        &self,
        scopes: impl IntoIterator<Item = impl Into<Scope>>,
    ) -> ClientCredentials {
        ClientCredentials {
            client: self.client.clone(),
            scopes: scopes.into_iter().map(Into::into).collect(),
        }
    }

    fn configured_redirect_uri(&self) -> Result<String> {
        // As configured, not as `Url` normalizes it: Pinterest compares it with the
        // registered redirect URI, and the exchange must repeat the authorization's.
        let uri = self.client.config().redirect_uri_text();
        uri.map(str::to_owned).ok_or(Error::MissingCredential {
            name: "redirect_uri",
        })
    }
}

/// Sends a token request and builds the [`Token`] from the answer.
async fn request_token(
    client: &Client,
    body: OauthAccessTokenRequest,
    options: &CallOptions,
) -> Result<Response<Token>> {
    let response = execute(client, &TOKEN, options, |g| {
        Box::pin(g.oauth_token().body(body.clone()).send())
    })
    .await?;
    let now = SystemTime::now();
    Ok(response.map(|answer| Token::from_response(answer, now)))
}

/// The refresh used by the client's automatic refresh: one attempt (the call that needed it
/// retries a passing failure itself), within what is left of that call's deadline. Boxed:
/// the request path calls it from inside another request.
pub(crate) fn refresh_grant(
    client: &Client,
    refresh_token: SecretString,
    budget: Option<Duration>,
) -> BoxFuture<'_, Result<Token>> {
    Box::pin(async move {
        let body = OauthAccessTokenRequest::RefreshToken {
            refresh_token: refresh_token.expose_secret().to_owned(),
            scope: None,
        };
        let options = CallOptions {
            retry: Some(RetryPolicy::disabled().deadline(budget)),
        };
        Ok(request_token(client, body, &options)
            .await?
            .into_inner()
            .or_refresh_token(&refresh_token))
    })
}

/// The code exchange; see [`Oauth::exchange_code`]. Await it, or call [`ExchangeCode::send`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct ExchangeCode {
    client: Client,
    code: SecretString,
    redirect_uri: Option<String>,
    continuous_refresh: bool,
}

impl ExchangeCode {
    /// The redirect URI the code was issued for, when it is not the configured one.
    pub fn redirect_uri(mut self, redirect_uri: impl Into<String>) -> Self {
        self.redirect_uri = Some(redirect_uri.into());
        self
    }

    /// Asks for a 60-day continuous refresh token (`continuous_refresh=true`): needed by apps
    /// created before 2025-09-25 to get one.
    pub fn continuous_refresh(mut self, enabled: bool) -> Self {
        self.continuous_refresh = enabled;
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Response<Token>> {
        let redirect_uri = match self.redirect_uri {
            Some(uri) => uri,
            None => self.client.oauth().configured_redirect_uri()?,
        };
        let body = OauthAccessTokenRequest::AuthorizationCode {
            code: self.code.expose_secret().to_owned(),
            redirect_uri,
            continuous_refresh: self.continuous_refresh.then_some(true),
        };
        request_token(&self.client, body, &CallOptions::default()).await
    }
}

/// A token refresh; see [`Oauth::refresh`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct Refresh {
    client: Client,
    refresh_token: SecretString,
    scopes: Option<Vec<Scope>>,
}

impl Refresh {
    /// Narrows the new access token to these scopes.
    pub fn scopes(mut self, scopes: impl IntoIterator<Item = impl Into<Scope>>) -> Self {
        self.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Response<Token>> {
        let body = OauthAccessTokenRequest::RefreshToken {
            refresh_token: self.refresh_token.expose_secret().to_owned(),
            scope: self.scopes.as_ref().map(Scope::join),
        };
        let response = request_token(&self.client, body, &CallOptions::default()).await?;
        Ok(response.map(|token| token.or_refresh_token(&self.refresh_token)))
    }
}

/// Which kind of token a revocation names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenTypeHint {
    /// `access_token`
    AccessToken,
    /// `refresh_token`
    RefreshToken,
}

/// A token revocation; see [`Oauth::revoke`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct Revoke {
    client: Client,
    token: SecretString,
    hint: Option<TokenTypeHint>,
}

impl Revoke {
    /// Tells Pinterest which kind of token this is (`token_type_hint`).
    pub fn hint(mut self, hint: TokenTypeHint) -> Self {
        self.hint = Some(hint);
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Response<()>> {
        let hint = self.hint.map(|hint| match hint {
            TokenTypeHint::AccessToken => TokenRevocationRequestTokenTypeHint::AccessToken,
            TokenTypeHint::RefreshToken => TokenRevocationRequestTokenTypeHint::RefreshToken,
        });
        let body = TokenRevocationRequest {
            token: self.token.expose_secret().to_owned(),
            token_type_hint: hint,
        };
        execute(&self.client, &REVOKE, &CallOptions::default(), |g| {
            Box::pin(g.token_revoke().body(body.clone()).send())
        })
        .await
    }
}

/// A conversion-token request; see [`Oauth::conversion_token`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct ConversionToken {
    client: Client,
}

impl ConversionToken {
    /// Sends the request.
    pub async fn send(self) -> Result<Response<Token>> {
        let options = CallOptions::default();
        let response = execute(&self.client, &CONVERSION_TOKEN, &options, |g| {
            Box::pin(g.oauth_conversion_token().send())
        })
        .await?;
        Ok(response
            .map(|answer| Token::bare(SecretString::from(answer.access_token), answer.token_type)))
    }
}

/// A client-credentials token request; see [`Oauth::client_credentials`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct ClientCredentials {
    client: Client,
    scopes: Vec<Scope>,
}

impl ClientCredentials {
    /// Sends the request.
    pub async fn send(self) -> Result<Response<Token>> {
        let body = OauthAccessTokenRequest::ClientCredentials {
            scope: Scope::join(&self.scopes),
        };
        request_token(&self.client, body, &CallOptions::default()).await
    }
}

crate::request::impl_into_future!(ExchangeCode => Response<Token>);
crate::request::impl_into_future!(Refresh => Response<Token>);
crate::request::impl_into_future!(Revoke => Response<()>);
crate::request::impl_into_future!(ConversionToken => Response<Token>);
crate::request::impl_into_future!(ClientCredentials => Response<Token>);
