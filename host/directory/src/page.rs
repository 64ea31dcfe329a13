//! Pagination of lists: `?after=<cursor>&limit=<n>` in, `{items, next}` out. The cursor is the
//! key of the last item returned (an id, or a number for number lists).

use serde::{Deserialize, Serialize};

use crate::error::{DirectoryError, Result};

/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 50;
/// Most items per page.
pub const MAX_LIMIT: usize = 200;

/// Which page of a list to return.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct PageRequest {
    /// Cursor: the `next` value of the previous page.
    pub after: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<u32>,
}

impl PageRequest {
    /// The first page, default size.
    pub fn first() -> Self {
        Self::default()
    }

    /// The page size asked for.
    pub fn limit(&self) -> Result<usize> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT as u32).contains(&n) => Ok(n as usize),
            Some(n) => Err(DirectoryError::invalid(
                "invalid_limit",
                format!("limit {n} is outside 1..={MAX_LIMIT}"),
                "ask for at most 200 items and follow `next` for more",
            )),
        }
    }

    /// The cursor as an id (0 = from the start).
    pub fn after_id(&self) -> Result<u64> {
        match &self.after {
            None => Ok(0),
            Some(text) => text.parse().map_err(|_| {
                DirectoryError::invalid(
                    "invalid_cursor",
                    format!("cursor \"{text}\" is not one this list returned"),
                    "pass the `next` value of the previous page unchanged",
                )
            }),
        }
    }

    /// The cursor as text ("" = from the start).
    pub fn after_text(&self) -> &str {
        self.after.as_deref().unwrap_or("")
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// The items, in key order.
    pub items: Vec<T>,
    /// Cursor for the next page (`?after=`), `null` on the last page.
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// A page from up to `limit + 1` fetched items: the extra one only tells that more exist.
    pub fn from_fetched(mut items: Vec<T>, limit: usize, key: impl Fn(&T) -> String) -> Self {
        let next = if items.len() > limit {
            items.truncate(limit);
            items.last().map(key)
        } else {
            None
        };
        Self { items, next }
    }

    /// Transforms the items, keeping the cursor.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}
