//! The WooCommerce REST API v3 client: one per store, built from its stored connection.
//!
//! It authenticates each request as the store is set to, takes each request from the
//! store's rate limit, and turns every failure into a [`WooError`] a caller can act on. It
//! never sleeps out a store's `Retry-After` or retries by itself: retries live in one place,
//! the job queue.

use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use rand::Rng;
use rand::distr::Alphanumeric;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::Value;
use tracing::Instrument;
use url::Url;

use super::auth::oauth1::{self, SignatureMethod};
use super::body::parse_json;
use super::error::WooError;
use super::listed::{ListedRecord, RawRecord};
use super::page_memory::{PageMemory, PageRoom};
use super::public_address::{PublicOnlyResolver, StoreAddresses, is_public};
use super::rate_limit::{RateLimit, RateLimiter};
use super::response::{PageInfo, classify, page_info};
use crate::secrets::Secret;
use woocommerce::AuthMode;

/// The API's root under a site URL.
const API_ROOT: &str = "/wp-json/wc/v3/";
/// Waits on the store's own rate limit that add up to less than this are slept out; a
/// longer one is returned as [`WooError::BudgetSpent`] so the job gives its worker slot
/// back.
const MOMENT: Duration = Duration::from_millis(250);
/// The most records WooCommerce returns in one page.
pub const MAX_PER_PAGE: u32 = 100;

/// Everything needed to talk to one store.
#[derive(Debug, Clone)]
pub struct StoreConnection {
    pub store_id: i64,
    /// The site root as WordPress knows it (OAuth signs it): `https://shop.example`.
    pub site_url: Url,
    pub auth: AuthMode,
    pub consumer_key: String,
    pub consumer_secret: Secret,
    pub signature_method: SignatureMethod,
    pub rate_limit: RateLimit,
}

/// An HTTP client fit for stores: rustls, a User-Agent naming woosync (some hosts refuse
/// requests without one), timeouts, an extra certificate to trust if given (as a root,
/// and as a store's own: see `woo::tls`), and the addresses it may connect to.
pub fn http_client(
    extra_ca_cert: Option<&Path>,
    request_timeout: Duration,
    addresses: StoreAddresses,
) -> Result<StoreHttp, String> {
    let mut builder = reqwest::Client::builder()
        .user_agent(concat!("woosync/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .timeout(request_timeout)
        // Webhook and API answers are 2xx; a redirect is a misconfigured URL to report.
        .redirect(reqwest::redirect::Policy::none());
    if addresses == StoreAddresses::PublicOnly {
        builder = builder.dns_resolver(PublicOnlyResolver);
    }
    let trusted = extra_ca_cert
        .map(|path| {
            std::fs::read(path).map_err(|error| {
                format!("cannot read the CA certificate {}: {error}", path.display())
            })
        })
        .transpose()?;
    let tls =
        super::tls::client_config(trusted.as_deref()).map_err(|error| match extra_ca_cert {
            Some(path) => format!("{}: {error}", path.display()),
            None => error,
        })?;
    builder = builder.tls_backend_preconfigured(tls);
    let client = builder.build().map_err(|error| error.to_string())?;
    Ok(StoreHttp { client, addresses })
}

/// The HTTP client for stores, and the addresses it may reach.
#[derive(Debug, Clone)]
pub struct StoreHttp {
    client: reqwest::Client,
    addresses: StoreAddresses,
}

impl StoreHttp {
    /// The client itself, without the address check: for requests that are not a store's
    /// API calls (tests reading the wire).
    pub fn reqwest(&self) -> &reqwest::Client {
        &self.client
    }

    /// The client for a request to `url`, or why the URL's address is refused: for calls
    /// that are not a store's API calls (consumer endpoints of the change feed).
    pub fn for_url(&self, url: &Url) -> Result<&reqwest::Client, String> {
        self.admits(url).map_err(|error| error.to_string())?;
        Ok(&self.client)
    }

    /// Refuses a URL whose host is itself a loopback or private address: no resolver sees
    /// it, so the check on names does not catch it.
    fn admits(&self, url: &Url) -> Result<(), WooError> {
        let address = match url.host() {
            Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
            _ => return Ok(()),
        };
        if self.addresses == StoreAddresses::Any || is_public(&address) {
            return Ok(());
        }
        Err(WooError::Unreachable {
            detail: format!(
                "{address} is a loopback or private address (WOOSYNC_ALLOW_PRIVATE_STORES=true allows it)"
            ),
        })
    }
}

/// Parameters of a listing.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// 1-based; none is the first page.
    pub page: Option<u32>,
    /// At most 100; none is 100.
    pub per_page: Option<u32>,
    pub orderby: Option<&'static str>,
    pub order: Option<&'static str>,
    pub modified_after: Option<DateTime<Utc>>,
    /// `_fields`: only these fields of each record.
    pub fields: Option<String>,
    pub include: Vec<i64>,
    /// Created after this time (`after`).
    pub created_after: Option<DateTime<Utc>>,
    /// Other filters of the collection, such as `sku` or `email`.
    pub filters: Vec<(&'static str, String)>,
}

impl ListQuery {
    fn pairs(&self) -> Vec<(String, String)> {
        let mut pairs = vec![(
            "per_page".to_string(),
            self.per_page
                .unwrap_or(MAX_PER_PAGE)
                .min(MAX_PER_PAGE)
                .to_string(),
        )];
        let mut push = |key: &str, value: String| pairs.push((key.to_string(), value));
        if let Some(page) = self.page {
            push("page", page.to_string());
        }
        if let Some(orderby) = self.orderby {
            push("orderby", orderby.to_string());
        }
        if let Some(order) = self.order {
            push("order", order.to_string());
        }
        if let Some(after) = self.modified_after {
            push(
                "modified_after",
                after.format("%Y-%m-%dT%H:%M:%S").to_string(),
            );
        }
        // Every date filter in GMT, whatever the store's timezone.
        push("dates_are_gmt", "true".to_string());
        if let Some(fields) = &self.fields {
            push("_fields", fields.clone());
        }
        if !self.include.is_empty() {
            let ids: Vec<String> = self.include.iter().map(i64::to_string).collect();
            push("include", ids.join(","));
        }
        if let Some(after) = self.created_after {
            push("after", after.format("%Y-%m-%dT%H:%M:%S").to_string());
        }
        for (name, value) in &self.filters {
            push(name, value.clone());
        }
        pairs
    }
}

/// One page of a listing: its records parsed, or as their JSON text ([`RawRecord`]).
#[derive(Debug, Clone)]
pub struct ListPage<T = Value> {
    pub items: Vec<T>,
    pub info: PageInfo,
}

/// What the connection test learns from `GET /system_status`.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemStatus {
    pub woocommerce_version: String,
    pub wordpress_version: String,
    pub currency: String,
}

/// A webhook as the store lists it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Webhook {
    pub id: i64,
    pub topic: String,
    pub status: String,
    pub delivery_url: String,
}

pub struct WooClient {
    http: StoreHttp,
    connection: StoreConnection,
    limiter: Arc<dyn RateLimiter>,
    /// Sleeps out any wait on the store's rate limit, for a person waiting on an answer.
    patient: bool,
}

struct Answer {
    headers: reqwest::header::HeaderMap,
    /// Empty for 204 No Content.
    body: Bytes,
    /// Held while the answer is in memory, when the caller asked for it.
    permit: Option<PageRoom>,
}

impl Answer {
    /// The body as JSON; null for 204 No Content.
    fn json(&self) -> Result<Value, WooError> {
        if self.body.is_empty() {
            return Ok(Value::Null);
        }
        parse_json(&self.body)
    }
}

impl WooClient {
    /// What a failure says, without the store's secret in it: errors are logged, kept
    /// with jobs and shown to operators.
    fn scrubbed<T>(&self, result: Result<T, WooError>) -> Result<T, WooError> {
        result.map_err(|error| error.without_secret(self.connection.consumer_secret.expose()))
    }
}

impl WooClient {
    pub fn new(
        http: StoreHttp,
        connection: StoreConnection,
        limiter: Arc<dyn RateLimiter>,
    ) -> Self {
        WooClient {
            http,
            connection,
            limiter,
            patient: false,
        }
    }

    /// This client, waiting out the store's rate limit however long it takes instead of
    /// returning [`WooError::BudgetSpent`]: for the operations a person waits on.
    pub fn patient(self) -> Self {
        WooClient {
            patient: true,
            ..self
        }
    }

    pub fn connection(&self) -> &StoreConnection {
        &self.connection
    }

    /// One page of the collection at `path` (such as `products` or `orders/7/refunds`).
    pub async fn list_page(&self, path: &str, query: &ListQuery) -> Result<ListPage, WooError> {
        Ok(self.fetch_page(path, query.pairs(), None).await?.0)
    }

    /// One page, as [`list_page`](Self::list_page) with its records as text, read only
    /// once `memory` has room for it, which the caller holds until it is done with the
    /// page: however many requests wait on slow stores at once, only so many pages are in
    /// memory.
    pub async fn list_page_holding(
        &self,
        path: &str,
        query: &ListQuery,
        memory: &PageMemory,
    ) -> Result<(ListPage<RawRecord>, PageRoom), WooError> {
        let (page, room) = self.fetch_page(path, query.pairs(), Some(memory)).await?;
        let room = match room {
            Some(room) => room,
            // A 204 has no body to make room for; a listing never answers one.
            None => memory.room_for_page().await.map_err(shutting_down)?,
        };
        Ok((page, room))
    }

    /// Every record of the collection at `path`, page after page. It follows the `Link`
    /// next URL where there is one (without its stale `oauth_*` parameters), asks for the
    /// next page after a full one unless `X-WP-Total` says every record was seen (hosts
    /// strip or miscount the page headers), and stops at an empty or short page.
    pub async fn list_all<T: ListedRecord>(
        &self,
        path: &str,
        query: &ListQuery,
    ) -> Result<Vec<T>, WooError> {
        let per_page = query.per_page.unwrap_or(MAX_PER_PAGE).min(MAX_PER_PAGE) as usize;
        let mut page_number = query.page.unwrap_or(1);
        let mut pairs = ListQuery {
            page: Some(page_number),
            ..query.clone()
        }
        .pairs();
        let mut records = Vec::new();
        loop {
            let (page, _) = self.fetch_page(path, pairs, None).await?;
            let count = page.items.len();
            records.extend(page.items);
            if count == 0 {
                break;
            }
            page_number += 1;
            // A full last page with `X-WP-Total` saying there is no more is believed: the
            // total is counted apart from the pages, so a host that miscounts pages is
            // still caught.
            let all_seen = page
                .info
                .total
                .is_some_and(|total| records.len() as u64 >= total);
            pairs = match page.info.next.as_deref().and_then(next_page_pairs) {
                Some(next) => next,
                None if count >= per_page && !all_seen => ListQuery {
                    page: Some(page_number),
                    ..query.clone()
                }
                .pairs(),
                None => break,
            };
        }
        Ok(records)
    }

    /// One page, waiting out the store's rate budget however long it takes.
    pub async fn list_page_patiently(
        &self,
        path: &str,
        query: &ListQuery,
    ) -> Result<ListPage, WooError> {
        patiently(|| self.list_page(path, query)).await
    }

    /// One page as [`list_page_holding`](Self::list_page_holding) reads it, waiting out the
    /// store's rate budget however long it takes.
    pub async fn list_page_holding_patiently(
        &self,
        path: &str,
        query: &ListQuery,
        memory: &PageMemory,
    ) -> Result<(ListPage<RawRecord>, PageRoom), WooError> {
        patiently(|| self.list_page_holding(path, query, memory)).await
    }

    /// One record, such as `products/42`.
    pub async fn get(&self, path: &str) -> Result<Value, WooError> {
        let answer = self.send(Method::GET, path, Vec::new(), None, None).await?;
        self.scrubbed(answer.json())
    }

    /// One record, such as `products/42`, as the JSON text the store sent.
    pub async fn get_record(&self, path: &str) -> Result<RawRecord, WooError> {
        let answer = self.send(Method::GET, path, Vec::new(), None, None).await?;
        self.scrubbed(parse_json(&answer.body))
    }

    /// Creates a record (`POST` to the collection at `path`); the record the store made.
    pub async fn create(&self, path: &str, body: &Value) -> Result<RawRecord, WooError> {
        let answer = self
            .send(Method::POST, path, Vec::new(), Some(body), None)
            .await?;
        self.scrubbed(parse_json(&answer.body))
    }

    /// Changes a record (`PUT` to the record at `path`); the record as the store then has it.
    pub async fn update(&self, path: &str, body: &Value) -> Result<RawRecord, WooError> {
        let answer = self
            .send(Method::PUT, path, Vec::new(), Some(body), None)
            .await?;
        self.scrubbed(parse_json(&answer.body))
    }

    pub async fn system_status(&self) -> Result<SystemStatus, WooError> {
        let status = self.get("system_status").await?;
        let text = |pointer: &str| {
            status
                .pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| WooError::Malformed {
                    detail: format!("system_status has no {pointer}"),
                })
        };
        Ok(SystemStatus {
            woocommerce_version: text("/environment/version")?,
            wordpress_version: text("/environment/wp_version")?,
            currency: text("/settings/currency")?,
        })
    }

    /// The store's low-stock threshold, its setting `woocommerce_notify_low_stock_amount`
    /// (a key whose user cannot manage WooCommerce is refused it).
    pub async fn low_stock_amount(&self) -> Result<i64, WooError> {
        let setting = self
            .get("settings/products/woocommerce_notify_low_stock_amount")
            .await?;
        let value = setting.get("value");
        value
            .and_then(Value::as_i64)
            .or_else(|| value.and_then(Value::as_str)?.trim().parse().ok())
            .ok_or_else(|| WooError::Malformed {
                detail: format!(
                    "the low-stock threshold is {}",
                    value.unwrap_or(&Value::Null)
                ),
            })
    }

    pub async fn list_webhooks(&self) -> Result<Vec<Webhook>, WooError> {
        self.list_all("webhooks", &ListQuery::default())
            .await?
            .into_iter()
            .map(|value| {
                serde_json::from_value(value).map_err(|error| WooError::Malformed {
                    detail: format!("a webhook: {error}"),
                })
            })
            .collect()
    }

    /// Creates a webhook; the store pings `delivery_url` before it answers.
    pub async fn create_webhook(
        &self,
        topic: &str,
        delivery_url: &str,
        secret: &Secret,
    ) -> Result<Webhook, WooError> {
        let body = serde_json::json!({
            "name": format!("woosync {topic}"),
            "topic": topic,
            "delivery_url": delivery_url,
            "secret": secret.expose(),
            "status": "active",
        });
        let answer = self
            .send(Method::POST, "webhooks", Vec::new(), Some(&body), None)
            .await?;
        webhook(self.scrubbed(answer.json())?)
    }

    /// Changes a webhook: `{"status": "active"}` re-enables it, `{"secret": ...}` replaces
    /// its secret.
    pub async fn update_webhook(&self, id: i64, changes: &Value) -> Result<Webhook, WooError> {
        let answer = self
            .send(
                Method::PUT,
                &format!("webhooks/{id}"),
                Vec::new(),
                Some(changes),
                None,
            )
            .await?;
        webhook(self.scrubbed(answer.json())?)
    }

    /// Deletes a webhook for good (`force=true`: webhooks have no trash).
    pub async fn delete_webhook(&self, id: i64) -> Result<(), WooError> {
        self.send(
            Method::DELETE,
            &format!("webhooks/{id}"),
            vec![("force".into(), "true".into())],
            None,
            None,
        )
        .await?;
        Ok(())
    }

    /// Whether the key may write, learnt without writing anything: a create with no
    /// fields is refused for the scope before its fields are checked (WooCommerce checks
    /// a key's scope in `rest_pre_dispatch`, before the route validates its arguments).
    pub async fn can_write(&self) -> Result<bool, WooError> {
        let empty = serde_json::json!({});
        match self
            .send(Method::POST, "webhooks", Vec::new(), Some(&empty), None)
            .await
        {
            Err(WooError::MissingScope { .. }) => Ok(false),
            Err(WooError::Rejected { status: 400, .. }) => Ok(true),
            Err(error) => Err(error),
            // A store that accepted an empty webhook has one it should not: it is removed.
            Ok(answer) => {
                if let Some(id) = self
                    .scrubbed(answer.json())?
                    .get("id")
                    .and_then(Value::as_i64)
                {
                    self.delete_webhook(id).await?;
                }
                Ok(true)
            }
        }
    }

    async fn fetch_page<T: ListedRecord>(
        &self,
        path: &str,
        pairs: Vec<(String, String)>,
        memory: Option<&PageMemory>,
    ) -> Result<(ListPage<T>, Option<PageRoom>), WooError> {
        let answer = self.send(Method::GET, path, pairs, None, memory).await?;
        let info = page_info(&answer.headers);
        match parse_json::<Vec<T>>(&answer.body) {
            Ok(items) => Ok((ListPage { items, info }, answer.permit)),
            Err(error) => self.scrubbed(Err(match answer.json() {
                Ok(other) if !other.is_array() => WooError::Malformed {
                    detail: format!("a listing answered {} instead of a list", kind(&other)),
                },
                _ => error,
            })),
        }
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        pairs: Vec<(String, String)>,
        body: Option<&Value>,
        memory: Option<&PageMemory>,
    ) -> Result<Answer, WooError> {
        let answer = self
            .send_unscrubbed(method, path, pairs, body, memory)
            .await;
        self.scrubbed(answer)
    }

    async fn send_unscrubbed(
        &self,
        method: Method,
        path: &str,
        mut pairs: Vec<(String, String)>,
        body: Option<&Value>,
        memory: Option<&PageMemory>,
    ) -> Result<Answer, WooError> {
        if let Some(memory) = memory {
            memory.before_request().await;
        }
        self.take_rate_limit().await?;
        let connection = &self.connection;
        let mut url = connection.site_url.clone();
        url.set_path(&format!(
            "{}{API_ROOT}{}",
            connection.site_url.path().trim_end_matches('/'),
            path.trim_start_matches('/')
        ));
        match connection.auth {
            AuthMode::Basic => {}
            AuthMode::QueryString => {
                pairs.push(("consumer_key".into(), connection.consumer_key.clone()));
                pairs.push((
                    "consumer_secret".into(),
                    connection.consumer_secret.expose().to_string(),
                ));
            }
            AuthMode::OAuth1 => self.sign_oauth1(&method, &url, &mut pairs),
        }
        if !pairs.is_empty() {
            url.query_pairs_mut().extend_pairs(&pairs);
        }
        self.http.admits(&url)?;
        let mut request = self.http.client.request(method.clone(), url);
        if connection.auth == AuthMode::Basic {
            request = request.basic_auth(
                &connection.consumer_key,
                Some(connection.consumer_secret.expose()),
            );
        }
        if let Some(body) = body {
            request = request.json(body);
        }

        let span = tracing::debug_span!(
            "woo_request",
            store = connection.store_id,
            method = %method,
            path = %path,
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let outcome = async {
            let response = request.send().await.map_err(transport_error)?;
            let status = response.status();
            let headers = response.headers().clone();
            let waiting = Instant::now();
            let room = match memory {
                Some(memory) => Some(memory.room_for_page().await.map_err(shutting_down)?),
                None => None,
            };
            let waited = waiting.elapsed();
            let bytes = response.bytes().await.map_err(transport_error)?;
            Ok::<_, WooError>((status, headers, bytes, room, waited))
        }
        .instrument(span.clone())
        .await;
        // The store's time, not ours: the wait for room to read the page is left out.
        let waited = outcome.as_ref().map_or(Duration::ZERO, |answer| answer.4);
        let latency = started.elapsed().saturating_sub(waited);
        let status_label = match &outcome {
            Ok((status, ..)) => status.as_u16().to_string(),
            Err(WooError::Timeout) => "timeout".to_string(),
            Err(_) => "error".to_string(),
        };
        span.record("status", status_label.as_str());
        span.record("latency_ms", latency.as_millis() as u64);
        let store = connection.store_id.to_string();
        metrics::counter!("woosync_woo_requests_total", "store" => store.clone(), "status" => status_label)
            .increment(1);
        metrics::histogram!("woosync_woo_request_duration_seconds", "store" => store)
            .record(latency.as_secs_f64());
        tracing::debug!(parent: &span, "request done");

        let (status, headers, bytes, permit, _) = outcome?;
        if !status.is_success() {
            return Err(classify(status.as_u16(), &headers, &bytes));
        }
        if status == StatusCode::NO_CONTENT {
            return Ok(Answer {
                headers,
                body: Bytes::new(),
                permit,
            });
        }
        if bytes.is_empty() {
            return Err(WooError::Malformed {
                detail: "the body is empty".into(),
            });
        }
        Ok(Answer {
            body: bytes,
            headers,
            permit,
        })
    }

    /// Adds the one-legged OAuth 1.0a parameters and signature to `pairs`.
    fn sign_oauth1(&self, method: &Method, url: &Url, pairs: &mut Vec<(String, String)>) {
        let connection = &self.connection;
        let nonce: String = rand::rng()
            .sample_iter(&Alphanumeric)
            .take(32)
            .map(char::from)
            .collect();
        pairs.push(("oauth_consumer_key".into(), connection.consumer_key.clone()));
        pairs.push(("oauth_nonce".into(), nonce));
        pairs.push((
            "oauth_signature_method".into(),
            connection.signature_method.as_str().into(),
        ));
        pairs.push(("oauth_timestamp".into(), Utc::now().timestamp().to_string()));
        let mut signed_url = url.clone();
        signed_url.set_query(None);
        let base = oauth1::base_string(method.as_str(), signed_url.as_str(), pairs);
        let signature = oauth1::sign(
            connection.signature_method,
            connection.consumer_secret.expose(),
            &base,
        );
        pairs.push(("oauth_signature".into(), signature));
    }

    async fn take_rate_limit(&self) -> Result<(), WooError> {
        let key = self.connection.store_id.to_string();
        let started = Instant::now();
        loop {
            let verdict = self
                .limiter
                .try_acquire(&key, self.connection.rate_limit)
                .await
                .map_err(|error| WooError::Transient {
                    detail: error.to_string(),
                })?;
            match verdict {
                Ok(()) => break,
                // A moment in all, not a moment each time: jobs of one store that keep
                // taking the next request from each other would hold every slot.
                Err(wait) if started.elapsed() + wait <= MOMENT || self.patient => {
                    tokio::time::sleep(wait).await
                }
                Err(wait) => {
                    return Err(WooError::BudgetSpent { wait });
                }
            }
        }
        metrics::histogram!("woosync_rate_limit_wait_seconds", "store" => key)
            .record(started.elapsed().as_secs_f64());
        Ok(())
    }
}

/// Tries `attempt` until the store's rate budget lets it through.
async fn patiently<T, F>(attempt: impl Fn() -> F) -> Result<T, WooError>
where
    F: Future<Output = Result<T, WooError>>,
{
    loop {
        match attempt().await {
            Err(WooError::BudgetSpent { wait }) => tokio::time::sleep(wait).await,
            answer => return answer,
        }
    }
}

/// The query of a `Link` next URL without the credentials of the request it came from:
/// over OAuth it carries the previous `oauth_*` parameters, which must be signed afresh.
fn next_page_pairs(next: &str) -> Option<Vec<(String, String)>> {
    let url = Url::parse(next).ok()?;
    Some(
        url.query_pairs()
            .filter(|(key, _)| {
                !key.starts_with("oauth_") && key != "consumer_key" && key != "consumer_secret"
            })
            .map(|(key, value)| (key.into_owned(), value.into_owned()))
            .collect(),
    )
}

fn webhook(value: Value) -> Result<Webhook, WooError> {
    serde_json::from_value(value).map_err(|error| WooError::Malformed {
        detail: format!("a webhook: {error}"),
    })
}

fn shutting_down(_: tokio::sync::AcquireError) -> WooError {
    WooError::Transient {
        detail: "shutting down".into(),
    }
}

fn transport_error(error: reqwest::Error) -> WooError {
    if let Some(cause) = super::tls::tls_failure(&error) {
        WooError::Tls { detail: cause }
    } else if error.is_timeout() {
        WooError::Timeout
    } else if error.is_connect() {
        WooError::Unreachable {
            detail: with_causes(&error),
        }
    } else {
        WooError::Transient {
            detail: with_causes(&error),
        }
    }
}

/// An error and what caused it: reqwest's own message names only the URL ("error sending
/// request for url ..."), while the cause says what went wrong (refused, a private
/// address, a bad certificate).
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let inner_text = inner.to_string();
        if !text.contains(&inner_text) {
            text.push_str(": ");
            text.push_str(&inner_text);
        }
        cause = inner.source();
    }
    text
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_link_loses_stale_credentials() {
        let next = "http://127.0.0.1:8080/wp-json/wc/v3/products?per_page=100&page=2&oauth_consumer_key=ck&oauth_nonce=n&oauth_signature=s%3D&oauth_timestamp=1&oauth_signature_method=HMAC-SHA256";
        assert_eq!(
            next_page_pairs(next).unwrap(),
            vec![
                ("per_page".into(), "100".into()),
                ("page".into(), "2".into())
            ]
        );
    }
}
