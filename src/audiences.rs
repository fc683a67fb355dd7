//! Audiences of an ad account (`client.audiences()`): list, create, find, update.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ids::{check_id, check_not_blank};
use crate::models::{Audience, AudienceCreateRequest, AudienceUpdateRequest, OwnershipType};
use crate::pagination::{Page, PageParams, impl_list_request, with_page_params};
use crate::request::{impl_call_options, impl_into_future};
use crate::response::Response;
use crate::transport::{AuthScheme, CallOptions, Operation, execute};
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
    ///
    /// // Every audience, page after page:
    /// use futures::TryStreamExt as _;
    /// let all: Vec<_> = client.audiences().list("123456").page_size(250).stream().try_collect().await?;
    /// # let _ = all;
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self, ad_account_id: impl Into<String>) -> ListAudiences {
        ListAudiences {
            client: self.client.clone(),
            ad_account_id: ad_account_id.into(),
            page: PageParams::default(),
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
    page: PageParams,
    ownership_type: Option<OwnershipType>,
    options: CallOptions,
}

impl ListAudiences {
    /// Audiences this account owns (the default) or that were shared with it.
    pub fn ownership_type(mut self, ownership_type: OwnershipType) -> Self {
        self.ownership_type = Some(ownership_type);
        self
    }

    /// Sends the request for one page.
    pub async fn send(self) -> Result<Response<Page<Audience>>> {
        check_id("ad_account_id", &self.ad_account_id)?;
        self.page.check()?;
        let response = execute(&self.client, &LIST, &self.options, |g| {
            let call = g.audiences_list().ad_account_id(self.ad_account_id.clone());
            let mut call = with_page_params!(call, self.page);
            if let Some(ownership_type) = self.ownership_type {
                call = call.ownership_type(ownership_type);
            }
            Box::pin(call.send())
        })
        .await?;
        Ok(response.map(|list| Page::new(list.items, list.bookmark)))
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

impl_list_request!(ListAudiences => Audience);
impl_into_future!(ListAudiences => Response<Page<Audience>>);
impl_into_future!(CreateAudience => Response<Audience>);
impl_into_future!(FindAudience => Response<Audience>);
impl_into_future!(UpdateAudience => Response<Audience>);
impl_call_options!(ListAudiences, CreateAudience, FindAudience, UpdateAudience);
