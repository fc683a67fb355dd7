//! What every call puts on the wire (credentials, user agent, accept, content length), what
//! it refuses to send, and that secrets stay out of `Debug` output. Pinterest is mocked on
//! 127.0.0.1.

mod common;

use common::catch_all;
use httpmock::prelude::*;
use httpmock::{HttpMockRequest, HttpMockResponse};
use pinterest::models::{
    AudienceCreateRequest, AudienceRule, AudienceType, AudienceUpdateRequest,
    CustomerListUploadState, UserListOperationType,
};
use pinterest::{Client, ClientBuilder, Environment, Error, ErrorKind};
use serde_json::json;
use std::sync::{Arc, Mutex};

const SDK_USER_AGENT: &str = concat!("pinterest-ads/", env!("CARGO_PKG_VERSION"));

const AUDIENCE_PATH: &str = "/ad_accounts/123456/audiences/789";
const RUN_PATH: &str = "/ad_accounts/123456/customer_lists/2542/uploads/77/run";

fn audience_json() -> serde_json::Value {
    json!({
        "id": "789",
        "ad_account_id": "123456",
        "name": "Newsletter subscribers",
        "audience_type": "CUSTOMER_LIST",
        "size": 1200,
    })
}

fn upload_json() -> serde_json::Value {
    json!({
        "id": "77",
        "ad_account_id": "123456",
        "customer_list_id": "2542",
        "operation": "ADD",
        "state": "RUNNING",
        "creation_time": 1_700_000_000,
        "updated_time": 1_700_000_100,
    })
}

/// A client for the mock server that reads nothing from the process environment.
fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .environment(Environment::empty())
        .base_url(server.base_url())
}

/// `unwrap` that shows the body of an error answer: the catch-all names the unmatched request
/// there.
trait Explain<T> {
    fn explain(self) -> T;
}

impl<T> Explain<T> for pinterest::Result<T> {
    fn explain(self) -> T {
        self.unwrap_or_else(|error| {
            let body = error
                .api_error()
                .map(|api| api.body().as_str_lossy().into_owned())
                .unwrap_or_default();
            panic!("call failed: {error}\n{body}\n{error:?}")
        })
    }
}

/// Every request a mock answered, for checks no matcher expresses (how often a header occurs).
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<HttpMockRequest>>>);

impl Recorder {
    fn responder(
        &self,
        body: serde_json::Value,
    ) -> impl Fn(&HttpMockRequest) -> HttpMockResponse + Send + Sync + 'static {
        let seen = self.0.clone();
        move |req: &HttpMockRequest| {
            seen.lock().unwrap().push(req.clone());
            HttpMockResponse::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(body.to_string())
                .build()
        }
    }

    /// The values of header `name` in request `index`, in order.
    fn header(&self, index: usize, name: &str) -> Vec<String> {
        let seen = self.0.lock().unwrap();
        seen[index]
            .headers_vec()
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

#[tokio::test]
async fn a_call_sends_bearer_token_user_agent_and_accept() {
    let server = MockServer::start_async().await;
    let recorder = Recorder::default();
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(AUDIENCE_PATH)
                .header("authorization", "Bearer pina_TOKEN_under_test")
                .header("user-agent", SDK_USER_AGENT)
                .header("accept", "application/json")
                .header_missing("api-version");
            then.respond_with(recorder.responder(audience_json()));
        })
        .await;
    let unmatched = catch_all(&server).await;

    let client = builder(&server)
        .access_token("pina_TOKEN_under_test")
        .build()
        .unwrap();
    let audience = client.audiences().find("123456", "789").await.explain();

    assert_eq!(audience.status(), 200);
    assert_eq!(audience.id.as_deref(), Some("789"));
    assert_eq!(audience.name.as_deref(), Some("Newsletter subscribers"));
    assert_eq!(audience.size, Some(1200));
    mock.assert_calls_async(1).await;
    unmatched.assert_calls_async(0).await;

    // Each header exactly once: no second Accept (`*/*`) or Authorization.
    assert_eq!(recorder.count(), 1);
    assert_eq!(
        recorder.header(0, "authorization"),
        ["Bearer pina_TOKEN_under_test"]
    );
    assert_eq!(recorder.header(0, "user-agent"), [SDK_USER_AGENT]);
    assert_eq!(recorder.header(0, "accept"), ["application/json"]);
    assert!(recorder.header(0, "api-version").is_empty());
    // A GET has no body, so no Content-Length: 0 either.
    assert!(recorder.header(0, "content-length").is_empty());
}

/// Every call that authenticates with the access token, with what it sends.
#[tokio::test]
async fn every_bearer_call_sends_the_same_headers() {
    let server = MockServer::start_async().await;
    let user_agent = format!("myapp/1.0 {SDK_USER_AGENT}");
    let list_page = json!({ "items": [], "bookmark": null });
    let upload_created = json!({
        "customer_list_upload": upload_json(),
        "s3_multipart_upload_data": { "file_parts": [] },
    });
    let customer_list = json!({ "id": "2542", "name": "Subscribers", "status": "READY" });
    // (method, path, whether it has a body, answer)
    let calls = [
        (
            "GET",
            "/ad_accounts/123456/audiences",
            false,
            list_page.clone(),
        ),
        (
            "POST",
            "/ad_accounts/123456/audiences",
            true,
            audience_json(),
        ),
        ("GET", AUDIENCE_PATH, false, audience_json()),
        ("PATCH", AUDIENCE_PATH, true, audience_json()),
        (
            "GET",
            "/ad_accounts/123456/customer_lists",
            false,
            list_page,
        ),
        (
            "POST",
            "/ad_accounts/123456/customer_lists",
            true,
            customer_list.clone(),
        ),
        (
            "GET",
            "/ad_accounts/123456/customer_lists/2542",
            false,
            customer_list.clone(),
        ),
        (
            "PATCH",
            "/ad_accounts/123456/customer_lists/2542",
            true,
            customer_list,
        ),
        (
            "POST",
            "/ad_accounts/123456/customer_lists/2542/uploads",
            true,
            upload_created,
        ),
        ("POST", RUN_PATH, false, upload_json()),
        (
            "GET",
            "/ad_accounts/123456/customer_lists/2542/uploads/77",
            false,
            upload_json(),
        ),
        (
            "POST",
            "/oauth/conversion_token",
            false,
            json!({ "access_token": "conversion-token", "token_type": "conversion" }),
        ),
    ];
    let mut mocks = Vec::new();
    for (method, path, has_body, answer) in &calls {
        let mock = server
            .mock_async(|when, then| {
                let when = when
                    .method(*method)
                    .path(*path)
                    .header("authorization", "Bearer tok-every-call")
                    .header("user-agent", user_agent.as_str())
                    .header("accept", "application/json")
                    .header_missing("api-version");
                if *has_body {
                    when.header("content-type", "application/json");
                } else if *method == "POST" {
                    when.header("content-length", "0").body("");
                }
                then.status(200).json_body(answer.clone());
            })
            .await;
        mocks.push(mock);
    }
    let unmatched = catch_all(&server).await;

    let client = builder(&server)
        .access_token("tok-every-call")
        .user_agent("myapp/1.0")
        .build()
        .unwrap();
    let audiences = client.audiences();
    let lists = client.customer_lists();
    let uploads = client.customer_list_uploads();

    assert!(audiences.list("123456").await.explain().items.is_empty());
    let request = AudienceCreateRequest::builder()
        .name("Newsletter subscribers")
        .audience_type(AudienceType::CustomerList)
        .rule(AudienceRule {
            customer_list_id: Some("2542".into()),
            ..Default::default()
        });
    let created = audiences.create("123456", request).await.explain();
    assert_eq!(created.id.as_deref(), Some("789"));
    assert_eq!(
        audiences
            .find("123456", "789")
            .await
            .explain()
            .name
            .as_deref(),
        Some("Newsletter subscribers")
    );
    let rename = AudienceUpdateRequest {
        name: Some("Renamed".into()),
        ..Default::default()
    };
    audiences.update("123456", "789", rename).await.explain();
    assert!(lists.list("123456").await.explain().items.is_empty());
    let list = lists
        .create("123456", "Subscribers", ["a@example.com"])
        .await
        .explain();
    assert_eq!(list.id.as_deref(), Some("2542"));
    lists.find("123456", "2542").await.explain();
    lists
        .update(
            "123456",
            "2542",
            UserListOperationType::Add,
            ["b@example.com"],
        )
        .await
        .explain();
    let upload = uploads
        .create("123456", "2542", UserListOperationType::Add, 2)
        .await
        .explain();
    assert_eq!(upload.customer_list_upload.id, "77");
    uploads.run("123456", "2542", "77").await.explain();
    let found = uploads.find("123456", "2542", "77").await.explain();
    assert_eq!(found.state, CustomerListUploadState::Running);
    client.oauth().conversion_token().await.explain();

    for ((method, path, _, _), mock) in calls.iter().zip(&mocks) {
        assert_eq!(mock.calls_async().await, 1, "{method} {path}");
    }
    unmatched.assert_calls_async(0).await;
}

#[tokio::test]
async fn the_application_name_goes_before_the_sdk_in_the_user_agent() {
    let server = MockServer::start_async().await;
    let expected = format!("myapp/1.0 {SDK_USER_AGENT}");
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(AUDIENCE_PATH)
                .header("user-agent", expected.as_str())
                .header("authorization", "Bearer tok-ua");
            then.status(200).json_body(audience_json());
        })
        .await;
    let unmatched = catch_all(&server).await;

    let client = builder(&server)
        .access_token("tok-ua")
        .user_agent("myapp/1.0")
        .build()
        .unwrap();
    assert_eq!(client.config().user_agent(), expected);
    let audience = client.audiences().find("123456", "789").await.explain();
    assert_eq!(audience.id.as_deref(), Some("789"));
    mock.assert_calls_async(1).await;
    unmatched.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_body_less_post_carries_content_length_zero() {
    let server = MockServer::start_async().await;
    let recorder = Recorder::default();
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(RUN_PATH)
                .header("authorization", "Bearer tok-run")
                .header("content-length", "0")
                .header("accept", "application/json")
                .header_missing("api-version")
                .body("");
            then.respond_with(recorder.responder(upload_json()));
        })
        .await;
    let unmatched = catch_all(&server).await;

    let client = builder(&server).access_token("tok-run").build().unwrap();
    let upload = client
        .customer_list_uploads()
        .run("123456", "2542", "77")
        .await
        .explain();

    assert_eq!(upload.id, "77");
    assert_eq!(upload.state, CustomerListUploadState::Running);
    assert_eq!(upload.operation, UserListOperationType::Add);
    assert_eq!(upload.creation_time, 1_700_000_000);
    mock.assert_calls_async(1).await;
    unmatched.assert_calls_async(0).await;
    assert_eq!(recorder.header(0, "content-length"), ["0"]);
    assert!(recorder.header(0, "transfer-encoding").is_empty());
    assert_eq!(recorder.header(0, "user-agent"), [SDK_USER_AGENT]);
}

#[tokio::test]
async fn without_an_access_token_nothing_is_sent() {
    let server = MockServer::start_async().await;
    let unmatched = catch_all(&server).await;
    let client = builder(&server).build().unwrap();
    assert!(client.config().access_token().is_none());

    let error = client.audiences().find("123456", "789").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::MissingCredential);
    assert!(
        matches!(
            error,
            Error::MissingCredential {
                name: "access_token"
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.to_string(), "missing credential `access_token`");
    assert_eq!(error.status(), None);

    let error = client
        .customer_list_uploads()
        .run("123456", "2542", "77")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::MissingCredential);

    // A refresh token alone is not enough to get one: no client id or secret.
    let client = builder(&server)
        .refresh_token("refresh-only")
        .build()
        .unwrap();
    let error = client.audiences().find("123456", "789").await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::MissingCredential);

    unmatched.assert_calls_async(0).await;
}

#[tokio::test]
async fn debug_output_never_shows_secrets() {
    const SECRETS: [&str; 4] = [
        "zzACCESS-7f3a9c-SECRETzz",
        "zzREFRESH-1b2c3d-SECRETzz",
        "zzCLIENT-5e6f7a-SECRETzz",
        "zzREPLACED-9d8c7b-SECRETzz",
    ];
    let server = MockServer::start_async().await;
    let builder = builder(&server)
        .client_id("visible-client-id")
        .access_token(SECRETS[0])
        .refresh_token(SECRETS[1])
        .client_secret(SECRETS[2]);
    let mut shown = vec![format!("{builder:?}"), format!("{builder:#?}")];
    let client = builder.build().unwrap();
    shown.push(format!("{client:?}"));
    shown.push(format!("{client:#?}"));
    shown.push(format!("{:?}", client.config()));
    shown.push(format!("{:?}", client.audiences()));
    client.set_access_token(SECRETS[3]);
    shown.push(format!("{client:?}"));

    // From the environment layer too.
    let from_env = Client::builder().environment(Environment::from_pairs([
        ("PINTEREST_ACCESS_TOKEN", SECRETS[0]),
        ("PINTEREST_REFRESH_TOKEN", SECRETS[1]),
        ("PINTEREST_CLIENT_SECRET", SECRETS[2]),
    ]));
    shown.push(format!("{from_env:?}"));
    let client_from_env = from_env.build().unwrap();
    shown.push(format!("{client_from_env:?}"));
    shown.push(format!("{:?}", client_from_env.config()));

    for text in &shown {
        for secret in SECRETS {
            assert!(!text.contains(secret), "{secret} shown in {text}");
        }
        // The distinctive middle part alone must not leak either.
        assert!(!text.contains("SECRETzz"), "{text}");
    }
    // The output is still useful: it names what is set.
    assert!(shown[0].contains("visible-client-id"), "{}", shown[0]);
    assert!(shown[2].contains("visible-client-id"), "{}", shown[2]);
    assert!(shown[4].contains("<redacted>"), "{}", shown[4]);
}

#[tokio::test]
async fn set_access_token_changes_the_header_for_every_clone() {
    let server = MockServer::start_async().await;
    let old = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(AUDIENCE_PATH)
                .header("authorization", "Bearer tok-old");
            then.status(200).json_body(audience_json());
        })
        .await;
    let new = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(AUDIENCE_PATH)
                .header("authorization", "Bearer tok-new");
            then.status(200).json_body(audience_json());
        })
        .await;
    let unmatched = catch_all(&server).await;

    let client = builder(&server).access_token("tok-old").build().unwrap();
    client.audiences().find("123456", "789").await.explain();
    old.assert_calls_async(1).await;
    new.assert_calls_async(0).await;

    // Set on a clone; the original (and a resource handle made before) use it too.
    let audiences = client.audiences();
    client.clone().set_access_token("tok-new");
    client.audiences().find("123456", "789").await.explain();
    audiences.find("123456", "789").await.explain();
    old.assert_calls_async(1).await;
    new.assert_calls_async(2).await;
    unmatched.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_base_url_with_a_trailing_slash_or_a_prefix_works() {
    let server = MockServer::start_async().await;
    let plain = server
        .mock_async(|when, then| {
            when.method(GET).path(AUDIENCE_PATH);
            then.status(200).json_body(audience_json());
        })
        .await;
    let prefixed = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v5{AUDIENCE_PATH}"));
            then.status(200).json_body(audience_json());
        })
        .await;
    let unmatched = catch_all(&server).await;

    let with_slash = format!("{}/", server.base_url());
    let client = Client::builder()
        .environment(Environment::empty())
        .base_url(with_slash.as_str())
        .access_token("tok")
        .build()
        .unwrap();
    // Kept as given; only the requests drop the slash.
    assert_eq!(client.config().base_url().as_str(), with_slash);
    client.audiences().find("123456", "789").await.explain();
    plain.assert_calls_async(1).await;

    for base in [server.url("/v5"), server.url("/v5/")] {
        let client = Client::builder()
            .environment(Environment::empty())
            .base_url(base)
            .access_token("tok")
            .build()
            .unwrap();
        client.audiences().find("123456", "789").await.explain();
    }
    prefixed.assert_calls_async(2).await;
    unmatched.assert_calls_async(0).await;
}

#[test]
fn a_plain_http_base_url_is_refused_unless_loopback() {
    let error = Client::builder()
        .environment(Environment::empty())
        .base_url("http://api.example.com/v5")
        .access_token("tok")
        .build()
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Config);
    assert_eq!(
        error.to_string(),
        "base_url=http://api.example.com/v5 (set on the client builder): must use https \
         (plain http is only allowed for loopback test servers)"
    );
    match &error {
        Error::Config(config) => assert_eq!(config.setting(), "base_url"),
        other => panic!("expected a Config error, got {other:?}"),
    }

    // The same from the environment names the variable.
    let error = Client::builder()
        .environment(Environment::from_pairs([(
            "PINTEREST_BASE_URL",
            "http://10.1.2.3/v5",
        )]))
        .build()
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Config);
    assert!(
        error
            .to_string()
            .starts_with("PINTEREST_BASE_URL=http://10.1.2.3/v5: must use https"),
        "{error}"
    );

    for allowed in [
        "https://api.example.com/v5",
        "http://127.0.0.1:8080/v5",
        "http://localhost:3000",
        "http://[::1]:8080",
    ] {
        let client = Client::builder()
            .environment(Environment::empty())
            .base_url(allowed)
            .build();
        assert!(client.is_ok(), "{allowed}: {:?}", client.err());
    }
}
