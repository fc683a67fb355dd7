//! Bookmark pagination: a [`Page`] of items and a stream over every page.

use crate::error::{Error, Result};
use crate::ids::check_range;
use crate::models::Order;
use crate::response::Response;
use futures::Stream;
use futures::future::BoxFuture;

/// One page of a list call: its items and the bookmark of the next page.
///
/// `bookmark` is `None` on the last page (Pinterest sends `null` or an empty string there).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Pass it as `bookmark` to get the next page; `None` when there is none.
    pub bookmark: Option<String>,
}

impl<T> Page<T> {
    pub(crate) fn new(items: Vec<T>, bookmark: Option<String>) -> Self {
        Page {
            items,
            bookmark: bookmark.filter(|b| !b.is_empty()),
        }
    }

    /// Whether another page follows.
    pub fn has_next(&self) -> bool {
        self.bookmark.is_some()
    }
}

/// Page sizes Pinterest accepts.
const PAGE_SIZE_RANGE: (i64, i64) = (1, 250);

/// The paging parameters every list call takes.
#[derive(Debug, Clone, Default)]
pub(crate) struct PageParams {
    pub(crate) bookmark: Option<String>,
    pub(crate) page_size: Option<i64>,
    pub(crate) order: Option<Order>,
}

impl PageParams {
    pub(crate) fn check(&self) -> Result<()> {
        match self.page_size {
            Some(size) => check_range("page_size", size, PAGE_SIZE_RANGE.0, PAGE_SIZE_RANGE.1),
            None => Ok(()),
        }
    }
}

/// Gives a list request (a struct with a `page: PageParams` field and a `send` that returns
/// one page of `$item`) its paging setters, `stream`, and [`PagedRequest`].
macro_rules! impl_list_request {
    ($request:ty => $item:ty) => {
        impl $request {
            /// Where to start: the `bookmark` of the previous page.
            pub fn bookmark(mut self, bookmark: impl Into<String>) -> Self {
                self.page.bookmark = Some(bookmark.into());
                self
            }

            /// Items per page, 1 to 250 (Pinterest's default is 25).
            pub fn page_size(mut self, page_size: u32) -> Self {
                self.page.page_size = Some(i64::from(page_size));
                self
            }

            /// Sort order.
            pub fn order(mut self, order: $crate::models::Order) -> Self {
                self.page.order = Some(order);
                self
            }

            /// Every item of every page, fetched page by page as the stream is read. The
            /// stream owns its request, so it can move into a task.
            pub fn stream(
                self,
            ) -> impl ::futures::Stream<Item = $crate::Result<$item>> + Send + 'static {
                $crate::pagination::items(self)
            }
        }

        impl $crate::pagination::PagedRequest for $request {
            type Item = $item;

            fn with_bookmark(mut self, bookmark: Option<String>) -> Self {
                self.page.bookmark = bookmark;
                self
            }

            fn fetch(
                self,
            ) -> ::futures::future::BoxFuture<
                'static,
                $crate::Result<$crate::Response<$crate::Page<$item>>>,
            > {
                Box::pin(self.send())
            }
        }
    };
}

/// Passes the paging parameters to a generated list call.
macro_rules! with_page_params {
    ($call:expr, $page:expr) => {{
        let page = &$page;
        let mut call = $call;
        if let Some(bookmark) = &page.bookmark {
            call = call.bookmark(bookmark.clone());
        }
        if let Some(size) = page.page_size {
            call = call.page_size(size);
        }
        if let Some(order) = page.order {
            call = call.order(order);
        }
        call
    }};
}

pub(crate) use {impl_list_request, with_page_params};

/// A list request that can fetch any page: implemented by the list builders.
pub(crate) trait PagedRequest: Clone + Send + 'static {
    type Item: Send + 'static;
    fn with_bookmark(self, bookmark: Option<String>) -> Self;
    fn fetch(self) -> BoxFuture<'static, Result<Response<Page<Self::Item>>>>;
}

/// Every item of every page, fetching the next page when the current one is used up.
///
/// The stream owns its request (and a clone of the client), so it can be moved into a task.
/// It ends after the last page, or after the first error (which it yields). A server that
/// hands back a bookmark it already sent would loop for ever; the stream yields an error
/// instead.
pub(crate) fn items<R: PagedRequest>(
    request: R,
) -> impl Stream<Item = Result<R::Item>> + Send + 'static {
    struct State<R: PagedRequest> {
        /// The request for the page after the buffered items; `None` after the last page.
        next: Option<R>,
        buffered: std::vec::IntoIter<R::Item>,
        seen_bookmarks: Vec<String>,
    }
    let state = State {
        next: Some(request),
        buffered: Vec::new().into_iter(),
        seen_bookmarks: Vec::new(),
    };
    futures::stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.buffered.next() {
                return Some((Ok(item), state));
            }
            let request = state.next.take()?;
            let page = match request.clone().fetch().await {
                Ok(page) => page.into_inner(),
                Err(error) => return Some((Err(error), state)),
            };
            if let Some(bookmark) = page.bookmark {
                if state.seen_bookmarks.contains(&bookmark) {
                    let message = format!(
                        "the server sent bookmark {bookmark:?} twice; stopping to avoid a loop"
                    );
                    return Some((Err(Error::InvalidResponse(message)), state));
                }
                state.seen_bookmarks.push(bookmark.clone());
                state.next = Some(request.with_bookmark(Some(bookmark)));
            }
            state.buffered = page.items.into_iter();
        }
    })
}
