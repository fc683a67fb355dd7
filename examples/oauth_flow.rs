//! The Ruby gem's five OAuth steps with this SDK: (1) the authorization URL, (2) the code
//! exchange, (3) a refresh, (4) a revocation and (5) a conversion token.
//!
//! ```text
//! cargo run --example oauth_flow
//! ```
//!
//! By default it runs offline against a mock Pinterest started in this process on
//! 127.0.0.1; the mock only answers requests whose form body is exactly what Pinterest
//! expects, so the run also shows the SDK's wire format is right.
//!
//! To exchange a real authorization code instead, set all of:
//!
//! ```text
//! PINTEREST_BASE_URL=https://api.pinterest.com/v5     (or https://api-sandbox.pinterest.com/v5)
//! PINTEREST_CLIENT_ID=...                             (your app id)
//! PINTEREST_CLIENT_SECRET=...                         (your app secret)
//! PINTEREST_REDIRECT_URI=...                          (exactly as registered for the app)
//! OAUTH_CODE=...                                      (the `code` Pinterest sent to the redirect URI)
//! ```
//!
//! It then prints the authorization URL, exchanges `OAUTH_CODE` against that server,
//! refreshes the new token (when Pinterest sent a refresh token) and asks for a conversion
//! token. It does not revoke anything there: revocation would end the token you just got
//! (and Pinterest documents it for system-user tokens only). With the four `PINTEREST_*`
//! variables set but no `OAUTH_CODE`, it only prints the authorization URL to open: sign in,
//! copy the `code` from the redirect, and run again with `OAUTH_CODE` set.
//!
//! No secret is ever printed: tokens are shown by their type, expiry and scopes.

use pinterest::oauth::{TokenTypeHint, random_state};
use pinterest::{Client, Environment, Scope, Token};
use std::time::{SystemTime, UNIX_EPOCH};

const APP_VARS: [&str; 4] = [
    "PINTEREST_BASE_URL",
    "PINTEREST_CLIENT_ID",
    "PINTEREST_CLIENT_SECRET",
    "PINTEREST_REDIRECT_URI",
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let real_app = APP_VARS.iter().all(|name| set(name));
    let code = std::env::var("OAUTH_CODE").ok().filter(|c| !c.is_empty());

    match (real_app, code) {
        (true, Some(code)) => real(code).await,
        (true, None) => {
            // Reads PINTEREST_* from the environment.
            let client = Client::new()?;
            step1(&client)?;
            println!(
                "\nOpen that URL, approve the app, then run again with OAUTH_CODE set to the \
                 `code` query parameter Pinterest sent to your redirect URI."
            );
            Ok(())
        }
        (false, _) => offline().await,
    }
}

/// Against a real server: steps 1, 2, 3 and 5.
async fn real(code: String) -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::new()?;
    println!("Running against {}", client.config().base_url());
    step1(&client)?;

    println!("\n2. Exchanging the authorization code");
    let token = client.oauth().exchange_code(code).await?.into_inner();
    describe(&token);
    client.set_token(&token);

    match token.refresh_token() {
        Some(refresh_token) => {
            println!("\n3. Refreshing the access token");
            use pinterest::ExposeSecret as _;
            let refreshed = client
                .oauth()
                .refresh(refresh_token.expose_secret())
                .await?
                .into_inner();
            describe(&refreshed);
            client.set_token(&refreshed);
        }
        None => println!("\n3. Skipped: Pinterest sent no refresh token"),
    }

    println!("\n4. Skipped against a real server: revoking would end the token just obtained");

    println!("\n5. Asking for a conversion token");
    let conversion = client.oauth().conversion_token().await?.into_inner();
    describe(&conversion);
    Ok(())
}

/// Against the in-process mock: all five steps.
async fn offline() -> Result<(), Box<dyn std::error::Error>> {
    let (server, expected_calls) = mock_pinterest::start().await;
    println!(
        "Running offline against a mock Pinterest at {}",
        server.base_url()
    );
    // The app's settings, isolated from any PINTEREST_* variables of this shell.
    let client = Client::builder()
        .environment(Environment::empty())
        .base_url(server.base_url())
        .client_id(mock_pinterest::CLIENT_ID)
        .client_secret(mock_pinterest::CLIENT_SECRET)
        .redirect_uri(mock_pinterest::REDIRECT_URI)
        .build()?;

    step1(&client)?;

    println!("\n2. Exchanging the authorization code (asking for a continuous refresh token)");
    let token = client
        .oauth()
        .exchange_code(mock_pinterest::CODE)
        .continuous_refresh(true)
        .await?
        .into_inner();
    describe(&token);
    // This client, and every clone of it, now calls the API with this token.
    client.set_token(&token);

    println!("\n3. Refreshing the access token");
    use pinterest::ExposeSecret as _;
    let refresh_token = token.refresh_token().ok_or("no refresh token")?;
    let refreshed = client
        .oauth()
        .refresh(refresh_token.expose_secret())
        .await?
        .into_inner();
    describe(&refreshed);
    client.set_token(&refreshed);

    println!("\n4. Revoking the first access token");
    let revoked = client
        .oauth()
        .revoke(token.access_token().expose_secret())
        .hint(TokenTypeHint::AccessToken)
        .await?;
    println!("   revoked (HTTP {})", revoked.status());

    println!("\n5. Asking for a conversion token (made with the refreshed access token)");
    let conversion = client.oauth().conversion_token().await?.into_inner();
    describe(&conversion);

    mock_pinterest::check_calls(&server, &expected_calls).await?;
    println!("\nAll five steps done.");
    Ok(())
}

/// Step 1: the URL to send the user to, with a fresh `state` to check on the way back.
fn step1(client: &Client) -> Result<(), Box<dyn std::error::Error>> {
    println!("\n1. Authorization URL");
    let state = random_state();
    let url = client.oauth().authorization_url(
        [Scope::AdsRead, Scope::AdsWrite, Scope::UserAccountsRead],
        &state,
    )?;
    println!("   {url}");
    println!("   keep state {state} in the user's session and compare it on the way back");
    Ok(())
}

fn describe(token: &Token) {
    println!("   {}", summary(token));
}

/// A token without its secrets: type, expiries, scopes, whether a refresh token came along.
fn summary(token: &Token) -> String {
    let scopes: Vec<&str> = token.scopes().iter().map(Scope::as_str).collect();
    format!(
        "{} token, access token {}, refresh token {}, scopes [{}]",
        token.token_type(),
        expiry(token.expires_at()),
        match token.refresh_token() {
            Some(_) => expiry(token.refresh_token_expires_at()),
            None => "none".to_owned(),
        },
        scopes.join(", ")
    )
}

fn expiry(at: Option<SystemTime>) -> String {
    let Some(at) = at else {
        return "with no stated expiry".to_owned();
    };
    let unix = at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    match at.duration_since(SystemTime::now()) {
        Ok(left) => format!("expires in {} (unix {unix})", roughly(left.as_secs())),
        Err(_) => format!("expired (unix {unix})"),
    }
}

/// `30 days`, `2 hours`, `45 minutes`, `10 seconds`.
fn roughly(seconds: u64) -> String {
    let (size, unit) = match seconds {
        86_400.. => (86_400, "day"),
        3_600.. => (3_600, "hour"),
        60.. => (60, "minute"),
        _ => (1, "second"),
    };
    let count = (seconds + size / 2) / size;
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {unit}{plural}")
}

/// A mock of Pinterest's OAuth endpoints that answers only the exact requests the steps
/// above must send; anything else gets a 599 naming what arrived.
mod mock_pinterest {
    use httpmock::prelude::*;
    use httpmock::{HttpMockRequest, HttpMockResponse, Mock};
    use serde_json::json;

    pub const CLIENT_ID: &str = "1234567";
    pub const CLIENT_SECRET: &str = "mock_client_secret";
    pub const REDIRECT_URI: &str = "https://app.example.com/oauth/callback";
    pub const CODE: &str = "mock+code/with=odd&chars";
    /// `Basic base64("1234567:mock_client_secret")`.
    const BASIC: &str = "Basic MTIzNDU2Nzptb2NrX2NsaWVudF9zZWNyZXQ=";
    const FORM: &str = "application/x-www-form-urlencoded";
    const ACCESS: &str = "pina_mock_access";
    const REFRESH: &str = "pinr_mock_refresh";
    const REFRESHED: &str = "pina_mock_refreshed";

    /// One endpoint mock: what it stands for, its id, how many calls the steps make to it.
    pub type Expected = (&'static str, usize, usize);

    pub async fn start() -> (MockServer, Vec<Expected>) {
        let server = MockServer::start_async().await;
        let mut expected = Vec::new();

        // Step 2: the code exchange.
        let exchange = token_endpoint(
            &server,
            "grant_type=authorization_code&code=mock%2Bcode%2Fwith%3Dodd%26chars\
             &continuous_refresh=true&redirect_uri=https%3A%2F%2Fapp.example.com%2Foauth%2Fcallback",
            json!({
                "access_token": ACCESS,
                "refresh_token": REFRESH,
                "response_type": "authorization_code",
                "token_type": "bearer",
                "expires_in": 2_592_000,
                "refresh_token_expires_in": 5_184_000,
                "scope": "ads:read,ads:write,user_accounts:read",
            }),
        )
        .await;
        expected.push(("code exchange", exchange.id, 1));

        // Step 3: the refresh (no new refresh token: the SDK keeps the old one).
        let refresh = token_endpoint(
            &server,
            "grant_type=refresh_token&refresh_token=pinr_mock_refresh",
            json!({
                "access_token": REFRESHED,
                "response_type": "refresh_token",
                "token_type": "bearer",
                "expires_in": 2_592_000,
                "scope": "ads:read,ads:write,user_accounts:read",
            }),
        )
        .await;
        expected.push(("refresh", refresh.id, 1));

        // Step 4: revocation, 200 with an empty body.
        let revoke = server
            .mock_async(|when, then| {
                when.method(POST)
                    .path("/oauth/token/revoke")
                    .header("content-type", FORM)
                    .header("authorization", BASIC)
                    .body("token=pina_mock_access&token_type_hint=access_token");
                then.status(200);
            })
            .await;
        expected.push(("revocation", revoke.id, 1));

        // Step 5: a conversion token, asked with the refreshed access token and no body.
        let conversion = server
            .mock_async(|when, then| {
                when.method(POST)
                    .path("/oauth/conversion_token")
                    .header("authorization", format!("Bearer {REFRESHED}"))
                    .header("content-length", "0");
                then.status(200)
                    .header("content-type", "application/json")
                    .json_body(json!({ "access_token": "pina_mock_conversion", "token_type": "conversion" }));
            })
            .await;
        expected.push(("conversion token", conversion.id, 1));

        // Registered last, so it only sees what nothing above matched.
        let unexpected = server
            .mock_async(|when, then| {
                when.any_request();
                then.respond_with(|req: &HttpMockRequest| {
                    let message = format!(
                        "the mock did not expect {} {} with body {:?}",
                        req.method(),
                        req.uri().path(),
                        req.body_string()
                    );
                    HttpMockResponse::builder()
                        .status(599)
                        .header("content-type", "application/json")
                        .body(json!({ "code": 599, "message": message }).to_string())
                        .build()
                });
            })
            .await;
        expected.push(("unexpected requests", unexpected.id, 0));
        (server, expected)
    }

    async fn token_endpoint<'a>(
        server: &'a MockServer,
        body: &'static str,
        answer: serde_json::Value,
    ) -> Mock<'a> {
        server
            .mock_async(move |when, then| {
                when.method(POST)
                    .path("/oauth/token")
                    .header("content-type", FORM)
                    .header("authorization", BASIC)
                    .body(body);
                then.status(200)
                    .header("content-type", "application/json")
                    .json_body(answer);
            })
            .await
    }

    /// Each mock was called exactly as often as the steps say.
    pub async fn check_calls(server: &MockServer, expected: &[Expected]) -> Result<(), String> {
        for &(what, id, want) in expected {
            let calls = Mock::new(id, server).calls_async().await;
            if calls != want {
                return Err(format!("{what}: {calls} call(s), expected {want}"));
            }
        }
        Ok(())
    }
}
