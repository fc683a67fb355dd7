//! Configuration layering through the public API: client builder > `pinterest::configure` >
//! environment (injected, never the process's) > default, for every setting.
//!
//! `configure` is process-wide and the tests of one binary run in parallel threads, so every
//! test here holds [`serial`] for its whole run, and resets the global layer before and after.

use httpmock::prelude::*;
use pinterest::{
    Client, ClientBuilder, Config, DEFAULT_AUTH_URL, DEFAULT_BASE_URL, DEFAULT_OPEN_TIMEOUT,
    DEFAULT_TIMEOUT, Environment, Error, ErrorKind, ExposeSecret, Origin, RetryPolicy,
    SANDBOX_BASE_URL, Settings, configure, reset_configuration,
};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

const SDK_USER_AGENT: &str = concat!("pinterest-ads/", env!("CARGO_PKG_VERSION"));

static GLOBAL_LAYER: Mutex<()> = Mutex::new(());

/// Holds the lock on the global layer and clears that layer on both ends, even when the test
/// panics.
struct Serial {
    _guard: MutexGuard<'static, ()>,
}

impl Drop for Serial {
    fn drop(&mut self) {
        reset_configuration();
    }
}

fn serial() -> Serial {
    let guard = GLOBAL_LAYER.lock().unwrap_or_else(PoisonError::into_inner);
    reset_configuration();
    Serial { _guard: guard }
}

fn env(pairs: &[(&str, &str)]) -> Environment {
    Environment::from_pairs(pairs.iter().copied())
}

fn build(builder: ClientBuilder) -> Config {
    builder.build().expect("the client builds").config().clone()
}

fn build_error(builder: ClientBuilder) -> Error {
    let error = builder.build().expect_err("the client must not build");
    assert_eq!(error.kind(), ErrorKind::Config, "{error:?}");
    error
}

fn secret(value: Option<&pinterest::SecretString>) -> Option<String> {
    value.map(|s| s.expose_secret().to_owned())
}

// ---------------------------------------------------------------------------------------------
// Every setting at every layer
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
enum Layer {
    Builder,
    Global,
    Env,
    Default,
}

/// One setting: how to set it at each layer and how to read it back, as text.
struct Setting {
    name: &'static str,
    var: &'static str,
    on_builder: fn(ClientBuilder, &str) -> ClientBuilder,
    on_settings: fn(&mut Settings, &str),
    /// The text each layer sets (for timeouts: whole seconds).
    value: fn(Layer) -> String,
    read: fn(&Config) -> Option<String>,
    default: Option<&'static str>,
}

fn seconds(text: &str) -> Duration {
    Duration::from_secs(text.parse().unwrap())
}

fn show(duration: Duration) -> Option<String> {
    Some(format!("{}", duration.as_secs_f64()))
}

fn settings() -> Vec<Setting> {
    vec![
        Setting {
            name: "client_id",
            var: "PINTEREST_CLIENT_ID",
            on_builder: |b, v| b.client_id(v),
            on_settings: |s, v| {
                s.client_id(v);
            },
            value: |layer| format!("id-{layer:?}"),
            read: |c| c.client_id().map(str::to_owned),
            default: None,
        },
        Setting {
            name: "client_secret",
            var: "PINTEREST_CLIENT_SECRET",
            on_builder: |b, v| b.client_secret(v),
            on_settings: |s, v| {
                s.client_secret(v);
            },
            value: |layer| format!("secret-{layer:?}"),
            read: |c| secret(c.client_secret()),
            default: None,
        },
        Setting {
            name: "access_token",
            var: "PINTEREST_ACCESS_TOKEN",
            on_builder: |b, v| b.access_token(v),
            on_settings: |s, v| {
                s.access_token(v);
            },
            value: |layer| format!("access-{layer:?}"),
            read: |c| secret(c.access_token()),
            default: None,
        },
        Setting {
            name: "refresh_token",
            var: "PINTEREST_REFRESH_TOKEN",
            on_builder: |b, v| b.refresh_token(v),
            on_settings: |s, v| {
                s.refresh_token(v);
            },
            value: |layer| format!("refresh-{layer:?}"),
            read: |c| secret(c.refresh_token()),
            default: None,
        },
        Setting {
            name: "redirect_uri",
            var: "PINTEREST_REDIRECT_URI",
            on_builder: |b, v| b.redirect_uri(v),
            on_settings: |s, v| {
                s.redirect_uri(v);
            },
            value: |layer| format!("https://app.example.com/{layer:?}/callback"),
            read: |c| c.redirect_uri().map(|u| u.as_str().to_owned()),
            default: None,
        },
        Setting {
            name: "base_url",
            var: "PINTEREST_BASE_URL",
            on_builder: |b, v| b.base_url(v),
            on_settings: |s, v| {
                s.base_url(v);
            },
            value: |layer| format!("https://api.example.com/{layer:?}/v5"),
            read: |c| Some(c.base_url().as_str().to_owned()),
            default: Some(DEFAULT_BASE_URL),
        },
        Setting {
            name: "auth_url",
            var: "PINTEREST_AUTH_URL",
            on_builder: |b, v| b.auth_url(v),
            on_settings: |s, v| {
                s.auth_url(v);
            },
            value: |layer| format!("https://auth.example.com/{layer:?}/oauth/"),
            read: |c| Some(c.auth_url().as_str().to_owned()),
            default: Some(DEFAULT_AUTH_URL),
        },
        Setting {
            name: "timeout",
            var: "PINTEREST_TIMEOUT",
            on_builder: |b, v| b.timeout(seconds(v)),
            on_settings: |s, v| {
                s.timeout(seconds(v));
            },
            value: |layer| {
                match layer {
                    Layer::Builder => "5",
                    Layer::Global => "7",
                    Layer::Env => "3",
                    Layer::Default => unreachable!(),
                }
                .to_owned()
            },
            read: |c| show(c.timeout()),
            default: Some("30"),
        },
        Setting {
            name: "open_timeout",
            var: "PINTEREST_OPEN_TIMEOUT",
            on_builder: |b, v| b.open_timeout(seconds(v)),
            on_settings: |s, v| {
                s.open_timeout(seconds(v));
            },
            value: |layer| {
                match layer {
                    Layer::Builder => "6",
                    Layer::Global => "8",
                    Layer::Env => "4",
                    Layer::Default => unreachable!(),
                }
                .to_owned()
            },
            read: |c| show(c.open_timeout()),
            default: Some("10"),
        },
    ]
}

/// For each setting and each layer: set the setting at that layer and every layer below it
/// (each with its own value), leave the layers above unset, and check the top one wins. Every
/// other setting is left unset everywhere, so it must come out as its default.
#[test]
fn each_setting_comes_from_the_highest_layer_that_sets_it() {
    let _serial = serial();
    let all = settings();
    for setting in &all {
        for top in [Layer::Builder, Layer::Global, Layer::Env, Layer::Default] {
            let below = |layer: Layer| {
                let order = [Layer::Builder, Layer::Global, Layer::Env, Layer::Default];
                let pos = |l| order.iter().position(|o| *o == l).unwrap();
                pos(layer) >= pos(top) && layer != Layer::Default
            };

            reset_configuration();
            if below(Layer::Global) {
                configure(|s| (setting.on_settings)(s, &(setting.value)(Layer::Global)));
            }
            let environment = if below(Layer::Env) {
                env(&[(setting.var, &(setting.value)(Layer::Env))])
            } else {
                Environment::empty()
            };
            let mut builder = Client::builder().environment(environment);
            if below(Layer::Builder) {
                builder = (setting.on_builder)(builder, &(setting.value)(Layer::Builder));
            }
            let config = build(builder);

            let expected = match top {
                Layer::Default => setting.default.map(str::to_owned),
                Layer::Builder | Layer::Global | Layer::Env => Some((setting.value)(top)),
            };
            assert_eq!(
                (setting.read)(&config),
                expected,
                "{} with {top:?} as the highest layer",
                setting.name
            );
            for other in all.iter().filter(|o| o.name != setting.name) {
                assert_eq!(
                    (other.read)(&config),
                    other.default.map(str::to_owned),
                    "{} leaked into {}",
                    setting.name,
                    other.name
                );
            }
        }
    }
    // Defaults that have no layer above them in this test.
    let config = build(Client::builder().environment(Environment::empty()));
    assert_eq!(config.timeout(), DEFAULT_TIMEOUT);
    assert_eq!(config.open_timeout(), DEFAULT_OPEN_TIMEOUT);
    assert_eq!(config.user_agent(), SDK_USER_AGENT);
    assert!(config.auto_refresh());
}

#[test]
fn layers_combine_setting_by_setting() {
    let _serial = serial();
    configure(|s| {
        s.client_id("id-global")
            .access_token("access-global")
            .timeout(Duration::from_secs(9));
    });
    // Calls add up: this one changes only what it sets.
    configure(|s| {
        s.auth_url("https://auth.example.com/global/");
    });
    let config = build(
        Client::builder()
            .environment(env(&[
                ("PINTEREST_CLIENT_ID", "id-env"),
                ("PINTEREST_ACCESS_TOKEN", "access-env"),
                ("PINTEREST_REFRESH_TOKEN", "refresh-env"),
                ("PINTEREST_TIMEOUT", "2"),
                ("PINTEREST_OPEN_TIMEOUT", "4"),
                ("PINTEREST_AUTH_URL", "https://auth.example.com/env/"),
            ]))
            .client_id("id-builder"),
    );
    assert_eq!(config.client_id(), Some("id-builder"));
    assert_eq!(
        secret(config.access_token()).as_deref(),
        Some("access-global")
    );
    assert_eq!(
        secret(config.refresh_token()).as_deref(),
        Some("refresh-env")
    );
    assert_eq!(config.timeout(), Duration::from_secs(9));
    assert_eq!(config.open_timeout(), Duration::from_secs(4));
    assert_eq!(
        config.auth_url().as_str(),
        "https://auth.example.com/global/"
    );
    assert!(config.client_secret().is_none());
    assert_eq!(config.base_url().as_str(), DEFAULT_BASE_URL);

    // Settings with no environment variable: builder over global over default.
    configure(|s| {
        s.user_agent("app-global/2").auto_refresh(false);
    });
    let config = build(Client::builder().environment(Environment::empty()));
    assert_eq!(
        config.user_agent(),
        format!("app-global/2 {SDK_USER_AGENT}")
    );
    assert!(!config.auto_refresh());
    let config = build(
        Client::builder()
            .environment(Environment::empty())
            .user_agent("app-builder/3")
            .auto_refresh(true),
    );
    assert_eq!(
        config.user_agent(),
        format!("app-builder/3 {SDK_USER_AGENT}")
    );
    assert!(config.auto_refresh());

    // Reset clears everything `configure` set.
    reset_configuration();
    let config = build(Client::builder().environment(Environment::empty()));
    assert_eq!(config.client_id(), None);
    assert!(config.access_token().is_none());
    assert_eq!(config.timeout(), DEFAULT_TIMEOUT);
    assert_eq!(config.auth_url().as_str(), DEFAULT_AUTH_URL);
    assert_eq!(config.user_agent(), SDK_USER_AGENT);
    assert!(config.auto_refresh());
}

#[test]
fn empty_environment_variables_count_as_unset() {
    let _serial = serial();
    configure(|s| {
        s.access_token("access-global");
    });
    let config = build(Client::builder().environment(env(&[
        ("PINTEREST_ACCESS_TOKEN", ""),
        ("PINTEREST_TIMEOUT", ""),
        ("PINTEREST_BASE_URL", ""),
    ])));
    assert_eq!(
        secret(config.access_token()).as_deref(),
        Some("access-global")
    );
    assert_eq!(config.timeout(), DEFAULT_TIMEOUT);
    assert_eq!(config.base_url().as_str(), DEFAULT_BASE_URL);
}

// ---------------------------------------------------------------------------------------------
// Sandbox
// ---------------------------------------------------------------------------------------------

#[test]
fn sandbox_at_each_layer() {
    let _serial = serial();
    let env_url = env(&[("PINTEREST_BASE_URL", "https://env.example.com/v5")]);
    let base = |builder: ClientBuilder| build(builder).base_url().as_str().to_owned();

    // Builder: beats the environment and the global layer.
    configure(|s| {
        s.base_url("https://global.example.com/v5");
    });
    assert_eq!(
        base(Client::builder().environment(env_url.clone()).sandbox()),
        SANDBOX_BASE_URL
    );
    // Global: beats the environment, loses to the builder's base URL.
    reset_configuration();
    configure(|s| {
        s.sandbox();
    });
    assert_eq!(
        base(Client::builder().environment(env_url.clone())),
        SANDBOX_BASE_URL
    );
    assert_eq!(
        base(
            Client::builder()
                .environment(env_url.clone())
                .base_url(DEFAULT_BASE_URL)
        ),
        DEFAULT_BASE_URL
    );
    // Environment: the sandbox URL in PINTEREST_BASE_URL.
    reset_configuration();
    assert_eq!(
        base(Client::builder().environment(env(&[("PINTEREST_BASE_URL", SANDBOX_BASE_URL)]))),
        SANDBOX_BASE_URL
    );
    // Within one layer, the last call wins.
    assert_eq!(
        base(
            Client::builder()
                .environment(Environment::empty())
                .base_url("https://api.example.com/v5")
                .sandbox()
        ),
        SANDBOX_BASE_URL
    );
    assert_eq!(
        base(
            Client::builder()
                .environment(Environment::empty())
                .sandbox()
                .base_url("https://api.example.com/v5")
        ),
        "https://api.example.com/v5"
    );
    assert_eq!(SANDBOX_BASE_URL, "https://api-sandbox.pinterest.com/v5");
}

// ---------------------------------------------------------------------------------------------
// Timeouts
// ---------------------------------------------------------------------------------------------

#[test]
fn fractional_seconds_from_the_environment() {
    let _serial = serial();
    let config = build(Client::builder().environment(env(&[
        ("PINTEREST_TIMEOUT", "2.5"),
        ("PINTEREST_OPEN_TIMEOUT", "0.25"),
    ])));
    assert_eq!(config.timeout(), Duration::from_millis(2500));
    assert_eq!(config.open_timeout(), Duration::from_millis(250));
    let config = build(Client::builder().environment(env(&[("PINTEREST_TIMEOUT", " 45 ")])));
    assert_eq!(config.timeout(), Duration::from_secs(45));
}

/// The timeout reaches the HTTP client: a server slower than it gets a timeout error.
#[tokio::test(flavor = "multi_thread")]
async fn the_configured_timeout_is_applied() {
    let _serial = serial();
    let server = MockServer::start_async().await;
    let slow = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200)
                .header("content-type", "application/json")
                .body("{}")
                .delay(Duration::from_secs(5));
        })
        .await;
    let client = Client::builder()
        .environment(env(&[("PINTEREST_TIMEOUT", "0.3")]))
        .base_url(server.base_url())
        .access_token("tok")
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client
        .audiences()
        .find("123456", "789")
        .await
        .expect_err("the server is slower than the timeout");
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    slow.assert_calls_async(1).await;
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

#[test]
fn bad_environment_values_name_the_variable() {
    let _serial = serial();
    let message =
        |pairs: &[(&str, &str)]| build_error(Client::builder().environment(env(pairs))).to_string();
    assert_eq!(
        message(&[("PINTEREST_TIMEOUT", "abc")]),
        "PINTEREST_TIMEOUT=abc: expected a number of seconds such as 30 or 2.5"
    );
    assert_eq!(
        message(&[("PINTEREST_TIMEOUT", "30s")]),
        "PINTEREST_TIMEOUT=30s: expected a number of seconds such as 30 or 2.5"
    );
    assert_eq!(
        message(&[("PINTEREST_TIMEOUT", "-1")]),
        "PINTEREST_TIMEOUT=-1: must be greater than zero"
    );
    assert_eq!(
        message(&[("PINTEREST_OPEN_TIMEOUT", "0")]),
        "PINTEREST_OPEN_TIMEOUT=0: must be greater than zero"
    );
    assert_eq!(
        message(&[("PINTEREST_TIMEOUT", "inf")]),
        "PINTEREST_TIMEOUT=inf: is too large"
    );
    assert_eq!(
        message(&[("PINTEREST_BASE_URL", "http://api.example.com/v5")]),
        "PINTEREST_BASE_URL=http://api.example.com/v5: must use https \
         (plain http is only allowed for loopback test servers)"
    );
    assert_eq!(
        message(&[("PINTEREST_AUTH_URL", "https://auth.example.com/oauth/?x=1")]),
        "PINTEREST_AUTH_URL=https://auth.example.com/oauth/?x=1: \
         must not contain a query string or fragment"
    );
    assert_eq!(
        message(&[("PINTEREST_REDIRECT_URI", "/callback")]),
        "PINTEREST_REDIRECT_URI=/callback: is not a valid absolute URL (relative URL without a base)"
    );
    // Secrets and URLs with credentials are never echoed.
    assert_eq!(
        message(&[("PINTEREST_ACCESS_TOKEN", "pina_zzSECRETzz\n")]),
        "PINTEREST_ACCESS_TOKEN: contains characters not allowed in an HTTP header"
    );
    assert_eq!(
        message(&[(
            "PINTEREST_BASE_URL",
            "https://user:zzPASSWORDzz@api.example.com/v5"
        )]),
        "PINTEREST_BASE_URL: must not contain a user name or password"
    );

    let error = build_error(Client::builder().environment(env(&[("PINTEREST_TIMEOUT", "abc")])));
    match &error {
        Error::Config(config) => {
            assert_eq!(config.setting(), "timeout");
            assert_eq!(config.origin(), &Origin::Environment("PINTEREST_TIMEOUT"));
        }
        other => panic!("expected a Config error, got {other:?}"),
    }
    assert!(!format!("{error:?}").contains("zzSECRETzz"));
}

#[test]
fn bad_settings_name_the_setting_and_layer() {
    let _serial = serial();
    let error = build_error(
        Client::builder()
            .environment(Environment::empty())
            .timeout(Duration::ZERO),
    );
    assert_eq!(
        error.to_string(),
        "timeout (set on the client builder): must be greater than zero"
    );
    let error = build_error(
        Client::builder()
            .environment(Environment::empty())
            .access_token(""),
    );
    assert_eq!(
        error.to_string(),
        "access_token (set on the client builder): must not be empty"
    );
    let error = build_error(
        Client::builder()
            .environment(Environment::empty())
            .user_agent("my-app\n1.0"),
    );
    assert_eq!(
        error.to_string(),
        "user_agent=my-app\\n1.0 (set on the client builder): \
         contains characters not allowed in an HTTP header"
    );

    configure(|s| {
        s.open_timeout(Duration::ZERO);
    });
    let error = build_error(Client::builder().environment(Environment::empty()));
    assert_eq!(
        error.to_string(),
        "open_timeout (set by pinterest::configure): must be greater than zero"
    );
    match &error {
        Error::Config(config) => assert_eq!(config.origin(), &Origin::Global),
        other => panic!("expected a Config error, got {other:?}"),
    }
    // A good value above a bad one hides it.
    let config = build(
        Client::builder()
            .environment(Environment::empty())
            .open_timeout(Duration::from_secs(2)),
    );
    assert_eq!(config.open_timeout(), Duration::from_secs(2));
    reset_configuration();
    let config = build(
        Client::builder()
            .environment(env(&[
                ("PINTEREST_TIMEOUT", "abc"),
                ("PINTEREST_BASE_URL", "http://insecure.example.com"),
            ]))
            .timeout(Duration::from_secs(1))
            .base_url("https://api.example.com/v5"),
    );
    assert_eq!(config.timeout(), Duration::from_secs(1));
    assert_eq!(config.base_url().as_str(), "https://api.example.com/v5");
}

/// Sets every setting in the global layer, so `Client::new` reads nothing that matters from
/// the real process environment.
fn configure_everything(timeout: Duration, base_url: &str) {
    let base_url = base_url.to_owned();
    configure(move |s| {
        s.client_id("id-global")
            .client_secret("secret-global")
            .access_token("access-global")
            .refresh_token("refresh-global")
            .redirect_uri("https://app.example.com/callback")
            .base_url(base_url)
            .auth_url("https://auth.example.com/oauth/")
            .timeout(timeout)
            .open_timeout(Duration::from_secs(3))
            .user_agent("app-global/1");
    });
}

#[test]
fn client_new_reads_the_global_layer_and_fails_on_a_bad_value() {
    let _serial = serial();
    configure_everything(Duration::from_secs(12), "https://api.example.com/v5");
    let client = Client::new().expect("every setting is valid");
    let config = client.config();
    assert_eq!(config.client_id(), Some("id-global"));
    assert_eq!(
        secret(config.access_token()).as_deref(),
        Some("access-global")
    );
    assert_eq!(config.base_url().as_str(), "https://api.example.com/v5");
    assert_eq!(config.timeout(), Duration::from_secs(12));
    assert_eq!(config.open_timeout(), Duration::from_secs(3));
    assert_eq!(
        config.user_agent(),
        format!("app-global/1 {SDK_USER_AGENT}")
    );

    configure_everything(Duration::ZERO, "https://api.example.com/v5");
    let error = Client::new().expect_err("a zero timeout is refused");
    assert_eq!(error.kind(), ErrorKind::Config);
    assert!(matches!(error, Error::Config(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "timeout (set by pinterest::configure): must be greater than zero"
    );

    configure_everything(Duration::from_secs(12), "http://insecure.example.com/v5");
    let error = Client::new().expect_err("plain http to a remote host is refused");
    assert_eq!(error.kind(), ErrorKind::Config);
    assert_eq!(
        error.to_string(),
        "base_url=http://insecure.example.com/v5 (set by pinterest::configure): must use https \
         (plain http is only allowed for loopback test servers)"
    );
}
