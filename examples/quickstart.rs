//! Walks the Ruby gem's README end to end with this SDK: configuration, audiences (with a
//! bookmark loop), customer lists, a multipart upload, and a typed error.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! By default it runs offline against a mock Pinterest started in this process. To run the
//! same calls against a real server (the sandbox, for instance), set all three of:
//!
//! ```text
//! PINTEREST_BASE_URL=https://api-sandbox.pinterest.com/v5
//! PINTEREST_ACCESS_TOKEN=...
//! PINTEREST_AD_ACCOUNT_ID=...
//! ```
//!
//! It then uses the ids the server returns. Beware: against a real account it creates a
//! customer list, an audience and an upload.

use futures::TryStreamExt as _;
use pinterest::models::{
    AudienceCreateRequest, AudienceRule, AudienceType, AudienceUpdateRequest, UserListOperationType,
};
use pinterest::{Client, ErrorKind};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let real = [
        "PINTEREST_BASE_URL",
        "PINTEREST_ACCESS_TOKEN",
        "PINTEREST_AD_ACCOUNT_ID",
    ]
    .iter()
    .all(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()));

    // Keeps the mock server alive for the whole run when there is one.
    let (_mock, ad_account_id) = if real {
        println!("Running against {}", std::env::var("PINTEREST_BASE_URL")?);
        // Everything else comes from the PINTEREST_* environment variables.
        (None, std::env::var("PINTEREST_AD_ACCOUNT_ID")?)
    } else {
        let server = mock_pinterest::start().await;
        println!(
            "Running offline against a mock Pinterest at {}",
            server.base_url()
        );
        // 1. Global configuration, like the gem's `Pinterest.configure`.
        let base_url = server.base_url();
        pinterest::configure(|c| {
            c.access_token("pina_mock_access_token").base_url(base_url);
        });
        (Some(server), mock_pinterest::AD_ACCOUNT_ID.to_owned())
    };

    let client = Client::new()?;

    // 2. List audiences, following bookmarks page by page (as the gem's README loops).
    let mut all_audiences = Vec::new();
    let mut bookmark: Option<String> = None;
    loop {
        let mut request = client.audiences().list(&ad_account_id).page_size(25);
        if let Some(b) = bookmark.take() {
            request = request.bookmark(b);
        }
        let page = request.await?;
        println!(
            "audiences page: {} item(s), next bookmark {:?}",
            page.items.len(),
            page.bookmark
        );
        all_audiences.extend(page.items.clone());
        match &page.bookmark {
            Some(next) => bookmark = Some(next.clone()),
            None => break,
        }
    }
    println!("{} audience(s) in all", all_audiences.len());

    // ...or let a stream follow the bookmarks.
    let streamed: Vec<_> = client
        .audiences()
        .list(&ad_account_id)
        .stream()
        .try_collect()
        .await?;
    println!("streamed {} audience(s)", streamed.len());

    // 3. Customer lists: list, create, find, add records.
    let lists = client.customer_lists().list(&ad_account_id).await?;
    println!("customer lists: {}", lists.items.len());
    let list = client
        .customer_lists()
        .create(
            &ad_account_id,
            "Email Subscribers",
            ["user1@example.com", "user2@example.com"],
        )
        .await?;
    let list_id = list.id.clone().ok_or("the new customer list has no id")?;
    println!("created customer list {list_id} ({:?})", list.status);
    let found = client
        .customer_lists()
        .find(&ad_account_id, &list_id)
        .await?;
    println!(
        "found customer list {:?} with {:?} records",
        found.name, found.num_uploaded_user_records
    );
    let updated = client
        .customer_lists()
        .update(
            &ad_account_id,
            &list_id,
            UserListOperationType::Add,
            ["user3@example.com"],
        )
        .await?;
    println!("added records; request id {:?}", updated.request_id());

    // 4. Audiences: create one from the customer list, find it, rename it.
    let request = AudienceCreateRequest::builder()
        .name("My Audience")
        .audience_type(AudienceType::CustomerList)
        .rule(AudienceRule {
            customer_list_id: Some(list_id.clone()),
            ..Default::default()
        });
    let audience = client.audiences().create(&ad_account_id, request).await?;
    let audience_id = audience.id.clone().ok_or("the new audience has no id")?;
    println!("created audience {audience_id} ({:?})", audience.status);
    let found = client
        .audiences()
        .find(&ad_account_id, &audience_id)
        .await?;
    println!("found audience {:?}", found.name);
    let rename = AudienceUpdateRequest {
        name: Some("New Name".into()),
        ..Default::default()
    };
    let renamed = client
        .audiences()
        .update(&ad_account_id, &audience_id, rename)
        .await?;
    println!("renamed audience to {:?}", renamed.name);

    // 5. A multipart upload: create it, (PUT each part to its presigned URL), run, check.
    let upload = client
        .customer_list_uploads()
        .create(&ad_account_id, &list_id, UserListOperationType::Add, 1)
        .await?;
    let upload_id = upload.customer_list_upload.id.clone();
    for part in &upload.s3_multipart_upload_data.file_parts {
        println!(
            "part {} goes to a presigned URL on {:?}",
            part.part_number,
            url_host(&part.presigned_url)
        );
    }
    let status = client
        .customer_list_uploads()
        .find(&ad_account_id, &list_id, &upload_id)
        .await?;
    println!("upload {upload_id} is {}", status.state);
    let run = client
        .customer_list_uploads()
        .run(&ad_account_id, &list_id, &upload_id)
        .await?;
    println!("upload {upload_id} is now {}", run.state);

    // 6. Typed errors: an id that is not a Pinterest id is refused before any request leaves.
    match client.audiences().find(&ad_account_id, "bad_id").await {
        Err(e) if e.kind() == ErrorKind::InvalidArgument => println!("refused before sending: {e}"),
        Err(e) if e.is_not_found() => println!("{:?} (HTTP {:?})", e.message(), e.status()),
        Err(e) => println!("Unexpected error: {e} (HTTP {:?})", e.status()),
        Ok(_) => return Err("an invalid id was accepted".into()),
    }

    println!("quickstart finished");
    Ok(())
}

/// The host of a URL, to show where parts go without printing the signature.
fn url_host(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
}

/// An in-process mock of the Pinterest endpoints the quickstart calls, with realistic answers.
mod mock_pinterest {
    use httpmock::prelude::*;
    use serde_json::json;

    pub const AD_ACCOUNT_ID: &str = "549755885175";
    const LIST_ID: &str = "2542620905473";
    const AUDIENCE_ID: &str = "2542620905474";
    const UPLOAD_ID: &str = "7085964578390";

    pub async fn start() -> MockServer {
        let server = MockServer::start_async().await;
        let account = format!("/ad_accounts/{AD_ACCOUNT_ID}");
        let bearer = "Bearer pina_mock_access_token";

        // Audiences: two pages for the bookmark loop.
        server
            .mock_async(|when, then| {
                when.method(GET)
                    .path(format!("{account}/audiences"))
                    .header("authorization", bearer)
                    .query_param("bookmark", "page2");
                then.status(200).json_body(
                    json!({ "items": [audience("Returning visitors")], "bookmark": null }),
                );
            })
            .await;
        server
            .mock_async(|when, then| {
                when.method(GET).path(format!("{account}/audiences")).header("authorization", bearer);
                then.status(200)
                    .header("x-pinterest-rid", "9b3f1c2a7d")
                    .json_body(json!({ "items": [audience("Newsletter subscribers")], "bookmark": "page2" }));
            })
            .await;
        server
            .mock_async(|when, then| {
                when.method(POST)
                    .path(format!("{account}/audiences"))
                    .header("authorization", bearer);
                then.status(200).json_body(audience("My Audience"));
            })
            .await;
        server
            .mock_async(|when, then| {
                when.method(GET)
                    .path(format!("{account}/audiences/{AUDIENCE_ID}"));
                then.status(200).json_body(audience("My Audience"));
            })
            .await;
        server
            .mock_async(|when, then| {
                when.method(PATCH)
                    .path(format!("{account}/audiences/{AUDIENCE_ID}"));
                then.status(200).json_body(audience("New Name"));
            })
            .await;

        // Customer lists.
        server
            .mock_async(|when, then| {
                when.method(GET).path(format!("{account}/customer_lists"));
                then.status(200).json_body(
                    json!({ "items": [customer_list("Email Subscribers", 2)], "bookmark": "" }),
                );
            })
            .await;
        server
            .mock_async(|when, then| {
                when.method(POST).path(format!("{account}/customer_lists"));
                then.status(200)
                    .json_body(customer_list("Email Subscribers", 2));
            })
            .await;
        server
            .mock_async(|when, then| {
                when.method(GET)
                    .path(format!("{account}/customer_lists/{LIST_ID}"));
                then.status(200)
                    .json_body(customer_list("Email Subscribers", 2));
            })
            .await;
        server
            .mock_async(|when, then| {
                when.method(PATCH)
                    .path(format!("{account}/customer_lists/{LIST_ID}"));
                then.status(200)
                    .header("x-pinterest-rid", "51e0d6a4b2")
                    .json_body(customer_list("Email Subscribers", 3));
            })
            .await;

        // Customer-list uploads.
        let uploads = format!("{account}/customer_lists/{LIST_ID}/uploads");
        server
            .mock_async(|when, then| {
                when.method(POST).path(uploads.clone());
                then.status(200).json_body(json!({
                    "customer_list_upload": upload("NOT_STARTED"),
                    "s3_multipart_upload_data": { "file_parts": [
                        { "part_number": 1, "presigned_url": "https://pinterest-customer-lists.s3.amazonaws.com/u/7085964578390?partNumber=1&X-Amz-Signature=abc" }
                    ] }
                }));
            })
            .await;
        server
            .mock_async(|when, then| {
                when.method(GET).path(format!("{uploads}/{UPLOAD_ID}"));
                then.status(200).json_body(upload("NOT_STARTED"));
            })
            .await;
        server
            .mock_async(|when, then| {
                when.method(POST).path(format!("{uploads}/{UPLOAD_ID}/run"));
                then.status(200).json_body(upload("RUNNING"));
            })
            .await;
        server
    }

    fn audience(name: &str) -> serde_json::Value {
        json!({
            "id": AUDIENCE_ID, "ad_account_id": AD_ACCOUNT_ID, "name": name,
            "audience_type": "CUSTOMER_LIST", "status": "READY", "size": 12000, "type": "audience",
            "rule": { "customer_list_id": LIST_ID },
            "created_timestamp": 1_733_227_200, "updated_timestamp": 1_733_230_800
        })
    }

    fn customer_list(name: &str, records: u32) -> serde_json::Value {
        json!({
            "id": LIST_ID, "ad_account_id": AD_ACCOUNT_ID, "name": name, "type": "customerlist",
            "status": "PROCESSING", "num_batches": 1, "num_uploaded_user_records": records,
            "num_removed_user_records": 0, "created_time": 1_733_227_200, "updated_time": 1_733_230_800,
            "exceptions": null
        })
    }

    fn upload(state: &str) -> serde_json::Value {
        json!({
            "id": UPLOAD_ID, "ad_account_id": AD_ACCOUNT_ID, "customer_list_id": LIST_ID,
            "operation": "ADD", "state": state, "creation_time": 1_733_227_200, "updated_time": 1_733_230_800,
            "record_counts": null, "error_counts": null
        })
    }
}
