//! Multipart customer-list uploads (`client.customer_list_uploads()`): create, run, find.
//!
//! The flow for lists too large for one request: create an upload (Pinterest answers with one
//! presigned S3 URL per part), PUT each part's bytes to its URL (every part but the last at
//! least 5 MiB), then run the upload and poll it with `find` until its state is final.

use crate::client::Client;
use crate::error::Result;
use crate::ids::{check_id, check_range};
use crate::models::{
    CustomerListUploadCreateRequest, CustomerListUploadCreateResponse, CustomerListUploadResponse,
    UserListOperationType,
};
use crate::request::{impl_call_options, impl_into_future};
use crate::response::Response;
use crate::transport::{AuthScheme, CallOptions, Operation, execute};
use reqwest::Method;

const CREATE: Operation = Operation {
    id: "customer_list_uploads/create",
    method: Method::POST,
    path: "/ad_accounts/{ad_account_id}/customer_lists/{customer_list_id}/uploads",
    auth: AuthScheme::Bearer,
};
const GET: Operation = Operation {
    id: "customer_list_uploads/get",
    method: Method::GET,
    path: "/ad_accounts/{ad_account_id}/customer_lists/{customer_list_id}/uploads/{customer_list_upload_id}",
    auth: AuthScheme::Bearer,
};
const RUN: Operation = Operation {
    id: "customer_list_uploads/run",
    method: Method::POST,
    path: "/ad_accounts/{ad_account_id}/customer_lists/{customer_list_id}/uploads/{customer_list_upload_id}/run",
    auth: AuthScheme::Bearer,
};

/// Pinterest accepts 1 to 10 parts per upload.
const TOTAL_PARTS_RANGE: (i64, i64) = (1, 10);

/// The customer-list upload calls, from [`Client::customer_list_uploads`].
#[derive(Debug, Clone)]
pub struct CustomerListUploads {
    client: Client,
}

impl Client {
    /// Multipart customer-list uploads: create, run, find.
    pub fn customer_list_uploads(&self) -> CustomerListUploads {
        CustomerListUploads {
            client: self.clone(),
        }
    }
}

/// Identifies an upload: its ad account, customer list and upload id.
#[derive(Debug, Clone)]
struct UploadIds {
    ad_account_id: String,
    customer_list_id: String,
    upload_id: String,
}

impl UploadIds {
    fn new(ad_account_id: String, customer_list_id: String, upload_id: String) -> Self {
        UploadIds {
            ad_account_id,
            customer_list_id,
            upload_id,
        }
    }

    fn check(&self) -> Result<()> {
        check_id("ad_account_id", &self.ad_account_id)?;
        check_id("customer_list_id", &self.customer_list_id)?;
        check_id("customer_list_upload_id", &self.upload_id)
    }
}

impl CustomerListUploads {
    /// Step 1: creates an upload of `total_parts` parts (1 to 10) that adds or removes
    /// records. The answer holds the upload and one presigned URL per part.
    ///
    /// ```no_run
    /// # async fn demo(client: pinterest::Client) -> pinterest::Result<()> {
    /// use pinterest::models::UserListOperationType;
    ///
    /// let upload = client.customer_list_uploads().create("123456", "789", UserListOperationType::Add, 3).await?;
    /// for part in &upload.s3_multipart_upload_data.file_parts {
    ///     println!("PUT part {} to {}", part.part_number, part.presigned_url);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn create(
        &self,
        ad_account_id: impl Into<String>,
        customer_list_id: impl Into<String>,
        operation: UserListOperationType,
        total_parts: u32,
    ) -> CreateUpload {
        CreateUpload {
            client: self.client.clone(),
            ad_account_id: ad_account_id.into(),
            customer_list_id: customer_list_id.into(),
            operation,
            total_parts: i64::from(total_parts),
            options: CallOptions::default(),
        }
    }

    /// Step 3: starts processing an upload whose parts are all uploaded.
    pub fn run(
        &self,
        ad_account_id: impl Into<String>,
        customer_list_id: impl Into<String>,
        customer_list_upload_id: impl Into<String>,
    ) -> RunUpload {
        let ids = UploadIds::new(
            ad_account_id.into(),
            customer_list_id.into(),
            customer_list_upload_id.into(),
        );
        RunUpload {
            client: self.client.clone(),
            ids,
            options: CallOptions::default(),
        }
    }

    /// Gets an upload: its state, record counts and error counts.
    pub fn find(
        &self,
        ad_account_id: impl Into<String>,
        customer_list_id: impl Into<String>,
        customer_list_upload_id: impl Into<String>,
    ) -> FindUpload {
        let ids = UploadIds::new(
            ad_account_id.into(),
            customer_list_id.into(),
            customer_list_upload_id.into(),
        );
        FindUpload {
            client: self.client.clone(),
            ids,
            options: CallOptions::default(),
        }
    }
}

/// Creates an upload; see [`CustomerListUploads::create`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct CreateUpload {
    client: Client,
    ad_account_id: String,
    customer_list_id: String,
    operation: UserListOperationType,
    total_parts: i64,
    options: CallOptions,
}

impl CreateUpload {
    /// Sends the request.
    pub async fn send(self) -> Result<Response<CustomerListUploadCreateResponse>> {
        check_id("ad_account_id", &self.ad_account_id)?;
        check_id("customer_list_id", &self.customer_list_id)?;
        check_range(
            "total_parts",
            self.total_parts,
            TOTAL_PARTS_RANGE.0,
            TOTAL_PARTS_RANGE.1,
        )?;
        let body = CustomerListUploadCreateRequest {
            operation: self.operation,
            total_parts: self.total_parts,
        };
        execute(&self.client, &CREATE, &self.options, |g| {
            let call = g
                .customer_list_uploads_create()
                .ad_account_id(self.ad_account_id.clone());
            Box::pin(
                call.customer_list_id(self.customer_list_id.clone())
                    .body(body.clone())
                    .send(),
            )
        })
        .await
    }
}

/// Starts an upload; see [`CustomerListUploads::run`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct RunUpload {
    client: Client,
    ids: UploadIds,
    options: CallOptions,
}

impl RunUpload {
    /// Sends the request.
    pub async fn send(self) -> Result<Response<CustomerListUploadResponse>> {
        self.ids.check()?;
        let ids = &self.ids;
        execute(&self.client, &RUN, &self.options, |g| {
            let call = g
                .customer_list_uploads_run()
                .ad_account_id(ids.ad_account_id.clone());
            Box::pin(
                call.customer_list_id(ids.customer_list_id.clone())
                    .customer_list_upload_id(ids.upload_id.clone())
                    .send(),
            )
        })
        .await
    }
}

/// Gets an upload; see [`CustomerListUploads::find`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct FindUpload {
    client: Client,
    ids: UploadIds,
    options: CallOptions,
}

impl FindUpload {
    /// Sends the request.
    pub async fn send(self) -> Result<Response<CustomerListUploadResponse>> {
        self.ids.check()?;
        let ids = &self.ids;
        execute(&self.client, &GET, &self.options, |g| {
            let call = g
                .customer_list_uploads_get()
                .ad_account_id(ids.ad_account_id.clone());
            Box::pin(
                call.customer_list_id(ids.customer_list_id.clone())
                    .customer_list_upload_id(ids.upload_id.clone())
                    .send(),
            )
        })
        .await
    }
}

impl_into_future!(CreateUpload => Response<CustomerListUploadCreateResponse>);
impl_into_future!(RunUpload => Response<CustomerListUploadResponse>);
impl_into_future!(FindUpload => Response<CustomerListUploadResponse>);
impl_call_options!(CreateUpload, RunUpload, FindUpload);
