//! The resource calls on the wire: for each of the 11 calls, what goes out (method, exact path,
//! exact query, headers, exact JSON body) and what comes back (the typed value decoded from a
//! realistic Pinterest answer). Also argument checks that stop a call before it is sent,
//! bookmark pagination and the response metadata.

mod common;

use common::catch_all;
use std::time::Duration;

use futures::StreamExt as _;
use httpmock::When;
use httpmock::prelude::*;
use pinterest::models::{
    AudienceCreateRequest, AudienceRule, AudienceType, AudienceUpdateOperationType,
    AudienceUpdateRequest, CustomerListStatus, CustomerListUploadState, Order, OwnershipType,
    UserListOperationType, UserListType,
};
use pinterest::{Client, Environment, Error, ErrorKind, RateLimitPolicy, RetryPolicy};
use serde_json::json;

const TOKEN: &str = "pina_test_access_token_not_real_0123456789";
const AD_ACCOUNT: &str = "549755885175";
const CUSTOMER_LIST: &str = "2542620905473";
const AUDIENCE: &str = "2542620905475";
const UPLOAD: &str = "6172038251";
const REQUEST_ID: &str = "5d8a1b2c3e4f5a6b";

/// A client for the mock server: no environment, no retries (one request per call).
fn client(server: &MockServer) -> Client {
    Client::builder()
        .environment(Environment::empty())
        .access_token(TOKEN)
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client builds")
}

/// What every API call sends: method, exact path, the bearer token, the SDK's user agent, and
/// no `api-version` header (progenitor adds one; the SDK must strip it).
fn api_call(when: When, method: Method, path: &str) -> When {
    when.method(method)
        .path(path.to_owned())
        .header("authorization", format!("Bearer {TOKEN}"))
        .header_includes("user-agent", "pinterest-ads/")
        .header("accept", "application/json")
        .header_missing("api-version")
}

/// The query string holds exactly these parameters (any order), nothing more.
fn exact_query(when: When, expected: &[(&str, &str)]) -> When {
    let mut expected: Vec<(String, String)> = expected
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    expected.sort();
    when.is_true(move |req: &HttpMockRequest| {
        let mut got = req.query_params();
        got.sort();
        got == expected
    })
}

/// A body-less request: no query, no body.
fn no_query_no_body(when: When) -> When {
    exact_query(when, &[]).is_true(|req: &HttpMockRequest| req.body_ref().is_empty())
}

/// A JSON request body equal to `body`, declared as JSON.
fn json_request(when: When, body: serde_json::Value) -> When {
    when.header("content-type", "application/json")
        .json_body(body)
}

/// Unwraps a call, showing the error (with the catch-all's description) when it failed.
fn ok<T>(result: pinterest::Result<T>) -> T {
    result.unwrap_or_else(|e| panic!("call failed: {e}\n{e:?}"))
}

fn audience_json(id: &str, name: &str, created: i64) -> serde_json::Value {
    json!({
        "ad_account_id": AD_ACCOUNT,
        "id": id,
        "name": name,
        "audience_type": "CUSTOMER_LIST",
        "description": "Customers who opted in to the newsletter",
        "rule": { "customer_list_id": CUSTOMER_LIST },
        "size": 12400,
        "status": "READY",
        "type": "audience",
        "created_timestamp": created,
        "updated_timestamp": created + 3600,
        "created_by_company_name": "Acme Outdoor Co."
    })
}

// ---------------------------------------------------------------------------------------------
// Audiences
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn audiences_list_sends_every_query_parameter_and_decodes_the_page() {
    let server = MockServer::start_async().await;
    let list = server
        .mock_async(|when, then| {
            api_call(when, GET, "/ad_accounts/549755885175/audiences")
                .and(|w| {
                    exact_query(
                        w,
                        &[
                            ("bookmark", "Y2JVSG81V2sx|MTA2ODI=|"),
                            ("page_size", "50"),
                            ("order", "DESCENDING"),
                            ("ownership_type", "RECEIVED"),
                        ],
                    )
                })
                .is_true(|req: &HttpMockRequest| req.body_ref().is_empty());
            then.status(200)
                .header("content-type", "application/json")
                .header("x-pinterest-rid", REQUEST_ID)
                .json_body(json!({
                    "items": [
                        audience_json("2542620905475", "Newsletter subscribers", 1_654_016_542),
                        audience_json("2542620905476", "Lapsed buyers", 1_654_102_942),
                    ],
                    "bookmark": "Y2JVSG81V2sx|MTA2ODM=|"
                }));
        })
        .await;
    let fallback = catch_all(&server).await;

    let page = ok(client(&server)
        .audiences()
        .list(AD_ACCOUNT)
        .bookmark("Y2JVSG81V2sx|MTA2ODI=|")
        .page_size(50)
        .order(Order::Descending)
        .ownership_type(OwnershipType::Received)
        .await);

    list.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.request_id(), Some(REQUEST_ID));
    assert_eq!(page.bookmark.as_deref(), Some("Y2JVSG81V2sx|MTA2ODM=|"));
    assert!(page.has_next());
    assert_eq!(page.items.len(), 2);
    let first = &page.items[0];
    assert_eq!(first.id.as_deref(), Some("2542620905475"));
    assert_eq!(first.ad_account_id.as_deref(), Some(AD_ACCOUNT));
    assert_eq!(first.name.as_deref(), Some("Newsletter subscribers"));
    assert_eq!(first.audience_type.as_deref(), Some("CUSTOMER_LIST"));
    assert_eq!(first.size, Some(12400));
    assert_eq!(first.status.as_deref(), Some("READY"));
    assert_eq!(first.type_.as_deref(), Some("audience"));
    assert_eq!(first.created_timestamp, Some(1_654_016_542));
    assert_eq!(first.updated_timestamp, Some(1_654_020_142));
    assert_eq!(
        first
            .rule
            .as_ref()
            .and_then(|r| r.customer_list_id.as_deref()),
        Some(CUSTOMER_LIST)
    );
    let second = &page.items[1];
    assert_eq!(second.id.as_deref(), Some("2542620905476"));
    assert_eq!(second.name.as_deref(), Some("Lapsed buyers"));
}

#[tokio::test]
async fn audiences_list_without_options_sends_no_query() {
    let server = MockServer::start_async().await;
    let list = server
        .mock_async(|when, then| {
            api_call(when, GET, "/ad_accounts/549755885175/audiences").and(no_query_no_body);
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({ "items": [], "bookmark": null }));
        })
        .await;
    let fallback = catch_all(&server).await;

    let page = ok(client(&server).audiences().list(AD_ACCOUNT).await);

    list.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
    assert!(page.items.is_empty());
    assert_eq!(page.bookmark, None);
    assert!(!page.has_next());
}

#[tokio::test]
async fn audiences_create_posts_the_exact_body() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            api_call(when, POST, "/ad_accounts/549755885175/audiences")
                .and(|w| exact_query(w, &[]))
                .and(|w| {
                    json_request(
                        w,
                        json!({
                            "name": "Newsletter subscribers",
                            "audience_type": "CUSTOMER_LIST",
                            "description": "Customers who opted in to the newsletter",
                            "rule": { "customer_list_id": CUSTOMER_LIST }
                        }),
                    )
                });
            then.status(200)
                .header("content-type", "application/json")
                .header("x-pinterest-rid", REQUEST_ID)
                .json_body(audience_json(
                    AUDIENCE,
                    "Newsletter subscribers",
                    1_700_000_000,
                ));
        })
        .await;
    let fallback = catch_all(&server).await;

    let request = AudienceCreateRequest::builder()
        .name("Newsletter subscribers")
        .audience_type(AudienceType::CustomerList)
        .description("Customers who opted in to the newsletter".to_owned())
        .rule(AudienceRule {
            customer_list_id: Some(CUSTOMER_LIST.into()),
            ..Default::default()
        });
    let audience = ok(client(&server)
        .audiences()
        .create(AD_ACCOUNT, request)
        .await);

    create.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
    assert_eq!(audience.request_id(), Some(REQUEST_ID));
    assert_eq!(audience.id.as_deref(), Some(AUDIENCE));
    assert_eq!(audience.name.as_deref(), Some("Newsletter subscribers"));
    assert_eq!(audience.created_timestamp, Some(1_700_000_000));
    assert_eq!(audience.updated_timestamp, Some(1_700_003_600));
    assert_eq!(
        audience.created_by_company_name.as_deref(),
        Some("Acme Outdoor Co.")
    );
}

#[tokio::test]
async fn audiences_find_gets_one_audience_and_ignores_unknown_fields() {
    let server = MockServer::start_async().await;
    let find = server
        .mock_async(|when, then| {
            api_call(
                when,
                GET,
                "/ad_accounts/549755885175/audiences/2542620905475",
            )
            .and(no_query_no_body);
            let mut body = audience_json(AUDIENCE, "Newsletter subscribers", 1_654_016_542);
            body["sharing_type"] = json!("OWNED");
            body["rule"]["visitor_source_id"] = json!("2542620999999");
            body["rule"]["brand_new_rule_field"] = json!({ "nested": [1, 2, 3] });
            then.status(200)
                .header("content-type", "application/json")
                .json_body(body);
        })
        .await;
    let fallback = catch_all(&server).await;

    let audience = ok(client(&server).audiences().find(AD_ACCOUNT, AUDIENCE).await);

    find.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
    assert_eq!(audience.id.as_deref(), Some(AUDIENCE));
    assert_eq!(
        audience.description.as_deref(),
        Some("Customers who opted in to the newsletter")
    );
    let rule = audience.rule.as_ref().expect("rule");
    assert_eq!(rule.customer_list_id.as_deref(), Some(CUSTOMER_LIST));
    assert_eq!(rule.visitor_source_id.as_deref(), Some("2542620999999"));
}

#[tokio::test]
async fn audiences_update_patches_the_exact_body() {
    let server = MockServer::start_async().await;
    let update = server
        .mock_async(|when, then| {
            api_call(
                when,
                PATCH,
                "/ad_accounts/549755885175/audiences/2542620905475",
            )
            .and(|w| exact_query(w, &[]))
            .and(|w| {
                json_request(
                    w,
                    json!({
                        "name": "Newsletter subscribers (2024)",
                        "description": "Renamed for the 2024 campaigns",
                        "operation_type": "UPDATE"
                    }),
                )
            });
            let mut body = audience_json(AUDIENCE, "Newsletter subscribers (2024)", 1_654_016_542);
            body["description"] = json!("Renamed for the 2024 campaigns");
            body["updated_timestamp"] = json!(1_706_745_600);
            then.status(200)
                .header("content-type", "application/json")
                .json_body(body);
        })
        .await;
    let fallback = catch_all(&server).await;

    let rename = AudienceUpdateRequest {
        name: Some("Newsletter subscribers (2024)".into()),
        description: Some("Renamed for the 2024 campaigns".into()),
        operation_type: Some(AudienceUpdateOperationType::Update),
        ..Default::default()
    };
    let audience = ok(client(&server)
        .audiences()
        .update(AD_ACCOUNT, AUDIENCE, rename)
        .await);

    update.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
    assert_eq!(
        audience.name.as_deref(),
        Some("Newsletter subscribers (2024)")
    );
    assert_eq!(
        audience.description.as_deref(),
        Some("Renamed for the 2024 campaigns")
    );
    assert_eq!(audience.updated_timestamp, Some(1_706_745_600));
}

// ---------------------------------------------------------------------------------------------
// Customer lists
// ---------------------------------------------------------------------------------------------

fn customer_list_json(id: &str, name: &str, status: &str) -> serde_json::Value {
    json!({
        "ad_account_id": AD_ACCOUNT,
        "id": id,
        "name": name,
        "created_time": 1_452_208_622,
        "updated_time": 1_461_269_616,
        "num_batches": 2,
        "num_removed_user_records": 10,
        "num_uploaded_user_records": 20480,
        "status": status,
        "type": "customerlist",
        "exceptions": {}
    })
}

#[tokio::test]
async fn customer_lists_list_sends_its_query_and_decodes_the_page() {
    let server = MockServer::start_async().await;
    let list = server
        .mock_async(|when, then| {
            api_call(when, GET, "/ad_accounts/549755885175/customer_lists")
                .and(|w| {
                    exact_query(
                        w,
                        &[
                            ("bookmark", "b2Zmc2V0PTI1"),
                            ("page_size", "250"),
                            ("order", "ASCENDING"),
                        ],
                    )
                })
                .is_true(|req: &HttpMockRequest| req.body_ref().is_empty());
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({
                    "items": [
                        customer_list_json("2542620905473", "Newsletter subscribers", "READY"),
                        customer_list_json("2542620905474", "VIP customers", "PROCESSING"),
                    ],
                    "bookmark": ""
                }));
        })
        .await;
    let fallback = catch_all(&server).await;

    let page = ok(client(&server)
        .customer_lists()
        .list(AD_ACCOUNT)
        .bookmark("b2Zmc2V0PTI1")
        .page_size(250)
        .order(Order::Ascending)
        .await);

    list.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
    // An empty-string bookmark means "last page".
    assert_eq!(page.bookmark, None);
    assert_eq!(page.items.len(), 2);
    let first = &page.items[0];
    assert_eq!(first.id.as_deref(), Some("2542620905473"));
    assert_eq!(first.name.as_deref(), Some("Newsletter subscribers"));
    assert_eq!(first.status, Some(CustomerListStatus::Ready));
    assert_eq!(first.created_time, Some(1_452_208_622.0));
    assert_eq!(first.updated_time, Some(1_461_269_616.0));
    assert_eq!(first.num_batches, Some(2.0));
    assert_eq!(first.num_removed_user_records, Some(10.0));
    assert_eq!(first.num_uploaded_user_records, Some(20480.0));
    assert_eq!(first.type_.as_deref(), Some("customerlist"));
    assert_eq!(page.items[1].status, Some(CustomerListStatus::Processing));
}

#[tokio::test]
async fn customer_lists_create_joins_the_records_into_one_string() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            api_call(when, POST, "/ad_accounts/549755885175/customer_lists")
                .and(|w| exact_query(w, &[]))
                .and(|w| {
                    json_request(
                        w,
                        json!({
                            "name": "Newsletter subscribers",
                            "records": "alice@example.com,bob@example.com,carol@example.com",
                            "list_type": "EMAIL"
                        }),
                    )
                });
            then.status(200)
                .header("content-type", "application/json")
                .json_body(customer_list_json(
                    CUSTOMER_LIST,
                    "Newsletter subscribers",
                    "PROCESSING",
                ));
        })
        .await;
    let fallback = catch_all(&server).await;

    let records = vec![
        "alice@example.com".to_owned(),
        "bob@example.com".to_owned(),
        "carol@example.com".to_owned(),
    ];
    let list = ok(client(&server)
        .customer_lists()
        .create(AD_ACCOUNT, "Newsletter subscribers", records)
        .list_type(UserListType::Email)
        .await);

    create.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
    assert_eq!(list.id.as_deref(), Some(CUSTOMER_LIST));
    assert_eq!(list.status, Some(CustomerListStatus::Processing));
}

#[tokio::test]
async fn customer_lists_create_sends_a_single_string_unchanged_and_omits_list_type() {
    let server = MockServer::start_async().await;
    let hashed = "c160f8cc69a4f0bf2b0362752353d060,6a4a0f6f3f1b2b3f0c5f7b1d8b1e6c2a";
    let create = server
        .mock_async(|when, then| {
            api_call(when, POST, "/ad_accounts/549755885175/customer_lists")
                .and(|w| exact_query(w, &[]))
                .and(|w| json_request(w, json!({ "name": "Hashed emails", "records": hashed })));
            then.status(200)
                .header("content-type", "application/json")
                .json_body(customer_list_json(
                    CUSTOMER_LIST,
                    "Hashed emails",
                    "PROCESSING",
                ));
        })
        .await;
    let fallback = catch_all(&server).await;

    let list = ok(client(&server)
        .customer_lists()
        .create(AD_ACCOUNT, "Hashed emails", hashed)
        .await);

    create.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
    assert_eq!(list.name.as_deref(), Some("Hashed emails"));
}

#[tokio::test]
async fn customer_lists_find_keeps_an_unlisted_status_and_ignores_unknown_fields() {
    let server = MockServer::start_async().await;
    let find = server
        .mock_async(|when, then| {
            api_call(
                when,
                GET,
                "/ad_accounts/549755885175/customer_lists/2542620905473",
            )
            .and(no_query_no_body);
            let mut body =
                customer_list_json(CUSTOMER_LIST, "Newsletter subscribers", "PAUSED_FOR_REVIEW");
            body["review_reason"] = json!("POLICY_CHECK");
            body["match_rate"] = json!({ "estimate": 0.62, "updated_time": 1_461_269_700 });
            then.status(200)
                .header("content-type", "application/json")
                .json_body(body);
        })
        .await;
    let fallback = catch_all(&server).await;

    let list = ok(client(&server)
        .customer_lists()
        .find(AD_ACCOUNT, CUSTOMER_LIST)
        .await);

    find.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
    let status = list.status.clone().expect("status");
    assert_eq!(
        status,
        CustomerListStatus::Unknown("PAUSED_FOR_REVIEW".into())
    );
    assert!(status.is_unknown());
    assert_eq!(status.as_str(), "PAUSED_FOR_REVIEW");
    assert_eq!(list.id.as_deref(), Some(CUSTOMER_LIST));
    assert_eq!(list.num_uploaded_user_records, Some(20480.0));
    assert_eq!(list.exceptions.as_ref().map(|e| e.len()), Some(0));
}

#[tokio::test]
async fn customer_lists_update_sends_operation_and_records() {
    let server = MockServer::start_async().await;
    let update = server
        .mock_async(|when, then| {
            api_call(
                when,
                PATCH,
                "/ad_accounts/549755885175/customer_lists/2542620905473",
            )
            .and(|w| exact_query(w, &[]))
            .and(|w| {
                json_request(
                    w,
                    json!({
                        "operation_type": "REMOVE",
                        "records": "dave@example.com,erin@example.com"
                    }),
                )
            });
            let mut body = customer_list_json(CUSTOMER_LIST, "Newsletter subscribers", "READY");
            body["num_removed_user_records"] = json!(12);
            then.status(200)
                .header("content-type", "application/json")
                .json_body(body);
        })
        .await;
    let fallback = catch_all(&server).await;

    let list = ok(client(&server)
        .customer_lists()
        .update(
            AD_ACCOUNT,
            CUSTOMER_LIST,
            UserListOperationType::Remove,
            ["dave@example.com", "erin@example.com"],
        )
        .await);

    update.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
    assert_eq!(list.num_removed_user_records, Some(12.0));
    assert_eq!(list.status, Some(CustomerListStatus::Ready));
}

#[tokio::test]
async fn customer_lists_update_sends_a_single_string_unchanged() {
    let server = MockServer::start_async().await;
    let update = server
        .mock_async(|when, then| {
            api_call(
                when,
                PATCH,
                "/ad_accounts/549755885175/customer_lists/2542620905473",
            )
            .and(|w| exact_query(w, &[]))
            .and(|w| {
                json_request(
                    w,
                    json!({
                        "operation_type": "ADD",
                        "records": "frank@example.com, grace@example.com"
                    }),
                )
            });
            then.status(200)
                .header("content-type", "application/json")
                .json_body(customer_list_json(
                    CUSTOMER_LIST,
                    "Newsletter subscribers",
                    "UPLOADING",
                ));
        })
        .await;
    let fallback = catch_all(&server).await;

    let list = ok(client(&server)
        .customer_lists()
        .update(
            AD_ACCOUNT,
            CUSTOMER_LIST,
            UserListOperationType::Add,
            "frank@example.com, grace@example.com".to_owned(),
        )
        .await);

    update.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
    assert_eq!(list.status, Some(CustomerListStatus::Uploading));
}

// ---------------------------------------------------------------------------------------------
// Customer list uploads
// ---------------------------------------------------------------------------------------------

fn presigned(part: u32) -> String {
    format!(
        "https://pinterest-customer-list-uploads.s3.amazonaws.com/549755885175/2542620905473/6172038251?\
         partNumber={part}&uploadId=VXBsb2FkSWQtNjE3MjAzODI1MQ&X-Amz-Algorithm=AWS4-HMAC-SHA256\
         &X-Amz-Credential=AKIAEXAMPLE%2F20240201%2Fus-east-1%2Fs3%2Faws4_request\
         &X-Amz-Date=20240201T120000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\
         &X-Amz-Signature=0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f{part}"
    )
}

#[tokio::test]
async fn uploads_create_posts_operation_and_parts_and_decodes_presigned_urls() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            api_call(
                when,
                POST,
                "/ad_accounts/549755885175/customer_lists/2542620905473/uploads",
            )
            .and(|w| exact_query(w, &[]))
            .and(|w| json_request(w, json!({ "operation": "ADD", "total_parts": 3 })));
            then.status(200)
                .header("content-type", "application/json")
                .header("x-pinterest-rid", REQUEST_ID)
                .json_body(json!({
                    "customer_list_upload": {
                        "id": UPLOAD,
                        "ad_account_id": AD_ACCOUNT,
                        "customer_list_id": CUSTOMER_LIST,
                        "operation": "ADD",
                        "state": "NOT_STARTED",
                        "creation_time": 1_706_788_800,
                        "updated_time": 1_706_788_800
                    },
                    "s3_multipart_upload_data": {
                        "file_parts": [
                            { "part_number": 1, "presigned_url": presigned(1) },
                            { "part_number": 2, "presigned_url": presigned(2) },
                            { "part_number": 3, "presigned_url": presigned(3) }
                        ]
                    }
                }));
        })
        .await;
    let fallback = catch_all(&server).await;

    let created = ok(client(&server)
        .customer_list_uploads()
        .create(AD_ACCOUNT, CUSTOMER_LIST, UserListOperationType::Add, 3)
        .await);

    create.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
    assert_eq!(created.request_id(), Some(REQUEST_ID));
    let upload = &created.customer_list_upload;
    assert_eq!(upload.id, UPLOAD);
    assert_eq!(upload.ad_account_id, AD_ACCOUNT);
    assert_eq!(upload.customer_list_id, CUSTOMER_LIST);
    assert_eq!(upload.operation, UserListOperationType::Add);
    assert_eq!(upload.state, CustomerListUploadState::NotStarted);
    assert_eq!(upload.creation_time, 1_706_788_800);
    assert_eq!(upload.updated_time, 1_706_788_800);
    assert!(upload.record_counts.is_none());
    assert!(upload.error_counts.is_none());
    let parts: Vec<(i64, &str)> = created
        .s3_multipart_upload_data
        .file_parts
        .iter()
        .map(|p| (p.part_number, p.presigned_url.as_str()))
        .collect();
    let (one, two, three) = (presigned(1), presigned(2), presigned(3));
    assert_eq!(
        parts,
        vec![(1, one.as_str()), (2, two.as_str()), (3, three.as_str())]
    );
}

#[tokio::test]
async fn uploads_run_posts_no_body_with_content_length_zero() {
    let server = MockServer::start_async().await;
    let run = server
        .mock_async(|when, then| {
            api_call(
                when,
                POST,
                "/ad_accounts/549755885175/customer_lists/2542620905473/uploads/6172038251/run",
            )
            .and(no_query_no_body)
            .header("content-length", "0")
            .header_missing("content-type")
            .header_missing("transfer-encoding");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({
                    "id": UPLOAD,
                    "ad_account_id": AD_ACCOUNT,
                    "customer_list_id": CUSTOMER_LIST,
                    "operation": "REMOVE",
                    "state": "RUNNING",
                    "creation_time": 1_706_788_800,
                    "updated_time": 1_706_789_100,
                    "record_counts": { "valid": 0, "invalid": 0, "processed": 0 }
                }));
        })
        .await;
    let fallback = catch_all(&server).await;

    let upload = ok(client(&server)
        .customer_list_uploads()
        .run(AD_ACCOUNT, CUSTOMER_LIST, UPLOAD)
        .await);

    run.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
    assert_eq!(upload.id, UPLOAD);
    assert_eq!(upload.operation, UserListOperationType::Remove);
    assert_eq!(upload.state, CustomerListUploadState::Running);
    assert_eq!(upload.updated_time, 1_706_789_100);
    let counts = upload.record_counts.as_ref().expect("record_counts");
    assert_eq!((counts.valid, counts.invalid, counts.processed), (0, 0, 0));
}

#[tokio::test]
async fn uploads_find_keeps_an_unlisted_state_and_decodes_the_counts() {
    let server = MockServer::start_async().await;
    let find = server
        .mock_async(|when, then| {
            api_call(
                when,
                GET,
                "/ad_accounts/549755885175/customer_lists/2542620905473/uploads/6172038251",
            )
            .and(no_query_no_body);
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({
                    "id": UPLOAD,
                    "ad_account_id": AD_ACCOUNT,
                    "customer_list_id": CUSTOMER_LIST,
                    "operation": "ADD",
                    "state": "ARCHIVED",
                    "creation_time": 1_706_788_800,
                    "updated_time": 1_706_792_400,
                    "record_counts": { "valid": 98_012, "invalid": 1_988, "processed": 100_000 },
                    "error_counts": [
                        { "error_code": 1, "message": "Invalid email format", "count": 1_500 },
                        { "error_code": 7, "message": "Email must be lowercase", "count": 488 }
                    ],
                    "archived_time": 1_706_800_000,
                    "s3_key": "uploads/549755885175/6172038251.csv",
                    "processing_details": { "shards": 4, "retries": [] }
                }));
        })
        .await;
    let fallback = catch_all(&server).await;

    let upload = ok(client(&server)
        .customer_list_uploads()
        .find(AD_ACCOUNT, CUSTOMER_LIST, UPLOAD)
        .await);

    find.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
    assert_eq!(
        upload.state,
        CustomerListUploadState::Unknown("ARCHIVED".into())
    );
    assert!(upload.state.is_unknown());
    assert_eq!(upload.state.to_string(), "ARCHIVED");
    assert_eq!(upload.id, UPLOAD);
    assert_eq!(upload.creation_time, 1_706_788_800);
    assert_eq!(upload.updated_time, 1_706_792_400);
    let counts = upload.record_counts.as_ref().expect("record_counts");
    assert_eq!(
        (counts.valid, counts.invalid, counts.processed),
        (98_012, 1_988, 100_000)
    );
    let errors: Vec<(i64, &str, i64)> = upload
        .error_counts
        .as_ref()
        .expect("error_counts")
        .iter()
        .map(|e| (e.error_code, e.message.as_str(), e.count))
        .collect();
    assert_eq!(
        errors,
        vec![
            (1, "Invalid email format", 1_500),
            (7, "Email must be lowercase", 488)
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Arguments rejected before sending
// ---------------------------------------------------------------------------------------------

/// Awaits `$call` and checks it failed with `InvalidArgument { name: $name, reason: $reason }`.
macro_rules! rejected {
    ($call:expr, $name:expr, $reason:expr $(,)?) => {{
        let what = stringify!($call);
        match $call.await {
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{what}: {e}");
                assert_eq!(e.status(), None, "{what}");
                match e {
                    Error::InvalidArgument { name, reason } => {
                        assert_eq!((name, reason.as_str()), ($name, $reason), "{what}")
                    }
                    other => panic!("{what}: expected InvalidArgument, got {other:?}"),
                }
            }
            Ok(value) => panic!("{what}: expected InvalidArgument, got {value:?}"),
        }
    }};
}

const DIGITS_DOTS: &str = "must contain only digits, got \"..\"";
const DIGITS_12A: &str = "must contain only digits, got \"12a\"";
const EMPTY: &str = "must not be empty";

#[tokio::test]
async fn invalid_ids_are_rejected_before_sending() {
    let server = MockServer::start_async().await;
    let fallback = catch_all(&server).await;
    let c = client(&server);
    let (a, l, u) = (AD_ACCOUNT, CUSTOMER_LIST, UPLOAD);
    let add = UserListOperationType::Add;
    let rename = || AudienceUpdateRequest {
        name: Some("Renamed".into()),
        ..Default::default()
    };
    let create_request = || AudienceCreateRequest {
        ad_account_id: None,
        audience_type: AudienceType::CustomerList,
        description: None,
        name: "Subscribers".into(),
        rule: AudienceRule::default(),
    };

    for (bad, reason) in [("..", DIGITS_DOTS), ("12a", DIGITS_12A), ("", EMPTY)] {
        // ad_account_id, checked by every call.
        rejected!(c.audiences().list(bad), "ad_account_id", reason);
        rejected!(
            c.audiences().create(bad, create_request()),
            "ad_account_id",
            reason
        );
        rejected!(c.audiences().find(bad, AUDIENCE), "ad_account_id", reason);
        rejected!(
            c.audiences().update(bad, AUDIENCE, rename()),
            "ad_account_id",
            reason
        );
        rejected!(c.customer_lists().list(bad), "ad_account_id", reason);
        rejected!(
            c.customer_lists()
                .create(bad, "Subscribers", "a@example.com"),
            "ad_account_id",
            reason
        );
        rejected!(c.customer_lists().find(bad, l), "ad_account_id", reason);
        rejected!(
            c.customer_lists()
                .update(bad, l, add.clone(), "a@example.com"),
            "ad_account_id",
            reason
        );
        rejected!(
            c.customer_list_uploads().create(bad, l, add.clone(), 1),
            "ad_account_id",
            reason
        );
        rejected!(
            c.customer_list_uploads().run(bad, l, u),
            "ad_account_id",
            reason
        );
        rejected!(
            c.customer_list_uploads().find(bad, l, u),
            "ad_account_id",
            reason
        );

        // The other ids.
        rejected!(c.audiences().find(a, bad), "audience_id", reason);
        rejected!(
            c.audiences().update(a, bad, rename()),
            "audience_id",
            reason
        );
        rejected!(c.customer_lists().find(a, bad), "customer_list_id", reason);
        rejected!(
            c.customer_lists()
                .update(a, bad, add.clone(), "a@example.com"),
            "customer_list_id",
            reason
        );
        rejected!(
            c.customer_list_uploads().create(a, bad, add.clone(), 1),
            "customer_list_id",
            reason
        );
        rejected!(
            c.customer_list_uploads().run(a, bad, u),
            "customer_list_id",
            reason
        );
        rejected!(
            c.customer_list_uploads().find(a, bad, u),
            "customer_list_id",
            reason
        );
        rejected!(
            c.customer_list_uploads().run(a, l, bad),
            "customer_list_upload_id",
            reason
        );
        rejected!(
            c.customer_list_uploads().find(a, l, bad),
            "customer_list_upload_id",
            reason
        );
    }
    // More than 18 digits cannot be a Pinterest id.
    rejected!(
        c.audiences().find(a, "1234567890123456789"),
        "audience_id",
        "must have at most 18 digits, got 19"
    );

    fallback.assert_calls_async(0).await;
}

#[tokio::test]
async fn out_of_range_numbers_are_rejected_before_sending() {
    let server = MockServer::start_async().await;
    let fallback = catch_all(&server).await;
    let c = client(&server);
    let add = UserListOperationType::Add;

    for size in [0, 251] {
        let reason = format!("must be between 1 and 250, got {size}");
        rejected!(
            c.audiences().list(AD_ACCOUNT).page_size(size),
            "page_size",
            reason.as_str()
        );
        rejected!(
            c.customer_lists().list(AD_ACCOUNT).page_size(size),
            "page_size",
            reason.as_str()
        );
    }
    for parts in [0, 11] {
        let reason = format!("must be between 1 and 10, got {parts}");
        rejected!(
            c.customer_list_uploads()
                .create(AD_ACCOUNT, CUSTOMER_LIST, add.clone(), parts),
            "total_parts",
            reason.as_str()
        );
    }

    fallback.assert_calls_async(0).await;
}

#[tokio::test]
async fn blank_names_and_empty_records_are_rejected_before_sending() {
    let server = MockServer::start_async().await;
    let fallback = catch_all(&server).await;
    let c = client(&server);
    let add = UserListOperationType::Add;

    for blank in ["", "   "] {
        let request = AudienceCreateRequest {
            ad_account_id: None,
            audience_type: AudienceType::CustomerList,
            description: None,
            name: blank.into(),
            rule: AudienceRule {
                customer_list_id: Some(CUSTOMER_LIST.into()),
                ..Default::default()
            },
        };
        rejected!(c.audiences().create(AD_ACCOUNT, request), "name", EMPTY);
        let rename = AudienceUpdateRequest {
            name: Some(blank.into()),
            ..Default::default()
        };
        rejected!(
            c.audiences().update(AD_ACCOUNT, AUDIENCE, rename),
            "name",
            EMPTY
        );
        rejected!(
            c.customer_lists()
                .create(AD_ACCOUNT, blank, "a@example.com"),
            "name",
            EMPTY
        );
    }

    let no_record = "must hold at least one record";
    rejected!(
        c.customer_lists().create(AD_ACCOUNT, "Subscribers", ""),
        "records",
        no_record
    );
    rejected!(
        c.customer_lists()
            .create(AD_ACCOUNT, "Subscribers", Vec::<String>::new()),
        "records",
        no_record
    );
    rejected!(
        c.customer_lists()
            .update(AD_ACCOUNT, CUSTOMER_LIST, add.clone(), " , ,"),
        "records",
        no_record
    );
    rejected!(
        c.customer_lists()
            .update(AD_ACCOUNT, CUSTOMER_LIST, add.clone(), Vec::<&str>::new()),
        "records",
        no_record
    );
    rejected!(
        c.customer_lists().update(
            AD_ACCOUNT,
            CUSTOMER_LIST,
            add.clone(),
            ["a@example.com", "b@example.com,c@example.com"],
        ),
        "records",
        "a record contains a comma, which would split it in two"
    );

    // A builder missing a required field fails as the `request` argument.
    let incomplete = AudienceCreateRequest::builder()
        .name("Subscribers")
        .audience_type(AudienceType::CustomerList);
    rejected!(
        c.audiences().create(AD_ACCOUNT, incomplete),
        "request",
        "no value supplied for rule"
    );

    fallback.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_stream_with_an_invalid_id_yields_the_error_and_ends() {
    let server = MockServer::start_async().await;
    let fallback = catch_all(&server).await;

    let results: Vec<_> = client(&server)
        .audiences()
        .list("..")
        .stream()
        .collect()
        .await;

    assert_eq!(results.len(), 1);
    let e = results[0].as_ref().expect_err("invalid id");
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        e.to_string(),
        format!("invalid argument `ad_account_id`: {DIGITS_DOTS}")
    );
    fallback.assert_calls_async(0).await;
}

// ---------------------------------------------------------------------------------------------
// Pagination
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn stream_walks_every_page_in_order_sending_each_bookmark() {
    let server = MockServer::start_async().await;
    let page =
        |bookmark: Option<&'static str>, ids: &'static [&'static str], next: serde_json::Value| {
            let server = &server;
            async move {
                server
                    .mock_async(move |when, then| {
                        let mut query = vec![("page_size", "2"), ("order", "ASCENDING")];
                        if let Some(b) = bookmark {
                            query.push(("bookmark", b));
                        }
                        api_call(when, GET, "/ad_accounts/549755885175/audiences")
                            .and(|w| exact_query(w, &query));
                        let items: Vec<_> = ids
                            .iter()
                            .map(|id| audience_json(id, &format!("Audience {id}"), 1_654_016_542))
                            .collect();
                        then.status(200)
                            .header("content-type", "application/json")
                            .json_body(json!({ "items": items, "bookmark": next }));
                    })
                    .await
            }
        };
    let first = page(None, &["101", "102"], json!("Ym9va21hcmstMg==")).await;
    let second = page(
        Some("Ym9va21hcmstMg=="),
        &["103", "104"],
        json!("Ym9va21hcmstMw=="),
    )
    .await;
    let third = page(Some("Ym9va21hcmstMw=="), &["105"], json!(null)).await;
    let fallback = catch_all(&server).await;

    let stream = client(&server)
        .audiences()
        .list(AD_ACCOUNT)
        .page_size(2)
        .order(Order::Ascending)
        .stream();
    let results: Vec<_> = tokio::time::timeout(Duration::from_secs(10), stream.collect())
        .await
        .expect("the stream ends");

    let ids: Vec<String> = results.into_iter().map(|r| ok(r).id.expect("id")).collect();
    assert_eq!(ids, ["101", "102", "103", "104", "105"]);
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    third.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
}

#[tokio::test]
async fn customer_list_stream_stops_at_an_empty_bookmark() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            api_call(when, GET, "/ad_accounts/549755885175/customer_lists")
                .and(|w| exact_query(w, &[]));
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({
                    "items": [customer_list_json("2542620905473", "Newsletter subscribers", "READY")],
                    "bookmark": "bGlzdHMtMg=="
                }));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            api_call(when, GET, "/ad_accounts/549755885175/customer_lists")
                .and(|w| exact_query(w, &[("bookmark", "bGlzdHMtMg==")]));
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({
                    "items": [customer_list_json("2542620905474", "VIP customers", "READY")],
                    "bookmark": ""
                }));
        })
        .await;
    let fallback = catch_all(&server).await;

    let stream = client(&server).customer_lists().list(AD_ACCOUNT).stream();
    let results: Vec<_> = tokio::time::timeout(Duration::from_secs(10), stream.collect())
        .await
        .expect("the stream ends");

    let names: Vec<String> = results
        .into_iter()
        .map(|r| ok(r).name.expect("name"))
        .collect();
    assert_eq!(names, ["Newsletter subscribers", "VIP customers"]);
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
}

#[tokio::test]
async fn stream_stops_with_an_error_when_the_server_repeats_a_bookmark() {
    let server = MockServer::start_async().await;
    let items = json!([
        audience_json("101", "Audience 101", 1_654_016_542),
        audience_json("102", "Audience 102", 1_654_016_542)
    ]);
    let first = server
        .mock_async(|when, then| {
            api_call(when, GET, "/ad_accounts/549755885175/audiences").and(|w| exact_query(w, &[]));
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({ "items": items, "bookmark": "c3R1Y2s=" }));
        })
        .await;
    // A server that ignores the bookmark: same page, same bookmark, for ever.
    let again = server
        .mock_async(|when, then| {
            api_call(when, GET, "/ad_accounts/549755885175/audiences")
                .and(|w| exact_query(w, &[("bookmark", "c3R1Y2s=")]));
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({ "items": items, "bookmark": "c3R1Y2s=" }));
        })
        .await;
    let fallback = catch_all(&server).await;

    let stream = client(&server).audiences().list(AD_ACCOUNT).stream();
    let results: Vec<_> = tokio::time::timeout(Duration::from_secs(10), stream.collect())
        .await
        .expect("the stream ends instead of looping");

    assert_eq!(results.len(), 3, "two items, then the error, then the end");
    let ids: Vec<&str> = results[..2]
        .iter()
        .map(|r| r.as_ref().expect("item").id.as_deref().expect("id"))
        .collect();
    assert_eq!(ids, ["101", "102"]);
    let e = results[2].as_ref().expect_err("repeated bookmark");
    assert_eq!(e.kind(), ErrorKind::InvalidResponse);
    assert!(matches!(e, Error::InvalidResponse(_)));
    assert_eq!(
        e.to_string(),
        "invalid response from the Pinterest API: the server sent bookmark \"c3R1Y2s=\" twice; \
         stopping to avoid a loop"
    );
    first.assert_calls_async(1).await;
    again.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
}

#[tokio::test]
async fn stream_yields_an_api_error_and_ends() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            api_call(when, GET, "/ad_accounts/549755885175/audiences").and(|w| exact_query(w, &[]));
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({
                    "items": [audience_json("101", "Audience 101", 1_654_016_542)],
                    "bookmark": "cGFnZS0y"
                }));
        })
        .await;
    let broken = server
        .mock_async(|when, then| {
            api_call(when, GET, "/ad_accounts/549755885175/audiences")
                .and(|w| exact_query(w, &[("bookmark", "cGFnZS0y")]));
            then.status(404)
                .header("content-type", "application/json")
                .header("x-pinterest-rid", REQUEST_ID)
                .json_body(json!({ "code": 2601, "message": "Ad account not found." }));
        })
        .await;
    let fallback = catch_all(&server).await;

    let results: Vec<_> = client(&server)
        .audiences()
        .list(AD_ACCOUNT)
        .stream()
        .collect()
        .await;

    assert_eq!(results.len(), 2);
    assert_eq!(
        results[0].as_ref().expect("item").id.as_deref(),
        Some("101")
    );
    let e = results[1].as_ref().expect_err("404");
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.code(), Some(2601));
    assert_eq!(e.request_id(), Some(REQUEST_ID));
    first.assert_calls_async(1).await;
    broken.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
}

// ---------------------------------------------------------------------------------------------
// Response metadata
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_success_exposes_request_id_and_rate_limit() {
    let server = MockServer::start_async().await;
    let find = server
        .mock_async(|when, then| {
            api_call(
                when,
                GET,
                "/ad_accounts/549755885175/audiences/2542620905475",
            )
            .and(no_query_no_body);
            then.status(200)
                .header("content-type", "application/json")
                .header("x-pinterest-rid", "9f8e7d6c5b4a3921")
                .header("X-RateLimit-Limit", "100, 100;w=1, 1000;w=60")
                .header("X-RateLimit-Remaining", "97")
                .header("X-RateLimit-Reset", "42")
                .json_body(audience_json(
                    AUDIENCE,
                    "Newsletter subscribers",
                    1_654_016_542,
                ));
        })
        .await;
    let fallback = catch_all(&server).await;

    let audience = ok(client(&server).audiences().find(AD_ACCOUNT, AUDIENCE).await);

    find.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
    assert_eq!(audience.status(), 200);
    assert_eq!(audience.request_id(), Some("9f8e7d6c5b4a3921"));
    assert_eq!(
        audience
            .headers()
            .get("x-ratelimit-remaining")
            .map(|v| v.as_bytes()),
        Some(&b"97"[..])
    );
    let limits = audience.rate_limit();
    assert_eq!(limits.limit(), Some(100));
    assert_eq!(
        limits.policies(),
        &[
            RateLimitPolicy::new(100, Some(Duration::from_secs(1))),
            RateLimitPolicy::new(1000, Some(Duration::from_secs(60)))
        ]
    );
    assert_eq!(limits.remaining(), Some(97));
    assert_eq!(limits.reset(), Some(Duration::from_secs(42)));
    assert!(!limits.is_exhausted());
    // The metadata survives `map` and is dropped only by `into_inner`.
    let name = audience.map(|a| a.name);
    assert_eq!(name.request_id(), Some("9f8e7d6c5b4a3921"));
    assert_eq!(name.into_inner().as_deref(), Some("Newsletter subscribers"));
}

#[tokio::test]
async fn a_success_without_metadata_headers_reads_as_unknown() {
    let server = MockServer::start_async().await;
    let find = server
        .mock_async(|when, then| {
            api_call(
                when,
                GET,
                "/ad_accounts/549755885175/customer_lists/2542620905473",
            )
            .and(no_query_no_body);
            then.status(200)
                .header("content-type", "application/json")
                .json_body(customer_list_json(
                    CUSTOMER_LIST,
                    "Newsletter subscribers",
                    "READY",
                ));
        })
        .await;
    let fallback = catch_all(&server).await;

    let list = ok(client(&server)
        .customer_lists()
        .find(AD_ACCOUNT, CUSTOMER_LIST)
        .await);

    find.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
    assert_eq!(list.request_id(), None);
    assert_eq!(list.rate_limit(), &pinterest::RateLimit::default());
}

#[tokio::test]
async fn customer_lists_take_a_borrowed_vec_and_sets_of_records() {
    let server = MockServer::start_async().await;
    // A borrowed Vec<String> goes out joined in its order.
    let from_vec = server
        .mock_async(|when, then| {
            api_call(when, POST, "/ad_accounts/549755885175/customer_lists")
                .and(|w| exact_query(w, &[]))
                .and(|w| {
                    json_request(
                        w,
                        json!({
                            "name": "From a Vec",
                            "records": "carol@example.com,alice@example.com"
                        }),
                    )
                });
            then.status(200)
                .header("content-type", "application/json")
                .json_body(customer_list_json(CUSTOMER_LIST, "From a Vec", "READY"));
        })
        .await;
    // A BTreeSet goes out joined in its sorted order.
    let from_set = server
        .mock_async(|when, then| {
            api_call(
                when,
                PATCH,
                "/ad_accounts/549755885175/customer_lists/2542620905473",
            )
            .and(|w| exact_query(w, &[]))
            .and(|w| {
                json_request(
                    w,
                    json!({
                        "operation_type": "ADD",
                        "records": "alice@example.com,bob@example.com"
                    }),
                )
            });
            then.status(200)
                .header("content-type", "application/json")
                .json_body(customer_list_json(CUSTOMER_LIST, "From a Vec", "READY"));
        })
        .await;
    let fallback = catch_all(&server).await;
    let c = client(&server);

    let emails: Vec<String> = vec!["carol@example.com".into(), "alice@example.com".into()];
    let list = ok(c
        .customer_lists()
        .create(AD_ACCOUNT, "From a Vec", &emails)
        .await);
    assert_eq!(list.id.as_deref(), Some(CUSTOMER_LIST));
    assert_eq!(emails.len(), 2, "the records are only borrowed");

    let set: std::collections::BTreeSet<String> =
        ["bob@example.com".to_owned(), "alice@example.com".to_owned()].into();
    let list = ok(c
        .customer_lists()
        .update(AD_ACCOUNT, CUSTOMER_LIST, UserListOperationType::Add, set)
        .await);
    assert_eq!(list.name.as_deref(), Some("From a Vec"));

    // A blank record in a list is refused before anything is sent.
    rejected!(
        c.customer_lists()
            .create(AD_ACCOUNT, "Subscribers", ["a@example.com", ""]),
        "records",
        "a record is empty"
    );

    from_vec.assert_calls_async(1).await;
    from_set.assert_calls_async(1).await;
    fallback.assert_calls_async(0).await;
}
