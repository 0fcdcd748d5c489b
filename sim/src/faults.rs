//! Fault injection: what real stores and their hosts do to a client, on demand and
//! reproducibly (the dice are seeded).

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

/// The faults a store shows; all off by default. Set through the control API.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Faults {
    /// Requests per second the host tolerates before it answers 429 with `Retry-After`.
    pub rate_limit_per_s: Option<f64>,
    /// The `Retry-After` of those 429s, in seconds.
    pub retry_after_s: u64,
    /// Probability that a request fails with a 500, 502 or 503.
    pub error_rate: f64,
    /// Probability that a request hangs past any client's patience.
    pub timeout_rate: f64,
    /// Probability that a body is cut off mid-JSON.
    pub truncated_rate: f64,
    /// Probability that a write (any request but a GET) is committed and its connection
    /// then dropped without an answer.
    pub lose_response_rate: f64,
    /// Units of stock a sale takes from a product or variation right after the store
    /// answers the next read of it: a sale between a client's read and its write.
    pub sale_after_stock_read: Option<i64>,
    /// Paths under the API root (`products/12/variations`) answered with a 500 every time,
    /// as a store answers for a record a broken plugin crashes on.
    pub broken_paths: HashSet<String>,
    /// Added latency per request, in ms, by resource name (`products`, `orders`,
    /// `product_variations`, ...) or `default`.
    pub latency_ms: HashMap<String, u64>,
    /// Put a UTF-8 BOM before every JSON body.
    pub bom: bool,
    /// Put a PHP notice before every JSON body.
    pub php_notice: bool,
    /// Answer every request with a WordPress login page (a security plugin, say).
    pub login_page: bool,
    /// Answer every API request with a `301` to this address (a site moved to `www.` or to
    /// https, say).
    pub redirect_to: Option<String>,
    /// Answer every API request with `rest_no_route` (WooCommerce deactivated).
    pub rest_disabled: bool,
    /// Strip `X-WP-Total`, `X-WP-TotalPages` and `Link`, as some hosts do.
    pub strip_paging_headers: bool,
    /// Claim one page fewer in `X-WP-TotalPages` (and the `Link` that follows it) than
    /// there are.
    pub undercount_pages: bool,
    /// On each page of products or orders served, delete this many records of the same
    /// collection, edit as many more and create one: records that change while a client
    /// pages.
    pub churn_per_page: usize,
    /// How many pages churn, counted over products and orders together, before the store
    /// holds still; none: every page.
    pub churn_pages: Option<usize>,
}

impl Faults {
    /// How many records the page about to be served deletes and edits, using up one of
    /// `churn_pages`.
    pub fn take_churn(&mut self) -> usize {
        if self.churn_per_page == 0 {
            return 0;
        }
        match &mut self.churn_pages {
            None => self.churn_per_page,
            Some(0) => 0,
            Some(left) => {
                *left -= 1;
                self.churn_per_page
            }
        }
    }

    pub fn latency_for(&self, resource: Option<&str>) -> u64 {
        resource
            .and_then(|name| self.latency_ms.get(name))
            .or_else(|| self.latency_ms.get("default"))
            .copied()
            .unwrap_or(0)
    }
}

/// How long a "timeout" hangs before the connection is dropped.
pub const HANG_MS: u64 = 120_000;

/// The notice a PHP store with `display_errors` on prints before its JSON.
pub const PHP_NOTICE: &str = "<br />\n<b>Notice</b>:  Undefined index: currency in <b>/var/www/html/wp-content/plugins/some-plugin/plugin.php</b> on line <b>42</b><br />\n";

pub const LOGIN_PAGE: &str = "<!DOCTYPE html>\n<html lang=\"en-US\"><head><title>Log In &lsaquo; Shop &#8212; WordPress</title></head><body class=\"login wp-core-ui\"><form name=\"loginform\" id=\"loginform\" action=\"/wp-login.php\" method=\"post\"></form></body></html>\n";
