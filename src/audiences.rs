//! Audiences of an ad account (`client.audiences()`): list, create, find, update.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::{check_id, check_not_blank, check_range};
use crate::models::{Audience, AudienceCreateRequest, AudienceUpdateRequest, Order, OwnershipType};
use crate::pagination::{Page, PagedRequest, items};
use crate::request::{impl_call_options, impl_into_future};
use crate::response::Response;
use crate::transport::{AuthScheme, CallOptions, Operation, execute};
use futures::Stream;
use futures::future::BoxFuture;
use reqwest::Method;
use std::fmt::Display;

const LIST: Operation = Operation {
    id: "audiences/list",
    method: Method::GET,
    path: "/ad_accounts/{ad_account_id}/audiences",
    auth: AuthScheme::Bearer,
};
const CREATE: Operation = Operation {
    id: "audiences/create",
    method: Method::POST,
    path: "/ad_accounts/{ad_account_id}/audiences",
    auth: AuthScheme::Bearer,
};
const GET: Operation = Operation {
    id: "audiences/get",
    method: Method::GET,
    path: "/ad_accounts/{ad_account_id}/audiences/{audience_id}",
    auth: AuthScheme::Bearer,
};
const UPDATE: Operation = Operation {
    id: "audiences/update",
    method: Method::PATCH,
    path: "/ad_accounts/{ad_account_id}/audiences/{audience_id}",
    auth: AuthScheme::Bearer,
};

/// Page size limits of Pinterest's list calls.
pub(crate) const PAGE_SIZE_RANGE: (i64, i64) = (1, 250);

/// The audience calls, from [`Client::audiences`].
#[derive(Debug, Clone)]
pub struct Audiences {
    client: Client,
}

impl Client {
    /// Audiences of an ad account: list, create, find, update.
    pub fn audiences(&self) -> Audiences {
        Audiences {
            client: self.clone(),
        }
    }
}

impl Audiences {
    /// Lists the audiences of an ad account, one page at a time; set `bookmark` to get the
    /// next page, or use [`ListAudiences::stream`] to walk them all.
    ///
    /// ```no_run
    /// # async fn demo(client: pinterest::Client) -> pinterest::Result<()> {
    /// use pinterest::models::Order;
    ///
    /// let page = client.audiences().list("123456").page_size(50).order(Order::Descending).await?;
    /// for audience in &page.items {
    ///     println!("{:?} {:?}", audience.id, audience.name);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self, ad_account_id: impl Into<String>) -> ListAudiences {
        ListAudiences {
            client: self.client.clone(),
            ad_account_id: ad_account_id.into(),
            bookmark: None,
            page_size: None,
            order: None,
            ownership_type: None,
            options: CallOptions::default(),
        }
    }

    /// Creates an audience. Takes an [`AudienceCreateRequest`] or its builder.
    ///
    /// ```no_run
    /// # async fn demo(client: pinterest::Client) -> pinterest::Result<()> {
    /// use pinterest::models::{AudienceCreateRequest, AudienceRule, AudienceType};
    ///
    /// let request = AudienceCreateRequest::builder()
    ///     .name("Newsletter subscribers")
    ///     .audience_type(AudienceType::CustomerList)
    ///     .rule(AudienceRule { customer_list_id: Some("2542620905473".into()), ..Default::default() });
    /// let audience = client.audiences().create("123456", request).await?;
    /// # let _ = audience;
    /// # Ok(())
    /// # }
    /// ```
    pub fn create<R>(&self, ad_account_id: impl Into<String>, request: R) -> CreateAudience
    where
        R: TryInto<AudienceCreateRequest>,
        R::Error: Display,
    {
        CreateAudience {
            client: self.client.clone(),
            ad_account_id: ad_account_id.into(),
            body: request.try_into().map_err(|e| e.to_string()),
            options: CallOptions::default(),
        }
    }

    /// Gets one audience.
    pub fn find(
        &self,
        ad_account_id: impl Into<String>,
        audience_id: impl Into<String>,
    ) -> FindAudience {
        FindAudience {
            client: self.client.clone(),
            ad_account_id: ad_account_id.into(),
            audience_id: audience_id.into(),
            options: CallOptions::default(),
        }
    }

    /// Updates an audience (name, description, rule...). Takes an [`AudienceUpdateRequest`]
    /// or its builder.
    ///
    /// ```no_run
    /// # async fn demo(client: pinterest::Client) -> pinterest::Result<()> {
    /// use pinterest::models::AudienceUpdateRequest;
    ///
    /// let rename = AudienceUpdateRequest { name: Some("New name".into()), ..Default::default() };
    /// let renamed = client.audiences().update("123456", "789", rename).await?;
    /// # let _ = renamed;
    /// # Ok(())
    /// # }
    /// ```
    pub fn update<R>(
        &self,
        ad_account_id: impl Into<String>,
        audience_id: impl Into<String>,
        request: R,
    ) -> UpdateAudience
    where
        R: TryInto<AudienceUpdateRequest>,
        R::Error: Display,
    {
        UpdateAudience {
            client: self.client.clone(),
            ad_account_id: ad_account_id.into(),
            audience_id: audience_id.into(),
            body: request.try_into().map_err(|e| e.to_string()),
            options: CallOptions::default(),
        }
    }
}

/// Lists audiences; see [`Audiences::list`]. Await it for one page.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until awaited"]
pub struct ListAudiences {
    client: Client,
    ad_account_id: String,
    bookmark: Option<String>,
    page_size: Option<i64>,
    order: Option<Order>,
    ownership_type: Option<OwnershipType>,
    options: CallOptions,
}

impl ListAudiences {
    /// Where to start: the `bookmark` of the previous page.
    pub fn bookmark(mut self, bookmark: impl Into<String>) -> Self {
        self.bookmark = Some(bookmark.into());
        self
    }

    /// Items per page, 1 to 250 (Pinterest's default is 25).
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = Some(i64::from(page_size));
        self
    }

    /// Sort order.
    pub fn order(mut self, order: Order) -> Self {
        self.order = Some(order);
        self
    }

    /// Audiences this account owns (the default) or that were shared with it.
    pub fn ownership_type(mut self, ownership_type: OwnershipType) -> Self {
        self.ownership_type = Some(ownership_type);
        self
    }

    /// Every audience of every page, fetched page by page as the stream is read.
    ///
    /// ```no_run
    /// # async fn demo(client: pinterest::Client) -> pinterest::Result<()> {
    /// use futures::TryStreamExt as _;
    ///
    /// let all: Vec<_> = client.audiences().list("123456").page_size(250).stream().try_collect().await?;
    /// # let _ = all;
    /// # Ok(())
    /// # }
    /// ```
    pub fn stream(self) -> impl Stream<Item = Result<Audience>> + Send + 'static {
        items(self)
    }

    /// Sends the request for one page.
    pub async fn send(self) -> Result<Response<Page<Audience>>> {
        check_id("ad_account_id", &self.ad_account_id)?;
        if let Some(size) = self.page_size {
            check_range("page_size", size, PAGE_SIZE_RANGE.0, PAGE_SIZE_RANGE.1)?;
        }
        let response = execute(&self.client, &LIST, &self.options, |g| {
            let mut call = g.audiences_list().ad_account_id(self.ad_account_id.clone());
            if let Some(bookmark) = &self.bookmark {
                call = call.bookmark(bookmark.clone());
            }
            if let Some(size) = self.page_size {
                call = call.page_size(size);
            }
            if let Some(order) = self.order {
                call = call.order(order);
            }
            if let Some(ownership_type) = self.ownership_type {
                call = call.ownership_type(ownership_type);
            }
            Box::pin(call.send())
        })
        .await?;
        Ok(response.map(|list| Page::new(list.items, list.bookmark)))
    }
}

impl PagedRequest for ListAudiences {
    type Item = Audience;
    fn with_bookmark(mut self, bookmark: Option<String>) -> Self {
        self.bookmark = bookmark;
        self
    }
    fn fetch(self) -> BoxFuture<'static, Result<Response<Page<Audience>>>> {
        Box::pin(self.send())
    }
}

/// Creates an audience; see [`Audiences::create`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct CreateAudience {
    client: Client,
    ad_account_id: String,
    body: std::result::Result<AudienceCreateRequest, String>,
    options: CallOptions,
}

impl CreateAudience {
    /// Sends the request.
    pub async fn send(self) -> Result<Response<Audience>> {
        check_id("ad_account_id", &self.ad_account_id)?;
        let body = self.body.map_err(|reason| Error::InvalidArgument {
            name: "request",
            reason,
        })?;
        check_not_blank("name", &body.name)?;
        execute(&self.client, &CREATE, &self.options, |g| {
            Box::pin(
                g.audiences_create()
                    .ad_account_id(self.ad_account_id.clone())
                    .body(body.clone())
                    .send(),
            )
        })
        .await
    }
}

/// Gets an audience; see [`Audiences::find`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct FindAudience {
    client: Client,
    ad_account_id: String,
    audience_id: String,
    options: CallOptions,
}

impl FindAudience {
    /// Sends the request.
    pub async fn send(self) -> Result<Response<Audience>> {
        check_id("ad_account_id", &self.ad_account_id)?;
        check_id("audience_id", &self.audience_id)?;
        execute(&self.client, &GET, &self.options, |g| {
            Box::pin(
                g.audiences_get()
                    .ad_account_id(self.ad_account_id.clone())
                    .audience_id(self.audience_id.clone())
                    .send(),
            )
        })
        .await
    }
}

/// Updates an audience; see [`Audiences::update`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct UpdateAudience {
    client: Client,
    ad_account_id: String,
    audience_id: String,
    body: std::result::Result<AudienceUpdateRequest, String>,
    options: CallOptions,
}

impl UpdateAudience {
    /// Sends the request.
    pub async fn send(self) -> Result<Response<Audience>> {
        check_id("ad_account_id", &self.ad_account_id)?;
        check_id("audience_id", &self.audience_id)?;
        let body = self.body.map_err(|reason| Error::InvalidArgument {
            name: "request",
            reason,
        })?;
        if let Some(name) = &body.name {
            check_not_blank("name", name)?;
        }
        execute(&self.client, &UPDATE, &self.options, |g| {
            let call = g
                .audiences_update()
                .ad_account_id(self.ad_account_id.clone())
                .audience_id(self.audience_id.clone());
            Box::pin(call.body(body.clone()).send())
        })
        .await
    }
}

impl_into_future!(ListAudiences => Response<Page<Audience>>);
impl_into_future!(CreateAudience => Response<Audience>);
impl_into_future!(FindAudience => Response<Audience>);
impl_into_future!(UpdateAudience => Response<Audience>);
impl_call_options!(ListAudiences, CreateAudience, FindAudience, UpdateAudience);
