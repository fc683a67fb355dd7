//! OAuth tokens: the [`Token`] value the OAuth calls return, and the store a client keeps its
//! current token in, with a refresh that concurrent callers share.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::generated::types::OauthAccessTokenResponse;
use crate::scope::Scope;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tracing::Instrument as _;

/// A token is treated as expired this long before Pinterest's stated expiry, so a request
/// does not leave with a token that dies on the way.
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

/// An OAuth token from Pinterest: the access token and what came with it.
///
/// The tokens inside are secrets: `Debug` prints them as `<redacted>`, and reading one takes
/// an explicit [`ExposeSecret::expose_secret`].
///
/// ```
/// # fn demo(token: pinterest::Token) {
/// use secrecy::ExposeSecret;
///
/// println!("{token:?}"); // no secret in here
/// let header = format!("Bearer {}", token.access_token().expose_secret());
/// # let _ = header;
/// # }
/// ```
#[derive(Clone)]
pub struct Token {
    access_token: SecretString,
    token_type: String,
    expires_at: Option<SystemTime>,
    refresh_token: Option<SecretString>,
    refresh_token_expires_at: Option<SystemTime>,
    scopes: Vec<Scope>,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("access_token", &"<redacted>")
            .field("token_type", &self.token_type)
            .field("expires_at", &self.expires_at)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("refresh_token_expires_at", &self.refresh_token_expires_at)
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl Token {
    /// Builds a token from Pinterest's answer, computing instants from `now`.
    pub(crate) fn from_response(response: OauthAccessTokenResponse, now: SystemTime) -> Token {
        let after =
            |seconds: i64| now.checked_add(Duration::from_secs(seconds.max(0).unsigned_abs()));
        let refresh_expiry = response
            .refresh_token_expires_at
            .and_then(|at| UNIX_EPOCH.checked_add(Duration::from_secs(at.max(0).unsigned_abs())))
            .or_else(|| response.refresh_token_expires_in.and_then(after));
        Token {
            access_token: SecretString::from(response.access_token),
            token_type: response.token_type,
            expires_at: after(response.expires_in),
            refresh_token: response.refresh_token.map(SecretString::from),
            refresh_token_expires_at: refresh_expiry,
            scopes: Scope::parse_list(&response.scope),
        }
    }

    /// A token that carries only an access token (such as a conversion token).
    pub(crate) fn bare(access_token: SecretString, token_type: String) -> Token {
        Token {
            access_token,
            token_type,
            expires_at: None,
            refresh_token: None,
            refresh_token_expires_at: None,
            scopes: Vec::new(),
        }
    }

    /// Keeps `previous` as the refresh token when Pinterest did not send a new one.
    pub(crate) fn or_refresh_token(mut self, previous: &SecretString) -> Token {
        if self.refresh_token.is_none() {
            self.refresh_token = Some(previous.clone());
        }
        self
    }

    /// The access token, sent as `Authorization: Bearer ...`.
    pub fn access_token(&self) -> &SecretString {
        &self.access_token
    }

    /// The token type Pinterest reported (`bearer`, or `conversion` for conversion tokens).
    pub fn token_type(&self) -> &str {
        &self.token_type
    }

    /// When the access token expires, computed from `expires_in` when the token arrived.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// Whether the access token is known to have expired (or to expire within a minute).
    pub fn is_expired(&self) -> bool {
        is_expired(self.expires_at, SystemTime::now())
    }

    /// The refresh token, when Pinterest sent one (or the one used to refresh, kept when
    /// Pinterest did not send a new one).
    pub fn refresh_token(&self) -> Option<&SecretString> {
        self.refresh_token.as_ref()
    }

    /// When the refresh token expires, from `refresh_token_expires_at` or
    /// `refresh_token_expires_in`.
    pub fn refresh_token_expires_at(&self) -> Option<SystemTime> {
        self.refresh_token_expires_at
    }

    /// The scopes the token grants.
    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }
}

fn is_expired(expires_at: Option<SystemTime>, now: SystemTime) -> bool {
    expires_at.is_some_and(|at| now + EXPIRY_MARGIN >= at)
}

/// Receives every token a client obtains by itself.
pub(crate) type TokenListener = Arc<dyn Fn(&Token) + Send + Sync>;

/// The access token a client holds right now, read together with its generation: every new
/// token (set by the caller or refreshed) gets the next generation, so a caller can tell
/// whether the token it used has been replaced since.
#[derive(Clone)]
pub(crate) struct HeldToken {
    pub(crate) secret: Option<SecretString>,
    pub(crate) generation: u64,
    /// Present and not known to be expired.
    pub(crate) fresh: bool,
    /// How many refreshes had finished: one that finishes later without a new generation
    /// failed, and its failure is shared rather than tried again.
    refreshes: u64,
}

/// The token a client and all its clones share.
pub(crate) struct TokenStore {
    state: RwLock<TokenState>,
    /// Held while a refresh is in flight, by the task doing it, so concurrent callers share one
    /// refresh and a refresh outlives a caller that stops waiting.
    refreshing: Arc<tokio::sync::Mutex<()>>,
    listener: Option<TokenListener>,
}

#[derive(Default)]
struct TokenState {
    /// The current token. Its own refresh token may be missing: see `refresh_token`.
    token: Option<Token>,
    /// Kept apart from `token`: configured without an access token, or kept across tokens
    /// that came without one.
    refresh_token: Option<SecretString>,
    generation: u64,
    /// Refreshes finished, successful or not, and the failure of the latest one.
    refreshes: u64,
    last_failure: Option<Arc<Error>>,
    /// Set when Pinterest refused the refresh token: refreshing again would only fail again.
    refresh_refused: bool,
}

impl TokenStore {
    pub(crate) fn new(
        access_token: Option<SecretString>,
        refresh_token: Option<SecretString>,
        listener: Option<TokenListener>,
    ) -> Self {
        let state = TokenState {
            token: access_token.map(|secret| Token::bare(secret, "bearer".to_owned())),
            refresh_token,
            ..TokenState::default()
        };
        TokenStore {
            state: RwLock::new(state),
            refreshing: Arc::new(tokio::sync::Mutex::new(())),
            listener,
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, TokenState> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, TokenState> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn held(&self) -> HeldToken {
        let state = self.read();
        let secret = state.token.as_ref().map(|t| t.access_token.clone());
        let fresh = state.token.as_ref().is_some_and(|t| !t.is_expired());
        HeldToken {
            secret,
            generation: state.generation,
            fresh,
            refreshes: state.refreshes,
        }
    }

    /// The current token, with the refresh token the client would use.
    pub(crate) fn snapshot(&self) -> Option<Token> {
        let state = self.read();
        let mut token = state.token.clone()?;
        if token.refresh_token.is_none() {
            token.refresh_token = state.refresh_token.clone();
        }
        Some(token)
    }

    pub(crate) fn has_refresh_token(&self) -> bool {
        let state = self.read();
        state.refresh_token.is_some() && !state.refresh_refused
    }

    pub(crate) fn set_access_token(&self, access_token: SecretString) {
        let mut state = self.write();
        state.token = Some(Token::bare(access_token, "bearer".to_owned()));
        state.generation += 1;
    }

    pub(crate) fn set_token(&self, token: &Token) {
        let mut state = self.write();
        state.token = Some(token.clone());
        if let Some(refresh) = &token.refresh_token {
            state.refresh_token = Some(refresh.clone());
            state.refresh_refused = false;
        }
        state.generation += 1;
    }

    /// Refreshes the access token the caller held (`seen`), unless it was replaced since or a
    /// refresh that started meanwhile failed: N concurrent callers that held the same token
    /// cause one refresh and share its outcome. `budget` bounds the refresh request (what is
    /// left of the calling request's deadline).
    ///
    /// Returns whether a new token is in place (`false`: Pinterest refused the refresh token
    /// before, so the caller goes on with what it has).
    pub(crate) async fn refresh(
        &self,
        client: &Client,
        seen: &HeldToken,
        budget: Option<Duration>,
    ) -> Result<bool> {
        let guard = self.refreshing.clone().lock_owned().await;
        let refresh_token = {
            let state = self.read();
            if state.generation != seen.generation {
                return Ok(true);
            }
            if state.refreshes != seen.refreshes
                && let Some(failure) = &state.last_failure
            {
                return Err(Error::TokenRefresh(failure.clone()));
            }
            if state.refresh_refused {
                return Ok(false);
            }
            state
                .refresh_token
                .clone()
                .ok_or(Error::MissingCredential {
                    name: "refresh_token",
                })?
        };
        // Its own task: once Pinterest has answered, the new token (and perhaps a rotated
        // refresh token) must be stored even if this caller has stopped waiting. It logs
        // under the caller's span.
        let client = client.clone();
        let generation = seen.generation;
        let task = tokio::spawn(
            async move {
                let _held_until_stored = guard;
                let result =
                    crate::oauth::refresh_grant(&client, refresh_token.clone(), budget).await;
                client
                    .token_store()
                    .store_refresh(result, generation, &refresh_token)
            }
            .instrument(tracing::Span::current()),
        );
        match task.await {
            Ok(result) => result,
            Err(join) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
            // The runtime is shutting down: no new token.
            Err(_) => Ok(false),
        }
    }

    /// Records a refresh of the token of generation `refreshed` made with `sent`. A token the
    /// application installed meanwhile wins over the refreshed one.
    fn store_refresh(
        &self,
        result: Result<Token>,
        refreshed: u64,
        sent: &SecretString,
    ) -> Result<bool> {
        let mut state = self.write();
        state.refreshes += 1;
        match result {
            Ok(token) => {
                state.last_failure = None;
                if state.generation != refreshed {
                    tracing::debug!(target: "pinterest", "a token installed during the refresh replaces the refreshed one");
                    return Ok(true);
                }
                if let Some(refresh) = &token.refresh_token {
                    state.refresh_token = Some(refresh.clone());
                }
                state.token = Some(token.clone());
                state.generation += 1;
                drop(state);
                tracing::info!(target: "pinterest", expires_at = ?token.expires_at, "access token refreshed");
                if let Some(listener) = &self.listener {
                    listener(&token);
                }
                Ok(true)
            }
            Err(error) => {
                let refused = error.refuses_grant();
                let still_held = state
                    .refresh_token
                    .as_ref()
                    .is_some_and(|held| held.expose_secret() == sent.expose_secret());
                if refused && still_held {
                    // A dead grant (Pinterest code 283 and the like): do not ask again.
                    state.refresh_refused = true;
                }
                tracing::warn!(target: "pinterest", code = ?error.code(), refused, "refreshing the access token failed");
                let failure = Arc::new(error);
                state.last_failure = Some(failure.clone());
                Err(Error::TokenRefresh(failure))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(json: serde_json::Value) -> OauthAccessTokenResponse {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn instants_are_computed_from_the_response() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let token = Token::from_response(
            response(serde_json::json!({
                "access_token": "pina_secret_access", "refresh_token": "pinr_secret_refresh",
                "token_type": "bearer", "expires_in": 2_592_000, "scope": "ads:read,ads:write",
                "refresh_token_expires_in": 31_536_000
            })),
            now,
        );
        assert_eq!(
            token.expires_at(),
            Some(now + Duration::from_secs(2_592_000))
        );
        assert_eq!(
            token.refresh_token_expires_at(),
            Some(now + Duration::from_secs(31_536_000))
        );
        assert_eq!(token.scopes(), &[Scope::AdsRead, Scope::AdsWrite]);
        assert_eq!(token.token_type(), "bearer");

        let debug = format!("{token:?}");
        assert!(
            !debug.contains("pina_secret_access") && !debug.contains("pinr_secret_refresh"),
            "{debug}"
        );
    }

    #[test]
    fn an_absolute_refresh_expiry_wins_over_a_relative_one() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let token = Token::from_response(
            response(serde_json::json!({
                "access_token": "a", "token_type": "bearer", "expires_in": 10, "scope": "",
                "refresh_token": "r", "refresh_token_expires_in": 5, "refresh_token_expires_at": 1_800_000_000
            })),
            now,
        );
        assert_eq!(
            token.refresh_token_expires_at(),
            Some(UNIX_EPOCH + Duration::from_secs(1_800_000_000))
        );
        assert!(token.scopes().is_empty());
    }

    #[test]
    fn expiry_has_a_safety_margin() {
        let now = SystemTime::now();
        assert!(!is_expired(None, now));
        assert!(is_expired(Some(now + Duration::from_secs(30)), now));
        assert!(!is_expired(Some(now + Duration::from_secs(120)), now));
    }

    #[test]
    fn a_refresh_keeps_the_old_refresh_token_when_none_is_sent() {
        let fresh = Token::bare(SecretString::from("new"), "bearer".into())
            .or_refresh_token(&SecretString::from("old-refresh"));
        assert_eq!(
            fresh.refresh_token().map(|t| t.expose_secret().to_owned()),
            Some("old-refresh".into())
        );
    }
}
