//! Answering a request to `/wp-json/wc/v3/...` as WooCommerce 10 would, faults included.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, Response, StatusCode, Uri, header};
use chrono::Utc;
use rand::Rng;
use serde_json::{Value, json};

use super::auth::{ApiKey, RequestAuth, check_scope};
use super::error::SimError;
use super::faults::{HANG_MS, LOGIN_PAGE, PHP_NOTICE};
use super::listing::{ListParams, link_header, list, only_fields};
use super::routes::{RecordId, Route, invalid_id_kind, route};
use super::store::{RequestRecord, SimStore, lock, now_us, read, write};
use super::webhooks::{self, SimWebhook};
use woocommerce::Resource;

pub const API_ROOT: &str = "/wp-json/wc/v3/";

/// A finished answer before the store's faults dress it.
struct Answer {
    status: u16,
    body: String,
    headers: Vec<(&'static str, String)>,
}

impl Answer {
    fn json<T: serde::Serialize + ?Sized>(status: u16, body: &T) -> Answer {
        Answer {
            status,
            body: serde_json::to_string(body).expect("JSON values always serialize"),
            headers: Vec::new(),
        }
    }

    /// JSON already written out.
    fn json_text(status: u16, body: String) -> Answer {
        Answer {
            status,
            body,
            headers: Vec::new(),
        }
    }

    fn error(error: SimError) -> Answer {
        Answer {
            status: error.status,
            body: error.body(),
            headers: Vec::new(),
        }
    }
}

pub async fn handle(
    store: Arc<SimStore>,
    tls: bool,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let mut arrived_us = now_us();
    let path = uri.path().strip_prefix(API_ROOT).unwrap_or("").to_string();
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let resource = route(&path).and_then(|route| match route {
        Route::List { resource, .. } | Route::Get { resource, .. } => Some(resource),
        _ => None,
    });
    let faults = read(&store.faults).clone();

    let answer = 'answer: {
        if faults.login_page {
            break 'answer Answer {
                status: 200,
                body: LOGIN_PAGE.into(),
                headers: vec![("Content-Type", "text/html; charset=UTF-8".into())],
            };
        }
        if let Some(location) = &faults.redirect_to {
            break 'answer Answer {
                status: 301,
                body: String::new(),
                headers: vec![
                    ("Location", location.clone()),
                    ("Content-Type", "text/html; charset=UTF-8".into()),
                ],
            };
        }
        if let Some(limit) = faults.rate_limit_per_s {
            match host_admits(&store, limit) {
                // Stamped as the host's limiter counted it: the busiest second the store
                // reports is then the one its limiter held.
                Some(admitted_us) => arrived_us = admitted_us,
                None => {
                    lock(&store.faults_served).throttled += 1;
                    break 'answer Answer {
                        status: 429,
                        body: "<html><body><h1>429 Too Many Requests</h1></body></html>".into(),
                        headers: vec![
                            ("Retry-After", faults.retry_after_s.max(1).to_string()),
                            ("Content-Type", "text/html".into()),
                        ],
                    };
                }
            }
        }
        let (hang, fail, truncate) = {
            let mut dice = lock(&store.dice);
            (
                dice.random_bool(faults.timeout_rate.clamp(0.0, 1.0)),
                dice.random_bool(faults.error_rate.clamp(0.0, 1.0))
                    .then(|| [500, 502, 503][dice.random_range(0..3)])
                    .or_else(|| faults.broken_paths.contains(&path).then_some(500)),
                dice.random_bool(faults.truncated_rate.clamp(0.0, 1.0)),
            )
        };
        if hang {
            lock(&store.faults_served).hangs += 1;
            tokio::time::sleep(Duration::from_millis(HANG_MS)).await;
        }
        let latency = faults.latency_for(resource.map(Resource::name));
        if latency > 0 {
            tokio::time::sleep(Duration::from_millis(latency)).await;
        }
        if let Some(status) = fail {
            lock(&store.faults_served).errors += 1;
            break 'answer Answer {
                status,
                body: format!(
                    "<html><body><h1>{status}</h1>The server is having a moment.</body></html>"
                ),
                headers: vec![("Content-Type", "text/html".into())],
            };
        }
        if faults.rest_disabled {
            break 'answer Answer::error(SimError::no_route());
        }
        let mut answer = serve(&store, tls, &method, &path, &query, &headers, &body).await;
        let lose = method != Method::GET
            && answer.status < 300
            && lock(&store.dice).random_bool(faults.lose_response_rate.clamp(0.0, 1.0));
        if lose {
            lock(&store.faults_served).lost += 1;
            store.log_request(RequestRecord {
                at_us: arrived_us,
                method: method.to_string(),
                path,
                query: without_credentials(&query),
                status: answer.status,
            });
            return dropped_connection();
        }
        if truncate && answer.status == 200 {
            lock(&store.faults_served).truncated += 1;
            let cut = answer.body.len() / 2;
            answer.body.truncate(answer.body.floor_char_boundary(cut));
        }
        answer
    };

    let mut body = answer.body;
    let is_json = !answer
        .headers
        .iter()
        .any(|(name, _)| *name == "Content-Type");
    if is_json {
        if faults.php_notice {
            body.insert_str(0, PHP_NOTICE);
        }
        if faults.bom {
            body.insert(0, '\u{FEFF}');
        }
    }
    store.log_request(RequestRecord {
        at_us: arrived_us,
        method: method.to_string(),
        path,
        query: without_credentials(&query),
        status: answer.status,
    });
    let mut response = Response::builder()
        .status(StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    let response_headers = response.headers_mut().expect("a fresh builder has headers");
    if is_json {
        response_headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=UTF-8"),
        );
    }
    for (name, value) in answer.headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response_headers.insert(name, value);
        }
    }
    response
        .body(Body::from(body))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

/// A connection dropped before the answer's body: the client learns nothing of what the
/// store did.
fn dropped_connection() -> Response<Body> {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("connection lost"))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_LENGTH, "1024")
        .body(Body::from_stream(failing))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

/// The host's limiter: as many requests let through within the last second as it
/// tolerates, and a 429 beyond (none). A request let through is stamped under the limiter's lock (microseconds since the
/// epoch).
fn host_admits(store: &SimStore, per_second: f64) -> Option<u128> {
    let mut window = lock(&store.host_window);
    let now = Instant::now();
    while window
        .front()
        .is_some_and(|at| now.duration_since(*at) >= Duration::from_secs(1))
    {
        window.pop_front();
    }
    // At least one a second for a limit under one: a window of a second holds whole
    // requests.
    let tolerated = if per_second > 0.0 {
        per_second.floor().max(1.0)
    } else {
        0.0
    };
    if window.len() as f64 >= tolerated {
        return None;
    }
    window.push_back(now);
    Some(now_us())
}

fn without_credentials(query: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(query.iter().filter(|(key, _)| {
            !key.starts_with("oauth_") && key != "consumer_key" && key != "consumer_secret"
        }))
        .finish()
}

async fn serve(
    store: &Arc<SimStore>,
    tls: bool,
    method: &Method,
    path: &str,
    query: &[(String, String)],
    headers: &HeaderMap,
    body: &Bytes,
) -> Answer {
    let url = format!("{}{API_ROOT}{path}", store.site_url);
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    let caller = lock(&store.auth).authenticate(&RequestAuth {
        tls,
        method: method.as_str(),
        url: &url,
        query,
        authorization,
        now: Utc::now().timestamp(),
    });
    let caller = match caller {
        Ok(caller) => caller,
        Err(error) => return Answer::error(error),
    };
    let Some(route) = route(path) else {
        return Answer::error(SimError::no_route());
    };
    let listing = matches!(route, Route::List { .. } | Route::Webhooks) && method == Method::GET;
    let Some(caller) = caller else {
        return Answer::error(SimError::cannot_view(listing));
    };
    if let Err(error) = check_scope(&caller, method.as_str()) {
        return Answer::error(error);
    }
    match (method.clone(), route) {
        (Method::GET, Route::List { resource, parent }) => {
            list_collection(store, resource, parent, &url, query)
        }
        (
            Method::GET,
            Route::Get {
                resource,
                parent,
                id,
            },
        ) => {
            let answer = get_record(store, resource, parent, &id, query);
            sell_after_read(store, resource, parent, &id);
            answer
        }
        (Method::POST, Route::List { resource, parent }) => {
            written(store.create_from_request(resource, parent, body))
        }
        (
            Method::PUT | Method::PATCH | Method::POST,
            Route::Get {
                resource,
                parent,
                id: RecordId::Number(id),
            },
        ) => written(store.update_from_request(resource, parent, id, body)),
        (Method::GET, Route::SystemStatus) => Answer::json(200, &system_status(store)),
        (Method::GET, Route::Setting { group, id }) => setting(store, &caller, &group, &id),
        (Method::GET, Route::Webhooks) => {
            let all: Vec<Value> = lock(&store.webhooks)
                .iter()
                .map(|webhook| webhook.to_json(&store.site_url))
                .collect();
            let total = all.len();
            let mut answer = Answer::json(200, &Value::Array(all));
            answer.headers.push(("X-WP-Total", total.to_string()));
            answer.headers.push(("X-WP-TotalPages", "1".into()));
            answer
        }
        (Method::GET, Route::Webhook(id)) => match find_webhook(store, id) {
            Some(webhook) => Answer::json(200, &webhook.to_json(&store.site_url)),
            None => Answer::error(SimError::invalid_id("webhook")),
        },
        (Method::POST, Route::Webhooks) => create_webhook(store, body).await,
        (Method::PUT | Method::PATCH | Method::POST, Route::Webhook(id)) => {
            update_webhook(store, id, body)
        }
        (Method::DELETE, Route::Webhook(id)) => {
            let mut all = lock(&store.webhooks);
            match all.iter().position(|webhook| webhook.id == id) {
                Some(at) => Answer::json(200, &all.remove(at).to_json(&store.site_url)),
                None => Answer::error(SimError::invalid_id("webhook")),
            }
        }
        _ => Answer::error(SimError::no_route()),
    }
}

fn written(answer: crate::writes::WriteAnswer) -> Answer {
    match answer {
        Ok((status, record)) => Answer::json(status, &record),
        Err(error) => Answer::error(error),
    }
}

/// The sale armed by `sale_after_stock_read`, right after a product or variation is read.
fn sell_after_read(store: &SimStore, resource: Resource, parent: i64, id: &RecordId) {
    let (RecordId::Number(id), Resource::Products | Resource::ProductVariations) = (id, resource)
    else {
        return;
    };
    let Some(quantity) = write(&store.faults).sale_after_stock_read.take() else {
        return;
    };
    store.sell(resource, parent, *id, quantity);
}

fn list_collection(
    store: &Arc<SimStore>,
    resource: Resource,
    parent: i64,
    url: &str,
    query: &[(String, String)],
) -> Answer {
    let mut params = match ListParams::parse(query) {
        Ok(params) => params,
        Err(error) => return Answer::error(error),
    };
    if resource.listed_whole() {
        params.page = 1;
        params.per_page = usize::MAX / 2;
        params.offset = None;
    }
    // Served from under the lock, so the page's records are written out without a copy.
    let (mut answer, result) = {
        let data = read(&store.data);
        let key = (resource, parent);
        let result = list(data.collection(key), &params);
        let body = data.page_body(key, &result.records);
        (Answer::json_text(200, body), result.paging)
    };
    if matches!(resource, Resource::Products | Resource::Orders) {
        let churn = write(&store.faults).take_churn();
        if churn > 0 {
            churn_collection(store, resource, churn);
        }
    }
    let (strip_paging_headers, undercount_pages) = {
        let faults = read(&store.faults);
        (faults.strip_paging_headers, faults.undercount_pages)
    };
    if strip_paging_headers {
        return answer;
    }
    // A host that miscounts claims one page fewer than there are, and links on as far
    // as that count goes.
    let total_pages = result.total_pages.max(usize::from(result.total > 0));
    let claimed_pages = if undercount_pages {
        total_pages.saturating_sub(1).max(1)
    } else {
        total_pages
    };
    answer
        .headers
        .push(("X-WP-Total", result.total.to_string()));
    answer
        .headers
        .push(("X-WP-TotalPages", claimed_pages.to_string()));
    let link = link_header(url, query, result.page, claimed_pages)
        .unwrap_or_else(|| format!("<{}/wp-json/>; rel=\"https://api.w.org/\"", store.site_url));
    answer.headers.push(("Link", link));
    answer
}

/// Records that change while a client pages: some deleted, some edited, one created.
fn churn_collection(store: &Arc<SimStore>, resource: Resource, count: usize) {
    let ids: Vec<i64> = {
        let data = read(&store.data);
        let records = data.collection((resource, 0));
        let mut dice = lock(&store.dice);
        (0..count * 2)
            .filter_map(|_| {
                (!records.is_empty())
                    .then(|| records[dice.random_range(0..records.len())]["id"].as_i64())
                    .flatten()
            })
            .collect()
    };
    let (deleted, edited) = ids.split_at(ids.len() / 2);
    for id in deleted {
        store.delete(resource, 0, *id);
    }
    for id in edited {
        store.update(resource, 0, *id, json!({"menu_order": 1}));
    }
    // An order placed but not paid: a paid one would also change its products' sales
    // counts, which no listing by modified date can see.
    let fields = match resource {
        Resource::Orders => json!({"status": "pending"}),
        _ => json!({}),
    };
    store.create(resource, 0, fields);
}

fn get_record(
    store: &Arc<SimStore>,
    resource: Resource,
    parent: i64,
    id: &RecordId,
    query: &[(String, String)],
) -> Answer {
    let data = read(&store.data);
    let found = match id {
        RecordId::Number(id) => data.find((resource, parent), *id).cloned(),
        RecordId::Text(id) => data
            .collection((resource, parent))
            .iter()
            .find(|record| record.get("id").and_then(Value::as_str) == Some(id.as_str()))
            .cloned(),
    };
    let fields: Option<Vec<String>> = query
        .iter()
        .find(|(key, _)| key == "_fields")
        .map(|(_, list)| list.split(',').map(str::to_string).collect());
    match found {
        Some(record) => Answer::json(200, &only_fields(&record, fields.as_deref())),
        None => Answer::error(SimError::invalid_id(invalid_id_kind(resource))),
    }
}

fn system_status(store: &SimStore) -> Value {
    json!({
        "environment": {
            "home_url": store.site_url,
            "site_url": store.site_url,
            "version": "10.0.2",
            "wp_version": "6.8.8",
            "wp_multisite": false,
            "language": "en_US",
            "server_info": "woosync-sim",
            "php_version": "8.2.36",
            "default_timezone": "UTC",
        },
        "settings": {
            "api_enabled": false,
            "force_ssl": false,
            "currency": "USD",
            "currency_symbol": "&#36;",
            "currency_position": "left",
            "thousand_separator": ",",
            "decimal_separator": ".",
            "number_of_decimals": 2,
            "HPOS_enabled": true,
        },
    })
}

/// One setting, as WooCommerce's setting options controller answers it; a key whose user
/// cannot manage WooCommerce is refused (403, as the user is signed in by the key).
fn setting(store: &SimStore, caller: &ApiKey, group: &str, id: &str) -> Answer {
    if !caller.manage_woocommerce {
        return Answer::error(SimError::new(
            403,
            "woocommerce_rest_cannot_view",
            "Sorry, you cannot list resources.",
        ));
    }
    let Some(value) = lock(&store.settings).get(id).cloned() else {
        return Answer::error(SimError::new(
            404,
            "rest_setting_setting_invalid",
            "Invalid setting.",
        ));
    };
    let base = format!("{}{API_ROOT}settings/{group}", store.site_url);
    Answer::json(
        200,
        &json!({
            "id": id,
            "label": "Low stock threshold",
            "description": "When product stock reaches this amount you will be notified via email.",
            "type": "number",
            "default": "2",
            "tip": "When product stock reaches this amount you will be notified via email.",
            "value": value,
            "group_id": group,
            "_links": {
                "self": [{"href": format!("{base}/{id}")}],
                "collection": [{"href": base}],
            },
        }),
    )
}

fn find_webhook(store: &SimStore, id: i64) -> Option<SimWebhook> {
    lock(&store.webhooks)
        .iter()
        .find(|webhook| webhook.id == id)
        .cloned()
}

async fn create_webhook(store: &Arc<SimStore>, body: &Bytes) -> Answer {
    let Ok(fields) = serde_json::from_slice::<Value>(body) else {
        return Answer::error(SimError::new(
            400,
            "rest_invalid_json",
            "Invalid JSON body passed.",
        ));
    };
    let text = |name: &str| fields.get(name).and_then(Value::as_str).map(str::to_string);
    let (Some(topic), Some(delivery_url)) = (text("topic"), text("delivery_url")) else {
        return Answer::error(SimError::new(
            400,
            "rest_missing_callback_param",
            "Missing parameter(s): topic, delivery_url",
        ));
    };
    let now = Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string();
    let id = {
        let all = lock(&store.webhooks);
        all.iter().map(|webhook| webhook.id).max().unwrap_or(0) + 1
    };
    if let Err(message) = webhooks::ping(&store.http, &delivery_url, id).await {
        return Answer::error(SimError::new(
            400,
            "woocommerce_rest_webhook_delivery_failed",
            &message,
        ));
    }
    let webhook = SimWebhook {
        id,
        name: text("name").unwrap_or_else(|| format!("Webhook {id}")),
        topic,
        delivery_url,
        secret: text("secret").unwrap_or_default(),
        status: text("status").unwrap_or_else(|| "active".into()),
        failure_count: 0,
        date_created_gmt: now.clone(),
        date_modified_gmt: now,
    };
    let answer = webhook.to_json(&store.site_url);
    lock(&store.webhooks).push(webhook);
    Answer::json(201, &answer)
}

fn update_webhook(store: &SimStore, id: i64, body: &Bytes) -> Answer {
    let Ok(fields) = serde_json::from_slice::<Value>(body) else {
        return Answer::error(SimError::new(
            400,
            "rest_invalid_json",
            "Invalid JSON body passed.",
        ));
    };
    let mut all = lock(&store.webhooks);
    let Some(webhook) = all.iter_mut().find(|webhook| webhook.id == id) else {
        return Answer::error(SimError::invalid_id("webhook"));
    };
    let text = |name: &str| fields.get(name).and_then(Value::as_str).map(str::to_string);
    if let Some(status) = text("status") {
        webhook.status = status;
    }
    if let Some(secret) = text("secret") {
        webhook.secret = secret;
    }
    if let Some(url) = text("delivery_url") {
        webhook.delivery_url = url;
    }
    if let Some(name) = text("name") {
        webhook.name = name;
    }
    webhook.date_modified_gmt = Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string();
    Answer::json(200, &webhook.to_json(&store.site_url))
}
