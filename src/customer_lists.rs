//! Customer lists of an ad account (`client.customer_lists()`): list, create, find, update.

use crate::client::Client;
use crate::error::Result;
use crate::ids::{check_id, check_not_blank};
use crate::models::{
    CustomerList, CustomerListRequest, CustomerListUpdateRequest, UserListOperationType,
    UserListType,
};
use crate::pagination::{Page, PageParams, impl_list_request, with_page_params};
use crate::records::Records;
use crate::request::{impl_call_options, impl_into_future};
use crate::response::Response;
use crate::transport::{AuthScheme, CallOptions, Operation, execute};
use reqwest::Method;

const LIST: Operation = Operation {
    id: "customer_lists/list",
    method: Method::GET,
    path: "/ad_accounts/{ad_account_id}/customer_lists",
    auth: AuthScheme::Bearer,
};
const CREATE: Operation = Operation {
    id: "customer_lists/create",
    method: Method::POST,
    path: "/ad_accounts/{ad_account_id}/customer_lists",
    auth: AuthScheme::Bearer,
};
const GET: Operation = Operation {
    id: "customer_lists/get",
    method: Method::GET,
    path: "/ad_accounts/{ad_account_id}/customer_lists/{customer_list_id}",
    auth: AuthScheme::Bearer,
};
const UPDATE: Operation = Operation {
    id: "customer_lists/update",
    method: Method::PATCH,
    path: "/ad_accounts/{ad_account_id}/customer_lists/{customer_list_id}",
    auth: AuthScheme::Bearer,
};

/// The customer-list calls, from [`Client::customer_lists`].
#[derive(Debug, Clone)]
pub struct CustomerLists {
    client: Client,
}

impl Client {
    /// Customer lists of an ad account: list, create, find, update.
    pub fn customer_lists(&self) -> CustomerLists {
        CustomerLists {
            client: self.clone(),
        }
    }
}

impl CustomerLists {
    /// Lists the customer lists of an ad account, one page at a time (see
    /// [`ListCustomerLists::stream`] for all of them).
    pub fn list(&self, ad_account_id: impl Into<String>) -> ListCustomerLists {
        ListCustomerLists {
            client: self.client.clone(),
            ad_account_id: ad_account_id.into(),
            page: PageParams::default(),
            options: CallOptions::default(),
        }
    }

    /// Creates a customer list from its name and records (emails unless
    /// [`CreateCustomerList::list_type`] says otherwise).
    ///
    /// ```no_run
    /// # async fn demo(client: pinterest::Client) -> pinterest::Result<()> {
    /// use pinterest::models::UserListType;
    ///
    /// let list = client
    ///     .customer_lists()
    ///     .create("123456", "Email subscribers", ["user1@example.com", "user2@example.com"])
    ///     .list_type(UserListType::Email)
    ///     .await?;
    /// println!("created {:?}", list.id);
    /// # Ok(())
    /// # }
    /// ```
    pub fn create(
        &self,
        ad_account_id: impl Into<String>,
        name: impl Into<String>,
        records: impl Into<Records>,
    ) -> CreateCustomerList {
        CreateCustomerList {
            client: self.client.clone(),
            ad_account_id: ad_account_id.into(),
            name: name.into(),
            records: records.into(),
            list_type: None,
            options: CallOptions::default(),
        }
    }

    /// Gets one customer list.
    pub fn find(
        &self,
        ad_account_id: impl Into<String>,
        customer_list_id: impl Into<String>,
    ) -> FindCustomerList {
        FindCustomerList {
            client: self.client.clone(),
            ad_account_id: ad_account_id.into(),
            customer_list_id: customer_list_id.into(),
            options: CallOptions::default(),
        }
    }

    /// Adds records to, or removes records from, a customer list.
    ///
    /// ```no_run
    /// # async fn demo(client: pinterest::Client) -> pinterest::Result<()> {
    /// use pinterest::models::UserListOperationType;
    ///
    /// client.customer_lists().update("123456", "789", UserListOperationType::Add, ["user3@example.com"]).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn update(
        &self,
        ad_account_id: impl Into<String>,
        customer_list_id: impl Into<String>,
        operation_type: UserListOperationType,
        records: impl Into<Records>,
    ) -> UpdateCustomerList {
        UpdateCustomerList {
            client: self.client.clone(),
            ad_account_id: ad_account_id.into(),
            customer_list_id: customer_list_id.into(),
            operation_type,
            records: records.into(),
            options: CallOptions::default(),
        }
    }
}

/// Lists customer lists; see [`CustomerLists::list`]. Await it for one page.
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until awaited"]
pub struct ListCustomerLists {
    client: Client,
    ad_account_id: String,
    page: PageParams,
    options: CallOptions,
}

impl ListCustomerLists {
    /// Sends the request for one page.
    pub async fn send(self) -> Result<Response<Page<CustomerList>>> {
        check_id("ad_account_id", &self.ad_account_id)?;
        self.page.check()?;
        let response = execute(&self.client, &LIST, &self.options, |g| {
            let call = g
                .customer_lists_list()
                .ad_account_id(self.ad_account_id.clone());
            Box::pin(with_page_params!(call, self.page).send())
        })
        .await?;
        Ok(response.map(|list| Page::new(list.items, list.bookmark)))
    }
}

/// Creates a customer list; see [`CustomerLists::create`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct CreateCustomerList {
    client: Client,
    ad_account_id: String,
    name: String,
    records: Records,
    list_type: Option<UserListType>,
    options: CallOptions,
}

impl CreateCustomerList {
    /// What the records are (Pinterest's default is `EMAIL`).
    pub fn list_type(mut self, list_type: UserListType) -> Self {
        self.list_type = Some(list_type);
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<Response<CustomerList>> {
        check_id("ad_account_id", &self.ad_account_id)?;
        check_not_blank("name", &self.name)?;
        self.records.check()?;
        let body = CustomerListRequest {
            name: self.name,
            records: self.records.as_str().to_owned(),
            list_type: self.list_type,
        };
        execute(&self.client, &CREATE, &self.options, |g| {
            Box::pin(
                g.customer_lists_create()
                    .ad_account_id(self.ad_account_id.clone())
                    .body(body.clone())
                    .send(),
            )
        })
        .await
    }
}

/// Gets a customer list; see [`CustomerLists::find`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct FindCustomerList {
    client: Client,
    ad_account_id: String,
    customer_list_id: String,
    options: CallOptions,
}

impl FindCustomerList {
    /// Sends the request.
    pub async fn send(self) -> Result<Response<CustomerList>> {
        check_id("ad_account_id", &self.ad_account_id)?;
        check_id("customer_list_id", &self.customer_list_id)?;
        execute(&self.client, &GET, &self.options, |g| {
            let call = g
                .customer_lists_get()
                .ad_account_id(self.ad_account_id.clone());
            Box::pin(call.customer_list_id(self.customer_list_id.clone()).send())
        })
        .await
    }
}

/// Adds or removes records; see [`CustomerLists::update`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct UpdateCustomerList {
    client: Client,
    ad_account_id: String,
    customer_list_id: String,
    operation_type: UserListOperationType,
    records: Records,
    options: CallOptions,
}

impl UpdateCustomerList {
    /// Sends the request.
    pub async fn send(self) -> Result<Response<CustomerList>> {
        check_id("ad_account_id", &self.ad_account_id)?;
        check_id("customer_list_id", &self.customer_list_id)?;
        self.records.check()?;
        let body = CustomerListUpdateRequest {
            operation_type: self.operation_type,
            records: self.records.as_str().to_owned(),
        };
        execute(&self.client, &UPDATE, &self.options, |g| {
            let call = g
                .customer_lists_update()
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

impl_list_request!(ListCustomerLists => CustomerList);
impl_into_future!(ListCustomerLists => Response<Page<CustomerList>>);
impl_into_future!(CreateCustomerList => Response<CustomerList>);
impl_into_future!(FindCustomerList => Response<CustomerList>);
impl_into_future!(UpdateCustomerList => Response<CustomerList>);
impl_call_options!(
    ListCustomerLists,
    CreateCustomerList,
    FindCustomerList,
    UpdateCustomerList
);
